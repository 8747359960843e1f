/* rt_draw.c - the variables of an update, drawn before its step (see rt_draw.h). */
#include "train/rt_draw.h"

#include "core/rt_err.h"
#include "model/rt_latent.h"

/* ---- labels: the one place they will be read ---------------------------
 * LABELS: when the data layer's labelled sources land (runtime/data/, issue
 * 14), this function reads a batch and the labels of the same rows in one
 * call of their API, e.g. rt_data_next_labelled(d, x->buf, y->buf, batch),
 * and labels_supported() below returns 1.  Until then no model with LABEL
 * variables gets past rt_draw_check, so this is never reached. */
static int labels_supported(void)
{
    return 0;
}

static void draw_data_with_labels(const rt_model *m, const rt_var *x, rt_var *y, rt_data *d)
{
    (void)y;
    rt_assert(labels_supported() && "rt_draw_check lets no LABEL variable through");
    rt_data_next_batch(d, x->buf, m->batch);
}

int rt_draw_check(const rt_model *m, rt_err *err)
{
    for (int v = 0; v < m->n_vars; v++) {
        const rt_var *x = &m->vars[v];
        if ((x->kind == RT_VAR_DATA || x->kind == RT_VAR_LABEL) && x->source != 0)
            return rt_errf(err, "variable '%s': reads data source %d (a second domain or a "
                           "paired source), which this runtime does not have yet; it reads "
                           "one source", x->name, x->source);
        if (x->kind == RT_VAR_LABEL && !labels_supported())
            return rt_errf(err, "variable '%s': class labels read with the data, which this "
                           "runtime cannot read yet (labelled data sources are being added "
                           "to runtime/data/); train a model without data labels meanwhile",
                           x->name);
        if (x->kind == RT_VAR_DATA && x->size != m->sample_size)
            return rt_errf(err, "variable '%s': %zu floats per sample, expected the data's %zu",
                           x->name, x->size, m->sample_size);
    }
    return 0;
}

void rt_draw_var(const rt_model *m, int v, rt_data *data, rt_rng *rng)
{
    rt_var *x = &m->vars[v];
    size_t n = (size_t)m->batch * x->size;
    switch (x->kind) {
    case RT_VAR_DATA:
        if (x->labels >= 0)
            draw_data_with_labels(m, x, &m->vars[x->labels], data);
        else
            rt_data_next_batch(data, x->buf, m->batch);
        break;
    case RT_VAR_LABEL:   /* filled with its DATA variable */
        break;
    case RT_VAR_LATENT:
        rt_latent_fill(x->dist, rng, x->buf, n);
        break;
    case RT_VAR_CLASS:
        for (size_t i = 0; i < n; i++)
            x->buf[i] = (float)rt_rng_below(rng, (uint64_t)x->classes);
        break;
    default:
        rt_assert(!"unknown rt_var kind");
    }
}

/* rt_draw.c - the variables of an update, drawn before its step (see rt_draw.h). */
#include "train/rt_draw.h"

#include "core/rt_err.h"
#include "model/rt_latent.h"

int rt_draw_check(const rt_model *m, rt_err *err)
{
    for (int v = 0; v < m->n_vars; v++) {
        const rt_var *x = &m->vars[v];
        if ((x->kind == RT_VAR_DATA || x->kind == RT_VAR_LABEL) && x->source != 0)
            return rt_errf(err, "variable '%s': reads data source %d (a second domain or a "
                           "paired source), which this runtime does not have yet; it reads "
                           "one source", x->name, x->source);
        if (x->kind == RT_VAR_LABEL && (m->labels_kind == RT_LABELS_NONE ||
                                        x->classes != m->classes))
            return rt_errf(err, "variable '%s': %d classes of data labels, but the data has "
                           "%s %d", x->name, x->classes, m->labels_kind == RT_LABELS_NONE ?
                           "no labels, classes" : "classes", m->classes);
        if (x->kind == RT_VAR_DATA && x->labels >= 0 &&
            (x->labels >= m->n_vars || m->vars[x->labels].kind != RT_VAR_LABEL))
            return rt_errf(err, "variable '%s': its labels are variable %d, which is not a "
                           "LABEL variable", x->name, x->labels);
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
            rt_data_next_labelled(data, x->buf, m->vars[x->labels].buf, m->batch);
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

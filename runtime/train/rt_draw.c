/* rt_draw.c - the variables of an update, drawn before its step (see rt_draw.h). */
#include "train/rt_draw.h"

#include "core/rt_err.h"
#include "model/rt_latent.h"

/* A DATA or LABEL variable against its source: in range, the sizes and
 * class counts the source has. */
static int check_data_var(const rt_model *m, const rt_var *x, rt_err *err)
{
    if (x->source < 0 || x->source >= m->n_sources)
        return rt_errf(err, "variable '%s': reads data source %d, expected 0..%d", x->name,
                       x->source, m->n_sources - 1);
    const rt_data_source *src = &m->sources[x->source];
    if (x->kind == RT_VAR_LABEL && (src->labels_kind == RT_LABELS_NONE ||
                                    x->classes != src->classes))
        return rt_errf(err, "variable '%s': %d classes of data labels, but the data has "
                       "%s %d", x->name, x->classes, src->labels_kind == RT_LABELS_NONE ?
                       "no labels, classes" : "classes", src->classes);
    if (x->kind != RT_VAR_DATA)
        return 0;
    if (x->labels >= 0 && (x->labels >= m->n_vars || m->vars[x->labels].kind != RT_VAR_LABEL ||
                           m->vars[x->labels].source != x->source))
        return rt_errf(err, "variable '%s': its labels are variable %d, which is not a "
                       "LABEL variable of its source", x->name, x->labels);
    if (x->size != src->sample_size)
        return rt_errf(err, "variable '%s': %zu floats per sample, expected the data's %zu",
                       x->name, x->size, src->sample_size);
    if (x->rows_of < 0)
        return 0;
    const rt_var *lead = x->rows_of < m->n_vars ? &m->vars[x->rows_of] : NULL;
    if (!m->paired || !lead || lead->kind != RT_VAR_DATA || lead->rows_of >= 0 ||
        lead->source == x->source)
        return rt_errf(err, "variable '%s': takes the rows of variable %d, which is not a "
                       "DATA variable of another source of paired data", x->name, x->rows_of);
    return 0;
}

int rt_draw_check(const rt_model *m, rt_err *err)
{
    for (int v = 0; v < m->n_vars; v++) {
        const rt_var *x = &m->vars[v];
        if ((x->kind == RT_VAR_DATA || x->kind == RT_VAR_LABEL) && check_data_var(m, x, err))
            return -1;
    }
    return 0;
}

/* DATA variable v of a file source: its rows, its labels, then every
 * variable that takes the same rows of a paired source, and their labels. */
static void draw_rows(const rt_model *m, int v, rt_data *const *data)
{
    const rt_var *x = &m->vars[v];
    const size_t *rows = rt_data_next_rows(data[x->source], m->batch);
    for (int w = 0; w < m->n_vars; w++) {
        const rt_var *y = &m->vars[w];
        if (w != v && !(y->kind == RT_VAR_DATA && y->rows_of == v))
            continue;
        rt_data_copy_rows(data[y->source], rows, m->batch, y->buf,
                          y->labels >= 0 ? m->vars[y->labels].buf : NULL);
    }
}

void rt_draw_var(const rt_model *m, int v, rt_data *const *data, rt_rng *rng)
{
    rt_var *x = &m->vars[v];
    size_t n = (size_t)m->batch * x->size;
    switch (x->kind) {
    case RT_VAR_DATA:
        if (x->rows_of >= 0)   /* filled with the variable whose rows it takes */
            break;
        if (rt_data_rows(data[x->source]) == 0)   /* the mixtures: endless, no rows */
            rt_data_next_batch(data[x->source], x->buf, NULL, m->batch);
        else
            draw_rows(m, v, data);
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

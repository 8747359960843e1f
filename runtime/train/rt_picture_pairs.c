/* rt_picture_pairs.c - pictures of a translator (see rt_picture_pairs.h). */
#include "train/rt_picture_pairs.h"

#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"

/* the source feeding network input x: the data variable of its name, else
 * the first source of its size; -1 when none */
static int source_of(const rt_model *m, const rt_input_info *x)
{
    for (int v = 0; v < m->n_vars; v++)
        if (m->vars[v].kind == RT_VAR_DATA && !strcmp(m->vars[v].name, x->name))
            return m->vars[v].source;
    for (int s = 0; s < m->n_sources; s++)
        if (m->sources[s].sample_size == x->size)
            return s;
    return -1;
}

/* 1 when an input of shape x can be drawn at the output's size */
static int drawable(const rt_model *m, const rt_input_info *x)
{
    const int *o = m->out_shape;
    return m->out_ndim == 3 && x->ndim == 3 && x->shape[0] == o[0] && o[1] % x->shape[1] == 0 &&
           o[2] % x->shape[2] == 0;
}

int rt_picture_pairs_open(rt_picture_pairs *pp, const rt_model *m, rt_data *const *data,
                          float *const *in, rt_rng *rng)
{
    memset(pp, 0, sizeof *pp);
    pp->input = -1;
    for (int i = 0; i < m->n_gen_inputs && pp->input < 0; i++)
        if (m->gen_inputs[i].kind == RT_VAR_DATA)
            pp->input = i;
    const rt_input_info *x = pp->input >= 0 ? &m->gen_inputs[pp->input] : NULL;
    int s = x ? source_of(m, x) : -1;
    if (s < 0 || rt_data_rows(data[s]) < RT_PICTURE_PAIRS)
        return 0;
    size_t rows[RT_PICTURE_PAIRS], n_rows = rt_data_rows(data[s]);
    for (int r = 0; r < RT_PICTURE_PAIRS; r++)
        rows[r] = (size_t)r * (n_rows / RT_PICTURE_PAIRS);
    rt_data_copy_rows_rng(data[s], rows, RT_PICTURE_PAIRS, in[pp->input], NULL, rng);
    for (int t = 0; m->paired && t < m->n_sources && !pp->target; t++)
        if (t != s && m->sources[t].sample_size == m->out_size) {
            pp->target = rt_xmalloc(RT_PICTURE_PAIRS * m->out_size * sizeof(float));
            rt_data_copy_rows_rng(data[t], rows, RT_PICTURE_PAIRS, pp->target, NULL, rng);
        }
    pp->show_input = drawable(m, x);
    pp->cols = pp->show_input + 1 + (pp->target != NULL);
    pp->panel = rt_xmalloc((size_t)pp->cols * RT_PICTURE_PAIRS * m->out_size * sizeof(float));
    return 1;
}

void rt_picture_pairs_close(rt_picture_pairs *pp)
{
    free(pp->target);
    free(pp->panel);
    memset(pp, 0, sizeof *pp);
}

/* an input image (c, h, w) at the output's size (c, H, W), nearest neighbour */
static void enlarge(const float *src, const int s[3], const int *o, float *dst)
{
    int fy = o[1] / s[1], fx = o[2] / s[2];
    for (int c = 0; c < o[0]; c++)
        for (int y = 0; y < o[1]; y++)
            for (int x = 0; x < o[2]; x++)
                dst[((size_t)c * o[1] + y) * o[2] + x] =
                    src[((size_t)c * s[1] + y / fy) * s[2] + x / fx];
}

void rt_picture_pairs_panel(rt_picture_pairs *pp, const rt_model *m, const float *const *in,
                            const float *out)
{
    const rt_input_info *x = &m->gen_inputs[pp->input];
    size_t size = m->out_size;
    for (int r = 0; r < RT_PICTURE_PAIRS; r++) {
        float *row = pp->panel + (size_t)r * pp->cols * size;
        if (pp->show_input) {
            enlarge(in[pp->input] + r * x->size, x->shape, m->out_shape, row);
            row += size;
        }
        memcpy(row, out + r * size, size * sizeof(float));
        if (pp->target)
            memcpy(row + size, pp->target + r * size, size * sizeof(float));
    }
}

/* rt_sample_pairs.c - `sample --grid` of a translator: one PNG with a row
 * per sample, input | output, and with --target T the expected output in
 * a third column (the picture Pix2Pix and CycleGAN papers show).
 *
 * The cells share one shape: the largest channels, height and width of
 * the images shown; a smaller image is enlarged by nearest neighbour and a
 * gray one repeated into R, G, B, so a 14x14 edge map sits beside the
 * 28x28 photo made from it.  The target is read as --input is (a .npy of
 * the output's shape, a .png or a folder of them: rt_sample_inputs.h, the
 * same checks and messages), and must hold as many samples as the input.
 * Only samplers whose network reads a data input and makes images link
 * this file (rt_sample_parts.h).
 * Leaves out: captions, more than 16,384 rows (the sampler's picture limit).
 */
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "sample/rt_sample_parts.h"
#include "viz/rt_plot.h"

/* Image i of shape (c, h, w) into a cell of shape (cc, ch, cw): nearest
 * neighbour, gray repeated over the cell's channels. */
static void to_cell(const float *img, int c, int h, int w, float *cell, int cc, int ch, int cw)
{
    for (int k = 0; k < cc; k++)
        for (int y = 0; y < ch; y++)
            for (int x = 0; x < cw; x++)
                cell[((size_t)k * ch + y) * cw + x] =
                    img[((size_t)(c == 1 ? 0 : k) * h + (size_t)y * h / ch) * w +
                        (size_t)x * w / cw];
}

/* The target's n samples of the output's shape, read like --input. */
static float *read_target(const rt_sampler_model *m, const rt_sample_opts *o, size_t n,
                          rt_err *err)
{
    rt_input_info info = { "target", RT_VAR_DATA, m->out_size, 0, 0, m->out_ndim,
                           { m->out_shape[0], m->out_shape[1], m->out_shape[2] } };
    rt_sampler_model tm = *m;
    tm.inputs = &info;
    tm.n_inputs = 1;
    rt_sample_opts to;
    memset(&to, 0, sizeof to);
    to.input = o->target;
    to.n = (long)n;
    to.n_given = 1;
    to.class_k = -1;
    rt_sample_inputs s;
    float *rows = rt_xmalloc(n * m->out_size * sizeof(float) + 1);
    float *const in[1] = { rows };
    int rc = rt_sample_inputs_open(&s, &tm, &to, err);
    if (rc == 0)
        rc = rt_sample_inputs_next(&s, 0, n, in, err);
    rt_sample_inputs_close(&s);
    if (rc != 0) {
        free(rows);
        return NULL;
    }
    return rows;
}

int rt_sample_pairs_png(const rt_sampler_model *m, const rt_sample_opts *o,
                        const rt_input_info *xi, const float *in, const float *x, size_t n,
                        rt_err *err)
{
    if (!in)
        return xi->ndim == 3 && (xi->shape[0] == 1 || xi->shape[0] == 3) ? 0
             : (rt_errf(err, "--grid: input | output rows need an image input (1 or 3 "
                        "channels); '%s' is %zu floats (use .npy)", xi->name, xi->size), -2);
    float *target = o->target ? read_target(m, o, n, err) : NULL;
    if (o->target && !target)
        return -2;   /* an input error: exit 2 */
    const int *os = m->out_shape, *is = xi->shape;
    int cc = os[0] > is[0] ? os[0] : is[0], ch = os[1] > is[1] ? os[1] : is[1];
    int cw = os[2] > is[2] ? os[2] : is[2], cols = target ? 3 : 2;
    size_t cell = (size_t)cc * ch * cw;
    float *cells = rt_xmalloc(n * cols * cell * sizeof(float));
    for (size_t i = 0; i < n; i++) {
        float *row = cells + i * cols * cell;
        to_cell(in + i * xi->size, is[0], is[1], is[2], row, cc, ch, cw);
        to_cell(x + i * m->out_size, os[0], os[1], os[2], row + cell, cc, ch, cw);
        if (target)
            to_cell(target + i * m->out_size, os[0], os[1], os[2], row + 2 * cell, cc, ch, cw);
    }
    int rc = rt_image_grid_png_scaled(o->out, cells, (int)n * cols, cc, ch, cw, cols,
                                      rt_grid_scale(ch, cw), err);
    free(cells);
    free(target);
    return rc;
}

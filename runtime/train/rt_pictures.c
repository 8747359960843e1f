/* rt_pictures.c - the trainer's sample pictures (see rt_pictures.h). */
#include "train/rt_pictures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "train/rt_fixed_inputs.h"
#include "viz/rt_plot.h"

static int is_mixture(const rt_model *m)
{
    return rt_mixture_is_kind(m->sources[0].kind) && m->out_size == 2;
}

static int is_image(const rt_model *m)
{
    return m->out_ndim == 3 && (m->out_shape[0] == 1 || m->out_shape[0] == 3);
}

/* The network's data input (a translator's), or NULL. */
static const rt_input_info *data_input(const rt_model *m)
{
    for (int i = 0; i < m->n_gen_inputs; i++)
        if (m->gen_inputs[i].kind == RT_VAR_DATA)
            return &m->gen_inputs[i];
    return NULL;
}

/* Samples per picture: 2,500 points; 8 images a row, a row per class. */
static size_t picture_size(const rt_model *m)
{
    if (is_mixture(m))
        return RT_PICTURE_POINTS;
    if (!is_image(m))
        return 0;
    int rows = RT_PICTURE_COLS;
    for (int i = 0; i < m->n_gen_inputs; i++)
        if (m->gen_inputs[i].kind == RT_VAR_CLASS) {
            rows = m->gen_inputs[i].classes;
            break;
        }
    rows = rows < RT_PICTURE_CLASS_ROWS ? rows : RT_PICTURE_CLASS_ROWS;
    return (size_t)rows * RT_PICTURE_COLS;
}

void rt_pictures_open(rt_pictures *p, const rt_model *m, rt_data *const *data,
                      rt_rng *eval_rng)
{
    p->m = m;
    p->n = picture_size(m);
    const rt_input_info *x = data_input(m);
    if (p->n && x) {   /* a translator: rows of input | output | target */
        p->n = RT_PICTURE_PAIRS;
        p->in = rt_fixed_inputs_new(m, p->n, 1, eval_rng);
        if (!rt_picture_pairs_open(&p->pairs, m, data, p->in, eval_rng)) {
            fprintf(stderr, "note: no sample pictures: network '%s' reads the data input '%s', "
                    "which no source of %zu values per sample feeds\n",
                    m->nets[m->gen_net].name, x->name, x->size);
            p->n = 0;
        }
        p->out = rt_xmalloc(p->n * m->out_size * sizeof(float) + 1);
        return;
    }
    if (!p->n)
        return;
    if (is_mixture(m)) {   /* the real points first: the stream's order since v1 */
        p->ref_pts = rt_xmalloc(2 * RT_PICTURE_POINTS * sizeof(float));
        rt_mixture_sample(m->sources[0].kind, eval_rng, p->ref_pts, RT_PICTURE_POINTS);
    }
    p->in = rt_fixed_inputs_new(m, p->n, is_mixture(m) ? 1 : RT_PICTURE_COLS, eval_rng);
    p->out = rt_xmalloc(p->n * m->out_size * sizeof(float));
}

void rt_pictures_close(rt_pictures *p)
{
    if (p->m)
        rt_fixed_inputs_free(p->m, p->in);
    rt_picture_pairs_close(&p->pairs);
    free(p->out);
    free(p->ref_pts);
}

int rt_pictures_write(rt_pictures *p, const char *run_dir, long step, rt_progress *progress,
                      rt_err *err)
{
    const rt_model *m = p->m;
    if (!p->n)
        return 0;
    rt_fixed_generate(m, p->in, p->n, p->out);
    char *path = rt_xmalloc(strlen(run_dir) + 48);
    sprintf(path, "%s/samples_%06ld.png", run_dir, step);
    int rc;
    if (is_mixture(m)) {
        p->score = rt_mixture_evaluate(m->sources[0].kind, p->out, p->n);
        p->have_score = 1;
        rc = rt_scatter_png(path, p->ref_pts, RT_PICTURE_POINTS, p->out, p->n,
                            rt_mixture_extent(m->sources[0].kind), err);
        if (rc == 0)
            rt_progress_note(progress, "step %ld: modes %d/%d  HQ %.1f%%  reverse KL "
                             "%.3f  -> %s", step, p->score.modes_captured, p->score.n_modes,
                             100 * p->score.hq_fraction, p->score.reverse_kl, path);
    } else if (p->pairs.panel) {
        const int *s = m->out_shape;
        rt_picture_pairs_panel(&p->pairs, m, (const float *const *)p->in, p->out);
        rc = rt_image_grid_png_scaled(path, p->pairs.panel, p->pairs.cols * (int)p->n, s[0],
                                      s[1], s[2], p->pairs.cols, rt_grid_scale(s[1], s[2]), err);
        if (rc == 0)
            rt_progress_note(progress, "step %ld: -> %s (input | output%s)", step, path,
                             p->pairs.target ? " | target" : "");
    } else {
        const int *s = m->out_shape;
        rc = rt_image_grid_png_scaled(path, p->out, (int)p->n, s[0], s[1], s[2],
                                      RT_PICTURE_COLS, rt_grid_scale(s[1], s[2]), err);
        if (rc == 0)
            rt_progress_note(progress, "step %ld: -> %s", step, path);
    }
    free(path);
    return rc;
}

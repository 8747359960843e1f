/* rt_dump_data.c - a batch of each data variable written out (see
 * rt_dump_data.h). */
#include "train/rt_dump_data.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_file.h"
#include "data/rt_sources.h"
#include "formats/rt_npy.h"
#include "train/rt_draw.h"
#include "viz/rt_plot.h"

/* Variable v's batch as DIR/NAME.npy (and .png for images) */
static int write_var(const rt_model *m, const rt_var *x, const char *dir, rt_err *err)
{
    size_t shape[4] = { (size_t)m->batch, 0, 0, 0 };
    int ndim = 1;
    const rt_data_source *src = &m->sources[x->source];
    if (x->kind == RT_VAR_DATA)
        for (int i = 0; i < src->sample_ndim; i++)
            shape[ndim++] = (size_t)src->sample_shape[i];
    size_t len = strlen(dir) + strlen(x->name) + 8;
    char *path = rt_xmalloc(len);
    snprintf(path, len, "%s/%s.npy", dir, x->name);
    int rc = rt_npy_write_f32(path, x->buf, ndim, shape, err);
    const int *s = src->sample_shape;
    if (rc == 0 && x->kind == RT_VAR_DATA && src->sample_ndim == 3 && (s[0] == 1 || s[0] == 3)) {
        snprintf(path, len, "%s/%s.png", dir, x->name);
        rc = rt_image_grid_png_scaled(path, x->buf, m->batch, s[0], s[1], s[2], 8,
                                      rt_grid_scale(s[1], s[2]), err);
    }
    free(path);
    return rc;
}

int rt_dump_data(const rt_model *m, const rt_train_opts *o, rt_err *err)
{
    rt_rng rng;
    rt_rng_seed(&rng, o->seed);
    rt_data *data[RT_DATA_SOURCES_MAX] = { NULL };
    if (rt_sources_open(m->sources, m->n_sources, o->data, o->labels, &rng, data, err) != 0)
        return 2;
    for (int v = 0; v < m->n_vars; v++)
        if (m->vars[v].kind == RT_VAR_DATA)
            rt_draw_var(m, v, data, &rng);
    int status = rt_mkdir_p(o->dump_data, err) != 0 ? 1 : 0;
    for (int v = 0; v < m->n_vars && status == 0; v++) {
        const rt_var *x = &m->vars[v];
        if ((x->kind == RT_VAR_DATA || x->kind == RT_VAR_LABEL) &&
            write_var(m, x, o->dump_data, err) != 0)
            status = 1;
    }
    if (status == 0)
        for (int s = 0; s < m->n_sources; s++)
            printf("%s: %s\n", m->sources[s].name, rt_data_describe(data[s]));
    for (int s = 0; s < m->n_sources; s++)
        rt_data_close(data[s]);
    if (status == 0)
        printf("%s: a batch of %d of each data variable in %s\n", m->model_name, m->batch,
               o->dump_data);
    return status;
}

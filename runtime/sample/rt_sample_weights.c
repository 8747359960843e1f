/* rt_sample_weights.c - a sampler's tensors in place or copied (see rt_sample_weights.h). */
#include "sample/rt_sample_weights.h"

#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"

rt_store rt_sample_store(const rt_sampler_model *m, rt_net *net)
{
    memset(net, 0, sizeof *net);
    net->params = m->params;
    net->param_count = m->param_count;
    net->state = m->state;
    net->state_count = m->state_count;
    return (rt_store){ net, 1 };
}

void rt_sample_weights_in_arrays(const rt_sampler_model *m)
{
    rt_net net;
    rt_store s = rt_sample_store(m, &net);
    for (size_t i = 0; m->weights && i < m->n_tensors; i++)
        m->weights[i] = rt_tensor_data(&s, &m->tensors[i]);
}

/* The name tensor t has in the file: "ema." + its name for a parameter
 * read from its EMA copy (malloc'd), else its own (not). */
static const char *file_name(const rt_tensor_info *t, int ema)
{
    if (!ema || t->role != RT_ROLE_PARAM)
        return t->name;
    size_t k = strlen(RT_EMA_PREFIX);
    char *name = rt_xmalloc(k + strlen(t->name) + 1);
    memcpy(name, RT_EMA_PREFIX, k);
    strcpy(name + k, t->name);
    return name;
}

int rt_sample_weights_have_ema(const rt_sampler_model *m, const rt_st *st)
{
    for (size_t i = 0; i < m->n_tensors; i++)
        if (m->tensors[i].role == RT_ROLE_PARAM) {
            const char *name = file_name(&m->tensors[i], 1);
            int found = rt_st_find(st, name) != NULL;
            free((char *)name);
            return found;
        }
    return 0;
}

int rt_sample_weights_load(const rt_sampler_model *m, const rt_st *st, int ema, rt_err *err)
{
    rt_net net;
    rt_store s = rt_sample_store(m, &net);
    int rc = 0;
    for (size_t i = 0; i < m->n_tensors && rc == 0; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        const char *name = file_name(t, ema);
        const float *view = NULL;
        if (m->weights)
            rc = rt_st_view_f32(st, name, t->ndim, t->shape, &view, err);
        if (rc == 0 && !view) {
            float *copy = rt_tensor_data(&s, t);
            rc = rt_st_read_f32(st, name, copy, t->ndim, t->shape, err);
            view = copy;
        }
        if (m->weights)
            m->weights[i] = view;
        if (name != t->name)
            free((char *)name);
    }
    return rc;
}

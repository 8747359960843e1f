/* rt_sample_weights.c - a sampler's tensors in place or copied (see rt_sample_weights.h). */
#include "sample/rt_sample_weights.h"

#include <string.h>

rt_store rt_sample_store(const rt_sampler_model *m)
{
    rt_store s;
    memset(&s, 0, sizeof s);
    s.params[RT_NET_G] = m->params;
    s.param_count[RT_NET_G] = m->param_count;
    s.state[RT_NET_G] = m->state;
    s.state_count[RT_NET_G] = m->state_count;
    return s;
}

void rt_sample_weights_in_arrays(const rt_sampler_model *m)
{
    rt_store s = rt_sample_store(m);
    for (size_t i = 0; m->weights && i < m->n_tensors; i++)
        m->weights[i] = rt_tensor_data(&s, &m->tensors[i]);
}

int rt_sample_weights_load(const rt_sampler_model *m, const rt_st *st, rt_err *err)
{
    rt_store s = rt_sample_store(m);
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        const float *view = NULL;
        if (m->weights && rt_st_view_f32(st, t->name, t->ndim, t->shape, &view, err) != 0)
            return -1;
        if (!view) {
            float *copy = rt_tensor_data(&s, t);
            if (rt_st_read_f32(st, t->name, copy, t->ndim, t->shape, err) != 0)
                return -1;
            view = copy;
        }
        if (m->weights)
            m->weights[i] = view;
    }
    return 0;
}

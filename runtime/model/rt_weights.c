/* rt_weights.c - tensor views, initialisation, save and load (see rt_weights.h). */
#include "model/rt_weights.h"

#include <stdlib.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"

size_t rt_tensor_numel(const rt_tensor_info *t)
{
    rt_assert(t->ndim >= 1 && t->ndim <= 4);
    size_t n = 1;
    for (int d = 0; d < t->ndim; d++) {
        rt_assert(t->shape[d] >= 0);
        n *= (size_t)t->shape[d];
    }
    return n;
}

float *rt_tensor_data(const rt_store *s, const rt_tensor_info *t)
{
    rt_assert(t->net == RT_NET_G || t->net == RT_NET_D);
    rt_assert(t->role == RT_ROLE_PARAM || t->role == RT_ROLE_STATE);
    float *base = t->role == RT_ROLE_PARAM ? s->params[t->net] : s->state[t->net];
    size_t count = t->role == RT_ROLE_PARAM ? s->param_count[t->net] : s->state_count[t->net];
    rt_assert(base != NULL && "tensor refers to an array the store does not have");
    rt_assert(t->offset + rt_tensor_numel(t) <= count && "tensor runs past its array");
    (void)count;
    return base + t->offset;
}

void rt_tensors_init(const rt_store *s, const rt_tensor_info *t, size_t n, rt_rng *rng)
{
    for (size_t i = 0; i < n; i++) {
        float *x = rt_tensor_data(s, &t[i]);
        size_t k = rt_tensor_numel(&t[i]);
        switch (t[i].init) {
        case RT_INIT_ZERO:
        case RT_INIT_ONE:
            for (size_t j = 0; j < k; j++)
                x[j] = t[i].init == RT_INIT_ONE ? 1.0f : 0.0f;
            break;
        case RT_INIT_NORMAL:
            rt_rng_fill_normal(rng, x, k, t[i].init_a, t[i].init_b);
            break;
        case RT_INIT_UNIFORM:
            rt_rng_fill_uniform(rng, x, k, t[i].init_a, t[i].init_b);
            break;
        default:
            rt_assert(!"unknown rt_init kind");
        }
    }
}

int rt_weights_save(const char *path, const rt_store *s, const rt_tensor_info *t, size_t n,
                    const rt_st_kv *meta, size_t n_meta, rt_err *err)
{
    rt_st_entry *e = rt_xcalloc(n, sizeof *e);
    for (size_t i = 0; i < n; i++) {
        e[i].name = t[i].name;
        e[i].data = rt_tensor_data(s, &t[i]);
        e[i].ndim = t[i].ndim;
        e[i].shape = t[i].shape;
    }
    int rc = rt_st_write(path, e, n, meta, n_meta, err);
    free(e);
    return rc;
}

int rt_weights_load(const rt_st *st, const rt_store *s, const rt_tensor_info *t, size_t n,
                    rt_err *err)
{
    for (int net = 0; net < 2; net++) {   /* the reads below fill every page */
        if (s->params[net])
            rt_prefault(s->params[net], s->param_count[net] * sizeof(float));
        if (s->state[net])
            rt_prefault(s->state[net], s->state_count[net] * sizeof(float));
    }
    for (size_t i = 0; i < n; i++)
        if (rt_st_read_f32(st, t[i].name, rt_tensor_data(s, &t[i]), t[i].ndim, t[i].shape,
                           err) != 0)
            return -1;
    return 0;
}

/* rt_weights.c - tensor views, initialisation, save and load (see rt_weights.h). */
#include "model/rt_weights.h"

#include <stdlib.h>
#include <string.h>

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
    rt_assert(t->net >= 0 && t->net < s->n_nets);
    rt_assert(t->role == RT_ROLE_PARAM || t->role == RT_ROLE_STATE);
    const rt_net *net = &s->nets[t->net];
    float *base = t->role == RT_ROLE_PARAM ? net->params : net->state;
    size_t count = t->role == RT_ROLE_PARAM ? net->param_count : net->state_count;
    rt_assert(base != NULL && "tensor refers to an array the store does not have");
    rt_assert(t->offset + rt_tensor_numel(t) <= count && "tensor runs past its array");
    (void)count;
    return base + t->offset;
}

float *rt_tensor_ema(const rt_store *s, const rt_tensor_info *t)
{
    rt_assert(t->net >= 0 && t->net < s->n_nets);
    const rt_net *net = &s->nets[t->net];
    if (t->role != RT_ROLE_PARAM || !net->ema)
        return NULL;
    rt_assert(t->offset + rt_tensor_numel(t) <= net->param_count);
    return net->ema + t->offset;
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

void rt_weights_list_of(const rt_store *s, const rt_tensor_info *t, size_t n, size_t extra,
                        rt_weights_list *out)
{
    size_t n_ema = 0;
    for (size_t i = 0; i < n; i++)
        n_ema += rt_tensor_ema(s, &t[i]) != NULL;
    out->e = rt_xcalloc(n + n_ema + extra + 1, sizeof *out->e);
    out->ema_names = rt_xcalloc(n_ema + 1, sizeof *out->ema_names);
    out->n_ema = 0;
    for (size_t i = 0; i < n; i++)
        out->e[i] = (rt_st_entry){ t[i].name, rt_tensor_data(s, &t[i]), t[i].ndim, t[i].shape };
    out->n = n;
    for (size_t i = 0; i < n; i++) {
        float *ema = rt_tensor_ema(s, &t[i]);
        if (!ema)
            continue;
        size_t len = strlen(RT_EMA_PREFIX) + strlen(t[i].name) + 1;
        char *name = rt_xmalloc(len);
        memcpy(name, RT_EMA_PREFIX, strlen(RT_EMA_PREFIX));
        memcpy(name + strlen(RT_EMA_PREFIX), t[i].name, strlen(t[i].name) + 1);
        out->ema_names[out->n_ema++] = name;
        out->e[out->n++] = (rt_st_entry){ name, ema, t[i].ndim, t[i].shape };
    }
}

void rt_weights_list_free(rt_weights_list *l)
{
    for (size_t i = 0; i < l->n_ema; i++)
        free(l->ema_names[i]);
    free(l->ema_names);
    free(l->e);
    memset(l, 0, sizeof *l);
}

int rt_weights_save(const char *path, const rt_store *s, const rt_tensor_info *t, size_t n,
                    const rt_st_kv *meta, size_t n_meta, rt_err *err)
{
    rt_weights_list l;
    rt_weights_list_of(s, t, n, 0, &l);
    int rc = rt_st_write(path, l.e, l.n, meta, n_meta, err);
    rt_weights_list_free(&l);
    return rc;
}

int rt_weights_load(const rt_st *st, const rt_store *s, const rt_tensor_info *t, size_t n,
                    rt_err *err)
{
    for (int k = 0; k < s->n_nets; k++) {   /* the reads below fill every page */
        const rt_net *net = &s->nets[k];
        if (net->params)
            rt_prefault(net->params, net->param_count * sizeof(float));
        if (net->state)
            rt_prefault(net->state, net->state_count * sizeof(float));
        if (net->ema)
            rt_prefault(net->ema, net->param_count * sizeof(float));
    }
    rt_weights_list l;
    rt_weights_list_of(s, t, n, 0, &l);
    int rc = 0;
    for (size_t i = 0; i < l.n && rc == 0; i++)
        rc = rt_st_read_f32(st, l.e[i].name, (float *)l.e[i].data, l.e[i].ndim, l.e[i].shape,
                            err);
    rt_weights_list_free(&l);
    return rc;
}

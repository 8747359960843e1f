/* layers.c - the table of layer kinds, and helpers they share. */
#include "layer.h"

#include <math.h>
#include <string.h>

extern const gan_layer_kind gan_layer_dense, gan_layer_relu, gan_layer_leaky_relu,
    gan_layer_tanh, gan_layer_sigmoid, gan_layer_add, gan_layer_concat, gan_layer_conv2d,
    gan_layer_conv_transpose2d, gan_layer_batchnorm, gan_layer_reshape, gan_layer_flatten,
    gan_layer_upsample, gan_layer_avgpool, gan_layer_dropout;

static const gan_layer_kind *const kinds[] = {
    &gan_layer_dense, &gan_layer_conv2d, &gan_layer_conv_transpose2d, &gan_layer_batchnorm,
    &gan_layer_relu, &gan_layer_leaky_relu, &gan_layer_tanh, &gan_layer_sigmoid,
    &gan_layer_add, &gan_layer_concat, &gan_layer_reshape, &gan_layer_flatten,
    &gan_layer_upsample, &gan_layer_avgpool, &gan_layer_dropout,
};

#define N_KINDS (int)(sizeof kinds / sizeof kinds[0])

const gan_layer_kind *gan_layer_find(const char *name)
{
    for (int i = 0; i < N_KINDS; i++)
        if (!strcmp(kinds[i]->name, name))
            return kinds[i];
    return NULL;
}

const char *const *gan_layer_kind_names(void)
{
    static const char *names[N_KINDS + 1];
    for (int i = 0; i < N_KINDS; i++)
        names[i] = kinds[i]->name;
    return names;
}

int gan_lower_param(gan_lower *c, int t)
{
    if (c->param_node[t] < 0) {
        const gan_tensor *ts = &c->m->tensors[t];
        ir_shape s = { ts->ndim, { 1, 1, 1, 1 } };
        for (int i = 0; i < ts->ndim; i++)
            s.d[i] = ts->shape[i];
        /* label: "<layer>_<suffix>", e.g. h1_weight */
        const char *dot = strrchr(ts->name, '.');
        const gan_layer *l = &c->m->net[ts->net].layers[ts->layer];
        c->param_node[t] = ir_param(c->g, t, s, ir_strf(c->g, "%s_%s", l->name, dot + 1));
    }
    return c->param_node[t];
}

ir_shape gan_batch_shape(int batch, gan_shape s)
{
    ir_shape r = { s.rank + 1, { batch, 1, 1, 1 } };
    for (int i = 0; i < s.rank; i++)
        r.d[i + 1] = s.d[i];
    return r;
}

int gan_lower_state(gan_lower *c, int t)
{
    return c->state_value[t] >= 0 ? c->state_value[t] : gan_lower_param(c, t);
}

void gan_lower_set_state(gan_lower *c, int t, int v)
{
    c->state_value[t] = v;
}

void gan_parse_conv_keys(gan_layer *l, const gan_node *map, gan_diag *d)
{
    l->units = (int)gan_get_int(map, "filters", 0, 1, 1 << 16, 1, d);
    l->kernel = (int)gan_get_int(map, "kernel", 3, 1, 32, 1, d);
    l->stride = (int)gan_get_int(map, "stride", 1, 1, 32, 0, d);
    l->padding = (int)gan_get_int(map, "padding", 0, 0, 32, 0, d);
    l->bias = gan_get_bool(map, "bias", 1, d);
}

/* PyTorch's defaults and the usual alternatives, from fan-in and fan-out */
void gan_declare_weight(gan_model *m, gan_net *net, int li, int ndim, const int *w_shape,
                        int fan_in, int fan_out, int bias_len)
{
    const gan_layer *l = &net->layers[li];
    float bound = 1.0f / sqrtf((float)fan_in);
    int init = RT_INIT_UNIFORM;
    float a = -bound, b = bound;
    switch (l->init) {
    case GAN_INIT_NORMAL: init = RT_INIT_NORMAL; a = 0; b = l->init_std; break;
    case GAN_INIT_XAVIER: b = sqrtf(6.0f / (float)(fan_in + fan_out)); a = -b; break;
    case GAN_INIT_HE: init = RT_INIT_NORMAL; a = 0; b = sqrtf(2.0f / (float)fan_in); break;
    default: break;
    }
    gan_model_add_tensor(m, net, li, "weight", GAN_PARAM, ndim, w_shape, init, a, b);
    if (!l->bias)
        return;
    int bs[1] = { bias_len };
    if (l->init == GAN_INIT_DEFAULT)
        gan_model_add_tensor(m, net, li, "bias", GAN_PARAM, 1, bs, RT_INIT_UNIFORM, -bound, bound);
    else
        gan_model_add_tensor(m, net, li, "bias", GAN_PARAM, 1, bs, RT_INIT_ZERO, 0, 0);
}

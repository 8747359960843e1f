/* layer_util.c - what the layer kinds share (layer.h): their settings'
 * fields and key positions, the parameter and state nodes of a lowering,
 * weight declarations with PyTorch's initialisations, output sizes
 * checked as they are computed.  The kinds call it; it calls none of them
 * (the table of kinds, layers.c, is above both). */
#include "layer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void *gan_setting_field(const gan_layer *l, const gan_setting *s)
{
    return (char *)l->settings + s->at;
}

gan_pos gan_layer_key_pos(const gan_layer *l, const char *key)
{
    const gan_node *v = gan_map_get(l->node, key);
    return v ? v->pos : l->pos;
}

/* ---- helpers for lowering and declaring -------------------------------- */

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

int gan_set_out_dim(gan_layer *l, int k, long v, gan_diag *d)
{
    if (v > GAN_MAX_ELEMENTS) {
        gan_error(d, l->pos, "%s layer '%s': its output would have %ld values along axis %d; a "
                  "tensor may hold at most %ld (the generated code indexes it with int)",
                  l->kind->name, l->name, v, k, GAN_MAX_ELEMENTS);
        return -1;
    }
    l->out.d[k] = (int)v;
    return 0;
}

gan_shape gan_net_input_shape(const gan_net *net, int j)
{
    gan_shape s = net->inputs[j].shape;
    if (net->inputs[j].kind != GAN_INPUT_LABEL)
        s.d[0] *= net->pack;
    return s;
}

gan_shape gan_net_value_shape(const gan_net *net, int src)
{
    return src < 0 ? gan_net_input_shape(net, -1 - src) : net->layers[src].out;
}

gan_shape gan_layer_input_shape(const gan_net *net, int li, int k)
{
    return gan_net_value_shape(net, net->layers[li].inputs[k]);
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
    if (bias_len <= 0)
        return;
    int bs[1] = { bias_len };
    if (l->init == GAN_INIT_DEFAULT)
        gan_model_add_tensor(m, net, li, "bias", GAN_PARAM, 1, bs, RT_INIT_UNIFORM, -bound, bound);
    else
        gan_model_add_tensor(m, net, li, "bias", GAN_PARAM, 1, bs, RT_INIT_ZERO, 0, 0);
}

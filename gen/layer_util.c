/* layer_util.c - what the layer kinds share (layer.h): their settings'
 * fields and key positions, the parameter and state nodes of a lowering,
 * weight declarations with PyTorch's initialisations, output sizes
 * checked as they are computed.  The kinds call it; it calls none of them
 * (the table of kinds, layers.c, is above both). */
#include "layer.h"
#include "fatal.h"

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

/* ---- spectral normalization --------------------------------------------- */

void gan_declare_spectral_state(gan_model *m, gan_net *net, int li, int rows, int cols)
{
    /* PyTorch draws both from N(0, 1) and normalizes them; the power
     * iteration and the inference formula (gan_spectral_norm) do not
     * depend on their length */
    int u[1] = { rows }, v[1] = { cols };
    gan_model_add_tensor(m, net, li, "weight_u", GAN_STATE, 1, u, RT_INIT_NORMAL, 0, 1);
    gan_model_add_tensor(m, net, li, "weight_v", GAN_STATE, 1, v, RT_INIT_NORMAL, 0, 1);
}

/* x / max(||x||, 1e-12), PyTorch's F.normalize; x is labelled `name` */
static int normalized(ir_graph *g, int x, const char *name)
{
    ir_shape one = g->n[x].shape;
    for (int k = 0; k < one.rank; k++)
        one.d[k] = 1;
    x = ir_label(g, x, name);
    int sq = ir_label(g, ir_sum_to(g, ir_binary(g, IR_MUL, x, x, NULL), one),
                      ir_strf(g, "%s_sq_sum", name));
    int norm = ir_binary(g, IR_MAXIMUM, ir_unary(g, IR_SQRT, sq, 0, NULL),
                         ir_const(g, 1e-12f, one), ir_strf(g, "%s_norm", name));
    return ir_binary(g, IR_DIV, x, norm, NULL);
}

/* The weight as the matrix PyTorch's spectral_norm sees is rows `rows` of
 * W viewed as (outer, rows, rest): W3[a, o, r] is the matrix's element
 * (o, (a, r)).  Products with it are an elementwise product and a sum over
 * the other axes, so no op transposes W: W^T u sums over o, W v over a
 * and r. */
int gan_spectral_norm(gan_lower *c, const gan_layer *l, int w, int outer, int rows, int t_u)
{
    ir_graph *g = c->g;
    ir_shape ws = g->n[w].shape;
    int rest = (int)(ir_numel(ws) / ((long)outer * rows));
    ir_shape s3 = { 3, { outer, rows, rest, 1 } };
    ir_shape us = { 3, { 1, rows, 1, 1 } }, vs = { 3, { outer, 1, rest, 1 } };
    ir_shape one = { 3, { 1, 1, 1, 1 } };
    int w3 = ir_reshape(g, w, s3, NULL);
    int u = ir_reshape(g, gan_lower_state(c, t_u), us, NULL);
    int sigma;
    if (c->training) {
        /* one power iteration, no gradient through it (its vectors are
         * constants of the step); sigma = u·(W v) keeps W's */
        int w_stop = ir_unary(g, IR_STOP, w3, 0, NULL);
        int wtu = ir_sum_to(g, ir_binary(g, IR_MUL, w_stop, u, NULL), vs);
        int v = ir_unary(g, IR_STOP, normalized(g, wtu, ir_strf(g, "%s_sn_wtu", l->name)), 0,
                         ir_strf(g, "%s_sn_v", l->name));
        int wv = ir_sum_to(g, ir_binary(g, IR_MUL, w3, v, NULL), us);
        int u1 = ir_unary(g, IR_STOP, normalized(g, wv, ir_strf(g, "%s_sn_wv", l->name)), 0,
                          ir_strf(g, "%s_sn_u", l->name));
        sigma = ir_sum_to(g, ir_binary(g, IR_MUL, u1, wv, NULL), one);
        if (c->update_state) {
            gan_lower_set_state(c, t_u, ir_reshape(g, u1, ir_shape1(rows), NULL));
            gan_lower_set_state(c, t_u + 1, ir_reshape(g, v, ir_shape1(outer * rest), NULL));
        }
    } else {
        /* the saved vectors, not updated: sigma = u·(W v) / (|u| |v|),
         * PyTorch's eval-mode u·(W v) for the unit vectors it saves */
        int v = ir_reshape(g, gan_lower_state(c, t_u + 1), vs, NULL);
        int wv = ir_label(g, ir_sum_to(g, ir_binary(g, IR_MUL, w3, v, NULL), us),
                          ir_strf(g, "%s_sn_wv", l->name));
        int uwv = ir_label(g, ir_sum_to(g, ir_binary(g, IR_MUL, u, wv, NULL), one),
                           ir_strf(g, "%s_sn_uwv", l->name));
        int uu = ir_label(g, ir_sum_to(g, ir_binary(g, IR_MUL, u, u, NULL), one),
                          ir_strf(g, "%s_sn_uu", l->name));
        int vv = ir_label(g, ir_sum_to(g, ir_binary(g, IR_MUL, v, v, NULL), one),
                          ir_strf(g, "%s_sn_vv", l->name));
        sigma = ir_binary(g, IR_DIV, uwv, ir_unary(g, IR_SQRT, ir_binary(g, IR_MUL, uu, vv, NULL),
                                                   0, NULL), NULL);
    }
    ir_label(g, sigma, ir_strf(g, "%s_sigma", l->name));
    ir_shape ones = ws;
    for (int k = 0; k < ones.rank; k++)
        ones.d[k] = 1;
    return ir_binary(g, IR_DIV, w, ir_reshape(g, sigma, ones, NULL),
                     ir_strf(g, "%s_weight_sn", l->name));
}

int gan_concat_all(ir_graph *g, const int *xs, int n, int axis, const char *label)
{
    if (n == 1)
        return xs[0];
    if (n <= IR_MAX_IN)
        return ir_concat(g, xs, n, axis, label);
    /* consecutive groups of IR_MAX_IN joined first, then the groups: the
     * order along the axis is xs' order */
    int groups = (n + IR_MAX_IN - 1) / IR_MAX_IN;
    int *part = gan_xcalloc((size_t)groups, sizeof *part);
    for (int i = 0; i < groups; i++) {
        int first = i * IR_MAX_IN, len = n - first < IR_MAX_IN ? n - first : IR_MAX_IN;
        part[i] = gan_concat_all(g, xs + first, len, axis, NULL);
    }
    int y = gan_concat_all(g, part, groups, axis, label);
    free(part);
    return y;
}

int gan_infer_flat_units(gan_layer *l, const gan_shape *in, int units, gan_diag *d)
{
    if (in[0].rank != 1) {
        char s[64];
        gan_shape_str(in[0], s, sizeof s);
        gan_error(d, l->pos, "%s layer '%s' needs a flat input, found shape %s; "
                  "add a 'flatten' layer before it", l->kind->name, l->name, s);
        return -1;
    }
    l->out.rank = 1;
    l->out.d[0] = units;
    return 0;
}

/* dense.c - fully connected layer: y = x · Wᵀ + b.
 *
 * W is stored (units, in_features) like torch.nn.Linear, so weights move
 * between ganc and PyTorch without transposing.  Default initialisation is
 * PyTorch's: W and b uniform in ±1/sqrt(in_features).
 */
#include "../layer.h"

static const char *const keys[] = { "units", "bias", "init", "init_std", NULL };

static void parse(gan_layer *l, const gan_node *map, gan_diag *d)
{
    l->units = (int)gan_get_int(map, "units", 0, 1, 1 << 24, 1, d);
    l->bias = gan_get_bool(map, "bias", 1, d);
}

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    if (in[0].rank != 1) {
        char s[64];
        gan_shape_str(in[0], s, sizeof s);
        gan_error(d, l->pos, "dense layer '%s' needs a flat input, found shape %s; "
                  "add a 'flatten' layer before it", l->name, s);
        return -1;
    }
    l->out.rank = 1;
    l->out.d[0] = l->units;
    return 0;
}

static void declare(gan_model *m, gan_net *net, int li)
{
    gan_layer *l = &net->layers[li];
    int src = l->inputs[0];
    int fan_in = (src < 0 ? net->input : net->layers[src].out).d[0];
    int w_shape[2] = { l->units, fan_in };
    gan_declare_weight(m, net, li, 2, w_shape, fan_in, l->units, l->units);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    int w = gan_lower_param(c, l->first_tensor);
    int y = ir_matmul(c->g, in[0], w, 0, 1, l->bias ? ir_strf(c->g, "%s_mm", l->name) : l->name);
    if (l->bias)
        y = ir_binary(c->g, IR_ADD, y, gan_lower_param(c, l->first_tensor + 1), l->name);
    return y;
}

const gan_layer_kind gan_layer_dense = {
    "dense", "fully connected: y = x W^T + b (W is units x in, like torch.nn.Linear)",
    1, 1, keys, parse, infer, declare, lower,
};

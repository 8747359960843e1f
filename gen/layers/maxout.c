/* maxout.c - a maxout layer (Goodfellow et al. 2013), as in PacGAN's
 * discriminators: a dense layer to units·pieces features, then the largest
 * of each group of `pieces` consecutive features:
 *     y[j] = max_k (x Wᵀ + b)[j·pieces + k],  k < pieces.
 *
 * W is (units·pieces, in_features) like the torch.nn.Linear it follows,
 * initialised like dense (uniform in ±1/sqrt(in_features) by default); the
 * grouping is pylearn2's and the usual PyTorch one,
 * linear(x).view(B, units, pieces).max(-1).  The maximum is one IR op
 * (ARGMAX_PICK), whose gradient goes to the largest element of each group
 * (the first when equal).  Vectors only: a maxout over channels of an image
 * is left out.
 */
#include "../layer.h"

typedef struct {
    int units, pieces, bias;
} maxout_settings;

static const gan_setting settings[] = {
    { .key = "units", .type = GAN_SET_INT, .at = offsetof(maxout_settings, units),
      .required = 1, .lo = 1, .hi = 1 << 24, .doc = "output features" },
    { .key = "pieces", .type = GAN_SET_INT, .at = offsetof(maxout_settings, pieces),
      .required = 1, .lo = 2, .hi = 256,
      .doc = "linear pieces per output feature, whose largest it takes" },
    { .key = "bias", .type = GAN_SET_BOOL, .at = offsetof(maxout_settings, bias), .def = 1,
      .doc = "add a learned bias b to each piece" },
    { 0 },
};

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    return gan_infer_flat_units(l, in, ((const maxout_settings *)l->settings)->units, d);
}

static void declare(gan_model *m, gan_net *net, int li)
{
    const maxout_settings *s = net->layers[li].settings;
    int fan_in = gan_layer_input_shape(net, li, 0).d[0], rows = s->units * s->pieces;
    int w_shape[2] = { rows, fan_in };
    gan_declare_weight(m, net, li, 2, w_shape, fan_in, rows, s->bias ? rows : 0);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const maxout_settings *s = l->settings;
    ir_graph *g = c->g;
    int w = gan_lower_param(c, l->first_tensor);
    int y = ir_matmul(g, in[0], w, 0, 1, ir_strf(g, s->bias ? "%s_mm" : "%s_pieces", l->name));
    if (s->bias)
        y = ir_binary(g, IR_ADD, y, gan_lower_param(c, l->first_tensor + 1),
                      ir_strf(g, "%s_pieces", l->name));
    return ir_argmax_pick(g, y, y, s->pieces, l->name);
}

const gan_layer_kind gan_layer_maxout = {
    .name = "maxout",
    .summary = "the largest of each group of `pieces` consecutive features of x Wᵀ + b; W is "
               "(units·pieces, in_features) like `torch.nn.Linear`; needs a flat input",
    .output = "(units)",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(maxout_settings), .has_weights = 1,
    .infer = infer, .declare = declare, .lower = lower,
};

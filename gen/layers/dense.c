/* dense.c - fully connected layer: y = x · Wᵀ + b.
 *
 * W is stored (units, in_features) like torch.nn.Linear, so weights move
 * between ganc and PyTorch without transposing.  Default initialisation is
 * PyTorch's: W and b uniform in ±1/sqrt(in_features).  spectral_norm
 * divides W by its largest singular value (layer.h: gan_spectral_norm).
 */
#include "../layer.h"

typedef struct {
    int units;
    int bias;
    int spectral_norm;
} dense_settings;

static const gan_setting settings[] = {
    { .key = "units", .type = GAN_SET_INT, .at = offsetof(dense_settings, units),
      .required = 1, .lo = 1, .hi = 1 << 24, .doc = "output features" },
    { .key = "bias", .type = GAN_SET_BOOL, .at = offsetof(dense_settings, bias), .def = 1,
      .doc = "add a learned bias b" },
    GAN_SPECTRAL_NORM_SETTING(dense_settings),
    { 0 },
};

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    return gan_infer_flat_units(l, in, ((const dense_settings *)l->settings)->units, d);
}

static void declare(gan_model *m, gan_net *net, int li)
{
    const dense_settings *s = net->layers[li].settings;
    int fan_in = gan_layer_input_shape(net, li, 0).d[0];
    int w_shape[2] = { s->units, fan_in };
    gan_declare_weight(m, net, li, 2, w_shape, fan_in, s->units, s->bias ? s->units : 0);
    if (s->spectral_norm)
        gan_declare_spectral_state(m, net, li, s->units, fan_in);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const dense_settings *s = l->settings;
    int w = gan_lower_param(c, l->first_tensor);
    if (s->spectral_norm)
        w = gan_spectral_norm(c, l, w, 1, s->units, l->first_tensor + 1 + s->bias);
    int y = ir_matmul(c->g, in[0], w, 0, 1, s->bias ? ir_strf(c->g, "%s_mm", l->name) : l->name);
    if (s->bias)
        y = ir_binary(c->g, IR_ADD, y, gan_lower_param(c, l->first_tensor + 1), l->name);
    return y;
}

const gan_layer_kind gan_layer_dense = {
    .name = "dense",
    .summary = "y = x Wᵀ + b; W is (units, in_features) like `torch.nn.Linear`; needs a flat "
               "input",
    .output = "(units)",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(dense_settings), .has_weights = 1,
    .infer = infer, .declare = declare, .lower = lower,
};

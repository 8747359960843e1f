/* activation.c - the pointwise activations: relu, leaky_relu, tanh, sigmoid.
 *
 * They share one idea (one primitive op, shape unchanged), so they share one
 * file.  Their derivatives live in autodiff.c and use the output only, which
 * lets the emitter fuse them into the loop that produces their input.
 */
#include "../layer.h"

typedef struct {
    float alpha;
} leaky_settings;

static const gan_setting leaky_keys[] = {
    /* PyTorch's default slope is 0.01; DCGAN uses 0.2 */
    { .key = "alpha", .type = GAN_SET_NUM, .at = offsetof(leaky_settings, alpha), .def = 0.01,
      .lo = 1e-6, .hi = 1.0, .doc = "the slope for x < 0 (PyTorch's default; DCGAN uses 0.2)" },
    { 0 },
};

static int same_shape(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in, (void)d;
    l->out = in[0];
    return 0;
}

static int lower_op(gan_lower *c, const gan_layer *l, int x, ir_op op, float k)
{
    return ir_unary(c->g, op, x, k, l->name);
}

static int lower_relu(gan_lower *c, const gan_layer *l, const int *in, int n)
{
    (void)n;
    return lower_op(c, l, in[0], IR_RELU, 0);
}

static int lower_leaky(gan_lower *c, const gan_layer *l, const int *in, int n)
{
    (void)n;
    const leaky_settings *s = l->settings;
    return lower_op(c, l, in[0], IR_LEAKY_RELU, s->alpha);
}

static int lower_tanh(gan_lower *c, const gan_layer *l, const int *in, int n)
{
    (void)n;
    return lower_op(c, l, in[0], IR_TANH, 0);
}

static int lower_sigmoid(gan_lower *c, const gan_layer *l, const int *in, int n)
{
    (void)n;
    return lower_op(c, l, in[0], IR_SIGMOID, 0);
}

const gan_layer_kind gan_layer_relu = {
    .name = "relu", .summary = "max(x, 0)", .output = "same as input",
    .min_inputs = 1, .max_inputs = 1, .infer = same_shape, .lower = lower_relu,
};
const gan_layer_kind gan_layer_leaky_relu = {
    .name = "leaky_relu", .summary = "x if x > 0 else alpha·x", .output = "same as input",
    .min_inputs = 1, .max_inputs = 1,
    .settings = leaky_keys, .settings_size = sizeof(leaky_settings),
    .infer = same_shape, .lower = lower_leaky,
};
const gan_layer_kind gan_layer_tanh = {
    .name = "tanh", .summary = "tanh(x)", .output = "same as input",
    .min_inputs = 1, .max_inputs = 1, .infer = same_shape, .lower = lower_tanh,
};
const gan_layer_kind gan_layer_sigmoid = {
    .name = "sigmoid", .summary = "1 / (1 + exp(−x))", .output = "same as input",
    .min_inputs = 1, .max_inputs = 1, .infer = same_shape, .lower = lower_sigmoid,
};

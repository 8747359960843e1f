/* activation.c - the pointwise activations: relu, leaky_relu, tanh, sigmoid.
 *
 * They share one idea (one primitive op, shape unchanged), so they share one
 * file.  Their derivatives live in autodiff.c and use the output only, which
 * lets the emitter fuse them into the loop that produces their input.
 */
#include "../layer.h"

static const char *const no_keys[] = { NULL };
static const char *const leaky_keys[] = { "alpha", NULL };

static void parse_none(gan_layer *l, const gan_node *map, gan_diag *d)
{
    (void)l, (void)map, (void)d;
}

static void parse_leaky(gan_layer *l, const gan_node *map, gan_diag *d)
{
    /* PyTorch's default slope is 0.01; DCGAN uses 0.2 */
    l->alpha = (float)gan_get_num(map, "alpha", 0.01, 1e-6, 1.0, 0, d);
}

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
    return lower_op(c, l, in[0], IR_LEAKY_RELU, l->alpha);
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
    "relu", "max(x, 0)", 1, 1, no_keys, parse_none, same_shape, NULL, lower_relu,
};
const gan_layer_kind gan_layer_leaky_relu = {
    "leaky_relu", "x if x > 0 else alpha*x (alpha default 0.01)",
    1, 1, leaky_keys, parse_leaky, same_shape, NULL, lower_leaky,
};
const gan_layer_kind gan_layer_tanh = {
    "tanh", "tanh(x)", 1, 1, no_keys, parse_none, same_shape, NULL, lower_tanh,
};
const gan_layer_kind gan_layer_sigmoid = {
    "sigmoid", "1 / (1 + exp(-x))", 1, 1, no_keys, parse_none, same_shape, NULL, lower_sigmoid,
};

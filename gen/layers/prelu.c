/* prelu.c - the parametric ReLU (He et al. 2015, "Delving Deep into
 * Rectifiers"; SRGAN's generator), like torch.nn.PReLU:
 *
 *     y = x if x > 0 else a·x
 *
 * with the slope a learned: one per channel of an image or feature of a
 * vector (per_channel, PyTorch's num_parameters=C), or one for the whole
 * layer (num_parameters=1).  `weight` holds a, as PyTorch names it, a
 * parameter of the network: saved with the weights and trained by the
 * network's optimizer; it starts at `init` (PyTorch's 0.25), whatever the
 * network's `init` says, as PyTorch's DCGAN-style weights_init leaves a
 * PReLU alone.
 *
 * Written with primitive ops, y = relu(x) + a·(x − relu(x)), so autodiff
 * derives both gradients (x: 1 or a; a: min(x, 0) summed over what shares
 * it) and the double backward a gradient penalty takes through it.  At
 * x = 0 the slope's side is taken, as PyTorch's backward does.
 */
#include "../layer.h"

typedef struct {
    int per_channel;
    float init;
} prelu_settings;

static const gan_setting settings[] = {
    { .key = "per_channel", .type = GAN_SET_BOOL, .at = offsetof(prelu_settings, per_channel),
      .def = 1, .doc = "one slope per channel (image) or feature (vector); false: one for the "
                       "whole layer" },
    /* PyTorch's name for it (nn.PReLU(init=0.25)); a number here, where the
     * kinds with weights take a scheme's name: prelu takes no 'init_std' */
    { .key = "init", .type = GAN_SET_NUM, .at = offsetof(prelu_settings, init), .def = 0.25,
      .lo = -10, .hi = 10, .use = GAN_TRAINING,
      .doc = "the value every slope starts from (PyTorch's; the network's `init` does not apply)" },
    { 0 },
};

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in, (void)d;
    l->out = in[0];
    return 0;
}

static int slopes(const gan_layer *l)
{
    return ((const prelu_settings *)l->settings)->per_channel ? l->out.d[0] : 1;
}

static void declare(gan_model *m, gan_net *net, int li)
{
    const gan_layer *l = &net->layers[li];
    const prelu_settings *s = l->settings;
    int n[1] = { slopes(l) };
    gan_model_add_tensor(m, net, li, "weight", GAN_PARAM, 1, n, RT_INIT_UNIFORM, s->init,
                         s->init);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    ir_graph *g = c->g;
    int n = slopes(l);
    /* per channel of an image: broadcast over height and width */
    ir_shape as = l->out.rank == 3 && n > 1 ? (ir_shape){ 3, { n, 1, 1, 1 } } : ir_shape1(n);
    int a = ir_reshape(g, gan_lower_param(c, l->first_tensor), as, NULL);
    int pos = ir_unary(g, IR_RELU, in[0], 0, ir_strf(g, "%s_pos", l->name));
    int neg = ir_binary(g, IR_SUB, in[0], pos, ir_strf(g, "%s_neg", l->name));
    return ir_binary(g, IR_ADD, pos, ir_binary(g, IR_MUL, neg, a, ir_strf(g, "%s_slope", l->name)),
                     l->name);
}

const gan_layer_kind gan_layer_prelu = {
    .name = "prelu",
    .summary = "x if x > 0 else a·x with learned slopes a, like `torch.nn.PReLU`; `weight` "
               "holds a slope per channel (or feature), or one",
    .output = "same as input",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(prelu_settings),
    .infer = infer, .declare = declare, .lower = lower,
};

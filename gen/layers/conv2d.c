/* conv2d.c - 2D convolution (cross-correlation, like torch.nn.Conv2d).
 *
 * weight (filters, in_channels, kernel, kernel), bias (filters); output size
 * (H + 2 padding - kernel) / stride + 1.  Lowers to IR_CONV2D plus a
 * broadcast bias add, which the emitter fuses into the convolution's loop.
 * spectral_norm normalizes the weight as the matrix (filters, in_channels·k·k),
 * as PyTorch does.
 */
#include "../layer.h"

typedef struct {
    int filters, kernel, stride, padding, bias, spectral_norm;
} conv2d_settings;

static const gan_setting settings[] = {
    GAN_CONV_SETTINGS(conv2d_settings, "zeros added on each side of the input"),
    { 0 },
};

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    const conv2d_settings *s = l->settings;
    char str[64];
    gan_shape_str(in[0], str, sizeof str);
    if (in[0].rank != 3) {
        gan_error(d, l->pos, "conv2d layer '%s' needs an image input (channels, height, "
                  "width), found shape %s; add a 'reshape' layer before it", l->name, str);
        return -1;
    }
    long h = (long)in[0].d[1] + 2 * s->padding - s->kernel;
    long w = (long)in[0].d[2] + 2 * s->padding - s->kernel;
    if (h < 0 || w < 0) {
        gan_error(d, l->pos, "conv2d layer '%s': kernel %d with padding %d does not fit an "
                  "input of shape %s", l->name, s->kernel, s->padding, str);
        return -1;
    }
    l->out.rank = 3;
    l->out.d[0] = s->filters;
    if (gan_set_out_dim(l, 1, h / s->stride + 1, d) || gan_set_out_dim(l, 2, w / s->stride + 1, d))
        return -1;
    return 0;
}

static void declare(gan_model *m, gan_net *net, int li)
{
    const conv2d_settings *s = net->layers[li].settings;
    int c = gan_layer_input_shape(net, li, 0).d[0], k = s->kernel, f = s->filters;
    int w_shape[4] = { f, c, k, k };
    gan_declare_weight(m, net, li, 4, w_shape, c * k * k, f * k * k, s->bias ? f : 0);
    if (s->spectral_norm)
        gan_declare_spectral_state(m, net, li, f, c * k * k);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const conv2d_settings *s = l->settings;
    int w = gan_lower_param(c, l->first_tensor);
    if (s->spectral_norm)
        w = gan_spectral_norm(c, l, w, 1, s->filters, l->first_tensor + 1 + s->bias);
    int y = ir_conv2d(c->g, in[0], w, s->stride, s->padding,
                      s->bias ? ir_strf(c->g, "%s_conv", l->name) : l->name);
    if (!s->bias)
        return y;
    int b = ir_reshape(c->g, gan_lower_param(c, l->first_tensor + 1),
                       (ir_shape){ 3, { s->filters, 1, 1, 1 } }, NULL);
    return ir_binary(c->g, IR_ADD, y, b, l->name);
}

const gan_layer_kind gan_layer_conv2d = {
    .name = "conv2d",
    .summary = "cross-correlation like `torch.nn.Conv2d`; weight (filters, in_channels, k, k)",
    .output = "(filters, (H+2p−k)/s+1, (W+2p−k)/s+1)",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(conv2d_settings), .has_weights = 1,
    .infer = infer, .declare = declare, .lower = lower,
};

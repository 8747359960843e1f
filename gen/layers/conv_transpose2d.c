/* conv_transpose2d.c - transposed 2D convolution, like torch.nn.ConvTranspose2d.
 *
 * weight (in_channels, filters, kernel, kernel) - PyTorch's layout, in before
 * out - and bias (filters).  Output size (H - 1) stride - 2 padding + kernel
 * + output_padding: padding crops the output.  It is the input gradient of a
 * conv2d, which is how it lowers (IR_CONV2D_T).  spectral_norm normalizes
 * the weight as PyTorch does for this module (its dim 1: the matrix's rows
 * are the filters).
 */
#include "../layer.h"

typedef struct {
    int filters, kernel, stride, padding, bias, spectral_norm;
    int output_padding;
} conv_t_settings;

static const gan_setting settings[] = {
    GAN_CONV_SETTINGS(conv_t_settings, "rows and columns cropped from each side of the output"),
    { .key = "output_padding", .type = GAN_SET_INT, .at = offsetof(conv_t_settings,
      output_padding), .def = 0, .lo = 0, .hi = 31,
      .doc = "rows and columns added to one side of the output (smaller than stride)" },
    { 0 },
};

static void validate(gan_layer *l, gan_diag *d)
{
    const conv_t_settings *s = l->settings;
    if (s->output_padding >= s->stride)
        gan_error(d, gan_layer_key_pos(l, "output_padding"), "'output_padding' must be smaller "
                  "than 'stride' (%d), found %d", s->stride, s->output_padding);
}

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    const conv_t_settings *s = l->settings;
    char str[64];
    gan_shape_str(in[0], str, sizeof str);
    if (in[0].rank != 3) {
        gan_error(d, l->pos, "conv_transpose2d layer '%s' needs an image input (channels, "
                  "height, width), found shape %s; add a 'reshape' layer before it", l->name, str);
        return -1;
    }
    long h = (long)(in[0].d[1] - 1) * s->stride - 2 * s->padding + s->kernel + s->output_padding;
    long w = (long)(in[0].d[2] - 1) * s->stride - 2 * s->padding + s->kernel + s->output_padding;
    if (h < 1 || w < 1) {
        gan_error(d, l->pos, "conv_transpose2d layer '%s': padding %d crops an input of shape "
                  "%s to nothing", l->name, s->padding, str);
        return -1;
    }
    l->out.rank = 3;
    l->out.d[0] = s->filters;
    if (gan_set_out_dim(l, 1, h, d) || gan_set_out_dim(l, 2, w, d))
        return -1;
    return 0;
}

static void declare(gan_model *m, gan_net *net, int li)
{
    const conv_t_settings *s = net->layers[li].settings;
    int c = gan_layer_input_shape(net, li, 0).d[0], k = s->kernel, f = s->filters;
    int w_shape[4] = { c, f, k, k };
    /* PyTorch computes the fan-in of this weight from its dimension 1 */
    gan_declare_weight(m, net, li, 4, w_shape, f * k * k, c * k * k, s->bias ? f : 0);
    if (s->spectral_norm)
        gan_declare_spectral_state(m, net, li, f, c * k * k);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const conv_t_settings *s = l->settings;
    int w = gan_lower_param(c, l->first_tensor);
    if (s->spectral_norm)
        w = gan_spectral_norm(c, l, w, c->g->n[w].shape.d[0], s->filters,
                              l->first_tensor + 1 + s->bias);
    int y = ir_conv2d_t(c->g, in[0], w, s->stride, s->padding, l->out.d[1], l->out.d[2],
                        s->bias ? ir_strf(c->g, "%s_conv", l->name) : l->name);
    if (!s->bias)
        return y;
    int b = ir_reshape(c->g, gan_lower_param(c, l->first_tensor + 1),
                       (ir_shape){ 3, { s->filters, 1, 1, 1 } }, NULL);
    return ir_binary(c->g, IR_ADD, y, b, l->name);
}

const gan_layer_kind gan_layer_conv_transpose2d = {
    .name = "conv_transpose2d",
    .summary = "like `torch.nn.ConvTranspose2d`: padding crops the output; weight (in_channels, "
               "filters, k, k), PyTorch's layout",
    .output = "(filters, (H−1)s−2p+k+output_padding, …)",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(conv_t_settings), .has_weights = 1,
    .validate = validate, .infer = infer, .declare = declare, .lower = lower,
};

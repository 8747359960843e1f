/* conv2d.c - 2D convolution (cross-correlation, like torch.nn.Conv2d).
 *
 * weight (filters, in_channels, kernel, kernel), bias (filters); output size
 * (H + 2 padding - kernel) / stride + 1.  Lowers to IR_CONV2D plus a
 * broadcast bias add, which the emitter fuses into the convolution's loop.
 * spectral_norm normalizes the weight as the matrix (filters, in_channels·k·k),
 * as PyTorch does.
 *
 * padding_mode: reflect pads with the input's own rows and columns mirrored
 * about its edge, without repeating it (PyTorch's padding_mode='reflect',
 * F.pad(x, mode='reflect'); the CycleGAN and Pix2Pix generators' padding):
 * rows p … 1 above row 0, rows H−2 … H−1−p below row H−1, then the same
 * for columns.  It is lowered before the convolution, which then pads
 * nothing: each mirrored row a slice of one row, joined to the input by a
 * concat; the p rows of each side are sliced from the input once and the
 * single rows from them, so that the gradient (pads of slices, autodiff's)
 * adds two input-sized terms per axis, not 2p.  A mirror needs p < H and
 * p < W, as PyTorch requires.  Left out: 'replicate' and 'circular'.
 */
#include "../layer.h"
#include "../fatal.h"

#include <stdlib.h>

typedef struct {
    int filters, kernel, stride, padding, bias, spectral_norm, padding_mode;
} conv2d_settings;

enum { PAD_ZEROS, PAD_REFLECT };
static const char *const padding_modes[] = { "zeros", "reflect", NULL };

static const gan_setting settings[] = {
    GAN_CONV_SETTINGS(conv2d_settings, "rows and columns added on each side of the input"),
    /* added after conv2d models were trained: its default is hashed as
     * the key's absence was */
    { .key = "padding_mode", .type = GAN_SET_ENUM, .at = offsetof(conv2d_settings, padding_mode),
      .def = PAD_ZEROS, .choices = padding_modes, .use = GAN_ARCH_IF_SET,
      .doc = "what the padding holds: `zeros`, or `reflect`: the input mirrored about its edge "
             "(PyTorch's padding_mode; padding below the input's height and width)" },
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
    if (s->padding_mode == PAD_REFLECT && (s->padding >= in[0].d[1] || s->padding >= in[0].d[2])) {
        gan_error(d, gan_layer_key_pos(l, "padding_mode"), "conv2d layer '%s': reflect padding %d "
                  "needs an input of more than %d rows and columns, found shape %s", l->name,
                  s->padding, s->padding, str);
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

/* x (B, C, H, W) with p rows (axis 2) or columns (axis 3) mirrored onto
 * each side, p < the axis' length; the values named after layer `name` */
static int reflect(ir_graph *g, int x, int axis, int p, const char *name)
{
    const char *hw = axis == 2 ? "h" : "w";
    const char *edge = ir_strf(g, "%s_edge_%s", name, hw);
    const char *row = ir_strf(g, "%s_mirror_%s", name, hw);
    int n = g->n[x].shape.d[axis];
    int *parts = gan_xcalloc((size_t)(2 * p + 1), sizeof *parts), k = 0;
    int before = ir_label(g, ir_slice(g, x, axis, 1, p), edge);
    int after = ir_label(g, ir_slice(g, x, axis, n - 1 - p, p), edge);
    for (int i = p - 1; i >= 0; i--)        /* rows p … 1 */
        parts[k++] = ir_label(g, ir_slice(g, before, axis, i, 1), row);
    parts[k++] = x;
    for (int i = p - 1; i >= 0; i--)        /* rows n−2 … n−1−p */
        parts[k++] = ir_label(g, ir_slice(g, after, axis, i, 1), row);
    int y = gan_concat_all(g, parts, k, axis, ir_strf(g, "%s_reflect_%s", name, hw));
    free(parts);
    return y;
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const conv2d_settings *s = l->settings;
    int w = gan_lower_param(c, l->first_tensor);
    if (s->spectral_norm)
        w = gan_spectral_norm(c, l, w, 1, s->filters, l->first_tensor + 1 + s->bias);
    int x = in[0], pad = s->padding;
    if (s->padding_mode == PAD_REFLECT && pad > 0) {
        x = reflect(c->g, reflect(c->g, x, 2, pad, l->name), 3, pad, l->name);
        pad = 0;
    }
    int y = ir_conv2d(c->g, x, w, s->stride, pad,
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

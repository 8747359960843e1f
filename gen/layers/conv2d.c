/* conv2d.c - 2D convolution (cross-correlation, like torch.nn.Conv2d).
 *
 * weight (filters, in_channels, kernel, kernel), bias (filters); output size
 * (H + 2 padding - kernel) / stride + 1.  Lowers to IR_CONV2D plus a
 * broadcast bias add, which the emitter fuses into the convolution's loop.
 */
#include "../layer.h"

static const char *const keys[] = { "filters", "kernel", "stride", "padding", "bias", "init",
                                    "init_std", NULL };

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    char s[64];
    gan_shape_str(in[0], s, sizeof s);
    if (in[0].rank != 3) {
        gan_error(d, l->pos, "conv2d layer '%s' needs an image input (channels, height, "
                  "width), found shape %s; add a 'reshape' layer before it", l->name, s);
        return -1;
    }
    int h = in[0].d[1] + 2 * l->padding - l->kernel, w = in[0].d[2] + 2 * l->padding - l->kernel;
    if (h < 0 || w < 0) {
        gan_error(d, l->pos, "conv2d layer '%s': kernel %d with padding %d does not fit an "
                  "input of shape %s", l->name, l->kernel, l->padding, s);
        return -1;
    }
    l->out.rank = 3;
    l->out.d[0] = l->units;
    l->out.d[1] = h / l->stride + 1;
    l->out.d[2] = w / l->stride + 1;
    return 0;
}

static void declare(gan_model *m, gan_net *net, int li)
{
    gan_layer *l = &net->layers[li];
    int src = l->inputs[0];
    int c = (src < 0 ? net->input : net->layers[src].out).d[0], k = l->kernel;
    int w_shape[4] = { l->units, c, k, k };
    gan_declare_weight(m, net, li, 4, w_shape, c * k * k, l->units * k * k, l->units);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    int w = gan_lower_param(c, l->first_tensor);
    int y = ir_conv2d(c->g, in[0], w, l->stride, l->padding,
                      l->bias ? ir_strf(c->g, "%s_conv", l->name) : l->name);
    if (!l->bias)
        return y;
    int b = ir_reshape(c->g, gan_lower_param(c, l->first_tensor + 1),
                       (ir_shape){ 3, { l->units, 1, 1, 1 } }, NULL);
    return ir_binary(c->g, IR_ADD, y, b, l->name);
}

const gan_layer_kind gan_layer_conv2d = {
    "conv2d", "2D convolution: filters, kernel, stride (1), padding (0), bias (true)",
    1, 1, keys, gan_parse_conv_keys, infer, declare, lower,
};

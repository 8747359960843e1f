/* conv_transpose2d.c - transposed 2D convolution, like torch.nn.ConvTranspose2d.
 *
 * weight (in_channels, filters, kernel, kernel) - PyTorch's layout, in before
 * out - and bias (filters).  Output size (H - 1) stride - 2 padding + kernel
 * + output_padding: padding crops the output.  It is the input gradient of a
 * conv2d, which is how it lowers (IR_CONV2D_T).
 */
#include "../layer.h"

static const char *const keys[] = { "filters", "kernel", "stride", "padding", "output_padding",
                                    "bias", "init", "init_std", NULL };

static void parse(gan_layer *l, const gan_node *map, gan_diag *d)
{
    gan_parse_conv_keys(l, map, d);
    l->output_padding = (int)gan_get_int(map, "output_padding", 0, 0, 31, 0, d);
    if (l->output_padding >= l->stride && gan_map_get(map, "output_padding"))
        gan_error(d, gan_map_get(map, "output_padding")->pos, "'output_padding' must be smaller "
                  "than 'stride' (%d), found %d", l->stride, l->output_padding);
}

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    char s[64];
    gan_shape_str(in[0], s, sizeof s);
    if (in[0].rank != 3) {
        gan_error(d, l->pos, "conv_transpose2d layer '%s' needs an image input (channels, "
                  "height, width), found shape %s; add a 'reshape' layer before it", l->name, s);
        return -1;
    }
    int h = (in[0].d[1] - 1) * l->stride - 2 * l->padding + l->kernel + l->output_padding;
    int w = (in[0].d[2] - 1) * l->stride - 2 * l->padding + l->kernel + l->output_padding;
    if (h < 1 || w < 1) {
        gan_error(d, l->pos, "conv_transpose2d layer '%s': padding %d crops an input of shape "
                  "%s to nothing", l->name, l->padding, s);
        return -1;
    }
    l->out.rank = 3;
    l->out.d[0] = l->units;
    l->out.d[1] = h;
    l->out.d[2] = w;
    return 0;
}

static void declare(gan_model *m, gan_net *net, int li)
{
    gan_layer *l = &net->layers[li];
    int src = l->inputs[0];
    int c = (src < 0 ? net->input : net->layers[src].out).d[0], k = l->kernel;
    int w_shape[4] = { c, l->units, k, k };
    /* PyTorch computes the fan-in of this weight from its dimension 1 */
    gan_declare_weight(m, net, li, 4, w_shape, l->units * k * k, c * k * k, l->units);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    int w = gan_lower_param(c, l->first_tensor);
    int y = ir_conv2d_t(c->g, in[0], w, l->stride, l->padding, l->out.d[1], l->out.d[2],
                        l->bias ? ir_strf(c->g, "%s_conv", l->name) : l->name);
    if (!l->bias)
        return y;
    int b = ir_reshape(c->g, gan_lower_param(c, l->first_tensor + 1),
                       (ir_shape){ 3, { l->units, 1, 1, 1 } }, NULL);
    return ir_binary(c->g, IR_ADD, y, b, l->name);
}

const gan_layer_kind gan_layer_conv_transpose2d = {
    "conv_transpose2d", "transposed 2D convolution: filters, kernel, stride (1), padding (0), "
    "output_padding (0), bias (true)",
    1, 1, keys, parse, infer, declare, lower,
};

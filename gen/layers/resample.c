/* resample.c - changing an image's resolution by a whole factor: nearest
 * upsampling and average pooling (non-overlapping windows), like
 * torch.nn.Upsample(mode="nearest") and torch.nn.AvgPool2d(k). */
#include "../layer.h"

static const char *const up_keys[] = { "factor", NULL };
static const char *const pool_keys[] = { "kernel", NULL };

static void parse_up(gan_layer *l, const gan_node *map, gan_diag *d)
{
    l->stride = (int)gan_get_int(map, "factor", 2, 1, 16, 0, d);
}

static void parse_pool(gan_layer *l, const gan_node *map, gan_diag *d)
{
    l->stride = (int)gan_get_int(map, "kernel", 2, 1, 16, 0, d);
}

static int need_image(gan_layer *l, const gan_shape *in, gan_diag *d)
{
    if (in[0].rank == 3)
        return 0;
    char s[64];
    gan_shape_str(in[0], s, sizeof s);
    gan_error(d, l->pos, "%s layer '%s' needs an image input (channels, height, width), found "
              "shape %s", l->kind->name, l->name, s);
    return -1;
}

static int infer_up(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    if (need_image(l, in, d))
        return -1;
    l->out = in[0];
    l->out.d[1] *= l->stride;
    l->out.d[2] *= l->stride;
    return 0;
}

static int infer_pool(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    if (need_image(l, in, d))
        return -1;
    if (in[0].d[1] % l->stride || in[0].d[2] % l->stride) {
        gan_error(d, l->pos, "avgpool layer '%s': kernel %d does not divide the input's %dx%d",
                  l->name, l->stride, in[0].d[1], in[0].d[2]);
        return -1;
    }
    l->out = in[0];
    l->out.d[1] /= l->stride;
    l->out.d[2] /= l->stride;
    return 0;
}

static int lower_up(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    return ir_upsample(c->g, in[0], l->stride, l->name);
}

static int lower_pool(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    int s = ir_sumpool(c->g, in[0], l->stride, ir_strf(c->g, "%s_sum", l->name));
    return ir_unary(c->g, IR_SCALE, s, 1.0f / (float)(l->stride * l->stride), l->name);
}

const gan_layer_kind gan_layer_upsample = {
    "upsample", "nearest-neighbour upsampling by an integer factor (2)",
    1, 1, up_keys, parse_up, infer_up, NULL, lower_up,
};
const gan_layer_kind gan_layer_avgpool = {
    "avgpool", "average of kernel x kernel windows, stride = kernel (2)",
    1, 1, pool_keys, parse_pool, infer_pool, NULL, lower_pool,
};

/* resample.c - changing an image's resolution by a whole factor: nearest
 * upsampling and average pooling (non-overlapping windows), like
 * torch.nn.Upsample(mode="nearest") and torch.nn.AvgPool2d(k). */
#include "../layer.h"

typedef struct {
    int factor;
} upsample_settings;

typedef struct {
    int kernel;
} avgpool_settings;

static const gan_setting up_keys[] = {
    { .key = "factor", .type = GAN_SET_INT, .at = offsetof(upsample_settings, factor),
      .def = 2, .lo = 1, .hi = 16, .doc = "each pixel becomes factor x factor pixels" },
    { 0 },
};

static const gan_setting pool_keys[] = {
    { .key = "kernel", .type = GAN_SET_INT, .at = offsetof(avgpool_settings, kernel),
      .def = 2, .lo = 1, .hi = 16, .doc = "window size and stride; must divide H and W" },
    { 0 },
};

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
    const upsample_settings *s = l->settings;
    if (need_image(l, in, d))
        return -1;
    l->out = in[0];
    if (gan_set_out_dim(l, 1, (long)in[0].d[1] * s->factor, d) ||
        gan_set_out_dim(l, 2, (long)in[0].d[2] * s->factor, d))
        return -1;
    return 0;
}

static int infer_pool(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    const avgpool_settings *s = l->settings;
    if (need_image(l, in, d))
        return -1;
    if (in[0].d[1] % s->kernel || in[0].d[2] % s->kernel) {
        gan_error(d, l->pos, "avgpool layer '%s': kernel %d does not divide the input's %dx%d",
                  l->name, s->kernel, in[0].d[1], in[0].d[2]);
        return -1;
    }
    l->out = in[0];
    l->out.d[1] /= s->kernel;
    l->out.d[2] /= s->kernel;
    return 0;
}

static int lower_up(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const upsample_settings *s = l->settings;
    return ir_upsample(c->g, in[0], s->factor, l->name);
}

static int lower_pool(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const avgpool_settings *s = l->settings;
    int sum = ir_sumpool(c->g, in[0], s->kernel, ir_strf(c->g, "%s_sum", l->name));
    return ir_unary(c->g, IR_SCALE, sum, 1.0f / (float)(s->kernel * s->kernel), l->name);
}

const gan_layer_kind gan_layer_upsample = {
    .name = "upsample",
    .summary = "nearest neighbour, like `torch.nn.Upsample(scale_factor=f)`",
    .output = "(C, H·f, W·f)",
    .min_inputs = 1, .max_inputs = 1,
    .settings = up_keys, .settings_size = sizeof(upsample_settings),
    .infer = infer_up, .lower = lower_up,
};
const gan_layer_kind gan_layer_avgpool = {
    .name = "avgpool",
    .summary = "mean of non-overlapping k×k windows, like `torch.nn.AvgPool2d(k)`",
    .output = "(C, H/k, W/k)",
    .min_inputs = 1, .max_inputs = 1,
    .settings = pool_keys, .settings_size = sizeof(avgpool_settings),
    .infer = infer_pool, .lower = lower_pool,
};

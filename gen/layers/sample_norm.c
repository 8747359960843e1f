/* sample_norm.c - the normalizations within one sample: layer_norm and
 * instance_norm.  They share one idea (each sample's values normalized by
 * their own mean and biased variance, then an optional learned scale and
 * shift), so they share one file, as the activations do.
 *
 *   layer_norm     over all of a sample's values, like torch.nn.LayerNorm
 *                  with normalized_shape the whole sample shape ((N) or
 *                  (C, H, W)): weight and bias hold one value per feature of
 *                  a vector and per element (c, h, w) of an image.
 *   instance_norm  per sample and channel over height and width, like
 *                  torch.nn.InstanceNorm2d(affine=True, track_running_stats=
 *                  False) as the CycleGAN implementation uses it: weight and
 *                  bias per channel.
 *
 * Neither keeps running statistics: training and inference compute the
 * same thing.  Written with primitive ops (the statistics' shape is (B, 1..)
 * or (B, C, 1, 1)), so the gradient through the statistics is derived.
 * Left out: layer_norm over trailing axes only (PyTorch's normalized_shape
 * shorter than the sample) and GroupNorm's groups.
 */
#include "../layer.h"

typedef struct {
    int affine;
    float eps;
} norm_settings;

static const gan_setting settings[] = {
    { .key = "affine", .type = GAN_SET_BOOL, .at = offsetof(norm_settings, affine), .def = 1,
      .doc = "learn a scale `weight` and a shift `bias` (PyTorch's elementwise_affine, affine)" },
    { .key = "eps", .type = GAN_SET_NUM, .at = offsetof(norm_settings, eps), .def = 1e-5,
      .lo = 0, .hi = 1, .doc = "added to the variance before its square root" },
    { 0 },
};

static int infer_layer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    char s[64];
    gan_shape_str(in[0], s, sizeof s);
    if (gan_shape_numel(in[0]) < 2) {
        gan_error(d, l->pos, "layer_norm layer '%s' normalizes all of a sample's values "
                  "together: an input of shape %s has one, whose normalized value is always 0",
                  l->name, s);
        return -1;
    }
    l->out = in[0];
    return 0;
}

static int infer_instance(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    char s[64];
    gan_shape_str(in[0], s, sizeof s);
    if (in[0].rank != 3) {
        gan_error(d, l->pos, "instance_norm layer '%s' needs an image input (channels, height, "
                  "width), found shape %s; use layer_norm on vectors", l->name, s);
        return -1;
    }
    if ((long)in[0].d[1] * in[0].d[2] < 2) {
        gan_error(d, l->pos, "instance_norm layer '%s' normalizes each channel over height and "
                  "width: an input of shape %s has one value per channel, whose normalized "
                  "value is always 0", l->name, s);
        return -1;
    }
    l->out = in[0];
    return 0;
}

/* weight (ones, or N(1, init_std) under 'init: normal' like batchnorm's) and
 * bias (zeros) of the given shape */
static void declare_affine(gan_model *m, gan_net *net, int li, int ndim, const int *shape)
{
    const gan_layer *l = &net->layers[li];
    const norm_settings *s = l->settings;
    if (!s->affine)
        return;
    if (l->init == GAN_INIT_NORMAL)
        gan_model_add_tensor(m, net, li, "weight", GAN_PARAM, ndim, shape, RT_INIT_NORMAL, 1.0f,
                             l->init_std);
    else
        gan_model_add_tensor(m, net, li, "weight", GAN_PARAM, ndim, shape, RT_INIT_ONE, 0, 0);
    gan_model_add_tensor(m, net, li, "bias", GAN_PARAM, ndim, shape, RT_INIT_ZERO, 0, 0);
}

static void declare_layer(gan_model *m, gan_net *net, int li)
{
    gan_shape o = net->layers[li].out;
    declare_affine(m, net, li, o.rank, o.d);
}

static void declare_instance(gan_model *m, gan_net *net, int li)
{
    int c[1] = { net->layers[li].out.d[0] };
    declare_affine(m, net, li, 1, c);
}

/* (x - mean) / sqrt(var + eps) · weight + bias, the statistics summed to
 * `stat` (the batch's shape with 1 on the normalized axes); the weight and
 * bias viewed as `ws` so that they broadcast over the batch */
static int normalize(gan_lower *c, const gan_layer *l, int x, ir_shape stat, ir_shape ws)
{
    const norm_settings *s = l->settings;
    ir_graph *g = c->g;
    float n = (float)(ir_numel(g->n[x].shape) / ir_numel(stat));
    int sum = ir_label(g, ir_sum_to(g, x, stat), ir_strf(g, "%s_sum", l->name));
    int mean = ir_unary(g, IR_SCALE, sum, 1.0f / n, ir_strf(g, "%s_mean", l->name));
    int xc = ir_binary(g, IR_SUB, x, mean, ir_strf(g, "%s_centered", l->name));
    int sq = ir_binary(g, IR_MUL, xc, xc, ir_strf(g, "%s_sq", l->name));
    int sq_sum = ir_label(g, ir_sum_to(g, sq, stat), ir_strf(g, "%s_sq_sum", l->name));
    int var = ir_unary(g, IR_SCALE, sq_sum, 1.0f / n, ir_strf(g, "%s_var", l->name));
    int std = ir_unary(g, IR_SQRT, ir_unary(g, IR_ADDS, var, s->eps, NULL), 0,
                       ir_strf(g, "%s_std", l->name));
    int inv = ir_unary(g, IR_RECIP, std, 0, ir_strf(g, "%s_inv_std", l->name));
    if (!s->affine)
        return ir_binary(g, IR_MUL, xc, inv, l->name);
    int xhat = ir_binary(g, IR_MUL, xc, inv, ir_strf(g, "%s_normalized", l->name));
    int w = ir_reshape(g, gan_lower_param(c, l->first_tensor), ws, NULL);
    int b = ir_reshape(g, gan_lower_param(c, l->first_tensor + 1), ws, NULL);
    int scaled = ir_binary(g, IR_MUL, xhat, w, ir_strf(g, "%s_scaled", l->name));
    return ir_binary(g, IR_ADD, scaled, b, l->name);
}

static int lower_layer(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    ir_shape xs = c->g->n[in[0]].shape, stat = xs, ws = xs;
    for (int k = 1; k < xs.rank; k++)
        stat.d[k] = 1;                 /* (B, 1[, 1, 1]) */
    ws.d[0] = 1;                       /* (1, N) or (1, C, H, W) */
    return normalize(c, l, in[0], stat, ws);
}

static int lower_instance(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    ir_shape xs = c->g->n[in[0]].shape;
    return normalize(c, l, in[0], ir_shape4(xs.d[0], xs.d[1], 1, 1),
                     ir_shape4(1, xs.d[1], 1, 1));
}

const gan_layer_kind gan_layer_layer_norm = {
    .name = "layer_norm",
    .summary = "each sample normalized over all of its values, like `torch.nn.LayerNorm` over "
               "the whole sample shape; `weight` and `bias` of the sample's shape (per feature, "
               "per element of an image); the same in training and inference",
    .output = "same as input",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(norm_settings), .has_weights = 1,
    .infer = infer_layer, .declare = declare_layer, .lower = lower_layer,
};

const gan_layer_kind gan_layer_instance_norm = {
    .name = "instance_norm",
    .summary = "each channel of each sample normalized over height and width, like "
               "`torch.nn.InstanceNorm2d(affine=True)` (CycleGAN's); `weight` and `bias` per "
               "channel; no running statistics: the same in training and inference",
    .output = "same as input",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(norm_settings), .has_weights = 1,
    .infer = infer_instance, .declare = declare_instance, .lower = lower_instance,
};

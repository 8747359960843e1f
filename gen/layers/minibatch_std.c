/* minibatch_std.c - minibatch standard deviation (ProGAN, Karras et al.
 * 2018): one more feature map (one more feature of a vector) holding, for
 * every sample, the mean over features of the standard deviation of each
 * feature over the batch,
 *     s = mean_{c,h,w} sqrt(var_batch(x[:, c, h, w]) + eps),
 * so that a discriminator sees how varied the batch it judges is.
 *
 * The variance is the biased one (the mean of squared deviations), eps
 * inside the square root, as ProGAN's code and the usual PyTorch port
 * (torch.sqrt(x.var(0, unbiased=False) + 1e-8).mean()) have it.  One group
 * spans the whole batch (a packed discriminator's batch of packs): ProGAN's
 * group_size, statistics over subgroups of the batch, is left out.  The
 * same in training and inference; it mixes the samples of a batch, so
 * infer.c refuses it in the network the sampler runs and at one sample per
 * batch.
 */
#include "../layer.h"

typedef struct {
    float eps;
} minibatch_std_settings;

static const gan_setting settings[] = {
    { .key = "eps", .type = GAN_SET_NUM, .at = offsetof(minibatch_std_settings, eps),
      .def = 1e-8, .lo = 0, .hi = 1, .doc = "added to each variance before its square root" },
    { 0 },
};

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    l->out = in[0];
    return gan_set_out_dim(l, 0, (long)in[0].d[0] + 1, d);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const minibatch_std_settings *s = l->settings;
    ir_graph *g = c->g;
    int x = in[0];
    ir_shape xs = g->n[x].shape, per = xs, one = xs, map = xs;
    per.d[0] = 1;                                   /* (1, C[, H, W]): per feature */
    for (int k = 0; k < xs.rank; k++)
        one.d[k] = 1;                               /* (1, 1[, 1, 1]) */
    map.d[1] = 1;                                   /* (B, 1[, H, W]) */
    float n = (float)xs.d[0], features = (float)(ir_numel(per));
    int sum = ir_label(g, ir_sum_to(g, x, per), ir_strf(g, "%s_sum", l->name));
    int mean = ir_unary(g, IR_SCALE, sum, 1.0f / n, ir_strf(g, "%s_mean", l->name));
    int xc = ir_binary(g, IR_SUB, x, mean, ir_strf(g, "%s_centered", l->name));
    int sq = ir_binary(g, IR_MUL, xc, xc, ir_strf(g, "%s_sq", l->name));
    int sq_sum = ir_label(g, ir_sum_to(g, sq, per), ir_strf(g, "%s_sq_sum", l->name));
    int var = ir_unary(g, IR_SCALE, sq_sum, 1.0f / n, ir_strf(g, "%s_var", l->name));
    int std = ir_unary(g, IR_SQRT, ir_unary(g, IR_ADDS, var, s->eps, NULL), 0,
                       ir_strf(g, "%s_std", l->name));
    int total = ir_label(g, ir_sum_to(g, std, one), ir_strf(g, "%s_std_sum", l->name));
    int avg = ir_unary(g, IR_SCALE, total, 1.0f / features, ir_strf(g, "%s_std_mean", l->name));
    int feat = ir_label(g, ir_broadcast(g, avg, map), ir_strf(g, "%s_feature", l->name));
    int parts[2] = { x, feat };
    return ir_concat(g, parts, 2, 1, l->name);
}

const gan_layer_kind gan_layer_minibatch_std = {
    .name = "minibatch_std",
    .summary = "appends one feature map (one feature of a vector) holding the mean over "
               "features of each feature's standard deviation over the batch, like ProGAN's "
               "(one group: the whole batch)",
    .output = "(C+1, H, W) or (N+1)",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(minibatch_std_settings), .mixes_batch = 1,
    .infer = infer, .lower = lower,
};

/* batchnorm.c - batch normalization, like torch.nn.BatchNorm1d/2d.
 *
 * Per channel (features of a vector, channels of an image): while training,
 * normalize by the batch's mean and biased variance and update the running
 * estimates (momentum, unbiased variance); in inference (the sampler, the
 * trainer's sample pictures) use the running estimates.  Then scale by
 * `weight` and shift by `bias`.  Written with primitive ops, so its gradient
 * (through the batch statistics) is derived like any other.
 */
#include "../layer.h"

typedef struct {
    float momentum, eps;
} batchnorm_settings;

static const gan_setting settings[] = {
    { .key = "momentum", .type = GAN_SET_NUM, .at = offsetof(batchnorm_settings, momentum),
      .def = 0.1, .lo = 0, .hi = 1, .use = GAN_TRAINING,
      .doc = "weight of the batch in the running estimates' update" },
    { .key = "eps", .type = GAN_SET_NUM, .at = offsetof(batchnorm_settings, eps), .def = 1e-5,
      .lo = 0, .hi = 1, .doc = "added to the variance before its square root" },
    { 0 },
};

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in, (void)d;
    l->out = in[0];
    return 0;
}

static void declare(gan_model *m, gan_net *net, int li)
{
    gan_layer *l = &net->layers[li];
    int c[1] = { l->out.d[0] };
    /* DCGAN initialises the scale N(1, 0.02) */
    if (l->init == GAN_INIT_NORMAL)
        gan_model_add_tensor(m, net, li, "weight", GAN_PARAM, 1, c, RT_INIT_NORMAL, 1.0f,
                             l->init_std);
    else
        gan_model_add_tensor(m, net, li, "weight", GAN_PARAM, 1, c, RT_INIT_ONE, 0, 0);
    gan_model_add_tensor(m, net, li, "bias", GAN_PARAM, 1, c, RT_INIT_ZERO, 0, 0);
    gan_model_add_tensor(m, net, li, "running_mean", GAN_STATE, 1, c, RT_INIT_ZERO, 0, 0);
    gan_model_add_tensor(m, net, li, "running_var", GAN_STATE, 1, c, RT_INIT_ONE, 0, 0);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const batchnorm_settings *s = l->settings;
    ir_graph *g = c->g;
    int x = in[0], C = l->out.d[0], t = l->first_tensor;
    ir_shape xs = g->n[x].shape;
    /* per-channel shape: (C) for vectors, (C,1,1) for images, right-aligned */
    ir_shape cs = l->out.rank == 1 ? ir_shape1(C) : (ir_shape){ 3, { C, 1, 1, 1 } };
    ir_shape stat = xs;                          /* (1, C) or (1, C, 1, 1) */
    for (int k = 0; k < stat.rank; k++)
        stat.d[k] = k == 1 ? C : 1;
    int gamma = ir_reshape(g, gan_lower_param(c, t), cs, NULL);
    int beta = ir_reshape(g, gan_lower_param(c, t + 1), cs, NULL);
    int mean, inv;
    if (c->training) {
        float n = (float)(ir_numel(xs) / C);
        int sum = ir_label(g, ir_sum_to(g, x, stat), ir_strf(g, "%s_sum", l->name));
        mean = ir_unary(g, IR_SCALE, sum, 1.0f / n, ir_strf(g, "%s_mean", l->name));
        int xc = ir_binary(g, IR_SUB, x, mean, ir_strf(g, "%s_centered", l->name));
        int sq = ir_binary(g, IR_MUL, xc, xc, ir_strf(g, "%s_sq", l->name));
        int sq_sum = ir_label(g, ir_sum_to(g, sq, stat), ir_strf(g, "%s_sq_sum", l->name));
        int var = ir_unary(g, IR_SCALE, sq_sum, 1.0f / n, ir_strf(g, "%s_var", l->name));
        int std = ir_unary(g, IR_SQRT, ir_unary(g, IR_ADDS, var, s->eps, NULL), 0,
                           ir_strf(g, "%s_std", l->name));
        inv = ir_unary(g, IR_RECIP, std, 0, ir_strf(g, "%s_inv_std", l->name));
        if (c->update_state) {
            /* running = (1 - momentum) running + momentum batch (unbiased variance) */
            int rm = gan_lower_state(c, t + 2), rv = gan_lower_state(c, t + 3);
            int m1 = ir_reshape(g, mean, ir_shape1(C), NULL);
            int v1 = ir_reshape(g, var, ir_shape1(C), NULL);
            float mo = s->momentum;
            gan_lower_set_state(c, t + 2, ir_binary(g, IR_ADD, ir_unary(g, IR_SCALE, rm, 1 - mo, NULL),
                                                    ir_unary(g, IR_SCALE, m1, mo, NULL),
                                                    ir_strf(g, "%s_running_mean", l->name)));
            gan_lower_set_state(c, t + 3, ir_binary(g, IR_ADD, ir_unary(g, IR_SCALE, rv, 1 - mo, NULL),
                                                    ir_unary(g, IR_SCALE, v1, mo * n / (n - 1), NULL),
                                                    ir_strf(g, "%s_running_var", l->name)));
        }
        x = xc;
        mean = -1;
    } else {
        mean = ir_reshape(g, gan_lower_state(c, t + 2), cs, NULL);
        int var = ir_reshape(g, gan_lower_state(c, t + 3), cs, NULL);
        inv = ir_unary(g, IR_RECIP, ir_unary(g, IR_SQRT, ir_unary(g, IR_ADDS, var, s->eps, NULL),
                                             0, NULL), 0, ir_strf(g, "%s_inv_std", l->name));
        x = ir_binary(g, IR_SUB, x, mean, ir_strf(g, "%s_centered", l->name));
    }
    int xhat = ir_binary(g, IR_MUL, x, inv, ir_strf(g, "%s_normalized", l->name));
    int scaled = ir_binary(g, IR_MUL, xhat, gamma, ir_strf(g, "%s_scaled", l->name));
    return ir_binary(g, IR_ADD, scaled, beta, l->name);
}

const gan_layer_kind gan_layer_batchnorm = {
    .name = "batchnorm",
    .summary = "per channel (features of a vector, channels of an image); batch statistics "
               "while training, running estimates in the sampler and in the trainer's sample "
               "pictures, like `torch.nn.BatchNorm1d/2d`; tensors `weight`, `bias`, "
               "`running_mean`, `running_var`",
    .output = "same as input",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(batchnorm_settings), .has_weights = 1,
    .infer = infer, .declare = declare, .lower = lower,
};

/* loss.c - the terms of an objective written with IR ops, so autodiff
 * derives their gradients like any layer's.  A critic's output is a logit
 * (or a map of logits, PatchGAN) per sample; every term is a mean over all
 * of its values.
 *
 * adversarial, the critic's side (real r, fake f):
 *   non_saturating, minimax: softplus(-r) + softplus(f)  (BCE with logits
 *                            against 1 and 0, as PyTorch's DCGAN)
 *   lsgan:                   (r - 1)^2 / 2 + f^2 / 2
 *   hinge:                   relu(1 - r) + relu(1 + f)
 *   wasserstein:             -r + f
 * the generator's side (fake f):
 *   non_saturating: softplus(-f);  minimax: -softplus(f) (= log(1 - sigmoid f));
 *   lsgan: (f - 1)^2 / 2;  hinge, wasserstein: -f
 * l1: |a - b|; l2: (a - b)^2; cross entropy: logsumexp(a) - a[label]. */
#include "program.h"

int gan_loss_mean(ir_graph *g, int x, const char *what)
{
    ir_label(g, x, what);
    long n = ir_numel(g->n[x].shape);
    int sum = ir_label(g, ir_sum_to(g, x, ir_shape1(1)), ir_strf(g, "%s_sum", what));
    return ir_unary(g, IR_SCALE, sum, 1.0f / (float)n, ir_strf(g, "%s_mean", what));
}

static int square(ir_graph *g, int x)
{
    return ir_binary(g, IR_MUL, x, x, NULL);
}

static int neg(ir_graph *g, int x)
{
    return ir_unary(g, IR_NEG, x, 0, NULL);
}

/* the per-value loss of a score against target "real" (1) or "fake" (0) */
static int versus(ir_graph *g, int loss, int score, int real)
{
    switch (loss) {
    case GAN_LOSS_LSGAN:
        return ir_unary(g, IR_SCALE, square(g, real ? ir_unary(g, IR_ADDS, score, -1.0f, NULL)
                                                    : score), 0.5f, NULL);
    case GAN_LOSS_HINGE:
        return real ? ir_unary(g, IR_RELU, ir_unary(g, IR_ADDS, neg(g, score), 1.0f, NULL), 0,
                               NULL)
                    : ir_unary(g, IR_RELU, ir_unary(g, IR_ADDS, score, 1.0f, NULL), 0, NULL);
    case GAN_LOSS_WASSERSTEIN:
        return real ? neg(g, score) : score;
    default:
        return ir_unary(g, IR_SOFTPLUS, real ? neg(g, score) : score, 0, NULL);
    }
}

static int critic_side(ir_graph *g, int loss, int real, int fake, int shorthand)
{
    int a = real < 0 ? -1 : gan_loss_mean(g, versus(g, loss, real, 1), "loss_on_real");
    int b = fake < 0 ? -1 : gan_loss_mean(g, versus(g, loss, fake, 0), "loss_on_fake");
    if (a < 0 || b < 0)
        return a < 0 ? b : a;
    return ir_binary(g, IR_ADD, a, b, shorthand ? "d_loss" : "critic_loss");
}

static int generator_side(ir_graph *g, int loss, int fake, int shorthand)
{
    const char *label = shorthand ? "g_loss" : "generator_loss";
    switch (loss) {
    case GAN_LOSS_HINGE:
    case GAN_LOSS_WASSERSTEIN:
        return neg(g, gan_loss_mean(g, fake, "score_on_fake"));
    case GAN_LOSS_MINIMAX:
        return neg(g, gan_loss_mean(g, ir_unary(g, IR_SOFTPLUS, fake, 0, NULL), "loss_on_fake"));
    default: {
        int v = gan_loss_mean(g, versus(g, loss, fake, 1), "loss_on_fake");
        /* the shorthand's g_loss was always a value of its own */
        return shorthand ? ir_copy(g, v, label) : v;
    }
    }
}

int gan_loss_adversarial(ir_graph *g, const gan_term *t, int real, int fake, int shorthand)
{
    if (t->side == GAN_SIDE_CRITIC)
        return critic_side(g, t->loss, real, fake, shorthand);
    int v = generator_side(g, t->loss, fake, shorthand);
    if (shorthand && (t->loss == GAN_LOSS_HINGE))
        ir_label(g, v, "g_loss");
    return v;
}

int gan_loss_distance(ir_graph *g, const gan_term *t, int a, int b)
{
    int diff = ir_binary(g, IR_SUB, a, b, NULL);
    int v = t->kind == GAN_TERM_L1 ? ir_unary(g, IR_ABS, diff, 0, NULL) : square(g, diff);
    return gan_loss_mean(g, v, t->name);
}

/* The largest value of each row of x [B, K], as a tree of maximum ops
 * over halves (the last column of an odd width joins by broadcasting). */
static int row_max(ir_graph *g, int x)
{
    int w = g->n[x].shape.d[1];
    while (w > 1) {
        int h = w / 2;
        int m = ir_binary(g, IR_MAXIMUM, ir_slice(g, x, 1, 0, h), ir_slice(g, x, 1, h, h), NULL);
        if (w % 2)
            m = ir_binary(g, IR_MAXIMUM, m, ir_slice(g, x, 1, w - 1, 1), NULL);
        x = m;
        w = h;
    }
    return x;
}

/* logsumexp(a) - a[label] per row, the log-sum-exp shifted by the row's
 * largest logit (its gradient does not depend on the shift: stopped). */
int gan_loss_cross_entropy(ir_graph *g, int logits, int labels, int classes)
{
    int b = g->n[logits].shape.d[0];
    int shift = ir_unary(g, IR_STOP, row_max(g, logits), 0, NULL);
    int centered = ir_binary(g, IR_SUB, logits, shift, NULL);
    int sum = ir_sum_to(g, ir_unary(g, IR_EXP, centered, 0, NULL), ir_shape2(b, 1));
    int lse = ir_binary(g, IR_ADD, ir_unary(g, IR_LOG, sum, 0, NULL), shift, NULL);
    int hot = ir_onehot(g, labels, classes, "onehot_labels");
    int picked = ir_sum_to(g, ir_binary(g, IR_MUL, hot, logits, NULL), ir_shape2(b, 1));
    return gan_loss_mean(g, ir_binary(g, IR_SUB, lse, picked, NULL), "cross_entropy");
}

/* loss.c - adversarial losses written with IR ops, so autodiff derives
 * their gradients like any layer's.  D's output is a logit per sample.
 *   non_saturating: D: softplus(-D(x)) + softplus(D(G(z)));  G: softplus(-D(G(z)))
 *                   (BCE-with-logits against labels 1/0, as in PyTorch DCGAN)
 *   lsgan:          D: ½(D(x)-1)² + ½D(G(z))²;                G: ½(D(G(z))-1)²
 *   hinge:          D: relu(1-D(x)) + relu(1+D(G(z)));       G: -D(G(z))
 * each a mean over the batch. */
#include "program.h"

/* the mean over the batch of x, the per-sample values named `what` */
static int mean(ir_graph *g, int x, int batch, const char *what)
{
    ir_label(g, x, what);
    int sum = ir_label(g, ir_sum_to(g, x, ir_shape1(1)), ir_strf(g, "%s_sum", what));
    return ir_unary(g, IR_SCALE, sum, 1.0f / (float)batch, ir_strf(g, "%s_mean", what));
}

static int square(ir_graph *g, int x)
{
    return ir_binary(g, IR_MUL, x, x, NULL);
}

/* mean of the per-sample loss for a "real" (target 1) or "fake" (target 0) score */
static int term(ir_graph *g, int loss, int score, int real, int batch)
{
    int v;
    switch (loss) {
    case GAN_LOSS_LSGAN:
        v = ir_unary(g, IR_SCALE, square(g, real ? ir_unary(g, IR_ADDS, score, -1.0f, NULL) : score),
                     0.5f, NULL);
        break;
    case GAN_LOSS_HINGE:
        v = real ? ir_unary(g, IR_RELU, ir_unary(g, IR_ADDS, ir_unary(g, IR_NEG, score, 0, NULL),
                                                 1.0f, NULL), 0, NULL)
                 : ir_unary(g, IR_RELU, ir_unary(g, IR_ADDS, score, 1.0f, NULL), 0, NULL);
        break;
    default:
        v = ir_unary(g, IR_SOFTPLUS, real ? ir_unary(g, IR_NEG, score, 0, NULL) : score, 0, NULL);
        break;
    }
    return mean(g, v, batch, real ? "loss_on_real" : "loss_on_fake");
}

int gan_loss_d(ir_graph *g, int loss, int d_real, int d_fake, int batch)
{
    int a = term(g, loss, d_real, 1, batch);
    int b = term(g, loss, d_fake, 0, batch);
    return ir_binary(g, IR_ADD, a, b, "d_loss");
}

int gan_loss_g(ir_graph *g, int loss, int d_fake, int batch)
{
    if (loss == GAN_LOSS_HINGE)
        return ir_unary(g, IR_NEG, mean(g, d_fake, batch, "score_on_fake"), 0, "g_loss");
    int v = term(g, loss, d_fake, 1, batch);
    return ir_copy(g, v, "g_loss");
}

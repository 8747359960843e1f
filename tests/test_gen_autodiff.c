/* test_gen_autodiff.c - every reverse-mode rule of gen/autodiff.c against
 * central finite differences, in double precision through the IR
 * interpreter (tests/ir_eval.c), including a gradient of a gradient. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "ir.h"
#include "ir_eval.h"

#define MAX_P 8

typedef struct {
    ir_graph g;
    int n_params;
    int param[MAX_P];          /* IR_PARAM nodes, ext = index */
    double *val[MAX_P];
    double *in[MAX_P];         /* IR_INPUT values, ext = index: data, not varied */
    int loss;
} fixture;

static unsigned long long rng_state = 88172645463325252ULL;

static double urand(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* values in ±[lo, hi]: away from 0 so kinks (relu, step) are not crossed */
static int add_param(fixture *f, ir_shape s, double lo, double hi, int positive)
{
    int i = f->n_params++;
    long n = ir_numel(s);
    f->val[i] = malloc(sizeof(double) * (size_t)n);
    for (long e = 0; e < n; e++) {
        double m = lo + (hi - lo) * urand();
        f->val[i][e] = positive || urand() < 0.5 ? m : -m;
    }
    f->param[i] = ir_param(&f->g, i, s, NULL);
    return f->param[i];
}

/* loss = sum(y * R) with a fixed random R, so every output element matters */
static int weighted_sum(fixture *f, int y)
{
    int r = add_param(f, f->g.n[y].shape, 0.5, 1.5, 0);
    return ir_sum_to(&f->g, ir_binary(&f->g, IR_MUL, y, r, NULL), ir_shape1(1));
}

static double eval_loss(fixture *f, int node)
{
    double **v = ir_eval(&f->g, f->in, f->val);
    double l = v[node][0];
    ir_eval_free(&f->g, v);
    return l;
}

/* Compares d loss / d param for every param element with central differences. */
static void check_gradients(fixture *f, double tol)
{
    int grads[MAX_P];
    int n_wrt = f->n_params;
    ir_gradients(&f->g, f->loss, f->param, n_wrt, grads);
    double **v = ir_eval(&f->g, f->in, f->val);
    for (int i = 0; i < n_wrt; i++) {
        long n = ir_numel(f->g.n[f->param[i]].shape);
        for (long e = 0; e < n; e++) {
            /* a parameter that does not reach the loss has gradient 0 */
            double an = grads[i] < 0 ? 0.0 : v[grads[i]][e];
            double keep = f->val[i][e], h = 1e-6;
            f->val[i][e] = keep + h;
            double lp = eval_loss(f, f->loss);
            f->val[i][e] = keep - h;
            double lm = eval_loss(f, f->loss);
            f->val[i][e] = keep;
            double fd = (lp - lm) / (2 * h);
            if (fabs(fd - an) > tol * (1 + fabs(fd)))
                fail_msg("param %d element %ld: analytic %.9g, finite difference %.9g", i, e, an, fd);
        }
    }
    ir_eval_free(&f->g, v);
}

static void fixture_free(fixture *f)
{
    for (int i = 0; i < f->n_params; i++)
        free(f->val[i]);
    ir_free(&f->g);
}

static void test_unary_ops(void **state)
{
    (void)state;
    static const ir_op ops[] = { IR_NEG, IR_SCALE, IR_ADDS, IR_RELU, IR_LEAKY_RELU, IR_TANH,
                                 IR_SIGMOID, IR_SOFTPLUS, IR_EXP, IR_LOG, IR_SQRT, IR_RECIP,
                                 IR_ABS };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        fixture f = { 0 };
        ir_init(&f.g);
        int positive = ops[i] == IR_LOG || ops[i] == IR_SQRT || ops[i] == IR_RECIP;
        int x = add_param(&f, ir_shape2(3, 4), 0.2, 1.5, positive);
        int y = ir_unary(&f.g, ops[i], x, ops[i] == IR_LEAKY_RELU ? 0.2f : 1.7f, NULL);
        f.loss = weighted_sum(&f, y);
        check_gradients(&f, 1e-6);
        fixture_free(&f);
    }
}

static void test_binary_broadcast(void **state)
{
    (void)state;
    static const ir_op ops[] = { IR_ADD, IR_SUB, IR_MUL, IR_DIV, IR_MAXIMUM };
    ir_shape second[] = { ir_shape2(3, 4), ir_shape1(4), ir_shape2(3, 1), ir_shape2(1, 4) };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        for (size_t s = 0; s < 4; s++) {
            fixture f = { 0 };
            ir_init(&f.g);
            int a = add_param(&f, ir_shape2(3, 4), 0.3, 1.2, 0);
            int b = add_param(&f, second[s], 0.5, 1.5, 1);
            f.loss = weighted_sum(&f, ir_binary(&f.g, ops[i], a, b, NULL));
            check_gradients(&f, 1e-6);
            fixture_free(&f);
        }
}

static void test_matmul_transposes(void **state)
{
    (void)state;
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            fixture f = { 0 };
            ir_init(&f.g);
            int a = add_param(&f, ta ? ir_shape2(5, 3) : ir_shape2(3, 5), 0.1, 1, 0);
            int b = add_param(&f, tb ? ir_shape2(4, 5) : ir_shape2(5, 4), 0.1, 1, 0);
            f.loss = weighted_sum(&f, ir_matmul(&f.g, a, b, ta, tb, NULL));
            check_gradients(&f, 1e-6);
            fixture_free(&f);
        }
}

static void test_layout_ops(void **state)
{
    (void)state;
    fixture f = { 0 };
    ir_init(&f.g);
    int a = add_param(&f, ir_shape4(2, 3, 2, 2), 0.1, 1, 0);
    int b = add_param(&f, ir_shape4(2, 1, 2, 2), 0.1, 1, 0);
    int parts[2] = { a, b };
    int c = ir_concat(&f.g, parts, 2, 1, NULL);                       /* 2x4x2x2 */
    int s = ir_slice(&f.g, c, 1, 1, 2);                               /* 2x2x2x2 */
    int p = ir_pad(&f.g, s, 3, 1, 4);                                 /* 2x2x2x4 */
    int r = ir_reshape(&f.g, p, ir_shape2(2, 16), NULL);
    int t = ir_sum_to(&f.g, r, ir_shape1(16));
    int u = ir_broadcast(&f.g, t, ir_shape2(3, 16));
    f.loss = weighted_sum(&f, ir_copy(&f.g, u, NULL));
    check_gradients(&f, 1e-6);
    fixture_free(&f);
}

/* conv2d, its transpose and its weight gradient, over strides, paddings
 * and an output_padding; and upsample/sumpool */
static void test_convolutions(void **state)
{
    (void)state;
    static const int cases[][4] = {   /* kernel, stride, pad, extra output rows */
        { 3, 1, 1, 0 }, { 4, 2, 1, 0 }, { 3, 2, 0, 1 }, { 1, 1, 0, 0 }, { 5, 3, 2, 2 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int k = cases[i][0], s = cases[i][1], p = cases[i][2], extra = cases[i][3];
        for (int op = 0; op < 3; op++) {
            fixture f = { 0 };
            ir_init(&f.g);
            int y;
            if (op == 0) {
                int x = add_param(&f, ir_shape4(2, 3, 7, 6), 0.1, 1, 0);
                int w = add_param(&f, ir_shape4(4, 3, k, k), 0.1, 1, 0);
                y = ir_conv2d(&f.g, x, w, s, p, NULL);
            } else if (op == 1) {
                int x = add_param(&f, ir_shape4(2, 3, 4, 3), 0.1, 1, 0);
                int w = add_param(&f, ir_shape4(3, 2, k, k), 0.1, 1, 0);
                int oh = (4 - 1) * s - 2 * p + k + extra, ow = (3 - 1) * s - 2 * p + k + extra;
                y = ir_conv2d_t(&f.g, x, w, s, p, oh, ow, NULL);
            } else {
                int a = add_param(&f, ir_shape4(2, 3, 7, 6), 0.1, 1, 0);
                int ho = (7 + 2 * p - k) / s + 1, wo = (6 + 2 * p - k) / s + 1;
                int gy = add_param(&f, ir_shape4(2, 2, ho, wo), 0.1, 1, 0);
                y = ir_conv2d_wgrad(&f.g, a, gy, k, k, s, p, NULL);
            }
            f.loss = weighted_sum(&f, y);
            check_gradients(&f, 1e-6);
            fixture_free(&f);
        }
    }
    fixture f = { 0 };
    ir_init(&f.g);
    int x = add_param(&f, ir_shape4(2, 2, 3, 3), 0.1, 1, 0);
    int up = ir_upsample(&f.g, x, 2, NULL);
    f.loss = weighted_sum(&f, ir_sumpool(&f.g, ir_unary(&f.g, IR_TANH, up, 0, NULL), 3, NULL));
    check_gradients(&f, 1e-6);
    fixture_free(&f);
}

/* WGAN-GP needs d/dθ of a function of d/dx: differentiate the squared norm
 * of an input gradient, and check it against finite differences of that
 * (first-order, also derived) gradient. */
static void test_gradient_of_gradient(void **state)
{
    (void)state;
    fixture f = { 0 };
    ir_init(&f.g);
    int x = add_param(&f, ir_shape2(4, 3), 0.1, 1, 0);
    int w1 = add_param(&f, ir_shape2(5, 3), 0.1, 0.8, 0);
    int w2 = add_param(&f, ir_shape2(1, 5), 0.1, 0.8, 0);
    int h = ir_unary(&f.g, IR_TANH, ir_matmul(&f.g, x, w1, 0, 1, NULL), 0, NULL);
    int y = ir_unary(&f.g, IR_SOFTPLUS, ir_matmul(&f.g, h, w2, 0, 1, NULL), 0, NULL);
    int l1 = ir_sum_to(&f.g, y, ir_shape1(1));
    int gx;
    ir_gradients(&f.g, l1, &x, 1, &gx);
    f.loss = ir_sum_to(&f.g, ir_binary(&f.g, IR_MUL, gx, gx, NULL), ir_shape1(1));
    /* w.r.t. the weights only: x stays a point of evaluation */
    fixture only_w = f;
    only_w.n_params = 3;
    check_gradients(&only_w, 1e-5);
    fixture_free(&f);
}

/* stop(x) is x, but no gradient passes it: d/dx sum(x * stop(x) * R) is
 * x * R, where finite differences would say 2 x R */
static void test_stop_gradient(void **state)
{
    (void)state;
    fixture f = { 0 };
    ir_init(&f.g);
    int x = add_param(&f, ir_shape2(3, 4), 0.2, 1.5, 0);
    int r = add_param(&f, ir_shape2(3, 4), 0.5, 1.5, 0);
    int stopped = ir_unary(&f.g, IR_STOP, x, 0, NULL);
    int y = ir_binary(&f.g, IR_MUL, ir_binary(&f.g, IR_MUL, x, stopped, NULL), r, NULL);
    f.loss = ir_sum_to(&f.g, y, ir_shape1(1));
    int gx;
    ir_gradients(&f.g, f.loss, &x, 1, &gx);
    double **v = ir_eval(&f.g, NULL, f.val);
    for (long e = 0; e < 12; e++)
        assert_true(fabs(v[gx][e] - f.val[0][e] * f.val[1][e]) < 1e-12);
    ir_eval_free(&f.g, v);
    fixture_free(&f);
}

/* an embedding as one-hot rows times a table: the table's gradient is the
 * output gradient summed into the rows the labels pick; labels get none */
static void test_onehot_embedding(void **state)
{
    (void)state;
    fixture f = { 0 };
    ir_init(&f.g);
    static double picked[5] = { 2, 0, 3, 2, 1 };
    f.in[0] = picked;
    int labels = ir_input(&f.g, 0, ir_shape1(5), NULL);
    int table = add_param(&f, ir_shape2(4, 3), 0.1, 1, 0);
    int rows = ir_matmul(&f.g, ir_onehot(&f.g, labels, 4, NULL), table, 0, 0, NULL);
    f.loss = weighted_sum(&f, ir_unary(&f.g, IR_TANH, rows, 0, NULL));
    int g_labels;
    ir_gradients(&f.g, f.loss, &labels, 1, &g_labels);
    assert_int_equal(g_labels, -1);   /* labels are data: no gradient */
    check_gradients(&f, 1e-6);
    fixture_free(&f);
}

/* Double backward through each elementwise op: the loss is a weighted
 * square of an input gradient, so its gradient runs through the first
 * gradient's rules (the way WGAN-GP's penalty runs through a critic) */
static void test_double_backward_ops(void **state)
{
    (void)state;
    static const ir_op ops[] = { IR_NEG, IR_SCALE, IR_ADDS, IR_RELU, IR_LEAKY_RELU, IR_TANH,
                                 IR_SIGMOID, IR_SOFTPLUS, IR_EXP, IR_LOG, IR_SQRT, IR_RECIP,
                                 IR_ABS, IR_MAXIMUM, IR_MUL, IR_DIV };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        fixture f = { 0 };
        ir_init(&f.g);
        int positive = ops[i] == IR_LOG || ops[i] == IR_SQRT || ops[i] == IR_RECIP;
        int x = add_param(&f, ir_shape2(3, 4), 0.2, 1.2, positive);
        int w = add_param(&f, ir_shape2(3, 4), 0.5, 1.1, 1);
        int r = add_param(&f, ir_shape2(3, 4), 0.5, 1.5, 0);
        int xw = ir_binary(&f.g, IR_MUL, x, w, NULL);
        int y;
        if (ir_is_binary(ops[i]))
            y = ir_binary(&f.g, ops[i], xw, ir_binary(&f.g, IR_ADD, w, x, NULL), NULL);
        else
            y = ir_unary(&f.g, ops[i], xw, ops[i] == IR_LEAKY_RELU ? 0.2f : 1.7f, NULL);
        int l1 = ir_sum_to(&f.g, ir_binary(&f.g, IR_MUL, y, r, NULL), ir_shape1(1));
        int gx;
        ir_gradients(&f.g, l1, &x, 1, &gx);
        f.loss = weighted_sum(&f, ir_binary(&f.g, IR_MUL, gx, gx, NULL));
        check_gradients(&f, 1e-5);
        fixture_free(&f);
    }
}

/* maxout's group maximum (ARGMAX_PICK of x with itself), its gradient
 * (ARGMAX_PLACE) and the gradient of that gradient (ARGMAX_PICK again):
 * a weighted square of the input gradient of sum(tanh(max) * r) */
static void test_argmax_pair(void **state)
{
    (void)state;
    for (int twice = 0; twice < 2; twice++) {
        fixture f = { 0 };
        ir_init(&f.g);
        int x = add_param(&f, ir_shape2(3, 8), 0.1, 1.5, 0);
        int w = add_param(&f, ir_shape2(3, 8), 0.5, 1.1, 1);
        int xw = ir_binary(&f.g, IR_MUL, x, w, NULL);
        int y = ir_unary(&f.g, IR_TANH, ir_argmax_pick(&f.g, xw, xw, 4, NULL), 0, NULL);
        assert_int_equal(f.g.n[y].shape.d[1], 2);
        if (!twice) {
            f.loss = weighted_sum(&f, y);
        } else {
            int r = add_param(&f, f.g.n[y].shape, 0.5, 1.5, 0);
            int l1 = ir_sum_to(&f.g, ir_binary(&f.g, IR_MUL, y, r, NULL), ir_shape1(1));
            int gx;
            ir_gradients(&f.g, l1, &x, 1, &gx);
            f.loss = weighted_sum(&f, ir_binary(&f.g, IR_MUL, gx, gx, NULL));
        }
        check_gradients(&f, 1e-5);
        fixture_free(&f);
    }
}

/* WGAN-GP's penalty on a small convolutional critic, whole: interpolates
 * of real and fake images by uniform weights, the critic's input gradient
 * there, (||grad|| - 1)^2 per sample, differentiated w.r.t. the critic's
 * weights and the fake images (the generator's side) */
static void test_gradient_penalty_conv_critic(void **state)
{
    (void)state;
    fixture f = { 0 };
    ir_init(&f.g);
    ir_shape img = ir_shape4(2, 2, 5, 5);
    int real = add_param(&f, img, 0.1, 1, 0);
    int fake = add_param(&f, img, 0.1, 1, 0);
    int w1 = add_param(&f, ir_shape4(3, 2, 3, 3), 0.1, 0.6, 0);
    int w2 = add_param(&f, ir_shape2(1, 3 * 3 * 3), 0.1, 0.6, 0);
    int u = ir_broadcast(&f.g, ir_uniform(&f.g, ir_shape4(2, 1, 1, 1), 7), img);
    int mixed = ir_binary(&f.g, IR_ADD, ir_binary(&f.g, IR_MUL, u, real, NULL),
                          ir_binary(&f.g, IR_MUL, ir_unary(&f.g, IR_ADDS,
                                    ir_unary(&f.g, IR_NEG, u, 0, NULL), 1, NULL), fake, NULL),
                          NULL);
    int h = ir_unary(&f.g, IR_LEAKY_RELU, ir_conv2d(&f.g, mixed, w1, 2, 1, NULL), 0.2f, NULL);
    int score = ir_matmul(&f.g, ir_reshape(&f.g, h, ir_shape2(2, 27), NULL), w2, 0, 1, NULL);
    int total = ir_sum_to(&f.g, score, ir_shape1(1));
    int gx;
    ir_gradients(&f.g, total, &mixed, 1, &gx);
    int sq = ir_sum_to(&f.g, ir_binary(&f.g, IR_MUL, gx, gx, NULL), ir_shape4(2, 1, 1, 1));
    int gap = ir_unary(&f.g, IR_ADDS, ir_unary(&f.g, IR_SQRT, sq, 0, NULL), -1, NULL);
    f.loss = ir_sum_to(&f.g, ir_binary(&f.g, IR_MUL, gap, gap, NULL), ir_shape1(1));
    check_gradients(&f, 1e-5);
    fixture_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unary_ops),
        cmocka_unit_test(test_binary_broadcast),
        cmocka_unit_test(test_matmul_transposes),
        cmocka_unit_test(test_layout_ops),
        cmocka_unit_test(test_convolutions),
        cmocka_unit_test(test_gradient_of_gradient),
        cmocka_unit_test(test_stop_gradient),
        cmocka_unit_test(test_onehot_embedding),
        cmocka_unit_test(test_double_backward_ops),
        cmocka_unit_test(test_argmax_pair),
        cmocka_unit_test(test_gradient_penalty_conv_critic),
    };
    return cmocka_run_group_tests_name("autodiff", tests, NULL, NULL);
}

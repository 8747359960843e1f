/* tests/gradcheck.c - finite-difference check of the gradients that ganc
 * derives, for one model.
 *
 * Linked with one generated train.c compiled with -DGANC_NO_MAIN (see
 * tests/gradcheck.sh).  At a fixed random point (params from a seeded RNG,
 * the model's variables drawn by harness_draw_vars: a real batch ~ N(0,1),
 * a latent batch from the model's prior) it compares, for every parameter
 * of every trained network, the loss of the update that trains it (after
 * the forward pass it relies on: harness_loss) with the network's grads,
 * for the classic model
 *   the d update's loss  vs  D's grads,   the g update's loss  vs  G's grads,
 * by central differences, step STEP*max(1,|p|) in float.  Every element of a
 * tensor is checked, or MAX_CHECK evenly spaced ones for larger tensors.
 *
 * Per element: |fd - an| <= ATOL + RTOL*max(|fd|,|an|).  Per tensor: the
 * aggregate ||fd - an|| / (||fd|| + ||an||) < AGG_TOL, which catches small
 * systematic errors (a gradient off by a few %) that the elementwise test lets
 * through.  ATOL covers float rounding of the loss (~1e-7) divided by the step
 * (2e-3): ~1e-4, with margin.  For big models whose gradient elements are
 * themselves at that noise level the ratio measures noise, so the aggregate
 * also passes when ||fd - an|| is within 3 sigma of the finite-difference
 * noise, sigma measured at setup from fourth differences of the loss along
 * a few parameters (on the small test models it never applies).
 *
 * Kinks (relu, leaky_relu, hinge) inside [p-h, p+h] break the central
 * difference.  An element that fails is called a kink when its two
 * one-sided slopes disagree (the loss is not smooth there) and the analytic
 * value matches one of them (the derivative on the side where p lies);
 * a wrong gradient in a smooth region has agreeing one-sided slopes and so
 * still fails.  Kinks are counted and limited per tensor and overall.
 *
 * State tensors are held fixed: every loss is computed from the same saved
 * state (restored before each).  Spectral normalization's power iteration
 * reads its vector u from state and writes the next one, and its gradient
 * treats u and v as constants of the step (as PyTorch's does); the loss's
 * true derivative agrees with that to first order only where u and v are
 * W's singular vectors (a fixed point of the iteration).  So before the
 * base point is taken every update's step runs WARMUP times, which moves
 * the state (power-iteration vectors to that fixed point, batchnorm
 * running statistics anywhere: training-mode losses do not read them)
 * and nothing else: no optimizer runs.
 *
 * Besides the gradients it checks the step contract (each step writes every
 * element of its own networks' gradients and nothing of the others', and is
 * deterministic) and that the checker itself can fail (corrupted gradients
 * of the first update's network and of the last's: D and G).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parity/harness.h"

#define STEP 1e-3
#define ATOL 2e-3
#define RTOL 3e-2
#define AGG_TOL 1e-2
#define KINK_FRAC 0.05      /* kinks allowed per tensor (at least 1) */
#define KINK_FRAC_ALL 0.03  /* and over the whole model (at least 2) */
enum { MAX_CHECK = 200, SEED = 12345, WARMUP = 300 };

typedef struct {
    size_t checked, kinks, fails;
    double max_abs, rel, norm_an;
    int noise_ok;   /* ||fd - an|| within the finite-difference noise */
} check_result;

static const rt_model *M;
static float **an;              /* [n_nets]: analytic gradients at the base point */
static float *base_loss;        /* [n_updates] */
static double *fd_noise;        /* [n_nets]: std of one finite difference */
static size_t total_checked, total_kinks;
static float **state0;          /* [n_nets]: the state every loss starts from */

static void restore_state(void)
{
    for (int net = 0; net < M->n_nets; net++)
        if (M->nets[net].state_count)
            memcpy(M->nets[net].state, state0[net], M->nets[net].state_count * sizeof(float));
}

/* Update u's loss from the saved state. */
static float update_loss(int u)
{
    restore_state();
    return harness_loss(M, u);
}

/* The loss of the update that trains `net`.  Its forward pass runs again
 * every time: a perturbed G parameter must reach the saved activations the
 * steps read (D's step sees G's output as data). */
static float loss_of(int net)
{
    return update_loss(harness_trainer_of(M, net));
}

/* Runs every update WARMUP times, then saves the state; prints the largest
 * change of a state value in the last round (power iteration converged). */
static void settle_state(void)
{
    size_t total = 0;
    state0 = calloc((size_t)M->n_nets, sizeof *state0);
    for (int net = 0; net < M->n_nets; net++) {
        state0[net] = malloc((M->nets[net].state_count + 1) * sizeof(float));
        total += M->nets[net].state_count;
    }
    float change = 0;
    for (int r = 0; total && r < WARMUP; r++) {
        for (int net = 0; net < M->n_nets; net++)
            memcpy(state0[net], M->nets[net].state, M->nets[net].state_count * sizeof(float));
        for (int u = 0; u < M->n_updates; u++) {
            if (M->updates[u].forward)
                M->updates[u].forward();
            M->updates[u].step();
        }
        change = 0;
        for (int net = 0; net < M->n_nets; net++)
            for (size_t i = 0; i < M->nets[net].state_count; i++)
                change = fmaxf(change, fabsf(M->nets[net].state[i] - state0[net][i]));
    }
    for (int net = 0; net < M->n_nets; net++)
        memcpy(state0[net], M->nets[net].state, M->nets[net].state_count * sizeof(float));
    if (total)
        printf("state: %zu values after %d rounds of the steps, the last changed them by at "
               "most %.1e\n", total, WARMUP, (double)change);
}

static int close_enough(double fd, double a, double slack)
{
    return fabs(fd - a) <= slack * (ATOL + RTOL * fmax(fabs(fd), fabs(a)));
}

/* Checks tensor t's analytic gradient `grad` (the whole net's array) against
 * finite differences of its net's loss.  Leaves the parameters as found. */
static void check_tensor(const rt_tensor_info *t, const float *grad, check_result *r,
                         int verbose)
{
    float *p = M->nets[t->net].params + t->offset;
    const float *g = grad + t->offset;
    const double f0 = base_loss[harness_trainer_of(M, t->net)];
    size_t n = harness_numel(t), k = n < MAX_CHECK ? n : MAX_CHECK;
    double d2 = 0, fd2 = 0, an2 = 0;
    memset(r, 0, sizeof *r);
    for (size_t s = 0; s < k; s++) {
        size_t i = s * n / k;
        const float p0 = p[i], h = (float)STEP * fmaxf(1.0f, fabsf(p0));
        const float hi = p0 + h, lo = p0 - h;   /* the steps actually taken */
        p[i] = hi;
        const double fp = loss_of(t->net);
        p[i] = lo;
        const double fm = loss_of(t->net);
        p[i] = p0;
        const double fd = (fp - fm) / ((double)hi - lo), a = g[i];
        r->checked++;
        if (!close_enough(fd, a, 1)) {
            double fwd = (fp - f0) / ((double)hi - p0), bwd = (f0 - fm) / ((double)p0 - lo);
            int kink = !close_enough(fwd, bwd, 1) &&
                       (close_enough(fwd, a, 2) || close_enough(bwd, a, 2));
            if (verbose)
                printf("    %s[%zu]: fd %.6g analytic %.6g (one-sided %.6g, %.6g)%s\n",
                       t->name, i, fd, a, bwd, fwd, kink ? ": kink, skipped" : ": MISMATCH");
            if (kink) {
                r->kinks++;
                continue;
            }
            r->fails++;
        }
        double d = fabs(fd - a);
        r->max_abs = fmax(r->max_abs, d);
        d2 += d * d;
        fd2 += fd * fd;
        an2 += a * a;
    }
    r->norm_an = sqrt(an2);
    r->rel = d2 == 0 ? 0 : sqrt(d2) / (sqrt(fd2) + sqrt(an2));
    r->noise_ok = sqrt(d2) <= 3 * fd_noise[t->net] * sqrt((double)(r->checked - r->kinks));
}

static int aggregate_ok(const check_result *r)
{
    return r->rel < AGG_TOL || r->noise_ok;
}

static int result_ok(const check_result *r)
{
    double kink_limit = fmax(1.0, KINK_FRAC * (double)r->checked);
    return r->fails == 0 && aggregate_ok(r) && (double)r->kinks <= kink_limit;
}

/* The rounding noise of the loss, from fourth differences of the loss at 17
 * points h/4 apart along a parameter: for a smooth loss the fourth difference
 * is ~f''''(h/4)^4, nothing, while independent noise of std sigma_f gives it
 * variance 70 sigma_f^2.  Pooled over the first element of each of the net's
 * tensors; one central difference then has std sigma_f / (sqrt2 h). */
static double measure_fd_noise(int net)
{
    double ss = 0;
    int count = 0;
    for (size_t i = 0; i < M->n_tensors; i++) {
        const rt_tensor_info *t = &M->tensors[i];
        if (t->net != net || t->role != RT_ROLE_PARAM)
            continue;
        float *p = M->nets[net].params + t->offset;
        const float p0 = p[0];
        double y[17];
        for (int j = 0; j < 17; j++) {
            p[0] = p0 + (float)(j - 8) * 0.25f * (float)STEP * fmaxf(1.0f, fabsf(p0));
            y[j] = loss_of(net);
        }
        p[0] = p0;
        for (int j = 0; j + 4 < 17; j++) {
            double d4 = y[j] - 4 * y[j + 1] + 6 * y[j + 2] - 4 * y[j + 3] + y[j + 4];
            ss += d4 * d4 / 70;
            count++;
        }
    }
    return sqrt(ss / count) / (sqrt(2.0) * STEP);
}

/* ---- setup: the base point and its analytic gradients ---- */

static int group_setup(void **state)
{
    (void)state;
    M = ganc_model();
    rt_rng rng;
    rt_rng_seed(&rng, SEED);
    harness_init_params(M, &rng);
    harness_draw_vars(M, &rng);
    settle_state();
    base_loss = calloc((size_t)M->n_updates, sizeof *base_loss);
    an = calloc((size_t)M->n_nets, sizeof *an);
    fd_noise = calloc((size_t)M->n_nets, sizeof *fd_noise);
    for (int u = 0; u < M->n_updates; u++)
        base_loss[u] = update_loss(u);
    for (int net = 0; net < M->n_nets; net++) {
        an[net] = malloc((M->nets[net].param_count + 1) * sizeof(float));
        if (M->nets[net].grads)   /* NULL: a frozen network, which has none */
            memcpy(an[net], M->nets[net].grads, M->nets[net].param_count * sizeof(float));
    }
    for (int net = 0; net < M->n_nets; net++)
        if (harness_trainer_of(M, net) >= 0)
            fd_noise[net] = measure_fd_noise(net);
    printf("gradcheck %s: batch %d, loss", M->model_name, M->batch);
    for (int u = 0; u < M->n_updates; u++)
        printf(" %s %.6f", M->updates[u].name, base_loss[u]);
    printf(", step %g, tol %g + %g*|g|, aggregate %g, fd noise", STEP, ATOL, RTOL, AGG_TOL);
    for (int net = 0; net < M->n_nets; net++)
        printf(" %s %.1e", M->nets[net].name, fd_noise[net]);
    printf("\n");
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    for (int net = 0; net < M->n_nets; net++) {
        free(an[net]);
        free(state0[net]);
    }
    free(an);
    free(state0);
    free(base_loss);
    free(fd_noise);
    return 0;
}

/* ---- one test per parameter tensor ---- */

static void test_tensor(void **state)
{
    const rt_tensor_info *t = *state;
    check_result r;
    check_tensor(t, an[t->net], &r, 1);
    total_checked += r.checked;
    total_kinks += r.kinks;
    printf("  %-34s %4zu checked  max|fd-an| %.2e  rel %.2e%s  |an| %.2e  kinks %zu  %s\n",
           t->name, r.checked, r.max_abs, r.rel,
           r.rel >= AGG_TOL && r.noise_ok ? " (noise)" : "", r.norm_an, r.kinks,
           result_ok(&r) ? "ok" : "FAIL");
    assert_int_equal(r.fails, 0);
    assert_true(aggregate_ok(&r));
    assert_true((double)r.kinks <= fmax(1.0, KINK_FRAC * (double)r.checked));
}

static void test_kink_budget(void **state)
{
    (void)state;
    printf("  overall: %zu elements checked, %zu kinks skipped\n", total_checked, total_kinks);
    assert_true(total_checked > 0);
    assert_true((double)total_kinks <= fmax(2.0, KINK_FRAC_ALL * (double)total_checked));
}

/* ---- the step contract ---- */

static int all_finite(int net, int want_finite)
{
    if (!M->nets[net].grads)   /* a frozen network: no gradient to write */
        return !want_finite;
    for (size_t i = 0; i < M->n_tensors; i++) {
        const rt_tensor_info *t = &M->tensors[i];
        if (t->net != net || t->role != RT_ROLE_PARAM)
            continue;
        const float *g = M->nets[net].grads + t->offset;
        for (size_t j = 0; j < harness_numel(t); j++)
            if ((isfinite(g[j]) != 0) != want_finite) {
                printf("    %s[%zu] = %g\n", t->name, j, g[j]);
                return 0;
            }
    }
    return 1;
}

static void poison(int net)
{
    for (size_t i = 0; M->nets[net].grads && i < M->nets[net].param_count; i++)
        M->nets[net].grads[i] = NAN;
}

/* The trainer never clears gradients: each step must overwrite all of its
 * own networks' gradients (stale values would be applied) and leave the
 * others'. */
static void test_steps_write_own_grads(void **state)
{
    (void)state;
    for (int u = 0; u < M->n_updates; u++) {
        for (int net = 0; net < M->n_nets; net++)
            poison(net);
        assert_true(isfinite(update_loss(u)));
        for (int net = 0; net < M->n_nets; net++)
            assert_true(all_finite(net, harness_trainer_of(M, net) == u));
    }
}

/* Same inputs, same loss and gradients, bit for bit: no hidden state. */
static void test_steps_deterministic(void **state)
{
    (void)state;
    for (int net = 0; net < M->n_nets; net++) {
        int u = harness_trainer_of(M, net);
        if (u < 0)
            continue;
        float l1 = loss_of(net), l2 = loss_of(net);
        assert_true(l1 == base_loss[u] && l2 == base_loss[u]);
        for (size_t i = 0; i < M->n_tensors; i++) {
            const rt_tensor_info *t = &M->tensors[i];
            if (t->net == net && t->role == RT_ROLE_PARAM)
                assert_memory_equal(M->nets[net].grads + t->offset, an[net] + t->offset,
                                    harness_numel(t) * sizeof(float));
        }
    }
}

/* ---- the checker can fail ---- */

/* The tensor of `net` holding the largest |analytic gradient| among the
 * elements check_tensor visits, and that element's index in the net. */
static const rt_tensor_info *largest(int net, size_t *at)
{
    const rt_tensor_info *best = NULL;
    float bv = -1;
    for (size_t i = 0; i < M->n_tensors; i++) {
        const rt_tensor_info *t = &M->tensors[i];
        if (t->net != net || t->role != RT_ROLE_PARAM)
            continue;
        size_t n = harness_numel(t), k = n < MAX_CHECK ? n : MAX_CHECK;
        for (size_t s = 0; s < k; s++) {
            size_t e = s * n / k;
            if (fabsf(an[net][t->offset + e]) > bv) {
                bv = fabsf(an[net][t->offset + e]);
                best = t;
                *at = t->offset + e;
            }
        }
    }
    return best;
}

static void corrupted_check(int net, float scale, float offset, int whole_tensor)
{
    size_t at = 0;
    const rt_tensor_info *t = largest(net, &at);
    assert_non_null(t);
    float *bad = malloc((M->nets[net].param_count + 1) * sizeof(float));
    memcpy(bad, an[net], M->nets[net].param_count * sizeof(float));
    if (whole_tensor)
        for (size_t j = 0; j < harness_numel(t); j++)
            bad[t->offset + j] *= scale;
    else
        bad[at] = bad[at] * scale + offset;
    check_result r;
    check_tensor(t, bad, &r, 0);
    printf("  self-test %s with %s: %zu mismatches, rel %.2e -> %s\n", t->name,
           whole_tensor ? "every element scaled" : "one element corrupted", r.fails, r.rel,
           result_ok(&r) ? "NOT DETECTED" : "detected");
    free(bad);
    assert_false(result_ok(&r));
}

/* The network of the first update (D) and of the last (G). */
static int first_net(void)
{
    return M->updates[0].nets[0];
}

static int last_net(void)
{
    return M->updates[M->n_updates - 1].nets[0];
}

static void test_detects_scaled_element(void **state)
{
    (void)state;
    corrupted_check(first_net(), 1.5f, 0.0f, 0);
}

static void test_detects_offset_element(void **state)
{
    (void)state;
    corrupted_check(last_net(), 1.0f, 0.1f, 0);
}

static void test_detects_scaled_tensor(void **state)
{
    (void)state;
    corrupted_check(last_net(), 1.1f, 0.0f, 1);
}

int main(void)
{
    const rt_model *m = ganc_model();
    struct CMUnitTest *tests = calloc(m->n_tensors + 6, sizeof *tests);
    size_t n = 0;
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_steps_write_own_grads);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_steps_deterministic);
    for (size_t i = 0; i < m->n_tensors; i++)
        if (m->tensors[i].role == RT_ROLE_PARAM && harness_trainer_of(m, m->tensors[i].net) >= 0)
            tests[n++] = (struct CMUnitTest){ m->tensors[i].name, test_tensor, NULL, NULL,
                                              (void *)&m->tensors[i] };
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_kink_budget);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_detects_scaled_element);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_detects_offset_element);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_detects_scaled_tensor);
    int failed = _cmocka_run_group_tests(m->model_name, tests, n, group_setup, group_teardown);
    free(tests);
    return failed ? 1 : 0;
}

/* tests/gradcheck.c - finite-difference check of the gradients that ganc
 * derives, for one model.
 *
 * Linked with one generated train.c compiled with -DGANC_NO_MAIN (see
 * tests/gradcheck.sh).  At a fixed random point (params from a seeded RNG,
 * a real batch ~ N(0,1), a latent batch from the model's prior) it compares
 *   d_step's loss  vs  grads[D]   for every discriminator parameter,
 *   g_step's loss  vs  grads[G]   for every generator parameter,
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
 * Besides the gradients it checks the step contract (each step writes every
 * element of its own net's gradient and nothing of the other net's, and is
 * deterministic) and that the checker itself can fail (corrupted gradients).
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
enum { MAX_CHECK = 200, SEED = 12345 };

typedef struct {
    size_t checked, kinks, fails;
    double max_abs, rel, norm_an;
    int noise_ok;   /* ||fd - an|| within the finite-difference noise */
} check_result;

static const rt_model *M;
static float *real_x, *z;
static float *an[2];            /* analytic gradients at the base point */
static float base_loss[2];
static double fd_noise[2];      /* std of one finite difference, per net */
static size_t total_checked, total_kinks;

/* G's forward pass runs again every time: a perturbed G parameter must
 * reach g_step's saved activations (D's step sees G's output as data). */
static float loss_of(int net)
{
    M->g_forward(z);
    return net == RT_NET_D ? M->d_step(real_x) : M->g_step(z);
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
    float *p = M->params[t->net] + t->offset;
    const float *g = grad + t->offset;
    const double f0 = base_loss[t->net];
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
        float *p = M->params[net] + t->offset;
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
    size_t nreal = (size_t)M->batch * M->sample_size;
    real_x = malloc(nreal * sizeof *real_x);
    z = malloc((size_t)M->batch * (size_t)M->latent_size * sizeof *z);
    rt_rng_fill_normal(&rng, real_x, nreal, 0.0f, 1.0f);
    harness_fill_latent(M, &rng, z);
    M->g_forward(z);
    base_loss[RT_NET_D] = M->d_step(real_x);
    base_loss[RT_NET_G] = M->g_step(z);
    for (int net = 0; net < 2; net++) {
        an[net] = malloc((M->param_count[net] + 1) * sizeof(float));
        memcpy(an[net], M->grads[net], M->param_count[net] * sizeof(float));
    }
    for (int net = 0; net < 2; net++)
        fd_noise[net] = measure_fd_noise(net);
    printf("gradcheck %s: batch %d, loss D %.6f G %.6f, step %g, tol %g + %g*|g|, aggregate %g,"
           " fd noise D %.1e G %.1e\n", M->model_name, M->batch, base_loss[RT_NET_D],
           base_loss[RT_NET_G], STEP, ATOL, RTOL, AGG_TOL, fd_noise[RT_NET_D], fd_noise[RT_NET_G]);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(real_x);
    free(z);
    free(an[0]);
    free(an[1]);
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
    for (size_t i = 0; i < M->n_tensors; i++) {
        const rt_tensor_info *t = &M->tensors[i];
        if (t->net != net || t->role != RT_ROLE_PARAM)
            continue;
        const float *g = M->grads[net] + t->offset;
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
    for (size_t i = 0; i < M->param_count[net]; i++)
        M->grads[net][i] = NAN;
}

/* The trainer never clears gradients: each step must overwrite all of its
 * own net's gradient (stale values would be applied) and leave the other's. */
static void test_steps_write_own_grads(void **state)
{
    (void)state;
    poison(RT_NET_G);
    poison(RT_NET_D);
    M->g_forward(z);
    assert_true(isfinite(M->d_step(real_x)));
    assert_true(all_finite(RT_NET_D, 1));
    assert_true(all_finite(RT_NET_G, 0));
    poison(RT_NET_D);
    assert_true(isfinite(M->g_step(z)));
    assert_true(all_finite(RT_NET_G, 1));
    assert_true(all_finite(RT_NET_D, 0));
}

/* Same inputs, same loss and gradients, bit for bit: no hidden state. */
static void test_steps_deterministic(void **state)
{
    (void)state;
    for (int net = 0; net < 2; net++) {
        float l1 = loss_of(net), l2 = loss_of(net);
        assert_true(l1 == base_loss[net] && l2 == base_loss[net]);
        for (size_t i = 0; i < M->n_tensors; i++) {
            const rt_tensor_info *t = &M->tensors[i];
            if (t->net == net && t->role == RT_ROLE_PARAM)
                assert_memory_equal(M->grads[net] + t->offset, an[net] + t->offset,
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
    float *bad = malloc((M->param_count[net] + 1) * sizeof(float));
    memcpy(bad, an[net], M->param_count[net] * sizeof(float));
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

static void test_detects_scaled_element(void **state)
{
    (void)state;
    corrupted_check(RT_NET_D, 1.5f, 0.0f, 0);
}

static void test_detects_offset_element(void **state)
{
    (void)state;
    corrupted_check(RT_NET_G, 1.0f, 0.1f, 0);
}

static void test_detects_scaled_tensor(void **state)
{
    (void)state;
    corrupted_check(RT_NET_G, 1.1f, 0.0f, 1);
}

int main(void)
{
    const rt_model *m = ganc_model();
    struct CMUnitTest *tests = calloc(m->n_tensors + 6, sizeof *tests);
    size_t n = 0;
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_steps_write_own_grads);
    tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_steps_deterministic);
    for (size_t i = 0; i < m->n_tensors; i++)
        if (m->tensors[i].role == RT_ROLE_PARAM)
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

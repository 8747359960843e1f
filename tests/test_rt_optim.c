/* test_rt_optim.c - Adam and SGD against hand-computed steps and values
 * printed by torch.optim (PyTorch 1.13) for the same inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "train/rt_optim.h"

static const float G1[3] = { 0.5f, -1.0f, 0.0f };
static const float G2[3] = { -0.25f, 3.0f, 1e-3f };

static void assert_close(double got, double want, double tol)
{
    if (fabs(got - want) > tol)
        fail_msg("got %.9g, want %.9g (tolerance %g)", got, want, tol);
}

/* The textbook formula, in double: p -= lr * m_hat / (sqrt(v_hat) + eps). */
static void adam_reference(double *p, const float *g1, const float *g2, int n, double lr,
                           double b1, double b2, double eps)
{
    for (int i = 0; i < n; i++) {
        double m = 0, v = 0;
        const float *gs[2] = { g1, g2 };
        for (int t = 1; t <= 2; t++) {
            double g = gs[t - 1][i];
            m = b1 * m + (1 - b1) * g;
            v = b2 * v + (1 - b2) * g * g;
            double m_hat = m / (1 - pow(b1, t)), v_hat = v / (1 - pow(b2, t));
            p[i] -= lr * m_hat / (sqrt(v_hat) + eps);
        }
    }
}

static void test_adam_two_steps(void **state)
{
    (void)state;
    rt_optim_spec spec = { RT_OPTIM_ADAM, 0.1f, 0.9f, 0.999f, 1e-8f, 0 };
    rt_optim o;
    float p[3] = { 1.0f, -2.0f, 0.5f };
    double ref[3] = { 1.0, -2.0, 0.5 };
    rt_optim_init(&o, &spec, 3);
    rt_optim_step(&o, p, G1);
    /* step 1: m_hat = g, v_hat = g^2, so each moving weight moves by lr */
    assert_close(p[0], 0.9, 1e-6);
    assert_close(p[1], -1.9, 1e-6);
    assert_close(p[2], 0.5, 0);   /* zero gradient: no move */
    rt_optim_step(&o, p, G2);
    adam_reference(ref, G1, G2, 3, 0.1, 0.9, 0.999, 1e-8);
    /* torch: [0.8733663558959961, -1.9494189023971558, 0.42558735609054565] */
    const double torch[3] = { 0.8733663558959961, -1.9494189023971558, 0.42558735609054565 };
    for (int i = 0; i < 3; i++) {
        assert_close(p[i], ref[i], 2e-6);
        assert_close(p[i], torch[i], 2e-6);
    }
    /* the state is exposed for checkpoints */
    assert_int_equal(o.t, 2);
    assert_close(o.m[0], 0.9 * 0.05 + 0.1 * -0.25, 1e-6);
    assert_close(o.v[1], 0.999 * 0.001 * 1.0 + 0.001 * 9.0, 1e-6);
    rt_optim_free(&o);
    assert_null(o.m);
}

/* A long update is split among the threads: the same bits on 1 and on 3
 * threads, over three steps (the moments carry over). */
static void test_adam_threads_same_bits(void **state)
{
    (void)state;
    enum { N = 100003 };   /* past the split threshold, not a multiple of 16 */
    rt_optim_spec spec = { RT_OPTIM_ADAM, 0.01f, 0.5f, 0.999f, 1e-8f, 0 };
    float *p[2], *g = malloc(N * sizeof *g);
    for (int i = 0; i < N; i++)
        g[i] = (float)((i * 7919) % 2003) / 1001.0f - 1.0f;
    for (int run = 0; run < 2; run++) {
        omp_set_num_threads(run ? 3 : 1);
        p[run] = malloc(N * sizeof *p[run]);
        for (int i = 0; i < N; i++)
            p[run][i] = (float)i / N;
        rt_optim o;
        rt_optim_init(&o, &spec, N);
        for (int step = 0; step < 3; step++)
            rt_optim_step(&o, p[run], g);
        rt_optim_free(&o);
    }
    assert_memory_equal(p[0], p[1], N * sizeof(float));
    assert_true(p[0][N - 1] != (float)(N - 1) / N);   /* the last block moved too */
    free(p[0]), free(p[1]), free(g);
}

/* eps = 1 makes eps placement visible: outside the sqrt, after bias
 * correction of v (torch), not inside it. */
static void test_adam_eps_after_sqrt(void **state)
{
    (void)state;
    rt_optim_spec spec = { RT_OPTIM_ADAM, 0.1f, 0.5f, 0.999f, 1.0f, 0 };
    rt_optim o;
    float p[3] = { 1.0f, -2.0f, 0.5f };
    double ref[3] = { 1.0, -2.0, 0.5 };
    rt_optim_init(&o, &spec, 3);
    rt_optim_step(&o, p, G1);
    assert_close(p[0], 1.0 - 0.1 * 0.5 / 1.5, 1e-6);
    rt_optim_step(&o, p, G2);
    adam_reference(ref, G1, G2, 3, 0.1, 0.5, 0.999, 1.0);
    const double torch[3] = { 0.9666666388511658, -2.001495838165283, 0.4999333918094635 };
    for (int i = 0; i < 3; i++) {
        assert_close(p[i], ref[i], 2e-6);
        assert_close(p[i], torch[i], 2e-6);
    }
    rt_optim_free(&o);
}

static void test_sgd_plain(void **state)
{
    (void)state;
    rt_optim_spec spec = { RT_OPTIM_SGD, 0.1f, 0, 0, 0, 0 };
    rt_optim o;
    float p[3] = { 1.0f, -2.0f, 0.5f };
    rt_optim_init(&o, &spec, 3);
    assert_null(o.m);
    rt_optim_step(&o, p, G1);
    rt_optim_step(&o, p, G2);
    assert_close(p[0], 1.0 - 0.1 * (0.5 - 0.25), 1e-6);
    assert_close(p[1], -2.0 - 0.1 * (-1.0 + 3.0), 1e-6);
    rt_optim_free(&o);
}

static void test_sgd_momentum(void **state)
{
    (void)state;
    rt_optim_spec spec = { RT_OPTIM_SGD, 0.1f, 0, 0, 0, 0.9f };
    rt_optim o;
    float p[3] = { 1.0f, -2.0f, 0.5f };
    const float g3[3] = { 1.0f, 1.0f, 1.0f };
    rt_optim_init(&o, &spec, 3);
    rt_optim_step(&o, p, G1);
    rt_optim_step(&o, p, G2);
    rt_optim_step(&o, p, g3);
    /* by hand for p[0]: buf 0.5, 0.2, 1.18; p 0.95, 0.93, 0.812 */
    assert_close(o.m[0], 1.18, 1e-6);
    const double torch[3] = { 0.812000036239624, -2.3989999294281006, 0.3998100161552429 };
    for (int i = 0; i < 3; i++)
        assert_close(p[i], torch[i], 2e-6);
    rt_optim_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adam_two_steps),
        cmocka_unit_test(test_adam_threads_same_bits),
        cmocka_unit_test(test_adam_eps_after_sqrt),
        cmocka_unit_test(test_sgd_plain),
        cmocka_unit_test(test_sgd_momentum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_rt_math.c - rt_math.h's branch-free tanh and exp against libm's
 * double-precision functions, over a dense sweep of floats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "kernels/rt_math.h"

/* |got - want| in units of the float spacing at want */
static double ulps(float got, double want)
{
    float w = fabsf((float)want);
    double spacing = w == 0.0f ? 1.4e-45 : (double)(nextafterf(w, INFINITY) - w);
    return fabs((double)got - want) / spacing;
}

static float from_bits(uint32_t b)
{
    float x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* every 61st float from 0 up to 10 (past where tanh rounds to 1), both
 * signs: 17 million values, the subnormals and the branch point 0.625
 * among them */
static void test_tanh_sweep(void **state)
{
    (void)state;
    double worst = 0.0;
    float worst_x = 0.0f;
    for (uint32_t b = 0; b <= 0x41200000u; b += 61)
        for (int sign = 0; sign < 2; sign++) {
            float x = sign ? -from_bits(b) : from_bits(b);
            double e = ulps(rt_tanhf(x), tanh((double)x));
            if (e > worst) {
                worst = e;
                worst_x = x;
            }
        }
    if (worst > 2.0)
        fail_msg("rt_tanhf is %.2f ulp off at %.9g (allowed: 2)", worst, (double)worst_x);
    /* the branch point itself and its neighbours */
    for (float x = 0.62f; x < 0.63f; x = nextafterf(x, 1.0f))
        assert_true(ulps(rt_tanhf(x), tanh((double)x)) <= 2.0);
}

static void test_tanh_special(void **state)
{
    (void)state;
    assert_true(isnan(rt_tanhf(NAN)));
    assert_true(rt_tanhf(INFINITY) == 1.0f);
    assert_true(rt_tanhf(-INFINITY) == -1.0f);
    assert_true(rt_tanhf(20.0f) == 1.0f);
    assert_true(rt_tanhf(0.0f) == 0.0f && !signbit(rt_tanhf(0.0f)));
    assert_true(rt_tanhf(-0.0f) == 0.0f && signbit(rt_tanhf(-0.0f)));
    assert_true(rt_tanhf(1e-30f) == 1e-30f);
    /* odd */
    for (float x = 0.01f; x < 12.0f; x *= 1.37f)
        assert_true(rt_tanhf(-x) == -rt_tanhf(x));
}

static void test_exp_sweep(void **state)
{
    (void)state;
    double worst = 0.0;
    float worst_t = 0.0f;
    /* 0 and every 61st float from 2^-20 to 88 */
    for (uint32_t b = 0x35800000u; b <= 0x42b00000u; b += 61) {
        float t = from_bits(b);
        double e = ulps(rt_exp_nonneg(t), exp((double)t));
        if (e > worst) {
            worst = e;
            worst_t = t;
        }
    }
    assert_true(rt_exp_nonneg(0.0f) == 1.0f);
    if (worst > 2.0)
        fail_msg("rt_exp_nonneg is %.2f ulp off at %.9g (allowed: 2)", worst, (double)worst_t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tanh_sweep),
        cmocka_unit_test(test_tanh_special),
        cmocka_unit_test(test_exp_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

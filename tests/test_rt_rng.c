/* test_rt_rng.c - rt_rng: reference values, determinism, streams, moments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "core/rt_rng.h"

/* First outputs of xoshiro256** seeded through splitmix64, computed with an
 * independent Python implementation of the reference algorithms. */
static void test_reference_values(void **state)
{
    (void)state;
    static const uint64_t seed0[] = { 0x99ec5f36cb75f2b4ull, 0xbf6e1f784956452aull,
                                      0x1a5f849d4933e6e0ull, 0x6aa594f1262d2d2cull };
    static const uint64_t seed42[] = { 0x15780b2e0c2ec716ull, 0x6104d9866d113a7eull,
                                       0xae17533239e499a1ull, 0xecb8ad4703b360a1ull };
    rt_rng a, b;
    rt_rng_seed(&a, 0);
    rt_rng_seed(&b, 42);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(rt_rng_u64(&a), seed0[i]);
        assert_int_equal(rt_rng_u64(&b), seed42[i]);
    }
}

static void test_same_seed_same_stream(void **state)
{
    (void)state;
    rt_rng a, b;
    rt_rng_seed(&a, 1234);
    rt_rng_seed(&b, 1234);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(rt_rng_u64(&a), rt_rng_u64(&b));
        assert_true(rt_rng_normal(&a) == rt_rng_normal(&b));
    }
    float x[101], y[101];
    rt_rng_fill_normal(&a, x, 101, 1, 2);
    rt_rng_fill_normal(&b, y, 101, 1, 2);
    assert_memory_equal(x, y, sizeof x);
}

static void test_streams_differ(void **state)
{
    (void)state;
    rt_rng a, b, c, d;
    rt_rng_seed(&a, 5);
    rt_rng_seed_stream(&b, 5, 0);
    rt_rng_seed_stream(&c, 5, 1);
    rt_rng_seed(&d, 6);
    uint64_t xa = rt_rng_u64(&a), xb = rt_rng_u64(&b), xc = rt_rng_u64(&c),
             xd = rt_rng_u64(&d);
    assert_int_equal(xa, xb);   /* stream 0 is the plain seed */
    assert_int_not_equal(xa, xc);
    assert_int_not_equal(xa, xd);
    assert_int_not_equal(xc, xd);
}

static void test_uniform_moments(void **state)
{
    (void)state;
    rt_rng r;
    rt_rng_seed(&r, 7);
    const int n = 200000;
    double sum = 0, sum2 = 0, lo = 1, hi = 0;
    for (int i = 0; i < n; i++) {
        double u = rt_rng_uniform(&r);
        sum += u;
        sum2 += u * u;
        lo = fmin(lo, u);
        hi = fmax(hi, u);
    }
    double mean = sum / n, var = sum2 / n - mean * mean;
    assert_true(lo >= 0 && hi < 1);
    assert_true(fabs(mean - 0.5) < 0.005);
    assert_true(fabs(var - 1.0 / 12) < 0.002);
}

static void test_normal_moments(void **state)
{
    (void)state;
    rt_rng r;
    rt_rng_seed(&r, 8);
    const int n = 200000;
    double sum = 0, sum2 = 0, sum4 = 0;
    int within1 = 0;
    for (int i = 0; i < n; i++) {
        double z = rt_rng_normal(&r);
        sum += z;
        sum2 += z * z;
        sum4 += z * z * z * z;
        within1 += fabs(z) < 1;
    }
    assert_true(fabs(sum / n) < 0.01);
    assert_true(fabs(sum2 / n - 1) < 0.02);
    assert_true(fabs(sum4 / n - 3) < 0.1);   /* Gaussian kurtosis */
    assert_true(fabs((double)within1 / n - 0.6827) < 0.005);
}

static void test_fill_ranges_and_moments(void **state)
{
    (void)state;
    rt_rng r;
    rt_rng_seed(&r, 9);
    static float x[100000];
    rt_rng_fill_uniform(&r, x, 100000, -3.0f, -1.0f);
    double sum = 0;
    for (int i = 0; i < 100000; i++) {
        assert_true(x[i] >= -3.0f && x[i] < -1.0f);
        sum += x[i];
    }
    assert_true(fabs(sum / 100000 + 2) < 0.01);
    rt_rng_fill_normal(&r, x, 100000, 5.0f, 0.5f);
    double s1 = 0, s2 = 0;
    for (int i = 0; i < 100000; i++) {
        s1 += x[i];
        s2 += (double)x[i] * x[i];
    }
    double mean = s1 / 100000, sd = sqrt(s2 / 100000 - mean * mean);
    assert_true(fabs(mean - 5) < 0.01);
    assert_true(fabs(sd - 0.5) < 0.01);
}

static void test_below_is_uniform_and_in_range(void **state)
{
    (void)state;
    rt_rng r;
    rt_rng_seed(&r, 10);
    int counts[7] = { 0 };
    for (int i = 0; i < 70000; i++) {
        uint64_t k = rt_rng_below(&r, 7);
        assert_true(k < 7);
        counts[k]++;
    }
    for (int k = 0; k < 7; k++)
        assert_true(abs(counts[k] - 10000) < 500);
    assert_int_equal(rt_rng_below(&r, 1), 0);
    uint64_t big = (1ull << 63) + 12345;   /* rejection path: threshold is large */
    for (int i = 0; i < 100; i++)
        assert_true(rt_rng_below(&r, big) < big);
}

/* A checkpoint keeps the state as text: the round trip continues the
 * stream exactly, Box-Muller's cached spare included; bad text is refused. */
static void test_state_text(void **state)
{
    (void)state;
    rt_rng a, b;
    rt_rng_seed(&a, 77);
    (void)rt_rng_normal(&a);   /* leaves a spare cached */
    char text[RT_RNG_TEXT];
    rt_rng_format(&a, text);
    assert_int_equal(strlen(text), RT_RNG_TEXT - 1);
    assert_int_equal(rt_rng_parse(text, &b), 0);
    for (int i = 0; i < 10; i++)
        assert_true(rt_rng_normal(&a) == rt_rng_normal(&b));
    assert_int_equal(rt_rng_parse("", &b), -1);
    text[5] = 'x';
    assert_int_equal(rt_rng_parse(text, &b), -1);
    rt_rng_format(&a, text);
    text[RT_RNG_TEXT - 2] = 0;   /* one digit short */
    assert_int_equal(rt_rng_parse(text, &b), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_values),
        cmocka_unit_test(test_state_text),
        cmocka_unit_test(test_same_seed_same_stream),
        cmocka_unit_test(test_streams_differ),
        cmocka_unit_test(test_uniform_moments),
        cmocka_unit_test(test_normal_moments),
        cmocka_unit_test(test_fill_ranges_and_moments),
        cmocka_unit_test(test_below_is_uniform_and_in_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_rt_mixture.c - PacGAN mixtures: centres, sampling, evaluation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "data/rt_mixture.h"

static void test_centres_and_sizes(void **state)
{
    (void)state;
    double x, y;
    assert_int_equal(rt_mixture_modes(RT_DATA_RING8), 8);
    assert_int_equal(rt_mixture_modes(RT_DATA_GRID25), 25);
    assert_true(rt_mixture_std(RT_DATA_RING8) == 0.01);
    assert_true(rt_mixture_std(RT_DATA_GRID25) == 0.05);
    rt_mixture_centre(RT_DATA_RING8, 2, &x, &y);
    assert_true(fabs(x) < 1e-12 && fabs(y - 1) < 1e-12);
    rt_mixture_centre(RT_DATA_RING8, 1, &x, &y);
    assert_true(fabs(x - sqrt(0.5)) < 1e-12 && fabs(y - sqrt(0.5)) < 1e-12);
    rt_mixture_centre(RT_DATA_GRID25, 0, &x, &y);
    assert_true(x == -4 && y == -4);
    rt_mixture_centre(RT_DATA_GRID25, 12, &x, &y);
    assert_true(x == 0 && y == 0);
    rt_mixture_centre(RT_DATA_GRID25, 24, &x, &y);
    assert_true(x == 4 && y == 4);
    assert_false(rt_mixture_is_kind(RT_DATA_CSV));
}

/* Real samples: every mode, ~98.9% within 3 std in 2D (1 - e^-4.5). */
static void check_real_samples(int kind)
{
    enum { N = 20000 };
    static float pts[2 * N];
    rt_rng r;
    rt_rng_seed(&r, 3);
    rt_mixture_sample(kind, &r, pts, N);
    rt_mixture_score s = rt_mixture_evaluate(kind, pts, N);
    assert_int_equal(s.modes_captured, rt_mixture_modes(kind));
    assert_int_equal(s.n_modes, rt_mixture_modes(kind));
    assert_true(fabs(s.hq_fraction - (1 - exp(-4.5))) < 0.005);
    assert_true(s.reverse_kl >= 0 && s.reverse_kl < 0.01);
    assert_int_equal(s.modes_well_covered, rt_mixture_modes(kind));
}

static void test_real_samples_score_well(void **state)
{
    (void)state;
    check_real_samples(RT_DATA_RING8);
    check_real_samples(RT_DATA_GRID25);
}

static void test_perfect_samples(void **state)
{
    (void)state;
    float pts[2 * 50];
    for (int i = 0; i < 50; i++) {
        double x, y;
        rt_mixture_centre(RT_DATA_GRID25, i % 25, &x, &y);
        pts[2 * i] = (float)x;
        pts[2 * i + 1] = (float)y;
    }
    rt_mixture_score s = rt_mixture_evaluate(RT_DATA_GRID25, pts, 50);
    assert_int_equal(s.modes_captured, 25);
    assert_true(s.hq_fraction == 1.0);
    assert_true(fabs(s.reverse_kl) < 1e-12);
}

static void test_collapsed_samples(void **state)
{
    (void)state;
    float pts[2 * 100];
    double x, y;
    rt_mixture_centre(RT_DATA_RING8, 3, &x, &y);
    for (int i = 0; i < 100; i++) {
        pts[2 * i] = (float)x + 0.001f * (float)(i % 5);
        pts[2 * i + 1] = (float)y;
    }
    rt_mixture_score s = rt_mixture_evaluate(RT_DATA_RING8, pts, 100);
    assert_int_equal(s.modes_captured, 1);
    assert_true(s.hq_fraction == 1.0);
    assert_true(fabs(s.reverse_kl - log(8.0)) < 1e-12);
}

static void test_uneven_and_low_quality(void **state)
{
    (void)state;
    /* 3 HQ points at mode 0 (1, 0), 1 at mode 2 (0, 1), 1 far away,
     * 1 NaN, 1 at 2.9 std and 1 at 3.1 std from mode 4 (-1, 0). */
    float pts[] = { 1, 0, 1.01f, 0, 0.99f, 0.005f, 0, 1, 5, 5, NAN, 0,
                    -1 + 0.029f, 0, -1 - 0.031f, 0 };
    rt_mixture_score s = rt_mixture_evaluate(RT_DATA_RING8, pts, 8);
    assert_int_equal(s.modes_captured, 3);
    assert_true(fabs(s.hq_fraction - 5.0 / 8) < 1e-12);
    double p0 = 3.0 / 5, p2 = 1.0 / 5, p4 = 1.0 / 5;
    double kl = p0 * log(p0 * 8) + p2 * log(p2 * 8) + p4 * log(p4 * 8);
    assert_true(fabs(s.reverse_kl - kl) < 1e-12);
}

/* count[m] points at the centre of ring mode m, for m < modes, then the
 * rest of the n points at `rest` */
static void points_at_modes(float *pts, size_t n, const int *count, int modes, float rest)
{
    size_t i = 0;
    for (int mode = 0; mode < modes; mode++)
        for (int c = 0; c < count[mode]; c++, i++) {
            double x, y;
            rt_mixture_centre(RT_DATA_RING8, mode, &x, &y);
            pts[2 * i] = (float)x;
            pts[2 * i + 1] = (float)y;
        }
    for (; i < n; i++)
        pts[2 * i] = pts[2 * i + 1] = rest;
}

/* 20 HQ points of 2,500 make a mode well covered, 19 do not; of 250
 * points, 2 do and 1 does not */
static void test_well_covered_modes(void **state)
{
    (void)state;
    static float pts[2 * 2500];
    const int at[4] = { 20, 19, 1, 60 }, at_few[3] = { 2, 1, 3 };
    points_at_modes(pts, 2500, at, 4, 9.0f);
    rt_mixture_score s = rt_mixture_evaluate(RT_DATA_RING8, pts, 2500);
    assert_int_equal(s.modes_captured, 4);
    assert_int_equal(s.modes_well_covered, 2);
    points_at_modes(pts, 250, at_few, 3, NAN);
    s = rt_mixture_evaluate(RT_DATA_RING8, pts, 250);
    assert_int_equal(s.modes_captured, 3);
    assert_int_equal(s.modes_well_covered, 2);
}

static void test_no_high_quality_point(void **state)
{
    (void)state;
    float pts[] = { 0, 0, 3, 3 };
    rt_mixture_score s = rt_mixture_evaluate(RT_DATA_RING8, pts, 2);
    assert_int_equal(s.modes_captured, 0);
    assert_int_equal(s.modes_well_covered, 0);
    assert_true(s.hq_fraction == 0);
    assert_true(isnan(s.reverse_kl));
    s = rt_mixture_evaluate(RT_DATA_RING8, NULL, 0);
    assert_int_equal(s.modes_captured, 0);
    assert_int_equal(s.n_modes, 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_centres_and_sizes),
        cmocka_unit_test(test_real_samples_score_well),
        cmocka_unit_test(test_perfect_samples),
        cmocka_unit_test(test_collapsed_samples),
        cmocka_unit_test(test_uneven_and_low_quality),
        cmocka_unit_test(test_well_covered_modes),
        cmocka_unit_test(test_no_high_quality_point),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

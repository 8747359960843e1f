/* test_rt_data.c - training data sources: mixtures, CSV epochs and
 * shuffling, refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/rt_data.h"
#include "data/rt_mixture.h"
#include "model/rt_model.h"

static char dir[64];
static char csv[160];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_rt_data_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(csv, sizeof csv, "%s/d.csv", dir);
    FILE *f = fopen(csv, "w");
    fprintf(f, "a,b\n");
    for (int i = 0; i < 5; i++)
        fprintf(f, "%d,%d\n", i, 10 * i);
    return fclose(f);
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

static const int SHAPE2[1] = { 2 };

static void test_ring8_batches_are_on_modes(void **state)
{
    (void)state;
    rt_rng r;
    rt_rng_seed(&r, 1);
    rt_err err;
    rt_data *d = rt_data_open(RT_DATA_RING8, NULL, 2, 1, SHAPE2, &r, &err);
    assert_non_null(d);
    assert_string_equal(rt_data_describe(d), "ring8");
    float batch[2 * 4000];
    rt_data_next_batch(d, batch, 4000);
    rt_mixture_score s = rt_mixture_evaluate(RT_DATA_RING8, batch, 4000);
    assert_int_equal(s.modes_captured, 8);
    assert_true(s.hq_fraction > 0.97);
    rt_data_close(d);
}

static void test_mixture_needs_two_floats(void **state)
{
    (void)state;
    rt_rng r;
    rt_rng_seed(&r, 1);
    rt_err err;
    const int shape[1] = { 3 };
    assert_null(rt_data_open(RT_DATA_GRID25, NULL, 3, 1, shape, &r, &err));
    assert_contains(err.msg, "grid25 data: expected a model whose samples are 2 floats");
    assert_contains(err.msg, "found 3");
}

/* Each epoch visits every row once; epochs come in different orders;
 * the same seed gives the same order. */
static void test_csv_epochs(void **state)
{
    (void)state;
    rt_rng r1, r2;
    rt_rng_seed(&r1, 2);
    rt_rng_seed(&r2, 2);
    rt_err err;
    rt_data *d = rt_data_open(RT_DATA_CSV, csv, 2, 1, SHAPE2, &r1, &err);
    rt_data *e = rt_data_open(RT_DATA_CSV, csv, 2, 1, SHAPE2, &r2, &err);
    assert_non_null(d);
    assert_non_null(e);
    assert_int_equal(rt_data_rows(d), 5);
    assert_contains(rt_data_describe(d), "d.csv (5 rows; line 1 skipped as a header)");
    int orders_differ = 0;
    float first[10] = { 0 };
    for (int epoch = 0; epoch < 6; epoch++) {
        float a[10], b[10];
        /* one epoch in two batches (3 + 2) */
        rt_data_next_batch(d, a, 3);
        rt_data_next_batch(d, a + 6, 2);
        rt_data_next_batch(e, b, 5);
        assert_memory_equal(a, b, sizeof a);
        int seen[5] = { 0 };
        for (int i = 0; i < 5; i++) {
            int row = (int)a[2 * i];
            assert_true(row >= 0 && row < 5);
            assert_true(a[2 * i + 1] == 10.0f * row);
            seen[row]++;
        }
        for (int i = 0; i < 5; i++)
            assert_int_equal(seen[i], 1);
        if (epoch == 0)
            memcpy(first, a, sizeof a);
        else
            orders_differ |= memcmp(first, a, sizeof a) != 0;
    }
    assert_true(orders_differ);
    /* a batch larger than the file wraps into the next epochs */
    float big[2 * 12];
    rt_data_next_batch(d, big, 12);
    rt_data_close(d);
    rt_data_close(e);
}

static void test_refusals(void **state)
{
    (void)state;
    rt_rng r;
    rt_rng_seed(&r, 1);
    rt_err err;
    const int img[3] = { 1, 28, 28 };
    assert_null(rt_data_open(RT_DATA_IDX, "train.gz", 784, 3, img, &r, &err));
    assert_contains(err.msg, "train.gz: cannot open");
    const int rgb[3] = { 3, 28, 28 };
    assert_null(rt_data_open(RT_DATA_IDX, "train.gz", 3 * 784, 3, rgb, &r, &err));
    assert_contains(err.msg, "IDX images are gray: expected a model data shape of [1, HEIGHT, WIDTH]");
    assert_null(rt_data_open(RT_DATA_PNG_DIR, "imgs/", 784, 3, img, &r, &err));
    assert_contains(err.msg, "imgs/: cannot open the image folder");
    const int two[3] = { 2, 28, 28 };
    assert_null(rt_data_open(RT_DATA_PNG_DIR, "imgs/", 2 * 784, 3, two, &r, &err));
    assert_contains(err.msg, "PNG images are gray or RGB");
    assert_null(rt_data_open(RT_DATA_CSV, NULL, 2, 1, SHAPE2, &r, &err));
    assert_contains(err.msg, "pass --data");
    const int three[1] = { 3 };
    assert_null(rt_data_open(RT_DATA_CSV, csv, 3, 1, three, &r, &err));
    assert_contains(err.msg, "d.csv:2: expected 3 comma-separated fields, found 2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring8_batches_are_on_modes),
        cmocka_unit_test(test_mixture_needs_two_floats),
        cmocka_unit_test(test_csv_epochs),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}

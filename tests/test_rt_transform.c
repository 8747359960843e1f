/* test_rt_transform.c - the image transforms of data sources
 * (data/rt_transform.h) against values worked out by hand: area
 * downsampling, nearest upsampling, fixed and random masks, Sobel edges of
 * step images, chains, and the shape checks that refuse a list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "data/rt_transform.h"

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

static void assert_floats(const float *got, const float *want, int n)
{
    for (int i = 0; i < n; i++)
        if (fabsf(got[i] - want[i]) > 1e-6f)
            fail_msg("value %d: got %g, expected %g", i, (double)got[i], (double)want[i]);
}

/* 1x4x6 -> 1x2x3: each output the mean of a 2x2 block */
static void test_downsample_means_blocks(void **state)
{
    (void)state;
    float in[24], out[6];
    for (int i = 0; i < 24; i++)
        in[i] = (float)i;   /* row y, column x: 6y + x */
    const rt_transform t = { RT_TRANSFORM_DOWNSAMPLE, { 2, 3 }, { 0, 0 }, 0 };
    rt_transform_one(&t, in, (const int[]){ 1, 4, 6 }, out, NULL);
    /* block (0,0): 0 1 6 7 -> 3.5; (0,1): 2 3 8 9 -> 5.5; (1,0): 12 13 18 19 -> 15.5 */
    const float want[6] = { 3.5f, 5.5f, 7.5f, 15.5f, 17.5f, 19.5f };
    assert_floats(out, want, 6);
    /* two channels, each on its own; a whole image to one pixel */
    float two[8] = { 1, 2, 3, 4, -1, -1, -1, 1 }, mean[2];
    const rt_transform all = { RT_TRANSFORM_DOWNSAMPLE, { 1, 1 }, { 0, 0 }, 0 };
    rt_transform_one(&all, two, (const int[]){ 2, 2, 2 }, mean, NULL);
    assert_floats(mean, (const float[]){ 2.5f, -0.5f }, 2);
}

/* Nearest: output (y, x) is input (y H / h, x W / w) rounded down */
static void test_upsample_nearest(void **state)
{
    (void)state;
    const float in[4] = { 1, 2, 3, 4 };
    float out[16], odd[9];
    const rt_transform t = { RT_TRANSFORM_UPSAMPLE, { 4, 4 }, { 0, 0 }, 0 };
    rt_transform_one(&t, in, (const int[]){ 1, 2, 2 }, out, NULL);
    const float want[16] = { 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4 };
    assert_floats(out, want, 16);
    const rt_transform t3 = { RT_TRANSFORM_UPSAMPLE, { 3, 3 }, { 0, 0 }, 0 };
    rt_transform_one(&t3, in, (const int[]){ 1, 2, 2 }, odd, NULL);
    /* rows 0 1 2 -> 0 0 1 (3 * 2 / 3 = 2 rows, rounded down) */
    assert_floats(odd, (const float[]){ 1, 1, 2, 1, 1, 2, 3, 3, 4 }, 9);
}

static void test_mask_box(void **state)
{
    (void)state;
    float in[2 * 3 * 4], out[2 * 3 * 4];
    for (int i = 0; i < 24; i++)
        in[i] = 0.5f;
    /* rows 1..2, columns 2..3 of both channels */
    const rt_transform t = { RT_TRANSFORM_MASK, { 2, 2 }, { 1, 2 }, -1.0f };
    rt_transform_one(&t, in, (const int[]){ 2, 3, 4 }, out, NULL);
    for (int c = 0; c < 2; c++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 4; x++) {
                int inside = y >= 1 && x >= 2;
                assert_true(out[(c * 3 + y) * 4 + x] == (inside ? -1.0f : 0.5f));
            }
    assert_true(in[6] == 0.5f);   /* the input is left alone */
}

/* A random mask lands where the rng says (row, then column), inside the
 * image; the same rng state gives the same place */
static void test_mask_random(void **state)
{
    (void)state;
    enum { H = 7, W = 9 };
    const rt_transform t = { RT_TRANSFORM_MASK_RANDOM, { 3, 2 }, { 0, 0 }, 2.0f };
    float in[H * W] = { 0 }, out[H * W];
    rt_rng r, copy;
    rt_rng_seed(&r, 11);
    int places = 0, seen[H][W] = { { 0 } };
    for (int draw = 0; draw < 200; draw++) {
        copy = r;
        int y0 = (int)rt_rng_below(&copy, H - 3 + 1), x0 = (int)rt_rng_below(&copy, W - 2 + 1);
        rt_transform_one(&t, in, (const int[]){ 1, H, W }, out, &r);
        assert_memory_equal(copy.s, r.s, sizeof r.s);   /* two draws, no more */
        int count = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++) {
                int inside = y >= y0 && y < y0 + 3 && x >= x0 && x < x0 + 2;
                assert_true(out[y * W + x] == (inside ? 2.0f : 0.0f));
                count += inside;
            }
        assert_int_equal(count, 6);
        places += !seen[y0][x0]++;
    }
    assert_true(places > 20);   /* 35 places: most of them taken in 200 draws */
}

/* A vertical step from -1 to 1 between columns 2 and 3: Sobel's gx is 8
 * (magnitude 1 after the division by 8) on both columns beside it, 0
 * elsewhere, top and bottom rows included (the border repeated). */
static void test_edges_of_a_step(void **state)
{
    (void)state;
    enum { H = 5, W = 6 };
    float in[H * W], out[H * W];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            in[y * W + x] = x < 3 ? -1.0f : 1.0f;
    const int s[3] = { 1, H, W };
    rt_transform t = { RT_TRANSFORM_EDGES, { 0, 0 }, { 0, 0 }, 0.99f };
    rt_transform_one(&t, in, s, out, NULL);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            assert_true(out[y * W + x] == (x == 2 || x == 3 ? 1.0f : -1.0f));
    t.value = 1.0f;   /* |g| / 8 = 1 is not over 1 */
    rt_transform_one(&t, in, s, out, NULL);
    for (int i = 0; i < H * W; i++)
        assert_true(out[i] == -1.0f);
    /* a half step (-1 to 0), turned: a horizontal edge of magnitude 0.5 */
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            in[y * W + x] = y < 2 ? -1.0f : 0.0f;
    t.value = 0.4f;
    rt_transform_one(&t, in, s, out, NULL);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            assert_true(out[y * W + x] == (y == 1 || y == 2 ? 1.0f : -1.0f));
    t.value = 0.6f;
    rt_transform_one(&t, in, s, out, NULL);
    for (int i = 0; i < H * W; i++)
        assert_true(out[i] == -1.0f);
}

/* A corner: one pixel of 1 at (0, 0) in a 3x3 field of -1.
 * (0, 0), rows and columns -1 repeated as 0: gx = (-1 - 2 - 1) - (1 + 2 - 1)
 * = -6, gy the same: |g| / 8 = 6 sqrt(2) / 8 = 1.061.
 * (1, 1): gx = (-1 - 2 - 1) - (1 - 2 - 1) = -2, gy the same: 2 sqrt(2) / 8
 * = 0.354.  (2, 2): only -1 around it: 0.  Thresholds either side of each. */
static void test_edges_of_a_corner(void **state)
{
    (void)state;
    float in[9], out[9];
    for (int i = 0; i < 9; i++)
        in[i] = -1;
    in[0] = 1;
    const int s[3] = { 1, 3, 3 };
    rt_transform t = { RT_TRANSFORM_EDGES, { 0, 0 }, { 0, 0 }, 1.05f };
    rt_transform_one(&t, in, s, out, NULL);
    assert_true(out[0] == 1.0f && out[4] == -1.0f && out[8] == -1.0f);
    t.value = 1.07f;
    rt_transform_one(&t, in, s, out, NULL);
    assert_true(out[0] == -1.0f);
    t.value = 0.35f;
    rt_transform_one(&t, in, s, out, NULL);
    assert_true(out[4] == 1.0f && out[8] == -1.0f);
    t.value = 0.36f;
    rt_transform_one(&t, in, s, out, NULL);
    assert_true(out[4] == -1.0f);
}

/* A chain is its transforms one after the other, in place too */
static void test_chain(void **state)
{
    (void)state;
    const rt_transform t[3] = {
        { RT_TRANSFORM_DOWNSAMPLE, { 2, 2 }, { 0, 0 }, 0 },
        { RT_TRANSFORM_UPSAMPLE, { 4, 4 }, { 0, 0 }, 0 },
        { RT_TRANSFORM_MASK, { 1, 4 }, { 3, 0 }, 9.0f },
    };
    float img[16], a[4], want[16], work[2 * 16];
    for (int i = 0; i < 16; i++)
        img[i] = (float)i;
    const int s[3] = { 1, 4, 4 }, s2[3] = { 1, 2, 2 };
    rt_transform_one(&t[0], img, s, a, NULL);
    rt_transform_one(&t[1], a, s2, want, NULL);
    for (int x = 0; x < 4; x++)
        want[12 + x] = 9.0f;
    assert_int_equal(rt_transform_max_size(t, 3, s), 16);
    rt_transform_chain(t, 3, s, img, img, work, NULL);
    assert_floats(img, want, 16);
    char text[128];
    assert_string_equal(rt_transform_describe(t, 3, text, sizeof text),
                        "downsample to 2x2, upsample to 4x4, mask 1x4 at (3, 0)");
    assert_int_equal(rt_transform_first_random(t, 3), 3);
}

/* The shape of a list, and every list it refuses, by transform */
static void test_shapes_and_refusals(void **state)
{
    (void)state;
    const int s[3] = { 1, 28, 28 };
    int out[3];
    rt_err err;
    const rt_transform ok[3] = {
        { RT_TRANSFORM_DOWNSAMPLE, { 14, 7 }, { 0, 0 }, 0 },
        { RT_TRANSFORM_MASK_RANDOM, { 14, 7 }, { 0, 0 }, -1 },
        { RT_TRANSFORM_EDGES, { 0, 0 }, { 0, 0 }, 0.5f },
    };
    assert_int_equal(rt_transform_shape(ok, 3, s, out, "data source 'a'", &err), 0);
    assert_true(out[0] == 1 && out[1] == 14 && out[2] == 7);
    assert_int_equal(rt_transform_first_random(ok, 3), 1);
    static const struct {
        rt_transform t;
        const char *msg;
    } bad[] = {
        { { RT_TRANSFORM_DOWNSAMPLE, { 10, 14 }, { 0, 0 }, 0 },
          "transform 1 (downsample): downsample to 10x14: expected a size that divides the "
          "image's 28x28" },
        { { RT_TRANSFORM_UPSAMPLE, { 20, 40 }, { 0, 0 }, 0 }, "upsample to 20x40: expected" },
        { { RT_TRANSFORM_MASK, { 8, 8 }, { 24, 0 }, 0 },
          "mask box at row 24, column 0, 8x8: expected a box of at least 1x1 inside the 28x28" },
        { { RT_TRANSFORM_MASK, { 8, 8 }, { -1, 0 }, 0 }, "inside the 28x28 image" },
        { { RT_TRANSFORM_MASK_RANDOM, { 29, 2 }, { 0, 0 }, 0 }, "fits the 28x28 image" },
        { { RT_TRANSFORM_EDGES, { 0, 0 }, { 0, 0 }, -0.5f }, "expected a threshold >= 0" },
        { { 42, { 0, 0 }, { 0, 0 }, 0 }, "unknown transform kind 42" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(rt_transform_shape(&bad[i].t, 1, s, out, "data source 'a'", &err), -1);
        assert_contains(err.msg, "data source 'a': transform 1");
        assert_contains(err.msg, bad[i].msg);
    }
    /* the second of two: its shape is the first's result */
    const rt_transform two[2] = { ok[0], { RT_TRANSFORM_MASK, { 1, 8 }, { 0, 0 }, 0 } };
    assert_int_equal(rt_transform_shape(two, 2, s, out, "x", &err), -1);
    assert_contains(err.msg, "transform 2 (mask)");
    assert_contains(err.msg, "inside the 14x7 image");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_downsample_means_blocks),
        cmocka_unit_test(test_upsample_nearest),
        cmocka_unit_test(test_mask_box),
        cmocka_unit_test(test_mask_random),
        cmocka_unit_test(test_edges_of_a_step),
        cmocka_unit_test(test_edges_of_a_corner),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_shapes_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

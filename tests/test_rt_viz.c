/* test_rt_viz.c - the drawing of viz/: nice ticks and their labels, the
 * log-scale decision, the font and text (the pixels of a glyph at 1x, 2x
 * and turned), anti-aliased lines (coverage across a stroke, translucent
 * joints), and a figure of charts written as a deflated PNG that decodes
 * (formats/rt_png_read.h) to the expected size and is not one flat colour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_tmpdir.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "formats/rt_png_read.h"
#include "viz/rt_chart.h"
#include "viz/rt_figure.h"
#include "viz/rt_font.h"
#include "viz/rt_line.h"
#include "viz/rt_text.h"
#include "viz/rt_ticks.h"

static const rt_rgb WHITE = { 255, 255, 255 }, BLACK = { 0, 0, 0 };


static int make_dir(void **state)
{
    (void)state;
    return tmpdir_make("test_rt_viz");
}

/* ---- ticks ---------------------------------------------------------------- */

static void assert_near(double a, double b)
{
    if (!(fabs(a - b) <= 1e-12 * fabs(b)))
        fail_msg("expected %.17g, found %.17g", b, a);
}

static void test_nice_step(void **state)
{
    (void)state;
    assert_near(rt_nice_step(0, 1, 6), 0.2);    /* 0, 0.2, ..., 1: six ticks */
    assert_near(rt_nice_step(0, 1, 5), 0.5);    /* 0.2 would make six */
    assert_near(rt_nice_step(0, 10, 6), 2);
    assert_near(rt_nice_step(0, 97, 6), 20);
    assert_near(rt_nice_step(0, 25000, 6), 5000);
    assert_near(rt_nice_step(-3, 7, 11), 1);
    assert_near(rt_nice_step(0.001, 0.0034, 5), 0.0005);
    assert_near(rt_nice_step(1.353, 1.366, 5), 0.005);
}

static void test_nice_ticks(void **state)
{
    (void)state;
    double t[16];
    assert_int_equal(rt_nice_ticks(0.05, 0.95, 5, t, 16), 4);   /* step 0.2 */
    assert_true(fabs(t[0] - 0.2) < 1e-12 && fabs(t[3] - 0.8) < 1e-12);
    /* -1, -0.5, 0, 0.5, 1 is 5 > 4: step 1; zero is exactly zero */
    assert_int_equal(rt_nice_ticks(-1, 1, 4, t, 16), 3);
    assert_true(t[0] == -1 && t[1] == 0 && t[2] == 1);
    assert_int_equal(rt_nice_ticks(-0.3, 0.3, 7, t, 16), 7);   /* step 0.1 */
    assert_true(t[3] == 0 && fabs(t[6] - 0.3) < 1e-12);
    /* cap respected */
    assert_int_equal(rt_nice_ticks(0, 100, 20, t, 3), 3);
}

static void test_log_ticks_and_decision(void **state)
{
    (void)state;
    double t[16];
    assert_int_equal(rt_log_ticks(0.003, 20, 8, t, 16), 4);
    assert_true(fabs(t[0] - 0.01) < 1e-15 && t[2] == 1 && t[3] == 10);
    /* twelve decades, at most 5 ticks: every third decade */
    assert_int_equal(rt_log_ticks(1e-6, 1e6, 5, t, 16), 5);
    assert_true(fabs(t[1] / 1e-3 - 1) < 1e-12);
    assert_true(rt_wants_log_scale(0.01, 10));        /* three decades */
    assert_true(rt_wants_log_scale(1e-4, 0.0101));
    assert_false(rt_wants_log_scale(0.2, 10));        /* under two */
    assert_false(rt_wants_log_scale(0, 100));         /* not all above 0 */
    assert_false(rt_wants_log_scale(-1, 1000));
}

static void test_tick_labels(void **state)
{
    (void)state;
    char s[32];
    rt_tick_label(0.25, 0.05, s, sizeof s);
    assert_string_equal(s, "0.25");
    rt_tick_label(20000, 5000, s, sizeof s);
    assert_string_equal(s, "20000");
    rt_tick_label(1.4, 0.2, s, sizeof s);
    assert_string_equal(s, "1.4");
    rt_tick_label(-1e-17, 0.5, s, sizeof s);   /* rounding noise around zero */
    assert_string_equal(s, "0.0");
    rt_tick_label(1e-5, 0, s, sizeof s);        /* a log axis */
    assert_string_equal(s, "1e-05");
    rt_tick_label(0.01, 0, s, sizeof s);
    assert_string_equal(s, "0.01");
    rt_tick_label(3e6, 1e6, s, sizeof s);
    assert_string_equal(s, "3e+06");
}

/* ---- font and text ---------------------------------------------------------- */

static const char *const GLYPH_A[RT_GLYPH_H] = {
    ".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#", ".....", ".....",
};

static void test_font(void **state)
{
    (void)state;
    const unsigned char *a = rt_font_glyph('A');
    for (int r = 0; r < RT_GLYPH_H; r++)
        for (int c = 0; c < RT_GLYPH_W; c++)
            assert_int_equal(a[r] >> (RT_GLYPH_W - 1 - c) & 1, GLYPH_A[r][c] == '#');
    assert_ptr_equal(rt_font_glyph(200), rt_font_glyph('?'));
    assert_ptr_equal(rt_font_glyph('\n'), rt_font_glyph('?'));
    const unsigned char *space = rt_font_glyph(' ');
    for (int r = 0; r < RT_GLYPH_H; r++)
        assert_int_equal(space[r], 0);
    /* every printable glyph but the space sets a pixel; g has a descender */
    for (int ch = 33; ch < 127; ch++) {
        int any = 0;
        for (int r = 0; r < RT_GLYPH_H; r++)
            any |= rt_font_glyph(ch)[r];
        assert_true(any);
    }
    assert_true(rt_font_glyph('g')[8] != 0);
}

static int is_black(const rt_canvas *c, int x, int y)
{
    const unsigned char *p = c->px + 3 * ((size_t)y * (size_t)c->w + (size_t)x);
    return p[0] == 0 && p[1] == 0 && p[2] == 0;
}

/* glyph A drawn at (x0, y0): every pixel as GLYPH_A says, at scale; `up`:
 * turned a quarter anticlockwise */
static void check_a(const rt_canvas *c, int x0, int y0, int scale, int up)
{
    for (int r = 0; r < RT_GLYPH_H; r++)
        for (int col = 0; col < RT_GLYPH_W; col++)
            for (int d = 0; d < scale * scale; d++) {
                int x = up ? x0 + r * scale : x0 + col * scale;
                int y = up ? y0 + (RT_GLYPH_W - 1 - col) * scale : y0 + r * scale;
                assert_int_equal(is_black(c, x + d % scale, y + d / scale),
                                 GLYPH_A[r][col] == '#');
            }
}

static void test_text_pixels(void **state)
{
    (void)state;
    assert_int_equal(rt_text_width("A", 1), 5);
    assert_int_equal(rt_text_width("AB", 1), 11);
    assert_int_equal(rt_text_width("AB", 2), 22);
    assert_int_equal(rt_text_width("", 2), 0);
    assert_int_equal(rt_text_height(2), 18);
    rt_canvas c;
    rt_canvas_init(&c, 60, 40, WHITE);
    rt_canvas_text(&c, 2, 1, "A", 1, BLACK);
    check_a(&c, 2, 1, 1, 0);
    rt_canvas_text(&c, 10, 1, "AA", 2, BLACK);
    check_a(&c, 10, 1, 2, 0);
    check_a(&c, 10 + 2 * RT_GLYPH_CELL_W, 1, 2, 0);
    rt_canvas_text_up(&c, 40, 2, "A", 1, BLACK);
    check_a(&c, 40, 2, 1, 1);
    /* the gap column between the two big glyphs stays white */
    for (int y = 0; y < 2 * RT_GLYPH_H; y++)
        assert_false(is_black(&c, 10 + 2 * RT_GLYPH_W, 1 + y));
    /* text clips to the canvas instead of writing past it */
    rt_canvas_text(&c, 55, 35, "WWW", 2, BLACK);
    rt_canvas_free(&c);
}

/* ---- lines ------------------------------------------------------------------ */

static int red(const rt_canvas *c, int x, int y)
{
    return c->px[3 * ((size_t)y * (size_t)c->w + (size_t)x)];
}

static void test_lines(void **state)
{
    (void)state;
    rt_canvas c;
    rt_canvas_init(&c, 20, 20, WHITE);
    /* 2 px wide along y = 5.5: full on row 5, half on rows 4 and 6, none beyond */
    rt_canvas_line(&c, 2, 5.5, 18, 5.5, 2, BLACK, 1.0);
    assert_int_equal(red(&c, 10, 5), 0);
    assert_in_range(red(&c, 10, 4), 126, 129);
    assert_in_range(red(&c, 10, 6), 126, 129);
    assert_int_equal(red(&c, 10, 3), 255);
    assert_int_equal(red(&c, 10, 7), 255);
    /* any slope: the diagonal covers the pixels it crosses, not the corners */
    rt_canvas_line(&c, 0, 0, 20, 20, 2, BLACK, 1.0);
    assert_int_equal(red(&c, 14, 14), 0);
    assert_int_equal(red(&c, 14, 2), 255);
    assert_int_equal(red(&c, 2, 14), 255);
    rt_canvas_free(&c);

    /* a translucent V: its joint no darker than its arms */
    rt_canvas_init(&c, 40, 20, WHITE);
    double xs[3] = { 5, 20, 35 }, ys[3] = { 15.5, 3.5, 15.5 };
    rt_canvas_polyline(&c, xs, ys, 3, 3, BLACK, 0.5);
    int arm = red(&c, 12, 9), joint = red(&c, 20, 3);
    assert_in_range(arm, 120, 135);
    assert_int_equal(joint, arm);
    /* clipped: nothing drawn outside the clip rectangle */
    rt_canvas_clip(&c, 0, 0, 10, 10);
    rt_canvas_line(&c, 0, 8.5, 40, 8.5, 3, BLACK, 1.0);
    rt_canvas_clip_off(&c);
    assert_int_equal(red(&c, 5, 8), 0);
    assert_int_equal(red(&c, 30, 8), 255);
    rt_canvas_free(&c);
}

/* ---- a figure of charts ---------------------------------------------------- */

static void test_figure_png(void **state)
{
    (void)state;
    enum { N = 300 };
    double x[N], loss[N], avg[N], falling[N], gappy[N];
    for (int i = 0; i < N; i++) {
        x[i] = 10.0 * (i + 1);
        loss[i] = 1 + 0.3 * sin(i * 0.7) + 0.2 * cos(i * 1.3);
        avg[i] = 1 + 0.05 * sin(i * 0.05);
        falling[i] = 10 * exp(-i / 30.0) + 0.001;   /* four decades: log scale */
        gappy[i] = i % 50 == 0 ? i / 50.0 : NAN;
    }
    rt_series s1[2] = {
        { "raw", x, loss, N, rt_chart_colour(0), 1.2, 0.3, 0 },
        { "moving average", x, avg, N, rt_chart_colour(0), 2.2, 1.0, 0 },
    };
    rt_series s2[1] = { { "g", x, falling, N, rt_chart_colour(1), 2, 1, 0 } };
    rt_series s3[1] = { { NULL, x, gappy, N, rt_chart_colour(2), 2, 1, 3 } };
    rt_chart charts[4] = {
        { "d_loss", "step", "d_loss", s1, 2, RT_SCALE_AUTO, 0, 0 },
        { "g_loss", "step", "g_loss", s2, 1, RT_SCALE_AUTO, 0, 0 },
        { "modes", "step", "modes", s3, 1, RT_SCALE_AUTO, 0, 3000 },
        { "empty", NULL, NULL, s3, 0, RT_SCALE_LOG, 0, 0 },
    };
    char path[128];
    snprintf(path, sizeof path, "%s/figure.png", dir);
    rt_err err = { "" };
    assert_int_equal(rt_figure_png(path, "a figure", charts, 4, rt_figure_cols(4), RT_PANEL_W,
                                   RT_PANEL_H, &err), 0);
    rt_png_image img;
    assert_int_equal(rt_png_read(path, &img, &err), 0);
    assert_int_equal(img.width, 2 * RT_PANEL_W);
    assert_int_equal(img.height, 28 + 2 * RT_PANEL_H);
    assert_int_equal(img.channels, 3);
    /* many colours (lines, text, grid, background), and deflated: far
     * smaller than its pixels */
    int seen[64] = { 0 }, distinct = 0;
    for (size_t i = 0; i < (size_t)img.width * img.height; i++) {
        const unsigned char *p = img.pixels + 3 * i;
        int key = (p[0] >> 6) << 4 | (p[1] >> 6) << 2 | p[2] >> 6;
        distinct += !seen[key]++;
    }
    assert_true(distinct >= 6);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true((size_t)st.st_size * 5 < (size_t)img.width * img.height * 3);
    free(img.pixels);

    /* an unwritable path is an error naming it */
    assert_int_equal(rt_figure_png("/nonexistent-dir/f.png", NULL, charts, 1, 1, RT_PANEL_W,
                                   RT_PANEL_H, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent-dir/f.png"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nice_step),
        cmocka_unit_test(test_nice_ticks),
        cmocka_unit_test(test_log_ticks_and_decision),
        cmocka_unit_test(test_tick_labels),
        cmocka_unit_test(test_font),
        cmocka_unit_test(test_text_pixels),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_figure_png),
    };
    return cmocka_run_group_tests(tests, make_dir, tmpdir_remove);
}

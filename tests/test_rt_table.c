/* test_rt_table.c - named numeric columns (formats/rt_table.h: log.csv's
 * header, empty fields, a row still being written, errors by line and
 * column) and the choice of columns for a picture of runs
 * (viz/rt_curves.h: step and the clock left out, shared columns only,
 * asked-for columns checked). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/rt_table.h"
#include "viz/rt_curves.h"

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

static int parse(const char *text, rt_table *t, rt_err *err)
{
    return rt_table_parse(text, strlen(text), "log.csv", t, err);
}

static void test_log_csv(void **state)
{
    (void)state;
    rt_table t;
    rt_err err = { "" };
    assert_int_equal(parse("step,d_loss,g_loss,seconds,modes\r\n"
                           "50,1.25,0.5,0.1,\r\n"
                           "\n"
                           "100, 1.5 ,-2e-3,0.2,8\n", &t, &err), 0);
    assert_int_equal(t.cols, 5);
    assert_int_equal(t.rows, 2);
    assert_string_equal(t.names[4], "modes");
    assert_int_equal(rt_table_column(&t, "g_loss"), 2);
    assert_int_equal(rt_table_column(&t, "nope"), -1);
    assert_true(rt_table_at(&t, 0, 1) == 1.25);
    assert_true(isnan(rt_table_at(&t, 0, 4)));   /* empty: missing */
    assert_true(rt_table_at(&t, 1, 1) == 1.5);
    assert_true(rt_table_at(&t, 1, 2) == -2e-3);
    assert_true(rt_table_at(&t, 1, 4) == 8);
    rt_table_free(&t);

    /* a header alone: no rows; a BOM skipped */
    assert_int_equal(parse("\xef\xbb\xbfstep,d_loss\n", &t, &err), 0);
    assert_int_equal(t.rows, 0);
    assert_string_equal(t.names[0], "step");
    rt_table_free(&t);
}

static void test_row_being_written(void **state)
{
    (void)state;
    rt_table t;
    rt_err err = { "" };
    /* the trainer is appending "150,1.3,0.4": the part read so far is left out */
    assert_int_equal(parse("step,d_loss,g_loss\n50,1,2\n100,1,2\n150,1.", &t, &err), 0);
    assert_int_equal(t.rows, 2);
    rt_table_free(&t);
    /* a last line without its newline but whole is a row */
    assert_int_equal(parse("step,d_loss,g_loss\n50,1,2\n100,1,2", &t, &err), 0);
    assert_int_equal(t.rows, 2);
    rt_table_free(&t);
}

static void test_errors(void **state)
{
    (void)state;
    rt_table t;
    rt_err err = { "" };
    assert_int_equal(parse("step,a,b\n1,2,3\n4,5\n7,8,9\n", &t, &err), -1);
    assert_contains(err.msg, "log.csv:3: 2 fields, expected 3");
    assert_int_equal(parse("step,a,b\n1,2,3,4\n", &t, &err), -1);
    assert_contains(err.msg, "log.csv:2: 4 fields, expected 3");
    assert_int_equal(parse("step,a,b\n\n1,x2,3\n", &t, &err), -1);
    assert_contains(err.msg, "log.csv:3: column 2 (a): 'x2' is not a finite number");
    assert_int_equal(parse("step,a\n1,nan\n", &t, &err), -1);
    assert_contains(err.msg, "log.csv:2: column 2 (a): 'nan'");
    assert_int_equal(parse("step,a,a\n", &t, &err), -1);
    assert_contains(err.msg, "log.csv:1: the header names column 'a' twice");
    assert_int_equal(parse("step,,b\n", &t, &err), -1);
    assert_contains(err.msg, "log.csv:1: column 2 of the header has no name");
    assert_int_equal(parse("\n  \n", &t, &err), -1);
    assert_contains(err.msg, "log.csv: empty: expected a header line");
    assert_int_equal(rt_table_parse("step\n1\0", 8, "bin.csv", &t, &err), -1);
    assert_contains(err.msg, "bin.csv: a NUL byte at offset 6");
    assert_int_equal(rt_table_read("/nonexistent/log.csv", &t, &err), -1);
    assert_contains(err.msg, "/nonexistent/log.csv");
}

static void test_columns(void **state)
{
    (void)state;
    rt_table a, b, c;
    rt_err err = { "" };
    assert_int_equal(parse("step,d_loss,g_loss,g_l1,seconds,modes\n1,1,1,1,0,\n", &a, &err), 0);
    assert_int_equal(parse("step,g_loss,d_loss,seconds\n1,1,1,0\n", &b, &err), 0);
    assert_int_equal(parse("step,x_loss,seconds\n1,1,0\n", &c, &err), 0);
    rt_curves_run runs[3] = { { "a", "a/log.csv", &a }, { "b", "b/log.csv", &b },
                              { "c", "c/log.csv", &c } };
    const char **cols;
    int n;
    /* one run: every column but step and seconds, in its order */
    assert_int_equal(rt_curves_columns(runs, 1, NULL, 0, &cols, &n, &err), 0);
    assert_int_equal(n, 4);
    assert_string_equal(cols[0], "d_loss");
    assert_string_equal(cols[2], "g_l1");
    assert_string_equal(cols[3], "modes");
    free(cols);
    /* two runs: the columns both have, in the first one's order */
    assert_int_equal(rt_curves_columns(runs, 2, NULL, 0, &cols, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(cols[0], "d_loss");
    assert_string_equal(cols[1], "g_loss");
    free(cols);
    /* nothing shared */
    assert_int_equal(rt_curves_columns(runs + 1, 2, NULL, 0, &cols, &n, &err), -1);
    assert_contains(err.msg, "share no column");
    assert_contains(err.msg, "b/log.csv");
    assert_contains(err.msg, "c/log.csv");
    /* asked for: in that order, every run must have them */
    const char *want[2] = { "g_loss", "d_loss" };
    assert_int_equal(rt_curves_columns(runs, 2, want, 2, &cols, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(cols[0], "g_loss");
    free(cols);
    const char *missing[1] = { "modes" };
    assert_int_equal(rt_curves_columns(runs, 2, missing, 1, &cols, &n, &err), -1);
    assert_contains(err.msg, "b/log.csv: no column 'modes' (its columns: step, g_loss");
    rt_table_free(&a);
    rt_table_free(&b);
    rt_table_free(&c);
    /* a log without step */
    assert_int_equal(parse("epoch,loss\n1,2\n", &a, &err), 0);
    runs[0].log = &a;
    assert_int_equal(rt_curves_columns(runs, 1, NULL, 0, &cols, &n, &err), -1);
    assert_contains(err.msg, "a/log.csv: no 'step' column");
    rt_table_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_csv),
        cmocka_unit_test(test_row_being_written),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

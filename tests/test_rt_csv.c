/* test_rt_csv.c - CSV loading (header, spacing, errors) and writing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/rt_csv.h"

static char dir[64];
static char path[128];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_rt_csv_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static const char *write_text(const char *name, const char *text)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

static void test_header_spaces_crlf_blank_lines(void **state)
{
    (void)state;
    const char *p = write_text("a.csv", "x,y,z\r\n1, 2 ,3\r\n\r\n-4.5,5e-1,  6\r\n\n");
    float *x = NULL;
    size_t rows = 0;
    rt_err err;
    assert_int_equal(rt_csv_load(p, 3, &x, &rows, NULL, &err), 0);
    assert_int_equal(rows, 2);
    const float want[] = { 1, 2, 3, -4.5f, 0.5f, 6 };
    assert_memory_equal(x, want, sizeof want);
    free(x);
}

static void test_no_header_many_rows(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "%s/big.csv", dir);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 3000; i++)
        fprintf(f, "%d,%d\n", i, -i);
    fclose(f);
    float *x;
    size_t rows;
    rt_err err;
    assert_int_equal(rt_csv_load(path, 2, &x, &rows, NULL, &err), 0);
    assert_int_equal(rows, 3000);
    assert_true(x[2 * 2999] == 2999 && x[2 * 2999 + 1] == -2999);
    free(x);
}

static void test_wrong_field_count(void **state)
{
    (void)state;
    const char *p = write_text("b.csv", "a,b\n1,2\n3\n");
    float *x = NULL;
    size_t rows;
    rt_err err;
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, NULL, &err), -1);
    assert_null(x);
    assert_contains(err.msg, "b.csv:3:");
    assert_contains(err.msg, "expected 2");
    assert_contains(err.msg, "found 1");
}

static void test_bad_number_and_nan(void **state)
{
    (void)state;
    float *x;
    size_t rows;
    rt_err err;
    const char *p = write_text("c.csv", "1,2\n3,abc\n");
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, NULL, &err), -1);
    assert_contains(err.msg, "c.csv:2: field 2");
    assert_contains(err.msg, "'abc'");
    p = write_text("d.csv", "1,2\nnan,1\n");
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, NULL, &err), -1);
    assert_contains(err.msg, "d.csv:2: field 1");
    p = write_text("e.csv", "1,,2\n");
    assert_int_equal(rt_csv_load(p, 3, &x, &rows, NULL, &err), -1);
    assert_contains(err.msg, "field 2");
}

static void test_empty_and_missing(void **state)
{
    (void)state;
    float *x;
    size_t rows;
    rt_err err;
    const char *p = write_text("f.csv", "x,y\n\n");
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, NULL, &err), -1);
    assert_contains(err.msg, "found none");
    assert_int_equal(rt_csv_load("/nonexistent/g.csv", 2, &x, &rows, NULL, &err), -1);
    assert_contains(err.msg, "/nonexistent/g.csv: cannot open");
}

static void test_write_roundtrips_exactly(void **state)
{
    (void)state;
    const float v[] = { 0.1f, -1e-30f, 3.14159274f, 123456789.0f, 1.0f / 3, -0.0f };
    snprintf(path, sizeof path, "%s/w.csv", dir);
    rt_err err;
    assert_int_equal(rt_csv_write(path, v, 2, 3, "a,b,c", &err), 0);
    float *x;
    size_t rows;
    assert_int_equal(rt_csv_load(path, 3, &x, &rows, NULL, &err), 0);
    assert_int_equal(rows, 2);
    assert_memory_equal(x, v, sizeof v);
    free(x);
    assert_int_equal(rt_csv_write("/nonexistent/w.csv", v, 2, 3, NULL, &err), -1);
    assert_contains(err.msg, "/nonexistent/w.csv.");
    assert_contains(err.msg, ".tmp: cannot create");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_spaces_crlf_blank_lines),
        cmocka_unit_test(test_no_header_many_rows),
        cmocka_unit_test(test_wrong_field_count),
        cmocka_unit_test(test_bad_number_and_nan),
        cmocka_unit_test(test_empty_and_missing),
        cmocka_unit_test(test_write_roundtrips_exactly),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}

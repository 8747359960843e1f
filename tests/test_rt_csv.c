/* test_rt_csv.c - CSV loading (header, spacing, errors; text only: NUL and
 * non-UTF-8 bytes refused by line and column, a BOM skipped, a header
 * reported, lines and rows bounded) and writing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_tmpdir.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "formats/rt_csv.h"

static char path[128];

static int make_dir(void **state)
{
    (void)state;
    return tmpdir_make("test_rt_csv");
}

static const char *write_bytes(const char *name, const char *bytes, size_t n)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
    return path;
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

/* A file that is not text is refused where it stops being text. */
static void test_not_text(void **state)
{
    (void)state;
    float *x = NULL;
    size_t rows;
    rt_err err;
    static const char nul[] = "1,2\n3,4\0 5\n6,7\n";
    const char *p = write_bytes("nul.csv", nul, sizeof nul - 1);
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, NULL, &err), -1);
    assert_contains(err.msg, "nul.csv:2:4: a NUL byte: expected text");
    p = write_bytes("zeros.csv", "\0\0\0\0", 4);   /* what /dev/zero would give */
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, NULL, &err), -1);
    assert_contains(err.msg, "zeros.csv:1:1: a NUL byte");
    /* invalid UTF-8, each named by the column of its first byte */
    const struct {
        const char *text, *msg;
    } bad[] = {
        { "x,y\n1,2\xe9\n", "bad.csv:2:4: byte 0xe9 is not UTF-8" },      /* Latin-1 */
        { "\xc3\xa9t\xc3\xa9,\xc0\x80\n1,2\n", "bad.csv:1:5: byte 0xc0" },   /* overlong */
        { "a,\xed\xa0\x80\n1,2\n", "bad.csv:1:3: byte 0xed" },               /* surrogate */
        { "a,\xf5\x80\x80\x80\n1,2\n", "bad.csv:1:3: byte 0xf5" },            /* > U+10FFFF */
        { "a,b\xe2\x82\n1,2\n", "bad.csv:1:4: byte 0xe2" },                   /* cut short */
        { "1,2\n\xff\xfe,3\n", "bad.csv:2:1: byte 0xff" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = write_text("bad.csv", bad[i].text);
        err.msg[0] = 0;
        assert_int_equal(rt_csv_load(p, 2, &x, &rows, NULL, &err), -1);
        assert_contains(err.msg, bad[i].msg);
    }
    /* UTF-8 in a header is text */
    size_t header;
    p = write_text("utf8.csv", "temp\xc3\xa9rature,\xe2\x82\xac,\xf0\x9f\x98\x80\n1,2,3\n");
    assert_int_equal(rt_csv_load(p, 3, &x, &rows, &header, &err), 0);
    assert_int_equal(rows, 1);
    assert_int_equal(header, 1);
    free(x);
}

/* A BOM is skipped (the first row stays data); a header is reported. */
static void test_bom_and_header(void **state)
{
    (void)state;
    float *x;
    size_t rows, header = 99;
    rt_err err;
    const char *p = write_text("bom.csv", "\xef\xbb\xbf" "1,2\n3,4\n");
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, &header, &err), 0);
    assert_int_equal(rows, 2);
    assert_int_equal(header, 0);
    assert_true(x[0] == 1 && x[3] == 4);
    free(x);
    p = write_text("bomh.csv", "\xef\xbb\xbf" "a,b\n\n1,2\n");
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, &header, &err), 0);
    assert_int_equal(rows, 1);
    assert_int_equal(header, 1);
    free(x);
    p = write_text("late.csv", "\n\n  \nx,y\n1,2\n");
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, &header, &err), 0);
    assert_int_equal(header, 4);
    free(x);
    /* a BOM anywhere else is not skipped */
    p = write_text("bom2.csv", "1,2\n\xef\xbb\xbf" "3,4\n");
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, &header, &err), -1);
    assert_contains(err.msg, "bom2.csv:2: field 1");
    /* no newline at the end */
    p = write_text("nonl.csv", "1,2\n3,4");
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, &header, &err), 0);
    assert_int_equal(rows, 2);
    free(x);
}

/* Lines and rows are bounded: a line past 1 MiB (and 64 bytes a column),
 * rows past --max-memory. */
static void test_bounds(void **state)
{
    (void)state;
    float *x;
    size_t rows;
    rt_err err;
    size_t n = ((size_t)1 << 20) + 200;
    char *line = malloc(n);
    memset(line, ' ', n);
    line[0] = '1';
    line[n - 2] = '2';
    line[n - 3] = ',';
    line[n - 1] = '\n';
    const char *p = write_bytes("long.csv", line, n);
    assert_int_equal(rt_csv_load(p, 2, &x, &rows, NULL, &err), -1);
    assert_contains(err.msg, "long.csv:1: a line longer than 1048704 bytes");
    free(line);
    snprintf(path, sizeof path, "%s/rows.csv", dir);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 5000; i++)
        fprintf(f, "%d,%d\n", i, i);
    fclose(f);
    rt_mem_set_max(20000);
    assert_int_equal(rt_csv_load(path, 2, &x, &rows, NULL, &err), -1);
    assert_contains(err.msg, "rows.csv: 4096 rows take 32768 bytes (32.0 KiB) of memory, more "
                             "than 19.5 KiB (--max-memory)");
    rt_mem_set_max(0);
    assert_int_equal(rt_csv_load(path, 2, &x, &rows, NULL, &err), 0);
    assert_int_equal(rows, 5000);
    free(x);
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
        cmocka_unit_test(test_not_text),
        cmocka_unit_test(test_bom_and_header),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, make_dir, tmpdir_remove);
}

/* test_rt_idx.c - the IDX reader (runtime/rt_idx.c): good files gzipped and
 * plain, and every broken case refused with a message naming the problem:
 * wrong magic, wrong dimensions, truncated data, corrupt gzip.  Also the
 * real Fashion-MNIST file when the Debian package is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "data/rt_idx.h"

static char path[64];

/* n images of h x w, pixel (i, k) = (i * 7 + k) % 256 */
static size_t make_idx(unsigned char *buf, int n, int h, int w, int ndim)
{
    size_t len = 0;
    buf[len++] = 0;
    buf[len++] = 0;
    buf[len++] = 8;
    buf[len++] = (unsigned char)ndim;
    int dims[3] = { n, h, w };
    for (int d = 0; d < ndim; d++)
        for (int s = 24; s >= 0; s -= 8)
            buf[len++] = (unsigned char)(dims[d] >> s);
    size_t values = ndim == 3 ? (size_t)n * h * w : (size_t)n;
    for (size_t i = 0; i < values; i++)
        buf[len++] = (unsigned char)((i * 7) % 256);
    return len;
}

static void write_file(const unsigned char *buf, size_t len, int gz)
{
    snprintf(path, sizeof path, "/tmp/ganc_test_idx_%d%s", (int)getpid(), gz ? ".gz" : "");
    if (gz) {
        gzFile f = gzopen(path, "wb9");
        assert_non_null(f);
        assert_int_equal(gzwrite(f, buf, (unsigned)len), (int)len);
        gzclose(f);
    } else {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(buf, 1, len, f), len);
        fclose(f);
    }
}

static void expect_error(int h, int w, const char *text)
{
    float *px = NULL;
    size_t n = 0;
    rt_err err;
    assert_int_equal(rt_idx_load_images(path, h, w, &px, &n, &err), -1);
    if (!strstr(err.msg, text) || !strstr(err.msg, path))
        fail_msg("expected an error with '%s' naming the file, got: %s", text, err.msg);
    unlink(path);
}

static void test_good_files(void **state)
{
    (void)state;
    static unsigned char buf[4096];
    for (int gz = 0; gz < 2; gz++) {
        size_t len = make_idx(buf, 3, 4, 5, 3);
        write_file(buf, len, gz);
        float *px;
        size_t n;
        rt_err err;
        assert_int_equal(rt_idx_load_images(path, 4, 5, &px, &n, &err), 0);
        assert_int_equal(n, 3);
        for (size_t i = 0; i < 60; i++)
            assert_float_equal(px[i], (float)((i * 7) % 256) / 127.5f - 1.0f, 1e-6);
        assert_float_equal(px[0], -1.0f, 0);
        free(px);
        unlink(path);
    }
    size_t len = make_idx(buf, 10, 0, 0, 1);
    write_file(buf, len, 1);
    uint8_t *labels;
    size_t n;
    rt_err err;
    assert_int_equal(rt_idx_load_labels(path, &labels, &n, &err), 0);
    assert_int_equal(n, 10);
    assert_int_equal(labels[3], 21);
    free(labels);
    unlink(path);
}

static void test_broken_files(void **state)
{
    (void)state;
    static unsigned char buf[4096];
    size_t len = make_idx(buf, 3, 4, 5, 3);
    write_file(buf, len - 7, 0);
    expect_error(4, 5, "truncated: expected 60 bytes of image pixels, found 53");
    write_file(buf, len - 7, 1);
    expect_error(4, 5, "truncated");
    write_file(buf, len, 0);
    expect_error(28, 28, "expected images of 28x28 (the model's data shape), found 4x5");
    buf[2] = 0x0d;                         /* float type */
    write_file(buf, len, 0);
    expect_error(4, 5, "not an IDX file of unsigned bytes");
    len = make_idx(buf, 3, 4, 5, 1);       /* a labels file given as images */
    write_file(buf, len, 0);
    expect_error(4, 5, "expected an IDX file of 3 dimensions (images), found 1");
    write_file(buf, 2, 0);
    expect_error(4, 5, "truncated: expected 4 bytes of the IDX magic");
    /* a gzip stream with its deflate data damaged */
    len = make_idx(buf, 3, 40, 5, 3);
    write_file(buf, len, 1);
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 30, SEEK_SET);
    unsigned char junk[16];
    memset(junk, 0xA5, sizeof junk);
    fwrite(junk, 1, sizeof junk, f);
    fclose(f);
    expect_error(40, 5, "");
    float *px;
    size_t n;
    rt_err err;
    assert_int_equal(rt_idx_load_images("/nonexistent/x.idx", 4, 5, &px, &n, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/x.idx: cannot open"));
}

static void test_fashion_mnist(void **state)
{
    (void)state;
    const char *real = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
    if (access(real, R_OK) != 0)
        skip();
    float *px;
    size_t n;
    rt_err err;
    assert_int_equal(rt_idx_load_images(real, 28, 28, &px, &n, &err), 0);
    assert_int_equal(n, 60000);
    float lo = 1, hi = -1;
    for (size_t i = 0; i < 16 * 784; i++) {
        lo = px[i] < lo ? px[i] : lo;
        hi = px[i] > hi ? px[i] : hi;
    }
    assert_float_equal(lo, -1.0f, 1e-6);   /* black background */
    assert_true(hi > 0.9f && hi <= 1.0f);
    free(px);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_files),
        cmocka_unit_test(test_broken_files),
        cmocka_unit_test(test_fashion_mnist),
    };
    return cmocka_run_group_tests_name("idx reader", tests, NULL, NULL);
}

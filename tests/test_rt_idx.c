/* test_rt_idx.c - the IDX reader (runtime/rt_idx.c) and the strict gzip
 * reading under it (runtime/rt_gz.c): good files gzipped and plain, in one
 * gzip member or several, and every broken case refused with a message
 * naming the problem: wrong magic, wrong dimensions, truncated data,
 * corrupt gzip, a gzip cut anywhere in its trailer or with bytes after it,
 * a wrong CRC or length, data after the images, a FIFO or a folder, a
 * count past --max-memory.  Also the real Fashion-MNIST file when the
 * Debian package is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "core/rt_alloc.h"
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

/* buf gzipped in one member, as gzip(1) writes it (header, deflate data,
 * CRC-32 and length trailer); returns its length */
static size_t gzip_member(const unsigned char *buf, size_t len, unsigned char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)buf;
    z.avail_in = (unsigned)len;
    z.next_out = out;
    z.avail_out = (unsigned)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    deflateEnd(&z);
    return n;
}

static void write_raw(const unsigned char *buf, size_t len)
{
    snprintf(path, sizeof path, "/tmp/ganc_test_idx_%d.gz", (int)getpid());
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
}

static void expect_ok(int h, int w, size_t want)
{
    float *px = NULL;
    size_t n = 0;
    rt_err err;
    if (rt_idx_load_images(path, h, w, &px, &n, &err) != 0)
        fail_msg("expected %s to load, got: %s", path, err.msg);
    assert_int_equal(n, want);
    free(px);
    unlink(path);
}

/* A gzip is read to its end: its trailer checked, nothing after it. */
static void test_gzip_to_the_end(void **state)
{
    (void)state;
    static unsigned char raw[4096], gz[8192], two[8192];
    size_t len = make_idx(raw, 3, 4, 5, 3);
    size_t n = gzip_member(raw, len, gz, sizeof gz);
    write_raw(gz, n);
    expect_ok(4, 5, 3);
    /* cut anywhere in the 8-byte trailer (CRC-32, then length), or before */
    for (size_t cut = 1; cut <= 12; cut++) {
        write_raw(gz, n - cut);
        expect_error(4, 5, cut <= 8 ? "truncated: the gzip data is cut short" : "truncated");
    }
    /* bytes after it */
    memcpy(gz + n, "\n", 1);
    write_raw(gz, n + 1);
    expect_error(4, 5, "1 byte after the end of the gzip data");
    memcpy(gz + n, "\x1f", 1);   /* half a magic */
    write_raw(gz, n + 1);
    expect_error(4, 5, "1 byte after the end of the gzip data");
    /* a wrong CRC, a wrong length */
    gz[n - 8] ^= 1;
    write_raw(gz, n);
    expect_error(4, 5, "corrupt compressed data after 76 bytes inflated: incorrect data check");
    gz[n - 8] ^= 1;
    gz[n - 4] ^= 1;
    write_raw(gz, n);
    expect_error(4, 5, "incorrect length check");
    gz[n - 4] ^= 1;
    /* several members in a row are one stream (cat a.gz b.gz) */
    size_t k = gzip_member(raw, 10, two, sizeof two);
    k += gzip_member(raw + 10, len - 10, two + k, sizeof two - k);
    write_raw(two, k);
    expect_ok(4, 5, 3);
    /* ... but a second member cut short is not */
    write_raw(two, k - 1);
    expect_error(4, 5, "truncated");
    /* data after the images, gzipped or not */
    raw[len] = 0;
    write_file(raw, len + 1, 1);
    expect_error(4, 5, "holds more data after image pixels: expected the file to end there");
    write_file(raw, len + 1, 0);
    expect_error(4, 5, "holds more data after image pixels");
    len = make_idx(raw, 10, 0, 0, 1);
    raw[len] = 1;
    write_file(raw, len + 1, 1);
    uint8_t *labels;
    rt_err err;
    assert_int_equal(rt_idx_load_labels(path, &labels, &n, &err), -1);
    assert_non_null(strstr(err.msg, "holds more data after labels"));
    unlink(path);
}

/* Not a regular file: refused before anything is read; a count past the
 * memory limit: refused before anything is allocated. */
static void test_refused_at_once(void **state)
{
    (void)state;
    float *px;
    size_t n;
    rt_err err;
    snprintf(path, sizeof path, "/tmp/ganc_test_idx_fifo_%d", (int)getpid());
    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(10);   /* a read of the FIFO would wait: fail instead */
    assert_int_equal(rt_idx_load_images(path, 4, 5, &px, &n, &err), -1);
    alarm(0);
    assert_non_null(strstr(err.msg, "expected a regular file, found a FIFO"));
    unlink(path);
    assert_int_equal(rt_idx_load_images("/tmp", 4, 5, &px, &n, &err), -1);
    assert_non_null(strstr(err.msg, "/tmp: expected a regular file, found a directory"));
    static unsigned char buf[4096];
    size_t len = make_idx(buf, 3, 4, 5, 3);
    buf[5] = 0x10;   /* claims 0x100003 images */
    write_file(buf, len, 1);
    rt_mem_set_max((size_t)10 << 20);
    float *none = NULL;
    int rc = rt_idx_load_images(path, 4, 5, &none, &n, &err);
    rt_mem_set_max(0);
    assert_int_equal(rc, -1);
    assert_null(none);
    assert_non_null(strstr(err.msg, "1048579 images take 83886320 bytes (80.0 MiB) of memory, "
                                    "more than 10.0 MiB (--max-memory)"));
    /* without a limit: it has 3 of them, truncated */
    expect_error(4, 5, "truncated: expected 20971580 bytes of image pixels, found 60");
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
        cmocka_unit_test(test_gzip_to_the_end),
        cmocka_unit_test(test_refused_at_once),
        cmocka_unit_test(test_fashion_mnist),
    };
    return cmocka_run_group_tests_name("idx reader", tests, NULL, NULL);
}

/* test_rt_npy.c - .npy write/read round trips, exact header bytes, corrupt
 * files, reading in pieces (rt_npy_open_f32) and a header written alone,
 * refusals before anything is read (a FIFO, a huge header, a dimension of
 * 2^62, quoted whole), and (when /usr/bin/python3 has numpy) numpy reading
 * our files and us reading numpy's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_tmpdir.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/rt_file.h"
#include "formats/rt_npy.h"

static char path[160];

static int make_dir(void **state)
{
    (void)state;
    return tmpdir_make("test_rt_npy");
}

static const char *file(const char *name)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void write_bytes(const char *p, const void *data, size_t n)
{
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static size_t read_bytes(const char *p, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* A v1.0 file with the given header dict and n data bytes of 0. */
static const char *craft(const char *name, int major, const char *dict, size_t data_bytes)
{
    unsigned char buf[1024] = { 0x93, 'N', 'U', 'M', 'P', 'Y', (unsigned char)major, 0 };
    size_t pre = major == 1 ? 10 : 12, hlen = strlen(dict);
    buf[8] = (unsigned char)hlen;
    buf[9] = (unsigned char)(hlen >> 8);
    memcpy(buf + pre, dict, hlen);
    write_bytes(file(name), buf, pre + hlen + data_bytes);
    return path;
}

static void test_roundtrip_and_header_bytes(void **state)
{
    (void)state;
    float x[6] = { 1, -2, 3.5f, 0, 1e-20f, -7 };
    size_t shape[2] = { 2, 3 };
    rt_err err;
    assert_int_equal(rt_npy_write_f32(file("a.npy"), x, 2, shape, &err), 0);
    unsigned char raw[256];
    size_t n = read_bytes(path, raw, sizeof raw);
    assert_int_equal(n, 128 + sizeof x);   /* 10 + 59-char dict + '\n' → 128 */
    assert_memory_equal(raw, "\x93NUMPY\x01\x00", 8);
    assert_int_equal(raw[8] | raw[9] << 8, 118);
    const char *dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    assert_memory_equal(raw + 10, dict, strlen(dict));
    assert_int_equal(raw[127], '\n');
    assert_int_equal(raw[126], ' ');

    float *y;
    int ndim;
    size_t got[RT_NPY_MAX_NDIM];
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), 0);
    assert_int_equal(ndim, 2);
    assert_int_equal(got[0], 2);
    assert_int_equal(got[1], 3);
    assert_memory_equal(y, x, sizeof x);
    free(y);
}

static void test_one_dim_zero_dim_and_4d(void **state)
{
    (void)state;
    float x[120];
    for (int i = 0; i < 120; i++)
        x[i] = (float)i;
    size_t s1[1] = { 5 }, s4[4] = { 2, 3, 4, 5 };
    unsigned char raw[1024];
    rt_err err;
    assert_int_equal(rt_npy_write_f32(file("v.npy"), x, 1, s1, &err), 0);
    read_bytes(path, raw, sizeof raw);
    assert_non_null(strstr((char *)raw + 10, "'shape': (5,), }"));

    float *y;
    int ndim;
    size_t got[RT_NPY_MAX_NDIM];
    assert_int_equal(rt_npy_write_f32(file("s.npy"), x + 7, 0, NULL, &err), 0);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), 0);
    assert_int_equal(ndim, 0);
    assert_true(y[0] == 7);
    free(y);
    assert_int_equal(rt_npy_write_f32(file("t.npy"), x, 4, s4, &err), 0);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), 0);
    assert_int_equal(ndim, 4);
    assert_int_equal(got[3], 5);
    assert_memory_equal(y, x, sizeof x);
    free(y);
}

static void test_corrupt_files(void **state)
{
    (void)state;
    float *y = NULL;
    int ndim;
    size_t got[RT_NPY_MAX_NDIM];
    rt_err err;
    float x[4] = { 1, 2, 3, 4 };
    size_t s[1] = { 4 };
    unsigned char raw[256];

    static const char bad_magic[] = "\x93NUMPX\x01\x00\x10\x00{}              ";
    write_bytes(file("magic.npy"), bad_magic, sizeof bad_magic - 1);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "magic.npy: not a .npy file");

    assert_int_equal(rt_npy_write_f32(file("trunc.npy"), x, 1, s, &err), 0);
    size_t n = read_bytes(path, raw, sizeof raw);
    write_bytes(path, raw, n - 3);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "needs 16 bytes of data, found 13");

    write_bytes(file("short.npy"), raw, 40);   /* header cut in the middle */
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "runs past the end");

    craft("f8.npy", 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", 16);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "expected dtype '<f4' (float32), found '<f8'");

    craft("fo.npy", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "fortran_order False, found True");

    craft("miss.npy", 1, "{'descr': '<f4', 'fortran_order': False}", 4);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "missing key 'shape'");

    craft("extra.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", 4);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "found 'x'");

    craft("shape.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -1), }", 8);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "expected a dimension");

    craft("v4.npy", 4, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", 4);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "expected npy version 1.0, 2.0 or 3.0, found 4.0");

    assert_int_equal(rt_npy_read_f32(file("none.npy"), &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "none.npy: cannot open");
    assert_null(y);
}

/* The sampler reads --latent a chunk at a time, and writes a .npy header
 * before the samples it generates. */
static void test_pieces(void **state)
{
    (void)state;
    float x[12], y[4];
    for (int i = 0; i < 12; i++)
        x[i] = (float)i;
    size_t shape[2] = { 6, 2 };
    rt_err err;
    FILE *f = fopen(file("pieces.npy"), "wb");
    rt_npy_write_header(f, 2, shape);
    fwrite(x, sizeof(float), 6, f);   /* in two writes */
    fwrite(x + 6, sizeof(float), 6, f);
    fclose(f);
    rt_npy_in in;
    assert_int_equal(rt_npy_open_f32(path, &in, &err), 0);
    assert_int_equal(in.ndim, 2);
    assert_int_equal(in.shape[0], 6);
    assert_int_equal(in.shape[1], 2);
    assert_int_equal(in.count, 12);
    assert_int_equal(in.data_at, 128);
    assert_int_equal(rt_read_at(in.fd, in.data_at + 5 * sizeof(float), y, sizeof y, path, &err), 0);
    assert_memory_equal(y, x + 5, sizeof y);
    close(in.fd);
    float *all;
    int ndim;
    size_t got[RT_NPY_MAX_NDIM];
    assert_int_equal(rt_npy_read_f32(path, &all, &ndim, got, &err), 0);
    assert_memory_equal(all, x, sizeof x);
    free(all);
}

static void test_refused_before_reading(void **state)
{
    (void)state;
    float *y = NULL;
    int ndim;
    size_t got[RT_NPY_MAX_NDIM];
    rt_err err;
    assert_int_equal(mkfifo(file("fifo.npy"), 0600), 0);
    alarm(10);   /* a read of the FIFO would wait: fail instead */
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    alarm(0);
    assert_contains(err.msg, "fifo.npy: expected a regular file, found a FIFO");
    craft("huge.npy", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': "
          "(4611686018427387904, 2), }", 0);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "huge.npy: npy header: expected a dimension below 2^40, found "
                             "'4611686018427387904,'");
    /* a version 2 header claiming 4 GiB: refused, not allocated */
    unsigned char v2[64] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0xff, 0xff, 0xff, 0xff };
    write_bytes(file("big_header.npy"), v2, sizeof v2);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), -1);
    assert_contains(err.msg, "npy header length 4294967295 runs past the end of the file");
    assert_null(y);
}

static void test_version_2_header(void **state)
{
    (void)state;
    float *y;
    int ndim;
    size_t got[RT_NPY_MAX_NDIM];
    rt_err err;
    craft("v2.npy", 2, "{\"descr\": \"<f4\", \"shape\": (3,), \"fortran_order\": False}\n", 12);
    assert_int_equal(rt_npy_read_f32(path, &y, &ndim, got, &err), 0);
    assert_int_equal(ndim, 1);
    assert_int_equal(got[0], 3);
    free(y);
}

static int have_numpy(void)
{
    return system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") == 0;
}

static void test_numpy_agrees(void **state)
{
    (void)state;
    if (!have_numpy())
        skip();
    float x[12];
    for (int i = 0; i < 12; i++)
        x[i] = 0.25f * (float)i - 1;
    size_t s[3] = { 2, 3, 2 };
    rt_err err;
    char ours[160], theirs[160], cmd[600];
    snprintf(ours, sizeof ours, "%s/ours.npy", dir);
    snprintf(theirs, sizeof theirs, "%s/theirs.npy", dir);
    assert_int_equal(rt_npy_write_f32(ours, x, 3, s, &err), 0);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import numpy as np, sys\n"
             "a = np.load('%s')\n"
             "ok = a.dtype == np.float32 and a.shape == (2, 3, 2) and "
             "(a.ravel() == np.arange(12, dtype=np.float32) * 0.25 - 1).all()\n"
             "np.save('%s', np.arange(20, dtype=np.float32).reshape(4, 5) / 8)\n"
             "sys.exit(0 if ok else 1)\"", ours, theirs);
    assert_int_equal(system(cmd), 0);
    float *y;
    int ndim;
    size_t got[RT_NPY_MAX_NDIM];
    assert_int_equal(rt_npy_read_f32(theirs, &y, &ndim, got, &err), 0);
    assert_int_equal(ndim, 2);
    assert_int_equal(got[0], 4);
    assert_int_equal(got[1], 5);
    assert_true(y[19] == 19.0f / 8);
    free(y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_and_header_bytes),
        cmocka_unit_test(test_one_dim_zero_dim_and_4d),
        cmocka_unit_test(test_corrupt_files),
        cmocka_unit_test(test_version_2_header),
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_refused_before_reading),
        cmocka_unit_test(test_numpy_agrees),
    };
    return cmocka_run_group_tests(tests, make_dir, tmpdir_remove);
}

/* test_rt_safetensors.c - write/read round trips, metadata, memory buffers,
 * refusals of damaged or hostile files, and (when /usr/bin/python3 has
 * numpy) an independent reader in Python. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_tmpdir.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/rt_safetensors.h"

static char path[160];

static int make_dir(void **state)
{
    (void)state;
    return tmpdir_make("test_rt_st");
}

static const char *file(const char *name)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static size_t read_bytes(const char *p, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void write_bytes(const char *p, const void *data, size_t n)
{
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* A file with the given header text (no padding added) and data_len bytes
 * of data 0, 1, 2, ... */
static const char *craft(const char *name, const char *header, size_t data_len)
{
    unsigned char buf[2048];
    size_t h = strlen(header);
    for (int i = 0; i < 8; i++)
        buf[i] = (unsigned char)((uint64_t)h >> (8 * i));
    memcpy(buf + 8, header, h);
    for (size_t i = 0; i < data_len; i++)
        buf[8 + h + i] = (unsigned char)i;
    write_bytes(file(name), buf, 8 + h + data_len);
    return path;
}

/* Expects opening the crafted file to fail with `why` in the message. */
static void refuse(const char *header, size_t data_len, const char *why)
{
    rt_st st;
    rt_err err;
    craft("bad.safetensors", header, data_len);
    if (rt_st_open_file(path, &st, &err) == 0) {
        rt_st_close(&st);
        fail_msg("accepted header %s", header);
    }
    assert_contains(err.msg, "bad.safetensors");
    assert_contains(err.msg, why);
}

static const float A[6] = { 1, 2, 3, 4, 5, 6 };
static const float B[3] = { -1.5f, 0, 1e30f };
static const int SA[2] = { 2, 3 }, SB[1] = { 3 };

static const char *write_sample(const char *name)
{
    rt_st_entry t[] = { { "net.a.weight", A, 2, SA }, { "net.b", B, 1, SB } };
    rt_st_kv meta[] = { { "format", "ganc-weights-1" }, { "note", "quote \" back \\ nl \n" } };
    rt_err err;
    if (rt_st_write(file(name), t, 2, meta, 2, &err) != 0)
        fail_msg("%s", err.msg);
    return path;
}

static void test_roundtrip(void **state)
{
    (void)state;
    const char *p = write_sample("w.safetensors");
    unsigned char raw[4096];
    size_t n = read_bytes(p, raw, sizeof raw);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | raw[i];
    assert_int_equal(hlen % 8, 0);
    assert_int_equal(n, 8 + hlen + sizeof A + sizeof B);
    assert_int_equal(raw[8], '{');
    assert_memory_equal(raw + 8 + hlen, A, sizeof A);   /* data in the given order */

    rt_st st;
    rt_err err;
    assert_int_equal(rt_st_open_file(p, &st, &err), 0);
    assert_int_equal(st.n_tensors, 2);
    const rt_st_tensor *t = rt_st_find(&st, "net.a.weight");
    assert_non_null(t);
    assert_string_equal(t->dtype, "F32");
    assert_int_equal(t->ndim, 2);
    assert_int_equal(t->shape[1], 3);
    assert_null(rt_st_find(&st, "net.c"));
    float a[6], b[3];
    assert_int_equal(rt_st_read_f32(&st, "net.a.weight", a, 2, SA, &err), 0);
    assert_int_equal(rt_st_read_f32(&st, "net.b", b, 1, SB, &err), 0);
    assert_memory_equal(a, A, sizeof A);
    assert_memory_equal(b, B, sizeof B);
    assert_string_equal(rt_st_meta(&st, "format"), "ganc-weights-1");
    assert_string_equal(rt_st_meta(&st, "note"), "quote \" back \\ nl \n");
    assert_null(rt_st_meta(&st, "nope"));
    rt_st_close(&st);
}

static void test_open_memory(void **state)
{
    (void)state;
    static unsigned char raw[4096];
    size_t n = read_bytes(write_sample("m.safetensors"), raw, sizeof raw);
    rt_st st;
    rt_err err;
    assert_int_equal(rt_st_open_memory(raw, n, "embedded", &st, &err), 0);
    float b[3];
    assert_int_equal(rt_st_read_f32(&st, "net.b", b, 1, SB, &err), 0);
    assert_memory_equal(b, B, sizeof B);
    rt_st_close(&st);
    /* every truncation of the buffer is refused, none crashes */
    for (size_t k = 0; k < n; k++) {
        if (rt_st_open_memory(raw, k, "embedded", &st, &err) == 0)
            fail_msg("accepted a buffer cut to %zu of %zu bytes", k, n);
        assert_contains(err.msg, "embedded");
    }
}

static void test_read_mismatches(void **state)
{
    (void)state;
    rt_st st;
    rt_err err;
    float a[6];
    assert_int_equal(rt_st_open_file(write_sample("r.safetensors"), &st, &err), 0);
    const int s32[2] = { 3, 2 }, s6[1] = { 6 };
    assert_int_equal(rt_st_read_f32(&st, "net.a.weight", a, 2, s32, &err), -1);
    assert_contains(err.msg, "tensor 'net.a.weight': expected shape [3, 2], found [2, 3]");
    assert_int_equal(rt_st_read_f32(&st, "net.a.weight", a, 1, s6, &err), -1);
    assert_contains(err.msg, "expected shape [6], found [2, 3]");
    assert_int_equal(rt_st_read_f32(&st, "net.z", a, 1, s6, &err), -1);
    assert_contains(err.msg, "expected a tensor named 'net.z', found none");
    rt_st_close(&st);

    craft("f16.safetensors",
          "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4);
    assert_int_equal(rt_st_open_file(path, &st, &err), 0);
    const int s2[1] = { 2 };
    assert_int_equal(rt_st_read_f32(&st, "h", a, 1, s2, &err), -1);
    assert_contains(err.msg, "tensor 'h': expected dtype F32, found F16");
    rt_st_close(&st);
}

static void test_refusals(void **state)
{
    (void)state;
    rt_st st;
    rt_err err;
    /* truncated file: the data section is shorter than the offsets say */
    unsigned char raw[4096];
    size_t n = read_bytes(write_sample("t.safetensors"), raw, sizeof raw);
    write_bytes(file("cut.safetensors"), raw, n - 4);
    assert_int_equal(rt_st_open_file(path, &st, &err), -1);
    assert_contains(err.msg, "cut.safetensors: tensor 'net.b': data_offsets [24, 36] are "
                    "outside the data section [0, 32]");
    write_bytes(file("tiny.safetensors"), raw, 5);
    assert_int_equal(rt_st_open_file(path, &st, &err), -1);
    assert_contains(err.msg, "expected at least 8 bytes");
    assert_int_equal(rt_st_open_file(file("missing.safetensors"), &st, &err), -1);
    assert_contains(err.msg, "missing.safetensors: cannot open");

    /* header length past the end of the file */
    raw[0] = 0xff;
    raw[1] = 0xff;
    write_bytes(file("hlen.safetensors"), raw, n);
    assert_int_equal(rt_st_open_file(path, &st, &err), -1);
    assert_contains(err.msg, "runs past the end of the file");

    const char *F = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                    "\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
    refuse(F, 12, "overlaps tensor 'x'");
    refuse("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
           "starts at byte 4, expected 0");
    refuse("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8,
           "tensors cover 4 bytes of data, the file has 8");
    refuse("{\"x\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 12,
           "F32 shape needs 16 bytes, data_offsets span 12");
    refuse("{\"x\":{\"dtype\":\"F31\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4,
           "expected a known dtype");
    refuse("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4,
           "shape[0]: expected an integer");
    refuse("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4,
           "outside the data section");
    refuse("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4,
           "expected \"data_offsets\" to be [begin, end]");
    refuse("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"q\":1}}", 4,
           "found 'q'");
    refuse("{\"__metadata__\":{\"a\":1}}", 0, "__metadata__[\"a\"]: expected a string");
    refuse("{\"x\":1}", 0, "tensor 'x': expected an object, found number");
    refuse("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
           "\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8,
           "appears twice");
    refuse("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],}}", 4,
           "JSON at byte");
    refuse("[]", 0, "expected the header to start with '{'");
}

static void test_empty_and_scalar_tensors(void **state)
{
    (void)state;
    const float one = 42;
    const int zero_shape[2] = { 0, 5 };
    rt_st_entry t[] = { { "scalar", &one, 0, NULL }, { "empty", NULL, 2, zero_shape } };
    rt_err err;
    assert_int_equal(rt_st_write(file("s.safetensors"), t, 2, NULL, 0, &err), 0);
    rt_st st;
    assert_int_equal(rt_st_open_file(path, &st, &err), 0);
    float x = 0;
    assert_int_equal(rt_st_read_f32(&st, "scalar", &x, 0, NULL, &err), 0);
    assert_true(x == 42);
    assert_int_equal(rt_st_read_f32(&st, "empty", &x, 2, zero_shape, &err), 0);
    rt_st_close(&st);
}

static void test_python_reads_it(void **state)
{
    (void)state;
    if (system("/usr/bin/python3 -c 'import numpy' 2>/dev/null") != 0)
        skip();
    const char *p = write_sample("py.safetensors");
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import json, struct, sys, numpy as np\n"
             "b = open('%s', 'rb').read()\n"
             "n = struct.unpack('<Q', b[:8])[0]\n"
             "h = json.loads(b[8:8 + n])\n"
             "meta = h.pop('__metadata__')\n"
             "t = {k: np.frombuffer(b[8 + n + v['data_offsets'][0]:8 + n + "
             "v['data_offsets'][1]], '<f4').reshape(v['shape']) for k, v in h.items()}\n"
             "ok = meta['format'] == 'ganc-weights-1' and t['net.a.weight'].shape == (2, 3) "
             "and t['net.a.weight'][1, 2] == 6 and t['net.b'][2] == np.float32(1e30) "
             "and all(v['dtype'] == 'F32' for v in h.values())\n"
             "sys.exit(0 if ok else 1)\"", p);
    assert_int_equal(system(cmd), 0);
}

/* Every single-bit flip and every truncation of a file ganc wrote is
 * refused: the checksum covers what the structural checks cannot (tensor
 * data, metadata values, names).  Crafted files without a checksum, as
 * other tools write them, still open. */
static void test_checksum(void **state)
{
    (void)state;
    const char *p = write_sample("c.safetensors");
    unsigned char raw[4096];
    size_t n = read_bytes(p, raw, sizeof raw);
    rt_st st;
    rt_err err;
    assert_int_equal(rt_st_open_memory(raw, n, "c", &st, &err), 0);
    assert_non_null(rt_st_meta(&st, RT_ST_CRC_KEY));
    rt_st_close(&st);
    for (size_t at = 8; at < n; at++)
        for (int bit = 0; bit < 8; bit++) {
            raw[at] ^= (unsigned char)(1 << bit);
            /* a flip may only be accepted where it changes nothing that is
             * read: header padding, or a hex digit's case in a \u escape */
            if (rt_st_open_memory(raw, n, "flip", &st, &err) == 0) {
                float a[6], b[3];
                int same = rt_st_read_f32(&st, "net.a.weight", a, 2, SA, &err) == 0 &&
                           rt_st_read_f32(&st, "net.b", b, 1, SB, &err) == 0 &&
                           !memcmp(a, A, sizeof A) && !memcmp(b, B, sizeof B) &&
                           st.n_meta == 3 && !strcmp(rt_st_meta(&st, "format"), "ganc-weights-1") &&
                           !strcmp(rt_st_meta(&st, "note"), "quote \" back \\ nl \n");
                rt_st_close(&st);
                if (!same)
                    fail_msg("a flip of bit %d at byte %zu was accepted", bit, at);
            }
            raw[at] ^= (unsigned char)(1 << bit);
        }
    raw[n - 1] ^= 0x40;   /* the last data byte */
    assert_int_equal(rt_st_open_memory(raw, n, "c", &st, &err), -1);
    assert_contains(err.msg, "c: checksum mismatch (stored ");
    raw[n - 1] ^= 0x40;
    for (size_t len = 0; len < n; len++)
        assert_int_equal(rt_st_open_memory(raw, len, "cut", &st, &err), -1);
    craft("plain.safetensors", "{\"t\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}",
          4);
    assert_int_equal(rt_st_open_file(path, &st, &err), 0);
    rt_st_close(&st);
}

/* Opened from a file, the data section is read when summed and when each
 * tensor is copied: every cut of the file is refused, a flipped data byte
 * fails the checksum, and a file cut after opening gives an error naming
 * the read, not a crash or stale data. */
static void test_file_reads_data_late(void **state)
{
    (void)state;
    const char *p = write_sample("late.safetensors");
    unsigned char raw[4096];
    size_t n = read_bytes(p, raw, sizeof raw);
    rt_st st;
    rt_err err;
    for (size_t len = 0; len < n; len++) {
        write_bytes(file("cut.safetensors"), raw, len);
        if (rt_st_open_file(path, &st, &err) != -1)
            fail_msg("a file cut to %zu of %zu bytes was accepted", len, n);
    }
    raw[n - 1] ^= 0x01;
    write_bytes(file("flip.safetensors"), raw, n);
    assert_int_equal(rt_st_open_file(path, &st, &err), -1);
    assert_contains(err.msg, "checksum mismatch");
    raw[n - 1] ^= 0x01;

    write_bytes(file("shrinks.safetensors"), raw, n);
    assert_int_equal(rt_st_open_file(path, &st, &err), 0);
    write_bytes(path, raw, n - 4);   /* cut while open: net.b loses its end */
    float b[3];
    assert_int_equal(rt_st_read_f32(&st, "net.b", b, 1, SB, &err), -1);
    assert_contains(err.msg, "shrank since it was opened");
    rt_st_close(&st);
}

/* Mapped, the file is checked like a buffer and tensors are read in place;
 * every cut of the file is refused with its name, as are a flipped byte,
 * a folder, and views with the wrong shape.  A tensor whose floats are not
 * aligned in the file has no view (the caller copies it). */
static void test_open_mapped(void **state)
{
    (void)state;
    const char *p = write_sample("map.safetensors");
    unsigned char raw[4096];
    size_t n = read_bytes(p, raw, sizeof raw);
    rt_st st;
    rt_err err;
    assert_int_equal(rt_st_open_mapped(p, &st, &err), 0);
    const float *a = NULL, *b = NULL;
    assert_int_equal(rt_st_view_f32(&st, "net.a.weight", 2, SA, &a, &err), 0);
    assert_int_equal(rt_st_view_f32(&st, "net.b", 1, SB, &b, &err), 0);
    assert_non_null(a);
    assert_memory_equal(a, A, sizeof A);
    assert_memory_equal(b, B, sizeof B);
    const unsigned char *lo = st.map, *hi = lo + st.map_len;
    assert_true((const unsigned char *)a >= lo && (const unsigned char *)(b + 3) <= hi);
    float copy[3];
    assert_int_equal(rt_st_read_f32(&st, "net.b", copy, 1, SB, &err), 0);
    assert_memory_equal(copy, B, sizeof B);
    const int s32[2] = { 3, 2 };
    assert_int_equal(rt_st_view_f32(&st, "net.a.weight", 2, s32, &a, &err), -1);
    assert_null(a);
    assert_contains(err.msg, "map.safetensors: tensor 'net.a.weight': expected shape [3, 2]");
    assert_int_equal(rt_st_view_f32(&st, "net.z", 1, SB, &a, &err), -1);
    assert_contains(err.msg, "expected a tensor named 'net.z'");
    rt_st_close(&st);

    /* opened from a file, there is nothing to view: 0 and NULL */
    assert_int_equal(rt_st_open_file(p, &st, &err), 0);
    b = B;
    assert_int_equal(rt_st_view_f32(&st, "net.b", 1, SB, &b, &err), 0);
    assert_null(b);
    rt_st_close(&st);

    for (size_t len = 0; len < n; len++) {
        write_bytes(file("mapcut.safetensors"), raw, len);
        if (rt_st_open_mapped(path, &st, &err) != -1)
            fail_msg("a file cut to %zu of %zu bytes was accepted", len, n);
        assert_contains(err.msg, "mapcut.safetensors");
    }
    raw[n - 1] ^= 0x01;
    write_bytes(file("mapflip.safetensors"), raw, n);
    assert_int_equal(rt_st_open_mapped(path, &st, &err), -1);
    assert_contains(err.msg, "mapflip.safetensors: checksum mismatch");
    assert_int_equal(rt_st_open_mapped(dir, &st, &err), -1);
    assert_contains(err.msg, "expected a regular file, found a directory");
    assert_int_equal(rt_st_open_mapped(file("none.safetensors"), &st, &err), -1);
    assert_contains(err.msg, "none.safetensors: cannot open");
    /* a regular file that cannot be mapped (a sysfs attribute, where there
     * is one): -2, so that the caller reads it instead */
    static const char *const unmappable[] = { "/sys/kernel/mm/transparent_hugepage/enabled",
                                              "/sys/kernel/profiling", "/sys/power/state" };
    for (size_t i = 0; i < sizeof unmappable / sizeof unmappable[0]; i++) {
        FILE *f = fopen(unmappable[i], "rb");
        if (!f)
            continue;
        fclose(f);
        assert_int_equal(rt_st_open_mapped(unmappable[i], &st, &err), -2);
        assert_contains(err.msg, "cannot map into memory");
        break;
    }

    /* a header padded so that the data starts at an odd byte: not float-aligned */
    char odd[80] = "{\"u\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    while ((8 + strlen(odd)) % 4 != 1)
        strcat(odd, " ");
    craft("odd.safetensors", odd, 4);
    assert_int_equal(rt_st_open_mapped(path, &st, &err), 0);
    const int s1[1] = { 1 };
    a = A;
    assert_int_equal(rt_st_view_f32(&st, "u", 1, s1, &a, &err), 0);
    assert_null(a);
    float u;
    assert_int_equal(rt_st_read_f32(&st, "u", &u, 1, s1, &err), 0);
    const unsigned char want[4] = { 0, 1, 2, 3 };
    assert_memory_equal(&u, want, 4);
    rt_st_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_reads_data_late),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_open_memory),
        cmocka_unit_test(test_read_mismatches),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_empty_and_scalar_tensors),
        cmocka_unit_test(test_python_reads_it),
        cmocka_unit_test(test_checksum),
        cmocka_unit_test(test_open_mapped),
    };
    return cmocka_run_group_tests(tests, make_dir, tmpdir_remove);
}

/* test_rt_png.c - the sampler's PNG encoder, linked from libganc_sample.a
 * (formats/rt_png.c with sample/rt_zlib_stored.c): its own checksums, file
 * structure (signature, chunk CRCs, IHDR), pixel round trip through an
 * independent stored-block decoder, Python's zlib decoding our stream, and
 * the two pictures (viz/rt_plot.c).  The trainer's deflated PNGs and zlib's
 * checksums are test_rt_png_read's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_tmpdir.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_zlib.h"
#include "formats/rt_png.h"
#include "kernels/rt_cpu.h"
#include "viz/rt_plot.h"

static char path[160];

static int make_dir(void **state)
{
    (void)state;
    return tmpdir_make("test_rt_png");
}

static const char *file(const char *name)
{
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static unsigned char *slurp(const char *p, size_t *n)
{
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(*n);
    assert_int_equal(fread(b, 1, *n, f), *n);
    fclose(f);
    return b;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Bitwise CRC-32, independent of the runtime's table version. */
static uint32_t crc_slow(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

typedef struct {
    int w, h, channels;
    unsigned char *pixels;   /* h rows of w*channels, filter bytes removed */
} image;

/* Walks the chunks (checking every CRC), inflates the stored blocks and
 * checks the Adler-32; fails the test on any inconsistency. */
static image decode(const char *p)
{
    size_t n;
    unsigned char *b = slurp(p, &n);
    assert_memory_equal(b, "\x89PNG\r\n\x1a\n", 8);
    image im = { 0, 0, 0, NULL };
    unsigned char *z = malloc(n);
    size_t zn = 0, pos = 8;
    int saw_end = 0;
    while (pos + 12 <= n && !saw_end) {
        uint32_t len = be32(b + pos);
        assert_true(pos + 12 + len <= n);
        assert_int_equal(be32(b + pos + 8 + len), crc_slow(b + pos + 4, len + 4));
        const unsigned char *type = b + pos + 4, *data = b + pos + 8;
        if (!memcmp(type, "IHDR", 4)) {
            im.w = (int)be32(data);
            im.h = (int)be32(data + 4);
            assert_int_equal(data[8], 8);
            im.channels = data[9] == 0 ? 1 : data[9] == 2 ? 3 : -1;
            assert_int_equal(data[12], 0);
        } else if (!memcmp(type, "IDAT", 4)) {
            memcpy(z + zn, data, len);
            zn += len;
        } else if (!memcmp(type, "IEND", 4)) {
            saw_end = 1;
        }
        pos += 12 + len;
    }
    assert_true(saw_end);
    assert_int_equal(pos, n);
    assert_int_equal((z[0] << 8 | z[1]) % 31, 0);
    size_t row = (size_t)im.w * (size_t)im.channels, raw_n = (row + 1) * (size_t)im.h;
    unsigned char *raw = malloc(raw_n);
    size_t o = 0, zp = 2;
    for (int last = 0; !last;) {
        last = z[zp] & 1;
        assert_int_equal(z[zp] >> 1, 0);   /* BTYPE 00: stored */
        size_t len = (size_t)(z[zp + 1] | z[zp + 2] << 8);
        assert_int_equal(len ^ 0xFFFF, (size_t)(z[zp + 3] | z[zp + 4] << 8));
        assert_true(o + len <= raw_n);
        memcpy(raw + o, z + zp + 5, len);
        o += len;
        zp += 5 + len;
    }
    assert_int_equal(o, raw_n);
    uint32_t a = 1, s2 = 0;
    for (size_t i = 0; i < raw_n; i++) {
        a = (a + raw[i]) % 65521;
        s2 = (s2 + a) % 65521;
    }
    assert_int_equal(be32(z + zp), s2 << 16 | a);
    assert_int_equal(zp + 4, zn);
    im.pixels = malloc(row * (size_t)im.h);
    for (int y = 0; y < im.h; y++) {
        assert_int_equal(raw[(size_t)y * (row + 1)], 0);
        memcpy(im.pixels + (size_t)y * row, raw + (size_t)y * (row + 1) + 1, row);
    }
    free(raw);
    free(z);
    free(b);
    return im;
}

static const unsigned char *px(const image *im, int x, int y)
{
    return im->pixels + ((size_t)y * (size_t)im->w + (size_t)x) * (size_t)im->channels;
}

static void test_checksums(void **state)
{
    (void)state;
    assert_int_equal(rt_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(rt_crc32(rt_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
    /* the table and the carry-less-multiply paths against the bit-by-bit
     * definition: every alignment and length around a word, a 16-byte block
     * and a 64-byte round */
    static unsigned char buf[700];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 37 + 11 + (i >> 8));
    for (int level = RT_CPU_BASE; level <= RT_CPU_AVX512; level++) {
        rt_cpu_level_cap((rt_cpu_level)level);
        for (int off = 0; off < 8; off++)
            for (int len = 0; len + off <= (int)sizeof buf; len += len < 200 ? 1 : 61) {
                uint32_t c = 0xFFFFFFFFu;
                for (int i = off; i < off + len; i++) {
                    c ^= buf[i];
                    for (int k = 0; k < 8; k++)
                        c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                }
                assert_int_equal(rt_crc32(0, buf + off, (size_t)len), ~c);
                /* chained, split inside a round */
                size_t cut = (size_t)len / 3;
                assert_int_equal(rt_crc32(rt_crc32(0, buf + off, cut), buf + off + cut,
                                          (size_t)len - cut), ~c);
            }
    }
    rt_cpu_level_cap(RT_CPU_AVX512);
    assert_int_equal(rt_adler32(1, "Wikipedia", 9), 0x11E60398u);
    static unsigned char big[100000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = 0xFF;   /* worst case for the deferred modulo */
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < sizeof big; i++) {
        a = (a + big[i]) % 65521;
        b = (b + a) % 65521;
    }
    assert_int_equal(rt_adler32(1, big, sizeof big), b << 16 | a);
}

static void test_small_rgb_and_gray(void **state)
{
    (void)state;
    const unsigned char rgb[2 * 3 * 3] = { 255, 0, 0, 0, 255, 0, 0, 0, 255,
                                           1, 2, 3, 4, 5, 6, 7, 8, 9 };
    rt_err err;
    assert_int_equal(rt_png_write(file("rgb.png"), rgb, 3, 2, 3, &err), 0);
    image im = decode(path);
    assert_int_equal(im.w, 3);
    assert_int_equal(im.h, 2);
    assert_int_equal(im.channels, 3);
    assert_memory_equal(im.pixels, rgb, sizeof rgb);
    free(im.pixels);

    const unsigned char gray[4] = { 0, 85, 170, 255 };
    assert_int_equal(rt_png_write(file("gray.png"), gray, 1, 4, 1, &err), 0);
    im = decode(path);
    assert_int_equal(im.channels, 1);
    assert_memory_equal(im.pixels, gray, 4);
    free(im.pixels);

    assert_int_equal(rt_png_write("/nonexistent/x.png", gray, 2, 2, 1, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/x.png."));
    assert_non_null(strstr(err.msg, ".tmp: cannot create"));
}

/* 300x300 RGB is 270,300 raw bytes: several stored blocks. */
static void test_large_image_and_python_zlib(void **state)
{
    (void)state;
    enum { W = 300, H = 300 };
    static unsigned char img[W * H * 3];
    for (size_t i = 0; i < sizeof img; i++)
        img[i] = (unsigned char)(i * 7 + i / 1000);
    rt_err err;
    assert_int_equal(rt_png_write(file("big.png"), img, W, H, 3, &err), 0);
    image im = decode(path);
    assert_memory_equal(im.pixels, img, sizeof img);
    free(im.pixels);

    if (system("/usr/bin/python3 -c 'import zlib' 2>/dev/null") != 0)
        skip();
    char cmd[1000];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import struct, sys, zlib\n"
             "b = open('%s', 'rb').read()\n"
             "pos, idat, ok = 8, b'', b[:8] == b'\\x89PNG\\r\\n\\x1a\\n'\n"
             "while pos < len(b):\n"
             "    n, = struct.unpack('>I', b[pos:pos + 4])\n"
             "    ok = ok and zlib.crc32(b[pos + 4:pos + 8 + n]) == "
             "struct.unpack('>I', b[pos + 8 + n:pos + 12 + n])[0]\n"
             "    if b[pos + 4:pos + 8] == b'IDAT': idat += b[pos + 8:pos + 8 + n]\n"
             "    pos += 12 + n\n"
             "raw = zlib.decompress(idat)\n"
             "rows = [raw[y * 901 + 1:(y + 1) * 901] for y in range(300)]\n"
             "ok = ok and len(raw) == 300 * 901 and all(raw[y * 901] == 0 for y in range(300))\n"
             "px = b''.join(rows)\n"
             "ok = ok and all(px[i] == (i * 7 + i // 1000) %% 256 for i in range(len(px)))\n"
             "sys.exit(0 if ok else 1)\"", path);
    assert_int_equal(system(cmd), 0);
}

static void test_scatter_plot(void **state)
{
    (void)state;
    const float real[] = { -0.5f, 0.5f };
    const float fake[] = { 0.5f, 0.5f, 9.0f, 9.0f };   /* the second is off the plot */
    rt_err err;
    assert_int_equal(rt_scatter_png(file("s.png"), real, 1, fake, 2, 1.0, &err), 0);
    image im = decode(path);
    assert_int_equal(im.w, 512);
    assert_int_equal(im.h, 512);
    assert_int_equal(im.channels, 3);
    const unsigned char *bg = px(&im, 5, 5), *axis = px(&im, 256, 5);
    const unsigned char *r = px(&im, 128, 128), *f = px(&im, 384, 128);
    assert_true(bg[0] > 240 && bg[1] > 240 && bg[2] > 240);   /* light background */
    assert_true(axis[0] < bg[0]);                              /* the y axis at x = 0 */
    assert_true(r[2] > r[0] && r[0] < 200);                    /* grey-blue real point */
    assert_true(f[0] > 200 && f[2] < 100);                     /* orange-red fake point */
    free(im.pixels);
}

static void test_image_grid(void **state)
{
    (void)state;
    /* three 1x2x2 images, 2 per row: a 2x2 grid with one empty cell */
    const float imgs[12] = { -1, 1, 0, 2, 1, 1, 1, 1, -5, -1, -1, -1 };
    rt_err err;
    assert_int_equal(rt_image_grid_png(file("g.png"), imgs, 3, 1, 2, 2, 2, &err), 0);
    image im = decode(path);
    assert_int_equal(im.w, 2 * (2 + 2) + 2);
    assert_int_equal(im.h, 2 * (2 + 2) + 2);
    assert_int_equal(im.channels, 1);
    assert_int_equal(*px(&im, 2, 2), 0);      /* -1 → 0 */
    assert_int_equal(*px(&im, 3, 2), 255);    /* 1 → 255 */
    assert_int_equal(*px(&im, 2, 3), 128);    /* 0 → 127.5, rounded */
    assert_int_equal(*px(&im, 3, 3), 255);    /* 2 clamps to 255 */
    assert_int_equal(*px(&im, 6, 2), 255);    /* second image, to the right */
    assert_int_equal(*px(&im, 2, 6), 0);      /* third image, next row: -5 clamps */
    assert_int_equal(*px(&im, 0, 0), 128);    /* padding */
    assert_int_equal(*px(&im, 6, 6), 128);    /* the empty cell stays padding */
    free(im.pixels);

    const float rgb[3 * 1 * 1] = { 1, -1, 0 };   /* one 3x1x1 image: R G B planes */
    assert_int_equal(rt_image_grid_png(file("c.png"), rgb, 1, 3, 1, 1, 8, &err), 0);
    im = decode(path);
    assert_int_equal(im.w, 5);
    assert_int_equal(im.channels, 3);
    const unsigned char *c = px(&im, 2, 2);
    assert_true(c[0] == 255 && c[1] == 0 && c[2] == 128);
    free(im.pixels);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checksums),
        cmocka_unit_test(test_small_rgb_and_gray),
        cmocka_unit_test(test_large_image_and_python_zlib),
        cmocka_unit_test(test_scatter_plot),
        cmocka_unit_test(test_image_grid),
    };
    return cmocka_run_group_tests(tests, make_dir, tmpdir_remove);
}

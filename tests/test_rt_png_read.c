/* test_rt_png_read.c - the PNG decoder and the png_dir loader
 * (runtime/formats/rt_png_read.c, rt_png_dir.c), and the trainer's side of
 * core/rt_zlib.h (train/rt_zlib_deflate.c: zlib's checksums, deflated PNGs).
 * Built twice (tests/tests.mk): test_rt_png_read links the trainer's
 * library, whose PNG decoder inflates with zlib; test_rt_png_read_sampler
 * (-DSAMPLER_INFLATE) links the sampler's, whose decoder inflates with the
 * runtime's own (sample/rt_inflate.c), and runs every test but the
 * trainer's checksums and compression.
 * Good images are encoded here with zlib and every row filter, in every
 * colour type and both bit depths, and must decode to the pixels they were
 * made from; broken ones (truncated at every length, bit-flipped, wrong
 * signature, interlaced, bad filter, wrong size or channels in a folder)
 * must be refused with a message naming the file.  The trainer's PNG writer
 * (rt_png.h, linked from libganc_train.a) must compress and round-trip too;
 * the sampler's stored-block writer is test_rt_png's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "core/rt_zlib.h"
#include "formats/rt_png_dir.h"
#include "formats/rt_png_read.h"
#include "formats/rt_png.h"

typedef struct {
    unsigned char *data;
    size_t len, cap;
} buf_t;

static void put(buf_t *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->data = realloc(b->data, b->cap);
        assert_non_null(b->data);
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

static void put32(buf_t *b, uint32_t v)
{
    unsigned char q[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 8), (unsigned char)v };
    put(b, q, 4);
}

static void chunk(buf_t *b, const char *type, const unsigned char *data, uint32_t n)
{
    put32(b, n);
    size_t at = b->len;
    put(b, type, 4);
    if (n)
        put(b, data, n);
    put32(b, (uint32_t)crc32(0, b->data + at, n + 4));
}

static int paeth(int a, int b, int c)
{
    int p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* A PNG of w x h with `samples` samples of `depth` bits per pixel in colour
 * type `color`; sample (y, x, s) is value(y, x, s); row y uses filter y % 5.
 * palette: n colours (color 3 only). */
static unsigned value(int y, int x, int s, int depth)
{
    unsigned v = (unsigned)(y * 37 + x * 11 + s * 71 + y * x);
    return depth == 16 ? (v * 257u + 13u) & 0xffff : v & 0xff;
}

static buf_t make_png(int w, int h, int color, int depth, int samples, int interlace,
                      int palette_n)
{
    buf_t b = { 0 };
    static const unsigned char sig[8] = { 137, 'P', 'N', 'G', '\r', '\n', 26, '\n' };
    put(&b, sig, 8);
    unsigned char ihdr[13] = { 0 };
    for (int i = 0; i < 4; i++) {
        ihdr[i] = (unsigned char)(w >> (24 - 8 * i));
        ihdr[4 + i] = (unsigned char)(h >> (24 - 8 * i));
    }
    ihdr[8] = (unsigned char)depth;
    ihdr[9] = (unsigned char)color;
    ihdr[12] = (unsigned char)interlace;
    chunk(&b, "IHDR", ihdr, 13);
    if (palette_n) {
        unsigned char pal[768];
        for (int i = 0; i < 3 * palette_n; i++)
            pal[i] = (unsigned char)(i * 5 + 1);
        chunk(&b, "PLTE", pal, (uint32_t)(3 * palette_n));
    }
    int bpp = (samples * depth + 7) / 8;   /* depth 4: a byte per pixel is enough here */
    size_t stride = (size_t)w * bpp;
    unsigned char *rows = calloc(h, stride), *raw = malloc(h * (stride + 1));
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int s = 0; s < samples; s++) {
                unsigned v = value(y, x, s, depth) % (palette_n ? (unsigned)palette_n : 65536u);
                unsigned char *p = rows + y * stride + (size_t)x * bpp + s * depth / 8;
                if (depth == 16) {
                    p[0] = (unsigned char)(v >> 8);
                    p[1] = (unsigned char)v;
                } else {
                    p[0] = (unsigned char)v;
                }
            }
    for (int y = 0; y < h; y++) {
        int f = y % 5;
        const unsigned char *cur = rows + y * stride, *up = y ? cur - stride : NULL;
        unsigned char *o = raw + y * (stride + 1);
        o[0] = (unsigned char)f;
        for (size_t i = 0; i < stride; i++) {
            int a = i >= (size_t)bpp ? cur[i - bpp] : 0, u = up ? up[i] : 0;
            int c = up && i >= (size_t)bpp ? up[i - bpp] : 0;
            int pred = f == 0 ? 0 : f == 1 ? a : f == 2 ? u : f == 3 ? (a + u) / 2 : paeth(a, u, c);
            o[1 + i] = (unsigned char)(cur[i] - pred);
        }
    }
    uLongf zlen = compressBound(h * (stride + 1));
    unsigned char *z = malloc(zlen);
    assert_int_equal(compress2(z, &zlen, raw, h * (stride + 1), 9), Z_OK);
    /* split the data over two IDAT chunks, as encoders may */
    chunk(&b, "tEXt", (const unsigned char *)"Comment\0test", 12);
    chunk(&b, "IDAT", z, (uint32_t)(zlen / 2));
    chunk(&b, "IDAT", z + zlen / 2, (uint32_t)(zlen - zlen / 2));
    chunk(&b, "IEND", NULL, 0);
    free(rows);
    free(raw);
    free(z);
    return b;
}

static void expect_refused(const buf_t *b, size_t len, const char *text)
{
    rt_png_image img;
    rt_err err;
    assert_int_equal(rt_png_decode(b->data, len, "bad.png", &img, &err), -1);
    assert_null(img.pixels);
    if (!strstr(err.msg, "bad.png: ") || !strstr(err.msg, text))
        fail_msg("expected an error naming bad.png with '%s', got: %s", text, err.msg);
}

static void test_colour_types_and_depths(void **state)
{
    (void)state;
    static const struct { int color, samples, out_channels; } kinds[] = {
        { 0, 1, 1 }, { 2, 3, 3 }, { 4, 2, 1 }, { 6, 4, 3 },
    };
    for (size_t k = 0; k < 4; k++)
        for (int depth = 8; depth <= 16; depth += 8) {
            buf_t b = make_png(13, 11, kinds[k].color, depth, kinds[k].samples, 0, 0);
            rt_png_image img;
            rt_err err;
            if (rt_png_decode(b.data, b.len, "good.png", &img, &err) != 0)
                fail_msg("colour %d depth %d: %s", kinds[k].color, depth, err.msg);
            assert_int_equal(img.width, 13);
            assert_int_equal(img.height, 11);
            assert_int_equal(img.channels, kinds[k].out_channels);
            for (int y = 0; y < 11; y++)
                for (int x = 0; x < 13; x++)
                    for (int c = 0; c < img.channels; c++) {
                        unsigned v = value(y, x, c, depth);
                        unsigned want = depth == 16 ? v >> 8 : v;
                        assert_int_equal(img.pixels[(y * 13 + x) * img.channels + c], want);
                    }
            free(img.pixels);
            free(b.data);
        }
}

static void test_palette(void **state)
{
    (void)state;
    buf_t b = make_png(9, 7, 3, 8, 1, 0, 40);
    rt_png_image img;
    rt_err err;
    assert_int_equal(rt_png_decode(b.data, b.len, "pal.png", &img, &err), 0);
    assert_int_equal(img.channels, 3);
    for (int y = 0; y < 7; y++)
        for (int x = 0; x < 9; x++) {
            unsigned idx = value(y, x, 0, 8) % 40;
            for (int c = 0; c < 3; c++)
                assert_int_equal(img.pixels[(y * 9 + x) * 3 + c], (unsigned char)((idx * 3 + c) * 5 + 1));
        }
    free(img.pixels);
    free(b.data);
    /* an index past the palette's end */
    b = make_png(9, 7, 3, 8, 1, 0, 0);
    expect_refused(&b, b.len, "palette image without PLTE chunk");
    free(b.data);
}

static void test_broken(void **state)
{
    (void)state;
    buf_t b = make_png(10, 6, 0, 8, 1, 0, 0);
    /* every truncation is refused, never read past the end */
    for (size_t len = 0; len < b.len; len++) {
        rt_png_image img;
        rt_err err;
        unsigned char *copy = malloc(len ? len : 1);
        memcpy(copy, b.data, len);
        assert_int_equal(rt_png_decode(copy, len, "cut.png", &img, &err), -1);
        assert_non_null(strstr(err.msg, "cut.png: "));
        free(copy);
    }
    expect_refused(&b, 20, "truncated PNG");
    /* a flipped bit anywhere after the signature fails a CRC or the structure */
    for (size_t at = 8; at < b.len; at += 3) {
        b.data[at] ^= 0x10;
        rt_png_image img;
        rt_err err;
        assert_int_equal(rt_png_decode(b.data, b.len, "flip.png", &img, &err), -1);
        b.data[at] ^= 0x10;
    }
    b.data[45] ^= 1;   /* inside the tEXt chunk's data */
    expect_refused(&b, b.len, "CRC mismatch in chunk 'tEXt'");
    b.data[45] ^= 1;
    b.data[1] = 'J';
    expect_refused(&b, b.len, "not a PNG file");
    free(b.data);

    b = make_png(10, 6, 0, 8, 1, 1, 0);
    expect_refused(&b, b.len, "interlaced PNG");
    free(b.data);
    b = make_png(10, 6, 0, 4, 1, 0, 0);
    expect_refused(&b, b.len, "4-bit gray PNG: expected 8-bit");
    free(b.data);
}

/* A bad filter byte and a wrong data length need a valid zlib stream. */
static void test_bad_image_data(void **state)
{
    (void)state;
    for (int bad = 0; bad < 3; bad++) {
        buf_t b = { 0 };
        static const unsigned char sig[8] = { 137, 'P', 'N', 'G', '\r', '\n', 26, '\n' };
        put(&b, sig, 8);
        unsigned char ihdr[13] = { 0, 0, 0, 4, 0, 0, 0, 2, 8, 0, 0, 0, 0 };
        chunk(&b, "IHDR", ihdr, 13);
        unsigned char raw[11] = { 0, 1, 2, 3, 4, 9, 1, 2, 3, 4, 5 };   /* filter 9 */
        uLongf zlen = 64;
        unsigned char z[64];
        uLong raw_len = bad == 1 ? 8 : bad == 2 ? 11 : 10;
        if (bad != 0)
            raw[5] = 0;
        compress2(z, &zlen, raw, raw_len, 9);
        chunk(&b, "IDAT", z, (uint32_t)zlen);
        chunk(&b, "IEND", NULL, 0);
        expect_refused(&b, b.len, bad == 0 ? "row 1 has filter type 9"
                                  : bad == 1 ? "inflates to 8 bytes, expected 10"
                                             : "inflates to more than 10 bytes, expected 10");
        free(b.data);
    }
}

static void write_file(const char *path, const buf_t *b)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b->data, 1, b->len, f), b->len);
    fclose(f);
}

static void test_folder(void **state)
{
    (void)state;
    char dir[64], p[128];
    snprintf(dir, sizeof dir, "/tmp/ganc_test_pngdir_%d", (int)getpid());
    rt_err err;
    float *px = NULL;
    size_t n = 0;
    assert_int_equal(rt_png_dir_load("/nonexistent/dir", 1, 6, 10, &px, &n, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/dir: cannot open the image folder"));
    assert_int_equal(mkdir(dir, 0755), 0);
    assert_int_equal(rt_png_dir_load(dir, 1, 6, 10, &px, &n, &err), -1);
    assert_non_null(strstr(err.msg, "expected PNG images (*.png) in this folder, found none"));

    buf_t gray = make_png(10, 6, 0, 8, 1, 0, 0), rgb = make_png(10, 6, 2, 8, 3, 0, 0);
    snprintf(p, sizeof p, "%s/b.png", dir);
    write_file(p, &gray);
    snprintf(p, sizeof p, "%s/a.PNG", dir);
    write_file(p, &rgb);
    snprintf(p, sizeof p, "%s/notes.txt", dir);
    write_file(p, &gray);
    /* colour into a gray model is refused; into RGB both load, gray repeated */
    assert_int_equal(rt_png_dir_load(dir, 1, 6, 10, &px, &n, &err), -1);
    assert_non_null(strstr(err.msg, "a.PNG: expected a gray image"));
    assert_int_equal(rt_png_dir_load(dir, 3, 6, 10, &px, &n, &err), 0);
    assert_int_equal(n, 2);
    /* a.PNG sorts first; channel-major floats in [-1, 1] */
    assert_float_equal(px[60 * 1 + 2 * 10 + 3], (float)value(2, 3, 1, 8) / 127.5f - 1, 1e-6);
    for (int c = 0; c < 3; c++)
        assert_float_equal(px[180 + 60 * c + 10 + 4], (float)value(1, 4, 0, 8) / 127.5f - 1,
                           1e-6);
    free(px);
    assert_int_equal(rt_png_dir_load(dir, 3, 28, 28, &px, &n, &err), -1);
    assert_non_null(strstr(err.msg, "a.PNG: expected a 28x28 image (the model's data shape), "
                                    "found 10x6"));
    /* a truncated file in the folder is named */
    snprintf(p, sizeof p, "%s/b.png", dir);
    gray.len -= 9;
    write_file(p, &gray);
    assert_int_equal(rt_png_dir_load(dir, 3, 6, 10, &px, &n, &err), -1);
    assert_non_null(strstr(err.msg, "b.png: truncated PNG"));

    /* the runtime's own writer round-trips through the reader */
    unsigned char pix[6 * 10 * 3];
    for (size_t i = 0; i < sizeof pix; i++)
        pix[i] = (unsigned char)(i * 13);
    assert_int_equal(rt_png_write(p, pix, 10, 6, 3, &err), 0);
    rt_png_image img;
    assert_int_equal(rt_png_read(p, &img, &err), 0);
    assert_memory_equal(img.pixels, pix, sizeof pix);
    free(img.pixels);

    unlink(p);
    snprintf(p, sizeof p, "%s/a.PNG", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/notes.txt", dir);
    unlink(p);
    rmdir(dir);
    free(gray.data);
    free(rgb.data);
}

#ifndef SAMPLER_INFLATE
/* The trainer's checksums are zlib's: the standard check values, chained
 * calls and empty buffers (which zlib alone would read as a reset). */
static void test_trainer_checksums(void **state)
{
    (void)state;
    assert_int_equal(rt_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(rt_crc32(rt_crc32(0, "1234", 4), "56789", 5), 0xCBF43926u);
    assert_int_equal(rt_crc32(0xCBF43926u, NULL, 0), 0xCBF43926u);
    assert_int_equal(rt_crc32(rt_crc32(0, "IEND", 4), NULL, 0), 0xAE426082u);
    assert_int_equal(rt_adler32(1, "Wikipedia", 9), 0x11E60398u);
    assert_int_equal(rt_adler32(0x11E60398u, NULL, 0), 0x11E60398u);
}

/* The trainer's streams are deflated: a flat 512x512 RGB picture (a scatter
 * plot's background) shrinks to a small fraction, and zlib inflates every
 * stream, the empty one included, back to its bytes. */
static void test_trainer_deflate(void **state)
{
    (void)state;
    enum { N = 512 * 513 * 3 };
    unsigned char *raw = malloc(N), *back = malloc(N);
    for (size_t i = 0; i < N; i++)
        raw[i] = i % 7919 < 40 ? (unsigned char)(i * 31) : 250;
    size_t n;
    unsigned char *z = rt_zlib_encode(raw, N, &n);
    assert_true(n < N / 20);
    uLongf back_n = N;
    assert_int_equal(uncompress(back, &back_n, z, n), Z_OK);
    assert_int_equal(back_n, N);
    assert_memory_equal(back, raw, N);
    free(z);
    z = rt_zlib_encode(raw, 0, &n);
    back_n = N;
    assert_int_equal(uncompress(back, &back_n, z, n), Z_OK);
    assert_int_equal(back_n, 0);
    free(z);

    /* a PNG from the trainer's writer: compressed, and the reader gets the pixels */
    char p[64];
    snprintf(p, sizeof p, "/tmp/ganc_test_deflate_%d.png", (int)getpid());
    rt_err err;
    assert_int_equal(rt_png_write(p, raw, 512, 512, 3, &err), 0);
    struct stat sb;
    assert_int_equal(stat(p, &sb), 0);
    assert_true(sb.st_size < 512 * 513 * 3 / 20);
    rt_png_image img;
    assert_int_equal(rt_png_read(p, &img, &err), 0);
    assert_int_equal(img.width, 512);
    assert_int_equal(img.channels, 3);
    assert_memory_equal(img.pixels, raw, 512 * 512 * 3);
    free(img.pixels);
    unlink(p);
    free(raw);
    free(back);
}

#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
#ifndef SAMPLER_INFLATE
        cmocka_unit_test(test_trainer_checksums),
        cmocka_unit_test(test_trainer_deflate),
#endif
        cmocka_unit_test(test_colour_types_and_depths),
        cmocka_unit_test(test_palette),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_bad_image_data),
        cmocka_unit_test(test_folder),
    };
#ifdef SAMPLER_INFLATE
    return cmocka_run_group_tests_name("png reader, the sampler's inflate", tests, NULL, NULL);
#else
    return cmocka_run_group_tests_name("png reader", tests, NULL, NULL);
#endif
}

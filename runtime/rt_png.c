/* rt_png.c - PNG encoder with stored deflate blocks (see rt_png.h). */
#include "rt_png.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_alloc.h"
#include "rt_file.h"
#include "rt_le.h"

#define STORED_MAX 65535   /* deflate stored blocks hold at most 65535 bytes */

/* The zlib stream of raw (filter byte + row bytes) in stored blocks. */
static unsigned char *zlib_stored(const unsigned char *raw, size_t n, size_t *out_len)
{
    size_t blocks = n / STORED_MAX + 1;
    unsigned char *z = rt_xmalloc(2 + n + 5 * blocks + 4);
    size_t o = 0;
    z[o++] = 0x78;   /* CMF: deflate, 32 KiB window */
    z[o++] = 0x01;   /* FLG: no dictionary, (0x7801 % 31 == 0) */
    for (size_t pos = 0; pos < n || o == 2; ) {
        size_t len = n - pos < STORED_MAX ? n - pos : STORED_MAX;
        z[o++] = pos + len == n;   /* BFINAL, BTYPE 00 */
        rt_put_le16(z + o, (uint16_t)len);
        rt_put_le16(z + o + 2, (uint16_t)~len);
        o += 4;
        memcpy(z + o, raw + pos, len);
        o += len;
        pos += len;
    }
    rt_put_be32(z + o, rt_adler32(1, raw, n));
    *out_len = o + 4;
    return z;
}

static void write_chunk(FILE *f, const char *type, const unsigned char *data, size_t n)
{
    unsigned char be[4];
    rt_put_be32(be, (uint32_t)n);
    fwrite(be, 1, 4, f);
    uint32_t crc = rt_crc32(0, type, 4);
    crc = rt_crc32(crc, data, n);
    fwrite(type, 1, 4, f);
    if (n)
        fwrite(data, 1, n, f);
    rt_put_be32(be, crc);
    fwrite(be, 1, 4, f);
}

int rt_png_write(const char *path, const unsigned char *pixels, int w, int h,
                 int channels, rt_err *err)
{
    assert(w > 0 && h > 0 && (channels == 1 || channels == 3));
    size_t row = (size_t)w * (size_t)channels;
    size_t raw_len = (row + 1) * (size_t)h;
    unsigned char *raw = rt_xmalloc(raw_len);
    for (int y = 0; y < h; y++) {
        raw[(size_t)y * (row + 1)] = 0;   /* filter: none */
        memcpy(raw + (size_t)y * (row + 1) + 1, pixels + (size_t)y * row, row);
    }
    size_t z_len;
    unsigned char *z = zlib_stored(raw, raw_len, &z_len);
    free(raw);

    unsigned char ihdr[13];
    rt_put_be32(ihdr, (uint32_t)w);
    rt_put_be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;                          /* bit depth */
    ihdr[9] = channels == 1 ? 0 : 2;      /* colour type: gray / RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0;   /* deflate, filter 0, no interlace */

    rt_wfile f;
    int rc = rt_wfile_open(&f, path, err);
    if (rc == 0) {
        fwrite("\x89PNG\r\n\x1a\n", 1, 8, f.f);
        write_chunk(f.f, "IHDR", ihdr, sizeof ihdr);
        write_chunk(f.f, "IDAT", z, z_len);
        write_chunk(f.f, "IEND", NULL, 0);
        rc = rt_wfile_commit(&f, err);
    }
    free(z);
    return rc;
}

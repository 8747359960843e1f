/* rt_png.c - PNG encoder (see rt_png.h). */
#include "formats/rt_png.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"
#include "core/rt_file.h"
#include "core/rt_le.h"
#include "core/rt_zlib.h"

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
    rt_assert(w > 0 && h > 0 && (channels == 1 || channels == 3));
    size_t row = (size_t)w * (size_t)channels;
    size_t raw_len = (row + 1) * (size_t)h;
    unsigned char *raw = rt_xmalloc(raw_len);
    for (int y = 0; y < h; y++) {
        raw[(size_t)y * (row + 1)] = 0;   /* filter: none */
        memcpy(raw + (size_t)y * (row + 1) + 1, pixels + (size_t)y * row, row);
    }
    size_t z_len;
    unsigned char *z = rt_zlib_encode(raw, raw_len, &z_len);
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

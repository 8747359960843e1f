/* rt_zlib_deflate.c - the trainer's CRC-32, Adler-32 and zlib streams, from
 * zlib (see core/rt_zlib.h): the trainer links it anyway (gzipped IDX
 * files, PNG decoding), so its PNGs are compressed and its checksums are
 * zlib's.  Only libganc_train.a holds this file; the sampler's library has
 * the runtime's own (sample/rt_zlib_stored.c).
 * zlib takes lengths as uInt, so buffers go in pieces of at most 1 GiB,
 * and reads a NULL buffer as a request for the initial value, so empty
 * buffers (a PNG's IEND chunk) never reach it. */
#include "core/rt_zlib.h"

#include <stdlib.h>
#include <zlib.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"

#define PIECE ((size_t)1 << 30)

uint32_t rt_crc32(uint32_t crc, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    uLong c = crc;
    if (n == 0)
        return crc;
    for (; n > PIECE; p += PIECE, n -= PIECE)
        c = crc32(c, p, (uInt)PIECE);
    return (uint32_t)crc32(c, p, (uInt)n);
}

uint32_t rt_adler32(uint32_t adler, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    uLong a = adler;
    if (n == 0)
        return adler;
    for (; n > PIECE; p += PIECE, n -= PIECE)
        a = adler32(a, p, (uInt)PIECE);
    return (uint32_t)adler32(a, p, (uInt)n);
}

/* zlib's allocations go through the runtime's seam (rt_alloc.h) */
static voidpf zalloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return rt_xcalloc(items, size);
}

static void zfree(voidpf opaque, voidpf p)
{
    (void)opaque;
    free(p);
}

/* One deflate stream at zlib's default level: the pictures are mostly flat
 * background or enlarged pixels, which compress many times over. */
unsigned char *rt_zlib_encode(const unsigned char *raw, size_t n, size_t *out_len)
{
    z_stream z = { .zalloc = zalloc, .zfree = zfree };
    int rc = deflateInit(&z, Z_DEFAULT_COMPRESSION);
    rt_assert(rc == Z_OK);
    size_t cap = deflateBound(&z, (uLong)n), left_in = n, left_out = cap;
    unsigned char *out = rt_xmalloc(cap);
    z.next_in = (Bytef *)raw;
    z.next_out = out;
    do {
        uInt in = (uInt)(left_in < PIECE ? left_in : PIECE);
        uInt room = (uInt)(left_out < PIECE ? left_out : PIECE);
        z.avail_in = in;
        z.avail_out = room;
        rc = deflate(&z, in == left_in ? Z_FINISH : Z_NO_FLUSH);
        left_in -= in - z.avail_in;
        left_out -= room - z.avail_out;
    } while (rc == Z_OK);
    rt_assert(rc == Z_STREAM_END);   /* deflateBound leaves room for all of it */
    *out_len = cap - left_out;
    deflateEnd(&z);
    return out;
}

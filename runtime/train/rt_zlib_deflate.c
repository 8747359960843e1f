/* rt_zlib_deflate.c - the trainer's CRC-32, Adler-32 and zlib streams, from
 * zlib (see core/rt_zlib.h): the trainer links it anyway (gzipped IDX
 * files), so its PNGs are compressed, its checksums are zlib's and the PNGs
 * it trains on are inflated by zlib.  Only libganc_train.a holds this file;
 * the sampler's library has the runtime's own (sample/rt_zlib_stored.c,
 * sample/rt_inflate.c).
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

/* The answer for what inflate() left: rc, and whether the byte past `want`
 * (the one-byte buffer after out) was written. */
static rt_zlib_status status_of(int rc, int past_want, size_t got, size_t want,
                                const char *msg, const char **why)
{
    *why = NULL;
    if (past_want)
        return RT_ZLIB_LONG;
    if (rc == Z_STREAM_END)
        return got == want ? RT_ZLIB_OK : RT_ZLIB_SHORT;
    if (rc == Z_BUF_ERROR)
        return RT_ZLIB_CUT;   /* no progress: all the input is used */
    *why = rc == Z_NEED_DICT ? "needs a preset dictionary" : msg ? msg : "zlib error";
    return RT_ZLIB_CORRUPT;
}

/* zlib counts in unsigned int: input and output go in pieces of at most
 * 1 GiB.  Once out is full, one more byte of room (`extra`) tells a stream
 * of exactly `want` bytes from a longer one. */
rt_zlib_status rt_zlib_decode(const unsigned char *z, size_t n, unsigned char *out,
                              size_t want, size_t *got, const char **why)
{
    z_stream s = { .zalloc = zalloc, .zfree = zfree };
    int rc = inflateInit(&s);
    rt_assert(rc == Z_OK);
    unsigned char extra;
    size_t in_at = 0, out_at = 0;
    int past_want = 0;
    while (rc == Z_OK && !past_want) {
        if (s.avail_in == 0 && in_at < n) {
            size_t piece = n - in_at < PIECE ? n - in_at : PIECE;
            s.next_in = (Bytef *)z + in_at;
            s.avail_in = (uInt)piece;
            in_at += piece;
        }
        if (s.avail_out == 0) {
            size_t piece = want - out_at < PIECE ? want - out_at : PIECE;
            s.next_out = piece ? out + out_at : &extra;
            s.avail_out = piece ? (uInt)piece : 1;
            out_at += piece;
        }
        rc = inflate(&s, Z_NO_FLUSH);
        past_want = out_at == want && s.next_out == &extra + 1;
        if (rc == Z_BUF_ERROR && (s.avail_in > 0 || in_at < n))
            rc = Z_OK;   /* out of room only: the next round gives more */
    }
    *got = past_want ? want : (size_t)s.total_out;
    rt_zlib_status st = status_of(rc, past_want, *got, want, s.msg, why);
    inflateEnd(&s);
    return st;
}

/* rt_zlib.h - CRC-32, Adler-32 and zlib streams: one interface, one
 * implementation in each runtime library.
 *
 * The formats need these (PNG: a CRC-32 per chunk and a zlib stream of the
 * pixels, written and read; safetensors: ganc's CRC-32 of header and
 * data), and the two programs link different things:
 *   - the trainer links zlib, so libganc_train.a has train/rt_zlib_deflate.c:
 *     zlib's crc32 and adler32, streams compressed by deflate and read by
 *     inflate;
 *   - the sampler links libc and libm only, so libganc_sample.a has
 *     sample/rt_zlib_stored.c: the runtime's own CRC-32 (tables, or
 *     carry-less multiplication where the CPU has it) and Adler-32, and
 *     streams of stored (uncompressed) deflate blocks; and
 *     sample/rt_inflate.c: the runtime's own inflate, for the PNGs of
 *     `sample --input` (its own file, so that only samplers that read
 *     images link it).
 * Both give the same checksums and the same answers from rt_zlib_decode;
 * every decoder reads either stream.  Each library holds exactly one
 * implementation, so a program gets the one that suits what it links.
 * Spec: ISO 3309 / ITU-T V.42 (CRC-32, as PNG and zlib use it), RFC 1950
 * (zlib), RFC 1951 (deflate).
 */
#ifndef RT_ZLIB_H
#define RT_ZLIB_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32: start with crc = 0; chain calls to cover several buffers. */
uint32_t rt_crc32(uint32_t crc, const void *buf, size_t n);
/* Adler-32: start with adler = 1. */
uint32_t rt_adler32(uint32_t adler, const void *buf, size_t n);

/* A zlib stream (header, deflate data, Adler-32) holding the n bytes of
 * raw; malloc'd (caller frees), its length in *out_len.  Aborts on
 * out-of-memory like rt_xmalloc; never fails otherwise. */
unsigned char *rt_zlib_encode(const unsigned char *raw, size_t n, size_t *out_len);

/* What rt_zlib_decode found in a stream.  Both implementations give the
 * same answer for the same bytes (tests/fuzz/fuzz_inflate.c compares
 * them), so a file is accepted or refused alike by trainer and sampler. */
typedef enum {
    RT_ZLIB_OK,        /* a whole stream of exactly `want` bytes, Adler-32 right */
    RT_ZLIB_SHORT,     /* a whole stream (Adler-32 right) of fewer bytes: *got */
    RT_ZLIB_LONG,      /* more than `want` bytes: out holds the first want */
    RT_ZLIB_CUT,       /* the input ends inside the stream, after *got bytes */
    RT_ZLIB_CORRUPT,   /* not a valid stream: *why says what (a static string) */
} rt_zlib_status;

/* Inflates the zlib stream z[0, n) into out, which has room for `want`
 * bytes; never reads or writes outside those buffers, whatever z holds.
 * *got receives the bytes written, *why a reason for RT_ZLIB_CORRUPT
 * (NULL otherwise).  Bytes after the stream's end are ignored, as zlib
 * and PNG decoders do.  Aborts on out-of-memory like rt_xmalloc. */
rt_zlib_status rt_zlib_decode(const unsigned char *z, size_t n, unsigned char *out,
                              size_t want, size_t *got, const char **why);

#endif

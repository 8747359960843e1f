/* rt_zlib.h - CRC-32, Adler-32 and zlib streams: one interface, one
 * implementation in each runtime library.
 *
 * The formats need these (PNG: a CRC-32 per chunk and a zlib stream of the
 * pixels; safetensors: ganc's CRC-32 of header and data), and the two
 * programs link different things:
 *   - the trainer links zlib, so libganc_train.a has train/rt_zlib_deflate.c:
 *     zlib's crc32 and adler32, and streams compressed by deflate;
 *   - the sampler links libc and libm only, so libganc_sample.a has
 *     sample/rt_zlib_stored.c: the runtime's own CRC-32 (tables, or
 *     carry-less multiplication where the CPU has it) and Adler-32, and
 *     streams of stored (uncompressed) deflate blocks.
 * Both give the same checksums; every decoder reads either stream.  Each
 * library holds exactly one of the two files, so a program gets the one
 * that suits what it links.
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

#endif

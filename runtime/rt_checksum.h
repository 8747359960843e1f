/* rt_checksum.h - CRC-32 and Adler-32, without zlib.
 *
 * The sampler links libc and libm only, yet writes PNGs (CRC-32 per chunk,
 * Adler-32 per zlib stream) and checks safetensors files (CRC-32 of the
 * tensor data), so both live here rather than coming from zlib.
 * Spec: ISO 3309 / ITU-T V.42 (CRC-32, as PNG and zlib use it), RFC 1950.
 */
#ifndef RT_CHECKSUM_H
#define RT_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32: start with crc = 0; chain calls to cover several buffers. */
uint32_t rt_crc32(uint32_t crc, const void *buf, size_t n);
/* Adler-32: start with adler = 1. */
uint32_t rt_adler32(uint32_t adler, const void *buf, size_t n);

#endif

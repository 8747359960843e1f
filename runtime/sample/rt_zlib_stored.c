/* rt_zlib_stored.c - the sampler's CRC-32, Adler-32 and zlib streams,
 * without zlib (see core/rt_zlib.h): the sampler links libc and libm only.
 * Streams are stored (uncompressed) deflate blocks: a 512x512 RGB picture
 * is about 770 KiB, and every decoder reads it.  Only libganc_sample.a
 * holds this file; the trainer's library has zlib's (train/rt_zlib_deflate.c). */
#include "core/rt_zlib.h"

#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_le.h"
#include "kernels/rt_cpu.h"

/* Slicing by 8: table[k][b] is the CRC of byte b followed by k zero bytes,
 * so eight bytes fold in with eight lookups and no dependency between them
 * (about 5x the byte-at-a-time loop; a weights file is checked at every
 * load).  The 8 KiB of tables are filled on first use, not stored in the
 * executable.  Reads the input as little-endian words. */
static uint32_t table[8][256];

static void fill_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[0][i] = c;
    }
    for (int k = 1; k < 8; k++)
        for (int i = 0; i < 256; i++)
            table[k][i] = table[k - 1][i] >> 8 ^ table[0][table[k - 1][i] & 0xFF];
}

/* The CRC register (not inverted) after n more bytes. */
static uint32_t crc_by_table(uint32_t crc, const unsigned char *p, size_t n)
{
    if (!table[0][1])
        fill_tables();
    for (; n >= 8; n -= 8, p += 8) {
        uint32_t lo = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                      (uint32_t)p[3] << 24;
        uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
                      (uint32_t)p[7] << 24;
        lo ^= crc;
        crc = table[7][lo & 0xFF] ^ table[6][lo >> 8 & 0xFF] ^ table[5][lo >> 16 & 0xFF] ^
              table[4][lo >> 24] ^ table[3][hi & 0xFF] ^ table[2][hi >> 8 & 0xFF] ^
              table[1][hi >> 16 & 0xFF] ^ table[0][hi >> 24];
    }
    while (n--)
        crc = table[0][(crc ^ *p++) & 0xFF] ^ crc >> 8;
    return crc;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <wmmintrin.h>

/* Carry-less multiplication folds 64 bytes per round (about 10x the
 * tables; a 3.6 MB weights file is checked in a fraction of a
 * millisecond).  The method: the CRC of a message depends only on the
 * message as a polynomial over GF(2) modulo the CRC polynomial P, so a
 * 128-bit block A that stands D bits before the end of what has been read
 * can be replaced by A * x^D mod P, which PCLMULQDQ computes per 64-bit
 * half with the constants x^(D+32) and x^(D-32) mod P (bit-reflected and
 * shifted by one, as CRC-32 reads bits low first).  Four blocks fold
 * forward by 512 bits each round, then into one, and the last 16 bytes
 * and any tail go through the tables from a register of 0: the register
 * was xored into the first block.  Constants: Gopal et al., "Fast CRC
 * computation for generic polynomials using PCLMULQDQ", Intel 2009. */
#define FOLD512_LO 0x154442bd4ull
#define FOLD512_HI 0x1c6e41596ull
#define FOLD128_LO 0x1751997d0ull
#define FOLD128_HI 0x0ccaa009eull

__attribute__((target("pclmul,sse2")))
static __m128i fold(__m128i a, __m128i k, __m128i next)
{
    __m128i lo = _mm_clmulepi64_si128(a, k, 0x00), hi = _mm_clmulepi64_si128(a, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), next);
}

/* n >= 64 */
__attribute__((target("pclmul,sse2")))
static uint32_t crc_by_clmul(uint32_t crc, const unsigned char *p, size_t n)
{
    __m128i x[4];
    for (int i = 0; i < 4; i++)
        x[i] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
    x[0] = _mm_xor_si128(x[0], _mm_cvtsi32_si128((int)crc));
    p += 64;
    n -= 64;
    const __m128i k512 = _mm_set_epi64x((long long)FOLD512_HI, (long long)FOLD512_LO);
    for (; n >= 64; p += 64, n -= 64)
        for (int i = 0; i < 4; i++)
            x[i] = fold(x[i], k512, _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)));
    const __m128i k128 = _mm_set_epi64x((long long)FOLD128_HI, (long long)FOLD128_LO);
    __m128i a = fold(fold(fold(x[0], k128, x[1]), k128, x[2]), k128, x[3]);
    for (; n >= 16; p += 16, n -= 16)
        a = fold(a, k128, _mm_loadu_si128((const __m128i *)(const void *)p));
    unsigned char last[16];
    _mm_storeu_si128((__m128i *)(void *)last, a);
    return crc_by_table(crc_by_table(0, last, 16), p, n);
}
#endif

uint32_t rt_crc32(uint32_t crc, const void *buf, size_t n)
{
    const unsigned char *p = buf;
#if defined(__x86_64__) && defined(__GNUC__)
    if (n >= 64 && rt_cpu_level_get() >= RT_CPU_AVX2)   /* which implies PCLMULQDQ */
        return ~crc_by_clmul(~crc, p, n);
#endif
    return ~crc_by_table(~crc, p, n);
}

uint32_t rt_adler32(uint32_t adler, const void *buf, size_t n)
{
    const unsigned char *p = buf;
    uint32_t a = adler & 0xFFFF, b = adler >> 16;
    while (n > 0) {
        size_t chunk = n < 5552 ? n : 5552;   /* largest run without overflow */
        n -= chunk;
        while (chunk--) {
            a += *p++;
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    return b << 16 | a;
}

#define STORED_MAX 65535   /* deflate stored blocks hold at most 65535 bytes */

unsigned char *rt_zlib_encode(const unsigned char *raw, size_t n, size_t *out_len)
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

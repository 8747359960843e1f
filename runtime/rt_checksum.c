/* rt_checksum.c - CRC-32 and Adler-32 (see rt_checksum.h). */
#include "rt_checksum.h"

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

uint32_t rt_crc32(uint32_t crc, const void *buf, size_t n)
{
    if (!table[0][1])
        fill_tables();
    const unsigned char *p = buf;
    crc = ~crc;
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
    return ~crc;
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

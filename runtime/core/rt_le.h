/* rt_le.h - byte-order helpers for the file formats: little-endian (npy,
 * safetensors) and the big-endian words of PNG and IDX.
 *
 * Internal to runtime/ (static inline, nothing exported).  Tensor data is
 * copied as raw host floats, so the runtime supports little-endian hosts
 * only; the #error below makes that explicit instead of writing garbage.
 */
#ifndef RT_LE_H
#define RT_LE_H

#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "ganc runtime: big-endian hosts are not supported (files store little-endian floats)"
#endif

static inline uint16_t rt_le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t rt_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t rt_le64(const unsigned char *p)
{
    return (uint64_t)rt_le32(p) | (uint64_t)rt_le32(p + 4) << 32;
}

static inline void rt_put_le16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}

static inline void rt_put_le32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline void rt_put_le64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint32_t rt_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void rt_put_be32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (24 - 8 * i));
}

#endif

/* rt_safetensors_sum.c - the integrity checksum ganc keeps in the metadata
 * of every safetensors file it writes (see rt_safetensors.h).
 *
 * Safetensors has no checksum of its own, and a flipped bit in tensor data
 * still parses.  So the writer stores, under RT_ST_CRC_KEY, the CRC-32 of a
 * canonical description of the file (every other metadata pair, then every
 * tensor's name, dtype, shape and offsets, in file order) followed by the
 * data section; the reader recomputes it from what it parsed.  Files
 * written by other tools carry no such key and are accepted on the
 * structural checks alone. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/rt_zlib.h"
#include "formats/rt_safetensors.h"

uint32_t rt_st_sum_meta(uint32_t crc, const char *key, const char *value)
{
    crc = rt_crc32(crc, key, strlen(key) + 1);   /* the NULs separate fields */
    return rt_crc32(crc, value, strlen(value) + 1);
}

uint32_t rt_st_sum_tensor(uint32_t crc, const char *name, const char *dtype, int ndim,
                          const uint64_t *shape, uint64_t begin, uint64_t end)
{
    char nums[32 * (RT_ST_MAX_NDIM + 3)];
    size_t n = (size_t)snprintf(nums, sizeof nums, "%s:%d:", dtype, ndim);
    for (int d = 0; d < ndim && d < RT_ST_MAX_NDIM; d++)
        n += (size_t)snprintf(nums + n, sizeof nums - n, "%" PRIu64 ",", shape[d]);
    n += (size_t)snprintf(nums + n, sizeof nums - n, "%" PRIu64 "-%" PRIu64, begin, end);
    crc = rt_crc32(crc, name, strlen(name) + 1);
    return rt_crc32(crc, nums, n + 1);
}

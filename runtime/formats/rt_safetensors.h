/* rt_safetensors.h - reading and writing .safetensors files.
 *
 * Layout (https://huggingface.co/docs/safetensors): an 8-byte little-endian
 * header length N, N bytes of JSON {name: {"dtype", "shape", "data_offsets":
 * [begin, end]}, "__metadata__": {string: string}}, then the raw
 * little-endian tensor data; offsets are relative to the end of the header.
 *
 * Writing: F32 tensors only, in the given order, header padded with spaces
 * to a multiple of 8, written atomically (PATH.tmp, fsync, rename).
 * Reading: from a file (the header read at opening, the data section read
 * when it is summed and when each tensor is copied out, so a load never
 * holds the weights twice), from a file mapped into memory (the sampler:
 * tensors are used in place, straight from the page cache) or from a
 * caller's buffer (e.g. weights embedded in the sampler; the buffer must
 * outlive the rt_st).
 * Opening validates everything up front, as the reference implementation
 * does: header length vs size, strict JSON, known dtype, shape, offsets in
 * range, size = product(shape) * dtype size, tensors contiguous and
 * non-overlapping and covering the data exactly, metadata values strings.
 * Integrity: the writer adds a metadata pair RT_ST_CRC_KEY, the CRC-32 of
 * the rest of the header and of the data (rt_safetensors_sum.c); opening a
 * file that has one recomputes it and refuses a mismatch, so a truncated or
 * bit-flipped file never loads.  Files without it (other tools) still load.
 * Leaves out: writing dtypes other than F32, reading data as other dtypes,
 * big-endian hosts.
 */
#ifndef RT_SAFETENSORS_H
#define RT_SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/rt_err.h"

#define RT_ST_MAX_NDIM 8

#define RT_ST_CRC_KEY "ganc_crc32"   /* 8 lowercase hex digits */

/* ---- writing ---- */

typedef struct {
    const char *name;
    const float *data;
    int ndim;            /* 0..RT_ST_MAX_NDIM */
    const int *shape;
} rt_st_entry;

typedef struct {
    const char *key, *value;
} rt_st_kv;

int rt_st_write(const char *path, const rt_st_entry *tensors, size_t n_tensors,
                const rt_st_kv *meta, size_t n_meta, rt_err *err);

/* ---- reading ---- */

typedef struct {
    char *name;
    char dtype[16];              /* e.g. "F32", "BF16" */
    int ndim;
    uint64_t shape[RT_ST_MAX_NDIM];
    uint64_t begin, end;         /* byte offsets into the data section */
} rt_st_tensor;

typedef struct {
    char *what;                  /* path or name, for messages */
    int file;                    /* the descriptor + 1 of the file it reads, while open
                                  * (0: opened from a buffer or mapped) */
    uint64_t data_at;            /* where the data section starts in the file */
    const unsigned char *data;   /* data section, when opened from a buffer or mapped */
    void *map;                   /* the mapping, when mapped */
    size_t map_len;
    uint64_t data_len;
    rt_st_tensor *tensors;       /* in header order */
    size_t n_tensors;
    rt_st_kv *meta;              /* owned copies */
    size_t n_meta;
} rt_st;

int rt_st_open_file(const char *path, rt_st *st, rt_err *err);
int rt_st_open_memory(const void *buf, size_t len, const char *name_for_errors,
                      rt_st *st, rt_err *err);
/* Maps the whole file read-only and opens it as a buffer, until
 * rt_st_close.  Faster than reading it when the tensors are used in place
 * (rt_st_view_f32): no copy, no fresh memory to fault in.  The mapping
 * follows the file: a file cut short meanwhile raises SIGBUS on reading
 * past its new end, which the caller handles (rt_sample.c).  Returns -2
 * (err set) when the file opens but cannot be mapped (a file system
 * without mmap): rt_st_open_file still reads it. */
int rt_st_open_mapped(const char *path, rt_st *st, rt_err *err);
const rt_st_tensor *rt_st_find(const rt_st *st, const char *name);
/* Copies tensor `name` into dst after checking that it exists, is F32 and
 * has exactly the expected shape; errors name the tensor, expected, found. */
int rt_st_read_f32(const rt_st *st, const char *name, float *dst, int ndim,
                   const int *shape, rt_err *err);
/* The same checks; then *view points at the tensor's floats inside the
 * buffer or mapping, or is NULL when the rt_st reads from a file or the
 * tensor is not aligned for float (read it with rt_st_read_f32 then).  The
 * view lives as long as the rt_st. */
int rt_st_view_f32(const rt_st *st, const char *name, int ndim, const int *shape,
                   const float **view, rt_err *err);
/* The metadata value for key, or NULL. */
const char *rt_st_meta(const rt_st *st, const char *key);
void rt_st_close(rt_st *st);

/* ---- the checksum (reader and writer) ---- */
uint32_t rt_st_sum_meta(uint32_t crc, const char *key, const char *value);
uint32_t rt_st_sum_tensor(uint32_t crc, const char *name, const char *dtype, int ndim,
                          const uint64_t *shape, uint64_t begin, uint64_t end);

#endif

/* rt_safetensors_write.c - writes F32 tensors and string metadata as a
 * .safetensors file, atomically (see rt_safetensors.h for the layout). */
#include "formats/rt_safetensors.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"
#include "core/rt_file.h"
#include "core/rt_le.h"
#include "core/rt_zlib.h"

typedef struct {
    char *s;
    size_t n, cap;
} text;

static void text_add(text *t, const char *fmt, ...) RT_PRINTF(2, 3);

static void text_add(text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        rt_assert(k >= 0);
        if ((size_t)k < t->cap - t->n) {
            t->n += (size_t)k;
            return;
        }
        t->cap = 2 * t->cap + (size_t)k + 64;
        t->s = rt_xrealloc(t->s, t->cap);
    }
}

/* Appends s as a JSON string literal. */
static void text_json_string(text *t, const char *s)
{
    text_add(t, "\"");
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            text_add(t, "\\%c", *c);
        else if (*c < 0x20)
            text_add(t, "\\u%04x", *c);
        else
            text_add(t, "%c", *c);
    }
    text_add(t, "\"");
}

static size_t numel(const rt_st_entry *e)
{
    size_t n = 1;
    for (int d = 0; d < e->ndim; d++) {
        rt_assert(e->shape[d] >= 0);
        n *= (size_t)e->shape[d];
    }
    return n;
}

/* The checksum of everything the header will say but the checksum itself,
 * and of the data (rt_safetensors_sum.c). */
static uint32_t file_sum(const rt_st_entry *t, size_t n_tensors, const rt_st_kv *meta,
                         size_t n_meta)
{
    uint32_t crc = 0;
    for (size_t i = 0; i < n_meta; i++)
        crc = rt_st_sum_meta(crc, meta[i].key, meta[i].value);
    uint64_t offset = 0, shape[RT_ST_MAX_NDIM];
    for (size_t i = 0; i < n_tensors; i++) {
        uint64_t bytes = numel(&t[i]) * sizeof(float);
        for (int d = 0; d < t[i].ndim; d++)
            shape[d] = (uint64_t)t[i].shape[d];
        crc = rt_st_sum_tensor(crc, t[i].name, "F32", t[i].ndim, shape, offset, offset + bytes);
        offset += bytes;
    }
    for (size_t i = 0; i < n_tensors; i++)
        crc = rt_crc32(crc, t[i].data, numel(&t[i]) * sizeof(float));
    return crc;
}

static void build_header(text *h, const rt_st_entry *t, size_t n_tensors,
                         const rt_st_kv *meta, size_t n_meta)
{
    text_add(h, "{\"__metadata__\":{");
    for (size_t i = 0; i < n_meta; i++) {
        rt_assert(strcmp(meta[i].key, RT_ST_CRC_KEY) != 0);
        text_json_string(h, meta[i].key);
        text_add(h, ":");
        text_json_string(h, meta[i].value);
        text_add(h, ",");
    }
    text_add(h, "\"%s\":\"%08x\"}", RT_ST_CRC_KEY, file_sum(t, n_tensors, meta, n_meta));
    size_t offset = 0;
    for (size_t i = 0; i < n_tensors; i++) {
        rt_assert(t[i].ndim >= 0 && t[i].ndim <= RT_ST_MAX_NDIM);
        rt_assert(strcmp(t[i].name, "__metadata__") != 0);
        size_t bytes = numel(&t[i]) * sizeof(float);
        text_add(h, ",");
        text_json_string(h, t[i].name);
        text_add(h, ":{\"dtype\":\"F32\",\"shape\":[");
        for (int d = 0; d < t[i].ndim; d++)
            text_add(h, "%s%d", d ? "," : "", t[i].shape[d]);
        text_add(h, "],\"data_offsets\":[%zu,%zu]}", offset, offset + bytes);
        offset += bytes;
    }
    text_add(h, "}");
    while (h->n % 8)
        text_add(h, " ");
}

int rt_st_write(const char *path, const rt_st_entry *tensors, size_t n_tensors,
                const rt_st_kv *meta, size_t n_meta, rt_err *err)
{
    text h = { rt_xmalloc(256), 0, 256 };
    build_header(&h, tensors, n_tensors, meta, n_meta);
    unsigned char len8[8];
    rt_put_le64(len8, (uint64_t)h.n);

    rt_wfile w;
    int rc = rt_wfile_open(&w, path, err);
    if (rc == 0) {
        fwrite(len8, 1, 8, w.f);
        fwrite(h.s, 1, h.n, w.f);
        for (size_t i = 0; i < n_tensors; i++)
            if (numel(&tensors[i]))
                fwrite(tensors[i].data, sizeof(float), numel(&tensors[i]), w.f);
        rc = rt_wfile_commit(&w, err);
    }
    free(h.s);
    return rc;
}

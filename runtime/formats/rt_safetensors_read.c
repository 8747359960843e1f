/* rt_safetensors_read.c - opens and validates a .safetensors file or buffer
 * and copies F32 tensors out (see rt_safetensors.h for what is checked). */
#include "formats/rt_safetensors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/rt_alloc.h"
#include "core/rt_file.h"
#include "core/rt_le.h"
#include "core/rt_zlib.h"
#include "formats/rt_json.h"

#define MAX_HEADER ((uint64_t)100 << 20)   /* as the reference implementation */
#define MAX_DIM ((uint64_t)1 << 40)

/* names held in place, not pointed to: a table of pointers costs a
 * relocation each in the sampler, a position-independent executable */
static const struct {
    char name[8];
    int size;
} DTYPES[] = {
    { "F64", 8 }, { "F32", 4 }, { "F16", 2 }, { "BF16", 2 }, { "F8_E4M3", 1 },
    { "F8_E5M2", 1 }, { "I64", 8 }, { "I32", 4 }, { "I16", 2 }, { "I8", 1 },
    { "U64", 8 }, { "U32", 4 }, { "U16", 2 }, { "U8", 1 }, { "BOOL", 1 },
};

static int dtype_size(const char *name)
{
    for (size_t i = 0; i < sizeof DTYPES / sizeof DTYPES[0]; i++)
        if (strcmp(DTYPES[i].name, name) == 0)
            return DTYPES[i].size;
    return 0;
}

/* ---- header → descriptors --------------------------------------------- */

static int read_metadata(rt_st *st, const rt_json *m, rt_err *err)
{
    if (m->type != RT_JSON_OBJECT)
        return rt_errf(err, "%s: __metadata__: expected an object, found %s",
                       st->what, rt_json_type_name(m->type));
    st->meta = rt_xcalloc(m->n, sizeof *st->meta);
    for (size_t i = 0; i < m->n; i++) {
        if (m->items[i].type != RT_JSON_STRING)
            return rt_errf(err, "%s: __metadata__[\"%.100s\"]: expected a string, found %s",
                           st->what, m->keys[i], rt_json_type_name(m->items[i].type));
        st->meta[i].key = rt_xstrdup(m->keys[i]);
        st->meta[i].value = rt_xstrdup(m->items[i].str);
        st->n_meta++;
    }
    return 0;
}

static int read_shape(const rt_st *st, rt_st_tensor *t, const rt_json *shape, rt_err *err)
{
    if (!shape || shape->type != RT_JSON_ARRAY)
        return rt_errf(err, "%s: tensor '%.100s': expected \"shape\" to be an array, found %s",
                       st->what, t->name, shape ? rt_json_type_name(shape->type) : "nothing");
    if (shape->n > RT_ST_MAX_NDIM)
        return rt_errf(err, "%s: tensor '%.100s': expected at most %d dimensions, found %zu",
                       st->what, t->name, RT_ST_MAX_NDIM, shape->n);
    for (size_t d = 0; d < shape->n; d++) {
        const rt_json *v = &shape->items[d];
        if (v->type != RT_JSON_NUMBER || !v->is_uint || v->u > MAX_DIM)
            return rt_errf(err, "%s: tensor '%.100s': shape[%zu]: expected an integer in "
                           "[0, 2^40]", st->what, t->name, d);
        t->shape[d] = v->u;
    }
    t->ndim = (int)shape->n;
    return 0;
}

static int read_offsets(const rt_st *st, rt_st_tensor *t, const rt_json *off, rt_err *err)
{
    if (!off || off->type != RT_JSON_ARRAY || off->n != 2 ||
        off->items[0].type != RT_JSON_NUMBER || !off->items[0].is_uint ||
        off->items[1].type != RT_JSON_NUMBER || !off->items[1].is_uint)
        return rt_errf(err, "%s: tensor '%.100s': expected \"data_offsets\" to be "
                       "[begin, end] (two non-negative integers)", st->what, t->name);
    t->begin = off->items[0].u;
    t->end = off->items[1].u;
    if (t->begin > t->end || t->end > st->data_len)
        return rt_errf(err, "%s: tensor '%.100s': data_offsets [%llu, %llu] are outside "
                       "the data section [0, %llu]", st->what, t->name,
                       (unsigned long long)t->begin, (unsigned long long)t->end,
                       (unsigned long long)st->data_len);
    return 0;
}

/* Checks that the byte size matches dtype and shape. */
static int check_size(const rt_st *st, const rt_st_tensor *t, rt_err *err)
{
    uint64_t n = (uint64_t)dtype_size(t->dtype);
    for (int d = 0; d < t->ndim; d++) {
        if (t->shape[d] && n > UINT64_MAX / t->shape[d])
            return rt_errf(err, "%s: tensor '%.100s': shape is too large", st->what, t->name);
        n *= t->shape[d];
    }
    if (n != t->end - t->begin)
        return rt_errf(err, "%s: tensor '%.100s': %s shape needs %llu bytes, data_offsets "
                       "span %llu", st->what, t->name, t->dtype, (unsigned long long)n,
                       (unsigned long long)(t->end - t->begin));
    return 0;
}

static int read_tensor(const rt_st *st, rt_st_tensor *t, const rt_json *v, rt_err *err)
{
    if (v->type != RT_JSON_OBJECT)
        return rt_errf(err, "%s: tensor '%.100s': expected an object, found %s",
                       st->what, t->name, rt_json_type_name(v->type));
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], "dtype") && strcmp(v->keys[i], "shape") &&
            strcmp(v->keys[i], "data_offsets"))
            return rt_errf(err, "%s: tensor '%.100s': expected keys dtype, shape, "
                           "data_offsets; found '%.100s'", st->what, t->name, v->keys[i]);
    const rt_json *dt = rt_json_get(v, "dtype");
    if (!dt || dt->type != RT_JSON_STRING || !dtype_size(dt->str))
        return rt_errf(err, "%s: tensor '%.100s': expected a known dtype (F32, F16, BF16, "
                       "F64, I8..I64, U8..U64, BOOL), found %s%.20s%s", st->what, t->name,
                       dt && dt->type == RT_JSON_STRING ? "\"" : "",
                       dt ? (dt->type == RT_JSON_STRING ? dt->str
                                                        : rt_json_type_name(dt->type))
                          : "nothing",
                       dt && dt->type == RT_JSON_STRING ? "\"" : "");
    snprintf(t->dtype, sizeof t->dtype, "%s", dt->str);
    if (read_shape(st, t, rt_json_get(v, "shape"), err) != 0 ||
        read_offsets(st, t, rt_json_get(v, "data_offsets"), err) != 0)
        return -1;
    return check_size(st, t, err);
}

static int by_offset(const void *a, const void *b)
{
    const rt_st_tensor *x = *(const rt_st_tensor *const *)a;
    const rt_st_tensor *y = *(const rt_st_tensor *const *)b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* Tensors must tile the data section: no overlap, no gap, nothing after. */
static int check_layout(const rt_st *st, rt_err *err)
{
    int rc = 0;
    const rt_st_tensor **order = rt_xcalloc(st->n_tensors, sizeof *order);
    for (size_t i = 0; i < st->n_tensors; i++)
        order[i] = &st->tensors[i];
    qsort(order, st->n_tensors, sizeof *order, by_offset);
    uint64_t pos = 0;
    const char *prev = NULL;
    for (size_t i = 0; i < st->n_tensors && rc == 0; i++) {
        const rt_st_tensor *t = order[i];
        if (t->begin < pos)
            rc = rt_errf(err, "%s: tensor '%.100s' (bytes %llu..%llu) overlaps tensor "
                         "'%.100s'", st->what, t->name, (unsigned long long)t->begin,
                         (unsigned long long)t->end, prev);
        else if (t->begin > pos)
            rc = rt_errf(err, "%s: tensor '%.100s' starts at byte %llu, expected %llu "
                         "(no gaps between tensors)", st->what, t->name,
                         (unsigned long long)t->begin, (unsigned long long)pos);
        pos = t->end;
        prev = t->name;
    }
    if (rc == 0 && pos != st->data_len)
        rc = rt_errf(err, "%s: tensors cover %llu bytes of data, the file has %llu",
                     st->what, (unsigned long long)pos, (unsigned long long)st->data_len);
    free(order);
    return rc;
}

static int read_header(rt_st *st, const rt_json *h, rt_err *err)
{
    if (h->type != RT_JSON_OBJECT)
        return rt_errf(err, "%s: header: expected a JSON object, found %s", st->what,
                       rt_json_type_name(h->type));
    st->tensors = rt_xcalloc(h->n, sizeof *st->tensors);
    for (size_t i = 0; i < h->n; i++) {
        if (strcmp(h->keys[i], "__metadata__") == 0) {
            if (read_metadata(st, &h->items[i], err) != 0)
                return -1;
            continue;
        }
        rt_st_tensor *t = &st->tensors[st->n_tensors++];
        t->name = rt_xstrdup(h->keys[i]);
        if (read_tensor(st, t, &h->items[i], err) != 0)
            return -1;
    }
    return check_layout(st, err);
}

/* ---- the checksum --------------------------------------------------------- */

/* Reads len bytes at byte `pos` of the open file into dst. */
static int read_at(const rt_st *st, uint64_t pos, void *dst, size_t len, rt_err *err)
{
    return rt_read_at(st->file - 1, pos, dst, len, st->what, err);
}

/* Reads len bytes at offset `at` of the data section into dst: from the
 * file when opened from one, else from the buffer. */
static int read_data(const rt_st *st, uint64_t at, void *dst, size_t len, rt_err *err)
{
    if (st->file)
        return read_at(st, st->data_at + at, dst, len, err);
    memcpy(dst, st->data + at, len);
    return 0;
}

/* The CRC-32 of the whole data section, read in pieces from a file so that
 * it is never in memory at once. */
static int sum_data(const rt_st *st, uint32_t *crc, rt_err *err)
{
    if (!st->file) {
        *crc = rt_crc32(*crc, st->data, (size_t)st->data_len);
        return 0;
    }
    enum { PIECE = 64 << 10 };   /* small enough to stay on the heap, in cache */
    unsigned char *piece = rt_xmalloc(PIECE);
    int rc = 0;
    for (uint64_t at = 0; at < st->data_len && rc == 0; at += PIECE) {
        size_t n = st->data_len - at < PIECE ? (size_t)(st->data_len - at) : PIECE;
        rc = read_data(st, at, piece, n, err);
        if (rc == 0)
            *crc = rt_crc32(*crc, piece, n);
    }
    free(piece);
    return rc;
}

/* Recomputes RT_ST_CRC_KEY when the file has one (rt_safetensors_sum.c). */
static int check_sum(const rt_st *st, rt_err *err)
{
    const char *stored = rt_st_meta(st, RT_ST_CRC_KEY);
    if (!stored)
        return 0;
    /* strtoull rather than sscanf's "%8x": the sampler imports it already
     * (every libc function it calls costs about 80 bytes of its 64 KiB) */
    char *end = NULL;
    uint32_t want = (uint32_t)strtoull(stored, &end, 16);
    if (strlen(stored) != 8 || end != stored + 8)
        return rt_errf(err, "%s: __metadata__.%s: expected 8 hex digits, found \"%.20s\"",
                       st->what, RT_ST_CRC_KEY, stored);
    uint32_t crc = 0;
    for (size_t i = 0; i < st->n_meta; i++)
        if (strcmp(st->meta[i].key, RT_ST_CRC_KEY) != 0)
            crc = rt_st_sum_meta(crc, st->meta[i].key, st->meta[i].value);
    for (size_t i = 0; i < st->n_tensors; i++) {
        const rt_st_tensor *t = &st->tensors[i];
        crc = rt_st_sum_tensor(crc, t->name, t->dtype, t->ndim, t->shape, t->begin, t->end);
    }
    if (sum_data(st, &crc, err) != 0)
        return -1;
    if (crc != want)
        return rt_errf(err, "%s: checksum mismatch (stored %08x, computed %08x): the file "
                       "was changed or damaged after it was written", st->what, want, crc);
    return 0;
}

/* ---- opening ------------------------------------------------------------ */

/* Validates what follows: buf holds the first `avail` bytes of a file or
 * buffer of `total` bytes (at least the header, when it fits in total). */
static int open_header(rt_st *st, const unsigned char *buf, size_t avail, uint64_t total,
                       rt_err *err)
{
    if (total < 8)
        return rt_errf(err, "%s: expected at least 8 bytes (the header length), found %llu",
                       st->what, (unsigned long long)total);
    uint64_t hlen = rt_le64(buf);
    if (hlen > total - 8)
        return rt_errf(err, "%s: header length %llu runs past the end of the file "
                       "(%llu bytes)", st->what, (unsigned long long)hlen,
                       (unsigned long long)total);
    if (hlen > MAX_HEADER)
        return rt_errf(err, "%s: header length %llu is over the 100 MiB limit",
                       st->what, (unsigned long long)hlen);
    if (hlen == 0 || 8 + hlen > avail || buf[8] != '{')
        return rt_errf(err, "%s: expected the header to start with '{'", st->what);
    if (!st->file)
        st->data = buf + 8 + hlen;
    st->data_at = 8 + hlen;
    st->data_len = total - 8 - hlen;
    rt_json h;
    if (rt_json_parse((const char *)buf + 8, (size_t)hlen, st->what, &h, err) != 0)
        return -1;
    int rc = read_header(st, &h, err);
    rt_json_free(&h);
    return rc == 0 ? check_sum(st, err) : rc;
}

int rt_st_open_memory(const void *buf, size_t len, const char *name_for_errors,
                      rt_st *st, rt_err *err)
{
    memset(st, 0, sizeof *st);
    st->what = rt_xstrdup(name_for_errors ? name_for_errors : "safetensors buffer");
    if (open_header(st, buf, len, len, err) != 0) {
        rt_st_close(st);
        return -1;
    }
    return 0;
}

/* The file stays open and only its header is read now: the data section is
 * read piece by piece for the checksum and then tensor by tensor into the
 * caller's arrays, so loading never holds a second copy of the weights. */
int rt_st_open_file(const char *path, rt_st *st, rt_err *err)
{
    memset(st, 0, sizeof *st);
    st->what = rt_xstrdup(path);
    unsigned char *head = NULL;
    int rc = -1;
    size_t size;
    int fd = rt_open_input(path, &size, err);
    if (fd < 0)
        goto done;
    st->file = fd + 1;
    uint64_t total = (uint64_t)size;
    unsigned char first[8] = { 0 };
    size_t avail = total < 8 ? (size_t)total : 8;
    uint64_t hlen = 0;
    if (read_at(st, 0, first, avail, err) != 0)
        goto done;
    if (avail == 8) {   /* read a header that fits the file and the limit; else
                         * open_header names what is wrong */
        hlen = rt_le64(first);
        if (hlen > total - 8 || hlen > MAX_HEADER)
            hlen = 0;
    }
    head = rt_xmalloc((size_t)(8 + hlen));
    memcpy(head, first, avail);
    if (hlen && read_at(st, 8, head + 8, (size_t)hlen, err) != 0)
        goto done;
    rc = open_header(st, head, (size_t)(8 + hlen), total, err);
done:
    free(head);
    if (rc != 0)
        rt_st_close(st);
    return rc;
}

int rt_st_open_mapped(const char *path, rt_st *st, rt_err *err)
{
    memset(st, 0, sizeof *st);
    size_t size;
    int fd = rt_open_input(path, &size, err);
    if (fd < 0)
        return -1;
    /* an empty file cannot be mapped; the buffer check names what is wrong */
    void *map = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    int mapped = map != MAP_FAILED && map != NULL;
    if (size && !mapped)
        rt_errf(err, "%s: cannot map into memory: %s", path, strerror(errno));
    close(fd);   /* the mapping stays */
    if (size && !mapped)
        return -2;
    int rc = rt_st_open_memory(mapped ? map : "", size, path, st, err);
    if (rc == 0 && mapped) {
        st->map = map;
        st->map_len = size;
    } else if (mapped) {
        munmap(map, size);
    }
    return rc;
}

void rt_st_close(rt_st *st)
{
    if (st->map)
        munmap(st->map, st->map_len);
    for (size_t i = 0; i < st->n_tensors; i++)
        free(st->tensors[i].name);
    for (size_t i = 0; i < st->n_meta; i++) {
        free((char *)st->meta[i].key);
        free((char *)st->meta[i].value);
    }
    free(st->tensors);
    free(st->meta);
    if (st->file)
        close(st->file - 1);
    free(st->what);
    memset(st, 0, sizeof *st);
}

/* ---- lookups ------------------------------------------------------------ */

const rt_st_tensor *rt_st_find(const rt_st *st, const char *name)
{
    for (size_t i = 0; i < st->n_tensors; i++)
        if (strcmp(st->tensors[i].name, name) == 0)
            return &st->tensors[i];
    return NULL;
}

const char *rt_st_meta(const rt_st *st, const char *key)
{
    for (size_t i = 0; i < st->n_meta; i++)
        if (strcmp(st->meta[i].key, key) == 0)
            return st->meta[i].value;
    return NULL;
}

static void format_shape(char *buf, size_t cap, int ndim, const uint64_t *shape)
{
    size_t n = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < ndim && n < cap; d++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%llu", d ? ", " : "",
                              (unsigned long long)shape[d]);
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
}

/* Tensor `name` when it exists, is F32 and has exactly the expected
 * shape; else NULL with an error naming the tensor, expected, found. */
static const rt_st_tensor *find_f32(const rt_st *st, const char *name, int ndim,
                                    const int *shape, rt_err *err)
{
    const rt_st_tensor *t = rt_st_find(st, name);
    if (!t) {
        rt_errf(err, "%s: expected a tensor named '%s', found none", st->what, name);
        return NULL;
    }
    if (strcmp(t->dtype, "F32") != 0) {
        rt_errf(err, "%s: tensor '%s': expected dtype F32, found %s", st->what, name, t->dtype);
        return NULL;
    }
    uint64_t want[RT_ST_MAX_NDIM] = { 0 };
    int same = ndim == t->ndim;
    for (int d = 0; d < ndim && d < RT_ST_MAX_NDIM; d++) {
        want[d] = (uint64_t)shape[d];
        same = same && want[d] == t->shape[d];
    }
    if (!same) {
        char a[160], b[160];
        format_shape(a, sizeof a, ndim, want);
        format_shape(b, sizeof b, t->ndim, t->shape);
        rt_errf(err, "%s: tensor '%s': expected shape %s, found %s", st->what, name, a, b);
        return NULL;
    }
    return t;
}

int rt_st_read_f32(const rt_st *st, const char *name, float *dst, int ndim,
                   const int *shape, rt_err *err)
{
    const rt_st_tensor *t = find_f32(st, name, ndim, shape, err);
    return t ? read_data(st, t->begin, dst, (size_t)(t->end - t->begin), err) : -1;
}

int rt_st_view_f32(const rt_st *st, const char *name, int ndim, const int *shape,
                   const float **view, rt_err *err)
{
    *view = NULL;
    const rt_st_tensor *t = find_f32(st, name, ndim, shape, err);
    if (!t)
        return -1;
    const unsigned char *at = st->data ? st->data + t->begin : NULL;
    if (!st->file && (uintptr_t)at % _Alignof(float) == 0)
        *view = (const float *)(const void *)at;
    return 0;
}

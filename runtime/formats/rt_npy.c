/* rt_npy.c - float32 .npy writer and validating reader (see rt_npy.h).
 * Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html */
#include "formats/rt_npy.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"
#include "core/rt_file.h"
#include "core/rt_le.h"

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
#define ALIGN 64
#define MAX_DIM_SIZE ((size_t)1 << 40)
#define MAX_HEADER ((size_t)1 << 20)

/* ---- writing ---------------------------------------------------------- */

void rt_npy_write_header(FILE *f, int ndim, const size_t *shape)
{
    rt_assert(ndim >= 0 && ndim <= RT_NPY_MAX_NDIM);
    char dict[512];
    int n = snprintf(dict, sizeof dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < ndim; i++)
        n += snprintf(dict + n, sizeof dict - (size_t)n, "%s%zu", i ? ", " : "", shape[i]);
    n += snprintf(dict + n, sizeof dict - (size_t)n, "%s), }", ndim == 1 ? "," : "");
    size_t total = (10 + (size_t)n + 1 + ALIGN - 1) / ALIGN * ALIGN;   /* +1: '\n' */
    size_t hlen = total - 10;
    unsigned char pre[10];
    memcpy(pre, MAGIC, MAGIC_LEN);
    pre[6] = 1;
    pre[7] = 0;
    rt_put_le16(pre + 8, (uint16_t)hlen);
    fwrite(pre, 1, sizeof pre, f);
    fprintf(f, "%s%*s\n", dict, (int)(hlen - (size_t)n - 1), "");
}

int rt_npy_write_f32(const char *path, const float *x, int ndim, const size_t *shape,
                     rt_err *err)
{
    size_t count = 1;
    for (int i = 0; i < ndim; i++)
        count *= shape[i];
    rt_wfile w;
    if (rt_wfile_open(&w, path, err) != 0)
        return -1;
    rt_npy_write_header(w.f, ndim, shape);
    fwrite(x, sizeof(float), count, w.f);
    return rt_wfile_commit(&w, err);
}

/* ---- header parsing ----------------------------------------------------
 * The header is a Python dict literal; we accept exactly the subset numpy
 * writes: quoted keys, a quoted descr, True/False, a tuple of integers. */

typedef struct {
    const char *s, *end;
    const char *path;
    rt_err *err;
} hparser;

static void skip_ws(hparser *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n'))
        p->s++;
}

static int fail(hparser *p, const char *expected)
{
    const char *s = p->s;
    int n = (int)(p->end - s < 20 ? p->end - s : 20);
    if (n == 0)
        return rt_errf(p->err, "%s: npy header: expected %s, found the end of the header",
                       p->path, expected);
    return rt_errf(p->err, "%s: npy header: expected %s, found '%.*s'", p->path,
                   expected, n, s);
}

static int expect_char(hparser *p, char c, const char *what)
{
    skip_ws(p);
    if (p->s >= p->end || *p->s != c)
        return fail(p, what);
    p->s++;
    return 0;
}

/* A quoted string ('...' or "...") copied into out (at most cap-1 chars). */
static int parse_str(hparser *p, char *out, size_t cap)
{
    skip_ws(p);
    if (p->s >= p->end || (*p->s != '\'' && *p->s != '"'))
        return fail(p, "a quoted string");
    char q = *p->s++;
    const char *start = p->s;
    while (p->s < p->end && *p->s != q)
        p->s++;
    if (p->s >= p->end || (size_t)(p->s - start) >= cap)
        return fail(p, "a short closed string");
    memcpy(out, start, (size_t)(p->s - start));
    out[p->s - start] = 0;
    p->s++;
    return 0;
}

static int parse_bool(hparser *p, int *out)
{
    skip_ws(p);
    size_t left = (size_t)(p->end - p->s);
    if (left >= 4 && memcmp(p->s, "True", 4) == 0) {
        *out = 1;
        p->s += 4;
    } else if (left >= 5 && memcmp(p->s, "False", 5) == 0) {
        *out = 0;
        p->s += 5;
    } else {
        return fail(p, "True or False");
    }
    return 0;
}

static int parse_dim(hparser *p, size_t *out)
{
    skip_ws(p);
    if (p->s >= p->end || *p->s < '0' || *p->s > '9')
        return fail(p, "a dimension (non-negative integer)");
    const char *start = p->s;
    size_t v = 0;
    while (p->s < p->end && *p->s >= '0' && *p->s <= '9') {
        v = v * 10 + (size_t)(*p->s++ - '0');
        if (v > MAX_DIM_SIZE) {
            p->s = start;   /* quote the whole number */
            return fail(p, "a dimension below 2^40");
        }
    }
    *out = v;
    return 0;
}

static int parse_shape(hparser *p, int *ndim, size_t *shape)
{
    if (expect_char(p, '(', "'(' starting the shape tuple") != 0)
        return -1;
    *ndim = 0;
    for (;;) {
        skip_ws(p);
        if (p->s < p->end && *p->s == ')')
            break;
        if (*ndim == RT_NPY_MAX_NDIM)
            return fail(p, "at most 8 dimensions");
        if (parse_dim(p, &shape[(*ndim)++]) != 0)
            return -1;
        skip_ws(p);
        if (p->s < p->end && *p->s == ',')
            p->s++;
        else if (p->s >= p->end || *p->s != ')')
            return fail(p, "',' or ')' in the shape tuple");
    }
    p->s++;
    return 0;
}

typedef struct {
    char descr[32];
    int fortran;
    int ndim;
    size_t shape[RT_NPY_MAX_NDIM];
} npy_header;

static int parse_entry(hparser *p, npy_header *h, unsigned *seen)
{
    char key[32];
    if (parse_str(p, key, sizeof key) != 0 || expect_char(p, ':', "':' after a key") != 0)
        return -1;
    unsigned bit = strcmp(key, "descr") == 0 ? 1u
                 : strcmp(key, "fortran_order") == 0 ? 2u
                 : strcmp(key, "shape") == 0 ? 4u : 0u;
    if (!bit)
        return rt_errf(p->err, "%s: npy header: expected keys descr, fortran_order, shape; "
                       "found '%s'", p->path, key);
    if (*seen & bit)
        return rt_errf(p->err, "%s: npy header: key '%s' appears twice", p->path, key);
    *seen |= bit;
    if (bit == 1)
        return parse_str(p, h->descr, sizeof h->descr);
    if (bit == 2)
        return parse_bool(p, &h->fortran);
    return parse_shape(p, &h->ndim, h->shape);
}

static int parse_header(hparser *p, npy_header *h)
{
    unsigned seen = 0;
    if (expect_char(p, '{', "'{' starting the header dict") != 0)
        return -1;
    for (;;) {
        skip_ws(p);
        if (p->s < p->end && *p->s == '}')
            break;
        if (parse_entry(p, h, &seen) != 0)
            return -1;
        skip_ws(p);
        if (p->s < p->end && *p->s == ',')
            p->s++;
        else if (p->s >= p->end || *p->s != '}')
            return fail(p, "',' or '}' in the header dict");
    }
    p->s++;
    skip_ws(p);
    if (p->s != p->end)
        return fail(p, "only padding after the header dict");
    if (seen != 7)
        return rt_errf(p->err, "%s: npy header: missing key '%s'", p->path,
                       !(seen & 1) ? "descr" : !(seen & 2) ? "fortran_order" : "shape");
    return 0;
}

/* ---- reading ------------------------------------------------------------ */

/* Where the header text starts and how long it is, from the file's first
 * bytes pre[0..avail) and its size. */
static int locate_header(const char *path, const unsigned char *pre, size_t avail,
                         size_t size, size_t *hstart, size_t *hlen, rt_err *err)
{
    if (avail < 10 || memcmp(pre, MAGIC, MAGIC_LEN) != 0)
        return rt_errf(err, "%s: not a .npy file: expected the magic \\x93NUMPY, found %s",
                       path, avail < 10 ? "a file shorter than 10 bytes" : "other bytes");
    int major = pre[6], minor = pre[7];
    if (major == 1 && minor == 0) {
        *hstart = 10;
        *hlen = rt_le16(pre + 8);
    } else if ((major == 2 || major == 3) && minor == 0 && avail >= 12) {
        *hstart = 12;
        *hlen = rt_le32(pre + 8);
    } else {
        return rt_errf(err, "%s: expected npy version 1.0, 2.0 or 3.0, found %d.%d",
                       path, major, minor);
    }
    if (*hlen > size - *hstart || *hlen > MAX_HEADER)
        return rt_errf(err, "%s: npy header length %zu runs past the end of the file "
                       "(%zu bytes) or the 1 MiB limit", path, *hlen, size);
    return 0;
}

/* The dtype of descr: little-endian (or one-byte) floats of 4 or 8 bytes,
 * integers of 1 to 8; 0 for any other. */
static int dtype_of(const char *descr, rt_npy_in *in)
{
    if ((descr[0] != '<' && descr[0] != '|') || !strchr("fiu", descr[1]) || !descr[1] ||
        descr[2] < '1' || descr[2] > '8' || descr[3])
        return 0;
    in->type = descr[1];
    in->item = descr[2] - '0';
    int ok = in->type == 'f' ? in->item == 4 || in->item == 8
                             : in->item == 1 || in->item == 2 || in->item == 4 || in->item == 8;
    return ok && (descr[0] == '<' || in->item == 1);
}

/* The dtypes a caller takes: sets in->type and in->item, or fails naming
 * what it expected.  rt_npy_open_f32's takes '<f4' alone, so a program
 * that reads only floats (the sampler) links no other. */
typedef int dtype_check(const char *path, const char *descr, rt_npy_in *in, rt_err *err);

static int dtype_f32(const char *path, const char *descr, rt_npy_in *in, rt_err *err)
{
    if (strcmp(descr, "<f4") != 0)
        return rt_errf(err, "%s: expected dtype '<f4' (float32), found '%s'", path, descr);
    in->type = 'f';
    in->item = 4;
    return 0;
}

static int dtype_number(const char *path, const char *descr, rt_npy_in *in, rt_err *err)
{
    if (!dtype_of(descr, in))
        return rt_errf(err, "%s: expected a number dtype ('<f4', '<i8', ...), found '%s'",
                       path, descr);
    return 0;
}

static int check_header(const char *path, const npy_header *h, size_t data_bytes,
                        dtype_check *dtype, rt_npy_in *in, rt_err *err)
{
    if (dtype(path, h->descr, in, err) != 0)
        return -1;
    if (h->fortran)
        return rt_errf(err, "%s: expected fortran_order False, found True", path);
    size_t n = 1, item = (size_t)in->item;
    for (int i = 0; i < h->ndim; i++) {
        if (h->shape[i] && n > SIZE_MAX / 8 / h->shape[i])
            return rt_errf(err, "%s: shape is too large", path);
        n *= h->shape[i];
    }
    if (n * item != data_bytes)
        return rt_errf(err, "%s: shape needs %zu bytes of data, found %zu", path,
                       n * item, data_bytes);
    in->count = n;
    return 0;
}

double rt_npy_value(const rt_npy_in *in, const void *at)
{
    union { float f; double d; int8_t i1; int16_t i2; int32_t i4; int64_t i8;
            uint8_t u1; uint16_t u2; uint32_t u4; uint64_t u8; } v;
    memcpy(&v, at, (size_t)in->item);
    switch (in->type * 16 + in->item) {
    case 'f' * 16 + 4: return v.f;
    case 'f' * 16 + 8: return v.d;
    case 'i' * 16 + 1: return v.i1;
    case 'i' * 16 + 2: return v.i2;
    case 'i' * 16 + 4: return v.i4;
    case 'i' * 16 + 8: return (double)v.i8;
    case 'u' * 16 + 1: return v.u1;
    case 'u' * 16 + 2: return v.u2;
    case 'u' * 16 + 4: return v.u4;
    default: return (double)v.u8;
    }
}

/* Reads and checks the header of the open file fd of `size` bytes. */
static int read_header(const char *path, int fd, size_t size, dtype_check *dtype,
                       rt_npy_in *in, rt_err *err)
{
    unsigned char pre[12];
    size_t avail = size < sizeof pre ? size : sizeof pre, hstart = 0, hlen = 0;
    if (rt_read_at(fd, 0, pre, avail, path, err) != 0 ||
        locate_header(path, pre, avail, size, &hstart, &hlen, err) != 0)
        return -1;
    char *text = rt_xmalloc(hlen);
    npy_header h;
    memset(&h, 0, sizeof h);
    hparser p = { text, text + hlen, path, err };
    int rc = rt_read_at(fd, hstart, text, hlen, path, err);
    if (rc == 0)
        rc = parse_header(&p, &h);
    if (rc == 0)
        rc = check_header(path, &h, size - hstart - hlen, dtype, in, err);
    free(text);
    in->ndim = h.ndim;
    memcpy(in->shape, h.shape, sizeof h.shape);
    in->data_at = hstart + hlen;
    return rc;
}

static int open_npy(const char *path, dtype_check *dtype, rt_npy_in *in, rt_err *err)
{
    size_t size;
    in->fd = rt_open_input(path, &size, err);
    if (in->fd < 0)
        return -1;
    if (read_header(path, in->fd, size, dtype, in, err) == 0)
        return 0;
    close(in->fd);
    in->fd = -1;
    return -1;
}

int rt_npy_open_f32(const char *path, rt_npy_in *in, rt_err *err)
{
    return open_npy(path, dtype_f32, in, err);
}

int rt_npy_open_numbers(const char *path, rt_npy_in *in, rt_err *err)
{
    return open_npy(path, dtype_number, in, err);
}

int rt_npy_read_f32(const char *path, float **data, int *ndim,
                    size_t shape[RT_NPY_MAX_NDIM], rt_err *err)
{
    rt_npy_in in;
    if (rt_npy_open_f32(path, &in, err) != 0)
        return -1;
    float *x = NULL;
    int rc = rt_mem_check(path, in.count, "floats", sizeof(float), err);
    if (rc == 0) {
        x = rt_xmalloc(in.count * sizeof(float));
        rc = rt_read_at(in.fd, in.data_at, x, in.count * sizeof(float), path, err);
    }
    close(in.fd);
    if (rc != 0) {
        free(x);
        return -1;
    }
    *data = x;
    *ndim = in.ndim;
    memcpy(shape, in.shape, sizeof in.shape);
    return 0;
}

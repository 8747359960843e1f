/* rt_idx.c - see rt_idx.h. */
#include "data/rt_idx.h"

#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_le.h"
#include "data/rt_gz.h"

/* files larger than this are surely not what the model was built for */
#define RT_IDX_MAX_VALUES ((size_t)1 << 32)
/* bytes read (and converted) at a time */
#define CHUNK ((size_t)1 << 20)

/* Reads exactly n bytes; a short read is a truncated file.  They are part
 * `before` of `total` bytes of `what`, for the message. */
static int read_part(rt_gz *g, void *buf, size_t n, const char *what, size_t before,
                     size_t total, rt_err *err)
{
    size_t got;
    if (rt_gz_read(g, buf, n, &got, err) != 0)
        return -1;
    if (got < n)
        return rt_errf(err, "%s: truncated: expected %zu bytes of %s, found %zu", g->path,
                       total, what, before + got);
    return 0;
}

/* Opens the file and reads its header; dims[] receives the sizes. */
static int open_idx(rt_gz *g, const char *path, int want_dims, uint32_t *dims, rt_err *err)
{
    unsigned char magic[4];
    if (rt_gz_open(g, path, err) != 0 || read_part(g, magic, 4, "the IDX magic", 0, 4, err))
        return -1;
    if (magic[0] || magic[1] || magic[2] != 0x08)
        return rt_errf(err, "%s: not an IDX file of unsigned bytes: expected magic 00 00 08 "
                       "0%d, found %02x %02x %02x %02x", path, want_dims, magic[0], magic[1],
                       magic[2], magic[3]);
    if (magic[3] != want_dims)
        return rt_errf(err, "%s: expected an IDX file of %d dimension%s (%s), found %d", path,
                       want_dims, want_dims == 1 ? "" : "s",
                       want_dims == 1 ? "labels" : "images", magic[3]);
    for (int i = 0; i < want_dims; i++) {
        unsigned char b[4];
        if (read_part(g, b, 4, "the IDX dimensions", 0, 4, err))
            return -1;
        dims[i] = rt_be32(b);
    }
    return 0;
}

/* Reads the n values the header announces, as bytes (labels, out_f NULL)
 * or as floats in [-1, 1] converted as they arrive (images), into a buffer
 * that grows with the data: a damaged or hostile header may claim more
 * than the file holds, and that must be a "truncated" error, not an
 * allocation of what it claims.  Then the file must end. */
static int read_values(rt_gz *g, size_t n, const char *what, unsigned char **out_b,
                       float **out_f, rt_err *err)
{
    size_t each = out_f ? sizeof(float) : 1, have = 0, room = 0;
    unsigned char *bytes = out_f ? rt_xmalloc(CHUNK) : NULL;
    void *buf = NULL;
    int rc = 0;
    while (rc == 0 && have < n) {
        size_t step = n - have < CHUNK ? n - have : CHUNK;
        if (have + step > room) {   /* doubling: few copies, at most twice the data */
            room = 2 * room > have + step ? 2 * room : have + step;
            room = room < n ? room : n;
            buf = rt_xrealloc(buf, room * each);
        }
        unsigned char *to = out_f ? bytes : (unsigned char *)buf + have;
        rc = read_part(g, to, step, what, have, n, err);
        for (size_t i = 0; rc == 0 && out_f && i < step; i++)
            ((float *)buf)[have + i] = (float)bytes[i] / 127.5f - 1.0f;
        have += step;
    }
    if (rc == 0)
        rc = rt_gz_expect_end(g, what, err);
    free(bytes);
    if (rc != 0) {
        free(buf);
        return -1;
    }
    if (out_f)
        *out_f = buf;
    else
        *out_b = buf;
    return 0;
}

int rt_idx_load_images(const char *path, int height, int width, float **out, size_t *n,
                       rt_err *err)
{
    rt_gz g;
    uint32_t dims[3];
    int rc = open_idx(&g, path, 3, dims, err);
    if (rc == 0 && (dims[1] != (uint32_t)height || dims[2] != (uint32_t)width))
        rc = rt_errf(err, "%s: expected images of %dx%d (the model's data shape), found %ux%u",
                     path, height, width, dims[1], dims[2]);
    size_t count = rc ? 0 : dims[0], per = (size_t)height * (size_t)width;
    if (rc == 0 && (count == 0 || count > RT_IDX_MAX_VALUES / per))
        rc = rt_errf(err, "%s: expected between 1 and %zu images, found %zu", path,
                     RT_IDX_MAX_VALUES / per, count);
    if (rc == 0)
        rc = rt_mem_check(path, count, "images", per * sizeof(float), err);
    if (rc == 0)
        rc = read_values(&g, count * per, "image pixels", NULL, out, err);
    if (rc == 0)
        *n = count;
    rt_gz_close(&g);
    return rc;
}

int rt_idx_load_labels(const char *path, uint8_t **out, size_t *n, rt_err *err)
{
    rt_gz g;
    uint32_t dims[1];
    int rc = open_idx(&g, path, 1, dims, err);
    if (rc == 0 && dims[0] == 0)
        rc = rt_errf(err, "%s: expected at least 1 label, found %u", path, dims[0]);
    if (rc == 0)
        rc = read_values(&g, dims[0], "labels", out, NULL, err);
    if (rc == 0)
        *n = dims[0];
    rt_gz_close(&g);
    return rc;
}

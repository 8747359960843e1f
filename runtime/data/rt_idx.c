/* rt_idx.c - see rt_idx.h. */
#include "data/rt_idx.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/rt_alloc.h"
#include "core/rt_le.h"

/* files larger than this are surely not what the model was built for */
#define RT_IDX_MAX_VALUES ((size_t)1 << 32)

typedef struct {
    gzFile f;
    const char *path;
} idx_file;

/* Reads exactly n bytes; a short read is a truncated or corrupt file.
 * They are part `before` of `total` bytes of `what`, for the message. */
static int read_part(idx_file *x, void *buf, size_t n, const char *what, size_t before,
                     size_t total, rt_err *err)
{
    size_t got = 0;
    while (got < n) {
        unsigned chunk = n - got > (1u << 30) ? 1u << 30 : (unsigned)(n - got);
        int r = gzread(x->f, (char *)buf + got, chunk);
        if (r < 0) {
            int code;
            const char *msg = gzerror(x->f, &code);
            return rt_errf(err, "%s: corrupt compressed data while reading %s: %s", x->path,
                           what, msg);
        }
        if (r == 0)
            return rt_errf(err, "%s: truncated: expected %zu bytes of %s, found %zu", x->path,
                           total, what, before + got);
        got += (size_t)r;
    }
    return 0;
}

static int read_exact(idx_file *x, void *buf, size_t n, const char *what, rt_err *err)
{
    return read_part(x, buf, n, what, 0, n, err);
}

/* Reads the n bytes the header announces into a new buffer, growing it as
 * the data arrives: a damaged or hostile header may claim gigabytes that
 * the file does not have, and that must be a "truncated" error, not an
 * allocation of what it claims. */
static int read_claimed(idx_file *x, size_t n, const char *what, unsigned char **out,
                        rt_err *err)
{
    enum { CHUNK = 16 << 20 };
    unsigned char *buf = NULL;
    size_t have = 0;
    int rc = 0;
    while (rc == 0 && have < n) {
        size_t step = n - have < CHUNK ? n - have : CHUNK;
        buf = rt_xrealloc(buf, have + step);
        rc = read_part(x, buf + have, step, what, have, n, err);
        have += step;
    }
    if (rc != 0) {
        free(buf);
        return -1;
    }
    *out = buf;
    return 0;
}

/* Opens the file and reads its header; dims[] receives the sizes. */
static int open_idx(idx_file *x, const char *path, int want_dims, uint32_t *dims, rt_err *err)
{
    x->path = path;
    x->f = gzopen(path, "rb");
    if (!x->f)
        return rt_errf(err, "%s: cannot open: %m", path);
    unsigned char magic[4];
    if (read_exact(x, magic, 4, "the IDX magic", err))
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
        if (read_exact(x, b, 4, "the IDX dimensions", err))
            return -1;
        dims[i] = rt_be32(b);
    }
    return 0;
}

int rt_idx_load_images(const char *path, int height, int width, float **out, size_t *n,
                       rt_err *err)
{
    idx_file x = { NULL, path };
    uint32_t dims[3];
    unsigned char *bytes = NULL;
    float *px = NULL;
    int rc = open_idx(&x, path, 3, dims, err);
    if (rc == 0 && (dims[1] != (uint32_t)height || dims[2] != (uint32_t)width))
        rc = rt_errf(err, "%s: expected images of %dx%d (the model's data shape), found %ux%u",
                     path, height, width, dims[1], dims[2]);
    size_t count = rc ? 0 : dims[0], per = (size_t)height * (size_t)width;
    if (rc == 0 && (count == 0 || count > RT_IDX_MAX_VALUES / per))
        rc = rt_errf(err, "%s: expected between 1 and %zu images, found %zu", path,
                     RT_IDX_MAX_VALUES / per, count);
    if (rc == 0)
        rc = read_claimed(&x, count * per, "image pixels", &bytes, err);
    if (rc == 0) {
        px = rt_xmalloc(count * per * sizeof *px);
        for (size_t i = 0; i < count * per; i++)
            px[i] = (float)bytes[i] / 127.5f - 1.0f;
        *out = px;
        *n = count;
    }
    free(bytes);
    if (x.f)
        gzclose(x.f);
    return rc;
}

int rt_idx_load_labels(const char *path, uint8_t **out, size_t *n, rt_err *err)
{
    idx_file x = { NULL, path };
    uint32_t dims[1];
    uint8_t *labels = NULL;
    int rc = open_idx(&x, path, 1, dims, err);
    if (rc == 0 && dims[0] == 0)
        rc = rt_errf(err, "%s: expected at least 1 label, found %u", path, dims[0]);
    if (rc == 0)
        rc = read_claimed(&x, dims[0], "labels", &labels, err);
    if (rc == 0) {
        *out = labels;
        *n = dims[0];
    } else {
        free(labels);
    }
    if (x.f)
        gzclose(x.f);
    return rc;
}

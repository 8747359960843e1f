/* rt_gz.c - a plain or gzipped file read strictly to its end (see rt_gz.h). */
#include "data/rt_gz.h"

#include <string.h>
#include <unistd.h>

#include "core/rt_file.h"

int rt_gz_open(rt_gz *g, const char *path, rt_err *err)
{
    memset(g, 0, sizeof *g);
    g->path = path;
    g->fd = rt_open_input(path, &g->size, err);
    if (g->fd < 0)
        return -1;
    unsigned char magic[2] = { 0, 0 };
    if (g->size >= 2 && rt_read_at(g->fd, 0, magic, 2, path, err) != 0)
        return -1;
    if (magic[0] != 0x1f || magic[1] != 0x8b)
        return 0;
    g->gzip = 1;
    /* 16 + MAX_WBITS: a gzip stream, whose trailer inflate checks */
    if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK)
        return rt_errf(err, "%s: zlib could not start inflating", path);
    return 0;
}

/* Refills z's input from the file; 0 bytes left in it is not an error. */
static int refill(rt_gz *g, rt_err *err)
{
    size_t n = g->size - g->at < sizeof g->in ? g->size - g->at : sizeof g->in;
    if (rt_read_at(g->fd, g->at, g->in, n, g->path, err) != 0)
        return -1;
    g->z.next_in = g->in;
    g->z.avail_in = (unsigned)n;
    g->at += n;
    return 0;
}

/* At the end of a member: another one may follow (gzip allows several in
 * a row); anything else after it is refused.  Returns 1 when the data has
 * ended here, 0 when a next member starts, -1 with err. */
static int member_end(rt_gz *g, rt_err *err)
{
    if (g->z.avail_in < 2) {   /* the next two bytes may lie past this buffer */
        g->at -= g->z.avail_in;
        if (refill(g, err) != 0)
            return -1;
    }
    unsigned long long left = g->size - g->at + g->z.avail_in;
    if (left == 0)
        return 1;
    if (left >= 2 && g->z.next_in[0] == 0x1f && g->z.next_in[1] == 0x8b)
        return inflateReset(&g->z) == Z_OK ? 0
             : rt_errf(err, "%s: zlib could not restart inflating", g->path);
    return rt_errf(err, "%s: %llu byte%s after the end of the gzip data: expected the file "
                   "to end there (a damaged or appended file?)", g->path, left,
                   left == 1 ? "" : "s");
}

/* Inflates into dst[0, n) until it is full or the data ends. */
static int inflate_some(rt_gz *g, unsigned char *dst, size_t n, size_t *got, rt_err *err)
{
    *got = 0;
    while (*got < n && !g->done) {
        if (g->z.avail_in == 0 && refill(g, err) != 0)
            return -1;
        if (g->z.avail_in == 0)
            return rt_errf(err, "%s: truncated: the gzip data is cut short after %lu bytes "
                           "inflated (its end and CRC-32 trailer are missing)", g->path,
                           g->z.total_out);
        size_t want = n - *got < (1u << 30) ? n - *got : 1u << 30;
        g->z.next_out = dst + *got;
        g->z.avail_out = (unsigned)want;
        int rc = inflate(&g->z, Z_NO_FLUSH);
        *got += want - g->z.avail_out;
        if (rc == Z_STREAM_END) {
            int end = member_end(g, err);
            if (end < 0)
                return -1;
            g->done = end;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return rt_errf(err, "%s: corrupt compressed data after %lu bytes inflated: %s",
                           g->path, g->z.total_out, g->z.msg ? g->z.msg : "zlib error");
        }
    }
    return 0;
}

int rt_gz_read(rt_gz *g, void *dst, size_t n, size_t *got, rt_err *err)
{
    if (g->gzip)
        return inflate_some(g, dst, n, got, err);
    size_t left = g->size - g->at, k = n < left ? n : left;
    if (rt_read_at(g->fd, g->at, dst, k, g->path, err) != 0)
        return -1;
    g->at += k;
    *got = k;
    return 0;
}

int rt_gz_expect_end(rt_gz *g, const char *what, rt_err *err)
{
    unsigned char extra;
    size_t got;
    if (rt_gz_read(g, &extra, 1, &got, err) != 0)
        return -1;
    if (got != 0)
        return rt_errf(err, "%s: holds more data after %s: expected the file to end there",
                       g->path, what);
    return 0;
}

void rt_gz_close(rt_gz *g)
{
    if (g->gzip)
        inflateEnd(&g->z);
    if (g->fd >= 0)
        close(g->fd);
    g->fd = -1;
}

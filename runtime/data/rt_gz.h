/* rt_gz.h - reading a file that may be gzipped, to its last byte.
 *
 * A file that starts with the gzip magic (1f 8b) is inflated with zlib and
 * checked to its end: every member's CRC-32 and length trailer (zlib
 * checks them when it reaches them), a stream cut short anywhere (inside
 * the data or its 8-byte trailer) and bytes after the last member that do
 * not start another member are all refused, naming the file.  Any other
 * file is read as it is.  The file is opened with rt_open_input, so a FIFO,
 * a device or a folder is refused before anything is read.
 * Reading to the end (a read that returns fewer bytes than asked) is what
 * checks the trailer: rt_gz_expect_end does it for a reader that knows how
 * much data there must be.
 * Needs -lz: the trainer links it, the sampler never references this file.
 * Spec: RFC 1952 (gzip).  Leaves out: zlib and raw deflate streams, writing.
 */
#ifndef RT_GZ_H
#define RT_GZ_H

#include <stddef.h>
#include <zlib.h>

#include "core/rt_err.h"

typedef struct {
    const char *path;
    int fd;
    size_t size;                 /* of the file */
    unsigned long long at;       /* file bytes read into `in` so far */
    int gzip;                    /* 1: inflating, 0: a plain file */
    int done;                    /* the data has ended (and been checked) */
    z_stream z;
    unsigned char in[1 << 16];
} rt_gz;

/* Opens path (caller closes with rt_gz_close, also after an error). */
int rt_gz_open(rt_gz *g, const char *path, rt_err *err);
/* Reads up to n bytes into dst, *got of them; *got < n only at the end of
 * the data, which is then checked (trailers, nothing after). */
int rt_gz_read(rt_gz *g, void *dst, size_t n, size_t *got, rt_err *err);
/* Refuses more data after what the caller read: "holds more than `what`". */
int rt_gz_expect_end(rt_gz *g, const char *what, rt_err *err);
void rt_gz_close(rt_gz *g);

#endif

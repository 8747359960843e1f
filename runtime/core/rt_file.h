/* rt_file.h - whole-file reads, mkdir -p, and atomic file writes.
 *
 * Writers in the runtime never leave a half-written file under the final
 * name: they write PATH.tmp, then fflush + fsync + rename (rt_wfile_commit),
 * and sync the containing directory, so the new name survives a power cut.
 * A crash leaves at most a stale PATH.tmp behind.
 * Leaves out: mmap, Windows.
 */
#ifndef RT_FILE_H
#define RT_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "core/rt_err.h"

/* The one way to open an input: opened without blocking and checked with
 * fstat before anything is read, so that a FIFO, a device or a folder is
 * refused at once ("PATH: expected a regular file, found a FIFO (named
 * pipe)") instead of waited on.  Returns the descriptor (caller closes;
 * O_NONBLOCK, which changes nothing for a regular file) and the file's
 * size, or -1 with an error naming the path. */
int rt_open_input(const char *path, size_t *size, rt_err *err);

/* rt_open_input as a stdio stream (caller fcloses); NULL on error. */
FILE *rt_open_regular(const char *path, size_t *size, rt_err *err);

/* Reads a whole regular file into a new buffer (caller frees *data);
 * the buffer has one extra NUL byte after *len bytes. */
int rt_read_file(const char *path, unsigned char **data, size_t *len, rt_err *err);

/* Creates the directory and any missing parents (like mkdir -p). */
int rt_mkdir_p(const char *path, rt_err *err);

/* An output file being written atomically.  Write through f (stdio),
 * then call exactly one of rt_wfile_commit or rt_wfile_abort. */
typedef struct {
    FILE *f;
    char *path;   /* final name */
    char *tmp;    /* PATH.tmp */
} rt_wfile;

int rt_wfile_open(rt_wfile *w, const char *path, rt_err *err);
/* Flushes, fsyncs, closes and renames to the final name; on failure the
 * temporary file is removed.  Always releases w. */
int rt_wfile_commit(rt_wfile *w, rt_err *err);
/* Closes and removes the temporary file; releases w. */
void rt_wfile_abort(rt_wfile *w);

#endif

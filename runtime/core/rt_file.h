/* rt_file.h - opening inputs, whole-file reads, mkdir -p, and atomic file
 * writes.
 *
 * Every file the runtime reads is opened by rt_open_input (or the helpers
 * built on it), so that no reader ever waits on a FIFO or a device.
 * Writers in the runtime never leave a half-written file under the final
 * name: they write PATH.PID.tmp (the process ID: two programs writing the
 * same file never share a temporary), then fflush + fsync + rename
 * (rt_wfile_commit), and sync the containing directory, so the new name
 * survives a power cut.  A crash leaves at most a stale PATH.PID.tmp.
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

/* Reads exactly len bytes at byte pos of fd into dst; an error names
 * `what` (a path), the position, and the cause ("the file shrank since it
 * was opened" for an early end). */
int rt_read_at(int fd, unsigned long long pos, void *dst, size_t len, const char *what,
               rt_err *err);

/* Reads a whole regular file into a new buffer (caller frees *data);
 * the buffer has one extra NUL byte after *len bytes.  Its size is
 * checked against the memory there is first (rt_mem_check). */
int rt_read_file(const char *path, unsigned char **data, size_t *len, rt_err *err);

/* Creates the directory and any missing parents (like mkdir -p). */
int rt_mkdir_p(const char *path, rt_err *err);

/* An output file being written atomically.  Write through f (stdio),
 * then call exactly one of rt_wfile_commit or rt_wfile_abort. */
typedef struct {
    FILE *f;
    char *path;   /* final name */
    char *tmp;    /* PATH.PID.tmp */
} rt_wfile;

int rt_wfile_open(rt_wfile *w, const char *path, rt_err *err);
/* Flushes, fsyncs, closes and renames to the final name; on failure the
 * temporary file is removed.  Always releases w. */
int rt_wfile_commit(rt_wfile *w, rt_err *err);
/* Closes and removes the temporary file; releases w. */
void rt_wfile_abort(rt_wfile *w);

#endif

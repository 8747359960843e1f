/* rt_file.c - whole-file reads, mkdir -p and atomic writes (see rt_file.h).
 * POSIX only (fstat, fsync, mkdir, rename). */
#include "core/rt_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/rt_alloc.h"

/* what a file that is not a regular one is, for messages */
static const char *file_kind(mode_t mode)
{
    return S_ISDIR(mode) ? "a directory" : S_ISFIFO(mode) ? "a FIFO (named pipe)"
         : S_ISCHR(mode) ? "a character device" : S_ISBLK(mode) ? "a block device"
         : S_ISSOCK(mode) ? "a socket" : "something else";
}

int rt_open_input(const char *path, size_t *size, rt_err *err)
{
    /* without blocking: a FIFO opens at once (and a device does not wait
     * for a writer or a medium), so that fstat can refuse it before any
     * read could wait forever */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0)
        return rt_errf(err, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &sb) != 0)
        rt_errf(err, "%s: cannot stat: %s", path, strerror(errno));
    else if (!S_ISREG(sb.st_mode))
        rt_errf(err, "%s: expected a regular file, found %s", path, file_kind(sb.st_mode));
    else {   /* O_NONBLOCK stays: reads of a regular file never wait anyway */
        *size = (size_t)sb.st_size;
        return fd;
    }
    close(fd);
    return -1;
}

FILE *rt_open_regular(const char *path, size_t *size, rt_err *err)
{
    int fd = rt_open_input(path, size, err);
    FILE *f = fd < 0 ? NULL : fdopen(fd, "rb");
    if (fd >= 0 && !f) {
        rt_errf(err, "%s: cannot open: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

int rt_read_at(int fd, unsigned long long pos, void *dst, size_t len, const char *what,
               rt_err *err)
{
    unsigned char *out = dst;
    for (size_t done = 0; done < len;) {
        ssize_t n = pread(fd, out + done, len - done, (off_t)(pos + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return rt_errf(err, "%s: read failed at byte %llu: %s", what, pos + done,
                           n < 0 ? strerror(errno) : "the file shrank since it was opened");
        done += (size_t)n;
    }
    return 0;
}

int rt_read_file(const char *path, unsigned char **data, size_t *len, rt_err *err)
{
    size_t size;
    int fd = rt_open_input(path, &size, err);
    if (fd < 0)
        return -1;
    unsigned char *buf = NULL;
    int rc = rt_mem_check(path, size, "bytes of file", 1, err);
    if (rc == 0) {
        buf = rt_xmalloc(size + 1);
        rc = rt_read_at(fd, 0, buf, size, path, err);
    }
    close(fd);
    if (rc != 0) {
        free(buf);
        return -1;
    }
    buf[size] = 0;
    *data = buf;
    *len = size;
    return 0;
}

static int mkdir_one(const char *dir, rt_err *err)
{
    struct stat sb;
    if (mkdir(dir, 0777) == 0)
        return 0;
    if (errno == EEXIST && stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
        return 0;
    if (errno == EEXIST)
        return rt_errf(err, "%s: expected a directory, found a file", dir);
    return rt_errf(err, "%s: cannot create directory: %s", dir, strerror(errno));
}

int rt_mkdir_p(const char *path, rt_err *err)
{
    int rc = 0;
    char *dir = rt_xstrdup(path);
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        dir[--n] = 0;
    for (size_t i = 1; i < n && rc == 0; i++) {
        if (dir[i] != '/')
            continue;
        dir[i] = 0;
        rc = mkdir_one(dir, err);
        dir[i] = '/';
    }
    if (rc == 0 && n > 0)
        rc = mkdir_one(dir, err);
    free(dir);
    return rc;
}

int rt_wfile_open(rt_wfile *w, const char *path, rt_err *err)
{
    size_t n = strlen(path) + 32;
    w->path = rt_xstrdup(path);
    w->tmp = rt_xmalloc(n);
    snprintf(w->tmp, n, "%s.%ld.tmp", path, (long)getpid());
    w->f = fopen(w->tmp, "wb");
    if (!w->f) {
        rt_errf(err, "%s: cannot create: %s", w->tmp, strerror(errno));
        free(w->path);
        free(w->tmp);
        w->path = w->tmp = NULL;
        return -1;
    }
    return 0;
}

/* After a rename the new name is durable only once the directory itself
 * is synced; without it a power cut can bring back the old file.  Best
 * effort: some file systems refuse fsync on a directory. */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? rt_xstrdup(path) : rt_xstrdup(".");
    if (slash)
        dir[slash == path ? 1 : slash - path] = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int rt_wfile_commit(rt_wfile *w, rt_err *err)
{
    int rc = -1;
    if (fflush(w->f) != 0 || ferror(w->f)) {
        rt_errf(err, "%s: write failed: %s", w->tmp, strerror(errno));
    } else if (fsync(fileno(w->f)) != 0 && errno != EINVAL && errno != EROFS) {
        rt_errf(err, "%s: fsync failed: %s", w->tmp, strerror(errno));
    } else {
        rc = 0;
    }
    if (fclose(w->f) != 0 && rc == 0)
        rc = rt_errf(err, "%s: close failed: %s", w->tmp, strerror(errno));
    if (rc == 0 && rename(w->tmp, w->path) != 0)
        rc = rt_errf(err, "%s: cannot rename to %s: %s", w->tmp, w->path,
                     strerror(errno));
    if (rc == 0)
        sync_parent_dir(w->path);
    if (rc != 0)
        remove(w->tmp);
    free(w->path);
    free(w->tmp);
    w->f = NULL;
    w->path = w->tmp = NULL;
    return rc;
}

void rt_wfile_abort(rt_wfile *w)
{
    if (w->f) {
        fclose(w->f);
        remove(w->tmp);
    }
    free(w->path);
    free(w->tmp);
    w->f = NULL;
    w->path = w->tmp = NULL;
}

/* rt_run_dir.c - one run per folder, one trainer per run (see rt_run_dir.h). */
#include "train/rt_run_dir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/rt_alloc.h"
#include "core/rt_file.h"
#include "train/rt_checkpoint.h"
#include "train/rt_train_curves.h"

#define LOCK_NAME ".lock"

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = rt_xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* "PREFIX<digits>SUFFIX" */
static int is_numbered(const char *name, const char *prefix, const char *suffix)
{
    size_t np = strlen(prefix), ns = strlen(suffix), n = strlen(name);
    if (n <= np + ns || strncmp(name, prefix, np) != 0 || strcmp(name + n - ns, suffix) != 0)
        return 0;
    return strspn(name + np, "0123456789") == n - np - ns;
}

/* A file a run writes in its folder (in_ckpt: in its checkpoints/). */
static int is_run_name(const char *name, int in_ckpt)
{
    static const char *const fixed[] = { "log.csv", "settings.json", "model.yaml",
                                         "weights.safetensors", "best.safetensors",
                                         "report.md", RT_CURVES_NAME, ".eval-images.npy",
                                         ".eval-judged.npy", ".eval-judged.npy.txt" };
    if (in_ckpt)
        return rt_checkpoint_step_of(name) >= 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcmp(name, fixed[i]) == 0)
            return 1;
    return is_numbered(name, "samples_", ".png");
}

/* A run file's temporary: NAME.PID.tmp (or NAME.tmp, from older ganc). */
static int is_run_temp(const char *name, int in_ckpt)
{
    size_t n = strlen(name);
    if (n < 5 || strcmp(name + n - 4, ".tmp") != 0)
        return 0;
    char *base = rt_xstrdup(name);
    base[n - 4] = 0;
    char *dot = strrchr(base, '.');
    if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1) &&
        !is_run_name(base, in_ckpt))
        *dot = 0;
    int yes = is_run_name(base, in_ckpt);
    free(base);
    return yes;
}

/* Walks dir (and its checkpoints/) for run files: lists the first few in
 * `found` (when not NULL), removes every one and its temporaries when
 * `remove_them`.  Returns how many run files there were, or -1 with err. */
static long walk(const char *dir, int in_ckpt, char *found, size_t cap, int remove_them,
                 rt_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : rt_errf(err, "%s: cannot list: %s", dir, strerror(errno));
    long count = 0;
    struct dirent *e;
    while (count >= 0 && (e = readdir(d)) != NULL) {
        int run = is_run_name(e->d_name, in_ckpt);
        count += run;
        if (run && found && strlen(found) < cap / 2)   /* the first few, for the message */
            snprintf(found + strlen(found), cap - strlen(found), "%s%s%s", *found ? ", " : "",
                     in_ckpt ? RT_CKPT_DIR "/" : "", e->d_name);
        if (!remove_them || !(run || is_run_temp(e->d_name, in_ckpt)))
            continue;
        char *p = join(dir, e->d_name);
        if (unlink(p) != 0 && errno != ENOENT)
            count = rt_errf(err, "%s: cannot remove: %s", p, strerror(errno));
        free(p);
    }
    closedir(d);
    if (count < 0 || in_ckpt)
        return count;
    char *ck = join(dir, RT_CKPT_DIR);
    long more = walk(ck, 1, found, cap, remove_them, err);
    if (more >= 0 && remove_them)
        (void)rmdir(ck);   /* when empty: anything else the user put there stays */
    free(ck);
    return more < 0 ? -1 : count + more;
}

/* The process ID written in a held lock (it may not be written yet: the
 * holder writes it just after taking the lock). */
static void holder_pid(int fd, char *pid, size_t cap)
{
    for (int tries = 0; tries < 20; tries++) {
        ssize_t n = pread(fd, pid, cap - 1, 0);
        pid[n > 0 ? n : 0] = 0;
        pid[strcspn(pid, "\n")] = 0;
        if (*pid)
            return;
        nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
    }
    snprintf(pid, cap, "unknown");
}

/* Takes RUN/.lock: 0, 2 when another trainer holds it, 1 on failure. */
static int take_lock(rt_run_dir *r, rt_err *err)
{
    char *path = join(r->dir, LOCK_NAME);
    int status = 1;
    for (int tries = 0; tries < 10 && status == 1; tries++) {
        int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
        struct stat held, named;
        if (fd < 0) {
            rt_errf(err, "%s: cannot create the run folder's lock: %s", path, strerror(errno));
            break;
        }
        if (fstat(fd, &held) != 0 || !S_ISREG(held.st_mode)) {
            rt_errf(err, "%s: expected a regular file (the run folder's lock)", path);
            close(fd);
            break;
        }
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            char pid[32];
            if (errno == EWOULDBLOCK)
                holder_pid(fd, pid, sizeof pid);
            status = errno == EWOULDBLOCK ? 2 : 1;
            if (status == 2)
                rt_errf(err, "%s: another trainer (PID %s) is working in this run folder; "
                        "wait for it to end, or use another --out", r->dir, pid);
            else
                rt_errf(err, "%s: cannot lock: %s", path, strerror(errno));
            close(fd);
            break;
        }
        /* the name may have been removed (and made again) between open and
         * flock, by a trainer that gave up its new folder: then this lock
         * guards nothing, try again */
        if (stat(path, &named) != 0 || held.st_ino != named.st_ino ||
            held.st_dev != named.st_dev) {
            close(fd);
            continue;
        }
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        ssize_t wrote = ftruncate(fd, 0) == 0 ? pwrite(fd, pid, (size_t)n, 0) : -1;
        (void)wrote;   /* the PID is for messages only: a lock without it still locks */
        r->fd = fd;
        status = 0;
    }
    if (status == 1 && !err->msg[0])
        rt_errf(err, "%s: the lock keeps being replaced; try again", path);
    free(path);
    return status;
}

/* The run files' temporaries at the top of dir (weights.safetensors.PID.tmp
 * of a trainer killed while writing): with the lock held they are a dead
 * process's, and go.  The checkpoints' own go when they are pruned
 * (rt_checkpoint.c). */
static void remove_dead_temps(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (is_run_temp(e->d_name, 0)) {
            char *p = join(dir, e->d_name);
            (void)unlink(p);
            free(p);
        }
    if (d)
        closedir(d);
}

int rt_run_dir_claim(rt_run_dir *r, const char *dir, int fresh, int overwrite, rt_err *err)
{
    struct stat st;
    r->dir = dir;
    r->fd = -1;
    r->created = fresh && stat(dir, &st) != 0 && errno == ENOENT;
    err->msg[0] = 0;
    if (!fresh && stat(dir, &st) != 0)
        return 0;   /* nothing to lock: resuming finds no checkpoint, and says so */
    if (fresh && rt_mkdir_p(dir, err) != 0)
        return 1;
    int status = take_lock(r, err);
    if (status == 0)
        remove_dead_temps(dir);
    if (status != 0 || !fresh || overwrite)
        return status;
    char found[256] = "";
    long n = walk(dir, 0, found, sizeof found, 0, err);
    if (n < 0)
        return 1;
    if (n == 0)
        return 0;
    rt_errf(err, "%s holds a run (%ld file%s: %s%s): continue it with --resume %s, start a "
            "new one with another --out, or replace it with --overwrite", dir, n,
            n == 1 ? "" : "s", found, strlen(found) >= sizeof found / 2 ? ", ..." : "", dir);
    return 2;
}

int rt_run_dir_clear(rt_run_dir *r, rt_err *err)
{
    return walk(r->dir, 0, NULL, 0, 1, err) < 0 ? -1 : 0;
}

void rt_run_dir_release(rt_run_dir *r, int undo)
{
    if (r->fd < 0)
        return;
    /* removed while still held: a trainer that opened it meanwhile finds
     * its name gone once it holds it (take_lock) and makes a new one */
    char *path = join(r->dir, LOCK_NAME);
    unlink(path);
    free(path);
    if (undo && r->created)
        (void)rmdir(r->dir);   /* only when empty */
    close(r->fd);
    r->fd = -1;
}

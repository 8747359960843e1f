/* cost.c - the calibrated cost model (see cost.h). */
#include "cost.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "build.h"
#include "model.h"

const int gan_cost_grid[GAN_COST_DIMS] = { 1, 16, 128, 1024 };

static int grid_index(long v)
{
    for (int i = 0; i < GAN_COST_DIMS; i++)
        if (gan_cost_grid[i] == v)
            return i;
    return -1;
}

int gan_cost_parse(gan_cost *c, const char *text, const char *name, char *err, int err_size)
{
    memset(c, 0, sizeof *c);
    int have_copy = 0, have_direct = 0, have_loop = 0, have_implicit = 0, n_gemm = 0;
    int line = 0;
    for (const char *p = text; *p;) {
        line++;
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char buf[256];
        if (len >= sizeof buf) {
            snprintf(err, (size_t)err_size, "%s:%d: line too long", name, line);
            return -1;
        }
        memcpy(buf, p, len);
        buf[len] = 0;
        p += len + (end ? 1 : 0);
        char engine[16], tail;
        int ta, tb;
        long m, n, k;
        double v;
        if (!buf[0] || buf[0] == '#' || !strncmp(buf, "key ", 4))
            continue;
        if (sscanf(buf, "copy %lf %c", &v, &tail) == 1 && v > 0) {
            c->copy_ns = v, have_copy = 1;
        } else if (sscanf(buf, "direct %lf %c", &v, &tail) == 1 && v > 0) {
            c->direct_gflops = v, have_direct = 1;
        } else if (sscanf(buf, "loop %lf %c", &v, &tail) == 1 && v > 0) {
            c->loop_gflops = v, have_loop = 1;
        } else if (sscanf(buf, "implicit %lf %c", &v, &tail) == 1 && v > 0) {
            c->implicit_ratio = v, have_implicit = 1;
        } else if (sscanf(buf, "gemm %15s %d %d %ld %ld %ld %lf %c", engine, &ta, &tb, &m, &n,
                          &k, &v, &tail) == 7 &&
                   (!strcmp(engine, "openblas") || !strcmp(engine, "ganc")) &&
                   (ta == 0 || ta == 1) && (tb == 0 || tb == 1) && grid_index(m) >= 0 &&
                   grid_index(n) >= 0 && grid_index(k) >= 0 && v > 0 && isfinite(v)) {
            double *slot = &c->gemm[!strcmp(engine, "ganc")][ta][tb][grid_index(m)]
                                   [grid_index(n)][grid_index(k)];
            n_gemm += *slot == 0;
            *slot = v;
        } else {
            snprintf(err, (size_t)err_size,
                     "%s:%d: expected `copy NS`, `direct GFLOPS`, `loop GFLOPS`, `implicit RATIO` or `gemm "
                     "openblas|ganc TA TB M N K GFLOPS` (M, N, K 1, 16, 128 or 1024; numbers > 0), "
                     "found '%s'",
                     name, line, buf);
            return -1;
        }
    }
    int want = 2 * 2 * 2 * GAN_COST_DIMS * GAN_COST_DIMS * GAN_COST_DIMS;
    if (!have_copy || !have_direct || !have_loop || !have_implicit || n_gemm != want) {
        snprintf(err, (size_t)err_size,
                 "%s: incomplete: %s%s%s%s%d of %d gemm lines (calibrate again: ganc calibrate)",
                 name, have_copy ? "" : "no copy line, ", have_direct ? "" : "no direct line, ",
                 have_loop ? "" : "no loop line, ", have_implicit ? "" : "no implicit line, ",
                 n_gemm, want);
        return -1;
    }
    return 0;
}

void gan_cost_key(char *key, int size)
{
    char cpu[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
            snprintf(cpu, sizeof cpu, "%s", strchr(line, ':') + 2);
            cpu[strcspn(cpu, "\n")] = 0;
            break;
        }
    if (f)
        fclose(f);
    const char *core = getenv("OPENBLAS_CORETYPE");
    snprintf(key, (size_t)size, "key cpu=%s; OPENBLAS_CORETYPE=%s; ganc %s", cpu,
             core && *core ? core : "unset", GAN_VERSION);
}

const char *gan_cost_cache_path(const char *key, char *buf, int size)
{
    const char *dir = getenv("GANC_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"),
               *home = getenv("HOME");
    uint32_t h = 2166136261u;   /* FNV-1a: one file per key, so that two
                                   settings (say, with and without
                                   OPENBLAS_CORETYPE) do not measure in turn */
    for (const char *k = key; *k; k++)
        h = (h ^ (unsigned char)*k) * 16777619u;
    if (dir && *dir)
        snprintf(buf, (size_t)size, "%s/calibration-%08x.txt", dir, (unsigned)h);
    else if (xdg && *xdg)
        snprintf(buf, (size_t)size, "%s/ganc/calibration-%08x.txt", xdg, (unsigned)h);
    else if (home && *home)
        snprintf(buf, (size_t)size, "%s/.cache/ganc/calibration-%08x.txt", home, (unsigned)h);
    else
        *buf = 0;
    return buf;
}

/* mkdir -p of the folder that holds path */
static int make_parent(const char *path)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = 0;
    return gan_mkdir_p(dir);
}

/* Compiles and runs templates/calibrate.c; its output into a malloc'd
 * string, NULL on failure (said on stderr). */
static char *run_probe(void)
{
    char dir[] = "/tmp/ganc-calibrate-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "ganc: calibrate: cannot make a folder in /tmp: %s\n", strerror(errno));
        return NULL;
    }
    const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    char cmd[4 * PATH_MAX];
    snprintf(cmd, sizeof cmd,
             "%s " GAN_GEN_CFLAGS " -D_POSIX_C_SOURCE=200809L "
             "-I'%s/runtime' -o '%s/probe' '%s/templates/calibrate.c' '%s' -lopenblas -lm",
             cc, gan_home(), dir, gan_home(), gan_runtime_lib());
    char *out = NULL;
    int rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
        fprintf(stderr, "ganc: calibrate: the C compiler failed:\n  %s\n", cmd);
    } else {
        snprintf(cmd, sizeof cmd, "'%s/probe' > '%s/out.txt'", dir, dir);
        rc = system(cmd);
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/out.txt", dir);
        if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0)
            fprintf(stderr, "ganc: calibrate: the probe failed (%s)\n", cmd);
        else
            out = gan_read_file(path, NULL);
        unlink(path);
    }
    snprintf(cmd, sizeof cmd, "%s/probe", dir);
    unlink(cmd);
    rmdir(dir);
    return out;
}

/* the cache's text if its first line is this machine's key, else NULL */
static char *read_cache(const char *path, const char *key)
{
    char *text = path[0] ? gan_read_file(path, NULL) : NULL;
    size_t n = strlen(key);
    if (text && (strncmp(text, key, n) || text[n] != '\n')) {
        free(text);
        return NULL;
    }
    return text;
}

/* the key and the probe's lines, written beside the cache then renamed
 * over it, so that a reader never sees half a file */
static void write_cache(const char *path, const char *key, const char *probe)
{
    char tmp[PATH_MAX + 16];
    snprintf(tmp, sizeof tmp, "%s.%ld", path, (long)getpid());
    FILE *f = make_parent(path) ? NULL : fopen(tmp, "w");
    int ok = f && fprintf(f, "%s\n%s", key, probe) >= 0;
    if (f && fclose(f))
        ok = 0;
    if (!ok || rename(tmp, path)) {
        fprintf(stderr, "ganc: warning: cannot save the calibration to %s (%s); it will be "
                        "measured again next time\n", path, strerror(errno));
        unlink(tmp);
    }
}

static int apply_forced(gan_cost *c)
{
    const char *f = getenv("GANC_GEMM");
    if (!f || !*f)
        return 0;
    if (!strcmp(f, "openblas"))
        c->forced = GAN_OPENBLAS;
    else if (!strcmp(f, "ganc"))
        c->forced = GAN_OWN_GEMM;
    else if (!strcmp(f, "implicit"))
        c->forced = GAN_IMPLICIT;
    else {
        fprintf(stderr, "ganc: GANC_GEMM must be `openblas`, `ganc` or `implicit`, found '%s'\n",
                f);
        return -1;
    }
    return 0;
}

/* An exclusive lock beside the cache, held while measuring: a second ganc
 * (make -j) waits and then reads the first one's numbers instead of
 * measuring at the same time, which would halve both measurements.
 * Returns the descriptor (closing it unlocks), or -1 (then no lock). */
static int lock_cache(const char *path)
{
    char lock_path[PATH_MAX + 8];
    if (!path[0] || make_parent(path))
        return -1;
    snprintf(lock_path, sizeof lock_path, "%s.lock", path);
    int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0 && flock(fd, LOCK_EX)) {
        close(fd);
        fd = -1;
    }
    return fd;
}

int gan_cost_get(gan_cost *c, int force)
{
    const char *off = getenv("GANC_CALIBRATION");
    if (off && !strcmp(off, "off"))
        return -1;
    char path[PATH_MAX], key[512], err[512];
    gan_cost_key(key, sizeof key);
    gan_cost_cache_path(key, path, sizeof path);
    char *text = force ? NULL : read_cache(path, key);
    int lock = -1;
    if (!text) {
        lock = lock_cache(path);
        text = force ? NULL : read_cache(path, key);   /* measured while we waited? */
    }
    int fresh = !text, rc = -1;
    if (fresh) {
        fprintf(stderr, "ganc: measuring this machine for the cost model (once, about three "
                        "seconds; cached in %s)\n", path[0] ? path : "nowhere: no HOME");
        text = run_probe();
    }
    if (!text) {
        fprintf(stderr, "ganc: warning: no cost model; kernels chosen by size rules\n");
    } else if (gan_cost_parse(c, text, fresh ? "the calibration probe's output" : path, err,
                              sizeof err)) {
        fprintf(stderr, "ganc: %s\n", err);
        if (!fresh)   /* a damaged cache: measure again */
            rc = gan_cost_get(c, 1);
        else
            fprintf(stderr, "ganc: warning: no cost model; kernels chosen by size rules\n");
    } else {
        if (fresh && path[0])
            write_cache(path, key, text);
        snprintf(c->origin, sizeof c->origin, "%s (%s)", path[0] ? path : "measured now",
                 key + 4);
        rc = apply_forced(c) ? -2 : 0;
    }
    free(text);
    if (lock >= 0)
        close(lock);
    return rc;
}

/* position of v on the grid's log2 scale: the cell's lower index and the
 * fraction across it, clamped to the grid */
static void locate(long v, int *i, double *t)
{
    double x = log2((double)(v < 1 ? 1 : v));
    *i = 0;
    while (*i < GAN_COST_DIMS - 2 && x > log2((double)gan_cost_grid[*i + 1]))
        (*i)++;
    double lo = log2((double)gan_cost_grid[*i]), hi = log2((double)gan_cost_grid[*i + 1]);
    *t = x <= lo ? 0.0 : x >= hi ? 1.0 : (x - lo) / (hi - lo);
}

double gan_cost_gemm_us(const gan_cost *c, int engine, int ta, int tb, long m, long n, long k)
{
    int im, in, ik;
    double tm, tn, tk, logr = 0;
    locate(m, &im, &tm);
    locate(n, &in, &tn);
    locate(k, &ik, &tk);
    const double(*g)[GAN_COST_DIMS][GAN_COST_DIMS] =
        c->gemm[engine == GAN_OWN_GEMM][ta != 0][tb != 0];
    /* trilinear in log GFLOP/s over the cell's eight corners */
    for (int dm = 0; dm < 2; dm++)
        for (int dn = 0; dn < 2; dn++)
            for (int dk = 0; dk < 2; dk++) {
                double w = (dm ? tm : 1 - tm) * (dn ? tn : 1 - tn) * (dk ? tk : 1 - tk);
                logr += w * log(g[im + dm][in + dn][ik + dk]);
            }
    return 2.0 * (double)m * (double)n * (double)k / (exp(logr) * 1e3);
}

double gan_cost_direct_us(const gan_cost *c, double flops)
{
    return flops / (c->direct_gflops * 1e3);
}

double gan_cost_loop_us(const gan_cost *c, double flops)
{
    return flops / (c->loop_gflops * 1e3);
}

double gan_cost_copy_us(const gan_cost *c, double floats)
{
    return floats * c->copy_ns * 1e-3;
}

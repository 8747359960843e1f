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

/* Reads a `shape ENGINE TA TB M N K GFLOPS` line into *out; 0, or -1 when
 * it is not one. */
static int parse_shape(const char *line, gan_cost_shape *out)
{
    char engine[16], tail;
    if (sscanf(line, "shape %15s %d %d %ld %ld %ld %lf %c", engine, &out->ta, &out->tb, &out->m,
               &out->n, &out->k, &out->gflops, &tail) != 7)
        return -1;
    out->own = !strcmp(engine, "ganc");
    return (out->own || !strcmp(engine, "openblas")) && (out->ta == 0 || out->ta == 1) &&
           (out->tb == 0 || out->tb == 1) && out->m > 0 && out->n > 0 && out->k > 0 &&
           out->gflops > 0 && isfinite(out->gflops) ? 0 : -1;
}

/* the index of the product's shape line, or -1 */
static int find_shape(const gan_cost *c, int own, int ta, int tb, long m, long n, long k)
{
    for (int i = 0; i < c->n_shape; i++) {
        const gan_cost_shape *s = &c->shape[i];
        if (s->own == own && s->ta == ta && s->tb == tb && s->m == m && s->n == n && s->k == k)
            return i;
    }
    return -1;
}

/* Adds a measurement, or replaces the one of the same product; 0, or -1
 * when the table is full. */
static int add_shape(gan_cost *c, const gan_cost_shape *s)
{
    int old = find_shape(c, s->own, s->ta, s->tb, s->m, s->n, s->k);
    if (old < 0 && c->n_shape == GAN_COST_MAX_SHAPES)
        return -1;
    c->shape[old >= 0 ? old : c->n_shape++] = *s;
    return 0;
}

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
        gan_cost_shape shape;
        if (!buf[0] || buf[0] == '#' || !strncmp(buf, "key ", 4))
            continue;
        if (!strncmp(buf, "shape ", 6) && parse_shape(buf, &shape) == 0) {
            if (add_shape(c, &shape) == 0)
                continue;
            snprintf(err, (size_t)err_size, "%s:%d: more than %d shape lines", name, line,
                     GAN_COST_MAX_SHAPES);
            return -1;
        }
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
                     "%s:%d: expected `copy NS`, `direct GFLOPS`, `loop GFLOPS`, `implicit RATIO`, "
                     "`gemm openblas|ganc TA TB M N K GFLOPS` (M, N, K 1, 16, 128 or 1024) or "
                     "`shape openblas|ganc TA TB M N K GFLOPS` (numbers > 0), found '%s'",
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

/* Compiles templates/calibrate.c into a fresh folder in /tmp; its path
 * into probe.  0, or -1 (said on stderr). */
static int compile_probe(char *probe, size_t size)
{
    char dir[] = "/tmp/ganc-calibrate-XXXXXX";
    if (!mkdtemp(dir)) {
        fprintf(stderr, "ganc: calibrate: cannot make a folder in /tmp: %s\n", strerror(errno));
        return -1;
    }
    const char *cc = getenv("CC") && *getenv("CC") ? getenv("CC") : "cc";
    char cmd[4 * PATH_MAX];
    snprintf(probe, size, "%s/probe", dir);
    snprintf(cmd, sizeof cmd,
             "%s " GAN_GEN_CFLAGS " -D_POSIX_C_SOURCE=200809L "
             "-I'%s/runtime' -o '%s' '%s/templates/calibrate.c' '%s' -lopenblas -lm",
             cc, gan_home(), probe, gan_home(), gan_runtime_lib());
    int rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
        fprintf(stderr, "ganc: calibrate: the C compiler failed:\n  %s\n", cmd);
        unlink(probe);
        rmdir(dir);
        return -1;
    }
    return 0;
}

static void remove_probe(const char *probe)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", probe);
    if (!*dir)
        return;
    unlink(dir);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    rmdir(dir);
}

/* Runs the probe with arguments args; its output into a malloc'd string,
 * NULL on failure (said on stderr). */
static char *run_probe(const char *probe, const char *args)
{
    char cmd[4 * PATH_MAX], out[PATH_MAX];
    snprintf(out, sizeof out, "%s.out", probe);
    snprintf(cmd, sizeof cmd, "'%s' %s > '%s'", probe, args, out);
    int rc = system(cmd);
    char *text = NULL;
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0)
        fprintf(stderr, "ganc: calibrate: the probe failed (%s)\n", cmd);
    else
        text = gan_read_file(out, NULL);
    unlink(out);
    return text;
}

/* The grid: compiles the probe, runs it, removes it. */
static char *measure_grid(void)
{
    char probe[PATH_MAX];
    if (compile_probe(probe, sizeof probe))
        return NULL;
    char *text = run_probe(probe, "");
    remove_probe(probe);
    return text;
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
        text = measure_grid();
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
        snprintf(c->cache, sizeof c->cache, "%s", path);
        snprintf(c->key, sizeof c->key, "%s", key);
        rc = apply_forced(c) ? -2 : 0;
    }
    free(text);
    if (lock >= 0)
        close(lock);
    return rc;
}

/* ---- products measured at their exact shapes ------------------------------ */

/* the probe of this process, compiled when a shape first needed one and
 * removed at exit */
static char probe_at_exit[PATH_MAX];

static void remove_probe_at_exit(void)
{
    remove_probe(probe_at_exit);
}

/* the largest matrix the probe's --shapes takes (templates/calibrate.c) */
#define PROBE_MAX_FLOATS (double)(1 << 26)

/* Whether want (ta, tb, m, n, k) lacks a line for either engine and is worth
 * measuring (and the probe measures it: one product too big for it would
 * make it refuse the whole list). */
static int missing(const gan_cost *c, const long *w)
{
    double m = (double)w[2], n = (double)w[3], k = (double)w[4];
    return 2.0 * m * n * k >= 1e6 && m * k <= PROBE_MAX_FLOATS && k * n <= PROBE_MAX_FLOATS &&
           m * n <= PROBE_MAX_FLOATS &&
           (find_shape(c, 0, (int)w[0], (int)w[1], w[2], w[3], w[4]) < 0 ||
            find_shape(c, 1, (int)w[0], (int)w[1], w[2], w[3], w[4]) < 0);
}

/* Adds text's shape lines to c.  only: every line must be one (the probe's
 * output), else the first that is not is said on stderr and -1 returned;
 * otherwise other lines (a cache's grid) are passed over.  A full table
 * keeps its lines: the product interpolates, and a cache holding too many
 * fails to parse and is measured anew. */
static int add_shape_lines(gan_cost *c, const char *text, int only)
{
    for (const char *p = text; *p;) {
        char line[256];
        size_t len = strcspn(p, "\n");
        snprintf(line, sizeof line, "%.*s", (int)len, p);
        p += len + (p[len] == '\n');
        gan_cost_shape s;
        if (parse_shape(line, &s) == 0) {
            (void)add_shape(c, &s);
        } else if (only) {
            fprintf(stderr, "ganc: calibrate: the probe printed '%s', expected `shape ENGINE TA TB "
                            "M N K GFLOPS`\n", line);
            return -1;
        }
    }
    return 0;
}

/* Runs the probe on the args (`--shapes TA,TB,M,N,K ...`), adds the lines
 * it prints to c and to the end of the cache.  0, or -1. */
static int probe_shapes(gan_cost *c, const char *args)
{
    char *text = run_probe(c->probe, args);
    if (!text)
        return -1;
    int rc = add_shape_lines(c, text, 1);
    FILE *f = rc ? NULL : fopen(c->cache, "a");
    if (!rc && (!f || fputs(text, f) < 0 || fclose(f)))
        fprintf(stderr, "ganc: warning: cannot add to %s; the products will be measured "
                        "again next time\n", c->cache);
    free(text);
    return rc;
}

int gan_cost_measure(gan_cost *c, const long (*want)[5], int n_want)
{
    if (!c->cache[0] || c->forced)
        return 0;
    int todo = 0;
    for (int i = 0; i < n_want; i++)
        todo += missing(c, want[i]);
    if (!todo)
        return 0;
    int lock = lock_cache(c->cache), measured = 0;
    char *cached = read_cache(c->cache, c->key);   /* measured by another ganc meanwhile? */
    if (cached)
        add_shape_lines(c, cached, 0);
    free(cached);
    char args[4 * PATH_MAX] = "--shapes ";   /* each product followed by a space */
    size_t len = strlen(args);
    for (int i = 0; i < n_want && measured >= 0; i++) {
        const long *w = want[i];
        if (!missing(c, w))
            continue;
        char one[96];   /* " TA,TB,M,N,K ": spaces on both sides, so that no
                           product matches the start of another */
        snprintf(one, sizeof one, " %ld,%ld,%ld,%ld,%ld ", w[0], w[1], w[2], w[3], w[4]);
        if (strstr(args, one))   /* asked twice */
            continue;
        if (!c->probe[0]) {
            fprintf(stderr, "ganc: measuring this model's matrix products on this machine "
                            "(once; cached in %s)\n", c->cache);
            if (compile_probe(c->probe, sizeof c->probe)) {
                measured = -1;
                break;
            }
            snprintf(probe_at_exit, sizeof probe_at_exit, "%s", c->probe);
            atexit(remove_probe_at_exit);
        }
        if (len + strlen(one) > sizeof args) {   /* a full command: run it */
            if (probe_shapes(c, args))
                measured = -1;
            snprintf(args, sizeof args, "--shapes ");
            len = strlen(args);
        }
        memcpy(args + len, one + 1, strlen(one));   /* args ends in a space already */
        len += strlen(one) - 1;
        measured += measured >= 0;
    }
    if (measured > 0 && probe_shapes(c, args))
        measured = -1;
    if (lock >= 0)
        close(lock);
    if (measured < 0)
        fprintf(stderr, "ganc: warning: products not measured; the cost model interpolates\n");
    return measured;
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

double gan_cost_shape_gflops(const gan_cost *c, int own, int ta, int tb, long m, long n, long k)
{
    int s = find_shape(c, own, ta, tb, m, n, k);
    return s >= 0 ? c->shape[s].gflops : 0.0;
}

double gan_cost_gemm_us(const gan_cost *c, int engine, int ta, int tb, long m, long n, long k)
{
    double flops = 2.0 * (double)m * (double)n * (double)k;
    double measured = gan_cost_shape_gflops(c, engine == GAN_OWN_GEMM, ta != 0, tb != 0, m, n, k);
    if (measured > 0)
        return flops / (measured * 1e3);
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
    return flops / (exp(logr) * 1e3);
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

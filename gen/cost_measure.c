/* cost_measure.c - measuring this machine for the cost model (cost.h):
 * the calibration probe (templates/calibrate.c) compiled and run, its
 * numbers cached per machine, and the products of a model measured at
 * their exact shapes.  Only the driver (driver.c) and `ganc calibrate`
 * call it, before anything is planned: the planner only reads the model.
 * Programs run through host.c with argument vectors, never a shell. */
#include "cost.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"

/* mkdir -p of the folder that holds path */
static int make_parent(const char *path)
{
    char *dir = strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    int rc = !dir ? -1 : 0;
    if (slash && slash != dir) {
        *slash = 0;
        rc = gan_mkdir_p(dir, NULL);
    }
    free(dir);
    return rc;
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
    char inc[PATH_MAX + 16], src[PATH_MAX + 32];
    snprintf(probe, size, "%s/probe", dir);
    snprintf(inc, sizeof inc, "-I%s/runtime", gan_home());
    snprintf(src, sizeof src, "%s/templates/calibrate.c", gan_home());
    const char *argv[32];
    int n = 0;
    argv[n++] = gan_cc();
    for (const char *const *f = gan_gen_cflags; *f; f++)
        argv[n++] = *f;
    const char *const rest[] = { "-D_POSIX_C_SOURCE=200809L", inc, "-o", probe, src,
                                 gan_runtime_lib(), "-lopenblas", "-lm", NULL };
    for (const char *const *f = rest; *f; f++)
        argv[n++] = *f;
    argv[n] = NULL;
    if (gan_run(argv, NULL, NULL, "calibrate: the C compiler")) {
        unlink(probe);
        rmdir(dir);
        return -1;
    }
    return 0;
}

static void remove_probe(const char *probe)
{
    if (!*probe)
        return;
    unlink(probe);
    char *dir = strdup(probe);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash) {
        *slash = 0;
        rmdir(dir);
    }
    free(dir);
}

/* Runs the probe with the arguments args (NULL-terminated, after the
 * program's name); its output into a malloc'd string, NULL on failure
 * (said on stderr). */
static char *run_probe(const char *probe, const char *const *args)
{
    char out[PATH_MAX + 8];
    snprintf(out, sizeof out, "%s.out", probe);
    int n = 0;
    while (args[n])
        n++;
    const char **argv = calloc((size_t)n + 2, sizeof *argv);
    char *text = NULL;
    const char *why = "out of memory";
    if (argv) {
        argv[0] = probe;
        memcpy(argv + 1, args, (size_t)n * sizeof *argv);
        if (!gan_run(argv, NULL, out, "calibrate: the probe") &&
            !(text = gan_read_file(out, NULL, &why)))
            fprintf(stderr, "ganc: calibrate: cannot read %s: %s\n", out, why);
    }
    free(argv);
    unlink(out);
    return text;
}

/* The grid: compiles the probe, runs it, removes it. */
static char *measure_grid(void)
{
    char probe[PATH_MAX];
    if (compile_probe(probe, sizeof probe))
        return NULL;
    static const char *const none[] = { NULL };
    char *text = run_probe(probe, none);
    remove_probe(probe);
    return text;
}

/* the cache's text if its first line is this machine's key, else NULL */
static char *read_cache(const char *path, const char *key)
{
    char *text = path[0] ? gan_read_file(path, NULL, NULL) : NULL;
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
    memset(c, 0, sizeof *c);
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
        gan_cost_free(c);
        if (!fresh) {   /* a damaged cache: measure again (which locks it) */
            if (lock >= 0)
                close(lock);
            lock = -1;
            rc = gan_cost_get(c, 1);
        }
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
           (gan_cost_find_shape(c, 0, (int)w[0], (int)w[1], w[2], w[3], w[4]) < 0 ||
            gan_cost_find_shape(c, 1, (int)w[0], (int)w[1], w[2], w[3], w[4]) < 0);
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
        if (gan_cost_parse_shape(line, &s) == 0) {
            (void)gan_cost_add_shape(c, &s);
        } else if (only) {
            fprintf(stderr, "ganc: calibrate: the probe printed '%s', expected `shape ENGINE TA TB "
                            "M N K GFLOPS`\n", line);
            return -1;
        }
    }
    return 0;
}

/* Runs the probe on args (`--shapes TA,TB,M,N,K ...`), adds the lines it
 * prints to c and to the end of the cache.  0, or -1. */
static int probe_shapes(gan_cost *c, const char *const *args)
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

/* products per run of the probe: a command line stays far below the
 * system's limit on arguments */
enum { PRODUCTS_PER_RUN = 256 };

/* the products of want that are missing, each once, as the probe's
 * "TA,TB,M,N,K" arguments after "--shapes" (NULL-terminated, malloc'd
 * strings); their count into *n, or -1 when out of memory */
static char **missing_args(const gan_cost *c, const long (*want)[5], int n_want, int *n)
{
    char **args = calloc((size_t)n_want + 2, sizeof *args);
    *n = 0;
    if (!args)
        return *n = -1, NULL;
    args[0] = strdup("--shapes");
    for (int i = 0; i < n_want && args[0]; i++) {
        char one[128];
        snprintf(one, sizeof one, "%ld,%ld,%ld,%ld,%ld", want[i][0], want[i][1], want[i][2],
                 want[i][3], want[i][4]);
        int seen = !missing(c, want[i]);
        for (int k = 1; k <= *n && !seen; k++)
            seen = !strcmp(args[k], one);
        if (!seen && !(args[++*n] = strdup(one)))
            *n = -1;
        if (*n < 0)
            break;
    }
    if (!args[0])
        *n = -1;
    return args;
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
    int n = 0;
    char **args = missing_args(c, want, n_want, &n);
    if (n < 0)
        measured = -1;
    if (n > 0) {
        fprintf(stderr, "ganc: measuring this model's matrix products on this machine "
                        "(once; cached in %s)\n", c->cache);
        if (!c->probe[0] && compile_probe(c->probe, sizeof c->probe) == 0) {
            snprintf(probe_at_exit, sizeof probe_at_exit, "%s", c->probe);
            atexit(remove_probe_at_exit);
        }
        measured = c->probe[0] ? n : -1;
    }
    /* in runs of PRODUCTS_PER_RUN: "--shapes" and the next products */
    for (int from = 1; measured > 0 && from <= n; from += PRODUCTS_PER_RUN) {
        const char *run[PRODUCTS_PER_RUN + 2] = { "--shapes" };
        int k = 0;
        for (; k < PRODUCTS_PER_RUN && from + k <= n; k++)
            run[1 + k] = args[from + k];
        run[1 + k] = NULL;
        if (probe_shapes(c, run))
            measured = -1;
    }
    for (int i = 0; args && args[i]; i++)
        free(args[i]);
    free(args);
    if (lock >= 0)
        close(lock);
    if (measured < 0)
        fprintf(stderr, "ganc: warning: products not measured; the cost model interpolates\n");
    return measured;
}

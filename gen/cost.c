/* cost.c - the calibrated cost model (see cost.h). */
#include "cost.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "model.h"

const int gan_cost_grid[GAN_COST_DIMS] = { 1, 16, 128, 1024 };

/* Reads a `shape ENGINE TA TB M N K GFLOPS` line into *out; 0, or -1 when
 * it is not one. */
int gan_cost_parse_shape(const char *line, gan_cost_shape *out)
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
int gan_cost_find_shape(const gan_cost *c, int own, int ta, int tb, long m, long n, long k)
{
    for (int i = 0; i < c->n_shape; i++) {
        const gan_cost_shape *s = &c->shape[i];
        if (s->own == own && s->ta == ta && s->tb == tb && s->m == m && s->n == n && s->k == k)
            return i;
    }
    return -1;
}

int gan_cost_add_shape(gan_cost *c, const gan_cost_shape *s)
{
    int old = gan_cost_find_shape(c, s->own, s->ta, s->tb, s->m, s->n, s->k);
    if (old < 0 && c->n_shape == c->cap_shape) {
        int cap = c->cap_shape ? 2 * c->cap_shape : 64;
        gan_cost_shape *grown = realloc(c->shape, (size_t)cap * sizeof *grown);
        if (!grown)
            return -1;
        c->shape = grown;
        c->cap_shape = cap;
    }
    c->shape[old >= 0 ? old : c->n_shape++] = *s;
    return 0;
}

void gan_cost_free(gan_cost *c)
{
    free(c->shape);
    memset(c, 0, sizeof *c);
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
    gan_cost_free(c);
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
        if (!strncmp(buf, "shape ", 6) && gan_cost_parse_shape(buf, &shape) == 0) {
            if (gan_cost_add_shape(c, &shape) == 0)
                continue;
            snprintf(err, (size_t)err_size, "%s:%d: out of memory", name, line);
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
    uint32_t h = 2166136261u;   /* FNV-1a: one file per key, so that two
                                   settings (say, with and without
                                   OPENBLAS_CORETYPE) do not measure in turn */
    for (const char *k = key; *k; k++)
        h = (h ^ (unsigned char)*k) * 16777619u;
    char dir[4096];
    if (*gan_cache_dir(dir, sizeof dir))
        snprintf(buf, (size_t)size, "%s/calibration-%08x.txt", dir, (unsigned)h);
    else
        *buf = 0;
    return buf;
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
    int s = gan_cost_find_shape(c, own, ta, tb, m, n, k);
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

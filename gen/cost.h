/* cost.h - ganc's cost model: how long each way of computing a product or
 * a convolution takes on this machine, from a microbenchmark
 * (templates/calibrate.c) that ganc runs once per machine and caches.
 *
 * plan.c asks it, per product, for the time of generated loops, of
 * OpenBLAS's sgemm and of the runtime's own rt_sgemm (plus, for a
 * convolution, the im2col/col2im copy), and takes the fastest.  Without a
 * cost model (GANC_CALIBRATION=off, or no compiler to run the probe) the
 * plan falls back to fixed size rules and OpenBLAS.
 *
 * The cache: $GANC_CACHE_DIR, else $XDG_CACHE_HOME/ganc, else
 * ~/.cache/ganc; file calibration-HASH.txt, the probe's lines under a
 * `key` line naming the CPU, OPENBLAS_CORETYPE and ganc's version (HASH is
 * the key's).  A cache whose key line differs is measured again.
 */
#ifndef GAN_COST_H
#define GAN_COST_H

enum { GAN_COST_DIMS = 4 };   /* grid points per side: gan_cost_grid */
extern const int gan_cost_grid[GAN_COST_DIMS];   /* 1, 16, 128, 1024 */

/* which code computes a product (plan.h's use_blas values); GAN_IMPLICIT,
 * for a convolution only: rt_sgemm with its columns gathered from the
 * image (no im2col matrix) */
enum gan_engine { GAN_LOOPS = 0, GAN_OPENBLAS = 1, GAN_OWN_GEMM = 2, GAN_IMPLICIT = 3,
                  GAN_N_ENGINES };

/* One product measured at its exact shape (the grid is interpolated
 * between points up to 1024 and is off by up to 1.3x for the long, thin
 * products of convolutions): GFLOP/s with cold caches, as a layer meets
 * its operands in a training step. */
typedef struct {
    int own, ta, tb;        /* own: rt_sgemm, else OpenBLAS */
    long m, n, k;
    double gflops;
} gan_cost_shape;

typedef struct {
    double copy_ns;         /* per float of an im2col copy */
    double direct_gflops;   /* direct convolution loop nest */
    double loop_gflops;     /* product as generated loops */
    double implicit_ratio;  /* implicit GEMM convolution's time over im2col + rt_sgemm's */
    /* GFLOP/s by engine (0 OpenBLAS, 1 ganc), ta, tb, and M, N, K on the grid */
    double gemm[2][2][2][GAN_COST_DIMS][GAN_COST_DIMS][GAN_COST_DIMS];
    int forced;             /* GANC_GEMM: the engine allowed (GAN_OWN_GEMM: also
                               GAN_IMPLICIT; GAN_IMPLICIT: convolutions
                               implicit, other products rt_sgemm), else 0 */
    char origin[512];       /* where the numbers came from, for reports */
    gan_cost_shape *shape;  /* `shape` lines (malloc'd, grown as needed) */
    int n_shape, cap_shape;
    char cache[4096];       /* where measured shapes are added; "" (a model
                               parsed from text): none are measured */
    char key[512];          /* the cache's key line (gan_cost_key) */
    char probe[4096];       /* the compiled probe, once a shape needed one */
} gan_cost;

/* Releases what a parsed cost model owns (its shape lines); c may be
 * zeroed or parsed. */
void gan_cost_free(gan_cost *c);

/* Parses the probe's output (text, NUL-terminated) into c, which must be
 * zeroed or hold an earlier parse (released first).  Every line and every
 * grid point must be there; `shape ENGINE TA TB M N K GFLOPS` lines (exact
 * shapes measured since) may follow.  On error returns -1 and writes
 * "NAME:LINE: what was expected" into err. */
int gan_cost_parse(gan_cost *c, const char *text, const char *name, char *err, int err_size);

/* A `shape ENGINE TA TB M N K GFLOPS` line into *out; 0, or -1 when it is
 * not one. */
int gan_cost_parse_shape(const char *line, gan_cost_shape *out);
/* Adds a measurement, or replaces the one of the same product; 0, or -1
 * out of memory. */
int gan_cost_add_shape(gan_cost *c, const gan_cost_shape *s);
/* the index of a product's shape line on one engine, or -1 */
int gan_cost_find_shape(const gan_cost *c, int own, int ta, int tb, long m, long n, long k);

/* ---- measuring (cost_measure.c): the driver and `ganc calibrate` only --- */

/* The cost model for this machine: the cache if its key matches, else a
 * fresh calibration (a note on stderr; about three seconds), saved to the
 * cache.  force: calibrate even if cached.  Returns 0; -1 when there is
 * none to use (GANC_CALIBRATION=off, or calibration failed: said on
 * stderr), and plan.c then uses its rules; -2 when GANC_GEMM names no
 * engine (said on stderr: a usage error). */
int gan_cost_get(gan_cost *c, int force);

/* The cache's first line for this machine and setting: what the numbers
 * depend on besides the code (the CPU, the kernel set OpenBLAS is told to
 * use, ganc's version). */
void gan_cost_key(char *key, int size);

/* The cache file's path for the machine and setting named by key (from
 * gan_cost_key), into buf; "" when no folder can be found. */
const char *gan_cost_cache_path(const char *key, char *buf, int size);

/* Measures, on both engines, the products want[i] = { ta, tb, m, n, k }
 * that have no shape line and are worth one (a million flops or more),
 * with one run of the probe, and adds them to c and to its cache (once
 * per machine and shape: a model's first build measures its products,
 * about a second).  Does nothing for a model without a cache or under
 * GANC_GEMM.  Returns how many products it measured, -1 when the probe
 * failed (said on stderr; the grid is used). */
int gan_cost_measure(gan_cost *c, const long (*want)[5], int n_want);

/* Microseconds, predicted: a product by engine (GAN_OPENBLAS or
 * GAN_OWN_GEMM; its shape line if there is one, else interpolated in the
 * grid, log-log, clamped at its edges), flops of a direct convolution or
 * of generated product loops, and a copy of n floats. */
double gan_cost_gemm_us(const gan_cost *c, int engine, int ta, int tb, long m, long n, long k);
/* A product's shape line on one engine (own: rt_sgemm, else OpenBLAS):
 * its GFLOP/s, or 0 when it has none. */
double gan_cost_shape_gflops(const gan_cost *c, int own, int ta, int tb, long m, long n, long k);
double gan_cost_direct_us(const gan_cost *c, double flops);
double gan_cost_loop_us(const gan_cost *c, double flops);
double gan_cost_copy_us(const gan_cost *c, double floats);

#endif

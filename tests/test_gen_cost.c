/* test_gen_cost.c - the cost model (gen/cost.c) and the kernel choices the
 * plan makes from it: parsing the calibration (and its errors, with file
 * and line), interpolation on the grid, the cache, and that each product
 * goes to whichever of loops, OpenBLAS and rt_sgemm the model says is
 * fastest. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cost.h"
#include "layer.h"
#include "plan.h"

/* A complete calibration text: OpenBLAS at `blas` GFLOP/s everywhere
 * except that rates grow with M (so interpolation has something to do),
 * ganc at `own`, loops and direct convolutions at `loops`. */
static double implicit_ratio = 1.5;   /* the implicit GEMM loses unless a test says */

static char *calibration(double blas, double own, double loops)
{
    size_t cap = 64 * 1024, len = 0;
    char *t = malloc(cap);
    len += (size_t)snprintf(t + len, cap - len, "copy 0.5\ndirect %g\nloop %g\nimplicit %g\n",
                            loops, loops, implicit_ratio);
    for (int e = 0; e < 2; e++)
        for (int ta = 0; ta < 2; ta++)
            for (int tb = 0; tb < 2; tb++)
                for (int i = 0; i < GAN_COST_DIMS; i++)
                    for (int j = 0; j < GAN_COST_DIMS; j++)
                        for (int k = 0; k < GAN_COST_DIMS; k++)
                            len += (size_t)snprintf(t + len, cap - len,
                                                    "gemm %s %d %d %d %d %d %g\n",
                                                    e ? "ganc" : "openblas", ta, tb,
                                                    gan_cost_grid[i], gan_cost_grid[j],
                                                    gan_cost_grid[k], (e ? own : blas) * (i + 1));
    return t;
}

static void test_parse_complete(void **state)
{
    (void)state;
    char *t = calibration(100, 50, 5), err[512];
    gan_cost c = { 0 };
    assert_int_equal(gan_cost_parse(&c, t, "cal.txt", err, sizeof err), 0);
    assert_true(c.copy_ns == 0.5 && c.direct_gflops == 5 && c.loop_gflops == 5);
    assert_true(c.implicit_ratio == 1.5);
    assert_true(c.gemm[0][1][0][2][0][3] == 300);   /* openblas, ta, M = 128 */
    assert_true(c.gemm[1][0][1][0][3][3] == 50);    /* ganc, tb, M = 1 */
    free(t);
    gan_cost_free(&c);
}

static void test_parse_errors_name_the_line(void **state)
{
    (void)state;
    char err[512];
    gan_cost c = { 0 };
    /* a grid point that is not on the grid */
    assert_int_equal(gan_cost_parse(&c, "copy 1\ndirect 2\ngemm ganc 0 0 17 16 16 9\n", "cal.txt",
                                     err, sizeof err), -1);
    assert_non_null(strstr(err, "cal.txt:3: expected"));
    assert_non_null(strstr(err, "gemm ganc 0 0 17 16 16 9"));
    /* a number that is not one, and a negative one */
    assert_int_equal(gan_cost_parse(&c, "copy x\n", "c", err, sizeof err), -1);
    assert_non_null(strstr(err, "c:1:"));
    assert_int_equal(gan_cost_parse(&c, "\n\ndirect -3\n", "c", err, sizeof err), -1);
    assert_non_null(strstr(err, "c:3:"));
    /* trailing junk */
    assert_int_equal(gan_cost_parse(&c, "loop 3 4\n", "c", err, sizeof err), -1);
    /* a truncated file: every line good, some missing */
    char *t = calibration(100, 50, 5);
    t[strlen(t) / 2] = 0;
    *strrchr(t, '\n') = 0;
    assert_int_equal(gan_cost_parse(&c, t, "cut.txt", err, sizeof err), -1);
    assert_non_null(strstr(err, "cut.txt: incomplete"));
    assert_non_null(strstr(err, "of 512 gemm lines"));
    /* a cache from before the implicit line: incomplete, measured again */
    assert_int_equal(gan_cost_parse(&c, "copy 1\ndirect 2\nloop 3\n", "old.txt", err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "no implicit line"));
    free(t);
    gan_cost_free(&c);
}

static void test_interpolation(void **state)
{
    (void)state;
    char *t = calibration(100, 50, 5), err[512];
    gan_cost c = { 0 };
    assert_int_equal(gan_cost_parse(&c, t, "cal.txt", err, sizeof err), 0);
    free(t);
    /* on the grid: exactly the table (M = 128 is the third point: 300) */
    double flops = 2.0 * 128 * 128 * 128;
    assert_true(fabs(gan_cost_gemm_us(&c, GAN_OPENBLAS, 0, 0, 128, 128, 128) -
                     flops / (300 * 1e3)) < 1e-9);
    /* halfway (log scale) between 128 and 1024: the geometric mean rate */
    double mid = gan_cost_gemm_us(&c, GAN_OPENBLAS, 0, 0, 362, 128, 128);
    double rate = 2.0 * 362 * 128 * 128 / (mid * 1e3);
    assert_true(rate > 300 && rate < 400);
    assert_true(fabs(rate - sqrt(300.0 * 400.0)) < 2.0);
    /* past the grid: the edge's rate */
    double big = gan_cost_gemm_us(&c, GAN_OPENBLAS, 0, 0, 4096, 128, 128);
    assert_true(fabs(2.0 * 4096 * 128 * 128 / (big * 1e3) - 400) < 1e-6);
    /* the engines are kept apart, and the rest are linear */
    assert_true(fabs(gan_cost_gemm_us(&c, GAN_OWN_GEMM, 0, 0, 16, 16, 16) -
                     2.0 * 16 * 16 * 16 / (100 * 1e3)) < 1e-9);
    assert_true(fabs(gan_cost_loop_us(&c, 5e3) - 1.0) < 1e-12);
    assert_true(fabs(gan_cost_direct_us(&c, 1e4) - 2.0) < 1e-12);
    assert_true(fabs(gan_cost_copy_us(&c, 2000) - 1.0) < 1e-12);
    gan_cost_free(&c);
}

/* Products measured at their own shape override the grid; a later line for
 * the same product replaces the earlier; bad lines are named. */
static void test_shape_lines(void **state)
{
    (void)state;
    char *grid = calibration(100, 50, 5), err[512];
    size_t len = strlen(grid);
    char *t = malloc(len + 512);
    snprintf(t, len + 512, "%sshape ganc 0 0 128 3136 1024 200\nshape openblas 0 0 128 3136 1024 "
                           "90\nshape ganc 0 0 128 3136 1024 250\n", grid);
    gan_cost c = { 0 };
    assert_int_equal(gan_cost_parse(&c, t, "cal.txt", err, sizeof err), 0);
    assert_int_equal(c.n_shape, 2);
    double flops = 2.0 * 128 * 3136 * 1024;
    assert_true(fabs(gan_cost_gemm_us(&c, GAN_OWN_GEMM, 0, 0, 128, 3136, 1024) - flops / 250e3) <
                1e-9);
    assert_true(fabs(gan_cost_gemm_us(&c, GAN_OPENBLAS, 0, 0, 128, 3136, 1024) - flops / 90e3) <
                1e-9);
    /* another transposition is another product: the grid (M = 128: 3 x 50) */
    assert_true(fabs(gan_cost_gemm_us(&c, GAN_OWN_GEMM, 1, 0, 128, 3136, 1024) - flops / 150e3) <
                1e-9);
    /* parsed from text, the model has no cache: nothing is measured */
    const long want[1][5] = { { 0, 0, 64, 64, 64 } };
    assert_int_equal(gan_cost_measure(&c, want, 1), 0);
    assert_int_equal(c.n_shape, 2);
    /* with a cache, a product too small to matter or too big for the probe
     * is not measured (the probe would refuse the whole list for one) */
    char dir[] = "/tmp/ganc-test-measure-XXXXXX";
    assert_non_null(mkdtemp(dir));
    snprintf(c.cache, sizeof c.cache, "%s/calibration.txt", dir);
    const long skip[2][5] = { { 0, 0, 8, 8, 8 }, { 0, 0, 1 << 14, 1 << 14, 1 << 14 } };
    assert_int_equal(gan_cost_measure(&c, skip, 2), 0);
    assert_int_equal(c.n_shape, 2);
    assert_int_equal(rmdir(dir), 0);   /* nothing written there, not even a lock */
    c.cache[0] = 0;
    static const char *const bad[] = { "shape cuda 0 0 1 1 1 5", "shape ganc 0 0 0 1 1 5",
                                       "shape ganc 2 0 1 1 1 5", "shape ganc 0 0 1 1 1 -5",
                                       "shape ganc 0 0 1 1 1 5 6" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(t, len + 512, "%s\n%s\n", grid, bad[i]);
        assert_int_equal(gan_cost_parse(&c, t, "cal.txt", err, sizeof err), -1);
        char where[32];
        snprintf(where, sizeof where, "cal.txt:%d: expected", 1 + 4 + 512 + 1);
        if (!strstr(err, where) || !strstr(err, bad[i]))
            fail_msg("'%s': %s", bad[i], err);
    }
    /* a cache with many products keeps every one (the table grows) */
    enum { MANY = 3000 };
    size_t cap = len + (MANY + 1) * 48;
    char *many = malloc(cap);
    size_t at = (size_t)snprintf(many, cap, "%s", grid);
    for (int i = 0; i < MANY; i++)
        at += (size_t)snprintf(many + at, cap - at, "shape ganc 0 0 %d 8 8 10\n", i + 1);
    assert_int_equal(gan_cost_parse(&c, many, "cal.txt", err, sizeof err), 0);
    assert_int_equal(c.n_shape, MANY);
    assert_true(gan_cost_shape_gflops(&c, 1, 0, 0, MANY, 8, 8) == 10);
    free(many);
    free(t);
    free(grid);
    gan_cost_free(&c);
}

/* ---- the plan follows the model ---- */

static gan_model dcgan;

static int setup_dcgan(void **state)
{
    (void)state;
    gan_diag d;
    gan_diag_init(&d, stderr);
    return gan_model_load(&dcgan, "models/dcgan_fashion.yaml", &d) || d.errors;
}

static int teardown_dcgan(void **state)
{
    (void)state;
    gan_model_free(&dcgan);
    return 0;
}

/* counts of products (matmuls and the convolutions' GEMM forms) by engine
 * in the D step's plan (the sampler's generator with own_gemm) */
static void count_engines(gan_cost *c, int sampler, int counts[GAN_N_ENGINES])
{
    gan_codegen_opts o = { 0, 1, dcgan.unroll, sampler, c };
    gan_program p;
    gan_plan pl;
    if (sampler)
        gan_program_generate(&p, &dcgan);
    else
        gan_program_step(&p, &dcgan, 0, 0, 0);   /* d_step */
    gan_plan_build(&pl, &p, &dcgan, o);
    for (int e = 0; e < GAN_N_ENGINES; e++)
        counts[e] = 0;
    for (int x = 0; x < pl.n; x++) {
        ir_op op = p.g.n[x].op;
        int product = op == IR_MATMUL || op == IR_CONV2D || op == IR_CONV2D_T ||
                      op == IR_CONV2D_WGRAD;
        if (product && (pl.store[x] == ST_MAT || pl.store[x] == ST_FUSED)) {
            counts[pl.sched[x].engine]++;
            assert_non_null(pl.est);
            double *e = pl.est[x];
            double chosen = e[pl.sched[x].engine];
            for (int k = 0; k < GAN_N_ENGINES; k++)   /* nothing allowed was predicted faster */
                assert_true(e[k] < 0 || chosen <= e[k]);
        }
    }
    gan_plan_free(&pl);
    gan_program_free(&p);
}

static void plan_with(double blas, double own, double loops, int forced, int sampler,
                      int counts[GAN_N_ENGINES])
{
    char *t = calibration(blas, own, loops), err[512];
    gan_cost c = { 0 };
    assert_int_equal(gan_cost_parse(&c, t, "cal.txt", err, sizeof err), 0);
    free(t);
    c.forced = forced;
    count_engines(&c, sampler, counts);
    gan_cost_free(&c);
}

/* A shape line for one of the D step's products turns its choice around:
 * the grid says OpenBLAS everywhere, the line says rt_sgemm for conv2. */
static void test_plan_follows_shape_lines(void **state)
{
    (void)state;
    char *grid = calibration(100, 50, 5), err[512];
    gan_cost c = { 0 };
    int n[GAN_N_ENGINES];
    assert_int_equal(gan_cost_parse(&c, grid, "cal.txt", err, sizeof err), 0);
    count_engines(&c, 0, n);
    assert_int_equal(n[GAN_OWN_GEMM], 0);
    size_t len = strlen(grid);
    char *t = malloc(len + 128);
    snprintf(t, len + 128, "%sshape ganc 0 0 128 3136 1024 1e6\n", grid);
    assert_int_equal(gan_cost_parse(&c, t, "cal.txt", err, sizeof err), 0);
    count_engines(&c, 0, n);
    assert_true(n[GAN_OWN_GEMM] >= 1);
    free(t);
    free(grid);
    gan_cost_free(&c);
}

static void test_plan_takes_the_fastest(void **state)
{
    (void)state;
    int n[GAN_N_ENGINES];
    /* OpenBLAS far ahead: every product there */
    plan_with(1000, 1, 0.001, 0, 0, n);
    assert_true(n[GAN_OPENBLAS] > 5 && n[GAN_OWN_GEMM] == 0 && n[GAN_LOOPS] == 0);
    /* ganc far ahead: every product there */
    plan_with(1, 1000, 0.001, 0, 0, n);
    assert_true(n[GAN_OWN_GEMM] > 5 && n[GAN_OPENBLAS] == 0 && n[GAN_LOOPS] == 0);
    /* loops far ahead (and no copies to pay): generated loops everywhere */
    plan_with(0.001, 0.001, 1e9, 0, 0, n);
    assert_true(n[GAN_LOOPS] > 5 && n[GAN_OPENBLAS] == 0 && n[GAN_OWN_GEMM] == 0);
    /* GANC_GEMM=openblas: ganc's speed does not matter */
    plan_with(1, 1000, 0.001, GAN_OPENBLAS, 0, n);
    assert_true(n[GAN_OPENBLAS] > 5 && n[GAN_OWN_GEMM] == 0);
    /* the sampler has no OpenBLAS, however fast */
    plan_with(1000, 1, 0.001, 0, 1, n);
    assert_true(n[GAN_OWN_GEMM] >= 3 && n[GAN_OPENBLAS] == 0);
    assert_int_equal(n[GAN_IMPLICIT], 0);   /* losing by its ratio */
    /* an implicit GEMM measured faster than im2col + rt_sgemm: the D step's
     * convolutions (forward passes only) take it; GANC_GEMM=implicit
     * forces it, and then the other products go to rt_sgemm */
    implicit_ratio = 0.5;
    plan_with(1, 1000, 0.001, 0, 0, n);
    assert_true(n[GAN_IMPLICIT] >= 2 && n[GAN_OWN_GEMM] > 3 && n[GAN_OPENBLAS] == 0);
    implicit_ratio = 1.5;
    plan_with(1000, 1, 0.001, GAN_IMPLICIT, 0, n);
    assert_true(n[GAN_IMPLICIT] >= 2 && n[GAN_OWN_GEMM] > 3 && n[GAN_OPENBLAS] == 0);
    plan_with(1, 1000, 0.001, 0, 0, n);
    assert_int_equal(n[GAN_IMPLICIT], 0);
}

/* ---- the cache ---- */

static void test_cache(void **state)
{
    (void)state;
    char dir[] = "/tmp/ganc-test-cost-XXXXXX", path[4096], key[512];
    assert_non_null(mkdtemp(dir));
    setenv("GANC_CACHE_DIR", dir, 1);
    gan_cost_key(key, sizeof key);
    gan_cost_cache_path(key, path, sizeof path);
    assert_int_equal(strncmp(path, dir, strlen(dir)), 0);
    assert_non_null(strstr(path, "/calibration-"));
    /* a cache with this machine's key is read, not measured again */
    char *t = calibration(100, 200, 5);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s\n%s", key, t);
    fclose(f);
    free(t);
    gan_cost c = { 0 };
    assert_int_equal(gan_cost_get(&c, 0), 0);
    assert_true(c.gemm[1][0][0][0][0][0] == 200);
    assert_non_null(strstr(c.origin, path));
    /* GANC_GEMM forces an engine; a wrong value is an error */
    setenv("GANC_GEMM", "ganc", 1);
    assert_int_equal(gan_cost_get(&c, 0), 0);
    assert_int_equal(c.forced, GAN_OWN_GEMM);
    setenv("GANC_GEMM", "implicit", 1);
    assert_int_equal(gan_cost_get(&c, 0), 0);
    assert_int_equal(c.forced, GAN_IMPLICIT);
    setenv("GANC_GEMM", "mkl", 1);
    assert_int_equal(gan_cost_get(&c, 0), -2);
    unsetenv("GANC_GEMM");
    /* GANC_CALIBRATION=off: no model at all */
    setenv("GANC_CALIBRATION", "off", 1);
    assert_int_equal(gan_cost_get(&c, 0), -1);
    unsetenv("GANC_CALIBRATION");
    /* another OPENBLAS_CORETYPE is another file */
    const char *was = getenv("OPENBLAS_CORETYPE");
    char saved[64];
    snprintf(saved, sizeof saved, "%s", was ? was : "");
    setenv("OPENBLAS_CORETYPE", "Sandybridge-test", 1);
    char other[4096], other_key[512];
    gan_cost_key(other_key, sizeof other_key);
    gan_cost_cache_path(other_key, other, sizeof other);
    assert_string_not_equal(path, other);
    if (was)
        setenv("OPENBLAS_CORETYPE", saved, 1);
    else
        unsetenv("OPENBLAS_CORETYPE");
    unlink(path);
    rmdir(dir);
    unsetenv("GANC_CACHE_DIR");
    gan_cost_free(&c);
}

int main(void)
{
    /* the environment as this test sets it, not the caller's */
    unsetenv("GANC_GEMM");
    unsetenv("GANC_CALIBRATION");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_complete),
        cmocka_unit_test(test_parse_errors_name_the_line),
        cmocka_unit_test(test_interpolation),
        cmocka_unit_test(test_shape_lines),
        cmocka_unit_test_setup_teardown(test_plan_takes_the_fastest, setup_dcgan, teardown_dcgan),
        cmocka_unit_test_setup_teardown(test_plan_follows_shape_lines, setup_dcgan, teardown_dcgan),
        cmocka_unit_test(test_cache),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

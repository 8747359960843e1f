/* test_rt_util.c - the small pieces: rt_err, rt_alloc, rt_args, rt_file,
 * rt_progress, rt_latent, rt_generate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/rt_alloc.h"
#include "core/rt_args.h"
#include "core/rt_err.h"
#include "core/rt_file.h"
#include "model/rt_generate.h"
#include "model/rt_latent.h"
#include "model/rt_model.h"
#include "train/rt_progress.h"

static char dir[64];
static char path[256];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_rt_util_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

static int exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

static void test_err(void **state)
{
    (void)state;
    rt_err e;
    assert_int_equal(rt_errf(&e, "%s: expected %d, found %d", "f.csv", 2, 3), -1);
    assert_string_equal(e.msg, "f.csv: expected 2, found 3");
    assert_int_equal(rt_err_prefix(&e, "loading %s: ", "data"), -1);
    assert_string_equal(e.msg, "loading data: f.csv: expected 2, found 3");
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    rt_errf(&e, "%s", big);   /* truncated, still terminated */
    assert_int_equal(strlen(e.msg), sizeof e.msg - 1);
    assert_int_equal(rt_errf(NULL, "ignored"), -1);
}

static void test_alloc(void **state)
{
    (void)state;
    int *z = rt_xcalloc(100, sizeof *z);
    for (int i = 0; i < 100; i++)
        assert_int_equal(z[i], 0);
    z = rt_xrealloc(z, 1000 * sizeof *z);
    z[999] = 5;
    free(z);
    char *s = rt_xstrdup("abc");
    assert_string_equal(s, "abc");
    free(s);
    void *p = rt_xmalloc(0), *q = rt_xmalloc(0);
    assert_non_null(p);
    assert_ptr_not_equal(p, q);
    free(p);
    free(q);
}

/* flags like the trainer's and sampler's (rt_train_opts.c, rt_sample.c) */
static const struct option test_flags[] = {
    { "steps", required_argument, NULL, 256 },
    { "seed", required_argument, NULL, 257 },
    { "sample-every", required_argument, NULL, 258 },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* Reads every flag of a NULL-terminated argv; the codes and values into
 * got ("256=10 n=5 "), the result of the last rt_flag_next returned. */
static int read_flags(char **argv, char *got, size_t size, rt_err *err)
{
    int argc = 0, c;
    while (argv[argc])
        argc++;
    const char *v;
    size_t k = 0;
    got[0] = 0;
    rt_flags_start();
    while ((c = rt_flag_next(argc, argv, "n:o:h", test_flags, &v, err)) > 0)
        k += (size_t)snprintf(got + k, size - k, c < 256 ? "%c=%s " : "%d=%s ", c, v ? v : "-");
    return c;
}

static void test_args(void **state)
{
    (void)state;
    char got[256];
    rt_err err;
    char *a1[] = { "prog", "--steps", "10", "--seed=7", "-n", "5", "-n6", "-n=7", "-o=x.npy",
                   "--ste", "3", "-h", "--help", "--steps=", NULL };
    assert_int_equal(read_flags(a1, got, sizeof got, &err), 0);
    assert_string_equal(got, "256=10 257=7 n=5 n=6 n=7 o=x.npy 256=3 h=- h=- 256= ");
    /* read again from the start (the trainer does on --resume) */
    got[0] = 0;
    assert_int_equal(read_flags(a1, got, sizeof got, &err), 0);
    assert_string_equal(got, "256=10 257=7 n=5 n=6 n=7 o=x.npy 256=3 h=- h=- 256= ");

    struct {
        char *argv[5];
        const char *msg;
    } bad[] = {
        { { "prog", "--steps", NULL }, "--steps: expected a value after the flag, found the end "
                                       "of the command line" },
        { { "prog", "--ste", NULL }, "--steps: expected a value after the flag" },
        { { "prog", "-h", "-n", NULL }, "-n: expected a value after the flag" },
        { { "prog", "--bogus=3", NULL }, "--bogus=3: unknown flag (see --help)" },
        { { "prog", "--stepsX", "1", NULL }, "--stepsX: unknown flag (see --help)" },
        { { "prog", "--s", "1", NULL }, "--s: unknown flag (see --help)" },   /* ambiguous */
        { { "prog", "--help=1", NULL }, "--help=1: unknown flag (see --help)" },
        { { "prog", "-hx", NULL }, "-hx: unknown flag (see --help)" },
        { { "prog", "-x", NULL }, "-x: unknown flag (see --help)" },
        { { "prog", "-", NULL }, "-: unknown flag (see --help)" },
        { { "prog", "-n", "1", "out.npy", NULL }, "out.npy: unknown argument (see --help)" },
        { { "prog", "--", NULL }, "--: unknown flag (see --help)" },
        { { "prog", "-h", "--", "-h", NULL }, "--: unknown flag (see --help)" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = 0;
        assert_int_equal(read_flags(bad[i].argv, got, sizeof got, &err), -1);
        assert_contains(err.msg, bad[i].msg);
    }

    long n;
    uint64_t u;
    assert_int_equal(rt_parse_long("--steps", "42", 0, &n, &err), 0);
    assert_int_equal(n, 42);
    assert_int_equal(rt_parse_long("--steps", "-1", 0, &n, &err), -1);
    assert_contains(err.msg, "--steps: expected a whole number >= 0, found '-1'");
    assert_int_equal(rt_parse_long("-n", "12abc", 1, &n, &err), -1);
    assert_contains(err.msg, "found '12abc'");
    assert_int_equal(rt_parse_long("-n", "", 1, &n, &err), -1);
    assert_int_equal(rt_parse_long("-n", "1e3", 1, &n, &err), -1);
    assert_int_equal(rt_parse_long("-n", "99999999999999999999999", 1, &n, &err), -1);
    assert_int_equal(rt_parse_u64("--seed", "18446744073709551615", &u, &err), 0);
    assert_true(u == UINT64_MAX);
    assert_int_equal(rt_parse_u64("--seed", "18446744073709551616", &u, &err), -1);
    assert_int_equal(rt_parse_u64("--seed", "-1", &u, &err), -1);
    assert_int_equal(rt_parse_u64("--seed", " 1", &u, &err), -1);
}

static void test_files(void **state)
{
    (void)state;
    rt_err err;
    snprintf(path, sizeof path, "%s/a/b/c/", dir);
    assert_int_equal(rt_mkdir_p(path, &err), 0);
    assert_int_equal(rt_mkdir_p(path, &err), 0);   /* already there: fine */
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    assert_true(exists(path));

    rt_wfile w;
    snprintf(path, sizeof path, "%s/a/f.txt", dir);
    assert_int_equal(rt_wfile_open(&w, path, &err), 0);
    fputs("hello", w.f);
    assert_true(exists(w.tmp));
    assert_false(exists(path));   /* nothing under the final name yet */
    assert_int_equal(rt_wfile_commit(&w, &err), 0);
    assert_true(exists(path));
    unsigned char *data;
    size_t len;
    assert_int_equal(rt_read_file(path, &data, &len, &err), 0);
    assert_int_equal(len, 5);
    assert_memory_equal(data, "hello", 6);   /* with the extra NUL */
    free(data);

    snprintf(path, sizeof path, "%s/a/g.txt", dir);
    assert_int_equal(rt_wfile_open(&w, path, &err), 0);
    rt_wfile_abort(&w);
    assert_false(exists(path));
    snprintf(path, sizeof path, "%s/a/g.txt.tmp", dir);
    assert_false(exists(path));

    snprintf(path, sizeof path, "%s/a/f.txt/sub", dir);   /* a file in the way */
    assert_int_equal(rt_mkdir_p(path, &err), -1);
    assert_contains(err.msg, "f.txt: expected a directory, found a file");
    snprintf(path, sizeof path, "%s/a", dir);
    assert_int_equal(rt_read_file(path, &data, &len, &err), -1);
    assert_contains(err.msg, "expected a regular file, found a directory");
}

static char *read_stream(FILE *f)
{
    static char buf[4096];
    fflush(f);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    return buf;
}

static void test_progress_plain(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    rt_progress p;
    rt_progress_init(&p, f, 0, 0, 25, 10);
    for (long s = 1; s <= 25; s++)
        rt_progress_update(&p, s, 1.5, 0.25);
    rt_progress_note(&p, "sampled at %d", 25);
    rt_progress_finish(&p);
    char *out = read_stream(f);
    assert_contains(out, "step 10/25 ");
    assert_contains(out, "step 20/25 ");
    assert_contains(out, "step 25/25 ");   /* the last step always prints */
    assert_contains(out, "D 1.500  G 0.250");
    assert_contains(out, "sampled at 25\n");
    assert_null(strstr(out, "step 11/"));
    assert_null(strchr(out, '\r'));
    int lines = 0;
    for (char *c = out; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, 4);
    fclose(f);
}

static void test_progress_terminal(void **state)
{
    (void)state;
    FILE *f = tmpfile();
    rt_progress p;
    rt_progress_init(&p, f, 1, 0, 1000, 10);
    for (long s = 1; s <= 1000; s++)
        rt_progress_update(&p, s, 1, 2);   /* fast: redraws are rate limited */
    rt_progress_finish(&p);
    char *out = read_stream(f);
    assert_contains(out, "\rstep 1/1000 [....................]");
    assert_contains(out, "\rstep 1000/1000 [####################]");
    int redraws = 0;
    for (char *c = out; *c; c++)
        redraws += *c == '\r';
    assert_true(redraws <= 3);
    assert_int_equal(out[strlen(out) - 1], '\n');
    fclose(f);
}

static void test_latents(void **state)
{
    (void)state;
    static float z[100000];
    rt_rng r;
    rt_rng_seed(&r, 1);
    rt_latent_fill(RT_LATENT_UNIFORM, &r, z, 100000);
    double s = 0;
    for (int i = 0; i < 100000; i++) {
        assert_true(z[i] >= -1 && z[i] < 1);
        s += z[i];
    }
    assert_true(fabs(s / 100000) < 0.01);
    rt_latent_fill(RT_LATENT_NORMAL, &r, z, 100000);
    double s2 = 0;
    for (int i = 0; i < 100000; i++)
        s2 += (double)z[i] * z[i];
    assert_true(fabs(s2 / 100000 - 1) < 0.02);
}

/* A "generator" with batch 4, latent 2, sample 3: out = (z0, z1, z0 + z1). */
static int gen_calls;
static void fake_generate(float *out, const float *z)
{
    gen_calls++;
    for (int i = 0; i < 4; i++) {
        out[3 * i] = z[2 * i];
        out[3 * i + 1] = z[2 * i + 1];
        out[3 * i + 2] = z[2 * i] + z[2 * i + 1];
    }
}

static void test_generate_chunks(void **state)
{
    (void)state;
    float z[2 * 9], out[3 * 9 + 1];
    for (int i = 0; i < 18; i++)
        z[i] = (float)i;
    out[27] = 12345;   /* sentinel: nothing written past n samples */
    gen_calls = 0;
    rt_generate_n(fake_generate, 4, 2, 3, z, 9, out);
    assert_int_equal(gen_calls, 3);
    for (int i = 0; i < 9; i++) {
        assert_true(out[3 * i] == 2.0f * i);
        assert_true(out[3 * i + 2] == 4.0f * i + 1);
    }
    assert_true(out[27] == 12345);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_err),
        cmocka_unit_test(test_alloc),
        cmocka_unit_test(test_args),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_progress_plain),
        cmocka_unit_test(test_progress_terminal),
        cmocka_unit_test(test_latents),
        cmocka_unit_test(test_generate_chunks),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}

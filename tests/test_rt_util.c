/* test_rt_util.c - the small pieces: rt_err, rt_alloc (and the memory
 * check), rt_args, rt_file (inputs that are not regular files refused at
 * once), rt_progress, rt_latent, rt_generate, checkpoint names and the run
 * folder's lock (rt_run_dir). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_tmpdir.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/rt_alloc.h"
#include "core/rt_args.h"
#include "core/rt_err.h"
#include "core/rt_file.h"
#include "model/rt_generate.h"
#include "model/rt_latent.h"
#include "model/rt_model.h"
#include "train/rt_checkpoint.h"
#include "train/rt_progress.h"
#include "train/rt_run_dir.h"

static char path[256];
static size_t len_unused;

static int make_dir(void **state)
{
    (void)state;
    return tmpdir_make("test_rt_util");
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
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s", w.tmp);
    rt_wfile_abort(&w);
    assert_false(exists(path));
    assert_false(exists(tmp));

    snprintf(path, sizeof path, "%s/a/f.txt/sub", dir);   /* a file in the way */
    assert_int_equal(rt_mkdir_p(path, &err), -1);
    assert_contains(err.msg, "f.txt: expected a directory, found a file");
    snprintf(path, sizeof path, "%s/a", dir);
    assert_int_equal(rt_read_file(path, &data, &len, &err), -1);
    assert_contains(err.msg, "expected a regular file, found a directory");
}

/* Every input is opened without blocking and checked before a read: a
 * FIFO nobody writes to, a device, a folder are refused at once (an alarm
 * fails the test where one would wait). */
static void test_inputs_not_regular(void **state)
{
    (void)state;
    rt_err err;
    size_t size;
    unsigned char *data;
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(10);
    assert_int_equal(rt_open_input(path, &size, &err), -1);
    assert_contains(err.msg, "fifo: expected a regular file, found a FIFO (named pipe)");
    assert_null(rt_open_regular(path, &size, &err));
    assert_int_equal(rt_read_file(path, &data, &len_unused, &err), -1);
    assert_contains(err.msg, "found a FIFO");
    assert_int_equal(rt_read_file("/dev/zero", &data, &len_unused, &err), -1);
    assert_contains(err.msg, "/dev/zero: expected a regular file, found a character device");
    assert_int_equal(rt_open_input(dir, &size, &err), -1);
    assert_contains(err.msg, "expected a regular file, found a directory");
    alarm(0);
    assert_int_equal(rt_open_input("/nonexistent/x", &size, &err), -1);
    assert_contains(err.msg, "/nonexistent/x: cannot open: No such file or directory");
    /* a regular file: its descriptor and size */
    snprintf(path, sizeof path, "%s/seven", dir);
    FILE *f = fopen(path, "w");
    fputs("1234567", f);
    fclose(f);
    int fd = rt_open_input(path, &size, &err);
    assert_true(fd >= 0);
    assert_int_equal(size, 7);
    char buf[4];
    assert_int_equal(rt_read_at(fd, 3, buf, 4, path, &err), 0);
    assert_memory_equal(buf, "4567", 4);
    assert_int_equal(rt_read_at(fd, 5, buf, 4, path, &err), -1);
    assert_contains(err.msg, "seven: read failed at byte 7: the file shrank since it was opened");
    close(fd);
}

/* Temporary files carry the process ID: two programs writing one file
 * never share a temporary. */
static void test_temporary_names(void **state)
{
    (void)state;
    rt_err err;
    rt_wfile w;
    char want[300];
    snprintf(path, sizeof path, "%s/out.npy", dir);
    snprintf(want, sizeof want, "%s.%ld.tmp", path, (long)getpid());
    assert_int_equal(rt_wfile_open(&w, path, &err), 0);
    assert_string_equal(w.tmp, want);
    rt_wfile_abort(&w);
    assert_false(exists(want));
}

/* Sizes from the world are checked before they are allocated. */
static void test_memory_check(void **state)
{
    (void)state;
    rt_err err;
    const char *why;
    size_t limit = rt_mem_limit(&why);
    assert_true(limit > 0);
    assert_int_equal(rt_mem_check("a.idx", 10, "images", 400, &err), 0);
    assert_int_equal(rt_mem_check("a.idx", SIZE_MAX / 2, "images", 400, &err), -1);   /* overflow */
    assert_contains(err.msg, "a.idx: ");
    assert_contains(err.msg, " images take ");
    rt_mem_set_max((size_t)1 << 20);
    assert_int_equal(rt_mem_limit(&why), (size_t)1 << 20);
    assert_string_equal(why, "--max-memory");
    assert_int_equal(rt_mem_check("a.idx", 1024, "images", 1024, &err), 0);
    assert_int_equal(rt_mem_check("a.idx", 1025, "images", 1024, &err), -1);
    assert_string_equal(err.msg, "a.idx: 1025 images take 1049600 bytes (1.0 MiB) of memory, "
                                 "more than 1.0 MiB (--max-memory)");
    /* a file larger than the limit is not read */
    snprintf(path, sizeof path, "%s/two_mib", dir);
    FILE *f = fopen(path, "w");
    assert_int_equal(ftruncate(fileno(f), 2 << 20), 0);
    fclose(f);
    unsigned char *data;
    assert_int_equal(rt_read_file(path, &data, &len_unused, &err), -1);
    assert_contains(err.msg, "two_mib: 2097152 bytes of file take 2097152 bytes (2.0 MiB)");
    rt_mem_set_max(0);
    assert_int_equal(rt_read_file(path, &data, &len_unused, &err), 0);
    free(data);
    char text[32];
    assert_string_equal(rt_mem_text(512, text), "512 bytes");
    assert_string_equal(rt_mem_text(1536, text), "1.5 KiB");
    assert_string_equal(rt_mem_text(12.5 * 1073741824.0, text), "12.5 GiB");

    size_t v;
    assert_int_equal(rt_parse_size("--max-memory", "4G", &v, &err), 0);
    assert_true(v == (size_t)4 << 30);
    assert_int_equal(rt_parse_size("--max-memory", "512m", &v, &err), 0);
    assert_true(v == (size_t)512 << 20);
    assert_int_equal(rt_parse_size("--max-memory", "3KiB", &v, &err), 0);
    assert_true(v == 3072);
    assert_int_equal(rt_parse_size("--max-memory", "1000", &v, &err), 0);
    assert_true(v == 1000);
    const char *bad[] = { "", "0", "G", "4 G", "4X", "4GB2", "-1", "99999999999999999999",
                          "20000000T" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(rt_parse_size("--max-memory", bad[i], &v, &err), -1);
        assert_contains(err.msg, "--max-memory: expected a size such as 512M");
    }
}

/* Checkpoint names are read as numbers, whatever their digits. */
static void test_checkpoint_names(void **state)
{
    (void)state;
    assert_int_equal(rt_checkpoint_step_of("step_000000300.safetensors"), 300);
    assert_int_equal(rt_checkpoint_step_of("step_0000000300.safetensors"), 300);
    assert_int_equal(rt_checkpoint_step_of("step_1234567890.safetensors"), 1234567890);
    assert_int_equal(rt_checkpoint_step_of("step_7.safetensors"), 7);
    assert_int_equal(rt_checkpoint_step_of("step_.safetensors"), -1);
    assert_int_equal(rt_checkpoint_step_of("step_12a.safetensors"), -1);
    assert_int_equal(rt_checkpoint_step_of("step_12.safetensors.99.tmp"), -1);
    assert_int_equal(rt_checkpoint_step_of("notes.txt"), -1);
}

static void touch(const char *name)
{
    snprintf(path, sizeof path, "%s/run/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
}

/* One run per folder, one trainer per run. */
static void test_run_dir(void **state)
{
    (void)state;
    rt_err err;
    rt_run_dir a, b;
    char run[128], pid[64];
    snprintf(run, sizeof run, "%s/run", dir);
    snprintf(pid, sizeof pid, "another trainer (PID %ld)", (long)getpid());
    /* a new folder: made, locked; given up before the run started: gone */
    assert_int_equal(rt_run_dir_claim(&a, run, 1, 0, &err), 0);
    assert_true(a.created && exists(run));
    /* a second claim (a lock of its own, as another process's) is refused */
    assert_int_equal(rt_run_dir_claim(&b, run, 1, 0, &err), 2);
    assert_contains(err.msg, pid);
    assert_int_equal(rt_run_dir_claim(&b, run, 0, 0, &err), 2);
    rt_run_dir_release(&a, 1);
    assert_false(exists(run));
    /* a folder with a run in it */
    assert_int_equal(rt_run_dir_claim(&a, run, 1, 0, &err), 0);
    snprintf(path, sizeof path, "%s/checkpoints", run);
    assert_int_equal(mkdir(path, 0777), 0);
    touch("log.csv");
    touch("samples_000100.png");
    touch("checkpoints/step_000000100.safetensors");
    touch("checkpoints/step_000000200.safetensors.4242.tmp");
    touch("checkpoints/mine.txt");
    touch("weights.safetensors.tmp");
    touch("notes.txt");
    touch("samples.png");   /* the sampler's, not the trainer's */
    rt_run_dir_release(&a, 0);
    assert_true(exists(run));
    snprintf(path, sizeof path, "%s/.lock", run);
    assert_false(exists(path));
    assert_int_equal(rt_run_dir_claim(&a, run, 1, 0, &err), 2);
    assert_contains(err.msg, "/run holds a run (3 files: ");
    assert_contains(err.msg, "checkpoints/step_000000100.safetensors");
    assert_contains(err.msg, "--resume");
    assert_contains(err.msg, "--overwrite");
    rt_run_dir_release(&a, 1);
    assert_true(exists(run));   /* not made by this claim: stays */
    /* --overwrite: the run's files go, the others stay */
    assert_int_equal(rt_run_dir_claim(&a, run, 1, 1, &err), 0);
    assert_int_equal(rt_run_dir_clear(&a, &err), 0);
    const char *gone[] = { "log.csv", "samples_000100.png", "weights.safetensors.tmp",
                           "checkpoints/step_000000100.safetensors",
                           "checkpoints/step_000000200.safetensors.4242.tmp" };
    const char *kept[] = { "notes.txt", "samples.png", "checkpoints/mine.txt" };
    for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", run, gone[i]);
        assert_false(exists(path));
    }
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", run, kept[i]);
        assert_true(exists(path));
    }
    rt_run_dir_release(&a, 0);
    /* resuming a folder that does not exist locks nothing */
    snprintf(path, sizeof path, "%s/none", dir);
    assert_int_equal(rt_run_dir_claim(&a, path, 0, 0, &err), 0);
    assert_int_equal(a.fd, -1);
    assert_false(exists(path));
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
    const char *const names[3] = { "d", "g", "e" };
    const double values[3] = { 1.5, 0.25, -2 };
    for (long s = 1; s <= 25; s++)
        rt_progress_update(&p, s, 3, names, values);
    rt_progress_note(&p, "sampled at %d", 25);
    rt_progress_finish(&p);
    char *out = read_stream(f);
    assert_contains(out, "step 10/25 ");
    assert_contains(out, "step 20/25 ");
    assert_contains(out, "step 25/25 ");   /* the last step always prints */
    assert_contains(out, "d 1.500  g 0.250  e -2.000\n");
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
    const char *const names[2] = { "d", "g" };
    const double values[2] = { 1, 2 };
    for (long s = 1; s <= 1000; s++)
        rt_progress_update(&p, s, 2, names, values);   /* fast: redraws are rate limited */
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
    /* truncated: every value within psi, drawn again from the same stream */
    rt_latent_fill_truncated(RT_LATENT_NORMAL, &r, z, 100000, 0.5f);
    for (int i = 0; i < 100000; i++)
        assert_true(z[i] >= -0.5f && z[i] <= 0.5f);
    rt_latent_fill_truncated(RT_LATENT_UNIFORM, &r, z, 1000, 2.0f);   /* changes nothing */
    rt_rng a, b;
    rt_rng_seed(&a, 9);
    rt_rng_seed(&b, 9);
    rt_latent_fill_truncated(RT_LATENT_UNIFORM, &a, z, 1, 2.0f);
    float u;
    rt_latent_fill(RT_LATENT_UNIFORM, &b, &u, 1);
    assert_true(z[0] == u);
}

/* A "generator" with batch 4, latent 2 and a class, sample 3:
 * out = (z0, z1, z0 + z1 + 100 y). */
static int gen_calls;
static void fake_generate(float *out, const float *const *in)
{
    const float *z = in[0], *y = in[1];
    gen_calls++;
    for (int i = 0; i < 4; i++) {
        out[3 * i] = z[2 * i];
        out[3 * i + 1] = z[2 * i + 1];
        out[3 * i + 2] = z[2 * i] + z[2 * i + 1] + 100 * y[i];
    }
}

static void test_generate_chunks(void **state)
{
    (void)state;
    float z[2 * 9], y[9], out[3 * 9 + 1];
    for (int i = 0; i < 18; i++)
        z[i] = (float)i;
    for (int i = 0; i < 9; i++)
        y[i] = (float)(i % 3);
    out[27] = 12345;   /* sentinel: nothing written past n samples */
    gen_calls = 0;
    const size_t size[2] = { 2, 1 };
    const float *const in[2] = { z, y };
    rt_generate_n(fake_generate, 4, 2, size, in, 9, 3, out);
    assert_int_equal(gen_calls, 3);
    for (int i = 0; i < 9; i++) {
        assert_true(out[3 * i] == 2.0f * i);
        assert_true(out[3 * i + 2] == 4.0f * i + 1 + 100.0f * (float)(i % 3));
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
        cmocka_unit_test(test_inputs_not_regular),
        cmocka_unit_test(test_temporary_names),
        cmocka_unit_test(test_memory_check),
        cmocka_unit_test(test_checkpoint_names),
        cmocka_unit_test(test_run_dir),
        cmocka_unit_test(test_progress_plain),
        cmocka_unit_test(test_progress_terminal),
        cmocka_unit_test(test_latents),
        cmocka_unit_test(test_generate_chunks),
    };
    return cmocka_run_group_tests(tests, make_dir, tmpdir_remove);
}

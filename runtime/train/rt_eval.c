/* rt_eval.c - the trainer's quality metrics (see rt_eval.h). */
#include "train/rt_eval.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/rt_alloc.h"
#include "data/rt_idx.h"
#include "formats/rt_npy.h"
#include "metrics/rt_metrics.h"
#include "train/rt_fixed_inputs.h"

extern char **environ;

/* The judge's row: its features, then its class logits (gen/judge.h). */
enum { FEATURES = 64, CLASSES = 10, WIDTH = FEATURES + CLASSES, PR_K = 3 };

/* DIR/judge beside this trainer (DIR/train), or "" */
static void find_judge(char *path, size_t size)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    *path = 0;
    if (n <= 0)
        return;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash || (size_t)(slash - exe) + sizeof "/judge" > size)
        return;
    memcpy(path, exe, (size_t)(slash - exe));
    strcpy(path + (slash - exe), "/judge");
    if (access(path, X_OK) != 0)
        *path = 0;
}

static int judged(const rt_model *m)
{
    return m->out_ndim == 3 && m->out_shape[0] == 1 && m->out_shape[1] == 28 &&
           m->out_shape[2] == 28;
}

void rt_eval_open(rt_eval *e, const rt_model *m, long every, long samples,
                  const char *test_path, uint64_t seed, FILE *out)
{
    memset(e, 0, sizeof *e);
    e->m = m;
    e->every = every;
    e->n = (size_t)samples;
    e->test_path = test_path;
    e->accuracy = -1;
    if (every <= 0 || !judged(m))
        return;
    for (int i = 0; i < m->n_gen_inputs; i++)
        if (m->gen_inputs[i].kind == RT_VAR_DATA)
            return;   /* a translator: its inputs are images, not drawn */
    find_judge(e->judge, sizeof e->judge);
    if (!*e->judge || !test_path || access(test_path, R_OK) != 0) {
        fprintf(out, "note: no quality metrics: %s (--eval-every 0 silences this)\n",
                !*e->judge ? "no judge beside the trainer (ganc build puts DIR/judge there)"
                           : "the test images are missing (--test-images PATH)");
        return;
    }
    e->on = 1;
    rt_rng rng;
    rt_rng_seed_stream(&rng, seed, 2);
    e->in = rt_fixed_inputs_new(m, e->n, 1, &rng);   /* classes in turn */
    for (int i = 0; i < m->n_gen_inputs; i++)
        if (m->gen_inputs[i].kind == RT_VAR_CLASS)
            e->classes = m->gen_inputs[i].classes;
    e->out = rt_xmalloc(e->n * m->out_size * sizeof(float));
}

void rt_eval_close(rt_eval *e)
{
    if (e->m)
        rt_fixed_inputs_free(e->m, e->in);
    free(e->out);
    free(e->test);
    memset(e, 0, sizeof *e);
}

/* The judge's last line of messages (its error), from the file it wrote them to */
static const char *last_line(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    *buf = 0;
    char line[512];
    while (f && fgets(line, sizeof line, f))
        snprintf(buf, size, "%s", line);
    if (f)
        fclose(f);
    buf[strcspn(buf, "\n")] = 0;
    return buf;
}

/* judge --input images -o rows, its output and messages into a file beside
 * them (shown when it fails: it says "wrote N samples" otherwise, which is
 * not the trainer's news); then rows read back */
static int run_judge(const rt_eval *e, const char *images, const char *rows, float **out,
                     size_t *n, rt_err *err)
{
    char said[4096 + 16], why[512];
    snprintf(said, sizeof said, "%s.txt", rows);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, said, O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
    char *const argv[] = { (char *)e->judge, "--input", (char *)images, "-o", (char *)rows,
                           NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, e->judge, &fa, NULL, argv, environ), status = 0;
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return rt_errf(err, "%s: cannot run: %s", e->judge, strerror(rc));
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    last_line(said, why, sizeof why);
    remove(said);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return rt_errf(err, "%s on %s failed: %s", e->judge, images, *why ? why : "no message");
    int ndim;
    size_t shape[RT_NPY_MAX_NDIM];
    if (rt_npy_read_f32(rows, out, &ndim, shape, err) != 0)
        return -1;
    remove(rows);
    if (ndim != 2 || shape[1] != WIDTH) {
        free(*out);
        return rt_errf(err, "%s: expected rows of %d judge values", rows, WIDTH);
    }
    *n = shape[0];
    return 0;
}

/* Judges n images (n x 28 x 28 floats) through two files in run_dir. */
static int judge(const rt_eval *e, const char *run_dir, const float *px, size_t n,
                 float **rows, size_t *n_rows, rt_err *err)
{
    size_t len = strlen(run_dir) + 32;
    char *images = rt_xmalloc(len), *out = rt_xmalloc(len);
    snprintf(images, len, "%s/.eval-images.npy", run_dir);
    snprintf(out, len, "%s/.eval-judged.npy", run_dir);
    size_t shape[4] = { n, 1, 28, 28 };
    int rc = rt_npy_write_f32(images, px, 4, shape, err);
    if (rc == 0)
        rc = run_judge(e, images, out, rows, n_rows, err);
    remove(images);
    free(images);
    free(out);
    return rc;
}

int rt_eval_run(rt_eval *e, const char *run_dir, long step, rt_err *err)
{
    if (!e->test) {
        float *px = NULL;
        size_t n = 0;
        if (rt_idx_load_images(e->test_path, 28, 28, &px, &n, err) != 0)
            return -1;
        int rc = judge(e, run_dir, px, n, &e->test, &e->n_test, err);
        free(px);
        if (rc != 0)
            return -1;
    }
    rt_fixed_generate(e->m, e->in, e->n, e->out);
    float *fake = NULL;
    size_t n_fake = 0;
    if (judge(e, run_dir, e->out, e->n, &fake, &n_fake, err) != 0)
        return -1;
    size_t n_pr = n_fake < e->n_test ? n_fake : e->n_test;
    double hist[CLASSES];
    int rc = rt_frechet_distance(e->test, e->n_test, fake, n_fake, WIDTH, FEATURES, &e->fd,
                                 err);
    if (rc == 0)
        rc = rt_precision_recall(e->test, n_pr, fake, n_pr, WIDTH, FEATURES, PR_K,
                                 &e->precision, &e->recall, err);
    if (rc == 0) {
        e->entropy = rt_class_entropy(fake + FEATURES, n_fake, WIDTH, CLASSES, hist);
        e->accuracy = -1;
        if (e->classes > 0) {   /* the inputs asked for the classes in turn */
            float *labels = rt_xmalloc(n_fake * sizeof *labels);
            for (size_t i = 0; i < n_fake; i++)
                labels[i] = (float)(i % (size_t)e->classes);
            e->accuracy = rt_class_accuracy(fake + FEATURES, n_fake, WIDTH, CLASSES, labels);
            free(labels);
        }
        e->step = step;
    }
    free(fake);
    return rc;
}

int rt_eval_take_best(rt_eval *e)
{
    if (!e->step || (e->best_step && e->fd >= e->best_fd))
        return 0;
    e->best_fd = e->fd;
    e->best_step = e->step;
    return 1;
}

/* eval.c - `ganc eval` (see eval.h): draw samples with the model's own
 * sampler, judge them, print the metrics. */
#include "eval.h"

#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "diag.h"
#include "fatal.h"
#include "host.h"
#include "judge.h"

#include "data/rt_idx.h"
#include "data/rt_mixture.h"
#include "formats/rt_npy.h"
#include "metrics/rt_metrics.h"

#define FASHION_TEST GAN_FASHION_TEST_IMAGES
#define JUDGE_WIDTH (GAN_JUDGE_FEATURES + GAN_JUDGE_CLASSES)
#define PR_K 3

static const char eval_help[] =
    "usage: ganc eval RUN | WEIGHTS.safetensors | IMAGES.npy [options]\n\n"
    "Measures a generator: draws samples with its sampler and prints one JSON line of\n"
    "metrics (and a table on a terminal).  For images of shape (1, 28, 28): the\n"
    "Frechet distance (fd) and precision/recall (k = 3) in the features of ganc's\n"
    "classifier (models/fmnist_classifier.yaml, the judge) against the test images,\n"
    "the entropy of the predicted classes, and for a conditional generator the\n"
    "accuracy of its classes.  For the 2D mixtures: modes covered, high-quality\n"
    "share and reverse KL (the PacGAN paper's).  IMAGES.npy (N, 1, 28, 28) in\n"
    "[-1, 1] is judged as it is.\n\n"
    "  --model MODEL.yaml   the model of WEIGHTS (default: model.yaml beside them)\n"
    "  --best               RUN/best.safetensors instead of RUN/weights.safetensors\n"
    "  --raw                the raw weights, not their moving average\n"
    "  -n N                 samples to draw [10000 images, 2500 points]\n"
    "  --seed S             the samples' seed [1]\n"
    "  --test-images PATH   the held-out images, IDX [" FASHION_TEST "]\n";

typedef struct {
    const char *target, *model, *test_images, *seed;
    long n;
    int best, raw;
    char model_buf[PATH_MAX], weights[PATH_MAX];
} eval_args;

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && !strcmp(s + a - b, tail);
}

static int parse_args(int argc, char **argv, eval_args *a)
{
    enum { O_MODEL = 256, O_BEST, O_RAW, O_SEED, O_TEST };
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },    { "model", required_argument, NULL, O_MODEL },
        { "best", no_argument, NULL, O_BEST }, { "raw", no_argument, NULL, O_RAW },
        { "seed", required_argument, NULL, O_SEED },
        { "test-images", required_argument, NULL, O_TEST }, { 0, 0, 0, 0 },
    };
    a->seed = "1";
    a->test_images = FASHION_TEST;
    char *end;
    opterr = 0;
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, "hn:", opts, NULL)) != -1;) {
        switch (c) {
        case 'h': printf("%s", eval_help); exit(0);
        case 'n':
            a->n = strtol(optarg, &end, 10);
            if (*end || a->n < 2 || a->n > 1000000) {
                fprintf(stderr, "ganc eval: -n takes a number from 2 to 1000000, found '%s'\n",
                        optarg);
                return 2;
            }
            break;
        case O_MODEL: a->model = optarg; break;
        case O_BEST: a->best = 1; break;
        case O_RAW: a->raw = 1; break;
        case O_SEED:
            strtoull(optarg, &end, 10);
            if (*end || !*optarg || *optarg == '-') {
                fprintf(stderr, "ganc eval: --seed takes a whole number, found '%s'\n", optarg);
                return 2;
            }
            a->seed = optarg;
            break;
        case O_TEST: a->test_images = optarg; break;
        default:
            fprintf(stderr, "ganc eval: unknown option '%s' (see ganc eval --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "ganc eval: expected one RUN, WEIGHTS.safetensors or IMAGES.npy, found "
                        "%d (see ganc eval --help)\n", argc - optind);
        return 2;
    }
    a->target = argv[optind];
    return 0;
}

/* The weights and the model of a RUN folder or a weights file. */
static int resolve(eval_args *a)
{
    struct stat st;
    if (stat(a->target, &st) != 0) {
        fprintf(stderr, "ganc eval: %s: no such file or folder\n", a->target);
        return 2;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(a->weights, sizeof a->weights, "%s/%s", a->target,
                 a->best ? "best.safetensors" : "weights.safetensors");
        if (!a->model)
            snprintf(a->model_buf, sizeof a->model_buf, "%s/model.yaml", a->target);
    } else if (ends_with(a->target, ".safetensors")) {
        snprintf(a->weights, sizeof a->weights, "%s", a->target);
        if (!a->model) {
            const char *slash = strrchr(a->target, '/');
            snprintf(a->model_buf, sizeof a->model_buf, "%.*smodel.yaml",
                     slash ? (int)(slash - a->target + 1) : 0, a->target);
        }
    } else {
        fprintf(stderr, "ganc eval: %s: expected a run folder, a .safetensors weights file or "
                        "an .npy of images\n", a->target);
        return 2;
    }
    if (!a->model)
        a->model = a->model_buf;
    if (access(a->weights, R_OK) != 0) {
        fprintf(stderr, "ganc eval: %s: no weights to judge%s\n", a->weights,
                a->best ? " (the run keeps best.safetensors when it evaluates during training)"
                        : "");
        return 2;
    }
    if (access(a->model, R_OK) != 0) {
        fprintf(stderr, "ganc eval: %s: no model file; name it with --model MODEL.yaml\n",
                a->model);
        return 2;
    }
    return 0;
}

/* The model's sampler, built into the cache once per model text and ganc
 * (the size rules pick its kernels: nothing is measured). */
static int get_sampler(const gan_model *m, const char *model_path, char *exe, size_t size)
{
    const char *why = NULL;
    long len = 0;
    char *yaml = gan_read_file(model_path, &len, &why);
    char cache[PATH_MAX], dir[PATH_MAX + 64];
    if (!yaml || !*gan_cache_dir(cache, sizeof cache)) {
        fprintf(stderr, "ganc eval: %s: %s\n", model_path, yaml ? "no cache folder: set "
                        "GANC_CACHE_DIR or HOME" : why);
        free(yaml);
        return yaml ? 1 : 2;
    }
    uint64_t h = gan_sampler_build_key(gan_fnv64(GAN_FNV64_START, yaml, (size_t)len));
    snprintf(dir, sizeof dir, "%s/eval-%s-%016llx", cache, m->name, (unsigned long long)h);
    snprintf(exe, size, "%s/sample", dir);
    int rc = 0;
    if (access(exe, X_OK) != 0) {
        gan_codegen_opts o = { 0, 1, m->unroll, 0, NULL };
        gan_compiled c;
        gan_compile(&c, m, o, NULL);
        gan_build_opts b = { dir, NULL, NULL, NULL, 0, 1, 0, 1 };
        rc = gan_build(&c, model_path, yaml, &b);
        gan_compiled_free(&c);
    }
    free(yaml);
    return rc;
}

/* Runs the judge on images.npy into features.npy and reads them back:
 * rows of JUDGE_WIDTH floats, n of them. */
static int judge_images(const char *judge, const char *images, const char *features,
                        float **out, size_t *n)
{
    const char *argv[] = { judge, "--input", images, "-o", features, NULL };
    if (gan_run(argv, NULL, "/dev/null", "the judge"))
        return 1;
    rt_err err;
    int ndim;
    size_t shape[RT_NPY_MAX_NDIM];
    if (rt_npy_read_f32(features, out, &ndim, shape, &err)) {
        fprintf(stderr, "ganc eval: %s\n", err.msg);
        return 1;
    }
    if (ndim != 2 || shape[1] != JUDGE_WIDTH) {
        fprintf(stderr, "ganc eval: %s: expected (N, %d) judge outputs\n", features,
                JUDGE_WIDTH);
        free(*out);
        return 1;
    }
    *n = shape[0];
    return 0;
}

/* The test images' features, judged once per judge and test file and kept
 * in the cache. */
static int test_features(const char *judge, const char *judge_id, const char *test,
                         float **out, size_t *n)
{
    struct stat st;
    char cache[PATH_MAX], path[PATH_MAX + 96], images[PATH_MAX + 96];
    if (stat(test, &st) != 0) {
        fprintf(stderr, "ganc eval: %s: the test images are missing (install the Debian "
                        "package dataset-fashion-mnist, or pass --test-images)\n", test);
        return 2;
    }
    uint64_t h = gan_fnv64(GAN_FNV64_START, test, strlen(test));
    h = gan_fnv64(gan_fnv64(h, &st.st_size, sizeof st.st_size), &st.st_mtime,
                  sizeof st.st_mtime);
    gan_cache_dir(cache, sizeof cache);
    snprintf(path, sizeof path, "%s/testfeatures-%s-%016llx.npy", cache, judge_id,
             (unsigned long long)h);
    if (access(path, R_OK) == 0) {
        int ndim;
        size_t shape[RT_NPY_MAX_NDIM];
        rt_err err;
        if (rt_npy_read_f32(path, out, &ndim, shape, &err) == 0 && ndim == 2 &&
            shape[1] == JUDGE_WIDTH) {
            *n = shape[0];
            return 0;
        }
    }
    float *px = NULL;
    size_t count = 0;
    rt_err err;
    if (rt_idx_load_images(test, 28, 28, &px, &count, &err)) {
        fprintf(stderr, "ganc eval: %s\n", err.msg);
        return 2;
    }
    snprintf(images, sizeof images, "%s/testimages-%ld.npy", cache, (long)getpid());
    size_t shape[4] = { count, 1, 28, 28 };
    int rc = rt_npy_write_f32(images, px, 4, shape, &err);
    free(px);
    if (rc) {
        fprintf(stderr, "ganc eval: %s\n", err.msg);
        return 1;
    }
    rc = judge_images(judge, images, path, out, n);
    remove(images);
    return rc;
}

/* ---- the metrics ------------------------------------------------------- */

static int judged_metrics(const float *test, size_t n_test, const float *fake, size_t n_fake,
                          int classes_in_turn, const char *judge_id)
{
    rt_err err;
    double fd, precision, recall, hist[GAN_JUDGE_CLASSES];
    size_t n_pr = n_fake < n_test ? n_fake : n_test;
    if (rt_frechet_distance(test, n_test, fake, n_fake, JUDGE_WIDTH, GAN_JUDGE_FEATURES, &fd,
                            &err) ||
        rt_precision_recall(test, n_pr, fake, n_pr, JUDGE_WIDTH, GAN_JUDGE_FEATURES, PR_K,
                            &precision, &recall, &err)) {
        fprintf(stderr, "ganc eval: %s\n", err.msg);
        return 1;
    }
    double entropy = rt_class_entropy(fake + GAN_JUDGE_FEATURES, n_fake, JUDGE_WIDTH,
                                      GAN_JUDGE_CLASSES, hist);
    double accuracy = -1;
    if (classes_in_turn > 0) {
        float *labels = gan_xcalloc(n_fake, sizeof *labels);
        for (size_t i = 0; i < n_fake; i++)
            labels[i] = (float)(i % (size_t)classes_in_turn);
        accuracy = rt_class_accuracy(fake + GAN_JUDGE_FEATURES, n_fake, JUDGE_WIDTH,
                                     GAN_JUDGE_CLASSES, labels);
        free(labels);
    }
    printf("{\"n\": %zu, \"n_test\": %zu, \"judge\": \"%s\", \"fd\": %.4f, \"precision\": %.4f, "
           "\"recall\": %.4f, \"class_entropy\": %.4f", n_fake, n_test, judge_id, fd, precision,
           recall, entropy);
    if (accuracy >= 0)
        printf(", \"class_accuracy\": %.4f", accuracy);
    printf("}\n");
    if (isatty(STDOUT_FILENO)) {
        printf("\n  %-16s %10.3f   (%zu samples against %zu test images; lower is better)\n",
               "Frechet distance", fd, n_fake, n_test);
        printf("  %-16s %10.3f   (samples inside the test images' manifold, k = %d)\n",
               "precision", precision, PR_K);
        printf("  %-16s %10.3f   (test images inside the samples' manifold)\n", "recall",
               recall);
        printf("  %-16s %10.3f   (of the predicted classes; %.3f when all 10 are even)\n",
               "class entropy", entropy, log(GAN_JUDGE_CLASSES));
        if (accuracy >= 0)
            printf("  %-16s %10.3f   (samples put in the class asked for)\n", "class accuracy",
                   accuracy);
        printf("  judge %s (models/fmnist_classifier.yaml and .safetensors)\n", judge_id);
    }
    return 0;
}

static int mixture_metrics(int kind, const char *points)
{
    float *pts = NULL;
    int ndim;
    size_t shape[RT_NPY_MAX_NDIM];
    rt_err err;
    if (rt_npy_read_f32(points, &pts, &ndim, shape, &err)) {
        fprintf(stderr, "ganc eval: %s\n", err.msg);
        return 1;
    }
    rt_mixture_score s = rt_mixture_evaluate(kind, pts, shape[0]);
    free(pts);
    printf("{\"n\": %zu, \"data\": \"%s\", \"modes\": %d, \"modes_20\": %d, \"n_modes\": %d, "
           "\"high_quality\": %.4f, \"reverse_kl\": %.4f}\n", shape[0], rt_mixture_name(kind),
           s.modes_captured, s.modes_well_covered, s.n_modes, s.hq_fraction, s.reverse_kl);
    if (isatty(STDOUT_FILENO))
        printf("\n  modes            %d of %d (with a point within 3 std)\n"
               "  modes, 20 points %d of %d (with 20 of 2,500 points within 3 std)\n"
               "  high quality     %.1f%% of %zu points within 3 std of a mode\n"
               "  reverse KL       %.3f (of the mode histogram against uniform)\n",
               s.modes_captured, s.n_modes, s.modes_well_covered, s.n_modes,
               100 * s.hq_fraction, shape[0], s.reverse_kl);
    return 0;
}

/* ---- the command ------------------------------------------------------- */

/* A model's kind of metric: images, mixture points, or none (2) */
static int metric_kind(const gan_model *m, int *mixture, int *classes)
{
    const gan_net *g = &m->net[m->gen_net];
    gan_shape out = g->layers[g->output].out;
    *mixture = -1;
    *classes = 0;
    for (int i = 0; i < g->n_inputs; i++) {
        if (g->inputs[i].kind == GAN_INPUT_SAMPLE) {
            fprintf(stderr, "ganc eval: %s's network '%s' translates an input; ganc eval "
                            "judges generators of noise (and classes)\n", m->name, g->name);
            return 2;
        }
        if (g->inputs[i].kind == GAN_INPUT_LABEL)
            *classes = g->inputs[i].classes;
    }
    if (gan_model_judged(m))
        return 0;
    int k = m->sources[0].kind;
    if ((k == GAN_DATA_RING8 || k == GAN_DATA_GRID25) && out.rank == 1 && out.d[0] == 2) {
        *mixture = k == GAN_DATA_RING8 ? RT_DATA_RING8 : RT_DATA_GRID25;
        return 0;
    }
    fprintf(stderr, "ganc eval: %s: no metric for this model: ganc eval judges generators of "
                    "(1, 28, 28) images and of the ring8 and grid25 mixtures\n", m->name);
    return 2;
}

/* Draws the samples into folder tmp/samples.npy with the model's sampler */
static int draw(const eval_args *a, const gan_model *m, const char *samples, long n)
{
    char exe[PATH_MAX + 80], count[32];
    int rc = get_sampler(m, a->model, exe, sizeof exe);
    snprintf(count, sizeof count, "%ld", n);
    const char *argv[] = { exe, "--weights", a->weights, "-n", count, "--seed", a->seed,
                           "-o", samples, a->raw ? "--raw" : NULL, NULL };
    return rc ? rc : gan_run(argv, NULL, "/dev/null", "the model's sampler") ? 1 : 0;
}

static int judge_and_score(const eval_args *a, const char *images, const char *tmp,
                           int classes)
{
    char judge[PATH_MAX], id[17], features[PATH_MAX + 32];
    float *test = NULL, *fake = NULL;
    size_t n_test = 0, n_fake = 0;
    int rc = gan_judge_get(judge, sizeof judge, id, NULL, NULL, 0);
    if (!rc)
        rc = test_features(judge, id, a->test_images, &test, &n_test);
    snprintf(features, sizeof features, "%s/features.npy", tmp);
    if (!rc)
        rc = judge_images(judge, images, features, &fake, &n_fake);
    if (!rc)
        rc = judged_metrics(test, n_test, fake, n_fake, classes, id);
    free(test);
    free(fake);
    return rc;
}

int gan_cmd_eval(int argc, char **argv)
{
    eval_args a;
    memset(&a, 0, sizeof a);
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    char tmp[] = "/tmp/ganc-eval-XXXXXX", samples[64];
    if (!mkdtemp(tmp)) {
        perror("ganc eval: a temporary folder in /tmp");
        return 1;
    }
    snprintf(samples, sizeof samples, "%s/samples.npy", tmp);
    if (ends_with(a.target, ".npy")) {
        rc = judge_and_score(&a, a.target, tmp, 0);
    } else if (!(rc = resolve(&a))) {
        gan_model m;
        gan_diag d;
        gan_diag_init(&d, stderr);
        int mixture, classes;
        if (gan_model_load(&m, a.model, &d) || d.errors)
            rc = 2;
        else if (!(rc = metric_kind(&m, &mixture, &classes)))
            rc = draw(&a, &m, samples, a.n ? a.n : mixture >= 0 ? 2500 : 10000);
        if (!rc)
            rc = mixture >= 0 ? mixture_metrics(mixture, samples)
                              : judge_and_score(&a, samples, tmp, classes);
        gan_model_free(&m);
    }
    char p[128];
    const char *const left[] = { "samples.npy", "features.npy", NULL };
    for (const char *const *f = left; *f; f++) {
        snprintf(p, sizeof p, "%s/%s", tmp, *f);
        remove(p);
    }
    rmdir(tmp);
    return rc;
}

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
#include "metrics/rt_image_quality.h"
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
    "[-1, 1] is judged as it is; of a translator's outputs, --target adds how close\n"
    "each is to its target and --class how many the judge puts in a class.\n\n"
    "  --model MODEL.yaml   the model of WEIGHTS (default: model.yaml beside them)\n"
    "  --best               RUN/best.safetensors instead of RUN/weights.safetensors\n"
    "  --raw                the raw weights, not their moving average\n"
    "  -n N                 samples to draw [10000 images, 2500 points]\n"
    "  --seed S             the samples' seed [1]\n"
    "  --test-images PATH   the held-out images, IDX [" FASHION_TEST "]\n"
    "  --target T.npy       IMAGES.npy only: the images each row should be, of the same\n"
    "                       shape: adds l1 (mean |output - target|, range [-1, 1]), psnr\n"
    "                       and ssim (on [0, 1]; SSIM's 11x11 Gaussian window, sigma 1.5),\n"
    "                       each the mean over the rows\n"
    "  --class K            IMAGES.npy only: adds class_share, the share of rows the judge\n"
    "                       puts in class K (a translation into class K)\n"
    "  --labels L.npy       IMAGES.npy only: each row's class (N integers): adds\n"
    "                       class_accuracy, the share the judge puts in its class\n";

typedef struct {
    const char *target, *model, *test_images, *seed, *pairs_with, *labels;
    long n, class_k;    /* class_k: -1 when not asked */
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
    enum { O_MODEL = 256, O_BEST, O_RAW, O_SEED, O_TEST, O_TARGET, O_CLASS, O_LABELS };
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },    { "model", required_argument, NULL, O_MODEL },
        { "best", no_argument, NULL, O_BEST }, { "raw", no_argument, NULL, O_RAW },
        { "seed", required_argument, NULL, O_SEED },
        { "test-images", required_argument, NULL, O_TEST },
        { "target", required_argument, NULL, O_TARGET },
        { "class", required_argument, NULL, O_CLASS },
        { "labels", required_argument, NULL, O_LABELS }, { 0, 0, 0, 0 },
    };
    a->class_k = -1;
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
        case O_TARGET: a->pairs_with = optarg; break;
        case O_LABELS: a->labels = optarg; break;
        case O_CLASS:
            a->class_k = strtol(optarg, &end, 10);
            if (*end || !*optarg || a->class_k < 0 || a->class_k >= GAN_JUDGE_CLASSES) {
                fprintf(stderr, "ganc eval: --class takes a class of the judge, 0 to %d, found "
                                "'%s'\n", GAN_JUDGE_CLASSES - 1, optarg);
                return 2;
            }
            break;
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
    if ((a->pairs_with || a->class_k >= 0 || a->labels) && !ends_with(a->target, ".npy")) {
        fprintf(stderr, "ganc eval: --target, --class and --labels judge an IMAGES.npy of "
                        "outputs, not %s\n", a->target);
        return 2;
    }
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

/* What a translator's outputs are judged by beside the distribution: how
 * close each is to its target, and how many land in a class. */
typedef struct {
    int paired;                /* l1, psnr, ssim hold the means over the rows */
    double l1, psnr, ssim;
    long class_k;              /* -1: no class share asked for */
} translation;

/* Reads an .npy of images (N, C, H, W); 0, or 2 with a message. */
static int read_images(const char *path, float **x, size_t shape[4])
{
    int ndim;
    size_t sh[RT_NPY_MAX_NDIM];
    rt_err err;
    if (rt_npy_read_f32(path, x, &ndim, sh, &err)) {
        fprintf(stderr, "ganc eval: %s\n", err.msg);
        return 2;
    }
    if (ndim != 4 || sh[0] < 1) {
        fprintf(stderr, "ganc eval: %s: expected images (N, C, H, W), found %d dimensions\n",
                path, ndim);
        free(*x);
        return 2;
    }
    memcpy(shape, sh, 4 * sizeof *shape);
    return 0;
}

/* The means of l1, PSNR and SSIM over the row pairs of two image files. */
static int pair_metrics(const char *images, const char *targets, translation *t)
{
    float *a = NULL, *b = NULL;
    size_t sa[4], sb[4];
    int rc = read_images(images, &a, sa);
    if (!rc && !(rc = read_images(targets, &b, sb)) && memcmp(sa, sb, sizeof sa)) {
        fprintf(stderr, "ganc eval: %s holds (%zu, %zu, %zu, %zu) images but its --target %s "
                        "(%zu, %zu, %zu, %zu): one target per output, of its shape\n", images,
                sa[0], sa[1], sa[2], sa[3], targets, sb[0], sb[1], sb[2], sb[3]);
        rc = 2;
    }
    if (!rc && !rt_ssim_fits((int)sa[2], (int)sa[3])) {
        fprintf(stderr, "ganc eval: %s: images of %zu x %zu are smaller than SSIM's %d x %d "
                        "window\n", images, sa[2], sa[3], RT_SSIM_WINDOW, RT_SSIM_WINDOW);
        rc = 2;
    }
    size_t per = sa[1] * sa[2] * sa[3];
    for (size_t i = 0; !rc && i < sa[0]; i++) {
        const float *x = a + i * per, *y = b + i * per;
        t->l1 += rt_mean_abs_diff(x, y, per) / (double)sa[0];
        t->psnr += rt_psnr(x, y, per) / (double)sa[0];
        t->ssim += rt_ssim(x, y, (int)sa[1], (int)sa[2], (int)sa[3]) / (double)sa[0];
    }
    t->paired = !rc;
    free(a);
    free(b);
    return rc;
}

/* the translation's JSON fields, and its lines of the table on a terminal */
static void print_translation(const translation *t, size_t n, const float *fake, int table)
{
    double share = -1;
    if (t->class_k >= 0) {
        float *labels = gan_xcalloc(n, sizeof *labels);
        for (size_t i = 0; i < n; i++)
            labels[i] = (float)t->class_k;
        share = rt_class_accuracy(fake + GAN_JUDGE_FEATURES, n, JUDGE_WIDTH,
                                  GAN_JUDGE_CLASSES, labels);
        free(labels);
    }
    if (!table) {
        if (t->paired)
            printf(", \"l1\": %.4f, \"psnr\": %.3f, \"ssim\": %.4f", t->l1, t->psnr, t->ssim);
        if (share >= 0)
            printf(", \"class\": %ld, \"class_share\": %.4f", t->class_k, share);
        return;
    }
    if (t->paired)
        printf("  %-16s %10.4f   (mean |output - target|, pixels in [-1, 1])\n"
               "  %-16s %10.2f   (dB, mean over the images)\n"
               "  %-16s %10.4f   (mean over the images; 1 when equal)\n",
               "l1", t->l1, "psnr", t->psnr, "ssim", t->ssim);
    if (share >= 0)
        printf("  %-16s %10.3f   (outputs the judge puts in class %ld)\n", "class share",
               share, t->class_k);
}

/* Each row's class: read from --labels, or for a conditional generator the
 * classes in turn it was asked for (classes > 0); NULL with rc 0 when
 * neither. */
static int row_labels(const eval_args *a, size_t n, int classes, float **out)
{
    *out = NULL;
    if (!a->labels) {
        if (classes > 0) {
            *out = gan_xcalloc(n, sizeof **out);
            for (size_t i = 0; i < n; i++)
                (*out)[i] = (float)(i % (size_t)classes);
        }
        return 0;
    }
    int ndim = 0;
    size_t shape[RT_NPY_MAX_NDIM];
    rt_err err;
    if (rt_npy_read_f32(a->labels, out, &ndim, shape, &err) == 0) {
        if (ndim != 1 || shape[0] != n)
            rt_errf(&err, "%s: expected %zu class numbers (one per image) in one dimension, "
                          "found %d dimensions of %zu first", a->labels, n, ndim, shape[0]);
        else if (rt_check_class_labels(*out, n, GAN_JUDGE_CLASSES, &err) == 0)
            return 0;
        else {
            rt_err row = err;   /* the row's message, named by its file */
            rt_errf(&err, "%s: %s", a->labels, row.msg);
        }
        free(*out);
        *out = NULL;
    }
    fprintf(stderr, "ganc eval: --labels %s\n", err.msg);
    return 2;
}

static int judged_metrics(const float *test, size_t n_test, const float *fake, size_t n_fake,
                          const float *labels, const char *judge_id, const translation *t)
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
    double accuracy = labels ? rt_class_accuracy(fake + GAN_JUDGE_FEATURES, n_fake,
                                                 JUDGE_WIDTH, GAN_JUDGE_CLASSES, labels)
                             : -1;
    printf("{\"n\": %zu, \"n_test\": %zu, \"judge\": \"%s\", \"fd\": %.4f, \"precision\": %.4f, "
           "\"recall\": %.4f, \"class_entropy\": %.4f", n_fake, n_test, judge_id, fd, precision,
           recall, entropy);
    if (accuracy >= 0)
        printf(", \"class_accuracy\": %.4f", accuracy);
    print_translation(t, n_fake, fake, 0);
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
        print_translation(t, n_fake, fake, 1);
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
    translation t = { 0, 0, 0, 0, a->class_k };
    int rc = a->pairs_with ? pair_metrics(images, a->pairs_with, &t) : 0;
    if (!rc)
        rc = gan_judge_get(judge, sizeof judge, id, NULL, NULL, 0);
    if (!rc)
        rc = test_features(judge, id, a->test_images, &test, &n_test);
    snprintf(features, sizeof features, "%s/features.npy", tmp);
    if (!rc)
        rc = judge_images(judge, images, features, &fake, &n_fake);
    float *labels = NULL;
    if (!rc)
        rc = row_labels(a, n_fake, classes, &labels);
    if (!rc)
        rc = judged_metrics(test, n_test, fake, n_fake, labels, id, &t);
    free(labels);
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

/* rt_score.c - rt_score_main: the anomaly scorer's command line (see
 * rt_score.h).  It reuses the sampler's parts: the weights read in place
 * (sample/rt_sample_weights.h) and the data input's readers
 * (sample/rt_sample_inputs.h, rt_sample_images.h).
 */
#include "score/rt_score.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_args.h"
#include "core/rt_file.h"
#include "formats/rt_safetensors.h"
#include "sample/rt_sample_inputs.h"
#include "sample/rt_sample_weights.h"

#define CHUNK 256   /* samples read and scored at a time */

typedef struct {
    const char *weights, *out, *images;
    int help;
} score_opts;

static void usage(FILE *f, const rt_sampler_model *m, const char *prog)
{
    const rt_input_info *in = &m->inputs[0];
    fprintf(f,
            "Usage: %s --weights FILE IMAGES -o SCORES.csv\n"
            "The anomaly score of each image under model '%s' (its `score` section, the\n"
            "networks in inference mode, their raw weights): one CSV row per image in\n"
            "order, index[,file],score; higher is more anomalous.\n"
            "  IMAGES           a .npy of shape (N",
            prog, m->model_name);
    for (int d = 0; d < in->ndim; d++)
        fprintf(f, ", %d", in->shape[d]);
    fprintf(f, ") with values as the networks see them\n"
               "                   (pixels in [-1, 1]), or a .png or a folder of PNGs\n"
               "                   (converted as png_dir data)\n"
               "  --weights FILE   trained weights (.safetensors), required\n"
               "  -o FILE          the scores (.csv), required\n"
               "  -h, --help       this help\n");
}

/* Whether flag a takes the next argument as its value: -o, --weights or a
 * prefix of it (getopt_long takes "--we FILE"). */
static int takes_value(const char *a)
{
    size_t n = strlen(a);
    return !strcmp(a, "-o") || (n > 2 && !strncmp(a, "--", 2) && !strchr(a, '=') &&
                                !strncmp(a, "--weights", n));
}

static int parse_args(int argc, char **argv, score_opts *o, rt_err *err)
{
    memset(o, 0, sizeof *o);
    static const struct option longs[] = {
        { "weights", required_argument, NULL, 'w' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    /* IMAGES is the one argument that is not a flag: taken out before the
     * flags are read (rt_flag_next refuses arguments that are not flags) */
    char **rest = rt_xcalloc((size_t)argc + 1, sizeof *rest);
    int n = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int value_of_prev = i > 1 && takes_value(argv[i - 1]);
        if (i > 0 && a[0] != '-' && !value_of_prev) {
            if (o->images) {
                free(rest);
                return rt_errf(err, "'%s': expected one IMAGES argument, found '%s' too", a,
                               o->images);
            }
            o->images = a;
        } else {
            rest[n++] = argv[i];
        }
    }
    const char *v;
    int c;
    rt_flags_start();
    while ((c = rt_flag_next(n, rest, "o:h", longs, &v, err)) > 0) {
        if (c == 'w')
            o->weights = v;
        else if (c == 'o')
            o->out = v;
        else
            o->help = 1;
    }
    free(rest);
    return c < 0 ? -1 : 0;
}

/* The weights of every network the score applies, raw (no EMA copies). */
static int load_weights(const rt_sampler_model *m, const char *path, rt_st *st, rt_err *err)
{
    int rc = rt_st_open_mapped(path, st, err);
    if (rc == -2)
        rc = rt_st_open_file(path, st, err);
    if (rc != 0)
        return -1;
    const char *model = rt_st_meta(st, "model"), *hash = rt_st_meta(st, "arch_hash");
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, m->arch_hash);
    if (model && strcmp(model, m->model_name) != 0)
        rc = rt_errf(err, "%s: a weights file of model '%s', expected '%s'", path, model,
                     m->model_name);
    else if ((rc = rt_sample_weights_load(m, st, 0, err)) == 0 && hash && strcmp(hash, want))
        rc = rt_errf(err, "%s: saved by a model with architecture hash %s, this scorer's is "
                     "%s: the model changed since training", path, hash, want);
    if (rc != 0)
        rt_st_close(st);
    return rc;
}

/* a file name as one CSV field */
static void csv_field(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Scores every sample a chunk at a time into the CSV w. */
static int score_all(const rt_sampler_model *m, rt_sample_opts *so, rt_sample_inputs *s,
                     FILE *f, rt_err *err)
{
    size_t n = (size_t)so->n, chunk = n < CHUNK ? n : CHUNK, size = m->inputs[0].size;
    float *x = rt_xmalloc(chunk * size * sizeof(float) + 1);
    float *in[1] = { x };
    int rc = 0;
    fputs(s->images ? "index,file,score\n" : "index,score\n", f);
    for (size_t first = 0; first < n && rc == 0; first += chunk) {
        size_t k = n - first < chunk ? n - first : chunk;
        if ((rc = rt_sample_inputs_next(s, first, k, in, err)) != 0)
            break;
        for (size_t i = 0; i < k; i++) {
            const float *one[1] = { x + i * size };
            float score = NAN;
            m->generate(&score, one);
            fprintf(f, "%zu,", first + i);
            if (s->images) {
                csv_field(f, s->images[first + i]);
                fputc(',', f);
            }
            fprintf(f, "%.9g\n", (double)score);
        }
    }
    free(x);
    return rc;
}

/* Returns the exit status. */
static int score(const rt_sampler_model *m, const score_opts *o, rt_err *err)
{
    if (!o->weights || !o->images || !o->out) {
        rt_errf(err, "%s: expected %s", !o->weights ? "--weights" : !o->images ? "IMAGES" : "-o",
                !o->weights ? "a .safetensors file of the trained model, found none"
                : !o->images ? "a .npy, a .png or a folder of PNGs to score, found none"
                             : "the .csv file to write the scores to, found none");
        return 2;
    }
    rt_assert(m->n_inputs == 1 && m->inputs[0].kind == RT_VAR_DATA && m->out_size == 1 &&
              m->batch == 1);
    rt_sample_opts so;
    memset(&so, 0, sizeof so);
    so.class_k = -1;
    so.input = o->images;
    so.weights = o->weights;
    so.out = o->out;
    rt_st st;
    rt_sample_inputs s;
    if (load_weights(m, o->weights, &st, err) != 0)
        return 2;
    int status = 2;
    rt_wfile w = { 0 };
    if (rt_sample_inputs_open(&s, m, &so, err) == 0) {
        status = rt_wfile_open(&w, o->out, err) != 0 ? 1 : 0;
        if (status == 0 && score_all(m, &so, &s, w.f, err) != 0)
            status = 2;
        if (w.f && status != 0)
            rt_wfile_abort(&w);
        else if (w.f && rt_wfile_commit(&w, err) != 0)
            status = 1;
    }
    rt_sample_inputs_close(&s);
    rt_st_close(&st);
    if (status == 0)
        fprintf(stderr, "wrote the scores of %ld samples to %s\n", so.n, o->out);
    return status;
}

int rt_score_main(const rt_sampler_model *m, int argc, char **argv)
{
    const char *prog = argc > 0 ? argv[0] : "score";
    rt_err err = { "" };
    score_opts o;
    if (parse_args(argc, argv, &o, &err) != 0) {
        fprintf(stderr, "%s: %s\nTry '%s --help'.\n", prog, err.msg, prog);
        return 2;
    }
    if (o.help) {
        usage(stdout, m, prog);
        return 0;
    }
    int status = score(m, &o, &err);
    if (status != 0)
        fprintf(stderr, "%s: %s\n", prog, err.msg);
    return status;
}

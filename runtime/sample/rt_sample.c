/* rt_sample.c - rt_sample_main: the sampler's command line.
 *
 * Loads the network's tensors (from --weights or from weights embedded in
 * the executable; their moving average when the file has one, unless
 * --raw), makes N samples of each of its inputs (rt_sample_inputs.h:
 * latents, classes, data), runs the network in chunks of the compiled
 * batch and writes the samples as .npy, .csv or a .png picture (with
 * --interpolate, a strip).  The sampler links libc and libm only: this
 * file is in libganc_sample.a, which has nothing of data/ or train/
 * (tests/runtime_libs.sh).
 * A network with a class input writes a folder output into a subfolder
 * per class (DIR/K/000000.png ..., as a png_dir of `labels: folders`
 * reads it back) and a .npy output with its labels beside it
 * (X_labels.npy); --class all, or a folder without --class, makes -n
 * samples of every class.  --grid on a translator (a data input) draws
 * input | output (| --target) rows, through a part (rt_sample_parts.h).
 * Leaves out: several pictures per run, labels per class input.
 */
#include "sample/rt_sample.h"

#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "core/rt_alloc.h"
#include "core/rt_args.h"
#include "core/rt_file.h"
#include "formats/rt_csv.h"
#include "formats/rt_npy.h"
#include "formats/rt_png.h"
#include "formats/rt_safetensors.h"
#include "model/rt_generate.h"
#include "model/rt_latent.h"
#include "model/rt_model.h"
#include "sample/rt_sample_inputs.h"
#include "sample/rt_sample_parts.h"
#include "sample/rt_sample_weights.h"
#include "viz/rt_plot.h"

#define CHUNK 256   /* samples generated and written at a time */
#define PICTURE_MAX 16384   /* samples in one .png: a grid or a plot, held whole */

enum out_kind { OUT_NPY, OUT_CSV, OUT_PNG, OUT_DIR };

/* The inputs' lines of --help: what each kind takes. */
static void usage_inputs(FILE *f, const rt_sampler_model *m)
{
    for (int i = 0; i < m->n_inputs; i++) {
        const rt_input_info *in = &m->inputs[i];
        if (in->kind == RT_VAR_LATENT)
            fprintf(f, "  input %s: %zu latents, %s\n", in->name, in->size,
                    rt_latent_name(in->dist));
        else if (in->kind == RT_VAR_CLASS)
            fprintf(f, "  input %s: a class of %d\n", in->name, in->classes);
        else
            fprintf(f, "  input %s: data, %zu floats\n", in->name, in->size);
    }
}

static void usage(FILE *f, const rt_sampler_model *m, const char *prog)
{
    fprintf(f,
            "usage: %s -o OUT [flags]\n"
            "Draws samples from the network of '%s' (ganc %s).\n", prog, m->model_name,
            m->ganc_version ? m->ganc_version : "?");
    usage_inputs(f, m);
    fprintf(f,
            "\n"
            "  --weights FILE   trained weights (.safetensors) [%s]\n"
            "  --raw            the raw weights, not their moving average (ema.*), which\n"
            "                   is used when the file has it\n"
            "  -n N             number of samples [64, or the rows of a file below]\n"
            "  --seed S         seed for the latents [0]\n"
            "  --latent Z.npy   latents from a float32 .npy of shape (N, latents)\n"
            "  --truncation PSI the truncation trick: latents drawn again until |z| <= PSI\n"
            "  --interpolate    N samples (default 10) from the latents of --seed to those\n"
            "                   of --seed2 [S+1] (or --latent's first two rows): spherical\n"
            "                   for normal latents, linear for uniform; a .png is a strip\n"
            "  --class K|all    every sample of class K, or -n of each [in turn: 0, 1, ...]\n"
            "  --labels FILE    a class per sample: .npy of numbers, or one a line\n"
            "  --input X        the data input: float32 .npy of shape (N, its shape), or\n"
            "                   for images a .png or a folder of *.png (a sample each)\n"
            "  -o OUT           output file, by extension: .npy (float32, shape (N, ...)),\n"
            "                   .csv (N rows of %zu numbers), .png (picture: a grid of\n"
            "                   images, or a scatter plot of 2D points); for images also\n"
            "                   a folder DIR/: a PNG per sample (DIR/CLASS/ of a class input)\n"
            "  --grid [--target T]  a translator's .png: rows input | output (| T)\n"
            "  -h, --help       show this help\n"
            "\n"
            "Exit status: 0 done, 1 output failure, 2 bad flag or bad input.\n",
            m->embedded_weights ? "the weights embedded in this program" : "required",
            m->out_size);
}

/* The flags: -n and -o have no long form; getopt_long's codes for the
 * long-only ones are past every letter.  The names are held in place and
 * getopt_long's table is filled from them on the stack (parse_args): a
 * static table of pointers would cost a relocation each in the sampler, a
 * position-independent executable with a 64 KiB budget. */
enum { F_WEIGHTS = 256, F_LATENT, F_SEED, F_SEED2, F_CLASS, F_LABELS, F_INPUT, F_TRUNCATION,
       F_INTERPOLATE, F_RAW, F_GRID, F_TARGET, N_LONG = 13 };
static const struct {
    char name[12];
    unsigned char has_arg;
    short code;
} LONGS[N_LONG] = {
    { "weights", required_argument, F_WEIGHTS },
    { "latent", required_argument, F_LATENT },
    { "seed", required_argument, F_SEED },
    { "seed2", required_argument, F_SEED2 },
    { "class", required_argument, F_CLASS },
    { "labels", required_argument, F_LABELS },
    { "input", required_argument, F_INPUT },
    { "truncation", required_argument, F_TRUNCATION },
    { "interpolate", no_argument, F_INTERPOLATE },
    { "raw", no_argument, F_RAW },
    { "grid", no_argument, F_GRID },
    { "target", required_argument, F_TARGET },
    { "help", no_argument, 'h' },
};

/* --truncation: a number > 0. */
static int parse_psi(const char *v, double *out, rt_err *err)
{
    char *end = NULL;
    double x = strtod(v, &end);
    if (end == v || *end || !(x > 0) || !isfinite(x))
        return rt_errf(err, "--truncation: expected a number > 0, found '%s'", v);
    *out = x;
    return 0;
}

/* One flag with code c and value v: 0, or -1 with err. */
static int apply_flag(int c, const char *v, rt_sample_opts *o, rt_err *err)
{
    switch (c) {
    case 'n':
        o->n_given = 1;
        return rt_parse_long("-n", v, 1, &o->n, err);
    case F_SEED:
        return rt_parse_u64("--seed", v, &o->seed, err);
    case F_SEED2:
        o->seed2_given = 1;
        return rt_parse_u64("--seed2", v, &o->seed2, err);
    case F_CLASS:
        if (strcmp(v, "all") == 0)
            return o->class_all = 1, 0;
        return rt_parse_long("--class", v, 0, &o->class_k, err) == 0 ? 0
             : rt_errf(err, "--class: expected a class or 'all', found '%.60s'", v);
    case F_TRUNCATION:
        return parse_psi(v, &o->truncation, err);
    case F_WEIGHTS:
        o->weights = v;
        return 0;
    case F_LATENT:
        o->latent = v;
        return 0;
    case F_LABELS:
        o->labels = v;
        return 0;
    case F_INPUT:
        o->input = v;
        return 0;
    case F_INTERPOLATE:
        o->interpolate = 1;
        return 0;
    case F_RAW:
        o->raw = 1;
        return 0;
    case F_GRID:
        o->grid = 1;
        return 0;
    case F_TARGET:
        o->target = v;
        return 0;
    case 'o':
        o->out = v;
        return 0;
    default:   /* 'h' */
        o->help = 1;
        return 0;
    }
}

static int parse_args(int argc, char **argv, rt_sample_opts *o, rt_err *err)
{
    memset(o, 0, sizeof *o);
    o->class_k = -1;
    struct option flags[N_LONG + 1];
    memset(flags, 0, sizeof flags);
    for (int i = 0; i < N_LONG; i++) {
        flags[i].name = LONGS[i].name;
        flags[i].has_arg = LONGS[i].has_arg;
        flags[i].val = LONGS[i].code;
    }
    const char *v;
    int c;
    rt_flags_start();
    while ((c = rt_flag_next(argc, argv, "n:o:h", flags, &v, err)) > 0)
        if (apply_flag(c, v, o, err) != 0)
            return -1;
    return c < 0 ? -1 : 0;
}

/* ---- checks before any work ------------------------------------------- */

static int is_image(const rt_sampler_model *m)
{
    return m->out_ndim == 3 && (m->out_shape[0] == 1 || m->out_shape[0] == 3);
}

/* The network's first input of kind k, or -1. */
static int input_of(const rt_sampler_model *m, int k)
{
    for (int i = 0; i < m->n_inputs; i++)
        if (m->inputs[i].kind == k)
            return i;
    return -1;
}

/* --grid and --target against the output and the network's inputs: a
 * translator's rows are its part's (rt_sample_pairs.c), which only
 * networks of an image output and a data input have; it checks that
 * input itself. */
static int check_grid(const rt_sampler_model *m, const rt_sample_opts *o, int kind, rt_err *err)
{
    int d = input_of(m, RT_VAR_DATA);
    if ((o->target && !o->grid) || (o->grid && kind != OUT_PNG) ||
        ((o->target || (o->grid && d >= 0)) && !m->parts->pairs))
        return rt_errf(err, "%s: expected --grid, -o X.png (a translator's: --target)",
                       o->target && (kind == OUT_PNG || !o->grid) ? "--target" : "--grid");
    return o->grid && d >= 0 ? m->parts->pairs(m, o, &m->inputs[d], NULL, NULL, 0, err) : 0;
}

static int output_kind(const rt_sampler_model *m, const char *out, int *kind, rt_err *err)
{
    int image = is_image(m);
    struct stat st;
    size_t len = strlen(out);
    if ((len && out[len - 1] == '/') || (stat(out, &st) == 0 && S_ISDIR(st.st_mode))) {
        *kind = OUT_DIR;
        return image ? 0 : rt_errf(err, "-o %s: a folder of PNG files needs an image model "
                                   "(1 or 3 channels); use .npy, .csv or .png", out);
    }
    const char *dot = strrchr(out, '.');
    const char *ext = dot && !strchr(dot, '/') ? dot : "";
    if (strcmp(ext, ".npy") == 0)
        *kind = OUT_NPY;
    else if (strcmp(ext, ".csv") == 0)
        *kind = OUT_CSV;
    else if (strcmp(ext, ".png") == 0)
        *kind = OUT_PNG;
    else
        return rt_errf(err, "-o %s: expected a file ending in .npy, .csv or .png, or a folder "
                       "(ending in /) for single PNGs, found '%s'", out, *ext ? ext : "no extension");
    if (*kind == OUT_PNG && !image && m->out_size != 2)
        return rt_errf(err, "-o %s: a .png needs images (1 or 3 channels) or 2D points; "
                       "this model's samples are %zu floats (use .npy or .csv)",
                       out, m->out_size);
    return 0;
}

/* The weights file is mapped and read in place: if another program cuts
 * it short while the generator reads it, reading past its new end raises
 * SIGBUS.  Say so and exit 1 rather than die without a word. */
static const char *mapped_path = "";

static void on_sigbus(int sig)
{
    static const char msg[] = ": the weights file was cut short while the sampler read it\n";
    ssize_t said = write(2, mapped_path, strlen(mapped_path));
    said = write(2, msg, sizeof msg - 1);
    (void)said;
    (void)sig;
    _exit(1);
}

/* Opens the weights (kept open in *st: the network reads them in place)
 * and points the network at them: their moving average when the file has
 * one, unless raw. */
static int load_weights(const rt_sampler_model *m, const char *path, int raw, rt_st *st,
                        rt_err *err)
{
    if (path) {
        mapped_path = path;
        signal(SIGBUS, on_sigbus);
    }
    int rc = path ? rt_st_open_mapped(path, st, err)
                  : rt_st_open_memory(m->embedded_weights, m->embedded_size,
                                      "embedded weights", st, err);
    if (rc == -2)   /* no mmap there: read it, into the sampler's arrays */
        rc = rt_st_open_file(path, st, err);
    if (rc != 0)
        return -1;
    /* another model's file is named as such (as --resume does); names and
     * shapes can match while layers or wiring differ (an edited activation,
     * say): the architecture hash tells */
    const char *model = rt_st_meta(st, "model"), *hash = rt_st_meta(st, "arch_hash");
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, m->arch_hash);
    if (model && strcmp(model, m->model_name) != 0)
        rc = rt_errf(err, "%s: a weights file of model '%s', expected '%s'", st->what, model,
                     m->model_name);
    else if ((rc = rt_sample_weights_load(m, st, !raw && rt_sample_weights_have_ema(m, st),
                                          err)) == 0 && hash && strcmp(hash, want) != 0)
        rc = rt_errf(err, "%s: saved by a model with architecture hash %s, this sampler's is "
                     "%s: the model changed since training; use the sampler built from the "
                     "run's model.yaml", st->what, hash, want);
    if (rc != 0)
        rt_st_close(st);
    return rc;
}

/* ---- output ------------------------------------------------------------- */

static double auto_extent(const float *pts, size_t n)
{
    double e = 0;
    for (size_t i = 0; i < 2 * n; i++)
        if (isfinite(pts[i]) && fabs(pts[i]) > e)
            e = fabs(pts[i]);
    return e > 0 ? 1.1 * e : 1.0;
}

/* One PNG per sample, DIR/000000.png ... for samples first, first + 1, ...
 * (or in class subfolders): pixel values [-1, 1] -> 0..255. */
static int write_folder(const rt_sampler_model *m, const char *dir, const float *x,
                        size_t first, size_t n, rt_sample_classes *cl, rt_err *err)
{
    int c = m->out_shape[0], h = m->out_shape[1], w = m->out_shape[2];
    unsigned char *px = rt_xmalloc((size_t)h * w * c);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const float *img = x + i * m->out_size;
        for (int y = 0; y < h; y++)
            for (int xx = 0; xx < w; xx++)
                for (int ch = 0; ch < c; ch++) {
                    float v = img[((size_t)ch * h + y) * w + xx];
                    v = isfinite(v) ? (v + 1.0f) * 127.5f : 0.0f;
                    v = v < 0 ? 0 : v > 255 ? 255 : v;
                    px[((size_t)y * w + xx) * c + ch] = (unsigned char)(v + 0.5f);
                }
        char path[4096];
        if (cl)
            rc = m->parts->classes->path(cl, path, sizeof path, dir, first + i, i, err);
        else
            snprintf(path, sizeof path, "%s%s%06zu.png", dir,
                     dir[strlen(dir) - 1] == '/' ? "" : "/", first + i);
        if (rc == 0)
            rc = rt_png_write(path, px, w, h, c, err);
    }
    free(px);
    return rc;
}

/* The parts of rt_sample_parts.h that draw the one picture of all n
 * samples (.png): a grid of images, or a scatter plot of 2D points. */
int rt_sample_grid_png(const rt_sampler_model *m, const char *out, const float *x, size_t n,
                       int strip, rt_err *err)
{
    int cols = 1;   /* ceil(sqrt(n)) without importing ceil for it */
    while (!strip && (size_t)cols * (size_t)cols < n)
        cols++;
    cols = strip ? (int)n : cols;
    return rt_image_grid_png_scaled(out, x, (int)n, m->out_shape[0], m->out_shape[1],
                                    m->out_shape[2], cols,
                                    rt_grid_scale(m->out_shape[1], m->out_shape[2]), err);
}

int rt_sample_scatter_png(const rt_sampler_model *m, const char *out, const float *x,
                          size_t n, int strip, rt_err *err)
{
    (void)m;
    (void)strip;
    return rt_scatter_png(out, NULL, 0, x, n, auto_extent(x, n), err);
}

const rt_sample_parts rt_sample_all_parts = {
    .open_labels = rt_sample_open_labels,
    .open_data = rt_sample_open_data,
    .data_rows = rt_sample_data_rows,
    .grid = rt_sample_grid_png,
    .scatter = rt_sample_scatter_png,
    .pairs = rt_sample_pairs_png,
    .classes = &rt_sample_classes_part,
};


/* Opens the output: the folder, or the file (a .npy's header first); the
 * bytes the n samples take at least must fit the file system.  A .png is
 * written whole at the end. */
static int open_output(const rt_sampler_model *m, const rt_sample_opts *o, int kind,
                       rt_wfile *w, rt_err *err)
{
    static const unsigned char least[] = { 4, 2, 0, 1 };   /* bytes a float takes in each */
    w->f = NULL;
    if (kind == OUT_PNG)
        return 0;
    if (kind == OUT_DIR ? rt_mkdir_p(o->out, err) : rt_wfile_open(w, o->out, err))
        return -1;
    if (kind == OUT_NPY) {
        size_t shape[4] = { (size_t)o->n, 0, 0, 0 };
        for (int d = 0; d < m->out_ndim; d++)
            shape[d + 1] = (size_t)m->out_shape[d];
        rt_npy_write_header(w->f, m->out_ndim + 1, shape);
    }
    struct statvfs fs;
    double need = (double)o->n * (double)m->out_size * least[kind];
    if (statvfs(kind == OUT_DIR ? o->out : w->tmp, &fs) != 0 ||
        need <= (double)fs.f_bavail * (double)fs.f_frsize)
        return 0;
    rt_wfile_abort(w);
    return rt_errf(err, "-o %s: %ld samples take at least %.0f bytes, the file system has "
                   "%.0f free", o->out, o->n, need, (double)fs.f_bavail * (double)fs.f_frsize);
}

static int write_chunk(const rt_sampler_model *m, const rt_sample_opts *o, int kind,
                       rt_wfile *w, const float *x, size_t first, size_t k,
                       rt_sample_classes *c, rt_err *err)
{
    if (kind == OUT_NPY)
        fwrite(x, sizeof(float), k * m->out_size, w->f);
    else if (kind == OUT_CSV)
        rt_csv_write_rows(w->f, x, k, m->out_size);
    else if (kind == OUT_DIR)
        return write_folder(m, o->out, x, first, k, c, err);
    return 0;
}

/* ---- the run -------------------------------------------------------------- */

/* A chunk's buffers: k samples of each input, and of the output. */
typedef struct {
    float **in;
    float *x;
} chunk_bufs;

static void bufs_open(chunk_bufs *b, const rt_sampler_model *m, size_t chunk)
{
    b->in = rt_xcalloc((size_t)m->n_inputs + 1, sizeof *b->in);
    for (int i = 0; i < m->n_inputs; i++)
        b->in[i] = rt_xmalloc(chunk * m->inputs[i].size * sizeof(float) + 1);
    b->x = rt_xmalloc(chunk * m->out_size * sizeof(float));
}

static void bufs_close(chunk_bufs *b, const rt_sampler_model *m)
{
    for (int i = 0; i < m->n_inputs; i++)
        free(b->in[i]);
    free(b->in);
    free(b->x);
}

/* The .png of all n samples, an exit status: output_kind let it through
 * only for images or 2D points, check_grid --grid only for images in and
 * out.  A translator's --grid shows each input beside its output. */
static int write_picture(const rt_sampler_model *m, const rt_sample_opts *o,
                         const chunk_bufs *b, size_t n, rt_err *err)
{
    rt_assert(m->parts != NULL);
    int d = input_of(m, RT_VAR_DATA);
    if (o->grid && d >= 0) {
        rt_assert(m->parts->pairs != NULL);
        int rc = m->parts->pairs(m, o, &m->inputs[d], b->in[d], b->x, n, err);
        return rc == -2 ? 2 : rc != 0;
    }
    rt_sample_picture_fn *draw = is_image(m) ? m->parts->grid : m->parts->scatter;
    rt_assert(draw != NULL);
    return draw(m, o->out, b->x, n, o->interpolate, err) != 0;
}

/* Samples are generated and written a chunk at a time (a whole number of
 * the batch-16 generator's calls), so any -n the disk holds takes the
 * same memory; a .png, one picture of them all, holds every sample: at
 * most PICTURE_MAX of them, so its memory is bounded too. */
static int generate_all(const rt_sampler_model *m, const rt_sample_opts *o, int kind,
                        rt_sample_inputs *s, rt_err *err)
{
    size_t n = (size_t)o->n, many = m->many_batch > 0 ? (size_t)m->many_batch : 1;
    size_t chunk = CHUNK / many * many;
    if (kind == OUT_PNG && n > PICTURE_MAX) {
        rt_errf(err, "-n %zu: expected at most %d samples in one picture (-o %s); write .npy, "
                ".csv or a folder for more", n, PICTURE_MAX, o->out);
        return 2;
    }
    if (kind == OUT_PNG)
        chunk = n;
    chunk = chunk < n ? chunk : n;
    rt_wfile w;
    if (open_output(m, o, kind, &w, err) != 0)
        return 1;
    /* a class input's part: the folder's subfolders, X_labels.npy */
    rt_sample_classes cs, *c = m->parts && m->parts->classes &&
                               (kind == OUT_DIR || kind == OUT_NPY) ? &cs : NULL;
    if (c && m->parts->classes->open(c, m, o, kind == OUT_DIR, err) != 0) {
        if (w.f)
            rt_wfile_abort(&w);
        return 1;
    }
    chunk_bufs b;
    bufs_open(&b, m, chunk);
    int status = 0;
    for (size_t first = 0; first < n && status == 0; first += chunk) {
        size_t k = n - first < chunk ? n - first : chunk;
        if (rt_sample_inputs_next(s, first, k, b.in, err) != 0) {
            status = 2;
            break;
        }
        rt_generate_sampler(m, (const float *const *)b.in, k, b.x);
        if (c)
            m->parts->classes->chunk(c, b.in, k);
        if (write_chunk(m, o, kind, &w, b.x, first, k, c, err) != 0)
            status = 1;
        if (w.f && ferror(w.f))
            break;   /* a full disk: the commit below says so */
    }
    if (w.f && status != 0)
        rt_wfile_abort(&w);
    else if (w.f && rt_wfile_commit(&w, err) != 0)
        status = 1;
    if (c)
        status = m->parts->classes->close(c, status, err);
    if (kind == OUT_PNG && status == 0)
        status = write_picture(m, o, &b, n, err);
    bufs_close(&b, m);
    return status;
}

/* Returns the exit status. */
static int sample(const rt_sampler_model *m, rt_sample_opts *o, rt_err *err)
{
    int kind = OUT_NPY;
    if (!o->out) {
        rt_errf(err, "-o: expected an output file, found none");
        return 2;
    }
    if (!o->weights && !m->embedded_weights) {
        rt_errf(err, "--weights: expected a .safetensors file (this sampler has no "
                "embedded weights), found none");
        return 2;
    }
    rt_st st;
    rt_sample_inputs s;
    const rt_sample_classes_fns *classes = m->parts ? m->parts->classes : NULL;
    if (output_kind(m, o->out, &kind, err) != 0 || check_grid(m, o, kind, err) != 0 ||
        (classes && classes->count_all(m, o, kind == OUT_DIR, err) != 0) ||
        load_weights(m, o->weights, o->raw, &st, err) != 0)
        return 2;
    int status = 2;
    if (rt_sample_inputs_open(&s, m, o, err) == 0)
        status = generate_all(m, o, kind, &s, err);
    rt_sample_inputs_close(&s);
    rt_st_close(&st);
    if (status == 0)
        fprintf(stderr, "wrote %ld samples to %s\n", o->n, o->out);
    return status;
}

int rt_sample_main(const rt_sampler_model *m, int argc, char **argv)
{
    const char *prog = argc > 0 ? argv[0] : "sample";
    rt_err err = { "" };
    rt_sample_opts o;
    if (parse_args(argc, argv, &o, &err) != 0) {
        fprintf(stderr, "%s: %s\nTry '%s --help'.\n", prog, err.msg, prog);
        return 2;
    }
    if (o.help) {
        usage(stdout, m, prog);
        return 0;
    }
    int status = sample(m, &o, &err);
    if (status != 0)
        fprintf(stderr, "%s: %s\n", prog, err.msg);
    return status;
}

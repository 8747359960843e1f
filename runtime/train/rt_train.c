/* rt_train.c - rt_train_main: one training run (flags are in rt_train_opts.c).
 *
 * A run parses its flags, initialises every tensor from the seed, opens the
 * data, creates the run directory, then for each step does d_steps times
 * (real batch, z, G forward, D step, D update) followed by (G step on the
 * last z, G update).
 * Periodic work: a log.csv row and a progress line every log_every steps;
 * pictures every sample_every steps (2D mixtures: 2500 points from fixed
 * latents, scored by the PacGAN protocol and plotted over real points;
 * images: an 8x8 grid from 64 fixed latents); a checkpoint (rt_checkpoint.h)
 * and weights.safetensors every checkpoint_every steps.  All three also
 * happen at the last step.
 * Randomness: stream 0 of the seed feeds initialisation, data and latents;
 * stream 1 the fixed evaluation latents and the plotted real points, so the
 * pictures of one run are comparable step to step.  A checkpoint keeps the
 * stream 0 state and the data position, so a resumed run continues with
 * bit-identical numbers (same thread count).
 * Losing nothing: SIGINT/SIGTERM end the run after the current step with a
 * checkpoint; a NaN or Inf in a loss, gradient or weight ends it before
 * anything is saved, naming the tensor, so the last checkpoint stays good.
 * One run per folder, one trainer per run (rt_run_dir.h): the folder is
 * claimed (locked, and refused when a fresh run would mix with a run
 * already there) before any work; log.csv is on disk, header first, before
 * the first step.
 * Leaves out: learning rate schedules, several runs sharing one folder.
 */
#include "train/rt_train.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"
#include "core/rt_file.h"
#include "data/rt_data.h"
#include "data/rt_mixture.h"
#include "model/rt_generate.h"
#include "model/rt_latent.h"
#include "model/rt_model.h"
#include "model/rt_weights.h"
#include "train/rt_checkpoint.h"
#include "train/rt_optim.h"
#include "train/rt_progress.h"
#include "train/rt_run_dir.h"
#include "train/rt_run_record.h"
#include "train/rt_train_opts.h"
#include "viz/rt_plot.h"

#define EVAL_POINTS 2500   /* PacGAN judges 2,500 samples */
#define GRID_IMAGES 64
#define GRID_COLS 8
#define WEIGHTS_FORMAT "ganc-weights-1"

typedef struct {
    const rt_model *m;
    rt_train_opts o;
    rt_rng rng;             /* init, data, latents */
    rt_rng eval_rng;        /* fixed evaluation latents, plotted real points */
    rt_store store;
    rt_optim opt[2];
    int have_opt;
    rt_data *data;
    FILE *log;
    float *real, *z;        /* one batch each */
    size_t n_fixed;         /* samples per picture; 0: this model draws none */
    float *fixed_z, *fixed_out, *ref_pts;
    rt_progress progress;
    double t0;
    double d_sum, g_sum;    /* loss sums since the last log row */
    long n_sum;
    double last_d, last_g;
    rt_mixture_score score;
    int have_score;
    long start_step;        /* 0, or the step of the checkpoint resumed from */
    char *last_ckpt;        /* newest checkpoint written or resumed from */
    rt_run_dir dir;         /* the run folder, locked */
    int started;            /* the run's files were written (or continued) */
} run;

/* The signal that asked the run to stop (SIGINT, SIGTERM), 0 while none. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
    stop_signal = sig;
}

/* One-shot handlers: a second Ctrl-C kills at once, which is safe since
 * every file is written atomically. */
static void catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static char *run_file(const run *r, const char *name)
{
    size_t n = strlen(r->o.out) + strlen(name) + 2;
    char *p = rt_xmalloc(n);
    snprintf(p, n, "%s/%s", r->o.out, name);
    return p;
}

static int is_mixture(const run *r)
{
    return rt_mixture_is_kind(r->m->data_kind);
}

/* ---- opening and closing ---------------------------------------------- */

static void setup_store(run *r)
{
    const rt_model *m = r->m;
    for (int net = 0; net < 2; net++) {
        r->store.params[net] = m->params[net];
        r->store.param_count[net] = m->param_count[net];
        r->store.state[net] = m->state[net];
        r->store.state_count[net] = m->state_count[net];
    }
}

/* Fixed latents (and real reference points) for the pictures. */
static void setup_pictures(run *r)
{
    const rt_model *m = r->m;
    if (is_mixture(r) && m->sample_size == 2) {
        r->n_fixed = EVAL_POINTS;
        r->ref_pts = rt_xmalloc(2 * EVAL_POINTS * sizeof(float));
        rt_mixture_sample(m->data_kind, &r->eval_rng, r->ref_pts, EVAL_POINTS);
    } else if (m->sample_ndim == 3 && (m->sample_shape[0] == 1 || m->sample_shape[0] == 3)) {
        r->n_fixed = GRID_IMAGES;
    }
    if (!r->n_fixed)
        return;
    r->fixed_z = rt_xmalloc(r->n_fixed * (size_t)m->latent_size * sizeof(float));
    rt_latent_fill(m->latent_dist, &r->eval_rng, r->fixed_z,
                   r->n_fixed * (size_t)m->latent_size);
    r->fixed_out = rt_xmalloc(r->n_fixed * m->sample_size * sizeof(float));
}

/* log.csv's first line */
static const char *log_header(const run *r)
{
    return is_mixture(r) ? "step,d_loss,g_loss,seconds,modes,hq_fraction,reverse_kl"
                         : "step,d_loss,g_loss,seconds";
}

/* Writes log.csv whole and durably (rt_wfile: synced, then renamed), so it
 * has its header on disk before the first step, whatever kills the
 * trainer later: the header, then (resuming) the rows of the old log up to
 * the checkpoint's step, dropping the ones after it (the steps about to be
 * redone).  A resumed run whose log.csv is gone gets a new one, its rows
 * starting at the checkpoint. */
static int write_log_start(const run *r, const char *path, rt_err *err)
{
    unsigned char *text = NULL;
    size_t len = 0;
    struct stat st;
    if (r->o.resume && stat(path, &st) == 0 && rt_read_file(path, &text, &len, err) != 0)
        return -1;
    rt_wfile w;
    int rc = rt_wfile_open(&w, path, err);
    if (rc == 0)
        fprintf(w.f, "%s\n", log_header(r));
    for (char *line = (char *)text; rc == 0 && line && *line;) {
        char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) + 1 : strlen(line);
        if (*line >= '0' && *line <= '9' && strtol(line, NULL, 10) <= r->start_step)
            fprintf(w.f, "%.*s%s", (int)n, line, end ? "" : "\n");
        line += n;
    }
    if (rc == 0)
        rc = rt_wfile_commit(&w, err);
    free(text);
    return rc;
}

static int open_log(run *r, rt_err *err)
{
    char *path = run_file(r, "log.csv");
    int rc = write_log_start(r, path, err);
    if (rc == 0) {
        r->log = fopen(path, "a");
        if (!r->log)
            rc = rt_errf(err, "%s: cannot open: %s", path, strerror(errno));
    }
    free(path);
    return rc;
}

/* Returns an exit status: 0, 2 for bad input data, 1 for output failures. */
static int run_open(run *r, const rt_model *m, rt_err *err)
{
    rt_assert(m->batch > 0 && m->latent_size > 0 && m->d_steps > 0 && m->sample_size > 0);
    r->m = m;
    rt_rng_seed(&r->rng, r->o.seed);
    rt_rng_seed_stream(&r->eval_rng, r->o.seed, 1);
    setup_store(r);
    rt_tensors_init(&r->store, m->tensors, m->n_tensors, &r->rng);
    r->data = rt_data_open(m->data_kind, r->o.data, m->sample_size, m->sample_ndim,
                           m->sample_shape, &r->rng, err);
    if (!r->data)
        return 2;
    for (int net = 0; net < 2; net++)
        rt_optim_init(&r->opt[net], &m->optim[net], m->param_count[net]);
    r->have_opt = 1;
    r->real = rt_xmalloc((size_t)m->batch * m->sample_size * sizeof(float));
    r->z = rt_xmalloc((size_t)m->batch * (size_t)m->latent_size * sizeof(float));
    setup_pictures(r);
    return 0;
}

/* The run directory (claimed already): the old run's files gone with
 * --overwrite, its log opened, the run recorded.  Only after the data and
 * a resumed checkpoint were checked, so a refused run changes nothing. */
static int open_outputs(run *r, const char *prog, rt_err *err)
{
    r->started = 1;
    if ((r->o.overwrite && rt_run_dir_clear(&r->dir, err) != 0) || open_log(r, err) != 0 ||
        rt_train_record_run(r->m, &r->o, prog, err) != 0)
        return 1;
    return 0;
}

static void run_close(run *r)
{
    if (r->have_opt)
        for (int net = 0; net < 2; net++)
            rt_optim_free(&r->opt[net]);
    rt_data_close(r->data);
    if (r->log)
        fclose(r->log);
    rt_run_dir_release(&r->dir, !r->started);
    free(r->real);
    free(r->z);
    free(r->fixed_z);
    free(r->fixed_out);
    free(r->ref_pts);
    free(r->last_ckpt);
}

/* ---- periodic work ------------------------------------------------------ */

static int due(long step, long every)
{
    return every > 0 && step % every == 0;
}

static int write_pictures(run *r, long step, rt_err *err)
{
    const rt_model *m = r->m;
    if (!r->n_fixed)
        return 0;
    rt_generate_n(m->generate, m->batch, (size_t)m->latent_size, m->sample_size,
                  r->fixed_z, r->n_fixed, r->fixed_out);
    char name[64];
    snprintf(name, sizeof name, "samples_%06ld.png", step);
    char *path = run_file(r, name);
    int rc;
    if (is_mixture(r)) {
        r->score = rt_mixture_evaluate(m->data_kind, r->fixed_out, r->n_fixed);
        r->have_score = 1;
        rc = rt_scatter_png(path, r->ref_pts, EVAL_POINTS, r->fixed_out, r->n_fixed,
                            rt_mixture_extent(m->data_kind), err);
        if (rc == 0)
            rt_progress_note(&r->progress, "step %ld: modes %d/%d  HQ %.1f%%  reverse KL "
                             "%.3f  -> %s", step, r->score.modes_captured,
                             r->score.n_modes, 100 * r->score.hq_fraction,
                             r->score.reverse_kl, path);
    } else {
        rc = rt_image_grid_png_scaled(path, r->fixed_out, (int)r->n_fixed, m->sample_shape[0],
                                      m->sample_shape[1], m->sample_shape[2], GRID_COLS,
                                      rt_grid_scale(m->sample_shape[1], m->sample_shape[2]), err);
        if (rc == 0)
            rt_progress_note(&r->progress, "step %ld: -> %s", step, path);
    }
    free(path);
    return rc;
}

static int write_weights(run *r, long step, rt_err *err);

static rt_ckpt ckpt_view(run *r)
{
    return (rt_ckpt){ r->m, &r->store, r->opt, &r->rng, r->data };
}

/* A checkpoint for --resume, and weights.safetensors for the sampler. */
static int write_checkpoint(run *r, long step, rt_err *err)
{
    rt_train_settings settings;
    rt_train_settings_of(&r->o, &settings);
    rt_ckpt c = ckpt_view(r);
    char *path = NULL;
    if (rt_checkpoint_save(r->o.out, step, (int)r->o.keep_checkpoints, &c, settings.kv,
                           RT_TRAIN_N_SETTINGS, &path, err) != 0)
        return -1;
    free(r->last_ckpt);
    r->last_ckpt = path;
    return write_weights(r, step, err);
}

static int write_weights(run *r, long step, rt_err *err)
{
    const rt_model *m = r->m;
    char hash[17], steps[24];
    snprintf(hash, sizeof hash, "%016" PRIx64, m->arch_hash);
    snprintf(steps, sizeof steps, "%ld", step);
    rt_st_kv meta[] = {
        { "format", WEIGHTS_FORMAT },
        { "model", m->model_name },
        { "ganc_version", m->ganc_version ? m->ganc_version : "" },
        { "arch_hash", hash },
        { "step", steps },
    };
    char *path = run_file(r, "weights.safetensors");
    int rc = rt_weights_save(path, &r->store, m->tensors, m->n_tensors, meta,
                             sizeof meta / sizeof meta[0], err);
    free(path);
    return rc;
}

/* One log.csv row: mean losses since the previous row; scores if sampled. */
static int log_row(run *r, long step, int sampled, rt_err *err)
{
    double d = r->n_sum ? r->d_sum / (double)r->n_sum : r->last_d;
    double g = r->n_sum ? r->g_sum / (double)r->n_sum : r->last_g;
    fprintf(r->log, "%ld,%.6g,%.6g,%.3f", step, d, g, rt_now() - r->t0);
    if (is_mixture(r) && sampled && r->have_score)
        fprintf(r->log, ",%d,%.4f,%.6g\n", r->score.modes_captured, r->score.hq_fraction,
                r->score.reverse_kl);
    else
        fprintf(r->log, is_mixture(r) ? ",,,\n" : "\n");
    r->d_sum = r->g_sum = 0;
    r->n_sum = 0;
    if (fflush(r->log) != 0 || ferror(r->log))
        return rt_errf(err, "%s/log.csv: write failed: %s", r->o.out, strerror(errno));
    return 0;
}

/* ---- the loop ------------------------------------------------------------- */

/* A fresh seed for the dropout masks of each step function call, derived
 * from the run's seed and the position, so a run is reproducible. */
static void set_noise(run *r, long step, int call)
{
    if (!r->m->noise_seed)
        return;
    uint64_t h = r->o.seed * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)step << 8 | (uint64_t)call);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    *r->m->noise_seed = h;
}

/* 1 when no value is NaN or Inf: an exponent of all ones marks both.
 * Integer bits, so the loop vectorizes without reassociating floats. */
static int all_finite(const float *x, size_t n)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, &x[i], sizeof b);
        bad |= (b & 0x7f800000u) == 0x7f800000u;
    }
    return !bad;
}

/* Where a training run stands when it diverges, for the message. */
static int diverged(run *r, long step, const char *what, rt_err *err)
{
    if (r->last_ckpt)
        return rt_errf(err, "step %ld: %s; training diverged. Nothing was saved after it: the "
                       "last good checkpoint is %s (continue with --resume %s, e.g. after "
                       "lowering the learning rates); losses so far are in %s/log.csv", step,
                       what, r->last_ckpt, r->o.out, r->o.out);
    return rt_errf(err, "step %ld: %s; training diverged before the first checkpoint (try "
                   "lower learning rates); losses so far are in %s/log.csv", step, what,
                   r->o.out);
}

/* Checks a net's gradients (grads = 1) or parameters after an update for
 * NaN or Inf; the error names the tensor and the first bad element. */
static int check_finite(run *r, long step, int net, int grads, rt_err *err)
{
    const rt_model *m = r->m;
    const float *base = grads ? m->grads[net] : m->params[net];
    if (all_finite(base, m->param_count[net]))
        return 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->net != net || t->role != RT_ROLE_PARAM)
            continue;
        const float *x = base + t->offset;
        size_t n = rt_tensor_numel(t);
        for (size_t k = 0; k < n; k++)
            if (!isfinite(x[k])) {
                char what[320];
                snprintf(what, sizeof what, "%s %s %s has %s at element %zu",
                         grads ? "the gradient of" : "after the update,",
                         net == RT_NET_G ? "generator tensor" : "discriminator tensor",
                         t->name, isnan(x[k]) ? "NaN" : "Inf", k);
                return diverged(r, step, what, err);
            }
    }
    return diverged(r, step, "a non-finite value outside every named tensor", err);
}

static int check_loss(run *r, long step, const char *net, float loss, rt_err *err)
{
    if (isfinite(loss))
        return 0;
    char what[96];
    snprintf(what, sizeof what, "the %s loss is %g", net, loss);
    return diverged(r, step, what, err);
}

static int train_step(run *r, long step, rt_err *err)
{
    const rt_model *m = r->m;
    size_t nz = (size_t)m->batch * (size_t)m->latent_size;
    double d = 0;
    for (int k = 0; k < m->d_steps; k++) {
        rt_data_next_batch(r->data, r->real, m->batch);
        rt_latent_fill(m->latent_dist, &r->rng, r->z, nz);
        set_noise(r, step, k);
        m->g_forward(r->z);
        float dl = m->d_step(r->real);
        if (check_loss(r, step, "discriminator", dl, err) ||
            check_finite(r, step, RT_NET_D, 1, err))
            return -1;
        rt_optim_step(&r->opt[RT_NET_D], m->params[RT_NET_D], m->grads[RT_NET_D]);
        if (check_finite(r, step, RT_NET_D, 0, err))
            return -1;
        d += dl;
    }
    /* the generator learns from the last fake batch, as in PyTorch's loop:
     * g_step reuses g_forward's work on the same z */
    set_noise(r, step, m->d_steps);
    float gl = m->g_step(r->z);
    if (check_loss(r, step, "generator", gl, err) || check_finite(r, step, RT_NET_G, 1, err))
        return -1;
    rt_optim_step(&r->opt[RT_NET_G], m->params[RT_NET_G], m->grads[RT_NET_G]);
    if (check_finite(r, step, RT_NET_G, 0, err))
        return -1;
    r->last_d = d / m->d_steps;
    r->last_g = gl;
    r->d_sum += r->last_d;
    r->g_sum += r->last_g;
    r->n_sum++;
    return 0;
}

/* The periodic work after a step (or at step 0 for a run of 0 steps);
 * `stopping` forces a log row and a checkpoint. */
static int after_step(run *r, long step, int stopping, rt_err *err)
{
    int last = step == r->o.steps;
    int sample = due(step, r->o.sample_every) || last;
    if (sample && write_pictures(r, step, err) != 0)
        return -1;
    if (step > r->start_step && (due(step, r->o.log_every) || sample || last || stopping) &&
        log_row(r, step, sample, err) != 0)
        return -1;
    if ((due(step, r->o.checkpoint_every) || last || stopping) &&
        write_checkpoint(r, step, err) != 0)
        return -1;
    return 0;
}

/* Returns an exit status: 0 done, 1 failed, 128 + signal when stopped. */
static int run_loop(run *r, long *ended, rt_err *err)
{
    r->t0 = rt_now();
    rt_progress_init(&r->progress, stderr, -1, r->start_step, r->o.steps, r->o.log_every);
    long step = r->start_step;
    int rc = r->o.steps == step ? after_step(r, step, 0, err) : 0;
    while (rc == 0 && step < r->o.steps && !stop_signal) {
        step++;
        rc = train_step(r, step, err);
        if (rc == 0) {
            rt_progress_update(&r->progress, step, r->last_d, r->last_g);
            rc = after_step(r, step, stop_signal != 0, err);
        }
    }
    rt_progress_finish(&r->progress);
    *ended = step;
    if (rc != 0)
        return 1;
    return stop_signal && step < r->o.steps ? 128 + stop_signal : 0;
}

static void print_summary(const run *r, long ended)
{
    double secs = rt_now() - r->t0;
    long steps = ended - r->start_step;
    printf("%s: %ld steps in %.2f s (%.0f it/s), D %.4f G %.4f", r->m->model_name, steps, secs,
           secs > 0 ? (double)steps / secs : 0.0, r->last_d, r->last_g);
    if (r->have_score)
        printf(", modes %d/%d, HQ %.1f%%, reverse KL %.3f", r->score.modes_captured,
               r->score.n_modes, 100 * r->score.hq_fraction, r->score.reverse_kl);
    printf("; weights in %s/weights.safetensors\n", r->o.out);
}

/* --resume: the newest checkpoint, opened and checked, and the run's
 * settings under this command line's flags.  Returns an exit status. */
static int open_resume(run *r, const rt_model *m, rt_st *st, int argc, char **argv,
                       rt_err *err)
{
    char *path = NULL;
    if (rt_checkpoint_newest(r->o.resume, &path, err) != 0)
        return 2;
    r->last_ckpt = path;
    if (rt_checkpoint_open(path, m, st, &r->start_step, err) != 0)
        return 2;
    if (rt_train_resume_args(m, st, argc, argv, &r->o, err) != 0) {
        rt_st_close(st);
        return 2;
    }
    return 0;
}

/* OPENBLAS_CORETYPE names the kernel set OpenBLAS must use; naming an
 * older CPU's (Haswell: AVX2) on an AVX-512 machine halves the speed of
 * every large product, so say so once, with the fix. */
static void warn_blas_coretype(void)
{
    static const char *const avx512_sets[] = { "SkylakeX", "Cooperlake", "SapphireRapids" };
    const char *set = getenv("OPENBLAS_CORETYPE");
    if (!set || !*set || !__builtin_cpu_supports("avx512f"))
        return;
    for (size_t i = 0; i < sizeof avx512_sets / sizeof avx512_sets[0]; i++)
        if (strcasecmp(set, avx512_sets[i]) == 0)
            return;
    fprintf(stderr, "warning: OPENBLAS_CORETYPE=%s makes OpenBLAS use that CPU's kernels on "
            "this AVX-512 machine, about half as fast; run without it "
            "(env -u OPENBLAS_CORETYPE ...) for full speed\n", set);
}

static int train(run *r, const rt_model *m, int argc, char **argv, rt_err *err)
{
    const char *prog = argc > 0 ? argv[0] : "train";
    rt_st st;
    int resumed = r->o.resume != NULL;
    int status = rt_run_dir_claim(&r->dir, r->o.out, !resumed, r->o.overwrite, err);
    if (status != 0)
        return status;
    if (resumed && (status = open_resume(r, m, &st, argc, argv, err)) != 0)
        return status;
    if (resumed && r->start_step >= r->o.steps) {
        rt_st_close(&st);
        printf("%s: already at step %ld of %ld, nothing to do (pass --steps N to train "
               "longer)\n", r->o.out, r->start_step, r->o.steps);
        return 0;
    }
    if (m->set_threads)
        m->set_threads((int)r->o.threads);
    warn_blas_coretype();
    rt_mem_set_max(r->o.max_memory);
    status = run_open(r, m, err);
    if (resumed) {
        rt_ckpt c = ckpt_view(r);
        if (status == 0 && rt_checkpoint_restore(&st, &c, err) != 0)
            status = 2;
        rt_st_close(&st);
    }
    if (status == 0)
        status = open_outputs(r, prog, err);
    if (status != 0)
        return status;
    if (resumed)
        fprintf(stderr, "resuming %s at step %ld of %ld from %s (%s, %ld thread%s)\n",
                m->model_name, r->start_step, r->o.steps, r->last_ckpt,
                rt_data_describe(r->data), r->o.threads, r->o.threads == 1 ? "" : "s");
    else
        fprintf(stderr, "training %s on %s: %ld steps, batch %d, seed %" PRIu64
                ", %ld thread%s, run %s\n", m->model_name, rt_data_describe(r->data),
                r->o.steps, m->batch, r->o.seed, r->o.threads, r->o.threads == 1 ? "" : "s",
                r->o.out);
    catch_stop_signals();
    long ended = r->start_step;
    status = run_loop(r, &ended, err);
    if (status == 0)
        print_summary(r, ended);
    else if (status > 128 && ended == r->start_step)
        fprintf(stderr, "%s: stopped by a signal before the first step; nothing to save\n",
                prog);
    else if (status > 128)
        fprintf(stderr, "%s: stopped by %s after step %ld of %ld; checkpoint %s written. "
                "Continue with: %s --resume %s\n", prog,
                status == 128 + SIGINT ? "SIGINT" : "SIGTERM", ended, r->o.steps,
                r->last_ckpt ? r->last_ckpt : "(none)", prog, r->o.out);
    return status;
}

int rt_train_main(const rt_model *m, int argc, char **argv)
{
    const char *prog = argc > 0 ? argv[0] : "train";
    rt_err err = { "" };
    run r;
    memset(&r, 0, sizeof r);
    r.dir.fd = -1;
    if (rt_train_parse_args(m, argc, argv, &r.o, &err) != 0) {
        fprintf(stderr, "%s: %s\nTry '%s --help'.\n", prog, err.msg, prog);
        return 2;
    }
    if (r.o.help) {
        rt_train_usage(stdout, m, prog);
        return 0;
    }
    int status = train(&r, m, argc, argv, &err);
    if (status != 0 && status < 128)
        fprintf(stderr, "%s: %s\n", prog, err.msg);
    run_close(&r);
    return status;
}

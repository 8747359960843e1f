/* rt_train.c - rt_train_main: one training run (flags are in rt_train_opts.c).
 *
 * A run parses its flags, initialises every tensor from the seed, opens the
 * data, creates the run directory, then for each step does d_steps times
 * (real batch, z, D step, D update) followed by (z, G step, G update).
 * Periodic work: a log.csv row and a progress line every log_every steps;
 * pictures every sample_every steps (2D mixtures: 2500 points from fixed
 * latents, scored by the PacGAN protocol and plotted over real points;
 * images: an 8x8 grid from 64 fixed latents); weights.safetensors every
 * checkpoint_every steps.  All three also happen at the last step.
 * Randomness: stream 0 of the seed feeds initialisation, data and latents;
 * stream 1 the fixed evaluation latents and the plotted real points, so the
 * pictures of one run are comparable step to step.
 * Leaves out: resuming from a checkpoint, saving optimizer state, learning
 * rate schedules, threads.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rt_alloc.h"
#include "rt_data.h"
#include "rt_file.h"
#include "rt_generate.h"
#include "rt_latent.h"
#include "rt_mixture.h"
#include "rt_model.h"
#include "rt_optim.h"
#include "rt_png.h"
#include "rt_progress.h"
#include "rt_train_opts.h"
#include "rt_weights.h"

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
} run;

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

static int open_log(run *r, rt_err *err)
{
    char *path = run_file(r, "log.csv");
    int rc = 0;
    r->log = fopen(path, "w");
    if (!r->log)
        rc = rt_errf(err, "%s: cannot create: %s", path, strerror(errno));
    else
        fprintf(r->log, "step,d_loss,g_loss,seconds%s\n",
                is_mixture(r) ? ",modes,hq_fraction,reverse_kl" : "");
    free(path);
    return rc;
}

/* Returns an exit status: 0, 2 for bad input data, 1 for output failures. */
static int run_open(run *r, const rt_model *m, rt_err *err)
{
    assert(m->batch > 0 && m->latent_size > 0 && m->d_steps > 0 && m->sample_size > 0);
    r->m = m;
    rt_rng_seed(&r->rng, r->o.seed);
    rt_rng_seed_stream(&r->eval_rng, r->o.seed, 1);
    setup_store(r);
    rt_tensors_init(&r->store, m->tensors, m->n_tensors, &r->rng);
    r->data = rt_data_open(m->data_kind, r->o.data, m->sample_size, m->sample_ndim,
                           m->sample_shape, &r->rng, err);
    if (!r->data)
        return 2;
    if (rt_mkdir_p(r->o.out, err) != 0 || open_log(r, err) != 0)
        return 1;
    for (int net = 0; net < 2; net++)
        rt_optim_init(&r->opt[net], &m->optim[net], m->param_count[net]);
    r->have_opt = 1;
    r->real = rt_xmalloc((size_t)m->batch * m->sample_size * sizeof(float));
    r->z = rt_xmalloc((size_t)m->batch * (size_t)m->latent_size * sizeof(float));
    setup_pictures(r);
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
    free(r->real);
    free(r->z);
    free(r->fixed_z);
    free(r->fixed_out);
    free(r->ref_pts);
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

static int train_step(run *r, long step, rt_err *err)
{
    const rt_model *m = r->m;
    size_t nz = (size_t)m->batch * (size_t)m->latent_size;
    double d = 0;
    for (int k = 0; k < m->d_steps; k++) {
        rt_data_next_batch(r->data, r->real, m->batch);
        rt_latent_fill(m->latent_dist, &r->rng, r->z, nz);
        set_noise(r, step, k);
        float dl = m->d_step(r->real, r->z);
        if (!isfinite(dl))
            return rt_errf(err, "step %ld: discriminator loss is %g; training diverged "
                           "(the losses so far are in %s/log.csv)", step, dl, r->o.out);
        rt_optim_step(&r->opt[RT_NET_D], m->params[RT_NET_D], m->grads[RT_NET_D]);
        d += dl;
    }
    rt_latent_fill(m->latent_dist, &r->rng, r->z, nz);
    set_noise(r, step, m->d_steps);
    float gl = m->g_step(r->z);
    if (!isfinite(gl))
        return rt_errf(err, "step %ld: generator loss is %g; training diverged "
                       "(the losses so far are in %s/log.csv)", step, gl, r->o.out);
    rt_optim_step(&r->opt[RT_NET_G], m->params[RT_NET_G], m->grads[RT_NET_G]);
    r->last_d = d / m->d_steps;
    r->last_g = gl;
    r->d_sum += r->last_d;
    r->g_sum += r->last_g;
    r->n_sum++;
    return 0;
}

/* The periodic work after a step (or at step 0 for a run of 0 steps). */
static int after_step(run *r, long step, rt_err *err)
{
    int last = step == r->o.steps;
    int sample = due(step, r->o.sample_every) || last;
    if (sample && write_pictures(r, step, err) != 0)
        return -1;
    if (step > 0 && (due(step, r->o.log_every) || sample || last) &&
        log_row(r, step, sample, err) != 0)
        return -1;
    if ((due(step, r->o.checkpoint_every) || last) && write_weights(r, step, err) != 0)
        return -1;
    return 0;
}

static int run_loop(run *r, rt_err *err)
{
    r->t0 = rt_now();
    rt_progress_init(&r->progress, stderr, -1, 0, r->o.steps, r->o.log_every);
    int rc = r->o.steps == 0 ? after_step(r, 0, err) : 0;
    for (long step = 1; step <= r->o.steps && rc == 0; step++) {
        rc = train_step(r, step, err);
        if (rc == 0) {
            rt_progress_update(&r->progress, step, r->last_d, r->last_g);
            rc = after_step(r, step, err);
        }
    }
    rt_progress_finish(&r->progress);
    return rc == 0 ? 0 : 1;
}

static void print_summary(const run *r)
{
    double secs = rt_now() - r->t0;
    printf("%s: %ld steps in %.2f s (%.0f it/s), D %.4f G %.4f", r->m->model_name,
           r->o.steps, secs, secs > 0 ? (double)r->o.steps / secs : 0.0, r->last_d,
           r->last_g);
    if (r->have_score)
        printf(", modes %d/%d, HQ %.1f%%, reverse KL %.3f", r->score.modes_captured,
               r->score.n_modes, 100 * r->score.hq_fraction, r->score.reverse_kl);
    printf("; weights in %s/weights.safetensors\n", r->o.out);
}

int rt_train_main(const rt_model *m, int argc, char **argv)
{
    const char *prog = argc > 0 ? argv[0] : "train";
    rt_err err = { "" };
    run r;
    memset(&r, 0, sizeof r);
    if (rt_train_parse_args(m, argc, argv, &r.o, &err) != 0) {
        fprintf(stderr, "%s: %s\nTry '%s --help'.\n", prog, err.msg, prog);
        return 2;
    }
    if (r.o.help) {
        rt_train_usage(stdout, m, prog);
        return 0;
    }
    if (m->set_threads)
        m->set_threads((int)r.o.threads);
    int status = run_open(&r, m, &err);
    if (status == 0) {
        fprintf(stderr, "training %s on %s: %ld steps, batch %d, seed %" PRIu64
                ", %ld thread%s, run %s\n", m->model_name, rt_data_describe(r.data), r.o.steps,
                m->batch, r.o.seed, r.o.threads, r.o.threads == 1 ? "" : "s", r.o.out);
        status = run_loop(&r, &err);
    }
    if (status == 0)
        print_summary(&r);
    else
        fprintf(stderr, "%s: %s\n", prog, err.msg);
    run_close(&r);
    return status;
}

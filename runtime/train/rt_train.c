/* rt_train.c - rt_train_main: one training run (flags are in rt_train_opts.c).
 *
 * A run parses its flags, checks the model's tables (rt_model_check.h) and
 * what its variables need (rt_draw.h), initialises every tensor from the
 * seed, opens the data, creates the run directory, then runs iterations:
 * each runs the model's updates in order (rt_iteration.c).
 * Periodic work: a log.csv row (rt_train_log.h), RUN/curves.png drawn
 * from it (rt_train_curves.h) and a progress line every log_every steps;
 * pictures every sample_every steps (rt_pictures.h); a checkpoint
 * (rt_checkpoint.h) and weights.safetensors every checkpoint_every steps.
 * All of them also happen at the last step.
 * Randomness: stream 0 of the seed feeds initialisation, data, latents and
 * classes; stream 1 the pictures' fixed inputs and plotted real points, so
 * the pictures of one run are comparable step to step.  A checkpoint keeps
 * the stream 0 state and the data position, so a resumed run continues
 * with bit-identical numbers (same thread count).
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
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"
#include "core/rt_file.h"
#include "data/rt_mixture.h"
#include "data/rt_sources.h"
#include "train/rt_checkpoint.h"
#include "train/rt_draw.h"
#include "train/rt_dump_data.h"
#include "train/rt_ema.h"
#include "train/rt_frozen.h"
#include "train/rt_model_check.h"
#include "train/rt_report.h"
#include "train/rt_run.h"
#include "train/rt_run_record.h"

#define WEIGHTS_FORMAT "ganc-weights-1"

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

static char *run_file(const rt_run *r, const char *name)
{
    size_t n = strlen(r->o.out) + strlen(name) + 2;
    char *p = rt_xmalloc(n);
    snprintf(p, n, "%s/%s", r->o.out, name);
    return p;
}

static int is_mixture(const rt_run *r)
{
    return rt_mixture_is_kind(r->m->sources[0].kind);
}

/* ---- opening and closing ---------------------------------------------- */

/* Writes log.csv whole and durably (rt_wfile: synced, then renamed), so it
 * has its header on disk before the first step, whatever kills the
 * trainer later: the header, then (resuming) the rows of the old log up to
 * the checkpoint's step, dropping the ones after it (the steps about to be
 * redone).  A resumed run whose log.csv is gone gets a new one, its rows
 * starting at the checkpoint. */
static int write_log_start(const rt_run *r, const char *path, rt_err *err)
{
    unsigned char *text = NULL;
    size_t len = 0;
    struct stat st;
    if (r->o.resume && stat(path, &st) == 0 && rt_read_file(path, &text, &len, err) != 0)
        return -1;
    rt_wfile w;
    int rc = rt_wfile_open(&w, path, err);
    if (rc == 0)
        rt_log_header(w.f, &r->losses, is_mixture(r), &r->eval);
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

static int open_log(rt_run *r, rt_err *err)
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

/* An optimizer for each network an update trains, with that update's spec. */
static void open_optimizers(rt_run *r)
{
    const rt_model *m = r->m;
    r->opt = rt_xcalloc((size_t)m->n_nets, sizeof *r->opt);
    for (int k = 0; k < m->n_nets; k++) {
        int u = rt_model_trainer_of(m, k);
        if (u >= 0)
            rt_optim_init(&r->opt[k], &m->updates[u].optim, m->nets[k].param_count);
    }
}

/* Every source of the model, with the paths of the flags (rt_sources.h:
 * classes kept, transforms); paired sources must hold as many rows each.
 * 0, or -1 with err. */
static int open_data(rt_run *r, rt_err *err)
{
    const rt_model *m = r->m;
    if (rt_sources_open(m->sources, m->n_sources, r->o.data, r->o.labels, &r->rng, r->data,
                        err) != 0)
        return -1;
    for (int s = 1; s < m->n_sources; s++) {
        const rt_data_source *src = &m->sources[s];
        size_t rows = rt_data_rows(r->data[s]), rows0 = rt_data_rows(r->data[0]);
        if (m->paired && rows != rows0)
            return rt_errf(err, "paired data: source '%s' is %s and source '%s' is %s: "
                           "paired sources need as many rows each (row i of one goes with "
                           "row i of the other)", m->sources[0].name,
                           rt_data_describe(r->data[0]), src->name,
                           rt_data_describe(r->data[s]));
    }
    return 0;
}

/* "a.gz (60000 images)", or for several sources "edges: a.gz (...) paired
 * with photos: ..." */
static const char *describe_data(const rt_run *r, char *buf, size_t cap)
{
    if (r->m->n_sources == 1)
        return rt_data_describe(r->data[0]);
    size_t n = 0;
    buf[0] = 0;
    for (int s = 0; s < r->m->n_sources && n < cap; s++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s: %s", s ? (r->m->paired ? " paired with "
                              : " and ") : "", r->m->sources[s].name,
                              rt_data_describe(r->data[s]));
    return buf;
}

/* Returns an exit status: 0, 2 for bad input data, 1 for output failures. */
static int run_open(rt_run *r, const rt_model *m, rt_err *err)
{
    r->m = m;
    rt_rng_seed(&r->rng, r->o.seed);
    rt_rng_seed_stream(&r->eval_rng, r->o.seed, 1);
    r->store = (rt_store){ m->nets, m->n_nets };
    rt_tensors_init(&r->store, m->tensors, m->n_tensors, &r->rng);
    if (rt_frozen_load(m, err) != 0)   /* over their initial values, drawn all the same */
        return 2;
    for (int k = 0; k < m->n_nets; k++)
        rt_ema_start(&m->nets[k]);
    rt_losses_init(&r->losses, m);
    if (open_data(r, err) != 0)
        return 2;
    open_optimizers(r);
    rt_pictures_open(&r->pictures, m, r->data, &r->eval_rng);
    rt_eval_open(&r->eval, m, r->o.eval_every, r->o.eval_samples, r->o.test_images, r->o.seed,
                 stderr);
    return 0;
}

/* The run directory (claimed already): the old run's files gone with
 * --overwrite, its log opened, the run recorded.  Only after the data and
 * a resumed checkpoint were checked, so a refused run changes nothing. */
static int open_outputs(rt_run *r, const char *prog, rt_err *err)
{
    r->started = 1;
    if ((r->o.overwrite && rt_run_dir_clear(&r->dir, err) != 0) || open_log(r, err) != 0 ||
        rt_train_record_run(r->m, &r->o, prog, err) != 0)
        return 1;
    return 0;
}

static void run_close(rt_run *r)
{
    for (int k = 0; r->opt && k < r->m->n_nets; k++)
        rt_optim_free(&r->opt[k]);
    free(r->opt);
    for (int s = 0; s < RT_DATA_SOURCES_MAX; s++)
        rt_data_close(r->data[s]);
    if (r->log)
        fclose(r->log);
    rt_run_dir_release(&r->dir, !r->started);
    if (r->m) {
        rt_losses_free(&r->losses);
        rt_pictures_close(&r->pictures);
        rt_eval_close(&r->eval);
    }
    free(r->last_ckpt);
}

/* ---- periodic work ------------------------------------------------------ */

static int due(long step, long every)
{
    return every > 0 && step % every == 0;
}

static int write_weights(rt_run *r, long step, const char *name, rt_err *err);

static rt_ckpt ckpt_view(rt_run *r)
{
    return (rt_ckpt){ r->m, &r->store, r->opt, &r->rng, r->data };
}

/* A checkpoint for --resume (with the settings, and the best quality so
 * far: a resumed run keeps its best), and weights.safetensors for the
 * sampler. */
static int write_checkpoint(rt_run *r, long step, rt_err *err)
{
    rt_train_settings settings;
    rt_train_settings_of(&r->o, &settings);
    rt_st_kv meta[RT_TRAIN_N_SETTINGS + 2];
    memcpy(meta, settings.kv, sizeof settings.kv);
    char best[32], best_step[24];
    snprintf(best, sizeof best, "%.17g", r->eval.best_fd);
    snprintf(best_step, sizeof best_step, "%ld", r->eval.best_step);
    meta[RT_TRAIN_N_SETTINGS] = (rt_st_kv){ "eval.best_fd", best };
    meta[RT_TRAIN_N_SETTINGS + 1] = (rt_st_kv){ "eval.best_step", best_step };
    rt_ckpt c = ckpt_view(r);
    char *path = NULL;
    if (rt_checkpoint_save(r->o.out, step, (int)r->o.keep_checkpoints, &c, meta,
                           RT_TRAIN_N_SETTINGS + 2, &path, err) != 0)
        return -1;
    free(r->last_ckpt);
    r->last_ckpt = path;
    return write_weights(r, step, "weights.safetensors", err);
}

/* Every network's tensors and the EMA copies (rt_weights.h), as RUN/name. */
static int write_weights(rt_run *r, long step, const char *name, rt_err *err)
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
    char *path = run_file(r, name);
    int rc = rt_weights_save(path, &r->store, m->tensors, m->n_tensors, meta,
                             sizeof meta / sizeof meta[0], err);
    free(path);
    return rc;
}

/* One log.csv row: mean losses since the previous row; scores if sampled. */
static int log_row(rt_run *r, long step, int sampled, rt_err *err)
{
    const rt_pictures *p = &r->pictures;
    rt_log_row(r->log, &r->losses, step, rt_now() - r->t0, is_mixture(r),
               sampled && p->have_score ? &p->score : NULL, &r->eval);
    if (fflush(r->log) != 0 || ferror(r->log))
        return rt_errf(err, "%s/log.csv: write failed: %s", r->o.out, strerror(errno));
    return 0;
}

/* The quality metrics at this step; the weights as best.safetensors when
 * they are the best so far. */
static int evaluate(rt_run *r, long step, rt_err *err)
{
    rt_eval *e = &r->eval;
    if (rt_eval_run(e, r->o.out, step, err) != 0)
        return -1;
    int best = rt_eval_take_best(e);
    char acc[48] = "";
    if (e->classes)
        snprintf(acc, sizeof acc, "  classes right %.1f%%", 100 * e->accuracy);
    rt_progress_note(&r->progress, "step %ld: fd %.2f  precision %.3f  recall %.3f  class "
                     "entropy %.3f%s%s", step, e->fd, e->precision, e->recall, e->entropy, acc,
                     best ? "  (best so far: best.safetensors)" : "");
    return best ? write_weights(r, step, "best.safetensors", err) : 0;
}

/* The periodic work after a step (or at step 0 for a run of 0 steps);
 * `stopping` forces a log row and a checkpoint. */
static int after_step(rt_run *r, long step, int stopping, rt_err *err)
{
    int last = step == r->o.steps;
    int sample = due(step, r->o.sample_every) || last;
    int eval = r->eval.on && step > r->start_step && (due(step, r->eval.every) || last);
    if (sample && rt_pictures_write(&r->pictures, r->o.out, step, &r->progress, err) != 0)
        return -1;
    if (eval && evaluate(r, step, err) != 0)
        return -1;
    int logged = step > r->start_step && (due(step, r->o.log_every) || sample || eval || last ||
                                          stopping);
    if (logged && log_row(r, step, sample, err) != 0)
        return -1;
    if (logged)
        rt_train_curves_draw(&r->curves, r->o.out, r->m->model_name, step, last || stopping,
                             &r->progress);
    if ((due(step, r->o.checkpoint_every) || last || stopping) &&
        write_checkpoint(r, step, err) != 0)
        return -1;
    return 0;
}

/* ---- the loop ------------------------------------------------------------- */

/* Returns an exit status: 0 done, 1 failed, 128 + signal when stopped. */
static int run_loop(rt_run *r, long *ended, rt_err *err)
{
    r->t0 = rt_now();
    rt_progress_init(&r->progress, stderr, -1, r->start_step, r->o.steps, r->o.log_every);
    long step = r->start_step;
    int rc = r->o.steps == step ? after_step(r, step, 0, err) : 0;
    while (rc == 0 && step < r->o.steps && !stop_signal) {
        step++;
        rc = rt_iteration(r, step, err);
        if (rc == 0) {
            rt_progress_update(&r->progress, step, r->m->n_updates, r->losses.names,
                               r->losses.last);
            int stopping = stop_signal != 0;
            rc = after_step(r, step, stopping, err);
            /* a signal that came while after_step ran (pictures, metrics, the
             * log) finds this step done but not saved unless its checkpoint
             * was due anyway: save it, as a signal before after_step would */
            if (rc == 0 && !stopping && stop_signal && step < r->o.steps &&
                !due(step, r->o.checkpoint_every))
                rc = write_checkpoint(r, step, err);
        }
    }
    rt_progress_finish(&r->progress);
    *ended = step;
    if (rc != 0)
        return 1;
    return stop_signal && step < r->o.steps ? 128 + stop_signal : 0;
}

static void print_summary(const rt_run *r, long ended)
{
    double secs = rt_now() - r->t0;
    long steps = ended - r->start_step;
    printf("%s: %ld steps in %.2f s (%.0f it/s),", r->m->model_name, steps, secs,
           secs > 0 ? (double)steps / secs : 0.0);
    for (int u = 0; u < r->m->n_updates; u++)
        if (isnan(r->losses.last[u]))   /* outside its phase */
            printf(" %s -", r->losses.names[u]);
        else
            printf(" %s %.4f", r->losses.names[u], r->losses.last[u]);
    const rt_pictures *p = &r->pictures;
    if (p->have_score)
        printf(", modes %d/%d, HQ %.1f%%, reverse KL %.3f", p->score.modes_captured,
               p->score.n_modes, 100 * p->score.hq_fraction, p->score.reverse_kl);
    printf("; weights in %s/weights.safetensors\n", r->o.out);
}

/* --resume: the newest checkpoint, opened and checked, and the run's
 * settings under this command line's flags.  Returns an exit status. */
static int open_resume(rt_run *r, const rt_model *m, rt_st *st, int argc, char **argv,
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

static int train(rt_run *r, const rt_model *m, int argc, char **argv, rt_err *err)
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
        const char *best = rt_st_meta(&st, "eval.best_fd"), *at = rt_st_meta(&st, "eval.best_step");
        if (status == 0 && best && at) {   /* the run's best so far stays its best */
            r->eval.best_fd = strtod(best, NULL);
            r->eval.best_step = strtol(at, NULL, 10);
        }
        rt_st_close(&st);
    }
    if (status == 0)
        status = open_outputs(r, prog, err);
    if (status != 0)
        return status;
    char what[700];
    if (resumed)
        fprintf(stderr, "resuming %s at step %ld of %ld from %s (%s, %ld thread%s)\n",
                m->model_name, r->start_step, r->o.steps, r->last_ckpt,
                describe_data(r, what, sizeof what), r->o.threads,
                r->o.threads == 1 ? "" : "s");
    else
        fprintf(stderr, "training %s on %s: %ld steps, batch %d, seed %" PRIu64
                ", %ld thread%s, run %s\n", m->model_name, describe_data(r, what, sizeof what),
                r->o.steps, m->batch, r->o.seed, r->o.threads, r->o.threads == 1 ? "" : "s",
                r->o.out);
    catch_stop_signals();
    long ended = r->start_step;
    status = run_loop(r, &ended, err);
    if (status == 0 || (status > 128 && ended > r->start_step)) {
        rt_err rerr = { "" };
        if (rt_report_write(r, ended, status == 0 ? "finished" : status == 128 + SIGINT ?
                            "stopped by SIGINT" : "stopped by SIGTERM", &rerr) != 0)
            fprintf(stderr, "%s: warning: no report.md: %s\n", prog, rerr.msg);
    }
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

/* The model's tables (a broken one is generated code's bug: exit 1) and
 * what its variables need (a model this runtime cannot train: exit 2). */
static int check_model(const rt_model *m, const char *prog)
{
    rt_err err = { "" };
    if (rt_model_check(m, &err) != 0) {
        fprintf(stderr, "%s: internal error: the model's tables break rt_model.h: %s\n", prog,
                err.msg);
        return 1;
    }
    if (rt_draw_check(m, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        return 2;
    }
    return 0;
}

int rt_train_main(const rt_model *m, int argc, char **argv)
{
    const char *prog = argc > 0 ? argv[0] : "train";
    rt_err err = { "" };
    rt_run r;
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
    int status = check_model(m, prog);
    if (status != 0)
        return status;
    if (r.o.dump_data) {
        rt_mem_set_max(r.o.max_memory);
        status = rt_dump_data(m, &r.o, &err);
        if (status != 0)
            fprintf(stderr, "%s: %s\n", prog, err.msg);
        return status;
    }
    status = train(&r, m, argc, argv, &err);
    if (status != 0 && status < 128)
        fprintf(stderr, "%s: %s\n", prog, err.msg);
    run_close(&r);
    return status;
}

/* rt_train_opts.c - trainer flags and usage text (see rt_train_opts.h). */
#include "train/rt_train_opts.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "core/rt_args.h"
#include "data/rt_data.h"
#include "data/rt_mixture.h"

static void defaults(const rt_model *m, rt_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->steps = m->steps;
    o->seed = m->seed;
    snprintf(o->default_out, sizeof o->default_out, "runs/%s", m->model_name);
    o->out = o->default_out;
    for (int s = 0; s < m->n_sources; s++) {
        o->data[s] = m->sources[s].path;
        o->labels[s] = m->sources[s].labels_path;
    }
    o->log_every = m->log_every;
    o->sample_every = m->sample_every;
    o->checkpoint_every = m->checkpoint_every;
    o->eval_every = m->eval_every;
    o->eval_samples = m->eval_samples > 0 ? m->eval_samples : 2000;
    o->test_images = m->eval_test_images;
    o->threads = 1;
    o->keep_checkpoints = 3;
}

/* The flags: getopt_long's codes, past every letter. */
enum {
    F_STEPS = 256, F_SEED, F_OUT, F_DATA, F_LOG_EVERY, F_SAMPLE_EVERY, F_CHECKPOINT_EVERY,
    F_THREADS, F_KEEP_CHECKPOINTS, F_RESUME, F_OVERWRITE, F_MAX_MEMORY, F_LABELS, F_DATA2,
    F_LABELS2, F_EVAL_EVERY, F_EVAL_SAMPLES, F_TEST_IMAGES, F_DUMP_DATA
};
static const struct option flags[] = {
    { "steps", required_argument, NULL, F_STEPS },
    { "seed", required_argument, NULL, F_SEED },
    { "out", required_argument, NULL, F_OUT },
    { "data", required_argument, NULL, F_DATA },
    { "labels", required_argument, NULL, F_LABELS },
    { "data2", required_argument, NULL, F_DATA2 },
    { "eval-every", required_argument, NULL, F_EVAL_EVERY },
    { "eval-samples", required_argument, NULL, F_EVAL_SAMPLES },
    { "test-images", required_argument, NULL, F_TEST_IMAGES },
    { "labels2", required_argument, NULL, F_LABELS2 },
    { "log-every", required_argument, NULL, F_LOG_EVERY },
    { "sample-every", required_argument, NULL, F_SAMPLE_EVERY },
    { "checkpoint-every", required_argument, NULL, F_CHECKPOINT_EVERY },
    { "threads", required_argument, NULL, F_THREADS },
    { "keep-checkpoints", required_argument, NULL, F_KEEP_CHECKPOINTS },
    { "resume", required_argument, NULL, F_RESUME },
    { "overwrite", no_argument, NULL, F_OVERWRITE },
    { "max-memory", required_argument, NULL, F_MAX_MEMORY },
    { "dump-data", required_argument, NULL, F_DUMP_DATA },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

/* The flags that set a whole number >= 0, and where. */
static const struct {
    int code;
    const char *flag;
    size_t offset;
} whole[] = {
    { F_STEPS, "--steps", offsetof(rt_train_opts, steps) },
    { F_LOG_EVERY, "--log-every", offsetof(rt_train_opts, log_every) },
    { F_SAMPLE_EVERY, "--sample-every", offsetof(rt_train_opts, sample_every) },
    { F_CHECKPOINT_EVERY, "--checkpoint-every", offsetof(rt_train_opts, checkpoint_every) },
    { F_THREADS, "--threads", offsetof(rt_train_opts, threads) },
    { F_KEEP_CHECKPOINTS, "--keep-checkpoints", offsetof(rt_train_opts, keep_checkpoints) },
    { F_EVAL_EVERY, "--eval-every", offsetof(rt_train_opts, eval_every) },
    { F_EVAL_SAMPLES, "--eval-samples", offsetof(rt_train_opts, eval_samples) },
};

static const char *const data_flags[RT_DATA_SOURCES_MAX] = { "--data", "--data2" };
static const char *const labels_flags[RT_DATA_SOURCES_MAX] = { "--labels", "--labels2" };

/* A flag of table (data_flags, labels_flags) for a source that reads
 * another source's file (from:), which that source's flag sets */
static int from_flag(const rt_model *m, int s, const char *const *table, rt_err *err)
{
    const rt_data_source *src = &m->sources[s];
    int f = 0;
    while (f < m->n_sources && strcmp(m->sources[f].name, src->from) != 0)
        f++;
    return rt_errf(err, "%s: source '%s' reads the file of source '%s' (from: %s); set it "
                   "with %s", table[s], src->name, src->from, src->from,
                   f < m->n_sources && f != s ? table[f] : "that source's flag");
}

/* --data (s 0) or --data2 (s 1): the path of source s */
static int data_flag(const rt_model *m, int s, const char *v, rt_train_opts *o, rt_err *err)
{
    if (s >= m->n_sources)
        return rt_errf(err, "%s: this model has one data source; %s names the second "
                       "source of a model of two", data_flags[s], data_flags[s]);
    if (rt_mixture_is_kind(m->sources[s].kind))
        return rt_errf(err, "%s: this model trains on the built-in %s data, which "
                       "reads no file", data_flags[s], rt_mixture_name(m->sources[s].kind));
    if (m->sources[s].from)
        return from_flag(m, s, data_flags, err);
    o->data[s] = v;
    return 0;
}

/* --labels / --labels2: the IDX label file of source s */
static int labels_flag(const rt_model *m, int s, const char *v, rt_train_opts *o, rt_err *err)
{
    const char *f = labels_flags[s];
    if (s >= m->n_sources)
        return rt_errf(err, "%s: this model has one data source; %s names the labels of "
                       "the second source of a model of two", f, f);
    if (m->sources[s].from)
        return from_flag(m, s, labels_flags, err);
    int kind = m->sources[s].labels_kind;
    if (kind != RT_LABELS_IDX)
        return rt_errf(err, "%s: this model's %s reads %s; %s names the IDX label "
                       "file of labelled IDX data", f, s ? "second source" : "data",
                       kind == RT_LABELS_NONE ? "no labels" : "its labels from the data itself",
                       f);
    if (!*v)
        return rt_errf(err, "%s: expected an IDX label file, found an empty string", f);
    o->labels[s] = v;
    return 0;
}

/* One flag with code c and value v: 0, or -1 with err. */
static int apply_flag(const rt_model *m, int c, const char *v, rt_train_opts *o, rt_err *err)
{
    for (size_t k = 0; k < sizeof whole / sizeof whole[0]; k++)
        if (whole[k].code == c)
            return rt_parse_long(whole[k].flag, v, 0, (long *)((char *)o + whole[k].offset),
                                 err);
    switch (c) {
    case F_SEED:
        return rt_parse_u64("--seed", v, &o->seed, err);
    case F_OUT:
        if (!*v)
            return rt_errf(err, "--out: expected a directory, found an empty string");
        o->out = v;
        return 0;
    case F_RESUME:
        if (!*v)
            return rt_errf(err, "--resume: expected a run directory, found an empty string");
        o->resume = v;
        return 0;
    case F_OVERWRITE:
        o->overwrite = 1;
        return 0;
    case F_TEST_IMAGES:
        if (!*v)
            return rt_errf(err, "--test-images: expected an IDX file, found an empty string");
        o->test_images = v;
        return 0;
    case F_DUMP_DATA:
        if (!*v)
            return rt_errf(err, "--dump-data: expected a directory, found an empty string");
        o->dump_data = v;
        return 0;
    case F_MAX_MEMORY:
        return rt_parse_size("--max-memory", v, &o->max_memory, err);
    case F_DATA:
    case F_DATA2:
        return data_flag(m, c == F_DATA ? 0 : 1, v, o, err);
    case F_LABELS:
    case F_LABELS2:
        return labels_flag(m, c == F_LABELS ? 0 : 1, v, o, err);
    default:   /* 'h' */
        o->help = 1;
        return 0;
    }
}

static int apply_args(const rt_model *m, int argc, char **argv, rt_train_opts *o,
                      rt_err *err)
{
    const char *v;
    int c;
    rt_flags_start();
    while ((c = rt_flag_next(argc, argv, "h", flags, &v, err)) > 0)
        if (apply_flag(m, c, v, o, err) != 0)
            return -1;
    if (c < 0)
        return -1;
    if (o->threads < 1 || o->threads > 256)
        return rt_errf(err, "--threads: expected a number from 1 to 256, found %ld", o->threads);
    if (o->eval_samples < 10 || o->eval_samples > 1000000)
        return rt_errf(err, "--eval-samples: expected a number from 10 to 1000000, found %ld",
                       o->eval_samples);
    if (o->keep_checkpoints < 1 || o->keep_checkpoints > 1000000)
        return rt_errf(err, "--keep-checkpoints: expected a number from 1 to 1000000, found %ld",
                       o->keep_checkpoints);
    return 0;
}

int rt_train_parse_args(const rt_model *m, int argc, char **argv, rt_train_opts *o,
                        rt_err *err)
{
    defaults(m, o);
    if (apply_args(m, argc, argv, o, err) != 0)
        return -1;
    if (o->resume && o->out != o->default_out)
        return rt_errf(err, "--out: not with --resume, which continues in the run's own "
                       "directory (%s)", o->resume);
    if (o->resume && o->dump_data)
        return rt_errf(err, "--dump-data: not with --resume: it draws a batch of a new run's "
                       "data and trains nothing");
    if (o->resume && o->overwrite)
        return rt_errf(err, "--overwrite: not with --resume, which continues the run in %s "
                       "(--overwrite starts a new one there)", o->resume);
    if (o->resume)
        o->out = o->resume;
    return 0;
}

/* ---- settings saved with a run ------------------------------------------ */

/* The settings, in one table: name, and where it lives in the options. */
enum { KIND_LONG, KIND_U64, KIND_PATH };
typedef struct {
    const char *name;
    int kind;
    size_t offset;
    int slot;            /* KIND_PATH: its buffer in saved_paths */
} setting;

#define SETTING(field, kind) { #field, kind, offsetof(rt_train_opts, field), 0 }
#define PATH_SETTING(name, field, slot) \
    { name, KIND_PATH, offsetof(rt_train_opts, field), slot }
static const setting settings[RT_TRAIN_N_SETTINGS] = {
    SETTING(steps, KIND_LONG),        SETTING(seed, KIND_U64),
    PATH_SETTING("data", data[0], 0),     PATH_SETTING("labels", labels[0], 1),
    PATH_SETTING("data2", data[1], 2),    PATH_SETTING("labels2", labels[1], 3),
    SETTING(eval_every, KIND_LONG),   SETTING(eval_samples, KIND_LONG),
    PATH_SETTING("test_images", test_images, 4),
    SETTING(log_every, KIND_LONG),
    SETTING(sample_every, KIND_LONG), SETTING(checkpoint_every, KIND_LONG),
    SETTING(keep_checkpoints, KIND_LONG), SETTING(threads, KIND_LONG),
};

void rt_train_settings_of(const rt_train_opts *o, rt_train_settings *s)
{
    for (int i = 0; i < RT_TRAIN_N_SETTINGS; i++) {
        const char *field = (const char *)o + settings[i].offset;
        char value[4096 + 24];
        if (settings[i].kind == KIND_LONG)
            snprintf(value, sizeof value, "%ld", *(const long *)field);
        else if (settings[i].kind == KIND_U64)
            snprintf(value, sizeof value, "%" PRIu64, *(const uint64_t *)field);
        else
            snprintf(value, sizeof value, "%s", *(const char *const *)field ?
                     *(const char *const *)field : "");
        snprintf(s->text[i], sizeof s->text[i], "setting.%s", settings[i].name);
        /* key and value share one buffer: "setting.NAME\0VALUE" */
        size_t k = strlen(s->text[i]) + 1;
        snprintf(s->text[i] + k, sizeof s->text[i] - k, "%s", value);
        s->kv[i].key = s->text[i];
        s->kv[i].value = s->text[i] + k;
    }
}

/* Applies one saved setting (checked like the flag it stands for). */
static int apply_setting(const setting *e, const char *value, const char *what,
                         rt_train_opts *o, rt_err *err)
{
    char *field = (char *)o + e->offset;
    char flag[64];
    snprintf(flag, sizeof flag, "%s: setting.%s", what, e->name);
    if (e->kind == KIND_LONG)
        return rt_parse_long(flag, value, 0, (long *)field, err);
    if (e->kind == KIND_U64)
        return rt_parse_u64(flag, value, (uint64_t *)field, err);
    char *saved = o->saved_paths[e->slot];
    snprintf(saved, sizeof o->saved_paths[0], "%s", value);
    *(const char **)field = *value ? saved : NULL;
    return 0;
}

int rt_train_resume_args(const rt_model *m, const rt_st *st, int argc, char **argv,
                         rt_train_opts *o, rt_err *err)
{
    const char *resume = o->resume;
    defaults(m, o);   /* then the flags again, --max-memory among them */
    for (int i = 0; i < RT_TRAIN_N_SETTINGS; i++) {
        char key[64];
        snprintf(key, sizeof key, "setting.%s", settings[i].name);
        const char *v = rt_st_meta(st, key);
        if (v && apply_setting(&settings[i], v, st->what, o, err) != 0)
            return -1;
    }
    if (apply_args(m, argc, argv, o, err) != 0)
        return -1;
    o->resume = resume;
    o->out = resume;
    return 0;
}

/* The --data and --labels lines of source s (--data2, --labels2 for the
 * second), naming a source of a model of several. */
static void usage_data(FILE *f, const rt_model *m, int s)
{
    const rt_data_source *src = &m->sources[s];
    if (src->from) {
        fprintf(f, "  %-8s               '%.40s' reads the file of '%.40s' (from): no flag of "
                "its own\n", data_flags[s], src->name, src->from);
        return;
    }
    const char *path = rt_mixture_is_kind(src->kind) ? rt_mixture_name(src->kind)
                     : src->path ? src->path : "none: required";
    char what[96] = "";
    if (m->n_sources > 1)
        snprintf(what, sizeof what, "'%.40s': ", src->name);
    fprintf(f, "  %-8s PATH          %s%s training data [%s]\n", data_flags[s], what,
            rt_data_kind_name(src->kind), path);
    if (src->labels_kind == RT_LABELS_IDX)
        fprintf(f, "  %-8s PATH          %sthe class labels of the data, an IDX file\n"
                "                         [%s]\n", labels_flags[s], what,
                src->labels_path ? src->labels_path : "none: required");
}

void rt_train_usage(FILE *f, const rt_model *m, const char *prog)
{
    fprintf(f,
            "usage: %s [flags]\n"
            "Trains the GAN '%s' (from %s, ganc %s).\n"
            "\n"
            "  --steps N              iterations to run (each runs every update) [%ld]\n"
            "  --seed S               seed for initialisation, data and latents [%llu]\n"
            "  --out DIR              run directory: log.csv, curves.png, samples_*.png,\n"
            "                         weights.safetensors [runs/%s]\n",
            prog, m->model_name, m->source_yaml ? m->source_yaml : "?",
            m->ganc_version ? m->ganc_version : "?", m->steps, (unsigned long long)m->seed,
            m->model_name);
    for (int s = 0; s < m->n_sources; s++)
        usage_data(f, m, s);
    fprintf(f,
            "  --log-every N          steps between log.csv rows (curves.png redrawn) /\n"
            "                         progress lines [%ld]\n"
            "  --sample-every N       steps between samples and mode scores [%ld]\n"
            "  --checkpoint-every N   steps between checkpoints and weight saves [%ld]\n"
            "  --eval-every N         steps between quality metrics (fd, precision, recall,\n"
            "                         classes: DIR/judge scores the samples; 0: never) [%ld]\n"
            "  --eval-samples N       samples the metrics judge [%ld]\n"
            "  --test-images PATH     the held-out images they are judged against\n"
            "                         [%s]\n"
            "  --threads N            threads for the large matrix products [1]\n"
            "  --keep-checkpoints K   newest checkpoints kept in DIR/checkpoints [3]\n"
            "  --resume DIR           continue the run in DIR from its newest checkpoint,\n"
            "                         with its settings (flags given here override them)\n"
            "  --overwrite            start a new run in a DIR that holds one: its run files\n"
            "                         (log, samples, weights, checkpoints) are removed first\n"
            "  --max-memory SIZE      most memory the data may take, e.g. 4G or 512M\n"
            "                         [this machine's memory, or ulimit -v]\n"
            "  --dump-data DIR        write a batch of each data variable, as training draws\n"
            "                         it (classes kept, transforms applied), to DIR/NAME.npy\n"
            "                         (.png for images) and exit without training\n"
            "  -h, --help             show this help\n"
            "\n"
            "One run per DIR, one trainer per run: a new run refuses a DIR that holds one\n"
            "(use --resume, another --out or --overwrite), a second trainer refuses a DIR\n"
            "another one is working in.\n"
            "A value of 0 for an interval means: only at the end.  Ctrl-C (SIGINT) or\n"
            "SIGTERM finishes the current step, writes a checkpoint and stops; resume with\n"
            "--resume.  A NaN or Inf in a loss, gradient or weight stops the run, naming\n"
            "the tensor, and keeps the last good checkpoint.\n"
            "Exit status: 0 done, 1 training or output failure (out of memory too), 2 bad\n"
            "flag, bad input or a DIR that is taken,\n"
            "130/143 stopped by SIGINT/SIGTERM (checkpoint written).\n",
            m->log_every, m->sample_every, m->checkpoint_every, m->eval_every,
            m->eval_samples > 0 ? m->eval_samples : 2000L,
            m->eval_test_images ? m->eval_test_images : "none");
}

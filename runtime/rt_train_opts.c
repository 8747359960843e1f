/* rt_train_opts.c - trainer flags and usage text (see rt_train_opts.h). */
#include "rt_train_opts.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "rt_args.h"
#include "rt_data.h"
#include "rt_mixture.h"

static void defaults(const rt_model *m, rt_train_opts *o)
{
    memset(o, 0, sizeof *o);
    o->steps = m->steps;
    o->seed = m->seed;
    snprintf(o->default_out, sizeof o->default_out, "runs/%s", m->model_name);
    o->out = o->default_out;
    o->data = m->data_path;
    o->log_every = m->log_every;
    o->sample_every = m->sample_every;
    o->checkpoint_every = m->checkpoint_every;
    o->threads = 1;
    o->keep_checkpoints = 3;
}

/* One flag at argv[*i]: 1 handled, 0 not a flag we know, -1 error. */
static int parse_flag(const rt_model *m, int argc, char **argv, int *i, rt_train_opts *o,
                      rt_err *err)
{
    const struct {
        const char *flag;
        long *dst;
    } longs[] = {
        { "--steps", &o->steps },
        { "--log-every", &o->log_every },
        { "--sample-every", &o->sample_every },
        { "--checkpoint-every", &o->checkpoint_every },
        { "--threads", &o->threads },
        { "--keep-checkpoints", &o->keep_checkpoints },
    };
    const char *v;
    int hit;
    for (size_t k = 0; k < sizeof longs / sizeof longs[0]; k++) {
        hit = rt_arg_value(argc, argv, i, longs[k].flag, &v, err);
        if (hit > 0 && rt_parse_long(longs[k].flag, v, 0, longs[k].dst, err) != 0)
            return -1;
        if (hit != 0)
            return hit;
    }
    hit = rt_arg_value(argc, argv, i, "--seed", &v, err);
    if (hit > 0 && rt_parse_u64("--seed", v, &o->seed, err) != 0)
        return -1;
    if (hit != 0)
        return hit;
    hit = rt_arg_value(argc, argv, i, "--out", &v, err);
    if (hit > 0 && !*v)
        return rt_errf(err, "--out: expected a directory, found an empty string");
    if (hit > 0)
        o->out = v;
    if (hit != 0)
        return hit;
    hit = rt_arg_value(argc, argv, i, "--resume", &v, err);
    if (hit > 0 && !*v)
        return rt_errf(err, "--resume: expected a run directory, found an empty string");
    if (hit > 0)
        o->resume = v;
    if (hit != 0)
        return hit;
    hit = rt_arg_value(argc, argv, i, "--data", &v, err);
    if (hit > 0 && rt_mixture_is_kind(m->data_kind))
        return rt_errf(err, "--data: this model trains on the built-in %s data, which "
                       "reads no file", rt_mixture_name(m->data_kind));
    if (hit > 0)
        o->data = v;
    if (hit != 0)
        return hit;
    if (strcmp(argv[*i], "--help") == 0 || strcmp(argv[*i], "-h") == 0) {
        o->help = 1;
        return 1;
    }
    return 0;
}

static int apply_args(const rt_model *m, int argc, char **argv, rt_train_opts *o,
                      rt_err *err)
{
    for (int i = 1; i < argc; i++) {
        int hit = parse_flag(m, argc, argv, &i, o, err);
        if (hit < 0)
            return -1;
        if (hit == 0)
            return rt_errf(err, "%s: unknown %s (see --help)", argv[i],
                           argv[i][0] == '-' ? "flag" : "argument");
    }
    if (o->threads < 1 || o->threads > 256)
        return rt_errf(err, "--threads: expected a number from 1 to 256, found %ld", o->threads);
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
} setting;

#define SETTING(field, kind) { #field, kind, offsetof(rt_train_opts, field) }
static const setting settings[RT_TRAIN_N_SETTINGS] = {
    SETTING(steps, KIND_LONG),        SETTING(seed, KIND_U64),
    SETTING(data, KIND_PATH),         SETTING(log_every, KIND_LONG),
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
    snprintf(o->saved_data, sizeof o->saved_data, "%s", value);
    *(const char **)field = *value ? o->saved_data : NULL;
    return 0;
}

int rt_train_resume_args(const rt_model *m, const rt_st *st, int argc, char **argv,
                         rt_train_opts *o, rt_err *err)
{
    const char *resume = o->resume;
    defaults(m, o);
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

void rt_train_usage(FILE *f, const rt_model *m, const char *prog)
{
    const char *data = rt_mixture_is_kind(m->data_kind) ? rt_mixture_name(m->data_kind)
                     : m->data_path ? m->data_path : "none: required";
    fprintf(f,
            "usage: %s [flags]\n"
            "Trains the GAN '%s' (from %s, ganc %s).\n"
            "\n"
            "  --steps N              generator updates to run [%ld]\n"
            "  --seed S               seed for initialisation, data and latents [%llu]\n"
            "  --out DIR              run directory: log.csv, samples_*.png,\n"
            "                         weights.safetensors [runs/%s]\n"
            "  --data PATH            %s training data [%s]\n"
            "  --log-every N          steps between log.csv rows / progress lines [%ld]\n"
            "  --sample-every N       steps between samples and mode scores [%ld]\n"
            "  --checkpoint-every N   steps between checkpoints and weight saves [%ld]\n"
            "  --threads N            threads for the large matrix products [1]\n"
            "  --keep-checkpoints K   newest checkpoints kept in DIR/checkpoints [3]\n"
            "  --resume DIR           continue the run in DIR from its newest checkpoint,\n"
            "                         with its settings (flags given here override them)\n"
            "  -h, --help             show this help\n"
            "\n"
            "A value of 0 for an interval means: only at the end.  Ctrl-C (SIGINT) or\n"
            "SIGTERM finishes the current step, writes a checkpoint and stops; resume with\n"
            "--resume.  A NaN or Inf in a loss, gradient or weight stops the run, naming\n"
            "the tensor, and keeps the last good checkpoint.\n"
            "Exit status: 0 done, 1 training or output failure, 2 bad flag or bad input,\n"
            "130/143 stopped by SIGINT/SIGTERM (checkpoint written).\n",
            prog, m->model_name, m->source_yaml ? m->source_yaml : "?",
            m->ganc_version ? m->ganc_version : "?", m->steps,
            (unsigned long long)m->seed, m->model_name, rt_data_kind_name(m->data_kind),
            data, m->log_every, m->sample_every, m->checkpoint_every);
}

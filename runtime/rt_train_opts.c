/* rt_train_opts.c - trainer flags and usage text (see rt_train_opts.h). */
#include "rt_train_opts.h"

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

int rt_train_parse_args(const rt_model *m, int argc, char **argv, rt_train_opts *o,
                        rt_err *err)
{
    defaults(m, o);
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
            "  --checkpoint-every N   steps between weight saves [%ld]\n"
            "  --threads N            threads for the large matrix products [1]\n"
            "  -h, --help             show this help\n"
            "\n"
            "A value of 0 for an interval means: only at the end.  Exit status: 0 done,\n"
            "1 training or output failure, 2 bad flag or bad input.\n",
            prog, m->model_name, m->source_yaml ? m->source_yaml : "?",
            m->ganc_version ? m->ganc_version : "?", m->steps,
            (unsigned long long)m->seed, m->model_name, rt_data_kind_name(m->data_kind),
            data, m->log_every, m->sample_every, m->checkpoint_every);
}

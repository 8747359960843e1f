/* rt_run_record.c - what a run folder keeps so the run can be repeated
 * exactly (see rt_run_record.h): the model's YAML as compiled, and the
 * resolved settings with the command that repeats them. */
#include "train/rt_run_record.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_file.h"

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20)
            fprintf(f, "\\u%04x", *c);
        else
            fputc(*c, f);
    }
    fputc('"', f);
}

/* A word quoted for a POSIX shell when it needs it. */
static void shell_word(FILE *f, const char *s)
{
    if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                        "-_./=:,+@%") == strlen(s)) {
        fputs(s, f);
        return;
    }
    fputc('\'', f);
    for (; *s; s++)
        fputs(*s == '\'' ? "'\\''" : (char[]){ *s, 0 }, f);
    fputc('\'', f);
}

/* The command that repeats the run in a new directory `<out>-again`. */
static void repeat_command(FILE *f, const rt_train_settings *s, const rt_train_opts *o,
                           const char *prog)
{
    shell_word(f, prog);
    for (int i = 0; i < RT_TRAIN_N_SETTINGS; i++) {
        const char *name = s->kv[i].key + strlen("setting."), *v = s->kv[i].value;
        if (!*v)
            continue;
        fprintf(f, " --");
        for (const char *c = name; *c; c++)
            fputc(*c == '_' ? '-' : *c, f);
        fputc(' ', f);
        shell_word(f, v);
    }
    fprintf(f, " --out ");
    char again[4096];
    snprintf(again, sizeof again, "%s-again", o->out);
    shell_word(f, again);
}

static int write_settings(const char *path, const rt_model *m, const rt_train_opts *o,
                          const char *prog, rt_err *err)
{
    rt_train_settings s;
    rt_train_settings_of(o, &s);
    rt_wfile w;
    if (rt_wfile_open(&w, path, err) != 0)
        return -1;
    FILE *f = w.f;
    fprintf(f, "{\n  \"model\": ");
    json_string(f, m->model_name);
    fprintf(f, ",\n  \"model_file\": ");
    json_string(f, m->source_yaml ? m->source_yaml : "");
    fprintf(f, ",\n  \"ganc_version\": ");
    json_string(f, m->ganc_version ? m->ganc_version : "");
    fprintf(f, ",\n  \"arch_hash\": \"%016" PRIx64 "\",\n  \"batch\": %d,\n", m->arch_hash,
            m->batch);
    for (int i = 0; i < RT_TRAIN_N_SETTINGS; i++) {
        const char *name = s.kv[i].key + strlen("setting."), *v = s.kv[i].value;
        int path = !strncmp(name, "data", 4) || !strncmp(name, "labels", 6) ||
                   !strcmp(name, "test_images");
        if (path && m->n_sources < 2 && name[strlen(name) - 1] == '2')
            continue;   /* the second source's paths, of a model of one */
        fprintf(f, "  \"%s\": ", name);
        if (path) {
            if (*v)
                json_string(f, v);
            else
                fputs("null", f);
        } else {
            fputs(v, f);   /* a number */
        }
        fputs(",\n", f);
    }
    /* what RUN/best.safetensors is best by (the trainer keeps it when it
     * evaluates: rt_eval.h) */
    fprintf(f, "  \"best_by\": %s,\n", o->eval_every > 0 && m->out_ndim == 3 ?
            "\"fd (lowest)\"" : "null");
    fprintf(f, "  \"repeat\": ");
    char *cmd = NULL;
    size_t len = 0;
    FILE *c = open_memstream(&cmd, &len);
    if (c) {
        repeat_command(c, &s, o, prog);
        fclose(c);
    }
    json_string(f, cmd ? cmd : "");
    free(cmd);
    fprintf(f, "\n}\n");
    return rt_wfile_commit(&w, err);
}

int rt_train_record_run(const rt_model *m, const rt_train_opts *o, const char *prog,
                        rt_err *err)
{
    size_t n = strlen(o->out) + 32;
    char *path = rt_xmalloc(n);
    int rc = 0;
    if (m->model_yaml) {
        snprintf(path, n, "%s/model.yaml", o->out);
        rt_wfile w;
        rc = rt_wfile_open(&w, path, err);
        if (rc == 0) {
            fputs(m->model_yaml, w.f);
            rc = rt_wfile_commit(&w, err);
        }
    }
    if (rc == 0) {
        snprintf(path, n, "%s/settings.json", o->out);
        rc = write_settings(path, m, o, prog, err);
    }
    free(path);
    return rc;
}

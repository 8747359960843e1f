/* rt_report.c - RUN/report.md (see rt_report.h). */
#include "train/rt_report.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/rt_file.h"

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The run folder's samples_*.png, sorted (their names hold the step with
 * zeros in front, so name order is step order), each embedded. */
static void sample_pictures(FILE *f, const char *dir)
{
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "samples_", 8) || len < 12 || strcmp(e->d_name + len - 4, ".png"))
            continue;
        char **grown = realloc(names, (n + 1) * sizeof *names);
        if (!grown)
            break;
        names = grown;
        names[n] = strdup(e->d_name);
        if (names[n])
            n++;
    }
    if (d)
        closedir(d);
    if (n)   /* names is NULL when there is none, which qsort may not be given */
        qsort(names, n, sizeof *names, by_name);
    fprintf(f, "\n## Samples over time\n\nThe same inputs at every picture (the network's "
               "moving average where it keeps one).\n\n");
    if (!n)
        fprintf(f, "No pictures: this model's samples are not images or 2D points.\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "### step %ld\n\n![samples at step %ld](%s)\n\n",
                strtol(names[i] + 8, NULL, 10), strtol(names[i] + 8, NULL, 10), names[i]);
        free(names[i]);
    }
    free(names);
}

static void settings_table(FILE *f, const rt_run *r)
{
    rt_train_settings s;
    rt_train_settings_of(&r->o, &s);
    fprintf(f, "\n## Settings\n\n| setting | value |\n|---|---|\n");
    fprintf(f, "| batch | %d |\n", r->m->batch);
    for (int i = 0; i < RT_TRAIN_N_SETTINGS; i++)
        if (*s.kv[i].value)
            fprintf(f, "| %s | `%s` |\n", s.kv[i].key + strlen("setting."), s.kv[i].value);
}

static void quality(FILE *f, const rt_run *r)
{
    const rt_eval *e = &r->eval;
    if (!e->on || !e->step)
        return;
    fprintf(f, "\n## Quality\n\n%zu samples judged by ganc's classifier against the test "
               "images (`ganc eval --help` defines each metric).\n\n"
               "| | step | FD | precision | recall | class entropy |%s\n|---|---|---|---|---|---|%s\n",
            e->n, e->classes ? " class accuracy |" : "", e->classes ? "---|" : "");
    fprintf(f, "| last | %ld | %.2f | %.3f | %.3f | %.3f |", e->step, e->fd, e->precision,
            e->recall, e->entropy);
    if (e->classes)
        fprintf(f, " %.1f%% |", 100 * e->accuracy);
    fprintf(f, "\n| best (`best.safetensors`) | %ld | %.2f | | | |%s\n", e->best_step,
            e->best_fd, e->classes ? " |" : "");
}

int rt_report_write(const rt_run *r, long ended, const char *how, rt_err *err)
{
    const rt_model *m = r->m;
    size_t len = strlen(r->o.out) + 16;
    char *path = malloc(len), *curves = malloc(len);
    if (!path || !curves) {
        free(path);
        free(curves);
        return rt_errf(err, "report.md: out of memory");
    }
    snprintf(path, len, "%s/report.md", r->o.out);
    snprintf(curves, len, "%s/curves.png", r->o.out);
    rt_wfile w;
    int rc = rt_wfile_open(&w, path, err);
    if (rc == 0) {
        FILE *f = w.f;
        fprintf(f, "# %s: run %s\n\n", m->model_name, r->o.out);
        fprintf(f, "Model file `%s` (copied as `model.yaml`), ganc %s, architecture %016llx.\n"
                   "Training %s at step %ld of %ld.\n", m->source_yaml ? m->source_yaml : "?",
                m->ganc_version ? m->ganc_version : "?", (unsigned long long)m->arch_hash, how,
                ended, r->o.steps);
        fprintf(f, "\n## Losses\n\nThe last iteration's:");
        for (int u = 0; u < m->n_updates; u++)
            if (isnan(r->losses.last[u]))   /* outside its phase */
                fprintf(f, "%s `%s_loss` - (not run)", u ? "," : "", r->losses.names[u]);
            else
                fprintf(f, "%s `%s_loss` %.4f", u ? "," : "", r->losses.names[u],
                        r->losses.last[u]);
        fprintf(f, ".  Every row is in `log.csv`.\n");
        quality(f, r);
        if (access(curves, R_OK) == 0)
            fprintf(f, "\n## Curves\n\n![losses and metrics over steps](curves.png)\n");
        settings_table(f, r);
        sample_pictures(f, r->o.out);
        fprintf(f, "## Files\n\n`weights.safetensors` (every network, `sample --weights`), "
                   "`checkpoints/` (`train --resume %s`), `log.csv`, `settings.json`%s.\n",
                r->o.out, r->eval.best_step ? ", `best.safetensors` (the best by FD)" : "");
        rc = rt_wfile_commit(&w, err);
    }
    free(path);
    free(curves);
    return rc;
}

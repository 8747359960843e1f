/* rt_train_curves.c - RUN/curves.png after log rows (see rt_train_curves.h). */
#include "train/rt_train_curves.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "formats/rt_table.h"
#include "viz/rt_curves.h"

#define COST_SHARE 20   /* drawing takes at most 1/COST_SHARE of the time */

/* The run folder's own name: "runs/try/" gives "try". */
static char *folder_name(const char *dir)
{
    char *s = rt_xstrdup(dir);
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        s[--n] = 0;
    char *slash = strrchr(s, '/');
    char *name = rt_xstrdup(slash && slash[1] ? slash + 1 : s);
    free(s);
    return name;
}

static int draw(const char *run_dir, const char *model, long step, rt_err *err)
{
    size_t n = strlen(run_dir) + 32;
    char *log_path = rt_xmalloc(n), *png_path = rt_xmalloc(n), *name = folder_name(run_dir);
    snprintf(log_path, n, "%s/log.csv", run_dir);
    snprintf(png_path, n, "%s/%s", run_dir, RT_CURVES_NAME);
    char title[256];
    snprintf(title, sizeof title, "%s: run %s, step %ld", model, name, step);
    rt_table log;
    const char **columns = NULL;
    int n_columns = 0;
    int rc = rt_table_read(log_path, &log, err);
    rt_curves_run run = { name, log_path, &log };
    if (rc == 0)
        rc = rt_curves_columns(&run, 1, NULL, 0, &columns, &n_columns, err);
    if (rc == 0)
        rc = rt_curves_png(png_path, title, &run, 1, columns, n_columns, err);
    free(columns);
    rt_table_free(&log);
    free(name);
    free(log_path);
    free(png_path);
    return rc;
}

void rt_train_curves_draw(rt_train_curves *tc, const char *run_dir, const char *model,
                          long step, int force, rt_progress *progress)
{
    double t0 = rt_now();
    if (!force && t0 < tc->next_at)
        return;
    rt_err err = { "" };
    if (draw(run_dir, model, step, &err) != 0 && !tc->warned) {
        rt_progress_note(progress, "warning: no %s/%s at step %ld: %s (training goes on; "
                         "said once)", run_dir, RT_CURVES_NAME, step, err.msg);
        tc->warned = 1;
    }
    double t1 = rt_now();
    tc->next_at = t1 + (COST_SHARE - 1) * (t1 - t0);
}

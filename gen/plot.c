/* plot.c - `ganc plot RUN [RUN...] -o OUT.png [--columns a,b,...]` (see
 * plot.h): reads each RUN/log.csv (formats/rt_table.h), picks the columns
 * and draws them (viz/rt_curves.h).  ganc links the trainer's zlib object
 * (Makefile), so the picture is deflated like the trainer's.
 * Leaves out: x axes other than step, watching a run (run it again). */
#include "plot.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fatal.h"
#include "formats/rt_table.h"
#include "viz/rt_curves.h"

static const char plot_help[] =
    "usage: ganc plot RUN [RUN...] -o OUT.png [--columns a,b,...]\n\n"
    "Draws training runs as one PNG: a panel per column of their log.csv against\n"
    "step, a line per run, the legend naming each run by its folder. Losses and\n"
    "terms are drawn raw (faint) under their moving average (bold); a y axis\n"
    "whose values are all above 0 and span more than two decades is logarithmic.\n"
    "The trainer draws RUN/curves.png the same way as it trains.\n\n"
    "  RUN                 a run folder holding log.csv (or a log.csv file)\n"
    "  -o OUT.png          the picture to write (replaced atomically)\n"
    "  --columns a,b,...   these columns, in this order (every run must have\n"
    "                      them); default: every column all the runs have,\n"
    "                      except step and the clock (seconds)\n"
    "  -h, --help          this help\n";

typedef struct {
    const char *out;
    char *columns_arg;      /* --columns, split in place into columns[] */
    const char **columns;
    int n_columns;
} plot_args;

/* --columns a,b,c: 0, or 2 with a message (an empty name) */
static int split_columns(plot_args *a)
{
    int n = 1;
    for (const char *p = a->columns_arg; *p; p++)
        n += *p == ',';
    a->columns = gan_xcalloc((size_t)n, sizeof *a->columns);
    for (char *p = a->columns_arg, *end; p; p = end) {
        end = strchr(p, ',');
        if (end)
            *end++ = 0;
        if (!*p) {
            fprintf(stderr, "ganc plot: --columns: an empty column name in '%s' (expected "
                    "names separated by commas, e.g. d_loss,g_loss)\n", optarg);
            return 2;
        }
        a->columns[a->n_columns++] = p;
    }
    return 0;
}

/* 0, or 2 with a message; exits 0 for --help */
static int parse_args(int argc, char **argv, plot_args *a)
{
    static const struct option opts[] = {
        { "help", no_argument, NULL, 'h' },
        { "columns", required_argument, NULL, 'c' },
        { 0, 0, 0, 0 },
    };
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1;) {
        if (c == 'h') {
            fputs(plot_help, stdout);
            exit(0);
        }
        if (c == 'o') {
            a->out = optarg;
        } else if (c == 'c') {   /* the last --columns counts */
            free(a->columns);
            free(a->columns_arg);
            a->n_columns = 0;
            a->columns_arg = gan_xstrdup(optarg);
            if (split_columns(a))
                return 2;
        } else {
            fprintf(stderr, "ganc plot: unknown or incomplete option '%s' (see ganc plot "
                    "--help)\n", argv[optind - 1]);
            return 2;
        }
    }
    size_t n = a->out ? strlen(a->out) : 0;
    if (optind >= argc)
        fprintf(stderr, "ganc plot: missing RUN: name one or more run folders holding "
                "log.csv (see ganc plot --help)\n");
    else if (!a->out)
        fprintf(stderr, "ganc plot: missing -o OUT.png: the picture to write\n");
    else if (n < 5 || strcasecmp(a->out + n - 4, ".png") != 0)
        fprintf(stderr, "ganc plot: -o '%s': expected a file name ending in .png (the "
                "picture is a PNG)\n", a->out);
    else
        return 0;
    return 2;
}

/* RUN's log: RUN/log.csv for a folder, RUN itself for a file; NULL (said)
 * when there is none. */
static char *log_path(const char *run)
{
    struct stat st;
    if (stat(run, &st) != 0) {
        fprintf(stderr, "ganc plot: %s: no such run folder\n", run);
        return NULL;
    }
    if (!S_ISDIR(st.st_mode))
        return gan_xstrdup(run);
    size_t n = strlen(run) + 16;
    char *p = gan_xcalloc(n, 1);
    snprintf(p, n, "%s%slog.csv", run, run[strlen(run) - 1] == '/' ? "" : "/");
    if (stat(p, &st) != 0) {
        fprintf(stderr, "ganc plot: %s: no log.csv in this folder (a trainer writes "
                "RUN/log.csv; is it a run folder?)\n", run);
        free(p);
        return NULL;
    }
    return p;
}

/* The legend's name of a run: its folder's own name ("runs/a/" gives
 * "a"; for a log file, "runs/a/log.csv", the folder that holds it). */
static char *run_name(const char *run, int is_file)
{
    char *s = gan_xstrdup(run), *slash = strrchr(s, '/');
    if (is_file && (!slash || slash == s))
        return s;   /* "log.csv": the name as given */
    if (is_file)
        *slash = 0;
    size_t n = strlen(s);
    while (n > 1 && s[n - 1] == '/')
        s[--n] = 0;
    slash = strrchr(s, '/');
    if (slash && slash[1])
        memmove(s, slash + 1, strlen(slash + 1) + 1);
    return s;
}

typedef struct {
    int n;
    char **paths, **names;
    rt_table *logs;
    rt_curves_run *runs;
} loaded_runs;

/* Every RUN's log read: 0, or 2 (said). */
static int load_runs(loaded_runs *l, int n, char **runs)
{
    l->n = 0;
    l->paths = gan_xcalloc((size_t)n, sizeof *l->paths);
    l->names = gan_xcalloc((size_t)n, sizeof *l->names);
    l->logs = gan_xcalloc((size_t)n, sizeof *l->logs);
    l->runs = gan_xcalloc((size_t)n, sizeof *l->runs);
    for (int i = 0; i < n; i++) {
        rt_err err = { "" };
        if (!(l->paths[i] = log_path(runs[i])))
            return 2;
        if (rt_table_read(l->paths[i], &l->logs[i], &err) != 0) {
            fprintf(stderr, "ganc plot: %s\n", err.msg);
            return 2;
        }
        l->n = i + 1;
        l->names[i] = run_name(runs[i], strcmp(runs[i], l->paths[i]) == 0);
        l->runs[i] = (rt_curves_run){ l->names[i], l->paths[i], &l->logs[i] };
    }
    /* two runs of one name ("a/seed1" and "b/seed1"): as given instead */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (i != j && strcmp(l->runs[i].name, l->runs[j].name) == 0)
                l->runs[i].name = runs[i];
    return 0;
}

static void free_runs(loaded_runs *l, int n)
{
    for (int i = 0; i < n; i++) {
        free(l->paths[i]);
        free(l->names[i]);
        if (i < l->n)
            rt_table_free(&l->logs[i]);
    }
    free(l->paths);
    free(l->names);
    free(l->logs);
    free(l->runs);
}

/* "a, b and 3 more", for the picture's title */
static void title_of(const loaded_runs *l, char *buf, size_t cap)
{
    size_t n = 0;
    int shown = 0;
    buf[0] = 0;
    for (; shown < l->n && n + strlen(l->runs[shown].name) + 16 < cap && n < 80; shown++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", shown ? ", " : "",
                              l->runs[shown].name);
    if (shown < l->n)
        snprintf(buf + n, cap - n, " and %d more", l->n - shown);
}

int gan_plot_main(int argc, char **argv)
{
    plot_args a = { NULL, NULL, NULL, 0 };
    loaded_runs l = { 0, NULL, NULL, NULL, NULL };
    int rc = parse_args(argc, argv, &a), n_runs = argc - optind;
    const char **columns = NULL;
    int n_columns = 0;
    rt_err err = { "" };
    if (rc == 0)
        rc = load_runs(&l, n_runs, argv + optind);
    if (rc == 0 && rt_curves_columns(l.runs, l.n, a.columns, a.n_columns, &columns,
                                     &n_columns, &err) != 0) {
        fprintf(stderr, "ganc plot: %s\n", err.msg);
        rc = 2;
    }
    char title[128];
    if (rc == 0) {
        title_of(&l, title, sizeof title);
        if (rt_curves_png(a.out, title, l.runs, l.n, columns, n_columns, &err) != 0) {
            fprintf(stderr, "ganc plot: cannot write %s: %s\n", a.out, err.msg);
            rc = 1;
        } else {
            printf("ganc plot: %s: %d panel%s, %d run%s\n", a.out, n_columns,
                   n_columns == 1 ? "" : "s", l.n, l.n == 1 ? "" : "s");
        }
    }
    if (l.paths)
        free_runs(&l, n_runs);
    free(columns);
    free(a.columns);
    free(a.columns_arg);
    return rc;
}

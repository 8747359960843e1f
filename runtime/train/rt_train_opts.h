/* rt_train_opts.h - the trainer's flags: defaults from the model, parsing,
 * the --help text, and the settings a checkpoint records (used by rt_train.c).
 *
 * Settings resolve in three layers: the model's defaults, then (with
 * --resume RUN) the settings saved in RUN's newest checkpoint, then the
 * flags on the command line.  So `train --resume RUN` repeats the run's
 * own settings and `train --resume RUN --steps 5000` extends it.
 * --overwrite, --max-memory and --dump-data say how to run, not what: they
 * are not among the settings a checkpoint keeps.
 * Leaves out: config files, environment variables.
 */
#ifndef RT_TRAIN_OPTS_H
#define RT_TRAIN_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/rt_err.h"
#include "formats/rt_safetensors.h"
#include "model/rt_model.h"

typedef struct {
    long steps;
    uint64_t seed;
    const char *out;     /* run directory */
    /* per data source (rt_model.sources; --data and --labels for the first,
     * --data2 and --labels2 for the second): */
    const char *data[RT_DATA_SOURCES_MAX];     /* data path, NULL for built-in data */
    const char *labels[RT_DATA_SOURCES_MAX];   /* IDX label file of labelled IDX data */
    long log_every, sample_every, checkpoint_every;   /* <= 0: only at the end */
    long eval_every;     /* the quality metrics (rt_eval.h); 0: never */
    long eval_samples;
    const char *test_images;   /* the held-out images they judge against */
    long threads;        /* BLAS threads, >= 1 */
    long keep_checkpoints;   /* newest checkpoints kept, >= 1 */
    const char *resume;  /* run directory to continue, or NULL */
    int overwrite;       /* --overwrite: a fresh run replaces the run in out */
    size_t max_memory;   /* --max-memory in bytes, 0 when not given */
    const char *dump_data;   /* --dump-data DIR: write a batch of the data, train nothing */
    int help;            /* --help was given: print usage, exit 0 */
    char default_out[256];
    char saved_paths[2 * RT_DATA_SOURCES_MAX + 1][4096];   /* data, labels and test
                                                            * images restored from a
                                                            * checkpoint */
} rt_train_opts;

/* Fills o from the model's defaults, then from argv[1..argc). */
int rt_train_parse_args(const rt_model *m, int argc, char **argv, rt_train_opts *o,
                        rt_err *err);
/* For --resume: puts the settings saved in checkpoint st under the flags
 * of argv (parses argv again on top of them). */
int rt_train_resume_args(const rt_model *m, const rt_st *st, int argc, char **argv,
                         rt_train_opts *o, rt_err *err);

/* The settings as metadata pairs "setting.NAME" for a checkpoint; the
 * strings live in `text`, which must outlive the pairs. */
enum { RT_TRAIN_N_SETTINGS = 10 + 2 * RT_DATA_SOURCES_MAX };
typedef struct {
    rt_st_kv kv[RT_TRAIN_N_SETTINGS];
    char text[RT_TRAIN_N_SETTINGS][4096 + 32];
} rt_train_settings;
void rt_train_settings_of(const rt_train_opts *o, rt_train_settings *s);
void rt_train_usage(FILE *f, const rt_model *m, const char *prog);

#endif

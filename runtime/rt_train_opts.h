/* rt_train_opts.h - the trainer's flags: defaults from the model, parsing,
 * and the --help text (used by rt_train.c).
 * Leaves out: config files, environment variables, resuming a run.
 */
#ifndef RT_TRAIN_OPTS_H
#define RT_TRAIN_OPTS_H

#include <stdint.h>
#include <stdio.h>

#include "rt_err.h"
#include "rt_model.h"

typedef struct {
    long steps;
    uint64_t seed;
    const char *out;     /* run directory */
    const char *data;    /* data path, may be NULL for built-in data */
    long log_every, sample_every, checkpoint_every;   /* <= 0: only at the end */
    long threads;        /* BLAS threads, >= 1 */
    int help;            /* --help was given: print usage, exit 0 */
    char default_out[256];
} rt_train_opts;

/* Fills o from the model's defaults, then from argv[1..argc). */
int rt_train_parse_args(const rt_model *m, int argc, char **argv, rt_train_opts *o,
                        rt_err *err);
void rt_train_usage(FILE *f, const rt_model *m, const char *prog);

#endif

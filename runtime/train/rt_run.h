/* rt_run.h - one training run as the files of train/ share it (internal:
 * generated code never sees it).  rt_train.c opens and closes it and runs
 * the loop; rt_iteration.c does one iteration of the model's updates.
 */
#ifndef RT_RUN_H
#define RT_RUN_H

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "data/rt_data.h"
#include "model/rt_model.h"
#include "model/rt_weights.h"
#include "train/rt_eval.h"
#include "train/rt_optim.h"
#include "train/rt_pictures.h"
#include "train/rt_progress.h"
#include "train/rt_run_dir.h"
#include "train/rt_train_curves.h"
#include "train/rt_train_log.h"
#include "train/rt_train_opts.h"

typedef struct {
    const rt_model *m;
    rt_train_opts o;
    rt_rng rng;             /* stream 0: init, data, latents, classes */
    rt_rng eval_rng;        /* stream 1: the pictures' fixed inputs and real points */
    rt_store store;         /* m's networks */
    rt_optim *opt;          /* [n_nets]: set for the networks an update trains */
    rt_data *data[RT_DATA_SOURCES_MAX];   /* one per m->sources */
    FILE *log;
    rt_losses losses;
    rt_pictures pictures;
    rt_eval eval;           /* the quality metrics (--eval-every) */
    rt_train_curves curves; /* RUN/curves.png: when it was last drawn */
    rt_progress progress;
    double t0;
    long start_step;        /* 0, or the step of the checkpoint resumed from */
    char *last_ckpt;        /* newest checkpoint written or resumed from */
    rt_run_dir dir;         /* the run folder, locked */
    int started;            /* the run's files were written (or continued) */
} rt_run;

/* 1 when update up runs at step `step` (counted from 1): its phase holds
 * iteration step - 1 (rt_update.from, until). */
int rt_update_runs(const rt_update *up, long step);

/* One iteration (step `step`, counted from 1): every update of the model
 * whose phase holds it, in order, each `repeat` times (an update outside
 * its phase draws nothing and logs no loss).  0, or -1 with err when training
 * diverged (a NaN or Inf in a loss, gradient or parameter; the message
 * names the update or tensor and the last good checkpoint). */
int rt_iteration(rt_run *r, long step, rt_err *err);

#endif

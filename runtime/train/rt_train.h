/* rt_train.h - the trainer's main: what a generated train.c calls.
 *
 * Parses the flags (rt_train_opts.h), loads or initialises the weights,
 * runs the iterations (the model's updates in order: its compiled forward
 * and step functions, the optimizers of rt_optim.h), logs, draws samples,
 * checkpoints and records the run.  Part of libganc_train.a, which needs -lz and OpenMP.
 */
#ifndef RT_TRAIN_H
#define RT_TRAIN_H

#include "model/rt_model.h"

/* Runs the trainer command line (`train --help` lists the flags).
 * Returns the process exit status: 0 ok, 2 usage or input error, 1 other,
 * 130/143 stopped by SIGINT/SIGTERM after a checkpoint. */
int rt_train_main(const rt_model *m, int argc, char **argv);

#endif

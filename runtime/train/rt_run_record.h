/* rt_run_record.h - what a run folder keeps so that the run can be repeated
 * exactly: model.yaml, the model the trainer was built from, and
 * settings.json, the resolved settings, the model's identity and a command
 * line that repeats the run.  Written once, when a run starts or resumes.
 * Leaves out: the data itself (its path is a setting), the compiler flags.
 */
#ifndef RT_RUN_RECORD_H
#define RT_RUN_RECORD_H

#include "core/rt_err.h"
#include "model/rt_model.h"
#include "train/rt_train_opts.h"

/* Writes RUN/model.yaml (when the model carries its YAML) and
 * RUN/settings.json into o->out, atomically; prog is argv[0]. */
int rt_train_record_run(const rt_model *m, const rt_train_opts *o, const char *prog,
                        rt_err *err);

#endif

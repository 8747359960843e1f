/* rt_run_dir.h - a run folder holds one run, and one trainer works in it.
 *
 * A trainer takes RUN/.lock (flock, exclusive, without waiting) before it
 * writes anything there and holds it for its whole life, its process ID
 * written in the file: a second trainer on the same folder is refused at
 * once, naming the first one's PID.  The trainer removes .lock when it
 * ends; the kernel drops the lock however the process ends (kill -9 too),
 * and the .lock such an end leaves behind is harmless.
 * A fresh run (no --resume) refuses a folder that already holds a run,
 * that is, any of its files: log.csv, settings.json, model.yaml,
 * weights.safetensors, curves.png, samples_STEP.png,
 * checkpoints/step_STEP.safetensors.
 * The message offers --resume (continue it), another --out, or
 * --overwrite, which removes those files (and their temporary files, and
 * checkpoints/ when that leaves it empty) before the new run writes its
 * own, and touches nothing else in the folder.
 * Leaves out: locks across machines (flock on NFS is the server's
 * business), waiting for a lock.
 */
#ifndef RT_RUN_DIR_H
#define RT_RUN_DIR_H

#include "core/rt_err.h"

typedef struct {
    const char *dir;
    int fd;        /* the lock's file, -1 when not held */
    int created;   /* the folder did not exist before this trainer */
} rt_run_dir;

/* Makes the folder (fresh runs) and takes its lock, then removes the
 * temporaries of run files that a killed trainer left; a fresh run without
 * overwrite also checks that the folder holds no run.  A folder to
 * resume that does not exist is not locked (0: the resume then fails).  Returns an exit
 * status: 0, 2 for a folder that is taken (another trainer, a run), 1 when
 * the folder or its lock cannot be made. */
int rt_run_dir_claim(rt_run_dir *r, const char *dir, int fresh, int overwrite, rt_err *err);
/* --overwrite: removes the run files the folder holds. */
int rt_run_dir_clear(rt_run_dir *r, rt_err *err);
/* Releases the lock and removes .lock; `undo` removes a folder this
 * trainer made, when nothing was written in it (a run refused before it
 * started). */
void rt_run_dir_release(rt_run_dir *r, int undo);

#endif

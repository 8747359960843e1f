/* rt_train_curves.h - the trainer's RUN/curves.png: the run's log.csv
 * drawn as a figure of charts (viz/rt_curves.h), one panel per loss, term
 * and score, against the step.
 *
 * When: after every log.csv row, unless that would make drawing cost more
 * than a twentieth of the run's time (a tiny model logging every step):
 * then a drawing waits until twenty times the last one's cost has passed
 * since it.  The last step and a stop by signal always draw.
 * From what: RUN/log.csv, read again each time, so the picture of a
 * resumed run holds its whole history and is exactly what `ganc plot RUN`
 * draws.  Written atomically (temporary file, then rename).
 * A failure is a warning on the progress output, said once; the run goes
 * on: log.csv is the record, the picture only a view of it.
 * Leaves out: drawing in another thread.
 */
#ifndef RT_TRAIN_CURVES_H
#define RT_TRAIN_CURVES_H

#include "train/rt_progress.h"

#define RT_CURVES_NAME "curves.png"

typedef struct {
    double next_at;   /* rt_now() before which a drawing waits; 0: none yet */
    int warned;       /* a failure was said */
} rt_train_curves;

/* After a log row at `step` of the run in run_dir (model: the title's
 * model name); force draws whatever the time. */
void rt_train_curves_draw(rt_train_curves *tc, const char *run_dir, const char *model,
                          long step, int force, rt_progress *progress);

#endif

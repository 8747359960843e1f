/* rt_dump_data.h - `train --dump-data DIR`: what a model learns from, seen
 * before it is trained.
 *
 * Opens the model's data as a run would (rt_sources.h: classes kept,
 * transforms applied, paired rows aligned; its rng seeded from --seed,
 * drawn only by the data) and draws one batch of each data variable, in
 * the order of the variables, as training draws them.  Writes
 * DIR/NAME.npy for each data variable, (batch, sample shape) float32, and
 * for each labels variable (batch,) of class numbers; a data variable of
 * images (1 or 3 channels) also as DIR/NAME.png, a grid of its batch.
 * Nothing is trained and no run folder is made.
 * Leaves out: latents and random classes (they are noise, not data).
 */
#ifndef RT_DUMP_DATA_H
#define RT_DUMP_DATA_H

#include "core/rt_err.h"
#include "model/rt_model.h"
#include "train/rt_train_opts.h"

/* Returns an exit status: 0, 2 when the data cannot be read (err filled),
 * 1 when DIR or a file in it cannot be written (err filled). */
int rt_dump_data(const rt_model *m, const rt_train_opts *o, rt_err *err);

#endif

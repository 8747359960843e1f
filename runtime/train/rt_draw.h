/* rt_draw.h - filling the variables an update draws (rt_var, rt_model.h)
 * before each repetition of its step.
 *
 *   DATA    the next batch of its data source (rt_data.h); a DATA variable
 *           with labels fills its LABEL variable from the same rows, and
 *           of paired sources the DATA variables that take its rows
 *           (rows_of) from theirs; such a variable drawn on its own does
 *           nothing
 *   LABEL   filled by its DATA variable; drawn on its own it does nothing
 *   LATENT  rt_latent_fill from the training rng
 *   CLASS   integers uniform in [0, classes) from the training rng, as floats
 * The training rng is used in the order of the update's draws, so a run
 * is reproducible from its seed and a checkpoint's rng state.
 */
#ifndef RT_DRAW_H
#define RT_DRAW_H

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "data/rt_data.h"
#include "model/rt_model.h"

/* 0 when every DATA and LABEL variable of m fits its source (index, size,
 * classes, the variable whose rows it takes); else an error naming the
 * first that does not. */
int rt_draw_check(const rt_model *m, rt_err *err);

/* Fills variable v (and what a DATA variable fills with it) for one step;
 * data holds one open source per m->sources. */
void rt_draw_var(const rt_model *m, int v, rt_data *const *data, rt_rng *rng);

#endif

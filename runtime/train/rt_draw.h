/* rt_draw.h - filling the variables an update draws (rt_var, rt_model.h)
 * before each repetition of its step.
 *
 *   DATA    the next batch of data source 0 (rt_data.h); a DATA variable
 *           with labels fills its LABEL variable from the same rows
 *   LABEL   filled by its DATA variable; drawn on its own it does nothing
 *   LATENT  rt_latent_fill from the training rng
 *   CLASS   integers uniform in [0, classes) from the training rng, as floats
 * The training rng is used in the order of the update's draws, so a run
 * is reproducible from its seed and a checkpoint's rng state.
 * Leaves out: data source 1 (a second domain or a paired source): until
 * it lands rt_draw_check refuses a model that needs it, naming the variable.
 */
#ifndef RT_DRAW_H
#define RT_DRAW_H

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "data/rt_data.h"
#include "model/rt_model.h"

/* 0 when this runtime can fill every variable of m; else an error naming
 * the first variable it cannot (a user's model may need what is missing:
 * exit 2). */
int rt_draw_check(const rt_model *m, rt_err *err);

/* Fills variable v (and a DATA variable's labels) for one step. */
void rt_draw_var(const rt_model *m, int v, rt_data *data, rt_rng *rng);

#endif

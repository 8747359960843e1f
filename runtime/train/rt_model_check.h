/* rt_model_check.h - the trainer's check of the tables a generated
 * trainer fills (rt_model.h) before it uses them, and the questions about
 * them more than one file of train/ asks.
 *
 * A table that breaks the contract is a bug of the code that filled it
 * (ganc, or a hand-written model), not of the user's input: the message
 * names the table, the entry and the rule, and the trainer exits 1.
 * Leaves out: what a variable needs at run time (rt_draw.h checks it).
 */
#ifndef RT_MODEL_CHECK_H
#define RT_MODEL_CHECK_H

#include "core/rt_err.h"
#include "model/rt_model.h"

/* Indices in range, repeat >= 1, every network trained by at most one
 * update and a frozen one by none, buffers present, EMA decays in [0, 1),
 * the picture network's inputs of a known kind. */
int rt_model_check(const rt_model *m, rt_err *err);

/* The update that trains network `net`, or -1 when none does. */
int rt_model_trainer_of(const rt_model *m, int net);

#endif

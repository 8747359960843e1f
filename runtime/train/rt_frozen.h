/* rt_frozen.h - the weights of a model's frozen networks (rt_model's
 * frozen: networks imported from another model, never trained), read from
 * their files when the trainer starts.
 *
 * Each tensor of a frozen network, parameter or state, is read from the
 * network's file under its name with the network's name replaced by
 * the entry's prefix, F32 of exactly its shape; other tensors in the file are
 * ignored.  ganc checked the file when it ran (gen/frozen_check.c): this
 * checks it again, as it may have changed since.
 * Leaves out: EMA copies (a frozen network has none; the file's own are
 * ignored: the imported network's raw weights are what it was trained to).
 */
#ifndef RT_FROZEN_H
#define RT_FROZEN_H

#include "core/rt_err.h"
#include "model/rt_model.h"

/* Reads every frozen network's tensors.  0, or -1 with err naming the
 * network, the file and the tensor that is missing or of another shape. */
int rt_frozen_load(const rt_model *m, rt_err *err);

#endif

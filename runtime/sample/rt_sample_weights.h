/* rt_sample_weights.h - where a sampler's network reads its tensors.
 *
 * The generated sampler reads tensor i of m->tensors through the pointer
 * m->weights[i].  Loading points it straight into the weights file's
 * mapping, or into the weights embedded in the executable, when the
 * tensor's floats are aligned there: nothing is copied and no fresh memory
 * is touched, which is most of a cold start (the page cache already holds
 * the file).  Otherwise the tensor is copied into the sampler's static
 * arrays (m->params, m->state) and the pointer goes there.  A model
 * without m->weights (code that reads the arrays) always gets the copies.
 * A weights file may hold the network's moving average too (rt_weights.h:
 * "ema." + a parameter tensor's name); loaded with `ema`, every parameter
 * tensor comes from its EMA copy, state tensors from their own names.
 */
#ifndef RT_SAMPLE_WEIGHTS_H
#define RT_SAMPLE_WEIGHTS_H

#include "core/rt_err.h"
#include "formats/rt_safetensors.h"
#include "model/rt_model.h"
#include "model/rt_weights.h"

/* The sampler's static arrays as a store of its one network (net 0), for
 * rt_tensor_data and rt_tensors_init; `net` (the caller's) backs it. */
rt_store rt_sample_store(const rt_sampler_model *m, rt_net *net);

/* Every tensor from the static arrays, as filled by the caller (bench). */
void rt_sample_weights_in_arrays(const rt_sampler_model *m);

/* 1 when st holds the EMA copy of the network's first parameter tensor. */
int rt_sample_weights_have_ema(const rt_sampler_model *m, const rt_st *st);

/* Every tensor from st (parameters from their EMA copies with ema), which
 * must stay open while the network runs; the first missing tensor or
 * wrong shape stops with an error naming it. */
int rt_sample_weights_load(const rt_sampler_model *m, const rt_st *st, int ema, rt_err *err);

#endif

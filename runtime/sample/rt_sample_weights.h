/* rt_sample_weights.h - where a sampler's generator reads its tensors.
 *
 * The generated sampler reads tensor i of m->tensors through the pointer
 * m->weights[i].  Loading points it straight into the weights file's
 * mapping, or into the weights embedded in the executable, when the
 * tensor's floats are aligned there: nothing is copied and no fresh memory
 * is touched, which is most of a cold start (the page cache already holds
 * the file).  Otherwise the tensor is copied into the sampler's static
 * arrays (m->params, m->state) and the pointer goes there.  A model
 * without m->weights (code that reads the arrays) always gets the copies.
 */
#ifndef RT_SAMPLE_WEIGHTS_H
#define RT_SAMPLE_WEIGHTS_H

#include "core/rt_err.h"
#include "formats/rt_safetensors.h"
#include "model/rt_model.h"
#include "model/rt_weights.h"

/* The sampler's static arrays as a store of the generator alone (net
 * RT_NET_G), for rt_tensor_data and rt_tensors_init. */
rt_store rt_sample_store(const rt_sampler_model *m);

/* Every tensor from the static arrays, as filled by the caller (bench). */
void rt_sample_weights_in_arrays(const rt_sampler_model *m);

/* Every tensor from st, which must stay open while the generator runs;
 * the first missing tensor or wrong shape stops with an error naming it. */
int rt_sample_weights_load(const rt_sampler_model *m, const rt_st *st, rt_err *err);

#endif

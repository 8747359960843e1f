/* rt_weights.h - a model's tensors: where they live, how they start, and
 * how they go to and from a .safetensors file.
 *
 * An rt_store is a view of the generated code's static arrays: parameters
 * and state per network (rt_model.h).  Each rt_tensor_info names a slice of
 * one of them.  Slices outside their array are programmer errors (assert).
 * Saved files hold every listed tensor as F32 under its rt_tensor_info
 * name, in list order; loading requires every listed tensor with exactly
 * its shape and ignores other tensors in the file.
 * Leaves out: optimizer state in checkpoints, dtype conversion, resuming.
 */
#ifndef RT_WEIGHTS_H
#define RT_WEIGHTS_H

#include <stddef.h>

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "formats/rt_safetensors.h"
#include "model/rt_model.h"

typedef struct {
    float *params[2];        /* [RT_NET_G], [RT_NET_D]; NULL when absent */
    size_t param_count[2];
    float *state[2];
    size_t state_count[2];
} rt_store;

size_t rt_tensor_numel(const rt_tensor_info *t);
/* The first float of tensor t inside the store. */
float *rt_tensor_data(const rt_store *s, const rt_tensor_info *t);

/* Fills every tensor by its init kind, in list order, from rng. */
void rt_tensors_init(const rt_store *s, const rt_tensor_info *t, size_t n, rt_rng *rng);

int rt_weights_save(const char *path, const rt_store *s, const rt_tensor_info *t, size_t n,
                    const rt_st_kv *meta, size_t n_meta, rt_err *err);
/* Loads every tensor of the list from st; the first missing tensor or
 * shape/dtype mismatch stops with an error naming it (tensors before it
 * have already been overwritten). */
int rt_weights_load(const rt_st *st, const rt_store *s, const rt_tensor_info *t, size_t n,
                    rt_err *err);

#endif

/* rt_weights.h - a model's tensors: where they live, how they start, and
 * how they go to and from a .safetensors file.
 *
 * An rt_store is a view of the generated code's networks (rt_net,
 * rt_model.h): parameters, state and the optional moving average (EMA) of
 * the parameters, per network.  Each rt_tensor_info names a slice of one
 * network's params or state; its EMA copy is the same slice of that
 * network's ema.  Slices outside their array and networks outside the
 * store are programmer errors (assert).
 * Saved files hold every listed tensor as F32 under its rt_tensor_info
 * name, in list order, then the EMA copy of every parameter tensor of a
 * network that has one, under "ema." + its name (RT_EMA_PREFIX).  Loading
 * requires every tensor of the list, and the EMA copies of the networks
 * that have one, each with exactly its shape, and ignores other tensors in
 * the file.
 * Leaves out: optimizer state (rt_checkpoint.h adds it), dtype
 * conversion, resuming.
 */
#ifndef RT_WEIGHTS_H
#define RT_WEIGHTS_H

#include <stddef.h>

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "formats/rt_safetensors.h"
#include "model/rt_model.h"

#define RT_EMA_PREFIX "ema."

/* The networks tensors point into: the trainer's rt_model.nets, or the
 * sampler's one network (rt_sample_store).  Borrowed, never freed here. */
typedef struct {
    const rt_net *nets;
    int n_nets;
} rt_store;

size_t rt_tensor_numel(const rt_tensor_info *t);
/* The first float of tensor t inside the store. */
float *rt_tensor_data(const rt_store *s, const rt_tensor_info *t);
/* The first float of parameter tensor t's EMA copy; NULL when t is state
 * or its network keeps no EMA. */
float *rt_tensor_ema(const rt_store *s, const rt_tensor_info *t);

/* Fills every tensor by its init kind, in list order, from rng. */
void rt_tensors_init(const rt_store *s, const rt_tensor_info *t, size_t n, rt_rng *rng);

/* The entries a file of the store's tensors holds (weights file, checkpoint):
 * the list's tensors, then the EMA copies, as the header says.  `extra`
 * free entries are left at the end for the caller (a checkpoint's
 * optimizer state).  Free with rt_weights_list_free. */
typedef struct {
    rt_st_entry *e;
    size_t n;            /* entries filled, the extra ones not counted */
    char **ema_names;    /* owned "ema." names, one per EMA entry */
    size_t n_ema;
} rt_weights_list;

void rt_weights_list_of(const rt_store *s, const rt_tensor_info *t, size_t n, size_t extra,
                        rt_weights_list *out);
void rt_weights_list_free(rt_weights_list *l);

int rt_weights_save(const char *path, const rt_store *s, const rt_tensor_info *t, size_t n,
                    const rt_st_kv *meta, size_t n_meta, rt_err *err);
/* Loads every entry of rt_weights_list_of from st; the first missing
 * tensor or shape/dtype mismatch stops with an error naming it (tensors
 * before it have already been overwritten). */
int rt_weights_load(const rt_st *st, const rt_store *s, const rt_tensor_info *t, size_t n,
                    rt_err *err);

#endif

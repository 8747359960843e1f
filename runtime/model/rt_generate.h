/* rt_generate.h - running a compiled network over any number of samples.
 * The generated `generate` works on exactly `batch` samples of each of its
 * inputs; this helper feeds it full chunks and pads the last one with
 * zeros, keeping only the samples that were asked for.
 * Leaves out: threading, choosing the inputs (rt_latent.h, the sampler). */
#ifndef RT_GENERATE_H
#define RT_GENERATE_H

#include <stddef.h>

#include "model/rt_model.h"

/* out: batch samples; in[i]: batch samples of input i (rt_model.h). */
typedef void (*rt_generate_fn)(float *out, const float *const *in);

/* in[i]: n * in_size[i] floats, for i < n_inputs; out: n * out_size floats. */
void rt_generate_n(rt_generate_fn generate, int batch, int n_inputs, const size_t *in_size,
                   const float *const *in, size_t n, size_t out_size, float *out);

/* What `sample -n n` runs: whole chunks of m->many_batch samples through
 * m->generate_many (when the model has one), the rest through m->generate.
 * in[i]: n * m->inputs[i].size floats. */
void rt_generate_sampler(const rt_sampler_model *m, const float *const *in, size_t n,
                         float *out);

#endif

/* rt_generate.h - running a compiled generator over any number of latents.
 * The generated `generate` works on exactly `batch` latents; this helper
 * feeds it full chunks and pads the last one with zeros, keeping only the
 * samples that were asked for.
 * Leaves out: threading, choosing the latents (rt_latent.h). */
#ifndef RT_GENERATE_H
#define RT_GENERATE_H

#include <stddef.h>

#include "model/rt_model.h"

typedef void (*rt_generate_fn)(float *out, const float *z);

/* z: n*latent_size floats; out: n*sample_size floats. */
void rt_generate_n(rt_generate_fn generate, int batch, size_t latent_size,
                   size_t sample_size, const float *z, size_t n, float *out);

/* What `sample -n n` runs: whole chunks of m->many_batch latents through
 * m->generate_many (when the model has one), the rest through m->generate. */
void rt_generate_sampler(const rt_sampler_model *m, const float *z, size_t n, float *out);

#endif

/* rt_fixed_inputs.h - inputs of the generating network fixed for a whole
 * run, and the network run on them: what the trainer's pictures
 * (rt_pictures.h) and quality metrics (rt_eval.h) show step after step.
 *
 *   LATENT  drawn from the caller's rng, input after input
 *   CLASS   sample s asks for class (s / per_class) mod classes: classes in
 *           turn (per_class 1) or a row of a picture each (per_class 8)
 * DATA inputs are left empty: the callers do not run such networks.
 */
#ifndef RT_FIXED_INPUTS_H
#define RT_FIXED_INPUTS_H

#include <stddef.h>

#include "core/rt_rng.h"
#include "model/rt_model.h"

/* n samples of each of m's generating inputs: [n_gen_inputs] malloc'd
 * arrays, freed by rt_fixed_inputs_free. */
float **rt_fixed_inputs_new(const rt_model *m, size_t n, size_t per_class, rt_rng *rng);
void rt_fixed_inputs_free(const rt_model *m, float **in);
/* The generating network on them (n samples into out), with its moving
 * average of the weights when it keeps one (swapped in and back). */
void rt_fixed_generate(const rt_model *m, float *const *in, size_t n, float *out);

#endif

/* rt_latent.h - drawing latent vectors z for the generator.
 * RT_LATENT_NORMAL draws N(0, 1); RT_LATENT_UNIFORM draws U(-1, 1).
 * Leaves out: truncation, other priors. */
#ifndef RT_LATENT_H
#define RT_LATENT_H

#include <stddef.h>

#include "core/rt_rng.h"

void rt_latent_fill(int latent_dist, rt_rng *rng, float *z, size_t n);
const char *rt_latent_name(int latent_dist);   /* "normal", "uniform" */

#endif

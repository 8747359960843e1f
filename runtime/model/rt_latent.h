/* rt_latent.h - drawing latent vectors z for a network's latent inputs.
 * RT_LATENT_NORMAL draws N(0, 1); RT_LATENT_UNIFORM draws U(-1, 1).
 * The truncation trick (BigGAN, StyleGAN's psi) is the same draw truncated
 * to |z| <= psi by drawing again each value outside it.
 * Leaves out: other priors, StyleGAN's truncation towards a mean latent. */
#ifndef RT_LATENT_H
#define RT_LATENT_H

#include <stddef.h>

#include "core/rt_rng.h"

void rt_latent_fill(int latent_dist, rt_rng *rng, float *z, size_t n);
/* psi > 0; values beyond psi are drawn again (for a uniform latent, psi
 * >= 1 changes nothing). */
void rt_latent_fill_truncated(int latent_dist, rt_rng *rng, float *z, size_t n, float psi);
const char *rt_latent_name(int latent_dist);   /* "normal", "uniform" */

#endif

/* rt_latent.c - latent vectors for the generator (see rt_latent.h). */
#include "model/rt_latent.h"

#include "core/rt_err.h"
#include "model/rt_model.h"

void rt_latent_fill(int latent_dist, rt_rng *rng, float *z, size_t n)
{
    rt_assert(latent_dist == RT_LATENT_NORMAL || latent_dist == RT_LATENT_UNIFORM);
    if (latent_dist == RT_LATENT_NORMAL)
        rt_rng_fill_normal(rng, z, n, 0.0f, 1.0f);
    else
        rt_rng_fill_uniform(rng, z, n, -1.0f, 1.0f);
}

void rt_latent_fill_truncated(int latent_dist, rt_rng *rng, float *z, size_t n, float psi)
{
    rt_assert(psi > 0);
    for (size_t i = 0; i < n; i++)
        do
            rt_latent_fill(latent_dist, rng, &z[i], 1);
        while (z[i] > psi || z[i] < -psi);
}

const char *rt_latent_name(int latent_dist)
{
    return latent_dist == RT_LATENT_NORMAL ? "normal" : "uniform";
}

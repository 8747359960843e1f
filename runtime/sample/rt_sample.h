/* rt_sample.h - the sampler's main: what a generated sample.c calls.
 *
 * Loads the generator's weights (a file or the embedded bytes), draws or
 * reads latents, generates and writes .npy, .csv or PNG.  Part of
 * libganc_sample.a, which links with libc and libm alone.
 */
#ifndef RT_SAMPLE_H
#define RT_SAMPLE_H

#include "model/rt_model.h"
#include "sample/rt_sample_parts.h"   /* the parts a model names */

/* Runs the sampler command line (`sample --help` lists the flags).
 * Returns the process exit status: 0 ok, 2 usage or input error, 1 other. */
int rt_sample_main(const rt_sampler_model *m, int argc, char **argv);

/* The same for a sampler of several networks (sample: {networks: [...]}):
 * `--network NAME` picks which of models[0..n) (named names[i]) runs,
 * models[0] by default; an unknown NAME exits 2 listing the valid ones,
 * and --help lists them after the flags (rt_sample_networks.c). */
int rt_sample_networks_main(const rt_sampler_model *const *models, const char *const *names,
                            int n, int argc, char **argv);

#endif

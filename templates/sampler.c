/* @@HEADER@@ */
/* templates/sampler.c - the deployable sampler of one model.
 *
 * A template that ganc fills (each line holding a slot marker is replaced).
 * The sampler holds the generator alone, in inference mode; it links libc
 * and libm only, so its large products call the runtime's own rt_sgemm,
 * never a BLAS library.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "kernels/rt_math.h"
#include "sample/rt_sample.h"
/* @@INCLUDES@@ */

static inline float gan_softplus(float x)
{
    return x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x));
}

enum { BATCH = 1, LATENT = 1, SAMPLE_SIZE = 1 }; /* @@CONSTANTS@@ */
static float ws[1]; /* @@BUFFERS@@ */
/* @@LAYER_FUNCTIONS@@ */
/* @@STEP_FUNCTIONS@@ */
static const rt_tensor_info tensors[1]; /* @@TENSOR_TABLE@@ */
/* @@EMBED@@ */

static const rt_sampler_model model = {
    .model_name = "template", .tensors = tensors, /* @@MODEL_FIELDS@@ */
};
/* @@NETWORKS@@ */

#ifndef GANC_NO_MAIN
int main(int argc, char **argv)
{
    (void)ws;
    (void)gan_softplus;
    return rt_sample_main(&model, argc, argv); /* @@MAIN_CALL@@ */
}
#else
/* tests link the generated code without main and reach the model here */
const rt_sampler_model *ganc_model(void);
const rt_sampler_model *ganc_model(void)
{
    (void)ws;
    (void)gan_softplus;
    return &model;
}
#endif

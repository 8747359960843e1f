/* @@HEADER@@ */
/* templates/trainer.c - the trainer of one model.
 *
 * A template that ganc fills: each line holding a slot marker is replaced by
 * generated text.  As it stands it compiles to an empty model, which keeps
 * the template honest C.  The training loop itself is model independent and
 * lives in the runtime (rt_train_main).
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "kernels/rt_math.h"
#include "train/rt_train.h"
/* @@INCLUDES@@ */

static inline float gan_softplus(float x)
{
    /* log(1 + e^x) without overflow for large |x| */
    return x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x));
}

/* Dropout masks: a counter-based hash of (this step's noise seed, the mask,
 * the element), so a mask is the same wherever it is recomputed in a step. */
static uint64_t noise_seed;

static inline int gan_dropout_keep(int mask, long i, float drop)
{
    uint64_t h = noise_seed ^ ((uint64_t)mask << 40) ^ (uint64_t)i;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (float)(h >> 40) * (1.0f / 16777216.0f) >= drop;
}

/* Uniform noise in [0, 1) from the same hash: the interpolation weights of a
 * gradient penalty, equal wherever the step recomputes them. */
static inline float gan_uniform(int stream, long i)
{
    uint64_t h = noise_seed ^ ((uint64_t)stream << 40) ^ (uint64_t)i ^ 0x9e3779b97f4a7c15ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return (float)(h >> 40) * (1.0f / 16777216.0f);
}

enum { BATCH = 1, LATENT = 1, SAMPLE_SIZE = 1 }; /* @@CONSTANTS@@ */
static float ws[1]; /* @@BUFFERS@@ */
/* @@LAYER_FUNCTIONS@@ */
/* @@STEP_FUNCTIONS@@ */
static const rt_tensor_info tensors[1]; /* @@TENSOR_TABLE@@ */
static void set_threads(int n) { (void)n; } /* @@THREADS@@ */
static const char model_yaml[] = ""; /* @@SOURCE@@ */

static const rt_model model = {
    .model_name = "template", .tensors = tensors, /* @@MODEL_FIELDS@@ */
};

#ifndef GANC_NO_MAIN
int main(int argc, char **argv)
{
    (void)ws;
    (void)gan_softplus;
    (void)gan_dropout_keep;
    (void)gan_uniform;
    return rt_train_main(&model, argc, argv);
}
#else
/* tests link the generated code without main and reach the model here */
const rt_model *ganc_model(void);
const rt_model *ganc_model(void)
{
    (void)ws;
    (void)gan_softplus;
    (void)gan_dropout_keep;
    (void)gan_uniform;
    return &model;
}
#endif

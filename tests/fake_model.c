/* fake_model.c - a hand-written stand-in for ganc's generated code, to
 * smoke-test rt_train_main and rt_sample_main end to end.
 *
 * G: a linear map from z to a sample (tanh on top for the image variant),
 * D: logistic regression on the sample, non-saturating GAN losses with
 * exact gradients.  G also keeps one state tensor (a running mean of its
 * outputs, like batchnorm's) so state save/load is exercised.
 * Build variants (see runtime/dev.mk):
 *   default          ring8 data, 2-D points, batch 8, latent 2
 *   -DFAKE_IMAGE     CSV data of 1x4x4 images, batch 5, latent 3, uniform z
 *   -DFAKE_SAMPLER   main() runs rt_sample_main instead of rt_train_main
 *   -DFAKE_EMBED     (with FAKE_SAMPLER) weights embedded in the program
 * FAKE_NAN_AT=k in the environment makes the k-th D step return NaN.
 * Leaves out: anything a real model would learn.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/rt_model.h"
#ifdef FAKE_SAMPLER
#include "sample/rt_sample.h"
#else
#include "train/rt_train.h"
#endif

#ifdef FAKE_IMAGE
#define NAME "fake_image"
#define LATENT 3
#define OUT 16
#define BATCH 5
#define USE_TANH 1
#else
#define NAME "fake_ring"
#define LATENT 2
#define OUT 2
#define BATCH 8
#define USE_TANH 0
#endif

/* G params: W[OUT][LATENT] then b[OUT]; G state: running mean[OUT].
 * D params: w[OUT] then c. */
#define G_W 0
#define G_B (OUT * LATENT)
#define G_PARAMS (OUT * LATENT + OUT)
#define D_W 0
#define D_C OUT
#define D_PARAMS (OUT + 1)

static float g_params[G_PARAMS], g_state[OUT];
#ifndef FAKE_SAMPLER
static float g_grads[G_PARAMS], d_params[D_PARAMS], d_grads[D_PARAMS], fake[BATCH * OUT];
#endif

static const rt_tensor_info TENSORS[] = {
    { "generator.fc.weight", RT_NET_G, RT_ROLE_PARAM, G_W, 2, { OUT, LATENT }, RT_INIT_UNIFORM,
      -0.5f, 0.5f },
    { "generator.fc.bias", RT_NET_G, RT_ROLE_PARAM, G_B, 1, { OUT }, RT_INIT_ZERO, 0, 0 },
    { "generator.out.running_mean", RT_NET_G, RT_ROLE_STATE, 0, 1, { OUT }, RT_INIT_ZERO,
      0, 0 },
    { "discriminator.fc.weight", RT_NET_D, RT_ROLE_PARAM, D_W, 2, { 1, OUT },
      RT_INIT_NORMAL, 0.0f, 0.1f },
    { "discriminator.fc.bias", RT_NET_D, RT_ROLE_PARAM, D_C, 1, { 1 }, RT_INIT_ONE, 0, 0 },
};
#define N_G_TENSORS 3

static void g_forward(float *out, const float *z)
{
    for (int i = 0; i < BATCH; i++)
        for (int o = 0; o < OUT; o++) {
            float a = g_params[G_B + o];
            for (int k = 0; k < LATENT; k++)
                a += g_params[G_W + o * LATENT + k] * z[i * LATENT + k];
            out[i * OUT + o] = USE_TANH ? tanhf(a) : a;
        }
}

#ifndef FAKE_SAMPLER
static float softplus(float x)
{
    return x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x));
}

static float sigmoid(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

static float d_logit(const float *x)
{
    float a = d_params[D_C];
    for (int o = 0; o < OUT; o++)
        a += d_params[D_W + o] * x[o];
    return a;
}

/* Adds dL/dlogit * x to the D gradients. */
static void d_accumulate(const float *x, float dlogit)
{
    for (int o = 0; o < OUT; o++)
        d_grads[D_W + o] += dlogit * x[o];
    d_grads[D_C] += dlogit;
}

/* the model's g_forward: keeps G's output for d_step */
static void train_g_forward(const float *z)
{
    g_forward(fake, z);
}

static float d_step(const float *real)
{
    static long calls;
    const char *nan_at = getenv("FAKE_NAN_AT");
    ++calls;
    if (nan_at && calls == atol(nan_at))
        return NAN;
    memset(d_grads, 0, sizeof d_grads);
    float loss = 0;
    for (int i = 0; i < BATCH; i++) {
        float lr = d_logit(real + i * OUT), lf = d_logit(fake + i * OUT);
        loss += softplus(-lr) + softplus(lf);
        d_accumulate(real + i * OUT, -sigmoid(-lr) / BATCH);
        d_accumulate(fake + i * OUT, sigmoid(lf) / BATCH);
    }
    /* FAKE_INF_GRAD_AT=N: the Nth call leaves an Inf in one gradient while
     * its loss stays finite, so the trainer must find and name the tensor */
    const char *inf_at = getenv("FAKE_INF_GRAD_AT");
    if (inf_at && calls == atol(inf_at))
        d_grads[D_C] = INFINITY;
    return loss / BATCH;
}

static float g_step(const float *z)
{
    g_forward(fake, z);
    memset(g_grads, 0, sizeof g_grads);
    float loss = 0;
    for (int i = 0; i < BATCH; i++) {
        float l = d_logit(fake + i * OUT);
        loss += softplus(-l);
        float dlogit = -sigmoid(-l) / BATCH;
        for (int o = 0; o < OUT; o++) {
            float y = fake[i * OUT + o];
            float da = dlogit * d_params[D_W + o] * (USE_TANH ? 1 - y * y : 1);
            for (int k = 0; k < LATENT; k++)
                g_grads[G_W + o * LATENT + k] += da * z[i * LATENT + k];
            g_grads[G_B + o] += da;
        }
    }
    for (int o = 0; o < OUT; o++) {   /* running mean of the outputs */
        float mean = 0;
        for (int i = 0; i < BATCH; i++)
            mean += fake[i * OUT + o] / BATCH;
        g_state[o] = 0.9f * g_state[o] + 0.1f * mean;
    }
    return loss / BATCH;
}

#endif

static void generate(float *out, const float *z)
{
    g_forward(out, z);
}

#ifndef FAKE_SAMPLER
static const rt_model MODEL = {
    .model_name = NAME,
    .source_yaml = "tests/fake_model.c",
    .ganc_version = "0.0-test",
    .arch_hash = 0x0123456789abcdefull,
    .batch = BATCH,
    .latent_size = LATENT,
#ifdef FAKE_IMAGE
    .latent_dist = RT_LATENT_UNIFORM,
    .sample_ndim = 3,
    .sample_shape = { 1, 4, 4 },
    .data_kind = RT_DATA_CSV,
    .data_path = "fake_images.csv",   /* relative to the working directory */
#else
    .latent_dist = RT_LATENT_NORMAL,
    .sample_ndim = 1,
    .sample_shape = { 2 },
    .data_kind = RT_DATA_RING8,
#endif
    .sample_size = OUT,
    .tensors = TENSORS,
    .n_tensors = sizeof TENSORS / sizeof TENSORS[0],
    .params = { g_params, d_params },
    .grads = { g_grads, d_grads },
    .param_count = { G_PARAMS, D_PARAMS },
    .state = { g_state, NULL },
    .state_count = { OUT, 0 },
    .optim = { { RT_OPTIM_ADAM, 1e-2f, 0.5f, 0.999f, 1e-8f, 0 },
               { RT_OPTIM_SGD, 1e-2f, 0, 0, 0, 0.9f } },
    .steps = 300,
    .d_steps = 2,
    .log_every = 50,
    .sample_every = 100,
    .checkpoint_every = 150,
    .seed = 7,
    .g_forward = train_g_forward,
    .d_step = d_step,
    .g_step = g_step,
    .generate = generate,
};

int main(int argc, char **argv)
{
    return rt_train_main(&MODEL, argc, argv);
}
#else
static const rt_sampler_model SAMPLER = {
    .model_name = NAME,
    .ganc_version = "0.0-test",
    .arch_hash = 0x0123456789abcdefull,
    .batch = BATCH,
    .latent_size = LATENT,
#ifdef FAKE_IMAGE
    .latent_dist = RT_LATENT_UNIFORM,
    .sample_ndim = 3,
    .sample_shape = { 1, 4, 4 },
#else
    .latent_dist = RT_LATENT_NORMAL,
    .sample_ndim = 1,
    .sample_shape = { 2 },
#endif
    .sample_size = OUT,
    .tensors = TENSORS,
    .n_tensors = N_G_TENSORS,
    .params = g_params,
    .param_count = G_PARAMS,
    .state = g_state,
    .state_count = OUT,
    .generate = generate,
};

#ifdef FAKE_EMBED
/* Weights embedded the way `ganc --embed-weights` would: a safetensors
 * image in the executable.  W = 2*I, b = (1, -1): sample = 2*z + b. */
static unsigned char embedded[1024];

static size_t build_embedded(void)
{
    const float data[8] = { 2, 0, 0, 2, 1, -1, 0, 0 };
    char h[512];
    int n = snprintf(h, sizeof h, "{\"generator.fc.weight\":{\"dtype\":\"F32\",\"shape\":"
                     "[2,2],\"data_offsets\":[0,16]},\"generator.fc.bias\":{\"dtype\":"
                     "\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                     "\"generator.out.running_mean\":{\"dtype\":\"F32\",\"shape\":[2],"
                     "\"data_offsets\":[24,32]}}");
    while (n % 8)
        h[n++] = ' ';
    for (int i = 0; i < 8; i++)
        embedded[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(embedded + 8, h, (size_t)n);
    memcpy(embedded + 8 + n, data, sizeof data);
    return 8 + (size_t)n + sizeof data;
}

int main(int argc, char **argv)
{
    rt_sampler_model m = SAMPLER;
    m.embedded_size = build_embedded();
    m.embedded_weights = embedded;
    return rt_sample_main(&m, argc, argv);
}
#else
int main(int argc, char **argv)
{
    return rt_sample_main(&SAMPLER, argc, argv);
}
#endif
#endif

/* fake_model.c - a hand-written stand-in for ganc's generated code, to
 * smoke-test rt_train_main and rt_sample_main end to end through the
 * tables of rt_model.h.
 *
 * The classic model (two networks, the variables real and z, the updates
 * d then g), as ganc emits it for a YAML of one generator and one
 * discriminator:
 *   G: a linear map from z to a sample (tanh on top for the image
 *      variant), with one state tensor (a running mean of its outputs, like
 *      batchnorm's) so that state save/load is exercised;
 *   D: logistic regression on the sample, non-saturating GAN losses with
 *      exact gradients.
 * The multi model (-DFAKE_MULTI) has three networks and a class:
 *   G reads z and a class y (an embedding row added to its output), keeps
 *     an EMA copy (decay 0.9);
 *   D as above, its update repeated twice and clipped to [-0.05, 0.05];
 *   E, an encoder x -> z trained on G's samples by a third update with
 *     two logged terms (recon: mean squared error, reg: the squared norm
 *     of its weights, weighted 0.01).
 *   Updates: d {draws real, z, y; forward G; repeat 2; clip}, g {draws
 *   nothing: d's last z and y}, e {draws z, y; forward G}.
 * Build variants (tests/tests.mk):
 *   default          ring8 data, 2-D points, batch 8, latent 2
 *   -DFAKE_IMAGE     CSV data of 1x4x4 images, batch 5, latent 3, uniform z
 *   -DFAKE_MULTI     the multi model on the same CSV images, 4 classes
 *   -DFAKE_DATA_INPUT (with FAKE_MULTI) G also reads a data input x, added
 *                    to its output (the trainer's pictures: input | output)
 *   -DFAKE_SAMPLER   main() runs rt_sample_main instead of rt_train_main
 *   -DFAKE_EMBED     (with FAKE_SAMPLER) weights embedded in the program
 * FAKE_NAN_AT=k in the environment makes the k-th D step return NaN;
 * FAKE_INF_GRAD_AT=k leaves an Inf in its gradient instead.
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

#if defined(FAKE_MULTI)
#define NAME "fake_multi"
#define LATENT 3
#define OUT 16
#define BATCH 5
#define USE_TANH 1
#define CLASSES 4
#elif defined(FAKE_IMAGE)
#define NAME "fake_image"
#define LATENT 3
#define OUT 16
#define BATCH 5
#define USE_TANH 1
#define CLASSES 0
#else
#define NAME "fake_ring"
#define LATENT 2
#define OUT 2
#define BATCH 8
#define USE_TANH 0
#define CLASSES 0
#endif

/* G params: W[OUT][LATENT], b[OUT], then (multi) the class table
 * C[CLASSES][OUT]; G state: running mean[OUT].  D params: w[OUT] then c.
 * E params: A[LATENT][OUT] then a[LATENT]. */
#define G_W 0
#define G_B (OUT * LATENT)
#define G_C (OUT * LATENT + OUT)
#define G_PARAMS (OUT * LATENT + OUT + CLASSES * OUT)
#define D_W 0
#define D_C OUT
#define D_PARAMS (OUT + 1)
#define E_A 0
#define E_BIAS (LATENT * OUT)
#define E_PARAMS (LATENT * OUT + LATENT)

static float g_params[G_PARAMS], g_state[OUT];

static const rt_tensor_info TENSORS[] = {
    { "generator.fc.weight", 0, RT_ROLE_PARAM, G_W, 2, { OUT, LATENT }, RT_INIT_UNIFORM,
      -0.5f, 0.5f },
    { "generator.fc.bias", 0, RT_ROLE_PARAM, G_B, 1, { OUT }, RT_INIT_ZERO, 0, 0 },
#if CLASSES
    { "generator.embed.weight", 0, RT_ROLE_PARAM, G_C, 2, { CLASSES, OUT }, RT_INIT_NORMAL,
      0.0f, 0.1f },
#endif
    { "generator.out.running_mean", 0, RT_ROLE_STATE, 0, 1, { OUT }, RT_INIT_ZERO, 0, 0 },
    { "discriminator.fc.weight", 1, RT_ROLE_PARAM, D_W, 2, { 1, OUT }, RT_INIT_NORMAL, 0.0f,
      0.1f },
    { "discriminator.fc.bias", 1, RT_ROLE_PARAM, D_C, 1, { 1 }, RT_INIT_ONE, 0, 0 },
#ifdef FAKE_MULTI
    { "encoder.fc.weight", 2, RT_ROLE_PARAM, E_A, 2, { LATENT, OUT }, RT_INIT_NORMAL, 0.0f,
      0.1f },
    { "encoder.fc.bias", 2, RT_ROLE_PARAM, E_BIAS, 1, { LATENT }, RT_INIT_ZERO, 0, 0 },
#endif
};
#define N_G_TENSORS (CLASSES ? 4 : 3)

/* G on z (and class y, and data x): out[BATCH][OUT] */
static void g_forward(float *out, const float *z, const float *y, const float *x)
{
    for (int i = 0; i < BATCH; i++)
        for (int o = 0; o < OUT; o++) {
            float a = g_params[G_B + o];
            for (int k = 0; k < LATENT; k++)
                a += g_params[G_W + o * LATENT + k] * z[i * LATENT + k];
            if (CLASSES)
                a += g_params[G_C + (int)y[i] * OUT + o];
            a = USE_TANH ? tanhf(a) : a;
            out[i * OUT + o] = x ? a + x[i * OUT + o] : a;
        }
    (void)y;
}

#ifndef FAKE_SAMPLER
static float g_grads[G_PARAMS], d_params[D_PARAMS], d_grads[D_PARAMS], fake[BATCH * OUT];
static float real[BATCH * OUT], z[BATCH * LATENT], y[BATCH + 1];
static uint64_t noise_seed;

static float softplus(float v)
{
    return v > 0 ? v + log1pf(expf(-v)) : log1pf(expf(v));
}

static float sigmoid(float v)
{
    return 1.0f / (1.0f + expf(-v));
}

static float d_logit(const float *v)
{
    float a = d_params[D_C];
    for (int o = 0; o < OUT; o++)
        a += d_params[D_W + o] * v[o];
    return a;
}

/* Adds dL/dlogit * v to the D gradients. */
static void d_accumulate(const float *v, float dlogit)
{
    for (int o = 0; o < OUT; o++)
        d_grads[D_W + o] += dlogit * v[o];
    d_grads[D_C] += dlogit;
}

/* the d update's forward: G's output kept for d_step */
static void forward_g(void)
{
    g_forward(fake, z, y, NULL);
}

static float d_step(void)
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

static float g_step(void)
{
    g_forward(fake, z, y, NULL);
    memset(g_grads, 0, sizeof g_grads);
    float loss = 0;
    for (int i = 0; i < BATCH; i++) {
        float l = d_logit(fake + i * OUT);
        loss += softplus(-l);
        float dlogit = -sigmoid(-l) / BATCH;
        for (int o = 0; o < OUT; o++) {
            float v = fake[i * OUT + o];
            float da = dlogit * d_params[D_W + o] * (USE_TANH ? 1 - v * v : 1);
            for (int k = 0; k < LATENT; k++)
                g_grads[G_W + o * LATENT + k] += da * z[i * LATENT + k];
            g_grads[G_B + o] += da;
            if (CLASSES)
                g_grads[G_C + (int)y[i] * OUT + o] += da;
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

#ifdef FAKE_MULTI
static float e_params[E_PARAMS], e_grads[E_PARAMS], e_terms[2];

/* E learns to recover z from G(z, y): recon = mean (A x + a - z)^2,
 * reg = |A|^2, loss = recon + 0.01 reg */
static float e_step(void)
{
    memset(e_grads, 0, sizeof e_grads);
    float recon = 0, reg = 0;
    for (int i = 0; i < BATCH; i++)
        for (int k = 0; k < LATENT; k++) {
            float a = e_params[E_BIAS + k];
            for (int o = 0; o < OUT; o++)
                a += e_params[E_A + k * OUT + o] * fake[i * OUT + o];
            float diff = a - z[i * LATENT + k], g = 2 * diff / (BATCH * LATENT);
            recon += diff * diff / (BATCH * LATENT);
            for (int o = 0; o < OUT; o++)
                e_grads[E_A + k * OUT + o] += g * fake[i * OUT + o];
            e_grads[E_BIAS + k] += g;
        }
    for (int j = 0; j < LATENT * OUT; j++) {
        reg += e_params[E_A + j] * e_params[E_A + j];
        e_grads[E_A + j] += 0.02f * e_params[E_A + j];
    }
    e_terms[0] = recon;
    e_terms[1] = reg;
    return recon + 0.01f * reg;
}

static float g_ema[G_PARAMS];
static rt_net nets[] = {
    { "generator", g_params, g_grads, G_PARAMS, g_state, OUT, g_ema, 0.9f },
    { "discriminator", d_params, d_grads, D_PARAMS, NULL, 0, NULL, 0 },
    { "encoder", e_params, e_grads, E_PARAMS, NULL, 0, NULL, 0 },
};
static rt_var vars[] = {
    { "real", RT_VAR_DATA, OUT, 0, 0, 0, -1, -1, real },
    { "z", RT_VAR_LATENT, LATENT, RT_LATENT_NORMAL, 0, 0, -1, -1, z },
    { "y", RT_VAR_CLASS, 1, 0, CLASSES, 0, -1, -1, y },
};
static const int d_nets[] = { 1 }, g_nets[] = { 0 }, e_nets[] = { 2 };
static const int d_draws[] = { 0, 1, 2 }, e_draws[] = { 1, 2 };
static const char *const e_term_names[] = { "recon", "reg" };
static const rt_update updates[] = {
    { "d", d_nets, 1, { RT_OPTIM_SGD, 1e-2f, 0, 0, 0, 0.9f }, 2, 0.05f, d_draws, 3, forward_g,
      d_step, 0, NULL, NULL, 0, 0 },
    { "g", g_nets, 1, { RT_OPTIM_ADAM, 1e-2f, 0.5f, 0.999f, 1e-8f, 0 }, 1, 0, NULL, 0, NULL,
      g_step, 0, NULL, NULL, 0, 0 },
    { "e", e_nets, 1, { RT_OPTIM_ADAM, 1e-2f, 0.5f, 0.999f, 1e-8f, 0 }, 1, 0, e_draws, 2,
      forward_g, e_step, 2, e_term_names, e_terms, 0, 0 },
};
#else
static rt_net nets[] = {
    { "generator", g_params, g_grads, G_PARAMS, g_state, OUT, NULL, 0 },
    { "discriminator", d_params, d_grads, D_PARAMS, NULL, 0, NULL, 0 },
};
static rt_var vars[] = {
    { "real", RT_VAR_DATA, OUT, 0, 0, 0, -1, -1, real },
#ifdef FAKE_IMAGE
    { "z", RT_VAR_LATENT, LATENT, RT_LATENT_UNIFORM, 0, 0, -1, -1, z },
#else
    { "z", RT_VAR_LATENT, LATENT, RT_LATENT_NORMAL, 0, 0, -1, -1, z },
#endif
};
static const int d_nets[] = { 1 }, g_nets[] = { 0 }, d_draws[] = { 0, 1 };
static const rt_update updates[] = {
    { "d", d_nets, 1, { RT_OPTIM_SGD, 1e-2f, 0, 0, 0, 0.9f }, 2, 0, d_draws, 2, forward_g,
      d_step, 0, NULL, NULL, 0, 0 },
    { "g", g_nets, 1, { RT_OPTIM_ADAM, 1e-2f, 0.5f, 0.999f, 1e-8f, 0 }, 1, 0, NULL, 0, NULL,
      g_step, 0, NULL, NULL, 0, 0 },
};
#endif
#endif /* !FAKE_SAMPLER */

/* the network's inputs, for the sampler and the trainer's pictures */
static const rt_input_info INPUTS[] = {
#ifdef FAKE_IMAGE
    { "z", RT_VAR_LATENT, LATENT, RT_LATENT_UNIFORM, 0, 0, { 0 } },
#else
    { "z", RT_VAR_LATENT, LATENT, RT_LATENT_NORMAL, 0, 0, { 0 } },
#endif
#if CLASSES
    { "y", RT_VAR_CLASS, 1, 0, CLASSES, 0, { 0 } },
#endif
#ifdef FAKE_DATA_INPUT
    { "x", RT_VAR_DATA, OUT, 0, 0, 3, { 1, 4, 4 } },
#endif
};
#define N_INPUTS ((int)(sizeof INPUTS / sizeof INPUTS[0]))

static void generate(float *out, const float *const *in)
{
#ifdef FAKE_DATA_INPUT
    g_forward(out, in[0], in[1], in[2]);
#else
    g_forward(out, in[0], CLASSES ? in[1] : NULL, NULL);
#endif
}

#if defined(FAKE_MULTI) || defined(FAKE_IMAGE)
#define OUT_FIELDS .out_ndim = 3, .out_shape = { 1, 4, 4 }, .out_size = OUT
#else
#define OUT_FIELDS .out_ndim = 1, .out_shape = { 2 }, .out_size = OUT
#endif

#ifndef FAKE_SAMPLER
#if defined(FAKE_MULTI) || defined(FAKE_IMAGE)
static const rt_data_source SOURCE = {
    .name = "data", .kind = RT_DATA_CSV,
    .path = "fake_images.csv",   /* relative to the working directory */
    .sample_ndim = 3, .sample_shape = { 1, 4, 4 }, .sample_size = OUT,
};
#else
static const rt_data_source SOURCE = {
    .name = "data", .kind = RT_DATA_RING8,
    .sample_ndim = 1, .sample_shape = { 2 }, .sample_size = OUT,
};
#endif
static const rt_model MODEL = {
    .model_name = NAME,
    .source_yaml = "tests/fake_model.c",
    .ganc_version = "0.0-test",
    .arch_hash = 0x0123456789abcdefull,
    .batch = BATCH,
    .sources = &SOURCE,
    .n_sources = 1,
    .tensors = TENSORS,
    .n_tensors = sizeof TENSORS / sizeof TENSORS[0],
    .nets = nets,
    .n_nets = sizeof nets / sizeof nets[0],
    .vars = vars,
    .n_vars = sizeof vars / sizeof vars[0],
    .updates = updates,
    .n_updates = sizeof updates / sizeof updates[0],
    .steps = 300,
    .log_every = 50,
    .sample_every = 100,
    .checkpoint_every = 150,
    .seed = 7,
    .gen_net = 0,
    .gen_inputs = INPUTS,
    .n_gen_inputs = N_INPUTS,
    OUT_FIELDS,
    .generate = generate,
    .noise_seed = &noise_seed,
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
    .inputs = INPUTS,
    .n_inputs = N_INPUTS,
    OUT_FIELDS,
    .tensors = TENSORS,
    .n_tensors = N_G_TENSORS,
    .params = g_params,
    .param_count = G_PARAMS,
    .state = g_state,
    .state_count = OUT,
    .generate = generate,
    .parts = &rt_sample_all_parts,
};

#ifdef FAKE_EMBED
/* Weights embedded the way `ganc --embed-weights` would: a safetensors
 * image in the executable.  W = 2*I, b = (1, -1): sample = 2*z + b.  With
 * FAKE_EMBED_EMA the file also holds an EMA copy, W = 3*I, b = (0, 0),
 * which the sampler uses unless --raw. */
static unsigned char embedded[2048];

static size_t build_embedded(void)
{
    const float data[14] = { 2, 0, 0, 2, 1, -1, 0, 0, 3, 0, 0, 3, 0, 0 };
    char h[1024];
    int n = snprintf(h, sizeof h, "{\"generator.fc.weight\":{\"dtype\":\"F32\",\"shape\":"
                     "[2,2],\"data_offsets\":[0,16]},\"generator.fc.bias\":{\"dtype\":"
                     "\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                     "\"generator.out.running_mean\":{\"dtype\":\"F32\",\"shape\":[2],"
                     "\"data_offsets\":[24,32]}%s}", getenv("FAKE_EMBED_EMA") ?
                     ",\"ema.generator.fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],"
                     "\"data_offsets\":[32,48]},\"ema.generator.fc.bias\":{\"dtype\":\"F32\","
                     "\"shape\":[2],\"data_offsets\":[48,56]}" : "");
    size_t bytes = getenv("FAKE_EMBED_EMA") ? sizeof data : 32;
    while (n % 8)
        h[n++] = ' ';
    for (int i = 0; i < 8; i++)
        embedded[i] = (unsigned char)((uint64_t)n >> (8 * i));
    memcpy(embedded + 8, h, (size_t)n);
    memcpy(embedded + 8 + n, data, bytes);
    return 8 + (size_t)n + bytes;
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

/* rt_model.h - the contract between ganc's generated code and the runtime.
 *
 * ganc emits, for each model, a C file that fills one `rt_model` (for the
 * trainer) or one `rt_sampler_model` (for the sampler) and calls
 * rt_train_main() (train/rt_train.h) / rt_sample_main() (sample/rt_sample.h).  Everything that does not depend on the
 * model (flags, data, the training loop, optimizers, logging, pictures, files)
 * lives in the runtime and is compiled once.
 *
 * Ownership: all arrays named here are static arrays of the generated code,
 * sized at generation time; the runtime reads and writes them in place and
 * never frees them.
 */
#ifndef RT_MODEL_H
#define RT_MODEL_H

#include <stddef.h>
#include <stdint.h>

enum rt_net { RT_NET_G = 0, RT_NET_D = 1 };

/* How a tensor is initialised before training (the values init_a/init_b
 * are resolved by ganc, e.g. PyTorch's default bound 1/sqrt(fan_in)). */
enum rt_init {
    RT_INIT_ZERO = 0,     /* all 0 */
    RT_INIT_ONE,          /* all 1 */
    RT_INIT_NORMAL,       /* N(init_a, init_b^2): mean a, std b */
    RT_INIT_UNIFORM       /* U(init_a, init_b) */
};

/* Where a tensor lives: trainable parameters have a gradient of the same
 * layout; state (batchnorm running statistics) is saved but not optimized. */
enum rt_tensor_role { RT_ROLE_PARAM = 0, RT_ROLE_STATE = 1 };

typedef struct {
    const char *name;   /* safetensors name, e.g. "generator.h1.weight" */
    int net;            /* enum rt_net */
    int role;           /* enum rt_tensor_role */
    size_t offset;      /* in floats, into that net's params (or state) array */
    int ndim;           /* 1..4 */
    int shape[4];
    int init;           /* enum rt_init */
    float init_a, init_b;
} rt_tensor_info;

enum rt_optim_kind { RT_OPTIM_ADAM = 0, RT_OPTIM_SGD = 1 };

typedef struct {
    int kind;           /* enum rt_optim_kind */
    float lr, beta1, beta2, eps;  /* Adam */
    float momentum;               /* SGD */
} rt_optim_spec;

enum rt_latent_dist { RT_LATENT_NORMAL = 0, RT_LATENT_UNIFORM = 1 };

/* Data sources.  `path` is the default from the YAML; --data overrides it. */
enum rt_data_kind {
    RT_DATA_RING8 = 0,  /* 8 Gaussians on the unit circle, std 0.01 (PacGAN) */
    RT_DATA_GRID25,     /* 25 Gaussians at {-4,-2,0,2,4}^2, std 0.05 (PacGAN) */
    RT_DATA_CSV,        /* numeric CSV, one sample per row, sample_size columns */
    RT_DATA_IDX,        /* IDX images (optionally .gz), scaled to [-1,1] */
    RT_DATA_PNG_DIR     /* folder of PNG images, scaled to [-1,1] */
};

typedef struct {
    /* identity */
    const char *model_name;    /* YAML `name` */
    const char *source_yaml;   /* path of the YAML as given to ganc */
    const char *ganc_version;
    uint64_t arch_hash;        /* hash of the architecture (names, shapes) */

    /* shapes */
    int batch;                 /* compiled batch size */
    int latent_size;
    int latent_dist;           /* enum rt_latent_dist */
    int sample_ndim;           /* 1 for vectors (C), 3 for images (C,H,W) */
    int sample_shape[3];
    size_t sample_size;        /* floats per generated sample */

    /* data */
    int data_kind;             /* enum rt_data_kind */
    const char *data_path;     /* may be NULL for synthetic data */

    /* tensors */
    const rt_tensor_info *tensors;
    size_t n_tensors;
    float *params[2];          /* [RT_NET_G], [RT_NET_D] */
    float *grads[2];           /* same layout as params */
    size_t param_count[2];
    float *state[2];           /* may be NULL when state_count is 0 */
    size_t state_count[2];

    /* schedule and optimizers (defaults from the YAML; flags override) */
    rt_optim_spec optim[2];
    long steps;
    int d_steps;               /* discriminator steps per generator step */
    long log_every, sample_every, checkpoint_every;
    uint64_t seed;

    /* compiled step functions; all buffers are the generated code's own.
     * One iteration, as PyTorch's DCGAN loop does it, runs G forward once:
     * g_forward: G in training mode on z (batch*latent_size floats); keeps
     *   G's output and the activations g_step needs; updates G's running
     *   statistics.
     * d_step: D loss on one real batch and on g_forward's output; writes
     *   grads[D].
     * g_step: G loss through D on g_forward's output; writes grads[G].  It
     *   uses what the last g_forward saved, so z must be that call's z.
     * generate: G forward in inference mode for one batch of latents:
     *   out is batch*sample_size floats, z is batch*latent_size floats. */
    void (*g_forward)(const float *z);
    float (*d_step)(const float *real);
    float (*g_step)(const float *z);
    void (*generate)(float *out, const float *z);

    /* threads: the generated trainer's only threads are its BLAS library's;
     * set_threads (may be NULL) gives them their number */
    void (*set_threads)(int n);
    /* dropout masks are a hash of *noise_seed, which the trainer sets
     * before every d_step and g_step (NULL: the model has no randomness) */
    uint64_t *noise_seed;

    /* the text of the YAML the trainer was generated from (source_yaml
     * names its path): each run folder keeps a copy; may be NULL */
    const char *model_yaml;
} rt_model;

/* What the sampler needs: the generator alone, in inference mode. */
typedef struct {
    const char *model_name;
    const char *ganc_version;
    uint64_t arch_hash;
    int batch;
    int latent_size;
    int latent_dist;
    int sample_ndim;
    int sample_shape[3];
    size_t sample_size;
    const rt_tensor_info *tensors;   /* generator tensors only */
    size_t n_tensors;
    float *params;                   /* generator parameters */
    size_t param_count;
    float *state;                    /* generator state, may be NULL */
    size_t state_count;
    /* [n_tensors]: where the generator reads each tensor, set when the
     * weights are loaded (rt_sample_weights.h); NULL: it reads the arrays */
    const float **weights;
    void (*generate)(float *out, const float *z);   /* on `batch` latents */
    /* the same on many_batch latents at once, faster per sample when many
     * are asked for; NULL (and 0) when the model has none */
    int many_batch;
    void (*generate_many)(float *out, const float *z);
    const unsigned char *embedded_weights;   /* NULL unless built with --embed-weights */
    size_t embedded_size;
} rt_sampler_model;

#endif

/* rt_model.h - the contract between ganc's generated code and the runtime.
 *
 * ganc emits, for each model, a C file that fills one `rt_model` (for the
 * trainer) or one `rt_sampler_model` (for the sampler) and calls
 * rt_train_main() (train/rt_train.h) / rt_sample_main() (sample/rt_sample.h).  Everything that does not depend on the
 * model (flags, data, the training loop, optimizers, logging, pictures, files)
 * lives in the runtime and is compiled once.
 *
 * A model is networks (rt_net: parameters, gradients, state, an optional
 * moving average of the parameters), variables the runtime draws for each
 * step (rt_var: data batches, their labels, latents, random classes) and
 * the updates of one training iteration in order (rt_update: which
 * networks a compiled step function trains, with which optimizer, how many
 * times, what it draws first).  The classic model (one generator, one
 * discriminator) is two networks, the variables real and z, and the
 * updates d (repeated d_steps times) then g.
 *
 * Ownership: all arrays named here are static arrays of the generated code,
 * sized at generation time; the runtime reads and writes them in place and
 * never frees them.
 * The trainer checks the tables when it starts (train/rt_model_check.h:
 * indices in range, each network trained by at most one update, ...) and
 * exits 1 naming the broken rule.
 */
#ifndef RT_MODEL_H
#define RT_MODEL_H

#include <stddef.h>
#include <stdint.h>

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
    int net;            /* index into rt_model.nets (the sampler: 0, its one network) */
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

/* Where the class labels of a data source come from (data.labels). */
enum rt_labels_kind {
    RT_LABELS_NONE = 0,
    RT_LABELS_IDX,          /* an IDX file of unsigned bytes, one per image (labels_path) */
    RT_LABELS_CSV_COLUMN,   /* one column of the CSV (labels_column); the others are the sample */
    RT_LABELS_FOLDERS       /* png_dir: one subfolder per class, in name order */
};

/* A transform of a data source's images (data: transform:, in the order
 * listed; data/rt_transform.h applies them).  Images are (C, H, W) floats
 * in [-1, 1]; each transform works on every channel alike. */
enum rt_transform_kind {
    RT_TRANSFORM_DOWNSAMPLE = 1,   /* area averaging to size[0] x size[1], which
                                    * divides the image's height and width */
    RT_TRANSFORM_UPSAMPLE,         /* nearest neighbour, to size[0] x size[1], at
                                    * least the image's size */
    RT_TRANSFORM_MASK,             /* rows at[0].. and columns at[1].., size[0] x
                                    * size[1] of them, set to value */
    RT_TRANSFORM_MASK_RANDOM,      /* a size[0] x size[1] box set to value, at a
                                    * place drawn from the training rng each time
                                    * a sample is drawn */
    RT_TRANSFORM_EDGES             /* Sobel gradient magnitude (divided by 8, so a
                                    * straight step from -1 to 1 is 1), then 1
                                    * where it exceeds value (the threshold), else
                                    * -1; the border pixels repeated outwards */
};

typedef struct {
    int kind;                  /* enum rt_transform_kind */
    int size[2];               /* DOWNSAMPLE, UPSAMPLE: the new [H, W]; MASK,
                                * MASK_RANDOM: the box's [h, w] */
    int at[2];                 /* MASK: the box's top row and left column */
    float value;               /* MASK, MASK_RANDOM: the value set; EDGES: the
                                * threshold */
} rt_transform;

/* A source of training samples: the model's `data`, or one of its named
 * sources.  Paths are the defaults from the YAML; the trainer's --data and
 * --labels (--data2, --labels2 for the second source) override them.
 * A source may keep only the rows of some classes and transform each
 * image (data/rt_sources.h): the file's samples are then of file_shape,
 * the source's of sample_shape. */
typedef struct {
    const char *name;          /* "data" for a model of one source; else its
                                * key under data: ("edges", "photos") */
    int kind;                  /* enum rt_data_kind */
    const char *path;          /* may be NULL for synthetic data */
    int labels_kind;           /* enum rt_labels_kind */
    const char *labels_path;   /* RT_LABELS_IDX: the label file */
    int labels_column;         /* RT_LABELS_CSV_COLUMN: 0-based */
    int classes;               /* labels lie in [0, classes); 0 without labels */
    int sample_ndim;           /* a sample: 1 for vectors (C), 3 for images */
    int sample_shape[3];
    size_t sample_size;
    /* The rows of another source's file: the name of the source (of this
     * model) whose file and labels this one reads (its path, labels and
     * file shape are that source's; the file is read once), or NULL */
    const char *from;
    /* The samples as the file holds them, before the transforms; file_ndim
     * 0: as sample_ndim and sample_shape say (no transform) */
    int file_ndim;
    int file_shape[3];
    /* Only the rows of these classes (a labelled source), or all rows when
     * n_keep_classes is 0 */
    const int *keep_classes;
    int n_keep_classes;
    /* Applied in order to each image; those before the first MASK_RANDOM
     * once, when the file is read, the rest each time a sample is drawn */
    const rt_transform *transforms;
    int n_transforms;
} rt_data_source;

/* The trainer has a flag pair (--data, --labels) for each source: ganc
 * refuses a model of more sources, naming its data section. */
enum { RT_DATA_SOURCES_MAX = 2 };

/* A network's storage.  Its tensors (rt_tensor_info with .net = this
 * network's index) are slices of params or state. */
typedef struct {
    const char *name;          /* YAML name; its tensors' names start "NAME." */
    float *params;             /* param_count floats */
    float *grads;              /* same layout: written by the step of the update
                                * that trains the network (each network is
                                * trained by at most one update); may be NULL
                                * for a network no update trains */
    size_t param_count;
    float *state;              /* running statistics, power-iteration vectors;
                                * NULL when state_count is 0 */
    size_t state_count;
    /* an exponential moving average of params, ema = decay * ema + (1 -
     * decay) * params after each optimizer step of the network (each
     * repetition of its update, after clipping; NULL: none).  It starts
     * equal to params; checkpoints and weights files keep it under "ema." +
     * the tensor's name; the sampler and the trainer's pictures use it by
     * default.  State is not averaged: the EMA copy uses the network's state
     * as it is. */
    float *ema;
    float ema_decay;
} rt_net;

/* A frozen network: imported from another model, never trained (its
 * rt_net's grads NULL), applied in inference mode.  Its params and state
 * are read from `weights` when the trainer starts (train/rt_frozen.h),
 * each tensor under its name with the network's name replaced by
 * `prefix`, the imported network's ("F.conv1.weight" is the file's
 * "C.conv1.weight"). */
typedef struct {
    int net;                   /* index into rt_model.nets */
    const char *weights;       /* the weights file, as ganc resolved it */
    const char *prefix;        /* the network's name in that file */
} rt_frozen_net;

/* What the runtime fills a variable with before a step reads it. */
enum rt_var_kind {
    RT_VAR_DATA = 0,    /* a batch of training samples from data source `source`;
                         * of paired sources, a variable whose `rows_of` is
                         * another DATA variable gets that variable's rows */
    RT_VAR_LABEL,       /* the class labels of the DATA variable drawn with it:
                         * integers in [0, classes) held as floats; filled
                         * when that DATA variable is drawn (listing it in
                         * `draws` too changes nothing) */
    RT_VAR_LATENT,      /* noise of distribution `dist` (enum rt_latent_dist) */
    RT_VAR_CLASS        /* class labels drawn uniformly from [0, classes), as floats */
};

typedef struct {
    const char *name;          /* YAML name: "real", "z", "y" */
    int kind;                  /* enum rt_var_kind */
    size_t size;               /* floats per sample (1 for LABEL and CLASS; for
                                * DATA, its source's sample_size) */
    int dist;                  /* LATENT: enum rt_latent_dist */
    int classes;               /* LABEL, CLASS: the class count */
    int source;                /* DATA, LABEL: index into rt_model.sources */
    int labels;                /* DATA: the LABEL variable filled from the same
                                * rows when this one is drawn, or -1 */
    int rows_of;               /* DATA of paired sources: the DATA variable of
                                * another source whose rows this one takes
                                * (filled when that one is drawn), or -1 */
    float *buf;                /* batch * size floats, the generated code's */
} rt_var;

/* One update of an iteration: `repeat` times, draw the variables in
 * `draws` (in that order, from the training rng; a DATA variable also
 * fills its labels), set the noise seed (from the step and the number of
 * repetitions run before this one in the iteration, all updates counted:
 * the classic d update's k-th repetition gets k, the g update d_steps),
 * call forward (when not NULL), call step, check the loss and the trained
 * networks' gradients for NaN and Inf, run the optimizer on each trained
 * network, check its parameters, clip, average (ema).
 * An update whose `draws` is empty reads the values the previous update
 * drew last, and may read what that update's forward saved: the classic g
 * update learns from the fake batch of the last d step (as PyTorch's DCGAN
 * loop does), without running G again. */
typedef struct {
    const char *name;          /* "d", "g": log.csv's column NAME_loss */
    const int *nets;           /* the networks it trains (indices into nets) */
    int n_nets;
    rt_optim_spec optim;       /* one optimizer per trained network, this spec */
    int repeat;                /* >= 1 */
    float clip;                /* > 0: after each step, the trained networks'
                                * parameters clamped to [-clip, clip] (WGAN) */
    const int *draws;          /* variables drawn before each repetition */
    int n_draws;
    /* forward passes of networks this update does not train that the next
     * update reuses (their activations kept in the generated code's saved
     * buffers), or NULL */
    void (*forward)(void);
    /* the update's loss; writes the trained networks' grads and updates the
     * state of every network it runs in training mode */
    float (*step)(void);
    /* the loss's terms as the step computed them last (each before its
     * weight), for the log: n_terms names and values; n_terms may be 0.
     * log.csv has a column NAME_TERM for each only when n_terms > 1 (one
     * term is the loss itself) */
    int n_terms;
    const char *const *term_names;   /* "adversarial", "gradient_penalty", ... */
    const float *term_values;
    /* its phase: it runs at the iterations i (counting from 0: the one that
     * takes the run from step i to step i + 1) with from <= i < until, and
     * at every iteration from `from` on when until is 0 */
    long from, until;
} rt_update;

/* An input of the network the sampler and the trainer's pictures run.
 * The trainer's pictures make their own inputs (LATENT from the evaluation
 * rng, CLASS one row per class); harnesses that run generate on a step's
 * values use the variable of the same name. */
typedef struct {
    const char *name;          /* the network's input name: "z", "y", "x"
                                * (the same as its rt_var's) */
    int kind;                  /* RT_VAR_LATENT, RT_VAR_CLASS (the sampler's
                                * --class), RT_VAR_DATA (an image: --input) */
    size_t size;               /* floats per sample */
    int dist;                  /* LATENT */
    int classes;               /* CLASS */
    int ndim, shape[3];        /* DATA: the sample shape */
} rt_input_info;

typedef struct {
    /* identity */
    const char *model_name;    /* YAML `name` */
    const char *source_yaml;   /* path of the YAML as given to ganc */
    const char *ganc_version;
    uint64_t arch_hash;        /* hash of the architecture (names, shapes) */

    int batch;                 /* compiled batch size */

    /* the data: 1 to RT_DATA_SOURCES_MAX sources; paired: their rows are
     * aligned by index (as many rows each, drawn together in the first
     * source's shuffled order); else each is shuffled on its own (two
     * unpaired domains) */
    const rt_data_source *sources;
    int n_sources;
    int paired;

    /* tensors */
    const rt_tensor_info *tensors;
    size_t n_tensors;
    rt_net *nets;
    int n_nets;
    /* the frozen networks among nets (may be NULL, n_frozen 0) */
    const rt_frozen_net *frozen;
    int n_frozen;

    /* one iteration */
    rt_var *vars;
    int n_vars;
    const rt_update *updates;
    int n_updates;
    long steps;
    long log_every, sample_every, checkpoint_every;
    uint64_t seed;
    /* train.eval_every (0: never), eval_samples, and the held-out images
     * the samples are judged against (train/rt_eval.h) */
    long eval_every, eval_samples;
    const char *eval_test_images;

    /* what the sampler runs: network gen_net in inference mode on inputs
     * gen_inputs (one buffer per input, `batch` samples each) into out
     * (batch * out_size floats, shape out_ndim/out_shape) */
    int gen_net;
    const rt_input_info *gen_inputs;
    int n_gen_inputs;
    int out_ndim;
    int out_shape[3];
    size_t out_size;
    void (*generate)(float *out, const float *const *in);

    /* threads: the generated trainer's only threads are its BLAS library's;
     * set_threads (may be NULL) gives them their number */
    void (*set_threads)(int n);
    /* dropout masks and uniform noise are a hash of *noise_seed, which the
     * trainer sets before each repetition of an update (NULL: the model
     * has no randomness) */
    uint64_t *noise_seed;

    /* the text of the YAML the trainer was generated from (source_yaml
     * names its path): each run folder keeps a copy; may be NULL */
    const char *model_yaml;
} rt_model;

struct rt_sample_parts;   /* sample/rt_sample_parts.h */

/* What the sampler needs: the sampling network alone, in inference mode. */
typedef struct {
    const char *model_name;
    const char *ganc_version;
    uint64_t arch_hash;
    int batch;
    const rt_input_info *inputs;     /* the network's inputs, in order */
    int n_inputs;
    int out_ndim;
    int out_shape[3];
    size_t out_size;                 /* floats per sample */
    const rt_tensor_info *tensors;   /* the network's tensors (net 0) */
    size_t n_tensors;
    float *params;
    size_t param_count;
    float *state;                    /* may be NULL */
    size_t state_count;
    /* [n_tensors]: where the network reads each tensor, set when the
     * weights are loaded (rt_sample_weights.h); NULL: it reads the arrays */
    const float **weights;
    void (*generate)(float *out, const float *const *in);   /* on `batch` samples */
    /* the same on many_batch samples at once, faster per sample when many
     * are asked for; NULL (and 0) when the model has none */
    int many_batch;
    void (*generate_many)(float *out, const float *const *in);
    const unsigned char *embedded_weights;   /* NULL unless built with --embed-weights */
    size_t embedded_size;
    /* the sampler's parts that only some networks use (labels, a data
     * input, pictures), those this one can use: the others stay out of
     * its executable.  NULL: none. */
    const struct rt_sample_parts *parts;
} rt_sampler_model;

#endif

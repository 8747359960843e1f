/* model.h - a parsed, validated GAN model.
 *
 * Built by model_parse.c from the node tree (whose strings it borrows, so the
 * tree lives as long as the model), then completed by shape inference
 * (infer.c), which also declares every tensor the model owns.
 */
#ifndef GAN_MODEL_H
#define GAN_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "ir.h"
#include "node.h"
#include "model/rt_model.h"

#define GAN_VERSION "0.1.0"

/* A per-sample shape: rank 1 (features) or 3 (channels, height, width). */
typedef struct {
    int rank;
    int d[3];
} gan_shape;

/* The networks of the shorthand (a model with 'generator' and
 * 'discriminator' sections), in this order. */
enum gan_net_id { GAN_G = 0, GAN_D = 1 };
/* Adversarial losses; the shorthand's 'loss' takes the first three. */
enum gan_loss { GAN_LOSS_NON_SATURATING, GAN_LOSS_LSGAN, GAN_LOSS_HINGE, GAN_LOSS_MINIMAX,
                GAN_LOSS_WASSERSTEIN };
enum gan_data { GAN_DATA_RING8, GAN_DATA_GRID25, GAN_DATA_CSV, GAN_DATA_IDX, GAN_DATA_PNG_DIR };
enum gan_init { GAN_INIT_DEFAULT, GAN_INIT_NORMAL, GAN_INIT_XAVIER, GAN_INIT_HE };

typedef struct gan_layer_kind gan_layer_kind;

/* Names, bounded where they are read (model_parse.c) so that every file
 * name and C identifier made from them stays valid: a model name names the
 * folders build/NAME and runs/NAME; a layer name becomes part of C
 * identifiers (h1_weight, fake_h1_running_mean) and of tensor names
 * (generator.h1.weight).  Both are a letter, then letters, digits and _;
 * docs/model-language.md states the limits. */
#define GAN_MODEL_NAME_MAX 64
#define GAN_LAYER_NAME_MAX 32

typedef struct {
    const char *name;          /* borrowed from the node tree, or auto_name */
    char *auto_name;           /* owned: a generated name like "dense2" */
    gan_pos pos;
    const gan_layer_kind *kind;
    const gan_node *node;      /* the layer's YAML map, NULL for shorthand */

    /* at most IR_MAX_IN: model_parse.c refuses more at the 'inputs' list */
    int n_inputs;              /* 0: the previous layer (or the network input) */
    const char *input_names[IR_MAX_IN];
    gan_pos input_pos[IR_MAX_IN];
    int inputs[IR_MAX_IN];     /* resolved: layer index, or -1 - j for the
                                * network's input j (GAN_NET_INPUT) */

    /* owned: the kind's own settings struct (its file declares it and the
     * table of keys that fills it, layer.h); NULL for a kind without keys */
    void *settings;
    int init;                  /* enum gan_init: kinds with weights */
    float init_std;

    gan_shape out;             /* inferred */
    int first_tensor, n_tensors;
} gan_layer;

typedef struct {
    int kind;                  /* rt_optim_kind: 0 adam, 1 sgd */
    float lr, beta1, beta2, eps, momentum;
} gan_optim;

/* What a network input holds.  A latent is a vector of noise, a label an
 * integer class (held as a float) that only an embedding layer reads, a
 * sample a data-shaped value (a data sample or another network's output). */
enum gan_input_kind { GAN_INPUT_LATENT, GAN_INPUT_LABEL, GAN_INPUT_SAMPLE };

typedef struct {
    const char *name;          /* "z", "y", "x": generated code names it so, and
                                * layers read it by this name (in the general
                                * form; a network of one input: also 'input') */
    int kind;                  /* enum gan_input_kind */
    gan_shape shape;           /* per sample; (1) for a label */
    int dist;                  /* latent: 0 normal, 1 uniform */
    int classes;               /* label: values in [0, classes) */
    gan_pos pos;
} gan_net_input;

/* layer input index of network input j */
#define GAN_NET_INPUT(j) (-1 - (j))

typedef struct {
    int id;                    /* index in gan_model.net */
    const char *name;          /* YAML name: tensor names start with it */
    const char *role;          /* in messages: "generator", "network 'G_ab'" */
    const char *prefix;        /* of C identifiers: "g" / "d", else the name */
    char *owned_role;          /* owned copy behind role, or NULL */
    gan_pos pos;
    gan_net_input *inputs;     /* owned */
    int n_inputs;
    int named_inputs;          /* layers read inputs by name (the general form);
                                * else only as 'input' (the shorthand) */
    gan_layer *layers;
    int n_layers;
    int *outputs;              /* owned: the output layers, the first is the
                                * network's value in an expression */
    const char **output_names;
    int n_outputs;
    int output;                /* outputs[0] */
    int *order;                /* topological order of layer indices */
    int n_order;
    gan_optim optim;           /* the shorthand's 'optimizer' of the network */
    int init;                  /* network default for weight init */
    float init_std;
    int pack;                  /* PacGAN: the network judges `pack` samples
                                * joined along their first axis (1: one) */
    size_t param_count, state_count;   /* floats, tensors 16-aligned */
    /* A frozen network (frozen_parse.c): imported from another model file,
     * never trained, applied in inference mode, its weights read from a
     * file when the trainer starts */
    int frozen;
    const char *frozen_model;      /* the model file it comes from, resolved */
    const char *frozen_network;    /* its name there: the weights file names
                                    * its tensors "NAME.layer.weight" */
    const char *frozen_weights;    /* the weights file, resolved */
    gan_pos frozen_pos;            /* of the 'weights' key */
    struct gan_model *frozen_from; /* the imported model (gan_model.imports
                                    * owns it), whose node tree the layers
                                    * borrow from; NULL when it failed to load */
    char *owned_frozen_paths[2];   /* behind frozen_model and frozen_weights */
} gan_net;

/* ---- what an iteration computes: variables, expressions, terms, updates ---- */

/* What the trainer fills a variable with before an update reads it. */
enum gan_var_kind { GAN_VAR_DATA, GAN_VAR_LABEL, GAN_VAR_LATENT, GAN_VAR_CLASS };

typedef struct {
    const char *name;
    gan_pos pos;
    int kind;                  /* enum gan_var_kind */
    gan_shape shape;           /* per sample; (1) for labels and classes */
    int dist;                  /* latent */
    int classes;               /* label, class */
    int data_var;              /* label: the data variable whose rows it labels */
    int source;                /* data, label: index into gan_model.sources */
    int rows_of;               /* data of a paired source after the first: the
                                * data variable of the first source whose rows
                                * it takes, else -1 */
} gan_var;

enum gan_value_kind { GAN_VALUE_VAR, GAN_VALUE_APPLY, GAN_VALUE_STOP };

/* A value of the objective: a variable, a network applied to values
 * ("D(G(z), y)", optionally ".OUTPUT" for another of its outputs), or
 * stop(value), the same value with no gradient flowing back through it. */
typedef struct gan_value {
    int kind;                  /* enum gan_value_kind */
    gan_pos pos;
    int var;                   /* VAR: index into gan_model.vars */
    int net;                   /* APPLY: index into gan_model.net */
    int output;                /* APPLY: index into the net's outputs */
    struct gan_value **args;    /* APPLY: one per network input; STOP: args[0] */
    int n_args;
    char *text;                /* canonical text, "D(stop(G(z)))": one
                                * application per text and update */
    const char *app;           /* APPLY: what generated code calls it
                                * ("fake"); NULL: made from the text */
    gan_shape shape;           /* per sample, inferred */
} gan_value;

/* A term of an update's loss, each a mean over the batch (and over a map
 * of scores, for a PatchGAN critic), times its weight. */
enum gan_term_kind {
    GAN_TERM_ADVERSARIAL,      /* loss on a critic's scores of real and fake values */
    GAN_TERM_GRADIENT_PENALTY, /* (|grad of critic at u a + (1-u) b| - 1)^2, WGAN-GP */
    GAN_TERM_R1,               /* |grad of critic at a real value|^2 / 2 */
    GAN_TERM_L1,               /* |a - b| */
    GAN_TERM_L2,               /* (a - b)^2 */
    GAN_TERM_CROSS_ENTROPY,    /* -log softmax(a)[label] */
};
enum gan_side { GAN_SIDE_CRITIC, GAN_SIDE_GENERATOR };

typedef struct {
    int kind;                  /* enum gan_term_kind */
    gan_pos pos;
    const char *name;          /* its log column: "adversarial", "l1", ... */
    float weight;
    int loss;                  /* adversarial: enum gan_loss */
    int side;                  /* adversarial: enum gan_side */
    gan_value *a, *b;           /* adversarial: real, fake scores (either may be
                                * NULL); penalty: the two values mixed; R1: the
                                * real value; L1, L2: the two values; cross
                                * entropy: the logits */
    int critic;                /* penalty, R1: the network differentiated */
    gan_value **with;           /* penalty, R1: the critic's other inputs */
    int n_with;
    int labels;                /* cross entropy: the variable of class labels */
} gan_term;

typedef struct {
    const char *name;          /* its loss's log column is NAME_loss */
    gan_pos pos;
    int *nets;                 /* the networks it trains */
    int n_nets;
    gan_term *terms;
    int n_terms;
    gan_optim optim;
    int repeat;
    float clip;                /* > 0: weight clipping */
    float ema;                 /* > 0: a moving average of the trained networks */
    int same_batch;            /* reads the previous update's draws */
    long from, until;          /* phase: runs at iterations i (counting from 0)
                                * with from <= i < until; until 0: no end */
    int *draws;                /* variables it draws (none when same_batch) */
    int n_draws;
} gan_update;

enum gan_tensor_role { GAN_PARAM = 0, GAN_STATE = 1 };

typedef struct {
    char *name;                /* owned: "generator.h1.weight" */
    int net, role;
    int layer;                 /* owning layer index in its net */
    int ndim, shape[4];
    int init;                  /* rt_init */
    float init_a, init_b;
    size_t offset;             /* floats into the net's params or state */
} gan_tensor;

/* data.labels: none, an IDX file beside IDX images, a CSV column, or
 * png_dir's subfolders (one per class) */
enum gan_labels { GAN_LABELS_NONE = 0, GAN_LABELS_IDX, GAN_LABELS_CSV_COLUMN, GAN_LABELS_FOLDERS };

/* One transform of a data source's images (data: transform:), as the
 * runtime's rt_transform (rt_model.h) holds it; source_parse.c reads them. */
typedef struct {
    int kind;                  /* enum rt_transform_kind */
    int size[2];               /* downsample, upsample: [H, W]; mask: [h, w] */
    int at[2];                 /* a fixed mask: [y, x] */
    float value;               /* mask: the value set; edges: the threshold */
    gan_pos pos;
} gan_transform;

/* A source of training samples: `data` as a whole, or one of its named
 * sources. */
typedef struct {
    const char *name;          /* "data", or its key under data: */
    int kind;                  /* enum gan_data */
    const char *path;          /* relative to the model file's folder, resolved;
                                * NULL for a source `from` another */
    gan_shape shape;           /* a sample's, after the transforms */
    gan_shape file_shape;      /* as the file holds them: 'shape' (or, `from`
                                * another source, that source's) */
    const gan_node *node;      /* the source's YAML map, NULL when absent */
    int from;                  /* the source whose file and labels it reads
                                * (data: NAME: {from: OTHER}), or -1; -2: a
                                * `from` that names no usable source (an
                                * error was reported) */
    int *keep_classes;         /* owned: the classes whose rows it keeps */
    int n_keep_classes;        /* 0: every row */
    gan_transform *transforms; /* owned: applied in order to each image */
    int n_transforms;
    int labels;                /* enum gan_labels: where the samples' class labels are */
    const char *labels_path;   /* GAN_LABELS_IDX: the IDX label file, resolved */
    int label_column;          /* GAN_LABELS_CSV_COLUMN: counting from 0 */
    int classes;               /* labels lie in [0, classes); 0 without labels */
    gan_pos pos;
    char *owned_path;          /* path joined to the model's folder, or NULL */
    char *owned_labels_path;   /* labels_path likewise */
} gan_data_source;

/* The trainer has a pair of flags for each source (--data, --data2):
 * more sources are refused, naming the data section. */
#define GAN_DATA_SOURCES_MAX RT_DATA_SOURCES_MAX

typedef struct gan_model {
    const char *path;
    char *owned_path;          /* behind path, or NULL (the caller's) */
    gan_node *root;
    const char *name;
    uint64_t seed;
    gan_data_source sources[GAN_DATA_SOURCES_MAX];   /* sources[0]: the first */
    int n_sources;
    int paired;                /* the sources' rows are aligned by index */
    gan_net *net;              /* owned */
    int n_nets;
    gan_var *vars;             /* owned */
    int n_vars;
    gan_update *updates;       /* owned, in the order of one iteration */
    int n_updates;
    gan_update *score;         /* owned: the anomaly score (`score:`), its l1 and
                                * l2 terms per sample, its nets the networks it
                                * applies, its draws the data variable it reads
                                * (one); NULL when the model has none */
    int gen_net;               /* what the sampler runs */
    int *sample_nets;          /* owned: sample: {networks: [...]}, every network the
                                * sampler can run (--network), sample_nets[0] ==
                                * gen_net; NULL (n 0): gen_net alone */
    int n_sample_nets;
    int shorthand;             /* written with 'generator' and 'discriminator' */
    struct {
        int batch;
        long steps;
        long log_every, sample_every, checkpoint_every;
        long eval_every, eval_samples;   /* the image metrics (judge.h); 0: never */
    } train;
    int unroll;                /* loops of at most this extent are unrolled */

    gan_tensor *tensors;
    int n_tensors;

    /* owned: the model files frozen networks import (frozen_parse.c), one
     * per frozen network, NULL where one failed to load */
    struct gan_model **imports;
    int n_imports;
} gan_model;

/* Parses and validates `path`.  Returns 0 when the model is complete and
 * consistent (shapes inferred, tensors declared); otherwise errors are in d. */
int gan_model_load(gan_model *m, const char *path, gan_diag *d);
int gan_model_from_tree(gan_model *m, gan_node *root, const char *path, gan_diag *d);
void gan_model_free(gan_model *m);

/* infer.c: resolves inputs, checks for cycles, infers shapes, declares
 * tensors.  Called by gan_model_load. */
int gan_model_infer(gan_model *m, gan_diag *d);

/* Adds a tensor of `net` owned by layer `layer`; returns its index. */
int gan_model_add_tensor(gan_model *m, gan_net *net, int layer, const char *suffix,
                         int role, int ndim, const int *shape, int init, float a, float b);

/* The name of an enum gan_loss value ("non_saturating"), from the one table
 * of loss names (objective_parse.c); "?" for a value out of range. */
const char *gan_loss_name(int loss);

/* objective_parse.c: the general form's 'variables', 'objective' and
 * 'schedule', and the shorthand's translation into them */
void gan_parse_objective(gan_model *m, const gan_node *root, gan_diag *d);
void gan_shorthand_objective(gan_model *m, const gan_node *root, gan_diag *d);
/* objective_check.c: expressions typed and shaped against the inferred
 * networks, each update's draws; after gan_model_infer's shapes */
int gan_check_objective(gan_model *m, gan_diag *d);
/* frozen_check.c: each frozen network's weights file holds its tensors, of
 * their shapes (after gan_model_infer declared them) */
void gan_check_frozen_weights(const gan_model *m, gan_diag *d);
/* The name of tensor t in its network's weights file: its own, or for a
 * frozen network "C.conv1.weight" for "F.conv1.weight" (malloc'd) */
char *gan_frozen_tensor_name(const gan_model *m, const gan_tensor *t);
void gan_value_free(gan_value *e);
/* A relative path is relative to the model file's folder, so that a model
 * and its data move together: the joined path (kept in *owned), or path. */
const char *gan_beside_model(const gan_model *m, const char *path, char **owned);
/* The variable, network or network input called `name`, or -1. */
int gan_find_var(const gan_model *m, const char *name);
int gan_find_net(const gan_model *m, const char *name);

/* The most values one tensor may hold, batch included: the generated code
 * indexes a tensor with int (enum constants, int loop variables), so
 * infer.c refuses a layer output, network input or weight past it. */
#define GAN_MAX_ELEMENTS 2147483647L

/* "(C, H, W)": any shape fits 40 bytes (three ints), callers use 64 */
void gan_shape_str(gan_shape s, char *buf, int n);
/* The values of a sample of shape s; LONG_MAX when they would not fit a long. */
long gan_shape_numel(gan_shape s);
/* a * b for a, b >= 0, or LONG_MAX when it would not fit. */
long gan_mul_sat(long a, long b);
/* Everything that decides what the trained networks compute (layers in use,
 * their wiring, shapes and GAN_ARCH settings, tensor names and shapes, the
 * latent space), nothing that only decides how they are trained. */
uint64_t gan_model_arch_hash(const gan_model *m);

/* The held-out images the image metrics judge samples against by default
 * (the Debian package dataset-fashion-mnist's test set). */
#define GAN_FASHION_TEST_IMAGES "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"

/* The networks the sampler runs (sample_nets, or gen_net alone): how many,
 * the k-th, and whether net is one of them. */
int gan_sample_net_count(const gan_model *m);
int gan_sample_net(const gan_model *m, int k);
int gan_is_sample_net(const gan_model *m, int net);

/* 1 when the network the sampler runs makes images of shape (1, 28, 28):
 * what the judge of the image metrics reads (judge.h, eval.h). */
int gan_model_judged(const gan_model *m);

#endif

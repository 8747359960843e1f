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

enum gan_net_id { GAN_G = 0, GAN_D = 1 };
enum gan_loss { GAN_LOSS_NON_SATURATING, GAN_LOSS_LSGAN, GAN_LOSS_HINGE };
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
    int inputs[IR_MAX_IN];     /* resolved: layer index, -1 = network input */

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

typedef struct {
    int id;                    /* enum gan_net_id */
    const char *role;          /* "generator" / "discriminator" */
    const char *prefix;        /* "g" / "d" */
    gan_pos pos;
    gan_shape input;
    gan_layer *layers;
    int n_layers;
    int output;                /* index of the output layer */
    int *order;                /* topological order of layer indices */
    int n_order;
    gan_optim optim;
    int init;                  /* network default for weight init */
    float init_std;
} gan_net;

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

typedef struct {
    const char *path;
    gan_node *root;
    const char *name;
    uint64_t seed;
    struct {
        int kind;              /* enum gan_data */
        const char *path;      /* relative to the model file's folder, resolved */
        gan_shape shape;
        gan_pos pos;
    } data;
    struct {
        int size;
        int dist;              /* 0 normal, 1 uniform */
    } latent;
    gan_net net[2];
    int loss;                  /* enum gan_loss */
    struct {
        int batch;
        long steps;
        int d_steps;
        long log_every, sample_every, checkpoint_every;
    } train;
    int unroll;                /* loops of at most this extent are unrolled */

    char *owned_data_path;     /* data.path joined to the model's folder, or NULL */
    gan_tensor *tensors;
    int n_tensors;
    size_t param_count[2], state_count[2];
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
 * of loss names (model_parse.c); "?" for a value out of range. */
const char *gan_loss_name(int loss);

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

#endif

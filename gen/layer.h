/* layer.h - the interface every layer kind implements.
 *
 * One file per kind under gen/layers/, each defining one gan_layer_kind and
 * registered in the table of layers.c.  A kind owns its settings: its file
 * declares a struct of them and a table of gan_setting saying, for each
 * key, its type, default, range or choices, whether it is required,
 * whether it decides what the trained network computes (and so belongs to
 * the architecture hash) and a line of documentation.  layers.c reads the
 * keys from YAML, checks them, fills the struct and writes the documentation
 * from that table; infer.c hashes it.  The kind's own code only sees its
 * typed struct (l->settings) and adds what a table cannot say: rules across
 * keys (validate), shapes (infer), tensors (declare) and ops (lower).
 *
 * To add a kind: copy gen/layers/TEMPLATE.c and follow its checklist (the
 * table in layers.c, the docs, a gradient-check model).
 */
#ifndef GAN_LAYER_H
#define GAN_LAYER_H

#include <stddef.h>
#include "buf.h"
#include "model.h"

/* State while lowering one application of a network into a graph. */
typedef struct {
    ir_graph *g;
    gan_model *m;
    gan_net *net;
    int batch;
    int training;          /* batch statistics, dropout on */
    int *param_node;       /* per model tensor: its IR_PARAM node, or -1 */
    int update_state;      /* this application updates running statistics */
    int *state_value;      /* per model tensor: the node holding its newest
                            * value after updates in this graph, or -1 */
} gan_lower;

/* The C type a setting fills in the kind's struct, and how YAML spells it. */
typedef enum {
    GAN_SET_INT,           /* int: an integer in [lo, hi] */
    GAN_SET_NUM,           /* float: a number in [lo, hi] */
    GAN_SET_BOOL,          /* int: true (1) or false (0) */
    GAN_SET_ENUM,          /* int: the index of one of `choices` */
    GAN_SET_SHAPE,         /* gan_shape: [N] or [C, H, W], entries in [lo, hi] */
} gan_setting_type;

/* What a setting decides.  GAN_ARCH: what the trained network computes; it
 * is part of the architecture hash, so weights trained with one value are
 * refused by a model with another.  GAN_TRAINING: only how the network is
 * trained (batchnorm's momentum, dropout's rate); left out of the hash.
 * GAN_ARCH_IF_SET: like GAN_ARCH, for a key added to a kind after models of
 * it were trained (conv2d's padding_mode): hashed only when its value is
 * not the default, which is what those models computed, so that their
 * weights (the judge's, models/fmnist_classifier.safetensors) still load.
 * GAN_ARCH is the zero value on purpose: a setting that forgets to say is
 * hashed, which at worst refuses weights that would have fitted. */
typedef enum { GAN_ARCH = 0, GAN_TRAINING = 1, GAN_ARCH_IF_SET = 2 } gan_setting_use;

/* One key of a kind.  A kind's table ends with an entry whose key is NULL. */
typedef struct {
    const char *key;
    gan_setting_type type;
    size_t at;                 /* offsetof its field in the kind's struct */
    int required;              /* no default: a layer of the kind must give it */
    double def;                /* default: the value (ENUM: index, BOOL: 0 or 1) */
    double lo, hi;             /* INT, NUM: the range; SHAPE: each entry's */
    const char *const *choices;/* ENUM: NULL-terminated */
    gan_setting_use use;
    const char *doc;           /* one line for docs/model-language.md */
} gan_setting;

struct gan_layer_kind {
    const char *name;
    const char *summary;       /* what it computes: one line for the docs */
    const char *output;        /* its output shape, for the docs: "(units)" */
    int min_inputs, max_inputs;
    const gan_setting *settings;   /* its keys, besides name/type/input(s); NULL: none */
    size_t settings_size;          /* sizeof its settings struct; 0: none */
    int has_weights;               /* declares weights: takes 'init' and 'init_std' */
    int takes_labels;              /* reads a label input (and nothing else) */
    int mixes_batch;               /* each sample's output depends on the other samples
                                    * of its batch in training and inference alike
                                    * (minibatch_std): refused in the network the
                                    * sampler runs and with one sample per batch */
    /* rules across keys, run after every key was read and range-checked
     * (may be NULL); reports at gan_layer_key_pos */
    void (*validate)(gan_layer *l, gan_diag *d);
    /* sets l->out from the input shapes; reports and returns -1 if they do not fit */
    int (*infer)(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d);
    /* declares the layer's tensors with gan_model_add_tensor (may be NULL) */
    void (*declare)(gan_model *m, gan_net *net, int layer);
    /* appends the layer's primitive ops; returns the output node */
    int (*lower)(gan_lower *c, const gan_layer *l, const int *in, int n_in);
};

const gan_layer_kind *gan_layer_find(const char *name);
/* NULL-terminated list of the kinds, in the table's order */
const gan_layer_kind *const *gan_layer_kinds(void);
/* NULL-terminated list of kind names, for error messages */
const char *const *gan_layer_kind_names(void);

/* ---- settings (layers.c) ---- */

/* The keys a layer of kind k may have, NULL-terminated, in the order of
 * the docs: name, type, input, inputs, the kind's settings, init, init_std.
 * Returns their count; *keys is owned by the caller (free). */
int gan_layer_keys(const gan_layer_kind *k, const char ***keys);
/* Allocates l->settings, fills it with defaults and the values of the
 * layer's YAML map (l->node, NULL for shorthand), reports each bad or
 * missing key, then runs the kind's validate. */
void gan_layer_read_settings(gan_layer *l, gan_diag *d);
/* Where a key's value is written, for messages; the layer's position when
 * the key is absent. */
gan_pos gan_layer_key_pos(const gan_layer *l, const char *key);
/* The field of setting s in l->settings. */
void *gan_setting_field(const gan_layer *l, const gan_setting *s);
/* Appends the layer-kind reference of docs/model-language.md (two
 * markdown tables, generated from the kinds' tables) to o. */
void gan_layer_doc(gan_buf *o);

/* ---- lowering helpers ---- */

/* The IR_PARAM node of tensor `t` in this lowering (created once per graph,
 * so every application of a network shares, and accumulates into, one node). */
int gan_lower_param(gan_lower *c, int t);
/* IR shape of a batch of per-sample shape s */
ir_shape gan_batch_shape(int batch, gan_shape s);
/* The current value of state tensor t (its newest update in this graph). */
int gan_lower_state(gan_lower *c, int t);
/* Records that state tensor t takes the value of node v after this step. */
void gan_lower_set_state(gan_lower *c, int t, int v);
/* Sets l->out.d[k] to v, computed by the kind in long so that nothing wraps;
 * reports and returns -1 when v is past GAN_MAX_ELEMENTS (infer.c checks
 * the whole batch's size after the kind's infer). */
int gan_set_out_dim(gan_layer *l, int k, long v, gan_diag *d);
/* Network input j as its layers see it: `pack` samples joined along the
 * first axis (packing, PacGAN), the input's own shape without packing. */
gan_shape gan_net_input_shape(const gan_net *net, int j);
/* The shape of a value a layer reads: src >= 0 a layer's output, else
 * network input -1 - src (gan_net_input_shape). */
gan_shape gan_net_value_shape(const gan_net *net, int src);
/* The input shape of input k of layer li (the network input or a layer's output). */
gan_shape gan_layer_input_shape(const gan_net *net, int li, int k);
/* Joins xs[0..n) along `axis` (n >= 1; xs[0] itself when n is 1) with
 * concats of at most IR_MAX_IN inputs each, a concat of concats beyond
 * that; the last one is labelled `label`. */
int gan_concat_all(ir_graph *g, const int *xs, int n, int axis, const char *label);
/* infer for a layer of `units` output features that takes a flat input
 * (dense, maxout): l->out is (units), or an error naming the layer's kind
 * and asking for a flatten. */
int gan_infer_flat_units(gan_layer *l, const gan_shape *in, int units, gan_diag *d);
/* Declares "weight" (shape w_shape) and, when bias_len > 0, "bias" of layer
 * li, initialised as l->init says from fan_in and fan_out. */
void gan_declare_weight(gan_model *m, gan_net *net, int li, int ndim, const int *w_shape,
                        int fan_in, int fan_out, int bias_len);

/* Spectral normalization (Miyato et al. 2018), like PyTorch's
 * torch.nn.utils.spectral_norm with one power iteration: the weight divided
 * by its largest singular value sigma, of W as the matrix whose rows are
 * the `rows` axis of W viewed as (outer, rows, rest) (PyTorch's dim: dense
 * and conv2d outer 1, rows = W's first axis; conv_transpose2d outer = its
 * in_channels, rows = its second axis).  The vectors u (rows) and v
 * (outer·rest) are state tensors t_u, t_u + 1 (declared "weight_u" and
 * "weight_v" by gan_declare_spectral_state).  Training: one power
 * iteration from u, whose new u and v are saved (when c->update_state),
 * and sigma = u·(W v) with u and v constants of the step (stopped), as
 * PyTorch computes it.  Inference: sigma from the saved u and v, not
 * updated, normalized to unit length.  Returns the node of W / sigma. */
void gan_declare_spectral_state(gan_model *m, gan_net *net, int li, int rows, int cols);
int gan_spectral_norm(gan_lower *c, const gan_layer *l, int w, int outer, int rows, int t_u);

/* The settings every convolution has, for a struct T with int fields
 * filters, kernel, stride, padding, bias and spectral_norm (conv2d.c,
 * conv_transpose2d.c); what padding does differs, so the kind says it. */
#define GAN_CONV_SETTINGS(T, padding_doc)                                                   \
    { .key = "filters", .type = GAN_SET_INT, .at = offsetof(T, filters), .required = 1,     \
      .lo = 1, .hi = 1 << 16, .doc = "output channels" },                                   \
    { .key = "kernel", .type = GAN_SET_INT, .at = offsetof(T, kernel), .required = 1,       \
      .lo = 1, .hi = 32, .doc = "the kernel is kernel x kernel" },                          \
    { .key = "stride", .type = GAN_SET_INT, .at = offsetof(T, stride), .def = 1, .lo = 1,   \
      .hi = 32, .doc = "step between applications of the kernel" },                         \
    { .key = "padding", .type = GAN_SET_INT, .at = offsetof(T, padding), .def = 0, .lo = 0, \
      .hi = 32, .doc = padding_doc },                                                       \
    { .key = "bias", .type = GAN_SET_BOOL, .at = offsetof(T, bias), .def = 1,               \
      .doc = "add a learned bias per output channel" },                                     \
    GAN_SPECTRAL_NORM_SETTING(T)

/* The 'spectral_norm' key of a kind with weights, for a struct T with an
 * int field spectral_norm. */
#define GAN_SPECTRAL_NORM_SETTING(T)                                                        \
    { .key = "spectral_norm", .type = GAN_SET_BOOL, .at = offsetof(T, spectral_norm),       \
      .def = 0, .doc = "divide the weight by its largest singular value, estimated by one "  \
      "power iteration per forward pass in training (Miyato et al. 2018)" }

#endif

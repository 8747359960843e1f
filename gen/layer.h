/* layer.h - the interface every layer kind implements.
 *
 * One file per kind under gen/layers/, each defining one gan_layer_kind and
 * registered in layers.c.  To add a kind: copy gen/layers/TEMPLATE.c, fill the
 * four entry points, add it to the table in layers.c, document it in
 * docs/model-language.md, and add it to the gradient-check test.
 */
#ifndef GAN_LAYER_H
#define GAN_LAYER_H

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

struct gan_layer_kind {
    const char *name;
    const char *summary;               /* one line for docs and `ganc check` */
    int min_inputs, max_inputs;
    const char *const *keys;           /* kind keys besides name/type/input(s) */
    /* reads kind keys from the layer's YAML map (NULL for shorthand) */
    void (*parse)(gan_layer *l, const gan_node *map, gan_diag *d);
    /* sets l->out from the input shapes; reports and returns -1 if they do not fit */
    int (*infer)(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d);
    /* declares the layer's tensors with gan_model_add_tensor (may be NULL) */
    void (*declare)(gan_model *m, gan_net *net, int layer);
    /* appends the layer's primitive ops; returns the output node */
    int (*lower)(gan_lower *c, const gan_layer *l, const int *in, int n_in);
};

const gan_layer_kind *gan_layer_find(const char *name);
/* NULL-terminated list of kind names, for error messages and docs */
const char *const *gan_layer_kind_names(void);

/* The IR_PARAM node of tensor `t` in this lowering (created once per graph,
 * so every application of a network shares, and accumulates into, one node). */
int gan_lower_param(gan_lower *c, int t);
/* IR shape of a batch of per-sample shape s */
ir_shape gan_batch_shape(int batch, gan_shape s);
/* The current value of state tensor t (its newest update in this graph). */
int gan_lower_state(gan_lower *c, int t);
/* Records that state tensor t takes the value of node v after this step. */
void gan_lower_set_state(gan_lower *c, int t, int v);
/* Reads the common conv keys (kernel, stride, padding) */
void gan_parse_conv_keys(gan_layer *l, const gan_node *map, gan_diag *d);
/* Declares weight (and bias) of a convolution: weight dims w[4], fan_in, fan_out. */
void gan_declare_weight(gan_model *m, gan_net *net, int li, int ndim, const int *w_shape,
                        int fan_in, int fan_out, int bias_len);

#endif

/* ir.h - ganc's primitive tensor graph.
 *
 * Layers lower to these ops; autodiff.c turns a loss node into gradient
 * nodes made of the same ops, so gradients of gradients come for free.
 * Nodes are appended after their inputs, so index order is a topological
 * order and is also the execution order.  Every shape is static and
 * includes the batch as dimension 0.
 */
#ifndef GAN_IR_H
#define GAN_IR_H

#include "diag.h"

#define IR_MAX_RANK 4
#define IR_MAX_IN 8

typedef struct {
    int rank;
    int d[IR_MAX_RANK];
} ir_shape;

typedef enum {
    /* leaves */
    IR_INPUT,       /* a step function argument (real batch, latents) */
    IR_PARAM,       /* a tensor of the model (weights, biases) */
    IR_CONST,       /* every element = k */
    /* contraction: out[M,N] = op(A)[M,K] · op(B)[K,N]; ta/tb transpose */
    IR_MATMUL,
    /* elementwise unary; `k` is the scalar of SCALE, ADDS, LEAKY_*.  STOP
     * is the identity whose derivative is 0: where gradients stop */
    IR_NEG, IR_SCALE, IR_ADDS, IR_RELU, IR_STEP, IR_LEAKY_RELU, IR_LEAKY_STEP,
    IR_TANH, IR_SIGMOID, IR_SOFTPLUS, IR_EXP, IR_LOG, IR_SQRT, IR_RECIP,
    IR_ABS, IR_SIGN, IR_STOP,
    /* elementwise binary with numpy broadcasting; MAXIMUM is the larger of
     * a and b (a when equal), GE 1 where a >= b else 0 */
    IR_ADD, IR_SUB, IR_MUL, IR_DIV, IR_MAXIMUM, IR_GE,
    /* broadcasting and reduction */
    IR_BROADCAST,   /* input broadcast to `shape` */
    IR_SUM_TO,      /* sum over the axes where `shape` has 1 (or fewer dims) */
    /* layout */
    IR_RESHAPE,     /* same elements, new shape: a view */
    IR_CONCAT,      /* inputs joined along `axis` */
    IR_SLICE,       /* [start, start+shape.d[axis]) of input along `axis` */
    IR_PAD,         /* input placed at `start` along `axis` in zeros */
    IR_COPY,        /* identity into a new buffer */
    /* images, NCHW.  The three convolution ops are each other's gradients:
     *   CONV2D   (x[B,C,H,W], w[O,C,KH,KW]) -> [B,O,Ho,Wo]
     *   CONV2D_T (x[B,C,H,W], w[C,O,KH,KW]) -> [B,O,Ho,Wo] (`shape` fixes Ho,Wo)
     *   CONV2D_WGRAD (a[B,C,H,W], g[B,O,Ho,Wo]) -> [O,C,KH,KW], the weight
     *            gradient of CONV2D(a, .) for output gradient g
     * all with `stride` and `pad` of the forward convolution. */
    IR_CONV2D, IR_CONV2D_T, IR_CONV2D_WGRAD,
    IR_UPSAMPLE,    /* nearest, by `stride` in H and W */
    IR_SUMPOOL,     /* sum of stride x stride blocks */
    /* dropout's keep mask, a leaf: 1/(1-k) where a hash of (the step's noise
     * seed, `ext`, element index) keeps the element, else 0; its derivative
     * is 0, and recomputing it anywhere gives the same values */
    IR_DROPOUT_MASK,
    /* uniform noise in [0, 1), a leaf: a hash of (the step's noise seed,
     * `ext`, element index), the same wherever it is recomputed in a step
     * (the interpolation weights of a gradient penalty); derivative 0 */
    IR_UNIFORM,
    /* one-hot rows of class labels: input [B] (or [B, 1]) of integers held
     * as floats, output [B, K] with 1 in column label, K = shape.d[1]; the
     * labels are data: derivative 0 */
    IR_ONEHOT,
    /* the largest of each group of `stride` consecutive elements (maxout),
     * as a pair closed under differentiation; the first when equal, like
     * MAXIMUM.  a has shape [..., G*stride]:
     *   ARGMAX_PICK  (a, v) -> [..., G]: in each group, v's element where a
     *                is largest; max = ARGMAX_PICK(a, a)
     *   ARGMAX_PLACE (a, g[..., G]) -> a's shape: g's element of each group
     *                where a is largest, 0 elsewhere
     * each is the other's gradient with respect to its second input; their
     * derivative with respect to a is 0 (a.e.) */
    IR_ARGMAX_PICK, IR_ARGMAX_PLACE,
    IR_OP_COUNT
} ir_op;

enum ir_pass { IR_PASS_FORWARD, IR_PASS_BACKWARD, IR_PASS_LOSS };

typedef struct {
    ir_op op;
    int n_in;
    int in[IR_MAX_IN];
    ir_shape shape;
    float k;            /* scalar operand */
    int ta, tb;         /* MATMUL transposes */
    int axis, start;    /* CONCAT/SLICE/PAD */
    int stride, pad;    /* convolutions, UPSAMPLE, SUMPOOL */
    int ext;            /* INPUT: argument index; PARAM: tensor index */

    /* where it came from, for names and banners */
    int net;            /* 0 generator, 1 discriminator, -1 neither */
    const char *layer;  /* layer name (borrowed), or "loss" */
    const char *app;    /* application: "g", "real", "fake", "loss" */
    int pass;           /* enum ir_pass */
    int yaml_line;
    const char *label;  /* short C-friendly name of the value (owned by the graph) */
} ir_node;

typedef struct {
    ir_node *n;
    int count, cap;
    /* current tags applied to new nodes */
    int cur_net;
    const char *cur_layer, *cur_app;
    int cur_pass, cur_line;
    char **strings;     /* owned labels */
    int n_strings;
} ir_graph;

void ir_init(ir_graph *g);
void ir_free(ir_graph *g);
void ir_set_tag(ir_graph *g, int net, const char *layer, const char *app, int pass, int line);

ir_shape ir_shape1(int a);
ir_shape ir_shape2(int a, int b);
ir_shape ir_shape4(int a, int b, int c, int d);
long ir_numel(ir_shape s);
int ir_shape_eq(ir_shape a, ir_shape b);
/* numpy broadcast of a and b into *out; -1 if they do not broadcast */
int ir_broadcast_shape(ir_shape a, ir_shape b, ir_shape *out);
void ir_shape_str(ir_shape s, char *buf, int n);   /* "256x128" */

const char *ir_op_name(ir_op op);
int ir_is_unary(ir_op op);
int ir_is_binary(ir_op op);
int ir_is_elementwise(ir_op op);   /* unary, binary, BROADCAST, CONST, COPY, noise */
/* leaves recomputed from a hash wherever they are read: DROPOUT_MASK, UNIFORM */
int ir_is_noise(ir_op op);

/* Constructors return the node index; they fold constants where that is
 * exact (e.g. x*1 -> x, const*const -> const). `label` may be NULL. */
int ir_input(ir_graph *g, int ext, ir_shape s, const char *label);
int ir_param(ir_graph *g, int tensor, ir_shape s, const char *label);
int ir_const(ir_graph *g, float k, ir_shape s);
int ir_matmul(ir_graph *g, int a, int b, int ta, int tb, const char *label);
int ir_unary(ir_graph *g, ir_op op, int x, float k, const char *label);
int ir_binary(ir_graph *g, ir_op op, int a, int b, const char *label);
int ir_broadcast(ir_graph *g, int x, ir_shape s);
int ir_sum_to(ir_graph *g, int x, ir_shape s);
int ir_reshape(ir_graph *g, int x, ir_shape s, const char *label);
int ir_concat(ir_graph *g, const int *xs, int n, int axis, const char *label);
int ir_slice(ir_graph *g, int x, int axis, int start, int len);
int ir_pad(ir_graph *g, int x, int axis, int start, int total);
int ir_copy(ir_graph *g, int x, const char *label);
int ir_conv2d(ir_graph *g, int x, int w, int stride, int pad, const char *label);
int ir_conv2d_t(ir_graph *g, int x, int w, int stride, int pad, int out_h, int out_w,
                const char *label);
int ir_conv2d_wgrad(ir_graph *g, int a, int gy, int kh, int kw, int stride, int pad,
                    const char *label);
int ir_upsample(ir_graph *g, int x, int factor, const char *label);
int ir_sumpool(ir_graph *g, int x, int factor, const char *label);
int ir_dropout_mask(ir_graph *g, ir_shape s, float drop, int salt);
int ir_uniform(ir_graph *g, ir_shape s, int salt);
int ir_onehot(ir_graph *g, int labels, int classes, const char *label);
int ir_argmax_pick(ir_graph *g, int a, int v, int group, const char *label);
int ir_argmax_place(ir_graph *g, int a, int gy, int group, const char *label);

/* Names node x `label` unless it has a name already (a constructor may
 * return an existing node); returns x. */
int ir_label(ir_graph *g, int x, const char *label);

/* Label helpers: a graph-owned copy of a formatted string. */
const char *ir_strf(ir_graph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reverse-mode differentiation (autodiff.c).  Appends the nodes computing
 * d loss / d wrt[i] for each i to the graph and stores their indices in
 * grads[i] (-1 when wrt[i] does not influence loss).  `loss` must have one
 * element. */
void ir_gradients(ir_graph *g, int loss, const int *wrt, int n_wrt, int *grads);

#endif

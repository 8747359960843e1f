/* ir.c - building the primitive graph, with the small exact foldings that
 * keep derived gradients readable (x*1, x+0, ops on constants). */
#include "ir.h"
#include "buf.h"
#include "fatal.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[IR_OP_COUNT] = {
    "input", "param", "const", "matmul",
    "neg", "scale", "adds", "relu", "step", "leaky_relu", "leaky_step",
    "tanh", "sigmoid", "softplus", "exp", "log", "sqrt", "recip",
    "abs", "sign", "stop",
    "add", "sub", "mul", "div", "maximum", "ge",
    "broadcast", "sum_to", "reshape", "concat", "slice", "pad", "copy",
    "conv2d", "conv2d_t", "conv2d_wgrad", "upsample", "sumpool", "dropout_mask",
    "uniform", "onehot", "argmax_pick", "argmax_place",
};

const char *ir_op_name(ir_op op) { return op_names[op]; }
int ir_is_unary(ir_op op) { return op >= IR_NEG && op <= IR_STOP; }
int ir_is_binary(ir_op op) { return op >= IR_ADD && op <= IR_GE; }
int ir_is_noise(ir_op op) { return op == IR_DROPOUT_MASK || op == IR_UNIFORM; }
int ir_is_elementwise(ir_op op)
{
    return ir_is_unary(op) || ir_is_binary(op) || op == IR_BROADCAST || op == IR_CONST ||
           op == IR_COPY || ir_is_noise(op);
}

void ir_init(ir_graph *g)
{
    memset(g, 0, sizeof *g);
    g->cur_net = -1;
    g->cur_layer = "?";
    g->cur_app = "?";
}

void ir_free(ir_graph *g)
{
    for (int i = 0; i < g->n_strings; i++)
        free(g->strings[i]);
    free(g->strings);
    free(g->n);
    memset(g, 0, sizeof *g);
}

void ir_set_tag(ir_graph *g, int net, const char *layer, const char *app, int pass, int line)
{
    g->cur_net = net;
    g->cur_layer = layer;
    g->cur_app = app;
    g->cur_pass = pass;
    g->cur_line = line;
}

const char *ir_strf(ir_graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = gan_vstrf(fmt, ap);
    va_end(ap);
    g->strings = gan_xrealloc(g->strings, (size_t)g->n_strings + 1, sizeof *g->strings);
    g->strings[g->n_strings] = s;
    return g->strings[g->n_strings++];
}

ir_shape ir_shape1(int a) { ir_shape s = { 1, { a, 1, 1, 1 } }; return s; }
ir_shape ir_shape2(int a, int b) { ir_shape s = { 2, { a, b, 1, 1 } }; return s; }
ir_shape ir_shape4(int a, int b, int c, int d) { ir_shape s = { 4, { a, b, c, d } }; return s; }

long ir_numel(ir_shape s)
{
    long n = 1;
    for (int i = 0; i < s.rank; i++)
        n *= s.d[i];
    return n;
}

int ir_shape_eq(ir_shape a, ir_shape b)
{
    if (a.rank != b.rank)
        return 0;
    for (int i = 0; i < a.rank; i++)
        if (a.d[i] != b.d[i])
            return 0;
    return 1;
}

int ir_broadcast_shape(ir_shape a, ir_shape b, ir_shape *out)
{
    ir_shape r = { a.rank > b.rank ? a.rank : b.rank, { 1, 1, 1, 1 } };
    for (int i = 0; i < r.rank; i++) {
        int ia = i - (r.rank - a.rank), ib = i - (r.rank - b.rank);
        int da = ia >= 0 ? a.d[ia] : 1, db = ib >= 0 ? b.d[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return -1;
        r.d[i] = da > db ? da : db;
    }
    *out = r;
    return 0;
}

void ir_shape_str(ir_shape s, char *buf, int n)
{
    int used = 0;
    buf[0] = 0;
    for (int i = 0; i < s.rank && used < n; i++)
        used += snprintf(buf + used, n - used, i ? "x%d" : "%d", s.d[i]);
    if (s.rank == 0)
        snprintf(buf, n, "scalar");
}

static int add_node(ir_graph *g, ir_op op, ir_shape s, const char *label)
{
    if (g->count == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 256;
        g->n = gan_xrealloc(g->n, (size_t)g->cap, sizeof *g->n);
    }
    ir_node *n = &g->n[g->count];
    memset(n, 0, sizeof *n);
    n->op = op;
    n->shape = s;
    n->net = g->cur_net;
    n->layer = g->cur_layer;
    n->app = g->cur_app;
    n->pass = g->cur_pass;
    n->yaml_line = g->cur_line;
    n->label = label ? ir_strf(g, "%s", label) : NULL;
    return g->count++;
}

static void set_inputs(ir_graph *g, int id, const int *in, int n)
{
    assert(n <= IR_MAX_IN);
    g->n[id].n_in = n;
    for (int i = 0; i < n; i++) {
        assert(in[i] >= 0 && in[i] < id);
        g->n[id].in[i] = in[i];
    }
}

int ir_label(ir_graph *g, int x, const char *label)
{
    if (!g->n[x].label && label)
        g->n[x].label = ir_strf(g, "%s", label);
    return x;
}

int ir_input(ir_graph *g, int ext, ir_shape s, const char *label)
{
    int id = add_node(g, IR_INPUT, s, label);
    g->n[id].ext = ext;
    return id;
}

int ir_param(ir_graph *g, int tensor, ir_shape s, const char *label)
{
    int id = add_node(g, IR_PARAM, s, label);
    g->n[id].ext = tensor;
    return id;
}

int ir_const(ir_graph *g, float k, ir_shape s)
{
    int id = add_node(g, IR_CONST, s, NULL);
    g->n[id].k = k;
    return id;
}

static int is_const(const ir_graph *g, int x, float *k)
{
    if (g->n[x].op != IR_CONST)
        return 0;
    if (k)
        *k = g->n[x].k;
    return 1;
}

int ir_matmul(ir_graph *g, int a, int b, int ta, int tb, const char *label)
{
    ir_shape sa = g->n[a].shape, sb = g->n[b].shape;
    assert(sa.rank == 2 && sb.rank == 2);
    int m = ta ? sa.d[1] : sa.d[0], ka = ta ? sa.d[0] : sa.d[1];
    int kb = tb ? sb.d[1] : sb.d[0], n = tb ? sb.d[0] : sb.d[1];
    assert(ka == kb);
    (void)kb;
    int id = add_node(g, IR_MATMUL, ir_shape2(m, n), label);
    int in[2] = { a, b };
    set_inputs(g, id, in, 2);
    g->n[id].ta = ta;
    g->n[id].tb = tb;
    return id;
}

static float fold_unary(ir_op op, float x, float k);

int ir_unary(ir_graph *g, ir_op op, int x, float k, const char *label)
{
    assert(ir_is_unary(op));
    float c;
    if (is_const(g, x, &c))
        return ir_const(g, fold_unary(op, c, k), g->n[x].shape);
    if ((op == IR_SCALE && k == 1.0f) || (op == IR_ADDS && k == 0.0f))
        return x;
    if (op == IR_NEG && g->n[x].op == IR_NEG)
        return g->n[x].in[0];
    int id = add_node(g, op, g->n[x].shape, label);
    set_inputs(g, id, &x, 1);
    g->n[id].k = k;
    return id;
}

int ir_binary(ir_graph *g, ir_op op, int a, int b, const char *label)
{
    assert(ir_is_binary(op));
    ir_shape s;
    int ok = ir_broadcast_shape(g->n[a].shape, g->n[b].shape, &s);
    assert(ok == 0);
    (void)ok;
    float ca, cb;
    int a_const = is_const(g, a, &ca), b_const = is_const(g, b, &cb);
    /* a constant operand becomes a scalar op on the other (exact) */
    if (a_const && b_const) {
        float v = op == IR_ADD ? ca + cb : op == IR_SUB ? ca - cb : op == IR_MUL ? ca * cb
                : op == IR_DIV ? ca / cb : op == IR_MAXIMUM ? (ca >= cb ? ca : cb)
                : (float)(ca >= cb);
        return ir_const(g, v, s);
    }
    int other = a_const ? b : a;
    if ((a_const || b_const) && ir_shape_eq(g->n[other].shape, s)) {
        float c = a_const ? ca : cb;
        switch (op) {
        case IR_ADD: return ir_unary(g, IR_ADDS, other, c, label);
        case IR_MUL: return c == 0.0f ? ir_const(g, 0.0f, s) : ir_unary(g, IR_SCALE, other, c, label);
        case IR_SUB:
            if (b_const)
                return ir_unary(g, IR_ADDS, a, -c, label);
            return ir_unary(g, IR_ADDS, ir_unary(g, IR_NEG, b, 0, NULL), c, label);
        case IR_DIV:
            if (b_const)
                return ir_unary(g, IR_SCALE, a, 1.0f / c, label);
            break;
        default: break;
        }
    }
    int id = add_node(g, op, s, label);
    int in[2] = { a, b };
    set_inputs(g, id, in, 2);
    return id;
}

int ir_broadcast(ir_graph *g, int x, ir_shape s)
{
    float c;
    if (ir_shape_eq(g->n[x].shape, s))
        return x;
    if (is_const(g, x, &c))
        return ir_const(g, c, s);
    int id = add_node(g, IR_BROADCAST, s, NULL);
    set_inputs(g, id, &x, 1);
    return id;
}

int ir_sum_to(ir_graph *g, int x, ir_shape s)
{
    if (ir_shape_eq(g->n[x].shape, s))
        return x;
    int id = add_node(g, IR_SUM_TO, s, NULL);
    set_inputs(g, id, &x, 1);
    return id;
}

int ir_reshape(ir_graph *g, int x, ir_shape s, const char *label)
{
    assert(ir_numel(s) == ir_numel(g->n[x].shape));
    if (ir_shape_eq(g->n[x].shape, s))
        return x;
    float c;
    if (is_const(g, x, &c))
        return ir_const(g, c, s);
    if (g->n[x].op == IR_RESHAPE)
        x = g->n[x].in[0];
    int id = add_node(g, IR_RESHAPE, s, label);
    set_inputs(g, id, &x, 1);
    return id;
}

int ir_concat(ir_graph *g, const int *xs, int n, int axis, const char *label)
{
    ir_shape s = g->n[xs[0]].shape;
    s.d[axis] = 0;
    for (int i = 0; i < n; i++)
        s.d[axis] += g->n[xs[i]].shape.d[axis];
    int id = add_node(g, IR_CONCAT, s, label);
    set_inputs(g, id, xs, n);
    g->n[id].axis = axis;
    return id;
}

int ir_slice(ir_graph *g, int x, int axis, int start, int len)
{
    ir_shape s = g->n[x].shape;
    assert(start >= 0 && start + len <= s.d[axis]);
    if (start == 0 && len == s.d[axis])
        return x;
    s.d[axis] = len;
    int id = add_node(g, IR_SLICE, s, NULL);
    set_inputs(g, id, &x, 1);
    g->n[id].axis = axis;
    g->n[id].start = start;
    return id;
}

int ir_pad(ir_graph *g, int x, int axis, int start, int total)
{
    ir_shape s = g->n[x].shape;
    if (start == 0 && total == s.d[axis])
        return x;
    s.d[axis] = total;
    int id = add_node(g, IR_PAD, s, NULL);
    set_inputs(g, id, &x, 1);
    g->n[id].axis = axis;
    g->n[id].start = start;
    return id;
}

int ir_copy(ir_graph *g, int x, const char *label)
{
    int id = add_node(g, IR_COPY, g->n[x].shape, label);
    set_inputs(g, id, &x, 1);
    return id;
}

static int conv_node(ir_graph *g, ir_op op, int a, int b, ir_shape s, int stride, int pad,
                     const char *label)
{
    int id = add_node(g, op, s, label);
    int in[2] = { a, b };
    set_inputs(g, id, in, 2);
    g->n[id].stride = stride;
    g->n[id].pad = pad;
    return id;
}

int ir_conv2d(ir_graph *g, int x, int w, int stride, int pad, const char *label)
{
    ir_shape sx = g->n[x].shape, sw = g->n[w].shape;
    assert(sx.rank == 4 && sw.rank == 4 && sx.d[1] == sw.d[1]);
    int ho = (sx.d[2] + 2 * pad - sw.d[2]) / stride + 1;
    int wo = (sx.d[3] + 2 * pad - sw.d[3]) / stride + 1;
    return conv_node(g, IR_CONV2D, x, w, ir_shape4(sx.d[0], sw.d[0], ho, wo), stride, pad, label);
}

int ir_conv2d_t(ir_graph *g, int x, int w, int stride, int pad, int out_h, int out_w,
                const char *label)
{
    ir_shape sx = g->n[x].shape, sw = g->n[w].shape;
    assert(sx.rank == 4 && sw.rank == 4 && sx.d[1] == sw.d[0]);
    /* out_h may exceed the minimum (H-1)s - 2p + K by less than s, like
     * PyTorch's output_padding: rows no input reaches stay 0 */
    assert(out_h >= (sx.d[2] - 1) * stride - 2 * pad + sw.d[2]);
    return conv_node(g, IR_CONV2D_T, x, w, ir_shape4(sx.d[0], sw.d[1], out_h, out_w), stride,
                     pad, label);
}

int ir_conv2d_wgrad(ir_graph *g, int a, int gy, int kh, int kw, int stride, int pad,
                    const char *label)
{
    ir_shape sa = g->n[a].shape, sg = g->n[gy].shape;
    assert(sa.rank == 4 && sg.rank == 4 && sa.d[0] == sg.d[0]);
    return conv_node(g, IR_CONV2D_WGRAD, a, gy, ir_shape4(sg.d[1], sa.d[1], kh, kw), stride, pad,
                     label);
}

int ir_upsample(ir_graph *g, int x, int factor, const char *label)
{
    ir_shape s = g->n[x].shape;
    assert(s.rank == 4);
    int id = add_node(g, IR_UPSAMPLE, ir_shape4(s.d[0], s.d[1], s.d[2] * factor, s.d[3] * factor),
                      label);
    set_inputs(g, id, &x, 1);
    g->n[id].stride = factor;
    return id;
}

int ir_sumpool(ir_graph *g, int x, int factor, const char *label)
{
    ir_shape s = g->n[x].shape;
    assert(s.rank == 4 && s.d[2] % factor == 0 && s.d[3] % factor == 0);
    int id = add_node(g, IR_SUMPOOL, ir_shape4(s.d[0], s.d[1], s.d[2] / factor, s.d[3] / factor),
                      label);
    set_inputs(g, id, &x, 1);
    g->n[id].stride = factor;
    return id;
}

int ir_uniform(ir_graph *g, ir_shape s, int salt)
{
    int id = add_node(g, IR_UNIFORM, s, NULL);
    g->n[id].ext = salt;
    return id;
}

int ir_onehot(ir_graph *g, int labels, int classes, const char *label)
{
    ir_shape s = g->n[labels].shape;
    assert((s.rank == 1 || (s.rank == 2 && s.d[1] == 1)) && classes > 0);
    int id = add_node(g, IR_ONEHOT, ir_shape2(s.d[0], classes), label);
    set_inputs(g, id, &labels, 1);
    return id;
}

/* a's shape with its last axis divided by `group` */
static ir_shape groups_of(ir_shape a, int group)
{
    assert(group > 0 && a.rank > 0 && a.d[a.rank - 1] % group == 0);
    a.d[a.rank - 1] /= group;
    return a;
}

int ir_argmax_pick(ir_graph *g, int a, int v, int group, const char *label)
{
    ir_shape s = g->n[a].shape;
    assert(ir_shape_eq(s, g->n[v].shape));
    int id = add_node(g, IR_ARGMAX_PICK, groups_of(s, group), label);
    int in[2] = { a, v };
    set_inputs(g, id, in, 2);
    g->n[id].stride = group;
    return id;
}

int ir_argmax_place(ir_graph *g, int a, int gy, int group, const char *label)
{
    ir_shape s = g->n[a].shape;
    assert(ir_shape_eq(groups_of(s, group), g->n[gy].shape));
    int id = add_node(g, IR_ARGMAX_PLACE, s, label);
    int in[2] = { a, gy };
    set_inputs(g, id, in, 2);
    g->n[id].stride = group;
    return id;
}

int ir_dropout_mask(ir_graph *g, ir_shape s, float drop, int salt)
{
    int id = add_node(g, IR_DROPOUT_MASK, s, NULL);
    g->n[id].k = drop;
    g->n[id].ext = salt;
    return id;
}

#include <math.h>

static float fold_unary(ir_op op, float x, float k)
{
    switch (op) {
    case IR_NEG: return -x;
    case IR_SCALE: return x * k;
    case IR_ADDS: return x + k;
    case IR_RELU: return x > 0 ? x : 0;
    case IR_STEP: return x > 0 ? 1 : 0;
    case IR_LEAKY_RELU: return x > 0 ? x : k * x;
    case IR_LEAKY_STEP: return x > 0 ? 1 : k;
    case IR_TANH: return tanhf(x);
    case IR_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case IR_SOFTPLUS: return x > 0 ? x + log1pf(expf(-x)) : log1pf(expf(x));
    case IR_EXP: return expf(x);
    case IR_LOG: return logf(x);
    case IR_SQRT: return sqrtf(x);
    case IR_RECIP: return 1.0f / x;
    case IR_ABS: return fabsf(x);
    case IR_SIGN: return (float)((x > 0) - (x < 0));
    case IR_STOP: return x;
    default: gan_internal("ir.c", "op %s is not a unary op to fold", ir_op_name(op));
    }
}

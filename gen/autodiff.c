/* autodiff.c - reverse-mode differentiation of an ir_graph.
 *
 * Every rule writes the input gradients with ordinary IR ops, so the result
 * is again a graph that this same function can differentiate (gradients of
 * gradients for WGAN-GP and R1).  Activations differentiate through their
 * output (relu' = step(y), tanh' = 1 - y^2, ...) so that a fused
 * producer never has to keep its pre-activation.
 *
 * Only nodes on a path from some wrt node to the loss are visited; that is
 * what stops gradients where a loss requires it (D's step never touches G).
 */
#include "ir.h"
#include "fatal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    ir_graph *g;
    int *grad;      /* grad[i]: node holding dL/d node i, or -1 */
} ctx;

static const char *grad_label(ir_graph *g, int x)
{
    while (!g->n[x].label && g->n[x].op == IR_RESHAPE)   /* a view: its value's name */
        x = g->n[x].in[0];
    const char *l = g->n[x].label;
    return l ? ir_strf(g, "d_%s", l) : NULL;
}

/* Adds `v` into the gradient of node x, reducing broadcast axes first. */
static void accumulate(ctx *c, int x, int v)
{
    ir_graph *g = c->g;
    v = ir_label(g, ir_sum_to(g, v, g->n[x].shape), grad_label(g, x));
    if (c->grad[x] < 0)
        c->grad[x] = v;
    else
        c->grad[x] = ir_binary(g, IR_ADD, c->grad[x], v, grad_label(g, x));
}

static int one_minus(ir_graph *g, int x)
{
    return ir_unary(g, IR_ADDS, ir_unary(g, IR_NEG, x, 0, NULL), 1.0f, NULL);
}

static int needs(const char *req, int x) { return req[x]; }

static void backward_node(ctx *c, const char *req, int y)
{
    ir_graph *g = c->g;
    int gy = c->grad[y];
    ir_node n = g->n[y];      /* copy: g->n may move as nodes are added */
    int x = n.in[0], x1 = n.in[1];
    const char *lx = n.n_in ? grad_label(g, x) : NULL;

    switch (n.op) {
    case IR_INPUT: case IR_PARAM: case IR_CONST: case IR_STEP: case IR_LEAKY_STEP:
    case IR_DROPOUT_MASK: case IR_UNIFORM: case IR_ONEHOT: case IR_SIGN: case IR_GE:
    case IR_STOP:
        return;   /* leaves, functions whose derivative is zero a.e., and stop */
    case IR_MATMUL: {
        ir_node m = n;
        int ga = -1, gb = -1;
        if (needs(req, m.in[0])) {
            if (!m.ta) ga = ir_matmul(g, gy, m.in[1], 0, !m.tb, grad_label(g, m.in[0]));
            else ga = m.tb ? ir_matmul(g, m.in[1], gy, 1, 1, grad_label(g, m.in[0]))
                           : ir_matmul(g, m.in[1], gy, 0, 1, grad_label(g, m.in[0]));
            accumulate(c, m.in[0], ga);
        }
        if (needs(req, m.in[1])) {
            if (!m.tb) gb = m.ta ? ir_matmul(g, m.in[0], gy, 0, 0, grad_label(g, m.in[1]))
                                 : ir_matmul(g, m.in[0], gy, 1, 0, grad_label(g, m.in[1]));
            else gb = m.ta ? ir_matmul(g, gy, m.in[0], 1, 1, grad_label(g, m.in[1]))
                           : ir_matmul(g, gy, m.in[0], 1, 0, grad_label(g, m.in[1]));
            accumulate(c, m.in[1], gb);
        }
        return;
    }
    case IR_NEG: accumulate(c, x, ir_unary(g, IR_NEG, gy, 0, lx)); return;
    case IR_SCALE: accumulate(c, x, ir_unary(g, IR_SCALE, gy, n.k, lx)); return;
    case IR_ADDS: case IR_COPY: case IR_BROADCAST: accumulate(c, x, gy); return;
    case IR_RELU:
        accumulate(c, x, ir_binary(g, IR_MUL, gy, ir_unary(g, IR_STEP, y, 0, NULL), lx));
        return;
    case IR_LEAKY_RELU:
        /* the sign of y is the sign of x for a slope k > 0 */
        accumulate(c, x, ir_binary(g, IR_MUL, gy, ir_unary(g, IR_LEAKY_STEP, y, n.k, NULL), lx));
        return;
    case IR_TANH:
        accumulate(c, x, ir_binary(g, IR_MUL, gy,
                                   one_minus(g, ir_binary(g, IR_MUL, y, y, NULL)), lx));
        return;
    case IR_SIGMOID:
        accumulate(c, x, ir_binary(g, IR_MUL, gy,
                                   ir_binary(g, IR_MUL, y, one_minus(g, y), NULL), lx));
        return;
    case IR_SOFTPLUS:
        accumulate(c, x, ir_binary(g, IR_MUL, gy, ir_unary(g, IR_SIGMOID, x, 0, NULL), lx));
        return;
    case IR_EXP: accumulate(c, x, ir_binary(g, IR_MUL, gy, y, lx)); return;
    case IR_LOG: accumulate(c, x, ir_binary(g, IR_DIV, gy, x, lx)); return;
    case IR_SQRT:
        accumulate(c, x, ir_binary(g, IR_DIV, ir_unary(g, IR_SCALE, gy, 0.5f, NULL), y, lx));
        return;
    case IR_RECIP:
        accumulate(c, x, ir_unary(g, IR_NEG,
                                  ir_binary(g, IR_MUL, gy, ir_binary(g, IR_MUL, y, y, NULL), NULL),
                                  0, lx));
        return;
    case IR_ABS:
        accumulate(c, x, ir_binary(g, IR_MUL, gy, ir_unary(g, IR_SIGN, x, 0, NULL), lx));
        return;
    case IR_MAXIMUM: {
        /* the larger input takes the gradient (the first when equal) */
        int first = ir_binary(g, IR_GE, x, x1, NULL);
        if (needs(req, x))
            accumulate(c, x, ir_binary(g, IR_MUL, gy, first, lx));
        if (needs(req, x1))
            accumulate(c, x1, ir_binary(g, IR_MUL, gy, one_minus(g, first), grad_label(g, x1)));
        return;
    }
    case IR_ADD:
        if (needs(req, x)) accumulate(c, x, gy);
        if (needs(req, x1)) accumulate(c, x1, gy);
        return;
    case IR_SUB:
        if (needs(req, x)) accumulate(c, x, gy);
        if (needs(req, x1)) accumulate(c, x1, ir_unary(g, IR_NEG, gy, 0, grad_label(g, x1)));
        return;
    case IR_MUL:
        if (needs(req, x)) accumulate(c, x, ir_binary(g, IR_MUL, gy, x1, lx));
        if (needs(req, x1)) accumulate(c, x1, ir_binary(g, IR_MUL, gy, x, grad_label(g, x1)));
        return;
    case IR_DIV:
        if (needs(req, x)) accumulate(c, x, ir_binary(g, IR_DIV, gy, x1, lx));
        if (needs(req, x1))
            accumulate(c, x1, ir_unary(g, IR_NEG,
                                       ir_binary(g, IR_MUL, gy, ir_binary(g, IR_DIV, y, x1, NULL),
                                                 NULL), 0, grad_label(g, x1)));
        return;
    case IR_SUM_TO: accumulate(c, x, ir_label(g, ir_broadcast(g, gy, g->n[x].shape), lx)); return;
    case IR_RESHAPE: accumulate(c, x, ir_reshape(g, gy, g->n[x].shape, lx)); return;
    case IR_CONCAT: {
        int off = 0;
        for (int i = 0; i < n.n_in; i++) {
            int xi = n.in[i], len = g->n[xi].shape.d[n.axis];
            if (needs(req, xi))
                accumulate(c, xi, ir_slice(g, gy, n.axis, off, len));
            off += len;
        }
        return;
    }
    case IR_SLICE:
        accumulate(c, x, ir_pad(g, gy, n.axis, n.start, g->n[x].shape.d[n.axis]));
        return;
    case IR_PAD:
        accumulate(c, x, ir_slice(g, gy, n.axis, n.start, g->n[x].shape.d[n.axis]));
        return;
    case IR_CONV2D: {
        ir_shape sx = g->n[x].shape, sw = g->n[x1].shape;
        if (needs(req, x))
            accumulate(c, x, ir_conv2d_t(g, gy, x1, n.stride, n.pad, sx.d[2], sx.d[3], lx));
        if (needs(req, x1))
            accumulate(c, x1, ir_conv2d_wgrad(g, x, gy, sw.d[2], sw.d[3], n.stride, n.pad,
                                              grad_label(g, x1)));
        return;
    }
    case IR_CONV2D_T: {
        /* y = conv2d_t(x, w) is the input gradient of a conv2d: its own
         * input gradient is that conv2d, its weight gradient a correlation
         * of the output gradient with the input */
        ir_shape sw = g->n[x1].shape;
        if (needs(req, x))
            accumulate(c, x, ir_conv2d(g, gy, x1, n.stride, n.pad, lx));
        if (needs(req, x1))
            accumulate(c, x1, ir_conv2d_wgrad(g, gy, x, sw.d[2], sw.d[3], n.stride, n.pad,
                                              grad_label(g, x1)));
        return;
    }
    case IR_CONV2D_WGRAD: {
        ir_shape sa = g->n[x].shape;
        if (needs(req, x))
            accumulate(c, x, ir_conv2d_t(g, x1, gy, n.stride, n.pad, sa.d[2], sa.d[3], lx));
        if (needs(req, x1))
            accumulate(c, x1, ir_conv2d(g, x, gy, n.stride, n.pad, grad_label(g, x1)));
        return;
    }
    case IR_ARGMAX_PICK:
        /* v's element at a's argmax: the gradient goes back to that element;
         * a only chooses (derivative 0 a.e.) */
        if (needs(req, x1))
            accumulate(c, x1, ir_argmax_place(g, x, gy, n.stride, grad_label(g, x1)));
        return;
    case IR_ARGMAX_PLACE:
        if (needs(req, x1))
            accumulate(c, x1, ir_argmax_pick(g, x, gy, n.stride, grad_label(g, x1)));
        return;
    case IR_UPSAMPLE: accumulate(c, x, ir_sumpool(g, gy, n.stride, lx)); return;
    case IR_SUMPOOL: accumulate(c, x, ir_upsample(g, gy, n.stride, lx)); return;
    case IR_OP_COUNT:
        break;
    }
    gan_internal("autodiff.c", "no derivative rule for op %s", ir_op_name(n.op));
}

void ir_gradients(ir_graph *g, int loss, const int *wrt, int n_wrt, int *grads)
{
    assert(ir_numel(g->n[loss].shape) == 1);
    int n0 = loss + 1;
    /* req[i]: node i depends on some wrt node (so its gradient is wanted) */
    char *req = gan_xcalloc((size_t)n0, 1);
    ctx c = { g, gan_xcalloc((size_t)n0, sizeof(int)) };
    for (int i = 0; i < n_wrt; i++)
        req[wrt[i]] = 1;
    for (int i = 0; i < n0; i++)
        for (int j = 0; j < g->n[i].n_in && !req[i]; j++)
            if (req[g->n[i].in[j]])
                req[i] = 1;
    for (int i = 0; i < n0; i++)
        c.grad[i] = -1;
    c.grad[loss] = ir_const(g, 1.0f, g->n[loss].shape);
    for (int y = loss; y >= 0; y--) {
        if (!req[y] || c.grad[y] < 0)
            continue;
        const ir_node *n = &g->n[y];
        ir_set_tag(g, n->net, n->layer, n->app, IR_PASS_BACKWARD, n->yaml_line);
        backward_node(&c, req, y);
    }
    for (int i = 0; i < n_wrt; i++)
        grads[i] = c.grad[wrt[i]];
    free(req);
    free(c.grad);
}

/* emit_node.c - the C code of one executing node of a plan: a banner
 * naming its value and formula, then the block that the node's emitter
 * writes (loop nodes: emit_loops.c; products: emit_matmul.c; image ops:
 * emit_conv.c; layout ops, here: copy loops), indented one level. */
#include "emit_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* layout ops                                                          */

static void emit_layout(gan_buf *o, const gan_plan *pl, gan_names *nm, int x)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[x];
    const char *out = gan_names_get(nm, pl, x);
    gan_names_mark_written(nm, pl, x);
    static const char *const other[4] = { "O0", "O1", "O2", "O3" };
    if (nd->op == IR_PAD) {
        gan_buf_printf(o, "    for (int i = 0; i < %ld; i++)\n        %s[i] = 0.0f;\n",
                       ir_numel(nd->shape), out);
    }
    int n_parts = nd->op == IR_CONCAT ? nd->n_in : 1;
    int off = nd->op == IR_CONCAT ? 0 : nd->start;
    for (int p = 0; p < n_parts; p++) {
        int src = nd->in[p];
        const char *in = gan_names_get(nm, pl, src);
        /* iterate the smaller tensor; the larger one is offset along axis */
        ir_shape dom = nd->op == IR_SLICE ? nd->shape : g->n[src].shape;
        ir_shape big = nd->op == IR_SLICE ? g->n[src].shape : nd->shape;
        gan_buf_put(o, "    {\n");
        gan_declare_dims(o, 2, dom, gan_dom_names);
        gan_declare_dims(o, 2, big, other);
        for (int a = 0; a < dom.rank; a++) {
            gan_indent(o, 2 + a);
            gan_buf_printf(o, "for (int %s = 0; %s < %s; %s++)\n", gan_loop_vars[a], gan_loop_vars[a],
                           gan_dom_names[a], gan_loop_vars[a]);
        }
        char shifted[32];
        snprintf(shifted, sizeof shifted, "(%s + %d)", gan_loop_vars[nd->axis], off);
        const char *bidx[4] = { "i0", "i1", "i2", "i3" };
        bidx[nd->axis] = shifted;
        char *small_ix = gan_index_expr(dom, dom, gan_loop_vars, gan_dom_names);
        char *big_ix = gan_index_expr(big, big, bidx, other);
        gan_indent(o, 2 + dom.rank);
        if (nd->op == IR_SLICE)
            gan_buf_printf(o, "%s[%s] = %s[%s];\n", out, small_ix, in, big_ix);
        else
            gan_buf_printf(o, "%s[%s] = %s[%s];\n", out, big_ix, in, small_ix);
        gan_buf_put(o, "    }\n");
        free(small_ix);
        free(big_ix);
        off += g->n[src].shape.d[nd->axis];
    }
}

/* one-hot rows: zeros, then a 1 in each row at its label's column; a label
 * outside [0, classes) leaves its row zero (the loader rejects such labels
 * before they get here) */
static void emit_onehot(gan_buf *o, const gan_plan *pl, gan_names *nm, int x)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[x];
    const char *out = gan_names_get(nm, pl, x);
    const char *labels = gan_names_get(nm, pl, nd->in[0]);
    gan_names_mark_written(nm, pl, x);
    long rows = nd->shape.d[0], classes = nd->shape.d[1];
    gan_buf_printf(o, "    for (int i = 0; i < %ld; i++)\n        %s[i] = 0.0f;\n",
                   rows * classes, out);
    gan_buf_printf(o, "    for (int i0 = 0; i0 < %ld; i0++) {\n", rows);
    gan_buf_printf(o, "        int label = (int)%s[i0];\n", labels);
    gan_buf_printf(o, "        if (label >= 0 && label < %ld)\n", classes);
    gan_buf_printf(o, "            %s[i0 * %ld + label] = 1.0f;\n    }\n", out, classes);
}

/* maxout's pair (ir.h): per group of PIECES consecutive elements of a (row),
 * the position of its largest (the first when equal), then v's element there
 * (ARGMAX_PICK) or g's value placed there among zeros (ARGMAX_PLACE) */
static void emit_argmax(gan_buf *o, const gan_plan *pl, gan_names *nm, int x)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[x];
    const char *out = gan_names_get(nm, pl, x);
    const char *a = gan_names_get(nm, pl, nd->in[0]), *v = gan_names_get(nm, pl, nd->in[1]);
    gan_names_mark_written(nm, pl, x);
    long pieces = nd->stride, groups = ir_numel(g->n[nd->in[0]].shape) / pieces;
    gan_buf_printf(o, "    enum { GROUPS = %ld, PIECES = %ld };\n", groups, pieces);
    gan_buf_put(o, "    for (long i = 0; i < GROUPS; i++) {\n");
    gan_buf_printf(o, "        const float *row = %s + i * PIECES;\n", a);
    gan_buf_put(o, "        int best = 0;\n"
                   "        for (int k = 1; k < PIECES; k++)\n"
                   "            if (row[k] > row[best])\n"
                   "                best = k;\n");
    if (nd->op == IR_ARGMAX_PICK) {
        gan_buf_printf(o, "        %s[i] = %s[i * PIECES + best];\n    }\n", out, v);
        return;
    }
    gan_buf_put(o, "        for (int k = 0; k < PIECES; k++)\n");
    gan_buf_printf(o, "            %s[i * PIECES + k] = k == best ? %s[i] : 0.0f;\n    }\n",
                   out, v);
}

void gan_emit_node(gan_buf *o, const gan_plan *pl, gan_names *nm, int x)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[x];
    gan_buf desc = { 0 };
    /* the value it computes, or each value of the loop group it leads */
    for (int y = x; y < pl->n; y++) {
        if (y != x && pl->sched[y].group != x)
            continue;
        char shape[64];
        ir_shape_str(g->n[y].shape, shape, sizeof shape);
        gan_buf_printf(&desc, "%s = ", gan_names_get(nm, pl, y));
        gan_describe_value(pl, nm, y, y, &desc);
        gan_buf_printf(&desc, "  [%s]\n", shape);
        if (pl->sched[x].group != x)
            break;
    }
    gan_plan_describe(&desc, pl, x, 0);
    gan_emit_comment(o, 1, desc.s);
    gan_buf_free(&desc);
    gan_buf_put(o, "    {\n");
    gan_buf code = { 0 };
    if (pl->gemm[x] >= 0 && g->n[pl->gemm[x]].op != IR_MATMUL)
        gan_emit_conv(&code, pl, nm, pl->gemm[x], x);
    else if (pl->gemm[x] >= 0)
        gan_emit_matmul(&code, pl, nm, pl->gemm[x], x);
    else if (nd->op >= IR_CONV2D && nd->op <= IR_SUMPOOL)
        gan_emit_conv(&code, pl, nm, x, -1);
    else if (nd->op == IR_MATMUL)
        gan_emit_matmul(&code, pl, nm, x, -1);
    else if (nd->op == IR_CONCAT || nd->op == IR_SLICE || nd->op == IR_PAD)
        emit_layout(&code, pl, nm, x);
    else if (nd->op == IR_ONEHOT)
        emit_onehot(&code, pl, nm, x);
    else if (nd->op == IR_ARGMAX_PICK || nd->op == IR_ARGMAX_PLACE)
        emit_argmax(&code, pl, nm, x);
    else
        gan_emit_loop_node(&code, pl, nm, x);
    /* indent the block's body one more level */
    const char *s = code.s ? code.s : "";
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) + 1 : strlen(s);
        if (len > 1)
            gan_buf_put(o, "    ");
        gan_buf_printf(o, "%.*s", (int)len, s);
        s += len;
    }
    gan_buf_free(&code);
    gan_buf_put(o, "    }\n");
}

/* emit_internal.h - what the emitter files share among themselves (emit.h
 * is what the rest of ganc sees): the expression writer that every loop
 * body, epilogue and product uses.
 *
 *   emit_names.c   buffer names
 *   emit_expr.c    expressions: literals, indices, inlined trees, epilogues
 *   emit_loops.c   loop nodes (elementwise, broadcast, sum_to)
 *   emit_matmul.c  matrix products, GEMM calls, packed weights
 *   emit_conv.c    convolutions, upsampling, pooling
 *   emit_node.c    one executing node: its banner and the right emitter
 */
#ifndef GAN_EMIT_INTERNAL_H
#define GAN_EMIT_INTERNAL_H

#include "emit.h"

/* loop variables and extent names of the axes of a loop domain */
extern const char *const gan_loop_vars[IR_MAX_RANK];
extern const char *const gan_dom_names[IR_MAX_RANK];

/* Writing the value of a loop node's expression tree at one loop position. */
typedef struct {
    const gan_plan *pl;
    gan_names *nm;
    int root;
    int gemm;                 /* fused product leaf, or -1 */
    const char *gemm_val;     /* its value in the loop (acc, row[i1]) */
    ir_shape dom;
    const char *const *dims;
    int flat;                 /* every operand is indexed by `i` alone */
    int tmp;                  /* next temporary number */
    const gan_merge *merge;   /* axes merged (plan.h), or NULL */
    int orig_rank;            /* the rank of the domain before merging */
    const char *full_ix;      /* the variable holding the element of the whole
                                 domain, or NULL */
    int group;                /* the loop group being written (its locals are
                                 variables), or -1 */
    int *full_ix_used;        /* set to 1 where an index is full_ix, or NULL */
} gan_expr;

/* A C float literal of k (malloc'd): "0.5f", "(-2.0f)". */
char *gan_literal(float k);
/* Index of the element at loop indices idx[] of a tensor of shape s, which
 * broadcasts (right-aligned) into the domain `dom`; `dims` names the
 * domain's extents.  Broadcast axes (extent 1) do not move the index.
 * malloc'd. */
char *gan_index_expr(ir_shape s, ir_shape dom, const char *const *idx, const char *const *dims);
/* shape s as the expression's loops see it (merged axes) */
ir_shape gan_expr_shape(const gan_expr *c, ir_shape s);
/* the index of the element at idx of a tensor of shape s (not flat) */
char *gan_leaf_index(const gan_expr *c, ir_shape s, const char *const *idx);
/* The value of node x at the loop position idx, as a C expression
 * (malloc'd); inlined subexpressions become `const float vN = ...;` lines
 * in body, at indent level lvl. */
char *gan_value_of(gan_expr *c, int x, const char *const *idx, gan_buf *body, int lvl);
/* A readable formula of node x for the banner comment. */
void gan_describe_value(const gan_plan *pl, gan_names *nm, int x, int root, gan_buf *o);
/* `enum { N0 = 64, N1 = 6272 };` naming the extents of s */
void gan_declare_dims(gan_buf *o, int lvl, ir_shape s, const char *const *names);

/* the node emitters gan_emit_node dispatches to */
/* a loop node, or the group it leads */
void gan_emit_loop_node(gan_buf *o, const gan_plan *pl, gan_names *nm, int x);
void gan_emit_matmul(gan_buf *o, const gan_plan *pl, gan_names *nm, int mm, int epi);

#endif

/* emit_expr.c - expressions in generated code: float literals that read
 * back exactly, element indices with broadcasting, the inlined expression
 * tree of a loop node written as temporaries, and a fused consumer applied
 * to a producer's value (an epilogue).  Every piece is a malloc'd string
 * of whatever length it needs. */
#include "emit_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fatal.h"

const char *const gan_loop_vars[IR_MAX_RANK] = { "i0", "i1", "i2", "i3" };
const char *const gan_dom_names[IR_MAX_RANK] = { "N0", "N1", "N2", "N3" };

char *gan_literal(float k)
{
    char t[40];
    snprintf(t, sizeof t, "%.9g", (double)k);
    int has_dot = strchr(t, '.') || strchr(t, 'e') || strchr(t, 'n') || strchr(t, 'i');
    return gan_strf(k < 0 ? "(%s%sf)" : "%s%sf", t, has_dot ? "" : ".0");
}

char *gan_index_expr(ir_shape s, ir_shape dom, const char *const *idx, const char *const *dims)
{
    /* Horner's form over the axes the tensor is full along, outermost
     * first: ((i0*N1 + i1)*N2 + i2)*N3 + i3; a literal 0 adds nothing */
    char *out = NULL;
    int shift = dom.rank - s.rank;
    for (int k = 0; k < s.rank; k++) {
        if (s.d[k] == 1)
            continue;
        const char *ix = idx[k + shift], *dim = dims[k + shift];
        int zero = !strcmp(ix, "0");
        char *next;
        if (!out)
            next = zero ? NULL : gan_strf("%s", ix);
        else if (strchr(out, ' '))
            next = zero ? gan_strf("(%s)*%s", out, dim) : gan_strf("(%s)*%s + %s", out, dim, ix);
        else
            next = zero ? gan_strf("%s*%s", out, dim) : gan_strf("%s*%s + %s", out, dim, ix);
        free(out);
        out = next;
    }
    return out ? out : gan_strf("0");
}

ir_shape gan_expr_shape(const gan_expr *c, ir_shape s)
{
    return c->merge ? gan_merge_shape(s, c->merge, c->orig_rank) : s;
}

/* node nd applied to the values v[] (its inputs') */
static char *op_text(const ir_node *nd, char *const *v)
{
    char *k = gan_literal(nd->k), *t;
    switch (nd->op) {
    case IR_NEG: t = gan_strf("-%s", v[0]); break;
    case IR_SCALE: t = gan_strf("%s * %s", v[0], k); break;
    case IR_ADDS: t = gan_strf("%s + %s", v[0], k); break;
    case IR_RELU: t = gan_strf("%s > 0.0f ? %s : 0.0f", v[0], v[0]); break;
    case IR_STEP: t = gan_strf("%s > 0.0f ? 1.0f : 0.0f", v[0]); break;
    case IR_LEAKY_RELU: t = gan_strf("%s > 0.0f ? %s : %s * %s", v[0], v[0], k, v[0]); break;
    case IR_LEAKY_STEP: t = gan_strf("%s > 0.0f ? 1.0f : %s", v[0], k); break;
    case IR_TANH: t = gan_strf("rt_tanhf(%s)", v[0]); break;
    case IR_SIGMOID: t = gan_strf("1.0f / (1.0f + expf(-%s))", v[0]); break;
    case IR_SOFTPLUS: t = gan_strf("gan_softplus(%s)", v[0]); break;
    case IR_EXP: t = gan_strf("expf(%s)", v[0]); break;
    case IR_LOG: t = gan_strf("logf(%s)", v[0]); break;
    case IR_SQRT: t = gan_strf("sqrtf(%s)", v[0]); break;
    case IR_RECIP: t = gan_strf("1.0f / %s", v[0]); break;
    case IR_ABS: t = gan_strf("fabsf(%s)", v[0]); break;
    case IR_SIGN: t = gan_strf("%s > 0.0f ? 1.0f : %s < 0.0f ? -1.0f : 0.0f", v[0], v[0]); break;
    case IR_STOP: t = gan_strf("%s", v[0]); break;
    case IR_ADD: t = gan_strf("%s + %s", v[0], v[1]); break;
    case IR_SUB: t = gan_strf("%s - %s", v[0], v[1]); break;
    case IR_MUL: t = gan_strf("%s * %s", v[0], v[1]); break;
    case IR_DIV: t = gan_strf("%s / %s", v[0], v[1]); break;
    case IR_MAXIMUM: t = gan_strf("%s >= %s ? %s : %s", v[0], v[1], v[0], v[1]); break;
    case IR_GE: t = gan_strf("%s >= %s ? 1.0f : 0.0f", v[0], v[1]); break;
    case IR_BROADCAST: case IR_COPY: case IR_SUM_TO: t = gan_strf("%s", v[0]); break;
    default:
        gan_internal("emit_expr.c", "op %s is not an elementwise op a loop can compute",
                     ir_op_name(nd->op));
    }
    free(k);
    return t;
}

char *gan_leaf_index(const gan_expr *c, ir_shape s, const char *const *idx)
{
    ir_shape m = gan_expr_shape(c, s);
    if (c->full_ix && ir_shape_eq(m, c->dom)) {
        if (c->full_ix_used)
            *c->full_ix_used = 1;
        return gan_strf("%s", c->full_ix);
    }
    return gan_index_expr(m, c->dom, idx, c->dims);
}

/* the index of leaf nd's element at idx */
static char *leaf_index(const gan_expr *c, const ir_node *nd, const char *const *idx)
{
    if (c->flat)
        return gan_strf("%s", idx[0]);
    return gan_leaf_index(c, nd->shape, idx);
}

char *gan_value_of(gan_expr *c, int x, const char *const *idx, gan_buf *body, int lvl)
{
    const ir_graph *g = &c->pl->p->g;
    const ir_node *nd = &g->n[x];
    if (x == c->gemm)
        return gan_strf("%s", c->gemm_val);
    if (nd->op == IR_CONST)
        return gan_literal(nd->k);
    if (nd->op == IR_DROPOUT_MASK) {
        char *ix = leaf_index(c, nd, idx), *keep = gan_literal(1.0f / (1.0f - nd->k));
        char *v = gan_strf("(gan_dropout_keep(%d, %s, %.9gf) ? %s : 0.0f)", nd->ext, ix,
                           (double)nd->k, keep);
        free(ix);
        free(keep);
        return v;
    }
    if (nd->op == IR_UNIFORM) {
        char *ix = leaf_index(c, nd, idx);
        char *v = gan_strf("gan_uniform(%d, %s)", nd->ext, ix);
        free(ix);
        return v;
    }
    if (x != c->root && c->pl->store[x] != ST_INLINE) {
        int b = gan_plan_base(c->pl, x);
        const gan_sched *m = &c->pl->sched[b];
        if (c->group >= 0 && m->group == c->group && m->local)   /* a variable of the loop */
            return gan_strf("%s", gan_names_get(c->nm, c->pl, b));
        char *ix = leaf_index(c, nd, idx);
        char *v = gan_strf("%s[%s]", gan_names_get(c->nm, c->pl, x), ix);
        free(ix);
        return v;
    }
    if (nd->n_in > 2)
        gan_internal("emit_expr.c", "a loop's op %s has %d inputs, at most 2 expected",
                     ir_op_name(nd->op), nd->n_in);
    char *v[2] = { NULL, NULL };
    for (int i = 0; i < nd->n_in; i++)
        v[i] = gan_value_of(c, nd->in[i], idx, body, lvl);
    char *text = op_text(nd, v);
    free(v[0]);
    free(v[1]);
    if (x == c->root || nd->op == IR_SUM_TO)
        return text;
    gan_indent(body, lvl);
    gan_buf_printf(body, "const float v%d = %s;\n", c->tmp, text);
    free(text);
    return gan_strf("v%d", c->tmp++);
}

void gan_describe_value(const gan_plan *pl, gan_names *nm, int x, int root, gan_buf *o)
{
    const ir_node *nd = &pl->p->g.n[x];
    if (nd->op == IR_CONST) {
        char *k = gan_literal(nd->k);
        gan_buf_put(o, k);
        free(k);
        return;
    }
    if (nd->op == IR_DROPOUT_MASK) {
        gan_buf_printf(o, "dropout_mask(%g)", (double)nd->k);
        return;
    }
    if (nd->op == IR_UNIFORM) {
        gan_buf_put(o, "uniform()");
        return;
    }
    int st = pl->store[x];
    if (x != root && st != ST_INLINE && st != ST_FUSED) {
        gan_buf_put(o, gan_names_get(nm, pl, x));
        return;
    }
    if (nd->op == IR_MATMUL) {
        gan_describe_value(pl, nm, nd->in[0], root, o);
        gan_buf_put(o, nd->ta ? "^T @ " : " @ ");
        gan_describe_value(pl, nm, nd->in[1], root, o);
        gan_buf_put(o, nd->tb ? "^T" : "");
        return;
    }
    gan_buf_printf(o, "%s(", ir_op_name(nd->op));
    for (int i = 0; i < nd->n_in; i++) {
        if (i)
            gan_buf_put(o, ", ");
        gan_describe_value(pl, nm, nd->in[i], root, o);
    }
    if (nd->op == IR_SCALE || nd->op == IR_ADDS || nd->op == IR_LEAKY_RELU ||
        nd->op == IR_LEAKY_STEP)
        gan_buf_printf(o, ", %g", (double)nd->k);
    gan_buf_put(o, ")");
}

void gan_declare_dims(gan_buf *o, int lvl, ir_shape s, const char *const *names)
{
    gan_indent(o, lvl);
    gan_buf_put(o, "enum { ");
    for (int a = 0; a < s.rank; a++)
        gan_buf_printf(o, "%s%s = %d", a ? ", " : "", names[a], s.d[a]);
    gan_buf_put(o, " };\n");
}

void gan_emit_epilogue(gan_buf *o, const gan_plan *pl, gan_names *nm, int epi, int producer,
                       const char *value, const char *const *idx, const char *const *dims,
                       const char *out_ref, int lvl)
{
    if (epi < 0) {
        gan_indent(o, lvl);
        gan_buf_printf(o, "%s = %s;\n", out_ref, value);
        return;
    }
    gan_expr e = { pl, nm, epi, producer, value, pl->p->g.n[epi].shape, dims, 0, 0, NULL, 0,
                   NULL, -1, NULL };
    gan_buf body = { 0 };
    char *val = gan_value_of(&e, epi, idx, &body, lvl + 1);
    if (!body.len) {
        gan_indent(o, lvl);
        gan_buf_printf(o, "%s = %s;\n", out_ref, val);
    } else {
        gan_indent(o, lvl);
        gan_buf_put(o, "{\n");
        gan_buf_put(o, body.s);
        gan_indent(o, lvl + 1);
        gan_buf_printf(o, "%s = %s;\n", out_ref, val);
        gan_indent(o, lvl);
        gan_buf_put(o, "}\n");
    }
    free(val);
    gan_buf_free(&body);
}

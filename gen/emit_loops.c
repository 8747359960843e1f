/* emit_loops.c - the loop nest of a loop node (elementwise, broadcast,
 * sum_to) as the plan shaped it (plan_loops.c): one flat loop, every
 * element written out, a nest over the (merged) axes with the innermost
 * ones written out, or a sum added into its zeroed output or kept in a
 * local accumulator per output.  Every extent is a named constant. */
#include "emit_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*body_fn)(void *ctx, const char *const *idx, gan_buf *o, int lvl);


/* Loops over `dom`, axis order[k] at depth k (order NULL: in turn), the
 * innermost u axes written out with literal indices.  par: the outermost
 * loop is split among the trainer's threads (GAN_PARALLEL_FOR; nothing
 * without OpenMP). */
static void emit_loops(gan_buf *o, ir_shape dom, const int *order, int par, int u, body_fn f,
                       void *ctx, int lvl)
{
    int ax[4];
    for (int k = 0; k < dom.rank; k++)
        ax[k] = order ? order[k] : k;
    int rolled = dom.rank - u;
    for (int k = 0; k < rolled; k++) {
        const char *v = gan_loop_vars[ax[k]];
        if (k == 0 && par) {
            gan_indent(o, lvl);
            gan_buf_put(o, "GAN_PARALLEL_FOR\n");
        }
        gan_indent(o, lvl + k);
        gan_buf_printf(o, "for (int %s = 0; %s < %s; %s++)%s\n", v, v, gan_dom_names[ax[k]], v,
                       k == rolled - 1 ? " {" : "");
    }
    int body_lvl = lvl + rolled;
    char lit[4][16];
    const char *idx[4];
    for (int a = 0; a < dom.rank; a++)
        idx[a] = gan_loop_vars[a];
    long total = 1;
    for (int k = rolled; k < dom.rank; k++)
        total *= dom.d[ax[k]];
    for (long t = 0; t < (u ? total : 1); t++) {
        long r = t;
        for (int k = dom.rank - 1; k >= rolled; k--) {
            int a = ax[k];
            snprintf(lit[a], sizeof lit[a], "%ld", r % dom.d[a]);
            idx[a] = lit[a];
            r /= dom.d[a];
        }
        f(ctx, idx, o, body_lvl);
    }
    if (rolled) {
        gan_indent(o, lvl + rolled - 1);
        gan_buf_put(o, "}\n");
    }
}

/* ------------------------------------------------------------------ */
/* loop nodes                                                          */

typedef struct {
    gan_expr e;
    int out;          /* node written */
    const char *out_name;
    int accumulate;   /* sum_to: += */
    int in_block;     /* the body is the whole block of its loop: no braces of its own */
} loop_ctx;

/* In a nest over several axes, the element of the whole domain, `i`: the
 * index of every operand of the domain's shape (malloc'd declaration, or
 * NULL where there is none to make). */
static char *domain_index(loop_ctx *c, const char *const *idx)
{
    if (c->e.flat || c->e.dom.rank < 2)
        return NULL;
    char *ix = gan_index_expr(c->e.dom, c->e.dom, idx, c->e.dims);
    char *decl = gan_strf("const long i = %s;\n", ix);
    free(ix);
    c->e.full_ix = "i";
    return decl;
}

static void loop_body(void *vctx, const char *const *idx, gan_buf *o, int lvl)
{
    loop_ctx *c = vctx;
    int scoped = 0, inner = c->in_block ? lvl : lvl + 1;
    gan_buf body = { 0 };
    char *decl = domain_index(c, idx);
    if (decl) {
        gan_indent(&body, inner);
        gan_buf_put(&body, decl);
        free(decl);
    }
    char *val = gan_value_of(&c->e, c->e.root, idx, &body, inner);
    char *ix = c->e.flat ? gan_strf("%s", idx[0])
                         : gan_leaf_index(&c->e, c->e.pl->p->g.n[c->out].shape, idx);
    if (body.len && !c->in_block) {   /* temporaries: a block of their own */
        gan_indent(o, lvl);
        gan_buf_put(o, "{\n");
        scoped = 1;
    }
    gan_buf_put(o, gan_buf_str(&body));
    gan_indent(o, lvl + scoped);
    gan_buf_printf(o, "%s[%s] %s= %s;\n", c->out_name, ix, c->accumulate ? "+" : "", val);
    if (scoped) {
        gan_indent(o, lvl);
        gan_buf_put(o, "}\n");
    }
    free(val);
    free(ix);
    gan_buf_free(&body);
}

/* A sum over axes whose innermost axis is summed: output axes outermost
 * (split among threads: each owns whole outputs), then the summed axes,
 * into a local accumulator that the innermost loop adds to as a SIMD
 * reduction (GAN_SIMD_SUM: OpenMP may keep one partial sum per vector lane,
 * a fixed order for a given build, whatever the thread count; without
 * OpenMP, one float in turn); each output is stored once. */
static void emit_sum_nest(gan_buf *o, loop_ctx *c, ir_shape dom, const int *order, int n_out,
                          int par)
{
    const char *idx[4];
    for (int a = 0; a < dom.rank; a++)
        idx[a] = gan_loop_vars[a];
    if (par)
        gan_buf_put(o, "    GAN_PARALLEL_FOR\n");
    for (int k = 0; k < dom.rank; k++) {
        const char *v = gan_loop_vars[order[k]];
        if (k == n_out) {
            gan_indent(o, 1 + k);
            gan_buf_put(o, "float acc = 0.0f;\n");
        }
        if (k == dom.rank - 1) {
            gan_indent(o, 1 + k);
            gan_buf_put(o, "GAN_SIMD_SUM(acc)\n");
        }
        gan_indent(o, 1 + k);
        gan_buf_printf(o, "for (int %s = 0; %s < %s; %s++) {\n", v, v, gan_dom_names[order[k]], v);
    }
    int lvl = 1 + dom.rank;
    gan_buf body = { 0 };
    char *decl = domain_index(c, idx);
    if (decl) {
        gan_indent(&body, lvl);
        gan_buf_put(&body, decl);
        free(decl);
    }
    char *val = gan_value_of(&c->e, c->e.root, idx, &body, lvl);
    gan_buf_put(o, gan_buf_str(&body));
    gan_buf_free(&body);
    gan_indent(o, lvl);
    gan_buf_printf(o, "acc += %s;\n", val);
    free(val);
    for (int k = dom.rank - 1; k >= 0; k--) {
        gan_indent(o, 1 + k);
        gan_buf_put(o, "}\n");
        if (k == n_out) {
            char *ix = gan_index_expr(gan_expr_shape(&c->e, c->e.pl->p->g.n[c->out].shape),
                                      c->e.dom, idx, c->e.dims);
            gan_indent(o, 1 + k);
            gan_buf_printf(o, "%s[%s] = acc;\n", c->out_name, ix);
            free(ix);
        }
    }
}

void gan_emit_loop_node(gan_buf *o, const gan_plan *pl, gan_names *nm, int x)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[x];
    const gan_sched *s = &pl->sched[x];
    loop_ctx c = { { pl, nm, x, -1, NULL, nd->shape, gan_dom_names, 0, 0, NULL, 0, NULL }, x,
                   NULL, 0, 0 };
    c.out_name = gan_names_get(nm, pl, x);
    gan_names_mark_written(nm, pl, x);
    c.accumulate = nd->op == IR_SUM_TO;
    ir_shape dom = gan_plan_loop_domain(pl, x);
    c.e.dom = dom;
    if (s->loop == GAN_LOOP_FLAT || s->loop == GAN_LOOP_WRITTEN) {
        /* a flat loop is a loop over one axis of numel elements */
        c.e.flat = 1;
        static const char *const flat_name[1] = { "N" };
        c.e.dims = flat_name;
        gan_indent(o, 1);
        gan_buf_printf(o, "enum { N = %ld };\n", ir_numel(dom));
        if (s->loop == GAN_LOOP_FLAT) {
            if (s->parallel)
                gan_buf_put(o, "    GAN_PARALLEL_FOR\n");
            gan_indent(o, 1);
            gan_buf_put(o, "for (int i = 0; i < N; i++) {\n");
            const char *idx[1] = { "i" };
            c.in_block = 1;
            loop_body(&c, idx, o, 2);
            gan_indent(o, 1);
            gan_buf_put(o, "}\n");
        } else {
            /* few elements: written out, index literal */
            for (int t = 0; t < dom.d[0]; t++) {
                char lit[16];
                snprintf(lit, sizeof lit, "%d", t);
                const char *idx[1] = { lit };
                loop_body(&c, idx, o, 1);
            }
        }
        return;
    }
    if (s->merge.n) {
        c.e.merge = &s->merge;
        c.e.orig_rank = (c.accumulate ? g->n[nd->in[0]].shape : nd->shape).rank;
    }
    gan_declare_dims(o, 1, dom, gan_dom_names);
    if (s->loop == GAN_LOOP_SUM_NEST) {
        emit_sum_nest(o, &c, dom, s->order, s->n_out, s->parallel);
        return;
    }
    if (c.accumulate) {   /* zeroed, then added to in the loop nest */
        gan_indent(o, 1);
        gan_buf_printf(o, "enum { OUT = %ld };\n", ir_numel(nd->shape));
        gan_indent(o, 1);
        gan_buf_printf(o, "for (int i = 0; i < OUT; i++)\n");
        gan_indent(o, 2);
        gan_buf_printf(o, "%s[i] = 0.0f;\n", c.out_name);
    }
    c.in_block = s->unrolled == 0 && dom.rank > 0;
    emit_loops(o, dom, NULL, s->parallel, s->unrolled, loop_body, &c, 1);
}


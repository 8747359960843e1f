/* emit_loops.c - the loop nest of a loop node (elementwise, broadcast,
 * sum_to), or of a group of them fused into one (plan_fuse.c), as the plan
 * shaped it (plan_loops.c): one flat loop, every element written out, a
 * nest over the (merged) axes with the innermost ones written out, or
 * sums either added into their zeroed outputs or kept in local
 * accumulators per output, with the group's tails computed from the
 * finished sums.  A lone node is a group of one.  Every extent is a named
 * constant. */
#include "emit_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fatal.h"

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

/* The nodes of one loop nest and how they are written. */
typedef struct {
    const gan_plan *pl;
    gan_names *nm;
    const gan_sched *s;      /* the leader's */
    int *nest, n_nest;       /* bodies and sums, in order */
    int *tails, n_tails;
    char **acc;              /* SUM_NEST: each sum's accumulator (NULL for bodies) */
    gan_expr e;              /* the nest's domain, merge, temporaries */
    int in_block;            /* the body is the whole block of its loop */
} nest_ctx;

static const gan_sched *sched(const nest_ctx *c, int x)
{
    return &c->pl->sched[x];
}

static ir_shape node_shape(const nest_ctx *c, int x)
{
    return c->pl->p->g.n[x].shape;
}

/* In a nest over several axes, the element of the whole domain, `i`: the
 * index of every operand of the domain's shape. */
static void domain_index(nest_ctx *c, const char *const *idx, gan_buf *o, int lvl)
{
    if (c->e.flat || c->e.dom.rank < 2)
        return;
    char *ix = gan_index_expr(c->e.dom, c->e.dom, idx, c->e.dims);
    gan_indent(o, lvl);
    gan_buf_printf(o, "const long i = %s;\n", ix);
    free(ix);
    c->e.full_ix = "i";
}

/* `lhs op value;` for member x, whose value is computed at idx: a body
 * into its buffer or its variable, a sum into its output or accumulator. */
static void member_statement(nest_ctx *c, int k, const char *const *idx, gan_buf *o, int lvl)
{
    int x = c->nest[k];
    c->e.root = x;
    char *val = gan_value_of(&c->e, x, idx, o, lvl);
    const char *name = gan_names_get(c->nm, c->pl, x);
    gan_indent(o, lvl);
    if (c->acc && c->acc[k]) {
        gan_buf_printf(o, "%s += %s;\n", c->acc[k], val);
    } else if (sched(c, x)->local) {
        gan_buf_printf(o, "const float %s = %s;\n", name, val);
    } else {
        char *ix = c->e.flat ? gan_strf("%s", idx[0])
                             : gan_leaf_index(&c->e, node_shape(c, x), idx);
        gan_buf_printf(o, "%s[%s] %s= %s;\n", name, ix,
                       c->pl->p->g.n[x].op == IR_SUM_TO ? "+" : "", val);
        free(ix);
    }
    free(val);
}

/* The body of a nest at one position: every body and sum member.  Alone
 * in its loop's block it needs no braces; called once per written-out
 * position it gets braces when it holds more than one line. */
static void nest_body(void *vctx, const char *const *idx, gan_buf *o, int lvl)
{
    nest_ctx *c = vctx;
    gan_buf body = { 0 }, stmts = { 0 };
    int inner = c->in_block ? lvl : lvl + 1;
    domain_index(c, idx, &body, inner);
    int used = 0;
    c->e.full_ix_used = &used;
    for (int k = 0; k < c->n_nest; k++)
        member_statement(c, k, idx, &stmts, inner);
    c->e.full_ix_used = NULL;
    /* the domain's element is declared only where an operand reads it (a
     * sum of a constant reads none) */
    if (!used) {
        gan_buf_free(&body);
        memset(&body, 0, sizeof body);
    }
    gan_buf_put(&body, gan_buf_str(&stmts));
    gan_buf_free(&stmts);
    if (c->in_block) {
        gan_buf_put(o, gan_buf_str(&body));
    } else if (gan_buf_lines(&body) > 1) {
        gan_indent(o, lvl);
        gan_buf_printf(o, "{\n%s", body.s);
        gan_indent(o, lvl);
        gan_buf_put(o, "}\n");
    } else {
        gan_buf_put(o, body.s + 4);   /* one line: at the loop's level */
    }
    gan_buf_free(&body);
}

/* The tails at the flat output index `o` (after the sums they read are
 * complete), at indent level lvl. */
static void emit_tails(nest_ctx *c, gan_buf *o, int lvl)
{
    static const char *const flat_name[1] = { "OUT" };
    static const char *const flat_idx[1] = { "o" };
    gan_expr saved = c->e;
    c->e.flat = 1;
    c->e.dims = flat_name;
    c->e.merge = NULL;
    c->e.full_ix = NULL;
    for (int k = 0; k < c->n_tails; k++) {
        int x = c->tails[k];
        c->e.root = x;
        c->e.dom = node_shape(c, x);
        char *val = gan_value_of(&c->e, x, flat_idx, o, lvl);
        const char *name = gan_names_get(c->nm, c->pl, x);
        gan_indent(o, lvl);
        if (sched(c, x)->local)
            gan_buf_printf(o, "const float %s = %s;\n", name, val);
        else
            gan_buf_printf(o, "%s[o] = %s;\n", name, val);
        free(val);
    }
    c->e = saved;
}

/* Sums with their output axes outermost, each added up in a local
 * accumulator that the innermost loop adds to as a SIMD reduction
 * (GAN_SIMD_SUM: OpenMP may keep one partial sum per vector lane, a fixed
 * order for a given build, whatever the thread count; without OpenMP, one
 * float in turn); each output stored once, then the tails computed. */
static void emit_sum_nest(gan_buf *o, nest_ctx *c, ir_shape dom)
{
    const gan_sched *s = c->s;
    const char *idx[4];
    for (int a = 0; a < dom.rank; a++)
        idx[a] = gan_loop_vars[a];
    gan_buf accs = { 0 };   /* the accumulators, "a, b" */
    for (int k = 0; k < c->n_nest; k++)
        if (c->acc[k])
            gan_buf_printf(&accs, "%s%s", accs.len ? ", " : "", c->acc[k]);
    if (s->parallel)
        gan_buf_put(o, "    GAN_PARALLEL_FOR\n");
    for (int k = 0; k < dom.rank; k++) {
        const char *v = gan_loop_vars[s->order[k]];
        if (k == s->n_out) {
            gan_indent(o, 1 + k);
            gan_buf_put(o, "float ");
            for (int m = 0, first = 1; m < c->n_nest; m++)
                if (c->acc[m]) {
                    gan_buf_printf(o, "%s%s = 0.0f", first ? "" : ", ", c->acc[m]);
                    first = 0;
                }
            gan_buf_put(o, ";\n");
        }
        if (k == dom.rank - 1) {
            gan_indent(o, 1 + k);
            gan_buf_printf(o, "GAN_SIMD_SUM(%s)\n", accs.s);
        }
        gan_indent(o, 1 + k);
        gan_buf_printf(o, "for (int %s = 0; %s < %s; %s++) {\n", v, v,
                       gan_dom_names[s->order[k]], v);
    }
    c->in_block = 1;
    nest_body(c, idx, o, 1 + dom.rank);
    for (int k = dom.rank - 1; k >= s->n_out; k--) {
        gan_indent(o, 1 + k);
        gan_buf_put(o, "}\n");
    }
    /* the outputs of this position of the output axes */
    int lvl = 1 + s->n_out, sum = -1;
    for (int k = 0; k < c->n_nest && sum < 0; k++)
        if (c->acc[k])
            sum = c->nest[k];
    char *ix = gan_index_expr(gan_expr_shape(&c->e, node_shape(c, sum)), c->e.dom, idx,
                              c->e.dims);
    int stored = 0;
    for (int k = 0; k < c->n_nest; k++)
        stored |= c->acc[k] && !sched(c, c->nest[k])->local;
    if (stored || c->n_tails) {
        gan_indent(o, lvl);
        gan_buf_printf(o, "const long o = %s;\n", ix);
    }
    for (int k = 0; k < c->n_nest; k++)
        if (c->acc[k] && !sched(c, c->nest[k])->local) {
            gan_indent(o, lvl);
            gan_buf_printf(o, "%s[o] = %s;\n", gan_names_get(c->nm, c->pl, c->nest[k]),
                           c->acc[k]);
        }
    emit_tails(c, o, lvl);
    free(ix);
    for (int k = s->n_out - 1; k >= 0; k--) {
        gan_indent(o, 1 + k);
        gan_buf_put(o, "}\n");
    }
    gan_buf_free(&accs);
}

/* The outputs of the sums zeroed, the nest adding into them, then the
 * tails in a loop over the outputs. */
static void emit_accumulate(gan_buf *o, nest_ctx *c, ir_shape dom)
{
    int sum = -1;
    for (int k = 0; k < c->n_nest; k++)
        if (c->pl->p->g.n[c->nest[k]].op == IR_SUM_TO) {
            if (sum < 0) {
                sum = c->nest[k];
                gan_indent(o, 1);
                gan_buf_printf(o, "enum { OUT = %ld };\n", ir_numel(node_shape(c, sum)));
                gan_indent(o, 1);
                gan_buf_put(o, "for (int i = 0; i < OUT; i++) {\n");
            }
            gan_indent(o, 2);
            gan_buf_printf(o, "%s[i] = 0.0f;\n", gan_names_get(c->nm, c->pl, c->nest[k]));
        }
    gan_indent(o, 1);
    gan_buf_put(o, "}\n");
    c->in_block = c->s->unrolled == 0;
    emit_loops(o, dom, NULL, 0, c->s->unrolled, nest_body, c, 1);
    if (!c->n_tails)
        return;
    if (c->s->tail_parallel)
        gan_buf_put(o, "    GAN_PARALLEL_FOR\n");
    gan_indent(o, 1);
    gan_buf_put(o, "for (int o = 0; o < OUT; o++) {\n");
    emit_tails(c, o, 2);
    gan_indent(o, 1);
    gan_buf_put(o, "}\n");
}

/* A flat loop over every element, or every element written out. */
static void emit_flat(gan_buf *o, nest_ctx *c, ir_shape dom)
{
    static const char *const flat_name[1] = { "N" };
    c->e.flat = 1;
    c->e.dims = flat_name;
    gan_indent(o, 1);
    gan_buf_printf(o, "enum { N = %ld };\n", ir_numel(dom));
    if (c->s->loop == GAN_LOOP_WRITTEN) {
        for (int t = 0; t < dom.d[0]; t++) {
            char lit[16];
            snprintf(lit, sizeof lit, "%d", t);
            const char *idx[1] = { lit };
            nest_body(c, idx, o, 1);
        }
        return;
    }
    if (c->s->parallel)
        gan_buf_put(o, "    GAN_PARALLEL_FOR\n");
    gan_indent(o, 1);
    gan_buf_put(o, "for (int i = 0; i < N; i++) {\n");
    const char *idx[1] = { "i" };
    c->in_block = 1;
    nest_body(c, idx, o, 2);
    gan_indent(o, 1);
    gan_buf_put(o, "}\n");
}

/* The members of x's group (or x alone) by where they are computed. */
static void collect_members(nest_ctx *c, int x)
{
    const gan_plan *pl = c->pl;
    c->nest = gan_xcalloc((size_t)pl->n + 1, sizeof *c->nest);
    c->tails = gan_xcalloc((size_t)pl->n + 1, sizeof *c->tails);
    c->acc = gan_xcalloc((size_t)pl->n + 1, sizeof *c->acc);
    int group = pl->sched[x].group == x;
    for (int y = x; y < pl->n && (group || y == x); y++) {
        const gan_sched *m = &pl->sched[y];
        if (group && m->group != x)
            continue;
        if (!m->local)
            gan_names_mark_written(c->nm, pl, y);
        if (group && m->role == GAN_ROLE_TAIL)
            c->tails[c->n_tails++] = y;
        else
            c->nest[c->n_nest++] = y;
    }
}

void gan_emit_loop_node(gan_buf *o, const gan_plan *pl, gan_names *nm, int x)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[x];
    nest_ctx c = { pl, nm, &pl->sched[x], NULL, 0, NULL, 0, NULL,
                   { pl, nm, x, -1, NULL, nd->shape, gan_dom_names, 0, 0, NULL, 0, NULL,
                     pl->sched[x].group, NULL },
                   0 };
    collect_members(&c, x);
    ir_shape dom = gan_plan_loop_domain(pl, x);
    c.e.dom = dom;
    if (c.s->loop == GAN_LOOP_FLAT || c.s->loop == GAN_LOOP_WRITTEN) {
        emit_flat(o, &c, dom);
    } else {
        if (c.s->merge.n) {
            c.e.merge = &c.s->merge;
            c.e.orig_rank = (nd->op == IR_SUM_TO ? g->n[nd->in[0]].shape : nd->shape).rank;
        }
        gan_declare_dims(o, 1, dom, gan_dom_names);
        if (c.s->loop == GAN_LOOP_SUM_NEST) {
            /* a local sum accumulates in its own variable; a stored one in
             * acc (accN when there are several) */
            int n_stored = 0, k_stored = 0;
            for (int k = 0; k < c.n_nest; k++)
                n_stored += g->n[c.nest[k]].op == IR_SUM_TO && !pl->sched[c.nest[k]].local;
            for (int k = 0; k < c.n_nest; k++) {
                int y = c.nest[k];
                if (g->n[y].op != IR_SUM_TO)
                    continue;
                c.acc[k] = pl->sched[y].local ? gan_xstrdup(gan_names_get(nm, pl, y))
                           : n_stored == 1   ? gan_xstrdup("acc")
                                             : gan_strf("acc%d", k_stored++);
            }
            emit_sum_nest(o, &c, dom);
        } else if (c.s->loop == GAN_LOOP_ACCUMULATE) {
            emit_accumulate(o, &c, dom);
        } else {
            c.in_block = c.s->unrolled == 0 && dom.rank > 0;
            emit_loops(o, dom, NULL, c.s->parallel, c.s->unrolled, nest_body, &c, 1);
        }
    }
    for (int k = 0; k < c.n_nest; k++)
        free(c.acc[k]);
    free(c.acc);
    free(c.nest);
    free(c.tails);
}

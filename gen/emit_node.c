/* emit_node.c - the C code of one executing node of a plan.
 *
 * Loop nodes (elementwise, broadcast, sum_to) become one loop nest whose
 * body computes the whole inlined expression tree; a matrix product becomes
 * an sgemm call or a loop nest, with its elementwise consumer applied as an
 * epilogue in the same pass; layout ops become copy loops.  Every extent is
 * a named constant; loops of at most `unroll` iterations are written out.
 */
#include "emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/rt_gemm.h"   /* RT_GEMM_MR: the rows below which rt_sgemm does not pack */

/* Every identifier generated code uses besides buffer names: loop variables,
 * extents, temporaries, helpers, libm and BLAS.  A buffer (named after a layer)
 * that would clash gets a trailing underscore. */
static const char *const reserved[] = {
    /* loops and extents */
    "i", "i0", "i1", "i2", "i3", "k", "acc", "row", "a", "p", "b", "c", "o", "x", "y", "oy",
    "ox", "ky", "kx", "iy", "ix", "ty", "tx", "xc", "wc", "ac", "gc", "yc", "col", "prod",
    "N", "N0", "N1", "N2", "N3", "M", "K", "OUT", "O0", "O1", "O2", "O3", "B", "C", "H", "W",
    "O", "OH", "OW", "KH", "KW", "S", "P", "CKK", "NCOL", "BC", "side", "xt", "gt",
    /* col2im by phase planes (emit_conv.c) */
    "BB", "PR", "PC", "R0", "C0", "PLANE", "tap_y", "tap_x", "cb", "b0", "bb", "ph", "to", "e",
    "cc", "yrow",
    /* file-level names of the generated code */
    "ws", "scratch", "out", "z", "real", "noise_seed", "gan_softplus", "gan_dropout_keep",
    "set_threads", "tensors", "model", "d_step", "g_step", "generate", "g_params", "d_params",
    "g_grads", "d_grads", "g_state", "d_state", "g_weights", "packed", "packed_ready",
    /* C */
    "int", "float", "for", "if", "else", "return", "const", "void", "static", "double",
    "long", "char", "do", "while", "switch", "case", "default", "break", "continue", "enum",
    "struct", "union", "sizeof", "auto", "register", "signed", "unsigned", "short", "goto",
    "volatile", "extern", "typedef", "inline", "restrict", "main",
    /* libm and BLAS */
    "expf", "logf", "tanhf", "sqrtf", "log1pf", "fabsf", "fmaxf", "sqrt", "exp", "log", "tanh",
    "cblas_sgemm", "openblas_set_num_threads", "gan_sgemm", "rt_sgemm", "rt_tanhf",
    "rt_exp_nonneg",
    /* the generated files' own helpers and the runtime's they call */
    "gan_sgemm_conv", "gan_parts", "gan_part_start", "rt_sgemm_gather", "rt_conv_gather",
    "rt_conv_src",
    NULL,
};


static int is_reserved(const char *s)
{
    for (const char *const *r = reserved; *r; r++)
        if (!strcmp(*r, s))
            return 1;
    return 0;
}

const char *gan_names_get(gan_names *nm, const gan_plan *pl, int node)
{
    int b = gan_plan_base(pl, node);
    for (int i = 0; i < nm->n; i++)
        if (nm->node[i] == b)
            return nm->name[i];
    if (nm->n == GAN_NAMES_MAX) {
        fprintf(stderr, "ganc: internal limit: more than %d buffers in one function\n",
                GAN_NAMES_MAX);
        abort();
    }
    const ir_node *n = &pl->p->g.n[b];
    char base[40];
    if (n->pass == IR_PASS_FORWARD && n->net != nm->net && nm->net >= 0 &&
        (n->op == IR_INPUT || n->net >= 0))
        /* a value from outside the network is its input: the same function
         * then serves D on real and on generated data */
        snprintf(base, sizeof base, "%s", nm->net == 0 ? "z" : "x");
    else if (n->op == IR_INPUT && n->ext < GAN_SAVED_EXT)
        snprintf(base, sizeof base, "%s", pl->p->arg_names[n->ext]);
    else if (n->label && nm->by_app && n->op != IR_PARAM)
        snprintf(base, sizeof base, "%s_%s", n->app, n->label);
    else if (n->label)
        snprintf(base, sizeof base, "%s", n->label);
    else
        snprintf(base, sizeof base, "%s", ir_op_name(n->op));
    char name[48];
    snprintf(name, sizeof name, "%s%s", base, is_reserved(base) ? "_" : "");
    for (int suffix = 2;; suffix++) {
        int clash = 0;
        for (int i = 0; i < nm->n; i++)
            clash |= !strcmp(nm->name[i], name);
        if (!clash)
            break;
        snprintf(name, sizeof name, "%s_%d", base, suffix);
    }
    nm->node[nm->n] = b;
    snprintf(nm->name[nm->n], sizeof nm->name[0], "%s", name);
    nm->written[nm->n] = 0;
    return nm->name[nm->n++];
}

void gan_names_mark_written(gan_names *nm, const gan_plan *pl, int node)
{
    gan_names_get(nm, pl, node);
    int b = gan_plan_base(pl, node);
    for (int i = 0; i < nm->n; i++)
        if (nm->node[i] == b)
            nm->written[i] = 1;
}

static void literal(char *buf, size_t n, float k)
{
    char t[40];
    snprintf(t, sizeof t, "%.9g", (double)k);
    int has_dot = strchr(t, '.') || strchr(t, 'e') || strchr(t, 'n') || strchr(t, 'i');
    snprintf(buf, n, k < 0 ? "(%s%sf)" : "%s%sf", t, has_dot ? "" : ".0");
}

void gan_indent(gan_buf *o, int level)
{
    for (int i = 0; i < level; i++)
        gan_buf_put(o, "    ");
}

/* Index of the element at loop indices idx[] of a tensor of shape s, which
 * broadcasts (right-aligned) into the domain `dom`; `dims` names the
 * domain's extents.  Broadcast axes (extent 1) do not move the index. */
static void index_expr(char *buf, size_t n, ir_shape s, ir_shape dom, const char *const *idx,
                       const char *const *dims)
{
    char out[256] = "", stride[96] = "";
    int shift = dom.rank - s.rank;
    for (int k = s.rank - 1; k >= 0; k--) {
        if (s.d[k] != 1) {
            const char *ix = idx[k + shift];
            if (strcmp(ix, "0")) {
                char term[160];
                snprintf(term, sizeof term, "%s%s%s", ix, *stride ? "*" : "", stride);
                char tmp[256];
                snprintf(tmp, sizeof tmp, "%s%s%s", term, *out ? " + " : "", out);
                snprintf(out, sizeof out, "%s", tmp);
            }
            char tmp[96];
            snprintf(tmp, sizeof tmp, "%s%s%s", dims[k + shift], *stride ? "*" : "", stride);
            snprintf(stride, sizeof stride, "%s", tmp);
        }
    }
    snprintf(buf, n, "%s", *out ? out : "0");
}

/* ------------------------------------------------------------------ */
/* expressions                                                         */

/* Adjacent loop axes that every operand treats alike (all broadcast, or all
 * full) are merged into one: collapsed axis j is original axes
 * first[j] .. first[j] + count[j] - 1 of the domain `orig`. */
typedef struct {
    int n;
    int first[IR_MAX_RANK], count[IR_MAX_RANK];
    ir_shape orig;
} collapse_plan;

typedef struct {
    const gan_plan *pl;
    gan_names *nm;
    int root;
    int gemm;                 /* fused matmul leaf, or -1 */
    const char *gemm_val;     /* its value in the loop (acc, row[i1]) */
    ir_shape dom;
    const char *const *dims;
    int flat;                 /* every operand is indexed by `i` alone */
    int tmp;                  /* next temporary number */
    const collapse_plan *cp;  /* axes merged, or NULL */
} expr_ctx;

/* shape s (right-aligned in the original domain) in collapsed axes */
static ir_shape collapse_shape(ir_shape s, const collapse_plan *cp)
{
    ir_shape r = { cp->n, { 1, 1, 1, 1 } };
    for (int j = 0; j < cp->n; j++)
        for (int k = cp->first[j]; k < cp->first[j] + cp->count[j]; k++) {
            int ks = k - (cp->orig.rank - s.rank);
            r.d[j] *= ks >= 0 ? s.d[ks] : 1;
        }
    return r;
}

static ir_shape leaf_shape(const expr_ctx *c, ir_shape s)
{
    return c->cp ? collapse_shape(s, c->cp) : s;
}

static void op_text(char *buf, size_t n, const ir_node *nd, char v[][200])
{
    char k[48];
    literal(k, sizeof k, nd->k);
    switch (nd->op) {
    case IR_NEG: snprintf(buf, n, "-%s", v[0]); break;
    case IR_SCALE: snprintf(buf, n, "%s * %s", v[0], k); break;
    case IR_ADDS: snprintf(buf, n, "%s + %s", v[0], k); break;
    case IR_RELU: snprintf(buf, n, "%s > 0.0f ? %s : 0.0f", v[0], v[0]); break;
    case IR_STEP: snprintf(buf, n, "%s > 0.0f ? 1.0f : 0.0f", v[0]); break;
    case IR_LEAKY_RELU: snprintf(buf, n, "%s > 0.0f ? %s : %s * %s", v[0], v[0], k, v[0]); break;
    case IR_LEAKY_STEP: snprintf(buf, n, "%s > 0.0f ? 1.0f : %s", v[0], k); break;
    case IR_TANH: snprintf(buf, n, "rt_tanhf(%s)", v[0]); break;
    case IR_SIGMOID: snprintf(buf, n, "1.0f / (1.0f + expf(-%s))", v[0]); break;
    case IR_SOFTPLUS: snprintf(buf, n, "gan_softplus(%s)", v[0]); break;
    case IR_EXP: snprintf(buf, n, "expf(%s)", v[0]); break;
    case IR_LOG: snprintf(buf, n, "logf(%s)", v[0]); break;
    case IR_SQRT: snprintf(buf, n, "sqrtf(%s)", v[0]); break;
    case IR_RECIP: snprintf(buf, n, "1.0f / %s", v[0]); break;
    case IR_ADD: snprintf(buf, n, "%s + %s", v[0], v[1]); break;
    case IR_SUB: snprintf(buf, n, "%s - %s", v[0], v[1]); break;
    case IR_MUL: snprintf(buf, n, "%s * %s", v[0], v[1]); break;
    case IR_DIV: snprintf(buf, n, "%s / %s", v[0], v[1]); break;
    case IR_BROADCAST: case IR_COPY: case IR_SUM_TO: snprintf(buf, n, "%s", v[0]); break;
    default: abort();
    }
}

/* The value of node x at the current loop position, as a C expression;
 * inlined subexpressions become `const float vN = ...;` lines in `body`. */
static void value_of(expr_ctx *c, int x, const char *const *idx, gan_buf *body, int lvl,
                     char *val, size_t n)
{
    const ir_graph *g = &c->pl->p->g;
    const ir_node *nd = &g->n[x];
    if (x == c->gemm) {
        snprintf(val, n, "%s", c->gemm_val);
        return;
    }
    if (nd->op == IR_CONST) {
        literal(val, n, nd->k);
        return;
    }
    if (nd->op == IR_DROPOUT_MASK) {
        char ix[256], keep[48];
        if (c->flat)
            snprintf(ix, sizeof ix, "%s", idx[0]);
        else
            index_expr(ix, sizeof ix, leaf_shape(c, nd->shape), c->dom, idx, c->dims);
        literal(keep, sizeof keep, 1.0f / (1.0f - nd->k));
        snprintf(val, n, "(gan_dropout_keep(%d, %s, %.9gf) ? %s : 0.0f)", nd->ext, ix,
                 (double)nd->k, keep);
        return;
    }
    int st = c->pl->store[x];
    if (x != c->root && st != ST_INLINE) {
        char ix[256];
        if (c->flat)
            snprintf(ix, sizeof ix, "%s", idx[0]);
        else
            index_expr(ix, sizeof ix, leaf_shape(c, nd->shape), c->dom, idx, c->dims);
        snprintf(val, n, "%s[%s]", gan_names_get(c->nm, c->pl, x), ix);
        return;
    }
    char v[IR_MAX_IN][200];
    for (int i = 0; i < nd->n_in && i < 2; i++)
        value_of(c, nd->in[i], idx, body, lvl, v[i], sizeof v[i]);
    char text[512];
    op_text(text, sizeof text, nd, v);
    if (x == c->root || nd->op == IR_SUM_TO) {
        snprintf(val, n, "%s", text);
        return;
    }
    gan_indent(body, lvl);
    gan_buf_printf(body, "const float v%d = %s;\n", c->tmp, text);
    snprintf(val, n, "v%d", c->tmp++);
}

/* A readable formula of node x for the banner comment. */
static void describe(const gan_plan *pl, gan_names *nm, int x, int root, gan_buf *o)
{
    const ir_node *nd = &pl->p->g.n[x];
    if (nd->op == IR_CONST) {
        char k[48];
        literal(k, sizeof k, nd->k);
        gan_buf_put(o, k);
        return;
    }
    if (nd->op == IR_DROPOUT_MASK) {
        gan_buf_printf(o, "dropout_mask(%g)", (double)nd->k);
        return;
    }
    int st = pl->store[x];
    if (x != root && st != ST_INLINE && st != ST_FUSED) {
        gan_buf_put(o, gan_names_get(nm, pl, x));
        return;
    }
    if (nd->op == IR_MATMUL) {
        describe(pl, nm, nd->in[0], root, o);
        gan_buf_put(o, nd->ta ? "^T @ " : " @ ");
        describe(pl, nm, nd->in[1], root, o);
        gan_buf_put(o, nd->tb ? "^T" : "");
        return;
    }
    gan_buf_printf(o, "%s(", ir_op_name(nd->op));
    for (int i = 0; i < nd->n_in; i++) {
        if (i)
            gan_buf_put(o, ", ");
        describe(pl, nm, nd->in[i], root, o);
    }
    if (nd->op == IR_SCALE || nd->op == IR_ADDS || nd->op == IR_LEAKY_RELU ||
        nd->op == IR_LEAKY_STEP)
        gan_buf_printf(o, ", %g", (double)nd->k);
    gan_buf_put(o, ")");
}

/* ------------------------------------------------------------------ */
/* loop nests                                                          */

typedef void (*body_fn)(void *ctx, const char *const *idx, gan_buf *o, int lvl);

static const char *const loop_vars[4] = { "i0", "i1", "i2", "i3" };
static const char *const dom_names[4] = { "N0", "N1", "N2", "N3" };

/* Loops over `dom`, axis order[k] at depth k (order NULL: in turn); the
 * innermost axes whose extents multiply to at most `unroll` are written
 * out with literal indices.  par: the outermost loop is split among the
 * trainer's threads (GAN_PARALLEL_FOR; nothing without OpenMP).  Returns
 * how many axes were unrolled. */
static int emit_loops(gan_buf *o, ir_shape dom, const int *order, int par, int unroll, body_fn f,
                      void *ctx, int lvl)
{
    int ax[4];
    for (int k = 0; k < dom.rank; k++)
        ax[k] = order ? order[k] : k;
    int u = 0;
    long prod = 1;
    while (u < dom.rank && prod * dom.d[ax[dom.rank - 1 - u]] <= unroll) {
        prod *= dom.d[ax[dom.rank - 1 - u]];
        u++;
    }
    while (u > 0 && dom.d[ax[dom.rank - u]] == 1)
        u--;                      /* a trailing extent of 1 is no loop at all */
    if (prod <= 1)
        u = 0;
    int rolled = dom.rank - u;
    for (int k = 0; k < rolled; k++) {
        const char *v = loop_vars[ax[k]];
        if (k == 0 && par) {
            gan_indent(o, lvl);
            gan_buf_put(o, "GAN_PARALLEL_FOR\n");
        }
        gan_indent(o, lvl + k);
        gan_buf_printf(o, "for (int %s = 0; %s < %s; %s++)%s\n", v, v, dom_names[ax[k]], v,
                       k == rolled - 1 ? " {" : "");
    }
    int body_lvl = lvl + rolled;
    char lit[4][16];
    const char *idx[4];
    for (int a = 0; a < dom.rank; a++)
        idx[a] = loop_vars[a];
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
    return u;
}

static void declare_dims(gan_buf *o, int lvl, ir_shape s, const char *const *names)
{
    gan_indent(o, lvl);
    gan_buf_put(o, "enum { ");
    for (int a = 0; a < s.rank; a++)
        gan_buf_printf(o, "%s%s = %d", a ? ", " : "", names[a], s.d[a]);
    gan_buf_put(o, " };\n");
}

/* ------------------------------------------------------------------ */
/* loop nodes                                                          */

typedef struct {
    expr_ctx e;
    int out;          /* node written */
    const char *out_name;
    int accumulate;   /* sum_to: += */
} loop_ctx;

static void loop_body(void *vctx, const char *const *idx, gan_buf *o, int lvl)
{
    loop_ctx *c = vctx;
    gan_buf body = { 0 };
    char val[1024], ix[256];
    value_of(&c->e, c->e.root, idx, &body, lvl + 1, val, sizeof val);
    if (c->e.flat)
        snprintf(ix, sizeof ix, "%s", idx[0]);
    else
        index_expr(ix, sizeof ix, leaf_shape(&c->e, c->e.pl->p->g.n[c->out].shape), c->e.dom,
                   idx, c->e.dims);
    int scoped = body.len > 0;
    if (scoped) {
        gan_indent(o, lvl);
        gan_buf_put(o, "{\n");
        gan_buf_put(o, body.s);
    }
    gan_indent(o, lvl + scoped);
    gan_buf_printf(o, "%s[%s] %s= %s;\n", c->out_name, ix, c->accumulate ? "+" : "", val);
    if (scoped) {
        gan_indent(o, lvl);
        gan_buf_put(o, "}\n");
    }
    gan_buf_free(&body);
}

/* every leaf of x's tree has exactly the domain's shape */
static int all_leaves_match(const gan_plan *pl, int x, int root, ir_shape dom)
{
    const ir_node *nd = &pl->p->g.n[x];
    if (nd->op == IR_CONST)
        return 1;
    if (nd->op == IR_DROPOUT_MASK)
        return ir_shape_eq(nd->shape, dom);
    if (x != root && pl->store[x] != ST_INLINE)
        return ir_shape_eq(nd->shape, dom) || ir_numel(nd->shape) == ir_numel(dom);
    for (int i = 0; i < nd->n_in; i++)
        if (!all_leaves_match(pl, nd->in[i], root, dom))
            return 0;
    return 1;
}

/* broadcast pattern of every operand (and the output) of loop node x over
 * dom: bit k of pattern[i] says tensor i is full along axis k */
static void collect_patterns(const gan_plan *pl, int x, int root, ir_shape dom, int *pat, int *n)
{
    const ir_node *nd = &pl->p->g.n[x];
    if (nd->op == IR_CONST)
        return;
    if (x == root || pl->store[x] == ST_INLINE) {
        if (x == root) {
            /* the output, seen over the domain */
            int p = 0;
            for (int k = 0; k < dom.rank; k++) {
                int ks = k - (dom.rank - nd->shape.rank);
                if (ks >= 0 && nd->shape.d[ks] != 1)
                    p |= 1 << k;
            }
            pat[(*n)++] = p;
        }
        if (nd->op != IR_DROPOUT_MASK) {
            for (int i = 0; i < nd->n_in; i++)
                collect_patterns(pl, nd->in[i], root, dom, pat, n);
            return;
        }
    }
    int p = 0;
    for (int k = 0; k < dom.rank; k++) {
        int ks = k - (dom.rank - nd->shape.rank);
        if (ks >= 0 && nd->shape.d[ks] != 1)
            p |= 1 << k;
    }
    if (*n < 64)
        pat[(*n)++] = p;
}

static collapse_plan plan_collapse(const gan_plan *pl, int x, ir_shape dom)
{
    int pat[64], n = 0;
    collect_patterns(pl, x, x, dom, pat, &n);
    collapse_plan cp = { 0, { 0 }, { 0 }, dom };
    for (int k = 0; k < dom.rank; k++) {
        int merge = cp.n > 0;
        /* an axis of extent 1 joins any neighbour; otherwise every tensor
         * must be full along both axes or broadcast along both */
        for (int i = 0; merge && i < n; i++)
            merge = ((pat[i] >> (k - 1)) & 1) == ((pat[i] >> k) & 1) || dom.d[k] == 1 ||
                    dom.d[k - 1] == 1;
        if (merge) {
            cp.count[cp.n - 1]++;
        } else {
            cp.first[cp.n] = k;
            cp.count[cp.n++] = 1;
        }
    }
    return cp;
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
        idx[a] = loop_vars[a];
    if (par)
        gan_buf_put(o, "    GAN_PARALLEL_FOR\n");
    for (int k = 0; k < dom.rank; k++) {
        const char *v = loop_vars[order[k]];
        if (k == n_out) {
            gan_indent(o, 1 + k);
            gan_buf_put(o, "float acc = 0.0f;\n");
        }
        if (k == dom.rank - 1) {
            gan_indent(o, 1 + k);
            gan_buf_put(o, "GAN_SIMD_SUM(acc)\n");
        }
        gan_indent(o, 1 + k);
        gan_buf_printf(o, "for (int %s = 0; %s < %s; %s++) {\n", v, v, dom_names[order[k]], v);
    }
    int lvl = 1 + dom.rank;
    gan_buf body = { 0 };
    char val[1024], ix[256];
    value_of(&c->e, c->e.root, idx, &body, lvl, val, sizeof val);
    gan_buf_put(o, body.s ? body.s : "");
    gan_buf_free(&body);
    gan_indent(o, lvl);
    gan_buf_printf(o, "acc += %s;\n", val);
    for (int k = dom.rank - 1; k >= 0; k--) {
        gan_indent(o, 1 + k);
        gan_buf_put(o, "}\n");
        if (k == n_out) {
            index_expr(ix, sizeof ix, leaf_shape(&c->e, c->e.pl->p->g.n[c->out].shape), c->e.dom,
                       idx, c->e.dims);
            gan_indent(o, 1 + k);
            gan_buf_printf(o, "%s[%s] = acc;\n", c->out_name, ix);
        }
    }
}

/* Whether a loop over n elements is split among the trainer's threads:
 * worth starting them (a few microseconds) only for long loops. */
static int parallel_worth(const gan_plan *pl, long n)
{
    return !pl->o.plain && n >= 65536;
}

static void emit_loop_node(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, gan_buf *notes)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[x];
    loop_ctx c = { { pl, nm, x, -1, NULL, nd->shape, dom_names, 0, 0, NULL }, x, NULL, 0 };
    c.out_name = gan_names_get(nm, pl, x);
    gan_names_mark_written(nm, pl, x);
    if (nd->op == IR_SUM_TO) {
        c.e.dom = g->n[nd->in[0]].shape;
        c.accumulate = 1;
    }
    c.e.flat = !c.accumulate && all_leaves_match(pl, x, x, c.e.dom);
    /* a flat loop is a loop over one axis of numel elements */
    ir_shape dom = c.e.dom;
    if (c.e.flat) {
        dom = ir_shape1((int)ir_numel(c.e.dom));
        static const char *const flat_name[1] = { "N" };
        c.e.dims = flat_name;
        gan_indent(o, 1);
        gan_buf_printf(o, "enum { N = %ld };\n", ir_numel(dom));
        int rolled = dom.d[0] > pl->o.unroll || pl->o.plain;
        if (rolled) {
            if (parallel_worth(pl, dom.d[0]))
                gan_buf_put(o, "    GAN_PARALLEL_FOR\n");
            gan_indent(o, 1);
            gan_buf_put(o, "for (int i = 0; i < N; i++) {\n");
            const char *idx[1] = { "i" };
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
            if (notes)
                gan_buf_printf(notes, "%d elements unrolled; ", dom.d[0]);
        }
        return;
    }
    collapse_plan cp = plan_collapse(pl, x, dom);
    if (cp.n < dom.rank && !pl->o.plain) {
        c.e.cp = &cp;
        ir_shape merged = { cp.n, { 1, 1, 1, 1 } };
        for (int j = 0; j < cp.n; j++)
            for (int k = cp.first[j]; k < cp.first[j] + cp.count[j]; k++)
                merged.d[j] *= dom.d[k];
        dom = merged;
        c.e.dom = merged;
    }
    declare_dims(o, 1, dom, dom_names);
    /* A sum whose innermost axis is an output (a bias gradient: columns of
     * a matrix) vectorizes over outputs as it stands, one thread.  Any
     * other goes output axes first (emit_sum_nest). */
    int order[4], n_out = 0;
    ir_shape out = leaf_shape(&c.e, nd->shape);
    for (int pass = 0; pass < 2 && c.accumulate; pass++)
        for (int a = 0, n = 0; a < dom.rank; a++) {
            int k = a - (dom.rank - out.rank);
            int is_out = k >= 0 && out.d[k] == dom.d[a] && dom.d[a] > 1;
            if (is_out == !pass)
                order[pass ? n_out + n++ : n_out++] = a;
        }
    if (c.accumulate && !pl->o.plain && n_out > 0 && order[dom.rank - 1] == dom.rank - 1 &&
        n_out < dom.rank) {
        emit_sum_nest(o, &c, dom, order, n_out, parallel_worth(pl, ir_numel(dom)));
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
    int par = !c.accumulate && dom.d[0] >= 2 && parallel_worth(pl, ir_numel(dom));
    int u = emit_loops(o, dom, NULL, par, pl->o.plain ? 0 : pl->o.unroll, loop_body, &c, 1);
    if (u && notes && !strstr(notes->s ? notes->s : "", "inner axes unrolled"))
        gan_buf_put(notes, "inner axes unrolled; ");
}

/* ------------------------------------------------------------------ */
/* matrix products                                                     */

typedef struct {
    const gan_plan *pl;
    gan_names *nm;
    int mm, epi;            /* the matmul; its epilogue root or -1 */
    const char *a, *b, *c;  /* buffer names */
    int ta, tb;
    long M, N, K;
    int unroll;
} mm_ctx;

static void a_at(char *buf, size_t n, const mm_ctx *c, const char *i, const char *k)
{
    if (c->ta)
        snprintf(buf, n, "%s[%s*M + %s]", c->a, k, i);
    else
        snprintf(buf, n, "%s[%s*K + %s]", c->a, i, k);
}

static void b_at(char *buf, size_t n, const mm_ctx *c, const char *k, const char *j)
{
    if (c->tb)
        snprintf(buf, n, "%s[%s*K + %s]", c->b, j, k);
    else
        snprintf(buf, n, "%s[%s*N + %s]", c->b, k, j);
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
    expr_ctx e = { pl, nm, epi, producer, value, pl->p->g.n[epi].shape, dims, 0, 0, NULL };
    gan_buf body = { 0 };
    char val[1024];
    value_of(&e, epi, idx, &body, lvl + 1, val, sizeof val);
    if (!body.len) {
        gan_indent(o, lvl);
        gan_buf_printf(o, "%s = %s;\n", out_ref, val);
        return;
    }
    gan_indent(o, lvl);
    gan_buf_put(o, "{\n");
    gan_buf_put(o, body.s);
    gan_indent(o, lvl + 1);
    gan_buf_printf(o, "%s = %s;\n", out_ref, val);
    gan_indent(o, lvl);
    gan_buf_put(o, "}\n");
    gan_buf_free(&body);
}

/* writes C[i][j] = epilogue(value) at level lvl */
static void store_epilogue(const mm_ctx *c, const char *i, const char *j, const char *value,
                           gan_buf *o, int lvl)
{
    const char *idx[2] = { i, j };
    static const char *const mn[2] = { "M", "N" };
    char ref[160];
    snprintf(ref, sizeof ref, "%s[%s*N + %s]", c->c, i, j);
    gan_emit_epilogue(o, c->pl, c->nm, c->epi, c->mm, value, idx, mn, ref, lvl);
}

static void emit_dot_form(gan_buf *o, const mm_ctx *c, gan_buf *notes)
{
    int unroll_k = c->K <= c->unroll;
    gan_buf_put(o, "    for (int i0 = 0; i0 < M; i0++)\n"
                   "        for (int i1 = 0; i1 < N; i1++) {\n");
    if (unroll_k) {
        gan_buf_put(o, "            const float acc =");
        for (long k = 0; k < c->K; k++) {
            char ks[16], av[128], bv[128];
            snprintf(ks, sizeof ks, "%ld", k);
            a_at(av, sizeof av, c, "i0", ks);
            b_at(bv, sizeof bv, c, ks, "i1");
            gan_buf_printf(o, "%s%s * %s", k ? "\n                + " : " ", av, bv);
        }
        gan_buf_put(o, ";\n");
        if (notes)
            gan_buf_printf(notes, "k 0..%ld unrolled; ", c->K - 1);
    } else {
        char av[128], bv[128];
        a_at(av, sizeof av, c, "i0", "k");
        b_at(bv, sizeof bv, c, "k", "i1");
        gan_buf_printf(o, "            float acc = 0.0f;\n"
                          "            for (int k = 0; k < K; k++)\n"
                          "                acc += %s * %s;\n", av, bv);
    }
    store_epilogue(c, "i0", "i1", "acc", o, 3);
    gan_buf_put(o, "        }\n");
}

static void emit_axpy_form(gan_buf *o, const mm_ctx *c, gan_buf *notes)
{
    int unroll_k = c->K <= c->unroll, unroll_n = c->N <= c->unroll;
    gan_buf_put(o, "    for (int i0 = 0; i0 < M; i0++) {\n");
    gan_buf_printf(o, "        float *row = %s + i0*N;\n", c->c);
    char av[128], bv[128];
    if (unroll_n) {
        for (long j = 0; j < c->N; j++)
            gan_buf_printf(o, "        row[%ld] = 0.0f;\n", j);
    } else {
        gan_buf_put(o, "        for (int i1 = 0; i1 < N; i1++)\n            row[i1] = 0.0f;\n");
    }
    for (long k = 0; k < (unroll_k ? c->K : 1); k++) {
        char ks[16];
        snprintf(ks, sizeof ks, unroll_k ? "%ld" : "k", k);
        if (!unroll_k)
            gan_buf_put(o, "        for (int k = 0; k < K; k++) {\n");
        else
            gan_buf_put(o, "        {\n");
        a_at(av, sizeof av, c, "i0", ks);
        gan_buf_printf(o, "            const float a = %s;\n", av);
        if (unroll_n) {
            for (long j = 0; j < c->N; j++) {
                char js[16];
                snprintf(js, sizeof js, "%ld", j);
                b_at(bv, sizeof bv, c, ks, js);
                gan_buf_printf(o, "            row[%ld] += a * %s;\n", j, bv);
            }
        } else {
            b_at(bv, sizeof bv, c, ks, "i1");
            gan_buf_printf(o, "            for (int i1 = 0; i1 < N; i1++)\n"
                              "                row[i1] += a * %s;\n", bv);
        }
        gan_buf_put(o, "        }\n");
    }
    if (c->epi >= 0) {
        if (unroll_n) {
            for (long j = 0; j < c->N; j++) {
                char js[16], rv[32];
                snprintf(js, sizeof js, "%ld", j);
                snprintf(rv, sizeof rv, "row[%ld]", j);
                store_epilogue(c, "i0", js, rv, o, 2);
            }
        } else {
            gan_buf_put(o, "        for (int i1 = 0; i1 < N; i1++)\n");
            store_epilogue(c, "i0", "i1", "row[i1]", o, 3);
        }
    }
    gan_buf_put(o, "    }\n");
    if (notes && (unroll_k || unroll_n))
        gan_buf_printf(notes, "%s%s", unroll_k ? "k unrolled; " : "",
                       unroll_n ? "columns unrolled; " : "");
}

void gan_emit_gemm(gan_buf *o, const gan_plan *pl, int x, int indent, int ta, int tb,
                   const char *m, const char *n, const char *k, const char *a, const char *lda,
                   const char *b, const char *ldb, const char *beta, const char *c,
                   const char *ldc)
{
    if (pl->o.own_gemm)
        gan_buf_printf(o, "%*srt_sgemm(%d, %d, %s, %s, %s, 1.0f, %s, %s, %s, %s, %s, %s, %s);\n",
                       indent, "", ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
    else   /* gan_sgemm: split among the trainer's threads (emit_model.c) */
        gan_buf_printf(o, "%*sgan_sgemm(%s, %d, %d, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s);\n",
                       indent, "", pl->use_blas[x] == GAN_OWN_GEMM ? "GAN_OWN" : "GAN_OPENBLAS",
                       ta, tb, m, n, k, a, lda, b, ldb, beta, c, ldc);
}

const char *gan_gemm_name(const gan_plan *pl, int x)
{
    return pl->use_blas[x] == GAN_IMPLICIT ? "ganc implicit GEMM (columns gathered from the image)"
           : pl->use_blas[x] == GAN_OWN_GEMM ? "ganc sgemm" : "OpenBLAS sgemm";
}

void gan_note_estimates(gan_buf *notes, const gan_plan *pl, int x)
{
    if (!notes || !pl->est || pl->est[x][GAN_LOOPS] <= 0)
        return;
    static const char *const what[GAN_N_ENGINES] = { "loops", "OpenBLAS", "ganc", "implicit" };
    gan_buf_put(notes, "cost model:");
    for (int e = 0; e < GAN_N_ENGINES; e++)
        if (pl->est[x][e] >= 0)
            gan_buf_printf(notes, " %s %.0f", what[e], pl->est[x][e]);
    gan_buf_put(notes, " us; ");
}

int gan_weight_packs_once(const gan_plan *pl, int weight)
{
    return pl->o.own_gemm && !pl->o.plain &&
           pl->p->g.n[gan_plan_base(pl, weight)].op == IR_PARAM;
}

void gan_emit_packed_once(gan_buf *o, const char *weight, const char *floats, const char *pack,
                          const char *product)
{
    gan_buf_printf(o, "    /* %s does not change once loaded: packed for rt_sgemm on the first\n"
                      "     * call only */\n"
                      "    static float packed[%s]\n"
                      "        __attribute__((aligned(64)));\n"
                      "    static int packed_ready;\n"
                      "    if (!packed_ready) {\n"
                      "        %s;\n"
                      "        packed_ready = 1;\n"
                      "    }\n"
                      "    %s;\n", weight, floats, pack, product);
}

static void emit_matmul(gan_buf *o, const gan_plan *pl, gan_names *nm, int mm, int epi,
                        gan_buf *notes)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[mm];
    int outn = epi >= 0 ? epi : mm;
    mm_ctx c = { pl, nm, mm, epi, NULL, NULL, NULL, nd->ta, nd->tb, nd->shape.d[0],
                 nd->shape.d[1], 0, pl->o.plain ? 0 : pl->o.unroll };
    c.a = gan_names_get(nm, pl, nd->in[0]);
    c.b = gan_names_get(nm, pl, nd->in[1]);
    c.K = nd->ta ? g->n[nd->in[0]].shape.d[0] : g->n[nd->in[0]].shape.d[1];
    c.c = gan_names_get(nm, pl, outn);
    gan_names_mark_written(nm, pl, outn);
    gan_buf_printf(o, "    enum { M = %ld, N = %ld, K = %ld };\n", c.M, c.N, c.K);
    gan_note_estimates(notes, pl, mm);
    /* rt_sgemm packs op(B) on every call when A has RT_GEMM_MR rows or more:
     * for a weight the same work each time (the generator at batch 16: the
     * dense layer's 2.5 MB weight packed again per call, half its time) */
    if (pl->use_blas[mm] && c.M >= RT_GEMM_MR && gan_weight_packs_once(pl, nd->in[1])) {
        char pack[256], product[256];
        snprintf(pack, sizeof pack, "rt_sgemm_pack_b(%d, K, N, %s, %s, packed)", c.tb, c.b,
                 c.tb ? "K" : "N");
        snprintf(product, sizeof product,
                 "rt_sgemm_packed_b(%d, M, N, K, 1.0f, %s, %s, packed, 0.0f, %s, N)", c.ta, c.a,
                 c.ta ? "M" : "K", c.c);
        gan_emit_packed_once(o, c.b, "K * ((N + RT_GEMM_NR - 1) / RT_GEMM_NR) * RT_GEMM_NR", pack,
                             product);
        if (notes)
            gan_buf_put(notes, "ganc sgemm, weight packed once; ");
    } else if (pl->use_blas[mm]) {
        gan_emit_gemm(o, pl, mm, 4, c.ta, c.tb, "M", "N", "K", c.a, c.ta ? "M" : "K", c.b,
                      c.tb ? "K" : "N", "0.0f", c.c, "N");
        if (notes)
            gan_buf_printf(notes, "%s; ", gan_gemm_name(pl, mm));
    }
    if (pl->use_blas[mm]) {
        if (epi >= 0) {
            if (parallel_worth(pl, c.M * c.N) && c.M >= 2)
                gan_buf_put(o, "    GAN_PARALLEL_FOR\n");
            gan_buf_put(o, "    for (int i0 = 0; i0 < M; i0++)\n"
                           "        for (int i1 = 0; i1 < N; i1++)\n");
            char cur[96];
            snprintf(cur, sizeof cur, "%s[i0*N + i1]", c.c);
            store_epilogue(&c, "i0", "i1", cur, o, 3);
        }
        return;
    }
    if (notes)
        gan_buf_put(notes, "loop nest; ");
    if (c.tb)
        emit_dot_form(o, &c, notes);
    else
        emit_axpy_form(o, &c, notes);
}

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
        declare_dims(o, 2, dom, dom_names);
        declare_dims(o, 2, big, other);
        for (int a = 0; a < dom.rank; a++) {
            gan_indent(o, 2 + a);
            gan_buf_printf(o, "for (int %s = 0; %s < %s; %s++)\n", loop_vars[a], loop_vars[a],
                           dom_names[a], loop_vars[a]);
        }
        char shifted[16], small_ix[256], big_ix[256];
        snprintf(shifted, sizeof shifted, "(%s + %d)", loop_vars[nd->axis], off);
        const char *bidx[4] = { "i0", "i1", "i2", "i3" };
        bidx[nd->axis] = shifted;
        index_expr(small_ix, sizeof small_ix, dom, dom, loop_vars, dom_names);
        index_expr(big_ix, sizeof big_ix, big, big, bidx, other);
        gan_indent(o, 2 + dom.rank);
        if (nd->op == IR_SLICE)
            gan_buf_printf(o, "%s[%s] = %s[%s];\n", out, small_ix, in, big_ix);
        else
            gan_buf_printf(o, "%s[%s] = %s[%s];\n", out, big_ix, in, small_ix);
        gan_buf_put(o, "    }\n");
        off += g->n[src].shape.d[nd->axis];
    }
}

void gan_emit_node(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, gan_buf *notes)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[x];
    char shape[64];
    ir_shape_str(nd->shape, shape, sizeof shape);
    gan_buf desc = { 0 };
    describe(pl, nm, x, x, &desc);
    gan_buf_printf(o, "    /* %s = %s  [%s] */\n", gan_names_get(nm, pl, x), desc.s, shape);
    gan_buf_free(&desc);
    gan_buf_put(o, "    {\n");
    gan_buf code = { 0 };
    if (pl->gemm[x] >= 0 && g->n[pl->gemm[x]].op != IR_MATMUL)
        gan_emit_conv(&code, pl, nm, pl->gemm[x], x, notes);
    else if (pl->gemm[x] >= 0)
        emit_matmul(&code, pl, nm, pl->gemm[x], x, notes);
    else if (nd->op >= IR_CONV2D && nd->op <= IR_SUMPOOL)
        gan_emit_conv(&code, pl, nm, x, -1, notes);
    else if (nd->op == IR_MATMUL)
        emit_matmul(&code, pl, nm, x, -1, notes);
    else if (nd->op == IR_CONCAT || nd->op == IR_SLICE || nd->op == IR_PAD)
        emit_layout(&code, pl, nm, x);
    else
        emit_loop_node(&code, pl, nm, x, notes);
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

/* plan.c - see plan.h. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "fatal.h"

#define xcalloc gan_xcalloc

/* loop nodes iterate a domain and may take inlined inputs */
static int is_loop(ir_op op) { return ir_is_elementwise(op) || op == IR_SUM_TO; }

int gan_plan_base(const gan_plan *pl, int x)
{
    while (pl->store[x] == ST_VIEW)
        x = pl->p->g.n[x].in[0];
    return x;
}

static void add_read(const gan_plan *pl, int x, int *out, int *n, int max)
{
    int b = gan_plan_base(pl, x);
    if (pl->store[b] == ST_INLINE)
        return;
    for (int i = 0; i < *n; i++)
        if (out[i] == b)
            return;
    if (*n == max)
        gan_internal("plan.c", "node %d reads more than the %d buffers its caller made room for",
                     x, max);
    out[(*n)++] = b;
}

/* leaves of the expression rooted at x (x itself excluded) */
static void tree_reads(const gan_plan *pl, int x, int root, int *out, int *n, int max)
{
    const ir_node *nd = &pl->p->g.n[x];
    if (x != root && pl->store[x] != ST_INLINE && pl->store[x] != ST_FUSED) {
        add_read(pl, x, out, n, max);
        return;
    }
    if (x != root && pl->store[x] == ST_FUSED) {
        for (int i = 0; i < nd->n_in; i++)
            add_read(pl, nd->in[i], out, n, max);
        return;
    }
    for (int i = 0; i < nd->n_in; i++)
        tree_reads(pl, nd->in[i], root, out, n, max);
}

int gan_plan_reads(const gan_plan *pl, int x, int *out, int max)
{
    int n = 0;
    const ir_node *nd = &pl->p->g.n[x];
    if (is_loop(nd->op)) {
        tree_reads(pl, x, x, out, &n, max);
    } else {
        for (int i = 0; i < nd->n_in; i++)
            add_read(pl, nd->in[i], out, &n, max);
    }
    return n;
}

/* the shape a loop node iterates over */
static ir_shape domain(const ir_graph *g, int x)
{
    return g->n[x].op == IR_SUM_TO ? g->n[g->n[x].in[0]].shape : g->n[x].shape;
}

static void decide_storage(gan_plan *pl, const char *live, const char *is_out, const int *user,
                           const char *read_as_buffer)
{
    const ir_graph *g = &pl->p->g;
    for (int x = 0; x < pl->n; x++) {
        if (!live[x])
            continue;
        ir_op op = g->n[x].op;
        if (op == IR_INPUT || op == IR_PARAM)
            pl->store[x] = ST_EXT;
        else if ((op == IR_CONST || ir_is_noise(op)) && !read_as_buffer[x] && !is_out[x])
            pl->store[x] = ST_INLINE;     /* recomputed where used: no buffer */
        else if (op == IR_RESHAPE)
            pl->store[x] = ST_VIEW;
        else if (ir_is_elementwise(op) && !pl->o.plain && !is_out[x] && pl->uses[x] == 1 &&
                 is_loop(g->n[user[x]].op) &&
                 ir_shape_eq(domain(g, user[x]), g->n[x].shape))
            pl->store[x] = ST_INLINE;
        else
            pl->store[x] = ST_MAT;
    }
    /* a view needs a real buffer under it */
    for (int x = 0; x < pl->n; x++)
        if (live[x] && pl->store[x] == ST_VIEW) {
            int b = gan_plan_base(pl, x);
            if (pl->store[b] == ST_INLINE && g->n[b].op != IR_CONST &&
                !ir_is_noise(g->n[b].op))
                pl->store[b] = ST_MAT;
        }
}

/* Finds the single matmul leaf of loop node e's expression, if any. */
static int find_gemm_leaf(const gan_plan *pl, int x, int root)
{
    const ir_node *nd = &pl->p->g.n[x];
    if (x != root && pl->store[x] != ST_INLINE)
        return (nd->op == IR_MATMUL || nd->op == IR_CONV2D || nd->op == IR_CONV2D_T) &&
               pl->store[x] == ST_MAT ? x : -1;
    int found = -1;
    for (int i = 0; i < nd->n_in; i++) {
        int f = find_gemm_leaf(pl, nd->in[i], root);
        if (f >= 0) {
            if (found >= 0 && found != f)
                return -2;
            found = f;
        }
        if (f == -2)
            return -2;
    }
    return found;
}

static void fuse_epilogues(gan_plan *pl, const char *is_out)
{
    const ir_graph *g = &pl->p->g;
    if (pl->o.plain)
        return;
    for (int e = 0; e < pl->n; e++) {
        if (pl->store[e] != ST_MAT || !ir_is_elementwise(g->n[e].op))
            continue;
        int mm = find_gemm_leaf(pl, e, e);
        if (mm < 0 || pl->uses[mm] != 1 || is_out[mm] ||
            !ir_shape_eq(g->n[mm].shape, g->n[e].shape))
            continue;
        pl->store[mm] = ST_FUSED;
        pl->gemm[e] = mm;
    }
}

int gan_plan_product(const gan_plan *pl, int x)
{
    return pl->gemm[x] >= 0 ? pl->gemm[x] : x;
}

int gan_program_reports_terms(const gan_program *p)
{
    return p->kind == GAN_PROG_STEP && p->n_terms > 1;
}

int gan_plan_is_result(const gan_plan *pl, int x)
{
    const gan_program *p = pl->p;
    if (x == p->loss)
        return 1;
    for (int t = 0; gan_program_reports_terms(p) && t < p->n_terms; t++)
        if (p->terms[t] == x)
            return 1;
    return 0;
}

/* Marks the program's outputs (and where each goes) and then, sweeping
 * back over the topological order, everything they read. */
static void mark_outputs(gan_plan *pl, char *live, char *is_out)
{
    const gan_program *p = pl->p;
    if (p->loss >= 0)
        is_out[p->loss] = 1;
    for (int t = 0; gan_program_reports_terms(p) && t < p->n_terms; t++)
        is_out[p->terms[t]] = 1;
    if (p->out >= 0) {
        is_out[p->out] = 1;
        pl->dest[p->out] = DEST_OUT;
    }
    for (int t = 0; t < p->n_tensors; t++)
        if (p->grad[t] >= 0) {
            is_out[p->grad[t]] = 1;
            pl->dest[p->grad[t]] = DEST_GRAD;
            pl->tensor[p->grad[t]] = t;
        }
    for (int t = 0; t < p->n_tensors; t++)
        if (p->state && p->state[t] >= 0) {
            is_out[p->state[t]] = 1;
            pl->dest[p->state[t]] = DEST_STATE;
            pl->tensor[p->state[t]] = t;
        }
    for (int k = 0; k < p->n_saved; k++) {
        is_out[p->saved[k]] = 1;
        pl->dest[p->saved[k]] = DEST_SAVED;
        pl->tensor[p->saved[k]] = p->saved_base + k;   /* the file's slot */
    }
    const ir_graph *g = &p->g;
    for (int x = g->count - 1; x >= 0; x--) {
        live[x] |= is_out[x];
        for (int i = 0; live[x] && i < g->n[x].n_in; i++)
            live[g->n[x].in[i]] = 1;
    }
}

void gan_plan_products(const gan_program *p, long (**want)[5], int *n)
{
    const ir_graph *g = &p->g;
    gan_plan pl = { .p = p, .n = g->count };
    char *live = xcalloc((size_t)g->count, 1), *is_out = xcalloc((size_t)g->count, 1);
    pl.dest = xcalloc((size_t)g->count, sizeof *pl.dest);
    pl.tensor = xcalloc((size_t)g->count, sizeof *pl.tensor);
    mark_outputs(&pl, live, is_out);
    for (int x = 0; x < g->count; x++) {
        const ir_node *nd = &g->n[x];
        if (!live[x] || (nd->op != IR_MATMUL && nd->op != IR_CONV2D && nd->op != IR_CONV2D_T &&
                         nd->op != IR_CONV2D_WGRAD))
            continue;
        *want = gan_xrealloc(*want, (size_t)*n + 1, sizeof **want);
        long *w = (*want)[(*n)++];
        if (nd->op == IR_MATMUL) {
            const ir_node *a = &g->n[nd->in[0]];
            w[0] = nd->ta;
            w[1] = nd->tb;
            w[2] = nd->shape.d[0];
            w[3] = nd->shape.d[1];
            w[4] = nd->ta ? a->shape.d[0] : a->shape.d[1];
        } else {
            w[0] = nd->op == IR_CONV2D_T;
            w[1] = nd->op == IR_CONV2D_WGRAD;
            gan_conv_gemm_dims(g, x, &w[2], &w[3], &w[4]);
        }
    }
    free(live);
    free(is_out);
    free(pl.dest);
    free(pl.tensor);
}

void gan_plan_storage(gan_plan *pl, const gan_program *p, const gan_model *m, gan_codegen_opts o)
{
    memset(pl, 0, sizeof *pl);
    pl->p = p;
    pl->m = m;
    pl->o = o;
    pl->n = p->g.count;
    const ir_graph *g = &p->g;
    pl->store = xcalloc((size_t)pl->n, sizeof *pl->store);
    pl->uses = xcalloc((size_t)pl->n, sizeof *pl->uses);
    pl->gemm = xcalloc((size_t)pl->n, sizeof *pl->gemm);
    pl->dest = xcalloc((size_t)pl->n, sizeof *pl->dest);
    pl->tensor = xcalloc((size_t)pl->n, sizeof *pl->tensor);
    pl->off = xcalloc((size_t)pl->n, sizeof *pl->off);
    pl->sched = xcalloc((size_t)pl->n, sizeof *pl->sched);
    pl->est = o.cost && o.blas && !o.plain ? xcalloc((size_t)pl->n, sizeof *pl->est) : NULL;
    char *live = xcalloc((size_t)pl->n, 1), *is_out = xcalloc((size_t)pl->n, 1);
    char *read_as_buffer = xcalloc((size_t)pl->n, 1);  /* some consumer is not a loop */
    int *user = xcalloc((size_t)pl->n, sizeof *user);

    for (int x = 0; x < pl->n; x++)
        pl->gemm[x] = pl->tensor[x] = -1;
    mark_outputs(pl, live, is_out);
    for (int x = 0; x < pl->n; x++)
        if (live[x])
            for (int i = 0; i < g->n[x].n_in; i++) {
                pl->uses[g->n[x].in[i]]++;
                user[g->n[x].in[i]] = x;
                if (!is_loop(g->n[x].op))
                    read_as_buffer[g->n[x].in[i]] = 1;
            }
    decide_storage(pl, live, is_out, user, read_as_buffer);
    fuse_epilogues(pl, is_out);
    free(live);
    free(is_out);
    free(user);
    free(read_as_buffer);
}

void gan_plan_free(gan_plan *pl)
{
    free(pl->store);
    free(pl->uses);
    free(pl->gemm);
    free(pl->dest);
    free(pl->tensor);
    free(pl->off);
    free(pl->sched);
    free(pl->est);
    memset(pl, 0, sizeof *pl);
}

/* plan.c - see plan.h. */
#include "plan.h"
#include "emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *xcalloc(size_t n, size_t s)
{
    void *p = calloc(n ? n : 1, s);
    if (!p)
        abort();
    return p;
}

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
    if (*n == max) {
        fprintf(stderr, "ganc: internal error: node %d reads more than %d buffers (plan.c)\n",
                x, max);
        abort();
    }
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

static void mark_live(gan_plan *pl, char *live, int x)
{
    if (live[x])
        return;
    live[x] = 1;
    const ir_node *nd = &pl->p->g.n[x];
    for (int i = 0; i < nd->n_in; i++)
        mark_live(pl, live, nd->in[i]);
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
        else if ((op == IR_CONST || op == IR_DROPOUT_MASK) && !read_as_buffer[x] && !is_out[x])
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
                g->n[b].op != IR_DROPOUT_MASK)
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

/* Whether engine e may compute node x (a convolution's forward pass when
 * conv_fwd) under the options and GANC_GEMM. */
static int allowed(const gan_plan *pl, int e, int conv_fwd)
{
    int forced = pl->o.cost->forced;
    if (e == GAN_IMPLICIT && !conv_fwd)
        return 0;
    if (pl->o.own_gemm)   /* the sampler: no OpenBLAS */
        return e != GAN_OPENBLAS && (forced != GAN_IMPLICIT || e == GAN_IMPLICIT || !conv_fwd);
    switch (forced) {
    case GAN_OPENBLAS: return e == GAN_OPENBLAS;
    case GAN_OWN_GEMM: return e == GAN_OWN_GEMM || e == GAN_IMPLICIT;
    case GAN_IMPLICIT: return conv_fwd ? e == GAN_IMPLICIT : e == GAN_OWN_GEMM;
    default: return 1;
    }
}

/* The fastest of generated loops, OpenBLAS, rt_sgemm and (a convolution's
 * forward pass: conv_fwd) the implicit GEMM by the cost model, for a
 * product M x N x K with transpositions ta, tb; col: floats of the
 * im2col/col2im matrix the GEMM form copies, out: of the product written
 * before the epilogue; loops_us: the loops' time. */
static int cheapest(gan_plan *pl, int x, int ta, int tb, long M, long N, long K, double col,
                    double out, int conv_fwd, double loops_us)
{
    const gan_cost *c = pl->o.cost;
    double *est = pl->est[x];
    est[GAN_LOOPS] = loops_us;
    for (int e = GAN_OPENBLAS; e < GAN_N_ENGINES; e++) {
        if (!allowed(pl, e, conv_fwd)) {
            est[e] = -1.0;
            continue;
        }
        double gemm = gan_cost_gemm_us(c, e == GAN_OPENBLAS ? e : GAN_OWN_GEMM, ta, tb, M, N, K);
        /* implicit: the measured ratio to im2col + rt_sgemm */
        est[e] = (gemm + gan_cost_copy_us(c, col)) * (e == GAN_IMPLICIT ? c->implicit_ratio : 1.0) +
                 gan_cost_copy_us(c, out);
    }
    int best = GAN_LOOPS;
    for (int e = GAN_OPENBLAS; e < GAN_N_ENGINES; e++)
        if (est[e] >= 0 && est[e] < est[best])
            best = e;
    return best;
}

/* Whether node x is a product or a convolution whose kernel is chosen
 * here; then want = { ta, tb, M, N, K } of its GEMM form. */
static int product_dims(gan_plan *pl, int x, long want[5])
{
    const ir_graph *g = &pl->p->g;
    ir_op op = g->n[x].op;
    if (pl->store[x] != ST_MAT && pl->store[x] != ST_FUSED)
        return 0;
    if (op == IR_CONV2D || op == IR_CONV2D_T || op == IR_CONV2D_WGRAD) {
        pl->use_blas[x] = 1;   /* tentatively, so the dims are those of the GEMM form */
        gan_conv_gemm_dims(pl, x, &want[2], &want[3], &want[4]);
        want[0] = op == IR_CONV2D_T;
        want[1] = op == IR_CONV2D_WGRAD;
        return 1;
    }
    if (op != IR_MATMUL)
        return 0;
    const ir_node *a = &g->n[g->n[x].in[0]];
    want[0] = g->n[x].ta;
    want[1] = g->n[x].tb;
    want[2] = g->n[x].shape.d[0];
    want[3] = g->n[x].shape.d[1];
    want[4] = g->n[x].ta ? a->shape.d[0] : a->shape.d[1];
    return 1;
}

static void choose_kernels(gan_plan *pl)
{
    const ir_graph *g = &pl->p->g;
    int gemm_engine = pl->o.own_gemm ? GAN_OWN_GEMM : GAN_OPENBLAS;
    int model = pl->o.cost && pl->o.blas && !pl->o.plain;
    long (*want)[5] = model ? calloc((size_t)pl->n + 1, sizeof *want) : NULL;
    int n_want = 0;
    for (int x = 0; x < pl->n && want; x++)   /* no memory: the grid alone */
        n_want += product_dims(pl, x, want[n_want]);
    if (n_want)   /* the products without a measurement of their own: measured now, once */
        gan_cost_measure(pl->o.cost, (const long(*)[5])want, n_want);
    free(want);
    for (int x = 0; x < pl->n; x++) {
        long d[5];
        if (!product_dims(pl, x, d))
            continue;
        int ta = (int)d[0], tb = (int)d[1];
        long M = d[2], N = d[3], K = d[4];
        double flops = 2.0 * (double)M * (double)N * (double)K;
        ir_op op = g->n[x].op;
        if (op != IR_MATMUL) {
            if (model) {
                double all = (double)gan_conv_scratch(pl, x), out = (double)M * (double)N;
                if (op != IR_CONV2D)   /* the product is the col matrix itself */
                    out = 0.0;
                pl->use_blas[x] = (char)cheapest(pl, x, ta, tb, M, N, K, all - out, out,
                                                 op == IR_CONV2D,
                                                 gan_cost_direct_us(pl->o.cost, flops));
                continue;
            }
            /* a GEMM pays for its im2col copy once the contraction is long */
            pl->use_blas[x] = pl->o.blas && !pl->o.plain && K >= 16 && M >= 8 && N >= 8 &&
                              M * N * K >= 32768 ? (char)gemm_engine : GAN_LOOPS;
            continue;
        }
        if (model) {
            pl->use_blas[x] = (char)cheapest(pl, x, ta, tb, M, N, K, 0.0, 0.0, 0,
                                             gan_cost_loop_us(pl->o.cost, flops));
            continue;
        }
        /* OpenBLAS packs its operands: only worth it when every side is long
         * enough; narrow products stay in generated loops.  rt_sgemm skips
         * packing for few rows (a generator at batch 1: a matrix-vector
         * product), so there M may be short. */
        pl->use_blas[x] = pl->o.blas && !pl->o.plain && M * N * K >= 65536 &&
                          (M >= 16 || pl->o.own_gemm) && N >= 16 && K > pl->o.unroll
                              ? (char)gemm_engine : GAN_LOOPS;
    }
}

/* First-fit allocation of workspace buffers over the execution order. */
typedef struct {
    long off, size;
} span;

static long alloc_span(span *free_list, int *n_free, long *top, long size)
{
    for (int i = 0; i < *n_free; i++)
        if (free_list[i].size >= size) {
            long off = free_list[i].off;
            free_list[i].off += size;
            free_list[i].size -= size;
            if (free_list[i].size == 0)
                free_list[i] = free_list[--*n_free];
            return off;
        }
    long off = *top;
    *top += size;
    return off;
}

static void release_span(span *free_list, int *n_free, long off, long size)
{
    /* merge with neighbours so space does not fragment */
    for (int i = 0; i < *n_free; i++) {
        if (free_list[i].off + free_list[i].size == off) {
            off = free_list[i].off;
            size += free_list[i].size;
            free_list[i--] = free_list[--*n_free];
        } else if (off + size == free_list[i].off) {
            size += free_list[i].size;
            free_list[i--] = free_list[--*n_free];
        }
    }
    free_list[(*n_free)++] = (span){ off, size };
}

static void plan_memory(gan_plan *pl)
{
    const ir_graph *g = &pl->p->g;
    int *last = xcalloc((size_t)pl->n, sizeof *last);
    /* a node reads at most every node before it, and so does its fused
     * product: 2n entries always suffice (a fixed list of 64 once dropped
     * reads quietly, and a buffer read by more nodes than that was reused
     * while still live) */
    int *reads = xcalloc(2 * (size_t)pl->n + 1, sizeof *reads);
    for (int x = 0; x < pl->n; x++) {
        last[x] = -1;
        if (pl->store[x] != ST_MAT)
            continue;
        int nr = gan_plan_reads(pl, x, reads, pl->n);
        if (pl->gemm[x] >= 0)
            nr += gan_plan_reads(pl, pl->gemm[x], reads + nr, pl->n);
        for (int i = 0; i < nr; i++)
            last[reads[i]] = x;
    }
    free(reads);
    span *fl = xcalloc((size_t)pl->n + 1, sizeof *fl);
    int n_free = 0;
    long top = 0;
    int *owner = xcalloc((size_t)pl->n, sizeof *owner);
    for (int x = 0; x < pl->n; x++) {
        if (pl->store[x] != ST_MAT)
            continue;
        if (pl->dest[x] == DEST_WS) {
            long size = (ir_numel(g->n[x].shape) + 15) & ~15L;
            pl->off[x] = alloc_span(fl, &n_free, &top, size);
            if (x == pl->p->loss)
                last[x] = pl->n;        /* returned at the end */
            else if (last[x] < 0)
                last[x] = x;
        }
        /* free every buffer whose last reader is x (after x's own allocation,
         * so an output never overlaps its inputs) */
        for (int y = 0; y <= x; y++)
            if (pl->store[y] == ST_MAT && pl->dest[y] == DEST_WS && last[y] == x && !owner[y]) {
                owner[y] = 1;
                release_span(fl, &n_free, pl->off[y],
                             (ir_numel(g->n[y].shape) + 15) & ~15L);
            }
    }
    pl->ws_size = top;
    free(owner);
    free(fl);
    free(last);
}

void gan_plan_build(gan_plan *pl, const gan_program *p, const gan_model *m, gan_codegen_opts o)
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
    pl->use_blas = xcalloc((size_t)pl->n, 1);
    pl->est = o.cost && o.blas && !o.plain ? xcalloc((size_t)pl->n, sizeof *pl->est) : NULL;
    char *live = xcalloc((size_t)pl->n, 1), *is_out = xcalloc((size_t)pl->n, 1);
    char *read_as_buffer = xcalloc((size_t)pl->n, 1);  /* some consumer is not a loop */
    int *user = xcalloc((size_t)pl->n, sizeof *user);

    for (int x = 0; x < pl->n; x++)
        pl->gemm[x] = pl->tensor[x] = -1;
    if (p->loss >= 0) {
        mark_live(pl, live, p->loss);
        is_out[p->loss] = 1;
    }
    if (p->out >= 0) {
        mark_live(pl, live, p->out);
        is_out[p->out] = 1;
        pl->dest[p->out] = DEST_OUT;
    }
    for (int t = 0; t < m->n_tensors; t++)
        if (p->grad[t] >= 0) {
            mark_live(pl, live, p->grad[t]);
            is_out[p->grad[t]] = 1;
            pl->dest[p->grad[t]] = DEST_GRAD;
            pl->tensor[p->grad[t]] = t;
        }
    for (int t = 0; t < m->n_tensors; t++)
        if (p->state && p->state[t] >= 0) {
            mark_live(pl, live, p->state[t]);
            is_out[p->state[t]] = 1;
            pl->dest[p->state[t]] = DEST_STATE;
            pl->tensor[p->state[t]] = t;
        }
    for (int k = 0; k < p->n_saved; k++) {
        mark_live(pl, live, p->saved[k]);
        is_out[p->saved[k]] = 1;
        pl->dest[p->saved[k]] = DEST_SAVED;
        pl->tensor[p->saved[k]] = k;
    }
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
    choose_kernels(pl);
    plan_memory(pl);
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
    free(pl->use_blas);
    free(pl->est);
    memset(pl, 0, sizeof *pl);
}

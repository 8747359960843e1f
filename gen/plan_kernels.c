/* plan_kernels.c - which code computes each matrix product and each
 * convolution (generated loops, OpenBLAS, the runtime's rt_sgemm, or for
 * a convolution's forward pass rt_sgemm with its columns gathered from the
 * image), by the cost model's predictions or, without one, by size rules;
 * and how that code is shaped: the weights the sampler packs once, the
 * loops written out, the col2im of a transposed convolution, the im2col
 * columns that an earlier product left in scratch.  See plan.h. */
#include "plan.h"

#include <string.h>

#include "kernels/rt_gemm.h"   /* RT_GEMM_MR: the rows below which rt_sgemm does not pack */

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

/* Whether node x is a product or a convolution whose engine is chosen
 * here; then want = { ta, tb, M, N, K } of its GEMM form. */
static int product_dims(const gan_plan *pl, int x, long want[5])
{
    const ir_graph *g = &pl->p->g;
    ir_op op = g->n[x].op;
    if (pl->store[x] != ST_MAT && pl->store[x] != ST_FUSED)
        return 0;
    if (op == IR_CONV2D || op == IR_CONV2D_T || op == IR_CONV2D_WGRAD) {
        gan_conv_gemm_dims(g, x, &want[2], &want[3], &want[4]);
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

/* The engine of product or convolution x, whose GEMM form is d. */
static int choose_engine(gan_plan *pl, int x, const long d[5])
{
    const ir_graph *g = &pl->p->g;
    int gemm_engine = pl->o.own_gemm ? GAN_OWN_GEMM : GAN_OPENBLAS;
    int model = pl->o.cost && pl->o.blas && !pl->o.plain;
    int ta = (int)d[0], tb = (int)d[1];
    long M = d[2], N = d[3], K = d[4];
    double flops = 2.0 * (double)M * (double)N * (double)K;
    ir_op op = g->n[x].op;
    if (op != IR_MATMUL) {
        if (model) {
            double all = (double)gan_conv_gemm_scratch(g, x), out = (double)M * (double)N;
            if (op != IR_CONV2D)   /* the product is the col matrix itself */
                out = 0.0;
            return cheapest(pl, x, ta, tb, M, N, K, all - out, out, op == IR_CONV2D,
                            gan_cost_direct_us(pl->o.cost, flops));
        }
        /* a GEMM pays for its im2col copy once the contraction is long */
        return pl->o.blas && !pl->o.plain && K >= 16 && M >= 8 && N >= 8 && M * N * K >= 32768
                   ? gemm_engine : GAN_LOOPS;
    }
    if (model)
        return cheapest(pl, x, ta, tb, M, N, K, 0.0, 0.0, 0, gan_cost_loop_us(pl->o.cost, flops));
    /* OpenBLAS packs its operands: only worth it when every side is long
     * enough; narrow products stay in generated loops.  rt_sgemm skips
     * packing for few rows (a generator at batch 1: a matrix-vector
     * product), so there M may be short. */
    return pl->o.blas && !pl->o.plain && M * N * K >= 65536 && (M >= 16 || pl->o.own_gemm) &&
                   N >= 16 && K > pl->o.unroll
               ? gemm_engine : GAN_LOOPS;
}

/* Whether the sampler can pack operand `weight` (a node) once for
 * rt_sgemm: a model tensor, which does not change once loaded. */
static int weight_packs_once(const gan_plan *pl, int weight)
{
    return pl->o.own_gemm && !pl->o.plain &&
           pl->p->g.n[gan_plan_base(pl, weight)].op == IR_PARAM;
}

/* a loop over n elements is split among the trainer's threads only when
 * long: starting them costs a few microseconds */
int gan_plan_parallel_worth(const gan_plan *pl, long n)
{
    return !pl->o.plain && n >= 65536;
}

/* The shape of a product's code: packing, loops written out, threads. */
static void plan_matmul(gan_plan *pl, int mm, int epi, gan_sched *s)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[mm];
    long M = nd->shape.d[0], N = nd->shape.d[1];
    long K = nd->ta ? g->n[nd->in[0]].shape.d[0] : g->n[nd->in[0]].shape.d[1];
    int unroll = pl->o.plain ? 0 : pl->o.unroll;
    /* rt_sgemm packs op(B) on every call when A has RT_GEMM_MR rows or more:
     * for a weight the same work each time (the generator at batch 16: the
     * dense layer's 2.5 MB weight packed again per call, half its time) */
    s->pack_once = s->engine && M >= RT_GEMM_MR && weight_packs_once(pl, nd->in[1]);
    s->unroll_k = !s->engine && K <= unroll;
    s->unroll_n = !s->engine && !nd->tb && N <= unroll;
    /* the epilogue after a GEMM call runs on the trainer's threads */
    s->parallel = s->engine && epi >= 0 && gan_plan_parallel_worth(pl, M * N) &&
                  M >= 2;
}

/* What scratch holds: the im2col columns of {input base + 1, geometry},
 * or nothing of use (all 0) */
typedef struct {
    int base;
    gan_conv_dims d;
} col_key;

static col_key key_of(const gan_plan *pl, int input, const gan_conv_dims *d)
{
    col_key k;
    memset(&k, 0, sizeof k);
    k.base = gan_plan_base(pl, input) + 1;
    k.d = *d;
    return k;
}

/* The shape of a convolution's code, and what it leaves in scratch
 * (*cols, carried along the execution order). */
static void plan_conv(gan_plan *pl, int x, gan_sched *s, col_key *cols)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *n = &g->n[x];
    gan_conv_dims d = gan_conv_dims_of(g, x);
    int unroll = pl->o.plain ? 0 : pl->o.unroll;
    if (!s->engine) {
        s->taps_unrolled = d.KH <= unroll && d.KW <= unroll;
        return;
    }
    s->scratch = gan_conv_gemm_scratch(g, x);
    col_key none;
    memset(&none, 0, sizeof none);
    if (n->op == IR_CONV2D_T) {
        /* col2im by phase planes where there are samples to put innermost
         * and more than one output channel; one sample, or one channel (an
         * image layer, one plane per sample), measured as fast a plane at
         * a time, in less code (the sampler stays under 64 KiB) */
        s->col2im = d.B > 1 && d.C > 1 && gan_phase_planes_of(&d, &s->phases)
                        ? GAN_COL2IM_PHASES : GAN_COL2IM_PLANES;
        s->pack_once = weight_packs_once(pl, n->in[1]);
        *cols = none;   /* col is the product here */
        return;
    }
    if (n->op == IR_CONV2D && s->engine == GAN_IMPLICIT) {
        *cols = none;   /* the product is written at scratch */
        return;
    }
    /* an im2col: of the image (conv2d) or of the activation (weight gradient) */
    col_key key = key_of(pl, n->in[0], &d);
    s->cols_reused = !memcmp(&key, cols, sizeof key);
    *cols = key;
}

void gan_plan_kernels(gan_plan *pl)
{
    const ir_graph *g = &pl->p->g;
    for (int x = 0; x < pl->n; x++) {
        long d[5];
        if (product_dims(pl, x, d))
            pl->sched[x].engine = choose_engine(pl, x, d);
    }
    /* in the order the step runs them: a product is computed where its
     * epilogue (or itself) executes */
    col_key cols;
    memset(&cols, 0, sizeof cols);
    for (int e = 0; e < pl->n; e++) {
        if (pl->store[e] != ST_MAT)
            continue;
        int x = gan_plan_product(pl, e);
        ir_op op = g->n[x].op;
        if (op == IR_MATMUL)
            plan_matmul(pl, x, x != e ? e : -1, &pl->sched[x]);
        else if (op == IR_CONV2D || op == IR_CONV2D_T || op == IR_CONV2D_WGRAD)
            plan_conv(pl, x, &pl->sched[x], &cols);
        if (pl->sched[x].scratch > pl->scratch_size)
            pl->scratch_size = pl->sched[x].scratch;
    }
}

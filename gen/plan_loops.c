/* plan_loops.c - the loop nest of every loop node (elementwise,
 * broadcast, sum_to): one flat loop when every operand has the domain's
 * layout, else a nest over the domain's axes with the axes that every
 * operand treats alike merged; a sum either added into its zeroed output
 * (when its innermost axis is an output: a bias gradient's columns
 * vectorize as they stand) or with its output axes outermost and a local
 * sum inside; which innermost axes are written out (at most `unroll`
 * iterations); which outer loops run on the trainer's threads.  See
 * plan.h. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "fatal.h"

/* every leaf of x's expression tree has exactly the domain's shape (or
 * its element count: a view of it) */
static int all_leaves_match(const gan_plan *pl, int x, int root, ir_shape dom)
{
    const ir_node *nd = &pl->p->g.n[x];
    if (nd->op == IR_CONST)
        return 1;
    if (ir_is_noise(nd->op))
        return ir_shape_eq(nd->shape, dom);
    if (x != root && pl->store[x] != ST_INLINE)
        return ir_shape_eq(nd->shape, dom) || ir_numel(nd->shape) == ir_numel(dom);
    for (int i = 0; i < nd->n_in; i++)
        if (!all_leaves_match(pl, nd->in[i], root, dom))
            return 0;
    return 1;
}

/* which axes of dom a tensor of shape s (right-aligned) is full along:
 * bit k for axis k */
static int full_axes(ir_shape s, ir_shape dom)
{
    int p = 0;
    for (int k = 0; k < dom.rank; k++) {
        int ks = k - (dom.rank - s.rank);
        if (ks >= 0 && s.d[ks] != 1)
            p |= 1 << k;
    }
    return p;
}

/* The broadcast pattern (full_axes) of every operand of loop node x and
 * of its output, appended to *pat (grown; *n counts). */
static void collect_patterns(const gan_plan *pl, int x, int root, ir_shape dom, int **pat,
                             int *n)
{
    const ir_node *nd = &pl->p->g.n[x];
    if (nd->op == IR_CONST)
        return;
    int inner = x == root || pl->store[x] == ST_INLINE;
    if (x == root || !inner || ir_is_noise(nd->op)) {
        *pat = gan_xrealloc(*pat, (size_t)*n + 1, sizeof **pat);
        (*pat)[(*n)++] = full_axes(nd->shape, dom);
    }
    if (inner && !ir_is_noise(nd->op))
        for (int i = 0; i < nd->n_in; i++)
            collect_patterns(pl, nd->in[i], root, dom, pat, n);
}

/* the merge of the domain's axes that suits every node of xs */
static gan_merge plan_merge(const gan_plan *pl, const int *xs, int n_xs, ir_shape dom)
{
    int *pat = NULL, n = 0;
    for (int i = 0; i < n_xs; i++)
        collect_patterns(pl, xs[i], xs[i], dom, &pat, &n);
    gan_merge mg = { 0, { 0 }, { 0 } };
    int rep = -1;   /* an axis of extent > 1 in the current group, or -1 */
    for (int k = 0; k < dom.rank; k++) {
        /* an axis of extent 1 joins any group; another joins the group
         * when every tensor is full along it and along the group's axes of
         * extent > 1, or broadcast along all of them (compared with such an
         * axis, not with the neighbour: through an extent-1 neighbour a
         * (C) bias once merged C with the width of a (B, C, 1, W) domain) */
        int merge = mg.n > 0;
        for (int i = 0; merge && i < n && dom.d[k] != 1 && rep >= 0; i++)
            merge = ((pat[i] >> rep) & 1) == ((pat[i] >> k) & 1);
        if (!merge)
            rep = -1;
        if (dom.d[k] != 1)
            rep = rep < 0 ? k : rep;
        if (merge) {
            mg.count[mg.n - 1]++;
        } else {
            mg.first[mg.n] = k;
            mg.count[mg.n++] = 1;
        }
    }
    free(pat);
    return mg;
}

ir_shape gan_merge_shape(ir_shape s, const gan_merge *mg, int dom_rank)
{
    if (mg->n == 0)
        return s;
    ir_shape r = { mg->n, { 1, 1, 1, 1 } };
    for (int j = 0; j < mg->n; j++)
        for (int k = mg->first[j]; k < mg->first[j] + mg->count[j]; k++) {
            int ks = k - (dom_rank - s.rank);
            r.d[j] *= ks >= 0 ? s.d[ks] : 1;
        }
    return r;
}

ir_shape gan_plan_loop_domain(const gan_plan *pl, int x)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[x];
    ir_shape dom = nd->op == IR_SUM_TO ? g->n[nd->in[0]].shape : nd->shape;
    const gan_sched *s = &pl->sched[x];
    if (s->loop == GAN_LOOP_FLAT || s->loop == GAN_LOOP_WRITTEN)
        return ir_shape1((int)ir_numel(dom));
    return gan_merge_shape(dom, &s->merge, dom.rank);
}

/* How many innermost axes of dom (looped in `order`, NULL: in turn) are
 * written out: those whose extents multiply to at most `unroll`, less
 * trailing extents of 1 (no loop at all). */
static int unrolled_axes(ir_shape dom, const int *order, int unroll)
{
    int ax[IR_MAX_RANK];
    for (int k = 0; k < dom.rank; k++)
        ax[k] = order ? order[k] : k;
    int u = 0;
    long prod = 1;
    while (u < dom.rank && prod * dom.d[ax[dom.rank - 1 - u]] <= unroll) {
        prod *= dom.d[ax[dom.rank - 1 - u]];
        u++;
    }
    while (u > 0 && dom.d[ax[dom.rank - u]] == 1)
        u--;
    return prod <= 1 ? 0 : u;
}

/* The nodes the loop nest of x computes: x alone, or the bodies and sums
 * of the group x leads (its tails run after the sums); into xs (room for
 * pl->n); returns the count and the first sum's index in *sum (-1: none). */
static int nest_members(const gan_plan *pl, int x, int *xs, int *sum)
{
    int n = 0;
    *sum = pl->p->g.n[x].op == IR_SUM_TO ? x : -1;
    if (pl->sched[x].group != x) {
        xs[n++] = x;
        return n;
    }
    for (int y = x; y < pl->n; y++) {
        const gan_sched *m = &pl->sched[y];
        if (m->group != x || m->role == GAN_ROLE_TAIL)
            continue;
        xs[n++] = y;
        if (m->role == GAN_ROLE_SUM && *sum < 0)
            *sum = y;
    }
    return n;
}

static void plan_loop(gan_plan *pl, int x, gan_sched *s, int *xs)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *nd = &g->n[x];
    int sum, plain = pl->o.plain, n = nest_members(pl, x, xs, &sum);
    ir_shape dom = nd->op == IR_SUM_TO ? g->n[nd->in[0]].shape : nd->shape;
    int flat = sum < 0;
    for (int i = 0; i < n && flat; i++)
        flat = all_leaves_match(pl, xs[i], xs[i], dom);
    if (flat) {
        long numel = ir_numel(dom);
        s->loop = numel > pl->o.unroll || plain ? GAN_LOOP_FLAT : GAN_LOOP_WRITTEN;
        s->parallel = s->loop == GAN_LOOP_FLAT && gan_plan_parallel_worth(pl, numel);
        return;
    }
    gan_merge mg = plan_merge(pl, xs, n, dom);
    if (mg.n < dom.rank && !plain)
        s->merge = mg;
    ir_shape md = gan_merge_shape(dom, &s->merge, dom.rank);
    s->loop = sum >= 0 ? GAN_LOOP_ACCUMULATE : GAN_LOOP_NEST;
    if (sum >= 0 && !plain) {
        /* output axes outermost unless the innermost is one */
        ir_shape out = gan_merge_shape(g->n[sum].shape, &s->merge, dom.rank);
        int n_out = 0;
        for (int pass = 0; pass < 2; pass++)
            for (int a = 0, k2 = 0; a < md.rank; a++) {
                int k = a - (md.rank - out.rank);
                int is_out = k >= 0 && out.d[k] == md.d[a] && md.d[a] > 1;
                if (is_out == !pass)
                    s->order[pass ? n_out + k2++ : n_out++] = a;
            }
        s->n_out = n_out;
        if (n_out > 0 && s->order[md.rank - 1] == md.rank - 1 && n_out < md.rank) {
            s->loop = GAN_LOOP_SUM_NEST;
            s->parallel = gan_plan_parallel_worth(pl, ir_numel(md));
            return;
        }
        /* added into the outputs: the tails run in a loop over them after */
        s->tail_parallel = gan_plan_parallel_worth(pl, ir_numel(g->n[sum].shape));
    }
    s->parallel = sum < 0 && md.d[0] >= 2 && gan_plan_parallel_worth(pl, ir_numel(md));
    s->unrolled = unrolled_axes(md, NULL, plain ? 0 : pl->o.unroll);
}

void gan_plan_loops(gan_plan *pl)
{
    const ir_graph *g = &pl->p->g;
    int *xs = gan_xcalloc((size_t)pl->n + 1, sizeof *xs);
    for (int x = 0; x < pl->n; x++) {
        ir_op op = g->n[x].op;
        int grouped = pl->sched[x].group >= 0;
        if (pl->store[x] == ST_MAT && pl->gemm[x] < 0 &&
            (ir_is_elementwise(op) || op == IR_SUM_TO) && (!grouped || pl->sched[x].group == x))
            plan_loop(pl, x, &pl->sched[x], xs);
    }
    free(xs);
}

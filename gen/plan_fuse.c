/* plan_fuse.c - loop nodes that run in one loop nest (see plan.h).
 *
 * Consecutive loop nodes of one layer function that iterate the same
 * domain D join one group, executed at its first member's place:
 *   body: an elementwise value of D's shape, computed at each element;
 *   sum:  a sum_to over D, added up in the same iterations (all sums of a
 *         group give one output shape S);
 *   tail: an elementwise value of S's element count, computed from the
 *         sums once they are complete (at each output of a sum nest, or in
 *         one loop over S after a nest that adds into its outputs).
 * A member reads another only where the other is ready: a body or sum
 * reads bodies at its own element, a tail reads sums and tails at its own
 * output.  A member that only the group reads is kept in a variable and
 * never stored (local).  Batch normalization's mean, variance and inverse
 * deviation, and the several sums of its gradient, so take two or three
 * loops instead of ten.
 *
 * Memory (plan_memory.c) treats a group as one step: every output is
 * allocated at its start and every input stays until its end.
 */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "fatal.h"

static int is_loop_node(const gan_plan *pl, int x)
{
    ir_op op = pl->p->g.n[x].op;
    return pl->store[x] == ST_MAT && pl->gemm[x] < 0 && (ir_is_elementwise(op) || op == IR_SUM_TO);
}

static int same_function(const ir_node *a, const ir_node *b)
{
    return a->net == b->net && a->pass == b->pass && !strcmp(a->layer, b->layer) &&
           !strcmp(a->app, b->app);
}

/* a and b hold the same elements in the same order: equal once leading
 * extents of 1 are dropped (a bias gradient [C, 1, 1] and a batch
 * statistic [1, C, 1, 1] share their outputs) */
static int same_layout(ir_shape a, ir_shape b)
{
    int ia = 0, ib = 0;
    while (ia < a.rank && a.d[ia] == 1)
        ia++;
    while (ib < b.rank && b.d[ib] == 1)
        ib++;
    if (a.rank - ia != b.rank - ib)
        return 0;
    for (; ia < a.rank; ia++, ib++)
        if (a.d[ia] != b.d[ib])
            return 0;
    return 1;
}

/* The group being formed. */
typedef struct {
    int leader, last;
    ir_shape dom;        /* D */
    int has_sum;
    ir_shape out;        /* S, once there is a sum */
} group;

/* Whether every leaf of x's expression tree (root excluded) that is a
 * member of g is one y may read: for a body or a sum, a body member read
 * at y's own element (the leaf has D's shape); for a tail, a sum or tail
 * read at the same output (the leaf has S's layout), and every other leaf
 * holds S's element count too (a tail is computed flat over S). */
static int leaves_ok(const gan_plan *pl, const group *g, int x, int root, int role)
{
    const ir_node *nd = &pl->p->g.n[x];
    if (nd->op == IR_CONST)
        return 1;
    int inner = x == root || pl->store[x] == ST_INLINE;
    if (inner && !ir_is_noise(nd->op)) {
        for (int i = 0; i < nd->n_in; i++)
            if (!leaves_ok(pl, g, nd->in[i], root, role))
                return 0;
        return 1;
    }
    int b = gan_plan_base(pl, x);
    const gan_sched *m = &pl->sched[b];
    int member = m->group == g->leader && b <= g->last;
    if (role == GAN_ROLE_TAIL)
        return (!member || m->role != GAN_ROLE_BODY) && ir_numel(nd->shape) == ir_numel(g->out);
    return !member || (m->role == GAN_ROLE_BODY && ir_shape_eq(nd->shape, g->dom));
}

/* The role node y would take in g, or -1 when it cannot join. */
static int role_in(const gan_plan *pl, const group *g, int y)
{
    const ir_graph *gr = &pl->p->g;
    const ir_node *nd = &gr->n[y];
    int role = -1;
    if (nd->op == IR_SUM_TO && ir_shape_eq(gr->n[nd->in[0]].shape, g->dom) &&
        (!g->has_sum || same_layout(nd->shape, g->out)))
        role = GAN_ROLE_SUM;
    else if (nd->op != IR_SUM_TO && ir_shape_eq(nd->shape, g->dom))
        role = GAN_ROLE_BODY;
    else if (nd->op != IR_SUM_TO && g->has_sum && ir_numel(nd->shape) == ir_numel(g->out))
        role = GAN_ROLE_TAIL;
    return role >= 0 && leaves_ok(pl, g, y, y, role) ? role : -1;
}

static void start(gan_plan *pl, group *g, int x)
{
    const ir_graph *gr = &pl->p->g;
    const ir_node *nd = &gr->n[x];
    g->leader = g->last = x;
    g->has_sum = nd->op == IR_SUM_TO;
    g->dom = g->has_sum ? gr->n[nd->in[0]].shape : nd->shape;
    g->out = nd->shape;
    pl->sched[x].group = x;
    pl->sched[x].role = g->has_sum ? GAN_ROLE_SUM : GAN_ROLE_BODY;
}

/* Members that only their group reads (and nothing outside the plan
 * reads) are kept in variables: the sums of a nest with its outputs
 * outermost included, but not those added into memory. */
static void find_locals(gan_plan *pl)
{
    int *reads = gan_xcalloc(2 * (size_t)pl->n + 1, sizeof *reads);
    char *outside = gan_xcalloc((size_t)pl->n, 1);   /* read outside its group */
    for (int x = 0; x < pl->n; x++) {
        if (pl->store[x] != ST_MAT)
            continue;
        int nr = gan_plan_reads(pl, x, reads, pl->n);
        if (pl->gemm[x] >= 0)
            nr += gan_plan_reads(pl, pl->gemm[x], reads + nr, pl->n);
        for (int i = 0; i < nr; i++) {
            int r = reads[i];
            if (pl->sched[r].group < 0 || pl->sched[r].group != pl->sched[x].group)
                outside[r] = 1;
        }
    }
    for (int x = 0; x < pl->n; x++) {
        gan_sched *s = &pl->sched[x];
        if (s->group < 0 || pl->store[x] != ST_MAT || pl->dest[x] != DEST_WS || outside[x] ||
            gan_plan_is_result(pl, x))
            continue;
        /* a sum added into memory (its innermost axis an output) is stored */
        s->local = s->role != GAN_ROLE_SUM || pl->sched[s->group].loop == GAN_LOOP_SUM_NEST;
    }
    free(outside);
    free(reads);
}

void gan_plan_fuse(gan_plan *pl)
{
    for (int x = 0; x < pl->n; x++)
        pl->sched[x].group = -1;
    if (pl->o.plain)
        return;   /* the reference: a loop per node */
    const ir_graph *gr = &pl->p->g;
    group g = { -1, -1, { 0, { 0 } }, 0, { 0, { 0 } } };
    for (int y = 0; y < pl->n; y++) {
        if (pl->store[y] != ST_MAT)
            continue;
        int role = -1;
        if (is_loop_node(pl, y) && g.leader >= 0 && same_function(&gr->n[g.leader], &gr->n[y]))
            role = role_in(pl, &g, y);
        if (role >= 0) {
            pl->sched[y].group = g.leader;
            pl->sched[y].role = role;
            g.last = y;
            if (role == GAN_ROLE_SUM && !g.has_sum) {
                g.has_sum = 1;
                g.out = gr->n[y].shape;
            }
            continue;
        }
        /* a new group: a loop node over more elements than a loop writes out */
        g.leader = -1;
        if (is_loop_node(pl, y)) {
            ir_shape d = gr->n[y].op == IR_SUM_TO ? gr->n[gr->n[y].in[0]].shape : gr->n[y].shape;
            if (ir_numel(d) > pl->o.unroll)
                start(pl, &g, y);
        }
    }
    /* a group of one is no group */
    for (int x = 0; x < pl->n; x++) {
        gan_sched *s = &pl->sched[x];
        if (s->group != x)
            continue;
        int n = 0;
        for (int y = x; y < pl->n; y++)
            n += pl->sched[y].group == x;
        if (n == 1)
            s->group = -1;
        else
            s->n_members = n;
    }
}

void gan_plan_locals(gan_plan *pl)
{
    if (!pl->o.plain)
        find_locals(pl);
}

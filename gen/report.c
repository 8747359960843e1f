/* report.c - see report.h.  For each step function of the trainer and the
 * sampler: its workspace and scratch, then every live node with where its
 * value lives and, for the nodes that execute, how (plan_report.c). */
#include "report.h"

static const char *const pass_names[] = { "forward", "backward", "loss" };

/* where node x's value lives */
static void storage(gan_buf *o, const gan_plan *pl, int x)
{
    static const char *const dests[] = { "workspace", "gradient", "output", "state", "saved" };
    switch (pl->store[x]) {
    case ST_EXT: gan_buf_put(o, "argument or model tensor"); break;
    case ST_INLINE: gan_buf_put(o, "inlined into its consumer's loop"); break;
    case ST_VIEW: gan_buf_printf(o, "a view of node %d", gan_plan_base(pl, x)); break;
    case ST_FUSED: gan_buf_put(o, "computed by its epilogue's node"); break;
    default:
        gan_buf_put(o, dests[pl->dest[x]]);
        if (pl->dest[x] == DEST_WS)
            gan_buf_printf(o, " at float %ld", pl->off[x]);
        else if (pl->dest[x] != DEST_OUT)
            gan_buf_printf(o, " %d", pl->tensor[x]);
        break;
    }
}

static void report_step(gan_buf *o, const gan_step *st)
{
    const gan_plan *pl = &st->plan;
    const ir_graph *g = &st->prog.g;
    gan_buf_printf(o, "\n  %s (batch %d): workspace %ld floats, scratch %ld floats\n",
                   st->prog.name, st->model.train.batch, pl->ws_size, pl->scratch_size);
    for (int x = 0; x < pl->n; x++) {
        if (pl->store[x] == ST_DEAD)
            continue;
        const ir_node *nd = &g->n[x];
        char shape[64];
        ir_shape_str(nd->shape, shape, sizeof shape);
        const char *net = nd->net == 0 ? "G" : nd->net == 1 ? "D" : "-";
        gan_buf_printf(o, "    %5d %-12s %-14s %s %s %s (%s): ", x, ir_op_name(nd->op), shape,
                       net, nd->layer, pass_names[nd->pass], nd->app);
        storage(o, pl, x);
        if (pl->store[x] == ST_MAT) {
            gan_buf_put(o, "; ");
            gan_plan_describe(o, pl, x, 1);
        }
        gan_buf_put(o, "\n");
    }
}

void gan_report_plans(gan_buf *o, const gan_compiled *c)
{
    const gan_unit *units[3] = { &c->trainer, &c->sampler, &c->scorer };
    static const char *const what[3] = { "trainer", "sampler", "scorer" };
    for (int k = 0; k < 3; k++) {
        const gan_unit *u = units[k];
        if (!u->n)
            continue;
        gan_buf_printf(o, "\nplan of the %s (%s emission, unroll limit %d%s)\n", what[k], u->opts.plain ? "plain" : "optimized",
                       u->opts.unroll, u->opts.own_gemm ? ", rt_sgemm only" : "");
        for (int i = 0; i < u->n; i++)
            report_step(o, &u->step[i]);
    }
}

/* plan_report.c - a plan's decisions as text: one line per executing node
 * for `ganc check --plan` and the generated code's comments.  See plan.h. */
#include "plan.h"

const char *gan_engine_name(int engine)
{
    switch (engine) {
    case GAN_OPENBLAS: return "OpenBLAS sgemm";
    case GAN_OWN_GEMM: return "ganc sgemm";
    case GAN_IMPLICIT: return "ganc implicit GEMM (columns gathered from the image)";
    default: return "generated loops";
    }
}

static void describe_loop(gan_buf *o, const gan_plan *pl, int x, const gan_sched *s)
{
    if (s->group == x) {
        int tails = 0, locals = 0;
        for (int y = x; y < pl->n; y++)
            if (pl->sched[y].group == x) {
                tails += pl->sched[y].role == GAN_ROLE_TAIL;
                locals += pl->sched[y].local;
            }
        gan_buf_printf(o, "%d values in one loop nest", s->n_members);
        if (tails)
            gan_buf_printf(o, " (%d after the sums)", tails);
        if (locals)
            gan_buf_printf(o, ", %d of them in variables", locals);
        gan_buf_put(o, ": ");
    }
    ir_shape dom = gan_plan_loop_domain(pl, x);
    char d[64];
    ir_shape_str(dom, d, sizeof d);
    switch (s->loop) {
    case GAN_LOOP_FLAT: gan_buf_printf(o, "one loop over %s elements", d); break;
    case GAN_LOOP_WRITTEN: gan_buf_printf(o, "%s elements written out", d); break;
    case GAN_LOOP_NEST: gan_buf_printf(o, "loop nest over %s", d); break;
    case GAN_LOOP_ACCUMULATE:
        gan_buf_printf(o, "sum over %s: output zeroed, then added to", d);
        break;
    default:
        gan_buf_printf(o, "sum over %s: %d output ax%s outermost, a local sum inside", d,
                       s->n_out, s->n_out == 1 ? "is" : "es");
        break;
    }
    if (s->merge.n)
        gan_buf_put(o, " (axes merged)");
    if (s->unrolled)
        gan_buf_printf(o, ", innermost %d ax%s written out", s->unrolled,
                       s->unrolled == 1 ? "is" : "es");
}

static void describe_product(gan_buf *o, const gan_plan *pl, int x, const gan_sched *s)
{
    ir_op op = pl->p->g.n[x].op;
    if (op == IR_MATMUL) {
        gan_buf_put(o, gan_engine_name(s->engine));
        if (s->unroll_k)
            gan_buf_put(o, ", contraction written out");
        if (s->unroll_n)
            gan_buf_put(o, ", columns written out");
    } else if (!s->engine) {
        gan_buf_printf(o, "direct %s", op == IR_CONV2D ? "convolution" : op == IR_CONV2D_T
                                                          ? "transposed convolution"
                                                          : "weight gradient");
        if (s->taps_unrolled)
            gan_buf_put(o, ", taps written out");
    } else {
        if (op != IR_CONV2D_T && s->engine != GAN_IMPLICIT)
            gan_buf_put(o, s->cols_reused ? "im2col columns reused + " : "im2col + ");
        gan_buf_put(o, gan_engine_name(s->engine));
        if (s->col2im == GAN_COL2IM_PHASES)
            gan_buf_printf(o, " + col2im by phase planes (%d x %d, %d sample%s per entry)",
                           s->phases.rows, s->phases.cols, s->phases.bb,
                           s->phases.bb == 1 ? "" : "s");
        else if (s->col2im == GAN_COL2IM_PLANES)
            gan_buf_put(o, " + col2im a plane at a time");
        gan_buf_printf(o, ", %ld floats of scratch", s->scratch);
    }
    if (s->pack_once)
        gan_buf_put(o, ", weight packed once");
}

void gan_plan_describe(gan_buf *o, const gan_plan *pl, int x, int est)
{
    const ir_graph *g = &pl->p->g;
    int mm = gan_plan_product(pl, x);
    ir_op op = g->n[mm].op;
    if (op == IR_MATMUL || op == IR_CONV2D || op == IR_CONV2D_T || op == IR_CONV2D_WGRAD) {
        describe_product(o, pl, mm, &pl->sched[mm]);
        if (mm != x)
            gan_buf_printf(o, ", epilogue fused%s", pl->sched[mm].parallel ? " (threads)" : "");
        if (est && pl->est && pl->est[mm][GAN_LOOPS] > 0) {
            static const char *const what[GAN_N_ENGINES] = { "loops", "OpenBLAS", "ganc",
                                                             "implicit" };
            gan_buf_put(o, "; cost model:");
            for (int e = 0; e < GAN_N_ENGINES; e++)
                if (pl->est[mm][e] >= 0)
                    gan_buf_printf(o, " %s %.0f", what[e], pl->est[mm][e]);
            gan_buf_put(o, " us");
        }
    } else if (ir_is_elementwise(op) || op == IR_SUM_TO) {
        describe_loop(o, pl, x, &pl->sched[x]);
    } else if (op == IR_ARGMAX_PICK || op == IR_ARGMAX_PLACE) {
        gan_buf_put(o, "one loop over the groups");
    } else {
        gan_buf_put(o, "copy loops");
    }
    if (pl->sched[x].parallel && mm == x)
        gan_buf_put(o, " (threads)");
}

/* plan.h - every decision about how a program becomes C, made before any
 * text is written and recorded here, so that the emitters (emit.h) only
 * print: which nodes get a buffer, which are inlined into the loop that
 * consumes them, which matrix products take their consumer as an
 * epilogue, which engine computes each product, how each loop nest is
 * shaped (axes merged, order, what is unrolled, what runs on several
 * threads), how each convolution is formulated, and where each buffer
 * lives.
 *
 * The planner reads the cost model (cost.h) but never measures: the
 * driver (driver.h) measures a program's products before planning it.
 *
 *   plan_build.c    the stages below, in order
 *   plan.c          storage and epilogue fusion; the products to measure
 *   plan_kernels.c  the engine of each product and convolution
 *   plan_fuse.c     loop nodes fused into one loop nest, and their variables
 *   plan_loops.c    the loop nests of every executing node
 *   plan_memory.c   workspace offsets over the execution order
 *   plan_report.c   the decisions as text (`ganc check --plan`, banners)
 */
#ifndef GAN_PLAN_H
#define GAN_PLAN_H

#include "conv_geom.h"
#include "cost.h"
#include "buf.h"
#include "program.h"

enum gan_store {
    ST_DEAD = 0,   /* not needed by any output */
    ST_EXT,        /* an argument or a model tensor */
    ST_INLINE,     /* computed inside its consumer's loop */
    ST_VIEW,       /* a reshape: the buffer of its input */
    ST_MAT,        /* its own buffer (workspace or an output) */
    ST_FUSED       /* a matmul computed as part of its consumer */
};

enum gan_dest { DEST_WS, DEST_GRAD, DEST_OUT, DEST_STATE, DEST_SAVED };

typedef struct {
    int plain;          /* rolled, unfused, no BLAS: the reference emission */
    int blas;           /* large products call a GEMM routine */
    int unroll;         /* loops of at most this many iterations are unrolled */
    int own_gemm;       /* only the runtime's rt_sgemm (the sampler: no OpenBLAS) */
    const gan_cost *cost;   /* the calibrated cost model, or NULL: size rules */
} gan_codegen_opts;

/* How a loop node (elementwise, broadcast, sum_to) is iterated. */
enum gan_loop_form {
    GAN_LOOP_FLAT,        /* one loop over every element: all operands alike */
    GAN_LOOP_WRITTEN,     /* as FLAT, every element written out */
    GAN_LOOP_NEST,        /* a loop per (merged) axis of the domain */
    GAN_LOOP_ACCUMULATE,  /* sum_to: output zeroed, then += over the domain */
    GAN_LOOP_SUM_NEST     /* sum_to: output axes outermost, a local sum inside */
};

/* Adjacent loop axes that every operand treats alike (all broadcast, or
 * all full) merge into one: merged axis j is original axes first[j] ..
 * first[j] + count[j] - 1 of the domain. */
typedef struct {
    int n;
    int first[IR_MAX_RANK], count[IR_MAX_RANK];
} gan_merge;

/* what a member of a fused loop group computes (plan_fuse.c) */
enum gan_role { GAN_ROLE_BODY, GAN_ROLE_SUM, GAN_ROLE_TAIL };

/* col2im of a transposed convolution's GEMM form */
enum gan_col2im { GAN_COL2IM_NONE, GAN_COL2IM_PLANES, GAN_COL2IM_PHASES };

/* Every choice about one executing node (ST_MAT; a fused product's choices
 * sit on its own node). */
typedef struct {
    /* a loop group (plan_fuse.c): loop nodes computed in one loop nest */
    int group;            /* the group's first node (its leader), -1 when alone */
    int role;             /* enum gan_role */
    int local;            /* only its group reads it: a variable, no buffer */
    int n_members;        /* the leader: how many nodes the group has */
    int tail_parallel;    /* the leader of an ACCUMULATE group: its tails' loop
                             over the sums' outputs is split among threads */
    int parallel;         /* the outermost loop is split among the trainer's threads */
    /* loop nodes */
    int loop;             /* enum gan_loop_form */
    gan_merge merge;      /* NEST, ACCUMULATE, SUM_NEST: the axes looped over */
    int order[IR_MAX_RANK];   /* SUM_NEST: merged axes, outermost first */
    int n_out;            /* SUM_NEST: how many of them are output axes */
    int unrolled;         /* NEST, ACCUMULATE: innermost axes written out */
    /* products and convolutions */
    int engine;           /* enum gan_engine */
    int pack_once;        /* the sampler packs its constant weight on the first call */
    int unroll_k;         /* product loops: the contraction written out */
    int unroll_n;         /* product loops (axpy form): the columns written out */
    int taps_unrolled;    /* direct convolution: the kernel taps written out */
    int col2im;           /* enum gan_col2im */
    gan_phase_planes phases;   /* col2im by phase planes */
    int cols_reused;      /* its im2col columns are still in scratch from an
                             earlier product (nothing wrote scratch since) */
    long scratch;         /* floats of scratch it uses */
} gan_sched;

typedef struct {
    const gan_program *p;
    const gan_model *m;
    gan_codegen_opts o;
    int n;
    int *store;         /* enum gan_store */
    int *uses;          /* live consumers */
    int *gemm;          /* for an epilogue node: the fused product, else -1 */
    int *dest;          /* enum gan_dest for ST_MAT */
    int *tensor;        /* DEST_GRAD, DEST_STATE: the model tensor; DEST_SAVED: the slot */
    long *off;          /* DEST_WS: offset in floats */
    gan_sched *sched;   /* per node */
    double (*est)[GAN_N_ENGINES];   /* with a cost model: predicted microseconds
                           by engine (with im2col/col2im), < 0 where not a
                           candidate; else NULL */
    long ws_size;       /* floats of workspace */
    long scratch_size;  /* floats of convolution scratch */
} gan_plan;

/* The products (matrix products and convolutions' GEMM forms) the plan of
 * program p may compute, each { ta, tb, M, N, K }: what the driver
 * measures before planning.  Appends to *want (grown with realloc; *n
 * counts them). */
void gan_plan_products(const gan_program *p, long (**want)[5], int *n);

void gan_plan_build(gan_plan *pl, const gan_program *p, const gan_model *m, gan_codegen_opts o);
void gan_plan_free(gan_plan *pl);

/* the node whose buffer `x` reads (follows views) */
int gan_plan_base(const gan_plan *pl, int x);
/* nodes read by executing node x (bases, distinct), into out, which has
 * room for at most `max`; returns the count (more than max: an internal
 * error, said and aborted) */
int gan_plan_reads(const gan_plan *pl, int x, int *out, int max);

/* the node executing node x's work is emitted with: its fused product, or x */
int gan_plan_product(const gan_plan *pl, int x);
/* Whether x is a value the step returns (its loss) or reports (each term
 * of a loss of several, for the log): kept to the step's end and never
 * folded into the loop that reads it. */
int gan_plan_is_result(const gan_plan *pl, int x);
/* Whether the step reports its terms one by one (a loss of several) */
int gan_program_reports_terms(const gan_program *p);

/* The engine's name (for reports and comments). */
const char *gan_engine_name(int engine);
/* What the plan decided for executing node x, one line ("im2col + OpenBLAS
 * sgemm, epilogue fused; ..."), appended to o; est: add the cost model's
 * predictions. */
void gan_plan_describe(gan_buf *o, const gan_plan *pl, int x, int est);

/* The domain loop node x iterates, as planned: flat, merged or as it is. */
ir_shape gan_plan_loop_domain(const gan_plan *pl, int x);
/* shape s (right-aligned in a domain of rank dom_rank) over merged axes
 * (mg->n == 0: unmerged, s itself) */
ir_shape gan_merge_shape(ir_shape s, const gan_merge *mg, int dom_rank);

/* internal: the planner's stages, in the order plan_build.c calls them */
void gan_plan_storage(gan_plan *pl, const gan_program *p, const gan_model *m,
                      gan_codegen_opts o);
void gan_plan_kernels(gan_plan *pl);
void gan_plan_fuse(gan_plan *pl);
void gan_plan_loops(gan_plan *pl);
void gan_plan_locals(gan_plan *pl);
void gan_plan_memory(gan_plan *pl);
/* whether a loop over n elements is worth splitting among threads */
int gan_plan_parallel_worth(const gan_plan *pl, long n);

#endif

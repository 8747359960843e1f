/* plan.h - every decision about how a program becomes C, made before any
 * text is written: which nodes get a buffer, which are inlined into the
 * loop that consumes them, which matrix products take their consumer as an
 * epilogue, which use OpenBLAS, and where each buffer lives. */
#ifndef GAN_PLAN_H
#define GAN_PLAN_H

#include "cost.h"
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
    gan_cost *cost;     /* the calibrated cost model, or NULL: size rules; it
                           measures the products it has not met (cost.h) */
} gan_codegen_opts;

typedef struct {
    const gan_program *p;
    const gan_model *m;
    gan_codegen_opts o;
    int n;
    int *store;         /* enum gan_store */
    int *uses;          /* live consumers */
    int *gemm;          /* for an epilogue node: the fused matmul, else -1 */
    int *dest;          /* enum gan_dest for ST_MAT */
    int *tensor;        /* DEST_GRAD, DEST_STATE: the model tensor; DEST_SAVED: the slot */
    long *off;          /* DEST_WS: offset in floats */
    char *use_blas;     /* enum gan_engine: generated loops, OpenBLAS, rt_sgemm
                           or (convolutions) implicit GEMM */
    double (*est)[GAN_N_ENGINES];   /* with a cost model: predicted microseconds
                           by engine (with im2col/col2im), < 0 where not a
                           candidate; else NULL */
    long ws_size;       /* floats */
} gan_plan;

void gan_plan_build(gan_plan *pl, const gan_program *p, const gan_model *m, gan_codegen_opts o);
void gan_plan_free(gan_plan *pl);

/* the node whose buffer `x` reads (follows views) */
int gan_plan_base(const gan_plan *pl, int x);
/* nodes read by executing node x (bases, distinct), into out; returns count */
int gan_plan_reads(const gan_plan *pl, int x, int *out, int max);

#endif

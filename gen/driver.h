/* driver.h - from a validated model to the plans of its two generated
 * files: the one path that `ganc check` and `ganc build` share.
 *
 * The stages run one way, each taking the previous one's result:
 *   lower  the model's networks into the programs of each file (program.h);
 *   measure the matrix products the cost model has no figure for (the only
 *          measuring ganc does, and only here: cost.h);
 *   plan   every program (plan.h: storage, fusion, kernels, loops, memory).
 * Emission (emit.h) then only prints the plans, and build.c compiles what
 * it printed.
 */
#ifndef GAN_DRIVER_H
#define GAN_DRIVER_H

#include "plan.h"

/* One step function of a generated file: its program and plan, for the
 * model at the batch it is compiled for. */
typedef struct {
    gan_model model;     /* the model with this step's batch (a shallow copy) */
    gan_program prog;
    gan_plan plan;
} gan_step;

/* One generated file: the trainer's programs (program.h: for each update
 * its forward program if it has one, then its step; generate last), the
 * sampler's generate (batch 1) and generate_many, or the scorer's score
 * (batch 1). */
enum { GAN_UNIT_TRAINER = 0, GAN_UNIT_SAMPLER = 1, GAN_UNIT_SCORER = 2 };

typedef struct {
    int sampler;         /* GAN_UNIT_*: the scorer is built like the sampler */
    gan_codegen_opts opts;
    int n;
    gan_step *step;      /* owned, n of them; they do not move once planned */
    long ws;             /* floats of workspace: the largest step's */
    long scratch;        /* floats of convolution scratch: the largest node's */
    int many;            /* the sampler's generate_many batch, 0 when it has none */
} gan_unit;

typedef struct {
    const gan_model *m;
    gan_unit trainer, sampler;
    gan_unit scorer;     /* n 0 when the model has no score */
} gan_compiled;

/* Lowers, measures and plans both files of m into c, which must not move
 * afterwards (plans point into it).  o is the trainer's options; the
 * sampler's follow from them (its products go to rt_sgemm: it links no
 * BLAS).  cost: the cost model the plans consult, to which the products
 * it has no figure for are added, measured (NULL: size rules). */
void gan_compile(gan_compiled *c, const gan_model *m, gan_codegen_opts o, gan_cost *cost);
void gan_compiled_free(gan_compiled *c);

#endif

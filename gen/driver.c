/* driver.c - see driver.h. */
#include "driver.h"

#include <stdlib.h>
#include <string.h>

#include "fatal.h"

/* The batch of the sampler's generate_many: the training batch, at most 16
 * (beyond that the product gains little and the workspace keeps growing);
 * 0 when there is none (a training batch of 1). */
static int sampler_many_batch(const gan_model *m)
{
    if (m->train.batch < 2)
        return 0;
    return m->train.batch < 16 ? m->train.batch : 16;
}

/* Adds a step of program `which` at `batch` (0: the model's) to u, lowered
 * but not planned; `rename` names its function when not NULL. */
static void add_step(gan_unit *u, const gan_model *m, int which, int batch, const char *rename)
{
    if (u->n == GAN_MAX_STEPS)
        gan_internal("driver.c", "more than %d steps in one generated file", GAN_MAX_STEPS);
    gan_step *s = &u->step[u->n++];
    s->model = *m;
    if (batch)
        s->model.train.batch = batch;
    gan_program_build(&s->prog, &s->model, which);
    if (rename)
        s->prog.name = rename;
}

/* Asks the cost model to measure every product of the units' programs
 * that it has no figure for (those whose plans consult it), in one run of
 * its probe. */
static void measure(gan_cost *cost, gan_unit *const *units, int n_units)
{
    long (*want)[5] = NULL;
    int n = 0;
    for (int k = 0; k < n_units; k++) {
        const gan_unit *u = units[k];
        if (u->opts.blas && !u->opts.plain)
            for (int i = 0; i < u->n; i++)
                gan_plan_products(&u->step[i].prog, &want, &n);
    }
    if (cost && n)
        gan_cost_measure(cost, (const long(*)[5])want, n);
    free(want);
}

static void plan_unit(gan_unit *u)
{
    for (int i = 0; i < u->n; i++) {
        gan_step *s = &u->step[i];
        gan_plan_build(&s->plan, &s->prog, &s->model, u->opts);
        if (s->plan.ws_size > u->ws)
            u->ws = s->plan.ws_size;
        if (s->plan.scratch_size > u->scratch)
            u->scratch = s->plan.scratch_size;
    }
}

void gan_compile(gan_compiled *c, const gan_model *m, gan_codegen_opts o, gan_cost *cost)
{
    memset(c, 0, sizeof *c);
    c->m = m;
    o.cost = cost;
    gan_unit *tr = &c->trainer, *sa = &c->sampler;
    tr->opts = o;
    static const int trainer_steps[] = { GAN_PROG_G_FORWARD, GAN_PROG_D_STEP, GAN_PROG_G_STEP,
                                         GAN_PROG_GENERATE };
    for (int i = 0; i < 4; i++)
        add_step(tr, m, trainer_steps[i], 0, NULL);
    /* The sampler's generator runs one sample at a time: inference-mode
     * batchnorm couples no samples, a single sample is then as fast as it
     * can be, and n samples cost n times one, without padding to a batch.
     * For many samples it also gets the generator at a larger batch,
     * generate_many: one matrix product over the dense weights per chunk
     * instead of one matrix-vector product per sample.  It links libc and
     * libm only: its products go to the runtime's own GEMM (rt_gemm.h). */
    sa->sampler = 1;
    sa->opts = o;
    if (!o.plain) {
        sa->opts.blas = 1;
        sa->opts.own_gemm = 1;
    }
    add_step(sa, m, GAN_PROG_GENERATE, 1, NULL);
    sa->many = sampler_many_batch(m);
    if (sa->many > 1)
        add_step(sa, m, GAN_PROG_GENERATE, sa->many, "generate_many");
    gan_unit *units[2] = { tr, sa };
    measure(cost, units, 2);
    plan_unit(tr);
    plan_unit(sa);
}

void gan_compiled_free(gan_compiled *c)
{
    gan_unit *units[2] = { &c->trainer, &c->sampler };
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < units[k]->n; i++) {
            gan_plan_free(&units[k]->step[i].plan);
            gan_program_free(&units[k]->step[i].prog);
        }
    memset(c, 0, sizeof *c);
}

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

/* A new step of u at `batch` (0: the model's), its program to be built. */
static gan_step *add_step(gan_unit *u, const gan_model *m, int batch)
{
    u->step = gan_xrealloc(u->step, (size_t)u->n + 1, sizeof *u->step);
    gan_step *s = &u->step[u->n++];
    memset(s, 0, sizeof *s);
    s->model = *m;
    if (batch)
        s->model.train.batch = batch;
    return s;
}

/* The trainer's programs: for each update, the forward program of the
 * next update when it has one (called in this update's repetitions), then
 * its step; the saved slots numbered across the file. */
static void trainer_programs(gan_unit *u, const gan_model *m)
{
    int *fwd_base = gan_xcalloc((size_t)m->n_updates + 1, sizeof *fwd_base), base = 0;
    for (int k = 0; k < m->n_updates; k++) {
        if (k + 1 < m->n_updates && gan_update_has_forward(m, k + 1)) {
            gan_step *f = add_step(u, m, 0);
            gan_program_forward(&f->prog, &f->model, k + 1, base);
            fwd_base[k + 1] = base;
            base += f->prog.n_saved;
        }
        gan_step *s = add_step(u, m, 0);
        gan_program_step(&s->prog, &s->model, k, fwd_base[k + 1], fwd_base[k]);
    }
    gan_step *g = add_step(u, m, 0);
    gan_program_generate(&g->prog, &g->model);
    free(fwd_base);
}

/* The sampler's programs of its k-th network (model.h: sample_nets): at
 * batch 1 and, when it has one, at the batch of generate_many; the first
 * network's are generate and generate_many, another's generate_one_NAME
 * and generate_many_NAME (--network NAME). */
static void sampler_programs(gan_unit *sa, const gan_model *m, int k)
{
    int net = gan_sample_net(m, k);
    gan_step *one = add_step(sa, m, 1);
    one->model.gen_net = net;
    gan_program_generate(&one->prog, &one->model);
    if (k > 0)
        one->prog.name = ir_strf(&one->prog.g, "generate_one_%s", m->net[net].name);
    if (sa->many > 1) {
        gan_step *many = add_step(sa, m, sa->many);
        many->model.gen_net = net;
        gan_program_generate(&many->prog, &many->model);
        many->prog.name = k > 0 ? ir_strf(&many->prog.g, "generate_many_%s", m->net[net].name)
                                : "generate_many";
    }
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
    trainer_programs(tr, m);
    /* The sampler's generator runs one sample at a time: inference-mode
     * batchnorm couples no samples, a single sample is then as fast as it
     * can be, and n samples cost n times one, without padding to a batch.
     * For many samples it also gets the generator at a larger batch,
     * generate_many: one matrix product over the dense weights per chunk
     * instead of one matrix-vector product per sample.  It links libc and
     * libm only: its products go to the runtime's own GEMM (rt_gemm.h). */
    sa->sampler = GAN_UNIT_SAMPLER;
    sa->opts = o;
    if (!o.plain) {
        sa->opts.blas = 1;
        sa->opts.own_gemm = 1;
    }
    sa->many = sampler_many_batch(m);
    for (int k = 0; k < gan_sample_net_count(m); k++)
        sampler_programs(sa, m, k);
    /* The scorer is built as the sampler is (one sample at a time, libc
     * and libm): the score's networks in inference mode. */
    gan_unit *sc = &c->scorer;
    sc->sampler = GAN_UNIT_SCORER;
    sc->opts = sa->opts;
    if (m->score) {
        gan_step *s = add_step(sc, m, 1);
        gan_program_score(&s->prog, &s->model);
    }
    gan_unit *units[3] = { tr, sa, sc };
    measure(cost, units, 3);
    plan_unit(tr);
    plan_unit(sa);
    plan_unit(sc);
}

void gan_compiled_free(gan_compiled *c)
{
    gan_unit *units[3] = { &c->trainer, &c->sampler, &c->scorer };
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < units[k]->n; i++) {
            gan_plan_free(&units[k]->step[i].plan);
            gan_program_free(&units[k]->step[i].prog);
        }
        free(units[k]->step);
    }
    memset(c, 0, sizeof *c);
}

/* bench/steptime.c - times one training iteration of a generated trainer.
 *
 *   steptime [--iters N] [--warmup W] [--threads T] [--seed S]
 *
 * Linked with one generated train.c compiled with -DGANC_NO_MAIN (it exports
 * ganc_model(), runtime/rt_model.h).  It initialises every tensor from its
 * init spec as the trainer does, fills a pool of four random batches of
 * each data variable (uniform in [-1, 1]: the values do not change the
 * work), and then times what the trainer's loop does per iteration with
 * every update run once (runtime/train/rt_iteration.c); for the classic
 * model that is PyTorch's DCGAN loop too:
 *
 *   z ~ the latent prior            (drawn every iteration, as torch does)
 *   update d: G forward once in training mode, D loss on real and fake,
 *             Adam on D
 *   update g: G loss through D, Adam on G
 * Data batches are copied into the variables from the pool (a memcpy per
 * iteration, nothing next to a step).
 *
 * W iterations run untimed first (page faults, OpenBLAS's buffers and
 * thread start), then N timed ones.  It prints one JSON line: the mean
 * seconds per timed iteration, the last losses, the OpenBLAS core in use,
 * and the tensor table (names and shapes) so that bench/bench.py can check
 * that the PyTorch model has exactly the same tensors.
 *
 * Leaves out: data loading, logging, checkpoints (not part of the step).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rt_rng.h"
#include "model/rt_model.h"
#include "model/rt_weights.h"
#include "train/rt_optim.h"

const rt_model *ganc_model(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);

enum { POOL = 4 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static long arg_long(int argc, char **argv, const char *flag, long def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], flag) == 0)
            return strtol(argv[i + 1], NULL, 10);
    return def;
}

/* Every variable but the data: latents from the prior, classes uniform. */
static void draw(const rt_model *m, rt_rng *rng)
{
    for (int v = 0; v < m->n_vars; v++) {
        const rt_var *x = &m->vars[v];
        size_t n = (size_t)m->batch * x->size;
        if (x->kind == RT_VAR_LATENT && x->dist == RT_LATENT_UNIFORM)
            rt_rng_fill_uniform(rng, x->buf, n, -1.0f, 1.0f);
        else if (x->kind == RT_VAR_LATENT)
            rt_rng_fill_normal(rng, x->buf, n, 0.0f, 1.0f);
        else if (x->kind == RT_VAR_CLASS || x->kind == RT_VAR_LABEL)
            for (size_t i = 0; i < n; i++)
                x->buf[i] = (float)rt_rng_below(rng, (uint64_t)x->classes);
    }
}

static void print_tensors(const rt_model *m)
{
    printf("\"tensors\": {");
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        printf("%s\"%s\": [", i ? ", " : "", t->name);
        for (int d = 0; d < t->ndim; d++)
            printf("%s%d", d ? ", " : "", t->shape[d]);
        printf("]");
    }
    printf("}");
}

int main(int argc, char **argv)
{
    long iters = arg_long(argc, argv, "--iters", 10);
    long warmup = arg_long(argc, argv, "--warmup", 2);
    int threads = (int)arg_long(argc, argv, "--threads", 1);
    uint64_t seed = (uint64_t)arg_long(argc, argv, "--seed", 1);
    if (iters < 1 || warmup < 0 || threads < 1) {
        fprintf(stderr, "usage: %s [--iters N>=1] [--warmup W>=0] [--threads T>=1] [--seed S]\n",
                argv[0]);
        return 2;
    }
    const rt_model *m = ganc_model();
    if (m->set_threads)
        m->set_threads(threads);

    rt_rng rng;
    rt_rng_seed(&rng, seed);
    rt_store store = { m->nets, m->n_nets };
    rt_tensors_init(&store, m->tensors, m->n_tensors, &rng);
    rt_optim *opt = calloc((size_t)m->n_nets, sizeof *opt);
    for (int net = 0; net < m->n_nets; net++)
        for (int u = 0; u < m->n_updates; u++)
            for (int k = 0; k < m->updates[u].n_nets; k++)
                if (m->updates[u].nets[k] == net)
                    rt_optim_init(&opt[net], &m->updates[u].optim, m->nets[net].param_count);

    size_t nreal = (size_t)m->batch * m->sources[0].sample_size;
    float *real = malloc(POOL * nreal * sizeof *real);
    float *loss = calloc((size_t)m->n_updates + 1, sizeof *loss);
    if (!real || !loss || !opt) {
        fprintf(stderr, "steptime: out of memory\n");
        return 1;
    }
    rt_rng_fill_uniform(&rng, real, POOL * nreal, -1.0f, 1.0f);

    double t0 = 0;
    for (long it = 0; it < warmup + iters; it++) {
        if (it == warmup)
            t0 = now();
        draw(m, &rng);
        for (int v = 0; v < m->n_vars; v++)
            if (m->vars[v].kind == RT_VAR_DATA)
                memcpy(m->vars[v].buf, real + (size_t)(it % POOL) * nreal,
                       nreal * sizeof *real);
        for (int u = 0; u < m->n_updates; u++) {
            const rt_update *up = &m->updates[u];
            if (up->forward)
                up->forward();
            loss[u] = up->step();
            for (int k = 0; k < up->n_nets; k++)
                rt_optim_step(&opt[up->nets[k]], m->nets[up->nets[k]].params,
                              m->nets[up->nets[k]].grads);
        }
    }
    double per_iter = (now() - t0) / (double)iters;
    for (int u = 0; u < m->n_updates; u++)
        if (!isfinite(loss[u])) {
            fprintf(stderr, "steptime: the %s loss is not finite (%g)\n", m->updates[u].name,
                    loss[u]);
            return 1;
        }
    /* loss_d and loss_g: the first update's and the last's (the classic d, g) */
    float dl = loss[0], gl = loss[m->n_updates - 1];

    printf("{\"s_per_iter\": %.9g, \"iters\": %ld, \"threads\": %d, \"loss_d\": %.6g, "
           "\"loss_g\": %.6g, \"openblas_core\": \"%s\", \"openblas_config\": \"%s\", ",
           per_iter, iters, threads, dl, gl, openblas_get_corename(), openblas_get_config());
    print_tensors(m);
    printf("}\n");

    for (int net = 0; net < m->n_nets; net++)
        rt_optim_free(&opt[net]);
    free(opt);
    free(real);
    free(loss);
    return 0;
}

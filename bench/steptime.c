/* bench/steptime.c - times one training iteration of a generated trainer.
 *
 *   steptime [--iters N] [--warmup W] [--threads T] [--seed S]
 *
 * Linked with one generated train.c compiled with -DGANC_NO_MAIN (it exports
 * ganc_model(), runtime/rt_model.h).  It initialises every tensor from its
 * init spec as the trainer does, fills a pool of four random "real" batches
 * (uniform in [-1, 1]: the values do not change the work), and then times
 * what the trainer's loop does per iteration for d_steps = 1
 * (runtime/rt_train.c), PyTorch's DCGAN loop too:
 *
 *   z ~ the latent prior            (drawn every iteration, as torch does)
 *   g_forward(z)                    G once, in training mode
 *   d_step(real); rt_optim_step(D)  D loss on real and fake, Adam on D
 *   g_step(z);    rt_optim_step(G)  G loss through D, Adam on G
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

static void fill_latent(const rt_model *m, rt_rng *rng, float *z)
{
    size_t n = (size_t)m->batch * (size_t)m->latent_size;
    if (m->latent_dist == RT_LATENT_UNIFORM)
        rt_rng_fill_uniform(rng, z, n, -1.0f, 1.0f);
    else
        rt_rng_fill_normal(rng, z, n, 0.0f, 1.0f);
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
    rt_store store = { { m->params[0], m->params[1] }, { m->param_count[0], m->param_count[1] },
                       { m->state[0], m->state[1] }, { m->state_count[0], m->state_count[1] } };
    rt_tensors_init(&store, m->tensors, m->n_tensors, &rng);
    rt_optim opt[2];
    for (int net = 0; net < 2; net++)
        rt_optim_init(&opt[net], &m->optim[net], m->param_count[net]);

    size_t nreal = (size_t)m->batch * m->sample_size;
    float *real = malloc(POOL * nreal * sizeof *real);
    float *z = malloc((size_t)m->batch * (size_t)m->latent_size * sizeof *z);
    if (!real || !z) {
        fprintf(stderr, "steptime: out of memory\n");
        return 1;
    }
    rt_rng_fill_uniform(&rng, real, POOL * nreal, -1.0f, 1.0f);

    float dl = 0, gl = 0;
    double t0 = 0;
    for (long it = 0; it < warmup + iters; it++) {
        if (it == warmup)
            t0 = now();
        fill_latent(m, &rng, z);
        m->g_forward(z);
        dl = m->d_step(real + (size_t)(it % POOL) * nreal);
        rt_optim_step(&opt[RT_NET_D], m->params[RT_NET_D], m->grads[RT_NET_D]);
        gl = m->g_step(z);
        rt_optim_step(&opt[RT_NET_G], m->params[RT_NET_G], m->grads[RT_NET_G]);
    }
    double per_iter = (now() - t0) / (double)iters;
    if (!isfinite(dl) || !isfinite(gl)) {
        fprintf(stderr, "steptime: loss is not finite (D %g, G %g)\n", dl, gl);
        return 1;
    }

    printf("{\"s_per_iter\": %.9g, \"iters\": %ld, \"threads\": %d, \"loss_d\": %.6g, "
           "\"loss_g\": %.6g, \"openblas_core\": \"%s\", \"openblas_config\": \"%s\", ",
           per_iter, iters, threads, dl, gl, openblas_get_corename(), openblas_get_config());
    print_tensors(m);
    printf("}\n");

    for (int net = 0; net < 2; net++)
        rt_optim_free(&opt[net]);
    free(real);
    free(z);
    return 0;
}

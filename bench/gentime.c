/* bench/gentime.c - in-process latency of a generated sampler's generator.
 *
 *   gentime [--n LIST] [--target SECONDS] [--warmup W] [--seed S]
 *
 * Linked with one generated sample.c compiled with -DGANC_NO_MAIN (it
 * exports ganc_model() returning the rt_sampler_model).  The generator's
 * tensors get their init values (the weights do not change the work; the
 * batchnorm running statistics are 0 and 1), and then, for each n in LIST
 * (default "1,64"), it times what `sample -n n` does between reading its
 * latents and writing its output (rt_generate_sampler: chunks of the
 * sampler's many_batch through generate_many, the rest one at a time).  W untimed repetitions first (default
 * 1), then as many timed ones as fill about SECONDS (default 0.3; at least 3,
 * sized from one more untimed repetition); prints one JSON line
 * {"batch": B, "n": mean seconds per repetition, ...}.
 *
 * Leaves out: process start, loading weights, drawing latents, writing files
 * (bench/bench.py times those with the sampler executable itself).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/rt_rng.h"
#include "model/rt_generate.h"
#include "model/rt_model.h"
#include "model/rt_weights.h"
#include "sample/rt_sample_weights.h"

const rt_sampler_model *ganc_model(void);

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

static const char *arg_str(int argc, char **argv, const char *flag, const char *def)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], flag) == 0)
            return argv[i + 1];
    return def;
}

/* n samples, as `sample -n n` makes them (runtime/model/rt_generate.c) */
static void generate_n(const rt_sampler_model *m, long n, float *out, float *const *in)
{
    rt_generate_sampler(m, (const float *const *)in, (size_t)n, out);
}

/* n samples of every input: latents N(0, 1), classes in turn, data zeros */
static float **make_inputs(const rt_sampler_model *m, long n, rt_rng *rng)
{
    float **in = calloc((size_t)m->n_inputs + 1, sizeof *in);
    for (int i = 0; in && i < m->n_inputs; i++) {
        const rt_input_info *x = &m->inputs[i];
        size_t count = (size_t)n * x->size;
        in[i] = calloc(count + 1, sizeof(float));
        if (!in[i])
            return NULL;
        if (x->kind == RT_VAR_LATENT)
            rt_rng_fill_normal(rng, in[i], count, 0.0f, 1.0f);
        for (size_t k = 0; x->kind == RT_VAR_CLASS && k < count; k++)
            in[i][k] = (float)(k / x->size % (size_t)x->classes);
    }
    return in;
}

int main(int argc, char **argv)
{
    double target = atof(arg_str(argc, argv, "--target", "0.3"));
    long warmup = arg_long(argc, argv, "--warmup", 1);
    const char *list = arg_str(argc, argv, "--n", "1,64");
    rt_rng rng;
    rt_rng_seed(&rng, (uint64_t)arg_long(argc, argv, "--seed", 1));
    if (!(target > 0) || warmup < 0) {
        fprintf(stderr, "usage: %s [--n LIST] [--target SECONDS>0] [--warmup W>=0] [--seed S]\n",
                argv[0]);
        return 2;
    }

    const rt_sampler_model *m = ganc_model();
    rt_net net;
    rt_store store = rt_sample_store(m, &net);
    rt_tensors_init(&store, m->tensors, m->n_tensors, &rng);
    rt_sample_weights_in_arrays(m);   /* the generator reads the arrays just filled */

    printf("{\"batch\": %d", m->batch);
    for (const char *p = list; *p;) {
        long n = strtol(p, (char **)&p, 10);
        if (*p == ',')
            p++;
        if (n < 1) {
            fprintf(stderr, "gentime: bad --n list '%s'\n", list);
            return 2;
        }
        float **in = make_inputs(m, n, &rng);
        float *out = malloc((size_t)n * m->out_size * sizeof *out);
        if (!in || !out) {
            fprintf(stderr, "gentime: out of memory\n");
            return 1;
        }
        for (long i = 0; i < warmup; i++)
            generate_n(m, n, out, in);
        double t0 = now();
        generate_n(m, n, out, in);
        double once = now() - t0;
        long reps = once > 0 ? (long)(target / once) : 1000000;
        reps = reps < 3 ? 3 : reps > 1000000 ? 1000000 : reps;
        t0 = now();
        for (long i = 0; i < reps; i++)
            generate_n(m, n, out, in);
        printf(", \"%ld\": %.9g", n, (now() - t0) / (double)reps);
        for (int i = 0; i < m->n_inputs; i++)
            free(in[i]);
        free(in);
        free(out);
    }
    printf("}\n");
    return 0;
}

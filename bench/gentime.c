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

/* n samples, as `sample -n n` makes them (runtime/rt_generate.c) */
static void generate_n(const rt_sampler_model *m, long n, float *out, const float *z)
{
    rt_generate_sampler(m, z, (size_t)n, out);
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
    rt_store store = rt_sample_store(m);
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
        float *z = malloc((size_t)n * (size_t)m->latent_size * sizeof *z);
        float *out = malloc((size_t)n * m->sample_size * sizeof *out);
        if (!z || !out) {
            fprintf(stderr, "gentime: out of memory\n");
            return 1;
        }
        rt_rng_fill_normal(&rng, z, (size_t)n * (size_t)m->latent_size, 0.0f, 1.0f);
        for (long i = 0; i < warmup; i++)
            generate_n(m, n, out, z);
        double t0 = now();
        generate_n(m, n, out, z);
        double once = now() - t0;
        long reps = once > 0 ? (long)(target / once) : 1000000;
        reps = reps < 3 ? 3 : reps > 1000000 ? 1000000 : reps;
        t0 = now();
        for (long i = 0; i < reps; i++)
            generate_n(m, n, out, z);
        printf(", \"%ld\": %.9g", n, (now() - t0) / (double)reps);
        free(z);
        free(out);
    }
    printf("}\n");
    return 0;
}

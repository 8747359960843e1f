/* rt_sample_networks.c - rt_sample_networks_main: a sampler of several
 * networks (a model's `sample: {networks: [G_ab, G_ba]}`, CycleGAN's two
 * translators), one rt_sampler_model each.
 *
 * It takes `--network NAME` (or `--network=NAME`) out of the command line,
 * picks that network's model (the first by default) and runs
 * rt_sample_main on the rest, so every other flag means what it means for
 * a sampler of one network.  Only samplers of several networks link this
 * file: a sampler of one calls rt_sample_main directly and stays as small
 * as it was (tests/runtime_libs.sh).
 * Leaves out: abbreviations of --network (getopt_long's --net), which the
 * flags after it could not tell from their own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "sample/rt_sample.h"

/* "G_ab, G_ba" */
static void list_names(FILE *f, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? ", " : "", names[i]);
}

/* The index of --network's value in names, -1 for none given (*given 0),
 * -2 for a value that is none of them or a missing value (a message
 * printed). */
static int pick(int argc, char **argv, const char *const *names, int n, const char *prog,
                char **rest, int *n_rest)
{
    const char *want = NULL;
    int given = 0;
    *n_rest = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int stop = i > 0 && strcmp(a, "--") == 0;
        if (!stop && i > 0 && strcmp(a, "--network") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "%s: --network: expected a network name (", prog);
                list_names(stderr, names, n);
                fprintf(stderr, "), found none\n");
                return -2;
            }
            want = argv[++i];
            given = 1;
        } else if (!stop && i > 0 && strncmp(a, "--network=", 10) == 0) {
            want = a + 10;
            given = 1;
        } else {
            rest[(*n_rest)++] = argv[i];
        }
        for (int j = i + 1; stop && j < argc; j++)
            rest[(*n_rest)++] = argv[j];
        if (stop)
            break;
    }
    rest[*n_rest] = NULL;
    if (!given)
        return -1;
    for (int k = 0; k < n; k++)
        if (strcmp(want, names[k]) == 0)
            return k;
    fprintf(stderr, "%s: --network %s: expected one of this sampler's networks: ", prog, want);
    list_names(stderr, names, n);
    fprintf(stderr, "\nTry '%s --help'.\n", prog);
    return -2;
}

static int wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

int rt_sample_networks_main(const rt_sampler_model *const *models, const char *const *names,
                            int n, int argc, char **argv)
{
    const char *prog = argc > 0 ? argv[0] : "sample";
    char **rest = rt_xcalloc((size_t)argc + 1, sizeof *rest);
    int n_rest = 0, k = pick(argc, argv, names, n, prog, rest, &n_rest);
    if (k == -2) {
        free(rest);
        return 2;
    }
    int status = rt_sample_main(models[k < 0 ? 0 : k], n_rest, rest);
    if (status == 0 && wants_help(n_rest, rest)) {
        printf("\nThis sampler runs %d networks:\n"
               "  --network NAME   the network to run, one of: ", n);
        list_names(stdout, names, n);
        printf(" [%s]\n", names[0]);
    }
    free(rest);
    return status;
}

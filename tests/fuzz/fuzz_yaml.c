/* fuzz_yaml.c - libFuzzer target: ganc's front end (gen/yaml_load.c,
 * model_parse.c, infer.c, the layer kinds) on arbitrary model text, and
 * for a model it accepts, the lowering and planning of every program
 * (gen/driver.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "layer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    FILE *quiet = fopen("/dev/null", "w");
    gan_diag d;
    gan_diag_init(&d, quiet);
    gan_node *root = gan_yaml_load_string(text, "fuzz.yaml", &d);
    if (root) {
        gan_model m;
        if (gan_model_from_tree(&m, root, "fuzz.yaml", &d) == 0 && d.errors == 0) {
            size_t params = 0;
            for (int i = 0; i < m.n_nets; i++)
                params += m.net[i].param_count;
            /* every program of the trainer and the sampler, lowered and
             * planned as `ganc check` does (size rules: nothing measured) */
            if (params < (1u << 22)) {
                gan_codegen_opts o = { 0, 1, m.unroll, 0, NULL };
                gan_compiled c;
                gan_compile(&c, &m, o, NULL);
                gan_compiled_free(&c);
            }
        }
        gan_model_free(&m);
    }
    fclose(quiet);
    free(text);
    return 0;
}

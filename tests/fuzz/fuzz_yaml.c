/* fuzz_yaml.c - libFuzzer target: ganc's front end (gen/yaml_load.c,
 * model_parse.c, infer.c, the layer kinds) on arbitrary model text, and
 * for a model it accepts, the lowering and planning of every program. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layer.h"
#include "plan.h"
#include "program.h"

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
        if (gan_model_from_tree(&m, root, "fuzz.yaml", &d) == 0 && d.errors == 0 &&
            m.param_count[0] + m.param_count[1] < (1u << 22)) {
            gan_codegen_opts o = { 0, 1, m.unroll, 0, NULL };
            for (int k = 0; k < GAN_N_PROGS; k++) {
                gan_program p;
                gan_plan pl;
                gan_program_build(&p, &m, k);
                gan_plan_build(&pl, &p, &m, o);
                gan_plan_free(&pl);
                gan_program_free(&p);
            }
        }
        gan_model_free(&m);
    }
    fclose(quiet);
    free(text);
    return 0;
}

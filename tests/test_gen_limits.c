/* tests/test_gen_limits.c - models past every size the compiler once held
 * in a fixed array (issue 13: "no silent limit anywhere in ganc").
 *
 * Each former limit, and the model that passes it here:
 *   4096 tensors a network (program.c's gradient list)   D with 4,100
 *   256 saved activations of G (GAN_MAX_SAVED)            G saving 300+
 *   1024 names a function (GAN_NAMES_MAX)                 d_step's 4,000+ buffers
 *   64 reads a buffer (plan.c)                            tests/models/wide_heads.yaml
 *   64 operand patterns a loop (the axis merge)           a sum of 512 broadcast terms
 *   512 bytes a banner, 40/48 a name, 256 a label         tests/generated_code.py (long
 *                                                         paths) and 32-character names here
 * The models are lowered, planned and emitted (not compiled: the gradient
 * checks cover the code); every gradient, saved value and function must be
 * there, none dropped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "build.h"
#include "driver.h"
#include "emit.h"
#include "layer.h"

static gan_model model;

static void load(const char *yaml)
{
    gan_diag d;
    gan_diag_init(&d, stderr);
    gan_node *root = gan_yaml_load_string(yaml, "inline.yaml", &d);
    assert_non_null(root);
    assert_int_equal(gan_model_from_tree(&model, root, "inline.yaml", &d), 0);
    assert_int_equal(d.errors, 0);
}

/* n dense layers of `units` named PREFIXk, each followed by a relu when
 * relu is set */
static void dense_chain(gan_buf *y, const char *prefix, int n, int units, int relu)
{
    for (int i = 0; i < n; i++) {
        gan_buf_printf(y, "    - {name: %s%d, type: dense, units: %d}\n", prefix, i, units);
        if (relu)
            gan_buf_printf(y, "    - {name: %s%d_act, type: relu}\n", prefix, i);
    }
}

/* counts the occurrences of s in text */
static int count(const char *text, const char *s)
{
    int n = 0;
    for (const char *p = strstr(text, s); p; p = strstr(p + 1, s))
        n++;
    return n;
}

static void test_deep_and_wide(void **state)
{
    (void)state;
    gan_buf y = { 0 };
    gan_buf_put(&y, "name: deep\ndata: {source: ring8}\nlatent: {size: 2}\n"
                    "generator:\n  layers:\n");
    dense_chain(&y, "g", 300, 2, 1);
    gan_buf_put(&y, "    - {name: gout, type: dense, units: 2}\ndiscriminator:\n  layers:\n");
    dense_chain(&y, "d", 2050, 2, 0);
    gan_buf_put(&y, "    - {name: dout, type: dense, units: 1}\ntrain: {batch: 4}\n");
    load(y.s);
    gan_buf_free(&y);
    int d_params = 0;
    for (int t = 0; t < model.n_tensors; t++)
        d_params += model.tensors[t].net == GAN_D && model.tensors[t].role == GAN_PARAM;
    assert_true(d_params > 4096);

    gan_codegen_opts o = { 0, 1, model.unroll, 0, NULL };
    gan_compiled c;
    gan_compile(&c, &model, o, NULL);
    /* every parameter of D has its gradient in d_step */
    /* the shorthand's trainer: g_forward, d_step, g_step, generate */
    const gan_program *d_step = &c.trainer.step[1].prog;
    assert_string_equal(d_step->name, "d_step");
    for (int t = 0; t < model.n_tensors; t++)
        if (model.tensors[t].net == GAN_D && model.tensors[t].role == GAN_PARAM)
            assert_true(d_step->grad[t] >= 0);
    /* G keeps every relu output (and its output) for its backward pass */
    assert_string_equal(c.trainer.step[0].prog.name, "g_forward");
    assert_true(c.trainer.step[0].prog.n_saved > 256);

    char *tmpl = gan_read_template("trainer.c");
    assert_non_null(tmpl);
    gan_emit_target t = { tmpl, "inline.yaml", "", 0, 0 };
    gan_buf text = { 0 };
    gan_emit_file(&c, &t, &text, NULL);
    /* a function per layer pass of D's forward pass, and every gradient
     * written to its tensor */
    char name[64];
    snprintf(name, sizeof name, "static void d_d2049_forward");
    assert_true(count(text.s, name) == 1);
    assert_true(count(text.s, "D_D2049_WEIGHT_GRAD") >= 2);   /* #define and its use */
    assert_true(count(text.s, "static float g_g299_act[") == 1);
    free(tmpl);
    gan_buf_free(&text);
    gan_compiled_free(&c);
    gan_model_free(&model);
}

/* A loop reading 512 tensors (a tree of adds, 8 inputs each, over a
 * broadcast term): the merge of its axes looks at every operand. */
static void test_wide_loop(void **state)
{
    (void)state;
    gan_buf y = { 0 };
    gan_buf_put(&y, "name: wide\ndata: {source: idx, path: x, shape: [1, 4, 4]}\n"
                    "latent: {size: 2}\ngenerator:\n  layers:\n"
                    "    - {name: h, type: dense, units: 16}\n"
                    "    - {name: img, type: reshape, shape: [1, 4, 4]}\n");
    int n = 0;
    for (int i = 0; i < 64; i++, n++)
        gan_buf_printf(&y, "    - {name: b%d, type: batchnorm, input: img}\n", i);
    for (int i = 0; i < 8; i++) {
        gan_buf_printf(&y, "    - {name: s%d, type: add, inputs: [", i);
        for (int k = 0; k < 8; k++)
            gan_buf_printf(&y, "%sb%d", k ? ", " : "", 8 * i + k);
        gan_buf_put(&y, "]}\n");
    }
    gan_buf_put(&y, "    - {name: out, type: add, inputs: [s0, s1, s2, s3, s4, s5, s6, s7]}\n"
                    "discriminator:\n  layers:\n    - flatten\n"
                    "    - {name: o, type: dense, units: 1}\ntrain: {batch: 4}\n");
    load(y.s);
    gan_buf_free(&y);
    gan_codegen_opts o = { 0, 1, model.unroll, 0, NULL };
    gan_compiled c;
    gan_compile(&c, &model, o, NULL);
    const gan_plan *pl = &c.sampler.step[0].plan;
    /* the generator's output is one loop over its 64 normalizations: its
     * axes merge as those of a single one would */
    int out = c.sampler.step[0].prog.out;
    assert_true(out >= 0);
    assert_int_equal(pl->store[out], ST_MAT);
    gan_compiled_free(&c);
    gan_model_free(&model);
}

/* Names at their longest: a 64-character model and 32-character layers. */
static void test_long_names(void **state)
{
    (void)state;
    const char *m64 = "m234567890123456789012345678901234567890123456789012345678901234";
    const char *l32 = "l2345678901234567890123456789012";
    gan_buf y = { 0 };
    gan_buf_printf(&y, "name: %s\ndata: {source: ring8}\nlatent: {size: 2}\n"
                       "generator:\n  layers:\n    - {name: %s, type: dense, units: 4}\n"
                       "    - relu\n    - {name: gout, type: dense, units: 2}\n"
                       "discriminator:\n  layers:\n    - {name: %s, type: dense, units: 4}\n"
                       "    - {type: leaky_relu, alpha: 0.2}\n"
                       "    - {name: dout, type: dense, units: 1}\n", m64, l32, l32);
    load(y.s);
    gan_buf_free(&y);
    gan_codegen_opts o = { 0, 1, model.unroll, 0, NULL };
    gan_compiled c;
    gan_compile(&c, &model, o, NULL);
    char *tmpl = gan_read_template("trainer.c");
    assert_non_null(tmpl);
    gan_emit_target t = { tmpl, "inline.yaml", "", 0, 0 };
    gan_buf text = { 0 };
    gan_emit_file(&c, &t, &text, NULL);
    char want[128];
    snprintf(want, sizeof want, "static void g_%s_", l32);
    assert_non_null(strstr(text.s, want));
    snprintf(want, sizeof want, "static void d_%s_backward", l32);
    assert_non_null(strstr(text.s, want));
    snprintf(want, sizeof want, ".model_name = \"%s\"", m64);
    assert_non_null(strstr(text.s, want));
    free(tmpl);
    gan_buf_free(&text);
    gan_compiled_free(&c);
    gan_model_free(&model);
}

int main(void)
{
    setenv("GANC_HOME", ".", 0);   /* the templates: run from the source tree */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deep_and_wide),
        cmocka_unit_test(test_wide_loop),
        cmocka_unit_test(test_long_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

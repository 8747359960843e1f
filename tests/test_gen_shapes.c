/* test_gen_shapes.c - shape inference and tensor declaration: output shapes
 * of every layer kind, graph wiring (default chaining, named inputs, the
 * `output` key), parameter shapes in PyTorch's layouts, and counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

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

static const gan_layer *layer(int net, const char *name)
{
    for (int i = 0; i < model.net[net].n_layers; i++)
        if (!strcmp(model.net[net].layers[i].name, name))
            return &model.net[net].layers[i];
    fail_msg("no layer %s", name);
    return NULL;
}

static void assert_shape(const gan_layer *l, int rank, int a, int b, int c)
{
    char s[64];
    gan_shape_str(l->out, s, sizeof s);
    if (l->out.rank != rank || l->out.d[0] != a || (rank > 1 && (l->out.d[1] != b || l->out.d[2] != c)))
        fail_msg("layer %s: shape %s", l->name, s);
}

static const gan_tensor *tensor(const char *name)
{
    for (int i = 0; i < model.n_tensors; i++)
        if (!strcmp(model.tensors[i].name, name))
            return &model.tensors[i];
    fail_msg("no tensor %s", name);
    return NULL;
}

static void test_dcgan_shapes(void **state)
{
    (void)state;
    load("name: t\n"
         "data: {source: idx, path: x, shape: [1, 28, 28]}\n"
         "latent: {size: 100}\n"
         "generator:\n"
         "  - {name: fc, type: dense, units: 6272}\n"
         "  - {name: bn0, type: batchnorm}\n"
         "  - relu\n"
         "  - {name: r, type: reshape, shape: [128, 7, 7]}\n"
         "  - {name: up1, type: conv_transpose2d, filters: 64, kernel: 4, stride: 2, padding: 1}\n"
         "  - {name: up2, type: conv_transpose2d, filters: 1, kernel: 4, stride: 2, padding: 1}\n"
         "  - tanh\n"
         "discriminator:\n"
         "  - {name: c1, type: conv2d, filters: 64, kernel: 4, stride: 2, padding: 1}\n"
         "  - {name: c2, type: conv2d, filters: 128, kernel: 4, stride: 2, padding: 1, bias: false}\n"
         "  - {name: up, type: upsample, factor: 2}\n"
         "  - {name: pool, type: avgpool, kernel: 7}\n"
         "  - {name: f, type: flatten}\n"
         "  - {name: out, type: dense, units: 1}\n");
    assert_shape(layer(0, "fc"), 1, 6272, 0, 0);
    assert_shape(layer(0, "r"), 3, 128, 7, 7);
    assert_shape(layer(0, "up1"), 3, 64, 14, 14);
    assert_shape(layer(0, "up2"), 3, 1, 28, 28);
    assert_shape(layer(0, "tanh7"), 3, 1, 28, 28);
    assert_shape(layer(1, "c1"), 3, 64, 14, 14);
    assert_shape(layer(1, "c2"), 3, 128, 7, 7);
    assert_shape(layer(1, "up"), 3, 128, 14, 14);
    assert_shape(layer(1, "pool"), 3, 128, 2, 2);
    assert_shape(layer(1, "f"), 1, 512, 0, 0);
    /* PyTorch layouts: Linear (out, in), ConvTranspose2d (in, out, k, k), Conv2d (out, in, k, k) */
    const gan_tensor *t = tensor("generator.fc.weight");
    assert_int_equal(t->shape[0], 6272);
    assert_int_equal(t->shape[1], 100);
    t = tensor("generator.up1.weight");
    assert_int_equal(t->shape[0], 128);
    assert_int_equal(t->shape[1], 64);
    assert_int_equal(t->shape[2], 4);
    t = tensor("discriminator.c1.weight");
    assert_int_equal(t->shape[0], 64);
    assert_int_equal(t->shape[1], 1);
    assert_int_equal(tensor("generator.bn0.running_var")->role, GAN_STATE);
    assert_int_equal(tensor("generator.bn0.running_var")->init, RT_INIT_ONE);
    /* c2 has no bias: weight only */
    for (int i = 0; i < model.n_tensors; i++)
        assert_string_not_equal(model.tensors[i].name, "discriminator.c2.bias");
    /* parameter counts: fc 100*6272+6272, bn0 2*6272, up1 128*64*16+64, up2 64*16+1 */
    long expect_g = 100L * 6272 + 6272 + 2 * 6272 + 128L * 64 * 16 + 64 + 64L * 16 + 1;
    long n = 0;
    for (int i = 0; i < model.n_tensors; i++)
        if (model.tensors[i].net == 0 && model.tensors[i].role == GAN_PARAM) {
            long e = 1;
            for (int k = 0; k < model.tensors[i].ndim; k++)
                e *= model.tensors[i].shape[k];
            n += e;
        }
    assert_int_equal(n, expect_g);
    gan_model_free(&model);
}

static void test_graph_wiring(void **state)
{
    (void)state;
    load("name: t\n"
         "data: {source: ring8}\n"
         "latent: {size: 3}\n"
         "generator:\n"
         "  layers:\n"
         "    - {name: a, type: dense, units: 5}\n"
         "    - {name: b, type: dense, units: 5, input: input}\n"
         "    - {name: s, type: add, inputs: [a, b]}\n"
         "    - {name: cat, type: concat, inputs: [s, a, input]}\n"
         "    - {name: out, type: dense, units: 2}\n"
         "    - {name: unused, type: relu, input: a}\n"
         "  output: out\n"
         "discriminator:\n"
         "  - {type: dense, units: 1}\n");
    const gan_net *g = &model.net[0];
    assert_shape(layer(0, "cat"), 1, 13, 0, 0);
    assert_int_equal(layer(0, "a")->inputs[0], -1);
    assert_int_equal(layer(0, "b")->inputs[0], -1);
    assert_int_equal(layer(0, "out")->inputs[0], 3);     /* chains from cat */
    assert_string_equal(g->layers[g->output].name, "out");
    /* the topological order lists inputs first and leaves out 'unused' */
    assert_int_equal(g->n_order, 5);
    for (int i = 0; i < g->n_order; i++)
        assert_string_not_equal(g->layers[g->order[i]].name, "unused");
    assert_int_equal(g->order[g->n_order - 1], g->output);
    gan_model_free(&model);
}

/* A source's samples are its file's images through its transforms; a
 * source `from` another takes that one's file, labels and file shape, and
 * its own transforms; the networks see the shapes the transforms make. */
static void test_data_transforms(void **state)
{
    (void)state;
    load("name: t\n"
         "data:\n"
         "  photos: {source: idx, path: a.gz, shape: [1, 28, 28], labels: l.gz, classes: 10,\n"
         "           keep_classes: [7, 9], transform: [{downsample: [14, 14]}]}\n"
         "  sketch:\n"
         "    from: photos\n"
         "    keep_classes: [9, 7]\n"
         "    transform: [{downsample: [7, 7]}, {upsample: [14, 28]}, {edges: {threshold: 0.2}},\n"
         "                {mask: {box: [1, 2, 3, 4], value: 0.5}},\n"
         "                {mask: {size: [2, 2], random: true}}]\n"
         "  paired: true\n"
         "variables: {x: {data: photos}, y: {data: sketch}}\n"
         "networks:\n"
         "  G:\n"
         "    inputs: {y: {shape: [1, 14, 28]}}\n"
         "    layers: [flatten, {name: fc, type: dense, units: 3}]\n"
         "  D:\n"
         "    inputs: {x: sample}\n"
         "    layers: [flatten, {name: fc, type: dense, units: 1}]\n"
         "objective:\n"
         "  D: [{adversarial: non_saturating, real: \"D(x)\"}]\n"
         "  G: [{l2: [\"G(y)\", \"G(y)\"]}]\n");
    const gan_data_source *p = &model.sources[0], *k = &model.sources[1];
    assert_int_equal(p->from, -1);
    assert_true(p->shape.d[0] == 1 && p->shape.d[1] == 14 && p->shape.d[2] == 14);
    assert_true(p->file_shape.d[1] == 28 && p->n_transforms == 1 && p->n_keep_classes == 2);
    assert_int_equal(k->from, 0);
    assert_true(k->kind == GAN_DATA_IDX && k->labels == GAN_LABELS_IDX && k->classes == 10);
    assert_null(k->path);
    assert_true(k->file_shape.d[1] == 28 && k->file_shape.d[2] == 28);
    assert_true(k->shape.d[0] == 1 && k->shape.d[1] == 14 && k->shape.d[2] == 28);
    assert_int_equal(k->n_transforms, 5);
    assert_int_equal(k->transforms[0].kind, RT_TRANSFORM_DOWNSAMPLE);
    assert_int_equal(k->transforms[1].kind, RT_TRANSFORM_UPSAMPLE);
    assert_true(k->transforms[2].kind == RT_TRANSFORM_EDGES && k->transforms[2].value == 0.2f);
    const gan_transform *box = &k->transforms[3], *rnd = &k->transforms[4];
    assert_true(box->kind == RT_TRANSFORM_MASK && box->at[0] == 1 && box->at[1] == 2 &&
                box->size[0] == 3 && box->size[1] == 4 && box->value == 0.5f);
    assert_true(rnd->kind == RT_TRANSFORM_MASK_RANDOM && rnd->size[0] == 2 &&
                rnd->value == -1.0f);   /* a mask's value is -1 unless it says */
    assert_int_equal(model.net[1].inputs[0].shape.d[1], 14);   /* D's sample: photos' */
    gan_model_free(&model);
}

/* The architecture hash changes with what a network computes and only
 * with that: training settings leave it alone, so a checkpoint resumes
 * after a learning-rate change but not after an edited activation. */
static uint64_t hash_of(const char *act, int units, const char *lr, int steps, float alpha)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "name: h\ndata: {source: ring8}\nlatent: {size: 2}\n"
             "generator:\n  optimizer: {type: adam, lr: %s}\n  layers:\n"
             "    - {name: a, type: dense, units: %d}\n    - %s\n"
             "    - {name: out, type: dense, units: 2}\n"
             "discriminator:\n  layers:\n    - {name: a, type: dense, units: 8}\n"
             "    - {type: leaky_relu, alpha: %g}\n    - {name: out, type: dense, units: 1}\n"
             "train: {batch: 4, steps: %d}\n", lr, units, act, alpha, steps);
    load(yaml);
    uint64_t h = gan_model_arch_hash(&model);
    gan_model_free(&model);
    return h;
}

static void test_arch_hash(void **state)
{
    (void)state;
    uint64_t base = hash_of("relu", 16, "1e-4", 100, 0.2f);
    assert_true(hash_of("relu", 16, "1e-4", 100, 0.2f) == base);
    assert_true(hash_of("relu", 16, "3e-4", 500, 0.2f) == base);   /* training only */
    assert_true(hash_of("tanh", 16, "1e-4", 100, 0.2f) != base);   /* same tensors */
    assert_true(hash_of("relu", 24, "1e-4", 100, 0.2f) != base);
    assert_true(hash_of("relu", 16, "1e-4", 100, 0.1f) != base);
}

/* Schedule phases (from, until) and the score section: what the parser
 * makes of them. */
static void test_phases_and_score(void **state)
{
    (void)state;
    load("name: p\ndata: {source: ring8}\n"
         "variables: {x: data, z: {latent: 2}}\n"
         "networks:\n"
         "  G: {inputs: {z: {latent: 2}}, layers: [{name: out, type: dense, units: 2}]}\n"
         "  D: {inputs: {x: sample}, outputs: [score, h],\n"
         "      layers: [{name: h, type: dense, units: 4}, {name: score, type: dense, units: 1}]}\n"
         "  E: {inputs: {x: sample}, layers: [{name: z, type: dense, units: 2}]}\n"
         "objective:\n"
         "  D: [{adversarial: hinge, real: \"D(x)\", fake: \"D(stop(G(z)))\"}]\n"
         "  G: [{adversarial: hinge, fake: \"D(G(z))\"}]\n"
         "  E: [{l2: [\"G(E(x))\", x]}]\n"
         "schedule:\n"
         "  - {update: D, until: 30}\n"
         "  - {update: G, until: 30}\n"
         "  - {update: E, from: 30}\n"
         "score: {terms: [{l2: [\"G(E(x))\", x]}, {l1: [\"D(G(E(x))).h\", \"D(x).h\"], "
         "weight: 0.5}]}\n"
         "train: {batch: 4, steps: 50}\n");
    assert_int_equal(model.n_updates, 3);
    assert_int_equal(model.updates[0].from, 0);
    assert_int_equal(model.updates[0].until, 30);
    assert_int_equal(model.updates[2].from, 30);
    assert_int_equal(model.updates[2].until, 0);   /* no end */
    const gan_update *s = model.score;
    assert_non_null(s);
    assert_int_equal(s->n_terms, 2);
    assert_int_equal(s->terms[0].kind, GAN_TERM_L2);
    assert_int_equal(s->terms[1].kind, GAN_TERM_L1);
    assert_true(s->terms[1].weight == 0.5f);
    assert_string_equal(s->terms[1].a->text, "D(G(E(x))).h");
    assert_int_equal(s->n_draws, 1);   /* reads x alone */
    assert_string_equal(model.vars[s->draws[0]].name, "x");
    assert_int_equal(s->n_nets, 3);    /* E, G, D: inner applications first */
    assert_string_equal(model.net[s->nets[0]].name, "E");
    assert_string_equal(model.net[s->nets[1]].name, "G");
    assert_string_equal(model.net[s->nets[2]].name, "D");
    gan_model_free(&model);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_phases_and_score),
        cmocka_unit_test(test_dcgan_shapes),
        cmocka_unit_test(test_graph_wiring),
        cmocka_unit_test(test_data_transforms),
        cmocka_unit_test(test_arch_hash),
    };
    return cmocka_run_group_tests_name("shape inference", tests, NULL, NULL);
}

/* test_gen_layers.c - the layer kinds' tables of settings (layer.h) and what
 * is made from them: the tables are well formed, shorthand layers get every
 * default and are refused a required key, docs/model-language.md carries the
 * tables as gan_layer_doc writes them, every kind is in a model of
 * tests/models/ (so gradcheck.sh and parity.sh see it), and the
 * architecture hash follows exactly the settings marked GAN_ARCH.
 *
 * When the doc is out of date this test writes the corrected document to
 * build/tests/model-language.md: copy it over docs/model-language.md. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "layer.h"

#define DOC "docs/model-language.md"
#define DOC_OUT "build/tests/model-language.md"
#define BEGIN_MARK "<!-- layer kinds: generated from the kinds' tables (gen/layers/) -->\n"
#define END_MARK "<!-- end of the generated layer kinds -->\n"

static const char *const common_keys[] = { "name", "type", "input", "inputs", "init",
                                           "init_std", NULL };

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = 0;
    fclose(f);
    return s;
}

static int field_size(gan_setting_type t)
{
    switch (t) {
    case GAN_SET_NUM: return (int)sizeof(float);
    case GAN_SET_SHAPE: return (int)sizeof(gan_shape);
    default: return (int)sizeof(int);
    }
}

/* Each kind's table: unique keys that do not shadow the common ones, a
 * field inside the struct, a default inside the range, a line of doc. */
static void test_tables_well_formed(void **state)
{
    (void)state;
    for (const gan_layer_kind *const *k = gan_layer_kinds(); *k; k++) {
        const gan_layer_kind *kind = *k;
        assert_non_null(kind->summary);
        assert_non_null(kind->output);
        assert_non_null(kind->infer);
        assert_non_null(kind->lower);
        assert_true(kind->min_inputs >= 1 && kind->min_inputs <= kind->max_inputs);
        assert_true(kind->max_inputs <= IR_MAX_IN);
        int n = 0;
        for (const gan_setting *s = kind->settings; s && s->key; s++, n++) {
            /* 'init' and 'init_std' are common to the kinds with weights
             * only; one without may use the name (prelu's init, PyTorch's) */
            for (const char *const *c = common_keys; *c; c++)
                if (!strcmp(*c, s->key) && (kind->has_weights || strncmp(*c, "init", 4)))
                    fail_msg("%s: key '%s' shadows a common key", kind->name, s->key);
            for (const gan_setting *t = kind->settings; t != s; t++)
                if (!strcmp(t->key, s->key))
                    fail_msg("%s: key '%s' twice", kind->name, s->key);
            if (s->at + (size_t)field_size(s->type) > kind->settings_size)
                fail_msg("%s.%s: field outside the settings struct", kind->name, s->key);
            if (!s->doc || !*s->doc)
                fail_msg("%s.%s: no doc", kind->name, s->key);
            if (s->type == GAN_SET_ENUM && !s->choices)
                fail_msg("%s.%s: an enum without choices", kind->name, s->key);
            if (!s->required && (s->type == GAN_SET_INT || s->type == GAN_SET_NUM) &&
                (s->def < s->lo || s->def > s->hi))
                fail_msg("%s.%s: default %g outside [%g, %g]", kind->name, s->key, s->def,
                         s->lo, s->hi);
            if (s->type == GAN_SET_SHAPE && !s->required)
                fail_msg("%s.%s: a shape has no default; make it required", kind->name, s->key);
        }
        if ((n > 0) != (kind->settings_size > 0))
            fail_msg("%s: settings_size %zu for %d keys", kind->name, kind->settings_size, n);
    }
}

/* The key list of a kind with more keys than the old fixed list (32 slots,
 * of which 30 were filled; the rest were dropped, so valid keys would have
 * been refused as unknown). */
static void test_many_keys(void **state)
{
    (void)state;
    enum { N = 40 };
    typedef struct {
        int v[N];
    } many;
    static char names[N][8];
    static gan_setting table[N + 1];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "k%d", i);
        table[i] = (gan_setting){ .key = names[i], .type = GAN_SET_INT,
                                  .at = offsetof(many, v) + (size_t)i * sizeof(int),
                                  .def = i, .lo = 0, .hi = 100, .doc = "a key" };
    }
    gan_layer_kind kind = { .name = "many", .min_inputs = 1, .max_inputs = 1,
                            .settings = table, .settings_size = sizeof(many),
                            .has_weights = 1 };
    const char **keys;
    assert_int_equal(gan_layer_keys(&kind, &keys), 4 + N + 2);
    assert_string_equal(keys[4], "k0");
    assert_string_equal(keys[4 + N - 1], "k39");
    assert_string_equal(keys[4 + N + 1], "init_std");
    assert_null(keys[4 + N + 2]);
    free(keys);

    /* and every one of them is read from YAML */
    gan_diag d;
    gan_diag_init(&d, stderr);
    gan_node *map = gan_yaml_load_string("{type: many, k39: 7, k0: 3}", "inline.yaml", &d);
    assert_non_null(map);
    gan_layer l = { .name = "m", .kind = &kind, .node = map };
    gan_layer_read_settings(&l, &d);
    assert_int_equal(d.errors, 0);
    const many *s = l.settings;
    assert_int_equal(s->v[0], 3);
    assert_int_equal(s->v[20], 20);
    assert_int_equal(s->v[39], 7);
    free(l.settings);
    gan_node_free(map);
}

/* Loads YAML text; returns the number of errors, diagnostics in *out. */
static int load_text(gan_model *m, const char *yaml, char **out)
{
    size_t len;
    FILE *mem = open_memstream(out, &len);
    gan_diag d;
    gan_diag_init(&d, mem);
    gan_node *root = gan_yaml_load_string(yaml, "inline.yaml", &d);
    memset(m, 0, sizeof *m);
    if (root)
        gan_model_from_tree(m, root, "inline.yaml", &d);
    fclose(mem);
    return d.errors;
}

/* A kind name alone ("- leaky_relu") gets every default; one with a
 * required key is refused at the layer (it used to get units: 0). */
static void test_shorthand(void **state)
{
    (void)state;
    gan_model m;
    char *out;
    int errors = load_text(&m, "name: s\ndata: {source: ring8}\nlatent: {size: 2}\n"
                           "generator: [leaky_relu, {type: dense, units: 2}, dropout]\n"
                           "discriminator: [{type: dense, units: 1}]\n", &out);
    if (errors)
        fail_msg("%s", out);
    free(out);
    for (int i = 0; i < 3; i += 2) {
        const gan_layer *l = &m.net[GAN_G].layers[i];
        for (const gan_setting *s = l->kind->settings; s && s->key; s++) {
            const void *f = gan_setting_field(l, s);
            if (s->type == GAN_SET_NUM)
                assert_true(*(const float *)f == (float)s->def);
            else
                assert_int_equal(*(const int *)f, (int)s->def);
        }
    }
    gan_model_free(&m);

    errors = load_text(&m, "name: s\ndata: {source: ring8}\nlatent: {size: 2}\n"
                       "generator:\n  - dense\n  - conv2d\n"
                       "discriminator: [{type: dense, units: 1}]\n", &out);
    assert_int_equal(errors, 3);
    assert_string_equal(out,
        "inline.yaml:5:5: error: dense layer 'dense1' needs 'units'; write it as a map such "
        "as {type: dense, units: ...}\n"
        "inline.yaml:6:5: error: conv2d layer 'conv2d2' needs 'filters'; write it as a map "
        "such as {type: conv2d, filters: ...}\n"
        "inline.yaml:6:5: error: conv2d layer 'conv2d2' needs 'kernel'; write it as a map "
        "such as {type: conv2d, kernel: ...}\n");
    free(out);
    gan_model_free(&m);
}

/* docs/model-language.md holds, between its markers, exactly what
 * gan_layer_doc writes from the tables. */
static void test_doc_in_sync(void **state)
{
    (void)state;
    char *doc = read_text(DOC);
    char *begin = strstr(doc, BEGIN_MARK), *end = begin ? strstr(begin, END_MARK) : NULL;
    if (!begin || !end)
        fail_msg("%s: no generated block (%s ... %s)", DOC, BEGIN_MARK, END_MARK);
    begin += strlen(BEGIN_MARK);
    gan_buf want = { 0 };
    gan_layer_doc(&want);
    size_t have = (size_t)(end - begin);
    if (have != want.len || memcmp(begin, want.s, have)) {
        FILE *f = fopen(DOC_OUT, "w");
        assert_non_null(f);
        fwrite(doc, 1, (size_t)(begin - doc), f);
        fputs(want.s, f);
        fputs(end, f);
        fclose(f);
        fail_msg("%s: the layer-kind tables differ from the kinds' tables; the corrected "
                 "document is %s (cp %s %s)", DOC, DOC_OUT, DOC_OUT, DOC);
    }
    /* every kind and key named in the prose's reference, not only the block */
    for (const gan_layer_kind *const *k = gan_layer_kinds(); *k; k++) {
        char name[64];
        snprintf(name, sizeof name, "`%s`", (*k)->name);
        assert_non_null(strstr(begin, name));
    }
    gan_buf_free(&want);
    free(doc);
}

/* Loads every model of a folder into ms (at most max); returns the count. */
static int load_folder(const char *dir, gan_model *ms, int max)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
            continue;
        assert_true(n < max);
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = NULL;
        size_t text_len = 0;
        FILE *mem = open_memstream(&text, &text_len);
        gan_diag diag;
        gan_diag_init(&diag, mem);
        int rc = gan_model_load(&ms[n], path, &diag);
        fclose(mem);
        if (rc || diag.errors)
            fail_msg("%s does not load:\n%s", path, text);
        free(text);
        n++;
    }
    closedir(d);
    return n;
}

/* The checklist of TEMPLATE.c: a kind is in a gradient-check model. */
static void test_every_kind_in_test_models(void **state)
{
    (void)state;
    gan_model ms[64];
    int n = load_folder("tests/models", ms, 64);
    for (const gan_layer_kind *const *k = gan_layer_kinds(); *k; k++) {
        int found = 0;
        for (int i = 0; i < n && !found; i++)
            for (int net = 0; net < ms[i].n_nets; net++)
                for (int oi = 0; oi < ms[i].net[net].n_order; oi++)
                    found |= ms[i].net[net].layers[ms[i].net[net].order[oi]].kind == *k;
        if (!found)
            fail_msg("layer kind '%s' is in no model of tests/models/, so no gradient check "
                     "or parity test sees it (gen/layers/TEMPLATE.c, step 4)", (*k)->name);
    }
    for (int i = 0; i < n; i++)
        gan_model_free(&ms[i]);
}

/* Changes the value of setting s of layer l; returns 0 if it cannot. */
static int perturb(gan_layer *l, const gan_setting *s)
{
    void *f = gan_setting_field(l, s);
    switch (s->type) {
    case GAN_SET_INT: *(int *)f += 1; return 1;
    case GAN_SET_BOOL: *(int *)f = !*(int *)f; return 1;
    case GAN_SET_NUM: *(float *)f = *(float *)f * 0.5f + 0.25f; return 1;
    case GAN_SET_ENUM: {
        int n = 0;
        while (s->choices[n])
            n++;
        *(int *)f = (*(int *)f + 1) % n;
        return n > 1;
    }
    case GAN_SET_SHAPE: ((gan_shape *)f)->d[0] += 1; return 1;
    }
    return 0;
}

/* For every layer in use of every model: changing a GAN_ARCH (or
 * GAN_ARCH_IF_SET) setting changes the architecture hash, changing a
 * GAN_TRAINING one or the initialisation does not. */
static void check_hash_follows_settings(gan_model *m)
{
    uint64_t base = gan_model_arch_hash(m);
    for (int net = 0; net < m->n_nets; net++)
        for (int oi = 0; oi < m->net[net].n_order; oi++) {
            gan_layer *l = &m->net[net].layers[m->net[net].order[oi]];
            for (const gan_setting *s = l->kind->settings; s && s->key; s++) {
                void *f = gan_setting_field(l, s);
                gan_shape saved;
                memcpy(&saved, f, (size_t)field_size(s->type));
                if (!perturb(l, s))
                    continue;
                uint64_t h = gan_model_arch_hash(m);
                memcpy(f, &saved, (size_t)field_size(s->type));
                if ((h != base) != (s->use != GAN_TRAINING))
                    fail_msg("%s: %s layer '%s': changing '%s' %s the hash", m->name,
                             l->kind->name, l->name, s->key,
                             h != base ? "changes" : "leaves alone");
            }
            int init = l->init;
            float std = l->init_std;
            l->init = (l->init + 1) % 4;
            l->init_std += 1;
            assert_true(gan_model_arch_hash(m) == base);
            l->init = init;
            l->init_std = std;
        }
    assert_true(gan_model_arch_hash(m) == base);
}

static void test_hash_follows_settings(void **state)
{
    (void)state;
    gan_model ms[64];
    int n = load_folder("tests/models", ms, 64);
    n += load_folder("models", ms + n, 64 - n);
    for (int i = 0; i < n; i++) {
        check_hash_follows_settings(&ms[i]);
        gan_model_free(&ms[i]);
    }
}

/* A layer that does not lead to the output computes nothing: adding one
 * leaves the hash alone; the latent distribution does not. */
static void test_hash_ignores_unused_layers(void **state)
{
    (void)state;
    static const char *const base =
        "name: u\ndata: {source: ring8}\nlatent: {size: 2%s}\n"
        "generator:\n  layers:\n    - {name: a, type: dense, units: 4}\n%s"
        "    - {name: out, type: dense, units: 2, input: a}\n"
        "discriminator: [{type: dense, units: 1}]\n";
    uint64_t h[3];
    const char *extra[3][2] = { { "", "" }, { "", "    - {name: spare, type: tanh}\n" },
                                { ", distribution: uniform", "" } };
    for (int i = 0; i < 3; i++) {
        char yaml[1024], *out;
        snprintf(yaml, sizeof yaml, base, extra[i][0], extra[i][1]);
        gan_model m;
        if (load_text(&m, yaml, &out))
            fail_msg("%s", out);
        free(out);
        h[i] = gan_model_arch_hash(&m);
        gan_model_free(&m);
    }
    assert_true(h[1] == h[0]);
    assert_true(h[2] != h[0]);
}

/* The arch_hash in the metadata of a ganc weights file, or "" */
static void file_hash(const char *path, char *hash, size_t n)
{
    char *text = read_text(path);
    const char *at = strstr(text + 8, "\"arch_hash\":\"");
    snprintf(hash, n, "%.16s", at ? at + strlen("\"arch_hash\":\"") : "");
    free(text);
}

/* A key added to a kind (GAN_ARCH_IF_SET, conv2d's padding_mode) keeps the
 * hash of the models written before it: the judge's weights, trained then,
 * still load into its model, and the key written at its default hashes as
 * its absence; another value does not. */
static void test_hash_keeps_old_weights(void **state)
{
    (void)state;
    gan_model m;
    gan_diag d;
    gan_diag_init(&d, stderr);
    assert_int_equal(gan_model_load(&m, "models/fmnist_classifier.yaml", &d), 0);
    char want[32], have[32];
    file_hash("models/fmnist_classifier.safetensors", want, sizeof want);
    snprintf(have, sizeof have, "%016llx", (unsigned long long)gan_model_arch_hash(&m));
    assert_string_equal(have, want);
    gan_model_free(&m);

    static const char *const base =
        "name: p\ndata: {source: idx, path: x.idx, shape: [1, 4, 4]}\nlatent: {size: 2}\n"
        "generator: [{type: dense, units: 16}, {type: reshape, shape: [1, 4, 4]}]\n"
        "discriminator: [{type: conv2d, filters: 1, kernel: 3, padding: 1%s}, flatten,\n"
        "                {type: dense, units: 1}]\n";
    const char *mode[3] = { "", ", padding_mode: zeros", ", padding_mode: reflect" };
    uint64_t h[3];
    for (int i = 0; i < 3; i++) {
        char yaml[1024], *out;
        snprintf(yaml, sizeof yaml, base, mode[i]);
        if (load_text(&m, yaml, &out))
            fail_msg("%s", out);
        free(out);
        h[i] = gan_model_arch_hash(&m);
        gan_model_free(&m);
    }
    assert_true(h[1] == h[0]);
    assert_true(h[2] != h[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_well_formed),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_shorthand),
        cmocka_unit_test(test_doc_in_sync),
        cmocka_unit_test(test_every_kind_in_test_models),
        cmocka_unit_test(test_hash_follows_settings),
        cmocka_unit_test(test_hash_ignores_unused_layers),
        cmocka_unit_test(test_hash_keeps_old_weights),
    };
    return cmocka_run_group_tests_name("layer kinds", tests, NULL, NULL);
}

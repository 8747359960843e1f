/* test_gen_errors.c - every bad model under tests/bad/ produces exactly the
 * errors its `# expect: LINE:COL: TEXT` lines list, at those positions, and
 * nothing else; the real models load without a diagnostic.  Models built
 * here go past each limit the parser has or had: names longer than their
 * maximum (refused with the exact message), and lists that used to be cut
 * to a fixed size (valid keys, choices, kinds, tensor names). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>
#include <cmocka.h>

#include "layer.h"

#define MAX_EXPECT 32

/* Loads `path`; returns the diagnostics text (caller frees). */
static char *diagnose(const char *path, int *errors)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    gan_diag d;
    gan_diag_init(&d, mem);
    gan_model m;
    gan_model_load(&m, path, &d);
    gan_model_free(&m);
    fclose(mem);
    *errors = d.errors;
    return text;
}

static int read_expectations(const char *path, char expect[][256])
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "# expect: ", 10))
            continue;
        if (!strchr(line, '\n') || strlen(line + 10) > 256)
            fail_msg("%s: an expect line longer than this test reads (255 characters)", path);
        line[strcspn(line, "\n")] = 0;
        assert_true(n < MAX_EXPECT);
        snprintf(expect[n++], 256, "%s", line + 10);
    }
    fclose(f);
    return n;
}

static void check_bad_file(const char *path)
{
    char expect[MAX_EXPECT][256];
    int n = read_expectations(path, expect);
    assert_true(n > 0);
    int errors;
    char *out = diagnose(path, &errors);
    for (int i = 0; i < n; i++) {
        /* "L:C: text" must appear as "path:L:C: error: text" */
        char want[600];
        const char *text = strchr(strchr(expect[i], ':') + 1, ':') + 2;
        snprintf(want, sizeof want, "%s:%.*s: error: %s", path,
                 (int)(text - 2 - expect[i]), expect[i], text);
        if (!strstr(out, want))
            fail_msg("%s: expected diagnostic\n  %s\nbut got:\n%s", path, want, out);
    }
    if (errors != n)
        fail_msg("%s: expected %d errors, got %d:\n%s", path, n, errors, out);
    free(out);
}

static void test_bad_models(void **state)
{
    (void)state;
    DIR *dir = opendir("tests/bad");
    assert_non_null(dir);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(dir))) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
            continue;
        char path[512];
        snprintf(path, sizeof path, "tests/bad/%s", e->d_name);
        check_bad_file(path);
        files++;
    }
    closedir(dir);
    assert_true(files >= 10);
}

static void test_missing_file(void **state)
{
    (void)state;
    int errors;
    char *out = diagnose("tests/bad/no_such_model.yaml", &errors);
    assert_int_equal(errors, 1);
    assert_non_null(strstr(out, "tests/bad/no_such_model.yaml: error: cannot open: No such file"));
    free(out);
}

/* a FIFO or a folder given as the model is refused at once, not waited on
 * (issue 17: `ganc check FIFO` hung in fopen) */
static void test_special_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/ganc-test-special-XXXXXX", fifo[64];
    assert_non_null(mkdtemp(dir));
    snprintf(fifo, sizeof fifo, "%s/model.yaml", dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    int errors;
    char *out = diagnose(fifo, &errors);
    assert_int_equal(errors, 1);
    assert_non_null(strstr(out, "expected a regular file, found a FIFO (named pipe)"));
    free(out);
    out = diagnose(dir, &errors);
    assert_int_equal(errors, 1);
    assert_non_null(strstr(out, "expected a regular file, found a directory"));
    free(out);
    assert_int_equal(unlink(fifo), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_good_models(void **state)
{
    (void)state;
    static const char *const good[] = { "models/ring8_mlp.yaml", "models/grid25_mlp.yaml" };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        int errors;
        char *out = diagnose(good[i], &errors);
        if (errors || *out)
            fail_msg("%s should load cleanly:\n%s", good[i], out);
        free(out);
    }
}

/* Diagnostics of YAML text (caller frees); *errors gets their count, and
 * *m the model when it loads (keep_model), else it is freed. */
static char *diagnose_text(const char *yaml, int *errors, gan_model *keep_model)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    gan_diag d;
    gan_diag_init(&d, mem);
    gan_model m;
    memset(&m, 0, sizeof m);
    gan_node *root = gan_yaml_load_string(yaml, "inline.yaml", &d);
    if (root)
        gan_model_from_tree(&m, root, "inline.yaml", &d);
    fclose(mem);
    *errors = d.errors;
    if (keep_model)
        *keep_model = m;
    else
        gan_model_free(&m);
    return text;
}

/* A model whose name and layer name (a batchnorm in each network) are given. */
static char *model_with_names(const char *model_name, const char *layer_name)
{
    static const char *const fmt =
        "name: %s\ndata: {source: ring8}\nlatent: {size: 2}\n"
        "generator: [{type: dense, units: 2}, {name: %s, type: batchnorm}]\n"
        "discriminator: [{type: dense, units: 3}, {name: %s, type: batchnorm}, "
        "{type: dense, units: 1}]\n";
    size_t n = strlen(fmt) + strlen(model_name) + 2 * strlen(layer_name) + 1;
    char *yaml = malloc(n);
    assert_non_null(yaml);
    snprintf(yaml, n, fmt, model_name, layer_name, layer_name);
    return yaml;
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, c, n);
    s[n] = 0;
    return s;
}

/* Names at their maximum load, and make tensor names in full (they were
 * cut to 95 bytes); one character more is refused with the exact message.
 * A 10,000-character model name used to pass `check` and fail `build`
 * ("File name too long"); layer names of 112 characters or more made the
 * emitter loop forever. */
static void test_name_lengths(void **state)
{
    (void)state;
    char *model64 = repeat('m', GAN_MODEL_NAME_MAX), *layer32 = repeat('l', GAN_LAYER_NAME_MAX);
    char *yaml = model_with_names(model64, layer32);
    int errors;
    gan_model m;
    char *out = diagnose_text(yaml, &errors, &m);
    if (errors)
        fail_msg("names at their maximum should load:\n%s", out);
    free(out);
    free(yaml);
    assert_string_equal(m.name, model64);
    char want[256];
    snprintf(want, sizeof want, "discriminator.%s.running_mean", layer32);
    int found = 0;
    for (int i = 0; i < m.n_tensors; i++)
        found |= !strcmp(m.tensors[i].name, want);
    assert_true(found);
    gan_model_free(&m);

    static const size_t model_lengths[] = { GAN_MODEL_NAME_MAX + 1, 10000 };
    for (int i = 0; i < 2; i++) {
        char *name = repeat('m', model_lengths[i]);
        yaml = model_with_names(name, "bn");
        out = diagnose_text(yaml, &errors, NULL);
        snprintf(want, sizeof want, "inline.yaml:1:7: error: the model name is %zu characters "
                 "long; it may have at most 64 (it names the folders build/NAME and "
                 "runs/NAME)\n", model_lengths[i]);
        assert_int_equal(errors, 1);
        assert_string_equal(out, want);
        free(out);
        free(yaml);
        free(name);
    }

    char *layer33 = repeat('l', GAN_LAYER_NAME_MAX + 1);
    yaml = model_with_names("m", layer33);
    out = diagnose_text(yaml, &errors, NULL);
    assert_int_equal(errors, 2);
    assert_string_equal(out,
        "inline.yaml:4:45: error: a layer name is 33 characters long; it may have at most 32 "
        "(it becomes part of C identifiers and tensor names)\n"
        "inline.yaml:5:49: error: a layer name is 33 characters long; it may have at most 32 "
        "(it becomes part of C identifiers and tensor names)\n");
    free(out);
    free(yaml);
    free(layer33);
    free(layer32);
    free(model64);
}

/* The message for an unknown key lists every valid key, and the one for a
 * bad choice every choice, however long the list (both were cut at 512
 * bytes); an unknown layer type lists every kind (was cut at 256). */
static void test_lists_in_messages(void **state)
{
    (void)state;
    enum { N = 60 };
    static char words[N][24];
    const char *list[N + 1];
    for (int i = 0; i < N; i++) {
        snprintf(words[i], sizeof words[i], "a_rather_long_key_%02d", i);
        list[i] = words[i];
    }
    list[N] = NULL;
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    gan_diag d;
    gan_diag_init(&d, mem);
    gan_node *map = gan_yaml_load_string("{nope: 1, pick: maybe}", "inline.yaml", &d);
    assert_non_null(map);
    gan_check_keys(map, "the test", (const char *const *)list, &d);
    gan_get_enum(map, "pick", (const char *const *)list, 0, 0, &d);
    fclose(mem);
    gan_node_free(map);
    assert_int_equal(d.errors, 3);   /* nope, pick (unknown keys), and pick's value */
    assert_non_null(strstr(text, "a_rather_long_key_58, a_rather_long_key_59; found 'maybe'"));
    assert_non_null(strstr(text, "valid keys: a_rather_long_key_00, "));
    assert_non_null(strstr(text, "a_rather_long_key_59\n"));
    free(text);

    int errors;
    char *out = diagnose_text("name: k\ndata: {source: ring8}\nlatent: {size: 2}\n"
                              "generator: [{type: dense, units: 2}]\n"
                              "discriminator: [{type: conv9d}]\n", &errors, NULL);
    assert_int_equal(errors, 1);
    char want[1024] = "inline.yaml:5:24: error: unknown layer type 'conv9d'; known types: ";
    for (const char *const *k = gan_layer_kind_names(); *k; k++)
        snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s",
                 k == gan_layer_kind_names() ? "" : ", ", *k);
    strcat(want, "\n");
    assert_string_equal(out, want);
    free(out);
}

/* gan_loss_name (for gen/main.c) reads the one table of loss names, the
 * one the parser's message lists. */
static void test_loss_names(void **state)
{
    (void)state;
    assert_string_equal(gan_loss_name(GAN_LOSS_NON_SATURATING), "non_saturating");
    assert_string_equal(gan_loss_name(GAN_LOSS_LSGAN), "lsgan");
    assert_string_equal(gan_loss_name(GAN_LOSS_HINGE), "hinge");
    assert_string_equal(gan_loss_name(GAN_LOSS_MINIMAX), "minimax");
    assert_string_equal(gan_loss_name(GAN_LOSS_WASSERSTEIN), "wasserstein");
    assert_string_equal(gan_loss_name(GAN_LOSS_WASSERSTEIN + 1), "?");
    assert_string_equal(gan_loss_name(-1), "?");
    int errors;
    char *out = diagnose_text("name: l\ndata: {source: ring8}\nlatent: {size: 2}\n"
                              "generator: [{type: dense, units: 2}]\n"
                              "discriminator: [{type: dense, units: 1}]\nloss: hinge\n",
                              &errors, NULL);
    assert_int_equal(errors, 0);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_models),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_special_files),
        cmocka_unit_test(test_good_models),
        cmocka_unit_test(test_name_lengths),
        cmocka_unit_test(test_lists_in_messages),
        cmocka_unit_test(test_loss_names),
    };
    return cmocka_run_group_tests_name("generator errors", tests, NULL, NULL);
}

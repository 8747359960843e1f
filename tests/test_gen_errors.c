/* test_gen_errors.c - every bad model under tests/bad/ produces exactly the
 * errors its `# expect: LINE:COL: TEXT` lines list, at those positions, and
 * nothing else; the real models load without a diagnostic. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model.h"

#define MAX_EXPECT 16

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
    assert_non_null(strstr(out, "tests/bad/no_such_model.yaml: error: cannot open the model file"));
    free(out);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_models),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_good_models),
    };
    return cmocka_run_group_tests_name("generator errors", tests, NULL, NULL);
}

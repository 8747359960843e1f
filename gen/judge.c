/* judge.c - the judge of the image metrics, built once into the cache
 * (see judge.h). */
#include "judge.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "diag.h"
#include "host.h"

/* The classifier's two files, read whole: its model and its weights. */
typedef struct {
    char yaml_path[PATH_MAX], weights_path[PATH_MAX];
    char *yaml, *weights;
    long yaml_len, weights_len;
} classifier_files;

static int read_classifier(classifier_files *f)
{
    const char *why = NULL;
    snprintf(f->yaml_path, sizeof f->yaml_path, "%s/models/fmnist_classifier.yaml", gan_home());
    snprintf(f->weights_path, sizeof f->weights_path, "%s/models/fmnist_classifier.safetensors",
             gan_home());
    f->yaml = gan_read_file(f->yaml_path, &f->yaml_len, &why);
    if (f->yaml)
        f->weights = gan_read_file(f->weights_path, &f->weights_len, &why);
    if (f->yaml && f->weights)
        return 0;
    fprintf(stderr, "ganc: the judge of the image metrics needs %s: %s (set GANC_HOME to the "
                    "ganc folder)\n", f->yaml ? f->weights_path : f->yaml_path, why);
    return 2;
}

/* What the built judge depends on besides the classifier: its compiler
 * and flags, and what every built sampler depends on (build.h). */
static uint64_t build_key(uint64_t id, const char *cc, char *const *cflags, int n_cflags)
{
    uint64_t h = gan_fnv64(id, cc ? cc : "", strlen(cc ? cc : "") + 1);
    for (int i = 0; i < n_cflags; i++)
        h = gan_fnv64(h, cflags[i], strlen(cflags[i]) + 1);
    return gan_sampler_build_key(h);
}

/* Builds the classifier's sampler into folder dir. */
static int build_into(const classifier_files *f, const char *dir, const char *cc,
                      char *const *cflags, int n_cflags)
{
    gan_model m;
    gan_diag d;
    gan_diag_init(&d, stderr);
    if (gan_model_load(&m, f->yaml_path, &d) || d.errors) {
        fprintf(stderr, "ganc: %s: the judge's model does not load\n", f->yaml_path);
        gan_model_free(&m);
        return 2;
    }
    gan_codegen_opts o = { 0, 1, m.unroll, 0, NULL };
    gan_compiled c;
    gan_compile(&c, &m, o, NULL);
    gan_build_opts b = { dir, f->weights_path, cc, (char **)cflags, n_cflags, 1, 0, 1 };
    int rc = gan_build(&c, f->yaml_path, f->yaml, &b);
    gan_compiled_free(&c);
    gan_model_free(&m);
    return rc;
}

/* rm -r of a folder of plain files (a judge build left half done) */
static void remove_build(const char *dir)
{
    static const char *const files[] = { "sample", "sample.c", "embedded.safetensors", NULL };
    char p[PATH_MAX + 32];
    for (const char *const *n = files; *n; n++) {
        snprintf(p, sizeof p, "%s/%s", dir, *n);
        remove(p);
    }
    rmdir(dir);
}

int gan_judge_get(char *path, size_t size, char *id, const char *cc, char *const *cflags,
                  int n_cflags)
{
    classifier_files f = { .yaml = NULL };
    int rc = read_classifier(&f);
    uint64_t h = GAN_FNV64_START;
    if (rc == 0) {
        h = gan_fnv64(gan_fnv64(h, f.yaml, (size_t)f.yaml_len), f.weights,
                      (size_t)f.weights_len);
        if (id)
            snprintf(id, 17, "%016llx", (unsigned long long)h);
    }
    char cache[PATH_MAX], dir[PATH_MAX + 64], tmp[PATH_MAX + 96];
    const char *why = NULL;
    if (rc == 0 && !*gan_cache_dir(cache, sizeof cache)) {
        fprintf(stderr, "ganc: no cache folder for the judge of the image metrics: set "
                        "GANC_CACHE_DIR or HOME\n");
        rc = 1;
    }
    if (rc == 0) {
        snprintf(dir, sizeof dir, "%s/judge-%016llx", cache, (unsigned long long)build_key(h, cc, cflags, n_cflags));
        snprintf(path, size, "%s/sample", dir);
    }
    if (rc == 0 && access(path, X_OK) != 0) {
        /* built aside and renamed: two ganc building it at once each
         * finish their own, and the first rename wins */
        snprintf(tmp, sizeof tmp, "%s.tmp%ld", dir, (long)getpid());
        fprintf(stderr, "ganc: building the judge of the image metrics (once) into %s\n", dir);
        rc = gan_mkdir_p(cache, &why) ? (fprintf(stderr, "ganc: %s\n", why), 1)
                                      : build_into(&f, tmp, cc, cflags, n_cflags);
        if (rc == 0 && rename(tmp, dir) != 0 && errno != EEXIST && errno != ENOTEMPTY) {
            fprintf(stderr, "ganc: %s: cannot rename to %s: %s\n", tmp, dir, strerror(errno));
            rc = 1;
        }
        remove_build(tmp);
    }
    free(f.yaml);
    free(f.weights);
    return rc;
}

int gan_judge_install(const char *dir, const char *cc, char *const *cflags, int n_cflags)
{
    char from[PATH_MAX], to[PATH_MAX + 16];
    int rc = gan_judge_get(from, sizeof from, NULL, cc, cflags, n_cflags);
    if (rc)
        return rc;
    const char *why = NULL;
    long n = 0;
    char *exe = gan_read_file(from, &n, &why);
    snprintf(to, sizeof to, "%s/judge", dir);
    if (!exe) {
        fprintf(stderr, "ganc: %s: %s\n", from, why);
        return 1;
    }
    rc = gan_write_file(to, exe, (size_t)n) || chmod(to, 0755) ? 1 : 0;
    if (rc)
        fprintf(stderr, "ganc: %s: cannot make it executable: %s\n", to, strerror(errno));
    free(exe);
    return rc;
}

/* build.c - see build.h.  Writes DIR/train.c and DIR/sample.c from the
 * templates, then runs the C compiler on each. */
#include "build.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef GANC_DATADIR
#define GANC_DATADIR "/usr/local/share/ganc"
#endif

static int has_templates(const char *dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/templates/trainer.c", dir);
    return access(p, R_OK) == 0;
}

const char *gan_home(void)
{
    static char home[PATH_MAX];
    if (*home)
        return home;
    const char *env = getenv("GANC_HOME");
    if (env && *env) {
        snprintf(home, sizeof home, "%s", env);
        return home;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        /* <home>/build/ganc (in the source tree) or <prefix>/bin/ganc */
        for (int up = 0; up < 2; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = 0;
        }
        if (has_templates(exe)) {
            snprintf(home, sizeof home, "%s", exe);
            return home;
        }
        char shared[PATH_MAX + 16];
        snprintf(shared, sizeof shared, "%s/share/ganc", exe);
        if (has_templates(shared)) {
            snprintf(home, sizeof home, "%s", shared);
            return home;
        }
    }
    snprintf(home, sizeof home, "%s", GANC_DATADIR);
    return home;
}

/* name (libganc_train.a, libganc_sample.a) beside the ganc executable, so
 * that a build tree such as build/asan/ uses its own, else in <home>/build/ */
static const char *find_lib(char *lib, size_t size, const char *name)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            snprintf(lib, size, "%s/%s", exe, name);
            if (access(lib, R_OK) == 0)
                return lib;
        }
    }
    snprintf(lib, size, "%s/build/%s", gan_home(), name);
    return lib;
}

const char *gan_runtime_lib(void)
{
    static char lib[PATH_MAX + 32];
    return *lib ? lib : find_lib(lib, sizeof lib, "libganc_train.a");
}

const char *gan_sampler_lib(void)
{
    static char lib[PATH_MAX + 32];
    return *lib ? lib : find_lib(lib, sizeof lib, "libganc_sample.a");
}

char *gan_read_file(const char *path, long *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
            buf[n] = 0;
        } else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    if (buf && size)
        *size = n;
    return buf;
}

int gan_mkdir_p(const char *path)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0777) && errno != EEXIST)
                return -1;
            *p = '/';
        }
    if (mkdir(tmp, 0777) && errno != EEXIST)
        return -1;
    return 0;
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "ganc: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    int bad = fwrite(data, 1, len, f) != len;
    bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "ganc: error writing %s\n", path);
    return bad ? -1 : 0;
}

static int run(const char *cmd)
{
    int rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
        fprintf(stderr, "ganc: the C compiler failed:\n  %s\n", cmd);
        return -1;
    }
    return 0;
}

/* Generates one file from `tmpl` and compiles it to DIR/exe. */
static int emit_and_compile(const gan_model *m, const gan_build_opts *o, const char *dir,
                            const char *tmpl_name, const char *exe, int sampler, long embed)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/templates/%s", gan_home(), tmpl_name);
    char *tmpl = gan_read_file(path, NULL);
    if (!tmpl) {
        fprintf(stderr, "ganc: cannot read template %s (set GANC_HOME to the ganc folder)\n",
                path);
        return 1;
    }
    gan_emit_target t = { tmpl, m->path, sampler, embed };
    gan_buf text = { 0 };
    gan_emit_file(m, o->opts, &t, &text, NULL);
    free(tmpl);
    snprintf(path, sizeof path, "%s/%s.c", dir, exe);
    int rc = write_file(path, text.s, text.len);
    gan_buf_free(&text);
    if (rc)
        return 1;
    if (!o->compile)
        return 0;
    const char *home = gan_home();
    char cmd[4 * PATH_MAX];
    /* GAN_GEN_CFLAGS (build.h) for both.  The sampler stays small by
     * dropping unused runtime functions (--gc-sections), not page-aligning
     * its code apart from its data (-z noseparate-code: 4 KiB less), and
     * leaving out the unwind tables that only C++ exceptions and cancelled
     * threads read (about 5 KiB; debuggers use debug information).
     * --native adds the host's vector width (AVX-512 here: another 1.15x on
     * the trainer). */
    /* compiled from inside DIR so that .incbin finds embedded.safetensors */
    snprintf(cmd, sizeof cmd,
             "cd '%s' && %s " GAN_GEN_CFLAGS "%s -g0 -Wall -Wextra -Werror %s -I'%s/runtime' "
             "-Wl,--gc-sections%s -o %s %s.c '%s' %s -lm",
             dir, o->cc, o->native ? " -march=native" : "", o->cflags ? o->cflags : "",
             home, sampler ? " -fno-asynchronous-unwind-tables -Wl,-z,noseparate-code" : "", exe,
             exe, sampler ? gan_sampler_lib() : gan_runtime_lib(),
             sampler ? "" : "-fopenmp -lopenblas -lz");
    return run(cmd) ? 1 : 0;
}

static int copy_file(const char *from, const char *to, long *size)
{
    char *data = gan_read_file(from, size);
    if (!data) {
        fprintf(stderr, "ganc: cannot read weights file %s: %s\n", from, strerror(errno));
        return -1;
    }
    int rc = write_file(to, data, (size_t)*size);
    free(data);
    return rc;
}

int gan_build(const gan_model *m, const gan_build_opts *o)
{
    char dir[PATH_MAX];
    if (o->out_dir)
        snprintf(dir, sizeof dir, "%s", o->out_dir);
    else
        snprintf(dir, sizeof dir, "build/%s", m->name);
    if (gan_mkdir_p(dir)) {
        fprintf(stderr, "ganc: cannot create %s: %s\n", dir, strerror(errno));
        return 1;
    }
    long embed = 0;
    if (o->embed_weights) {
        char to[PATH_MAX + 32];
        snprintf(to, sizeof to, "%s/embedded.safetensors", dir);
        if (copy_file(o->embed_weights, to, &embed))
            return 2;
    }
    int rc = emit_and_compile(m, o, dir, "trainer.c", "train", 0, 0);
    if (!rc)
        rc = emit_and_compile(m, o, dir, "sampler.c", "sample", 1, embed);
    if (!rc && o->compile)
        fprintf(stderr, "ganc: built %s/train and %s/sample\n", dir, dir);
    return rc;
}

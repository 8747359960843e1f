/* build.c - see build.h.  Writes DIR/train.c and DIR/sample.c (and
 * DIR/score.c for a model with a score section) from the templates, then
 * runs the C compiler on each. */
#include "build.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "embed.h"
#include "emit.h"
#include "fatal.h"
#include "host.h"

uint64_t gan_fnv64(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

uint64_t gan_sampler_build_key(uint64_t h)
{
    h = gan_fnv64(h, GAN_VERSION, strlen(GAN_VERSION));
    char *tmpl = gan_read_template("sampler.c");
    if (tmpl)
        h = gan_fnv64(h, tmpl, strlen(tmpl));
    free(tmpl);
    struct stat st;
    if (stat(gan_sampler_lib(), &st) == 0) {
        h = gan_fnv64(h, &st.st_size, sizeof st.st_size);
        h = gan_fnv64(h, &st.st_mtime, sizeof st.st_mtime);
    }
    return h;
}

char *gan_read_template(const char *name)
{
    char path[PATH_MAX];
    const char *why = "the path is too long";
    char *text = NULL;
    if (snprintf(path, sizeof path, "%s/templates/%s", gan_home(), name) < (int)sizeof path)
        text = gan_read_file(path, NULL, &why);
    if (!text)
        fprintf(stderr, "ganc: cannot read template %s/templates/%s: %s (set GANC_HOME to the "
                        "ganc folder)\n", gan_home(), name, why);
    return text;
}

/* a malloc'd "a/b" */
static char *join(const char *a, const char *b)
{
    char *p = gan_xcalloc(strlen(a) + strlen(b) + 2, 1);
    sprintf(p, "%s/%s", a, b);
    return p;
}

/* Compiles DIR/exe.c to DIR/exe, from inside DIR so that the sampler's
 * .incbin finds embedded.safetensors.  GAN_GEN_CFLAGS (host.h) for both.
 * The sampler stays small by dropping unused runtime functions
 * (--gc-sections), not page-aligning its code apart from its data (-z
 * noseparate-code: 4 KiB less), and leaving out the unwind tables that
 * only C++ exceptions and cancelled threads read (about 5 KiB; debuggers
 * use debug information).  --native adds the host's vector width
 * (AVX-512 here: another 1.15x on the trainer). */
static int compile(const gan_build_opts *o, const char *dir, const char *exe, int sampler)
{
    char src[NAME_MAX], inc[PATH_MAX + 16];
    snprintf(src, sizeof src, "%s.c", exe);
    snprintf(inc, sizeof inc, "-I%s/runtime", gan_home());
    const char **argv = gan_xcalloc((size_t)o->n_cflags + 40, sizeof *argv);
    int n = 0;
    argv[n++] = o->cc ? o->cc : gan_cc();
    for (const char *const *f = gan_gen_cflags; *f; f++)
        argv[n++] = *f;
    if (o->native)
        argv[n++] = "-march=native";
    const char *const warn[] = { "-g0", "-Wall", "-Wextra", "-Werror", NULL };
    for (const char *const *f = warn; *f; f++)
        argv[n++] = *f;
    for (int i = 0; i < o->n_cflags; i++)
        argv[n++] = o->cflags[i];
    argv[n++] = inc;
    argv[n++] = "-Wl,--gc-sections";
    if (sampler) {
        argv[n++] = "-fno-asynchronous-unwind-tables";
        argv[n++] = "-Wl,-z,noseparate-code";
    }
    argv[n++] = "-o";
    argv[n++] = exe;
    argv[n++] = src;
    argv[n++] = sampler ? gan_sampler_lib() : gan_runtime_lib();
    if (!sampler) {
        argv[n++] = "-fopenmp";
        argv[n++] = "-lopenblas";
        argv[n++] = "-lz";
    }
    argv[n++] = "-lm";
    argv[n] = NULL;
    int rc = gan_run(argv, dir, NULL, "the C compiler");
    free(argv);
    return rc;
}

/* Generates one file from the template `tmpl_name` and compiles it to
 * DIR/exe. */
static int emit_and_compile(const gan_compiled *c, const gan_emit_target *t,
                            const gan_build_opts *o, const char *dir, const char *tmpl_name,
                            const char *exe)
{
    char *tmpl = gan_read_template(tmpl_name);
    if (!tmpl)
        return 1;
    gan_emit_target target = *t;
    target.template_text = tmpl;
    gan_buf text = { 0 };
    gan_emit_file(c, &target, &text, NULL);
    free(tmpl);
    char name[NAME_MAX];
    snprintf(name, sizeof name, "%s.c", exe);
    char *path = join(dir, name);
    int rc = gan_write_file(path, text.s, text.len);
    free(path);
    gan_buf_free(&text);
    if (rc)
        return 1;
    return o->compile && compile(o, dir, exe, t->sampler != GAN_UNIT_TRAINER) ? 1 : 0;
}

int gan_build(const gan_compiled *c, const char *model_path, const char *model_yaml,
              const gan_build_opts *o)
{
    char *dir = o->out_dir ? gan_xstrdup(o->out_dir) : join("build", c->m->name);
    int rc = 0;
    long embed = 0;
    const char *why = NULL;
    if (gan_mkdir_p(dir, &why)) {
        fprintf(stderr, "ganc: %s\n", why);
        rc = 1;
    } else if (o->embed_weights) {
        rc = gan_embed_weights(c->m, o->embed_weights, dir, &embed);
    }
    gan_emit_target t = { NULL, model_path, model_yaml, 0, 0 };
    if (!rc && !o->sampler_only)
        rc = emit_and_compile(c, &t, o, dir, "trainer.c", "train");
    t.sampler = 1;
    t.embed_size = embed;
    if (!rc)
        rc = emit_and_compile(c, &t, o, dir, "sampler.c", "sample");
    /* the scorer of a model with a score section: like the sampler, without
     * embedded weights */
    t.sampler = GAN_UNIT_SCORER;
    t.embed_size = 0;
    if (!rc && c->scorer.n && !o->sampler_only)
        rc = emit_and_compile(c, &t, o, dir, "scorer.c", "score");
    if (!rc && o->compile && !o->sampler_only && c->scorer.n)
        fprintf(stderr, "ganc: built %s/train, %s/sample and %s/score\n", dir, dir, dir);
    else if (!rc && o->compile && !o->sampler_only)
        fprintf(stderr, "ganc: built %s/train and %s/sample\n", dir, dir);
    free(dir);
    return rc;
}

/* embed.c - see embed.h. */
#include "embed.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "fatal.h"
#include "formats/rt_safetensors.h"
#include "model/rt_weights.h"

/* the file's model and architecture are this model's: 0, or -1 with err */
static int check_model(const gan_model *m, const rt_st *st, rt_err *err)
{
    const char *model = rt_st_meta(st, "model"), *hash = rt_st_meta(st, "arch_hash");
    char want[17];
    snprintf(want, sizeof want, "%016" PRIx64, gan_model_arch_hash(m));
    if (model && strcmp(model, m->name))
        return rt_errf(err, "a weights file of model '%s', expected '%s'", model, m->name);
    if (hash && strcmp(hash, want))
        return rt_errf(err, "saved by a model with architecture hash %s, this model's is %s: "
                       "the model changed since these weights were trained", hash, want);
    return 0;
}

static long tensor_numel(const gan_tensor *t)
{
    long n = 1;
    for (int k = 0; k < t->ndim; k++)
        n *= t->shape[k];
    return n;
}

/* One tensor of st under `name` into e (data and name malloc'd). */
static int read_one(const gan_tensor *t, const char *name, const rt_st *st, rt_st_entry *e,
                    rt_err *err)
{
    float *data = gan_xcalloc((size_t)tensor_numel(t), sizeof *data);
    *e = (rt_st_entry){ gan_xstrdup(name), data, t->ndim, t->shape };
    return rt_st_read_f32(st, name, data, t->ndim, t->shape, err);
}

/* The sampling network's tensors of st, read into entries[] (at most
 * 2 n_tensors): each parameter also under "ema." + its name when the file
 * has its moving average, which the sampler then uses by default as it
 * does with a weights file.  Returns the count, or -1 with err naming the
 * tensor that is missing or of another shape; *n counts the entries to
 * free either way. */
static int read_generator(const gan_model *m, const rt_st *st, rt_st_entry *e, int *n,
                          rt_err *err)
{
    for (int i = 0; i < m->n_tensors; i++) {
        const gan_tensor *t = &m->tensors[i];
        if (!gan_is_sample_net(m, t->net))
            continue;
        if (read_one(t, t->name, st, &e[(*n)++], err))
            return -1;
        char *ema = gan_strf("%s%s", RT_EMA_PREFIX, t->name);
        int rc = t->role == GAN_PARAM && rt_st_find(st, ema) ?
                 read_one(t, ema, st, &e[(*n)++], err) : 0;
        free(ema);
        if (rc)
            return -1;
    }
    return *n;
}

int gan_embed_weights(const gan_model *m, const char *from, const char *dir, long *size)
{
    rt_st st;
    rt_err err;
    if (rt_st_open_file(from, &st, &err)) {
        fprintf(stderr, "ganc: --embed-weights %s\n", err.msg);
        return 2;
    }
    rt_st_entry *e = gan_xcalloc(2 * (size_t)m->n_tensors + 1, sizeof *e);
    int n = 0, n_read = 0;
    int rc = check_model(m, &st, &err) ? -1 : read_generator(m, &st, e, &n_read, &err);
    int status = 0;
    if (rc < 0) {
        fprintf(stderr, "ganc: --embed-weights %s: %s\n", from, err.msg);
        status = 2;
    } else {
        n = rc;
        /* the file's metadata but its checksum, which the writer adds anew */
        rt_st_kv *meta = gan_xcalloc(st.n_meta + 1, sizeof *meta);
        size_t n_meta = 0;
        for (size_t k = 0; k < st.n_meta; k++)
            if (strcmp(st.meta[k].key, RT_ST_CRC_KEY))
                meta[n_meta++] = st.meta[k];
        char *to = gan_strf("%s/embedded.safetensors", dir);
        struct stat sb;
        if (rt_st_write(to, e, (size_t)n, meta, n_meta, &err) || stat(to, &sb)) {
            fprintf(stderr, "ganc: %s\n", err.msg);
            status = 1;
        } else {
            *size = (long)sb.st_size;
        }
        free(to);
        free(meta);
    }
    for (int i = 0; i < n_read; i++) {
        free((void *)e[i].data);
        free((void *)e[i].name);
    }
    free(e);
    rt_st_close(&st);
    return status;
}

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

/* The generator's tensors of st, read into entries[] (data malloc'd);
 * returns the count, or -1 with err naming the tensor that is missing or
 * of another shape. */
static int read_generator(const gan_model *m, const rt_st *st, rt_st_entry *e, rt_err *err)
{
    int n = 0;
    for (int i = 0; i < m->n_tensors; i++) {
        const gan_tensor *t = &m->tensors[i];
        if (t->net != m->gen_net)
            continue;
        float *data = gan_xcalloc((size_t)tensor_numel(t), sizeof *data);
        e[n] = (rt_st_entry){ t->name, data, t->ndim, t->shape };
        n++;
        if (rt_st_read_f32(st, t->name, data, t->ndim, t->shape, err))
            return -1;
    }
    return n;
}

int gan_embed_weights(const gan_model *m, const char *from, const char *dir, long *size)
{
    rt_st st;
    rt_err err;
    if (rt_st_open_file(from, &st, &err)) {
        fprintf(stderr, "ganc: --embed-weights %s\n", err.msg);
        return 2;
    }
    rt_st_entry *e = gan_xcalloc((size_t)m->n_tensors + 1, sizeof *e);
    int n = 0, rc = check_model(m, &st, &err) ? -1 : read_generator(m, &st, e, &err);
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
    for (int i = 0; i < m->n_tensors; i++)
        free((void *)e[i].data);
    free(e);
    rt_st_close(&st);
    return status;
}

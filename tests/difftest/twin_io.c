/* tests/difftest/twin_io.c - the float32 side of tests/difftest/twin_step.c:
 * reads the reference dump and writes the twin's, through the runtime's
 * safetensors code, which works in float.  This file is compiled as usual;
 * twin_step.c, which is compiled with float meaning double, sees only the
 * functions below, whose arguments say double where they mean it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_err.h"
#include "formats/rt_safetensors.h"
#include "twin_io.h"

enum { MAX_ENTRIES = 4096 };

static rt_st ref;
static rt_st_entry entries[MAX_ENTRIES];
static size_t n_entries;

static void fail(const char *what, const char *msg)
{
    fprintf(stderr, "twin_step: %s: %s\n", what, msg);
    exit(2);
}

void twin_open(const char *path)
{
    rt_err err;
    if (rt_st_open_file(path, &ref, &err))
        fail(path, err.msg);
}

void twin_read(const char *prefix, const char *name, double *dst, size_t n)
{
    char full[200];
    snprintf(full, sizeof full, "%s%s", prefix, name);
    const rt_st_tensor *t = rt_st_find(&ref, full);
    if (!t)
        fail(full, "not in the reference dump");
    int shape[RT_ST_MAX_NDIM];
    size_t count = 1;
    for (int d = 0; d < t->ndim; d++) {
        shape[d] = (int)t->shape[d];
        count *= t->shape[d];
    }
    if (count != n)
        fail(full, "not the size the model says");
    float *x = malloc((n + 1) * sizeof *x);
    rt_err err;
    if (!x)
        abort();
    if (rt_st_read_f32(&ref, full, x, t->ndim, shape, &err))
        fail(full, err.msg);
    for (size_t i = 0; i < n; i++)
        dst[i] = x[i];
    free(x);
}

void twin_add(const char *prefix, const char *name, const double *src, size_t n, int ndim,
              const int *shape)
{
    if (n_entries == MAX_ENTRIES)
        fail(name, "too many tensors");
    char *nm = malloc(strlen(prefix) + strlen(name) + 1);
    float *d = malloc((n + 1) * sizeof *d);
    int *sh = calloc(RT_ST_MAX_NDIM, sizeof *sh);
    if (!nm || !d || !sh)
        abort();
    strcpy(nm, prefix);
    strcat(nm, name);
    for (size_t i = 0; i < n; i++)
        d[i] = (float)src[i];
    if (ndim > 0)
        memcpy(sh, shape, (size_t)ndim * sizeof *sh);
    entries[n_entries++] = (rt_st_entry){ nm, d, ndim, sh };
}

void twin_write(const char *path, const char *model, const char *ref_path)
{
    rt_st_kv meta[] = { { "model", model }, { "twin_of", ref_path } };
    rt_err err;
    if (rt_st_write(path, entries, n_entries, meta, 2, &err))
        fail(path, err.msg);
    for (size_t i = 0; i < n_entries; i++) {
        free((void *)entries[i].name);
        free((void *)entries[i].data);
        free((void *)entries[i].shape);
    }
    rt_st_close(&ref);
}

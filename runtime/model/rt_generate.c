/* rt_generate.c - chunked generation with a padded last chunk (see rt_generate.h). */
#include "model/rt_generate.h"

#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"

void rt_generate_n(rt_generate_fn generate, int batch, int n_inputs, const size_t *in_size,
                   const float *const *in, size_t n, size_t out_size, float *out)
{
    rt_assert(batch > 0 && n_inputs >= 0);
    size_t b = (size_t)batch, ni = (size_t)n_inputs;
    float **bufs = rt_xcalloc(ni + 1, sizeof *bufs);
    for (size_t i = 0; i < ni; i++)
        bufs[i] = rt_xcalloc(b * in_size[i] + 1, sizeof(float));
    float *obuf = rt_xmalloc(b * out_size * sizeof(float));
    for (size_t first = 0; first < n; first += b) {
        size_t k = n - first < b ? n - first : b;
        for (size_t i = 0; i < ni; i++) {
            memset(bufs[i], 0, b * in_size[i] * sizeof(float));
            memcpy(bufs[i], in[i] + first * in_size[i], k * in_size[i] * sizeof(float));
        }
        generate(obuf, (const float *const *)bufs);
        memcpy(out + first * out_size, obuf, k * out_size * sizeof(float));
    }
    for (size_t i = 0; i < ni; i++)
        free(bufs[i]);
    free(bufs);
    free(obuf);
}

void rt_generate_sampler(const rt_sampler_model *m, const float *const *in, size_t n,
                         float *out)
{
    size_t ni = (size_t)m->n_inputs, many = 0;
    size_t *size = rt_xcalloc(ni + 1, sizeof *size);
    const float **rest = rt_xcalloc(ni + 1, sizeof *rest);
    for (size_t i = 0; i < ni; i++)
        size[i] = m->inputs[i].size;
    if (m->generate_many && m->many_batch > 0) {
        many = n / (size_t)m->many_batch * (size_t)m->many_batch;
        rt_generate_n(m->generate_many, m->many_batch, m->n_inputs, size, in, many,
                      m->out_size, out);
    }
    for (size_t i = 0; i < ni; i++)
        rest[i] = in[i] + many * size[i];
    rt_generate_n(m->generate, m->batch, m->n_inputs, size, rest, n - many, m->out_size,
                  out + many * m->out_size);
    free(size);
    free(rest);
}

/* rt_generate.c - chunked generation with a padded last chunk (see rt_generate.h). */
#include "model/rt_generate.h"

#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"

void rt_generate_n(rt_generate_fn generate, int batch, size_t latent_size,
                   size_t sample_size, const float *z, size_t n, float *out)
{
    rt_assert(batch > 0);
    size_t b = (size_t)batch;
    float *zbuf = rt_xcalloc(b * latent_size, sizeof(float));
    float *obuf = rt_xmalloc(b * sample_size * sizeof(float));
    for (size_t first = 0; first < n; first += b) {
        size_t k = n - first < b ? n - first : b;
        memset(zbuf, 0, b * latent_size * sizeof(float));
        memcpy(zbuf, z + first * latent_size, k * latent_size * sizeof(float));
        generate(obuf, zbuf);
        memcpy(out + first * sample_size, obuf, k * sample_size * sizeof(float));
    }
    free(zbuf);
    free(obuf);
}

void rt_generate_sampler(const rt_sampler_model *m, const float *z, size_t n, float *out)
{
    size_t latent = (size_t)m->latent_size, many = 0;
    if (m->generate_many && m->many_batch > 0) {
        many = n / (size_t)m->many_batch * (size_t)m->many_batch;
        rt_generate_n(m->generate_many, m->many_batch, latent, m->sample_size, z, many, out);
    }
    rt_generate_n(m->generate, m->batch, latent, m->sample_size, z + many * latent, n - many,
                  out + many * m->sample_size);
}

/* rt_rng.c - xoshiro256** seeded by splitmix64, Box-Muller normals.
 * Follows the reference C code at https://prng.di.unimi.it/ (public domain). */
#include "core/rt_rng.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/rt_err.h"

static const double TWO_PI = 6.283185307179586476925286766559;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void rt_rng_seed_stream(rt_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed;
    if (stream) {
        /* mix the stream id through splitmix so nearby ids are unrelated */
        uint64_t t = stream;
        x ^= splitmix64(&t);
    }
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0;
}

void rt_rng_seed(rt_rng *r, uint64_t seed)
{
    rt_rng_seed_stream(r, seed, 0);
}

uint64_t rt_rng_u64(rt_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rt_rng_uniform(rt_rng *r)
{
    return (double)(rt_rng_u64(r) >> 11) * 0x1.0p-53;
}

double rt_rng_normal(rt_rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u1 = 1.0 - rt_rng_uniform(r);   /* (0, 1]: log is finite */
    double u2 = rt_rng_uniform(r);
    double radius = sqrt(-2.0 * log(u1));
    r->spare = radius * sin(TWO_PI * u2);
    r->has_spare = 1;
    return radius * cos(TWO_PI * u2);
}

uint64_t rt_rng_below(rt_rng *r, uint64_t n)
{
    rt_assert(n > 0);
    uint64_t threshold = (0 - n) % n;   /* 2^64 mod n: reject the biased tail */
    for (;;) {
        uint64_t x = rt_rng_u64(r);
        if (x >= threshold)
            return x % n;
    }
}

void rt_rng_fill_normal(rt_rng *r, float *x, size_t n, float mean, float std)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(mean + std * rt_rng_normal(r));
}

void rt_rng_fill_uniform(rt_rng *r, float *x, size_t n, float lo, float hi)
{
    float top = hi > lo ? nextafterf(hi, lo) : lo;   /* rounding must not reach hi */
    for (size_t i = 0; i < n; i++) {
        float v = (float)(lo + ((double)hi - lo) * rt_rng_uniform(r));
        x[i] = v < hi ? v : top;
    }
}

/* "s0 s1 s2 s3 spare-flag spare-bits": 4 * 17 + 2 + 16 = 86 characters */
void rt_rng_format(const rt_rng *r, char buf[RT_RNG_TEXT])
{
    uint64_t spare;
    memcpy(&spare, &r->spare, sizeof spare);   /* the double's exact bits */
    snprintf(buf, RT_RNG_TEXT, "%016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64
             " %d %016" PRIx64, r->s[0], r->s[1], r->s[2], r->s[3], r->has_spare ? 1 : 0, spare);
}

int rt_rng_parse(const char *text, rt_rng *r)
{
    rt_rng x;
    uint64_t spare;
    int used = 0;
    if (strlen(text) != RT_RNG_TEXT - 1 ||
        sscanf(text, "%16" SCNx64 " %16" SCNx64 " %16" SCNx64 " %16" SCNx64 " %d %16" SCNx64 "%n",
               &x.s[0], &x.s[1], &x.s[2], &x.s[3], &x.has_spare, &spare, &used) != 6 ||
        used != RT_RNG_TEXT - 1 || (x.has_spare != 0 && x.has_spare != 1))
        return -1;
    memcpy(&x.spare, &spare, sizeof spare);
    *r = x;
    return 0;
}

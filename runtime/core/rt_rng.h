/* rt_rng.h - the runtime's seeded random number generator.
 *
 * xoshiro256** (Blackman & Vigna), seeded through splitmix64 so that any
 * 64-bit seed (0 included) gives a good state.  The same seed always gives
 * the same stream on every platform.  rt_rng_seed_stream derives independent
 * streams from one user seed (e.g. training vs fixed evaluation latents).
 * Normals use Box-Muller and cache the second value of each pair.
 * Leaves out: jump(), thread safety (one rt_rng per thread), cryptography.
 */
#ifndef RT_RNG_H
#define RT_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t s[4];
    int has_spare;   /* Box-Muller cache */
    double spare;
} rt_rng;

void rt_rng_seed(rt_rng *r, uint64_t seed);
/* A stream that depends on both seed and stream id; stream 0 == rt_rng_seed. */
void rt_rng_seed_stream(rt_rng *r, uint64_t seed, uint64_t stream);

uint64_t rt_rng_u64(rt_rng *r);
double rt_rng_uniform(rt_rng *r);          /* [0, 1), 53 random bits */
double rt_rng_normal(rt_rng *r);           /* N(0, 1) */
uint64_t rt_rng_below(rt_rng *r, uint64_t n);   /* uniform in [0, n), unbiased; n > 0 */

void rt_rng_fill_normal(rt_rng *r, float *x, size_t n, float mean, float std);
/* The whole state as text (RT_RNG_TEXT bytes with the NUL), and back:
 * checkpoints keep it in their metadata.  rt_rng_parse returns 0, or -1
 * for text that is not such a state. */
#define RT_RNG_TEXT 87
void rt_rng_format(const rt_rng *r, char buf[RT_RNG_TEXT]);
int rt_rng_parse(const char *text, rt_rng *r);

void rt_rng_fill_uniform(rt_rng *r, float *x, size_t n, float lo, float hi);

#endif

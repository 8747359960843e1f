/* rt_math.h - elementary functions for generated loops.
 *
 * libm's tanhf is one call per element, which keeps a loop from being
 * vectorized: a generator's tanh output layer spent as long in tanhf as in
 * all its other elementwise work.  These are branch-free (selects only),
 * so the compiler vectorizes the loops that use them.  Each is tested
 * against the double-precision libm function over a dense sweep of floats
 * (tests/test_rt_math.c).
 */
#ifndef RT_MATH_H
#define RT_MATH_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* e^t for 0 <= t <= 88: t = n ln 2 + r, |r| <= ln 2 / 2 (ln 2 in two
 * parts, so n ln 2 is exact for the n that occur), e^r by its Taylor
 * series to r^7 (error below 1e-8), times 2^n built in the exponent
 * bits. */
static inline float rt_exp_nonneg(float t)
{
    const float n = (float)(int32_t)(t * 1.44269504f + 0.5f);
    const float r = (t - n * 0.693359375f) + n * 2.12194440e-4f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const uint32_t bits = (uint32_t)((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

/* tanh(x) within 2 ulp of the exact value, NaN for NaN.  |x| < 0.625: x
 * times a polynomial in x^2 (least-squares fit, 0.8 ulp); above:
 * 1 - 2 / (e^2|x| + 1), without cancellation there since the result is
 * over 0.55; |x| >= 10 rounds to 1. */
static inline float rt_tanhf(float x)
{
    const float ax = fabsf(x);
    const float a = ax < 10.0f ? ax : 10.0f;   /* NaN too (fminf would be a call) */
    const float u = a * a;
    float p = -0.005731123499572277f;
    p = p * u + 0.02066466398537159f;
    p = p * u - 0.05374842509627342f;
    p = p * u + 0.13331560790538788f;
    p = p * u - 0.3333328664302826f;
    const float small = a + a * u * p;
    const float large = 1.0f - 2.0f / (rt_exp_nonneg(2.0f * a) + 1.0f);
    const float r = copysignf(a < 0.625f ? small : large, x);
    return x != x ? x : r;
}

#endif

/* rt_mixture.c - PacGAN ring8/grid25 sampling and evaluation (see rt_mixture.h). */
#include "data/rt_mixture.h"

#include <math.h>
#include <stdlib.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"

#define RING_MODES 8
#define GRID_SIDE 5
#define GRID_MODES (GRID_SIDE * GRID_SIDE)
#define HQ_STDS 3.0   /* PacGAN: high quality within 3 standard deviations */
/* issue 15: a mode is well covered with 20 HQ points of every 2,500 */
#define WELL_COVERED_HITS 20
#define WELL_COVERED_OF 2500

static const double TWO_PI = 6.283185307179586476925286766559;

int rt_mixture_is_kind(int kind)
{
    return kind == RT_DATA_RING8 || kind == RT_DATA_GRID25;
}

const char *rt_mixture_name(int kind)
{
    rt_assert(rt_mixture_is_kind(kind));
    return kind == RT_DATA_RING8 ? "ring8" : "grid25";
}

int rt_mixture_modes(int kind)
{
    rt_assert(rt_mixture_is_kind(kind));
    return kind == RT_DATA_RING8 ? RING_MODES : GRID_MODES;
}

double rt_mixture_std(int kind)
{
    rt_assert(rt_mixture_is_kind(kind));
    return kind == RT_DATA_RING8 ? 0.01 : 0.05;
}

double rt_mixture_extent(int kind)
{
    rt_assert(rt_mixture_is_kind(kind));
    return kind == RT_DATA_RING8 ? 1.5 : 6.0;
}

void rt_mixture_centre(int kind, int mode, double *x, double *y)
{
    rt_assert(mode >= 0 && mode < rt_mixture_modes(kind));
    if (kind == RT_DATA_RING8) {
        *x = cos(TWO_PI * mode / RING_MODES);
        *y = sin(TWO_PI * mode / RING_MODES);
    } else {
        *x = -4.0 + 2.0 * (mode / GRID_SIDE);
        *y = -4.0 + 2.0 * (mode % GRID_SIDE);
    }
}

void rt_mixture_sample(int kind, rt_rng *r, float *pts, size_t n)
{
    int k = rt_mixture_modes(kind);
    double std = rt_mixture_std(kind);
    for (size_t i = 0; i < n; i++) {
        double cx, cy;
        rt_mixture_centre(kind, (int)rt_rng_below(r, (uint64_t)k), &cx, &cy);
        pts[2 * i] = (float)(cx + std * rt_rng_normal(r));
        pts[2 * i + 1] = (float)(cy + std * rt_rng_normal(r));
    }
}

/* Index of the mode nearest to (x, y) and its squared distance, given
 * the k centres (cx[j], cy[j]). */
static int nearest_mode(const double *cx, const double *cy, int k, double x, double y,
                        double *d2)
{
    int best = 0;
    double best_d2 = INFINITY;
    for (int j = 0; j < k; j++) {
        double d = (x - cx[j]) * (x - cx[j]) + (y - cy[j]) * (y - cy[j]);
        if (d < best_d2) {
            best_d2 = d;
            best = j;
        }
    }
    *d2 = best_d2;
    return best;
}

rt_mixture_score rt_mixture_evaluate(int kind, const float *pts, size_t n)
{
    int k = rt_mixture_modes(kind);
    double radius = HQ_STDS * rt_mixture_std(kind);
    size_t *hits = rt_xcalloc((size_t)k, sizeof *hits);
    double cx[GRID_MODES], cy[GRID_MODES];
    for (int j = 0; j < k; j++)
        rt_mixture_centre(kind, j, &cx[j], &cy[j]);
    size_t hq = 0;
    for (size_t i = 0; i < n; i++) {
        double d2;
        int j = nearest_mode(cx, cy, k, pts[2 * i], pts[2 * i + 1], &d2);
        if (d2 <= radius * radius) {   /* NaN points fail this test */
            hits[j]++;
            hq++;
        }
    }
    rt_mixture_score s = { 0, k, n ? (double)hq / (double)n : 0.0, NAN, 0 };
    if (hq > 0)
        s.reverse_kl = 0;
    for (int j = 0; j < k; j++) {
        if (!hits[j])
            continue;
        double p = (double)hits[j] / (double)hq;
        s.modes_captured++;
        /* hits / n >= 20 / 2500 multiplied out: exact in double, no rounding at the edge */
        if ((double)hits[j] * WELL_COVERED_OF >= (double)n * WELL_COVERED_HITS)
            s.modes_well_covered++;
        s.reverse_kl += p * log(p * k);
    }
    free(hits);
    return s;
}

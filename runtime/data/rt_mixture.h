/* rt_mixture.h - the PacGAN 2D Gaussian mixtures and their evaluation.
 *
 * kind is RT_DATA_RING8 or RT_DATA_GRID25 (rt_model.h):
 *   ring8:  8 modes at (cos 2*pi*i/8, sin 2*pi*i/8), std 0.01
 *   grid25: 25 modes at (i, j), i, j in {-4,-2,0,2,4} (i outer), std 0.05
 * Sampling picks a mode uniformly, then adds isotropic Gaussian noise.
 * Evaluation follows the protocol of PacGAN's table 1 (Lin et al.,
 * NeurIPS 2018), on the 2,500 points the trainer generates (any n here):
 *   - a point is high quality (HQ) if it lies within 3 std (Euclidean, in
 *     2D) of its nearest mode centre; the 3-std discs of two modes never
 *     meet (ring8: 0.03 against 0.77 between centres; grid25: 0.15
 *     against 2), so "of its nearest centre" and "of some centre" agree;
 *   - a mode is captured if at least one HQ point is at it (it is the
 *     point's nearest centre);
 *   - reverse KL is KL(p || uniform) = sum over modes with p > 0 of
 *     p log(p K), p = the histogram of HQ points over the modes,
 *     normalised (points that are not HQ are left out, not binned);
 *   - issue 15 also reports the modes at which at least 20 of every 2,500
 *     points (0.8%) are HQ, which one stray point cannot fake: with
 *     n points, hits * 2500 >= 20 n, and at least one hit.
 * NaN points are never HQ.  docs/model-language.md ("Scores of the 2D
 * mixtures") says the same for users.
 * Points are stored interleaved: x0 y0 x1 y1 ...
 * Leaves out: other mixtures, weighted modes, per-mode statistics.
 */
#ifndef RT_MIXTURE_H
#define RT_MIXTURE_H

#include <stddef.h>

#include "core/rt_rng.h"
#include "model/rt_model.h"

typedef struct {
    int modes_captured;   /* modes with >= 1 high-quality point */
    int n_modes;
    double hq_fraction;   /* HQ points / all points (0 when n == 0) */
    double reverse_kl;    /* KL(HQ histogram || uniform); NaN when no HQ point */
    int modes_well_covered;   /* modes with >= 20 HQ points per 2,500 points */
} rt_mixture_score;

int rt_mixture_is_kind(int kind);               /* ring8 or grid25? */
const char *rt_mixture_name(int kind);          /* "ring8", "grid25" */
int rt_mixture_modes(int kind);                 /* K */
double rt_mixture_std(int kind);
void rt_mixture_centre(int kind, int mode, double *x, double *y);
/* A good plotting half-width for the kind (1.5 for ring8, 6 for grid25). */
double rt_mixture_extent(int kind);

/* Writes n points (2n floats) drawn from the mixture. */
void rt_mixture_sample(int kind, rt_rng *r, float *pts, size_t n);

rt_mixture_score rt_mixture_evaluate(int kind, const float *pts, size_t n);

#endif

/* rt_transform.h - the transforms of a data source's images (data:
 * transform:, rt_transform in model/rt_model.h): area downsampling,
 * nearest upsampling, a fixed or a randomly placed box set to a value,
 * thresholded Sobel edges.
 *
 * Images are (C, H, W) floats, channel-major, in [-1, 1]; every transform
 * treats each channel alike.  A list is applied in order; its shape is
 * checked (and the result's computed) by rt_transform_shape before any
 * image is touched, so the kernels assume valid arguments.
 * Randomness (MASK_RANDOM's place) comes from the caller's rng, so the
 * training rng decides it and a checkpoint's rng state covers it.
 * Leaves out: interpolating resizes (bilinear, bicubic), rotations, flips,
 * colour changes.
 */
#ifndef RT_TRANSFORM_H
#define RT_TRANSFORM_H

#include <stddef.h>

#include "core/rt_err.h"
#include "core/rt_rng.h"
#include "model/rt_model.h"

/* The shape of images of shape in[0..3) after t[0..n): 0 and out[0..3),
 * or -1 with err naming `what` (e.g. "data source 'edges'"), the
 * transform (counting from 1) and what was expected. */
int rt_transform_shape(const rt_transform *t, int n, const int in[3], int out[3],
                       const char *what, rt_err *err);

/* The index of the first transform applied when a sample is drawn (the
 * first MASK_RANDOM: it and all after it), or n when none is. */
int rt_transform_first_random(const rt_transform *t, int n);

/* The most floats an image takes anywhere along t[0..n) from shape in
 * (the list checked by rt_transform_shape). */
size_t rt_transform_max_size(const rt_transform *t, int n, const int in[3]);

/* One transform: in (of shape `shape`) into out (of the shape the
 * transform makes); in and out must not overlap.  rng is used by
 * MASK_RANDOM only (may be NULL otherwise). */
void rt_transform_one(const rt_transform *t, const float *in, const int shape[3], float *out,
                      rt_rng *rng);

/* t[0..n) on one image of shape in, into out.  work holds two buffers of
 * rt_transform_max_size floats each (2 * that size in all); in and out may
 * be the same array. */
void rt_transform_chain(const rt_transform *t, int n, const int in[3], const float *src,
                        float *out, float *work, rt_rng *rng);

/* "downsample to 14x14, edges over 0.2", in buf (at most cap bytes) */
const char *rt_transform_describe(const rt_transform *t, int n, char *buf, size_t cap);

#endif

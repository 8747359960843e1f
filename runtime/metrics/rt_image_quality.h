/* rt_image_quality.h - how close output images are to their targets, pixel
 * by pixel: what image-to-image models (Pix2Pix, SRGAN, inpainting) are
 * reported with beside the distribution metrics.
 *
 * Images are float (C, H, W) in ganc's range [-1, 1]; both metrics are
 * computed on them mapped to [0, 1] (data range 1), as SR papers compute
 * them on 8-bit images scaled to [0, 1].
 *
 * PSNR = 10 log10(1 / MSE) per image, capped at RT_PSNR_MAX dB for identical
 * images (MSE 0); a set's PSNR is the mean over its images.
 * SSIM (Wang et al. 2004) per channel with an 11 x 11 Gaussian window of
 * standard deviation 1.5, K1 = 0.01, K2 = 0.03, population (co)variances,
 * averaged over the window positions that lie wholly inside the image and
 * then over channels: skimage.metrics.structural_similarity with
 * gaussian_weights=True, use_sample_covariance=False, data_range=1 gives the
 * same (it also crops the border where the window does not fit).  Images
 * smaller than the window are refused by the caller (rt_ssim_fits).
 * Leaves out: multi-scale SSIM, colour conversions (Y channel PSNR).
 */
#ifndef RT_IMAGE_QUALITY_H
#define RT_IMAGE_QUALITY_H

#include <stddef.h>

#define RT_PSNR_MAX 100.0
#define RT_SSIM_WINDOW 11

/* Mean absolute difference of n values, in the images' own range. */
double rt_mean_abs_diff(const float *a, const float *b, size_t n);

/* PSNR in dB of one image of n values in [-1, 1] against another. */
double rt_psnr(const float *a, const float *b, size_t n);

/* 1 when an image of height h and width w holds the SSIM window. */
int rt_ssim_fits(int h, int w);

/* SSIM of one (c, h, w) image against another, both in [-1, 1]. */
double rt_ssim(const float *a, const float *b, int c, int h, int w);

#endif

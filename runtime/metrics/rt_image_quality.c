/* rt_image_quality.c - PSNR and SSIM of image pairs (see the header). */
#include "metrics/rt_image_quality.h"

#include <math.h>

#define K1 0.01
#define K2 0.03
#define SIGMA 1.5

double rt_mean_abs_diff(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += fabs((double)a[i] - (double)b[i]);
    return n ? s / (double)n : NAN;
}

double rt_psnr(const float *a, const float *b, size_t n)
{
    double se = 0;
    for (size_t i = 0; i < n; i++) {
        double d = ((double)a[i] - (double)b[i]) / 2;   /* [-1, 1] -> [0, 1] */
        se += d * d;
    }
    if (se == 0)
        return RT_PSNR_MAX;
    double psnr = -10 * log10(se / (double)n);
    return psnr < RT_PSNR_MAX ? psnr : RT_PSNR_MAX;
}

int rt_ssim_fits(int h, int w)
{
    return h >= RT_SSIM_WINDOW && w >= RT_SSIM_WINDOW;
}

/* the normalized Gaussian window, one axis (the 2D window is its outer
 * product, so the weighted sums are separable) */
static void gaussian(double g[RT_SSIM_WINDOW])
{
    double sum = 0;
    for (int i = 0; i < RT_SSIM_WINDOW; i++) {
        double x = i - RT_SSIM_WINDOW / 2;
        g[i] = exp(-x * x / (2 * SIGMA * SIGMA));
        sum += g[i];
    }
    for (int i = 0; i < RT_SSIM_WINDOW; i++)
        g[i] /= sum;
}

/* the SSIM of one channel, mapped to [0, 1], averaged over window places */
static double ssim_channel(const float *a, const float *b, int h, int w, const double *g)
{
    const double c1 = K1 * K1, c2 = K2 * K2;
    double total = 0;
    int places = 0;
    for (int y = 0; y + RT_SSIM_WINDOW <= h; y++)
        for (int x = 0; x + RT_SSIM_WINDOW <= w; x++) {
            double ma = 0, mb = 0, aa = 0, bb = 0, ab = 0;
            for (int i = 0; i < RT_SSIM_WINDOW; i++)
                for (int j = 0; j < RT_SSIM_WINDOW; j++) {
                    double wt = g[i] * g[j];
                    size_t k = (size_t)(y + i) * (size_t)w + (size_t)(x + j);
                    double va = (a[k] + 1.0) / 2, vb = (b[k] + 1.0) / 2;
                    ma += wt * va;
                    mb += wt * vb;
                    aa += wt * va * va;
                    bb += wt * vb * vb;
                    ab += wt * va * vb;
                }
            double va = aa - ma * ma, vb = bb - mb * mb, cov = ab - ma * mb;
            total += (2 * ma * mb + c1) * (2 * cov + c2) /
                     ((ma * ma + mb * mb + c1) * (va + vb + c2));
            places++;
        }
    return total / places;
}

double rt_ssim(const float *a, const float *b, int c, int h, int w)
{
    double g[RT_SSIM_WINDOW], s = 0;
    gaussian(g);
    size_t plane = (size_t)h * (size_t)w;
    for (int ch = 0; ch < c; ch++)
        s += ssim_channel(a + ch * plane, b + ch * plane, h, w, g);
    return s / c;
}

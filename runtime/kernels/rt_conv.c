/* rt_conv.c - im2col columns gathered into GEMM panels (see rt_conv.h). */
#include "kernels/rt_conv.h"

#include "kernels/rt_gemm.h"

void rt_conv_gather(const void *ctx, int p0, int kc, int j0, int w, float *panel)
{
    const rt_conv_src *s = ctx;
    /* per column of the panel: where its window starts in the image (may
     * lie outside: iy0, ix0 < 0), found once, stepping through (b, oy, ox) */
    long at[RT_GEMM_NR];
    int iy0[RT_GEMM_NR], ix0[RT_GEMM_NR];
    int plane = s->oh * s->ow, col = s->col0 + j0;
    int b = col / plane, oy = col % plane / s->ow, ox = col % s->ow;
    for (int j = 0; j < w; j++) {
        iy0[j] = oy * s->stride - s->pad;
        ix0[j] = ox * s->stride - s->pad;
        at[j] = ((long)b * s->c * s->h + iy0[j]) * s->w + ix0[j];
        if (++ox == s->ow) {
            ox = 0;
            if (++oy == s->oh)
                oy = 0, b++;
        }
    }
    /* per row: one tap (c, ky, kx), stepping likewise */
    int kx = p0 % s->kw, ky = p0 / s->kw % s->kh, c = p0 / (s->kw * s->kh);
    for (int p = 0; p < kc; p++) {
        float *row = panel + (long)p * RT_GEMM_NR;
        long tap = ((long)c * s->h + ky) * s->w + kx;
        for (int j = 0; j < w; j++) {
            unsigned iy = (unsigned)(iy0[j] + ky), ix = (unsigned)(ix0[j] + kx);
            row[j] = iy < (unsigned)s->h && ix < (unsigned)s->w ? s->x[at[j] + tap] : 0.0f;
        }
        for (int j = w; j < RT_GEMM_NR; j++)
            row[j] = 0.0f;
        if (++kx == s->kw) {
            kx = 0;
            if (++ky == s->kh)
                ky = 0, c++;
        }
    }
}

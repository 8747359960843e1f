/* rt_conv.h - a convolution's im2col matrix as a GEMM operand that is
 * never written out: rt_conv_gather fills rt_sgemm_gather's packed panels
 * straight from the image (an implicit GEMM).
 *
 * The matrix is the one gen/emit_conv.c's im2col writes: row
 * (c*KH + ky)*KW + kx, column b*OH*OW + oy*OW + ox (from col0 on, so that
 * threads can each take a block of columns), entry x[b][c][oy*S - P + ky]
 * [ox*S - P + kx], or 0 outside the image.  The product
 * weight[O x C*KH*KW] . that matrix is the convolution, [O x B*OH*OW].
 */
#ifndef RT_CONV_H
#define RT_CONV_H

typedef struct {
    const float *x;     /* the input, [B][C][H][W] */
    int c, h, w;        /* its channels, height, width */
    int kh, kw, stride, pad;
    int oh, ow;         /* the output's height and width */
    int col0;           /* the first column this product covers */
} rt_conv_src;

/* rt_gather_b for an rt_conv_src (ctx). */
void rt_conv_gather(const void *ctx, int p0, int kc, int j0, int w, float *panel);

#endif

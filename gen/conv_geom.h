/* conv_geom.h - the geometry of the IR's convolutions, shared by the
 * planner (what to compute, how much scratch) and the emitters (the
 * constants they print): a pure function of the graph.
 *
 * The three convolution ops (ir.h) are described by one set of sizes:
 * the large side (a conv2d's input, a transposed conv's output) B x C x H
 * x W, the small side O x OH x OW, and the kernel KH x KW, stride S,
 * padding P of the forward convolution.
 */
#ifndef GAN_CONV_GEOM_H
#define GAN_CONV_GEOM_H

#include "ir.h"

typedef struct {
    int B, C, H, W;        /* the large side */
    int O, OH, OW;         /* the small side */
    int KH, KW, S, P;
} gan_conv_dims;

/* Node x must be IR_CONV2D, IR_CONV2D_T or IR_CONV2D_WGRAD. */
gan_conv_dims gan_conv_dims_of(const ir_graph *g, int x);

/* M, N, K of node x's GEMM form: one product for the whole batch
 *   conv2d        [O x C*KH*KW] . [C*KH*KW x B*OH*OW]   (im2col columns)
 *   conv2d_t      [C*KH*KW x O] . [O x B*OH*OW]         (then col2im)
 *   conv2d_wgrad  [O x B*OH*OW] . [B*OH*OW x C*KH*KW]   (against im2col) */
void gan_conv_gemm_dims(const ir_graph *g, int x, long *m, long *n, long *k);

/* floats of scratch the GEMM form of node x uses: the [C*KH*KW x B*OH*OW]
 * column matrix and an [O x B*OH*OW] matrix after it */
long gan_conv_gemm_scratch(const ir_graph *g, int x);

/* A transposed convolution's col2im by phase planes: output row
 * iy = a*S + py belongs to row phase py; tap ky adds small row oy to row
 * a = oy + dy of phase py, where py = (ky - P) mod S, dy = floor((ky - P) /
 * S); columns alike.  A phase plane holds rows a from min(dy) to max(OH -
 * 1 + dy) with a margin for the taps that fall outside the image, so
 * every tap adds a whole OH x OW block at a fixed offset, no bounds
 * tested.  bb: samples side by side in each entry (innermost). */
typedef struct {
    int rows, cols;        /* of one phase plane, margins included */
    int row0, col0;        /* where a = 0, j = 0 lie in it */
    int bb;                /* samples per entry */
} gan_phase_planes;

/* the phase planes' largest size in floats (on each thread's stack, in L1) */
enum { GAN_PHASE_FLOATS = 8192 };

/* Phase planes for d of at most GAN_PHASE_FLOATS floats, as many samples
 * per entry as fit, up to 16 and dividing B; 0 when one sample's planes
 * are too large. */
int gan_phase_planes_of(const gan_conv_dims *d, gan_phase_planes *ph);

/* floor(a / s) for s > 0 */
int gan_floor_div(int a, int s);

#endif

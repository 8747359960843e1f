/* conv_geom.c - see conv_geom.h. */
#include "conv_geom.h"

gan_conv_dims gan_conv_dims_of(const ir_graph *g, int x)
{
    const ir_node *n = &g->n[x];
    ir_shape big, small, w;
    if (n->op == IR_CONV2D) {
        big = g->n[n->in[0]].shape; w = g->n[n->in[1]].shape; small = n->shape;
    } else if (n->op == IR_CONV2D_T) {
        small = g->n[n->in[0]].shape; w = g->n[n->in[1]].shape; big = n->shape;
    } else {
        big = g->n[n->in[0]].shape; small = g->n[n->in[1]].shape; w = n->shape;
    }
    gan_conv_dims d = { big.d[0], big.d[1], big.d[2], big.d[3], small.d[1], small.d[2],
                        small.d[3], w.d[2], w.d[3], n->stride, n->pad };
    return d;
}

void gan_conv_gemm_dims(const ir_graph *g, int x, long *m, long *n, long *k)
{
    gan_conv_dims d = gan_conv_dims_of(g, x);
    long ckk = (long)d.C * d.KH * d.KW;
    switch (g->n[x].op) {
    case IR_CONV2D: *m = d.O; *n = (long)d.B * d.OH * d.OW; *k = ckk; break;
    case IR_CONV2D_T: *m = ckk; *n = (long)d.B * d.OH * d.OW; *k = d.O; break;
    default: *m = d.O; *n = ckk; *k = (long)d.B * d.OH * d.OW; break;
    }
}

long gan_conv_gemm_scratch(const ir_graph *g, int x)
{
    gan_conv_dims d = gan_conv_dims_of(g, x);
    long ckk = (long)d.C * d.KH * d.KW;
    return ckk * d.B * d.OH * d.OW + (long)d.O * d.B * d.OH * d.OW;
}

int gan_floor_div(int a, int s)
{
    return a >= 0 ? a / s : -((-a + s - 1) / s);
}

static void phase_axis(int small, int big, int k, int s, int p, int *n, int *origin)
{
    int lo = gan_floor_div(-p, s), hi = small - 1 + gan_floor_div(k - 1 - p, s);
    if (lo > 0)
        lo = 0;
    if (hi < (big - 1) / s)
        hi = (big - 1) / s;
    *n = hi - lo + 1;
    *origin = -lo;
}

int gan_phase_planes_of(const gan_conv_dims *d, gan_phase_planes *ph)
{
    phase_axis(d->OH, d->H, d->KH, d->S, d->P, &ph->rows, &ph->row0);
    phase_axis(d->OW, d->W, d->KW, d->S, d->P, &ph->cols, &ph->col0);
    long one = (long)d->S * d->S * ph->rows * ph->cols;
    for (ph->bb = d->B < 16 ? d->B : 16; ph->bb > 0; ph->bb--)
        if (d->B % ph->bb == 0 && one * ph->bb <= GAN_PHASE_FLOATS)
            return 1;
    return 0;
}

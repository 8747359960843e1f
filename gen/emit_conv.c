/* emit_conv.c - direct loop nests for the image ops of the IR: conv2d, its
 * transpose, its weight gradient, nearest upsampling and sum pooling.
 *
 * Kernel taps (loops of at most `unroll` iterations) are written out with
 * literal offsets, so the compiler sees every index as a constant plus the
 * loop variables; conv2d and conv2d_t apply their elementwise consumer
 * (bias, normalization, activation) to the accumulator before storing it.
 */
#include "emit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef gan_conv_dims conv_dims;

static void declare(gan_buf *o, const conv_dims *d)
{
    gan_buf_printf(o, "    enum { B = %d, C = %d, H = %d, W = %d, O = %d, OH = %d, OW = %d,\n"
                      "           KH = %d, KW = %d, S = %d, P = %d };\n",
                   d->B, d->C, d->H, d->W, d->O, d->OH, d->OW, d->KH, d->KW, d->S, d->P);
}

/* One multiply-add per tap; `tap` is called with ky, kx as literals when
 * the taps are unrolled, or as loop variables. */
typedef void (*tap_fn)(gan_buf *o, const char *ky, const char *kx, int lvl, const void *ctx);

static void emit_taps(gan_buf *o, const conv_dims *d, int unrolled, tap_fn f, const void *ctx,
                      int lvl)
{
    if (unrolled) {
        for (int i = 0; i < d->KH; i++)
            for (int j = 0; j < d->KW; j++) {
                char ky[8], kx[8];
                snprintf(ky, sizeof ky, "%d", i);
                snprintf(kx, sizeof kx, "%d", j);
                f(o, ky, kx, lvl, ctx);
            }
        return;
    }
    gan_indent(o, lvl);
    gan_buf_put(o, "for (int ky = 0; ky < KH; ky++)\n");
    gan_indent(o, lvl + 1);
    gan_buf_put(o, "for (int kx = 0; kx < KW; kx++) {\n");
    f(o, "ky", "kx", lvl + 2, ctx);
    gan_indent(o, lvl + 1);
    gan_buf_put(o, "}\n");
}

/* conv2d: out(b,o,oy,ox) += x(b,c, oy*S-P+ky, ox*S-P+kx) * w(o,c,ky,kx) */
static void conv_tap(gan_buf *o, const char *ky, const char *kx, int lvl, const void *ctx)
{
    (void)ctx;
    gan_indent(o, lvl);
    gan_buf_printf(o, "{ const int iy = oy*S - P + %s, ix = ox*S - P + %s;\n", ky, kx);
    gan_indent(o, lvl);
    gan_buf_printf(o, "  if (iy >= 0 && iy < H && ix >= 0 && ix < W)\n");
    gan_indent(o, lvl);
    gan_buf_printf(o, "      acc += xc[iy*W + ix] * wc[%s*KW + %s]; }\n", ky, kx);
}

/* conv2d_t: out(b,o,y,x) += in(b,c,(y+P-ky)/S,(x+P-kx)/S) * w(c,o,ky,kx), where divisible */
static void convt_tap(gan_buf *o, const char *ky, const char *kx, int lvl, const void *ctx)
{
    (void)ctx;
    gan_indent(o, lvl);
    gan_buf_printf(o, "{ const int ty = y + P - %s, tx = x + P - %s;\n", ky, kx);
    gan_indent(o, lvl);
    gan_buf_printf(o, "  if (ty >= 0 && tx >= 0 && ty %% S == 0 && tx %% S == 0 &&\n");
    gan_indent(o, lvl);
    gan_buf_printf(o, "      ty / S < OH && tx / S < OW)\n");
    gan_indent(o, lvl);
    gan_buf_printf(o, "      acc += xc[(ty / S)*OW + tx / S] * wc[%s*KW + %s]; }\n", ky, kx);
}

/* The names a convolution's loops use (its input, its weight, and its
 * output: the epilogue's node when one is fused), the output marked
 * written, and the shape constants declared. */
static void begin_conv(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, int epi,
                       const conv_dims *d, const char **in, const char **w, const char **out)
{
    const ir_node *n = &pl->p->g.n[x];
    *in = gan_names_get(nm, pl, n->in[0]);
    *w = gan_names_get(nm, pl, n->in[1]);
    int outn = epi >= 0 ? epi : x;
    *out = gan_names_get(nm, pl, outn);
    gan_names_mark_written(nm, pl, outn);
    declare(o, d);
}

/* The gather form shared by conv2d and conv2d_t: for every output element,
 * sum over input channels and taps, then store through the epilogue.
 * `v` names the loop variables and extents of the output and of the input
 * channel: {batch, channel, row, column, in-channel} and their extents. */
typedef struct {
    const char *var[5], *ext[5];
    const char *in_stride, *w_offset;   /* C expressions for xc and wc */
    tap_fn tap;
    const char *what;
} gather_form;

static void emit_gather(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, int epi,
                        const conv_dims *d, const gather_form *f)
{
    const char *in, *w, *out;
    begin_conv(o, pl, nm, x, epi, d, &in, &w, &out);
    const char *const *v = f->var, *const *e = f->ext;
    for (int k = 0; k < 4; k++) {
        gan_indent(o, 1 + k);
        gan_buf_printf(o, "for (int %s = 0; %s < %s; %s++)%s\n", v[k], v[k], e[k], v[k],
                       k == 3 ? " {" : "");
    }
    gan_buf_printf(o, "                    float acc = 0.0f;\n"
                      "                    for (int %s = 0; %s < %s; %s++) {\n"
                      "                        const float *xc = %s + (%s*%s + %s)*%s;\n"
                      "                        const float *wc = %s + %s*KH*KW;\n",
                   v[4], v[4], e[4], v[4], in, v[0], e[4], v[4], f->in_stride, w, f->w_offset);
    emit_taps(o, d, pl->sched[x].taps_unrolled, f->tap, NULL, 6);
    gan_buf_put(o, "                    }\n");
    char *ref = gan_strf("%s[((%s*%s + %s)*%s + %s)*%s + %s]", out, v[0], e[1], v[1], e[2], v[2],
                         e[3], v[3]);
    gan_emit_epilogue(o, pl, nm, epi, x, "acc", v, e, ref, 5);
    free(ref);
    gan_buf_put(o, "                }\n");
}

/* conv2d: output (b, o, oy, ox) over input channels c; w is (O, C, KH, KW) */
static const gather_form conv_form = {
    { "b", "o", "oy", "ox", "c" }, { "B", "O", "OH", "OW", "C" }, "H*W", "(o*C + c)",
    conv_tap, "conv",
};

/* conv2d_t: the input is the small side (O channels, OH x OW), the output
 * the large side (C channels, H x W); w is (O, C, KH, KW) */
static const gather_form convt_form = {
    { "b", "c", "y", "x", "o" }, { "B", "C", "H", "W", "O" }, "OH*OW", "(o*C + c)",
    convt_tap, "transposed conv",
};

static void emit_wgrad(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, const conv_dims *d)
{
    const ir_node *n = &pl->p->g.n[x];
    const char *a = gan_names_get(nm, pl, n->in[0]), *gy = gan_names_get(nm, pl, n->in[1]);
    const char *out = gan_names_get(nm, pl, x);
    gan_names_mark_written(nm, pl, x);
    declare(o, d);
    gan_buf_printf(o, "    for (int o = 0; o < O; o++)\n"
                      "        for (int c = 0; c < C; c++)\n"
                      "            for (int ky = 0; ky < KH; ky++)\n"
                      "                for (int kx = 0; kx < KW; kx++) {\n"
                      "                    float acc = 0.0f;\n"
                      "                    for (int b = 0; b < B; b++) {\n"
                      "                        const float *ac = %s + (b*C + c)*H*W;\n"
                      "                        const float *gc = %s + (b*O + o)*OH*OW;\n"
                      "                        for (int oy = 0; oy < OH; oy++) {\n"
                      "                            const int iy = oy*S - P + ky;\n"
                      "                            if (iy < 0 || iy >= H)\n"
                      "                                continue;\n"
                      "                            for (int ox = 0; ox < OW; ox++) {\n"
                      "                                const int ix = ox*S - P + kx;\n"
                      "                                if (ix >= 0 && ix < W)\n"
                      "                                    acc += gc[oy*OW + ox] * ac[iy*W + ix];\n"
                      "                            }\n"
                      "                        }\n"
                      "                    }\n"
                      "                    %s[((o*C + c)*KH + ky)*KW + kx] = acc;\n"
                      "                }\n", a, gy, out);
}

static void emit_resample(gan_buf *o, const gan_plan *pl, gan_names *nm, int x)
{
    const ir_graph *g = &pl->p->g;
    const ir_node *n = &g->n[x];
    ir_shape big = n->op == IR_UPSAMPLE ? n->shape : g->n[n->in[0]].shape;
    const char *in = gan_names_get(nm, pl, n->in[0]), *out = gan_names_get(nm, pl, x);
    gan_names_mark_written(nm, pl, x);
    gan_buf_printf(o, "    enum { BC = %d, H = %d, W = %d, S = %d };  /* H, W: the large side */\n",
                   big.d[0] * big.d[1], big.d[2], big.d[3], n->stride);
    if (n->op == IR_UPSAMPLE)
        gan_buf_printf(o, "    for (int p = 0; p < BC; p++)\n"
                          "        for (int y = 0; y < H; y++)\n"
                          "            for (int x = 0; x < W; x++)\n"
                          "                %s[(p*H + y)*W + x] = %s[(p*(H/S) + y/S)*(W/S) + x/S];\n",
                       out, in);
    else
        gan_buf_printf(o, "    for (int i = 0; i < BC*(H/S)*(W/S); i++)\n"
                          "        %s[i] = 0.0f;\n"
                          "    for (int p = 0; p < BC; p++)\n"
                          "        for (int y = 0; y < H; y++)\n"
                          "            for (int x = 0; x < W; x++)\n"
                          "                %s[(p*(H/S) + y/S)*(W/S) + x/S] += %s[(p*H + y)*W + x];\n",
                       out, out, in);
}

/* ---- GEMM formulations (trainer only), using the file's `scratch` ---- */

/* col[(c*KH + ky)*KW + kx][b*OH*OW + oy*OW + ox] = a[b][c][oy*S-P+ky][ox*S-P+kx]
 * or 0, for the whole batch.  Rows of col are split among the threads and
 * each row is written front to back, sample after sample: written sample
 * by sample instead, each sample's CKK short pieces lie a row (NCOL floats,
 * 12 KiB for the DCGAN) apart, and the page walks that costs made the copy
 * twice as slow as the product it feeds. */
static void emit_im2col(gan_buf *o, const char *a)
{
    gan_buf_printf(o, "    GAN_PARALLEL_FOR\n"
                      "    for (int r = 0; r < CKK; r++) {\n"
                      "        const int c = r / (KH*KW), ky = r / KW %% KH, kx = r %% KW;\n"
                      "        for (int b = 0; b < B; b++) {\n"
                      "            float *row = col + (long)r*NCOL + b*OH*OW;\n"
                      "            const float *ac = %s + (long)(b*C + c)*H*W;\n"
                      "            for (int oy = 0; oy < OH; oy++) {\n"
                      "                const int iy = oy*S - P + ky;\n"
                      "                for (int ox = 0; ox < OW; ox++) {\n"
                      "                    const int ix = ox*S - P + kx;\n"
                      "                    row[oy*OW + ox] = iy >= 0 && iy < H && ix >= 0 && ix < W ? "
                      "ac[iy*W + ix] : 0.0f;\n"
                      "                }\n"
                      "            }\n"
                      "        }\n"
                      "    }\n", a);
}

/* im2col of node `input` into col (scratch), unless the plan found the
 * same columns there already (an earlier convolution made them and
 * nothing wrote scratch since: a transposed convolution's backward pass
 * takes the gradient's columns for the input gradient and again for the
 * weight gradient; a weight gradient, its forward pass's). */
static void emit_im2col_once(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, int input)
{
    const char *name = gan_names_get(nm, pl, input);
    if (pl->sched[x].cols_reused) {
        /* the input is named all the same (in the comment above the block) */
        gan_buf_printf(o, "    /* col holds %s's columns already: an earlier product made them\n"
                          "     * and nothing has written scratch since */\n"
                          "    (void)%s;\n", name, name);
        return;
    }
    emit_im2col(o, name);
}

/* `name`: the [B x O x OH*OW] tensor t as one [O x B*OH*OW] matrix, its
 * samples side by side (the layout a whole-batch product wants), copied
 * into scratch after col; with one sample that is t itself. */
static void emit_side_by_side(gan_buf *o, const char *t, const char *name)
{
    gan_buf_printf(o, "    const float *%s = %s;\n"
                      "    if (B > 1) {\n"
                      "        float *side = scratch + (long)CKK*NCOL;\n"
                      "        GAN_PARALLEL_FOR\n"   /* each row of side front to back (emit_im2col) */
                      "        for (int o = 0; o < O; o++)\n"
                      "            for (int b = 0; b < B; b++)\n"
                      "                for (int i = 0; i < OH*OW; i++)\n"
                      "                    side[(long)o*NCOL + b*OH*OW + i] = %s[((long)b*O + o)*OH*OW + i];\n"
                      "        %s = side;\n"
                      "    }\n", name, t, t, name);
}

static void emit_conv2d_gemm(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, int epi,
                             const conv_dims *d)
{
    const ir_node *n = &pl->p->g.n[x];
    const char *in, *w, *out;
    begin_conv(o, pl, nm, x, epi, d, &in, &w, &out);
    /* one product for the whole batch: [O x CKK] . [CKK x B*OH*OW] */
    gan_buf_put(o, "    enum { CKK = C*KH*KW, NCOL = B*OH*OW };\n");
    if (pl->sched[x].engine == GAN_IMPLICIT) {
        /* the [CKK x B*OH*OW] columns gathered from the image into the
         * product's packed panels, never written out (rt_conv.h) */
        gan_buf_printf(o, "    float *prod = scratch;\n"
                          "    const rt_conv_src src = { %s, C, H, W, KH, KW, S, P, OH, OW, 0 };\n",
                       in);
        if (pl->o.own_gemm)
            gan_buf_printf(o, "    rt_sgemm_gather(0, O, NCOL, CKK, 1.0f, %s, CKK, rt_conv_gather, "
                              "&src, 0.0f, prod, NCOL);\n", w);
        else   /* split among the trainer's threads (emit_model.c) */
            gan_buf_printf(o, "    gan_sgemm_conv(O, NCOL, CKK, %s, &src, prod);\n", w);
    } else {
        gan_buf_put(o, "    float *col = scratch, *prod = scratch + (long)CKK*NCOL;\n");
        emit_im2col_once(o, pl, nm, x, n->in[0]);
        gan_emit_gemm(o, pl, x, 4, 0, 0, "O", "NCOL", "CKK", w, "CKK", "col", "NCOL", "0.0f",
                      "prod", "NCOL");
    }
    gan_buf_printf(o, "    GAN_PARALLEL_FOR\n"
                      "    for (int b = 0; b < B; b++)\n"
                      "        for (int o = 0; o < O; o++)\n"
                      "            for (int oy = 0; oy < OH; oy++)\n"
                      "                for (int ox = 0; ox < OW; ox++) {\n"
                      "                    const float acc = prod[(long)o*NCOL + (b*OH + oy)*OW + ox];\n");
    static const char *const idx[4] = { "b", "o", "oy", "ox" };
    static const char *const dn[4] = { "B", "O", "OH", "OW" };
    char *ref = gan_strf("%s[((b*O + o)*OH + oy)*OW + ox]", out);
    gan_emit_epilogue(o, pl, nm, epi, x, "acc", idx, dn, ref, 5);
    free(ref);
    gan_buf_put(o, "                }\n");
}

typedef gan_phase_planes phase_planes;

/* `name`: the [B x O x OH*OW] tensor t as one [O x OH*OW*B] matrix, the
 * samples innermost (so col's entries for one pixel are B floats side by
 * side), copied into scratch after col; with one sample that is t itself. */
static void emit_batch_inner(gan_buf *o, const char *t, const char *name)
{
    gan_buf_printf(o, "    const float *%s = %s;\n"
                      "    if (B > 1) {\n"
                      "        float *side = scratch + (long)CKK*NCOL;\n"
                      "        GAN_PARALLEL_FOR\n"
                      "        for (long i = 0; i < (long)O*OH*OW; i++)\n"
                      "            for (int b = 0; b < B; b++)\n"
                      "                side[i*B + b] = %s[(long)b*O*OH*OW + i];\n"
                      "        %s = side;\n"
                      "    }\n", name, t, t, name);
}

/* where each tap's block starts in the phase planes, in entries */
static void emit_tap_offsets(gan_buf *o, const conv_dims *d, const phase_planes *ph)
{
    gan_buf_put(o, "    static const int tap_y[KH] = {");
    for (int k = 0; k < d->KH; k++) {
        int dy = gan_floor_div(k - d->P, d->S), py = k - d->P - dy * d->S;
        gan_buf_printf(o, "%s%d", k ? ", " : " ", py * d->S * ph->rows * ph->cols +
                                                 (dy + ph->row0) * ph->cols);
    }
    gan_buf_put(o, " };\n    static const int tap_x[KW] = {");
    for (int k = 0; k < d->KW; k++) {
        int dx = gan_floor_div(k - d->P, d->S), px = k - d->P - dx * d->S;
        gan_buf_printf(o, "%s%d", k ? ", " : " ", px * ph->rows * ph->cols + dx + ph->col0);
    }
    gan_buf_put(o, " };\n");
}

/* n lines of generated code, each at indent level lvl */
static void put_lines(gan_buf *o, const char *const *lines, size_t n, int lvl)
{
    for (size_t i = 0; i < n; i++) {
        gan_indent(o, lvl);
        gan_buf_printf(o, "%s\n", lines[i]);
    }
}

/* One channel c's group of BB samples from b0: its KH*KW rows of col from
 * cc, summed into the phase planes, then interleaved into the output
 * through the epilogue; at indent level lvl. */
static void emit_phase_body(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, int epi,
                            const char *out, int bb, int lvl)
{
    static const char *const taps[] = {
        "float ph[S*S*PLANE*BB] __attribute__((aligned(64)));",
        "for (int i = 0; i < S*S*PLANE*BB; i++)",
        "    ph[i] = 0.0f;",
        "for (int ky = 0; ky < KH; ky++)",
        "    for (int kx = 0; kx < KW; kx++) {",
        "        const float *row = cc + (long)(ky*KW + kx)*NCOL + b0;",
        "        float *to = ph + (tap_y[ky] + tap_x[kx])*BB;",
        "        for (int oy = 0; oy < OH; oy++)",
        "            for (int ox = 0; ox < OW; ox++)",
        "                for (int bb = 0; bb < BB; bb++)",
        "                    to[(oy*PC + ox)*BB + bb] += row[(oy*OW + ox)*B + bb];",
        "    }",
        "for (int y = 0; y < H; y++) {",
    };
    /* with several samples, each output row goes through the epilogue with
     * the samples still innermost, then is turned (a transpose the compiler
     * does in registers): stored one sample at a time, each row a float at
     * a time to BB planes, it took as long as all the taps; one sample is
     * stored in place */
    static const char *const row_buffer[] = {
        "    float yrow[W*BB] __attribute__((aligned(64)));",
    };
    static const char *const pixels[] = {
        "    for (int x = 0; x < W; x++) {",
        "        const float *e = ph + (((y % S)*S + x % S)*PLANE + (y / S + R0)*PC + x / S + C0)*BB;",
        "        for (int bb = 0; bb < BB; bb++) {",
        "            const int b = b0 + bb;   /* for any per-sample term of the epilogue */",
        "            const float acc = e[bb];",
        "            (void)b;",
    };
    put_lines(o, taps, sizeof taps / sizeof taps[0], lvl);
    if (bb > 1)
        put_lines(o, row_buffer, 1, lvl);
    put_lines(o, pixels, sizeof pixels / sizeof pixels[0], lvl);
    static const char *const idx[4] = { "b", "c", "y", "x" };
    static const char *const dn[4] = { "B", "C", "H", "W" };
    char *ref = gan_strf("%s[((b*C + c)*H + y)*W + x]", out);
    gan_emit_epilogue(o, pl, nm, epi, x, "acc", idx, dn, bb == 1 ? ref : "yrow[x*BB + bb]",
                      lvl + 3);
    free(ref);
    gan_indent(o, lvl + 2);
    gan_buf_put(o, "}\n");
    gan_indent(o, lvl + 1);
    gan_buf_put(o, "}\n");
    if (bb > 1) {
        gan_indent(o, lvl + 1);
        gan_buf_put(o, "for (int x = 0; x < W; x++)\n");
        gan_indent(o, lvl + 2);
        gan_buf_put(o, "for (int bb = 0; bb < BB; bb++)\n");
        gan_indent(o, lvl + 3);
        gan_buf_printf(o, "%s[(((b0 + bb)*C + c)*H + y)*W + x] = yrow[x*BB + bb];\n", out);
    }
    gan_indent(o, lvl);
    gan_buf_put(o, "}\n");
}

/* col2im through phase planes: for each channel and group of BB samples,
 * every tap's block is added to its phase plane (runs of BB floats, the
 * samples innermost), then the planes are interleaved into the output
 * through the epilogue. */
static void emit_col2im_phases(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, int epi,
                               const conv_dims *d, const phase_planes *ph, const char *out)
{
    gan_buf_printf(o, "    enum { BB = %d, PR = %d, PC = %d, R0 = %d, C0 = %d, PLANE = PR*PC };\n",
                   ph->bb, ph->rows, ph->cols, ph->row0, ph->col0);
    emit_tap_offsets(o, d, ph);
    gan_buf_put(o, "    GAN_PARALLEL_FOR\n"
                   "    for (int cb = 0; cb < C*(B/BB); cb++) {\n"
                   "        const int c = cb / (B/BB), b0 = cb % (B/BB) * BB;\n"
                   "        const float *cc = col + (long)c*KH*KW*NCOL;\n");
    emit_phase_body(o, pl, nm, x, epi, out, ph->bb, 2);
    gan_buf_put(o, "    }\n");
}

/* col2im one output plane at a time (col's samples side by side, each
 * sample's pixels together): the plane is zeroed, summed into and passed
 * through the epilogue while it is in L1. */
static void emit_col2im_planes(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, int epi,
                               const char *out)
{
    gan_buf_printf(o, "    GAN_PARALLEL_FOR\n"
                      "    for (int b = 0; b < B; b++)\n"
                      "        for (int c = 0; c < C; c++) {\n"
                      "            float *yc = %s + (long)(b*C + c)*H*W;\n"
                      "            for (int i = 0; i < H*W; i++)\n"
                      "                yc[i] = 0.0f;\n"
                      "            for (int ky = 0; ky < KH; ky++)\n"
                      "                for (int kx = 0; kx < KW; kx++) {\n"
                      "                    const float *row = col + (long)((c*KH + ky)*KW + kx)*NCOL + b*OH*OW;\n"
                      "                    for (int oy = 0; oy < OH; oy++) {\n"
                      "                        const int iy = oy*S - P + ky;\n"
                      "                        if (iy < 0 || iy >= H)\n"
                      "                            continue;\n"
                      "                        for (int ox = 0; ox < OW; ox++) {\n"
                      "                            const int ix = ox*S - P + kx;\n"
                      "                            if (ix >= 0 && ix < W)\n"
                      "                                yc[iy*W + ix] += row[oy*OW + ox];\n"
                      "                        }\n"
                      "                    }\n"
                      "                }\n", out);
    if (epi >= 0) {
        gan_buf_put(o, "            for (int y = 0; y < H; y++)\n"
                       "                for (int x = 0; x < W; x++) {\n");
        static const char *const idx[4] = { "b", "c", "y", "x" };
        static const char *const dn[4] = { "B", "C", "H", "W" };
        char *ref = gan_strf("%s[((b*C + c)*H + y)*W + x]", out);
        gan_emit_epilogue(o, pl, nm, epi, x, ref, idx, dn, ref, 5);
        free(ref);
        gan_buf_put(o, "                }\n");
    }
    gan_buf_put(o, "        }\n");
}

static void emit_conv2d_t_gemm(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, int epi,
                               const conv_dims *d)
{
    const char *in, *w, *out;
    begin_conv(o, pl, nm, x, epi, d, &in, &w, &out);
    /* one product for the whole batch, col[C*KK x B*OH*OW] = w^T . x with
     * x's samples side by side ([O x B*OH*OW]: a copy, unless B is 1), then
     * scatter-add (col2im): by phase planes where there are samples to put
     * innermost and more than one output channel; one sample, or one
     * channel (an image layer, one plane per sample), measured as fast a
     * plane at a time, in less code (the sampler stays under 64 KiB) */
    const gan_sched *s = &pl->sched[x];
    int phases = s->col2im == GAN_COL2IM_PHASES;
    gan_buf_printf(o, "    enum { CKK = C*KH*KW, NCOL = B*OH*OW };\n"
                      "    float *col = scratch;\n");
    if (phases)
        emit_batch_inner(o, in, "xt");
    else
        emit_side_by_side(o, in, "xt");
    if (s->pack_once) {
        /* the sampler: the weight is packed on the first call */
        char *pack = gan_strf("rt_sgemm_pack_a(1, CKK, O, %s, CKK, packed)", w);
        gan_emit_packed_once(o, w, "(CKK + RT_GEMM_MR - 1) / RT_GEMM_MR * RT_GEMM_MR * O", pack,
                             "rt_sgemm_packed_a(0, CKK, NCOL, O, 1.0f, packed, xt, NCOL, 0.0f, "
                             "col, NCOL)");
        free(pack);
    } else {
        gan_emit_gemm(o, pl, x, 4, 1, 0, "CKK", "NCOL", "O", w, "CKK", "xt", "NCOL", "0.0f",
                      "col", "NCOL");
    }
    if (phases)
        emit_col2im_phases(o, pl, nm, x, epi, d, &s->phases, out);
    else
        emit_col2im_planes(o, pl, nm, x, epi, out);
}

static void emit_wgrad_gemm(gan_buf *o, const gan_plan *pl, gan_names *nm, int x,
                            const conv_dims *d)
{
    const ir_node *n = &pl->p->g.n[x];
    const char *gy = gan_names_get(nm, pl, n->in[1]);
    const char *out = gan_names_get(nm, pl, x);
    gan_names_mark_written(nm, pl, x);
    declare(o, d);
    /* one product for the whole batch: dw[O x CKK] = g . col^T, the samples
     * side by side in both ([O x B*OH*OW] and [CKK x B*OH*OW]) */
    gan_buf_put(o, "    enum { CKK = C*KH*KW, NCOL = B*OH*OW };\n"
                   "    float *col = scratch;\n");
    emit_im2col_once(o, pl, nm, x, n->in[0]);
    emit_side_by_side(o, gy, "gt");
    gan_emit_gemm(o, pl, x, 4, 0, 1, "O", "CKK", "NCOL", "gt", "NCOL", "col", "NCOL", "0.0f",
                  out, "CKK");
}

void gan_emit_conv(gan_buf *o, const gan_plan *pl, gan_names *nm, int x, int epi)
{
    const ir_node *n = &pl->p->g.n[x];
    if (n->op == IR_UPSAMPLE || n->op == IR_SUMPOOL) {
        emit_resample(o, pl, nm, x);
        return;
    }
    conv_dims d = gan_conv_dims_of(&pl->p->g, x);
    if (pl->sched[x].engine) {
        if (n->op == IR_CONV2D)
            emit_conv2d_gemm(o, pl, nm, x, epi, &d);
        else if (n->op == IR_CONV2D_T)
            emit_conv2d_t_gemm(o, pl, nm, x, epi, &d);
        else
            emit_wgrad_gemm(o, pl, nm, x, &d);
        return;
    }
    if (n->op == IR_CONV2D)
        emit_gather(o, pl, nm, x, epi, &d, &conv_form);
    else if (n->op == IR_CONV2D_T)
        emit_gather(o, pl, nm, x, epi, &d, &convt_form);
    else
        emit_wgrad(o, pl, nm, x, &d);
}

/* pixel_shuffle.c - sub-pixel upsampling (Shi et al. 2016, "Real-Time Single
 * Image and Video Super-Resolution Using an Efficient Sub-Pixel Convolutional
 * Neural Network"; SRGAN's upsampling), like torch.nn.PixelShuffle(r):
 *
 *     y[c, h·r + i, w·r + j] = x[c·r² + i·r + j, h, w]
 *
 * an image of C·r² channels becomes one of C channels, r times as high and
 * as wide; a convolution to C·r² filters before it is the sub-pixel
 * convolution.  Nothing is computed: the values are permuted, PyTorch's
 * view (C, r, r, H, W) -> permute (C, H, r, W, r), for which IR has no op
 * (no transpose, and at most 4 axes with the batch).  So it is two
 * interleavings, each r slices and a concat, in shapes of 4 axes:
 *
 *   1. x as (B, C·r, r, H·W): the slice at each j, viewed (B, C·r, H·W, 1),
 *      joined along the last axis: (B, C·r, H·W, r), which is (C, i, H, W, j);
 *   2. that as (B, C, r, H·W·r): the slice at each i, viewed
 *      (B, C·H, 1, W·r), joined along axis 2: (B, C·H, r, W·r), which is
 *      (C, H, i, W, j) = (C, H·r, W·r).
 *
 * 2r slices of 1/r of the image each; one slice per (i, j) would take r²,
 * and their gradients (each slice's is a pad to the whole image) r²
 * image-sized sums instead of 2r.  Autodiff derives the gradient (slices
 * become pads, the concats slices), the inverse permutation, PyTorch's
 * PixelUnshuffle.  Left out: PixelUnshuffle as a kind of its own.
 */
#include "../layer.h"

typedef struct {
    int factor;
} pixel_shuffle_settings;

static const gan_setting settings[] = {
    { .key = "factor", .type = GAN_SET_INT, .at = offsetof(pixel_shuffle_settings, factor),
      .def = 2, .lo = 1, .hi = 16,
      .doc = "r: each group of r² channels becomes one channel of r x r times the pixels "
             "(PyTorch's upscale_factor)" },
    { 0 },
};

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    const pixel_shuffle_settings *s = l->settings;
    int r = s->factor;
    char str[64];
    gan_shape_str(in[0], str, sizeof str);
    if (in[0].rank != 3) {
        gan_error(d, l->pos, "pixel_shuffle layer '%s' needs an image input (channels, height, "
                  "width), found shape %s", l->name, str);
        return -1;
    }
    if (in[0].d[0] % (r * r)) {
        gan_error(d, l->pos, "pixel_shuffle layer '%s': factor %d needs channels divisible by "
                  "%d (factor²), found shape %s", l->name, r, r * r, str);
        return -1;
    }
    l->out.rank = 3;
    l->out.d[0] = in[0].d[0] / (r * r);
    if (gan_set_out_dim(l, 1, (long)in[0].d[1] * r, d) ||
        gan_set_out_dim(l, 2, (long)in[0].d[2] * r, d))
        return -1;
    return 0;
}

/* One step of the header: the r slices of x along axis 2, each viewed as
 * `piece`, joined along axis `to`; the values named NAME_phase_WHAT and
 * NAME_WHAT */
static int interleave(ir_graph *g, int x, int r, int to, ir_shape piece, const char *name,
                      const char *what)
{
    int parts[16];              /* r <= 16, the key's range */
    const char *phase = ir_strf(g, "%s_phase_%s", name, what);
    for (int k = 0; k < r; k++)
        parts[k] = ir_reshape(g, ir_label(g, ir_slice(g, x, 2, k, 1), phase), piece, NULL);
    return gan_concat_all(g, parts, r, to, ir_strf(g, "%s_%s", name, what));
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const pixel_shuffle_settings *s = l->settings;
    ir_graph *g = c->g;
    int B = c->batch, r = s->factor, C = l->out.d[0];
    int H = l->out.d[1] / r, W = l->out.d[2] / r;
    /* 1: (B, C·r, r, H·W) -> (B, C·r, H·W, r) */
    int x = ir_reshape(g, in[0], ir_shape4(B, C * r, r, H * W), NULL);
    int cols = interleave(g, x, r, 3, ir_shape4(B, C * r, H * W, 1), l->name, "cols");
    /* 2: (B, C, r, H·W·r) -> (B, C·H, r, W·r) */
    int rows = ir_reshape(g, cols, ir_shape4(B, C, r, H * W * r), NULL);
    int y = interleave(g, rows, r, 2, ir_shape4(B, C * H, 1, W * r), l->name, "rows");
    return ir_reshape(g, y, gan_batch_shape(B, l->out), l->name);
}

const gan_layer_kind gan_layer_pixel_shuffle = {
    .name = "pixel_shuffle",
    .summary = "sub-pixel upsampling like `torch.nn.PixelShuffle(r)`: y[c, h·r+i, w·r+j] = "
               "x[c·r²+i·r+j, h, w]",
    .output = "(C/r², H·r, W·r)",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(pixel_shuffle_settings),
    .infer = infer, .lower = lower,
};

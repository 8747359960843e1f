/* reshape.c - views that change a sample's shape without moving data:
 * reshape (to a given shape of the same size) and flatten (to a vector). */
#include "../layer.h"

typedef struct {
    gan_shape shape;
} reshape_settings;

static const gan_setting reshape_keys[] = {
    { .key = "shape", .type = GAN_SET_SHAPE, .at = offsetof(reshape_settings, shape),
      .required = 1, .lo = 1, .hi = 1 << 24, .doc = "the new sample shape, of the same size" },
    { 0 },
};

static int infer_reshape(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    const reshape_settings *s = l->settings;
    if (gan_shape_numel(s->shape) != gan_shape_numel(in[0])) {
        char a[64], b[64];
        gan_shape_str(in[0], a, sizeof a);
        gan_shape_str(s->shape, b, sizeof b);
        gan_error(d, l->pos, "reshape layer '%s': an input of shape %s has %ld values, the "
                  "shape %s holds %ld", l->name, a, gan_shape_numel(in[0]), b,
                  gan_shape_numel(s->shape));
        return -1;
    }
    l->out = s->shape;
    return 0;
}

static int infer_flatten(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    l->out.rank = 1;
    return gan_set_out_dim(l, 0, gan_shape_numel(in[0]), d);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    return ir_reshape(c->g, in[0], gan_batch_shape(c->batch, l->out), l->name);
}

const gan_layer_kind gan_layer_reshape = {
    .name = "reshape",
    .summary = "the same values (row-major, like `torch.reshape`) in a new sample shape",
    .output = "`shape`",
    .min_inputs = 1, .max_inputs = 1,
    .settings = reshape_keys, .settings_size = sizeof(reshape_settings),
    .infer = infer_reshape, .lower = lower,
};
const gan_layer_kind gan_layer_flatten = {
    .name = "flatten", .summary = "an image as a vector", .output = "(C·H·W)",
    .min_inputs = 1, .max_inputs = 1, .infer = infer_flatten, .lower = lower,
};

/* reshape.c - views that change a sample's shape without moving data:
 * reshape (to a given shape of the same size) and flatten (to a vector). */
#include "../layer.h"

static const char *const reshape_keys[] = { "shape", NULL };
static const char *const no_keys[] = { NULL };

static void parse_reshape(gan_layer *l, const gan_node *map, gan_diag *d)
{
    const gan_node *s = gan_map_get(map, "shape");
    if (!s) {
        gan_error(d, map ? map->pos : l->pos, "reshape layer '%s' needs 'shape: [C, H, W]' or "
                  "'shape: [N]'", l->name);
        return;
    }
    if (s->type != GAN_NODE_SEQ || (s->n != 1 && s->n != 3)) {
        gan_error(d, s->pos, "'shape' must be a list of 1 (features) or 3 (channels, height, "
                  "width) positive integers");
        return;
    }
    l->target.rank = (int)s->n;
    for (size_t i = 0; i < s->n; i++) {
        long v;
        if (gan_scalar_int(s->items[i], &v) || v < 1 || v > 1 << 24) {
            gan_error(d, s->items[i]->pos, "'shape' entries must be positive integers");
            return;
        }
        l->target.d[i] = (int)v;
    }
}

static void parse_none(gan_layer *l, const gan_node *map, gan_diag *d)
{
    (void)l, (void)map, (void)d;
}

static int infer_reshape(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in;
    if (gan_shape_numel(l->target) != gan_shape_numel(in[0])) {
        char a[64], b[64];
        gan_shape_str(in[0], a, sizeof a);
        gan_shape_str(l->target, b, sizeof b);
        gan_error(d, l->pos, "reshape layer '%s': an input of shape %s has %ld values, the "
                  "shape %s holds %ld", l->name, a, gan_shape_numel(in[0]), b,
                  gan_shape_numel(l->target));
        return -1;
    }
    l->out = l->target;
    return 0;
}

static int infer_flatten(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in, (void)d;
    l->out.rank = 1;
    l->out.d[0] = (int)gan_shape_numel(in[0]);
    return 0;
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    return ir_reshape(c->g, in[0], gan_batch_shape(c->batch, l->out), l->name);
}

const gan_layer_kind gan_layer_reshape = {
    "reshape", "same values, new sample shape: shape [N] or [C, H, W]",
    1, 1, reshape_keys, parse_reshape, infer_reshape, NULL, lower,
};
const gan_layer_kind gan_layer_flatten = {
    "flatten", "an image as a vector (C*H*W)", 1, 1, no_keys, parse_none, infer_flatten, NULL,
    lower,
};

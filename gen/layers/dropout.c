/* dropout.c - zeroes each value with probability p while training and
 * scales the survivors by 1/(1-p), like torch.nn.Dropout; the identity in
 * inference.  The mask is IR_DROPOUT_MASK: a hash of the step's noise seed
 * (set by the trainer before every step), so runs are reproducible and the
 * backward pass sees the forward pass's mask. */
#include "../layer.h"

static const char *const keys[] = { "p", NULL };

static void parse(gan_layer *l, const gan_node *map, gan_diag *d)
{
    l->alpha = (float)gan_get_num(map, "p", 0.5, 0, 0.99, 0, d);
}

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in, (void)d;
    l->out = in[0];
    return 0;
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    if (!c->training || l->alpha == 0.0f)
        return in[0];
    /* the node count is a salt unique to this application of the layer */
    int mask = ir_dropout_mask(c->g, c->g->n[in[0]].shape, l->alpha, c->g->count);
    return ir_binary(c->g, IR_MUL, in[0], mask, l->name);
}

const gan_layer_kind gan_layer_dropout = {
    "dropout", "zeroes values with probability p (0.5) while training, scales the rest by 1/(1-p)",
    1, 1, keys, parse, infer, NULL, lower,
};

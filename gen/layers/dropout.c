/* dropout.c - zeroes each value with probability p while training and
 * scales the survivors by 1/(1-p), like torch.nn.Dropout; the identity in
 * inference.  The mask is IR_DROPOUT_MASK: a hash of the step's noise seed
 * (set by the trainer before every step), so runs are reproducible and the
 * backward pass sees the forward pass's mask. */
#include "../layer.h"

typedef struct {
    float p;
} dropout_settings;

/* p is GAN_TRAINING: in inference dropout is the identity, so weights
 * trained with one rate serve a model with another */
static const gan_setting settings[] = {
    { .key = "p", .type = GAN_SET_NUM, .at = offsetof(dropout_settings, p), .def = 0.5,
      .lo = 0, .hi = 0.99, .use = GAN_TRAINING,
      .doc = "the probability of zeroing each value while training" },
    { 0 },
};

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)n_in, (void)d;
    l->out = in[0];
    return 0;
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    const dropout_settings *s = l->settings;
    if (!c->training || s->p == 0.0f)
        return in[0];
    /* the node count is a salt unique to this application of the layer */
    int mask = ir_dropout_mask(c->g, c->g->n[in[0]].shape, s->p, c->g->count);
    return ir_binary(c->g, IR_MUL, in[0], mask, l->name);
}

const gan_layer_kind gan_layer_dropout = {
    .name = "dropout",
    .summary = "while training, zeroes each value with probability p and scales the rest by "
               "1/(1−p), like `torch.nn.Dropout`; the identity in the sampler and the trainer's "
               "sample pictures",
    .output = "same as input",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(dropout_settings),
    .infer = infer, .lower = lower,
};

/* embedding.c - a learned vector per class: y = W[label], the row of W that
 * a network's label input picks.
 *
 * W is stored (classes, units) like torch.nn.Embedding and starts, as
 * there, from N(0, 1) ('init: normal' takes init_std instead).  It is
 * lowered as onehot(label) · W, so its gradient is the output gradient
 * summed into the rows the batch's labels pick; the labels get none.  The
 * layer reads a label input of its network (declared {label: CLASSES})
 * and nothing else reads labels.
 */
#include "../layer.h"

typedef struct {
    int units;
} embedding_settings;

static const gan_setting settings[] = {
    { .key = "units", .type = GAN_SET_INT, .at = offsetof(embedding_settings, units),
      .required = 1, .lo = 1, .hi = 1 << 20, .doc = "the length of each class's vector" },
    { 0 },
};

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    (void)in, (void)n_in, (void)d;
    const embedding_settings *s = l->settings;
    l->out.rank = 1;
    l->out.d[0] = s->units;
    return 0;
}

/* the class count of the label input the layer reads */
static int classes(const gan_net *net, const gan_layer *l)
{
    return net->inputs[-1 - l->inputs[0]].classes;
}

static void declare(gan_model *m, gan_net *net, int li)
{
    const gan_layer *l = &net->layers[li];
    const embedding_settings *s = l->settings;
    int w_shape[2] = { classes(net, l), s->units };
    float std = l->init == GAN_INIT_NORMAL ? l->init_std : 1.0f;
    gan_model_add_tensor(m, net, li, "weight", GAN_PARAM, 2, w_shape, RT_INIT_NORMAL, 0, std);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    (void)n_in;
    int hot = ir_onehot(c->g, in[0], classes(c->net, l), ir_strf(c->g, "%s_onehot", l->name));
    return ir_matmul(c->g, hot, gan_lower_param(c, l->first_tensor), 0, 0, l->name);
}

const gan_layer_kind gan_layer_embedding = {
    .name = "embedding",
    .summary = "y = W[label]: a learned vector per class; W is (classes, units) like "
               "`torch.nn.Embedding`; reads a label input of the network",
    .output = "(units)",
    .min_inputs = 1, .max_inputs = 1,
    .settings = settings, .settings_size = sizeof(embedding_settings), .has_weights = 1,
    .takes_labels = 1,
    .infer = infer, .declare = declare, .lower = lower,
};

/* concat.c - joins inputs along an axis of the sample (features, or channels
 * of an image: axis 0), like torch.cat(dim=axis+1). */
#include "../layer.h"

typedef struct {
    int axis;
} concat_settings;

static const gan_setting settings[] = {
    { .key = "axis", .type = GAN_SET_INT, .at = offsetof(concat_settings, axis), .def = 0,
      .lo = 0, .hi = 2, .doc = "the axis of the sample to join along (0: features or channels)" },
    { 0 },
};

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    const concat_settings *s = l->settings;
    if (s->axis >= in[0].rank) {
        gan_error(d, l->pos, "concat layer '%s': axis %d does not exist in a sample of "
                  "rank %d", l->name, s->axis, in[0].rank);
        return -1;
    }
    gan_shape out = in[0];
    long along = in[0].d[s->axis];
    for (int i = 1; i < n_in; i++) {
        int ok = in[i].rank == in[0].rank;
        for (int k = 0; ok && k < in[0].rank; k++)
            ok = k == s->axis || in[i].d[k] == in[0].d[k];
        if (!ok) {
            char a[64], b[64];
            gan_shape_str(in[0], a, sizeof a);
            gan_shape_str(in[i], b, sizeof b);
            gan_error(d, l->input_pos[i], "concat layer '%s': input '%s' has shape %s, "
                      "which does not match %s except along axis %d",
                      l->name, l->input_names[i], b, a, s->axis);
            return -1;
        }
        along += in[i].d[s->axis];
    }
    l->out = out;
    return gan_set_out_dim(l, s->axis, along, d);
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    const concat_settings *s = l->settings;
    return ir_concat(c->g, in, n_in, s->axis + 1, l->name);
}

const gan_layer_kind gan_layer_concat = {
    .name = "concat",
    .summary = "joins its inputs along an axis of the sample, like `torch.cat(dim=axis+1)`",
    .output = "the inputs joined",
    .min_inputs = 2, .max_inputs = IR_MAX_IN,
    .settings = settings, .settings_size = sizeof(concat_settings),
    .infer = infer, .lower = lower,
};

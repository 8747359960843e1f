/* add.c - elementwise sum of two or more inputs of one shape (skip connections). */
#include "../layer.h"

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    for (int i = 1; i < n_in; i++) {
        int same = in[i].rank == in[0].rank;
        for (int k = 0; same && k < in[0].rank; k++)
            same = in[i].d[k] == in[0].d[k];
        if (!same) {
            char a[64], b[64];
            gan_shape_str(in[0], a, sizeof a);
            gan_shape_str(in[i], b, sizeof b);
            gan_error(d, l->input_pos[i], "add layer '%s': input '%s' has shape %s but "
                      "input '%s' has shape %s; all inputs must have the same shape",
                      l->name, l->input_names[i], b, l->input_names[0], a);
            return -1;
        }
    }
    l->out = in[0];
    return 0;
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    int y = in[0];
    for (int i = 1; i < n_in; i++)
        y = ir_binary(c->g, IR_ADD, y, in[i], i == n_in - 1 ? l->name : NULL);
    return y;
}

const gan_layer_kind gan_layer_add = {
    .name = "add", .summary = "the sum of its inputs, all of one shape (skip connections)",
    .output = "same as its inputs",
    .min_inputs = 2, .max_inputs = IR_MAX_IN, .infer = infer, .lower = lower,
};

/* concat.c - joins inputs along an axis of the sample (features, or channels
 * of an image: axis 0), like torch.cat(dim=axis+1). */
#include "../layer.h"

static const char *const keys[] = { "axis", NULL };

static void parse(gan_layer *l, const gan_node *map, gan_diag *d)
{
    l->axis = (int)gan_get_int(map, "axis", 0, 0, 2, 0, d);
}

static int infer(gan_layer *l, const gan_shape *in, int n_in, gan_diag *d)
{
    if (l->axis >= in[0].rank) {
        gan_error(d, l->pos, "concat layer '%s': axis %d does not exist in a sample of "
                  "rank %d", l->name, l->axis, in[0].rank);
        return -1;
    }
    gan_shape out = in[0];
    for (int i = 1; i < n_in; i++) {
        int ok = in[i].rank == in[0].rank;
        for (int k = 0; ok && k < in[0].rank; k++)
            ok = k == l->axis || in[i].d[k] == in[0].d[k];
        if (!ok) {
            char a[64], b[64];
            gan_shape_str(in[0], a, sizeof a);
            gan_shape_str(in[i], b, sizeof b);
            gan_error(d, l->input_pos[i], "concat layer '%s': input '%s' has shape %s, "
                      "which does not match %s except along axis %d",
                      l->name, l->input_names[i], b, a, l->axis);
            return -1;
        }
        out.d[l->axis] += in[i].d[l->axis];
    }
    l->out = out;
    return 0;
}

static int lower(gan_lower *c, const gan_layer *l, const int *in, int n_in)
{
    return ir_concat(c->g, in, n_in, l->axis + 1, l->name);
}

const gan_layer_kind gan_layer_concat = {
    "concat", "joins its inputs along 'axis' of the sample (default 0)",
    2, IR_MAX_IN, keys, parse, infer, NULL, lower,
};

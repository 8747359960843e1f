/* layers.c - the table of layer kinds, and helpers they share. */
#include "layer.h"

#include <string.h>

extern const gan_layer_kind gan_layer_dense, gan_layer_relu, gan_layer_leaky_relu,
    gan_layer_tanh, gan_layer_sigmoid, gan_layer_add, gan_layer_concat;

static const gan_layer_kind *const kinds[] = {
    &gan_layer_dense, &gan_layer_relu, &gan_layer_leaky_relu, &gan_layer_tanh,
    &gan_layer_sigmoid, &gan_layer_add, &gan_layer_concat,
};

#define N_KINDS (int)(sizeof kinds / sizeof kinds[0])

const gan_layer_kind *gan_layer_find(const char *name)
{
    for (int i = 0; i < N_KINDS; i++)
        if (!strcmp(kinds[i]->name, name))
            return kinds[i];
    return NULL;
}

const char *const *gan_layer_kind_names(void)
{
    static const char *names[N_KINDS + 1];
    for (int i = 0; i < N_KINDS; i++)
        names[i] = kinds[i]->name;
    return names;
}

int gan_lower_param(gan_lower *c, int t)
{
    if (c->param_node[t] < 0) {
        const gan_tensor *ts = &c->m->tensors[t];
        ir_shape s = { ts->ndim, { 1, 1, 1, 1 } };
        for (int i = 0; i < ts->ndim; i++)
            s.d[i] = ts->shape[i];
        /* label: "<layer>_<suffix>", e.g. h1_weight */
        const char *dot = strrchr(ts->name, '.');
        const gan_layer *l = &c->m->net[ts->net].layers[ts->layer];
        c->param_node[t] = ir_param(c->g, t, s, ir_strf(c->g, "%s_%s", l->name, dot + 1));
    }
    return c->param_node[t];
}

ir_shape gan_batch_shape(int batch, gan_shape s)
{
    ir_shape r = { s.rank + 1, { batch, 1, 1, 1 } };
    for (int i = 0; i < s.rank; i++)
        r.d[i + 1] = s.d[i];
    return r;
}

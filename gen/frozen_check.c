/* frozen_check.c - the rules of frozen networks (frozen_parse.c imports
 * them): no update trains one, the sampler does not run one, and its
 * weights file holds every tensor it uses, of its shape.
 *
 * The weights are checked here, when ganc runs, so that a wrong file is a
 * compiler error at the model's `weights` key; the trainer reads them
 * again when it starts (train/rt_frozen.h), and checks them again, as the
 * file may have changed since.
 */
#include "parse.h"
#include "buf.h"
#include "fatal.h"
#include "formats/rt_safetensors.h"

#include <stdlib.h>
#include <string.h>

char *gan_frozen_tensor_name(const gan_model *m, const gan_tensor *t)
{
    const gan_net *net = &m->net[t->net];
    if (!net->frozen)
        return gan_xstrdup(t->name);
    return gan_strf("%s%s", net->frozen_network, t->name + strlen(net->name));
}

/* The first network not frozen, or -1 */
static int first_trainable(const gan_model *m)
{
    for (int i = 0; i < m->n_nets; i++)
        if (!m->net[i].frozen)
            return i;
    return -1;
}

void gan_check_frozen_use(gan_model *m, const gan_node *root, gan_diag *d)
{
    for (int k = 0; k < m->n_updates; k++) {
        const gan_update *u = &m->updates[k];
        for (int i = 0; i < u->n_nets; i++) {
            const gan_net *net = &m->net[u->nets[i]];
            if (net->frozen)
                gan_error(d, u->pos, "update '%s' trains network '%s', which is frozen (its "
                          "weights read from '%s'): a frozen network is never trained",
                          u->name, net->name, net->frozen_weights);
        }
    }
    const gan_node *sample = gan_map_get(root, "sample");
    if (!m->net[m->gen_net].frozen)
        return;
    if (!sample && first_trainable(m) >= 0) {
        m->gen_net = first_trainable(m);   /* the default: the first network not frozen */
        return;
    }
    gan_error(d, sample ? sample->pos : root->pos, "the sampler would run network '%s', which "
              "is frozen (its weights read from '%s'): the sampler runs a network this model "
              "trains", m->net[m->gen_net].name, m->net[m->gen_net].frozen_weights);
}

/* The header's tensor `name` is F32 of t's shape: 0, else an error */
static int check_tensor(const gan_net *net, const rt_st *st, const char *name,
                        const gan_tensor *t, gan_diag *d)
{
    const rt_st_tensor *e = rt_st_find(st, name);
    if (!e) {
        gan_error(d, net->frozen_pos, "frozen network '%s': weights file '%s' has no tensor "
                  "'%s'", net->name, net->frozen_weights, name);
        return -1;
    }
    int same = !strcmp(e->dtype, "F32") && e->ndim == t->ndim;
    for (int k = 0; same && k < t->ndim; k++)
        same = e->shape[k] == (uint64_t)t->shape[k];
    if (same)
        return 0;
    gan_buf want = { 0 }, found = { 0 };
    for (int k = 0; k < t->ndim; k++)
        gan_buf_printf(&want, "%s%d", k ? ", " : "", t->shape[k]);
    for (int k = 0; k < e->ndim; k++)
        gan_buf_printf(&found, "%s%llu", k ? ", " : "", (unsigned long long)e->shape[k]);
    gan_error(d, net->frozen_pos, "frozen network '%s': tensor '%s' of weights file '%s' is "
              "%s [%s], the network needs F32 [%s]", net->name, name, net->frozen_weights,
              e->dtype, found.s ? found.s : "", want.s ? want.s : "");
    gan_buf_free(&want);
    gan_buf_free(&found);
    return -1;
}

static void check_net(const gan_model *m, const gan_net *net, gan_diag *d)
{
    rt_st st;
    rt_err err;
    if (rt_st_open_file(net->frozen_weights, &st, &err)) {
        gan_error(d, net->frozen_pos, "frozen network '%s': %s", net->name, err.msg);
        return;
    }
    for (int i = 0; i < m->n_tensors; i++) {
        if (m->tensors[i].net != net->id)
            continue;
        char *name = gan_frozen_tensor_name(m, &m->tensors[i]);
        int rc = check_tensor(net, &st, name, &m->tensors[i], d);
        free(name);
        if (rc)
            break;   /* one message per file: the others are usually wrong alike */
    }
    rt_st_close(&st);
}

void gan_check_frozen_weights(const gan_model *m, gan_diag *d)
{
    for (int i = 0; i < m->n_nets; i++)
        if (m->net[i].frozen && m->net[i].frozen_weights)
            check_net(m, &m->net[i], d);
}

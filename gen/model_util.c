/* model_util.c - the model's shapes and tensors as the parser, the layer
 * kinds and the later stages all use them: shapes as text and as element
 * counts (saturating, never overflowing), and declaring a tensor. */
#include "model.h"
#include "buf.h"
#include "fatal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gan_shape_str(gan_shape s, char *buf, int n)
{
    if (s.rank == 1)
        snprintf(buf, n, "(%d)", s.d[0]);
    else if (s.rank == 2)
        snprintf(buf, n, "(%d, %d)", s.d[0], s.d[1]);
    else
        snprintf(buf, n, "(%d, %d, %d)", s.d[0], s.d[1], s.d[2]);
}

long gan_mul_sat(long a, long b)
{
    if (a <= 0 || b <= 0)
        return 0;
    return b > LONG_MAX / a ? LONG_MAX : a * b;
}

long gan_shape_numel(gan_shape s)
{
    long n = 1;
    for (int i = 0; i < s.rank; i++)
        n = gan_mul_sat(n, s.d[i]);
    return n;
}

int gan_model_add_tensor(gan_model *m, gan_net *net, int layer, const char *suffix,
                         int role, int ndim, const int *shape, int init, float a, float b)
{
    m->tensors = gan_xrealloc(m->tensors, (size_t)m->n_tensors + 1, sizeof *m->tensors);
    gan_tensor *t = &m->tensors[m->n_tensors];
    memset(t, 0, sizeof *t);
    const char *ln = net->layers[layer].name;
    size_t len = strlen(net->name) + strlen(ln) + strlen(suffix) + 3;
    t->name = gan_xcalloc(len, 1);
    snprintf(t->name, len, "%s.%s.%s", net->name, ln, suffix);
    t->net = net->id;
    t->role = role;
    t->layer = layer;
    t->ndim = ndim;
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        t->shape[i] = shape[i];
        n *= (size_t)shape[i];
    }
    t->init = init;
    t->init_a = a;
    t->init_b = b;
    size_t *count = role == GAN_PARAM ? &net->param_count : &net->state_count;
    t->offset = *count;
    /* 16-float alignment keeps every tensor on a 64-byte boundary */
    *count += (n + 15) & ~(size_t)15;
    return m->n_tensors++;
}

/* Declares the tensors of each layer in use; a weight past GAN_MAX_ELEMENTS
 * is reported at its layer. */

/* A relative path is relative to the model file's folder, so that a model
 * and its data can move together: the joined path, kept in *owned. */
const char *gan_beside_model(const gan_model *m, const char *path, char **owned)
{
    const char *slash = m->path ? strrchr(m->path, '/') : NULL;
    if (!path || path[0] == '/' || !slash)
        return path;
    *owned = gan_strf("%.*s/%s", (int)(slash - m->path), m->path, path);
    return *owned;
}

int gan_find_var(const gan_model *m, const char *name)
{
    for (int i = 0; i < m->n_vars; i++)
        if (!strcmp(m->vars[i].name, name))
            return i;
    return -1;
}

int gan_find_net(const gan_model *m, const char *name)
{
    for (int i = 0; i < m->n_nets; i++)
        if (!strcmp(m->net[i].name, name))
            return i;
    return -1;
}

int gan_sample_net_count(const gan_model *m)
{
    return m->n_sample_nets > 0 ? m->n_sample_nets : 1;
}

int gan_sample_net(const gan_model *m, int k)
{
    return m->n_sample_nets > 0 ? m->sample_nets[k] : m->gen_net;
}

int gan_is_sample_net(const gan_model *m, int net)
{
    for (int k = 0; k < gan_sample_net_count(m); k++)
        if (gan_sample_net(m, k) == net)
            return 1;
    return 0;
}

int gan_model_judged(const gan_model *m)
{
    const gan_net *g = &m->net[m->gen_net];
    gan_shape out = g->layers[g->output].out;
    return out.rank == 3 && out.d[0] == 1 && out.d[1] == 28 && out.d[2] == 28;
}

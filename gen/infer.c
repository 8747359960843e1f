/* infer.c - from parsed layers to a checked graph: input names resolved,
 * cycles rejected, a topological order, every shape inferred, and the
 * model's tensors declared with their offsets. */
#include "layer.h"
#include "fatal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int shape_eq(gan_shape a, gan_shape b)
{
    if (a.rank != b.rank)
        return 0;
    for (int i = 0; i < a.rank; i++)
        if (a.d[i] != b.d[i])
            return 0;
    return 1;
}

static void resolve_inputs(gan_net *net, gan_diag *d)
{
    for (int i = 0; i < net->n_layers; i++) {
        gan_layer *l = &net->layers[i];
        if (!l->kind)
            continue;
        if (l->n_inputs == 0) {
            /* a plain list chains: the previous layer, or the network input */
            l->n_inputs = 1;
            l->inputs[0] = i ? i - 1 : GAN_NET_INPUT(0);
            l->input_names[0] = i ? net->layers[i - 1].name : net->inputs[0].name;
            if (i == 0 && net->n_inputs > 1)
                gan_error(d, l->pos, "layer '%s' comes first in a %s of %d inputs: say which "
                          "it reads with 'input' or 'inputs'", l->name, net->role,
                          net->n_inputs);
            l->input_pos[0] = l->pos;
        } else {
            for (int k = 0; k < l->n_inputs; k++) {
                const char *nm = l->input_names[k];
                int found = INT_MIN;
                if (!strcmp(nm, "input") && net->n_inputs == 1)
                    found = GAN_NET_INPUT(0);
                for (int j = 0; net->named_inputs && j < net->n_inputs && found == INT_MIN; j++)
                    if (!strcmp(net->inputs[j].name, nm))
                        found = GAN_NET_INPUT(j);
                for (int j = 0; j < net->n_layers && found == INT_MIN; j++)
                    if (!strcmp(net->layers[j].name, nm))
                        found = j;
                if (found == INT_MIN)
                    gan_error(d, l->input_pos[k], "layer '%s' takes input '%s', which is not "
                              "a layer of the %s (%s)", l->name, nm, net->role,
                              net->n_inputs == 1 ? "use 'input' for the network input"
                                                 : "nor one of its inputs");
                else if (found == i)
                    gan_error(d, l->input_pos[k], "layer '%s' takes itself as input", l->name);
                l->inputs[k] = found == INT_MIN ? GAN_NET_INPUT(0) : found;
            }
        }
        int lo = l->kind->min_inputs, hi = l->kind->max_inputs;
        if (l->n_inputs < lo || l->n_inputs > hi) {
            if (lo == hi)
                gan_error(d, l->pos, "%s layer '%s' takes %d input%s, found %d",
                          l->kind->name, l->name, lo, lo == 1 ? "" : "s", l->n_inputs);
            else
                gan_error(d, l->pos, "%s layer '%s' takes %d to %d inputs, found %d; list "
                          "them with 'inputs: [a, b]'", l->kind->name, l->name, lo, hi,
                          l->n_inputs);
        }
    }
}

/* Depth-first order from the output; a grey node seen again is a cycle. */
static int visit(gan_net *net, int i, char *mark, gan_diag *d)
{
    if (mark[i] == 2)
        return 0;
    gan_layer *l = &net->layers[i];
    if (mark[i] == 1) {
        gan_error(d, l->pos, "%s: layer '%s' is part of a cycle; a network must be acyclic",
                  net->role, l->name);
        return -1;
    }
    mark[i] = 1;
    for (int k = 0; k < l->n_inputs; k++)
        if (l->inputs[k] >= 0 && visit(net, l->inputs[k], mark, d))
            return -1;
    mark[i] = 2;
    net->order[net->n_order++] = i;
    return 0;
}

static int order_layers(gan_net *net, gan_diag *d)
{
    char *mark = gan_xcalloc((size_t)net->n_layers, 1);
    net->order = gan_xcalloc((size_t)net->n_layers, sizeof *net->order);
    int rc = 0;
    for (int k = 0; k < net->n_outputs && rc == 0; k++)
        rc = visit(net, net->outputs[k], mark, d);
    /* a frozen network's unused layers are another model's, used there */
    for (int i = 0; rc == 0 && !net->frozen && i < net->n_layers; i++)
        if (!mark[i])
            gan_warning(d, net->layers[i].pos, "%s: layer '%s' does not lead to %s '%s' and "
                        "is ignored", net->role, net->layers[i].name,
                        net->n_outputs == 1 ? "the output" : "an output",
                        net->layers[net->output].name);
    free(mark);
    return rc;
}

/* A batch of shape s fits a tensor (GAN_MAX_ELEMENTS); else reports, naming `what`. */
static int check_size(const gan_net *net, const char *what, const char *name, gan_shape s,
                      int batch, gan_pos pos, gan_diag *d)
{
    char str[64];
    gan_shape_str(s, str, sizeof str);
    for (int k = 0; k < s.rank; k++)
        if (s.d[k] < 1) {
            gan_error(d, pos, "%s: %s '%s' has shape %s, with nothing along axis %d", net->role,
                      what, name, str, k);
            return -1;
        }
    long n = gan_mul_sat(batch, gan_shape_numel(s));
    if (n <= GAN_MAX_ELEMENTS)
        return 0;
    gan_error(d, pos, "%s: %s '%s' has shape %s, %s%ld values for a batch of %d; a tensor may "
              "hold at most %ld (the generated code indexes it with int)", net->role, what, name,
              str, n == LONG_MAX ? "more than " : "", n, batch, GAN_MAX_ELEMENTS);
    return -1;
}

/* A label input is an integer class: only a layer made for labels (an
 * embedding) may read it, and it reads nothing else. */
static int check_label_inputs(const gan_net *net, const gan_layer *l, gan_diag *d)
{
    for (int k = 0; k < l->n_inputs; k++) {
        int src = l->inputs[k];
        int label = src < 0 && net->inputs[-1 - src].kind == GAN_INPUT_LABEL;
        if (label != l->kind->takes_labels) {
            gan_error(d, l->input_pos[k], label ? "%s layer '%s' reads '%s', a class label; "
                      "labels go through an embedding layer first" : "%s layer '%s' reads "
                      "class labels: its input '%s' must be a label input of the network",
                      l->kind->name, l->name, l->input_names[k]);
            return -1;
        }
    }
    return 0;
}

/* Packing joins `pack` samples of the batch: it must divide the batch, and
 * a label (one per sample) cannot be joined. */
static int check_pack(const gan_net *net, int batch, gan_diag *d)
{
    if (net->pack == 1)
        return 0;
    if (batch % net->pack) {
        gan_error(d, net->pos, "%s packs %d samples, which must divide train.batch %d",
                  net->role, net->pack, batch);
        return -1;
    }
    for (int j = 0; j < net->n_inputs; j++)
        if (net->inputs[j].kind == GAN_INPUT_LABEL) {
            gan_error(d, net->inputs[j].pos, "%s packs samples, but its input '%s' is a "
                      "label, which packing cannot join", net->role, net->inputs[j].name);
            return -1;
        }
    return 0;
}

/* batch: the model's; a packed network sees batch / pack values */
static int infer_net(gan_net *net, int batch, gan_diag *d)
{
    if (check_pack(net, batch, d))
        return -1;
    batch /= net->pack;
    for (int j = 0; j < net->n_inputs; j++)
        if (check_size(net, "the input", net->inputs[j].name, gan_net_input_shape(net, j),
                       batch, net->inputs[j].pos, d))
            return -1;
    for (int oi = 0; oi < net->n_order; oi++) {
        gan_layer *l = &net->layers[net->order[oi]];
        gan_shape in[IR_MAX_IN];
        if (check_label_inputs(net, l, d))
            return -1;
        for (int k = 0; k < l->n_inputs; k++)
            in[k] = gan_net_value_shape(net, l->inputs[k]);
        if (l->kind->infer(l, in, l->n_inputs, d) ||
            check_size(net, "the output of layer", l->name, l->out, batch, l->pos, d))
            return -1;
    }
    return 0;
}

static void declare_tensors(gan_model *m, gan_net *net, gan_diag *d)
{
    for (int oi = 0; oi < net->n_order; oi++) {
        int li = net->order[oi];
        gan_layer *l = &net->layers[li];
        l->first_tensor = m->n_tensors;
        if (l->kind->declare)
            l->kind->declare(m, net, li);
        l->n_tensors = m->n_tensors - l->first_tensor;
        for (int t = l->first_tensor; t < m->n_tensors; t++) {
            const gan_tensor *ts = &m->tensors[t];
            long n = 1;
            for (int k = 0; k < ts->ndim; k++)
                n = gan_mul_sat(n, ts->shape[k]);
            if (n > GAN_MAX_ELEMENTS)
                gan_error(d, l->pos, "%s: tensor '%s' would hold %s%ld values; a tensor may hold "
                          "at most %ld (the generated code indexes it with int)", net->role,
                          ts->name, n == LONG_MAX ? "more than " : "", n, GAN_MAX_ELEMENTS);
        }
    }
}

/* Training batchnorm keeps an unbiased running variance, scaled by n/(n-1)
 * with n the values per channel (batch x height x width): n = 1 (batch 1 on
 * vectors) made that factor inf and the emitted C did not compile.  PyTorch
 * refuses the same case ("Expected more than 1 value per channel"). */
static void check_batchnorm(const gan_model *m, const gan_net *net, gan_diag *d)
{
    for (int oi = 0; oi < net->n_order; oi++) {
        const gan_layer *l = &net->layers[net->order[oi]];
        if (strcmp(l->kind->name, "batchnorm") != 0)
            continue;
        int batch = m->train.batch / net->pack;
        long n = batch * (gan_shape_numel(l->out) / l->out.d[0]);
        if (n < 2)
            gan_error(d, l->pos, "%s: batchnorm '%s' would see %ld value per channel while "
                      "training (train.batch %d%s); a variance needs at least 2: raise the batch",
                      net->role, l->name, n, m->train.batch,
                      net->pack > 1 ? ", packed" : "");
    }
}

/* A kind that mixes the samples of a batch has no per-sample meaning: not
 * in what the sampler runs (its batch is whatever the user asks for), and
 * not with one sample per batch while training, where it is degenerate. */
static void check_mixes_batch(const gan_model *m, const gan_net *net, gan_diag *d)
{
    for (int oi = 0; oi < net->n_order; oi++) {
        const gan_layer *l = &net->layers[net->order[oi]];
        if (!l->kind->mixes_batch)
            continue;
        int batch = m->train.batch / net->pack;
        if (gan_is_sample_net(m, (int)(net - m->net)))
            gan_error(d, l->pos, "%s: %s layer '%s' mixes the samples of a batch, but this "
                      "network is what the sampler runs, on batches of any size; put it in a "
                      "discriminator", net->role, l->kind->name, l->name);
        else if (batch < 2)
            gan_error(d, l->pos, "%s: %s layer '%s' would see 1 sample per batch while "
                      "training (train.batch %d%s); it needs at least 2: raise the batch",
                      net->role, l->kind->name, l->name, m->train.batch,
                      net->pack > 1 ? ", packed" : "");
    }
}

/* The shorthand's own rules, with the messages its users know: the
 * generator makes data samples, the discriminator one score each. */
static void check_shorthand(const gan_model *m, gan_diag *d)
{
    char a[64], b[64];
    const gan_net *g = &m->net[GAN_G], *dn = &m->net[GAN_D];
    gan_shape gout = g->layers[g->output].out;
    if (!shape_eq(gout, m->sources[0].shape)) {
        gan_shape_str(gout, a, sizeof a);
        gan_shape_str(m->sources[0].shape, b, sizeof b);
        gan_error(d, g->layers[g->output].pos, "the generator's output '%s' has shape %s, "
                  "but a data sample has shape %s", g->layers[g->output].name, a, b);
    }
    gan_shape dout = dn->layers[dn->output].out;
    if (gan_shape_numel(dout) != 1) {
        gan_shape_str(dout, a, sizeof a);
        gan_error(d, dn->layers[dn->output].pos, "the discriminator's output '%s' has shape "
                  "%s; it must be one score per sample, shape (1): end with a dense layer of "
                  "1 unit", dn->layers[dn->output].name, a);
    }
}

int gan_model_infer(gan_model *m, gan_diag *d)
{
    int errors0 = d->errors;
    for (int i = 0; i < m->n_nets; i++)
        resolve_inputs(&m->net[i], d);
    if (d->errors > errors0)
        return -1;
    /* every network is checked, so one run reports the errors of each */
    int failed = 0;
    for (int i = 0; i < m->n_nets; i++)
        if (order_layers(&m->net[i], d) || infer_net(&m->net[i], m->train.batch, d))
            failed = 1;
    if (failed)
        return -1;
    if (m->shorthand)
        check_shorthand(m, d);
    for (int k = 0; k < gan_sample_net_count(m); k++)
        if (m->net[gan_sample_net(m, k)].pack > 1)
            gan_error(d, m->net[gan_sample_net(m, k)].pos, "%s is what the sampler runs, one "
                      "sample at a time: it cannot pack samples",
                      m->net[gan_sample_net(m, k)].role);
    for (int i = 0; i < m->n_nets; i++) {
        check_batchnorm(m, &m->net[i], d);
        check_mixes_batch(m, &m->net[i], d);
    }
    if (d->errors > errors0)
        return -1;
    for (int i = 0; i < m->n_nets; i++)
        declare_tensors(m, &m->net[i], d);
    return d->errors > errors0 ? -1 : 0;
}

/* FNV-1a over bytes: the architecture hash below feeds it every field. */
static uint64_t fnv(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    return fnv(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static uint64_t fnv_int(uint64_t h, long v)
{
    int64_t x = v;
    return fnv(h, &x, sizeof x);
}

static uint64_t fnv_float(uint64_t h, float v)
{
    return fnv(h, &v, sizeof v);
}

static uint64_t fnv_shape(uint64_t h, gan_shape s)
{
    h = fnv_int(h, s.rank);
    for (int k = 0; k < s.rank; k++)
        h = fnv_int(h, s.d[k]);
    return h;
}

/* A GAN_ARCH_IF_SET setting at its default: hashed as its absence was */
static int at_default(const gan_layer *l, const gan_setting *s)
{
    const void *f = gan_setting_field(l, s);
    switch (s->type) {
    case GAN_SET_INT:
    case GAN_SET_BOOL:
    case GAN_SET_ENUM: return *(const int *)f == (int)s->def;
    case GAN_SET_NUM: return *(const float *)f == (float)s->def;
    case GAN_SET_SHAPE: return 0;
    }
    return 0;
}

/* The layer's GAN_ARCH settings, each with its key, from the kind's table:
 * a kind's new key is hashed (or not) by saying so where it is declared. */
static uint64_t hash_settings(uint64_t h, const gan_layer *l)
{
    for (const gan_setting *s = l->kind->settings; s && s->key; s++) {
        if (s->use == GAN_TRAINING || (s->use == GAN_ARCH_IF_SET && at_default(l, s)))
            continue;
        const void *f = gan_setting_field(l, s);
        h = fnv_str(h, s->key);
        switch (s->type) {
        case GAN_SET_INT:
        case GAN_SET_BOOL:
        case GAN_SET_ENUM: h = fnv_int(h, *(const int *)f); break;
        case GAN_SET_NUM: h = fnv_float(h, *(const float *)f); break;
        case GAN_SET_SHAPE: h = fnv_shape(h, *(const gan_shape *)f); break;
        }
    }
    return h;
}

/* Everything that decides what a trained network computes, and nothing
 * that only decides how it is trained (optimizer, loss, schedule, data,
 * initialisation, GAN_TRAINING settings such as batchnorm's momentum):
 * weights saved by one model load into another exactly when the hashes
 * agree.  Checkpoints and weight files record it.  Only the layers that
 * lead to the output count (the others are ignored, infer.c), and inputs
 * are hashed by name, so an unused layer changes nothing. */
uint64_t gan_model_arch_hash(const gan_model *m)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < m->n_tensors; i++) {
        const gan_tensor *t = &m->tensors[i];
        h = fnv_str(h, t->name);
        for (int k = 0; k < t->ndim; k++)
            h = fnv_int(h, t->shape[k]);
        h = fnv_int(h, t->role);
    }
    /* a network of one input hashes as the shorthand's always did: its
     * shape, and "" wherever a layer reads it */
    for (int n = 0; n < m->n_nets; n++) {
        const gan_net *net = &m->net[n];
        for (int j = 0; j < net->n_inputs; j++) {
            h = fnv_shape(h, net->inputs[j].shape);
            if (net->n_inputs > 1)
                h = fnv_int(fnv_str(h, net->inputs[j].name), net->inputs[j].classes);
        }
        for (int oi = 0; oi < net->n_order; oi++) {
            const gan_layer *l = &net->layers[net->order[oi]];
            h = fnv_str(fnv_str(h, l->kind->name), l->name);
            h = fnv_int(h, l->n_inputs);
            for (int k = 0; k < l->n_inputs; k++) {
                int src = l->inputs[k];
                h = fnv_str(h, src >= 0 ? net->layers[src].name :
                               net->n_inputs == 1 ? "" : net->inputs[-1 - src].name);
            }
            h = hash_settings(h, l);
            h = fnv_shape(h, l->out);
        }
        for (int k = 0; k < net->n_outputs; k++)
            h = fnv_str(h, net->layers[net->outputs[k]].name);
        if (net->pack > 1)
            h = fnv_int(fnv_str(h, "pack"), net->pack);
        if (net->frozen)   /* applied in inference mode: it computes otherwise */
            h = fnv_str(h, "frozen");
    }
    /* the latent space: the sampler's network's first latent input (the
     * shorthand's z) */
    const gan_net *gen = &m->net[m->gen_net];
    for (int j = 0; j < gen->n_inputs; j++)
        if (gen->inputs[j].kind == GAN_INPUT_LATENT)
            return fnv_int(fnv_int(h, gen->inputs[j].shape.d[0]), gen->inputs[j].dist);
    return fnv_int(fnv_int(h, 0), 0);
}

/* frozen_parse.c - a frozen network: one network of another model file,
 * imported with the weights it was trained to.
 *
 *   F: {frozen: {model: fmnist_classifier.yaml, network: C,
 *                weights: fmnist_classifier.safetensors}, outputs: [features]}
 *
 * The other file is loaded whole with the same parser by model_parse.c (so
 * its mistakes are reported at its own file:line, and its inputs' shapes
 * are those its own data gives them); network C's layers are then read
 * again from that file's nodes into F, as any network's are, under F's
 * name, so that F's tensors, C identifiers and tensor names are F's.  The
 * imported model is kept by the importing one (F's layers borrow its
 * strings).
 * A frozen network may also be written here, with its own inputs and
 * layers and only a weights file under `frozen`.
 * Leaves out: the rules of their use (frozen_check.c).
 */
#include "parse.h"
#include "buf.h"
#include "fatal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "C, D" for the message of a network name the imported model lacks */
static char *net_list(const gan_model *sub)
{
    gan_buf b = { 0 };
    gan_buf_put(&b, "");
    for (int i = 0; i < sub->n_nets; i++)
        gan_buf_printf(&b, "%s%s", i ? ", " : "", sub->net[i].name);
    return b.s;
}

/* F's inputs are the imported network's, as its model resolved them: a
 * `sample` input has the shape of that model's data. */
static void copy_inputs(gan_net *net, const gan_net *src)
{
    net->n_inputs = src->n_inputs;
    net->inputs = gan_xcalloc((size_t)src->n_inputs, sizeof *net->inputs);
    memcpy(net->inputs, src->inputs, (size_t)src->n_inputs * sizeof *net->inputs);
    net->named_inputs = src->named_inputs;
}

/* The imported network's node in the imported file: networks.NAME, or
 * the shorthand's section 'generator' or 'discriminator' */
static const gan_node *net_node(const gan_model *sub, const char *name)
{
    if (sub->shorthand)
        return gan_map_get(sub->root, name);
    const gan_node *nets = gan_map_get(sub->root, "networks");
    return nets ? gan_map_get(nets, name) : NULL;
}

/* Its layers: the 'layers' of its map, or the shorthand's bare list */
static const gan_node *layers_node(const gan_node *src)
{
    return src->type == GAN_NODE_SEQ ? src : gan_map_get(src, "layers");
}

/* frozen.weights, resolved; a file that cannot be read is reported here,
 * with the model's other mistakes (frozen_check.c reads its tensors once
 * shapes are known). */
static void read_weights_key(gan_model *m, gan_net *net, const gan_node *f, gan_diag *d)
{
    const char *weights = gan_get_str(f, "weights", NULL, 1, d);
    if (!weights)
        return;
    net->frozen_weights = gan_beside_model(m, weights, &net->owned_frozen_paths[1]);
    net->frozen_pos = gan_map_get(f, "weights")->pos;
    if (access(net->frozen_weights, R_OK) != 0)
        gan_error(d, net->frozen_pos, "frozen network '%s': cannot read weights file '%s': %s",
                  net->name, net->frozen_weights, strerror(errno));
}

/* A frozen network written here: its own inputs, layers and outputs, and
 * frozen: {weights: FILE, network: NAME}, NAME its tensors' name in the
 * file (default: its own) */
static void parse_inline(gan_model *m, gan_net *net, const gan_node *n, const gan_node *f,
                         gan_diag *d)
{
    static const char *const keys[] = { "weights", "network", NULL };
    free(net->owned_role);   /* gan_parse_net names it again */
    net->owned_role = NULL;
    gan_parse_net(m, net, net->name, n, d);
    net->frozen = 1;
    char *what = gan_strf("%s: frozen", net->role);
    gan_check_keys(f, what, keys, d);
    free(what);
    net->frozen_model = m->path;
    net->frozen_network = gan_get_str(f, "network", net->name, 0, d);
    read_weights_key(m, net, f, d);
}

/* Network `name` of the imported model sub, read into net: its inputs as
 * sub resolved them, its layers from sub's nodes, its outputs or those
 * `outputs` beside `frozen` (n) picks */
static void import_net(gan_net *net, const gan_node *n, const gan_node *f, gan_model *sub,
                       const char *name, gan_diag *d)
{
    net->frozen_from = sub;
    int k = gan_find_net(sub, name);
    const gan_node *src_node = k >= 0 ? net_node(sub, name) : NULL;
    if (!src_node) {
        char *list = net_list(sub);
        gan_error(d, gan_map_get(f, "network")->pos, "frozen network: model file '%s' has "
                  "no network '%s'; its networks: %s", net->frozen_model, name, list);
        free(list);
        return;
    }
    const gan_net *src = &sub->net[k];
    if (src->frozen) {
        /* its tensors are named after it, but its weights are in another file */
        gan_error(d, gan_map_get(f, "network")->pos, "frozen network: network '%s' of '%s' "
                  "is itself frozen; import it from '%s' instead", name, net->frozen_model,
                  src->frozen_model);
        return;
    }
    copy_inputs(net, src);
    net->pack = src->pack;
    int own_outputs = gan_map_get(n, "output") || gan_map_get(n, "outputs");
    const gan_node *outputs = own_outputs ? n : src_node->type == GAN_NODE_MAP ? src_node : NULL;
    gan_parse_net_body(net, outputs, layers_node(src_node), d);
}

void gan_parse_frozen_net(gan_model *m, gan_net *net, const gan_node *n, gan_model *sub,
                          gan_diag *d)
{
    static const char *const keys[] = { "frozen", "output", "outputs", NULL };
    static const char *const frozen_keys[] = { "model", "network", "weights", NULL };
    const gan_node *f = gan_map_get(n, "frozen");
    if (f->type == GAN_NODE_MAP && !gan_map_get(f, "model") && gan_map_get(n, "layers")) {
        parse_inline(m, net, n, f, d);
        return;
    }
    gan_check_keys(n, net->role, keys, d);
    net->frozen = 1;
    if (f->type != GAN_NODE_MAP) {
        gan_error(d, f->pos, "%s: 'frozen' must be a map {model: FILE.yaml, network: NAME, "
                  "weights: FILE.safetensors}, or {weights: FILE.safetensors} beside the "
                  "network's own 'inputs' and 'layers'", net->role);
        return;
    }
    char *what = gan_strf("%s: frozen", net->role);
    gan_check_keys(f, what, frozen_keys, d);
    free(what);
    const char *model = gan_get_str(f, "model", NULL, 1, d);
    const char *name = gan_get_str(f, "network", NULL, 1, d);
    if (model)
        net->frozen_model = gan_beside_model(m, model, &net->owned_frozen_paths[0]);
    net->frozen_network = name;
    read_weights_key(m, net, f, d);
    if (model && name && sub)   /* no sub: model_parse.c said why */
        import_net(net, n, f, sub, name, d);
}

/* net_parse.c - one network of a model file: its inputs, its layers (each
 * kind reads its own keys, layers.c), its outputs.  The shorthand's
 * 'generator' and 'discriminator' are networks of one input each, named
 * 'input'; the general form's networks declare theirs under 'inputs'. */
#include "layer.h"
#include "parse.h"
#include "buf.h"
#include "fatal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const init_kinds[] = { "default", "normal", "xavier", "he", NULL };
static const char *const latent_dists[] = { "normal", "uniform", NULL };
static const char *const layer_name_why = "it becomes part of C identifiers and tensor names";

/* `input: name` or `inputs: [a, b]` */
static void parse_layer_inputs(gan_layer *l, const gan_node *map, gan_diag *d)
{
    const gan_node *one = gan_map_get(map, "input"), *many = gan_map_get(map, "inputs");
    if (one && many) {
        gan_error(d, many->pos, "layer '%s' has both 'input' and 'inputs'; use one", l->name);
        return;
    }
    if (one) {
        if (one->type != GAN_NODE_SCALAR) {
            gan_error(d, one->pos, "'input' must be a layer name; use 'inputs' for a list");
            return;
        }
        l->n_inputs = 1;
        l->input_names[0] = one->scalar;
        l->input_pos[0] = one->pos;
        return;
    }
    if (!many)
        return;
    if (many->type != GAN_NODE_SEQ || many->n == 0) {
        gan_error(d, many->pos, "'inputs' must be a list of layer names, e.g. [h1, h2]");
        return;
    }
    if (many->n > IR_MAX_IN) {
        gan_error(d, many->pos, "a layer takes at most %d inputs, found %zu", IR_MAX_IN, many->n);
        return;
    }
    for (size_t i = 0; i < many->n; i++) {
        if (many->items[i]->type != GAN_NODE_SCALAR) {
            gan_error(d, many->items[i]->pos, "'inputs' items must be layer names");
            return;
        }
        l->input_names[i] = many->items[i]->scalar;
        l->input_pos[i] = many->items[i]->pos;
    }
    l->n_inputs = (int)many->n;
}

/* "dense, conv2d, ..." for the unknown-type message (the caller frees) */
static char *kind_list(void)
{
    gan_buf b = { 0 };
    gan_buf_put(&b, "");
    for (const char *const *k = gan_layer_kind_names(); *k; k++)
        gan_buf_printf(&b, "%s%s", b.len ? ", " : "", *k);
    return b.s;
}

/* Names the layer: its 'name' if valid, else TYPE + position ("relu2"). */
static void name_layer(const gan_net *net, gan_layer *l, int index, const char *type,
                       gan_diag *d)
{
    free(l->auto_name);
    l->auto_name = gan_strf("%s%d", type ? type : "layer", index + 1);
    l->name = l->auto_name;
    const gan_node *nm = l->node ? gan_map_get(l->node, "name") : NULL;
    if (!nm || gan_check_name(nm, "a layer name", GAN_LAYER_NAME_MAX, layer_name_why, d))
        return;
    int clash = !strcmp(nm->scalar, "input");
    for (int j = 0; net->named_inputs && j < net->n_inputs && !clash; j++)
        clash = !strcmp(nm->scalar, net->inputs[j].name);
    if (clash && !net->named_inputs)
        gan_error(d, nm->pos, "a layer may not be named 'input': that name stands for the "
                  "network's input");
    else if (clash)
        gan_error(d, nm->pos, "a layer may not be named '%s': that name stands for an input "
                  "of the %s", nm->scalar, net->role);
    else
        l->name = nm->scalar;
}

static void parse_layer(gan_net *net, gan_layer *l, int index, const gan_node *item,
                        gan_diag *d)
{
    l->pos = item->pos;
    l->init = net->init;
    l->init_std = net->init_std;
    /* every layer has a name, even one refused below: the network's checks
     * compare the names of all layers (duplicates, output), and a layer
     * written as a list used to leave it NULL for strcmp (a crash;
     * tests/bad/layer_list.yaml) */
    const char *type = NULL;
    if (item->type == GAN_NODE_SCALAR) {
        type = item->scalar;              /* shorthand: "- relu" */
    } else if (item->type == GAN_NODE_MAP) {
        l->node = item;
        type = gan_get_str(item, "type", NULL, 1, d);
    } else {
        name_layer(net, l, index, NULL, d);
        gan_error(d, item->pos, "a layer must be a map such as {type: dense, units: 128} "
                  "or a kind name such as relu; found a list");
        return;
    }
    name_layer(net, l, index, type, d);
    if (!type)
        return;
    l->kind = gan_layer_find(type);
    if (!l->kind) {
        char *list = kind_list();
        gan_pos p = l->node ? gan_map_get(item, "type")->pos : item->pos;
        gan_error(d, p, "unknown layer type '%s'; known types: %s", type, list);
        free(list);
        return;
    }
    if (l->node) {
        const char **allowed;
        gan_layer_keys(l->kind, &allowed);
        char *what = gan_strf("%s layer '%s'", l->kind->name, l->name);
        gan_check_keys(item, what, allowed, d);
        free(what);
        free(allowed);
        parse_layer_inputs(l, item, d);
        if (l->kind->has_weights) {
            l->init = gan_get_enum(item, "init", init_kinds, l->init, 0, d);
            l->init_std = (float)gan_get_num(item, "init_std", l->init_std, 0, 10, 0, d);
        }
    }
    gan_layer_read_settings(l, d);
}

/* The layer named `name`, or -1 */
static int find_layer(const gan_net *net, const char *name)
{
    for (int i = 0; i < net->n_layers; i++)
        if (!strcmp(net->layers[i].name, name))
            return i;
    return -1;
}

/* 'output: NAME' or 'outputs: [NAME, ...]' (default: the last layer) */
static void parse_outputs(gan_net *net, const gan_node *n, gan_diag *d)
{
    const gan_node *one = n && n->type == GAN_NODE_MAP ? gan_map_get(n, "output") : NULL;
    const gan_node *many = n && n->type == GAN_NODE_MAP ? gan_map_get(n, "outputs") : NULL;
    if (one && many)
        gan_error(d, many->pos, "%s has both 'output' and 'outputs'; use one", net->role);
    if (many && (many->type != GAN_NODE_SEQ || many->n == 0)) {
        gan_error(d, many->pos, "'outputs' must be a list of layer names, e.g. [score, classes]");
        many = NULL;
    }
    size_t count = many ? many->n : 1;
    net->outputs = gan_xcalloc(count, sizeof *net->outputs);
    net->output_names = gan_xcalloc(count, sizeof *net->output_names);
    net->n_outputs = (int)count;
    for (size_t i = 0; i < count; i++) {
        const gan_node *o = many ? many->items[i] : one;
        int found = net->n_layers - 1;
        if (o) {
            found = o->type == GAN_NODE_SCALAR ? find_layer(net, o->scalar) : -1;
            if (found < 0) {
                gan_error(d, o->pos, "%s output '%s' is not a layer of the %s", net->role,
                          o->type == GAN_NODE_SCALAR ? o->scalar : "?", net->role);
                found = net->n_layers - 1;
            }
        }
        net->outputs[i] = found;
        net->output_names[i] = net->layers[found].name;
    }
    net->output = net->outputs[0];
}

/* The layers list and what every network has around it. */
void gan_parse_net_body(gan_net *net, const gan_node *n, const gan_node *layers, gan_diag *d)
{
    if (layers->type != GAN_NODE_SEQ || layers->n == 0) {
        gan_error(d, layers->pos, "%s layers must be a non-empty list", net->role);
        return;
    }
    net->n_layers = (int)layers->n;
    net->layers = gan_xcalloc(layers->n, sizeof *net->layers);
    for (int i = 0; i < net->n_layers; i++)
        parse_layer(net, &net->layers[i], i, layers->items[i], d);
    for (int i = 0; i < net->n_layers; i++)
        for (int j = 0; j < i; j++)
            if (!strcmp(net->layers[i].name, net->layers[j].name))
                gan_error(d, net->layers[i].pos, "%s: layer name '%s' is already used at "
                          "line %d", net->role, net->layers[i].name, net->layers[j].pos.line);
    parse_outputs(net, n, d);
}

static void init_settings(gan_net *net, const gan_node *n, gan_diag *d)
{
    net->init = gan_get_enum(n, "init", init_kinds, GAN_INIT_DEFAULT, 0, d);
    net->init_std = (float)gan_get_num(n, "init_std", 0.02, 0, 10, 0, d);
    net->pack = (int)gan_get_int(n, "pack", 1, 1, 64, 0, d);
}

void gan_parse_shorthand_net(gan_model *m, gan_net *net, const gan_node *root, gan_diag *d)
{
    static const char *const keys[] = { "layers", "output", "optimizer", "init", "init_std",
                                        "pack", NULL };
    (void)m;
    net->inputs = gan_xcalloc(1, sizeof *net->inputs);
    net->n_inputs = 1;
    /* named as generated code always called them; layers say 'input' */
    net->inputs[0].name = net->id == GAN_G ? "z" : "x";
    const gan_node *n = gan_map_get(root, net->role);
    net->init = GAN_INIT_DEFAULT;
    net->init_std = 0.02f;
    net->pack = 1;
    if (!n) {
        gan_error(d, root->pos, "missing required section '%s'", net->role);
        return;
    }
    net->pos = n->pos;
    net->inputs[0].pos = n->pos;
    const gan_node *layers = n;
    if (n->type == GAN_NODE_MAP) {
        gan_check_keys(n, net->role, keys, d);
        layers = gan_map_get(n, "layers");
        init_settings(net, n, d);
        gan_parse_optim(&net->optim, gan_expect_map(n, "optimizer", 0, d), d);
        if (!layers) {
            gan_error(d, n->pos, "%s: missing required key 'layers'", net->role);
            return;
        }
    } else {
        gan_parse_optim(&net->optim, NULL, d);
    }
    gan_parse_net_body(net, n, layers, d);
}

/* One entry of a network's 'inputs': NAME: {latent: N, distribution: D},
 * {label: CLASSES}, sample (a data sample) or {shape: [C, H, W]}. */
static void parse_net_input(gan_model *m, gan_net *net, gan_net_input *in, const gan_node *key,
                            const gan_node *v, gan_diag *d)
{
    static const char *const keys[] = { "latent", "distribution", "label", "sample", "shape",
                                        NULL };
    in->pos = key->pos;
    in->name = "input";
    if (!gan_check_name(key, "a network input's name", GAN_LAYER_NAME_MAX, layer_name_why, d))
        in->name = key->scalar;
    in->kind = GAN_INPUT_SAMPLE;
    in->shape.rank = 1;
    in->shape.d[0] = 1;
    if (v->type == GAN_NODE_SCALAR && !strcmp(v->scalar, "sample")) {
        in->shape = m->sources[0].shape;
        return;
    }
    const char *expected = "a network input is 'sample' (a data sample), {sample: true}, "
                           "{latent: SIZE}, {label: CLASSES} or {shape: [C, H, W]}";
    if (v->type != GAN_NODE_MAP) {
        gan_error(d, v->pos, "%s input '%s': %s", net->role, in->name, expected);
        return;
    }
    char *what = gan_strf("%s input '%s'", net->role, in->name);
    gan_check_keys(v, what, keys, d);
    free(what);
    int kinds = !!gan_map_get(v, "latent") + !!gan_map_get(v, "label") +
                !!gan_map_get(v, "sample") + !!gan_map_get(v, "shape");
    if (kinds != 1) {
        gan_error(d, v->pos, "%s input '%s': %s (exactly one of them)", net->role, in->name,
                  expected);
        return;
    }
    if (gan_map_get(v, "latent")) {
        in->kind = GAN_INPUT_LATENT;
        in->shape.d[0] = (int)gan_get_int(v, "latent", 1, 1, 1 << 16, 1, d);
        in->dist = gan_get_enum(v, "distribution", latent_dists, 0, 0, d);
    } else if (gan_map_get(v, "label")) {
        in->kind = GAN_INPUT_LABEL;
        in->classes = (int)gan_get_int(v, "label", 2, 2, 1 << 20, 1, d);
    } else if (gan_map_get(v, "sample")) {
        gan_get_bool(v, "sample", 1, d);
        in->shape = m->sources[0].shape;
    } else {
        const gan_node *sh = gan_map_get(v, "shape");
        long e[3] = { 0, 0, 0 };
        int ok = sh->type == GAN_NODE_SEQ && (sh->n == 1 || sh->n == 3);
        for (size_t i = 0; ok && i < sh->n; i++)
            ok = !gan_scalar_int(sh->items[i], &e[i]) && e[i] >= 1 && e[i] <= 1 << 20;
        if (!ok) {
            gan_error(d, sh->pos, "%s input '%s': 'shape' must be [SIZE] or [C, H, W] of "
                      "positive integers", net->role, in->name);
            return;
        }
        in->shape.rank = (int)sh->n;
        for (size_t i = 0; i < sh->n; i++)
            in->shape.d[i] = (int)e[i];
    }
    if (gan_map_get(v, "distribution") && in->kind != GAN_INPUT_LATENT)
        gan_error(d, gan_map_get(v, "distribution")->pos, "'distribution' belongs to a latent "
                  "input");
}

void gan_parse_net(gan_model *m, gan_net *net, const char *name, const gan_node *n,
                   gan_diag *d)
{
    /* frozen: a frozen network written here (frozen_parse.c reads it) */
    static const char *const keys[] = { "inputs", "layers", "output", "outputs", "init",
                                        "init_std", "pack", "frozen", NULL };
    net->pos = n->pos;
    net->name = net->prefix = name;
    net->named_inputs = 1;
    net->role = net->owned_role = gan_strf("network '%s'", name);
    net->init = GAN_INIT_DEFAULT;
    net->init_std = 0.02f;
    net->pack = 1;
    gan_parse_optim(&net->optim, NULL, d);
    if (n->type != GAN_NODE_MAP) {
        gan_error(d, n->pos, "%s must be a map with 'inputs' and 'layers', found a %s",
                  net->role, gan_node_type_name(n));
        return;
    }
    gan_check_keys(n, net->role, keys, d);
    init_settings(net, n, d);
    const gan_node *ins = gan_map_get(n, "inputs");
    if (!ins || ins->type != GAN_NODE_MAP || ins->n == 0) {
        gan_error(d, ins ? ins->pos : n->pos, "%s needs 'inputs', a map from each input's "
                  "name to its kind, e.g. {z: {latent: 100}} or {x: sample}", net->role);
    } else {
        net->inputs = gan_xcalloc(ins->n, sizeof *net->inputs);
        net->n_inputs = (int)ins->n;
        for (size_t i = 0; i < ins->n; i++)
            parse_net_input(m, net, &net->inputs[i], ins->keys[i], ins->items[i], d);
        for (int i = 0; i < net->n_inputs; i++)
            for (int j = 0; j < i; j++)
                if (!strcmp(net->inputs[i].name, net->inputs[j].name))
                    gan_error(d, net->inputs[i].pos, "%s: input '%s' is declared twice",
                              net->role, net->inputs[i].name);
    }
    const gan_node *layers = gan_map_get(n, "layers");
    if (!layers) {
        gan_error(d, n->pos, "%s: missing required key 'layers'", net->role);
        return;
    }
    gan_parse_net_body(net, n, layers, d);
}

void gan_net_free(gan_net *net)
{
    for (int k = 0; net->layers && k < net->n_layers; k++) {
        free(net->layers[k].auto_name);
        free(net->layers[k].settings);
    }
    free(net->layers);
    free(net->order);
    free(net->inputs);
    free(net->outputs);
    free(net->output_names);
    free(net->owned_role);
    free(net->owned_frozen_paths[0]);
    free(net->owned_frozen_paths[1]);
}

/* model_parse.c - the model language: node tree -> gan_model.
 *
 * Reads every section, reporting each problem at its position and carrying
 * on with a default, so one run lists all the errors in a file.  Layer kinds
 * declare their own keys (layer.h), which layers.c reads; shapes are left to
 * infer.c.  Model and layer names are bounded here (model.h: their maximum
 * lengths), so that nothing made from them later can overflow or collide.
 * The language is documented in docs/model-language.md.
 */
#include "layer.h"
#include "buf.h"
#include "fatal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const top_keys[] = {
    "name", "seed", "data", "latent", "generator", "discriminator", "loss", "train",
    "compile", NULL,
};

static const char *const data_sources[] = { "ring8", "grid25", "csv", "idx", "png_dir", NULL };
static const char *const latent_dists[] = { "normal", "uniform", NULL };
static const char *const losses[] = { "non_saturating", "lsgan", "hinge", NULL };
static const char *const optim_kinds[] = { "adam", "sgd", NULL };
static const char *const init_kinds[] = { "default", "normal", "xavier", "he", NULL };

const char *gan_loss_name(int loss)
{
    return loss >= 0 && loss < (int)(sizeof losses / sizeof losses[0]) - 1 ? losses[loss] : "?";
}

/* A letter, then letters, digits and _: valid in a file name and, with a
 * prefix or suffix, in a C identifier (no leading _ that C reserves). */
static int is_identifier(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
              (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

/* Checks a model or layer name against its maximum length and the
 * identifier rule; 0 when it is fine.  Diagnostics escape control
 * characters (diag.c), so a name holding them prints safely. */
static int check_name(const gan_node *v, const char *what, size_t max, const char *why,
                      gan_diag *d)
{
    if (v->type != GAN_NODE_SCALAR) {
        gan_error(d, v->pos, "%s must be an identifier (a letter, then letters, digits or _), "
                  "found a %s", what, gan_node_type_name(v));
        return -1;
    }
    size_t n = strlen(v->scalar);
    if (n > max) {
        gan_error(d, v->pos, "%s is %zu characters long; it may have at most %zu (%s)", what, n,
                  max, why);
        return -1;
    }
    if (!is_identifier(v->scalar)) {
        gan_error(d, v->pos, "%s must be an identifier (a letter, then letters, digits or _; "
                  "%s), found '%s'", what, why, v->scalar);
        return -1;
    }
    return 0;
}

/* A string the model owns (layer names made up by ganc). */
static char *owned_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *owned_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = gan_vstrf(fmt, ap);
    va_end(ap);
    return s;
}

static const gan_node *expect_map(const gan_node *parent, const char *key, int required,
                                  gan_diag *d)
{
    const gan_node *n = gan_map_get(parent, key);
    if (!n) {
        if (required)
            gan_error(d, parent->pos, "missing required section '%s'", key);
        return NULL;
    }
    if (n->type != GAN_NODE_MAP) {
        gan_error(d, n->pos, "'%s' must be a map of settings, found a %s", key,
                  gan_node_type_name(n));
        return NULL;
    }
    return n;
}

static void parse_data(gan_model *m, const gan_node *root, gan_diag *d)
{
    static const char *const keys[] = { "source", "path", "shape", NULL };
    const gan_node *n = expect_map(root, "data", 1, d);
    m->data.kind = GAN_DATA_RING8;
    m->data.shape.rank = 1;
    m->data.shape.d[0] = 2;
    if (!n)
        return;
    m->data.pos = n->pos;
    gan_check_keys(n, "data", keys, d);
    m->data.kind = gan_get_enum(n, "source", data_sources, GAN_DATA_RING8, 1, d);
    int from_file = m->data.kind != GAN_DATA_RING8 && m->data.kind != GAN_DATA_GRID25;
    m->data.path = gan_get_str(n, "path", NULL, from_file, d);
    /* a relative path is relative to the model file's folder, so that a
     * model and its data can move together */
    const char *slash = m->path ? strrchr(m->path, '/') : NULL;
    if (m->data.path && m->data.path[0] != '/' && slash) {
        int dir = (int)(slash - m->path);
        m->owned_data_path = gan_xcalloc((size_t)dir + strlen(m->data.path) + 2, 1);
        sprintf(m->owned_data_path, "%.*s/%s", dir, m->path, m->data.path);
        m->data.path = m->owned_data_path;
    }
    const gan_node *shape = gan_map_get(n, "shape");
    if (m->data.kind == GAN_DATA_IDX || m->data.kind == GAN_DATA_PNG_DIR) {
        long v[3] = { 0, 0, 0 };
        int ok = shape && shape->type == GAN_NODE_SEQ && shape->n == 3;
        for (int i = 0; ok && i < 3; i++)
            ok = !gan_scalar_int(shape->items[i], &v[i]) && v[i] >= 1 && v[i] <= 1 << 14;
        if (ok && v[0] != 1 && v[0] != 3)
            ok = 0;
        if (!ok)
            gan_error(d, shape ? shape->pos : n->pos, "%s data needs 'shape: [CHANNELS, HEIGHT, "
                      "WIDTH]' with 1 (gray) or 3 (RGB) channels, e.g. [1, 28, 28]",
                      data_sources[m->data.kind]);
        m->data.shape.rank = 3;
        for (int i = 0; i < 3; i++)
            m->data.shape.d[i] = ok ? (int)v[i] : 1;
    } else if (m->data.kind == GAN_DATA_CSV) {
        long cols = 0;
        if (!shape)
            gan_error(d, n->pos, "csv data needs 'shape: [COLUMNS]'");
        else if (shape->type != GAN_NODE_SEQ || shape->n != 1 ||
                 gan_scalar_int(shape->items[0], &cols) || cols < 1 || cols > 1 << 20)
            gan_error(d, shape->pos, "'shape' of csv data must be a list of one positive "
                      "integer (the number of columns), e.g. [2]");
        else
            m->data.shape.d[0] = (int)cols;
    } else if (shape) {
        gan_error(d, shape->pos, "'shape' is fixed for %s data (2 columns); remove it",
                  data_sources[m->data.kind]);
    }
}

static void parse_latent(gan_model *m, const gan_node *root, gan_diag *d)
{
    static const char *const keys[] = { "size", "distribution", NULL };
    const gan_node *n = expect_map(root, "latent", 1, d);
    m->latent.size = 1;
    if (!n)
        return;
    gan_check_keys(n, "latent", keys, d);
    m->latent.size = (int)gan_get_int(n, "size", 1, 1, 1 << 16, 1, d);
    m->latent.dist = gan_get_enum(n, "distribution", latent_dists, 0, 0, d);
}

static void parse_optim(gan_optim *o, const gan_node *net, gan_diag *d)
{
    static const char *const keys[] = { "type", "lr", "beta1", "beta2", "eps", "momentum", NULL };
    o->kind = 0;
    o->lr = 2e-4f;
    o->beta1 = 0.5f;
    o->beta2 = 0.999f;
    o->eps = 1e-8f;
    o->momentum = 0;
    const gan_node *n = expect_map(net, "optimizer", 0, d);
    if (!n)
        return;
    gan_check_keys(n, "optimizer", keys, d);
    o->kind = gan_get_enum(n, "type", optim_kinds, 0, 0, d);
    o->lr = (float)gan_get_num(n, "lr", o->lr, 0, 10, 0, d);
    o->beta1 = (float)gan_get_num(n, "beta1", o->beta1, 0, 0.999999, 0, d);
    o->beta2 = (float)gan_get_num(n, "beta2", o->beta2, 0, 0.999999999, 0, d);
    o->eps = (float)gan_get_num(n, "eps", o->eps, 0, 1, 0, d);
    o->momentum = (float)gan_get_num(n, "momentum", 0, 0, 0.999999, 0, d);
    if (o->kind == 1 && (gan_map_get(n, "beta1") || gan_map_get(n, "beta2")))
        gan_error(d, n->pos, "'beta1'/'beta2' belong to adam; sgd takes 'lr' and 'momentum'");
}

/* `input: name` or `inputs: [a, b]` */
static void parse_inputs(gan_layer *l, const gan_node *map, gan_diag *d)
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

static const char *const layer_name_why = "it becomes part of C identifiers and tensor names";

/* Names the layer: its 'name' if valid, else TYPE + position ("relu2"). */
static void name_layer(gan_layer *l, int index, const char *type, gan_diag *d)
{
    free(l->auto_name);
    l->auto_name = owned_printf("%s%d", type ? type : "layer", index + 1);
    l->name = l->auto_name;
    const gan_node *nm = l->node ? gan_map_get(l->node, "name") : NULL;
    if (!nm || check_name(nm, "a layer name", GAN_LAYER_NAME_MAX, layer_name_why, d))
        return;
    if (!strcmp(nm->scalar, "input"))
        gan_error(d, nm->pos, "a layer may not be named 'input': that name stands for the "
                  "network's input");
    else
        l->name = nm->scalar;
}

static void parse_layer(gan_net *net, gan_layer *l, int index, const gan_node *item,
                        gan_diag *d)
{
    l->pos = item->pos;
    l->init = net->init;
    l->init_std = net->init_std;
    /* every layer has a name, even one refused below: parse_net compares the
     * names of all layers (duplicates, output), and a layer written as a list
     * used to leave it NULL for strcmp (a crash; tests/bad/layer_list.yaml) */
    const char *type = NULL;
    if (item->type == GAN_NODE_SCALAR) {
        type = item->scalar;              /* shorthand: "- relu" */
    } else if (item->type == GAN_NODE_MAP) {
        l->node = item;
        type = gan_get_str(item, "type", NULL, 1, d);
    } else {
        name_layer(l, index, NULL, d);
        gan_error(d, item->pos, "a layer must be a map such as {type: dense, units: 128} "
                  "or a kind name such as relu; found a list");
        return;
    }
    name_layer(l, index, type, d);
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
        char *what = owned_printf("%s layer '%s'", l->kind->name, l->name);
        gan_check_keys(item, what, allowed, d);
        free(what);
        free(allowed);
        parse_inputs(l, item, d);
        if (l->kind->has_weights) {
            l->init = gan_get_enum(item, "init", init_kinds, l->init, 0, d);
            l->init_std = (float)gan_get_num(item, "init_std", l->init_std, 0, 10, 0, d);
        }
    }
    gan_layer_read_settings(l, d);
}

static void parse_net(gan_model *m, gan_net *net, const gan_node *root, gan_diag *d)
{
    static const char *const keys[] = { "layers", "output", "optimizer", "init", "init_std", NULL };
    const gan_node *n = gan_map_get(root, net->role);
    if (!n) {
        gan_error(d, root->pos, "missing required section '%s'", net->role);
        return;
    }
    net->pos = n->pos;
    const gan_node *layers = n;
    net->init = GAN_INIT_DEFAULT;
    net->init_std = 0.02f;
    if (n->type == GAN_NODE_MAP) {
        gan_check_keys(n, net->role, keys, d);
        layers = gan_map_get(n, "layers");
        net->init = gan_get_enum(n, "init", init_kinds, GAN_INIT_DEFAULT, 0, d);
        net->init_std = (float)gan_get_num(n, "init_std", 0.02, 0, 10, 0, d);
        parse_optim(&net->optim, n, d);
        if (!layers) {
            gan_error(d, n->pos, "%s: missing required key 'layers'", net->role);
            return;
        }
    } else {
        parse_optim(&net->optim, NULL, d);
    }
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
    net->output = net->n_layers - 1;
    const gan_node *out = n->type == GAN_NODE_MAP ? gan_map_get(n, "output") : NULL;
    if (out) {
        int found = -1;
        for (int i = 0; out->type == GAN_NODE_SCALAR && i < net->n_layers; i++)
            if (!strcmp(net->layers[i].name, out->scalar))
                found = i;
        if (found < 0)
            gan_error(d, out->pos, "%s output '%s' is not a layer of the %s", net->role,
                      out->type == GAN_NODE_SCALAR ? out->scalar : "?", net->role);
        else
            net->output = found;
    }
    (void)m;
}

static void parse_train(gan_model *m, const gan_node *root, gan_diag *d)
{
    static const char *const keys[] = { "batch", "steps", "d_steps", "log_every",
                                        "sample_every", "checkpoint_every", NULL };
    const gan_node *n = expect_map(root, "train", 0, d);
    gan_check_keys(n, "train", keys, d);
    m->train.batch = (int)gan_get_int(n, "batch", 64, 1, 1 << 16, 0, d);
    m->train.steps = gan_get_int(n, "steps", 10000, 1, 1L << 40, 0, d);
    m->train.d_steps = (int)gan_get_int(n, "d_steps", 1, 1, 100, 0, d);
    m->train.log_every = gan_get_int(n, "log_every", 100, 1, 1L << 40, 0, d);
    m->train.sample_every = gan_get_int(n, "sample_every", 1000, 1, 1L << 40, 0, d);
    m->train.checkpoint_every = gan_get_int(n, "checkpoint_every", 5000, 1, 1L << 40, 0, d);
}

int gan_model_from_tree(gan_model *m, gan_node *root, const char *path, gan_diag *d)
{
    int errors0 = d->errors;
    memset(m, 0, sizeof *m);
    m->path = path;
    m->root = root;
    m->net[GAN_G].id = GAN_G;
    m->net[GAN_G].role = "generator";
    m->net[GAN_G].prefix = "g";
    m->net[GAN_D].id = GAN_D;
    m->net[GAN_D].role = "discriminator";
    m->net[GAN_D].prefix = "d";
    if (root->type != GAN_NODE_MAP) {
        gan_error(d, root->pos, "a model file must be a YAML map with keys name, data, "
                  "latent, generator, discriminator, ...; found a %s", gan_node_type_name(root));
        return -1;
    }
    gan_check_keys(root, "the model", top_keys, d);
    const gan_node *name = gan_map_get(root, "name");
    m->name = "model";
    if (!name)
        gan_error(d, root->pos, "missing required key 'name'");
    else if (!check_name(name, "the model name", GAN_MODEL_NAME_MAX,
                         "it names the folders build/NAME and runs/NAME", d))
        m->name = name->scalar;
    m->seed = (uint64_t)gan_get_int(root, "seed", 0, 0, 1L << 62, 0, d);
    parse_data(m, root, d);
    parse_latent(m, root, d);
    parse_net(m, &m->net[GAN_G], root, d);
    parse_net(m, &m->net[GAN_D], root, d);
    m->loss = gan_get_enum(root, "loss", losses, GAN_LOSS_NON_SATURATING, 0, d);
    parse_train(m, root, d);
    const gan_node *compile = expect_map(root, "compile", 0, d);
    static const char *const compile_keys[] = { "unroll", NULL };
    gan_check_keys(compile, "compile", compile_keys, d);
    m->unroll = (int)gan_get_int(compile, "unroll", 8, 0, 64, 0, d);
    if (d->errors > errors0)
        return -1;
    return gan_model_infer(m, d);
}

int gan_model_load(gan_model *m, const char *path, gan_diag *d)
{
    memset(m, 0, sizeof *m);
    gan_node *root = gan_yaml_load(path, d);
    if (!root)
        return -1;
    int rc = gan_model_from_tree(m, root, path, d);
    return rc;
}

void gan_model_free(gan_model *m)
{
    for (int i = 0; i < 2; i++) {
        for (int k = 0; m->net[i].layers && k < m->net[i].n_layers; k++) {
            free(m->net[i].layers[k].auto_name);
            free(m->net[i].layers[k].settings);
        }
        free(m->net[i].layers);
        free(m->net[i].order);
    }
    for (int t = 0; t < m->n_tensors; t++)
        free(m->tensors[t].name);
    free(m->tensors);
    free(m->owned_data_path);
    gan_node_free(m->root);
    memset(m, 0, sizeof *m);
}

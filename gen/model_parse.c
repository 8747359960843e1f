/* model_parse.c - the model language: node tree -> gan_model.
 *
 * Reads every section, reporting each problem at its position and carrying
 * on with a default, so one run lists all the errors in a file.  A model is
 * written either in the shorthand (generator, discriminator, latent, loss:
 * translated into networks and an objective by objective_parse.c) or in the
 * general form (networks, variables, objective, schedule).  Networks are
 * read by net_parse.c, whose layer kinds declare their own keys (layer.h);
 * shapes are left to infer.c.  Model and layer names are bounded (model.h:
 * their maximum lengths), so that nothing made from them later can
 * overflow or collide.  The language is documented in docs/model-language.md.
 */
#include "layer.h"
#include "parse.h"
#include "buf.h"
#include "fatal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const shorthand_keys[] = {
    "name", "seed", "data", "latent", "generator", "discriminator", "loss", "train",
    "compile", NULL,
};
static const char *const general_keys[] = {
    "name", "seed", "data", "networks", "variables", "objective", "schedule", "sample", "score",
    "train", "compile", NULL,
};

static const char *const data_sources[] = { "ring8", "grid25", "csv", "idx", "png_dir", NULL };

/* data.labels, by source: an IDX label file for idx images, {column: N}
 * for csv (the file has one column more than the sample; N counts from
 * 0), `folders` for png_dir (one subfolder per class, in name order); and
 * data.classes, their count, with them */
static void parse_labels(gan_model *m, gan_data_source *src, const gan_node *n, gan_diag *d)
{
    static const char *const column_keys[] = { "column", NULL };
    const gan_node *lab = gan_map_get(n, "labels");
    const gan_node *classes = gan_map_get(n, "classes");
    src->classes = (int)gan_get_int(n, "classes", 0, 2, 256, lab != NULL, d);
    if (!lab) {
        if (classes)
            gan_error(d, classes->pos, "'classes' counts the classes of the data's 'labels', "
                      "which are missing");
        return;
    }
    switch (src->kind) {
    case GAN_DATA_IDX:
        src->labels = GAN_LABELS_IDX;
        src->labels_path = gan_beside_model(m, gan_get_str(n, "labels", NULL, 1, d),
                                        &src->owned_labels_path);
        return;
    case GAN_DATA_CSV:
        src->labels = GAN_LABELS_CSV_COLUMN;
        if (lab->type != GAN_NODE_MAP) {
            gan_error(d, lab->pos, "labels of csv data are one of its columns: expected "
                      "'labels: {column: N}' (N counting from 0)");
            return;
        }
        gan_check_keys(lab, "labels", column_keys, d);
        src->label_column = (int)gan_get_int(lab, "column", 0, 0, src->shape.d[0], 1, d);
        return;
    case GAN_DATA_PNG_DIR:
        src->labels = GAN_LABELS_FOLDERS;
        if (lab->type != GAN_NODE_SCALAR || strcmp(lab->scalar, "folders") != 0)
            gan_error(d, lab->pos, "labels of png_dir data are its subfolders, one per "
                      "class: expected 'labels: folders'");
        return;
    default:
        gan_error(d, lab->pos, "%s data has no labels (labels come with idx, csv or png_dir "
                  "data)", data_sources[src->kind]);
    }
}

/* A source `from` another: the file's keys are that source's */
static void parse_from_source(gan_data_source *src, const gan_node *n, const char *what,
                              gan_diag *d)
{
    static const char *const file_keys[] = { "source", "path", "shape", "labels", "classes",
                                             NULL };
    const gan_node *from = gan_map_get(n, "from");
    src->pos = n->pos;
    for (size_t i = 0; i < n->n; i++) {
        const char *k = n->keys[i]->scalar;
        int file_key = 0;
        for (int j = 0; file_keys[j]; j++)
            file_key |= !strcmp(k, file_keys[j]);
        if (file_key)
            gan_error(d, n->keys[i]->pos, "%s reads the file of '%s' (from): '%s' is that "
                      "source's; remove it", what, from->type == GAN_NODE_SCALAR ?
                      from->scalar : "?", k);
        else if (strcmp(k, "from") && strcmp(k, "keep_classes") && strcmp(k, "transform"))
            gan_error(d, n->keys[i]->pos, "unknown key '%s' in %s; valid keys: from, "
                      "keep_classes, transform", k, what);
    }
}

/* One source: `data` itself, or one of its named sources (n is its map;
 * `what` names it in messages; `named`: one of several, which may read
 * another's file). */
static void parse_source(gan_model *m, gan_data_source *src, const gan_node *n,
                         const char *what, int named, gan_diag *d)
{
    static const char *const keys[] = { "source", "path", "shape", "labels", "classes",
                                         "keep_classes", "transform", NULL };
    static const char *const named_keys[] = { "source", "path", "shape", "labels", "classes",
                                               "keep_classes", "transform", "from", NULL };
    src->pos = n->pos;
    src->node = n;
    src->from = -1;
    src->shape.rank = 1;   /* the mixtures' (x, y), until the source says otherwise */
    src->shape.d[0] = 2;
    src->file_shape = src->shape;
    if (named && gan_map_get(n, "from")) {
        parse_from_source(src, n, what, d);
        return;
    }
    gan_check_keys(n, what, named ? named_keys : keys, d);
    src->kind = gan_get_enum(n, "source", data_sources, GAN_DATA_RING8, 1, d);
    int from_file = src->kind != GAN_DATA_RING8 && src->kind != GAN_DATA_GRID25;
    src->path = gan_get_str(n, "path", NULL, from_file, d);
    src->path = gan_beside_model(m, src->path, &src->owned_path);
    const gan_node *shape = gan_map_get(n, "shape");
    if (src->kind == GAN_DATA_IDX || src->kind == GAN_DATA_PNG_DIR) {
        long v[3] = { 0, 0, 0 };
        int ok = shape && shape->type == GAN_NODE_SEQ && shape->n == 3;
        for (int i = 0; ok && i < 3; i++)
            ok = !gan_scalar_int(shape->items[i], &v[i]) && v[i] >= 1 && v[i] <= 1 << 14;
        if (ok && v[0] != 1 && v[0] != 3)
            ok = 0;
        if (!ok)
            gan_error(d, shape ? shape->pos : n->pos, "%s data needs 'shape: [CHANNELS, HEIGHT, "
                      "WIDTH]' with 1 (gray) or 3 (RGB) channels, e.g. [1, 28, 28]",
                      data_sources[src->kind]);
        src->shape.rank = 3;
        for (int i = 0; i < 3; i++)
            src->shape.d[i] = ok ? (int)v[i] : 1;
    } else if (src->kind == GAN_DATA_CSV) {
        long cols = 0;
        if (!shape)
            gan_error(d, n->pos, "csv data needs 'shape: [COLUMNS]'");
        else if (shape->type != GAN_NODE_SEQ || shape->n != 1 ||
                 gan_scalar_int(shape->items[0], &cols) || cols < 1 || cols > 1 << 20)
            gan_error(d, shape->pos, "'shape' of csv data must be a list of one positive "
                      "integer (the number of columns), e.g. [2]");
        else
            src->shape.d[0] = (int)cols;
    } else if (shape) {
        gan_error(d, shape->pos, "'shape' is fixed for %s data (2 columns); remove it",
                  data_sources[src->kind]);
    }
    src->file_shape = src->shape;   /* until the transforms (source_parse.c) */
    parse_labels(m, src, n, d);   /* after the shape: a CSV's label column is counted in it */
}

static const char *const source_name_why = "the trainer and variables name it";

/* Paired sources of one file (one `from` the other) keep the same rows,
 * or row i of one would not be row i of the other. */
static void paired_keep_check(const gan_model *m, int s, gan_diag *d)
{
    const gan_data_source *a = &m->sources[s];
    if (a->from < 0)
        return;
    const gan_data_source *b = &m->sources[a->from];
    unsigned char ka[256] = { 0 }, kb[256] = { 0 };
    for (int i = 0; i < a->n_keep_classes; i++)
        ka[a->keep_classes[i]] = 1;
    for (int i = 0; i < b->n_keep_classes; i++)
        kb[b->keep_classes[i]] = 1;
    if ((a->n_keep_classes > 0) != (b->n_keep_classes > 0) || memcmp(ka, kb, sizeof ka) != 0) {
        const gan_node *k = gan_map_get(a->node, "keep_classes");
        gan_error(d, k ? k->pos : a->pos, "data source '%s' is paired with '%s', whose file "
                  "it reads: both keep the same classes (row i of one is row i of the other), "
                  "and their 'keep_classes' differ", a->name, b->name);
    }
}

/* Named sources, data: {NAME: {source: ...}, NAME2: {...}, paired: BOOL}:
 * two domains (each shuffled on its own) or, paired, rows aligned by index. */
static void parse_named_sources(gan_model *m, const gan_node *n, gan_diag *d)
{
    m->n_sources = 0;
    for (size_t i = 0; i < n->n; i++) {
        const gan_node *key = n->keys[i], *v = n->items[i];
        if (key->type == GAN_NODE_SCALAR && !strcmp(key->scalar, "paired"))
            continue;
        if (m->n_sources == GAN_DATA_SOURCES_MAX) {
            gan_error(d, key->pos, "data: source '%s' is one too many: a model trains on at "
                      "most %d sources (the trainer's --data and --data2)",
                      key->type == GAN_NODE_SCALAR ? key->scalar : "?", GAN_DATA_SOURCES_MAX);
            break;
        }
        gan_data_source *src = &m->sources[m->n_sources++];
        src->name = "data";
        if (!gan_check_name(key, "a data source's name", GAN_LAYER_NAME_MAX, source_name_why, d))
            src->name = key->scalar;
        src->from = -1;
        if (v->type != GAN_NODE_MAP || (!gan_map_get(v, "source") && !gan_map_get(v, "from"))) {
            gan_error(d, v->pos, "data source '%s': expected a map with 'source' (ring8, grid25, "
                      "csv, idx or png_dir), 'path', 'shape', ..., or with 'from' (another "
                      "source, whose file it reads)", src->name);
            continue;
        }
        char *what = gan_strf("data source '%s'", src->name);
        parse_source(m, src, v, what, 1, d);
        free(what);
    }
    if (m->n_sources == 0) {
        gan_error(d, n->pos, "data: expected 'source: ...' (one source) or named sources "
                  "such as 'photos: {source: idx, ...}', found neither");
        m->n_sources = 1;
        m->sources[0] = (gan_data_source){ .name = "data", .shape = { 1, { 2 } },
                                           .file_shape = { 1, { 2 } }, .from = -1 };
    }
    gan_parse_source_prep(m, d);   /* before the paired checks: a `from` source's kind */
    m->paired = gan_get_bool(n, "paired", 0, d);
    const gan_node *paired = gan_map_get(n, "paired");
    if (m->paired && m->n_sources < 2)
        gan_error(d, paired->pos, "'paired' aligns the rows of two sources, and data names "
                  "one");
    for (int s = 0; m->paired && s < m->n_sources; s++)
        if ((m->sources[s].kind == GAN_DATA_RING8 || m->sources[s].kind == GAN_DATA_GRID25) &&
            m->sources[s].from != -2)   /* a wrong `from`: its kind is unknown */
            gan_error(d, m->sources[s].pos, "data source '%s': paired sources are files, "
                      "whose rows can be aligned; %s data is drawn fresh", m->sources[s].name,
                      data_sources[m->sources[s].kind]);
    for (int s = 0; m->paired && s < m->n_sources; s++)
        paired_keep_check(m, s, d);
}

/* data: one source (a map with 'source'), or named sources */
static void parse_data(gan_model *m, const gan_node *root, gan_diag *d)
{
    const gan_node *n = gan_expect_map(root, "data", 1, d);
    gan_data_source *first = &m->sources[0];
    m->n_sources = 1;
    first->name = "data";
    first->kind = GAN_DATA_RING8;
    first->shape.rank = 1;   /* the mixtures' (x, y) */
    first->shape.d[0] = 2;
    first->file_shape = first->shape;
    first->from = -1;
    if (!n)
        return;
    first->pos = n->pos;
    if (gan_map_get(n, "source")) {
        parse_source(m, first, n, "data", 0, d);
        gan_parse_source_prep(m, d);
    } else if (m->shorthand)
        gan_error(d, n->pos, "data: expected 'source: ...'; named sources (two domains or "
                  "paired data) are for models written with 'networks'");
    else
        parse_named_sources(m, n, d);
}

static void parse_train(gan_model *m, const gan_node *root, gan_diag *d)
{
    static const char *const shorthand[] = { "batch", "steps", "d_steps", "log_every",
                                             "sample_every", "checkpoint_every", "eval_every",
                                             "eval_samples", NULL };
    static const char *const general[] = { "batch", "steps", "log_every", "sample_every",
                                           "checkpoint_every", "eval_every", "eval_samples",
                                           NULL };
    const gan_node *n = gan_expect_map(root, "train", 0, d);
    /* d_steps is the shorthand's repeat of its d update (objective_parse.c);
     * the general form says 'repeat' in its schedule */
    gan_check_keys(n, "train", m->shorthand ? shorthand : general, d);
    m->train.batch = (int)gan_get_int(n, "batch", 64, 1, 1 << 16, 0, d);
    m->train.steps = gan_get_int(n, "steps", 10000, 1, 1L << 40, 0, d);
    m->train.log_every = gan_get_int(n, "log_every", 100, 1, 1L << 40, 0, d);
    m->train.sample_every = gan_get_int(n, "sample_every", 1000, 1, 1L << 40, 0, d);
    m->train.checkpoint_every = gan_get_int(n, "checkpoint_every", 5000, 1, 1L << 40, 0, d);
    /* -1: sample_every for a model the judge can score (emit_model.c), else never */
    m->train.eval_every = gan_get_int(n, "eval_every", -1, 0, 1L << 40, 0, d);
    m->train.eval_samples = gan_get_int(n, "eval_samples", 2000, 10, 1000000, 0, d);
}

/* The shorthand's two networks: a generator of one latent input and a
 * discriminator of one data sample, named as their sections. */
static void parse_shorthand_nets(gan_model *m, const gan_node *root, gan_diag *d)
{
    static const char *const roles[2] = { "generator", "discriminator" };
    static const char *const prefixes[2] = { "g", "d" };
    m->n_nets = 2;
    m->net = gan_xcalloc(2, sizeof *m->net);
    for (int i = 0; i < 2; i++) {
        gan_net *net = &m->net[i];
        net->id = i;
        net->name = net->role = roles[i];
        net->prefix = prefixes[i];
        gan_parse_shorthand_net(m, net, root, d);
    }
}

static const char *const net_name_why = "it becomes part of C identifiers and tensor names";

/* A model file importing itself, or two importing each other, would never
 * end: imports nest at most this deep. */
#define IMPORT_DEPTH_MAX 8
static int import_depth;

/* The model file a frozen network imports (n: its map), loaded whole with
 * this parser, its mistakes reported at its own file:line; NULL when it
 * cannot be read or has errors.  Loaded here, where models are loaded, so
 * that frozen_parse.c only reads what it is given. */
static gan_model *load_import(const gan_model *m, const gan_node *n, gan_diag *d)
{
    const gan_node *f = n->type == GAN_NODE_MAP ? gan_map_get(n, "frozen") : NULL;
    const gan_node *key = f && f->type == GAN_NODE_MAP ? gan_map_get(f, "model") : NULL;
    if (!key || key->type != GAN_NODE_SCALAR)
        return NULL;   /* frozen_parse.c says what is wrong */
    char *owned = NULL;
    const char *path = gan_beside_model(m, key->scalar, &owned);
    gan_model *sub = NULL;
    if (access(path, R_OK) != 0)
        gan_error(d, key->pos, "frozen network: cannot read model file '%s': %s", path,
                  strerror(errno));
    else if (import_depth >= IMPORT_DEPTH_MAX)
        gan_error(d, key->pos, "frozen network: model files import each other more than %d "
                  "deep (does '%s' import itself?)", IMPORT_DEPTH_MAX, path);
    else {
        /* the imported model keeps the path it was loaded by: its positions name it */
        sub = gan_xcalloc(1, sizeof *sub);
        int errors0 = d->errors;
        import_depth++;
        int rc = gan_model_load(sub, path, d);
        import_depth--;
        sub->owned_path = owned;   /* path; set after the load, which clears sub */
        owned = NULL;
        if (rc != 0 || d->errors > errors0) {
            gan_error(d, key->pos, "frozen network: model file '%s' has errors (above)", path);
            gan_model_free(sub);
            free(sub);
            sub = NULL;
        }
    }
    free(owned);
    return sub;
}

static void parse_networks(gan_model *m, const gan_node *root, gan_diag *d)
{
    const gan_node *n = gan_expect_map(root, "networks", 1, d);
    if (!n)
        return;
    if (n->n == 0) {
        gan_error(d, n->pos, "'networks' is empty; name at least one network");
        return;
    }
    m->n_nets = (int)n->n;
    m->net = gan_xcalloc(n->n, sizeof *m->net);
    for (size_t i = 0; i < n->n; i++) {
        gan_net *net = &m->net[i];
        net->id = (int)i;
        const char *name = "network";
        if (!gan_check_name(n->keys[i], "a network name", GAN_LAYER_NAME_MAX, net_name_why, d))
            name = n->keys[i]->scalar;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(name, m->net[j].name))
                gan_error(d, n->keys[i]->pos, "network '%s' is declared twice", name);
        const gan_node *v = n->items[i];
        if (v->type == GAN_NODE_MAP && gan_map_get(v, "frozen")) {
            gan_model *sub = load_import(m, v, d);
            m->imports = gan_xrealloc(m->imports, (size_t)m->n_imports + 1, sizeof *m->imports);
            m->imports[m->n_imports++] = sub;
            net->pos = v->pos;
            net->name = net->prefix = name;
            net->role = net->owned_role = gan_strf("network '%s'", name);
            gan_parse_frozen_net(m, net, v, sub, d);
        } else {
            gan_parse_net(m, net, name, v, d);
        }
    }
}

int gan_model_from_tree(gan_model *m, gan_node *root, const char *path, gan_diag *d)
{
    int errors0 = d->errors;
    memset(m, 0, sizeof *m);
    m->path = path;
    m->root = root;
    if (root->type != GAN_NODE_MAP) {
        gan_error(d, root->pos, "a model file must be a YAML map with keys name, data, "
                  "latent, generator, discriminator, ... (or networks, objective, ...); "
                  "found a %s", gan_node_type_name(root));
        return -1;
    }
    m->shorthand = !gan_map_get(root, "networks");
    if (m->shorthand && (gan_map_get(root, "objective") || gan_map_get(root, "schedule") ||
                         gan_map_get(root, "variables")))
        gan_error(d, root->pos, "'objective', 'schedule' and 'variables' describe the "
                  "networks of a 'networks' section, which this model lacks (it uses the "
                  "shorthand 'generator'/'discriminator')");
    gan_check_keys(root, "the model", m->shorthand ? shorthand_keys : general_keys, d);
    const gan_node *name = gan_map_get(root, "name");
    m->name = "model";
    if (!name)
        gan_error(d, root->pos, "missing required key 'name'");
    else if (!gan_check_name(name, "the model name", GAN_MODEL_NAME_MAX,
                             "it names the folders build/NAME and runs/NAME", d))
        m->name = name->scalar;
    m->seed = (uint64_t)gan_get_int(root, "seed", 0, 0, 1L << 62, 0, d);
    parse_data(m, root, d);
    parse_train(m, root, d);
    if (m->shorthand) {
        parse_shorthand_nets(m, root, d);
        gan_shorthand_objective(m, root, d);
    } else {
        parse_networks(m, root, d);
        if (m->n_nets) {
            gan_parse_objective(m, root, d);
            gan_check_frozen_use(m, root, d);
        }
    }
    const gan_node *compile = gan_expect_map(root, "compile", 0, d);
    static const char *const compile_keys[] = { "unroll", NULL };
    gan_check_keys(compile, "compile", compile_keys, d);
    m->unroll = (int)gan_get_int(compile, "unroll", 8, 0, 64, 0, d);
    if (d->errors > errors0)
        return -1;
    if (gan_model_infer(m, d))
        return -1;
    gan_check_frozen_weights(m, d);
    if (d->errors > errors0)
        return -1;
    if (m->train.eval_every < 0)   /* on by default where the judge can score the samples */
        m->train.eval_every = gan_model_judged(m) ? m->train.sample_every : 0;
    return gan_check_objective(m, d);
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

static void update_free(gan_update *u)
{
    for (int t = 0; t < u->n_terms; t++) {
        gan_term *tm = &u->terms[t];
        gan_value_free(tm->a);
        gan_value_free(tm->b);
        for (int k = 0; k < tm->n_with; k++)
            gan_value_free(tm->with[k]);
        free(tm->with);
    }
    free(u->terms);
    free(u->nets);
    free(u->draws);
}

void gan_model_free(gan_model *m)
{
    for (int i = 0; i < m->n_nets; i++)
        gan_net_free(&m->net[i]);
    free(m->net);
    for (int u = 0; u < m->n_updates; u++)
        update_free(&m->updates[u]);
    free(m->updates);
    if (m->score)
        update_free(m->score);
    free(m->score);
    free(m->vars);
    free(m->sample_nets);
    for (int t = 0; t < m->n_tensors; t++)
        free(m->tensors[t].name);
    free(m->tensors);
    for (int s = 0; s < m->n_sources; s++) {
        free(m->sources[s].owned_path);
        free(m->sources[s].owned_labels_path);
        free(m->sources[s].keep_classes);
        free(m->sources[s].transforms);
    }
    for (int i = 0; i < m->n_imports; i++)
        if (m->imports[i]) {
            gan_model_free(m->imports[i]);
            free(m->imports[i]);
        }
    free(m->imports);
    gan_node_free(m->root);
    free(m->owned_path);
    memset(m, 0, sizeof *m);
}

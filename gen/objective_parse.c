/* objective_parse.c - what one training iteration computes: 'variables'
 * (what the trainer draws), 'objective' (each update's loss, a weighted sum
 * of terms over values of expr.h) and 'schedule' (the updates in order,
 * with their optimizers); and the shorthand's translation into the same.
 *
 *   variables:  {x: data, y: labels, z: {latent: 100}, c: {classes: 10}}
 *   objective:
 *     D: {update: [D], terms: [{adversarial: hinge, real: "D(x)", fake: "D(stop(G(z)))"}]}
 *     G: [{adversarial: hinge, fake: "D(G(z))"}]
 *   schedule: [{update: D, repeat: 5, optimizer: {lr: 1e-4}}, {update: G}]
 *
 * Shapes and kinds are checked later (objective_check.c). */
#include "value.h"
#include "parse.h"
#include "buf.h"
#include "fatal.h"

#include <stdlib.h>
#include <string.h>

static const char *const losses[] = { "non_saturating", "lsgan", "hinge", "minimax",
                                      "wasserstein", NULL };
static const char *const latent_dists[] = { "normal", "uniform", NULL };
static const char *const var_kinds[] = { "data", "labels", "latent", "classes", NULL };
static const char *const term_kinds[] = { "adversarial", "gradient_penalty", "r1", "l1", "l2",
                                          "cross_entropy", NULL };
static const char *const sides[] = { "critic", "generator", NULL };

const char *gan_loss_name(int loss)
{
    return loss >= 0 && loss < (int)(sizeof losses / sizeof losses[0]) - 1 ? losses[loss] : "?";
}

static gan_var *add_var(gan_model *m, const char *name, int kind, gan_pos pos)
{
    m->vars = gan_xrealloc(m->vars, (size_t)m->n_vars + 1, sizeof *m->vars);
    gan_var *v = &m->vars[m->n_vars++];
    memset(v, 0, sizeof *v);
    v->name = name;
    v->kind = kind;
    v->pos = pos;
    v->shape.rank = 1;
    v->shape.d[0] = 1;
    v->data_var = -1;
    v->rows_of = -1;
    return v;
}

static gan_update *add_update(gan_model *m, const char *name, gan_pos pos)
{
    m->updates = gan_xrealloc(m->updates, (size_t)m->n_updates + 1, sizeof *m->updates);
    gan_update *u = &m->updates[m->n_updates++];
    memset(u, 0, sizeof *u);
    u->name = name;
    u->pos = pos;
    u->repeat = 1;
    gan_parse_optim(&u->optim, NULL, NULL);
    return u;
}

static gan_term *add_term(gan_update *u, int kind, gan_pos pos)
{
    u->terms = gan_xrealloc(u->terms, (size_t)u->n_terms + 1, sizeof *u->terms);
    gan_term *t = &u->terms[u->n_terms++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->pos = pos;
    t->weight = 1;
    t->critic = t->labels = -1;
    t->name = term_kinds[kind];
    return t;
}

/* ---- the shorthand -------------------------------------------------------- */

/* generator(z) -> samples, discriminator(x) -> one score; variables real
 * and z; update d (the discriminator, repeated train.d_steps times) on
 * D(real) and D(G(z)), then update g (the generator) on the same batch, so
 * that g reuses d's forward pass of G as PyTorch's DCGAN loop does.  The
 * applications are named as the generated code always called them: g, real
 * and fake. */
void gan_shorthand_objective(gan_model *m, const gan_node *root, gan_diag *d)
{
    static const char *const latent_keys[] = { "size", "distribution", NULL };
    const gan_node *lat = gan_expect_map(root, "latent", 1, d);
    gan_check_keys(lat, "latent", latent_keys, d);
    gan_net_input *z_in = &m->net[GAN_G].inputs[0], *x_in = &m->net[GAN_D].inputs[0];
    z_in->kind = GAN_INPUT_LATENT;
    z_in->shape.rank = 1;
    z_in->shape.d[0] = lat ? (int)gan_get_int(lat, "size", 1, 1, 1 << 16, 1, d) : 1;
    z_in->dist = gan_get_enum(lat, "distribution", latent_dists, 0, 0, d);
    x_in->kind = GAN_INPUT_SAMPLE;
    x_in->shape = m->sources[0].shape;
    gan_var *real = add_var(m, "real", GAN_VAR_DATA, m->sources[0].pos);
    real->shape = m->sources[0].shape;
    gan_var *z = add_var(m, "z", GAN_VAR_LATENT, lat ? lat->pos : root->pos);
    z->shape = z_in->shape;
    z->dist = z_in->dist;
    /* the shorthand takes the first three losses; the others need an
     * objective (docs/model-language.md) */
    const char *shorthand_losses[GAN_LOSS_HINGE + 2];
    memcpy(shorthand_losses, losses, (GAN_LOSS_HINGE + 1) * sizeof *losses);
    shorthand_losses[GAN_LOSS_HINGE + 1] = NULL;
    int loss = gan_get_enum(root, "loss", shorthand_losses, GAN_LOSS_NON_SATURATING, 0, d);
    const gan_node *train = gan_map_get(root, "train");
    int d_steps = (int)gan_get_int(train && train->type == GAN_NODE_MAP ? train : NULL,
                                   "d_steps", 1, 1, 100, 0, d);
    for (int k = 0; k < 2; k++) {
        int trained = k == 0 ? GAN_D : GAN_G;
        gan_update *u = add_update(m, k == 0 ? "d" : "g", m->net[trained].pos);
        u->nets = gan_xcalloc(1, sizeof *u->nets);
        u->nets[0] = trained;
        u->n_nets = 1;
        u->optim = m->net[trained].optim;
        u->repeat = k == 0 ? d_steps : 1;
        u->same_batch = k == 1;
        gan_term *t = add_term(u, GAN_TERM_ADVERSARIAL, u->pos);
        t->loss = loss;
        t->side = k == 0 ? GAN_SIDE_CRITIC : GAN_SIDE_GENERATOR;
        gan_value *zv = gan_value_var(m, 1);
        gan_value *fake = gan_value_apply(m, GAN_G, &zv, 1, "g");
        t->b = gan_value_apply(m, GAN_D, &fake, 1, "fake");
        if (k == 0) {
            gan_value *rv = gan_value_var(m, 0);
            t->a = gan_value_apply(m, GAN_D, &rv, 1, "real");
        }
    }
    m->gen_net = GAN_G;
}

/* ---- variables ------------------------------------------------------------ */

/* The class count of the data's labels: of the first source that has them */
static int data_classes(const gan_model *m)
{
    for (int s = 0; s < m->n_sources; s++)
        if (m->sources[s].labels)
            return m->sources[s].classes;
    return 0;
}

/* A data variable's source: the only one, or {data: SOURCE}; of paired
 * data, a variable of a source after the first takes the rows of a data
 * variable of the first ({rows_of: X}, or the only one declared before). */
static void data_source_of(gan_model *m, gan_var *var, const gan_node *map, gan_diag *d)
{
    const gan_node *named = map ? gan_map_get(map, "data") : NULL;
    int scalar = named && named->type == GAN_NODE_SCALAR;
    if (named && !scalar)
        gan_error(d, named->pos, "variable '%s': 'data' names a data source", var->name);
    var->source = 0;
    if (scalar && m->n_sources > 1) {
        var->source = -1;
        for (int s = 0; s < m->n_sources; s++)
            if (!strcmp(m->sources[s].name, named->scalar))
                var->source = s;
        if (var->source < 0) {
            gan_error(d, named->pos, "variable '%s': no data source is named '%s' (the "
                      "sources: '%s', '%s')", var->name, named->scalar, m->sources[0].name,
                      m->sources[1].name);
            var->source = 0;
        }
    } else if (m->n_sources > 1) {
        gan_error(d, var->pos, "variable '%s': the data has %d sources; say which: "
                  "{data: %s}", var->name, m->n_sources, m->sources[0].name);
    } else if (scalar && strcmp(named->scalar, "data") != 0 && strcmp(named->scalar, "true")) {
        gan_error(d, named->pos, "variable '%s': the data has one source; write 'data' "
                  "(found {data: %s})", var->name, named->scalar);
    }
    var->shape = m->sources[var->source].shape;
    const gan_node *rows = map ? gan_map_get(map, "rows_of") : NULL;
    if (!m->paired || var->source == 0) {
        if (rows)
            gan_error(d, rows->pos, "variable '%s': 'rows_of' takes the rows of a data "
                      "variable of the first of paired sources; this one %s", var->name,
                      m->paired ? "is of the first source" : "is not of paired data");
        return;
    }
    const char *of = rows ? gan_get_str(map, "rows_of", NULL, 1, d) : NULL;
    int v = (int)(var - m->vars);
    for (int i = 0; i < v; i++)
        if (m->vars[i].kind == GAN_VAR_DATA && m->vars[i].source == 0 &&
            (!of || !strcmp(m->vars[i].name, of)))
            var->rows_of = var->rows_of == -1 ? i : -2;
    if (var->rows_of < 0)
        gan_error(d, rows ? rows->pos : var->pos, "variable '%s': of paired data, it takes "
                  "the rows of a data variable of source '%s' declared before it: %s",
                  var->name, m->sources[0].name, var->rows_of == -2 ?
                  "there are several; say which: {rows_of: NAME}" :
                  of ? "'rows_of' names none" : "there is none");
}

/* NAME: data | labels | latent | classes, or a map {latent: SIZE,
 * distribution: D} / {classes: N} / {labels: DATA_VARIABLE} */
static void parse_variable(gan_model *m, const gan_node *key, const gan_node *v, gan_diag *d)
{
    static const char *const keys[] = { "latent", "distribution", "classes", "labels", "data",
                                        "rows_of", NULL };
    if (gan_check_name(key, "a variable name", GAN_LAYER_NAME_MAX, "it names a buffer of the "
                       "generated code", d))
        return;
    if (gan_find_var(m, key->scalar) >= 0 || gan_find_net(m, key->scalar) >= 0 ||
        !strcmp(key->scalar, "stop")) {
        gan_error(d, key->pos, "variable '%s': the name is taken (by a %s)", key->scalar,
                  !strcmp(key->scalar, "stop") ? "function" :
                  gan_find_var(m, key->scalar) >= 0 ? "variable" : "network");
        return;
    }
    const char *expected = "a variable is data, labels, latent or classes, or a map such "
                           "as {latent: 100, distribution: normal}, {classes: 10} or "
                           "{labels: x}";
    int kind = -1;
    const char *of = NULL;
    if (v->type == GAN_NODE_SCALAR) {
        for (int k = 0; var_kinds[k]; k++)
            if (!strcmp(v->scalar, var_kinds[k]))
                kind = k;
    } else if (v->type == GAN_NODE_MAP) {
        char *what = gan_strf("variable '%s'", key->scalar);
        gan_check_keys(v, what, keys, d);
        free(what);
        for (int k = 0; var_kinds[k]; k++)
            if (gan_map_get(v, var_kinds[k]))
                kind = kind == -1 ? k : -2;
    }
    if (kind < 0) {
        gan_error(d, v->pos, "variable '%s': %s", key->scalar, expected);
        return;
    }
    gan_var *var = add_var(m, key->scalar, kind, key->pos);
    const gan_node *map = v->type == GAN_NODE_MAP ? v : NULL;
    switch (kind) {
    case GAN_VAR_DATA:
        data_source_of(m, var, map, d);
        break;
    case GAN_VAR_LATENT:
        /* 0: taken from the network inputs it feeds (objective_check.c) */
        var->shape.d[0] = (int)gan_get_int(map, "latent", 0, 1, 1 << 16, 0, d);
        var->dist = gan_map_get(map, "distribution") ?
                    gan_get_enum(map, "distribution", latent_dists, 0, 0, d) : -1;
        break;
    case GAN_VAR_CLASS:
        var->classes = (int)gan_get_int(map, "classes", data_classes(m), 2, 1 << 20, 0, d);
        break;
    case GAN_VAR_LABEL:
        of = map ? gan_get_str(map, "labels", NULL, 1, d) : NULL;
        break;
    }
    if (kind != GAN_VAR_DATA && map && gan_map_get(map, "rows_of"))
        gan_error(d, gan_map_get(map, "rows_of")->pos, "variable '%s': 'rows_of' pairs a "
                  "data variable with another's rows; this is a %s variable", key->scalar,
                  var_kinds[kind]);
    if (kind == GAN_VAR_LABEL) {
        /* the data variable it labels: named, or the only one */
        for (int i = 0; i < m->n_vars - 1; i++)
            if (m->vars[i].kind == GAN_VAR_DATA && (!of || !strcmp(m->vars[i].name, of)))
                var->data_var = var->data_var == -1 ? i : -2;
        if (var->data_var < 0) {
            gan_error(d, v->pos, "variable '%s': %s", key->scalar, var->data_var == -2 ?
                      "there are several data variables; say whose labels: {labels: NAME}" :
                      of ? "its 'labels' must name a data variable declared before it" :
                      "labels belong to a data variable declared before them (e.g. x: data)");
            return;
        }
        const gan_data_source *src = &m->sources[m->vars[var->data_var].source];
        var->source = m->vars[var->data_var].source;
        var->classes = src->classes;
        if (!src->labels)
            gan_error(d, v->pos, "variable '%s': labels come from the data's 'labels' (an "
                      "IDX file, a CSV column or PNG subfolders), which %s does not "
                      "declare", key->scalar, m->n_sources > 1 ? "its source" : "'data'");
    }
}

static void parse_variables(gan_model *m, const gan_node *root, gan_diag *d)
{
    const gan_node *n = gan_expect_map(root, "variables", 1, d);
    for (size_t i = 0; n && i < n->n; i++)
        parse_variable(m, n->keys[i], n->items[i], d);
}

/* ---- terms ---------------------------------------------------------------- */

static gan_value *value_at(const gan_model *m, const gan_node *map, const char *key, int required,
                          gan_diag *d)
{
    const gan_node *v = gan_map_get(map, key);
    if (!v) {
        if (required)
            gan_error(d, map->pos, "this term needs '%s', a value such as 'D(x)'", key);
        return NULL;
    }
    return gan_value_parse(m, v, d);
}

/* [A, B] under key: two values */
static void value_pair(const gan_model *m, gan_term *t, const gan_node *map, const char *key,
                       gan_diag *d)
{
    const gan_node *v = gan_map_get(map, key);
    if (!v || v->type != GAN_NODE_SEQ || v->n != 2) {
        gan_error(d, v ? v->pos : map->pos, "'%s' must be a list of two values, e.g. "
                  "[\"G(x)\", y]", key);
        return;
    }
    t->a = gan_value_parse(m, v->items[0], d);
    t->b = gan_value_parse(m, v->items[1], d);
}

/* 'gradient_penalty: D' / 'r1: D' and the critic's other inputs, 'with' */
static void critic_of(const gan_model *m, gan_term *t, const gan_node *map, const char *key,
                      gan_diag *d)
{
    const gan_node *v = gan_map_get(map, key);
    t->critic = v->type == GAN_NODE_SCALAR ? gan_find_net(m, v->scalar) : -1;
    if (t->critic < 0)
        gan_error(d, v->pos, "'%s' names the network whose input gradient it penalizes "
                  "(a network of this model)", key);
    const gan_node *with = gan_map_get(map, "with");
    if (!with)
        return;
    if (with->type != GAN_NODE_SEQ) {
        gan_error(d, with->pos, "'with' lists the critic's other inputs, e.g. [y]");
        return;
    }
    t->with = gan_xcalloc(with->n ? with->n : 1, sizeof *t->with);
    for (size_t i = 0; i < with->n; i++) {
        t->with[t->n_with] = gan_value_parse(m, with->items[i], d);
        if (t->with[t->n_with])
            t->n_with++;
    }
}

static void parse_term(gan_model *m, gan_update *u, const gan_node *n, gan_diag *d)
{
    static const char *const keys[] = { "adversarial", "gradient_penalty", "r1", "l1", "l2",
                                        "cross_entropy", "real", "fake", "between", "with", "on",
                                        "labels", "weight", "side", "name", NULL };
    if (n->type != GAN_NODE_MAP) {
        gan_error(d, n->pos, "a term is a map such as {adversarial: hinge, real: \"D(x)\", "
                  "fake: \"D(G(z))\"} or {l1: [\"G(x)\", y], weight: 100}");
        return;
    }
    gan_check_keys(n, "a term", keys, d);
    int kind = -1;
    for (int k = 0; term_kinds[k]; k++)
        if (gan_map_get(n, term_kinds[k]))
            kind = kind == -1 ? k : -2;
    if (kind < 0) {
        gan_error(d, n->pos, "a term has exactly one of adversarial, gradient_penalty, r1, l1, "
                  "l2, cross_entropy");
        return;
    }
    gan_term *t = add_term(u, kind, n->pos);
    t->weight = (float)gan_get_num(n, "weight", 1, -1e6, 1e6, 0, d);
    const char *nm = gan_get_str(n, "name", NULL, 0, d);
    if (nm)
        t->name = nm;
    t->side = -1;
    switch (kind) {
    case GAN_TERM_ADVERSARIAL:
        t->loss = gan_get_enum(n, "adversarial", losses, 0, 1, d);
        t->a = value_at(m, n, "real", 0, d);
        t->b = value_at(m, n, "fake", 0, d);
        if (gan_map_get(n, "side"))
            t->side = gan_get_enum(n, "side", sides, 0, 0, d);
        if (!gan_map_get(n, "real") && !gan_map_get(n, "fake"))
            gan_error(d, n->pos, "an adversarial term scores 'real' and/or 'fake' values, "
                      "e.g. real: \"D(x)\", fake: \"D(G(z))\"");
        break;
    case GAN_TERM_GRADIENT_PENALTY:
        critic_of(m, t, n, "gradient_penalty", d);
        value_pair(m, t, n, "between", d);
        break;
    case GAN_TERM_R1:
        critic_of(m, t, n, "r1", d);
        t->a = value_at(m, n, "on", 1, d);
        break;
    case GAN_TERM_L1:
    case GAN_TERM_L2:
        value_pair(m, t, n, term_kinds[kind], d);
        break;
    case GAN_TERM_CROSS_ENTROPY: {
        t->a = value_at(m, n, "cross_entropy", 1, d);
        const char *lab = gan_get_str(n, "labels", NULL, 1, d);
        t->labels = lab ? gan_find_var(m, lab) : -1;
        if (lab && t->labels < 0)
            gan_error(d, gan_map_get(n, "labels")->pos, "'labels' names a variable of class "
                      "labels (labels or classes); '%s' is not a variable", lab);
        break;
    }
    }
}

/* NAME: [terms] or NAME: {update: [networks], terms: [terms]} */
static void parse_update(gan_model *m, const gan_node *key, const gan_node *v, gan_diag *d)
{
    static const char *const keys[] = { "update", "terms", NULL };
    if (gan_check_name(key, "an update name", GAN_LAYER_NAME_MAX, "it names a step function "
                       "and a log column", d))
        return;
    for (int i = 0; i < m->n_updates; i++)
        if (!strcmp(m->updates[i].name, key->scalar))
            gan_error(d, key->pos, "update '%s' is declared twice", key->scalar);
    gan_update *u = add_update(m, key->scalar, key->pos);
    const gan_node *terms = v, *nets = NULL;
    if (v->type == GAN_NODE_MAP) {
        char *what = gan_strf("update '%s'", u->name);
        gan_check_keys(v, what, keys, d);
        free(what);
        terms = gan_map_get(v, "terms");
        nets = gan_map_get(v, "update");
    }
    if (!terms || terms->type != GAN_NODE_SEQ || terms->n == 0) {
        gan_error(d, terms ? terms->pos : v->pos, "update '%s' needs a non-empty list of "
                  "terms", u->name);
        return;
    }
    for (size_t i = 0; i < terms->n; i++)
        parse_term(m, u, terms->items[i], d);
    if (!nets) {
        int net = gan_find_net(m, u->name);
        if (net < 0) {
            gan_error(d, key->pos, "update '%s' is not named after a network: say which "
                      "networks it trains, e.g. {update: [G_ab, G_ba], terms: [...]}", u->name);
            return;
        }
        u->nets = gan_xcalloc(1, sizeof *u->nets);
        u->nets[u->n_nets++] = net;
        return;
    }
    const gan_node *one = nets;
    size_t count = nets->type == GAN_NODE_SEQ ? nets->n : 1;
    u->nets = gan_xcalloc(count ? count : 1, sizeof *u->nets);
    for (size_t i = 0; i < count; i++) {
        const gan_node *it = nets->type == GAN_NODE_SEQ ? nets->items[i] : one;
        int net = it->type == GAN_NODE_SCALAR ? gan_find_net(m, it->scalar) : -1;
        if (net < 0)
            gan_error(d, it->pos, "'update' lists the networks this update trains; '%s' is "
                      "not a network", it->type == GAN_NODE_SCALAR ? it->scalar : "?");
        else
            u->nets[u->n_nets++] = net;
    }
}

static void parse_updates(gan_model *m, const gan_node *root, gan_diag *d)
{
    const gan_node *n = gan_expect_map(root, "objective", 1, d);
    if (n && n->n == 0)
        gan_error(d, n->pos, "'objective' is empty: give at least one update and its terms");
    for (size_t i = 0; n && i < n->n; i++)
        parse_update(m, n->keys[i], n->items[i], d);
}

/* ---- schedule ------------------------------------------------------------- */

static int find_update(const gan_model *m, const char *name)
{
    for (int i = 0; i < m->n_updates; i++)
        if (!strcmp(m->updates[i].name, name))
            return i;
    return -1;
}

/* A schedule entry's phase, from: STEP and until: STEP (iterations counted
 * from 0, an update runs at from <= i < until): within train.steps, from
 * before until, so that the update runs at least once. */
static void parse_phase(const gan_model *m, gan_update *u, const gan_node *e, gan_diag *d)
{
    u->from = gan_get_int(e, "from", 0, 0, 1000000000000L, 0, d);
    u->until = gan_get_int(e, "until", 0, 1, 1000000000000L, 0, d);
    const gan_node *f = gan_map_get(e, "from"), *t = gan_map_get(e, "until");
    if (f && u->from >= m->train.steps)
        gan_error(d, f->pos, "update '%s' would never run: 'from: %ld' is not before "
                  "train.steps (%ld); iterations are counted from 0", u->name, u->from,
                  m->train.steps);
    if (t && u->until > m->train.steps)
        gan_error(d, t->pos, "update '%s': 'until: %ld' is past train.steps (%ld)", u->name,
                  u->until, m->train.steps);
    if (f && t && u->until <= u->from)
        gan_error(d, t->pos, "update '%s' would never run: 'until: %ld' must be after "
                  "'from: %ld'", u->name, u->until, u->from);
}

/* Orders m->updates as the schedule lists them, each once, and reads each
 * entry's settings. */
static void parse_schedule(gan_model *m, const gan_node *root, gan_diag *d)
{
    static const char *const keys[] = { "update", "repeat", "optimizer", "clip", "ema",
                                        "same_batch", "from", "until", NULL };
    const gan_node *n = gan_map_get(root, "schedule");
    if (!n)
        return;   /* the objective's order, each update once, the defaults */
    if (n->type != GAN_NODE_SEQ || n->n == 0) {
        gan_error(d, n->pos, "'schedule' must be a list such as [{update: D, repeat: 5}, "
                  "{update: G}]");
        return;
    }
    int *order = gan_xcalloc((size_t)m->n_updates + 1, sizeof *order), n_order = 0;
    const gan_node **entry = gan_xcalloc((size_t)m->n_updates + 1, sizeof *entry);
    for (size_t i = 0; i < n->n; i++) {
        const gan_node *e = n->items[i];
        if (e->type != GAN_NODE_MAP) {
            gan_error(d, e->pos, "a schedule entry is a map such as {update: D, repeat: 5}");
            continue;
        }
        gan_check_keys(e, "a schedule entry", keys, d);
        const char *name = gan_get_str(e, "update", NULL, 1, d);
        int k = name ? find_update(m, name) : -1;
        if (name && k < 0) {
            gan_error(d, gan_map_get(e, "update")->pos, "'%s' is not an update of the "
                      "objective", name);
            continue;
        }
        for (int j = 0; k >= 0 && j < n_order; j++)
            if (order[j] == k) {
                gan_error(d, e->pos, "update '%s' is scheduled twice; use 'repeat'", name);
                k = -1;
            }
        if (k < 0)
            continue;
        entry[n_order] = e;
        order[n_order++] = k;
        gan_update *u = &m->updates[k];
        u->repeat = (int)gan_get_int(e, "repeat", 1, 1, 1000, 0, d);
        gan_parse_optim(&u->optim, gan_expect_map(e, "optimizer", 0, d), d);
        u->clip = (float)gan_get_num(e, "clip", 0, 0, 1e6, 0, d);
        u->ema = (float)gan_get_num(e, "ema", 0, 0, 0.999999, 0, d);
        u->same_batch = gan_get_bool(e, "same_batch", 0, d);
        parse_phase(m, u, e, d);
        if (u->same_batch && n_order == 1)
            gan_error(d, gan_map_get(e, "same_batch")->pos, "update '%s' is the first of "
                      "the iteration: there is no update before it whose batch it could "
                      "read", name);
    }
    for (int j = 1; j < n_order; j++) {
        const gan_update *u = &m->updates[order[j]], *prev = &m->updates[order[j - 1]];
        if (u->same_batch && (u->from != prev->from || u->until != prev->until))
            gan_error(d, gan_map_get(entry[j], "same_batch")->pos, "update '%s' reads the "
                      "batch of update '%s' (same_batch), so it runs in the same phase: give "
                      "both the same 'from' and 'until'", u->name, prev->name);
    }
    for (int k = 0; k < m->n_updates; k++) {
        int listed = 0;
        for (int j = 0; j < n_order; j++)
            listed |= order[j] == k;
        if (!listed)
            gan_error(d, n->pos, "update '%s' of the objective is not in the schedule",
                      m->updates[k].name);
    }
    if (n_order > 0 && n_order == m->n_updates) {   /* memcpy takes no NULL, even for 0 */
        gan_update *sorted = gan_xcalloc((size_t)n_order, sizeof *sorted);
        for (int j = 0; j < n_order; j++)
            sorted[j] = m->updates[order[j]];
        memcpy(m->updates, sorted, (size_t)n_order * sizeof *sorted);
        free(sorted);
    }
    free(order);
    free(entry);
}

/* 'sample: {networks: [G_ab, G_ba]}': every network the sampler can run
 * (its --network), the first its default */
static void parse_sample_networks(gan_model *m, const gan_node *list, gan_diag *d)
{
    if (list->type != GAN_NODE_SEQ || list->n == 0) {
        gan_error(d, list->pos, "'sample: networks' expects a list of network names, e.g. "
                  "[G_ab, G_ba]");
        return;
    }
    m->sample_nets = gan_xcalloc(list->n, sizeof *m->sample_nets);
    for (size_t i = 0; i < list->n; i++) {
        const gan_node *v = list->items[i];
        int net = v->type == GAN_NODE_SCALAR ? gan_find_net(m, v->scalar) : -1;
        for (int k = 0; net >= 0 && k < m->n_sample_nets; k++)
            if (m->sample_nets[k] == net) {
                gan_error(d, v->pos, "'%s' is listed twice in 'sample: networks'", v->scalar);
                net = -2;
            }
        if (net == -1)
            gan_error(d, v->pos, "'%s' is not a network of this model",
                      v->type == GAN_NODE_SCALAR ? v->scalar : "(not a name)");
        if (net >= 0)
            m->sample_nets[m->n_sample_nets++] = net;
    }
    m->gen_net = m->n_sample_nets ? m->sample_nets[0] : 0;
}

/* 'sample: {network: G}': what the sampler runs (default: the first
 * network); or {networks: [...]}, several */
static void parse_sample(gan_model *m, const gan_node *root, gan_diag *d)
{
    static const char *const keys[] = { "network", "networks", NULL };
    const gan_node *n = gan_expect_map(root, "sample", 0, d);
    gan_check_keys(n, "sample", keys, d);
    m->gen_net = 0;
    const gan_node *list = n ? gan_map_get(n, "networks") : NULL;
    if (list && gan_map_get(n, "network")) {
        gan_error(d, list->pos, "'sample' takes 'network' (one) or 'networks' (a list), not "
                  "both");
        return;
    }
    if (list) {
        parse_sample_networks(m, list, d);
        return;
    }
    const char *net = gan_get_str(n, "network", NULL, n != NULL, d);
    if (net && (m->gen_net = gan_find_net(m, net)) < 0) {
        gan_error(d, gan_map_get(n, "network")->pos, "'%s' is not a network of this model",
                  net);
        m->gen_net = 0;
    }
}

/* 'score: {terms: [...]}': the anomaly score of a sample (f-AnoGAN), terms
 * written as the objective's (l1 and l2 only), each a mean over the
 * sample's values, weighted and summed; the scorer (DIR/score) runs it. */
static void parse_score(gan_model *m, const gan_node *root, gan_diag *d)
{
    static const char *const keys[] = { "terms", NULL };
    const gan_node *n = gan_expect_map(root, "score", 0, d);
    if (!n)
        return;
    gan_check_keys(n, "score", keys, d);
    const gan_node *terms = gan_map_get(n, "terms");
    if (!terms || terms->type != GAN_NODE_SEQ || terms->n == 0) {
        gan_error(d, terms ? terms->pos : n->pos, "'score' needs a non-empty list of terms, "
                  "e.g. {terms: [{l2: [\"G(E(x))\", x]}]}");
        return;
    }
    gan_update *u = m->score = gan_xcalloc(1, sizeof *m->score);
    u->name = "score";
    u->pos = gan_map_get(root, "score")->pos;
    u->repeat = 1;
    for (size_t i = 0; i < terms->n; i++) {
        int before = u->n_terms;
        parse_term(m, u, terms->items[i], d);
        if (u->n_terms > before && u->terms[before].kind != GAN_TERM_L1 &&
            u->terms[before].kind != GAN_TERM_L2)
            gan_error(d, terms->items[i]->pos, "a score term is l1 or l2 (a distance per "
                      "sample, e.g. {l2: [\"G(E(x))\", x]}); found %s",
                      term_kinds[u->terms[before].kind]);
    }
}

void gan_parse_objective(gan_model *m, const gan_node *root, gan_diag *d)
{
    parse_variables(m, root, d);
    parse_updates(m, root, d);
    parse_schedule(m, root, d);
    parse_sample(m, root, d);
    parse_score(m, root, d);
}

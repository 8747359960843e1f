/* layers.c - the table of layer kinds, the reading of their settings from
 * YAML and the documentation written from the same tables, and helpers the
 * kinds share.  A kind's keys are data (layer.h: gan_setting), so reading,
 * checking, hashing (infer.c) and documenting them is done once, here. */
#include "layer.h"
#include "fatal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

extern const gan_layer_kind gan_layer_dense, gan_layer_relu, gan_layer_leaky_relu,
    gan_layer_tanh, gan_layer_sigmoid, gan_layer_add, gan_layer_concat, gan_layer_conv2d,
    gan_layer_conv_transpose2d, gan_layer_batchnorm, gan_layer_reshape, gan_layer_flatten,
    gan_layer_upsample, gan_layer_avgpool, gan_layer_dropout, gan_layer_embedding,
    gan_layer_maxout, gan_layer_minibatch_std, gan_layer_layer_norm, gan_layer_instance_norm,
    gan_layer_pixel_shuffle, gan_layer_prelu;

/* The order is the docs' and the "known types" message's. */
static const gan_layer_kind *const kinds[] = {
    &gan_layer_dense, &gan_layer_conv2d, &gan_layer_conv_transpose2d, &gan_layer_batchnorm,
    &gan_layer_relu, &gan_layer_leaky_relu, &gan_layer_prelu, &gan_layer_tanh,
    &gan_layer_sigmoid, &gan_layer_add, &gan_layer_concat, &gan_layer_reshape,
    &gan_layer_flatten, &gan_layer_upsample, &gan_layer_pixel_shuffle, &gan_layer_avgpool,
    &gan_layer_dropout, &gan_layer_embedding, &gan_layer_maxout, &gan_layer_minibatch_std,
    &gan_layer_layer_norm, &gan_layer_instance_norm,
    NULL,
};

#define N_KINDS (int)(sizeof kinds / sizeof kinds[0] - 1)

const gan_layer_kind *gan_layer_find(const char *name)
{
    for (int i = 0; i < N_KINDS; i++)
        if (!strcmp(kinds[i]->name, name))
            return kinds[i];
    return NULL;
}

const gan_layer_kind *const *gan_layer_kinds(void)
{
    return kinds;
}

const char *const *gan_layer_kind_names(void)
{
    static const char *names[N_KINDS + 1];
    for (int i = 0; i < N_KINDS; i++)
        names[i] = kinds[i]->name;
    return names;
}

/* ---- settings ---------------------------------------------------------- */

static int count_settings(const gan_layer_kind *k)
{
    int n = 0;
    for (const gan_setting *s = k->settings; s && s->key; s++)
        n++;
    return n;
}

int gan_layer_keys(const gan_layer_kind *k, const char ***keys)
{
    static const char *const common[] = { "name", "type", "input", "inputs" };
    const char **list = gan_xcalloc((size_t)(count_settings(k) + 4 + 2 + 1), sizeof *list);
    int n = 0;
    for (int i = 0; i < 4; i++)
        list[n++] = common[i];
    for (const gan_setting *s = k->settings; s && s->key; s++)
        list[n++] = s->key;
    if (k->has_weights) {
        list[n++] = "init";
        list[n++] = "init_std";
    }
    list[n] = NULL;
    *keys = list;
    return n;
}

/* [N] or [C, H, W] with entries in [lo, hi] */
static void read_shape(const gan_node *v, const gan_setting *s, gan_shape *out, gan_diag *d)
{
    if (v->type != GAN_NODE_SEQ || (v->n != 1 && v->n != 3)) {
        gan_error(d, v->pos, "'%s' must be a list of 1 (features) or 3 (channels, height, "
                  "width) positive integers", s->key);
        return;
    }
    gan_shape r = { (int)v->n, { 0, 0, 0 } };
    for (size_t i = 0; i < v->n; i++) {
        long x;
        if (gan_scalar_int(v->items[i], &x) || x < s->lo || x > s->hi) {
            gan_error(d, v->items[i]->pos, "'%s' entries must be integers between %ld and "
                      "%ld", s->key, (long)s->lo, (long)s->hi);
            return;
        }
        r.d[i] = (int)x;
    }
    *out = r;
}

static void read_setting(gan_layer *l, const gan_setting *s, gan_diag *d)
{
    const gan_node *map = l->node;
    void *f = gan_setting_field(l, s);
    int required = s->required && map;
    switch (s->type) {
    case GAN_SET_INT:
        *(int *)f = (int)gan_get_int(map, s->key, (long)s->def, (long)s->lo, (long)s->hi,
                                     required, d);
        break;
    case GAN_SET_NUM:
        *(float *)f = (float)gan_get_num(map, s->key, s->def, s->lo, s->hi, required, d);
        break;
    case GAN_SET_BOOL:
        *(int *)f = gan_get_bool(map, s->key, s->def != 0, d);
        break;
    case GAN_SET_ENUM:
        *(int *)f = gan_get_enum(map, s->key, s->choices, (int)s->def, required, d);
        break;
    case GAN_SET_SHAPE: {
        const gan_node *v = gan_map_get(map, s->key);
        if (v)
            read_shape(v, s, f, d);
        else if (required)
            gan_error(d, map->pos, "missing required key '%s'", s->key);
        break;
    }
    }
}

void gan_layer_read_settings(gan_layer *l, gan_diag *d)
{
    const gan_layer_kind *k = l->kind;
    if (k->settings_size) {
        l->settings = gan_xcalloc(1, k->settings_size);
    }
    for (const gan_setting *s = k->settings; s && s->key; s++) {
        if (s->required && !l->node)
            /* "- dense": a kind name alone cannot give a required key */
            gan_error(d, l->pos, "%s layer '%s' needs '%s'; write it as a map such as "
                      "{type: %s, %s: ...}", k->name, l->name, s->key, k->name, s->key);
        read_setting(l, s, d);
    }
    if (k->validate)
        k->validate(l, d);
}

/* ---- documentation ----------------------------------------------------- */

static void doc_value(gan_buf *o, const gan_setting *s)
{
    switch (s->type) {
    case GAN_SET_INT: gan_buf_printf(o, "integer, %ld to %ld", (long)s->lo, (long)s->hi); break;
    case GAN_SET_NUM: gan_buf_printf(o, "number, %g to %g", s->lo, s->hi); break;
    case GAN_SET_BOOL: gan_buf_put(o, "`true` or `false`"); break;
    case GAN_SET_ENUM:
        for (int i = 0; s->choices[i]; i++)
            gan_buf_printf(o, "%s`%s`", i ? ", " : "", s->choices[i]);
        break;
    case GAN_SET_SHAPE:
        gan_buf_printf(o, "`[N]` or `[C, H, W]`, each %ld to %ld", (long)s->lo, (long)s->hi);
        break;
    }
}

static void doc_default(gan_buf *o, const gan_setting *s)
{
    if (s->required) {
        gan_buf_put(o, "required");
        return;
    }
    switch (s->type) {
    case GAN_SET_INT: gan_buf_printf(o, "%ld", (long)s->def); break;
    case GAN_SET_NUM: gan_buf_printf(o, "%g", s->def); break;
    case GAN_SET_BOOL: gan_buf_put(o, s->def ? "`true`" : "`false`"); break;
    case GAN_SET_ENUM: gan_buf_printf(o, "`%s`", s->choices[(int)s->def]); break;
    case GAN_SET_SHAPE: gan_buf_put(o, "required"); break;
    }
}

static void doc_inputs(gan_buf *o, const gan_layer_kind *k)
{
    if (k->min_inputs == k->max_inputs)
        gan_buf_printf(o, "%d", k->min_inputs);
    else
        gan_buf_printf(o, "%d to %d", k->min_inputs, k->max_inputs);
}

static int has_required(const gan_layer_kind *k)
{
    for (const gan_setting *s = k->settings; s && s->key; s++)
        if (s->required)
            return 1;
    return 0;
}

/* "INTRO`a`, `b`.": the kinds without keys (required 0) or with a required key (1) */
static void doc_kind_list(gan_buf *o, const char *intro, int required)
{
    gan_buf_put(o, intro);
    int listed = 0;
    for (int i = 0; i < N_KINDS; i++) {
        const gan_layer_kind *k = kinds[i];
        int match = required ? has_required(k) : !count_settings(k) && !k->has_weights;
        if (match)
            gan_buf_printf(o, "%s`%s`", listed++ ? ", " : "", k->name);
    }
    gan_buf_put(o, required ? ").\n" : ".\n");
}

/* the rows of one kind in the table of keys */
static void doc_settings(gan_buf *o, const gan_layer_kind *k)
{
    int first = 1;
    for (const gan_setting *s = k->settings; s && s->key; s++, first = 0) {
        gan_buf_printf(o, "| %s%s%s | `%s` | ", first ? "`" : "", first ? k->name : "",
                       first ? "`" : "", s->key);
        doc_value(o, s);
        gan_buf_put(o, " | ");
        doc_default(o, s);
        gan_buf_printf(o, " | %s | %s |\n", s->use == GAN_ARCH ? "yes" : s->use == GAN_ARCH_IF_SET
                       ? "yes, unless the default" : "no", s->doc);
    }
    if (k->has_weights)
        gan_buf_printf(o, "| %s%s%s | `init`, `init_std` | as a network's | the network's | no "
                       "| this layer's weight initialisation |\n", first ? "`" : "",
                       first ? k->name : "", first ? "`" : "");
}

void gan_layer_doc(gan_buf *o)
{
    gan_buf_put(o, "| kind | inputs | output | what it computes |\n|---|---|---|---|\n");
    for (int i = 0; i < N_KINDS; i++) {
        const gan_layer_kind *k = kinds[i];
        gan_buf_printf(o, "| `%s` | ", k->name);
        doc_inputs(o, k);
        gan_buf_printf(o, " | %s | %s |\n", k->output, k->summary);
    }
    gan_buf_put(o, "\nTheir keys, besides `name`, `type` and `input`/`inputs`.  *hashed*: "
                "yes for a key that is part of the architecture hash (below), so that weights "
                "trained with one value are refused by a model with another; no for a key "
                "that only decides how the network trains.\n\n"
                "| kind | key | value | default | hashed | meaning |\n|---|---|---|---|---|---|\n");
    for (int i = 0; i < N_KINDS; i++)
        doc_settings(o, kinds[i]);
    doc_kind_list(o, "\nKinds without a row take no keys of their own: ", 0);
    doc_kind_list(o, "A kind name alone (`- relu`) is a layer with every default; a kind with "
                  "a required key must be written as a map (", 1);
}


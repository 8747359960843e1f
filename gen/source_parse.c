/* source_parse.c - what a data source makes of its file: `from` (another
 * source's file and labels), `keep_classes` (the rows of some classes) and
 * `transform` (a list applied in order to each image: downsample,
 * upsample, mask, edges).
 *
 * Runs once every source's own keys are read (model_parse.c), since a
 * source may name one declared after it.  The shape a source's samples
 * have is its file's, through its transforms: shape inference reads that
 * one.  The runtime checks the same rules again (runtime/data/
 * rt_transform.c, rt_sources.c), for a --data file of other images; these
 * checks report at the YAML's lines.  docs/model-language.md, "Transforms".
 */
#include "parse.h"
#include "buf.h"
#include "fatal.h"

#include <stdlib.h>
#include <string.h>

static const char *const transform_names[] = { "downsample", "upsample", "mask", "edges", NULL };

/* The largest side a transform may make, as the largest 'shape' */
enum { SIDE_MAX = 1 << 14 };

/* `from: OTHER`: the index of OTHER (another source that reads its own
 * file), its file's keys copied; -1 when there is no `from`, -2 when it is
 * wrong (reported) */
static int resolve_from(gan_model *m, int s, gan_diag *d)
{
    gan_data_source *src = &m->sources[s];
    const gan_node *n = gan_map_get(src->node, "from");
    if (!n)
        return -1;   /* its own file */
    if (n->type != GAN_NODE_SCALAR) {
        gan_error(d, n->pos, "data source '%s': 'from' names another source of data, whose "
                  "file it reads, e.g. 'from: photos'", src->name);
        return -2;
    }
    int t = 0;
    while (t < m->n_sources && strcmp(m->sources[t].name, n->scalar) != 0)
        t++;
    if (t == m->n_sources) {
        gan_buf names = { 0 };
        for (int i = 0; i < m->n_sources; i++)
            if (i != s)
                gan_buf_printf(&names, "%s'%s'", names.len ? ", " : "", m->sources[i].name);
        gan_error(d, n->pos, "data source '%s': 'from' names '%s', which is no source of data "
                  "(the others: %s)", src->name, n->scalar, names.len ? gan_buf_str(&names) :
                  "none");
        gan_buf_free(&names);
        return -2;
    }
    if (t == s) {
        gan_error(d, n->pos, "data source '%s': 'from' names the source itself; it names "
                  "another source, whose file it reads", src->name);
        return -2;
    }
    const gan_data_source *f = &m->sources[t];
    if (f->node && gan_map_get(f->node, "from")) {
        gan_error(d, n->pos, "data source '%s': 'from' names '%s', which reads another's file "
                  "itself; name a source with 'source'", src->name, f->name);
        return -2;
    }
    if (f->kind == GAN_DATA_RING8 || f->kind == GAN_DATA_GRID25) {
        gan_error(d, n->pos, "data source '%s': 'from' shares the rows of a file, and '%s' is "
                  "%s data, drawn fresh", src->name, f->name,
                  f->kind == GAN_DATA_RING8 ? "ring8" : "grid25");
        return -2;
    }
    src->kind = f->kind;
    src->labels = f->labels;
    src->label_column = f->label_column;
    src->classes = f->classes;
    src->file_shape = src->shape = f->file_shape;
    return t;
}

/* keep_classes: [K, ...]: distinct classes of the source's labels */
static void parse_keep(gan_data_source *src, const char *what, gan_diag *d)
{
    const gan_node *n = gan_map_get(src->node, "keep_classes");
    if (!n)
        return;
    if (!src->labels) {
        gan_error(d, n->pos, "%s: 'keep_classes' keeps the rows of some classes, "
                  "and the data has no 'labels' (add 'labels' and 'classes')", what);
        return;
    }
    if (n->type != GAN_NODE_SEQ || n->n == 0) {
        gan_error(d, n->pos, "%s: 'keep_classes' expects a list of classes, "
                  "e.g. [7, 9]", what);
        return;
    }
    src->keep_classes = gan_xcalloc(n->n, sizeof *src->keep_classes);
    for (size_t i = 0; i < n->n; i++) {
        long k = -1;
        if (gan_scalar_int(n->items[i], &k) || k < 0 || k >= src->classes) {
            gan_error(d, n->items[i]->pos, "%s: keep_classes: expected a class "
                      "of the data's %d (0..%d), found '%s'", what, src->classes,
                      src->classes - 1, n->items[i]->type == GAN_NODE_SCALAR ?
                      n->items[i]->scalar : gan_node_type_name(n->items[i]));
            continue;
        }
        for (int j = 0; j < src->n_keep_classes; j++)
            if (src->keep_classes[j] == k)
                gan_error(d, n->items[i]->pos, "%s: keep_classes lists class "
                          "%ld twice", what, k);
        src->keep_classes[src->n_keep_classes++] = (int)k;
    }
}

/* [A, B] of two whole numbers in [lo, hi] into v; 0, or -1 */
static int int_pair(const gan_node *n, long lo, long hi, int v[2])
{
    long a, b;
    if (!n || n->type != GAN_NODE_SEQ || n->n != 2 || gan_scalar_int(n->items[0], &a) ||
        gan_scalar_int(n->items[1], &b) || a < lo || b < lo || a > hi || b > hi)
        return -1;
    v[0] = (int)a;
    v[1] = (int)b;
    return 0;
}

/* {downsample: [H, W]} or {upsample: [H, W]} of an image of shape s */
static void parse_resize(gan_transform *t, const gan_node *v, gan_shape *s, const char *what,
                         gan_diag *d)
{
    int down = t->kind == RT_TRANSFORM_DOWNSAMPLE;
    const char *name = down ? "downsample" : "upsample";
    if (int_pair(v, 1, SIDE_MAX, t->size)) {
        gan_error(d, v->pos, "%s: %s expects [HEIGHT, WIDTH] of 1 to %d, e.g. [%d, %d]", what,
                  name, SIDE_MAX, down ? 14 : 56, down ? 14 : 56);
        return;
    }
    if (down && (s->d[1] % t->size[0] || s->d[2] % t->size[1]))
        gan_error(d, v->pos, "%s: downsample to %dx%d does not divide the %dx%d image: area "
                  "averaging takes whole blocks (e.g. [%d, %d])", what, t->size[0], t->size[1],
                  s->d[1], s->d[2], s->d[1] % 2 ? s->d[1] : s->d[1] / 2,
                  s->d[2] % 2 ? s->d[2] : s->d[2] / 2);
    else if (!down && (t->size[0] < s->d[1] || t->size[1] < s->d[2]))
        gan_error(d, v->pos, "%s: upsample to %dx%d makes the %dx%d image smaller; use "
                  "downsample", what, t->size[0], t->size[1], s->d[1], s->d[2]);
    s->d[1] = t->size[0];
    s->d[2] = t->size[1];
}

/* {mask: {box: [y, x, h, w], value: V}} or {mask: {size: [h, w], value: V,
 * random: true}} on an image of shape s */
static void parse_mask(gan_transform *t, const gan_node *v, const gan_shape *s,
                       const char *what, gan_diag *d)
{
    static const char *const keys[] = { "box", "size", "value", "random", NULL };
    if (v->type != GAN_NODE_MAP) {
        gan_error(d, v->pos, "%s: mask expects a map: {box: [Y, X, H, W], value: V} or "
                  "{size: [H, W], value: V, random: true}", what);
        return;
    }
    gan_check_keys(v, "a mask", keys, d);
    t->value = (float)gan_get_num(v, "value", -1.0, -1e6, 1e6, 0, d);
    int random = gan_get_bool(v, "random", 0, d);
    const gan_node *box = gan_map_get(v, "box"), *size = gan_map_get(v, "size");
    t->kind = random ? RT_TRANSFORM_MASK_RANDOM : RT_TRANSFORM_MASK;
    if (random) {
        if (box)
            gan_error(d, box->pos, "%s: a random mask is placed anew at each draw: give its "
                      "'size: [H, W]', not a 'box'", what);
        else if (int_pair(size, 1, SIDE_MAX, t->size))
            gan_error(d, size ? size->pos : v->pos, "%s: a random mask needs 'size: [HEIGHT, "
                      "WIDTH]', e.g. [8, 8]", what);
        else if (t->size[0] > s->d[1] || t->size[1] > s->d[2])
            gan_error(d, size->pos, "%s: a mask of %dx%d does not fit the %dx%d image", what,
                      t->size[0], t->size[1], s->d[1], s->d[2]);
        return;
    }
    if (size && !box) {
        gan_error(d, size->pos, "%s: a mask of 'size' is placed at random: add 'random: true', "
                  "or give its place with 'box: [Y, X, H, W]'", what);
        return;
    }
    long b[4] = { 0, 0, 0, 0 };
    int ok = box && box->type == GAN_NODE_SEQ && box->n == 4;
    for (int i = 0; ok && i < 4; i++)
        ok = !gan_scalar_int(box->items[i], &b[i]) && b[i] >= (i < 2 ? 0 : 1) &&
             b[i] <= SIDE_MAX;
    if (!ok) {
        gan_error(d, box ? box->pos : v->pos, "%s: a mask needs 'box: [Y, X, HEIGHT, WIDTH]' "
                  "(top row, left column, from 0; a size of at least 1x1)", what);
        return;
    }
    t->at[0] = (int)b[0], t->at[1] = (int)b[1], t->size[0] = (int)b[2], t->size[1] = (int)b[3];
    if (b[0] + b[2] > s->d[1] || b[1] + b[3] > s->d[2])
        gan_error(d, box->pos, "%s: mask box [%ld, %ld, %ld, %ld] (rows %ld..%ld, columns "
                  "%ld..%ld) reaches outside the %dx%d image", what, b[0], b[1], b[2], b[3],
                  b[0], b[0] + b[2] - 1, b[1], b[1] + b[3] - 1, s->d[1], s->d[2]);
}

/* {edges: {threshold: T}} */
static void parse_edges(gan_transform *t, const gan_node *v, const char *what, gan_diag *d)
{
    static const char *const keys[] = { "threshold", NULL };
    if (v->type != GAN_NODE_MAP) {
        gan_error(d, v->pos, "%s: edges expects a map: {threshold: T}, e.g. {threshold: 0.2}",
                  what);
        return;
    }
    gan_check_keys(v, "edges", keys, d);
    t->value = (float)gan_get_num(v, "threshold", 0, 0, 1e6, 1, d);
}

/* One item of the list: a map of one key, the transform's name */
static void parse_transform(gan_transform *t, const gan_node *item, gan_shape *s,
                            const char *what, gan_diag *d)
{
    t->pos = item->pos;
    if (item->type != GAN_NODE_MAP || item->n != 1) {
        gan_error(d, item->pos, "%s: a transform is a map of one key, its name (downsample, "
                  "upsample, mask or edges), e.g. {downsample: [14, 14]}", what);
        return;
    }
    const gan_node *key = item->keys[0], *v = item->items[0];
    int k = 0;
    while (transform_names[k] && strcmp(transform_names[k], key->scalar) != 0)
        k++;
    switch (k) {
    case 0:
    case 1:
        t->kind = k == 0 ? RT_TRANSFORM_DOWNSAMPLE : RT_TRANSFORM_UPSAMPLE;
        parse_resize(t, v, s, what, d);
        return;
    case 2:
        parse_mask(t, v, s, what, d);
        return;
    case 3:
        t->kind = RT_TRANSFORM_EDGES;
        parse_edges(t, v, what, d);
        return;
    default:
        gan_error(d, key->pos, "%s: unknown transform '%s'; valid transforms: downsample, "
                  "upsample, mask, edges", what, key->scalar);
    }
}

/* transform: [...]: the sample shape is the file's, through each */
static void parse_transforms(gan_data_source *src, const char *what, gan_diag *d)
{
    const gan_node *n = gan_map_get(src->node, "transform");
    if (!n)
        return;
    if (n->type != GAN_NODE_SEQ || n->n == 0)
        gan_error(d, n->pos, "%s: 'transform' expects a list of transforms, e.g. "
                  "[{downsample: [14, 14]}, {edges: {threshold: 0.2}}]", what);
    else if (src->file_shape.rank != 3)
        gan_error(d, n->pos, "%s: transforms work on images (CHANNELS, HEIGHT, WIDTH); %s data "
                  "has samples of %d values", what, src->kind == GAN_DATA_CSV ? "csv" : "mixture",
                  src->file_shape.d[0]);
    else {
        src->transforms = gan_xcalloc(n->n, sizeof *src->transforms);
        src->n_transforms = (int)n->n;
        for (size_t i = 0; i < n->n; i++)
            parse_transform(&src->transforms[i], n->items[i], &src->shape, what, d);
    }
}

void gan_parse_source_prep(gan_model *m, gan_diag *d)
{
    for (int s = 0; s < m->n_sources; s++)
        if (m->sources[s].node)
            m->sources[s].from = resolve_from(m, s, d);
    for (int s = 0; s < m->n_sources; s++) {
        gan_data_source *src = &m->sources[s];
        if (!src->node || src->from == -2)   /* its file unknown: nothing to check against */
            continue;
        /* the single source is `data` in messages, a named one by its name */
        char *what = m->n_sources == 1 && !strcmp(src->name, "data") ? gan_strf("data")
                   : gan_strf("data source '%s'", src->name);
        parse_keep(src, what, d);
        parse_transforms(src, what, d);
        free(what);
    }
}

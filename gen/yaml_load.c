/* yaml_load.c - libyaml events into a gan_node tree.
 *
 * The only file of ganc that includes <yaml.h>.  It keeps each node's line
 * and column, rejects what a model never needs (anchors, aliases, tags,
 * several documents, duplicate keys, non-scalar keys, NUL characters) with
 * a positioned message, and leaves all meaning to the readers of the tree.
 */
#include "node.h"
#include "fatal.h"
#include "host.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct {
    yaml_parser_t parser;
    const char *name;
    gan_diag *d;
    int failed;
} loader;

static gan_pos pos_of(const loader *L, yaml_mark_t m)
{
    gan_pos p = { L->name, (int)m.line + 1, (int)m.column + 1 };
    return p;
}

#define xcalloc gan_xcalloc

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = xcalloc(n, 1);
    memcpy(p, s, n);
    return p;
}

static int next_event(loader *L, yaml_event_t *ev)
{
    if (yaml_parser_parse(&L->parser, ev))
        return 0;
    gan_pos p = pos_of(L, L->parser.problem_mark);
    gan_error(L->d, p, "YAML syntax: %s%s%s",
              L->parser.problem ? L->parser.problem : "malformed document",
              L->parser.context ? " " : "",
              L->parser.context ? L->parser.context : "");
    L->failed = 1;
    return -1;
}

static void push(gan_node *parent, gan_node *key, gan_node *item)
{
    parent->items = gan_xrealloc(parent->items, parent->n + 1, sizeof *parent->items);
    if (parent->type == GAN_NODE_MAP)
        parent->keys = gan_xrealloc(parent->keys, parent->n + 1, sizeof *parent->keys);
    if (parent->type == GAN_NODE_MAP)
        parent->keys[parent->n] = key;
    parent->items[parent->n++] = item;
}

static gan_node *parse_node(loader *L, yaml_event_t *ev);

/* Reads events until the matching end event; `node` is a MAP or SEQ. */
static int parse_children(loader *L, gan_node *node)
{
    for (;;) {
        yaml_event_t ev;
        if (next_event(L, &ev))
            return -1;
        if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        gan_node *key = NULL;
        if (node->type == GAN_NODE_MAP) {
            key = parse_node(L, &ev);
            if (!key)
                return -1;
            if (key->type != GAN_NODE_SCALAR) {
                gan_error(L->d, key->pos, "a key must be a plain word, found a %s",
                          gan_node_type_name(key));
                gan_node_free(key);
                L->failed = 1;
                return -1;
            }
            for (size_t i = 0; i < node->n; i++)
                if (!strcmp(node->keys[i]->scalar, key->scalar))
                    gan_error(L->d, key->pos, "duplicate key '%s' (first at line %d)",
                              key->scalar, node->keys[i]->pos.line);
            if (next_event(L, &ev)) {
                gan_node_free(key);
                return -1;
            }
        }
        gan_node *item = parse_node(L, &ev);
        if (!item) {
            gan_node_free(key);
            return -1;
        }
        push(node, key, item);
    }
}

/* Consumes `ev` (already read) and whatever belongs to it. */
static gan_node *parse_node(loader *L, yaml_event_t *ev)
{
    gan_pos p = pos_of(L, ev->start_mark);
    gan_node *n = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.anchor) {
            gan_error(L->d, p, "anchors (&name) are not supported in a model file");
            break;
        }
        /* a "\0" escape: the tree's strings end at NUL, so a name or path
         * holding one would be silently cut short */
        if (memchr(ev->data.scalar.value, 0, ev->data.scalar.length)) {
            gan_error(L->d, p, "a NUL character (\\0) cannot appear in a model file");
            break;
        }
        n = xcalloc(1, sizeof *n);
        n->type = GAN_NODE_SCALAR;
        n->pos = p;
        n->scalar = xstrdup((const char *)ev->data.scalar.value);
        n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        break;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        n = xcalloc(1, sizeof *n);
        n->type = ev->type == YAML_MAPPING_START_EVENT ? GAN_NODE_MAP : GAN_NODE_SEQ;
        n->pos = p;
        yaml_event_delete(ev);
        if (parse_children(L, n)) {
            gan_node_free(n);
            return NULL;
        }
        return n;
    case YAML_ALIAS_EVENT:
        gan_error(L->d, p, "aliases (*name) are not supported in a model file");
        break;
    default:
        gan_error(L->d, p, "unexpected YAML structure");
        break;
    }
    yaml_event_delete(ev);
    if (!n)
        L->failed = 1;
    return n;
}

/* Stream start, document start, one root node, document end, stream end. */
static gan_node *load(loader *L)
{
    gan_node *root = NULL;
    yaml_event_t ev;
    while (!L->failed && !next_event(L, &ev)) {
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (t == YAML_DOCUMENT_START_EVENT) {
            if (root) {
                gan_error(L->d, pos_of(L, ev.start_mark),
                          "a model file holds one YAML document; found a second");
                L->failed = 1;
            }
            yaml_event_delete(&ev);
            continue;
        }
        gan_node *n = parse_node(L, &ev);
        if (!n)
            break;
        root = n;
    }
    if (L->failed) {
        gan_node_free(root);
        return NULL;
    }
    if (!root) {
        gan_pos p = { L->name, 1, 1 };
        gan_error(L->d, p, "the file is empty; expected a model (a YAML map with name, "
                  "data, latent, generator, discriminator, ...)");
    }
    return root;
}

/* The text's len bytes (NUL bytes among them are the parser's to refuse,
 * not an end). */
static gan_node *load_bytes(const char *text, size_t len, const char *name, gan_diag *d)
{
    loader L = { .name = name, .d = d };
    yaml_parser_initialize(&L.parser);
    yaml_parser_set_input_string(&L.parser, (const unsigned char *)text, len);
    gan_node *root = load(&L);
    yaml_parser_delete(&L.parser);
    return root;
}

gan_node *gan_yaml_load_string(const char *text, const char *name, gan_diag *d)
{
    return load_bytes(text, strlen(text), name, d);
}

gan_node *gan_yaml_load(const char *path, gan_diag *d)
{
    long size = 0;
    const char *why = NULL;
    char *text = gan_read_file(path, &size, &why);
    if (!text) {
        gan_pos p = { path, 0, 0 };
        gan_error(d, p, "%s", why);   /* "cannot open: ...", "expected a regular file ..." */
        return NULL;
    }
    gan_node *root = load_bytes(text, (size_t)size, path, d);
    free(text);
    return root;
}

/* node.c - the gan_node tree and its typed, error-reporting getters. */
#include "node.h"
#include "buf.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void gan_node_free(gan_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n; i++) {
        if (n->keys)
            gan_node_free(n->keys[i]);
        gan_node_free(n->items[i]);
    }
    free(n->keys);
    free(n->items);
    free(n->scalar);
    free(n);
}

const char *gan_node_type_name(const gan_node *n)
{
    switch (n->type) {
    case GAN_NODE_SCALAR: return "scalar";
    case GAN_NODE_MAP: return "map";
    case GAN_NODE_SEQ: return "list";
    }
    return "?";
}

gan_node *gan_map_get(const gan_node *map, const char *key)
{
    if (!map || map->type != GAN_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (!strcmp(map->keys[i]->scalar, key))
            return map->items[i];
    return NULL;
}

/* "a, b, c" from a NULL-terminated list, as long as it takes (caller frees) */
static char *join(const char *const *words)
{
    gan_buf b = { 0 };
    gan_buf_put(&b, "");
    for (const char *const *w = words; *w; w++)
        gan_buf_printf(&b, "%s%s", w == words ? "" : ", ", *w);
    return b.s;
}

void gan_check_keys(const gan_node *map, const char *what,
                    const char *const *allowed, gan_diag *d)
{
    if (!map || map->type != GAN_NODE_MAP)
        return;
    for (size_t i = 0; i < map->n; i++) {
        const char *k = map->keys[i]->scalar;
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (!strcmp(*a, k))
                ok = 1;
        if (ok)
            continue;
        char *list = join(allowed);
        gan_error(d, map->keys[i]->pos, "unknown key '%s' in %s; valid keys: %s",
                  k, what, list);
        free(list);
    }
}

int gan_scalar_int(const gan_node *n, long *out)
{
    if (!n || n->type != GAN_NODE_SCALAR || n->quoted || !*n->scalar)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(n->scalar, &end, 10);
    if (*end == 0 && !errno) {
        *out = v;
        return 0;
    }
    /* 1e4 or 10000.0 written for an integer is fine when it is whole */
    double x = strtod(n->scalar, &end);
    if (*end || !isfinite(x) || x != floor(x) || fabs(x) > 9e18)
        return -1;
    *out = (long)x;
    return 0;
}

int gan_scalar_num(const gan_node *n, double *out)
{
    if (!n || n->type != GAN_NODE_SCALAR || n->quoted || !*n->scalar)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(n->scalar, &end);
    if (*end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static const gan_node *lookup(const gan_node *map, const char *key, int required,
                              gan_diag *d)
{
    const gan_node *v = gan_map_get(map, key);
    if (!v && required && map)
        gan_error(d, map->pos, "missing required key '%s'", key);
    return v;
}

static const char *describe(const gan_node *v)
{
    return v->type == GAN_NODE_SCALAR ? v->scalar : gan_node_type_name(v);
}

long gan_get_int(const gan_node *map, const char *key, long def, long lo, long hi,
                 int required, gan_diag *d)
{
    const gan_node *v = lookup(map, key, required, d);
    if (!v)
        return def;
    long x;
    if (gan_scalar_int(v, &x)) {
        gan_error(d, v->pos, "'%s' must be an integer, found '%s'", key, describe(v));
        return def;
    }
    if (x < lo || x > hi) {
        gan_error(d, v->pos, "'%s' must be between %ld and %ld, found %ld", key, lo, hi, x);
        return def;
    }
    return x;
}

double gan_get_num(const gan_node *map, const char *key, double def, double lo,
                   double hi, int required, gan_diag *d)
{
    const gan_node *v = lookup(map, key, required, d);
    if (!v)
        return def;
    double x;
    if (gan_scalar_num(v, &x)) {
        gan_error(d, v->pos, "'%s' must be a number, found '%s'", key, describe(v));
        return def;
    }
    if (x < lo || x > hi) {
        gan_error(d, v->pos, "'%s' must be between %g and %g, found %g", key, lo, hi, x);
        return def;
    }
    return x;
}

int gan_get_bool(const gan_node *map, const char *key, int def, gan_diag *d)
{
    const gan_node *v = lookup(map, key, 0, d);
    if (!v)
        return def;
    if (v->type == GAN_NODE_SCALAR && !v->quoted) {
        if (!strcmp(v->scalar, "true") || !strcmp(v->scalar, "yes"))
            return 1;
        if (!strcmp(v->scalar, "false") || !strcmp(v->scalar, "no"))
            return 0;
    }
    gan_error(d, v->pos, "'%s' must be true or false, found '%s'", key, describe(v));
    return def;
}

const char *gan_get_str(const gan_node *map, const char *key, const char *def,
                        int required, gan_diag *d)
{
    const gan_node *v = lookup(map, key, required, d);
    if (!v)
        return def;
    if (v->type != GAN_NODE_SCALAR || !*v->scalar) {
        gan_error(d, v->pos, "'%s' must be a non-empty string, found a %s", key,
                  gan_node_type_name(v));
        return def;
    }
    return v->scalar;
}

int gan_get_enum(const gan_node *map, const char *key, const char *const *choices,
                 int def, int required, gan_diag *d)
{
    const gan_node *v = lookup(map, key, required, d);
    if (!v)
        return def;
    if (v->type == GAN_NODE_SCALAR)
        for (int i = 0; choices[i]; i++)
            if (!strcmp(choices[i], v->scalar))
                return i;
    char *list = join(choices);
    gan_error(d, v->pos, "'%s' must be one of: %s; found '%s'", key, list, describe(v));
    free(list);
    return def;
}

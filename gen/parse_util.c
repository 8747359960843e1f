/* parse_util.c - see parse.h. */
#include "parse.h"

#include <string.h>

static const char *const optim_kinds[] = { "adam", "sgd", NULL };

int gan_is_identifier(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' ||
              (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

/* Diagnostics escape control characters (diag.c), so a name holding them
 * prints safely. */
int gan_check_name(const gan_node *v, const char *what, size_t max, const char *why,
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
    if (!gan_is_identifier(v->scalar)) {
        gan_error(d, v->pos, "%s must be an identifier (a letter, then letters, digits or _; "
                  "%s), found '%s'", what, why, v->scalar);
        return -1;
    }
    return 0;
}

const gan_node *gan_expect_map(const gan_node *parent, const char *key, int required,
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

void gan_parse_optim(gan_optim *o, const gan_node *n, gan_diag *d)
{
    static const char *const keys[] = { "type", "lr", "beta1", "beta2", "eps", "momentum", NULL };
    o->kind = 0;
    o->lr = 2e-4f;
    o->beta1 = 0.5f;
    o->beta2 = 0.999f;
    o->eps = 1e-8f;
    o->momentum = 0;
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

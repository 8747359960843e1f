/* node.h - a YAML document as a tree of maps, sequences and scalars, each
 * carrying the position it came from.
 *
 * Only yaml_load.c sees libyaml; everything after it reads this tree.  The
 * typed getters report a positioned error naming the key and what was
 * expected, and return a default so parsing can go on and find more errors.
 */
#ifndef GAN_NODE_H
#define GAN_NODE_H

#include <stddef.h>
#include "diag.h"

typedef enum { GAN_NODE_SCALAR, GAN_NODE_MAP, GAN_NODE_SEQ } gan_node_type;

typedef struct gan_node {
    gan_node_type type;
    gan_pos pos;
    char *scalar;              /* GAN_NODE_SCALAR: the text */
    int quoted;                /* scalar was quoted: never a number or bool */
    size_t n;                  /* MAP: pairs; SEQ: items */
    struct gan_node **keys;    /* MAP only: scalar key nodes */
    struct gan_node **items;   /* MAP values / SEQ items */
} gan_node;

/* Loads a whole file; NULL (with errors reported) on failure.  The tree owns
 * all its strings; gan_node_free releases it. */
gan_node *gan_yaml_load(const char *path, gan_diag *d);
gan_node *gan_yaml_load_string(const char *text, const char *name, gan_diag *d);
void gan_node_free(gan_node *n);

const char *gan_node_type_name(const gan_node *n);

/* Map lookups.  NULL when absent. */
gan_node *gan_map_get(const gan_node *map, const char *key);

/* Reports every key of `map` not in the NULL-terminated `allowed` list,
 * listing the valid ones. `what` names the section ("train", "layer 'h1'"). */
void gan_check_keys(const gan_node *map, const char *what,
                    const char *const *allowed, gan_diag *d);

/* Typed reads of map[key].  Absent: returns `def` (or reports "missing
 * required key" when `required`).  Wrong type or out of range: reports. */
long gan_get_int(const gan_node *map, const char *key, long def, long lo, long hi,
                 int required, gan_diag *d);
double gan_get_num(const gan_node *map, const char *key, double def, double lo,
                   double hi, int required, gan_diag *d);
int gan_get_bool(const gan_node *map, const char *key, int def, gan_diag *d);
const char *gan_get_str(const gan_node *map, const char *key, const char *def,
                        int required, gan_diag *d);
/* One of `choices` (NULL-terminated); returns its index, or `def`. */
int gan_get_enum(const gan_node *map, const char *key, const char *const *choices,
                 int def, int required, gan_diag *d);

/* Scalar conversions without a key (for list items). 0 ok, -1 not that type. */
int gan_scalar_int(const gan_node *n, long *out);
int gan_scalar_num(const gan_node *n, double *out);

#endif

/* parse.h - what the model parsers (model_parse.c, net_parse.c,
 * objective_parse.c) share: names, sections, optimizers. */
#ifndef GAN_PARSE_H
#define GAN_PARSE_H

#include "model.h"

/* A letter, then letters, digits and _. */
int gan_is_identifier(const char *s);
/* Checks a name node against its maximum length and the identifier rule;
 * 0 when it is fine, else reports at the node (`what` says what it names,
 * `why` why the rule holds) and returns -1. */
int gan_check_name(const gan_node *v, const char *what, size_t max, const char *why,
                   gan_diag *d);
/* parent[key] when it is a map; NULL when absent (an error if required) or
 * of another type (an error). */
const gan_node *gan_expect_map(const gan_node *parent, const char *key, int required,
                               gan_diag *d);
/* An 'optimizer' map (n may be NULL: the defaults, Adam 2e-4, beta1 0.5). */
void gan_parse_optim(gan_optim *o, const gan_node *n, gan_diag *d);

/* source_parse.c: each data source's `from`, `keep_classes` and
 * `transform`, once every source's own keys are read (parse_source in
 * model_parse.c): a source `from` another takes that one's file, labels
 * and file shape, and its transforms make its sample shape. */
void gan_parse_source_prep(gan_model *m, gan_diag *d);

/* net_parse.c: the shorthand's 'generator'/'discriminator' section, or one
 * network of the general form's 'networks' (name is its key) */
void gan_parse_shorthand_net(gan_model *m, gan_net *net, const gan_node *root, gan_diag *d);
void gan_parse_net(gan_model *m, gan_net *net, const char *name, const gan_node *n,
                   gan_diag *d);
void gan_net_free(gan_net *net);
/* The layers list of map n (its 'output'/'outputs' pick the outputs) and
 * the checks every network's layers get. */
void gan_parse_net_body(gan_net *net, const gan_node *n, const gan_node *layers, gan_diag *d);

/* frozen_parse.c: a network `{frozen: {model, network, weights}}` of the
 * general form, imported from network `network` of model `sub` (the file
 * `model`, loaded by model_parse.c; NULL when it could not be); net's id,
 * name and role are set. */
void gan_parse_frozen_net(gan_model *m, gan_net *net, const gan_node *n, gan_model *sub,
                          gan_diag *d);
/* frozen_check.c: once the objective is read, the rules of frozen
 * networks: no update trains one, the sampler does not run one */
void gan_check_frozen_use(gan_model *m, const gan_node *root, gan_diag *d);

#endif

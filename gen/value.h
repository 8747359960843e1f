/* value.h - values of an objective (gan_value, model.h): parsed from text,
 * built by the shorthand, copied and freed. */
#ifndef GAN_VALUE_H
#define GAN_VALUE_H

#include "model.h"

/* Parses the scalar node v; NULL after reporting at v. */
gan_value *gan_value_parse(const gan_model *m, const gan_node *v, gan_diag *d);
/* net applied to args (taken over), called `app` in generated code (may
 * be NULL); a variable. */
gan_value *gan_value_apply(const gan_model *m, int net, gan_value *const *args, int n_args,
                         const char *app);
gan_value *gan_value_var(const gan_model *m, int var);
gan_value *gan_value_copy(const gan_value *e);

#endif

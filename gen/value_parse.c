/* value_parse.c - the values of an objective, written as text:
 *
 *   value := NAME                      a variable
 *          | NAME '(' value {',' value} ')' ['.' OUTPUT]
 *                                      a network applied to one value per
 *                                      input (OUTPUT: another of its outputs)
 *          | 'stop' '(' value ')'      the value, with no gradient through it
 *
 * Names are resolved here (variables and networks); shapes and input kinds
 * are checked by objective_check.c once the networks' shapes are known.
 * Each expression keeps its canonical text ("D(stop(G(z)))"), which is what
 * makes two writings of one application the same value in an update.
 */
#include "value.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fatal.h"

typedef struct {
    const gan_model *m;
    const char *src, *p;
    gan_pos pos;            /* of the text's first character */
    gan_diag *d;
    int failed;
} parser;

static gan_pos here(const parser *ps)
{
    gan_pos p = ps->pos;
    if (p.col > 0)
        p.col += (int)(ps->p - ps->src);
    return p;
}

static void skip_space(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t')
        ps->p++;
}

static void fail(parser *ps, const char *what)
{
    if (!ps->failed)
        gan_error(ps->d, here(ps), "in the value '%s': %s", ps->src, what);
    ps->failed = 1;
}

/* an identifier (malloc'd), or NULL after reporting */
static char *name(parser *ps)
{
    skip_space(ps);
    const char *s = ps->p;
    if (!isalpha((unsigned char)*s)) {
        fail(ps, *s ? "expected a name (a variable, a network, or stop)" : "it ends too early");
        return NULL;
    }
    while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
        ps->p++;
    return gan_strf("%.*s", (int)(ps->p - s), s);
}

static int accept(parser *ps, char c)
{
    skip_space(ps);
    if (*ps->p != c)
        return 0;
    ps->p++;
    return 1;
}

static gan_value *new_expr(int kind, gan_pos pos)
{
    gan_value *e = gan_xcalloc(1, sizeof *e);
    e->kind = kind;
    e->pos = pos;
    return e;
}

static void add_arg(gan_value *e, gan_value *a)
{
    e->args = gan_xrealloc(e->args, (size_t)e->n_args + 1, sizeof *e->args);
    e->args[e->n_args++] = a;
}

static gan_value *value(parser *ps);

/* the arguments of NAME( ... ), the '(' read */
static void arguments(parser *ps, gan_value *e)
{
    do {
        gan_value *a = value(ps);
        if (!a)
            return;
        add_arg(e, a);
    } while (accept(ps, ','));
    if (!accept(ps, ')'))
        fail(ps, "expected ',' or ')'");
}

static gan_value *application(parser *ps, const char *nm, gan_pos at)
{
    int net = gan_find_net(ps->m, nm);
    gan_value *e = new_expr(GAN_VALUE_APPLY, at);
    e->net = net;
    if (net < 0) {
        gan_error(ps->d, at, "in the value '%s': '%s' is not a network of this model",
                  ps->src, nm);
        ps->failed = 1;
        return e;
    }
    arguments(ps, e);
    if (!ps->failed && accept(ps, '.')) {
        char *out = name(ps);
        const gan_net *n = &ps->m->net[net];
        e->output = -1;
        for (int i = 0; out && i < n->n_outputs; i++)
            if (!strcmp(n->output_names[i], out))
                e->output = i;
        if (out && e->output < 0) {
            char *msg = gan_strf("'%s' is not an output of network '%s' (list it under the "
                                 "network's 'outputs')", out, n->name);
            fail(ps, msg);
            free(msg);
        }
        free(out);
    }
    return e;
}

static gan_value *value(parser *ps)
{
    skip_space(ps);
    gan_pos at = here(ps);
    char *nm = name(ps);
    if (!nm)
        return NULL;
    gan_value *e;
    if (accept(ps, '(')) {
        if (!strcmp(nm, "stop")) {
            e = new_expr(GAN_VALUE_STOP, at);
            arguments(ps, e);
            if (!ps->failed && e->n_args != 1)
                fail(ps, "stop takes one value");
        } else {
            e = application(ps, nm, at);
        }
    } else {
        e = new_expr(GAN_VALUE_VAR, at);
        e->var = gan_find_var(ps->m, nm);
        if (e->var < 0) {
            gan_error(ps->d, at, "in the value '%s': '%s' is not a variable of this model "
                      "(declare it under 'variables'%s)", ps->src, nm,
                      gan_find_net(ps->m, nm) >= 0 ? ", or apply the network: NAME(inputs)" : "");
            ps->failed = 1;
        }
    }
    free(nm);
    return e;
}

/* The canonical text, built bottom-up once the tree stands. */
static void canonical(gan_value *e, const gan_model *m)
{
    gan_buf b = { 0 };
    for (int i = 0; i < e->n_args; i++)
        canonical(e->args[i], m);
    switch (e->kind) {
    case GAN_VALUE_VAR: gan_buf_put(&b, m->vars[e->var].name); break;
    case GAN_VALUE_STOP: gan_buf_printf(&b, "stop(%s)", e->args[0]->text); break;
    default:
        gan_buf_printf(&b, "%s(", m->net[e->net].name);
        for (int i = 0; i < e->n_args; i++)
            gan_buf_printf(&b, "%s%s", i ? ", " : "", e->args[i]->text);
        gan_buf_put(&b, ")");
        if (e->output > 0)
            gan_buf_printf(&b, ".%s", m->net[e->net].output_names[e->output]);
    }
    free(e->text);
    e->text = b.s;
}

gan_value *gan_value_parse(const gan_model *m, const gan_node *v, gan_diag *d)
{
    if (v->type != GAN_NODE_SCALAR) {
        gan_error(d, v->pos, "a value must be text such as 'D(G(z))' or 'x', found a %s",
                  gan_node_type_name(v));
        return NULL;
    }
    parser ps = { m, v->scalar, v->scalar, v->pos, d, 0 };
    gan_value *e = value(&ps);
    skip_space(&ps);
    if (!ps.failed && *ps.p)
        fail(&ps, "unexpected text after the value");
    if (ps.failed) {
        gan_value_free(e);
        return NULL;
    }
    canonical(e, m);
    return e;
}

gan_value *gan_value_apply(const gan_model *m, int net, gan_value *const *args, int n_args,
                         const char *app)
{
    gan_value *e = new_expr(GAN_VALUE_APPLY, m->net[net].pos);
    e->net = net;
    for (int i = 0; i < n_args; i++)
        add_arg(e, args[i]);
    e->app = app;
    canonical(e, m);
    return e;
}

gan_value *gan_value_var(const gan_model *m, int var)
{
    gan_value *e = new_expr(GAN_VALUE_VAR, m->vars[var].pos);
    e->var = var;
    canonical(e, m);
    return e;
}

gan_value *gan_value_copy(const gan_value *e)
{
    if (!e)
        return NULL;
    gan_value *c = gan_xcalloc(1, sizeof *c);
    *c = *e;
    c->text = gan_xstrdup(e->text);
    c->args = e->n_args ? gan_xcalloc((size_t)e->n_args, sizeof *c->args) : NULL;
    for (int i = 0; i < e->n_args; i++)
        c->args[i] = gan_value_copy(e->args[i]);
    return c;
}

void gan_value_free(gan_value *e)
{
    if (!e)
        return;
    for (int i = 0; i < e->n_args; i++)
        gan_value_free(e->args[i]);
    free(e->args);
    free(e->text);
    free(e);
}

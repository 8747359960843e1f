/* objective_check.c - the objective against the inferred networks: every
 * application gets one value per network input, of the input's shape and
 * kind; every term's values fit the term; every update trains networks no
 * other update trains and knows which variables it draws.  Latent
 * variables declared without a size take the size and distribution of the
 * network input they feed. */
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "fatal.h"

static int shape_eq(gan_shape a, gan_shape b)
{
    if (a.rank != b.rank)
        return 0;
    for (int i = 0; i < a.rank; i++)
        if (a.d[i] != b.d[i])
            return 0;
    return 1;
}

static const char *var_kind_name(int kind)
{
    static const char *const names[] = { "data", "labels", "latent", "classes" };
    return names[kind];
}

/* the variable under stops, or -1 */
static int bare_var(const gan_value *e)
{
    while (e->kind == GAN_VALUE_STOP)
        e = e->args[0];
    return e->kind == GAN_VALUE_VAR ? e->var : -1;
}

/* A latent variable without a size takes the input's. */
static void size_latent(gan_model *m, gan_value *arg, const gan_net_input *in)
{
    int v = bare_var(arg);
    if (v < 0 || m->vars[v].kind != GAN_VAR_LATENT || in->kind != GAN_INPUT_LATENT)
        return;
    gan_var *var = &m->vars[v];
    if (var->shape.d[0] == 0)
        var->shape = in->shape;
    if (var->dist < 0)
        var->dist = in->dist;
}

static int check_expr(gan_model *m, gan_value *e, gan_diag *d);

/* one argument of an application against the network input it feeds */
static int check_arg(gan_model *m, const gan_value *app, gan_value *arg, const gan_net_input *in,
                     gan_diag *d)
{
    const gan_net *net = &m->net[app->net];
    size_latent(m, arg, in);
    if (check_expr(m, arg, d))
        return -1;
    int v = bare_var(arg);
    int is_label = v >= 0 && (m->vars[v].kind == GAN_VAR_LABEL || m->vars[v].kind == GAN_VAR_CLASS);
    if (in->kind == GAN_INPUT_LABEL) {
        if (!is_label) {
            gan_error(d, arg->pos, "in '%s': input '%s' of %s is a class label; give it a "
                      "variable of labels or classes, not '%s'", app->text, in->name, net->role,
                      arg->text);
            return -1;
        }
        if (m->vars[v].classes != in->classes) {
            gan_error(d, arg->pos, "in '%s': '%s' holds %d classes, input '%s' of %s takes "
                      "%d", app->text, arg->text, m->vars[v].classes, in->name, net->role,
                      in->classes);
            return -1;
        }
        return 0;
    }
    if (is_label) {
        gan_error(d, arg->pos, "in '%s': '%s' holds class labels, but input '%s' of %s is not "
                  "a label input (declare it {label: CLASSES})", app->text, arg->text, in->name,
                  net->role);
        return -1;
    }
    if (!shape_eq(arg->shape, in->shape)) {
        char a[64], b[64];
        gan_shape_str(arg->shape, a, sizeof a);
        gan_shape_str(in->shape, b, sizeof b);
        gan_error(d, arg->pos, "in '%s': '%s' has shape %s per sample, but input '%s' of %s "
                  "takes %s", app->text, arg->text, a, in->name, net->role, b);
        return -1;
    }
    return 0;
}

static int check_expr(gan_model *m, gan_value *e, gan_diag *d)
{
    switch (e->kind) {
    case GAN_VALUE_VAR: {
        const gan_var *v = &m->vars[e->var];
        if (v->kind == GAN_VAR_LATENT && v->shape.d[0] == 0) {
            gan_error(d, e->pos, "latent variable '%s' has no size: it feeds no latent input "
                      "here; declare it {latent: SIZE}", v->name);
            return -1;
        }
        e->shape = v->shape;
        return 0;
    }
    case GAN_VALUE_STOP:
        if (check_expr(m, e->args[0], d))
            return -1;
        e->shape = e->args[0]->shape;
        return 0;
    default: {
        const gan_net *net = &m->net[e->net];
        if (e->n_args != net->n_inputs) {
            gan_error(d, e->pos, "'%s' gives %s %d value%s; it has %d input%s", e->text,
                      net->role, e->n_args, e->n_args == 1 ? "" : "s", net->n_inputs,
                      net->n_inputs == 1 ? "" : "s");
            return -1;
        }
        for (int i = 0; i < e->n_args; i++)
            if (check_arg(m, e, e->args[i], &net->inputs[i], d))
                return -1;
        e->shape = net->layers[net->outputs[e->output]].out;
        return 0;
    }
    }
}

/* the network an expression applies last (under stops), or -1 */
static int head_net(const gan_value *e)
{
    while (e && e->kind == GAN_VALUE_STOP)
        e = e->args[0];
    return e && e->kind == GAN_VALUE_APPLY ? e->net : -1;
}

static int trains(const gan_update *u, int net)
{
    for (int i = 0; i < u->n_nets; i++)
        if (u->nets[i] == net)
            return 1;
    return 0;
}

static int same_shape(const gan_term *t, gan_diag *d)
{
    if (shape_eq(t->a->shape, t->b->shape))
        return 0;
    char a[64], b[64];
    gan_shape_str(t->a->shape, a, sizeof a);
    gan_shape_str(t->b->shape, b, sizeof b);
    gan_error(d, t->pos, "the %s term compares '%s' of shape %s with '%s' of shape %s; they "
              "must have one shape", t->name, t->a->text, a, t->b->text, b);
    return -1;
}

/* A penalty's critic, applied to a value of its first input's shape and
 * to the 'with' values for the rest. */
static int check_critic(gan_model *m, gan_term *t, gan_shape at, gan_diag *d)
{
    const gan_net *c = &m->net[t->critic];
    if (t->n_with != c->n_inputs - 1) {
        gan_error(d, t->pos, "the %s term differentiates %s at its first input; give its "
                  "other %d input%s under 'with'", t->name, c->role, c->n_inputs - 1,
                  c->n_inputs == 2 ? "" : "s");
        return -1;
    }
    if (c->inputs[0].kind == GAN_INPUT_LABEL || !shape_eq(at, c->inputs[0].shape)) {
        gan_error(d, t->pos, "the %s term differentiates %s at its first input '%s', which "
                  "does not take values of this shape", t->name, c->role, c->inputs[0].name);
        return -1;
    }
    for (int k = 0; k < t->n_with; k++) {
        gan_value app = { .kind = GAN_VALUE_APPLY, .net = t->critic, .text = (char *)t->name };
        if (check_arg(m, &app, t->with[k], &c->inputs[k + 1], d))
            return -1;
    }
    return 0;
}

static int check_term(gan_model *m, const gan_update *u, gan_term *t, gan_diag *d)
{
    gan_value *vals[2] = { t->a, t->b };
    for (int i = 0; i < 2; i++)
        if (vals[i] && check_expr(m, vals[i], d))
            return -1;
    switch (t->kind) {
    case GAN_TERM_ADVERSARIAL: {
        int critic = head_net(t->a ? t->a : t->b);
        if (critic < 0 || (t->a && t->b && head_net(t->b) != critic)) {
            gan_error(d, t->pos, "an adversarial term scores values with one critic network, "
                      "e.g. real: \"D(x)\", fake: \"D(G(z))\"");
            return -1;
        }
        int inferred = t->side < 0;
        if (inferred)
            t->side = trains(u, critic) ? GAN_SIDE_CRITIC : GAN_SIDE_GENERATOR;
        if (t->side == GAN_SIDE_GENERATOR && (t->a || !t->b)) {
            if (inferred)
                gan_error(d, t->pos, "on the generator's side (update '%s' does not train %s), "
                          "an adversarial term scores 'fake' values only", u->name,
                          m->net[critic].role);
            else
                gan_error(d, t->pos, "on the generator's side, an adversarial term scores "
                          "'fake' values only");
            return -1;
        }
        return 0;
    }
    case GAN_TERM_GRADIENT_PENALTY:
        return same_shape(t, d) || check_critic(m, t, t->a->shape, d);
    case GAN_TERM_R1:
        return check_critic(m, t, t->a->shape, d);
    case GAN_TERM_L1:
    case GAN_TERM_L2:
        return same_shape(t, d);
    default: {
        const gan_var *lab = &m->vars[t->labels];
        if (lab->kind != GAN_VAR_LABEL && lab->kind != GAN_VAR_CLASS) {
            gan_error(d, t->pos, "cross_entropy's 'labels' must be a variable of labels or "
                      "classes; '%s' holds %s", lab->name, var_kind_name(lab->kind));
            return -1;
        }
        if (t->a->shape.rank != 1 || t->a->shape.d[0] != lab->classes) {
            char a[64];
            gan_shape_str(t->a->shape, a, sizeof a);
            gan_error(d, t->pos, "cross_entropy takes one logit per class, shape (%d) for "
                      "'%s'; '%s' has shape %s", lab->classes, lab->name, t->a->text, a);
            return -1;
        }
        return 0;
    }
    }
}

/* marks the variables an expression reads */
static void mark_reads(const gan_value *e, char *read)
{
    if (e->kind == GAN_VALUE_VAR)
        read[e->var] = 1;
    for (int i = 0; i < e->n_args; i++)
        mark_reads(e->args[i], read);
}

static void update_reads(const gan_model *m, const gan_update *u, char *read)
{
    memset(read, 0, (size_t)m->n_vars + 1);
    for (int t = 0; t < u->n_terms; t++) {
        const gan_term *tm = &u->terms[t];
        if (tm->a)
            mark_reads(tm->a, read);
        if (tm->b)
            mark_reads(tm->b, read);
        for (int k = 0; k < tm->n_with; k++)
            mark_reads(tm->with[k], read);
        if (tm->labels >= 0)
            read[tm->labels] = 1;
    }
    /* labels come with the rows of their data */
    for (int v = 0; v < m->n_vars; v++)
        if (read[v] && m->vars[v].kind == GAN_VAR_LABEL)
            read[m->vars[v].data_var] = 1;
}

/* What each update draws: the variables it reads, in declaration order
 * (labels come with their data); an update on the same batch draws
 * nothing and may read only what the update before it drew. */
static int resolve_draws(gan_model *m, gan_diag *d)
{
    char *read = gan_xcalloc((size_t)m->n_vars + 1, 1);
    int rc = 0, drawer = -1;
    for (int k = 0; k < m->n_updates; k++) {
        gan_update *u = &m->updates[k];
        update_reads(m, u, read);
        if (u->same_batch) {
            char *before = gan_xcalloc((size_t)m->n_vars + 1, 1);
            update_reads(m, &m->updates[drawer], before);
            for (int v = 0; v < m->n_vars; v++)
                if (read[v] && !before[v]) {
                    gan_error(d, u->pos, "update '%s' reads the batch of update '%s' "
                              "(same_batch), which does not draw '%s'", u->name,
                              m->updates[drawer].name, m->vars[v].name);
                    rc = -1;
                }
            free(before);
            continue;
        }
        drawer = k;
        u->draws = gan_xcalloc((size_t)m->n_vars + 1, sizeof *u->draws);
        for (int v = 0; v < m->n_vars; v++)
            if (read[v] && m->vars[v].kind != GAN_VAR_LABEL)
                u->draws[u->n_draws++] = v;
    }
    free(read);
    return rc;
}

/* adds the networks e applies to u->nets, each once */
static void score_nets(gan_update *u, const gan_value *e, int n_nets)
{
    for (int i = 0; i < e->n_args; i++)
        score_nets(u, e->args[i], n_nets);
    if (e->kind != GAN_VALUE_APPLY)
        return;
    for (int i = 0; i < u->n_nets; i++)
        if (u->nets[i] == e->net)
            return;
    if (!u->nets)
        u->nets = gan_xcalloc((size_t)n_nets + 1, sizeof *u->nets);
    u->nets[u->n_nets++] = e->net;
}

/* The score: its terms typed like an update's, reading one data variable
 * alone (the images scored), the networks it applies listed. */
static int check_score(gan_model *m, gan_diag *d)
{
    gan_update *u = m->score;
    int errors0 = d->errors;
    for (int t = 0; t < u->n_terms; t++)
        check_term(m, u, &u->terms[t], d);
    char *read = gan_xcalloc((size_t)m->n_vars + 1, 1);
    update_reads(m, u, read);
    u->draws = gan_xcalloc((size_t)m->n_vars + 1, sizeof *u->draws);
    for (int v = 0; v < m->n_vars; v++) {
        if (!read[v])
            continue;
        if (m->vars[v].kind != GAN_VAR_DATA)
            gan_error(d, u->pos, "the score reads the images it scores alone (a data "
                      "variable); '%s' holds %s", m->vars[v].name,
                      var_kind_name(m->vars[v].kind));
        else
            u->draws[u->n_draws++] = v;
    }
    free(read);
    if (u->n_draws != 1)
        gan_error(d, u->pos, "the score reads one data variable, the images it scores; it "
                  "reads %d", u->n_draws);
    for (int t = 0; t < u->n_terms; t++) {
        score_nets(u, u->terms[t].a, m->n_nets);
        score_nets(u, u->terms[t].b, m->n_nets);
    }
    /* the scorer runs one sample at a time */
    for (int i = 0; i < u->n_nets; i++)
        if (m->net[u->nets[i]].pack > 1)
            gan_error(d, u->pos, "the score applies %s, which judges %d samples at a time "
                      "(pack); a score is computed one sample at a time",
                      m->net[u->nets[i]].role, m->net[u->nets[i]].pack);
    return d->errors > errors0 ? -1 : 0;
}

int gan_check_objective(gan_model *m, gan_diag *d)
{
    int errors0 = d->errors;
    int *trainer = gan_xcalloc((size_t)m->n_nets, sizeof *trainer);
    for (int i = 0; i < m->n_nets; i++)
        trainer[i] = -1;
    for (int k = 0; k < m->n_updates; k++) {
        gan_update *u = &m->updates[k];
        for (int t = 0; t < u->n_terms; t++)
            check_term(m, u, &u->terms[t], d);
        for (int i = 0; i < u->n_nets; i++) {
            int net = u->nets[i];
            if (trainer[net] >= 0)
                gan_error(d, u->pos, "%s is trained by update '%s' already; a network is "
                          "trained by one update", m->net[net].role,
                          m->updates[trainer[net]].name);
            trainer[net] = k;
        }
    }
    free(trainer);
    /* term names are log columns: unique within an update */
    for (int k = 0; k < m->n_updates; k++) {
        gan_update *u = &m->updates[k];
        for (int t = 0; t < u->n_terms; t++)
            for (int s = 0; s < t; s++)
                if (!strcmp(u->terms[t].name, u->terms[s].name))
                    gan_error(d, u->terms[t].pos, "update '%s' has two terms called '%s'; "
                              "tell them apart with 'name'", u->name, u->terms[t].name);
    }
    for (int v = 0; v < m->n_vars; v++)
        if (m->vars[v].kind == GAN_VAR_LATENT && m->vars[v].dist < 0)
            m->vars[v].dist = 0;
    if (m->score)
        check_score(m, d);
    if (d->errors > errors0)
        return -1;
    return resolve_draws(m, d);
}

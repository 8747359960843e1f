/* program.c - lowers the objective into the programs of program.h. */
#include "layer.h"
#include "program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fatal.h"

/* ---- applications --------------------------------------------------------- */

/* One application of a network in a program: computed once, whatever reads it. */
typedef struct {
    char *key;               /* "D(G(z))": the application, whichever output is read */
    const char *name;        /* in generated code (owned by the graph) */
    int net;
    int *outs;               /* node of each output of the network */
} app_entry;

typedef struct {
    char *key;               /* the shared application */
    int output;              /* its output, or -1 for a value inside it */
    int node;                /* in the graph of the update that owns the slots */
} slot_entry;

typedef struct {
    gan_program *p;
    gan_model *m;
    const gan_update *u;
    gan_lower c;
    app_entry *apps;
    int n_apps;
    int *var_node;           /* per variable: its INPUT node, or -1 */
    /* the previous update's step: the applications it shares with the
     * next update come from these saved slots */
    const slot_entry *sub;
    int n_sub, sub_base;
    char **shared;           /* the applications this update shares with the
                              * update before it (their keys) */
    int n_shared;
    const char *loss_tag;    /* the layer name of the term being lowered: its
                              * name when the update has several (function
                              * names: G_step_cycle_a_loss), else "loss" */
} builder;

static char *app_key(const gan_model *m, const gan_value *e)
{
    gan_buf b = { 0 };
    gan_buf_printf(&b, "%s(", m->net[e->net].name);
    for (int i = 0; i < e->n_args; i++)
        gan_buf_printf(&b, "%s%s", i ? ", " : "", e->args[i]->text);
    gan_buf_put(&b, ")");
    return b.s;
}

/* What generated code calls an application: the shorthand's own names
 * (g, real, fake), else the names in its text joined by _ (D_G_z),
 * numbered when two would be the same. */
static const char *app_name(builder *b, const gan_value *e, const char *key)
{
    if (e && e->app)
        return e->app;
    gan_buf s = { 0 };
    gan_buf_put(&s, "");
    for (const char *k = key; *k;) {
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z'))) {
            k++;
            continue;
        }
        const char *st = k;
        while ((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') ||
               *k == '_')
            k++;
        if (k - st == 4 && !strncmp(st, "stop", 4) && *k == '(')
            continue;
        gan_buf_printf(&s, "%s%.*s", s.len ? "_" : "", (int)(k - st), st);
    }
    const char *name = ir_strf(&b->p->g, "%s", s.s);
    for (int n = 2;; n++) {
        int clash = 0;
        for (int i = 0; i < b->n_apps && !clash; i++)
            clash = !strcmp(b->apps[i].name, name);
        if (!clash)
            break;
        name = ir_strf(&b->p->g, "%s_%d", s.s, n);
    }
    gan_buf_free(&s);
    return name;
}

/* Lowers one application of `net` to input nodes in[]; returns the node of
 * each output (malloc'd).  Every application runs in training mode and
 * updates running statistics, as PyTorch's forward passes do, except that
 * of a frozen network: in inference mode (running statistics read, dropout
 * off), as a trained feature extractor is used (SRGAN's content loss). */
static int *apply_net(builder *b, int net_id, const int *in, const char *app)
{
    gan_lower *c = &b->c;
    gan_net *net = &b->m->net[net_id];
    int training = c->training;
    if (net->frozen)
        c->training = 0;
    c->net = net;
    c->update_state = c->training;
    int batch = c->batch;
    c->batch = batch / net->pack;
    int *val = gan_xcalloc((size_t)net->n_layers + (size_t)net->n_inputs, sizeof *val);
    int *packed = val + net->n_layers;   /* each input as the layers see it */
    for (int j = 0; j < net->n_inputs; j++) {
        gan_program *p = b->p;
        p->binds = gan_xrealloc(p->binds, (size_t)p->n_binds + 1, sizeof *p->binds);
        p->binds[p->n_binds++] = (gan_binding){ in[j], net_id, j };
        packed[j] = in[j];
        if (net->pack > 1) {
            /* PacGAN: consecutive samples joined along their first axis */
            ir_set_tag(c->g, net_id, "pack", app, IR_PASS_FORWARD, net->pos.line);
            packed[j] = ir_reshape(c->g, in[j], gan_batch_shape(c->batch,
                                                               gan_net_input_shape(net, j)),
                                   ir_strf(c->g, "%s_packed", net->inputs[j].name));
        }
    }
    for (int oi = 0; oi < net->n_order; oi++) {
        int li = net->order[oi];
        const gan_layer *l = &net->layers[li];
        int x[IR_MAX_IN];
        for (int k = 0; k < l->n_inputs; k++)
            x[k] = l->inputs[k] < 0 ? packed[-1 - l->inputs[k]] : val[l->inputs[k]];
        ir_set_tag(c->g, net_id, l->name, app, IR_PASS_FORWARD, l->pos.line);
        val[li] = l->kind->lower(c, l, x, l->n_inputs);
    }
    int *outs = gan_xcalloc((size_t)net->n_outputs, sizeof *outs);
    for (int k = 0; k < net->n_outputs; k++)
        outs[k] = val[net->outputs[k]];
    free(val);
    c->batch = batch;
    c->training = training;
    return outs;
}

static int eval(builder *b, const gan_value *e);

static int is_shared(const builder *b, const char *key)
{
    for (int i = 0; i < b->n_shared; i++)
        if (!strcmp(b->shared[i], key))
            return 1;
    return 0;
}

/* The saved slot of output `output` of shared application `key`, or -1. */
static int sub_slot(const builder *b, const char *key, int output)
{
    for (int i = 0; i < b->n_sub; i++)
        if (b->sub[i].output == output && !strcmp(b->sub[i].key, key))
            return i;
    return -1;
}

static int saved_input(ir_graph *g, ir_shape s, int slot, const char *label)
{
    ir_set_tag(g, -1, "saved", "saved", IR_PASS_FORWARD, 0);
    int x = ir_input(g, GAN_SAVED_EXT + slot, s, label);
    return x;
}

static app_entry *application(builder *b, const gan_value *e)
{
    char *key = app_key(b->m, e);
    for (int i = 0; i < b->n_apps; i++)
        if (!strcmp(b->apps[i].key, key)) {
            free(key);
            return &b->apps[i];
        }
    const gan_net *net = &b->m->net[e->net];
    int *outs;
    const char *name = app_name(b, e, key);
    if (b->sub && sub_slot(b, key, 0) >= 0) {
        /* computed by the next update's forward program */
        outs = gan_xcalloc((size_t)net->n_outputs, sizeof *outs);
        for (int k = 0; k < net->n_outputs; k++) {
            int s = sub_slot(b, key, k);
            const gan_layer *l = &net->layers[net->outputs[k]];
            ir_shape shape = gan_batch_shape(b->c.batch / net->pack, l->out);
            outs[k] = s < 0 ? -1 : saved_input(&b->p->g, shape, b->sub_base + s,
                                               ir_strf(&b->p->g, "%s_%s", name, l->name));
        }
    } else {
        int in[IR_MAX_IN > 64 ? IR_MAX_IN : 64];
        int *args = e->n_args > 64 ? gan_xcalloc((size_t)e->n_args, sizeof *args) : in;
        for (int i = 0; i < e->n_args; i++)
            args[i] = eval(b, e->args[i]);
        outs = apply_net(b, e->net, args, name);
        if (args != in)
            free(args);
    }
    b->apps = gan_xrealloc(b->apps, (size_t)b->n_apps + 1, sizeof *b->apps);
    b->apps[b->n_apps] = (app_entry){ key, name, e->net, outs };
    return &b->apps[b->n_apps++];
}

static int variable(builder *b, int v)
{
    if (b->var_node[v] >= 0)
        return b->var_node[v];
    gan_program *p = b->p;
    const gan_var *var = &b->m->vars[v];
    ir_set_tag(&p->g, -1, "input", "input", IR_PASS_FORWARD, 0);
    p->arg_names = gan_xrealloc(p->arg_names, (size_t)p->n_args + 1, sizeof *p->arg_names);
    p->arg_var = gan_xrealloc(p->arg_var, (size_t)p->n_args + 1, sizeof *p->arg_var);
    p->arg_names[p->n_args] = var->name;
    p->arg_var[p->n_args] = v;
    b->var_node[v] = ir_input(&p->g, p->n_args++, gan_batch_shape(b->c.batch, var->shape),
                              var->name);
    return b->var_node[v];
}

static int eval(builder *b, const gan_value *e)
{
    switch (e->kind) {
    case GAN_VALUE_VAR: return variable(b, e->var);
    case GAN_VALUE_STOP: {
        int x = eval(b, e->args[0]);
        ir_set_tag(&b->p->g, -1, "loss", "loss", IR_PASS_LOSS, e->pos.line);
        return ir_unary(&b->p->g, IR_STOP, x, 0, NULL);
    }
    default: {
        app_entry *a = application(b, e);
        if (a->outs[e->output] < 0)
            gan_internal("program.c", "output %d of the shared application %s has no saved "
                         "slot", e->output, a->key);
        return a->outs[e->output];
    }
    }
}

/* ---- terms ---------------------------------------------------------------- */

/* The critic applied to x and the term's other inputs: an application of
 * its own (a penalty differentiates it at x). */
static int critic_at(builder *b, const gan_term *t, int x, const char *name)
{
    const gan_net *c = &b->m->net[t->critic];
    int in[IR_MAX_IN > 64 ? IR_MAX_IN : 64];
    int *args = c->n_inputs > 64 ? gan_xcalloc((size_t)c->n_inputs, sizeof *args) : in;
    args[0] = x;
    for (int k = 0; k < t->n_with; k++)
        args[k + 1] = eval(b, t->with[k]);
    int *outs = apply_net(b, t->critic, args, name);
    int score = outs[0];
    free(outs);
    if (args != in)
        free(args);
    return score;
}

/* |d sum(score) / d x|^2 per sample: shape (batch, 1, ...) */
static int input_grad_sq(ir_graph *g, int score, int x, const char *tag)
{
    int total = ir_sum_to(g, score, ir_shape1(1));
    int gx;
    ir_gradients(g, total, &x, 1, &gx);
    ir_set_tag(g, -1, tag, "loss", IR_PASS_LOSS, 0);
    ir_shape per = g->n[x].shape;
    for (int k = 1; k < per.rank; k++)
        per.d[k] = 1;
    if (gx < 0)
        return ir_const(g, 0, per);
    return ir_sum_to(g, ir_binary(g, IR_MUL, gx, gx, NULL), per);
}

/* WGAN-GP: interpolates u a + (1 - u) b with u uniform per sample, and
 * (|grad critic there| - 1)^2 (the 1e-12 keeps the root's gradient
 * finite where the gradient vanishes). */
static int gradient_penalty(builder *b, const gan_term *t, int salt)
{
    ir_graph *g = &b->p->g;
    int a = eval(b, t->a), c = eval(b, t->b);
    ir_shape full = g->n[a].shape, per = full;
    for (int k = 1; k < per.rank; k++)
        per.d[k] = 1;
    ir_set_tag(g, -1, b->loss_tag, "loss", IR_PASS_LOSS, t->pos.line);
    int u = ir_broadcast(g, ir_uniform(g, per, salt), full);
    int mix = ir_binary(g, IR_ADD, ir_binary(g, IR_MUL, u, a, NULL),
                        ir_binary(g, IR_MUL, ir_unary(g, IR_ADDS, ir_unary(g, IR_NEG, u, 0, NULL),
                                                     1.0f, NULL), c, NULL), "interpolates");
    int score = critic_at(b, t, mix, "interpolates");
    int sq = input_grad_sq(g, score, mix, b->loss_tag);
    int gap = ir_unary(g, IR_ADDS, ir_unary(g, IR_SQRT, ir_unary(g, IR_ADDS, sq, 1e-12f, NULL),
                                            0, NULL), -1.0f, NULL);
    return gan_loss_mean(g, ir_binary(g, IR_MUL, gap, gap, NULL), "gradient_penalty");
}

static int r1_penalty(builder *b, const gan_term *t)
{
    ir_graph *g = &b->p->g;
    int x = eval(b, t->a);
    int score = critic_at(b, t, x, "r1");
    return gan_loss_mean(g, input_grad_sq(g, score, x, b->loss_tag), "r1");
}

static int lower_term(builder *b, const gan_term *t, int index)
{
    ir_graph *g = &b->p->g;
    int a = -1, c = -1;
    switch (t->kind) {
    case GAN_TERM_ADVERSARIAL:
        if (t->a)
            a = eval(b, t->a);
        if (t->b)
            c = eval(b, t->b);
        ir_set_tag(g, -1, b->loss_tag, "loss", IR_PASS_LOSS, t->pos.line);
        return gan_loss_adversarial(g, t, a, c, b->m->shorthand);
    case GAN_TERM_GRADIENT_PENALTY:
        return gradient_penalty(b, t, index + 1);
    case GAN_TERM_R1:
        return r1_penalty(b, t);
    case GAN_TERM_L1:
    case GAN_TERM_L2:
        a = eval(b, t->a);
        c = eval(b, t->b);
        ir_set_tag(g, -1, b->loss_tag, "loss", IR_PASS_LOSS, t->pos.line);
        return gan_loss_distance(g, t, a, c);
    default:
        a = eval(b, t->a);
        c = variable(b, t->labels);
        ir_set_tag(g, -1, b->loss_tag, "loss", IR_PASS_LOSS, t->pos.line);
        return gan_loss_cross_entropy(g, a, c, b->m->vars[t->labels].classes);
    }
}

/* ---- the update's graph --------------------------------------------------- */

static void collect_apps(const gan_value *e, const gan_value ***list, int *n)
{
    if (!e)
        return;
    for (int i = 0; i < e->n_args; i++)
        collect_apps(e->args[i], list, n);
    if (e->kind == GAN_VALUE_APPLY) {
        *list = gan_xrealloc(*list, (size_t)*n + 1, sizeof **list);
        (*list)[(*n)++] = e;
    }
}

/* Every application an update's terms write, inner ones first; the
 * networks its penalties apply on their own are marked in own_apps. */
static int update_apps(const gan_update *u, const gan_value ***list, char *own_apps)
{
    int n = 0;
    for (int t = 0; t < u->n_terms; t++) {
        const gan_term *tm = &u->terms[t];
        collect_apps(tm->a, list, &n);
        collect_apps(tm->b, list, &n);
        for (int k = 0; k < tm->n_with; k++)
            collect_apps(tm->with[k], list, &n);
        if (tm->critic >= 0)
            own_apps[tm->critic] = 1;
    }
    return n;
}

static int trains(const gan_update *u, int net)
{
    for (int i = 0; i < u->n_nets; i++)
        if (u->nets[i] == net)
            return 1;
    return 0;
}

/* 1 when e is made of variables and applications in `keys` (under stops) */
static int from_shared(const gan_model *m, const gan_value *e, char **keys, int n)
{
    if (e->kind == GAN_VALUE_VAR)
        return 1;
    for (int i = 0; i < e->n_args; i++)
        if (!from_shared(m, e->args[i], keys, n))
            return 0;
    if (e->kind == GAN_VALUE_STOP)
        return 1;
    char *key = app_key(m, e);
    int found = 0;
    for (int i = 0; i < n && !found; i++)
        found = !strcmp(keys[i], key);
    free(key);
    return found;
}

/* The applications update k shares with update k - 1 (k on its batch):
 * those of networks update k - 1 does not train, on variables and other
 * shared applications, and only of networks all of whose applications in
 * update k are shared (their running statistics are then updated in the
 * forward program alone).  Returns their count; *keys malloc'd. */
static int shared_apps(const gan_model *m, int k, char ***keys)
{
    *keys = NULL;
    if (k == 0 || !m->updates[k].same_batch)
        return 0;
    const gan_update *u = &m->updates[k], *prev = &m->updates[k - 1];
    const gan_value **apps = NULL;
    char *excluded = gan_xcalloc((size_t)m->n_nets, 1);
    int n_apps = update_apps(u, &apps, excluded);
    for (int net = 0; net < m->n_nets; net++)
        excluded[net] |= trains(prev, net);
    int n = 0;
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < n; i++)
            free((*keys)[i]);
        n = 0;
        /* inner applications come first in apps: one pass finds them all */
        for (int i = 0; i < n_apps; i++) {
            const gan_value *e = apps[i];
            if (excluded[e->net] || from_shared(m, e, *keys, n))
                continue;
            int args_ok = 1;
            for (int a = 0; a < e->n_args && args_ok; a++)
                args_ok = from_shared(m, e->args[a], *keys, n);
            if (args_ok) {
                *keys = gan_xrealloc(*keys, (size_t)n + 1, sizeof **keys);
                (*keys)[n++] = app_key(m, e);
            }
        }
        /* a network with an application left out is left out whole */
        for (int i = 0; i < n_apps; i++)
            if (!excluded[apps[i]->net] && !from_shared(m, apps[i], *keys, n)) {
                excluded[apps[i]->net] = 1;
                changed = 1;
            }
    }
    free(apps);
    free(excluded);
    return n;
}

int gan_update_has_forward(const gan_model *m, int k)
{
    char **keys;
    int n = shared_apps(m, k, &keys);
    for (int i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    return n > 0;
}

static void builder_init(builder *b, gan_program *p, gan_model *m, int training)
{
    memset(b, 0, sizeof *b);
    memset(p, 0, sizeof *p);
    ir_init(&p->g);
    b->p = p;
    b->m = m;
    size_t nt = (size_t)(m->n_tensors ? m->n_tensors : 1);
    b->c = (gan_lower){ &p->g, m, NULL, m->train.batch, training, NULL, 0, NULL };
    b->c.param_node = gan_xcalloc(nt, sizeof(int));
    b->c.state_value = gan_xcalloc(nt, sizeof(int));
    p->grad = gan_xcalloc(nt, sizeof(int));
    p->state = gan_xcalloc(nt, sizeof(int));
    for (int i = 0; i < m->n_tensors; i++)
        b->c.param_node[i] = b->c.state_value[i] = p->grad[i] = p->state[i] = -1;
    p->loss = p->out = p->update = -1;
    p->n_tensors = m->n_tensors;
    b->var_node = gan_xcalloc((size_t)m->n_vars + 1, sizeof *b->var_node);
    for (int v = 0; v < m->n_vars; v++)
        b->var_node[v] = -1;
}

static void builder_free(builder *b)
{
    for (int i = 0; i < b->n_apps; i++) {
        free(b->apps[i].key);
        free(b->apps[i].outs);
    }
    free(b->apps);
    for (int i = 0; i < b->n_shared; i++)
        free(b->shared[i]);
    free(b->shared);
    free(b->var_node);
    free(b->c.param_node);
    free(b->c.state_value);
}

/* Each output must be a node of its own that nothing else reads, so that it
 * can be computed straight into its destination: copy the others. */
static void fresh_outputs(gan_program *p, const gan_model *m)
{
    ir_graph *g = &p->g;
    int *uses = gan_xcalloc((size_t)g->count, sizeof *uses);
    for (int x = 0; x < g->count; x++)
        for (int i = 0; i < g->n[x].n_in; i++)
            uses[g->n[x].in[i]]++;
    if (p->loss >= 0)
        uses[p->loss]++;
    int *outs[2] = { p->grad, p->state };
    for (int k = 0; k < 2; k++)
        for (int t = 0; t < m->n_tensors; t++) {
            int x = outs[k][t];
            if (x < 0)
                continue;
            ir_op op = g->n[x].op;
            if (uses[x] || op == IR_INPUT || op == IR_PARAM || op == IR_CONST ||
                op == IR_RESHAPE) {
                const ir_node *n = &g->n[x];
                ir_set_tag(g, n->net, n->layer, n->app, n->pass, n->yaml_line);
                outs[k][t] = ir_copy(g, x, n->label);
            }
            uses[x]++;
        }
    free(uses);
}

/* The whole graph of update k: its terms, its loss, the gradients of the
 * networks it trains, the new running statistics. */
static void build_update(builder *b, int k)
{
    gan_program *p = b->p;
    gan_model *m = b->m;
    ir_graph *g = &p->g;
    const gan_update *u = b->u = &m->updates[k];
    p->update = k;
    p->kind = GAN_PROG_STEP;
    p->name = ir_strf(g, "%s_step", u->name);
    b->n_shared = shared_apps(m, k, &b->shared);
    p->terms = gan_xcalloc((size_t)u->n_terms, sizeof *p->terms);
    p->n_terms = u->n_terms;
    int total = -1;
    for (int t = 0; t < u->n_terms; t++) {
        b->loss_tag = u->n_terms > 1 ? u->terms[t].name : "loss";
        int v = lower_term(b, &u->terms[t], t);
        p->terms[t] = v;
        ir_set_tag(g, -1, "loss", "loss", IR_PASS_LOSS, 0);
        if (u->terms[t].weight != 1.0f)
            v = ir_unary(g, IR_SCALE, v, u->terms[t].weight,
                         ir_strf(g, "weighted_%s", u->terms[t].name));
        total = total < 0 ? v : ir_binary(g, IR_ADD, total, v, NULL);
    }
    /* the shorthand's loss is labelled d_loss / g_loss by its term */
    p->loss = m->shorthand ? total : ir_label(g, total, ir_strf(g, "%s_loss", u->name));
    /* differentiate w.r.t. the parameters of the networks it trains */
    size_t nt = (size_t)(m->n_tensors ? m->n_tensors : 1);
    int *wrt = gan_xcalloc(nt, sizeof *wrt), *idx = gan_xcalloc(nt, sizeof *idx), n = 0;
    for (int t = 0; t < m->n_tensors; t++)
        if (trains(u, m->tensors[t].net) && m->tensors[t].role == GAN_PARAM &&
            b->c.param_node[t] >= 0) {
            wrt[n] = b->c.param_node[t];
            idx[n++] = t;
        }
    int *grads = gan_xcalloc(nt, sizeof *grads);
    ir_gradients(g, p->loss, wrt, n, grads);
    for (int i = 0; i < n; i++)
        p->grad[idx[i]] = grads[i];
    free(grads);
    free(wrt);
    free(idx);
    for (int t = 0; t < m->n_tensors; t++)
        if (b->c.state_value[t] >= 0)
            p->state[t] = b->c.state_value[t];
    fresh_outputs(p, m);
}

/* ---- cutting an update's graph at the end of its shared part -------------- */

static int in_shared_part(const builder *b, const ir_node *n)
{
    if (n->pass != IR_PASS_FORWARD || n->net < 0)
        return 0;
    for (int i = 0; i < b->n_apps; i++)
        if (!strcmp(b->apps[i].name, n->app))
            return is_shared(b, b->apps[i].key);
    return 0;
}

/* The saved slots of the shared part: every output of every shared
 * application first (the update before reads them), then the values
 * inside it that anything else reads, in node order.  Arguments,
 * parameters and constants are available everywhere and never saved; a
 * reshape is a view, its base is saved. */
static int frontier(const builder *b, slot_entry **out)
{
    const gan_program *p = b->p;
    const ir_graph *g = &p->g;
    char *need = gan_xcalloc((size_t)g->count, 1), *live = gan_xcalloc((size_t)g->count, 1);
    char *taken = gan_xcalloc((size_t)g->count, 1);
    *out = NULL;
    int n = 0;
    if (p->loss >= 0)
        live[p->loss] = 1;
    for (int t = 0; t < p->n_tensors; t++) {
        if (p->grad[t] >= 0)
            live[p->grad[t]] = 1;
        if (p->state[t] >= 0)
            live[p->state[t]] = 1;
    }
    for (int x = g->count - 1; x >= 0; x--)
        if (live[x])
            for (int i = 0; i < g->n[x].n_in; i++) {
                live[g->n[x].in[i]] = 1;
                if (!in_shared_part(b, &g->n[x]))
                    need[g->n[x].in[i]] = 1;
            }
    for (int x = g->count - 1; x >= 0; x--)
        if (need[x] && in_shared_part(b, &g->n[x]) && g->n[x].op == IR_RESHAPE)
            need[g->n[x].in[0]] = 1;
    for (int i = 0; i < b->n_apps; i++) {
        if (!is_shared(b, b->apps[i].key))
            continue;
        const gan_net *net = &b->m->net[b->apps[i].net];
        for (int k = 0; k < net->n_outputs; k++) {
            int x = b->apps[i].outs[k];
            while (g->n[x].op == IR_RESHAPE && in_shared_part(b, &g->n[x]))
                x = g->n[x].in[0];
            *out = gan_xrealloc(*out, (size_t)n + 1, sizeof **out);
            (*out)[n++] = (slot_entry){ gan_xstrdup(b->apps[i].key), k, x };
            taken[x] = 1;
        }
    }
    for (int x = 0; x < g->count; x++) {
        ir_op op = g->n[x].op;
        if (!taken[x] && need[x] && in_shared_part(b, &g->n[x]) && op != IR_INPUT &&
            op != IR_PARAM && op != IR_CONST && op != IR_RESHAPE) {
            *out = gan_xrealloc(*out, (size_t)n + 1, sizeof **out);
            (*out)[n++] = (slot_entry){ NULL, -1, x };
            taken[x] = 1;
        }
    }
    free(need);
    free(live);
    free(taken);
    return n;
}

static void slots_free(slot_entry *s, int n)
{
    for (int i = 0; i < n; i++)
        free(s[i].key);
    free(s);
}

/* Turns node x into the saved value of slot k. */
static void make_saved_input(ir_graph *g, int x, int k)
{
    ir_node *n = &g->n[x];
    n->op = IR_INPUT;
    n->n_in = 0;
    n->ext = GAN_SAVED_EXT + k;
}

/* The slots of update k's forward program, from k's whole graph. */
static int forward_slots(gan_model *m, int k, slot_entry **slots)
{
    gan_program p;
    builder b;
    builder_init(&b, &p, m, 1);
    build_update(&b, k);
    int n = frontier(&b, slots);
    /* the slots name nodes of this graph: only their keys and outputs are used */
    builder_free(&b);
    gan_program_free(&p);
    return n;
}

void gan_program_step(gan_program *p, gan_model *m, int update, int saved_base_next,
                      int saved_base_own)
{
    builder b;
    builder_init(&b, p, m, 1);
    slot_entry *next = NULL;
    int n_next = 0;
    if (update + 1 < m->n_updates && gan_update_has_forward(m, update + 1)) {
        n_next = forward_slots(m, update + 1, &next);
        b.sub = next;
        b.n_sub = n_next;
        b.sub_base = saved_base_next;
    }
    build_update(&b, update);
    if (b.n_shared) {
        /* starts from the saved values; the shared networks' running
         * statistics were updated by the forward program */
        slot_entry *own;
        int n = frontier(&b, &own);
        for (int k = 0; k < n; k++)
            make_saved_input(&p->g, own[k].node, saved_base_own + k);
        for (int t = 0; t < m->n_tensors; t++)
            for (int i = 0; i < b.n_apps; i++)
                if (m->tensors[t].net == b.apps[i].net && is_shared(&b, b.apps[i].key))
                    p->state[t] = -1;
        slots_free(own, n);
    }
    slots_free(next, n_next);
    builder_free(&b);
}

void gan_program_forward(gan_program *p, gan_model *m, int update, int saved_base)
{
    builder b;
    builder_init(&b, p, m, 1);
    build_update(&b, update);
    slot_entry *slots;
    int n = frontier(&b, &slots);
    p->kind = GAN_PROG_FORWARD;
    p->name = ir_strf(&p->g, "%s_forward", m->updates[update].name);
    p->loss = -1;
    free(p->terms);
    p->terms = NULL;
    p->n_terms = 0;
    char *shared_net = gan_xcalloc((size_t)m->n_nets, 1);
    for (int i = 0; i < b.n_apps; i++)
        if (is_shared(&b, b.apps[i].key))
            shared_net[b.apps[i].net] = 1;
    for (int t = 0; t < m->n_tensors; t++) {
        p->grad[t] = -1;
        if (!shared_net[m->tensors[t].net])
            p->state[t] = -1;
    }
    free(shared_net);
    p->n_saved = n;
    p->saved_base = saved_base;
    p->saved = gan_xcalloc((size_t)n + 1, sizeof *p->saved);
    for (int k = 0; k < n; k++)
        p->saved[k] = slots[k].node;
    slots_free(slots, n);
    builder_free(&b);
}

void gan_program_generate(gan_program *p, gan_model *m)
{
    builder b;
    builder_init(&b, p, m, 0);
    ir_graph *g = &p->g;
    p->kind = GAN_PROG_GENERATE;
    p->name = "generate";
    const gan_net *net = &m->net[m->gen_net];
    int *in = gan_xcalloc((size_t)net->n_inputs, sizeof *in);
    p->arg_names = gan_xcalloc((size_t)net->n_inputs, sizeof *p->arg_names);
    ir_set_tag(g, -1, "input", "input", IR_PASS_FORWARD, 0);
    for (int j = 0; j < net->n_inputs; j++) {
        p->arg_names[p->n_args] = net->inputs[j].name;
        in[j] = ir_input(g, p->n_args++, gan_batch_shape(m->train.batch, net->inputs[j].shape),
                         net->inputs[j].name);
    }
    int *outs = apply_net(&b, m->gen_net, in, m->shorthand ? "g" : net->name);
    /* a reshape at the output is a view: its base writes `out` (the same
     * floats in the same order) */
    p->out = outs[0];
    while (g->n[p->out].op == IR_RESHAPE)
        p->out = g->n[p->out].in[0];
    ir_op op = g->n[p->out].op;
    if (op == IR_INPUT || op == IR_PARAM || op == IR_CONST)   /* nothing computes it */
        p->out = ir_copy(g, p->out, "out");
    free(outs);
    free(in);
    builder_free(&b);
}

/* One score term per sample: the mean of |a - b| or (a - b)^2 over each
 * sample's values, times its weight, shape (batch, 1). */
static int score_term(builder *b, const gan_term *t)
{
    ir_graph *g = &b->p->g;
    int a = eval(b, t->a), c = eval(b, t->b);
    ir_set_tag(g, -1, b->loss_tag, "loss", IR_PASS_LOSS, t->pos.line);
    int diff = ir_binary(g, IR_SUB, a, c, NULL);
    int v = t->kind == GAN_TERM_L1 ? ir_unary(g, IR_ABS, diff, 0, NULL)
                                   : ir_binary(g, IR_MUL, diff, diff, NULL);
    int batch = b->c.batch;
    long per = ir_numel(g->n[v].shape) / batch;
    v = ir_reshape(g, ir_label(g, v, t->name), ir_shape2(batch, (int)per), NULL);
    int sum = ir_label(g, ir_sum_to(g, v, ir_shape2(batch, 1)), ir_strf(g, "%s_sum", t->name));
    return ir_unary(g, IR_SCALE, sum, t->weight / (float)per, ir_strf(g, "%s_score", t->name));
}

void gan_program_score(gan_program *p, gan_model *m)
{
    builder b;
    builder_init(&b, p, m, 0);
    ir_graph *g = &p->g;
    p->kind = GAN_PROG_SCORE;
    p->name = "score";
    const gan_update *u = m->score;
    int total = -1;
    for (int t = 0; t < u->n_terms; t++) {
        b.loss_tag = u->n_terms > 1 ? u->terms[t].name : "loss";
        int v = score_term(&b, &u->terms[t]);
        total = total < 0 ? v : ir_binary(g, IR_ADD, total, v, "score");
    }
    p->out = total;
    builder_free(&b);
}

void gan_program_free(gan_program *p)
{
    ir_free(&p->g);
    free(p->grad);
    free(p->state);
    free(p->saved);
    free(p->arg_names);
    free(p->arg_var);
    free(p->binds);
    free(p->terms);
    memset(p, 0, sizeof *p);
}

/* program.c - lowers networks into the step graphs of program.h. */
#include "layer.h"
#include "program.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fatal.h"

/* Lowers one application of `net` to input node x; returns its output node.
 * `update` says whether it updates running statistics (as PyTorch does on
 * every forward pass in training mode that we mirror: see gan_program_build). */
static int apply_net(gan_lower *c, gan_net *net, int x, const char *app, int update)
{
    c->net = net;
    c->update_state = update;
    int *val = gan_xcalloc((size_t)net->n_layers, sizeof *val);
    for (int oi = 0; oi < net->n_order; oi++) {
        int li = net->order[oi];
        const gan_layer *l = &net->layers[li];
        int in[IR_MAX_IN];
        for (int k = 0; k < l->n_inputs; k++)
            in[k] = l->inputs[k] < 0 ? x : val[l->inputs[k]];
        ir_set_tag(c->g, net->id, l->name, app, IR_PASS_FORWARD, l->pos.line);
        val[li] = l->kind->lower(c, l, in, l->n_inputs);
    }
    int out = val[net->output];
    free(val);
    return out;
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

static void build_graph(gan_program *p, gan_model *m, int which)
{
    memset(p, 0, sizeof *p);
    ir_init(&p->g);
    ir_graph *g = &p->g;
    int B = m->train.batch;
    gan_lower c = { g, m, NULL, B, which != GAN_PROG_GENERATE, NULL, 0, NULL };
    size_t nt = (size_t)(m->n_tensors ? m->n_tensors : 1);
    c.param_node = gan_xcalloc(nt, sizeof(int));
    c.state_value = gan_xcalloc(nt, sizeof(int));
    p->grad = gan_xcalloc(nt, sizeof(int));
    p->state = gan_xcalloc(nt, sizeof(int));
    for (int i = 0; i < m->n_tensors; i++)
        c.param_node[i] = c.state_value[i] = p->grad[i] = p->state[i] = -1;
    p->loss = p->out = p->grad_net = -1;
    p->n_tensors = m->n_tensors;

    ir_shape zs = ir_shape2(B, m->latent.size);
    ir_shape xs = gan_batch_shape(B, m->data.shape);
    ir_set_tag(g, -1, "input", "input", IR_PASS_FORWARD, 0);
    int real = -1, z;
    if (which == GAN_PROG_D_STEP) {
        p->name = "d_step";
        p->arg_names[p->n_args++] = "real";
        real = ir_input(g, 0, xs, "real");
    } else {
        p->name = which == GAN_PROG_G_STEP ? "g_step" : "generate";
    }
    p->arg_names[p->n_args] = "z";
    z = ir_input(g, p->n_args++, zs, "z");

    /* Running statistics follow PyTorch's DCGAN loop: G runs once per
     * iteration (here: in g_step), D on real and fake data in its step and
     * on fake data in G's step. */
    int fake = apply_net(&c, &m->net[GAN_G], z, "g", which == GAN_PROG_G_STEP);
    p->g_out = fake;
    if (which == GAN_PROG_GENERATE) {
        /* a reshape at the output is a view: its base writes `out` (the
         * same floats in the same order) */
        p->out = fake;
        while (g->n[p->out].op == IR_RESHAPE)
            p->out = g->n[p->out].in[0];
        ir_op op = g->n[p->out].op;
        if (op == IR_INPUT || op == IR_PARAM || op == IR_CONST)   /* nothing computes it */
            p->out = ir_copy(g, p->out, "out");
        free(c.param_node);
        free(c.state_value);
        return;
    }
    int d_real = -1;
    if (real >= 0)
        d_real = apply_net(&c, &m->net[GAN_D], real, "real", 1);
    int d_fake = apply_net(&c, &m->net[GAN_D], fake, "fake", 1);
    ir_set_tag(g, -1, "loss", "loss", IR_PASS_LOSS, 0);
    p->loss = which == GAN_PROG_D_STEP ? gan_loss_d(g, m->loss, d_real, d_fake, B)
                                       : gan_loss_g(g, m->loss, d_fake, B);

    /* differentiate w.r.t. the parameters of the network this step trains */
    p->grad_net = which == GAN_PROG_D_STEP ? GAN_D : GAN_G;
    int *wrt = gan_xcalloc(nt, sizeof *wrt), *idx = gan_xcalloc(nt, sizeof *idx), n = 0;
    for (int t = 0; t < m->n_tensors; t++)
        if (m->tensors[t].net == p->grad_net && m->tensors[t].role == GAN_PARAM &&
            c.param_node[t] >= 0) {
            wrt[n] = c.param_node[t];
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
        if (c.state_value[t] >= 0)
            p->state[t] = c.state_value[t];
    fresh_outputs(p, m);
    free(c.param_node);
    free(c.state_value);
}

/* ---- cutting a step graph at the end of G's forward part ---------------- */

static int is_g_forward(const ir_node *n)
{
    return n->net == GAN_G && n->pass == IR_PASS_FORWARD && !strcmp(n->app, "g");
}

/* The frontier of G's forward part: its nodes that a node outside it
 * reads, in node order with G's output first.  Arguments, parameters and
 * constants are available everywhere and never saved. */
static int frontier(const gan_program *p, int fake, int **out)
{
    const ir_graph *g = &p->g;
    char *need = gan_xcalloc((size_t)g->count, 1), *live = gan_xcalloc((size_t)g->count, 1);
    *out = gan_xcalloc((size_t)g->count + 1, sizeof **out);
    /* live: what the loss, the gradients and the new states depend on */
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
                if (!is_g_forward(&g->n[x]))
                    need[g->n[x].in[i]] = 1;
            }
    /* a reshape is a view: its base is saved and the reshape stays, a view
     * of the saved value, in the programs that read it */
    for (int x = g->count - 1; x >= 0; x--)
        if (need[x] && is_g_forward(&g->n[x]) && g->n[x].op == IR_RESHAPE)
            need[g->n[x].in[0]] = 1;
    /* G's output first: when it is a reshape (a generator ending in
     * reshape or flatten), the value under it, which the reshape views */
    while (g->n[fake].op == IR_RESHAPE)
        fake = g->n[fake].in[0];
    int n = 0;
    (*out)[n++] = fake;
    for (int x = 0; x < g->count; x++) {
        ir_op op = g->n[x].op;
        if (x != fake && need[x] && is_g_forward(&g->n[x]) && op != IR_INPUT &&
            op != IR_PARAM && op != IR_CONST && op != IR_RESHAPE)
            (*out)[n++] = x;
    }
    free(need);
    free(live);
    return n;
}

/* Turns node x into the saved value of slot k: computed by g_forward. */
static void make_saved_input(ir_graph *g, int x, int k)
{
    ir_node *n = &g->n[x];
    n->op = IR_INPUT;
    n->n_in = 0;
    n->ext = GAN_SAVED_EXT + k;
}

/* g_forward: the G_STEP graph whose outputs are the saved values and G's
 * new running statistics; everything after G is dead. */
static void cut_g_forward(gan_program *p, gan_model *m, const int *slot, int n)
{
    p->name = "g_forward";
    p->loss = -1;
    p->grad_net = -1;
    for (int t = 0; t < m->n_tensors; t++) {
        p->grad[t] = -1;
        if (m->tensors[t].net != GAN_G)
            p->state[t] = -1;
    }
    p->n_saved = n;
    p->saved = gan_xcalloc((size_t)n + 1, sizeof *p->saved);
    memcpy(p->saved, slot, (size_t)n * sizeof *slot);
}

void gan_program_build(gan_program *p, gan_model *m, int which)
{
    if (which == GAN_PROG_GENERATE) {
        build_graph(p, m, which);
        return;
    }
    int *slot, n;
    if (which == GAN_PROG_D_STEP) {
        /* D's step reads G's output and nothing else of G */
        build_graph(p, m, GAN_PROG_D_STEP);
        n = frontier(p, p->g_out, &slot);
        if (n != 1)
            gan_internal("program.c", "d_step reads %d values of G's forward pass, "
                         "expected its output alone", n);
        make_saved_input(&p->g, slot[0], 0);
        p->n_args = 1;   /* real; z is not needed */
        free(slot);
        return;
    }
    build_graph(p, m, GAN_PROG_G_STEP);
    n = frontier(p, p->g_out, &slot);
    if (which == GAN_PROG_G_FORWARD) {
        cut_g_forward(p, m, slot, n);
        free(slot);
        return;
    }
    /* g_step: starts from the saved values; G's running statistics were
     * updated by g_forward */
    for (int k = 0; k < n; k++)
        make_saved_input(&p->g, slot[k], k);
    for (int t = 0; t < m->n_tensors; t++)
        if (m->tensors[t].net == GAN_G)
            p->state[t] = -1;
    free(slot);
}

void gan_program_free(gan_program *p)
{
    ir_free(&p->g);
    free(p->grad);
    free(p->state);
    free(p->saved);
    memset(p, 0, sizeof *p);
}

/* program.c - lowers networks into the step graphs of program.h. */
#include "layer.h"
#include "program.h"

#include <stdlib.h>
#include <string.h>

/* Lowers one application of `net` to input node x; returns its output node. */
static int apply_net(gan_lower *c, gan_net *net, int x, const char *app)
{
    int *val = malloc(sizeof(int) * (size_t)net->n_layers);
    if (!val)
        abort();
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

void gan_program_build(gan_program *p, gan_model *m, int which)
{
    memset(p, 0, sizeof *p);
    ir_init(&p->g);
    ir_graph *g = &p->g;
    int B = m->train.batch;
    gan_lower c = { g, m, NULL, B, which != GAN_PROG_GENERATE, NULL };
    c.param_node = malloc(sizeof(int) * (size_t)(m->n_tensors ? m->n_tensors : 1));
    p->grad = malloc(sizeof(int) * (size_t)(m->n_tensors ? m->n_tensors : 1));
    if (!c.param_node || !p->grad)
        abort();
    for (int i = 0; i < m->n_tensors; i++)
        c.param_node[i] = p->grad[i] = -1;
    p->loss = p->out = p->grad_net = -1;

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

    c.net = &m->net[GAN_G];
    int fake = apply_net(&c, c.net, z, "g");
    if (which == GAN_PROG_GENERATE) {
        p->out = fake;
        free(c.param_node);
        return;
    }
    c.net = &m->net[GAN_D];
    int d_real = -1;
    if (real >= 0)
        d_real = apply_net(&c, c.net, real, "real");
    int d_fake = apply_net(&c, c.net, fake, "fake");
    ir_set_tag(g, -1, "loss", "loss", IR_PASS_LOSS, 0);
    p->loss = which == GAN_PROG_D_STEP ? gan_loss_d(g, m->loss, d_real, d_fake, B)
                                       : gan_loss_g(g, m->loss, d_fake, B);

    /* differentiate w.r.t. the parameters of the network this step trains */
    p->grad_net = which == GAN_PROG_D_STEP ? GAN_D : GAN_G;
    int wrt[4096], idx[4096], n = 0;
    for (int t = 0; t < m->n_tensors && n < 4096; t++)
        if (m->tensors[t].net == p->grad_net && m->tensors[t].role == GAN_PARAM &&
            c.param_node[t] >= 0) {
            wrt[n] = c.param_node[t];
            idx[n++] = t;
        }
    int grads[4096];
    ir_gradients(g, p->loss, wrt, n, grads);
    for (int i = 0; i < n; i++)
        p->grad[idx[i]] = grads[i];
    free(c.param_node);
}

void gan_program_free(gan_program *p)
{
    ir_free(&p->g);
    free(p->grad);
    memset(p, 0, sizeof *p);
}

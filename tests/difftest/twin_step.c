/* tests/difftest/twin_step.c - the reference emission again, in double
 * precision, replayed against its own float32 dump: a measure of how far
 * float32 rounding moves each value of this model.
 *
 *   twin_step REF.safetensors OUT.safetensors
 *
 * Linked with the plain emission's train.c, both compiled with float
 * defined as double and the float math functions as their double versions
 * (tests/difftest.sh: TWIN_FLAGS); twin_io.c, compiled as usual, reads and
 * writes the dumps.  REF is tests/parity/dump_step.c's dump of the same
 * train.c in float32.  Every stage starts from REF's values, widened: the
 * parameters, states and inputs (input.VARIABLE) at the start; after each
 * update, the parameters of the networks it trains (REF's after.: each
 * network is trained by one update at most); before the second update (the
 * classic model's generator step) the states after the first (REF's mid.);
 * REF's after. before step 2.  So each value the twin computes is what
 * the plain emission computes from the same inputs, rounded only once, when
 * it is stored as float32: REF - OUT is the rounding error of the plain
 * emission's float32, tensor by tensor.  compare.py allows the optimized
 * emission a multiple of it: a model that amplifies rounding (batchnorm
 * over few values, cancelling sums) has a large one, and the comparison
 * does not mistake that for a defect.
 *
 * The twin computes the same function as the float32 code, not an exact
 * one: its constants are the same float literals, its dropout masks the
 * same hashes, and rt_math.h's float tanh is replaced by the C library's
 * (within 1.3 float32 ulp of it).  Writes the tensors dump_step writes,
 * under the same names, running the model's tables (runtime/model/rt_model.h)
 * as dump_step does: each update once, in order, its forward then its step.
 * Leaves out: an update's repeat > 1 (the classic d_steps).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/rt_model.h"
#include "twin_io.h"

enum { STEPS = 2 };

const rt_model *ganc_model(void);

static size_t numel(const rt_tensor_info *t)
{
    size_t n = 1;
    for (int d = 0; d < t->ndim; d++)
        n *= (size_t)t->shape[d];
    return n;
}

/* the array a tensor of `role` lives in: the networks' params (grads = 0),
 * grads (1) or state */
static double *base_of(const rt_model *m, const rt_tensor_info *t, int grads)
{
    const rt_net *n = &m->nets[t->net];
    return t->role == RT_ROLE_STATE ? n->state : grads ? n->grads : n->params;
}

/* REF's prefix+NAME into the tensors of `role` of net `only` (-1: all) */
static void read_role(const rt_model *m, const char *prefix, int only, int role)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->role == role && (only < 0 || t->net == only))
            twin_read(prefix, t->name, base_of(m, t, 0) + t->offset, numel(t));
    }
}

static void add_role(const rt_model *m, const char *prefix, int grads, int only, int role)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->role == role && (only < 0 || t->net == only))
            twin_add(prefix, t->name, base_of(m, t, grads) + t->offset, numel(t), t->ndim,
                     t->shape);
    }
}

/* the shape dump_step gives input.NAME of variable v; returns its ndim */
static int input_shape(const rt_model *m, const rt_var *x, int shape[4])
{
    shape[0] = m->batch;
    shape[1] = (int)x->size;
    if (x->kind != RT_VAR_DATA)
        return 2;
    const rt_data_source *src = &m->sources[x->source];
    for (int d = 0; d < src->sample_ndim; d++)
        shape[d + 1] = src->sample_shape[d];
    return 1 + src->sample_ndim;
}

/* REF's input.NAME into (read = 1) or from (0) every variable */
static void inputs(const rt_model *m, const char *prefix, int read)
{
    for (int v = 0; v < m->n_vars; v++) {
        const rt_var *x = &m->vars[v];
        char name[256];
        int shape[4] = { 0, 0, 0, 0 }, ndim = input_shape(m, x, shape);
        snprintf(name, sizeof name, "input.%s", x->name);
        if (read)
            twin_read(prefix, name, x->buf, (size_t)m->batch * x->size);
        else
            twin_add(prefix, name, x->buf, (size_t)m->batch * x->size, ndim, shape);
    }
}

/* generate on the variables named like its inputs: output.fake */
static void add_output(const rt_model *m)
{
    const double **in = calloc((size_t)m->n_gen_inputs + 1, sizeof *in);
    double *fake = malloc(((size_t)m->batch * m->out_size + 1) * sizeof *fake);
    int shape[4] = { m->batch, 0, 0, 0 };
    if (!in || !fake)
        abort();
    for (int d = 0; d < m->out_ndim; d++)
        shape[d + 1] = m->out_shape[d];
    for (int i = 0; i < m->n_gen_inputs; i++)
        for (int v = 0; v < m->n_vars; v++)
            if (strcmp(m->vars[v].name, m->gen_inputs[i].name) == 0)
                in[i] = m->vars[v].buf;
    m->generate(fake, in);
    twin_add("", "output.fake", fake, (size_t)m->batch * m->out_size, 1 + m->out_ndim, shape);
    free(in);
    free(fake);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s REF.safetensors OUT.safetensors\n", argv[0]);
        return 2;
    }
    const rt_model *m = ganc_model();
    twin_open(argv[1]);
    read_role(m, "before.", -1, RT_ROLE_PARAM);
    read_role(m, "before.", -1, RT_ROLE_STATE);
    add_role(m, "before.", 0, -1, RT_ROLE_PARAM);
    add_role(m, "before.", 0, -1, RT_ROLE_STATE);
    double *loss = calloc((size_t)m->n_updates + 1, sizeof *loss);
    if (!loss)
        abort();

    char last[40] = "before.";
    for (int step = 1; step <= STEPS; step++) {
        char pre[32], name[48];
        snprintf(pre, sizeof pre, step == 1 ? "" : "step%d.", step);
        inputs(m, pre, 1);
        if (step == 1)
            add_output(m);
        read_role(m, last, -1, RT_ROLE_PARAM);
        read_role(m, last, -1, RT_ROLE_STATE);
        snprintf(last, sizeof last, "%safter.", pre);
        for (int u = 0; u < m->n_updates; u++) {
            const rt_update *up = &m->updates[u];
            if (up->forward)
                up->forward();
            loss[u] = up->step();
            snprintf(name, sizeof name, "%sgrad.", pre);
            for (int k = 0; k < up->n_nets; k++)
                add_role(m, name, 1, up->nets[k], RT_ROLE_PARAM);
            if (u == 0) {
                snprintf(name, sizeof name, "%smid.", pre);
                add_role(m, name, 0, -1, RT_ROLE_STATE);
                read_role(m, name, -1, RT_ROLE_STATE);
            }
            for (int k = 0; k < up->n_nets; k++)
                read_role(m, last, up->nets[k], RT_ROLE_PARAM);
        }
        add_role(m, last, 0, -1, RT_ROLE_PARAM);
        add_role(m, last, 0, -1, RT_ROLE_STATE);
        inputs(m, pre, 0);
        printf("twin_step %s step %d: loss", m->model_name, step);
        for (int u = 0; u < m->n_updates; u++) {
            snprintf(name, sizeof name, "loss.%s", m->updates[u].name);
            twin_add(pre, name, &loss[u], 1, 0, NULL);
            printf(" %s %.9f", m->updates[u].name, loss[u]);
        }
        printf("\n");
    }
    twin_write(argv[2], m->model_name, argv[1]);
    free(loss);
    return 0;
}

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
 * parameters, states and inputs at the start, the D parameters after D's
 * update (REF's after.) and the states (REF's mid.) before the generator
 * step, REF's after. before step 2.  So each value the twin computes is what
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
 * under the same names.  Leaves out: d_steps > 1.
 */
#include <stdio.h>
#include <stdlib.h>

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

/* REF's prefix+NAME into arrays[net] for the tensors of `role` of net
 * `only` (-1: both) */
static void read_role(const rt_model *m, const char *prefix, double *const arrays[2], int only,
                      int role)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->role == role && (only < 0 || t->net == only))
            twin_read(prefix, t->name, arrays[t->net] + t->offset, numel(t));
    }
}

static void add_role(const rt_model *m, const char *prefix, double *const arrays[2], int only,
                     int role)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->role == role && (only < 0 || t->net == only))
            twin_add(prefix, t->name, arrays[t->net] + t->offset, numel(t), t->ndim, t->shape);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s REF.safetensors OUT.safetensors\n", argv[0]);
        return 2;
    }
    const rt_model *m = ganc_model();
    twin_open(argv[1]);
    read_role(m, "before.", m->params, -1, RT_ROLE_PARAM);
    read_role(m, "before.", m->state, -1, RT_ROLE_STATE);
    add_role(m, "before.", m->params, -1, RT_ROLE_PARAM);
    add_role(m, "before.", m->state, -1, RT_ROLE_STATE);

    const int B = m->batch;
    size_t nreal = (size_t)B * m->sample_size, nz = (size_t)B * (size_t)m->latent_size;
    double *real = malloc(nreal * sizeof *real), *fake = malloc(nreal * sizeof *fake);
    double *z = malloc(nz * sizeof *z);
    if (!real || !fake || !z)
        abort();
    int real_shape[4] = { B, 0, 0, 0 }, z_shape[2] = { B, m->latent_size };
    for (int d = 0; d < m->sample_ndim; d++)
        real_shape[d + 1] = m->sample_shape[d];

    char last[40] = "before.";
    for (int step = 1; step <= STEPS; step++) {
        char pre[32], name[48];
        snprintf(pre, sizeof pre, step == 1 ? "" : "step%d.", step);
        twin_read(pre, "input.real", real, nreal);
        twin_read(pre, "input.z", z, nz);
        if (step == 1) {
            m->generate(fake, z);
            twin_add("", "output.fake", fake, nreal, 1 + m->sample_ndim, real_shape);
        }
        read_role(m, last, m->params, -1, RT_ROLE_PARAM);
        read_role(m, last, m->state, -1, RT_ROLE_STATE);
        m->g_forward(z);
        double dl = m->d_step(real);
        snprintf(name, sizeof name, "%sgrad.", pre);
        add_role(m, name, m->grads, RT_NET_D, RT_ROLE_PARAM);
        snprintf(name, sizeof name, "%smid.", pre);
        add_role(m, name, m->state, -1, RT_ROLE_STATE);
        read_role(m, name, m->state, -1, RT_ROLE_STATE);
        snprintf(last, sizeof last, "%safter.", pre);
        read_role(m, last, m->params, RT_NET_D, RT_ROLE_PARAM);
        double gl = m->g_step(z);
        snprintf(name, sizeof name, "%sgrad.", pre);
        add_role(m, name, m->grads, RT_NET_G, RT_ROLE_PARAM);
        read_role(m, last, m->params, RT_NET_G, RT_ROLE_PARAM);
        add_role(m, last, m->params, -1, RT_ROLE_PARAM);
        add_role(m, last, m->state, -1, RT_ROLE_STATE);
        twin_add(pre, "input.real", real, nreal, 1 + m->sample_ndim, real_shape);
        twin_add(pre, "input.z", z, nz, 2, z_shape);
        twin_add(pre, "loss.d", &dl, 1, 0, NULL);
        twin_add(pre, "loss.g", &gl, 1, 0, NULL);
        printf("twin_step %s step %d: loss D %.9f G %.9f\n", m->model_name, step, dl, gl);
    }
    twin_write(argv[2], m->model_name, argv[1]);
    free(real);
    free(fake);
    free(z);
    return 0;
}

/* tests/difftest/replay_step.c - the adversarial steps of
 * tests/parity/dump_step.c, run again by a second emission of the same model
 * against the first one's dump, so that each stage of the two runs starts
 * from the same values.
 *
 *   replay_step REF.safetensors OUT.safetensors [SEED]
 *
 * Linked with one generated train.c compiled with -DGANC_NO_MAIN, like
 * dump_step; REF is dump_step's dump of the same model and SEED (the
 * reference emission's).  It draws the same parameters, batches and latents
 * from the seed (checked against REF's: a different start is a harness
 * error, exit 2), runs the same calls in the same order and writes the same
 * tensors under the same names (see dump_step.c), with two differences:
 *
 *   - the optimizer updates take REF's gradients, not this run's: Adam's
 *     first step is lr * g / (|g| + eps), so a gradient that is 0 in exact
 *     arithmetic (a bias followed by batchnorm) would turn rounding noise
 *     into a change of up to 2 lr, and every later value would carry it.
 *     The optimizer is runtime code, the same in both runs, so this run's
 *     parameters stay equal to REF's bit for bit unless the generated code
 *     writes into them: tests/difftest/compare.py checks exactly that;
 *   - the state tensors (batchnorm running statistics), which the generated
 *     code writes, are set to REF's at the start of each stage after the
 *     first (mid. before the generator step, after. of step 1 before step
 *     2), so that their rounding does not add up from stage to stage.
 *
 * Every value this run computes is dumped before anything is replaced, so
 * no difference is hidden.  Leaves out: d_steps > 1 (as dump_step --once does).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "core/rt_err.h"
#include "train/rt_optim.h"
#include "formats/rt_safetensors.h"

enum { STEPS = 2, MAX_ENTRIES = 4096 };

static rt_st_entry entries[MAX_ENTRIES];
static size_t n_entries;

static void add(const char *prefix, const char *name, const float *data, size_t n, int ndim,
                const int *shape)
{
    if (n_entries == MAX_ENTRIES) {
        fprintf(stderr, "replay_step: more than %d tensors\n", MAX_ENTRIES);
        exit(1);
    }
    char *nm = malloc(strlen(prefix) + strlen(name) + 1);
    float *d = malloc((n + 1) * sizeof *d);
    int *sh = calloc(4, sizeof *sh);
    if (!nm || !d || !sh)
        abort();
    strcpy(nm, prefix);
    strcat(nm, name);
    memcpy(d, data, n * sizeof *d);
    if (ndim > 0)
        memcpy(sh, shape, (size_t)ndim * sizeof *sh);
    entries[n_entries++] = (rt_st_entry){ nm, d, ndim, sh };
}

static void add_role(const rt_model *m, const char *prefix, float *const arrays[2], int only,
                     int role)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->role == role && (only < 0 || t->net == only))
            add(prefix, t->name, arrays[t->net] + t->offset, harness_numel(t), t->ndim,
                t->shape);
    }
}

/* REF's tensor prefix+NAME into arrays[net] at each tensor of `role` of net
 * `only` (-1: both); exits 2 naming the tensor when REF lacks it */
static void load_role(const rt_model *m, const rt_st *ref, const char *prefix,
                      float *const arrays[2], int only, int role)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->role != role || (only >= 0 && t->net != only))
            continue;
        char name[160];
        rt_err err;
        snprintf(name, sizeof name, "%s%s", prefix, t->name);
        if (rt_st_read_f32(ref, name, arrays[t->net] + t->offset, t->ndim, t->shape, &err)) {
            fprintf(stderr, "replay_step: %s\n", err.msg);
            exit(2);
        }
    }
}

/* exits 2 unless this run's parameters and states start as REF's did */
static void check_start(const rt_model *m, const rt_st *ref)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        const float *own = (t->role == RT_ROLE_STATE ? m->state : m->params)[t->net] + t->offset;
        size_t n = harness_numel(t);
        float *x = malloc(n * sizeof *x);
        char name[160];
        rt_err err;
        snprintf(name, sizeof name, "before.%s", t->name);
        if (!x || rt_st_read_f32(ref, name, x, t->ndim, t->shape, &err)) {
            fprintf(stderr, "replay_step: %s\n", x ? err.msg : "out of memory");
            exit(2);
        }
        if (memcmp(x, own, n * sizeof *x) != 0) {
            fprintf(stderr, "replay_step: %s starts differently from the reference's: not "
                    "the same model and seed\n", t->name);
            exit(2);
        }
        free(x);
    }
}

/* one optimizer step of net with REF's gradients prefix+NAME; ref_grads
 * holds param_count[net] floats, zero between tensors as m->grads is */
static void update(const rt_model *m, const rt_st *ref, rt_optim *opt, float *ref_grads,
                   const char *prefix, int net)
{
    float *grads[2] = { ref_grads, ref_grads };
    memset(ref_grads, 0, m->param_count[net] * sizeof *ref_grads);
    load_role(m, ref, prefix, grads, net, RT_ROLE_PARAM);
    rt_optim_step(opt, m->params[net], ref_grads);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s REF.safetensors OUT.safetensors [SEED]\n", argv[0]);
        return 2;
    }
    const rt_model *m = ganc_model();
    rt_st ref;
    rt_err err;
    if (rt_st_open_file(argv[1], &ref, &err)) {
        fprintf(stderr, "replay_step: %s\n", err.msg);
        return 2;
    }
    rt_rng rng;
    rt_rng_seed(&rng, argc > 3 ? strtoull(argv[3], NULL, 10) : 1);
    harness_init_params(m, &rng);
    check_start(m, &ref);

    const int B = m->batch;
    size_t nreal = (size_t)B * m->sample_size, nz = (size_t)B * (size_t)m->latent_size;
    float *real = malloc(nreal * sizeof *real), *fake = malloc(nreal * sizeof *fake);
    float *z = malloc(nz * sizeof *z);
    size_t most = m->param_count[0] > m->param_count[1] ? m->param_count[0] : m->param_count[1];
    float *ref_grads = malloc((most + 1) * sizeof *ref_grads);
    if (!real || !fake || !z || !ref_grads)
        abort();
    int real_shape[4] = { B, 0, 0, 0 }, z_shape[2] = { B, m->latent_size };
    for (int d = 0; d < m->sample_ndim; d++)
        real_shape[d + 1] = m->sample_shape[d];

    add_role(m, "before.", m->params, -1, RT_ROLE_PARAM);
    add_role(m, "before.", m->state, -1, RT_ROLE_STATE);
    rt_optim opt[2];
    for (int net = 0; net < 2; net++)
        rt_optim_init(&opt[net], &m->optim[net], m->param_count[net]);

    char start[40] = "before.";
    for (int step = 1; step <= STEPS; step++) {
        char pre[32], pname[48];
        snprintf(pre, sizeof pre, step == 1 ? "" : "step%d.", step);
        rt_rng_fill_normal(&rng, real, nreal, 0.0f, 1.0f);
        harness_fill_latent(m, &rng, z);
        if (step == 1) {
            m->generate(fake, z);
            add("", "output.fake", fake, nreal, 1 + m->sample_ndim, real_shape);
        }
        load_role(m, &ref, start, m->state, -1, RT_ROLE_STATE);
        m->g_forward(z);
        float dl = m->d_step(real);
        snprintf(pname, sizeof pname, "%sgrad.", pre);
        add_role(m, pname, m->grads, RT_NET_D, RT_ROLE_PARAM);
        snprintf(pname, sizeof pname, "%smid.", pre);
        add_role(m, pname, m->state, -1, RT_ROLE_STATE);
        snprintf(pname, sizeof pname, "%sgrad.", pre);
        update(m, &ref, &opt[RT_NET_D], ref_grads, pname, RT_NET_D);
        snprintf(start, sizeof start, "%smid.", pre);
        load_role(m, &ref, start, m->state, -1, RT_ROLE_STATE);
        float gl = m->g_step(z);
        add_role(m, pname, m->grads, RT_NET_G, RT_ROLE_PARAM);
        update(m, &ref, &opt[RT_NET_G], ref_grads, pname, RT_NET_G);
        printf("replay_step %s step %d: loss D %.6f G %.6f\n", m->model_name, step, dl, gl);
        snprintf(pname, sizeof pname, "%safter.", pre);
        add_role(m, pname, m->params, -1, RT_ROLE_PARAM);
        add_role(m, pname, m->state, -1, RT_ROLE_STATE);
        add(pre, "input.real", real, nreal, 1 + m->sample_ndim, real_shape);
        add(pre, "input.z", z, nz, 2, z_shape);
        add(pre, "loss.d", &dl, 1, 0, NULL);
        add(pre, "loss.g", &gl, 1, 0, NULL);
        snprintf(start, sizeof start, "%safter.", pre);
    }

    rt_st_kv meta[] = { { "model", m->model_name }, { "replay_of", argv[1] } };
    int rc = rt_st_write(argv[2], entries, n_entries, meta, 2, &err);
    if (rc != 0)
        fprintf(stderr, "replay_step: %s\n", err.msg);

    for (size_t i = 0; i < n_entries; i++) {
        free((void *)entries[i].name);
        free((void *)entries[i].data);
        free((void *)entries[i].shape);
    }
    for (int net = 0; net < 2; net++)
        rt_optim_free(&opt[net]);
    rt_st_close(&ref);
    free(real);
    free(fake);
    free(z);
    free(ref_grads);
    return rc == 0 ? 0 : 1;
}

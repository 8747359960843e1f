/* tests/parity/dump_step.c - training iterations of a generated trainer,
 * dumped for comparison with PyTorch (tests/parity/torch_step.py).
 *
 *   dump_step [--once] OUT.safetensors [SEED]
 *
 * Linked with one generated train.c compiled with -DGANC_NO_MAIN.  From the
 * seed it initialises every parameter (tests/parity/harness.h; the EMA
 * copies start equal to them) and then does what the trainer's loop does
 * (runtime/train/rt_iteration.c), twice: for each update in order, `repeat`
 * times:
 *   draw the variables the update draws (harness.h's distributions: data
 *     ~ N(0,1) and its labels, latents from their prior, classes uniform;
 *     an update on the same batch draws nothing);
 *   set the noise seed (dropout masks, a gradient penalty's interpolation
 *     weights) as the trainer does, from the seed, the step and the
 *     repetition's number in the iteration;
 *   the forward program the next update shares (when there is one: the
 *     classic d runs G once, in training mode), then the step;
 *   rt_optim on each network it trains with the update's spec, the clip,
 *     the EMA.
 * Two iterations, because Adam's first step, lr*g/(|g|+eps), does not
 * depend on beta1 and beta2, and SGD's momentum buffer only matters from
 * the second.  --once runs every update once and leaves the noise seed at
 * 0, as tests/difftest/replay_step.c replays a dump.
 *
 * Names, with the prefix "" for iteration 1 and "step2." for iteration 2,
 * and for each repetition but an update's last the tag UPDATE1., UPDATE2.,
 * ... after it (the last repetition's tag is ""):
 *   before.NAME        every parameter and state tensor at the start
 *   output.fake        the sampler's network in inference mode, on the
 *                      first repetition's draws, before any update;
 *                      output.input.NAME for an input that no variable of
 *                      that draw feeds (drawn for it)
 *   input.VAR          each variable a repetition draws (input.UPDATE.VAR
 *                      when several updates draw VAR); a data variable's
 *                      labels with it
 *   loss.UPDATE, term.UPDATE.TERM (each term before its weight, when the
 *                      update has more than one), grad.NAME of the
 *                      networks it trains; ema.NAME of those with an EMA,
 *                      after the optimizer
 *   TAG after.NAME     (earlier repetitions) the trained networks'
 *                      parameters, after the optimizer and the clip, and
 *   TAG mid.NAME       every state tensor (batchnorm running statistics)
 *   mid.NAME           every state tensor after the first update (the
 *                      classic d step), mid.UPDATE.NAME after each other
 *                      update but the last
 *   after.NAME         every parameter and state tensor at the end
 * For the classic model these are the names dump_step always wrote.
 * The metadata holds "model", "schedule" ("trainer", or "once" for
 * --once) and the noise seed of each repetition, "noise.PREFIX TAG UPDATE"
 * (decimal; only for a model with randomness, not with --once).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_err.h"
#include "formats/rt_safetensors.h"
#include "harness.h"
#include "train/rt_ema.h"
#include "train/rt_frozen.h"
#include "train/rt_optim.h"

enum { STEPS = 2, MAX_ENTRIES = 1024 };

/* The entries to write, each owning a copy of its name, data and shape. */
static rt_st_entry entries[MAX_ENTRIES];
static size_t n_entries;

static int draws_var(const rt_model *m, int u, int v);

static void add(const char *prefix, const char *name, const float *data, size_t n, int ndim,
                const int *shape)
{
    if (n_entries == MAX_ENTRIES) {
        fprintf(stderr, "dump_step: more than %d tensors\n", MAX_ENTRIES);
        exit(1);
    }
    char *nm = malloc(strlen(prefix) + strlen(name) + 1);
    strcpy(nm, prefix);
    strcat(nm, name);
    float *d = malloc((n + 1) * sizeof *d);
    memcpy(d, data, n * sizeof *d);
    int *sh = calloc(4, sizeof *sh);
    if (ndim > 0)
        memcpy(sh, shape, (size_t)ndim * sizeof *sh);
    entries[n_entries++] = (rt_st_entry){ nm, d, ndim, sh };
}

/* prefix + "NAME" for every tensor of `role` of net `only` (-1: all),
 * from the networks' params (grads = 0), grads (1) or state */
static void add_role(const rt_model *m, const char *prefix, int grads, int only, int role)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        const rt_net *n = &m->nets[t->net];
        const float *base = role == RT_ROLE_STATE ? n->state : grads ? n->grads : n->params;
        if (t->role == role && (only < 0 || t->net == only))
            add(prefix, t->name, base + t->offset, harness_numel(t), t->ndim, t->shape);
    }
}

static void add_params(const rt_model *m, const char *prefix, int grads, int only)
{
    add_role(m, prefix, grads, only, RT_ROLE_PARAM);
}

/* The sampler's network on step 1's first draws, before any update:
 * output.fake.  Each input reads the variable of its name when update u
 * (the first) draws it; any other input is drawn here from its own rng
 * (the training rng's sequence is left alone) and dumped as
 * output.input.NAME. */
static void add_output(const rt_model *m, int u)
{
    const float **in = calloc((size_t)m->n_gen_inputs + 1, sizeof *in);
    float **own = calloc((size_t)m->n_gen_inputs + 1, sizeof *own);
    float *fake = malloc((size_t)m->batch * m->out_size * sizeof *fake);
    int shape[4] = { m->batch, 0, 0, 0 };
    rt_rng rng;
    rt_rng_seed(&rng, 0x5a3d1e);
    for (int i = 0; i < m->n_gen_inputs; i++) {
        const rt_input_info *gi = &m->gen_inputs[i];
        in[i] = harness_gen_input(m, i);
        int drawn = 0;
        for (int v = 0; in[i] && v < m->n_vars; v++)
            drawn |= m->vars[v].buf == in[i] && draws_var(m, u, v);
        if (drawn)
            continue;
        rt_var x = { .name = gi->name, .kind = gi->kind, .size = gi->size, .dist = gi->dist,
                     .classes = gi->classes, .labels = -1, .rows_of = -1 };
        x.buf = own[i] = malloc(((size_t)m->batch * gi->size + 1) * sizeof(float));
        const rt_model one = { .batch = m->batch, .vars = &x, .n_vars = 1 };
        harness_draw_vars(&one, &rng);
        in[i] = own[i];
        int sh[4] = { m->batch, (int)gi->size, 0, 0 }, ndim = 2;
        if (gi->kind == RT_VAR_DATA) {
            ndim = 1 + gi->ndim;
            for (int d = 0; d < gi->ndim; d++)
                sh[d + 1] = gi->shape[d];
        }
        char name[256];
        snprintf(name, sizeof name, "output.input.%s", gi->name);
        add("", name, own[i], (size_t)m->batch * gi->size, ndim, sh);
    }
    for (int d = 0; d < m->out_ndim; d++)
        shape[d + 1] = m->out_shape[d];
    m->generate(fake, in);
    add("", "output.fake", fake, (size_t)m->batch * m->out_size, 1 + m->out_ndim, shape);
    for (int i = 0; i < m->n_gen_inputs; i++)
        free(own[i]);
    free(own);
    free(in);
    free(fake);
}

/* ---- the schedule ---- */

/* 1 when update u draws variable v (a LABEL variable: with its data) */
static int draws_var(const rt_model *m, int u, int v)
{
    const rt_update *up = &m->updates[u];
    for (int d = 0; d < up->n_draws; d++)
        if (up->draws[d] == v || m->vars[up->draws[d]].labels == v)
            return 1;
    return 0;
}

/* input.VAR, or input.UPDATE.VAR for a variable that several updates draw */
static void input_name(const rt_model *m, int u, int v, char *out, size_t size)
{
    int drawers = 0;
    for (int k = 0; k < m->n_updates; k++)
        drawers += draws_var(m, k, v);
    if (drawers > 1)
        snprintf(out, size, "input.%s.%s", m->updates[u].name, m->vars[v].name);
    else
        snprintf(out, size, "input.%s", m->vars[v].name);
}

/* one variable as the trainer draws it (a DATA variable fills its labels
 * too), from harness_draw_vars's distributions */
static void draw_var(const rt_model *m, int v, rt_rng *rng)
{
    const rt_var *x = &m->vars[v];
    if (x->kind == RT_VAR_LABEL)
        return;
    const rt_model one = { .batch = m->batch, .vars = (rt_var *)x, .n_vars = 1 };
    harness_draw_vars(&one, rng);
    if (x->kind == RT_VAR_DATA && x->labels >= 0) {
        const rt_model lab = { .batch = m->batch, .vars = &m->vars[x->labels], .n_vars = 1 };
        harness_draw_vars(&lab, rng);
    }
}

/* the variables update u draws, drawn and dumped as PREFIX input.* */
static void draw_update(const rt_model *m, int u, rt_rng *rng, const char *prefix)
{
    const rt_update *up = &m->updates[u];
    for (int d = 0; d < up->n_draws; d++)
        draw_var(m, up->draws[d], rng);
    for (int v = 0; v < m->n_vars; v++)
        if (draws_var(m, u, v)) {
            const rt_var *x = &m->vars[v];
            int shape[4] = { m->batch, (int)x->size, 0, 0 }, ndim = 2;
            if (x->kind == RT_VAR_DATA) {
                const rt_data_source *src = &m->sources[x->source];
                ndim = 1 + src->sample_ndim;
                for (int d = 0; d < src->sample_ndim; d++)
                    shape[d + 1] = src->sample_shape[d];
            }
            char name[256];
            input_name(m, u, v, name, sizeof name);
            add(prefix, name, x->buf, (size_t)m->batch * x->size, ndim, shape);
        }
}

/* the trainer's noise seed of one repetition (rt_iteration.c's set_noise) */
static uint64_t noise_of(uint64_t seed, long step, int call)
{
    uint64_t h = seed * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)step << 8 | (uint64_t)call);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    return h;
}

/* metadata pairs, owned here */
static rt_st_kv meta[MAX_ENTRIES];
static size_t n_meta;

static void add_meta(const char *key, const char *value)
{
    if (n_meta == MAX_ENTRIES) {
        fprintf(stderr, "dump_step: more than %d metadata entries\n", MAX_ENTRIES);
        exit(1);
    }
    char *k = malloc(strlen(key) + 1), *v = malloc(strlen(value) + 1);
    strcpy(k, key);
    strcpy(v, value);
    meta[n_meta++] = (rt_st_kv){ k, v };
}

/* WGAN's weight clipping, as rt_iteration.c clips */
static void clip(const rt_net *net, float c)
{
    for (size_t i = 0; i < net->param_count; i++)
        net->params[i] = net->params[i] > c ? c : net->params[i] < -c ? -c : net->params[i];
}

/* prefix + "ema." + NAME of every parameter of net `only` */
static void add_ema(const rt_model *m, const char *prefix, int only)
{
    const rt_net *n = &m->nets[only];
    char pre[200];
    snprintf(pre, sizeof pre, "%sema.", prefix);
    for (size_t i = 0; n->ema && i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->role == RT_ROLE_PARAM && t->net == only)
            add(pre, t->name, n->ema + t->offset, harness_numel(t), t->ndim, t->shape);
    }
}

/* One repetition of update u: draw, forward, step, optimizer, clip, EMA;
 * its tensors named with the step's prefix `pre` and `tag` ("" for the
 * update's last repetition). */
static void run_call(const rt_model *m, rt_optim *opt, rt_rng *rng, int u, const char *pre,
                     const char *tag, int output, float *loss)
{
    const rt_update *up = &m->updates[u];
    char cp[160], name[256];
    snprintf(cp, sizeof cp, "%s%s", pre, tag);
    draw_update(m, u, rng, cp);
    if (output)
        add_output(m, u);
    if (up->forward)
        up->forward();
    *loss = up->step();
    snprintf(name, sizeof name, "%sgrad.", cp);
    for (int k = 0; k < up->n_nets; k++)
        add_params(m, name, 1, up->nets[k]);
    snprintf(name, sizeof name, "loss.%s", up->name);
    add(cp, name, loss, 1, 0, NULL);
    for (int j = 0; up->n_terms > 1 && j < up->n_terms; j++) {
        snprintf(name, sizeof name, "term.%s.%s", up->name, up->term_names[j]);
        add(cp, name, &up->term_values[j], 1, 0, NULL);
    }
    for (int k = 0; k < up->n_nets; k++) {
        const rt_net *net = &m->nets[up->nets[k]];
        rt_optim_step(&opt[up->nets[k]], net->params, net->grads);
        if (up->clip > 0)
            clip(net, up->clip);
        rt_ema_update(net);
        add_ema(m, cp, up->nets[k]);
    }
}

int main(int argc, char **argv)
{
    int once = argc > 1 && !strcmp(argv[1], "--once");
    if (argc - once < 2 || argc - once > 3) {
        fprintf(stderr, "usage: %s [--once] OUT.safetensors [SEED]\n", argv[0]);
        return 2;
    }
    const char *out = argv[1 + once];
    uint64_t seed = argc - once > 2 ? strtoull(argv[2 + once], NULL, 10) : 1;
    const rt_model *m = ganc_model();
    rt_rng rng;
    rt_rng_seed(&rng, seed);
    harness_init_params(m, &rng);
    rt_err err;
    if (rt_frozen_load(m, &err) != 0) {   /* as the trainer does, over the values above */
        fprintf(stderr, "dump_step: %s\n", err.msg);
        return 2;
    }
    for (int net = 0; net < m->n_nets; net++)
        rt_ema_start(&m->nets[net]);
    add_meta("model", m->model_name);
    add_meta("schedule", once ? "once" : "trainer");

    add_params(m, "before.", 0, -1);
    add_role(m, "before.", 0, -1, RT_ROLE_STATE);
    rt_optim *opt = calloc((size_t)m->n_nets, sizeof *opt);
    for (int net = 0; net < m->n_nets; net++) {
        int u = harness_trainer_of(m, net);
        if (u >= 0)
            rt_optim_init(&opt[net], &m->updates[u].optim, m->nets[net].param_count);
    }

    float *loss = calloc((size_t)m->n_updates, sizeof *loss);
    for (int step = 1; step <= STEPS; step++) {
        char pre[32], pname[256], tag[96];
        snprintf(pre, sizeof pre, step == 1 ? "" : "step%d.", step);
        int call = 0;
        for (int u = 0; u < m->n_updates; u++) {
            const rt_update *up = &m->updates[u];
            int reps = once ? 1 : up->repeat;
            for (int k = 1; k <= reps; k++) {
                /* earlier repetitions: UPDATE1., UPDATE2., ... */
                if (k < reps)
                    snprintf(tag, sizeof tag, "%s%d.", up->name, k);
                else
                    tag[0] = '\0';
                if (!once && m->noise_seed) {
                    char key[160], value[32];
                    *m->noise_seed = noise_of(seed, step, call);
                    snprintf(key, sizeof key, "noise.%s%s%s", pre, tag, up->name);
                    snprintf(value, sizeof value, "%llu", (unsigned long long)*m->noise_seed);
                    add_meta(key, value);
                }
                call++;
                run_call(m, opt, &rng, u, pre, tag, step == 1 && u == 0 && k == 1, &loss[u]);
                if (k < reps) {
                    snprintf(pname, sizeof pname, "%s%safter.", pre, tag);
                    for (int j = 0; j < up->n_nets; j++)
                        add_params(m, pname, 0, up->nets[j]);
                    snprintf(pname, sizeof pname, "%s%smid.", pre, tag);
                    add_role(m, pname, 0, -1, RT_ROLE_STATE);
                } else if (u + 1 < m->n_updates) {
                    /* mid. after the first update (the classic d), mid.UPDATE.
                     * after the others but the last (after.) */
                    if (u == 0)
                        snprintf(pname, sizeof pname, "%smid.", pre);
                    else
                        snprintf(pname, sizeof pname, "%smid.%s.", pre, up->name);
                    add_role(m, pname, 0, -1, RT_ROLE_STATE);
                }
            }
        }
        printf("dump_step %s step %d: loss", m->model_name, step);
        for (int u = 0; u < m->n_updates; u++)
            printf(" %s %.6f", m->updates[u].name, loss[u]);
        printf("\n");
        snprintf(pname, sizeof pname, "%safter.", pre);
        add_params(m, pname, 0, -1);
        add_role(m, pname, 0, -1, RT_ROLE_STATE);
    }

    int rc = rt_st_write(out, entries, n_entries, meta, n_meta, &err);
    if (rc != 0)
        fprintf(stderr, "dump_step: %s\n", err.msg);

    for (size_t i = 0; i < n_entries; i++) {
        free((void *)entries[i].name);
        free((void *)entries[i].data);
        free((void *)entries[i].shape);
    }
    for (size_t i = 0; i < n_meta; i++) {
        free((void *)meta[i].key);
        free((void *)meta[i].value);
    }
    for (int net = 0; net < m->n_nets; net++)
        rt_optim_free(&opt[net]);
    free(opt);
    free(loss);
    return rc == 0 ? 0 : 1;
}

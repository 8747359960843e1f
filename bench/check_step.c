/* bench/check_step.c - before any timing, the optimized emission of a model
 * against its plain emission (`ganc build --plain`: rolled loops, nothing
 * fused, no BLAS) on the same inputs from the same weights.
 *
 *   check_step [--grad-rtol R] [--verbose]
 *
 * Linked with three generated train.c files, each compiled with
 * -DGANC_NO_MAIN and its exported ganc_model renamed (objcopy
 * --redefine-sym): ganc_model_plain, ganc_model_opt (the portable build)
 * and ganc_model_native (--native).  The weights come from
 * tests/parity/harness.h (each tensor from its init spec, constant tensors
 * perturbed, so no gradient is a symmetric special case), and one iteration
 * runs as in bench/steptime.c: generate (inference) on the variables, then
 * each update once: its forward, its step, its optimizer (for the classic
 * model: G forward, the d step, Adam on D, the g step, Adam on G).
 * Compared, with the plain emission as the reference p and the optimized
 * one as x:
 *
 *   output.fake (generate), loss.UPDATE, mid.* (running statistics after
 *     the first update): max|x - p| <= 1e-4 * max|p| + 1e-7
 *   grad.* (every gradient of both networks):
 *     max|x - p| <= R * max(max|p|, 1e-2 * largest |p| of that network's
 *     gradients) + 1e-7, R = --grad-rtol (default 1e-3).  The floor is
 *     tests/parity's: a gradient that is 0 in exact arithmetic (a bias
 *     before batchnorm) holds only rounding.  The DCGAN needs R ~ 1e-2
 *     (tests/parity.sh: its float32 G gradients are only that good).
 *   after.* (parameters after Adam), elementwise:
 *     |x - p| <= 2.5 lr + 1e-6 |p|: Adam's first step is lr * g/(|g| + eps),
 *     about lr in size whatever g is, so gradients that are rounding noise
 *     may step either way; a wrong update is still caught.
 *
 * Prints one summary line per optimized build (and the per-tensor table
 * with --verbose or on failure); exits 1 if any tensor is out of bounds,
 * 2 on usage errors.  tests/parity.sh compares both emissions with PyTorch;
 * this is the quick guard that the code being timed is the code tested.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "train/rt_optim.h"

const rt_model *ganc_model_plain(void);
const rt_model *ganc_model_opt(void);
const rt_model *ganc_model_native(void);

enum { MAX_REC = 256 };
enum kind { K_FWD, K_GRAD, K_AFTER };

typedef struct {
    char name[128];
    int kind, net;
    float lr;         /* for K_AFTER */
    float *v;         /* a copy */
    size_t n;
} rec;

typedef struct {
    rec r[MAX_REC];
    int n;
} record;

static void keep(record *rc, const char *prefix, const char *name, int kind, int net, float lr,
                 const float *v, size_t n)
{
    if (rc->n == MAX_REC) {
        fprintf(stderr, "check_step: more than %d tensors\n", MAX_REC);
        exit(1);
    }
    rec *r = &rc->r[rc->n++];
    snprintf(r->name, sizeof r->name, "%s%s", prefix, name);
    r->kind = kind;
    r->net = net;
    r->lr = lr;
    r->n = n;
    r->v = malloc(n * sizeof *r->v);
    if (!r->v) {
        fprintf(stderr, "check_step: out of memory\n");
        exit(1);
    }
    memcpy(r->v, v, n * sizeof *r->v);
}

static void keep_role(record *rc, const rt_model *m, const char *prefix, int grads, int role,
                      int only, int kind)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        const rt_net *n = &m->nets[t->net];
        const float *base = role == RT_ROLE_STATE ? n->state : grads ? n->grads : n->params;
        int u = harness_trainer_of(m, t->net);
        if (t->role == role && (only < 0 || t->net == only))
            keep(rc, prefix, t->name, kind, t->net, u >= 0 ? m->updates[u].optim.lr : 0,
                 base + t->offset, harness_numel(t));
    }
}

/* One iteration of m from its current weights on its variables. */
static void run(const rt_model *m, record *rc)
{
    size_t nfake = (size_t)m->batch * m->out_size;
    float *fake = malloc(nfake * sizeof *fake);
    const float **in = calloc((size_t)m->n_gen_inputs + 1, sizeof *in);
    rt_optim *opt = calloc((size_t)m->n_nets, sizeof *opt);
    for (int net = 0; net < m->n_nets; net++) {
        int u = harness_trainer_of(m, net);
        if (u >= 0)
            rt_optim_init(&opt[net], &m->updates[u].optim, m->nets[net].param_count);
    }
    if (m->set_threads)
        m->set_threads(1);

    for (int i = 0; i < m->n_gen_inputs; i++)
        in[i] = harness_gen_input(m, i);
    m->generate(fake, in);
    keep(rc, "", "output.fake", K_FWD, -1, 0, fake, nfake);
    for (int u = 0; u < m->n_updates; u++) {
        const rt_update *up = &m->updates[u];
        if (up->forward)
            up->forward();
        float l = up->step();
        char name[160];
        snprintf(name, sizeof name, "loss.%s", up->name);
        keep(rc, "", name, K_FWD, -1, 0, &l, 1);
        for (int k = 0; k < up->n_nets; k++)
            keep_role(rc, m, "grad.", 1, RT_ROLE_PARAM, up->nets[k], K_GRAD);
        if (u == 0)
            keep_role(rc, m, "mid.", 0, RT_ROLE_STATE, -1, K_FWD);
        for (int k = 0; k < up->n_nets; k++)
            rt_optim_step(&opt[up->nets[k]], m->nets[up->nets[k]].params,
                          m->nets[up->nets[k]].grads);
    }
    keep_role(rc, m, "after.", 0, RT_ROLE_PARAM, -1, K_AFTER);

    for (int net = 0; net < m->n_nets; net++)
        rt_optim_free(&opt[net]);
    free(opt);
    free(in);
    free(fake);
}

static double max_abs(const float *v, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)v[i]));
    return m;
}

/* Compares x against the reference p; returns the number of failures. */
static int compare(const char *label, const record *x, const record *p, double grad_rtol,
                   int verbose)
{
    double *gmax = calloc((size_t)ganc_model_plain()->n_nets, sizeof *gmax);
    for (int i = 0; i < p->n; i++)
        if (p->r[i].kind == K_GRAD)
            gmax[p->r[i].net] = fmax(gmax[p->r[i].net], max_abs(p->r[i].v, p->r[i].n));
    int bad = 0;
    double worst = -1;
    const char *worst_name = "";
    char table[MAX_REC][200];
    for (int i = 0; i < p->n; i++) {
        const rec *a = &x->r[i], *b = &p->r[i];
        double d = 0, share = 0;
        int ok = strcmp(a->name, b->name) == 0 && a->n == b->n;
        for (size_t j = 0; ok && j < b->n; j++) {
            double e = fabs((double)a->v[j] - (double)b->v[j]);
            if (!isfinite(a->v[j]) || !isfinite(b->v[j]))
                e = INFINITY;
            d = fmax(d, e);
            if (b->kind == K_AFTER)
                share = fmax(share, e / (2.5 * b->lr + 1e-6 * fabs((double)b->v[j])));
        }
        if (b->kind != K_AFTER) {
            double scale = max_abs(b->v, b->n), rtol = 1e-4;
            if (b->kind == K_GRAD) {
                scale = fmax(scale, 1e-2 * gmax[b->net]);
                rtol = grad_rtol;
            }
            share = d / (rtol * scale + 1e-7);
        }
        ok = ok && share <= 1.0;
        if (!ok)
            bad++;
        if (share > worst) {
            worst = share;
            worst_name = b->name;
        }
        snprintf(table[i], sizeof table[i], "  %-44s max|x-p| %.3e  %5.1f%% of tolerance  %s",
                 b->name, d, 100 * share, ok ? "ok" : "OUT OF BOUNDS");
    }
    if (verbose || bad)
        for (int i = 0; i < p->n; i++)
            printf("%s\n", table[i]);
    printf("check_step %s: %s vs plain, %d tensors, %s; closest to its bound: %s at %.1f%%\n",
           ganc_model_plain()->model_name, label, p->n,
           bad ? "DIFFERENT" : "all within tolerance", worst_name, 100 * worst);
    free(gmax);
    return bad;
}

int main(int argc, char **argv)
{
    double grad_rtol = 1e-3;
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--grad-rtol") == 0 && i + 1 < argc)
            grad_rtol = atof(argv[++i]);
        else if (strcmp(argv[i], "--verbose") == 0)
            verbose = 1;
        else {
            fprintf(stderr, "usage: %s [--grad-rtol R] [--verbose]\n", argv[0]);
            return 2;
        }
    }
    const rt_model *p = ganc_model_plain();
    const rt_model *opts[2] = { ganc_model_opt(), ganc_model_native() };
    const char *labels[2] = { "optimized", "optimized --native" };

    rt_rng rng;
    rt_rng_seed(&rng, 1);
    harness_init_params(p, &rng);
    harness_draw_vars(p, &rng);

    /* the optimized models start from the plain one's weights and
     * variables: same plan, so the same tables and array sizes */
    for (int k = 0; k < 2; k++) {
        const rt_model *o = opts[k];
        int same = o->n_tensors == p->n_tensors && o->batch == p->batch &&
                   o->n_nets == p->n_nets && o->n_vars == p->n_vars;
        for (size_t i = 0; same && i < p->n_tensors; i++)
            same = strcmp(o->tensors[i].name, p->tensors[i].name) == 0 &&
                   o->tensors[i].offset == p->tensors[i].offset &&
                   o->tensors[i].role == p->tensors[i].role;
        for (int net = 0; same && net < p->n_nets; net++) {
            const rt_net *a = &o->nets[net], *b = &p->nets[net];
            same = a->param_count == b->param_count && a->state_count == b->state_count;
            if (!same)
                break;
            memcpy(a->params, b->params, b->param_count * sizeof(float));
            if (b->state_count)
                memcpy(a->state, b->state, b->state_count * sizeof(float));
        }
        for (int v = 0; same && v < p->n_vars; v++) {
            same = o->vars[v].size == p->vars[v].size;
            if (same)
                memcpy(o->vars[v].buf, p->vars[v].buf,
                       (size_t)p->batch * p->vars[v].size * sizeof(float));
        }
        if (!same) {
            fprintf(stderr, "check_step: the %s and plain emissions have different tensors\n",
                    labels[k]);
            return 1;
        }
    }

    static record rp, ro[2];
    run(p, &rp);
    int bad = 0;
    for (int k = 0; k < 2; k++) {
        run(opts[k], &ro[k]);
        bad += compare(labels[k], &ro[k], &rp, grad_rtol, verbose);
    }
    return bad ? 1 : 0;
}

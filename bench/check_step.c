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
 * runs as in bench/steptime.c: generate(z) (inference), g_forward(z),
 * d_step(real), Adam on D, g_step(z), Adam on G.  Compared, with the plain
 * emission as the reference p and the optimized one as x:
 *
 *   output.fake (generate), loss.d, loss.g, mid.* (running statistics after
 *     d_step): max|x - p| <= 1e-4 * max|p| + 1e-7
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

static void keep_role(record *rc, const rt_model *m, const char *prefix, float *const arr[2],
                      int role, int only, int kind)
{
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->role == role && (only < 0 || t->net == only))
            keep(rc, prefix, t->name, kind, t->net, m->optim[t->net].lr, arr[t->net] + t->offset,
                 harness_numel(t));
    }
}

/* One iteration of m from its current weights on (real, z). */
static void run(const rt_model *m, const float *real, const float *z, record *rc)
{
    size_t nfake = (size_t)m->batch * m->sample_size;
    float *fake = malloc(nfake * sizeof *fake);
    rt_optim opt[2];
    for (int net = 0; net < 2; net++)
        rt_optim_init(&opt[net], &m->optim[net], m->param_count[net]);
    if (m->set_threads)
        m->set_threads(1);

    m->generate(fake, z);
    keep(rc, "", "output.fake", K_FWD, -1, 0, fake, nfake);
    m->g_forward(z);
    float dl = m->d_step(real);
    keep(rc, "", "loss.d", K_FWD, -1, 0, &dl, 1);
    keep_role(rc, m, "grad.", m->grads, RT_ROLE_PARAM, RT_NET_D, K_GRAD);
    keep_role(rc, m, "mid.", m->state, RT_ROLE_STATE, -1, K_FWD);
    rt_optim_step(&opt[RT_NET_D], m->params[RT_NET_D], m->grads[RT_NET_D]);
    float gl = m->g_step(z);
    keep(rc, "", "loss.g", K_FWD, -1, 0, &gl, 1);
    keep_role(rc, m, "grad.", m->grads, RT_ROLE_PARAM, RT_NET_G, K_GRAD);
    rt_optim_step(&opt[RT_NET_G], m->params[RT_NET_G], m->grads[RT_NET_G]);
    keep_role(rc, m, "after.", m->params, RT_ROLE_PARAM, -1, K_AFTER);

    for (int net = 0; net < 2; net++)
        rt_optim_free(&opt[net]);
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
    double gmax[2] = { 0, 0 };
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
    size_t nreal = (size_t)p->batch * p->sample_size;
    float *real = malloc(nreal * sizeof *real);
    float *z = malloc((size_t)p->batch * (size_t)p->latent_size * sizeof *z);
    rt_rng_fill_normal(&rng, real, nreal, 0.0f, 1.0f);
    harness_fill_latent(p, &rng, z);

    /* the optimized models start from the plain one's weights: same plan,
     * so the same tensor table and array sizes */
    for (int k = 0; k < 2; k++) {
        const rt_model *o = opts[k];
        int same = o->n_tensors == p->n_tensors && o->batch == p->batch;
        for (size_t i = 0; same && i < p->n_tensors; i++)
            same = strcmp(o->tensors[i].name, p->tensors[i].name) == 0 &&
                   o->tensors[i].offset == p->tensors[i].offset &&
                   o->tensors[i].role == p->tensors[i].role;
        for (int net = 0; same && net < 2; net++) {
            same = o->param_count[net] == p->param_count[net] &&
                   o->state_count[net] == p->state_count[net];
            if (!same)
                break;
            memcpy(o->params[net], p->params[net], p->param_count[net] * sizeof(float));
            if (p->state_count[net])
                memcpy(o->state[net], p->state[net], p->state_count[net] * sizeof(float));
        }
        if (!same) {
            fprintf(stderr, "check_step: the %s and plain emissions have different tensors\n",
                    labels[k]);
            return 1;
        }
    }

    static record rp, ro[2];
    run(p, real, z, &rp);
    int bad = 0;
    for (int k = 0; k < 2; k++) {
        run(opts[k], real, z, &ro[k]);
        bad += compare(labels[k], &ro[k], &rp, grad_rtol, verbose);
    }
    free(real);
    free(z);
    return bad ? 1 : 0;
}

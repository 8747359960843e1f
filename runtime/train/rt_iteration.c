/* rt_iteration.c - one training iteration from the model's tables (see
 * rt_run.h): for each update in order whose phase (from, until) holds the
 * iteration, `repeat` times:
 *   draw its variables (rt_draw.h), in order, from the training rng;
 *   set the noise seed from (step, the repetition's number in the iteration);
 *   forward (when the update has one), then step: the loss, the gradients;
 *   check the loss and the trained networks' gradients for NaN and Inf;
 *   one optimizer step per trained network, and its parameters checked;
 *   clip them to [-clip, clip] (clip > 0); update their EMA copies.
 * The classic model (d: draws real then z, forward, step, d_steps times;
 * g: step) uses the rng and the noise seeds exactly as the trainer did
 * before the tables, so it trains to the same bits.
 * A divergence stops before anything is saved, naming what broke.
 */
#include "train/rt_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "train/rt_draw.h"
#include "train/rt_ema.h"

/* A fresh seed for the dropout masks and uniform noise of each step call,
 * derived from the run's seed and the position, so a run is reproducible. */
static void set_noise(rt_run *r, long step, int call)
{
    if (!r->m->noise_seed)
        return;
    uint64_t h = r->o.seed * 0x9e3779b97f4a7c15ULL ^ ((uint64_t)step << 8 | (uint64_t)call);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    *r->m->noise_seed = h;
}

/* 1 when no value is NaN or Inf: an exponent of all ones marks both.
 * Integer bits, so the loop vectorizes without reassociating floats. */
static int all_finite(const float *x, size_t n)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, &x[i], sizeof b);
        bad |= (b & 0x7f800000u) == 0x7f800000u;
    }
    return !bad;
}

/* Where a training run stands when it diverges, for the message. */
static int diverged(rt_run *r, long step, const char *what, rt_err *err)
{
    if (r->last_ckpt)
        return rt_errf(err, "step %ld: %s; training diverged. Nothing was saved after it: the "
                       "last good checkpoint is %s (continue with --resume %s, e.g. after "
                       "lowering the learning rates); losses so far are in %s/log.csv", step,
                       what, r->last_ckpt, r->o.out, r->o.out);
    return rt_errf(err, "step %ld: %s; training diverged before the first checkpoint (try "
                   "lower learning rates); losses so far are in %s/log.csv", step, what,
                   r->o.out);
}

/* Checks network k's gradients (grads = 1) or parameters after an update
 * for NaN or Inf; the error names the tensor and the first bad element. */
static int check_finite(rt_run *r, long step, int k, int grads, rt_err *err)
{
    const rt_model *m = r->m;
    const rt_net *net = &m->nets[k];
    const float *base = grads ? net->grads : net->params;
    if (all_finite(base, net->param_count))
        return 0;
    for (size_t i = 0; i < m->n_tensors; i++) {
        const rt_tensor_info *t = &m->tensors[i];
        if (t->net != k || t->role != RT_ROLE_PARAM)
            continue;
        const float *x = base + t->offset;
        size_t n = rt_tensor_numel(t);
        for (size_t j = 0; j < n; j++)
            if (!isfinite(x[j])) {
                char *what = rt_xmalloc(strlen(t->name) + strlen(net->name) + 96);
                sprintf(what, "%s %s tensor %s has %s at element %zu",
                        grads ? "the gradient of" : "after the update,", net->name, t->name,
                        isnan(x[j]) ? "NaN" : "Inf", j);
                diverged(r, step, what, err);
                free(what);
                return -1;
            }
    }
    return diverged(r, step, "a non-finite value outside every named tensor", err);
}

static int check_loss(rt_run *r, long step, const rt_update *up, float loss, rt_err *err)
{
    if (isfinite(loss))
        return 0;
    char *what = rt_xmalloc(strlen(up->name) + 64);
    sprintf(what, "the %s loss is %g", up->name, (double)loss);
    diverged(r, step, what, err);
    free(what);
    return -1;
}

/* WGAN's weight clipping: every parameter of the network into [-c, c]. */
static void clip(const rt_net *net, float c)
{
    for (size_t i = 0; i < net->param_count; i++)
        net->params[i] = net->params[i] > c ? c : net->params[i] < -c ? -c : net->params[i];
}

/* After the step: the optimizer of each trained network, then its checks,
 * clipping and moving average. */
static int apply(rt_run *r, long step, const rt_update *up, rt_err *err)
{
    for (int k = 0; k < up->n_nets; k++)
        if (check_finite(r, step, up->nets[k], 1, err) != 0)
            return -1;
    for (int k = 0; k < up->n_nets; k++) {
        const rt_net *net = &r->m->nets[up->nets[k]];
        rt_optim_step(&r->opt[up->nets[k]], net->params, net->grads);
        if (check_finite(r, step, up->nets[k], 0, err) != 0)
            return -1;
        if (up->clip > 0)
            clip(net, up->clip);
        rt_ema_update(net);
    }
    return 0;
}

/* Update u, `repeat` times; *call counts the repetitions of the iteration. */
static int run_update(rt_run *r, long step, int u, int *call, rt_err *err)
{
    const rt_model *m = r->m;
    const rt_update *up = &m->updates[u];
    double loss = 0;
    double *terms = rt_xcalloc((size_t)up->n_terms + 1, sizeof *terms);
    int rc = 0;
    for (int rep = 0; rep < up->repeat && rc == 0; rep++) {
        for (int d = 0; d < up->n_draws; d++)
            rt_draw_var(m, up->draws[d], r->data, &r->rng);
        set_noise(r, step, (*call)++);
        if (up->forward)
            up->forward();
        float l = up->step();
        rc = check_loss(r, step, up, l, err);
        if (rc == 0)
            rc = apply(r, step, up, err);
        loss += l;
        for (int j = 0; j < up->n_terms; j++)
            terms[j] += up->term_values[j];
    }
    for (int j = 0; j < up->n_terms; j++)
        terms[j] /= up->repeat;
    if (rc == 0)
        rt_losses_set(&r->losses, u, loss / up->repeat, terms);
    free(terms);
    return rc;
}

/* 1 when update u runs at the iteration that ends at `step` (its phase). */
int rt_update_runs(const rt_update *up, long step)
{
    long i = step - 1;
    return i >= up->from && (up->until <= 0 || i < up->until);
}

int rt_iteration(rt_run *r, long step, rt_err *err)
{
    int call = 0;
    for (int u = 0; u < r->m->n_updates; u++) {
        if (!rt_update_runs(&r->m->updates[u], step)) {
            rt_losses_skip(&r->losses, u);
            continue;
        }
        if (run_update(r, step, u, &call, err) != 0)
            return -1;
    }
    rt_losses_end_iteration(&r->losses);
    return 0;
}

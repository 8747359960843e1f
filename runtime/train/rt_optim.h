/* rt_optim.h - Adam and SGD, numerically like torch.optim (PyTorch 1.13).
 *
 * Adam (no weight decay, no amsgrad):
 *   m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2
 *   p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)
 * which is lr * m_hat / (sqrt(v_hat) + eps), written in torch's order.
 * SGD: without momentum p -= lr*g; with momentum (dampening 0, no nesterov)
 *   buf = momentum*buf + g;  p -= lr*buf   (buf starts at 0, so the first
 *   step sets buf = g exactly like torch).
 * The state (m, v, t) is public so a checkpoint can save and restore it.
 * Leaves out: weight decay, nesterov, amsgrad, schedules, gradient clipping.
 */
#ifndef RT_OPTIM_H
#define RT_OPTIM_H

#include <stddef.h>

#include "model/rt_model.h"

typedef struct {
    rt_optim_spec spec;
    size_t n;     /* number of parameters */
    long t;       /* steps taken so far */
    float *m;     /* Adam first moment / SGD momentum buffer; NULL if unused */
    float *v;     /* Adam second moment; NULL for SGD */
} rt_optim;

/* Allocates zeroed state for n parameters.  The spec must be valid
 * (lr > 0, 0 <= betas < 1, eps >= 0, momentum >= 0): it is asserted. */
void rt_optim_init(rt_optim *o, const rt_optim_spec *spec, size_t n);
/* One update of param[0..n) with grad[0..n). */
void rt_optim_step(rt_optim *o, float *param, const float *grad);
void rt_optim_free(rt_optim *o);

#endif

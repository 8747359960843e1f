/* rt_ema.h - the exponential moving average of a network's parameters
 * (rt_net.ema, rt_model.h), as StyleGAN and BigGAN keep for sampling:
 *   ema = decay * ema + (1 - decay) * params
 * after each optimizer step of the network, in float, one rounding per
 * operation (no FMA contraction: the same bits at every -O and on every
 * x86 CPU).  The copy starts equal to the parameters.  Functions on a
 * network without an EMA copy do nothing.
 * Leaves out: averaging state (the copy uses the network's running
 * statistics as they are), warm-up schedules of the decay.
 */
#ifndef RT_EMA_H
#define RT_EMA_H

#include "model/rt_model.h"

void rt_ema_start(const rt_net *net);    /* ema = params */
void rt_ema_update(const rt_net *net);
/* Exchanges params and ema in place, exactly: twice restores both.  The
 * trainer's pictures run the network on the averaged weights this way. */
void rt_ema_swap(const rt_net *net);

#endif

/* rt_ema.c - moving averages of parameters (see rt_ema.h). */
#include "train/rt_ema.h"

#include <string.h>

#pragma GCC optimize("fp-contract=off")

void rt_ema_start(const rt_net *net)
{
    if (net->ema && net->param_count)
        memcpy(net->ema, net->params, net->param_count * sizeof(float));
}

void rt_ema_update(const rt_net *net)
{
    if (!net->ema)
        return;
    const float d = net->ema_decay, keep = 1.0f - d;
    float *restrict e = net->ema;
    const float *restrict p = net->params;
    for (size_t i = 0; i < net->param_count; i++)
        e[i] = d * e[i] + keep * p[i];
}

void rt_ema_swap(const rt_net *net)
{
    if (!net->ema)
        return;
    for (size_t i = 0; i < net->param_count; i++) {
        float t = net->params[i];
        net->params[i] = net->ema[i];
        net->ema[i] = t;
    }
}

/* rt_ticks.c - nice tick steps, log ticks, the log-scale decision, tick
 * labels (see rt_ticks.h). */
#include "viz/rt_ticks.h"

#include <math.h>
#include <stdio.h>

#include "core/rt_err.h"

/* how many multiples of step lie in [lo, hi] */
static double count_in(double lo, double hi, double step)
{
    return floor(hi / step + 1e-9) - ceil(lo / step - 1e-9) + 1;
}

double rt_nice_step(double lo, double hi, int max_ticks)
{
    rt_assert(lo < hi && max_ticks >= 2);
    static const double mant[] = { 1, 2, 5 };
    double p = pow(10, floor(log10((hi - lo) / max_ticks)));
    for (;; p *= 10)
        for (int i = 0; i < 3; i++)
            if (count_in(lo, hi, mant[i] * p) <= max_ticks)
                return mant[i] * p;
}

int rt_nice_ticks(double lo, double hi, int max_ticks, double *ticks, int cap)
{
    double step = rt_nice_step(lo, hi, max_ticks);
    int n = 0;
    /* k * step, not a running sum, so that 0 is exactly 0 and 0.3 is 3 * 0.1 */
    for (double k = ceil(lo / step - 1e-9); k <= floor(hi / step + 1e-9) && n < cap; k++)
        ticks[n++] = k * step;
    return n;
}

int rt_log_ticks(double lo, double hi, int max_ticks, double *ticks, int cap)
{
    rt_assert(lo > 0 && lo < hi && max_ticks >= 2);
    int k0 = (int)ceil(log10(lo) - 1e-9), k1 = (int)floor(log10(hi) + 1e-9);
    int every = (k1 - k0) / max_ticks + 1, n = 0;
    for (int k = k0; k <= k1 && n < cap; k += every)
        ticks[n++] = pow(10, k);
    return n;
}

int rt_wants_log_scale(double lo, double hi)
{
    return lo > 0 && hi > lo * RT_LOG_SPAN;
}

void rt_tick_label(double v, double step, char *buf, size_t cap)
{
    rt_assert(cap >= 16);
    double mag = fabs(v);
    if (step > 0 && fabs(v) < step * 1e-6)
        v = 0, mag = 0;   /* -0 and rounding noise read "0" */
    if (step <= 0 || mag >= 1e6 || (step < 1e-4 && mag > 0)) {
        snprintf(buf, cap, "%.3g", v);
        return;
    }
    int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    snprintf(buf, cap, "%.*f", decimals, v);
}

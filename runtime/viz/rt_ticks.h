/* rt_ticks.h - where a chart's axis gets its ticks, and what they read.
 *
 * Linear axes: ticks at the multiples of a "nice" step, 1, 2 or 5 x 10^k,
 * the smallest that puts at most max_ticks of them in the range (Heckbert,
 * "Nice numbers for graph labels", Graphics Gems, 1990).  Log axes: ticks
 * at powers of ten, every one or every few decades.  A y axis is drawn on
 * a log scale when every value is above 0 and the largest is more than
 * RT_LOG_SPAN times the smallest (a loss that falls from 10 to 0.01 is a
 * flat line on a linear axis).
 * Labels are as short as the step allows: "0.25" at a step of 0.05,
 * "20000" at 5000, "1e-05" or "1e+06" far from 1.
 * Leaves out: minor ticks, dates, units.
 */
#ifndef RT_TICKS_H
#define RT_TICKS_H

#include <stddef.h>

#define RT_LOG_SPAN 100.0

/* The nice step for ticks in [lo, hi] (lo < hi), at most max_ticks >= 2. */
double rt_nice_step(double lo, double hi, int max_ticks);
/* The ticks k * step in [lo, hi] with step = rt_nice_step: at most cap of
 * them into ticks, in increasing order; returns how many. */
int rt_nice_ticks(double lo, double hi, int max_ticks, double *ticks, int cap);
/* Powers of ten in [lo, hi] (0 < lo < hi), every ceil(decades / max_ticks)
 * decades; returns how many went into ticks (at most cap). */
int rt_log_ticks(double lo, double hi, int max_ticks, double *ticks, int cap);

/* Whether values from lo to hi (the smallest and largest) want a log scale. */
int rt_wants_log_scale(double lo, double hi);

/* The label of tick v on an axis of step `step` (linear) or of powers of
 * ten (step 0); at least 16 bytes of buf. */
void rt_tick_label(double v, double step, char *buf, size_t cap);

#endif

/* rt_report.h - RUN/report.md, a run's report: the model and its
 * settings, how far it got, its last losses, its quality metrics (the last
 * evaluation and the best, rt_eval.h), its curves (curves.png, when the
 * trainer drew them) and its sample pictures over time, each embedded as
 * an image, so any Markdown viewer (or a browser, through a Markdown
 * extension) shows the whole run without a server.  Written atomically at
 * the end of training and when a signal stops it.
 * Leaves out: HTML.
 */
#ifndef RT_REPORT_H
#define RT_REPORT_H

#include "core/rt_err.h"
#include "train/rt_run.h"

/* RUN/report.md for run r after step `ended` (`how`: "finished",
 * "stopped by SIGINT", ...).  0, or -1 with err. */
int rt_report_write(const rt_run *r, long ended, const char *how, rt_err *err);

#endif

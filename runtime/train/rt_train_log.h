/* rt_train_log.h - the losses of a training run and log.csv's columns.
 *
 * log.csv has the columns
 *   step, NAME_loss for each update in order, NAME_TERM for each term of
 *   each update with more than one term (rt_update.term_names), seconds,
 *   and for the 2D mixtures modes, hq_fraction, reverse_kl, and where the
 *   trainer evaluates (rt_eval.h) fd, precision, recall, class_entropy
 *   (and class_accuracy for a conditional network), empty on other rows
 * so the classic model keeps step,d_loss,g_loss,seconds.  An update's
 * loss in one iteration is the mean over its repetitions; a row holds the
 * mean of the iterations since the previous row in which the update ran
 * (the last iteration's when there were none); terms alike.  An update
 * that did not run since the previous row (outside its phase: rt_update's
 * from, until) leaves its fields empty, as log.csv's readers take missing
 * values (rt_table, the curves); its last value is NaN (the progress line,
 * the summary and report.md show "-").
 * Leaves out: the file's lifecycle (rt_train.c: written whole at the start,
 * appended row by row).
 */
#ifndef RT_TRAIN_LOG_H
#define RT_TRAIN_LOG_H

#include <stdio.h>

#include "data/rt_mixture.h"
#include "model/rt_model.h"
#include "train/rt_eval.h"

typedef struct {
    const rt_model *m;
    int n_terms;            /* logged terms: those of updates with n_terms > 1 */
    int *term_at;           /* [n_updates]: the update's first logged term, or -1 */
    double *last, *sum;     /* [n_updates + n_terms]: losses, then terms */
    long n_sum;             /* iterations since the last row */
    long *count;            /* [n_updates + n_terms]: iterations in sum */
    const char **names;     /* [n_updates]: the updates' names, for progress */
} rt_losses;

void rt_losses_init(rt_losses *l, const rt_model *m);
void rt_losses_free(rt_losses *l);
/* Update u's values in this iteration: its mean loss and its terms' means
 * (terms: n_terms values, ignored unless logged). */
void rt_losses_set(rt_losses *l, int u, double loss, const double *terms);
/* Update u did not run in this iteration: its values are NaN. */
void rt_losses_skip(rt_losses *l, int u);
/* Closes an iteration: its values join the sums of the next row. */
void rt_losses_end_iteration(rt_losses *l);

/* log.csv's header line, with its newline; e: the quality metrics' columns
 * when e->on (NULL: none). */
void rt_log_header(FILE *f, const rt_losses *l, int mixture, const rt_eval *e);
/* One row: means since the last row (then cleared), seconds, the
 * mixture's scores when score is not NULL (empty fields when mixture),
 * and e's metrics when they are of this step (empty fields when e->on). */
void rt_log_row(FILE *f, rt_losses *l, long step, double seconds, int mixture,
                const rt_mixture_score *score, const rt_eval *e);

#endif

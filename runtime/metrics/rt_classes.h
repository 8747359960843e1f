/* rt_classes.h - what a classifier's logits say about a set of samples:
 * the spread of the predicted classes (a generator that makes one digit
 * only has entropy 0) and, for a conditional generator, how often the
 * class asked for is the class predicted.
 *
 * A row's predicted class is the argmax of its `classes` logits; a tie goes
 * to the lowest class, and a NaN logit never wins (a row of NaNs is class
 * 0), so a diverged network is scored, not refused.  Softmax is not needed:
 * it keeps the argmax.
 * Leaves out: the Inception Score (it needs the softmax probabilities of
 * every row and their mean, not the argmax), top-k accuracy, per-class
 * accuracy, confusion matrices.
 */
#ifndef RT_CLASSES_H
#define RT_CLASSES_H

#include <stddef.h>

#include "core/rt_err.h"

/* The predicted class of one row of `classes` logits (classes >= 1). */
int rt_class_argmax(const float *logits, int classes);

/* Predicted classes (argmax of `classes` logits per row, rows every stride
 * floats, stride >= classes >= 1): hist[classes] gets each class's share;
 * returns the entropy of that histogram in nats (log(classes) when uniform,
 * 0 when one class).  n = 0: hist all 0, NaN returned. */
double rt_class_entropy(const float *logits, size_t n, size_t stride, int classes, double *hist);

/* Share of rows whose argmax is labels[i] (labels as integers held in
 * floats).  A label that is not an integer in [0, classes) matches no row:
 * check labels from the world with rt_check_class_labels first.  n = 0: NaN. */
double rt_class_accuracy(const float *logits, size_t n, size_t stride, int classes,
                         const float *labels);

/* 0 when every labels[i] is an integer in [0, classes); else -1 with err
 * naming the first row that is not. */
int rt_check_class_labels(const float *labels, size_t n, int classes, rt_err *err);

#endif

/* rt_classes.c - predicted-class entropy and accuracy (see rt_classes.h). */
#include "metrics/rt_classes.h"

#include <math.h>
#include <string.h>

int rt_class_argmax(const float *logits, int classes)
{
    rt_assert(classes >= 1);
    int best = 0;
    float top = -INFINITY;
    for (int c = 0; c < classes; c++)
        if (logits[c] > top) {   /* strictly: ties keep the lower class, NaN never wins */
            top = logits[c];
            best = c;
        }
    return best;
}

double rt_class_entropy(const float *logits, size_t n, size_t stride, int classes, double *hist)
{
    rt_assert(classes >= 1 && stride >= (size_t)classes);
    memset(hist, 0, (size_t)classes * sizeof *hist);
    if (n == 0)
        return NAN;
    for (size_t i = 0; i < n; i++)
        hist[rt_class_argmax(logits + i * stride, classes)] += 1.0;
    double entropy = 0.0;
    for (int c = 0; c < classes; c++) {
        hist[c] /= (double)n;
        if (hist[c] > 0.0)   /* 0 log 0 = 0 */
            entropy -= hist[c] * log(hist[c]);
    }
    return entropy;
}

/* labels[i] as a class, or -1 when it is not an integer in [0, classes) */
static int label_class(float label, int classes)
{
    if (!(label >= 0.0f && label < (float)classes) || label != floorf(label))
        return -1;
    return (int)label;
}

double rt_class_accuracy(const float *logits, size_t n, size_t stride, int classes,
                         const float *labels)
{
    rt_assert(classes >= 1 && stride >= (size_t)classes);
    if (n == 0)
        return NAN;
    size_t right = 0;
    for (size_t i = 0; i < n; i++)
        right += rt_class_argmax(logits + i * stride, classes) == label_class(labels[i], classes);
    return (double)right / (double)n;
}

int rt_check_class_labels(const float *labels, size_t n, int classes, rt_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (label_class(labels[i], classes) < 0)
            return rt_errf(err, "label of row %zu is %g: expected an integer class from 0 to %d",
                           i, (double)labels[i], classes - 1);
    return 0;
}

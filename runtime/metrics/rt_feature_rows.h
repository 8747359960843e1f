/* rt_feature_rows.h - the checks every metric makes of a set of feature
 * rows before it computes anything, so that each reports a bad argument the
 * same way: rows are `dim` floats starting every `stride` floats, and what
 * comes from the world (a file's row count, a network's NaN output) gets a
 * message, never an assertion.
 * Leaves out: what each metric needs besides (k below the rows: see
 * rt_precision_recall.c).
 */
#ifndef RT_FEATURE_ROWS_H
#define RT_FEATURE_ROWS_H

#include <stddef.h>

#include "core/rt_err.h"

/* 0 when the set named `what` ("real", "first set") holds at least
 * min_rows rows, 1 <= dim <= stride, and every one of its n x dim values is
 * finite; else -1 with err naming what is wrong: the row count, the
 * dimension and stride, or the first row and feature that is NaN or
 * infinite.  rows may be NULL when n is 0. */
int rt_check_feature_rows(const char *what, const float *rows, size_t n, size_t stride, int dim,
                          size_t min_rows, rt_err *err);

#endif

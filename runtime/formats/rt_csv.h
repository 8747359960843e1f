/* rt_csv.h - numeric CSV in and out.
 *
 * Reading: comma-separated numbers, one row per line, every row exactly
 * `cols` fields.  The first non-empty line is a header (skipped) if its
 * first field is not a number.  Blank lines are skipped, CRLF and spaces
 * around fields are accepted; NaN and infinities are refused.  Errors name
 * the path, the line, and what was found.
 * Writing: one row per line, "%.9g" (round-trips float32), no header.
 * Leaves out: quoting, other separators, missing values, string columns.
 */
#ifndef RT_CSV_H
#define RT_CSV_H

#include <stddef.h>

#include "core/rt_err.h"

/* On success *data is a new rows*cols array (caller frees) and *rows >= 1. */
int rt_csv_load(const char *path, size_t cols, float **data, size_t *rows, rt_err *err);

/* Writes x (rows*cols floats, row-major) atomically; an optional header
 * line (without newline) is written first when header != NULL. */
int rt_csv_write(const char *path, const float *x, size_t rows, size_t cols,
                 const char *header, rt_err *err);

#endif

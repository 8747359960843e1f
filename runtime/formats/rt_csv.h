/* rt_csv.h - numeric CSV in and out.
 *
 * Reading: comma-separated numbers, one row per line, every row exactly
 * `cols` fields.  The file is text: a NUL byte or bytes that are not UTF-8
 * are refused with their line and column (a binary file, or a text
 * encoding other than UTF-8 or ASCII, would otherwise be read as something
 * else); a UTF-8 byte order mark at the start is skipped.  The first
 * non-empty line is a header (skipped, and its line number reported) if
 * its first field is not a number.  Blank lines are skipped, CRLF and
 * spaces around fields are accepted; NaN and infinities are refused.
 * Lines are at most 1 MiB plus 64 bytes a column, and the rows are
 * checked against the memory there is (rt_mem_check) as they grow.
 * Errors name the path, the line (and column), and what was found.
 * Writing: one row per line, "%.9g" (round-trips float32), no header.
 * Leaves out: quoting, other separators, missing values, string columns.
 */
#ifndef RT_CSV_H
#define RT_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "core/rt_err.h"

/* On success *data is a new rows*cols array (caller frees), *rows >= 1,
 * and *header (when not NULL) the line number of the header line skipped,
 * 0 when the first line was data. */
int rt_csv_load(const char *path, size_t cols, float **data, size_t *rows, size_t *header,
                rt_err *err);

/* Writes x (rows*cols floats, row-major) atomically; an optional header
 * line (without newline) is written first when header != NULL. */
int rt_csv_write(const char *path, const float *x, size_t rows, size_t cols,
                 const char *header, rt_err *err);
/* The rows alone, to f (for output written piece by piece). */
void rt_csv_write_rows(FILE *f, const float *x, size_t rows, size_t cols);

#endif

/* rt_table.h - a CSV table of named numeric columns, as the trainer's
 * log.csv is one: the first line names the columns, every other line holds
 * one number per column or nothing (a missing value: log.csv leaves a
 * mixture's scores empty on rows without a picture).
 *
 * Rules: fields are separated by commas, spaces around them and CRLF line
 * ends are accepted, blank lines skipped.  Names are non-empty and
 * distinct.  Numbers are what strtod reads, finite.  A last line without
 * its newline that holds fewer fields than the header is a row still
 * being written (a trainer appends while ganc plot reads) and is left
 * out; any other line with the wrong number of fields, a field that is
 * not a number, or a NUL byte is an error naming the file, the line and
 * the column.  The whole file is read first (core/rt_file.h: regular files
 * only, its size checked against the memory there is), then the values
 * (checked too).
 * Leaves out: quoting, text columns, other separators.
 */
#ifndef RT_TABLE_H
#define RT_TABLE_H

#include <stddef.h>

#include "core/rt_err.h"

typedef struct {
    int cols;
    char **names;      /* [cols] */
    size_t rows;
    double *v;         /* rows x cols, row by row; NaN where a field is empty */
} rt_table;

/* Reads the file at path.  0 with t filled (rt_table_free it), or -1 with
 * an error that starts with the path (and ":LINE" where a line is to blame). */
int rt_table_read(const char *path, rt_table *t, rt_err *err);
/* The same from text[0, len), named `name` in errors. */
int rt_table_parse(const char *text, size_t len, const char *name, rt_table *t, rt_err *err);
void rt_table_free(rt_table *t);

/* The index of the column called name, or -1. */
int rt_table_column(const rt_table *t, const char *name);
/* Row r's value in column c. */
static inline double rt_table_at(const rt_table *t, size_t r, int c)
{
    return t->v[r * (size_t)t->cols + (size_t)c];
}

#endif

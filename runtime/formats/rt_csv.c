/* rt_csv.c - numeric CSV reader and writer (see rt_csv.h). */
#include "formats/rt_csv.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_file.h"

/* Cuts the trailing newline / CR; returns 1 when only spaces remain. */
static int trim_line(char *line)
{
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    return strspn(line, " \t") == n;
}

static size_t count_fields(const char *line)
{
    size_t n = 1;
    for (; *line; line++)
        n += *line == ',';
    return n;
}

/* Parses one field [s, end): 0 a finite float, -1 not a number, -2 NaN/inf. */
static int parse_field(const char *s, const char *end, float *out)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (s == end)
        return -1;
    char *stop;
    errno = 0;
    float v = strtof(s, &stop);
    if (stop != end)
        return -1;
    if (!isfinite(v))
        return -2;
    *out = v;
    return 0;
}

/* Parses a row of exactly cols fields into dst. */
static int parse_row(const char *path, size_t lineno, const char *line, size_t cols,
                     float *dst, rt_err *err)
{
    size_t found = count_fields(line);
    if (found != cols)
        return rt_errf(err, "%s:%zu: expected %zu comma-separated fields, found %zu",
                       path, lineno, cols, found);
    const char *s = line;
    for (size_t c = 0; c < cols; c++) {
        const char *end = strchr(s, ',');
        if (!end)
            end = s + strlen(s);
        if (parse_field(s, end, &dst[c]) != 0)
            return rt_errf(err, "%s:%zu: field %zu: expected a finite number, found '%.*s'",
                           path, lineno, c + 1, (int)(end - s > 40 ? 40 : end - s), s);
        s = end + 1;
    }
    return 0;
}

static int first_field_is_number(const char *line)
{
    const char *end = strchr(line, ',');
    float v;
    return parse_field(line, end ? end : line + strlen(line), &v) != -1;
}

int rt_csv_load(const char *path, size_t cols, float **data, size_t *rows, rt_err *err)
{
    int rc = -1;
    char *line = NULL;
    size_t cap = 0, n = 0, room = 1024, lineno = 0;
    int seen_first = 0;
    float *buf = NULL;
    assert(cols > 0);
    FILE *f = fopen(path, "r");
    if (!f) {
        rt_errf(err, "%s: cannot open: %s", path, strerror(errno));
        goto done;
    }
    buf = rt_xmalloc(room * cols * sizeof(float));
    while (getline(&line, &cap, f) >= 0) {
        lineno++;
        if (trim_line(line))
            continue;
        if (!seen_first++ && !first_field_is_number(line))
            continue;   /* header */
        if (n == room) {
            room *= 2;
            buf = rt_xrealloc(buf, room * cols * sizeof(float));
        }
        if (parse_row(path, lineno, line, cols, buf + n * cols, err) != 0)
            goto done;
        n++;
    }
    if (ferror(f)) {
        rt_errf(err, "%s: read failed at line %zu: %s", path, lineno, strerror(errno));
        goto done;
    }
    if (n == 0) {
        rt_errf(err, "%s: expected at least one row of %zu numbers, found none", path, cols);
        goto done;
    }
    *data = buf;
    *rows = n;
    buf = NULL;
    rc = 0;
done:
    free(buf);
    free(line);
    if (f)
        fclose(f);
    return rc;
}

int rt_csv_write(const char *path, const float *x, size_t rows, size_t cols,
                 const char *header, rt_err *err)
{
    rt_wfile w;
    if (rt_wfile_open(&w, path, err) != 0)
        return -1;
    if (header)
        fprintf(w.f, "%s\n", header);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            fprintf(w.f, "%.9g%c", x[r * cols + c], c + 1 < cols ? ',' : '\n');
    return rt_wfile_commit(&w, err);
}

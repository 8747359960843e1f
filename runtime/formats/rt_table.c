/* rt_table.c - named numeric columns from CSV text (see rt_table.h).
 * Two passes over the text: count the lines (so the values are allocated
 * once, after the memory check), then read the header and the rows. */
#include "formats/rt_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_file.h"

/* One line of the text: [s, s + n), its number, and whether it ended with
 * a newline. */
typedef struct {
    const char *s;
    size_t n, number;
    int ended;
} line;

static int next_line(const char **at, const char *end, line *l)
{
    if (*at >= end)
        return 0;
    const char *nl = memchr(*at, '\n', (size_t)(end - *at));
    l->s = *at;
    l->n = (size_t)((nl ? nl : end) - *at);
    l->ended = nl != NULL;
    l->number++;
    *at = nl ? nl + 1 : end;
    if (l->n && l->s[l->n - 1] == '\r')
        l->n--;
    return 1;
}

static int is_blank(const line *l)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->s[i] != ' ' && l->s[i] != '\t')
            return 0;
    return 1;
}

/* The fields of a line: [start, end) pairs with spaces trimmed, at most
 * cap of them; returns how many the line has (possibly more than cap). */
static int split(const line *l, const char **start, size_t *len, int cap)
{
    int n = 0;
    for (size_t i = 0;; i++) {
        size_t j = i;
        while (j < l->n && l->s[j] != ',')
            j++;
        size_t a = i, b = j;
        while (a < b && (l->s[a] == ' ' || l->s[a] == '\t'))
            a++;
        while (b > a && (l->s[b - 1] == ' ' || l->s[b - 1] == '\t'))
            b--;
        if (n < cap)
            start[n] = l->s + a, len[n] = b - a;
        n++;
        if (j >= l->n)
            return n;
        i = j;
    }
}

static int read_header(const line *l, const char *name, rt_table *t, rt_err *err)
{
    int n = split(l, NULL, NULL, 0);
    const char **start = rt_xcalloc((size_t)n, sizeof *start);
    size_t *len = rt_xcalloc((size_t)n, sizeof *len);
    split(l, start, len, n);
    t->names = rt_xcalloc((size_t)n, sizeof *t->names);
    t->cols = n;
    int rc = 0;
    for (int c = 0; c < n && rc == 0; c++) {
        t->names[c] = rt_xmalloc(len[c] + 1);
        memcpy(t->names[c], start[c], len[c]);
        t->names[c][len[c]] = 0;
        if (!len[c])
            rc = rt_errf(err, "%s:%zu: column %d of the header has no name", name, l->number,
                         c + 1);
        else if (rt_table_column(t, t->names[c]) < c)
            rc = rt_errf(err, "%s:%zu: the header names column '%s' twice", name, l->number,
                         t->names[c]);
    }
    free(start);
    free(len);
    return rc;
}

/* One row into out[cols]: 1 read, 0 left out (a row being written), -1. */
static int read_row(const line *l, const char *name, const rt_table *t, double *out,
                    const char **start, size_t *len, rt_err *err)
{
    int n = split(l, start, len, t->cols);
    if (n < t->cols && !l->ended)
        return 0;
    if (n != t->cols)
        return rt_errf(err, "%s:%zu: %d field%s, expected %d (one per column of the header)",
                       name, l->number, n, n == 1 ? "" : "s", t->cols);
    for (int c = 0; c < n; c++) {
        char field[64], *end;
        if (!len[c]) {
            out[c] = NAN;
            continue;
        }
        snprintf(field, sizeof field, "%.*s", (int)(len[c] < 63 ? len[c] : 63), start[c]);
        out[c] = strtod(field, &end);
        if (len[c] > 63 || *end || !isfinite(out[c]))
            return rt_errf(err, "%s:%zu: column %d (%s): '%s%s' is not a finite number", name,
                           l->number, c + 1, t->names[c], field, len[c] > 63 ? "..." : "");
    }
    return 1;
}

static int read_rows(const char *at, const char *end, line l, const char *name, rt_table *t,
                     size_t max_rows, rt_err *err)
{
    const char **start = rt_xcalloc((size_t)t->cols, sizeof *start);
    size_t *len = rt_xcalloc((size_t)t->cols, sizeof *len);
    t->v = rt_xcalloc(max_rows ? max_rows : 1, (size_t)t->cols * sizeof *t->v);
    int rc = 0;
    while (rc >= 0 && next_line(&at, end, &l))
        if (!is_blank(&l)) {
            rc = read_row(&l, name, t, t->v + t->rows * (size_t)t->cols, start, len, err);
            t->rows += rc > 0;
        }
    free(start);
    free(len);
    return rc < 0 ? -1 : 0;
}

int rt_table_parse(const char *text, size_t len, const char *name, rt_table *t, rt_err *err)
{
    memset(t, 0, sizeof *t);
    const char *at = text, *end = text + len, *nul = memchr(text, 0, len);
    line l = { NULL, 0, 0, 0 };
    size_t lines = 1;
    for (const char *p = text; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        lines++;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        at += 3;   /* a UTF-8 byte order mark */
    if (nul)
        return rt_errf(err, "%s: a NUL byte at offset %zu: not a text file", name,
                       (size_t)(nul - text));
    while (next_line(&at, end, &l) && is_blank(&l))
        continue;
    if (!l.s || is_blank(&l))
        return rt_errf(err, "%s: empty: expected a header line naming the columns", name);
    int rc = read_header(&l, name, t, err);
    if (rc == 0)
        rc = rt_mem_check(name, lines, "rows", (size_t)t->cols * sizeof(double), err);
    if (rc == 0)
        rc = read_rows(at, end, l, name, t, lines, err);
    if (rc != 0)
        rt_table_free(t);
    return rc;
}

int rt_table_read(const char *path, rt_table *t, rt_err *err)
{
    unsigned char *text = NULL;
    size_t len = 0;
    memset(t, 0, sizeof *t);
    if (rt_read_file(path, &text, &len, err) != 0)
        return -1;
    int rc = rt_table_parse((const char *)text, len, path, t, err);
    free(text);
    return rc;
}

void rt_table_free(rt_table *t)
{
    for (int c = 0; t->names && c < t->cols; c++)
        free(t->names[c]);
    free(t->names);
    free(t->v);
    memset(t, 0, sizeof *t);
}

int rt_table_column(const rt_table *t, const char *name)
{
    for (int c = 0; c < t->cols; c++)
        if (t->names[c] && strcmp(t->names[c], name) == 0)
            return c;
    return -1;
}

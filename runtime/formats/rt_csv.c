/* rt_csv.c - numeric CSV reader and writer (see rt_csv.h). */
#include "formats/rt_csv.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"
#include "core/rt_err.h"
#include "core/rt_file.h"

/* ---- lines ---------------------------------------------------------------- */

/* Reads a file line by line through one buffer that grows up to max_line
 * bytes: lengths are counted, never found with strlen, so a NUL byte is
 * seen where it is. */
typedef struct {
    FILE *f;
    char *buf;               /* cap + 1 bytes: room for a terminating NUL */
    size_t cap, start, end;  /* unread bytes: buf[start, end) */
    size_t max_line;
    int eof;
} line_reader;

/* The next line, without its '\n', NUL-terminated in place: 1, or 0 at the
 * end of the file, -1 for a line longer than max_line, -2 a read error. */
static int next_line(line_reader *r, char **line, size_t *len)
{
    for (;;) {
        char *at = r->buf + r->start;
        char *nl = memchr(at, '\n', r->end - r->start);
        if (nl || (r->eof && r->end > r->start)) {
            *len = nl ? (size_t)(nl - at) : r->end - r->start;
            at[*len] = 0;
            *line = at;
            r->start += *len + (nl != NULL);
            return 1;
        }
        if (r->eof)
            return 0;
        memmove(r->buf, at, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
        if (r->end == r->cap) {
            if (r->cap >= r->max_line)
                return -1;
            r->cap = r->cap * 2 < r->max_line ? r->cap * 2 : r->max_line;
            r->buf = rt_xrealloc(r->buf, r->cap + 1);
        }
        size_t got = fread(r->buf + r->end, 1, r->cap - r->end, r->f);
        r->end += got;
        if (got == 0 && ferror(r->f))
            return -2;
        r->eof = got == 0;
    }
}

/* The length of the longest valid UTF-8 prefix of s[0, n) (RFC 3629: no
 * overlong forms, surrogates or code points past U+10FFFF). */
static size_t utf8_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i], k, lo = 0x80, hi = 0xbf;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            k = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
            k = 2;
            lo = c == 0xe0 ? 0xa0 : 0x80;
            hi = c == 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
            k = 3;
            lo = c == 0xf0 ? 0x90 : 0x80;
            hi = c == 0xf4 ? 0x8f : 0xbf;
        } else {
            return i;
        }
        if (n - i <= k || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (unsigned j = 2; j <= k; j++)
            if ((s[i + j] & 0xc0) != 0x80)
                return i;
        i += k + 1;
    }
    return n;
}

/* Refuses a line that is not text: a NUL byte, or bytes that are not
 * UTF-8, named by line and column (in characters). */
static int check_text(const char *path, size_t lineno, const char *line, size_t len,
                      rt_err *err)
{
    const char *nul = memchr(line, 0, len);
    size_t bad = utf8_prefix((const unsigned char *)line, nul ? (size_t)(nul - line) : len);
    if (!nul && bad == len)
        return 0;
    size_t col = 1;
    for (size_t i = 0; i < bad; i++)
        col += ((unsigned char)line[i] & 0xc0) != 0x80;
    if (nul && bad == (size_t)(nul - line))
        return rt_errf(err, "%s:%zu:%zu: a NUL byte: expected text (is this a binary file?)",
                       path, lineno, col);
    return rt_errf(err, "%s:%zu:%zu: byte 0x%02x is not UTF-8: expected text in UTF-8 or "
                   "ASCII", path, lineno, col, (unsigned char)line[bad]);
}

/* ---- rows ----------------------------------------------------------------- */

/* Cuts the trailing CR; returns 1 when only spaces remain. */
static int trim_line(char *line, size_t n)
{
    while (n > 0 && line[n - 1] == '\r')
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

/* The rows read so far, grown by doubling after a memory check. */
typedef struct {
    float *x;
    size_t n, room;
} row_buf;

static int room_for_one(row_buf *b, const char *path, size_t cols, rt_err *err)
{
    if (b->n < b->room)
        return 0;
    size_t room = b->room ? 2 * b->room : 1024;
    if (rt_mem_check(path, room, "rows", cols * sizeof(float), err) != 0)
        return -1;
    b->x = rt_xrealloc(b->x, room * cols * sizeof(float));
    b->room = room;
    return 0;
}

/* One line: text checked, the BOM of line 1 skipped, a header noted. */
static int take_line(const char *path, size_t lineno, char *line, size_t len, size_t cols,
                     row_buf *b, size_t *header, rt_err *err)
{
    if (check_text(path, lineno, line, len, err) != 0)
        return -1;
    if (lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
        line += 3;
        len -= 3;
    }
    if (trim_line(line, len))
        return 0;
    if (b->n == 0 && !*header && !first_field_is_number(line)) {
        *header = lineno;
        return 0;
    }
    if (room_for_one(b, path, cols, err) != 0 ||
        parse_row(path, lineno, line, cols, b->x + b->n * cols, err) != 0)
        return -1;
    b->n++;
    return 0;
}

int rt_csv_load(const char *path, size_t cols, float **data, size_t *rows, size_t *header,
                rt_err *err)
{
    rt_assert(cols > 0);
    size_t size, lineno = 0, head = 0;
    row_buf b = { NULL, 0, 0 };
    line_reader r = { rt_open_regular(path, &size, err), NULL, 4096, 0, 0,
                      ((size_t)1 << 20) + 64 * cols, 0 };
    if (!r.f)
        return -1;
    r.buf = rt_xmalloc(r.cap + 1);
    int rc = 0, got;
    char *line;
    size_t len;
    while (rc == 0 && (got = next_line(&r, &line, &len)) > 0)
        rc = take_line(path, ++lineno, line, len, cols, &b, &head, err);
    if (rc == 0 && got == -1)
        rc = rt_errf(err, "%s:%zu: a line longer than %zu bytes: expected rows of %zu numbers",
                     path, lineno + 1, r.max_line, cols);
    else if (rc == 0 && got == -2)
        rc = rt_errf(err, "%s: read failed at line %zu: %s", path, lineno + 1, strerror(errno));
    else if (rc == 0 && b.n == 0)
        rc = rt_errf(err, "%s: expected at least one row of %zu numbers, found none", path,
                     cols);
    fclose(r.f);
    free(r.buf);
    if (rc != 0) {
        free(b.x);
        return -1;
    }
    *data = b.x;
    *rows = b.n;
    if (header)
        *header = head;
    return 0;
}

/* ---- writing -------------------------------------------------------------- */

void rt_csv_write_rows(FILE *f, const float *x, size_t rows, size_t cols)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++)
            fprintf(f, "%.9g%c", x[r * cols + c], c + 1 < cols ? ',' : '\n');
}

int rt_csv_write(const char *path, const float *x, size_t rows, size_t cols,
                 const char *header, rt_err *err)
{
    rt_wfile w;
    if (rt_wfile_open(&w, path, err) != 0)
        return -1;
    if (header)
        fprintf(w.f, "%s\n", header);
    rt_csv_write_rows(w.f, x, rows, cols);
    return rt_wfile_commit(&w, err);
}

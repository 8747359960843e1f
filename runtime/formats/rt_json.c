/* rt_json.c - strict recursive-descent JSON parser (see rt_json.h).
 * Grammar: RFC 8259.  Every read is bounds-checked against p->end. */
#include "formats/rt_json.h"

#include <stdlib.h>
#include <string.h>

#include "core/rt_alloc.h"

#define MAX_DEPTH 64
#define MAX_NUMBER_CHARS 64

typedef struct {
    const char *s, *start, *end;
    const char *what;
    rt_err *err;
    int depth;
} jparser;

static int parse_value(jparser *p, rt_json *out);

static int jfail(jparser *p, const char *expected)
{
    size_t at = (size_t)(p->s - p->start);
    if (p->s >= p->end)
        return rt_errf(p->err, "%s: JSON at byte %zu: expected %s, found the end of the input",
                       p->what, at, expected);
    unsigned char c = (unsigned char)*p->s;
    if (c >= 0x20 && c < 0x7f)
        return rt_errf(p->err, "%s: JSON at byte %zu: expected %s, found '%c'",
                       p->what, at, expected, c);
    return rt_errf(p->err, "%s: JSON at byte %zu: expected %s, found byte 0x%02x",
                   p->what, at, expected, c);
}

static void skip_ws(jparser *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
        p->s++;
}

static int at(jparser *p, char c)
{
    return p->s < p->end && *p->s == c;
}

static int is_digit(jparser *p)
{
    return p->s < p->end && *p->s >= '0' && *p->s <= '9';
}

static int parse_literal(jparser *p, const char *word, int type, rt_json *out)
{
    size_t n = strlen(word);
    if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n) != 0)
        return jfail(p, "a JSON value");
    p->s += n;
    out->type = type;
    return 0;
}

/* ---- numbers ---------------------------------------------------------- */

static int parse_number(jparser *p, rt_json *out)
{
    const char *begin = p->s;
    int exact = 1;
    if (at(p, '-')) {
        p->s++;
        exact = 0;
    }
    if (at(p, '0'))
        p->s++;
    else if (is_digit(p))
        while (is_digit(p))
            p->s++;
    else
        return jfail(p, "a digit");
    if (at(p, '.')) {
        p->s++;
        exact = 0;
        if (!is_digit(p))
            return jfail(p, "a digit after '.'");
        while (is_digit(p))
            p->s++;
    }
    if (at(p, 'e') || at(p, 'E')) {
        p->s++;
        exact = 0;
        if (at(p, '+') || at(p, '-'))
            p->s++;
        if (!is_digit(p))
            return jfail(p, "a digit in the exponent");
        while (is_digit(p))
            p->s++;
    }
    size_t n = (size_t)(p->s - begin);
    if (n > MAX_NUMBER_CHARS) {
        p->s = begin;
        return jfail(p, "a number of at most 64 characters");
    }
    char tmp[MAX_NUMBER_CHARS + 1];
    memcpy(tmp, begin, n);
    tmp[n] = 0;
    out->type = RT_JSON_NUMBER;
    out->num = strtod(tmp, NULL);
    out->is_uint = exact;
    out->u = 0;
    for (size_t i = 0; exact && i < n; i++) {
        uint64_t d = (uint64_t)(tmp[i] - '0');
        if (out->u > (UINT64_MAX - d) / 10)
            out->is_uint = exact = 0;
        else
            out->u = out->u * 10 + d;
    }
    if (!out->is_uint)
        out->u = 0;
    return 0;
}

/* ---- strings ---------------------------------------------------------- */

typedef struct {
    char *s;
    size_t n, cap;
} sbuf;

static void sbuf_put(sbuf *b, char c)
{
    if (b->n + 1 >= b->cap) {
        b->cap = b->cap ? 2 * b->cap : 32;
        b->s = rt_xrealloc(b->s, b->cap);
    }
    b->s[b->n++] = c;
    b->s[b->n] = 0;
}

static void sbuf_utf8(sbuf *b, uint32_t cp)
{
    if (cp < 0x80) {
        sbuf_put(b, (char)cp);
    } else if (cp < 0x800) {
        sbuf_put(b, (char)(0xC0 | cp >> 6));
        sbuf_put(b, (char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        sbuf_put(b, (char)(0xE0 | cp >> 12));
        sbuf_put(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sbuf_put(b, (char)(0x80 | (cp & 0x3F)));
    } else {
        sbuf_put(b, (char)(0xF0 | cp >> 18));
        sbuf_put(b, (char)(0x80 | ((cp >> 12) & 0x3F)));
        sbuf_put(b, (char)(0x80 | ((cp >> 6) & 0x3F)));
        sbuf_put(b, (char)(0x80 | (cp & 0x3F)));
    }
}

static int parse_hex4(jparser *p, uint32_t *out)
{
    *out = 0;
    for (int i = 0; i < 4; i++, p->s++) {
        if (p->s >= p->end)
            return jfail(p, "4 hex digits after \\u");
        char c = *p->s;
        int v = c >= '0' && c <= '9' ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (v < 0)
            return jfail(p, "4 hex digits after \\u");
        *out = *out << 4 | (uint32_t)v;
    }
    return 0;
}

/* After "\u": one code point, joining a surrogate pair. */
static int parse_unicode_escape(jparser *p, uint32_t *cp)
{
    if (parse_hex4(p, cp) != 0)
        return -1;
    if (*cp == 0)
        return jfail(p, "no \\u0000 in strings");
    if (*cp >= 0xDC00 && *cp <= 0xDFFF)
        return jfail(p, "no lone low surrogate");
    if (*cp < 0xD800 || *cp > 0xDBFF)
        return 0;
    uint32_t lo;
    if ((size_t)(p->end - p->s) < 2 || p->s[0] != '\\' || p->s[1] != 'u')
        return jfail(p, "a low surrogate \\uDC00-\\uDFFF after a high surrogate");
    p->s += 2;
    if (parse_hex4(p, &lo) != 0)
        return -1;
    if (lo < 0xDC00 || lo > 0xDFFF)
        return jfail(p, "a low surrogate \\uDC00-\\uDFFF after a high surrogate");
    *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
    return 0;
}

static int parse_escape(jparser *p, sbuf *b)
{
    if (p->s >= p->end)
        return jfail(p, "an escape character");
    char c = *p->s++;
    const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
    const char *hit = c ? strchr(from, c) : NULL;
    if (hit) {
        sbuf_put(b, to[hit - from]);
        return 0;
    }
    if (c != 'u') {
        p->s--;
        return jfail(p, "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u");
    }
    uint32_t cp;
    if (parse_unicode_escape(p, &cp) != 0)
        return -1;
    sbuf_utf8(b, cp);
    return 0;
}

/* Parses a string starting at '"' into a new C string. */
/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlong forms, no surrogates, at most U+10FFFF), or 0. */
static int utf8_length(const unsigned char *s, const unsigned char *end)
{
    int n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
    if (n == 0 || s[0] > 0xF4 || end - s < n)
        return 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return n;
}

static int parse_string(jparser *p, char **out)
{
    sbuf b = { NULL, 0, 0 };
    sbuf_put(&b, 0);
    b.n = 0;
    if (!at(p, '"'))
        goto fail_quote;
    p->s++;
    while (p->s < p->end && *p->s != '"') {
        unsigned char c = (unsigned char)*p->s;
        if (c < 0x20) {
            jfail(p, "no raw control characters in a string");
            goto fail;
        }
        if (c >= 0x80) {
            /* JSON text is UTF-8 (RFC 8259 8.1): other bytes would reach
             * messages and names as they are */
            int n = utf8_length((const unsigned char *)p->s, (const unsigned char *)p->end);
            if (n == 0) {
                jfail(p, "valid UTF-8 in a string");
                goto fail;
            }
            for (int i = 0; i < n; i++)
                sbuf_put(&b, *p->s++);
            continue;
        }
        p->s++;
        if (c != '\\')
            sbuf_put(&b, (char)c);
        else if (parse_escape(p, &b) != 0)
            goto fail;
    }
    if (!at(p, '"'))
        goto fail_quote;
    p->s++;
    *out = b.s;
    return 0;
fail_quote:
    jfail(p, "'\"'");
fail:
    free(b.s);
    return -1;
}

/* ---- containers ------------------------------------------------------- */

static void grow(rt_json *j, size_t *cap, int with_keys)
{
    if (j->n < *cap)
        return;
    *cap = *cap ? 2 * *cap : 8;
    j->items = rt_xrealloc(j->items, *cap * sizeof *j->items);
    if (with_keys)
        j->keys = rt_xrealloc(j->keys, *cap * sizeof *j->keys);
}

static int parse_array(jparser *p, rt_json *out)
{
    size_t cap = 0;
    out->type = RT_JSON_ARRAY;
    p->s++;   /* '[' */
    skip_ws(p);
    if (at(p, ']')) {
        p->s++;
        return 0;
    }
    for (;;) {
        grow(out, &cap, 0);
        out->n++;   /* counted first so rt_json_free releases a partial item */
        if (parse_value(p, &out->items[out->n - 1]) != 0)
            return -1;
        skip_ws(p);
        if (at(p, ']'))
            break;
        if (!at(p, ','))
            return jfail(p, "',' or ']'");
        p->s++;
    }
    p->s++;
    return 0;
}

static int parse_member(jparser *p, rt_json *obj)
{
    char *key;
    skip_ws(p);
    if (parse_string(p, &key) != 0)
        return -1;
    for (size_t i = 0; i < obj->n; i++) {
        if (strcmp(obj->keys[i], key) == 0) {
            rt_errf(p->err, "%s: JSON at byte %zu: key \"%.200s\" appears twice in one object",
                    p->what, (size_t)(p->s - p->start), key);
            free(key);
            return -1;
        }
    }
    obj->keys[obj->n] = key;
    memset(&obj->items[obj->n], 0, sizeof obj->items[obj->n]);
    obj->n++;   /* counted now so rt_json_free releases the key on failure */
    skip_ws(p);
    if (!at(p, ':'))
        return jfail(p, "':'");
    p->s++;
    return parse_value(p, &obj->items[obj->n - 1]);
}

static int parse_object(jparser *p, rt_json *out)
{
    size_t cap = 0;
    out->type = RT_JSON_OBJECT;
    p->s++;   /* '{' */
    skip_ws(p);
    if (at(p, '}')) {
        p->s++;
        return 0;
    }
    for (;;) {
        grow(out, &cap, 1);
        if (parse_member(p, out) != 0)
            return -1;
        skip_ws(p);
        if (at(p, '}'))
            break;
        if (!at(p, ','))
            return jfail(p, "',' or '}'");
        p->s++;
    }
    p->s++;
    return 0;
}

static int parse_value(jparser *p, rt_json *out)
{
    memset(out, 0, sizeof *out);
    skip_ws(p);
    if (p->s >= p->end)
        return jfail(p, "a JSON value");
    int rc;
    switch (*p->s) {
    case '{':
    case '[':
        if (++p->depth > MAX_DEPTH)
            return jfail(p, "nesting at most 64 deep");
        rc = *p->s == '{' ? parse_object(p, out) : parse_array(p, out);
        p->depth--;
        return rc;
    case '"':
        out->type = RT_JSON_STRING;
        return parse_string(p, &out->str);
    case 't':
        return parse_literal(p, "true", RT_JSON_TRUE, out);
    case 'f':
        return parse_literal(p, "false", RT_JSON_FALSE, out);
    case 'n':
        return parse_literal(p, "null", RT_JSON_NULL, out);
    default:
        if (*p->s == '-' || (*p->s >= '0' && *p->s <= '9'))
            return parse_number(p, out);
        return jfail(p, "a JSON value");
    }
}

int rt_json_parse(const char *text, size_t len, const char *what, rt_json *out, rt_err *err)
{
    jparser p = { text, text, text + len, what, err, 0 };
    if (parse_value(&p, out) == 0) {
        skip_ws(&p);
        if (p.s == p.end)
            return 0;
        jfail(&p, "the end of the input after the value");
    }
    rt_json_free(out);
    return -1;
}

void rt_json_free(rt_json *j)
{
    for (size_t i = 0; i < j->n; i++) {
        rt_json_free(&j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->str);
    memset(j, 0, sizeof *j);
}

const rt_json *rt_json_get(const rt_json *obj, const char *key)
{
    if (obj->type != RT_JSON_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}

const char *rt_json_type_name(int type)
{
    /* in place, as rt_safetensors_read.c's DTYPES: no relocations */
    static const char names[][8] = { "null", "boolean", "boolean", "number",
                                     "string", "array", "object" };
    return type >= 0 && type <= RT_JSON_OBJECT ? names[type] : "?";
}

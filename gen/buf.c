/* buf.c - see buf.h. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fatal.h"

static void reserve(gan_buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + extra + 1)
        cap *= 2;
    b->s = gan_xrealloc(b->s, cap, 1);
    b->cap = cap;
}

void gan_buf_printf(gan_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void gan_buf_put(gan_buf *b, const char *s)
{
    size_t n = strlen(s);
    reserve(b, n);
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void gan_buf_free(gan_buf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

long gan_buf_lines(const gan_buf *b)
{
    long n = 0;
    for (size_t i = 0; i < b->len; i++)
        n += b->s[i] == '\n';
    return n;
}

char *gan_vstrf(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *p = gan_xcalloc((size_t)n + 1, 1);
    vsnprintf(p, (size_t)n + 1, fmt, again);
    va_end(again);
    return p;
}

char *gan_strf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = gan_vstrf(fmt, ap);
    va_end(ap);
    return p;
}

const char *gan_buf_str(const gan_buf *b)
{
    return b->s ? b->s : "";
}

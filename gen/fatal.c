/* fatal.c - see fatal.h. */
#include "fatal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t n, size_t size)
{
    fprintf(stderr, "ganc: out of memory (%zu x %zu bytes)\n", n, size);
    exit(1);
}

void *gan_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory(n, size);
    return p;
}

void *gan_xrealloc(void *p, size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size)
        out_of_memory(n, size);
    size_t bytes = n * size;
    void *q = realloc(p, bytes ? bytes : 1);
    if (!q)
        out_of_memory(n, size);
    return q;
}

char *gan_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = gan_xcalloc(n, 1);
    memcpy(p, s, n);
    return p;
}

void gan_internal(const char *file, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "ganc: internal error in %s: ", file);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (a bug in ganc: please report it with the model file)\n", stderr);
    abort();
}

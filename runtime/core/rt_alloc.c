/* rt_alloc.c - allocation wrappers that abort on out-of-memory (see rt_alloc.h). */
#include "core/rt_alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void out_of_memory(size_t count, size_t size)
{
    fprintf(stderr, "ganc runtime: out of memory allocating %zu x %zu bytes\n",
            count, size);
    abort();
}

void *rt_xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        out_of_memory(1, size);
    return p;
}

void *rt_xcalloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        out_of_memory(count, size);
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count, size);
    return p;
}

void *rt_xrealloc(void *p, size_t size)
{
    void *q = realloc(p, size ? size : 1);
    if (!q)
        out_of_memory(1, size);
    return q;
}

char *rt_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = rt_xmalloc(n);
    memcpy(d, s, n);
    return d;
}

void *rt_xmalloc_aligned(size_t align, size_t size)
{
    size_t rounded = (size ? size + align - 1 : align) / align * align;   /* C11 wants a multiple */
    void *p = aligned_alloc(align, rounded);
    if (!p)
        out_of_memory(1, rounded);
    return p;
}

void rt_prefault(void *p, size_t size)
{
#ifdef MADV_POPULATE_WRITE
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = (uintptr_t)p / page * page;
    uintptr_t to = ((uintptr_t)p + size + page - 1) / page * page;
    if (size)
        (void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)size;
#endif
}

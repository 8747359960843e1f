/* rt_alloc.c - allocation wrappers that exit on out-of-memory, and the
 * memory check (see rt_alloc.h). */
#include "core/rt_alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static void out_of_memory(size_t count, size_t size)
{
    fprintf(stderr, "out of memory: cannot allocate %zu x %zu bytes\n", count, size);
    exit(1);
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

/* ---- the memory check ----------------------------------------------------- */

static size_t max_memory;   /* --max-memory, 0 when not given */

void rt_mem_set_max(size_t bytes)
{
    max_memory = bytes;
}

size_t rt_mem_limit(const char **why)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    size_t limit = pages > 0 && page > 0 ? (size_t)pages * (size_t)page : SIZE_MAX;
    *why = "this machine's memory";
    static const int resources[2] = { RLIMIT_AS, RLIMIT_DATA };
    static const char *const names[2] = { "ulimit -v", "ulimit -d" };
    for (int i = 0; i < 2; i++) {
        struct rlimit r;
        if (getrlimit(resources[i], &r) == 0 && r.rlim_cur != RLIM_INFINITY &&
            r.rlim_cur < limit) {
            limit = (size_t)r.rlim_cur;
            *why = names[i];
        }
    }
    if (max_memory && max_memory < limit) {
        limit = max_memory;
        *why = "--max-memory";
    }
    return limit;
}

int rt_mem_check(const char *where, size_t count, const char *what, size_t each,
                 rt_err *err)
{
    const char *why;
    size_t limit = rt_mem_limit(&why);
    if (each == 0 || count <= limit / each)
        return 0;
    double bytes = (double)count * (double)each;
    char need[32], have[32];
    return rt_errf(err, "%s: %zu %s take %.0f bytes (%s) of memory, more than %s (%s)", where,
                   count, what, bytes, rt_mem_text(bytes, need), rt_mem_text((double)limit, have),
                   why);
}

const char *rt_mem_text(double bytes, char buf[32])
{
    static const char *const units[] = { "bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
    int u = 0;
    while (bytes >= 1024 && u < 6) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, 32, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
    return buf;
}

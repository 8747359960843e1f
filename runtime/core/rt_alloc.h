/* rt_alloc.h - the runtime's one allocation seam, and the memory check of
 * sizes that come from the world.
 *
 * Every heap allocation in runtime/ goes through these wrappers; on
 * out-of-memory they print the requested size to stderr and exit with
 * status 1 (never abort: a core dump for a size is no diagnosis), so
 * callers never check for NULL.  Memory is released with plain free().
 * A size of 0 allocates a valid, unique 1-byte block.
 * A size read from a file or a flag (images an IDX header claims, rows of
 * a CSV, a whole file read into memory) is first checked with rt_mem_check,
 * which refuses it with a message naming the file, the count and the
 * bytes, so that only sizes that can fit are ever asked of malloc.
 * Leaves out: leak counting and failure injection (add them here), cgroup
 * memory limits (only the machine's memory and ulimit are read).
 */
#ifndef RT_ALLOC_H
#define RT_ALLOC_H

#include <stddef.h>

#include "core/rt_err.h"

void *rt_xmalloc(size_t size);
void *rt_xcalloc(size_t count, size_t size);   /* zeroed; checks count*size overflow */
void *rt_xrealloc(void *p, size_t size);
char *rt_xstrdup(const char *s);
/* size bytes aligned to align (a power of two), e.g. 64 for vector loads */
void *rt_xmalloc_aligned(size_t align, size_t size);
/* Asks the kernel to map every page of [p, p + size) now, in one system
 * call, before the memory is first written: cheaper than a fault per page
 * (much cheaper in a virtual machine).  A hint: where unsupported (Linux
 * before 5.14, other systems) it does nothing. */
void rt_prefault(void *p, size_t size);

/* The most memory one allocation of data may take: the machine's memory,
 * less when ulimit -v or -d says so, less again under --max-memory
 * (rt_mem_set_max; 0 takes the limit away).  *why names the smallest. */
size_t rt_mem_limit(const char **why);
void rt_mem_set_max(size_t bytes);

/* 0 when count items of `each` bytes fit rt_mem_limit; else -1 with
 * "WHERE: COUNT WHAT take N bytes (X GiB) of memory, more than LIMIT (WHY)". */
int rt_mem_check(const char *where, size_t count, const char *what, size_t each,
                 rt_err *err);
/* bytes for people: "512 bytes", "1.5 MiB", "12.0 GiB", written in buf */
const char *rt_mem_text(double bytes, char buf[32]);

#endif

/* rt_alloc.h - the runtime's one allocation seam.
 *
 * Every heap allocation in runtime/ goes through these wrappers; on
 * out-of-memory they print the requested size to stderr and abort(), so
 * callers never check for NULL.  Memory is released with plain free().
 * A size of 0 allocates a valid, unique 1-byte block.
 * Leaves out: leak counting and failure injection (add them here).
 */
#ifndef RT_ALLOC_H
#define RT_ALLOC_H

#include <stddef.h>

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

#endif

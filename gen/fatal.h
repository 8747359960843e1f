/* fatal.h - the two ways ganc stops without a model element to blame:
 * memory it cannot get (exit 1, saying how much), and an internal rule
 * broken (a bug in ganc: abort, saying which rule, so that a report can
 * name it).  A leaf: everything in gen/ may use it. */
#ifndef GAN_FATAL_H
#define GAN_FATAL_H

#include <stddef.h>

/* calloc, realloc and strdup that never return NULL: out of memory is
 * "ganc: out of memory (N bytes)" and exit status 1 */
void *gan_xcalloc(size_t n, size_t size);
void *gan_xrealloc(void *p, size_t n, size_t size);
char *gan_xstrdup(const char *s);

/* "ganc: internal error in FILE: <message>" on stderr, then abort() */
void gan_internal(const char *file, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif

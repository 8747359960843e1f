/* buf.h - a growable text buffer for emitting C. */
#ifndef GAN_BUF_H
#define GAN_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct {
    char *s;
    size_t len, cap;
} gan_buf;

void gan_buf_printf(gan_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void gan_buf_put(gan_buf *b, const char *s);
void gan_buf_free(gan_buf *b);
/* lines in the buffer */
long gan_buf_lines(const gan_buf *b);
/* the text, "" when nothing was written */
const char *gan_buf_str(const gan_buf *b);

/* A formatted string, malloc'd (out of memory: fatal.h): for pieces of
 * generated code of any length, where a fixed buffer would cut them. */
char *gan_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *gan_vstrf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif

/* diag.c - see diag.h. */
#include "diag.h"
#include "fatal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

void gan_diag_init(gan_diag *d, FILE *out)
{
    d->out = out ? out : stderr;
    d->errors = 0;
    d->warnings = 0;
}

/* Writes a message with its control characters (C0, DEL, and C1 in UTF-8)
 * as escapes: a message quotes names, keys and values from the model
 * file, and YAML's "\e" or "\x07" must not reach a terminal as such. */
static void put_escaped(FILE *out, const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c < 0x20 || *c == 0x7f)
            fprintf(out, "\\x%02x", *c);
        else if (*c == 0xc2 && c[1] >= 0x80 && c[1] < 0xa0)
            fprintf(out, "\\u%04x", *++c);
        else
            fputc(*c, out);
    }
}

static void report(gan_diag *d, gan_pos p, const char *kind, const char *fmt, va_list ap)
{
    if (p.file && p.line > 0)
        fprintf(d->out, "%s:%d:%d: %s: ", p.file, p.line, p.col, kind);
    else if (p.file)
        fprintf(d->out, "%s: %s: ", p.file, kind);
    else
        fprintf(d->out, "ganc: %s: ", kind);
    int saved = errno;             /* for a %m in fmt, around malloc */
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    size_t size = n > 0 ? (size_t)n + 1 : 1;
    char *msg = gan_xcalloc(size, 1);
    errno = saved;
    msg[0] = 0;
    vsnprintf(msg, size, fmt, again);
    va_end(again);
    put_escaped(d->out, msg);
    free(msg);
    fputc('\n', d->out);
}

void gan_error(gan_diag *d, gan_pos p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(d, p, "error", fmt, ap);
    va_end(ap);
    d->errors++;
}

void gan_warning(gan_diag *d, gan_pos p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(d, p, "warning", fmt, ap);
    va_end(ap);
    d->warnings++;
}

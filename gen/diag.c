/* diag.c - see diag.h. */
#include "diag.h"

#include <stdarg.h>

void gan_diag_init(gan_diag *d, FILE *out)
{
    d->out = out ? out : stderr;
    d->errors = 0;
    d->warnings = 0;
}

static void report(gan_diag *d, gan_pos p, const char *kind, const char *fmt, va_list ap)
{
    if (p.file && p.line > 0)
        fprintf(d->out, "%s:%d:%d: %s: ", p.file, p.line, p.col, kind);
    else if (p.file)
        fprintf(d->out, "%s: %s: ", p.file, kind);
    else
        fprintf(d->out, "ganc: %s: ", kind);
    vfprintf(d->out, fmt, ap);
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

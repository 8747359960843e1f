/* diag.h - compiler-style diagnostics: `file:line:col: error: message`.
 *
 * Every phase reports through one gan_diag and keeps going; the driver checks
 * the error count between phases and stops before emitting anything.  A
 * message may quote anything from the model file: control characters in it
 * are written as escapes (\x07, \u0085), never raw to the terminal.
 */
#ifndef GAN_DIAG_H
#define GAN_DIAG_H

#include <stdio.h>

typedef struct {
    const char *file;   /* borrowed: the path as given on the command line */
    int line, col;      /* 1-based; 0 when unknown */
} gan_pos;

typedef struct {
    FILE *out;          /* where messages go (stderr, or a test's memstream) */
    int errors;
    int warnings;
} gan_diag;

void gan_diag_init(gan_diag *d, FILE *out);
void gan_error(gan_diag *d, gan_pos p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void gan_warning(gan_diag *d, gan_pos p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

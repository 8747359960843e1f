/* rt_err.h - error messages for world errors (missing file, bad format, bad flag).
 *
 * A function that can fail because of the world returns -1 and fills an
 * rt_err naming the path or field, what was expected and what was found.
 * Only rt_train_main / rt_sample_main print messages and choose exit codes.
 * Programmer errors (a broken contract) are rt_assert()s, not rt_errs.
 * Leaves out: error codes, chaining, localisation.
 */
#ifndef RT_ERR_H
#define RT_ERR_H

typedef struct {
    char msg[512];
} rt_err;

#if defined(__GNUC__)
#define RT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RT_PRINTF(a, b)
#endif

/* Formats into e->msg (truncating) and returns -1; e may be NULL. */
int rt_errf(rt_err *e, const char *fmt, ...) RT_PRINTF(2, 3);

/* Puts formatted context in front of the message already in e, e.g.
 * rt_err_prefix(e, "loading %s: ", path); returns -1; e may be NULL. */
int rt_err_prefix(rt_err *e, const char *fmt, ...) RT_PRINTF(2, 3);

/* A broken contract, a programmer's error and never the world's: stops
 * the program with "FILE:LINE: internal error: a broken contract" and
 * abort(), like assert() but without the expression's text and the
 * function's name (the line names them), which the sampler's 64 KiB cannot
 * afford.  Compiled out under NDEBUG, like assert(). */
#ifdef NDEBUG
#define rt_assert(c) ((void)0)
#else
#define rt_assert(c) ((c) ? (void)0 : rt_assert_fail(__FILE__, __LINE__))
#endif
_Noreturn void rt_assert_fail(const char *file, int line);

#endif

/* rt_args.h - helpers for the trainer's and sampler's command lines.
 *
 * Flags take their value as the next argument or after '=':
 * "--steps 100" and "--steps=100" are the same.  Numbers are decimal,
 * whole, in range, with nothing after them; errors name the flag and quote
 * what was found.
 * Leaves out: short-flag bundling, abbreviations, getopt.
 */
#ifndef RT_ARGS_H
#define RT_ARGS_H

#include <stdint.h>

#include "rt_err.h"

/* If argv[*i] is `flag`, sets *value to its value (moving *i past a
 * separate value) and returns 1; returns 0 if argv[*i] is not `flag`;
 * returns -1 with err when the value is missing. */
int rt_arg_value(int argc, char **argv, int *i, const char *flag, const char **value,
                 rt_err *err);

/* A decimal integer >= min. */
int rt_parse_long(const char *flag, const char *text, long min, long *out, rt_err *err);
/* A decimal integer in [0, 2^64). */
int rt_parse_u64(const char *flag, const char *text, uint64_t *out, rt_err *err);

#endif

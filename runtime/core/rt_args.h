/* rt_args.h - the trainer's and sampler's command lines: libc's
 * getopt_long, with the runtime's messages, and strict numbers.
 *
 * A flag takes its value as the next argument or after '=': "--steps 100",
 * "--steps=100", "-n 5" and "-n=5" are the same (and "-n5", as getopt
 * reads it).  Long flags may be shortened while that leaves one
 * ("--ste 100"), as getopt_long allows.  Neither program takes anything
 * but flags: an argument that is not one, and "--", are refused.
 * Numbers are decimal, whole, in range, with nothing after them.  Errors
 * name the flag and quote what was found.
 * Leaves out: optional values, flags repeated into lists.
 */
#ifndef RT_ARGS_H
#define RT_ARGS_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rt_err.h"

/* Reads argv from its start on the next rt_flag_next (getopt keeps its
 * position in globals, and the trainer reads its flags twice on --resume). */
void rt_flags_start(void);

/* The next flag of argv, for getopt_long's shorts ("n:o:h") and longs (a
 * table ending in a zeroed entry).  Returns the flag's code (a short flag's
 * letter, a long one's val) and its value in *value (NULL for a flag
 * without one); 0 when every argument has been read; -1 with err for an
 * unknown flag ("--bogus: unknown flag (see --help)"), a flag at the end
 * that wants a value, or an argument that is not a flag. */
int rt_flag_next(int argc, char **argv, const char *shorts, const struct option *longs,
                 const char **value, rt_err *err);

/* A decimal integer >= min. */
int rt_parse_long(const char *flag, const char *text, long min, long *out, rt_err *err);
/* A decimal integer in [0, 2^64). */
int rt_parse_u64(const char *flag, const char *text, uint64_t *out, rt_err *err);
/* A size in bytes >= 1: digits with an optional unit K, M, G or T (powers
 * of 1024; k, m, g, t too, and KB, KiB ... likewise). */
int rt_parse_size(const char *flag, const char *text, size_t *out, rt_err *err);

#endif

/* rt_args.c - getopt_long with the runtime's messages, and strict number
 * parsing (see rt_args.h). */
#include "core/rt_args.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rt_flags_start(void)
{
    optind = 0;   /* 0, not 1: glibc and musl then forget a half-read "-hx" too */
}

/* The flag with code c as the message names it: "--name" when argv spelled
 * it long (perhaps shortened), else "-c". */
static const char *flag_name(int c, const char *arg, const struct option *longs, char *buf,
                             size_t size)
{
    if (arg[1] == '-')
        for (; longs->name; longs++)
            if (longs->val == c) {
                snprintf(buf, size, "--%s", longs->name);
                return buf;
            }
    snprintf(buf, size, "-%c", c);
    return buf;
}

int rt_flag_next(int argc, char **argv, const char *shorts, const struct option *longs,
                 const char **value, rt_err *err)
{
    char opts[64], name[64];
    /* '+': stop at the first argument that is not a flag (never reorder
     * argv); ':': a missing value returns ':', not '?' */
    snprintf(opts, sizeof opts, "+:%s", shorts);
    opterr = 0;
    int at = optind > 0 ? optind : 1;   /* the argument getopt reads now */
    int c = getopt_long(argc, argv, opts, longs, NULL);
    *value = optarg;
    /* an unknown flag, getopt's end of flags "--" (nothing may follow), or
     * an argument that is not a flag */
    const char *bad = c == '?' || (c == -1 && optind > at) ? argv[at]
                    : c == -1 && optind < argc ? argv[optind] : NULL;
    if (bad)
        return rt_errf(err, "%s: unknown %s (see --help)", bad,
                       bad[0] == '-' ? "flag" : "argument");
    if (c == -1)
        return 0;
    if (c == ':')
        return rt_errf(err, "%s: expected a value after the flag, found the end of the "
                       "command line", flag_name(optopt, argv[at], longs, name, sizeof name));
    /* "-n=5": getopt's value is "=5" */
    if (optarg && optarg == argv[at] + 2 && argv[at][1] != '-' && *optarg == '=')
        *value = optarg + 1;
    return c;
}

static int digits_only(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

int rt_parse_long(const char *flag, const char *text, long min, long *out, rt_err *err)
{
    const char *digits = text[0] == '-' ? text + 1 : text;
    errno = 0;
    long v = digits_only(digits) ? strtol(text, NULL, 10) : 0;
    if (!digits_only(digits) || errno == ERANGE || v < min)
        return rt_errf(err, "%s: expected a whole number >= %ld, found '%.100s'",
                       flag, min, text);
    *out = v;
    return 0;
}

int rt_parse_u64(const char *flag, const char *text, uint64_t *out, rt_err *err)
{
    errno = 0;
    unsigned long long v = digits_only(text) ? strtoull(text, NULL, 10) : 0;
    if (!digits_only(text) || errno == ERANGE)
        return rt_errf(err, "%s: expected a whole number in [0, 2^64), found '%.100s'",
                       flag, text);
    *out = (uint64_t)v;
    return 0;
}

int rt_parse_size(const char *flag, const char *text, size_t *out, rt_err *err)
{
    static const char units[] = "KMGTkmgt";
    char *end = NULL;
    errno = 0;
    unsigned long long v = *text >= '0' && *text <= '9' ? strtoull(text, &end, 10) : 0;
    const char *unit = end && *end ? strchr(units, *end) : NULL;   /* never the final NUL */
    int shift = unit ? 10 * (int)((unit - units) % 4 + 1) : 0;
    const char *rest = end ? end + (unit != NULL) : "";
    if (unit && strcmp(rest, "B") == 0)
        rest++;
    else if (unit && strcmp(rest, "iB") == 0)
        rest += 2;
    if (!end || *rest || errno == ERANGE || v == 0 || v > (SIZE_MAX >> shift))
        return rt_errf(err, "%s: expected a size such as 512M, 8G or 1073741824 (bytes; K, "
                       "M, G, T are powers of 1024), found '%.100s'", flag, text);
    *out = (size_t)v << shift;
    return 0;
}

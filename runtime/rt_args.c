/* rt_args.c - flag values and strict number parsing (see rt_args.h). */
#include "rt_args.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int rt_arg_value(int argc, char **argv, int *i, const char *flag, const char **value,
                 rt_err *err)
{
    const char *arg = argv[*i];
    size_t n = strlen(flag);
    if (strncmp(arg, flag, n) != 0)
        return 0;
    if (arg[n] == '=') {
        *value = arg + n + 1;
        return 1;
    }
    if (arg[n] != 0)
        return 0;
    if (*i + 1 >= argc)
        return rt_errf(err, "%s: expected a value after the flag, found the end of the "
                       "command line", flag);
    *value = argv[++*i];
    return 1;
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

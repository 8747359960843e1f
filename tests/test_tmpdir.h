/* test_tmpdir.h - what the CMocka programs of the runtime that write files
 * share: their scratch folder, made before their tests and removed with
 * everything in it after (one per program: `dir`), and a check that a
 * message holds the words expected.  Included by test_rt_*.c only. */
#ifndef TEST_TMPDIR_H
#define TEST_TMPDIR_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[64];

/* /tmp/NAME_XXXXXX made into dir: 0, or -1 */
static inline int tmpdir_make(const char *name)
{
    snprintf(dir, sizeof dir, "/tmp/%s_XXXXXX", name);
    return mkdtemp(dir) ? 0 : -1;
}

/* a CMocka group teardown: dir and everything in it gone */
static inline int tmpdir_remove(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static inline void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

#endif

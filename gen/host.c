/* host.c - see host.h. */
#include "host.h"

#include "core/rt_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef GANC_DATADIR
#define GANC_DATADIR "/usr/local/share/ganc"
#endif

const char *const gan_gen_cflags[] = {
    "-std=c11", "-O3", "-fno-trapping-math", "-fno-math-errno", NULL,
};

const char *gan_cc(void)
{
    const char *cc = getenv("CC");
    return cc && *cc ? cc : "cc";
}

static int has_templates(const char *dir)
{
    char p[PATH_MAX];
    if (snprintf(p, sizeof p, "%s/templates/trainer.c", dir) >= (int)sizeof p)
        return 0;
    return access(p, R_OK) == 0;
}

/* the folder two levels above the ganc executable (<home>/build/ganc in
 * the source tree, <prefix>/bin/ganc installed) into dir; 0 or -1 */
static int exe_grandparent(char *dir, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", dir, size - 1);
    if (n <= 0 || (size_t)n >= size - 1)
        return -1;
    dir[n] = 0;
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(dir, '/');
        if (!slash)
            return -1;
        *slash = 0;
    }
    return 0;
}

const char *gan_home(void)
{
    static char home[PATH_MAX];
    if (*home)
        return home;
    const char *env = getenv("GANC_HOME");
    char exe[PATH_MAX], shared[PATH_MAX];
    if (env && *env && strlen(env) < sizeof home) {
        strcpy(home, env);
    } else if (!exe_grandparent(exe, sizeof exe) && has_templates(exe)) {
        strcpy(home, exe);
    } else if (!exe_grandparent(exe, sizeof exe - 16) &&
               snprintf(shared, sizeof shared, "%s/share/ganc", exe) < (int)sizeof shared &&
               has_templates(shared)) {
        strcpy(home, shared);
    } else {
        strcpy(home, GANC_DATADIR);
    }
    return home;
}

/* The library `name` beside the ganc executable (so that a build tree
 * such as build/asan/ uses its own), else in <home>/build/, into lib. */
static const char *find_lib(char *lib, size_t size, const char *name)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    char *slash = n > 0 && (size_t)n < sizeof exe - 1 ? (exe[n] = 0, strrchr(exe, '/')) : NULL;
    if (slash) {
        *slash = 0;
        if (snprintf(lib, size, "%s/%s", exe, name) < (int)size && access(lib, R_OK) == 0)
            return lib;
    }
    snprintf(lib, size, "%s/build/%s", gan_home(), name);
    return lib;
}

const char *gan_runtime_lib(void)
{
    static char lib[PATH_MAX + 32];
    return *lib ? lib : find_lib(lib, sizeof lib, "libganc_train.a");
}

const char *gan_sampler_lib(void)
{
    static char lib[PATH_MAX + 32];
    return *lib ? lib : find_lib(lib, sizeof lib, "libganc_sample.a");
}

char *gan_read_file(const char *path, long *size, const char **why)
{
    static rt_err err;   /* the last failure, for *why */
    unsigned char *data = NULL;
    size_t len = 0;
    if (rt_read_file(path, &data, &len, &err) != 0) {
        /* the runtime's message starts with the path, which ganc's
         * callers name themselves */
        size_t n = strlen(path);
        if (why)
            *why = !strncmp(err.msg, path, n) && !strncmp(err.msg + n, ": ", 2)
                       ? err.msg + n + 2 : err.msg;
        return NULL;
    }
    if (size)
        *size = (long)len;
    return (char *)data;
}

int gan_mkdir_p(const char *path, const char **why)
{
    static rt_err err;   /* the last failure, for *why */
    int rc = rt_mkdir_p(path, &err);
    if (rc && why)
        *why = err.msg;
    return rc;
}

int gan_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "ganc: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    int bad = fwrite(data, 1, len, f) != len;
    bad |= fclose(f) != 0;
    if (bad)
        fprintf(stderr, "ganc: error writing %s: %s\n", path, strerror(errno));
    return bad ? -1 : 0;
}

/* the command, for messages: words separated by spaces */
static void show_command(FILE *to, const char *const *argv, const char *dir)
{
    if (dir)
        fprintf(to, "  (in %s)\n", dir);
    fputs(" ", to);
    for (int i = 0; argv[i]; i++)
        fprintf(to, " %s", argv[i]);
    fputs("\n", to);
}

const char *gan_cache_dir(char *buf, size_t size)
{
    const char *dir = getenv("GANC_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"),
               *home = getenv("HOME");
    if (dir && *dir)
        snprintf(buf, size, "%s", dir);
    else if (xdg && *xdg)
        snprintf(buf, size, "%s/ganc", xdg);
    else if (home && *home)
        snprintf(buf, size, "%s/.cache/ganc", home);
    else
        *buf = 0;
    return buf;
}

int gan_run(const char *const *argv, const char *dir, const char *out, const char *what)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = out ? open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
        if ((out && (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)) || (dir && chdir(dir))) {
            fprintf(stderr, "ganc: %s: %s\n", out && fd < 0 ? out : dir ? dir : "stdout",
                    strerror(errno));
            _exit(127);
        }
        execvp(argv[0], (char *const *)argv);
        fprintf(stderr, "ganc: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (pid < 0)
        fprintf(stderr, "ganc: cannot start %s: %s\n", what, strerror(errno));
    else if (WIFSIGNALED(status))
        fprintf(stderr, "ganc: %s was killed by signal %d:\n", what, WTERMSIG(status));
    else
        fprintf(stderr, "ganc: %s failed (exit status %d):\n", what, WEXITSTATUS(status));
    show_command(stderr, argv, dir);
    return -1;
}

/* appends a malloc'd word to *words, keeping the list NULL-terminated */
static int push_word(char ***words, int *n, char *word)
{
    char **grown = realloc(*words, (size_t)(*n + 2) * sizeof *grown);
    if (!grown) {
        free(word);
        return -1;
    }
    *words = grown;
    grown[(*n)++] = word;
    grown[*n] = NULL;
    return 0;
}

int gan_split_words(const char *text, char ***words, int *n, const char **why)
{
    char *word = malloc(strlen(text) + 1);
    if (!word) {
        *why = "out of memory";
        return -1;
    }
    size_t len = 0;
    int in_word = 0;
    for (const char *s = text;; s++) {
        if (*s == 0 || *s == ' ' || *s == '\t' || *s == '\n') {
            if (in_word) {
                word[len] = 0;
                char *copy = strdup(word);
                if (!copy || push_word(words, n, copy)) {
                    *why = "out of memory";
                    free(word);
                    return -1;
                }
            }
            in_word = 0;
            len = 0;
            if (!*s)
                break;
            continue;
        }
        in_word = 1;
        if (*s == '\'' || *s == '"') {
            char q = *s++;
            for (; *s && *s != q; s++) {
                if (q == '"' && *s == '\\' && (s[1] == '"' || s[1] == '\\'))
                    s++;
                word[len++] = *s;
            }
            if (!*s) {
                *why = q == '"' ? "a \" is not closed" : "a ' is not closed";
                free(word);
                return -1;
            }
        } else if (*s == '\\') {
            if (!*++s) {
                *why = "it ends in a backslash";
                free(word);
                return -1;
            }
            word[len++] = *s;
        } else {
            word[len++] = *s;
        }
    }
    free(word);
    return 0;
}

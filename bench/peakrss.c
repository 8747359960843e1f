/* bench/peakrss.c - runs a command and reports its own peak resident set.
 *
 *   peakrss OUT CMD [ARGS...]
 *
 * Runs CMD with ARGS (stdin, stdout and stderr are CMD's), waits for it and
 * writes its peak RSS in KiB (wait4's ru_maxrss) to the file OUT; exits
 * with CMD's status (128 + signal if a signal ended it).
 *
 * Why a launcher: Linux carries a process's peak RSS across exec, so a
 * child started from a big process (the Python harness: about 36 MiB)
 * reports at least that much whatever it does.  Started from this small
 * program, the figure is the command's own, plus about 1 MiB.
 */
#define _DEFAULT_SOURCE   /* wait4 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: peakrss OUT CMD [ARGS...]\n");
        return 2;
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("peakrss: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0) {
        perror("peakrss: wait4");
        return 2;
    }
    FILE *out = fopen(argv[1], "w");
    if (!out || fprintf(out, "%ld\n", ru.ru_maxrss) < 0 || fclose(out) != 0) {
        perror(argv[1]);
        return 2;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* bench/peakrss.c - runs a command and reports its own peak resident set
 * and its wall time.
 *
 *   peakrss OUT CMD [ARGS...]
 *
 * Runs CMD with ARGS (stdin, stdout and stderr are CMD's), waits for it and
 * writes one line to the file OUT: its peak RSS in KiB (wait4's ru_maxrss)
 * and the seconds from just before fork to its exit; exits with CMD's
 * status (128 + signal if a signal ended it).
 *
 * Why a launcher: Linux carries a process's peak RSS across exec, so a
 * child started from a big process (the Python harness: about 36 MiB)
 * reports at least that much whatever it does.  Started from this small
 * program, the figure is the command's own, plus about 1 MiB.  The wall
 * time is taken here for the same reason: timed from the harness, it would
 * also hold the harness's own spawning and this launcher's start (about 7
 * ms on the bench machine, more than a ganc sampler's whole life).
 */
#define _DEFAULT_SOURCE   /* wait4, clock_gettime */
#include <stdio.h>
#include <time.h>
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
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
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
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double wall = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    FILE *out = fopen(argv[1], "w");
    if (!out || fprintf(out, "%ld %.9f\n", ru.ru_maxrss, wall) < 0 || fclose(out) != 0) {
        perror(argv[1]);
        return 2;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

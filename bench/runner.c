/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench/runner.c: run one command; report its wall time, exit status and peak RSS.
 *
 *   runner [-m] OUTFILE TIMEOUT CMD [ARG...]
 *
 * Writes one line to OUTFILE and exits with STATUS:
 *     SECONDS RSS_KB STATUS
 * SECONDS: CLOCK_MONOTONIC from just before CMD is started until it has exited.
 * STATUS: CMD's exit code, or 128+signal. CMD is killed (SIGKILL, with its process group)
 * after TIMEOUT seconds. stdin, stdout and stderr are inherited.
 *
 * Without -m, CMD is started with posix_spawn and nothing else happens until it is reaped:
 * the timing mode. RSS_KB is then wait4's ru_maxrss, which on this kernel (6.2+, per-cpu
 * RSS counters read without summing) undercounts small processes, down to 0 KB.
 *
 * With -m, CMD and every process it starts run under ptrace, stopped only at exec and at
 * exit (PTRACE_O_TRACEEXIT), where the exact resident set is read from
 * /proc/PID/smaps_rollup (page-table walk) before the memory is released; RSS_KB is the
 * largest value of any single process (like ru_maxrss, not a sum), also taking VmHWM into
 * account. SECONDS then stops at CMD's own exit event; the stops add some 0.1 ms, so use
 * -m for memory, not for timing fast clients. No syscall is traced.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static volatile pid_t child;

static void on_alarm(int sig)
{
    (void)sig;
    if (child > 0) {
        kill(-child, SIGKILL);
        kill(child, SIGKILL);
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* The value in kB of the line "KEY: N kB" in FILE, or 0. */
static long proc_kb(pid_t pid, const char *file, const char *key)
{
    char path[64], line[256];
    size_t n = strlen(key);
    long v = 0;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    f = fopen(path, "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, n) && line[n] == ':') {
            v = strtol(line + n + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

static int traced(char **argv, double *elapsed, long *rss, double t0)
{
    int status, main_status = -1, first = 1;
    long r;
    pid_t pid, w;
    int opts = PTRACE_O_TRACEEXIT | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
               PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;

    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        setpgid(0, 0);
        ptrace(PTRACE_TRACEME, 0, NULL, NULL);
        execvp(argv[0], argv);
        fprintf(stderr, "runner: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    child = pid;
    for (;;) {
        w = waitpid(-1, &status, __WALL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break; /* ECHILD: all gone */
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            if (w == pid) {
                main_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                if (*elapsed == 0)
                    *elapsed = now() - t0;
            }
            continue;
        }
        if (!WIFSTOPPED(status))
            continue;
        int sig = WSTOPSIG(status), event = status >> 16, inject = 0;
        if (sig == SIGTRAP && event == PTRACE_EVENT_EXIT) {
            if (w == pid)
                *elapsed = now() - t0;
            r = proc_kb(w, "smaps_rollup", "Rss");
            if (r > *rss)
                *rss = r;
            r = proc_kb(w, "status", "VmHWM");
            if (r > *rss)
                *rss = r;
        } else if (sig == SIGTRAP && event == 0 && w == pid && first) {
            first = 0;
            ptrace(PTRACE_SETOPTIONS, w, NULL, (void *)(long)opts); /* the first exec */
        } else if (sig == SIGTRAP && event) {
            /* fork, vfork, clone, exec */
        } else if (sig == SIGSTOP) {
            /* a new child's first stop */
        } else {
            inject = sig;
        }
        ptrace(PTRACE_CONT, w, NULL, (void *)(long)inject);
    }
    return main_status;
}

int main(int argc, char **argv)
{
    struct rusage ru;
    struct sigaction sa = {0};
    int status = 0, rc, err, mem = 0;
    pid_t pid;
    FILE *out;
    double timeout, t0, elapsed = 0;
    long rss = 0;

    if (argc > 1 && !strcmp(argv[1], "-m")) {
        mem = 1;
        argv++;
        argc--;
    }
    if (argc < 4) {
        fprintf(stderr, "usage: runner [-m] OUTFILE TIMEOUT CMD [ARG...]\n");
        return 2;
    }
    timeout = atof(argv[2]);
    if (timeout <= 0 || timeout > 3600) {
        fprintf(stderr, "runner: bad timeout %s\n", argv[2]);
        return 2;
    }
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {(time_t)timeout, (suseconds_t)((timeout - (time_t)timeout) * 1e6)}};
    setitimer(ITIMER_REAL, &it, NULL);
    t0 = now();
    if (mem) {
        rc = traced(argv + 3, &elapsed, &rss, t0);
        if (rc < 0) {
            perror("runner");
            return 127;
        }
    } else {
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attr, 0);
        err = posix_spawnp(&pid, argv[3], NULL, &attr, argv + 3, environ);
        if (err) {
            fprintf(stderr, "runner: %s: %s\n", argv[3], strerror(err));
            return 127;
        }
        child = pid;
        while (wait4(pid, &status, 0, &ru) < 0) {
            if (errno != EINTR) {
                perror("runner: wait4");
                return 127;
            }
        }
        elapsed = now() - t0;
        rss = ru.ru_maxrss;
        rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    out = fopen(argv[1], "w");
    if (!out) {
        perror(argv[1]);
        return 127;
    }
    fprintf(out, "%.6f %ld %d\n", elapsed, rss, rc);
    fclose(out);
    return rc;
}

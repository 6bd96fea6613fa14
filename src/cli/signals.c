/*
 * signals.c - SIGINT/SIGTERM handling and stale temporary files (crash safety, issue #7).
 *
 * The handler does the only async-signal-safe thing worth doing: it stores the signal
 * number in a sig_atomic_t. Everything else (removing the temporary file, the message, the
 * exit status 128 + signal) happens in normal context when the run next looks at the flag,
 * so a run stops at a phase boundary or between HDF5 objects and never leaves a partial
 * result. SA_RESTART keeps system calls inside HDF5 and stdio from failing with EINTR.
 * Input reads wait in poll() with a timeout and look at the same flag (ps_io_set_cancel),
 * so a scenario or CSV read from a pipe that stays open stops too (issue #17).
 *
 * A run killed with SIGKILL cannot clean up. The atomic writer names its temporary file
 * "<target>.tmp.<pid>" (src/io/h5out.c), so the next run writing the same target can tell a
 * dead process's leftovers from a live writer's file and remove only the former.
 */
#include "signals.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"

static volatile sig_atomic_t caught; /* signal number, 0 while none arrived */

static void on_signal(int signo)
{
    caught = signo;
}

void cli_signals_install(void)
{
    static const int signals[] = { SIGINT, SIGTERM };
    for (size_t k = 0; k < sizeof signals / sizeof signals[0]; ++k) {
        struct sigaction old, sa;
        if (sigaction(signals[k], NULL, &old) == 0 && old.sa_handler == SIG_IGN) {
            continue;
        }
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(signals[k], &sa, NULL);
    }
}

int cli_interrupted(void)
{
    return (int)caught;
}

const volatile sig_atomic_t *cli_interrupt_flag(void)
{
    return &caught;
}

static const char *signal_name(int signo)
{
    return signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "a signal";
}

ps_status cli_check_interrupt(ps_error *err)
{
    int signo = (int)caught;
    return signo == 0 ? PS_OK : ps_error_set(err, PS_EIO, "interrupted by %s", signal_name(signo));
}

int cli_interrupt_exit(const char *what)
{
    int signo = (int)caught;
    fprintf(stderr, "popsim: interrupted by %s; %s\n", signal_name(signo), what);
    return 128 + signo;
}

/* The pid in "<base>.tmp.<pid>", or 0 when `name` is not such a file. */
static long temp_pid(const char *name, const char *base)
{
    static const char tag[] = ".tmp.";
    size_t blen = strlen(base);
    if (strncmp(name, base, blen) != 0 || strncmp(name + blen, tag, sizeof tag - 1) != 0) {
        return 0;
    }
    const char *digits = name + blen + sizeof tag - 1;
    char *end = NULL;
    errno = 0;
    long pid = strtol(digits, &end, 10);
    if (digits[0] < '0' || digits[0] > '9' || *end != '\0' || errno != 0 || pid <= 0) {
        return 0;
    }
    return pid;
}

int cli_remove_stale_temps(const char *target, int quiet)
{
    const char *slash = strrchr(target, '/');
    char dir[4096];
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
    } else {
        snprintf(dir, sizeof dir, "%.*s", (int)(slash == target ? 1 : slash - target), target);
    }
    const char *base = slash ? slash + 1 : target;
    DIR *d = opendir(dir);
    int removed = 0;
    if (d == NULL) {
        return 0; /* the writer reports a missing folder */
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid = temp_pid(e->d_name, base);
        char path[4096 + 256];
        struct stat st;
        if (pid == 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH) {
            continue;
        }
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) == 0) {
            ++removed;
            cli_log(quiet, "removed %s, left by process %ld which no longer runs", path, pid);
        }
    }
    closedir(d);
    return removed;
}

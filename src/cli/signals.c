/*
 * signals.c - SIGINT/SIGTERM handling and stale temporary files (crash safety, issue #7).
 *
 * The handler does the only async-signal-safe thing worth doing: it stores the signal
 * number in a sig_atomic_t. Everything else (removing the temporary file, the message, the
 * exit status 128 + signal) happens in normal context when the run next looks at the flag,
 * so a run stops at a phase boundary or between HDF5 objects and never leaves a partial
 * result. SA_RESTART keeps system calls inside HDF5 and stdio from failing with EINTR.
 * Input reads wait in poll() with a timeout and ask the same flag through the cancel callback
 * that the run hands to the library per call (cli_cancel: ps_scn_load_with, ps_build_options,
 * ps_run_options; issue #11: the library keeps no process-wide flag), so a scenario or CSV
 * read from a pipe that stays open stops too (issue #17).
 *
 * A run killed with SIGKILL cannot clean up. Every temporary file or folder popsim makes is
 * named ".popsim-<pid>-XXXXXX" (popsim/outfile.h), so the next run writing to the same folder
 * can tell a dead process's leftovers from a live writer's and remove only the former, and
 * only entries of its own user, never following a link.
 */
#include "signals.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "cli.h"
#include "popsim/outfile.h"

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


static const char *signal_name(int signo)
{
    return signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "a signal";
}

ps_status cli_check_interrupt(ps_error *err)
{
    int signo = (int)caught;
    return signo == 0 ? PS_OK : ps_error_set(err, PS_EIO, "interrupted by %s", signal_name(signo));
}

static ps_status on_cancel_check(void *ctx, ps_error *err)
{
    (void)ctx;
    return cli_check_interrupt(err);
}

ps_cancel cli_cancel(void)
{
    ps_cancel c = { .fn = on_cancel_check, .ctx = NULL };
    return c;
}

int cli_interrupt_exit(const char *what)
{
    int signo = (int)caught;
    fprintf(stderr, "popsim: interrupted by %s; %s\n", signal_name(signo), what);
    return 128 + signo;
}

/* A temporary entry's pid if it was left by a process of this user that no longer runs. */
static long stale_pid(int dirfd, const char *name, struct stat *st)
{
    long pid = ps_outfile_temp_pid(name);
    if (pid == 0 || pid == (long)getpid() || fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) != 0 ||
        st->st_uid != geteuid() || (kill((pid_t)pid, 0) == 0 || errno != ESRCH)) {
        return 0;
    }
    return pid;
}

/* Remove a temporary folder: the entries in it other than folders (a link is removed, never
 * followed), then the folder. */
static int remove_temp_dir(int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    struct dirent *e;
    struct stat st;
    if (d == NULL) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode)) {
            unlinkat(fd, e->d_name, 0);
        }
    }
    closedir(d);
    return unlinkat(dirfd, name, AT_REMOVEDIR);
}

int cli_remove_temp_dir(const char *path)
{
    return remove_temp_dir(AT_FDCWD, path);
}

int cli_remove_stale_temps_in(const char *dir, int quiet)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    int removed = 0;
    struct dirent *e;
    if (d == NULL) {
        if (fd >= 0) {
            close(fd);
        }
        return 0; /* the writer reports a missing folder */
    }
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        long pid = stale_pid(fd, e->d_name, &st);
        int gone = pid != 0 && ((S_ISREG(st.st_mode) && unlinkat(fd, e->d_name, 0) == 0) ||
                                (S_ISDIR(st.st_mode) && remove_temp_dir(fd, e->d_name) == 0));
        if (gone) {
            ++removed;
            cli_log(quiet, "removed %s/%s, left by process %ld which no longer runs", dir,
                    e->d_name, pid);
        }
    }
    closedir(d);
    return removed;
}

/* The folder of `path` into buf ("." when it has none). */
static void folder_of(char *buf, size_t size, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        snprintf(buf, size, ".");
    } else {
        snprintf(buf, size, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    }
}

int cli_remove_stale_temps(const char *target, int quiet)
{
    char dir[PATH_MAX], real_dir[PATH_MAX];
    char *real = realpath(target, NULL); /* a link's temporaries are beside its target */
    folder_of(dir, sizeof dir, target);
    int removed = cli_remove_stale_temps_in(dir, quiet);
    if (real != NULL) {
        folder_of(real_dir, sizeof real_dir, real);
        char *a = realpath(dir, NULL), *b = realpath(real_dir, NULL);
        if (a != NULL && b != NULL && strcmp(a, b) != 0) {
            removed += cli_remove_stale_temps_in(real_dir, quiet);
        }
        free(a);
        free(b);
        free(real);
    }
    return removed;
}

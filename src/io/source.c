/*
 * source.c - opening and reading input files by reading (issue #17).
 * The file is opened with O_NONBLOCK, so opening a FIFO never waits for its writer, and
 * every read is preceded by poll(): a regular or /proc file is always ready, a pipe is
 * ready when data or the end arrives. Linux reports no end (POLLHUP) on a FIFO until a
 * writer has come and gone, which is the "wait for a writer" a blocking open would give,
 * but here with a timeout: each PS_IO_CANCEL_LATENCY_MS the caller's cancel callback is asked.
 * poll() is never restarted after a signal handler (signal(7)), so SA_RESTART handlers
 * still wake it at once; the timeout covers a signal that lands just before the call.
 */
#include "source_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "popsim/io.h"

struct ps_src {
    int fd;
    char *path;
    ps_cancel cancel; /* the caller's, per source (issue #11); fn NULL: never cancelled */
};

int ps_src__open(ps_src **out, const char *path, const ps_cancel *cancel)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    struct stat st;
    int why = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
    if (why != 0) {
        close(fd);
        return why;
    }
    ps_src *s = calloc(1, sizeof *s);
    size_t n = strlen(path) + 1;
    if (s == NULL || (s->path = malloc(n)) == NULL) {
        free(s);
        close(fd);
        return ENOMEM;
    }
    memcpy(s->path, path, n);
    s->fd = fd;
    if (cancel != NULL) {
        s->cancel = *cancel;
    }
    *out = s;
    return 0;
}

long ps_src__read(ps_src *s, void *buf, size_t n, ps_error *err)
{
    for (;;) {
        ps_status why = ps_cancel_check(&s->cancel, err);
        if (why != PS_OK) {
            ps_error_set_at(err, why, s->path, 0, 0, "interrupted while reading");
            return -1;
        }
        struct pollfd p = { .fd = s->fd, .events = POLLIN, .revents = 0 };
        int ready = poll(&p, 1, PS_IO_CANCEL_LATENCY_MS);
        if (ready < 0 && errno != EINTR) {
            ps_error_set_at(err, PS_EIO, s->path, 0, 0, "cannot wait for data: %s",
                            strerror(errno));
            return -1;
        }
        if (ready <= 0) {
            continue; /* timeout or a signal: look at the flag again */
        }
        ssize_t got = read(s->fd, buf, n);
        if (got >= 0) {
            return (long)got;
        }
        if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
            ps_error_set_at(err, PS_EIO, s->path, 0, 0, "cannot read the file: %s",
                            strerror(errno));
            return -1;
        }
    }
}

const char *ps_src__path(const ps_src *s)
{
    return s->path;
}

void ps_src__close(ps_src *s)
{
    if (s == NULL) {
        return;
    }
    close(s->fd);
    free(s->path);
    free(s);
}

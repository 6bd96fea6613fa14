/*
 * outfile.c - every file popsim creates goes through here (issue #17, section 1; the rules
 * are in popsim/outfile.h and docs/errors.md). The target is classified with lstat before
 * anything is written, a symbolic link is resolved once with realpath, and the temporary is
 * created exclusively (O_CREAT|O_EXCL|O_NOFOLLOW) under a random name in the final target's
 * folder, so rename(2) is atomic and a file or link planted in a shared folder is never
 * opened. The identity (device, inode) of the temporary is kept so that only that file is
 * ever renamed or removed.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fsync, realpath, mkdtemp, O_NOFOLLOW, O_CLOEXEC */
#endif

#include "popsim/outfile.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/str_int.h"

/* Temporary names: TEMP_PREFIX, the pid in decimal, '-', TEMP_RANDOM random characters. */
#define TEMP_PREFIX ".popsim-"
#define TEMP_RANDOM 6
/* Attempts at a fresh random name before giving up (each collides only with a planted or
 * concurrent file of the same name). */
#define TEMP_ATTEMPTS 64
/* Permission bits of a new file before the umask, as fopen(3) would use. */
#define NEW_FILE_MODE 0666
/* Links followed in a chain before giving up (Linux's limit, ELOOP). */
#define LINK_HOPS_MAX 40
/* Bytes per read when copying a file. */
#define COPY_CHUNK 65536

struct ps_outfile {
    char *given;  /* the target as the caller named it, for messages */
    char *target; /* what the rename replaces: `given`, or a link's final target */
    char *dir;    /* folder of `target` */
    char *temp;   /* dir + "/" + temporary name */
    int fd;       /* on temp, -1 once closed */
    FILE *stream; /* on fd, or NULL */
    dev_t dev;    /* identity of temp */
    ino_t ino;
    ps_cancel cancel; /* asked before the rename (ps_outfile_set_cancel); fn NULL: never */
};

void ps_outfile_set_cancel(ps_outfile *f, const ps_cancel *cancel)
{
    if (cancel != NULL) {
        f->cancel = *cancel;
    } else {
        f->cancel.fn = NULL;
        f->cancel.ctx = NULL;
    }
}

/* The folder part of `path`: "." when it has no slash, "/" for a file in the root. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL) {
        return ps__strndup(".", 1);
    }
    return ps__strndup(path, slash == path ? 1 : (size_t)(slash - path));
}

static const char *kind_of(mode_t mode)
{
    return S_ISDIR(mode)    ? "a folder"
           : S_ISCHR(mode)  ? "a character device"
           : S_ISBLK(mode)  ? "a block device"
           : S_ISFIFO(mode) ? "a FIFO (named pipe)"
           : S_ISSOCK(mode) ? "a socket"
                            : "not a regular file";
}

static ps_status refuse(ps_error *err, const char *given, const char *what)
{
    return ps_error_set_at(err, PS_EIO, given, 0, 0,
                           "the output path is %s; popsim writes only to a regular file or a "
                           "new name (docs/errors.md)", what);
}

/* The owner of the first link in the chain of links that `path` starts (a link, the link it
 * names, ...) that does not belong to this user, or -1 when each one does. Links among the
 * folders of a path are the kernel's business (fs.protected_symlinks). */
static long foreign_link_owner(const char *path)
{
    char *cur = ps__strndup(path, strlen(path)), buf[PATH_MAX];
    struct stat st;
    long owner = -1;
    for (int hop = 0; hop < LINK_HOPS_MAX && cur != NULL && owner < 0 &&
                      lstat(cur, &st) == 0 && S_ISLNK(st.st_mode); ++hop) {
        ssize_t n = st.st_uid == geteuid() ? readlink(cur, buf, sizeof buf - 1) : -1;
        char *next = NULL, *dir = NULL;
        if (st.st_uid != geteuid()) {
            owner = (long)st.st_uid;
        } else if (n >= 0) {
            buf[n] = '\0';
            size_t len = 0;
            if (buf[0] != '/' && (dir = dir_of(cur)) != NULL) {
                len = strlen(dir) + 1 + (size_t)n + 1;
                if ((next = malloc(len)) != NULL) {
                    snprintf(next, len, "%s/%s", dir, buf);
                }
            } else if (buf[0] == '/') {
                next = ps__strndup(buf, (size_t)n);
            }
        }
        free(dir);
        free(cur);
        cur = next;
    }
    free(cur);
    return owner;
}

/* The rules of popsim/outfile.h: *target_out is what the rename will replace. */
static ps_status resolve_target(char **target_out, const char *given, ps_error *err)
{
    struct stat st;
    *target_out = NULL;
    if (lstat(given, &st) != 0) {
        if (errno != ENOENT) {
            return ps_error_set_at(err, PS_EIO, given, 0, 0, "cannot check the output path: %s",
                                   strerror(errno));
        }
        *target_out = ps__strndup(given, strlen(given));
        return *target_out != NULL ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (S_ISDIR(st.st_mode)) {
        return ps_error_set_at(err, PS_EIO, given, 0, 0, "the output path is a directory; give "
                               "a file name such as '%s/result.h5'", given);
    }
    long owner = S_ISLNK(st.st_mode) ? foreign_link_owner(given) : -1;
    if (owner >= 0) {
        return ps_error_set_at(err, PS_EIO, given, 0, 0,
                               "the output path is a symbolic link that belongs to another user "
                               "(uid %ld) or leads through one; popsim follows only links of "
                               "the user it runs as", owner);
    }
    if (S_ISLNK(st.st_mode)) {
        char *real = realpath(given, NULL);
        if (real == NULL) {
            return ps_error_set_at(err, PS_EIO, given, 0, 0,
                                   "the output path is a symbolic link to a file that does not "
                                   "exist (%s); popsim writes through a link only to an "
                                   "existing regular file", strerror(errno));
        }
        if (stat(real, &st) != 0 || !S_ISREG(st.st_mode)) {
            ps_status rc = ps_error_set_at(err, PS_EIO, given, 0, 0,
                                           "the output path is a symbolic link to '%s', which "
                                           "is %s; popsim writes through a link only to an "
                                           "existing regular file", real, kind_of(st.st_mode));
            free(real);
            return rc;
        }
        *target_out = real;
        return PS_OK;
    }
    if (!S_ISREG(st.st_mode)) {
        return refuse(err, given, kind_of(st.st_mode));
    }
    *target_out = ps__strndup(given, strlen(given));
    return *target_out != NULL ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory");
}

/* TEMP_RANDOM characters from /dev/urandom, or from the clock and a counter without it. A
 * guessed name costs the writer one more attempt, never a followed link (O_EXCL). */
static void random_chars(char *out, unsigned attempt)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    unsigned char bytes[TEMP_RANDOM];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, bytes, sizeof bytes) != (ssize_t)sizeof bytes) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ (uint64_t)getpid() ^
                     ((uint64_t)attempt << 40);
        for (int k = 0; k < TEMP_RANDOM; ++k) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL; /* Knuth's MMIX LCG */
            bytes[k] = (unsigned char)(x >> 56);
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    for (int k = 0; k < TEMP_RANDOM; ++k) {
        out[k] = alphabet[bytes[k] % (sizeof alphabet - 1)];
    }
    out[TEMP_RANDOM] = '\0';
}

/* "dir/.popsim-<pid>-" with room for TEMP_RANDOM more characters; NULL when out of memory. */
static char *temp_stem(const char *dir, size_t *len_out)
{
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    size_t len = strlen(dir) + 1 + strlen(TEMP_PREFIX) + strlen(pid) + 1;
    char *p = malloc(len + TEMP_RANDOM + 1);
    if (p != NULL) {
        snprintf(p, len + 1, "%s/%s%s-", dir, TEMP_PREFIX, pid);
    }
    *len_out = len;
    return p;
}

static ps_status create_temp(ps_outfile *f, ps_error *err)
{
    size_t stem = 0;
    struct stat st;
    if ((f->temp = temp_stem(f->dir, &stem)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (unsigned attempt = 0; attempt < TEMP_ATTEMPTS && f->fd < 0; ++attempt) {
        random_chars(f->temp + stem, attempt);
        f->fd = open(f->temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, NEW_FILE_MODE);
        if (f->fd < 0 && errno != EEXIST) {
            break;
        }
    }
    if (f->fd < 0) {
        return ps_error_set_at(err, PS_EIO, f->given, 0, 0, "cannot create a temporary file in "
                               "folder '%s': %s", f->dir, strerror(errno));
    }
    if (fstat(f->fd, &st) != 0) {
        return ps_error_set_at(err, PS_EIO, f->given, 0, 0, "cannot check the temporary file "
                               "'%s': %s", f->temp, strerror(errno));
    }
    f->dev = st.st_dev;
    f->ino = st.st_ino;
    return PS_OK;
}

/* A replaced file keeps its permission bits (a planner's 0600 result stays private). */
static void keep_mode(const ps_outfile *f)
{
    struct stat st;
    if (stat(f->target, &st) == 0 && S_ISREG(st.st_mode)) {
        (void)fchmod(f->fd, st.st_mode & (S_IRWXU | S_IRWXG | S_IRWXO));
    }
}

ps_status ps_outfile_open(ps_outfile **out, const char *target, ps_error *err)
{
    ps_outfile *f = calloc(1, sizeof *f);
    struct stat st;
    ps_status rc = PS_OK;
    *out = NULL;
    if (f == NULL || (f->given = ps__strndup(target, strlen(target))) == NULL) {
        free(f);
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    f->fd = -1;
    if (target[0] == '\0') {
        rc = ps_error_set(err, PS_EIO, "the output path is empty");
        goto done;
    }
    if ((rc = resolve_target(&f->target, target, err)) != PS_OK) {
        goto done;
    }
    if ((f->dir = dir_of(f->target)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    if (stat(f->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        rc = ps_error_set_at(err, PS_EIO, target, 0, 0, "cannot write the output file: folder "
                             "'%s' does not exist", f->dir);
        goto done;
    }
    if ((rc = create_temp(f, err)) == PS_OK) {
        keep_mode(f);
    }
done:
    if (rc != PS_OK) {
        ps_outfile_abort(f);
        f = NULL;
    }
    *out = f;
    return rc;
}

const char *ps_outfile_temp_path(const ps_outfile *f)
{
    return f->temp;
}

const char *ps_outfile_target(const ps_outfile *f)
{
    return f->target;
}

FILE *ps_outfile_stream(ps_outfile *f)
{
    if (f->stream == NULL && f->fd >= 0) {
        f->stream = fdopen(f->fd, "w");
    }
    return f->stream;
}

/* 1 if `path` (not followed) is the temporary this object created. */
static int is_ours(const ps_outfile *f, const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_dev == f->dev &&
           st.st_ino == f->ino;
}

ps_status ps_outfile_verify(const ps_outfile *f, ps_error *err)
{
    return is_ours(f, f->temp) ? PS_OK
                               : ps_error_set_at(err, PS_EIO, f->given, 0, 0,
                                                 "the temporary file '%s' was removed or "
                                                 "replaced while popsim wrote it", f->temp);
}

/* Flush, fsync and close the temporary; the first failure is reported. */
static ps_status close_temp(ps_outfile *f, ps_error *err)
{
    ps_status rc = PS_OK;
    const char *fail = NULL;
    int saved = 0;
    if (f->stream != NULL && (fflush(f->stream) != 0 || ferror(f->stream))) {
        fail = "write";
        saved = errno;
    }
    if (fail == NULL && fsync(f->fd) != 0) {
        fail = "sync";
        saved = errno;
    }
    if ((f->stream != NULL ? fclose(f->stream) : close(f->fd)) != 0 && fail == NULL) {
        fail = "close";
        saved = errno;
    }
    f->stream = NULL;
    f->fd = -1;
    if (fail != NULL) {
        rc = ps_error_set_at(err, PS_EIO, f->given, 0, 0, "cannot %s the output file: %s", fail,
                             saved != 0 ? strerror(saved) : "write error");
    }
    return rc;
}

/* fsync a folder so the renamed entry survives a crash; EINVAL means "not supported". */
static ps_status sync_dir(const ps_outfile *f, ps_error *err)
{
    int fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ps_status rc = PS_OK;
    if (fd < 0) {
        rc = ps_error_set_at(err, PS_EIO, f->given, 0, 0, "cannot open folder '%s' to sync it: "
                             "%s", f->dir, strerror(errno));
    } else {
        if (fsync(fd) != 0 && errno != EINVAL) {
            rc = ps_error_set_at(err, PS_EIO, f->given, 0, 0, "cannot sync folder '%s': %s",
                                 f->dir, strerror(errno));
        }
        close(fd);
    }
    return rc;
}

/* The target may have changed since it was checked: check it again just before the rename. */
static ps_status recheck_target(const ps_outfile *f, ps_error *err)
{
    struct stat st;
    if (lstat(f->target, &st) == 0 && !S_ISREG(st.st_mode)) {
        return refuse(err, f->given, kind_of(st.st_mode));
    }
    return PS_OK;
}

ps_status ps_outfile_commit(ps_outfile *f, ps_error *err)
{
    ps_status rc = close_temp(f, err);
    ps_status why = rc == PS_OK ? ps_cancel_check(&f->cancel, err) : PS_OK;
    if (why != PS_OK) {
        rc = ps_error_set_at(err, why, f->given, 0, 0, "interrupted while writing; the "
                             "output file was not written or changed");
    }
    if (rc == PS_OK) {
        rc = ps_outfile_verify(f, err);
    }
    if (rc == PS_OK) {
        rc = recheck_target(f, err);
    }
    if (rc == PS_OK && rename(f->temp, f->target) != 0) {
        rc = ps_error_set_at(err, PS_EIO, f->given, 0, 0, "cannot rename the temporary file "
                             "'%s' over the output file: %s", f->temp, strerror(errno));
    }
    if (rc == PS_OK) {
        free(f->temp); /* renamed: nothing left to remove */
        f->temp = NULL;
        rc = sync_dir(f, err);
    }
    ps_outfile_abort(f);
    return rc;
}

void ps_outfile_abort(ps_outfile *f)
{
    if (f == NULL) {
        return;
    }
    if (f->stream != NULL) {
        fclose(f->stream);
    } else if (f->fd >= 0) {
        close(f->fd);
    }
    if (f->temp != NULL && f->ino != 0 && is_ours(f, f->temp)) {
        unlink(f->temp);
    }
    free(f->given);
    free(f->target);
    free(f->dir);
    free(f->temp);
    free(f);
}

/* Copy an open file into the stream. */
static ps_status copy_fd(FILE *out, int in, const char *source, ps_error *err)
{
    char *buf = malloc(COPY_CHUNK);
    ps_status rc = buf != NULL ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory");
    ssize_t got = 0;
    while (rc == PS_OK && (got = read(in, buf, COPY_CHUNK)) > 0) {
        if (fwrite(buf, 1, (size_t)got, out) != (size_t)got) {
            rc = ps_error_set_at(err, PS_EIO, source, 0, 0, "cannot copy: %s", strerror(errno));
        }
    }
    if (rc == PS_OK && got < 0) {
        rc = ps_error_set_at(err, PS_EIO, source, 0, 0, "cannot read: %s", strerror(errno));
    }
    free(buf);
    return rc;
}

ps_status ps_outfile_copy(const char *target, const char *source, ps_error *err)
{
    return ps_outfile_copy_with(target, source, NULL, err);
}

ps_status ps_outfile_copy_with(const char *target, const char *source, const ps_cancel *cancel,
                               ps_error *err)
{
    ps_outfile *f = NULL;
    FILE *out = NULL;
    struct stat st;
    int in = open(source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ps_status rc = PS_OK;
    if (in < 0 || fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = ps_error_set_at(err, PS_EIO, source, 0, 0, "cannot read: %s",
                             in < 0 ? strerror(errno) : "not a regular file");
        goto done;
    }
    if ((rc = ps_outfile_open(&f, target, err)) != PS_OK) {
        goto done;
    }
    ps_outfile_set_cancel(f, cancel);
    if ((out = ps_outfile_stream(f)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = copy_fd(out, in, source, err)) == PS_OK) {
        rc = ps_outfile_commit(f, err);
        f = NULL;
    }
done:
    ps_outfile_abort(f);
    if (in >= 0) {
        close(in);
    }
    return rc;
}

ps_status ps_outfile_check_inputs(const char *target, const char *const *inputs, int n,
                                  ps_error *err)
{
    struct stat out_st, in_st;
    if (stat(target, &out_st) != 0) {
        return PS_OK; /* a new file cannot be an input */
    }
    for (int k = 0; k < n; ++k) {
        if (inputs[k] != NULL && stat(inputs[k], &in_st) == 0 && in_st.st_dev == out_st.st_dev &&
            in_st.st_ino == out_st.st_ino) {
            return ps_error_set_at(err, PS_EINVAL, target, 0, 0,
                                   "the output file is also an input of this run ('%s'); "
                                   "choose another output name", inputs[k]);
        }
    }
    return PS_OK;
}

ps_status ps_outfile_temp_dir(char **out, const char *parent, ps_error *err)
{
    size_t stem = 0;
    char *path = temp_stem(parent, &stem);
    *out = NULL;
    if (path == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    memset(path + stem, 'X', TEMP_RANDOM);
    path[stem + TEMP_RANDOM] = '\0';
    if (mkdtemp(path) == NULL) {
        ps_status rc = ps_error_set_at(err, PS_EIO, parent, 0, 0, "cannot create a temporary "
                                       "folder: %s", strerror(errno));
        free(path);
        return rc;
    }
    *out = path;
    return PS_OK;
}

long ps_outfile_temp_pid(const char *name)
{
    const size_t plen = strlen(TEMP_PREFIX);
    if (strncmp(name, TEMP_PREFIX, plen) != 0 || name[plen] < '1' || name[plen] > '9') {
        return 0;
    }
    const char *digits = name + plen;
    char *end = NULL;
    errno = 0;
    long pid = strtol(digits, &end, 10);
    if (errno != 0 || pid <= 0 || *end != '-' || strlen(end + 1) != TEMP_RANDOM) {
        return 0;
    }
    for (const char *c = end + 1; *c != '\0'; ++c) {
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9'))) {
            return 0;
        }
    }
    return pid;
}

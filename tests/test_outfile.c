/*
 * test_outfile.c - the one way popsim creates files (popsim/outfile.h, issue #17 section 1):
 * target kinds, the symlink rule, exclusive short temporaries in the target's folder, atomic
 * replacement, write errors (a file size limit gives EFBIG) leaving the target intact,
 * cancellation, input refusal and the temporary-name pattern the stale cleanup relies on.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "test_util.h"

#include "popsim/outfile.h"

/* Longest file name of the usual Linux file systems, bytes. */
#define NAME_MAX_BYTES 255
/* Longest temporary name: ".popsim-" + a 64-bit pid + "-" + 6 characters. */
#define TEMP_NAME_MAX 35
/* A file size limit for the write-error test, bytes, and what is written past it. */
#define SIZE_LIMIT 4096
#define OVER_LIMIT 65536

typedef struct fixture {
    char dir[64];
    char path[PATH_MAX];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return -1;
    }
    snprintf(f->dir, sizeof f->dir, "%s", "/tmp/popsim_outfile_XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/out.txt", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

static void assert_text(const char *path, const char *text)
{
    char buf[256] = "";
    FILE *fp = fopen(path, "r");
    assert_non_null(fp);
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    assert_string_equal(buf, text);
}

/* Entries of `dir` other than "." and "..". */
static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    }
    closedir(d);
    return n;
}

/* Open `target`, write `text` through the stream and commit. */
static ps_status put(const char *target, const char *text, ps_error *err)
{
    ps_outfile *o = NULL;
    ps_status rc = ps_outfile_open(&o, target, err);
    if (rc == PS_OK) {
        fputs(text, ps_outfile_stream(o));
        rc = ps_outfile_commit(o, err);
    }
    return rc;
}

static void test_outfile__temp_is_exclusive_short_and_beside_the_target(void **state)
{
    fixture *f = *state;
    ps_error err;
    ps_outfile *o = NULL;
    write_text(f->path, "old");
    assert_ps_ok(ps_outfile_open(&o, f->path, &err), &err);
    const char *temp = ps_outfile_temp_path(o);
    const char *name = strrchr(temp, '/') + 1;
    assert_int_equal((int)(name - temp - 1), (int)strlen(f->dir)); /* in the target's folder */
    assert_memory_equal(temp, f->dir, strlen(f->dir));
    assert_true(strlen(name) <= TEMP_NAME_MAX);
    assert_int_equal(ps_outfile_temp_pid(name), (long)getpid());
    struct stat st;
    assert_int_equal(lstat(temp, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal((int)st.st_size, 0);
    assert_text(f->path, "old"); /* untouched until the commit */
    fputs("new", ps_outfile_stream(o));
    assert_ps_ok(ps_outfile_commit(o, &err), &err);
    assert_text(f->path, "new");
    assert_int_equal(count_entries(f->dir), 1);
}

static void test_outfile__two_writers_get_different_temporaries(void **state)
{
    fixture *f = *state;
    ps_error err;
    ps_outfile *a = NULL, *b = NULL;
    assert_ps_ok(ps_outfile_open(&a, f->path, &err), &err);
    assert_ps_ok(ps_outfile_open(&b, f->path, &err), &err);
    assert_string_not_equal(ps_outfile_temp_path(a), ps_outfile_temp_path(b));
    ps_outfile_abort(a);
    ps_outfile_abort(b);
    assert_int_equal(count_entries(f->dir), 0);
}

static void test_outfile__target_name_of_255_bytes_works(void **state)
{
    fixture *f = *state;
    ps_error err;
    char name[NAME_MAX_BYTES + 1], path[PATH_MAX];
    memset(name, 'n', NAME_MAX_BYTES);
    name[NAME_MAX_BYTES] = '\0';
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    assert_ps_ok(put(path, "long", &err), &err);
    assert_text(path, "long");
    assert_int_equal(count_entries(f->dir), 1);
}

static void test_outfile__refuses_folder_device_fifo_and_socket(void **state)
{
    fixture *f = *state;
    ps_error err;
    ps_outfile *o = NULL;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    char fifo[PATH_MAX], sock_path[sizeof addr.sun_path];
    snprintf(fifo, sizeof fifo, "%s/fifo", f->dir);
    snprintf(sock_path, sizeof sock_path, "%.64s/sock", f->dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    memcpy(addr.sun_path, sock_path, sizeof sock_path);
    assert_int_equal(bind(sock, (const struct sockaddr *)&addr, sizeof addr), 0);
    static const struct {
        const char *path; /* NULL: use the fixture's */
        const char *says;
    } cases[] = {
        { "/dev/null", "is a character device" },
        { NULL, "is a FIFO" },
        { "", "is a socket" },
        { "/", "is a directory" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        const char *p = cases[k].path == NULL ? fifo : cases[k].path[0] == '\0' ? sock_path
                                                                               : cases[k].path;
        assert_int_equal(ps_outfile_open(&o, p, &err), PS_EIO);
        assert_null(o);
        assert_string_equal(err.path, p);
        if (strstr(err.msg, cases[k].says) == NULL) {
            fail_msg("%s: '%s' lacks '%s'", p, err.msg, cases[k].says);
        }
    }
    close(sock);
    struct stat st;
    assert_int_equal(stat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    assert_int_equal(count_entries(f->dir), 2); /* fifo and sock, no temporary */
}

static void test_outfile__own_link_replaces_its_target_and_stays(void **state)
{
    fixture *f = *state;
    ps_error err;
    char link[PATH_MAX];
    snprintf(link, sizeof link, "%s/link.txt", f->dir);
    write_text(f->path, "old");
    assert_int_equal(symlink("out.txt", link), 0);
    assert_ps_ok(put(link, "through the link", &err), &err);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_text(f->path, "through the link");
    assert_int_equal(count_entries(f->dir), 2);
}

static void test_outfile__dangling_link_and_link_to_device_refused(void **state)
{
    fixture *f = *state;
    ps_error err;
    ps_outfile *o = NULL;
    char link[PATH_MAX], dev[PATH_MAX], gone[PATH_MAX];
    snprintf(link, sizeof link, "%s/dangling", f->dir);
    snprintf(gone, sizeof gone, "%s/nowhere", f->dir);
    snprintf(dev, sizeof dev, "%s/null", f->dir);
    assert_int_equal(symlink(gone, link), 0);
    assert_int_equal(symlink("/dev/null", dev), 0);
    assert_int_equal(ps_outfile_open(&o, link, &err), PS_EIO);
    assert_non_null(strstr(err.msg, "symbolic link to a file that does not exist"));
    assert_int_equal(ps_outfile_open(&o, dev, &err), PS_EIO);
    assert_non_null(strstr(err.msg, "which is a character device"));
    assert_int_equal(access(gone, F_OK), -1);
    assert_int_equal(count_entries(f->dir), 2);
}

static void test_outfile__abort_removes_temp_and_keeps_target(void **state)
{
    fixture *f = *state;
    ps_error err;
    ps_outfile *o = NULL;
    write_text(f->path, "old");
    assert_ps_ok(ps_outfile_open(&o, f->path, &err), &err);
    fputs("half", ps_outfile_stream(o));
    ps_outfile_abort(o);
    ps_outfile_abort(NULL);
    assert_text(f->path, "old");
    assert_int_equal(count_entries(f->dir), 1);
}

static void test_outfile__write_error_is_reported_and_target_kept(void **state)
{
    fixture *f = *state;
    ps_error err;
    ps_outfile *o = NULL;
    struct rlimit old_limit, limit;
    write_text(f->path, "old");
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    limit = old_limit;
    limit.rlim_cur = SIZE_LIMIT;
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN); /* EFBIG instead of the signal */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &limit), 0);
    assert_ps_ok(ps_outfile_open(&o, f->path, &err), &err);
    FILE *fp = ps_outfile_stream(o);
    for (int k = 0; k < OVER_LIMIT; ++k) {
        fputc('x', fp);
    }
    ps_status rc = ps_outfile_commit(o, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old_limit), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(rc, PS_EIO);
    assert_string_equal(err.path, f->path);
    assert_non_null(strstr(err.msg, strerror(EFBIG)));
    assert_text(f->path, "old");
    assert_int_equal(count_entries(f->dir), 1);
}

/* A cancel callback over a flag of its own (issue #11: per file, no process-wide flag). */
static ps_status flag_cancel(void *ctx, ps_error *err)
{
    const volatile sig_atomic_t *flag = ctx;
    return *flag == 0 ? PS_OK : ps_error_set(err, PS_EIO, "interrupted by signal %d", (int)*flag);
}

static void test_outfile__cancelled_commit_keeps_target(void **state)
{
    fixture *f = *state;
    ps_error err;
    volatile sig_atomic_t flag = SIGINT;
    ps_cancel cancel = { .fn = flag_cancel, .ctx = (void *)&flag };
    ps_outfile *o = NULL;
    write_text(f->path, "old");
    assert_ps_ok(ps_outfile_open(&o, f->path, &err), &err);
    ps_outfile_set_cancel(o, &cancel);
    fputs("new", ps_outfile_stream(o));
    ps_status rc = ps_outfile_commit(o, &err);
    assert_int_equal(rc, PS_EIO);
    assert_non_null(strstr(err.msg, "interrupted"));
    assert_text(f->path, "old");
    assert_int_equal(count_entries(f->dir), 1);
    /* Another file of the same process, without the callback, is not cancelled. */
    assert_ps_ok(put(f->path, "new", &err), &err);
    assert_text(f->path, "new");
}

/* ps_outfile_copy_with: cancelled, the target keeps its bytes; a zero flag lets it through. */
static void test_outfile__copy_with_cancel_is_per_call(void **state)
{
    fixture *f = *state;
    ps_error err;
    char source[PATH_MAX];
    volatile sig_atomic_t stop = SIGTERM, go = 0;
    ps_cancel stop_cancel = { .fn = flag_cancel, .ctx = (void *)&stop };
    ps_cancel go_cancel = { .fn = flag_cancel, .ctx = (void *)&go };
    snprintf(source, sizeof source, "%s/source", f->dir);
    write_text(source, "copied");
    write_text(f->path, "old");
    assert_int_equal(ps_outfile_copy_with(f->path, source, &stop_cancel, &err), PS_EIO);
    assert_non_null(strstr(err.msg, "interrupted"));
    assert_text(f->path, "old");
    assert_ps_ok(ps_outfile_copy_with(f->path, source, &go_cancel, &err), &err);
    assert_text(f->path, "copied");
    assert_int_equal(count_entries(f->dir), 2);
}

static void test_outfile__input_refused_also_through_a_link(void **state)
{
    fixture *f = *state;
    ps_error err;
    char link[PATH_MAX], other[PATH_MAX], fresh[PATH_MAX];
    snprintf(link, sizeof link, "%s/link", f->dir);
    snprintf(other, sizeof other, "%s/other", f->dir);
    snprintf(fresh, sizeof fresh, "%s/fresh", f->dir);
    write_text(f->path, "scenario");
    write_text(other, "other");
    assert_int_equal(symlink(f->path, link), 0);
    const char *inputs[] = { NULL, other, f->path };
    assert_int_equal(ps_outfile_check_inputs(link, inputs, 3, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "is also an input of this run"));
    assert_string_equal(err.path, link);
    assert_ps_ok(ps_outfile_check_inputs(fresh, inputs, 3, &err), &err);
    assert_ps_ok(ps_outfile_check_inputs(other, inputs, 2 - 1, &err), &err);
}

static void test_outfile__temp_pid_recognises_only_its_pattern(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        long pid;
    } cases[] = {
        { ".popsim-1234-aB3dE9", 1234 },
        { ".popsim-1-zzzzzz", 1 },
        { ".popsim-1234-aB3dE", 0 },   /* 5 random characters */
        { ".popsim-1234-aB3dE90", 0 }, /* 7 */
        { ".popsim-1234-aB3d.9", 0 },
        { ".popsim-0-aB3dE9", 0 },
        { ".popsim--1-aB3dE9", 0 },
        { ".popsim-12x4-aB3dE9", 0 },
        { "popsim-1234-aB3dE9", 0 },
        { "out.h5.tmp.1234", 0 },
        { ".popsim-99999999999999999999-aB3dE9", 0 }, /* overflows a long */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        if (ps_outfile_temp_pid(cases[k].name) != cases[k].pid) {
            fail_msg("'%s': %ld, expected %ld", cases[k].name, ps_outfile_temp_pid(cases[k].name),
                     cases[k].pid);
        }
    }
}

static void test_outfile__temp_dir_is_private_and_recognised(void **state)
{
    fixture *f = *state;
    ps_error err;
    char *dir = NULL;
    struct stat st;
    assert_ps_ok(ps_outfile_temp_dir(&dir, f->dir, &err), &err);
    assert_int_equal(lstat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal((int)(st.st_mode & 0777), 0700);
    assert_int_equal(ps_outfile_temp_pid(strrchr(dir, '/') + 1), (long)getpid());
    assert_int_equal(rmdir(dir), 0);
    free(dir);
}

static void test_outfile__copy_refuses_a_link_as_source(void **state)
{
    fixture *f = *state;
    ps_error err;
    char src[PATH_MAX], link[PATH_MAX], dst[PATH_MAX];
    snprintf(src, sizeof src, "%s/src", f->dir);
    snprintf(link, sizeof link, "%s/src_link", f->dir);
    snprintf(dst, sizeof dst, "%s/dst", f->dir);
    write_text(src, "chart data");
    assert_int_equal(symlink(src, link), 0);
    assert_int_equal(ps_outfile_copy(dst, link, &err), PS_EIO);
    assert_int_equal(access(dst, F_OK), -1);
    assert_ps_ok(ps_outfile_copy(dst, src, &err), &err);
    assert_text(dst, "chart data");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_outfile__temp_is_exclusive_short_and_beside_the_target, setup, teardown),
        cmocka_unit_test_setup_teardown(test_outfile__two_writers_get_different_temporaries,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_outfile__target_name_of_255_bytes_works, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_outfile__refuses_folder_device_fifo_and_socket,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_outfile__own_link_replaces_its_target_and_stays,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_outfile__dangling_link_and_link_to_device_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_outfile__abort_removes_temp_and_keeps_target, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_outfile__write_error_is_reported_and_target_kept,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_outfile__cancelled_commit_keeps_target, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_outfile__copy_with_cancel_is_per_call, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_outfile__input_refused_also_through_a_link, setup,
                                        teardown),
        cmocka_unit_test(test_outfile__temp_pid_recognises_only_its_pattern),
        cmocka_unit_test_setup_teardown(test_outfile__temp_dir_is_private_and_recognised, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_outfile__copy_refuses_a_link_as_source, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("outfile", tests, NULL, NULL);
}

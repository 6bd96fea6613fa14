/*
 * test_util.h - helpers shared by the cmocka tests: a double-precision closeness check
 * (cmocka 1.1.5's float assert is single precision) and builders for tiny inputs.
 */
#ifndef PS_TEST_UTIL_H
#define PS_TEST_UTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "popsim/scenario.h"

#define assert_close(actual, expected, rel_tol)                                                \
    do {                                                                                       \
        const double a_ = (actual), e_ = (expected);                                           \
        if (!(fabs(a_ - e_) <= (rel_tol) * fmax(1.0, fabs(e_)))) {                             \
            fail_msg("%s = %.17g, expected %.17g (rel tol %g)", #actual, a_, e_,             \
                     (double)(rel_tol));                                                       \
        }                                                                                      \
    } while (0)

/* Assert a ps_status is PS_OK, printing the error record otherwise. */
#define assert_ps_ok(call, errp)                                                               \
    do {                                                                                       \
        ps_status st_ = (call);                                                                \
        if (st_ != PS_OK) {                                                                    \
            char buf_[2048];                                                                   \
            fail_msg("%s failed: %s", #call, ps_error_format((errp), buf_, sizeof buf_));     \
        }                                                                                      \
    } while (0)

/* A new empty folder /tmp/popsim_<tag>_XXXXXX in dir (size bytes); 0, or -1 on failure. */
static inline int test_make_dir(char *dir, size_t size, const char *tag)
{
    snprintf(dir, size, "/tmp/popsim_%s_XXXXXX", tag);
    return mkdtemp(dir) != NULL ? 0 : -1;
}

/* Remove a folder made by test_make_dir with everything in it; 0, or -1 on failure. */
static inline int test_remove_dir(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The whole file at `path`, NUL-terminated, in a buffer the caller frees; its length in bytes
 * in *len_out unless len_out is NULL. Fails the test if the file cannot be read. */
static inline char *test_slurp(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long size = -1;
    if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 &&
        fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)size + 1)) != NULL &&
        fread(text, 1, (size_t)size, f) == (size_t)size) {
        text[size] = '\0';
    } else {
        free(text);
        text = NULL;
    }
    if (f != NULL) {
        fclose(f);
    }
    if (text == NULL) {
        fail_msg("cannot read '%s'", path);
    }
    if (len_out != NULL) {
        *len_out = (size_t)size;
    }
    return text;
}

/* A scenario of China from 2025 to 2040 (`name`, `start`, `end`, `data: location`, lines 1-5)
 * followed by `body`, written to /tmp/popsim_<tag>_<pid>.yaml; its path goes into path. */
static inline const char *test_china_scenario(char *path, size_t size, const char *tag,
                                              const char *body)
{
    snprintf(path, size, "/tmp/popsim_%s_%ld.yaml", tag, (long)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "name: %s\nstart: 2025\nend: 2040\ndata:\n  location: China\n%s", tag, body);
    fclose(f);
    return path;
}

/* Loading the scenario file `path` is refused (PS_EINVAL) at line `line` (not checked if 0)
 * with a message containing `words`; the file is then removed. The error, for more checks. */
static inline ps_error test_scn_refused(const char *path, long line, const char *words)
{
    ps_scenario scn;
    ps_error err;
    ps_error_clear(&err);
    assert_int_equal(ps_scn_load(&scn, path, &err), PS_EINVAL);
    if (line != 0) {
        assert_int_equal(err.line, line);
    }
    if (strstr(err.msg, words) == NULL) {
        fail_msg("'%s' does not say '%s'", err.msg, words);
    }
    remove(path);
    return err;
}

#endif /* PS_TEST_UTIL_H */

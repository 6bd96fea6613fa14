/*
 * test_core.c - small core pieces: SHA-256 against the FIPS 180-4 example vectors, the
 * compiler-style error format, and the CSV reader's handling of BOM, CRLF, quotes and
 * strict numbers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/csv_int.h"
#include "popsim/error.h"
#include "popsim/sha256.h"
#include "test_util.h"

static void test_core__sha256_matches_fips_180_4_vectors(void **state)
{
    (void)state;
    char hex[65];
    ps_sha256_hex(hex, "abc", 3);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    ps_sha256_hex(hex, "", 0);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    ps_sha256_hex(hex, two_blocks, strlen(two_blocks));
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *million = malloc(1000000);
    memset(million, 'a', 1000000);
    ps_sha256_hex(hex, million, 1000000);
    free(million);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* Issue #17: what a terminal would interpret becomes visible text; other UTF-8 stays. */
static void test_core__text_escape_makes_terminal_controls_visible(void **state)
{
    (void)state;
    char buf[256];
    assert_string_equal(ps_text_escape(buf, sizeof buf, "a\x1b[31mb\x07" "c\x7f"),
                        "a\\x1B[31mb\\x07c\\x7F");
    /* C1 CSI (U+009B), right-to-left override (U+202E), first strong isolate (U+2068) */
    assert_string_equal(ps_text_escape(buf, sizeof buf, "x\xc2\x9by\xe2\x80\xaez\xe2\x81\xa8"),
                        "x\\u{009B}y\\u{202E}z\\u{2068}");
    /* a Chinese place name and a non-breaking space (U+00A0) pass unchanged */
    assert_string_equal(ps_text_escape(buf, sizeof buf, "\xe5\x8c\x97\xe4\xba\xac\xc2\xa0"),
                        "\xe5\x8c\x97\xe4\xba\xac\xc2\xa0");
    assert_string_equal(ps_text_escape(buf, sizeof buf, "bad \xff byte\nline"),
                        "bad \\xFF byte\\nline");
    /* truncation keeps whole characters: 4 bytes hold one 3-byte character, not two */
    assert_string_equal(ps_text_escape(buf, 6, "\xe5\x8c\x97\xe4\xba\xac"), "\xe5\x8c\x97");
    assert_string_equal(ps_text_escape(buf, sizeof buf, NULL), "");
}

static void test_core__errors_format_like_a_compiler(void **state)
{
    (void)state;
    ps_error err;
    char buf[2048];
    ps_error_set_at(&err, PS_EINVAL, "s.yaml", 4, 7, "fertility.tfr = %g is outside [0, 10]", -1.2);
    assert_string_equal(ps_error_format(&err, buf, sizeof buf),
                        "s.yaml:4:7: error: fertility.tfr = -1.2 is outside [0, 10]");
    ps_error_prepend(&err, "while loading %s: ", "inputs");
    assert_string_equal(ps_error_format(&err, buf, sizeof buf),
                        "s.yaml:4:7: error: while loading inputs: fertility.tfr = -1.2 is outside "
                        "[0, 10]");
    assert_int_equal(ps_error_set(&err, PS_EIO, "no file"), PS_EIO);
    assert_string_equal(ps_error_format(&err, buf, sizeof buf), "error: no file");
    assert_int_equal(ps_error_set(NULL, PS_ENOMEM, "x"), PS_ENOMEM);
}

/* A located-error helper of the kind the scenario readers write, over ps_error_vset_at. */
static ps_status located(ps_error *err, ps_status code, long line, const char *fmt, ...)
    PS_PRINTF(4, 5);
static ps_status located(ps_error *err, ps_status code, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ps_status rc = ps_error_vset_at(err, code, "u.csv", line, 3, fmt, ap);
    va_end(ap);
    return rc;
}

static void test_core__error_vset_at_formats_before_clearing(void **state)
{
    (void)state;
    ps_error err;
    char buf[2048];
    assert_int_equal(located(&err, PS_EPARSE, 12, "lo95 = %g in %d", 0.0237, 2050), PS_EPARSE);
    assert_int_equal(err.code, PS_EPARSE);
    assert_string_equal(ps_error_format(&err, buf, sizeof buf),
                        "u.csv:12:3: error: lo95 = 0.0237 in 2050");
    /* the record's own message as an argument is read before the record is cleared */
    assert_int_equal(located(&err, PS_EINVAL, 14, "while checking: %s", err.msg), PS_EINVAL);
    assert_string_equal(err.msg, "while checking: lo95 = 0.0237 in 2050");
    assert_int_equal(err.line, 14);
    assert_int_equal(located(NULL, PS_ENOMEM, 1, "x"), PS_ENOMEM);
}

static void write_tmp(char *path, const char *bytes, size_t n)
{
    strcpy(path, "/tmp/popsim_csv_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, bytes, n), (ssize_t)n);
    close(fd);
}

static void test_core__csv_reader_strips_bom_and_crlf_and_splits_quotes(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBF" "a,b,c\r\n1,\"x, \"\"y\"\"\",2.5\r\n";
    static const char *const header[] = { "a", "b", "c" };
    char path[64];
    write_tmp(path, text, sizeof text - 1);
    ps_csv *c = NULL;
    ps_error err;
    assert_ps_ok(ps_csv__open(&c, path, &err), &err);
    assert_ps_ok(ps_csv__expect_header(c, header, 3, &err), &err);
    char *line = NULL;
    size_t len = 0;
    assert_int_equal(ps_csv__next_line(c, &line, &len, &err), 1);
    ps_csv_row row;
    assert_ps_ok(ps_csv__split(c, line, &row, &err), &err);
    assert_int_equal(row.n, 3);
    assert_string_equal(row.field[1], "x, \"y\"");
    assert_int_equal(row.column[2], 14);
    double v = 0.0;
    assert_ps_ok(ps_csv__double(&v, c, &row, 2, "c", &err), &err);
    assert_close(v, 2.5, 0);
    assert_int_equal(ps_csv__next_line(c, &line, &len, &err), 0);
    ps_csv__close(c);
    unlink(path);
}

static void test_core__csv_numbers_are_strict(void **state)
{
    (void)state;
    static const char text[] = "v\n1e400\nnan\n0x10\n12abc\n-0\n\n";
    static const char *const header[] = { "v" };
    static const int rejected[] = { 1, 1, 1, 1, 0 };
    char path[64];
    write_tmp(path, text, sizeof text - 1);
    ps_csv *c = NULL;
    ps_error err;
    assert_ps_ok(ps_csv__open(&c, path, &err), &err);
    assert_ps_ok(ps_csv__expect_header(c, header, 1, &err), &err);
    for (int i = 0; i < 5; ++i) {
        char *line = NULL;
        size_t len = 0;
        ps_csv_row row;
        double v = 0.0;
        assert_int_equal(ps_csv__next_line(c, &line, &len, &err), 1);
        assert_ps_ok(ps_csv__split(c, line, &row, &err), &err);
        ps_status rc = ps_csv__double(&v, c, &row, 0, "v", &err);
        assert_int_equal(rc, rejected[i] ? PS_EPARSE : PS_OK);
        if (rejected[i]) {
            assert_int_equal(err.line, i + 2);
            assert_non_null(strstr(err.msg, "column 'v'"));
        }
    }
    ps_csv__close(c);
    unlink(path);
}

static void test_core__csv_reader_refuses_directories_empty_files_and_long_lines(void **state)
{
    (void)state;
    ps_csv *c = NULL;
    ps_error err;
    assert_int_equal(ps_csv__open(&c, "/tmp", &err), PS_EIO);
    assert_non_null(strstr(err.msg, "directory"));
    char path[64];
    write_tmp(path, "", 0);
    assert_int_equal(ps_csv__open(&c, path, &err), PS_EPARSE);
    assert_non_null(strstr(err.msg, "empty"));
    unlink(path);
    size_t n = (2u << 20) + 10;
    char *big = malloc(n);
    memset(big, '7', n);
    big[n - 1] = '\n';
    write_tmp(path, big, n);
    free(big);
    assert_ps_ok(ps_csv__open(&c, path, &err), &err);
    char *line = NULL;
    size_t len = 0;
    assert_int_equal(ps_csv__next_line(c, &line, &len, &err), -1);
    assert_non_null(strstr(err.msg, "longer than"));
    ps_csv__close(c);
    unlink(path);
    assert_int_equal(ps_csv__open(&c, "/nonexistent/x.csv", &err), PS_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_core__sha256_matches_fips_180_4_vectors),
        cmocka_unit_test(test_core__errors_format_like_a_compiler),
        cmocka_unit_test(test_core__error_vset_at_formats_before_clearing),
        cmocka_unit_test(test_core__text_escape_makes_terminal_controls_visible),
        cmocka_unit_test(test_core__csv_reader_strips_bom_and_crlf_and_splits_quotes),
        cmocka_unit_test(test_core__csv_numbers_are_strict),
        cmocka_unit_test(test_core__csv_reader_refuses_directories_empty_files_and_long_lines),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}

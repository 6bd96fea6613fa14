/*
 * test_reading.c - what popsim reads, as issue #17 found it attacked: gzip files cut short
 * (at every row boundary and at every byte), corrupted, concatenated or followed by junk;
 * CSV and scenario files that are FIFOs, pipes behind /proc/self/fd (what /dev/stdin is)
 * or /proc files of size 0; a read from a pipe that stays open, stopped by the cancel flag
 * a signal handler sets; duplicate rows in the planner's files. The gzip data are made
 * here with zlib from the committed planner fixtures, so every cut point is known.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "test_util.h"

#include "io/csv_int.h"
#include "popsim/io.h"
#include "popsim/planner.h"
#include "popsim/scenario.h"
#include "popsim/sha256.h"

#define MX_YEARS PS_TEST_DATA_DIR "/planner/good/mx_years.csv"
#define N_AGES 3 /* mx_years.csv: ages 0, 1, 2+ */
#define N_MX (PS_SEX_COUNT * N_AGES * 2) /* two steps, 2025 and 2026 */

typedef struct bytes {
    unsigned char *p;
    size_t n;
} bytes;

/* The whole file at path (test_util.h's test_slurp). */
static bytes read_bytes(const char *path)
{
    bytes b = { NULL, 0 };
    b.p = (unsigned char *)test_slurp(path, &b.n);
    return b;
}

static void spit(const char *path, const unsigned char *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(p, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/*
 * gzip of text with a sync flush after every line: boundary[k] is the compressed size
 * after line k (line 0 is the header), so the first boundary[k] bytes inflate to exactly
 * lines 0..k. *n_lines receives the number of lines; the full member ends at out.n.
 */
static bytes gzip_by_line(const bytes *text, size_t *boundary, int *n_lines)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    bytes out = { malloc(1 << 20), 0 };
    assert_non_null(out.p);
    zs.next_out = out.p;
    zs.avail_out = 1 << 20;
    size_t start = 0;
    *n_lines = 0;
    while (start < text->n) {
        const unsigned char *nl = memchr(text->p + start, '\n', text->n - start);
        size_t end = nl ? (size_t)(nl - text->p) + 1 : text->n;
        zs.next_in = text->p + start;
        zs.avail_in = (uInt)(end - start);
        assert_int_equal(deflate(&zs, Z_SYNC_FLUSH), Z_OK);
        boundary[(*n_lines)++] = zs.total_out;
        start = end;
    }
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    out.n = zs.total_out;
    deflateEnd(&zs);
    return out;
}

static char tmpdir[64];

static int make_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/popsim_reading_XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int remove_tmpdir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void in_tmp(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmpdir, name);
}

/* ---- gzip -------------------------------------------------------------------------------- */

/* Issue #17: a .csv.gz cut at a row boundary lost a whole year of rates without an error. */
static void test_reading__gzip_cut_at_every_row_boundary_is_refused(void **state)
{
    (void)state;
    char path[128];
    ps_error err;
    double want[N_MX], got[N_MX];
    size_t boundary[64];
    int n_lines = 0;
    bytes text = read_bytes(MX_YEARS);
    bytes gz = gzip_by_line(&text, boundary, &n_lines);
    assert_int_equal(n_lines, 13);
    in_tmp(path, sizeof path, "mx_years.csv.gz");
    assert_ps_ok(ps_plan_read_mx(want, 2025, 2027, N_AGES, MX_YEARS, &err), &err);
    spit(path, gz.p, gz.n);
    assert_ps_ok(ps_plan_read_mx(got, 2025, 2027, N_AGES, path, &err), &err);
    assert_memory_equal(got, want, sizeof want);
    for (int k = 0; k < n_lines; ++k) { /* after the header, after each row, before Z_FINISH */
        spit(path, gz.p, boundary[k]);
        ps_status rc = ps_plan_read_mx(got, 2025, 2027, N_AGES, path, &err);
        if (rc != PS_EIO || strstr(err.path, "mx_years.csv.gz") == NULL ||
            strstr(err.msg, "the compressed file is truncated or corrupt") == NULL) {
            fail_msg("cut after line %d (%zu bytes): status %d, %s: %s", k + 1, boundary[k], rc,
                     err.path, err.msg);
        }
    }
    free(gz.p);
    free(text.p);
}

/* Every shorter prefix fails; every single flipped byte fails or changes nothing. */
static void test_reading__gzip_cut_or_flipped_at_any_byte_never_gives_other_values(void **state)
{
    (void)state;
    char path[128];
    ps_error err;
    double want[N_MX], got[N_MX];
    size_t boundary[64];
    int n_lines = 0, harmless = 0;
    bytes text = read_bytes(MX_YEARS);
    bytes gz = gzip_by_line(&text, boundary, &n_lines);
    in_tmp(path, sizeof path, "mx_any.csv.gz");
    assert_ps_ok(ps_plan_read_mx(want, 2025, 2027, N_AGES, MX_YEARS, &err), &err);
    for (size_t cut = 0; cut < gz.n; ++cut) {
        spit(path, gz.p, cut);
        if (ps_plan_read_mx(got, 2025, 2027, N_AGES, path, &err) == PS_OK) {
            fail_msg("the first %zu of %zu bytes were accepted", cut, gz.n);
        }
    }
    for (size_t at = 0; at < gz.n; ++at) {
        gz.p[at] ^= 0x01;
        spit(path, gz.p, gz.n);
        gz.p[at] ^= 0x01;
        if (ps_plan_read_mx(got, 2025, 2027, N_AGES, path, &err) == PS_OK) {
            if (memcmp(got, want, sizeof want) != 0) {
                fail_msg("byte %zu flipped: accepted with other values", at);
            }
            ++harmless; /* header fields gzip does not check: time stamp, OS, flags */
        }
    }
    assert_true(harmless < 10);
    free(gz.p);
    free(text.p);
}

static void test_reading__concatenated_gzip_members_read_like_one_file(void **state)
{
    (void)state;
    char path[128];
    ps_error err;
    double want[N_MX], got[N_MX];
    size_t boundary[64];
    int n_lines = 0;
    bytes text = read_bytes(MX_YEARS);
    assert_ps_ok(ps_plan_read_mx(want, 2025, 2027, N_AGES, MX_YEARS, &err), &err);
    /* gzip(1) appends a member per call: header and 2020 rows, nothing, 2030 rows. */
    const char *split = strstr((const char *)text.p, "2030,");
    assert_non_null(split);
    bytes first = { text.p, (size_t)((const unsigned char *)split - text.p) };
    bytes empty = { text.p, 0 };
    bytes second = { text.p + first.n, text.n - first.n };
    bytes parts[] = { first, empty, second };
    unsigned char *all = malloc(1 << 20);
    size_t n = 0;
    for (int k = 0; k < 3; ++k) {
        bytes gz = gzip_by_line(&parts[k], boundary, &n_lines);
        memcpy(all + n, gz.p, gz.n);
        n += gz.n;
        free(gz.p);
    }
    in_tmp(path, sizeof path, "mx_members.csv.gz");
    spit(path, all, n);
    assert_ps_ok(ps_plan_read_mx(got, 2025, 2027, N_AGES, path, &err), &err);
    assert_memory_equal(got, want, sizeof want);
    /* Anything after the last member that is not another member is refused. */
    memcpy(all + n, "2040,M,0,0.5\n", 13);
    spit(path, all, n + 13);
    assert_int_equal(ps_plan_read_mx(got, 2025, 2027, N_AGES, path, &err), PS_EIO);
    assert_non_null(strstr(err.msg, "not another gzip member"));
    free(all);
    free(text.p);
}

/* ---- files that are not regular ------------------------------------------------------------ */

/* A child writes `data` to `path` (a FIFO or a pipe's write end) in small pieces, slowly. */
static pid_t slow_writer(int fd_or_minus1, const char *path, const bytes *data)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        signal(SIGPIPE, SIG_IGN);
        int fd = fd_or_minus1 >= 0 ? fd_or_minus1 : open(path, O_WRONLY);
        const struct timespec pause = { 0, 2000000 }; /* 2 ms between pieces */
        for (size_t at = 0; fd >= 0 && at < data->n; at += 100) {
            size_t piece = data->n - at < 100 ? data->n - at : 100;
            if (write(fd, data->p + at, piece) != (ssize_t)piece) {
                _exit(1);
            }
            nanosleep(&pause, NULL);
        }
        _exit(fd >= 0 ? 0 : 2);
    }
    return pid;
}

static void reap(pid_t pid)
{
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
}

/* Issue #17: a CSV from a FIFO was reported as "file is empty" (judged by st_size). */
static void test_reading__csv_from_a_fifo_or_pipe_reads_like_the_file(void **state)
{
    (void)state;
    char fifo[128], via_proc[64];
    ps_error err;
    double want[N_MX], got[N_MX];
    bytes text = read_bytes(MX_YEARS);
    assert_ps_ok(ps_plan_read_mx(want, 2025, 2027, N_AGES, MX_YEARS, &err), &err);
    in_tmp(fifo, sizeof fifo, "mx.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pid_t pid = slow_writer(-1, fifo, &text);
    memset(got, 0, sizeof got);
    assert_ps_ok(ps_plan_read_mx(got, 2025, 2027, N_AGES, fifo, &err), &err);
    assert_memory_equal(got, want, sizeof want);
    reap(pid);
    /* /dev/stdin is /proc/self/fd/0: the same path through another descriptor. */
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid = slow_writer(p[1], NULL, &text);
    close(p[1]);
    snprintf(via_proc, sizeof via_proc, "/proc/self/fd/%d", p[0]);
    memset(got, 0, sizeof got);
    assert_ps_ok(ps_plan_read_mx(got, 2025, 2027, N_AGES, via_proc, &err), &err);
    assert_memory_equal(got, want, sizeof want);
    close(p[0]);
    reap(pid);
    free(text.p);
}

static void test_reading__fifo_closed_without_data_is_an_empty_file(void **state)
{
    (void)state;
    char fifo[128];
    ps_error err;
    ps_csv *c = NULL;
    bytes none = { NULL, 0 };
    in_tmp(fifo, sizeof fifo, "empty.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pid_t pid = slow_writer(-1, fifo, &none);
    assert_int_equal(ps_csv__open(&c, fifo, &err), PS_EPARSE);
    assert_null(c);
    assert_non_null(strstr(err.msg, "file is empty"));
    reap(pid);
}

/* /proc files report st_size 0 but have content. */
static void test_reading__proc_file_of_size_zero_is_read_by_reading(void **state)
{
    (void)state;
    struct stat st;
    ps_error err;
    ps_csv *c = NULL;
    char *line = NULL;
    size_t len = 0;
    assert_int_equal(stat("/proc/self/status", &st), 0);
    assert_int_equal(st.st_size, 0);
    assert_ps_ok(ps_csv__open(&c, "/proc/self/status", &err), &err);
    assert_int_equal(ps_csv__next_line(c, &line, &len, &err), 1);
    assert_memory_equal(line, "Name:", 5);
    ps_csv__close(c);
}

/* ---- cancellation ------------------------------------------------------------------------- */

static volatile sig_atomic_t stop_flag;

static void on_alarm(int signo)
{
    stop_flag = signo;
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Arm SIGALRM after 200 ms with an SA_RESTART handler, as the CLI installs its own. */
static void arm_alarm(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    assert_int_equal(sigaction(SIGALRM, &sa, NULL), 0);
    struct itimerval it = { { 0, 0 }, { 0, 200000 } };
    stop_flag = 0;
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
}

/* The reads' cancel callback (issue #11: per call) over the flag the alarm handler sets. */
static ps_status stop_cancel(void *ctx, ps_error *err)
{
    (void)ctx;
    return stop_flag == 0 ? PS_OK : ps_error_set(err, PS_EIO, "interrupted");
}

/* Issue #17: Ctrl-C while a scenario came from a pipe waited until the pipe closed. */
static void test_reading__cancel_flag_stops_a_read_on_a_pipe_that_stays_open(void **state)
{
    (void)state;
    char via_proc[64];
    ps_error err;
    ps_csv *c = NULL;
    ps_scenario scn;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(write(p[1], "name: x\n", 8), 8); /* some data, then nothing */
    snprintf(via_proc, sizeof via_proc, "/proc/self/fd/%d", p[0]);
    ps_cancel cancel = { .fn = stop_cancel, .ctx = NULL };
    arm_alarm();
    double t0 = seconds_now();
    assert_int_equal(ps_scn_load_with(&scn, via_proc, &cancel, &err), PS_EIO);
    double waited = seconds_now() - t0;
    assert_non_null(strstr(err.msg, "interrupted while reading"));
    assert_true(waited >= 0.15 && waited < 1.0);
    arm_alarm(); /* a CSV read that has not seen a single byte yet */
    int q[2];
    assert_int_equal(pipe(q), 0);
    snprintf(via_proc, sizeof via_proc, "/proc/self/fd/%d", q[0]);
    t0 = seconds_now();
    assert_int_equal(ps_csv__open_with(&c, via_proc, &cancel, &err), PS_EIO);
    waited = seconds_now() - t0;
    assert_null(c);
    assert_non_null(strstr(err.msg, "interrupted while reading"));
    assert_true(waited >= 0.15 && waited < 1.0);
    signal(SIGALRM, SIG_DFL);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
}

/* ---- scenarios from pipes ------------------------------------------------------------------ */

static void test_reading__scenario_from_a_pipe_is_read_once_and_hashed(void **state)
{
    (void)state;
    char via_proc[64], hex[65];
    ps_error err;
    ps_scenario scn, plain;
    bytes text = read_bytes(PS_SOURCE_DIR "/scenarios/china.yaml");
    assert_ps_ok(ps_scn_load(&plain, PS_SOURCE_DIR "/scenarios/china.yaml", &err), &err);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = slow_writer(p[1], NULL, &text);
    close(p[1]);
    snprintf(via_proc, sizeof via_proc, "/proc/self/fd/%d", p[0]);
    assert_ps_ok(ps_scn_load(&scn, via_proc, &err), &err);
    ps_sha256_hex(hex, text.p, text.n);
    assert_string_equal(scn.sha256, hex);
    assert_string_equal(plain.sha256, hex);
    assert_string_equal(scn.name, plain.name);
    assert_int_equal(scn.end_year, plain.end_year);
    ps_scn_release(&scn);
    ps_scn_release(&plain);
    close(p[0]);
    reap(pid);
    free(text.p);
}

/* The 4 MiB limit holds for bytes that arrive through a pipe, where no size is known. */
static void test_reading__scenario_over_the_limit_from_a_pipe_is_refused(void **state)
{
    (void)state;
    char via_proc[64];
    ps_error err;
    ps_scenario scn;
    bytes big = { malloc(5u << 20), 5u << 20 };
    assert_non_null(big.p);
    memset(big.p, '#', big.n);
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        signal(SIGPIPE, SIG_IGN);
        size_t at = 0;
        while (at < big.n) {
            ssize_t put = write(p[1], big.p + at, big.n - at);
            if (put <= 0) {
                _exit(0);
            }
            at += (size_t)put;
        }
        _exit(0);
    }
    close(p[1]);
    snprintf(via_proc, sizeof via_proc, "/proc/self/fd/%d", p[0]);
    assert_int_equal(ps_scn_load(&scn, via_proc, &err), PS_EIO);
    assert_non_null(strstr(err.msg, "larger than 4 MiB"));
    close(p[0]);
    reap(pid);
    free(big.p);
}

/* ---- duplicate rows in the planner's files -------------------------------------------------- */

static void test_reading__planner_duplicate_rows_are_refused_with_both_lines(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        long line;
        const char *words;
    } cases[] = {
        /* conflicting and identical duplicates of one cell, in a year-less file */
        { "year,srb\n2025,1.05\n2025,1.07\n", 3, "already given at line 2" },
        { "year,srb\n2025,1.05\n2030,1.06\n2025,1.05\n", 4, "duplicate year 2025" },
        { "year,tfr\n2025,1.1\n2025,1.1\n", 3, "already given at line 2" },
    };
    char path[128];
    ps_error err;
    double out[8];
    in_tmp(path, sizeof path, "dup.csv");
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        spit(path, (const unsigned char *)cases[k].text, strlen(cases[k].text));
        ps_status rc = strstr(cases[k].text, "srb") != NULL
                           ? ps_plan_read_srb(out, 2025, 2027, path, &err)
                           : ps_plan_read_tfr(out, 2025, 2027, path, &err);
        if (rc != PS_EINVAL || err.line != cases[k].line ||
            strstr(err.msg, cases[k].words) == NULL) {
            fail_msg("case %zu: status %d at line %ld: %s", k, rc, err.line, err.msg);
        }
    }
    /* a cell given twice inside one year (identical values) */
    static const char mx[] = "year,sex,age,mx\n2025,M,0,0.01\n2025,M,1,0.001\n2025,M,2+,0.1\n"
                             "2025,F,0,0.01\n2025,F,1,0.001\n2025,F,1,0.001\n2025,F,2+,0.1\n";
    double mx_out[N_MX];
    spit(path, (const unsigned char *)mx, strlen(mx));
    assert_int_equal(ps_plan_read_mx(mx_out, 2025, 2027, N_AGES, path, &err), PS_EINVAL);
    assert_int_equal(err.line, 7);
    assert_non_null(strstr(err.msg, "given at line 6"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reading__gzip_cut_at_every_row_boundary_is_refused),
        cmocka_unit_test(test_reading__gzip_cut_or_flipped_at_any_byte_never_gives_other_values),
        cmocka_unit_test(test_reading__concatenated_gzip_members_read_like_one_file),
        cmocka_unit_test(test_reading__csv_from_a_fifo_or_pipe_reads_like_the_file),
        cmocka_unit_test(test_reading__fifo_closed_without_data_is_an_empty_file),
        cmocka_unit_test(test_reading__proc_file_of_size_zero_is_read_by_reading),
        cmocka_unit_test(test_reading__cancel_flag_stops_a_read_on_a_pipe_that_stays_open),
        cmocka_unit_test(test_reading__scenario_from_a_pipe_is_read_once_and_hashed),
        cmocka_unit_test(test_reading__scenario_over_the_limit_from_a_pipe_is_refused),
        cmocka_unit_test(test_reading__planner_duplicate_rows_are_refused_with_both_lines),
    };
    return cmocka_run_group_tests_name("reading", tests, make_tmpdir, remove_tmpdir);
}

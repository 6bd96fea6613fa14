/*
 * test_robust.c - robustness as a tested property (issue #7): hostile CSV inputs from
 * tests/data/hostile/ (a table: status, line, column and the words of the message), lines
 * of 10 MB, the memory estimate and its refusal, cancellation of the HDF5 writer, and the
 * replay of every fuzzing regression in fuzz/regress/<harness>/ through the very harness
 * code libFuzzer runs (scripts/fuzz.sh), so a crash once found stays fixed in every build.
 */
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

#include <hdf5.h>
#include <hdf5_hl.h>

#include "popsim/h5out.h"
#include "popsim/h5read.h"
#include "popsim/memory.h"
#include "popsim/planner.h"
#include "popsim/result.h"

/* The harnesses, each entry point renamed (they all define LLVMFuzzerTestOneInput). */
#define LLVMFuzzerTestOneInput fuzz_scenario_one
#include "../fuzz/fuzz_scenario.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_csv_one
#include "../fuzz/fuzz_csv.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_planner_one
#include "../fuzz/fuzz_planner.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_wpp_one
#include "../fuzz/fuzz_wpp.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_h5read_one
#include "../fuzz/fuzz_h5read.c"
#undef LLVMFuzzerTestOneInput

#define HOSTILE PS_TEST_DATA_DIR "/hostile/"
#define SMALL_AGES 16 /* the population files below: 0-4, 5-9, 10-14, 15+ */

/* ---- hostile CSV files: each gives a located error or is read correctly ------------------ */

typedef struct hostile_csv {
    const char *file;
    ps_status code;    /* PS_OK: read correctly */
    long line;
    int column;
    const char *words; /* in the message */
    int same;          /* with PS_OK: 1 = equal to population_grouped.csv in every cell,
                        * 0 = males 5-9 are zero (the "-0" file) */
} hostile_csv;

static const hostile_csv hostile_csvs[] = {
    { "empty.csv", PS_EPARSE, 0, 0, "file is empty, expected a CSV header", 0 },
    { "bom_only.csv", PS_EPARSE, 1, 1, "wrong header: expected 'sex,age,value' (got '')", 0 },
    { "blank_lines.csv", PS_EPARSE, 1, 1, "wrong header", 0 },
    { "pop_1e400.csv", PS_EPARSE, 3, 7, "expected a finite decimal number (got '1e400')", 0 },
    { "pop_hex.csv", PS_EPARSE, 3, 7, "expected a finite decimal number (got '0x10')", 0 },
    { "pop_nan.csv", PS_EPARSE, 3, 7, "expected a finite decimal number (got 'NaN')", 0 },
    { "pop_shell.csv", PS_EPARSE, 3, 7, "(got '$(touch PWNED);rm -rf /')", 0 },
    { "pop_nul.csv", PS_EPARSE, 3, 9, "NUL byte in a text file", 0 },
    { "pop_latin1.csv", PS_EPARSE, 7, 1, "column 'sex': expected M, F, male or female", 0 },
    { "pop_open_quote.csv", PS_EPARSE, 3, 1, "unterminated quoted field", 0 },
    { "pop_quoted_newline.csv", PS_EPARSE, 3, 1, "unterminated quoted field", 0 },
    { "pop_many_fields.csv", PS_EPARSE, 3, 28, "more than 16 fields", 0 },
    { "pop_duplicates.csv", PS_EINVAL, 3, 3, "overlap", 0 },
    { "pop_cr_only.csv", PS_EPARSE, 1, 14, "CR-only line ends are not supported", 0 },
    { "pop_crlf.csv", PS_OK, 0, 0, NULL, 1 },
    { "pop_crlf_bom.csv", PS_OK, 0, 0, NULL, 1 },
    { "pop_quoted_ok.csv", PS_OK, 0, 0, NULL, 1 },
    { "pop_no_final_newline.csv", PS_OK, 0, 0, NULL, 1 },
    { "pop_minus_zero.csv", PS_OK, 0, 0, NULL, 0 },
};

static void test_robust__hostile_csv_gives_located_error_or_correct_values(void **state)
{
    (void)state;
    double ref[PS_SEX_COUNT * SMALL_AGES];
    ps_error rerr;
    ps_error_clear(&rerr);
    assert_ps_ok(ps_plan_read_population(ref, SMALL_AGES,
                                         PS_TEST_DATA_DIR "/planner/good/population_grouped.csv",
                                         &rerr), &rerr);
    for (size_t k = 0; k < sizeof hostile_csvs / sizeof hostile_csvs[0]; ++k) {
        const hostile_csv *h = &hostile_csvs[k];
        char path[PATH_MAX], buf[2048];
        double pop[PS_SEX_COUNT * SMALL_AGES];
        ps_error err;
        ps_error_clear(&err);
        snprintf(path, sizeof path, "%s%s", HOSTILE, h->file);
        ps_status rc = ps_plan_read_population(pop, SMALL_AGES, path, &err);
        ps_error_format(&err, buf, sizeof buf);
        if (rc != h->code) {
            fail_msg("%s: status %d, expected %d (%s)", h->file, rc, h->code, buf);
        }
        for (int age = 0; h->code == PS_OK && age < PS_SEX_COUNT * SMALL_AGES; ++age) {
            int zero_group = !h->same && age >= 5 && age <= 9; /* males 5-9 given as -0 */
            if (zero_group ? pop[age] != 0.0 : (h->same && pop[age] != ref[age])) {
                fail_msg("%s: cell %d = %.17g, expected %.17g", h->file, age, pop[age],
                         zero_group ? 0.0 : ref[age]);
            }
        }
        if (h->code == PS_OK) {
            continue;
        }
        if (err.line != h->line || err.column != h->column || strstr(err.msg, h->words) == NULL) {
            fail_msg("%s: got '%s', expected %ld:%d and '%s'", h->file, buf, h->line, h->column,
                     h->words);
        }
    }
}

/* A single line of 10 MB: refused at once (the reader never holds more than 1 MiB). */
static void test_robust__ten_megabyte_line_is_refused(void **state)
{
    (void)state;
    char path[] = "/tmp/popsim_robust_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    assert_non_null(f);
    fputs("sex,age,value\nM,0,", f);
    for (int i = 0; i < 10 * 1024 * 1024; ++i) {
        fputc('1', f);
    }
    fputc('\n', f);
    fclose(f);
    double pop[PS_SEX_COUNT * SMALL_AGES];
    ps_error err;
    ps_error_clear(&err);
    ps_status rc = ps_plan_read_population(pop, SMALL_AGES, path, &err);
    unlink(path);
    assert_int_equal(rc, PS_EPARSE);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "line is longer than 1048576 bytes"));
}

/* A directory where a CSV file is expected. */
static void test_robust__directory_instead_of_csv_is_refused(void **state)
{
    (void)state;
    double pop[PS_SEX_COUNT * SMALL_AGES];
    ps_error err;
    ps_error_clear(&err);
    assert_int_equal(ps_plan_read_population(pop, SMALL_AGES, PS_TEST_DATA_DIR, &err), PS_EIO);
    assert_non_null(strstr(err.msg, "is a directory, expected a CSV file"));
}

/* ---- resources ---------------------------------------------------------------------------- */

static void test_robust__memory_estimate_grows_and_saturates(void **state)
{
    (void)state;
    ps_mem_shape small = { 75, 1, 101, 1 }, wide = { 75, 1000, 101, 1 };
    ps_mem_shape many = { 75, 1000, 101, 20 }, absurd = { 1000000, 2000000000, 101, 1000000 };
    size_t s = ps_mem_estimate(&small), w = ps_mem_estimate(&wide);
    /* 76 years x 1 region x 101 ages x 2 sexes: a few MB above the fixed allowance. */
    assert_true(s > ((size_t)64 << 20) && s < ((size_t)72 << 20));
    assert_true(w > s && ps_mem_estimate(&many) > w);
    assert_true(ps_mem_estimate(&absurd) == SIZE_MAX);

    ps_error err;
    ps_error_clear(&err);
    assert_int_equal(ps_mem_check(&small, SIZE_MAX, "test", &err), PS_OK);
    assert_int_equal(ps_mem_check(&many, (size_t)1 << 30, "test", &err), PS_ENOMEM);
    assert_non_null(strstr(err.msg, "this run needs about "));
    assert_non_null(strstr(err.msg, "(20 scenarios x 76 years x 1000 regions x 2 sexes x 101 "
                                     "ages) but only 1.00 GiB are available (test)"));
}

/* Issue #17: the output estimate is the result arrays without the fixed allowance, scales
 * with the scenarios, and a run above the limit is refused with its shape in the message. */
static void test_robust__output_estimate_refuses_amplified_runs(void **state)
{
    (void)state;
    ps_mem_shape one = { 75, 1, 101, 1 }, family = { 75, 1, 101, 100 };
    ps_mem_shape long_family = { 275, 1, 101, 91 };
    size_t e1 = ps_mem_output_estimate(&one);
    assert_true(e1 + ((size_t)64 << 20) == ps_mem_estimate(&one));
    assert_true(ps_mem_output_estimate(&family) == 100 * e1);
    ps_error err;
    ps_error_clear(&err);
    assert_int_equal(ps_mem_check_output(&family, PS_RUN_MAX_OUTPUT_BYTES, &err), PS_OK);
    assert_int_equal(ps_mem_check_output(&long_family, PS_RUN_MAX_OUTPUT_BYTES, &err),
                     PS_EINVAL);
    assert_non_null(strstr(err.msg, "this run would write about "));
    assert_non_null(strstr(err.msg, "(91 scenarios x 276 years x 1 region x 2 sexes x 101 ages), "
                                    "more than the limit of 256.0 MiB"));
    assert_non_null(strstr(err.msg, "--allow-large"));
}

static void test_robust__memory_limit_from_environment(void **state)
{
    (void)state;
    size_t avail = 0;
    const char *source = NULL;
    ps_error err;
    ps_error_clear(&err);
    setenv("POPSIM_MEMORY_LIMIT_BYTES", "123456789", 1);
    assert_int_equal(ps_mem_available(&avail, &source, &err), PS_OK);
    assert_true(avail == 123456789u);
    assert_string_equal(source, "POPSIM_MEMORY_LIMIT_BYTES");
    setenv("POPSIM_MEMORY_LIMIT_BYTES", "-5", 1);
    assert_int_equal(ps_mem_available(&avail, &source, &err), PS_EINVAL);
    unsetenv("POPSIM_MEMORY_LIMIT_BYTES");
    assert_int_equal(ps_mem_available(&avail, &source, &err), PS_OK);
    assert_true(avail > 0);
}

/* ---- cancellation of the atomic writer ----------------------------------------------------- */

/* A cancel callback (ps_h5_write_options) that counts its calls and cancels at once. */
static ps_status cancel_at_once(void *ctx, ps_error *err)
{
    ++*(int *)ctx;
    return ps_error_set(err, PS_EIO, "interrupted by SIGTERM");
}

static void test_robust__cancelled_write_leaves_target_and_no_temp(void **state)
{
    (void)state;
    char dir[] = "/tmp/popsim_robust_XXXXXX", path[PATH_MAX];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.h5", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("previous result", f);
    fclose(f);

    ps_result r;
    ps_error err;
    ps_error_clear(&err);
    assert_ps_ok(ps_result_init(&r, "robust", NULL, 2020, 3, 1, 4, NULL, &err), &err);
    const ps_result *list[1] = { &r };
    ps_h5_write_options opts = PS_H5_WRITE_OPTIONS_INIT;
    int asked = 0;
    opts.cancel = cancel_at_once;
    opts.cancel_ctx = &asked;
    ps_status rc = ps_h5_write_with(path, list, 1, NULL, &opts, &err);
    assert_int_equal(rc, PS_EIO);
    assert_int_equal(asked, 1); /* stopped at the first question */
    assert_non_null(strstr(err.msg, "interrupted"));

    char buf[64] = "";
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "previous result");
    DIR *d = opendir(dir);
    struct dirent *e;
    int entries = 0;
    while ((e = readdir(d)) != NULL) {
        entries += e->d_name[0] != '.';
    }
    closedir(d);
    assert_int_equal(entries, 1); /* out.h5 only: no out.h5.tmp.<pid> */

    assert_ps_ok(ps_h5_write(path, list, 1, NULL, &err), &err); /* uncancelled: writes */
    ps_result_release(&r);
    unlink(path);
    rmdir(dir);
}

/* ---- fuzzing regressions ------------------------------------------------------------------ */

typedef int (*harness_fn)(const uint8_t *data, size_t size);

static int replay_dir(const char *name, harness_fn fn)
{
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/fuzz/regress/%s", PS_SOURCE_DIR, name);
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[PATH_MAX + 256];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] == '.' || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            continue;
        }
        uint8_t *data = malloc((size_t)st.st_size + 1);
        FILE *f = fopen(path, "rb");
        assert_non_null(data);
        assert_non_null(f);
        size_t got = fread(data, 1, (size_t)st.st_size, f);
        fclose(f);
        fn(data, got); /* a crash, leak (ASan) or abort() fails the test */
        free(data);
        ++n;
    }
    if (d != NULL) {
        closedir(d);
    }
    return n;
}

static void test_robust__fuzz_regressions_replay_cleanly(void **state)
{
    (void)state;
    int n = replay_dir("scenario", fuzz_scenario_one) + replay_dir("csv", fuzz_csv_one) +
            replay_dir("planner", fuzz_planner_one) + replay_dir("wpp", fuzz_wpp_one) +
            replay_dir("h5read", fuzz_h5read_one);
    print_message("replayed %d fuzzing regression inputs\n", n);
    /* Every hostile file goes through the scenario and CSV harnesses as well. */
    DIR *d = opendir(PS_TEST_DATA_DIR "/hostile");
    struct dirent *e;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[PATH_MAX + 256];
        snprintf(path, sizeof path, "%s%s", HOSTILE, e->d_name);
        FILE *f = e->d_name[0] == '.' ? NULL : fopen(path, "rb");
        if (f == NULL) {
            continue;
        }
        static uint8_t data[1 << 16];
        size_t got = fread(data, 1, sizeof data, f);
        fclose(f);
        fuzz_scenario_one(data, got);
        fuzz_csv_one(data, got);
    }
    closedir(d);
}

/* The committed hostile result files (a patched global heap, years near INT_MAX) go through
 * the result-file harness: each read must fail with a message, never crash (issue #17). */
static void test_robust__hostile_result_files_replay_through_h5read_harness(void **state)
{
    (void)state;
    assert_true(replay_dir("h5read", fuzz_h5read_one) >= 2);
    ps_result r;
    ps_error err;
    ps_error_clear(&err);
    assert_int_equal(ps_h5_read(&r, PS_SOURCE_DIR "/fuzz/regress/h5read/year_int_max.h5",
                                 "example_city", &err), PS_EHDF5);
    assert_non_null(strstr(err.msg, "calendar years in 1500..3000"));
    ps_error_clear(&err);
    assert_int_equal(ps_h5_read(&r, PS_SOURCE_DIR "/fuzz/regress/h5read/heap_object_8k.h5",
                                 "example_city", &err), PS_EIO);
    assert_non_null(strstr(err.msg, "corrupted global heap"));
}

/* Years far from INT_MAX are an invariant of every result, whoever builds it (issue #17). */
static void test_robust__result_years_far_from_int_max_are_an_invariant(void **state)
{
    (void)state;
    ps_result r;
    ps_error err;
    ps_error_clear(&err);
    assert_int_equal(ps_result_init(&r, "x", NULL, INT_MAX - 3, 3, 1, 4, NULL, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "years must lie in 0..100000"));
    assert_int_equal(ps_result_init(&r, "x", NULL, PS_RESULT_YEAR_MAX - 1, 3, 1, 4, NULL, &err),
                     PS_EINVAL);
    assert_int_equal(ps_result_init(&r, "x", NULL, -1, 3, 1, 4, NULL, &err), PS_EINVAL);
    assert_ps_ok(ps_result_init(&r, "x", NULL, PS_RESULT_YEAR_MAX - 2, 3, 1, 4, NULL, &err),
                 &err);
    assert_int_equal(r.start_year + r.n_years - 1, PS_RESULT_YEAR_MAX);
    ps_result_release(&r);
}

/* A file with dataset /v whose axis is the dimension scale /x: HDF5's default (earliest)
 * format keeps the DIMENSION_LIST attribute in an object header without a checksum. Then the
 * reference in it (length 1, heap address, index) has its length set to `len`. */
static void write_scaled_file(const char *path, uint32_t len)
{
    hsize_t n = 3;
    double v[3] = { 1234.5, 0.0237, 7.0 };
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t ds = H5Dcreate2(file, "v", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t sc = H5Dcreate2(file, "x", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(file >= 0 && ds >= 0 && sc >= 0);
    assert_true(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
    assert_true(H5DSset_scale(sc, "x") >= 0 && H5DSattach_scale(ds, sc, 0) >= 0);
    H5Dclose(sc);
    H5Dclose(ds);
    H5Sclose(space);
    H5Fclose(file);
    static unsigned char img[1 << 16];
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    size_t size = fread(img, 1, sizeof img, f);
    const unsigned char *gcol = NULL;
    for (size_t k = 0; k + 4 <= size && gcol == NULL; ++k) {
        gcol = memcmp(img + k, "GCOL", 4) == 0 ? img + k : NULL;
    }
    assert_non_null(gcol);
    /* The reference: length 1 (one object reference), the collection's address, object 1. */
    unsigned char ref[16] = { 1, 0, 0, 0 };
    uint64_t addr = (uint64_t)(gcol - img);
    for (int b = 0; b < 8; ++b) {
        ref[4 + b] = (unsigned char)(addr >> (8 * b));
    }
    ref[12] = 1;
    long at = -1;
    for (size_t k = 0; k + sizeof ref <= size && at < 0; ++k) {
        at = memcmp(img + k, ref, sizeof ref) == 0 ? (long)k : -1;
    }
    assert_true(at >= 0);
    unsigned char patched[4] = { (unsigned char)len, (unsigned char)(len >> 8),
                                 (unsigned char)(len >> 16), (unsigned char)(len >> 24) };
    assert_int_equal(fseek(f, at, SEEK_SET), 0);
    assert_int_equal(fwrite(patched, 1, sizeof patched, f), sizeof patched);
    assert_int_equal(fclose(f), 0);
}

/* The dimension scales of a dataset are found through a variable-length attribute: a
 * reference in it that does not match its heap object is refused before HDF5 follows it. */
static void test_robust__corrupted_dimension_list_is_refused(void **state)
{
    (void)state;
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/scaled.h5", fuzz_dir());
    ps_h5r_file *f = NULL;
    ps_h5r_array a;
    ps_error err;
    ps_error_clear(&err);
    ps_h5_quiet();
    write_scaled_file(path, 1); /* unchanged */
    assert_ps_ok(ps_h5r_open(&f, path, &err), &err);
    assert_ps_ok(ps_h5r_read_array(&a, f, "/v", &err), &err);
    assert_string_equal(a.dim_names[0], "x");
    assert_close(a.data[0], 1234.5, 0);
    ps_h5r_array_release(&a);
    ps_h5r_close(f);
    write_scaled_file(path, 40000); /* HDF5 would allocate 40000 references, copy one */
    assert_ps_ok(ps_h5r_open(&f, path, &err), &err);
    assert_int_equal(ps_h5r_read_array(&a, f, "/v", &err), PS_EIO);
    assert_non_null(strstr(err.msg, "corrupted variable-length value 1 of '/v': its length 40000"));
    assert_string_equal(err.path, path);
    ps_h5r_close(f);
    unlink(path);
}

static int remove_fuzz_dir(void **state)
{
    (void)state;
    char cmd[PATH_MAX + 512];
    DIR *d = opendir(fuzz_dir());
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            snprintf(cmd, sizeof cmd, "%s/%s", fuzz_dir(), e->d_name);
            unlink(cmd);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    rmdir(fuzz_dir());
    return 0;
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_robust__hostile_csv_gives_located_error_or_correct_values),
        cmocka_unit_test(test_robust__ten_megabyte_line_is_refused),
        cmocka_unit_test(test_robust__directory_instead_of_csv_is_refused),
        cmocka_unit_test(test_robust__memory_estimate_grows_and_saturates),
        cmocka_unit_test(test_robust__output_estimate_refuses_amplified_runs),
        cmocka_unit_test(test_robust__memory_limit_from_environment),
        cmocka_unit_test(test_robust__cancelled_write_leaves_target_and_no_temp),
        cmocka_unit_test(test_robust__fuzz_regressions_replay_cleanly),
        cmocka_unit_test(test_robust__hostile_result_files_replay_through_h5read_harness),
        cmocka_unit_test(test_robust__result_years_far_from_int_max_are_an_invariant),
        cmocka_unit_test(test_robust__corrupted_dimension_list_is_refused),
    };
    return cmocka_run_group_tests_name("robust", tests, NULL, remove_fuzz_dir);
}

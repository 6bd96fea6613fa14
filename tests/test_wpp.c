/*
 * test_wpp.c - the WPP reader: location look-up, errors with file:line:col, the parsed
 * cache and its invalidation, and the horizon rules of ps_wpp_inputs. A miniature dataset
 * for a fictional location "Testland" (code 999) is written to a temporary folder; the
 * look-ups of real names read ../shared/data/wpp2024 (PS_WPP_DIR). Issue #17: the cache's
 * checksum and file checks, duplicate rows, truncated gzip files.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "popsim/sha256.h"
#include "popsim/wpp.h"
#include "test_util.h"

typedef struct mini {
    char dir[256];
    char cache[300];
} mini;

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* Headers of every file, one row of Testland in a few, and a neighbour location before it. */
static void write_mini(const char *dir, const char *tfr_value)
{
    char tfr[512];
    write_file(dir, "locations.csv",
               "country_code,name,location_type,reg_code,reg_name,area_code,area_name\n"
               "4,Afghanistan,4,5500,\"Southern Asia\",935,Asia\n"
               "999,Testland,4,-1,\"\",-1,\"\"\n");
    write_file(dir, "pop_age5_sex_5yr.csv", "country_code,name,year,variant,sex,age,value\n"
               "999,Testland,2025,medium,F,20,12.5\n");
    write_file(dir, "mx_abridged_sex_5yr.csv.gz",
               "country_code,name,period,year_start,year_end,sex,age,value\n");
    write_file(dir, "e0_annual.csv", "country_code,name,year,variant,sex,value\n"
               "999,Testland,2030,medium,B,70.5\n999,Testland,2030,medium,M,68.25\n");
    snprintf(tfr, sizeof tfr, "country_code,name,year,variant,value\n"
             "4,Afghanistan,2030,medium,4.1\n999,Testland,2030,medium,%s\n", tfr_value);
    write_file(dir, "tfr_annual.csv", tfr);
    write_file(dir, "pasfr_age5_annual.csv", "country_code,name,year,age,value\n");
    write_file(dir, "srb_annual.csv", "country_code,name,year,variant,value\n");
    write_file(dir, "migration_total_annual.csv", "country_code,name,year,variant,value\n"
               "999,Testland,2030,medium,-1.25\n");
    write_file(dir, "migration_age1_sex_annual.csv.gz",
               "country_code,name,year,sex,age,value\n");
    write_file(dir, "pop_total_sex_annual.csv", "country_code,name,year,sex,value\n");
    write_file(dir, "vital_indicators_annual.csv",
               "country_code,name,year,variant,indicator,value\n"
               "999,Testland,2030,medium,births,3.5\n999,Testland,2030,medium,cbr,9.9\n");
}

static int setup(void **state)
{
    mini *m = calloc(1, sizeof *m);
    snprintf(m->dir, sizeof m->dir, "/tmp/popsim_wpp_XXXXXX");
    if (m == NULL || mkdtemp(m->dir) == NULL) {
        return -1;
    }
    snprintf(m->cache, sizeof m->cache, "%s/cache", m->dir);
    write_mini(m->dir, "1.5");
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    mini *m = *state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", m->dir);
    int rc = system(cmd);
    free(m);
    return rc == 0 ? 0 : -1;
}

static void test_wpp__reads_one_location_and_converts_thousands(void **state)
{
    mini *m = *state;
    ps_wpp_location *loc = malloc(sizeof *loc);
    ps_error err;
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, NULL, &err), &err);
    assert_string_equal(loc->name, "Testland");
    assert_close(loc->tfr[2030 - PS_WPP_FIRST_YEAR], 1.5, 0);
    assert_close(loc->e0[2030 - PS_WPP_FIRST_YEAR][PS_SEX_MALE], 68.25, 0);
    assert_close(loc->pop5[(2025 - PS_WPP_FIRST_YEAR) / 5][PS_SEX_FEMALE][4], 12500.0, 0);
    assert_close(loc->mig_total[2030 - PS_WPP_FIRST_YEAR], -1250.0, 0);
    assert_close(loc->births[2030 - PS_WPP_FIRST_YEAR], 3500.0, 0);
    assert_true(isnan(loc->tfr[2031 - PS_WPP_FIRST_YEAR]));
    free(loc);
}

/* The whole cache entry of location 999 in m->cache, into a new buffer; its size in *n. */
static unsigned char *read_entry(const mini *m, size_t *n)
{
    char path[400];
    snprintf(path, sizeof path, "%s/wpp2024-999.bin", m->cache);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *buf = malloc(*n);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, *n, f), *n);
    fclose(f);
    return buf;
}

static void write_entry(const mini *m, const unsigned char *buf, size_t n)
{
    char path[400];
    snprintf(path, sizeof path, "%s/wpp2024-999.bin", m->cache);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
}

static ino_t entry_inode(const mini *m)
{
    char path[400];
    struct stat st;
    snprintf(path, sizeof path, "%s/wpp2024-999.bin", m->cache);
    assert_int_equal(lstat(path, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    return st.st_ino;
}

static void test_wpp__cache_is_used_and_invalidated_when_a_source_changes(void **state)
{
    mini *m = *state;
    ps_wpp_location *loc = malloc(sizeof *loc);
    ps_error err;
    char cache_file[400];
    struct stat st;
    snprintf(cache_file, sizeof cache_file, "%s/wpp2024-999.bin", m->cache);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_int_equal(stat(cache_file, &st), 0);
    /* A hit leaves the entry alone; a miss writes a new file and renames it over the entry. */
    ino_t first = entry_inode(m);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_int_equal(entry_inode(m), first);
    assert_close(loc->tfr[2030 - PS_WPP_FIRST_YEAR], 1.5, 0);
    /* Rewriting a source (new size) invalidates the entry. */
    write_mini(m->dir, "1.625");
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_close(loc->tfr[2030 - PS_WPP_FIRST_YEAR], 1.625, 0);
    assert_true(entry_inode(m) != first);
    /* A truncated entry is ignored, never an error. */
    assert_int_equal(truncate(cache_file, 100), 0);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_close(loc->tfr[2030 - PS_WPP_FIRST_YEAR], 1.625, 0);
    free(loc);
}

/* Issue #17: one changed double in the cache moved a country's population by 20 %. */
static void test_wpp__cache_with_any_byte_flipped_is_a_miss_equal_to_an_uncached_load(void **state)
{
    mini *m = *state;
    ps_wpp_location *plain = malloc(sizeof *plain), *loc = malloc(sizeof *loc);
    ps_error err;
    assert_ps_ok(ps_wpp_load(plain, m->dir, 999, NULL, &err), &err);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    size_t n = 0;
    unsigned char *good = read_entry(m, &n);
    const size_t payload = n - 64 - sizeof *loc; /* header | location | SHA-256 in hex */
    const size_t tfr_at = payload + offsetof(ps_wpp_location, tfr) +
                          (2030 - PS_WPP_FIRST_YEAR) * sizeof(double);
    /* A byte of the header, of the value itself, of its last byte's neighbour, of the
     * digest: each one flipped alone. */
    const size_t where[] = { 0, 20, tfr_at, tfr_at + 7, n - 64 - 1, n - 64, n - 1 };
    for (size_t k = 0; k < sizeof where / sizeof where[0]; ++k) {
        unsigned char *bad = malloc(n);
        memcpy(bad, good, n);
        bad[where[k]] ^= 0x10;
        write_entry(m, bad, n);
        memset(loc, 0x5a, sizeof *loc);
        assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
        if (memcmp(loc, plain, sizeof *loc) != 0) {
            fail_msg("byte %zu flipped: the load differs from an uncached one", where[k]);
        }
        size_t n2 = 0;
        unsigned char *again = read_entry(m, &n2); /* rewritten from the sources */
        assert_int_equal(n2, n);
        assert_memory_equal(again, good, n);
        free(again);
        free(bad);
    }
    free(good);
    free(plain);
    free(loc);
}

/* The digest protects against damage, not against whoever owns the cache folder; but a
 * symlink, a FIFO or a shortened entry is never followed, waited on or trusted. */
static void test_wpp__cache_symlink_fifo_or_truncated_entry_is_never_trusted(void **state)
{
    mini *m = *state;
    ps_wpp_location *plain = malloc(sizeof *plain), *loc = malloc(sizeof *loc);
    ps_error err;
    char entry[400], elsewhere[400];
    snprintf(entry, sizeof entry, "%s/wpp2024-999.bin", m->cache);
    snprintf(elsewhere, sizeof elsewhere, "%s/forged.bin", m->dir);
    assert_ps_ok(ps_wpp_load(plain, m->dir, 999, NULL, &err), &err);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    size_t n = 0;
    unsigned char *forged = read_entry(m, &n);
    const size_t tfr_at = n - 64 - sizeof *loc + offsetof(ps_wpp_location, tfr) +
                          (2030 - PS_WPP_FIRST_YEAR) * sizeof(double);
    const double other = 9.75;
    char hex[65];
    memcpy(forged + tfr_at, &other, sizeof other);
    ps_sha256_hex(hex, forged, n - 64);
    memcpy(forged + n - 64, hex, 64); /* a consistent entry with another TFR */
    FILE *f = fopen(elsewhere, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(forged, 1, n, f), n);
    fclose(f);
    /* Through a symlink: not followed. */
    assert_int_equal(unlink(entry), 0);
    assert_int_equal(symlink(elsewhere, entry), 0);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_close(loc->tfr[2030 - PS_WPP_FIRST_YEAR], 1.5, 0);
    (void)entry_inode(m); /* the symlink was replaced by a regular entry */
    /* A FIFO without a writer: not waited on (this test would hang), then replaced. */
    assert_int_equal(unlink(entry), 0);
    assert_int_equal(mkfifo(entry, 0600), 0);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_memory_equal(loc, plain, sizeof *loc);
    (void)entry_inode(m);
    /* Cut short by one byte, or one byte too long. */
    assert_int_equal(truncate(entry, (off_t)n - 1), 0);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_memory_equal(loc, plain, sizeof *loc);
    f = fopen(entry, "ab");
    assert_non_null(f);
    fputc('x', f);
    fclose(f);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_memory_equal(loc, plain, sizeof *loc);
    /* The same forged bytes as a regular entry are used: the cache folder is trusted. */
    write_entry(m, forged, n);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_close(loc->tfr[2030 - PS_WPP_FIRST_YEAR], 9.75, 0);
    free(forged);
    free(plain);
    free(loc);
}

/* Issue #17: a row given twice used to be accepted, the last one winning. */
static void test_wpp__duplicate_rows_are_refused_with_both_lines(void **state)
{
    mini *m = *state;
    ps_wpp_location *loc = malloc(sizeof *loc);
    ps_error err;
    /* Conflicting, in a separate block after another location. */
    write_file(m->dir, "tfr_annual.csv", "country_code,name,year,variant,value\n"
               "999,Testland,2030,medium,1.5\n4,Afghanistan,2030,medium,4.1\n"
               "999,Testland,2030,medium,2.5\n");
    assert_int_equal(ps_wpp_load(loc, m->dir, 999, NULL, &err), PS_EINVAL);
    assert_non_null(strstr(err.path, "tfr_annual.csv"));
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.msg, "duplicate row"));
    assert_non_null(strstr(err.msg, "already given at line 2 with a different value"));
    /* Identical: refused as well. */
    write_file(m->dir, "tfr_annual.csv", "country_code,name,year,variant,value\n"
               "999,Testland,2030,medium,1.5\n999,Testland,2030,medium,1.5\n");
    assert_int_equal(ps_wpp_load(loc, m->dir, 999, NULL, &err), PS_EINVAL);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.msg, "already given at line 2 (with the same value)"));
    write_mini(m->dir, "1.5");
    /* Every file kind: the same cell through another label of it is a duplicate too. */
    static const struct {
        const char *file, *header, *row1, *row2, *keys;
    } cases[] = {
        { "pop_age5_sex_5yr.csv", "country_code,name,year,variant,sex,age,value",
          "999,Testland,2025,medium,F,20,12.5", "999,Testland,2025,estimate,F,20,13",
          "year, sex, age" },
        { "mx_abridged_sex_5yr.csv.gz",
          "country_code,name,period,year_start,year_end,sex,age,value",
          "999,Testland,2025-2030,2025,2030,M,5,0.001",
          "999,Testland,2025-2030,2025,2031,M,5,0.002", "year_start, sex, age" },
        { "e0_annual.csv", "country_code,name,year,variant,sex,value",
          "999,Testland,2030,medium,F,80", "999,Testland,2030,medium,F,81", "year, sex" },
        { "pasfr_age5_annual.csv", "country_code,name,year,age,value",
          "999,Testland,2030,25,30", "999,Testland,2030,25,31", "year, age" },
        { "srb_annual.csv", "country_code,name,year,variant,value",
          "999,Testland,2030,medium,1.05", "999,Testland,2030,medium,1.06", "year" },
        { "migration_total_annual.csv", "country_code,name,year,variant,value",
          "999,Testland,2031,medium,1", "999,Testland,2031,medium,2", "year" },
        { "migration_age1_sex_annual.csv.gz", "country_code,name,year,sex,age,value",
          "999,Testland,2030,M,0,0.1", "999,Testland,2030,M,0,0.2", "year, sex, age" },
        { "pop_total_sex_annual.csv", "country_code,name,year,sex,value",
          "999,Testland,2030,F,100", "999,Testland,2030,F,101", "year, sex" },
        { "vital_indicators_annual.csv", "country_code,name,year,variant,indicator,value",
          "999,Testland,2031,medium,deaths,1", "999,Testland,2031,estimate,deaths,2",
          "year, indicator" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        char text[512];
        snprintf(text, sizeof text, "%s\n%s\n%s\n", cases[k].header, cases[k].row1,
                 cases[k].row2);
        write_file(m->dir, cases[k].file, text);
        assert_int_equal(ps_wpp_load(loc, m->dir, 999, NULL, &err), PS_EINVAL);
        if (strstr(err.path, cases[k].file) == NULL || err.line != 3 ||
            strstr(err.msg, cases[k].keys) == NULL || strstr(err.msg, "line 2") == NULL) {
            fail_msg("%s: got %s:%ld: %s", cases[k].file, err.path, err.line, err.msg);
        }
        write_mini(m->dir, "1.5");
    }
    /* Rows popsim does not use (both sexes, other indicators) may repeat. */
    write_file(m->dir, "e0_annual.csv", "country_code,name,year,variant,sex,value\n"
               "999,Testland,2030,medium,B,70.5\n999,Testland,2030,medium,B,70.5\n");
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, NULL, &err), &err);
    free(loc);
}

/* Issue #17: a truncated gzip file read without error lost its last rows. */
static void test_wpp__truncated_gzip_file_is_refused_by_name(void **state)
{
    mini *m = *state;
    ps_wpp_location *loc = malloc(sizeof *loc);
    ps_error err;
    char path[400];
    snprintf(path, sizeof path, "%s/migration_age1_sex_annual.csv.gz", m->dir);
    gzFile gz = gzopen(path, "wb");
    assert_non_null(gz);
    gzputs(gz, "country_code,name,year,sex,age,value\n");
    for (int age = 0; age < PS_WPP_N_AGES; ++age) {
        gzprintf(gz, "999,Testland,2030,F,%d,0.%d\n", age, age + 1);
    }
    assert_int_equal(gzclose(gz), Z_OK);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, NULL, &err), &err);
    assert_close(loc->mig1[2030 - PS_WPP_MIG1_FIRST_YEAR][PS_SEX_FEMALE][100], 101.0, 1e-12);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(truncate(path, st.st_size - 8), 0); /* the trailer is gone */
    assert_int_equal(ps_wpp_load(loc, m->dir, 999, NULL, &err), PS_EIO);
    assert_non_null(strstr(err.path, "migration_age1_sex_annual.csv.gz"));
    assert_non_null(strstr(err.msg, "the compressed file is truncated or corrupt"));
    free(loc);
}

static void test_wpp__malformed_value_is_reported_at_its_line_and_column(void **state)
{
    mini *m = *state;
    write_mini(m->dir, "1.5x");
    ps_wpp_location *loc = malloc(sizeof *loc);
    ps_error err;
    assert_int_equal(ps_wpp_load(loc, m->dir, 999, NULL, &err), PS_EPARSE);
    assert_non_null(strstr(err.path, "tfr_annual.csv"));
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 26); /* "999,Testland,2030,medium," is 25 characters */
    assert_non_null(strstr(err.msg, "value"));
    write_mini(m->dir, "1.5");
    write_file(m->dir, "srb_annual.csv", "country_code,name,year,value\n");
    assert_int_equal(ps_wpp_load(loc, m->dir, 999, NULL, &err), PS_EPARSE);
    assert_non_null(strstr(err.msg, "wrong header"));
    assert_int_equal(err.line, 1);
    free(loc);
}

static void test_wpp__missing_folder_names_the_files_and_their_source(void **state)
{
    (void)state;
    char dir[256];
    ps_error err;
    assert_int_equal(ps_wpp_find_dir(dir, sizeof dir, "/nonexistent/wpp", NULL, &err), PS_EIO);
    assert_non_null(strstr(err.msg, "locations.csv"));
    assert_non_null(strstr(err.msg, "mx_abridged_sex_5yr.csv.gz"));
    assert_non_null(strstr(err.msg, "World Population Prospects 2024"));
    assert_non_null(strstr(err.msg, "CC BY 3.0 IGO"));
}

static void test_wpp__locations_resolve_by_code_or_exact_name(void **state)
{
    (void)state;
    char dir[4096], name[128];
    int code = 0;
    ps_error err;
    assert_ps_ok(ps_wpp_find_dir(dir, sizeof dir, PS_WPP_DIR, NULL, &err), &err);
    assert_ps_ok(ps_wpp_lookup(&code, name, sizeof name, dir, "156", &err), &err);
    assert_int_equal(code, 156);
    assert_string_equal(name, "China");
    assert_ps_ok(ps_wpp_lookup(&code, name, sizeof name, dir, "China, Hong Kong SAR", &err),
                 &err);
    assert_int_equal(code, 344);
    assert_int_equal(ps_wpp_lookup(&code, name, sizeof name, dir, "Chine", &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "unknown location 'Chine'"));
    assert_non_null(strstr(err.msg, "did you mean 'China'"));
    assert_int_equal(ps_wpp_lookup(&code, name, sizeof name, dir, "Chna", &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "'China'"));
    assert_int_equal(ps_wpp_lookup(&code, name, sizeof name, dir, "Germ", &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "did you mean 'Germany'"));
    assert_int_equal(ps_wpp_lookup(&code, name, sizeof name, dir, "123456", &err), PS_EINVAL);
}

static void test_wpp__horizon_must_fit_the_dataset(void **state)
{
    (void)state;
    char dir[4096], name[128];
    int code = 0;
    ps_error err;
    ps_inputs in;
    ps_wpp_location *loc = malloc(sizeof *loc);
    assert_ps_ok(ps_wpp_find_dir(dir, sizeof dir, PS_WPP_DIR, NULL, &err), &err);
    assert_ps_ok(ps_wpp_lookup(&code, name, sizeof name, dir, "Japan", &err), &err);
    assert_ps_ok(ps_wpp_load(loc, dir, code, NULL, &err), &err);
    assert_int_equal(ps_wpp_inputs(&in, loc, 2024, 2050, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "divisible by 5"));
    assert_int_equal(ps_wpp_inputs(&in, loc, 2025, 2101, &err), PS_EINVAL);
    assert_ps_ok(ps_wpp_inputs(&in, loc, 2000, 2010, &err), &err); /* before single-age migration */
    double mig = 0.0;
    for (size_t i = 0; i < 2 * PS_WPP_N_AGES; ++i) {
        mig += in.mig[i];
    }
    assert_close(mig, 0.5 * (loc->mig_total[50] + loc->mig_total[51]), 1e-9);
    ps_inputs_release(&in);
    free(loc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wpp__reads_one_location_and_converts_thousands,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_wpp__cache_is_used_and_invalidated_when_a_source_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_wpp__cache_with_any_byte_flipped_is_a_miss_equal_to_an_uncached_load, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_wpp__cache_symlink_fifo_or_truncated_entry_is_never_trusted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wpp__duplicate_rows_are_refused_with_both_lines,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wpp__truncated_gzip_file_is_refused_by_name, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_wpp__malformed_value_is_reported_at_its_line_and_column, setup, teardown),
        cmocka_unit_test(test_wpp__missing_folder_names_the_files_and_their_source),
        cmocka_unit_test(test_wpp__locations_resolve_by_code_or_exact_name),
        cmocka_unit_test(test_wpp__horizon_must_fit_the_dataset),
    };
    return cmocka_run_group_tests_name("wpp", tests, NULL, NULL);
}

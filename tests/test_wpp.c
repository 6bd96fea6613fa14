/*
 * test_wpp.c - the WPP reader: location look-up, errors with file:line:col, the parsed
 * cache and its invalidation, and the horizon rules of ps_wpp_inputs. A miniature dataset
 * for a fictional location "Testland" (code 999) is written to a temporary folder; the
 * look-ups of real names read ../shared/data/wpp2024 (PS_WPP_DIR).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
    /* A changed cache proves the second load came from it. */
    loc->tfr[2031 - PS_WPP_FIRST_YEAR] = 0.0;
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_true(isnan(loc->tfr[2031 - PS_WPP_FIRST_YEAR]));
    FILE *f = fopen(cache_file, "r+b");
    assert_non_null(f);
    fseek(f, -8, SEEK_END);
    double marker = 2.75;
    fwrite(&marker, sizeof marker, 1, f); /* the last double of the struct: deaths[2100] */
    fclose(f);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_close(loc->deaths[PS_WPP_N_YEARS - 1], 2.75, 0);
    /* Rewriting a source (new size) invalidates the entry. */
    write_mini(m->dir, "1.625");
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_close(loc->tfr[2030 - PS_WPP_FIRST_YEAR], 1.625, 0);
    assert_true(isnan(loc->deaths[PS_WPP_N_YEARS - 1]));
    /* A truncated entry is ignored, never an error. */
    assert_int_equal(truncate(cache_file, 100), 0);
    assert_ps_ok(ps_wpp_load(loc, m->dir, 999, m->cache, &err), &err);
    assert_close(loc->tfr[2030 - PS_WPP_FIRST_YEAR], 1.625, 0);
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
            test_wpp__malformed_value_is_reported_at_its_line_and_column, setup, teardown),
        cmocka_unit_test(test_wpp__missing_folder_names_the_files_and_their_source),
        cmocka_unit_test(test_wpp__locations_resolve_by_code_or_exact_name),
        cmocka_unit_test(test_wpp__horizon_must_fit_the_dataset),
    };
    return cmocka_run_group_tests_name("wpp", tests, NULL, NULL);
}

/*
 * test_wpp_accuracy.c - popsim fed the WPP 2024 medium inputs must reproduce the WPP 2024
 * medium projection (issue #2 tolerances) for China and countries of other continents.
 * Comparison conventions (data README): the WPP 1 July total of year t is the mean of the
 * 31 December totals of t-1 and t; births and deaths of 1 July t-1 to 1 July t are the
 * mean of the calendar-year counts of t-1 and t; age groups come from the 1 July 5x5 data.
 * Reads ../shared/data/wpp2024 (PS_WPP_DIR); fails, never skips, when it is missing.
 */
#include <stdio.h>
#include <stdlib.h>

#include "popsim/proj.h"
#include "popsim/wpp.h"
#include "test_util.h"

typedef struct tolerance {
    double total, births, deaths, age0_4, age65p, age80p; /* relative */
} tolerance;

static const tolerance issue_tol = { .total = 0.003, .births = 0.0075, .deaths = 0.01,
                                     .age0_4 = 0.01, .age65p = 0.005, .age80p = 0.02 };

static double wpp_groups(const ps_wpp_location *loc, int year, int g_lo, int g_hi)
{
    double sum = 0.0;
    int y5 = (year - PS_WPP_FIRST_YEAR) / 5;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int g = g_lo; g <= g_hi; ++g) {
            sum += loc->pop5[y5][sex][g];
        }
    }
    return sum;
}

static double wpp_mean2(const double *annual, int year)
{
    int i = year - PS_WPP_FIRST_YEAR;
    return 0.5 * (annual[i - 1] + annual[i]);
}

static double wpp_total_july(const ps_wpp_location *loc, int year)
{
    int i = year - PS_WPP_FIRST_YEAR;
    return 0.5 * (loc->pop_total[i - 1][0] + loc->pop_total[i - 1][1] + loc->pop_total[i][0] +
                  loc->pop_total[i][1]);
}

static int check(const char *loc_name, int year, const char *what, double ours, double theirs,
                 double tol)
{
    double rel = ours / theirs - 1.0;
    int ok = fabs(rel) <= tol;
    printf("  %-12s %d %-7s popsim %14.0f  WPP %14.0f  %+7.3f%% (tol %.2f%%)%s\n", loc_name, year,
           what, ours, theirs, 100.0 * rel, 100.0 * tol, ok ? "" : "  <-- FAIL");
    return ok;
}

static int compare_location(const char *code)
{
    char dir[4096];
    ps_error err;
    ps_error_clear(&err);
    assert_ps_ok(ps_wpp_find_dir(dir, sizeof dir, PS_WPP_DIR, NULL, &err), &err);
    int icode = 0;
    char name[128];
    assert_ps_ok(ps_wpp_lookup(&icode, name, sizeof name, dir, code, &err), &err);
    ps_wpp_location *loc = malloc(sizeof *loc);
    assert_non_null(loc);
    assert_ps_ok(ps_wpp_load(loc, dir, icode, NULL, &err), &err);
    ps_inputs in;
    assert_ps_ok(ps_wpp_inputs(&in, loc, 2025, 2100, &err), &err);
    ps_proj *p = NULL;
    assert_ps_ok(ps_proj_new(&p, &in, &err), &err);
    ps_result res;
    assert_ps_ok(ps_proj_run(&res, p, "acc", NULL, &err), &err);
    static const int years[] = { 2030, 2050, 2100 };
    int ok = 1;
    for (int i = 0; i < 3; ++i) {
        int y = years[i];
        ok &= check(name, y, "total", ps_result_total(&res, y), wpp_total_july(loc, y),
                    issue_tol.total);
        ok &= check(name, y, "births", ps_result_births(&res, y - 1), wpp_mean2(loc->births, y),
                    issue_tol.births);
        ok &= check(name, y, "deaths", ps_result_deaths(&res, y - 1), wpp_mean2(loc->deaths, y),
                    issue_tol.deaths);
        ok &= check(name, y, "0-4", ps_result_age_range(&res, y, 0, 4), wpp_groups(loc, y, 0, 0),
                    issue_tol.age0_4);
        ok &= check(name, y, "65+", ps_result_age_range(&res, y, 65, 100),
                    wpp_groups(loc, y, 13, 20), issue_tol.age65p);
        ok &= check(name, y, "80+", ps_result_age_range(&res, y, 80, 100),
                    wpp_groups(loc, y, 16, 20), issue_tol.age80p);
    }
    ps_result_release(&res);
    ps_proj_free(p);
    ps_inputs_release(&in);
    free(loc);
    return ok;
}

static void test_wpp_accuracy__china_reproduces_wpp_medium(void **state)
{
    (void)state;
    assert_true(compare_location("China"));
}

static void test_wpp_accuracy__nigeria_reproduces_wpp_medium(void **state)
{
    (void)state;
    assert_true(compare_location("Nigeria"));
}

static void test_wpp_accuracy__brazil_reproduces_wpp_medium(void **state)
{
    (void)state;
    assert_true(compare_location("Brazil"));
}

static void test_wpp_accuracy__germany_reproduces_wpp_medium(void **state)
{
    (void)state;
    assert_true(compare_location("Germany"));
}

static void test_wpp_accuracy__usa_reproduces_wpp_medium(void **state)
{
    (void)state;
    assert_true(compare_location("840"));
}

static void test_wpp_accuracy__australia_reproduces_wpp_medium(void **state)
{
    (void)state;
    assert_true(compare_location("Australia"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wpp_accuracy__china_reproduces_wpp_medium),
        cmocka_unit_test(test_wpp_accuracy__nigeria_reproduces_wpp_medium),
        cmocka_unit_test(test_wpp_accuracy__brazil_reproduces_wpp_medium),
        cmocka_unit_test(test_wpp_accuracy__germany_reproduces_wpp_medium),
        cmocka_unit_test(test_wpp_accuracy__usa_reproduces_wpp_medium),
        cmocka_unit_test(test_wpp_accuracy__australia_reproduces_wpp_medium),
    };
    return cmocka_run_group_tests_name("wpp_accuracy", tests, NULL, NULL);
}

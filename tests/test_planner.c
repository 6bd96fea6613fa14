/*
 * test_planner.c - the planner CSV readers (popsim/planner.h): exact reading of single
 * ages, graduation of groups (totals kept), the calendar-year -> step rule, one bad file per
 * validation rule (status, line, column, message), and the data/example set.
 * Expected values are worked out by hand in the comments next to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include "popsim/demog.h"
#include "popsim/planner.h"

#define DIR PS_TEST_DATA_DIR "/planner/"
#define EXAMPLE_DIR PS_SOURCE_DIR "/data/example/"

/* Small files use ages 0..14 and the open group 15+. */
#define SMALL_AGES 16
/* Fertility and the example use ages 0..99 and 100+. */
#define FULL_AGES 101
/* Bit-level agreement allowed for sums of a few dozen doubles. */
#define TIGHT 1e-12
/* Graduation keeps totals up to rounding of the spline. */
#define TOTALS 1e-9

static void test_planner__single_age_population_is_read_back_exactly(void **state)
{
    (void)state;
    ps_error err;
    double pop[PS_SEX_COUNT * SMALL_AGES];
    assert_ps_ok(ps_plan_read_population(pop, SMALL_AGES, DIR "good/population_single.csv", &err),
                 &err);
    assert_true(pop[PS_SEX_MALE * SMALL_AGES + 0] == 1234.5);
    assert_true(pop[PS_SEX_MALE * SMALL_AGES + 7] == 1152.625);
    assert_true(pop[PS_SEX_MALE * SMALL_AGES + 15] == 18345.5);
    assert_true(pop[PS_SEX_FEMALE * SMALL_AGES + 0] == 1169.75);
    assert_true(pop[PS_SEX_FEMALE * SMALL_AGES + 14] == 1222.125);
    assert_true(pop[PS_SEX_FEMALE * SMALL_AGES + 15] == 20456.25);
}

static void test_planner__grouped_population_keeps_group_totals_and_is_non_negative(void **state)
{
    (void)state;
    static const int lo[] = { 0, 5, 10 };
    static const double male[] = { 6123.5, 5877.25, 6410.75 };
    static const double female[] = { 5811.0, 5690.5, 6002.25 };
    ps_error err;
    double pop[PS_SEX_COUNT * SMALL_AGES];
    assert_ps_ok(ps_plan_read_population(pop, SMALL_AGES, DIR "good/population_grouped.csv", &err),
                 &err);
    for (int g = 0; g < 3; ++g) {
        double sum_m = 0.0, sum_f = 0.0;
        for (int age = lo[g]; age < lo[g] + 5; ++age) {
            sum_m += pop[PS_SEX_MALE * SMALL_AGES + age];
            sum_f += pop[PS_SEX_FEMALE * SMALL_AGES + age];
        }
        assert_close(sum_m, male[g], TOTALS);
        assert_close(sum_f, female[g], TOTALS);
    }
    for (int cell = 0; cell < PS_SEX_COUNT * SMALL_AGES; ++cell) {
        assert_true(pop[cell] >= 0.0);
    }
    /* The open group is copied, not graduated. */
    assert_true(pop[PS_SEX_MALE * SMALL_AGES + 15] == 40321.5);
    assert_true(pop[PS_SEX_FEMALE * SMALL_AGES + 15] == 43876.125);
}

static void test_planner__crlf_and_bom_file_reads_like_the_plain_one(void **state)
{
    (void)state;
    ps_error err;
    double plain[PS_SEX_COUNT * SMALL_AGES], crlf[PS_SEX_COUNT * SMALL_AGES];
    assert_ps_ok(ps_plan_read_population(plain, SMALL_AGES, DIR "good/population_single.csv",
                                         &err), &err);
    assert_ps_ok(ps_plan_read_population(crlf, SMALL_AGES,
                                         DIR "good/population_single_crlf_bom.csv", &err), &err);
    assert_memory_equal(plain, crlf, sizeof plain);
}

static void test_planner__tfr_step_is_the_mean_of_two_interpolated_calendar_years(void **state)
{
    (void)state;
    ps_error err;
    double tfr[2];
    /* 2020 = 1.2, 2030 = 1.0: v falls by 0.02 a year, v(2025) = 1.1, v(2026) = 1.08,
     * v(2027) = 1.06. Step 0 (2025-26) = 1.09, step 1 (2026-27) = 1.07. */
    assert_ps_ok(ps_plan_read_tfr(tfr, 2025, 2027, DIR "good/tfr.csv", &err), &err);
    assert_close(tfr[0], 1.09, TIGHT);
    assert_close(tfr[1], 1.07, TIGHT);
}

static void test_planner__tfr_is_held_before_the_first_and_after_the_last_year(void **state)
{
    (void)state;
    ps_error err;
    double tfr[30];
    /* Steps from 2010 to 2040: step s spans calendar years 2010+s and 2011+s. */
    assert_ps_ok(ps_plan_read_tfr(tfr, 2010, 2040, DIR "good/tfr.csv", &err), &err);
    assert_close(tfr[0], 1.2, TIGHT);   /* 2010-11: both held at 2020's 1.2 */
    assert_close(tfr[9], 1.2, TIGHT);   /* 2019-20: 1.2 and 1.2 */
    assert_close(tfr[10], 1.19, TIGHT); /* 2020-21: (1.2 + 1.18) / 2 */
    assert_close(tfr[19], 1.01, TIGHT); /* 2029-30: (1.02 + 1.0) / 2 */
    assert_close(tfr[20], 1.0, TIGHT);  /* 2030-31: both held at 2030's 1.0 */
    assert_close(tfr[29], 1.0, TIGHT);
}

static void test_planner__single_age_mx_is_read_exactly(void **state)
{
    (void)state;
    ps_error err;
    double mx[PS_SEX_COUNT * SMALL_AGES];
    /* One listed year: every step holds it, and the mean of two equal values is exact. */
    assert_ps_ok(ps_plan_read_mx(mx, 2030, 2031, SMALL_AGES, DIR "good/mx_single.csv", &err),
                 &err);
    assert_true(mx[PS_SEX_MALE * SMALL_AGES + 0] == 0.00287);
    assert_true(mx[PS_SEX_MALE * SMALL_AGES + 6] == 0.000088);
    assert_true(mx[PS_SEX_MALE * SMALL_AGES + 15] == 0.0437);
    assert_true(mx[PS_SEX_FEMALE * SMALL_AGES + 9] == 0.000079);
    assert_true(mx[PS_SEX_FEMALE * SMALL_AGES + 15] == 0.0389);
}

/*
 * Life-table death rate of an age group from its single-year rates: deaths over
 * person-years of a radix-1 cohort, deaths at mid-year (q = m / (1 + m/2)). This is what
 * ps_grad_mx keeps equal to the group's published rate (popsim/demog.h).
 */
static double group_lt_rate(const double *m, int n)
{
    double l = 1.0, deaths = 0.0, years = 0.0;
    for (int i = 0; i < n; ++i) {
        const double d = l * m[i] / (1.0 + m[i] / 2.0);
        deaths += d;
        years += l - d / 2.0;
        l -= d;
    }
    return deaths / years;
}

static void test_planner__abridged_mx_keeps_group_rates(void **state)
{
    (void)state;
    static const int edge[] = { 0, 1, 5, 10, 15 };
    static const double male[] = { 0.00287, 0.000231, 0.000117, 0.000149 };
    static const double female[] = { 0.00241, 0.000187, 0.0000893, 0.000112 };
    ps_error err;
    double mx[PS_SEX_COUNT * SMALL_AGES];
    /* The file lists F before male and the groups out of order: both are allowed. */
    assert_ps_ok(ps_plan_read_mx(mx, 2025, 2026, SMALL_AGES, DIR "good/mx_abridged.csv", &err),
                 &err);
    for (int g = 0; g < 4; ++g) {
        const int width = edge[g + 1] - edge[g];
        const double *m = mx + PS_SEX_MALE * SMALL_AGES + edge[g];
        const double *f = mx + PS_SEX_FEMALE * SMALL_AGES + edge[g];
        for (int age = 0; age < width; ++age) {
            assert_true(m[age] > 0.0 && f[age] > 0.0);
        }
        /* Rates of order 1e-4: compare ratios so the tolerance is relative. */
        assert_close(group_lt_rate(m, width) / male[g], 1.0, TOTALS);
        assert_close(group_lt_rate(f, width) / female[g], 1.0, TOTALS);
    }
    /* Age 0 is a group of one year: its rate is copied. */
    assert_close(mx[PS_SEX_MALE * SMALL_AGES] / 0.00287, 1.0, TIGHT);
    assert_close(mx[PS_SEX_MALE * SMALL_AGES + 15], 0.0437, TIGHT);
    assert_close(mx[PS_SEX_FEMALE * SMALL_AGES + 15], 0.0389, TIGHT);
}

static void test_planner__mx_is_interpolated_log_linearly_between_years(void **state)
{
    (void)state;
    enum { N_AGES = 3 };
    ps_error err;
    double mx[PS_SEX_COUNT * N_AGES];
    assert_ps_ok(ps_plan_read_mx(mx, 2025, 2026, N_AGES, DIR "good/mx_years.csv", &err), &err);
    /* Male age 0: 0.0123 (2020) -> 0.00456 (2030). v(2025) = sqrt(0.0123 * 0.00456)
     * = 0.0074891922...; v(2026) = 0.0123^0.4 * 0.00456^0.6 = 0.0067616396...; the step
     * takes their mean. */
    const double v2025 = sqrt(0.0123 * 0.00456);
    const double v2026 = pow(0.0123, 0.4) * pow(0.00456, 0.6);
    assert_close(v2025, 0.0074891922, 1e-8);
    assert_close(mx[PS_SEX_MALE * N_AGES + 0], (v2025 + v2026) / 2.0, TIGHT);
    /* Female age 1 is 0 in 2020, so the log scale does not apply and interpolation is
     * linear: v(2025) = 0.000155, v(2026) = 0.000186, mean 0.0001705. */
    assert_close(mx[PS_SEX_FEMALE * N_AGES + 1], 0.0001705, TIGHT);
}

static void test_planner__grouped_asfr_keeps_tfr_and_group_births(void **state)
{
    (void)state;
    static const double group[] = { 0.0031, 0.0187, 0.0452, 0.0716, 0.0398, 0.0084, 0.0006 };
    ps_error err;
    double asfr[FULL_AGES];
    assert_ps_ok(ps_plan_read_asfr(asfr, 2025, 2026, FULL_AGES, DIR "good/asfr_grouped.csv",
                                   &err), &err);
    double tfr = 0.0;
    for (int age = 0; age < FULL_AGES; ++age) {
        assert_true(asfr[age] >= 0.0);
        tfr += asfr[age];
    }
    /* 5 x (0.0031 + 0.0187 + 0.0452 + 0.0716 + 0.0398 + 0.0084 + 0.0006) = 5 x 0.1874. */
    assert_close(tfr, 0.937, TOTALS);
    for (int g = 0; g < 7; ++g) {
        double births = 0.0;
        for (int age = 15 + 5 * g; age < 20 + 5 * g; ++age) {
            births += asfr[age];
        }
        assert_close(births, 5.0 * group[g], TOTALS);
    }
    for (int age = 0; age < 15; ++age) {
        assert_close(asfr[age], 0.0, TOTALS);
    }
    for (int age = 50; age < FULL_AGES; ++age) {
        assert_close(asfr[age], 0.0, TOTALS);
    }
}

static void test_planner__single_age_asfr_is_exact_and_unlisted_ages_are_zero(void **state)
{
    (void)state;
    ps_error err;
    double asfr[2 * FULL_AGES];
    assert_ps_ok(ps_plan_read_asfr(asfr, 2030, 2032, FULL_AGES, DIR "good/asfr_single.csv",
                                   &err), &err);
    for (int step = 0; step < 2; ++step) {
        const double *a = asfr + step * FULL_AGES;
        assert_true(a[20] == 0.0123);
        assert_true(a[21] == 0.0234);
        assert_true(a[30] == 0.0817);
        assert_true(a[19] == 0.0 && a[22] == 0.0 && a[29] == 0.0 && a[31] == 0.0);
    }
}

static void test_planner__grouped_migration_is_spread_evenly_and_keeps_totals(void **state)
{
    (void)state;
    ps_error err;
    double mig[PS_SEX_COUNT * SMALL_AGES];
    assert_ps_ok(ps_plan_read_migration(mig, 2025, 2026, SMALL_AGES,
                                        DIR "good/migration_grouped.csv", &err), &err);
    const double *m = mig + PS_SEX_MALE * SMALL_AGES;
    const double *f = mig + PS_SEX_FEMALE * SMALL_AGES;
    for (int age = 0; age < 5; ++age) {
        assert_close(m[age], -24.7, TIGHT);       /* -123.5 / 5 */
        assert_close(m[age + 5], 9.45, TIGHT);    /* 47.25 / 5 */
        assert_close(m[age + 10], 62.0, TIGHT);   /* 310 / 5 */
        assert_close(f[age], -19.5, TIGHT);       /* -97.5 / 5 */
        assert_close(f[age + 5], 12.3, TIGHT);    /* 61.5 / 5 */
        assert_close(f[age + 10], 57.65, TIGHT);  /* 288.25 / 5 */
    }
    assert_close(m[15], -88.75, TIGHT);
    assert_close(f[15], -41.0, TIGHT);
    double total_m = 0.0, total_f = 0.0;
    for (int age = 0; age < SMALL_AGES; ++age) {
        total_m += m[age];
        total_f += f[age];
    }
    assert_close(total_m, 145.0, TIGHT);  /* -123.5 + 47.25 + 310 - 88.75 */
    assert_close(total_f, 211.25, TIGHT); /* -97.5 + 61.5 + 288.25 - 41 */
}

static void test_planner__e0_srb_and_migration_total_follow_the_year_rule(void **state)
{
    (void)state;
    ps_error err;
    double e0[2 * PS_SEX_COUNT], srb[3], total[2];
    /* e0 M: 79.3 (2020) -> 81.1 (2030), +0.18 a year: v(2025) = 80.2, v(2026) = 80.38.
     * F: 85.6 -> 86.9, +0.13 a year: v(2025) = 86.25, v(2026) = 86.38. */
    assert_ps_ok(ps_plan_read_e0(e0, 2025, 2027, DIR "good/e0.csv", &err), &err);
    assert_close(e0[PS_SEX_MALE], 80.29, TIGHT);
    assert_close(e0[PS_SEX_FEMALE], 86.315, TIGHT);
    assert_close(e0[PS_SEX_COUNT + PS_SEX_MALE], 80.47, TIGHT); /* (80.38 + 80.56) / 2 */
    assert_ps_ok(ps_plan_read_srb(srb, 2019, 2022, DIR "good/srb.csv", &err), &err);
    assert_close(srb[0], 1.057, TIGHT);
    assert_close(srb[2], 1.057, TIGHT);
    /* 12000 (2025) -> 8000 (2050), -160 a year; the file also has blank lines. */
    assert_ps_ok(ps_plan_read_migration_total(total, 2025, 2027, DIR "good/migration_total.csv",
                                              &err), &err);
    assert_close(total[0], 11920.0, TIGHT); /* (12000 + 11840) / 2 */
    assert_close(total[1], 11760.0, TIGHT); /* (11840 + 11680) / 2 */
}

/* ------------------------------------------------------------------ bad inputs */

typedef enum reader {
    R_POPULATION, R_MX, R_E0, R_ASFR, R_TFR, R_SRB, R_MIGRATION, R_MIGRATION_TOTAL,
} reader;

typedef struct bad_case {
    const char *file;  /* under tests/data/planner/ */
    reader which;
    int n_ages;
    ps_status status;
    long line;         /* 0: no line (file-level error) */
    int column;
    const char *word;  /* must appear in the message */
} bad_case;

static const bad_case bad_cases[] = {
    /* file                           reader         ages  status     line col word */
    { "bad/wrong_header.csv",        R_TFR,          1, PS_EPARSE,  1,  1, "header" },
    { "bad/truncated_line.csv",      R_MX,  SMALL_AGES, PS_EPARSE,  3,  7, "truncated" },
    { "bad/too_many_fields.csv",     R_TFR,          1, PS_EPARSE,  2, 10, "too many" },
    { "bad/non_numeric.csv",         R_TFR,          1, PS_EPARSE,  3,  6, "tfr" },
    { "bad/nan.csv",                 R_SRB,          1, PS_EPARSE,  2,  6, "srb" },
    { "bad/inf.csv",                 R_MIGRATION_TOTAL, 1, PS_EPARSE, 2, 6, "total" },
    { "bad/overflow.csv",            R_TFR,          1, PS_EPARSE,  2,  6, "tfr" },
    { "bad/hex.csv",                 R_TFR,          1, PS_EPARSE,  2,  6, "tfr" },
    { "bad/population_negative.csv", R_POPULATION, SMALL_AGES, PS_EINVAL, 4, 9, "persons" },
    { "bad/mx_too_high.csv",         R_MX,  SMALL_AGES, PS_EINVAL,  3, 12, "mx" },
    { "bad/srb_probability.csv",     R_SRB,          1, PS_EINVAL,  2,  6, "srb" },
    { "bad/asfr_too_high.csv",       R_ASFR, FULL_AGES, PS_EINVAL,  2,  9, "asfr" },
    { "bad/e0_zero.csv",             R_E0,           1, PS_EINVAL,  2,  8, "e0" },
    { "bad/unknown_sex.csv",         R_POPULATION, SMALL_AGES, PS_EPARSE, 6, 1, "sex" },
    { "bad/age_label.csv",           R_POPULATION, SMALL_AGES, PS_EPARSE, 3, 3, "age" },
    { "bad/age_reversed.csv",        R_POPULATION, SMALL_AGES, PS_EINVAL, 3, 3, "ends before" },
    { "bad/age_beyond_last.csv",     R_MIGRATION, SMALL_AGES, PS_EINVAL, 3, 8, "beyond" },
    { "bad/age_overlap.csv",         R_POPULATION, SMALL_AGES, PS_EINVAL, 4, 3, "overlap" },
    { "bad/age_gap.csv",             R_POPULATION, SMALL_AGES, PS_EINVAL, 8, 1, "5-9 missing" },
    { "bad/open_not_last.csv",       R_POPULATION, SMALL_AGES, PS_EINVAL, 5, 3, "open" },
    { "bad/open_age_in_group.csv",   R_POPULATION, SMALL_AGES, PS_EINVAL, 5, 3, "open" },
    { "bad/mx_missing_sex.csv",      R_MX,  SMALL_AGES, PS_EINVAL, 17,  1, "sex F" },
    { "bad/mx_group_zero.csv",       R_MX,  SMALL_AGES, PS_EINVAL,  4, 12, "> 0" },
    { "bad/e0_missing_sex.csv",      R_E0,           1, PS_EINVAL,  4,  1, "missing" },
    { "bad/asfr_age_outside.csv",    R_ASFR, FULL_AGES, PS_EINVAL,  3,  6, "fertile" },
    { "bad/asfr_open_group.csv",     R_ASFR, FULL_AGES, PS_EINVAL,  2,  6, "open" },
    { "bad/duplicate_year.csv",      R_TFR,          1, PS_EINVAL,  4,  1, "duplicate" },
    { "bad/duplicate_sex.csv",       R_E0,           1, PS_EINVAL,  4,  6, "duplicate" },
    { "bad/years_out_of_order.csv",  R_MIGRATION_TOTAL, 1, PS_EINVAL, 3, 1, "increase" },
    { "bad/year_out_of_range.csv",   R_TFR,          1, PS_EINVAL,  2,  1, "year" },
    { "bad/empty.csv",               R_SRB,          1, PS_EPARSE,  0,  0, "empty" },
    { "bad/header_only.csv",         R_SRB,          1, PS_EPARSE,  1,  1, "no data" },
    { "bad",                         R_TFR,          1, PS_EIO,     0,  0, "directory" },
    { "bad/no_such_file.csv",        R_TFR,          1, PS_EIO,     0,  0, "cannot open" },
};

/* Run one reader over 2 steps (2025-2027) into a buffer large enough for any of them. */
static ps_status run_reader(reader which, int n_ages, const char *path, ps_error *err)
{
    enum { START = 2025, END = 2027 };
    double *out = calloc((size_t)(END - START) * PS_SEX_COUNT * FULL_AGES, sizeof *out);
    ps_status rc = PS_ENOMEM;
    assert_non_null(out);
    switch (which) {
    case R_POPULATION: rc = ps_plan_read_population(out, n_ages, path, err); break;
    case R_MX: rc = ps_plan_read_mx(out, START, END, n_ages, path, err); break;
    case R_E0: rc = ps_plan_read_e0(out, START, END, path, err); break;
    case R_ASFR: rc = ps_plan_read_asfr(out, START, END, n_ages, path, err); break;
    case R_TFR: rc = ps_plan_read_tfr(out, START, END, path, err); break;
    case R_SRB: rc = ps_plan_read_srb(out, START, END, path, err); break;
    case R_MIGRATION: rc = ps_plan_read_migration(out, START, END, n_ages, path, err); break;
    case R_MIGRATION_TOTAL: rc = ps_plan_read_migration_total(out, START, END, path, err); break;
    }
    free(out);
    return rc;
}

static void test_planner__bad_inputs_report_status_line_column_and_word(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof bad_cases / sizeof bad_cases[0]; ++k) {
        const bad_case *bc = &bad_cases[k];
        char path[1024], text[2048];
        ps_error err;
        ps_error_clear(&err);
        snprintf(path, sizeof path, "%s%s", DIR, bc->file);
        ps_status rc = run_reader(bc->which, bc->n_ages, path, &err);
        ps_error_format(&err, text, sizeof text);
        if (rc != bc->status || err.line != bc->line || err.column != bc->column ||
            strstr(err.msg, bc->word) == NULL || strcmp(err.path, path) != 0) {
            fail_msg("%s: got status %d, %s; expected status %d at line %ld col %d with '%s'",
                     bc->file, (int)rc, text, (int)bc->status, bc->line, bc->column, bc->word);
        }
    }
}

static void test_planner__end_year_not_after_start_year_is_rejected(void **state)
{
    (void)state;
    ps_error err;
    double tfr[1];
    assert_int_equal(ps_plan_read_tfr(tfr, 2030, 2030, DIR "good/tfr.csv", &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "after"));
    assert_int_equal(ps_plan_read_population(tfr, 1, DIR "good/population_single.csv", &err),
                     PS_EINVAL);
}

/* ------------------------------------------------------------------ example data */

static void test_planner__example_city_data_loads_with_plausible_levels(void **state)
{
    (void)state;
    enum { START = 2025, END = 2075, STEPS = END - START };
    ps_error err;
    double pop[PS_SEX_COUNT * FULL_AGES], srb[STEPS], total[STEPS];
    double *mx = malloc(sizeof(double) * STEPS * PS_SEX_COUNT * FULL_AGES);
    double *asfr = malloc(sizeof(double) * STEPS * FULL_AGES);
    assert_non_null(mx);
    assert_non_null(asfr);
    assert_ps_ok(ps_plan_read_population(pop, FULL_AGES, EXAMPLE_DIR "population.csv", &err),
                 &err);
    double persons = 0.0;
    for (int cell = 0; cell < PS_SEX_COUNT * FULL_AGES; ++cell) {
        persons += pop[cell];
    }
    assert_close(persons, 2115180.0, TOTALS); /* the sum of the 42 groups in the file */
    assert_ps_ok(ps_plan_read_mx(mx, START, END, FULL_AGES, EXAMPLE_DIR "mx.csv", &err), &err);
    /* Step 0 mixes 2025 and 2026: e0 about 80.7 (M) and 85.8 (F), rising to the 2050 levels
     * (about 83.5 and 87.8) and held after. */
    const double e0_m = ps_lt_e0(mx, FULL_AGES, PS_SEX_MALE);
    const double e0_f = ps_lt_e0(mx + FULL_AGES, FULL_AGES, PS_SEX_FEMALE);
    assert_true(e0_m > 79.0 && e0_m < 82.0);
    assert_true(e0_f > 84.5 && e0_f < 87.0);
    const double *late = mx + (size_t)(STEPS - 1) * PS_SEX_COUNT * FULL_AGES;
    assert_true(ps_lt_e0(late, FULL_AGES, PS_SEX_MALE) > e0_m + 2.0);
    assert_ps_ok(ps_plan_read_asfr(asfr, START, END, FULL_AGES, EXAMPLE_DIR "asfr.csv", &err),
                 &err);
    double tfr = 0.0;
    for (int age = 0; age < FULL_AGES; ++age) {
        tfr += asfr[age];
    }
    assert_close(tfr, 0.8975, TOTALS); /* 5 x 0.1795 */
    assert_ps_ok(ps_plan_read_srb(srb, START, END, EXAMPLE_DIR "srb.csv", &err), &err);
    assert_close(srb[STEPS - 1], 1.05, TIGHT);
    assert_ps_ok(ps_plan_read_migration_total(total, START, END,
                                              EXAMPLE_DIR "migration_total.csv", &err), &err);
    assert_close(total[0], 11920.0, TIGHT); /* (12000 + 11840) / 2 */
    assert_close(total[STEPS - 1], 8000.0, TIGHT);
    free(asfr);
    free(mx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_planner__single_age_population_is_read_back_exactly),
        cmocka_unit_test(test_planner__grouped_population_keeps_group_totals_and_is_non_negative),
        cmocka_unit_test(test_planner__crlf_and_bom_file_reads_like_the_plain_one),
        cmocka_unit_test(test_planner__tfr_step_is_the_mean_of_two_interpolated_calendar_years),
        cmocka_unit_test(test_planner__tfr_is_held_before_the_first_and_after_the_last_year),
        cmocka_unit_test(test_planner__single_age_mx_is_read_exactly),
        cmocka_unit_test(test_planner__abridged_mx_keeps_group_rates),
        cmocka_unit_test(test_planner__mx_is_interpolated_log_linearly_between_years),
        cmocka_unit_test(test_planner__grouped_asfr_keeps_tfr_and_group_births),
        cmocka_unit_test(test_planner__single_age_asfr_is_exact_and_unlisted_ages_are_zero),
        cmocka_unit_test(test_planner__grouped_migration_is_spread_evenly_and_keeps_totals),
        cmocka_unit_test(test_planner__e0_srb_and_migration_total_follow_the_year_rule),
        cmocka_unit_test(test_planner__bad_inputs_report_status_line_column_and_word),
        cmocka_unit_test(test_planner__end_year_not_after_start_year_is_rejected),
        cmocka_unit_test(test_planner__example_city_data_loads_with_plausible_levels),
    };
    return cmocka_run_group_tests_name("planner", tests, NULL, NULL);
}

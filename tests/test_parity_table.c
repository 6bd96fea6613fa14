/*
 * test_parity_table.c - a planner's base parity and the jump-off calibration (issue #12):
 * a count table by 5-year group is graduated to single ages keeping every group's total; a
 * wide census-style share table with Chinese headers adds parities 3, 4 and 5+ into 3+; the
 * base year's women by parity are exactly the table's shares x the women of each age;
 * broken tables are refused at path:line:col; the calibration reproduces the given births
 * to 1e-9 and fades its factor as documented.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "popsim/demog.h"
#include "popsim/parity.h"
#include "popsim/proj.h"
#include "test_util.h"

#define N_AGES 101
#define START 2025
#define DIR PS_TEST_DATA_DIR "/parity/"

/* Women and men 1234.5 x exp(-0.011 age) with a little mortality, ASFR Hadwiger TFR 1.37 at
 * mean age 29.3, no migration. */
static void build(ps_inputs *in, int years)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, START, START + years, 1, N_AGES, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            in->base.count[ps_pop_idx(&in->base, 0, sex, age)] = 1234.5 * exp(-0.011 * age);
        }
    }
    for (int step = 0; step < years; ++step) {
        in->srb[step] = 1.06;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                in->mx[ps_inputs_idx(in, step, 0, sex, age)] = 0.0008 * exp(0.085 * age);
            }
        }
        ps_sched_hadwiger(&in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)], N_AGES,
                          1.37 - 0.01 * step, 29.3);
    }
}

/* The table's values per group, parsed back from the fixture by the test itself. */
static void group_values(double out[8][PS_PARITY_COUNT], const char *path)
{
    FILE *fp = fopen(path, "r");
    char line[256];
    assert_non_null(fp);
    assert_non_null(fgets(line, sizeof line, fp)); /* header */
    while (fgets(line, sizeof line, fp) != NULL) {
        int lo = 0, hi = 0;
        char par[8];
        double v = 0.0;
        if (sscanf(line, "%d-%d,%7[^,],%lf", &lo, &hi, par, &v) == 4) {
            out[(lo - 15) / 5][par[0] - '0'] = v;
        } else if (sscanf(line, "%d+,%7[^,],%lf", &lo, par, &v) == 3) {
            out[7][par[0] - '0'] = v;
        }
    }
    fclose(fp);
}

static void test_parity_table__five_year_counts_keep_group_totals(void **state)
{
    (void)state;
    ps_parity_table t;
    ps_error err;
    double groups[8][PS_PARITY_COUNT] = { { 0 } };
    group_values(groups, DIR "counts_5year.csv");
    assert_ps_ok(ps_parity_table_read(&t, N_AGES, DIR "counts_5year.csv", &err), &err);
    assert_non_null(t.count);
    assert_int_equal(t.first_age, 15);
    assert_int_equal(t.last_age, N_AGES - 1);
    for (int g = 0; g < 7; ++g) {
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            double sum = 0.0;
            for (int age = 15 + 5 * g; age < 20 + 5 * g; ++age) {
                sum += t.count[age * PS_PARITY_COUNT + k];
                assert_true(t.count[age * PS_PARITY_COUNT + k] >= 0.0);
            }
            assert_close(sum, groups[g][k], 1e-12);
        }
    }
    /* Single ages are graduated, not flat: childlessness falls within 25-29. */
    assert_true(t.share[25 * PS_PARITY_COUNT] > t.share[29 * PS_PARITY_COUNT]);
    for (int age = 0; age < N_AGES; ++age) {
        double s = 0.0;
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            s += t.share[age * PS_PARITY_COUNT + k];
        }
        assert_int_equal(t.given[age], age >= 15);
        if (age >= 15) {
            assert_close(s, 1.0, 1e-14);
        }
    }
    /* The open group 50+ gives its shares to every age from 50. */
    const double tot50 = groups[7][0] + groups[7][1] + groups[7][2] + groups[7][3];
    assert_close(t.share[77 * PS_PARITY_COUNT + 2], groups[7][2] / tot50, 1e-15);
    ps_parity_table_release(&t);
}

static void test_parity_table__wide_chinese_shares_add_higher_parities(void **state)
{
    (void)state;
    ps_parity_table t;
    ps_error err;
    assert_ps_ok(ps_parity_table_read(&t, N_AGES, DIR "wide_shares.csv", &err), &err);
    assert_null(t.count);
    assert_int_equal(t.first_age, 15);
    assert_int_equal(t.last_age, 49);
    assert_int_equal(t.given[50], 0);
    assert_int_equal(t.given[14], 0);
    /* 35-39岁: 无孩 0.4557, 一孩 0.2486, 二孩 0.2251, 三孩+四孩+五孩及以上 0.0353+0.0119+0.0234 */
    for (int age = 35; age <= 39; ++age) {
        assert_close(t.share[age * PS_PARITY_COUNT + 0], 0.4557, 1e-12);
        assert_close(t.share[age * PS_PARITY_COUNT + 1], 0.2486, 1e-12);
        assert_close(t.share[age * PS_PARITY_COUNT + 3], 0.0353 + 0.0119 + 0.0234, 1e-12);
    }
    ps_parity_table_release(&t);
}

typedef struct bad_case {
    const char *file;
    ps_status code;
    long line;
    int column; /* 0: not checked */
    const char *words;
} bad_case;

static void test_parity_table__bad_tables_are_located(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        { "bad_negative.csv", PS_EINVAL, 6, 9, "negative" },
        { "bad_missing_age.csv", PS_EINVAL, 14, 1, "ages 30 to 34 are missing" },
        { "bad_parity.csv", PS_EPARSE, 8, 7, "parity '4th' is unknown" },
        { "bad_shares_sum.csv", PS_EINVAL, 4, 1, "sum to 1.05" },
        { "bad_column.csv", PS_EPARSE, 1, 0, "is not a parity" },
        { "bad_open_group.csv", PS_EINVAL, 2, 1, "open group '10+' starts before 50" },
        { "no_such_file.csv", PS_EIO, 0, 0, "no_such_file" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char path[512];
        ps_parity_table t;
        ps_error err;
        memset(&err, 0, sizeof err);
        snprintf(path, sizeof path, DIR "%s", cases[i].file);
        assert_int_equal(ps_parity_table_read(&t, N_AGES, path, &err), cases[i].code);
        assert_null(t.share);
        if (strstr(err.msg, cases[i].words) == NULL && strstr(err.path, cases[i].words) == NULL) {
            fail_msg("%s: message '%s' lacks '%s'", cases[i].file, err.msg, cases[i].words);
        }
        if (cases[i].line > 0) {
            assert_string_equal(err.path, path);
            assert_int_equal(err.line, cases[i].line);
        }
        if (cases[i].column > 0) {
            assert_int_equal(err.column, cases[i].column);
        }
    }
}

static void test_parity_table__base_women_are_shares_times_women(void **state)
{
    (void)state;
    ps_inputs in;
    ps_proj *p = NULL;
    ps_parity_table t;
    ps_error err;
    double women[N_AGES * PS_PARITY_COUNT], plain[N_AGES * PS_PARITY_COUNT];
    ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    build(&in, 3);
    assert_ps_ok(ps_proj_new(&p, &in, &err), &err);
    assert_ps_ok(ps_parity_table_read(&t, N_AGES, DIR "wide_shares.csv", &err), &err);
    assert_ps_ok(ps_proj_parity_init_table(p, &bo, NULL, t.share, t.given, women, &err), &err);
    assert_ps_ok(ps_proj_parity_init(p, &bo, plain, &err), &err);
    int differs = 0;
    for (int age = 0; age < N_AGES; ++age) {
        const double F = in.base.count[ps_pop_idx(&in.base, 0, PS_SEX_FEMALE, age)];
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            const double w = women[age * PS_PARITY_COUNT + k];
            if (t.given[age]) {
                assert_true(w == t.share[age * PS_PARITY_COUNT + k] * F); /* exactly */
                differs = differs || w != plain[age * PS_PARITY_COUNT + k];
            } else {
                /* Elsewhere the reconstruction, as without a table (levels differ). */
                assert_true(w >= 0.0 && w <= F * (1.0 + 1e-12));
            }
        }
    }
    assert_true(differs); /* the table did replace the reconstruction */
    ps_parity_table_release(&t);
    ps_proj_free(p);
    ps_inputs_release(&in);
}

/* Births of every step of the age-only projection. */
static void births_of(double *out, const ps_inputs *in)
{
    ps_proj *p = NULL;
    ps_result res;
    ps_error err;
    assert_ps_ok(ps_proj_new(&p, in, &err), &err);
    assert_ps_ok(ps_proj_run(&res, p, "t", NULL, &err), &err);
    for (int s = 0; s < ps_inputs_steps(in); ++s) {
        out[s] = res.births[ps_result_sexcell(&res, s, 0, PS_SEX_MALE)] +
                 res.births[ps_result_sexcell(&res, s, 0, PS_SEX_FEMALE)];
    }
    ps_result_release(&res);
    ps_proj_free(p);
}

static void test_parity_table__calibration_reproduces_births(void **state)
{
    (void)state;
    enum { YEARS = 12 };
    ps_inputs in, ref;
    ps_error err;
    double before[YEARS], after[YEARS], factor[YEARS];
    const int year[] = { START + 1, START + 2, START + 4 };
    build(&in, YEARS);
    build(&ref, YEARS);
    births_of(before, &in);
    const double obs[] = { before[1] * 0.8731, before[2] * 0.9123, before[4] * 0.7777 };
    const ps_birth_targets t = { .year = year, .births = obs, .n = 3, .fade_years = 3 };
    assert_ps_ok(ps_calibrate_births(&in, &t, factor, &err), &err);
    births_of(after, &in);
    for (int i = 0; i < 3; ++i) {
        assert_close(after[year[i] - START], obs[i], 1e-9);
    }
    /* Before the first year its factor, between years interpolated, then a linear fade. */
    assert_true(factor[0] == factor[1]);
    assert_close(factor[3], 0.5 * (factor[2] + factor[4]), 1e-15);
    for (int j = 1; j <= 3; ++j) {
        assert_close(factor[4 + j], 1.0 + (1.0 - j / 4.0) * (factor[4] - 1.0), 1e-15);
    }
    for (int s = 8; s < YEARS; ++s) {
        assert_true(factor[s] == 1.0);
        for (int age = 0; age < N_AGES; ++age) {
            const size_t at = ps_inputs_asfr_idx(&in, s, 0, age);
            assert_true(in.asfr[at] == ref.asfr[at]); /* the scenario's ASFR after the fade */
        }
    }
    for (int age = 0; age < N_AGES; ++age) {
        const size_t at = ps_inputs_asfr_idx(&in, 1, 0, age);
        assert_close(in.asfr[at], ref.asfr[at] * factor[1], 1e-15);
    }
    ps_inputs_release(&in);
    ps_inputs_release(&ref);
}

static void test_parity_table__calibration_refuses_bad_years(void **state)
{
    (void)state;
    ps_inputs in;
    ps_error err;
    double factor[5];
    const int late[] = { START + 5 }, back[] = { START + 2, START + 1 };
    const double b[] = { 100.0, 100.0 }, zero[] = { 0.0 };
    build(&in, 5);
    const double *asfr0 = in.asfr;
    double keep = in.asfr[ps_inputs_asfr_idx(&in, 2, 0, 30)];
    ps_birth_targets t = { .year = late, .births = b, .n = 1 };
    assert_int_equal(ps_calibrate_births(&in, &t, factor, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "2030"));
    t = (ps_birth_targets){ .year = back, .births = b, .n = 2 };
    assert_int_equal(ps_calibrate_births(&in, &t, factor, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "ascending"));
    t = (ps_birth_targets){ .year = back + 1, .births = zero, .n = 1 };
    assert_int_equal(ps_calibrate_births(&in, &t, factor, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "> 0"));
    assert_true(in.asfr == asfr0 && in.asfr[ps_inputs_asfr_idx(&in, 2, 0, 30)] == keep);
    ps_inputs_release(&in);
}

/* The wide share table as a sheet "表6" after a notes sheet, numbers as numbers; the second
 * row's 无孩 cell replaced by `damage` when not NULL. */
static void wide_workbook(const char *path, const char *damage)
{
    lxw_workbook *wb = workbook_new(path);
    assert_non_null(wb);
    worksheet_write_string(workbook_add_worksheet(wb, "说明"), 0, 0, "invented numbers", NULL);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "表6");
    FILE *fp = fopen(DIR "wide_shares.csv", "r");
    char line[512];
    assert_non_null(fp);
    for (int row = 0; fgets(line, sizeof line, fp) != NULL; ++row) {
        line[strcspn(line, "\r\n")] = '\0';
        int col = 0;
        for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok != NULL;
             tok = strtok_r(NULL, ",", &save), ++col) {
            char *end = NULL;
            const double v = strtod(tok, &end);
            if (damage != NULL && row == 2 && col == 1) {
                worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, damage, NULL);
            } else if (end != tok && *end == '\0') {
                worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, v, NULL);
            } else {
                worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, tok, NULL);
            }
        }
    }
    fclose(fp);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static void test_parity_table__xlsx_sheet_equals_its_csv(void **state)
{
    (void)state;
    char dir[128], path[512], sheet[600];
    ps_parity_table a, b;
    ps_error err;
    assert_int_equal(test_make_dir(dir, sizeof dir, "parity_xlsx"), 0);
    snprintf(path, sizeof path, "%s/parity.xlsx", dir);
    snprintf(sheet, sizeof sheet, "%s#表6", path);
    wide_workbook(path, NULL);
    assert_ps_ok(ps_parity_table_read(&a, N_AGES, DIR "wide_shares.csv", &err), &err);
    assert_ps_ok(ps_parity_table_read(&b, N_AGES, sheet, &err), &err);
    for (int i = 0; i < N_AGES * PS_PARITY_COUNT; ++i) {
        assert_true(a.share[i] == b.share[i]);
    }
    ps_parity_table_release(&a);
    ps_parity_table_release(&b);
    /* A text cell where a share belongs is located at the sheet's cell. */
    wide_workbook(path, "n/a");
    assert_int_equal(ps_parity_table_read(&b, N_AGES, sheet, &err), PS_EPARSE);
    assert_non_null(strstr(err.path, "表6!B3"));
    assert_int_equal(test_remove_dir(dir), 0);
}

/* Childless share of the women aged 45-49 in W [age][parity]. */
static double childless_45_49(const double *W)
{
    double none = 0.0, all = 0.0;
    for (int age = 45; age <= 49; ++age) {
        none += W[age * PS_PARITY_COUNT];
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            all += W[age * PS_PARITY_COUNT + k];
        }
    }
    return none / all;
}

static void test_parity_table__history_first_births_fitted_to_childlessness(void **state)
{
    (void)state;
    enum { HIST_FIRST = 1950, HIST_YEARS = START - HIST_FIRST };
    ps_inputs in;
    ps_proj *p = NULL;
    ps_error err;
    static double hist[HIST_YEARS * N_AGES], women[N_AGES * PS_PARITY_COUNT];
    static double W1[N_AGES * PS_PARITY_COUNT];
    build(&in, 3);
    assert_ps_ok(ps_proj_new(&p, &in, &err), &err);
    for (int y = 0; y < HIST_YEARS; ++y) {
        ps_sched_hadwiger(&hist[y * N_AGES], N_AGES, 2.9 - 1.6 * y / HIST_YEARS, 27.1);
    }
    const ps_fert_history h = { .asfr = hist, .first_year = HIST_FIRST, .n_years = HIST_YEARS };
    ps_birth_order bo = { .share = { 0.52, 0.37, 0.11 } };
    assert_ps_ok(ps_proj_parity_init_history(p, &bo, &h, women, &err), &err);
    const double unfitted = childless_45_49(women);
    const double targets[2] = { 0.55 * unfitted, fmin(0.8, 1.37 * unfitted) };
    for (int i = 0; i < 2; ++i) {
        bo.childless_45_49 = targets[i];
        assert_ps_ok(ps_proj_parity_init_history(p, &bo, &h, women, &err), &err);
        assert_close(childless_45_49(women), targets[i], 1e-6);
        /* The base step's births by order still have the scenario's shares. */
        double to[PS_SEX_COUNT * N_AGES], deaths[PS_SEX_COUNT * N_AGES];
        double mig[PS_SEX_COUNT * N_AGES], births[PS_SEX_COUNT], got[PS_ORDER_COUNT];
        ps_proj_events ev = { .births = births, .deaths = deaths, .net_migration = mig };
        ps_proj_parity par = { .from = women, .to = W1, .births_by_order = got };
        assert_ps_ok(ps_proj_step_parity(p, 0, in.base.count, to, &ev, &par, &err), &err);
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            assert_close(got[k] / (got[0] + got[1] + got[2]), bo.share[k], 1e-9);
        }
    }
    bo.childless_45_49 = 0.9; /* beyond any first-birth level of up to 64 times */
    assert_int_equal(ps_proj_parity_init_history(p, &bo, &h, women, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "cannot be reached"));
    ps_proj_free(p);
    ps_inputs_release(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parity_table__five_year_counts_keep_group_totals),
        cmocka_unit_test(test_parity_table__wide_chinese_shares_add_higher_parities),
        cmocka_unit_test(test_parity_table__bad_tables_are_located),
        cmocka_unit_test(test_parity_table__base_women_are_shares_times_women),
        cmocka_unit_test(test_parity_table__calibration_reproduces_births),
        cmocka_unit_test(test_parity_table__calibration_refuses_bad_years),
        cmocka_unit_test(test_parity_table__history_first_births_fitted_to_childlessness),
        cmocka_unit_test(test_parity_table__xlsx_sheet_equals_its_csv),
    };
    return cmocka_run_group_tests_name("parity_table", tests, NULL, NULL);
}

/*
 * test_region_inputs.c - the inputs of multiregional scenarios from planners' tables
 * (issue #13): a table with a region column gives each region its rows, exactly as a file
 * per region would, and a table naming an unknown region, missing a region, or given to a
 * one-region scenario is refused at its file:line:col.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlsxwriter.h>

#include "popsim/builder.h"
#include "popsim/inputs.h"
#include "popsim/scenario.h"
#include "test_util.h"

#define REG_DIR PS_TEST_DATA_DIR "/regions/"

static ps_status build(ps_inputs *in, ps_scenario *scn, const char *path, ps_error *err)
{
    ps_build_options bo = { .wpp_dir = NULL, .project_root = PS_SOURCE_DIR, .cache_dir = NULL };
    ps_error_clear(err);
    assert_ps_ok(ps_scn_load(scn, path, err), err);
    return ps_build_inputs(in, scn, &bo, err);
}

static void test_region_inputs__region_column_equals_a_file_per_region(void **state)
{
    (void)state;
    ps_scenario scn_col, scn_files;
    ps_inputs col, files;
    ps_error err;
    assert_ps_ok(build(&col, &scn_col, REG_DIR "region_column.yaml", &err), &err);
    assert_ps_ok(build(&files, &scn_files, REG_DIR "region_files.yaml", &err), &err);
    assert_int_equal(col.n_regions, 2);
    assert_int_equal(files.n_regions, 2);
    assert_int_equal(col.n_ages, files.n_ages);
    const size_t n_pop = ps_pop_size(&col.base);
    assert_memory_equal(col.base.count, files.base.count, n_pop * sizeof *col.base.count);
    const size_t n_asfr = (size_t)ps_inputs_steps(&col) * 2 * (size_t)col.n_ages;
    assert_memory_equal(col.asfr, files.asfr, n_asfr * sizeof *col.asfr);
    /* The regions differ, so each took its own rows (South Bay: half of North + 17). */
    const double north = col.base.count[ps_pop_idx(&col.base, 0, PS_SEX_MALE, 2)];
    const double south = col.base.count[ps_pop_idx(&col.base, 1, PS_SEX_MALE, 2)];
    assert_true(south < 0.6 * north && south > 0.4 * north);
    assert_true(col.asfr[ps_inputs_asfr_idx(&col, 0, 1, 27)] >
                col.asfr[ps_inputs_asfr_idx(&col, 0, 0, 27)]);
    ps_inputs_release(&col);
    ps_inputs_release(&files);
    ps_scn_release(&scn_col);
    ps_scn_release(&scn_files);
}

typedef struct bad_case {
    const char *scenario;
    const char *file; /* the table the error names */
    long line;
    int column;
    const char *words; /* in the message */
} bad_case;

/* err names the case's table, line and column, and its message has the case's words. */
static void assert_located(const bad_case *c, const ps_error *err)
{
    const char *base = strrchr(err->path, '/');
    assert_string_equal(base != NULL ? base + 1 : err->path, c->file);
    assert_int_equal(err->line, c->line);
    assert_int_equal(err->column, c->column);
    if (strstr(err->msg, c->words) == NULL) {
        fail_msg("%s: message '%s' lacks '%s'", c->scenario, err->msg, c->words);
    }
}

/* The scenario of case c, read and built into in and scn (status of the build). */
static ps_status build_case(ps_inputs *in, ps_scenario *scn, const bad_case *c, ps_error *err)
{
    char path[512];
    snprintf(path, sizeof path, "%s%s", REG_DIR, c->scenario);
    return build(in, scn, path, err);
}

static void test_region_inputs__bad_region_columns_are_located(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        { "region_unknown.yaml", "pop_unknown_region.csv", 44, 1, "'Westside' is not a region" },
        { "region_missing.yaml", "pop_missing_region.csv", 1, 1, "no rows of region 'South Bay'" },
        { "region_column_one_region.yaml", "pop_by_region.csv", 1, 1, "one-region scenario" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        ps_scenario scn;
        ps_inputs in;
        ps_error err;
        assert_int_equal(build_case(&in, &scn, &cases[k], &err), PS_EINVAL);
        assert_located(&cases[k], &err);
        ps_scn_release(&scn);
    }
}

/* `popsim check` goes on to the flows, registration and stock (ps_build_check): a stock file
 * naming an unknown district or leaving a region without stock, and an incomplete table
 * by age, are located errors; a good multiregional scenario passes. */
static void test_region_inputs__check_matches_stock_and_flows_with_the_regions(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        { "stock_unknown.yaml", "stock_unknown.csv", 4, 1, "district 'Westside' is not a region" },
        { "stock_missing.yaml", "stock_missing.csv", 1, 1, "for district 'South Bay'" },
        { "od_by_age_gap.yaml", "od_by_age_gap.csv", 2, 1, "no rate for female, age 30" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        ps_scenario scn;
        ps_inputs in;
        ps_error err;
        assert_ps_ok(build_case(&in, &scn, &cases[k], &err), &err);
        assert_int_equal(ps_build_check(&scn, &in, &err), PS_EINVAL);
        assert_located(&cases[k], &err);
        ps_inputs_release(&in);
        ps_scn_release(&scn);
    }
    ps_scenario scn;
    ps_inputs in;
    ps_error err;
    assert_ps_ok(build(&in, &scn, PS_SOURCE_DIR "/scenarios/example_province.yaml", &err), &err);
    assert_ps_ok(ps_build_check(&scn, &in, &err), &err);
    ps_inputs_release(&in);
    ps_scn_release(&scn);
}

/* A workbook sheet with the region column (rows copied from pop_by_region.csv, numbers as
 * numbers, the Westside row added when `unknown`), written with libxlsxwriter. */
static void region_workbook(const char *path, int unknown)
{
    FILE *fp = fopen(REG_DIR "pop_by_region.csv", "r");
    assert_non_null(fp);
    lxw_workbook *wb = workbook_new(path);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "人口");
    char line[256];
    lxw_row_t row = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        lxw_col_t col = 0;
        for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok != NULL;
             tok = strtok_r(NULL, ",", &save), ++col) {
            char *end = NULL;
            const double v = strtod(tok, &end);
            if (tok[0] == '"') { /* "South Bay" */
                tok[strlen(tok) - 1] = '\0';
                ++tok;
            }
            if (end != tok && *end == '\0' && col == 3) {
                worksheet_write_number(ws, row, col, v, NULL);
            } else {
                worksheet_write_string(ws, row, col, tok, NULL);
            }
        }
        ++row;
    }
    if (unknown) {
        worksheet_write_string(ws, row, 0, "Westside", NULL);
        worksheet_write_string(ws, row, 1, "M", NULL);
        worksheet_write_string(ws, row, 2, "0-4", NULL);
        worksheet_write_number(ws, row, 3, 100.0, NULL);
    }
    fclose(fp);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

/* region_column.yaml with its population in the workbook at `book`. */
static void workbook_scenario(const char *yaml, const char *book)
{
    FILE *fp = fopen(yaml, "w");
    assert_non_null(fp);
    fprintf(fp, "name: region_book\nstart: 2025\nend: 2035\npopulation:\n  file: %s\n"
                "mortality:\n  mx_file: %s/data/example/mx.csv\nfertility:\n"
                "  asfr_file: %sasfr_by_region.csv\nsrb:\n  value: 1.06\nmigration:\n"
                "  total: 0\n  male_share: 0.5\nregions:\n  - name: North\n"
                "  - name: South Bay\n    migration_total: 1500\n", book, PS_SOURCE_DIR,
            REG_DIR);
    fclose(fp);
}

/* The region column works in a workbook sheet as in a CSV file (the same reader). */
static void test_region_inputs__region_column_in_a_workbook_equals_the_csv(void **state)
{
    (void)state;
    char dir[64], book[128], yaml[128];
    assert_int_equal(test_make_dir(dir, sizeof dir, "regbook"), 0);
    snprintf(book, sizeof book, "%s/pop.xlsx", dir);
    snprintf(yaml, sizeof yaml, "%s/book.yaml", dir);
    region_workbook(book, 0);
    workbook_scenario(yaml, book);
    ps_scenario scn_book, scn_csv;
    ps_inputs from_book, from_csv;
    ps_error err;
    assert_ps_ok(build(&from_book, &scn_book, yaml, &err), &err);
    assert_ps_ok(build(&from_csv, &scn_csv, REG_DIR "region_column.yaml", &err), &err);
    assert_memory_equal(from_book.base.count, from_csv.base.count,
                        ps_pop_size(&from_csv.base) * sizeof *from_csv.base.count);
    ps_inputs_release(&from_book);
    ps_inputs_release(&from_csv);
    ps_scn_release(&scn_book);
    ps_scn_release(&scn_csv);
    region_workbook(book, 1);
    assert_int_equal(build(&from_book, &scn_book, yaml, &err), PS_EINVAL);
    assert_non_null(strstr(err.path, "pop.xlsx"));
    assert_non_null(strstr(err.msg, "'Westside' is not a region"));
    ps_scn_release(&scn_book);
    assert_int_equal(test_remove_dir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_region_inputs__region_column_equals_a_file_per_region),
        cmocka_unit_test(test_region_inputs__bad_region_columns_are_located),
        cmocka_unit_test(test_region_inputs__region_column_in_a_workbook_equals_the_csv),
        cmocka_unit_test(test_region_inputs__check_matches_stock_and_flows_with_the_regions),
    };
    return cmocka_run_group_tests_name("region_inputs", tests, NULL, NULL);
}

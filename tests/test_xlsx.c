/*
 * test_xlsx.c - planner inputs given as .xlsx sheets (src/io/xlsx.c through popsim/planner.h).
 * Workbooks are written here at run time with libxlsxwriter from the CSV fixtures, so a sheet
 * must give exactly what its CSV gives; errors must name the sheet's cell; a legacy .xls,
 * a file that is not a workbook and a missing sheet get messages saying what to do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "test_util.h"

#include "popsim/builder.h"
#include "popsim/planner.h"
#include "popsim/scenario.h"

#define EXAMPLE_DIR PS_SOURCE_DIR "/data/example/"
#define FULL_AGES 101
#define N_STEPS_2025_2050 26

typedef struct fixture {
    char dir[64];
    char path[128];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return -1;
    }
    if (test_make_dir(f->dir, sizeof f->dir, "xlsx") != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    int rc = test_remove_dir(f->dir);
    free(f);
    return rc;
}

/* Copy a CSV file into a sheet: whole numbers and decimals as numbers, the rest as text.
 * `damage` (if not NULL) replaces the cell at (row, col), 0-based, with that text. */
static void csv_to_sheet(lxw_worksheet *ws, const char *csv, int damage_row, int damage_col,
                         const char *damage)
{
    FILE *fp = fopen(csv, "r");
    assert_non_null(fp);
    char line[512];
    int row = 0;
    while (fgets(line, sizeof line, fp) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        int col = 0;
        for (char *save = NULL, *tok = strtok_r(line, ",", &save); tok != NULL;
             tok = strtok_r(NULL, ",", &save), ++col) {
            char *end = NULL;
            double v = strtod(tok, &end);
            if (damage != NULL && row == damage_row && col == damage_col) {
                worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, damage, NULL);
            } else if (end != tok && *end == '\0') {
                worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, v, NULL);
            } else {
                worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, tok, NULL);
            }
        }
        ++row;
    }
    fclose(fp);
}

/* A workbook with a notes sheet first (when `notes`), then `sheet` holding the CSV. */
static void make_workbook(const char *path, const char *csv, const char *sheet, int notes,
                          int damage_row, int damage_col, const char *damage)
{
    lxw_workbook *wb = workbook_new(path);
    assert_non_null(wb);
    if (notes) {
        lxw_worksheet *n = workbook_add_worksheet(wb, "说明");
        worksheet_write_string(n, 0, 0, "Population by sex and age group, 1 July 2025", NULL);
    }
    csv_to_sheet(workbook_add_worksheet(wb, sheet), csv, damage_row, damage_col, damage);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
}

static void test_xlsx__population_sheet_equals_its_csv(void **state)
{
    fixture *f = *state;
    snprintf(f->path, sizeof f->path, "%s/population.xlsx", f->dir);
    make_workbook(f->path, EXAMPLE_DIR "population.csv", "Sheet1", 0, -1, -1, NULL);
    ps_error err;
    double from_csv[PS_SEX_COUNT * FULL_AGES], from_xlsx[PS_SEX_COUNT * FULL_AGES];
    assert_ps_ok(ps_plan_read_population(from_csv, FULL_AGES, EXAMPLE_DIR "population.csv", &err),
                 &err);
    assert_ps_ok(ps_plan_read_population(from_xlsx, FULL_AGES, f->path, &err), &err);
    assert_memory_equal(from_csv, from_xlsx, sizeof from_csv);
}

static void test_xlsx__rates_by_year_from_a_named_sheet_equal_their_csv(void **state)
{
    fixture *f = *state;
    static const char *const files[] = { "mx.csv", "asfr.csv" };
    for (int k = 0; k < 2; ++k) {
        char csv[256], ref[200];
        snprintf(csv, sizeof csv, "%s%s", EXAMPLE_DIR, files[k]);
        snprintf(f->path, sizeof f->path, "%s/rates%d.xlsx", f->dir, k);
        make_workbook(f->path, csv, "数据", 1, -1, -1, NULL);
        snprintf(ref, sizeof ref, "%s#数据", f->path);
        ps_error err;
        size_t n = (size_t)N_STEPS_2025_2050 * PS_SEX_COUNT * FULL_AGES;
        double *a = calloc(n, sizeof *a), *b = calloc(n, sizeof *b);
        assert_non_null(a);
        assert_non_null(b);
        if (k == 0) {
            assert_ps_ok(ps_plan_read_mx(a, 2025, 2050, FULL_AGES, csv, &err), &err);
            assert_ps_ok(ps_plan_read_mx(b, 2025, 2050, FULL_AGES, ref, &err), &err);
        } else {
            assert_ps_ok(ps_plan_read_asfr(a, 2025, 2050, FULL_AGES, csv, &err), &err);
            assert_ps_ok(ps_plan_read_asfr(b, 2025, 2050, FULL_AGES, ref, &err), &err);
        }
        assert_memory_equal(a, b, n * sizeof *a);
        free(a);
        free(b);
    }
}

static void test_xlsx__the_first_sheet_is_read_when_none_is_named(void **state)
{
    fixture *f = *state;
    snprintf(f->path, sizeof f->path, "%s/notes_first.xlsx", f->dir);
    make_workbook(f->path, EXAMPLE_DIR "population.csv", "人口", 1, -1, -1, NULL);
    ps_error err;
    double pop[PS_SEX_COUNT * FULL_AGES];
    /* The first sheet is the notes: its one text cell is not the expected header. */
    assert_int_equal(ps_plan_read_population(pop, FULL_AGES, f->path, &err), PS_EPARSE);
    char want[200];
    snprintf(want, sizeof want, "%s:说明!A1", f->path);
    assert_string_equal(err.path, want);
    assert_non_null(strstr(err.msg, "wrong header"));
}

static void test_xlsx__a_bad_cell_is_named_by_sheet_column_and_row(void **state)
{
    fixture *f = *state;
    snprintf(f->path, sizeof f->path, "%s/bad_cell.xlsx", f->dir);
    /* Row 7 of the sheet (0-based 6), column C (value): text where a number belongs. */
    make_workbook(f->path, EXAMPLE_DIR "population.csv", "Pop", 0, 6, 2, "12,5 thousand");
    ps_error err;
    double pop[PS_SEX_COUNT * FULL_AGES];
    assert_int_equal(ps_plan_read_population(pop, FULL_AGES, f->path, &err), PS_EPARSE);
    char want[200], text[600];
    snprintf(want, sizeof want, "%s:Pop!C7", f->path);
    assert_string_equal(err.path, want);
    assert_int_equal(err.line, 0);
    ps_error_format(&err, text, sizeof text);
    assert_non_null(strstr(text, ":Pop!C7: error: column 'value'"));
    assert_non_null(strstr(text, "12,5 thousand"));
}

static void test_xlsx__a_missing_sheet_lists_the_sheets_there_are(void **state)
{
    fixture *f = *state;
    char ref[200];
    snprintf(f->path, sizeof f->path, "%s/two_sheets.xlsx", f->dir);
    make_workbook(f->path, EXAMPLE_DIR "population.csv", "人口", 1, -1, -1, NULL);
    snprintf(ref, sizeof ref, "%s#Population", f->path);
    ps_error err;
    double pop[PS_SEX_COUNT * FULL_AGES];
    assert_int_equal(ps_plan_read_population(pop, FULL_AGES, ref, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "no sheet 'Population'"));
    assert_non_null(strstr(err.msg, "'说明'"));
    assert_non_null(strstr(err.msg, "'人口'"));
}

static void write_bytes(const char *path, const void *bytes, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(bytes, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static void test_xlsx__legacy_xls_and_non_workbooks_say_what_to_do(void **state)
{
    fixture *f = *state;
    ps_error err;
    double pop[PS_SEX_COUNT * FULL_AGES];
    /* An Excel 97-2003 file starts with the OLE2 signature, whatever its name. */
    static const unsigned char ole2[16] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
    snprintf(f->path, sizeof f->path, "%s/old.xls", f->dir);
    write_bytes(f->path, ole2, sizeof ole2);
    assert_int_equal(ps_plan_read_population(pop, FULL_AGES, f->path, &err), PS_EPARSE);
    assert_non_null(strstr(err.msg, "legacy Excel 97-2003"));
    assert_non_null(strstr(err.msg, "save it as an Excel workbook (.xlsx)"));
    snprintf(f->path, sizeof f->path, "%s/renamed.csv", f->dir);
    write_bytes(f->path, ole2, sizeof ole2);
    assert_int_equal(ps_plan_read_population(pop, FULL_AGES, f->path, &err), PS_EPARSE);
    assert_non_null(strstr(err.msg, "legacy Excel 97-2003"));
    /* A CSV saved under an .xlsx name, and a truncated zip. */
    snprintf(f->path, sizeof f->path, "%s/text.xlsx", f->dir);
    write_bytes(f->path, "sex,age,value\nM,0,1\n", 20);
    assert_int_equal(ps_plan_read_population(pop, FULL_AGES, f->path, &err), PS_EPARSE);
    assert_non_null(strstr(err.msg, "not an .xlsx workbook"));
    snprintf(f->path, sizeof f->path, "%s/cut.xlsx", f->dir);
    write_bytes(f->path, "PK\003\004\024\000\000\000", 8);
    assert_int_equal(ps_plan_read_population(pop, FULL_AGES, f->path, &err), PS_EPARSE);
    assert_non_null(strstr(err.msg, "not an .xlsx workbook"));
}

static void test_xlsx__a_workbook_named_csv_is_read_as_a_workbook(void **state)
{
    fixture *f = *state;
    snprintf(f->path, sizeof f->path, "%s/population.csv", f->dir);
    make_workbook(f->path, EXAMPLE_DIR "population.csv", "Sheet1", 0, -1, -1, NULL);
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES], b[PS_SEX_COUNT * FULL_AGES];
    assert_ps_ok(ps_plan_read_population(a, FULL_AGES, f->path, &err), &err);
    assert_ps_ok(ps_plan_read_population(b, FULL_AGES, EXAMPLE_DIR "population.csv", &err), &err);
    assert_memory_equal(a, b, sizeof a);
}

static void test_xlsx__formulas_give_their_values_and_text_cells_are_quoted(void **state)
{
    fixture *f = *state;
    snprintf(f->path, sizeof f->path, "%s/formula.xlsx", f->dir);
    lxw_workbook *wb = workbook_new(f->path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Sheet1");
    worksheet_write_string(ws, 0, 0, "sex", NULL);
    worksheet_write_string(ws, 0, 1, "age", NULL);
    worksheet_write_string(ws, 0, 2, "value", NULL);
    for (int age = 0; age < FULL_AGES; ++age) {
        for (int s = 0; s < 2; ++s) {
            lxw_row_t row = (lxw_row_t)(1 + s * FULL_AGES + age);
            worksheet_write_string(ws, row, 0, s == 0 ? "M" : "F", NULL);
            char label[16];
            snprintf(label, sizeof label, age == FULL_AGES - 1 ? "%d+" : "%d", age);
            worksheet_write_string(ws, row, 1, label, NULL);
            /* value = 1000 + age, by a formula whose cached result is stored */
            worksheet_write_formula_num(ws, row, 2, "=1000+1", NULL, 1000.0 + age + 0.25 * s);
        }
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    ps_error err;
    double pop[PS_SEX_COUNT * FULL_AGES];
    assert_ps_ok(ps_plan_read_population(pop, FULL_AGES, f->path, &err), &err);
    assert_true(pop[PS_SEX_MALE * FULL_AGES + 37] == 1037.0);
    assert_true(pop[PS_SEX_FEMALE * FULL_AGES + 100] == 1100.25);
}

/* A scenario of the Example City whose population comes from `pop_ref` and sheet line. */
static void write_city_scenario(const char *path, const char *pop_file, const char *sheet_line)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp,
            "name: city_xlsx\nstart: 2025\nend: 2030\nregion: Example City\n"
            "population:\n  file: %s\n%s"
            "mortality:\n  mx_file: %smx.csv\n"
            "fertility:\n  asfr_file: %sasfr.csv\n"
            "srb:\n  file: %ssrb.csv\n"
            "migration:\n  total_file: %smigration_total.csv\n  male_share: 0.52\n",
            pop_file, sheet_line, EXAMPLE_DIR, EXAMPLE_DIR, EXAMPLE_DIR, EXAMPLE_DIR);
    assert_int_equal(fclose(fp), 0);
}

static void build_city(ps_inputs *in, const char *scenario_path)
{
    ps_scenario scn;
    ps_error err;
    ps_build_options bo = { 0 };
    assert_ps_ok(ps_scn_load(&scn, scenario_path, &err), &err);
    assert_ps_ok(ps_build_inputs(in, &scn, &bo, &err), &err);
    ps_scn_release(&scn);
}

static void test_xlsx__a_scenario_sheet_key_reads_that_sheet(void **state)
{
    fixture *f = *state;
    char book[160], scn_xlsx[160], scn_csv[160];
    snprintf(book, sizeof book, "%s/city.xlsx", f->dir);
    make_workbook(book, EXAMPLE_DIR "population.csv", "常住人口", 1, -1, -1, NULL);
    snprintf(scn_xlsx, sizeof scn_xlsx, "%s/xlsx.yaml", f->dir);
    write_city_scenario(scn_xlsx, "city.xlsx", "  sheet: 常住人口\n");
    snprintf(scn_csv, sizeof scn_csv, "%s/csv.yaml", f->dir);
    write_city_scenario(scn_csv, EXAMPLE_DIR "population.csv", "");
    ps_inputs a, b;
    build_city(&a, scn_xlsx);
    build_city(&b, scn_csv);
    size_t n = (size_t)a.base.n_regions * PS_SEX_COUNT * (size_t)a.base.n_ages;
    assert_int_equal(n, (size_t)b.base.n_regions * PS_SEX_COUNT * (size_t)b.base.n_ages);
    assert_memory_equal(a.base.count, b.base.count, n * sizeof *a.base.count);
    ps_inputs_release(&a);
    ps_inputs_release(&b);
}

static void test_xlsx__a_sheet_key_without_a_workbook_is_an_error_at_the_key(void **state)
{
    fixture *f = *state;
    char scn[160];
    snprintf(scn, sizeof scn, "%s/nobook.yaml", f->dir);
    write_city_scenario(scn, EXAMPLE_DIR "population.csv", "  sheet: Sheet1\n");
    ps_scenario s;
    ps_error err;
    assert_int_equal(ps_scn_load(&s, scn, &err), PS_EINVAL);
    assert_int_equal(err.line, 7); /* "  sheet: Sheet1", value at column 10 */
    assert_int_equal(err.column, 10);
    assert_non_null(strstr(err.msg, "population.sheet = 'Sheet1' names a sheet"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_xlsx__population_sheet_equals_its_csv, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_xlsx__rates_by_year_from_a_named_sheet_equal_their_csv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx__the_first_sheet_is_read_when_none_is_named,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx__a_bad_cell_is_named_by_sheet_column_and_row,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx__a_missing_sheet_lists_the_sheets_there_are,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx__legacy_xls_and_non_workbooks_say_what_to_do,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx__a_workbook_named_csv_is_read_as_a_workbook,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_xlsx__formulas_give_their_values_and_text_cells_are_quoted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx__a_scenario_sheet_key_reads_that_sheet, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_xlsx__a_sheet_key_without_a_workbook_is_an_error_at_the_key, setup, teardown),
    };
    return cmocka_run_group_tests_name("xlsx", tests, NULL, NULL);
}

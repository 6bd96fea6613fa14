/*
 * test_wide.c - yearbook-style wide tables (src/io/wide.c through popsim/planner.h): one row
 * per age group, one column per sex, Chinese or English headers, a total column and a totals
 * row that must add up. Each wide table is written here from a long fixture, so it must read
 * exactly as the long file; errors must point at the wide table's cell (or the sheet's).
 */
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "test_util.h"

#include "popsim/builder.h"
#include "popsim/demog.h"
#include "popsim/planner.h"
#include "popsim/scenario.h"

#define EXAMPLE_DIR PS_SOURCE_DIR "/data/example/"
#define FULL_AGES 101
#define N_GROUPS 21 /* 0-4 .. 95-99 and 100+ in data/example/population.csv */

typedef struct fixture {
    char dir[64];
    char path[160];
    char label[N_GROUPS][16];
    double male[N_GROUPS], female[N_GROUPS];
} fixture;

/* The long Example City population: labels and values by group, read as text. */
static int load_long(fixture *f)
{
    FILE *fp = fopen(EXAMPLE_DIR "population.csv", "r");
    if (fp == NULL) {
        return -1;
    }
    char line[128], sex;
    char label[16];
    double v;
    int n_m = 0, n_f = 0;
    if (fgets(line, sizeof line, fp) == NULL) { /* header */
        fclose(fp);
        return -1;
    }
    while (fgets(line, sizeof line, fp) != NULL) {
        if (sscanf(line, "%c,%15[^,],%lf", &sex, label, &v) != 3) {
            continue;
        }
        if (sex == 'M' && n_m < N_GROUPS) {
            snprintf(f->label[n_m], sizeof f->label[n_m], "%s", label);
            f->male[n_m++] = v;
        } else if (sex == 'F' && n_f < N_GROUPS) {
            f->female[n_f++] = v;
        }
    }
    fclose(fp);
    return n_m == N_GROUPS && n_f == N_GROUPS ? 0 : -1;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (f == NULL || load_long(f) != 0) {
        free(f);
        return -1;
    }
    if (test_make_dir(f->dir, sizeof f->dir, "wide") != 0) {
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

/* "0-4" -> "0-4岁", "100+" -> "100岁及以上", as Chinese yearbooks label ages. */
static void chinese_label(char *out, size_t size, const char *label)
{
    size_t n = strlen(label);
    if (n > 0 && label[n - 1] == '+') {
        snprintf(out, size, "%.*s岁及以上", (int)(n - 1), label);
    } else {
        snprintf(out, size, "%s岁", label);
    }
}

/* A wide population file: totals row first, 合计 column; `bad_total` spoils one total. */
/* Write text to <dir>/<name> and make it the fixture's path. */
static void write_text(fixture *f, const char *name, const char *text)
{
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    assert_true(fputs(text, fp) >= 0);
    assert_int_equal(fclose(fp), 0);
}

static void write_wide_population(fixture *f, const char *name, int chinese, int bad_total,
                                  int bad_totals_row)
{
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    double sm = 0.0, sf = 0.0;
    for (int g = 0; g < N_GROUPS; ++g) {
        sm += f->male[g];
        sf += f->female[g];
    }
    fprintf(fp, chinese ? "\xEF\xBB\xBF年龄组,合计,男,女\n" : "Age group,Total,Male,Female\n");
    fprintf(fp, "%s,%.0f,%.0f,%.0f\n", chinese ? "合计" : "Total",
            sm + sf + (bad_totals_row ? 5000.0 : 0.0), sm, sf);
    for (int g = 0; g < N_GROUPS; ++g) {
        char label[48];
        if (chinese) {
            chinese_label(label, sizeof label, f->label[g]);
        } else {
            snprintf(label, sizeof label, "%s", f->label[g]);
        }
        double total = f->male[g] + f->female[g] + (g == bad_total ? 1000.0 : 0.0);
        fprintf(fp, "%s,%.0f,%.0f,%.0f\n", label, total, f->male[g], f->female[g]);
    }
    assert_int_equal(fclose(fp), 0);
}

static void test_wide__chinese_yearbook_table_reads_as_the_long_file(void **state)
{
    fixture *f = *state;
    write_wide_population(f, "yearbook.csv", 1, -1, 0);
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES], b[PS_SEX_COUNT * FULL_AGES];
    assert_ps_ok(ps_plan_read_population(a, FULL_AGES, f->path, &err), &err);
    assert_ps_ok(ps_plan_read_population(b, FULL_AGES, EXAMPLE_DIR "population.csv", &err), &err);
    assert_memory_equal(a, b, sizeof a);
}

static void test_wide__english_headers_read_as_the_long_file(void **state)
{
    fixture *f = *state;
    write_wide_population(f, "english.csv", 0, -1, 0);
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES], b[PS_SEX_COUNT * FULL_AGES];
    assert_ps_ok(ps_plan_read_population(a, FULL_AGES, f->path, &err), &err);
    assert_ps_ok(ps_plan_read_population(b, FULL_AGES, EXAMPLE_DIR "population.csv", &err), &err);
    assert_memory_equal(a, b, sizeof a);
}

static void test_wide__a_total_that_is_not_male_plus_female_is_refused_at_its_cell(void **state)
{
    fixture *f = *state;
    write_wide_population(f, "bad_total.csv", 1, 6, 0); /* group 6 = line 9 (header, totals) */
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES];
    assert_int_equal(ps_plan_read_population(a, FULL_AGES, f->path, &err), PS_EINVAL);
    assert_int_equal(err.line, 9);
    assert_true(err.column > 1); /* the 合计 cell, after the age label */
    assert_non_null(strstr(err.msg, "is not male + female"));
}

static void test_wide__a_totals_row_that_does_not_add_up_is_refused(void **state)
{
    fixture *f = *state;
    write_wide_population(f, "bad_totals_row.csv", 1, -1, 1);
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES];
    /* The totals row comes first: its total column is checked against male + female. */
    assert_int_equal(ps_plan_read_population(a, FULL_AGES, f->path, &err), PS_EINVAL);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "is not male + female"));
}

static void test_wide__a_totals_row_last_is_checked_against_the_rows(void **state)
{
    fixture *f = *state;
    snprintf(f->path, sizeof f->path, "%s/totals_last.csv", f->dir);
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    double sm = 0.0, sf = 0.0;
    fprintf(fp, "年龄,男,女\n");
    for (int g = 0; g < N_GROUPS; ++g) {
        fprintf(fp, "%s,%.0f,%.0f\n", f->label[g], f->male[g], f->female[g]);
        sm += f->male[g];
        sf += f->female[g];
    }
    fprintf(fp, "总计,%.0f,%.0f\n", sm, sf + 2500.0); /* female total off by 2,500 */
    assert_int_equal(fclose(fp), 0);
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES];
    assert_int_equal(ps_plan_read_population(a, FULL_AGES, f->path, &err), PS_EINVAL);
    assert_int_equal(err.line, N_GROUPS + 2);
    assert_non_null(strstr(err.msg, "for female, but the age rows of the table sum to"));
}

static void test_wide__a_bad_value_points_at_the_wide_cell(void **state)
{
    fixture *f = *state;
    snprintf(f->path, sizeof f->path, "%s/bad_value.csv", f->dir);
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fprintf(fp, "age,male,female\n");
    for (int g = 0; g < N_GROUPS; ++g) {
        if (g == 3) {
            fprintf(fp, "%s,%.0f,-12\n", f->label[g], f->male[g]); /* line 5, female */
        } else {
            fprintf(fp, "%s,%.0f,%.0f\n", f->label[g], f->male[g], f->female[g]);
        }
    }
    assert_int_equal(fclose(fp), 0);
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES];
    assert_int_equal(ps_plan_read_population(a, FULL_AGES, f->path, &err), PS_EINVAL);
    assert_int_equal(err.line, 5);
    /* "15-19,<male>,-12": the female cell starts after the label and the male value. */
    char male[32];
    snprintf(male, sizeof male, "%.0f", f->male[3]);
    assert_int_equal(err.column, (int)(strlen(f->label[3]) + 1 + strlen(male) + 1 + 1));
}

static void test_wide__a_wide_sheet_error_names_the_sheet_cell(void **state)
{
    fixture *f = *state;
    snprintf(f->path, sizeof f->path, "%s/yearbook.xlsx", f->dir);
    lxw_workbook *wb = workbook_new(f->path);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "表2-3");
    worksheet_write_string(ws, 0, 0, "年龄组", NULL);
    worksheet_write_string(ws, 0, 1, "男", NULL);
    worksheet_write_string(ws, 0, 2, "女", NULL);
    for (int g = 0; g < N_GROUPS; ++g) {
        char label[48];
        chinese_label(label, sizeof label, f->label[g]);
        worksheet_write_string(ws, (lxw_row_t)(g + 1), 0, label, NULL);
        worksheet_write_number(ws, (lxw_row_t)(g + 1), 1, f->male[g], NULL);
        if (g == 10) {
            worksheet_write_string(ws, (lxw_row_t)(g + 1), 2, "n/a", NULL); /* C12 */
        } else {
            worksheet_write_number(ws, (lxw_row_t)(g + 1), 2, f->female[g], NULL);
        }
    }
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES];
    assert_int_equal(ps_plan_read_population(a, FULL_AGES, f->path, &err), PS_EPARSE);
    char want[256];
    snprintf(want, sizeof want, "%s:表2-3!C12", f->path);
    assert_string_equal(err.path, want);
}

static void test_wide__death_rates_by_year_in_wide_form_read_as_long(void **state)
{
    fixture *f = *state;
    /* data/example/mx.csv is year,sex,age,mx with M rows before F rows for each year. */
    FILE *in = fopen(EXAMPLE_DIR "mx.csv", "r");
    assert_non_null(in);
    enum { MAX_ROWS = 128 };
    int year[MAX_ROWS];
    char sex[MAX_ROWS], label[MAX_ROWS][16], value[MAX_ROWS][32];
    int n = 0;
    char line[128];
    assert_non_null(fgets(line, sizeof line, in));
    while (n < MAX_ROWS && fgets(line, sizeof line, in) != NULL) {
        if (sscanf(line, "%d,%c,%15[^,],%31[^\r\n]", &year[n], &sex[n], label[n], value[n]) == 4) {
            ++n;
        }
    }
    fclose(in);
    snprintf(f->path, sizeof f->path, "%s/mx_wide.csv", f->dir);
    FILE *out = fopen(f->path, "w");
    assert_non_null(out);
    fprintf(out, "年份,年龄,男,女\n");
    for (int i = 0; i < n; ++i) {
        if (sex[i] != 'M') {
            continue;
        }
        for (int j = 0; j < n; ++j) {
            if (sex[j] == 'F' && year[j] == year[i] && strcmp(label[j], label[i]) == 0) {
                fprintf(out, "%d,%s,%s,%s\n", year[i], label[i], value[i], value[j]);
            }
        }
    }
    assert_int_equal(fclose(out), 0);
    const size_t cells = (size_t)26 * PS_SEX_COUNT * FULL_AGES;
    double *a = calloc(cells, sizeof *a), *b = calloc(cells, sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    ps_error err;
    assert_ps_ok(ps_plan_read_mx(a, 2025, 2050, FULL_AGES, f->path, &err), &err);
    assert_ps_ok(ps_plan_read_mx(b, 2025, 2050, FULL_AGES, EXAMPLE_DIR "mx.csv", &err), &err);
    assert_memory_equal(a, b, cells * sizeof *a);
    free(a);
    free(b);
}

static void test_wide__an_unknown_header_is_still_a_wrong_header(void **state)
{
    fixture *f = *state;
    write_text(f, "unknown.csv", "年龄,男,女,备注\n0-4,1,2,x\n");
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES];
    assert_int_equal(ps_plan_read_population(a, FULL_AGES, f->path, &err), PS_EPARSE);
    assert_non_null(strstr(err.msg, "wrong header: expected 'sex,age,value'"));
}

/* A wide header with no rows after it: the error names the file the planner gave, read after
 * the wide table's reader replaced the file's (a use after free found by fuzz_planner). */
static void test_wide__a_wide_header_without_rows_names_the_file(void **state)
{
    fixture *f = *state;
    write_text(f, "header_only.csv", "age,M,F\n");
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES];
    assert_int_not_equal(ps_plan_read_population(a, FULL_AGES, f->path, &err), PS_OK);
    assert_string_equal(err.path, f->path);
    assert_true(err.msg[0] != '\0');
}

/* A row shorter than the wide header is refused before any of its fields is read (the age
 * column was read first, past the row's fields: found by fuzz_planner under valgrind). */
static void test_wide__a_short_row_is_refused_as_truncated(void **state)
{
    fixture *f = *state;
    write_text(f, "short.csv", "男,女,年龄\n5\n");
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES];
    assert_int_equal(ps_plan_read_population(a, FULL_AGES, f->path, &err), PS_EPARSE);
    assert_non_null(strstr(err.msg, "truncated row: the wide table has 3 columns, this row 1"));
    assert_int_equal(err.line, 2);
}

/* Rewrite a UTF-8 file in GB18030, as Excel on Chinese Windows saves "CSV". */
static void to_gb18030(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char in[1 << 16], out[1 << 16];
    size_t n = fread(in, 1, sizeof in, fp);
    fclose(fp);
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    char *src = in, *dst = out;
    size_t in_left = n, out_left = sizeof out;
    assert_true(iconv(cd, &src, &in_left, &dst, &out_left) != (size_t)-1);
    iconv_close(cd);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(out, 1, sizeof out - out_left, fp), sizeof out - out_left);
    assert_int_equal(fclose(fp), 0);
}

static void test_wide__a_gb18030_yearbook_file_reads_as_the_utf8_one(void **state)
{
    fixture *f = *state;
    write_wide_population(f, "gbk.csv", 1, -1, 0);
    ps_error err;
    double a[PS_SEX_COUNT * FULL_AGES], b[PS_SEX_COUNT * FULL_AGES];
    assert_ps_ok(ps_plan_read_population(b, FULL_AGES, f->path, &err), &err);
    to_gb18030(f->path);
    FILE *fp = fopen(f->path, "rb");
    unsigned char head[8] = { 0 };
    assert_true(fread(head, 1, sizeof head, fp) > 4);
    fclose(fp);
    assert_true(head[0] != 0xEF); /* really GB18030 now: no UTF-8 byte-order mark */
    assert_ps_ok(ps_plan_read_population(a, FULL_AGES, f->path, &err), &err);
    assert_memory_equal(a, b, sizeof a);
}

static void test_wide__a_gb18030_scenario_is_refused_with_the_fix(void **state)
{
    fixture *f = *state;
    write_text(f, "gbk.yaml", "name: city\ntitle: \"城市人口预测\"\nstart: 2025\nend: 2030\n");
    to_gb18030(f->path);
    ps_scenario scn;
    ps_error err;
    assert_int_equal(ps_scn_load(&scn, f->path, &err), PS_EPARSE);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "saved in GB18030 (GBK), not UTF-8"));
    assert_non_null(strstr(err.msg, "iconv -f GB18030 -t UTF-8"));
}

/* The Example City table closed at 85+ (yearbook style), written as a wide file. */
static double write_open_85(fixture *f, const char *name)
{
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    fprintf(fp, "年龄组,男,女\n");
    double open_m = 0.0, open_f = 0.0;
    for (int g = 0; g < N_GROUPS; ++g) {
        if (g < 17) { /* 0-4 .. 80-84 */
            fprintf(fp, "%s,%.0f,%.0f\n", f->label[g], f->male[g], f->female[g]);
        } else {
            open_m += f->male[g];
            open_f += f->female[g];
        }
    }
    fprintf(fp, "85岁及以上,%.0f,%.0f\n", open_m, open_f);
    assert_int_equal(fclose(fp), 0);
    return open_m;
}

static void test_wide__an_open_group_85_plus_needs_the_scenario_mortality(void **state)
{
    fixture *f = *state;
    const double open_m = write_open_85(f, "open85.csv");
    ps_error err;
    double pop[PS_SEX_COUNT * FULL_AGES];
    assert_int_equal(ps_plan_read_population(pop, FULL_AGES, f->path, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "'85+' ends the table below the last age 100"));
    int open_from = 0;
    assert_ps_ok(ps_plan_read_population_open(pop, FULL_AGES, f->path, &open_from, &err), &err);
    assert_int_equal(open_from, 85);
    assert_true(pop[PS_SEX_MALE * FULL_AGES + 85] == open_m);
    assert_true(pop[PS_SEX_MALE * FULL_AGES + 90] == 0.0);
    write_text(f, "open40.csv",
               "sex,age,value\nM,0-39,1000\nM,40+,500\nF,0-39,1000\nF,40+,500\n");
    assert_int_equal(ps_plan_read_population(pop, FULL_AGES, f->path, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "must start at 50 or later"));
}

static void test_wide__a_scenario_extends_85_plus_as_the_stationary_population(void **state)
{
    fixture *f = *state;
    const double open_m = write_open_85(f, "open85.csv");
    char scn_path[200];
    snprintf(scn_path, sizeof scn_path, "%s/open.yaml", f->dir);
    FILE *fp = fopen(scn_path, "w");
    assert_non_null(fp);
    fprintf(fp, "name: open\nstart: 2025\nend: 2030\npopulation:\n  file: open85.csv\n"
                "mortality:\n  mx_file: %smx.csv\nfertility:\n  asfr_file: %sasfr.csv\n"
                "srb:\n  value: 1.05\nmigration:\n  none: true\n",
            EXAMPLE_DIR, EXAMPLE_DIR);
    assert_int_equal(fclose(fp), 0);
    ps_scenario scn;
    ps_inputs in;
    ps_error err;
    ps_build_options bo = { 0 };
    assert_ps_ok(ps_scn_load(&scn, scn_path, &err), &err);
    assert_ps_ok(ps_build_inputs(&in, &scn, &bo, &err), &err);
    const double *p = &in.base.count[ps_pop_idx(&in.base, 0, PS_SEX_MALE, 0)];
    double sum = 0.0;
    for (int age = 85; age < FULL_AGES; ++age) {
        sum += p[age];
        assert_true(p[age] > 0.0);
    }
    assert_close(sum, open_m, 1e-12);
    /* Proportional to L(x) of the first step's male death rates (the open age: T). */
    double ax[FULL_AGES], qx[FULL_AGES], lx[FULL_AGES], Lx[FULL_AGES], Tx[FULL_AGES],
        ex[FULL_AGES];
    ps_lifetable lt = { FULL_AGES, ax, qx, lx, Lx, Tx, ex };
    assert_ps_ok(ps_lt_compute(&lt, &in.mx[ps_inputs_idx(&in, 0, 0, PS_SEX_MALE, 0)],
                               PS_SEX_MALE, &err), &err);
    assert_close(p[95] / p[85], Lx[95] / Lx[85], 1e-12);
    assert_close(p[100] / p[85], Tx[100] / Lx[85], 1e-12);
    assert_true(p[85] > p[90] && p[90] > p[95]); /* thinning with age */
    ps_inputs_release(&in);
    ps_scn_release(&scn);
}

/* Life-table rate of the group of single ages lo..n-1 (the last open), l(lo) = 1, a = 1/2. */
static double open_rate(const double *m, int lo, int n)
{
    double l = 1.0, years = 0.0;
    for (int x = lo; x < n - 1; ++x) {
        double q = m[x] / (1.0 + 0.5 * m[x]);
        years += l * (1.0 - 0.5 * q);
        l *= 1.0 - q;
    }
    return 1.0 / (years + l / m[n - 1]);
}

static void test_wide__kannisto_extension_keeps_the_open_rate_and_the_slope(void **state)
{
    (void)state;
    enum { N_OPEN = 16 }; /* ages 85..100 */
    double m[N_OPEN];
    ps_error err;
    assert_ps_ok(ps_grad_kannisto(m, N_OPEN, 85, 77.5, 0.0361, 82.5, 0.0654, 0.1552, &err),
                 &err);
    double full[FULL_AGES] = { 0 };
    memcpy(full + 85, m, sizeof m);
    assert_close(open_rate(full, 85, FULL_AGES), 0.1552, 1e-12);
    const double slope = (log(0.0654 / (1 - 0.0654)) - log(0.0361 / (1 - 0.0361))) / 5.0;
    for (int i = 1; i < N_OPEN; ++i) {
        const double d = log(m[i] / (1 - m[i])) - log(m[i - 1] / (1 - m[i - 1]));
        assert_close(d, slope, 1e-9);
        assert_true(m[i] > m[i - 1] && m[i] < 1.0);
    }
    assert_int_equal(ps_grad_kannisto(m, N_OPEN, 85, 77.5, 0.0654, 82.5, 0.0361, 0.1552, &err),
                     PS_EINVAL);
}

static void test_wide__death_rates_closed_at_85_plus_are_extended(void **state)
{
    fixture *f = *state;
    /* The Example City's 2025 male and female rates, closed at 85+ with the open rate the
     * full table's single ages give, must give those ages back closely. */
    double full[(size_t)2 * PS_SEX_COUNT * FULL_AGES];
    ps_error err;
    snprintf(f->path, sizeof f->path, "%s/mx2025.csv", f->dir);
    FILE *in = fopen(EXAMPLE_DIR "mx.csv", "r"), *out = fopen(f->path, "w");
    assert_non_null(in);
    assert_non_null(out);
    char line[128];
    while (fgets(line, sizeof line, in) != NULL) {
        if (strncmp(line, "year", 4) == 0 || strncmp(line, "2025", 4) == 0) {
            fputs(line, out);
        }
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
    assert_ps_ok(ps_plan_read_mx(full, 2025, 2026, FULL_AGES, f->path, &err), &err);
    double rate[PS_SEX_COUNT];
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        rate[sex] = open_rate(full + (size_t)sex * FULL_AGES, 85, FULL_AGES);
    }
    char open_path[200];
    snprintf(open_path, sizeof open_path, "%s/mx85.csv", f->dir);
    in = fopen(f->path, "r");
    out = fopen(open_path, "w");
    while (fgets(line, sizeof line, in) != NULL) {
        int age = 0;
        char sex = 0;
        if (sscanf(line, "2025,%c,%d", &sex, &age) == 2 && age >= 85) {
            if (age == 85) {
                fprintf(out, "2025,%c,85+,%.17g\n", sex, rate[sex == 'M' ? PS_SEX_MALE : PS_SEX_FEMALE]);
            }
            continue;
        }
        fputs(line, out);
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
    double ext[(size_t)2 * PS_SEX_COUNT * FULL_AGES];
    assert_ps_ok(ps_plan_read_mx(ext, 2025, 2026, FULL_AGES, open_path, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        const double *e = ext + (size_t)sex * FULL_AGES, *g = full + (size_t)sex * FULL_AGES;
        assert_close(open_rate(e, 85, FULL_AGES), rate[sex], 1e-10);
        for (int age = 0; age < 80; ++age) {
            assert_close(e[age], g[age], 0.05); /* closed groups: the same graduation */
        }
        const double e0_full = ps_lt_e0(g, FULL_AGES, (ps_sex)sex);
        const double e0_ext = ps_lt_e0(e, FULL_AGES, (ps_sex)sex);
        assert_true(fabs(e0_full - e0_ext) < 0.05); /* years */
        for (int age = 86; age < FULL_AGES; ++age) {
            assert_true(e[age] > e[age - 1]);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_wide__a_wide_header_without_rows_names_the_file,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide__a_short_row_is_refused_as_truncated, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wide__chinese_yearbook_table_reads_as_the_long_file,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide__english_headers_read_as_the_long_file, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_wide__a_total_that_is_not_male_plus_female_is_refused_at_its_cell, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_wide__a_totals_row_that_does_not_add_up_is_refused,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide__a_totals_row_last_is_checked_against_the_rows,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide__a_bad_value_points_at_the_wide_cell, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wide__a_wide_sheet_error_names_the_sheet_cell, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_wide__death_rates_by_year_in_wide_form_read_as_long,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide__an_unknown_header_is_still_a_wrong_header,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide__a_gb18030_yearbook_file_reads_as_the_utf8_one,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_wide__a_gb18030_scenario_is_refused_with_the_fix,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_wide__an_open_group_85_plus_needs_the_scenario_mortality, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_wide__a_scenario_extends_85_plus_as_the_stationary_population, setup, teardown),
        cmocka_unit_test(test_wide__kannisto_extension_keeps_the_open_rate_and_the_slope),
        cmocka_unit_test_setup_teardown(test_wide__death_rates_closed_at_85_plus_are_extended,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name("wide", tests, NULL, NULL);
}

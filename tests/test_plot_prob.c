/*
 * test_plot_prob.c - probabilistic files (issue #14, sec. 2) in the reader (io/h5prob_read.c),
 * the fan charts (plot/load_prob.c, charts_pop.c) and the report section (plot/report_prob.c).
 * The fixture is written here with HDF5 in the layout of io/h5out_prob.c: group
 * /probabilistic/demo, two locations, ten years, the five levels, every value from one formula
 * so a test can say what each cell must hold. `test_plot_prob --write-fixture PATH good|bad`
 * writes it for the CLI tests (tests/plot_prob.cmake).
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <hdf5.h>

#include "test_util.h"

#include "plot/plot_int.h"
#include "popsim/h5prob.h"
#include "popsim/plot.h"

enum { FIX_YEARS = 10, FIX_START = 2028, FIX_LOC = 2, FIX_Q = 5, FIX_SEX = 2 };
static const double levels[FIX_Q] = { 0.025, 0.10, 0.50, 0.90, 0.975 };
static const double level_mult[FIX_Q] = { 0.83, 0.91, 1.0, 1.087, 1.163 };
static const char *const loc_names[FIX_LOC] = { "Ruritania", "Freedonia" };
static const uint64_t fix_seed = 4242;
static const int fix_traj = 321;

/* Base values of the series at the first year, first location, female. */
static const double base[PS_H5_PROB_SERIES_COUNT] = {
    [PS_H5_PROB_POP_TOTAL] = 456789.1, [PS_H5_PROB_BIRTHS] = 5432.1,
    [PS_H5_PROB_TFR] = 1.2345,         [PS_H5_PROB_E0_FEMALE] = 78.9,
    [PS_H5_PROB_E0_MALE] = 78.9,       [PS_H5_PROB_DEP_OLD] = 0.2837,
    [PS_H5_PROB_SHARE_65] = 0.1432,
};

/* The value every cell holds. */
static double cell(ps_h5_prob_series s, int y, int loc, int sex, int q)
{
    return base[s] * (1.0 + 0.0237 * y) * (1.0 + 0.113 * loc) * (1.0 - 0.0612 * sex) *
           level_mult[q];
}

static void put_dataset(hid_t grp, const char *name, hid_t type, int rank, const hsize_t *dims,
                        const void *data)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t ftype = type == H5T_NATIVE_DOUBLE ? H5T_IEEE_F64LE
                  : type == H5T_NATIVE_INT  ? H5T_STD_I32LE
                                            : type;
    hid_t ds = H5Dcreate2(grp, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Dclose(ds);
    H5Sclose(sp);
}

/* A (year, location[, sex], quantile) variable of series s; n_q levels written. */
static void put_series(hid_t grp, ps_h5_prob_series s, int n_q)
{
    const int by_sex = ps_h5_prob_series_sex(s) != NULL;
    double *v = malloc((size_t)FIX_YEARS * FIX_LOC * FIX_SEX * FIX_Q * sizeof *v);
    size_t k = 0;
    for (int y = 0; y < FIX_YEARS; ++y) {
        for (int loc = 0; loc < FIX_LOC; ++loc) {
            for (int sex = 0; sex < (by_sex ? FIX_SEX : 1); ++sex) {
                for (int q = 0; q < n_q; ++q) {
                    v[k++] = cell(s, y, loc, sex, q);
                }
            }
        }
    }
    hsize_t dims[4] = { FIX_YEARS, FIX_LOC, FIX_SEX, (hsize_t)n_q };
    if (!by_sex) {
        dims[2] = (hsize_t)n_q;
    }
    put_dataset(grp, ps_h5_prob_series_var(s), H5T_NATIVE_DOUBLE, by_sex ? 4 : 3, dims, v);
    free(v);
}

/* 0: the layout of h5out_prob.c; 1 (bad): population_total with 4 levels against 5;
 * 2: a year missing from the year coordinate. */
static int write_fixture(const char *path, int bad)
{
    hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    H5Tset_cset(str, H5T_CSET_UTF8);
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(file, "seed", H5T_STD_U64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_UINT64, &fix_seed);
    H5Aclose(a);
    a = H5Acreate2(file, "trajectories", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_INT, &fix_traj);
    H5Aclose(a);
    H5Sclose(sp);
    hid_t top = H5Gcreate2(file, "probabilistic", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hid_t grp = H5Gcreate2(top, "demo", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int years[FIX_YEARS];
    for (int y = 0; y < FIX_YEARS; ++y) {
        years[y] = FIX_START + y + (bad == 2 && y >= FIX_YEARS / 2);
    }
    const char *sexes[FIX_SEX] = { "female", "male" };
    hsize_t n = FIX_YEARS;
    put_dataset(grp, "year", H5T_NATIVE_INT, 1, &n, years);
    n = FIX_LOC;
    put_dataset(grp, "location", str, 1, &n, loc_names);
    n = FIX_Q;
    put_dataset(grp, "quantile", H5T_NATIVE_DOUBLE, 1, &n, levels);
    n = FIX_SEX;
    put_dataset(grp, "sex", str, 1, &n, sexes);
    put_series(grp, PS_H5_PROB_POP_TOTAL, bad == 1 ? FIX_Q - 1 : FIX_Q);
    put_series(grp, PS_H5_PROB_BIRTHS, FIX_Q);
    put_series(grp, PS_H5_PROB_TFR, FIX_Q);
    put_series(grp, PS_H5_PROB_E0_FEMALE, FIX_Q); /* "e0" by sex */
    put_series(grp, PS_H5_PROB_DEP_OLD, FIX_Q);
    put_series(grp, PS_H5_PROB_SHARE_65, FIX_Q);
    H5Gclose(grp);
    H5Gclose(top);
    H5Tclose(str);
    return H5Fclose(file) < 0;
}

typedef struct fixture {
    char dir[128];
    char good[192], bad[192], gap[192];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/ps_test_plot_prob_XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->good, sizeof f->good, "%s/good.h5", f->dir);
    snprintf(f->bad, sizeof f->bad, "%s/bad.h5", f->dir);
    snprintf(f->gap, sizeof f->gap, "%s/gap.h5", f->dir);
    if (write_fixture(f->good, 0) != 0 || write_fixture(f->bad, 1) != 0 ||
        write_fixture(f->gap, 2) != 0) {
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static void test_plot_prob__reader_reads_coordinates_attributes_and_each_series(void **state)
{
    fixture *f = *state;
    ps_h5_prob_data d;
    ps_error err;
    assert_ps_ok(ps_h5_prob_read(&d, f->good, &err), &err);
    assert_string_equal(d.group, "demo");
    assert_string_equal(d.dim, "location");
    assert_int_equal(d.n_loc, FIX_LOC);
    assert_string_equal(d.labels[1], loc_names[1]);
    assert_int_equal(d.start_year, FIX_START);
    assert_int_equal(d.n_years, FIX_YEARS);
    assert_int_equal(d.n_q, FIX_Q);
    assert_close(d.levels[3], levels[3], 1e-15);
    assert_int_equal(d.seed, (long long)fix_seed);
    assert_int_equal(d.trajectories, fix_traj);
    for (int s = 0; s < PS_H5_PROB_SERIES_COUNT; ++s) {
        assert_non_null(d.q[s]);
        const int sex = s == PS_H5_PROB_E0_MALE;
        /* location 1, year 7, level 90 % */
        assert_close(d.q[s][((size_t)1 * FIX_YEARS + 7) * FIX_Q + 3],
                     cell((ps_h5_prob_series)s, 7, 1, sex, 3), 1e-15);
    }
    ps_h5_prob_data_release(&d);
}

static void test_plot_prob__quantile_dimension_of_wrong_length_is_a_located_error(void **state)
{
    fixture *f = *state;
    ps_h5_prob_data d;
    ps_plot_set *set = NULL;
    ps_error err;
    ps_error_clear(&err);
    assert_int_equal(ps_h5_prob_read(&d, f->bad, &err), PS_EHDF5);
    assert_string_equal(err.path, f->bad);
    assert_non_null(strstr(err.msg, "/probabilistic/demo/population_total"));
    assert_non_null(strstr(err.msg, "quantile 5"));
    assert_null(d.labels);
    ps_error_clear(&err);
    assert_int_equal(ps_plot_load(&set, f->bad, &err), PS_EHDF5);
    assert_null(set);
    assert_string_equal(err.path, f->bad);
}

static void test_plot_prob__years_that_are_not_consecutive_are_a_located_error(void **state)
{
    fixture *f = *state;
    ps_h5_prob_data d;
    ps_error err;
    ps_error_clear(&err);
    assert_int_equal(ps_h5_prob_read(&d, f->gap, &err), PS_EHDF5);
    assert_string_equal(err.path, f->gap);
    assert_non_null(strstr(err.msg, "/probabilistic/demo/year"));
    assert_non_null(strstr(err.msg, "consecutive"));
}

/* Every data row of a fan .dat: year and the five levels, each the file's value. */
static void check_fan_dat(const char *path, ps_h5_prob_series s, int loc)
{
    char *dat = test_slurp(path, NULL);
    const int sex = s == PS_H5_PROB_E0_MALE;
    int rows = 0;
    for (char *line = strtok(dat, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (line[0] == '#') {
            continue;
        }
        char *end = NULL;
        const int year = (int)strtol(line, &end, 10);
        const int y = year - FIX_START;
        assert_in_range(y, 0, FIX_YEARS - 1);
        for (int q = 0; q < FIX_Q; ++q) {
            const double v = strtod(end, &end);
            assert_close(v, cell(s, y, loc, sex, q), 1e-9); /* written with %.10g */
        }
        ++rows;
    }
    assert_int_equal(rows, FIX_YEARS);
    free(dat);
}

static void test_plot_prob__fan_data_blocks_hold_the_files_quantiles(void **state)
{
    fixture *f = *state;
    ps_plot_set *set = NULL;
    ps_plot_chart *charts = NULL;
    ps_plot_options opt = PS_PLOT_OPTIONS_INIT;
    ps_error err;
    int n = 0;
    char path[512];
    assert_ps_ok(ps_plot_load(&set, f->good, &err), &err);
    for (int loc = 0; loc < FIX_LOC; ++loc) {
        assert_ps_ok(ps_plot_show_location(set, loc_names[loc], &err), &err);
        assert_ps_ok(ps_plot_plan(&charts, &n, set, &err), &err);
        assert_int_equal(n, PS_H5_PROB_SERIES_COUNT); /* one fan per summary, this location */
        for (int k = 0; k < n; ++k) {
            assert_int_equal(charts[k].kind, PS_PLOT_FAN);
            assert_int_equal(charts[k].scenario, loc);
            for (int lang = 0; lang < PS_PLOT_LANG_COUNT; ++lang) {
                opt.lang = (ps_plot_lang)lang;
                assert_ps_ok(ps_plot_write(set, &charts[k], f->dir, &opt, &err), &err);
                snprintf(path, sizeof path, "%s/%s.dat", f->dir, charts[k].name);
                check_fan_dat(path, (ps_h5_prob_series)k, loc);
                snprintf(path, sizeof path, "%s/%s.gp", f->dir, charts[k].name);
                char *gp = test_slurp(path, NULL);
                /* both bands and the median, labelled in the language */
                assert_non_null(strstr(gp, "using 1:($2*scale):($6*scale) with filledcurves"));
                assert_non_null(strstr(gp, "using 1:($3*scale):($5*scale) with filledcurves"));
                assert_non_null(strstr(gp, "using 1:($4*scale) with lines"));
                assert_non_null(strstr(gp, ps_plot__msg(MSG_BAND_95, opt.lang)));
                assert_non_null(strstr(gp, ps_plot__msg(MSG_MEDIAN, opt.lang)));
                assert_non_null(strstr(gp, loc_names[loc]));
                free(gp);
            }
            /* the caption names the quantity in words (issue #16), never the dataset */
            char caption[256];
            ps_plot_chart_caption(caption, sizeof caption, set, &charts[k], PS_PLOT_LANG_EN);
            assert_non_null(strstr(caption, ps_plot__msg((plot_msg)set->scn[charts[k].scenario].fans[charts[k].item].label,
                                                         PS_PLOT_LANG_EN)));
            assert_null(strstr(caption, ps_h5_prob_series_var((ps_h5_prob_series)k)));
        }
        free(charts);
        charts = NULL;
    }
    ps_plot_free(set);
}

static void test_plot_prob__unknown_location_is_refused(void **state)
{
    fixture *f = *state;
    ps_plot_set *set = NULL;
    ps_error err;
    assert_ps_ok(ps_plot_load(&set, f->good, &err), &err);
    assert_int_equal(ps_plot_show_location(set, "Atlantis", &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "Atlantis"));
    ps_plot_free(set);
}

/* A report with stand-in PNGs: the section in each language, its table and the fans. */
static void test_plot_prob__report_has_the_section_in_both_languages(void **state)
{
    static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0 };
    static const char *const heading[PS_PLOT_LANG_COUNT] = { "Probabilistic projection",
                                                             "概率预测" };
    static const char *const caveat[PS_PLOT_LANG_COUNT] = { "Caveats (docs/model.md sec. 9.5)",
                                                            "说明（docs/model.md 第9.5节）" };
    fixture *f = *state;
    ps_plot_set *set = NULL;
    ps_plot_chart *charts = NULL;
    ps_error err;
    int n = 0;
    char path[512], want[256];
    assert_ps_ok(ps_plot_load(&set, f->good, &err), &err);
    assert_ps_ok(ps_plot_show_location(set, loc_names[1], &err), &err);
    assert_ps_ok(ps_plot_plan(&charts, &n, set, &err), &err);
    for (int k = 0; k < n; ++k) {
        snprintf(path, sizeof path, "%s/%s.png", f->dir, charts[k].name);
        FILE *out = fopen(path, "wb");
        assert_non_null(out);
        fwrite(png, 1, sizeof png, out);
        fclose(out);
    }
    for (int lang = 0; lang < PS_PLOT_LANG_COUNT; ++lang) {
        snprintf(path, sizeof path, "%s/report_%d.html", f->dir, lang);
        assert_ps_ok(ps_plot_report_write(path, set, charts, n, f->dir, (ps_plot_lang)lang,
                                          &err), &err);
        char *html = test_slurp(path, NULL);
        assert_non_null(strstr(html, heading[lang]));
        assert_non_null(strstr(html, "AR(1)"));
        assert_non_null(strstr(html, caveat[lang]));
        snprintf(want, sizeof want, "<dd>%d</dd>", fix_traj);
        assert_non_null(strstr(html, want));
        snprintf(want, sizeof want, "<dd>%llu</dd>", (unsigned long long)fix_seed);
        assert_non_null(strstr(html, want));
        assert_non_null(strstr(html, loc_names[1]));
        assert_null(strstr(html, loc_names[0])); /* only the shown location */
        /* 2030 median of total population of location 1 in the language's unit */
        snprintf(want, sizeof want, "<td>2030</td><td>%.1f</td><td>%.1f</td><td>%.1f</td>",
                 cell(PS_H5_PROB_POP_TOTAL, 2030 - FIX_START, 1, 0, 0) /
                     ps_plot__count_unit((ps_plot_lang)lang),
                 cell(PS_H5_PROB_POP_TOTAL, 2030 - FIX_START, 1, 0, 1) /
                     ps_plot__count_unit((ps_plot_lang)lang),
                 cell(PS_H5_PROB_POP_TOTAL, 2030 - FIX_START, 1, 0, 2) /
                     ps_plot__count_unit((ps_plot_lang)lang));
        assert_non_null(strstr(html, want));
        for (int k = 0; k < n; ++k) {
            snprintf(want, sizeof want, "data-chart=\"%s\"", charts[k].name);
            assert_non_null(strstr(html, want));
        }
        free(html);
    }
    free(charts);
    ps_plot_free(set);
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "--write-fixture") == 0) {
        return write_fixture(argv[2], strcmp(argv[3], "bad") == 0);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_plot_prob__reader_reads_coordinates_attributes_and_each_series, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_plot_prob__quantile_dimension_of_wrong_length_is_a_located_error, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_plot_prob__years_that_are_not_consecutive_are_a_located_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plot_prob__fan_data_blocks_hold_the_files_quantiles,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_plot_prob__unknown_location_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plot_prob__report_has_the_section_in_both_languages,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name("plot_prob", tests, NULL, NULL);
}

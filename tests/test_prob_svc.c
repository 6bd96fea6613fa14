/*
 * test_prob_svc.c - services under uncertainty (issue #14, sec. 2; popsim/svc_prob.h,
 * engine/svc_prob.c): with widths of 0 every trajectory's services are the deterministic
 * run's (1e-12) and P(shortage) is 0 or 1 as the deterministic gap says; with widths
 * P(shortage) is a share of whole trajectories, equal to the count of trajectories with a
 * shortage and consistent with the shortage quantiles; 1 and 2 threads give the same bytes;
 * the file (io/h5out_prob.c) reads back (io/h5prob_read.c) to the same numbers, and a service
 * variable of the wrong shape is a located error; the childcare
 * fan's .dat cells and the report's P(shortage) table are the file's; docs/output-format.md
 * documents the variables of the schema table; misuse is refused.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#include <hdf5.h>

#include "io/h5schema_int.h"
#include "popsim/builder.h"
#include "popsim/h5prob.h"
#include "popsim/plot.h"
#include "popsim/proj.h"
#include "popsim/svc_prob.h"
#include "popsim/uncertainty.h"

#define ZERO_SCN PS_TEST_DATA_DIR "/uncertainty/city_svc_zero.yaml"
#define WIDTH_SCN PS_SOURCE_DIR "/scenarios/example_city_uncertainty.yaml"
#define DOC_PATH PS_SOURCE_DIR "/docs/output-format.md"

typedef struct svc_run {
    ps_scenario scn;
    ps_inputs in;
    ps_prob_bounds b;
    ps_prob_options opt;
    ps_prob *p;
    ps_svc_prob *sp;
} svc_run;

/* Load, build, run every unit with its services; finish both unless keep_open (then the
 * services' trajectories are still there). */
static void run_scenario(svc_run *r, const char *path, int threads, int keep_open)
{
    ps_error err;
    ps_build_options bo = { .wpp_dir = NULL, .project_root = PS_SOURCE_DIR, .cache_dir = NULL };
    memset(r, 0, sizeof *r);
    assert_ps_ok(ps_scn_load(&r->scn, path, &err), &err);
    assert_ps_ok(ps_build_inputs(&r->in, &r->scn, &bo, &err), &err);
    r->opt.n_threads = threads;
    assert_ps_ok(ps_scn_unc_bounds(&r->b, &r->opt, &r->scn, &r->in, &err), &err);
    r->opt.keep_population = 1; /* ps_prob_unit_population for the services */
    assert_ps_ok(ps_prob_new(&r->p, &r->in, &r->b, &r->opt, &err), &err);
    const ps_scn_member *m = &r->scn.members[0];
    assert_true(m->n_services >= 3);
    assert_ps_ok(ps_svc_prob_new(&r->sp, m->services, m->n_services, &r->scn.care_need,
                                 r->in.region_names[0], ps_prob_start_year(r->p),
                                 ps_prob_n_years(r->p), r->in.n_ages, ps_prob_n_traj(r->p),
                                 &err), &err);
    for (int u = 0; u < ps_prob_n_units(r->p); ++u) {
        int lanes = 0;
        assert_ps_ok(ps_prob_unit(r->p, u, &err), &err);
        const double *pop = ps_prob_unit_population(r->p, u, &lanes);
        assert_non_null(pop);
        assert_ps_ok(ps_svc_prob_add(r->sp, pop, u * PS_PROB_UNIT_TRAJ, lanes, &err), &err);
    }
    assert_ps_ok(ps_prob_finish(r->p, &err), &err);
    if (!keep_open) {
        assert_ps_ok(ps_svc_prob_finish(r->sp, &err), &err);
    }
}

static void run_release(svc_run *r)
{
    ps_svc_prob_free(r->sp);
    ps_prob_free(r->p);
    ps_prob_bounds_release(&r->b);
    ps_inputs_release(&r->in);
    ps_scn_release(&r->scn);
}

/* Widths of 0: each trajectory's services are the deterministic run's, P(shortage) its gap. */
static void test_prob_svc__zero_widths_give_the_deterministic_services(void **state)
{
    (void)state;
    svc_run r;
    ps_result det;
    ps_proj *proj = NULL;
    ps_error err;
    run_scenario(&r, ZERO_SCN, 0, 1);
    assert_ps_ok(ps_proj_new(&proj, &r.in, &err), &err);
    assert_ps_ok(ps_proj_run(&det, proj, "det", NULL, &err), &err);
    ps_proj_free(proj);
    const ps_scn_member *m = &r.scn.members[0];
    assert_ps_ok(ps_services_compute(&det, m->services, m->n_services, &r.scn.care_need, &err),
                 &err);
    const int T = ps_svc_prob_n_traj(r.sp), Y = ps_svc_prob_n_years(r.sp);
    assert_int_equal(T, 200);
    assert_int_equal(Y, det.n_years);
    int shortage_years = 0, met_years = 0;
    for (int k = 0; k < ps_svc_prob_n_services(r.sp); ++k) {
        const ps_svc_result *o = &det.services[k];
        assert_string_equal(ps_svc_prob_name(r.sp, k), o->name);
        const double *want[PS_SVC_PROB_VAR_COUNT] = { o->demand, o->capacity, o->shortage,
                                                      o->staff };
        for (int v = 0; v < PS_SVC_PROB_VAR_COUNT; ++v) {
            const double *tr = ps_svc_prob_trajectories(r.sp, k, (ps_svc_prob_var)v);
            assert_non_null(tr);
            for (int y = 0; y < Y; ++y) {
                for (int t = 0; t < T; ++t) {
                    assert_close(tr[(size_t)y * (size_t)T + (size_t)t], want[v][y], 1e-12);
                }
            }
        }
    }
    assert_ps_ok(ps_svc_prob_finish(r.sp, &err), &err);
    assert_null(ps_svc_prob_trajectories(r.sp, 0, PS_SVC_PROB_DEMAND));
    for (int k = 0; k < ps_svc_prob_n_services(r.sp); ++k) {
        const double *p = ps_svc_prob_p_shortage(r.sp, k);
        const double *dem = ps_svc_prob_stats(r.sp, k, PS_SVC_PROB_DEMAND);
        for (int y = 0; y < Y; ++y) {
            const double gap = det.services[k].shortage[y];
            assert_true(p[y] == (gap > 0.0 ? 1.0 : 0.0));
            shortage_years += gap > 0.0;
            met_years += gap == 0.0;
            for (int s = 0; s < PS_PROB_N_STATS; ++s) {
                assert_close(dem[(size_t)y * PS_PROB_N_STATS + (size_t)s],
                             det.services[k].demand[y], 1e-12);
            }
        }
    }
    assert_true(shortage_years > 0); /* both outcomes occur in the example */
    assert_true(met_years > 0);
    ps_result_release(&det);
    run_release(&r);
}

/*
 * With widths: P(shortage) is k / T for whole k, equals the count of trajectories with a
 * shortage, and agrees with the type-7 shortage quantiles (a positive 10 % quantile leaves at
 * most floor(0.1 (T - 1)) + 1 trajectories without a shortage; a zero 90 % quantile at most
 * that many with one); the example has years of real doubt (0 < P < 1).
 */
static void test_prob_svc__p_shortage_is_a_share_consistent_with_the_quantiles(void **state)
{
    (void)state;
    svc_run r;
    ps_error err;
    run_scenario(&r, WIDTH_SCN, 0, 1);
    const int T = ps_svc_prob_n_traj(r.sp), Y = ps_svc_prob_n_years(r.sp);
    const int K = ps_svc_prob_n_services(r.sp);
    int *count = calloc((size_t)K * (size_t)Y, sizeof *count);
    assert_non_null(count);
    for (int k = 0; k < K; ++k) {
        const double *sh = ps_svc_prob_trajectories(r.sp, k, PS_SVC_PROB_SHORTAGE);
        for (int y = 0; y < Y; ++y) {
            for (int t = 0; t < T; ++t) {
                count[k * Y + y] += sh[(size_t)y * (size_t)T + (size_t)t] > 0.0;
            }
        }
    }
    assert_ps_ok(ps_svc_prob_finish(r.sp, &err), &err);
    const int tail = (int)floor(0.1 * (T - 1)) + 1;
    int doubtful = 0;
    for (int k = 0; k < K; ++k) {
        const double *p = ps_svc_prob_p_shortage(r.sp, k);
        const double *sh = ps_svc_prob_stats(r.sp, k, PS_SVC_PROB_SHORTAGE);
        const double *dem = ps_svc_prob_stats(r.sp, k, PS_SVC_PROB_DEMAND);
        const double *cap = ps_svc_prob_stats(r.sp, k, PS_SVC_PROB_CAPACITY);
        for (int y = 0; y < Y; ++y) {
            const double *q = sh + (size_t)y * PS_PROB_N_STATS;
            assert_true(p[y] >= 0.0 && p[y] <= 1.0);
            assert_true(p[y] == (double)count[k * Y + y] / T);
            if (q[1] > 0.0) { /* 10 % quantile of the shortage */
                assert_true(count[k * Y + y] >= T - tail);
            }
            if (q[3] == 0.0) { /* 90 % quantile */
                assert_true(count[k * Y + y] <= tail);
            }
            if (q[2] > 0.0) {
                assert_true(p[y] >= 0.5);
            }
            /* quantiles are ordered and the capacity is positive for a target */
            for (int s = 1; s < PS_PROB_N_QUANTILES; ++s) {
                assert_true(dem[(size_t)y * PS_PROB_N_STATS + (size_t)s] >=
                            dem[(size_t)y * PS_PROB_N_STATS + (size_t)s - 1]);
            }
            assert_true(cap[(size_t)y * PS_PROB_N_STATS + 2] > 0.0);
            doubtful += p[y] > 0.0 && p[y] < 1.0;
        }
    }
    assert_true(doubtful >= 10);
    free(count);
    run_release(&r);
}

static void test_prob_svc__threads_give_the_same_bytes(void **state)
{
    (void)state;
    svc_run a, b;
    run_scenario(&a, WIDTH_SCN, 1, 0);
    run_scenario(&b, WIDTH_SCN, 2, 0);
    const size_t Y = (size_t)ps_svc_prob_n_years(a.sp);
    for (int k = 0; k < ps_svc_prob_n_services(a.sp); ++k) {
        for (int v = 0; v < PS_SVC_PROB_VAR_COUNT; ++v) {
            assert_memory_equal(ps_svc_prob_stats(a.sp, k, (ps_svc_prob_var)v),
                                ps_svc_prob_stats(b.sp, k, (ps_svc_prob_var)v),
                                Y * PS_PROB_N_STATS * sizeof(double));
        }
        assert_memory_equal(ps_svc_prob_p_shortage(a.sp, k), ps_svc_prob_p_shortage(b.sp, k),
                            Y * sizeof(double));
    }
    run_release(&a);
    run_release(&b);
}

/* ---- the file, its charts and report ------------------------------------------------------ */

typedef struct fixture {
    char dir[64];
    char file[128];
    svc_run r;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    ps_error err;
    if (f == NULL || test_make_dir(f->dir, sizeof f->dir, "prob_svc") != 0) {
        free(f);
        return -1;
    }
    snprintf(f->file, sizeof f->file, "%s/svc.h5", f->dir);
    run_scenario(&f->r, WIDTH_SCN, 0, 0);
    const char *label = f->r.in.region_names[0];
    const ps_h5_prob_spec spec = { .group = f->r.scn.name, .title = "test", .dim = "region",
                                   .labels = &label, .codes = NULL, .trajectories = 0,
                                   .services = f->r.sp };
    if (ps_h5_write_prob(f->file, (const ps_prob *const *)&f->r.p, 1, &spec, NULL, &err) !=
        PS_OK) {
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    run_release(&f->r);
    test_remove_dir(f->dir);
    free(f);
    return 0;
}

static void test_prob_svc__file_reads_back_the_same_numbers(void **state)
{
    fixture *f = *state;
    ps_h5_prob_data d;
    ps_error err;
    assert_ps_ok(ps_h5_prob_read(&d, f->file, &err), &err);
    const ps_svc_prob *sp = f->r.sp;
    assert_int_equal(d.n_svc, ps_svc_prob_n_services(sp));
    assert_int_equal(d.n_q, PS_PROB_N_QUANTILES);
    for (int k = 0; k < d.n_svc; ++k) {
        assert_string_equal(d.svc_names[k], ps_svc_prob_name(sp, k));
        assert_string_equal(d.svc_titles[k], ps_svc_prob_title(sp, k));
        assert_string_equal(d.svc_kinds[k], ps_svc_kind_name(ps_svc_prob_kind(sp, k)));
        for (int y = 0; y < d.n_years; ++y) {
            const size_t cell = (size_t)y * (size_t)d.n_svc + (size_t)k;
            assert_true(d.svc_p_shortage[cell] == ps_svc_prob_p_shortage(sp, k)[y]);
            for (int v = 0; v < PS_SVC_PROB_VAR_COUNT; ++v) {
                const double *st = ps_svc_prob_stats(sp, k, (ps_svc_prob_var)v);
                assert_memory_equal(d.svc_q[v] + cell * (size_t)d.n_q,
                                    st + (size_t)y * PS_PROB_N_STATS,
                                    PS_PROB_N_QUANTILES * sizeof(double));
            }
        }
    }
    ps_h5_prob_data_release(&d);
}

/* A service variable of the wrong shape is a located error naming the dataset, and nothing
 * of the file is kept. */
static void test_prob_svc__service_variable_of_wrong_shape_is_a_located_error(void **state)
{
    fixture *f = *state;
    ps_h5_prob_data d;
    ps_error err;
    char dset[256];
    snprintf(dset, sizeof dset, "/probabilistic/%s/service_p_shortage", f->r.scn.name);
    hid_t file = H5Fopen(f->file, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(file >= 0);
    assert_true(H5Ldelete(file, dset, H5P_DEFAULT) >= 0);
    const hsize_t dims[2] = { 26, 1 }; /* (year, region): the service dimension is missing */
    double zeros[26] = { 0 };
    hid_t sp = H5Screate_simple(2, dims, NULL);
    hid_t ds = H5Dcreate2(file, dset, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(ds >= 0);
    assert_true(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, zeros) >= 0);
    H5Dclose(ds);
    H5Sclose(sp);
    H5Fclose(file);
    assert_int_equal(ps_h5_prob_read(&d, f->file, &err), PS_EHDF5);
    assert_string_equal(err.path, f->file);
    assert_non_null(strstr(err.msg, "service_p_shortage"));
    assert_non_null(strstr(err.msg, "service 3"));
    assert_null(d.svc_names);
    assert_int_equal(d.n_svc, 0);
}

/* The childcare fan: year, the five levels and the median capacity, each the file's value. */
static void check_childcare_dat(const char *path, const ps_svc_prob *sp, int k)
{
    char *dat = test_slurp(path, NULL);
    const double *dem = ps_svc_prob_stats(sp, k, PS_SVC_PROB_DEMAND);
    const double *cap = ps_svc_prob_stats(sp, k, PS_SVC_PROB_CAPACITY);
    int rows = 0;
    assert_non_null(dat);
    for (char *line = strtok(dat, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (line[0] == '#') {
            continue;
        }
        char *end = NULL;
        const int y = (int)strtol(line, &end, 10) - ps_svc_prob_start_year(sp);
        assert_in_range(y, 0, ps_svc_prob_n_years(sp) - 1);
        for (int q = 0; q < PS_PROB_N_QUANTILES; ++q) {
            assert_close(strtod(end, &end), dem[(size_t)y * PS_PROB_N_STATS + (size_t)q], 1e-9);
        }
        assert_close(strtod(end, &end), cap[(size_t)y * PS_PROB_N_STATS + 2], 1e-9);
        ++rows;
    }
    assert_int_equal(rows, ps_svc_prob_n_years(sp));
    free(dat);
}

static void test_prob_svc__childcare_fan_and_report_hold_the_files_values(void **state)
{
    static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0 };
    static const char *const axis[PS_PLOT_LANG_COUNT] = { "Childcare demand", "托育需求" };
    static const char *const line[PS_PLOT_LANG_COUNT] = { "Target capacity", "目标托位数" };
    static const char *const head[PS_PLOT_LANG_COUNT] = { "Services: chance of a shortage",
                                                          "公共服务：缺口概率" };
    fixture *f = *state;
    ps_plot_set *set = NULL;
    ps_plot_chart *charts = NULL;
    ps_plot_options opt = PS_PLOT_OPTIONS_INIT;
    ps_error err;
    int n = 0, found = 0;
    char path[512], want[256];
    assert_ps_ok(ps_plot_load(&set, f->file, &err), &err);
    assert_ps_ok(ps_plot_plan(&charts, &n, set, &err), &err);
    assert_int_equal(n, PS_H5_PROB_SERIES_COUNT + 1);
    for (int c = 0; c < n; ++c) {
        snprintf(path, sizeof path, "%s/%s.png", f->dir, charts[c].name);
        FILE *out = fopen(path, "wb");
        assert_non_null(out);
        fwrite(png, 1, sizeof png, out);
        fclose(out);
        if (charts[c].kind != PS_PLOT_FAN ||
            strstr(charts[c].name, "service_demand_service_childcare") == NULL) {
            continue;
        }
        found = 1;
        for (int lang = 0; lang < PS_PLOT_LANG_COUNT; ++lang) {
            opt.lang = (ps_plot_lang)lang;
            assert_ps_ok(ps_plot_write(set, &charts[c], f->dir, &opt, &err), &err);
            snprintf(path, sizeof path, "%s/%s.dat", f->dir, charts[c].name);
            check_childcare_dat(path, f->r.sp, 0);
            snprintf(path, sizeof path, "%s/%s.gp", f->dir, charts[c].name);
            char *gp = test_slurp(path, NULL);
            assert_non_null(gp);
            assert_non_null(strstr(gp, "using 1:($7*scale) with lines"));
            assert_non_null(strstr(gp, "using 1:($2*scale):($6*scale) with filledcurves"));
            assert_non_null(strstr(gp, axis[lang]));
            assert_non_null(strstr(gp, line[lang]));
            assert_non_null(strstr(gp, "set xlabel"));
            free(gp);
        }
    }
    assert_true(found);
    /* the report's table: 2035 of childcare with its P(shortage) and the likelier outcome */
    const double p = ps_svc_prob_p_shortage(f->r.sp, 0)[2035 - 2025];
    const double *dem = ps_svc_prob_stats(f->r.sp, 0, PS_SVC_PROB_DEMAND) +
                        (size_t)(2035 - 2025) * PS_PROB_N_STATS;
    for (int lang = 0; lang < PS_PLOT_LANG_COUNT; ++lang) {
        snprintf(path, sizeof path, "%s/report_%d.html", f->dir, lang);
        assert_ps_ok(ps_plot_report_write(path, set, charts, n, f->dir, (ps_plot_lang)lang,
                                          &err), &err);
        char *html = test_slurp(path, NULL);
        assert_non_null(html);
        assert_non_null(strstr(html, head[lang]));
        snprintf(want, sizeof want, "<td>2035</td><td>%.0f</td><td>%.0f-%.0f</td>", dem[2],
                 dem[1], dem[3]);
        assert_non_null(strstr(html, want));
        snprintf(want, sizeof want, "<td>%.0f %%</td><td>%.0f", 100.0 * p,
                 100.0 * (p >= 0.5 ? p : 1.0 - p));
        assert_non_null(strstr(html, want));
        free(html);
    }
    free(charts);
    ps_plot_free(set);
}

/* docs/output-format.md has one row per variable of the schema table, with its dimensions
 * and units (a table headed "| probabilistic variable | dimensions | units | meaning |"). */
static void test_prob_svc__docs_document_the_schema_rows(void **state)
{
    (void)state;
    char *text = test_slurp(DOC_PATH, NULL), want[256];
    assert_non_null(text);
    assert_non_null(strstr(text, "| probabilistic variable | dimensions | units | meaning |"));
    for (int v = 0; v < PROB_SVC_COUNT; ++v) {
        const prob_var_spec *s = &prob_svc_specs[v];
        snprintf(want, sizeof want, "| `%s` | %s | %s |", s->name, s->dims, s->units);
        if (strstr(text, want) == NULL) {
            fail_msg("docs/output-format.md lacks the row '%s'", want);
        }
    }
    free(text);
}

/* Trajectories out of range or twice, an early summary, no service: PS_EINVAL. */
static void test_prob_svc__misuse_is_refused(void **state)
{
    (void)state;
    svc_run r;
    ps_error err;
    ps_svc_prob *sp = NULL;
    run_scenario(&r, ZERO_SCN, 0, 1);
    const ps_scn_member *m = &r.scn.members[0];
    assert_int_equal(ps_svc_prob_new(&sp, m->services, 0, &r.scn.care_need, "x", 2025, 26,
                                     r.in.n_ages, 10, &err), PS_EINVAL);
    assert_null(sp);
    int lanes = 0;
    const double *pop = ps_prob_unit_population(r.p, ps_prob_n_units(r.p) - 1, &lanes);
    assert_non_null(pop);
    assert_int_equal(lanes, 200 - PS_PROB_UNIT_TRAJ);
    assert_null(ps_prob_unit_population(r.p, 0, &lanes)); /* not the last unit computed */
    assert_int_equal(lanes, 0);
    const int T = 200 - PS_PROB_UNIT_TRAJ;
    assert_ps_ok(ps_svc_prob_new(&sp, m->services, m->n_services, &r.scn.care_need,
                                 r.in.region_names[0], 2025, 26, r.in.n_ages, T, &err), &err);
    assert_int_equal(ps_svc_prob_finish(sp, &err), PS_EINVAL); /* nothing added */
    assert_non_null(strstr(err.msg, "0 of 72"));
    assert_int_equal(ps_svc_prob_add(sp, pop, 1, T, &err), PS_EINVAL); /* past the last */
    assert_non_null(strstr(err.msg, "0..71"));
    assert_ps_ok(ps_svc_prob_add(sp, pop, 0, T, &err), &err);
    assert_int_equal(ps_svc_prob_add(sp, pop, 0, T, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "added twice"));
    assert_ps_ok(ps_svc_prob_finish(sp, &err), &err);
    assert_int_equal(ps_svc_prob_add(sp, pop, 0, T, &err), PS_EINVAL); /* after the summary */
    ps_svc_prob_free(sp);
    sp = NULL;
    run_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prob_svc__zero_widths_give_the_deterministic_services),
        cmocka_unit_test(test_prob_svc__p_shortage_is_a_share_consistent_with_the_quantiles),
        cmocka_unit_test(test_prob_svc__threads_give_the_same_bytes),
        cmocka_unit_test_setup_teardown(test_prob_svc__file_reads_back_the_same_numbers, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_prob_svc__childcare_fan_and_report_hold_the_files_values, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_prob_svc__service_variable_of_wrong_shape_is_a_located_error, setup, teardown),
        cmocka_unit_test(test_prob_svc__docs_document_the_schema_rows),
        cmocka_unit_test(test_prob_svc__misuse_is_refused),
    };
    return cmocka_run_group_tests_name("prob_svc", tests, NULL, NULL);
}

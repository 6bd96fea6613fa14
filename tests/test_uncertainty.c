/*
 * test_uncertainty.c - `uncertainty:` in a scenario (issue #14, sec. 1; io/uncertainty.c,
 * popsim/uncertainty.h) on Example City's planner files (data/example/, no WPP): widths of 0
 * give every trajectory the deterministic run; with widths the median population stays at
 * the deterministic run within its sampling error; the yearly TFR of the trajectories
 * reproduces a file's bounds within sampling error; inline bounds are the file's; 1 and 2
 * threads give the same bytes;
 * bad input is refused at its key or cell; the example of docs/scenario-format.md loads.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

#include "popsim/builder.h"
#include "popsim/proj.h"
#include "popsim/uncertainty.h"

#define UNC(f) PS_TEST_DATA_DIR "/uncertainty/" f

typedef struct unc_run {
    ps_scenario scn;
    ps_inputs in;
    ps_prob_bounds b;
    ps_prob_options opt;
    ps_prob *p;
} unc_run;

/* Load, build the inputs and bounds, run every unit and finish. */
static void run_scenario(unc_run *r, const char *path, int threads, int keep)
{
    ps_error err;
    ps_build_options bo = { .wpp_dir = NULL, .project_root = PS_SOURCE_DIR, .cache_dir = NULL };
    memset(r, 0, sizeof *r);
    assert_ps_ok(ps_scn_load(&r->scn, path, &err), &err);
    assert_true(r->scn.uncertainty.enabled);
    assert_ps_ok(ps_build_inputs(&r->in, &r->scn, &bo, &err), &err);
    r->opt.n_threads = threads;
    r->opt.keep_trajectories = keep;
    assert_ps_ok(ps_scn_unc_bounds(&r->b, &r->opt, &r->scn, &r->in, &err), &err);
    assert_int_equal(r->opt.n_threads, threads);
    assert_ps_ok(ps_prob_new(&r->p, &r->in, &r->b, &r->opt, &err), &err);
    for (int u = 0; u < ps_prob_n_units(r->p); ++u) {
        assert_ps_ok(ps_prob_unit(r->p, u, &err), &err);
    }
    assert_ps_ok(ps_prob_finish(r->p, &err), &err);
}

static void run_release(unc_run *r)
{
    ps_prob_free(r->p);
    ps_prob_bounds_release(&r->b);
    ps_inputs_release(&r->in);
    ps_scn_release(&r->scn);
}

/* The deterministic projection of the same inputs. */
static void deterministic(ps_result *res, const ps_inputs *in)
{
    ps_error err;
    ps_proj *proj = NULL;
    assert_ps_ok(ps_proj_new(&proj, in, &err), &err);
    assert_ps_ok(ps_proj_run(res, proj, "det", NULL, &err), &err);
    ps_proj_free(proj);
}

static void test_uncertainty__section_is_read_with_defaults(void **state)
{
    (void)state;
    ps_scenario scn;
    ps_error err;
    assert_ps_ok(ps_scn_load(&scn, UNC("city_width.yaml"), &err), &err);
    const ps_scn_uncertainty *u = &scn.uncertainty;
    assert_int_equal(u->enabled, 1);
    assert_int_equal(u->trajectories, 1000);
    assert_int_equal((int)u->seed, 7);
    assert_int_equal(u->tfr.kind, PS_SCN_UNC_WIDTH);
    assert_close(u->tfr.width, 0.25, 0.0);
    assert_close(u->e0.width, 2.0, 0.0);
    assert_close(u->tfr.rho, PS_PROB_RHO_TFR, 0.0); /* the calibrated default */
    assert_close(u->e0.rho, PS_PROB_RHO_E0, 0.0);
    assert_close(u->migration.rho, 0.5, 0.0); /* given */
    ps_scn_release(&scn);
    assert_ps_ok(ps_scn_load(&scn, UNC("city_file.yaml"), &err), &err);
    assert_int_equal(scn.uncertainty.tfr.kind, PS_SCN_UNC_FILE);
    assert_non_null(strstr(scn.uncertainty.tfr.file.path, "uncertainty/tfr_bounds.csv"));
    assert_int_equal(scn.uncertainty.migration.kind, PS_SCN_UNC_NONE);
    ps_scn_release(&scn);
    /* a scenario without the section has none */
    assert_ps_ok(ps_scn_load(&scn, PS_SOURCE_DIR "/scenarios/example_city.yaml", &err), &err);
    assert_int_equal(scn.uncertainty.enabled, 0);
    ps_scn_release(&scn);
}

/* Widths of 0: every quantile and the mean are the deterministic run (1e-12). */
static void test_uncertainty__zero_widths_give_the_deterministic_run(void **state)
{
    (void)state;
    unc_run r;
    ps_result res;
    run_scenario(&r, UNC("city_zero.yaml"), 0, 0);
    deterministic(&res, &r.in);
    assert_int_equal(ps_prob_n_traj(r.p), 130);
    const double *tot = ps_prob_stats(r.p, PS_PROB_V_POP_TOTAL);
    const double *bir = ps_prob_stats(r.p, PS_PROB_V_BIRTHS);
    for (int y = 0; y < ps_prob_n_years(r.p); ++y) {
        for (int s = 0; s < PS_PROB_N_STATS; ++s) {
            assert_close(tot[y * PS_PROB_N_STATS + s], ps_result_total(&res, 2025 + y), 1e-12);
            if (y + 1 < ps_prob_n_years(r.p)) {
                assert_close(bir[y * PS_PROB_N_STATS + s], ps_result_births(&res, 2025 + y),
                             1e-12);
            }
        }
    }
    ps_result_release(&res);
    run_release(&r);
}

/*
 * With widths: the median trajectory of TFR is the scenario's own TFR and the median
 * population the deterministic run, each within 4 standard errors of a sample median
 * (1.2533 sd / sqrt(n) for a near-normal sample, sd that of the trajectories).
 */
static void test_uncertainty__median_is_the_deterministic_run_within_sampling_error(void **s)
{
    (void)s;
    unc_run r;
    ps_result res;
    run_scenario(&r, UNC("city_width.yaml"), 0, 1);
    deterministic(&res, &r.in);
    const int n = ps_prob_n_traj(r.p), years = ps_prob_n_years(r.p);
    const double *tot = ps_prob_stats(r.p, PS_PROB_V_POP_TOTAL);
    const double *all = ps_prob_trajectories(r.p, PS_PROB_V_POP_TOTAL);
    int checked = 0;
    for (int y = 1; y < years; ++y) {
        double m = 0.0, v = 0.0;
        for (int j = 0; j < n; ++j) {
            m += all[(size_t)y * (size_t)n + (size_t)j];
        }
        m /= n;
        for (int j = 0; j < n; ++j) {
            const double d = all[(size_t)y * (size_t)n + (size_t)j] - m;
            v += d * d;
        }
        const double se = 1.2533 * sqrt(v / (n - 1)) / sqrt((double)n);
        const double det = ps_result_total(&res, 2025 + y);
        assert_true(se > 0.0);
        assert_true(fabs(tot[y * PS_PROB_N_STATS + 2] - det) <= 4.0 * se);
        ++checked;
    }
    assert_int_equal(checked, years - 1);
    /* the width: 0 in 2025, hi80 = TFR + 0.25 in 2050, and in 2035 the share
     * sqrt((1 - rho^20) / (1 - rho^50)) of the end year's (log-scale) width */
    const double med = r.b.tfr[PS_PROB_KNOT_MEDIAN], rho = PS_PROB_RHO_TFR;
    const double w_end = log(1.0 + 0.25 / med);
    assert_close(r.b.tfr[25 * PS_PROB_N_KNOTS + 3], med + 0.25, 1e-12);
    assert_close(r.b.tfr[10 * PS_PROB_N_KNOTS + 3],
                 med * exp(w_end * sqrt((1.0 - pow(rho, 20.0)) / (1.0 - pow(rho, 50.0)))),
                 1e-12);
    assert_close(r.b.tfr[4], med, 1e-15);
    /* e0: +-2 years at the end, the 95 % bound 1.96 / 1.2816 of it */
    const double *e0_end = &r.b.e0[(25 * PS_SEX_COUNT + 1) * PS_PROB_N_KNOTS];
    assert_close(e0_end[3] - e0_end[2], 2.0, 1e-9);
    assert_close(e0_end[4] - e0_end[2], 2.0 * 1.959964 / 1.281552, 1e-4);
    /* the spread grows with the horizon */
    const double *last = tot + (size_t)(years - 1) * PS_PROB_N_STATS;
    const double *early = tot + (size_t)1 * PS_PROB_N_STATS;
    assert_true(last[4] - last[0] > 4.0 * (early[4] - early[0]));
    ps_result_release(&res);
    run_release(&r);
}

/* Fraction of the trajectories of a row at or below x. */
static double frac_below(const double *row, int n, double x)
{
    int k = 0;
    for (int j = 0; j < n; ++j) {
        k += row[j] <= x;
    }
    return (double)k / n;
}

/*
 * The TFR of calendar years 2030, 2040 and 2050 (the file's rows): the share of the 2000
 * trajectories at or below each given bound is its probability (0.025, 0.1, 0.9, 0.975)
 * within 4 binomial standard errors, sqrt(p (1 - p) / n); the median is the scenario's TFR
 * by the same rule; the bounds between the rows are interpolated, before the first row they
 * grow from 0 at the start.
 */
static void test_uncertainty__tfr_quantiles_reproduce_the_file_bounds(void **state)
{
    (void)state;
    static const double given[3][4] = { { 0.70, 0.76, 1.04, 1.12 },
                                        { 0.60, 0.68, 1.15, 1.30 },
                                        { 0.55, 0.63, 1.25, 1.45 } };
    static const int rows[3] = { 2030, 2040, 2050 };
    static const double p[4] = { 0.025, 0.1, 0.9, 0.975 };
    unc_run r;
    run_scenario(&r, UNC("city_file.yaml"), 0, 1);
    const int n = ps_prob_n_traj(r.p);
    const double *tfr = ps_prob_trajectories(r.p, PS_PROB_V_TFR);
    const double med = r.b.tfr[PS_PROB_KNOT_MEDIAN];
    assert_close(med, 0.8975, 1e-12); /* 5 x the sum of the 5-year ASFR */
    for (int i = 0; i < 3; ++i) {
        const int y = rows[i] - 2025;
        const double *row = tfr + (size_t)y * (size_t)n;
        for (int k = 0; k < 4; ++k) {
            const int knot = k < 2 ? k : k + 1;
            assert_close(r.b.tfr[y * PS_PROB_N_KNOTS + knot], given[i][k], 1e-12);
            const double se = sqrt(p[k] * (1.0 - p[k]) / n);
            assert_true(fabs(frac_below(row, n, given[i][k]) - p[k]) <= 4.0 * se);
        }
        assert_true(fabs(frac_below(row, n, med) - 0.5) <= 4.0 * sqrt(0.25 / n));
    }
    /* 2035 lies between the rows (log ratios interpolated); 2025 has no spread */
    const double *k2035 = &r.b.tfr[10 * PS_PROB_N_KNOTS];
    assert_close(k2035[3], med * exp(0.5 * (log(1.04 / med) + log(1.15 / med))), 1e-12);
    assert_close(r.b.tfr[0], med, 1e-12);
    assert_close(r.b.tfr[4], med, 1e-12);
    run_release(&r);
}

/* Bounds written inline are those of the same rows in files, bit for bit, and so are the
 * trajectories' quantiles. */
static void test_uncertainty__inline_bounds_are_the_file_bounds(void **state)
{
    (void)state;
    unc_run a, b;
    run_scenario(&a, UNC("city_file.yaml"), 0, 0);
    run_scenario(&b, UNC("city_inline.yaml"), 0, 0);
    assert_int_equal(b.scn.uncertainty.tfr.kind, PS_SCN_UNC_INLINE);
    assert_int_equal(b.scn.uncertainty.tfr.n_bounds, 3);
    assert_int_equal(b.scn.uncertainty.e0.n_bounds, 2);
    const size_t n = (size_t)a.b.n_years * PS_PROB_N_KNOTS;
    assert_memory_equal(a.b.tfr, b.b.tfr, n * sizeof(double));
    assert_memory_equal(a.b.e0, b.b.e0, n * PS_SEX_COUNT * sizeof(double));
    assert_memory_equal(ps_prob_stats(a.p, PS_PROB_V_POP_TOTAL),
                        ps_prob_stats(b.p, PS_PROB_V_POP_TOTAL),
                        (size_t)ps_prob_n_years(a.p) * PS_PROB_N_STATS * sizeof(double));
    run_release(&a);
    run_release(&b);
}

static void test_uncertainty__threads_give_the_same_bytes(void **state)
{
    (void)state;
    unc_run a, b;
    run_scenario(&a, UNC("city_width.yaml"), 1, 0);
    run_scenario(&b, UNC("city_width.yaml"), 2, 0);
    for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
        const size_t cells = (size_t)ps_prob_n_years(a.p) *
                             (size_t)ps_prob_var_cells((ps_prob_var)v) * PS_PROB_N_STATS;
        assert_memory_equal(ps_prob_stats(a.p, (ps_prob_var)v),
                            ps_prob_stats(b.p, (ps_prob_var)v), cells * sizeof(double));
    }
    run_release(&a);
    run_release(&b);
}

typedef struct bad_case {
    const char *file;
    ps_status status;
    const char *file_tail; /* err.path ends with it */
    long line;
    int column;
    const char *message; /* a piece of it */
} bad_case;

static void check_error(const bad_case *c, ps_status rc, const ps_error *err)
{
    const size_t n = strlen(err->path), t = strlen(c->file_tail);
    if (rc != c->status || err->line != c->line || err->column != c->column ||
        strstr(err->msg, c->message) == NULL) {
        print_error("%s: status %d at %s:%ld:%d: %s\n", c->file, (int)rc, err->path, err->line,
                    err->column, err->msg);
    }
    assert_int_equal(rc, c->status);
    assert_true(n >= t && strcmp(err->path + n - t, c->file_tail) == 0);
    assert_int_equal(err->line, c->line);
    assert_int_equal(err->column, c->column);
    assert_non_null(strstr(err->msg, c->message));
}

/* Refused by the loader, at the key. */
static void test_uncertainty__bad_sections_fail_at_the_key(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        { "unknown_key.yaml", PS_EPARSE, "unknown_key.yaml", 17, 5, "unknown key 'widht'" },
        { "micro.yaml", PS_EINVAL, "micro.yaml", 18, 1, "engine: micro" },
        { "policies_no_variant.yaml", PS_EINVAL, "policies_no_variant.yaml", 17, 1,
          "policies but no variant" },
        { "width_and_file.yaml", PS_EINVAL, "width_and_file.yaml", 18, 5,
          "give one of width, file and bounds" },
        { "inline_short_row.yaml", PS_EPARSE, "inline_short_row.yaml", 17, 14,
          "uncertainty.tfr.bounds[0]: expected a row of 5 values [year, lo95, lo80, hi80, hi95]" },
        { "trajectories_zero.yaml", PS_EINVAL, "trajectories_zero.yaml", 16, 17,
          "whole number in [1, 1000000]" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char path[512];
        ps_scenario scn;
        ps_error err;
        snprintf(path, sizeof path, "%s", UNC("bad/"));
        strncat(path, cases[i].file, sizeof path - strlen(path) - 1);
        ps_error_clear(&err);
        const ps_status rc = ps_scn_load(&scn, path, &err);
        check_error(&cases[i], rc, &err);
    }
}

/* Refused when the bounds are built: at the file's cell. */
static void test_uncertainty__bad_bounds_fail_at_the_cell(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        { "unordered.yaml", PS_EINVAL, "unordered.csv", 3, 21,
          "hi95 = 1.3 in 2040: expected lo95 <= lo80 <= median <= hi80 <= hi95" },
        { "lo_above_median.yaml", PS_EINVAL, "lo_above_median.csv", 2, 11,
          "lo80 = 0.95 in 2030: expected lo95 <= lo80 <= median" },
        { "inline_lo_above_median.yaml", PS_EINVAL, "inline_lo_above_median.yaml", 18, 22,
          "lo80 = 0.95 in 2030: expected lo95 <= lo80 <= median" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char path[512];
        ps_scenario scn;
        ps_inputs in;
        ps_prob_bounds b;
        ps_prob_options opt = PS_PROB_OPTIONS_INIT;
        ps_error err;
        ps_build_options bo = { .wpp_dir = NULL, .project_root = PS_SOURCE_DIR,
                                .cache_dir = NULL };
        snprintf(path, sizeof path, "%s", UNC("bad/"));
        strncat(path, cases[i].file, sizeof path - strlen(path) - 1);
        assert_ps_ok(ps_scn_load(&scn, path, &err), &err);
        assert_ps_ok(ps_build_inputs(&in, &scn, &bo, &err), &err);
        ps_error_clear(&err);
        const ps_status rc = ps_scn_unc_bounds(&b, &opt, &scn, &in, &err);
        check_error(&cases[i], rc, &err);
        assert_null(b.tfr); /* nothing left behind */
        ps_inputs_release(&in);
        ps_scn_release(&scn);
    }
}

/*
 * The example of docs/scenario-format.md, "uncertainty": the YAML block after the
 * `<!-- uncertainty example -->` marker, written beside data/example and loaded.
 */
static void test_uncertainty__docs_example_loads(void **state)
{
    (void)state;
    FILE *f = fopen(PS_SOURCE_DIR "/docs/scenario-format.md", "rb");
    assert_non_null(f);
    static char text[1 << 20];
    const size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    const char *mark = strstr(text, "<!-- uncertainty example -->");
    assert_non_null(mark);
    const char *start = strstr(mark, "```yaml\n");
    assert_non_null(start);
    start += 8;
    const char *end = strstr(start, "```");
    assert_non_null(end);
    /* dir/scenarios/example.yaml with dir/data -> the project's data/ */
    char dir[64], sub[128], link[128], path[160];
    assert_int_equal(test_make_dir(dir, sizeof dir, "uncertainty"), 0);
    snprintf(sub, sizeof sub, "%s/scenarios", dir);
    snprintf(link, sizeof link, "%s/data", dir);
    snprintf(path, sizeof path, "%s/example.yaml", sub);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(symlink(PS_SOURCE_DIR "/data", link), 0);
    FILE *out = fopen(path, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(start, 1, (size_t)(end - start), out), (size_t)(end - start));
    fclose(out);
    ps_scenario scn;
    ps_error err;
    const ps_status rc = ps_scn_load(&scn, path, &err);
    assert_int_equal(test_remove_dir(dir), 0);
    assert_ps_ok(rc, &err);
    assert_int_equal(scn.uncertainty.enabled, 1);
    assert_int_equal(scn.uncertainty.tfr.kind, PS_SCN_UNC_WIDTH);
    ps_scn_release(&scn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uncertainty__section_is_read_with_defaults),
        cmocka_unit_test(test_uncertainty__zero_widths_give_the_deterministic_run),
        cmocka_unit_test(test_uncertainty__median_is_the_deterministic_run_within_sampling_error),
        cmocka_unit_test(test_uncertainty__tfr_quantiles_reproduce_the_file_bounds),
        cmocka_unit_test(test_uncertainty__inline_bounds_are_the_file_bounds),
        cmocka_unit_test(test_uncertainty__threads_give_the_same_bytes),
        cmocka_unit_test(test_uncertainty__bad_sections_fail_at_the_key),
        cmocka_unit_test(test_uncertainty__bad_bounds_fail_at_the_cell),
        cmocka_unit_test(test_uncertainty__docs_example_loads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_prob_share65.c - the 65+ share under uncertainty (issue #14, sec. 2; popsim/prob.h,
 * PS_PROB_V_SHARE_65): with zero-width bounds every trajectory's share and every quantile is
 * the deterministic projection's persons aged 65+ over its total (to 1e-12); with widths each
 * trajectory's share agrees with its own dependency ratios (65+ / all = old / (1 + total
 * dependency)), so the quantiles are those of each trajectory's share, not a ratio of
 * quantiles; the share survives the MPI hand-over of a unit (ps_prob_unit_get / _put).
 * Synthetic inputs (no WPP data).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/prob.h"
#include "popsim/proj.h"
#include "test_util.h"

#define N_AGES 101
#define START 2025
#define YEARS 30
#define OLD_AGE 65

static void build_inputs(ps_inputs *in)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, START, START + YEARS, 1, N_AGES, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            in->base.count[ps_pop_idx(&in->base, 0, sex, age)] =
                1.0e5 * exp(-0.01 * age) * (1.0 + 0.03 * sex);
        }
    }
    for (int step = 0; step < YEARS; ++step) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                const size_t i = ps_inputs_idx(in, step, 0, sex, age);
                in->mx[i] = 0.0002 * exp(0.085 * age) + (age == 0 ? 0.004 : 0.0);
                in->mig[i] = age >= 20 && age < 35 ? 30.0 : 0.0;
            }
        }
        ps_sched_hadwiger(&in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)], N_AGES, 1.2, 30.0);
    }
}

/* Bounds 2024..2060; w = 0 makes every knot the median. */
static void build_bounds(ps_prob_bounds *b, double w)
{
    ps_error err;
    static const double z[PS_PROB_N_KNOTS] = { -1.96, -1.28, 0.0, 1.28, 1.96 };
    const int n = 37;
    assert_ps_ok(ps_prob_bounds_init(b, 2024, n, &err), &err);
    for (int y = 0; y < n; ++y) {
        for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
            b->tfr[y * PS_PROB_N_KNOTS + k] = 1.2 * exp(w * (1.0 + 0.05 * y) * z[k]);
            b->mig[y * PS_PROB_N_KNOTS + k] = 1000.0 + w * 20000.0 * z[k];
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                b->e0[(y * PS_SEX_COUNT + sex) * PS_PROB_N_KNOTS + k] =
                    77.0 + 4.0 * sex + 0.1 * y + w * 8.0 * z[k];
            }
        }
        b->tfr_low[y] = 0.7;
        b->tfr_high[y] = 1.7;
    }
}

static ps_prob *run(const ps_inputs *in, const ps_prob_bounds *b, int n_traj)
{
    ps_error err;
    ps_prob *p = NULL;
    ps_prob_options o = PS_PROB_OPTIONS_INIT;
    o.n_traj = n_traj;
    o.n_threads = 1;
    o.seed = 65u;
    o.keep_trajectories = 1;
    assert_ps_ok(ps_prob_new(&p, in, b, &o, &err), &err);
    for (int u = 0; u < ps_prob_n_units(p); ++u) {
        assert_ps_ok(ps_prob_unit(p, u, &err), &err);
    }
    assert_ps_ok(ps_prob_finish(p, &err), &err);
    return p;
}

static void test_prob_share65__zero_widths_give_the_deterministic_share(void **state)
{
    (void)state;
    enum { T = 7 };
    ps_inputs in;
    ps_prob_bounds b;
    ps_error err;
    ps_proj *proj = NULL;
    ps_result res;
    build_inputs(&in);
    build_bounds(&b, 0.0);
    ps_prob *p = run(&in, &b, T);
    assert_ps_ok(ps_proj_new(&proj, &in, &err), &err);
    assert_ps_ok(ps_proj_run(&res, proj, "det", NULL, &err), &err);
    assert_int_equal(ps_prob_var_cells(PS_PROB_V_SHARE_65), 1);
    const double *tr = ps_prob_trajectories(p, PS_PROB_V_SHARE_65);
    const double *st = ps_prob_stats(p, PS_PROB_V_SHARE_65);
    assert_non_null(tr);
    assert_non_null(st);
    for (int y = 0; y <= YEARS; ++y) {
        const double det = ps_result_age_range(&res, START + y, OLD_AGE, N_AGES - 1) /
                           ps_result_total(&res, START + y);
        assert_true(det > 0.05 && det < 0.6);
        for (int j = 0; j < T; ++j) {
            assert_close(tr[(size_t)y * T + (size_t)j], det, 1e-12);
        }
        for (int s = 0; s < PS_PROB_N_STATS; ++s) {
            assert_close(st[(size_t)y * PS_PROB_N_STATS + (size_t)s], det, 1e-12);
        }
    }
    ps_result_release(&res);
    ps_proj_free(proj);
    ps_prob_free(p);
    ps_prob_bounds_release(&b);
    ps_inputs_release(&in);
}

static void test_prob_share65__each_trajectory_agrees_with_its_dependency_ratios(void **state)
{
    (void)state;
    enum { T = 150 };
    ps_inputs in;
    ps_prob_bounds b;
    build_inputs(&in);
    build_bounds(&b, 0.05);
    ps_prob *p = run(&in, &b, T);
    const double *sh = ps_prob_trajectories(p, PS_PROB_V_SHARE_65);
    const double *old = ps_prob_trajectories(p, PS_PROB_V_DEP_OLD);
    const double *tot = ps_prob_trajectories(p, PS_PROB_V_DEP_TOTAL);
    const double *st = ps_prob_stats(p, PS_PROB_V_SHARE_65);
    double *buf = malloc(T * sizeof *buf);
    assert_non_null(buf);
    for (int y = 0; y <= YEARS; ++y) {
        const size_t row = (size_t)y * T;
        double lo = HUGE_VAL, hi = -HUGE_VAL;
        for (int j = 0; j < T; ++j) {
            const double x = sh[row + (size_t)j];
            assert_close(x, old[row + (size_t)j] / (1.0 + tot[row + (size_t)j]), 1e-12);
            lo = fmin(lo, x);
            hi = fmax(hi, x);
            buf[j] = x;
        }
        if (y == YEARS) {
            assert_true(hi - lo > 1e-3); /* the widths spread the shares */
        }
        for (int q = 0; q < PS_PROB_N_QUANTILES; ++q) {
            memcpy(buf, sh + row, T * sizeof *buf);
            assert_true(st[(size_t)y * PS_PROB_N_STATS + (size_t)q] ==
                        ps_prob_sample_quantile(buf, T, ps_prob_level(q)));
        }
    }
    free(buf);
    ps_prob_free(p);
    ps_prob_bounds_release(&b);
    ps_inputs_release(&in);
}

/* A unit computed on another object (another rank) and put in gives the same share. */
static void test_prob_share65__unit_hand_over_keeps_the_share(void **state)
{
    (void)state;
    enum { T = 200 };
    ps_inputs in;
    ps_prob_bounds b;
    ps_error err;
    build_inputs(&in);
    build_bounds(&b, 0.05);
    ps_prob *whole = run(&in, &b, T);
    ps_prob *a = NULL, *c = NULL;
    ps_prob_options o = PS_PROB_OPTIONS_INIT;
    o.n_traj = T;
    o.n_threads = 1;
    o.seed = 65u;
    assert_ps_ok(ps_prob_new(&a, &in, &b, &o, &err), &err);
    assert_ps_ok(ps_prob_new(&c, &in, &b, &o, &err), &err);
    assert_true(ps_prob_n_units(a) == 2);
    assert_ps_ok(ps_prob_unit(a, 0, &err), &err);
    assert_ps_ok(ps_prob_unit(c, 1, &err), &err);
    double *buf = malloc(ps_prob_unit_doubles(c, 1) * sizeof *buf);
    assert_non_null(buf);
    assert_ps_ok(ps_prob_unit_get(c, 1, buf, &err), &err);
    assert_ps_ok(ps_prob_unit_put(a, 1, buf, &err), &err);
    assert_ps_ok(ps_prob_finish(a, &err), &err);
    const size_t n = (size_t)(YEARS + 1) * PS_PROB_N_STATS;
    assert_memory_equal(ps_prob_stats(a, PS_PROB_V_SHARE_65),
                        ps_prob_stats(whole, PS_PROB_V_SHARE_65), n * sizeof(double));
    free(buf);
    ps_prob_free(a);
    ps_prob_free(c);
    ps_prob_free(whole);
    ps_prob_bounds_release(&b);
    ps_inputs_release(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prob_share65__zero_widths_give_the_deterministic_share),
        cmocka_unit_test(test_prob_share65__each_trajectory_agrees_with_its_dependency_ratios),
        cmocka_unit_test(test_prob_share65__unit_hand_over_keeps_the_share),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

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

#include "popsim/proj.h"
#include "prob_fixture.h"

#define YEARS 30
#define OLD_AGE 65

#define SHAPE PROB_SHAPE_30Y

/* Bounds 2024..2060 of widths w = 0.05 (setup_zero: w = 0 makes every knot the median). */
#define WIDE PROB_WIDE_30Y

static int setup_wide(void **state)
{
    return prob_fixture_setup(state, &SHAPE, &WIDE);
}

static int setup_zero(void **state)
{
    prob_bounds_shape zero = WIDE;
    zero.w0 = 0.0;
    return prob_fixture_setup(state, &SHAPE, &zero);
}

static ps_prob *run(const prob_fixture *fx, int n_traj)
{
    const ps_prob_options o = prob_fixture_options(n_traj, 1, 65u);
    return prob_fixture_run(&fx->in, &fx->b, &o, 0);
}

static void test_prob_share65__zero_widths_give_the_deterministic_share(void **state)
{
    prob_fixture *fx = *state;
    enum { T = 7 };
    ps_error err;
    ps_proj *proj = NULL;
    ps_result res;
    ps_prob *p = run(fx, T);
    assert_ps_ok(ps_proj_new(&proj, &fx->in, &err), &err);
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
}

static void test_prob_share65__each_trajectory_agrees_with_its_dependency_ratios(void **state)
{
    prob_fixture *fx = *state;
    enum { T = 150 };
    ps_prob *p = run(fx, T);
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
}

/* A unit computed on another object (another rank) and put in gives the same share. */
static void test_prob_share65__unit_hand_over_keeps_the_share(void **state)
{
    prob_fixture *fx = *state;
    enum { T = 200 };
    ps_error err;
    ps_prob *whole = run(fx, T);
    ps_prob *a = NULL, *c = NULL;
    ps_prob_options o = prob_fixture_options(T, 1, 65u);
    o.keep_trajectories = 0;
    assert_ps_ok(ps_prob_new(&a, &fx->in, &fx->b, &o, &err), &err);
    assert_ps_ok(ps_prob_new(&c, &fx->in, &fx->b, &o, &err), &err);
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_prob_share65__zero_widths_give_the_deterministic_share,
                                        setup_zero, prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(
            test_prob_share65__each_trajectory_agrees_with_its_dependency_ratios, setup_wide,
            prob_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_prob_share65__unit_hand_over_keeps_the_share,
                                        setup_wide, prob_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_prob_family.c - policy families under uncertainty (issue #14, sec. 2;
 * popsim/prob_family.h, popsim/prob_policy.h) on Example City's planner files: with widths
 * of 0 and the elasticity fixed every trajectory is the deterministic family; a zero-amount
 * variant gains exactly 0 births in every trajectory (common random numbers); 1 and 2
 * threads give the same bytes; the drawn elasticity's 10 / 90 % points are the low / high
 * presets within binomial error; the summary statistics handle trajectories with no gain.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prob_family_fixture.h"

#include "popsim/run.h"

#define UNC(f) PS_TEST_DATA_DIR "/uncertainty/" f

static void run_case(fam_case *c, const char *path, int threads, int keep)
{
    fam_case_load(c, path);
    ps_prob_family_options fo = fam_case_options(c, threads);
    fo.keep_trajectories = keep;
    fam_case_run(c, &fo);
}

/* The deterministic family of the same scenario and inputs through the run layer. */
static ps_run *deterministic(const fam_case *c)
{
    ps_error err;
    ps_run *run = NULL;
    ps_run_options ro = PS_RUN_OPTIONS_INIT;
    assert_ps_ok(ps_run_new(&run, &c->scn, &c->in, &ro, &err), &err);
    for (int k = 0; k < ps_run_n_units(run); ++k) {
        int m = 0, r = 0;
        ps_run_unit_at(run, k, &m, &r);
        assert_ps_ok(ps_run_unit(run, m, r, &err), &err);
    }
    assert_ps_ok(ps_run_finish(run, &err), &err);
    return run;
}

static void test_prob_family__zero_widths_give_the_deterministic_family(void **state)
{
    (void)state;
    fam_case c;
    run_case(&c, UNC("policy_zero.yaml"), 2, 1);
    ps_run *run = deterministic(&c);
    int n = 0;
    const ps_result *res = ps_run_results(run, &n);
    const ps_prob_pol_summary *s = &c.s;
    const size_t V = (size_t)s->n_variants, T = (size_t)s->n_traj;
    assert_int_equal(n, s->n_variants + 1);
    assert_int_equal(T, 20);
    for (size_t v = 0; v < V; ++v) {
        const ps_result *r = &res[v + 1];
        assert_string_equal(s->names[v], r->name);
        for (size_t t = 0; t < T; ++t) {
            for (int y = 0; y + 1 < s->n_years; ++y) {
                assert_close(s->gained_traj[((size_t)y * V + v) * T + t],
                             r->births_gained[ps_result_regcell(r, y, 0)], 1e-10);
            }
            const double *g = s->scalar_traj[PS_PROB_POL_GAINED_TOTAL];
            const double *cost = s->scalar_traj[PS_PROB_POL_COST];
            assert_close(g[v * T + t], r->births_gained_total, 1e-10);
            assert_close(s->scalar_traj[PS_PROB_POL_GAINED_DISCOUNTED][v * T + t],
                         r->births_gained_discounted, 1e-10);
            assert_close(cost[v * T + t], r->cost_total, 1e-10);
            assert_close(s->scalar_traj[PS_PROB_POL_COST_DISCOUNTED][v * T + t],
                         r->cost_total_discounted, 1e-10);
            if (r->births_gained_total > 0.0) {
                assert_close(s->scalar_traj[PS_PROB_POL_CPB][v * T + t],
                             r->cost_per_additional_birth, 1e-10);
                assert_close(s->scalar_traj[PS_PROB_POL_CPB_DISCOUNTED][v * T + t],
                             r->cost_per_additional_birth_discounted, 1e-10);
            } else {
                assert_true(isinf(s->scalar_traj[PS_PROB_POL_CPB][v * T + t]));
            }
        }
        /* every trajectory alike: each quantile is the deterministic value */
        for (int q = 0; q < PS_PROB_N_QUANTILES; ++q) {
            assert_close(s->scalar[PS_PROB_POL_GAINED_TOTAL][v * PS_PROB_N_STATS + (size_t)q],
                         r->births_gained_total, 1e-10);
        }
    }
    /* the real variants gain births at a cost; the zero-amount one neither */
    assert_true(res[2].births_gained_total > 100.0 && res[2].cost_total > 1e6);
    assert_true(res[3].births_gained_total > 100.0 && res[3].cost_total > 1e6);
    assert_true(res[1].cost_total == 0.0);
    ps_run_free(run);
    fam_case_release(&c);
}

static void test_prob_family__zero_amount_variant_gains_exactly_nothing(void **state)
{
    (void)state;
    fam_case c;
    run_case(&c, UNC("policy_crn.yaml"), 2, 1);
    const ps_prob_pol_summary *s = &c.s;
    const size_t V = (size_t)s->n_variants, T = (size_t)s->n_traj;
    assert_string_equal(s->names[0], "zero_subsidy");
    for (size_t t = 0; t < T; ++t) {
        for (int y = 0; y + 1 < s->n_years; ++y) {
            assert_true(s->gained_traj[((size_t)y * V) * T + t] == 0.0);
        }
        assert_true(s->scalar_traj[PS_PROB_POL_GAINED_TOTAL][t] == 0.0);
        assert_true(isinf(s->scalar_traj[PS_PROB_POL_CPB][t]));
    }
    assert_true(s->no_gain[0] == 1.0);
    /* the real variants vary from trajectory to trajectory and gain in most of them */
    const double *g = s->scalar[PS_PROB_POL_GAINED_TOTAL] + 1 * PS_PROB_N_STATS;
    assert_true(g[0] < g[2] && g[2] < g[4] && g[2] > 0.0);
    assert_true(s->no_gain[1] < 0.1);
    const double *cpb = s->scalar[PS_PROB_POL_CPB] + 1 * PS_PROB_N_STATS;
    assert_true(cpb[1] < cpb[2] && cpb[2] < cpb[3] && isfinite(cpb[3]));
    fam_case_release(&c);
}

static void test_prob_family__one_and_two_threads_give_the_same_bytes(void **state)
{
    (void)state;
    fam_case a, b;
    run_case(&a, UNC("policy_threads.yaml"), 1, 0);
    run_case(&b, UNC("policy_threads.yaml"), 2, 0);
    const size_t V = (size_t)a.s.n_variants;
    assert_memory_equal(a.s.gained, b.s.gained,
                        (size_t)a.s.n_years * V * PS_PROB_N_STATS * sizeof *a.s.gained);
    for (int k = 0; k < PS_PROB_POL_VAR_COUNT; ++k) {
        assert_memory_equal(a.s.scalar[k], b.s.scalar[k],
                            V * PS_PROB_N_STATS * sizeof *a.s.scalar[k]);
    }
    assert_null(a.s.gained_traj);
    assert_true(a.s.scalar[PS_PROB_POL_GAINED_TOTAL][1 * PS_PROB_N_STATS + 2] > 0.0);
    fam_case_release(&a);
    fam_case_release(&b);
}

/* The draw's empirical 10 and 90 % points: the share of draws at or below the low preset
 * (above the high one) is 0.1 within 4 binomial standard errors. */
static void test_prob_family__elasticity_draw_has_low_and_high_as_10_and_90_percent(void **s)
{
    (void)s;
    enum { N = 20000 };
    ps_response lo, mid, hi, r;
    ps_response_preset(&lo, PS_ELASTICITY_LOW);
    ps_response_preset(&mid, PS_ELASTICITY_DEFAULT);
    ps_response_preset(&hi, PS_ELASTICITY_HIGH);
    int below = 0, above = 0, below_mid = 0, q_below = 0;
    for (int t = 0; t < N; ++t) {
        ps_prob_response_draw(&r, ps_prob_elasticity_score(7, t));
        below += r.cash_elasticity <= lo.cash_elasticity;
        above += r.cash_elasticity >= hi.cash_elasticity;
        below_mid += r.cash_elasticity <= mid.cash_elasticity;
        q_below += r.quantum_share <= lo.quantum_share;
        assert_true(r.quantum_share >= 0.0 && r.quantum_share <= 1.0);
        assert_true(r.childcare_per_10pp >= 0.0);
        assert_true(r.lag_months == mid.lag_months); /* not ranged */
    }
    const double se10 = sqrt(0.1 * 0.9 / N), se50 = sqrt(0.25 / N);
    assert_true(fabs((double)below / N - 0.1) < 4.0 * se10);
    assert_true(fabs((double)above / N - 0.1) < 4.0 * se10);
    assert_true(fabs((double)q_below / N - 0.1) < 4.0 * se10);
    assert_true(fabs((double)below_mid / N - 0.5) < 4.0 * se50);
    /* its own stream: not the TFR innovation of the same trajectory */
    assert_true(ps_prob_elasticity_score(7, 3) != ps_prob_normal(7, 3, PS_PROB_TFR, 0));
    ps_prob_response_draw(&r, 0.0);
    assert_true(memcmp(&r, &mid, sizeof r) == 0);
}

static void test_prob_family__stats_rank_no_gain_last(void **state)
{
    (void)state;
    const double x[5] = { 1234.5, HUGE_VAL, 10.25, 99.0, HUGE_VAL };
    double buf[5], st[PS_PROB_N_STATS];
    ps_prob_pol_stats(st, buf, x, 5);
    /* sorted 10.25, 99, 1234.5, inf, inf: type 7 at h = 4 p */
    assert_close(st[0], 10.25 + 0.1 * (99.0 - 10.25), 1e-12);
    assert_close(st[1], 10.25 + 0.4 * (99.0 - 10.25), 1e-12);
    assert_close(st[2], 1234.5, 1e-12);
    assert_true(isinf(st[3]) && isinf(st[4]));
    assert_close(st[PS_PROB_N_QUANTILES], (1234.5 + 10.25 + 99.0) / 3.0, 1e-12);
    const double y[2] = { 1.0, NAN };
    ps_prob_pol_stats(st, buf, y, 2);
    assert_true(isnan(st[2]) && isnan(st[PS_PROB_N_QUANTILES]));
}

static void test_prob_family__zero_scores_copy_the_inputs(void **state)
{
    (void)state;
    fam_case c;
    ps_error err;
    ps_inputs t;
    fam_case_load(&c, UNC("policy_zero.yaml"));
    assert_ps_ok(ps_prob_traj_inputs(&t, &c.in, &c.b, c.opt.rho, 5, 3, &err), &err);
    const size_t cells = (size_t)ps_inputs_steps(&c.in) * PS_SEX_COUNT * (size_t)c.in.n_ages;
    assert_memory_equal(t.mx, c.in.mx, cells * sizeof *t.mx);
    assert_memory_equal(t.mig, c.in.mig, cells * sizeof *t.mig);
    assert_memory_equal(t.base.count, c.in.base.count, ps_pop_size(&c.in.base) * sizeof(double));
    ps_inputs_release(&t);
    fam_case_release(&c);
}

/* Refused by the loader, at the key. */
static void test_prob_family__bad_sections_fail_at_the_key(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        ps_status status;
        long line;
        int column;
        const char *message;
    } cases[] = {
        { "elasticity_word.yaml", PS_EPARSE, 20, 15, "expected drawn or fixed (got sometimes)" },
        { "elasticity_no_variant.yaml", PS_EINVAL, 17, 3, "only for policy variants" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char path[512];
        ps_scenario scn;
        ps_error err;
        snprintf(path, sizeof path, "%s%s", UNC("bad/"), cases[i].file);
        ps_error_clear(&err);
        assert_int_equal(ps_scn_load(&scn, path, &err), cases[i].status);
        assert_non_null(strstr(err.path, cases[i].file));
        assert_int_equal(err.line, cases[i].line);
        assert_int_equal(err.column, cases[i].column);
        assert_non_null(strstr(err.msg, cases[i].message));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prob_family__zero_widths_give_the_deterministic_family),
        cmocka_unit_test(test_prob_family__zero_amount_variant_gains_exactly_nothing),
        cmocka_unit_test(test_prob_family__one_and_two_threads_give_the_same_bytes),
        cmocka_unit_test(test_prob_family__elasticity_draw_has_low_and_high_as_10_and_90_percent),
        cmocka_unit_test(test_prob_family__stats_rank_no_gain_last),
        cmocka_unit_test(test_prob_family__zero_scores_copy_the_inputs),
        cmocka_unit_test(test_prob_family__bad_sections_fail_at_the_key),
    };
    return cmocka_run_group_tests_name("prob_family", tests, NULL, NULL);
}

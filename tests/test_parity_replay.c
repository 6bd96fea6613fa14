/*
 * test_parity_replay.c - the history replay inside the fit of the base parity (issue #18
 * item 1, docs/model.md sec. 2.6 "Cost of the fit"). The fit's inner iterations replay only
 * the cohorts that the base step's births read and complete the older ones once, with the
 * levels that fitted; the history's statistics skip the cohorts whose births all lie before
 * the years they count. Here the base step has births at 15-44 only while the history has
 * them at 12-54, so the cohorts aged 45 and over on 1 July 2025 are completed, not iterated.
 * After a joint fit, every cohort's women by parity must be what a replay written out in this
 * test gives with the fitted levels (ps_proj_order_weights, ps_proj_parity_fit), the base
 * step's births by order must have the scenario's shares, and the fit must reach its
 * targets; the same with a base step that has births up to the open age group (every cohort
 * read by the iterations); and both without a history, where one pass along the oldest cohort
 * replays every cohort.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/proj.h"
#include "popsim/units.h"
#include "test_util.h"

#define N_AGES 101
#define START 2025

#include "proj_fixture.h"

/* ASFR of TFR 1.8 and mean age 29 (plus 1e-6) at ages lo..hi, zero elsewhere. */
static void schedule(double *asfr, int lo, int hi)
{
    ps_sched_hadwiger(asfr, N_AGES, 1.8, 29.0);
    for (int age = 0; age < N_AGES; ++age) {
        asfr[age] = age >= lo && age <= hi ? asfr[age] + 1e-6 : 0.0; /* none 0 in lo..hi */
    }
}

/* Women and men 1000 x exp(-0.01 age), some mortality, no migration; the base steps have
 * births at base_lo..base_hi, every year of the history at 12-54 (a little older in later
 * years, so cohorts differ). */
static void build(proj_fixture *f, int base_lo, int base_hi)
{
    ps_inputs *in = &f->in;
    proj_fixture_two_steps(in);
    for (int step = 0; step < 2; ++step) {
        schedule(&in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)], base_lo, base_hi);
    }
    for (int y = 0; y < HIST_YEARS; ++y) {
        ps_sched_hadwiger(&f->hist[y * N_AGES], N_AGES, 2.5 - 0.01 * y, 26.0 + 0.05 * y);
        for (int age = 0; age < N_AGES; ++age) {
            f->hist[y * N_AGES + age] = age >= 12 && age <= 54 ? f->hist[y * N_AGES + age] : 0.0;
        }
    }
}

static int setup_base(void **state, int base_lo, int base_hi)
{
    proj_fixture *f = proj_fixture_alloc();
    build(f, base_lo, base_hi);
    proj_fixture_engine(f);
    *state = f;
    return 0;
}

static int setup_base_15_44(void **state)
{
    return setup_base(state, 15, 44);
}

static int setup_base_to_open_age(void **state)
{
    return setup_base(state, 15, N_AGES - 1);
}

/* The model's intensities at one age with the history's levels of `fit`. */
static void weights(double w[PS_ORDER_COUNT], const ps_proj *p, int age, const ps_parity_fit *fit)
{
    ps_proj_order_weights(p, 0, age, w);
    if (fit->first_level != 1.0) {
        w[0] *= fit->first_level;
    }
    if (fit->second_level != 1.0) {
        w[1] *= fit->second_level;
    }
}

/* Parity shares of the cohort aged a on 1 July START, replayed through the history (the base
 * step's ASFR from START on) as docs/model.md sec. 2.6 "Base parity" describes. */
static void replay(double pi[PS_PARITY_COUNT], const proj_fixture *f, int a,
                   const ps_parity_fit *fit, int with_history)
{
    const double *base = &f->in.asfr[ps_inputs_asfr_idx(&f->in, 0, 0, 0)];
    pi[0] = 1.0;
    pi[1] = pi[2] = pi[3] = 0.0;
    for (int x = 0; x < a; ++x) {
        const int year = START - a + x;
        const double *asfr = !with_history     ? base
                             : year < HIST_FIRST ? f->hist
                             : year < START    ? &f->hist[(year - HIST_FIRST) * N_AGES]
                                               : base;
        if (asfr[x] == 0.0 && asfr[x + 1] == 0.0) {
            continue;
        }
        double w0[PS_ORDER_COUNT], w1[PS_ORDER_COUNT], e0[PS_ORDER_COUNT], e1[PS_ORDER_COUNT];
        const double half[PS_ORDER_COUNT] = {PS_MID_YEAR_FRACTION * pi[0],
                                             PS_MID_YEAR_FRACTION * pi[1],
                                             PS_MID_YEAR_FRACTION * (pi[2] + pi[3])};
        weights(w0, f->p, x, fit);
        weights(w1, f->p, x + 1, fit);
        ps_proj_split_orders(e0, PS_MID_YEAR_FRACTION * asfr[x], w0, half);
        ps_proj_split_orders(e1, PS_MID_YEAR_FRACTION * asfr[x + 1], w1, half);
        const double e[PS_ORDER_COUNT] = {e0[0] + e1[0], e0[1] + e1[1], e0[2] + e1[2]};
        const double from2 = pi[2] + pi[3] > 0.0 ? pi[2] / (pi[2] + pi[3]) : 1.0;
        pi[0] -= e[0];
        pi[1] += e[0] - e[1];
        pi[2] += e[1] - e[2] * from2;
        pi[3] += e[2] * from2;
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            pi[k] = pi[k] >= 0.0 ? pi[k] : 0.0;
        }
    }
}

/* The joint fit of targets made by known levels, then every cohort against the replay; without
 * the history (every step at the base schedule) when with_history is 0. */
static void check_every_cohort(proj_fixture *f, int with_history)
{
    const ps_fert_history hist = proj_fixture_history(f);
    const ps_fert_history *h = with_history ? &hist : NULL;
    const ps_parity_fit truth = {.first_level = 1.4, .second_level = 0.8,
                                 .first_shape_age = 28.0};
    ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    ps_parity_fit made, got;
    ps_error err;
    bo.share[0] = 0.47;
    bo.share[1] = 0.39;
    bo.share[2] = 0.14;
    bo.first_mean_age_year = 2020;
    assert_ps_ok(ps_proj_parity_init_levels(f->p, &bo, h, &truth, f->women0, &err), &err);
    ps_proj_parity_fit(f->p, &made);
    bo.childless_45_49 = made.childless_45_49;
    bo.second_share = made.second_share;
    bo.first_mean_age = made.first_mean_age;
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, h, f->women0, &err), &err);
    ps_proj_parity_fit(f->p, &got);
    assert_int_equal(got.joint, 1);
    assert_close(got.childless_45_49, bo.childless_45_49, 1e-9);
    assert_close(got.second_share, bo.second_share, 1e-9);
    assert_close(got.first_mean_age, bo.first_mean_age, 1e-8);
    assert_close(got.first_level, truth.first_level, 1e-6);

    const double *F = &f->in.base.count[ps_pop_idx(&f->in.base, 0, PS_SEX_FEMALE, 0)];
    for (int a = 0; a < N_AGES; ++a) {
        double pi[PS_PARITY_COUNT];
        replay(pi, f, a, &got, with_history);
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            const double want = pi[k] * F[a], have = f->women0[a * PS_PARITY_COUNT + k];
            if (!(fabs(have - want) <= 1e-12 * F[a])) {
                fail_msg("women aged %d of parity %d: %.17g, the replay gives %.17g", a, k,
                         have, want);
            }
        }
    }
    /* The completed cohorts lived through the history's births: mostly mothers. */
    const double *w60 = &f->women0[60 * PS_PARITY_COUNT];
    assert_true(w60[0] < 0.5 * (w60[0] + w60[1] + w60[2] + w60[3]));

    /* The base step's births by order have the scenario's shares. */
    static double W1[N_AGES * PS_PARITY_COUNT];
    double to[PS_SEX_COUNT * N_AGES], deaths[PS_SEX_COUNT * N_AGES];
    double mig[PS_SEX_COUNT * N_AGES], births[PS_SEX_COUNT], orders[PS_ORDER_COUNT];
    ps_proj_events ev = {.births = births, .deaths = deaths, .net_migration = mig};
    ps_proj_parity par = {.from = f->women0, .to = W1, .births_by_order = orders};
    assert_ps_ok(ps_proj_step_parity(f->p, 0, f->in.base.count, to, &ev, &par, &err), &err);
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        assert_close(orders[k] / (orders[0] + orders[1] + orders[2]), bo.share[k], 1e-9);
    }
}

static void test_parity_replay__older_cohorts_completed_with_the_fitted_levels(void **state)
{
    check_every_cohort(*state, 1);
}

static void test_parity_replay__births_up_to_the_open_age_group(void **state)
{
    check_every_cohort(*state, 1);
}

/* Without a history one pass along the oldest cohort replays every cohort. */
static void test_parity_replay__no_history_one_pass(void **state)
{
    check_every_cohort(*state, 0);
}

static void test_parity_replay__no_history_to_the_open_age_group(void **state)
{
    check_every_cohort(*state, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_parity_replay__older_cohorts_completed_with_the_fitted_levels, setup_base_15_44,
            proj_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_parity_replay__births_up_to_the_open_age_group,
                                        setup_base_to_open_age, proj_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_parity_replay__no_history_one_pass,
                                        setup_base_15_44, proj_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_parity_replay__no_history_to_the_open_age_group,
                                        setup_base_to_open_age, proj_fixture_teardown),
    };
    return cmocka_run_group_tests_name("parity_replay", tests, NULL, NULL);
}

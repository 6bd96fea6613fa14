/*
 * test_parity.c - fertility by parity progression in the cohort engine (docs/model.md 2.6):
 * births of order k come from the women of parity k-1 at intensities scaled so that births
 * by age stay ASFR x women (hand-computed for one cohort); the order of births follows who is
 * at risk; the base parity is reconstructed from a fertility history whose timing the test
 * knows; bad histories are refused.
 */
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/proj.h"
#include "test_util.h"

#define N_AGES 101
#define START 2025

#include "proj_fixture.h"

/* Women and men 1234.5 x exp(-0.011 age), no deaths below the open age group and no
 * migration (so cohorts keep their size), ASFR Hadwiger TFR 1.37 at mean age 29.3. */
static void build(ps_inputs *in, int years)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, START, START + years, 1, N_AGES, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            in->base.count[ps_pop_idx(&in->base, 0, sex, age)] = 1234.5 * exp(-0.011 * age);
        }
    }
    for (int step = 0; step < years; ++step) {
        in->srb[step] = 1.06;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            in->mx[ps_inputs_idx(in, step, 0, sex, N_AGES - 1)] = 0.43;
        }
        ps_sched_hadwiger(&in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)], N_AGES, 1.37, 29.3);
    }
}

typedef proj_fixture fixture;

static int setup(void **state)
{
    *state = proj_fixture_new(build, 3);
    return 0;
}

static int teardown(void **state)
{
    return proj_fixture_teardown(state);
}

/* One step with parity from women W (no multipliers): births by order and women after. */
static void step(const fixture *f, const double *W, double *W1, double bo[PS_ORDER_COUNT],
                 double births[PS_SEX_COUNT])
{
    ps_error err;
    double to[PS_SEX_COUNT * N_AGES], deaths[PS_SEX_COUNT * N_AGES], mig[PS_SEX_COUNT * N_AGES];
    ps_proj_events ev = { .births = births, .deaths = deaths, .net_migration = mig };
    ps_proj_parity par = { .from = W, .to = W1, .births_by_order = bo };
    assert_ps_ok(ps_proj_step_parity(f->p, 0, f->in.base.count, to, &ev, &par, &err), &err);
}

static double woman(const fixture *f, int age)
{
    return f->in.base.count[ps_pop_idx(&f->in.base, 0, PS_SEX_FEMALE, age)];
}

/* Women by parity: shares (0.41, 0.33, 0.19, 0.07) at every age (a parity mix no history
 * would give, so that every order has women at risk). */
static void flat_parity(double *W, const fixture *f)
{
    const double sh[PS_PARITY_COUNT] = { 0.41, 0.33, 0.19, 0.07 };
    for (int age = 0; age < N_AGES; ++age) {
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            W[age * PS_PARITY_COUNT + k] = sh[k] * woman(f, age);
        }
    }
}

static void test_parity__births_of_order_k_are_women_of_parity_k_minus_1_times_scaled_intensity(
    void **state)
{
    fixture *f = *state;
    ps_error err;
    const ps_birth_order bo = { .share = { 0.47, 0.41, 0.12 } };
    assert_ps_ok(ps_proj_parity_init(f->p, &bo, f->women0, &err), &err);
    /* Only age 30 is fertile: the cohorts reaching 30 (second half, F(30, t+1)) and 31
     * (first half, F(30, t)) have its births; with no deaths F(30, t+1) = F(29, t). */
    for (int age = 0; age < N_AGES; ++age) {
        f->in.asfr[ps_inputs_asfr_idx(&f->in, 0, 0, age)] = age == 30 ? 0.0873 : 0.0;
    }
    static double W[N_AGES * PS_PARITY_COUNT], W1[N_AGES * PS_PARITY_COUNT];
    double got[PS_ORDER_COUNT], births[PS_SEX_COUNT], m[PS_ORDER_COUNT];
    flat_parity(W, f);
    step(f, W, W1, got, births);
    ps_proj_order_weights(f->p, 0, 30, m);
    /* c(30) = ASFR F / sum_j m_j W_{j-1}, the same parity shares in both cohorts. */
    const double risk[PS_ORDER_COUNT] = { 0.41, 0.33, 0.19 + 0.07 };
    double denom = 0.0;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        denom += m[k] * risk[k];
    }
    double total = 0.0;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        double want = 0.0873 * (0.5 * woman(f, 30) + 0.5 * woman(f, 29)) * m[k] * risk[k] / denom;
        assert_close(got[k], want, 1e-12);
        total += got[k];
    }
    /* Births by age are ASFR x women, as in the age-only engine. */
    assert_close(births[0] + births[1], 0.0873 * 0.5 * (woman(f, 30) + woman(f, 29)), 1e-12);
    assert_close(total, births[0] + births[1], 1e-12);
    /* The mothers moved up one parity: 31-year-olds had first births from parity 0. */
    const double e1 = 0.0873 * 0.5 * woman(f, 30) * m[0] * 0.41 / denom;
    assert_close(W1[31 * PS_PARITY_COUNT], 0.41 * woman(f, 30) - e1, 1e-12);
}

static void test_parity__births_by_age_stay_those_of_the_age_only_engine(void **state)
{
    fixture *f = *state;
    ps_error err;
    const ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    assert_ps_ok(ps_proj_parity_init(f->p, &bo, f->women0, &err), &err);
    double to[PS_SEX_COUNT * N_AGES], d[PS_SEX_COUNT * N_AGES], mg[PS_SEX_COUNT * N_AGES];
    double b_age[PS_SEX_COUNT], b_par[PS_SEX_COUNT], bo_out[PS_ORDER_COUNT];
    static double W1[N_AGES * PS_PARITY_COUNT], W[N_AGES * PS_PARITY_COUNT];
    ps_proj_events ev = { .births = b_age, .deaths = d, .net_migration = mg };
    assert_ps_ok(ps_proj_step(f->p, 0, f->in.base.count, to, &ev, &err), &err);
    for (int trial = 0; trial < 2; ++trial) {
        if (trial == 0) {
            memcpy(W, f->women0, sizeof W);
        } else {
            flat_parity(W, f);
        }
        step(f, W, W1, bo_out, b_par);
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            assert_true(b_par[sex] == b_age[sex]); /* bit-identical */
        }
    }
}

static void test_parity__the_order_of_births_comes_from_who_is_at_risk(void **state)
{
    fixture *f = *state;
    ps_error err;
    const ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    assert_ps_ok(ps_proj_parity_init(f->p, &bo, f->women0, &err), &err);
    static double Wa[N_AGES * PS_PARITY_COUNT], Wb[N_AGES * PS_PARITY_COUNT],
        W1[N_AGES * PS_PARITY_COUNT];
    double ba[PS_ORDER_COUNT], bb[PS_ORDER_COUNT], births_a[2], births_b[2];
    flat_parity(Wa, f);
    /* b: a tenth of the childless women at each age have one child instead. */
    memcpy(Wb, Wa, sizeof Wb);
    for (int age = 0; age < N_AGES; ++age) {
        double moved = 0.1 * Wb[age * PS_PARITY_COUNT];
        Wb[age * PS_PARITY_COUNT] -= moved;
        Wb[age * PS_PARITY_COUNT + 1] += moved;
    }
    step(f, Wa, W1, ba, births_a);
    step(f, Wb, W1, bb, births_b);
    assert_close(births_a[0] + births_a[1], births_b[0] + births_b[1], 1e-12);
    assert_true(bb[0] < ba[0]); /* fewer women at risk of a first birth */
    assert_true(bb[1] > ba[1]); /* more at risk of a second */
    assert_close(ba[0] + ba[1] + ba[2], bb[0] + bb[1] + bb[2], 1e-12);
}

static void test_parity__base_births_by_order_match_the_scenario_shares(void **state)
{
    fixture *f = *state;
    ps_error err;
    const ps_birth_order bo = { .share = { 0.52, 0.37, 0.11 } };
    for (int y = 0; y < HIST_YEARS; ++y) {
        ps_sched_hadwiger(&f->hist[y * N_AGES], N_AGES, 2.9 - 1.6 * y / HIST_YEARS, 27.1);
    }
    const ps_fert_history h = proj_fixture_history(f);
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
    static double W1[N_AGES * PS_PARITY_COUNT];
    double got[PS_ORDER_COUNT], births[PS_SEX_COUNT];
    step(f, f->women0, W1, got, births);
    const double total = got[0] + got[1] + got[2];
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        assert_close(got[k] / total, bo.share[k], 1e-9);
    }
    /* Every age keeps its women: parity shares sum to the base population. */
    for (int age = 0; age < N_AGES; ++age) {
        double sum = 0.0;
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            sum += f->women0[age * PS_PARITY_COUNT + k];
        }
        assert_close(sum, woman(f, age), 1e-12);
    }
}

/* The mean age at first birth of one step, computed from the outside: the cohort reaching
 * age a at the end has the first births W1(a, >=1) - F(a, t+1) share(a-1, >=1) (no deaths
 * below the open group), at the mean exact age a. */
static double first_birth_mean_age(const fixture *f, const double *W, const double *W1)
{
    double births = 0.0, age_sum = 0.0;
    for (int a = 1; a < N_AGES - 1; ++a) {
        const double *w0 = &W[(a - 1) * PS_PARITY_COUNT], *w1 = &W1[a * PS_PARITY_COUNT];
        const double before = (w0[1] + w0[2] + w0[3]) / (w0[0] + w0[1] + w0[2] + w0[3]);
        const double e = (w1[1] + w1[2] + w1[3]) - woman(f, a - 1) * before;
        births += e;
        age_sum += a * e;
    }
    return age_sum / births;
}

static void test_parity__first_birth_intensities_are_fitted_to_a_mean_age(void **state)
{
    fixture *f = *state;
    ps_error err;
    for (int y = 0; y < HIST_YEARS; ++y) {
        ps_sched_hadwiger(&f->hist[y * N_AGES], N_AGES, 2.9 - 1.6 * y / HIST_YEARS, 27.1);
    }
    const ps_fert_history h = proj_fixture_history(f);
    static double W1[N_AGES * PS_PARITY_COUNT];
    double got[PS_ORDER_COUNT], births[PS_SEX_COUNT];
    ps_birth_order bo = { .share = { 0.52, 0.37, 0.11 } };
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
    step(f, f->women0, W1, got, births);
    const double unfitted = first_birth_mean_age(f, f->women0, W1);
    /* Two targets on either side of the unfitted mean age: each is met, and the shares too. */
    const double targets[2] = { unfitted - 0.5, unfitted + 0.9 };
    for (int i = 0; i < 2; ++i) {
        bo.first_mean_age = targets[i];
        assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
        step(f, f->women0, W1, got, births);
        assert_close(first_birth_mean_age(f, f->women0, W1), targets[i], 1e-6);
        const double total = got[0] + got[1] + got[2];
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            assert_close(got[k] / total, bo.share[k], 1e-9);
        }
    }
    /* A mean age no intensity curve reaches (the schedule has few births at 39) is refused. */
    bo.first_mean_age = 39.5;
    assert_int_equal(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "mean age at first birth of 39.5 cannot be reached"));
    bo.first_mean_age = 12.0;
    assert_int_equal(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), PS_EINVAL);
}

/*
 * A history with births at age 25 only in 1990 and 1991 (rate r each), and from 2000 on a
 * schedule at ages 15-30 only (so that the base step has women at risk of every order),
 * which the cohorts aged 32+ in 2000 never meet. At step y a cohort aged x on 1 July has
 * half its births at ASFR_y(x) and half at ASFR_y(x+1), so: aged 24 in 1990 (59 in 2025):
 * r/2 in 1990 (at 25 at the end) and r/2 in 1991 (at 25 at the start); aged 25 in 1990 (60)
 * and aged 23 in 1990 (58): r/2 once. A first half-birth is all first births; the second
 * splits over parity 0 and 1 in proportion to m_1(25) pi_0 : m_2(25) pi_1.
 */
static void test_parity__base_parity_is_reconstructed_from_a_known_history(void **state)
{
    fixture *f = *state;
    ps_error err;
    const double r = 0.3173;
    memset(f->hist, 0, sizeof f->hist);
    f->hist[(1990 - HIST_FIRST) * N_AGES + 25] = r;
    f->hist[(1991 - HIST_FIRST) * N_AGES + 25] = r;
    for (int y = 2000; y < START; ++y) {
        ps_sched_hadwiger(&f->hist[(y - HIST_FIRST) * N_AGES], N_AGES, 0.6, 23.5);
        for (int age = 31; age < N_AGES; ++age) {
            f->hist[(y - HIST_FIRST) * N_AGES + age] = 0.0;
        }
    }
    const ps_fert_history h = proj_fixture_history(f);
    const ps_birth_order bo = { .share = { 0.56, 0.35, 0.09 } };
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
    double m[PS_ORDER_COUNT];
    ps_proj_order_weights(f->p, 0, 25, m);
    const double pi0 = 1.0 - r / 2, pi1 = r / 2;
    const double first = r / 2 * m[0] * pi0 / (m[0] * pi0 + m[1] * pi1);
    const double second = r / 2 - first;
    assert_true(second < pi1 / 2 && first < pi0 / 2); /* no cap binds: the formula holds */
    const double twice[PS_PARITY_COUNT] = { pi0 - first, pi1 + first - second, second, 0.0 };
    const double once[PS_PARITY_COUNT] = { 1.0 - r / 2, r / 2, 0.0, 0.0 };
    const double none[PS_PARITY_COUNT] = { 1.0, 0.0, 0.0, 0.0 };
    for (int age = 57; age < N_AGES; ++age) {
        const double *want = age == 59 ? twice : (age == 58 || age == 60) ? once : none;
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            assert_close(f->women0[age * PS_PARITY_COUNT + k] / woman(f, age), want[k], 1e-12);
        }
    }
}

static void test_parity__without_a_history_cohorts_live_through_the_base_schedule(void **state)
{
    fixture *f = *state;
    ps_error err;
    const ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    /* A history whose every row is the base step's ASFR gives the same parity as none. */
    for (int y = 0; y < HIST_YEARS; ++y) {
        memcpy(&f->hist[y * N_AGES], &f->in.asfr[ps_inputs_asfr_idx(&f->in, 0, 0, 0)],
               N_AGES * sizeof *f->hist);
    }
    static double none[N_AGES * PS_PARITY_COUNT];
    const ps_fert_history h = proj_fixture_history(f);
    assert_ps_ok(ps_proj_parity_init(f->p, &bo, none, &err), &err);
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
    assert_memory_equal(none, f->women0, sizeof none);
    /* Completed fertility of the 60-year-olds is the TFR (no birth lost to the caps). */
    double children = 0.0;
    for (int k = 1; k < PS_PARITY_COUNT; ++k) {
        children += k * none[60 * PS_PARITY_COUNT + k];
    }
    assert_true(none[60 * PS_PARITY_COUNT] > 0.0);
    assert_true(children / woman(f, 60) <= 1.37 + 1e-9); /* 3+ counts as 3 */
    assert_true(children / woman(f, 60) > 1.3);
}

static void test_parity__bad_history_is_refused_with_the_age_and_year(void **state)
{
    fixture *f = *state;
    ps_error err;
    const ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    memset(f->hist, 0, sizeof f->hist);
    f->hist[(1987 - HIST_FIRST) * N_AGES + 33] = -0.25;
    ps_fert_history h = { .asfr = f->hist, .first_year = HIST_FIRST, .n_years = HIST_YEARS };
    assert_int_equal(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "age 33 in 1987"));
    h.asfr = NULL;
    assert_int_equal(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), PS_EINVAL);
    assert_false(ps_proj_has_parity(f->p));
    const ps_birth_order bad = { .share = { 0.5, 0.5, 0.5 } };
    assert_int_equal(ps_proj_parity_init(f->p, &bad, f->women0, &err), PS_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_parity__births_of_order_k_are_women_of_parity_k_minus_1_times_scaled_intensity,
            setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_parity__births_by_age_stay_those_of_the_age_only_engine, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parity__the_order_of_births_comes_from_who_is_at_risk,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_parity__base_births_by_order_match_the_scenario_shares, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_parity__base_parity_is_reconstructed_from_a_known_history, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_parity__without_a_history_cohorts_live_through_the_base_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_parity__first_birth_intensities_are_fitted_to_a_mean_age, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parity__bad_history_is_refused_with_the_age_and_year,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name("parity", tests, NULL, NULL);
}

/*
 * test_micro_ledger.c - the monthly subsidy paid person by person in the microsimulation
 * (src/micro/ledger.c, docs/policy.md sec. 7.5): with every child eligible and one income
 * class its mean cost is the cohort ledger's within the binomial error; a top-up for the
 * low-income class costs the low-income share of the top-up for everybody (nothing with no
 * such class); the ledger is bit-identical for 1 and 2 threads; a child at or over the age
 * limit costs nothing and one under it costs 12 x amount per year counted (hand-built
 * population); the top-up's response raises the births of the eligible classes only.
 */
#include <gsl/gsl_cdf.h>
#include <stdlib.h>
#include <string.h>

#include "policy_fixture.h"
#include "proj_fixture.h"
#include "popsim/family.h"
#include "popsim/micro.h"
#include "popsim/proj.h"
#include "popsim/units.h"

#define YEARS 6
#define SCALE 10.0
#define MAX_AGE 3
#define AMOUNT 523.5 /* yuan per child per month */
#define FAMILY_ALPHA 0.001 /* two-sided error rate of each statistical comparison */

/* Replicates of the statistical comparisons: 8, or 2 under valgrind (detected from
 * LD_PRELOAD, as in test_micro.c), where the tolerances, derived from the replicates, widen. */
static int replicates(void)
{
    const char *pre = getenv("LD_PRELOAD");
    return pre != NULL && strstr(pre, "vgpreload") != NULL ? 2 : 8;
}

typedef proj_fixture fixture;

static int setup(void **state)
{
    ps_error err;
    fixture *f = proj_fixture_new(build, YEARS);
    assert_ps_ok(ps_proj_parity_init(f->p, &f->bo, f->women0, &err), &err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    return proj_fixture_teardown(state);
}

static ps_policy subsidy(double amount, double topup, double low_share)
{
    ps_policy p;
    memset(&p, 0, sizeof p);
    p.lever = PS_LEVER_MONTHLY_SUBSIDY;
    p.name = "subsidy";
    p.start_year = START;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        p.amount[k] = amount;
    }
    p.eligible_share = 1.0;
    p.max_age = MAX_AGE;
    p.low_income_topup = topup;
    p.low_income_share = low_share;
    return p;
}

static ps_run_spec spec_of(const ps_policy *pol, int respond)
{
    ps_run_spec s = { .name = "subsidy", .title = NULL, .policies = pol, .n_policies = 1 };
    ps_economy eco = PS_ECONOMY_INIT;
    ps_response_preset(&s.response, PS_ELASTICITY_DEFAULT);
    if (!respond) {
        s.response.cash_elasticity = 0.0; /* multipliers exactly 1: the ledger alone */
    }
    s.economy = eco;
    return s;
}

/* One replicate of the microsimulation with income shares [low, subsistence, other]. */
static void run_micro(ps_result *res, ps_micro_extra *x, const fixture *f, const ps_run_spec *s,
                      int replicate, const double shares[PS_INCOME_COUNT], int threads)
{
    ps_error err;
    ps_micro *mi = NULL;
    ps_micro_options o = PS_MICRO_OPTIONS_INIT;
    o.seed = 20250701u;
    o.replicate = (uint32_t)replicate;
    o.scale = SCALE;
    o.n_threads = threads;
    o.income_share = shares;
    assert_ps_ok(ps_micro_new(&mi, f->p, f->women0, &o, &err), &err);
    assert_ps_ok(ps_run_scenario_micro(res, x, mi, &f->bo, s, NULL, &err), &err);
    ps_micro_free(mi);
}

static double total_cost(const ps_result *r)
{
    double sum = 0.0;
    for (int y = 0; y + 1 < r->n_years; ++y) {
        sum += r->ledger[0].cost[ps_result_regcell(r, y, 0)];
    }
    return sum;
}

/* The cohort run of `cohort_spec` into *cohort, and the mean total cost of replicates()
 * replicates of the microsimulation of `s` with income shares `shares` (1 thread). */
static double mean_micro_cost(ps_result *cohort, const fixture *f, const ps_run_spec *cohort_spec,
                              const ps_run_spec *s, const double shares[PS_INCOME_COUNT])
{
    ps_error err;
    assert_ps_ok(ps_run_scenario(cohort, f->p, f->women0, &f->bo, cohort_spec, NULL, &err), &err);
    double mean = 0.0;
    for (int r = 0; r < replicates(); ++r) {
        ps_result res;
        run_micro(&res, NULL, f, s, r, shares, 1);
        mean += total_cost(&res) / replicates();
        ps_result_release(&res);
    }
    return mean;
}

/*
 * Tolerance of a mean over replicates() of the micro cost, whose expectation is the cohort
 * ledger's. The cost of step y is 12 a s (N_y + N_{y+1}) / 2 with N the simulated children
 * under max_age on 1 July: sums of independent Bernoulli events (stochastic rounding of the
 * base, births, survival, and the class draw of an eligible class), so Var N <= c E N with
 * E N = the cohort's children / s, and c the most children one Bernoulli draw decides (1, or
 * 2 max_age for a mother's class shared by all her children under max_age). Summing the
 * standard deviations over the years (Cauchy-Schwarz: perfect correlation between the years,
 * an upper bound) gives sd of one replicate; z for FAMILY_ALPHA two-sided.
 */
static double tolerance(const ps_result *cohort, double pay, double share, double cluster)
{
    double sd = 0.0;
    for (int y = 0; y + 1 < cohort->n_years; ++y) {
        for (int end = 0; end < 2; ++end) {
            const double n = share * ps_result_age_range(cohort, START + y + end, 0, MAX_AGE - 1);
            sd += PS_MID_YEAR_FRACTION * PS_MONTHS_PER_YEAR * pay * SCALE *
                  sqrt(cluster * n / SCALE);
        }
    }
    return gsl_cdf_ugaussian_Qinv(FAMILY_ALPHA / 2.0) * sd / sqrt((double)replicates());
}

static void test_micro_ledger__every_child_eligible_costs_the_cohort_ledger(void **state)
{
    const fixture *f = *state;
    const ps_policy pol = subsidy(AMOUNT, 0.0, 0.0);
    const ps_run_spec s = spec_of(&pol, 0);
    const double one_class[PS_INCOME_COUNT] = { 0.0, 0.0, 1.0 };
    ps_result cohort;
    const double mean = mean_micro_cost(&cohort, f, &s, &s, one_class);
    const double expect = total_cost(&cohort), tol = tolerance(&cohort, AMOUNT, 1.0, 1.0);
    if (!(fabs(mean - expect) <= tol)) {
        fail_msg("micro ledger %.6g yuan, cohort ledger %.6g, tolerance %.4g", mean, expect, tol);
    }
    print_message("micro %.6g yuan, cohort %.6g, tolerance %.3g\n", mean, expect, tol);
    assert_true(tol < 0.05 * expect); /* the test can tell a 5 % error */
    ps_result_release(&cohort);
}

static void test_micro_ledger__topup_cost_scales_with_the_low_income_share(void **state)
{
    const fixture *f = *state;
    const double topup = 301.25, low = 0.27;
    const ps_policy all = subsidy(0.0, topup, 1.0), pol = subsidy(0.0, topup, 0.5);
    const ps_run_spec s_all = spec_of(&all, 0), s = spec_of(&pol, 0);
    const double shares[PS_INCOME_COUNT] = { low, 0.0, 1.0 - low };
    const double none[PS_INCOME_COUNT] = { 0.0, 0.0, 1.0 };
    ps_result cohort;
    const double mean = mean_micro_cost(&cohort, f, &s_all, &s, shares);
    /* The policy's own low_income_share (0.5) plays no part: the classes decide. */
    const double expect = low * total_cost(&cohort);
    const double tol = tolerance(&cohort, topup, low, 2.0 * MAX_AGE);
    if (!(fabs(mean - expect) <= tol)) {
        fail_msg("top-up %.6g yuan, low-income share x cohort %.6g, tolerance %.4g", mean,
                 expect, tol);
    }
    print_message("top-up %.6g yuan, expected %.6g, tolerance %.3g\n", mean, expect, tol);
    assert_true(tol < 0.25 * expect);
    ps_result res;
    run_micro(&res, NULL, f, &s, 0, none, 1);
    assert_true(total_cost(&res) == 0.0); /* no low-income child, no top-up */
    ps_result_release(&res);
    ps_result_release(&cohort);
}

static void test_micro_ledger__same_bits_with_1_and_2_threads(void **state)
{
    const fixture *f = *state;
    ps_policy pol = subsidy(AMOUNT, 301.25, 0.3);
    pol.eligible_share = 0.73;
    pol.born_from = START + 1;
    const ps_run_spec s = spec_of(&pol, 1);
    const double shares[PS_INCOME_COUNT] = { 0.21, 0.04, 0.75 };
    ps_result a, b;
    ps_micro_extra xa, xb;
    run_micro(&a, &xa, f, &s, 3, shares, 1);
    run_micro(&b, &xb, f, &s, 3, shares, 2);
    const size_t cells = (size_t)a.n_years * (size_t)a.n_regions;
    assert_true(total_cost(&a) > 0.0);
    assert_memory_equal(a.ledger[0].cost, b.ledger[0].cost, cells * sizeof(double));
    assert_memory_equal(a.ledger[0].recipients, b.ledger[0].recipients, cells * sizeof(double));
    assert_memory_equal(a.ledger[0].cost_by_payer, b.ledger[0].cost_by_payer,
                        cells * PS_LEDGER_PAYERS * sizeof(double));
    assert_memory_equal(xa.ledger_by_income, xb.ledger_by_income,
                        cells * PS_INCOME_COUNT * sizeof(double));
    double by_income = 0.0;
    for (size_t c = 0; c + (size_t)a.n_regions < cells; ++c) {
        for (int inc = 0; inc < PS_INCOME_COUNT; ++inc) {
            by_income += xa.ledger_by_income[c * PS_INCOME_COUNT + (size_t)inc];
        }
    }
    assert_close(by_income, total_cost(&a), 1e-12); /* the classes add up to the ledger */
    ps_result_release(&a);
    ps_result_release(&b);
    ps_micro_extra_release(&xa);
    ps_micro_extra_release(&xb);
}

/* Two persons and no deaths, births or migration: a girl aged `girl_age` and a boy aged 5
 * (over the limit of 3), through the ledger's own calls (no birth-order model). Each child
 * costs 12 x amount x (the mean of its two 1 July counts) per step. */
static void tiny_cost(double cost[YEARS], int girl_age)
{
    ps_error err;
    ps_inputs in;
    ps_proj *p = NULL;
    ps_micro *mi = NULL;
    ps_micro_ledger *ml = NULL;
    ps_policy_model *pm = NULL;
    ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    ps_micro_options o = PS_MICRO_OPTIONS_INIT;
    ps_result res;
    build(&in, YEARS);
    memset(in.base.count, 0, (size_t)PS_SEX_COUNT * N_AGES * sizeof *in.base.count);
    for (int step = 0; step < YEARS; ++step) { /* nobody dies before 50, nobody gives birth */
        memset(&in.asfr[ps_inputs_asfr_idx(&in, step, 0, 0)], 0, N_AGES * sizeof *in.asfr);
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            memset(&in.mx[ps_inputs_idx(&in, step, 0, sex, 0)], 0, 50 * sizeof *in.mx);
        }
    }
    in.base.count[ps_pop_idx(&in.base, 0, PS_SEX_FEMALE, girl_age)] = 1.0;
    in.base.count[ps_pop_idx(&in.base, 0, PS_SEX_MALE, 5)] = 1.0;
    const ps_policy pol = subsidy(AMOUNT, 0.0, 0.0);
    const ps_run_spec s = spec_of(&pol, 0);
    const char *names[] = { pol.name };
    const ps_lever levers[] = { pol.lever };
    assert_ps_ok(ps_proj_new(&p, &in, &err), &err);
    assert_ps_ok(ps_micro_new(&mi, p, NULL, &o, &err), &err);
    assert_ps_ok(ps_micro_run_init(&res, NULL, mi, "tiny", NULL, &err), &err);
    assert_ps_ok(ps_result_init_policy(&res, NULL, 1, names, levers, &err), &err);
    assert_ps_ok(ps_policy_model_new(&pm, &pol, 1, &s.response, &s.economy, START, START + YEARS,
                                     2.0, 0.0, &err), &err);
    assert_ps_ok(ps_micro_ledger_new(&ml, mi, &pol, 1, &bo, &err), &err);
    for (int y = 0; y < YEARS; ++y) {
        assert_ps_ok(ps_micro_step(mi, &res, NULL, NULL, &err), &err);
        ps_micro_ledger_step(ml, mi);
    }
    ps_micro_ledger_fill(&res, ml, pm, s.economy.discount_rate, NULL);
    for (int y = 0; y < YEARS; ++y) {
        cost[y] = res.ledger[0].cost[ps_result_regcell(&res, y, 0)];
    }
    ps_micro_ledger_free(ml);
    ps_policy_model_free(pm);
    ps_result_release(&res);
    ps_micro_free(mi);
    ps_proj_free(p);
    ps_inputs_release(&in);
}

static void test_micro_ledger__a_child_over_the_age_limit_costs_nothing(void **state)
{
    (void)state;
    double cost[YEARS];
    const double year = PS_MONTHS_PER_YEAR * AMOUNT;
    tiny_cost(cost, MAX_AGE); /* the girl is at the limit, the boy over it */
    for (int y = 0; y < YEARS; ++y) {
        assert_true(cost[y] == 0.0);
    }
    tiny_cost(cost, 1); /* aged 1 and 2 in the first step, 2 and 3 in the second */
    assert_close(cost[0], year, 1e-15);
    assert_close(cost[1], PS_MID_YEAR_FRACTION * year, 1e-15);
    for (int y = 2; y < YEARS; ++y) {
        assert_true(cost[y] == 0.0);
    }
}

/* Births of the first step by income class, all orders. */
static void births_by_class(double out[PS_INCOME_COUNT], const ps_micro_extra *x)
{
    for (int inc = 0; inc < PS_INCOME_COUNT; ++inc) {
        out[inc] = 0.0;
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            out[inc] += x->births_by_income[ps_micro_extra_income_cell(x, 0, 0, inc) *
                                                PS_ORDER_COUNT + (size_t)k];
        }
    }
}

static void test_micro_ledger__topup_response_raises_eligible_classes_only(void **state)
{
    const fixture *f = *state;
    const ps_policy with = subsidy(AMOUNT, 2000.0, 0.5), without = subsidy(AMOUNT, 0.0, 0.0);
    const ps_run_spec s_with = spec_of(&with, 1), s_without = spec_of(&without, 1);
    const double shares[PS_INCOME_COUNT] = { 0.3, 0.1, 0.6 };
    ps_result a, b;
    ps_micro_extra xa, xb;
    double ba[PS_INCOME_COUNT], bb[PS_INCOME_COUNT];
    run_micro(&a, &xa, f, &s_with, 5, shares, 1);
    run_micro(&b, &xb, f, &s_without, 5, shares, 1);
    births_by_class(ba, &xa);
    births_by_class(bb, &xb);
    /* Common random numbers: in the first step (the lag of 9.5 months leaves it 0.71 of the
     * response) the class "other" has the same multipliers in both runs (the top-up leaves
     * the model's multipliers alone), so its births are the same draws; a higher birth
     * threshold never removes a birth, so the eligible classes gain. */
    assert_true(ba[PS_INCOME_OTHER] == bb[PS_INCOME_OTHER]);
    assert_true(ba[PS_INCOME_LOW] > bb[PS_INCOME_LOW]);
    assert_true(ba[PS_INCOME_SUBSISTENCE] > bb[PS_INCOME_SUBSISTENCE]);
    ps_result_release(&a);
    ps_result_release(&b);
    ps_micro_extra_release(&xa);
    ps_micro_extra_release(&xb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_micro_ledger__every_child_eligible_costs_the_cohort_ledger, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_micro_ledger__topup_cost_scales_with_the_low_income_share, setup, teardown),
        cmocka_unit_test_setup_teardown(test_micro_ledger__same_bits_with_1_and_2_threads, setup,
                                        teardown),
        cmocka_unit_test(test_micro_ledger__a_child_over_the_age_limit_costs_nothing),
        cmocka_unit_test_setup_teardown(
            test_micro_ledger__topup_response_raises_eligible_classes_only, setup, teardown),
    };
    return cmocka_run_group_tests_name("micro_ledger", tests, NULL, NULL);
}

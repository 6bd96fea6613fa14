/*
 * test_ledger_payers.c - the policy ledger of issue #12 (docs/policy.md sec. 6): each
 * instrument's cost split by payer adds up to its cost, by the scenario's shares or the
 * lever's default; a budget cap exceeded is reported with its excess; leave at the statutory
 * baseline costs nothing and moves no birth, and parental days count for each parent and
 * year; first-generation gains never exceed the total and equal it while the policy's extra
 * daughters are too young to be mothers; payer keys are read and checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* getpid */

#include "popsim/demog.h"
#include "popsim/family.h"
#include "popsim/proj.h"
#include "popsim/scenario.h"
#include "test_util.h"

#include "policy_fixture.h" /* build(), N_AGES, START */
#define WAGE 10000.0
#define DAYS_PER_MONTH 30.44 /* as src/policy/model.c */

/* ---- hand-built results ----------------------------------------------------------------- */

/* 1,000 births a year split 500/400/100, 1,250 persons of each sex at every age 0-9. */
static void tiny_result(ps_result *r, int n, const char *const *names, const ps_lever *levers)
{
    ps_error err;
    assert_ps_ok(ps_result_init(r, "tiny", NULL, START, 4, 1, 10, NULL, &err), &err);
    assert_ps_ok(ps_result_init_parity(r, &err), &err);
    static const double split[PS_ORDER_COUNT] = { 500.0, 400.0, 100.0 };
    for (int y = 0; y < 4; ++y) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < 10; ++age) {
                r->population[ps_result_cell(r, y, 0, sex, age)] = 1250.0;
            }
        }
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            r->births_by_order[ps_result_ordercell(r, y, 0, k)] = split[k];
        }
    }
    assert_ps_ok(ps_result_init_policy(r, "base", n, names, levers, &err), &err);
}

/* The ledger of `pols` on the tiny result, with the economy `eco`. */
static void tiny_ledger(ps_result *r, const ps_policy *pols, int n, const ps_economy *eco)
{
    const char *names[8];
    ps_lever levers[8];
    assert_true(n <= 8);
    for (int i = 0; i < n; ++i) {
        names[i] = pols[i].name;
        levers[i] = pols[i].lever;
    }
    tiny_result(r, n, names, levers);
    ps_response resp;
    ps_response_preset(&resp, PS_ELASTICITY_DEFAULT);
    ps_policy_model *m = NULL;
    ps_error err;
    assert_ps_ok(ps_policy_model_new(&m, pols, n, &resp, eco, START, START + 3, 25000.0, 7500.0,
                                     &err), &err);
    const ps_birth_order bo = { .share = { 0.5, 0.4, 0.1 } };
    ps_policy_ledger(r, m, &bo);
    ps_policy_model_free(m);
}

static double payer_at(const ps_result *r, int i, int y, ps_payer payer)
{
    return r->ledger[i].cost_by_payer[ps_result_payercell(r, y, 0, (int)payer)];
}

static void test_ledger__payer_parts_add_up_to_each_cost(void **state)
{
    (void)state;
    ps_policy pols[4] = {
        { .lever = PS_LEVER_BIRTH_REWARD, .name = "reward", .start_year = 2020,
          .amount = { 0.0, 10000.0, 50000.0 }, .eligible_share = 1.0,
          .payer_share = { 0.3, 0.7, 0.0, 0.0 } },
        { .lever = PS_LEVER_INSURANCE, .name = "insurance", .start_year = 2020,
          .medical_per_birth = 3000.0, .payer_share = { 0.1, 0.2, 0.3, 0.4 } },
        { .lever = PS_LEVER_MONTHLY_SUBSIDY, .name = "monthly", .start_year = 2020,
          .amount = { 600.0, 600.0, 600.0 }, .eligible_share = 1.0, .max_age = 3 },
        { .lever = PS_LEVER_CHILDCARE, .name = "childcare", .start_year = 2020,
          .spots_per_1000 = 8.0, .operating_subsidy = 400.0, .construction_subsidy = 10000.0 },
    };
    ps_economy eco = PS_ECONOMY_INIT;
    ps_result r;
    tiny_ledger(&r, pols, 4, &eco);
    for (int i = 0; i < 4; ++i) {
        for (int y = 0; y + 1 < r.n_years; ++y) {
            double sum = 0.0;
            for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
                assert_true(payer_at(&r, i, y, (ps_payer)payer) >= 0.0);
                sum += payer_at(&r, i, y, (ps_payer)payer);
            }
            assert_true(r.ledger[i].cost[y] > 0.0);
            assert_close(sum, r.ledger[i].cost[y], 1e-15);
        }
        assert_true(isnan(payer_at(&r, i, 3, PS_PAYER_LOCAL))); /* no step after the last */
    }
    /* reward, 9.0e6 a year: 30 % central, 70 % local */
    assert_close(payer_at(&r, 0, 1, PS_PAYER_CENTRAL), 2.7e6, 1e-15);
    assert_close(payer_at(&r, 0, 1, PS_PAYER_LOCAL), 6.3e6, 1e-15);
    assert_true(payer_at(&r, 0, 1, PS_PAYER_EMPLOYER) == 0.0);
    /* insurance, 1,000 births x 3,000 = 3.0e6: 0.3e6, 0.6e6, 0.9e6, 1.2e6 */
    assert_close(payer_at(&r, 1, 1, PS_PAYER_CENTRAL), 0.3e6, 1e-15);
    assert_close(payer_at(&r, 1, 1, PS_PAYER_SOCIAL_INSURANCE), 0.9e6, 1e-15);
    assert_close(payer_at(&r, 1, 1, PS_PAYER_EMPLOYER), 1.2e6, 1e-14);
    /* monthly subsidy by default: all local, 7,500 child-years x 600 x 12 */
    assert_close(payer_at(&r, 2, 1, PS_PAYER_LOCAL), 7500.0 * 7200.0, 1e-15);
    assert_true(payer_at(&r, 2, 1, PS_PAYER_CENTRAL) == 0.0);
    /* childcare by default: the places built in the first year by the central budget
     * (from 4.08 to 8 per 1,000 of 25,000 persons = 98 places x 10,000), the rest local */
    assert_close(payer_at(&r, 3, 0, PS_PAYER_CENTRAL), (8.0 - 4.08) * 25.0 * 10000.0, 1e-12);
    assert_close(payer_at(&r, 3, 0, PS_PAYER_LOCAL),
                 r.ledger[3].cost[0] - (8.0 - 4.08) * 25.0 * 10000.0, 1e-12);
    assert_true(payer_at(&r, 3, 1, PS_PAYER_CENTRAL) == 0.0); /* nothing new built */
    /* Totals over payers and years agree with the ledger's. */
    r.discount_rate = eco.discount_rate;
    double local = 0.0;
    for (int y = 0; y + 1 < r.n_years; ++y) {
        local += ps_policy_payer_cost(&r, y, PS_PAYER_LOCAL, 0);
    }
    double expect = 0.0;
    for (int i = 0; i < 4; ++i) {
        expect += ps_policy_instrument_payer_total(&r, i, PS_PAYER_LOCAL, 0);
    }
    assert_close(local, expect, 1e-14);
    assert_close(ps_policy_payer_cost(&r, 2, PS_PAYER_CENTRAL, 1),
                 (2.7e6 + 0.3e6) / pow(1.0 + eco.discount_rate, 2.0), 1e-14);
    ps_result_release(&r);
}

/* Leave with the default split: maternity days beyond the baseline once per birth to the
 * social insurance fund; paternity days per birth and parental days for each of two parents
 * and each year of a child under 3 to employers. */
static void test_ledger__leave_days_beyond_the_baseline_by_parent_and_year(void **state)
{
    (void)state;
    ps_policy pol = { .lever = PS_LEVER_LEAVE, .name = "leave", .start_year = 2020,
                      .maternity_days = 188.0, .paternity_days = 20.0, .parental_days = 15.0,
                      .max_age = 3, .paid_share = 1.0 };
    ps_economy eco = PS_ECONOMY_INIT;
    eco.maternity_days = 158.0;
    eco.paternity_days = 15.0;
    eco.parental_days = 10.0;
    eco.monthly_wage = WAGE;
    ps_result r;
    tiny_ledger(&r, &pol, 1, &eco);
    const double daily = WAGE / DAYS_PER_MONTH;
    /* 1,000 births x 30 maternity days; 1,000 x 5 paternity days + 7,500 child-years x 2
     * parents x 5 parental days */
    const double mother = 1000.0 * 30.0 * daily;
    const double employer = (1000.0 * 5.0 + 7500.0 * 2 * 5.0) * daily;
    assert_close(payer_at(&r, 0, 1, PS_PAYER_SOCIAL_INSURANCE), mother, 1e-12);
    assert_close(payer_at(&r, 0, 1, PS_PAYER_EMPLOYER), employer, 1e-12);
    assert_close(r.ledger[0].cost[1], mother + employer, 1e-12);
    ps_result_release(&r);

    /* At the statutory baseline: nothing to pay. */
    pol.maternity_days = 158.0;
    pol.paternity_days = 15.0;
    pol.parental_days = 10.0;
    tiny_ledger(&r, &pol, 1, &eco);
    for (int y = 0; y + 1 < r.n_years; ++y) {
        assert_true(r.ledger[0].cost[y] == 0.0);
        for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
            assert_true(payer_at(&r, 0, y, (ps_payer)payer) == 0.0);
        }
    }
    ps_result_release(&r);
}

static void test_ledger__an_exceeded_cap_is_reported_with_its_excess(void **state)
{
    (void)state;
    ps_policy pol = { .lever = PS_LEVER_BIRTH_REWARD, .name = "reward", .start_year = 2020,
                      .amount = { 0.0, 10000.0, 50000.0 }, .eligible_share = 1.0 };
    ps_economy eco = PS_ECONOMY_INIT;
    ps_result r;
    tiny_ledger(&r, &pol, 1, &eco);
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        assert_true(isnan(r.budget_cap[payer])); /* no cap unless given */
    }
    r.budget_cap[PS_PAYER_LOCAL] = 8.0e6;   /* the reward costs 9.0e6 a year, all local */
    r.budget_cap[PS_PAYER_CENTRAL] = 1.0e6; /* the central budget pays nothing */
    r.budget_cap[PS_PAYER_EMPLOYER] = 9.5e6;
    for (int y = 0; y + 1 < r.n_years; ++y) {
        assert_close(ps_policy_budget_excess(&r, y, PS_PAYER_LOCAL), 1.0e6, 1e-15);
        assert_true(ps_policy_budget_excess(&r, y, PS_PAYER_CENTRAL) == 0.0);
        assert_true(ps_policy_budget_excess(&r, y, PS_PAYER_EMPLOYER) == 0.0);
        assert_true(isnan(ps_policy_budget_excess(&r, y, PS_PAYER_SOCIAL_INSURANCE)));
        /* the cap is not enforced: the cost stays the full 9.0e6 */
        assert_close(r.ledger[0].cost[y], 9.0e6, 1e-15);
    }
    ps_result_release(&r);
}

/* ---- projections ------------------------------------------------------------------------- */


typedef struct run_pair {
    ps_inputs in;
    ps_proj *p;
    double women0[N_AGES * PS_PARITY_COUNT];
    ps_birth_order bo;
    ps_result base, pol;
} run_pair;

static ps_run_spec spec_for(const char *name, const ps_policy *pols, int n, const ps_economy *eco)
{
    ps_run_spec s = { .name = name, .policies = pols, .n_policies = n, .economy = *eco };
    ps_response_preset(&s.response, PS_ELASTICITY_DEFAULT);
    return s;
}

/* The baseline and one policy scenario over `years` projection years. */
static void run_pair_of(run_pair *rp, int years, const ps_policy *pol, const ps_economy *eco)
{
    ps_error err;
    build(&rp->in, years);
    rp->bo = (ps_birth_order)PS_BIRTH_ORDER_INIT;
    assert_ps_ok(ps_proj_new(&rp->p, &rp->in, &err), &err);
    assert_ps_ok(ps_proj_parity_init(rp->p, &rp->bo, rp->women0, &err), &err);
    ps_run_spec b = spec_for("base", NULL, 0, eco);
    assert_ps_ok(ps_run_scenario(&rp->base, rp->p, rp->women0, &rp->bo, &b, NULL, &err), &err);
    ps_run_spec s = spec_for("policy", pol, 1, eco);
    assert_ps_ok(ps_run_scenario(&rp->pol, rp->p, rp->women0, &rp->bo, &s, &rp->base, &err),
                 &err);
}

static void release_pair(run_pair *rp)
{
    ps_result_release(&rp->base);
    ps_result_release(&rp->pol);
    ps_proj_free(rp->p);
    ps_inputs_release(&rp->in);
}

static void test_ledger__leave_at_the_baseline_moves_no_birth(void **state)
{
    (void)state;
    ps_policy pol = { .lever = PS_LEVER_LEAVE, .name = "leave", .start_year = 2026,
                      .maternity_days = 158.0, .paternity_days = 15.0, .parental_days = 10.0,
                      .max_age = 3, .paid_share = 1.0 };
    ps_economy eco = PS_ECONOMY_INIT;
    eco.maternity_days = 158.0; /* Shandong's statute */
    eco.paternity_days = 15.0;
    eco.parental_days = 10.0;
    eco.budget_cap[PS_PAYER_EMPLOYER] = 1.0;
    run_pair rp;
    run_pair_of(&rp, 12, &pol, &eco);
    for (int y = 0; y + 1 < rp.pol.n_years; ++y) {
        assert_true(ps_result_births(&rp.pol, START + y) == ps_result_births(&rp.base, START + y));
        assert_true(rp.pol.ledger[0].cost[y] == 0.0);
        assert_true(ps_policy_budget_excess(&rp.pol, y, PS_PAYER_EMPLOYER) == 0.0);
    }
    assert_true(rp.pol.births_gained_total == 0.0);
    assert_true(rp.pol.budget_cap[PS_PAYER_EMPLOYER] == 1.0); /* the economy's cap, copied */
    assert_true(isnan(rp.pol.budget_cap[PS_PAYER_LOCAL]));
    release_pair(&rp);

    /* 30 days more maternity leave do move births (tempo, +1 % per 3 paid months). */
    pol.maternity_days = 188.0;
    run_pair_of(&rp, 12, &pol, &eco);
    assert_true(ps_result_births(&rp.pol, 2027) > ps_result_births(&rp.base, 2027));
    assert_true(ps_policy_payer_cost(&rp.pol, 2027 - START, PS_PAYER_SOCIAL_INSURANCE, 0) > 0.0);
    assert_true(ps_policy_payer_cost(&rp.pol, 2027 - START, PS_PAYER_EMPLOYER, 0) == 0.0);
    release_pair(&rp);
}

static ps_policy subsidy(int start, int end)
{
    ps_policy p = { .lever = PS_LEVER_MONTHLY_SUBSIDY, .name = "monthly", .start_year = start,
                    .end_year = end, .amount = { 500.0, 500.0, 500.0 }, .eligible_share = 1.0,
                    .max_age = 3 };
    return p;
}

/* 12 years: the policy's extra daughters (born from 2026) are at most 11 at the end, below
 * the first fertile age, so every birth gained is first-generation. */
static void test_ledger__first_generation_is_all_gains_before_daughters_are_mothers(void **state)
{
    (void)state;
    ps_policy pol = subsidy(2026, 2030);
    ps_economy eco = PS_ECONOMY_INIT;
    run_pair rp;
    run_pair_of(&rp, 12, &pol, &eco);
    assert_true(rp.pol.births_gained_total > 0.0);
    assert_true(rp.pol.births_gained_first_gen == rp.pol.births_gained_total);
    assert_true(rp.pol.births_gained_first_gen_window > 0.0);
    assert_true(rp.pol.births_gained_first_gen_window <= rp.pol.births_gained_first_gen);
    release_pair(&rp);
}

/* 60 years: the extra daughters have children of their own, which are not first-generation
 * gains; the window's cost per birth divides by the first generation's window gains. */
static void test_ledger__first_generation_excludes_the_daughters_births(void **state)
{
    (void)state;
    ps_policy pol = subsidy(2026, 2030);
    ps_economy eco = PS_ECONOMY_INIT;
    run_pair rp;
    run_pair_of(&rp, 60, &pol, &eco);
    const ps_result *r = &rp.pol;
    /* Births to the women the policy added, counted by hand at the engine's exposure. */
    double daughters = 0.0, gained = 0.0;
    for (int y = 0; y + 1 < r->n_years; ++y) {
        gained += r->births_gained[ps_result_regcell(r, y, 0)];
        for (int age = 0; age < r->n_ages; ++age) {
            const size_t c0 = ps_result_cell(r, y, 0, PS_SEX_FEMALE, age);
            const size_t c1 = ps_result_cell(r, y + 1, 0, PS_SEX_FEMALE, age);
            daughters += r->asfr[ps_result_agecell(r, y, 0, age)] * 0.5 *
                         (r->population[c0] - rp.base.population[c0] + r->population[c1] -
                          rp.base.population[c1]);
        }
    }
    assert_true(daughters > 0.0);
    assert_close(r->births_gained_total, gained, 1e-12);
    assert_close(r->births_gained_first_gen, gained - daughters, 1e-9);
    assert_true(r->births_gained_first_gen < r->births_gained_total);
    /* The window 2026-2035 (2030 + 5 payback years) is before the daughters are mothers. */
    assert_close(r->window_last, 2035.0, 0.0);
    assert_close(r->births_gained_first_gen_window, r->births_gained_window, 1e-12);
    assert_close(r->births_gained_window_share, r->births_gained_window / r->births_gained_total,
                 1e-12);
    double cost = 0.0;
    for (int y = 2026 - START; START + y <= 2035; ++y) {
        cost += r->ledger[0].cost[ps_result_regcell(r, y, 0)];
    }
    assert_close(r->cost_per_additional_birth_window, cost / r->births_gained_first_gen_window,
                 1e-12);
    release_pair(&rp);
}

/* ---- scenario keys ----------------------------------------------------------------------- */

static const char *write_scenario(char *path, size_t size, const char *tag, const char *policy)
{
    snprintf(path, size, "/tmp/popsim_ledger_%s_%ld.yaml", tag, (long)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "name: ledger\nstart: 2025\nend: 2040\ndata:\n  location: China\n"
               "economy:\n  budget_cap_local: 2.5e9\npolicies:\n%s", policy);
    fclose(f);
    return path;
}

static void test_ledger__payer_keys_are_read_and_checked(void **state)
{
    (void)state;
    char path[256];
    ps_scenario scn;
    ps_error err;
    ps_error_clear(&err);
    write_scenario(path, sizeof path, "one",
                   "  - lever: birth_reward\n    start: 2026\n    second: 1000\n"
                   "    payer: central\n"
                   "  - lever: monthly_subsidy\n    start: 2026\n    second: 100\n"
                   "    payer_shares: {central: 0.25, local: 0.75}\n"
                   "  - lever: insurance\n    start: 2026\n    medical_per_birth: 100\n");
    assert_ps_ok(ps_scn_load(&scn, path, &err), &err);
    const ps_scn_member *m = &scn.members[0];
    assert_int_equal(m->n_policies, 3);
    assert_true(m->policies[0].payer_share[PS_PAYER_CENTRAL] == 1.0);
    assert_true(m->policies[0].payer_share[PS_PAYER_LOCAL] == 0.0);
    assert_true(m->policies[1].payer_share[PS_PAYER_CENTRAL] == 0.25);
    assert_true(m->policies[1].payer_share[PS_PAYER_LOCAL] == 0.75);
    assert_true(isnan(m->policies[2].payer_share[PS_PAYER_CENTRAL])); /* the lever's default */
    assert_true(m->economy.budget_cap[PS_PAYER_LOCAL] == 2.5e9);
    assert_true(isnan(m->economy.budget_cap[PS_PAYER_CENTRAL]));
    ps_scn_release(&scn);
    remove(path);

    write_scenario(path, sizeof path, "sum",
                   "  - lever: birth_reward\n    start: 2026\n    second: 1000\n"
                   "    payer_shares: {central: 0.5, local: 0.4}\n");
    test_scn_refused(path, 12, "must sum to 1"); /* at payer_shares */

    write_scenario(path, sizeof path, "both",
                   "  - lever: birth_reward\n    start: 2026\n    second: 1000\n"
                   "    payer: local\n    payer_shares: {local: 1}\n");
    test_scn_refused(path, 13, "not both"); /* at the later of the two keys */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ledger__payer_parts_add_up_to_each_cost),
        cmocka_unit_test(test_ledger__leave_days_beyond_the_baseline_by_parent_and_year),
        cmocka_unit_test(test_ledger__an_exceeded_cap_is_reported_with_its_excess),
        cmocka_unit_test(test_ledger__leave_at_the_baseline_moves_no_birth),
        cmocka_unit_test(test_ledger__first_generation_is_all_gains_before_daughters_are_mothers),
        cmocka_unit_test(test_ledger__first_generation_excludes_the_daughters_births),
        cmocka_unit_test(test_ledger__payer_keys_are_read_and_checked),
    };
    return cmocka_run_group_tests_name("ledger_payers", tests, NULL, NULL);
}

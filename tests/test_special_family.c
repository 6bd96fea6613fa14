/*
 * test_special_family.c - the special family-planning families lever (计划生育特殊家庭特别扶助,
 * issue #12, docs/policy.md sec. 8): its cost on a tiny hand-built population, nothing at a
 * share of 0, the default central/local split adding up to the cost, a part year in force,
 * no birth multiplier, and its scenario keys (monthly_amount and share required).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h> /* getpid */

#include "popsim/policy.h"
#include "popsim/result.h"
#include "popsim/scenario.h"
#include "test_util.h"

#define START 2025
#define YEARS 4    /* 1 July 2025 .. 1 July 2028: three steps */
#define AGES 60    /* 0..59 (59+ open) */
#define PER_AGE 100.0 /* persons of each sex at every age */

/* 100 persons of each sex at each age 0-59 in every year; one special_family instrument. */
static void tiny_ledger(ps_result *r, const ps_policy *pol)
{
    ps_error err;
    assert_ps_ok(ps_result_init(r, "tiny", NULL, START, YEARS, 1, AGES, NULL, &err), &err);
    assert_ps_ok(ps_result_init_parity(r, &err), &err);
    for (int y = 0; y < YEARS; ++y) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < AGES; ++age) {
                r->population[ps_result_cell(r, y, 0, sex, age)] = PER_AGE;
            }
        }
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            r->births_by_order[ps_result_ordercell(r, y, 0, k)] = 50.0;
        }
    }
    const char *names[1] = { pol->name };
    const ps_lever levers[1] = { pol->lever };
    assert_ps_ok(ps_result_init_policy(r, "base", 1, names, levers, &err), &err);
    ps_response resp;
    ps_response_preset(&resp, PS_ELASTICITY_DEFAULT);
    ps_economy eco = PS_ECONOMY_INIT;
    ps_policy_model *m = NULL;
    assert_ps_ok(ps_policy_model_new(&m, pol, 1, &resp, &eco, START, START + YEARS - 1,
                                     PER_AGE * 2 * AGES, PER_AGE * 2 * 3, &err), &err);
    const ps_birth_order bo = { .share = { 0.5, 0.4, 0.1 } };
    ps_policy_ledger(r, m, &bo);
    ps_policy_model_free(m);
}

static double payer_at(const ps_result *r, int y, ps_payer payer)
{
    return r->ledger[0].cost_by_payer[ps_result_payercell(r, y, 0, (int)payer)];
}

static void test_special_family__hand_computed_cost_and_default_split(void **state)
{
    (void)state;
    ps_policy pol = { .lever = PS_LEVER_SPECIAL_FAMILY, .name = "special", .start_year = START,
                      .parent_monthly = 590.0, .parent_from_age = 49, .parent_share = 0.01 };
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        pol.payer_share[payer] = NAN; /* the lever's default */
    }
    ps_result r;
    tiny_ledger(&r, &pol);
    /* ages 49..59: 11 ages x 2 sexes x 100 = 2,200 persons; 1 % = 22 parents; x 590 x 12 */
    const double parents = 22.0, cost = 22.0 * 590.0 * 12.0; /* 155,760 yuan */
    for (int y = 0; y + 1 < r.n_years; ++y) {
        assert_close(r.ledger[0].recipients[y], parents, 1e-14);
        assert_close(r.ledger[0].cost[y], cost, 1e-14);
        double sum = 0.0;
        for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
            sum += payer_at(&r, y, (ps_payer)payer);
        }
        assert_close(sum, r.ledger[0].cost[y], 1e-15);
        assert_close(payer_at(&r, y, PS_PAYER_CENTRAL), 0.5 * cost, 1e-15);
        assert_close(payer_at(&r, y, PS_PAYER_LOCAL), 0.5 * cost, 1e-15);
        assert_true(payer_at(&r, y, PS_PAYER_EMPLOYER) == 0.0);
        assert_true(payer_at(&r, y, PS_PAYER_SOCIAL_INSURANCE) == 0.0);
    }
    double defaults[PS_PAYER_COUNT];
    ps_policy_default_payers(defaults, PS_LEVER_SPECIAL_FAMILY);
    assert_true(defaults[PS_PAYER_CENTRAL] + defaults[PS_PAYER_LOCAL] == 1.0);
    ps_result_release(&r);

    /* From age 55: 5 ages x 200 x 1 % = 10 parents. */
    pol.parent_from_age = 55;
    tiny_ledger(&r, &pol);
    assert_close(r.ledger[0].cost[0], 10.0 * 590.0 * 12.0, 1e-14);
    ps_result_release(&r);

    /* Starting 1 January 2026: half of the step from 1 July 2025, all of the later ones. */
    pol.parent_from_age = 49;
    pol.start_year = START + 1;
    tiny_ledger(&r, &pol);
    assert_close(r.ledger[0].cost[0], 0.5 * cost, 1e-14);
    assert_close(r.ledger[0].cost[1], cost, 1e-14);
    ps_result_release(&r);
}

static void test_special_family__share_zero_costs_nothing(void **state)
{
    (void)state;
    ps_policy pol = { .lever = PS_LEVER_SPECIAL_FAMILY, .name = "special", .start_year = START,
                      .parent_monthly = 590.0, .parent_from_age = 49, .parent_share = 0.0,
                      .payer_share = { 0.2, 0.8, 0.0, 0.0 } };
    ps_result r;
    tiny_ledger(&r, &pol);
    for (int y = 0; y + 1 < r.n_years; ++y) {
        assert_true(r.ledger[0].cost[y] == 0.0);
        assert_true(r.ledger[0].recipients[y] == 0.0);
        for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
            assert_true(payer_at(&r, y, (ps_payer)payer) == 0.0);
        }
    }
    ps_result_release(&r);

    /* A given split: 20 % central, 80 % local, adding up to the cost. */
    pol.parent_share = 0.01;
    tiny_ledger(&r, &pol);
    assert_close(payer_at(&r, 1, PS_PAYER_CENTRAL), 0.2 * 155760.0, 1e-15);
    assert_close(payer_at(&r, 1, PS_PAYER_LOCAL), 0.8 * 155760.0, 1e-15);
    ps_result_release(&r);
}

/* A cost only: the multipliers stay exactly 1 in every step. */
static void test_special_family__moves_no_birth(void **state)
{
    (void)state;
    ps_policy pol = { .lever = PS_LEVER_SPECIAL_FAMILY, .name = "special", .start_year = START,
                      .parent_monthly = 1e5, .parent_from_age = 49, .parent_share = 1.0 };
    ps_response resp;
    ps_response_preset(&resp, PS_ELASTICITY_HIGH);
    ps_economy eco = PS_ECONOMY_INIT;
    ps_policy_model *m = NULL;
    ps_error err;
    assert_ps_ok(ps_policy_model_new(&m, &pol, 1, &resp, &eco, START, START + 20, 1e6, 3e4, &err),
                 &err);
    for (int year = START; year < START + 20; ++year) {
        double mult[PS_ORDER_COUNT];
        ps_policy_multipliers(m, year, 1e6, 3e4, mult);
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            assert_true(mult[k] == 1.0);
        }
        const double births[PS_ORDER_COUNT] = { 100.0, 80.0, 20.0 };
        ps_policy_observe(m, births);
    }
    ps_policy_model_free(m);
}

/* ---- scenario keys ----------------------------------------------------------------------- */

static void test_special_family__keys_are_read_and_required(void **state)
{
    (void)state;
    char path[256];
    ps_scenario scn;
    ps_error err;
    ps_error_clear(&err);
    test_china_scenario(path, sizeof path, "special_ok", "policies:\n"
                   "  - lever: special_family\n    start: 2026\n    monthly_amount: 590\n"
                   "    share: 0.004\n"
                   "  - lever: special_family\n    name: disabled\n    start: 2026\n"
                   "    monthly_amount: 460\n    share: 0.002\n    from_age: 50\n"
                   "    payer: local\n");
    assert_ps_ok(ps_scn_load(&scn, path, &err), &err);
    const ps_scn_member *m = &scn.members[0];
    assert_int_equal(m->n_policies, 2);
    assert_int_equal(m->policies[0].lever, PS_LEVER_SPECIAL_FAMILY);
    assert_string_equal(m->policies[0].name, "special_family");
    assert_true(m->policies[0].parent_monthly == 590.0);
    assert_true(m->policies[0].parent_share == 0.004);
    assert_int_equal(m->policies[0].parent_from_age, 49); /* the national rule */
    assert_true(isnan(m->policies[0].payer_share[PS_PAYER_CENTRAL]));
    assert_int_equal(m->policies[1].parent_from_age, 50);
    assert_true(m->policies[1].payer_share[PS_PAYER_LOCAL] == 1.0);
    ps_scn_release(&scn);
    remove(path);

    test_china_scenario(path, sizeof path, "special_noshare", "policies:\n"
                   "  - lever: special_family\n    start: 2026\n    monthly_amount: 590\n");
    err = test_scn_refused(path, 0, "missing required key 'policies[0].share'");
    assert_true(err.line > 0 && err.column > 0);

    test_china_scenario(path, sizeof path, "special_wronglever", "policies:\n"
                   "  - lever: birth_reward\n    start: 2026\n    second: 1000\n"
                   "    share: 0.1\n");
    test_scn_refused(path, 10, "does not apply to lever birth_reward");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_special_family__hand_computed_cost_and_default_split),
        cmocka_unit_test(test_special_family__share_zero_costs_nothing),
        cmocka_unit_test(test_special_family__moves_no_birth),
        cmocka_unit_test(test_special_family__keys_are_read_and_required),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

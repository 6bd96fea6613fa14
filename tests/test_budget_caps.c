/*
 * test_budget_caps.c - budget caps by year (issue #12, docs/policy.md sec. 7.3): a table is
 * a step function (a value holds from its year to the next one's, no cap before the first),
 * each year's excess is the payer's cost above that year's cap, the scalar form still holds
 * for every year, and the scenario keys read both forms and refuse years out of order and
 * negative amounts at their line and column.
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
#define YEARS 8 /* steps 2025..2031 */

static void test_caps__table_is_a_step_function(void **state)
{
    (void)state;
    const ps_cap_table t = { .n = 3, .year = { 2026, 2028, 2031 }, .value = { 1e6, 2e6, 5e5 } };
    assert_true(isnan(ps_cap_table_at(&t, 2025))); /* before the first year: no cap */
    assert_true(ps_cap_table_at(&t, 2026) == 1e6);
    assert_true(ps_cap_table_at(&t, 2027) == 1e6); /* held, not interpolated */
    assert_true(ps_cap_table_at(&t, 2028) == 2e6);
    assert_true(ps_cap_table_at(&t, 2030) == 2e6);
    assert_true(ps_cap_table_at(&t, 2031) == 5e5);
    assert_true(ps_cap_table_at(&t, 2100) == 5e5); /* the last to the end */
    const ps_cap_table none = { .n = 0 };
    assert_true(isnan(ps_cap_table_at(&none, 2030)));
}

/* One instrument whose local cost in step y is (y + 1) million yuan. */
static void rising_cost(ps_result *r)
{
    ps_error err;
    const char *names[1] = { "reward" };
    const ps_lever levers[1] = { PS_LEVER_BIRTH_REWARD };
    assert_ps_ok(ps_result_init(r, "caps", NULL, START, YEARS, 1, 5, NULL, &err), &err);
    assert_ps_ok(ps_result_init_policy(r, "base", 1, names, levers, &err), &err);
    for (int y = 0; y + 1 < YEARS; ++y) {
        r->ledger[0].cost[y] = (y + 1) * 1e6;
        r->ledger[0].cost_discounted[y] = r->ledger[0].cost[y];
        for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
            r->ledger[0].cost_by_payer[ps_result_payercell(r, y, 0, payer)] =
                payer == PS_PAYER_LOCAL ? (y + 1) * 1e6 : 0.0;
        }
    }
}

static void test_caps__excess_by_year_against_the_table(void **state)
{
    (void)state;
    ps_economy eco = PS_ECONOMY_INIT;
    eco.budget_cap_by_year[PS_PAYER_LOCAL] =
        (ps_cap_table){ .n = 2, .year = { 2027, 2029 }, .value = { 2.5e6, 4.5e6 } };
    eco.budget_cap[PS_PAYER_CENTRAL] = 1e6; /* the scalar form: every year */
    ps_result r;
    ps_error err;
    rising_cost(&r);
    assert_ps_ok(ps_policy_set_budget_caps(&r, &eco, &err), &err);
    assert_true(isnan(r.budget_cap[PS_PAYER_LOCAL])); /* the table replaces the scalar */
    assert_non_null(r.budget_cap_by_year[PS_PAYER_LOCAL]);
    assert_null(r.budget_cap_by_year[PS_PAYER_CENTRAL]);
    assert_true(ps_policy_has_budget_cap(&r, PS_PAYER_LOCAL));
    assert_true(ps_policy_has_budget_cap(&r, PS_PAYER_CENTRAL));
    assert_false(ps_policy_has_budget_cap(&r, PS_PAYER_EMPLOYER));
    /* local costs 1..7 M in 2025..2031; caps none, none, 2.5, 2.5, 4.5, 4.5, 4.5 M */
    static const double excess[YEARS - 1] = { NAN, NAN, 0.5e6, 1.5e6, 0.5e6, 1.5e6, 2.5e6 };
    for (int y = 0; y + 1 < YEARS; ++y) {
        const double got = ps_policy_budget_excess(&r, y, PS_PAYER_LOCAL);
        if (isnan(excess[y])) {
            assert_true(isnan(got));
            assert_true(isnan(ps_policy_budget_cap(&r, y, PS_PAYER_LOCAL)));
        } else {
            assert_close(got, excess[y], 1e-15);
        }
        assert_true(ps_policy_budget_excess(&r, y, PS_PAYER_CENTRAL) == 0.0); /* pays 0 */
    }
    assert_true(isnan(r.budget_cap_by_year[PS_PAYER_LOCAL][YEARS - 1])); /* no last step */
    /* A cap met: 2031's 4.5 M against a 7 M cost is exceeded, 2027's 3 M cost above 2.5 M. */
    ps_result copy;
    rising_cost(&copy);
    assert_ps_ok(ps_policy_copy_budget_caps(&copy, &r, &err), &err);
    for (int y = 0; y < YEARS; ++y) {
        const double a = r.budget_cap_by_year[PS_PAYER_LOCAL][y];
        const double b = copy.budget_cap_by_year[PS_PAYER_LOCAL][y];
        assert_true((isnan(a) && isnan(b)) || a == b);
    }
    ps_result_release(&copy);
    ps_result_release(&r);
}

static void test_caps__keys_read_both_forms_and_refuse_bad_tables(void **state)
{
    (void)state;
    char path[256];
    ps_scenario scn;
    ps_error err;
    ps_error_clear(&err);
    test_china_scenario(path, sizeof path, "caps_ok", "economy:\n"
                   "  budget_cap_local: {2025: 1.2e9, 2030: 1.5e9}\n"
                   "  budget_cap_central: 3e9\n"
                   "variants:\n  - name: v\n    economy:\n      budget_cap_local: 2e9\n"
                   "      budget_cap_employer:\n        2026: 1e8\n        2028: 0\n");
    assert_ps_ok(ps_scn_load(&scn, path, &err), &err);
    const ps_economy *e0 = &scn.members[0].economy, *e1 = &scn.members[1].economy;
    assert_int_equal(e0->budget_cap_by_year[PS_PAYER_LOCAL].n, 2);
    assert_int_equal(e0->budget_cap_by_year[PS_PAYER_LOCAL].year[1], 2030);
    assert_true(e0->budget_cap_by_year[PS_PAYER_LOCAL].value[1] == 1.5e9);
    assert_true(isnan(e0->budget_cap[PS_PAYER_LOCAL]));
    assert_true(e0->budget_cap[PS_PAYER_CENTRAL] == 3e9);
    assert_int_equal(e0->budget_cap_by_year[PS_PAYER_CENTRAL].n, 0);
    /* the variant: a scalar replaces the inherited table; its own table for employers */
    assert_int_equal(e1->budget_cap_by_year[PS_PAYER_LOCAL].n, 0);
    assert_true(e1->budget_cap[PS_PAYER_LOCAL] == 2e9);
    assert_true(e1->budget_cap[PS_PAYER_CENTRAL] == 3e9);
    assert_int_equal(e1->budget_cap_by_year[PS_PAYER_EMPLOYER].n, 2);
    assert_true(e1->budget_cap_by_year[PS_PAYER_EMPLOYER].value[1] == 0.0);
    ps_scn_release(&scn);
    remove(path);

    test_china_scenario(path, sizeof path, "caps_order",
                        "economy:\n  budget_cap_local: {2030: 1.5e9, 2025: 1e9}\n");
    err = test_scn_refused(path, 7, "year 2025 follows year 2030");
    assert_int_equal(err.column, 35); /* at the year out of order */

    test_china_scenario(path, sizeof path, "caps_neg",
                        "economy:\n  budget_cap_local:\n    2025: 1e9\n    2030: -1\n");
    test_scn_refused(path, 9, "economy.budget_cap_local.2030 = -1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_caps__table_is_a_step_function),
        cmocka_unit_test(test_caps__excess_by_year_against_the_table),
        cmocka_unit_test(test_caps__keys_read_both_forms_and_refuse_bad_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

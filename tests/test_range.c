/*
 * test_range.c - the response range of policy variants (issue #12, popsim/range.h): births
 * gained rise with the response for cash levers (low <= default <= high, and along a grid of
 * cash elasticities), the chosen preset's column is the variant's own result bit for bit,
 * the presets' parameters are recorded, and an instrument's stated terms go to the file and
 * come back unchanged.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

#include "popsim/builder.h"
#include "popsim/h5out.h"
#include "popsim/range.h"
#include "popsim/run.h"
#include "popsim/scenario.h"

#define RANGE_SCENARIO PS_TEST_DATA_DIR "/good/range_cash.yaml"

typedef struct fixture {
    ps_scenario scn;
    ps_inputs in;
    ps_run *run;
} fixture;

/* Every unit and finish; the run stays open for its results. */
static void run_all(fixture *fx, ps_elasticity choice)
{
    ps_error err;
    ps_run_options opts = PS_RUN_OPTIONS_INIT;
    ps_error_clear(&err);
    opts.elasticity = choice;
    ps_run_free(fx->run);
    fx->run = NULL;
    assert_ps_ok(ps_run_new(&fx->run, &fx->scn, &fx->in, &opts, &err), &err);
    for (int k = 0; k < ps_run_n_units(fx->run); ++k) {
        int member = -1, replicate = -1;
        ps_run_unit_at(fx->run, k, &member, &replicate);
        assert_ps_ok(ps_run_unit(fx->run, member, replicate, &err), &err);
    }
    assert_ps_ok(ps_run_finish(fx->run, &err), &err);
}

static int setup(void **state)
{
    ps_error err;
    ps_build_options bo = { .wpp_dir = NULL, .project_root = PS_SOURCE_DIR, .cache_dir = NULL };
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    ps_error_clear(&err);
    assert_ps_ok(ps_scn_load(&fx->scn, RANGE_SCENARIO, &err), &err);
    assert_ps_ok(ps_build_inputs(&fx->in, &fx->scn, &bo, &err), &err);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ps_run_free(fx->run);
    ps_inputs_release(&fx->in);
    ps_scn_release(&fx->scn);
    free(fx);
    return 0;
}

static const ps_result *member_result(const fixture *fx, const char *name)
{
    int n = 0;
    const ps_result *res = ps_run_results(fx->run, &n);
    for (int k = 0; k < n; ++k) {
        if (strcmp(res[k].name, name) == 0) {
            return &res[k];
        }
    }
    fail_msg("no scenario '%s' in the run", name);
    return NULL;
}

static int preset_index(ps_elasticity e)
{
    for (int p = 0; p < PS_RANGE_PRESETS; ++p) {
        if (ps_range_preset_order[p] == e) {
            return p;
        }
    }
    fail_msg("preset %d not in the file's order", (int)e);
    return -1;
}

/* Births gained under the presets, in the file's order low, default, high, rise for both
 * cash levers; the baseline has no range. */
static void test_range__births_gained_rise_from_low_to_high_for_cash_levers(void **state)
{
    fixture *fx = *state;
    static const char *const cash[] = { "reward", "subsidy" };
    const int lo = preset_index(PS_ELASTICITY_LOW), mid = preset_index(PS_ELASTICITY_DEFAULT);
    const int hi = preset_index(PS_ELASTICITY_HIGH);
    run_all(fx, PS_ELASTICITY_DEFAULT);
    assert_null(member_result(fx, "range_cash")->range);
    for (size_t k = 0; k < sizeof cash / sizeof cash[0]; ++k) {
        const ps_policy_range *g = member_result(fx, cash[k])->range;
        assert_non_null(g);
        assert_true(g->compared && g->computed);
        for (int m = PS_RANGE_BIRTHS_GAINED; m <= PS_RANGE_BIRTHS_GAINED_WINDOW_DISCOUNTED; ++m) {
            const double a = g->value[lo][m], b = g->value[mid][m], c = g->value[hi][m];
            if (!(a < b && b < c)) {
                fail_msg("%s: %s low %.17g, default %.17g, high %.17g", cash[k],
                         ps_range_measure_name((ps_range_measure)m), a, b, c);
            }
        }
        /* The same cost buys more births at a stronger response. */
        assert_true(g->value[hi][PS_RANGE_COST_PER_BIRTH] <
                    g->value[mid][PS_RANGE_COST_PER_BIRTH]);
    }
}

/* The chosen preset's column is the variant's own figures, bit for bit: default for the run's
 * choice, high for the variant that sets response.elasticity, and high for all with
 * --elasticity high. The recorded parameters are the presets'. */
static void test_range__chosen_column_is_the_variant_own_result(void **state)
{
    fixture *fx = *state;
    static const ps_elasticity choices[] = { PS_ELASTICITY_DEFAULT, PS_ELASTICITY_HIGH };
    for (size_t c = 0; c < sizeof choices / sizeof choices[0]; ++c) {
        run_all(fx, choices[c]);
        static const char *const names[] = { "reward", "subsidy", "subsidy_high" };
        for (size_t k = 0; k < sizeof names / sizeof names[0]; ++k) {
            const ps_result *r = member_result(fx, names[k]);
            const ps_elasticity want = k == 2 ? PS_ELASTICITY_HIGH : choices[c];
            assert_non_null(r->range);
            assert_int_equal(r->range->chosen, want);
            const int p = preset_index(want);
            for (int m = 0; m < PS_RANGE_COUNT; ++m) {
                const double v = r->range->value[p][m];
                const double own = ps_range_measure_of(r, (ps_range_measure)m);
                assert_memory_equal(&v, &own, sizeof v);
            }
            for (int q = 0; q < PS_RANGE_PRESETS; ++q) {
                ps_response preset;
                ps_response_preset(&preset, ps_range_preset_order[q]);
                assert_true(r->range->response[q].cash_elasticity == preset.cash_elasticity);
                assert_true(r->range->response[q].quantum_share == preset.quantum_share);
            }
        }
        /* subsidy_high projects the same policy as subsidy: its column equals subsidy's high. */
        const ps_policy_range *a = member_result(fx, "subsidy")->range;
        const ps_policy_range *b = member_result(fx, "subsidy_high")->range;
        assert_memory_equal(a->value, b->value, sizeof a->value);
    }
}

/* Along a grid of cash elasticities (the quantum share fixed by an override), births gained
 * never fall: the response is monotone in the elasticity, not only across the presets. */
static void test_range__births_gained_never_fall_along_the_cash_elasticity(void **state)
{
    fixture *fx = *state;
    static const double grid[] = { 0.05, 0.1234, 0.2, 0.3, 0.4567, 0.6 };
    ps_scn_member *subsidy = NULL;
    for (int k = 0; k < fx->scn.n_members; ++k) {
        if (strcmp(fx->scn.members[k].name, "subsidy") == 0) {
            subsidy = &fx->scn.members[k];
        }
    }
    assert_non_null(subsidy);
    double before = -HUGE_VAL;
    for (size_t k = 0; k < sizeof grid / sizeof grid[0]; ++k) {
        subsidy->response.cash_elasticity = grid[k];
        subsidy->response.quantum_share = 0.5;
        run_all(fx, PS_ELASTICITY_DEFAULT);
        const ps_result *r = member_result(fx, "subsidy");
        assert_true(r->births_gained_total > before);
        before = r->births_gained_total;
        /* The override holds under every preset: the range collapses onto one value. */
        for (int p = 0; p < PS_RANGE_PRESETS; ++p) {
            assert_close(r->range->value[p][PS_RANGE_BIRTHS_GAINED], r->births_gained_total,
                         1e-12);
        }
    }
}

/* Stated terms: what the scenario says, in the result and back from the file. */
static void test_range__stated_terms_reach_the_file_and_come_back(void **state)
{
    fixture *fx = *state;
    char dir[] = "/tmp/ps_test_range_XXXXXX", path[64], cmd[128];
    ps_error err;
    ps_result back;
    ps_error_clear(&err);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/range.h5", dir);
    run_all(fx, PS_ELASTICITY_DEFAULT);
    assert_ps_ok(ps_run_write(fx->run, path, &err), &err);
    const ps_result *r = member_result(fx, "subsidy");
    const ps_policy *p = &r->range->stated[0];
    assert_int_equal(p->lever, PS_LEVER_MONTHLY_SUBSIDY);
    assert_true(p->amount[1] == 678.0 && p->amount[2] == 789.0 && p->amount[0] == 0.0);
    assert_int_equal(p->max_age, 3);
    assert_int_equal(p->born_from, 2026);
    assert_int_equal(p->start_year, 2026);
    assert_int_equal(p->end_year, 2035);
    assert_true(p->eligible_share == 0.85);
    assert_ps_ok(ps_h5_read(&back, path, "subsidy", &err), &err);
    assert_non_null(back.range);
    assert_int_equal(back.range->n_stated, 1);
    ps_policy_term want[PS_POLICY_TERMS_MAX], got[PS_POLICY_TERMS_MAX];
    const int n = ps_policy_terms(want, p);
    assert_int_equal(ps_policy_terms(got, &back.range->stated[0]), n);
    for (int k = 0; k < n; ++k) {
        assert_string_equal(got[k].name, want[k].name);
        assert_true(got[k].value == want[k].value);
    }
    assert_memory_equal(back.range->value, r->range->value, sizeof r->range->value);
    assert_int_equal(back.range->chosen, PS_ELASTICITY_DEFAULT);
    ps_result_release(&back);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* Every lever's terms are set back from their names; a term of another lever is refused. */
static void test_range__every_term_of_every_lever_is_set_by_name(void **state)
{
    (void)state;
    for (int lever = 0; lever < PS_LEVER_COUNT; ++lever) {
        ps_policy p, q;
        memset(&p, 0, sizeof p);
        p.lever = (ps_lever)lever;
        q = p;
        ps_policy_term t[PS_POLICY_TERMS_MAX];
        int n = ps_policy_terms(t, &p);
        assert_true(n >= 2);
        for (int k = 0; k < n; ++k) {
            const double v = 1234.0 + k; /* whole, for the integer terms */
            assert_int_equal(ps_policy_set_term(&q, t[k].name, v), 1);
            assert_non_null(ps_policy_term_unit(p.lever, t[k].name));
        }
        n = ps_policy_terms(t, &q);
        for (int k = 0; k < n; ++k) {
            assert_true(t[k].value == 1234.0 + k);
        }
    }
    ps_policy p;
    memset(&p, 0, sizeof p);
    p.lever = PS_LEVER_LEAVE;
    assert_int_equal(ps_policy_set_term(&p, "max_age", 3.0), 0);
    assert_null(ps_policy_term_unit(PS_LEVER_LEAVE, "amount_1"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_range__births_gained_rise_from_low_to_high_for_cash_levers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range__chosen_column_is_the_variant_own_result,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_range__births_gained_never_fall_along_the_cash_elasticity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range__stated_terms_reach_the_file_and_come_back,
                                        setup, teardown),
        cmocka_unit_test(test_range__every_term_of_every_lever_is_set_by_name),
    };
    return cmocka_run_group_tests_name("range", tests, NULL, NULL);
}

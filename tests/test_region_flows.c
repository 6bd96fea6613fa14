/*
 * test_region_flows.c - internal migration by age and sex per pair and migrant parity
 * (issue #13): pairs with their own age schedules move hand-computed numbers, keep the
 * system's sum at zero and the accounting per region; a table by sex and age is read with
 * its groups and only its pairs stored; women carry their origin's parity to the destination.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "popsim/builder.h"
#include "popsim/flows.h"
#include "popsim/policy.h"
#include "popsim/proj.h"
#include "popsim/scenario.h"
#include "popsim/units.h"
#include "test_util.h"

#define N_AGES 101
#define OPEN (N_AGES - 1)
#define REG_DIR PS_TEST_DATA_DIR "/regions/"

/* Base counts of region reg (high-entropy, different shapes by region and sex). */
static double base_of(int reg, int sex, int age)
{
    return (1234.5 + 311.25 * reg) * (1.0 + 0.3 * sin(0.21 * age + 1.7 * reg)) + 3.5 * sex;
}

/* Inputs of n_reg regions for `years` steps; zero_risks = no deaths below the open age
 * (which needs a death rate), no births and no international migration, so a step only
 * ages and moves people; else risks of a plausible size. */
static void build(ps_inputs *in, int n_reg, int years, int zero_risks)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, 2020, 2020 + years, n_reg, N_AGES, &err), &err);
    for (int reg = 0; reg < n_reg; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                in->base.count[ps_pop_idx(&in->base, reg, sex, age)] = base_of(reg, sex, age);
            }
        }
        for (int step = 0; step < years; ++step) {
            in->srb[(size_t)step * (size_t)n_reg + (size_t)reg] = 1.06;
            for (int age = 0; age < N_AGES; ++age) {
                const double x = (age - 29.5) / 6.1;
                in->asfr[ps_inputs_asfr_idx(in, step, reg, age)] =
                    zero_risks || age < 15 || age > 49 ? 0.0
                                                       : (0.071 + 0.013 * reg) * exp(-0.5 * x * x);
                for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                    in->mx[ps_inputs_idx(in, step, reg, sex, age)] =
                        zero_risks ? (age == OPEN ? 0.5 : 0.0)
                                   : 0.0011 + 4.3e-5 * exp(0.089 * age);
                    in->mig[ps_inputs_idx(in, step, reg, sex, age)] =
                        zero_risks ? 0.0 : (age < 60 ? 2.75 - 1.5 * reg : 0.25);
                }
            }
        }
    }
}

/* Rate of the pair by age: a hump at 20-30, different by sex (per person-year); none at
 * age 0, whose movers would leave a region without births below zero. */
static double aged_rate_of(int sex, int age)
{
    if (age == 0) {
        return 0.0;
    }
    const double x = (age - 24.5) / 7.3;
    return (0.0093 + 0.0041 * sex) * exp(-0.5 * x * x) + 0.0017;
}

/* Flows of n_reg regions with one pair by age, orig -> dest, and no factored rates. */
static void aged_flows(ps_flows *f, int n_reg, int orig, int dest)
{
    ps_error err;
    assert_ps_ok(ps_flows_init(f, n_reg, N_AGES, 1, 0, &err), &err);
    assert_ps_ok(ps_flows_init_aged(f, 1, &orig, &dest, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            f->aged_rate[ps_flows_aged_idx(f, 0, 0, sex, age)] = aged_rate_of(sex, age);
        }
    }
    assert_ps_ok(ps_flows_validate(f, &err), &err);
}

static void run(ps_result *res, const ps_inputs *in, const ps_flows *f)
{
    ps_error err;
    ps_proj *p = NULL;
    assert_ps_ok(ps_proj_new(&p, in, &err), &err);
    assert_ps_ok(ps_proj_set_flows(p, f, &err), &err);
    assert_ps_ok(ps_proj_run(res, p, "t", NULL, &err), &err);
    ps_proj_free(p);
}

/*
 * Without deaths, births or international migration a step only ages and moves people. The
 * movers at age x are m(x) = r(x) P_A(x), half joining the cohort at the start of the step
 * and half at its end (docs/model.md 2.1), so with h = 1/2
 *     P_B(a, t+1) = P_B(a-1, t) + h (m(a-1) + m(a)),   P_A(a, t+1) = P_A(a-1, t) - h (...)
 * and at age 0 h m(0) (the open group, with its deaths, is checked by its movers only).
 */
static void test_region_flows__pair_by_age_moves_hand_computed_numbers(void **state)
{
    (void)state;
    ps_inputs in;
    ps_flows f;
    ps_result r;
    build(&in, 2, 1, 1);
    aged_flows(&f, 2, 0, 1);
    run(&r, &in, &f);
    const double h = 0.5;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int a = 0; a < N_AGES; ++a) {
            const double m1 = aged_rate_of(sex, a) * base_of(0, sex, a);
            const double m0 = a > 0 ? aged_rate_of(sex, a - 1) * base_of(0, sex, a - 1) : 0.0;
            const double moved = h * (m0 + m1) + (a == OPEN ? h * m1 : 0.0);
            const double stay_a = a > 0 ? base_of(0, sex, a - 1) : 0.0;
            const double stay_b = a > 0 ? base_of(1, sex, a - 1) : 0.0;
            if (a < OPEN) {
                assert_close(r.population[ps_result_cell(&r, 1, 1, sex, a)], stay_b + moved,
                             1e-13);
                assert_close(r.population[ps_result_cell(&r, 1, 0, sex, a)], stay_a - moved,
                             1e-13);
            }
            assert_close(r.internal_in[ps_result_cell(&r, 0, 1, sex, a)], moved, 1e-13);
            assert_close(r.internal_out[ps_result_cell(&r, 0, 0, sex, a)], moved, 1e-13);
        }
    }
    ps_result_release(&r);
    ps_flows_release(&f);
    ps_inputs_release(&in);
}

/* Factored pairs (Rogers-Castro) and pairs by age together: in = out over the system in
 * every year and cell, and each region's total changes by B - D + M + in - out. */
static void test_region_flows__pairs_by_age_with_factored_pairs_keep_the_accounts(void **state)
{
    (void)state;
    static const double pairs[9] = { 0.0, 0.0213, 0.0071, 0.0123, 0.0, 0.0347,
                                     0.0052, 0.0161, 0.0 };
    ps_inputs in;
    ps_flows f;
    ps_result r;
    ps_error err;
    double shape[N_AGES];
    const ps_rogers_castro rc = PS_ROGERS_CASTRO_INIT;
    build(&in, 3, 12, 0);
    ps_sched_rogers_castro(shape, N_AGES, &rc);
    assert_ps_ok(ps_flows_init(&f, 3, N_AGES, 1, 0, &err), &err);
    assert_ps_ok(ps_flows_set_pairs(&f, pairs, shape, &err), &err);
    const int orig[2] = { 2, 0 }, dest[2] = { 1, 2 };
    assert_ps_ok(ps_flows_init_aged(&f, 2, orig, dest, &err), &err);
    for (int pair = 0; pair < 2; ++pair) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                f.aged_rate[ps_flows_aged_idx(&f, 0, pair, sex, age)] =
                    (1.0 + 0.37 * pair) * aged_rate_of(sex, age);
            }
        }
    }
    assert_ps_ok(ps_flows_validate(&f, &err), &err);
    run(&r, &in, &f);
    double moved = 0.0;
    for (int y = 0; y + 1 < r.n_years; ++y) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                double in_sum = 0.0, out_sum = 0.0;
                for (int reg = 0; reg < 3; ++reg) {
                    in_sum += r.internal_in[ps_result_cell(&r, y, reg, sex, age)];
                    out_sum += r.internal_out[ps_result_cell(&r, y, reg, sex, age)];
                }
                assert_close(in_sum, out_sum, 1e-13);
                moved += in_sum;
            }
        }
        for (int reg = 0; reg < 3; ++reg) {
            double before = 0.0, after = 0.0, change = 0.0;
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                change += r.births[ps_result_sexcell(&r, y, reg, sex)];
                for (int age = 0; age < N_AGES; ++age) {
                    const size_t c = ps_result_cell(&r, y, reg, sex, age);
                    before += r.population[c];
                    after += r.population[ps_result_cell(&r, y + 1, reg, sex, age)];
                    change += -r.deaths[c] + r.net_migration[c];
                }
            }
            assert_close(after, before + change, 1e-12);
        }
    }
    assert_true(moved > 1000.0);
    /* Mixed flows by origin and destination add up to the in- and out-flows. */
    double od[3 * 3 * PS_SEX_COUNT * N_AGES];
    ps_flows_od(od, &f, 0, &r.population[ps_result_cell(&r, 0, 0, 0, 0)]);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; age += 7) {
            for (int reg = 0; reg < 3; ++reg) {
                double in_od = 0.0;
                for (int o = 0; o < 3; ++o) {
                    in_od += od[(((size_t)o * 3 + (size_t)reg) * PS_SEX_COUNT + (size_t)sex) *
                                    N_AGES + (size_t)age];
                }
                /* internal_in is credited by cohort: compare the raw arrivals at age 0, the
                 * half credited to age 0 */
                if (age == 0) {
                    assert_close(r.internal_in[ps_result_cell(&r, 0, reg, sex, 0)], 0.5 * in_od,
                                 1e-13);
                }
            }
        }
    }
    ps_result_release(&r);
    ps_flows_release(&f);
    ps_inputs_release(&in);
}

/* A pair's whole rate above 1 at some age is refused; so is a pair repeated. */
static void test_region_flows__bad_pairs_by_age_are_refused(void **state)
{
    (void)state;
    ps_flows f;
    ps_error err;
    aged_flows(&f, 2, 1, 0);
    f.aged_rate[ps_flows_aged_idx(&f, 0, 0, PS_SEX_MALE, 37)] = 0.75;
    f.out_rate[ps_flows_rate_idx(&f, 0, 1, PS_SEX_MALE, 37)] = 0.5;
    f.dest[ps_flows_dest_idx(&f, 0, 0, 1, 0)] = 1.0;
    assert_int_equal(ps_flows_validate(&f, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "age 37"));
    assert_non_null(strstr(err.msg, "over all its destinations"));
    ps_flows_release(&f);
    const int orig[2] = { 0, 0 }, dest[2] = { 1, 1 };
    assert_ps_ok(ps_flows_init(&f, 2, N_AGES, 1, 0, &err), &err);
    assert_int_equal(ps_flows_init_aged(&f, 2, orig, dest, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "repeated"));
    ps_flows_release(&f);
}

static void load(ps_scenario *scn, ps_inputs *in, const char *path)
{
    ps_error err;
    ps_build_options bo = { .wpp_dir = NULL, .project_root = PS_SOURCE_DIR, .cache_dir = NULL };
    ps_error_clear(&err);
    assert_ps_ok(ps_scn_load(scn, path, &err), &err);
    assert_ps_ok(ps_build_inputs(in, scn, &bo, &err), &err);
}

/* od_by_age.csv: North -> South Bay by 5-year groups to 85+, South Bay -> North as one group
 * 0-100; each single age takes its group's rate, and only the two pairs are stored. */
static void test_region_flows__table_by_age_reads_groups_and_stores_given_pairs(void **state)
{
    (void)state;
    ps_scenario scn;
    ps_inputs in;
    ps_flows f;
    ps_error err;
    load(&scn, &in, REG_DIR "od_by_age.yaml");
    assert_ps_ok(ps_build_flows(&f, &scn, &in, &err), &err);
    assert_int_equal(f.n_aged, 2);
    assert_int_equal(f.n_periods, 1);
    for (size_t k = 0; k < (size_t)2 * PS_SEX_COUNT * N_AGES; ++k) {
        assert_true(f.out_rate[k] == 0.0);
    }
    /* North is region 0, South Bay region 1 (their order in regions:). */
    assert_close(ps_flows_rate(&f, 0, PS_SEX_FEMALE, 0, 1, 32), 0.02438, 1e-15);
    assert_close(ps_flows_rate(&f, 0, PS_SEX_FEMALE, 0, 1, 30), 0.02438, 1e-15);
    assert_close(ps_flows_rate(&f, 0, PS_SEX_MALE, 0, 1, 2), 0.0071, 1e-15);
    assert_close(ps_flows_rate(&f, 0, PS_SEX_MALE, 0, 1, 90), 0.0021, 1e-15);
    assert_close(ps_flows_rate(&f, 0, PS_SEX_MALE, 0, 1, OPEN), 0.0021, 1e-15);
    assert_close(ps_flows_rate(&f, 0, PS_SEX_FEMALE, 1, 0, 50), 0.0053, 1e-15);
    assert_close(ps_flows_rate(&f, 0, PS_SEX_MALE, 1, 0, 0), 0.0047, 1e-15);
    ps_flows_release(&f);
    ps_inputs_release(&in);
    ps_scn_release(&scn);

    load(&scn, &in, REG_DIR "od_by_age_gap.yaml");
    assert_int_equal(ps_build_flows(&f, &scn, &in, &err), PS_EINVAL);
    assert_non_null(strstr(err.path, "od_by_age_gap.csv"));
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.msg, "no rate for female, age 30"));
    ps_inputs_release(&in);
    ps_scn_release(&scn);
}

/* With a year column each step takes the latest listed year at or before its start: steps
 * from 2030 take the 2030 rows, where South Bay -> North is not listed (no migration). */
static void test_region_flows__table_by_age_and_year_holds_each_listed_year(void **state)
{
    (void)state;
    ps_scenario scn;
    ps_inputs in;
    ps_flows f;
    ps_error err;
    load(&scn, &in, REG_DIR "od_by_age_year.yaml");
    assert_ps_ok(ps_build_flows(&f, &scn, &in, &err), &err);
    assert_int_equal(f.n_periods, ps_inputs_steps(&in));
    assert_int_equal(f.n_aged, 2);
    for (int step = 0; step < f.n_periods; ++step) {
        const int late = in.start_year + step >= 2030;
        assert_close(ps_flows_rate(&f, step, PS_SEX_FEMALE, 0, 1, 27), late ? 0.0087 : 0.0123,
                     1e-15);
        assert_close(ps_flows_rate(&f, step, PS_SEX_MALE, 0, 1, 63), late ? 0.0029 : 0.0041,
                     1e-15);
        assert_true(ps_flows_rate(&f, step, PS_SEX_MALE, 1, 0, 40) == (late ? 0.0 : 0.0047));
    }
    ps_flows_release(&f);
    ps_inputs_release(&in);
    ps_scn_release(&scn);
}

/* Rows of a table by age that break a rule, each located at its field. */
static void test_region_flows__bad_rows_by_age_are_located(void **state)
{
    (void)state;
    static const struct {
        const char *scenario;
        long line;
        int column;
        const char *words;
    } cases[] = {
        { "od_by_age_overlap.yaml", 6, 19, "age 12 of 'North' -> 'South Bay', male is given again" },
        { "od_by_age_rate.yaml", 4, 25, "rate = 1.5 is outside [0, 1]" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        char path[512];
        ps_scenario scn;
        ps_inputs in;
        ps_flows f;
        ps_error err;
        snprintf(path, sizeof path, "%s%s", REG_DIR, cases[k].scenario);
        load(&scn, &in, path);
        assert_int_equal(ps_build_flows(&f, &scn, &in, &err), PS_EINVAL);
        assert_int_equal(err.line, cases[k].line);
        assert_int_equal(err.column, cases[k].column);
        if (strstr(err.msg, cases[k].words) == NULL) {
            fail_msg("%s: message '%s' lacks '%s'", cases[k].scenario, err.msg, cases[k].words);
        }
        assert_int_equal(f.n_regions, 0); /* nothing left allocated */
        ps_inputs_release(&in);
        ps_scn_release(&scn);
    }
}

/* Parity shares of region reg's women at age a: different mixes by region, drifting with
 * age (high-entropy values summing to 1). */
static void shares_of(double sh[PS_PARITY_COUNT], int reg, int age)
{
    const double d = 0.0013 * age;
    if (reg == 0) {
        const double v[PS_PARITY_COUNT] = { 0.52 - d, 0.27, 0.15 + 0.5 * d, 0.06 + 0.5 * d };
        memcpy(sh, v, sizeof v);
    } else {
        const double v[PS_PARITY_COUNT] = { 0.21 - 0.5 * d, 0.36 - 0.5 * d, 0.29 + d, 0.14 };
        memcpy(sh, v, sizeof v);
    }
}

/*
 * Two regions with different parity mixes, women moving A -> B by a pair's age schedule, no
 * deaths below the open age and no births in the step. The cohort aged a on 1 July t+1 in B
 * holds its stayers with B's shares of a-1 and the movers h (m(a-1) + m(a)) with A's shares
 * of a-1, parity by parity; A keeps its own shares on what stays.
 */
static void test_region_flows__migrant_women_carry_their_origin_parity(void **state)
{
    (void)state;
    ps_inputs in;
    ps_flows f;
    ps_proj *p = NULL;
    ps_error err;
    build(&in, 2, 1, 1);
    for (int reg = 0; reg < 2; ++reg) {
        for (int age = 15; age <= 49; ++age) {
            const double x = (age - 29.5) / 6.1;
            in.asfr[ps_inputs_asfr_idx(&in, 0, reg, age)] = 0.083 * exp(-0.5 * x * x);
        }
    }
    aged_flows(&f, 2, 0, 1);
    assert_ps_ok(ps_proj_new(&p, &in, &err), &err);
    assert_ps_ok(ps_proj_set_flows(p, &f, &err), &err);
    const ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    static double W0[2 * N_AGES * PS_PARITY_COUNT], W[2 * N_AGES * PS_PARITY_COUNT];
    static double W1[2 * N_AGES * PS_PARITY_COUNT];
    assert_ps_ok(ps_proj_parity_init(p, &bo, W0, &err), &err);
    /* Fertility off after the calibration: the step moves no mothers up a parity. */
    memset(in.asfr, 0, (size_t)2 * N_AGES * sizeof *in.asfr);
    for (int reg = 0; reg < 2; ++reg) {
        for (int age = 0; age < N_AGES; ++age) {
            double sh[PS_PARITY_COUNT];
            shares_of(sh, reg, age);
            for (int k = 0; k < PS_PARITY_COUNT; ++k) {
                W[((size_t)reg * N_AGES + (size_t)age) * PS_PARITY_COUNT + (size_t)k] =
                    sh[k] * base_of(reg, PS_SEX_FEMALE, age);
            }
        }
    }
    enum { CELLS = 2 * PS_SEX_COUNT * N_AGES };
    static double to[CELLS], deaths[CELLS], mig[CELLS], i_in[CELLS], i_out[CELLS], i_net[CELLS];
    double births[2 * PS_SEX_COUNT], orders[2 * PS_ORDER_COUNT];
    ps_proj_events ev = { .births = births, .deaths = deaths, .net_migration = mig,
                          .internal_in = i_in, .internal_out = i_out, .internal_net = i_net };
    ps_proj_parity par = { .from = W, .to = W1, .births_by_order = orders };
    assert_ps_ok(ps_proj_step_parity(p, 0, in.base.count, to, &ev, &par, &err), &err);
    const double h = 0.5;
    double moved_total = 0.0;
    for (int a = 1; a < OPEN; ++a) {
        const double m0 = aged_rate_of(PS_SEX_FEMALE, a - 1) * base_of(0, PS_SEX_FEMALE, a - 1);
        const double m1 = aged_rate_of(PS_SEX_FEMALE, a) * base_of(0, PS_SEX_FEMALE, a);
        const double moved = h * (m0 + m1);
        double shA[PS_PARITY_COUNT], shB[PS_PARITY_COUNT];
        shares_of(shA, 0, a - 1);
        shares_of(shB, 1, a - 1);
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            const double stayers_b = shB[k] * base_of(1, PS_SEX_FEMALE, a - 1);
            const double movers_b = shA[k] * moved;
            assert_close(W1[((size_t)N_AGES + (size_t)a) * PS_PARITY_COUNT + (size_t)k],
                         stayers_b + movers_b, 1e-12);
            assert_close(W1[(size_t)a * PS_PARITY_COUNT + (size_t)k],
                         shA[k] * (base_of(0, PS_SEX_FEMALE, a - 1) - moved), 1e-12);
        }
        moved_total += moved;
    }
    assert_true(moved_total > 100.0);
    ps_proj_free(p);
    ps_flows_release(&f);
    ps_inputs_release(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_region_flows__pair_by_age_moves_hand_computed_numbers),
        cmocka_unit_test(test_region_flows__pairs_by_age_with_factored_pairs_keep_the_accounts),
        cmocka_unit_test(test_region_flows__bad_pairs_by_age_are_refused),
        cmocka_unit_test(test_region_flows__table_by_age_reads_groups_and_stores_given_pairs),
        cmocka_unit_test(test_region_flows__table_by_age_and_year_holds_each_listed_year),
        cmocka_unit_test(test_region_flows__bad_rows_by_age_are_located),
        cmocka_unit_test(test_region_flows__migrant_women_carry_their_origin_parity),
    };
    return cmocka_run_group_tests_name("region_flows", tests, NULL, NULL);
}

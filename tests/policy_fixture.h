/*
 * policy_fixture.h - the small population of the policy tests (test_policy.c,
 * test_ledger_payers.c): 101 ages, one region, from START, a stable-ish base, mortality
 * 0.0003 e^(0.085 x) + 0.0004, a Hadwiger schedule with TFR 1.3 and mean 29.5, SRB 1.06.
 */
#ifndef PS_TESTS_POLICY_FIXTURE_H
#define PS_TESTS_POLICY_FIXTURE_H

#include <math.h>

#include "popsim/demog.h"
#include "popsim/inputs.h"
#include "test_util.h"

#define N_AGES 101
#define START 2025

static void build(ps_inputs *in, int years)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, START, START + years, 1, N_AGES, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            in->base.count[ps_pop_idx(&in->base, 0, sex, age)] = 12345.5 * exp(-0.012 * age);
        }
    }
    for (int step = 0; step < years; ++step) {
        in->srb[step] = 1.06;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                in->mx[ps_inputs_idx(in, step, 0, sex, age)] = 0.0003 * exp(0.085 * age) + 0.0004;
            }
        }
        ps_sched_hadwiger(&in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)], N_AGES, 1.3, 29.5);
    }
}

#endif /* PS_TESTS_POLICY_FIXTURE_H */

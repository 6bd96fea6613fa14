/*
 * proj_fixture.h - the cohort engine fixture of the parity tests (test_parity.c,
 * test_parity_joint.c, test_parity_replay.c, test_micro_ledger.c): one region's inputs made
 * by the test's own builder (proj_fixture_two_steps for the common part), their engine, the
 * base women by age x parity, a birth-order model and a fertility history of HIST_YEARS
 * years from HIST_FIRST for the tests that fill it. Include it after
 * defining N_AGES and START (or after policy_fixture.h). Header-only like test_util.h.
 */
#ifndef PS_TESTS_PROJ_FIXTURE_H
#define PS_TESTS_PROJ_FIXTURE_H

#include <math.h>
#include <stdlib.h>

#include "popsim/proj.h"
#include "test_util.h"

#define HIST_FIRST 1950
#define HIST_YEARS (START - HIST_FIRST)

typedef struct proj_fixture {
    ps_inputs in;
    ps_proj *p;
    double women0[N_AGES * PS_PARITY_COUNT]; /* base women by age x parity */
    ps_birth_order bo;                       /* PS_BIRTH_ORDER_INIT */
    double hist[HIST_YEARS * N_AGES];        /* ASFR by year x age, zero until filled */
} proj_fixture;

/* Two steps from START for one region: women and men 1000 x exp(-0.01 age), mortality
 * 0.0005 exp(0.08 age), SRB 1.06, no migration; ASFR left for the test to set. */
static inline void proj_fixture_two_steps(ps_inputs *in)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, START, START + 2, 1, N_AGES, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            in->base.count[ps_pop_idx(&in->base, 0, sex, age)] = 1000.0 * exp(-0.01 * age);
        }
    }
    for (int step = 0; step < 2; ++step) {
        in->srb[step] = 1.06;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                in->mx[ps_inputs_idx(in, step, 0, sex, age)] = 0.0005 * exp(0.08 * age);
            }
        }
    }
}

/* An empty fixture: zero history and women, bo = PS_BIRTH_ORDER_INIT, no engine. */
static inline proj_fixture *proj_fixture_alloc(void)
{
    proj_fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->bo = (ps_birth_order)PS_BIRTH_ORDER_INIT;
    return f;
}

/* The engine of the inputs built in f->in; fails the test on error. */
static inline void proj_fixture_engine(proj_fixture *f)
{
    ps_error err;
    assert_ps_ok(ps_proj_new(&f->p, &f->in, &err), &err);
}

/* A fixture of `years` steps from build(&f->in, years), with its engine. */
static inline proj_fixture *proj_fixture_new(void (*build)(ps_inputs *, int), int years)
{
    proj_fixture *f = proj_fixture_alloc();
    build(&f->in, years);
    proj_fixture_engine(f);
    return f;
}

/* The fertility history f->hist as the engine takes it. */
static inline ps_fert_history proj_fixture_history(const proj_fixture *f)
{
    const ps_fert_history h = { .asfr = f->hist, .first_year = HIST_FIRST,
                                .n_years = HIST_YEARS };
    return h;
}

static inline void proj_fixture_free(proj_fixture *f)
{
    if (f != NULL) {
        ps_proj_free(f->p);
        ps_inputs_release(&f->in);
        free(f);
    }
}

/* cmocka teardown of a fixture at *state. */
static inline int proj_fixture_teardown(void **state)
{
    proj_fixture_free(*state);
    return 0;
}

#endif /* PS_TESTS_PROJ_FIXTURE_H */

/*
 * test_parity_joint.c - the joint fit of the base parity (issue #12, docs/model.md sec. 2.6
 * "Joint fit"): on a synthetic population whose fertility history is known (constant ASFR
 * since 1950, history levels of the first- and second-order intensities and the mean age of
 * the first-order shape chosen by the test), the fit of childlessness at 45-49, the second
 * births' share of 2017-2021 and the mean age at first birth of 2020 recovers the levels the
 * targets were made with; each target alone is met; targets out of reach fail naming their
 * keys; the scenario keys are checked at file:line:col.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/proj.h"
#include "popsim/scenario.h"
#include "test_util.h"

#define N_AGES 101
#define START 2025

#include "proj_fixture.h"

/* Women and men 1000 x exp(-0.01 age), a little mortality, no migration; the base step and
 * every year of the history have the same Hadwiger ASFR of TFR `tfr` and mean age 29. */
static void build(ps_inputs *in, double *hist, double tfr)
{
    proj_fixture_two_steps(in);
    for (int step = 0; step < 2; ++step) {
        ps_sched_hadwiger(&in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)], N_AGES, tfr, 29.0);
    }
    for (int y = 0; y < HIST_YEARS; ++y) {
        ps_sched_hadwiger(&hist[y * N_AGES], N_AGES, tfr, 29.0);
    }
}

/* cmocka set-up: the fixture of inputs and a history at TFR `tfr`, with its engine. */
static int setup_tfr(void **state, double tfr)
{
    proj_fixture *f = proj_fixture_alloc();
    build(&f->in, f->hist, tfr);
    proj_fixture_engine(f);
    *state = f;
    return 0;
}

static int setup_tfr_1_8(void **state)
{
    return setup_tfr(state, 1.8);
}

static int setup_tfr_3(void **state)
{
    return setup_tfr(state, 3.0);
}

static ps_birth_order order_shares(void)
{
    ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    bo.share[0] = 0.47;
    bo.share[1] = 0.39;
    bo.share[2] = 0.14;
    bo.first_mean_age_year = 0;
    return bo;
}

/* The base step's births by order have the scenario's shares (the fit keeps them). */
static void assert_base_shares(const ps_proj *p, const ps_inputs *in, const double *women,
                               const ps_birth_order *bo)
{
    static double W1[N_AGES * PS_PARITY_COUNT];
    double to[PS_SEX_COUNT * N_AGES], deaths[PS_SEX_COUNT * N_AGES];
    double mig[PS_SEX_COUNT * N_AGES], births[PS_SEX_COUNT], got[PS_ORDER_COUNT];
    ps_proj_events ev = { .births = births, .deaths = deaths, .net_migration = mig };
    ps_proj_parity par = { .from = women, .to = W1, .births_by_order = got };
    ps_error err;
    assert_ps_ok(ps_proj_step_parity(p, 0, in->base.count, to, &ev, &par, &err), &err);
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        assert_close(got[k] / (got[0] + got[1] + got[2]), bo->share[k], 1e-9);
    }
}

static void test_parity_joint__recovers_the_generating_levels(void **state)
{
    proj_fixture *f = *state;
    const ps_fert_history h = proj_fixture_history(f);
    ps_error err;
    static const ps_parity_fit truths[] = {
        { .first_level = 1.6, .second_level = 0.7, .first_shape_age = 26.0 },
        { .first_level = 0.8, .second_level = 1.9, .first_shape_age = 30.5 },
    };
    for (size_t i = 0; i < sizeof truths / sizeof truths[0]; ++i) {
        ps_birth_order bo = order_shares();
        bo.first_mean_age_year = 2020; /* reported by the forward model for that year */
        ps_parity_fit made, got;
        assert_ps_ok(ps_proj_parity_init_levels(f->p, &bo, &h, &truths[i], f->women0, &err), &err);
        ps_proj_parity_fit(f->p, &made);
        assert_int_equal(made.joint, 0);
        assert_true(made.childless_45_49 > 0.0 && made.childless_45_49 < 1.0);
        assert_true(made.second_share > 0.0 && made.second_share < 1.0);
        assert_true(made.first_mean_age > 16.0 && made.first_mean_age < 40.0);
        /* The targets the levels make, then the fit from the default start. */
        bo.childless_45_49 = made.childless_45_49;
        bo.second_share = made.second_share;
        bo.first_mean_age = made.first_mean_age;
        assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
        ps_proj_parity_fit(f->p, &got);
        assert_int_equal(got.joint, 1);
        assert_true(got.iterations > 0);
        assert_true(fabs(got.first_level - truths[i].first_level) < 1e-6);
        assert_true(fabs(got.second_level - truths[i].second_level) < 1e-6);
        assert_true(fabs(got.first_shape_age - truths[i].first_shape_age) < 1e-6);
        assert_true(fabs(got.childless_45_49 - bo.childless_45_49) < 1e-9);
        assert_true(fabs(got.second_share - bo.second_share) < 1e-9);
        assert_true(fabs(got.first_mean_age - bo.first_mean_age) < 1e-8);
        assert_base_shares(f->p, &f->in, f->women0, &bo);
    }
}

static void test_parity_joint__each_target_alone(void **state)
{
    proj_fixture *f = *state;
    const ps_fert_history h = proj_fixture_history(f);
    ps_error err;
    ps_parity_fit unfit, got;
    ps_birth_order bo = order_shares();
    bo.first_mean_age_year = 2020;
    const ps_parity_fit one = { .first_level = 1.0, .second_level = 1.0, .first_shape_age = 27.5 };
    assert_ps_ok(ps_proj_parity_init_levels(f->p, &bo, &h, &one, f->women0, &err), &err);
    ps_proj_parity_fit(f->p, &unfit);

    /* Childlessness alone: the one-parameter fit of before (no joint fit), b1 only. */
    bo = order_shares();
    bo.childless_45_49 = 0.8 * unfit.childless_45_49;
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
    ps_proj_parity_fit(f->p, &got);
    assert_int_equal(got.joint, 0);
    assert_true(fabs(got.childless_45_49 - bo.childless_45_49) < 1e-6);
    assert_true(got.first_level > 1.0);
    assert_true(got.second_level == 1.0);
    assert_base_shares(f->p, &f->in, f->women0, &bo);

    /* The second births' share alone: b2 only, more second births than unfitted. */
    bo = order_shares();
    bo.second_share = unfit.second_share + 0.01;
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
    ps_proj_parity_fit(f->p, &got);
    assert_int_equal(got.joint, 1);
    assert_true(fabs(got.second_share - bo.second_share) < 1e-9);
    assert_true(got.first_level == 1.0 && got.second_level > 1.0);
    assert_true(got.first_shape_age == 27.5);
    assert_base_shares(f->p, &f->in, f->women0, &bo);

    /* The mean age at first birth of 2020 alone: the shape only. */
    bo = order_shares();
    bo.first_mean_age = unfit.first_mean_age + 1.0;
    bo.first_mean_age_year = 2020;
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
    ps_proj_parity_fit(f->p, &got);
    assert_int_equal(got.joint, 1);
    assert_true(fabs(got.first_mean_age - bo.first_mean_age) < 1e-8);
    assert_true(got.first_level == 1.0 && got.second_level == 1.0);
    assert_true(got.first_shape_age > 27.5);

    /* The base year's mean age alone keeps the fit of before (no joint fit). */
    bo = order_shares();
    bo.first_mean_age = 28.0;
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
    ps_proj_parity_fit(f->p, &got);
    assert_int_equal(got.joint, 0);
    assert_true(fabs(got.first_mean_age - 28.0) < 1e-6);
}

static void test_parity_joint__is_deterministic(void **state)
{
    proj_fixture *f = *state;
    const ps_fert_history h = proj_fixture_history(f);
    static double w2[N_AGES * PS_PARITY_COUNT];
    ps_error err;
    ps_birth_order bo = order_shares();
    bo.childless_45_49 = 0.1;
    bo.second_share = 0.4;
    bo.first_mean_age = 27.0;
    bo.first_mean_age_year = 2020;
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, w2, &err), &err);
    assert_memory_equal(f->women0, w2, sizeof w2);
}

static void test_parity_joint__infeasible_targets_name_their_keys(void **state)
{
    proj_fixture *f = *state;
    const ps_fert_history h = proj_fixture_history(f);
    ps_error err;
    ps_birth_order bo = order_shares();
    bo.share[0] = 0.34; /* the base step's orders at a TFR of 3 */
    bo.share[1] = 0.31;
    bo.share[2] = 0.35;
    assert_ps_ok(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), &err);
    bo.childless_45_49 = 0.9; /* with a TFR of 3 since 1950 */
    bo.second_share = 0.4;
    assert_int_equal(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "birth_order.childless_45_49 = 0.9"));
    assert_non_null(strstr(err.msg, "cannot meet"));
    /* Alone, through the one-parameter fit, it names its key too. */
    bo.second_share = 0.0;
    assert_int_equal(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "birth_order.childless_45_49"));
    /* Years after the history, or a mean age year without a mean age. */
    bo = order_shares();
    bo.second_share = 0.4;
    bo.second_share_to = START;
    assert_int_equal(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "birth_order.second_share"));
    bo = order_shares();
    bo.first_mean_age_year = 2020;
    assert_int_equal(ps_proj_parity_init_history(f->p, &bo, &h, f->women0, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "birth_order.first_mean_age_year"));
}

typedef struct bad_key {
    const char *text; /* the birth_order lines of the scenario */
    long line;
    int column;
    const char *words;
} bad_key;

static void test_parity_joint__bad_keys_are_located(void **state)
{
    (void)state;
    static const bad_key cases[] = {
        { "  second_share: 1.2\n", 10, 17, "second_share = 1.2 is outside [0, 0.95]" },
        { "  second_share: 0.45\n  second_share_from: 2021\n  second_share_to: 2017\n", 12, 20,
          "second_share_to = 2017 is before second_share_from = 2021" },
        { "  second_share: 0.45\n  second_share_to: 2025\n", 11, 20,
          "must lie before the start year 2025" },
        { "  first_mean_age_year: 2020\n", 10, 24, "needs first_mean_age" },
        { "  first_mean_age: 27.2\n  first_mean_age_year: 2030\n", 11, 24,
          "expected 0 (the base year) or a year of the fertility history, 1950 to 2024" },
        { "  second_share: many\n", 10, 17, "second_share" },
    };
    char dir[128], path[256];
    assert_int_equal(test_make_dir(dir, sizeof dir, "parity_joint"), 0);
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        FILE *fp = fopen(path, "w");
        assert_non_null(fp);
        fprintf(fp, "name: c\nstart: 2025\nend: 2030\nengine: ccm\ndata:\n  location: China\n"
                    "birth_order:\n"
                    "  first: 0.45\n  second: 0.42\n%s", cases[i].text);
        fclose(fp);
        ps_scenario scn;
        ps_error err;
        const ps_status rc = ps_scn_load(&scn, path, &err);
        if (rc == PS_OK) {
            ps_scn_release(&scn);
            fail_msg("case %zu was accepted", i);
        }
        assert_int_equal(err.line, cases[i].line);
        assert_int_equal(err.column, cases[i].column);
        if (strstr(err.msg, cases[i].words) == NULL) {
            fail_msg("case %zu: '%s' does not say '%s'", i, err.msg, cases[i].words);
        }
    }
    assert_int_equal(test_remove_dir(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_parity_joint__recovers_the_generating_levels,
                                        setup_tfr_1_8, proj_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_parity_joint__each_target_alone, setup_tfr_1_8,
                                        proj_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_parity_joint__is_deterministic, setup_tfr_1_8,
                                        proj_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_parity_joint__infeasible_targets_name_their_keys,
                                        setup_tfr_3, proj_fixture_teardown),
        cmocka_unit_test(test_parity_joint__bad_keys_are_located),
    };
    return cmocka_run_group_tests_name("parity_joint", tests, NULL, NULL);
}

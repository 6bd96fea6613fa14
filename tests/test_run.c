/*
 * test_run.c - the run layer (popsim/run.h, issue #11): a scenario run through the public
 * API alone (this executable links libps and no CLI code) gives the same datasets as
 * `popsim run` of the same file, for the cohort engine, a policy family and the
 * microsimulation; units out of order, an unfinished run, a cancel callback and a memory
 * limit are refused with a status and a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_log.h>

#include "run_fixture.h"
#include "test_util.h"

#include "popsim/builder.h"
#include "popsim/run.h"
#include "popsim/scenario.h"

typedef run_fixture fixture;

static fixture *new_fixture(const char *path)
{
    return run_fixture_new(path, "test_run");
}

static int setup_city(void **state)
{
    *state = new_fixture(PS_SOURCE_DIR "/scenarios/example_city.yaml");
    return 0;
}

static int setup_family(void **state)
{
    *state = new_fixture(PS_TEST_DATA_DIR "/good/run_family.yaml");
    return 0;
}

static int setup_micro(void **state)
{
    *state = new_fixture(PS_SOURCE_DIR "/scenarios/example_city_micro.yaml");
    return 0;
}

/* Every unit in the order ps_run_unit_at gives, then finish and write. */
static ps_status run_all(const fixture *fx, const ps_run_options *opts, const char *path,
                         ps_error *err)
{
    ps_run *run = NULL;
    ps_status rc = ps_run_new(&run, &fx->scn, &fx->in, opts, err);
    for (int k = 0; rc == PS_OK && k < ps_run_n_units(run); ++k) {
        int member = -1, replicate = -1;
        ps_run_unit_at(run, k, &member, &replicate);
        rc = ps_run_unit(run, member, replicate, err);
    }
    if (rc == PS_OK) {
        rc = ps_run_finish(run, err);
    }
    if (rc == PS_OK) {
        rc = ps_run_write(run, path, err);
    }
    ps_run_free(run);
    return rc;
}

/* Run the scenario through the API and through `popsim run`; h5diff compares every group,
 * dataset and attribute under /scenarios (the root holds the provenance: time, command). */
static void check_same_as_program(const fixture *fx, int n_units_expected)
{
    char api[128], cli[128], cmd[1024];
    ps_error err;
    ps_run *run = NULL;
    ps_run_options opts = PS_RUN_OPTIONS_INIT;
    ps_error_clear(&err);
    opts.name = fx->scn.name;
    opts.title = fx->scn.title;
    opts.scenario_path = fx->scn.path;
    assert_ps_ok(ps_run_new(&run, &fx->scn, &fx->in, &opts, &err), &err);
    assert_int_equal(ps_run_n_units(run), n_units_expected);
    ps_run_free(run);
    snprintf(api, sizeof api, "%s/api.h5", fx->dir);
    snprintf(cli, sizeof cli, "%s/cli.h5", fx->dir);
    assert_ps_ok(run_all(fx, &opts, api, &err), &err);
    snprintf(cmd, sizeof cmd, "'%s' run -q '%s' -o '%s'", PS_POPSIM_EXE, fx->scn.path, cli);
    assert_int_equal(run_fixture_command(cmd), 0);
    snprintf(cmd, sizeof cmd, "h5diff '%s' '%s' /scenarios /scenarios", api, cli);
    assert_int_equal(run_fixture_command(cmd), 0);
}

static void test_run__public_api_gives_the_same_file_as_popsim_run(void **state)
{
    check_same_as_program(*state, 1);
}

static void test_run__family_unit_by_unit_gives_the_same_file_as_popsim_run(void **state)
{
    check_same_as_program(*state, 2);
}

static void test_run__micro_replicates_give_the_same_file_as_popsim_run(void **state)
{
    const fixture *fx = *state;
    check_same_as_program(fx, fx->scn.n_members * fx->scn.micro.replicates);
}

/* The comparison above can fail: another elasticity gives other numbers, and h5diff says so. */
static void test_run__a_different_family_differs_from_popsim_run(void **state)
{
    const fixture *fx = *state;
    char api[128], cli[128], cmd[1024];
    ps_error err;
    ps_run_options opts = PS_RUN_OPTIONS_INIT;
    ps_error_clear(&err);
    opts.elasticity = PS_ELASTICITY_HIGH;
    snprintf(api, sizeof api, "%s/high.h5", fx->dir);
    snprintf(cli, sizeof cli, "%s/default.h5", fx->dir);
    assert_ps_ok(run_all(fx, &opts, api, &err), &err);
    snprintf(cmd, sizeof cmd, "'%s' run -q '%s' -o '%s'", PS_POPSIM_EXE, fx->scn.path, cli);
    assert_int_equal(run_fixture_command(cmd), 0);
    snprintf(cmd, sizeof cmd, "h5diff -q '%s' '%s' /scenarios /scenarios", api, cli);
    assert_int_equal(run_fixture_command(cmd), 1);
}

static void test_run__variant_before_its_baseline_is_refused(void **state)
{
    const fixture *fx = *state;
    ps_error err;
    ps_run *run = NULL;
    ps_run_options opts = PS_RUN_OPTIONS_INIT;
    ps_error_clear(&err);
    assert_ps_ok(ps_run_new(&run, &fx->scn, &fx->in, &opts, &err), &err);
    assert_int_equal(ps_run_n_members(run), 2);
    assert_int_equal(ps_run_n_replicates(run), 1);
    assert_int_equal(ps_run_unit(run, 1, 0, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "needs its baseline"));
    assert_int_equal(ps_run_unit(run, 2, 0, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "not one of the 2 x 1 units"));
    assert_int_equal(ps_run_finish(run, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "unit 0 of 2 is not done"));
    assert_ps_ok(ps_run_unit(run, 0, 0, &err), &err);
    assert_int_equal(ps_run_unit(run, 0, 0, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "already done"));
    assert_int_equal(ps_run_write(run, "/nonexistent/never.h5", &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "not finished"));
    int n = -1;
    (void)ps_run_results(run, &n);
    assert_int_equal(n, 0);
    assert_ps_ok(ps_run_unit(run, 1, 0, &err), &err);
    assert_ps_ok(ps_run_finish(run, &err), &err);
    const ps_result *res = ps_run_results(run, &n);
    assert_int_equal(n, 2);
    assert_string_equal(res[1].name, "subsidy");
    assert_string_equal(res[1].baseline, "run_family");
    ps_run_free(run);
}

static ps_status cancel_after(void *ctx, ps_error *err)
{
    int *calls = ctx;
    return --*calls < 0 ? ps_error_set(err, PS_EIO, "stopped by the test") : PS_OK;
}

static void test_run__cancel_callback_stops_the_run_between_units(void **state)
{
    const fixture *fx = *state;
    ps_error err;
    char path[128];
    int calls = 1; /* the first unit runs, the second is cancelled */
    ps_run_options opts = PS_RUN_OPTIONS_INIT;
    ps_error_clear(&err);
    opts.cancel = cancel_after;
    opts.cancel_ctx = &calls;
    snprintf(path, sizeof path, "%s/cancelled.h5", fx->dir);
    assert_int_equal(run_all(fx, &opts, path, &err), PS_EIO);
    assert_string_equal(err.msg, "stopped by the test");
    assert_int_equal(calls, -1);
    assert_int_equal(access(path, F_OK), -1);
}

static void test_run__memory_limit_option_refuses_a_run_that_does_not_fit(void **state)
{
    const fixture *fx = *state;
    ps_error err;
    ps_run *run = NULL;
    ps_run_options opts = PS_RUN_OPTIONS_INIT;
    ps_error_clear(&err);
    opts.memory_limit = 4096; /* bytes */
    assert_int_equal(ps_run_new(&run, &fx->scn, &fx->in, &opts, &err), PS_ENOMEM);
    assert_null(run);
    assert_non_null(strstr(err.msg, "the run's memory limit"));
}

static void test_run__family_over_the_member_limit_is_refused_at_the_variant(void **state)
{
    fixture *fx = *state;
    ps_error err;
    ps_run_options opts = PS_RUN_OPTIONS_INIT;
    const int n_members = fx->scn.n_members;
    ps_error_clear(&err);
    assert_ps_ok(ps_run_check_scenario(&fx->scn, &opts, &err), &err);
    fx->scn.n_members = PS_RUN_MAX_MEMBERS + 1; /* only the count and members[100] are read */
    ps_scn_member *saved = fx->scn.members;
    ps_scn_member *many = calloc((size_t)PS_RUN_MAX_MEMBERS + 1, sizeof *many);
    assert_non_null(many);
    many[PS_RUN_MAX_MEMBERS].loc.line = 1234;
    many[PS_RUN_MAX_MEMBERS].loc.column = 7;
    fx->scn.members = many;
    assert_int_equal(ps_run_check_scenario(&fx->scn, &opts, &err), PS_EINVAL);
    assert_int_equal(err.line, 1234);
    assert_int_equal(err.column, 7);
    opts.allow_large = 1;
    assert_ps_ok(ps_run_check_scenario(&fx->scn, &opts, &err), &err);
    fx->scn.members = saved;
    fx->scn.n_members = n_members;
    free(many);
}

/* After ps_init a GSL domain error is a status, not an abort. */
static void test_run__init_turns_gsl_errors_into_statuses(void **state)
{
    (void)state;
    gsl_sf_result r;
    ps_init();
    ps_init(); /* idempotent */
    assert_int_equal(gsl_sf_log_e(-1.0, &r), GSL_EDOM);
}

int main(void)
{
    ps_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_run__public_api_gives_the_same_file_as_popsim_run,
                                        setup_city, run_fixture_free),
        cmocka_unit_test_setup_teardown(
            test_run__family_unit_by_unit_gives_the_same_file_as_popsim_run, setup_family,
            run_fixture_free),
        cmocka_unit_test_setup_teardown(
            test_run__micro_replicates_give_the_same_file_as_popsim_run, setup_micro,
            run_fixture_free),
        cmocka_unit_test_setup_teardown(test_run__a_different_family_differs_from_popsim_run,
                                        setup_family, run_fixture_free),
        cmocka_unit_test_setup_teardown(test_run__variant_before_its_baseline_is_refused,
                                        setup_family, run_fixture_free),
        cmocka_unit_test_setup_teardown(test_run__cancel_callback_stops_the_run_between_units,
                                        setup_family, run_fixture_free),
        cmocka_unit_test_setup_teardown(
            test_run__memory_limit_option_refuses_a_run_that_does_not_fit, setup_city,
            run_fixture_free),
        cmocka_unit_test_setup_teardown(
            test_run__family_over_the_member_limit_is_refused_at_the_variant, setup_family,
            run_fixture_free),
        cmocka_unit_test(test_run__init_turns_gsl_errors_into_statuses),
    };
    return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}

/*
 * test_scenario.c - the scenario loader: every field of the good files, and one bad file
 * per rule, each checked for its status, its line:column and a message that names the key.
 * Fixtures live in tests/data/{good,bad}/; each bad file breaks exactly one rule.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, chdir, open_memstream */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

#include "popsim/scenario.h"

#define GOOD(f) PS_TEST_DATA_DIR "/good/" f
#define BAD(f) PS_TEST_DATA_DIR "/bad/" f
#define GOOD_DIR PS_TEST_DATA_DIR "/good"

/* Load a file that must load, failing the test with the formatted error otherwise. */
static void load_ok(ps_scenario *scn, const char *path)
{
    ps_error err;
    ps_error_clear(&err);
    assert_ps_ok(ps_scn_load(scn, path, &err), &err);
}

static void assert_loc(const char *what, ps_scn_loc loc, long line, int column)
{
    if (loc.line != line || loc.column != column) {
        fail_msg("%s at %ld:%d, expected %ld:%d", what, loc.line, loc.column, line, column);
    }
}

static void assert_defaults_of_migration_spread(const ps_scenario *scn)
{
    const ps_rogers_castro rc = PS_ROGERS_CASTRO_INIT;
    assert_close(scn->migration.male_share, 0.5, 1e-15);
    assert_memory_equal(&scn->migration.schedule, &rc, sizeof rc);
}

static void test_scenario__wpp_based_file_parses_every_field(void **state)
{
    (void)state;
    ps_scenario scn;
    load_ok(&scn, GOOD("wpp_full.yaml"));
    assert_string_equal(scn.path, GOOD("wpp_full.yaml"));
    assert_string_equal(scn.dir, GOOD_DIR);
    assert_string_equal(scn.name, "china_medium");
    assert_string_equal(scn.title, "China: UN WPP 2024 medium variant");
    assert_int_equal(scn.start_year, 2025);
    assert_int_equal(scn.end_year, 2100);
    assert_int_equal(scn.engine, PS_ENGINE_CCM);
    assert_string_equal(scn.wpp_dir, GOOD_DIR "/../wpp2024");
    assert_loc("wpp_dir_loc", scn.wpp_dir_loc, 8, 12);
    assert_string_equal(scn.location, "China");
    assert_loc("location_loc", scn.location_loc, 9, 13);
    assert_string_equal(scn.region_name, "China");
    assert_null(scn.population.file.path);
    assert_null(scn.mortality.mx_file.path);
    assert_string_equal(scn.mortality.e0_file.path, GOOD_DIR "/e0.csv");
    assert_loc("mortality.e0_file.loc", scn.mortality.e0_file.loc, 12, 12);
    assert_null(scn.fertility.asfr_file.path);
    assert_null(scn.fertility.tfr_file.path);
    assert_true(scn.fertility.has_tfr);
    assert_close(scn.fertility.tfr, 1.05, 1e-15);
    assert_loc("fertility.tfr_loc", scn.fertility.tfr_loc, 14, 8);
    assert_int_equal(scn.fertility.pattern, PS_FERT_PATTERN_WPP);
    assert_loc("fertility.pattern_loc", scn.fertility.pattern_loc, 15, 12);
    assert_false(scn.fertility.has_mean_age);
    assert_true(scn.srb.has_value);
    assert_close(scn.srb.value, 1.11, 1e-15);
    assert_loc("srb.value_loc", scn.srb.value_loc, 17, 10);
    assert_null(scn.srb.file.path);
    assert_false(scn.migration.none);
    assert_true(scn.migration.has_total);
    assert_close(scn.migration.total, -150000.5, 1e-15);
    assert_loc("migration.total_loc", scn.migration.total_loc, 19, 10);
    assert_null(scn.migration.file.path);
    assert_null(scn.migration.total_file.path);
    assert_defaults_of_migration_spread(&scn);
    /* The default male share of a migration total is the one warning (issue #16). */
    assert_int_equal(scn.n_warnings, 1);
    assert_non_null(strstr(scn.warnings[0], "19:10: warning: migration.male_share is not given"));
    ps_scn_release(&scn);
}

static void test_scenario__planner_files_resolve_paths_and_default_with_warnings(void **state)
{
    (void)state;
    ps_scenario scn;
    load_ok(&scn, GOOD("planner_files.yaml"));
    assert_string_equal(scn.name, "town-2024.v1");
    assert_null(scn.title);
    assert_int_equal(scn.start_year, 2024);
    assert_int_equal(scn.end_year, 2060);
    assert_null(scn.location);
    assert_loc("location_loc", scn.location_loc, 0, 0);
    assert_null(scn.wpp_dir);
    assert_null(scn.region_name);
    assert_string_equal(scn.population.file.path, GOOD_DIR "/inputs/pop.csv");
    assert_loc("population.file.loc", scn.population.file.loc, 7, 9);
    assert_string_equal(scn.mortality.mx_file.path, "/srv/popsim/mx.csv"); /* absolute: kept */
    assert_loc("mortality.mx_file.loc", scn.mortality.mx_file.loc, 9, 12);
    assert_string_equal(scn.mortality.e0_file.path, GOOD_DIR "/inputs/e0.csv");
    assert_string_equal(scn.fertility.asfr_file.path, GOOD_DIR "/inputs/asfr.csv");
    assert_loc("fertility.asfr_file.loc", scn.fertility.asfr_file.loc, 12, 14);
    assert_false(scn.fertility.has_tfr);
    assert_int_equal(scn.fertility.pattern, PS_FERT_PATTERN_DEFAULT);
    assert_loc("fertility.pattern_loc", scn.fertility.pattern_loc, 0, 0);
    /* No srb and no location: 1.05 with a warning. No migration: closed, with a warning. */
    assert_true(scn.srb.has_value);
    assert_close(scn.srb.value, 1.05, 1e-15);
    assert_loc("srb.value_loc", scn.srb.value_loc, 0, 0);
    assert_true(scn.migration.none);
    assert_false(scn.migration.has_total);
    assert_defaults_of_migration_spread(&scn);
    assert_int_equal(scn.n_warnings, 2);
    assert_string_equal(scn.warnings[0],
                        GOOD("planner_files.yaml") ":1:1: warning: no srb.value, srb.file or "
                                                   "data.location: assuming 1.05 male births "
                                                   "per female birth");
    assert_non_null(strstr(scn.warnings[1], GOOD("planner_files.yaml") ":1:1: warning: "));
    assert_non_null(strstr(scn.warnings[1], "migration.none: true"));
    ps_scn_release(&scn);
}

static void test_scenario__migration_total_with_schedule_overrides(void **state)
{
    (void)state;
    ps_scenario scn;
    const ps_rogers_castro rc = PS_ROGERS_CASTRO_INIT;
    load_ok(&scn, GOOD("migration_schedule.yaml"));
    assert_string_equal(scn.location, "156"); /* a YAML integer, kept as text */
    assert_loc("location_loc", scn.location_loc, 7, 13);
    assert_null(scn.wpp_dir);
    assert_true(scn.migration.has_total);
    assert_close(scn.migration.total, 12000.5, 1e-15);
    assert_loc("migration.total_loc", scn.migration.total_loc, 9, 10);
    assert_close(scn.migration.male_share, 0.55, 1e-15);
    assert_close(scn.migration.schedule.a1, 0.025, 1e-15);
    assert_close(scn.migration.schedule.mu2, 23.5, 1e-15);
    assert_close(scn.migration.schedule.c, 0.0037, 1e-15);
    /* The parameters not given keep the fundamental schedule. */
    assert_close(scn.migration.schedule.alpha1, rc.alpha1, 1e-15);
    assert_close(scn.migration.schedule.a2, rc.a2, 1e-15);
    assert_close(scn.migration.schedule.alpha2, rc.alpha2, 1e-15);
    assert_close(scn.migration.schedule.lambda2, rc.lambda2, 1e-15);
    /* With a location nothing defaults with a warning: WPP fills srb and fertility. */
    assert_false(scn.srb.has_value);
    assert_false(scn.migration.none);
    assert_int_equal(scn.n_warnings, 0);
    ps_scn_release(&scn);
}

static void test_scenario__hadwiger_pattern_with_tfr_file_and_other_files(void **state)
{
    (void)state;
    ps_scenario scn;
    load_ok(&scn, GOOD("hadwiger_files.yaml"));
    assert_null(scn.location);
    assert_string_equal(scn.fertility.tfr_file.path, GOOD_DIR "/tfr.csv");
    assert_loc("fertility.tfr_file.loc", scn.fertility.tfr_file.loc, 10, 13);
    assert_false(scn.fertility.has_tfr);
    assert_int_equal(scn.fertility.pattern, PS_FERT_PATTERN_HADWIGER);
    assert_loc("fertility.pattern_loc", scn.fertility.pattern_loc, 11, 12);
    assert_true(scn.fertility.has_mean_age);
    assert_close(scn.fertility.mean_age, 30.5, 1e-15);
    assert_false(scn.srb.has_value);
    assert_string_equal(scn.srb.file.path, GOOD_DIR "/srb.csv");
    assert_false(scn.migration.none);
    assert_false(scn.migration.has_total);
    assert_string_equal(scn.migration.total_file.path, GOOD_DIR "/mig_total.csv");
    assert_loc("migration.total_file.loc", scn.migration.total_file.loc, 16, 15);
    assert_defaults_of_migration_spread(&scn);
    assert_int_equal(scn.n_warnings, 1);
    assert_non_null(strstr(scn.warnings[0], "16:15: warning: migration.male_share is not given"));
    ps_scn_release(&scn);
}

static void test_scenario__asfr_file_with_tfr_assumes_asfr_pattern_and_warns(void **state)
{
    (void)state;
    ps_scenario scn;
    load_ok(&scn, GOOD("asfr_rescaled.yaml"));
    assert_string_equal(scn.location, "Republic of Korea");
    assert_int_equal(scn.fertility.pattern, PS_FERT_PATTERN_ASFR_FILE);
    assert_loc("fertility.pattern_loc", scn.fertility.pattern_loc, 0, 0); /* assumed, not written */
    assert_true(scn.fertility.has_tfr);
    assert_close(scn.fertility.tfr, 0.72, 1e-15);
    assert_int_equal(scn.n_warnings, 1);
    assert_string_equal(scn.warnings[0],
                        GOOD("asfr_rescaled.yaml") ":9:8: warning: fertility.tfr rescales the "
                                                   "age pattern of fertility.asfr_file "
                                                   "(pattern: asfr_file assumed)");
    ps_scn_release(&scn);
}

static void test_scenario__closed_population_keeps_absolute_wpp_dir_and_warns(void **state)
{
    (void)state;
    ps_scenario scn;
    load_ok(&scn, GOOD("closed_population.yaml"));
    assert_int_equal(scn.start_year, 1950); /* both ends of the year range are allowed */
    assert_int_equal(scn.end_year, 2300);
    assert_string_equal(scn.wpp_dir, "/opt/wpp2024");
    assert_int_equal(scn.fertility.pattern, PS_FERT_PATTERN_ASFR_FILE);
    assert_true(scn.migration.none);
    assert_true(scn.srb.has_value);
    assert_close(scn.srb.value, 1.05, 1e-15);
    assert_loc("srb.value_loc", scn.srb.value_loc, 15, 10);
    assert_int_equal(scn.n_warnings, 1);
    assert_non_null(strstr(scn.warnings[0], ":6:12: warning: data.wpp_dir has no effect"));
    ps_scn_release(&scn);
}

static void test_scenario__file_in_current_folder_keeps_relative_paths(void **state)
{
    (void)state;
    char cwd[4096];
    ps_scenario scn;
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(GOOD_DIR), 0);
    load_ok(&scn, "hadwiger_files.yaml");
    assert_int_equal(chdir(cwd), 0);
    assert_string_equal(scn.path, "hadwiger_files.yaml");
    assert_string_equal(scn.dir, ".");
    assert_string_equal(scn.population.file.path, "pop.csv");
    assert_string_equal(scn.mortality.mx_file.path, "mx.csv");
    ps_scn_release(&scn);
}

/* ---------------------------------------------------------------------------------------
 * Scenario families: birth_order, economy, response, policies and variants.
 */

/* Every field of a resolved policy, against the expected one (amounts exact as written). */
static void assert_policy(const ps_policy *got, const ps_policy *want, const char *what)
{
    const double pairs[][2] = {
        { got->amount[0], want->amount[0] },
        { got->amount[1], want->amount[1] },
        { got->amount[2], want->amount[2] },
        { got->eligible_share, want->eligible_share },
        { got->low_income_topup, want->low_income_topup },
        { got->low_income_share, want->low_income_share },
        { got->spots_per_1000, want->spots_per_1000 },
        { got->operating_subsidy, want->operating_subsidy },
        { got->fee_subsidy, want->fee_subsidy },
        { got->construction_subsidy, want->construction_subsidy },
        { got->maternity_days, want->maternity_days },
        { got->paternity_days, want->paternity_days },
        { got->parental_days, want->parental_days },
        { got->paid_share, want->paid_share },
        { got->medical_per_birth, want->medical_per_birth },
        { got->employer_si_share[0], want->employer_si_share[0] },
        { got->employer_si_share[1], want->employer_si_share[1] },
        { got->employer_si_share[2], want->employer_si_share[2] },
        { got->employer_si_months, want->employer_si_months },
        { got->employer_si_monthly, want->employer_si_monthly },
        { got->employed_share, want->employed_share },
        { got->unemployment_per_birth, want->unemployment_per_birth },
        { got->unemployed_share, want->unemployed_share },
    };
    if (got->lever != want->lever || strcmp(got->name, want->name) != 0 ||
        got->start_year != want->start_year || got->end_year != want->end_year ||
        got->max_age != want->max_age || got->born_from != want->born_from) {
        fail_msg("%s: lever %d '%s' %d..%d max_age %d born_from %d, expected lever %d '%s' "
                 "%d..%d max_age %d born_from %d",
                 what, (int)got->lever, got->name, got->start_year, got->end_year, got->max_age,
                 got->born_from, (int)want->lever, want->name, want->start_year, want->end_year,
                 want->max_age, want->born_from);
    }
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; ++i) {
        if (pairs[i][0] != pairs[i][1]) {
            fail_msg("%s: double field %zu of ps_policy is %.17g, expected %.17g", what, i,
                     pairs[i][0], pairs[i][1]);
        }
    }
}

static void assert_economy(const ps_economy *got, const ps_economy *want)
{
    assert_close(got->household_income, want->household_income, 1e-15);
    assert_close(got->discount_rate, want->discount_rate, 1e-15);
    assert_close(got->childcare_spots_per_1000, want->childcare_spots_per_1000, 1e-15);
    assert_close(got->childcare_enrollment, want->childcare_enrollment, 1e-15);
    assert_close(got->childcare_ceiling, want->childcare_ceiling, 1e-15);
    assert_close(got->childcare_fee, want->childcare_fee, 1e-15);
    assert_close(got->childcare_price_elasticity, want->childcare_price_elasticity, 1e-15);
    assert_close(got->maternity_days, want->maternity_days, 1e-15);
    assert_close(got->paternity_days, want->paternity_days, 1e-15);
    assert_close(got->parental_days, want->parental_days, 1e-15);
    assert_close(got->monthly_wage, want->monthly_wage, 1e-15);
}

/* Equal, or both NaN ("not given"). */
static void assert_same(double got, double want, const char *what)
{
    if (!(got == want || (isnan(got) && isnan(want)))) {
        fail_msg("%s = %.17g, expected %.17g", what, got, want);
    }
}

static void assert_response(const ps_response *got, const ps_response *want)
{
    assert_same(got->cash_elasticity, want->cash_elasticity, "cash_elasticity");
    assert_same(got->quantum_share, want->quantum_share, "quantum_share");
    assert_same(got->lag_months, want->lag_months, "lag_months");
    assert_same(got->tempo_years, want->tempo_years, "tempo_years");
    assert_same(got->payback_years, want->payback_years, "payback_years");
    assert_same(got->childcare_per_10pp, want->childcare_per_10pp, "childcare_per_10pp");
    assert_same(got->leave_per_3_months, want->leave_per_3_months, "leave_per_3_months");
    assert_same(got->paternity_per_10_days, want->paternity_per_10_days, "paternity_per_10_days");
    assert_same(got->employer_pass_through, want->employer_pass_through, "employer_pass_through");
    for (int order = 0; order < PS_ORDER_COUNT; ++order) {
        assert_same(got->order_weight[order], want->order_weight[order], "order_weight");
        assert_same(got->childcare_weight[order], want->childcare_weight[order],
                    "childcare_weight");
    }
}

/* The policies of member m, against `want`, with where each was written. */
static void assert_policies(const ps_scn_member *m, const ps_policy *want, const long *lines,
                            int n)
{
    assert_int_equal(m->n_policies, n);
    for (int i = 0; i < n; ++i) {
        char what[128];
        snprintf(what, sizeof what, "%s.policies[%d]", m->name, i);
        assert_policy(&m->policies[i], &want[i], what);
        /* Items start at the column of their first key: 5 at the top level, 9 in variants. */
        assert_loc(what, m->policy_locs[i], lines[i], lines[i] < 38 ? 5 : 9);
    }
}

/* The policies of good/family.yaml as the loader resolves them. */
static const ps_policy subsidy_2025 = { .lever = PS_LEVER_MONTHLY_SUBSIDY,
                                        .name = "national_subsidy", .start_year = 2025,
                                        .end_year = 2027, .amount = { 300, 300, 300 },
                                        .eligible_share = 1.0, .max_age = 3,
                                        .born_from = 2025 };
static const ps_policy subsidy_2028 = { .lever = PS_LEVER_MONTHLY_SUBSIDY,
                                        .name = "national_subsidy", .start_year = 2028,
                                        .amount = { 350.5, 351.5, 352.5 },
                                        .eligible_share = 0.95, .max_age = 6 };
static const ps_policy jinan_childcare = { .lever = PS_LEVER_CHILDCARE, .name = "childcare",
                                           .start_year = 2026, .end_year = 2035,
                                           .spots_per_1000 = 5, .operating_subsidy = 400 };
static const ps_policy jinan_leave = { .lever = PS_LEVER_LEAVE, .name = "leave",
                                       .start_year = 2025, .maternity_days = 158,
                                       .paternity_days = 15, .parental_days = 10,
                                       .paid_share = 1.0, .max_age = 3 };
static const ps_policy jinan_reward = { .lever = PS_LEVER_BIRTH_REWARD, .name = "jinan_reward",
                                        .start_year = 2030, .end_year = 2040,
                                        .amount = { 0, 10000, 20000 }, .eligible_share = 0.8 };
static const ps_policy cash_childcare = { .lever = PS_LEVER_CHILDCARE, .name = "childcare",
                                          .start_year = 2026, .spots_per_1000 = 6.5,
                                          .fee_subsidy = 200, .construction_subsidy = 10000 };
static const ps_policy insured_insurance = {
    .lever = PS_LEVER_INSURANCE, .name = "insurance", .start_year = 2025, .end_year = 2100,
    .medical_per_birth = 5000, .employer_si_share = { 0, 0.5, 0.8 }, .employer_si_months = 6,
    .employer_si_monthly = 2500, .employed_share = 0.7, .unemployment_per_birth = 6000,
    .unemployed_share = 0.05
};
static const ps_policy insured_subsidy = { .lever = PS_LEVER_MONTHLY_SUBSIDY,
                                           .name = "national_subsidy", .start_year = 2030,
                                           .amount = { 500, 0, 0 }, .eligible_share = 1.0,
                                           .max_age = 3, .low_income_topup = 200,
                                           .low_income_share = 0.1 };

static void test_scenario__family_resolves_extends_overrides_and_replacement(void **state)
{
    (void)state;
    ps_scenario scn;
    ps_economy china_eco = PS_ECONOMY_INIT, jinan_eco;
    ps_response china_resp, cash_resp;
    load_ok(&scn, GOOD("family.yaml"));
    assert_int_equal(scn.n_warnings, 0);
    assert_close(scn.birth_order.share[0], 0.5, 1e-15);
    assert_close(scn.birth_order.share[1], 0.4, 1e-15);
    assert_close(scn.birth_order.share[2], 0.1, 1e-15);
    assert_int_equal(scn.n_members, 4);
    china_eco.household_income = 98765.5;
    china_eco.childcare_enrollment = 0.12;
    jinan_eco = china_eco;
    jinan_eco.household_income = 120000;
    jinan_eco.childcare_spots_per_1000 = 3.5;
    ps_response_unset(&china_resp);
    china_resp.cash_elasticity = 0.25;
    china_resp.order_weight[2] = 2.5;
    cash_resp = china_resp;
    cash_resp.lag_months = 10.5;

    /* members[0]: the top level. */
    const ps_scn_member *m = &scn.members[0];
    assert_string_equal(m->name, "china");
    assert_string_equal(m->title, "China: national childcare subsidy");
    assert_null(m->extends);
    assert_loc("members[0].loc", m->loc, 1, 1);
    assert_int_equal(m->elasticity, PS_ELASTICITY_LOW);
    assert_true(m->has_elasticity);
    assert_response(&m->response, &china_resp);
    assert_economy(&m->economy, &china_eco);
    const ps_policy top[] = { subsidy_2025, subsidy_2028 };
    assert_policies(m, top, (const long[]){ 21, 29 }, 2);

    /* jinan: the top level's settings, its own economy keys, two policies appended. */
    m = &scn.members[1];
    assert_string_equal(m->name, "jinan");
    assert_string_equal(m->title, "Jinan: childcare and leave");
    assert_string_equal(m->extends, "china");
    assert_loc("members[1].loc", m->loc, 38, 5);
    assert_int_equal(m->elasticity, PS_ELASTICITY_LOW);
    assert_true(m->has_elasticity);
    assert_response(&m->response, &china_resp);
    assert_economy(&m->economy, &jinan_eco);
    const ps_policy jinan[] = { subsidy_2025, subsidy_2028, jinan_childcare, jinan_leave };
    assert_policies(m, jinan, (const long[]){ 21, 29, 44, 49 }, 4);

    /* jinan_cash extends jinan: its childcare replaces jinan's, its reward is appended. */
    m = &scn.members[2];
    assert_string_equal(m->name, "jinan_cash");
    assert_null(m->title);
    assert_string_equal(m->extends, "jinan");
    assert_loc("members[2].loc", m->loc, 54, 5);
    assert_int_equal(m->elasticity, PS_ELASTICITY_HIGH);
    assert_true(m->has_elasticity);
    assert_response(&m->response, &cash_resp);
    assert_economy(&m->economy, &jinan_eco);
    const ps_policy cash[] = { subsidy_2025, subsidy_2028, jinan_leave, jinan_reward,
                               cash_childcare };
    assert_policies(m, cash, (const long[]){ 21, 29, 49, 60, 67 }, 5);

    /* insured extends the top level; one national_subsidy replaces both inherited ones. */
    m = &scn.members[3];
    assert_string_equal(m->name, "insured");
    assert_string_equal(m->extends, "china");
    assert_loc("members[3].loc", m->loc, 72, 5);
    assert_int_equal(m->elasticity, PS_ELASTICITY_LOW);
    assert_response(&m->response, &china_resp);
    assert_economy(&m->economy, &china_eco);
    const ps_policy insured[] = { insured_insurance, insured_subsidy };
    assert_policies(m, insured, (const long[]){ 74, 82 }, 2);
    ps_scn_release(&scn);
}

static void test_scenario__file_without_policy_keys_has_one_default_member(void **state)
{
    (void)state;
    ps_scenario scn;
    const ps_economy eco = PS_ECONOMY_INIT;
    const ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    ps_response unset;
    ps_response_unset(&unset);
    load_ok(&scn, GOOD("wpp_full.yaml"));
    assert_memory_equal(&scn.birth_order, &bo, sizeof bo);
    assert_int_equal(scn.n_members, 1);
    const ps_scn_member *m = &scn.members[0];
    assert_string_equal(m->name, "china_medium");
    assert_string_equal(m->title, "China: UN WPP 2024 medium variant");
    assert_null(m->extends);
    assert_loc("members[0].loc", m->loc, 1, 1);
    assert_int_equal(m->n_policies, 0);
    assert_int_equal(m->elasticity, PS_ELASTICITY_DEFAULT);
    assert_false(m->has_elasticity);
    assert_response(&m->response, &unset);
    assert_economy(&m->economy, &eco);
    ps_scn_release(&scn);
}

static void test_scenario__low_income_topup_without_share_warns(void **state)
{
    (void)state;
    ps_scenario scn;
    load_ok(&scn, GOOD("topup_without_share.yaml"));
    assert_int_equal(scn.members[0].n_policies, 1);
    assert_close(scn.members[0].policies[0].low_income_topup, 50, 1e-15);
    /* The second warning: top-level policies without a variant have no baseline (#16). */
    assert_int_equal(scn.n_warnings, 2);
    assert_non_null(strstr(scn.warnings[1], "no baseline to compare with"));
    assert_string_equal(scn.warnings[0],
                        GOOD("topup_without_share.yaml") ":11:23: warning: "
                                                         "policies[0].low_income_topup = 50 is "
                                                         "paid to nobody without "
                                                         "low_income_share (share of children "
                                                         "in low-income families, default 0)");
    ps_scn_release(&scn);
}

/* One row per bad file: expected status, line, column, and a word the message must name. */
typedef struct bad_case {
    const char *file;
    ps_status code;
    long line;
    int column;
    const char *names;
} bad_case;

static const bad_case bad_cases[] = {
    /* structure and types (PS_EPARSE) */
    { "unknown_key_top.yaml", PS_EPARSE, 7, 1, "unknown key 'fertilty' in the top-level" },
    { "unknown_key_nested.yaml", PS_EPARSE, 8, 3, "unknown key 'tfrr' in mapping 'fertility'" },
    { "srb_not_a_number.yaml", PS_EPARSE, 8, 10, "srb.value: expected a number written in decimal (got 'abc')" },
    { "start_not_whole.yaml", PS_EPARSE, 3, 8, "start: expected a whole number" },
    { "none_not_bool.yaml", PS_EPARSE, 8, 9, "migration.none: expected true or false" },
    { "section_not_mapping.yaml", PS_EPARSE, 7, 12, "fertility: expected a mapping" },
    { "empty_value.yaml", PS_EPARSE, 2, 6, "name: expected" },
    { "unclosed_bracket.yaml", PS_EPARSE, 4, 4, "flow sequence" },
    { "anchor.yaml", PS_EPARSE, 2, 7, "anchors" },
    { "alias.yaml", PS_EPARSE, 5, 8, "aliases" },
    { "empty.yaml", PS_EPARSE, 1, 1, "empty" },
    { "comments_only.yaml", PS_EPARSE, 1, 1, "empty" },
    { "not_a_mapping.yaml", PS_EPARSE, 2, 1, "must be a mapping" },
    { "two_documents.yaml", PS_EPARSE, 5, 1, "second YAML document" },
    { "duplicate_key.yaml", PS_EPARSE, 5, 1, "duplicate key 'start'" },
    { "key_not_scalar.yaml", PS_EPARSE, 3, 3, "mapping key" },
    { "deep_nesting.yaml", PS_EPARSE, 5, 39, "nesting deeper than 32" },
    { "invalid_utf8.yaml", PS_EPARSE, 3, 12, "0xF6 is not valid UTF-8" },
    { "control_char.yaml", PS_EPARSE, 3, 9, "control characters" },
    /* what popsim believes (issue #17, section 3): decimals only, no tags, no controls */
    { "start_octal.yaml", PS_EPARSE, 3, 8,
      "start: expected a whole number written in decimal (got '03751')" },
    { "tfr_leading_zero.yaml", PS_EPARSE, 8, 8,
      "fertility.tfr: expected a number written in decimal (got '01.5')" },
    { "tag_binary.yaml", PS_EPARSE, 3, 8, "YAML tags ('tag:yaml.org,2002:binary') are not" },
    { "tag_python_object.yaml", PS_EPARSE, 5, 7, "python/object:os.system') are not allowed" },
    { "title_escape_esc.yaml", PS_EINVAL, 3, 8, "title: control character U+001B is not" },
    { "region_escape_bel.yaml", PS_EINVAL, 5, 9, "region: control character U+0007 is not" },
    { "title_escape_c1.yaml", PS_EINVAL, 3, 8, "title: control character U+009B is not" },
    { "path_newline.yaml", PS_EINVAL, 8, 9,
      "population.file: control character U+000A is not allowed in a path" },
    /* values out of their domain (PS_EINVAL) */
    { "missing_name.yaml", PS_EINVAL, 1, 1, "missing required key 'name'" },
    { "missing_start.yaml", PS_EINVAL, 1, 1, "missing required key 'start' (calendar year" },
    { "missing_end.yaml", PS_EINVAL, 1, 1, "missing required key 'end'" },
    { "start_out_of_range.yaml", PS_EINVAL, 3, 8, "start = 1900 is outside [1950, 2300]" },
    { "start_huge.yaml", PS_EINVAL, 3, 8, "start = 99999999999999999999 is outside" },
    { "end_not_after_start.yaml", PS_EINVAL, 4, 6, "end = 2025 must be later than start" },
    { "name_invalid_chars.yaml", PS_EINVAL, 2, 7, "name = 'china 2025' may contain only" },
    { "name_too_long.yaml", PS_EINVAL, 2, 7, "(1 to 64 characters)" },
    { "location_empty.yaml", PS_EINVAL, 6, 13, "data.location must not be empty" },
    { "path_empty.yaml", PS_EINVAL, 8, 9, "population.file must not be empty" },
    { "engine_unknown.yaml", PS_EINVAL, 7, 9, "engine = 'micro2' is not one of: ccm" },
    { "pattern_unknown.yaml", PS_EINVAL, 8, 12, "fertility.pattern = 'gamma' is not one of" },
    { "tfr_negative.yaml", PS_EINVAL, 8, 8,
      "fertility.tfr = -1.2 is outside [0, 10] children per woman" },
    { "tfr_nan.yaml", PS_EINVAL, 8, 8, "fertility.tfr = .nan must be a finite number" },
    { "tfr_overflow.yaml", PS_EINVAL, 8, 8, "fertility.tfr = 1e999 must be a finite number" },
    { "total_inf.yaml", PS_EINVAL, 8, 10, "migration.total = -.inf must be a finite number" },
    { "total_too_large.yaml", PS_EINVAL, 8, 10, "migration.total = 2e9 is outside" },
    { "male_share_above_one.yaml", PS_EINVAL, 9, 15,
      "migration.male_share = 1.5 is outside [0, 1]" },
    { "mu2_out_of_range.yaml", PS_EINVAL, 10, 10, "migration.schedule.mu2 = 50 is outside" },
    { "mean_age_out_of_range.yaml", PS_EINVAL, 9, 13, "fertility.mean_age = 12 is outside" },
    { "srb_out_of_range.yaml", PS_EINVAL, 8, 10,
      "srb.value = 1.5 is outside [0.9, 1.3] male births per female birth" },
    /* rules between keys (PS_EINVAL) */
    { "tfr_and_tfr_file.yaml", PS_EINVAL, 9, 13, "fertility.tfr_file contradicts fertility.tfr" },
    { "hadwiger_without_mean_age.yaml", PS_EINVAL, 9, 12, "needs fertility.mean_age" },
    { "mean_age_without_hadwiger.yaml", PS_EINVAL, 9, 13,
      "mean_age only applies to pattern: hadwiger" },
    { "pattern_asfr_file_without_file.yaml", PS_EINVAL, 9, 12, "needs fertility.asfr_file" },
    { "pattern_wpp_without_location.yaml", PS_EINVAL, 11, 12,
      "pattern: wpp needs data.location" },
    { "asfr_file_with_hadwiger.yaml", PS_EINVAL, 8, 14, "fertility.asfr_file contradicts" },
    { "hadwiger_without_level.yaml", PS_EINVAL, 10, 12, "add fertility.tfr" },
    { "tfr_without_pattern.yaml", PS_EINVAL, 10, 8, "fertility.tfr needs an age pattern" },
    { "missing_fertility.yaml", PS_EINVAL, 1, 1, "missing required key 'fertility.asfr_file'" },
    { "missing_population.yaml", PS_EINVAL, 1, 1, "missing required key 'population.file'" },
    { "missing_mx_file.yaml", PS_EINVAL, 7, 12, "missing required key 'mortality.mx_file'" },
    { "e0_file_without_pattern.yaml", PS_EINVAL, 8, 12, "mortality.e0_file needs an age pattern" },
    { "srb_value_and_file.yaml", PS_EINVAL, 9, 10, "srb.value contradicts srb.file (line 8)" },
    { "migration_none_and_total.yaml", PS_EINVAL, 9, 10,
      "migration.total contradicts migration.none: true" },
    { "migration_file_and_total.yaml", PS_EINVAL, 9, 10,
      "migration.total contradicts migration.file" },
    { "schedule_without_total.yaml", PS_EINVAL, 10, 5, "migration.schedule only applies" },
    { "male_share_without_total.yaml", PS_EINVAL, 9, 15, "migration.male_share only applies" },
    { "none_false_without_source.yaml", PS_EINVAL, 12, 9, "migration.none: false needs" },
    /* policies, economy, response and variants (issue #3) */
    { "policies_not_sequence.yaml", PS_EPARSE, 7, 3,
      "policies: expected a sequence of mappings" },
    { "policy_item_not_mapping.yaml", PS_EPARSE, 7, 5, "policies[0]: expected a mapping" },
    { "policy_order_fourth.yaml", PS_EPARSE, 10, 5,
      "unknown key 'fourth' in mapping 'policies[0]' (keys of lever birth_reward: first, "
      "second, third, eligible_share, requires, name, start, end, payer, payer_shares); birth orders "
      "are first, second and "
      "third (third = 3rd and later)" },
    { "policy_amount_negative.yaml", PS_EINVAL, 9, 12,
      "policies[0].first = -100 is outside [0, 10000000] yuan" },
    { "variant_policy_amount_negative.yaml", PS_EINVAL, 12, 17,
      "variants[1].policies[0].second = -5 is outside [0, 10000000] yuan" },
    { "lever_unknown.yaml", PS_EINVAL, 7, 12,
      "policies[0].lever = 'cash' is not one of: birth_reward, monthly_subsidy, childcare, "
      "leave, insurance" },
    { "lever_missing.yaml", PS_EINVAL, 7, 5, "missing required key 'policies[0].lever'" },
    { "policy_start_missing.yaml", PS_EINVAL, 7, 5, "missing required key 'policies[0].start'" },
    { "policy_key_wrong_lever.yaml", PS_EINVAL, 10, 5,
      "policies[0].spots_per_1000 does not apply to lever birth_reward (keys of birth_reward: "
      "first, second, third, eligible_share, requires, name, start, end, payer, payer_shares)" },
    { "policy_start_before_horizon.yaml", PS_EINVAL, 8, 12,
      "policies[0].start = 2020 is outside the projection 2025..2100" },
    { "policy_end_after_horizon.yaml", PS_EINVAL, 9, 10,
      "policies[0].end = 2110 is outside the projection 2025..2100" },
    { "policy_end_before_start.yaml", PS_EINVAL, 9, 10,
      "policies[0].end = 2028 is before policies[0].start = 2030" },
    { "policy_windows_overlap.yaml", PS_EINVAL, 11, 5,
      "policies[1] 'monthly_subsidy' (2028..2035) overlaps policies[0] (2025..2030) with the "
      "same name; give one of them another name to stack them" },
    { "variant_policy_windows_overlap.yaml", PS_EINVAL, 12, 9,
      "variants[0].policies[1] 'leave' (2025..2030) overlaps variants[0].policies[0] "
      "(2030..2100)" },
    { "variant_name_missing.yaml", PS_EINVAL, 8, 5, "missing required key 'variants[1].name'" },
    { "variant_name_duplicate.yaml", PS_EINVAL, 8, 11,
      "variants[1].name = 'jinan' is already the name of variants[0] (line 7)" },
    { "variant_name_is_top_name.yaml", PS_EINVAL, 7, 11,
      "variants[0].name = 'china' is already the name of the top level" },
    { "variant_extends_unknown.yaml", PS_EINVAL, 9, 14,
      "variants[1].extends = 'shanghai' names no member" },
    { "variant_extends_later.yaml", PS_EINVAL, 8, 14,
      "variants[0].extends = 'jinan' names variants[1], which is not defined before it" },
    { "birth_order_sum.yaml", PS_EINVAL, 8, 10,
      "birth_order shares first + second + third = 0.5 + 0.42 + 0.13 = 1.05 must sum to 1" },
    { "ceiling_below_enrollment.yaml", PS_EINVAL, 8, 25,
      "economy.childcare_enrollment: childcare_ceiling = 0.3 is below childcare_enrollment = "
      "0.4" },
    { "elasticity_unknown.yaml", PS_EINVAL, 7, 15,
      "response.elasticity = 'medium' is not one of: low, default, high" },
    /* microsimulation settings (issue #5) */
    { "micro_scale_below_1.yaml", PS_EINVAL, 17, 10,
      "micro.scale = 0.5 is outside [1, 1000000] persons per simulated person" },
    { "micro_without_engine.yaml", PS_EINVAL, 7, 3,
      "micro applies only with engine: micro (engine is ccm)" },
    { "micro_income_shares.yaml", PS_EINVAL, 9, 22,
      "micro.low_income_share + micro.subsistence_share = 0.7 + 0.4 is above 1" },
    { "micro_care_levels.yaml", PS_EINVAL, 9, 1,
      "care_need has 4 levels; engine: micro models at most 3" },
    /* services and care need (issue #4) */
    { "care_levels_sum.yaml", PS_EINVAL, 8, 5,
      "care_need.levels: the prevalences at age 90 sum to 1.01, above 1; levels are exc" },
    { "care_improvement_negative.yaml", PS_EINVAL, 9, 16,
      "care_need.improvement = -0.03 makes the prevalences at age 90 sum to 1.09" },
    { "care_settings_sum.yaml", PS_EINVAL, 13, 5,
      "care_need.settings: the shares sum to 0.99, not 1 (tolerance 1e-6); every person" },
    { "care_steps_descending.yaml", PS_EINVAL, 15, 22,
      "care_need.levels[1].prevalence[1].from_age = 65 is not above the previous step's" },
    { "svc_ages_without_basis.yaml", PS_EINVAL, 14, 17,
      "services[0].capacity.from_age only applies with basis: ages" },
    { "svc_duplicate_name.yaml", PS_EINVAL, 11, 11,
      "services[1].name = 'school' is already the name of services[0]; service names mu" },
    { "svc_missing_kind.yaml", PS_EINVAL, 7, 5,
      "missing required key 'services[0].kind' (kind of service, for charts and reports" },
    { "svc_need_overlap.yaml", PS_EINVAL, 17, 9,
      "services[0].classes[1] 'everyone' (ages 80..100) overlaps services[0].classes[0]" },
    { "svc_no_classes.yaml", PS_EINVAL, 9, 14,
      "services[0].classes is empty; give at least one '- name: ...' class" },
    { "svc_no_target.yaml", PS_EINVAL, 12, 7,
      "missing required key 'services[0].capacity.target' (constant target; give target" },
    { "svc_overlap.yaml", PS_EINVAL, 11, 9,
      "services[0].classes[1] 'toddlers' (ages 1..2) overlaps services[0].classes[0] 'i" },
    { "svc_path_descending.yaml", PS_EINVAL, 13, 16,
      "services[0].uptake_path[1].year = 2028 is not after the previous point's year 20" },
    { "svc_ratio_negative.yaml", PS_EINVAL, 10, 55,
      "services[0].classes[0].users_per_group = -10 is outside [0, 1000000] users per g" },
    { "svc_ratio_zero.yaml", PS_EINVAL, 12, 26,
      "services[0].classes[0].users_per_staff = 0 must be above 0 (users per staff memb" },
    { "svc_target_and_path.yaml", PS_EINVAL, 15, 15,
      "services[0].capacity.target contradicts services[0].capacity.path (line 14): giv" },
    { "svc_to_below_from.yaml", PS_EINVAL, 10, 47,
      "services[0].classes[0].to_age = 6 is below from_age = 11" },
    { "svc_unknown_need.yaml", PS_EINVAL, 16, 57,
      "services[0].classes[0].need = 'severe' is not a care-need level (care_need.level" },
    { "svc_unknown_setting.yaml", PS_EINVAL, 17, 14,
      "services[0].setting = 'institution' is not a care setting (care_need.settings: h" },
    { "svc_uptake_above_1.yaml", PS_EINVAL, 12, 29,
      "services[0].uptake_path[0].value = 1.2 is above 1" },
};

static void check_failure(const char *path, ps_status code, long line, int column,
                          const char *names)
{
    ps_scenario scn;
    ps_error err;
    char buf[2048];
    ps_error_clear(&err);
    ps_status rc = ps_scn_load(&scn, path, &err);
    ps_error_format(&err, buf, sizeof buf);
    if (rc != code || err.code != code || err.line != line || err.column != column ||
        strstr(err.msg, names) == NULL || strcmp(err.path, path) != 0) {
        fail_msg("%s: expected status %d at %ld:%d naming \"%s\"; got status %d: %s", path,
                 (int)code, line, column, names, (int)rc, buf);
    }
}

static void test_scenario__bad_files_fail_at_the_offending_key(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; ++i) {
        char path[1024];
        snprintf(path, sizeof path, "%s/bad/%s", PS_TEST_DATA_DIR, bad_cases[i].file);
        check_failure(path, bad_cases[i].code, bad_cases[i].line, bad_cases[i].column,
                      bad_cases[i].names);
    }
}

static void test_scenario__directory_is_an_io_error(void **state)
{
    (void)state;
    check_failure(GOOD_DIR, PS_EIO, 0, 0, "is a directory");
}

static void test_scenario__missing_file_is_an_io_error(void **state)
{
    (void)state;
    check_failure(BAD("no_such_file.yaml"), PS_EIO, 0, 0, "No such file");
}

/* A file in a fresh temporary folder, removed by the caller with remove_temp(). */
static void make_temp(char *dir, size_t dir_size, char *file, size_t file_size)
{
    snprintf(dir, dir_size, "/tmp/ps_test_scenario_XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(file, file_size, "%s/scenario.yaml", dir);
}

static void remove_temp(const char *dir, const char *file)
{
    assert_int_equal(remove(file), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_scenario__file_over_4_mib_is_an_io_error(void **state)
{
    (void)state;
    char dir[64], file[128];
    make_temp(dir, sizeof dir, file, sizeof file);
    FILE *fp = fopen(file, "wb");
    assert_non_null(fp);
    /* One byte past 4 MiB; the loader refuses it from its size, without reading it. */
    assert_int_equal(fseek(fp, 4L * 1024 * 1024, SEEK_SET), 0);
    assert_int_equal(fputc('\n', fp), '\n');
    assert_int_equal(fclose(fp), 0);
    check_failure(file, PS_EIO, 0, 0, "larger than 4 MiB");
    remove_temp(dir, file);
}

static void test_scenario__more_than_8192_keys_are_refused(void **state)
{
    (void)state;
    char dir[64], file[128];
    make_temp(dir, sizeof dir, file, sizeof file);
    FILE *fp = fopen(file, "w");
    assert_non_null(fp);
    for (int k = 0; k < 8300; ++k) {
        fprintf(fp, "key%d: %d\n", k, k);
    }
    assert_int_equal(fclose(fp), 0);
    check_failure(file, PS_EPARSE, 8193, 1, "more than 8192 keys");
    remove_temp(dir, file);
}

static void test_scenario__failure_leaves_output_zeroed(void **state)
{
    (void)state;
    ps_scenario scn, zero;
    ps_error err;
    memset(&scn, 0x5A, sizeof scn);
    memset(&zero, 0, sizeof zero);
    /* This file fails in the last builder, after most fields were filled and copied. */
    assert_int_equal(ps_scn_load(&scn, BAD("none_false_without_source.yaml"), &err),
                     PS_EINVAL);
    assert_memory_equal(&scn, &zero, sizeof scn);
    memset(&scn, 0x5A, sizeof scn);
    assert_int_equal(ps_scn_load(&scn, BAD("no_such_file.yaml"), NULL), PS_EIO);
    assert_memory_equal(&scn, &zero, sizeof scn);
}

static void test_scenario__release_accepts_zeroed_struct_and_twice(void **state)
{
    (void)state;
    ps_scenario scn;
    memset(&scn, 0, sizeof scn);
    ps_scn_release(&scn);
    ps_scn_release(NULL);
    load_ok(&scn, GOOD("planner_files.yaml"));
    ps_scn_release(&scn);
    assert_null(scn.name);
    assert_int_equal(scn.n_warnings, 0);
    ps_scn_release(&scn);
}

static void test_scenario__error_prints_compiler_style(void **state)
{
    (void)state;
    ps_scenario scn;
    ps_error err;
    char buf[2048];
    assert_int_equal(ps_scn_load(&scn, BAD("tfr_negative.yaml"), &err), PS_EINVAL);
    assert_string_equal(ps_error_format(&err, buf, sizeof buf),
                        BAD("tfr_negative.yaml") ":8:8: error: fertility.tfr = -1.2 is outside "
                                                 "[0, 10] children per woman");
}

/* ps_scn_describe() output, captured; the caller frees it. */
static char *describe_text(void)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    assert_non_null(fp);
    ps_scn_describe(fp);
    assert_int_equal(fclose(fp), 0);
    return text;
}

static void test_scenario__describe_lists_every_key_with_range_and_unit(void **state)
{
    (void)state;
    static const char *const expected[] = {
        "name ", "title ", "start ", "end ", "engine ", "data.wpp_dir ", "data.location ",
        "region ", "population.file ", "mortality.mx_file ", "mortality.e0_file ",
        "fertility.asfr_file ", "fertility.tfr_file ", "number in [0, 10] children per woman",
        "fertility.pattern ", "one of: wpp, hadwiger, asfr_file", "fertility.mean_age ",
        "srb.value ", "number in [0.9, 1.3] male births per female birth", "srb.file ",
        "migration.none ", "migration.file ", "migration.total ", "migration.total_file ",
        "migration.male_share ", "Default: 0.5.", "migration.schedule.a1 ",
        "migration.schedule.mu2 ", "number in [10, 40] years of age", "Default: 21.",
        "migration.schedule.lambda2 ", "migration.schedule.c ", "integer in 1950..2300",
        "birth_order.third ", "economy.childcare_ceiling ", "Default: 107000.",
        "response.elasticity ", "one of: low, default, high", "response.cash_elasticity ",
        "policies[].lever ", "policies[].unemployed_share ", "Lever: insurance. Default: 0.05.",
        "variants[].extends ", "variants[].policies ", "Rules between keys:",
        "Keys of each policy lever", "birth_reward: first, second, third, eligible_share, requires.",
    };
    char *text = describe_text();
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; ++i) {
        if (strstr(text, expected[i]) == NULL) {
            fail_msg("ps_scn_describe() lacks \"%s\"", expected[i]);
        }
    }
    free(text);
}

/* docs/scenario-format.md quotes the reference verbatim, so a key added to a table without
 * the docs (or the other way round) fails here. */
static void test_scenario__reference_doc_quotes_describe_output(void **state)
{
    (void)state;
    FILE *fp = fopen(PS_SOURCE_DIR "/docs/scenario-format.md", "rb");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long size = ftell(fp);
    assert_true(size > 0);
    rewind(fp);
    char *doc = malloc((size_t)size + 1);
    assert_non_null(doc);
    assert_int_equal(fread(doc, 1, (size_t)size, fp), (size_t)size);
    doc[size] = '\0';
    fclose(fp);
    char *text = describe_text();
    if (strstr(doc, text) == NULL) {
        free(doc);
        fail_msg("docs/scenario-format.md does not contain the output of ps_scn_describe(): "
                 "paste `popsim check --describe` into its key reference:\n%s",
                 text);
    }
    free(text);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scenario__wpp_based_file_parses_every_field),
        cmocka_unit_test(test_scenario__planner_files_resolve_paths_and_default_with_warnings),
        cmocka_unit_test(test_scenario__migration_total_with_schedule_overrides),
        cmocka_unit_test(test_scenario__hadwiger_pattern_with_tfr_file_and_other_files),
        cmocka_unit_test(test_scenario__asfr_file_with_tfr_assumes_asfr_pattern_and_warns),
        cmocka_unit_test(test_scenario__closed_population_keeps_absolute_wpp_dir_and_warns),
        cmocka_unit_test(test_scenario__file_in_current_folder_keeps_relative_paths),
        cmocka_unit_test(test_scenario__family_resolves_extends_overrides_and_replacement),
        cmocka_unit_test(test_scenario__file_without_policy_keys_has_one_default_member),
        cmocka_unit_test(test_scenario__low_income_topup_without_share_warns),
        cmocka_unit_test(test_scenario__bad_files_fail_at_the_offending_key),
        cmocka_unit_test(test_scenario__directory_is_an_io_error),
        cmocka_unit_test(test_scenario__missing_file_is_an_io_error),
        cmocka_unit_test(test_scenario__file_over_4_mib_is_an_io_error),
        cmocka_unit_test(test_scenario__more_than_8192_keys_are_refused),
        cmocka_unit_test(test_scenario__failure_leaves_output_zeroed),
        cmocka_unit_test(test_scenario__release_accepts_zeroed_struct_and_twice),
        cmocka_unit_test(test_scenario__error_prints_compiler_style),
        cmocka_unit_test(test_scenario__describe_lists_every_key_with_range_and_unit),
        cmocka_unit_test(test_scenario__reference_doc_quotes_describe_output),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}

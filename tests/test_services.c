/*
 * test_services.c - service demand against planning targets (popsim/services.h): demand,
 * staff and cost computed by hand on a tiny population; a target per 1,000 population
 * follows the total population; the childcare gap changes sign when births fall far enough;
 * uptake paths, base-year capacity, care need with improvement and settings; the loader's
 * resolution of services in a family; the extra service subsidies of a policy variant.
 */
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/proj.h"
#include "popsim/scenario.h"
#include "popsim/services.h"
#include "test_util.h"

#define N_AGES 101
#define START 2025

/* A two-year, one-region result: `per_age[a]` persons of each sex at age a in both years. */
static void tiny_result(ps_result *r, const double *per_age, int n_given)
{
    ps_error err;
    assert_ps_ok(ps_result_init(r, "tiny", NULL, START, 2, 1, N_AGES, NULL, &err), &err);
    for (int y = 0; y < 2; ++y) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                r->population[ps_result_cell(r, y, 0, sex, age)] = age < n_given ? per_age[age]
                                                                                 : 0.0;
            }
        }
    }
}

static ps_svc_class klass(const char *name, int lo, int hi, double uptake, double ratio,
                          double size)
{
    ps_svc_class c = { .name = (char *)name, .age_lo = lo, .age_hi = hi, .need = -1,
                       .uptake = uptake, .users_per_staff = ratio, .users_per_group = size };
    return c;
}

static ps_svc_path constant_path(int *year, double *value)
{
    ps_svc_path p = { .n = 1, .years = year, .values = value };
    return p;
}

static ps_service service(const char *name, ps_svc_class *classes, int n)
{
    ps_service s = { .name = (char *)name, .kind = PS_SVC_CHILDCARE, .sex = -1, .setting = -1,
                     .classes = classes, .n_classes = n, .basis = PS_SVC_BASIS_NONE,
                     .occupancy = 1.0, .nursing_share = NAN, .subsidised_share = 1.0 };
    return s;
}

/* 50 + 50 children at age 0, 100 + 100 at age 1, 150 + 150 at age 2, 4,700 + 4,700 adults
 * aged 30: 10,000 persons. */
static const double tiny_ages[31] = { 50, 100, 150, [30] = 4700 };

static void test_services__hand_computed_demand_staff_and_cost(void **state)
{
    (void)state;
    ps_result r;
    ps_error err;
    int year = START;
    double target = 4.5;
    tiny_result(&r, tiny_ages, 31);
    ps_svc_class c[3] = { klass("age0", 0, 0, 0.1, 3, 10), klass("age1", 1, 1, 0.2, 5, 15),
                          klass("age2", 2, 2, 0.5, 7, 20) };
    for (int k = 0; k < 3; ++k) {
        c[k].cost_per_user_month = 1000.0;
        c[k].fee_per_user_month = 600.0;
        c[k].subsidy_per_user_month = k == 0 ? 0.0 : 200.0;
    }
    ps_svc_extra_staff health = { .name = "health", .users_per_staff = 150.0, .per_group = 0.5 };
    ps_service s = service("childcare", c, 3);
    s.basis = PS_SVC_BASIS_POPULATION;
    s.target = constant_path(&year, &target);
    s.occupancy = 0.8;
    s.subsidised_share = 0.5;
    s.extra_staff = &health;
    s.n_extra_staff = 1;
    assert_ps_ok(ps_services_compute(&r, &s, 1, NULL, &err), &err);
    const ps_svc_result *o = &r.services[0];
    /* users: 100 x 0.1 + 200 x 0.2 + 300 x 0.5 = 10 + 40 + 150 */
    const double demand = 200.0, groups = 10.0 / 10 + 40.0 / 15 + 150.0 / 20;
    assert_close(o->demand[0], demand, 1e-14);
    assert_close(o->demand_by_class[2], 150.0, 1e-14);
    assert_close(o->groups[0], groups, 1e-14);
    assert_close(o->staff[0], 10.0 / 3 + 40.0 / 5 + 150.0 / 7 + demand / 150 + 0.5 * groups, 1e-14);
    assert_close(o->cost[0], demand * 1000.0 * 12, 1e-14);
    assert_close(o->fees[0], demand * 600.0 * 12, 1e-14);
    assert_close(o->subsidy_recipients[0], 0.5 * 190.0, 1e-14);
    assert_close(o->subsidy[0], 0.5 * 190.0 * 200.0 * 12, 1e-14);
    assert_close(o->capacity[0], 45.0, 1e-14);            /* 4.5 x 10,000 / 1,000 */
    assert_close(o->shortage[0], demand / 0.8 - 45.0, 1e-14);
    assert_close(o->surplus[0], 0.0, 0.0);
    assert_close(o->utilization[0], demand / 45.0, 1e-14);
    assert_close(o->per_1000[0], demand / 0.8 / 10.0, 1e-14);
    assert_close(o->new_places[1], 0.0, 0.0);
    assert_close(r.dependency[PS_DEPENDENCY_CHILD], 100.0 * 600 / 9400, 1e-14);
    assert_close(r.dependency[PS_DEPENDENCY_OLD], 0.0, 0.0);
    ps_result_release(&r);
}

static void test_services__target_per_1000_population_follows_the_total(void **state)
{
    (void)state;
    ps_result a, b;
    ps_error err;
    int year = START;
    double target = 5.0;
    double more_adults[31];
    memcpy(more_adults, tiny_ages, sizeof more_adults);
    more_adults[30] *= 3.0; /* 10,000 -> 28,800 persons, the same children */
    tiny_result(&a, tiny_ages, 31);
    tiny_result(&b, more_adults, 31);
    ps_svc_class c[1] = { klass("all", 0, 2, 0.3, 0, 0) };
    ps_service s = service("childcare", c, 1);
    s.basis = PS_SVC_BASIS_POPULATION;
    s.target = constant_path(&year, &target);
    assert_ps_ok(ps_services_compute(&a, &s, 1, NULL, &err), &err);
    assert_ps_ok(ps_services_compute(&b, &s, 1, NULL, &err), &err);
    assert_close(a.services[0].capacity[0], 5.0 * 10000 / 1000, 1e-14);
    assert_close(b.services[0].capacity[0] / a.services[0].capacity[0], 28800.0 / 10000, 1e-14);
    assert_close(b.services[0].demand[0], a.services[0].demand[0], 0.0);
    /* per 1,000 of the group instead: unchanged by the adults */
    s.basis = PS_SVC_BASIS_GROUP;
    assert_ps_ok(ps_services_compute(&b, &s, 1, NULL, &err), &err);
    assert_close(b.services[0].capacity[0], 5.0 * 600 / 1000, 1e-14);
    ps_result_release(&a);
    ps_result_release(&b);
}

/* Inputs whose TFR falls linearly from tfr0 to tfr1 over `years` years. */
static void falling_inputs(ps_inputs *in, int years, double tfr0, double tfr1)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, START, START + years, 1, N_AGES, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            in->base.count[ps_pop_idx(&in->base, 0, sex, age)] = 10000.0 * exp(-0.01 * age);
        }
    }
    for (int step = 0; step < years; ++step) {
        in->srb[step] = 1.05;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                in->mx[ps_inputs_idx(in, step, 0, sex, age)] = 0.0002 * exp(0.09 * age) + 0.0003;
            }
        }
        double tfr = tfr0 + (tfr1 - tfr0) * step / (years - 1);
        ps_sched_hadwiger(&in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)], N_AGES, tfr, 29.5);
    }
}

static void test_services__childcare_gap_flips_sign_when_births_fall(void **state)
{
    (void)state;
    ps_inputs in;
    ps_proj *p = NULL;
    ps_result r;
    ps_error err;
    int year = START;
    double target = 2.0;
    falling_inputs(&in, 30, 2.2, 0.6);
    assert_ps_ok(ps_proj_new(&p, &in, &err), &err);
    assert_ps_ok(ps_proj_run(&r, p, "falling", NULL, &err), &err);
    ps_svc_class c[3] = { klass("age0", 0, 0, 0.01, 3, 10), klass("age1", 1, 1, 0.05, 5, 15),
                          klass("age2", 2, 2, 0.12, 7, 20) };
    ps_service s = service("childcare", c, 3);
    s.basis = PS_SVC_BASIS_POPULATION;
    s.target = constant_path(&year, &target);
    assert_ps_ok(ps_services_compute(&r, &s, 1, NULL, &err), &err);
    const ps_svc_result *o = &r.services[0];
    int first_short = -1, first_surplus = -1;
    for (int y = 0; y < r.n_years; ++y) {
        assert_true(o->shortage[y] == 0.0 || o->surplus[y] == 0.0);
        assert_close(o->surplus[y] - o->shortage[y], o->capacity[y] - o->demand[y], 1e-9);
        if (o->shortage[y] > 0.0 && first_short < 0) {
            first_short = y;
        }
        if (o->surplus[y] > 0.0 && first_surplus < 0) {
            first_surplus = y;
        }
    }
    /* Short at first (TFR 2.2), in surplus once births have fallen far enough. */
    assert_int_equal(first_short, 0);
    assert_true(first_surplus > 0);
    assert_true(o->surplus[r.n_years - 1] > 0.0);
    ps_result_release(&r);
    /* The same target and uptake with births held high stay short throughout. */
    ps_proj_free(p);
    ps_inputs_release(&in);
    falling_inputs(&in, 30, 2.2, 2.2);
    assert_ps_ok(ps_proj_new(&p, &in, &err), &err);
    assert_ps_ok(ps_proj_run(&r, p, "steady", NULL, &err), &err);
    assert_ps_ok(ps_services_compute(&r, &s, 1, NULL, &err), &err);
    for (int y = 0; y < r.n_years; ++y) {
        assert_true(r.services[0].shortage[y] > 0.0);
    }
    ps_result_release(&r);
    ps_proj_free(p);
    ps_inputs_release(&in);
}

static void test_services__uptake_path_sets_the_overall_rate_and_keeps_the_profile(void **state)
{
    (void)state;
    ps_result r;
    ps_error err;
    int years[2] = { START, START + 10 };
    double values[2] = { 0.10, 0.33 };
    tiny_result(&r, tiny_ages, 31);
    ps_svc_class c[3] = { klass("age0", 0, 0, 0.01, 0, 0), klass("age1", 1, 1, 0.08, 0, 0),
                          klass("age2", 2, 2, 0.21, 0, 0) };
    ps_service s = service("childcare", c, 3);
    s.uptake_path = (ps_svc_path){ .n = 2, .years = years, .values = values };
    assert_ps_ok(ps_services_compute(&r, &s, 1, NULL, &err), &err);
    const ps_svc_result *o = &r.services[0];
    assert_close(o->demand[0], 0.10 * 600, 1e-14);
    assert_close(o->demand[1], (0.10 + 0.023) * 600, 1e-14); /* 2026: one tenth of the way */
    double ratio = o->demand_by_class[2] / o->demand_by_class[1];
    assert_close(ratio, (0.21 * 300) / (0.08 * 200), 1e-14);
    assert_close(ps_svc_path_at(&s.uptake_path, 2100), 0.33, 0.0);
    assert_close(ps_svc_path_at(&s.uptake_path, 2000), 0.10, 0.0);
    ps_result_release(&r);
}

static void test_services__base_year_capacity_is_held(void **state)
{
    (void)state;
    ps_result r;
    ps_error err;
    tiny_result(&r, tiny_ages, 31);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) { /* fewer pupils in the second year */
        r.population[ps_result_cell(&r, 1, 0, sex, 2)] = 100.0;
    }
    ps_svc_class c[1] = { klass("pupils", 1, 2, 1.0, 20, 40) };
    ps_service s = service("school", c, 1);
    s.kind = PS_SVC_SCHOOL;
    s.basis = PS_SVC_BASIS_BASE_YEAR;
    s.occupancy = 0.5;
    assert_ps_ok(ps_services_compute(&r, &s, 1, NULL, &err), &err);
    const ps_svc_result *o = &r.services[0];
    assert_close(o->capacity[0], 500.0 / 0.5, 1e-14);
    assert_close(o->capacity[1], 1000.0, 1e-14);
    assert_close(o->shortage[0], 0.0, 0.0);
    assert_close(o->surplus[1], 1000.0 - 400.0 / 0.5, 1e-14);
    assert_true(isnan(o->target[0]));
    ps_result_release(&r);
}

static void test_services__care_need_levels_settings_and_improvement(void **state)
{
    (void)state;
    ps_result r;
    ps_error err;
    double old[101] = { 0 };
    old[70] = 1000.0;
    old[85] = 500.0;
    tiny_result(&r, old, 101);
    int from_a[2] = { 60, 80 }, from_b[1] = { 75 };
    double val_a[2] = { 0.02, 0.10 }, val_b[1] = { 0.2 };
    ps_care_level levels[2] = {
        { .name = "severe", .n_steps = 2, .from_age = from_a, .value = val_a },
        { .name = "mild", .n_steps = 1, .from_age = from_b, .value = val_b },
    };
    ps_care_setting settings[2] = { { .name = "home", .share = 0.9 },
                                    { .name = "institution", .share = 0.1 } };
    ps_care_need cn = { .n_levels = 2, .levels = levels, .base_year = START - 1,
                        .improvement = 0.02, .n_settings = 2, .settings = settings };
    ps_svc_class c[2] = { klass("severe", 60, 100, 1.0, 3, 0), klass("mild", 60, 100, 0.5, 10, 0) };
    c[0].need = 0;
    c[1].need = 1;
    c[0].subsidy_per_user_month = 1500.0;
    ps_service s = service("beds", c, 2);
    s.kind = PS_SVC_ELDERLY;
    s.setting = 1;
    assert_ps_ok(ps_services_compute(&r, &s, 1, &cn, &err), &err);
    const double f0 = 0.98, f1 = 0.98 * 0.98; /* one and two years after the base year */
    assert_close(ps_care_prevalence(&cn, 0, 59, START), 0.0, 0.0);
    assert_close(ps_care_prevalence(&cn, 0, 85, START), 0.10 * f0, 1e-14);
    /* persons in need, both sexes: severe 2 x (1000 x 0.02 + 500 x 0.10), mild 2 x 500 x 0.2 */
    assert_close(r.care_need[0], 2 * (1000 * 0.02 + 500 * 0.10) * f0, 1e-14);
    assert_close(r.care_need[1], 2 * 500 * 0.2 * f0, 1e-14);
    assert_close(r.care_need[2], 2 * (1000 * 0.02 + 500 * 0.10) * f1, 1e-14);
    const ps_svc_result *o = &r.services[0];
    double severe = 0.1 * 2 * (1000 * 0.02 + 500 * 0.10) * f0, mild = 0.1 * 0.5 * 2 * 500 * 0.2 * f0;
    assert_close(o->demand_by_class[0], severe, 1e-14);
    assert_close(o->demand_by_class[1], mild, 1e-14);
    assert_close(o->staff[0], severe / 3 + mild / 10, 1e-14);
    assert_close(o->subsidy[0], severe * 1500 * 12, 1e-14);
    assert_true(isnan(r.dependency[PS_DEPENDENCY_OLD])); /* no one aged 15-64 */
    ps_result_release(&r);
}

static void test_services__library_refuses_bad_definitions(void **state)
{
    (void)state;
    ps_result r;
    ps_error err;
    tiny_result(&r, tiny_ages, 31);
    ps_svc_class c[2] = { klass("a", 0, 1, 0.1, 3, 0), klass("b", 1, 2, 0.1, 3, 0) };
    ps_service s = service("childcare", c, 2);
    assert_int_equal(ps_services_compute(&r, &s, 1, NULL, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "overlap"));
    c[1].age_lo = 2;
    c[1].uptake = 1.5;
    assert_int_equal(ps_services_compute(&r, &s, 1, NULL, &err), PS_EINVAL);
    c[1].uptake = 0.5;
    s.occupancy = 0.0;
    assert_int_equal(ps_services_compute(&r, &s, 1, NULL, &err), PS_EINVAL);
    s.occupancy = 1.0;
    ps_care_setting settings[2] = { { .name = "home", .share = 0.9 },
                                    { .name = "institution", .share = 0.2 } };
    ps_care_need cn = { .n_settings = 2, .settings = settings };
    assert_int_equal(ps_services_compute(&r, &s, 1, &cn, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "sum"));
    assert_ps_ok(ps_services_compute(&r, &s, 1, NULL, &err), &err);
    ps_result_release(&r);
}

static void test_services__family_resolves_replacements_and_inheritance(void **state)
{
    (void)state;
    ps_scenario scn;
    ps_error err;
    assert_ps_ok(ps_scn_load(&scn, PS_TEST_DATA_DIR "/good/services_family.yaml", &err), &err);
    assert_int_equal(scn.care_need.n_levels, 1);
    assert_int_equal(scn.care_need.base_year, 2020);
    assert_close(scn.care_need.improvement, 0.02, 0.0);
    assert_int_equal(scn.care_need.n_settings, 2);
    assert_int_equal(scn.n_members, 2);
    const ps_scn_member *base = &scn.members[0], *v = &scn.members[1];
    assert_int_equal(base->n_services, 2);
    const ps_service *cc = &base->services[0], *beds = &base->services[1];
    assert_string_equal(cc->name, "childcare");
    assert_int_equal(cc->n_classes, 2);
    assert_int_equal(cc->classes[1].age_lo, 1);
    assert_int_equal(cc->classes[1].age_hi, 2);
    assert_int_equal(cc->classes[0].age_hi, 0); /* to_age defaults to from_age */
    assert_close(cc->classes[1].subsidy_per_user_month, 400.0, 0.0);
    assert_close(cc->subsidised_share, 0.6, 0.0);
    assert_int_equal(cc->uptake_path.n, 2);
    assert_int_equal(cc->basis, PS_SVC_BASIS_POPULATION);
    assert_close(ps_svc_path_at(&cc->target, 2040), 4.5, 0.0);
    assert_close(cc->occupancy, 0.9, 0.0);
    assert_int_equal(beds->setting, 1);
    assert_int_equal(beds->classes[0].need, 0);
    assert_int_equal(beds->basis, PS_SVC_BASIS_AGES);
    assert_int_equal(beds->basis_age_lo, 60);
    assert_close(ps_svc_path_at(&beds->target, 2030), 35.0, 1e-14);
    assert_close(beds->nursing_share, 0.55, 0.0);
    /* The variant: beds inherited, childcare replaced (and so listed after beds). */
    assert_int_equal(v->n_services, 2);
    assert_string_equal(v->services[0].name, "beds");
    assert_string_equal(v->services[1].name, "childcare");
    assert_int_equal(v->services[1].n_classes, 1);
    assert_close(ps_svc_path_at(&v->services[1].target, 2030), 5.0, 0.0);
    assert_close(v->services[1].occupancy, 1.0, 0.0);
    assert_close(ps_svc_path_at(&v->services[0].target, 2035), 40.0, 0.0);
    ps_scn_release(&scn);
}

static void test_services__variant_counts_its_extra_service_subsidies(void **state)
{
    (void)state;
    ps_result base, pol;
    ps_error err;
    double more_children[31];
    memcpy(more_children, tiny_ages, sizeof more_children);
    more_children[1] *= 1.5;
    tiny_result(&base, tiny_ages, 31);
    tiny_result(&pol, more_children, 31);
    ps_svc_class c[1] = { klass("all", 0, 2, 0.5, 0, 0) };
    c[0].subsidy_per_user_month = 100.0;
    ps_service s = service("childcare", c, 1);
    assert_ps_ok(ps_services_compute(&base, &s, 1, NULL, &err), &err);
    assert_ps_ok(ps_services_compute(&pol, &s, 1, NULL, &err), &err);
    pol.baseline = strdup("tiny");
    pol.births_gained_total = 40.0;
    pol.births_gained_discounted = 37.5; /* births are discounted like the cost (issue #12) */
    pol.cost_total = 10000.0;
    pol.cost_total_discounted = 9000.0;
    ps_services_compare(&pol, &base, 0.08);
    /* one step (two years): 100 more children x 0.5 uptake x 100 yuan x 12 months */
    const double extra = 100.0 * 0.5 * 100.0 * 12;
    assert_close(pol.service_subsidy_extra, extra, 1e-14);
    assert_close(pol.service_subsidy_extra_discounted, extra, 1e-14); /* year 0: undiscounted */
    assert_close(pol.cost_per_additional_birth, (10000.0 + extra) / 40.0, 1e-14);
    assert_close(pol.cost_per_additional_birth_discounted, (9000.0 + extra) / 37.5, 1e-14);
    ps_result_release(&base);
    ps_result_release(&pol);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_services__hand_computed_demand_staff_and_cost),
        cmocka_unit_test(test_services__target_per_1000_population_follows_the_total),
        cmocka_unit_test(test_services__childcare_gap_flips_sign_when_births_fall),
        cmocka_unit_test(test_services__uptake_path_sets_the_overall_rate_and_keeps_the_profile),
        cmocka_unit_test(test_services__base_year_capacity_is_held),
        cmocka_unit_test(test_services__care_need_levels_settings_and_improvement),
        cmocka_unit_test(test_services__library_refuses_bad_definitions),
        cmocka_unit_test(test_services__family_resolves_replacements_and_inheritance),
        cmocka_unit_test(test_services__variant_counts_its_extra_service_subsidies),
    };
    return cmocka_run_group_tests_name("services", tests, NULL, NULL);
}

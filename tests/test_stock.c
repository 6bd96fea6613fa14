/*
 * test_stock.c - services against what exists (issue #13, docs/services.md sec. 8): the stock
 * file as the loader reads it, districts matched with regions (years carried forward,
 * unknown and missing districts), the build rule, cross-district use, the outputs of a
 * two-region result, and the care-model corrections (settings by level of need, self-caring
 * residents, prevalence by sex). Every expected value is worked out by hand in the test.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "io/stock_int.h"
#include "popsim/scenario.h"
#include "popsim/services.h"
#include "services/services_int.h"
#include "test_util.h"

#define N_AGES 101
#define START 2025
#define STOCK_DIR PS_TEST_DATA_DIR "/stock/"

/* n_years 1 July states of regions `names`; persons[reg][age] of each sex in every year. */
static void region_result(ps_result *r, int n_years, int n_regions, const char *const *names,
                          const double (*persons)[N_AGES])
{
    ps_error err;
    assert_ps_ok(ps_result_init(r, "district", NULL, START, n_years, n_regions, N_AGES, names,
                                &err), &err);
    for (int y = 0; y < n_years; ++y) {
        for (int reg = 0; reg < n_regions; ++reg) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                for (int age = 0; age < N_AGES; ++age) {
                    r->population[ps_result_cell(r, y, reg, sex, age)] =
                        persons != NULL ? persons[reg][age] : 0.0;
                }
            }
        }
    }
}

static const ps_service *find(const ps_scn_member *m, const char *name)
{
    for (int k = 0; k < m->n_services; ++k) {
        if (strcmp(m->services[k].name, name) == 0) {
            return &m->services[k];
        }
    }
    fail_msg("no service '%s'", name);
    return NULL;
}

static void test_stock__loader_reads_rows_of_the_type_with_ownership(void **state)
{
    (void)state;
    ps_scenario scn;
    ps_error err;
    assert_ps_ok(ps_scn_load(&scn, STOCK_DIR "care.yaml", &err), &err);
    const ps_service *cc = find(&scn.members[0], "childcare");
    const ps_service *beds = find(&scn.members[0], "beds");
    assert_int_equal(cc->stock.n_rows, 4); /* the elderly_beds row is another type */
    assert_string_equal(cc->stock.type, "childcare");
    assert_int_equal(cc->stock.has_ownership, 1);
    assert_int_equal(cc->stock.missing_zero, 0);
    assert_string_equal(cc->stock.rows[0].region, "East");
    assert_int_equal(cc->stock.rows[0].year, 2020);
    assert_close(cc->stock.rows[0].places, 1200.0, 0.0);
    assert_close(cc->stock.rows[0].staff, 150.0, 0.0);
    assert_int_equal(cc->stock.rows[0].ownership, PS_SVC_OWN_PUBLIC);
    assert_int_equal(cc->stock.rows[1].ownership, PS_SVC_OWN_PRIVATE);
    assert_int_equal(cc->stock.rows[2].ownership, PS_SVC_OWN_PUBLIC); /* inclusive */
    assert_int_equal(cc->stock.rows[3].ownership, PS_SVC_OWN_UNKNOWN);
    assert_close(cc->stock.rows[3].places, 640.5, 0.0);
    assert_int_equal(cc->stock.rows[3].line, 5);
    assert_close(cc->cross_district_share, 0.1, 0.0);
    assert_int_equal(beds->stock.n_rows, 1);
    assert_close(beds->stock.rows[0].places, 3000.0, 0.0); /* beds count as places */
    assert_int_equal(beds->stock.missing_zero, 1);
    assert_close(beds->cross_district_share, 0.0, 0.0);
    /* The care-model corrections. */
    const ps_care_need *cn = &scn.care_need;
    assert_int_equal(cn->levels[0].by_sex, 1);
    assert_close(cn->levels[0].sex_factor[PS_SEX_FEMALE], 1.2, 0.0);
    assert_close(cn->levels[0].sex_factor[PS_SEX_MALE], 0.8, 0.0);
    assert_int_equal(cn->levels[1].by_sex, 0);
    assert_non_null(cn->settings[1].level_share);
    assert_close(cn->settings[1].level_share[0], 0.30, 0.0);
    assert_close(cn->settings[1].level_share[1], 0.08, 0.0);
    assert_close(ps_care_setting_share(cn, 0, 1), 0.92, 0.0);
    assert_close(cn->improvement, 0.0, 0.0); /* the default: no decline */
    assert_int_equal(beds->classes[1].need, PS_SVC_NEED_SELF_CARING);
    ps_scn_release(&scn);
}

typedef struct bad_stock {
    const char *file;
    ps_status code;
    long line;
    int column;
    const char *says;
} bad_stock;

static void test_stock__loader_locates_bad_stock_files(void **state)
{
    (void)state;
    static const bad_stock cases[] = {
        { "negative_places.yaml", PS_EINVAL, 2, 21, "negative" },
        { "bad_year.yaml", PS_EPARSE, 2, 6, "year" },
        { "bad_ownership.yaml", PS_EPARSE, 2, 26, "ownership" },
        { "bad_header.yaml", PS_EPARSE, 1, 1, "header" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
        char path[512];
        ps_scenario scn;
        ps_error err;
        snprintf(path, sizeof path, "%s%s", STOCK_DIR, cases[i].file);
        assert_int_equal(ps_scn_load(&scn, path, &err), cases[i].code);
        assert_non_null(strstr(err.path, ".csv"));
        assert_int_equal(err.line, cases[i].line);
        assert_int_equal(err.column, cases[i].column);
        assert_non_null(strstr(err.msg, cases[i].says));
    }
}

static void test_stock__districts_carry_years_forward_and_sum_rows(void **state)
{
    (void)state;
    ps_scenario scn;
    ps_result r;
    ps_error err;
    const char *names[2] = { "East", "West" };
    assert_ps_ok(ps_scn_load(&scn, STOCK_DIR "care.yaml", &err), &err);
    region_result(&r, 6, 2, names, NULL);
    double places[12], pub[12], staff[12];
    assert_ps_ok(ps_svc_stock_resolve(places, pub, staff, &find(&scn.members[0], "childcare")->stock,
                                      &r, &err), &err);
    for (int y = 0; y < 6; ++y) {
        size_t east = ps_result_regcell(&r, y, 0), west = ps_result_regcell(&r, y, 1);
        bool before_2027 = START + y < 2027;
        /* East: the two 2020 rows (public 1,200 + private 800) until the 2027 row. */
        assert_close(places[east], before_2027 ? 1200.0 + 800.0 : 2500.0, 0.0);
        assert_close(pub[east], before_2027 ? 1200.0 : 2500.0, 0.0);
        assert_close(staff[east], before_2027 ? 150.0 + 90.0 : 300.0, 0.0);
        /* West: only a 2030 row, taken for the years before it; ownership not given. */
        assert_close(places[west], 640.5, 0.0);
        assert_close(pub[west], 0.0, 0.0);
    }
    ps_result_release(&r);
    ps_scn_release(&scn);
}

static void test_stock__unknown_and_missing_districts_are_errors(void **state)
{
    (void)state;
    ps_scenario scn;
    ps_result r;
    ps_error err;
    double buf[3][18];
    assert_ps_ok(ps_scn_load(&scn, STOCK_DIR "care.yaml", &err), &err);
    ps_svc_stock copy, *st = &copy;
    assert_ps_ok(ps_svc_stock_copy(st, &find(&scn.members[0], "childcare")->stock, &err), &err);
    const char *without_west[1] = { "East" };
    region_result(&r, 6, 1, without_west, NULL);
    assert_int_equal(ps_svc_stock_resolve(buf[0], buf[1], buf[2], st, &r, &err), PS_EINVAL);
    assert_non_null(strstr(err.path, "stock.csv"));
    assert_int_equal(err.line, 5);
    assert_int_equal(err.column, 1);
    assert_non_null(strstr(err.msg, "'West'"));
    ps_result_release(&r);
    const char *three[3] = { "East", "South", "West" };
    region_result(&r, 6, 3, three, NULL);
    assert_int_equal(ps_svc_stock_resolve(buf[0], buf[1], buf[2], st, &r, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "'South'"));
    assert_null(strstr(err.msg, "'East'"));
    st->missing_zero = 1;
    assert_ps_ok(ps_svc_stock_resolve(buf[0], buf[1], buf[2], st, &r, &err), &err);
    assert_close(buf[0][ps_result_regcell(&r, 2, 1)], 0.0, 0.0);
    assert_close(buf[0][ps_result_regcell(&r, 2, 2)], 640.5, 0.0);
    ps_svc_stock_release(st);
    ps_result_release(&r);
    ps_scn_release(&scn);
}

static void test_stock__build_rule_never_demolishes(void **state)
{
    (void)state;
    const double stock[5] = { 100.0, 100.0, 100.0, 150.0, 90.0 };
    const double target[5] = { 120.0, 130.0, 125.0, 160.0, NAN };
    double build[5];
    ps_services__build(build, stock, target, 5, 1);
    assert_close(build[0], 120.0 - 100.0, 0.0);         /* 120 available after */
    assert_close(build[1], 130.0 - 120.0, 0.0);         /* built places stay: 130 */
    assert_close(build[2], 0.0, 0.0);                   /* 130 >= 125 */
    assert_close(build[3], 160.0 - fmax(150.0, 130.0), 0.0); /* the stock grew to 150 */
    assert_true(isnan(build[4]));                       /* no target, nothing to build */
    /* stride: the same rule on a [year][reg] array of two regions. */
    double two[10], stock2[10], target2[10];
    for (int y = 0; y < 5; ++y) {
        stock2[2 * y] = stock[y];
        target2[2 * y] = target[y];
        stock2[2 * y + 1] = 7.0;
        target2[2 * y + 1] = 10.0;
    }
    ps_services__build(two, stock2, target2, 5, 2);
    ps_services__build(two + 1, stock2 + 1, target2 + 1, 5, 2);
    assert_close(two[6], build[3], 0.0);
    assert_close(two[1], 3.0, 0.0);
    assert_close(two[3], 0.0, 0.0);
}

static void test_stock__catchment_moves_a_share_in_proportion_to_stock(void **state)
{
    (void)state;
    const double demand[3] = { 1234.5, 800.0, 300.0 }, weight[3] = { 100.0, 300.0, 600.0 };
    const double s = 0.2;
    double served[3];
    ps_services__catchment(served, demand, weight, 3, s);
    assert_close(served[0], (1 - s) * 1234.5 + s * 800.0 * 100.0 / 700.0 +
                                s * 300.0 * 100.0 / 400.0, 1e-14);
    assert_close(served[1], (1 - s) * 800.0 + s * 1234.5 * 300.0 / 900.0 +
                                s * 300.0 * 300.0 / 400.0, 1e-14);
    assert_close(served[2], (1 - s) * 300.0 + s * 1234.5 * 600.0 / 900.0 +
                                s * 800.0 * 600.0 / 700.0, 1e-14);
    assert_close(served[0] + served[1] + served[2], 1234.5 + 800.0 + 300.0, 1e-14);
    /* Nowhere else to go: a region whose neighbours have no stock keeps its demand. */
    const double only_third[3] = { 0.0, 0.0, 5.0 };
    ps_services__catchment(served, demand, only_third, 3, s);
    assert_close(served[0], (1 - s) * 1234.5, 1e-14);
    assert_close(served[2], 300.0 + s * (1234.5 + 800.0), 1e-14);
    ps_services__catchment(served, demand, weight, 1, 0.5); /* one region */
    assert_close(served[0], 1234.5, 0.0);
}

/* A two-region result with a childcare stock: the outputs of ps_services_compute. */
static void test_stock__two_regions_gaps_served_demand_and_build(void **state)
{
    (void)state;
    static double persons[2][N_AGES];
    persons[0][0] = 100.0;   /* East: 200 children, 10,000 persons */
    persons[0][30] = 4900.0;
    persons[1][0] = 50.0;    /* West: 100 children, 5,000 persons */
    persons[1][30] = 2450.0;
    const char *names[2] = { "East", "West" };
    ps_result r;
    ps_error err;
    region_result(&r, 3, 2, names, (const double (*)[N_AGES])persons);
    ps_svc_stock_row rows[2] = {
        { .region = (char *)"East", .year = 2020, .places = 30.0, .line = 2, .region_column = 1 },
        { .region = (char *)"West", .year = 2020, .places = 40.0, .line = 3, .region_column = 1 },
    };
    ps_svc_class c = { .name = (char *)"all", .age_lo = 0, .age_hi = 2, .need = -1,
                       .uptake = 0.5 };
    int year = START;
    double target = 4.5;
    ps_service s = { .name = (char *)"childcare", .kind = PS_SVC_CHILDCARE, .sex = -1,
                     .setting = -1, .classes = &c, .n_classes = 1,
                     .basis = PS_SVC_BASIS_POPULATION,
                     .target = { .n = 1, .years = &year, .values = &target },
                     .occupancy = 0.8, .nursing_share = NAN, .subsidised_share = 1.0,
                     .stock = { .path = (char *)"stock.csv", .type = (char *)"childcare",
                                .n_rows = 2, .rows = rows },
                     .cross_district_share = 0.25 };
    assert_ps_ok(ps_services_compute(&r, &s, 1, NULL, &err), &err);
    const ps_svc_result *o = &r.services[0];
    const double served_east = 0.75 * 100.0 + 0.25 * 50.0; /* West's share all goes east */
    const double served_west = 0.75 * 50.0 + 0.25 * 100.0;
    for (int y = 0; y < 3; ++y) {
        size_t e = ps_result_regcell(&r, y, 0), w = ps_result_regcell(&r, y, 1);
        assert_close(o->demand[e], 100.0, 1e-14); /* unchanged by the catchment */
        assert_close(o->stock[e], 30.0, 0.0);
        assert_close(o->demand_served[e], served_east, 1e-14);
        assert_close(o->demand_served[w], served_west, 1e-14);
        assert_close(o->gap_target[e], 30.0 - 45.0, 1e-14);
        assert_close(o->gap_target[w], 40.0 - 22.5, 1e-14);
        assert_close(o->gap_demand[e], 30.0 - served_east / 0.8, 1e-14);
        assert_close(o->gap_demand[w], 40.0 - served_west / 0.8, 1e-14);
        assert_close(o->build[e], y == 0 ? 15.0 : 0.0, 1e-14); /* built once, then there */
        assert_close(o->build[w], 0.0, 0.0);
        assert_true(isnan(o->stock_public[e])); /* no ownership column */
    }
    ps_result_release(&r);
    /* Without a stock file only demand_served is there. */
    region_result(&r, 3, 2, names, (const double (*)[N_AGES])persons);
    s.stock = (ps_svc_stock){ 0 };
    assert_ps_ok(ps_services_compute(&r, &s, 1, NULL, &err), &err);
    assert_null(r.services[0].stock);
    assert_null(r.services[0].build);
    /* weights are the demands: West's 25 % (12.5) goes east, East's 25 (25) west */
    assert_close(r.services[0].demand_served[0], 75.0 + 12.5, 1e-14);
    ps_result_release(&r);
}

/* Settings by level of need, self-caring residents and prevalence by sex. */
static void test_stock__care_split_by_level_self_caring_and_sex(void **state)
{
    (void)state;
    static double persons[1][N_AGES];
    persons[0][70] = 1000.0;
    persons[0][85] = 500.0;
    ps_result r;
    ps_error err;
    region_result(&r, 2, 1, NULL, (const double (*)[N_AGES])persons);
    int from_d[2] = { 60, 80 }, from_p[1] = { 60 };
    double val_d[2] = { 0.02, 0.10 }, val_p[1] = { 0.05 };
    ps_care_level levels[2] = {
        { .name = "disabled", .n_steps = 2, .from_age = from_d, .value = val_d, .by_sex = 1,
          .sex_factor = { [PS_SEX_FEMALE] = 1.25, [PS_SEX_MALE] = 0.75 } },
        { .name = "partly", .n_steps = 1, .from_age = from_p, .value = val_p },
    };
    double home[2] = { 0.7, 0.9 }, inst[2] = { 0.3, 0.1 };
    ps_care_setting settings[2] = { { .name = "home", .share = 0.9, .level_share = home },
                                    { .name = "institution", .share = 0.1, .level_share = inst } };
    ps_care_need cn = { .n_levels = 2, .levels = levels, .base_year = START, .n_settings = 2,
                        .settings = settings };
    ps_svc_class c[3] = {
        { .name = (char *)"disabled", .age_lo = 60, .age_hi = 100, .need = 0, .uptake = 1.0 },
        { .name = (char *)"partly", .age_lo = 60, .age_hi = 100, .need = 1, .uptake = 1.0 },
        { .name = (char *)"self", .age_lo = 80, .age_hi = 100, .need = PS_SVC_NEED_SELF_CARING,
          .uptake = 0.04 },
    };
    ps_service s = { .name = (char *)"beds", .kind = PS_SVC_ELDERLY, .sex = -1, .setting = 1,
                     .classes = c, .n_classes = 3, .basis = PS_SVC_BASIS_NONE,
                     .occupancy = 1.0, .nursing_share = NAN, .subsidised_share = 1.0 };
    assert_ps_ok(ps_services_compute(&r, &s, 1, &cn, &err), &err);
    /* disabled: women (1000 x 0.02 + 500 x 0.10) x 1.25, men the same x 0.75 */
    const double disabled = (1000.0 * 0.02 + 500.0 * 0.10) * (1.25 + 0.75);
    const double partly = (1000.0 + 500.0) * 2 * 0.05;
    /* self-caring at 85: women 500 (1 - 0.125 - 0.05), men 500 (1 - 0.075 - 0.05) */
    const double self = 500.0 * (1.0 - 0.10 * 1.25 - 0.05) + 500.0 * (1.0 - 0.10 * 0.75 - 0.05);
    assert_close(r.care_need[0], disabled, 1e-14);
    assert_close(r.care_need[1], partly, 1e-14);
    const ps_svc_result *o = &r.services[0];
    assert_close(o->demand_by_class[0], 0.3 * disabled, 1e-14);
    assert_close(o->demand_by_class[1], 0.1 * partly, 1e-14);
    assert_close(o->demand_by_class[2], 0.04 * self, 1e-14); /* no setting share */
    assert_close(ps_care_prevalence_sex(&cn, 0, PS_SEX_FEMALE, 85, START), 0.125, 1e-15);
    assert_close(ps_care_prevalence_sex(&cn, 1, PS_SEX_MALE, 85, START), 0.05, 0.0);
    /* Home's shares by level must complete the institution's to 1 for every level. */
    home[1] = 0.8;
    assert_int_equal(ps_services_compute(&r, &s, 1, &cn, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "partly"));
    home[1] = 0.9;
    /* A self-caring class overlaps a class without a need level, not one with a level. */
    assert_false(ps_svc_classes_overlap(&c[0], &c[2]));
    ps_svc_class all = { .name = (char *)"all", .age_lo = 60, .age_hi = 100, .need = -1 };
    assert_true(ps_svc_classes_overlap(&all, &c[2]));
    ps_result_release(&r);
}

/* data/example_province/stock.csv has every facility type for each of the province's five
 * districts, and the years it gives are carried forward (Central's childcare: the two 2025
 * rows until the two 2027 rows). */
static void test_stock__example_province_file_covers_its_five_districts(void **state)
{
    (void)state;
    static const char *const types[] = { "childcare", "kindergarten", "elderly_institution" };
    const char *districts[5] = { "Central", "Xinhu New Town", "Beigang", "Shanyang County",
                                 "Nanshan County" };
    ps_result r;
    ps_error err;
    region_result(&r, 6, 5, districts, NULL);
    for (size_t t = 0; t < sizeof types / sizeof types[0]; ++t) {
        char found[400];
        double places[30], pub[30], staff[30];
        ps_svc_stock st = { .path = (char *)PS_SOURCE_DIR "/data/example_province/stock.csv",
                            .type = (char *)types[t] };
        assert_ps_ok(ps_io__read_stock(&st, found, sizeof found, &err), &err);
        assert_int_equal(st.has_ownership, 1);
        assert_ps_ok(ps_svc_stock_resolve(places, pub, staff, &st, &r, &err), &err);
        for (int reg = 0; reg < 5; ++reg) {
            assert_true(places[ps_result_regcell(&r, 0, reg)] > 0.0);
            assert_true(staff[ps_result_regcell(&r, 0, reg)] > 0.0);
        }
        if (t == 0) {
            assert_close(places[ps_result_regcell(&r, 1, 0)], 2600.0 + 1900.0, 0.0);
            assert_close(places[ps_result_regcell(&r, 2, 0)], 3000.0 + 1900.0, 0.0);
            assert_close(pub[ps_result_regcell(&r, 5, 0)], 3000.0, 0.0);
        }
        for (int i = 0; i < st.n_rows; ++i) {
            free(st.rows[i].region);
        }
        free(st.rows);
    }
    ps_result_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stock__loader_reads_rows_of_the_type_with_ownership),
        cmocka_unit_test(test_stock__loader_locates_bad_stock_files),
        cmocka_unit_test(test_stock__districts_carry_years_forward_and_sum_rows),
        cmocka_unit_test(test_stock__unknown_and_missing_districts_are_errors),
        cmocka_unit_test(test_stock__build_rule_never_demolishes),
        cmocka_unit_test(test_stock__catchment_moves_a_share_in_proportion_to_stock),
        cmocka_unit_test(test_stock__two_regions_gaps_served_demand_and_build),
        cmocka_unit_test(test_stock__care_split_by_level_self_caring_and_sex),
        cmocka_unit_test(test_stock__example_province_file_covers_its_five_districts),
    };
    return cmocka_run_group_tests_name("stock", tests, NULL, NULL);
}

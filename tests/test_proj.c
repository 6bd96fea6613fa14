/*
 * test_proj.c - the cohort-component engine against analytic answers: ageing without
 * events, geometric decay under a constant rate, cohort survival equal to life-table
 * ratios, migration timing, the accounting identity, and convergence to the growth rate
 * of the discrete Lotka (characteristic) equation solved with a GSL root finder.
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "popsim/demog.h"
#include "popsim/proj.h"
#include "popsim/units.h"
#include "test_util.h"

#define N_AGES 101
#define OPEN (N_AGES - 1)

/* Inputs with a population of 1234.5 + 17.25 * age per sex, no births, no migration,
 * and death rates m at every age (m_open in the open group). */
static void build(ps_inputs *in, int years, double m, double m_open)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, 2020, 2020 + years, 1, N_AGES, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            in->base.count[ps_pop_idx(&in->base, 0, sex, age)] = 1234.5 + 17.25 * age + sex;
        }
    }
    for (int step = 0; step < years; ++step) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                in->mx[ps_inputs_idx(in, step, 0, sex, age)] = age == OPEN ? m_open : m;
            }
        }
    }
}

static void run(ps_result *res, const ps_inputs *in)
{
    ps_error err;
    ps_proj *p = NULL;
    assert_ps_ok(ps_proj_new(&p, in, &err), &err);
    assert_ps_ok(ps_proj_run(res, p, "t", NULL, &err), &err);
    ps_proj_free(p);
}

static double pop_at(const ps_result *r, int y, int sex, int age)
{
    return r->population[ps_result_cell(r, y, 0, sex, age)];
}

static void test_proj__no_births_no_deaths_shifts_ages_by_one(void **state)
{
    (void)state;
    ps_inputs in;
    build(&in, 7, 0.0, 1e-300);
    ps_result r;
    run(&r, &in);
    for (int y = 0; y < 7; ++y) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            assert_true(pop_at(&r, y + 1, sex, 0) == 0.0);
            for (int age = 1; age < OPEN; ++age) {
                assert_close(pop_at(&r, y + 1, sex, age), pop_at(&r, y, sex, age - 1), 1e-15);
            }
        }
    }
    ps_result_release(&r);
    ps_inputs_release(&in);
}

static void test_proj__constant_death_rate_gives_geometric_decay(void **state)
{
    (void)state;
    const double m = 0.0237, p = (1.0 - m / 2) / (1.0 + m / 2);
    ps_inputs in;
    build(&in, 12, m, m);
    ps_result r;
    run(&r, &in);
    for (int age = 2; age + 12 < OPEN; ++age) {
        assert_close(pop_at(&r, 12, PS_SEX_FEMALE, age + 12),
                     pop_at(&r, 0, PS_SEX_FEMALE, age) * pow(p, 12), 1e-12);
    }
    ps_result_release(&r);
    ps_inputs_release(&in);
}

static void test_proj__cohort_survival_equals_life_table_ratios(void **state)
{
    (void)state;
    ps_inputs in;
    build(&in, 1, 0.0, 0.0);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            in.mx[ps_inputs_idx(&in, 0, 0, sex, age)] = 0.00027 * exp(0.0813 * age) + 0.0005;
        }
    }
    ps_result r;
    run(&r, &in);
    double mem[6][N_AGES];
    ps_lifetable lt = { .n_ages = N_AGES, .ax = mem[0], .qx = mem[1], .lx = mem[2],
                        .Lx = mem[3], .Tx = mem[4], .ex = mem[5] };
    ps_error err;
    assert_ps_ok(ps_lt_compute(&lt, &in.mx[ps_inputs_idx(&in, 0, 0, PS_SEX_MALE, 0)],
                               PS_SEX_MALE, &err), &err);
    for (int age = 1; age < OPEN; ++age) {
        assert_close(pop_at(&r, 1, PS_SEX_MALE, age) / pop_at(&r, 0, PS_SEX_MALE, age - 1),
                     lt.Lx[age] / lt.Lx[age - 1], 1e-13);
    }
    double open_in = pop_at(&r, 0, PS_SEX_MALE, OPEN - 1) + pop_at(&r, 0, PS_SEX_MALE, OPEN);
    assert_close(pop_at(&r, 1, PS_SEX_MALE, OPEN), open_in * lt.Tx[OPEN] / lt.Tx[OPEN - 1],
                 1e-13);
    assert_close(r.e0[ps_result_sexcell(&r, 0, 0, PS_SEX_MALE)], lt.ex[0], 1e-14);
    ps_result_release(&r);
    ps_inputs_release(&in);
}

static void test_proj__half_of_migrants_join_at_each_end_of_the_year(void **state)
{
    (void)state;
    ps_inputs in;
    build(&in, 1, 0.0, 1e-300);
    for (int age = 0; age < N_AGES; ++age) {
        in.mig[ps_inputs_idx(&in, 0, 0, PS_SEX_FEMALE, age)] = 40.5 - 0.75 * age;
    }
    ps_result r;
    run(&r, &in);
    const double *M = &in.mig[ps_inputs_idx(&in, 0, 0, PS_SEX_FEMALE, 0)];
    assert_close(pop_at(&r, 1, PS_SEX_FEMALE, 0), M[0] / 2, 1e-14);
    for (int age = 1; age < OPEN; ++age) {
        assert_close(pop_at(&r, 1, PS_SEX_FEMALE, age),
                     pop_at(&r, 0, PS_SEX_FEMALE, age - 1) + M[age - 1] / 2 + M[age] / 2, 1e-14);
        assert_close(r.net_migration[ps_result_cell(&r, 0, 0, PS_SEX_FEMALE, age)],
                     M[age - 1] / 2 + M[age] / 2, 1e-14);
    }
    ps_result_release(&r);
    ps_inputs_release(&in);
}

static void test_proj__totals_balance_births_deaths_and_migration(void **state)
{
    (void)state;
    ps_inputs in;
    build(&in, 30, 0.0, 0.0);
    for (int step = 0; step < 30; ++step) {
        in.srb[step] = 1.07;
        for (int age = 0; age < N_AGES; ++age) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                in.mx[ps_inputs_idx(&in, step, 0, sex, age)] = 0.0003 * exp(0.085 * age);
                in.mig[ps_inputs_idx(&in, step, 0, sex, age)] = age < 40 ? 3.25 : -1.5;
            }
        }
        ps_sched_hadwiger(&in.asfr[ps_inputs_asfr_idx(&in, step, 0, 0)], N_AGES, 1.43, 29.5);
    }
    ps_result r;
    run(&r, &in);
    for (int y = 0; y < 30; ++y) {
        double mig = 0.0;
        for (size_t i = 0; i < 2 * N_AGES; ++i) {
            mig += r.net_migration[ps_result_cell(&r, y, 0, 0, 0) + i];
        }
        double want = ps_result_total(&r, 2020 + y) + ps_result_births(&r, 2020 + y) -
                      ps_result_deaths(&r, 2020 + y) + mig;
        assert_close(ps_result_total(&r, 2020 + y + 1), want, 1e-12);
        double bm = r.births[ps_result_sexcell(&r, y, 0, PS_SEX_MALE)];
        double bf = r.births[ps_result_sexcell(&r, y, 0, PS_SEX_FEMALE)];
        assert_close(bm / bf, 1.07, 1e-12);
        assert_close(r.tfr[ps_result_regcell(&r, y, 0)], 1.43, 1e-12);
    }
    assert_true(isnan(ps_result_births(&r, 2050)));
    ps_result_release(&r);
    ps_inputs_release(&in);
}

static void test_proj__emigration_larger_than_a_cohort_is_cut_and_reported(void **state)
{
    (void)state;
    ps_inputs in;
    build(&in, 1, 0.01, 0.2);
    in.mig[ps_inputs_idx(&in, 0, 0, PS_SEX_MALE, 50)] = -1.0e6;
    ps_result r;
    run(&r, &in);
    assert_true(pop_at(&r, 1, PS_SEX_MALE, 51) >= 0.0);
    assert_true(pop_at(&r, 1, PS_SEX_MALE, 50) >= 0.0);
    assert_true(r.emigration_shortfall > 1.0e6 - 2 * 3000.0);
    ps_result_release(&r);
    ps_inputs_release(&in);
}

/* Discrete characteristic equation of the projection (docs/model.md, sec. 2.5):
 * 1 = phi sum_x f(x) L(x) (lambda^(-1-x) + lambda^(-x)) / 2, phi = 1 / (1 + srb). */
typedef struct lotka_ctx {
    const double *f, *L;
    double phi;
} lotka_ctx;

static double lotka(double r, void *params)
{
    const lotka_ctx *c = params;
    double sum = 0.0;
    for (int x = 0; x < N_AGES; ++x) {
        sum += c->f[x] * c->L[x] * 0.5 * (exp(-r * (x + 1)) + exp(-r * x));
    }
    return c->phi * sum - 1.0;
}

static double solve_lotka(lotka_ctx *ctx)
{
    gsl_function fn = { .function = lotka, .params = ctx };
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    gsl_root_fsolver_set(s, &fn, -0.2, 0.2);
    int status = GSL_CONTINUE;
    for (int i = 0; i < 200 && status == GSL_CONTINUE; ++i) {
        gsl_root_fsolver_iterate(s);
        status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s),
                                        1e-14, 0.0);
    }
    double r = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    assert_int_equal(status, GSL_SUCCESS);
    return r;
}

/* Issue #17: inputs that each pass their checks can compound to an impossible count; the
 * step refuses a count above PS_POPULATION_MAX (or not finite), naming the year and age. */
static void test_proj__impossible_population_is_an_error_naming_year_and_age(void **state)
{
    (void)state;
    ps_inputs in;
    ps_error err;
    build(&in, 3, 0.0237, 0.0237);
    /* each cell is allowed; the open group 100+ collects both: 1.2e11 x survival */
    in.base.count[ps_pop_idx(&in.base, 0, PS_SEX_FEMALE, OPEN - 1)] = 0.6 * PS_POPULATION_MAX;
    in.base.count[ps_pop_idx(&in.base, 0, PS_SEX_FEMALE, OPEN)] = 0.6 * PS_POPULATION_MAX;
    ps_proj *p = NULL;
    assert_ps_ok(ps_proj_new(&p, &in, &err), &err);
    ps_result r;
    ps_error_clear(&err);
    assert_int_equal(ps_proj_run(&r, p, "t", NULL, &err), PS_ENUMERIC);
    assert_non_null(strstr(err.msg, "year 2020, region"));
    assert_non_null(strstr(err.msg, "female: the population at age 100 is 1.17"));
    assert_non_null(strstr(err.msg, "not a finite count in [0, 1e+11]"));
    ps_proj_free(p);
    ps_inputs_release(&in);
}

static void test_proj__constant_rates_converge_to_the_lotka_growth_rate(void **state)
{
    (void)state;
    const int years = 2000; /* subdominant roots decay like 0.97^t */
    ps_inputs in;
    build(&in, years, 0.0, 0.0);
    double f[N_AGES];
    ps_sched_hadwiger(f, N_AGES, 2.61, 28.5);
    for (int step = 0; step < years; ++step) {
        in.srb[step] = 1.06;
        for (int age = 0; age < N_AGES; ++age) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                in.mx[ps_inputs_idx(&in, step, 0, sex, age)] = 0.00041 * exp(0.082 * age) + 0.0007;
            }
            in.asfr[ps_inputs_asfr_idx(&in, step, 0, age)] = f[age];
        }
    }
    ps_result r;
    run(&r, &in);
    double mem[6][N_AGES];
    ps_lifetable lt = { .n_ages = N_AGES, .ax = mem[0], .qx = mem[1], .lx = mem[2],
                        .Lx = mem[3], .Tx = mem[4], .ex = mem[5] };
    ps_error err;
    assert_ps_ok(ps_lt_compute(&lt, &in.mx[ps_inputs_idx(&in, 0, 0, PS_SEX_FEMALE, 0)],
                               PS_SEX_FEMALE, &err), &err);
    lotka_ctx ctx = { .f = f, .L = lt.Lx, .phi = 1.0 / (1.0 + 1.06) };
    double r_lotka = solve_lotka(&ctx);
    double r_sim = log(ps_result_births(&r, 2020 + years - 1) / ps_result_births(&r, 2020 + years - 2));
    double r_pop = log(ps_result_total(&r, 2020 + years) / ps_result_total(&r, 2020 + years - 1));
    assert_true(fabs(r_lotka) > 0.005); /* the test is about growth, not a stationary state */
    assert_close(r_sim, r_lotka, 1e-9);
    assert_close(r_pop, r_lotka, 1e-9);
    ps_result_release(&r);
    ps_inputs_release(&in);
}

static void test_proj__invalid_inputs_are_refused_before_projecting(void **state)
{
    (void)state;
    ps_inputs in;
    build(&in, 2, 0.01, 0.2);
    in.mx[ps_inputs_idx(&in, 1, 0, PS_SEX_FEMALE, 37)] = NAN;
    ps_error err;
    ps_proj *p = NULL;
    assert_int_equal(ps_proj_new(&p, &in, &err), PS_EINVAL);
    assert_null(p);
    assert_non_null(strstr(err.msg, "age 37"));
    assert_non_null(strstr(err.msg, "2021"));
    in.mx[ps_inputs_idx(&in, 1, 0, PS_SEX_FEMALE, 37)] = 0.01;
    in.base.count[5] = -4.5;
    assert_int_equal(ps_proj_new(&p, &in, &err), PS_EINVAL);
    /* Issue #17: counts and rates against their meaning, not only their sign. */
    in.base.count[5] = 1.7e308;
    assert_int_equal(ps_proj_new(&p, &in, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "expected [0, 1e11] persons"));
    in.base.count[5] = 1234.5;
    in.asfr[ps_inputs_asfr_idx(&in, 1, 0, 29)] = 0.85;
    assert_int_equal(ps_proj_new(&p, &in, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "ASFR = 0.85 for year 2021"));
    in.asfr[ps_inputs_asfr_idx(&in, 1, 0, 29)] = 0.0;
    in.mig[ps_inputs_idx(&in, 0, 0, PS_SEX_MALE, 40)] = -1e11;
    assert_int_equal(ps_proj_new(&p, &in, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "net migration = -1e+11 for year 2020"));
    ps_inputs_release(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proj__no_births_no_deaths_shifts_ages_by_one),
        cmocka_unit_test(test_proj__constant_death_rate_gives_geometric_decay),
        cmocka_unit_test(test_proj__cohort_survival_equals_life_table_ratios),
        cmocka_unit_test(test_proj__half_of_migrants_join_at_each_end_of_the_year),
        cmocka_unit_test(test_proj__totals_balance_births_deaths_and_migration),
        cmocka_unit_test(test_proj__emigration_larger_than_a_cohort_is_cut_and_reported),
        cmocka_unit_test(test_proj__impossible_population_is_an_error_naming_year_and_age),
        cmocka_unit_test(test_proj__constant_rates_converge_to_the_lotka_growth_rate),
        cmocka_unit_test(test_proj__invalid_inputs_are_refused_before_projecting),
    };
    return cmocka_run_group_tests_name("proj", tests, NULL, NULL);
}

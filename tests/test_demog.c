/*
 * test_demog.c - life tables, graduation and model schedules against analytic answers.
 */
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/units.h"
#include "test_util.h"

#define N_AGES 101

typedef struct lt_store {
    double mem[6][N_AGES];
    ps_lifetable lt;
} lt_store;

static void lt_bind(lt_store *s)
{
    s->lt = (ps_lifetable){ .n_ages = N_AGES, .ax = s->mem[0], .qx = s->mem[1], .lx = s->mem[2],
                            .Lx = s->mem[3], .Tx = s->mem[4], .ex = s->mem[5] };
}

static void fill(double *a, int n, double v)
{
    for (int i = 0; i < n; ++i) {
        a[i] = v;
    }
}

/* With one constant rate m at every age, each interval gives d = m L exactly (for any a),
 * so the table telescopes to e(x) = 1/m at every age. */
static void test_demog__constant_rate_gives_life_expectancy_one_over_m(void **state)
{
    (void)state;
    lt_store s;
    lt_bind(&s);
    double mx[N_AGES];
    fill(mx, N_AGES, 0.0237);
    ps_error err;
    assert_ps_ok(ps_lt_compute(&s.lt, mx, PS_SEX_FEMALE, &err), &err);
    for (int age = 0; age < N_AGES; ++age) {
        assert_close(s.lt.ex[age], 1.0 / 0.0237, 1e-12);
    }
    assert_close(ps_lt_e0(mx, N_AGES, PS_SEX_MALE), 1.0 / 0.0237, 1e-12);
}

static void test_demog__survivorship_is_ratio_of_person_years(void **state)
{
    (void)state;
    lt_store s;
    lt_bind(&s);
    double mx[N_AGES], surv[N_AGES];
    for (int age = 0; age < N_AGES; ++age) {
        mx[age] = 0.00031 * exp(0.0871 * age) + 0.0004; /* Gompertz-Makeham */
    }
    ps_error err;
    assert_ps_ok(ps_lt_compute(&s.lt, mx, PS_SEX_MALE, &err), &err);
    ps_lt_survivorship(surv, &s.lt);
    assert_close(surv[0], s.lt.Lx[0], 1e-15);
    for (int age = 1; age < N_AGES - 1; ++age) {
        assert_close(surv[age], s.lt.Lx[age] / s.lt.Lx[age - 1], 1e-14);
        assert_true(surv[age] > 0.0 && surv[age] < 1.0);
    }
    assert_close(surv[N_AGES - 1], s.lt.Tx[N_AGES - 1] / s.lt.Tx[N_AGES - 2], 1e-14);
    /* With a constant rate the ratio is (1 - m/2) / (1 + m/2) above age 1. */
    fill(mx, N_AGES, 0.0237);
    assert_ps_ok(ps_lt_compute(&s.lt, mx, PS_SEX_MALE, &err), &err);
    ps_lt_survivorship(surv, &s.lt);
    assert_close(surv[40], (1.0 - 0.0237 / 2) / (1.0 + 0.0237 / 2), 1e-14);
}

static void test_demog__e0_scaling_recovers_the_constant_rate(void **state)
{
    (void)state;
    double mx[N_AGES];
    fill(mx, N_AGES, 0.0237);
    ps_error err;
    assert_ps_ok(ps_lt_scale_to_e0(mx, N_AGES, PS_SEX_FEMALE, 50.0, &err), &err);
    for (int age = 0; age < N_AGES; ++age) {
        assert_close(mx[age], 0.02, 1e-10);
    }
}

static void test_demog__e0_scaling_rejects_unreachable_targets(void **state)
{
    (void)state;
    double mx[N_AGES];
    fill(mx, N_AGES, 0.0237);
    ps_error err;
    assert_int_equal(ps_lt_scale_to_e0(mx, N_AGES, PS_SEX_FEMALE, -3.0, &err), PS_EINVAL);
    mx[7] = -1.0;
    assert_int_equal(ps_lt_scale_to_e0(mx, N_AGES, PS_SEX_FEMALE, 70.0, &err), PS_EINVAL);
    mx[7] = NAN;
    assert_int_equal(ps_lt_compute(&(ps_lifetable){ .n_ages = N_AGES }, mx, PS_SEX_MALE, &err),
                     PS_EINVAL);
}

static void test_demog__graduated_counts_keep_group_totals_and_stay_positive(void **state)
{
    (void)state;
    const int edges[] = { 0, 5, 10, 15, 20, 25, 30 };
    const double counts[] = { 1234.5, 2019.25, 3101.0, 877.75, 12.5, 4400.0 };
    double single[30];
    ps_error err;
    assert_ps_ok(ps_grad_counts(single, edges, counts, 6, &err), &err);
    for (int g = 0; g < 6; ++g) {
        double sum = 0.0;
        for (int age = edges[g]; age < edges[g + 1]; ++age) {
            assert_true(single[age] >= 0.0);
            sum += single[age];
        }
        assert_close(sum, counts[g], 1e-12);
    }
}

static void test_demog__graduating_a_uniform_distribution_is_exact(void **state)
{
    (void)state;
    const int edges[] = { 10, 15, 20, 25, 30 };
    const double counts[] = { 617.5, 617.5, 617.5, 617.5 };
    double single[20];
    ps_error err;
    assert_ps_ok(ps_grad_counts(single, edges, counts, 4, &err), &err);
    for (int i = 0; i < 20; ++i) {
        assert_close(single[i], 123.5, 1e-12);
    }
}

static void test_demog__graduation_rejects_bad_groups(void **state)
{
    (void)state;
    const int edges[] = { 0, 5, 5, 15 };
    const double counts[] = { 1.0, 2.0, 3.0 };
    const int good_edges[] = { 0, 5, 10, 15 };
    const double negative[] = { 1.0, -2.0, 3.0 };
    double single[15];
    ps_error err;
    assert_int_equal(ps_grad_counts(single, edges, counts, 3, &err), PS_EINVAL);
    assert_int_equal(ps_grad_counts(single, good_edges, negative, 3, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "5..9"));
}

/* Life-table rate of single ages lo..hi-1 (deaths over person-years, a = 1/2). */
static double group_rate(const double *mx, int lo, int hi)
{
    double l = 1.0, d_sum = 0.0, L_sum = 0.0;
    for (int age = lo; age < hi; ++age) {
        double q = mx[age] / (1.0 + 0.5 * mx[age]);
        d_sum += l * q;
        L_sum += l * (1.0 - 0.5 * q);
        l *= 1.0 - q;
    }
    return d_sum / L_sum;
}

static void test_demog__graduated_mx_keeps_each_group_life_table_rate(void **state)
{
    (void)state;
    int edges[22];
    double groups[22], mx[N_AGES];
    edges[0] = 0;
    edges[1] = 1;
    for (int g = 2; g < 22; ++g) {
        edges[g] = (g - 1) * 5;
    }
    for (int g = 0; g < 22; ++g) {
        groups[g] = g == 0 ? 0.0123 : 0.00021 * exp(0.089 * edges[g]) + 0.0003;
    }
    ps_error err;
    assert_ps_ok(ps_grad_mx(mx, N_AGES, edges, groups, 22, &err), &err);
    assert_close(mx[0], groups[0], 1e-15);
    assert_close(mx[100], groups[21], 1e-15);
    for (int g = 1; g < 21; ++g) {
        assert_close(group_rate(mx, edges[g], edges[g + 1]), groups[g], 1e-11);
    }
    for (int age = 6; age < 99; ++age) {
        assert_true(mx[age + 1] > mx[age]); /* the Gompertz shape survives graduation */
    }
}

static void test_demog__hadwiger_sums_to_tfr_with_the_requested_mean_age(void **state)
{
    (void)state;
    double asfr[N_AGES];
    ps_sched_hadwiger(asfr, N_AGES, 1.37, 29.5);
    double sum = 0.0, moment = 0.0;
    for (int age = 0; age < N_AGES; ++age) {
        sum += asfr[age];
        moment += (age + 0.5) * asfr[age];
        if (age < PS_FERTILE_AGE_MIN || age > PS_FERTILE_AGE_MAX) {
            assert_true(asfr[age] == 0.0);
        }
    }
    assert_close(sum, 1.37, 1e-12);
    assert_true(fabs(moment / sum - 29.5) < 0.5);
}

static void test_demog__rogers_castro_is_a_distribution_peaking_at_young_adult_ages(void **state)
{
    (void)state;
    double sched[N_AGES];
    const ps_rogers_castro rc = PS_ROGERS_CASTRO_INIT;
    ps_sched_rogers_castro(sched, N_AGES, &rc);
    double sum = 0.0;
    int peak = 15;
    for (int age = 0; age < N_AGES; ++age) {
        assert_true(sched[age] > 0.0);
        sum += sched[age];
        if (age >= 15 && sched[age] > sched[peak]) {
            peak = age;
        }
    }
    assert_close(sum, 1.0, 1e-12);
    assert_in_range(peak, 18, 28);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_demog__constant_rate_gives_life_expectancy_one_over_m),
        cmocka_unit_test(test_demog__survivorship_is_ratio_of_person_years),
        cmocka_unit_test(test_demog__e0_scaling_recovers_the_constant_rate),
        cmocka_unit_test(test_demog__e0_scaling_rejects_unreachable_targets),
        cmocka_unit_test(test_demog__graduated_counts_keep_group_totals_and_stay_positive),
        cmocka_unit_test(test_demog__graduating_a_uniform_distribution_is_exact),
        cmocka_unit_test(test_demog__graduation_rejects_bad_groups),
        cmocka_unit_test(test_demog__graduated_mx_keeps_each_group_life_table_rate),
        cmocka_unit_test(test_demog__hadwiger_sums_to_tfr_with_the_requested_mean_age),
        cmocka_unit_test(test_demog__rogers_castro_is_a_distribution_peaking_at_young_adult_ages),
    };
    return cmocka_run_group_tests_name("demog", tests, NULL, NULL);
}

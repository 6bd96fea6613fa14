/*
 * test_quantiles.c - ps_prob_sample_quantiles (src/engine/quantiles.c): the same bytes as
 * one ps_prob_sample_quantile per probability, for samples with and without ties, of every
 * size from 1 to 40 and of 1000, at the run's five levels and at 0, 1 and repeated levels.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "popsim/prob.h"

/* A reproducible sample: uniform-ish values, or with few distinct values (ties). */
static void fill(double *x, int n, uint64_t seed, int ties)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (int i = 0; i < n; ++i) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        const double u = (double)(s >> 11) / 9007199254740992.0;
        x[i] = ties ? floor(u * 4.0) - 1.0 : 1e6 * (u - 0.3);
    }
}

static void check(int n, uint64_t seed, int ties, const double *p, int m)
{
    double x[1000], y[1000], got[PS_PROB_QUANTILES_MAX];
    fill(x, n, seed, ties);
    memcpy(y, x, (size_t)n * sizeof *y);
    ps_prob_sample_quantiles(y, n, p, m, got);
    for (int q = 0; q < m; ++q) {
        double z[1000];
        memcpy(z, x, (size_t)n * sizeof *z);
        const double want = ps_prob_sample_quantile(z, n, p[q]);
        assert_memory_equal(&got[q], &want, sizeof want);
    }
}

static void test_quantiles__one_pass_equals_one_selection_per_level(void **state)
{
    (void)state;
    double lv[PS_PROB_N_QUANTILES];
    for (int q = 0; q < PS_PROB_N_QUANTILES; ++q) {
        lv[q] = ps_prob_level(q);
    }
    const double odd[] = { 1.0, 0.5, 0.0, 0.5, 0.975, 0.333, 0.025 };
    for (int n = 1; n <= 40; ++n) {
        for (uint64_t seed = 1; seed <= 5; ++seed) {
            check(n, seed, 0, lv, PS_PROB_N_QUANTILES);
            check(n, seed, 1, lv, PS_PROB_N_QUANTILES);
            check(n, seed, 0, odd, 7);
            check(n, seed, 1, odd, 7);
        }
    }
    for (uint64_t seed = 1; seed <= 20; ++seed) {
        check(1000, seed, 0, lv, PS_PROB_N_QUANTILES);
        check(1000, seed, 1, lv, PS_PROB_N_QUANTILES);
        check(999, seed, 0, odd, 7);
    }
}

/* A known answer (R: quantile(1:10, c(.025, .1, .5, .9, .975)) on a shuffled 1..10). */
static void test_quantiles__known_values(void **state)
{
    (void)state;
    double x[10] = { 7, 3, 10, 1, 5, 9, 2, 8, 6, 4 }, got[PS_PROB_N_QUANTILES];
    double lv[PS_PROB_N_QUANTILES];
    for (int q = 0; q < PS_PROB_N_QUANTILES; ++q) {
        lv[q] = ps_prob_level(q);
    }
    ps_prob_sample_quantiles(x, 10, lv, PS_PROB_N_QUANTILES, got);
    const double want[] = { 1.225, 1.9, 5.5, 9.1, 9.775 };
    for (int q = 0; q < PS_PROB_N_QUANTILES; ++q) {
        assert_true(fabs(got[q] - want[q]) < 1e-12);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles__one_pass_equals_one_selection_per_level),
        cmocka_unit_test(test_quantiles__known_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

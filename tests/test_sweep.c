/*
 * test_sweep.c - policy sweeps (issue #15, section 3; popsim/sweep.h, src/io/sweep.c):
 * the grid and the Latin hypercube, the frontier, the resolution of key paths into the
 * points' members, and bad `sweep:` sections located at the offending key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <math.h>

#include "popsim/scenario.h"
#include "popsim/sweep.h"

/* ---- designs ------------------------------------------------------------------------------ */

static void test_sweep__grid_is_every_combination_last_dimension_fastest(void **state)
{
    (void)state;
    const double a[] = { 1.0, 2.0 };
    const ps_sweep_dim dims[] = { { .values = a, .n_values = 2 },
                                  { .values = NULL, .lo = 0.0, .hi = 1.0, .steps = 3 } };
    assert_int_equal(ps_sweep_grid_size(dims, 2, 1000), 6);
    assert_int_equal(ps_sweep_grid_size(dims, 2, 5), -1); /* over the limit */
    double v[12];
    ps_sweep_grid(v, dims, 2);
    const double want[12] = { 1, 0, 1, 0.5, 1, 1, 2, 0, 2, 0.5, 2, 1 };
    for (int i = 0; i < 12; ++i) {
        assert_true(v[i] == want[i]);
    }
}

/* Every point in its own stratum of every dimension: the strata indices are a permutation. */
static void check_latin(const double *v, const ps_sweep_dim *dims, int n_dims, int n)
{
    for (int d = 0; d < n_dims; ++d) {
        int *seen = calloc((size_t)n, sizeof *seen);
        assert_non_null(seen);
        for (int p = 0; p < n; ++p) {
            const double x = v[p * n_dims + d];
            assert_true(x >= dims[d].lo && x <= dims[d].hi);
            int s = (int)floor((x - dims[d].lo) / (dims[d].hi - dims[d].lo) * n);
            s = s == n ? n - 1 : s;
            assert_int_equal(seen[s], 0);
            seen[s] = 1;
        }
        free(seen);
    }
}

static void test_sweep__latin_hypercube_one_point_per_stratum_reproducible_by_seed(void **state)
{
    (void)state;
    enum { N = 200, D = 3 };
    const ps_sweep_dim dims[D] = { { .lo = 100.0, .hi = 1500.0 },
                                   { .lo = 0.3, .hi = 1.0 },
                                   { .lo = -2.0, .hi = 7.5 } };
    double *a = malloc(N * D * sizeof *a), *b = malloc(N * D * sizeof *b);
    double *c = malloc(N * D * sizeof *c);
    ps_error err;
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_int_equal(ps_sweep_latin_hypercube(a, dims, D, N, 2026, &err), PS_OK);
    assert_int_equal(ps_sweep_latin_hypercube(b, dims, D, N, 2026, &err), PS_OK);
    assert_int_equal(ps_sweep_latin_hypercube(c, dims, D, N, 2027, &err), PS_OK);
    check_latin(a, dims, D, N);
    check_latin(c, dims, D, N);
    assert_memory_equal(a, b, N * D * sizeof *a);
    int differ = 0;
    for (int i = 0; i < N * D; ++i) {
        differ += a[i] != c[i];
    }
    assert_true(differ > N * D / 2); /* another seed, other points */
    /* Same points on any machine: one point from seed 0 is the first SplitMix64 output of
     * the published reference (Vigna's splitmix64.c: 0xe220a8397b1dcdaf), top 53 bits. */
    const ps_sweep_dim unit = { .lo = 0.0, .hi = 1.0 };
    double first = 0.0;
    assert_int_equal(ps_sweep_latin_hypercube(&first, &unit, 1, 1, 0, &err), PS_OK);
    assert_true(first == (double)(0xe220a8397b1dcdafULL >> 11) * 0x1.0p-53);
    free(a);
    free(b);
    free(c);
}

static void test_sweep__latin_hypercube_rounds_whole_number_keys(void **state)
{
    (void)state;
    const ps_sweep_dim dims[] = { { .lo = 1.0, .hi = 6.0, .is_int = 1 } };
    double v[50];
    ps_error err;
    assert_int_equal(ps_sweep_latin_hypercube(v, dims, 1, 50, 7, &err), PS_OK);
    int count[7] = { 0 };
    for (int p = 0; p < 50; ++p) {
        assert_true(v[p] == floor(v[p]) && v[p] >= 1.0 && v[p] <= 6.0);
        count[(int)v[p]]++;
    }
    for (int k = 2; k <= 5; ++k) { /* inner values each get about a fifth of the strata */
        assert_in_range(count[k], 8, 12);
    }
}

/* ---- frontier ------------------------------------------------------------------------------ */

static ps_sweep_row row(double cost, double births)
{
    ps_sweep_row r;
    memset(&r, 0, sizeof r);
    r.cost = cost;
    r.births_gained = births;
    r.cost_per_birth = births > 0 ? cost / births : NAN;
    r.cost_discounted = cost / 2;
    r.births_gained_discounted = births;
    return r;
}

static void test_sweep__frontier_of_a_constructed_case(void **state)
{
    (void)state;
    /* cost, births: 0 (10, 5) frontier; 1 (20, 4) dominated by 0; 2 (20, 9) frontier;
     * 3 (30, 9) dominated by 2 (same births, dearer); 4 (40, 12) frontier; 5 NaN: left out;
     * 6 (5, 1) frontier (cheapest); 7 (20, 9) same as 2: the earlier index only. */
    ps_sweep_row rows[8] = { row(10, 5), row(20, 4), row(20, 9), row(30, 9), row(40, 12),
                             row(NAN, 3), row(5, 1), row(20, 9) };
    int front[8], n = 0;
    ps_error err;
    assert_int_equal(ps_sweep_frontier(front, &n, rows, 8, 0, &err), PS_OK);
    const int want[] = { 6, 0, 2, 4 };
    assert_int_equal(n, 4);
    for (int i = 0; i < n; ++i) {
        assert_int_equal(front[i], want[i]);
    }
    assert_int_equal(ps_sweep_frontier(front, &n, rows, 8, 1, &err), PS_OK);
    assert_int_equal(n, 4); /* discounted: costs halved, the same order */
}

/* ---- key paths --------------------------------------------------------------------------- */

static const char header[] =
    "name: base\n"                                      /* 1 */
    "start: 2025\n"                                     /* 2 */
    "end: 2035\n"                                       /* 3 */
    "population: {file: p.csv}\n"                       /* 4 */
    "mortality: {mx_file: m.csv}\n"                     /* 5 */
    "fertility: {asfr_file: f.csv}\n"                   /* 6 */
    "migration: {none: true}\n"                         /* 7 */
    "services:\n"                                       /* 8 */
    "  - name: childcare\n"                             /* 9 */
    "    kind: childcare\n"                             /* 10 */
    "    classes:\n"                                    /* 11 */
    "      - {name: age0, from_age: 0, uptake: 0.1}\n"  /* 12 */
    "    uptake_path:\n"                                /* 13 */
    "      - {year: 2025, value: 0.10}\n"               /* 14 */
    "      - {year: 2035, value: 0.33}\n"               /* 15 */
    "variants:\n"                                       /* 16 */
    "  - name: pkg\n"                                   /* 17 */
    "    policies:\n"                                   /* 18 */
    "      - {lever: monthly_subsidy, name: sub, start: 2026, second: 300, third: 300}\n" /* 19 */
    "      - {lever: birth_reward, start: 2026, first: 1000}\n" /* 20 */
    "sweep:\n";                                         /* 21 */

static ps_status load_with(ps_scenario *scn, ps_error *err, const char *sweep)
{
    char path[] = "/tmp/ps_test_sweep_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fputs(header, fp);
    fputs(sweep, fp);
    fclose(fp);
    ps_status rc = ps_scn_load(scn, path, err);
    unlink(path);
    return rc;
}

static void test_sweep__paths_set_each_kind_of_key_in_each_point(void **state)
{
    (void)state;
    ps_scenario scn;
    ps_error err;
    ps_status rc = load_with(&scn, &err,
                             "  base: pkg\n"
                             "  dimensions:\n"
                             "    - {key: 'policies[sub].amount', values: [100, 200]}\n"
                             "    - {key: 'policies[birth_reward].eligible_share', values: [0.5]}\n"
                             "    - {key: 'policies[sub].max_age', range: [1, 3], steps: 2}\n"
                             "    - {key: response.cash_elasticity, values: [0.2]}\n"
                             "    - {key: economy.household_income, values: [90000]}\n"
                             "    - {key: 'services[childcare].uptake_path[1].value', values: [0.4]}\n");
    if (rc != PS_OK) {
        fail_msg("%s:%ld:%d: %s", err.path, err.line, err.column, err.msg);
    }
    assert_int_equal(scn.n_members, 2 + 4); /* base, pkg, then 2 x 1 x 2 x 1 x 1 x 1 points */
    assert_int_equal(scn.sweep.n_points, 4);
    assert_int_equal(scn.sweep.first_member, 2);
    assert_string_equal(scn.sweep.base, "pkg");
    const ps_scn_member *m = &scn.members[scn.sweep.first_member + 3]; /* 200, 0.5, 3, ... */
    assert_string_equal(m->name, "sweep_00003");
    assert_string_equal(m->extends, "pkg");
    assert_int_equal(m->n_policies, 2);
    assert_true(m->policies[0].amount[0] == 0.0); /* amount: the orders the base pays */
    assert_true(m->policies[0].amount[1] == 200.0 && m->policies[0].amount[2] == 200.0);
    assert_int_equal(m->policies[0].max_age, 3);
    assert_true(m->policies[1].eligible_share == 0.5);
    assert_true(m->response.cash_elasticity == 0.2);
    assert_true(m->economy.household_income == 90000.0);
    assert_true(m->services[0].uptake_path.values[1] == 0.4);
    assert_true(scn.members[1].services[0].uptake_path.values[1] == 0.33); /* pkg unchanged */
    assert_true(scn.members[1].policies[0].amount[1] == 300.0);
    const ps_scn_member *m0 = &scn.members[scn.sweep.first_member];
    assert_true(m0->policies[0].amount[1] == 100.0 && m0->policies[0].max_age == 1);
    assert_true(scn.sweep.values[3 * 6 + 2] == 3.0); /* recorded values, [point][dim] */
    ps_scn_release(&scn);
}

static void test_sweep__latin_hypercube_points_from_the_file(void **state)
{
    (void)state;
    ps_scenario a, b;
    ps_error err;
    const char *text = "  base: pkg\n"
                       "  design: latin_hypercube\n"
                       "  points: 40\n"
                       "  seed: 11\n"
                       "  dimensions:\n"
                       "    - {key: 'policies[sub].second', range: [0, 1000]}\n";
    assert_int_equal(load_with(&a, &err, text), PS_OK);
    assert_int_equal(load_with(&b, &err, text), PS_OK);
    assert_int_equal(a.sweep.n_points, 40);
    assert_memory_equal(a.sweep.values, b.sweep.values, 40 * sizeof(double));
    const ps_sweep_dim dim = { .lo = 0.0, .hi = 1000.0 };
    check_latin(a.sweep.values, &dim, 1, 40);
    for (int p = 0; p < 40; ++p) {
        assert_true(a.members[a.sweep.first_member + p].policies[0].amount[1] ==
                    a.sweep.values[p]);
    }
    ps_scn_release(&a);
    ps_scn_release(&b);
}

/* ---- bad input ---------------------------------------------------------------------------- */

typedef struct bad_sweep {
    const char *text;
    long line;
    int column;
    const char *names;
} bad_sweep;

static const bad_sweep bad_sweeps[] = {
    { "  dimensions:\n    - {key: 'policies[sub].secnd', values: [1]}\n", 23, 13,
      "names no numeric key: member 'base' has no policy named 'sub'" },
    { "  base: pkg\n  dimensions:\n    - {key: 'policies[sub].secnd', values: [1]}\n", 24, 13,
      "'secnd' is not a numeric policy key" },
    { "  base: pkg\n  dimensions:\n    - {key: 'policies[sub].paid_share', values: [1]}\n", 24,
      13, "paid_share does not apply to policy 'sub', a monthly_subsidy" },
    { "  base: pkg\n  dimensions:\n    - {key: response.elasticity, values: [1]}\n", 24, 13,
      "elasticity is a preset name" },
    { "  base: pkg\n  dimensions:\n    - {key: 'policies[sub].eligible_share', values: [0.5, 1.5]}\n",
      24, 59, "sweep.dimensions[0].values[1] = 1.5 is outside [0, 1]" },
    { "  base: pkg\n  dimensions:\n    - {key: 'policies[sub].max_age', values: [2.5]}\n", 24,
      47, "must be a whole number" },
    { "  base: pkg\n  dimensions:\n    - {key: response.cash_elasticity, range: [0.6, 0.1], steps: 3}\n",
      24, 46, "lo is above hi" },
    { "  base: pkg\n  dimensions:\n    - {key: response.cash_elasticity, range: [0.1, 0.6]}\n",
      24, 39, "a range of a grid needs steps" },
    { "  base: pkg\n  design: latin_hypercube\n  points: 10\n  dimensions:\n"
      "    - {key: response.cash_elasticity, range: [0.1, 0.6]}\n",
      21, 1, "sweep.seed is required" },
    { "  base: pkg\n  design: latin_hypercube\n  seed: 1\n  points: 100001\n  dimensions:\n"
      "    - {key: response.cash_elasticity, range: [0.1, 0.6]}\n",
      25, 11, "sweep.points = 100001 is outside 1..100000" },
    { "  base: pkg\n  dimensions:\n"
      "    - {key: response.cash_elasticity, range: [0.1, 0.6], steps: 1000}\n"
      "    - {key: response.quantum_share, range: [0.1, 0.6], steps: 1000}\n",
      24, 5, "the grid has more than 100000 points" },
    { "  base: nobody\n  dimensions:\n    - {key: response.cash_elasticity, values: [1]}\n",
      22, 9, "sweep.base = 'nobody' names no member" },
    { "  base: pkg\n  desgn: grid\n  dimensions:\n    - {key: response.cash_elasticity, values: [1]}\n",
      23, 3, "unknown key 'desgn' in mapping 'sweep'" },
    { "  base: pkg\n  dimensions:\n    - {key: response.cash_elasticity, value: [1]}\n", 24,
      39, "unknown key 'value' in mapping 'sweep.dimensions[0]'" },
    { "  base: pkg\n  dimensions:\n    - {key: 'policies[sub].end', values: [2020]}\n", 24, 43,
      "is outside [2025, 2035]" },
    { "  base: pkg\n  dimensions:\n    - {key: economy.childcare_ceiling, values: [0.05]}\n",
      21, 1, "economy.childcare_ceiling = 0.05 is below economy.childcare_enrollment" },
    { "  base: pkg\n  dimensions:\n    - {key: response.lag_months, values: [6]}\n"
      "    - {key: response.lag_months, values: [9]}\n",
      25, 13, "is swept by sweep.dimensions[0] already" },
};

static void test_sweep__bad_sections_fail_at_the_offending_key(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t i = 0; i < sizeof bad_sweeps / sizeof bad_sweeps[0]; ++i) {
        ps_scenario scn;
        ps_error err;
        ps_status rc = load_with(&scn, &err, bad_sweeps[i].text);
        if (rc == PS_OK) {
            ps_scn_release(&scn);
            printf("case %zu loaded; expected '%s'\n", i, bad_sweeps[i].names);
            ++failed;
        } else if (err.line != bad_sweeps[i].line || err.column != bad_sweeps[i].column ||
                   strstr(err.msg, bad_sweeps[i].names) == NULL) {
            printf("case %zu: got %ld:%d: %s; expected %ld:%d naming '%s'\n", i, err.line,
                   err.column, err.msg, bad_sweeps[i].line, bad_sweeps[i].column,
                   bad_sweeps[i].names);
            ++failed;
        }
    }
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep__grid_is_every_combination_last_dimension_fastest),
        cmocka_unit_test(test_sweep__latin_hypercube_one_point_per_stratum_reproducible_by_seed),
        cmocka_unit_test(test_sweep__latin_hypercube_rounds_whole_number_keys),
        cmocka_unit_test(test_sweep__frontier_of_a_constructed_case),
        cmocka_unit_test(test_sweep__paths_set_each_kind_of_key_in_each_point),
        cmocka_unit_test(test_sweep__latin_hypercube_points_from_the_file),
        cmocka_unit_test(test_sweep__bad_sections_fail_at_the_offending_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

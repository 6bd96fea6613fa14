/*
 * test_micro_regions.c - the microsimulation with regions linked by internal migration and
 * registration status (issue #13, sec. 2; src/micro/regions.c): 1 and 2 threads give the
 * same bits; a replicate is the same whether run alone or among others; the mean over
 * replicates agrees with the cohort engine's regional populations, births, internal in- and
 * out-migrants and registered populations within 4 standard errors; internal migration sums
 * to zero over the regions in every replicate, year, sex and age; the person records add up
 * to the registered and resident populations; children take their mother's status.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "micro/micro_int.h"
#include "popsim/demog.h"
#include "popsim/flows.h"
#include "popsim/micro.h"
#include "popsim/proj.h"
#include "popsim/status.h"
#include "test_util.h"

#define N_AGES 101
#define N_REG 3
#define START 2025
#define YEARS 8
#define PERSONS 90000.0 /* base population of the three regions together */
#define REPLICATES 24
/* Each compared quantity's replicate mean must lie within this many standard errors of the
 * cohort engine's value. With REPLICATES - 1 = 23 degrees of freedom P(|t| > 4) = 5.6e-4, so
 * a family of 15 quantities fails by chance with probability below 1 % (the seed is fixed:
 * the test is deterministic). */
#define T_MAX 4.0

static double mx_of(int reg, int sex, int age)
{
    return 0.0011 + 0.00023 * reg + 0.0004 * sex + 4.3e-5 * exp(0.089 * age);
}

static double asfr_of(int reg, int age)
{
    if (age < 15 || age > 49) {
        return 0.0;
    }
    const double x = (age - 29.5 - reg) / 6.1;
    return (0.0613 + 0.0127 * reg) * exp(-0.5 * x * x);
}

/* Three regions of different size and age structure; region 0 receives immigrants aged
 * 18-35, region 2 sends emigrants aged 40-64. */
static void build(ps_inputs *in, double persons, int with_migration)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, START, START + YEARS, N_REG, N_AGES, &err), &err);
    const double share[N_REG] = {0.47, 0.33, 0.20};
    for (int reg = 0; reg < N_REG; ++reg) {
        double w[N_AGES], sum = 0.0, l = 1.0;
        for (int age = 0; age < N_AGES; ++age) {
            w[age] = l * exp(-(0.0043 + 0.0031 * reg) * age);
            l *= exp(-mx_of(reg, PS_SEX_FEMALE, age));
            sum += w[age];
        }
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                in->base.count[ps_pop_idx(&in->base, reg, sex, age)] =
                    persons * share[reg] * 0.5 * w[age] / sum * (sex ? 1.03 : 0.97);
            }
        }
        for (int s = 0; s < YEARS; ++s) {
            in->srb[(size_t)s * N_REG + (size_t)reg] = 1.07 + 0.01 * reg;
            for (int age = 0; age < N_AGES; ++age) {
                in->asfr[ps_inputs_asfr_idx(in, s, reg, age)] = asfr_of(reg, age);
                for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                    const double P = in->base.count[ps_pop_idx(&in->base, reg, sex, age)];
                    double rate = 0.0;
                    if (with_migration && reg == 0 && age >= 18 && age <= 35) {
                        rate = 0.0117;
                    } else if (with_migration && reg == 2 && age >= 40 && age <= 64) {
                        rate = -0.0071;
                    }
                    in->mx[ps_inputs_idx(in, s, reg, sex, age)] = mx_of(reg, sex, age);
                    in->mig[ps_inputs_idx(in, s, reg, sex, age)] = rate * P;
                }
            }
        }
    }
}

/* Pair rates [orig][dest] per person-year: the small rural region 2 sends many. */
static const double PAIRS[N_REG * N_REG] = {0.0,    0.0213, 0.0041, /* from 0 */
                                            0.0187, 0.0,    0.0063, /* from 1 */
                                            0.0431, 0.0274, 0.0};   /* from 2 */

typedef struct fixture {
    ps_inputs in;
    ps_flows flows;
    ps_registration rules;
    ps_proj *p;
    double women0[N_REG * N_AGES * PS_PARITY_COUNT];
} fixture;

static void fixture_init(fixture *f, double persons, int with_flows, int with_rules,
                         const double *base_share, double conversion)
{
    ps_error err;
    memset(f, 0, sizeof *f);
    build(&f->in, persons, with_flows);
    assert_ps_ok(ps_proj_new(&f->p, &f->in, &err), &err);
    if (with_flows) {
        double shape[N_AGES];
        const ps_rogers_castro rc = PS_ROGERS_CASTRO_INIT;
        ps_sched_rogers_castro(shape, N_AGES, &rc);
        assert_ps_ok(ps_flows_init(&f->flows, N_REG, N_AGES, 1, 0, &err), &err);
        assert_ps_ok(ps_flows_set_pairs(&f->flows, PAIRS, shape, &err), &err);
        assert_ps_ok(ps_proj_set_flows(f->p, &f->flows, &err), &err);
    }
    if (with_rules) {
        assert_ps_ok(ps_registration_init(&f->rules, N_REG, N_AGES, &err), &err);
        for (int reg = 0; reg < N_REG; ++reg) {
            f->rules.base_share[reg] = base_share[reg];
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                for (int age = 16; age <= 59; ++age) {
                    f->rules.conversion[((size_t)reg * PS_SEX_COUNT + (size_t)sex) * N_AGES +
                                        (size_t)age] = conversion;
                }
            }
        }
        f->rules.arrive_registered = 0.23;
        assert_ps_ok(ps_proj_set_registration(f->p, &f->rules, &err), &err);
    }
    ps_birth_order bo = PS_BIRTH_ORDER_INIT;
    assert_ps_ok(ps_proj_parity_init(f->p, &bo, f->women0, &err), &err);
}

static void fixture_release(fixture *f)
{
    ps_proj_free(f->p);
    ps_flows_release(&f->flows);
    ps_registration_release(&f->rules);
    ps_inputs_release(&f->in);
}

static const double SHARES[N_REG] = {0.61, 0.83, 0.94};

static ps_micro_options options(int threads)
{
    ps_micro_options o = PS_MICRO_OPTIONS_INIT;
    o.seed = 1307;
    o.n_threads = threads;
    return o;
}

static void run_one(ps_result *res, ps_micro **keep, const fixture *f, ps_micro_options o)
{
    ps_error err;
    ps_micro *m = NULL;
    assert_ps_ok(ps_micro_new(&m, f->p, f->women0, &o, &err), &err);
    assert_ps_ok(ps_micro_run(res, NULL, m, NULL, "t", NULL, &err), &err);
    if (keep != NULL) {
        *keep = m;
    } else {
        ps_micro_free(m);
    }
}

static size_t cells_of(const ps_result *r)
{
    return (size_t)r->n_years * (size_t)r->n_regions * PS_SEX_COUNT * (size_t)r->n_ages;
}

/* Bit-identical arrays (NaN included), NULL only together. */
static void assert_same_bits(const double *a, const double *b, size_t n, const char *what)
{
    if ((a == NULL) != (b == NULL) || (a != NULL && memcmp(a, b, n * sizeof *a) != 0)) {
        fail_msg("%s differs", what);
    }
}

static void assert_same_result(const ps_result *a, const ps_result *b)
{
    const size_t n = cells_of(a), ns = (size_t)a->n_years * N_REG * PS_SEX_COUNT;
    assert_same_bits(a->population, b->population, n, "population");
    assert_same_bits(a->deaths, b->deaths, n, "deaths");
    assert_same_bits(a->net_migration, b->net_migration, n, "net_migration");
    assert_same_bits(a->births, b->births, ns, "births");
    assert_same_bits(a->internal_in, b->internal_in, n, "internal_in");
    assert_same_bits(a->internal_out, b->internal_out, n, "internal_out");
    assert_same_bits(a->internal_net, b->internal_net, n, "internal_net");
    assert_same_bits(a->registered, b->registered, n, "registered");
}

static void test_micro_regions__one_and_two_threads_give_identical_bits(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, PERSONS, 1, 1, SHARES, 0.0213);
    ps_result one, two;
    ps_micro *m1 = NULL, *m2 = NULL;
    run_one(&one, &m1, &f, options(1));
    run_one(&two, &m2, &f, options(2));
    assert_non_null(one.internal_in);
    assert_non_null(one.registered);
    assert_same_result(&one, &two);
    /* Every person record, regions and statuses included. */
    assert_int_equal(m1->n, m2->n);
    assert_memory_equal(m1->region, m2->region, m1->n * sizeof *m1->region);
    assert_memory_equal(m1->flags, m2->flags, m1->n * sizeof *m1->flags);
    assert_memory_equal(m1->mother, m2->mother, m1->n * sizeof *m1->mother);
    /* Persons did move: some records end in another region than they started. */
    assert_true(ps_result_total(&one, START + YEARS) > 0.0);
    double moved = 0.0;
    for (size_t k = 0; k < cells_of(&one) - (size_t)N_REG * PS_SEX_COUNT * N_AGES; ++k) {
        moved += one.internal_in[k];
    }
    assert_true(moved > 0.01 * PERSONS);
    ps_micro_free(m1);
    ps_micro_free(m2);
    ps_result_release(&one);
    ps_result_release(&two);
    fixture_release(&f);
}

static void test_micro_regions__a_replicate_is_the_same_alone_or_among_others(void **state)
{
    (void)state;
    fixture f;
    ps_error err;
    fixture_init(&f, PERSONS / 3, 1, 1, SHARES, 0.0213);
    ps_result many[3], alone;
    ps_micro_options o = options(2);
    o.replicate = 5;
    assert_ps_ok(ps_micro_run_replicates(many, NULL, 3, f.p, f.women0, &o, NULL, "t", &err),
                 &err);
    o.replicate = 6;
    run_one(&alone, NULL, &f, o);
    assert_same_result(&many[1], &alone);
    /* ... and replicates differ from each other. */
    assert_true(memcmp(many[0].population, many[1].population,
                       cells_of(&alone) * sizeof *alone.population) != 0);
    for (int r = 0; r < 3; ++r) {
        ps_result_release(&many[r]);
    }
    ps_result_release(&alone);
    fixture_release(&f);
}

/* Sum over ages and sexes of one year and region of a [year][reg][sex][age] array. */
static double region_sum(const ps_result *r, const double *a, int y, int reg)
{
    double s = 0.0;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < r->n_ages; ++age) {
            s += a[ps_result_cell(r, y, reg, sex, age)];
        }
    }
    return s;
}

enum { Q_PER_REGION = 5, N_Q = Q_PER_REGION * N_REG };

/* Compared quantities by region: population and registered at the end, and births,
 * internal in- and out-migrants summed over the steps. */
static void quantities(double q[N_Q], const ps_result *r)
{
    const int last = r->n_years - 1;
    for (int reg = 0; reg < N_REG; ++reg) {
        double *o = &q[reg * Q_PER_REGION];
        o[0] = region_sum(r, r->population, last, reg);
        o[1] = region_sum(r, r->registered, last, reg);
        o[2] = o[3] = o[4] = 0.0;
        for (int y = 0; y < last; ++y) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                o[2] += r->births[ps_result_sexcell(r, y, reg, sex)];
            }
            o[3] += region_sum(r, r->internal_in, y, reg);
            o[4] += region_sum(r, r->internal_out, y, reg);
        }
    }
}

static void test_micro_regions__mean_agrees_with_the_cohort_engine(void **state)
{
    (void)state;
    static const char *names[Q_PER_REGION] = {"population", "registered", "births",
                                              "internal in", "internal out"};
    fixture f;
    ps_error err;
    fixture_init(&f, PERSONS, 1, 1, SHARES, 0.0213);
    ps_result ccm;
    assert_ps_ok(ps_proj_run(&ccm, f.p, "ccm", NULL, &err), &err);
    double ref[N_Q], q[REPLICATES][N_Q];
    quantities(ref, &ccm);
    ps_result *res = calloc(REPLICATES, sizeof *res);
    assert_non_null(res);
    ps_micro_options o = options(2);
    assert_ps_ok(ps_micro_run_replicates(res, NULL, REPLICATES, f.p, f.women0, &o, NULL, "m",
                                         &err),
                 &err);
    for (int r = 0; r < REPLICATES; ++r) {
        quantities(q[r], &res[r]);
        ps_result_release(&res[r]);
    }
    int bad = 0;
    for (int i = 0; i < N_Q; ++i) {
        double mean = 0.0, ss = 0.0;
        for (int r = 0; r < REPLICATES; ++r) {
            mean += q[r][i] / REPLICATES;
        }
        for (int r = 0; r < REPLICATES; ++r) {
            ss += (q[r][i] - mean) * (q[r][i] - mean);
        }
        const double se = sqrt(ss / (REPLICATES - 1) / REPLICATES);
        const double t = (mean - ref[i]) / se;
        print_message("region %d %-12s: micro %.1f, ccm %.1f, se %.1f, t = %+.2f\n",
                      i / Q_PER_REGION, names[i % Q_PER_REGION], mean, ref[i], se, t);
        assert_true(se > 0.0);
        bad += fabs(t) > T_MAX;
    }
    assert_int_equal(bad, 0);
    free(res);
    ps_result_release(&ccm);
    fixture_release(&f);
}

static void test_micro_regions__internal_migration_sums_to_zero_over_the_regions(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, PERSONS / 3, 1, 0, NULL, 0.0);
    ps_result r;
    run_one(&r, NULL, &f, options(2));
    assert_null(r.registered);
    double moved = 0.0;
    for (int y = 0; y + 1 < r.n_years; ++y) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                double net = 0.0, in = 0.0, out = 0.0;
                for (int reg = 0; reg < N_REG; ++reg) {
                    const size_t c = ps_result_cell(&r, y, reg, sex, age);
                    net += r.internal_net[c];
                    in += r.internal_in[c];
                    out += r.internal_out[c];
                    assert_true(r.internal_net[c] == r.internal_in[c] - r.internal_out[c]);
                }
                assert_true(net == 0.0); /* integer counts: exactly */
                assert_true(in == out);
                moved += in;
            }
        }
    }
    assert_true(moved > 0.0);
    ps_result_release(&r);
    fixture_release(&f);
}

static void test_micro_regions__records_add_up_to_registered_and_resident(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f, PERSONS / 3, 1, 1, SHARES, 0.0213);
    ps_result r;
    ps_micro *m = NULL;
    run_one(&r, &m, &f, options(2));
    double reg_n[N_REG] = {0}, unreg_n[N_REG] = {0};
    for (size_t id = 0; id < m->n; ++id) {
        const unsigned fl = m->flags[id];
        if (fl & PS_MF_ALIVE) {
            *((fl & PS_MF_REGISTERED) ? &reg_n[m->region[id]] : &unreg_n[m->region[id]]) += 1.0;
        }
    }
    const int last = r.n_years - 1;
    for (int reg = 0; reg < N_REG; ++reg) {
        const double resident = region_sum(&r, r.population, last, reg);
        const double registered = region_sum(&r, r.registered, last, reg);
        assert_close(reg_n[reg], registered, 0.0);
        assert_close(reg_n[reg] + unreg_n[reg], resident, 0.0);
        assert_true(registered > 0.0 && registered < resident);
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                const size_t c = ps_result_cell(&r, last, reg, sex, age);
                assert_true(r.registered[c] >= 0.0 && r.registered[c] <= r.population[c]);
            }
        }
    }
    ps_micro_free(m);
    ps_result_release(&r);
    fixture_release(&f);
}

static void test_micro_regions__children_take_their_mothers_status(void **state)
{
    (void)state;
    /* Everybody registered in region 0, nobody in regions 1 and 2; no moves, no conversion,
     * no international migration: the statuses of the births follow their mothers exactly. */
    static const double all_or_none[N_REG] = {1.0, 0.0, 0.0};
    fixture f;
    fixture_init(&f, PERSONS / 3, 0, 1, all_or_none, 0.0);
    ps_result r;
    run_one(&r, NULL, &f, options(2));
    assert_null(r.internal_in);
    const int last = r.n_years - 1;
    double births0 = 0.0;
    for (int y = 0; y < last; ++y) {
        births0 += r.births[ps_result_sexcell(&r, y, 0, 0)];
    }
    assert_true(births0 > 0.0);
    for (int reg = 0; reg < N_REG; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                const size_t c = ps_result_cell(&r, last, reg, sex, age);
                assert_close(r.registered[c], reg == 0 ? r.population[c] : 0.0, 0.0);
            }
        }
    }
    ps_result_release(&r);
    fixture_release(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_micro_regions__one_and_two_threads_give_identical_bits),
        cmocka_unit_test(test_micro_regions__a_replicate_is_the_same_alone_or_among_others),
        cmocka_unit_test(test_micro_regions__mean_agrees_with_the_cohort_engine),
        cmocka_unit_test(test_micro_regions__internal_migration_sums_to_zero_over_the_regions),
        cmocka_unit_test(test_micro_regions__records_add_up_to_registered_and_resident),
        cmocka_unit_test(test_micro_regions__children_take_their_mothers_status),
    };
    return cmocka_run_group_tests_name("micro_regions", tests, NULL, NULL);
}

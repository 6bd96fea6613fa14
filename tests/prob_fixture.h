/*
 * prob_fixture.h - the synthetic population and interval bounds of the probabilistic tests
 * (test_prob.c, test_prob_share65.c, test_prob_center.c), each file giving its own shape,
 * years and levels as arguments; a run of every unit of a ps_prob; a cmocka fixture holding
 * the inputs and bounds. One region of 101 ages from START. Header-only like test_util.h.
 */
#ifndef PS_TESTS_PROB_FIXTURE_H
#define PS_TESTS_PROB_FIXTURE_H

#include <math.h>
#include <stdlib.h>

#include "popsim/demog.h"
#include "popsim/prob.h"
#include "test_util.h"

#define N_AGES 101
#define START 2025

/* The population: base 1e5 exp(-decay age) (1 + sex_gain sex); mortality
 * 0.0002 exp(-mx_trend step) exp(0.085 age), plus 0.004 at age 0; net migration mig_in at
 * ages mig_from to mig_to - 1 and mig_out at the others; a Hadwiger ASFR of TFR tfr, mean
 * age mean_age. */
typedef struct prob_shape {
    int years; /* projection steps from START */
    double decay, sex_gain, mx_trend;
    int mig_from, mig_to;
    double mig_in, mig_out; /* persons per age and sex */
    double tfr, mean_age;
} prob_shape;

/* The bounds of n_years from first_year. With w = w0 + w_slope y and skew = below for the
 * knots under the median, above for those over it (1 at the median), the knots are
 *   TFR: tfr exp(w (1 + tfr_growth y) z skew), or tfr + w (1 + tfr_growth y) z skew if !tfr_log
 *   e0:  e0 + 4 sex + 0.1 y + w e0_scale z skew
 *   migration: mig + w mig_scale z skew
 * at the scores z = -1.96, -1.28, 0, 1.28, 1.96; the variants' TFR is tfr_low / tfr_high. */
typedef struct prob_skew {
    double below, above;
} prob_skew;

typedef struct prob_bounds_shape {
    int first_year, n_years;
    double w0, w_slope;
    int tfr_log;
    double tfr, tfr_growth;
    prob_skew tfr_skew;
    double e0, e0_scale;
    prob_skew e0_skew;
    double mig, mig_scale;
    prob_skew mig_skew;
    double tfr_low, tfr_high;
} prob_bounds_shape;

static inline void prob_fixture_inputs(ps_inputs *in, const prob_shape *s)
{
    ps_error err;
    assert_ps_ok(ps_inputs_init(in, START, START + s->years, 1, N_AGES, &err), &err);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < N_AGES; ++age) {
            in->base.count[ps_pop_idx(&in->base, 0, sex, age)] =
                1.0e5 * exp(-s->decay * age) * (1.0 + s->sex_gain * sex);
        }
    }
    for (int step = 0; step < s->years; ++step) {
        const double level = 0.0002 * exp(-s->mx_trend * step);
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < N_AGES; ++age) {
                const size_t i = ps_inputs_idx(in, step, 0, sex, age);
                in->mx[i] = level * exp(0.085 * age) + (age == 0 ? 0.004 : 0.0);
                in->mig[i] = age >= s->mig_from && age < s->mig_to ? s->mig_in : s->mig_out;
            }
        }
        ps_sched_hadwiger(&in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)], N_AGES, s->tfr,
                          s->mean_age);
    }
}

static inline double prob_skew_of(const prob_skew *s, int k)
{
    return k < PS_PROB_KNOT_MEDIAN ? s->below : k > PS_PROB_KNOT_MEDIAN ? s->above : 1.0;
}

static inline void prob_fixture_bounds(ps_prob_bounds *b, const prob_bounds_shape *s)
{
    ps_error err;
    static const double z[PS_PROB_N_KNOTS] = { -1.96, -1.28, 0.0, 1.28, 1.96 };
    assert_ps_ok(ps_prob_bounds_init(b, s->first_year, s->n_years, &err), &err);
    for (int y = 0; y < s->n_years; ++y) {
        const double w = s->w0 + s->w_slope * y;
        for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
            const double wt = w * (1.0 + s->tfr_growth * y) * z[k] * prob_skew_of(&s->tfr_skew, k);
            b->tfr[y * PS_PROB_N_KNOTS + k] = s->tfr_log ? s->tfr * exp(wt) : s->tfr + wt;
            b->mig[y * PS_PROB_N_KNOTS + k] =
                s->mig + w * s->mig_scale * z[k] * prob_skew_of(&s->mig_skew, k);
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                b->e0[(y * PS_SEX_COUNT + sex) * PS_PROB_N_KNOTS + k] =
                    s->e0 + 4.0 * sex + 0.1 * y +
                    w * s->e0_scale * z[k] * prob_skew_of(&s->e0_skew, k);
            }
        }
        b->tfr_low[y] = s->tfr_low;
        b->tfr_high[y] = s->tfr_high;
    }
}

/* Options keeping every trajectory: n_traj trajectories on `threads` threads, key `seed`. */
static inline ps_prob_options prob_fixture_options(int n_traj, int threads, uint64_t seed)
{
    ps_prob_options o = PS_PROB_OPTIONS_INIT;
    o.n_traj = n_traj;
    o.n_threads = threads;
    o.seed = seed;
    o.keep_trajectories = 1;
    return o;
}

/* A finished run of every unit, in order or (reverse) from the last. */
static inline ps_prob *prob_fixture_run(const ps_inputs *in, const ps_prob_bounds *b,
                                        const ps_prob_options *o, int reverse)
{
    ps_error err;
    ps_prob *p = NULL;
    assert_ps_ok(ps_prob_new(&p, in, b, o, &err), &err);
    const int n = ps_prob_n_units(p);
    for (int k = 0; k < n; ++k) {
        assert_ps_ok(ps_prob_unit(p, reverse ? n - 1 - k : k, &err), &err);
    }
    assert_ps_ok(ps_prob_finish(p, &err), &err);
    return p;
}

/* The cmocka fixture: the inputs and bounds of a test, released by prob_fixture_teardown. */
typedef struct prob_fixture {
    ps_inputs in;
    ps_prob_bounds b;
} prob_fixture;

/* A 30-year synthetic population and bounds 2024..2060 of width 5 % (test_prob_share65,
 * test_prob_split). */
static const prob_shape PROB_SHAPE_30Y = { .years = 30, .decay = 0.01, .sex_gain = 0.03,
                                           .mx_trend = 0.0, .mig_from = 20, .mig_to = 35,
                                           .mig_in = 30.0, .mig_out = 0.0, .tfr = 1.2,
                                           .mean_age = 30.0 };
static const prob_bounds_shape PROB_WIDE_30Y = {
    .first_year = 2024, .n_years = 37, .w0 = 0.05, .w_slope = 0.0, .tfr_log = 1, .tfr = 1.2,
    .tfr_growth = 0.05, .tfr_skew = { 1.0, 1.0 }, .e0 = 77.0, .e0_scale = 8.0,
    .e0_skew = { 1.0, 1.0 }, .mig = 1000.0, .mig_scale = 20000.0, .mig_skew = { 1.0, 1.0 },
    .tfr_low = 0.7, .tfr_high = 1.7 };

static inline int prob_fixture_setup(void **state, const prob_shape *s,
                                     const prob_bounds_shape *bs)
{
    prob_fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    prob_fixture_inputs(&fx->in, s);
    prob_fixture_bounds(&fx->b, bs);
    *state = fx;
    return 0;
}

static inline int prob_fixture_teardown(void **state)
{
    prob_fixture *fx = *state;
    if (fx != NULL) {
        ps_prob_bounds_release(&fx->b);
        ps_inputs_release(&fx->in);
        free(fx);
    }
    return 0;
}

#endif /* PS_TESTS_PROB_FIXTURE_H */

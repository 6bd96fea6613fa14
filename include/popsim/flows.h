/*
 * popsim/flows.h - internal migration between the regions of one projection (issue #13):
 * origin-destination rates by age and sex, in a factored form whose memory grows with
 * regions x ages, not regions^2 x ages (docs/model.md sec. 7).
 *
 * The rate of moving from origin o to destination d at age a and sex s in step t is
 *     m(o, d, s, a, t) = out_rate(t, o, s, a) x dest(t, s, o, d),
 * out_rate the origin's total out-migration rate per person-year of its population and dest
 * the share of its out-migrants going to d (each row sums to 1, the diagonal is 0). A
 * schedule that is constant over the horizon has one period; a schedule by year one period
 * per step. The destination matrix is one for both sexes or one per sex.
 */
#ifndef PS_FLOWS_H
#define PS_FLOWS_H

#include <stddef.h>

#include "popsim/error.h"
#include "popsim/pop.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest out-migration rate accepted, migrants per person-year of the origin's population:
 * above 1 a rate would move more persons than a cell holds in one step. */
#define PS_FLOW_RATE_MAX 1.0

/* Tolerance of a destination row's sum (shares given by planners are rounded). */
#define PS_FLOW_SHARE_TOL 1e-9

typedef struct ps_flows {
    int n_regions;    /* >= 1 */
    int n_ages;       /* as the inputs' ages */
    int n_periods;    /* 1 = constant over the horizon, else one per step */
    int dest_by_sex;  /* 0 = one destination matrix for both sexes, 1 = one per sex */
    double *out_rate; /* [period][reg][sex][age] migrants per person-year, in [0, 1] */
    double *dest;     /* [period][dsex][orig][dest] share of out-migrants, rows sum to 1 */
    /* Pairs with their own rates by sex and age (an origin-destination table by age), kept
     * sparse: only the pairs given, each adding its rate to the factored one. Memory
     * n_aged x sexes x ages per period, plus regions^2 ints for the index. */
    int n_aged;        /* number of such pairs; 0 = none (the arrays below NULL) */
    int *aged_index;   /* [orig][dest] the pair's index among the n_aged, -1 = none */
    int *aged_orig;    /* [pair] origin region */
    int *aged_dest;    /* [pair] destination region */
    double *aged_rate; /* [period][pair][sex][age] migrants per person-year, in [0, 1] */
} ps_flows;

static inline size_t ps_flows_rate_idx(const ps_flows *f, int period, int reg, int sex, int age)
{
    return (((size_t)period * (size_t)f->n_regions + (size_t)reg) * PS_SEX_COUNT +
            (size_t)sex) * (size_t)f->n_ages + (size_t)age;
}

/* Index of dest(period, sex, orig, dest); sex is ignored without dest_by_sex. */
static inline size_t ps_flows_dest_idx(const ps_flows *f, int period, int sex, int orig, int dst)
{
    const size_t n_dsex = f->dest_by_sex ? PS_SEX_COUNT : 1;
    const size_t dsex = f->dest_by_sex ? (size_t)sex : 0;
    return (((size_t)period * n_dsex + dsex) * (size_t)f->n_regions + (size_t)orig) *
               (size_t)f->n_regions + (size_t)dst;
}

/* Index of aged_rate(period, pair, sex, age). */
static inline size_t ps_flows_aged_idx(const ps_flows *f, int period, int pair, int sex, int age)
{
    return (((size_t)period * (size_t)f->n_aged + (size_t)pair) * PS_SEX_COUNT + (size_t)sex) *
               (size_t)f->n_ages + (size_t)age;
}

/* The whole rate of moving from orig to dst at (sex, age) in a period: the factored rate
 * plus the pair's own rate by age, if it has one. */
static inline double ps_flows_rate(const ps_flows *f, int period, int sex, int orig, int dst,
                                   int age)
{
    double r = f->dest[ps_flows_dest_idx(f, period, sex, orig, dst)] *
               f->out_rate[ps_flows_rate_idx(f, period, orig, sex, age)];
    if (f->n_aged > 0) {
        const int pair = f->aged_index[(size_t)orig * (size_t)f->n_regions + (size_t)dst];
        r += pair >= 0 ? f->aged_rate[ps_flows_aged_idx(f, period, pair, sex, age)] : 0.0;
    }
    return r;
}

/* The period that applies to a step (the only one for a constant schedule). */
static inline int ps_flows_period(const ps_flows *f, int step)
{
    return f->n_periods == 1 ? 0 : step;
}

/**
 * Allocate zero-filled flows (no migration).
 * @return PS_OK; PS_EINVAL if a size is below 1 (n_ages below 2); PS_ENOMEM
 */
ps_status ps_flows_init(ps_flows *f, int n_regions, int n_ages, int n_periods, int dest_by_sex,
                        ps_error *err);

/**
 * Fill the flows from rates per pair spread over ages by a schedule: the rate from o to d at
 * age a is pair_rate[period][o][d] x n_ages x shape[a], shape summing to 1 over ages (so a
 * pair's rate is the mean over single ages of its age-specific rates), the same for both
 * sexes. The diagonal of pair_rate is ignored.
 * @return PS_OK; PS_EINVAL if a rate is negative or not finite, or an age's total
 *         out-migration rate exceeds PS_FLOW_RATE_MAX (naming origin, age and period)
 */
ps_status ps_flows_set_pairs(ps_flows *f, const double *pair_rate, const double *shape,
                             ps_error *err);

/**
 * Add n_pairs pairs with their own rates by sex and age (zero-filled aged_rate for every
 * period), orig[k] -> dest[k], each pair at most once and never a region to itself.
 * @return PS_OK; PS_EINVAL for a repeated pair or a region out of range; PS_ENOMEM
 */
ps_status ps_flows_init_aged(ps_flows *f, int n_pairs, const int *orig, const int *dest,
                             ps_error *err);

/**
 * Check every value: rates finite and in [0, PS_FLOW_RATE_MAX], shares finite and >= 0 with
 * a zero diagonal, each row with out-migrants summing to 1 within PS_FLOW_SHARE_TOL, and with
 * pairs by age each origin's whole out-migration rate (factored plus its pairs') at most
 * PS_FLOW_RATE_MAX at every sex and age.
 * @return PS_OK; PS_EINVAL naming the first bad cell
 */
ps_status ps_flows_validate(const ps_flows *f, ps_error *err);

/**
 * The flows of one step by origin and destination: out[orig][dest][sex][age] = persons moving
 * (rate x the origin's population `pop` [reg][sex][age] on 1 July of the step), the same
 * numbers the engine moves. Memory regions^2 x ages: only for the optional flow output.
 */
void ps_flows_od(double *out, const ps_flows *f, int step, const double *pop);

/** Release the arrays; accepts a zeroed struct. */
void ps_flows_release(ps_flows *f);

#ifdef __cplusplus
}
#endif
#endif /* PS_FLOWS_H */

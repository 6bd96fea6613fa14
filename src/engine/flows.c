/*
 * flows.c - internal migration between regions (issue #13): the factored origin-destination
 * rates of popsim/flows.h, their checks, and the flows of one step.
 *
 * Each flow f(o, d, s, a) = dest(o, d) out_rate(o, s, a) P(o, s, a, t) is added at the
 * destination, and the origin loses the same products summed (its leavers times the sum of
 * its shares), so internal migration sums to zero over the system in every cell (up to the
 * rounding of the sums). Rates are per person-year
 * of the origin's population on 1 July t (Rogers 1975, ch. 3: the multiregional
 * population's outflow rates); the engine exposes the migrants to the risks of half the step
 * as the UN method does for international migrants (ccm.c).
 */
#include "popsim/flows.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/flows_int.h"
#include "popsim/proj.h"

ps_status ps_flows_init(ps_flows *f, int n_regions, int n_ages, int n_periods, int dest_by_sex,
                        ps_error *err)
{
    memset(f, 0, sizeof *f);
    if (n_regions < 1 || n_ages < 2 || n_periods < 1) {
        return ps_error_set(err, PS_EINVAL, "flows need >= 1 region, >= 2 ages and >= 1 period "
                            "(got %d, %d, %d)", n_regions, n_ages, n_periods);
    }
    f->n_regions = n_regions;
    f->n_ages = n_ages;
    f->n_periods = n_periods;
    f->dest_by_sex = dest_by_sex ? 1 : 0;
    const size_t n_dsex = f->dest_by_sex ? PS_SEX_COUNT : 1;
    f->out_rate = calloc((size_t)n_periods * (size_t)n_regions * PS_SEX_COUNT * (size_t)n_ages,
                         sizeof *f->out_rate);
    f->dest = calloc((size_t)n_periods * n_dsex * (size_t)n_regions * (size_t)n_regions,
                     sizeof *f->dest);
    if (f->out_rate == NULL || f->dest == NULL) {
        ps_flows_release(f);
        return ps_error_set(err, PS_ENOMEM, "out of memory for internal migration of %d regions",
                            n_regions);
    }
    return PS_OK;
}

/* Sum of origin o's destination shares for one sex: its out-migrants are leave x this sum,
 * the same products the destinations receive, so in and out agree to rounding even when
 * the shares sum to 1 only within PS_FLOW_SHARE_TOL. */
static double row_sum(const ps_flows *f, int period, int sex, int orig)
{
    double sum = 0.0;
    for (int dst = 0; dst < f->n_regions; ++dst) {
        sum += f->dest[ps_flows_dest_idx(f, period, sex, orig, dst)];
    }
    return sum;
}

/* One origin's row of pair rates at one period -> its destination shares; returns the
 * row's total rate (the diagonal is ignored). */
static double set_row(ps_flows *f, int period, int orig, const double *row)
{
    double total = 0.0;
    for (int dst = 0; dst < f->n_regions; ++dst) {
        total += dst == orig ? 0.0 : row[dst];
    }
    for (int sex = 0; sex < (f->dest_by_sex ? PS_SEX_COUNT : 1); ++sex) {
        for (int dst = 0; dst < f->n_regions; ++dst) {
            f->dest[ps_flows_dest_idx(f, period, sex, orig, dst)] =
                dst == orig || !(total > 0.0) ? 0.0 : row[dst] / total;
        }
    }
    return total;
}

ps_status ps_flows_set_pairs(ps_flows *f, const double *pair_rate, const double *shape,
                             ps_error *err)
{
    const size_t nr = (size_t)f->n_regions;
    for (size_t i = 0; i < (size_t)f->n_periods * nr * nr; ++i) {
        if (!isfinite(pair_rate[i]) || pair_rate[i] < 0.0) {
            return ps_error_set(err, PS_EINVAL, "the migration rate from region %d to region %d "
                                "is %g, not a rate >= 0 per person-year", (int)(i / nr % nr) + 1,
                                (int)(i % nr) + 1, pair_rate[i]);
        }
    }
    for (int period = 0; period < f->n_periods; ++period) {
        for (int orig = 0; orig < f->n_regions; ++orig) {
            double total = set_row(f, period, orig, &pair_rate[((size_t)period * nr +
                                                               (size_t)orig) * nr]);
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                for (int age = 0; age < f->n_ages; ++age) {
                    f->out_rate[ps_flows_rate_idx(f, period, orig, sex, age)] =
                        total * (double)f->n_ages * shape[age];
                }
            }
        }
    }
    return ps_flows_validate(f, err);
}

static ps_status check_rates(const ps_flows *f, ps_error *err)
{
    for (int period = 0; period < f->n_periods; ++period) {
        for (int reg = 0; reg < f->n_regions; ++reg) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                for (int age = 0; age < f->n_ages; ++age) {
                    double r = f->out_rate[ps_flows_rate_idx(f, period, reg, sex, age)];
                    if (!(r >= 0.0 && r <= PS_FLOW_RATE_MAX)) {
                        return ps_error_set(err, PS_EINVAL, "the out-migration rate of region "
                                            "%d, %s, age %d, period %d is %g, outside [0, %g] "
                                            "migrants per person-year", reg + 1,
                                            ps_sex_name((ps_sex)sex), age, period + 1, r,
                                            PS_FLOW_RATE_MAX);
                    }
                }
            }
        }
    }
    return PS_OK;
}

static ps_status check_row(const ps_flows *f, int period, int sex, int orig, ps_error *err)
{
    double sum = 0.0;
    for (int dst = 0; dst < f->n_regions; ++dst) {
        double s = f->dest[ps_flows_dest_idx(f, period, sex, orig, dst)];
        if (!(s >= 0.0 && s <= 1.0) || (dst == orig && s != 0.0)) {
            return ps_error_set(err, PS_EINVAL, "the share of region %d's out-migrants going to "
                                "region %d (period %d) is %g, not in [0, 1]%s", orig + 1,
                                dst + 1, period + 1, s, dst == orig ? " and 0 for itself" : "");
        }
        sum += s;
    }
    if (sum != 0.0 && fabs(sum - 1.0) > PS_FLOW_SHARE_TOL) {
        return ps_error_set(err, PS_EINVAL, "the destination shares of region %d's out-migrants "
                            "(period %d) sum to %.12g, not 1", orig + 1, period + 1, sum);
    }
    return PS_OK;
}

ps_status ps_flows_init_aged(ps_flows *f, int n_pairs, const int *orig, const int *dest,
                             ps_error *err)
{
    const size_t nr = (size_t)f->n_regions;
    assert(f->n_aged == 0 && n_pairs >= 0);
    if (n_pairs == 0) {
        return PS_OK;
    }
    f->aged_index = malloc(nr * nr * sizeof *f->aged_index);
    f->aged_orig = malloc((size_t)n_pairs * sizeof *f->aged_orig);
    f->aged_dest = malloc((size_t)n_pairs * sizeof *f->aged_dest);
    f->aged_rate = calloc((size_t)f->n_periods * (size_t)n_pairs * PS_SEX_COUNT *
                              (size_t)f->n_ages, sizeof *f->aged_rate);
    if (f->aged_index == NULL || f->aged_orig == NULL || f->aged_dest == NULL ||
        f->aged_rate == NULL) {
        ps_flows_release(f);
        return ps_error_set(err, PS_ENOMEM, "out of memory for %d migration pairs by age",
                            n_pairs);
    }
    for (size_t k = 0; k < nr * nr; ++k) {
        f->aged_index[k] = -1;
    }
    f->n_aged = n_pairs;
    for (int pair = 0; pair < n_pairs; ++pair) {
        const int o = orig[pair], d = dest[pair];
        if (o < 0 || d < 0 || o >= f->n_regions || d >= f->n_regions || o == d ||
            f->aged_index[(size_t)o * nr + (size_t)d] >= 0) {
            ps_flows_release(f);
            return ps_error_set(err, PS_EINVAL, "migration pair %d (region %d -> %d) is out of "
                                "range, to itself or repeated", pair + 1, o + 1, d + 1);
        }
        f->aged_index[(size_t)o * nr + (size_t)d] = pair;
        f->aged_orig[pair] = o;
        f->aged_dest[pair] = d;
    }
    return PS_OK;
}

/* With pairs by age: each rate in [0, 1], and each origin's whole out-migration rate at
 * every (sex, age) at most PS_FLOW_RATE_MAX (sum scratch total[reg][sex][age]). */
static ps_status check_aged_period(const ps_flows *f, int period, double *total, ps_error *err)
{
    const size_t na = (size_t)f->n_ages;
    for (int reg = 0; reg < f->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const double share = row_sum(f, period, sex, reg);
            for (int age = 0; age < f->n_ages; ++age) {
                total[((size_t)reg * PS_SEX_COUNT + (size_t)sex) * na + (size_t)age] =
                    f->out_rate[ps_flows_rate_idx(f, period, reg, sex, age)] * share;
            }
        }
    }
    for (int pair = 0; pair < f->n_aged; ++pair) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < f->n_ages; ++age) {
                const double r = f->aged_rate[ps_flows_aged_idx(f, period, pair, sex, age)];
                double *t = &total[((size_t)f->aged_orig[pair] * PS_SEX_COUNT + (size_t)sex) *
                                       na + (size_t)age];
                *t += r;
                if (!(r >= 0.0 && r <= PS_FLOW_RATE_MAX) || !(*t <= PS_FLOW_RATE_MAX)) {
                    return ps_error_set(err, PS_EINVAL, "the out-migration rate of region %d, "
                                        "%s, age %d, period %d is %g%s, outside [0, %g] "
                                        "migrants per person-year", f->aged_orig[pair] + 1,
                                        ps_sex_name((ps_sex)sex), age, period + 1,
                                        r >= 0.0 && r <= PS_FLOW_RATE_MAX ? *t : r,
                                        r >= 0.0 && r <= PS_FLOW_RATE_MAX
                                            ? " over all its destinations" : "",
                                        PS_FLOW_RATE_MAX);
                }
            }
        }
    }
    return PS_OK;
}

static ps_status check_aged(const ps_flows *f, ps_error *err)
{
    if (f->n_aged == 0) {
        return PS_OK;
    }
    double *total = malloc((size_t)f->n_regions * PS_SEX_COUNT * (size_t)f->n_ages *
                           sizeof *total);
    ps_status rc = total != NULL ? PS_OK
                                 : ps_error_set(err, PS_ENOMEM, "out of memory checking flows");
    for (int period = 0; rc == PS_OK && period < f->n_periods; ++period) {
        rc = check_aged_period(f, period, total, err);
    }
    free(total);
    return rc;
}

ps_status ps_flows_validate(const ps_flows *f, ps_error *err)
{
    ps_status rc = check_rates(f, err);
    for (int period = 0; rc == PS_OK && period < f->n_periods; ++period) {
        for (int sex = 0; rc == PS_OK && sex < (f->dest_by_sex ? PS_SEX_COUNT : 1); ++sex) {
            for (int orig = 0; rc == PS_OK && orig < f->n_regions; ++orig) {
                rc = check_row(f, period, sex, orig, err);
            }
        }
    }
    if (rc == PS_OK) {
        rc = check_aged(f, err);
    }
    return rc;
}

/* Regions from which the destinations are shared among threads (below, one thread). */
#define PS_FLOWS_PARALLEL_REGIONS 16

/* Origins summed together per pass over a destination's cells (fewer loads and stores of
 * the destination; the sum is formed in the same order whatever the thread). */
#define PS_FLOWS_BLOCK 4

/* In-migrants of destination dst: the sum over origins of share x leavers, cells innermost
 * (contiguous, vectorised), origins PS_FLOWS_BLOCK at a time. */
static void arrivals(const ps_flows *f, int period, int dst, const double *leave, double *in)
{
    const size_t na = (size_t)f->n_ages, stride = PS_SEX_COUNT * na;
    const int nr = f->n_regions;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        double *arrive = &in[((size_t)dst * PS_SEX_COUNT + (size_t)sex) * na];
        const double *base = &leave[(size_t)sex * na];
        for (size_t age = 0; age < na; ++age) {
            arrive[age] = 0.0;
        }
        int orig = 0;
        for (; orig + PS_FLOWS_BLOCK <= nr; orig += PS_FLOWS_BLOCK) {
            const double w0 = f->dest[ps_flows_dest_idx(f, period, sex, orig, dst)];
            const double w1 = f->dest[ps_flows_dest_idx(f, period, sex, orig + 1, dst)];
            const double w2 = f->dest[ps_flows_dest_idx(f, period, sex, orig + 2, dst)];
            const double w3 = f->dest[ps_flows_dest_idx(f, period, sex, orig + 3, dst)];
            const double *l0 = base + (size_t)orig * stride, *l1 = l0 + stride;
            const double *l2 = l1 + stride, *l3 = l2 + stride;
            for (size_t age = 0; age < na; ++age) {
                arrive[age] += w0 * l0[age] + w1 * l1[age] + w2 * l2[age] + w3 * l3[age];
            }
        }
        for (; orig < nr; ++orig) {
            const double w = f->dest[ps_flows_dest_idx(f, period, sex, orig, dst)];
            const double *from = base + (size_t)orig * stride;
            for (size_t age = 0; age < na; ++age) {
                arrive[age] += w * from[age];
            }
        }
    }
}

/* The pairs with their own rates by age, after the factored flows: each pair's movers are
 * added to the destination's in and the origin's out (pairs in a fixed order). */
static void move_aged(const ps_flows *f, int period, const double *pop, double *in, double *out)
{
    const size_t na = (size_t)f->n_ages;
    for (int pair = 0; pair < f->n_aged; ++pair) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const size_t o = ((size_t)f->aged_orig[pair] * PS_SEX_COUNT + (size_t)sex) * na;
            const size_t d = ((size_t)f->aged_dest[pair] * PS_SEX_COUNT + (size_t)sex) * na;
            const double *rate = &f->aged_rate[ps_flows_aged_idx(f, period, pair, sex, 0)];
            for (size_t age = 0; age < na; ++age) {
                const double m = rate[age] * pop[o + age];
                out[o + age] += m;
                in[d + age] += m;
            }
        }
    }
}

/*
 * The step's internal migrants by age at migration (the age on 1 July t, as the engine's
 * M(a)): out[reg][sex][age] leaving, in[reg][sex][age] arriving, net = in - out; `net`
 * first holds the leavers before their split over destinations. Each flow
 * share x rate x population is formed once per (origin, destination) for the destination's
 * sum (regions^2 x sexes x ages multiply-adds per step, no storage beyond the three arrays).
 * Destinations are independent, so they are shared among threads; each is summed over
 * origins in the same order by whichever thread takes it, so results do not depend on the
 * number of threads.
 */
void ps_flows__move(const ps_flows *f, int step, const double *pop, double *in, double *out,
                    double *net)
{
    const int period = ps_flows_period(f, step), nr = f->n_regions;
    const size_t na = (size_t)f->n_ages, cells = (size_t)nr * PS_SEX_COUNT * na;
    double *leave = net;
    for (int orig = 0; orig < nr; ++orig) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const size_t o = ((size_t)orig * PS_SEX_COUNT + (size_t)sex) * na;
            const double *rate = &f->out_rate[ps_flows_rate_idx(f, period, orig, sex, 0)];
            const double share = row_sum(f, period, sex, orig);
            for (size_t age = 0; age < na; ++age) {
                leave[o + age] = rate[age] * pop[o + age];
                out[o + age] = leave[o + age] * share;
            }
        }
    }
#pragma omp parallel for default(none) shared(f, leave, in) firstprivate(period, nr) \
    schedule(static) if (nr >= PS_FLOWS_PARALLEL_REGIONS)
    for (int dst = 0; dst < nr; ++dst) {
        arrivals(f, period, dst, leave, in);
    }
    move_aged(f, period, pop, in, out);
    for (size_t k = 0; k < cells; ++k) {
        net[k] = in[k] - out[k];
    }
}

void ps_flows_od(double *out, const ps_flows *f, int step, const double *pop)
{
    const int period = ps_flows_period(f, step);
    const size_t na = (size_t)f->n_ages, nr = (size_t)f->n_regions;
    for (int orig = 0; orig < f->n_regions; ++orig) {
        for (int dst = 0; dst < f->n_regions; ++dst) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                const double w = f->dest[ps_flows_dest_idx(f, period, sex, orig, dst)];
                const size_t o = ((size_t)orig * PS_SEX_COUNT + (size_t)sex) * na;
                double *cellp = &out[(((size_t)orig * nr + (size_t)dst) * PS_SEX_COUNT +
                                      (size_t)sex) * na];
                const double *rate = &f->out_rate[ps_flows_rate_idx(f, period, orig, sex, 0)];
                for (size_t age = 0; age < na; ++age) {
                    cellp[age] = w * (rate[age] * pop[o + age]);
                }
                const int pair = f->n_aged > 0 ? f->aged_index[(size_t)orig * nr + (size_t)dst]
                                               : -1;
                for (size_t age = 0; pair >= 0 && age < na; ++age) {
                    cellp[age] += f->aged_rate[ps_flows_aged_idx(f, period, pair, sex,
                                                                 (int)age)] * pop[o + age];
                }
            }
        }
    }
}

void ps_flows_release(ps_flows *f)
{
    if (f == NULL) {
        return;
    }
    free(f->out_rate);
    free(f->dest);
    free(f->aged_index);
    free(f->aged_orig);
    free(f->aged_dest);
    free(f->aged_rate);
    memset(f, 0, sizeof *f);
}

/* ---- the result's internal-migration arrays (popsim/proj.h) -------------------------- */

void ps_proj_internal_events(ps_proj_events *ev, ps_result *res, int year)
{
    if (res->internal_in == NULL) {
        return;
    }
    const size_t at = ps_result_cell(res, year, 0, 0, 0);
    ev->internal_in = &res->internal_in[at];
    ev->internal_out = &res->internal_out[at];
    ev->internal_net = &res->internal_net[at];
}

void ps_proj_internal_net(ps_result *res, int year)
{
    if (res->internal_in == NULL) {
        return;
    }
    const size_t at = ps_result_cell(res, year, 0, 0, 0);
    const size_t cells = (size_t)res->n_regions * PS_SEX_COUNT * (size_t)res->n_ages;
    for (size_t k = at; k < at + cells; ++k) {
        res->internal_net[k] = res->internal_in[k] - res->internal_out[k];
    }
}

/*
 * flows.c - internal migration between regions (issue #13): the factored origin-destination
 * rates of popsim/flows.h, their checks, and the flows of one step.
 *
 * Each flow is computed once, f(o, d, s, a) = out_rate(o, s, a) dest(o, d) P(o, s, a, t),
 * subtracted at the origin and added at the destination, so internal migration sums to zero
 * over the system in every cell (up to the rounding of the sums). Rates are per person-year
 * of the origin's population on 1 July t (Rogers 1975, ch. 3: the multiregional
 * population's outflow rates); the engine exposes the migrants to the risks of half the step
 * as the UN method does for international migrants (ccm.c).
 */
#include "popsim/flows.h"

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
    return rc;
}

/*
 * The step's internal migrants by age at migration (the age on 1 July t, as the engine's
 * M(a)): out[reg][sex][age] leaving, in[reg][sex][age] arriving, net = in - out. The loop
 * runs over origin and destination pairs with the cells innermost (contiguous, vectorised):
 * regions^2 x sexes x ages multiply-adds per step and no storage beyond the three arrays.
 */
void ps_flows__move(const ps_flows *f, int step, const double *pop, double *in, double *out,
                    double *net)
{
    const int period = ps_flows_period(f, step);
    const size_t na = (size_t)f->n_ages, cells = (size_t)f->n_regions * PS_SEX_COUNT * na;
    memset(in, 0, cells * sizeof *in);
    memset(out, 0, cells * sizeof *out);
    for (int orig = 0; orig < f->n_regions; ++orig) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const size_t o = ((size_t)orig * PS_SEX_COUNT + (size_t)sex) * na;
            const double *rate = &f->out_rate[ps_flows_rate_idx(f, period, orig, sex, 0)];
            double *leave = &net[o]; /* scratch: persons leaving before the split */
            for (size_t age = 0; age < na; ++age) {
                leave[age] = rate[age] * pop[o + age];
            }
            for (int dst = 0; dst < f->n_regions; ++dst) {
                const double w = f->dest[ps_flows_dest_idx(f, period, sex, orig, dst)];
                if (w == 0.0) {
                    continue;
                }
                double *arrive = &in[((size_t)dst * PS_SEX_COUNT + (size_t)sex) * na];
                double *left = &out[o];
                for (size_t age = 0; age < na; ++age) {
                    const double flow = w * leave[age];
                    left[age] += flow;
                    arrive[age] += flow;
                }
            }
        }
    }
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

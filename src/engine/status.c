/*
 * status.c - registration (hukou) status within each region (issue #13, sec. 2).
 *
 * The registered residents R of every cell are a part of its residents P, advanced after
 * the residents' step with the same survivorship and the same half-step timing of moves
 * (ccm.c), so that registered and unregistered residents differ only by what the rules say:
 *   N_R(a) = C(a) - O_R(a) + I_R(a) + M_R(a)      (moves into and out of registered status)
 *   C(a)   = c(a) (P(a,t) - R(a,t))               conversions (落户) of the unregistered
 *   O_R(a) = the registered part of the internal out-migrants (status travels with them)
 *   I_R(a) = arrive_registered x the in-migrants' registered part (0 by default)
 *   M_R(a) = M(a) R(a,t)/P(a,t) if M(a) < 0 else 0 (immigrants arrive unregistered)
 *   R(a,t+1) = (R(a-1,t) + N_R(a-1)/2) S(a) + N_R(a)/2,   open group as in ccm.c,
 *   R(0,t+1) = B_s rho S(0) + N_R(0)/2,  rho = registered mothers' share of the births.
 * Children take their mother's status. Method: docs/model.md sec. 8.
 */
#include "popsim/status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/flows_int.h"
#include "popsim/proj.h"
#include "popsim/units.h"

ps_status ps_registration_init(ps_registration *g, int n_regions, int n_ages, ps_error *err)
{
    memset(g, 0, sizeof *g);
    if (n_regions < 1 || n_ages < 2) {
        return ps_error_set(err, PS_EINVAL, "registration rules need >= 1 region and >= 2 ages");
    }
    g->n_regions = n_regions;
    g->n_ages = n_ages;
    g->base_share = calloc((size_t)n_regions, sizeof *g->base_share);
    g->conversion = calloc((size_t)n_regions * PS_SEX_COUNT * (size_t)n_ages,
                           sizeof *g->conversion);
    if (g->base_share == NULL || g->conversion == NULL) {
        ps_registration_release(g);
        return ps_error_set(err, PS_ENOMEM, "out of memory for registration rules");
    }
    return PS_OK;
}

ps_status ps_registration_validate(const ps_registration *g, ps_error *err)
{
    if (!(g->arrive_registered >= 0.0 && g->arrive_registered <= 1.0)) {
        return ps_error_set(err, PS_EINVAL, "arrive_registered = %g is not a share in [0, 1]",
                            g->arrive_registered);
    }
    for (int reg = 0; reg < g->n_regions; ++reg) {
        if (!(g->base_share[reg] >= 0.0 && g->base_share[reg] <= 1.0)) {
            return ps_error_set(err, PS_EINVAL, "the registered share of region %d is %g, not "
                                "a share in [0, 1]", reg + 1, g->base_share[reg]);
        }
    }
    for (size_t k = 0; k < (size_t)g->n_regions * PS_SEX_COUNT * (size_t)g->n_ages; ++k) {
        if (!(g->conversion[k] >= 0.0 && g->conversion[k] <= 1.0)) {
            return ps_error_set(err, PS_EINVAL, "the conversion rate at age %d is %g, outside "
                                "[0, 1] per person-year", (int)(k % (size_t)g->n_ages),
                                g->conversion[k]);
        }
    }
    return PS_OK;
}

void ps_registration_release(ps_registration *g)
{
    if (g == NULL) {
        return;
    }
    free(g->base_share);
    free(g->conversion);
    memset(g, 0, sizeof *g);
}

ps_status ps_proj_registered_init(ps_result *res, const ps_proj *p, ps_error *err)
{
    const ps_registration *g = ps_proj_registration(p);
    const size_t per_year = (size_t)res->n_regions * PS_SEX_COUNT * (size_t)res->n_ages;
    res->registered = malloc((size_t)res->n_years * per_year * sizeof *res->registered);
    if (res->registered == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the registered population");
    }
    for (size_t k = 0; k < (size_t)res->n_years * per_year; ++k) {
        res->registered[k] = NAN;
    }
    for (int reg = 0; reg < res->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < res->n_ages; ++age) {
                const size_t c = ps_result_cell(res, 0, reg, sex, age);
                res->registered[c] = g->base_share[reg] * res->population[c];
            }
        }
    }
    return PS_OK;
}

/* Registered out-migrants of every cell (by age at migration) into `out`, and with
 * arrive_registered > 0 the registered arrivals into `in` (else in is zero). */
static void registered_moves(const ps_proj *p, const ps_registration *g, int step,
                             const double *R, double *in, double *out, size_t cells)
{
    const ps_flows *f = ps_proj_flows(p);
    memset(in, 0, cells * sizeof *in);
    memset(out, 0, cells * sizeof *out);
    if (f == NULL) {
        return;
    }
    const int period = ps_flows_period(f, step), na = f->n_ages;
    for (int orig = 0; orig < f->n_regions; ++orig) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const size_t o = ((size_t)orig * PS_SEX_COUNT + (size_t)sex) * (size_t)na;
            for (int dst = 0; dst < f->n_regions; ++dst) {
                const double w = f->dest[ps_flows_dest_idx(f, period, sex, orig, dst)];
                if (w == 0.0) {
                    continue;
                }
                const size_t d = ((size_t)dst * PS_SEX_COUNT + (size_t)sex) * (size_t)na;
                for (int age = 0; age < na; ++age) {
                    const double leave = w * (f->out_rate[ps_flows_rate_idx(f, period, orig,
                                                                            sex, age)] *
                                              R[o + (size_t)age]);
                    out[o + (size_t)age] += leave;
                    in[d + (size_t)age] += g->arrive_registered * leave;
                }
            }
        }
    }
}

/* Moves into registered status of one cell at age a (persons, by age at migration). */
static double registered_net(const ps_proj *p, const ps_registration *g, int step, int reg,
                             int sex, int age, const double *P, const double *R,
                             const double *in, const double *out)
{
    const ps_inputs *inp = ps_proj_inputs(p);
    const double M = inp->mig[ps_inputs_idx(inp, step, reg, sex, age)];
    const double share = P[age] > 0.0 ? R[age] / P[age] : 0.0;
    const double conv = g->conversion[((size_t)reg * PS_SEX_COUNT + (size_t)sex) *
                                      (size_t)g->n_ages + (size_t)age] *
                        (P[age] - R[age]);
    return conv + (M < 0.0 ? M * share : 0.0) + in[age] - out[age];
}

/* The registered share of the step's births: ASFR-weighted registered women at both ends of
 * the step over the same for all resident women (1 if there are none). */
static double birth_share(const ps_proj *p, int step, int reg, const double *F0,
                          const double *F1, const double *R0, const double *R1)
{
    const ps_inputs *in = ps_proj_inputs(p);
    const double *asfr = &in->asfr[ps_inputs_asfr_idx(in, step, reg, 0)];
    double all = 0.0, registered = 0.0;
    for (int age = PS_FERTILE_AGE_MIN; age <= PS_FERTILE_AGE_MAX && age < in->n_ages; ++age) {
        all += asfr[age] * (F0[age] + F1[age]);
        registered += asfr[age] * (R0[age] + R1[age]);
    }
    return all > 0.0 ? registered / all : 0.0;
}

/* One region and sex: ages 1.. from the registered at t and their moves (ccm.c's timing). */
static void survive_registered(const double *R, const double *N, const double *S, double *to,
                               int n)
{
    const double h = PS_MID_YEAR_FRACTION;
    for (int a = 1; a < n; ++a) {
        double e = R[a - 1] + h * N[a - 1];
        if (a == n - 1) {
            e += R[a] + h * N[a];
        }
        to[a] = fmax(e, 0.0) * S[a] + h * N[a];
    }
}

size_t ps_proj_registered_work_size(const ps_proj *p)
{
    const ps_registration *g = ps_proj_registration(p);
    return g == NULL ? 0 : 3 * (size_t)g->n_regions * PS_SEX_COUNT * (size_t)g->n_ages;
}

ps_status ps_proj_registered_step(ps_result *res, const ps_proj *p, int step, double *work,
                                  ps_error *err)
{
    const ps_registration *g = ps_proj_registration(p);
    if (g == NULL || res->registered == NULL) {
        return PS_OK;
    }
    const int n = res->n_ages;
    const size_t cells = (size_t)res->n_regions * PS_SEX_COUNT * (size_t)n;
    const double *R = &res->registered[ps_result_cell(res, step, 0, 0, 0)];
    double *Rt = &res->registered[ps_result_cell(res, step + 1, 0, 0, 0)];
    const double *P = &res->population[ps_result_cell(res, step, 0, 0, 0)];
    const double *Pt = &res->population[ps_result_cell(res, step + 1, 0, 0, 0)];
    double *in = work, *out = work + cells, *N = work + 2 * cells;
    registered_moves(p, g, step, R, in, out, cells);
    for (int reg = 0; reg < res->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const size_t o = ((size_t)reg * PS_SEX_COUNT + (size_t)sex) * (size_t)n;
            for (int age = 0; age < n; ++age) {
                N[o + (size_t)age] = registered_net(p, g, step, reg, sex, age, P + o, R + o,
                                                    in + o, out + o);
            }
            survive_registered(R + o, N + o, ps_proj_survivorship(p, step, reg, (ps_sex)sex),
                               Rt + o, n);
        }
        const size_t fem = ((size_t)reg * PS_SEX_COUNT + PS_SEX_FEMALE) * (size_t)n;
        const double rho = birth_share(p, step, reg, P + fem, Pt + fem, R + fem, Rt + fem);
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const size_t o = ((size_t)reg * PS_SEX_COUNT + (size_t)sex) * (size_t)n;
            const double S0 = ps_proj_survivorship(p, step, reg, (ps_sex)sex)[0];
            Rt[o] = res->births[ps_result_sexcell(res, step, reg, sex)] * rho * S0 +
                    PS_MID_YEAR_FRACTION * N[o];
        }
    }
    ps_status rc = PS_OK;
    for (size_t k = 0; k < cells && rc == PS_OK; ++k) {
        Rt[k] = fmin(fmax(Rt[k], 0.0), Pt[k]); /* documented cap: 0 <= R <= P */
        if (!isfinite(Rt[k])) {
            rc = ps_error_set(err, PS_ENUMERIC, "the registered population of year %d is not "
                              "finite", res->start_year + step + 1);
        }
    }
    return rc;
}

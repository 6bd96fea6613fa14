/*
 * ccm.c - deterministic cohort-component projection, one year at a time.
 *
 * For each region and sex, with S(a) the survivorship into age a (ps_lt_survivorship),
 * M(a) the step's net migrants at age a, half joining at the start and half at the end
 * (UN WPP single-year method; Preston, Heuveline & Guillot 2001, ch. 6):
 *   exposure E(a) = P(a-1,t) + M(a-1)/2            for 1 <= a < w   (w = open age)
 *   E(w)   = P(w-1,t) + M(w-1)/2 + P(w,t) + M(w)/2
 *   P(a,t+1) = E(a) S(a) + M(a)/2,   deaths D(a) = E(a) (1 - S(a))
 *   births B = sum_x ASFR(x) (F(x,t) + F(x,t+1)) / 2, split by the sex ratio at birth,
 *   P(0,t+1) = B_s S(0) + M(0)/2,    D(0) = B_s (1 - S(0)).
 * Every cell then satisfies P(a,t+1) = P(a-1,t) [+ P(w,t)] [+ B_s] - D(a) + Mc(a), with
 * Mc(a) the migrants credited to the cohort; the step verifies it before returning.
 */
#include "popsim/proj.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/units.h"

/* Relative tolerance of the accounting identity (floating-point rounding only). */
#define PS_ACCOUNTING_REL_TOL 1e-10

struct ps_proj {
    const ps_inputs *in; /* borrowed */
    int n_steps, n_regions, n_ages;
    double *surv; /* [step][reg][sex][age] survivorship into age a */
    double *e0;   /* [step][reg][sex] */
    double *tfr;  /* [step][reg] */
};

static size_t cell(const ps_proj *p, int step, int reg, int sex)
{
    return (((size_t)step * (size_t)p->n_regions + (size_t)reg) * PS_SEX_COUNT + (size_t)sex) *
           (size_t)p->n_ages;
}

static ps_status prepare_step(ps_proj *p, int step, ps_lifetable *lt, ps_error *err)
{
    for (int reg = 0; reg < p->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const double *mx = &p->in->mx[ps_inputs_idx(p->in, step, reg, sex, 0)];
            ps_status rc = ps_lt_compute(lt, mx, (ps_sex)sex, err);
            if (rc != PS_OK) {
                ps_error_prepend(err, "life table for %d, %s: ", p->in->start_year + step,
                                 ps_sex_name((ps_sex)sex));
                return rc;
            }
            ps_lt_survivorship(&p->surv[cell(p, step, reg, sex)], lt);
            p->e0[((size_t)step * (size_t)p->n_regions + (size_t)reg) * PS_SEX_COUNT +
                  (size_t)sex] = lt->ex[0];
        }
        double tfr = 0.0;
        for (int age = 0; age < p->n_ages; ++age) {
            tfr += p->in->asfr[ps_inputs_asfr_idx(p->in, step, reg, age)];
        }
        p->tfr[(size_t)step * (size_t)p->n_regions + (size_t)reg] = tfr;
    }
    return PS_OK;
}

ps_status ps_proj_new(ps_proj **out, const ps_inputs *in, ps_error *err)
{
    *out = NULL;
    ps_status rc = ps_inputs_validate(in, err);
    if (rc != PS_OK) {
        return rc;
    }
    ps_proj *p = calloc(1, sizeof *p);
    double *lt_mem = calloc(6 * (size_t)in->n_ages, sizeof *lt_mem);
    if (p == NULL || lt_mem == NULL) {
        free(p);
        free(lt_mem);
        return ps_error_set(err, PS_ENOMEM, "out of memory preparing the projection");
    }
    p->in = in;
    p->n_steps = ps_inputs_steps(in);
    p->n_regions = in->n_regions;
    p->n_ages = in->n_ages;
    size_t n = (size_t)p->n_steps * (size_t)p->n_regions;
    p->surv = malloc(n * PS_SEX_COUNT * (size_t)p->n_ages * sizeof *p->surv);
    p->e0 = malloc(n * PS_SEX_COUNT * sizeof *p->e0);
    p->tfr = malloc(n * sizeof *p->tfr);
    ps_lifetable lt = { .n_ages = in->n_ages, .ax = lt_mem, .qx = lt_mem + in->n_ages,
                        .lx = lt_mem + 2 * in->n_ages, .Lx = lt_mem + 3 * in->n_ages,
                        .Tx = lt_mem + 4 * in->n_ages, .ex = lt_mem + 5 * in->n_ages };
    if (p->surv == NULL || p->e0 == NULL || p->tfr == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory preparing the projection");
    }
    for (int step = 0; rc == PS_OK && step < p->n_steps; ++step) {
        rc = prepare_step(p, step, &lt, err);
    }
    free(lt_mem);
    if (rc != PS_OK) {
        ps_proj_free(p);
        return rc;
    }
    *out = p;
    return PS_OK;
}

/* Survive one sex of one region; returns the persons of emigration not applied. */
static double survive(const double *P, const double *M, const double *S, double *out,
                      double *D, double *Mc, int n)
{
    const double h = PS_MID_YEAR_FRACTION;
    double shortfall = 0.0;
    for (int a = 1; a < n; ++a) {
        double e = P[a - 1] + h * M[a - 1];
        double mc = h * (M[a - 1] + M[a]);
        if (a == n - 1) {
            e += P[a] + h * M[a];
            mc += h * M[a];
        }
        double fix = 0.0;
        if (e < 0.0) {
            fix = -e;
            e = 0.0;
        }
        double v = e * S[a] + h * M[a];
        if (v < 0.0) {
            fix += -v;
            v = 0.0;
        }
        out[a] = v;
        D[a] = e * (1.0 - S[a]);
        Mc[a] = mc + fix;
        shortfall += fix;
    }
    return shortfall;
}

/* Births of one region from women at both ends of the step, then age 0. */
static double births_step(const ps_proj *p, int step, int reg, const double *F0, const double *F1)
{
    const double *asfr = &p->in->asfr[ps_inputs_asfr_idx(p->in, step, reg, 0)];
    double b = 0.0;
    for (int age = PS_FERTILE_AGE_MIN; age <= PS_FERTILE_AGE_MAX && age < p->n_ages; ++age) {
        b += asfr[age] * PS_MID_YEAR_FRACTION * (F0[age] + F1[age]);
    }
    return b;
}

static ps_status check_identity(const double *P, double *out, const double *D, const double *Mc,
                                double births, int n, ps_error *err)
{
    for (int a = 0; a < n; ++a) {
        double before = a == 0 ? births : P[a - 1] + (a == n - 1 ? P[a] : 0.0);
        double want = before - D[a] + Mc[a];
        double scale = fabs(before) + fabs(D[a]) + fabs(Mc[a]) + 1.0;
        if (!isfinite(out[a]) || fabs(out[a] - want) > PS_ACCOUNTING_REL_TOL * scale) {
            return ps_error_set(err, PS_ENUMERIC,
                                "accounting identity fails at age %d: %.17g != %.17g", a, out[a],
                                want);
        }
    }
    return PS_OK;
}

ps_status ps_proj_step(const ps_proj *p, int step, const double *from, double *to,
                       ps_proj_events *ev, ps_error *err)
{
    const int n = p->n_ages;
    ev->adjustment = 0.0;
    for (int reg = 0; reg < p->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            size_t off = ((size_t)reg * PS_SEX_COUNT + (size_t)sex) * (size_t)n;
            const double *M = &p->in->mig[ps_inputs_idx(p->in, step, reg, sex, 0)];
            ev->adjustment += survive(from + off, M, &p->surv[cell(p, step, reg, sex)], to + off,
                                      ev->deaths + off, ev->net_migration + off, n);
        }
        size_t fem = ((size_t)reg * PS_SEX_COUNT + PS_SEX_FEMALE) * (size_t)n;
        double births = births_step(p, step, reg, from + fem, to + fem);
        double srb = p->in->srb[(size_t)step * (size_t)p->n_regions + (size_t)reg];
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            size_t off = ((size_t)reg * PS_SEX_COUNT + (size_t)sex) * (size_t)n;
            double bs = births * (sex == PS_SEX_MALE ? srb : 1.0) / (1.0 + srb);
            double S0 = p->surv[cell(p, step, reg, sex)];
            double M0 = p->in->mig[ps_inputs_idx(p->in, step, reg, sex, 0)];
            double v = bs * S0 + PS_MID_YEAR_FRACTION * M0;
            double fix = v < 0.0 ? -v : 0.0;
            to[off] = v + fix;
            ev->deaths[off] = bs * (1.0 - S0);
            ev->net_migration[off] = PS_MID_YEAR_FRACTION * M0 + fix;
            ev->adjustment += fix;
            ev->births[(size_t)reg * PS_SEX_COUNT + (size_t)sex] = bs;
            ps_status rc = check_identity(from + off, to + off, ev->deaths + off,
                                          ev->net_migration + off, bs, n, err);
            if (rc != PS_OK) {
                ps_error_prepend(err, "year %d, region '%s', %s: ", p->in->start_year + step,
                                 p->in->region_names[reg], ps_sex_name((ps_sex)sex));
                return rc;
            }
        }
    }
    return PS_OK;
}

/* Copy the step's rates (ASFR, TFR, e0) into the result's year `step`. */
static void record_rates(ps_result *res, const ps_proj *p, int step)
{
    for (int reg = 0; reg < p->n_regions; ++reg) {
        for (int age = 0; age < p->n_ages; ++age) {
            res->asfr[ps_result_agecell(res, step, reg, age)] =
                p->in->asfr[ps_inputs_asfr_idx(p->in, step, reg, age)];
        }
        res->tfr[ps_result_regcell(res, step, reg)] =
            p->tfr[(size_t)step * (size_t)p->n_regions + (size_t)reg];
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            res->e0[ps_result_sexcell(res, step, reg, sex)] = ps_proj_e0(p, step, reg, (ps_sex)sex);
        }
    }
}

ps_status ps_proj_run(ps_result *res, const ps_proj *p, const char *name, const char *title,
                      ps_error *err)
{
    const ps_inputs *in = p->in;
    ps_status rc = ps_result_init(res, name, title, in->start_year, p->n_steps + 1, p->n_regions,
                                  p->n_ages, (const char *const *)in->region_names, err);
    if (rc != PS_OK) {
        return rc;
    }
    const size_t cells = ps_pop_size(&in->base);
    memcpy(res->population, in->base.count, cells * sizeof *res->population);
    res->emigration_shortfall = 0.0;
    for (int step = 0; step < p->n_steps && rc == PS_OK; ++step) {
        ps_proj_events ev = {
            .births = &res->births[ps_result_sexcell(res, step, 0, 0)],
            .deaths = &res->deaths[ps_result_cell(res, step, 0, 0, 0)],
            .net_migration = &res->net_migration[ps_result_cell(res, step, 0, 0, 0)],
        };
        rc = ps_proj_step(p, step, &res->population[ps_result_cell(res, step, 0, 0, 0)],
                          &res->population[ps_result_cell(res, step + 1, 0, 0, 0)], &ev, err);
        res->emigration_shortfall += ev.adjustment;
        record_rates(res, p, step);
    }
    if (rc != PS_OK) {
        ps_result_release(res);
    }
    return rc;
}

double ps_proj_e0(const ps_proj *p, int step, int reg, ps_sex sex)
{
    return p->e0[((size_t)step * (size_t)p->n_regions + (size_t)reg) * PS_SEX_COUNT + (size_t)sex];
}

void ps_proj_free(ps_proj *p)
{
    if (p == NULL) {
        return;
    }
    free(p->surv);
    free(p->e0);
    free(p->tfr);
    free(p);
}

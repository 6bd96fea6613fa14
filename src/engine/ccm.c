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

#include <assert.h>
#include <math.h>
#include <stdio.h> /* snprintf */
#include <stdlib.h>
#include <string.h>

#include "engine/flows_int.h"
#include "popsim/demog.h"
#include "popsim/parity.h" /* ps_result_init_calibration */
#include "popsim/units.h"

/* Relative tolerance of the accounting identity (floating-point rounding only). */
#define PS_ACCOUNTING_REL_TOL 1e-10

struct ps_proj {
    const ps_inputs *in; /* borrowed */
    int n_steps, n_regions, n_ages;
    double *surv;        /* [step][reg][sex][age] survivorship into age a */
    double *e0;          /* [step][reg][sex] */
    double *tfr;         /* [step][reg] */
    double *order_h;     /* [reg][order] fitted order weights S_k; NULL = no birth order */
    double *order_shape; /* [order][age] Hadwiger shapes g_k of births by order */
    const ps_flows *flows; /* borrowed; NULL = no internal migration (ps_proj_set_flows) */
    const ps_registration *registration; /* borrowed; NULL = no status (#13, sec. 2) */
    /* A planner's base parity (ps_proj_parity_init_table), borrowed during the init only:
     * [age][parity] shares and [age] 1 where given; NULL = reconstructed at every age. */
    const double *parity_share;
    const unsigned char *parity_given;
    /* Multiplier of the first-order level S_1 in the years of the fertility history (before
     * the base step), fitted to birth_order.childless_45_49; 0 or 1 = none. */
    double hist_first_boost;
    double hist_second_boost; /* the same for S_2, fitted by the joint fit; 0 or 1 = none */
    ps_parity_fit fit;        /* what the last parity init fitted and reached */
    const ps_parity_fit *given_levels; /* ps_proj_parity_init_levels, during the init only */
    int ipf_max_iter; /* iterations of calibrate_region; 0 = its default (the joint fit's trials
                       * take fewer, so that a level out of reach is found out fast) */
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
    ps_lifetable lt = {.n_ages = in->n_ages,
                       .ax = lt_mem,
                       .qx = lt_mem + in->n_ages,
                       .lx = lt_mem + 2 * in->n_ages,
                       .Lx = lt_mem + 3 * in->n_ages,
                       .Tx = lt_mem + 4 * in->n_ages,
                       .ex = lt_mem + 5 * in->n_ages};
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

/* Net migrants of one cell: international M plus internal I (I NULL = none, so that a run
 * without internal migration adds nothing, not even a zero). */
static inline double mig_at(const double *M, const double *I, int a)
{
    return I != NULL ? M[a] + I[a] : M[a];
}

/* Survive one sex of one region with international (M) and internal (I, may be NULL) net
 * migrants; returns the persons of emigration not applied. */
static double survive(const double *P, const double *M, const double *I, const double *S,
                      double *out, double *D, double *Mc, int n)
{
    const double h = PS_MID_YEAR_FRACTION;
    double shortfall = 0.0;
    for (int a = 1; a < n; ++a) {
        const double m0 = mig_at(M, I, a - 1), m1 = mig_at(M, I, a);
        double e = P[a - 1] + h * m0;
        double mc = h * (m0 + m1);
        if (a == n - 1) {
            e += P[a] + h * m1;
            mc += h * m1;
        }
        double fix = 0.0;
        if (e < 0.0) {
            fix = -e;
            e = 0.0;
        }
        double v = e * S[a] + h * m1;
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

/* The final guard on a result (issue #17): every count a step produces is a finite number
 * of persons in [0, PS_POPULATION_MAX]. Inputs are checked where they are given; this
 * catches what they compound to (years of growth), so a run never ends with inf. */
static ps_status check_counts(const double *out, int n, ps_error *err)
{
    for (int a = 0; a < n; ++a) {
        if (!isfinite(out[a]) || out[a] < 0.0 || out[a] > PS_POPULATION_MAX) {
            return ps_error_set(err, PS_ENUMERIC,
                                "the population at age %d is %.6g persons, not a finite count "
                                "in [0, %.0e]; the inputs compound to an impossible population",
                                a, out[a], PS_POPULATION_MAX);
        }
    }
    return PS_OK;
}

static double split_region(const ps_proj *p, int step, int reg, const double *F0, const double *F1,
                           const double *from, ps_proj_parity *par);

/* Out-migration that would leave a cell negative is an error, never capped: a cap would
 * keep migrants at the origin that the destination has already received (docs/model.md
 * 2.7). It happens only with out-migration rates close to 1 or very uneven ages. */
static ps_status overflow_error(const ps_proj *p, int step, int reg, double persons,
                                ps_error *err)
{
    return ps_error_set(err, PS_EINVAL, "year %d, region '%s': out-migration and emigration "
                        "exceed the population of some cohorts by %.6g persons; lower the "
                        "out-migration rates of this region", p->in->start_year + step,
                        p->in->region_names[reg], persons);
}

/* Internal in- and out-migrants by age at migration (as computed) -> credited to the cohort
 * by its age at the end of the step, as net_migration: half at a-1 and half at a, the open
 * group taking all of its own and half of the age below (in place, oldest age first). */
static void credit_internal(const ps_proj *p, ps_proj_events *ev)
{
    const int n = p->n_ages;
    const double h = PS_MID_YEAR_FRACTION;
    for (size_t rs = 0; rs < (size_t)p->n_regions * PS_SEX_COUNT; ++rs) {
        double *xs[2] = { ev->internal_in + rs * (size_t)n, ev->internal_out + rs * (size_t)n };
        for (int k = 0; k < 2; ++k) {
            double *x = xs[k];
            x[n - 1] = h * x[n - 2] + x[n - 1];
            for (int a = n - 2; a >= 1; --a) {
                x[a] = h * (x[a - 1] + x[a]);
            }
            x[0] = h * x[0];
        }
    }
}

static ps_status step_impl(const ps_proj *p, int step, const double *from, double *to,
                           ps_proj_events *ev, ps_proj_parity *par, ps_error *err)
{
    const int n = p->n_ages;
    ev->adjustment = 0.0;
    if (p->flows != NULL) {
        assert(ev->internal_in != NULL && ev->internal_out != NULL && ev->internal_net != NULL);
        ps_flows__move(p->flows, step, from, ev->internal_in, ev->internal_out,
                       ev->internal_net);
    }
    for (int reg = 0; reg < p->n_regions; ++reg) {
        const double adjusted_before = ev->adjustment;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            size_t off = ((size_t)reg * PS_SEX_COUNT + (size_t)sex) * (size_t)n;
            const double *M = &p->in->mig[ps_inputs_idx(p->in, step, reg, sex, 0)];
            const double *I = p->flows != NULL ? ev->internal_net + off : NULL;
            ev->adjustment += survive(from + off, M, I, &p->surv[cell(p, step, reg, sex)],
                                      to + off, ev->deaths + off, ev->net_migration + off, n);
        }
        size_t fem = ((size_t)reg * PS_SEX_COUNT + PS_SEX_FEMALE) * (size_t)n;
        double births = births_step(p, step, reg, from + fem, to + fem);
        if (par != NULL) {
            double with_orders = split_region(p, step, reg, from + fem, to + fem, from, par);
            double scale = 1.0;
            if (par->mult != NULL) {
                scale = births > 0.0 ? with_orders / births : 1.0;
                births = with_orders; /* multipliers given: births follow the orders */
            }
            if (par->fertility_scale != NULL) {
                par->fertility_scale[reg] = scale;
            }
        }
        double srb = p->in->srb[(size_t)step * (size_t)p->n_regions + (size_t)reg];
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            size_t off = ((size_t)reg * PS_SEX_COUNT + (size_t)sex) * (size_t)n;
            double bs = births * (sex == PS_SEX_MALE ? srb : 1.0) / (1.0 + srb);
            double S0 = p->surv[cell(p, step, reg, sex)];
            double M0 = p->in->mig[ps_inputs_idx(p->in, step, reg, sex, 0)];
            if (p->flows != NULL) {
                M0 += ev->internal_net[off];
            }
            double v = bs * S0 + PS_MID_YEAR_FRACTION * M0;
            double fix = v < 0.0 ? -v : 0.0;
            to[off] = v + fix;
            ev->deaths[off] = bs * (1.0 - S0);
            ev->net_migration[off] = PS_MID_YEAR_FRACTION * M0 + fix;
            ev->adjustment += fix;
            ev->births[(size_t)reg * PS_SEX_COUNT + (size_t)sex] = bs;
            if (par != NULL && sex == PS_SEX_FEMALE) {
                double *W0 = &par->to[(size_t)reg * (size_t)n * PS_PARITY_COUNT];
                W0[0] = to[off];
                W0[1] = W0[2] = W0[3] = 0.0;
            }
            ps_status rc = check_counts(to + off, n, err);
            if (rc == PS_OK) {
                rc = check_identity(from + off, to + off, ev->deaths + off, ev->net_migration + off,
                                    bs, n, err);
            }
            if (rc != PS_OK) {
                ps_error_prepend(err, "year %d, region '%s', %s: ", p->in->start_year + step,
                                 p->in->region_names[reg], ps_sex_name((ps_sex)sex));
                return rc;
            }
        }
        if (p->flows != NULL && ev->adjustment > adjusted_before) {
            return overflow_error(p, step, reg, ev->adjustment - adjusted_before, err);
        }
    }
    if (p->flows != NULL) {
        credit_internal(p, ev);
    }
    return PS_OK;
}

ps_status ps_proj_step(const ps_proj *p, int step, const double *from, double *to,
                       ps_proj_events *ev, ps_error *err)
{
    return step_impl(p, step, from, to, ev, NULL, err);
}

ps_status ps_proj_step_parity(const ps_proj *p, int step, const double *from, double *to,
                              ps_proj_events *ev, ps_proj_parity *par, ps_error *err)
{
    assert(p->order_h != NULL && par != NULL);
    if (par->mult != NULL) {
        int identity = 1;
        for (int i = 0; i < p->n_regions * PS_ORDER_COUNT; ++i) {
            identity &= par->mult[i] == 1.0;
        }
        if (identity) {
            ps_proj_parity plain = *par; /* exactly 1: keep births bit-identical */
            plain.mult = NULL;
            return step_impl(p, step, from, to, ev, &plain, err);
        }
    }
    return step_impl(p, step, from, to, ev, par, err);
}

void ps_proj_record_rates(ps_result *res, const ps_proj *p, int step, const double *fertility_scale)
{
    for (int reg = 0; reg < p->n_regions; ++reg) {
        const double scale = fertility_scale != NULL ? fertility_scale[reg] : 1.0;
        for (int age = 0; age < p->n_ages; ++age) {
            res->asfr[ps_result_agecell(res, step, reg, age)] =
                p->in->asfr[ps_inputs_asfr_idx(p->in, step, reg, age)] * scale;
        }
        res->tfr[ps_result_regcell(res, step, reg)] =
            p->tfr[(size_t)step * (size_t)p->n_regions + (size_t)reg] * scale;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            res->e0[ps_result_sexcell(res, step, reg, sex)] = ps_proj_e0(p, step, reg, (ps_sex)sex);
        }
    }
}

ps_status ps_proj_run_init(ps_result *res, const ps_proj *p, const char *name, const char *title,
                           ps_error *err)
{
    const ps_inputs *in = p->in;
    ps_status rc = ps_result_init(res, name, title, in->start_year, p->n_steps + 1, p->n_regions,
                                  p->n_ages, (const char *const *)in->region_names, err);
    if (rc == PS_OK) {
        memcpy(res->population, in->base.count, ps_pop_size(&in->base) * sizeof *res->population);
        res->emigration_shortfall = 0.0;
    }
    if (rc == PS_OK && p->flows != NULL) {
        rc = ps_result_init_internal(res, err);
    }
    if (rc == PS_OK && p->registration != NULL) {
        rc = ps_proj_registered_init(res, p, err);
    }
    if (rc == PS_OK && in->births_factor != NULL) { /* issue #12: engine/calib_births.c */
        rc = ps_result_init_calibration(res, in->births_factor, err);
    }
    return rc;
}

ps_status ps_proj_run(ps_result *res, const ps_proj *p, const char *name, const char *title,
                      ps_error *err)
{
    ps_status rc = ps_proj_run_init(res, p, name, title, err);
    if (rc != PS_OK) {
        return rc;
    }
    const size_t n_work = ps_proj_registered_work_size(p);
    double *work = n_work > 0 ? malloc(n_work * sizeof *work) : NULL;
    if (n_work > 0 && work == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the registered population");
    }
    for (int step = 0; step < p->n_steps && rc == PS_OK; ++step) {
        ps_proj_events ev = {
            .births = &res->births[ps_result_sexcell(res, step, 0, 0)],
            .deaths = &res->deaths[ps_result_cell(res, step, 0, 0, 0)],
            .net_migration = &res->net_migration[ps_result_cell(res, step, 0, 0, 0)],
        };
        ps_proj_internal_events(&ev, res, step);
        rc = ps_proj_step(p, step, &res->population[ps_result_cell(res, step, 0, 0, 0)],
                          &res->population[ps_result_cell(res, step + 1, 0, 0, 0)], &ev, err);
        if (rc == PS_OK) {
            ps_proj_internal_net(res, step);
            rc = ps_proj_registered_step(res, p, step, work, err);
        }
        res->emigration_shortfall += ev.adjustment;
        ps_proj_record_rates(res, p, step, NULL);
    }
    free(work);
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
    free(p->order_h);
    free(p->order_shape);
    free(p);
}

/*
 * Birth order by parity progression (docs/model.md, sec. 2.6). Women carry parity 0, 1, 2,
 * 3+; births of order k (1, 2, 3+) at age x come only from the women at risk, those of
 * parity k-1 (3+: parity 2 and 3+), at the order-specific intensity m_k(x) = S_k g_k(x),
 * with g_k Hadwiger shapes of mean ages PS_ORDER_MEAN_AGES and S_k one level per region and
 * order. In every step and at every age the intensities are scaled by the one factor c(x)
 * that keeps the births at x equal to ASFR(x) x women (the age-only engine's births):
 *     B_k(x) = c(x) m_k(x) W_{k-1}(x),    c(x) = ASFR(x) F(x) / sum_j m_j(x) W_{j-1}(x).
 * A cohort never has more births of an order than women at risk of it (the excess goes to
 * the other orders, so total births are kept). The levels S_k are fitted so that the base
 * step has the scenario's births by order, with the base women's parity reconstructed from
 * the fertility history by the same model. Mortality and migration do not depend on parity,
 * so a cohort keeps its parity shares through survival; mothers move up one parity.
 */
static const double PS_ORDER_MEAN_AGES[PS_ORDER_COUNT] = {27.5, 31.0, 33.5}; /* years, U */

static void parity_shares(double pi[PS_PARITY_COUNT], const double *counts)
{
    double total = 0.0;
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        total += counts[k];
    }
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        pi[k] = total > 0.0 ? counts[k] / total : (k == 0 ? 1.0 : 0.0);
    }
}

/* Split b births over orders in proportion to m[k] x risk[k] (intensity x women at risk),
 * at most risk[k] births of order k; the excess goes to the orders still below it. */
static void split_orders(double out[PS_ORDER_COUNT], double b, const double m[PS_ORDER_COUNT],
                         const double risk[PS_ORDER_COUNT])
{
    double w[PS_ORDER_COUNT], left = b;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        out[k] = 0.0;
        w[k] = risk[k] > 0.0 ? m[k] * risk[k] : 0.0;
    }
    for (int pass = 0; pass < PS_ORDER_COUNT && left > 0.0; ++pass) {
        double wsum = 0.0, give = left;
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            wsum += w[k];
        }
        if (!(wsum > 0.0)) {
            break;
        }
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            const double share = give * w[k] / wsum, room = risk[k] - out[k];
            double take = share < room ? share : room; /* fmin of finite values, inlined */
            if (take <= 0.0) {
                continue;
            }
            out[k] += take;
            left -= take;
            if (out[k] >= risk[k]) {
                w[k] = 0.0; /* every woman at risk of that order has had her birth */
            }
        }
    }
}

/* Move the mothers of e[order] births up one parity in counts c. */
static void move_mothers(double c[PS_PARITY_COUNT], const double e[PS_ORDER_COUNT])
{
    double from2 = c[2] + c[3] > 0.0 ? c[2] / (c[2] + c[3]) : 1.0;
    c[0] -= e[0];
    c[1] += e[0] - e[1];
    c[2] += e[1] - e[2] * from2;
    c[3] += e[2] * from2;
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        c[k] = c[k] >= 0.0 ? c[k] : 0.0; /* rounding only; glibc's fmax(c, 0), inlined */
    }
}

/* Intensities at age x of region reg before the step's scaling: m_k(x) = S_k g_k(x). */
static void order_weights(double w[PS_ORDER_COUNT], const ps_proj *p, int reg, int age)
{
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        w[k] = p->order_h[(size_t)reg * PS_ORDER_COUNT + (size_t)k] *
               p->order_shape[(size_t)k * (size_t)p->n_ages + (size_t)age];
    }
}

/* Births by order of one cohort (aged a on 1 July t+1) with `risk` women at risk of each
 * order: half of period age a-1 (f0 women at the start) and half of period age a (f1 at the end),
 * each half with at most half of the women at risk. */
static void cohort_births_at(double e[PS_ORDER_COUNT], const double *asfr, int a, double f0,
                             double f1, const double risk[PS_ORDER_COUNT],
                             const double w0[PS_ORDER_COUNT], const double w1[PS_ORDER_COUNT])
{
    double e0[PS_ORDER_COUNT], e1[PS_ORDER_COUNT], half_risk[PS_ORDER_COUNT];
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        half_risk[k] = PS_MID_YEAR_FRACTION * risk[k];
    }
    split_orders(e0, PS_MID_YEAR_FRACTION * asfr[a - 1] * f0, w0, half_risk);
    split_orders(e1, PS_MID_YEAR_FRACTION * asfr[a] * f1, w1, half_risk);
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        e[k] = e0[k] + e1[k];
    }
}

/* The intensities m_k(x) of order_weights at one age with the history's levels: the first-
 * and second-order ones times boost1 and boost2 when these are positive and not 1. */
static void boosted_weights(double w[PS_ORDER_COUNT], const ps_proj *p, int reg, int age,
                            double boost1, double boost2)
{
    order_weights(w, p, reg, age);
    if (boost1 > 0.0 && boost1 != 1.0) { /* the history's first-order level (childless fit) */
        w[0] *= boost1;
    }
    if (boost2 > 0.0 && boost2 != 1.0) { /* the history's second-order level (joint fit) */
        w[1] *= boost2;
    }
}

static void cohort_births(double e[PS_ORDER_COUNT], const ps_proj *p, int reg, const double *asfr,
                          int a, double f0, double f1, const double risk[PS_ORDER_COUNT],
                          double boost1, double boost2)
{
    double w0[PS_ORDER_COUNT], w1[PS_ORDER_COUNT];
    boosted_weights(w0, p, reg, a - 1, boost1, boost2);
    boosted_weights(w1, p, reg, a, boost1, boost2);
    cohort_births_at(e, asfr, a, f0, f1, risk, w0, w1);
}

/* With internal migration, what a step's parity split needs of every region on 1 July t:
 * the population [reg][sex][age] and the women by parity [reg][age][parity]. */
typedef struct mig_ctx {
    const double *pop;
    const double *women;
} mig_ctx;

/* Women by parity of the cohort aged a on 1 July t+1 (F1a women) before the step's births:
 * the shares of the region's cohort W at a-1 (the open group with its own), or with internal
 * migration (mig not NULL) the in-movers with their origin's parity (flows_parity.c). */
static void cohort_counts(double c[PS_PARITY_COUNT], const ps_proj *p, int step, int reg, int a,
                          double F1a, const double *W, const mig_ctx *mig)
{
    const int n = p->n_ages;
    if (mig != NULL) {
        ps_flows__parity_counts(c, p->flows, step, reg, a, F1a,
                                &p->surv[cell(p, step, reg, PS_SEX_FEMALE)], mig->pop,
                                mig->women);
        return;
    }
    double pi[PS_PARITY_COUNT];
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        c[k] = W[(size_t)(a - 1) * PS_PARITY_COUNT + (size_t)k] +
               (a == n - 1 ? W[(size_t)a * PS_PARITY_COUNT + (size_t)k] : 0.0);
    }
    parity_shares(pi, c);
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        c[k] = pi[k] * F1a;
    }
}

/* Births by order bo[order] of one region's step from women by parity Wf on 1 July t, and
 * (Wt not NULL) the women by parity on 1 July t+1; m = multipliers or NULL; mig = internal
 * migration's context or NULL (none, or a calibration). Returns the births after
 * multipliers. */
static double region_orders(const ps_proj *p, int step, int reg, const double *F0, const double *F1,
                            const double *Wf, double *Wt, const double *m,
                            double bo[PS_ORDER_COUNT], double *first_age_sum, const mig_ctx *mig)
{
    const int n = p->n_ages;
    const double *asfr = &p->in->asfr[ps_inputs_asfr_idx(p->in, step, reg, 0)];
    double total = 0.0;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        bo[k] = 0.0;
    }
    for (int a = 1; a < n; ++a) {
        double c[PS_PARITY_COUNT], e[PS_ORDER_COUNT];
        cohort_counts(c, p, step, reg, a, F1[a], Wf, mig);
        const double risk[PS_ORDER_COUNT] = {c[0], c[1], c[2] + c[3]};
        cohort_births(e, p, reg, asfr, a, F0[a - 1], F1[a], risk, 1.0, 1.0);
        for (int k = 0; m != NULL && k < PS_ORDER_COUNT; ++k) {
            e[k] = fmin(e[k] * m[k], risk[k]);
        }
        move_mothers(c, e);
        for (int k = 0; Wt != NULL && k < PS_PARITY_COUNT; ++k) {
            Wt[(size_t)a * PS_PARITY_COUNT + (size_t)k] = c[k];
        }
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            bo[k] += e[k];
            total += e[k];
        }
        if (first_age_sum != NULL) {
            *first_age_sum += (double)a * e[0]; /* the cohort's mean exact age at birth */
        }
    }
    return total;
}

/* Risk of each order of the cohort reaching a: the parity shares of W at a-1 (with the open
 * group at the oldest age) times the cohort's women f. */
static void cohort_risk(double risk[PS_ORDER_COUNT], const double *W, int a, int n, double f)
{
    double c[PS_PARITY_COUNT], pi[PS_PARITY_COUNT];
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        c[k] = W[(size_t)(a - 1) * PS_PARITY_COUNT + (size_t)k] +
               (a == n - 1 ? W[(size_t)a * PS_PARITY_COUNT + (size_t)k] : 0.0);
    }
    parity_shares(pi, c);
    risk[0] = pi[0] * f;
    risk[1] = pi[1] * f;
    risk[2] = (pi[2] + pi[3]) * f;
}

/* The scaling c of one half-cohort: b births over intensities m_k x women at risk. */
static double half_scale(double b, const double m[PS_ORDER_COUNT],
                         const double risk[PS_ORDER_COUNT])
{
    double d = 0.0;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        d += m[k] * PS_MID_YEAR_FRACTION * risk[k];
    }
    return d > 0.0 ? b / d : 0.0;
}

/*
 * A policy variant's births by order (par->base given): the intensities keep the
 * baseline's scaling c of each half-cohort (computed from the baseline's women at risk),
 * and the variant's own women at risk and multipliers give the births,
 *     B_k = mult_k (c0 m_k(a-1) + c1 m_k(a)) risk_k / 2,   at most risk_k,
 * so that a lever for order k changes births of other orders only through who is at risk
 * (never through a recalibration to the baseline's ASFR).
 */
static double region_orders_variant(const ps_proj *p, int step, int reg, const double *F1,
                                    const ps_proj_parity *par, const mig_ctx *mig)
{
    const int n = p->n_ages;
    const size_t row = (size_t)reg * (size_t)n * PS_PARITY_COUNT;
    const size_t fem = ((size_t)reg * PS_SEX_COUNT + PS_SEX_FEMALE) * (size_t)n;
    const double *asfr = &p->in->asfr[ps_inputs_asfr_idx(p->in, step, reg, 0)];
    const double *BF0 = &par->base_pop_from[fem], *BF1 = &par->base_pop_to[fem];
    const double *m = &par->mult[(size_t)reg * PS_ORDER_COUNT];
    double *bo = &par->births_by_order[(size_t)reg * PS_ORDER_COUNT], total = 0.0;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        bo[k] = 0.0;
    }
    for (int a = 1; a < n; ++a) {
        double rb[PS_ORDER_COUNT], risk[PS_ORDER_COUNT], w0[PS_ORDER_COUNT], w1[PS_ORDER_COUNT];
        double c[PS_PARITY_COUNT], e[PS_ORDER_COUNT];
        if (mig != NULL) { /* the in-movers carry their origin's parity (baseline alike) */
            const mig_ctx base_mig = { par->base_pop_from, par->base_women };
            double cb[PS_PARITY_COUNT];
            cohort_counts(cb, p, step, reg, a, BF1[a], NULL, &base_mig);
            cohort_counts(c, p, step, reg, a, F1[a], NULL, mig);
            const double rb_m[PS_ORDER_COUNT] = { cb[0], cb[1], cb[2] + cb[3] };
            const double risk_m[PS_ORDER_COUNT] = { c[0], c[1], c[2] + c[3] };
            memcpy(rb, rb_m, sizeof rb);
            memcpy(risk, risk_m, sizeof risk);
        } else {
            cohort_risk(rb, &par->base_women[row], a, n, BF1[a]);
            cohort_risk(risk, &par->from[row], a, n, F1[a]);
        }
        order_weights(w0, p, reg, a - 1);
        order_weights(w1, p, reg, a);
        const double c0 = half_scale(PS_MID_YEAR_FRACTION * asfr[a - 1] * BF0[a - 1], w0, rb);
        const double c1 = half_scale(PS_MID_YEAR_FRACTION * asfr[a] * BF1[a], w1, rb);
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            e[k] = fmin(m[k] * (c0 * w0[k] + c1 * w1[k]) * PS_MID_YEAR_FRACTION * risk[k], risk[k]);
        }
        if (mig == NULL) {
            double sh[PS_PARITY_COUNT], cnt[PS_PARITY_COUNT];
            for (int k = 0; k < PS_PARITY_COUNT; ++k) {
                cnt[k] = par->from[row + (size_t)(a - 1) * PS_PARITY_COUNT + (size_t)k] +
                         (a == n - 1 ? par->from[row + (size_t)a * PS_PARITY_COUNT + (size_t)k]
                                     : 0.0);
            }
            parity_shares(sh, cnt);
            for (int k = 0; k < PS_PARITY_COUNT; ++k) {
                c[k] = sh[k] * F1[a];
            }
        }
        move_mothers(c, e);
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            par->to[row + (size_t)a * PS_PARITY_COUNT + (size_t)k] = c[k];
        }
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            bo[k] += e[k];
            total += e[k];
        }
    }
    return total;
}

/* Births by order and women by parity of one region; returns the births after multipliers. */
static double split_region(const ps_proj *p, int step, int reg, const double *F0, const double *F1,
                           const double *from, ps_proj_parity *par)
{
    const size_t row = (size_t)reg * (size_t)p->n_ages * PS_PARITY_COUNT;
    const mig_ctx mig_all = { from, par->from };
    const mig_ctx *mig = p->flows != NULL ? &mig_all : NULL;
    if (par->mult != NULL && par->base_women != NULL) {
        return region_orders_variant(p, step, reg, F1, par, mig);
    }
    return region_orders(p, step, reg, F0, F1, &par->from[row], &par->to[row],
                         par->mult ? &par->mult[(size_t)reg * PS_ORDER_COUNT] : NULL,
                         &par->births_by_order[(size_t)reg * PS_ORDER_COUNT], NULL, mig);
}

/* The ASFR of the step starting 1 July `year`: the history's row (its first row before it),
 * else, after the history or without one, the projection's first step. */
static const double *history_row(const ps_proj *p, const ps_fert_history *h, int reg, int year)
{
    if (h == NULL || h->asfr == NULL || h->n_years < 1 || year >= h->first_year + h->n_years) {
        return &p->in->asfr[ps_inputs_asfr_idx(p->in, 0, reg, 0)];
    }
    int row = year < h->first_year ? 0 : year - h->first_year;
    return &h->asfr[(size_t)row * (size_t)p->n_ages];
}

/*
 * Parity shares pi[age][parity] on 1 July of the start year: each cohort lives through the
 * fertility history with the engine's step, so that a cohort aged x on 1 July of year y has
 * half its births of the step at ASFR_y(x) and half at ASFR_y(x+1), split over orders by the
 * progression model with half its women at risk each (cohort_births per woman; mortality
 * and migration do not change parity shares). Without a history every step has the base
 * schedule (a synthetic cohort).
 */
/* reconstruct_parity without a history: every step of every cohort has the base schedule, so
 * the cohort aged a has lived through the first a steps of the cohort aged a+1, and one pass
 * along the oldest cohort gives every cohort the same operations on the same values. */
static void reconstruct_synthetic(double *pi_by_age, const ps_proj *p, int reg, int a_from,
                                  int a_to, const double *wt)
{
    const double *asfr = history_row(p, NULL, reg, p->in->start_year);
    double pi[PS_PARITY_COUNT] = {1.0, 0.0, 0.0, 0.0}; /* after steps 0..a-1 */
    for (int a = 0; a < a_to; ++a) {
        double *out = &pi_by_age[(size_t)a * PS_PARITY_COUNT];
        if (a >= a_from) {
            const int given = p->parity_given != NULL && p->parity_given[a];
            memcpy(out, given ? &p->parity_share[(size_t)a * PS_PARITY_COUNT] : pi, sizeof pi);
        }
        if (a + 1 < a_to && !(asfr[a] == 0.0 && asfr[a + 1] == 0.0)) { /* step x = a */
            const double risk[PS_ORDER_COUNT] = {pi[0], pi[1], pi[2] + pi[3]};
            double e[PS_ORDER_COUNT];
            cohort_births_at(e, asfr, a + 1, 1.0, 1.0, risk, &wt[(size_t)a * PS_ORDER_COUNT],
                             &wt[(size_t)(a + 1) * PS_ORDER_COUNT]);
            move_mothers(pi, e);
        }
    }
}

static void reconstruct_parity(double *pi_by_age, const ps_proj *p, int reg,
                               const ps_fert_history *h, int a_from, int a_to, double *wt)
{
    const int y0 = p->in->start_year;
    for (int x = 0; x < p->n_ages; ++x) { /* m_k(x) with the history's levels, once */
        boosted_weights(&wt[(size_t)x * PS_ORDER_COUNT], p, reg, x, p->hist_first_boost,
                        p->hist_second_boost);
    }
    if (h == NULL || h->asfr == NULL || h->n_years < 1) { /* every cohort, every step alike */
        reconstruct_synthetic(pi_by_age, p, reg, a_from, a_to, wt);
        return;
    }
    for (int a = a_from; a < a_to; ++a) {
        double pi[PS_PARITY_COUNT] = {1.0, 0.0, 0.0, 0.0};
        for (int x = 0; x < a; ++x) {
            const double *asfr = history_row(p, h, reg, y0 - a + x);
            if (asfr[x] == 0.0 && asfr[x + 1] == 0.0) {
                continue;
            }
            double risk[PS_ORDER_COUNT] = {pi[0], pi[1], pi[2] + pi[3]}, e[PS_ORDER_COUNT];
            cohort_births_at(e, asfr, x + 1, 1.0, 1.0, risk, &wt[(size_t)x * PS_ORDER_COUNT],
                             &wt[(size_t)(x + 1) * PS_ORDER_COUNT]);
            move_mothers(pi, e);
        }
        if (p->parity_given != NULL && p->parity_given[a]) { /* the planner's table wins */
            memcpy(pi, &p->parity_share[(size_t)a * PS_PARITY_COUNT], sizeof pi);
        }
        memcpy(&pi_by_age[(size_t)a * PS_PARITY_COUNT], pi, sizeof pi);
    }
}

/* The cohorts whose parity the base step's births of region reg read: ages 0 to the
 * returned age (exclusive). Cohort a of the step starts at a-1 and gives births only where
 * the base ASFR at a-1 or a is positive (with none, split_orders gives exactly 0 births and
 * the shares of those women are never read); the open group also reads the oldest age. */
static int base_step_ages(const ps_proj *p, int reg)
{
    const int n = p->n_ages;
    const double *asfr = &p->in->asfr[ps_inputs_asfr_idx(p->in, 0, reg, 0)];
    int a_to = 0;
    for (int a = 1; a < n; ++a) {
        if (asfr[a - 1] != 0.0 || asfr[a] != 0.0) {
            a_to = a == n - 1 ? n : a; /* ages up to a-1; the open group also n-1 */
        }
    }
    return a_to;
}

/* One region's intensity levels S_k (iterative proportional fitting on the base step's
 * births by order, the base parity reconstructed anew at each iteration) and the base
 * parity shares pi[age][parity] that go with them. Each update multiplies S_k by
 * (target share / implied share)^2 (over-relaxed: it takes about half the iterations of the
 * plain update) until the worst error grows once, then by the plain ratio. W and Wt are
 * scratch [age][parity]. An iteration reconstructs only the cohorts the base step's births
 * read (base_step_ages: about a quarter of the history's cohort-years, the older cohorts
 * having lived through every fertile age); the older ones are reconstructed once, with the
 * levels that fitted, so pi is the same as with every cohort in every iteration. */
static ps_status calibrate_region(ps_proj *p, int reg, const double *F0, const double *F1,
                                  const ps_birth_order *bo, const ps_fert_history *h, int warm,
                                  double *pi, double *W, ps_error *err)
{
    const int max_iter = p->ipf_max_iter > 0 ? p->ipf_max_iter : 2000;
    const double tol = 1e-11;
    double *S = &p->order_h[(size_t)reg * PS_ORDER_COUNT];
    for (int k = 0; !warm && k < PS_ORDER_COUNT; ++k) {
        S[k] = bo->share[k]; /* warm: start from the levels left by the previous fit */
    }
    const int n = p->n_ages, a_read = base_step_ages(p, reg);
    double *wt = malloc((size_t)n * PS_ORDER_COUNT * sizeof *wt); /* m_k(x), reconstruct_parity */
    if (wt == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the birth-order model");
    }
    for (int a = a_read; a < n; ++a) { /* not read by the iterations: defined, then replaced */
        double *c = &W[(size_t)a * PS_PARITY_COUNT];
        c[0] = F0[a];
        c[1] = c[2] = c[3] = 0.0;
    }
    double step = 2.0, last_worst = HUGE_VAL; /* over-relaxed while it converges, else 1 */
    int fitted = 0;
    for (int iter = 0; iter < max_iter && !fitted; ++iter) {
        double implied[PS_ORDER_COUNT], worst = 0.0;
        reconstruct_parity(pi, p, reg, h, 0, a_read, wt);
        for (size_t i = 0; i < (size_t)a_read * PS_PARITY_COUNT; ++i) {
            W[i] = pi[i] * F0[i / PS_PARITY_COUNT];
        }
        double sum = region_orders(p, 0, reg, F0, F1, W, NULL, NULL, implied, NULL, NULL);
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            implied[k] = sum > 0.0 ? implied[k] / sum : 0.0;
            worst = fmax(worst, fabs(implied[k] - bo->share[k]));
        }
        if (worst < tol) {
            reconstruct_parity(pi, p, reg, h, a_read, n, wt); /* the same levels S_k */
            fitted = 1;
            break;
        }
        if (worst > last_worst) {
            step = 1.0;
        }
        last_worst = worst;
        double norm = 0.0;
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            if (implied[k] > 0.0) {
                S[k] *=
                    step == 1.0 ? bo->share[k] / implied[k] : pow(bo->share[k] / implied[k], step);
            }
            norm += S[k];
        }
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            S[k] /= norm; /* only ratios matter: the step's scaling c(x) sets the level */
        }
    }
    free(wt);
    return fitted ? PS_OK : ps_error_set(err, PS_ENUMERIC,
                        "the birth-order shares %.3g/%.3g/%.3g cannot be "
                        "reached with this fertility schedule and the women at risk of each "
                        "order",
                        bo->share[0], bo->share[1], bo->share[2]);
}

static ps_status check_shares(const ps_birth_order *bo, ps_error *err)
{
    const double tol = 1e-6;
    double sum = 0.0;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        if (!(bo->share[k] >= 0.0)) {
            return ps_error_set(err, PS_EINVAL, "birth-order share %d is %g", k + 1, bo->share[k]);
        }
        sum += bo->share[k];
    }
    if (fabs(sum - 1.0) > tol || !(bo->share[0] > 0.0)) {
        return ps_error_set(err, PS_EINVAL, "birth-order shares must sum to 1 with first > 0");
    }
    return PS_OK;
}

static ps_status check_history(const ps_proj *p, const ps_fert_history *h, ps_error *err)
{
    if (h == NULL || h->n_years == 0) {
        return PS_OK;
    }
    if (h->asfr == NULL || h->n_years < 0) {
        return ps_error_set(err, PS_EINVAL, "the fertility history has %d years and %s rates",
                            h->n_years, h->asfr == NULL ? "no" : "its");
    }
    for (size_t i = 0; i < (size_t)h->n_years * (size_t)p->n_ages; ++i) {
        if (!(h->asfr[i] >= 0.0 && h->asfr[i] <= PS_ASFR_MAX)) {
            return ps_error_set(err, PS_EINVAL,
                                "the fertility history's ASFR at age %d in %d "
                                "is %g, outside [0, %g] births per woman-year",
                                (int)(i % (size_t)p->n_ages),
                                h->first_year + (int)(i / (size_t)p->n_ages), h->asfr[i],
                                PS_ASFR_MAX);
        }
    }
    return PS_OK;
}

ps_status ps_proj_parity_init(ps_proj *p, const ps_birth_order *bo, double *women_out,
                              ps_error *err)
{
    return ps_proj_parity_init_history(p, bo, NULL, women_out, err);
}

/* Every region's levels S_k and base parity (calibrate_region) with the current shapes;
 * mean_age_out (may be NULL) receives the mean exact age at birth of the base step's first
 * births over all regions (each cohort's births at the age it reaches at the end of the step,
 * the middle of its Lexis parallelogram). F1 is scratch of 3 n_ages values, pi of 2 x cells. */
static ps_status calibrate_all(ps_proj *p, const ps_birth_order *bo, const ps_fert_history *h,
                               int warm, double *pi, double *F1, double *women_out,
                               double *mean_age_out, ps_error *err)
{
    const int n = p->n_ages;
    const size_t cells = (size_t)n * PS_PARITY_COUNT;
    double first = 0.0, age_sum = 0.0;
    ps_status rc = PS_OK;
    for (int reg = 0; rc == PS_OK && reg < p->n_regions; ++reg) {
        const double *F = &p->in->base.count[ps_pop_idx(&p->in->base, reg, PS_SEX_FEMALE, 0)];
        const double *M = &p->in->mig[ps_inputs_idx(p->in, 0, reg, PS_SEX_FEMALE, 0)];
        survive(F, M, NULL, &p->surv[cell(p, 0, reg, PS_SEX_FEMALE)], F1, F1 + n, F1 + 2 * n, n);
        rc = calibrate_region(p, reg, F, F1, bo, h, warm, pi, pi + cells, err);
        if (rc == PS_OK && mean_age_out != NULL) {
            double orders[PS_ORDER_COUNT];
            for (size_t i = 0; i < cells; ++i) {
                pi[cells + i] = pi[i] * F[i / PS_PARITY_COUNT];
            }
            region_orders(p, 0, reg, F, F1, pi + cells, NULL, NULL, orders, &age_sum, NULL);
            first += orders[0];
        }
        for (size_t i = 0; rc == PS_OK && women_out != NULL && i < cells; ++i) {
            women_out[(size_t)reg * cells + i] = pi[i] * F[i / PS_PARITY_COUNT];
        }
    }
    if (rc == PS_OK && mean_age_out != NULL) {
        *mean_age_out = first > 0.0 ? age_sum / first : NAN;
    }
    return rc;
}

/* The base step's mean age at first birth when the first-order shape g_1 is a Hadwiger
 * curve of mean age m (the regions calibrated anew, starting from the levels of the previous
 * evaluation). */
static ps_status first_age_at(ps_proj *p, const ps_birth_order *bo, const ps_fert_history *h,
                              double m, double *pi, double *F1, double *age_out, ps_error *err)
{
    ps_sched_hadwiger(p->order_shape, p->n_ages, 1.0, m);
    ps_status rc = calibrate_all(p, bo, h, 1, pi, F1, NULL, age_out, err);
    if (rc == PS_OK && !isfinite(*age_out)) {
        rc = ps_error_set(err, PS_ENUMERIC,
                          "the base year has no first births, so the mean "
                          "age at first birth %.4g cannot be fitted",
                          bo->first_mean_age);
    }
    return rc;
}

/*
 * Fit the mean age m of the first-order shape g_1 so that the base step's mean age at
 * first birth equals bo->first_mean_age (Illinois false position on [16, 40]; the mean
 * age of first births rises with m). Leaves the fitted shape in p->order_shape.
 */
static ps_status fit_first_mean_age(ps_proj *p, const ps_birth_order *bo, const ps_fert_history *h,
                                    double *pi, double *F1, ps_error *err)
{
    const double target = bo->first_mean_age, tol = 1e-7;
    double lo = 16.0, hi = 40.0, flo = 0.0, fhi = 0.0;
    ps_status rc = first_age_at(p, bo, h, lo, pi, F1, &flo, err);
    if (rc == PS_OK) {
        rc = first_age_at(p, bo, h, hi, pi, F1, &fhi, err);
    }
    if (rc != PS_OK) {
        return rc;
    }
    flo -= target;
    fhi -= target;
    if (flo > 0.0 || fhi < 0.0) {
        return ps_error_set(err, PS_EINVAL,
                            "a mean age at first birth of %.4g cannot be "
                            "reached with this fertility schedule and the women at risk: "
                            "first-birth intensities of mean age 16 to 40 give %.4g to %.4g",
                            target, flo + target, fhi + target);
    }
    int side = 0;
    for (int iter = 0; iter < 200; ++iter) {
        const double m = (lo * fhi - hi * flo) / (fhi - flo);
        double fm = 0.0;
        rc = first_age_at(p, bo, h, m, pi, F1, &fm, err);
        if (rc != PS_OK) {
            return rc;
        }
        fm -= target;
        if (fabs(fm) < tol || hi - lo < 1e-12) {
            return PS_OK;
        }
        if ((fm < 0.0) == (flo < 0.0)) {
            lo = m;
            flo = fm;
            if (side == -1) {
                fhi *= 0.5;
            }
            side = -1;
        } else {
            hi = m;
            fhi = fm;
            if (side == 1) {
                flo *= 0.5;
            }
            side = 1;
        }
    }
    return ps_error_set(err, PS_ENUMERIC,
                        "the mean age at first birth %.4g was not reached "
                        "within 200 iterations",
                        target);
}

/* Share of parity 0 among the base women aged 45-49 of every region, with the first-order
 * level of the history multiplied by b (the regions calibrated anew, warm). W is scratch of
 * n_regions x n_ages x PS_PARITY_COUNT. */
static ps_status childless_at(ps_proj *p, const ps_birth_order *bo, const ps_fert_history *h,
                              double b, double *pi, double *F1, double *W, double *share_out,
                              ps_error *err)
{
    enum { AGE_LO = 45, AGE_HI = 49 };
    const size_t cells = (size_t)p->n_ages * PS_PARITY_COUNT;
    double none = 0.0, all = 0.0;
    p->hist_first_boost = b;
    ps_status rc = calibrate_all(p, bo, h, 1, pi, F1, W, NULL, err);
    for (int reg = 0; rc == PS_OK && reg < p->n_regions; ++reg) {
        for (int a = AGE_LO; a <= AGE_HI && a < p->n_ages; ++a) {
            const double *w = &W[(size_t)reg * cells + (size_t)a * PS_PARITY_COUNT];
            none += w[0];
            all += w[0] + w[1] + w[2] + w[3];
        }
    }
    *share_out = all > 0.0 ? none / all : NAN;
    return rc;
}

/*
 * Fit the multiplier b of the first-order level in the years before the base step so that
 * the base women aged 45-49 have bo->childless_45_49 childless (issue #12: with the base
 * year's ratios, the 1990s-2000s get too few first births). Childlessness falls as b rises;
 * the bracket grows from b = 1 by doubling (at most 2^6) towards the target, then Illinois
 * false position on log b. Leaves b in p->hist_first_boost.
 */
static ps_status fit_childless(ps_proj *p, const ps_birth_order *bo, const ps_fert_history *h,
                               double *pi, double *F1, double *W, ps_error *err)
{
    const double target = bo->childless_45_49, tol = 1e-7, step = log(2.0);
    const int max_doublings = 6;
    double lo = 0.0, hi = 0.0, flo = 0.0, fhi = 0.0, fm = 0.0;
    ps_status rc = childless_at(p, bo, h, 1.0, pi, F1, W, &flo, err);
    fhi = flo;
    const double dir = flo > target ? 1.0 : -1.0; /* more first births lower childlessness */
    for (int k = 1; rc == PS_OK && k <= max_doublings && (fhi - target) * dir > 0.0; ++k) {
        lo = hi;
        flo = fhi;
        hi = dir * step * k;
        rc = childless_at(p, bo, h, exp(hi), pi, F1, W, &fhi, err);
    }
    if (rc != PS_OK || (fhi - target) * dir > 0.0) {
        if (err != NULL) {
            ps_error_set(err, PS_EINVAL, "birth_order.childless_45_49: a childless share of "
                         "%.4g at ages 45-49 cannot be "
                         "reached: first-birth levels of up to %g times the base year's in the "
                         "history give %.4g", target, exp(rc == PS_OK ? hi : lo),
                         rc == PS_OK ? fhi : flo);
        }
        return PS_EINVAL;
    }
    if (dir < 0.0) { /* keep lo on the side above the target */
        double t = lo;
        lo = hi;
        hi = t;
        t = flo;
        flo = fhi;
        fhi = t;
    }
    flo -= target;
    fhi -= target;
    int side = 0;
    for (int iter = 0; iter < 200; ++iter) {
        const double m = (lo * fhi - hi * flo) / (fhi - flo);
        if ((rc = childless_at(p, bo, h, exp(m), pi, F1, W, &fm, err)) != PS_OK) {
            return rc;
        }
        fm -= target;
        if (fabs(fm) < tol || hi - lo < 1e-12) {
            return PS_OK;
        }
        if ((fm > 0.0) == (flo > 0.0)) {
            lo = m;
            flo = fm;
            fhi *= side == -1 ? 0.5 : 1.0;
            side = -1;
        } else {
            hi = m;
            fhi = fm;
            flo *= side == 1 ? 0.5 : 1.0;
            side = 1;
        }
    }
    return ps_error_set(err, PS_ENUMERIC, "the childless share %.4g at 45-49 was not reached "
                        "within 200 iterations", target);
}

/*
 * Joint fit of the base parity (issue #12; docs/model.md sec. 2.6 "Joint fit"). Three
 * unknowns u = (ln b1, ln b2, m1): the multipliers b1 and b2 of the first- and second-order
 * levels S_1 and S_2 in every step of the history (the base step keeps the S_k fitted to
 * the `birth_order` shares) and the mean age m1 of the first-order shape g_1. Three targets,
 * each optional: the childless share of the base women aged 45-49 (ln b1), the share of
 * second births among the births of the history's years second_share_from..to (ln b2) and
 * the mean age at first birth of first_mean_age_year, or of the base step (m1). The unknowns
 * of the given targets are solved at once by Newton's method with a forward-difference
 * Jacobian and a halving line search on the scaled residual, within b in [1/64, 64] and m1
 * in [16, 40] (deterministic: no random start).
 */
enum { FIT_CHILDLESS, FIT_SECOND, FIT_AGE, FIT_COUNT };

/* The joint fit's years: before the base step, and a mean age to go with a year. */
static ps_status check_joint(const ps_proj *p, const ps_birth_order *bo, ps_error *err)
{
    const int from = (int)bo->second_share_from, to = (int)bo->second_share_to;
    const int year = (int)bo->first_mean_age_year;
    const int y0 = p->in->start_year;
    if (bo->second_share > 0.0 &&
        !(bo->second_share < 1.0 && from <= to &&
          to < y0)) {
        return ps_error_set(err, PS_EINVAL, "birth_order.second_share = %g of the births of "
                            "%d-%d: expected a share in (0, 1) of years from..to before the "
                            "base year %d", bo->second_share, from,
                            to, y0);
    }
    if (year != 0 &&
        (bo->first_mean_age == 0.0 || year >= y0)) {
        return ps_error_set(err, PS_EINVAL, "birth_order.first_mean_age_year = %d: expected a "
                            "year before the base year %d with first_mean_age given",
                            year, y0);
    }
    return PS_OK;
}

/* Births of the history's years as the reconstruction makes them, every cohort weighted by
 * its women in the base population (mortality and migration before the base year are not
 * undone): second births' share of the births of second_share_from..to and the mean age
 * at first birth (exact age at the end of the step) of first_mean_age_year. */
static void history_stats(const ps_proj *p, const ps_fert_history *h, const ps_birth_order *bo,
                          double *second_out, double *age_out)
{
    const int n = p->n_ages, y0 = p->in->start_year;
    const int ya = (int)bo->second_share_from, yb = (int)bo->second_share_to;
    const int ym = (int)bo->first_mean_age_year;
    const int y_last = yb > ym ? yb : ym;
    const int y_first = ya <= yb && ya < ym ? ya : ym; /* no year before it adds to a sum */
    double all = 0.0, second = 0.0, first = 0.0, age_sum = 0.0;
    for (int reg = 0; reg < p->n_regions; ++reg) {
        const double *F = &p->in->base.count[ps_pop_idx(&p->in->base, reg, PS_SEX_FEMALE, 0)];
        /* the oldest age x of a step with births in any row the cohorts live through: a
         * cohort whose last such step is before y_first adds nothing (skipped) */
        int x_hi = -1;
        for (int row = -1; row < (h != NULL && h->asfr != NULL ? h->n_years : 0); ++row) {
            const double *asfr = row < 0 ? history_row(p, NULL, reg, y0)
                                         : &h->asfr[(size_t)row * (size_t)n];
            for (int x = x_hi + 1; x + 1 < n; ++x) {
                x_hi = asfr[x] != 0.0 || asfr[x + 1] != 0.0 ? x : x_hi;
            }
        }
        for (int a = 1; a < n && y0 - a + x_hi >= y_first; ++a) {
            double pi[PS_PARITY_COUNT] = {1.0, 0.0, 0.0, 0.0};
            for (int x = 0; x < a && y0 - a + x <= y_last; ++x) {
                const int year = y0 - a + x;
                const double *asfr = history_row(p, h, reg, year);
                if (asfr[x] == 0.0 && asfr[x + 1] == 0.0) {
                    continue;
                }
                double risk[PS_ORDER_COUNT] = {pi[0], pi[1], pi[2] + pi[3]}, e[PS_ORDER_COUNT];
                cohort_births(e, p, reg, asfr, x + 1, 1.0, 1.0, risk, p->hist_first_boost,
                              p->hist_second_boost);
                if (year >= ya && year <= yb) {
                    all += F[a] * (e[0] + e[1] + e[2]);
                    second += F[a] * e[1];
                }
                if (year == ym) {
                    first += F[a] * e[0];
                    age_sum += F[a] * (double)(x + 1) * e[0];
                }
                move_mothers(pi, e);
            }
        }
    }
    *second_out = all > 0.0 ? second / all : NAN;
    *age_out = first > 0.0 ? age_sum / first : NAN;
}

/* Childless share of the women aged 45-49 in W [reg][age][parity], all regions. */
static double childless_share(const ps_proj *p, const double *W)
{
    const size_t cells = (size_t)p->n_ages * PS_PARITY_COUNT;
    double none = 0.0, all = 0.0;
    for (int reg = 0; reg < p->n_regions; ++reg) {
        for (int a = 45; a <= 49 && a < p->n_ages; ++a) {
            const double *w = &W[(size_t)reg * cells + (size_t)a * PS_PARITY_COUNT];
            none += w[0];
            all += w[0] + w[1] + w[2] + w[3];
        }
    }
    return all > 0.0 ? none / all : NAN;
}

/* The targets reached with the given women W (after a calibration): fills p->fit. */
static void fit_report(ps_proj *p, const ps_birth_order *bo, const ps_fert_history *h,
                       const double *W, double base_age)
{
    double second = NAN, hist_age = NAN;
    history_stats(p, h, bo, &second, &hist_age);
    p->fit.first_level = p->hist_first_boost > 0.0 ? p->hist_first_boost : 1.0;
    p->fit.second_level = p->hist_second_boost > 0.0 ? p->hist_second_boost : 1.0;
    p->fit.childless_45_49 = W != NULL ? childless_share(p, W) : NAN;
    p->fit.second_share = second;
    p->fit.first_mean_age = bo->first_mean_age_year != 0 ? hist_age : base_age;
    p->fit.base_year = p->in->start_year;
    p->fit.second_share_from = (int)bo->second_share_from;
    p->fit.second_share_to = (int)bo->second_share_to;
    p->fit.first_mean_age_year =
        bo->first_mean_age_year != 0 ? (int)bo->first_mean_age_year : p->in->start_year;
}

typedef struct joint_ctx {
    ps_proj *p;
    const ps_birth_order *bo;
    const ps_fert_history *h;
    double *pi, *F1, *W;
    double *S_good; /* [reg][order] levels of the last trial that fitted */
    double target[FIT_COUNT];
    int active[FIT_COUNT];
} joint_ctx;

/* Scale of each residual in the convergence test and the line search (shares; years). */
static const double FIT_WEIGHT[FIT_COUNT] = {1.0, 1.0, 0.1};

/* Residuals (reached - target) at u; the inactive ones are 0. */
static ps_status joint_eval(joint_ctx *c, const double u[FIT_COUNT], double res[FIT_COUNT],
                           double *norm_out, ps_error *err)
{
    ps_proj *p = c->p;
    double base_age = NAN;
    p->hist_first_boost = exp(u[FIT_CHILDLESS]);
    p->hist_second_boost = exp(u[FIT_SECOND]);
    ps_sched_hadwiger(p->order_shape, p->n_ages, 1.0, u[FIT_AGE]);
    ps_status rc = calibrate_all(p, c->bo, c->h, 1, c->pi, c->F1, c->W,
                                 c->bo->first_mean_age_year == 0 ? &base_age : NULL, err);
    const size_t n_levels = (size_t)p->n_regions * PS_ORDER_COUNT;
    if (rc != PS_OK) { /* the next trial starts from the last levels that fitted */
        memcpy(p->order_h, c->S_good, n_levels * sizeof *c->S_good);
        return rc;
    }
    memcpy(c->S_good, p->order_h, n_levels * sizeof *c->S_good);
    fit_report(p, c->bo, c->h, c->W, base_age);
    const double reached[FIT_COUNT] = {p->fit.childless_45_49, p->fit.second_share,
                                       p->fit.first_mean_age};
    double norm = 0.0;
    for (int j = 0; j < FIT_COUNT; ++j) {
        res[j] = c->active[j] ? reached[j] - c->target[j] : 0.0;
        if (!isfinite(res[j])) {
            return ps_error_set(err, PS_EINVAL, "the joint fit of the base parity has no %s "
                                "to fit (no births in the years it names)",
                                j == FIT_SECOND ? "second-birth share" : "first births");
        }
        norm = fmax(norm, fabs(res[j]) * FIT_WEIGHT[j]);
    }
    *norm_out = norm;
    return PS_OK;
}

/* Solve the n x n system a x = b in place (partial pivoting); 0 if singular. */
static int solve_small(double a[FIT_COUNT][FIT_COUNT], double b[FIT_COUNT], int n)
{
    for (int col = 0; col < n; ++col) {
        int piv = col;
        for (int r = col + 1; r < n; ++r) {
            if (fabs(a[r][col]) > fabs(a[piv][col])) {
                piv = r;
            }
        }
        if (!(fabs(a[piv][col]) > 1e-300)) {
            return 0;
        }
        for (int k = 0; k < n; ++k) {
            const double t = a[col][k];
            a[col][k] = a[piv][k];
            a[piv][k] = t;
        }
        const double tb = b[col];
        b[col] = b[piv];
        b[piv] = tb;
        for (int r = col + 1; r < n; ++r) {
            const double f = a[r][col] / a[col][col];
            for (int k = col; k < n; ++k) {
                a[r][k] -= f * a[col][k];
            }
            b[r] -= f * b[col];
        }
    }
    for (int r = n - 1; r >= 0; --r) {
        for (int k = r + 1; k < n; ++k) {
            b[r] -= a[r][k] * b[k];
        }
        b[r] /= a[r][r];
    }
    return 1;
}

/* The message of targets that cannot be met together, naming each key. */
static ps_status joint_infeasible(const joint_ctx *c, const double res[FIT_COUNT], ps_error *err)
{
    static const char *const keys[FIT_COUNT] = {"childless_45_49", "second_share",
                                                "first_mean_age"};
    char what[400] = "";
    size_t used = 0;
    for (int j = 0; j < FIT_COUNT; ++j) {
        if (c->active[j] && used < sizeof what) {
            int w = snprintf(what + used, sizeof what - used, "%sbirth_order.%s = %.4g (closest "
                             "reached %.4g)", used > 0 ? ", " : "", keys[j], c->target[j],
                             c->target[j] + res[j]);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    return ps_error_set(err, PS_EINVAL, "the base parity cannot meet %s with this fertility "
                        "history: first- and second-birth levels of 1/64 to 64 times the base "
                        "year's in the history and first-birth intensities of mean age 16 to 40 "
                        "do not reach it", what);
}

static ps_status fit_joint(ps_proj *p, const ps_birth_order *bo, const ps_fert_history *h,
                           double *pi, double *F1, double *W, double *S_good, ps_error *err)
{
    /* Newton iterations; halvings of a step; iterations in a row that cut the residual by
     * less than 1 % before the targets count as out of reach; iterations of the inner fit of
     * the base step's levels in a trial (the solution itself is fitted with the default) */
    enum { MAX_ITER = 40, MAX_HALVINGS = 12, MAX_STALLS = 4, TRIAL_IPF_ITER = 300 };
    const double tol = 1e-11, floor_tol = 1e-8, fd = 1e-6, lmax = log(64.0);
    const double lo[FIT_COUNT] = {-lmax, -lmax, 16.0}, hi[FIT_COUNT] = {lmax, lmax, 40.0};
    joint_ctx c = {.p = p, .bo = bo, .h = h, .pi = pi, .F1 = F1, .W = W, .S_good = S_good,
                   .target = {bo->childless_45_49, bo->second_share, bo->first_mean_age},
                   .active = {bo->childless_45_49 > 0.0, bo->second_share > 0.0,
                              bo->first_mean_age != 0.0}};
    double u[FIT_COUNT] = {0.0, 0.0, PS_ORDER_MEAN_AGES[0]}, res[FIT_COUNT], norm = 0.0;
    int idx[FIT_COUNT], n = 0;
    for (int j = 0; j < FIT_COUNT; ++j) {
        if (c.active[j]) {
            idx[n++] = j;
        }
    }
    ps_status rc = joint_eval(&c, u, res, &norm, err);
    int stalls = 0; /* iterations in a row that cut the residual by less than 1 % */
    p->ipf_max_iter = TRIAL_IPF_ITER;
    for (int iter = 0; rc == PS_OK; ++iter) {
        p->fit.iterations = iter;
        if (norm < tol) {
            break;
        }
        if (iter == MAX_ITER || stalls == MAX_STALLS) {
            p->ipf_max_iter = 0;
            return joint_infeasible(&c, res, err);
        }
        double J[FIT_COUNT][FIT_COUNT], step[FIT_COUNT], ut[FIT_COUNT], rt[FIT_COUNT], nt = 0.0;
        for (int col = 0; rc == PS_OK && col < n; ++col) {
            memcpy(ut, u, sizeof ut);
            const double d = ut[idx[col]] + fd <= hi[idx[col]] ? fd : -fd;
            ut[idx[col]] += d;
            rc = joint_eval(&c, ut, rt, &nt, err);
            for (int r = 0; r < n; ++r) {
                J[r][col] = (rt[idx[r]] - res[idx[r]]) / d;
            }
        }
        for (int r = 0; r < n; ++r) {
            step[r] = -res[idx[r]];
        }
        if (rc == PS_ENUMERIC) { /* the base step's shares out of reach at these levels */
            p->ipf_max_iter = 0;
            return joint_infeasible(&c, res, err);
        }
        if (rc != PS_OK) {
            break;
        }
        if (!solve_small(J, step, n)) {
            return joint_infeasible(&c, res, err);
        }
        double lambda = 1.0;
        int accepted = 0;
        for (int k = 0; rc == PS_OK && k < MAX_HALVINGS && !accepted; ++k, lambda *= 0.5) {
            memcpy(ut, u, sizeof ut);
            for (int r = 0; r < n; ++r) {
                ut[idx[r]] = fmin(hi[idx[r]], fmax(lo[idx[r]], u[idx[r]] + lambda * step[r]));
            }
            rc = joint_eval(&c, ut, rt, &nt, err);
            if (rc == PS_ENUMERIC) { /* the base step's shares out of reach there: shorter */
                rc = PS_OK;
                nt = HUGE_VAL;
            }
            accepted = rc == PS_OK && nt < norm;
        }
        if (rc != PS_OK) {
            break;
        }
        if (!accepted) { /* no step improves: at the noise floor of the inner fit, or stuck */
            p->ipf_max_iter = 0;
            rc = norm < floor_tol ? joint_eval(&c, u, res, &norm, err)
                                  : joint_infeasible(&c, res, err);
            break;
        }
        stalls = nt > 0.99 * norm ? stalls + 1 : 0;
        memcpy(u, ut, sizeof u);
        memcpy(res, rt, sizeof res);
        norm = nt;
    }
    p->ipf_max_iter = 0;
    if (rc == PS_OK) {
        p->fit.joint = 1;
        p->fit.first_shape_age = u[FIT_AGE];
        rc = joint_eval(&c, u, res, &norm, err); /* leave the state of the solution */
    }
    return rc;
}

ps_status ps_proj_parity_init_history(ps_proj *p, const ps_birth_order *bo,
                                      const ps_fert_history *h, double *women_out, ps_error *err)
{
    ps_status rc = check_shares(bo, err);
    const int n = p->n_ages;
    const size_t cells = (size_t)n * PS_PARITY_COUNT;
    if (rc == PS_OK) {
        rc = check_history(p, h, err);
    }
    if (rc == PS_OK && bo->first_mean_age != 0.0 &&
        !(bo->first_mean_age >= 16.0 && bo->first_mean_age <= 40.0)) {
        rc = ps_error_set(err, PS_EINVAL, "the mean age at first birth is %g, outside [16, 40]",
                          bo->first_mean_age);
    }
    if (rc == PS_OK && p->given_levels == NULL) {
        rc = check_joint(p, bo, err);
    }
    if (rc != PS_OK) {
        return rc;
    }
    free(p->order_h);
    free(p->order_shape);
    p->order_h = malloc((size_t)p->n_regions * PS_ORDER_COUNT * sizeof *p->order_h);
    p->order_shape = malloc((size_t)n * PS_ORDER_COUNT * sizeof *p->order_shape);
    double *pi = malloc(2 * cells * sizeof *pi);
    double *F1 = malloc((size_t)n * 3 * sizeof *F1);
    if (!p->order_h || !p->order_shape || !pi || !F1) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the birth-order model");
    }
    for (int k = 0; rc == PS_OK && k < PS_ORDER_COUNT; ++k) {
        ps_sched_hadwiger(&p->order_shape[(size_t)k * (size_t)n], n, 1.0, PS_ORDER_MEAN_AGES[k]);
    }
    const ps_parity_fit *lv = p->given_levels;
    const int fit = bo->first_mean_age != 0.0 && lv == NULL;
    for (size_t i = 0; rc == PS_OK && i < (size_t)p->n_regions * PS_ORDER_COUNT; ++i) {
        p->order_h[i] = bo->share[i % PS_ORDER_COUNT]; /* the first fit's starting levels */
    }
    p->hist_first_boost = 1.0;
    p->hist_second_boost = 1.0;
    const ps_parity_fit unfit = {.first_level = 1.0, .second_level = 1.0,
                                 .first_shape_age = PS_ORDER_MEAN_AGES[0], .childless_45_49 = NAN,
                                 .second_share = NAN, .first_mean_age = NAN};
    p->fit = unfit;
    const int joint = lv == NULL && (bo->second_share > 0.0 || bo->first_mean_age_year != 0);
    if (rc == PS_OK && lv != NULL) { /* the given levels, no fit */
        p->hist_first_boost = lv->first_level;
        p->hist_second_boost = lv->second_level;
        p->fit.first_shape_age = lv->first_shape_age;
        ps_sched_hadwiger(p->order_shape, n, 1.0, lv->first_shape_age);
    }
    double *W = NULL, base_age = NAN;
    if (rc == PS_OK && joint) { /* every given target at once (issue #12) */
        const size_t n_levels = (size_t)p->n_regions * PS_ORDER_COUNT;
        if ((W = malloc(((size_t)p->n_regions * cells + n_levels) * sizeof *W)) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for the birth-order model");
        } else {
            memcpy(W + (size_t)p->n_regions * cells, p->order_h, n_levels * sizeof *W);
            rc = fit_joint(p, bo, h, pi, F1, W, W + (size_t)p->n_regions * cells, err);
        }
    }
    if (rc == PS_OK && fit && !joint) {
        rc = fit_first_mean_age(p, bo, h, pi, F1, err);
    }
    if (rc == PS_OK && bo->childless_45_49 > 0.0 && !joint && lv == NULL) { /* then the history's first births */
        rc = fit_childless(p, bo, h, pi, F1, women_out, err);
    }
    /* The report costs a replay of the history: only for runs with a target or given levels. */
    const int report = lv != NULL || fit || joint || bo->childless_45_49 > 0.0;
    if (rc == PS_OK) {
        rc = calibrate_all(p, bo, h, fit || joint || bo->childless_45_49 > 0.0, pi, F1, women_out,
                           report ? &base_age : NULL, err);
    }
    if (rc == PS_OK && report) {
        fit_report(p, bo, h, women_out, base_age);
    }
    free(W);
    if (rc != PS_OK) {
        free(p->order_h);
        p->order_h = NULL;
    }
    free(pi);
    free(F1);
    return rc;
}

ps_status ps_proj_parity_init_table(ps_proj *p, const ps_birth_order *bo,
                                    const ps_fert_history *h, const double *share,
                                    const unsigned char *given, double *women_out, ps_error *err)
{
    for (size_t i = 0; share != NULL && i < (size_t)p->n_ages * PS_PARITY_COUNT; ++i) {
        if (!(share[i] >= 0.0 && share[i] <= 1.0)) {
            return ps_error_set(err, PS_EINVAL, "the base parity share at age %d, parity %d is "
                                "%g, outside [0, 1]", (int)(i / PS_PARITY_COUNT),
                                (int)(i % PS_PARITY_COUNT), share[i]);
        }
    }
    p->parity_share = share;
    p->parity_given = share != NULL ? given : NULL;
    ps_status rc = ps_proj_parity_init_history(p, bo, h, women_out, err);
    p->parity_share = NULL;
    p->parity_given = NULL;
    return rc;
}

/* ---- accessors (proj.h) --------------------------------------------------------------- */

ps_status ps_proj_set_flows(ps_proj *p, const ps_flows *f, ps_error *err)
{
    if (f != NULL && (f->n_regions != p->n_regions || f->n_ages != p->n_ages ||
                      (f->n_periods != 1 && f->n_periods != p->n_steps))) {
        return ps_error_set(err, PS_EINVAL, "internal migration for %d regions, %d ages and %d "
                            "periods does not fit a projection of %d regions, %d ages and %d "
                            "steps", f->n_regions, f->n_ages, f->n_periods, p->n_regions,
                            p->n_ages, p->n_steps);
    }
    ps_status rc = f != NULL ? ps_flows_validate(f, err) : PS_OK;
    if (rc == PS_OK) {
        p->flows = f;
    }
    return rc;
}

const ps_flows *ps_proj_flows(const ps_proj *p)
{
    return p->flows;
}

ps_status ps_proj_set_registration(ps_proj *p, const ps_registration *g, ps_error *err)
{
    if (g != NULL && (g->n_regions != p->n_regions || g->n_ages != p->n_ages)) {
        return ps_error_set(err, PS_EINVAL, "registration rules for %d regions and %d ages do "
                            "not fit a projection of %d regions and %d ages", g->n_regions,
                            g->n_ages, p->n_regions, p->n_ages);
    }
    ps_status rc = g != NULL ? ps_registration_validate(g, err) : PS_OK;
    if (rc == PS_OK) {
        p->registration = g;
    }
    return rc;
}

const ps_registration *ps_proj_registration(const ps_proj *p)
{
    return p->registration;
}

const ps_inputs *ps_proj_inputs(const ps_proj *p)
{
    return p->in;
}

const double *ps_proj_survivorship(const ps_proj *p, int step, int reg, ps_sex sex)
{
    return &p->surv[cell(p, step, reg, (int)sex)];
}

int ps_proj_has_parity(const ps_proj *p)
{
    return p->order_h != NULL;
}

void ps_proj_parity_fit(const ps_proj *p, ps_parity_fit *out)
{
    *out = p->fit;
}

ps_status ps_proj_parity_init_levels(ps_proj *p, const ps_birth_order *bo,
                                     const ps_fert_history *h, const ps_parity_fit *levels,
                                     double *women_out, ps_error *err)
{
    if (!(levels->first_level > 0.0 && levels->second_level > 0.0 &&
          levels->first_shape_age >= 16.0 && levels->first_shape_age <= 40.0)) {
        return ps_error_set(err, PS_EINVAL, "history levels %g and %g must be > 0 and the "
                            "first-birth mean age %g within [16, 40]", levels->first_level,
                            levels->second_level, levels->first_shape_age);
    }
    p->given_levels = levels;
    ps_status rc = ps_proj_parity_init_history(p, bo, h, women_out, err);
    p->given_levels = NULL;
    return rc;
}

void ps_proj_order_weights(const ps_proj *p, int reg, int age, double w_out[PS_ORDER_COUNT])
{
    assert(p->order_h != NULL);
    order_weights(w_out, p, reg, age);
}

void ps_proj_split_orders(double out[PS_ORDER_COUNT], double b, const double m[PS_ORDER_COUNT],
                          const double risk[PS_ORDER_COUNT])
{
    split_orders(out, b, m, risk);
}

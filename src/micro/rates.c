/*
 * rates.c - the per-person probabilities of one step. Each is the cohort engine's expected
 * events divided by its expected persons at risk, taken from the cohort projection run
 * alongside (shadow.c), so that the microsimulation's expectation is the cohort engine's
 * (docs/micro.md sec. 2). For a person aged x on 1 July t and a = min(x + 1, open age):
 *   emigration at the start   e(x) = (|M(x)|/2) / P(x, t)            for M(x) < 0
 *   survival                  S(a), the cohort engine's survivorship ratio
 *   emigration at the end     q(a) = (|M(a)|/2) / (P(a, t+1) + |M(a)|/2)  for M(a) < 0
 *                             (the persons there before the end-of-step migrants; a = 0
 *                             gives the infants, P(0, t+1) + |M(0)|/2 = B S(0))
 *   births by parity          p1, p2 from shadow.c, or ASFR / 2 per half without a
 *                             birth-order model, times the multipliers by region and order
 *                             and by income class.
 * Thresholds t = p 2^32 are compared with 32-bit uniforms, so the inner loop needs no
 * floating point.
 */
#include <math.h>
#include <string.h>

#include "micro/micro_int.h"
#include "popsim/units.h"

/* Care-need CDF of (year index y, age): lo[j], width w[j] of state j's interval [1 - P_j,
 * 1 - P_{j+1}) in 2^32 units, with P_0 = 1 and P_{levels+1} = 0. */
void ps_micro__care_interval(const ps_micro *m, int y, int age, uint64_t lo[PS_MICRO_CARE_STATES],
                             uint64_t w[PS_MICRO_CARE_STATES])
{
    const int levels = m->opt.care_levels;
    double P[PS_MICRO_CARE_LEVELS_MAX + 2];
    P[0] = 1.0;
    for (int l = 1; l <= PS_MICRO_CARE_LEVELS_MAX + 1; ++l) {
        P[l] = 0.0;
        if (l <= levels && age >= m->opt.care_min_age) {
            P[l] =
                m->opt
                    .care_prev[((size_t)y * (size_t)levels + (size_t)(l - 1)) * (size_t)m->n_ages +
                               (size_t)age];
        }
    }
    for (int j = 0; j <= PS_MICRO_CARE_LEVELS_MAX; ++j) {
        lo[j] = ps_micro__thr(1.0 - P[j]);
        uint64_t hi = ps_micro__thr(1.0 - P[j + 1]);
        w[j] = hi > lo[j] ? hi - lo[j] : 0;
    }
}

/* Care state of a person drawn from the prevalence of (year index y, age): uniform u. */
unsigned ps_micro__care_draw(const ps_micro *m, int y, int age, uint32_t u)
{
    uint64_t lo[PS_MICRO_CARE_STATES], w[PS_MICRO_CARE_STATES];
    unsigned state = 0;
    ps_micro__care_interval(m, y, age, lo, w);
    for (int l = 1; l <= m->opt.care_levels; ++l) {
        state += (uint64_t)u >= lo[l] ? 1u : 0u; /* u >= 2^32 (1 - P_l): state l or higher */
    }
    return state;
}

/* Parity drawn from shares[0..3] (summing to 1; parity 0 if they are all 0). */
unsigned ps_micro__parity_draw(const double shares[PS_PARITY_COUNT], uint32_t u)
{
    double cum = 0.0;
    for (unsigned k = 0; k + 1 < PS_PARITY_COUNT; ++k) {
        cum += shares[k];
        if (u < ps_micro__thr(cum)) {
            return k;
        }
    }
    return shares[3] > 0.0 ? PS_PARITY_COUNT - 1 : 0;
}

/* Care-need tables: old-state slices at the start, new thresholds at the end. */
static void care_tables(ps_micro *m)
{
    for (int age = 0; age < m->n_ages; ++age) {
        uint64_t lo[PS_MICRO_CARE_STATES], w[PS_MICRO_CARE_STATES];
        ps_micro__care_interval(m, m->step, age, lo, w);
        memcpy(&m->care_lo[(size_t)age * PS_MICRO_CARE_STATES], lo, sizeof lo);
        memcpy(&m->care_w[(size_t)age * PS_MICRO_CARE_STATES], w, sizeof w);
        /* New states: v >= t_l means state l or higher on the coming 1 July. */
        ps_micro__care_interval(m, m->step + 1, age, lo, w);
        for (int l = 1; l <= m->opt.care_levels; ++l) {
            m->care_t[(size_t)age * PS_MICRO_CARE_LEVELS_MAX + (size_t)(l - 1)] = lo[l];
        }
    }
}

/* out / at_risk, the probability of an expected count, capped at 1 (0 if nobody is at risk
 * or nothing happens). */
static double ratio(double out, double at_risk)
{
    if (!(out > 0.0)) {
        return 0.0;
    }
    return at_risk > out ? out / at_risk : 1.0;
}

/* e(x): emigration at the start of the step of a person aged x (cohort projection). */
double ps_micro__emig_start(const ps_micro *m, int reg, int sex, int x)
{
    const double out =
        -PS_MID_YEAR_FRACTION * m->in->mig[ps_inputs_idx(m->in, m->step, reg, sex, x)];
    return ratio(out, m->sh_pop[0][ps_mi_cell(m, (unsigned)reg, (unsigned)sex, (unsigned)x)]);
}

/* q(a): emigration at the end of the step of a person aged a then (cohort projection). */
double ps_micro__emig_end(const ps_micro *m, int reg, int sex, int a)
{
    const double out =
        -PS_MID_YEAR_FRACTION * m->in->mig[ps_inputs_idx(m->in, m->step, reg, sex, a)];
    const size_t c = ps_mi_cell(m, (unsigned)reg, (unsigned)sex, (unsigned)a);
    if (m->flows != NULL) { /* the persons there before the end-of-step moves (regions.c) */
        const size_t inet = 2 * (size_t)m->n_regions * PS_SEX_COUNT * (size_t)m->n_ages + c;
        return ratio(out, m->sh_pop[1][c] + out - PS_MID_YEAR_FRACTION * m->sh_int[inet]);
    }
    return ratio(out, m->sh_pop[1][c] + out);
}

/* Survival and the cuts of lane A. */
static void fate_tables(ps_micro *m, int reg, int sex)
{
    const int A = m->n_ages;
    const double *S = ps_proj_survivorship(m->proj, m->step, reg, (ps_sex)sex);
    const size_t c0 = ps_mi_cell(m, (unsigned)reg, (unsigned)sex, 0);
    for (int age = 0; age < A; ++age) {
        m->surv_thr[c0 + (size_t)age] = ps_micro__thr(S[age]);
        m->q_thr[c0 + (size_t)age] = ps_micro__thr(ps_micro__emig_end(m, reg, sex, age));
    }
    for (int x = 0; x < A; ++x) {
        const int a = x < A - 1 ? x + 1 : x;
        const double e = ps_micro__emig_start(m, reg, sex, x);
        const double q = ps_micro__emig_end(m, reg, sex, a);
        m->e_thr[c0 + (size_t)x] = ps_micro__thr(e);
        m->cut_thr[c0 + (size_t)x] = ps_micro__thr(e + q * (1.0 - e) * S[a]);
        m->stay_thr[c0 + (size_t)x] = ps_micro__thr(e + (1.0 - e) * S[a]);
    }
}

/* Birth thresholds of both halves with the multipliers by region and order and by income. */
static void birth_tables(ps_micro *m, int reg)
{
    const size_t A = (size_t)m->n_ages;
    for (int age = m->fert_lo; age <= m->fert_hi; ++age) {
        const double asfr = m->in->asfr[ps_inputs_asfr_idx(m->in, m->step, reg, age)];
        for (int j = 0; j < PS_PARITY_COUNT; ++j) {
            const int k = j < PS_ORDER_COUNT ? j : PS_ORDER_COUNT - 1;
            const size_t hp = ((size_t)reg * A + (size_t)age) * PS_PARITY_COUNT + (size_t)j;
            const double p1 = m->has_parity ? m->h1p[hp] : PS_MID_YEAR_FRACTION * asfr;
            const double p2 = m->has_parity ? m->h2p[hp] : PS_MID_YEAR_FRACTION * asfr;
            const double mr =
                m->mult != NULL ? m->mult[(size_t)reg * PS_ORDER_COUNT + (size_t)k] : 1.0;
            for (int inc = 0; inc < PS_INCOME_COUNT; ++inc) {
                const size_t at =
                    ps_mi_par(m, (unsigned)reg, (unsigned)age, (unsigned)j, (unsigned)inc);
                const double mi = m->opt.income_mult != NULL
                                      ? m->opt.income_mult[(size_t)inc * PS_ORDER_COUNT + (size_t)k]
                                      : 1.0;
                m->b1_p[at] = p1 * mr * mi;
                m->b2_p[at] = p2 * mr * mi;
                m->b1_thr[at] = ps_micro__thr(m->b1_p[at]);
                m->b2_thr[at] = ps_micro__thr(m->b2_p[at]);
            }
        }
    }
}

/* Every table of the step (after ps_micro__shadow_step). */
void ps_micro__rates_step(ps_micro *m)
{
    const size_t per = (size_t)m->n_regions * (size_t)m->n_ages * PS_PARITY_COUNT * PS_INCOME_COUNT;
    memset(m->b1_thr, 0, per * sizeof *m->b1_thr);
    memset(m->b2_thr, 0, per * sizeof *m->b2_thr);
    memset(m->b1_p, 0, per * sizeof *m->b1_p);
    memset(m->b2_p, 0, per * sizeof *m->b2_p);
    for (int reg = 0; reg < m->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            fate_tables(m, reg, sex);
        }
        birth_tables(m, reg);
        double srb = m->in->srb[(size_t)m->step * (size_t)m->n_regions + (size_t)reg];
        m->male_thr[reg] = ps_micro__thr(srb / (1.0 + srb));
    }
    if (m->opt.events & PS_MICRO_CARE) {
        care_tables(m);
    }
    ps_micro__regions_rates(m); /* internal migration and status (#13), if any */
    for (int age = 0; age < PS_MICRO_CHILDCARE_AGES; ++age) {
        m->enr_thr[age] =
            (m->opt.events & PS_MICRO_CHILDCARE)
                ? ps_micro__thr(m->opt.enroll_rate[(size_t)(m->step + 1) * PS_MICRO_CHILDCARE_AGES +
                                                   (size_t)age])
                : 0;
    }
}

/*
 * The step's fertility_scale (ccm: births after / before the multipliers) per region: the
 * expected births of the simulated women at the start (first half) and at the end (second
 * half) with and without the multipliers by order and income (not the per-person hook).
 */
void ps_micro__fertility_scale(ps_micro *m, const int64_t *start, const int64_t *end)
{
    for (int reg = 0; reg < m->n_regions; ++reg) {
        double with = 0.0, without = 0.0;
        for (int age = m->fert_lo; age <= m->fert_hi; ++age) {
            for (int j = 0; j < PS_PARITY_COUNT; ++j) {
                const size_t hp =
                    ((size_t)reg * (size_t)m->n_ages + (size_t)age) * PS_PARITY_COUNT + (size_t)j;
                const double asfr = m->in->asfr[ps_inputs_asfr_idx(m->in, m->step, reg, age)];
                const double p1 = m->has_parity ? m->h1p[hp] : PS_MID_YEAR_FRACTION * asfr;
                const double p2 = m->has_parity ? m->h2p[hp] : PS_MID_YEAR_FRACTION * asfr;
                for (int inc = 0; inc < PS_INCOME_COUNT; ++inc) {
                    const size_t at =
                        ps_mi_par(m, (unsigned)reg, (unsigned)age, (unsigned)j, (unsigned)inc);
                    with += (double)start[at] * fmin(m->b1_p[at], 1.0) +
                            (double)end[at] * fmin(m->b2_p[at], 1.0);
                    without += (double)start[at] * fmin(p1, 1.0) + (double)end[at] * fmin(p2, 1.0);
                }
            }
        }
        m->fert_scale[reg] =
            without > 0.0 && (m->mult != NULL || m->opt.income_mult != NULL) ? with / without : 1.0;
    }
}

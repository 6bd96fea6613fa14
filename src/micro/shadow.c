/*
 * shadow.c - the cohort engine run alongside the microsimulation, whose expected persons
 * are the denominators of every probability (rates.c), and birth probabilities by parity.
 *
 * The cohort engine splits the births of the cohort reaching age a on 1 July t+1 over orders
 * (ccm.c, split_region; docs/model.md sec. 2.6): e0 = split(ASFR(a-1) F(a-1, t) / 2, w(a-1),
 * cap / 2) from the women at the start and e1 = split(ASFR(a) F(a, t+1) / 2, w(a), cap / 2) from
 * those at the end, with cap_k = pi_k F(a, t+1) the cohort's women of parity group k (pi its
 * parity shares on 1 July t). Births of order k come from women of parity group k (parity 0,
 * 1, and 2 or more), so a woman of group k has the probability
 *     first half:  p1_k(a-1) = e0_k / W_k(a-1, t)          (W: women by parity on 1 July t)
 *     second half: p2_k(a)   = e1_k / C_k(a)               (C = cap after moving e0's mothers)
 * and the expected births of each order are the cohort engine's. The denominators are the
 * cohort engine's expected women, not the simulated ones: with the simulated counts the
 * probabilities would chase every chance fluctuation (a stock of few women with a fixed
 * outflow), and the split's caps would bias births by order in small populations. With
 * fixed probabilities each woman's parity follows a Markov chain whose expectation is the
 * cohort engine's (up to mothers dying in the half-year of the birth).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "micro/micro_int.h"
#include "popsim/units.h"

ps_status ps_micro__shadow_alloc(ps_micro *m, const double *women0, ps_error *err)
{
    const size_t R = (size_t)m->n_regions, A = (size_t)m->n_ages;
    const size_t cells = R * 2 * A, par = R * A * PS_PARITY_COUNT;
    for (int i = 0; i < 2; ++i) {
        m->sh_pop[i] = calloc(cells, sizeof *m->sh_pop[i]);
        m->sh_par[i] = calloc(par, sizeof *m->sh_par[i]);
    }
    m->sh_ev = calloc(R * 2 + 2 * cells + R * PS_ORDER_COUNT, sizeof *m->sh_ev);
    m->h1p = calloc(par, sizeof *m->h1p);
    m->h2p = calloc(par, sizeof *m->h2p);
    m->mid_share = calloc(par, sizeof *m->mid_share);
    m->mw[0] = calloc(par, sizeof *m->mw[0]);
    m->mw[1] = calloc(par, sizeof *m->mw[1]);
    if (!m->sh_pop[0] || !m->sh_pop[1] || !m->sh_par[0] || !m->sh_par[1] || !m->sh_ev || !m->h1p ||
        !m->h2p || !m->mid_share || !m->mw[0] || !m->mw[1]) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the birth-order tables");
    }
    memcpy(m->sh_pop[0], m->in->base.count, cells * sizeof *m->sh_pop[0]);
    if (women0 != NULL) {
        memcpy(m->sh_par[0], women0, par * sizeof *m->sh_par[0]);
        memcpy(m->mw[0], women0, par * sizeof *m->mw[0]);
    }
    return PS_OK;
}

void ps_micro__shadow_free(ps_micro *m)
{
    for (int i = 0; i < 2; ++i) {
        free(m->sh_pop[i]);
        free(m->sh_par[i]);
    }
    free(m->sh_ev);
    free(m->h1p);
    free(m->h2p);
    free(m->mid_share);
    free(m->mw[0]);
    free(m->mw[1]);
}

/* After a step: the state of 1 July t+1 becomes the current one. */
void ps_micro__shadow_advance(ps_micro *m)
{
    double *t = m->sh_pop[0];
    m->sh_pop[0] = m->sh_pop[1];
    m->sh_pop[1] = t;
    t = m->sh_par[0];
    m->sh_par[0] = m->sh_par[1];
    m->sh_par[1] = t;
    t = m->mw[0];
    m->mw[0] = m->mw[1];
    m->mw[1] = t;
}

/* Counts by parity 0..3 into order groups 0, 1, 2+. */
static void groups_of(double g[PS_ORDER_COUNT], const double c[PS_PARITY_COUNT])
{
    g[0] = c[0];
    g[1] = c[1];
    g[2] = c[2] + c[3];
}

/* Move the mothers of e[order] births up one parity (ccm.c, move_mothers). */
static void move_mothers(double c[PS_PARITY_COUNT], const double e[PS_ORDER_COUNT])
{
    const double from2 = c[2] + c[3] > 0.0 ? c[2] / (c[2] + c[3]) : 1.0;
    c[0] -= e[0];
    c[1] += e[0] - e[1];
    c[2] += e[1] - e[2] * from2;
    c[3] += e[2] * from2;
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        c[k] = c[k] > 0.0 ? c[k] : 0.0;
    }
}

/* e = the cohort engine's split of one half's births at `age` (0 outside the fertile ages). */
static void half_births(double e[PS_ORDER_COUNT], const ps_micro *m, int reg, int age, double women,
                        const double half_cap[PS_ORDER_COUNT])
{
    double w[PS_ORDER_COUNT];
    const double asfr = m->in->asfr[ps_inputs_asfr_idx(m->in, m->step, reg, age)];
    if (age < m->fert_lo || age > m->fert_hi) {
        e[0] = e[1] = e[2] = 0.0;
        return;
    }
    ps_proj_order_weights(m->proj, reg, age, w);
    ps_proj_split_orders(e, PS_MID_YEAR_FRACTION * asfr * women, w, half_cap);
}

/* The cohort engine's births by order of the cohort reaching age a: e0 from the women at
 * the start (age a-1), e1 from those at the end, each capped by half the cohort's women of
 * the parity group (ccm.c, cohort_births). */
static void cohort_targets(double e0[PS_ORDER_COUNT], double e1[PS_ORDER_COUNT], const ps_micro *m,
                           int reg, const double *W0, const double *F0, const double *F1, size_t a)
{
    const size_t A = (size_t)m->n_ages, x = a - 1;
    double c[PS_PARITY_COUNT], cap[PS_ORDER_COUNT], total = 0.0;
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        c[k] = W0[x * PS_PARITY_COUNT + (size_t)k] +
               (a == A - 1 ? W0[a * PS_PARITY_COUNT + (size_t)k] : 0.0);
        total += c[k];
    }
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        c[k] = total > 0.0 ? c[k] / total * F1[a] : (k == 0 ? F1[a] : 0.0);
    }
    groups_of(cap, c);
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        cap[k] *= PS_MID_YEAR_FRACTION;
    }
    half_births(e0, m, reg, (int)x, F0[x], cap);
    half_births(e1, m, reg, (int)a, F1[a], cap);
}

/* p[j] = e[group of parity j] / g[group] (0 where there is nobody). */
static void probs(double *p, const double e[PS_ORDER_COUNT], const double g[PS_ORDER_COUNT])
{
    for (int j = 0; j < PS_PARITY_COUNT; ++j) {
        const int k = j < PS_ORDER_COUNT ? j : PS_ORDER_COUNT - 1;
        p[j] = g[k] > 0.0 ? e[k] / g[k] : 0.0;
    }
}

/*
 * Probabilities of region reg for the step, and the expected women by parity of the
 * microsimulation on 1 July t+1 (mw[1]) from those on 1 July t (mw[0]), cohort by cohort:
 * mothers of the first half move up at once; then emigration (e), survival (S) and
 * end-of-step emigration (q) thin the cohort; migrants join with the cohort's parity shares.
 */
static void region_hazards(ps_micro *m, int reg)
{
    const size_t A = (size_t)m->n_ages, row = (size_t)reg * A * PS_PARITY_COUNT;
    const double *F0 = &m->sh_pop[0][ps_mi_cell(m, (unsigned)reg, PS_SEX_FEMALE, 0)];
    const double *F1 = &m->sh_pop[1][ps_mi_cell(m, (unsigned)reg, PS_SEX_FEMALE, 0)];
    const double *M = &m->in->mig[ps_inputs_idx(m->in, m->step, reg, PS_SEX_FEMALE, 0)];
    const double *S = ps_proj_survivorship(m->proj, m->step, reg, PS_SEX_FEMALE);
    const double *W0 = &m->sh_par[0][row], *Wm = &m->mw[0][row];
    const double *mult = m->mult != NULL ? &m->mult[(size_t)reg * PS_ORDER_COUNT] : NULL;
    double *Wn = &m->mw[1][row];
    for (size_t a = 1; a < A; ++a) {
        const size_t x = a - 1;
        double e0[PS_ORDER_COUNT], e1[PS_ORDER_COUNT], g[PS_ORDER_COUNT], c[PS_PARITY_COUNT],
            D[PS_PARITY_COUNT], sh[PS_PARITY_COUNT];
        cohort_targets(e0, e1, m, reg, W0, F0, F1, a);
        groups_of(g, &Wm[x * PS_PARITY_COUNT]);
        probs(&m->h1p[row + x * PS_PARITY_COUNT], e0, g);
        memcpy(c, &Wm[x * PS_PARITY_COUNT], sizeof c);
        for (int k = 0; mult != NULL && k < PS_ORDER_COUNT; ++k) {
            e0[k] *= mult[k];
        }
        move_mothers(c, e0);
        const double q = ps_micro__emig_end(m, reg, PS_SEX_FEMALE, (int)a);
        /* Internal moves (regions.c; all 0 without): leavers and arrivals at both ends. */
        const ps_micro_moves mx = ps_micro__moves(m, reg, (int)x), ma = ps_micro__moves(m, reg, (int)a);
        const double stay = S[a] * (1.0 - q - ma.leave_end);
        double arrive = fmax(M[a], 0.0) * PS_MID_YEAR_FRACTION +
                        fmax(M[x], 0.0) * PS_MID_YEAR_FRACTION * stay + mx.arrive * stay +
                        ma.arrive;
        double keep =
            (1.0 - ps_micro__emig_start(m, reg, PS_SEX_FEMALE, (int)x) - mx.leave_start) * stay;
        const double total = c[0] + c[1] + c[2] + c[3];
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            sh[k] = total > 0.0 ? c[k] / total : (k == 0 ? 1.0 : 0.0);
            D[k] = c[k] * keep;
        }
        if (a == A - 1) { /* the open group joins the oldest cohort */
            keep = (1.0 - ps_micro__emig_start(m, reg, PS_SEX_FEMALE, (int)a) - ma.leave_start) *
                   stay;
            arrive += fmax(M[a], 0.0) * PS_MID_YEAR_FRACTION * stay + ma.arrive * stay;
            for (int k = 0; k < PS_PARITY_COUNT; ++k) {
                D[k] += Wm[a * PS_PARITY_COUNT + (size_t)k] * keep;
            }
        }
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            D[k] += arrive * sh[k];
            m->mid_share[row + a * PS_PARITY_COUNT + (size_t)k] = sh[k];
        }
        groups_of(g, D);
        probs(&m->h2p[row + a * PS_PARITY_COUNT], e1, g);
        for (int k = 0; mult != NULL && k < PS_ORDER_COUNT; ++k) {
            e1[k] *= mult[k];
        }
        move_mothers(D, e1);
        memcpy(&Wn[a * PS_PARITY_COUNT], D, sizeof D);
    }
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        Wn[k] = k == 0 ? F1[0] : 0.0; /* the year's girls (and infant migrants) */
        m->mid_share[row + (size_t)k] = k == 0 ? 1.0 : 0.0;
    }
}

/*
 * Step the cohort engine from its state of 1 July t with the microsimulation's multipliers
 * (with parity when the birth-order model is calibrated) and derive this step's birth
 * probabilities h1p, h2p and shares mid_share.
 */
ps_status ps_micro__shadow_step(ps_micro *m, ps_error *err)
{
    const size_t R = (size_t)m->n_regions, cells = R * 2 * (size_t)m->n_ages;
    ps_proj_events ev = {
        .births = m->sh_ev, .deaths = m->sh_ev + R * 2, .net_migration = m->sh_ev + R * 2 + cells};
    ps_proj_parity par = {.from = m->sh_par[0],
                          .to = m->sh_par[1],
                          .mult = m->mult,
                          .births_by_order = m->sh_ev + R * 2 + 2 * cells,
                          .fertility_scale = NULL};
    ps_micro__regions_events(m, &ev); /* internal migration (#13), if any */
    ps_status rc =
        m->has_parity
            ? ps_proj_step_parity(m->proj, m->step, m->sh_pop[0], m->sh_pop[1], &ev, &par, err)
            : ps_proj_step(m->proj, m->step, m->sh_pop[0], m->sh_pop[1], &ev, err);
    if (rc != PS_OK) {
        ps_error_prepend(err, "cohort projection behind the microsimulation: ");
        return rc;
    }
    m->sh_shortfall = ev.adjustment;
    for (int reg = 0; m->has_parity && reg < m->n_regions; ++reg) {
        region_hazards(m, reg);
    }
    return PS_OK;
}

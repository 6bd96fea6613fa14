/*
 * init.c - the base population of one replicate.
 *
 * Each [reg][sex][age] cell of the base population, divided by the scale k, is rounded
 * stochastically (floor plus one with the probability of the fraction), so its expectation
 * is the cell's count / k; ids run through the cells in input order. Each person then draws
 * (stream INIT) a parity from the cohort engine's base women by parity, an income class from
 * the shares, a care state from the prevalence of the start year and a childcare enrollment.
 *
 * Kin (PS_MICRO_KIN): the base population has no family links, so they are imputed (stream
 * KIN): a person aged c gets a mother's age at birth A from the base year's fertility
 * schedule (density ASFR(A) / TFR), the mother is alive with the period survival
 * L_f(c + A) / L_f(A) of the base year, and then is a woman drawn uniformly from the base
 * cell (region, female, c + A). Children under opts.dependent_age take their mother's income
 * class. The links are not reconciled with the mothers' parities (docs/micro.md sec. 6).
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>

#include "micro/micro_int.h"

typedef struct kin_tables {
    uint64_t *age_thr; /* [reg][fertile age] cumulative mother's-age-at-birth thresholds */
    double *lsurv;     /* [reg][age] female L(age) / L(0) of the base year */
    int n_fert;
} kin_tables;

static ps_status kin_tables_new(kin_tables *k, const ps_micro *m, ps_error *err)
{
    const int A = m->n_ages;
    k->n_fert = m->fert_hi >= m->fert_lo ? m->fert_hi - m->fert_lo + 1 : 0;
    k->age_thr =
        malloc((size_t)m->n_regions * (size_t)(k->n_fert > 0 ? k->n_fert : 1) * sizeof *k->age_thr);
    k->lsurv = malloc((size_t)m->n_regions * (size_t)A * sizeof *k->lsurv);
    if (k->age_thr == NULL || k->lsurv == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the kin tables");
    }
    for (int reg = 0; reg < m->n_regions; ++reg) {
        const double *asfr = &m->in->asfr[ps_inputs_asfr_idx(m->in, 0, reg, 0)];
        double tfr = 0.0, cum = 0.0;
        for (int age = m->fert_lo; age <= m->fert_hi; ++age) {
            tfr += asfr[age];
        }
        for (int j = 0; j < k->n_fert; ++j) {
            cum += asfr[m->fert_lo + j];
            k->age_thr[(size_t)reg * (size_t)k->n_fert + (size_t)j] =
                tfr > 0.0 ? ps_micro__thr(cum / tfr) : 0;
        }
        const double *S = ps_proj_survivorship(m->proj, 0, reg, PS_SEX_FEMALE);
        double *L = &k->lsurv[(size_t)reg * (size_t)A];
        L[0] = 1.0;
        for (int age = 1; age < A; ++age) {
            L[age] = L[age - 1] * S[age];
        }
    }
    return PS_OK;
}

static void kin_tables_free(kin_tables *k)
{
    free(k->age_thr);
    free(k->lsurv);
}

/* Mother of base person `id` (region reg, aged `age`): sets mother and mage, or leaves them
 * unknown when the drawn mother is dead, in the open age group or absent. */
static void kin_link(const ps_micro *m, const kin_tables *k, const size_t *first, size_t id,
                     unsigned reg, unsigned age)
{
    uint32_t u[PS_LANES];
    ps_micro__philox(u, m->key, (uint32_t)id, 0, PS_STREAM_KIN, 0);
    const uint64_t *thr = &k->age_thr[(size_t)reg * (size_t)k->n_fert];
    int j = 0;
    while (j < k->n_fert && u[PS_LANE_0] >= thr[j]) {
        ++j;
    }
    if (j == k->n_fert) {
        return; /* no fertility in the base year */
    }
    const unsigned at_birth = (unsigned)(m->fert_lo + j), now = age + at_birth;
    if (now >= (unsigned)m->n_ages - 1) {
        return;
    }
    const double *L = &k->lsurv[(size_t)reg * (size_t)m->n_ages];
    if (!(L[at_birth] > 0.0) || u[PS_LANE_1] >= ps_micro__thr(L[now] / L[at_birth])) {
        return;
    }
    const size_t c = ps_mi_cell(m, reg, PS_SEX_FEMALE, now);
    const uint64_t women = first[c + 1] - first[c];
    if (women == 0) {
        return;
    }
    m->mother[id] = (uint32_t)(first[c] + ((u[PS_LANE_2] * women) >> 32));
    m->mage[id] = (uint8_t)at_birth;
}

/* Parity drawn from the cohort engine's women by parity of (reg, age). */
static unsigned base_parity(const ps_micro *m, const double *women0, unsigned reg, unsigned age,
                            uint32_t u)
{
    if (women0 == NULL) {
        return 0;
    }
    const double *w = &women0[((size_t)reg * (size_t)m->n_ages + age) * PS_PARITY_COUNT];
    double total = w[0] + w[1] + w[2] + w[3], cum = 0.0;
    if (!(total > 0.0)) {
        return 0;
    }
    for (unsigned k = 0; k + 1 < PS_PARITY_COUNT; ++k) {
        cum += w[k];
        if (u < ps_micro__thr(cum / total)) {
            return k;
        }
    }
    return PS_PARITY_COUNT - 1;
}

static void init_person(const ps_micro *m, const kin_tables *k, const size_t *first,
                        const double *women0, size_t id, size_t cell)
{
    const unsigned A = (unsigned)m->n_ages;
    const unsigned reg = (unsigned)(cell / (2u * A)), sex = (unsigned)(cell / A) % 2u,
                   age = (unsigned)(cell % A);
    uint32_t u[PS_LANES];
    ps_micro__philox(u, m->key, (uint32_t)id, 0, PS_STREAM_INIT, 0);
    unsigned f = PS_MF_ALIVE | (sex << 1);
    if (sex == PS_SEX_FEMALE) {
        f = ps_mf_with(f, PS_MF_PARITY_SHIFT, base_parity(m, women0, reg, age, u[PS_LANE_0]));
    }
    if ((m->opt.events & PS_MICRO_CARE) && age >= (unsigned)m->opt.care_min_age) {
        f = ps_mf_with(f, PS_MF_CARE_SHIFT, ps_micro__care_draw(m, 0, (int)age, u[PS_LANE_2]));
    }
    if ((m->opt.events & PS_MICRO_CHILDCARE) && age < PS_MICRO_CHILDCARE_AGES &&
        u[PS_LANE_3] < ps_micro__thr(m->opt.enroll_rate[age])) {
        f |= PS_MF_ENROLLED;
    }
    m->age[id] = (uint8_t)age;
    m->ychild[id] = PS_MICRO_AGE_NONE;
    m->mage[id] = PS_MICRO_AGE_NONE;
    m->mother[id] = PS_MICRO_NO_MOTHER;
    m->scratch[id] = 0;
    m->region[id] = (uint16_t)reg;
    uint32_t u_income = u[PS_LANE_1];
    if (m->opt.events & PS_MICRO_KIN) {
        kin_link(m, k, first, id, reg, age);
        if (m->mother[id] != PS_MICRO_NO_MOTHER && age < (unsigned)m->opt.dependent_age) {
            uint32_t um[PS_LANES]; /* the mother's own income draw */
            ps_micro__philox(um, m->key, m->mother[id], 0, PS_STREAM_INIT, 0);
            u_income = um[PS_LANE_1];
        }
    }
    f = ps_mf_with(f, PS_MF_INCOME_SHIFT, ps_micro__income_draw(m, reg, u_income));
    m->flags[id] = (uint16_t)f;
}

/* Stochastic rounding of the base cells: first[cell] ids, first[cells] the total. */
static ps_status round_base(ps_micro *m, size_t *first, ps_error *err)
{
    const size_t cells = (size_t)m->n_regions * PS_SEX_COUNT * (size_t)m->n_ages;
    double total = 0.0;
    for (size_t c = 0; c < cells; ++c) {
        double v = m->in->base.count[c] / m->scale, whole = floor(v);
        uint32_t u[PS_LANES];
        ps_micro__philox(u, m->key, (uint32_t)c, 0, PS_STREAM_ROUND_BASE, 0);
        first[c] = (size_t)total;
        total += whole + (u[PS_LANE_0] < ps_micro__thr(v - whole) ? 1.0 : 0.0);
    }
    if (!(total < (double)UINT32_MAX)) {
        return ps_error_set(err, PS_EINVAL,
                            "the base population is %.0f simulated persons at "
                            "scale %g, more than the %u a run can hold; use a larger scale",
                            total, m->scale, (unsigned)UINT32_MAX - 1);
    }
    first[cells] = (size_t)total;
    return PS_OK;
}

ps_status ps_micro__populate(ps_micro *m, const double *women0, ps_error *err)
{
    const size_t cells = (size_t)m->n_regions * PS_SEX_COUNT * (size_t)m->n_ages;
    size_t *first = malloc((cells + 1) * sizeof *first);
    kin_tables k = {NULL, NULL, 0};
    ps_status rc =
        first != NULL ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory for the base cells");
    if (rc == PS_OK) {
        rc = round_base(m, first, err);
    }
    if (rc == PS_OK) {
        rc = ps_micro__store_reserve(m, first[cells], err);
    }
    if (rc == PS_OK && (m->opt.events & PS_MICRO_KIN)) {
        rc = kin_tables_new(&k, m, err);
    }
    if (rc == PS_OK) {
        const ps_micro *cm = m;
        const kin_tables *kp = &k;
        const long n_cells = (long)cells;
#pragma omp parallel for num_threads(cm->n_threads) schedule(dynamic, 1) default(none)             \
    shared(cm, kp, first, women0, n_cells)
        for (long c = 0; c < n_cells; ++c) {
            for (size_t id = first[c]; id < first[c + 1]; ++id) {
                init_person(cm, kp, first, women0, id, (size_t)c);
            }
        }
        m->n = first[cells];
        ps_micro__tally_zero(m);
        ps_micro__tally_state(m);
        ps_micro__kin(m);
        ps_micro__tally_reduce(m);
    }
    kin_tables_free(&k);
    free(first);
    return rc;
}

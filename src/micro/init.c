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
#include <string.h>

#include "micro/micro_int.h"

typedef struct kin_tables {
    uint64_t *age_thr; /* [reg][fertile age] cumulative mother's-age-at-birth thresholds */
    double *lsurv;     /* [reg][age] female L(age) / L(0) of the base year */
    uint64_t *alive_thr; /* [reg][fertile age j][child's age] P(mother alive) = L(now) / L(at
                          * birth) in 2^32 units; 0 if she cannot be (no L, open age group) */
    uint8_t *start; /* [reg][top byte of u] thresholds <= the bucket's least u: the search's
                     * start (age_thr is non-decreasing) */
    int n_fert;
} kin_tables;

#define PS_KIN_BUCKETS 256 /* values of the top byte of a 32-bit uniform */
#define PS_KIN_BUCKET_SHIFT 24
/* Chunks a thread builds at a time, their pages mapped first in one call per array
 * (prefault.c): 65 536 persons, 64 KiB of each byte array, about 0.8 MiB in all. */
#define PS_INIT_BLOCK_CHUNKS 32

static ps_status kin_tables_new(kin_tables *k, const ps_micro *m, ps_error *err)
{
    const int A = m->n_ages;
    k->n_fert = m->fert_hi >= m->fert_lo ? m->fert_hi - m->fert_lo + 1 : 0;
    k->age_thr =
        malloc((size_t)m->n_regions * (size_t)(k->n_fert > 0 ? k->n_fert : 1) * sizeof *k->age_thr);
    k->lsurv = malloc((size_t)m->n_regions * (size_t)A * sizeof *k->lsurv);
    k->alive_thr = malloc((size_t)m->n_regions * (size_t)(k->n_fert > 0 ? k->n_fert : 1) *
                          (size_t)A * sizeof *k->alive_thr);
    k->start = malloc((size_t)m->n_regions * PS_KIN_BUCKETS * sizeof *k->start);
    if (k->age_thr == NULL || k->lsurv == NULL || k->alive_thr == NULL || k->start == NULL) {
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
        for (unsigned b = 0; b < PS_KIN_BUCKETS; ++b) {
            const uint64_t least = (uint64_t)b << PS_KIN_BUCKET_SHIFT;
            unsigned n = 0;
            for (int j = 0; j < k->n_fert; ++j) {
                n += k->age_thr[(size_t)reg * (size_t)k->n_fert + (size_t)j] <= least;
            }
            k->start[(size_t)reg * PS_KIN_BUCKETS + b] = (uint8_t)n;
        }
        const double *S = ps_proj_survivorship(m->proj, 0, reg, PS_SEX_FEMALE);
        double *L = &k->lsurv[(size_t)reg * (size_t)A];
        L[0] = 1.0;
        for (int age = 1; age < A; ++age) {
            L[age] = L[age - 1] * S[age];
        }
        for (int j = 0; j < k->n_fert; ++j) {
            const int at = m->fert_lo + j;
            uint64_t *t = &k->alive_thr[((size_t)reg * (size_t)k->n_fert + (size_t)j) * (size_t)A];
            for (int age = 0; age < A; ++age) {
                const int now = age + at;
                t[age] = now < A - 1 && L[at] > 0.0 ? ps_micro__thr(L[now] / L[at]) : 0;
            }
        }
    }
    return PS_OK;
}

static void kin_tables_free(kin_tables *k)
{
    free(k->age_thr);
    free(k->lsurv);
    free(k->alive_thr);
    free(k->start);
}

/* Mother of base person `id` (region reg, aged `age`) from its KIN lanes u: sets mother and
 * mage, or leaves them unknown when the drawn mother is dead, in the open age group or
 * absent. */
static void kin_link(const ps_micro *m, const kin_tables *k, const size_t *first, size_t id,
                     unsigned reg, unsigned age, const uint32_t u[PS_LANES])
{
    const uint64_t *thr = &k->age_thr[(size_t)reg * (size_t)k->n_fert];
    /* The first j with u < thr[j], searched from the first that u's top byte allows. */
    int j = k->start[(size_t)reg * PS_KIN_BUCKETS + (u[PS_LANE_0] >> PS_KIN_BUCKET_SHIFT)];
    while (j < k->n_fert && u[PS_LANE_0] >= thr[j]) {
        ++j;
    }
    if (j == k->n_fert) {
        return; /* no fertility in the base year */
    }
    const unsigned at_birth = (unsigned)(m->fert_lo + j), now = age + at_birth;
    const size_t at = ((size_t)reg * (size_t)k->n_fert + (size_t)j) * (size_t)m->n_ages + age;
    if (u[PS_LANE_1] >= k->alive_thr[at]) {
        return; /* the mother is dead or in the open age group */
    }
    const size_t c = ps_mi_cell(m, reg, PS_SEX_FEMALE, now);
    const uint64_t women = first[c + 1] - first[c];
    if (women == 0) {
        return;
    }
    m->mother[id] = (uint32_t)(first[c] + ((u[PS_LANE_2] * women) >> 32));
    m->mage[id] = (uint8_t)at_birth;
}

/*
 * Draw tables of the base population, so that the per-person work is integer compares:
 * parity thresholds by (reg, age) from the cohort engine's base women by parity, care-state
 * thresholds and enrollment thresholds by age (year index 0).
 */
typedef struct init_tables {
    uint64_t *par_thr; /* [reg][age][parity 0..2] P(parity <= k) in 2^32 units */
    uint64_t *care_lo; /* [age][state] start of state's interval; 2^32: never */
    uint64_t enr_thr[PS_MICRO_CHILDCARE_AGES];
    int parity_draw; /* base women by parity were given */
} init_tables;

static void parity_thresholds(uint64_t thr[PS_PARITY_COUNT - 1], const double *women0,
                              size_t at)
{
    double total = 0.0, cum = 0.0;
    for (unsigned k = 0; women0 != NULL && k < PS_PARITY_COUNT; ++k) {
        total += women0[at + k];
    }
    for (unsigned k = 0; k + 1 < PS_PARITY_COUNT; ++k) {
        if (!(total > 0.0)) {
            thr[k] = (uint64_t)1 << 32; /* parity 0 */
            continue;
        }
        cum += women0[at + k];
        thr[k] = ps_micro__thr(cum / total);
        /* Non-decreasing, so parity_of may count instead of search; the first k with
         * u < thr[k] is the same as without the running maximum. */
        if (k > 0 && thr[k] < thr[k - 1]) {
            thr[k] = thr[k - 1];
        }
    }
}

static ps_status init_tables_new(init_tables *t, const ps_micro *m, const double *women0,
                                 ps_error *err)
{
    const size_t R = (size_t)m->n_regions, A = (size_t)m->n_ages;
    t->par_thr = malloc(R * A * (PS_PARITY_COUNT - 1) * sizeof *t->par_thr);
    t->care_lo = malloc(A * PS_MICRO_CARE_STATES * sizeof *t->care_lo);
    if (t->par_thr == NULL || t->care_lo == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the base population tables");
    }
    for (size_t ra = 0; ra < R * A; ++ra) {
        parity_thresholds(&t->par_thr[ra * (PS_PARITY_COUNT - 1)], women0, ra * PS_PARITY_COUNT);
    }
    t->parity_draw = women0 != NULL;
    const int care = (m->opt.events & PS_MICRO_CARE) != 0;
    for (size_t age = 0; age < A; ++age) {
        uint64_t *lo = &t->care_lo[age * PS_MICRO_CARE_STATES], w[PS_MICRO_CARE_STATES];
        ps_micro__care_interval(m, 0, (int)age, lo, w);
        for (int l = 1; l < PS_MICRO_CARE_STATES; ++l) {
            if (!care || l > m->opt.care_levels || age < (size_t)m->opt.care_min_age) {
                lo[l] = (uint64_t)1 << 32; /* u >= lo[l] never holds */
            }
        }
    }
    for (int age = 0; age < PS_MICRO_CHILDCARE_AGES; ++age) {
        t->enr_thr[age] = (m->opt.events & PS_MICRO_CHILDCARE)
                              ? ps_micro__thr(m->opt.enroll_rate[age])
                              : 0;
    }
    return PS_OK;
}

static void init_tables_free(init_tables *t)
{
    free(t->par_thr);
    free(t->care_lo);
}

/* Flags of a base person of (reg, sex, age) from its INIT lanes u0 (parity), u1 (income),
 * u2 (care state), u3 (enrollment). */
static unsigned init_flags(const ps_micro *m, const init_tables *t, unsigned reg, unsigned sex,
                           unsigned age, const uint32_t u[PS_LANES])
{
    unsigned f = PS_MF_ALIVE | (sex << 1);
    if (sex == PS_SEX_FEMALE) {
        const uint64_t *thr =
            &t->par_thr[((size_t)reg * (size_t)m->n_ages + age) * (PS_PARITY_COUNT - 1)];
        unsigned parity = 0; /* as parity_of: thr is non-decreasing */
        for (unsigned k = 0; k + 1 < PS_PARITY_COUNT; ++k) {
            parity += (uint64_t)u[PS_LANE_0] >= thr[k] ? 1u : 0u;
        }
        f = ps_mf_with(f, PS_MF_PARITY_SHIFT, parity);
    }
    const uint64_t *lo = &t->care_lo[(size_t)age * PS_MICRO_CARE_STATES];
    unsigned state = 0;
    for (int l = 1; l < PS_MICRO_CARE_STATES; ++l) {
        state += (uint64_t)u[PS_LANE_2] >= lo[l] ? 1u : 0u;
    }
    f = ps_mf_with(f, PS_MF_CARE_SHIFT, state);
    if (age < PS_MICRO_CHILDCARE_AGES && u[PS_LANE_3] < t->enr_thr[age]) {
        f |= PS_MF_ENROLLED;
    }
    return ps_mf_with(f, PS_MF_INCOME_SHIFT, ps_micro__income_draw(m, reg, u[PS_LANE_1]));
}

/* Cell of id: the last c with first[c] <= id (first is non-decreasing, first[0] = 0). */
static size_t cell_of(const size_t *first, size_t cells, size_t id)
{
    size_t lo = 0, hi = cells; /* first[lo] <= id < first[hi] */
    while (hi - lo > 1) {
        const size_t mid = lo + (hi - lo) / 2;
        if (first[mid] <= id) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo;
}

typedef struct init_ctx {
    const ps_micro *m;
    const init_tables *t;
    const kin_tables *k;
    const size_t *first; /* [cell] first id, [cells] total */
    size_t cells;
} init_ctx;

/* Whether a base person of (sex, age) uses any lane of its INIT draw: a person who uses none
 * (a man of the minimal model) gets the flags of the all-zero draw without drawing. */
static int needs_init_draw(const ps_micro *m, const init_tables *t, unsigned sex, unsigned age)
{
    return (sex == PS_SEX_FEMALE && t->parity_draw) || m->opt.income_share != NULL ||
           ((m->opt.events & PS_MICRO_CARE) && age >= (unsigned)m->opt.care_min_age) ||
           ((m->opt.events & PS_MICRO_CHILDCARE) && age < PS_MICRO_CHILDCARE_AGES);
}

/* Whether a base person of (sex, age) uses only lane 0 (the parity) of its INIT draw: then
 * the other lanes give the flags of the all-zero draw (income, care and enrollment fixed). */
static int parity_only_draw(const ps_micro *m, unsigned sex, unsigned age)
{
    return sex == PS_SEX_FEMALE && m->opt.income_share == NULL &&
           !((m->opt.events & PS_MICRO_CARE) && age >= (unsigned)m->opt.care_min_age) &&
           !((m->opt.events & PS_MICRO_CHILDCARE) && age < PS_MICRO_CHILDCARE_AGES);
}

/* Parity of a woman of (reg, age) from her INIT lane 0, as init_flags draws it. */
static unsigned parity_of(const ps_micro *m, const init_tables *t, unsigned reg, unsigned age,
                          uint32_t u0)
{
    const uint64_t *thr =
        &t->par_thr[((size_t)reg * (size_t)m->n_ages + age) * (PS_PARITY_COUNT - 1)];
    /* thr is non-decreasing, so the first k with u0 < thr[k] is the number of k with
     * u0 >= thr[k]: counted without branches (the draws are random, branches mispredict). */
    unsigned parity = 0;
    for (unsigned k = 0; k + 1 < PS_PARITY_COUNT; ++k) {
        parity += (uint64_t)u0 >= thr[k] ? 1u : 0u;
    }
    return parity;
}

/*
 * Base persons [lo, hi) of one chunk, written cell segment by cell segment (a segment
 * shares region, sex and age), each segment's INIT draws as one vectorised batch; then
 * (kin) their KIN draws as another batch and the mother's own income draw for dependent
 * children (one call each); last their 1 July state, counted in the thread's tally while
 * the chunk is in cache. Every number is the one ps_micro__philox gives for (id, 0, stream, 0).
 */
static void init_segments(const init_ctx *x, size_t lo, size_t hi, ps_micro_ws *ws)
{
    uint32_t *rbuf = ws->rbuf;
    /* Without kin no flag changes after this pass and nobody is marked in dis_bits (a kin
     * bitmap), so segments count themselves: at once where the flags are one value (no
     * draw) or differ by parity only (ps_micro__tally_persons). */
    const int tally = !(x->m->opt.events & PS_MICRO_KIN);
    const ps_micro *m = x->m;
    const unsigned A = (unsigned)m->n_ages;
    const size_t cnt = hi - lo;
    uint16_t *restrict flags = m->flags, *restrict region = m->region;
    uint32_t *restrict mother = m->mother;
    for (size_t cell = cell_of(x->first, x->cells, lo), s = lo; s < hi; ++cell) {
        const size_t e = x->first[cell + 1] < hi ? x->first[cell + 1] : hi;
        const unsigned reg = (unsigned)(cell / (2u * A)), sex = (unsigned)(cell / A) % 2u,
                       age = (unsigned)(cell % A);
        const size_t len = e - s;
        const int draw = needs_init_draw(m, x->t, sex, age);
        if (draw) {
            ps_micro__philox_batch(rbuf, len, (uint32_t)s, 0, PS_STREAM_INIT, 0, m->key);
        }
        const uint32_t none[PS_LANES] = {0, 0, 0, 0};
        const unsigned f0 = init_flags(m, x->t, reg, sex, age, none);
        if (draw && parity_only_draw(m, sex, age)) { /* women of the minimal model */
            int64_t by_parity[PS_PARITY_COUNT] = {0};
            for (size_t id = s; id < e; ++id) {
                const unsigned parity = parity_of(m, x->t, reg, age, rbuf[id - s]);
                by_parity[parity] += 1;
                flags[id] = (uint16_t)ps_mf_with(f0, PS_MF_PARITY_SHIFT, parity);
                region[id] = (uint16_t)reg;
                mother[id] = PS_MICRO_NO_MOTHER;
            }
            memset(m->age + s, (int)age, e - s);
            for (unsigned parity = 0; parity < PS_PARITY_COUNT; ++parity) {
                if (tally && by_parity[parity] > 0) {
                    ps_micro__tally_persons(m, ws->tally, ps_mf_with(f0, PS_MF_PARITY_SHIFT, parity),
                                            reg, age, by_parity[parity]);
                }
            }
            s = e;
            continue;
        }
        if (!draw) { /* one value of the flags for the whole segment */
            for (size_t id = s; id < e; ++id) {
                flags[id] = (uint16_t)f0;
                region[id] = (uint16_t)reg;
                mother[id] = PS_MICRO_NO_MOTHER;
            }
            memset(m->age + s, (int)age, e - s);
            if (tally) {
                ps_micro__tally_persons(m, ws->tally, f0, reg, age, (int64_t)(e - s));
            }
            s = e;
            continue;
        }
        for (size_t id = s; id < e; ++id) {
            const size_t j = id - s;
            const uint32_t u[PS_LANES] = {rbuf[j], rbuf[len + j], rbuf[2 * len + j],
                                          rbuf[3 * len + j]};
            flags[id] = (uint16_t)init_flags(m, x->t, reg, sex, age, u);
            region[id] = (uint16_t)reg;
            mother[id] = PS_MICRO_NO_MOTHER;
            if (tally) {
                ps_micro__tally_person(m, ws->tally, id, flags[id], reg, age);
            }
        }
        memset(m->age + s, (int)age, e - s);
        s = e;
    }
    memset(m->ychild + lo, PS_MICRO_AGE_NONE, cnt);
    memset(m->mage + lo, PS_MICRO_AGE_NONE, cnt);
    memset(m->scratch + lo, 0, cnt);
}

static void init_chunk(const init_ctx *x, size_t c, ps_micro_ws *ws)
{
    const ps_micro *m = x->m;
    const size_t lo = c * PS_MICRO_CHUNK, hi = ps_micro__chunk_end(m, lo), cnt = hi - lo;
    init_segments(x, lo, hi, ws);
    if (m->opt.events & PS_MICRO_KIN) {
        ps_micro__philox_batch(ws->rbuf, cnt, (uint32_t)lo, 0, PS_STREAM_KIN, 0, m->key);
        for (size_t j = 0; j < cnt; ++j) {
            const size_t id = lo + j;
            const uint32_t u[PS_LANES] = {ws->rbuf[j], ws->rbuf[cnt + j], ws->rbuf[2 * cnt + j], 0};
            kin_link(m, x->k, x->first, id, m->region[id], m->age[id], u);
            if (m->mother[id] != PS_MICRO_NO_MOTHER &&
                m->age[id] < (unsigned)m->opt.dependent_age) {
                uint32_t um[PS_LANES]; /* the mother's own income draw */
                ps_micro__philox(um, m->key, m->mother[id], 0, PS_STREAM_INIT, 0);
                m->flags[id] = ps_mf_with(m->flags[id], PS_MF_INCOME_SHIFT,
                                          ps_micro__income_draw(m, m->region[id], um[PS_LANE_1]));
            }
        }
    }
    for (size_t id = lo; (m->opt.events & PS_MICRO_KIN) && id < hi; ++id) {
        ps_micro__tally_person(m, ws->tally, id, m->flags[id], m->region[id], m->age[id]);
    }
    /* A chunk owns whole words of alive_bits (PS_MICRO_CHUNK is a multiple of 64). */
    for (size_t id = lo; id < hi; id += PS_MICRO_WORD_BITS) {
        const size_t left = hi - id;
        m->alive_bits[id / PS_MICRO_WORD_BITS] =
            left >= PS_MICRO_WORD_BITS ? ~(uint64_t)0 : ((uint64_t)1 << left) - 1u;
    }
}

/* Chunks [c0, c1) of a block: the owned runs of chunks (persons split, #15) each first
 * prefaulted, then built chunk by chunk. */
static void init_block(const init_ctx *x, size_t c0, size_t c1, ps_micro_ws *ws)
{
    const ps_micro *m = x->m;
    for (size_t c = c0; c < c1;) {
        if (!ps_micro__owns_chunk(m, c)) {
            ++c;
            continue;
        }
        size_t e = c + 1;
        while (e < c1 && ps_micro__owns_chunk(m, e)) {
            ++e;
        }
        const size_t hi = e * PS_MICRO_CHUNK < m->n ? e * PS_MICRO_CHUNK : m->n;
        ps_micro__prefault(m, c * PS_MICRO_CHUNK, hi);
        for (; c < e; ++c) {
            init_chunk(x, c, ws);
        }
    }
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
    kin_tables k = {NULL, NULL, NULL, NULL, 0};
    init_tables t = {NULL, NULL, {0}, 0};
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
        rc = init_tables_new(&t, m, women0, err);
    }
    if (rc == PS_OK) {
        m->n = first[cells];
        ps_micro__tally_zero(m);
        const init_ctx ctx = {m, &t, &k, first, cells};
        const init_ctx *cx = &ctx;
        const size_t n_chunks = (m->n + PS_MICRO_CHUNK - 1) / PS_MICRO_CHUNK;
        const long n_blocks = (long)((n_chunks + PS_INIT_BLOCK_CHUNKS - 1) / PS_INIT_BLOCK_CHUNKS);
        /* Blocks of chunks of fixed ids: which thread builds a chunk never changes a record.
         * The thread that fills a block first maps its pages (prefault.c). */
#pragma omp parallel num_threads(m->n_threads) default(none) shared(cx, n_chunks, n_blocks)
        {
            ps_micro_ws *ws = &cx->m->ws[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
            for (long b = 0; b < n_blocks; ++b) {
                const size_t c0 = (size_t)b * PS_INIT_BLOCK_CHUNKS;
                const size_t c1 = c0 + PS_INIT_BLOCK_CHUNKS < n_chunks ? c0 + PS_INIT_BLOCK_CHUNKS
                                                                        : n_chunks;
                init_block(cx, c0, c1, ws);
            }
        }
        rc = ps_micro__kin(m, err);
    }
    if (rc == PS_OK) {
        ps_micro__tally_reduce(m);
        rc = ps_micro__split_sum(m, m->sum, m->L.len, err);
    }
    init_tables_free(&t);
    kin_tables_free(&k);
    free(first);
    return rc;
}

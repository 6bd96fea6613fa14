/*
 * step.c - one annual step of the microsimulation, from 1 July t to 1 July t+1, with the
 * cohort engine's timing (docs/model.md sec. 2; docs/micro.md sec. 2):
 *   main pass (each person alive on 1 July t, aged x, reaching a = min(x + 1, open age)):
 *     births of the first half (a woman at risk on 1 July t) and of the second (if she is
 *     still there on 1 July t+1); emigration at the start or the end of the step, or death
 *     with the cohort's survivorship S(a); the care-need transition; enrollment; ageing;
 *   arrivals: the first half's migrants (aged x at t, exposed to S(a)) and the second
 *     half's (aged a at t+1), with their own second-half births;
 *   newborns: survival S(0) and infant emigration are drawn at the birth; the records are
 *     numbered by a prefix sum over fixed chunks of mothers;
 *   kin: children of working age mark their living mother in the same region.
 * Passes run over fixed chunks of PS_MICRO_CHUNK persons in parallel; draws depend on
 * (person id, step, stream) only and counts are integers, so any thread count gives the same
 * bits. The step checks the accounting identity of every cell exactly (integers).
 */
#include <math.h>
#include <omp.h>
#include <string.h>

#include "micro/micro_int.h"
#include "popsim/units.h"

typedef void (*chunk_fn)(const ps_micro *m, size_t chunk, ps_micro_ws *ws);

/* Run fn over the chunks of persons [0, n) that this process owns on m->n_threads threads. */
static void for_chunks(const ps_micro *m, size_t n, chunk_fn fn)
{
    const long n_chunks = (long)((n + PS_MICRO_CHUNK - 1) / PS_MICRO_CHUNK);
#pragma omp parallel num_threads(m->n_threads) default(none) shared(m, fn, n_chunks)
    {
        ps_micro_ws *ws = &m->ws[omp_get_thread_num()];
#pragma omp for schedule(dynamic, PS_MICRO_CHUNKS_PER_GRAB)
        for (long c = 0; c < n_chunks; ++c) {
            if (ps_micro__owns_chunk(m, (size_t)c)) { /* persons split (issue #15) */
                fn(m, (size_t)c, ws);
            }
        }
    }
}

static uint32_t counter_step(const ps_micro *m)
{
    return (uint32_t)m->step + 1; /* 0 is the initialisation */
}

static void person_view(ps_micro_person *v, const ps_micro *m, size_t i, unsigned f)
{
    v->id = (uint32_t)i;
    v->mother = m->mother[i];
    v->alive = (f & PS_MF_ALIVE) != 0;
    v->age = m->age[i];
    v->sex = (int)ps_mf_sex(f);
    v->region = m->region[i];
    v->parity = (int)ps_mf_parity(f);
    v->youngest_child_age = m->ychild[i] == PS_MICRO_AGE_NONE ? -1 : m->ychild[i];
    v->mother_age_at_birth = m->mage[i] == PS_MICRO_AGE_NONE ? -1 : m->mage[i];
    v->income = (int)ps_mf_income(f);
    v->care = (int)ps_mf_care(f);
    v->enrolled = (f & PS_MF_ENROLLED) != 0;
}

/* Threshold of a birth to woman i (flags f, aged `age`, region r) from table thr / prob:
 * the table's, or with the per-person hook its probability times the hook's multiplier. */
static inline uint64_t birth_thr(const ps_micro *m, const uint64_t *thr, const double *prob,
                                 size_t i, unsigned f, unsigned age, unsigned r)
{
    const size_t at = ps_mi_par(m, r, age, ps_mf_parity(f), ps_mf_income(f));
    if (m->opt.birth_mult == NULL || !(prob[at] > 0.0)) {
        return thr[at];
    }
    ps_micro_person v;
    person_view(&v, m, i, f);
    const unsigned parity = ps_mf_parity(f);
    const int order = parity < PS_ORDER_COUNT ? (int)parity : PS_ORDER_COUNT - 1;
    return ps_micro__thr(prob[at] * m->opt.birth_mult(m->opt.birth_mult_ctx, &v, order,
                                                      m->in->start_year + m->step));
}

/* (t1 t2) / 2^32 for thresholds t1, t2 <= 2^32: the joint threshold of two events drawn from
 * one uniform (the second from the position inside the first's interval). */
static inline uint64_t thr_product(uint64_t t1, uint64_t t2)
{
    return t2 >= ((uint64_t)1 << 32) ? t1 : (t1 * t2) >> 32;
}

/*
 * Woman i gives birth in half h: count the birth by order, income and sex; draw the child's
 * sex (SRB), survival to 1 July (S(0)) and emigration before it (q(0)) from the mother's
 * BIRTH stream; note a child to create in her scratch byte; raise her parity (flags *f).
 * Returns 1 if a newborn record is needed.
 */
static int give_birth(const ps_micro *m, int64_t *t, size_t i, unsigned *f, unsigned r, unsigned h)
{
    const unsigned parity = ps_mf_parity(*f), inc = ps_mf_income(*f);
    const unsigned order = parity < PS_ORDER_COUNT ? parity : PS_ORDER_COUNT - 1;
    uint32_t u[PS_LANES];
    t[m->L.border + ((size_t)r * PS_INCOME_COUNT + inc) * PS_ORDER_COUNT + order] += 1;
    ps_micro__philox(u, m->key, (uint32_t)i, counter_step(m), PS_STREAM_BIRTH, h);
    const unsigned girl = u[PS_LANE_0] >= m->male_thr[r];
    const size_t c0 = ps_mi_cell(m, r, girl ? PS_SEX_FEMALE : PS_SEX_MALE, 0);
    t[m->L.births + (size_t)r * 2 + (girl ? PS_SEX_FEMALE : PS_SEX_MALE)] += 1;
    *f = ps_mf_with(*f, PS_MF_PARITY_SHIFT, parity + 1 < PS_PARITY_COUNT ? parity + 1 : parity);
    if (u[PS_LANE_1] >= m->surv_thr[c0]) {
        t[m->L.deaths + c0] += 1;
        return 0;
    }
    if (u[PS_LANE_2] < m->q_thr[c0]) {
        t[m->L.mig + c0] -= 1;
        return 0;
    }
    unsigned bits = (girl ? PS_MS_GIRL : 0u) | PS_MS_SURVIVED |
                    ((*f & PS_MF_REGISTERED) ? PS_MS_REG : 0u);
    m->scratch[i] = (uint8_t)(m->scratch[i] | (bits << (h * PS_MS_HALF_BITS)));
    return 1;
}

/* New care state of a person in `state` aged x on 1 July t and a on 1 July t+1: the
 * position in the old state's slice of the prevalence CDF, mapped onto the new CDF. */
static unsigned care_next(const ps_micro *m, unsigned state, unsigned x, unsigned a, uint32_t u)
{
    const size_t at = (size_t)x * PS_MICRO_CARE_STATES + state;
    const uint64_t v = m->care_lo[at] + ((m->care_w[at] * (uint64_t)u) >> 32);
    const uint64_t *t = &m->care_t[(size_t)a * PS_MICRO_CARE_LEVELS_MAX];
    unsigned next = 0;
    for (int l = 0; l < m->opt.care_levels; ++l) {
        next += v >= t[l] ? 1u : 0u;
    }
    return next;
}

/*
 * Random numbers of a word of 64 persons (ids base .. base + 63, base a multiple of 64): one
 * Philox call per pair (ids 2p, 2p+1), two lanes each, as one vectorised batch of 32 calls.
 * Person j of the word reads lane A at lanes_of(..)[0] and lane B at [PS_MICRO_WORD_PAIRS].
 * Words without a living person draw nothing.
 */
static const uint32_t *lanes_of(const uint32_t *rbuf, unsigned j)
{
    return rbuf + (j & 1u) * 2u * PS_MICRO_WORD_PAIRS + j / 2u;
}

static void draw_word(const ps_micro *m, ps_micro_ws *ws, size_t base)
{
    ps_micro__philox_batch(ws->rbuf, PS_MICRO_WORD_PAIRS, (uint32_t)(base / 2), counter_step(m),
                           PS_STREAM_STEP, 0, m->key);
}

/* Care uniform of a woman whose lane B served a birth (only when care_min_age - 1 is a
 * fertile age); everybody else uses lane B. */
static uint32_t care_uniform(const ps_micro *m, size_t i, int lane_b_used, uint32_t lane_b)
{
    if (!lane_b_used) {
        return lane_b;
    }
    uint32_t u[PS_LANES];
    ps_micro__philox(u, m->key, (uint32_t)i, counter_step(m), PS_STREAM_CARE, 0);
    return u[PS_LANE_0];
}

/* Births of a woman in both halves from lane B (uB): the first half if uB < t1, the
 * second from uB's position inside the first's outcome. Updates *f and the youngest child. */
static int64_t births_of(const ps_micro *m, int64_t *t, size_t i, unsigned *f, unsigned x,
                         unsigned a, unsigned r, int stays, uint32_t uB, unsigned *yc)
{
    const unsigned flo = (unsigned)m->fert_lo, fhi = (unsigned)m->fert_hi;
    int64_t records = 0;
    uint64_t t1 = 0;
    int first = 0;
    if (x >= flo && x <= fhi) {
        t1 = birth_thr(m, m->b1_thr, m->b1_p, i, *f, x, r);
        if (uB < t1) {
            records += give_birth(m, t, i, f, r, 0);
            first = 1;
            *yc = 0;
        }
    }
    if (stays && a >= flo && a <= fhi) {
        const uint64_t t2 = birth_thr(m, m->b2_thr, m->b2_p, i, *f, a, r);
        const uint64_t T =
            first ? thr_product(t1, t2) : t1 + thr_product(((uint64_t)1 << 32) - t1, t2);
        if (uB < T) {
            records += give_birth(m, t, i, f, r, 1);
            *yc = 0;
        }
    }
    return records;
}

/*
 * The step of person i, alive and aged x on 1 July t, ending at a = min(x + 1, open age).
 * Lane A decides emigration at the start (u < e) or at the end (u < cut), death (u >= stay)
 * or staying; lane B the births of both halves (women of fertile age; a woman who emigrates
 * or dies has only the first), the care transition (ages >= care_min_age - 1) or enrollment
 * (ages 0-2 on 1 July t+1). Adds the newborn records needed to *records; returns 1 if the
 * person is still there on 1 July t+1.
 */
static int person_step(const ps_micro *m, int64_t *t, size_t i, uint32_t uA, uint32_t uB,
                       const uint32_t uM[2], int64_t *records)
{
    const unsigned w = (unsigned)m->n_ages - 1, flo = (unsigned)m->fert_lo,
                   fhi = (unsigned)m->fert_hi, care_min = (unsigned)m->opt.care_min_age;
    unsigned f = m->flags[i];
    const unsigned x = m->age[i], r0 = m->region[i], sex = ps_mf_sex(f);
    const unsigned a = x < w ? x + 1 : w;
    const size_t cx = ps_mi_cell(m, r0, sex, x);
    int stays = uA >= m->cut_thr[cx] && uA < m->stay_thr[cx];
    int emigrates = uA < m->cut_thr[cx];
    unsigned r = r0;
    ps_micro_status st = {0, {0, 0, 0, 0}};
    /* Regions (#13): only an unregistered person (conversion) or a mover calls regions.c. */
    if (uM != NULL && uA >= m->e_thr[cx] &&
        ((m->rules != NULL && !(f & PS_MF_REGISTERED)) ||
         (m->flows != NULL && uM[0] < m->ms_thr[cx])) &&
        ps_micro__start_events(m, &st, i, &f, &r, x, uM[0])) {
        const int fate = ps_micro__mover_fate(m, sex, x, r, a, uA, r0);
        ps_micro__tally_move(m, t, sex, a, r0, r);
        stays = fate == 0;
        emigrates = fate == 1;
    }
    const size_t ca = ps_mi_cell(m, r, sex, a);
    unsigned yc = m->ychild[i];
    yc += yc < PS_MICRO_AGE_SATURATE ? 1u : 0u;
    const int fertile = sex == PS_SEX_FEMALE && a >= flo && x <= fhi;
    if (fertile) {
        *records += births_of(m, t, i, &f, x, a, r, stays, uB, &yc);
    }
    m->ychild[i] = (uint8_t)yc;
    if (!stays) {
        m->flags[i] = (uint16_t)(f & ~PS_MF_ALIVE);
        m->region[i] = (uint16_t)r;
        if (emigrates) {
            t[m->L.mig + ca] -= 1; /* emigrated at the start or the end */
        } else {
            t[m->L.deaths + ca] += 1;
        }
        return 0;
    }
    if ((m->opt.events & PS_MICRO_CARE) && a >= care_min) {
        const uint32_t uc = care_uniform(m, i, fertile, uB);
        f = ps_mf_with(f, PS_MF_CARE_SHIFT, care_next(m, ps_mf_care(f), x, a, uc));
    }
    if (a < PS_MICRO_CHILDCARE_AGES) {
        f = (m->opt.events & PS_MICRO_CHILDCARE) && uB < m->enr_thr[a] ? (f | PS_MF_ENROLLED)
                                                                       : (f & ~PS_MF_ENROLLED);
    } else {
        f &= ~PS_MF_ENROLLED;
    }
    unsigned f_end = f, r_end = r;
    if (uM != NULL && ((m->rules != NULL && !(f & PS_MF_REGISTERED)) ||
                       (m->flows != NULL && uM[1] < m->me_thr[ca]))) { /* regions.c (#13) */
        ps_micro__end_events(m, &st, i, &f_end, &r_end, a, 1, uM[1]);
        if (r_end != r) {
            ps_micro__tally_move(m, t, sex, a, r, r_end);
        }
    }
    /* A mother's newborns are written in the region and status she had at their birth. */
    const int late = (f_end != f || r_end != r) && m->scratch[i] != 0;
    m->scratch[i] = (uint8_t)(m->scratch[i] | (late ? PS_MS_LATE : 0u));
    m->flags[i] = (uint16_t)(late ? f : f_end);
    m->region[i] = (uint16_t)(late ? r : r_end);
    m->age[i] = (uint8_t)a;
    ps_micro__tally_person(m, t, i, f_end, r_end, a);
    return 1;
}

/* The main pass over one chunk: the living persons of each word of alive_bits (the chunk
 * owns its words, PS_MICRO_CHUNK being a multiple of 64), in id order. */
static void main_chunk(const ps_micro *m, size_t c, ps_micro_ws *ws)
{
    const size_t lo = c * PS_MICRO_CHUNK, hi = ps_micro__chunk_end(m, lo);
    int64_t records = 0;
    for (size_t wd = lo / PS_MICRO_WORD_BITS; wd * PS_MICRO_WORD_BITS < hi; ++wd) {
        const size_t base = wd * PS_MICRO_WORD_BITS;
        uint64_t bits = m->alive_bits[wd], gone = 0;
        if (bits == 0) {
            continue;
        }
        draw_word(m, ws, base);
        const int regional = m->flows != NULL || m->rules != NULL;
        uint32_t *mbuf = ws->rbuf + PS_LANES * PS_MICRO_WORD_PAIRS;
        if (m->flows != NULL) { /* internal migration (#13): lanes A/B of the MOVE stream */
            ps_micro__philox_batch(mbuf, PS_MICRO_WORD_PAIRS, (uint32_t)(base / 2),
                                   counter_step(m), PS_STREAM_MOVE, 0, m->key);
        }
        for (; bits != 0; bits &= bits - 1) {
            const unsigned j = ps_micro__lowest_bit(bits);
            const uint32_t *u = lanes_of(ws->rbuf, j);
            const uint32_t *v = lanes_of(mbuf, j);
            const uint32_t uM[2] = {m->flows != NULL ? v[0] : UINT32_MAX,
                                    m->flows != NULL ? v[PS_MICRO_WORD_PAIRS] : UINT32_MAX};
            if (!person_step(m, ws->tally, base + j, u[0], u[PS_MICRO_WORD_PAIRS],
                             regional ? uM : NULL, &records)) {
                gone |= (uint64_t)1 << j;
            }
        }
        m->alive_bits[wd] &= ~gone;
    }
    m->chunk_count[c] = records;
}

/* ---- arrivals ------------------------------------------------------------------------- */

/* Arrivals of each (half, cell): the net immigration M/2 of the half at scale, rounded
 * stochastically per cell; ids follow in (half, cell) order from m->n. */
static size_t count_arrivals(ps_micro *m)
{
    const size_t cells = (size_t)m->n_regions * PS_SEX_COUNT * (size_t)m->n_ages;
    size_t total = 0;
    for (unsigned h = 0; h < 2; ++h) {
        for (size_t c = 0; c < cells; ++c) {
            double in = PS_MID_YEAR_FRACTION * m->in->mig[(size_t)m->step * cells + c] / m->scale;
            size_t k = 0;
            if (in > 0.0) {
                uint32_t u[PS_LANES];
                ps_micro__philox(u, m->key, (uint32_t)c, counter_step(m), PS_STREAM_ROUND_MIG, h);
                double whole = floor(in);
                k = (size_t)whole + (u[PS_LANE_0] < ps_micro__thr(in - whole) ? 1u : 0u);
            }
            m->arr_first[h * cells + c] = m->n + total;
            total += k;
        }
    }
    m->arr_first[2 * cells] = m->n + total;
    return total;
}

/*
 * Parity of an arriving woman aged a at the end: the cohort engine's expected shares of her
 * cohort at the second half (migrants share the cohort's parity in the cohort engine), or
 * without a birth-order model those of the simulated women of her cohort at the start.
 */
static unsigned arrival_parity(const ps_micro *m, unsigned r, unsigned a, uint32_t u)
{
    double sh[PS_PARITY_COUNT];
    if (m->has_parity) {
        return ps_micro__parity_draw(
            &m->mid_share[((size_t)r * (size_t)m->n_ages + a) * PS_PARITY_COUNT], u);
    }
    ps_micro__parity_shares(sh, m, m->state_par, r, a > 0 ? a - 1 : 0);
    return ps_micro__parity_draw(sh, u);
}

/*
 * Arrival `id` of (half h, cell c): aged x at the start (h = 0: exposed to S(a) and to the
 * end-of-step emigration q(a)) or a at the end (h = 1). Draws (ARRIVAL stream) c3 = 0:
 * survival, parity, income, care state; c3 = 1: end emigration, second-half birth,
 * enrollment. Returns the newborn records it needs (0 or 1).
 */
static int make_arrival(const ps_micro *m, int64_t *t, size_t id, unsigned h, size_t c)
{
    const unsigned A = (unsigned)m->n_ages, w = A - 1;
    const unsigned r = (unsigned)(c / (2u * A)), sex = (unsigned)(c / A) % 2u;
    const unsigned age0 = (unsigned)(c % A), a = h == 0 ? (age0 < w ? age0 + 1 : w) : age0;
    const size_t ca = ps_mi_cell(m, r, sex, a);
    uint32_t u[PS_LANES], v[PS_LANES];
    ps_micro__philox(u, m->key, (uint32_t)id, counter_step(m), PS_STREAM_ARRIVAL, 0);
    ps_micro__philox(v, m->key, (uint32_t)id, counter_step(m), PS_STREAM_ARRIVAL, 1);
    unsigned f = sex << 1;
    if (sex == PS_SEX_FEMALE) {
        f = ps_mf_with(f, PS_MF_PARITY_SHIFT, arrival_parity(m, r, a, u[PS_LANE_1]));
    }
    f = ps_mf_with(f, PS_MF_INCOME_SHIFT, ps_micro__income_draw(m, r, u[PS_LANE_2]));
    if ((m->opt.events & PS_MICRO_CARE) && a >= (unsigned)m->opt.care_min_age) {
        f = ps_mf_with(f, PS_MF_CARE_SHIFT,
                       ps_micro__care_draw(m, m->step + 1, (int)a, u[PS_LANE_3]));
    }
    if ((m->opt.events & PS_MICRO_CHILDCARE) && a < PS_MICRO_CHILDCARE_AGES &&
        v[PS_LANE_2] < m->enr_thr[a]) {
        f |= PS_MF_ENROLLED;
    }
    m->age[id] = (uint8_t)a;
    m->ychild[id] = PS_MICRO_AGE_NONE;
    m->mage[id] = PS_MICRO_AGE_NONE;
    m->scratch[id] = 0;
    m->region[id] = (uint16_t)r;
    m->mother[id] = PS_MICRO_NO_MOTHER;
    t[m->L.mig + ca] += 1;
    int records = 0;
    if (h == 0 && u[PS_LANE_0] >= m->surv_thr[ca]) {
        t[m->L.deaths + ca] += 1;
    } else if (h == 0 && v[PS_LANE_0] < m->q_thr[ca]) {
        t[m->L.mig + ca] -= 1;
    } else {
        if (sex == PS_SEX_FEMALE && a >= (unsigned)m->fert_lo && a <= (unsigned)m->fert_hi &&
            v[PS_LANE_1] < birth_thr(m, m->b2_thr, m->b2_p, id, f | PS_MF_ALIVE, a, r)) {
            records = give_birth(m, t, id, &f, r, 1);
            m->ychild[id] = 0;
        }
        unsigned r_end = r;
        if (h == 0 && m->flows != NULL) { /* a move at the end (regions.c, #13) */
            uint32_t uS, uE;
            unsigned f_end = f;
            ps_micro_status st = {0, {0, 0, 0, 0}};
            ps_micro__move_uniforms(m, id, &uS, &uE);
            ps_micro__end_events(m, &st, id, &f_end, &r_end, a, 0, uE);
            if (r_end != r) {
                ps_micro__tally_move(m, t, sex, a, r, r_end);
                m->scratch[id] = (uint8_t)(m->scratch[id] | (records ? PS_MS_LATE : 0u));
                m->region[id] = (uint16_t)(records ? r : r_end);
            }
        }
        f |= PS_MF_ALIVE;
        ps_micro__tally_person(m, t, id, f, r_end, a);
        ps_micro__set_alive(m, id);
    }
    m->flags[id] = (uint16_t)f;
    return records;
}

static ps_status arrivals(ps_micro *m, ps_error *err)
{
    const size_t total = count_arrivals(m);
    if (total == 0) {
        return PS_OK;
    }
    ps_status rc = ps_micro__store_reserve(m, m->n + total, err);
    if (rc != PS_OK) {
        return rc;
    }
    /* Chunks that start with arrivals have no count from the main pass yet. */
    for (size_t c = m->n / PS_MICRO_CHUNK + (m->n % PS_MICRO_CHUNK != 0);
         c * PS_MICRO_CHUNK < m->n + total; ++c) {
        m->chunk_count[c] = 0;
    }
    const long slots = 2L * m->n_regions * PS_SEX_COUNT * m->n_ages;
    const long cells = slots / 2;
    const ps_micro *cm = m;
#pragma omp parallel num_threads(cm->n_threads) default(none) shared(cm, slots, cells)
    {
        ps_micro_ws *ws = &cm->ws[omp_get_thread_num()];
#pragma omp for schedule(dynamic, PS_MICRO_CHUNKS_PER_GRAB)
        for (long q = 0; q < slots; ++q) {
            for (size_t id = cm->arr_first[q]; id < cm->arr_first[q + 1]; ++id) {
                if (ps_micro__owns_id(cm, id) && make_arrival(cm, ws->tally, id, (unsigned)(q / cells), (size_t)(q % cells))) {
                    int64_t *count = &cm->chunk_count[id / PS_MICRO_CHUNK];
#pragma omp atomic update
                    *count += 1;
                }
            }
        }
    }
    m->n += total;
    return PS_OK;
}

/* ---- newborns ------------------------------------------------------------------------- */

static void newborn_write_chunk(const ps_micro *m, size_t c, ps_micro_ws *ws)
{
    const size_t lo = c * PS_MICRO_CHUNK, hi = ps_micro__chunk_end(m, lo);
    const int childcare = (m->opt.events & PS_MICRO_CHILDCARE) != 0;
    size_t id = m->n + (size_t)m->chunk_count[c];
    if (m->chunk_count[c + 1] == m->chunk_count[c]) {
        return; /* no newborn records from this chunk's mothers */
    }
    for (size_t i = lo; i < hi; ++i) {
        const unsigned sc = m->scratch[i];
        if (sc == 0) {
            continue;
        }
        m->scratch[i] = 0;
        const unsigned r = m->region[i], inc = ps_mf_income(m->flags[i]);
        for (unsigned h = 0; h < 2; ++h) {
            const unsigned b = sc >> (h * PS_MS_HALF_BITS);
            if (!(b & PS_MS_SURVIVED)) {
                continue;
            }
            unsigned f = PS_MF_ALIVE | ((b & PS_MS_GIRL) ? PS_MF_FEMALE : 0u) |
                         ((b & PS_MS_REG) ? PS_MF_REGISTERED : 0u);
            unsigned rb = r;
            f = ps_mf_with(f, PS_MF_INCOME_SHIFT, inc);
            f |= ps_micro__newborn_ledger_bits(m->flags[i], sc, h); /* ledger.c */
            if (childcare) {
                uint32_t u[PS_LANES];
                ps_micro__philox(u, m->key, (uint32_t)i, counter_step(m), PS_STREAM_BIRTH, h);
                f |= u[PS_LANE_3] < m->enr_thr[0] ? PS_MF_ENROLLED : 0u;
            }
            ps_micro__newborn_move(m, ws->tally, i, h, &f, &rb); /* regions.c (#13) */
            ps_micro__tally_person(m, ws->tally, id, f, rb, 0);
            if (!ps_micro__owns_id(m, id)) { /* for the process owning the id (split.c) */
                m->nb_out[id - m->n] = (ps_micro_newborn){.id = (uint32_t)id,
                                                          .mother = (uint32_t)i,
                                                          .region = (uint16_t)rb,
                                                          .flags = (uint16_t)f,
                                                          .mage = m->age[i]};
                ++id;
                continue;
            }
            m->age[id] = 0;
            m->ychild[id] = PS_MICRO_AGE_NONE;
            m->mage[id] = m->age[i];
            m->scratch[id] = 0;
            m->region[id] = (uint16_t)rb;
            m->flags[id] = (uint16_t)f;
            m->mother[id] = (uint32_t)i;
            ps_micro__set_alive(m, id);
            ++id;
        }
        if (sc & PS_MS_LATE) {
            ps_micro__late_update(m, i);
        }
    }
}

/* Newborn records, numbered by a prefix sum of the per-chunk counts in chunk order. */
static ps_status newborns(ps_micro *m, ps_error *err)
{
    const size_t n_chunks = (m->n + PS_MICRO_CHUNK - 1) / PS_MICRO_CHUNK;
    int64_t total = 0;
    /* Persons split (issue #15): each process counted its own mothers' chunks; the sums give
     * every process the same prefix, so ids are those of one process. */
    ps_status rc0 = ps_micro__split_sum(m, m->chunk_count, n_chunks, err);
    if (rc0 != PS_OK) {
        return rc0;
    }
    for (size_t c = 0; c < n_chunks; ++c) {
        int64_t k = m->chunk_count[c];
        m->chunk_count[c] = total;
        total += k;
    }
    m->chunk_count[n_chunks] = total; /* so that chunk c has count[c + 1] - count[c] records */
    ps_status rc = ps_micro__store_reserve(m, m->n + (size_t)total, err);
    if (rc == PS_OK) {
        rc = ps_micro__split_newborns_reserve(m, (size_t)total, err);
    }
    if (rc != PS_OK) {
        return rc;
    }
    for_chunks(m, m->n, newborn_write_chunk);
    rc = ps_micro__split_newborns(m, err); /* newborns whose ids other processes own */
    m->n += (size_t)total;
    return rc;
}

/* ---- kin: disabled elderly with a child of working age in the region ------------------ */

/* Children of working age mark their mother (scratch = 1) if she is a disabled elderly
 * person (dis_bits, so that few mothers are read at all) living in the same region. */
static void kin_mark_chunk(const ps_micro *m, size_t c, ps_micro_ws *ws)
{
    (void)ws;
    const size_t lo = c * PS_MICRO_CHUNK, hi = ps_micro__chunk_end(m, lo);
    int64_t remote = 0;
    for (size_t wd = lo / PS_MICRO_WORD_BITS; wd * PS_MICRO_WORD_BITS < hi; ++wd) {
        uint64_t req = 0;
        for (uint64_t bits = m->alive_bits[wd]; bits != 0; bits &= bits - 1) {
            const size_t i = wd * PS_MICRO_WORD_BITS + ps_micro__lowest_bit(bits);
            const uint32_t mo = ps_micro__kin_mother(m, i);
            if (mo == PS_MICRO_NO_MOTHER) {
                continue;
            }
            if (!ps_micro__owns_id(m, mo)) { /* another process marks her (split.c) */
                const uint64_t ask = ps_micro__kin_remote_disabled(m, mo);
                req |= ask << (i % PS_MICRO_WORD_BITS);
                remote += (int64_t)ask;
                continue;
            }
            const uint64_t word = m->dis_bits[mo / PS_MICRO_WORD_BITS];
            if ((word >> (mo % PS_MICRO_WORD_BITS)) & 1u && m->region[mo] == m->region[i]) {
                uint8_t *mark = &m->scratch[mo];
#pragma omp atomic write
                *mark = 1;
            }
        }
        if (m->n_ranks > 1) {
            m->req_bits[wd] = req; /* the chunk owns its words */
        }
    }
    if (m->n_ranks > 1) {
        m->chunk_count[c] = remote; /* requests to other processes (split.c) */
    }
}

/* Count the disabled elderly of a chunk by whether they were marked; clear the marks. */
static void kin_count_chunk(const ps_micro *m, size_t c, ps_micro_ws *ws)
{
    const size_t per = PS_MICRO_CHUNK / PS_MICRO_WORD_BITS;
    const size_t end = ps_micro__chunk_end(m, c * PS_MICRO_CHUNK);
    for (size_t wd = c * per; wd < (c + 1) * per && wd * PS_MICRO_WORD_BITS < end; ++wd) {
        for (uint64_t bits = m->dis_bits[wd]; bits != 0; bits &= bits - 1) {
            const size_t i = wd * PS_MICRO_WORD_BITS + ps_micro__lowest_bit(bits);
            ws->tally[m->L.dis + (size_t)m->region[i] * 2 + (m->scratch[i] != 0)] += 1;
            m->scratch[i] = 0;
        }
    }
}

ps_status ps_micro__kin(ps_micro *m, ps_error *err)
{
    ps_status rc = PS_OK;
    if ((m->opt.events & PS_MICRO_KIN) && (m->opt.events & PS_MICRO_CARE)) {
        rc = ps_micro__split_kin_begin(m, err);
        if (rc == PS_OK) {
            for_chunks(m, m->n, kin_mark_chunk);
            rc = ps_micro__split_kin_end(m, err); /* mothers of other processes */
        }
        if (rc == PS_OK) {
            for_chunks(m, m->n, kin_count_chunk);
        }
    }
    return rc;
}

/* Forget last year's disabled elderly (before the step tallies the new 1 July). */
void ps_micro__kin_reset(ps_micro *m)
{
    if (m->opt.events & PS_MICRO_KIN) {
        memset(m->dis_bits, 0, (m->cap / PS_MICRO_WORD_BITS + 1) * sizeof *m->dis_bits);
    }
}

void ps_micro__parity_shares(double sh[PS_PARITY_COUNT], const ps_micro *m, const int64_t *W,
                             unsigned reg, unsigned age)
{
    double total = 0.0;
    for (unsigned k = 0; k < PS_PARITY_COUNT; ++k) {
        sh[k] = 0.0;
        for (unsigned inc = 0; inc < PS_INCOME_COUNT; ++inc) {
            sh[k] += (double)W[ps_mi_par(m, reg, age, k, inc)];
        }
        total += sh[k];
    }
    for (unsigned k = 0; k < PS_PARITY_COUNT; ++k) {
        sh[k] = total > 0.0 ? sh[k] / total : 0.0;
    }
}

/* ---- the step ------------------------------------------------------------------------- */

/* Exact accounting identity of every cell: P(a, t+1) = P(a-1, t) [+ P(w, t)] [+ B] - D + M. */
static ps_status check_identity(const ps_micro *m, ps_error *err)
{
    const int A = m->n_ages, w = A - 1;
    for (int reg = 0; reg < m->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int a = 0; a < A; ++a) {
                size_t c = ps_mi_cell(m, (unsigned)reg, (unsigned)sex, (unsigned)a);
                int64_t before = a == 0 ? m->sum[m->L.births + (size_t)reg * 2 + (size_t)sex]
                                        : m->state_pop[c - 1] + (a == w ? m->state_pop[c] : 0);
                int64_t want = before - m->sum[m->L.deaths + c] + m->sum[m->L.mig + c];
                if (m->sum[m->L.pop + c] != want) {
                    return ps_error_set(err, PS_ENUMERIC,
                                        "microsimulation accounting fails in "
                                        "%d, region %d, %s, age %d: %lld persons, expected %lld",
                                        m->in->start_year + m->step + 1, reg,
                                        ps_sex_name((ps_sex)sex), a,
                                        (long long)m->sum[m->L.pop + c], (long long)want);
                }
            }
        }
    }
    return PS_OK;
}

ps_status ps_micro__step(ps_micro *m, ps_error *err)
{
    const size_t R = (size_t)m->n_regions;
    ps_status rc = ps_micro__shadow_step(m, err);
    if (rc != PS_OK) {
        return rc;
    }
    ps_micro__rates_step(m);
    ps_micro__tally_zero(m);
    ps_micro__kin_reset(m);
    ps_micro__split_zero_counts(m); /* chunks of other processes count nothing here */
    for_chunks(m, m->n, main_chunk);
    m->n_main = m->n;
    if ((rc = arrivals(m, err)) != PS_OK || (rc = newborns(m, err)) != PS_OK) {
        return rc;
    }
    if ((rc = ps_micro__kin(m, err)) != PS_OK) {
        return rc;
    }
    ps_micro__tally_reduce(m);
    if ((rc = ps_micro__split_sum(m, m->sum, m->L.len, err)) != PS_OK ||
        (rc = check_identity(m, err)) != PS_OK) {
        return rc;
    }
    ps_micro__fertility_scale(m, m->state_par, m->sum + m->L.par);
    memcpy(m->state_pop, m->sum + m->L.pop, R * 2 * (size_t)m->n_ages * sizeof *m->state_pop);
    memcpy(m->state_par, m->sum + m->L.par,
           R * (size_t)m->n_ages * PS_PARITY_COUNT * PS_INCOME_COUNT * sizeof *m->state_par);
    ps_micro__shadow_advance(m);
    m->step += 1;
    return PS_OK;
}

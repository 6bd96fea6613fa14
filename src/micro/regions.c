/*
 * regions.c - regions linked by internal migration, and registration (hukou) status, in the
 * microsimulation (issue #13, sec. 2; docs/model.md sec. 9). Internal migration is a person
 * moving, drawn from the cohort engine's own rates (popsim/flows.h): out_rate by origin, sex
 * and age times the origin's destination shares, per person-year of the population on 1 July.
 * The cohort engine moves half of a cohort's migrants at the start of the step (they then
 * face the destination's risks) and half at the end (ccm.c); a person here does the same:
 *   start  (aged x, not emigrating at the start): moves with h R(x) / (1 - e(x)), R the total
 *          out-rate, h = 1/2, e the start emigration; the destination is drawn from the
 *          shares; the mover's survival, births and end-of-step risks are the destination's;
 *   end    (aged a on 1 July t+1, still there and not emigrating at the end): moves with
 *          p(a) / (1 - q(a)), p(a) = h R(a) P(a, t) / (P(a, t+1) - h M(a) - h I(a)), the
 *          cohort engine's end-of-step movers over the persons there before them, q(a) the
 *          end emigration; newborns (a = 0) alike, each on its own.
 * So the expected moves by (origin, destination, sex, age) are the cohort engine's. Status:
 * each base person is registered with the region's base share; an unregistered person
 * converts (落户) with half the year's rate at the start and half at the end (before a move);
 * a registered mover stays registered with arrive_registered; international arrivals are
 * unregistered and emigrants leave whatever their status; a newborn takes its mother's
 * status at the birth. Draws: streams MOVE (per pair of ids, batched like STEP) and STATUS
 * (per person, only when a status can change), so runs without regions or rules draw
 * nothing new and stay bit-identical.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "micro/micro_int.h"
#include "popsim/units.h"

#define PS_TWO32 ((uint64_t)1 << 32)

static size_t n_cells(const ps_micro *m)
{
    return (size_t)m->n_regions * PS_SEX_COUNT * (size_t)m->n_ages;
}

ps_status ps_micro__regions_alloc(ps_micro *m, ps_error *err)
{
    m->flows = ps_proj_flows(m->proj);
    m->rules = ps_proj_registration(m->proj);
    const size_t cells = n_cells(m), R = (size_t)m->n_regions;
    int ok = 1;
    if (m->flows != NULL) {
        const size_t n_dsex = m->flows->dest_by_sex ? PS_SEX_COUNT : 1;
        m->sh_int = calloc(3 * cells, sizeof *m->sh_int);
        m->ms_thr = calloc(cells, sizeof *m->ms_thr);
        m->me_thr = calloc(cells, sizeof *m->me_thr);
        m->dest_cum = calloc(n_dsex * R * R, sizeof *m->dest_cum);
        ok = m->sh_int != NULL && m->ms_thr != NULL && m->me_thr != NULL && m->dest_cum != NULL;
    }
    if (m->rules != NULL) {
        m->conv_thr = calloc(cells, sizeof *m->conv_thr);
        ok = ok && m->conv_thr != NULL;
    }
    return ok ? PS_OK
              : ps_error_set(err, PS_ENOMEM, "out of memory for the microsimulation's regions");
}

void ps_micro__regions_free(ps_micro *m)
{
    free(m->sh_int);
    free(m->ms_thr);
    free(m->me_thr);
    free(m->dest_cum);
    free(m->conv_thr);
}

void ps_micro__regions_events(ps_micro *m, ps_proj_events *ev)
{
    if (m->flows == NULL) {
        return;
    }
    const size_t cells = n_cells(m);
    ev->internal_in = m->sh_int;
    ev->internal_out = m->sh_int + cells;
    ev->internal_net = m->sh_int + 2 * cells;
}

/* num / den as a probability: 0 if nothing happens, 1 if den does not exceed num. */
static double cond_prob(double num, double den)
{
    if (!(num > 0.0)) {
        return 0.0;
    }
    return den > num ? num / den : 1.0;
}

static double row_sum(const ps_flows *f, int period, int sex, int orig)
{
    double sum = 0.0;
    for (int dst = 0; dst < f->n_regions; ++dst) {
        sum += f->dest[ps_flows_dest_idx(f, period, sex, orig, dst)];
    }
    return sum;
}

/* Cumulative destination shares of each origin (and sex), 2^32 at and after the last
 * destination with a share, so a draw never lands on a region without one. */
static void dest_tables(ps_micro *m, int period)
{
    const ps_flows *f = m->flows;
    const int R = m->n_regions, n_dsex = f->dest_by_sex ? PS_SEX_COUNT : 1;
    for (int sex = 0; sex < n_dsex; ++sex) {
        for (int orig = 0; orig < R; ++orig) {
            uint64_t *cum = &m->dest_cum[((size_t)sex * (size_t)R + (size_t)orig) * (size_t)R];
            const double total = row_sum(f, period, sex, orig);
            double run = 0.0;
            int last = -1;
            for (int dst = 0; dst < R; ++dst) {
                const double s = f->dest[ps_flows_dest_idx(f, period, sex, orig, dst)];
                run += s;
                last = s > 0.0 ? dst : last;
                cum[dst] = total > 0.0 ? ps_micro__thr(run / total) : 0;
            }
            for (int dst = last; dst >= 0 && dst < R; ++dst) {
                cum[dst] = PS_TWO32;
            }
        }
    }
}

void ps_micro__regions_rates(ps_micro *m)
{
    const double h = PS_MID_YEAR_FRACTION;
    const size_t cells = n_cells(m), A = (size_t)m->n_ages;
    if (m->rules != NULL) {
        for (size_t k = 0; k < cells; ++k) {
            m->conv_thr[k] = ps_micro__thr(h * m->rules->conversion[k]);
        }
        m->keep_thr = ps_micro__thr(m->rules->arrive_registered);
    }
    if (m->flows == NULL) {
        return;
    }
    const ps_flows *f = m->flows;
    const int period = ps_flows_period(f, m->step);
    const double *inet = m->sh_int + 2 * cells;
    dest_tables(m, period);
    for (int reg = 0; reg < m->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const size_t c = ps_mi_cell(m, (unsigned)reg, (unsigned)sex, 0);
            const double *rate = &f->out_rate[ps_flows_rate_idx(f, period, reg, sex, 0)];
            const double *M = &m->in->mig[ps_inputs_idx(m->in, m->step, reg, sex, 0)];
            const double share = row_sum(f, period, sex, reg);
            for (size_t age = 0; age < A; ++age) {
                const double R = rate[age] * share;
                const double e = ps_micro__emig_start(m, reg, sex, (int)age);
                const double q = ps_micro__emig_end(m, reg, sex, (int)age);
                const double at_risk = m->sh_pop[1][c + age] - h * (M[age] + inet[c + age]);
                const double p = cond_prob(h * R * m->sh_pop[0][c + age], at_risk);
                m->ms_thr[c + age] = ps_micro__thr(cond_prob(h * R, 1.0 - e));
                m->me_thr[c + age] = ps_micro__thr(cond_prob(p, 1.0 - q));
            }
        }
    }
}

ps_micro_moves ps_micro__moves(const ps_micro *m, int reg, int age)
{
    ps_micro_moves mv = {0.0, 0.0, 0.0};
    if (m->flows == NULL) {
        return mv;
    }
    const ps_flows *f = m->flows;
    const double h = PS_MID_YEAR_FRACTION;
    const int period = ps_flows_period(f, m->step), sex = PS_SEX_FEMALE;
    const size_t c = ps_mi_cell(m, (unsigned)reg, (unsigned)sex, (unsigned)age);
    const double M = m->in->mig[ps_inputs_idx(m->in, m->step, reg, sex, age)];
    const double net = m->sh_int[2 * n_cells(m) + c];
    const double R = f->out_rate[ps_flows_rate_idx(f, period, reg, sex, age)] *
                     row_sum(f, period, sex, reg);
    const double out = R * m->sh_pop[0][c];
    mv.leave_start = h * R;
    mv.leave_end = cond_prob(h * out, m->sh_pop[1][c] - h * (M + net));
    mv.arrive = h * fmax(net + out, 0.0);
    return mv;
}

/* The destination of a mover from orig whose uniform u fell below the move threshold thr:
 * u's position inside [0, thr) against the cumulative shares (binary search). */
static unsigned dest_of(const ps_micro *m, unsigned sex, unsigned orig, uint32_t u, uint64_t thr)
{
    const size_t R = (size_t)m->n_regions;
    const size_t dsex = m->flows->dest_by_sex ? sex : 0;
    const uint64_t *cum = &m->dest_cum[(dsex * R + orig) * R];
    const uint64_t v = ((uint64_t)u << 32) / thr;
    size_t lo = 0, hi = R - 1;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (v < cum[mid]) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return (unsigned)lo;
}

void ps_micro__move_uniforms(const ps_micro *m, size_t id, uint32_t *uS, uint32_t *uE)
{
    uint32_t u[PS_LANES];
    ps_micro__philox(u, m->key, (uint32_t)(id / 2), (uint32_t)m->step + 1, PS_STREAM_MOVE, 0);
    *uS = u[(id & 1u) * 2];
    *uE = u[(id & 1u) * 2 + 1];
}

void ps_micro__tally_move(const ps_micro *m, int64_t *t, unsigned sex, unsigned a, unsigned r0,
                          unsigned r1)
{
    const size_t c0 = ps_mi_cell(m, r0, sex, a), c1 = ps_mi_cell(m, r1, sex, a);
    t[m->L.iout + c0] += 1;
    t[m->L.iin + c1] += 1;
    t[m->L.mig + c0] -= 1;
    t[m->L.mig + c1] += 1;
}

/* The person's STATUS numbers of this step, drawn once per person and step. */
static const uint32_t *status_u(const ps_micro *m, size_t i, ps_micro_status *st)
{
    if (!st->drawn) {
        ps_micro__philox(st->u, m->key, (uint32_t)i, (uint32_t)m->step + 1, PS_STREAM_STATUS, 0);
        st->drawn = 1;
    }
    return st->u;
}

int ps_micro__start_events(const ps_micro *m, ps_micro_status *st, size_t i, unsigned *f,
                           unsigned *r, unsigned x, uint32_t uS)
{
    const unsigned sex = ps_mf_sex(*f);
    const size_t cx = ps_mi_cell(m, *r, sex, x);
    if (m->rules != NULL && !(*f & PS_MF_REGISTERED) && m->conv_thr[cx] > 0) {
        *f |= status_u(m, i, st)[PS_LANE_0] < m->conv_thr[cx] ? PS_MF_REGISTERED : 0u;
    }
    if (m->flows == NULL || uS >= m->ms_thr[cx]) {
        return 0;
    }
    const unsigned d = dest_of(m, sex, *r, uS, m->ms_thr[cx]);
    if (m->rules != NULL && (*f & PS_MF_REGISTERED)) {
        *f &= status_u(m, i, st)[PS_LANE_1] < m->keep_thr ? ~0u : ~PS_MF_REGISTERED;
    }
    *r = d;
    return 1;
}

int ps_micro__mover_fate(const ps_micro *m, unsigned sex, unsigned x, unsigned r, unsigned a,
                         uint32_t uA, unsigned r0)
{
    const uint64_t e = m->e_thr[ps_mi_cell(m, r0, sex, x)];
    const uint64_t v = (((uint64_t)uA - e) << 32) / (PS_TWO32 - e); /* uniform given uA >= e */
    const size_t ca = ps_mi_cell(m, r, sex, a);
    const uint64_t S = m->surv_thr[ca], q = m->q_thr[ca];
    const uint64_t cut = q >= PS_TWO32 ? S : (S * q) >> 32;
    return v >= S ? 2 : v < cut ? 1 : 0;
}

void ps_micro__end_events(const ps_micro *m, ps_micro_status *st, size_t i, unsigned *f,
                          unsigned *r, unsigned a, int convert, uint32_t uE)
{
    const unsigned sex = ps_mf_sex(*f);
    const size_t ca = ps_mi_cell(m, *r, sex, a);
    if (convert && m->rules != NULL && !(*f & PS_MF_REGISTERED) && m->conv_thr[ca] > 0) {
        *f |= status_u(m, i, st)[PS_LANE_2] < m->conv_thr[ca] ? PS_MF_REGISTERED : 0u;
    }
    if (m->flows == NULL || uE >= m->me_thr[ca]) {
        return;
    }
    const unsigned d = dest_of(m, sex, *r, uE, m->me_thr[ca]);
    if (m->rules != NULL && (*f & PS_MF_REGISTERED)) {
        *f &= status_u(m, i, st)[PS_LANE_3] < m->keep_thr ? ~0u : ~PS_MF_REGISTERED;
    }
    *r = d;
}

void ps_micro__newborn_move(const ps_micro *m, int64_t *t, size_t i, unsigned h, unsigned *f,
                            unsigned *r)
{
    if (m->flows == NULL) {
        return;
    }
    const unsigned sex = ps_mf_sex(*f);
    const uint64_t thr = m->me_thr[ps_mi_cell(m, *r, sex, 0)];
    uint32_t u[PS_LANES];
    if (thr == 0) {
        return;
    }
    /* Lanes 0-3 of c3 = h serve the birth itself (step.c); c3 = 2 + h the newborn's move. */
    ps_micro__philox(u, m->key, (uint32_t)i, (uint32_t)m->step + 1, PS_STREAM_BIRTH, 2 + h);
    if (u[PS_LANE_0] >= thr) {
        return;
    }
    const unsigned d = dest_of(m, sex, *r, u[PS_LANE_0], thr);
    if (m->rules != NULL && (*f & PS_MF_REGISTERED) && u[PS_LANE_1] >= m->keep_thr) {
        *f &= ~PS_MF_REGISTERED;
    }
    ps_micro__tally_move(m, t, sex, 0, *r, d);
    *r = d;
}

void ps_micro__late_update(const ps_micro *m, size_t i)
{
    unsigned f = m->flags[i], r = m->region[i];
    uint32_t uS, uE;
    ps_micro_status st = {0, {0, 0, 0, 0}};
    ps_micro__move_uniforms(m, i, &uS, &uE);
    ps_micro__end_events(m, &st, i, &f, &r, m->age[i], i < m->n_main, uE);
    m->flags[i] = (uint16_t)f;
    m->region[i] = (uint16_t)r;
}

/* Base statuses of the persons of one chunk (one batch of STATUS numbers, the same as the
 * per-person calls), counted in the thread's tally. */
static void status_chunk(const ps_micro *m, size_t c, ps_micro_ws *ws)
{
    const size_t lo = c * PS_MICRO_CHUNK, hi = ps_micro__chunk_end(m, lo), cnt = hi - lo;
    ps_micro__philox_batch(ws->rbuf, cnt, (uint32_t)lo, 0, PS_STREAM_STATUS, 0, m->key);
    for (size_t id = lo; id < hi; ++id) {
        const unsigned reg = m->region[id], f = m->flags[id];
        if (ws->rbuf[id - lo] < ps_micro__thr(m->rules->base_share[reg])) {
            m->flags[id] = (uint16_t)(f | PS_MF_REGISTERED);
            ws->tally[m->L.reg + ps_mi_cell(m, reg, ps_mf_sex(f), m->age[id])] += 1;
        }
    }
}

ps_status ps_micro__status_init(ps_micro *m, ps_error *err)
{
    if (m->rules == NULL) {
        return PS_OK;
    }
    const size_t cells = n_cells(m);
    const long n_chunks = (long)((m->n + PS_MICRO_CHUNK - 1) / PS_MICRO_CHUNK);
    const ps_micro *cm = m;
    for (int t = 0; t < m->n_threads; ++t) {
        memset(m->ws[t].tally + m->L.reg, 0, cells * sizeof *m->ws[t].tally);
    }
#pragma omp parallel num_threads(cm->n_threads) default(none) shared(cm, n_chunks)
    {
        ps_micro_ws *ws = &cm->ws[omp_get_thread_num()];
#pragma omp for schedule(dynamic, PS_MICRO_CHUNKS_PER_GRAB)
        for (long c = 0; c < n_chunks; ++c) {
            if (ps_micro__owns_chunk(cm, (size_t)c)) { /* persons split (issue #15) */
                status_chunk(cm, (size_t)c, ws);
            }
        }
    }
    int64_t *own = m->ws[0].tally + m->L.reg; /* integer sums: any order, the same bits */
    for (int t = 1; t < m->n_threads; ++t) {
        for (size_t k = 0; k < cells; ++k) {
            own[k] += m->ws[t].tally[m->L.reg + k];
        }
    }
    ps_status rc = ps_micro__split_sum(m, own, cells, err); /* every process's persons */
    for (size_t k = 0; rc == PS_OK && k < cells; ++k) {
        m->sum[m->L.reg + k] += own[k];
    }
    return rc;
}

/* ---- results ------------------------------------------------------------------------------ */

static double *nan_cells(const ps_result *r)
{
    const size_t n = (size_t)r->n_years * (size_t)r->n_regions * PS_SEX_COUNT * (size_t)r->n_ages;
    double *a = malloc(n * sizeof *a + 1);
    for (size_t k = 0; a != NULL && k < n; ++k) {
        a[k] = NAN;
    }
    return a;
}

static ps_status init_arrays(ps_result *res, int internal, int registered, ps_error *err)
{
    ps_status rc = internal ? ps_result_init_internal(res, err) : PS_OK;
    if (rc == PS_OK && registered && (res->registered = nan_cells(res)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the registered population");
    }
    return rc;
}

ps_status ps_micro__result_init(ps_result *res, const ps_micro *m, ps_error *err)
{
    return init_arrays(res, m->flows != NULL, m->rules != NULL, err);
}

ps_status ps_micro__mean_init(ps_result *mean, const ps_result *r0, ps_error *err)
{
    return init_arrays(mean, r0->internal_in != NULL, r0->registered != NULL, err);
}

void ps_micro__record_regions_state(ps_result *res, const ps_micro *m, int y)
{
    if (res->registered == NULL) {
        return;
    }
    for (int reg = 0; reg < m->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < m->n_ages; ++age) {
                const size_t c = ps_mi_cell(m, (unsigned)reg, (unsigned)sex, (unsigned)age);
                res->registered[ps_result_cell(res, y, reg, sex, age)] =
                    m->scale * (double)m->sum[m->L.reg + c];
            }
        }
    }
}

void ps_micro__record_regions_events(ps_result *res, const ps_micro *m, int y)
{
    if (res->internal_in == NULL) {
        return;
    }
    for (int reg = 0; reg < m->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < m->n_ages; ++age) {
                const size_t c = ps_mi_cell(m, (unsigned)reg, (unsigned)sex, (unsigned)age);
                const size_t at = ps_result_cell(res, y, reg, sex, age);
                const int64_t in = m->sum[m->L.iin + c], out = m->sum[m->L.iout + c];
                res->internal_in[at] = m->scale * (double)in;
                res->internal_out[at] = m->scale * (double)out;
                res->internal_net[at] = m->scale * (double)(in - out);
            }
        }
    }
}

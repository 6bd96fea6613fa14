/*
 * micro_int.h - what the files of src/micro/ share: the person store, the packed flag bits,
 * the per-thread tallies, the per-step probability tables and the Philox streams.
 * Nothing here is public; the contract is include/popsim/micro.h.
 */
#ifndef PS_MICRO_INT_H
#define PS_MICRO_INT_H

#include <stddef.h>
#include <stdint.h>

#include <Random123/philox.h>

#include "popsim/micro.h"
#include "popsim/status.h"

/* Persons per chunk: the unit of parallel work, of per-chunk counts and of one batch of
 * random numbers. Fixed, so that chunk boundaries never depend on the thread count. */
#define PS_MICRO_CHUNK 2048
/* Chunks (or arrival cells) a thread takes at a time: dynamic scheduling balances the
 * young and the old ends of the store; which thread runs a chunk never changes results. */
#define PS_MICRO_CHUNKS_PER_GRAB 4
_Static_assert(PS_MICRO_CHUNK % 64 == 0, "a chunk owns whole 64-bit words of the bitmaps");

/* ---- packed flags (uint16 per person) -------------------------------------------------- */
#define PS_MF_ALIVE 0x0001u
#define PS_MF_FEMALE 0x0002u   /* sex bit: 0 male, 1 female (= ps_sex) */
#define PS_MF_PARITY_SHIFT 2   /* 2 bits: parity 0..3+ */
#define PS_MF_INCOME_SHIFT 4   /* 2 bits: ps_income */
#define PS_MF_CARE_SHIFT 6     /* 2 bits: care state 0..3 */
#define PS_MF_ENROLLED 0x0100u /* childcare enrollment */
#define PS_MF_REGISTERED 0x0200u /* registered (hukou) in the region of residence (#13) */
#define PS_MF_TWO_BITS 3u
/* Ledger (src/micro/ledger.c): the person's birth order + 1 (1 first .. 3 third or later;
 * 0 = unknown: base persons and arrivals) and whether it was born in the second half of its
 * birth step (January-June), both set for children born in the simulation. */
#define PS_MF_ORDER_SHIFT 10
#define PS_MF_SECOND_HALF 0x1000u

static inline unsigned ps_mf_sex(unsigned f)
{
    return (f >> 1) & 1u;
}
static inline unsigned ps_mf_parity(unsigned f)
{
    return (f >> PS_MF_PARITY_SHIFT) & PS_MF_TWO_BITS;
}
static inline unsigned ps_mf_income(unsigned f)
{
    return (f >> PS_MF_INCOME_SHIFT) & PS_MF_TWO_BITS;
}
static inline unsigned ps_mf_care(unsigned f)
{
    return (f >> PS_MF_CARE_SHIFT) & PS_MF_TWO_BITS;
}
static inline uint16_t ps_mf_with(unsigned f, unsigned shift, unsigned value)
{
    return (uint16_t)((f & ~(PS_MF_TWO_BITS << shift)) | ((value & PS_MF_TWO_BITS) << shift));
}

/* "No child born in the simulation" / "unknown" in the one-byte age fields. */
#define PS_MICRO_AGE_NONE 255u
#define PS_MICRO_AGE_SATURATE 254u

/* Scratch byte per person: births of the step (2 halves x 4 bits), later the kin mark. */
#define PS_MS_LATE 0x1u     /* (half 0 only) the mother's end-of-step move and conversion wait
                             * until her newborns are written in her mid-step region (regions.c) */
#define PS_MS_GIRL 0x2u     /* the child is a girl */
#define PS_MS_SURVIVED 0x4u /* the child is alive (and has not emigrated) on 1 July */
#define PS_MS_REG 0x8u      /* the child is registered (its mother was at the birth) */
#define PS_MS_HALF_BITS 4u
#define PS_MICRO_WORD_BITS 64 /* persons per word of dis_bits and alive_bits */
#define PS_MICRO_WORD_PAIRS (PS_MICRO_WORD_BITS / 2) /* Philox calls of the STEP stream per word */

/* ---- random streams ---------------------------------------------------------------------
 * Counter (c0, c1, c2, c3) = (person or cell id, step + 1 (0 = initialisation), stream,
 * sub-draw); key = (seed, replicate). One call gives 4 uniform 32-bit numbers ("lanes"). */
typedef enum ps_stream {
    PS_STREAM_INIT = 1,        /* base persons: parity, income, care state, enrollment */
    PS_STREAM_KIN,             /* base persons: mother's age at birth, mother alive, which woman */
    PS_STREAM_STEP,            /* each step, per pair of ids (c0 = id / 2), two lanes per person:
                                * A emigration / death, B births or care or enrollment */
    PS_STREAM_BIRTH,           /* per mother and half (c3): sex, survival, emigration, enrollment */
    PS_STREAM_ARRIVAL,         /* per arriving migrant, c3 = 0: survival, parity, income, care;
                                * c3 = 1: end emigration, second-half birth, enrollment */
    PS_STREAM_CARE,            /* care transition of a woman whose lane B served a birth */
    PS_STREAM_MOVE,            /* internal migration (#13), per pair of ids like STEP: lane A
                                * the move at the start, lane B the move at the end */
    PS_STREAM_STATUS,          /* registration (#13), per person: step 0 the base status;
                                * then conversion at the start / end, status kept by a mover
                                * at the start / end (lanes 0-3) */
    PS_STREAM_LEDGER,          /* per person, step 0 (fixed for life), c3 = 0: birth order and
                                * half of a child born before the run or arriving; c3 = 1 + i:
                                * eligible_share draw of instrument i (ledger.c) */
    PS_STREAM_ROUND_BASE = 16, /* per [reg][sex][age] cell: rounding of the base count */
    PS_STREAM_ROUND_MIG        /* per cell and half (c3): rounding of arrivals */
} ps_stream;

enum { PS_LANE_0 = 0, PS_LANE_1, PS_LANE_2, PS_LANE_3, PS_LANES };

/* 2^32: the number of values of a 32-bit uniform. */
#define PS_MICRO_TWO32 4294967296.0

/* Probability p in [0, 1] as a threshold t with P(u < t) = p for a uniform 32-bit u. */
static inline uint64_t ps_micro__thr(double p)
{
    if (!(p > 0.0)) {
        return 0;
    }
    return p >= 1.0 ? (uint64_t)1 << 32 : (uint64_t)(p * PS_MICRO_TWO32);
}

static inline void ps_micro__philox(uint32_t out[PS_LANES], const uint32_t key[2], uint32_t c0,
                                    uint32_t c1, uint32_t c2, uint32_t c3)
{
    philox4x32_ctr_t c = {{c0, c1, c2, c3}};
    philox4x32_key_t k = {{key[0], key[1]}};
    philox4x32_ctr_t r = philox4x32_R(10, c, k);
    for (int i = 0; i < PS_LANES; ++i) {
        out[i] = r.v[i];
    }
}

/* Philox4x32-10 for counters (first + i, c1, c2, c3), i < n, lane-major into out[4][n]
 * (identical numbers to ps_micro__philox; vectorised). */
void ps_micro__philox_batch(uint32_t *out, size_t n, uint32_t first, uint32_t c1, uint32_t c2,
                            uint32_t c3, const uint32_t key[2]);

/* ---- per-thread integer tallies ---------------------------------------------------------
 * Integer sums do not depend on the order of addition, so each thread counts into its own
 * copy and the copies are added after the loop: bit-identical for any thread count. */
typedef struct ps_tally_layout {
    size_t pop;    /* [reg][sex][age] alive on 1 July (end of step) */
    size_t par;    /* [reg][age][parity][income] women on 1 July */
    size_t deaths; /* [reg][sex][age at end] */
    size_t mig;    /* [reg][sex][age at end] net migrants credited to the cohort */
    size_t births; /* [reg][sex] live births */
    size_t border; /* [reg][income][order] births by the mother's income and order */
    size_t u3;     /* [reg][income] children aged 0-2 on 1 July */
    size_t u3e;    /* [reg][income] of which enrolled */
    size_t care;   /* [reg][state][age] persons on 1 July by care state */
    size_t dis;    /* [reg][has working-age child in region] disabled elderly */
    size_t iin;    /* [reg][sex][age at end] internal in-migrants (#13) */
    size_t iout;   /* [reg][sex][age at end] internal out-migrants */
    size_t reg;    /* [reg][sex][age] registered persons on 1 July */
    size_t len;
} ps_tally_layout;

/* Per-thread workspace: sized once, never allocated in a step. */
typedef struct ps_micro_ws {
    int64_t *tally; /* layout.len */
    uint32_t *rbuf; /* [PS_LANES][PS_MICRO_CHUNK] random numbers of one chunk */
} ps_micro_ws;

struct ps_micro {
    const ps_proj *proj;  /* borrowed */
    const ps_inputs *in;  /* borrowed (the projection's) */
    ps_micro_options opt; /* copy; tables borrowed */
    int n_regions, n_ages, n_steps, step, n_threads, has_parity;
    int fert_lo, fert_hi; /* ages at which births are counted (births_step of ccm.c) */
    uint32_t key[2];
    double scale;

    /* The person store (structure of arrays, PS_MICRO_BYTES_PER_PERSON per person). */
    size_t n, cap;    /* persons stored, capacity */
    uint8_t *age;     /* completed years, 0..n_ages-1 */
    uint8_t *ychild;  /* age of the youngest child born in the simulation, or NONE */
    uint8_t *mage;    /* mother's age when the person was born, or NONE */
    uint8_t *scratch; /* events of the current step (PS_MS_*), kin marks */
    uint16_t *region;
    uint16_t *flags;  /* PS_MF_* */
    uint32_t *mother; /* mother's id or PS_MICRO_NO_MOTHER */
    size_t n_chunk_cap;
    int64_t *chunk_count; /* [chunk] newborns, for deterministic ids */
    size_t *arr_first;    /* [half][reg][sex][age] + 1: first id of the arrivals of a cell */
    uint64_t *dis_bits;   /* bit id: disabled elderly on the last 1 July (kin), cap / 64 + 1 */
    uint64_t *alive_bits; /* bit id: alive (= PS_MF_ALIVE of flags), cap / 64 + 1; the passes
                           * visit the set bits only, so records of the dead cost nothing */

    /* Tallies: per thread, their sum, and the state on the last 1 July. */
    ps_tally_layout L;
    ps_micro_ws *ws;    /* [n_threads] */
    int64_t *sum;       /* layout.len */
    int64_t *state_pop; /* [reg][sex][age] on 1 July of the current step */
    int64_t *state_par; /* [reg][age][parity][income] */

    /* Probability tables of the current step (thresholds against 32-bit uniforms). Lane A
     * of a person aged x at the start is cut into [0, e) emigration at the start, [e, cut)
     * emigration at the end, [cut, stay) survival in place, [stay, 2^32) death. */
    uint64_t *surv_thr;        /* [reg][sex][age at end] S(a); [.][.][0] infants */
    uint64_t *e_thr;           /* [reg][sex][age at start] e */
    uint64_t *cut_thr;         /* [reg][sex][age at start] e + q (1 - e) S(a) */
    uint64_t *stay_thr;        /* [reg][sex][age at start] e + (1 - e) S(a) */
    uint64_t *q_thr;           /* [reg][sex][age at end] q: emigration at the end of the step */
    uint64_t *male_thr;        /* [reg] a birth is a boy */
    uint64_t *b1_thr, *b2_thr; /* [reg][age][parity][income] birth in the first half (age at
                                * the start) / second half (age at the end), with multipliers */
    double *b1_p, *b2_p;       /* same, as probabilities (for the per-person hook) */
    double *fert_scale;        /* [reg] the step's fertility_scale (births with / without
                                * the multipliers, expected) */
    uint64_t *inc_thr;         /* [reg][2] cumulative income shares */
    uint64_t *care_lo;         /* [age at start][state] interval start, 2^32 units */
    uint64_t *care_w;          /* [age at start][state] interval width */
    uint64_t *care_t;          /* [age at end][level] thresholds of the new states */
    uint64_t enr_thr[PS_MICRO_CHILDCARE_AGES]; /* ages 0..2 on the coming 1 July */
    const double *mult;                        /* [reg][order] of the current step, NULL = 1 */

    /* The cohort engine run alongside: its expected state on 1 July t ([0]) and t+1 ([1]),
     * and (birth-order model) the birth probabilities by parity derived from it. */
    double *sh_pop[2];   /* [reg][sex][age] persons */
    double *sh_par[2];   /* [reg][age][parity] women */
    double *sh_ev;       /* the cohort step's events (births, deaths, migrants, orders) */
    double sh_shortfall; /* the cohort step's emigration_shortfall, persons */
    double *h1p, *h2p;   /* [reg][age][parity] birth probability in the first half (age at
                          * the start) and in the second (age at the end), no multipliers */
    double *mid_share;   /* [reg][age at end][parity] parity shares at the second half */
    double *mw[2];       /* [reg][age][parity] the microsimulation's expected women by
                          * parity on 1 July t and t+1 (its own dynamics, shadow.c) */

    /* Regions linked by internal migration, and registration status (issue #13, regions.c).
     * NULL / 0 without: then nothing below is drawn and the step is that of one region. */
    const ps_flows *flows;        /* borrowed from the projection */
    const ps_registration *rules; /* borrowed from the projection */
    size_t n_main;       /* persons stored before the step's arrivals */
    double *sh_int;      /* [3][reg][sex][age] the cohort step's internal in, out, net */
    uint64_t *ms_thr;    /* [reg][sex][age at start] move at the start, given no emigration */
    uint64_t *me_thr;    /* [reg][sex][age at end] move at the end, given no emigration */
    uint64_t *dest_cum;  /* [dsex][orig][dest] cumulative destination shares, 2^32 units */
    uint64_t *conv_thr;  /* [reg][sex][age] conversion in one half-step: rate / 2 */
    uint64_t keep_thr;   /* a registered mover stays registered (arrive_registered) */

    /* Persons split across processes (issue #15, split.c); n_ranks 1 without. */
    const ps_micro_comm *comm; /* borrowed (opt.comm); NULL without */
    int rank, n_ranks;
    uint64_t *xbytes;          /* [2][n_ranks] bytes sent to / received from each process */
    void *sbuf, *rbuf;         /* exchange buffers and their capacities, bytes */
    size_t sbuf_cap, rbuf_cap;
    struct ps_micro_newborn *nb_out; /* [newborn id - n] records for other processes */
    size_t nb_cap;             /* bytes */
    uint64_t *dis_all;         /* every process's dis_bits (bitwise OR), for the kin pass */
    uint64_t *req_bits;        /* bit id: the child asks another process to mark its mother */
    size_t dis_all_cap, req_bits_cap; /* bytes */
    int split_failed;          /* 1: the processes agreed that one failed: no more collectives */
};

/* ---- persons split across processes (issue #15, split.c) -------------------------------- */
_Static_assert(PS_MICRO_SPLIT_BLOCK_IDS % PS_MICRO_CHUNK == 0,
               "a process owns whole chunks (and whole pages of every person array)");

/* Process owning person id: blocks of PS_MICRO_SPLIT_BLOCK_IDS ids, round robin. */
static inline int ps_micro__owner(const ps_micro *m, size_t id)
{
    return (int)((id / PS_MICRO_SPLIT_BLOCK_IDS) % (size_t)m->n_ranks);
}
static inline int ps_micro__owns_id(const ps_micro *m, size_t id)
{
    return m->n_ranks <= 1 || ps_micro__owner(m, id) == m->rank;
}
static inline int ps_micro__owns_chunk(const ps_micro *m, size_t chunk)
{
    return ps_micro__owns_id(m, chunk * PS_MICRO_CHUNK);
}

/* A newborn written by its mother's process for the process that owns its id. */
typedef struct ps_micro_newborn {
    uint32_t id, mother;
    uint16_t region, flags;
    uint8_t mage, pad[3];
} ps_micro_newborn;

ps_status ps_micro__split_init(ps_micro *m, ps_error *err);
/* Agree on this process's status rc with the others (ps_micro_comm.agree) unless a failure
 * was agreed already (*agreed); returns rc if it failed here, PS_EIO naming the process if
 * another failed, else PS_OK. A no-op returning rc without a split or without valid hooks. */
ps_status ps_micro__split_agree(const ps_micro_comm *c, int *agreed, ps_status rc,
                                ps_error *err);
void ps_micro__split_free(ps_micro *m);
/* buf[0..n-1] summed over the processes (a no-op in one process). */
ps_status ps_micro__split_sum(ps_micro *m, int64_t *buf, size_t n, ps_error *err);
/* Zero the per-chunk counts [0, chunks of m->n] before a pass that sets only owned ones. */
void ps_micro__split_zero_counts(ps_micro *m);
/* Room for the step's `total` newborns bound for other processes (before the writing pass). */
ps_status ps_micro__split_newborns_reserve(ps_micro *m, size_t total, ps_error *err);
/* After the writing pass (chunk_count holds the prefix sums): send the newborns written
 * into nb_out to the processes owning their ids, and write those received here. */
ps_status ps_micro__split_newborns(ps_micro *m, ps_error *err);
/* Kin: before the marking pass, every process's disabled elderly (dis_all) and zero counts;
 * after it, the marks of mothers owned by other processes, sent to them and applied. */
ps_status ps_micro__split_kin_begin(ps_micro *m, ps_error *err);
ps_status ps_micro__split_kin_end(ps_micro *m, ps_error *err);

/* The mother whom child i (alive) marks in the kin pass: of working age, with a mother old
 * enough to be an elderly person; PS_MICRO_NO_MOTHER otherwise. */
static inline uint32_t ps_micro__kin_mother(const ps_micro *m, size_t i)
{
    const unsigned a = m->age[i], mo_age = m->mage[i];
    if (a < (unsigned)m->opt.working_age_min || a > (unsigned)m->opt.working_age_max ||
        mo_age == PS_MICRO_AGE_NONE || a + mo_age < (unsigned)m->opt.care_min_age) {
        return PS_MICRO_NO_MOTHER;
    }
    return m->mother[i];
}

/* Mother mo is a disabled elderly person owned by another process (dis_all). */
static inline int ps_micro__kin_remote_disabled(const ps_micro *m, uint32_t mo)
{
    return (m->dis_all[mo / PS_MICRO_WORD_BITS] >> (mo % PS_MICRO_WORD_BITS)) & 1u;
}

/* Index helpers. */
static inline size_t ps_mi_cell(const ps_micro *m, unsigned reg, unsigned sex, unsigned age)
{
    return ((size_t)reg * 2u + sex) * (size_t)m->n_ages + age;
}
static inline size_t ps_mi_par(const ps_micro *m, unsigned reg, unsigned age, unsigned parity,
                               unsigned income)
{
    return (((size_t)reg * (size_t)m->n_ages + age) * PS_PARITY_COUNT + parity) * PS_INCOME_COUNT +
           income;
}

/* End of the chunk of persons starting at id lo. */
static inline size_t ps_micro__chunk_end(const ps_micro *m, size_t lo)
{
    return lo + PS_MICRO_CHUNK < m->n ? lo + PS_MICRO_CHUNK : m->n;
}

/* Mark person id alive in alive_bits; atomic, for passes in which two threads may write
 * persons of the same 64-bit word (arrivals, newborns). */
static inline void ps_micro__set_alive(const ps_micro *m, size_t id)
{
    uint64_t *word = &m->alive_bits[id / PS_MICRO_WORD_BITS];
    const uint64_t bit = (uint64_t)1 << (id % PS_MICRO_WORD_BITS);
#pragma omp atomic update
    *word |= bit;
}

/* Index of the lowest set bit of a non-zero word. */
static inline unsigned ps_micro__lowest_bit(uint64_t w)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_ctzll(w);
#else
    unsigned k = 0;
    while (!((w >> k) & 1u)) {
        ++k;
    }
    return k;
#endif
}

/* Count person i (flags f, region r, age a) in the 1 July state tallies, and note the
 * disabled elderly for the kin passes. */
static inline void ps_micro__tally_person(const ps_micro *m, int64_t *t, size_t i, unsigned f,
                                          unsigned r, unsigned a)
{
    const unsigned sex = ps_mf_sex(f), inc = ps_mf_income(f);
    t[m->L.pop + ps_mi_cell(m, r, sex, a)] += 1;
    t[m->L.reg + ps_mi_cell(m, r, sex, a)] += (f & PS_MF_REGISTERED) ? 1 : 0;
    if (sex == PS_SEX_FEMALE) {
        t[m->L.par + ps_mi_par(m, r, a, ps_mf_parity(f), inc)] += 1;
    }
    if (a < PS_MICRO_CHILDCARE_AGES) {
        t[m->L.u3 + (size_t)r * PS_INCOME_COUNT + inc] += 1;
        t[m->L.u3e + (size_t)r * PS_INCOME_COUNT + inc] += (f & PS_MF_ENROLLED) ? 1 : 0;
    }
    if (a >= (unsigned)m->opt.care_min_age) {
        t[m->L.care + ((size_t)r * PS_MICRO_CARE_STATES + ps_mf_care(f)) * (size_t)m->n_ages + a] +=
            1;
        if (ps_mf_care(f) >= (unsigned)m->opt.disabled_level && (m->opt.events & PS_MICRO_KIN)) {
            uint64_t *word = &m->dis_bits[i / PS_MICRO_WORD_BITS];
            const uint64_t bit = (uint64_t)1 << (i % PS_MICRO_WORD_BITS);
#pragma omp atomic update
            *word |= bit;
        }
    }
}

/* ps_micro__tally_person for n persons of the same flags f, region r and age a whose care
 * state marks none of them in dis_bits (the base population's segments, init.c): the same
 * cells, n added at once. */
static inline void ps_micro__tally_persons(const ps_micro *m, int64_t *t, unsigned f, unsigned r,
                                           unsigned a, int64_t n)
{
    const unsigned sex = ps_mf_sex(f), inc = ps_mf_income(f);
    t[m->L.pop + ps_mi_cell(m, r, sex, a)] += n;
    t[m->L.reg + ps_mi_cell(m, r, sex, a)] += (f & PS_MF_REGISTERED) ? n : 0;
    if (sex == PS_SEX_FEMALE) {
        t[m->L.par + ps_mi_par(m, r, a, ps_mf_parity(f), inc)] += n;
    }
    if (a < PS_MICRO_CHILDCARE_AGES) {
        t[m->L.u3 + (size_t)r * PS_INCOME_COUNT + inc] += n;
        t[m->L.u3e + (size_t)r * PS_INCOME_COUNT + inc] += (f & PS_MF_ENROLLED) ? n : 0;
    }
    if (a >= (unsigned)m->opt.care_min_age) {
        t[m->L.care + ((size_t)r * PS_MICRO_CARE_STATES + ps_mf_care(f)) * (size_t)m->n_ages + a] +=
            n;
    }
}

/* Income class of a person of region reg drawn from the shares with uniform u. */
static inline unsigned ps_micro__income_draw(const ps_micro *m, unsigned reg, uint32_t u)
{
    if (m->opt.income_share == NULL) {
        return PS_INCOME_OTHER;
    }
    const uint64_t *t = &m->inc_thr[(size_t)reg * 2];
    return u < t[0] ? PS_INCOME_LOW : u < t[1] ? PS_INCOME_SUBSISTENCE : PS_INCOME_OTHER;
}

/* store.c */
ps_status ps_micro__store_alloc(ps_micro *m, size_t cap, ps_error *err);
ps_status ps_micro__store_reserve(ps_micro *m, size_t need, ps_error *err);
void ps_micro__store_free(ps_micro *m);
void ps_micro__tally_zero(ps_micro *m);
void ps_micro__tally_reduce(ps_micro *m);

/* prefault.c: map (and zero) the pages of persons [lo, hi) of every person array and of
 * alive_bits in one call per array, on the calling thread (issue #18). */
void ps_micro__prefault(const ps_micro *m, size_t lo, size_t hi);

/* init.c */
ps_status ps_micro__populate(ps_micro *m, const double *women0, ps_error *err);
void ps_micro__care_interval(const ps_micro *m, int year_index, int age,
                             uint64_t lo[PS_MICRO_CARE_STATES], uint64_t w[PS_MICRO_CARE_STATES]);
unsigned ps_micro__care_draw(const ps_micro *m, int year_index, int age, uint32_t u);
unsigned ps_micro__parity_draw(const double shares[PS_PARITY_COUNT], uint32_t u);

/* rates.c */
void ps_micro__rates_step(ps_micro *m);
double ps_micro__emig_start(const ps_micro *m, int reg, int sex, int x);
double ps_micro__emig_end(const ps_micro *m, int reg, int sex, int a);
void ps_micro__fertility_scale(ps_micro *m, const int64_t *start, const int64_t *end);

/* shadow.c */
ps_status ps_micro__shadow_alloc(ps_micro *m, const double *women0, ps_error *err);
ps_status ps_micro__shadow_step(ps_micro *m, ps_error *err);
void ps_micro__shadow_advance(ps_micro *m);
void ps_micro__shadow_free(ps_micro *m);
void ps_micro__rates_emigration(ps_micro *m, uint64_t *thr, const int64_t *pop, int end);

/* Shares of parity 0..3 among the women (all income classes) of a cell of a tally. */
void ps_micro__parity_shares(double sh[PS_PARITY_COUNT], const ps_micro *m, const int64_t *W,
                             unsigned reg, unsigned age);

/* regions.c: internal migration as person moves and registration status (issue #13) */
/* The expected internal moves of the women of one region and age (the microsimulation's own
 * women by parity, shadow.c): shares leaving at the start (h R) and at the end (p, of those
 * there before), and the persons arriving in each half (h x in-migrants). */
typedef struct ps_micro_moves {
    double leave_start, leave_end, arrive;
} ps_micro_moves;
ps_micro_moves ps_micro__moves(const ps_micro *m, int reg, int age);
ps_status ps_micro__regions_alloc(ps_micro *m, ps_error *err);
void ps_micro__regions_free(ps_micro *m);
void ps_micro__regions_events(ps_micro *m, ps_proj_events *ev);
void ps_micro__regions_rates(ps_micro *m);
ps_status ps_micro__status_init(ps_micro *m, ps_error *err);
/* What happens to a person at the start of the step (before births): conversion, then a move
 * given no emigration at the start (uS: lane A of the MOVE stream, uA: lane A of STEP, which
 * a mover's fate reuses). Updates *f and *r; returns 1 if the person moved. */
typedef struct ps_micro_status {
    int drawn; /* u holds the person's STATUS numbers of this step */
    uint32_t u[PS_LANES];
} ps_micro_status;
int ps_micro__start_events(const ps_micro *m, ps_micro_status *st, size_t i, unsigned *f,
                           unsigned *r, unsigned x, uint32_t uS);
/* A start mover's fate in its destination from uA's position above e: 0 stays, 1 emigrates
 * at the end, 2 dies. */
int ps_micro__mover_fate(const ps_micro *m, unsigned sex, unsigned x, unsigned r, unsigned a,
                         uint32_t uA, unsigned r0);
/* The end of the step of a person still there (after births): conversion, then a move given
 * no emigration at the end. convert = 0 for the step's arrivals. Pure: the same numbers when
 * called again for a mother whose update waits for her newborns (PS_MS_LATE). */
void ps_micro__end_events(const ps_micro *m, ps_micro_status *st, size_t i, unsigned *f,
                          unsigned *r, unsigned a, int convert, uint32_t uE);
/* Count the move of a person of sex s aged a at the end from r0 to r1 (r0 != r1). */
void ps_micro__tally_move(const ps_micro *m, int64_t *t, unsigned sex, unsigned a, unsigned r0,
                          unsigned r1);
/* Lanes A (start) and B (end) of the MOVE stream of person id (= the batched numbers). */
void ps_micro__move_uniforms(const ps_micro *m, size_t id, uint32_t *uS, uint32_t *uE);
/* A newborn of mother i, half h, in region *r with flags *f: its own move at the end. */
void ps_micro__newborn_move(const ps_micro *m, int64_t *t, size_t i, unsigned h, unsigned *f,
                            unsigned *r);
/* The mother's waiting end-of-step update (PS_MS_LATE), after her newborns are written. */
void ps_micro__late_update(const ps_micro *m, size_t i);
/* Results: the internal-migration and registered arrays of a run (when the projection has
 * flows / rules), their 1 July state and the step's moves, and their mean over replicates. */
ps_status ps_micro__result_init(ps_result *res, const ps_micro *m, ps_error *err);
void ps_micro__record_regions_state(ps_result *res, const ps_micro *m, int y);
void ps_micro__record_regions_events(ps_result *res, const ps_micro *m, int y);
ps_status ps_micro__mean_init(ps_result *mean, const ps_result *r0, ps_error *err);

/* ledger.c: the birth-order and half bits (PS_MF_ORDER_SHIFT, PS_MF_SECOND_HALF) of the
 * newborn of half h of a mother with flags mother_f (after the step's births) and scratch sc. */
unsigned ps_micro__newborn_ledger_bits(unsigned mother_f, unsigned sc, unsigned h);

/* step.c */
ps_status ps_micro__step(ps_micro *m, ps_error *err);
ps_status ps_micro__kin(ps_micro *m, ps_error *err);
void ps_micro__kin_reset(ps_micro *m);

#endif /* PS_MICRO_INT_H */

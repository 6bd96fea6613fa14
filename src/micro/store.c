/*
 * store.c - the person store of the microsimulation and its memory estimate.
 *
 * Persons are a structure of arrays indexed by person id (records of the dead are kept,
 * so an id is also the index and never changes). The store is sized once from an upper
 * bound of the persons a run will ever hold: the base population plus every birth and
 * arrival of a projection of the same inputs without deaths (ps_micro_estimate_persons).
 * Should policy multipliers push births beyond it, the arrays grow geometrically between
 * the passes of a step, never inside one.
 */
#define _GNU_SOURCE /* mremap, MAP_ANONYMOUS, MADV_HUGEPAGE (Linux) */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "micro/micro_int.h"
#include "popsim/memory.h"
#include "popsim/units.h"

/* Safety margin of the persons bound over its expectation: relative, and in standard
 * deviations of a Poisson count. */
#define PS_MICRO_BOUND_REL 0.05
#define PS_MICRO_BOUND_SD 6.0
/* Geometric growth of the store when the bound is exceeded. */
#define PS_MICRO_GROWTH 1.5
/* Threads assumed by the estimate when OpenMP reports fewer (workspaces are small). */
#define PS_MICRO_EST_MIN_THREADS 4

/* Expected persons ever stored at scale 1: base + births + arrivals without deaths. */
static double persons_ever(const ps_inputs *in)
{
    const int n = in->n_ages, steps = ps_inputs_steps(in);
    double *P = malloc((size_t)n * PS_SEX_COUNT * 2 * sizeof *P); /* F, F', M, M' */
    if (P == NULL) {
        return HUGE_VAL;
    }
    double ever = 0.0;
    for (int reg = 0; reg < in->n_regions; ++reg) {
        double *F = P, *Fn = P + n, *Mn = P + 2 * n, *Mo = P + 3 * n;
        for (int age = 0; age < n; ++age) {
            F[age] = in->base.count[ps_pop_idx(&in->base, reg, PS_SEX_FEMALE, age)];
            Mo[age] = in->base.count[ps_pop_idx(&in->base, reg, PS_SEX_MALE, age)];
            ever += F[age] + Mo[age];
        }
        for (int step = 0; step < steps; ++step) {
            double births = 0.0, arrivals = 0.0;
            const double *asfr = &in->asfr[ps_inputs_asfr_idx(in, step, reg, 0)];
            for (int age = n - 1; age >= 1; --age) {
                double mf = fmax(in->mig[ps_inputs_idx(in, step, reg, PS_SEX_FEMALE, age)], 0.0);
                double mm = fmax(in->mig[ps_inputs_idx(in, step, reg, PS_SEX_MALE, age)], 0.0);
                Fn[age] = F[age - 1] + mf + (age == n - 1 ? F[age] : 0.0);
                Mn[age] = Mo[age - 1] + mm + (age == n - 1 ? Mo[age] : 0.0);
                arrivals += mf + mm;
            }
            for (int age = PS_FERTILE_AGE_MIN; age <= PS_FERTILE_AGE_MAX && age < n; ++age) {
                births += asfr[age] * PS_MID_YEAR_FRACTION * (F[age] + Fn[age]);
            }
            arrivals += fmax(in->mig[ps_inputs_idx(in, step, reg, PS_SEX_FEMALE, 0)], 0.0) +
                        fmax(in->mig[ps_inputs_idx(in, step, reg, PS_SEX_MALE, 0)], 0.0);
            Fn[0] = births;
            Mn[0] = births;
            memcpy(F, Fn, (size_t)n * sizeof *F);
            memcpy(Mo, Mn, (size_t)n * sizeof *Mo);
            ever += births + arrivals;
        }
    }
    free(P);
    return ever;
}

double ps_micro_estimate_persons(const ps_inputs *in, double scale)
{
    if (!(scale >= 1.0)) {
        scale = 1.0;
    }
    const double cells = (double)in->n_regions * PS_SEX_COUNT * in->n_ages;
    const double mean = persons_ever(in) / scale;
    /* Each stochastic rounding adds at most one person per cell: the base and 2 halves. */
    const double rounding = cells * (1.0 + 2.0 * ps_inputs_steps(in));
    return ceil(mean * (1.0 + PS_MICRO_BOUND_REL) + PS_MICRO_BOUND_SD * sqrt(mean) + rounding +
                PS_MICRO_CHUNK);
}

/* a * b and a + b saturating at SIZE_MAX. */
static size_t mul_sat(size_t a, size_t b)
{
    return (a != 0 && b > SIZE_MAX / a) ? SIZE_MAX : a * b;
}
static size_t add_sat(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t tally_len(int n_regions, int n_ages)
{
    const size_t R = (size_t)n_regions, A = (size_t)n_ages;
    const size_t par = A * PS_PARITY_COUNT * PS_INCOME_COUNT;
    return R * (12 * A + par + 2 + PS_INCOME_COUNT * PS_ORDER_COUNT + 2 * PS_INCOME_COUNT +
                PS_MICRO_CARE_STATES * A + 2);
}

/* Bytes of one of n_ranks processes (n_ranks 1: the whole run): its share of the person
 * records and of the per-chunk counts; every process holds the full bitmaps and tables. */
static size_t estimate_bytes(const ps_inputs *in, double scale, int n_ranks)
{
    const double persons = ps_micro_estimate_persons(in, scale);
    if (!(persons < (double)SIZE_MAX / PS_MICRO_BYTES_PER_PERSON)) {
        return SIZE_MAX;
    }
    size_t np = (size_t)persons;
    const size_t share = n_ranks > 1 ? np / (size_t)n_ranks + PS_MICRO_SPLIT_BLOCK_IDS : np;
    int threads = omp_get_max_threads();
    if (threads < PS_MICRO_EST_MIN_THREADS) {
        threads = PS_MICRO_EST_MIN_THREADS;
    }
    const size_t tl = tally_len(in->n_regions, in->n_ages);
    size_t per_thread =
        add_sat(mul_sat(tl, sizeof(int64_t)), (size_t)PS_LANES * PS_MICRO_CHUNK * sizeof(uint32_t));
    size_t bytes = mul_sat(share < np ? share : np, PS_MICRO_BYTES_PER_PERSON);
    bytes = add_sat(bytes, mul_sat(np / PS_MICRO_CHUNK + 1, sizeof(int64_t)));
    /* The alive and disabled bitmaps: one bit each per person. */
    bytes = add_sat(bytes, mul_sat(np / PS_MICRO_WORD_BITS + 1, 2 * sizeof(uint64_t)));
    if (n_ranks > 1) { /* split.c: every process's disabled elderly and the kin requests */
        bytes = add_sat(bytes, mul_sat(np / PS_MICRO_WORD_BITS + 1, 2 * sizeof(uint64_t)));
    }
    bytes = add_sat(bytes, mul_sat(per_thread, (size_t)threads));
    /* Sum, state and probability tables: a few tallies' worth. */
    bytes = add_sat(bytes, mul_sat(tl, 4 * sizeof(int64_t)));
    /* The result (as for a cohort run with parity and policy arrays) and the extra arrays. */
    ps_mem_shape shape = {.n_steps = ps_inputs_steps(in),
                          .n_regions = in->n_regions,
                          .n_ages = in->n_ages,
                          .n_scenarios = 1};
    bytes = add_sat(bytes, ps_mem_estimate(&shape));
    size_t years_reg = (size_t)(shape.n_steps + 1) * (size_t)in->n_regions;
    size_t extra = years_reg * (PS_INCOME_COUNT * (PS_ORDER_COUNT + 2) + 2 +
                                PS_MICRO_CARE_LEVELS_MAX * (size_t)in->n_ages);
    return add_sat(bytes, mul_sat(extra, sizeof(double)));
}

size_t ps_micro_estimate_bytes(const ps_inputs *in, double scale)
{
    return estimate_bytes(in, scale, 1);
}

size_t ps_micro_estimate_bytes_split(const ps_inputs *in, double scale, int n_ranks)
{
    return estimate_bytes(in, scale, n_ranks);
}

/*
 * Person arrays are anonymous mappings, not malloc blocks: they grow in place or move with
 * mremap (no copy through user space) and start zeroed. With opt.huge_pages they ask for
 * transparent huge pages (madvise MADV_HUGEPAGE, honoured where
 * /sys/kernel/mm/transparent_hugepage allows it): 512 times fewer page faults, but on the
 * project's virtual machine the first touch of huge pages took 3-6 times the system time of
 * 4 KiB pages (docs/micro.md sec. 7), so it is off by default.
 */
static void advise_huge(void *p, size_t bytes, int huge)
{
#ifdef MADV_HUGEPAGE
    if (huge && p != NULL && bytes > 0) {
        (void)madvise(p, bytes, MADV_HUGEPAGE); /* a hint: refusal costs speed only */
    }
#else
    (void)p;
    (void)bytes;
    (void)huge;
#endif
}

/* Resize the mapping *p from `old` to `bytes` bytes (old = 0: new mapping); 0 on success,
 * keeping the old mapping on failure. */
static int grow_map(void **p, size_t old, size_t bytes, int huge)
{
    void *q = *p == NULL ? mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                                -1, 0)
                         : mremap(*p, old, bytes, MREMAP_MAYMOVE);
    if (q == MAP_FAILED) {
        return 1;
    }
    advise_huge(q, bytes, huge);
    *p = q;
    return 0;
}

static void free_map(void *p, size_t bytes)
{
    if (p != NULL) {
        munmap(p, bytes);
    }
}

/* The person arrays of the store in one table, so that growing and freeing them is one
 * loop: (field, bytes per person). */
typedef struct store_array {
    void **field;
    size_t width;
} store_array;

enum { PS_STORE_ARRAYS = 7 };

static void store_arrays(store_array a[PS_STORE_ARRAYS], ps_micro *m)
{
    a[0] = (store_array){(void **)&m->age, sizeof *m->age};
    a[1] = (store_array){(void **)&m->ychild, sizeof *m->ychild};
    a[2] = (store_array){(void **)&m->mage, sizeof *m->mage};
    a[3] = (store_array){(void **)&m->scratch, sizeof *m->scratch};
    a[4] = (store_array){(void **)&m->region, sizeof *m->region};
    a[5] = (store_array){(void **)&m->flags, sizeof *m->flags};
    a[6] = (store_array){(void **)&m->mother, sizeof *m->mother};
}

static size_t words_of(size_t cap)
{
    return cap / PS_MICRO_WORD_BITS + 1;
}

static ps_status grow_arrays(ps_micro *m, size_t cap, ps_error *err)
{
    store_array a[PS_STORE_ARRAYS];
    store_arrays(a, m);
    int failed = 0;
    for (int k = 0; k < PS_STORE_ARRAYS; ++k) {
        failed += grow_map(a[k].field, m->cap * a[k].width, cap * a[k].width, m->opt.huge_pages);
    }
    /* New mappings and the grown part of a remapped one are zero, as the bitmaps need. */
    const size_t word_bytes = sizeof *m->dis_bits;
    const size_t old_words = m->dis_bits != NULL ? words_of(m->cap) : 0;
    failed += grow_map((void **)&m->dis_bits, old_words * word_bytes, words_of(cap) * word_bytes,
                       m->opt.huge_pages);
    failed += grow_map((void **)&m->alive_bits, old_words * word_bytes,
                       words_of(cap) * word_bytes, m->opt.huge_pages);
    size_t chunks = cap / PS_MICRO_CHUNK + 2; /* and the total after the last */
    int64_t *cc = realloc(m->chunk_count, chunks * sizeof *cc);
    if (cc != NULL) {
        m->chunk_count = cc;
    }
    if (failed || cc == NULL) {
        return ps_error_set(err, PS_ENOMEM,
                            "out of memory for %zu simulated persons "
                            "(%d bytes each)",
                            cap, PS_MICRO_BYTES_PER_PERSON);
    }
    m->n_chunk_cap = chunks;
    m->cap = cap;
    return PS_OK;
}

/* Offset of the next n tally cells. */
static size_t take(size_t *o, size_t n)
{
    size_t at = *o;
    *o += n;
    return at;
}

ps_status ps_micro__store_alloc(ps_micro *m, size_t cap, ps_error *err)
{
    m->n = 0;
    m->L.len = 0;
    const size_t R = (size_t)m->n_regions, A = (size_t)m->n_ages;
    const size_t par = A * PS_PARITY_COUNT * PS_INCOME_COUNT;
    size_t o = 0;
    m->L.pop = take(&o, R * 2 * A);
    m->L.par = take(&o, R * par);
    m->L.deaths = take(&o, R * 2 * A);
    m->L.mig = take(&o, R * 2 * A);
    m->L.births = take(&o, R * 2);
    m->L.border = take(&o, R * PS_INCOME_COUNT * PS_ORDER_COUNT);
    m->L.u3 = take(&o, R * PS_INCOME_COUNT);
    m->L.u3e = take(&o, R * PS_INCOME_COUNT);
    m->L.care = take(&o, R * PS_MICRO_CARE_STATES * A);
    m->L.dis = take(&o, R * 2);
    m->L.iin = take(&o, R * 2 * A);
    m->L.iout = take(&o, R * 2 * A);
    m->L.reg = take(&o, R * 2 * A);
    m->L.len = o;
    if (o != tally_len(m->n_regions, m->n_ages)) {
        return ps_error_set(err, PS_ENUMERIC, "internal: tally layout mismatch");
    }
    m->ws = calloc((size_t)m->n_threads, sizeof *m->ws);
    m->sum = calloc(o, sizeof *m->sum);
    m->state_pop = calloc(R * 2 * A, sizeof *m->state_pop);
    m->state_par = calloc(R * par, sizeof *m->state_par);
    if (m->ws == NULL || m->sum == NULL || m->state_pop == NULL || m->state_par == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the microsimulation tallies");
    }
    for (int t = 0; t < m->n_threads; ++t) {
        m->ws[t].tally = calloc(o, sizeof *m->ws[t].tally);
        m->ws[t].rbuf = malloc((size_t)PS_LANES * PS_MICRO_CHUNK * sizeof *m->ws[t].rbuf);
        if (m->ws[t].tally == NULL || m->ws[t].rbuf == NULL) {
            return ps_error_set(err, PS_ENOMEM, "out of memory for the thread workspaces");
        }
    }
    return grow_arrays(m, cap, err);
}

ps_status ps_micro__store_reserve(ps_micro *m, size_t need, ps_error *err)
{
    if (need <= m->cap) {
        return PS_OK;
    }
    if (need > (size_t)UINT32_MAX) {
        return ps_error_set(err, PS_ENOMEM,
                            "more than %u simulated persons; use a larger "
                            "scale",
                            (unsigned)UINT32_MAX);
    }
    double grown = (double)m->cap * PS_MICRO_GROWTH;
    size_t cap = grown > (double)need ? (size_t)grown : need;
    if (cap > (size_t)UINT32_MAX) {
        cap = (size_t)UINT32_MAX;
    }
    return grow_arrays(m, cap, err);
}

void ps_micro__store_free(ps_micro *m)
{
    store_array a[PS_STORE_ARRAYS];
    store_arrays(a, m);
    for (int k = 0; k < PS_STORE_ARRAYS; ++k) {
        free_map(*a[k].field, m->cap * a[k].width);
    }
    free_map(m->dis_bits, words_of(m->cap) * sizeof *m->dis_bits);
    free_map(m->alive_bits, words_of(m->cap) * sizeof *m->alive_bits);
    free(m->chunk_count);
    for (int t = 0; m->ws != NULL && t < m->n_threads; ++t) {
        free(m->ws[t].tally);
        free(m->ws[t].rbuf);
    }
    free(m->ws);
    free(m->sum);
    free(m->state_pop);
    free(m->state_par);
}

void ps_micro__tally_zero(ps_micro *m)
{
    for (int t = 0; t < m->n_threads; ++t) {
        memset(m->ws[t].tally, 0, m->L.len * sizeof *m->ws[t].tally);
    }
}

void ps_micro__tally_reduce(ps_micro *m)
{
    memcpy(m->sum, m->ws[0].tally, m->L.len * sizeof *m->sum);
    for (int t = 1; t < m->n_threads; ++t) {
        const int64_t *src = m->ws[t].tally;
        for (size_t i = 0; i < m->L.len; ++i) {
            m->sum[i] += src[i];
        }
    }
}

size_t ps_micro_store_bytes(const ps_micro *m)
{
    return m->cap * PS_MICRO_BYTES_PER_PERSON;
}

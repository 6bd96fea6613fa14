/*
 * popsim/micro.h - the individual-level microsimulation engine (issue #5). Persons live in a
 * structure-of-arrays store sized from the inputs; each annual step applies the cohort
 * engine's rates (ps_proj) person by person, every probability being the cohort engine's
 * expected events over its expected persons at risk, so that the mean over replicates
 * agrees with ps_proj_run / ps_proj_step_parity; and it adds what only individuals give:
 * income classes, mother-child links, care-need states and childcare enrollment. Random
 * numbers are counter-based (Philox4x32-10) keyed by (seed, replicate) with counter
 * (person id, step, stream), so results are bit-identical for any number of OpenMP threads.
 * Model, equations and figures: docs/micro.md.
 */
#ifndef PS_MICRO_H
#define PS_MICRO_H

#include <stddef.h>
#include <stdint.h>

#include "popsim/error.h"
#include "popsim/inputs.h"
#include "popsim/policy.h"
#include "popsim/proj.h"
#include "popsim/result.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_micro ps_micro; /* opaque; see src/micro/micro_int.h */

/* Income class of a person's household (static from birth or arrival). */
typedef enum ps_income {
    PS_INCOME_LOW = 0,     /* low-income household */
    PS_INCOME_SUBSISTENCE, /* receives the subsistence allowance (dibao) */
    PS_INCOME_OTHER,       /* every other household */
    PS_INCOME_COUNT
} ps_income;

/* Care-need states are 0 (none) .. PS_MICRO_CARE_LEVELS_MAX (2 bits per person). */
#define PS_MICRO_CARE_LEVELS_MAX 3
#define PS_MICRO_CARE_STATES (PS_MICRO_CARE_LEVELS_MAX + 1)
/* Childcare enrollment concerns ages 0, 1 and 2 (the enroll_rate table's columns). */
#define PS_MICRO_CHILDCARE_AGES 3
/* Mother id of persons whose mother is not in the simulation (unknown or dead at the start). */
#define PS_MICRO_NO_MOTHER UINT32_MAX
/* Bytes of person storage per simulated person (all arrays together). */
#define PS_MICRO_BYTES_PER_PERSON 12

/* One person as seen by hooks and in samples (a copy; the store itself is packed). */
typedef struct ps_micro_person {
    uint32_t id;     /* stable: base persons in input-cell order, then arrivals */
    uint32_t mother; /* mother's id, PS_MICRO_NO_MOTHER if not in the simulation */
    int alive;       /* 0 once dead or emigrated (records are kept) */
    int age;         /* completed years on the last 1 July */
    int sex;         /* ps_sex */
    int region;
    int parity;              /* live births so far, 3 = 3 or more */
    int youngest_child_age;  /* years; -1 if none born in the simulation (or unknown) */
    int mother_age_at_birth; /* years; -1 if unknown */
    int income;              /* ps_income */
    int care;                /* care-need state 0..care_levels */
    int enrolled;            /* 1 if enrolled in childcare (ages 0-2) */
} ps_micro_person;

/* Fields of a sampled person record (ps_result_micro.sample), in this order. */
enum {
    PS_SAMPLE_ID, PS_SAMPLE_ALIVE, PS_SAMPLE_AGE, PS_SAMPLE_SEX, PS_SAMPLE_REGION,
    PS_SAMPLE_PARITY, PS_SAMPLE_YOUNGEST_CHILD_AGE, PS_SAMPLE_MOTHER, PS_SAMPLE_INCOME,
    PS_SAMPLE_CARE, PS_SAMPLE_ENROLLED, PS_SAMPLE_FIELDS
};

/* What only the microsimulation gives, /scenarios/<name>/micro/ (engine: micro). Values are
 * means over the replicates, scaled to persons, [year] first like every result array. */
typedef struct ps_result_micro {
    int replicates;
    double scale;
    long long seed;
    double *births_by_income;  /* [year][reg][PS_INCOME_COUNT][order]; NaN in the last year */
    double *under3;            /* [year][reg][income] children aged 0-2 on 1 July */
    double *under3_enrolled;   /* [year][reg][income] of which enrolled in childcare */
    double *disabled_elderly;  /* [year][reg][2]: without / with a living child aged 15-64
                                * in the region; NULL without care need */
    double *population_by_replicate; /* [replicate][year] total persons on 1 July */
    double *births_by_replicate;     /* [replicate][year] births of the step; NaN last year */
    double *subsidy_cost_by_income;  /* [year][reg][income] yuan of the monthly subsidies paid
                                      * person by person (ps_micro_ledger_fill); NULL without
                                      * a monthly subsidy; NaN in the last year */
    long long n_sample;        /* person records of the first replicate at the end */
    long long *sample;         /* [n_sample][PS_SAMPLE_FIELDS]; mother -1 if unknown */
} ps_result_micro;

/** Release a ps_result_micro and everything it owns (ps_result.micro_free); accepts NULL. */
void ps_result_micro_free(struct ps_result_micro *mo);

/**
 * Per-person multiplier of the birth probability, for eligibility rules a table cannot
 * express. Called for each woman at risk of a birth of `order` (0 = first, 1 = second,
 * 2 = third or later) in the step starting 1 July `year`, from several threads at once:
 * it must be a pure function of its arguments (and of read-only ctx) for the results to be
 * reproducible. Return >= 0; the probability is capped at 1.
 */
typedef double (*ps_micro_birth_fn)(void *ctx, const ps_micro_person *woman, int order, int year);

/* What a progress report knows (see ps_micro_progress_format). */
typedef struct ps_micro_progress {
    int step; /* steps done, 1..n_steps */
    int n_steps;
    int year;         /* calendar year of the 1 July just reached */
    double persons;   /* simulated persons alive (not multiplied by the scale) */
    double elapsed_s; /* seconds since the run started */
    double rate;      /* simulated person-years per second so far */
    int done;         /* 1 for the last report of a run */
} ps_micro_progress;

typedef void (*ps_micro_progress_fn)(void *ctx, const ps_micro_progress *p);

/* Which optional processes run; ageing, death, birth and migration always do. */
enum {
    PS_MICRO_CARE = 1u << 0,      /* care-need Markov chain (needs care_prev) */
    PS_MICRO_CHILDCARE = 1u << 1, /* childcare enrollment of ages 0-2 (needs enroll_rate) */
    PS_MICRO_KIN = 1u << 2,       /* mother links for the base population and (with
                                   * PS_MICRO_CARE) the disabled-elderly-with-a-child count */
    PS_MICRO_ALL = PS_MICRO_CARE | PS_MICRO_CHILDCARE | PS_MICRO_KIN
};

/*
 * Persons split across processes (issue #15, docs/hpc.md): the collectives a run needs when
 * several processes (MPI ranks) each hold a share of the persons. The library never calls
 * MPI itself; the program fills these hooks (src/cli/micro_mpi.c). Every process of the run
 * calls each hook in the same order with the same sizes. A hook returns 0 on success.
 * Process `rank` owns the blocks of PS_MICRO_SPLIT_BLOCK_IDS person ids whose index modulo
 * n_ranks is rank; results do not depend on n_ranks (bit-identical for any number).
 */
#define PS_MICRO_SPLIT_BLOCK_IDS 16384 /* ids per block of ownership (8 chunks of 2,048) */

typedef struct ps_micro_comm {
    int rank, n_ranks; /* this process, and the processes of the run (>= 1) */
    void *ctx;         /* passed to every hook */
    /* buf[0..n-1] := the element-wise sum over all processes (exact: integers). */
    int (*sum_i64)(void *ctx, int64_t *buf, size_t n);
    /* buf[0..n-1] := the element-wise bitwise OR over all processes. */
    int (*or_u64)(void *ctx, uint64_t *buf, size_t n);
    /* Personalised all-to-all exchange of bytes: send holds, in rank order, send_bytes[r]
     * bytes for each process r; recv_bytes[r] (known from a previous call with
     * send_bytes -> recv_bytes, see below) bytes from each process r arrive in rank order in
     * recv. With send == NULL and recv == NULL it only exchanges the sizes: recv_bytes[r]
     * := what process r will send here. Arrays are [n_ranks]. */
    int (*exchange)(void *ctx, const void *send, const uint64_t *send_bytes, void *recv,
                    uint64_t *recv_bytes);
    /* Status agreement (a failing process must not leave the others waiting in a
     * collective): every process passes failed = 1 if it failed, 0 if not; returns the lowest
     * rank that failed, or -1 if none did. The library calls it before every other hook, and
     * a process that fails between two collectives calls it once on its way out
     * (ps_micro_split_end), so the others leave at their next agreement. */
    int (*agree)(void *ctx, int failed);
    /* Tests only: > 0 makes this process fail at step test_fail_step (1-based), as if it ran
     * out of memory just before the exchange of newborns; 0 = never. */
    int test_fail_step;
} ps_micro_comm;

typedef struct ps_micro_options {
    uint32_t seed;      /* scenario seed: first word of the Philox key */
    uint32_t replicate; /* replicate number: second word of the Philox key */
    double scale;       /* persons each simulated person stands for, >= 1 */
    int n_threads;      /* OpenMP threads; 0 = omp_get_max_threads() when created */
    unsigned events;    /* PS_MICRO_* bits */
    /* Income: [reg][PS_INCOME_COUNT] shares of the base population and of arrivals, each
     * row summing to 1; NULL = everybody PS_INCOME_OTHER. Borrowed. */
    const double *income_share;
    /* Birth multipliers by income class: [PS_INCOME_COUNT][PS_ORDER_COUNT]; NULL = 1.
     * Borrowed. Applied per woman on top of the per-region multipliers of ps_micro_step. */
    const double *income_mult;
    ps_micro_birth_fn birth_mult; /* per-person multiplier hook; NULL = none */
    void *birth_mult_ctx;
    /* Care need (PS_MICRO_CARE): care_levels in 1..PS_MICRO_CARE_LEVELS_MAX; care_prev is
     * [year][level][age] for the n_steps + 1 states on 1 July, level l = 0.. holding the share
     * of persons of that age in state l+1 OR HIGHER (nested, non-increasing in l); ages below
     * care_min_age are ignored. Borrowed. */
    int care_levels;
    int care_min_age; /* years, in [3, n_ages - 1]; default 60 */
    const double *care_prev;
    int disabled_level; /* care state from which a person counts as disabled elderly */
    /* Childcare (PS_MICRO_CHILDCARE): [year][PS_MICRO_CHILDCARE_AGES] share of ages 0, 1, 2
     * enrolled on 1 July. Borrowed. */
    const double *enroll_rate;
    int working_age_min, working_age_max; /* a child "of working age", years; 15, 64 */
    int dependent_age; /* base children under this age share their mother's income class */
    /* Progress: called after a step at most every progress_interval_s seconds (the first
     * time after progress_interval_s) and after the last step if it was called before. */
    ps_micro_progress_fn progress;
    void *progress_ctx;
    double progress_interval_s;
    /* Memory the run may use, bytes; 0 = ps_mem_available() ($POPSIM_MEMORY_LIMIT_BYTES or
     * MemAvailable). ps_micro_new refuses a run whose estimate exceeds it. */
    size_t memory_limit;
    /* 1: ask the kernel for transparent huge pages (madvise MADV_HUGEPAGE) for the person
     * arrays, where /sys/kernel/mm/transparent_hugepage allows it; 0 (default): 4 KiB pages.
     * Fewer page faults, but on the project's virtual machine first-touch time rose
     * 3-6 times (docs/micro.md sec. 7), so it is a measured choice, not a default. */
    int huge_pages;
    /* Persons split across processes (issue #15): borrowed, must outlive the run; NULL or
     * n_ranks 1 = every person in this process. */
    const ps_micro_comm *comm;
} ps_micro_options;

#define PS_MICRO_OPTIONS_INIT                                                                      \
    {                                                                                              \
        .seed = 1, .replicate = 0, .scale = 1.0, .n_threads = 0, .events = 0,                      \
        .income_share = NULL, .income_mult = NULL, .birth_mult = NULL, .birth_mult_ctx = NULL,     \
        .care_levels = 0, .care_min_age = 60, .care_prev = NULL, .disabled_level = 1,              \
        .enroll_rate = NULL, .working_age_min = 15, .working_age_max = 64, .dependent_age = 18,    \
        .progress = NULL, .progress_ctx = NULL, .progress_interval_s = 1.0, .memory_limit = 0,     \
        .huge_pages = 0                                                                           \
    }

/*
 * What only individuals give, multiplied by the scale like the ps_result arrays. Year index
 * and NaN conventions as in ps_result: event arrays (births) hold NaN in the last year.
 */
typedef struct ps_micro_extra {
    int n_years, n_regions, n_ages, care_levels;
    double *births_by_income; /* [year][reg][income][order] live births by the mother's
                               * income class and birth order (subsidy recipients) */
    double *under3;           /* [year][reg][income] children aged 0-2 on 1 July */
    double *under3_enrolled;  /* [year][reg][income] of which enrolled in childcare */
    double *care;             /* [year][reg][level][age] persons in care state level+1 on
                               * 1 July (exclusive states; NULL without PS_MICRO_CARE) */
    double *disabled_elderly; /* [year][reg][has_child] persons aged care_min_age+ in state
                               * >= disabled_level, by whether a living child of working age
                               * lives in the same region (0 = no, 1 = yes; PS_MICRO_KIN) */
    double *ledger_by_income; /* [year][reg][income] yuan of the monthly subsidies paid for
                               * children of each income class (ps_micro_ledger_fill); 0
                               * without, NaN in the last year */
} ps_micro_extra;

static inline size_t ps_micro_extra_income_cell(const ps_micro_extra *x, int year, int reg,
                                                int income)
{
    return ((size_t)year * (size_t)x->n_regions + (size_t)reg) * PS_INCOME_COUNT + (size_t)income;
}

static inline size_t ps_micro_extra_care_cell(const ps_micro_extra *x, int year, int reg, int level,
                                              int age)
{
    return (((size_t)year * (size_t)x->n_regions + (size_t)reg) * (size_t)x->care_levels +
            (size_t)level) *
               (size_t)x->n_ages +
           (size_t)age;
}

/* ---- create ----------------------------------------------------------------------------- */

/**
 * Upper bound of the simulated persons a run will ever store (base population / scale plus
 * every birth and arrival of a projection without deaths). Records of the dead are kept, so
 * this is what the store is sized for.
 */
double ps_micro_estimate_persons(const ps_inputs *in, double scale);

/**
 * Peak bytes of a microsimulation run: the person store (PS_MICRO_BYTES_PER_PERSON per
 * person of ps_micro_estimate_persons), per-thread workspaces, the ps_result and
 * ps_micro_extra, plus ps_mem_estimate's allowance. Compatible with popsim/memory.h: add it
 * to, or compare it with, the same available figure. SIZE_MAX if it overflows.
 */
size_t ps_micro_estimate_bytes(const ps_inputs *in, double scale);

/**
 * Peak bytes of one process's share of a run whose persons are split across n_ranks
 * processes (ps_micro_comm): its share of the person store (a 1/n_ranks share plus one block
 * of ownership, as ownership is by blocks of ids), the full bitmaps and everything else of
 * ps_micro_estimate_bytes. n_ranks <= 1 gives ps_micro_estimate_bytes. SIZE_MAX on overflow.
 */
size_t ps_micro_estimate_bytes_split(const ps_inputs *in, double scale, int n_ranks);

/**
 * The care-need model a microsimulation can carry: every person holds one care state, 0 (none)
 * to PS_MICRO_CARE_LEVELS_MAX, so a model with more levels cannot be simulated. The scenario
 * loader calls this for engine: micro and locates the message at the care_need key.
 * @return PS_OK if n_levels is 0 (no model) to PS_MICRO_CARE_LEVELS_MAX; PS_EINVAL otherwise
 */
ps_status ps_micro_check_care_levels(int n_levels, ps_error *err);
/**
 * Build the base population of one replicate: each [reg][sex][age] cell of the base
 * population divided by opts->scale and rounded stochastically; women get a parity drawn
 * from women0 ([reg][age][parity], from ps_proj_parity_init; NULL = parity 0, allowed only
 * when p has no birth-order model), and every person an income class, care state,
 * enrollment and (PS_MICRO_KIN) a mother. `p` (and its inputs) and the option tables are
 * borrowed and must outlive the object.
 * @return PS_OK; PS_EINVAL for bad options (scale below 1, tables out of range, more than
 *         65535 regions or 255 ages) naming the option; PS_ENOMEM if the estimate exceeds the
 *         memory limit (the message gives the estimate) or allocation fails
 */
ps_status ps_micro_new(ps_micro **out, const ps_proj *p, const double *women0,
                       const ps_micro_options *opts, ps_error *err);

/* ---- run -------------------------------------------------------------------------------- */

/**
 * Allocate `res` (the ps_proj_run contract plus the birth-order arrays when p has a
 * birth-order model) and, if extra is not NULL, the micro-only arrays; record the base
 * population (year 0). The caller releases both.
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_micro_run_init(ps_result *res, ps_micro_extra *extra, const ps_micro *m,
                            const char *name, const char *title, ps_error *err);

/**
 * Advance one year: events of the step into year ps_micro_steps_done(m) of res/extra and
 * the state reached into the next year. mult ([reg][order], NULL = 1) multiplies the birth
 * probabilities by order (the policy response), like ps_proj_step_parity's mult.
 * @return PS_OK; PS_EINVAL if every step was done; PS_ENOMEM if the store cannot grow;
 *         PS_ENUMERIC if the accounting identity fails (a bug)
 */
ps_status ps_micro_step(ps_micro *m, ps_result *res, ps_micro_extra *extra, const double *mult,
                        ps_error *err);

/**
 * ps_micro_run_init, then every step with multipliers `mult` ([step][reg][order], NULL = 1),
 * reporting progress through opts->progress. On failure res and extra are released.
 */
ps_status ps_micro_run(ps_result *res, ps_micro_extra *extra, ps_micro *m, const double *mult,
                       const char *name, const char *title, ps_error *err);

/**
 * Run replicates opts->replicate .. opts->replicate + n_rep - 1, each from a fresh base
 * population, into res[r] and (if extra is not NULL) extra[r], caller arrays of n_rep.
 * On failure everything filled so far is released.
 */
ps_status ps_micro_run_replicates(ps_result *res, ps_micro_extra *extra, int n_rep,
                                  const ps_proj *p, const double *women0,
                                  const ps_micro_options *opts, const double *mult,
                                  const char *name, ps_error *err);

/**
 * Mean of n results cell by cell (summed in replicate order), into `mean` (allocated here
 * with the shape, names and optional arrays of res[0]).
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_micro_mean(ps_result *mean, const ps_result *res, int n, ps_error *err);

/* ---- query ------------------------------------------------------------------------------ */

int ps_micro_steps_done(const ps_micro *m);

/** Persons stored (alive or not) and alive, simulated (not scaled). */
size_t ps_micro_stored(const ps_micro *m);
size_t ps_micro_alive(const ps_micro *m);

/** Bytes the person store has allocated (capacity x PS_MICRO_BYTES_PER_PERSON). */
size_t ps_micro_store_bytes(const ps_micro *m);

/** Copy of person `id` (< ps_micro_stored). */
void ps_micro_person_get(ps_micro_person *out, const ps_micro *m, uint32_t id);

/**
 * A sample of person records for output: persons whose id is a multiple of `every`
 * (every >= 1; 1 = all), alive only if alive_only, at most `max` (0 = no limit), in id
 * order. *out is allocated here (free() it); *n_out may be 0.
 * @return PS_OK; PS_EINVAL for every = 0; PS_ENOMEM
 */
ps_status ps_micro_sample(ps_micro_person **out, size_t *n_out, const ps_micro *m, size_t every,
                          size_t max, int alive_only, ps_error *err);

/**
 * Format a progress report into buf without printing: for a terminal (tty != 0) one line
 * starting with a carriage return to overwrite the previous one and no newline ("\rmicro:
 * year 2031 (6/25), 10.21 M persons, 95.1 M person-years/s, 3.2 s"; the caller ends the
 * line after the report with done = 1), otherwise a timestamped log line ending in a
 * newline ("2025-06-01T12:00:03 micro: ..."). Returns buf.
 */
const char *ps_micro_progress_format(char *buf, size_t size, const ps_micro_progress *p, int tty);

/* ---- the person-by-person ledger of monthly subsidies (src/micro/ledger.c) --------------
 * docs/policy.md sec. 7.5. Usage: ps_micro_ledger_new after ps_micro_run_init (counts the
 * base 1 July), ps_micro_ledger_step after each ps_micro_step, ps_micro_ledger_fill after
 * ps_policy_ledger (it overwrites the monthly_subsidy instruments' cells). */

typedef struct ps_micro_ledger ps_micro_ledger; /* opaque */

/** 1 if a child of income class `income` (ps_income, its mother's) gets a monthly
 * subsidy's low_income_top-up: low income and subsistence allowance (dibao) households. */
int ps_micro_topup_eligible(int income);

/**
 * Start the ledger of `n` policies (borrowed, must outlive it; only monthly_subsidy ones are
 * counted) on the current 1 July of m. bo gives the birth order of children born before the
 * run (and of arrivals), drawn once per child.
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_micro_ledger_new(ps_micro_ledger **out, const ps_micro *m, const ps_policy *pol,
                              int n, const ps_birth_order *bo, ps_error *err);

/** Count the 1 July m just reached and book the step's child-years (no allocation). */
void ps_micro_ledger_step(ps_micro_ledger *l, const ps_micro *m);

/**
 * Write the monthly subsidies' recipients, cost (nominal and discounted at discount_rate to
 * the start year) and cost by payer of the booked steps into res->ledger (instrument i =
 * policy i), with pm's share of each step in force. cost_by_income ([year][reg][ps_income],
 * yuan; NULL = not wanted) receives each step's cost added over the instruments: the caller
 * zeroes it.
 */
void ps_micro_ledger_fill(ps_result *res, const ps_micro_ledger *l, const ps_policy_model *pm,
                          double discount_rate, double *cost_by_income);

void ps_micro_ledger_free(ps_micro_ledger *l); /* accepts NULL */

/**
 * Use income_mult ([PS_INCOME_COUNT][PS_ORDER_COUNT], borrowed, NULL = 1) from the next
 * step on, in place of ps_micro_options.income_mult: a run whose multipliers by income class
 * change from year to year (the top-up's response, docs/policy.md sec. 7.5) rewrites the
 * table between steps.
 */
void ps_micro_set_income_mult(ps_micro *m, const double *income_mult);

/**
 * The top-up's response by income class for the step from 1 July `year` (docs/policy.md sec.
 * 7.5): income_mult[inc][k] = 1 + extra_k / mult[k] for the classes ps_micro_topup_eligible
 * accepts, 1 for the others, with extra_k from ps_policy_topup_response and mult the step's
 * multipliers of one region ([order]), so that an eligible woman's birth probability is
 * that of the model's multiplier mult_k + extra_k.
 */
void ps_micro_topup_mult(double *income_mult, const ps_policy_model *pm, int year,
                         const double mult[PS_ORDER_COUNT]);

/* ---- free ------------------------------------------------------------------------------- */

/**
 * Persons split across processes (ps_micro_comm): every process calls this once, after its
 * last use of m (steps, results, samples) and before ps_micro_free, with its status. If no
 * failure was agreed yet, the processes agree on rc, so that a process that failed outside a
 * collective does not leave the others waiting in their next one. Returns rc if it failed
 * here; PS_EIO naming the failed process if another one failed; PS_OK. Without a split (or
 * m NULL: ps_micro_new failed and agreed already) it returns rc.
 */
ps_status ps_micro_split_end(ps_micro *m, ps_status rc, ps_error *err);
void ps_micro_free(ps_micro *m); /* accepts NULL */

/** Allocate the micro-only arrays (NaN-filled) for a run of this shape. */
ps_status ps_micro_extra_init(ps_micro_extra *x, int n_years, int n_regions, int n_ages,
                              int care_levels, ps_error *err);

/** Release the arrays; accepts a zeroed struct. */
void ps_micro_extra_release(ps_micro_extra *x);

#ifdef __cplusplus
}
#endif
#endif /* PS_MICRO_H */

/*
 * engine/prob_paths_int.h - what a trajectory's inputs are made from (docs/model.md sec. 9.2):
 * the medians of the interval bounds by step, the inputs' migration totals, the age pattern
 * of migration and the e0 (and survivorship) tables of mx e^k. One home for the ensemble runs
 * (src/engine/prob.c) and the policy families under uncertainty (src/run/prob_family.c), so
 * both move a trajectory's inputs the same way.
 */
#ifndef PS_ENGINE_PROB_PATHS_INT_H
#define PS_ENGINE_PROB_PATHS_INT_H

#include <stddef.h>

#include "popsim/inputs.h"
#include "popsim/prob.h"

/* e0 tables: mx e^k for k = (row - PS_PROB_E0_ZERO) PS_PROB_E0_DK. */
#define PS_PROB_E0_ROWS 61
#define PS_PROB_E0_ZERO 30
#define PS_PROB_E0_DK 0.1

typedef struct ps_prob_paths {
    int n_steps, n_ages;
    int y0;           /* bounds index of the inputs' start year */
    double *tfr_med;  /* [step] median TFR of the step (bounds) */
    double *e0_med;   /* [step][sex] median e0 of the step (bounds) */
    double *mig_med;  /* [step] median net migrants of the step (bounds) */
    double *mig_in;   /* [step] net migrants of the inputs */
    double *pattern;  /* [sex][age] age pattern of migration, sums to 1 */
    double *pop_ref;  /* [year] total population of the inputs' own projection, years
                       * 0..n_steps, what a trajectory's size is set against when its migrants
                       * follow it (docs/model.md 9.3, round 7); NULL unless asked */
    double *e0_tab;   /* [step][sex][row] e0 of mx e^k */
    double *surv_tab; /* [step][sex][row][age] survivorship of mx e^k; NULL unless asked */
    double *zshift;   /* [bounds year][PS_PROB_SHIFT_SLOTS] shift of the normal score
                       * (centring x ps_prob_center_shift); NULL: no centring */
} ps_prob_paths;

/* Slots of zshift: TFR, e0 by sex (1 + sex), migration. */
#define PS_PROB_SHIFT_SLOTS (2 + PS_SEX_COUNT)
#define PS_PROB_SHIFT_TFR 0
#define PS_PROB_SHIFT_MIG (1 + PS_SEX_COUNT)

/* The score shift of `slot` in bounds year `year_index` (0 without centring). */
static inline double ps_prob__zshift(const ps_prob_paths *pp, int year_index, int slot)
{
    return pp->zshift != NULL ? pp->zshift[(size_t)year_index * PS_PROB_SHIFT_SLOTS + (size_t)slot]
                              : 0.0;
}

/* The knots of `arr` at bounds year index `year_index` (and sex, of per_year per year). */
static inline const double *ps_prob__knots(const double *arr, int year_index, int sex,
                                           int per_year)
{
    return arr + ((size_t)year_index * (size_t)per_year + (size_t)sex) * PS_PROB_N_KNOTS;
}

/**
 * Medians, migration totals and pattern, and the e0 tables (with the survivorship tables if
 * with_survivorship) of `in` against the bounds `b`, which must cover the projection
 * (checked by the caller). @return PS_OK; PS_ENOMEM; the life table's status, prefixed
 * with the step and sex
 */
ps_status ps_prob__paths_init(ps_prob_paths *pp, const ps_inputs *in, const ps_prob_bounds *b,
                              int with_survivorship, ps_error *err);

/**
 * pp->pop_ref: the total population of every year of the inputs' own (deterministic)
 * projection (ps_proj_run, ps_result_total).
 * @return PS_OK; PS_ENOMEM; the projection's status
 */
ps_status ps_prob__paths_reference(ps_prob_paths *pp, const ps_inputs *in, ps_error *err);

/**
 * The score shifts c d of bounds years 0 .. y0 + n_steps for the centring c of each process
 * (all 0: none, zshift NULL); with log_rates the migration's centres log(1 + m / pop_ref)
 * (pp->pop_ref required). @return PS_OK; PS_EINVAL; PS_ENOMEM
 */
ps_status ps_prob__paths_center(ps_prob_paths *pp, const ps_prob_bounds *b,
                                const double center[PS_PROB_PROC_COUNT], int log_rates,
                                ps_error *err);

/* The tables alone (after the last unit: only units need them). */
void ps_prob__paths_drop_tables(ps_prob_paths *pp);

void ps_prob__paths_release(ps_prob_paths *pp);

#endif /* PS_ENGINE_PROB_PATHS_INT_H */

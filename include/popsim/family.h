/*
 * popsim/family.h - projecting the scenarios of a family: the baseline and its policy
 * variants share one set of demographic inputs and differ in policies, response and
 * economy. Each run tracks women by parity and births by order, applies the policy
 * multipliers year by year, and fills the fiscal ledger; a variant is compared with the
 * baseline for births gained and cost per additional birth.
 */
#ifndef PS_FAMILY_H
#define PS_FAMILY_H

#include "popsim/error.h"
#include "popsim/policy.h"
#include "popsim/micro.h"
#include "popsim/proj.h"
#include "popsim/result.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_run_spec {
    const char *name;          /* output group name */
    const char *title;         /* may be NULL */
    const ps_policy *policies; /* borrowed */
    int n_policies;
    ps_response response;      /* resolved (preset + overrides) */
    ps_economy economy;
} ps_run_spec;

/**
 * Project one scenario with the birth-order model and its policies into `res`.
 * `p` must have been calibrated with ps_proj_parity_init, whose base women by parity are
 * `women0` ([reg][age][parity]). `baseline` (NULL for the baseline itself) is the result
 * births gained are measured against.
 * @return PS_OK; statuses of ps_proj_step_parity, ps_policy_model_new, allocation
 */
ps_status ps_run_scenario(ps_result *res, const ps_proj *p, const double *women0,
                          const ps_birth_order *bo, const ps_run_spec *spec,
                          const ps_result *baseline, ps_error *err);

/**
 * ps_run_scenario with the microsimulation `mi` (fresh from ps_micro_new, one replicate):
 * the policy model evaluates the simulated population each year and its multipliers go to
 * ps_micro_step. `extra` (may be NULL) receives the micro-only arrays. `baseline` is the
 * same replicate's baseline result (common random numbers), NULL for the baseline.
 */
ps_status ps_run_scenario_micro(ps_result *res, ps_micro_extra *extra, ps_micro *mi,
                                const ps_birth_order *bo, const ps_run_spec *spec,
                                const ps_result *baseline, ps_error *err);

/**
 * Mean of n replicate results of one scenario (ps_micro_mean) with their ledgers averaged
 * cell by cell in replicate order; births gained and the cost per additional birth are
 * then those of the means against `mean_baseline` (NULL for the baseline itself).
 */
ps_status ps_family_mean(ps_result *mean, const ps_result *reps, int n,
                         const ps_result *mean_baseline, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_FAMILY_H */

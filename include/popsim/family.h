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

#ifdef __cplusplus
}
#endif
#endif /* PS_FAMILY_H */

/*
 * popsim/prob_family.h - a policy family under uncertainty (issue #14, sec. 2; docs/model.md
 * sec. 9.6): each trajectory is the deterministic family (popsim/family.h: the baseline and
 * every variant with the birth-order model and the policy response) run on inputs moved by
 * that trajectory's TFR, e0 and migration draws (the process of popsim/prob.h), with common
 * random numbers: the baseline and all variants of a trajectory share its inputs and its
 * drawn response elasticity (popsim/prob_policy.h).
 */
#ifndef PS_PROB_FAMILY_H
#define PS_PROB_FAMILY_H

#include "popsim/error.h"
#include "popsim/inputs.h"
#include "popsim/prob.h"
#include "popsim/prob_policy.h"
#include "popsim/scenario.h"
#include "popsim/svc_prob.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_prob_family_options {
    int n_traj;          /* trajectories; 0 = PS_PROB_TRAJ_DEFAULT */
    uint64_t seed;       /* key of the random streams (the same as the ps_prob run's) */
    int n_threads;       /* OpenMP threads over trajectories; 0 = the OpenMP default */
    double rho[PS_PROB_PROC_COUNT]; /* persistences, as ps_prob_options */
    int draw_elasticity; /* 1: the response drawn per trajectory; 0: each member's preset */
    ps_elasticity elasticity; /* without the draw: the preset of members that choose none */
    int keep_trajectories; /* 1: the summary keeps every trajectory's values */
    const ps_inputs *history; /* fertility before the base year (ps_run_options.history);
                               * borrowed, may be NULL */
    /* Services per member under uncertainty (issue #14, sec. 2): NULL, or [n_members] made
     * by the caller (ps_svc_prob_new with the trajectories of the run; NULL for a member
     * without): each trajectory's member result adds its services (ps_svc_prob_add_result),
     * so a variant's extra births raise its childcare demand. The caller finishes them. */
    ps_svc_prob *const *services;
    /* A share of the trajectories (issue #15, MPI ranks): with share 1 only trajectories
     * traj_first .. traj_end - 1 run (none if equal), every trajectory array is kept and
     * nothing is summarised: the other shares come in with ps_prob_family_traj_put and
     * ps_prob_family_finish summarises. share 0: every trajectory, summarised. */
    int share, traj_first, traj_end;
} ps_prob_family_options;

#define PS_PROB_FAMILY_OPTIONS_INIT                                                          \
    { .n_traj = 0, .seed = 1, .n_threads = 0,                                                \
      .rho = { PS_PROB_RHO_TFR, PS_PROB_RHO_E0, PS_PROB_RHO_MIG }, .draw_elasticity = 1,     \
      .elasticity = PS_ELASTICITY_DEFAULT, .keep_trajectories = 0, .history = NULL,          \
      .services = NULL, .share = 0, .traj_first = 0, .traj_end = 0 }

/**
 * One trajectory's inputs: a copy of the single-region `in` (the median paths) with the
 * step ASFR scaled by the trajectory's TFR over the median TFR, mx scaled by e^k so that
 * the step's e0 moves by the trajectory's deviation (k interpolated in a table of e0(k)),
 * the migrants moved by the deviation of the total spread by the age pattern of migration,
 * and the base corrected for the deviations of the bounds' years before it, as
 * src/engine/prob.c does. A trajectory whose scores are all 0 gives a bit-identical copy.
 * @param[out] out  inputs owned by the caller (ps_inputs_release), zeroed on failure
 * @return PS_OK; PS_EINVAL (not one region, bounds not covering the years); PS_ENUMERIC
 *         (an e0 outside the table); PS_ENOMEM
 */
ps_status ps_prob_traj_inputs(ps_inputs *out, const ps_inputs *in, const ps_prob_bounds *b,
                              const double rho[PS_PROB_PROC_COUNT], uint64_t seed, int traj,
                              ps_error *err);

/**
 * Run the family of `scn` (members 1.. are the variants, measured against member 0) on
 * every trajectory and summarise each variant's births gained, cost and cost per
 * additional birth. Bit-identical for any thread count.
 * @param[out] out  filled on PS_OK (ps_prob_pol_summary_release), zeroed on failure
 * @return PS_OK; PS_EINVAL (fewer than 2 members, options); statuses of the family run,
 *         with the failing trajectory named
 */
ps_status ps_prob_family_run(ps_prob_pol_summary *out, const ps_scenario *scn,
                             const ps_inputs *in, const ps_prob_bounds *b,
                             const ps_prob_family_options *opt, ps_error *err);

/* ---- between MPI ranks (issue #15; src/cli/run_scn_prob_mpi.c) ------------------------ */

/** Doubles of n trajectories' values of a summary with its trajectory arrays. */
size_t ps_prob_family_traj_doubles(const ps_prob_pol_summary *s, int n);

/** Trajectories first .. first + n - 1 of an unsummarised share into
 * buf[ps_prob_family_traj_doubles]. @return PS_OK; PS_EINVAL (out of range, no arrays) */
ps_status ps_prob_family_traj_get(const ps_prob_pol_summary *s, int first, int n, double *buf,
                                  ps_error *err);

/** Trajectories computed elsewhere put in (before ps_prob_family_finish).
 * @return PS_OK; PS_EINVAL (out of range, no arrays) */
ps_status ps_prob_family_traj_put(ps_prob_pol_summary *s, int first, int n, const double *buf,
                                  ps_error *err);

/** The summary of a share run (traj_end > 0) once every trajectory is in: quantiles, means,
 * the no-gain shares; the trajectory arrays are freed unless keep. Bit-identical to a run of
 * every trajectory. @return PS_OK; PS_EINVAL (no arrays); PS_ENOMEM */
ps_status ps_prob_family_finish(ps_prob_pol_summary *s, int keep, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_PROB_FAMILY_H */

/*
 * popsim/prob_policy.h - policy families under uncertainty (issue #14, sec. 2): the
 * response elasticity drawn per trajectory from its low / default / high range, and the
 * summary of births gained and cost per additional birth of every policy variant over the
 * trajectories (docs/model.md sec. 9.6, docs/policy.md "Under uncertainty").
 *
 * The draw: one standard normal score z per trajectory, from its own counter-based stream
 * (PS_PROB_STREAM_ELASTICITY, so the TFR, e0 and migration draws are unchanged), moves
 * every ranged response parameter together along a two-piece normal whose median is the
 * default preset and whose 10 % and 90 % points are the low and high presets:
 * x = default + (z / z90) (high - default) for z >= 0, default + (z / z90) (default - low)
 * for z < 0 (z90 = 1.2816), held inside the parameter's domain (>= 0; shares <= 1), which
 * only acts beyond the 10 / 90 % points.
 */
#ifndef PS_PROB_POLICY_H
#define PS_PROB_POLICY_H

#include <stdint.h>

#include "popsim/error.h"
#include "popsim/policy.h"
#include "popsim/prob.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Second counter word of the elasticity draw: after the processes of ps_prob_proc, so it
 * shares no counter with them. */
#define PS_PROB_STREAM_ELASTICITY PS_PROB_PROC_COUNT

/* Per-variant results over the whole horizon, one value per trajectory. */
typedef enum ps_prob_pol_var {
    PS_PROB_POL_GAINED_TOTAL,      /* births gained over every step, persons */
    PS_PROB_POL_GAINED_DISCOUNTED, /* births gained of year y weighted (1 + r)^-y, persons */
    PS_PROB_POL_COST,              /* cost of all instruments and steps, yuan (nominal) */
    PS_PROB_POL_COST_DISCOUNTED,   /* the same discounted to the start year, yuan */
    PS_PROB_POL_CPB,               /* cost / births gained, yuan per birth; +inf if none gained */
    PS_PROB_POL_CPB_DISCOUNTED,    /* discounted cost / discounted births gained; +inf likewise */
    PS_PROB_POL_VAR_COUNT
} ps_prob_pol_var;

/* The summary of the variants (members 1.. of a family) over the trajectories. Stats are
 * PS_PROB_N_STATS per cell: the quantiles 0.025 .. 0.975, then the mean (the mean of the
 * cost per additional birth is over the trajectories that gained births, NaN if none). */
typedef struct ps_prob_pol_summary {
    int n_variants;
    char **names;   /* [variant] member names; owned */
    int start_year; /* first 1 July; year y's births gained are those of the step from it */
    int n_years;    /* as ps_prob_n_years (the last year's flows are NaN) */
    int n_traj;
    double *gained; /* [year][variant][stat] births gained in the step, persons */
    double *scalar[PS_PROB_POL_VAR_COUNT]; /* [variant][stat] */
    double *no_gain; /* [variant] share of trajectories with no births gained (<= 0) */
    /* With trajectories kept (else NULL): [year][variant][traj] and [variant][traj]. */
    double *gained_traj;
    double *scalar_traj[PS_PROB_POL_VAR_COUNT];
} ps_prob_pol_summary;

/** Dataset name of a variable ("births_gained_total", ...). */
const char *ps_prob_pol_var_name(ps_prob_pol_var v);

/** Units ("1" or "yuan") and long name of a variable. */
const char *ps_prob_pol_var_units(ps_prob_pol_var v);
const char *ps_prob_pol_var_long_name(ps_prob_pol_var v);

/**
 * NaN-filled arrays for n_variants named `names` (copied); with keep, the trajectory arrays
 * too. @return PS_OK; PS_EINVAL (no variant, fewer than 2 years or 1 trajectory); PS_ENOMEM
 */
ps_status ps_prob_pol_summary_init(ps_prob_pol_summary *s, int n_variants,
                                   const char *const *names, int start_year, int n_years,
                                   int n_traj, int keep, ps_error *err);

void ps_prob_pol_summary_release(ps_prob_pol_summary *s); /* accepts a zeroed struct */

/**
 * Quantiles and mean of x[0..n-1] into s[PS_PROB_N_STATS] (type 7, as
 * ps_prob_sample_quantile); +inf values rank last and make the quantiles they reach +inf;
 * the mean is over the finite values (NaN if none). `buf` holds n doubles of scratch.
 * A NaN in x makes every stat NaN.
 */
void ps_prob_pol_stats(double *s, double *buf, const double *x, int n);

/** The elasticity score of trajectory `traj`: a standard normal from (seed, traj). */
double ps_prob_elasticity_score(uint64_t seed, int traj);

/**
 * The response of score z: every parameter whose low and high presets differ on the
 * two-piece normal of the header comment (the others at their preset).
 */
void ps_prob_response_draw(ps_response *out, double z);

#ifdef __cplusplus
}
#endif
#endif /* PS_PROB_POLICY_H */

/*
 * scn_prob_cli.h - `popsim run SCENARIO` with `uncertainty:` (issue #14, sec. 1;
 * cmd_run_scn_prob.c).
 */
#ifndef PS_CLI_SCN_PROB_CLI_H
#define PS_CLI_SCN_PROB_CLI_H

#include "popsim/h5out.h"
#include "popsim/inputs.h"
#include "popsim/prob.h"
#include "popsim/scenario.h"
#include "popsim/prob_policy.h"
#include "popsim/svc_prob.h"
#include "run_dist.h"

typedef struct cli_scn_prob {
    const ps_scenario *scn;
    const ps_inputs *in;      /* the scenario's deterministic inputs, one region */
    const char *out_path;     /* checked not to be an input */
    const char *source;       /* data source, one line */
    const char *command_line;
    const ps_input_source *inputs; /* for /provenance */
    int n_inputs;
    int n_threads;            /* 0: the OpenMP default */
    int quiet;
    const ps_inputs *history; /* fertility before the base year, for policy variants; may be NULL */
    ps_elasticity elasticity; /* --elasticity: with uncertainty.elasticity: fixed */
    cli_dist *dist;           /* MPI ranks (issue #15): NULL or one rank = serial */
} cli_scn_prob;

/* Trajectories, quantiles, the file. */
ps_status cli_run_scn_prob(const cli_scn_prob *a, ps_error *err);

/* ---- each policy variant's services under uncertainty (issue #14, sec. 2;
 * scn_prob_variants.c) ---- */

/* [n_members] services of the members (the baseline's at 0) that have services (NULL for a
 * member without), for the trajectories of p; *out NULL if no member has services. */
ps_status cli_variant_svc_new(ps_svc_prob ***out, const ps_scenario *scn, const ps_inputs *in,
                              const ps_prob *p, ps_error *err);

/* ps_svc_prob_finish of each non-NULL entry. */
ps_status cli_variant_svc_finish(ps_svc_prob *const *vsvc, int n_members, ps_error *err);

void cli_variant_svc_free(ps_svc_prob **vsvc, int n_members); /* accepts NULL */

/* ---- under MPI (issue #15; run_scn_prob_mpi.c) ---- */

/* Trajectories [first, end) of this rank: its share of the ensemble's unit blocks (all with
 * d NULL or one rank), so every part of the run splits the same way. */
void cli_scn_prob_traj_share(int *first_out, int *end_out, int n_traj, const cli_dist *d);

/* Collective, after every rank computed its share (and agreed): rank 0 receives the other
 * ranks' trajectories of the services sp, the policy summary pol (with its trajectory
 * arrays) and the members' services vsvc[n_members]; each may be NULL. */
ps_status cli_scn_prob_gather(ps_svc_prob *sp, ps_svc_prob *const *vsvc, int n_members,
                              ps_prob_pol_summary *pol, int n_traj, const cli_dist *d,
                              ps_error *err);

#endif /* PS_CLI_SCN_PROB_CLI_H */

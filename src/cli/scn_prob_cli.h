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
#include "popsim/svc_prob.h"

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

#endif /* PS_CLI_SCN_PROB_CLI_H */

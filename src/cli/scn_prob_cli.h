/*
 * scn_prob_cli.h - `popsim run SCENARIO` with `uncertainty:` (issue #14, sec. 1;
 * cmd_run_scn_prob.c).
 */
#ifndef PS_CLI_SCN_PROB_CLI_H
#define PS_CLI_SCN_PROB_CLI_H

#include "popsim/h5out.h"
#include "popsim/inputs.h"
#include "popsim/scenario.h"

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

#endif /* PS_CLI_SCN_PROB_CLI_H */

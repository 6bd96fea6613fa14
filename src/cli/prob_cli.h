/*
 * prob_cli.h - `popsim run --location X --trajectories N` and `--variant low|high`
 * (issue #14): probabilistic projections of UN WPP locations (cmd_run_prob.c).
 */
#ifndef PS_CLI_PROB_CLI_H
#define PS_CLI_PROB_CLI_H

#include "popsim/prob.h"

typedef struct cli_prob_opts {
    const char *location;  /* M49 code, exact UN name, or "all" (every country or area) */
    const char *output;    /* NULL: output/<name>.h5 */
    const char *wpp_dir;   /* NULL: the default search */
    int start_year, end_year;
    int n_traj;            /* 0: PS_PROB_TRAJ_DEFAULT */
    unsigned long long seed;
    int n_threads;         /* 0: the OpenMP default */
    int no_cache, quiet;
    int keep;              /* --keep-trajectories */
    ps_prob_variant variant;
    int has_rho;           /* --rho given */
    double rho[PS_PROB_PROC_COUNT];
} cli_prob_opts;

/* Run and write; returns the exit status (0, 1). argc/argv for the provenance. */
int cli_run_prob(const cli_prob_opts *o, int argc, char **argv);

#endif /* PS_CLI_PROB_CLI_H */

/*
 * prob_mpi.h - probabilistic runs under an MPI launcher (issue #15; run_prob_mpi.c): which
 * trajectory blocks and locations a rank computes, and their gathering to rank 0.
 * docs/hpc.md.
 */
#ifndef PS_CLI_PROB_MPI_H
#define PS_CLI_PROB_MPI_H

#include "popsim/prob.h"
#include "run_dist.h"

/* The units [first, end) of a location's n_units that this rank computes (all of them when
 * d is NULL or there is one rank). */
void cli_prob_share(int *first_out, int *end_out, int n_units, const cli_dist *d);

/* 1 if this rank projects location k of `--location all` (k mod ranks). */
int cli_prob_owns_location(int k, const cli_dist *d);

/* Collective, after every rank computed its share of p's units: rank 0 receives the others'
 * trajectories into p (which it then finishes); the other ranks send theirs. */
ps_status cli_prob_gather_units(ps_prob *p, const cli_dist *d, ps_error *err);

/* Collective, after every rank computed its share of p's units (and agreed): rank 0's p is
 * finished with the quantiles and means of every trajectory. Without keep (no trajectory in
 * the file) the rows of the summary are split over the ranks, each rank summarising its
 * slice of every rank's trajectories (docs/hpc.md); with keep rank 0 gathers every
 * trajectory (cli_prob_gather_units) and finishes. A failing rank stops every rank. */
ps_status cli_prob_gather_finish(ps_prob *p, int keep, cli_dist *d, ps_error *err);

/* Collective, after every rank finished its locations: rank 0 receives the others' finished
 * locations as statistics into runs[k], labels[k] and codes[k]. */
ps_status cli_prob_gather_locations(ps_prob **runs, char **labels, int *codes, int n,
                                    const cli_dist *d, ps_error *err);

#endif /* PS_CLI_PROB_MPI_H */

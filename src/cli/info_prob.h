/*
 * info_prob.h - `popsim info` of a probabilistic file (issue #14; info_prob.c): its group,
 * locations, trajectories, seed and quantile levels, and each location's total population
 * at the first and last year, as text or as the "probabilistic" member of the JSON document.
 */
#ifndef PS_CLI_INFO_PROB_H
#define PS_CLI_INFO_PROB_H

#include <stdio.h>

#include "cli.h"
#include "popsim/h5prob.h"

void cli_info_prob_text(FILE *out, const ps_h5_prob_data *d);
void cli_info_prob_json(cli_json *j, const ps_h5_prob_data *d);

#endif /* PS_CLI_INFO_PROB_H */

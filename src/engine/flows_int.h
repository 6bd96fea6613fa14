/*
 * engine/flows_int.h - what the cohort step uses of the internal-migration module.
 */
#ifndef PS_FLOWS_INT_H
#define PS_FLOWS_INT_H

#include "popsim/flows.h"

/* The step's internal migrants by age at migration ([reg][sex][age] each, caller storage):
 * in arriving, out leaving, net = in - out, from the population `pop` on 1 July of `step`. */
void ps_flows__move(const ps_flows *f, int step, const double *pop, double *in, double *out,
                    double *net);

/* Women of the cohort aged a (1 <= a < n_ages) on 1 July t+1 in region dst by parity, before
 * the step's births (src/engine/flows_parity.c): its F1a women with the internal in-movers
 * carrying their origin cohort's parity and the rest the destination cohort's. S is dst's
 * female survivorship [age], pop the population [reg][sex][age] and women the women by
 * parity [reg][age][parity] on 1 July t. */
void ps_flows__parity_counts(double c[PS_PARITY_COUNT], const ps_flows *f, int step, int dst,
                             int a, double F1a, const double *S, const double *pop,
                             const double *women);

/* Allocate res->registered and fill its first year: the base population times each
 * region's base share (src/engine/status.c). */
struct ps_proj;
struct ps_result;
ps_status ps_proj_registered_init(struct ps_result *res, const struct ps_proj *p,
                                  ps_error *err);

#endif /* PS_FLOWS_INT_H */

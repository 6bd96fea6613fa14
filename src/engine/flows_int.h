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

/* Allocate res->registered and fill its first year: the base population times each
 * region's base share (src/engine/status.c). */
struct ps_proj;
struct ps_result;
ps_status ps_proj_registered_init(struct ps_result *res, const struct ps_proj *p,
                                  ps_error *err);

#endif /* PS_FLOWS_INT_H */

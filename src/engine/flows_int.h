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

#endif /* PS_FLOWS_INT_H */

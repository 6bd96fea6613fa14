/*
 * engine/quantiles_int.h - the summary of one row of trajectories, shared by the population
 * runs (src/engine/prob.c) and the services under uncertainty (src/engine/svc_prob.c), so
 * both report the same quantiles and mean of a row (docs/model.md sec. 2.7).
 */
#ifndef PS_ENGINE_QUANTILES_INT_H
#define PS_ENGINE_QUANTILES_INT_H

/**
 * The PS_PROB_N_QUANTILES type-7 quantiles at ps_prob_level(q), then the mean, of x[0..n-1]
 * into stats[0..PS_PROB_N_STATS-1], or NaN for all of them if any value of x is not finite.
 * buf[0..n-1] is the caller's scratch (overwritten and reordered); x is only read; n >= 1.
 */
void ps_prob__summarise_row(double *stats, double *buf, const double *x, int n);

#endif /* PS_ENGINE_QUANTILES_INT_H */

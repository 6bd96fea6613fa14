/*
 * popsim/uncertainty.h - a scenario's `uncertainty:` section (issue #14, sec. 1;
 * docs/scenario-format.md, "uncertainty"): the interval bounds of TFR, e0 by sex and net
 * migration by calendar year around the scenario's own deterministic paths, for the
 * probabilistic engine of popsim/prob.h.
 */
#ifndef PS_UNCERTAINTY_H
#define PS_UNCERTAINTY_H

#include "popsim/inputs.h"
#include "popsim/prob.h"
#include "popsim/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The scenario's own median paths by calendar year start_year .. end_year, from its
 * (single-region) inputs: tfr[n] (sum of the ASFR), e0[n][sex] (life table of mx) and
 * mig[n] (net migrants); calendar year y takes the step from 1 July y (the last year the last
 * step). n = end_year - start_year + 1. @return PS_OK; PS_EINVAL (not one region, bad mx)
 */
ps_status ps_scn_unc_medians(const ps_inputs *in, double *tfr, double *e0, double *mig,
                             ps_error *err);

/**
 * Bounds of every calendar year start_year .. end_year of the scenario around the medians
 * of its inputs `in`, and the options (trajectories, seed, persistences) of its section.
 * A width grows from 0 at start_year to the given 80 % half-width at end_year like the
 * standard deviation of the process's AR(1) started at 0, sqrt((1 - rho^2t) / (1 - rho^2T))
 * (the 95 % half-width 1.96 / 1.2816 of it; TFR on the log scale); a file's bounds are taken
 * at its years and interpolated linearly between them (TFR as log ratios to the median, e0
 * and migration as differences), growing from 0 at start_year before the first row the same
 * way and held after the last.
 * A file row not ordered lo95 <= lo80 <= median <= hi80 <= hi95 is refused at its cell.
 * @return PS_OK; PS_EIO (a file cannot be read); PS_EPARSE; PS_EINVAL; PS_ENOMEM
 */
ps_status ps_scn_unc_bounds(ps_prob_bounds *out, ps_prob_options *opt, const ps_scenario *scn,
                            const ps_inputs *in, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_UNCERTAINTY_H */

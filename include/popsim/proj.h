/*
 * popsim/proj.h - the deterministic cohort-component projection (UN WPP single-year method).
 * ps_proj_new() derives everything the step needs from validated inputs once (life tables,
 * survivorship ratios, e0, TFR); ps_proj_step() then advances one year without allocating;
 * ps_proj_run() fills a whole ps_result. Equations: docs/model.md, sec. 2.
 */
#ifndef PS_PROJ_H
#define PS_PROJ_H

#include "popsim/error.h"
#include "popsim/inputs.h"
#include "popsim/result.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_proj ps_proj; /* opaque */

/* What one step produced, in caller storage sized for the inputs' regions and ages. */
typedef struct ps_proj_events {
    double *births;        /* [reg][sex] */
    double *deaths;        /* [reg][sex][age], by age at the end of the step */
    double *net_migration; /* [reg][sex][age], credited to the cohort by age at end */
    double adjustment;     /* persons of net emigration not applied because the cohort
                            * would have become negative (set by the step) */
} ps_proj_events;

/**
 * Prepare a projection. `in` is borrowed and must outlive the object; it is validated here.
 * @return PS_OK; PS_EINVAL for invalid inputs; PS_ENOMEM
 */
ps_status ps_proj_new(ps_proj **out, const ps_inputs *in, ps_error *err);

/**
 * Advance population `from` (1 July of start_year + step) to `to` (one year later).
 * `from` and `to` are [reg][sex][age] arrays and must not overlap; ev receives the events
 * (caller storage, so the step never allocates and threads can step independently).
 * Checks the accounting identity of every cell.
 * @return PS_OK; PS_ENUMERIC if the identity fails or a result is not finite
 */
ps_status ps_proj_step(const ps_proj *p, int step, const double *from, double *to,
                       ps_proj_events *ev, ps_error *err);

/**
 * Run the whole horizon into `res` (allocated here with ps_result_init; the caller
 * releases it). name/title label the result.
 * @return PS_OK; the statuses of ps_result_init and ps_proj_step
 */
ps_status ps_proj_run(ps_result *res, const ps_proj *p, const char *name, const char *title,
                      ps_error *err);

/** Life expectancy at birth of the step's life table, years. */
double ps_proj_e0(const ps_proj *p, int step, int reg, ps_sex sex);

void ps_proj_free(ps_proj *p); /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif /* PS_PROJ_H */

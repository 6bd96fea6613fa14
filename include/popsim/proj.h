/*
 * popsim/proj.h - the deterministic cohort-component projection (UN WPP single-year method).
 * ps_proj_new() derives everything the step needs from validated inputs once (life tables,
 * survivorship ratios, e0, TFR); ps_proj_step() then advances one year without allocating;
 * ps_proj_run() fills a whole ps_result. Equations: docs/model.md, sec. 2.
 */
#ifndef PS_PROJ_H
#define PS_PROJ_H

#include "popsim/error.h"
#include "popsim/flows.h"
#include "popsim/inputs.h"
#include "popsim/policy.h"
#include "popsim/result.h"
#include "popsim/status.h"

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
    /* Internal migration (required when the projection has flows, else unused): */
    double *internal_in;   /* [reg][sex][age] internal in-migrants, credited like net_migration */
    double *internal_out;  /* [reg][sex][age] internal out-migrants, credited likewise */
    double *internal_net;  /* [reg][sex][age] out: net internal migrants by age at migration
                            * (the age on 1 July t, as the engine applies them) */
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

/* Birth-order state of one step, caller storage; see ps_proj_step_parity. */
typedef struct ps_proj_parity {
    const double *from;      /* [reg][age][parity] women by parity on 1 July t */
    double *to;              /* [reg][age][parity] women by parity on 1 July t+1 */
    const double *mult;      /* [reg][order] multipliers of births by order; NULL = all 1 */
    double *births_by_order; /* [reg][order] births of the step (after multipliers) */
    double *fertility_scale; /* [reg] out: births after / before the multipliers (1 if none) */
    /* A policy variant's baseline in the same step (all NULL = none): with multipliers, the
     * intensities keep the baseline's scaling (docs/model.md 2.6) instead of being scaled
     * to ASFR x the variant's own women. */
    const double *base_women;    /* [reg][age][parity] the baseline's women on 1 July t */
    const double *base_pop_from; /* [reg][sex][age] the baseline's population on 1 July t */
    const double *base_pop_to;   /* [reg][sex][age] ... and on 1 July t+1 */
} ps_proj_parity;

/* A fertility history for the base parity: ASFR of the steps starting 1 July first_year ..
 * first_year + n_years - 1 (the inputs' convention), one schedule for every region. */
typedef struct ps_fert_history {
    const double *asfr; /* [year][age] births per woman-year, n_ages per year; borrowed */
    int first_year;     /* calendar year of the first row's 1 July */
    int n_years;        /* rows; 0 = no history */
} ps_fert_history;

/**
 * Calibrate the birth-order model (parity progression, docs/model.md sec. 2.6) and give the
 * women of the base population a parity. Births of order k at age x come from the women of
 * parity k-1 at intensities m_k(x) = S_k g_k(x), scaled in every step and age so that
 * births by age stay ASFR x women; the levels S_k (one set per region) are fitted so that
 * the base step's births by order match `bo`. The base parity is reconstructed cohort by
 * cohort from the fertility history `h` (each cohort living through its ASFR with the same
 * model; years before the history take its first row, years after it the base step's ASFR);
 * ps_proj_parity_init uses no history (every cohort lives through the base step's ASFR).
 * With bo->first_mean_age set, the mean age of the first-order shape g_1 is fitted too, so
 * that the base step's first births have that mean age (each cohort's births at the age it
 * reaches at the end of the step), over all regions together. With bo->second_share or
 * bo->first_mean_age_year given, every given target (childless_45_49, second_share,
 * first_mean_age) is met at once by the joint fit of the history's first- and second-order
 * levels and the first-order shape (docs/model.md sec. 2.6 "Joint fit"; ps_proj_parity_fit).
 * @param[out] women_out  [reg][age][parity] women on 1 July of the start year
 * @return PS_OK; PS_EINVAL if the shares are not positive or do not sum to 1, a history
 *         rate is outside [0, PS_ASFR_MAX], or the mean age at first birth is outside
 *         [16, 40] or cannot be reached, or joint targets out of reach (naming each key);
 *         PS_ENUMERIC if the shares cannot be reached
 */
ps_status ps_proj_parity_init(ps_proj *p, const ps_birth_order *bo, double *women_out,
                              ps_error *err);
ps_status ps_proj_parity_init_history(ps_proj *p, const ps_birth_order *bo,
                                      const ps_fert_history *h, double *women_out, ps_error *err);

/**
 * As ps_proj_parity_init_history, with a planner's base parity (popsim/parity.h, issue #12):
 * at every age where given[age] is 1 the women's parity shares are share[age][parity]
 * instead of the reconstruction (which still gives the other ages), in every region, so
 * women_out = share x the base population's women there. share NULL: no table.
 * @return as ps_proj_parity_init_history; PS_EINVAL for a share outside [0, 1]
 */
ps_status ps_proj_parity_init_table(ps_proj *p, const ps_birth_order *bo,
                                    const ps_fert_history *h, const double *share,
                                    const unsigned char *given, double *women_out,
                                    ps_error *err);

/**
 * ps_proj_step with women by parity: births are split by order and multiplied by
 * par->mult. With mult NULL or all exactly 1, births and population are bit-identical to
 * ps_proj_step. Requires ps_proj_parity_init first.
 */
ps_status ps_proj_step_parity(const ps_proj *p, int step, const double *from, double *to,
                              ps_proj_events *ev, ps_proj_parity *par, ps_error *err);

/**
 * Run the whole horizon into `res` (allocated here with ps_result_init; the caller
 * releases it). name/title label the result.
 * @return PS_OK; the statuses of ps_result_init and ps_proj_step
 */
ps_status ps_proj_run(ps_result *res, const ps_proj *p, const char *name, const char *title,
                      ps_error *err);

/**
 * Allocate `res` for this projection (ps_result_init with the inputs' shape and region
 * names) and copy the base population into its first year.
 */
ps_status ps_proj_run_init(ps_result *res, const ps_proj *p, const char *name, const char *title,
                           ps_error *err);

/**
 * Record the step's fertility and mortality indicators in `res` year `step`: ASFR and TFR
 * times fertility_scale[reg] (the effect of policy multipliers; NULL = 1), and e0.
 */
void ps_proj_record_rates(ps_result *res, const ps_proj *p, int step,
                          const double *fertility_scale);

/**
 * Link the regions by internal migration (popsim/flows.h; docs/model.md sec. 7). `f` is
 * borrowed and must outlive the projection; NULL removes the flows. Every step then computes
 * the flows from the population on 1 July t, adds the net internal migrants to the
 * international ones (half exposed to the step's risks, as the UN method does) and needs
 * the events' internal_* arrays. Out-migration that would leave a cohort negative is an
 * error of the step (PS_EINVAL naming year and region), never a cap.
 * @return PS_OK; PS_EINVAL if the shape differs from the projection's or a value is invalid
 */
ps_status ps_proj_set_flows(ps_proj *p, const ps_flows *f, ps_error *err);

/* Point a step's events at the result's internal-migration arrays of year `year` (nothing
 * when the result has none); after the step ps_proj_internal_net sets internal_net of that
 * year to internal_in - internal_out (credited to cohorts). */
void ps_proj_internal_events(ps_proj_events *ev, ps_result *res, int year);
void ps_proj_internal_net(ps_result *res, int year);

/**
 * Track registration status (popsim/status.h; docs/model.md sec. 8). `g` is borrowed and
 * must outlive the projection; NULL removes it. ps_proj_run_init then allocates the result's
 * registered population (the base population times each region's base share), and after
 * each step ps_proj_registered_step advances it.
 * @return PS_OK; PS_EINVAL if the shape differs from the projection's or a value is invalid
 */
ps_status ps_proj_set_registration(ps_proj *p, const ps_registration *g, ps_error *err);

/** The rules set by ps_proj_set_registration (borrowed), or NULL. */
const ps_registration *ps_proj_registration(const ps_proj *p);

/**
 * The registered population on 1 July of year step+1 (res->registered), from the step's
 * residents (res->population at step and step+1, res->births at step, which already hold the
 * step) and the registered at step: the residents' survivorship and migration timing, births
 * to registered mothers (their share of the births the fertility schedule gives, applied to
 * the step's births, so policy multipliers act on both statuses alike), conversions of the
 * unregistered, internal out-migrants leaving with their status and arriving unregistered
 * (but arrive_registered), international immigrants unregistered and net emigrants taken
 * from both statuses pro rata. A cell's registered are capped at its residents (rounding and
 * extreme conversion only; docs/model.md sec. 8). Nothing happens without rules. `work` is
 * caller storage of ps_proj_registered_work_size(p) doubles (the step never allocates).
 * @return PS_OK; PS_ENUMERIC for a result that is not a finite count
 */
ps_status ps_proj_registered_step(ps_result *res, const ps_proj *p, int step, double *work,
                                  ps_error *err);

/** Doubles of workspace ps_proj_registered_step needs (0 without registration rules). */
size_t ps_proj_registered_work_size(const ps_proj *p);

/** The flows set by ps_proj_set_flows (borrowed), or NULL. */
const ps_flows *ps_proj_flows(const ps_proj *p);

/** Life expectancy at birth of the step's life table, years. */
double ps_proj_e0(const ps_proj *p, int step, int reg, ps_sex sex);

/* ---- accessors for other engines (the microsimulation uses exactly these rates) ---- */

/** The inputs the projection was built from (borrowed). */
const ps_inputs *ps_proj_inputs(const ps_proj *p);

/**
 * Survivorship ratios of the step for one region and sex (borrowed, n_ages values):
 * [0] births to age 0 on the next 1 July, [a] for the cohort reaching age a (the open
 * group's ratio applies to the two oldest ages together); docs/model.md sec. 2.1.
 */
const double *ps_proj_survivorship(const ps_proj *p, int step, int reg, ps_sex sex);

/** 1 when ps_proj_parity_init has calibrated the birth-order model, else 0. */
int ps_proj_has_parity(const ps_proj *p);

/** What the last parity init fitted and reached (popsim/policy.h); `joint` is 0 without a
 * joint fit. The reached values (childlessness at 45-49, the second births' share of the
 * years the birth order names, the mean age at first birth) are computed when the birth
 * order has a target (childless_45_49, first_mean_age, second_share) or the levels were
 * given (ps_proj_parity_init_levels), else NaN. */
void ps_proj_parity_fit(const ps_proj *p, ps_parity_fit *out);

/**
 * The forward model of the joint fit: as ps_proj_parity_init_history with the history's
 * first- and second-order levels multiplied by levels->first_level and ->second_level and the
 * first-order shape of mean age levels->first_shape_age, none of bo's targets fitted (the
 * base step still has bo's order shares). ps_proj_parity_fit then gives what they reach.
 * @return as ps_proj_parity_init_history; PS_EINVAL for a level <= 0 or a mean age outside
 *         [16, 40]
 */
ps_status ps_proj_parity_init_levels(ps_proj *p, const ps_birth_order *bo,
                                     const ps_fert_history *h, const ps_parity_fit *levels,
                                     double *women_out, ps_error *err);

/**
 * Progression intensities m_k(age) = S_k g_k(age) of region reg before the step's scaling
 * (requires the birth-order model): births at a mother's age are split over orders 1, 2, 3+
 * in proportion to m_k x the women at risk of order k (docs/model.md 2.6).
 */
void ps_proj_order_weights(const ps_proj *p, int reg, int age, double w_out[PS_ORDER_COUNT]);

/**
 * The birth-order split of the cohort engine: b births over orders in proportion to
 * m[k] x risk[k] (intensity x women at risk of order k), with at most risk[k] births of
 * order k (the excess goes to the other orders).
 */
void ps_proj_split_orders(double out[PS_ORDER_COUNT], double b, const double m[PS_ORDER_COUNT],
                          const double risk[PS_ORDER_COUNT]);

void ps_proj_free(ps_proj *p); /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif /* PS_PROJ_H */

/*
 * popsim/builder.h - from a validated scenario to projection inputs: the UN WPP location
 * (if any) supplies every component, and each component the scenario names in a planner's
 * CSV file or as a constant replaces the WPP one (docs/scenario-format.md).
 */
#ifndef PS_BUILDER_H
#define PS_BUILDER_H

#include "popsim/error.h"
#include "popsim/flows.h"
#include "popsim/inputs.h"
#include "popsim/scenario.h"
#include "popsim/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_build_options {
    const char *wpp_dir;      /* overrides the scenario's data.wpp_dir when not NULL */
    const char *project_root; /* where ../shared/data/wpp2024 is looked for; NULL = "." */
    const char *cache_dir;    /* parsed-WPP cache folder; NULL = no cache */
    ps_cancel cancel; /* asked by the planner CSV reads while they wait for data from a pipe
                       * (issue #11: per call); zeroed: never cancelled */
    /* When not NULL (ps_build_wpp_inputs only): the age pattern of fertility of this TFR path
     * of calendar years pattern_tfr_first .. + pattern_tfr_n - 1, the UN's low or high variant
     * (ps_wpp_inputs_pattern, docs/model.md 9.9); the ASFR keep the medium TFR. */
    const double *pattern_tfr;
    int pattern_tfr_first, pattern_tfr_n;
} ps_build_options;

/**
 * Build and validate the inputs of a scenario. Errors in referenced files carry the file's
 * path:line:col; errors about the scenario's own values carry the scenario's location.
 * @param[out] out  filled inputs the caller releases with ps_inputs_release
 * @return PS_OK; PS_EIO; PS_EPARSE; PS_EINVAL; PS_ENUMERIC; PS_ENOMEM
 */
ps_status ps_build_inputs(ps_inputs *out, const ps_scenario *scn, const ps_build_options *opt,
                          ps_error *err);

/**
 * Inputs for a WPP location with the medium assumptions (no scenario file).
 * @param[out] code_out, name_out  the resolved location (name_out may be NULL)
 */
ps_status ps_build_wpp_inputs(ps_inputs *out, int *code_out, char *name_out, size_t name_size,
                              const char *location, int start_year, int end_year,
                              const ps_build_options *opt, ps_error *err);

/**
 * The fertility history of the scenario's WPP location for the base parity (docs/model.md
 * sec. 2.6): inputs for the steps 1 July 1950 .. 1 July start_year - 1, whose asfr rows
 * ([step][0][age], one region) are prepared as the projection's. Without a location, or
 * starting in 1950, `out` has no steps and out->asfr is NULL.
 * @param[out] out  released by the caller with ps_inputs_release
 * @return PS_OK; the statuses of ps_build_wpp_inputs
 */
ps_status ps_build_fertility_history(ps_inputs *out, const ps_scenario *scn,
                                     const ps_build_options *opt, ps_error *err);

/**
 * The internal migration of a scenario with `regions:` and `internal_migration:` (issue #13):
 * the origin-destination table (origin,destination,rate[,year], rates per person-year of the
 * origin's population, the mean over single ages) spread over ages by the scenario's
 * Rogers-Castro schedule into the factored flows of popsim/flows.h. With a year column each
 * step takes the latest listed year at or before its start (the first listed before it).
 * Without internal migration `out` is zeroed (n_regions 0) and PS_OK is returned.
 * @param[out] out  released by the caller with ps_flows_release
 * @return PS_OK; PS_EIO; PS_EPARSE; PS_EINVAL with the table's path:line:col (unknown region,
 *         rate outside [0, 1], a pair given twice) or when an age's total rate exceeds 1
 */
ps_status ps_build_flows(ps_flows *out, const ps_scenario *scn, const ps_inputs *in,
                         ps_error *err);

/**
 * The registration rules of a scenario with `registration:` (issue #13, sec. 2): each
 * region's base share (its item's registered_share, else the section's), the conversion rate
 * at conversion_from_age..conversion_to_age, and arrive_registered. Without the section
 * `out` is zeroed (n_regions 0) and PS_OK is returned.
 * @param[out] out  released by the caller with ps_registration_release
 * @return PS_OK; PS_EINVAL; PS_ENOMEM
 */
ps_status ps_build_registration(ps_registration *out, const ps_scenario *scn,
                                const ps_inputs *in, ps_error *err);

/**
 * What `popsim check` validates after the inputs (src/io/check_regions.c): the internal
 * migration table and registration rules, built and released, and every member's service
 * stock files matched with the regions of `in` (ps_svc_stock_check_regions, the run's rule).
 * @return PS_OK; the statuses of ps_build_flows, ps_build_registration and
 *         ps_svc_stock_check_regions, located in the file at fault
 */
ps_status ps_build_check(const ps_scenario *scn, const ps_inputs *in, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_BUILDER_H */

/*
 * popsim/wpp_pi.h - the UN WPP 2024 probabilistic intervals (the folder's README):
 * tfr_pi_annual.csv, e0_pi_annual.csv, migration_total_pi_annual.csv and
 * pop_total_pi_annual.csv, read once for every location, then the bounds of one location
 * for a probabilistic projection (popsim/prob.h) and its population intervals for checks.
 * Counts are converted from thousands to persons. The data are read where they are.
 */
#ifndef PS_WPP_PI_H
#define PS_WPP_PI_H

#include "popsim/error.h"
#include "popsim/prob.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PS_WPP_PI_FIRST_YEAR 2024
#define PS_WPP_PI_LAST_YEAR 2100
#define PS_WPP_PI_COUNTRY_TYPE 4 /* locations.csv location_type of a country or area */
#define PS_WPP_PI_N_YEARS (PS_WPP_PI_LAST_YEAR - PS_WPP_PI_FIRST_YEAR + 1)

/* Columns of a population interval row (ps_wpp_pi_pop). */
enum { PS_WPP_PI_LO95, PS_WPP_PI_LO80, PS_WPP_PI_MEDIAN, PS_WPP_PI_HI80, PS_WPP_PI_HI95,
       PS_WPP_PI_LOW, PS_WPP_PI_HIGH, PS_WPP_PI_COLS };

typedef struct ps_wpp_pi ps_wpp_pi; /* opaque: all locations' intervals */

/**
 * Read the four interval files of the WPP folder `dir`.
 * @return PS_OK; PS_EIO; PS_EPARSE at file:line:col; PS_ENOMEM
 */
ps_status ps_wpp_pi_load(ps_wpp_pi **out, const char *dir, ps_error *err);

/** Number of locations with intervals, and the M49 code of the i-th (file order). */
int ps_wpp_pi_count(const ps_wpp_pi *pi);
int ps_wpp_pi_code(const ps_wpp_pi *pi, int i);
/** 1 if the i-th location is a country or area (locations.csv location_type 4), else 0. */
int ps_wpp_pi_is_country(const ps_wpp_pi *pi, int i);
/** The UN name of the i-th location (borrowed). */
const char *ps_wpp_pi_name(const ps_wpp_pi *pi, int i);

/**
 * The TFR, e0 and migration bounds of location `code`, calendar years 2024..2100
 * (ps_prob_bounds_release them).
 * @return PS_OK; PS_EINVAL if the location has no complete intervals; PS_ENOMEM
 */
ps_status ps_wpp_pi_bounds(ps_prob_bounds *out, const ps_wpp_pi *pi, int code, ps_error *err);

/**
 * Total population (both sexes, persons, 31 December of `year`) of location `code`:
 * out[PS_WPP_PI_LO95 .. PS_WPP_PI_HIGH].
 * @return PS_OK; PS_EINVAL for an unknown location or a year outside 2024..2100
 */
ps_status ps_wpp_pi_pop(double out[PS_WPP_PI_COLS], const ps_wpp_pi *pi, int code, int year,
                        ps_error *err);

/**
 * The same at 1 July of `year` (the projection's dates): the mean of the 31 December rows of
 * year - 1 and year. @return PS_OK; PS_EINVAL as ps_wpp_pi_pop (year 2025..2100)
 */
ps_status ps_wpp_pi_pop_mid(double out[PS_WPP_PI_COLS], const ps_wpp_pi *pi, int code, int year,
                            ps_error *err);

/**
 * ps_prob_mig_growth of location `code`'s bounds b, the populations of PS_PROB_GROWTH_FROM
 * and _TO being the UN's median totals at 1 July (ps_wpp_pi_pop_mid): what
 * ps_prob_options_by_class takes for `popsim run --location`.
 * @return the growth; NaN for an unknown location or bounds that do not cover both years
 */
double ps_wpp_pi_mig_growth(const ps_wpp_pi *pi, int code, const ps_prob_bounds *b);

/**
 * ps_prob_mig_early_growth of location `code`'s bounds b, the population of the bounds' first
 * year being the UN's median total at its 31 December (the file's first; its 1 July would
 * need the year before) and that of PS_PROB_EARLY_TO at 1 July: what
 * ps_prob_options_by_class takes as mig_early for `popsim run --location`.
 * @return the growth; NaN for an unknown location or bounds that do not cover both years
 */
double ps_wpp_pi_mig_early_growth(const ps_wpp_pi *pi, int code, const ps_prob_bounds *b);

/* ---- calibration of the persistences (docs/model.md sec. 9.3) ------------------------- */

#define PS_WPP_PI_CALIB_YEARS 2 /* 2050 and 2100 */
/* Deviations per location and grid point: for 2050 then 2100, the five knots of the total
 * population (lo95, lo80, median, hi80, hi95). A bound's deviation is
 * (popsim - UN) / |UN bound - UN median|; the median's is (popsim / UN - 1) / 0.003 x 0.2,
 * so that each criterion of issue #14 sec. 3 is met when |deviation| <= 0.2. */
#define PS_WPP_PI_CALIB_N (PS_WPP_PI_CALIB_YEARS * PS_PROB_N_KNOTS)
/* Parameters of a grid point: rho, level share, centring and level skew (round 17) of TFR,
 * e0 and migration. */
#define PS_WPP_PI_CALIB_PARAMS (4 * PS_PROB_PROC_COUNT)

/**
 * Project location `code` (WPP medium inputs from 1 July 2025, its interval bounds) with
 * n_traj trajectories for each of the n_grid points grid[g] (persistences [0..2], level
 * shares [3..5], centrings [6..8], level skews [9..11] of TFR, e0 and migration), and give the
 * deviations dev_out[g][PS_WPP_PI_CALIB_N] of its total population quantiles from the UN's at
 * 1 July 2050 and 2100 (the mean of the 31 December totals around it). The same random
 * streams serve every grid point (common random numbers). mig_per_person: as
 * ps_prob_options.mig_per_person (PS_PROB_MIG_PER_PERSON_LOCATION, as popsim run --location
 * has it since round 11, with PS_PROB_MIG_SIZE_ELASTICITY_LOCATION since round 13; 0 for the
 * searches of earlier rounds).
 * @param bo  how to find and cache the WPP files (popsim/builder.h)
 * @return PS_OK; the statuses of ps_build_wpp_inputs, ps_prob_new and ps_prob_unit
 */
struct ps_build_options;
ps_status ps_wpp_pi_calib_location(double *dev_out, const ps_wpp_pi *pi, int code,
                                   const double (*grid)[PS_WPP_PI_CALIB_PARAMS], int n_grid,
                                   int n_traj, int n_threads, int mig_per_person,
                                   const struct ps_build_options *bo, ps_error *err);

/** The calibration objective of one location's deviations: sum of min(dev^2, 1) (a location
 * the process cannot describe counts at most 1 per criterion). */
double ps_wpp_pi_calib_loss(const double dev[PS_WPP_PI_CALIB_N]);

void ps_wpp_pi_free(ps_wpp_pi *pi); /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif /* PS_WPP_PI_H */

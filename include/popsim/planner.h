/*
 * popsim/planner.h - readers for a planner's own CSV inputs (docs/input-format.md):
 * population by single age or 5-year group, death rates by single age or abridged group,
 * e0, ASFR by single age or 5-year group, TFR, sex ratio at birth, net migration by age or
 * as a yearly total. Grouped inputs are graduated to single years (popsim/demog.h).
 *
 * Years in rate files are calendar years. Step s of a projection runs from 1 July
 * (start_year + s) to 1 July (start_year + s + 1) and takes the mean of the two calendar
 * years it spans; a value between two listed years is interpolated linearly, a value
 * before the first or after the last listed year is held at that year's value.
 * Every error is reported at path:line:col with the column name, value and expectation.
 */
#ifndef PS_PLANNER_H
#define PS_PLANNER_H

#include "popsim/error.h"
#include "popsim/pop.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Population on 1 July of the base year: header `sex,age,value`, sex M/F (or male/female),
 * age "25" (single), "25-29" (group) or "100+" (open, must be the last age n_ages-1);
 * value in persons >= 0. Every age 0..n_ages-1 covered exactly once per sex, no gaps or
 * overlaps; groups graduated by ps_grad_counts.
 * @param[out] pop_out  n_ages x 2 values, [sex][age], persons
 */
ps_status ps_plan_read_population(double *pop_out, int n_ages, const char *path, ps_error *err);

/**
 * As ps_plan_read_population, but the table may also end with an open group below the last
 * age ("80+", "85+", "90+"; from age 50 on), as yearbooks print them: its total is put at
 * its first age, 0 above, and *open_from_out is that age (n_ages-1 when the table reaches
 * the last age). ps_plan_extend_open_group then spreads it with the scenario's mortality.
 */
ps_status ps_plan_read_population_open(double *pop_out, int n_ages, const char *path,
                                       int *open_from_out, ps_error *err);

/**
 * Spread each sex's persons at ages open_from..n_ages-1 (their total) over those ages in
 * proportion to the life table's L(x) of mx ([sex][age], per person-year; the open age's
 * L is T): the stationary population of that mortality. No-op when open_from >= n_ages-1.
 * @return PS_OK; PS_EINVAL for invalid mx (ps_lt_compute); PS_ENOMEM
 */
ps_status ps_plan_extend_open_group(double *pop, int n_ages, int open_from, const double *mx,
                                    ps_error *err);

/**
 * Central death rates: header `year,sex,age,mx`, ages single (0..n_ages-1) or abridged
 * (0, 1-4, 5-9, ..., open group "100+"), mx per person-year in [0, 10]; each listed year has a
 * complete set for both sexes. @param[out] mx_out  [step][sex][age], n_steps = end - start
 */
ps_status ps_plan_read_mx(double *mx_out, int start_year, int end_year, int n_ages,
                          const char *path, ps_error *err);

/** Life expectancy at birth: header `year,sex,e0`, e0 in (0, 120) years. Out: [step][sex]. */
ps_status ps_plan_read_e0(double *e0_out, int start_year, int end_year, const char *path,
                          ps_error *err);

/**
 * Age-specific fertility: header `year,age,asfr`, ages single (10..54) or 5-year groups
 * ("15-19"), asfr births per woman-year in [0, 1]; groups graduated through cumulative
 * fertility. Ages not listed are 0. Out: [step][age], n_ages per step.
 */
ps_status ps_plan_read_asfr(double *asfr_out, int start_year, int end_year, int n_ages,
                            const char *path, ps_error *err);

/** Total fertility: header `year,tfr`, tfr in [0, 10] children per woman. Out: [step]. */
ps_status ps_plan_read_tfr(double *tfr_out, int start_year, int end_year, const char *path,
                           ps_error *err);

/** Sex ratio at birth: header `year,srb`, male per female birth in [0.9, 1.3]. Out: [step]. */
ps_status ps_plan_read_srb(double *srb_out, int start_year, int end_year, const char *path,
                           ps_error *err);

/**
 * Net migrants by age: header `year,sex,age,value`, persons per calendar year (any sign),
 * ages single or groups as for population (groups spread evenly over their single ages).
 * Out: [step][sex][age].
 */
ps_status ps_plan_read_migration(double *mig_out, int start_year, int end_year, int n_ages,
                                 const char *path, ps_error *err);

/** Net migrants per year: header `year,total`, persons (any sign). Out: [step]. */
ps_status ps_plan_read_migration_total(double *total_out, int start_year, int end_year,
                                       const char *path, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_PLANNER_H */

/*
 * planner_int.h - library-internal planner readers that take the caller's cancel callback
 * (issue #11: per call, no process-wide flag). The input builder reads through these with
 * ps_build_options.cancel; the public ps_plan_read_* (popsim/planner.h) are never cancelled.
 */
#ifndef PS_IO_PLANNER_INT_H
#define PS_IO_PLANNER_INT_H

#include "popsim/error.h"

/* Which year-by-year table ps_plan__read_steps reads (the ps_plan_read_* of the same name). */
typedef enum ps_plan_kind {
    PS_PLAN_MX,
    PS_PLAN_E0,
    PS_PLAN_ASFR,
    PS_PLAN_TFR,
    PS_PLAN_SRB,
    PS_PLAN_MIGRATION,
    PS_PLAN_MIGRATION_TOTAL,
    PS_PLAN_KIND_COUNT
} ps_plan_kind;

/** ps_plan_read_<kind> whose reads ask `cancel` while they wait for data (NULL: never). */
ps_status ps_plan__read_steps(double *out, ps_plan_kind kind, int start_year, int end_year,
                              int n_ages, const char *path, const ps_cancel *cancel,
                              ps_error *err);

/** ps_plan_read_population_open whose reads ask `cancel` (NULL: never). */
ps_status ps_plan__read_population_open(double *pop_out, int n_ages, const char *path,
                                        int *open_from_out, const ps_cancel *cancel,
                                        ps_error *err);

#endif /* PS_IO_PLANNER_INT_H */

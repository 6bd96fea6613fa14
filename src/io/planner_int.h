/*
 * io/planner_int.h - the planner readers' internals: field parsers shared with the other
 * readers of planners' tables (the origin-destination table by age, src/io/od_aged.c), and
 * readers that take the caller's cancel callback (issue #11: per call, no process-wide
 * flag). The input builder reads through these with ps_build_options.cancel; the public
 * ps_plan_read_* (popsim/planner.h) are never cancelled.
 */
#ifndef PS_IO_PLANNER_INT_H
#define PS_IO_PLANNER_INT_H

#include "io/csv_int.h"
#include "popsim/error.h"

/* An age label: "25" -> 25..25, "25-29" -> 25..29, "100+" -> 100..100 with *open = 1.
 * Returns 0 if malformed. */
int ps_plan__age_label(const char *s, int *lo, int *hi, int *open);

/* Field i as a sex (M, F, male, female, any case) into *sex (ps_sex).
 * @return PS_OK; PS_EPARSE at the field */
ps_status ps_plan__sex(int *sex, const ps_csv *c, const ps_csv_row *row, int i, ps_error *err);

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

/*
 * io/planner_int.h - field parsers of the planner readers (src/io/planner.c) shared with the
 * other readers of planners' tables (the origin-destination table by age, src/io/od_aged.c).
 */
#ifndef PS_IO_PLANNER_INT_H
#define PS_IO_PLANNER_INT_H

#include "io/csv_int.h"

/* An age label: "25" -> 25..25, "25-29" -> 25..29, "100+" -> 100..100 with *open = 1.
 * Returns 0 if malformed. */
int ps_plan__age_label(const char *s, int *lo, int *hi, int *open);

/* Field i as a sex (M, F, male, female, any case) into *sex (ps_sex).
 * @return PS_OK; PS_EPARSE at the field */
ps_status ps_plan__sex(int *sex, const ps_csv *c, const ps_csv_row *row, int i, ps_error *err);

#endif /* PS_IO_PLANNER_INT_H */

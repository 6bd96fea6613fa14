/*
 * popsim/parity.h - a planner's table of women by age and parity (issue #12, sec. 1;
 * docs/input-format.md "Women by parity"), the base parity of the birth-order model, and the
 * jump-off calibration of fertility to observed births (issue #12, sec. 2; docs/model.md
 * sec. 2.6).
 *
 * The table is long (`age,parity,value`, parity 0, 1, 2 or 3+) or wide (an age column and
 * one column per parity, census headers such as 年龄, 无孩, 一孩, 二孩, 三孩及以上 accepted;
 * columns 3, 4, 5+ are added into 3+). Values are counts of women or shares per age summing
 * to 1. Ages are single or 5-year groups; count groups are graduated to single ages with
 * ps_grad_counts (group totals kept), share groups give their shares to each of their ages.
 * Layer: engine (the calibration is src/engine/calib_births.c); the table reader, the one
 * function here that reads a file, is src/io/parity_table.c.
 */
#ifndef PS_PARITY_H
#define PS_PARITY_H

#include "popsim/error.h"
#include "popsim/inputs.h"
#include "popsim/pop.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Women by single age and parity as read from a planner's table. */
typedef struct ps_parity_table {
    int n_ages;           /* single ages 0..n_ages-1 */
    double *share;        /* [age][parity] shares of the women of each age, sum 1 where given */
    unsigned char *given; /* [age] 1 where the table gives the age, else 0 */
    double *count;        /* [age][parity] graduated counts of women; NULL for a share table */
    int first_age;        /* youngest age given */
    int last_age;         /* oldest age given (n_ages-1 with an open group "50+") */
} ps_parity_table;

/* Tolerance of a share table's rows: each age's shares must sum to 1 within it. */
#define PS_PARITY_SHARE_TOL 1e-3

/**
 * Read a table of women by age and parity (CSV, gzip CSV or an .xlsx sheet "book.xlsx#Sheet").
 * Every age PS_PARITY_TABLE_MIN_AGE..PS_PARITY_TABLE_MAX_AGE must be given exactly once; the
 * table may start at 10 and end with an open group ("50+", "50岁及以上") or a closed age up
 * to n_ages-2. The table holds shares when every value is at most 1, else counts.
 * @param[out] out  filled on success (release with ps_parity_table_release); zeroed on failure
 * @return PS_OK; PS_EIO; PS_EPARSE (header, unknown parity column, malformed number or age,
 *         missing parity of an age); PS_EINVAL (negative value, shares of an age not summing
 *         to 1, missing or overlapping ages, an age with no women); PS_ENOMEM. Every error
 *         is located at path:line:col.
 */
ps_status ps_parity_table_read(ps_parity_table *out, int n_ages, const char *path, ps_error *err);

/* Ages every table must give (the span where births are made in practice). */
#define PS_PARITY_TABLE_MIN_AGE 15
#define PS_PARITY_TABLE_MAX_AGE 49

void ps_parity_table_release(ps_parity_table *t); /* accepts a zeroed struct */

/* Observed births of calendar years for the jump-off calibration (borrowed arrays). */
typedef struct ps_birth_targets {
    const int *year;      /* ascending years, each within start..end-1 of the inputs */
    const double *births; /* births of that year, persons, > 0 (all regions together) */
    int n;                /* 0 = no calibration */
    int fade_years;       /* after the last year the factor returns to 1 over this many years
                           * (0: the scenario's ASFR from the next year on) */
} ps_birth_targets;

/**
 * Jump-off calibration (docs/model.md sec. 2.6): multiply the inputs' ASFR of the step
 * labelled Y (1 July Y to 1 July Y+1, the output file's year Y) by a factor f_Y so that the
 * age-only projection's births of that step equal the observed births of year Y. Steps from
 * the start to the first observed year take the first factor, steps between two observed
 * years the linear interpolation of their factors, and after the last observed year the
 * factor returns linearly to 1 over fade_years years (f_s = 1 + (1 - j/(fade_years+1))
 * (f_last - 1) in the j-th year after it). The births are those of the scenario's inputs,
 * before any policy multiplier. Births are linear in
 * ASFR, and the births of a step depend on the earlier steps' fertility only through women
 * born in them, so the factors are solved year by year in order, each from a projection
 * with the factors found so far.
 * @param[out] factor_out  [step] factor applied to each step's ASFR (1 where none)
 * @return PS_OK; PS_EINVAL for a year outside the projection, years not ascending, births
 *         not positive, or a step without births to scale; the errors of ps_proj_new/step
 */
ps_status ps_calibrate_births(ps_inputs *in, const ps_birth_targets *t, double *factor_out,
                              ps_error *err);

/**
 * Allocate r->fertility_calibration ([year], n_years values) and fill it with factor[step]
 * for every step, NaN in the last year (which has no step).
 * @return PS_OK; PS_ENOMEM
 */
struct ps_result;
ps_status ps_result_init_calibration(struct ps_result *r, const double *factor, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_PARITY_H */

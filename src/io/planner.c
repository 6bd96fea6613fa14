/*
 * planner.c - readers for a planner's own CSV inputs (docs/input-format.md).
 * A file is read in one pass. Each row is checked where it stands (field count, numbers,
 * range, sex, age label); the rows of one calendar year form a block whose age coverage
 * is checked when the block ends, so errors come in file order with path:line:col. Each
 * block becomes single-age values (grouped data graduated with popsim/demog.h), and the
 * listed years are mapped onto projection steps: linear (log-linear for mx) interpolation
 * between listed years, held outside them, and the mean of the two calendar years a step
 * spans (UN WPP single-year practice; docs/input-format.md, "Years").
 */
#include "popsim/planner.h"

#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "io/csv_int.h"
#include "io/encoding_int.h"
#include "io/planner_int.h"
#include "io/region_col_int.h"
#include "io/wide_int.h"
#include "io/xlsx_int.h"
#include "popsim/demog.h"
#include "popsim/units.h"

/* Calendar years accepted in a `year` column; anything outside is almost surely a typo. */
#define PS_PLAN_YEAR_MIN 1900
#define PS_PLAN_YEAR_MAX 2300
/* Age labels are read up to this value; larger ones are reported as beyond the last age. */
#define PS_PLAN_AGE_LABEL_MAX 100000
/* Room for a joined header ("year,sex,age,value") or a block name in messages. */
#define PS_PLAN_TEXT_MAX 128
/* The youngest age at which a population's open group may start ("85+"): below it, too much
 * of the population would be spread by a model instead of being counted. */
#define PS_PLAN_OPEN_MIN_AGE 50

/* How a file's age column is structured. */
typedef enum plan_ages {
    PLAN_AGES_NONE,     /* no age column */
    PLAN_AGES_COMPLETE, /* every age 0..n_ages-1 exactly once per sex; the last one open */
    PLAN_AGES_FERTILE,  /* any closed ages within the fertile span; ages not given are 0 */
} plan_ages;

/* How grouped ages become single ages. */
typedef enum plan_grad {
    PLAN_GRAD_NONE,   /* no age column: one value per (year, sex) */
    PLAN_GRAD_COUNTS, /* population: monotone spline through cumulative counts */
    PLAN_GRAD_EVEN,   /* migration: a group's value spread evenly (it may be negative) */
    PLAN_GRAD_MX,     /* death rates: log-linear, each group's rate kept (ps_grad_mx) */
    PLAN_GRAD_ASFR,   /* fertility: births per woman (asfr x width) as counts over 10..54 */
} plan_grad;

/* One planner file format: its header and the rules for its rows. */
typedef struct plan_fmt {
    const char *cols[4]; /* header in order: [year,][sex,][age,]value */
    int n_cols;
    int has_year;
    int has_sex;
    plan_ages ages;
    plan_grad grad;
    double lo, hi;        /* allowed values of the value column */
    int open_lo, open_hi; /* 1 when the bound itself is not allowed */
    const char *range;    /* the allowed range as printed, with its unit */
    int log_years;        /* interpolate log(value) between listed years (death rates) */
    int open_below;       /* an open group may start below the last age (population) */
} plan_fmt;

static const plan_fmt FMT_POPULATION = {
    .cols = { "sex", "age", "value" }, .n_cols = 3, .has_sex = 1,
    .ages = PLAN_AGES_COMPLETE, .grad = PLAN_GRAD_COUNTS,
    .lo = 0.0, .hi = PS_POPULATION_MAX, .range = "[0, 1e11] persons", .open_below = 1,
};
static const plan_fmt FMT_MX = {
    .cols = { "year", "sex", "age", "mx" }, .n_cols = 4, .has_year = 1, .has_sex = 1,
    .ages = PLAN_AGES_COMPLETE, .grad = PLAN_GRAD_MX,
    .lo = 0.0, .hi = 10.0, .range = "[0, 10] deaths per person-year", .log_years = 1,
    .open_below = 1,
};
static const plan_fmt FMT_E0 = {
    .cols = { "year", "sex", "e0" }, .n_cols = 3, .has_year = 1, .has_sex = 1,
    .lo = 0.0, .hi = 120.0, .open_lo = 1, .open_hi = 1, .range = "(0, 120) years",
};
static const plan_fmt FMT_ASFR = {
    .cols = { "year", "age", "asfr" }, .n_cols = 3, .has_year = 1,
    .ages = PLAN_AGES_FERTILE, .grad = PLAN_GRAD_ASFR,
    .lo = 0.0, .hi = PS_ASFR_MAX, .range = "[0, 0.8] births per woman-year",
};
static const plan_fmt FMT_TFR = {
    .cols = { "year", "tfr" }, .n_cols = 2, .has_year = 1,
    .lo = 0.0, .hi = 10.0, .range = "[0, 10] children per woman",
};
static const plan_fmt FMT_SRB = {
    .cols = { "year", "srb" }, .n_cols = 2, .has_year = 1,
    .lo = 0.9, .hi = 1.3, .range = "[0.9, 1.3] male per female birth",
};
static const plan_fmt FMT_MIGRATION = {
    .cols = { "year", "sex", "age", "value" }, .n_cols = 4, .has_year = 1, .has_sex = 1,
    .ages = PLAN_AGES_COMPLETE, .grad = PLAN_GRAD_EVEN,
    .lo = -PS_MIGRATION_MAX, .hi = PS_MIGRATION_MAX, .range = "[-1e9, 1e9] persons per year",
};
static const plan_fmt FMT_MIGRATION_TOTAL = {
    .cols = { "year", "total" }, .n_cols = 2, .has_year = 1,
    .lo = -PS_MIGRATION_MAX, .hi = PS_MIGRATION_MAX, .range = "[-1e9, 1e9] persons per year",
};

/* One data row: which cells it covers and its value. */
typedef struct plan_rec {
    int sex;        /* ps_sex; 0 when the file has no sex column */
    int lo, hi;     /* ages covered, inclusive; 0..0 when the file has no age column */
    double value;   /* in the unit of the value column */
    int open;       /* an open group "85+" below the last age: lo..last, hi = last */
    long line;      /* 1-based line in the file */
    int value_col;  /* 1-based column of the value */
} plan_rec;

/* Reader state: the open block (one year) and the single-age values of every closed one. */
typedef struct plan_reader {
    const plan_fmt *fmt;
    int open_from[PS_SEX_COUNT]; /* population: first age of its last (open) group; 0 = unset */
    const char *path;  /* borrowed, must outlive the reader */
    int n_ages;        /* single ages 0..n_ages-1 in the output */
    int n_sex;         /* PS_SEX_COUNT, or 1 when the file has no sex column */
    int n_slots;       /* age cells per sex: n_ages, or 1 without an age column */
    size_t n_cells;    /* values per listed year: n_sex x n_slots */
    plan_rec *rec;     /* rows of the open block */
    size_t n_rec, cap_rec;
    int *owner;        /* [sex][slot]: index in rec of the row covering the cell, -1 none */
    int in_block;      /* 1 while a block is open */
    int block_year;    /* year of the open block (0 without a year column) */
    long block_line;   /* line of the open block's first row */
    long last_line;    /* line of the open block's last row */
    int *years;        /* listed years, increasing */
    long *year_line;   /* first line of each listed year's block */
    double *vals;      /* [listed year][cell] single-age values */
    size_t n_years, cap_years;
    int *edges;        /* graduation scratch: group edges (n_ages + 1) */
    int *grec;         /* index in rec of each group, -1 for an unlisted (zero) span */
    double *gval;      /* value of each group */
    const char *region; /* selected region of a table with a region column; NULL = none */
    int region_col;     /* 1 when the table's first column names the region of each row */
} plan_reader;

/* ---------------------------------------------------------------- reader life cycle */

static void reader_free(plan_reader *rd)
{
    free(rd->rec);
    free(rd->owner);
    free(rd->years);
    free(rd->year_line);
    free(rd->vals);
    free(rd->edges);
    free(rd->grec);
    free(rd->gval);
    memset(rd, 0, sizeof *rd);
}

static ps_status reader_init(plan_reader *rd, const plan_fmt *f, int n_ages, const char *path,
                             ps_error *err)
{
    memset(rd, 0, sizeof *rd);
    rd->fmt = f;
    rd->path = path;
    rd->n_ages = n_ages;
    rd->n_sex = f->has_sex ? PS_SEX_COUNT : 1;
    rd->n_slots = f->ages == PLAN_AGES_NONE ? 1 : n_ages;
    rd->n_cells = (size_t)rd->n_sex * (size_t)rd->n_slots;
    const size_t n_edges = (size_t)n_ages + 1;
    rd->owner = malloc(rd->n_cells * sizeof *rd->owner);
    rd->edges = malloc(n_edges * sizeof *rd->edges);
    rd->grec = malloc(n_edges * sizeof *rd->grec);
    rd->gval = malloc(n_edges * sizeof *rd->gval);
    if (rd->owner == NULL || rd->edges == NULL || rd->grec == NULL || rd->gval == NULL) {
        reader_free(rd);
        return ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path);
    }
    for (size_t cell = 0; cell < rd->n_cells; ++cell) {
        rd->owner[cell] = -1;
    }
    return PS_OK;
}

/* ---------------------------------------------------------------- one field at a time */

static const char *sex_label(int sex)
{
    return sex == PS_SEX_MALE ? "M" : "F";
}

/* Case-insensitive equality with a lower-case word. */
static int equals_lower(const char *s, const char *lower)
{
    while (*s != '\0' && tolower((unsigned char)*s) == *lower) {
        ++s;
        ++lower;
    }
    return *s == '\0' && *lower == '\0';
}

static ps_status parse_sex(int *sex, const ps_csv *c, const ps_csv_row *row, int i, ps_error *err)
{
    static const struct {
        const char *word;
        ps_sex sex;
    } words[] = { { "m", PS_SEX_MALE }, { "male", PS_SEX_MALE },
                  { "f", PS_SEX_FEMALE }, { "female", PS_SEX_FEMALE } };
    for (size_t k = 0; k < sizeof words / sizeof words[0]; ++k) {
        if (equals_lower(row->field[i], words[k].word)) {
            *sex = words[k].sex;
            return PS_OK;
        }
    }
    return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, row->column[i],
                           "column 'sex': expected M, F, male or female (got '%.40s')",
                           row->field[i]);
}

/* Read decimal digits at *p into *out (capped at PS_PLAN_AGE_LABEL_MAX); 0 if none. */
static int read_age_number(const char **p, int *out)
{
    const char *s = *p;
    long v = 0;
    if (!isdigit((unsigned char)*s)) {
        return 0;
    }
    for (; isdigit((unsigned char)*s); ++s) {
        if (v < PS_PLAN_AGE_LABEL_MAX) {
            v = v * 10 + (*s - '0');
        }
    }
    *out = (int)(v < PS_PLAN_AGE_LABEL_MAX ? v : PS_PLAN_AGE_LABEL_MAX);
    *p = s;
    return 1;
}

/* "25" -> 25..25, "25-29" -> 25..29, "100+" -> 100..100 open. Returns 0 if malformed. */
static int parse_age_label(const char *s, int *lo, int *hi, int *open)
{
    if (!read_age_number(&s, lo)) {
        return 0;
    }
    *hi = *lo;
    *open = 0;
    if (*s == '+') {
        *open = 1;
        ++s;
    } else if (*s == '-') {
        ++s;
        if (!read_age_number(&s, hi)) {
            return 0;
        }
    }
    return *s == '\0';
}

/* Rules for a fertility age: closed, within PS_FERTILE_AGE_MIN..MAX and below n_ages. */
static ps_status check_fertile_age(const plan_reader *rd, const plan_rec *r, int open,
                                   const ps_csv_row *row, int i, ps_error *err)
{
    const int top = rd->n_ages - 1 < PS_FERTILE_AGE_MAX ? rd->n_ages - 1 : PS_FERTILE_AGE_MAX;
    if (open) {
        return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[i],
                               "column 'age' = '%s': open age groups are not allowed for "
                               "fertility (ages %d-%d)", row->field[i], PS_FERTILE_AGE_MIN, top);
    }
    if (r->lo < PS_FERTILE_AGE_MIN || r->hi > top) {
        return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[i],
                               "column 'age' = '%s' is outside the fertile ages %d-%d",
                               row->field[i], PS_FERTILE_AGE_MIN, top);
    }
    return PS_OK;
}

/* Rules for a complete age set: within 0..N, and N = n_ages-1 only as "N" or "N+". */
static ps_status check_complete_age(const plan_reader *rd, const plan_rec *r, int open,
                                    const ps_csv_row *row, int i, ps_error *err)
{
    const int last = rd->n_ages - 1;
    const char *label = row->field[i];
    if (r->hi > last) {
        return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[i],
                               "column 'age' = '%s' is beyond the last age %d (open group "
                               "'%d+')", label, last, last);
    }
    if (open && r->lo != last && !(rd->fmt->open_below && r->lo >= PS_PLAN_OPEN_MIN_AGE)) {
        return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[i],
                               rd->fmt->open_below
                                   ? "column 'age' = '%s': an open age group must start at %d or "
                                     "later (it is extended to '%d+' by the scenario's mortality)"
                                   : "column 'age' = '%s': the open age group must be the last "
                                     "age, '%d+'",
                               label, rd->fmt->open_below ? PS_PLAN_OPEN_MIN_AGE : last, last);
    }
    if (r->hi == last && r->lo < last) {
        return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[i],
                               "column 'age' = '%s' includes the last (open) age %d; give it "
                               "on its own line as '%d+'", label, last, last);
    }
    return PS_OK;
}

static ps_status parse_age(plan_rec *r, const plan_reader *rd, const ps_csv_row *row, int i,
                           ps_error *err)
{
    int open = 0;
    if (!parse_age_label(row->field[i], &r->lo, &r->hi, &open)) {
        return ps_error_set_at(err, PS_EPARSE, rd->path, row->line, row->column[i],
                               "column 'age': expected an age like '25', a group like '25-29' "
                               "or the open group like '%d+' (got '%.40s')", rd->n_ages - 1,
                               row->field[i]);
    }
    if (r->hi < r->lo) {
        return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[i],
                               "column 'age' = '%s': the age group ends before it starts",
                               row->field[i]);
    }
    if (rd->fmt->ages == PLAN_AGES_FERTILE) {
        return check_fertile_age(rd, r, open, row, i, err);
    }
    ps_status rc = check_complete_age(rd, r, open, row, i, err);
    if (rc == PS_OK && open && r->lo < rd->n_ages - 1) {
        r->hi = rd->n_ages - 1; /* "85+": covers 85..last; extended later (builder) */
        r->open = 1;
    }
    return rc;
}

static ps_status parse_value(plan_rec *r, const plan_fmt *f, const ps_csv *c,
                             const ps_csv_row *row, int i, ps_error *err)
{
    const char *name = f->cols[f->n_cols - 1];
    ps_status rc = ps_csv__double(&r->value, c, row, i, name, err);
    if (rc != PS_OK) {
        return rc;
    }
    const double v = r->value;
    const int below = f->open_lo ? v <= f->lo : v < f->lo;
    const int above = f->open_hi ? v >= f->hi : v > f->hi;
    if (below || above) {
        return ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), row->line, row->column[i],
                               "column '%s' = %.40s is outside %s", name, row->field[i],
                               f->range);
    }
    r->value_col = row->column[i];
    return PS_OK;
}

/* "year,sex,age,mx" for messages. */
static void join_header(char *buf, size_t size, const plan_fmt *f)
{
    buf[0] = '\0';
    for (int k = 0; k < f->n_cols; ++k) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", k > 0 ? "," : "", f->cols[k]);
    }
}

static ps_status check_field_count(const plan_fmt *f, const ps_csv *c, const ps_csv_row *row,
                                   size_t len, ps_error *err)
{
    char header[PS_PLAN_TEXT_MAX];
    if (row->n == f->n_cols) {
        return PS_OK;
    }
    join_header(header, sizeof header, f);
    if (row->n < f->n_cols) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, (int)len + 1,
                               "truncated line: expected %d fields (%s), got %d", f->n_cols,
                               header, row->n);
    }
    return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, row->column[f->n_cols],
                           "too many fields: expected %d (%s), got %d", f->n_cols, header,
                           row->n);
}

/* ---------------------------------------------------------------- graduation of a block */

/* "sex F in year 2030", "sex F" or "year 2030": which block a message is about. */
static void block_name(char *buf, size_t size, const plan_reader *rd, int sex)
{
    const char *sep = rd->fmt->has_sex && rd->fmt->has_year ? " in " : "";
    snprintf(buf, size, "%s%s%s", rd->fmt->has_sex ? "sex " : "",
             rd->fmt->has_sex ? sex_label(sex) : "", sep);
    if (rd->fmt->has_year) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "year %d", rd->block_year);
    }
}

/* Give a located message to an error raised by a routine that knows no file position. */
static ps_status locate(ps_error *err, ps_status rc, const plan_reader *rd, long line, int sex)
{
    char where[PS_PLAN_TEXT_MAX];
    char msg[sizeof err->msg];
    if (err == NULL) {
        return rc;
    }
    block_name(where, sizeof where, rd, sex);
    snprintf(msg, sizeof msg, "%s", err->msg);
    return ps_error_set_at(err, rc, rd->path, line, 1, "cannot graduate the ages of %s: %s",
                           where, msg);
}

/*
 * The rows of one sex as consecutive age groups over [first, end): edges[0..n], the value
 * and row of each group. Ages no row covers (only possible for fertility) become groups of
 * value 0 with row -1. Returns the number of groups; *all_single tells whether every
 * listed group is a single age (then no graduation is needed).
 */
static int collect_groups(plan_reader *rd, int sex, int first, int end, int *all_single)
{
    const int *owner = rd->owner + (size_t)sex * (size_t)rd->n_slots;
    int n = 0;
    *all_single = 1;
    for (int age = first; age < end; ++n) {
        const int k = owner[age];
        rd->edges[n] = age;
        rd->grec[n] = k;
        if (k >= 0) {
            rd->gval[n] = rd->rec[k].value;
            *all_single = *all_single && rd->rec[k].lo == rd->rec[k].hi;
            age = rd->rec[k].hi + 1;
        } else {
            rd->gval[n] = 0.0;
            while (age < end && owner[age] < 0) {
                ++age;
            }
        }
    }
    rd->edges[n] = end;
    return n;
}

/* Counts of groups [edges[g], edges[g+1]) to single ages; one group is spread evenly. */
static ps_status spread_counts(double *out, const int *edges, const double *counts,
                               int n_groups, ps_error *err)
{
    if (n_groups >= 2) {
        return ps_grad_counts(out, edges, counts, n_groups, err);
    }
    const int width = edges[1] - edges[0];
    for (int age = 0; age < width; ++age) {
        out[age] = counts[0] / width;
    }
    return PS_OK;
}

/* Population: closed groups through the cumulative spline, the open group as given. */
/*
 * Population: the last group (the open age, or an open group "85+" below it) is taken as a
 * total; the closed groups before it are graduated (ps_grad_counts). An open group below the
 * last age keeps its whole total at its first age and 0 above: ps_plan_extend_open_group
 * spreads it with the scenario's mortality once that is known.
 */
static ps_status grad_population(double *out, plan_reader *rd, int sex, ps_error *err)
{
    int all_single = 0;
    const int n = collect_groups(rd, sex, 0, rd->n_ages, &all_single);
    const plan_rec *last = rd->grec[n - 1] >= 0 ? &rd->rec[rd->grec[n - 1]] : NULL;
    const int open_from = last != NULL && last->open ? last->lo : rd->n_ages - 1;
    if (all_single) {
        memcpy(out, rd->gval, (size_t)n * sizeof *out);
        return PS_OK;
    }
    for (int age = open_from; age < rd->n_ages; ++age) {
        out[age] = age == open_from ? rd->gval[n - 1] : 0.0;
    }
    if (rd->open_from[sex] != 0 && rd->open_from[sex] != open_from) {
        return locate(err, ps_error_set(err, PS_EINVAL, "the open age group starts at %d for one "
                                                        "sex and at %d for the other",
                                        rd->open_from[sex], open_from),
                      rd, rd->last_line, sex);
    }
    rd->open_from[sex] = open_from;
    if (n == 1) { /* the open group is everything */
        return PS_OK;
    }
    ps_status rc = spread_counts(out, rd->edges, rd->gval, n - 1, err);
    return rc == PS_OK ? rc : locate(err, rc, rd, rd->last_line, sex);
}

/* Migration: a group's net migrants spread evenly over its single ages. */
static void grad_migration(double *out, plan_reader *rd, int sex)
{
    int all_single = 0;
    const int n = collect_groups(rd, sex, 0, rd->n_ages, &all_single);
    for (int g = 0; g < n; ++g) {
        const int width = rd->edges[g + 1] - rd->edges[g];
        for (int age = rd->edges[g]; age < rd->edges[g + 1]; ++age) {
            out[age] = rd->gval[g] / width;
        }
    }
}

/*
 * Death rates whose table ends with an open group below the last age ("85+"): the group's
 * single ages from a Kannisto hazard fitted to the two closed groups below it and to the
 * group's own rate (ps_grad_kannisto), then the closed groups graduated as usual up to the
 * group's first age, whose rate the extension gives (the "open age" of that graduation).
 */
static ps_status grad_mx_open(double *out, plan_reader *rd, int n, int sex, ps_error *err)
{
    const int lo = rd->rec[rd->grec[n - 1]].lo, n_open = rd->n_ages - lo;
    if (n < 3) {
        return locate(err, ps_error_set(err, PS_EINVAL, "an open age group below the last age "
                                                        "needs at least two closed groups "
                                                        "below it"),
                      rd, rd->last_line, sex);
    }
    const int g1 = n - 3, g2 = n - 2;
    const double mid1 = 0.5 * (rd->edges[g1] + rd->edges[g1 + 1]);
    const double mid2 = 0.5 * (rd->edges[g2] + rd->edges[g2 + 1]);
    ps_status rc = ps_grad_kannisto(out + lo, n_open, lo, mid1, rd->gval[g1], mid2, rd->gval[g2],
                                    rd->gval[n - 1], err);
    if (rc != PS_OK) {
        return locate(err, rc, rd, rd->last_line, sex);
    }
    double *tail = malloc((size_t)n_open * sizeof *tail);
    if (tail == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory graduating death rates");
    }
    memcpy(tail, out + lo, (size_t)n_open * sizeof *tail);
    rd->gval[n - 1] = tail[0];
    rd->edges[n] = lo + 1; /* the closed groups, then age lo as the "open age" */
    rc = ps_grad_mx(out, lo + 1, rd->edges, rd->gval, n, err);
    memcpy(out + lo, tail, (size_t)n_open * sizeof *tail);
    free(tail);
    return rc == PS_OK ? rc : locate(err, rc, rd, rd->last_line, sex);
}

/*
 * Death rates: single ages as given. Groups go through ps_grad_mx (log-linear between group
 * centres, each closed group's life-table rate kept), which needs rates > 0.
 */
static ps_status grad_mx(double *out, plan_reader *rd, int sex, ps_error *err)
{
    int all_single = 0;
    const int n = collect_groups(rd, sex, 0, rd->n_ages, &all_single);
    if (all_single) {
        memcpy(out, rd->gval, (size_t)n * sizeof *out);
        return PS_OK;
    }
    for (int g = 0; g < n; ++g) {
        const plan_rec *r = &rd->rec[rd->grec[g]];
        if (!(r->value > 0.0)) {
            return ps_error_set_at(err, PS_EINVAL, rd->path, r->line, r->value_col,
                                   "column 'mx' = 0 in an age group: grouped death rates are "
                                   "graduated on a log scale and must be > 0");
        }
    }
    const plan_rec *last = &rd->rec[rd->grec[n - 1]];
    if (last->open && last->lo < rd->n_ages - 1) {
        return grad_mx_open(out, rd, n, sex, err);
    }
    ps_status rc = ps_grad_mx(out, rd->n_ages, rd->edges, rd->gval, n, err);
    return rc == PS_OK ? rc : locate(err, rc, rd, rd->last_line, sex);
}

/*
 * Fertility: ASFR x width is births per woman in the group; those counts (0 for ages not
 * listed) are graduated over the whole fertile span, so the TFR is kept exactly and the
 * single-age rates are the single-age births per woman.
 */
static ps_status grad_asfr(double *out, plan_reader *rd, ps_error *err)
{
    const int end = rd->n_ages < PS_FERTILE_AGE_MAX + 1 ? rd->n_ages : PS_FERTILE_AGE_MAX + 1;
    int all_single = 0;
    if (end <= PS_FERTILE_AGE_MIN) {
        return PS_OK; /* no fertile ages in this age range: every rate stays 0 */
    }
    const int n = collect_groups(rd, 0, PS_FERTILE_AGE_MIN, end, &all_single);
    if (all_single) {
        for (int g = 0; g < n; ++g) {
            out[rd->edges[g]] = rd->gval[g]; /* unlisted spans hold 0 */
        }
        return PS_OK;
    }
    for (int g = 0; g < n; ++g) {
        rd->gval[g] *= rd->edges[g + 1] - rd->edges[g];
    }
    ps_status rc = spread_counts(out + PS_FERTILE_AGE_MIN, rd->edges, rd->gval, n, err);
    return rc == PS_OK ? rc : locate(err, rc, rd, rd->last_line, 0);
}

/* The open block's single-age values, [sex][slot], into cells (zero-filled by the caller). */
static ps_status block_to_cells(double *cells, plan_reader *rd, ps_error *err)
{
    ps_status rc = PS_OK;
    for (int sex = 0; sex < rd->n_sex && rc == PS_OK; ++sex) {
        double *out = cells + (size_t)sex * (size_t)rd->n_slots;
        switch (rd->fmt->grad) {
        case PLAN_GRAD_NONE:
            out[0] = rd->rec[rd->owner[(size_t)sex * (size_t)rd->n_slots]].value;
            break;
        case PLAN_GRAD_COUNTS:
            rc = grad_population(out, rd, sex, err);
            break;
        case PLAN_GRAD_EVEN:
            grad_migration(out, rd, sex);
            break;
        case PLAN_GRAD_MX:
            rc = grad_mx(out, rd, sex, err);
            break;
        case PLAN_GRAD_ASFR:
            rc = grad_asfr(out, rd, err);
            break;
        }
    }
    return rc;
}

/* ---------------------------------------------------------------- blocks of rows */

/* Every cell of the open block covered? Reported at the block's last line. */
static ps_status check_coverage(const plan_reader *rd, ps_error *err)
{
    char where[PS_PLAN_TEXT_MAX];
    if (rd->fmt->ages == PLAN_AGES_FERTILE) {
        return PS_OK; /* fertility ages not listed are 0 */
    }
    for (int sex = 0; sex < rd->n_sex; ++sex) {
        const int *owner = rd->owner + (size_t)sex * (size_t)rd->n_slots;
        for (int age = 0; age < rd->n_slots; ++age) {
            if (owner[age] >= 0) {
                continue;
            }
            int hi = age;
            while (hi + 1 < rd->n_slots && owner[hi + 1] < 0) {
                ++hi;
            }
            block_name(where, sizeof where, rd, sex);
            if (rd->fmt->ages == PLAN_AGES_NONE) {
                return ps_error_set_at(err, PS_EINVAL, rd->path, rd->last_line, 1,
                                       "%s missing for %s", rd->fmt->cols[rd->fmt->n_cols - 1],
                                       where);
            }
            if (hi == age) {
                return ps_error_set_at(err, PS_EINVAL, rd->path, rd->last_line, 1,
                                       "age %d missing for %s", age, where);
            }
            return ps_error_set_at(err, PS_EINVAL, rd->path, rd->last_line, 1,
                                   "ages %d-%d missing for %s", age, hi, where);
        }
    }
    return PS_OK;
}

static ps_status grow_years(plan_reader *rd, ps_error *err)
{
    if (rd->n_years < rd->cap_years) {
        return PS_OK;
    }
    const size_t cap = rd->cap_years ? 2 * rd->cap_years : 8;
    int *years = realloc(rd->years, cap * sizeof *years);
    if (years != NULL) {
        rd->years = years;
    }
    long *lines = realloc(rd->year_line, cap * sizeof *lines);
    if (lines != NULL) {
        rd->year_line = lines;
    }
    double *vals = realloc(rd->vals, cap * rd->n_cells * sizeof *vals);
    if (vals != NULL) {
        rd->vals = vals;
    }
    if (years == NULL || lines == NULL || vals == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", rd->path);
    }
    rd->cap_years = cap;
    return PS_OK;
}

/* Check and graduate the open block, append it to the listed years, and start afresh. */
static ps_status close_block(plan_reader *rd, ps_error *err)
{
    ps_status rc = check_coverage(rd, err);
    if (rc == PS_OK) {
        rc = grow_years(rd, err);
    }
    if (rc == PS_OK) {
        double *cells = rd->vals + rd->n_years * rd->n_cells;
        memset(cells, 0, rd->n_cells * sizeof *cells);
        rc = block_to_cells(cells, rd, err);
    }
    if (rc == PS_OK) {
        rd->years[rd->n_years] = rd->block_year;
        rd->year_line[rd->n_years] = rd->block_line;
        rd->n_years++;
    }
    for (size_t cell = 0; cell < rd->n_cells; ++cell) {
        rd->owner[cell] = -1;
    }
    rd->n_rec = 0;
    rd->in_block = 0;
    return rc;
}

/*
 * A row of `year` arrived. The rows of one year must be consecutive and years must
 * increase from block to block, so a smaller year is either a duplicate of a listed block
 * or out of order. A larger year closes the open block.
 */
static ps_status enter_block(plan_reader *rd, int year, const ps_csv_row *row, ps_error *err)
{
    if (rd->in_block && year == rd->block_year) {
        return PS_OK;
    }
    if (rd->in_block && year < rd->block_year) {
        for (size_t k = 0; k < rd->n_years; ++k) {
            if (rd->years[k] == year) {
                return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[0],
                                       "duplicate year %d: already given from line %ld (the "
                                       "rows of one year must be together)", year,
                                       rd->year_line[k]);
            }
        }
        return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[0],
                               "year %d comes after year %d: years must increase through "
                               "the file", year, rd->block_year);
    }
    if (rd->in_block) {
        ps_status rc = close_block(rd, err);
        if (rc != PS_OK) {
            return rc;
        }
    }
    rd->in_block = 1;
    rd->block_year = year;
    rd->block_line = row->line;
    return PS_OK;
}

/* Add a parsed row to the open block; a cell given twice is reported at the second row. */
static ps_status add_row(plan_reader *rd, const plan_rec *r, int key_col, ps_error *err)
{
    char where[PS_PLAN_TEXT_MAX];
    int *owner = rd->owner + (size_t)r->sex * (size_t)rd->n_slots;
    for (int age = r->lo; age <= r->hi; ++age) {
        if (owner[age] < 0) {
            continue;
        }
        const plan_rec *first = &rd->rec[owner[age]];
        block_name(where, sizeof where, rd, r->sex);
        if (rd->fmt->ages == PLAN_AGES_NONE) {
            return ps_error_set_at(err, PS_EINVAL, rd->path, r->line, key_col,
                                   "duplicate %s for %s (already given at line %ld)",
                                   rd->fmt->cols[rd->fmt->n_cols - 1], where, first->line);
        }
        return ps_error_set_at(err, PS_EINVAL, rd->path, r->line, key_col,
                               "ages %d-%d overlap ages %d-%d given at line %ld for %s", r->lo,
                               r->hi, first->lo, first->hi, first->line, where);
    }
    if (rd->n_rec == rd->cap_rec) {
        const size_t cap = rd->cap_rec ? 2 * rd->cap_rec : 64;
        plan_rec *rec = realloc(rd->rec, cap * sizeof *rec);
        if (rec == NULL) {
            return ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", rd->path);
        }
        rd->rec = rec;
        rd->cap_rec = cap;
    }
    for (int age = r->lo; age <= r->hi; ++age) {
        owner[age] = (int)rd->n_rec;
    }
    rd->rec[rd->n_rec++] = *r;
    rd->last_line = r->line;
    return PS_OK;
}

/* ---------------------------------------------------------------- rows and files */

static ps_status read_row(plan_reader *rd, const ps_csv *c, const ps_csv_row *row, size_t len,
                          ps_error *err)
{
    const plan_fmt *f = rd->fmt;
    plan_rec r = { .line = row->line };
    int col = 0;
    int year = 0;
    ps_status rc = check_field_count(f, c, row, len, err);
    if (rc == PS_OK && f->has_year) {
        rc = ps_csv__int(&year, c, row, col++, "year", PS_PLAN_YEAR_MIN, PS_PLAN_YEAR_MAX, err);
    }
    if (rc == PS_OK) {
        rc = enter_block(rd, year, row, err);
    }
    if (rc == PS_OK && f->has_sex) {
        rc = parse_sex(&r.sex, c, row, col++, err);
    }
    if (rc == PS_OK && f->ages != PLAN_AGES_NONE) {
        rc = parse_age(&r, rd, row, col++, err);
    }
    if (rc == PS_OK) {
        rc = parse_value(&r, f, c, row, col, err);
    }
    if (rc == PS_OK) {
        rc = add_row(rd, &r, row->column[col - 1], err);
    }
    return rc;
}

/* A row of a table with a region column: 1 if it belongs to `region`, the region field then
 * dropped (the others keep their columns, so errors point into the file as it is). */
static int region_row(ps_csv_row *row, const char *region)
{
    if (row->n < 1 || strcmp(row->field[0], region) != 0) {
        return 0;
    }
    for (int k = 1; k < row->n; ++k) {
        row->field[k - 1] = row->field[k];
        row->column[k - 1] = row->column[k];
    }
    row->n -= 1;
    return 1;
}

static ps_status read_rows(plan_reader *rd, ps_csv *c, ps_error *err)
{
    char *line = NULL;
    size_t len = 0;
    ps_csv_row row;
    ps_status rc = PS_OK;
    int got = 0;
    while (rc == PS_OK && (got = ps_csv__next_line(c, &line, &len, err)) > 0) {
        if (len == 0) {
            continue; /* blank lines (e.g. a trailing one) carry no row */
        }
        rc = ps_csv__split(c, line, &row, err);
        if (rc == PS_OK && rd->region_col && !region_row(&row, rd->region)) {
            continue; /* another region's row */
        }
        if (rc == PS_OK) {
            rc = read_row(rd, c, &row, len, err);
        }
    }
    if (rc == PS_OK && got < 0) {
        rc = err ? err->code : PS_EIO;
    }
    if (rc == PS_OK && !rd->in_block) {
        rc = ps_error_set_at(err, PS_EPARSE, rd->path, 1, 1, "no data rows after the header");
    }
    if (rc == PS_OK) {
        rc = close_block(rd, err);
    }
    return rc;
}

/*
 * A CSV file saved in GB18030 (GBK), as Excel on Chinese Windows saves "CSV" by default:
 * its text converted to UTF-8 (src/io/encoding.c decides). Only regular, uncompressed files
 * up to PS_PLAN_GB_MAX bytes are looked at; anything else is read as it is (and a byte that
 * is not UTF-8 is then refused by the check of its field).
 */
#define PS_PLAN_GB_MAX (16u << 20)

static int gb18030_text(char **out, size_t *len_out, const char *path)
{
    struct stat st;
    *out = NULL;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 2 ||
        (uintmax_t)st.st_size > PS_PLAN_GB_MAX) {
        return 0;
    }
    FILE *fp = fopen(path, "rb");
    char *raw = fp != NULL ? malloc((size_t)st.st_size) : NULL;
    size_t n = raw != NULL ? fread(raw, 1, (size_t)st.st_size, fp) : 0;
    int converted = 0;
    if (fp != NULL) {
        fclose(fp);
    }
    if (raw != NULL && n == (size_t)st.st_size &&
        !((unsigned char)raw[0] == 0x1f && (unsigned char)raw[1] == 0x8b) && /* gzip */
        ps_utf8_first_bad((const unsigned char *)raw, n) < n) {
        converted = ps_gb18030__to_utf8(out, len_out, raw, n);
    }
    free(raw);
    return converted;
}

/*
 * Open an input: a CSV file (plain or gzip), or a sheet of a workbook read as CSV text.
 * "book.xlsx#Sheet" names a sheet (the scenario's `sheet:` key becomes this suffix); a
 * workbook without one gives its first sheet. *map_out locates errors in the sheet.
 */
static ps_status open_input(ps_csv **out, ps_xlsx_map **map_out, const char *path,
                            const ps_cancel *cancel, ps_error *err)
{
    *map_out = NULL;
    const char *hash = strrchr(path, '#');
    char file[PATH_MAX];
    const char *sheet = NULL;
    struct stat st;
    snprintf(file, sizeof file, "%s", path);
    if (hash != NULL && (size_t)(hash - path) < sizeof file && stat(path, &st) != 0) {
        file[hash - path] = '\0';
        if (ps_xlsx__is_workbook(file)) {
            sheet = hash + 1;
        } else {
            snprintf(file, sizeof file, "%s", path);
        }
    }
    if (!ps_xlsx__is_workbook(file)) {
        char *text = NULL;
        size_t len = 0;
        if (gb18030_text(&text, &len, path)) {
            return ps_csv__open_memory(out, path, text, len, err);
        }
        return ps_csv__open_with(out, path, cancel, err);
    }
    char *text = NULL;
    size_t len = 0;
    ps_status rc = ps_xlsx__read_sheet(&text, &len, map_out, file, sheet, err);
    if (rc == PS_OK) {
        rc = ps_csv__open_memory(out, file, text, len, err);
    }
    return rc;
}

/*
 * The header: the long form's exact columns, or (for inputs by sex and age) a yearbook's
 * wide table, whose rows are then turned into the long form in memory (src/io/wide.c):
 * *c is replaced by a reader over that text and *wide_out locates its errors.
 */
/* A header `region,<want>`: the table holds the rows of several regions (issue #13), read
 * only through a selected path (io/region_col_int.h). */
static ps_status region_header(plan_reader *rd, const ps_csv *c, const char *line,
                               const char *want, ps_error *err)
{
    const char *comma = strchr(line, ',');
    char first[PS_PLAN_TEXT_MAX];
    if (comma == NULL || strcmp(comma + 1, want) != 0) {
        return PS_OK;
    }
    snprintf(first, sizeof first, "%.*s", (int)(comma - line), line);
    if (!ps_region_col__is_header(first)) {
        return PS_OK;
    }
    if (rd->region == NULL) {
        return ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), 1, 1,
                               "the table has a region column ('%s') but is read for a "
                               "one-region scenario; list the regions under `regions:` or drop "
                               "the column", first);
    }
    rd->region_col = 1;
    return PS_OK;
}

static ps_status read_header(plan_reader *rd, ps_csv **c, ps_wide_map **wide_out,
                             const plan_fmt *f, ps_error *err)
{
    char want[PS_PLAN_TEXT_MAX];
    char *line = NULL;
    size_t len = 0;
    *wide_out = NULL;
    join_header(want, sizeof want, f);
    int got = ps_csv__next_line(*c, &line, &len, err);
    if (got < 0) {
        return err ? err->code : PS_EIO;
    }
    if (got == 0) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(*c), 1, 1,
                               "missing header: expected '%s'", want);
    }
    if (strcmp(line, want) == 0) {
        return PS_OK;
    }
    ps_status hrc = region_header(rd, *c, line, want, err);
    if (hrc != PS_OK || rd->region_col) {
        return hrc;
    }
    char shown[256];
    snprintf(shown, sizeof shown, "%.200s", line);
    ps_csv_row row;
    ps_wide_layout lay;
    if (!f->has_sex || f->ages == PLAN_AGES_NONE || ps_csv__split(*c, line, &row, NULL) != PS_OK ||
        !ps_wide__header(&lay, &row, f->has_year)) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(*c), 1, 1,
                               "wrong header: expected '%s' (got '%s')", want, shown);
    }
    char *text = NULL;
    size_t n = 0;
    ps_status rc = ps_wide__convert(&text, &n, wide_out, *c, &lay, want, err);
    ps_csv *wide = NULL;
    if (rc == PS_OK) {
        rc = ps_csv__open_memory(&wide, ps_csv__path(*c), text, n, err);
    }
    if (rc == PS_OK) {
        ps_csv__close(*c);
        *c = wide;
        rc = ps_csv__expect_header(*c, f->cols, f->n_cols, err);
    }
    return rc;
}

/* Read and validate a whole file into rd (released by the caller on every path). */
static ps_status read_file(plan_reader *rd, const plan_fmt *f, int n_ages, const char *path,
                           const ps_cancel *cancel, ps_error *err)
{
    ps_csv *c = NULL;
    ps_xlsx_map *map = NULL;
    ps_wide_map *wide = NULL;
    ps_status rc = reader_init(rd, f, n_ages, path, err);
    if (rc != PS_OK) {
        goto done;
    }
    char file[PATH_MAX];
    rd->region = ps_region_col__split(file, sizeof file, path);
    if ((rc = open_input(&c, &map, file, cancel, err)) != PS_OK) {
        goto done;
    }
    rd->path = ps_csv__path(c); /* a workbook's errors are located at its cells */
    if ((rc = read_header(rd, &c, &wide, f, err)) != PS_OK) {
        goto done;
    }
    rd->path = ps_csv__path(c); /* a wide table's header replaced c (and freed its path) */
    rc = read_rows(rd, c, err);
done:
    rd->path = path;
    ps_csv__close(c);
    if (rc != PS_OK) { /* err is set only on failure */
        ps_wide__locate(wide, err);
        ps_xlsx__locate(map, err);
    }
    ps_wide__map_free(wide);
    ps_xlsx__map_free(map);
    return rc;
}

/* ---------------------------------------------------------------- years to steps */

/*
 * v(year) of one cell: linear between the listed years around it (log-linear for death
 * rates when both are > 0, since mortality falls roughly exponentially), held at the
 * first or last listed value outside them.
 */
static double value_at(const plan_reader *rd, size_t cell, int year)
{
    const size_t n = rd->n_cells;
    const size_t last = rd->n_years - 1;
    if (year <= rd->years[0]) {
        return rd->vals[cell];
    }
    if (year >= rd->years[last]) {
        return rd->vals[last * n + cell];
    }
    size_t k = 0;
    while (rd->years[k + 1] <= year) {
        ++k;
    }
    const double w = (double)(year - rd->years[k]) / (double)(rd->years[k + 1] - rd->years[k]);
    const double a = rd->vals[k * n + cell];
    const double b = rd->vals[(k + 1) * n + cell];
    if (rd->fmt->log_years && a > 0.0 && b > 0.0) {
        return exp(log(a) + w * (log(b) - log(a)));
    }
    return a + w * (b - a);
}

/* Step s spans calendar years start+s and start+s+1 and takes the mean of the two. */
static void to_steps(double *out, const plan_reader *rd, int start_year, int end_year)
{
    for (int step = 0; step < end_year - start_year; ++step) {
        const int year = start_year + step;
        for (size_t cell = 0; cell < rd->n_cells; ++cell) {
            out[(size_t)step * rd->n_cells + cell] =
                (value_at(rd, cell, year) + value_at(rd, cell, year + 1)) / 2.0;
        }
    }
}

static ps_status read_steps(double *out, const plan_fmt *f, int start_year, int end_year,
                            int n_ages, const char *path, const ps_cancel *cancel, ps_error *err)
{
    plan_reader rd;
    ps_status rc = PS_OK;
    memset(&rd, 0, sizeof rd);
    if (end_year <= start_year) {
        rc = ps_error_set(err, PS_EINVAL, "end year %d must be after the start year %d",
                          end_year, start_year);
        goto done;
    }
    if (f->ages != PLAN_AGES_NONE && n_ages < 2) {
        rc = ps_error_set(err, PS_EINVAL, "need at least 2 ages (got %d)", n_ages);
        goto done;
    }
    if ((rc = read_file(&rd, f, n_ages, path, cancel, err)) != PS_OK) {
        goto done;
    }
    to_steps(out, &rd, start_year, end_year);
done:
    reader_free(&rd);
    return rc;
}

/* ---------------------------------------------------------------- public readers */

ps_status ps_plan_read_population_open(double *pop_out, int n_ages, const char *path,
                                       int *open_from_out, ps_error *err)
{
    return ps_plan__read_population_open(pop_out, n_ages, path, open_from_out, NULL, err);
}

ps_status ps_plan__read_population_open(double *pop_out, int n_ages, const char *path,
                                        int *open_from_out, const ps_cancel *cancel,
                                        ps_error *err)
{
    plan_reader rd;
    ps_status rc = PS_OK;
    memset(&rd, 0, sizeof rd);
    if (n_ages < 2) {
        rc = ps_error_set(err, PS_EINVAL, "need at least 2 ages (got %d)", n_ages);
        goto done;
    }
    if ((rc = read_file(&rd, &FMT_POPULATION, n_ages, path, cancel, err)) != PS_OK) {
        goto done;
    }
    /* Each row is within [0, 1e11]; their sum must be too (a base population is persons). */
    double total = 0.0;
    for (size_t i = 0; i < rd.n_cells; ++i) {
        total += rd.vals[i];
    }
    if (total > PS_POPULATION_MAX) {
        char file[PATH_MAX];
        ps_region_col__split(file, sizeof file, path);
        rc = ps_error_set_at(err, PS_EINVAL, file, 0, 0,
                             "the population totals %.4g persons, more than %.0e (ten times the "
                             "world's population); is a column in the wrong unit?",
                             total, PS_POPULATION_MAX);
        goto done;
    }
    memcpy(pop_out, rd.vals, rd.n_cells * sizeof *pop_out);
    *open_from_out = rd.open_from[0] > 0 ? rd.open_from[0] : n_ages - 1;
done:
    reader_free(&rd);
    return rc;
}

ps_status ps_plan_read_population(double *pop_out, int n_ages, const char *path, ps_error *err)
{
    int open_from = n_ages - 1;
    ps_status rc = ps_plan_read_population_open(pop_out, n_ages, path, &open_from, err);
    if (rc == PS_OK && open_from < n_ages - 1) {
        rc = ps_error_set_at(err, PS_EINVAL, path, 0, 0,
                             "the open age group '%d+' ends the table below the last age %d: it "
                             "is extended with the scenario's mortality, so read the file "
                             "through a scenario (or ps_plan_read_population_open)",
                             open_from, n_ages - 1);
    }
    return rc;
}

/*
 * The open group spread over its single ages in proportion to the person-years L(x) of the
 * life table of mx (the last age: T(x)), i.e. as a stationary population with the
 * scenario's mortality would hold them (Preston, Heuveline & Guillot 2001, ch. 7; the
 * stable population with growth rate 0). Yearbooks close their tables at 80+ to 90+, where
 * this is the usual extension when no finer counts exist; it slightly overstates the oldest
 * when the cohorts entering the group grow, as they do in China now (docs/input-format.md).
 */
ps_status ps_plan_extend_open_group(double *pop, int n_ages, int open_from, const double *mx,
                                    ps_error *err)
{
    if (open_from >= n_ages - 1) {
        return PS_OK;
    }
    double *work = malloc(6 * (size_t)n_ages * sizeof *work);
    if (work == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory extending the open age group");
    }
    ps_lifetable lt = { .n_ages = n_ages, .ax = work, .qx = work + n_ages,
                        .lx = work + 2 * n_ages, .Lx = work + 3 * n_ages,
                        .Tx = work + 4 * n_ages, .ex = work + 5 * n_ages };
    ps_status rc = PS_OK;
    for (int sex = 0; sex < PS_SEX_COUNT && rc == PS_OK; ++sex) {
        double *p = pop + (size_t)sex * (size_t)n_ages;
        if ((rc = ps_lt_compute(&lt, mx + (size_t)sex * (size_t)n_ages, (ps_sex)sex, err)) !=
            PS_OK) {
            break;
        }
        double total = 0.0, weight = 0.0;
        for (int age = open_from; age < n_ages; ++age) {
            total += p[age];
            weight += lt.Lx[age]; /* the open age's L is already T (to infinity) */
        }
        for (int age = open_from; age < n_ages; ++age) {
            p[age] = weight > 0.0 ? total * lt.Lx[age] / weight : 0.0;
        }
    }
    free(work);
    return rc;
}

ps_status ps_plan_read_mx(double *mx_out, int start_year, int end_year, int n_ages,
                          const char *path, ps_error *err)
{
    return read_steps(mx_out, &FMT_MX, start_year, end_year, n_ages, path, NULL, err);
}

ps_status ps_plan_read_e0(double *e0_out, int start_year, int end_year, const char *path,
                          ps_error *err)
{
    return read_steps(e0_out, &FMT_E0, start_year, end_year, 1, path, NULL, err);
}

ps_status ps_plan_read_asfr(double *asfr_out, int start_year, int end_year, int n_ages,
                            const char *path, ps_error *err)
{
    return read_steps(asfr_out, &FMT_ASFR, start_year, end_year, n_ages, path, NULL, err);
}

ps_status ps_plan_read_tfr(double *tfr_out, int start_year, int end_year, const char *path,
                           ps_error *err)
{
    return read_steps(tfr_out, &FMT_TFR, start_year, end_year, 1, path, NULL, err);
}

ps_status ps_plan_read_srb(double *srb_out, int start_year, int end_year, const char *path,
                           ps_error *err)
{
    return read_steps(srb_out, &FMT_SRB, start_year, end_year, 1, path, NULL, err);
}

ps_status ps_plan_read_migration(double *mig_out, int start_year, int end_year, int n_ages,
                                 const char *path, ps_error *err)
{
    return read_steps(mig_out, &FMT_MIGRATION, start_year, end_year, n_ages, path, NULL, err);
}

ps_status ps_plan_read_migration_total(double *total_out, int start_year, int end_year,
                                       const char *path, ps_error *err)
{
    return read_steps(total_out, &FMT_MIGRATION_TOTAL, start_year, end_year, 1, path, NULL, err);
}

ps_status ps_plan__read_steps(double *out, ps_plan_kind kind, int start_year, int end_year,
                              int n_ages, const char *path, const ps_cancel *cancel,
                              ps_error *err)
{
    static const plan_fmt *const fmts[PS_PLAN_KIND_COUNT] = {
        [PS_PLAN_MX] = &FMT_MX, [PS_PLAN_E0] = &FMT_E0, [PS_PLAN_ASFR] = &FMT_ASFR,
        [PS_PLAN_TFR] = &FMT_TFR, [PS_PLAN_SRB] = &FMT_SRB, [PS_PLAN_MIGRATION] = &FMT_MIGRATION,
        [PS_PLAN_MIGRATION_TOTAL] = &FMT_MIGRATION_TOTAL,
    };
    return read_steps(out, fmts[kind], start_year, end_year, n_ages, path, cancel, err);
}

/* ---------------------------------------------------------------- region column */

static ps_status region_scan_row(unsigned char *seen, const ps_csv *c, const ps_csv_row *row,
                                 const char *const *names, int n, ps_error *err)
{
    for (int reg = 0; reg < n; ++reg) {
        if (row->n >= 1 && strcmp(row->field[0], names[reg]) == 0) {
            seen[reg] = 1;
            return PS_OK;
        }
    }
    char list[PS_PLAN_TEXT_MAX * 2] = "";
    for (int reg = 0; reg < n; ++reg) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s'%s'", reg ? ", " : "", names[reg]);
    }
    return ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), row->line, row->n >= 1 ?
                           row->column[0] : 1, "region '%.80s' is not a region of the scenario "
                           "(expected one of %s)", row->n >= 1 ? row->field[0] : "", list);
}

ps_status ps_plan__region_column(int *has, const char *path, const char *const *names, int n,
                                 ps_error *err)
{
    ps_csv *c = NULL;
    ps_xlsx_map *map = NULL;
    unsigned char *seen = calloc((size_t)n + 1, 1);
    char *line = NULL, first[PS_PLAN_TEXT_MAX];
    size_t len = 0;
    ps_csv_row row;
    int got = 0, header_col = 1;
    ps_status rc = seen != NULL ? open_input(&c, &map, path, NULL, err)
                                : ps_error_set(err, PS_ENOMEM, "out of memory");
    *has = 0;
    if (rc == PS_OK && (got = ps_csv__next_line(c, &line, &len, err)) > 0 &&
        (rc = ps_csv__split(c, line, &row, err)) == PS_OK && row.n > 1) {
        snprintf(first, sizeof first, "%s", row.field[0]);
        header_col = row.column[0];
        *has = ps_region_col__is_header(first);
    }
    if (rc == PS_OK && got < 0) {
        rc = err->code;
    }
    while (rc == PS_OK && *has && (got = ps_csv__next_line(c, &line, &len, err)) > 0) {
        if (len > 0 && (rc = ps_csv__split(c, line, &row, err)) == PS_OK) {
            rc = region_scan_row(seen, c, &row, names, n, err);
        }
    }
    if (rc == PS_OK && *has && got < 0) {
        rc = err->code;
    }
    for (int reg = 0; rc == PS_OK && *has && reg < n; ++reg) {
        if (!seen[reg]) {
            rc = ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), 1, header_col,
                                 "the column '%s' has no rows of region '%s' (every region of "
                                 "the scenario needs its rows, or its own file)", first,
                                 names[reg]);
        }
    }
    if (rc != PS_OK) {
        ps_xlsx__locate(map, err);
    }
    ps_csv__close(c);
    ps_xlsx__map_free(map);
    free(seen);
    return rc;
}

/* ---------------------------------------------------------------- shared field parsers */

int ps_plan__age_label(const char *s, int *lo, int *hi, int *open)
{
    return parse_age_label(s, lo, hi, open);
}

ps_status ps_plan__sex(int *sex, const ps_csv *c, const ps_csv_row *row, int i, ps_error *err)
{
    return parse_sex(sex, c, row, i, err);
}

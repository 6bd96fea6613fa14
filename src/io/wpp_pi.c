/*
 * wpp_pi.c - the UN WPP 2024 interval files (popsim/wpp_pi.h): every row of the four files
 * into tables by location and year. The files' columns are median, lo80, hi80, lo95, hi95
 * (then low, high for TFR and population); they are stored in the increasing order of
 * popsim/prob.h's knots: lo95, lo80, median, hi80, hi95.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_int.h"
#include "popsim/units.h"
#include "popsim/wpp_pi.h"

#define PI_MAX_LOCATIONS 400
#define PI_TFR_COLS 7 /* the five knots, low, high */
#define PI_E0_COLS (PS_SEX_COUNT * PS_PROB_N_KNOTS)

struct ps_wpp_pi {
    int n;
    int code[PI_MAX_LOCATIONS];
    int country[PI_MAX_LOCATIONS];     /* 1 for a country or area (location_type 4) */
    char name[PI_MAX_LOCATIONS][128];  /* UN location name */
    double tfr[PI_MAX_LOCATIONS][PS_WPP_PI_N_YEARS][PI_TFR_COLS];
    double e0[PI_MAX_LOCATIONS][PS_WPP_PI_N_YEARS][PI_E0_COLS];
    double mig[PI_MAX_LOCATIONS][PS_WPP_PI_N_YEARS][PS_PROB_N_KNOTS];
    double pop[PI_MAX_LOCATIONS][PS_WPP_PI_N_YEARS][PS_WPP_PI_COLS];
};

/* File column of each knot (lo95, lo80, median, hi80, hi95), counted from `median`. */
static const int knot_col[PS_PROB_N_KNOTS] = { 3, 1, 0, 2, 4 };

static int find(const ps_wpp_pi *pi, int code)
{
    for (int i = 0; i < pi->n; ++i) {
        if (pi->code[i] == code) {
            return i;
        }
    }
    return -1;
}

static ps_status location_index(int *out, ps_wpp_pi *pi, int code, const ps_csv *c,
                                const ps_csv_row *row, ps_error *err)
{
    int i = find(pi, code);
    if (i < 0) {
        if (pi->n == PI_MAX_LOCATIONS) {
            return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, 1,
                                   "more than %d locations", PI_MAX_LOCATIONS);
        }
        i = pi->n++;
        pi->code[i] = code;
    }
    *out = i;
    return PS_OK;
}

typedef enum { PI_TFR, PI_E0, PI_MIG, PI_POP } pi_file;

static ps_status read_file(ps_wpp_pi *pi, const char *dir, pi_file f, ps_error *err)
{
    static const char *const names[] = { "tfr_pi_annual.csv", "e0_pi_annual.csv",
                                         "migration_total_pi_annual.csv",
                                         "pop_total_pi_annual.csv" };
    static const char *const h_tfr[] = { "country_code", "name", "year", "median", "lo80",
                                         "hi80", "lo95", "hi95", "low", "high" };
    static const char *const h_e0[] = { "country_code", "name", "year", "sex", "median", "lo80",
                                        "hi80", "lo95", "hi95" };
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, names[f]);
    ps_csv *c = NULL;
    ps_status rc = ps_csv__open(&c, path, err);
    const int n_cols = f == PI_E0 ? 9 : f == PI_MIG ? 8 : 10;
    const int first = f == PI_E0 ? 4 : 3; /* column of `median` */
    if (rc == PS_OK) {
        rc = ps_csv__expect_header(c, f == PI_E0 ? h_e0 : h_tfr, n_cols, err);
    }
    char *line = NULL;
    size_t len = 0;
    int got = 0;
    const double scale = f == PI_MIG || f == PI_POP ? PS_PERSONS_PER_THOUSAND : 1.0;
    while (rc == PS_OK && (got = ps_csv__next_line(c, &line, &len, err)) == 1) {
        ps_csv_row row;
        int code = 0, year = 0, li = 0, sex = 0;
        double v[10];
        if ((rc = ps_csv__split(c, line, &row, err)) != PS_OK) {
            break;
        }
        if (row.n != n_cols) {
            rc = ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row.line, 1,
                                 "expected %d fields (got %d)", n_cols, row.n);
            break;
        }
        if ((rc = ps_csv__int(&code, c, &row, 0, "country_code", 1, 99999, err)) != PS_OK ||
            (rc = ps_csv__int(&year, c, &row, 2, "year", PS_WPP_PI_FIRST_YEAR,
                              PS_WPP_PI_LAST_YEAR, err)) != PS_OK) {
            break;
        }
        if (f == PI_E0) {
            const char *s = row.field[3];
            if (strcmp(s, "B") == 0) {
                continue;
            }
            if (strcmp(s, "M") != 0 && strcmp(s, "F") != 0) {
                rc = ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row.line, row.column[3],
                                     "sex: expected M, F or B (got '%s')", s);
                break;
            }
            sex = s[0] == 'M' ? PS_SEX_MALE : PS_SEX_FEMALE;
        }
        for (int k = first; rc == PS_OK && k < n_cols; ++k) {
            rc = ps_csv__double(&v[k - first], c, &row, k, "value", err);
        }
        if (rc != PS_OK || (rc = location_index(&li, pi, code, c, &row, err)) != PS_OK) {
            break;
        }
        const int y = year - PS_WPP_PI_FIRST_YEAR;
        double *dst = f == PI_TFR ? pi->tfr[li][y]
                      : f == PI_E0 ? &pi->e0[li][y][sex * PS_PROB_N_KNOTS]
                      : f == PI_MIG ? pi->mig[li][y] : pi->pop[li][y];
        for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
            dst[k] = v[knot_col[k]] * scale;
        }
        if (f == PI_TFR || f == PI_POP) {
            dst[5] = v[5] * scale;
            dst[6] = v[6] * scale;
        }
    }
    if (rc == PS_OK && got < 0) {
        rc = PS_EIO;
    }
    ps_csv__close(c);
    return rc;
}

/* locations.csv: which locations are countries or areas, and their names. */
static ps_status read_locations(ps_wpp_pi *pi, const char *dir, ps_error *err)
{
    static const char *const header[] = { "country_code", "name", "location_type", "reg_code",
                                          "reg_name", "area_code", "area_name" };
    char path[4096];
    snprintf(path, sizeof path, "%s/locations.csv", dir);
    ps_csv *c = NULL;
    ps_status rc = ps_csv__open(&c, path, err);
    if (rc == PS_OK) {
        rc = ps_csv__expect_header(c, header, 7, err);
    }
    char *line = NULL;
    size_t len = 0;
    int got = 0;
    while (rc == PS_OK && (got = ps_csv__next_line(c, &line, &len, err)) == 1) {
        ps_csv_row row;
        int code = 0, type = 0;
        if ((rc = ps_csv__split(c, line, &row, err)) != PS_OK) {
            break;
        }
        if (row.n != 7) {
            rc = ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row.line, 1,
                                 "expected 7 fields (got %d)", row.n);
            break;
        }
        if ((rc = ps_csv__int(&code, c, &row, 0, "country_code", 1, 99999, err)) != PS_OK ||
            (rc = ps_csv__int(&type, c, &row, 2, "location_type", -1, 99999999, err)) != PS_OK) {
            break;
        }
        const int li = find(pi, code);
        if (li >= 0) {
            pi->country[li] = type == PS_WPP_PI_COUNTRY_TYPE;
            snprintf(pi->name[li], sizeof pi->name[li], "%s", row.field[1]);
        }
    }
    if (rc == PS_OK && got < 0) {
        rc = PS_EIO;
    }
    ps_csv__close(c);
    return rc;
}

ps_status ps_wpp_pi_load(ps_wpp_pi **out, const char *dir, ps_error *err)
{
    *out = NULL;
    ps_wpp_pi *pi = malloc(sizeof *pi);
    if (pi == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the WPP intervals");
    }
    pi->n = 0;
    double *all[] = { &pi->tfr[0][0][0], &pi->e0[0][0][0], &pi->mig[0][0][0], &pi->pop[0][0][0] };
    const size_t sizes[] = { sizeof pi->tfr, sizeof pi->e0, sizeof pi->mig, sizeof pi->pop };
    for (int k = 0; k < 4; ++k) {
        for (size_t i = 0; i < sizes[k] / sizeof(double); ++i) {
            all[k][i] = NAN;
        }
    }
    ps_status rc = PS_OK;
    for (int f = PI_TFR; rc == PS_OK && f <= PI_POP; ++f) {
        rc = read_file(pi, dir, (pi_file)f, err);
    }
    for (int i = 0; i < pi->n; ++i) {
        pi->country[i] = 0;
        pi->name[i][0] = '\0';
    }
    if (rc == PS_OK) {
        rc = read_locations(pi, dir, err);
    }
    if (rc != PS_OK) {
        free(pi);
        return rc;
    }
    *out = pi;
    return PS_OK;
}

int ps_wpp_pi_count(const ps_wpp_pi *pi)
{
    return pi->n;
}

int ps_wpp_pi_code(const ps_wpp_pi *pi, int i)
{
    return pi->code[i];
}

int ps_wpp_pi_is_country(const ps_wpp_pi *pi, int i)
{
    return pi->country[i];
}

const char *ps_wpp_pi_name(const ps_wpp_pi *pi, int i)
{
    return pi->name[i];
}

ps_status ps_wpp_pi_bounds(ps_prob_bounds *out, const ps_wpp_pi *pi, int code, ps_error *err)
{
    const int li = find(pi, code);
    if (li < 0) {
        memset(out, 0, sizeof *out);
        return ps_error_set(err, PS_EINVAL, "location %d has no probabilistic intervals in the "
                            "WPP 2024 files", code);
    }
    ps_status rc = ps_prob_bounds_init(out, PS_WPP_PI_FIRST_YEAR, PS_WPP_PI_N_YEARS, err);
    for (int y = 0; rc == PS_OK && y < PS_WPP_PI_N_YEARS; ++y) {
        for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
            out->tfr[y * PS_PROB_N_KNOTS + k] = pi->tfr[li][y][k];
            out->mig[y * PS_PROB_N_KNOTS + k] = pi->mig[li][y][k];
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                out->e0[(y * PS_SEX_COUNT + sex) * PS_PROB_N_KNOTS + k] =
                    pi->e0[li][y][sex * PS_PROB_N_KNOTS + k];
            }
        }
        out->tfr_low[y] = pi->tfr[li][y][5];
        out->tfr_high[y] = pi->tfr[li][y][6];
    }
    if (rc == PS_OK && (rc = ps_prob_bounds_check(out, err)) != PS_OK) {
        ps_error_prepend(err, "WPP 2024 intervals of location %d: ", code);
        ps_prob_bounds_release(out);
    }
    return rc;
}

ps_status ps_wpp_pi_pop(double out[PS_WPP_PI_COLS], const ps_wpp_pi *pi, int code, int year,
                        ps_error *err)
{
    const int li = find(pi, code);
    if (li < 0 || year < PS_WPP_PI_FIRST_YEAR || year > PS_WPP_PI_LAST_YEAR) {
        return ps_error_set(err, PS_EINVAL, "no population interval for location %d in %d", code,
                            year);
    }
    memcpy(out, pi->pop[li][year - PS_WPP_PI_FIRST_YEAR], PS_WPP_PI_COLS * sizeof *out);
    return PS_OK;
}

ps_status ps_wpp_pi_pop_mid(double out[PS_WPP_PI_COLS], const ps_wpp_pi *pi, int code, int year,
                            ps_error *err)
{
    double a[PS_WPP_PI_COLS], b[PS_WPP_PI_COLS];
    ps_status rc = ps_wpp_pi_pop(a, pi, code, year - 1, err);
    if (rc == PS_OK) {
        rc = ps_wpp_pi_pop(b, pi, code, year, err);
    }
    for (int k = 0; rc == PS_OK && k < PS_WPP_PI_COLS; ++k) {
        out[k] = 0.5 * (a[k] + b[k]);
    }
    return rc;
}

/* The UN's median total at 1 July of `year`, NaN if unknown. */
static double mid_year_median(const ps_wpp_pi *pi, int code, int year)
{
    double v[PS_WPP_PI_COLS];
    ps_error err;
    return ps_wpp_pi_pop_mid(v, pi, code, year, &err) == PS_OK ? v[PS_WPP_PI_MEDIAN] : NAN;
}

double ps_wpp_pi_mig_growth(const ps_wpp_pi *pi, int code, const ps_prob_bounds *b)
{
    return ps_prob_mig_growth(b, mid_year_median(pi, code, PS_PROB_GROWTH_FROM),
                              mid_year_median(pi, code, PS_PROB_GROWTH_TO));
}

double ps_wpp_pi_mig_early_growth(const ps_wpp_pi *pi, int code, const ps_prob_bounds *b)
{
    double v[PS_WPP_PI_COLS];
    ps_error err;
    const double first = ps_wpp_pi_pop(v, pi, code, b->first_year, &err) == PS_OK
                             ? v[PS_WPP_PI_MEDIAN] : NAN;
    return ps_prob_mig_early_growth(b, first, mid_year_median(pi, code, PS_PROB_EARLY_TO));
}

void ps_wpp_pi_free(ps_wpp_pi *pi)
{
    free(pi);
}

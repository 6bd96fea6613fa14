/*
 * wpp_prepare.c - projection inputs from a location's WPP 2024 data (medium variant).
 * A step runs from 1 July t to 1 July t+1; in decimal years it is centred on t + 1.0.
 * Calendar-year inputs (TFR, percent ASFR, SRB, e0, migration) are the mean of years t and
 * t+1. Five-year period death rates (1 July s to 1 July s+5, centred on s + 3.0) are
 * interpolated log-linearly between period centres, graduated to single ages and scaled so
 * the life table reproduces the step's e0 (docs/model.md, sec. 3).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/units.h"
#include "popsim/wpp.h"

/* Decimal-year offset from a period's start year to its centre (1 July s + 2.5 years). */
#define WPP_PERIOD_CENTRE_OFFSET 3.0
/* Decimal-year offset from a step's start year to its centre (1 July t + 0.5 years). */
#define WPP_STEP_CENTRE_OFFSET 1.0
/* Before 2023 WPP has only total net migration: split evenly by sex (docs/model.md). */
#define WPP_MALE_SHARE_OF_MIGRANTS 0.5

static int wpp_year(int year)
{
    return year - PS_WPP_FIRST_YEAR;
}

static ps_status missing(ps_error *err, const ps_wpp_location *loc, const char *what, int year)
{
    return ps_error_set(err, PS_EINVAL, "WPP data for %s (%d) lack %s for %d", loc->name,
                        loc->code, what, year);
}

/* Base population: 5-year groups on 1 July start_year graduated to single ages. */
static ps_status base_population(ps_inputs *in, const ps_wpp_location *loc, ps_error *err)
{
    int edges[PS_WPP_N_POP5_GROUPS];
    for (int g = 0; g < PS_WPP_N_POP5_GROUPS; ++g) {
        edges[g] = g * PS_AGE_GROUP_YEARS;
    }
    const int y5 = wpp_year(in->start_year) / PS_AGE_GROUP_YEARS;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        const double *groups = loc->pop5[y5][sex];
        for (int g = 0; g < PS_WPP_N_POP5_GROUPS; ++g) {
            if (!isfinite(groups[g])) {
                return missing(err, loc, "the population by age", in->start_year);
            }
        }
        double *single = &in->base.count[ps_pop_idx(&in->base, 0, sex, 0)];
        ps_status rc = ps_grad_counts(single, edges, groups, PS_WPP_N_POP5_GROUPS - 1, err);
        if (rc != PS_OK) {
            return rc;
        }
        single[in->n_ages - 1] = groups[PS_WPP_N_POP5_GROUPS - 1];
    }
    return PS_OK;
}

/* Abridged rates of one sex at decimal time tau, log-linear between period centres. */
static ps_status period_mx(double *out, const ps_wpp_location *loc, int sex, double tau,
                           ps_error *err)
{
    double pos = (tau - PS_WPP_FIRST_YEAR - WPP_PERIOD_CENTRE_OFFSET) / PS_AGE_GROUP_YEARS;
    int p = (int)floor(pos);
    double w = pos - p;
    if (p < 0) {
        p = 0;
        w = 0.0;
    }
    if (p >= PS_WPP_N_MX_PERIODS - 1) {
        p = PS_WPP_N_MX_PERIODS - 2;
        w = 1.0;
    }
    for (int g = 0; g < PS_WPP_N_MX_GROUPS; ++g) {
        double a = loc->mx5[p][sex][g], b = loc->mx5[p + 1][sex][g];
        if (!(a > 0.0) || !(b > 0.0)) {
            return missing(err, loc, "positive death rates", (int)tau);
        }
        out[g] = exp((1.0 - w) * log(a) + w * log(b));
    }
    return PS_OK;
}

static ps_status step_mortality(ps_inputs *in, const ps_wpp_location *loc, int step,
                                ps_error *err)
{
    static const int edges[PS_WPP_N_MX_GROUPS] = { 0,  1,  5,  10, 15, 20, 25, 30,
                                                   35, 40, 45, 50, 55, 60, 65, 70,
                                                   75, 80, 85, 90, 95, 100 };
    const int t = in->start_year + step;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        double groups[PS_WPP_N_MX_GROUPS];
        double *mx = &in->mx[ps_inputs_idx(in, step, 0, sex, 0)];
        double e0 = 0.5 * (loc->e0[wpp_year(t)][sex] + loc->e0[wpp_year(t + 1)][sex]);
        if (!isfinite(e0)) {
            return missing(err, loc, "life expectancy", t);
        }
        ps_status rc = period_mx(groups, loc, sex, t + WPP_STEP_CENTRE_OFFSET, err);
        if (rc == PS_OK) {
            rc = ps_grad_mx(mx, in->n_ages, edges, groups, PS_WPP_N_MX_GROUPS, err);
        }
        if (rc == PS_OK) {
            rc = ps_lt_scale_to_e0(mx, in->n_ages, (ps_sex)sex, e0, err);
        }
        if (rc != PS_OK) {
            ps_error_prepend(err, "mortality for %d: ", t);
            return rc;
        }
    }
    return PS_OK;
}

/* A location's percent ASFR by year and group: WPP's, or another pattern's (variants). */
typedef double pasfr_table[PS_WPP_N_YEARS][PS_WPP_N_PASFR_GROUPS];

/* ASFR by 5-year group of calendar year `year`, as births per woman over each group. */
static ps_status group_births(double *out, const ps_wpp_location *loc, const pasfr_table *pct_of,
                              int year, ps_error *err)
{
    double tfr = loc->tfr[wpp_year(year)];
    if (!isfinite(tfr)) {
        return missing(err, loc, "the TFR", year);
    }
    for (int g = 0; g < PS_WPP_N_PASFR_GROUPS; ++g) {
        double pct = (*pct_of)[wpp_year(year)][g];
        if (!isfinite(pct)) {
            return missing(err, loc, "the percent ASFR", year);
        }
        out[g] = tfr * pct / 100.0;
    }
    return PS_OK;
}

static ps_status step_fertility(ps_inputs *in, const ps_wpp_location *loc,
                                const pasfr_table *pct_of, int step, ps_error *err)
{
    const int t = in->start_year + step;
    double a[PS_WPP_N_PASFR_GROUPS], b[PS_WPP_N_PASFR_GROUPS];
    int edges[PS_WPP_N_PASFR_GROUPS + 1];
    ps_status rc = group_births(a, loc, pct_of, t, err);
    if (rc == PS_OK) {
        rc = group_births(b, loc, pct_of, t + 1, err);
    }
    if (rc != PS_OK) {
        return rc;
    }
    for (int g = 0; g < PS_WPP_N_PASFR_GROUPS; ++g) {
        a[g] = 0.5 * (a[g] + b[g]);
        edges[g] = PS_FERTILE_AGE_MIN + g * PS_AGE_GROUP_YEARS;
    }
    edges[PS_WPP_N_PASFR_GROUPS] = PS_FERTILE_AGE_MAX + 1;
    double *asfr = &in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)];
    return ps_grad_counts(asfr + PS_FERTILE_AGE_MIN, edges, a, PS_WPP_N_PASFR_GROUPS, err);
}

/* Net migrants by single age: WPP's own ages where published, else the total spread. */
static ps_status step_migration(ps_inputs *in, const ps_wpp_location *loc, int step,
                                ps_error *err)
{
    const int t = in->start_year + step;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        double *mig = &in->mig[ps_inputs_idx(in, step, 0, sex, 0)];
        if (t >= PS_WPP_MIG1_FIRST_YEAR) {
            const double *m0 = loc->mig1[t - PS_WPP_MIG1_FIRST_YEAR][sex];
            const double *m1 = loc->mig1[t + 1 - PS_WPP_MIG1_FIRST_YEAR][sex];
            for (int age = 0; age < in->n_ages; ++age) {
                mig[age] = 0.5 * (m0[age] + m1[age]);
                if (!isfinite(mig[age])) {
                    return missing(err, loc, "net migration by age", t);
                }
            }
            continue;
        }
        double total = 0.5 * (loc->mig_total[wpp_year(t)] + loc->mig_total[wpp_year(t + 1)]);
        if (!isfinite(total)) {
            return missing(err, loc, "total net migration", t);
        }
        const ps_rogers_castro rc = PS_ROGERS_CASTRO_INIT;
        ps_sched_rogers_castro(mig, in->n_ages, &rc);
        for (int age = 0; age < in->n_ages; ++age) {
            mig[age] *= total * WPP_MALE_SHARE_OF_MIGRANTS;
        }
    }
    return PS_OK;
}

static ps_status check_horizon(int start_year, int end_year, ps_error *err)
{
    if (start_year < PS_WPP_FIRST_YEAR || start_year >= PS_WPP_LAST_YEAR ||
        start_year % PS_AGE_GROUP_YEARS != 0) {
        return ps_error_set(err, PS_EINVAL,
                            "start year %d: WPP 2024 gives population by age on 1 July of years "
                            "divisible by 5 from %d to %d", start_year, PS_WPP_FIRST_YEAR,
                            PS_WPP_LAST_YEAR - PS_AGE_GROUP_YEARS);
    }
    if (end_year <= start_year || end_year > PS_WPP_LAST_YEAR) {
        return ps_error_set(err, PS_EINVAL, "end year %d: expected %d < end <= %d (WPP 2024 "
                            "assumptions end in %d)", end_year, start_year, PS_WPP_LAST_YEAR,
                            PS_WPP_LAST_YEAR);
    }
    return PS_OK;
}

/* The inputs from `loc` with the percent ASFR pct_of; `note` ends the inputs' source. */
static ps_status prepare(ps_inputs *out, const ps_wpp_location *loc, const pasfr_table *pct_of,
                         const char *note, int start_year, int end_year, ps_error *err)
{
    memset(out, 0, sizeof *out);
    ps_status rc = check_horizon(start_year, end_year, err);
    if (rc == PS_OK) {
        rc = ps_inputs_init(out, start_year, end_year, 1, PS_WPP_N_AGES, err);
    }
    if (rc == PS_OK) {
        rc = ps_inputs_set_region_name(out, 0, loc->name, err);
    }
    if (rc == PS_OK) {
        rc = base_population(out, loc, err);
    }
    for (int step = 0; rc == PS_OK && step < ps_inputs_steps(out); ++step) {
        const int t = start_year + step;
        out->srb[step] = 0.5 * (loc->srb[wpp_year(t)] + loc->srb[wpp_year(t + 1)]);
        if (!isfinite(out->srb[step])) {
            rc = missing(err, loc, "the sex ratio at birth", t);
            break;
        }
        if ((rc = step_mortality(out, loc, step, err)) == PS_OK &&
            (rc = step_fertility(out, loc, pct_of, step, err)) == PS_OK) {
            rc = step_migration(out, loc, step, err);
        }
    }
    if (rc == PS_OK) {
        char src[384];
        snprintf(src, sizeof src, "UN WPP 2024 medium variant, %s (M49 %d)%s", loc->name,
                 loc->code, note);
        out->source = malloc(strlen(src) + 1);
        if (out->source == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        } else {
            strcpy(out->source, src);
        }
    }
    if (rc != PS_OK) {
        ps_inputs_release(out);
    }
    return rc;
}

ps_status ps_wpp_inputs(ps_inputs *out, const ps_wpp_location *loc, int start_year, int end_year,
                        ps_error *err)
{
    return prepare(out, loc, &loc->pasfr, "", start_year, end_year, err);
}

ps_status ps_wpp_pattern_pasfr(double (*out)[PS_WPP_N_PASFR_GROUPS], double *misfit,
                               const ps_wpp_location *loc, const double *tfr, int first_year,
                               int n_years, ps_error *err)
{
    const int present = PS_WPP_LAST_ESTIMATE_YEAR, n_proj = PS_WPP_LAST_YEAR - present;
    if (first_year > present + 1 || first_year + n_years - 1 < PS_WPP_LAST_YEAR ||
        first_year < PS_WPP_FIRST_YEAR) {
        return ps_error_set(err, PS_EINVAL, "the TFR path of %d-%d: expected %d..%d at least",
                            first_year, first_year + n_years - 1, present + 1,
                            PS_WPP_LAST_YEAR);
    }
    memcpy(out, loc->pasfr, sizeof loc->pasfr);
    double path[PS_WPP_N_YEARS];
    for (int y = PS_WPP_FIRST_YEAR; y <= PS_WPP_LAST_YEAR; ++y) {
        path[wpp_year(y)] = y < first_year ? loc->tfr[wpp_year(y)] : tfr[y - first_year];
    }
    double *model_path = malloc(2 * (size_t)n_proj * PS_WPP_N_PASFR_GROUPS * sizeof *model_path);
    if (model_path == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the age pattern of fertility");
    }
    double *model_medium = model_path + (size_t)n_proj * PS_WPP_N_PASFR_GROUPS;
    ps_status rc = ps_pasfr_project(model_path, path, &loc->pasfr[0][0], ps_pasfr_norm,
                                    PS_WPP_FIRST_YEAR, present, PS_WPP_LAST_YEAR, err);
    if (rc == PS_OK) {
        rc = ps_pasfr_project(model_medium, loc->tfr, &loc->pasfr[0][0], ps_pasfr_norm,
                              PS_WPP_FIRST_YEAR, present, PS_WPP_LAST_YEAR, err);
    }
    if (rc != PS_OK) {
        ps_error_prepend(err, "%s (M49 %d): ", loc->name, loc->code);
    }
    /* how far the method is from WPP's own medium pattern */
    double off = 0.0;
    for (int j = 0; rc == PS_OK && j < n_proj; ++j) {
        for (int g = 0; g < PS_WPP_N_PASFR_GROUPS; ++g) {
            off = fmax(off, fabs(model_medium[(size_t)j * PS_WPP_N_PASFR_GROUPS + (size_t)g] -
                                 loc->pasfr[wpp_year(present + 1 + j)][g]));
        }
    }
    if (misfit != NULL) {
        *misfit = off;
    }
    /* WPP's medium pattern moved by the method's change from the medium path to this one */
    for (int j = 0; rc == PS_OK && off <= PS_WPP_PATTERN_FIT && j < n_proj; ++j) {
        double *o = out[wpp_year(present + 1 + j)], sum = 0.0;
        for (int g = 0; g < PS_WPP_N_PASFR_GROUPS; ++g) {
            const double m = model_medium[(size_t)j * PS_WPP_N_PASFR_GROUPS + (size_t)g];
            const double v = model_path[(size_t)j * PS_WPP_N_PASFR_GROUPS + (size_t)g];
            o[g] *= m > PS_PASFR_MIN_SHARE ? v / m : 1.0;
            sum += o[g];
        }
        for (int g = 0; g < PS_WPP_N_PASFR_GROUPS; ++g) {
            o[g] *= 100.0 / sum;
        }
    }
    free(model_path);
    return rc;
}

ps_status ps_wpp_inputs_pattern(ps_inputs *out, const ps_wpp_location *loc, int start_year,
                                int end_year, const double *tfr, int first_year, int n_years,
                                ps_error *err)
{
    memset(out, 0, sizeof *out);
    pasfr_table *pct = malloc(sizeof *pct);
    if (pct == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the age pattern of fertility");
    }
    double off = 0.0;
    ps_status rc = ps_wpp_pattern_pasfr(*pct, &off, loc, tfr, first_year, n_years, err);
    char note[160];
    if (off <= PS_WPP_PATTERN_FIT) {
        snprintf(note, sizeof note, ", with the variant's age pattern of fertility (the UN's "
                 "method, docs/model.md 9.9)");
    } else {
        snprintf(note, sizeof note, ", with the medium's age pattern of fertility (the UN's "
                 "pattern method is %.1f points off it)", off);
    }
    if (rc == PS_OK) {
        rc = prepare(out, loc, (const pasfr_table *)pct, note, start_year, end_year, err);
    }
    free(pct);
    return rc;
}

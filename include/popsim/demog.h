/*
 * popsim/demog.h - demographic building blocks: single-year life tables, graduation of
 * grouped data to single years of age, model schedules (Hadwiger fertility, Rogers-Castro
 * migration). Pure functions on caller-owned arrays; no I/O. Methods and sources:
 * docs/model.md.
 */
#ifndef PS_DEMOG_H
#define PS_DEMOG_H

#include "popsim/error.h"
#include "popsim/pop.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * A single-year life table for ages 0..n_ages-1, the last age open. l(0) = 1.
 * Arrays are caller storage of n_ages doubles each.
 */
typedef struct ps_lifetable {
    int n_ages;
    double *ax; /* average years lived in the interval by those dying in it */
    double *qx; /* probability of dying between x and x+1 (1 in the open group) */
    double *lx; /* survivors to exact age x, radix 1 */
    double *Lx; /* person-years lived between x and x+1 (to infinity in the open group) */
    double *Tx; /* person-years lived above age x */
    double *ex; /* life expectancy at age x, years */
} ps_lifetable;

/**
 * Fill a life table from central death rates mx (per person-year). a0 follows
 * Andreev & Kingkade (2015), ax = 1/2 above; the open group has L = l/m.
 * @return PS_OK; PS_EINVAL if any mx is negative or not finite, or the open-age mx is 0
 */
ps_status ps_lt_compute(ps_lifetable *lt, const double *mx, ps_sex sex, ps_error *err);

/** Life expectancy at birth implied by mx (ages 0..n_ages-1); NaN for invalid mx. */
double ps_lt_e0(const double *mx, int n_ages, ps_sex sex);

/**
 * Multiply every mx by the one factor k that makes the life table's e0 equal
 * e0_target (Brent's method on log k). Scratch: none (uses the stack for n_ages <= 256).
 * @return PS_OK; PS_EINVAL if e0_target is not in (0, 150) or mx invalid; PS_ENUMERIC if
 *         no factor in [e^-12, e^12] reaches the target
 */
ps_status ps_lt_scale_to_e0(double *mx, int n_ages, ps_sex sex, double e0_target, ps_error *err);

/**
 * Projection survivorship from a life table: s_out[0] = L0/l0 (births to age 0),
 * s_out[x+1] = L(x+1)/L(x) for x = 0..n-3 (age x to x+1), and s_out[n-1] = T(n-1)/T(n-2)
 * for the open group (applied to P(n-2) + P(n-1)). s_out has n_ages entries.
 */
void ps_lt_survivorship(double *s_out, const ps_lifetable *lt);

/**
 * Graduate grouped counts to single years with a monotone (Steffen) spline through the
 * cumulative counts at the group edges. Groups are [edges[g], edges[g+1]) for
 * g = 0..n_groups-1; single_out receives edges[n_groups] - edges[0] values, each >= 0,
 * and the counts of every group are preserved exactly.
 * @return PS_OK; PS_EINVAL for fewer than 2 groups, non-increasing edges or negative counts
 */
ps_status ps_grad_counts(double *single_out, const int *edges, const double *counts, int n_groups,
                         ps_error *err);

/**
 * Graduate abridged central death rates to single ages 0..n_ages-1. Groups are
 * [edges[g], edges[g+1]) with the last group open (edges[n_groups] is ignored, its rate
 * applies to the open age n_ages-1, which must equal edges[n_groups-1]). Single values are
 * log-linear between group centres (extrapolated at the ends), then rescaled within each
 * closed group so that the group's life-table rate (deaths / person-years) equals the
 * group rate.
 * @return PS_OK; PS_EINVAL for invalid edges or rates that are not positive and finite
 */
ps_status ps_grad_mx(double *mx_out, int n_ages, const int *edges, const double *mx_groups,
                     int n_groups, ps_error *err);

/**
 * Death rates of single ages first_age..first_age+n_open-1 (the last one open) extending an
 * open age group whose rate is m_open: a Kannisto (logistic) hazard whose slope is that of
 * logit m between two closed groups (rates m1, m2 at mid-ages mid1 < mid2) and whose level
 * makes the group's life-table rate (deaths / person-years, a = 1/2) equal m_open.
 * @return PS_OK; PS_EINVAL when the rates do not rise or are outside (0, 1); PS_ENUMERIC
 */
ps_status ps_grad_kannisto(double *mx_out, int n_open, int first_age, double mid1, double m1,
                           double mid2, double m2, double m_open, ps_error *err);

/**
 * Hadwiger fertility schedule (IUSSP form) with d = 10 years, H = 2.8 and T = mean_age - d,
 * evaluated at mid-age x + 1/2 over ages [PS_FERTILE_AGE_MIN, PS_FERTILE_AGE_MAX] and
 * scaled so that the single-age rates sum to tfr. asfr_out has n_ages entries (0 outside).
 */
void ps_sched_hadwiger(double *asfr_out, int n_ages, double tfr, double mean_age);

/* Rogers-Castro 7-parameter schedule m(x) = a1 e^(-alpha1 x)
 *   + a2 exp(-alpha2 (x - mu2) - exp(-lambda2 (x - mu2))) + c, normalised to sum 1. */
typedef struct ps_rogers_castro {
    double a1, alpha1, a2, alpha2, mu2, lambda2, c;
} ps_rogers_castro;

/* The fundamental schedule of Rogers & Castro (1981) with mu2 = 21 (docs/model.md). */
#define PS_ROGERS_CASTRO_INIT                                                              \
    { .a1 = 0.02, .alpha1 = 0.10, .a2 = 0.06, .alpha2 = 0.10, .mu2 = 21.0, .lambda2 = 0.40, \
      .c = 0.003 }

/** Rogers-Castro migration schedule at ages 0..n_ages-1, normalised to sum 1. */
void ps_sched_rogers_castro(double *out, int n_ages, const ps_rogers_castro *rc);

/*
 * The UN's projection of the age pattern of fertility (percent ASFR by 5-year group) under
 * a TFR path, as its low and high variants apply it (docs/model.md sec. 9.9;
 * src/demog/pasfr.c). The constants are the method's (bayesPop's annual settings).
 */
#define PS_PASFR_GROUPS 9            /* 10-14, ..., 50-54 */
#define PS_PASFR_TREND_YEARS 14      /* the observed trend runs from present - 14 to present */
#define PS_PASFR_MIN_HORIZON 20      /* phase III: the norm is reached 20 years on at the soonest */
#define PS_PASFR_PHASE3_YEARS 25     /* phase II: the norm is reached 25 years after it ends */
#define PS_PASFR_PHASE3_TFR 1.8      /* phase II still ending: the trend's TFR at its end */
#define PS_PASFR_REGRESSION_YEARS 20 /* ... measured over the path's last 20 years */
#define PS_PASFR_BEYOND_YEARS 50     /* ... and put at most 50 years beyond the path */
#define PS_PASFR_MIN_SHARE 1e-6      /* observed shares below this are raised to it */
#define PS_PASFR_YOUNG_GROUPS 2      /* 10-14, 15-19: rates never rise year on year */
#define PS_PASFR_OLD_GROUPS 2        /* 45-49, 50-54: rates below 5 times the last observed */
#define PS_PASFR_OLD_CAP 5.0

/* The global norm (percent by group) the UN's medium patterns converge to, estimated from
 * the WPP 2024 medium percent ASFR by scripts/pasfr_norm.py (docs/model.md 9.9). */
extern const double ps_pasfr_norm[PS_PASFR_GROUPS];

/**
 * The end of phase II of the fertility transition in the annual TFR of years first_year ..
 * first_year + n - 1 (bayesTFR's rule: the third year of the 5-year bin that the first of two
 * consecutive rises of 5-year means leads to, all three means below 2): a 1-based index into
 * the n years, n when not ended.
 */
int ps_pasfr_end_of_phase2(const double *tfr, int first_year, int n);

/**
 * Percent ASFR by group for the calendar years present_year + 1 .. last_year under the TFR
 * path `tfr` (years first_year .. last_year, observed through present_year), from the
 * observed percent ASFR `pasfr_obs` ([year - first_year][group], first_year .. present_year)
 * and the norm (percent by group, e.g. ps_pasfr_norm). out is [year - present_year - 1][group]
 * and each year sums to 100.
 * @return PS_OK; PS_EINVAL when the years do not cover the trend and one projected year, a
 *         TFR is not positive or a share is not a share
 */
ps_status ps_pasfr_project(double *out, const double *tfr, const double *pasfr_obs,
                           const double *norm, int first_year, int present_year, int last_year,
                           ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_DEMOG_H */

/*
 * graduate.c - from grouped data to single years of age.
 * Counts: a monotone cubic (Steffen 1990, A&A 239:443) through the cumulative counts at the
 * group edges; differences at integer ages are >= 0 and every group total is kept exactly.
 * Death rates: log-linear between group centres, then each closed group rescaled until
 * its life-table rate (deaths over person-years, ndx / nLx, with a = 1/2 for single years)
 * equals the published group rate. Matching the arithmetic mean instead understates old-age
 * mortality, because exposure falls within a group as the rate rises.
 */
#include "popsim/demog.h"
#include "popsim/units.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_interp.h>

static ps_status check_groups(const int *edges, int n_groups, int min_groups, ps_error *err)
{
    if (n_groups < min_groups) {
        return ps_error_set(err, PS_EINVAL, "need at least %d age groups (got %d)", min_groups,
                            n_groups);
    }
    for (int g = 0; g < n_groups; ++g) {
        if (edges[g + 1] <= edges[g]) {
            return ps_error_set(err, PS_EINVAL, "age groups must increase (group %d: %d..%d)", g,
                                edges[g], edges[g + 1]);
        }
    }
    return PS_OK;
}

/* Cumulative counts at the edges; each group total must be finite and >= 0. */
static ps_status cumulate(double *x, double *cum, const int *edges, const double *counts,
                          int n_groups, ps_error *err)
{
    x[0] = edges[0];
    cum[0] = 0.0;
    for (int g = 0; g < n_groups; ++g) {
        if (!isfinite(counts[g]) || counts[g] < 0.0) {
            return ps_error_set(err, PS_EINVAL, "group %d..%d has count %g (expected >= 0)",
                                edges[g], edges[g + 1] - 1, counts[g]);
        }
        x[g + 1] = edges[g + 1];
        cum[g + 1] = cum[g] + counts[g];
    }
    return PS_OK;
}

ps_status ps_grad_counts(double *single_out, const int *edges, const double *counts, int n_groups,
                         ps_error *err)
{
    ps_status rc = check_groups(edges, n_groups, 2, err);
    if (rc != PS_OK) {
        return rc;
    }
    const size_t np = (size_t)n_groups + 1;
    double *x = malloc(2 * np * sizeof *x);
    gsl_interp *interp = gsl_interp_alloc(gsl_interp_steffen, np);
    gsl_interp_accel *acc = gsl_interp_accel_alloc();
    if (x == NULL || interp == NULL || acc == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory graduating %d groups", n_groups);
        goto done;
    }
    double *cum = x + np;
    if ((rc = cumulate(x, cum, edges, counts, n_groups, err)) != PS_OK) {
        goto done;
    }
    int gsl_rc = gsl_interp_init(interp, x, cum, np);
    if (gsl_rc != GSL_SUCCESS) {
        rc = ps_error_set(err, PS_ENUMERIC, "Steffen spline: %s", gsl_strerror(gsl_rc));
        goto done;
    }
    double prev = 0.0;
    for (int age = edges[0] + 1; age <= edges[n_groups]; ++age) {
        double c = gsl_interp_eval(interp, x, cum, (double)age, acc);
        double d = c - prev;
        single_out[age - 1 - edges[0]] = d > 0.0 ? d : 0.0; /* rounding below zero only */
        prev = c;
    }
done:
    gsl_interp_accel_free(acc);
    gsl_interp_free(interp);
    free(x);
    return rc;
}

/* Log-linear interpolation/extrapolation through (centre, log m) points at age t. */
static double loglin_at(double t, const double *centre, const double *logm, int n)
{
    int seg = 0;
    while (seg < n - 2 && t > centre[seg + 1]) {
        ++seg;
    }
    double w = (t - centre[seg]) / (centre[seg + 1] - centre[seg]);
    return exp(logm[seg] + w * (logm[seg + 1] - logm[seg]));
}

/* Group life-table rate sum(d) / sum(L) of single-year rates m[0..n-1], radix 1. */
static double group_rate(const double *m, int n, double k)
{
    double l = 1.0, d_sum = 0.0, L_sum = 0.0;
    for (int i = 0; i < n; ++i) {
        double q = fmin(1.0, k * m[i] / (1.0 + PS_MID_YEAR_FRACTION * k * m[i]));
        double d = l * q;
        d_sum += d;
        L_sum += l - d + PS_MID_YEAR_FRACTION * d;
        l -= d;
    }
    return L_sum > 0.0 ? d_sum / L_sum : 0.0;
}

/* Scale m[0..n-1] by the factor that makes the group's life-table rate equal target. The
 * rate rises with the factor and almost proportionally, so the fixed point converges in a
 * handful of iterations. */
static void match_group_rate(double *m, int n, double target)
{
    const int max_iter = 50;
    const double tol = 1e-13;
    double k = 1.0;
    for (int iter = 0; iter < max_iter; ++iter) {
        double r = group_rate(m, n, k);
        if (!(r > 0.0)) {
            break;
        }
        k *= target / r;
        if (fabs(target / r - 1.0) < tol) {
            break;
        }
    }
    for (int i = 0; i < n; ++i) {
        m[i] *= k;
    }
}

ps_status ps_grad_mx(double *mx_out, int n_ages, const int *edges, const double *mx_groups,
                     int n_groups, ps_error *err)
{
    ps_status rc = check_groups(edges, n_groups - 1, 2, err);
    if (rc != PS_OK) {
        return rc;
    }
    if (edges[0] != 0 || edges[n_groups - 1] != n_ages - 1) {
        return ps_error_set(err, PS_EINVAL, "abridged groups must start at age 0 and open at %d",
                            n_ages - 1);
    }
    double *centre = malloc(2 * (size_t)n_groups * sizeof *centre);
    if (centre == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory graduating death rates");
    }
    double *logm = centre + n_groups;
    const int n_closed = n_groups - 1;
    for (int g = 0; g < n_groups; ++g) {
        if (!isfinite(mx_groups[g]) || mx_groups[g] <= 0.0) {
            rc = ps_error_set(err, PS_EINVAL, "death rate of group starting at age %d is %g "
                              "(expected > 0)", edges[g], mx_groups[g]);
            goto done;
        }
        logm[g] = log(mx_groups[g]);
        if (g < n_closed) {
            centre[g] = 0.5 * (edges[g] + edges[g + 1]);
        }
    }
    for (int g = 0; g < n_closed; ++g) {
        for (int age = edges[g]; age < edges[g + 1]; ++age) {
            mx_out[age] = loglin_at(age + PS_MID_YEAR_FRACTION, centre, logm, n_closed);
        }
        match_group_rate(mx_out + edges[g], edges[g + 1] - edges[g], mx_groups[g]);
    }
    mx_out[n_ages - 1] = mx_groups[n_groups - 1];
done:
    free(centre);
    return rc;
}

/*
 * Kannisto extension of an open age group (Thatcher, Kannisto and Vaupel 1998, "The force of
 * mortality at ages 80 to 120", Odense Monographs on Population Aging 5): the hazard is
 * logistic in age, logit m(x) = a + b x, the slope b taken from two closed groups below the
 * open one and the level a chosen so that the open group's life-table rate (deaths over
 * person-years from its first age on, everyone dying in it) equals the given rate. With
 * l = 1 at the group's start, deaths sum to 1, so the condition is sum L(x) = 1 / m_open;
 * person-years fall as the level rises, so bisection on a finds it.
 */
static double open_group_years(const double *m, int n)
{
    double l = 1.0, years = 0.0;
    for (int i = 0; i < n - 1; ++i) {
        double q = m[i] / (1.0 + PS_MID_YEAR_FRACTION * m[i]);
        q = q > 1.0 ? 1.0 : q;
        years += l * (1.0 - PS_MID_YEAR_FRACTION * q);
        l *= 1.0 - q;
    }
    return years + l / m[n - 1];
}

static void kannisto_rates(double *m, int n, double level, double slope, double first_age)
{
    for (int i = 0; i < n; ++i) {
        const double z = level + slope * (first_age + i + PS_MID_YEAR_FRACTION);
        m[i] = 1.0 / (1.0 + exp(-z));
    }
}

ps_status ps_grad_kannisto(double *mx_out, int n_open, int first_age, double mid1, double m1,
                           double mid2, double m2, double m_open, ps_error *err)
{
    enum { MAX_BISECTIONS = 200 };
    const double tol = 1e-13; /* relative, on the open group's person-years */
    if (!(m1 > 0.0 && m1 < 1.0 && m2 > 0.0 && m2 < 1.0 && m_open > 0.0 && mid2 > mid1 &&
          n_open >= 1)) {
        return ps_error_set(err, PS_EINVAL, "the open age group needs two closed groups below "
                                            "it with death rates in (0, 1) and a rate > 0");
    }
    const double slope = (log(m2 / (1.0 - m2)) - log(m1 / (1.0 - m1))) / (mid2 - mid1);
    if (!(slope > 0.0)) {
        return ps_error_set(err, PS_EINVAL, "death rates do not rise from the group at %.1f to "
                                            "the group at %.1f: the open group cannot be "
                                            "extended by a rising hazard", mid1, mid2);
    }
    const double want = 1.0 / m_open;
    double lo = -60.0, hi = 60.0; /* levels: the logit of m at age 0 */
    for (int it = 0; it < MAX_BISECTIONS; ++it) {
        const double mid = 0.5 * (lo + hi);
        kannisto_rates(mx_out, n_open, mid, slope, first_age);
        const double years = open_group_years(mx_out, n_open);
        if (fabs(years - want) <= tol * want) {
            return PS_OK;
        }
        if (years > want) {
            lo = mid; /* too many years: raise the hazard */
        } else {
            hi = mid;
        }
    }
    return ps_error_set(err, PS_ENUMERIC, "the Kannisto extension of the open age group did not "
                                          "converge (rate %.6g)", m_open);
}

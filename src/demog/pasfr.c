/*
 * pasfr.c - the UN's projection of the age pattern of fertility under a TFR path
 * (docs/model.md sec. 9.9): the last observed percent ASFR moves towards a global norm
 * pattern, blended with the continuation of its own recent trend, on the logit scale, with
 * a horizon that depends on the TFR path (Sevcikova, Li, Kantorova, Gerland & Raftery 2016,
 * "Age-specific mortality and fertility rates for probabilistic population projections", in
 * Schoen (ed.), Dynamic Demographic Analysis, Springer). Computed on the 5-year groups
 * 10-14 .. 50-54 that WPP publishes.
 */
#include <math.h>
#include <stddef.h>

#include "popsim/demog.h"
#include "popsim/units.h"

/* The median, over the 24 countries whose medium pattern the method brings to the norm by
 * 2080, of their published percent ASFR of 2100 (scripts/pasfr_norm.py prints it). */
const double ps_pasfr_norm[PS_PASFR_GROUPS] = { 0.0132, 1.7021, 10.9366, 28.8116, 34.9093,
                                                18.9738, 4.3759,  0.3579,  0.0049 };

/* Group midpoints for the mean age of childbearing. */
static double group_mid(int g)
{
    return 12.5 + PS_AGE_GROUP_YEARS * g;
}

static double logit(double x)
{
    return log(x / (1.0 - x));
}

static double inv_logit(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

static void normalise(double *p)
{
    double s = 0.0;
    for (int g = 0; g < PS_PASFR_GROUPS; ++g) {
        s += p[g];
    }
    for (int g = 0; g < PS_PASFR_GROUPS; ++g) {
        p[g] /= s;
    }
}

static double mean_age(const double *p)
{
    double m = 0.0;
    for (int g = 0; g < PS_PASFR_GROUPS; ++g) {
        m += p[g] * group_mid(g);
    }
    return m;
}

/*
 * The end of the fertility transition's phase II (bayesTFR's definition for annual data):
 * on the TFR averaged over 5-year bins (y - 5, y], y a multiple of 5, the bin the first of
 * two consecutive rises leads to, all three bins below 2; converted to the bin's third year,
 * or the last year when that falls in the last five. Returns a 1-based index into the n
 * years (n when phase II has not ended, or over 64 bins).
 */
int ps_pasfr_end_of_phase2(const double *tfr, int first_year, int n)
{
    const int lo = first_year + (PS_AGE_GROUP_YEARS - first_year % PS_AGE_GROUP_YEARS) %
                                    PS_AGE_GROUP_YEARS; /* the first multiple of 5 */
    const int base = lo - PS_AGE_GROUP_YEARS;
    /* bin of year y: the number of breaks base, base + 5, ... below y */
#define BIN_OF(y) (((y) - base - 1) / PS_AGE_GROUP_YEARS + 1)
    const int b0 = BIN_OF(first_year);
    const int n_bins = BIN_OF(first_year + n - 1) - b0 + 1;
    double avg[64];
    if (n_bins > (int)(sizeof avg / sizeof avg[0]) || n_bins < 3) {
        return n;
    }
    int below2 = 0;
    for (int k = 0; k < n_bins; ++k) {
        double s = 0.0;
        int c = 0;
        for (int i = 0; i < n; ++i) {
            if (BIN_OF(first_year + i) - b0 == k) {
                s += tfr[i];
                ++c;
            }
        }
        avg[k] = s / c;
        below2 += avg[k] < 2.0;
    }
    int lambda = -1; /* 0-based bin */
    if (below2 > 2) {
        for (int k = 2; k < n_bins; ++k) {
            if (avg[k] > avg[k - 1] && avg[k - 1] > avg[k - 2] && avg[k] < 2.0 &&
                avg[k - 1] < 2.0 && avg[k - 2] < 2.0) {
                lambda = k - 1;
                break;
            }
        }
    }
    if (lambda < 0) {
        return n;
    }
    int first = 0; /* 1-based index of the bin's first year */
    for (int i = 0; i < n; ++i) {
        if (BIN_OF(first_year + i) - b0 == lambda) {
            first = i + 1;
            break;
        }
    }
#undef BIN_OF
    int idx = first + 2 < n ? first + 2 : n;
    if (n - idx < PS_AGE_GROUP_YEARS) {
        idx = n;
    }
    return idx;
}

/*
 * The year by which the pattern reaches the norm (endT). Phase III started (Case 1): the
 * first year from its start whose TFR is at least the path's last TFR, but not before
 * present + PS_PASFR_MIN_HORIZON. Not started (Case 2): 25 years after its start, which a
 * path still above 1.8 and falling puts where the last 20 years' linear trend reaches 1.8
 * (at most 50 years beyond the horizon), and any other path just after the horizon.
 */
static int convergence_year(const double *tfr, int first_year, int present_year, int n,
                            int *phase3_start)
{
    const int tobs = present_year - first_year + 1;
    int sp3 = ps_pasfr_end_of_phase2(tfr, first_year, n) + 1; /* 1-based */
    if (sp3 > n) {
        if (tfr[n - 1] > PS_PASFR_PHASE3_TFR) {
            const int m = PS_PASFR_REGRESSION_YEARS;
            double sx = 0.0, sy = 0.0, sxx = 0.0, sxy = 0.0;
            for (int i = n - m + 1; i <= n; ++i) {
                const double x = i, y = tfr[i - 1];
                sx += x;
                sy += y;
                sxx += x * x;
                sxy += x * y;
            }
            const double slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
            const double icpt = (sy - slope * sx) / m;
            if (slope < -1e-3 && icpt > PS_PASFR_PHASE3_TFR) {
                /* R's round(): halves to even, as nearbyint in the default rounding mode */
                const int at = (int)nearbyint((PS_PASFR_PHASE3_TFR - icpt) / slope);
                const int s = (at > n ? at : n) + 1;
                sp3 = s < n + PS_PASFR_BEYOND_YEARS ? s : n + PS_PASFR_BEYOND_YEARS;
            } else {
                sp3 = n + PS_PASFR_BEYOND_YEARS;
            }
        }
        *phase3_start = sp3;
        return first_year + sp3 + PS_PASFR_PHASE3_YEARS - 1;
    }
    *phase3_start = sp3;
    const double last = tfr[n - 1];
    int first_larger = n; /* the last year is never below itself */
    for (int i = sp3; i <= n; ++i) {
        if (!(tfr[i - 1] < last)) {
            first_larger = i;
            break;
        }
    }
    const int min_idx = tobs + PS_PASFR_MIN_HORIZON;
    return first_year + (first_larger > min_idx ? first_larger : min_idx) - 1;
}

ps_status ps_pasfr_project(double *out, const double *tfr, const double *pasfr_obs,
                           const double *norm, int first_year, int present_year, int last_year,
                           ps_error *err)
{
    const int n = last_year - first_year + 1, tobs = present_year - first_year + 1;
    const int n_proj = last_year - present_year;
    if (n_proj < 1 || present_year - PS_PASFR_TREND_YEARS < first_year ||
        n < PS_PASFR_REGRESSION_YEARS) {
        return ps_error_set(err, PS_EINVAL, "the age pattern of fertility: the years %d-%d "
                            "with %d observed do not cover %d years of trend and one projected",
                            first_year, last_year, present_year, PS_PASFR_TREND_YEARS);
    }
    for (int i = 0; i < n; ++i) {
        if (!(tfr[i] > 0.0) || !isfinite(tfr[i])) {
            return ps_error_set(err, PS_EINVAL, "the age pattern of fertility: the TFR of %d "
                                "is %g; expected a positive number", first_year + i, tfr[i]);
        }
    }
    const double *obs_r = pasfr_obs + (size_t)(tobs - 1) * PS_PASFR_GROUPS;
    const double *obs_e = pasfr_obs + (size_t)(tobs - 1 - PS_PASFR_TREND_YEARS) * PS_PASFR_GROUPS;
    double pr[PS_PASFR_GROUPS], pe[PS_PASFR_GROUPS], gn[PS_PASFR_GROUPS];
    for (int g = 0; g < PS_PASFR_GROUPS; ++g) {
        if (!(obs_r[g] >= 0.0) || !(obs_e[g] >= 0.0) || !(norm[g] > 0.0)) {
            return ps_error_set(err, PS_EINVAL, "the age pattern of fertility: the percent of "
                                "ages %d-%d in %d (%g), in %d (%g) or in the norm (%g): "
                                "expected a number >= 0 (> 0 in the norm)",
                                PS_FERTILE_AGE_MIN + PS_AGE_GROUP_YEARS * g,
                                PS_FERTILE_AGE_MIN + PS_AGE_GROUP_YEARS * g + 4, present_year,
                                obs_r[g], present_year - PS_PASFR_TREND_YEARS, obs_e[g],
                                norm[g]);
        }
        pr[g] = fmax(obs_r[g] / 100.0, PS_PASFR_MIN_SHARE);
        pe[g] = fmax(obs_e[g] / 100.0, PS_PASFR_MIN_SHARE);
        gn[g] = norm[g] / 100.0;
    }
    normalise(pr);
    normalise(pe);
    normalise(gn);
    int sp3 = 0;
    const int end_t = convergence_year(tfr, first_year, present_year, n, &sp3);
    const double den = end_t - present_year;
    for (int j = 0; j < n_proj; ++j) {
        const double dt = j + 1; /* years since the last observed */
        const double tau = fmin(dt / den, 1.0);
        double a1[PS_PASFR_GROUPS], a2[PS_PASFR_GROUPS];
        for (int g = 0; g < PS_PASFR_GROUPS; ++g) {
            const double lr = logit(pr[g]);
            a1[g] = inv_logit(lr + tau * (logit(gn[g]) - lr));
            a2[g] = inv_logit(lr + dt / PS_PASFR_TREND_YEARS * (lr - logit(pe[g])));
        }
        normalise(a1);
        normalise(a2);
        double *o = out + (size_t)j * PS_PASFR_GROUPS;
        for (int g = 0; g < PS_PASFR_GROUPS; ++g) {
            o[g] = inv_logit(tau * logit(a1[g]) + (1.0 - tau) * logit(a2[g]));
        }
        normalise(o);
    }
    /* in phase III a pattern older than the norm stops ageing at its oldest */
    if (sp3 <= n) {
        const int s = (sp3 - tobs > 1 ? sp3 - tobs : 1) - 1; /* 0-based projection year */
        if (s < n_proj - 1) {
            int jmax = s;
            for (int j = s + 1; j < n_proj; ++j) {
                if (mean_age(out + (size_t)j * PS_PASFR_GROUPS) >
                    mean_age(out + (size_t)jmax * PS_PASFR_GROUPS)) {
                    jmax = j;
                }
            }
            if (mean_age(out + (size_t)jmax * PS_PASFR_GROUPS) > mean_age(gn)) {
                for (int j = jmax + 1; j < n_proj; ++j) {
                    for (int g = 0; g < PS_PASFR_GROUPS; ++g) {
                        out[(size_t)j * PS_PASFR_GROUPS + g] =
                            out[(size_t)jmax * PS_PASFR_GROUPS + g];
                    }
                }
            }
        }
    }
    /* rates: those under 20 never rise from one year to the next, those of 45 and over stay
     * below 5 times the last observed; ages 20-44 take up the difference to the TFR */
    double prev[PS_PASFR_GROUPS];
    for (int j = 0; j < n_proj; ++j) {
        double *o = out + (size_t)j * PS_PASFR_GROUPS;
        const double t = tfr[tobs + j];
        double asfr[PS_PASFR_GROUPS], sum = 0.0, mid = 0.0;
        for (int g = 0; g < PS_PASFR_GROUPS; ++g) {
            asfr[g] = o[g] * t;
            if (g < PS_PASFR_YOUNG_GROUPS && j > 0 && asfr[g] > prev[g]) {
                asfr[g] = prev[g];
            }
            if (g >= PS_PASFR_GROUPS - PS_PASFR_OLD_GROUPS) {
                asfr[g] = fmin(asfr[g], PS_PASFR_OLD_CAP * obs_r[g] / 100.0 * tfr[tobs - 1]);
            }
            sum += asfr[g];
            if (g >= PS_PASFR_YOUNG_GROUPS && g < PS_PASFR_GROUPS - PS_PASFR_OLD_GROUPS) {
                mid += asfr[g];
            }
        }
        for (int g = PS_PASFR_YOUNG_GROUPS; g < PS_PASFR_GROUPS - PS_PASFR_OLD_GROUPS; ++g) {
            asfr[g] += (t - sum) * asfr[g] / mid;
        }
        for (int g = 0; g < PS_PASFR_GROUPS; ++g) {
            prev[g] = asfr[g];
        }
        normalise(asfr);
        for (int g = 0; g < PS_PASFR_GROUPS; ++g) {
            o[g] = 100.0 * asfr[g];
        }
    }
    return PS_OK;
}

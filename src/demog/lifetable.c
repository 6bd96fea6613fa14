/*
 * lifetable.c - single-year period life tables from central death rates.
 * Conversion m -> q assumes deaths spread as a(x) within the year: q = m / (1 + (1 - a) m).
 * a(0) follows Andreev & Kingkade (2015, Demographic Research 33:13, table 3, single-year
 * version); a(x) = 1/2 above age 0; the open group lives L = l/m. Survivorship ratios for
 * the cohort-component step follow the UN's single-year method (docs/model.md, sec. 2).
 */
#include "popsim/demog.h"
#include "popsim/units.h"

#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#define LT_MAX_AGES 256 /* stack scratch bound for e0 root finding; n_ages is 101 */

/* Andreev-Kingkade (2015) a0 for single-year tables: piecewise linear in m0 by sex. */
static double a0_andreev_kingkade(double m0, ps_sex sex)
{
    if (sex == PS_SEX_MALE) {
        if (m0 >= 0.08307) {
            return 0.29915;
        }
        if (m0 >= 0.023) {
            return 0.02832 + 3.26201 * m0;
        }
        return 0.14929 - 1.99545 * m0;
    }
    if (m0 >= 0.06891) {
        return 0.31411;
    }
    if (m0 >= 0.01724) {
        return 0.04667 + 3.88089 * m0;
    }
    return 0.14903 - 2.05527 * m0;
}

static int mx_valid(const double *mx, int n_ages)
{
    for (int age = 0; age < n_ages; ++age) {
        if (!isfinite(mx[age]) || mx[age] < 0.0) {
            return 0;
        }
    }
    return mx[n_ages - 1] > 0.0;
}

ps_status ps_lt_compute(ps_lifetable *lt, const double *mx, ps_sex sex, ps_error *err)
{
    const int n = lt->n_ages;
    if (!mx_valid(mx, n)) {
        return ps_error_set(err, PS_EINVAL,
                            "death rates must be finite and >= 0, and > 0 in the open age group");
    }
    double l = 1.0;
    for (int age = 0; age < n - 1; ++age) {
        double a = age == 0 ? a0_andreev_kingkade(mx[0], sex) : PS_MID_YEAR_FRACTION;
        double q = mx[age] / (1.0 + (1.0 - a) * mx[age]);
        if (q > 1.0) {
            q = 1.0;
        }
        double d = l * q;
        lt->ax[age] = a;
        lt->qx[age] = q;
        lt->lx[age] = l;
        lt->Lx[age] = (l - d) + a * d;
        l -= d;
    }
    lt->ax[n - 1] = 1.0 / mx[n - 1];
    lt->qx[n - 1] = 1.0;
    lt->lx[n - 1] = l;
    lt->Lx[n - 1] = l / mx[n - 1];
    double T = 0.0;
    for (int age = n - 1; age >= 0; --age) {
        T += lt->Lx[age];
        lt->Tx[age] = T;
        lt->ex[age] = lt->lx[age] > 0.0 ? T / lt->lx[age] : 0.0;
    }
    return PS_OK;
}

/* e0 without storing the table: the sum of L(x) with l(0) = 1. */
static double e0_scaled(const double *mx, int n, ps_sex sex, double k)
{
    double l = 1.0, e0 = 0.0;
    for (int age = 0; age < n - 1; ++age) {
        double m = k * mx[age];
        double a = age == 0 ? a0_andreev_kingkade(m, sex) : PS_MID_YEAR_FRACTION;
        double q = fmin(1.0, m / (1.0 + (1.0 - a) * m));
        double d = l * q;
        e0 += (l - d) + a * d;
        l -= d;
    }
    return e0 + l / (k * mx[n - 1]);
}

double ps_lt_e0(const double *mx, int n_ages, ps_sex sex)
{
    if (n_ages < 2 || !mx_valid(mx, n_ages)) {
        return NAN;
    }
    return e0_scaled(mx, n_ages, sex, 1.0);
}

typedef struct e0_target_ctx {
    const double *mx;
    int n;
    ps_sex sex;
    double target;
} e0_target_ctx;

static double e0_gap(double log_k, void *params)
{
    const e0_target_ctx *c = params;
    return e0_scaled(c->mx, c->n, c->sex, exp(log_k)) - c->target;
}

/* Brent's method on log k: e0 falls monotonically as every rate is multiplied by k. */
static ps_status solve_log_k(double *log_k_out, e0_target_ctx *ctx, ps_error *err)
{
    const double lo = -12.0, hi = 12.0, tol = 1e-13;
    gsl_function f = { .function = e0_gap, .params = ctx };
    if (e0_gap(lo, ctx) < 0.0 || e0_gap(hi, ctx) > 0.0) {
        return ps_error_set(err, PS_ENUMERIC,
                            "no scaling of the death rates reaches e0 = %g years", ctx->target);
    }
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (s == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the e0 root solver");
    }
    gsl_root_fsolver_set(s, &f, lo, hi);
    int status = GSL_CONTINUE;
    for (int iter = 0; iter < 200 && status == GSL_CONTINUE; ++iter) {
        status = gsl_root_fsolver_iterate(s);
        if (status == GSL_SUCCESS) {
            status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
                                            gsl_root_fsolver_x_upper(s), tol, 0.0);
        }
    }
    *log_k_out = gsl_root_fsolver_root(s);
    gsl_root_fsolver_free(s);
    if (status != GSL_SUCCESS) {
        return ps_error_set(err, PS_ENUMERIC, "e0 scaling did not converge: %s",
                            gsl_strerror(status));
    }
    return PS_OK;
}

ps_status ps_lt_scale_to_e0(double *mx, int n_ages, ps_sex sex, double e0_target, ps_error *err)
{
    if (!(e0_target > 0.0 && e0_target < 150.0)) {
        return ps_error_set(err, PS_EINVAL, "e0 = %g is outside (0, 150) years", e0_target);
    }
    if (n_ages < 2 || n_ages > LT_MAX_AGES || !mx_valid(mx, n_ages)) {
        return ps_error_set(err, PS_EINVAL, "invalid death rates for e0 scaling");
    }
    e0_target_ctx ctx = { .mx = mx, .n = n_ages, .sex = sex, .target = e0_target };
    double log_k = 0.0;
    ps_status rc = solve_log_k(&log_k, &ctx, err);
    if (rc != PS_OK) {
        return rc;
    }
    double k = exp(log_k);
    for (int age = 0; age < n_ages; ++age) {
        mx[age] *= k;
    }
    return PS_OK;
}

void ps_lt_survivorship(double *s_out, const ps_lifetable *lt)
{
    const int n = lt->n_ages;
    s_out[0] = lt->Lx[0] / lt->lx[0];
    for (int age = 0; age < n - 2; ++age) {
        s_out[age + 1] = lt->Lx[age] > 0.0 ? lt->Lx[age + 1] / lt->Lx[age] : 0.0;
    }
    s_out[n - 1] = lt->Tx[n - 2] > 0.0 ? lt->Tx[n - 1] / lt->Tx[n - 2] : 0.0;
}

/*
 * traj.c - the stochastic process of probabilistic projections (popsim/prob.h,
 * docs/model.md sec. 9.1): quantile functions through the UN's interval bounds, standard
 * normal AR(1) scores, counter-based innovations, sample quantiles, and the bounds struct.
 *
 * Innovations: Philox4x32-10 (Salmon, Moraes, Dror & Shaw 2011, SC'11; the Random123
 * algorithm, the same rounds as src/micro/rng.c) with key (seed low 32 bits, seed high 32
 * bits) and counter (trajectory, process, year index, PS_PROB_STREAM_TAG); the four output
 * words make two 53-bit uniforms in (0, 1) for one Box-Muller normal.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>

#include "core/philox_int.h"
#include "popsim/prob.h"

/* Fourth counter word of every probabilistic draw ("prob"), so these streams never share a
 * counter with the microsimulation's. */
#define PS_PROB_STREAM_TAG 0x70726F62u

static const double knot_z[PS_PROB_N_KNOTS] = { -1.959963984540054, -1.2815515655446004, 0.0,
                                                1.2815515655446004, 1.959963984540054 };
static const double levels[PS_PROB_N_QUANTILES] = { 0.025, 0.1, 0.5, 0.9, 0.975 };

double ps_prob_knot_z(int k)
{
    return knot_z[k];
}

double ps_prob_level(int q)
{
    return levels[q];
}

double ps_prob_marginal(const double knots[PS_PROB_N_KNOTS], double z, int log_scale)
{
    if (knots[0] == knots[PS_PROB_N_KNOTS - 1]) {
        return knots[PS_PROB_KNOT_MEDIAN]; /* no uncertainty */
    }
    int k = 0; /* segment [k, k+1]; the end segments extend beyond the outer knots */
    while (k < PS_PROB_N_KNOTS - 2 && z > knot_z[k + 1]) {
        ++k;
    }
    double a = knots[k], b = knots[k + 1];
    if (log_scale) {
        a = log(a);
        b = log(b);
    }
    const double w = (z - knot_z[k]) / (knot_z[k + 1] - knot_z[k]);
    const double v = z == knot_z[k + 1] ? b : a + w * (b - a);
    return log_scale ? (z == knot_z[k + 1] ? knots[k + 1] : exp(v)) : v;
}

static void philox(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2])
{
    const ps_philox4x32 v = ps_philox__rounds((ps_philox4x32){ ctr[0], ctr[1], ctr[2], ctr[3] },
                                              key[0], key[1]);
    out[0] = v.x0;
    out[1] = v.x1;
    out[2] = v.x2;
    out[3] = v.x3;
}

/* A uniform in (0, 1) from 53 bits of two words. */
static double uniform53(uint32_t hi, uint32_t lo)
{
    const uint64_t k = ((uint64_t)hi << 21) ^ (uint64_t)(lo >> 11);
    return ((double)(k & ((UINT64_C(1) << 53) - 1)) + 0.5) * 0x1.0p-53;
}

double ps_prob_normal(uint64_t seed, int traj, ps_prob_proc proc, int year_index)
{
    const uint32_t key[2] = { (uint32_t)seed, (uint32_t)(seed >> 32) };
    const uint32_t ctr[4] = { (uint32_t)traj, (uint32_t)proc, (uint32_t)year_index,
                              PS_PROB_STREAM_TAG };
    uint32_t w[4];
    philox(w, ctr, key);
    const double u1 = uniform53(w[0], w[1]), u2 = uniform53(w[2], w[3]);
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* The year index of a trajectory's level draw: beyond any projection year. */
#define LEVEL_INDEX INT32_MAX

/*
 * The skewed level (docs/model.md 9.8, round 17). The level is h(u) = (s(u) u - mu) / sd with
 * s(u) = e^(skew / 2) above u = 0 and e^(-skew / 2) below (a two-piece normal, standardised
 * to mean 0 and variance 1), x = sqrt(L) h(u) + sqrt(1 - L) a with a ~ N(0, 1), and the score
 * is G(x) = Phi^-1(F(x)), F the distribution function of x, so every year's score stays
 * N(0, 1) and the UN's yearly bounds are kept, while the time dependence becomes asymmetric:
 * with skew > 0 a high trajectory owes more of its deviation to its lasting level, a low one
 * more to the passing AR(1). G is tabulated with its derivative on a grid of x and
 * interpolated by cubic Hermite polynomials; F and its density come from Gauss-Legendre
 * quadrature over u on each side of u = 0, where h has its kink.
 */
#define MAP_X_MAX 16.0     /* the grid spans [-MAP_X_MAX, MAP_X_MAX] */
#define MAP_POINTS 1025    /* grid points: a step of 1/32 */
#define MAP_U_MAX 9.0      /* the quadrature's u range: phi(9) < 1e-17 */
#define MAP_GL_NODES 128   /* Gauss-Legendre nodes on each side of u = 0 */

struct ps_prob_level_map {
    double sl, sa;      /* sqrt(L), sqrt(1 - L) */
    double s_hi, s_lo;  /* s(u) above and below u = 0 */
    double mu, sd;      /* of s(u) u */
    double step;
    double g[MAP_POINTS], dg[MAP_POINTS];
};

static double map_h(const ps_prob_level_map *m, double u)
{
    return ((u > 0.0 ? m->s_hi : m->s_lo) * u - m->mu) / m->sd;
}

/* F(x) (upper = 0) or 1 - F(x) (upper = 1), and the density f(x), by quadrature. */
static void map_cdf(const ps_prob_level_map *m, const gsl_integration_glfixed_table *t, double x,
                    int upper, double *F, double *f)
{
    double sf = 0.0, sd = 0.0;
    for (int side = 0; side < 2; ++side) {
        const double a = side == 0 ? -MAP_U_MAX : 0.0, b = side == 0 ? 0.0 : MAP_U_MAX;
        for (size_t i = 0; i < t->n; ++i) {
            double u, w;
            gsl_integration_glfixed_point(a, b, i, &u, &w, t);
            const double r = (x - m->sl * map_h(m, u)) / m->sa;
            const double wu = w * exp(-0.5 * u * u) / sqrt(2.0 * M_PI);
            sf += wu * (upper ? gsl_cdf_ugaussian_Q(r) : gsl_cdf_ugaussian_P(r));
            sd += wu * exp(-0.5 * r * r) / (sqrt(2.0 * M_PI) * m->sa);
        }
    }
    *F = sf;
    *f = sd;
}

ps_status ps_prob_level_map_new(ps_prob_level_map **out, double level, double skew,
                                ps_error *err)
{
    *out = NULL;
    if (!(level > 0.0 && level < 1.0) || !(fabs(skew) <= PS_PROB_LEVEL_SKEW_MAX)) {
        return ps_error_set(err, PS_EINVAL, "a skewed level needs a level share in (0, 1) and "
                            "a skew within +-%g (got %g and %g)", PS_PROB_LEVEL_SKEW_MAX, level,
                            skew);
    }
    ps_prob_level_map *m = malloc(sizeof *m);
    gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(MAP_GL_NODES);
    if (m == NULL || t == NULL) {
        free(m);
        if (t != NULL) {
            gsl_integration_glfixed_table_free(t);
        }
        return ps_error_set(err, PS_ENOMEM, "out of memory for the skewed level's table");
    }
    m->sl = sqrt(level);
    m->sa = sqrt(1.0 - level);
    m->s_hi = exp(0.5 * skew);
    m->s_lo = exp(-0.5 * skew);
    /* E[s(u) u] = (s_hi - s_lo) / sqrt(2 pi), E[(s(u) u)^2] = (s_hi^2 + s_lo^2) / 2 */
    m->mu = (m->s_hi - m->s_lo) / sqrt(2.0 * M_PI);
    m->sd = sqrt(0.5 * (m->s_hi * m->s_hi + m->s_lo * m->s_lo) - m->mu * m->mu);
    m->step = 2.0 * MAP_X_MAX / (MAP_POINTS - 1);
    for (int i = 0; i < MAP_POINTS; ++i) {
        const double x = -MAP_X_MAX + i * m->step;
        double F, f;
        const int upper = x > 0.0; /* the smaller tail, for precision */
        map_cdf(m, t, x, upper, &F, &f);
        const double z = upper ? gsl_cdf_ugaussian_Qinv(F) : gsl_cdf_ugaussian_Pinv(F);
        m->g[i] = z;
        m->dg[i] = f / (exp(-0.5 * z * z) / sqrt(2.0 * M_PI));
    }
    gsl_integration_glfixed_table_free(t);
    *out = m;
    return PS_OK;
}

void ps_prob_level_map_free(ps_prob_level_map *m)
{
    free(m);
}

/* F(x) (upper = 0) or 1 - F(x) (upper = 1) without the table; NaN out of memory. */
static double map_tail(const ps_prob_level_map *m, double x, int upper)
{
    gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(MAP_GL_NODES);
    double F = NAN, f;
    if (t != NULL) {
        map_cdf(m, t, x, upper, &F, &f);
        gsl_integration_glfixed_table_free(t);
    }
    return F;
}

double ps_prob_level_map_cdf(const ps_prob_level_map *m, double x)
{
    return map_tail(m, x, 0);
}

double ps_prob_level_map_score(const ps_prob_level_map *m, double x)
{
    const double pos = (x + MAP_X_MAX) / m->step;
    if (!(pos >= 0.0) || pos >= MAP_POINTS - 1) { /* beyond the grid (rare): by quadrature */
        return x > 0.0 ? gsl_cdf_ugaussian_Qinv(map_tail(m, x, 1))
                       : gsl_cdf_ugaussian_Pinv(map_tail(m, x, 0));
    }
    const int i = (int)pos;
    const double s = pos - i, h = m->step;
    const double s2 = s * s, s3 = s2 * s;
    return (2 * s3 - 3 * s2 + 1) * m->g[i] + (s3 - 2 * s2 + s) * h * m->dg[i] +
           (-2 * s3 + 3 * s2) * m->g[i + 1] + (s3 - s2) * h * m->dg[i + 1];
}

double ps_prob_level_map_level(const ps_prob_level_map *m, double u)
{
    return map_h(m, u);
}

void ps_prob_path(double *z_out, int n, double rho, double level, const ps_prob_level_map *skew,
                  uint64_t seed, int traj, ps_prob_proc proc)
{
    const double c = sqrt(1.0 - rho * rho);
    /* antithetic pairs (docs/model.md 9.1): trajectory 2k + 1 is trajectory 2k with every
     * innovation negated, so each is the same process and the pairs' median of a quantity that
     * moves nearly linearly with the scores (the total population) has little sampling error */
    const int pair = traj & ~1;
    const double sign = (traj & 1) ? -1.0 : 1.0;
    double z = 0.0;
    for (int t = 0; t < n; ++t) {
        const double e = sign * ps_prob_normal(seed, pair, proc, t);
        z = t == 0 ? e : rho * z + c * e;
        z_out[t] = z;
    }
    if (skew != NULL) {
        /* round 17: the two-piece level (its own level share), mapped back to N(0, 1) scores */
        const double u = sign * ps_prob_normal(seed, pair, proc, LEVEL_INDEX);
        const double lv = skew->sl * map_h(skew, u);
        for (int t = 0; t < n; ++t) {
            z_out[t] = ps_prob_level_map_score(skew, lv + skew->sa * z_out[t]);
        }
    } else if (level > 0.0) {
        const double u = sign * sqrt(level) * ps_prob_normal(seed, pair, proc, LEVEL_INDEX);
        const double a = sqrt(1.0 - level);
        for (int t = 0; t < n; ++t) {
            z_out[t] = u + a * z_out[t];
        }
    }
}

ps_status ps_prob_bounds_init(ps_prob_bounds *b, int first_year, int n_years, ps_error *err)
{
    memset(b, 0, sizeof *b);
    if (n_years < 1) {
        return ps_error_set(err, PS_EINVAL, "bounds need at least one year (got %d)", n_years);
    }
    const size_t n = (size_t)n_years;
    b->first_year = first_year;
    b->n_years = n_years;
    b->tfr = malloc(n * PS_PROB_N_KNOTS * sizeof *b->tfr);
    b->e0 = malloc(n * PS_SEX_COUNT * PS_PROB_N_KNOTS * sizeof *b->e0);
    b->mig = malloc(n * PS_PROB_N_KNOTS * sizeof *b->mig);
    b->tfr_low = malloc(n * sizeof *b->tfr_low);
    b->tfr_high = malloc(n * sizeof *b->tfr_high);
    if (!b->tfr || !b->e0 || !b->mig || !b->tfr_low || !b->tfr_high) {
        ps_prob_bounds_release(b);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the interval bounds");
    }
    for (size_t i = 0; i < n * PS_PROB_N_KNOTS; ++i) {
        b->tfr[i] = b->mig[i] = NAN;
    }
    for (size_t i = 0; i < n * PS_SEX_COUNT * PS_PROB_N_KNOTS; ++i) {
        b->e0[i] = NAN;
    }
    for (size_t i = 0; i < n; ++i) {
        b->tfr_low[i] = b->tfr_high[i] = NAN;
    }
    return PS_OK;
}

static ps_status check_row(const double *k, int positive, const char *what, int year,
                           ps_error *err)
{
    for (int i = 0; i < PS_PROB_N_KNOTS; ++i) {
        if (!isfinite(k[i]) || (positive && !(k[i] > 0.0)) || (i > 0 && k[i] < k[i - 1])) {
            return ps_error_set(err, PS_EINVAL, "%s bounds for %d: expected finite%s values "
                                "lo95 <= lo80 <= median <= hi80 <= hi95 (got %g, %g, %g, %g, %g)",
                                what, year, positive ? " positive" : "", k[0], k[1], k[2], k[3],
                                k[4]);
        }
    }
    return PS_OK;
}

ps_status ps_prob_bounds_check(const ps_prob_bounds *b, ps_error *err)
{
    ps_status rc = PS_OK;
    for (int y = 0; rc == PS_OK && y < b->n_years; ++y) {
        const int year = b->first_year + y;
        rc = check_row(&b->tfr[(size_t)y * PS_PROB_N_KNOTS], 1, "TFR", year, err);
        for (int sex = 0; rc == PS_OK && sex < PS_SEX_COUNT; ++sex) {
            rc = check_row(&b->e0[((size_t)y * PS_SEX_COUNT + (size_t)sex) * PS_PROB_N_KNOTS], 1,
                           sex == PS_SEX_MALE ? "male e0" : "female e0", year, err);
        }
        if (rc == PS_OK) {
            rc = check_row(&b->mig[(size_t)y * PS_PROB_N_KNOTS], 0, "net migration", year, err);
        }
    }
    return rc;
}

void ps_prob_bounds_release(ps_prob_bounds *b)
{
    free(b->tfr);
    free(b->e0);
    free(b->mig);
    free(b->tfr_low);
    free(b->tfr_high);
    memset(b, 0, sizeof *b);
}

void ps_prob_bounds_set_year(ps_prob_bounds *b, int y, double tfr, const double *e0, double mig,
                             double w_tfr, double w_e0, double w_mig)
{
    for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
        /* -1.96/1.2816 x, -1, 0, 1, 1.96/1.2816 x the 80 % half-width */
        const double f = knot_z[k] / knot_z[PS_PROB_N_KNOTS - 2];
        b->tfr[y * PS_PROB_N_KNOTS + k] = tfr * exp(f * w_tfr);
        b->mig[y * PS_PROB_N_KNOTS + k] = mig + f * w_mig;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            b->e0[(y * PS_SEX_COUNT + sex) * PS_PROB_N_KNOTS + k] = e0[sex] + f * w_e0;
        }
    }
    b->tfr_low[y] = tfr - 0.5;
    b->tfr_high[y] = tfr + 0.5;
}

ps_status ps_prob_bounds_spread(ps_prob_bounds *out, int first_year, int n_years,
                                const double *tfr, const double *e0, const double *mig,
                                const ps_prob_spread *s, ps_error *err)
{
    const double widths[] = { s->tfr_w0, s->tfr_slope, s->e0_w0, s->e0_slope, s->mig_w0,
                              s->mig_slope };
    for (size_t k = 0; k < sizeof widths / sizeof widths[0]; ++k) {
        if (!(widths[k] >= 0.0) || !isfinite(widths[k])) {
            memset(out, 0, sizeof *out);
            return ps_error_set(err, PS_EINVAL, "uncertainty widths must be finite and >= 0 "
                                "(got %g)", widths[k]);
        }
    }
    ps_status rc = ps_prob_bounds_init(out, first_year, n_years, err);
    for (int y = 0; rc == PS_OK && y < n_years; ++y) {
        ps_prob_bounds_set_year(out, y, tfr[y], &e0[y * PS_SEX_COUNT], mig[y],
                                s->tfr_w0 + s->tfr_slope * y, s->e0_w0 + s->e0_slope * y,
                                s->mig_w0 + s->mig_slope * y);
    }
    if (rc == PS_OK && (rc = ps_prob_bounds_check(out, err)) != PS_OK) {
        ps_prob_bounds_release(out);
    }
    return rc;
}

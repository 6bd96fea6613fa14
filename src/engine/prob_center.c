/*
 * prob_center.c - the median correction of probabilistic projections (popsim/prob.h,
 * docs/model.md sec. 9.3): a shift d of the normal score of each process and year such that
 * the mean of the yearly marginal Q_t(Z + d), Z ~ N(0, 1), is the UN's median; a process's
 * score moves by c d, c its centring in [0, 1] (PS_PROB_CENTER_*).
 *
 * Why: the UN's `median` column of total population is its deterministic projection, while
 * the population of a trajectory cumulates many yearly deviations Q_t(z_t) - median_t that are
 * only partly correlated (rho < 1). Where the bounds are skewed, the yearly deviations have a
 * mean other than 0, and the median of their sum moves towards the sum of the means: the
 * median trajectory drifts from the deterministic one (Nigeria and Brazil -2 to -3 % at 2100,
 * Germany +1.5 %). Centring the means removes that drift, at the price of moving each yearly
 * quantile by d times the local slope of Q_t (the shifts are small: the bounds still match
 * the UN's within the 2 %, tests/test_wpp_prob.c).
 *
 * The mean of a piecewise-linear Q through the knots at the normal scores z_k, with the end
 * segments extended, is in closed form: on a segment [a, b] of x = Z (the knots shifted by
 * -d), v(x) = A + S (x + d - z_k) and
 *     E[v; a < Z < b]      = (A + S (d - z_k)) (Phi(b) - Phi(a)) + S (phi(a) - phi(b)),
 *     E[e^v; a < Z < b]    = e^(A + S (d - z_k) + S^2 / 2) (Phi(b - S) - Phi(a - S)).
 * The mean increases with d, so bisection finds it. TFR's shift (ps_prob_center_shift_tfr_log,
 * since issue #14 round 6) centres the mean of log TFR, the first formula on the log knots:
 * a population compounds relative changes of fertility (docs/model.md 9.3).
 */
#include <math.h>

#include "popsim/prob.h"

#define CENTER_SHIFT_MAX 2.0 /* |d| at most, in normal-score units */
#define CENTER_BISECTIONS 60

static double norm_cdf(double x)
{
    return 0.5 * erfc(-x / M_SQRT2);
}

static double norm_pdf(double x)
{
    return isinf(x) ? 0.0 : exp(-0.5 * x * x) / sqrt(2.0 * M_PI);
}

/* Mean of v = t(Q(Z + d)) (exp_mean 0) or of e^v (exp_mean 1), t the marginal's scale. */
static double shifted_mean(const double t[PS_PROB_N_KNOTS], double d, int exp_mean)
{
    double m = 0.0;
    for (int k = 0; k < PS_PROB_N_KNOTS - 1; ++k) {
        const double zk = ps_prob_knot_z(k), zk1 = ps_prob_knot_z(k + 1);
        const double s = (t[k + 1] - t[k]) / (zk1 - zk);
        const double a = k == 0 ? -INFINITY : zk - d;
        const double b = k == PS_PROB_N_KNOTS - 2 ? INFINITY : zk1 - d;
        const double at_zero = t[k] + s * (d - zk); /* v at x = 0 */
        if (exp_mean) {
            m += exp(at_zero + 0.5 * s * s) * (norm_cdf(b - s) - norm_cdf(a - s));
        } else {
            m += at_zero * (norm_cdf(b) - norm_cdf(a)) + s * (norm_pdf(a) - norm_pdf(b));
        }
    }
    return m;
}

double ps_prob_center_shift(const double knots[PS_PROB_N_KNOTS], int log_scale)
{
    if (knots[0] == knots[PS_PROB_N_KNOTS - 1]) {
        return 0.0;
    }
    double t[PS_PROB_N_KNOTS];
    for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
        t[k] = log_scale ? log(knots[k]) : knots[k];
    }
    /* the mean of the values: of e^v where the marginal is linear on the log scale (TFR) */
    const int exp_mean = log_scale;
    const double target = knots[PS_PROB_KNOT_MEDIAN];
    double lo = -CENTER_SHIFT_MAX, hi = CENTER_SHIFT_MAX;
    if (shifted_mean(t, lo, exp_mean) >= target) {
        return lo;
    }
    if (shifted_mean(t, hi, exp_mean) <= target) {
        return hi;
    }
    for (int it = 0; it < CENTER_BISECTIONS; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (shifted_mean(t, mid, exp_mean) < target) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return 0.5 * (lo + hi);
}

/* The largest relative move of the knots when the score moves by `shift`. */
static double knot_move(const double knots[PS_PROB_N_KNOTS], double shift)
{
    double worst = 0.0;
    for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
        const double m =
            fabs(ps_prob_marginal(knots, ps_prob_knot_z(k) + shift, 1) / knots[k] - 1.0);
        worst = m > worst ? m : worst;
    }
    return worst;
}

double ps_prob_center_shift_tfr_log(const double knots[PS_PROB_N_KNOTS])
{
    if (knots[0] == knots[PS_PROB_N_KNOTS - 1]) {
        return 0.0;
    }
    double lg[PS_PROB_N_KNOTS];
    for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
        lg[k] = log(knots[k]);
    }
    return ps_prob_center_shift(lg, 0); /* the marginal is piecewise linear in log TFR */
}

double ps_prob_center_shift_tfr(const double knots[PS_PROB_N_KNOTS], double c)
{
    const double full = c == 0.0 ? 0.0 : c * ps_prob_center_shift_tfr_log(knots);
    if (full == 0.0 || knot_move(knots, full) <= PS_PROB_CENTER_TFR_MAX_MOVE) {
        return full;
    }
    double lo = 0.0, hi = 1.0; /* fractions of the full shift; the move grows with |shift| */
    for (int it = 0; it < CENTER_BISECTIONS; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (knot_move(knots, mid * full) <= PS_PROB_CENTER_TFR_MAX_MOVE) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return lo * full;
}

/* ---- classes of locations (docs/model.md 9.3) ------------------------------------------ */

int ps_prob_post_transition(const ps_prob_bounds *b)
{
    return b->n_years > 0 && b->tfr[PS_PROB_KNOT_MEDIAN] < PS_PROB_PHASE_TFR;
}

int ps_prob_mig_volatile(const ps_prob_bounds *b, double pop)
{
    if (b->n_years < 1 || !(pop > 0.0)) {
        return 0;
    }
    const double *k = b->mig; /* the first year's knots */
    return 0.5 * (k[3] - k[1]) > PS_PROB_MIG_VOLATILE * pop;
}

double ps_prob_mig_growth(const ps_prob_bounds *b, double pop_from, double pop_to)
{
    const int i = PS_PROB_GROWTH_FROM - b->first_year, j = PS_PROB_GROWTH_TO - b->first_year;
    if (i < 0 || j >= b->n_years || !(pop_from > 0.0) || !(pop_to > 0.0)) {
        return NAN;
    }
    const double *ki = b->mig + (size_t)i * PS_PROB_N_KNOTS,
                 *kj = b->mig + (size_t)j * PS_PROB_N_KNOTS;
    const double wi = 0.5 * (ki[3] - ki[1]) / pop_from, wj = 0.5 * (kj[3] - kj[1]) / pop_to;
    return wi > 0.0 ? wj / wi : NAN;
}

/* The rho at which (1 - rho^c) / (1 - rho^a) = g^2 (a = 2 t_from, c = 2 t_to), within
 * [rho_min, rho_max]. */
static double rho_from_widening(double g, double a, double c, double rho_min, double rho_max)
{
    const double r = g * g;
    if (!(r > 1.0) || !(a > 0.0)) { /* not widening, NaN, or bounds starting after 2030 */
        return rho_min;
    }
    if (r >= c / a) { /* the ratio's limit at rho -> 1 */
        return rho_max;
    }
    double lo = 0.0, hi = 1.0; /* (1 - rho^c) / (1 - rho^a) rises with rho from 1 to c / a */
    for (int it = 0; it < CENTER_BISECTIONS; ++it) {
        const double mid = 0.5 * (lo + hi);
        if ((1.0 - pow(mid, c)) / (1.0 - pow(mid, a)) < r) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    const double rho = 0.5 * (lo + hi);
    return rho < rho_min ? rho_min : rho > rho_max ? rho_max : rho;
}

double ps_prob_rho_from_growth(double g, int first_year, double rho_min, double rho_max)
{
    return rho_from_widening(g, 2.0 * (PS_PROB_GROWTH_FROM - first_year + 1),
                             2.0 * (PS_PROB_GROWTH_TO - first_year + 1), rho_min, rho_max);
}

double ps_prob_mig_early_growth(const ps_prob_bounds *b, double pop_first, double pop_to)
{
    const int j = PS_PROB_EARLY_TO - b->first_year;
    if (b->n_years < 1 || j < 1 || j >= b->n_years || !(pop_first > 0.0) || !(pop_to > 0.0)) {
        return NAN;
    }
    const double *k0 = b->mig, *kj = b->mig + (size_t)j * PS_PROB_N_KNOTS;
    const double w0 = 0.5 * (k0[3] - k0[1]) / pop_first, wj = 0.5 * (kj[3] - kj[1]) / pop_to;
    return w0 > 0.0 ? wj / w0 : NAN;
}

double ps_prob_rho_from_early_growth(double g, int first_year, double rho_min, double rho_max)
{
    return rho_from_widening(g, 2.0, 2.0 * (PS_PROB_EARLY_TO - first_year + 1), rho_min,
                             rho_max);
}

double ps_prob_rho_mig_from_bands(double growth, double early, int first_year,
                                  double early_floor, double floor, double cap, double narrowing)
{
    /* round 10: the early widening first, unless the band narrowed (a shock in its first
     * year); the growth where that gives the floor */
    if (isfinite(growth) && isfinite(early) && early >= narrowing) {
        const double rho = ps_prob_rho_from_early_growth(early, first_year, early_floor, floor);
        if (rho < floor) {
            return rho;
        }
    }
    return ps_prob_rho_from_growth(growth, first_year, floor, cap);
}

double ps_prob_n_eff(double rho, double level, int years)
{
    if (years < 1) {
        return NAN;
    }
    /* T / (1 + 2 sum_{k=1}^{T-1} (1 - k/T) corr(k)), corr(k) = L + (1 - L) rho^k */
    double s = 1.0, rk = 1.0;
    for (int k = 1; k < years; ++k) {
        rk *= rho;
        s += 2.0 * (1.0 - (double)k / years) * (level + (1.0 - level) * rk);
    }
    return years / s;
}

double ps_prob_center_for_sum(double rho, double level, int years)
{
    const double n = ps_prob_n_eff(rho, level, years);
    return isfinite(n) && n > 1.0 ? 1.0 - 1.0 / n : 0.0;
}

void ps_prob_center_from_persistence(ps_prob_options *o, int years)
{
    static const ps_prob_proc summed[] = { PS_PROB_TFR, PS_PROB_MIG };
    for (size_t i = 0; i < sizeof summed / sizeof summed[0]; ++i) {
        const ps_prob_proc k = summed[i];
        o->center[k] = ps_prob_center_for_sum(o->rho[k], o->level[k], years);
    }
    /* round 16 (docs/model.md 9.7): where the median is aligned, that corrects the medians
     * the TFR centring was for, and TFR keeps the bounds' quantiles exactly */
    if (o->align_median) {
        o->center[PS_PROB_TFR] = 0.0;
    }
}

void ps_prob_options_by_class(ps_prob_options *o, const ps_prob_bounds *b, double pop,
                              double mig_growth, double mig_early)
{
    const int post = ps_prob_post_transition(b);
    o->rho[PS_PROB_TFR] = post ? PS_PROB_RHO_TFR_POST : PS_PROB_RHO_TFR_TRANSITION;
    o->level[PS_PROB_TFR] = post ? PS_PROB_LEVEL_TFR_POST : PS_PROB_LEVEL_TFR_TRANSITION;
    o->level_skew[PS_PROB_TFR] = post ? PS_PROB_SKEW_TFR_POST : PS_PROB_SKEW_TFR_TRANSITION;
    o->rho[PS_PROB_MIG] = isfinite(mig_growth)
                              ? ps_prob_rho_mig_from_bands(mig_growth, mig_early, b->first_year,
                                                           PS_PROB_RHO_MIG_EARLY_FLOOR,
                                                           PS_PROB_RHO_MIG_FLOOR,
                                                           PS_PROB_RHO_MIG_CAP,
                                                           PS_PROB_EARLY_NARROWING)
                          : ps_prob_mig_volatile(b, pop) ? PS_PROB_RHO_MIG_VOLATILE
                                                         : PS_PROB_RHO_MIG_STEADY;
    /* round 11: the medium's migrants follow each trajectory's size; a variant keeps them in
     * persons, as the UN's low and high variants do */
    o->mig_per_person = o->variant == PS_PROB_VARIANT_NONE ? PS_PROB_MIG_PER_PERSON_LOCATION : 0;
    /* round 13: and the deviation, with an elasticity below 1 */
    o->mig_size_elasticity = o->mig_per_person == 3 ? PS_PROB_MIG_SIZE_ELASTICITY_LOCATION : 0.0;
    /* sec. 9.7: the median total follows the deterministic projection, as the UN's medium
     * variant is its trajectories' median */
    o->align_median = o->variant == PS_PROB_VARIANT_NONE && !o->keep_population;
    ps_prob_center_from_persistence(o, b->n_years);
}

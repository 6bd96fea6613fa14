/*
 * prob_policy.c - the response elasticity drawn per trajectory and the summary of policy
 * variants over trajectories (popsim/prob_policy.h; docs/model.md sec. 9.6).
 *
 * Why a two-piece normal with the presets as 10 / 90 % points: the low and high presets of
 * ../shared/docs/PARAMETERS.md sec. 1 are plausible ranges around a central estimate, and
 * asymmetric (cash 0.10 / 0.30 / 0.60), so one piece per side keeps the default the median
 * and each side its own spread; reading the range as an 80 % interval matches the 80 %
 * intervals of TFR and e0 the same runs report, and a triangular law on [low, high] would
 * instead rule out anything beyond the range.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/str_int.h"
#include "popsim/prob_policy.h"

static const struct {
    const char *name, *units, *long_name;
} pol_vars[PS_PROB_POL_VAR_COUNT] = {
    { "births_gained_total", "1", "births gained over the horizon against the baseline" },
    { "births_gained_discounted", "1",
      "births gained of year y weighted (1 + discount rate)^-y, summed over the horizon" },
    { "cost_total", "yuan", "cost of the variant's instruments over the horizon, nominal" },
    { "cost_total_discounted", "yuan",
      "cost of the variant's instruments over the horizon, discounted to the start year" },
    { "cost_per_additional_birth", "yuan",
      "cost_total / births_gained_total of each trajectory (+inf if no birth gained)" },
    { "cost_per_additional_birth_discounted", "yuan",
      "cost_total_discounted / births_gained_discounted of each trajectory (+inf if none)" },
};

const char *ps_prob_pol_var_name(ps_prob_pol_var v)
{
    return pol_vars[v].name;
}

const char *ps_prob_pol_var_units(ps_prob_pol_var v)
{
    return pol_vars[v].units;
}

const char *ps_prob_pol_var_long_name(ps_prob_pol_var v)
{
    return pol_vars[v].long_name;
}

static double *nan_array(size_t n)
{
    double *x = malloc(n * sizeof *x);
    for (size_t i = 0; x != NULL && i < n; ++i) {
        x[i] = NAN;
    }
    return x;
}

ps_status ps_prob_pol_summary_init(ps_prob_pol_summary *s, int n_variants,
                                   const char *const *names, int start_year, int n_years,
                                   int n_traj, int keep, ps_error *err)
{
    memset(s, 0, sizeof *s);
    if (n_variants < 1 || n_years < 2 || n_traj < 1) {
        return ps_error_set(err, PS_EINVAL, "a policy summary needs at least 1 variant, 2 years "
                            "and 1 trajectory (got %d, %d, %d)", n_variants, n_years, n_traj);
    }
    const size_t V = (size_t)n_variants, Y = (size_t)n_years, T = (size_t)n_traj;
    s->n_variants = n_variants;
    s->start_year = start_year;
    s->n_years = n_years;
    s->n_traj = n_traj;
    int ok = (s->names = calloc(V, sizeof *s->names)) != NULL &&
             (s->gained = nan_array(Y * V * PS_PROB_N_STATS)) != NULL &&
             (s->no_gain = nan_array(V)) != NULL;
    for (size_t v = 0; ok && v < V; ++v) {
        ok = (s->names[v] = ps__strdup(names[v])) != NULL;
    }
    for (int k = 0; ok && k < PS_PROB_POL_VAR_COUNT; ++k) {
        ok = (s->scalar[k] = nan_array(V * PS_PROB_N_STATS)) != NULL &&
             (!keep || (s->scalar_traj[k] = nan_array(V * T)) != NULL);
    }
    if (ok && keep) {
        ok = (s->gained_traj = nan_array(Y * V * T)) != NULL;
    }
    if (!ok) {
        ps_prob_pol_summary_release(s);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the policy summary");
    }
    return PS_OK;
}

void ps_prob_pol_summary_release(ps_prob_pol_summary *s)
{
    for (int v = 0; s->names != NULL && v < s->n_variants; ++v) {
        free(s->names[v]);
    }
    free(s->names);
    free(s->gained);
    free(s->no_gain);
    free(s->gained_traj);
    for (int k = 0; k < PS_PROB_POL_VAR_COUNT; ++k) {
        free(s->scalar[k]);
        free(s->scalar_traj[k]);
    }
    memset(s, 0, sizeof *s);
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void ps_prob_pol_stats(double *s, double *buf, const double *x, int n)
{
    double sum = 0.0;
    int finite = 0, has_nan = 0;
    for (int t = 0; t < n; ++t) {
        buf[t] = x[t];
        has_nan |= isnan(x[t]) != 0;
        if (isfinite(x[t])) {
            sum += x[t];
            ++finite;
        }
    }
    if (has_nan) {
        for (int q = 0; q <= PS_PROB_N_QUANTILES; ++q) {
            s[q] = NAN;
        }
        return;
    }
    qsort(buf, (size_t)n, sizeof *buf, cmp_double);
    for (int q = 0; q < PS_PROB_N_QUANTILES; ++q) {
        const double h = (n - 1) * ps_prob_level(q);
        const int k = (int)floor(h);
        const double lo = buf[k], hi = k + 1 < n ? buf[k + 1] : lo;
        /* type 7; an infinite order statistic makes the quantile infinite */
        s[q] = h == k || lo == hi || isinf(lo) ? lo : isinf(hi) ? hi : lo + (h - k) * (hi - lo);
    }
    s[PS_PROB_N_QUANTILES] = finite > 0 ? sum / finite : NAN;
}

double ps_prob_elasticity_score(uint64_t seed, int traj)
{
    return ps_prob_normal(seed, traj, (ps_prob_proc)PS_PROB_STREAM_ELASTICITY, 0);
}

/* One parameter on the two-piece normal, held in [0, max]. */
static double piece(double lo, double mid, double hi, double z, double max)
{
    const double z90 = ps_prob_knot_z(PS_PROB_N_KNOTS - 2);
    const double x = z >= 0.0 ? mid + z / z90 * (hi - mid) : mid + z / z90 * (mid - lo);
    return x < 0.0 ? 0.0 : x > max ? max : x;
}

void ps_prob_response_draw(ps_response *out, double z)
{
    ps_response lo, hi;
    ps_response_preset(out, PS_ELASTICITY_DEFAULT);
    ps_response_preset(&lo, PS_ELASTICITY_LOW);
    ps_response_preset(&hi, PS_ELASTICITY_HIGH);
    /* the ranged parameters (response.c); shares stay at most 1 */
    out->cash_elasticity = piece(lo.cash_elasticity, out->cash_elasticity, hi.cash_elasticity,
                                 z, HUGE_VAL);
    out->quantum_share = piece(lo.quantum_share, out->quantum_share, hi.quantum_share, z, 1.0);
    out->childcare_per_10pp = piece(lo.childcare_per_10pp, out->childcare_per_10pp,
                                    hi.childcare_per_10pp, z, HUGE_VAL);
    out->leave_per_3_months = piece(lo.leave_per_3_months, out->leave_per_3_months,
                                    hi.leave_per_3_months, z, HUGE_VAL);
    out->paternity_per_10_days = piece(lo.paternity_per_10_days, out->paternity_per_10_days,
                                       hi.paternity_per_10_days, z, HUGE_VAL);
    out->employer_pass_through = piece(lo.employer_pass_through, out->employer_pass_through,
                                       hi.employer_pass_through, z, 1.0);
}

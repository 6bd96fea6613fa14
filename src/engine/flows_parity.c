/*
 * flows_parity.c - internal migrants carry their parity (issue #13): the women of a cohort
 * who arrive in a region during a step bring the parity distribution of their origin's
 * cohort, so women of parity k at the origin count at parity k at the destination. The
 * rest of the destination's cohort (its stayers, less its own out-migrants, plus its
 * international migrants) keeps the destination's shares, as a cohort always does in the
 * parity model (docs/model.md 2.6 and 7).
 *
 * Movers are credited to the cohort as the step credits internal migrants (ccm.c: survive):
 * of the movers m(x) at age x on 1 July t, the cohort aged a on 1 July t+1 holds
 * h S(a) m(a-1) + h m(a) (the open group h S (m(w-1) + m(w)) + h m(w); age 0: h m(0), who
 * are of parity 0), h = PS_MID_YEAR_FRACTION and S the destination's survivorship, and they
 * carry the parity shares of their origin's cohort, those of the women the cohort had at
 * a-1 on 1 July t (with the open group's own at the oldest age), the same shares the
 * origin's cohort keeps.
 */
#include <math.h>

#include "engine/flows_int.h"
#include "popsim/units.h"

/* Parity shares of a cohort: women by parity at a-1 (and at a for the open group). */
static void cohort_shares(double pi[PS_PARITY_COUNT], const double *W, int a, int n)
{
    double c[PS_PARITY_COUNT], total = 0.0;
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        c[k] = W[(size_t)(a - 1) * PS_PARITY_COUNT + (size_t)k] +
               (a == n - 1 ? W[(size_t)a * PS_PARITY_COUNT + (size_t)k] : 0.0);
        total += c[k];
    }
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        pi[k] = total > 0.0 ? c[k] / total : (k == 0 ? 1.0 : 0.0);
    }
}

/* Women moving orig -> dst at age x during the step (per the flows' rates). */
static double movers(const ps_flows *f, int period, int orig, int dst, int x, const double *pop)
{
    const size_t na = (size_t)f->n_ages;
    const double P = pop[((size_t)orig * PS_SEX_COUNT + PS_SEX_FEMALE) * na + (size_t)x];
    return ps_flows_rate(f, period, PS_SEX_FEMALE, orig, dst, x) * P;
}

void ps_flows__parity_counts(double c[PS_PARITY_COUNT], const ps_flows *f, int step, int dst,
                             int a, double F1a, const double *S, const double *pop,
                             const double *women)
{
    const int n = f->n_ages, period = ps_flows_period(f, step);
    const double h = PS_MID_YEAR_FRACTION;
    const size_t row = (size_t)n * PS_PARITY_COUNT;
    double in_k[PS_PARITY_COUNT] = { 0.0 }, in = 0.0, pi[PS_PARITY_COUNT];
    for (int orig = 0; orig < f->n_regions; ++orig) {
        if (orig == dst) {
            continue;
        }
        const double m0 = movers(f, period, orig, dst, a - 1, pop);
        const double m1 = movers(f, period, orig, dst, a, pop);
        const double cred = a == n - 1 ? h * S[a] * (m0 + m1) + h * m1 : h * S[a] * m0 + h * m1;
        cohort_shares(pi, &women[(size_t)orig * row], a, n);
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            in_k[k] += cred * pi[k];
        }
        in += cred;
    }
    cohort_shares(pi, &women[(size_t)dst * row], a, n);
    /* The rest is never below 0 in a step that passed its checks (out-migrants and
     * emigrants cannot exceed the cohort); if rounding makes it so, the in-movers alone
     * make up the cohort, scaled to its women. */
    const double rest = F1a - in;
    double total = 0.0;
    for (int k = 0; k < PS_PARITY_COUNT; ++k) {
        c[k] = pi[k] * fmax(rest, 0.0) + in_k[k];
        total += c[k];
    }
    for (int k = 0; rest < 0.0 && total > 0.0 && k < PS_PARITY_COUNT; ++k) {
        c[k] *= F1a / total;
    }
}

/*
 * response.c - the low / default / high presets of the fertility response to family
 * policy, from ../shared/docs/PARAMETERS.md sec. 1 (status letters there: V verified,
 * P partly, U unverified, D derived). Cash: +0.30 % births per 1 % of household income in
 * benefit value (0.10-0.60, D from Gonzalez 2013, Milligan 2005, Cohen et al. 2013), half of
 * it permanent (25-75 %), weights by order 0.5/1/2, first births 9-10 months after the
 * announcement. Childcare: +2 % births per +10 points of under-3 enrollment (0-3.5 %,
 * Bauernschuster et al. 2016), quantum, weights 0.5/1.2/1.2. Paid leave: +1 % per 3 extra
 * months (0-3 %, U, after Lalive & Zweimueller 2009), tempo. Paternity days: 0 (high +0.5 %
 * for 15 days). Years of tempo (3) and payback (5) and the employer pass-through are U.
 */
#include <math.h>

#include "popsim/policy.h"

void ps_response_preset(ps_response *out, ps_elasticity e)
{
    static const double cash[PS_ELASTICITY_COUNT] = { 0.30, 0.10, 0.60 };
    static const double quantum[PS_ELASTICITY_COUNT] = { 0.50, 0.25, 0.75 };
    static const double childcare[PS_ELASTICITY_COUNT] = { 2.0, 0.0, 3.5 };
    static const double leave[PS_ELASTICITY_COUNT] = { 1.0, 0.0, 3.0 };
    static const double paternity[PS_ELASTICITY_COUNT] = { 0.0, 0.0, 0.5 / 1.5 };
    static const double pass_through[PS_ELASTICITY_COUNT] = { 0.5, 0.25, 0.75 };
    *out = (ps_response){
        .cash_elasticity = cash[e],
        .quantum_share = quantum[e],
        .order_weight = { 0.5, 1.0, 2.0 },
        .lag_months = 9.5,
        .tempo_years = 3.0,
        .payback_years = 5.0,
        .childcare_per_10pp = childcare[e],
        .childcare_weight = { 0.5, 1.2, 1.2 },
        .leave_per_3_months = leave[e],
        .paternity_per_10_days = paternity[e],
        .employer_pass_through = pass_through[e],
    };
}

static void take(double *dst, double v)
{
    if (!isnan(v)) {
        *dst = v;
    }
}

void ps_response_apply(ps_response *r, const ps_response *o)
{
    take(&r->cash_elasticity, o->cash_elasticity);
    take(&r->quantum_share, o->quantum_share);
    take(&r->lag_months, o->lag_months);
    take(&r->tempo_years, o->tempo_years);
    take(&r->payback_years, o->payback_years);
    take(&r->childcare_per_10pp, o->childcare_per_10pp);
    take(&r->leave_per_3_months, o->leave_per_3_months);
    take(&r->paternity_per_10_days, o->paternity_per_10_days);
    take(&r->employer_pass_through, o->employer_pass_through);
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        take(&r->order_weight[k], o->order_weight[k]);
        take(&r->childcare_weight[k], o->childcare_weight[k]);
    }
}

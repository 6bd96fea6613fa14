/*
 * names.c - the words that scenario files and outputs use for policy levers and response
 * presets, and the "nothing overridden" response. Pure functions without state; the scenario
 * loader (src/io/scenario/) and the output writers share them so the spellings agree.
 */
#include <math.h>

#include "popsim/policy.h"

const char *ps_lever_name(ps_lever lever)
{
    static const char *const names[PS_LEVER_COUNT] = {
        [PS_LEVER_BIRTH_REWARD] = "birth_reward", [PS_LEVER_MONTHLY_SUBSIDY] = "monthly_subsidy",
        [PS_LEVER_CHILDCARE] = "childcare",       [PS_LEVER_LEAVE] = "leave",
        [PS_LEVER_INSURANCE] = "insurance",       [PS_LEVER_SPECIAL_FAMILY] = "special_family",
    };
    return (unsigned)lever < PS_LEVER_COUNT ? names[lever] : "unknown";
}

const char *ps_elasticity_name(ps_elasticity e)
{
    static const char *const names[PS_ELASTICITY_COUNT] = {
        [PS_ELASTICITY_DEFAULT] = "default",
        [PS_ELASTICITY_LOW] = "low",
        [PS_ELASTICITY_HIGH] = "high",
    };
    return (unsigned)e < PS_ELASTICITY_COUNT ? names[e] : "unknown";
}

void ps_response_unset(ps_response *r)
{
    r->cash_elasticity = NAN;
    r->quantum_share = NAN;
    r->lag_months = NAN;
    r->tempo_years = NAN;
    r->payback_years = NAN;
    r->childcare_per_10pp = NAN;
    r->leave_per_3_months = NAN;
    r->paternity_per_10_days = NAN;
    r->employer_pass_through = NAN;
    for (int order = 0; order < PS_ORDER_COUNT; ++order) {
        r->order_weight[order] = NAN;
        r->childcare_weight[order] = NAN;
    }
}

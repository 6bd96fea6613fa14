/*
 * range.c - the low / default / high range of a variant's policy results (issue #12,
 * docs/policy.md sec. 6) and the instruments' terms as the scenario states them (issue #16,
 * sec. 3: the report's assumptions list each policy's amounts, not cost / recipients).
 * Pure bookkeeping: the projections under each preset are run by src/run/range.c.
 */
#include "popsim/range.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/result.h"

const ps_elasticity ps_range_preset_order[PS_RANGE_PRESETS] = {
    PS_ELASTICITY_LOW, PS_ELASTICITY_DEFAULT, PS_ELASTICITY_HIGH
};

static const char *const measure_names[PS_RANGE_COUNT] = {
    [PS_RANGE_BIRTHS_GAINED] = "births_gained",
    [PS_RANGE_BIRTHS_GAINED_DISCOUNTED] = "births_gained_discounted",
    [PS_RANGE_BIRTHS_GAINED_WINDOW] = "births_gained_window",
    [PS_RANGE_BIRTHS_GAINED_WINDOW_DISCOUNTED] = "births_gained_window_discounted",
    [PS_RANGE_COST_TOTAL] = "cost_total",
    [PS_RANGE_COST_TOTAL_DISCOUNTED] = "cost_total_discounted",
    [PS_RANGE_COST_PER_BIRTH] = "cost_per_additional_birth",
    [PS_RANGE_COST_PER_BIRTH_DISCOUNTED] = "cost_per_additional_birth_discounted",
    [PS_RANGE_COST_PER_BIRTH_WINDOW] = "cost_per_additional_birth_window",
    [PS_RANGE_COST_PER_BIRTH_WINDOW_DISCOUNTED] = "cost_per_additional_birth_window_discounted",
};

const char *ps_range_measure_name(ps_range_measure m)
{
    return m >= 0 && m < PS_RANGE_COUNT ? measure_names[m] : "?";
}

double ps_range_measure_of(const ps_result *r, ps_range_measure m)
{
    switch (m) {
    case PS_RANGE_BIRTHS_GAINED: return r->births_gained_total;
    case PS_RANGE_BIRTHS_GAINED_DISCOUNTED: return r->births_gained_discounted;
    case PS_RANGE_BIRTHS_GAINED_WINDOW: return r->births_gained_window;
    case PS_RANGE_BIRTHS_GAINED_WINDOW_DISCOUNTED: return r->births_gained_window_discounted;
    case PS_RANGE_COST_TOTAL: return r->cost_total;
    case PS_RANGE_COST_TOTAL_DISCOUNTED: return r->cost_total_discounted;
    case PS_RANGE_COST_PER_BIRTH: return r->cost_per_additional_birth;
    case PS_RANGE_COST_PER_BIRTH_DISCOUNTED: return r->cost_per_additional_birth_discounted;
    case PS_RANGE_COST_PER_BIRTH_WINDOW: return r->cost_per_additional_birth_window;
    case PS_RANGE_COST_PER_BIRTH_WINDOW_DISCOUNTED:
        return r->cost_per_additional_birth_window_discounted;
    case PS_RANGE_COUNT: break;
    }
    return NAN;
}

/* Position of preset e along the file's elasticity dimension. */
static int preset_index(ps_elasticity e)
{
    for (int p = 0; p < PS_RANGE_PRESETS; ++p) {
        if (ps_range_preset_order[p] == e) {
            return p;
        }
    }
    return 0;
}

ps_status ps_policy_range_new(ps_policy_range **out, const ps_policy *policies, int n_stated,
                              const ps_response *overrides, ps_elasticity chosen, ps_error *err)
{
    ps_policy_range *r = malloc(sizeof *r + (size_t)n_stated * sizeof r->stated[0]);
    *out = NULL;
    if (r == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the response range");
    }
    r->chosen = chosen;
    r->compared = 0;
    r->computed = 0;
    for (int p = 0; p < PS_RANGE_PRESETS; ++p) {
        for (int k = 0; k < PS_RANGE_COUNT; ++k) {
            r->value[p][k] = NAN;
        }
        ps_response_preset(&r->response[p], ps_range_preset_order[p]);
        if (overrides != NULL) {
            ps_response_apply(&r->response[p], overrides);
        }
    }
    r->n_stated = n_stated;
    for (int i = 0; i < n_stated; ++i) {
        r->stated[i] = policies[i];
        r->stated[i].name = NULL; /* the ledger keeps the name */
    }
    *out = r;
    return PS_OK;
}

void ps_policy_range_take(ps_policy_range *range, ps_elasticity e, const ps_result *r)
{
    const int p = preset_index(e);
    for (int k = 0; k < PS_RANGE_COUNT; ++k) {
        range->value[p][k] = ps_range_measure_of(r, (ps_range_measure)k);
    }
}

/* ---- the terms as stated ------------------------------------------------------------------ */

#define LEVER_BIT(l) (1u << (unsigned)(l))
#define CASH (LEVER_BIT(PS_LEVER_BIRTH_REWARD) | LEVER_BIT(PS_LEVER_MONTHLY_SUBSIDY))
#define MONTHLY LEVER_BIT(PS_LEVER_MONTHLY_SUBSIDY)
#define ALL_LEVERS ((1u << PS_LEVER_COUNT) - 1u)

/* One term: the field of ps_policy behind it (an int or a double) and the levers that have
 * it, in the order the file and the report list them. */
typedef struct term_def {
    const char *name;
    const char *unit;
    size_t offset;
    int is_int;
    unsigned levers;
} term_def;

#define D(name, unit, field, levers) { name, unit, offsetof(ps_policy, field), 0, levers }
#define I(name, unit, field, levers) { name, unit, offsetof(ps_policy, field), 1, levers }
#define AMOUNT(k) (offsetof(ps_policy, amount) + (k) * sizeof(double))
#define SI_SHARE(k) (offsetof(ps_policy, employer_si_share) + (k) * sizeof(double))
static const term_def term_defs[] = {
    I("start_year", "calendar year", start_year, ALL_LEVERS),
    I("end_year", "calendar year", end_year, ALL_LEVERS),
    { "amount_1", "yuan", AMOUNT(0), 0, LEVER_BIT(PS_LEVER_BIRTH_REWARD) },
    { "amount_2", "yuan", AMOUNT(1), 0, LEVER_BIT(PS_LEVER_BIRTH_REWARD) },
    { "amount_3", "yuan", AMOUNT(2), 0, LEVER_BIT(PS_LEVER_BIRTH_REWARD) },
    { "amount_1", "yuan per month", AMOUNT(0), 0, MONTHLY },
    { "amount_2", "yuan per month", AMOUNT(1), 0, MONTHLY },
    { "amount_3", "yuan per month", AMOUNT(2), 0, MONTHLY },
    D("eligible_share", "share", eligible_share, CASH),
    I("requires_registered", "flag", requires_registered, CASH),
    I("max_age", "years", max_age, MONTHLY),
    I("born_from", "calendar year", born_from, MONTHLY),
    D("low_income_topup", "yuan per month", low_income_topup, MONTHLY),
    D("low_income_share", "share", low_income_share, MONTHLY),
    D("spots_per_1000", "places per 1000 persons", spots_per_1000, LEVER_BIT(PS_LEVER_CHILDCARE)),
    D("operating_subsidy", "yuan per month", operating_subsidy, LEVER_BIT(PS_LEVER_CHILDCARE)),
    D("fee_subsidy", "yuan per month", fee_subsidy, LEVER_BIT(PS_LEVER_CHILDCARE)),
    D("construction_subsidy", "yuan", construction_subsidy, LEVER_BIT(PS_LEVER_CHILDCARE)),
    D("maternity_days", "days", maternity_days, LEVER_BIT(PS_LEVER_LEAVE)),
    D("paternity_days", "days", paternity_days, LEVER_BIT(PS_LEVER_LEAVE)),
    D("parental_days", "days", parental_days, LEVER_BIT(PS_LEVER_LEAVE)),
    D("paid_share", "share", paid_share, LEVER_BIT(PS_LEVER_LEAVE)),
    D("medical_per_birth", "yuan", medical_per_birth, LEVER_BIT(PS_LEVER_INSURANCE)),
    { "employer_si_share_1", "share", SI_SHARE(0), 0, LEVER_BIT(PS_LEVER_INSURANCE) },
    { "employer_si_share_2", "share", SI_SHARE(1), 0, LEVER_BIT(PS_LEVER_INSURANCE) },
    { "employer_si_share_3", "share", SI_SHARE(2), 0, LEVER_BIT(PS_LEVER_INSURANCE) },
    D("employer_si_months", "months", employer_si_months, LEVER_BIT(PS_LEVER_INSURANCE)),
    D("employer_si_monthly", "yuan per month", employer_si_monthly,
      LEVER_BIT(PS_LEVER_INSURANCE)),
    D("employed_share", "share", employed_share, LEVER_BIT(PS_LEVER_INSURANCE)),
    D("unemployment_per_birth", "yuan", unemployment_per_birth, LEVER_BIT(PS_LEVER_INSURANCE)),
    D("unemployed_share", "share", unemployed_share, LEVER_BIT(PS_LEVER_INSURANCE)),
    D("monthly_amount", "yuan per month", parent_monthly, LEVER_BIT(PS_LEVER_SPECIAL_FAMILY)),
    I("from_age", "years", parent_from_age, LEVER_BIT(PS_LEVER_SPECIAL_FAMILY)),
    D("share", "share", parent_share, LEVER_BIT(PS_LEVER_SPECIAL_FAMILY)),
};
#define N_TERM_DEFS (sizeof term_defs / sizeof term_defs[0])

static int has_term(const term_def *t, ps_lever lever)
{
    return lever >= 0 && lever < PS_LEVER_COUNT && (t->levers & LEVER_BIT(lever)) != 0;
}

int ps_policy_terms(ps_policy_term out[PS_POLICY_TERMS_MAX], const ps_policy *p)
{
    int n = 0;
    for (size_t k = 0; k < N_TERM_DEFS && n < PS_POLICY_TERMS_MAX; ++k) {
        const term_def *t = &term_defs[k];
        const char *field = (const char *)p + t->offset;
        if (!has_term(t, p->lever)) {
            continue;
        }
        double value;
        if (t->is_int) {
            int i;
            memcpy(&i, field, sizeof i);
            value = i;
        } else {
            memcpy(&value, field, sizeof value);
        }
        out[n++] = (ps_policy_term){ t->name, t->unit, value };
    }
    return n;
}

int ps_policy_set_term(ps_policy *p, const char *name, double value)
{
    for (size_t k = 0; k < N_TERM_DEFS; ++k) {
        const term_def *t = &term_defs[k];
        char *field = (char *)p + t->offset;
        if (!has_term(t, p->lever) || strcmp(t->name, name) != 0) {
            continue;
        }
        if (t->is_int) {
            const int i = isfinite(value) && fabs(value) < INT_MAX ? (int)value : 0;
            memcpy(field, &i, sizeof i);
        } else {
            memcpy(field, &value, sizeof value);
        }
        return 1;
    }
    return 0;
}

const char *ps_policy_term_unit(ps_lever lever, const char *name)
{
    for (size_t k = 0; k < N_TERM_DEFS; ++k) {
        if (has_term(&term_defs[k], lever) && strcmp(term_defs[k].name, name) == 0) {
            return term_defs[k].unit;
        }
    }
    return NULL;
}

/*
 * payers.c - who pays a policy's cost, budget caps, and first-generation births gained
 * (issue #12, docs/policy.md sec. 7). The ledger (model.c) splits each instrument's
 * cost by payer; these functions sum it, hold it against the caps of the economy, and
 * separate the births of the women exposed to a policy from those of its extra daughters.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/policy.h"
#include "popsim/result.h"

_Static_assert(PS_PAYER_COUNT == PS_LEDGER_PAYERS, "result.h's payer axis is ps_payer");

/* Default central share of the special family-planning support (docs/policy.md sec. 8). */
#define SPECIAL_FAMILY_CENTRAL_SHARE 0.5

const char *ps_payer_name(ps_payer payer)
{
    static const char *const names[PS_PAYER_COUNT] = {
        [PS_PAYER_CENTRAL] = "central",
        [PS_PAYER_LOCAL] = "local",
        [PS_PAYER_SOCIAL_INSURANCE] = "social_insurance",
        [PS_PAYER_EMPLOYER] = "employer",
    };
    return (unsigned)payer < PS_PAYER_COUNT ? names[payer] : "unknown";
}

void ps_policy_default_payers(double out[PS_PAYER_COUNT], ps_lever lever)
{
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        out[payer] = 0.0;
    }
    switch (lever) {
    case PS_LEVER_INSURANCE: /* maternity, medical and unemployment insurance funds */
    case PS_LEVER_LEAVE:     /* maternity allowance; ps_policy_ledger moves paternity and
                              * parental days to employers */
        out[PS_PAYER_SOCIAL_INSURANCE] = 1.0;
        break;
    case PS_LEVER_SPECIAL_FAMILY: /* the national scheme: central transfers and the local
                                   * budget; the split varies by province (docs/policy.md
                                   * sec. 8), half each unless payer_shares says */
        out[PS_PAYER_CENTRAL] = SPECIAL_FAMILY_CENTRAL_SHARE;
        out[PS_PAYER_LOCAL] = 1.0 - SPECIAL_FAMILY_CENTRAL_SHARE;
        break;
    case PS_LEVER_BIRTH_REWARD:    /* a city's or county's own reward */
    case PS_LEVER_MONTHLY_SUBSIDY: /* a city's subsidy (a national one: payer: central) */
    case PS_LEVER_CHILDCARE:       /* operating and fee subsidies; construction: central */
    case PS_LEVER_COUNT:
        out[PS_PAYER_LOCAL] = 1.0;
        break;
    }
}

static double discount(const ps_result *res, int y)
{
    return 1.0 / pow(1.0 + res->discount_rate, (double)y);
}

/* Payer's part of instrument i in cell (y, reg), discounted like the instrument's cost (its
 * cost_discounted / cost, so that a result read back from a file needs no discount rate). */
static double part(const ps_result *res, int i, int y, int reg, ps_payer payer, int discounted)
{
    const ps_ledger *l = &res->ledger[i];
    const size_t cell = ps_result_regcell(res, y, reg);
    const double v = l->cost_by_payer[ps_result_payercell(res, y, reg, (int)payer)];
    if (!discounted || v == 0.0) {
        return v;
    }
    return l->cost[cell] != 0.0 ? v * (l->cost_discounted[cell] / l->cost[cell]) : 0.0;
}

double ps_policy_payer_cost(const ps_result *res, int y, ps_payer payer, int discounted)
{
    double sum = 0.0;
    for (int i = 0; i < res->n_instruments; ++i) {
        for (int reg = 0; reg < res->n_regions; ++reg) {
            sum += part(res, i, y, reg, payer, discounted);
        }
    }
    return sum;
}

double ps_policy_instrument_payer_total(const ps_result *res, int i, ps_payer payer,
                                        int discounted)
{
    double sum = 0.0;
    for (int y = 0; y + 1 < res->n_years; ++y) {
        for (int reg = 0; reg < res->n_regions; ++reg) {
            sum += part(res, i, y, reg, payer, discounted);
        }
    }
    return sum;
}

double ps_cap_table_at(const ps_cap_table *t, int year)
{
    double cap = NAN; /* before the first year: none */
    for (int i = 0; i < t->n && t->year[i] <= year; ++i) {
        cap = t->value[i]; /* a step: the latest point at or before the year */
    }
    return cap;
}

double ps_policy_budget_cap(const ps_result *res, int y, ps_payer payer)
{
    const double *by_year = res->budget_cap_by_year[payer];
    return by_year != NULL ? by_year[y] : res->budget_cap[payer];
}

int ps_policy_has_budget_cap(const ps_result *res, ps_payer payer)
{
    int any = !isnan(res->budget_cap[payer]);
    for (int y = 0; !any && res->budget_cap_by_year[payer] != NULL && y < res->n_years; ++y) {
        any = !isnan(res->budget_cap_by_year[payer][y]);
    }
    return any;
}

/* Room for res's caps of payer by year, or NULL. */
static double *alloc_years(const ps_result *res)
{
    return malloc((size_t)res->n_years * sizeof(double));
}

ps_status ps_policy_set_budget_caps(ps_result *res, const ps_economy *eco, ps_error *err)
{
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        const ps_cap_table *t = &eco->budget_cap_by_year[payer];
        res->budget_cap[payer] = eco->budget_cap[payer];
        free(res->budget_cap_by_year[payer]);
        res->budget_cap_by_year[payer] = NULL;
        if (t->n == 0) {
            continue;
        }
        double *by_year = alloc_years(res);
        if (by_year == NULL) {
            return ps_error_set(err, PS_ENOMEM, "out of memory for the budget caps by year");
        }
        for (int y = 0; y < res->n_years; ++y) { /* the last year is no step: NaN */
            by_year[y] = y + 1 < res->n_years ? ps_cap_table_at(t, res->start_year + y) : NAN;
        }
        res->budget_cap[payer] = NAN;
        res->budget_cap_by_year[payer] = by_year;
    }
    return PS_OK;
}

ps_status ps_policy_copy_budget_caps(ps_result *dst, const ps_result *src, ps_error *err)
{
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        dst->budget_cap[payer] = src->budget_cap[payer];
        free(dst->budget_cap_by_year[payer]);
        dst->budget_cap_by_year[payer] = NULL;
        if (src->budget_cap_by_year[payer] == NULL) {
            continue;
        }
        if ((dst->budget_cap_by_year[payer] = alloc_years(dst)) == NULL) {
            return ps_error_set(err, PS_ENOMEM, "out of memory for the budget caps by year");
        }
        memcpy(dst->budget_cap_by_year[payer], src->budget_cap_by_year[payer],
               (size_t)dst->n_years * sizeof(double));
    }
    return PS_OK;
}

double ps_policy_budget_excess(const ps_result *res, int y, ps_payer payer)
{
    const double cap = ps_policy_budget_cap(res, y, payer);
    const double cost = ps_policy_payer_cost(res, y, payer, 0);
    if (isnan(cap) || isnan(cost)) {
        return NAN;
    }
    return cost > cap ? cost - cap : 0.0;
}

/* Births in step y of region reg to the women the policy added: the women of res minus the
 * baseline's at each age, times res's rate, with the engine's exposure (mean of the women at
 * both ends of the step). Only cohorts born from the year before the first policy's start
 * count: in the cohort engine the older ones are identical in both scenarios, and in the
 * microsimulation their difference is Monte Carlo noise, not the policy's daughters. */
static double births_to_extra_women(const ps_result *res, const ps_result *base, int y, int reg)
{
    double sum = 0.0;
    int oldest = res->n_ages - 1;
    if (!isnan(res->window_first)) {
        const double since = res->start_year + y - res->window_first + 1.0;
        oldest = since < 0.0 ? -1 : since < oldest ? (int)since : oldest;
    }
    for (int age = 0; age <= oldest; ++age) {
        const size_t c0 = ps_result_cell(res, y, reg, PS_SEX_FEMALE, age);
        const size_t c1 = ps_result_cell(res, y + 1, reg, PS_SEX_FEMALE, age);
        const double extra = 0.5 * ((res->population[c0] - base->population[c0]) +
                                    (res->population[c1] - base->population[c1]));
        const double rate = res->asfr[ps_result_agecell(res, y, reg, age)];
        if (rate > 0.0 && extra != 0.0) {
            sum += rate * extra;
        }
    }
    return sum;
}

double ps_policy_first_generation(ps_result *res, const ps_result *base)
{
    if (base == NULL || res->births_gained == NULL || res->population == NULL ||
        base->population == NULL || res->asfr == NULL) {
        return NAN;
    }
    double first = 0.0, first_window = 0.0, first_window_disc = 0.0, window = 0.0, total = 0.0;
    for (int y = 0; y + 1 < res->n_years; ++y) {
        const int year = res->start_year + y;
        const int inside = !isnan(res->window_first) && year >= res->window_first &&
                           year <= res->window_last;
        for (int reg = 0; reg < res->n_regions; ++reg) {
            const double gained = res->births_gained[ps_result_regcell(res, y, reg)];
            const double own = gained - births_to_extra_women(res, base, y, reg);
            total += gained;
            first += own;
            window += inside ? gained : 0.0;
            first_window += inside ? own : 0.0;
            first_window_disc += inside ? own * discount(res, y) : 0.0;
        }
    }
    res->births_gained_first_gen = first;
    res->births_gained_first_gen_window = isnan(res->window_first) ? NAN : first_window;
    res->births_gained_window_share = total != 0.0 && !isnan(res->window_first)
                                          ? window / total : NAN;
    return isnan(res->window_first) ? NAN : first_window_disc;
}

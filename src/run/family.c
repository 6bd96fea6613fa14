/*
 * family.c - one scenario of a family, step by step: the policy model turns the state on
 * 1 July into multipliers of births by order, the cohort-component step with parity applies
 * them, the model books the births brought forward, and after the last step the ledger and
 * the comparison with the baseline are filled in.
 */
#include "popsim/family.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/units.h"

static const int UNDER3_AGES = 3; /* children aged 0, 1 and 2 */

static double persons_in(const ps_result *res, int y, int age_lo, int age_hi)
{
    return ps_result_age_range(res, res->start_year + y, age_lo, age_hi);
}

static ps_status init_policy_part(ps_result *res, const ps_run_spec *spec,
                                  const ps_result *baseline, ps_error *err);

static ps_status init_result(ps_result *res, const ps_proj *p, const double *women0,
                             const ps_run_spec *spec, const ps_result *baseline, ps_error *err)
{
    ps_status rc = ps_proj_run_init(res, p, spec->name, spec->title, err);
    if (rc == PS_OK) {
        rc = ps_result_init_parity(res, err);
    }
    if (rc != PS_OK) {
        return rc;
    }
    memcpy(&res->women_by_parity[ps_result_paritycell(res, 0, 0, 0, 0)], women0,
           (size_t)res->n_regions * (size_t)res->n_ages * PS_PARITY_COUNT * sizeof *women0);
    return init_policy_part(res, spec, baseline, err);
}

/* The ledger of a result already holding the base year: one instrument per policy. */
static ps_status init_policy_part(ps_result *res, const ps_run_spec *spec,
                                  const ps_result *baseline, ps_error *err)
{
    ps_status rc = PS_OK;
    const char **names = calloc((size_t)spec->n_policies + 1, sizeof *names);
    ps_lever *levers = calloc((size_t)spec->n_policies + 1, sizeof *levers);
    if (names == NULL || levers == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the ledger");
    }
    for (int i = 0; rc == PS_OK && i < spec->n_policies; ++i) {
        names[i] = spec->policies[i].name;
        levers[i] = spec->policies[i].lever;
    }
    if (rc == PS_OK && (baseline != NULL || spec->n_policies > 0)) {
        rc = ps_result_init_policy(res, baseline ? baseline->name : NULL, spec->n_policies,
                                   names, levers, err);
    }
    free(names);
    free(levers);
    return rc;
}

/* The policy horizon of a scenario (issue #12): from the first policy's start to the last
 * one's end (the projection's end if open) plus the payback years; NaN without policies. */
static void set_window(ps_result *res, const ps_run_spec *spec)
{
    double first = HUGE_VAL, last = -HUGE_VAL;
    const int end = res->start_year + res->n_years - 1;
    for (int i = 0; i < spec->n_policies; ++i) {
        const ps_policy *pol = &spec->policies[i];
        first = fmin(first, pol->start_year);
        last = fmax(last, (pol->end_year > 0 ? pol->end_year : end) +
                              ceil(spec->response.payback_years));
    }
    res->window_first = spec->n_policies > 0 ? first : NAN;
    res->window_last = spec->n_policies > 0 ? last : NAN;
}

/* Births gained and cost per additional birth of the projection years inside the window:
 * the cost per birth divides by the first-generation gains of the window (issue #12),
 * first_disc their discounted sum (ps_policy_first_generation). */
static void compare_window(ps_result *res, double discount_rate, double first_disc)
{
    double cost = 0.0, cost_disc = 0.0, gained = 0.0, gained_disc = 0.0;
    if (isnan(res->window_first)) {
        return;
    }
    for (int y = 0; y + 1 < res->n_years; ++y) {
        const int year = res->start_year + y;
        if (year < res->window_first || year > res->window_last) {
            continue;
        }
        const double f = 1.0 / pow(1.0 + discount_rate, (double)y);
        for (int reg = 0; reg < res->n_regions; ++reg) {
            const size_t c = ps_result_regcell(res, y, reg);
            for (int i = 0; i < res->n_instruments; ++i) {
                cost += res->ledger[i].cost[c];
                cost_disc += res->ledger[i].cost_discounted[c];
            }
            gained += res->births_gained[c];
            gained_disc += res->births_gained[c] * f;
        }
    }
    const double first = res->births_gained_first_gen_window;
    res->births_gained_window = gained;
    res->births_gained_window_discounted = gained_disc;
    res->cost_per_additional_birth_window = first > 0.0 ? cost / first : NAN;
    res->cost_per_additional_birth_window_discounted =
        first_disc > 0.0 ? cost_disc / first_disc : NAN;
}

/* Births gained against the baseline, totals, and cost per additional birth; the
 * discounted cost is divided by births gained discounted at the same rate (issue #12). */
static void compare_with_baseline(ps_result *res, const ps_result *base, double discount_rate)
{
    double cost = 0.0, cost_disc = 0.0, gained = 0.0, gained_disc = 0.0;
    res->discount_rate = discount_rate;
    for (int i = 0; i < res->n_instruments; ++i) {
        for (int y = 0; y + 1 < res->n_years; ++y) {
            for (int reg = 0; reg < res->n_regions; ++reg) {
                cost += res->ledger[i].cost[ps_result_regcell(res, y, reg)];
                cost_disc += res->ledger[i].cost_discounted[ps_result_regcell(res, y, reg)];
            }
        }
    }
    res->cost_total = cost;
    res->cost_total_discounted = cost_disc;
    if (base == NULL || res->births_gained == NULL) {
        return;
    }
    for (int y = 0; y + 1 < res->n_years; ++y) {
        for (int reg = 0; reg < res->n_regions; ++reg) {
            double d = 0.0;
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                size_t c = ps_result_sexcell(res, y, reg, sex);
                d += res->births[c] - base->births[c];
            }
            res->births_gained[ps_result_regcell(res, y, reg)] = d;
            gained += d;
            gained_disc += d / pow(1.0 + discount_rate, (double)y);
        }
    }
    res->births_gained_total = gained;
    res->births_gained_discounted = gained_disc;
    res->cost_per_additional_birth = gained > 0.0 ? cost / gained : NAN;
    res->cost_per_additional_birth_discounted = gained_disc > 0.0 ? cost_disc / gained_disc : NAN;
    compare_window(res, discount_rate, ps_policy_first_generation(res, base));
}

/* Share of the births to registered mothers expected in step y, all regions: the registered
 * share of the youngest cohort on 1 July y (the births of the step before; the base share in
 * the first step). */
static double registered_birth_share(const ps_result *res, int y)
{
    double all = 0.0, registered = 0.0;
    for (int reg = 0; reg < res->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            all += res->population[ps_result_cell(res, y, reg, sex, 0)];
            registered += res->registered[ps_result_cell(res, y, reg, sex, 0)];
        }
    }
    return all > 0.0 ? registered / all : 1.0;
}

/* The policy model's multipliers of births by order for the state on 1 July of year index
 * y, the same in every region: mult[reg][order]. */
static void step_multipliers(double *mult, const ps_result *res, ps_policy_model *m, int y)
{
    double m_all[PS_ORDER_COUNT];
    if (res->registered != NULL) { /* levers for registered children (#13) */
        ps_policy_set_registered_share(m, registered_birth_share(res, y));
    }
    ps_policy_multipliers(m, res->start_year + y, persons_in(res, y, 0, res->n_ages - 1),
                          persons_in(res, y, 0, UNDER3_AGES - 1), m_all);
    for (int reg = 0; reg < res->n_regions; ++reg) {
        memcpy(&mult[(size_t)reg * PS_ORDER_COUNT], m_all, sizeof m_all);
    }
}

/* Tell the policy model the births by order of step y, summed over the regions. */
static void observe_births(ps_policy_model *m, const ps_result *res, int y)
{
    double b_all[PS_ORDER_COUNT] = { 0.0 };
    for (int reg = 0; reg < res->n_regions; ++reg) {
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            b_all[k] += res->births_by_order[ps_result_ordercell(res, y, reg, k)];
        }
    }
    ps_policy_observe(m, b_all);
}

/*
 * Fertility after the policy response against its biological maximum (issue #17): the
 * response parameters and the policy amounts are each inside their documented ranges, but
 * together they can multiply births without bound (a TFR of 222). Step y's rates as
 * recorded (NaN when an engine does not record them per step) must stay at most
 * PS_ASFR_MAX births per woman-year at every age and PS_TFR_MAX children per woman.
 */
static ps_status check_fertility(const ps_result *res, int y, ps_error *err)
{
    for (int reg = 0; reg < res->n_regions; ++reg) {
        double tfr = res->tfr[ps_result_regcell(res, y, reg)];
        int worst = 0;
        double top = 0.0;
        for (int age = 0; age < res->n_ages; ++age) {
            double a = res->asfr[ps_result_agecell(res, y, reg, age)];
            if (a > top) {
                top = a;
                worst = age;
            }
        }
        if (tfr > PS_TFR_MAX || top > PS_ASFR_MAX || (!isnan(tfr) && !isfinite(tfr))) {
            return ps_error_set(err, PS_EINVAL,
                                "the response to the policies raises fertility in %d to a TFR "
                                "of %.4g children per woman (%.3g births per woman-year at age "
                                "%d), above the biological maximum (TFR %g, %g at any age); "
                                "lower response.cash_elasticity, response.order_weight_*, "
                                "response.childcare_per_10pp or the policies' amounts",
                                res->start_year + y, tfr, top, worst, PS_TFR_MAX, PS_ASFR_MAX);
        }
    }
    return PS_OK;
}

static ps_status run_steps(ps_result *res, const ps_proj *p, ps_policy_model *m,
                           const ps_result *baseline, ps_error *err)
{
    ps_status rc = PS_OK;
    const int nr = res->n_regions;
    double *mult = malloc((size_t)nr * (PS_ORDER_COUNT + 1) * sizeof *mult);
    double *scale = mult + (size_t)nr * PS_ORDER_COUNT;
    const size_t n_work = ps_proj_registered_work_size(p); /* registration (#13) */
    double *work = n_work > 0 ? malloc(n_work * sizeof *work) : NULL;
    if (mult == NULL || (n_work > 0 && work == NULL)) {
        free(mult);
        free(work);
        return ps_error_set(err, PS_ENOMEM, "out of memory for birth multipliers");
    }
    for (int y = 0; y + 1 < res->n_years && rc == PS_OK; ++y) {
        step_multipliers(mult, res, m, y);
        ps_proj_events ev = {
            .births = &res->births[ps_result_sexcell(res, y, 0, 0)],
            .deaths = &res->deaths[ps_result_cell(res, y, 0, 0, 0)],
            .net_migration = &res->net_migration[ps_result_cell(res, y, 0, 0, 0)],
        };
        ps_proj_parity par = {
            .from = &res->women_by_parity[ps_result_paritycell(res, y, 0, 0, 0)],
            .to = &res->women_by_parity[ps_result_paritycell(res, y + 1, 0, 0, 0)],
            .mult = mult,
            .births_by_order = &res->births_by_order[ps_result_ordercell(res, y, 0, 0)],
            .fertility_scale = scale,
        };
        if (baseline != NULL && baseline->women_by_parity != NULL) { /* issue #12 */
            par.base_women = &baseline->women_by_parity[ps_result_paritycell(res, y, 0, 0, 0)];
            par.base_pop_from = &baseline->population[ps_result_cell(res, y, 0, 0, 0)];
            par.base_pop_to = &baseline->population[ps_result_cell(res, y + 1, 0, 0, 0)];
        }
        for (int reg = 0; reg < nr; ++reg) {
            scale[reg] = 1.0;
        }
        ps_proj_internal_events(&ev, res, y); /* internal migration (#13), if any */
        rc = ps_proj_step_parity(p, y, &res->population[ps_result_cell(res, y, 0, 0, 0)],
                                 &res->population[ps_result_cell(res, y + 1, 0, 0, 0)], &ev, &par,
                                 err);
        if (rc == PS_OK) {
            ps_proj_internal_net(res, y);
            rc = ps_proj_registered_step(res, p, y, work, err); /* registration (#13) */
        }
        res->emigration_shortfall += ev.adjustment;
        ps_proj_record_rates(res, p, y, scale);
        if (rc == PS_OK) {
            rc = check_fertility(res, y, err);
        }
        observe_births(m, res, y);
    }
    free(mult);
    free(work);
    return rc;
}

ps_status ps_run_scenario(ps_result *res, const ps_proj *p, const double *women0,
                          const ps_birth_order *bo, const ps_run_spec *spec,
                          const ps_result *baseline, ps_error *err)
{
    ps_policy_model *m = NULL;
    ps_status rc = init_result(res, p, women0, spec, baseline, err);
    if (rc == PS_OK) {
        rc = ps_policy_model_new(&m, spec->policies, spec->n_policies, &spec->response,
                                 &spec->economy, res->start_year,
                                 res->start_year + res->n_years - 1, persons_in(res, 0, 0,
                                 res->n_ages - 1), persons_in(res, 0, 0, UNDER3_AGES - 1), err);
    }
    if (rc == PS_OK) {
        rc = run_steps(res, p, m, baseline, err);
    }
    if (rc == PS_OK) {
        if (res->n_instruments > 0) {
            ps_policy_ledger(res, m, bo);
        }
        set_window(res, spec);
        compare_with_baseline(res, baseline, spec->economy.discount_rate);
        rc = ps_policy_set_budget_caps(res, &spec->economy, err);
    }
    ps_policy_model_free(m);
    if (rc != PS_OK) {
        ps_result_release(res);
    }
    return rc;
}

/* The policies of a micro run: low_income_share 0, because the top-up reaches the simulated
 * children of the eligible income classes, in the ledger and in the response (docs/policy.md
 * sec. 7.5); *has_topup = 1 if a monthly subsidy has a top-up. */
static ps_policy *micro_policies(const ps_run_spec *spec, int *has_topup)
{
    ps_policy *pol = malloc(((size_t)spec->n_policies + 1) * sizeof *pol);
    *has_topup = 0;
    for (int i = 0; pol != NULL && i < spec->n_policies; ++i) {
        pol[i] = spec->policies[i];
        pol[i].low_income_share = 0.0;
        *has_topup |= pol[i].lever == PS_LEVER_MONTHLY_SUBSIDY && pol[i].low_income_topup > 0.0;
    }
    return pol;
}

/* ---------------------------------------------------------------------------------------
 * The same scenario with the microsimulation (issue #5): the policy model sees the
 * simulated population, and ps_micro_step applies its multipliers to each woman.
 */
ps_status ps_run_scenario_micro(ps_result *res, ps_micro_extra *extra, ps_micro *mi,
                                const ps_birth_order *bo, const ps_run_spec *spec,
                                const ps_result *baseline, ps_error *err)
{
    ps_policy_model *m = NULL;
    ps_micro_ledger *ml = NULL;
    double *mult = NULL, inc_mult[PS_INCOME_COUNT * PS_ORDER_COUNT];
    int has_topup = 0;
    ps_policy *pol = micro_policies(spec, &has_topup);
    ps_status rc = pol != NULL ? ps_micro_run_init(res, extra, mi, spec->name, spec->title, err)
                               : ps_error_set(err, PS_ENOMEM, "out of memory for the policies");
    if (rc != PS_OK) {
        free(pol);
        return rc;
    }
    rc = init_policy_part(res, spec, baseline, err);
    if (rc == PS_OK && res->n_instruments > 0) {
        rc = ps_micro_ledger_new(&ml, mi, pol, spec->n_policies, bo, err);
    }
    if (rc == PS_OK) {
        rc = ps_policy_model_new(&m, pol, spec->n_policies, &spec->response,
                                 &spec->economy, res->start_year,
                                 res->start_year + res->n_years - 1, persons_in(res, 0, 0,
                                 res->n_ages - 1), persons_in(res, 0, 0, UNDER3_AGES - 1), err);
    }
    const int nr = res->n_regions;
    if (rc == PS_OK && (mult = malloc((size_t)nr * PS_ORDER_COUNT * sizeof *mult)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for birth multipliers");
    }
    if (rc == PS_OK && has_topup) {
        ps_micro_set_income_mult(mi, inc_mult); /* rewritten each step */
    }
    for (int y = 0; y + 1 < res->n_years && rc == PS_OK; ++y) {
        step_multipliers(mult, res, m, y);
        if (has_topup) {
            ps_micro_topup_mult(inc_mult, m, res->start_year + y, mult);
        }
        rc = ps_micro_step(mi, res, extra, mult, err);
        if (rc == PS_OK && ml != NULL) {
            ps_micro_ledger_step(ml, mi);
        }
        if (rc == PS_OK) {
            rc = check_fertility(res, y, err);
        }
        if (rc == PS_OK) {
            observe_births(m, res, y);
        }
    }
    if (has_topup) {
        ps_micro_set_income_mult(mi, NULL); /* inc_mult goes out of scope */
    }
    if (rc == PS_OK) {
        if (res->n_instruments > 0) {
            ps_policy_ledger(res, m, bo);
            ps_micro_ledger_fill(res, ml, m, spec->economy.discount_rate,
                                 extra != NULL ? extra->ledger_by_income : NULL);
        }
        set_window(res, spec);
        compare_with_baseline(res, baseline, spec->economy.discount_rate);
        rc = ps_policy_set_budget_caps(res, &spec->economy, err);
    }
    free(mult);
    ps_micro_ledger_free(ml);
    ps_policy_model_free(m);
    free(pol);
    if (rc != PS_OK) {
        ps_result_release(res);
    }
    return rc;
}

ps_status ps_family_mean(ps_result *mean, const ps_result *reps, int n,
                         const ps_result *mean_baseline, ps_error *err)
{
    const ps_result *r0 = &reps[0];
    ps_status rc = ps_micro_mean(mean, reps, n, err);
    const char **names = NULL;
    ps_lever *levers = NULL;
    if (rc != PS_OK) {
        return rc;
    }
    if (r0->baseline != NULL || r0->n_instruments > 0) {
        names = calloc((size_t)r0->n_instruments + 1, sizeof *names);
        levers = calloc((size_t)r0->n_instruments + 1, sizeof *levers);
        if (names == NULL || levers == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for the ledger");
        }
        for (int i = 0; rc == PS_OK && i < r0->n_instruments; ++i) {
            names[i] = r0->ledger[i].name;
            levers[i] = (ps_lever)r0->ledger[i].lever;
        }
        if (rc == PS_OK) {
            rc = ps_result_init_policy(mean, r0->baseline, r0->n_instruments, names, levers, err);
        }
    }
    const size_t cells = (size_t)r0->n_years * (size_t)r0->n_regions;
    for (int i = 0; rc == PS_OK && i < r0->n_instruments; ++i) {
        for (size_t c = 0; c < cells; ++c) {
            double rec = 0.0, cost = 0.0, disc = 0.0; /* summed in replicate order */
            for (int r = 0; r < n; ++r) {
                rec += reps[r].ledger[i].recipients[c];
                cost += reps[r].ledger[i].cost[c];
                disc += reps[r].ledger[i].cost_discounted[c];
            }
            mean->ledger[i].recipients[c] = rec / n;
            mean->ledger[i].cost[c] = cost / n;
            mean->ledger[i].cost_discounted[c] = disc / n;
            for (int payer = 0; payer < PS_LEDGER_PAYERS; ++payer) {
                double part = 0.0;
                for (int r = 0; r < n; ++r) {
                    part += reps[r].ledger[i].cost_by_payer[c * PS_LEDGER_PAYERS + (size_t)payer];
                }
                mean->ledger[i].cost_by_payer[c * PS_LEDGER_PAYERS + (size_t)payer] = part / n;
            }
        }
    }
    if (rc == PS_OK && (r0->baseline != NULL || r0->n_instruments > 0)) {
        mean->window_first = r0->window_first;
        mean->window_last = r0->window_last;
        rc = ps_policy_copy_budget_caps(mean, r0, err);
        compare_with_baseline(mean, r0->baseline != NULL ? mean_baseline : NULL,
                              r0->discount_rate);
    }
    free(names);
    free(levers);
    if (rc != PS_OK) {
        ps_result_release(mean);
    }
    return rc;
}

/*
 * model.c - how births respond, year by year, to the levers of a scenario
 * (docs/policy.md sec. 2). Each lever gives a relative change of births by order:
 *   cash and insurance: r_k = e * ln(1 + V_k / I) * w_k (saturating), with V_k the present
 *     value to the family of a birth of order k, I the household income and e the cash
 *     elasticity; a share q of it is permanent (quantum) and 1 - q brings births forward
 *     (tempo) for `tempo_years`;
 *   childcare: +c % per +10 points of under-3 enrollment against the baseline, quantum;
 *   leave: paid months beyond the baseline bring births forward; paternity days are quantum.
 * Effects start `lag_months` after a lever's start. Births brought forward are paid back
 * over `payback_years` after the tempo window: the model keeps, per lever, the count of
 * births gained early and removes exactly that count later.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/policy.h"
#include "popsim/units.h"

/* Decimal-year offsets: 1 July of calendar year t is t + 0.5; a step centres on t + 1. */
#define STEP_START_OFFSET 0.5
#define STEP_CENTRE_OFFSET 1.0
/* Days in an average month, for leave days -> months. */
#define DAYS_PER_MONTH 30.44
/* Reference sizes of the elasticities: per 3 months of leave, 10 days, 10 points. */
#define LEAVE_REF_MONTHS 3.0
#define PATERNITY_REF_DAYS 10.0
#define CHILDCARE_REF_POINTS 0.10
/* Percent to fraction. */
#define PERCENT 100.0
/* Lowest multiplier of births (guards against a collapsing birth count during payback). */
#define MIN_TEMPO_FACTOR 0.5

typedef struct lever_state {
    double debt[PS_ORDER_COUNT];  /* births brought forward, not yet paid back */
    double tempo[PS_ORDER_COUNT]; /* this step's tempo response (+) */
    double payback[PS_ORDER_COUNT]; /* this step's planned removal, as a rate (-) */
} lever_state;

struct ps_policy_model {
    const ps_policy *pol; /* borrowed */
    int n;
    ps_response r;
    ps_economy eco;
    int start_year, end_year;
    double occupancy;              /* used share of built childcare places */
    lever_state *st;               /* n */
    double last_births_q[PS_ORDER_COUNT]; /* births at multiplier 1 in the last step */
    double mult_total[PS_ORDER_COUNT];    /* the step's multipliers */
    double registered_share; /* births to registered mothers, [0, 1]; 1 without status */
};

static double overlap_with_step(double a, double b, int year)
{
    double lo = fmax(a, year + STEP_START_OFFSET);
    double hi = fmin(b, year + STEP_START_OFFSET + 1.0);
    return hi > lo ? hi - lo : 0.0;
}

/* End of the period in force, decimal years (open-ended levers run past the horizon). */
static double force_end(const ps_policy_model *m, const ps_policy *p)
{
    return (p->end_year > 0 ? p->end_year : m->end_year + 1000) + 1.0;
}

static double lag_years(const ps_policy_model *m)
{
    return m->r.lag_months / PS_MONTHS_PER_YEAR;
}

static double tempo_end(const ps_policy_model *m, const ps_policy *p)
{
    return fmin(p->start_year + lag_years(m) + m->r.tempo_years, force_end(m, p) + lag_years(m));
}

/* Present value at birth of a monthly amount paid from tb to `until` (continuous). */
static double annuity(const ps_policy_model *m, double monthly, double tb, double until)
{
    double years = until - tb;
    if (years <= 0.0 || monthly <= 0.0) {
        return 0.0;
    }
    double delta = log1p(m->eco.discount_rate);
    double factor = delta > 0.0 ? (1.0 - exp(-delta * years)) / delta : years;
    return monthly * PS_MONTHS_PER_YEAR * factor;
}

/* Levers for registered children only reach the registered share of the births (#13). */
static double registered_factor(const ps_policy_model *m, const ps_policy *p)
{
    return p->requires_registered ? m->registered_share : 1.0;
}

void ps_policy_set_registered_share(ps_policy_model *m, double share)
{
    m->registered_share = share;
}

/* Value to the family of a birth of order k at decimal time tb (0 outside the window). */
static double value_per_birth(const ps_policy_model *m, const ps_policy *p, int k, double tb)
{
    if (tb < p->start_year || tb >= force_end(m, p)) {
        return 0.0;
    }
    switch (p->lever) {
    case PS_LEVER_BIRTH_REWARD:
        return p->amount[k] * p->eligible_share * registered_factor(m, p);
    case PS_LEVER_MONTHLY_SUBSIDY: {
        if (p->born_from > 0 && tb < p->born_from) {
            return 0.0;
        }
        double until = fmin(tb + p->max_age, force_end(m, p));
        double v = annuity(m, p->amount[k], tb, until) +
                   p->low_income_share * annuity(m, p->low_income_topup, tb, until);
        return v * p->eligible_share * registered_factor(m, p);
    }
    case PS_LEVER_INSURANCE:
        return p->medical_per_birth + p->unemployed_share * p->unemployment_per_birth +
               p->employer_si_share[k] * p->employer_si_monthly * p->employer_si_months *
                   p->employed_share * m->r.employer_pass_through;
    case PS_LEVER_SPECIAL_FAMILY: /* paid to parents past childbearing: no response */
    case PS_LEVER_CHILDCARE:
    case PS_LEVER_LEAVE:
    case PS_LEVER_COUNT:
        break;
    }
    return 0.0;
}

ps_status ps_policy_model_new(ps_policy_model **out, const ps_policy *policies, int n,
                              const ps_response *response, const ps_economy *economy,
                              int start_year, int end_year, double base_population,
                              double base_under3, ps_error *err)
{
    *out = NULL;
    if (!(economy->household_income > 0.0) || economy->discount_rate < 0.0 ||
        !(response->quantum_share >= 0.0 && response->quantum_share <= 1.0) ||
        response->payback_years < 0.0 || response->tempo_years < 0.0) {
        return ps_error_set(err, PS_EINVAL, "policy response or economy out of range");
    }
    ps_policy_model *m = calloc(1, sizeof *m);
    if (m == NULL || (n > 0 && (m->st = calloc((size_t)n, sizeof *m->st)) == NULL)) {
        free(m);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the policy model");
    }
    m->pol = policies;
    m->n = n;
    m->r = *response;
    m->eco = *economy;
    m->start_year = start_year;
    m->end_year = end_year;
    double places = economy->childcare_spots_per_1000 * base_population / PS_PER_THOUSAND;
    m->registered_share = 1.0;
    m->occupancy = places > 0.0 ? economy->childcare_enrollment * base_under3 / places : 0.0;
    *out = m;
    return PS_OK;
}

/* The childcare lever in force in the step (the latest started), or NULL. */
static const ps_policy *childcare_in_force(const ps_policy_model *m, int year)
{
    const ps_policy *best = NULL;
    for (int i = 0; i < m->n; ++i) {
        const ps_policy *p = &m->pol[i];
        double t = year + STEP_CENTRE_OFFSET;
        if (p->lever == PS_LEVER_CHILDCARE && t >= p->start_year && t < force_end(m, p) &&
            (best == NULL || p->start_year >= best->start_year)) {
            best = p;
        }
    }
    return best;
}

double ps_policy_enrollment(const ps_policy_model *m, int year, double population, double under3,
                            int with_policy)
{
    const ps_policy *p = with_policy ? childcare_in_force(m, year) : NULL;
    double spots = m->eco.childcare_spots_per_1000;
    double wanted = m->eco.childcare_ceiling;
    if (p != NULL) {
        spots = p->spots_per_1000 > 0.0 ? p->spots_per_1000 : spots;
        double fee_cut = m->eco.childcare_fee > 0.0 ? p->fee_subsidy / m->eco.childcare_fee : 0.0;
        wanted = fmin(1.0, wanted * (1.0 + m->eco.childcare_price_elasticity * fmin(fee_cut, 1.0)));
    }
    if (!(under3 > 0.0)) {
        return 0.0;
    }
    double used = m->occupancy * spots * population / PS_PER_THOUSAND / under3;
    return fmax(fmin(used, wanted), 0.0);
}

/* Cash-like levers: quantum part into Q, tempo part into the lever's state. */
static void cash_response(ps_policy_model *m, const ps_policy *p, lever_state *st, int year,
                          double f_eff, double f_tempo, double *Q)
{
    const double q = m->r.quantum_share;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        double v = value_per_birth(m, p, k, year + STEP_CENTRE_OFFSET);
        /* Saturating in the benefit/income ratio: e ln(1 + V/I) has slope e at V = 0 (the
         * evidence is on benefits of 5-15 % of income) and grows ever slower, so doubling a
         * large amount does not double its effect (docs/policy.md sec. 2). */
        double r = m->r.cash_elasticity * log1p(v / m->eco.household_income) *
                   m->r.order_weight[k];
        Q[k] += q * r * f_eff;
        st->tempo[k] = (1.0 - q) * r * f_tempo;
    }
}

static void childcare_response(const ps_policy_model *m, int year, double population,
                               double under3, double f_eff, double *Q)
{
    double gain = ps_policy_enrollment(m, year, population, under3, 1) -
                  ps_policy_enrollment(m, year, population, under3, 0);
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        Q[k] += m->r.childcare_per_10pp / PERCENT * gain / CHILDCARE_REF_POINTS *
                m->r.childcare_weight[k] * f_eff;
    }
}

/* Extra paid leave per birth beyond the statutory baseline (economy), in days of one
 * person's wage: maternity days once, parental days for each of the two parents in each of
 * the max_age years they are granted (docs/policy.md sec. 2, Leave). */
static double leave_extra_mother_days(const ps_policy_model *m, const ps_policy *p)
{
    const double parents = 2.0;
    return fmax(p->maternity_days - m->eco.maternity_days, 0.0) +
           fmax(p->parental_days - m->eco.parental_days, 0.0) * parents * p->max_age;
}

static void leave_response(const ps_policy_model *m, const ps_policy *p, lever_state *st,
                           double f_eff, double f_tempo, double *Q)
{
    double months = leave_extra_mother_days(m, p) * p->paid_share / DAYS_PER_MONTH;
    double tempo = m->r.leave_per_3_months / PERCENT * months / LEAVE_REF_MONTHS;
    double father_days = fmax(p->paternity_days - m->eco.paternity_days, 0.0) * p->paid_share;
    double quantum = m->r.paternity_per_10_days / PERCENT * father_days / PATERNITY_REF_DAYS;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        Q[k] += quantum * f_eff;
        st->tempo[k] = tempo * f_tempo;
    }
}

/* Plan this step's share of the lever's remaining payback, as a rate on births. */
static void plan_payback(const ps_policy_model *m, const ps_policy *p, lever_state *st, int year)
{
    double from = tempo_end(m, p), until = from + m->r.payback_years;
    double frac = overlap_with_step(from, until, year);
    double remaining = until - (year + STEP_START_OFFSET);
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        st->payback[k] = 0.0;
        if (frac > 0.0 && remaining > 0.0 && m->last_births_q[k] > 0.0 && st->debt[k] > 0.0) {
            st->payback[k] = st->debt[k] * fmin(1.0, frac / remaining) / m->last_births_q[k];
        }
    }
}

void ps_policy_multipliers(ps_policy_model *m, int year, double population, double under3,
                           double mult_out[PS_ORDER_COUNT])
{
    double Q[PS_ORDER_COUNT] = { 0.0 }, T[PS_ORDER_COUNT] = { 0.0 };
    for (int i = 0; i < m->n; ++i) {
        const ps_policy *p = &m->pol[i];
        lever_state *st = &m->st[i];
        double a = p->start_year + lag_years(m);
        double f_eff = overlap_with_step(a, force_end(m, p) + lag_years(m), year);
        double f_tempo = overlap_with_step(a, tempo_end(m, p), year);
        memset(st->tempo, 0, sizeof st->tempo);
        if (p->lever == PS_LEVER_CHILDCARE) {
            if (f_eff > 0.0) {
                childcare_response(m, year, population, under3, f_eff, Q);
            }
        } else if (p->lever == PS_LEVER_LEAVE) {
            leave_response(m, p, st, f_eff, f_tempo, Q);
        } else {
            cash_response(m, p, st, year, f_eff, f_tempo, Q);
        }
        plan_payback(m, p, st, year);
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            T[k] += st->tempo[k] - st->payback[k];
        }
    }
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        /* Responses add up (a 1.5 % quantum and a 1.5 % tempo effect are +3 %). */
        mult_out[k] = fmax(MIN_TEMPO_FACTOR, 1.0 + Q[k] + T[k]);
        m->mult_total[k] = mult_out[k];
    }
}

void ps_policy_observe(ps_policy_model *m, const double births[PS_ORDER_COUNT])
{
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        double at_one = births[k] / m->mult_total[k]; /* births the step had without levers */
        m->last_births_q[k] = at_one;
        for (int i = 0; i < m->n; ++i) {
            lever_state *st = &m->st[i];
            st->debt[k] += at_one * (st->tempo[k] - st->payback[k]);
            st->tempo[k] = 0.0;
            st->payback[k] = 0.0;
        }
    }
}

double ps_policy_tempo_debt(const ps_policy_model *m)
{
    double debt = 0.0;
    for (int i = 0; i < m->n; ++i) {
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            debt += m->st[i].debt[k];
        }
    }
    return debt;
}

const ps_response *ps_policy_model_response(const ps_policy_model *m)
{
    return &m->r;
}

/* ---- what the microsimulation's ledger and income classes need (src/micro/ledger.c) ---- */

double ps_policy_step_share(const ps_policy_model *m, const ps_policy *p, int year)
{
    return overlap_with_step(p->start_year, force_end(m, p), year);
}

/*
 * The extra response of a family that receives the low-income top-up (docs/policy.md sec.
 * 7.5): per monthly subsidy, r(V + T) - r(V) with r the saturating response of
 * cash_response, V the value of the amount alone and T that of the top-up, both scaled by
 * eligible_share and the registered share like value_per_birth, with the quantum part over
 * the policy's effect window and the tempo part over its tempo window (the tempo part of
 * the top-up is not paid back: the model's debt book knows only the classes' average).
 */
void ps_policy_topup_response(const ps_policy_model *m, int year, double out[PS_ORDER_COUNT])
{
    const double q = m->r.quantum_share, tb = year + STEP_CENTRE_OFFSET;
    const double inc = m->eco.household_income;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        out[k] = 0.0;
    }
    for (int i = 0; i < m->n; ++i) {
        const ps_policy *p = &m->pol[i];
        if (p->lever != PS_LEVER_MONTHLY_SUBSIDY || !(p->low_income_topup > 0.0) ||
            tb < p->start_year || tb >= force_end(m, p) ||
            (p->born_from > 0 && tb < p->born_from)) {
            continue;
        }
        const double a = p->start_year + lag_years(m);
        const double f = q * overlap_with_step(a, force_end(m, p) + lag_years(m), year) +
                         (1.0 - q) * overlap_with_step(a, tempo_end(m, p), year);
        const double until = fmin(tb + p->max_age, force_end(m, p));
        const double share = p->eligible_share * registered_factor(m, p);
        const double top = annuity(m, p->low_income_topup, tb, until) * share;
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            const double v = annuity(m, p->amount[k], tb, until) * share;
            out[k] += m->r.cash_elasticity * (log1p((v + top) / inc) - log1p(v / inc)) *
                      m->r.order_weight[k] * f;
        }
    }
}

void ps_policy_model_free(ps_policy_model *m)
{
    if (m == NULL) {
        return;
    }
    free(m->st);
    free(m);
}

/* ---- the fiscal ledger ------------------------------------------------------------------ */

#include "policy/policy_int.h"
#include "popsim/result.h"

/* Share of order k among the births of step s (base shares before the projection). */
static double order_share(const ps_result *res, const ps_birth_order *bo, int s, int reg, int k)
{
    if (s < 0) {
        return bo->share[k];
    }
    double total = 0.0;
    for (int j = 0; j < PS_ORDER_COUNT; ++j) {
        total += res->births_by_order[ps_result_ordercell(res, s, reg, j)];
    }
    return total > 0.0 ? res->births_by_order[ps_result_ordercell(res, s, reg, k)] / total
                       : bo->share[k];
}

/* Share of the cohort born in step s (1 July .. 1 July) born on or after 1 January born_from. */
static double born_from_share(const ps_result *res, const ps_policy *p, int s)
{
    if (p->born_from <= 0) {
        return 1.0;
    }
    double born_until = res->start_year + s + STEP_START_OFFSET + 1.0;
    return fmin(fmax(born_until - p->born_from, 0.0), 1.0);
}

static double persons(const ps_result *res, int y, int reg, int age)
{
    return res->population[ps_result_cell(res, y, reg, PS_SEX_MALE, age)] +
           res->population[ps_result_cell(res, y, reg, PS_SEX_FEMALE, age)];
}

/* Person-years of eligible children of order k under max_age in step y. */
static double children(const ps_result *res, const ps_policy *p, const ps_birth_order *bo, int y,
                       int reg, int k)
{
    double sum = 0.0;
    for (int age = 0; age < p->max_age && age < res->n_ages; ++age) {
        int s_start = y - age - 1, s_end = y - age; /* birth steps of the two cohorts */
        sum += PS_MID_YEAR_FRACTION *
               (persons(res, y, reg, age) * order_share(res, bo, s_start, reg, k) *
                    born_from_share(res, p, s_start) +
                persons(res, y + 1, reg, age) * order_share(res, bo, s_end, reg, k) *
                    born_from_share(res, p, s_end));
    }
    return sum;
}

/* Registered share of a region's persons aged lo..hi on 1 July of year index y (1 without
 * registration or persons). */
static double registered_share_of(const ps_result *res, int y, int reg, int lo, int hi)
{
    double all = 0.0, registered = 0.0;
    for (int age = lo; age <= hi && age < res->n_ages; ++age) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            all += res->population[ps_result_cell(res, y, reg, sex, age)];
            registered += res->registered[ps_result_cell(res, y, reg, sex, age)];
        }
    }
    return all > 0.0 ? registered / all : 1.0;
}

/* Registered share of the children a monthly subsidy pays in step y (issue #13): of the
 * children under max_age at both ends of the step; 1 unless the lever requires it. */
static double registered_children(const ps_result *res, const ps_policy *p, int y, int reg)
{
    if (!p->requires_registered || res->registered == NULL) {
        return 1.0;
    }
    return PS_MID_YEAR_FRACTION * (registered_share_of(res, y, reg, 0, p->max_age - 1) +
                                   registered_share_of(res, y + 1, reg, 0, p->max_age - 1));
}

/* Registered share of the births of step y: of the birth cohort on 1 July y+1. */
static double registered_births(const ps_result *res, const ps_policy *p, int y, int reg)
{
    if (!p->requires_registered || res->registered == NULL) {
        return 1.0;
    }
    return registered_share_of(res, y + 1, reg, 0, 0);
}

/* A year's entry: recurring recipients and cost scale with the part of the year the lever is
 * in force; one-time cost (childcare places built) does not. */
typedef struct ledger_cell {
    double recipients, cost, one_time;
    double employer; /* leave: the part of cost paid by employers by default (paternity and
                      * parental days); 0 for the other levers */
} ledger_cell;

static ledger_cell monthly_cell(const ps_result *res, const ps_policy *p, const ps_birth_order *bo,
                                int y, int reg)
{
    ledger_cell c = { 0.0, 0.0, 0.0, 0.0 };
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        double kids = children(res, p, bo, y, reg, k) * p->eligible_share *
                      registered_children(res, p, y, reg);
        c.recipients += p->amount[k] > 0.0 || p->low_income_topup > 0.0 ? kids : 0.0;
        c.cost += kids * PS_MONTHS_PER_YEAR *
                  (p->amount[k] + p->low_income_share * p->low_income_topup);
    }
    return c;
}

static double under3(const ps_result *res, int y, int reg)
{
    const int young = 3;
    double sum = 0.0;
    for (int age = 0; age < young; ++age) {
        sum += persons(res, y, reg, age);
    }
    return sum;
}

static double total_persons(const ps_result *res, int y, int reg)
{
    double sum = 0.0;
    for (int age = 0; age < res->n_ages; ++age) {
        sum += persons(res, y, reg, age);
    }
    return sum;
}

static ledger_cell childcare_cell(const ps_result *res, const ps_policy_model *m,
                                  const ps_policy *p, int y, int reg, double *built)
{
    ledger_cell c = { 0.0, 0.0, 0.0, 0.0 };
    const int year = res->start_year + y;
    double pop = total_persons(res, y, reg), young = under3(res, y, reg);
    double enrolled = ps_policy_enrollment(m, year, pop, young, 1) * PS_MID_YEAR_FRACTION *
                      (young + under3(res, y + 1, reg));
    c.recipients = enrolled;
    c.cost = enrolled * PS_MONTHS_PER_YEAR * (p->operating_subsidy + p->fee_subsidy);
    double target = (p->spots_per_1000 > 0.0 ? p->spots_per_1000 : m->eco.childcare_spots_per_1000) *
                    pop / PS_PER_THOUSAND;
    if (target > *built) {
        c.one_time = (target - *built) * p->construction_subsidy;
        *built = target;
    }
    return c;
}

/* Leave (docs/policy.md sec. 3): maternity and paternity days beyond the baseline once per
 * birth; parental days beyond the baseline for each of two parents and each year of a
 * child under max_age. Recipients are the mothers of the step's births. */
static ledger_cell leave_cell(const ps_result *res, const ps_policy_model *m, const ps_policy *p,
                              const ps_birth_order *bo, int y, int reg)
{
    ledger_cell c = { 0.0, 0.0, 0.0, 0.0 };
    const double parents = 2.0;
    const double daily = m->eco.monthly_wage / DAYS_PER_MONTH * p->paid_share;
    const double mother = fmax(p->maternity_days - m->eco.maternity_days, 0.0);
    const double father = fmax(p->paternity_days - m->eco.paternity_days, 0.0);
    const double parental = fmax(p->parental_days - m->eco.parental_days, 0.0);
    double births = 0.0, child_years = 0.0;
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        births += res->births_by_order[ps_result_ordercell(res, y, reg, k)];
        child_years += parental > 0.0 ? children(res, p, bo, y, reg, k) : 0.0;
    }
    c.recipients = births;
    c.employer = (births * father + child_years * parents * parental) * daily;
    c.cost = births * mother * daily + c.employer;
    return c;
}

static ledger_cell birth_cell(const ps_result *res, const ps_policy *p, int y, int reg)
{
    ledger_cell c = { 0.0, 0.0, 0.0, 0.0 };
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        double b = res->births_by_order[ps_result_ordercell(res, y, reg, k)];
        if (p->lever == PS_LEVER_BIRTH_REWARD) {
            const double share = p->eligible_share * registered_births(res, p, y, reg);
            c.recipients += p->amount[k] > 0.0 ? b * share : 0.0;
            c.cost += b * share * p->amount[k];
        } else {
            c.recipients += b;
            c.cost += b * (p->medical_per_birth + p->unemployed_share * p->unemployment_per_birth +
                           p->employer_si_share[k] * p->employer_si_monthly *
                               p->employer_si_months * p->employed_share);
        }
    }
    return c;
}

/* Split a year's cost by payer: the scenario's shares, else the lever's default
 * (docs/policy.md sec. 7.1), by component where a lever's parts have different payers:
 * leave's employer part (paternity, parental days) to employers and the rest to the social
 * insurance fund; childcare's one-time construction subsidy to the central budget. */
static void split_payers(double *out, const ps_policy *p, const ledger_cell *c, double f,
                         double cost)
{
    double share[PS_PAYER_COUNT], sum = 0.0;
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        sum += p->payer_share[payer]; /* NaN (the loader's "not given") or 0: default */
    }
    const int given = sum > 0.0;
    if (given) {
        memcpy(share, p->payer_share, sizeof share);
    } else {
        ps_policy_default_payers(share, p->lever);
    }
    if (!given && (p->lever == PS_LEVER_LEAVE || p->lever == PS_LEVER_CHILDCARE)) {
        for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
            out[payer] = 0.0;
        }
        if (p->lever == PS_LEVER_LEAVE) {
            out[PS_PAYER_EMPLOYER] = c->employer * f;
            out[PS_PAYER_SOCIAL_INSURANCE] = cost - out[PS_PAYER_EMPLOYER];
        } else {
            out[PS_PAYER_CENTRAL] = c->one_time;
            out[PS_PAYER_LOCAL] = cost - c->one_time;
        }
        return;
    }
    /* The last payer with a share takes the rest, so the parts add up to the cost. */
    double rest = cost;
    int last = 0;
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        last = share[payer] > 0.0 ? payer : last;
    }
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        out[payer] = payer == last ? 0.0 : cost * share[payer];
        rest -= payer == last ? 0.0 : out[payer];
    }
    out[last] = rest;
}

void ps_policy_split_cost(double out[PS_PAYER_COUNT], const ps_policy *p, double cost)
{
    const ledger_cell c = { 0.0, 0.0, 0.0, 0.0 };
    split_payers(out, p, &c, 1.0, cost);
}

void ps_policy_ledger(ps_result *res, const ps_policy_model *m, const ps_birth_order *bo)
{
    for (int i = 0; i < res->n_instruments && i < m->n; ++i) {
        const ps_policy *p = &m->pol[i];
        ps_ledger *l = &res->ledger[i];
        for (int reg = 0; reg < res->n_regions; ++reg) {
            double built = m->eco.childcare_spots_per_1000 * total_persons(res, 0, reg) /
                           PS_PER_THOUSAND;
            for (int y = 0; y + 1 < res->n_years; ++y) {
                double f = overlap_with_step(p->start_year, force_end(m, p), res->start_year + y);
                ledger_cell c = { 0.0, 0.0, 0.0, 0.0 };
                if (f > 0.0 && p->lever == PS_LEVER_MONTHLY_SUBSIDY) {
                    c = monthly_cell(res, p, bo, y, reg);
                } else if (f > 0.0 && p->lever == PS_LEVER_CHILDCARE) {
                    c = childcare_cell(res, m, p, y, reg, &built);
                } else if (f > 0.0 && p->lever == PS_LEVER_LEAVE) {
                    c = leave_cell(res, m, p, bo, y, reg);
                } else if (f > 0.0 && p->lever == PS_LEVER_SPECIAL_FAMILY) {
                    ps_policy__special_family_cell(res, p, y, reg, &c.recipients, &c.cost);
                } else if (f > 0.0) {
                    c = birth_cell(res, p, y, reg);
                }
                size_t cell = ps_result_regcell(res, y, reg);
                double cost = c.cost * f + c.one_time;
                l->recipients[cell] = c.recipients * f;
                l->cost[cell] = cost;
                l->cost_discounted[cell] = cost / pow(1.0 + m->eco.discount_rate, y);
                split_payers(&l->cost_by_payer[ps_result_payercell(res, y, reg, 0)], p, &c, f,
                             cost);
            }
        }
    }
}

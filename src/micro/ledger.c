/*
 * ledger.c - the monthly child subsidy and its low-income top-up paid person by person
 * (issue #12, docs/policy.md sec. 7.5). On each 1 July the simulated children alive, under
 * the subsidy's max_age, of a paid order, born within eligibility (born_from, registration,
 * an eligible_share draw of their own) are counted by region, order and the income class
 * they share with their mother; a step pays 12 x amount for the mean of its two 1 July
 * counts (the trapezoid of the cohort ledger's child-years, sec. 3), times the part of the
 * step in force, times the scale. Draws come from the child's own LEDGER stream, fixed for
 * life, and the counts are integers, so the ledger is the same for any thread count.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "micro/micro_int.h"
#include "popsim/units.h"

/* Monthly subsidies: a step counts children on the two 1 July that bound it. */
#define ENDS_PER_STEP 2

struct ps_micro_ledger {
    const ps_policy *pol; /* borrowed */
    int n, n_regions, n_years, start_year;
    double scale;
    ps_birth_order bo;
    int64_t *now;      /* [instrument][reg][order][income] on the last 1 July counted */
    int64_t *before;   /* the same on the 1 July before */
    double *child_years; /* [instrument][year][reg][order][income], simulated persons */
    int years_done;
};

int ps_micro_topup_eligible(int income)
{
    return income == PS_INCOME_LOW || income == PS_INCOME_SUBSISTENCE;
}

void ps_micro_set_income_mult(ps_micro *m, const double *income_mult)
{
    m->opt.income_mult = income_mult;
}

/* Surviving newborns of a mother's step (scratch halves), and her parity after the step's
 * births: child h's parity before its birth is that minus the surviving newborns from h on
 * (a sibling of the same step who died or left is not seen, and 3+ is taken as reached by
 * the step's births: one child in about a thousand may be one order off). */
unsigned ps_micro__newborn_ledger_bits(unsigned mother_f, unsigned sc, unsigned h)
{
    unsigned later = 0;
    for (unsigned j = h; j < 2; ++j) {
        later += ((sc >> (j * PS_MS_HALF_BITS)) & PS_MS_SURVIVED) ? 1u : 0u;
    }
    const unsigned after = ps_mf_parity(mother_f);
    const unsigned before = after > later ? after - later : 0u;
    const unsigned order = before < PS_ORDER_COUNT ? before : PS_ORDER_COUNT - 1;
    return ((order + 1u) << PS_MF_ORDER_SHIFT) | (h == 1 ? PS_MF_SECOND_HALF : 0u);
}

static size_t count_cell(const ps_micro_ledger *l, int i, unsigned reg, unsigned k, unsigned inc)
{
    return (((size_t)i * (size_t)l->n_regions + reg) * PS_ORDER_COUNT + k) * PS_INCOME_COUNT +
           inc;
}

/* Birth order (0..2) and half (0, 1) of child id: recorded, or drawn once for life from the
 * base-year order shares and an even split of the step for children born before the run
 * and for arrivals. */
static void order_and_half(const ps_micro *m, const ps_micro_ledger *l, size_t id, unsigned f,
                           unsigned *order, unsigned *half)
{
    const unsigned rec = (f >> PS_MF_ORDER_SHIFT) & PS_MF_TWO_BITS;
    if (rec > 0) {
        *order = rec - 1u;
        *half = (f & PS_MF_SECOND_HALF) ? 1u : 0u;
        return;
    }
    uint32_t u[PS_LANES];
    double cum = 0.0;
    ps_micro__philox(u, m->key, (uint32_t)id, 0, PS_STREAM_LEDGER, 0);
    *order = PS_ORDER_COUNT - 1;
    for (unsigned k = 0; k + 1 < PS_ORDER_COUNT; ++k) {
        cum += l->bo.share[k];
        if (u[PS_LANE_0] < ps_micro__thr(cum)) {
            *order = k;
            break;
        }
    }
    *half = u[PS_LANE_1] < ps_micro__thr(PS_MID_YEAR_FRACTION) ? 1u : 0u;
}

/* Does child id (flags f, aged `age` on 1 July of year index y) qualify for subsidy i? */
static int qualifies(const ps_micro *m, const ps_micro_ledger *l, int i, size_t id, unsigned f,
                     unsigned age, int y, unsigned *order)
{
    const ps_policy *p = &l->pol[i];
    unsigned half = 0;
    const int registered = m->rules == NULL || (f & PS_MF_REGISTERED); /* all, without status */
    if ((int)age >= p->max_age || (p->requires_registered && !registered)) {
        return 0;
    }
    order_and_half(m, l, id, f, order, &half);
    /* Born in step y - age - 1: July-December of its first year or January-June after. */
    const int born = l->start_year + y - (int)age - 1 + (int)half;
    if (p->born_from > 0 && born < p->born_from) {
        return 0;
    }
    if (p->eligible_share >= 1.0) {
        return 1;
    }
    uint32_t u[PS_LANES];
    ps_micro__philox(u, m->key, (uint32_t)id, 0, PS_STREAM_LEDGER, (uint32_t)(1 + i));
    return u[PS_LANE_0] < ps_micro__thr(p->eligible_share);
}

/* Count the qualifying children of every monthly subsidy on the current 1 July into now. */
static void count_state(ps_micro_ledger *l, const ps_micro *m)
{
    const int y = m->step;
    int max_age = 0; /* the oldest age any subsidy pays for: nobody older is looked at */
    memset(l->now, 0, (size_t)l->n * (size_t)l->n_regions * PS_ORDER_COUNT * PS_INCOME_COUNT *
                          sizeof *l->now);
    for (int i = 0; i < l->n; ++i) {
        if (l->pol[i].lever == PS_LEVER_MONTHLY_SUBSIDY && l->pol[i].max_age > max_age) {
            max_age = l->pol[i].max_age;
        }
    }
    for (size_t wd = 0; max_age > 0 && wd * PS_MICRO_WORD_BITS < m->n; ++wd) {
        for (uint64_t bits = m->alive_bits[wd]; bits != 0; bits &= bits - 1) {
            const size_t id = wd * PS_MICRO_WORD_BITS + ps_micro__lowest_bit(bits);
            const unsigned f = m->flags[id], age = m->age[id];
            for (int i = 0; (int)age < max_age && i < l->n; ++i) {
                unsigned k = 0;
                if (l->pol[i].lever == PS_LEVER_MONTHLY_SUBSIDY &&
                    qualifies(m, l, i, id, f, age, y, &k)) {
                    l->now[count_cell(l, i, m->region[id], k, ps_mf_income(f))] += 1;
                }
            }
        }
    }
}

ps_status ps_micro_ledger_new(ps_micro_ledger **out, const ps_micro *m, const ps_policy *pol,
                              int n, const ps_birth_order *bo, ps_error *err)
{
    ps_micro_ledger *l = calloc(1, sizeof *l);
    const size_t cells = (size_t)(n > 0 ? n : 1) * (size_t)m->n_regions * PS_ORDER_COUNT *
                         PS_INCOME_COUNT;
    *out = NULL;
    if (l == NULL || (l->now = calloc(cells, sizeof *l->now)) == NULL ||
        (l->before = calloc(cells, sizeof *l->before)) == NULL ||
        (l->child_years = calloc(cells * (size_t)(m->n_steps + 1), sizeof *l->child_years)) ==
            NULL) {
        ps_micro_ledger_free(l);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the microsimulation's ledger");
    }
    l->pol = pol;
    l->n = n;
    l->n_regions = m->n_regions;
    l->n_years = m->n_steps + 1;
    l->start_year = m->in->start_year;
    l->scale = m->scale;
    l->bo = *bo;
    l->years_done = m->step;
    count_state(l, m);
    *out = l;
    return PS_OK;
}

void ps_micro_ledger_step(ps_micro_ledger *l, const ps_micro *m)
{
    const size_t per = (size_t)l->n_regions * PS_ORDER_COUNT * PS_INCOME_COUNT;
    const int y = l->years_done;
    int64_t *swap = l->before;
    l->before = l->now;
    l->now = swap;
    count_state(l, m);
    for (int i = 0; i < l->n; ++i) {
        double *cy = &l->child_years[((size_t)i * (size_t)l->n_years + (size_t)y) * per];
        for (size_t c = 0; c < per; ++c) {
            const size_t at = (size_t)i * per + c;
            cy[c] = (double)(l->before[at] + l->now[at]) / ENDS_PER_STEP;
        }
    }
    l->years_done = m->step;
}

/* Yuan per child per month of subsidy p for a child of order k and income class inc. */
static double monthly_pay(const ps_policy *p, unsigned k, unsigned inc)
{
    return p->amount[k] + (ps_micro_topup_eligible((int)inc) ? p->low_income_topup : 0.0);
}

void ps_micro_ledger_fill(ps_result *res, const ps_micro_ledger *l, const ps_policy_model *pm,
                          double discount_rate, double *cost_by_income)
{
    const size_t per = (size_t)l->n_regions * PS_ORDER_COUNT * PS_INCOME_COUNT;
    for (int i = 0; i < l->n && i < res->n_instruments; ++i) {
        const ps_policy *p = &l->pol[i];
        ps_ledger *led = &res->ledger[i];
        for (int y = 0; p->lever == PS_LEVER_MONTHLY_SUBSIDY && y < l->years_done; ++y) {
            const double f = ps_policy_step_share(pm, p, l->start_year + y) * l->scale;
            const double *cy = &l->child_years[((size_t)i * (size_t)l->n_years + (size_t)y) * per];
            for (int reg = 0; reg < l->n_regions; ++reg) {
                double kids = 0.0, cost = 0.0;
                for (unsigned k = 0; k < PS_ORDER_COUNT; ++k) {
                    for (unsigned inc = 0; inc < PS_INCOME_COUNT; ++inc) {
                        const double n_kids = cy[((size_t)reg * PS_ORDER_COUNT + k) *
                                                     PS_INCOME_COUNT + inc] * f;
                        const double pay = monthly_pay(p, k, inc);
                        const double c = n_kids * PS_MONTHS_PER_YEAR * pay;
                        kids += pay > 0.0 ? n_kids : 0.0;
                        cost += c;
                        if (cost_by_income != NULL) {
                            cost_by_income[((size_t)y * (size_t)l->n_regions + (size_t)reg) *
                                               PS_INCOME_COUNT + inc] += c;
                        }
                    }
                }
                const size_t cell = ps_result_regcell(res, y, reg);
                led->recipients[cell] = kids;
                led->cost[cell] = cost;
                led->cost_discounted[cell] = cost / pow(1.0 + discount_rate, y);
                ps_policy_split_cost(&led->cost_by_payer[ps_result_payercell(res, y, reg, 0)], p,
                                     cost);
            }
        }
    }
}

void ps_micro_topup_mult(double *income_mult, const ps_policy_model *pm, int year,
                         const double mult[PS_ORDER_COUNT])
{
    double extra[PS_ORDER_COUNT];
    ps_policy_topup_response(pm, year, extra);
    for (int inc = 0; inc < PS_INCOME_COUNT; ++inc) {
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            /* Responses add up (model.c): the class's multiplier is mult_k + extra_k. */
            income_mult[(size_t)inc * PS_ORDER_COUNT + (size_t)k] =
                ps_micro_topup_eligible(inc) && mult[k] > 0.0 ? 1.0 + extra[k] / mult[k] : 1.0;
        }
    }
}

void ps_micro_ledger_free(ps_micro_ledger *l)
{
    if (l == NULL) {
        return;
    }
    free(l->now);
    free(l->before);
    free(l->child_years);
    free(l);
}

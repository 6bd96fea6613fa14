/*
 * popsim/policy.h - family-policy levers, the fertility response to them, and what they
 * cost (docs/policy.md). Levers come from scenario files as plain data; ps_policy_* turns
 * them into birth multipliers by birth order for each projected year and into a fiscal
 * ledger per instrument. Response parameters and their low/default/high ranges come from
 * ../shared/docs/PARAMETERS.md sec. 1.
 */
#ifndef PS_POLICY_H
#define PS_POLICY_H

#include <math.h> /* NAN in PS_ECONOMY_INIT */
#include <stdint.h> /* int64_t */

#include "popsim/error.h"
#include "popsim/pop.h" /* PS_ORDER_COUNT, PS_PARITY_COUNT */

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ps_lever {
    PS_LEVER_BIRTH_REWARD = 0, /* one-time cash per birth, by birth order */
    PS_LEVER_MONTHLY_SUBSIDY,  /* cash per child per month under max_age, by birth order */
    PS_LEVER_CHILDCARE,        /* childcare supply and subsidies per enrolled child */
    PS_LEVER_LEAVE,            /* maternity, paternity and parental leave days */
    PS_LEVER_INSURANCE,        /* birth medical costs, employer and unemployment insurance */
    PS_LEVER_SPECIAL_FAMILY,   /* special family-planning families (计划生育特殊家庭特别扶助):
                                * monthly support per parent from an age; a cost, no response */
    PS_LEVER_COUNT
} ps_lever;

/** "birth_reward", "monthly_subsidy", "childcare", "leave", "insurance", "special_family". */
const char *ps_lever_name(ps_lever lever);

/* Who pays an instrument's cost (docs/policy.md sec. 7.1); the ledger's payer axis. */
typedef enum ps_payer {
    PS_PAYER_CENTRAL = 0,      /* central (and provincial transfer) budget */
    PS_PAYER_LOCAL,            /* the city's or county's own budget */
    PS_PAYER_SOCIAL_INSURANCE, /* social insurance funds (maternity / medical insurance) */
    PS_PAYER_EMPLOYER,         /* employers (wages during leave) */
    PS_PAYER_COUNT
} ps_payer;

/** "central", "local", "social_insurance", "employer". */
const char *ps_payer_name(ps_payer payer);

/*
 * One instrument in force from 1 January of start_year to 31 December of end_year.
 * Amounts in yuan (nominal). Fields that do not apply to the lever are 0.
 */
typedef struct ps_policy {
    ps_lever lever;
    char *name;     /* instrument name, the output group; owned */
    int start_year; /* first calendar year in force */
    int end_year;   /* last calendar year in force; 0 = until the end of the projection */
    /* birth_reward: yuan per birth; monthly_subsidy: yuan per child per month */
    double amount[PS_ORDER_COUNT];
    double eligible_share;   /* share of births/children that qualify, [0, 1], default 1 */
    int requires_registered; /* cash levers: 1 = only children of registered (hukou) mothers
                              * qualify (issue #13; needs a result with registration) */
    int max_age;             /* monthly_subsidy: paid while the child is under this age, years;
                              * leave: parental days are granted each year while the child
                              * is under this age, to each parent */
    int born_from;           /* monthly_subsidy: only children born from 1 January of this year
                              * (0 = every child under max_age) */
    double low_income_topup; /* monthly_subsidy: extra yuan per month for low-income families */
    double low_income_share; /* share of children in low-income families, [0, 1] */
    /* childcare */
    double spots_per_1000;      /* supply target, spots per 1,000 total population (0 = keep) */
    double operating_subsidy;   /* yuan per enrolled child per month, paid to providers */
    double fee_subsidy;         /* yuan per enrolled child per month, paid to families */
    double construction_subsidy; /* yuan per new spot, one-time */
    /* leave: days in force (compared with the economy's baseline days) */
    double maternity_days, paternity_days, parental_days;
    double paid_share; /* share of leave days paid at the full wage, [0, 1] */
    /* insurance */
    double medical_per_birth;                    /* yuan of birth costs covered per birth */
    double employer_si_share[PS_ORDER_COUNT];    /* share of employer contributions refunded */
    double employer_si_months;                   /* months refunded per birth */
    double employer_si_monthly;                  /* employer contributions per month, yuan */
    double employed_share;                       /* mothers in covered employment, [0, 1] */
    double unemployment_per_birth;               /* extra unemployment benefit, yuan per birth */
    double unemployed_share;                     /* mothers drawing unemployment benefit */
    /* special_family (docs/policy.md sec. 8): parents of an only child who died or is
     * disabled get parent_monthly from parent_from_age on; parent_share is the share of all
     * persons of those ages who are such parents. */
    double parent_monthly; /* yuan per eligible parent per month */
    int parent_from_age;   /* paid from this age, years (49 in the national rule) */
    double parent_share;   /* share of persons aged parent_from_age+ who qualify, [0, 1] */
    /* Who pays: shares of the cost by ps_payer summing to 1, or all NaN or all 0 for the
     * lever's default split (ps_policy_default_payers; leave and childcare split by
     * component). */
    double payer_share[PS_PAYER_COUNT];
} ps_policy;

/* How strongly births respond (ranges in docs/policy.md). NaN in a scenario = preset. */
typedef struct ps_response {
    double cash_elasticity;     /* % more births per 1 % of household income in benefit value */
    double quantum_share;       /* share of the cash and leave response that is permanent */
    double order_weight[PS_ORDER_COUNT];     /* cash response by order relative to average */
    double lag_months;          /* from a policy's start to the first affected births */
    double tempo_years;         /* years over which births are brought forward */
    double payback_years;       /* years over which brought-forward births are paid back */
    double childcare_per_10pp;  /* % more births per +10 points of under-3 enrollment */
    double childcare_weight[PS_ORDER_COUNT]; /* childcare response by order */
    double leave_per_3_months;  /* % more births per 3 extra months of paid leave (tempo) */
    double paternity_per_10_days; /* % more births per 10 paternity days (quantum) */
    double employer_pass_through; /* household value of an employer insurance subsidy, [0, 1] */
} ps_response;

typedef enum ps_elasticity {
    PS_ELASTICITY_DEFAULT = 0,
    PS_ELASTICITY_LOW,
    PS_ELASTICITY_HIGH,
    PS_ELASTICITY_COUNT
} ps_elasticity;

/** "default", "low", "high". */
const char *ps_elasticity_name(ps_elasticity e);

/** The preset of a range (PARAMETERS.md sec. 1). */
void ps_response_preset(ps_response *out, ps_elasticity e);

/** Replace every non-NaN field of `overrides` into `r`. */
void ps_response_apply(ps_response *r, const ps_response *overrides);

/** A response with every field NaN ("nothing overridden"). */
void ps_response_unset(ps_response *r);

/* A budget cap by calendar year (docs/policy.md sec. 7.3): a step table, value[i] holds from
 * year[i] to year[i+1] - 1 (the last to the end), no cap before year[0]; years increase. */
#define PS_CAP_YEARS_MAX 32
typedef struct ps_cap_table {
    int n; /* points; 0 = no table */
    int year[PS_CAP_YEARS_MAX];
    double value[PS_CAP_YEARS_MAX]; /* yuan per year, nominal, >= 0 */
} ps_cap_table;

/** The cap of a table in calendar `year`, yuan; NaN before its first year or without points. */
double ps_cap_table_at(const ps_cap_table *t, int year);

/* The economic setting of a scenario (defaults in docs/policy.md). */
typedef struct ps_economy {
    double household_income;      /* yuan per household per year */
    double discount_rate;         /* per year, for discounted costs */
    double childcare_spots_per_1000; /* baseline supply, spots per 1,000 population */
    double childcare_enrollment;  /* baseline share of under-3s enrolled */
    double childcare_ceiling;     /* share of under-3s whose families want a place */
    double childcare_fee;         /* yuan per month, before subsidies */
    double childcare_price_elasticity; /* rise in wanted places per 1 % fee cut, % */
    double maternity_days;        /* baseline paid maternity leave, days */
    double paternity_days;        /* baseline paternity leave, days */
    double parental_days;         /* baseline parental leave, days */
    double monthly_wage;          /* average wage for leave costs, yuan per month */
    /* Budget cap per ps_payer, yuan per year, nominal (NaN = none): reported as met or
     * exceeded, never enforced (docs/policy.md sec. 7.3). */
    double budget_cap[PS_PAYER_COUNT];
    /* Or by year: a payer with a table (n > 0) has budget_cap NaN and this instead. */
    ps_cap_table budget_cap_by_year[PS_PAYER_COUNT];
} ps_economy;

#define PS_ECONOMY_INIT                                                                    \
    { .household_income = 107000.0, .discount_rate = 0.08, .childcare_spots_per_1000 = 4.08, \
      .childcare_enrollment = 0.10, .childcare_ceiling = 0.33, .childcare_fee = 1900.0,     \
      .childcare_price_elasticity = 0.5, .maternity_days = 98.0, .paternity_days = 0.0,     \
      .parental_days = 0.0, .monthly_wage = 10000.0,                                      \
      .budget_cap = { NAN, NAN, NAN, NAN } }

/* Birth order of births in the base year (shares of 1st, 2nd, 3rd+), used to calibrate the
 * parity model. */
typedef struct ps_birth_order {
    double share[PS_ORDER_COUNT];
    /* Mean age at first birth in the base step, years (the mean exact age at birth of the
     * step's first births, docs/model.md sec. 2.6): the first-order intensity curve is
     * fitted to it; 0 = not fitted (a Hadwiger curve of mean age 27.5). */
    double first_mean_age;
    /* Share of childless women at ages 45-49 in the base year: the first-order level of the
     * years before the base step is fitted to it (issue #12); 0 = not fitted. */
    double childless_45_49;
    /* Joint fit of the base parity (issue #12, docs/model.md sec. 2.6 "Joint fit"): the share
     * of second births among the births of the history's years second_share_from ..
     * second_share_to (0 = not fitted), reached through the second-order level of the
     * history; and the calendar year of the history whose first births have first_mean_age
     * (0 = the base step, as without a joint fit). With second_share or first_mean_age_year
     * given, every given target (with childless_45_49 and first_mean_age) is solved at once. */
    double second_share;
    int64_t second_share_from, second_share_to; /* calendar years, inclusive (int64_t: the
                                                 * scenario's whole numbers) */
    int64_t first_mean_age_year;
} ps_birth_order;

#define PS_BIRTH_ORDER_INIT                                                                 \
    { .share = { 0.45, 0.42, 0.13 }, .first_mean_age = 0.0, .second_share = 0.0,           \
      .second_share_from = 2017, .second_share_to = 2021, .first_mean_age_year = 0 }

/* What the joint fit of the base parity found (ps_proj_parity_fit): its parameters and the
 * targets it reached, over all regions together (NaN where not computed). */
typedef struct ps_parity_fit {
    int joint;                 /* 1 when the joint fit ran, else 0 */
    int iterations;            /* Newton iterations of the joint fit */
    double first_level;        /* multiplier b1 of the first-order level in the history */
    double second_level;       /* multiplier b2 of the second-order level in the history */
    double first_shape_age;    /* mean age of the first-order shape g_1, years */
    double childless_45_49;    /* share of the base women aged 45-49 with no child */
    double second_share;       /* second births / births, years second_share_from..to */
    double first_mean_age;     /* mean age at first birth in first_mean_age_year (or base) */
    int base_year;             /* the base year (the childless share's) */
    int second_share_from, second_share_to; /* the years of second_share */
    int first_mean_age_year;   /* the year of first_mean_age (the base year if not given) */
} ps_parity_fit;

/* ---- the response model over a projection (src/policy/model.c) ---------------------- */

typedef struct ps_policy_model ps_policy_model; /* opaque; holds the tempo bookkeeping */

/**
 * Prepare the response to `n` policies (borrowed, must outlive the model) over steps
 * start_year..end_year-1. base_population and base_under3 (persons on 1 July start_year)
 * calibrate the occupancy of childcare places so that the economy's baseline enrollment is
 * reproduced by its baseline supply.
 * @return PS_OK; PS_EINVAL for a response or economy out of range; PS_ENOMEM
 */
ps_status ps_policy_model_new(ps_policy_model **out, const ps_policy *policies, int n,
                              const ps_response *response, const ps_economy *economy,
                              int start_year, int end_year, double base_population,
                              double base_under3, ps_error *err);

/**
 * Multipliers of births by order for the step from 1 July `year`, given the population and
 * the children aged 0-2 on 1 July `year`. All exactly 1 when no lever acts in the step.
 */
/**
 * The share of births to registered (hukou) mothers in the coming step, [0, 1] (1 without
 * registration status, the default): levers with requires_registered pay, and their response
 * acts on, that share of the births (docs/model.md sec. 8).
 */
void ps_policy_set_registered_share(ps_policy_model *m, double share);

void ps_policy_multipliers(ps_policy_model *m, int year, double population, double under3,
                           double mult_out[PS_ORDER_COUNT]);

/** Report the births by order the step just projected with the last multipliers (tempo
 * bookkeeping: births brought forward are counted and later paid back). */
void ps_policy_observe(ps_policy_model *m, const double births[PS_ORDER_COUNT]);

/**
 * Share of children aged 0-2 enrolled in childcare in the step from 1 July `year`, with
 * (`with_policy` = 1) or without the scenario's childcare levers.
 */
double ps_policy_enrollment(const ps_policy_model *m, int year, double population, double under3,
                            int with_policy);

/** Brought-forward births not yet paid back at the end of the run (persons, all orders). */
double ps_policy_tempo_debt(const ps_policy_model *m);

/** The resolved response and economy the model uses. */
const ps_response *ps_policy_model_response(const ps_policy_model *m);

void ps_policy_model_free(ps_policy_model *m); /* accepts NULL */

struct ps_result;

/**
 * The fiscal ledger of a finished run: for every policy (res->ledger[i] belongs to
 * policies[i]) and projected year, recipients and cost in yuan, nominal and discounted
 * (docs/policy.md sec. 3). Needs res->births_by_order; cohorts born before the start year
 * take the base-year order shares `bo`.
 */
void ps_policy_ledger(struct ps_result *res, const ps_policy_model *m, const ps_birth_order *bo);

/**
 * The default payer split of a lever (docs/policy.md sec. 7.1): birth rewards, monthly
 * subsidies and childcare the local budget, insurance the social insurance fund, leave the
 * social insurance fund for maternity days and employers for paternity and parental days
 * (out receives the maternity split; ps_policy_ledger splits leave by component).
 */
void ps_policy_default_payers(double out[PS_PAYER_COUNT], ps_lever lever);

/** Cost of all instruments borne by `payer` in projection year index y, all regions, yuan;
 * discounted to the start year when `discounted` (like each instrument's cost_discounted). */
double ps_policy_payer_cost(const struct ps_result *res, int y, ps_payer payer, int discounted);

/** Cost of instrument i borne by `payer` over all years and regions, yuan. */
double ps_policy_instrument_payer_total(const struct ps_result *res, int i, ps_payer payer,
                                        int discounted);

/** The cap of `payer` in projection year index y, yuan: its cap by year
 * (res->budget_cap_by_year) if it has one, else res->budget_cap; NaN = no cap that year. */
double ps_policy_budget_cap(const struct ps_result *res, int y, ps_payer payer);

/** Whether `payer` has a cap in any year of the result. */
int ps_policy_has_budget_cap(const struct ps_result *res, ps_payer payer);

/**
 * Fill res->budget_cap and, for payers with a table, res->budget_cap_by_year (allocated,
 * one value per year of the result, the last NaN like every event variable) from `eco`.
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_policy_set_budget_caps(struct ps_result *res, const ps_economy *eco, ps_error *err);

/** dst's budget caps (budget_cap and budget_cap_by_year) as src's, same years.
 * @return PS_OK; PS_ENOMEM */
ps_status ps_policy_copy_budget_caps(struct ps_result *dst, const struct ps_result *src,
                                     ps_error *err);

/** How far payer's cost of year index y exceeds its budget cap, yuan (0 = met); NaN
 * without a cap or a cost. */
double ps_policy_budget_excess(const struct ps_result *res, int y, ps_payer payer);

/**
 * First-generation gains (docs/policy.md sec. 7.2): fills births_gained_first_gen,
 * births_gained_first_gen_window and births_gained_window_share of res, which holds
 * births_gained, the window and discount_rate, by subtracting the births of the women the
 * policy's own extra births added (res minus base, by age, times res's fertility rates).
 * @return the first-generation gains within the window discounted at res->discount_rate;
 *         NaN without a baseline or a window (res then unchanged)
 */
double ps_policy_first_generation(struct ps_result *res, const struct ps_result *base);

/* ---- for the microsimulation's ledger and income classes (docs/policy.md sec. 7.5) ---- */

/** Part of the step from 1 July `year` in which policy p (one of the model's) is in force,
 * [0, 1] (the factor of the ledger's recurring cost). */
double ps_policy_step_share(const ps_policy_model *m, const ps_policy *p, int year);

/**
 * The extra relative response, by order, of a family that gets the low-income top-ups of
 * the model's monthly subsidies in force in the step from 1 July `year`: the saturating
 * cash response to the amount plus the top-up minus that to the amount alone (quantum part
 * over the effect window, tempo part over the tempo window). The model must have been built
 * with low_income_share 0, so that its multipliers hold no top-up.
 */
void ps_policy_topup_response(const ps_policy_model *m, int year, double out[PS_ORDER_COUNT]);

/** Split `cost` (yuan) of a lever without components (birth reward, monthly subsidy,
 * insurance) by payer as ps_policy_ledger does: the policy's shares or the default. */
void ps_policy_split_cost(double out[PS_PAYER_COUNT], const ps_policy *p, double cost);

/**
 * ps_result_init_ledgers (popsim/result.h) with each instrument's lever set: the baseline
 * name, births_gained and n_instruments NaN-filled ledgers named `names`.
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_result_init_policy(struct ps_result *r, const char *baseline, int n_instruments,
                                const char *const *names, const ps_lever *levers, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_POLICY_H */

/*
 * popsim/result.h - the projected population and its events for one scenario, the
 * data behind one /scenarios/<name>/ group of the output file.
 *
 * Year index y runs over n_years = end_year - start_year + 1 values of 1 July.
 * population[y] is the state on 1 July (start_year + y). Event arrays at y hold the
 * events of [1 July year, 1 July year+1); their last year has no step and holds NaN,
 * which is also the _FillValue written to the file.
 *
 * Deaths and net migration are indexed by the age the cohort reaches on 1 July year+1
 * (age 0 = the year's birth cohort; the open group takes both the 99- and 100+-year-olds),
 * so that for every cell  population[y+1][a] = population[y][a-1] + (a == 0 ? births : 0)
 * - deaths[y][a] + net_migration[y][a]  holds exactly (docs/model.md).
 */
#ifndef PS_RESULT_H
#define PS_RESULT_H

#include <stddef.h>

#include "popsim/error.h"
#include "popsim/pop.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Who pays a policy instrument's cost (popsim/policy.h: ps_payer, in this order: central
 * budget, local budget, social insurance fund, employers). */
#define PS_LEDGER_PAYERS 4

/* What one policy instrument pays, year by year (the fiscal ledger). */
typedef struct ps_ledger {
    char *name;              /* instrument name (output group); owned */
    int lever;               /* a ps_lever (popsim/policy.h, the layer that sets it) */
    double *recipients;      /* [year][reg] persons paid (children, births, enrolled, mothers) */
    double *cost;            /* [year][reg] yuan, nominal, in the year from 1 July */
    double *cost_discounted; /* [year][reg] yuan discounted to 1 July of the start year */
    double *cost_by_payer;   /* [year][reg][payer] yuan, nominal: cost split by who pays it
                              * (sums to cost; PS_LEDGER_PAYERS payers) */
} ps_ledger;

/* One service's outputs, /scenarios/<name>/services/<service>/ (popsim/services.h).
 * Arrays are [year][reg] unless stated; every year has a value (services are stocks). */
typedef struct ps_svc_result {
    char *name;          /* owned */
    char *title;         /* owned, may be NULL */
    int kind;            /* ps_svc_kind */
    int basis;           /* ps_svc_basis */
    int basis_age_lo, basis_age_hi; /* PS_SVC_BASIS_AGES: the ages the target counts */
    int n_classes;
    char **class_names;  /* owned */
    int n_home;
    char **home_names;   /* owned */
    double *target;      /* [year] target per 1,000 of the basis, or places; NaN if none */
    double *demand;      /* users (persons using or needing the service) */
    double *capacity;    /* places implied by the target; NaN without a target */
    double *shortage;    /* max(0, demand / occupancy - capacity), places */
    double *surplus;     /* max(0, capacity - demand / occupancy), places */
    double *utilization; /* demand / capacity */
    double *per_1000;    /* places the demand needs (demand / occupancy) per 1,000 of the
                          * basis (total population when the basis is not per 1,000) */
    double *staff;       /* staff to serve the demand */
    double *groups;      /* classes or rooms (users / users_per_group) */
    double *cost;        /* operating cost of serving the demand, yuan per year */
    double *fees;        /* fees paid by families, yuan per year */
    double *subsidy;     /* public subsidies (per user, and per new place), yuan per year */
    double *subsidy_recipients; /* users whose subsidy is paid */
    double *new_places;  /* capacity added since the previous year (0 in the first) */
    double *nursing_capacity; /* nursing-type places at the service's share; NULL if none */
    double *demand_by_class;  /* [year][reg][class] */
    double *home_services;    /* [year][reg][home]; NULL without home services */
    /* Against the existing stock (docs/services.md sec. 8); NULL without a stock file, except
     * demand_served, also there with a cross-district share. */
    double *stock;         /* places and beds in the stock file (carried forward) */
    double *stock_public;  /* public or inclusive places of the stock; NaN if not known */
    double *stock_staff;   /* staff of the stock, persons */
    double *demand_served; /* users served in the region after cross-district use */
    double *gap_target;    /* stock - capacity, places (+ spare, - missing); NaN without target */
    double *gap_demand;    /* stock - demand_served / occupancy, places */
    double *build;         /* places to build in the year to meet the target (docs/services.md sec. 8.1) */
} ps_svc_result;

/* The microsimulation's own outputs (popsim/micro.h), typed and released by that layer. */
struct ps_result_micro;

typedef struct ps_result {
    char *name;          /* scenario name, a valid HDF5 link name; owned */
    char *title;         /* free text for people; owned, may be NULL */
    int start_year;      /* first 1 July */
    int n_years;         /* number of 1 July states, >= 2 */
    int n_regions;
    int n_ages;          /* last age is the open group */
    char **region_names; /* n_regions strings; owned */
    double *population;    /* [year][reg][sex][age] persons on 1 July */
    double *births;        /* [year][reg][sex] live births in the step, persons */
    double *deaths;        /* [year][reg][sex][age] deaths in the step by age at end of step */
    double *net_migration; /* [year][reg][sex][age] net migrants credited to the cohort */
    double *asfr;          /* [year][reg][age] births per woman-year */
    double *tfr;           /* [year][reg] children per woman */
    double *e0;            /* [year][reg][sex] life expectancy at birth of the step's life table, years */
    double emigration_shortfall; /* persons of net emigration not applied because cohorts
                                  * would have become negative (0 in a consistent run) */

    /* Birth order (NULL when the run did not track parity). */
    double *births_by_order; /* [year][reg][order] live births by order 1, 2, 3+ */
    double *women_by_parity; /* [year][reg][age][parity] women on 1 July by parity 0..3+ */
    /* Jump-off calibration (issue #12): [year] factor applied to the ASFR of the year from
     * 1 July (NaN in the last year); NULL when the scenario has no calibrate_births. */
    double *fertility_calibration;

    /* Policy (n_instruments = 0 and baseline = NULL for a scenario without one). */
    char *baseline;            /* name of the scenario this one is compared with; owned */
    int n_instruments;
    ps_ledger *ledger;         /* n_instruments entries; owned */
    double *births_gained;     /* [year][reg] births minus the baseline's births */
    double births_gained_total;        /* over all steps; NaN without a baseline */
    double cost_total;                 /* yuan, nominal, all instruments and steps */
    double cost_total_discounted;      /* yuan, discounted to the start year */
    double cost_per_additional_birth;  /* cost_total / births_gained_total; NaN if <= 0 */
    double cost_per_additional_birth_discounted; /* cost_total_discounted /
                                                  * births_gained_discounted */
    double births_gained_discounted; /* births gained of year y weighted (1 + r)^-y, like the
                                      * cost; NaN without a baseline */
    double discount_rate;            /* r, per year, of the ledger; NaN without one */
    /* Within the policy horizon: calendar years window_first..window_last (the policies'
     * window plus the response's payback years; NaN without policies), births gained in
     * those projection years and the instruments' cost of the same years per birth. */
    double window_first, window_last;
    double births_gained_window, births_gained_window_discounted;
    double cost_per_additional_birth_window, cost_per_additional_birth_window_discounted;
    double service_subsidy_extra;            /* yuan: service subsidies minus the baseline's,
                                              * counted in cost_per_additional_birth; NaN
                                              * without a baseline or services */
    double service_subsidy_extra_discounted;
    /* First-generation gains (issue #12, docs/policy.md sec. 7.2): births gained minus the
     * births of the extra women the policy's own births added (their daughters' births), over
     * the horizon and within the window; window_share = births_gained_window /
     * births_gained_total. NaN without a baseline. */
    double births_gained_first_gen, births_gained_first_gen_window;
    double births_gained_window_share;
    /* Budget caps per payer, yuan per year (NaN = no cap), docs/policy.md sec. 7.3. */
    double budget_cap[PS_LEDGER_PAYERS];
    /* Budget caps by year (economy.budget_cap_* given as a table): [year] yuan, the cap of the
     * year from 1 July (NaN = none that year, and in the last year); NULL for a payer whose
     * cap is budget_cap in every year. Owned. */
    double *budget_cap_by_year[PS_LEDGER_PAYERS];

    /* Services (n_services = 0 without), care need and dependency (services.h). */
    int n_services;
    ps_svc_result *services;  /* owned */
    int n_care_levels;
    char **care_level_names;  /* owned */
    double *care_need;        /* [year][reg][level] persons aged 60+ in each care-need level */
    double *dependency;       /* [year][reg][3]: old-age (65+), child (0-14) and total, per
                               * 100 persons aged 15-64; NULL until ps_services_compute */

    /* Internal migration between regions (NULL without flows, popsim/flows.h): migrants
     * credited to the cohort by its age at the end of the step, like net_migration (which
     * includes them); net = in - out. flows is the optional origin-destination output. */
    double *internal_in;  /* [year][reg][sex][age] */
    double *internal_out; /* [year][reg][sex][age] */
    double *internal_net; /* [year][reg][sex][age] */
    double *flows;        /* [year][orig][dest][sex][age] by age at migration; NULL if not asked */
    double *registered;   /* [year][reg][sex][age] registered (hukou) residents on 1 July, a
                           * part of population; NULL without registration (popsim/status.h) */

    /* Microsimulation outputs (popsim/micro.h); NULL for the cohort engine; owned and
     * released by micro_free, which the micro layer sets together with micro. */
    struct ps_result_micro *micro;
    void (*micro_free)(struct ps_result_micro *micro);

    /* The low / default / high range of a policy variant's results and the instruments as
     * stated (popsim/range.h, issue #12); NULL without one; one block, owned (free). */
    struct ps_policy_range *range;
} ps_result;

#define PS_DEPENDENCY_OLD 0
#define PS_DEPENDENCY_CHILD 1
#define PS_DEPENDENCY_TOTAL 2
#define PS_DEPENDENCY_COUNT 3

static inline size_t ps_result_cell(const ps_result *r, int year, int reg, int sex, int age)
{
    return (((size_t)year * (size_t)r->n_regions + (size_t)reg) * PS_SEX_COUNT + (size_t)sex) *
               (size_t)r->n_ages + (size_t)age;
}

static inline size_t ps_result_sexcell(const ps_result *r, int year, int reg, int sex)
{
    return ((size_t)year * (size_t)r->n_regions + (size_t)reg) * PS_SEX_COUNT + (size_t)sex;
}

static inline size_t ps_result_agecell(const ps_result *r, int year, int reg, int age)
{
    return ((size_t)year * (size_t)r->n_regions + (size_t)reg) * (size_t)r->n_ages + (size_t)age;
}

static inline size_t ps_result_regcell(const ps_result *r, int year, int reg)
{
    return (size_t)year * (size_t)r->n_regions + (size_t)reg;
}

/* Calendar years any result may span, whoever builds it: start_year + n_years and every loop
 * over years in the readers (plot, report, compare, targets, info) stay far from INT_MAX.
 * Wide, because tests project thousands of years; result files are held to 1500..3000
 * (src/io/h5guard_int.h, issue #17). */
#define PS_RESULT_YEAR_MIN 0
#define PS_RESULT_YEAR_MAX 100000

/**
 * Allocate a result with every array filled with NaN and copies of name, title and the
 * region names (title may be NULL; region_names may be NULL for "region1"..).
 * @return PS_OK; PS_EINVAL for n_years < 2, n_regions < 1, n_ages < 2, or years outside
 *         PS_RESULT_YEAR_MIN..PS_RESULT_YEAR_MAX; PS_ENOMEM
 */
ps_status ps_result_init(ps_result *r, const char *name, const char *title, int start_year,
                         int n_years, int n_regions, int n_ages, const char *const *region_names,
                         ps_error *err);

/** Total population on 1 July of `year` (calendar), all regions; NaN outside the range. */
double ps_result_total(const ps_result *r, int year);

/** Persons aged age_lo..age_hi on 1 July of `year`, all regions, both sexes. */
double ps_result_age_range(const ps_result *r, int year, int age_lo, int age_hi);

/** Births of the step starting 1 July `year`, all regions, both sexes (NaN for the last year). */
double ps_result_births(const ps_result *r, int year);

/** Deaths of the step starting 1 July `year`, all regions (NaN for the last year). */
double ps_result_deaths(const ps_result *r, int year);

/**
 * Allocate the birth-order arrays (NaN-filled).
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_result_init_parity(ps_result *r, ps_error *err);

/**
 * Allocate the policy part: the baseline name, births_gained and n_instruments ledgers
 * with the given names (all values NaN, every lever 0). The policy layer's
 * ps_result_init_policy (popsim/policy.h) also sets the levers.
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_result_init_ledgers(ps_result *r, const char *baseline, int n_instruments,
                                 const char *const *names, ps_error *err);

static inline size_t ps_result_payercell(const ps_result *r, int year, int reg, int payer)
{
    return ((size_t)year * (size_t)r->n_regions + (size_t)reg) * PS_LEDGER_PAYERS + (size_t)payer;
}

static inline size_t ps_result_ordercell(const ps_result *r, int year, int reg, int order)
{
    return ((size_t)year * (size_t)r->n_regions + (size_t)reg) * PS_ORDER_COUNT + (size_t)order;
}

static inline size_t ps_result_paritycell(const ps_result *r, int year, int reg, int age,
                                          int parity)
{
    return (((size_t)year * (size_t)r->n_regions + (size_t)reg) * (size_t)r->n_ages +
            (size_t)age) * PS_PARITY_COUNT + (size_t)parity;
}

/**
 * Allocate the internal-migration arrays (NaN-filled); flows stays NULL.
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_result_init_internal(ps_result *r, ps_error *err);

/**
 * Allocate the optional origin-destination flows array (NaN-filled),
 * n_years x n_regions^2 x sexes x ages doubles.
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_result_init_flows(ps_result *r, ps_error *err);

/** Release the services, care-need and dependency parts only (see popsim/services.h). */
void ps_result_release_services(ps_result *r);

/** Release everything the struct owns; accepts a zeroed struct. */
void ps_result_release(ps_result *r);

#ifdef __cplusplus
}
#endif
#endif /* PS_RESULT_H */

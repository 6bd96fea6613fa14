/*
 * h5schema.c - the result file's schema as tables (src/io/h5schema_int.h): dimensions,
 * variables, units and long names, the one source the writer, the reader and the test of
 * docs/output-format.md (test_h5schema) take them from; and the HDF5 helpers that writer and
 * reader share. Layout and units: docs/output-format.md.
 */
#include "h5schema_int.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "popsim/h5out.h" /* PS_PROVENANCE_COLUMNS */
#include "popsim/policy.h"
#include "popsim/services.h"

const dim_spec dim_specs[DIM_COUNT] = {
    [DIM_YEAR] = { "year", "year", "calendar year (1 July)", NULL },
    [DIM_REGION] = { "region", NULL, "region", NULL },
    [DIM_SEX] = { "sex", NULL, "sex", NULL },
    [DIM_AGE] = { "age", "years", "age in completed years", NULL },
    [DIM_ORDER] = { "order", NULL, "birth order", "3 = third and later births" },
    [DIM_PARITY] = { "parity", NULL, "number of children ever born",
                     "3 = three or more children" },
    [DIM_CLASS] = { "class", NULL, "class of the service (age band and care-need level)", NULL },
    [DIM_HOME] = { "home_service", NULL, "service delivered at home", NULL },
    [DIM_LEVEL] = { "level", NULL, "care-need level", NULL },
    [DIM_INCOME] = { "income", NULL, "income class of the household", NULL },
    [DIM_HAS_CHILD] = { "has_child", NULL,
                        "whether a living child aged 15-64 lives in the same region", NULL },
    [DIM_REPLICATE] = { "replicate", NULL, "replicate of the microsimulation", NULL },
    [DIM_PERSON] = { "person", NULL, "sampled person record", NULL },
    [DIM_SCENARIO] = { "scenario", NULL, "scenario of the family (its group /scenarios/<name>)",
                       NULL },
    [DIM_ORIGIN] = { "origin", NULL, "region the migrants leave", NULL },
    [DIM_DESTINATION] = { "destination", NULL, "region the migrants move to", NULL },
    [DIM_ELASTICITY] = { "elasticity", NULL, "preset of the fertility response to policy",
                         "low, default, high (docs/policy.md sec. 6)" },
    [DIM_TERM] = { "term", NULL, "term of the instrument as the scenario states it", NULL },
    [DIM_PAYER] = { "payer", NULL, "who pays the cost",
                    "central budget, local budget, social insurance fund, employers" },
};

/* /scenarios/<name>/response/ (issue #12): the response parameters of each preset, then the
 * measures of popsim/range.h in their order. */
const char range_group[] = "response";
const var_spec range_specs[RANGE_VAR_COUNT] = {
    { "cash_elasticity", 1, { DIM_ELASTICITY }, "elasticity",
      "% more births per 1 % of household income paid as cash benefit" },
    { "quantum_share", 1, { DIM_ELASTICITY }, "share",
      "share of the cash and leave response that is permanent (not timing)" },
    { "lag_months", 1, { DIM_ELASTICITY }, "months",
      "from a policy's start to the first affected births" },
    { "tempo_years", 1, { DIM_ELASTICITY }, "years",
      "years over which births are brought forward" },
    { "payback_years", 1, { DIM_ELASTICITY }, "years",
      "years over which brought-forward births are paid back" },
    { "childcare_per_10pp", 1, { DIM_ELASTICITY }, "percent more births",
      "% more births per +10 points of under-3 childcare enrollment" },
    { "leave_per_3_months", 1, { DIM_ELASTICITY }, "percent more births",
      "% more births per 3 extra months of paid leave" },
    { "paternity_per_10_days", 1, { DIM_ELASTICITY }, "percent more births",
      "% more births per 10 days of paternity leave" },
    { "employer_pass_through", 1, { DIM_ELASTICITY }, "share",
      "household value of an employer insurance subsidy, share" },
    { "births_gained", 1, { DIM_ELASTICITY }, "persons",
      "births minus the baseline's over the projection, under the preset" },
    { "births_gained_discounted", 1, { DIM_ELASTICITY }, "persons",
      "births gained weighted (1 + r)^-y, under the preset" },
    { "births_gained_window", 1, { DIM_ELASTICITY }, "persons",
      "births gained within the policy window plus payback years, under the preset" },
    { "births_gained_window_discounted", 1, { DIM_ELASTICITY }, "persons",
      "births gained within the window, discounted, under the preset" },
    { "cost_total", 1, { DIM_ELASTICITY }, "yuan",
      "cost of the instruments over the projection, nominal, under the preset" },
    { "cost_total_discounted", 1, { DIM_ELASTICITY }, "yuan",
      "cost of the instruments discounted to the start year, under the preset" },
    { "cost_per_additional_birth", 1, { DIM_ELASTICITY }, "yuan",
      "nominal cost per birth gained, under the preset" },
    { "cost_per_additional_birth_discounted", 1, { DIM_ELASTICITY }, "yuan",
      "discounted cost per discounted birth gained, under the preset" },
    { "cost_per_additional_birth_window", 1, { DIM_ELASTICITY }, "yuan",
      "cost per birth gained within the window, under the preset" },
    { "cost_per_additional_birth_window_discounted", 1, { DIM_ELASTICITY }, "yuan",
      "discounted cost per discounted birth gained within the window, under the preset" },
};

const var_spec stated_spec = {
    "stated", 1, { DIM_TERM }, "as stated",
    "the instrument as the scenario states it: yuan, yuan per month, years, calendar years, "
    "days or shares by term (docs/output-format.md)"
};

const var_spec var_specs[VAR_COUNT] = {
    [VAR_POPULATION] = { "population", 4, { DIM_YEAR, DIM_REGION, DIM_SEX, DIM_AGE }, "persons",
                         "population on 1 July" },
    [VAR_BIRTHS] = { "births", 3, { DIM_YEAR, DIM_REGION, DIM_SEX }, "persons",
                     "live births from 1 July of year to 1 July of year+1" },
    [VAR_DEATHS] = { "deaths", 4, { DIM_YEAR, DIM_REGION, DIM_SEX, DIM_AGE }, "persons",
                     "deaths in the year by age at the end of the year (cohort)" },
    [VAR_NET_MIGRATION] = { "net_migration", 4, { DIM_YEAR, DIM_REGION, DIM_SEX, DIM_AGE },
                            "persons",
                            "net migrants in the year by age at the end of the year (cohort)" },
    [VAR_ASFR] = { "asfr", 3, { DIM_YEAR, DIM_REGION, DIM_AGE }, "1/year",
                   "age-specific fertility rate" },
    [VAR_TFR] = { "tfr", 2, { DIM_YEAR, DIM_REGION }, "children per woman",
                  "total fertility rate" },
    [VAR_E0] = { "e0", 3, { DIM_YEAR, DIM_REGION, DIM_SEX }, "years", "life expectancy at birth" },
    [VAR_BIRTHS_BY_ORDER] = { "births_by_order", 3, { DIM_YEAR, DIM_REGION, DIM_ORDER },
                              "persons", "live births by birth order in the year from 1 July" },
    [VAR_WOMEN_BY_PARITY] = { "women_by_parity", 4, { DIM_YEAR, DIM_REGION, DIM_AGE, DIM_PARITY },
                              "persons", "women on 1 July by number of children ever born" },
    [VAR_FERTILITY_CALIBRATION] = { "fertility_calibration", 1, { DIM_YEAR }, "1",
                                    "factor applied to the ASFR of the year from 1 July by the "
                                    "jump-off calibration to observed births" },
#define CAP_BY_YEAR(v, payer)                                                                 \
    [v] = { "budget_cap_" payer "_by_year", 1, { DIM_YEAR }, "yuan",                           \
            "budget cap of the " payer " payer in the year from 1 July (economy.budget_cap_"   \
            payer " as a table)" }
    CAP_BY_YEAR(VAR_BUDGET_CAP_CENTRAL, "central"),
    CAP_BY_YEAR(VAR_BUDGET_CAP_LOCAL, "local"),
    CAP_BY_YEAR(VAR_BUDGET_CAP_SOCIAL_INSURANCE, "social_insurance"),
    CAP_BY_YEAR(VAR_BUDGET_CAP_EMPLOYER, "employer"),
#undef CAP_BY_YEAR
};

/*
 * The policy part of a scenario group (issue #3), written when the result has a baseline
 * or instruments: /scenarios/<name>/policy/ holds births_gained, and one subgroup per
 * instrument holds its ledger. Each of these groups has its own year and region coordinates
 * (copies of the scenario group's) so that xarray labels them (create_policy_group).
 */
const char policy_group[] = "policy";

const var_spec births_gained_spec = {
    "births_gained", 2, { DIM_YEAR, DIM_REGION }, "persons",
    "births minus the baseline scenario's births"
};

const var_spec ledger_specs[LEDGER_COUNT] = {
    [LEDGER_RECIPIENTS] = { "recipients", 2, { DIM_YEAR, DIM_REGION }, "persons",
                            "persons paid in the year from 1 July (births, children, enrolled "
                            "children or mothers, by instrument)" },
    [LEDGER_COST] = { "cost", 2, { DIM_YEAR, DIM_REGION }, "yuan",
                      "cost in the year from 1 July, nominal" },
    [LEDGER_COST_DISCOUNTED] = { "cost_discounted", 2, { DIM_YEAR, DIM_REGION }, "yuan",
                                 "cost discounted to 1 July of the start year" },
};

const var_spec ledger_payer_spec = {
    "cost_by_payer", 3, { DIM_YEAR, DIM_REGION, DIM_PAYER }, "yuan",
    "cost in the year from 1 July by who pays it, nominal (sums to cost)"
};

const char *const ps_h5__payer_labels[PS_LEDGER_PAYERS] = { "central", "local",
                                                            "social_insurance", "employer" };

const policy_attr policy_attrs[POLICY_ATTR_COUNT] = {
    { "births_gained", offsetof(ps_result, births_gained_total) },
    { "births_gained_discounted", offsetof(ps_result, births_gained_discounted) },
    { "window_first", offsetof(ps_result, window_first) },
    { "window_last", offsetof(ps_result, window_last) },
    { "births_gained_window", offsetof(ps_result, births_gained_window) },
    { "births_gained_window_discounted", offsetof(ps_result, births_gained_window_discounted) },
    { "cost_per_additional_birth_window", offsetof(ps_result, cost_per_additional_birth_window) },
    { "cost_per_additional_birth_window_discounted",
      offsetof(ps_result, cost_per_additional_birth_window_discounted) },
    { "cost_total", offsetof(ps_result, cost_total) },
    { "cost_total_discounted", offsetof(ps_result, cost_total_discounted) },
    { "cost_per_additional_birth", offsetof(ps_result, cost_per_additional_birth) },
    { "cost_per_additional_birth_discounted",
      offsetof(ps_result, cost_per_additional_birth_discounted) },
    { "service_subsidy_extra", offsetof(ps_result, service_subsidy_extra) },
    { "service_subsidy_extra_discounted", offsetof(ps_result, service_subsidy_extra_discounted) },
    { "births_gained_first_gen", offsetof(ps_result, births_gained_first_gen) },
    { "births_gained_first_gen_window", offsetof(ps_result, births_gained_first_gen_window) },
    { "births_gained_window_share", offsetof(ps_result, births_gained_window_share) },
    { "budget_cap_central", offsetof(ps_result, budget_cap) + 0 * sizeof(double) },
    { "budget_cap_local", offsetof(ps_result, budget_cap) + 1 * sizeof(double) },
    { "budget_cap_social_insurance", offsetof(ps_result, budget_cap) + 2 * sizeof(double) },
    { "budget_cap_employer", offsetof(ps_result, budget_cap) + 3 * sizeof(double) },
};

const var_spec svc_specs[SVC_VAR_COUNT] = {
    [SVC_DEMAND] = { "demand", 2, { DIM_YEAR, DIM_REGION }, "persons",
                     "users on 1 July: persons using or needing the service" },
    [SVC_CAPACITY] = { "capacity", 2, { DIM_YEAR, DIM_REGION }, "places",
                       "places implied by the capacity target" },
    [SVC_SHORTAGE] = { "shortage", 2, { DIM_YEAR, DIM_REGION }, "places",
                       "places the demand needs (demand / occupancy) beyond the capacity" },
    [SVC_SURPLUS] = { "surplus", 2, { DIM_YEAR, DIM_REGION }, "places",
                      "places of the capacity beyond what the demand needs" },
    [SVC_UTILIZATION] = { "utilization", 2, { DIM_YEAR, DIM_REGION }, "1",
                          "demand / capacity" },
    [SVC_PER_1000] = { "per_1000", 2, { DIM_YEAR, DIM_REGION }, "places per 1000 persons",
                       "places the demand needs per 1,000 persons of the target's basis "
                       "(total population unless the target counts a group or ages)" },
    [SVC_STAFF] = { "staff", 2, { DIM_YEAR, DIM_REGION }, "persons",
                    "staff needed to serve the demand" },
    [SVC_GROUPS] = { "groups", 2, { DIM_YEAR, DIM_REGION }, "groups",
                     "classes or rooms for the demand" },
    [SVC_COST] = { "cost", 2, { DIM_YEAR, DIM_REGION }, "yuan",
                   "operating cost of serving the demand in the year from 1 July" },
    [SVC_FEES] = { "fees", 2, { DIM_YEAR, DIM_REGION }, "yuan",
                   "fees paid by families in the year from 1 July" },
    [SVC_SUBSIDY] = { "subsidy", 2, { DIM_YEAR, DIM_REGION }, "yuan",
                      "public subsidies in the year from 1 July (per user, and per new place)" },
    [SVC_SUBSIDY_RECIPIENTS] = { "subsidy_recipients", 2, { DIM_YEAR, DIM_REGION }, "persons",
                                 "users whose subsidy is paid" },
    [SVC_NEW_PLACES] = { "new_places", 2, { DIM_YEAR, DIM_REGION }, "places",
                         "capacity added since 1 July of the previous year" },
    [SVC_NURSING_CAPACITY] = { "nursing_capacity", 2, { DIM_YEAR, DIM_REGION }, "places",
                               "nursing-type places at the service's nursing share" },
    [SVC_STOCK] = { "stock", 2, { DIM_YEAR, DIM_REGION }, "places",
                    "existing places and beds (stock file, last given year carried forward)" },
    [SVC_STOCK_PUBLIC] = { "stock_public", 2, { DIM_YEAR, DIM_REGION }, "places",
                           "public or inclusive places of the stock (NaN: ownership not given)" },
    [SVC_STOCK_STAFF] = { "stock_staff", 2, { DIM_YEAR, DIM_REGION }, "persons",
                          "staff of the existing stock" },
    [SVC_DEMAND_SERVED] = { "demand_served", 2, { DIM_YEAR, DIM_REGION }, "persons",
                            "users served in the region after cross-district use" },
    [SVC_GAP_TARGET] = { "gap_target", 2, { DIM_YEAR, DIM_REGION }, "places",
                         "stock minus capacity: + places beyond the target, - places missing" },
    [SVC_GAP_DEMAND] = { "gap_demand", 2, { DIM_YEAR, DIM_REGION }, "places",
                         "stock minus the places the served demand needs (demand_served / "
                         "occupancy)" },
    [SVC_BUILD] = { "build", 2, { DIM_YEAR, DIM_REGION }, "places",
                    "new places to build in the year to meet the target (never demolished)" },
};

const var_spec svc_target_spec = {
    "target", 1, { DIM_YEAR }, "places per 1000 persons, or places",
    "capacity target: places per 1,000 of the basis, or places with basis 'places'"
};
const var_spec svc_by_class_spec = {
    "demand_by_class", 3, { DIM_YEAR, DIM_REGION, DIM_CLASS }, "persons", "users by class"
};
const var_spec svc_home_spec = {
    "home_services", 3, { DIM_YEAR, DIM_REGION, DIM_HOME }, "services per year",
    "services delivered at home in the year from 1 July"
};
const var_spec care_need_spec = {
    "persons", 3, { DIM_YEAR, DIM_REGION, DIM_LEVEL }, "persons",
    "persons in each care-need level on 1 July"
};
const var_spec dependency_specs[PS_DEPENDENCY_COUNT] = {
    [PS_DEPENDENCY_OLD] = { "old_age_dependency", 2, { DIM_YEAR, DIM_REGION },
                            "per 100 persons aged 15-64", "persons aged 65+ per 100 aged 15-64" },
    [PS_DEPENDENCY_CHILD] = { "child_dependency", 2, { DIM_YEAR, DIM_REGION },
                              "per 100 persons aged 15-64",
                              "persons aged 0-14 per 100 aged 15-64" },
    [PS_DEPENDENCY_TOTAL] = { "total_dependency", 2, { DIM_YEAR, DIM_REGION },
                              "per 100 persons aged 15-64",
                              "persons aged 0-14 and 65+ per 100 aged 15-64" },
};

const var_spec micro_specs[MICRO_VAR_COUNT] = {
    { "births_by_income", 4, { DIM_YEAR, DIM_REGION, DIM_INCOME, DIM_ORDER }, "persons",
      "live births in the year from 1 July by the mother's income class and birth order" },
    { "under3", 3, { DIM_YEAR, DIM_REGION, DIM_INCOME }, "persons",
      "children aged 0-2 on 1 July by the income class of their household" },
    { "under3_enrolled", 3, { DIM_YEAR, DIM_REGION, DIM_INCOME }, "persons",
      "children aged 0-2 enrolled in childcare on 1 July" },
    { "disabled_elderly", 3, { DIM_YEAR, DIM_REGION, DIM_HAS_CHILD }, "persons",
      "persons aged 60+ in the most severe care-need level, by whether a living child aged "
      "15-64 lives in the same region" },
    { "population_by_replicate", 2, { DIM_REPLICATE, DIM_YEAR }, "persons",
      "total population on 1 July in each replicate" },
    { "births_by_replicate", 2, { DIM_REPLICATE, DIM_YEAR }, "persons",
      "births in the year from 1 July in each replicate" },
    { "subsidy_cost_by_income", 3, { DIM_YEAR, DIM_REGION, DIM_INCOME }, "yuan",
      "monthly child subsidies and low-income top-ups paid in the year from 1 July, by the "
      "income class of the child's household (person by person)" },
};

/* The person sample's int64 columns: no units (write_sample_col writes the long name only). */
#define SAMPLE_COL(name, long_name) { name, 1, { DIM_PERSON }, NULL, long_name }
const var_spec sample_specs[PS_SAMPLE_FIELDS] = {
    [PS_SAMPLE_ID] = SAMPLE_COL("person_id", "person id (stable within the replicate)"),
    [PS_SAMPLE_ALIVE] = SAMPLE_COL("alive", "1 if alive at the end of the projection"),
    [PS_SAMPLE_AGE] = SAMPLE_COL("age", "age in completed years at the end (or at death)"),
    [PS_SAMPLE_SEX] = SAMPLE_COL("sex", "sex index of the sex coordinate"),
    [PS_SAMPLE_REGION] = SAMPLE_COL("region_index", "region index of the region coordinate"),
    [PS_SAMPLE_PARITY] = SAMPLE_COL("parity", "live births so far (3 = 3 or more)"),
    [PS_SAMPLE_YOUNGEST_CHILD_AGE] = SAMPLE_COL(
        "youngest_child_age", "age of the youngest child born in the simulation, -1 if none"),
    [PS_SAMPLE_MOTHER] = SAMPLE_COL("mother_id",
                                    "person id of the mother, -1 if not in the simulation"),
    [PS_SAMPLE_INCOME] = SAMPLE_COL("income_index", "income index of the income coordinate"),
    [PS_SAMPLE_CARE] = SAMPLE_COL("care_state",
                                  "care-need state, 0 none, the highest the most severe"),
    [PS_SAMPLE_ENROLLED] = SAMPLE_COL("enrolled", "1 if enrolled in childcare"),
};

const char *const ps_h5__income_labels[PS_INCOME_COUNT] = { "low_income", "subsistence",
                                                            "other" };
const char *const ps_h5__has_child_labels[PS_H5__HAS_CHILD_COUNT] = { "no", "yes" };

const char *const ps_h5__prov_names[PROV_COL_COUNT] = { "kind", "source", "detail", "path",
                                                        "sha256" };
const char *const ps_h5__prov_long_names[PROV_COL_COUNT] = {
    "input (what the model needed)", "where the input came from",
    "UN WPP location and variant, the scenario value, or a note",
    "file read, as resolved from the scenario file", "SHA-256 of the file's bytes",
};

static const cf_unit cf_units[] = {
    { "persons", "1", "persons" },
    { "places", "1", "places (spots, beds or school places)" },
    { "groups", "1", "groups (classes or rooms)" },
    { "services per year", "year-1", "services delivered per year" },
    { "children per woman", "1", "children per woman" },
    { "1/year", "year-1", "per person-year" },
    { "1", "1", NULL },
    { "years", "year", NULL },
    { "months", "month", NULL },
    { "elasticity", "1", "percent more births per 1 percent of household income (an elasticity)" },
    { "share", "1", "share, from 0 to 1" },
    { "percent more births", "percent", "percent more births per the quantity in long_name" },
    { "as stated", "1", "by term: yuan, yuan per month, years, calendar years, days, months, "
                        "shares or a 0/1 flag (docs/output-format.md)" },
    { "year", NULL, "calendar year, an integer label (not a CF time coordinate: "
                    "docs/output-format.md)" },
    { "yuan", "1", "yuan (Chinese renminbi, CNY), nominal; not a udunits unit" },
    { "places per 1000 persons", "1e-3", "places per 1,000 persons" },
    { "places per 1000 persons, or places", "1",
      "places per 1,000 persons for per-1,000 bases, else places (see the group's basis)" },
    { "per 100 persons aged 15-64", "percent", "persons per 100 persons aged 15-64" },
};


const cf_unit *ps_h5__cf_unit(const char *said)
{
    for (size_t k = 0; k < sizeof cf_units / sizeof cf_units[0]; ++k) {
        if (strcmp(said, cf_units[k].said) == 0) {
            return &cf_units[k];
        }
    }
    return NULL;
}

double *ps_h5__var_data(const ps_result *r, var_id v)
{
    switch (v) {
    case VAR_POPULATION: return r->population;
    case VAR_BIRTHS: return r->births;
    case VAR_DEATHS: return r->deaths;
    case VAR_NET_MIGRATION: return r->net_migration;
    case VAR_ASFR: return r->asfr;
    case VAR_TFR: return r->tfr;
    case VAR_E0: return r->e0;
    case VAR_BIRTHS_BY_ORDER: return r->births_by_order;
    case VAR_WOMEN_BY_PARITY: return r->women_by_parity;
    case VAR_FERTILITY_CALIBRATION: return r->fertility_calibration;
    case VAR_BUDGET_CAP_CENTRAL:
    case VAR_BUDGET_CAP_LOCAL:
    case VAR_BUDGET_CAP_SOCIAL_INSURANCE:
    case VAR_BUDGET_CAP_EMPLOYER: return r->budget_cap_by_year[v - VAR_BUDGET_CAP_CENTRAL];
    case VAR_COUNT: break;
    }
    assert(0 && "unknown variable");
    return NULL;
}

double *ps_h5__ledger_data(const ps_ledger *l, ledger_var v)
{
    switch (v) {
    case LEDGER_RECIPIENTS: return l->recipients;
    case LEDGER_COST: return l->cost;
    case LEDGER_COST_DISCOUNTED: return l->cost_discounted;
    case LEDGER_COUNT: break;
    }
    assert(0 && "unknown ledger variable");
    return NULL;
}

/* ---- the list of every variable, by group ------------------------------------------------ */

#define SCN(v) { "", &var_specs[v] }
#define LEDGER(v) { "policy/<instrument>", &ledger_specs[v] }
#define SVC(spec) { "services/<service>", &(spec) }
#define DEP(v) { "indicators", &dependency_specs[v] }
const var_spec internal_specs[PS_H5_INTERNAL_COUNT] = {
    { "in", 4, { DIM_YEAR, DIM_REGION, DIM_SEX, DIM_AGE }, "persons",
      "internal in-migrants from the other regions in the year from 1 July, by age at the end "
      "of the year (cohort)" },
    { "out", 4, { DIM_YEAR, DIM_REGION, DIM_SEX, DIM_AGE }, "persons",
      "internal out-migrants to the other regions in the year from 1 July, by age at the end "
      "of the year (cohort)" },
    { "net", 4, { DIM_YEAR, DIM_REGION, DIM_SEX, DIM_AGE }, "persons",
      "net internal migrants (in - out), by age at the end of the year (cohort)" },
};
const var_spec flows_spec = {
    "flows", 5, { DIM_YEAR, DIM_ORIGIN, DIM_DESTINATION, DIM_SEX, DIM_AGE }, "persons",
    "migrants from origin to destination in the year from 1 July, by age on 1 July"
};
const var_spec registration_specs[2] = {
    { "registered", 4, { DIM_YEAR, DIM_REGION, DIM_SEX, DIM_AGE }, "persons",
      "residents registered (hukou) in their region of residence on 1 July" },
    { "unregistered", 4, { DIM_YEAR, DIM_REGION, DIM_SEX, DIM_AGE }, "persons",
      "residents without local registration on 1 July (population - registered)" },
};

#define MICRO(v) { "micro", &micro_specs[v] }
#define SAMPLE(f) { "micro", &sample_specs[f] }

static const ps_h5__schema_var schema_vars[] = {
    SCN(VAR_POPULATION), SCN(VAR_BIRTHS), SCN(VAR_DEATHS), SCN(VAR_NET_MIGRATION), SCN(VAR_ASFR),
    SCN(VAR_TFR), SCN(VAR_E0), SCN(VAR_BIRTHS_BY_ORDER), SCN(VAR_WOMEN_BY_PARITY),
    SCN(VAR_FERTILITY_CALIBRATION), SCN(VAR_BUDGET_CAP_CENTRAL), SCN(VAR_BUDGET_CAP_LOCAL),
    SCN(VAR_BUDGET_CAP_SOCIAL_INSURANCE), SCN(VAR_BUDGET_CAP_EMPLOYER),
    { "policy", &births_gained_spec },
    LEDGER(LEDGER_RECIPIENTS), LEDGER(LEDGER_COST), LEDGER(LEDGER_COST_DISCOUNTED),
    { "policy/<instrument>", &ledger_payer_spec },
    SVC(svc_specs[SVC_DEMAND]), SVC(svc_specs[SVC_CAPACITY]), SVC(svc_specs[SVC_SHORTAGE]),
    SVC(svc_specs[SVC_SURPLUS]), SVC(svc_specs[SVC_UTILIZATION]), SVC(svc_specs[SVC_PER_1000]),
    SVC(svc_specs[SVC_STAFF]), SVC(svc_specs[SVC_GROUPS]), SVC(svc_specs[SVC_COST]),
    SVC(svc_specs[SVC_FEES]), SVC(svc_specs[SVC_SUBSIDY]),
    SVC(svc_specs[SVC_SUBSIDY_RECIPIENTS]), SVC(svc_specs[SVC_NEW_PLACES]),
    SVC(svc_specs[SVC_NURSING_CAPACITY]), SVC(svc_specs[SVC_STOCK]),
    SVC(svc_specs[SVC_STOCK_PUBLIC]), SVC(svc_specs[SVC_STOCK_STAFF]),
    SVC(svc_specs[SVC_DEMAND_SERVED]), SVC(svc_specs[SVC_GAP_TARGET]),
    SVC(svc_specs[SVC_GAP_DEMAND]), SVC(svc_specs[SVC_BUILD]), SVC(svc_target_spec),
    SVC(svc_by_class_spec),
    SVC(svc_home_spec),
    { "care_need", &care_need_spec },
    DEP(PS_DEPENDENCY_OLD), DEP(PS_DEPENDENCY_CHILD), DEP(PS_DEPENDENCY_TOTAL),
    MICRO(MICRO_BIRTHS_BY_INCOME), MICRO(MICRO_UNDER3), MICRO(MICRO_UNDER3_ENROLLED),
    MICRO(MICRO_DISABLED_ELDERLY), MICRO(MICRO_POPULATION_BY_REPLICATE),
    MICRO(MICRO_BIRTHS_BY_REPLICATE), MICRO(MICRO_SUBSIDY_COST_BY_INCOME),
    SAMPLE(PS_SAMPLE_ID), SAMPLE(PS_SAMPLE_ALIVE), SAMPLE(PS_SAMPLE_AGE), SAMPLE(PS_SAMPLE_SEX),
    SAMPLE(PS_SAMPLE_REGION), SAMPLE(PS_SAMPLE_PARITY), SAMPLE(PS_SAMPLE_YOUNGEST_CHILD_AGE),
    SAMPLE(PS_SAMPLE_MOTHER), SAMPLE(PS_SAMPLE_INCOME), SAMPLE(PS_SAMPLE_CARE),
    SAMPLE(PS_SAMPLE_ENROLLED),
    { "internal_migration", &internal_specs[0] }, { "internal_migration", &internal_specs[1] },
    { "internal_migration", &internal_specs[2] }, { "internal_migration", &flows_spec },
    { "registration", &registration_specs[0] }, { "registration", &registration_specs[1] },
#define RANGE(k) { "response", &range_specs[k] }
    RANGE(0), RANGE(1), RANGE(2), RANGE(3), RANGE(4), RANGE(5), RANGE(6), RANGE(7), RANGE(8),
    RANGE(9), RANGE(10), RANGE(11), RANGE(12), RANGE(13), RANGE(14), RANGE(15), RANGE(16),
    RANGE(17), RANGE(18), { "policy/<instrument>", &stated_spec },
};

/* Every table above is listed once: a new variable must be added to schema_vars too. */
_Static_assert(sizeof schema_vars / sizeof schema_vars[0] ==
                   VAR_COUNT + 1 + LEDGER_COUNT + 1 + SVC_VAR_COUNT + 3 + 1 + PS_DEPENDENCY_COUNT +
                       MICRO_VAR_COUNT + PS_SAMPLE_FIELDS + PS_H5_INTERNAL_COUNT + 1 + 2 +
                       RANGE_VAR_COUNT + 1,
               "schema_vars must list every variable of the spec tables");

const ps_h5__schema_var *ps_h5__schema_vars(size_t *n_out)
{
    *n_out = sizeof schema_vars / sizeof schema_vars[0];
    return schema_vars;
}

/* ---- helpers shared by the writer and the reader ----------------------------------------- */

hid_t ps_h5__string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        t = H5I_INVALID_HID;
    }
    return t;
}

typedef struct h5_detail {
    char *text;
    size_t size;
} h5_detail;

/* H5Ewalk2 callback: keep the innermost (most specific) description, e.g. "object 'x'
 * doesn't exist" rather than the API function's generic "not found". */
static herr_t keep_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    h5_detail *d = data;
    if (n == 0 && e->desc != NULL) {
        snprintf(d->text, d->size, "%s", e->desc);
    }
    return 0;
}

void ps_h5__reason(char *buf, size_t size)
{
    h5_detail d = { buf, size };
    snprintf(buf, size, "%s", "no detail from HDF5");
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &d);
}

ps_status ps_h5__fail(ps_error *err, const char *action, hid_t loc, const char *name)
{
    char where[256] = "?", reason[256];
    ps_h5__reason(reason, sizeof reason);
    if (H5Iget_name(loc, where, sizeof where) < 0) {
        snprintf(where, sizeof where, "%s", "?");
    }
    return ps_error_set(err, PS_EHDF5, "cannot %s '%s' in '%s': %s", action, name, where, reason);
}

ps_status ps_h5__attr_write(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                            const void *value, ps_error *err)
{
    hid_t space = H5I_INVALID_HID, attr = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    if ((space = H5Screate(H5S_SCALAR)) < 0 ||
        (attr = H5Acreate2(obj, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Awrite(attr, mtype, value) < 0) {
        rc = ps_h5__fail(err, "write attribute", obj, name);
    }
    if (attr >= 0) {
        H5Aclose(attr);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    return rc;
}

ps_status ps_h5__attr_str(hid_t obj, const char *name, const char *value, ps_error *err)
{
    const char *text = value != NULL ? value : "";
    hid_t type = ps_h5__string_type();
    ps_status rc = PS_OK;
    if (type < 0) {
        rc = ps_h5__fail(err, "make a string type for attribute", obj, name);
    } else {
        rc = ps_h5__attr_write(obj, name, type, type, &text, err);
        H5Tclose(type);
    }
    return rc;
}

void ps_h5__note_path(ps_error *err, const char *path)
{
    if (err != NULL && err->code != PS_OK && err->path[0] == '\0') {
        snprintf(err->path, sizeof err->path, "%s", path);
    }
}

int ps_h5__valid_link_name(const char *name)
{
    return name != NULL && name[0] != '\0' && strchr(name, '/') == NULL &&
           strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}
_Static_assert(PS_PROVENANCE_COLUMNS == PROV_COL_COUNT, "one column per ps_input_source field");

/* Services under uncertainty in a probabilistic file (issue #14, sec. 2; h5schema_int.h). */
const prob_var_spec prob_svc_specs[PROB_SVC_COUNT] = {
    [PROB_SVC_DEMAND] = { "service_demand", "year, region, service, quantile", "1",
                          "users of the service on 1 July, persons (quantiles over "
                          "trajectories)" },
    [PROB_SVC_CAPACITY] = { "service_capacity", "year, region, service, quantile", "1",
                            "places implied by the capacity target on 1 July (quantiles over "
                            "trajectories; NaN without a target)" },
    [PROB_SVC_SHORTAGE] = { "service_shortage", "year, region, service, quantile", "1",
                            "places missing, max(0, demand / occupancy - capacity) (quantiles "
                            "over trajectories; NaN without a target)" },
    [PROB_SVC_STAFF] = { "service_staff", "year, region, service, quantile", "1",
                         "staff to serve the demand, persons (quantiles over trajectories)" },
    [PROB_SVC_P_SHORTAGE] = { "service_p_shortage", "year, region, service", "1",
                              "share of trajectories whose places needed exceed the capacity "
                              "target (NaN without a target)" },
};

/* The process parameters of a probabilistic group (issue #14; h5schema_int.h). */
const prob_var_spec prob_process_specs[PS_H5_PROB_PROCESS_ROWS] = {
    { "process_persistence", "region, process", "1",
      "persistence of the process's yearly normal scores (lag-1 autocorrelation of its AR(1), "
      "docs/model.md 9.1 and 9.3)" },
    { "process_level_share", "region, process", "1",
      "share of the process's variance kept as a level for the whole horizon (docs/model.md "
      "9.3)" },
    { "process_centring", "region, process", "1",
      "centring of the process's yearly marginals on the UN's median (0 none, 1 full; "
      "docs/model.md 9.3)" },
    { "process_per_person", "region, process", "1",
      "how the process's draws follow each trajectory's population: for net_migration 0 "
      "migrants in persons, 1 the inputs' migrants and the deviation scale with the "
      "trajectory's population over the deterministic projection's, 2 as 1 with the centring "
      "on log rates, 3 the inputs' migrants scale so and the deviation as "
      "process_size_elasticity says (ps_prob_options.mig_per_person, "
      "docs/model.md 9.2 and 9.3); 0 for tfr and e0, which are rates" },
    { "process_size_elasticity", "region, process", "1",
      "for net_migration with process_per_person 3: the deviation from the median migrants "
      "is multiplied by the trajectory's population over the deterministic projection's to "
      "this power (0 persons, 1 a rate; ps_prob_options.mig_size_elasticity, docs/model.md "
      "9.3, round 13); 0 otherwise" },
    { "process_level_skew", "region, process", "1",
      "log of the ratio of the level's scale above its median to that below (a two-piece "
      "normal level mapped back to normal scores, so the yearly quantiles are unchanged and a "
      "high trajectory's deviation lasts longer than a low one's when positive; "
      "ps_prob_options.level_skew, docs/model.md 9.8, round 17); 0 a symmetric level" },
};

const prob_var_spec prob_alignment_spec = {
    "population_alignment", "year, region", "1",
    "factor every trajectory's population of the year was multiplied by so that the median "
    "total population is the deterministic projection's (ps_prob_align, docs/model.md 9.7); "
    "the persons its change from year to year adds are alignment_flow"
};

const prob_var_spec prob_align_flow_spec = {
    "alignment_flow", "year, region, quantile", "1",
    "persons the median's alignment adds from 1 July of the year to 1 July of the next: the "
    "change of population_alignment times the next year's population, so that a trajectory's "
    "population of the next year is this year's plus births, minus deaths, plus net_migration "
    "and alignment_flow (ps_prob_align, docs/model.md 9.7)"
};

static const char *const process_names[PS_PROB_PROC_COUNT] = { "tfr", "e0", "net_migration" };

const char *ps_h5_prob_process_name(int k)
{
    return k >= 0 && k < PS_PROB_PROC_COUNT ? process_names[k] : NULL;
}

/* The 65+ share of a probabilistic group (issue #14, sec. 2; h5schema_int.h). */
const prob_var_spec prob_share65_spec = {
    "share_65plus", "year, region, quantile", "1",
    "share of the population aged 65+ on 1 July (quantiles of each trajectory's share)"
};

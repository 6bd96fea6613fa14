/*
 * scenario/keys.c - the key tables, one per section of the scenario file, the rules between
 * keys, and the key reference they print (ps_scn_describe, docs/scenario-format.md).
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "io/scenario/scenario_int.h"
#include "popsim/micro.h" /* PS_MICRO_CARE_LEVELS_MAX */

/* The text of a macro's value, for the rules. */
#define SCN_STR_(x) #x
#define SCN_STR(x) SCN_STR_(x)

static const scn_key schedule_keys[] = {
    { .key = "a1", .type = KEY_REAL, .offset = offsetof(ps_rogers_castro, a1), .min = 0.0,
      .max = 1.0, .unit = "(relative level)", .help = "level of the childhood component" },
    { .key = "alpha1", .type = KEY_REAL, .offset = offsetof(ps_rogers_castro, alpha1),
      .min = 0.0, .max = 2.0, .unit = "per year of age",
      .help = "rate of descent of the childhood component" },
    { .key = "a2", .type = KEY_REAL, .offset = offsetof(ps_rogers_castro, a2), .min = 0.0,
      .max = 1.0, .unit = "(relative level)", .help = "level of the labour-force component" },
    { .key = "alpha2", .type = KEY_REAL, .offset = offsetof(ps_rogers_castro, alpha2),
      .min = 0.0, .max = 2.0, .unit = "per year of age",
      .help = "rate of descent of the labour-force component after its peak" },
    { .key = "mu2", .type = KEY_REAL, .offset = offsetof(ps_rogers_castro, mu2), .min = 10.0,
      .max = 40.0, .unit = "years of age", .help = "age of the labour-force peak" },
    { .key = "lambda2", .type = KEY_REAL, .offset = offsetof(ps_rogers_castro, lambda2),
      .min = 0.0, .max = 2.0, .unit = "per year of age",
      .help = "rate of ascent of the labour-force component before its peak" },
    { .key = "c", .type = KEY_REAL, .offset = offsetof(ps_rogers_castro, c), .min = 0.0,
      .max = 1.0, .unit = "(relative level)", .help = "constant level at every age" },
};
const ps_rogers_castro ps_scn__schedule_defaults = PS_ROGERS_CASTRO_INIT;
const scn_section ps_scn__schedule_section = { schedule_keys, ARRAY_LEN(schedule_keys),
                                               sizeof(ps_rogers_castro),
                                               &ps_scn__schedule_defaults };

static const scn_key migration_keys[] = {
    { .key = "none", .type = KEY_BOOL, .offset = offsetof(raw_migration, none),
      .deflt = "false", .help = "closed population when true: no migration at all" },
    { .key = "file", .type = KEY_PATH, .offset = offsetof(raw_migration, file),
      .deflt = "none", .help = "net migrants by year, sex and age, persons",
      .csv = "year,sex,age,value" },
    { .key = "total", .type = KEY_REAL, .offset = offsetof(raw_migration, total), .min = -1e9,
      .max = 1e9, .unit = "persons per year", .deflt = "none",
      .help = "constant net migrants per year (negative: net emigration), spread over "
              "sex by male_share and over age by schedule" },
    { .key = "total_file", .type = KEY_PATH, .offset = offsetof(raw_migration, total_file),
      .deflt = "none", .help = "net migrants per year, persons, spread like total",
      .csv = "year,total" },
    { .key = "male_share", .type = KEY_REAL, .offset = offsetof(raw_migration, male_share),
      .min = 0.0, .max = 1.0, .unit = "(share of net migrants)", .deflt = "0.5",
      .help = "share of net migrants who are male; only with total or total_file" },
    { .key = "schedule", .type = KEY_MAP, .offset = offsetof(raw_migration, schedule),
      .deflt = "Rogers-Castro fundamental schedule",
      .help = "Rogers-Castro age schedule of net migrants; only with total or total_file",
      .sub = &ps_scn__schedule_section },
    { .key = "sheet", .type = KEY_TEXT, .offset = offsetof(raw_migration, sheet),
      .deflt = "the first sheet",
      .help = "sheet to read from this section's .xlsx workbooks (docs/input-format.md)" },
};
static const scn_section migration_section = { migration_keys, ARRAY_LEN(migration_keys),
                                               sizeof(raw_migration), NULL };

static const scn_key srb_keys[] = {
    { .key = "value", .type = KEY_REAL, .offset = offsetof(raw_srb, value), .min = 0.9,
      .max = 1.3, .unit = "male births per female birth",
      .deflt = "WPP's if data.location, else 1.05 (with a warning)",
      .help = "constant sex ratio at birth" },
    { .key = "file", .type = KEY_PATH, .offset = offsetof(raw_srb, file), .deflt = "none",
      .help = "sex ratio at birth by year, male births per female birth", .csv = "year,srb" },
    { .key = "sheet", .type = KEY_TEXT, .offset = offsetof(raw_srb, sheet),
      .deflt = "the first sheet",
      .help = "sheet to read from this section's .xlsx workbooks (docs/input-format.md)" },
};
static const scn_section srb_section = { srb_keys, ARRAY_LEN(srb_keys), sizeof(raw_srb),
                                         NULL };

static const cyaml_strval_t pattern_choices[] = {
    { "wpp", PS_FERT_PATTERN_WPP },
    { "hadwiger", PS_FERT_PATTERN_HADWIGER },
    { "asfr_file", PS_FERT_PATTERN_ASFR_FILE },
};

static const scn_key fertility_keys[] = {
    { .key = "asfr_file", .type = KEY_PATH, .offset = offsetof(raw_fertility, asfr_file),
      .deflt = "WPP's if data.location",
      .help = "age-specific fertility rates by year and age, births per woman-year",
      .csv = "year,age,asfr" },
    { .key = "tfr_file", .type = KEY_PATH, .offset = offsetof(raw_fertility, tfr_file),
      .deflt = "none", .help = "total fertility rate by year, children per woman",
      .csv = "year,tfr" },
    { .key = "tfr", .type = KEY_REAL, .offset = offsetof(raw_fertility, tfr), .min = 0.0,
      .max = 10.0, .unit = "children per woman", .deflt = "none",
      .help = "constant total fertility rate of every projected year" },
    { .key = "pattern", .type = KEY_ENUM, .offset = offsetof(raw_fertility, pattern),
      .deflt = "asfr_file if asfr_file is given, else wpp",
      .help = "age pattern that tfr or tfr_file is spread over",
      .choices = pattern_choices, .n_choices = ARRAY_LEN(pattern_choices) },
    { .key = "mean_age", .type = KEY_REAL, .offset = offsetof(raw_fertility, mean_age),
      .min = 15.0, .max = 45.0, .unit = "years", .deflt = "none",
      .help = "mean age of childbearing of the Hadwiger curve; only with pattern: hadwiger" },
    { .key = "sheet", .type = KEY_TEXT, .offset = offsetof(raw_fertility, sheet),
      .deflt = "the first sheet",
      .help = "sheet to read from this section's .xlsx workbooks (docs/input-format.md)" },
};
static const scn_section fertility_section = { fertility_keys, ARRAY_LEN(fertility_keys),
                                               sizeof(raw_fertility), NULL };

static const scn_key mortality_keys[] = {
    { .key = "mx_file", .type = KEY_PATH, .offset = offsetof(raw_mortality, mx_file),
      .deflt = "WPP's if data.location",
      .help = "central death rates by year, sex and age, deaths per person-year",
      .csv = "year,sex,age,mx" },
    { .key = "e0_file", .type = KEY_PATH, .offset = offsetof(raw_mortality, e0_file),
      .deflt = "none",
      .help = "life expectancy at birth by year and sex, years; the mx age pattern is "
              "scaled to reproduce it",
      .csv = "year,sex,e0" },
    { .key = "sheet", .type = KEY_TEXT, .offset = offsetof(raw_mortality, sheet),
      .deflt = "the first sheet",
      .help = "sheet to read from this section's .xlsx workbooks (docs/input-format.md)" },
};
static const scn_section mortality_section = { mortality_keys, ARRAY_LEN(mortality_keys),
                                               sizeof(raw_mortality), NULL };

static const scn_key population_keys[] = {
    { .key = "file", .type = KEY_PATH, .offset = offsetof(raw_population, file),
      .deflt = "WPP's if data.location",
      .help = "base population on 1 July of start by sex and age, persons",
      .csv = "sex,age,value" },
    { .key = "sheet", .type = KEY_TEXT, .offset = offsetof(raw_population, sheet),
      .deflt = "the first sheet",
      .help = "sheet to read from this section's .xlsx workbooks (docs/input-format.md)" },
};
static const scn_section population_section = { population_keys, ARRAY_LEN(population_keys),
                                                sizeof(raw_population), NULL };

static const scn_key data_keys[] = {
    { .key = "wpp_dir", .type = KEY_PATH, .offset = offsetof(raw_data, wpp_dir),
      .deflt = "$POPSIM_DATA_DIR, else ../shared/data/wpp2024 beside the project",
      .help = "folder of the UN WPP 2024 CSV files" },
    { .key = "location", .type = KEY_TEXT, .offset = offsetof(raw_data, location),
      .deflt = "none (every input must then come from a file)",
      .help = "WPP location: its exact name (China) or M49 numeric code (156)" },
};
static const scn_section data_section = { data_keys, ARRAY_LEN(data_keys),
                                          sizeof(raw_data), NULL };

const ps_birth_order ps_scn__birth_order_defaults = PS_BIRTH_ORDER_INIT;
static const scn_key birth_order_keys[] = {
    { .key = "first", .type = KEY_REAL, .offset = offsetof(ps_birth_order, share[0]),
      .min = 0.0, .max = 1.0, .unit = "(share of base-year births)",
      .help = "share of first births among the births of the base year" },
    { .key = "second", .type = KEY_REAL, .offset = offsetof(ps_birth_order, share[1]),
      .min = 0.0, .max = 1.0, .unit = "(share of base-year births)",
      .help = "share of second births among the births of the base year" },
    { .key = "third", .type = KEY_REAL, .offset = offsetof(ps_birth_order, share[2]),
      .min = 0.0, .max = 1.0, .unit = "(share of base-year births)",
      .help = "share of third and later births among the births of the base year" },
    { .key = "first_mean_age", .type = KEY_REAL,
      .offset = offsetof(ps_birth_order, first_mean_age), .min = 16.0, .max = 40.0,
      .unit = "years", .deflt = "not fitted (intensities of mean age 27.5)",
      .help = "mean age at first birth in the base year, to which the first-birth "
              "intensities are fitted (China 2020: 27.2)" },
    { .key = "childless_45_49", .type = KEY_REAL,
      .offset = offsetof(ps_birth_order, childless_45_49), .min = 0.0, .max = 0.9,
      .unit = "(share of women aged 45-49)", .deflt = "not fitted",
      .help = "share of childless women aged 45-49 in the base year, to which the first-birth "
              "level of the years before it is fitted (issue #12; China 2020 census: about "
              "0.05-0.10)" },
    { .key = "second_share", .type = KEY_REAL,
      .offset = offsetof(ps_birth_order, second_share), .min = 0.0, .max = 0.95,
      .unit = "(share of births)", .deflt = "not fitted",
      .help = "share of second births among the births of the years second_share_from.."
              "second_share_to, to which the second-birth level of the years before the base "
              "year is fitted, jointly with the other given targets (China 2017-2021: about "
              "0.40-0.50)" },
    { .key = "second_share_from", .type = KEY_INT,
      .offset = offsetof(ps_birth_order, second_share_from), .min = 1900, .max = 2200,
      .unit = "calendar year", .help = "first year of the births second_share describes" },
    { .key = "second_share_to", .type = KEY_INT,
      .offset = offsetof(ps_birth_order, second_share_to), .min = 1900, .max = 2200,
      .unit = "calendar year", .help = "last year of the births second_share describes" },
    { .key = "first_mean_age_year", .type = KEY_INT,
      .offset = offsetof(ps_birth_order, first_mean_age_year), .min = 0, .max = 2200,
      .unit = "calendar year", .deflt = "0 (the base year)",
      .help = "year before the base year whose first births have first_mean_age (China: "
              "2020); with it or second_share the targets are fitted jointly" },
};
const scn_section ps_scn__birth_order_section = { birth_order_keys,
                                                  ARRAY_LEN(birth_order_keys),
                                                  sizeof(ps_birth_order),
                                                  &ps_scn__birth_order_defaults };

const ps_economy ps_scn__economy_defaults = PS_ECONOMY_INIT;
static const scn_key economy_keys[] = {
    { .key = "household_income", .type = KEY_REAL,
      .offset = offsetof(ps_economy, household_income), .min = 1000.0, .max = 1e7,
      .unit = "yuan per household per year",
      .help = "disposable income of a household, the yardstick of cash benefits" },
    { .key = "discount_rate", .type = KEY_REAL, .offset = offsetof(ps_economy, discount_rate),
      .min = 0.0, .max = 0.5, .unit = "per year", .help = "discount rate of costs and benefits" },
    { .key = "childcare_spots_per_1000", .type = KEY_REAL,
      .offset = offsetof(ps_economy, childcare_spots_per_1000), .min = 0.0, .max = 100.0,
      .unit = "spots per 1,000 population", .help = "childcare supply in the base year" },
    { .key = "childcare_enrollment", .type = KEY_REAL,
      .offset = offsetof(ps_economy, childcare_enrollment), .min = 0.0, .max = 1.0,
      .unit = "(share of under-3s)", .help = "share of under-3s enrolled in childcare" },
    { .key = "childcare_ceiling", .type = KEY_REAL,
      .offset = offsetof(ps_economy, childcare_ceiling), .min = 0.0, .max = 1.0,
      .unit = "(share of under-3s)",
      .help = "share of under-3s whose families want a place; at least childcare_enrollment" },
    { .key = "childcare_fee", .type = KEY_REAL, .offset = offsetof(ps_economy, childcare_fee),
      .min = 0.0, .max = 1e5, .unit = "yuan per month",
      .help = "childcare fee per child before subsidies" },
    { .key = "childcare_price_elasticity", .type = KEY_REAL,
      .offset = offsetof(ps_economy, childcare_price_elasticity), .min = 0.0, .max = 5.0,
      .unit = "% per 1 % fee cut", .help = "rise in wanted places when the fee falls" },
    { .key = "maternity_days", .type = KEY_REAL, .offset = offsetof(ps_economy, maternity_days),
      .min = 0.0, .max = 1000.0, .unit = "days", .help = "paid maternity leave before any policy" },
    { .key = "paternity_days", .type = KEY_REAL, .offset = offsetof(ps_economy, paternity_days),
      .min = 0.0, .max = 1000.0, .unit = "days", .help = "paternity leave before any policy" },
    { .key = "parental_days", .type = KEY_REAL, .offset = offsetof(ps_economy, parental_days),
      .min = 0.0, .max = 1000.0, .unit = "days", .help = "parental leave before any policy" },
    { .key = "budget_cap_central", .type = KEY_YEARS,
      .offset = offsetof(ps_economy, budget_cap) + PS_PAYER_CENTRAL * sizeof(double),
      .min = 0.0, .max = 1e15, .unit = "yuan per year", .deflt = "none",
      .help = "central budget's cap on the policies' cost, reported as met or exceeded; a "
              "table {2025: 1.2e9, 2030: 1.5e9} gives it by year: a value holds from its year "
              "to the next one's, no cap before the first (docs/policy.md sec. 7.3)" },
    { .key = "budget_cap_local", .type = KEY_YEARS,
      .offset = offsetof(ps_economy, budget_cap) + PS_PAYER_LOCAL * sizeof(double),
      .min = 0.0, .max = 1e15, .unit = "yuan per year", .deflt = "none",
      .help = "local budget's cap on the policies' cost, like budget_cap_central" },
    { .key = "budget_cap_social_insurance", .type = KEY_YEARS,
      .offset = offsetof(ps_economy, budget_cap) + PS_PAYER_SOCIAL_INSURANCE * sizeof(double),
      .min = 0.0, .max = 1e15, .unit = "yuan per year", .deflt = "none",
      .help = "social insurance funds' cap on the policies' cost, like budget_cap_central" },
    { .key = "budget_cap_employer", .type = KEY_YEARS,
      .offset = offsetof(ps_economy, budget_cap) + PS_PAYER_EMPLOYER * sizeof(double),
      .min = 0.0, .max = 1e15, .unit = "yuan per year", .deflt = "none",
      .help = "employers' cap on the policies' cost, like budget_cap_central" },
    { .key = "monthly_wage", .type = KEY_REAL, .offset = offsetof(ps_economy, monthly_wage),
      .min = 0.0, .max = 1e6, .unit = "yuan per month",
      .help = "average wage, the cost of a month of paid leave" },
};
const scn_section ps_scn__economy_section = { economy_keys, ARRAY_LEN(economy_keys),
                                             sizeof(ps_economy), &ps_scn__economy_defaults };

static const cyaml_strval_t elasticity_choices[] = {
    { "low", PS_ELASTICITY_LOW },
    { "default", PS_ELASTICITY_DEFAULT },
    { "high", PS_ELASTICITY_HIGH },
};

/* Every response parameter defaults to the value of the elasticity preset. */
#define RESPONSE_DEFAULT "the elasticity preset's"
static const scn_key response_keys[] = {
    { .key = "elasticity", .type = KEY_ENUM, .offset = offsetof(raw_response, elasticity),
      .deflt = "default, unless the command line chooses another",
      .help = "preset of every response parameter (docs/policy.md); the keys below override "
              "single parameters",
      .choices = elasticity_choices, .n_choices = ARRAY_LEN(elasticity_choices) },
    { .key = "cash_elasticity", .type = KEY_REAL,
      .offset = offsetof(raw_response, r.cash_elasticity),
      .min = 0.0, .max = 5.0, .unit = "% births per 1 % of household income",
      .deflt = RESPONSE_DEFAULT,
      .help = "short-run birth response to the present value of cash per birth" },
    { .key = "quantum_share", .type = KEY_REAL, .offset = offsetof(raw_response, r.quantum_share),
      .min = 0.0, .max = 1.0, .unit = "(share of the response)", .deflt = RESPONSE_DEFAULT,
      .help = "share of the cash and leave response that is permanent" },
    { .key = "order_weight_first", .type = KEY_REAL,
      .offset = offsetof(raw_response, r.order_weight[0]), .min = 0.0, .max = 10.0,
      .unit = "(relative to the average)", .deflt = RESPONSE_DEFAULT,
      .help = "cash response of first births" },
    { .key = "order_weight_second", .type = KEY_REAL,
      .offset = offsetof(raw_response, r.order_weight[1]), .min = 0.0, .max = 10.0,
      .unit = "(relative to the average)", .deflt = RESPONSE_DEFAULT,
      .help = "cash response of second births" },
    { .key = "order_weight_third", .type = KEY_REAL,
      .offset = offsetof(raw_response, r.order_weight[2]), .min = 0.0, .max = 10.0,
      .unit = "(relative to the average)", .deflt = RESPONSE_DEFAULT,
      .help = "cash response of third and later births" },
    { .key = "lag_months", .type = KEY_REAL, .offset = offsetof(raw_response, r.lag_months),
      .min = 0.0, .max = 36.0, .unit = "months", .deflt = RESPONSE_DEFAULT,
      .help = "time from a policy's start to the first births it affects" },
    { .key = "tempo_years", .type = KEY_REAL, .offset = offsetof(raw_response, r.tempo_years),
      .min = 0.0, .max = 20.0, .unit = "years", .deflt = RESPONSE_DEFAULT,
      .help = "years over which births are brought forward" },
    { .key = "payback_years", .type = KEY_REAL, .offset = offsetof(raw_response, r.payback_years),
      .min = 0.0, .max = 30.0, .unit = "years", .deflt = RESPONSE_DEFAULT,
      .help = "years over which brought-forward births are paid back" },
    { .key = "childcare_per_10pp", .type = KEY_REAL,
      .offset = offsetof(raw_response, r.childcare_per_10pp), .min = 0.0, .max = 20.0,
      .unit = "% births per +10 points of enrollment", .deflt = RESPONSE_DEFAULT,
      .help = "birth response to under-3 childcare enrollment" },
    { .key = "childcare_weight_first", .type = KEY_REAL,
      .offset = offsetof(raw_response, r.childcare_weight[0]), .min = 0.0, .max = 10.0,
      .unit = "(relative to the average)", .deflt = RESPONSE_DEFAULT,
      .help = "childcare response of first births" },
    { .key = "childcare_weight_second", .type = KEY_REAL,
      .offset = offsetof(raw_response, r.childcare_weight[1]), .min = 0.0, .max = 10.0,
      .unit = "(relative to the average)", .deflt = RESPONSE_DEFAULT,
      .help = "childcare response of second births" },
    { .key = "childcare_weight_third", .type = KEY_REAL,
      .offset = offsetof(raw_response, r.childcare_weight[2]), .min = 0.0, .max = 10.0,
      .unit = "(relative to the average)", .deflt = RESPONSE_DEFAULT,
      .help = "childcare response of third and later births" },
    { .key = "leave_per_3_months", .type = KEY_REAL,
      .offset = offsetof(raw_response, r.leave_per_3_months), .min = 0.0, .max = 20.0,
      .unit = "% births per 3 months of paid leave", .deflt = RESPONSE_DEFAULT,
      .help = "birth response (tempo) to longer paid maternity leave" },
    { .key = "paternity_per_10_days", .type = KEY_REAL,
      .offset = offsetof(raw_response, r.paternity_per_10_days), .min = 0.0, .max = 20.0,
      .unit = "% births per 10 days", .deflt = RESPONSE_DEFAULT,
      .help = "birth response (quantum) to paternity and parental leave" },
    { .key = "employer_pass_through", .type = KEY_REAL,
      .offset = offsetof(raw_response, r.employer_pass_through), .min = 0.0, .max = 1.0,
      .unit = "(share of the subsidy)", .deflt = RESPONSE_DEFAULT,
      .help = "value to households of an employer insurance subsidy" },
};
const scn_section ps_scn__response_section = { response_keys, ARRAY_LEN(response_keys),
                                              sizeof(raw_response), NULL };

const cyaml_strval_t ps_scn__lever_choices[] = {
    { "birth_reward", PS_LEVER_BIRTH_REWARD }, { "monthly_subsidy", PS_LEVER_MONTHLY_SUBSIDY },
    { "childcare", PS_LEVER_CHILDCARE },       { "leave", PS_LEVER_LEAVE },
    { "insurance", PS_LEVER_INSURANCE },       { "special_family", PS_LEVER_SPECIAL_FAMILY },
};

static const cyaml_strval_t ps_scn__payer_choices[] = {
    { "central", PS_PAYER_CENTRAL },
    { "local", PS_PAYER_LOCAL },
    { "social_insurance", PS_PAYER_SOCIAL_INSURANCE },
    { "employer", PS_PAYER_EMPLOYER },
};

#define PAYER_SHARE_KEY(name, payer, what)                                                   \
    { .key = name, .type = KEY_REAL,                                                         \
      .offset = offsetof(raw_payer_shares, share) + (payer) * sizeof(double), .min = 0.0,    \
      .max = 1.0, .unit = "(share of the cost)", .deflt = "0",                               \
      .help = "share of the instrument's cost paid by " what }
static const scn_key payer_share_keys[] = {
    PAYER_SHARE_KEY("central", PS_PAYER_CENTRAL, "the central budget"),
    PAYER_SHARE_KEY("local", PS_PAYER_LOCAL, "the local budget"),
    PAYER_SHARE_KEY("social_insurance", PS_PAYER_SOCIAL_INSURANCE, "social insurance funds"),
    PAYER_SHARE_KEY("employer", PS_PAYER_EMPLOYER, "employers"),
};
#undef PAYER_SHARE_KEY
static const scn_section payer_share_section = { payer_share_keys, ARRAY_LEN(payer_share_keys),
                                                 sizeof(raw_payer_shares), NULL };

/* Defaults of the policy keys that apply to a policy's lever; keys of other levers stay 0. */
static const cyaml_strval_t requires_choices[] = {
    { "everyone", 0 },
    { "registered", 1 },
};
const raw_policy ps_scn__policy_defaults = { .eligible_share = 1.0, .max_age = 3,
                                            .paid_share = 1.0, .employer_si_months = 6.0,
                                            .employed_share = 0.7, .unemployed_share = 0.05,
                                            .from_age = 49 };

#define M_SUBSIDY LEVER_BIT(PS_LEVER_MONTHLY_SUBSIDY)
#define CHILDCARE LEVER_BIT(PS_LEVER_CHILDCARE)
#define LEAVE LEVER_BIT(PS_LEVER_LEAVE)
#define INSURANCE LEVER_BIT(PS_LEVER_INSURANCE)
#define SPECIAL LEVER_BIT(PS_LEVER_SPECIAL_FAMILY)
const scn_key ps_scn__policy_keys[] = {
    { .key = "lever", .type = KEY_ENUM, .offset = offsetof(raw_policy, lever), .required = true,
      .help = "kind of instrument", .choices = ps_scn__lever_choices,
      .n_choices = ARRAY_LEN(ps_scn__lever_choices) },
    { .key = "name", .type = KEY_NAME, .offset = offsetof(raw_policy, name),
      .deflt = "the lever's name",
      .help = "instrument name, its output group; policies of one name must not overlap in time" },
    { .key = "start", .type = KEY_INT, .offset = offsetof(raw_policy, start), .min = 1950,
      .max = 2300, .unit = "(calendar year)", .required = true,
      .help = "first calendar year in force (from 1 January), within the scenario's start..end" },
    { .key = "end", .type = KEY_INT, .offset = offsetof(raw_policy, end), .min = 1950,
      .max = 2300, .unit = "(calendar year)", .deflt = "the end of the projection",
      .help = "last calendar year in force (to 31 December), from the policy's start to the "
              "scenario's end" },
    { .key = "first", .type = KEY_REAL, .offset = offsetof(raw_policy, first), .min = 0.0,
      .max = 1e7, .unit = "yuan", .levers = LEVERS_CASH,
      .help = "amount for a first child: per birth (birth_reward) or per child and month "
              "(monthly_subsidy)" },
    { .key = "second", .type = KEY_REAL, .offset = offsetof(raw_policy, second), .min = 0.0,
      .max = 1e7, .unit = "yuan", .levers = LEVERS_CASH,
      .help = "amount for a second child, like first" },
    { .key = "third", .type = KEY_REAL, .offset = offsetof(raw_policy, third), .min = 0.0,
      .max = 1e7, .unit = "yuan", .levers = LEVERS_CASH,
      .help = "amount for a third or later child, like first" },
    { .key = "eligible_share", .type = KEY_REAL, .offset = offsetof(raw_policy, eligible_share),
      .min = 0.0, .max = 1.0, .unit = "(share of births or children)", .levers = LEVERS_CASH,
      .help = "share of births or children that qualify" },
    { .key = "requires", .type = KEY_ENUM, .offset = offsetof(raw_policy, requires),
      .levers = LEVERS_CASH, .deflt = "everyone",
      .help = "who qualifies: everyone, or registered (children of mothers registered (hukou) "
              "in their region; needs registration)",
      .choices = requires_choices, .n_choices = ARRAY_LEN(requires_choices) },
    { .key = "max_age", .type = KEY_INT, .offset = offsetof(raw_policy, max_age), .min = 1,
      .max = 18, .unit = "years", .levers = M_SUBSIDY | LEAVE,
      .help = "the subsidy is paid, or parental leave granted each year to each parent, while "
              "the child is under this age" },
    { .key = "born_from", .type = KEY_INT, .offset = offsetof(raw_policy, born_from),
      .min = 1950, .max = 2300, .unit = "(calendar year)", .levers = M_SUBSIDY,
      .deflt = "none (every child under max_age)",
      .help = "only children born from 1 January of this year qualify" },
    { .key = "low_income_topup", .type = KEY_REAL,
      .offset = offsetof(raw_policy, low_income_topup), .min = 0.0, .max = 1e6,
      .unit = "yuan per child per month", .levers = M_SUBSIDY,
      .help = "extra subsidy for children of low-income families" },
    { .key = "low_income_share", .type = KEY_REAL,
      .offset = offsetof(raw_policy, low_income_share), .min = 0.0, .max = 1.0,
      .unit = "(share of children)", .levers = M_SUBSIDY,
      .help = "share of children in low-income families, who get low_income_topup" },
    { .key = "spots_per_1000", .type = KEY_REAL, .offset = offsetof(raw_policy, spots_per_1000),
      .min = 0.0, .max = 100.0, .unit = "spots per 1,000 population", .levers = CHILDCARE,
      .help = "childcare supply target (0 keeps the economy's supply)" },
    { .key = "operating_subsidy", .type = KEY_REAL,
      .offset = offsetof(raw_policy, operating_subsidy), .min = 0.0, .max = 1e5,
      .unit = "yuan per enrolled child per month", .levers = CHILDCARE,
      .help = "subsidy paid to childcare providers" },
    { .key = "fee_subsidy", .type = KEY_REAL, .offset = offsetof(raw_policy, fee_subsidy),
      .min = 0.0, .max = 1e5, .unit = "yuan per enrolled child per month", .levers = CHILDCARE,
      .help = "subsidy paid to families, lowering the fee" },
    { .key = "construction_subsidy", .type = KEY_REAL,
      .offset = offsetof(raw_policy, construction_subsidy), .min = 0.0, .max = 1e7,
      .unit = "yuan per new spot", .levers = CHILDCARE,
      .help = "one-time subsidy per childcare spot built" },
    { .key = "maternity_days", .type = KEY_REAL, .offset = offsetof(raw_policy, maternity_days),
      .min = 0.0, .max = 1000.0, .unit = "days", .levers = LEAVE,
      .help = "maternity leave in force (compared with economy.maternity_days)" },
    { .key = "paternity_days", .type = KEY_REAL, .offset = offsetof(raw_policy, paternity_days),
      .min = 0.0, .max = 1000.0, .unit = "days", .levers = LEAVE,
      .help = "paternity leave in force (compared with economy.paternity_days)" },
    { .key = "parental_days", .type = KEY_REAL, .offset = offsetof(raw_policy, parental_days),
      .min = 0.0, .max = 1000.0, .unit = "days", .levers = LEAVE,
      .help = "parental leave in force (compared with economy.parental_days)" },
    { .key = "paid_share", .type = KEY_REAL, .offset = offsetof(raw_policy, paid_share),
      .min = 0.0, .max = 1.0, .unit = "(share of leave days)", .levers = LEAVE,
      .help = "share of leave days paid at the full wage" },
    { .key = "medical_per_birth", .type = KEY_REAL,
      .offset = offsetof(raw_policy, medical_per_birth), .min = 0.0, .max = 1e7,
      .unit = "yuan per birth", .levers = INSURANCE, .help = "birth medical costs covered" },
    { .key = "employer_si_first", .type = KEY_REAL,
      .offset = offsetof(raw_policy, employer_si_first), .min = 0.0, .max = 1.0,
      .unit = "(share of contributions)", .levers = INSURANCE,
      .help = "share of employer social-insurance contributions refunded during maternity "
              "leave after a first birth" },
    { .key = "employer_si_second", .type = KEY_REAL,
      .offset = offsetof(raw_policy, employer_si_second), .min = 0.0, .max = 1.0,
      .unit = "(share of contributions)", .levers = INSURANCE,
      .help = "like employer_si_first, after a second birth" },
    { .key = "employer_si_third", .type = KEY_REAL,
      .offset = offsetof(raw_policy, employer_si_third), .min = 0.0, .max = 1.0,
      .unit = "(share of contributions)", .levers = INSURANCE,
      .help = "like employer_si_first, after a third or later birth" },
    { .key = "employer_si_months", .type = KEY_REAL,
      .offset = offsetof(raw_policy, employer_si_months), .min = 0.0, .max = 36.0,
      .unit = "months", .levers = INSURANCE, .help = "months of contributions refunded per birth" },
    { .key = "employer_si_monthly", .type = KEY_REAL,
      .offset = offsetof(raw_policy, employer_si_monthly), .min = 0.0, .max = 1e6,
      .unit = "yuan per month", .levers = INSURANCE,
      .help = "employer social-insurance contributions per employed mother" },
    { .key = "employed_share", .type = KEY_REAL, .offset = offsetof(raw_policy, employed_share),
      .min = 0.0, .max = 1.0, .unit = "(share of mothers)", .levers = INSURANCE,
      .help = "share of mothers in covered employment" },
    { .key = "unemployment_per_birth", .type = KEY_REAL,
      .offset = offsetof(raw_policy, unemployment_per_birth), .min = 0.0, .max = 1e7,
      .unit = "yuan per birth", .levers = INSURANCE,
      .help = "extra unemployment-insurance benefit per birth" },
    { .key = "unemployed_share", .type = KEY_REAL,
      .offset = offsetof(raw_policy, unemployed_share), .min = 0.0, .max = 1.0,
      .unit = "(share of mothers)", .levers = INSURANCE,
      .help = "share of mothers drawing unemployment benefit" },
    { .key = "monthly_amount", .type = KEY_REAL, .offset = offsetof(raw_policy, monthly_amount),
      .min = 0.0, .max = 1e6, .unit = "yuan per parent per month", .levers = SPECIAL,
      .deflt = "none: required for special_family",
      .help = "support paid to each parent of a special family-planning family (only child "
              "died or disabled)" },
    { .key = "from_age", .type = KEY_INT, .offset = offsetof(raw_policy, from_age), .min = 0,
      .max = PS_DEFAULT_MAX_AGE, .unit = "years", .levers = SPECIAL,
      .help = "parents are paid from this age on (49 in the national rule)" },
    { .key = "share", .type = KEY_REAL, .offset = offsetof(raw_policy, share), .min = 0.0,
      .max = 1.0, .unit = "(share of persons aged from_age+)", .levers = SPECIAL,
      .deflt = "none: required for special_family",
      .help = "share of all persons aged from_age and over who are parents of a special "
              "family-planning family (local registers; docs/policy.md sec. 8)" },
    { .key = "payer", .type = KEY_ENUM, .offset = offsetof(raw_policy, payer),
      .deflt = "the lever's split (docs/policy.md sec. 7.1)",
      .help = "who pays the whole cost; or give payer_shares",
      .choices = ps_scn__payer_choices, .n_choices = ARRAY_LEN(ps_scn__payer_choices) },
    { .key = "payer_shares", .type = KEY_MAP, .offset = offsetof(raw_policy, payer_shares),
      .deflt = "the lever's split (docs/policy.md sec. 7.1)",
      .help = "shares of the cost by payer, summing to 1; or give payer",
      .sub = &payer_share_section },
};
#undef M_SUBSIDY
#undef CHILDCARE
#undef LEAVE
#undef INSURANCE
#undef SPECIAL
const scn_section ps_scn__policy_section = { ps_scn__policy_keys, ARRAY_LEN(ps_scn__policy_keys),
                                            sizeof(raw_policy), &ps_scn__policy_defaults };

/* ---- services -------------------------------------------------------------------------- */
static const scn_key point_keys[] = {
    { .key = "year", .type = KEY_INT, .offset = offsetof(raw_point, year), .min = 1950,
      .max = 2300, .unit = "(calendar year)", .required = true,
      .help = "year of the value; points are in ascending years, linear between them and "
              "constant before the first and after the last" },
    { .key = "value", .type = KEY_REAL, .offset = offsetof(raw_point, value), .min = 0.0,
      .max = 1e9, .unit = "", .required = true,
      .help = "value in that year, in the unit of the key that holds the points" },
};
const scn_section ps_scn__point_section = { point_keys, ARRAY_LEN(point_keys), sizeof(raw_point),
                                           NULL };

static const scn_key step_keys[] = {
    { .key = "from_age", .type = KEY_INT, .offset = offsetof(raw_step, from_age), .min = 0,
      .max = PS_DEFAULT_MAX_AGE, .unit = "years", .required = true,
      .help = "youngest age of the step; a step lasts to the next step's from_age, the last "
              "one to the open age group, and ages before the first step have none" },
    { .key = "value", .type = KEY_REAL, .offset = offsetof(raw_step, value), .min = 0.0,
      .max = 1.0, .unit = "(share of persons)", .required = true,
      .help = "prevalence at those ages in care_need.base_year" },
};
const scn_section ps_scn__step_section = { step_keys, ARRAY_LEN(step_keys), sizeof(raw_step),
                                          NULL };

static const raw_sex_factor sex_factor_defaults = { .female = 1.0, .male = 1.0 };
static const scn_key sex_factor_keys[] = {
    { .key = "female", .type = KEY_REAL, .offset = offsetof(raw_sex_factor, female), .min = 0.0,
      .max = 10.0, .unit = "(factor on the prevalence)",
      .help = "women's prevalence relative to the level's table" },
    { .key = "male", .type = KEY_REAL, .offset = offsetof(raw_sex_factor, male), .min = 0.0,
      .max = 10.0, .unit = "(factor on the prevalence)",
      .help = "men's prevalence relative to the level's table" },
};
static const scn_section sex_factor_section = { sex_factor_keys, ARRAY_LEN(sex_factor_keys),
                                                sizeof(raw_sex_factor), &sex_factor_defaults };

static const scn_key level_keys[] = {
    { .key = "name", .type = KEY_NAME, .offset = offsetof(raw_level, name), .required = true,
      .help = "care-need level, named by services' classes (need:) and in the output" },
    { .key = "prevalence", .type = KEY_SEQ, .offset = offsetof(raw_level, prevalence),
      .count_offset = offsetof(raw_level, n_prevalence), .required = true,
      .help = "share of persons in this level by age, as steps in ascending from_age; "
              "levels are exclusive, so at every age their prevalences sum to at most 1",
      .sub = &ps_scn__step_section },
    { .key = "by_sex", .type = KEY_MAP, .offset = offsetof(raw_level, by_sex),
      .deflt = "the table for both sexes",
      .help = "prevalence by sex: the table times a factor for each sex", .sub = &sex_factor_section },
};
const scn_section ps_scn__level_section = { level_keys, ARRAY_LEN(level_keys),
                                           sizeof(raw_level), NULL };

static const scn_key level_share_keys[] = {
    { .key = "level", .type = KEY_NAME, .offset = offsetof(raw_level_share, level),
      .required = true, .help = "care-need level (care_need.levels)" },
    { .key = "share", .type = KEY_REAL, .offset = offsetof(raw_level_share, share), .min = 0.0,
      .max = 1.0, .unit = "(share of the level's persons)", .required = true,
      .help = "share of that level's persons cared for in this setting; for every level the "
              "settings' shares sum to 1" },
};
const scn_section ps_scn__level_share_section = { level_share_keys, ARRAY_LEN(level_share_keys),
                                                 sizeof(raw_level_share), NULL };

static const scn_key setting_keys[] = {
    { .key = "name", .type = KEY_NAME, .offset = offsetof(raw_setting, name), .required = true,
      .help = "care setting (home, community, institution, ...), named by services' setting" },
    { .key = "share", .type = KEY_REAL, .offset = offsetof(raw_setting, share), .min = 0.0,
      .max = 1.0, .unit = "(share of persons in need)", .required = true,
      .help = "share of the persons in need cared for in this setting" },
    { .key = "by_level", .type = KEY_SEQ, .offset = offsetof(raw_setting, by_level),
      .count_offset = offsetof(raw_setting, n_by_level), .deflt = "share for every level",
      .help = "the setting's share for each care-need level, '- {level: L, share: S}' items; "
              "given for one setting, it is given for every setting and every level",
      .sub = &ps_scn__level_share_section },
};
const scn_section ps_scn__setting_section = { setting_keys, ARRAY_LEN(setting_keys),
                                             sizeof(raw_setting), NULL };

static const scn_key care_need_keys[] = {
    { .key = "base_year", .type = KEY_INT, .offset = offsetof(raw_care_need, base_year),
      .min = 1950, .max = 2300, .unit = "(calendar year)", .deflt = "start",
      .help = "year the prevalence tables describe" },
    { .key = "improvement", .type = KEY_REAL, .offset = offsetof(raw_care_need, improvement),
      .min = -0.1, .max = 0.1, .unit = "(relative change per year)", .deflt = "0",
      .help = "yearly relative fall of every age-specific prevalence after base_year "
              "(0.015: 1.5 % a year; negative values make it rise)" },
    { .key = "levels", .type = KEY_SEQ, .offset = offsetof(raw_care_need, levels),
      .count_offset = offsetof(raw_care_need, n_levels), .required = true,
      .help = "care-need levels, one '- name: ...' item each", .sub = &ps_scn__level_section },
    { .key = "settings", .type = KEY_SEQ, .offset = offsetof(raw_care_need, settings),
      .count_offset = offsetof(raw_care_need, n_settings), .deflt = "none",
      .help = "where persons in need are cared for; the shares sum to 1",
      .sub = &ps_scn__setting_section },
};
const scn_section ps_scn__care_need_section = { care_need_keys, ARRAY_LEN(care_need_keys),
                                               sizeof(raw_care_need), NULL };

const raw_class ps_scn__class_defaults = { .uptake = 1.0 };
static const scn_key class_keys[] = {
    { .key = "name", .type = KEY_NAME, .offset = offsetof(raw_class, name), .required = true,
      .help = "class name, unique in the service (the class coordinate of the output)" },
    { .key = "from_age", .type = KEY_INT, .offset = offsetof(raw_class, from_age), .min = 0,
      .max = PS_DEFAULT_MAX_AGE, .unit = "years", .required = true,
      .help = "youngest age of the class, completed years on 1 July" },
    { .key = "to_age", .type = KEY_INT, .offset = offsetof(raw_class, to_age), .min = 0,
      .max = PS_DEFAULT_MAX_AGE, .unit = "years", .deflt = "from_age",
      .help = "oldest age of the class, not below from_age (100 is the open group 100+)" },
    { .key = "need", .type = KEY_NAME, .offset = offsetof(raw_class, need),
      .deflt = "none (every person of the ages)",
      .help = "care-need level (care_need.levels) the class counts: its persons are the "
              "ages' persons times the level's prevalence" },
    { .key = "uptake", .type = KEY_REAL, .offset = offsetof(raw_class, uptake), .min = 0.0,
      .max = 1.0, .unit = "(share of the class)",
      .help = "share of the class's persons who use the service (enrollment, need); with "
              "uptake_path it is the age profile that the path rescales" },
    { .key = "users_per_staff", .type = KEY_REAL, .offset = offsetof(raw_class, users_per_staff),
      .min = 0.0, .max = 1e6, .unit = "users per staff member", .deflt = "none (no staff)",
      .help = "staff ratio, above 0 (3 means 1 staff member per 3 users)" },
    { .key = "users_per_group", .type = KEY_REAL, .offset = offsetof(raw_class, users_per_group),
      .min = 0.0, .max = 1e6, .unit = "users per group", .deflt = "none (no groups)",
      .help = "class or room size, above 0" },
    { .key = "cost_per_user", .type = KEY_REAL, .offset = offsetof(raw_class, cost_per_user),
      .min = 0.0, .max = 1e7, .unit = "yuan per user per month", .deflt = "0",
      .help = "operating cost of serving one user" },
    { .key = "fee_per_user", .type = KEY_REAL, .offset = offsetof(raw_class, fee_per_user),
      .min = 0.0, .max = 1e7, .unit = "yuan per user per month", .deflt = "0",
      .help = "fee paid by the user's family" },
    { .key = "subsidy_per_user", .type = KEY_REAL, .offset = offsetof(raw_class, subsidy_per_user),
      .min = 0.0, .max = 1e7, .unit = "yuan per subsidised user per month", .deflt = "0",
      .help = "public subsidy per user, paid for subsidised_share of the users" },
};
const scn_section ps_scn__class_section = { class_keys, ARRAY_LEN(class_keys), sizeof(raw_class),
                                           &ps_scn__class_defaults };

static const cyaml_strval_t basis_choices[] = {
    { "population", PS_SVC_BASIS_POPULATION }, { "group", PS_SVC_BASIS_GROUP },
    { "ages", PS_SVC_BASIS_AGES },             { "places", PS_SVC_BASIS_PLACES },
    { "base_year", PS_SVC_BASIS_BASE_YEAR },
};

const raw_capacity ps_scn__capacity_defaults = { .occupancy = 1.0 };
static const scn_key capacity_keys[] = {
    { .key = "basis", .type = KEY_ENUM, .offset = offsetof(raw_capacity, basis), .required = true,
      .help = "what the target counts: places per 1,000 total population (population), per "
              "1,000 of the service's group (group) or of ages from_age..to_age (ages), a "
              "number of places (places), or the places the base year's demand needs, held "
              "constant (base_year)",
      .choices = basis_choices, .n_choices = ARRAY_LEN(basis_choices) },
    { .key = "target", .type = KEY_REAL, .offset = offsetof(raw_capacity, target), .min = 0.0,
      .max = 1e9, .unit = "places per 1,000 of the basis, or places",
      .deflt = "none",
      .help = "constant target; give target or path unless basis is base_year" },
    { .key = "path", .type = KEY_SEQ, .offset = offsetof(raw_capacity, path),
      .count_offset = offsetof(raw_capacity, n_path), .deflt = "none",
      .help = "target by year, '- {year: Y, value: V}' items in ascending years",
      .sub = &ps_scn__point_section },
    { .key = "from_age", .type = KEY_INT, .offset = offsetof(raw_capacity, from_age), .min = 0,
      .max = PS_DEFAULT_MAX_AGE, .unit = "years", .deflt = "none",
      .help = "basis ages: youngest (required with basis: ages, and only there)" },
    { .key = "to_age", .type = KEY_INT, .offset = offsetof(raw_capacity, to_age), .min = 0,
      .max = PS_DEFAULT_MAX_AGE, .unit = "years", .deflt = "none",
      .help = "basis ages: oldest (required with basis: ages, and only there)" },
    { .key = "occupancy", .type = KEY_REAL, .offset = offsetof(raw_capacity, occupancy),
      .min = 0.01, .max = 1.0, .unit = "(share of places)",
      .help = "planned occupancy: the places a demand needs are demand / occupancy" },
    { .key = "nursing_share", .type = KEY_REAL, .offset = offsetof(raw_capacity, nursing_share),
      .min = 0.0, .max = 1.0, .unit = "(share of places)", .deflt = "none",
      .help = "share of the places that must be nursing-type (beds); gives nursing_capacity" },
    { .key = "construction_subsidy", .type = KEY_REAL,
      .offset = offsetof(raw_capacity, construction_subsidy), .min = 0.0, .max = 1e8,
      .unit = "yuan per new place", .deflt = "0",
      .help = "one-time subsidy for each place the target adds over the previous year" },
};
const scn_section ps_scn__capacity_section = { capacity_keys, ARRAY_LEN(capacity_keys),
                                              sizeof(raw_capacity), &ps_scn__capacity_defaults };

static const scn_key extra_staff_keys[] = {
    { .key = "name", .type = KEY_NAME, .offset = offsetof(raw_extra_staff, name),
      .required = true, .help = "kind of staff (health, support, ...)" },
    { .key = "users_per_staff", .type = KEY_REAL,
      .offset = offsetof(raw_extra_staff, users_per_staff), .min = 0.0, .max = 1e6,
      .unit = "users per staff member", .deflt = "none",
      .help = "one staff member per this many users of the service, above 0" },
    { .key = "per_group", .type = KEY_REAL, .offset = offsetof(raw_extra_staff, per_group),
      .min = 0.0, .max = 100.0, .unit = "staff per group", .deflt = "0",
      .help = "staff per group (class or room) of the service" },
};
const scn_section ps_scn__extra_staff_section = { extra_staff_keys, ARRAY_LEN(extra_staff_keys),
                                                 sizeof(raw_extra_staff), NULL };

static const scn_key home_keys[] = {
    { .key = "name", .type = KEY_NAME, .offset = offsetof(raw_home, name), .required = true,
      .help = "home service (meal, bathing, ...), the home_service coordinate of the output" },
    { .key = "per_user_year", .type = KEY_REAL, .offset = offsetof(raw_home, per_user_year),
      .min = 0.0, .max = 1e5, .unit = "services per user per year", .required = true,
      .help = "services delivered per user of the service and year" },
};
const scn_section ps_scn__home_section = { home_keys, ARRAY_LEN(home_keys), sizeof(raw_home),
                                          NULL };

static const cyaml_strval_t kind_choices[] = {
    { "childcare", PS_SVC_CHILDCARE }, { "kindergarten", PS_SVC_KINDERGARTEN },
    { "school", PS_SVC_SCHOOL },       { "health", PS_SVC_HEALTH },
    { "elderly", PS_SVC_ELDERLY },     { "other", PS_SVC_OTHER },
};
static const cyaml_strval_t svc_sex_choices[] = {
    { "both", -1 }, { "female", PS_SEX_FEMALE }, { "male", PS_SEX_MALE },
};

static const cyaml_strval_t missing_choices[] = {
    { "error", 0 }, { "zero", 1 },
};
static const scn_key stock_keys[] = {
    { .key = "file", .type = KEY_TEXT, .offset = offsetof(raw_stock, file), .required = true,
      .help = "stock CSV (docs/input-format.md): places, beds and staff by region, year and "
              "facility type; relative to the scenario file" },
    { .key = "type", .type = KEY_NAME, .offset = offsetof(raw_stock, type),
      .deflt = "the service's name", .help = "facility type (the file's type column) counted" },
    { .key = "missing", .type = KEY_ENUM, .offset = offsetof(raw_stock, missing),
      .deflt = "error",
      .help = "a region without rows of the type: an error naming it (error) or no stock (zero)",
      .choices = missing_choices, .n_choices = ARRAY_LEN(missing_choices) },
};
const scn_section ps_scn__stock_section = { stock_keys, ARRAY_LEN(stock_keys), sizeof(raw_stock),
                                           NULL };

const raw_service ps_scn__service_defaults = { .sex = -1, .subsidised_share = 1.0 };
static const scn_key service_keys[] = {
    { .key = "name", .type = KEY_NAME, .offset = offsetof(raw_service, name), .required = true,
      .help = "service name, its output group services/<name>; unique in a member" },
    { .key = "kind", .type = KEY_ENUM, .offset = offsetof(raw_service, kind), .required = true,
      .help = "kind of service, for charts and reports",
      .choices = kind_choices, .n_choices = ARRAY_LEN(kind_choices) },
    { .key = "title", .type = KEY_TEXT, .offset = offsetof(raw_service, title), .deflt = "none",
      .help = "free text shown in reports" },
    { .key = "sex", .type = KEY_ENUM, .offset = offsetof(raw_service, sex), .deflt = "both",
      .help = "sex of the target group", .choices = svc_sex_choices,
      .n_choices = ARRAY_LEN(svc_sex_choices) },
    { .key = "setting", .type = KEY_NAME, .offset = offsetof(raw_service, setting),
      .deflt = "none",
      .help = "care setting (care_need.settings) the service serves: its persons are "
              "multiplied by the setting's share" },
    { .key = "subsidised_share", .type = KEY_REAL,
      .offset = offsetof(raw_service, subsidised_share), .min = 0.0, .max = 1.0,
      .unit = "(share of users)",
      .help = "share of users whose subsidy_per_user is paid (e.g. inclusive places)" },
    { .key = "classes", .type = KEY_SEQ, .offset = offsetof(raw_service, classes),
      .count_offset = offsetof(raw_service, n_classes), .required = true,
      .help = "the target group split into classes by age band (and care-need level); "
              "classes must not overlap",
      .sub = &ps_scn__class_section },
    { .key = "uptake_path", .type = KEY_SEQ, .offset = offsetof(raw_service, uptake_path),
      .count_offset = offsetof(raw_service, n_uptake_path), .deflt = "none (uptake as given)",
      .help = "overall uptake of the whole group by year (values in [0, 1]); each year the "
              "classes' uptakes are rescaled by one factor to reach it, capped at 1",
      .sub = &ps_scn__point_section, .same_as = "services[].capacity.path[]" },
    { .key = "capacity", .type = KEY_MAP, .offset = offsetof(raw_service, capacity),
      .deflt = "none (no target: no capacity, shortage or surplus)",
      .help = "the capacity target", .sub = &ps_scn__capacity_section },
    { .key = "extra_staff", .type = KEY_SEQ, .offset = offsetof(raw_service, extra_staff),
      .count_offset = offsetof(raw_service, n_extra_staff), .deflt = "none",
      .help = "staff beyond the class ratios", .sub = &ps_scn__extra_staff_section },
    { .key = "home_services", .type = KEY_SEQ, .offset = offsetof(raw_service, home_services),
      .count_offset = offsetof(raw_service, n_home_services), .deflt = "none",
      .help = "services delivered at home per user (meal, bathing, ...)",
      .sub = &ps_scn__home_section },
    { .key = "stock", .type = KEY_MAP, .offset = offsetof(raw_service, stock),
      .deflt = "none (no stock, gaps or places to build)",
      .help = "existing places from a stock file", .sub = &ps_scn__stock_section },
    { .key = "cross_district_share", .type = KEY_REAL,
      .offset = offsetof(raw_service, cross_district_share), .min = 0.0, .max = 1.0,
      .unit = "(share of demand)", .deflt = "0",
      .help = "share of each region's demand served in the other regions, spread in proportion "
              "to their stock (their demand without a stock file)" },
};
const scn_section ps_scn__service_section = { service_keys, ARRAY_LEN(service_keys),
                                             sizeof(raw_service), &ps_scn__service_defaults };

static const scn_key variant_keys[] = {
    { .key = "name", .type = KEY_NAME, .offset = offsetof(raw_variant, name), .required = true,
      .help = "member name, its output group; unique in the file, the top-level name included" },
    { .key = "title", .type = KEY_TEXT, .offset = offsetof(raw_variant, title), .deflt = "none",
      .help = "free text shown in reports and plots" },
    { .key = "extends", .type = KEY_NAME, .offset = offsetof(raw_variant, extends),
      .deflt = "the top level",
      .help = "member defined earlier in the file whose economy, response and policies this "
              "one starts from" },
    { .key = "economy", .type = KEY_MAP, .offset = offsetof(raw_variant, economy),
      .help = "economy keys that differ from the parent's", .sub = &ps_scn__economy_section,
      .same_as = "economy" },
    { .key = "response", .type = KEY_MAP, .offset = offsetof(raw_variant, response),
      .help = "response keys that differ from the parent's", .sub = &ps_scn__response_section,
      .same_as = "response" },
    { .key = "policies", .type = KEY_SEQ, .offset = offsetof(raw_variant, policies),
      .count_offset = offsetof(raw_variant, n_policies),
      .help = "policies added to the parent's; one with the name of an inherited policy "
              "replaces every inherited policy of that name",
      .sub = &ps_scn__policy_section, .same_as = "policies[]" },
    { .key = "services", .type = KEY_SEQ, .offset = offsetof(raw_variant, services),
      .count_offset = offsetof(raw_variant, n_services),
      .help = "services added to the parent's; one with the name of an inherited service "
              "replaces it",
      .sub = &ps_scn__service_section, .same_as = "services[]" },
};
static const scn_section variant_section = { variant_keys, ARRAY_LEN(variant_keys),
                                             sizeof(raw_variant), NULL };

static const scn_key region_keys[] = {
    { .key = "name", .type = KEY_TEXT, .offset = offsetof(raw_region, name), .required = true,
      .help = "label of the region (district, county, prefecture), unique in the file" },
    { .key = "population", .type = KEY_PATH, .offset = offsetof(raw_region, population),
      .deflt = "population.file", .help = "the region's base population, persons",
      .csv = "sex,age,value" },
    { .key = "mx_file", .type = KEY_PATH, .offset = offsetof(raw_region, mx_file),
      .deflt = "mortality.mx_file", .help = "the region's death rates",
      .csv = "year,sex,age,mx" },
    { .key = "asfr_file", .type = KEY_PATH, .offset = offsetof(raw_region, asfr_file),
      .deflt = "fertility.asfr_file", .help = "the region's birth rates by age of mother",
      .csv = "year,age,asfr" },
    { .key = "tfr", .type = KEY_REAL, .offset = offsetof(raw_region, tfr), .min = 0.0,
      .max = 10.0, .unit = "children per woman", .deflt = "fertility.tfr",
      .help = "the region's constant total fertility rate" },
    { .key = "srb", .type = KEY_REAL, .offset = offsetof(raw_region, srb), .min = 0.9,
      .max = 1.3, .unit = "male births per female birth", .deflt = "srb.value",
      .help = "the region's constant sex ratio at birth" },
    { .key = "migration_file", .type = KEY_PATH, .offset = offsetof(raw_region, migration_file),
      .deflt = "migration", .help = "the region's net international migrants",
      .csv = "year,sex,age,value" },
    { .key = "migration_total", .type = KEY_REAL,
      .offset = offsetof(raw_region, migration_total), .min = -1e9, .max = 1e9,
      .unit = "persons per year", .deflt = "migration",
      .help = "the region's constant net international migrants per year, spread like "
              "migration.total" },
    { .key = "registered_share", .type = KEY_REAL,
      .offset = offsetof(raw_region, registered_share), .min = 0.0, .max = 1.0,
      .unit = "(share of the base population)", .deflt = "registration.registered_share",
      .help = "share of the region's base population registered (hukou) locally; only with "
              "registration" },
};
static const scn_section region_section = { region_keys, ARRAY_LEN(region_keys),
                                            sizeof(raw_region), NULL };

static const scn_key internal_keys[] = {
    { .key = "file", .type = KEY_PATH, .offset = offsetof(raw_internal, file), .required = true,
      .help = "origin-destination table: migration rate per person-year of the origin's "
              "population (the mean over single ages), by pair and optionally by year",
      .csv = "origin,destination,rate[,year]" },
    { .key = "schedule", .type = KEY_MAP, .offset = offsetof(raw_internal, schedule),
      .deflt = "Rogers-Castro fundamental schedule",
      .help = "Rogers-Castro age schedule that spreads each pair's rate over ages",
      .sub = &ps_scn__schedule_section, .same_as = "migration.schedule" },
    { .key = "output_flows", .type = KEY_BOOL, .offset = offsetof(raw_internal, output_flows),
      .deflt = "false",
      .help = "write flows(year, origin, destination, sex, age), regions^2 x ages per year" },
};
static const scn_section internal_section = { internal_keys, ARRAY_LEN(internal_keys),
                                              sizeof(raw_internal), NULL };

const raw_registration ps_scn__registration_defaults = { .conversion_from_age = 16,
                                                        .conversion_to_age = 59 };
static const scn_key registration_keys[] = {
    { .key = "registered_share", .type = KEY_REAL,
      .offset = offsetof(raw_registration, registered_share), .min = 0.0, .max = 1.0,
      .unit = "(share of the base population)", .required = true,
      .help = "share of every region's base population registered (hukou) locally, at every "
              "age (regions[].registered_share overrides it)" },
    { .key = "conversion_rate", .type = KEY_REAL,
      .offset = offsetof(raw_registration, conversion_rate), .min = 0.0, .max = 1.0,
      .unit = "per person-year of the unregistered", .deflt = "0",
      .help = "conversions (luohu) of unregistered residents to local registration" },
    { .key = "conversion_from_age", .type = KEY_INT,
      .offset = offsetof(raw_registration, conversion_from_age), .min = 0, .max = 150,
      .unit = "years", .help = "youngest age at which residents convert" },
    { .key = "conversion_to_age", .type = KEY_INT,
      .offset = offsetof(raw_registration, conversion_to_age), .min = 0, .max = 150,
      .unit = "years", .help = "oldest age at which residents convert" },
    { .key = "arrive_registered", .type = KEY_REAL,
      .offset = offsetof(raw_registration, arrive_registered), .min = 0.0, .max = 1.0,
      .unit = "(share of registered in-migrants)", .deflt = "0",
      .help = "share of the registered among internal in-migrants who take local registration "
              "on arrival; immigrants from abroad arrive unregistered" },
};
static const scn_section registration_section = { registration_keys,
                                                   ARRAY_LEN(registration_keys),
                                                   sizeof(raw_registration),
                                                   &ps_scn__registration_defaults };

static const cyaml_strval_t engine_choices[] = {
    { "ccm", PS_ENGINE_CCM },
    { "micro", PS_ENGINE_MICRO },
};

const raw_micro ps_scn__micro_defaults = { .scale = 1.0, .replicates = 1, .seed = 1 };
static const scn_key micro_keys[] = {
    { .key = "scale", .type = KEY_REAL, .offset = offsetof(raw_micro, scale), .min = 1.0,
      .max = 1e6, .unit = "persons per simulated person",
      .help = "persons each simulated person stands for; 1 simulates everybody" },
    { .key = "replicates", .type = KEY_INT, .offset = offsetof(raw_micro, replicates), .min = 1,
      .max = 10000, .unit = "runs",
      .help = "independent runs (replicates 0..n-1) whose mean is the result" },
    { .key = "seed", .type = KEY_INT, .offset = offsetof(raw_micro, seed), .min = 0,
      .max = 4294967295.0, .unit = "",
      .help = "random seed; the same seed, scenario and binary give bit-identical results for "
              "any number of threads" },
    { .key = "low_income_share", .type = KEY_REAL,
      .offset = offsetof(raw_micro, low_income_share), .min = 0.0, .max = 1.0,
      .unit = "(share of persons)",
      .help = "share of persons in low-income households (children take their mother's class)" },
    { .key = "subsistence_share", .type = KEY_REAL,
      .offset = offsetof(raw_micro, subsistence_share), .min = 0.0, .max = 1.0,
      .unit = "(share of persons)",
      .help = "share of persons in households receiving the subsistence allowance (dibao); "
              "with low_income_share at most 1" },
    { .key = "sample", .type = KEY_INT, .offset = offsetof(raw_micro, sample), .min = 0,
      .max = 10000000, .unit = "persons",
      .help = "person records of the first replicate written to micro/persons, the first ids "
              "(0 = none)" },
};
const scn_section ps_scn__micro_section = { micro_keys, ARRAY_LEN(micro_keys), sizeof(raw_micro),
                                           &ps_scn__micro_defaults };

const scn_key ps_scn__top_keys[] = {
    { .key = "name", .type = KEY_NAME, .offset = offsetof(raw_scenario, name),
      .required = true, .help = "scenario name, also the name of its output group" },
    { .key = "title", .type = KEY_TEXT, .offset = offsetof(raw_scenario, title),
      .deflt = "none", .help = "free text shown in reports and plots" },
    { .key = "start", .type = KEY_INT, .offset = offsetof(raw_scenario, start), .min = 1950,
      .max = 2300, .unit = "(calendar year)", .required = true,
      .help = "calendar year of the base population, counted on 1 July" },
    { .key = "end", .type = KEY_INT, .offset = offsetof(raw_scenario, end), .min = 1951,
      .max = 2300, .unit = "(calendar year)", .required = true,
      .help = "last calendar year projected (1 July), later than start" },
    { .key = "engine", .type = KEY_ENUM, .offset = offsetof(raw_scenario, engine),
      .deflt = "ccm",
      .help = "projection engine: ccm, the cohort-component model, or micro, the "
              "individual-level microsimulation (settings under micro)",
      .choices = engine_choices, .n_choices = ARRAY_LEN(engine_choices) },
    { .key = "micro", .type = KEY_MAP, .offset = offsetof(raw_scenario, micro),
      .deflt = "the defaults below",
      .help = "microsimulation settings; only with engine: micro", .sub = &ps_scn__micro_section },
    { .key = "data", .type = KEY_MAP, .offset = offsetof(raw_scenario, data),
      .help = "where the UN WPP data are and which location to take", .sub = &data_section },
    { .key = "region", .type = KEY_TEXT, .offset = offsetof(raw_scenario, region),
      .deflt = "the location's name, else region1", .help = "label of the single region" },
    { .key = "population", .type = KEY_MAP, .offset = offsetof(raw_scenario, population),
      .help = "base population", .sub = &population_section },
    { .key = "mortality", .type = KEY_MAP, .offset = offsetof(raw_scenario, mortality),
      .help = "death rates", .sub = &mortality_section },
    { .key = "fertility", .type = KEY_MAP, .offset = offsetof(raw_scenario, fertility),
      .help = "birth rates: a level (tfr, tfr_file) and an age pattern",
      .sub = &fertility_section },
    { .key = "srb", .type = KEY_MAP, .offset = offsetof(raw_scenario, srb),
      .help = "sex ratio at birth", .sub = &srb_section },
    { .key = "migration", .type = KEY_MAP, .offset = offsetof(raw_scenario, migration),
      .help = "net international migration", .sub = &migration_section },
    { .key = "birth_order", .type = KEY_MAP, .offset = offsetof(raw_scenario, birth_order),
      .help = "birth order of the births of the base year, which calibrates the response by "
              "order; the three shares sum to 1",
      .sub = &ps_scn__birth_order_section },
    { .key = "economy", .type = KEY_MAP, .offset = offsetof(raw_scenario, economy),
      .help = "economic setting of the policies: income, childcare, leave and wages",
      .sub = &ps_scn__economy_section },
    { .key = "response", .type = KEY_MAP, .offset = offsetof(raw_scenario, response),
      .help = "how strongly births respond to policies", .sub = &ps_scn__response_section },
    { .key = "policies", .type = KEY_SEQ, .offset = offsetof(raw_scenario, policies),
      .count_offset = offsetof(raw_scenario, n_policies),
      .help = "family-policy instruments of the top level, one '- lever: ...' item each",
      .sub = &ps_scn__policy_section },
    { .key = "care_need", .type = KEY_MAP, .offset = offsetof(raw_scenario, care_need),
      .deflt = "none",
      .help = "care-need levels of older persons by age, and the settings they are cared for "
              "in; used by services' need and setting",
      .sub = &ps_scn__care_need_section },
    { .key = "services", .type = KEY_SEQ, .offset = offsetof(raw_scenario, services),
      .count_offset = offsetof(raw_scenario, n_services), .deflt = "none",
      .help = "services planned from the projection (childcare, schools, elderly care, ...), "
              "one '- name: ...' item each",
      .sub = &ps_scn__service_section },
    { .key = "variants", .type = KEY_SEQ, .offset = offsetof(raw_scenario, variants),
      .count_offset = offsetof(raw_scenario, n_variants),
      .help = "further members of the scenario family, one '- name: ...' item each; each "
              "shares the demographic inputs and states only what differs from its parent",
      .sub = &variant_section },
    { .key = "sweep", .type = KEY_EXTERN, .deflt = "none",
      .help = "a grid or Latin hypercube over numeric policy, response and economy keys of "
              "one member, each point a variant (docs/scenario-format.md, \"sweep\")" },
    { .key = "regions", .type = KEY_SEQ, .offset = offsetof(raw_scenario, regions),
      .count_offset = offsetof(raw_scenario, n_regions), .deflt = "one region",
      .help = "regions projected together and linked by internal_migration, one '- name: ...' "
              "item each; an input an item does not give is the top level's (issue #13)",
      .sub = &region_section },
    { .key = "internal_migration", .type = KEY_MAP,
      .offset = offsetof(raw_scenario, internal_migration), .deflt = "none",
      .help = "migration between the regions; only with regions", .sub = &internal_section },
    { .key = "registration", .type = KEY_MAP, .offset = offsetof(raw_scenario, registration),
      .deflt = "none",
      .help = "registered (hukou) and unregistered residents of every region: the base share, "
              "conversions and the status of migrants; children take their mother's status",
      .sub = &registration_section },
    { .key = "parity", .type = KEY_EXTERN, .deflt = "none (reconstructed from the fertility "
      "history)",
      .help = "women of the base year by age and parity: 'file: <table>' of women by age and "
              "parity 0, 1, 2, 3+, counts or shares (docs/scenario-format.md, \"parity\"; "
              "issue #12)" },
    { .key = "calibrate_births", .type = KEY_EXTERN, .deflt = "none",
      .help = "observed births of recent years, '<year>: <births>' lines and fade_years; the "
              "ASFR of each year is scaled to reproduce them (docs/scenario-format.md, "
              "\"calibrate_births\"; issue #12)" },
    { .key = "uncertainty", .type = KEY_EXTERN, .deflt = "none",
      .help = "probabilistic trajectories of TFR, e0 and net migration around the scenario's "
              "own paths, one region (docs/scenario-format.md, \"uncertainty\"; issue #14); "
              "with policy variants also the policy response, drawn per trajectory" },
};
const scn_section ps_scn__top_section = { ps_scn__top_keys, ARRAY_LEN(ps_scn__top_keys),
                                         sizeof(raw_scenario), NULL };

/* Rules between keys, as ps_scn_describe() prints them. Each is enforced by one of the
 * build_<section>() functions below, which a test per rule holds to its word. */
static const char *const scn_rules[] = {
    "end must be later than start.",
    "Without data.location every input comes from files: population.file, mortality.mx_file "
    "and fertility (asfr_file, or tfr/tfr_file with pattern: hadwiger) are required; srb "
    "defaults to 1.05 and migration to none, each with a warning.",
    "data.wpp_dir without data.location has no effect (warning).",
    "mortality.e0_file needs an age pattern to scale: mortality.mx_file or data.location.",
    "fertility: at most one of tfr and tfr_file.",
    "fertility.pattern: hadwiger requires mean_age, and mean_age only applies to it.",
    "fertility.pattern: asfr_file requires asfr_file; pattern: wpp requires data.location; "
    "asfr_file cannot be combined with pattern: wpp or hadwiger.",
    "fertility.asfr_file together with tfr or tfr_file and no pattern means pattern: "
    "asfr_file: the file gives only the age shape, rescaled to the TFR (warning).",
    "srb: at most one of value and file.",
    "migration: at most one of file, total and total_file; none: true excludes all three; "
    "male_share and schedule only apply with total or total_file.",
    "migration.none: false without data.location needs file, total or total_file.",
    "birth_order: first + second + third must be 1 (within 1e-6); shares not given keep "
    "their defaults.",
    "economy.childcare_ceiling must be at least economy.childcare_enrollment, in every member "
    "after its overrides.",
    "policies[]: lever and start are required, and only the keys of the policy's lever may be "
    "given (listed below). start and end lie within the scenario's start..end, end not before "
    "start; without end a policy lasts to the end of the projection.",
    "policies[]: two policies of one member with the same name must not be in force in the "
    "same year; give one of them another name to stack them.",
    "policies[]: low_income_topup without low_income_share pays nobody (warning).",
    "policies at the top level with no variants have no baseline to compare with: no births "
    "gained or cost per additional birth (warning).",
    "data.location with the population, mortality and fertility levels all from files still "
    "supplies WPP's sex ratio at birth unless srb is given (warning).",
    "migration.total or total_file without migration.male_share splits net migrants half and "
    "half by sex (warning).",
    "variants[]: name is required and differs from the top-level name and every other "
    "variant's; extends names the top level or a variant given earlier.",
    "micro applies only with engine: micro; micro.low_income_share + "
    "micro.subsistence_share is at most 1. With engine: micro, care_need has at most "
    SCN_STR(PS_MICRO_CARE_LEVELS_MAX) " levels (a simulated person's care states).",
    "care_need.levels[]: prevalence steps in ascending from_age; level names are unique, and at "
    "every age the levels' prevalences sum to at most 1 (a person has at most one level).",
    "care_need.settings[]: names are unique and the shares sum to 1 (within 1e-6).",
    "services[]: name, kind and classes are required, and names are unique within a member. "
    "setting names one of care_need.settings.",
    "services[].classes[]: names are unique in the service; to_age is not below from_age; need "
    "names one of care_need.levels; users_per_staff and users_per_group, when given, are above "
    "0; two classes must not overlap (common ages and the same need level, or no need level).",
    "services[].uptake_path[] and capacity.path[]: years in ascending order; uptake values at "
    "most 1.",
    "services[].capacity: basis is required; exactly one of target and path, except with basis: "
    "base_year, which takes neither; from_age and to_age are required with basis: ages and "
    "apply to nothing else.",
    "services[].extra_staff[]: users_per_staff (above 0) or per_group above 0.",
    "A variant starts from a copy of its parent's economy, response, policies and services "
    "and applies its own keys; its policies and services are appended, and one named like an "
    "inherited policy (service) replaces every inherited policy (the service) of that name.",
};


/* Number of lever names, for code outside this file. */
const size_t ps_scn__n_lever_choices = ARRAY_LEN(ps_scn__lever_choices);

/* economy, response and policies appear twice: at the top level and in each variant. */
#define SCHEMA_FIELDS                                                                          \
    (ARRAY_LEN(ps_scn__top_keys) + ARRAY_LEN(data_keys) + ARRAY_LEN(population_keys) +         \
     ARRAY_LEN(mortality_keys) + ARRAY_LEN(fertility_keys) + ARRAY_LEN(srb_keys) +             \
     ARRAY_LEN(migration_keys) + ARRAY_LEN(schedule_keys) + ARRAY_LEN(birth_order_keys) +      \
     2 * (ARRAY_LEN(economy_keys) + ARRAY_LEN(response_keys) +                                \
          ARRAY_LEN(ps_scn__policy_keys)) +                                                    \
     ARRAY_LEN(variant_keys) + ARRAY_LEN(care_need_keys) + ARRAY_LEN(micro_keys) + ARRAY_LEN(level_keys) +            \
     ARRAY_LEN(step_keys) + ARRAY_LEN(setting_keys) +                                          \
     ARRAY_LEN(sex_factor_keys) + ARRAY_LEN(level_share_keys) +                                \
     2 * (ARRAY_LEN(service_keys) + ARRAY_LEN(class_keys) + 2 * ARRAY_LEN(point_keys) +        \
          ARRAY_LEN(capacity_keys) + ARRAY_LEN(extra_staff_keys) + ARRAY_LEN(home_keys) +      \
          ARRAY_LEN(stock_keys)) +                                                             \
     ARRAY_LEN(region_keys) + ARRAY_LEN(internal_keys) + ARRAY_LEN(schedule_keys) +            \
     ARRAY_LEN(registration_keys) + 52 /* one end marker each */)
_Static_assert(SCHEMA_FIELDS <= SCN_SCHEMA_FIELDS_MAX,
               "raise SCN_SCHEMA_FIELDS_MAX in scenario_int.h");

/* ---------------------------------------------------------------------------------------
 * The key reference. Each key prints as
 *     fertility.tfr              number in [0, 10] children per woman
 *         Constant total fertility rate of every projected year. Default: none.
 */
static void describe_type(char *out, size_t size, const scn_key *key)
{
    char choices[256];
    switch (key->type) {
    case KEY_NAME: snprintf(out, size, "name [A-Za-z0-9_.-]{1,%d}", SCN_NAME_MAX); return;
    case KEY_TEXT: snprintf(out, size, "text"); return;
    case KEY_PATH:
        if (key->csv != NULL) {
            snprintf(out, size, "path of a CSV file with columns %s", key->csv);
        } else {
            snprintf(out, size, "path of a folder");
        }
        return;
    case KEY_INT:
        snprintf(out, size, "integer in %.10g..%.10g%s%s", key->min, key->max,
                 key->unit[0] ? " " : "", key->unit);
        return;
    case KEY_REAL:
        snprintf(out, size, "number in [%.10g, %.10g]%s%s", key->min, key->max,
                 key->unit[0] ? " " : "", key->unit);
        return;
    case KEY_BOOL: snprintf(out, size, "true or false"); return;
    case KEY_ENUM:
        ps_scn__choices_text(choices, sizeof choices, key);
        snprintf(out, size, "one of: %s", choices);
        return;
    case KEY_MAP:
        snprintf(out, size, "mapping%s%s", key->same_as ? " with the keys of " : "",
                 key->same_as ? key->same_as : "");
        return;
    case KEY_SEQ:
        snprintf(out, size, "sequence of mappings%s%s", key->same_as ? " like " : "",
                 key->same_as ? key->same_as : "");
        return;
    case KEY_EXTERN: snprintf(out, size, "mapping (see docs/scenario-format.md)"); return;
    case KEY_YEARS:
        snprintf(out, size, "number in [%.10g, %.10g]%s%s, or {year: number, ...}", key->min,
                 key->max, key->unit[0] ? " " : "", key->unit);
        return;
    }
}

static void describe_default(char *out, size_t size, const scn_section *sec, const scn_key *key)
{
    if (key->required) {
        snprintf(out, size, " Required.");
    } else if (key->deflt != NULL) {
        snprintf(out, size, " Default: %s.", key->deflt);
    } else if (sec->defaults != NULL && key->type == KEY_REAL) {
        double v;
        memcpy(&v, (const char *)sec->defaults + key->offset, sizeof v);
        snprintf(out, size, " Default: %.10g.", v);
    } else if (sec->defaults != NULL && key->type == KEY_INT) {
        int64_t v;
        memcpy(&v, (const char *)sec->defaults + key->offset, sizeof v);
        snprintf(out, size, " Default: %lld.", (long long)v);
    } else {
        out[0] = '\0';
    }
}

/* " Levers: birth_reward, monthly_subsidy." for a policy key of some levers only. */
static void describe_levers(char *out, size_t size, const scn_key *key)
{
    out[0] = '\0';
    if (key->levers == 0) {
        return;
    }
    for (int lever = 0; lever < PS_LEVER_COUNT; ++lever) {
        if (ps_scn__key_applies(key, (ps_lever)lever)) {
            size_t used = strlen(out);
            snprintf(out + used, size - used, "%s%s", used == 0 ? "" : ", ",
                     ps_lever_name((ps_lever)lever));
        }
    }
    char list[160];
    snprintf(list, sizeof list, "%s", out);
    snprintf(out, size, " Lever%s: %s.", strchr(list, ',') != NULL ? "s" : "", list);
}

/* Print `text` as lines of at most DESCRIBE_WIDTH columns, broken at spaces. */
#define DESCRIBE_WIDTH 96
static void print_wrapped(FILE *out, const char *first, const char *next, const char *text)
{
    const char *prefix = first;
    while (*text != '\0') {
        size_t room = DESCRIBE_WIDTH - strlen(prefix);
        size_t n = strlen(text);
        if (n > room) {
            n = room;
            while (n > 0 && text[n] != ' ') {
                --n;
            }
            if (n == 0) { /* one word longer than a line: print it whole */
                n = strcspn(text, " ");
            }
        }
        fprintf(out, "%s%.*s\n", prefix, (int)n, text);
        text += n;
        while (*text == ' ') {
            ++text;
        }
        prefix = next;
    }
}

#define DESCRIBE_PATH_WIDTH 34 /* "economy.childcare_price_elasticity" */
static void describe_section(FILE *out, const char *prefix, const scn_section *sec)
{
    for (size_t k = 0; k < sec->n_keys; ++k) {
        const scn_key *key = &sec->keys[k];
        char path[PATH_MAX_LEN], type[320], deflt[256], levers[200], text[1024];
        ps_scn__join_key(path, sizeof path, prefix, key->key);
        describe_type(type, sizeof type, key);
        describe_default(deflt, sizeof deflt, sec, key);
        describe_levers(levers, sizeof levers, key);
        snprintf(text, sizeof text, "%c%s.%s%s", toupper((unsigned char)key->help[0]),
                 key->help + 1, levers, deflt);
        fprintf(out, "%-*s %s\n", DESCRIBE_PATH_WIDTH, path, type);
        print_wrapped(out, "    ", "    ", text);
        if (key->same_as != NULL) {
            continue; /* listed under its own path */
        }
        if (key->type == KEY_MAP) {
            describe_section(out, path, key->sub);
        } else if (key->type == KEY_SEQ) {
            char items[PATH_MAX_LEN];
            ps_scn__join_text(items, sizeof items, path, "", "[]");
            describe_section(out, items, key->sub);
        }
    }
}

void ps_scn_describe(FILE *out)
{
    fprintf(out, "Scenario file keys. Ranges are inclusive. Paths are relative to the folder of "
                 "the scenario file.\n\n");
    describe_section(out, "", &ps_scn__top_section);
    fprintf(out, "\nRules between keys:\n");
    for (size_t i = 0; i < ARRAY_LEN(scn_rules); ++i) {
        print_wrapped(out, "  - ", "    ", scn_rules[i]);
    }
    fprintf(out, "\nKeys of each policy lever, besides lever, name, start and end:\n");
    for (int lever = 0; lever < PS_LEVER_COUNT; ++lever) {
        char keys[400] = "", line[480];
        for (size_t k = 0; k < ARRAY_LEN(ps_scn__policy_keys); ++k) {
            size_t used = strlen(keys);
            if (ps_scn__policy_keys[k].levers != 0 &&
                ps_scn__key_applies(&ps_scn__policy_keys[k], (ps_lever)lever)) {
                snprintf(keys + used, sizeof keys - used, "%s%s", used > 0 ? ", " : "",
                         ps_scn__policy_keys[k].key);
            }
        }
        snprintf(line, sizeof line, "%s: %s.", ps_lever_name((ps_lever)lever), keys);
        print_wrapped(out, "  - ", "    ", line);
    }
}

/*
 * scenario.c - the scenario file (YAML) -> a validated ps_scenario; the only text parser.
 *
 * Loading runs four passes over one in-memory copy of the file, each stricter than the last:
 *   1. read:    the whole file, at most SCN_MAX_BYTES (PS_EIO otherwise);
 *   2. locate:  libyaml events -> a table "dotted key path -> line:column, raw text". It also
 *               rejects what scenario files never need: anchors/aliases (alias bombs), nesting
 *               deeper than SCN_MAX_DEPTH, several documents, duplicate keys, non-UTF-8 text;
 *   3. load:    libcyaml fills the raw_* structs from a schema generated from the key tables
 *               below; it rejects unknown keys and wrong types, and its log is turned into
 *               one compiler-style error located through the table of pass 2;
 *   4. check:   the key tables give each value's range and unit; per-section rules (one
 *               builder per section) check the keys against each other and fill ps_scenario.
 *               The last builder resolves the scenario family: the top level and each of
 *               `variants:` become members, each variant a copy of the member it extends
 *               with its own economy, response and policies applied (issue #3).
 * One static key table per section drives the libcyaml schema, the value checks, the
 * messages and ps_scn_describe(), so parsing, validation and docs/scenario-format.md agree.
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "popsim/scenario.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cyaml/cyaml.h>
#include <yaml.h>

#include "core/str_int.h"
#include "io/encoding_int.h"
#include "io/source_int.h"
#include "io/sweep_int.h"
#include "io/uncertainty_int.h"
#include "io/stock_int.h"
#include "io/xlsx_int.h"
#include "popsim/inputs.h" /* PS_SRB_DEFAULT */
#include "popsim/pop.h"
#include "popsim/services.h"
#include "popsim/sha256.h"
#include "popsim/units.h"

/* Safety limits. A real scenario is a few hundred bytes, about 40 keys and 3 levels deep (a
 * family with policies a few kilobytes, a few hundred keys and 5 levels; the services preset
 * of scenarios/china.yaml adds about 500 keys, and a family redefining services in each of
 * 20 variants a few thousand); the limits stop
 * hostile or mistaken inputs (a data file passed by mistake, a generated document nested
 * thousands deep) long before they cost memory or stack. */
#define SCN_MAX_BYTES (4L * 1024 * 1024) /* file size, bytes */
#define SCN_MAX_DEPTH 32                 /* nested mappings/sequences */
#define SCN_MAX_KEYS 8192                /* mapping keys and sequence items in the file */
#define SCN_NAME_MAX 64                  /* characters of `name` */
#define SCN_TEXT_MAX 4096                /* bytes of a text or path value (title, region) */
/* Published shares are rounded; a sum within this of 1 is taken as 1. */
#define SCN_SHARE_SUM_TOL 1e-6

/* Share of net migrants who are male when the scenario does not say. */
#define SCN_MALE_SHARE_DEFAULT 0.5

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------------------------
 * Raw structs: what libcyaml fills, one per YAML mapping. A key that is absent leaves its
 * field zero; whether a key was given is asked of the locator, never inferred from zero.
 */
typedef struct raw_data {
    char *wpp_dir;
    char *location;
} raw_data;

typedef struct raw_population {
    char *file;
    char *sheet;
} raw_population;

typedef struct raw_mortality {
    char *mx_file;
    char *e0_file;
    char *sheet;
} raw_mortality;

typedef struct raw_fertility {
    char *asfr_file;
    char *tfr_file;
    double tfr;
    int pattern; /* ps_fert_pattern */
    double mean_age;
    char *sheet;
} raw_fertility;

typedef struct raw_srb {
    double value;
    char *file;
    char *sheet;
} raw_srb;

typedef struct raw_migration {
    bool none;
    char *file;
    double total;
    char *total_file;
    double male_share;
    ps_rogers_castro schedule; /* only the keys given are copied over the defaults */
    char *sheet;
} raw_migration;

/* One item of `policies:`; every lever's keys in one struct (keys.levers says which apply). */
typedef struct raw_policy {
    int lever; /* ps_lever */
    char *name;
    int64_t start;
    int64_t end;
    double first, second, third;
    double eligible_share;
    int requires; /* 0 everyone, 1 registered (issue #13) */
    int64_t max_age;
    int64_t born_from;
    double low_income_topup, low_income_share;
    double spots_per_1000, operating_subsidy, fee_subsidy, construction_subsidy;
    double maternity_days, paternity_days, parental_days, paid_share;
    double medical_per_birth;
    double employer_si_first, employer_si_second, employer_si_third;
    double employer_si_months, employer_si_monthly, employed_share;
    double unemployment_per_birth, unemployed_share;
} raw_policy;

/* `response:`; the first member lets the key offsets double as offsets into ps_response. */
typedef struct raw_response {
    ps_response r;
    int elasticity; /* ps_elasticity */
} raw_response;

/* Services (popsim/services.h): `care_need:` and `services:` items. */
typedef struct raw_point {
    int64_t year;
    double value;
} raw_point;

typedef struct raw_step {
    int64_t from_age;
    double value;
} raw_step;

/* `by_sex:` of a care-need level: factors on its prevalence table (issue #13). */
typedef struct raw_sex_factor {
    double female;
    double male;
} raw_sex_factor;

typedef struct raw_level {
    char *name;
    raw_step *prevalence;
    uint32_t n_prevalence;
    raw_sex_factor by_sex;
} raw_level;

/* One item of a setting's `by_level:` (issue #13). */
typedef struct raw_level_share {
    char *level;
    double share;
} raw_level_share;

typedef struct raw_setting {
    char *name;
    double share;
    raw_level_share *by_level;
    uint32_t n_by_level;
} raw_setting;

typedef struct raw_care_need {
    int64_t base_year;
    double improvement;
    raw_level *levels;
    uint32_t n_levels;
    raw_setting *settings;
    uint32_t n_settings;
} raw_care_need;

typedef struct raw_class {
    char *name;
    int64_t from_age;
    int64_t to_age;
    char *need;
    double uptake;
    double users_per_staff;
    double users_per_group;
    double cost_per_user;
    double fee_per_user;
    double subsidy_per_user;
} raw_class;

typedef struct raw_capacity {
    int basis; /* ps_svc_basis */
    double target;
    raw_point *path;
    uint32_t n_path;
    int64_t from_age;
    int64_t to_age;
    double occupancy;
    double nursing_share;
    double construction_subsidy;
} raw_capacity;

typedef struct raw_extra_staff {
    char *name;
    double users_per_staff;
    double per_group;
} raw_extra_staff;

typedef struct raw_home {
    char *name;
    double per_user_year;
} raw_home;

/* `stock:` of a service (issue #13): the existing places from a stock CSV. */
typedef struct raw_stock {
    char *file;
    char *type;
    int missing; /* 0 error, 1 zero */
} raw_stock;

typedef struct raw_service {
    char *name;
    char *title;
    int kind; /* ps_svc_kind */
    int sex;  /* -1 both, else ps_sex */
    char *setting;
    double subsidised_share;
    raw_class *classes;
    uint32_t n_classes;
    raw_point *uptake_path;
    uint32_t n_uptake_path;
    raw_capacity capacity;
    raw_extra_staff *extra_staff;
    uint32_t n_extra_staff;
    raw_home *home_services;
    uint32_t n_home_services;
    raw_stock stock;
    double cross_district_share;
} raw_service;

typedef struct raw_micro {
    double scale;
    int64_t replicates;
    int64_t seed;
    double low_income_share;
    double subsistence_share;
    int64_t sample;
} raw_micro;

/* One item of `variants:`. */
typedef struct raw_variant {
    char *name;
    char *title;
    char *extends;
    ps_economy economy;
    raw_response response;
    raw_policy *policies;
    uint32_t n_policies;
    raw_service *services;
    uint32_t n_services;
} raw_variant;

/* One item of `regions:` (issue #13); a key left out takes the top level's input. */
typedef struct raw_region {
    char *name;
    char *population;
    char *mx_file;
    char *asfr_file;
    double tfr;
    double srb;
    char *migration_file;
    double migration_total;
    double registered_share;
} raw_region;

typedef struct raw_registration {
    double registered_share;
    double conversion_rate;
    int64_t conversion_from_age;
    int64_t conversion_to_age;
    double arrive_registered;
} raw_registration;

typedef struct raw_internal {
    char *file;
    ps_rogers_castro schedule;
    bool output_flows;
} raw_internal;

typedef struct raw_scenario {
    char *name;
    char *title;
    int64_t start;
    int64_t end;
    int engine; /* ps_engine_kind */
    raw_micro micro;
    char *region;
    raw_data data;
    raw_population population;
    raw_mortality mortality;
    raw_fertility fertility;
    raw_srb srb;
    raw_migration migration;
    ps_birth_order birth_order;
    ps_economy economy;
    raw_response response;
    raw_policy *policies;
    uint32_t n_policies;
    raw_care_need care_need;
    raw_service *services;
    uint32_t n_services;
    raw_variant *variants;
    uint32_t n_variants;
    raw_region *regions;
    uint32_t n_regions;
    raw_internal internal_migration;
    raw_registration registration;
} raw_scenario;

/* ---------------------------------------------------------------------------------------
 * Key tables. Every key of the format appears in exactly one row; min/max are inclusive
 * and apply to KEY_INT and KEY_REAL; `deflt` is the documented default (NULL: the default
 * is read from the section's `defaults` struct at the same offset, see describe_default()).
 * A section may appear under several paths (economy at the top level and in each variant),
 * so paths are built while walking, never stored in the tables.
 */
typedef enum key_type {
    KEY_NAME, /* identifier [A-Za-z0-9_.-]{1,SCN_NAME_MAX} */
    KEY_TEXT, /* free text, not empty */
    KEY_PATH, /* file or folder, resolved against the scenario's folder */
    KEY_INT,  /* whole number */
    KEY_REAL, /* finite decimal number */
    KEY_BOOL, /* true or false */
    KEY_ENUM, /* one of `choices` */
    KEY_MAP,  /* a nested section */
    KEY_SEQ,  /* a sequence of mappings, each a `sub` section; items are "path[i]" */
    KEY_EXTERN, /* a section read by its own file from the locator (sweep: io/sweep.c);
                 * libcyaml skips it */
} key_type;

/* Levers a policy key applies to (scn_key.levers); 0 = every lever. */
#define LEVER_BIT(lever) (1u << (unsigned)(lever))
#define LEVERS_CASH (LEVER_BIT(PS_LEVER_BIRTH_REWARD) | LEVER_BIT(PS_LEVER_MONTHLY_SUBSIDY))

typedef struct scn_section scn_section;

typedef struct scn_key {
    const char *key;
    key_type type;
    size_t offset; /* of the value inside the section's raw struct */
    double min, max;
    const char *unit; /* printed after the range; "" if the number has no unit */
    bool required;
    const char *deflt;
    const char *help; /* meaning, one phrase, used in messages and the reference */
    const char *csv;  /* KEY_PATH naming a CSV file: its columns (docs/input-format.md) */
    const cyaml_strval_t *choices; /* KEY_ENUM */
    uint32_t n_choices;
    const scn_section *sub; /* KEY_MAP; KEY_SEQ: the section of each item */
    size_t count_offset;    /* KEY_SEQ: of the uint32_t item count beside the item pointer */
    unsigned levers;        /* policy keys: LEVER_BIT()s of the levers it applies to; 0 = all */
    const char *same_as;    /* the reference lists `sub` once, under this path */
} scn_key;

struct scn_section {
    const scn_key *keys;
    size_t n_keys;
    uint32_t raw_size;    /* sizeof the raw struct libcyaml fills */
    const void *defaults; /* a raw struct holding the defaults of keys without `deflt`; NULL */
};

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
static const ps_rogers_castro schedule_defaults = PS_ROGERS_CASTRO_INIT;
static const scn_section schedule_section = { schedule_keys, ARRAY_LEN(schedule_keys),
                                              sizeof(ps_rogers_castro), &schedule_defaults };

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
      .sub = &schedule_section },
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

static const ps_birth_order birth_order_defaults = PS_BIRTH_ORDER_INIT;
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
};
static const scn_section birth_order_section = { birth_order_keys, ARRAY_LEN(birth_order_keys),
                                                 sizeof(ps_birth_order), &birth_order_defaults };

static const ps_economy economy_defaults = PS_ECONOMY_INIT;
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
    { .key = "monthly_wage", .type = KEY_REAL, .offset = offsetof(ps_economy, monthly_wage),
      .min = 0.0, .max = 1e6, .unit = "yuan per month",
      .help = "average wage, the cost of a month of paid leave" },
};
static const scn_section economy_section = { economy_keys, ARRAY_LEN(economy_keys),
                                             sizeof(ps_economy), &economy_defaults };

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
static const scn_section response_section = { response_keys, ARRAY_LEN(response_keys),
                                              sizeof(raw_response), NULL };

static const cyaml_strval_t lever_choices[] = {
    { "birth_reward", PS_LEVER_BIRTH_REWARD }, { "monthly_subsidy", PS_LEVER_MONTHLY_SUBSIDY },
    { "childcare", PS_LEVER_CHILDCARE },       { "leave", PS_LEVER_LEAVE },
    { "insurance", PS_LEVER_INSURANCE },
};

/* Defaults of the policy keys that apply to a policy's lever; keys of other levers stay 0. */
static const cyaml_strval_t requires_choices[] = {
    { "everyone", 0 },
    { "registered", 1 },
};
static const raw_policy policy_defaults = { .eligible_share = 1.0, .max_age = 3,
                                            .paid_share = 1.0, .employer_si_months = 6.0,
                                            .employed_share = 0.7, .unemployed_share = 0.05 };

#define M_SUBSIDY LEVER_BIT(PS_LEVER_MONTHLY_SUBSIDY)
#define CHILDCARE LEVER_BIT(PS_LEVER_CHILDCARE)
#define LEAVE LEVER_BIT(PS_LEVER_LEAVE)
#define INSURANCE LEVER_BIT(PS_LEVER_INSURANCE)
static const scn_key policy_keys[] = {
    { .key = "lever", .type = KEY_ENUM, .offset = offsetof(raw_policy, lever), .required = true,
      .help = "kind of instrument", .choices = lever_choices,
      .n_choices = ARRAY_LEN(lever_choices) },
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
      .max = 18, .unit = "years", .levers = M_SUBSIDY,
      .help = "the subsidy is paid while the child is under this age" },
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
};
#undef M_SUBSIDY
#undef CHILDCARE
#undef LEAVE
#undef INSURANCE
static const scn_section policy_section = { policy_keys, ARRAY_LEN(policy_keys),
                                            sizeof(raw_policy), &policy_defaults };

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
static const scn_section point_section = { point_keys, ARRAY_LEN(point_keys), sizeof(raw_point),
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
static const scn_section step_section = { step_keys, ARRAY_LEN(step_keys), sizeof(raw_step),
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
      .sub = &step_section },
    { .key = "by_sex", .type = KEY_MAP, .offset = offsetof(raw_level, by_sex),
      .deflt = "the table for both sexes",
      .help = "prevalence by sex: the table times a factor for each sex", .sub = &sex_factor_section },
};
static const scn_section level_section = { level_keys, ARRAY_LEN(level_keys),
                                           sizeof(raw_level), NULL };

static const scn_key level_share_keys[] = {
    { .key = "level", .type = KEY_NAME, .offset = offsetof(raw_level_share, level),
      .required = true, .help = "care-need level (care_need.levels)" },
    { .key = "share", .type = KEY_REAL, .offset = offsetof(raw_level_share, share), .min = 0.0,
      .max = 1.0, .unit = "(share of the level's persons)", .required = true,
      .help = "share of that level's persons cared for in this setting; for every level the "
              "settings' shares sum to 1" },
};
static const scn_section level_share_section = { level_share_keys, ARRAY_LEN(level_share_keys),
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
      .sub = &level_share_section },
};
static const scn_section setting_section = { setting_keys, ARRAY_LEN(setting_keys),
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
      .help = "care-need levels, one '- name: ...' item each", .sub = &level_section },
    { .key = "settings", .type = KEY_SEQ, .offset = offsetof(raw_care_need, settings),
      .count_offset = offsetof(raw_care_need, n_settings), .deflt = "none",
      .help = "where persons in need are cared for; the shares sum to 1",
      .sub = &setting_section },
};
static const scn_section care_need_section = { care_need_keys, ARRAY_LEN(care_need_keys),
                                               sizeof(raw_care_need), NULL };

static const raw_class class_defaults = { .uptake = 1.0 };
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
static const scn_section class_section = { class_keys, ARRAY_LEN(class_keys), sizeof(raw_class),
                                           &class_defaults };

static const cyaml_strval_t basis_choices[] = {
    { "population", PS_SVC_BASIS_POPULATION }, { "group", PS_SVC_BASIS_GROUP },
    { "ages", PS_SVC_BASIS_AGES },             { "places", PS_SVC_BASIS_PLACES },
    { "base_year", PS_SVC_BASIS_BASE_YEAR },
};

static const raw_capacity capacity_defaults = { .occupancy = 1.0 };
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
      .sub = &point_section },
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
static const scn_section capacity_section = { capacity_keys, ARRAY_LEN(capacity_keys),
                                              sizeof(raw_capacity), &capacity_defaults };

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
static const scn_section extra_staff_section = { extra_staff_keys, ARRAY_LEN(extra_staff_keys),
                                                 sizeof(raw_extra_staff), NULL };

static const scn_key home_keys[] = {
    { .key = "name", .type = KEY_NAME, .offset = offsetof(raw_home, name), .required = true,
      .help = "home service (meal, bathing, ...), the home_service coordinate of the output" },
    { .key = "per_user_year", .type = KEY_REAL, .offset = offsetof(raw_home, per_user_year),
      .min = 0.0, .max = 1e5, .unit = "services per user per year", .required = true,
      .help = "services delivered per user of the service and year" },
};
static const scn_section home_section = { home_keys, ARRAY_LEN(home_keys), sizeof(raw_home),
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
static const scn_section stock_section = { stock_keys, ARRAY_LEN(stock_keys), sizeof(raw_stock),
                                           NULL };

static const raw_service service_defaults = { .sex = -1, .subsidised_share = 1.0 };
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
      .sub = &class_section },
    { .key = "uptake_path", .type = KEY_SEQ, .offset = offsetof(raw_service, uptake_path),
      .count_offset = offsetof(raw_service, n_uptake_path), .deflt = "none (uptake as given)",
      .help = "overall uptake of the whole group by year (values in [0, 1]); each year the "
              "classes' uptakes are rescaled by one factor to reach it, capped at 1",
      .sub = &point_section, .same_as = "services[].capacity.path[]" },
    { .key = "capacity", .type = KEY_MAP, .offset = offsetof(raw_service, capacity),
      .deflt = "none (no target: no capacity, shortage or surplus)",
      .help = "the capacity target", .sub = &capacity_section },
    { .key = "extra_staff", .type = KEY_SEQ, .offset = offsetof(raw_service, extra_staff),
      .count_offset = offsetof(raw_service, n_extra_staff), .deflt = "none",
      .help = "staff beyond the class ratios", .sub = &extra_staff_section },
    { .key = "home_services", .type = KEY_SEQ, .offset = offsetof(raw_service, home_services),
      .count_offset = offsetof(raw_service, n_home_services), .deflt = "none",
      .help = "services delivered at home per user (meal, bathing, ...)", .sub = &home_section },
    { .key = "stock", .type = KEY_MAP, .offset = offsetof(raw_service, stock),
      .deflt = "none (no stock, gaps or places to build)",
      .help = "existing places from a stock file", .sub = &stock_section },
    { .key = "cross_district_share", .type = KEY_REAL,
      .offset = offsetof(raw_service, cross_district_share), .min = 0.0, .max = 1.0,
      .unit = "(share of demand)", .deflt = "0",
      .help = "share of each region's demand served in the other regions, spread in proportion "
              "to their stock (their demand without a stock file)" },
};
static const scn_section service_section = { service_keys, ARRAY_LEN(service_keys),
                                             sizeof(raw_service), &service_defaults };

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
      .help = "economy keys that differ from the parent's", .sub = &economy_section,
      .same_as = "economy" },
    { .key = "response", .type = KEY_MAP, .offset = offsetof(raw_variant, response),
      .help = "response keys that differ from the parent's", .sub = &response_section,
      .same_as = "response" },
    { .key = "policies", .type = KEY_SEQ, .offset = offsetof(raw_variant, policies),
      .count_offset = offsetof(raw_variant, n_policies),
      .help = "policies added to the parent's; one with the name of an inherited policy "
              "replaces every inherited policy of that name",
      .sub = &policy_section, .same_as = "policies[]" },
    { .key = "services", .type = KEY_SEQ, .offset = offsetof(raw_variant, services),
      .count_offset = offsetof(raw_variant, n_services),
      .help = "services added to the parent's; one with the name of an inherited service "
              "replaces it",
      .sub = &service_section, .same_as = "services[]" },
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
      .sub = &schedule_section, .same_as = "migration.schedule" },
    { .key = "output_flows", .type = KEY_BOOL, .offset = offsetof(raw_internal, output_flows),
      .deflt = "false",
      .help = "write flows(year, origin, destination, sex, age), regions^2 x ages per year" },
};
static const scn_section internal_section = { internal_keys, ARRAY_LEN(internal_keys),
                                              sizeof(raw_internal), NULL };

static const raw_registration registration_defaults = { .conversion_from_age = 16,
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
                                                   &registration_defaults };

static const cyaml_strval_t engine_choices[] = {
    { "ccm", PS_ENGINE_CCM },
    { "micro", PS_ENGINE_MICRO },
};

static const raw_micro micro_defaults = { .scale = 1.0, .replicates = 1, .seed = 1 };
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
static const scn_section micro_section = { micro_keys, ARRAY_LEN(micro_keys), sizeof(raw_micro),
                                           &micro_defaults };

static const scn_key top_keys[] = {
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
      .help = "microsimulation settings; only with engine: micro", .sub = &micro_section },
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
      .sub = &birth_order_section },
    { .key = "economy", .type = KEY_MAP, .offset = offsetof(raw_scenario, economy),
      .help = "economic setting of the policies: income, childcare, leave and wages",
      .sub = &economy_section },
    { .key = "response", .type = KEY_MAP, .offset = offsetof(raw_scenario, response),
      .help = "how strongly births respond to policies", .sub = &response_section },
    { .key = "policies", .type = KEY_SEQ, .offset = offsetof(raw_scenario, policies),
      .count_offset = offsetof(raw_scenario, n_policies),
      .help = "family-policy instruments of the top level, one '- lever: ...' item each",
      .sub = &policy_section },
    { .key = "care_need", .type = KEY_MAP, .offset = offsetof(raw_scenario, care_need),
      .deflt = "none",
      .help = "care-need levels of older persons by age, and the settings they are cared for "
              "in; used by services' need and setting",
      .sub = &care_need_section },
    { .key = "services", .type = KEY_SEQ, .offset = offsetof(raw_scenario, services),
      .count_offset = offsetof(raw_scenario, n_services), .deflt = "none",
      .help = "services planned from the projection (childcare, schools, elderly care, ...), "
              "one '- name: ...' item each",
      .sub = &service_section },
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
    { .key = "uncertainty", .type = KEY_EXTERN, .deflt = "none",
      .help = "probabilistic trajectories of TFR, e0 and net migration around the scenario's "
              "own paths, one region (docs/scenario-format.md, \"uncertainty\"; issue #14)" },
};
static const scn_section top_section = { top_keys, ARRAY_LEN(top_keys),
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
    "micro.subsistence_share is at most 1.",
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

/* ---------------------------------------------------------------------------------------
 * Small string helpers (C11 has no strdup).
 */
/* parent + sep + tail, cut to fit `out` (size > 0); false if it was cut. */
static bool join_text(char *out, size_t size, const char *parent, const char *sep,
                      const char *tail)
{
    const char *parts[] = { parent, sep, tail };
    size_t used = 0;
    bool whole = true;
    for (size_t i = 0; i < ARRAY_LEN(parts); ++i) {
        size_t n = strlen(parts[i]);
        if (used + n >= size) {
            n = size - 1 - used;
            whole = false;
        }
        memcpy(out + used, parts[i], n);
        used += n;
    }
    out[used] = '\0';
    return whole;
}

/* "a" + "b" -> "a.b"; "" + "b" -> "b". Returns false if the result was cut to fit `out`. */
static bool join_key(char *out, size_t size, const char *parent, const char *key)
{
    return join_text(out, size, parent, parent[0] == '\0' ? "" : ".", key);
}

/* "policies" + 2 -> "policies[2]". Returns false if the result was cut to fit `out`. */
static bool join_index(char *out, size_t size, const char *parent, size_t index)
{
    char tail[32];
    snprintf(tail, sizeof tail, "[%zu]", index);
    return join_text(out, size, parent, "", tail);
}

static ps_scn_loc mark_loc(yaml_mark_t mark)
{
    ps_scn_loc at = { (long)mark.line + 1, (int)mark.column + 1 };
    return at;
}

/* ---------------------------------------------------------------------------------------
 * Pass 2, the locator: "dotted key path -> where its key and value stand, and the value's
 * raw text". libcyaml reports a location only for the event it failed on, and nothing at
 * all for rules checked after loading, so every later message asks this table instead.
 * Items of sequences (policies, variants) get entries of their own with "[i]" path
 * segments, so "variants[1].policies[0].first" names one value and "policies[2]" one item.
 */
typedef enum node_kind { NODE_NONE = 0, NODE_SCALAR, NODE_MAPPING, NODE_SEQUENCE } node_kind;

typedef struct loc_entry {
    char *path;       /* "fertility.tfr"; owned */
    ps_scn_loc key;   /* where the key starts */
    ps_scn_loc value; /* where the value starts */
    node_kind kind;   /* of the value */
    char *text;       /* scalar value as written, quotes removed; NULL otherwise; owned */
    bool plain;       /* scalar written without quotes (so `~` means null) */
} loc_entry;

typedef struct locator {
    loc_entry *entries;
    size_t n, cap;
    size_t *slots;       /* open-addressing hash of paths: entry index + 1, 0 = empty */
    size_t n_slots;      /* a power of two, at least twice n */
    node_kind root;      /* kind of the document's root node; NODE_NONE if no document */
    bool root_empty;     /* the root is an empty plain scalar ("---" alone) */
    ps_scn_loc root_loc; /* where the root node starts */
} locator;

typedef struct loc_frame {
    node_kind kind;  /* NODE_MAPPING or NODE_SEQUENCE */
    char *path;      /* path of this node; owned */
    bool want_key;   /* mapping: the next node is a key */
    size_t entry;    /* mapping: entry of the key whose value comes next */
    size_t n_items;  /* sequence: items seen so far */
} loc_frame;

typedef struct loc_walk {
    locator *loc;
    loc_frame stack[SCN_MAX_DEPTH];
    int depth;
    int n_docs;
    const char *file; /* scenario path, for messages */
    ps_error *err;
} loc_walk;

static void locator_free(locator *loc)
{
    for (size_t i = 0; i < loc->n; ++i) {
        free(loc->entries[i].path);
        free(loc->entries[i].text);
    }
    free(loc->entries);
    free(loc->slots);
    memset(loc, 0, sizeof *loc);
}

/* FNV-1a: the locator is asked for paths thousands of times (every key's checks ask for
 * its value, a family of variants for every inherited key), so a lookup must not scan all
 * SCN_MAX_KEYS entries (issue #17: 500 chained variants took seconds to load). */
static size_t path_hash(const char *path)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; ++p) {
        h = (h ^ *p) * 1099511628211ULL;
    }
    return (size_t)h;
}

static const loc_entry *locator_find(const locator *loc, const char *path)
{
    if (loc->n_slots == 0) {
        return NULL;
    }
    for (size_t i = path_hash(path) & (loc->n_slots - 1);; i = (i + 1) & (loc->n_slots - 1)) {
        size_t slot = loc->slots[i];
        if (slot == 0) {
            return NULL;
        }
        if (strcmp(loc->entries[slot - 1].path, path) == 0) {
            return &loc->entries[slot - 1];
        }
    }
}

/* Record entry `index` in the hash, growing it to keep it at most half full. */
static bool locator_index(locator *loc, size_t index)
{
    if (2 * (index + 1) > loc->n_slots) {
        size_t n_slots = loc->n_slots != 0 ? 2 * loc->n_slots : 128;
        size_t *slots = calloc(n_slots, sizeof *slots);
        if (slots == NULL) {
            return false;
        }
        free(loc->slots);
        loc->slots = slots;
        loc->n_slots = n_slots;
        for (size_t k = 0; k < index; ++k) {
            (void)locator_index(loc, k); /* fits: the table is at most a quarter full */
        }
    }
    size_t i = path_hash(loc->entries[index].path) & (loc->n_slots - 1);
    while (loc->slots[i] != 0) {
        i = (i + 1) & (loc->n_slots - 1);
    }
    loc->slots[i] = index + 1;
    return true;
}

static const char *node_noun(node_kind kind)
{
    switch (kind) {
    case NODE_MAPPING: return "a mapping";
    case NODE_SEQUENCE: return "a sequence";
    case NODE_SCALAR: return "a scalar";
    case NODE_NONE: break;
    }
    return "nothing";
}

static ps_status walk_fail(loc_walk *w, ps_status code, ps_scn_loc at, const char *fmt, ...)
    PS_PRINTF(4, 5);
static ps_status walk_fail(loc_walk *w, ps_status code, ps_scn_loc at, const char *fmt, ...)
{
    char msg[sizeof w->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ps_error_set_at(w->err, code, w->file, at.line, at.column, "%s", msg);
}

static ps_status walk_push(loc_walk *w, node_kind kind, char *path, ps_scn_loc at)
{
    if (path == NULL) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading the scenario");
    }
    if (w->depth >= SCN_MAX_DEPTH) {
        free(path);
        return walk_fail(w, PS_EPARSE, at,
                         "nesting deeper than %d levels; scenario files are at most 5 deep",
                         SCN_MAX_DEPTH);
    }
    loc_frame *f = &w->stack[w->depth++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->path = path;
    f->want_key = (kind == NODE_MAPPING);
    return PS_OK;
}

/* Append an entry for `path` (taken over, freed on failure) that starts at `at`. Keys and
 * sequence items both count against SCN_MAX_KEYS. */
static ps_status locator_add(loc_walk *w, char *path, ps_scn_loc at)
{
    locator *loc = w->loc;
    if (loc->n >= SCN_MAX_KEYS) {
        free(path);
        return walk_fail(w, PS_EPARSE, at, "more than %d keys; a scenario needs about 40",
                         SCN_MAX_KEYS);
    }
    if (loc->n == loc->cap) {
        size_t cap = loc->cap != 0 ? 2 * loc->cap : 64;
        loc_entry *grown = realloc(loc->entries, cap * sizeof *grown);
        if (grown == NULL) {
            free(path);
            return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading the scenario");
        }
        loc->entries = grown;
        loc->cap = cap;
    }
    loc_entry *e = &loc->entries[loc->n++];
    memset(e, 0, sizeof *e);
    e->path = path;
    e->key = at;
    if (!locator_index(loc, loc->n - 1)) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading the scenario");
    }
    return PS_OK;
}

/* A scalar in key position: record a new entry; its value arrives with the next node. */
static ps_status walk_key(loc_walk *w, loc_frame *top, const yaml_event_t *ev, node_kind kind,
                          ps_scn_loc at)
{
    locator *loc = w->loc;
    if (kind != NODE_SCALAR) {
        return walk_fail(w, PS_EPARSE, at, "a mapping key must be plain text, not %s",
                         node_noun(kind));
    }
    const char *key = (const char *)ev->data.scalar.value;
    size_t n = strlen(top->path) + ev->data.scalar.length + 2;
    char *path = malloc(n);
    if (path == NULL) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading the scenario");
    }
    join_key(path, n, top->path, key);
    const loc_entry *seen = locator_find(loc, path);
    if (seen != NULL) {
        ps_status rc = walk_fail(w, PS_EPARSE, at, "duplicate key '%s' (first given at line %ld)",
                                 path, seen->key.line);
        free(path);
        return rc;
    }
    ps_status rc = locator_add(w, path, at);
    if (rc == PS_OK) {
        top->entry = loc->n - 1;
        top->want_key = false;
    }
    return rc;
}

/* An item of a sequence: an entry "path[i]" whose key and value both stand at the item. */
static ps_status walk_item(loc_walk *w, loc_frame *top, const yaml_event_t *ev, node_kind kind,
                           ps_scn_loc at)
{
    size_t n = strlen(top->path) + 24;
    char *path = malloc(n);
    if (path == NULL) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading the scenario");
    }
    snprintf(path, n, "%s[%zu]", top->path, top->n_items++);
    ps_status rc = locator_add(w, path, at);
    if (rc != PS_OK) {
        return rc;
    }
    loc_entry *e = &w->loc->entries[w->loc->n - 1];
    e->value = at;
    e->kind = kind;
    if (kind == NODE_SCALAR) {
        e->text = ps__strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        e->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (e->text == NULL) {
            return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading");
        }
    }
    return PS_OK;
}

/* Any node (scalar, mapping or sequence start): a key, a value, a sequence item or the root. */
static ps_status walk_node(loc_walk *w, const yaml_event_t *ev, node_kind kind)
{
    ps_scn_loc at = mark_loc(ev->start_mark);
    const yaml_char_t *anchor = kind == NODE_SCALAR    ? ev->data.scalar.anchor
                                : kind == NODE_MAPPING ? ev->data.mapping_start.anchor
                                                       : ev->data.sequence_start.anchor;
    if (anchor != NULL) {
        return walk_fail(w, PS_EPARSE, at,
                         "YAML anchors ('&%s') are not allowed in scenario files; write the "
                         "value out",
                         (const char *)anchor);
    }
    /* An explicit tag ("!!binary", "!!python/object:os.system", "!custom") asks a YAML
     * library to build some type; popsim has only the types of its key tables, so a tag
     * would be silently ignored. It is refused instead, whatever it names. */
    const yaml_char_t *tag = kind == NODE_SCALAR    ? ev->data.scalar.tag
                             : kind == NODE_MAPPING ? ev->data.mapping_start.tag
                                                    : ev->data.sequence_start.tag;
    if (tag != NULL) {
        return walk_fail(w, PS_EPARSE, at,
                         "YAML tags ('%s') are not allowed in scenario files; write the plain "
                         "value without a tag",
                         (const char *)tag);
    }
    char *child = NULL; /* path of a mapping/sequence node about to be pushed */
    if (w->depth == 0) {
        w->loc->root = kind;
        w->loc->root_loc = at;
        w->loc->root_empty = kind == NODE_SCALAR && ev->data.scalar.length == 0 &&
                             ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        child = ps__strdup("");
    } else {
        loc_frame *top = &w->stack[w->depth - 1];
        if (top->kind == NODE_MAPPING && top->want_key) {
            return walk_key(w, top, ev, kind, at);
        }
        if (top->kind == NODE_MAPPING) {
            loc_entry *e = &w->loc->entries[top->entry];
            e->value = at;
            e->kind = kind;
            top->want_key = true;
            if (kind == NODE_SCALAR) {
                e->text = ps__strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
                e->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                if (e->text == NULL) {
                    return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading");
                }
            }
            child = ps__strdup(e->path);
        } else {
            ps_status rc = walk_item(w, top, ev, kind, at);
            if (rc != PS_OK) {
                return rc;
            }
            child = ps__strdup(w->loc->entries[w->loc->n - 1].path);
        }
    }
    if (kind == NODE_SCALAR) {
        free(child);
        return PS_OK;
    }
    return walk_push(w, kind, child, at);
}

/*
 * libyaml's reader (encoding) errors carry a byte offset instead of a mark, so the line
 * and column are counted here: columns count characters, i.e. bytes that do not continue
 * a UTF-8 sequence, as libyaml's own marks do.
 */
static ps_scn_loc offset_loc(const char *text, size_t len, size_t offset)
{
    ps_scn_loc at = { 1, 1 };
    if (offset > len) {
        offset = len;
    }
    for (size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            at.line++;
            at.column = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            at.column++;
        }
    }
    return at;
}

static ps_status walk_yaml_error(loc_walk *w, const yaml_parser_t *p, const char *text,
                                 size_t len)
{
    const char *problem = p->problem != NULL ? p->problem : "unknown problem";
    if (p->error == YAML_MEMORY_ERROR) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory while parsing the scenario");
    }
    if (p->error == YAML_READER_ERROR) {
        size_t bad = ps_utf8_first_bad((const unsigned char *)text, len);
        char *utf8 = NULL;
        size_t n = 0;
        if (bad < len && ps_gb18030__to_utf8(&utf8, &n, text, len)) {
            free(utf8);
            return walk_fail(w, PS_EPARSE, offset_loc(text, len, bad),
                             "the scenario is saved in GB18030 (GBK), not UTF-8: save it as "
                             "UTF-8 (in Notepad: Save as, Encoding UTF-8; or `iconv -f GB18030 "
                             "-t UTF-8 OLD.yaml > NEW.yaml`)");
        }
        if (bad < len) {
            return walk_fail(w, PS_EPARSE, offset_loc(text, len, bad),
                             "byte 0x%02X is not valid UTF-8 (%s); save the scenario as UTF-8 "
                             "text",
                             (unsigned)(unsigned char)text[bad], problem);
        }
        return walk_fail(w, PS_EPARSE, offset_loc(text, len, p->problem_offset),
                         "%s (character 0x%02X)", problem,
                         (unsigned)p->problem_value);
    }
    if (p->context != NULL) {
        return walk_fail(w, PS_EPARSE, mark_loc(p->problem_mark),
                         "malformed YAML: %s %s started at line %lu, column %lu", problem,
                         p->context, (unsigned long)p->context_mark.line + 1,
                         (unsigned long)p->context_mark.column + 1);
    }
    return walk_fail(w, PS_EPARSE, mark_loc(p->problem_mark), "malformed YAML: %s", problem);
}

/* One event. *done is set at the end of the stream. */
static ps_status walk_event(loc_walk *w, const yaml_event_t *ev, bool *done)
{
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        *done = true;
        return PS_OK;
    case YAML_DOCUMENT_START_EVENT:
        if (++w->n_docs > 1) {
            return walk_fail(w, PS_EPARSE, mark_loc(ev->start_mark),
                             "a second YAML document ('---'); a scenario file holds one");
        }
        return PS_OK;
    case YAML_ALIAS_EVENT:
        return walk_fail(w, PS_EPARSE, mark_loc(ev->start_mark),
                         "YAML aliases ('*%s') are not allowed in scenario files; write the "
                         "value out",
                         (const char *)ev->data.alias.anchor);
    case YAML_SCALAR_EVENT: return walk_node(w, ev, NODE_SCALAR);
    case YAML_MAPPING_START_EVENT: return walk_node(w, ev, NODE_MAPPING);
    case YAML_SEQUENCE_START_EVENT: return walk_node(w, ev, NODE_SEQUENCE);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        assert(w->depth > 0);
        free(w->stack[--w->depth].path);
        return PS_OK;
    default: return PS_OK;
    }
}

static ps_status locator_build(locator *loc, const char *text, size_t len, const char *file,
                               ps_error *err)
{
    yaml_parser_t parser;
    loc_walk w = { .loc = loc, .file = file, .err = err };
    ps_status rc = PS_OK;
    bool done = false;
    if (!yaml_parser_initialize(&parser)) {
        return ps_error_set(err, PS_ENOMEM, "cannot initialise the YAML parser");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (rc == PS_OK && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = walk_yaml_error(&w, &parser, text, len);
            break;
        }
        rc = walk_event(&w, &ev, &done);
        yaml_event_delete(&ev);
    }
    if (rc == PS_OK && (loc->root == NODE_NONE || loc->root_empty)) {
        rc = ps_error_set_at(err, PS_EPARSE, file, 1, 1,
                             "the scenario file is empty (expected a mapping with at least "
                             "name, start and end)");
    } else if (rc == PS_OK && loc->root != NODE_MAPPING) {
        rc = ps_error_set_at(err, PS_EPARSE, file, loc->root_loc.line, loc->root_loc.column,
                             "the top level of a scenario must be a mapping of 'key: value' "
                             "lines, not %s",
                             node_noun(loc->root));
    }
    while (w.depth > 0) {
        free(w.stack[--w.depth].path);
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Pass 1: read the whole file into memory, refusing directories and oversized files.
 * The file is read by reading (io/source.c), never sized with stat(): a FIFO, a pipe behind
 * /dev/stdin and a /proc file (st_size 0) are read like a regular file, the limit holds for
 * the bytes that arrive, and a wait on a pipe that stays open can be cancelled (issue #17).
 */
static ps_status too_large(const char *path, ps_error *err)
{
    return ps_error_set_at(err, PS_EIO, path, 0, 0,
                           "the file is larger than %ld MiB; a scenario file is a few hundred "
                           "bytes of YAML",
                           SCN_MAX_BYTES / (1024 * 1024));
}

#define SCN_READ_CHUNK ((size_t)64 * 1024) /* bytes: the first buffer, doubled as needed */

static ps_status read_file(char **text_out, size_t *len_out, const char *path, ps_error *err)
{
    const size_t limit = (size_t)SCN_MAX_BYTES + 1; /* one byte past the limit tells "over" */
    ps_src *src = NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    ps_status rc = PS_OK;
    *text_out = NULL;
    *len_out = 0;
    int why = ps_src__open(&src, path);
    if (why != 0) {
        rc = why == EISDIR ? ps_error_set_at(err, PS_EIO, path, 0, 0,
                                             "is a directory; expected a scenario file (.yaml)")
                           : ps_error_set_at(err, PS_EIO, path, 0, 0,
                                             "cannot open the scenario file: %s", strerror(why));
        goto done;
    }
    for (long got = 1; got > 0; len += (size_t)got) {
        if (len == limit) {
            rc = too_large(path, err);
            goto done;
        }
        if (len == cap) {
            size_t next = cap == 0 ? SCN_READ_CHUNK : 2 * cap;
            char *grown = realloc(buf, (next < limit ? next : limit) + 1);
            if (grown == NULL) {
                rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path);
                goto done;
            }
            buf = grown;
            cap = next < limit ? next : limit;
        }
        if ((got = ps_src__read(src, buf + len, cap - len, err)) < 0) {
            rc = err ? err->code : PS_EIO;
            goto done;
        }
    }
    buf[len] = '\0';
    *text_out = buf;
    *len_out = len;
    buf = NULL;
done:
    free(buf);
    ps_src__close(src);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Shared state of passes 3 and 4.
 */
typedef struct load_ctx {
    const char *file; /* the scenario path, for messages */
    locator loc;
    ps_scenario *scn;
    ps_error *err;
} load_ctx;

static ps_status fail_at(const load_ctx *c, ps_status code, ps_scn_loc at, const char *fmt, ...)
    PS_PRINTF(4, 5);
static ps_status fail_at(const load_ctx *c, ps_status code, ps_scn_loc at, const char *fmt, ...)
{
    char msg[sizeof c->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ps_error_set_at(c->err, code, c->file, at.line, at.column, "%s", msg);
}

static ps_status warn_at(const load_ctx *c, ps_scn_loc at, const char *fmt, ...)
    PS_PRINTF(3, 4);
static ps_status warn_at(const load_ctx *c, ps_scn_loc at, const char *fmt, ...)
{
    char msg[1024];
    char line[1536];
    ps_scenario *scn = c->scn;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "%s:%ld:%d: warning: %s", c->file, at.line, at.column, msg);
    char **grown = realloc(scn->warnings, ((size_t)scn->n_warnings + 1) * sizeof *grown);
    if (grown == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory recording a warning");
    }
    scn->warnings = grown;
    if ((grown[scn->n_warnings] = ps__strdup(line)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory recording a warning");
    }
    scn->n_warnings++;
    return PS_OK;
}

static bool given(const load_ctx *c, const char *path)
{
    return locator_find(&c->loc, path) != NULL;
}

/* Where the value of `path` starts; 0:0 if the key is absent. */
static ps_scn_loc value_loc(const load_ctx *c, const char *path)
{
    const loc_entry *e = locator_find(&c->loc, path);
    ps_scn_loc none = { 0, 0 };
    return e != NULL ? e->value : none;
}

/* Where to report a key missing from section `parent`: the section's value, else 1:1. */
static ps_scn_loc missing_loc(const load_ctx *c, const char *parent)
{
    const loc_entry *e = parent[0] != '\0' ? locator_find(&c->loc, parent) : NULL;
    ps_scn_loc top = { 1, 1 };
    return e != NULL ? e->value : top;
}

/* The row of `sec` named by the first n characters of `name`, or NULL. */
static const scn_key *section_key(const scn_section *sec, const char *name, size_t n)
{
    for (size_t k = 0; k < sec->n_keys; ++k) {
        if (strlen(sec->keys[k].key) == n && strncmp(sec->keys[k].key, name, n) == 0) {
            return &sec->keys[k];
        }
    }
    return NULL;
}

/*
 * The row of the key table that describes `path`, or NULL; *sec_out gets its section and
 * *item_out whether the path ends in an item index ("policies[0]" is an item of the
 * sequence `policies`, whose row is returned). Either output may be NULL.
 */
static const scn_key *find_key_item(const char *path, const scn_section **sec_out,
                                    bool *item_out)
{
    const scn_section *sec = &top_section;
    const char *rest = path;
    for (;;) {
        size_t n = strcspn(rest, ".[");
        const scn_key *hit = section_key(sec, rest, n);
        const char *after = rest + n;
        bool item = false;
        if (hit != NULL && hit->type == KEY_SEQ && *after == '[') {
            const char *close = strchr(after, ']');
            if (close == NULL) {
                return NULL;
            }
            after = close + 1;
            item = true;
        }
        if (hit == NULL || *after == '\0') {
            if (sec_out != NULL) {
                *sec_out = sec;
            }
            if (item_out != NULL) {
                *item_out = item;
            }
            return hit;
        }
        if (*after != '.' || (hit->type != KEY_MAP && !item)) {
            return NULL;
        }
        sec = hit->sub;
        rest = after + 1;
    }
}

static const scn_key *find_key(const char *path, const scn_section **sec_out)
{
    return find_key_item(path, sec_out, NULL);
}

/* The section of the mapping at `path` (a section or a sequence item), or NULL. */
static const scn_section *find_section(const char *path)
{
    bool item = false;
    if (path[0] == '\0') {
        return &top_section;
    }
    const scn_key *k = find_key_item(path, NULL, &item);
    if (k == NULL) {
        return NULL;
    }
    return (k->type == KEY_MAP && !item) || (k->type == KEY_SEQ && item) ? k->sub : NULL;
}

/* ---------------------------------------------------------------------------------------
 * Value checks shared by pass 3 (translating libcyaml's complaints) and pass 4 (the value
 * checks libcyaml does not make: it reads "2025.5" as the int 2025, "maybe" as true, and
 * "nan" or "1e999" as non-finite doubles).
 */
static bool is_null_text(const loc_entry *e)
{
    static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
    if (!e->plain) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_LEN(nulls); ++i) {
        if (strcmp(e->text, nulls[i]) == 0) {
            return true;
        }
    }
    return false;
}

static const char *skip_digits(const char *s)
{
    while (isdigit((unsigned char)*s)) {
        ++s;
    }
    return s;
}

/* "0123": libcyaml reads integers with strtol base 0, so a leading zero would make the
 * digits octal ("03751" = 2025) and "0x" hexadecimal. The docs promise plain decimals, so
 * a number whose integer part has a leading zero is not one ("0", "-0", "0.5" are). */
static bool has_leading_zero(const char *s)
{
    return s[0] == '0' && isdigit((unsigned char)s[1]);
}

static bool is_integer_text(const char *s)
{
    if (*s == '+' || *s == '-') {
        ++s;
    }
    if (has_leading_zero(s)) {
        return false;
    }
    const char *end = skip_digits(s);
    return end != s && *end == '\0';
}

/* A decimal number as YAML writes one: [+-] digits [. digits] [e [+-] digits]. Hex and the
 * YAML spellings of NaN and infinity are not numbers here. */
static bool is_decimal_text(const char *s)
{
    if (*s == '+' || *s == '-') {
        ++s;
    }
    if (has_leading_zero(s)) {
        return false;
    }
    const char *p = skip_digits(s);
    size_t n_int = (size_t)(p - s);
    size_t n_frac = 0;
    if (*p == '.') {
        const char *q = skip_digits(p + 1);
        n_frac = (size_t)(q - p - 1);
        p = q;
    }
    if (n_int + n_frac == 0) {
        return false;
    }
    if (*p == 'e' || *p == 'E') {
        ++p;
        if (*p == '+' || *p == '-') {
            ++p;
        }
        const char *q = skip_digits(p);
        if (q == p) {
            return false;
        }
        p = q;
    }
    return *p == '\0';
}

static bool is_nonfinite_text(const char *s)
{
    static const char *const words[] = { ".nan", ".inf", "nan", "inf", "infinity" };
    if (*s == '+' || *s == '-') {
        ++s;
    }
    for (size_t i = 0; i < ARRAY_LEN(words); ++i) {
        size_t n = strlen(words[i]);
        bool same = strlen(s) == n;
        for (size_t j = 0; same && j < n; ++j) {
            same = tolower((unsigned char)s[j]) == words[i][j];
        }
        if (same) {
            return true;
        }
    }
    return false;
}

static bool is_bool_text(const char *s)
{
    static const char *const words[] = { "true", "false", "yes", "no", "on", "off" };
    for (size_t i = 0; i < ARRAY_LEN(words); ++i) {
        size_t n = strlen(words[i]);
        bool same = strlen(s) == n;
        for (size_t j = 0; same && j < n; ++j) {
            same = tolower((unsigned char)s[j]) == words[i][j];
        }
        if (same) {
            return true;
        }
    }
    return false;
}

static void choices_text(char *out, size_t size, const scn_key *key)
{
    out[0] = '\0';
    for (uint32_t i = 0; i < key->n_choices; ++i) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i > 0 ? ", " : "", key->choices[i].str);
    }
}

/* What a value of this key must look like, for "expected ..." messages. */
static void expected_text(char *out, size_t size, const scn_key *key)
{
    char choices[256];
    switch (key->type) {
    case KEY_NAME: snprintf(out, size, "a name of letters, digits, '_', '.' or '-'"); return;
    case KEY_TEXT: snprintf(out, size, "text"); return;
    case KEY_PATH: snprintf(out, size, "a file or folder path"); return;
    case KEY_INT: snprintf(out, size, "a whole number written in decimal"); return;
    case KEY_REAL: snprintf(out, size, "a number written in decimal"); return;
    case KEY_BOOL: snprintf(out, size, "true or false"); return;
    case KEY_ENUM:
        choices_text(choices, sizeof choices, key);
        snprintf(out, size, "one of: %s", choices);
        return;
    case KEY_MAP: snprintf(out, size, "a mapping of indented 'key: value' lines"); return;
    case KEY_SEQ:
        snprintf(out, size, "a sequence of mappings, one '- %s: ...' item each",
                 key->sub->keys[0].key);
        return;
    case KEY_EXTERN: snprintf(out, size, "a mapping of indented 'key: value' lines"); return;
    }
}

/* "[0, 10] children per woman" */
static void range_text(char *out, size_t size, const scn_key *key)
{
    snprintf(out, size, "[%.10g, %.10g]%s%s", key->min, key->max, key->unit[0] ? " " : "",
             key->unit);
}

static ps_status finite_error(const load_ctx *c, const scn_key *key, const char *path,
                              const loc_entry *e)
{
    char range[160];
    range_text(range, sizeof range, key);
    return fail_at(c, PS_EINVAL, e->value, "%s = %s must be a finite number in %s", path,
                   e->text, range);
}

static ps_status range_error(const load_ctx *c, const scn_key *key, const char *path,
                             const loc_entry *e)
{
    char range[160];
    range_text(range, sizeof range, key);
    return fail_at(c, PS_EINVAL, e->value, "%s = %s is outside %s", path, e->text, range);
}

/*
 * A value of the wrong shape. Three look-alikes are really domain errors (PS_EINVAL):
 * an unknown enum word, a YAML NaN/infinity for a number, and an integer too large for
 * 64 bits; everything else is a type error (PS_EPARSE).
 */
static ps_status type_error(const load_ctx *c, const scn_key *key, const char *path,
                            const loc_entry *e)
{
    char expected[320];
    expected_text(expected, sizeof expected, key);
    if (e->kind != NODE_SCALAR) {
        return fail_at(c, PS_EPARSE, e->value, "%s: expected %s (got %s)", path, expected,
                       node_noun(e->kind));
    }
    if (is_null_text(e)) {
        return fail_at(c, PS_EPARSE, e->value, "%s: expected %s (got an empty value)", path,
                       expected);
    }
    if (key->type == KEY_ENUM) {
        return fail_at(c, PS_EINVAL, e->value, "%s = '%s' is not %s", path, e->text, expected);
    }
    if (key->type == KEY_REAL && is_nonfinite_text(e->text)) {
        return finite_error(c, key, path, e);
    }
    if (key->type == KEY_INT && is_integer_text(e->text)) {
        return range_error(c, key, path, e);
    }
    return fail_at(c, PS_EPARSE, e->value, "%s: expected %s (got '%s')", path, expected,
                   e->text);
}

static bool is_name_text(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > SCN_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; ++i) {
        unsigned char ch = (unsigned char)s[i];
        if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '-') {
            return false;
        }
    }
    return true;
}

/*
 * The first control character of text as YAML unescaped it ("\e", "\x1b" and "\u009b"
 * in a double-quoted string become the raw characters, which libyaml's check of the file's
 * bytes never sees): C0 controls, DEL and the C1 controls U+0080..U+009F, any of which a
 * terminal may interpret. Tab and line feed are allowed where `lines` is set (titles).
 * Returns the code point, or 0 if there is none. The text is valid UTF-8 (pass 2).
 */
static unsigned long first_control(const char *text, bool lines)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; ++p) {
        if ((*p < 0x20 && !(lines && (*p == '\t' || *p == '\n'))) || *p == 0x7F) {
            return *p;
        }
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) { /* U+0080..U+009F */
            return p[1];
        }
    }
    return 0;
}

static ps_status check_text(const load_ctx *c, const scn_key *key, const char *path,
                            const loc_entry *e)
{
    unsigned long cp = first_control(e->text, key->type == KEY_TEXT);
    if (e->text[0] == '\0') {
        return fail_at(c, PS_EINVAL, e->value, "%s must not be empty", path);
    }
    if (cp != 0) {
        return fail_at(c, PS_EINVAL, e->value,
                       "%s: control character U+%04lX is not allowed in %s (a terminal would "
                       "interpret it); write plain text%s",
                       path, cp, key->type == KEY_TEXT ? "text" : "a path",
                       key->type == KEY_TEXT ? " (tab and line break are allowed)" : "");
    }
    if (strlen(e->text) > SCN_TEXT_MAX) {
        return fail_at(c, PS_EINVAL, e->value,
                       "%s is %zu bytes long; text values are at most %d bytes (UTF-8)", path,
                       strlen(e->text), SCN_TEXT_MAX);
    }
    return PS_OK;
}

/* Pass 4a for one scalar key the file gives; `value` points into the raw struct. */
static ps_status check_scalar(const load_ctx *c, const scn_key *key, const char *path,
                              const loc_entry *e, const void *value)
{
    bool well_formed = e->kind == NODE_SCALAR && !is_null_text(e);
    if (well_formed && key->type == KEY_INT) {
        well_formed = is_integer_text(e->text);
    } else if (well_formed && key->type == KEY_REAL) {
        well_formed = is_decimal_text(e->text);
    } else if (well_formed && key->type == KEY_BOOL) {
        well_formed = is_bool_text(e->text);
    }
    if (!well_formed) {
        return type_error(c, key, path, e);
    }
    switch (key->type) {
    case KEY_INT: {
        const double v = (double)*(const int64_t *)value;
        return v >= key->min && v <= key->max ? PS_OK : range_error(c, key, path, e);
    }
    case KEY_REAL: {
        const double v = *(const double *)value;
        if (!isfinite(v)) { /* "1e999" overflows to infinity */
            return finite_error(c, key, path, e);
        }
        return v >= key->min && v <= key->max ? PS_OK : range_error(c, key, path, e);
    }
    case KEY_NAME:
        if (!is_name_text(e->text)) {
            return fail_at(c, PS_EINVAL, e->value,
                           "%s = '%s' may contain only letters, digits, '_', '.' and '-' "
                           "(1 to %d characters)",
                           path, e->text, SCN_NAME_MAX);
        }
        return PS_OK;
    case KEY_TEXT:
    case KEY_PATH: return check_text(c, key, path, e);
    case KEY_BOOL:
    case KEY_ENUM:
    case KEY_MAP:
    case KEY_SEQ:
    case KEY_EXTERN: break;
    }
    return PS_OK;
}

/* Paths are short: the deepest is "variants[N].policies[M].unemployment_per_birth". */
#define PATH_MAX_LEN 160

static ps_status check_section(const load_ctx *c, const char *prefix, const scn_section *sec,
                               const void *raw);

/* The items of a sequence key, as libcyaml stored them: a pointer and a uint32_t count. */
static const char *seq_items(const scn_key *key, const void *raw, uint32_t *n_out)
{
    const char *items;
    memcpy(&items, (const char *)raw + key->offset, sizeof items);
    memcpy(n_out, (const char *)raw + key->count_offset, sizeof *n_out);
    return items;
}

/* Pass 4a: every key the file gives under `prefix`, section by section, against its row. */
static ps_status check_section(const load_ctx *c, const char *prefix, const scn_section *sec,
                               const void *raw)
{
    ps_status rc = PS_OK;
    for (size_t k = 0; k < sec->n_keys && rc == PS_OK; ++k) {
        const scn_key *key = &sec->keys[k];
        char path[PATH_MAX_LEN];
        join_key(path, sizeof path, prefix, key->key);
        const loc_entry *e = locator_find(&c->loc, path);
        const void *value = (const char *)raw + key->offset;
        if (e == NULL) {
            continue;
        }
        if (key->type == KEY_EXTERN) {
            continue; /* checked by its own builder */
        }
        if (key->type == KEY_MAP) {
            rc = check_section(c, path, key->sub, value);
        } else if (key->type == KEY_SEQ) {
            uint32_t n = 0;
            const char *items = seq_items(key, raw, &n);
            for (uint32_t i = 0; i < n && rc == PS_OK; ++i) {
                char item[PATH_MAX_LEN];
                join_index(item, sizeof item, path, i);
                rc = check_section(c, item, key->sub, items + (size_t)i * key->sub->raw_size);
            }
        } else {
            rc = check_scalar(c, key, path, e, value);
        }
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Pass 3: libcyaml. Its schema is generated from the key tables into a caller-owned
 * buffer (no allocation, no mutable statics); every field is optional because required
 * keys are checked in pass 4, where the message can say what the key means.
 */
/* economy, response and policies appear twice: at the top level and in each variant. */
#define SCHEMA_FIELDS                                                                          \
    (ARRAY_LEN(top_keys) + ARRAY_LEN(data_keys) + ARRAY_LEN(population_keys) +                 \
     ARRAY_LEN(mortality_keys) + ARRAY_LEN(fertility_keys) + ARRAY_LEN(srb_keys) +             \
     ARRAY_LEN(migration_keys) + ARRAY_LEN(schedule_keys) + ARRAY_LEN(birth_order_keys) +      \
     2 * (ARRAY_LEN(economy_keys) + ARRAY_LEN(response_keys) + ARRAY_LEN(policy_keys)) +       \
     ARRAY_LEN(variant_keys) + ARRAY_LEN(care_need_keys) + ARRAY_LEN(micro_keys) + ARRAY_LEN(level_keys) +            \
     ARRAY_LEN(step_keys) + ARRAY_LEN(setting_keys) +                                          \
     ARRAY_LEN(sex_factor_keys) + ARRAY_LEN(level_share_keys) +                                \
     2 * (ARRAY_LEN(service_keys) + ARRAY_LEN(class_keys) + 2 * ARRAY_LEN(point_keys) +        \
          ARRAY_LEN(capacity_keys) + ARRAY_LEN(extra_staff_keys) + ARRAY_LEN(home_keys) +      \
          ARRAY_LEN(stock_keys)) +                                                             \
     ARRAY_LEN(region_keys) + ARRAY_LEN(internal_keys) + ARRAY_LEN(schedule_keys) +            \
     ARRAY_LEN(registration_keys) + 52 /* one end marker each */)
/* item schemas: policies, variants, variants[].policies, care_need's levels, prevalence and
 * settings, and twice (top level, variants) services with their classes, uptake_path,
 * capacity.path, extra_staff and home_services */
#define SCHEMA_ITEMS (3 + 3 + 1 + 2 * 6 + 1) /* + settings' by_level, + regions */

typedef struct schema_buf {
    cyaml_schema_field_t fields[SCHEMA_FIELDS];
    cyaml_schema_value_t items[SCHEMA_ITEMS];
    size_t used, used_items;
} schema_buf;

static const cyaml_schema_field_t *schema_fields(schema_buf *sb, const scn_section *sec);

/* The schema of one item of a KEY_SEQ: a mapping stored in place in the item array. */
static const cyaml_schema_value_t *schema_item(schema_buf *sb, const scn_section *sec)
{
    assert(sb->used_items < ARRAY_LEN(sb->items));
    cyaml_schema_value_t *v = &sb->items[sb->used_items++];
    memset(v, 0, sizeof *v);
    v->type = CYAML_MAPPING;
    v->flags = CYAML_FLAG_DEFAULT;
    v->data_size = sec->raw_size;
    v->mapping.fields = schema_fields(sb, sec);
    return v;
}

static cyaml_schema_value_t schema_value(schema_buf *sb, const scn_key *key)
{
    cyaml_schema_value_t v;
    memset(&v, 0, sizeof v);
    v.flags = CYAML_FLAG_OPTIONAL;
    switch (key->type) {
    case KEY_NAME:
    case KEY_TEXT:
    case KEY_PATH:
        v.type = CYAML_STRING;
        v.flags = CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER;
        v.data_size = sizeof(char);
        v.string.min = 0;
        v.string.max = CYAML_UNLIMITED;
        break;
    case KEY_INT:
        v.type = CYAML_INT;
        v.data_size = sizeof(int64_t);
        break;
    case KEY_REAL:
        v.type = CYAML_FLOAT;
        v.data_size = sizeof(double);
        break;
    case KEY_BOOL:
        v.type = CYAML_BOOL;
        v.data_size = sizeof(bool);
        break;
    case KEY_ENUM:
        v.type = CYAML_ENUM;
        v.flags = CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT;
        v.data_size = sizeof(int);
        v.enumeration.strings = key->choices;
        v.enumeration.count = key->n_choices;
        break;
    case KEY_MAP:
        v.type = CYAML_MAPPING;
        v.data_size = key->sub->raw_size;
        v.mapping.fields = schema_fields(sb, key->sub);
        break;
    case KEY_SEQ:
        v.type = CYAML_SEQUENCE;
        v.flags = CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER;
        v.data_size = key->sub->raw_size;
        v.sequence.entry = schema_item(sb, key->sub);
        v.sequence.min = 0;
        v.sequence.max = CYAML_UNLIMITED;
        break;
    case KEY_EXTERN: v.type = CYAML_IGNORE; break;
    }
    return v;
}

static const cyaml_schema_field_t *schema_fields(schema_buf *sb, const scn_section *sec)
{
    cyaml_schema_field_t *first = &sb->fields[sb->used];
    sb->used += sec->n_keys + 1; /* reserve before recursing into sub-sections */
    assert(sb->used <= ARRAY_LEN(sb->fields));
    for (size_t k = 0; k < sec->n_keys; ++k) {
        memset(&first[k], 0, sizeof first[k]);
        first[k].key = sec->keys[k].key;
        first[k].data_offset = (uint32_t)sec->keys[k].offset;
        if (sec->keys[k].type == KEY_SEQ) {
            first[k].count_offset = (uint32_t)sec->keys[k].count_offset;
            first[k].count_size = sizeof(uint32_t);
        }
        first[k].value = schema_value(sb, &sec->keys[k]);
    }
    memset(&first[sec->n_keys], 0, sizeof first[sec->n_keys]); /* CYAML_FIELD_END */
    return first;
}

/* libcyaml logs one error as several messages: the problem, then a backtrace of
 * "  in mapping field 'k' (line: N, column: M)" lines, innermost first. */
typedef struct cyaml_log_buf {
    char text[4096];
    size_t len;
} cyaml_log_buf;

static void capture_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
    PS_PRINTF(3, 0);
static void capture_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
    cyaml_log_buf *log = ctx;
    (void)level;
    if (log->len + 1 >= sizeof log->text) {
        return;
    }
    int n = vsnprintf(log->text + log->len, sizeof log->text - log->len, fmt, args);
    if (n > 0) {
        log->len += (size_t)n;
        if (log->len >= sizeof log->text) {
            log->len = sizeof log->text - 1;
        }
    }
}

typedef struct cyaml_report {
    char problem[256]; /* first message, "Load: " removed */
    char path[256];    /* dotted path of the innermost mapping field in the backtrace */
    ps_scn_loc at;     /* first location libcyaml gave; 0:0 if none */
} cyaml_report;

static void report_line(cyaml_report *r, const char *line, char fields[][64], size_t *n_fields,
                        size_t max_fields)
{
    static const char field_tag[] = "in mapping field '";
    static const char entry_tag[] = "in sequence entry '";
    const char *loc = strstr(line, "(line: ");
    if (loc != NULL && r->at.line == 0) {
        long ln = 0;
        int col = 0;
        if (sscanf(loc, "(line: %ld, column: %d)", &ln, &col) == 2) {
            r->at.line = ln;
            r->at.column = col;
        }
    }
    if (strncmp(line, field_tag, sizeof field_tag - 1) == 0 && loc != NULL &&
        *n_fields < max_fields) {
        const char *name = line + sizeof field_tag - 1;
        size_t n = (size_t)(loc - name) >= 2 ? (size_t)(loc - name) - 2 : 0; /* "' " */
        snprintf(fields[(*n_fields)++], 64, "%.*s", (int)n, name);
    } else if (strncmp(line, entry_tag, sizeof entry_tag - 1) == 0 && *n_fields < max_fields) {
        /* libcyaml counts entries from 1 */
        long entry = strtol(line + sizeof entry_tag - 1, NULL, 10);
        snprintf(fields[(*n_fields)++], 64, "[%ld]", entry > 0 ? entry - 1 : 0);
    } else if (strncmp(line, "in ", 3) != 0 && strncmp(line, "Backtrace:", 10) != 0 &&
               r->problem[0] == '\0') {
        snprintf(r->problem, sizeof r->problem, "%s", line);
    }
}

static void parse_cyaml_log(cyaml_report *r, const char *text)
{
    char fields[12][64];
    size_t n_fields = 0;
    memset(r, 0, sizeof *r);
    while (*text != '\0') {
        char line[sizeof r->problem];
        size_t n = strcspn(text, "\n");
        const char *s = text;
        text += n + (text[n] == '\n');
        if (strncmp(s, "Load: ", 6) == 0) {
            s += 6;
            n -= 6;
        }
        while (n > 0 && *s == ' ') {
            ++s;
            --n;
        }
        snprintf(line, sizeof line, "%.*s", (int)n, s);
        report_line(r, line, fields, &n_fields, ARRAY_LEN(fields));
    }
    for (size_t i = n_fields; i-- > 0;) { /* innermost first -> "outer.inner" */
        size_t used = strlen(r->path);
        snprintf(r->path + used, sizeof r->path - used, "%s%s",
                 used > 0 && fields[i][0] != '[' ? "." : "", fields[i]);
    }
}

/* Levenshtein distance of two short words, for "did you mean"; large if either is long. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    size_t row[65];
    if (na > 64 || nb > 64) {
        return SIZE_MAX;
    }
    for (size_t j = 0; j <= nb; ++j) {
        row[j] = j;
    }
    for (size_t i = 1; i <= na; ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; ++j) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* The lever an item of policies names, if its `lever` value is a known one. */
static bool item_lever(const load_ctx *c, const char *item, ps_lever *lever)
{
    char path[PATH_MAX_LEN];
    join_key(path, sizeof path, item, "lever");
    const loc_entry *e = locator_find(&c->loc, path);
    for (size_t i = 0; e != NULL && e->text != NULL && i < ARRAY_LEN(lever_choices); ++i) {
        if (strcmp(e->text, lever_choices[i].str) == 0) {
            *lever = (ps_lever)lever_choices[i].val;
            return true;
        }
    }
    return false;
}

/* Does row `key` of the policy table apply to `lever`? */
static bool key_applies(const scn_key *key, ps_lever lever)
{
    return key->levers == 0 || (key->levers & LEVER_BIT(lever)) != 0;
}

/* "first, second, third, eligible_share, name, start, end": the keys of a lever, its own
 * first, then those of every lever except `lever` itself. */
static void lever_keys_text(char *out, size_t size, ps_lever lever)
{
    out[0] = '\0';
    for (int pass = 0; pass < 2; ++pass) {
        for (size_t k = 0; k < ARRAY_LEN(policy_keys); ++k) {
            const scn_key *key = &policy_keys[k];
            bool own = key->levers != 0 && key_applies(key, lever);
            bool common = key->levers == 0 && strcmp(key->key, "lever") != 0;
            if ((pass == 0 && own) || (pass == 1 && common)) {
                size_t used = strlen(out);
                snprintf(out + used, size - used, "%s%s", used > 0 ? ", " : "", key->key);
            }
        }
    }
}

/* A fourth birth order (or later) where the keys stop at third. */
static bool is_later_order(const scn_section *sec, const char *key)
{
    static const char *const words[] = { "fourth", "forth", "fifth", "sixth", "4th", "5th" };
    bool has_orders = false;
    for (size_t k = 0; sec != NULL && k < sec->n_keys; ++k) {
        has_orders = has_orders || strstr(sec->keys[k].key, "third") != NULL;
    }
    for (size_t i = 0; has_orders && i < ARRAY_LEN(words); ++i) {
        if (strstr(key, words[i]) != NULL) {
            return true;
        }
    }
    return false;
}

static ps_status unknown_key_error(const load_ctx *c, const cyaml_report *r, const char *key)
{
    const scn_section *sec = find_section(r->path);
    char full[sizeof r->path + sizeof r->problem + 2], keys[400], where[sizeof r->path + 16];
    char hint[128], expect[64] = "expected one of";
    const char *closest = NULL;
    size_t best = 3; /* suggest only within two edits */
    ps_lever lever = PS_LEVER_BIRTH_REWARD;
    bool by_lever = sec == &policy_section && item_lever(c, r->path, &lever);
    join_key(full, sizeof full, r->path, key);
    const loc_entry *e = locator_find(&c->loc, full);
    ps_scn_loc at = e != NULL ? e->key : r->at;
    keys[0] = hint[0] = '\0';
    for (size_t k = 0; sec != NULL && k < sec->n_keys; ++k) {
        size_t used = strlen(keys);
        size_t d = edit_distance(key, sec->keys[k].key);
        if (!by_lever) {
            snprintf(keys + used, sizeof keys - used, "%s%s", k > 0 ? ", " : "",
                     sec->keys[k].key);
        }
        if (d < best && (!by_lever || key_applies(&sec->keys[k], lever))) {
            best = d;
            closest = sec->keys[k].key;
        }
    }
    if (by_lever) {
        lever_keys_text(keys, sizeof keys, lever);
        snprintf(expect, sizeof expect, "keys of lever %s", ps_lever_name(lever));
    }
    if (closest != NULL) {
        snprintf(hint, sizeof hint, "did you mean '%s'? ", closest);
    }
    if (r->path[0] == '\0') {
        snprintf(where, sizeof where, "the top-level mapping");
    } else {
        snprintf(where, sizeof where, "mapping '%s'", r->path);
    }
    return fail_at(c, PS_EPARSE, at, "unknown key '%s' in %s (%s%s: %s)%s", key, where, hint,
                   expect, keys,
                   is_later_order(sec, key) ? "; birth orders are first, second and third "
                                              "(third = 3rd and later)"
                                            : "");
}

static ps_status translate_cyaml(const load_ctx *c, cyaml_err_t code, const char *log)
{
    static const char unexpected[] = "Unexpected key: ";
    cyaml_report r;
    parse_cyaml_log(&r, log);
    if (strncmp(r.problem, unexpected, sizeof unexpected - 1) == 0) {
        return unknown_key_error(c, &r, r.problem + sizeof unexpected - 1);
    }
    bool item = false;
    const scn_key *key = r.path[0] != '\0' ? find_key_item(r.path, NULL, &item) : NULL;
    const loc_entry *e = key != NULL ? locator_find(&c->loc, r.path) : NULL;
    if (e != NULL && item) { /* an item of policies or variants that is not a mapping */
        return fail_at(c, PS_EPARSE, e->value,
                       "%s: expected a mapping of 'key: value' lines starting with '- %s:' "
                       "(got %s)",
                       r.path, key->sub->keys[0].key,
                       e->kind == NODE_SCALAR && is_null_text(e) ? "an empty item"
                                                                  : node_noun(e->kind));
    }
    if (e != NULL) {
        return type_error(c, key, r.path, e);
    }
    /* Not a shape this file knows: keep libcyaml's words and location. */
    ps_scn_loc at = r.at.line > 0 ? r.at : (ps_scn_loc){ 1, 1 };
    return fail_at(c, PS_EPARSE, at, "%s%s%s", r.path[0] ? r.path : "", r.path[0] ? ": " : "",
                   r.problem[0] ? r.problem : cyaml_strerror(code));
}

static const cyaml_config_t *cyaml_cfg(cyaml_config_t *cfg, cyaml_log_buf *log)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->log_fn = capture_log;
    cfg->log_ctx = log;
    cfg->mem_fn = cyaml_mem;
    cfg->log_level = CYAML_LOG_ERROR;
    cfg->flags = CYAML_CFG_NO_ALIAS;
    return cfg;
}

static cyaml_schema_value_t top_schema(schema_buf *sb)
{
    cyaml_schema_value_t v;
    memset(&v, 0, sizeof v);
    v.type = CYAML_MAPPING;
    v.flags = CYAML_FLAG_POINTER;
    v.data_size = top_section.raw_size;
    v.mapping.fields = schema_fields(sb, &top_section);
    return v;
}

static ps_status load_raw(raw_scenario **raw, const load_ctx *c, const char *text, size_t len)
{
    schema_buf sb = { .used = 0, .used_items = 0 };
    cyaml_log_buf log = { .len = 0 };
    cyaml_config_t cfg;
    cyaml_data_t *data = NULL;
    const cyaml_schema_value_t schema = top_schema(&sb);
    log.text[0] = '\0';
    cyaml_err_t code = cyaml_load_data((const uint8_t *)text, len, cyaml_cfg(&cfg, &log),
                                       &schema, &data, NULL);
    if (code == CYAML_ERR_OOM) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory loading '%s'", c->file);
    }
    if (code != CYAML_OK) {
        return translate_cyaml(c, code, log.text);
    }
    *raw = data;
    return PS_OK;
}

static void free_raw(raw_scenario *raw)
{
    schema_buf sb = { .used = 0, .used_items = 0 };
    cyaml_log_buf log = { .len = 0 };
    cyaml_config_t cfg;
    const cyaml_schema_value_t schema = top_schema(&sb);
    if (raw != NULL) {
        cyaml_free(cyaml_cfg(&cfg, &log), &schema, raw, 0);
    }
}

/* ---------------------------------------------------------------------------------------
 * Pass 4b: one builder per section copies the raw values into ps_scenario and checks the
 * rules between keys (scn_rules above). A missing key is reported at its section's value
 * (or 1:1); a contradiction at the later of the two keys, which is the one to reconsider.
 */
static ps_status copy_text(const load_ctx *c, char **dst, const char *src)
{
    if (src == NULL) {
        return PS_OK;
    }
    if ((*dst = ps__strdup(src)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory copying '%s'", src);
    }
    return PS_OK;
}

/* Bytes of a scalar value in a raw struct; 0 for strings and sections. */
static size_t key_size(const scn_key *key)
{
    switch (key->type) {
    case KEY_INT: return sizeof(int64_t);
    case KEY_REAL: return sizeof(double);
    case KEY_BOOL: return sizeof(bool);
    case KEY_ENUM: return sizeof(int);
    case KEY_NAME:
    case KEY_TEXT:
    case KEY_PATH:
    case KEY_MAP:
    case KEY_SEQ:
    case KEY_EXTERN: break;
    }
    return 0;
}

/* Copy every number, boolean and choice the file gives under `prefix` from the raw struct
 * `src` of `sec` to `dst`, a struct of the same layout; the others keep dst's values. This
 * is how defaults, inherited values and overrides stack. */
static void overlay_given(const load_ctx *c, const char *prefix, const scn_section *sec,
                          void *dst, const void *src)
{
    for (size_t k = 0; k < sec->n_keys; ++k) {
        const scn_key *key = &sec->keys[k];
        char path[PATH_MAX_LEN];
        join_key(path, sizeof path, prefix, key->key);
        if (key_size(key) > 0 && given(c, path)) {
            memcpy((char *)dst + key->offset, (const char *)src + key->offset, key_size(key));
        }
    }
}

/*
 * A path from the scenario, made usable from the current directory: absolute paths stay,
 * relative ones are read from the scenario file's folder (dir + "/" + value), and are left
 * as written when that folder is ".".
 */
static ps_status resolve_path(const load_ctx *c, char **dst, const char *value)
{
    const char *dir = c->scn->dir;
    if (value == NULL) {
        return PS_OK;
    }
    if (value[0] == '/' || strcmp(dir, ".") == 0) {
        return copy_text(c, dst, value);
    }
    size_t nd = strlen(dir);
    bool slash = nd > 0 && dir[nd - 1] == '/';
    size_t n = nd + strlen(value) + 2;
    if ((*dst = malloc(n)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory resolving '%s'", value);
    }
    snprintf(*dst, n, "%s%s%s", dir, slash ? "" : "/", value);
    return PS_OK;
}

static ps_status set_file(const load_ctx *c, ps_scn_file *f, const char *value, const char *path)
{
    f->loc = value_loc(c, path);
    return resolve_path(c, &f->path, value);
}

/*
 * A section's `sheet:` key: every .xlsx workbook among the section's files is read from
 * that sheet ("book.xlsx#Sheet", the form the planner readers take). A sheet with no
 * workbook to apply to is an error at the key.
 */
static ps_status apply_sheet(const load_ctx *c, const char *sheet, const char *key,
                             ps_scn_file *files[], int n_files)
{
    if (sheet == NULL) {
        return PS_OK;
    }
    int applied = 0;
    for (int k = 0; k < n_files; ++k) {
        ps_scn_file *f = files[k];
        if (f->path == NULL || !ps_xlsx__is_workbook(f->path)) {
            continue;
        }
        size_t n = strlen(f->path) + strlen(sheet) + 2;
        char *ref = malloc(n);
        if (ref == NULL) {
            return ps_error_set(c->err, PS_ENOMEM, "out of memory for %s", key);
        }
        snprintf(ref, n, "%s#%s", f->path, sheet);
        free(f->path);
        f->path = ref;
        applied = 1;
    }
    if (!applied) {
        return fail_at(c, PS_EINVAL, value_loc(c, key),
                       "%s = '%s' names a sheet, but no file of this section is an .xlsx "
                       "workbook",
                       key, sheet);
    }
    return PS_OK;
}

/* The later of two given keys (the one a reader meets second). */
static const char *later_key(const load_ctx *c, const char *a, const char *b)
{
    ps_scn_loc la = value_loc(c, a), lb = value_loc(c, b);
    return la.line > lb.line || (la.line == lb.line && la.column > lb.column) ? a : b;
}

/* "at most one of a and b": an error if the file gives both. */
static ps_status exclusive(const load_ctx *c, const char *a, const char *b, const char *why)
{
    if (!given(c, a) || !given(c, b)) {
        return PS_OK;
    }
    const char *second = later_key(c, a, b);
    const char *first = second == a ? b : a;
    return fail_at(c, PS_EINVAL, value_loc(c, second), "%s contradicts %s (line %ld): %s",
                   second, first, value_loc(c, first).line, why);
}

/* A required key is missing; reported at its section's value (or item), else at 1:1. */
static ps_status missing_key(const load_ctx *c, const char *path, const char *why)
{
    const scn_key *key = find_key(path, NULL);
    char range[200] = "", parent[PATH_MAX_LEN];
    const char *dot = strrchr(path, '.');
    assert(key != NULL);
    snprintf(parent, sizeof parent, "%.*s", dot != NULL ? (int)(dot - path) : 0, path);
    if (key->type == KEY_INT || key->type == KEY_REAL) {
        snprintf(range, sizeof range, ", %.10g..%.10g", key->min, key->max);
    } else if (key->type == KEY_NAME) {
        snprintf(range, sizeof range, ", [A-Za-z0-9_.-]{1,%d}", SCN_NAME_MAX);
    } else if (key->type == KEY_ENUM) {
        char choices[160];
        choices_text(choices, sizeof choices, key);
        snprintf(range, sizeof range, ", one of: %s", choices);
    }
    return fail_at(c, PS_EINVAL, missing_loc(c, parent), "missing required key '%s' (%s%s)%s%s",
                   path, key->help, range, why[0] ? "; " : "", why);
}

/* micro: defaults, overridden by the keys given; only with engine: micro. */
static ps_status build_micro(const load_ctx *c, const raw_micro *raw)
{
    ps_scn_micro *m = &c->scn->micro;
    raw_micro v = micro_defaults;
    overlay_given(c, "micro", &micro_section, &v, raw);
    if (given(c, "micro") && c->scn->engine != PS_ENGINE_MICRO) {
        return fail_at(c, PS_EINVAL, value_loc(c, "micro"),
                       "micro applies only with engine: micro (engine is %s)",
                       c->scn->engine == PS_ENGINE_CCM ? "ccm" : "another engine");
    }
    if (v.low_income_share + v.subsistence_share > 1.0 + SCN_SHARE_SUM_TOL) {
        const char *at = later_key(c, "micro.low_income_share", "micro.subsistence_share");
        return fail_at(c, PS_EINVAL, value_loc(c, at),
                       "micro.low_income_share + micro.subsistence_share = %.10g + %.10g is "
                       "above 1 (shares of persons)", v.low_income_share, v.subsistence_share);
    }
    m->scale = v.scale;
    m->replicates = (int)v.replicates;
    m->seed = (long long)v.seed;
    m->low_income_share = v.low_income_share;
    m->subsistence_share = v.subsistence_share;
    m->sample = (int)v.sample;
    m->scale_loc = given(c, "micro.scale") ? value_loc(c, "micro.scale") : value_loc(c, "engine");
    return PS_OK;
}

static ps_status build_top(const load_ctx *c, const raw_scenario *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    for (size_t k = 0; k < ARRAY_LEN(top_keys) && rc == PS_OK; ++k) {
        if (top_keys[k].required && !given(c, top_keys[k].key)) {
            rc = missing_key(c, top_keys[k].key, "");
        }
    }
    if (rc != PS_OK) {
        return rc;
    }
    scn->start_year = (int)raw->start; /* both checked against [1950, 2300] in pass 4a */
    scn->end_year = (int)raw->end;
    if (scn->end_year <= scn->start_year) {
        return fail_at(c, PS_EINVAL, value_loc(c, "end"),
                       "end = %d must be later than start = %d (calendar years)",
                       scn->end_year, scn->start_year);
    }
    scn->engine = (ps_engine_kind)raw->engine; /* PS_ENGINE_CCM (0) when absent */
    if ((rc = build_micro(c, &raw->micro)) != PS_OK ||
        (rc = copy_text(c, &scn->name, raw->name)) != PS_OK ||
        (rc = copy_text(c, &scn->title, raw->title)) != PS_OK) {
        return rc;
    }
    return copy_text(c, &scn->region_name, raw->region);
}

static ps_status build_data(const load_ctx *c, const raw_data *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    scn->wpp_dir_loc = value_loc(c, "data.wpp_dir");
    scn->location_loc = value_loc(c, "data.location");
    if ((rc = resolve_path(c, &scn->wpp_dir, raw->wpp_dir)) != PS_OK ||
        (rc = copy_text(c, &scn->location, raw->location)) != PS_OK) {
        return rc;
    }
    if (scn->wpp_dir != NULL && scn->location == NULL) {
        rc = warn_at(c, scn->wpp_dir_loc,
                     "data.wpp_dir has no effect without data.location (every input comes "
                     "from files)");
    }
    return rc;
}

static ps_status build_population(const load_ctx *c, const raw_population *raw)
{
    ps_scenario *scn = c->scn;
    if (raw->file == NULL && scn->location == NULL && !given(c, "regions")) {
        return missing_key(c, "population.file",
                           "without data.location the base population must come from a file");
    }
    ps_status rc = set_file(c, &scn->population.file, raw->file, "population.file");
    ps_scn_file *files[] = { &scn->population.file };
    return rc != PS_OK ? rc : apply_sheet(c, raw->sheet, "population.sheet", files, 1);
}

static ps_status build_mortality(const load_ctx *c, const raw_mortality *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    if (raw->e0_file != NULL && raw->mx_file == NULL && scn->location == NULL) {
        return fail_at(c, PS_EINVAL, value_loc(c, "mortality.e0_file"),
                       "mortality.e0_file needs an age pattern of mortality to scale: give "
                       "mortality.mx_file or data.location");
    }
    if (raw->mx_file == NULL && scn->location == NULL) {
        return missing_key(c, "mortality.mx_file",
                           "without data.location death rates must come from a file");
    }
    if ((rc = set_file(c, &scn->mortality.mx_file, raw->mx_file, "mortality.mx_file")) !=
        PS_OK) {
        return rc;
    }
    if ((rc = set_file(c, &scn->mortality.e0_file, raw->e0_file, "mortality.e0_file")) != PS_OK) {
        return rc;
    }
    ps_scn_file *files[] = { &scn->mortality.mx_file, &scn->mortality.e0_file };
    return apply_sheet(c, raw->sheet, "mortality.sheet", files, 2);
}

/* The pattern rules of fertility, before anything is copied. */
static ps_status check_fertility_pattern(const load_ctx *c, const raw_fertility *raw,
                                         ps_fert_pattern pattern)
{
    const bool has_level = given(c, "fertility.tfr") || given(c, "fertility.tfr_file");
    const bool has_loc = c->scn->location != NULL;
    const ps_scn_loc at = value_loc(c, "fertility.pattern");
    if (given(c, "fertility.mean_age") && pattern != PS_FERT_PATTERN_HADWIGER) {
        return fail_at(c, PS_EINVAL, value_loc(c, "fertility.mean_age"),
                       "fertility.mean_age only applies to pattern: hadwiger");
    }
    switch (pattern) {
    case PS_FERT_PATTERN_HADWIGER:
        if (!given(c, "fertility.mean_age")) {
            return fail_at(c, PS_EINVAL, at,
                           "fertility.pattern: hadwiger needs fertility.mean_age (mean age of "
                           "childbearing, 15..45 years)");
        }
        if (!has_level && !has_loc) {
            return fail_at(c, PS_EINVAL, at,
                           "fertility.pattern: hadwiger gives only an age shape: without "
                           "data.location add fertility.tfr or fertility.tfr_file");
        }
        break;
    case PS_FERT_PATTERN_WPP:
        if (!has_loc) {
            return fail_at(c, PS_EINVAL, at,
                           "fertility.pattern: wpp needs data.location (whose WPP age pattern "
                           "is used)");
        }
        break;
    case PS_FERT_PATTERN_ASFR_FILE:
        if (raw->asfr_file == NULL) {
            return fail_at(c, PS_EINVAL, at, "fertility.pattern: asfr_file needs "
                                             "fertility.asfr_file");
        }
        break;
    case PS_FERT_PATTERN_DEFAULT: break;
    }
    if (raw->asfr_file != NULL &&
        (pattern == PS_FERT_PATTERN_WPP || pattern == PS_FERT_PATTERN_HADWIGER)) {
        return fail_at(c, PS_EINVAL, value_loc(c, "fertility.asfr_file"),
                       "fertility.asfr_file contradicts fertility.pattern: %s (line %ld), which "
                       "already gives the age shape",
                       pattern == PS_FERT_PATTERN_WPP ? "wpp" : "hadwiger", at.line);
    }
    return PS_OK;
}

/* Without data.location, fertility must be complete from the file alone. */
static ps_status check_fertility_source(const load_ctx *c, const raw_fertility *raw,
                                        ps_fert_pattern pattern)
{
    if (c->scn->location != NULL || raw->asfr_file != NULL ||
        pattern == PS_FERT_PATTERN_HADWIGER) {
        return PS_OK; /* the hadwiger case was checked for a level already */
    }
    const char *level = given(c, "fertility.tfr")        ? "fertility.tfr"
                        : given(c, "fertility.tfr_file") ? "fertility.tfr_file"
                                                         : NULL;
    if (level != NULL) {
        return fail_at(c, PS_EINVAL, value_loc(c, level),
                       "%s needs an age pattern: without data.location set fertility.pattern: "
                       "hadwiger (with mean_age) or give fertility.asfr_file",
                       level);
    }
    return missing_key(c, "fertility.asfr_file",
                       "without data.location give fertility.asfr_file, or fertility.tfr or "
                       "tfr_file with pattern: hadwiger");
}

static ps_status build_fertility(const load_ctx *c, const raw_fertility *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    ps_fert_pattern pattern = (ps_fert_pattern)raw->pattern; /* DEFAULT (0) when absent */
    if ((rc = exclusive(c, "fertility.tfr", "fertility.tfr_file",
                        "give a constant tfr or a tfr_file, not both")) != PS_OK ||
        (rc = check_fertility_pattern(c, raw, pattern)) != PS_OK ||
        (rc = check_fertility_source(c, raw, pattern)) != PS_OK) {
        return rc;
    }
    const char *level = given(c, "fertility.tfr")        ? "fertility.tfr"
                        : given(c, "fertility.tfr_file") ? "fertility.tfr_file"
                                                         : NULL;
    if (raw->asfr_file != NULL && level != NULL && pattern == PS_FERT_PATTERN_DEFAULT) {
        pattern = PS_FERT_PATTERN_ASFR_FILE;
        if ((rc = warn_at(c, value_loc(c, level),
                          "%s rescales the age pattern of fertility.asfr_file (pattern: "
                          "asfr_file assumed)",
                          level)) != PS_OK) {
            return rc;
        }
    }
    scn->fertility.has_tfr = given(c, "fertility.tfr");
    scn->fertility.tfr = raw->tfr;
    scn->fertility.tfr_loc = value_loc(c, "fertility.tfr");
    scn->fertility.pattern = pattern;
    scn->fertility.pattern_loc = value_loc(c, "fertility.pattern");
    scn->fertility.has_mean_age = given(c, "fertility.mean_age");
    scn->fertility.mean_age = raw->mean_age;
    if ((rc = set_file(c, &scn->fertility.asfr_file, raw->asfr_file, "fertility.asfr_file")) !=
        PS_OK) {
        return rc;
    }
    if ((rc = set_file(c, &scn->fertility.tfr_file, raw->tfr_file, "fertility.tfr_file")) !=
        PS_OK) {
        return rc;
    }
    ps_scn_file *files[] = { &scn->fertility.asfr_file, &scn->fertility.tfr_file };
    return apply_sheet(c, raw->sheet, "fertility.sheet", files, 2);
}

static ps_status build_srb(const load_ctx *c, const raw_srb *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = exclusive(c, "srb.value", "srb.file",
                             "give a constant value or a file, not both");
    if (rc != PS_OK) {
        return rc;
    }
    scn->srb.has_value = given(c, "srb.value");
    scn->srb.value = raw->value;
    scn->srb.value_loc = value_loc(c, "srb.value");
    if (!scn->srb.has_value && raw->file == NULL && scn->location == NULL) {
        scn->srb.has_value = 1;
        scn->srb.value = PS_SRB_DEFAULT;
        rc = warn_at(c, missing_loc(c, "srb"),
                     "no srb.value, srb.file or data.location: assuming %.2f male births per "
                     "female birth",
                     PS_SRB_DEFAULT);
        if (rc != PS_OK) {
            return rc;
        }
    }
    if ((rc = set_file(c, &scn->srb.file, raw->file, "srb.file")) != PS_OK) {
        return rc;
    }
    ps_scn_file *files[] = { &scn->srb.file };
    return apply_sheet(c, raw->sheet, "srb.sheet", files, 1);
}

static ps_status check_migration(const load_ctx *c, const raw_migration *raw)
{
    static const char *const sources[] = { "migration.file", "migration.total",
                                           "migration.total_file" };
    static const char *const spread[] = { "migration.male_share", "migration.schedule" };
    ps_status rc = PS_OK;
    for (size_t i = 0; i < ARRAY_LEN(sources) && rc == PS_OK; ++i) {
        if (raw->none && given(c, sources[i])) {
            rc = fail_at(c, PS_EINVAL, value_loc(c, sources[i]),
                         "%s contradicts migration.none: true (line %ld), which means no "
                         "migration",
                         sources[i], value_loc(c, "migration.none").line);
        }
        for (size_t j = i + 1; j < ARRAY_LEN(sources) && rc == PS_OK; ++j) {
            rc = exclusive(c, sources[i], sources[j],
                           "give one of migration.file, total and total_file");
        }
    }
    const bool has_total = given(c, "migration.total") || given(c, "migration.total_file");
    for (size_t i = 0; i < ARRAY_LEN(spread) && rc == PS_OK; ++i) {
        if (given(c, spread[i]) && !has_total) {
            rc = fail_at(c, PS_EINVAL, value_loc(c, spread[i]),
                         "%s only applies with migration.total or migration.total_file", spread[i]);
        }
    }
    return rc;
}

static ps_status build_migration(const load_ctx *c, const raw_migration *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = check_migration(c, raw);
    if (rc != PS_OK) {
        return rc;
    }
    const bool has_source = given(c, "migration.file") || given(c, "migration.total") ||
                            given(c, "migration.total_file");
    scn->migration.none = raw->none;
    if (!raw->none && !has_source && scn->location == NULL) {
        if (given(c, "migration.none")) {
            return fail_at(c, PS_EINVAL, value_loc(c, "migration.none"),
                           "migration.none: false needs migration.file, total or total_file "
                           "when there is no data.location");
        }
        scn->migration.none = 1;
        rc = warn_at(c, missing_loc(c, "migration"),
                     "no migration input and no data.location: assuming a closed population "
                     "(migration.none: true)");
        if (rc != PS_OK) {
            return rc;
        }
    }
    scn->migration.has_total = given(c, "migration.total");
    scn->migration.total = raw->total;
    scn->migration.total_loc = value_loc(c, "migration.total");
    scn->migration.male_share =
        given(c, "migration.male_share") ? raw->male_share : SCN_MALE_SHARE_DEFAULT;
    /* Start from the fundamental schedule and copy over only the parameters given. */
    scn->migration.schedule = schedule_defaults;
    overlay_given(c, "migration.schedule", &schedule_section, &scn->migration.schedule,
                  &raw->schedule);
    if ((rc = set_file(c, &scn->migration.file, raw->file, "migration.file")) != PS_OK) {
        return rc;
    }
    if ((rc = set_file(c, &scn->migration.total_file, raw->total_file,
                       "migration.total_file")) != PS_OK) {
        return rc;
    }
    ps_scn_file *files[] = { &scn->migration.file, &scn->migration.total_file };
    return apply_sheet(c, raw->sheet, "migration.sheet", files, 2);
}

/* ---------------------------------------------------------------------------------------
 * Pass 4c: the scenario family. members[0] is the top level; each variant starts from a
 * deep copy of the member it extends and applies its own economy, response and policies.
 * Each policy is checked against its lever and the projection window, and each member's
 * resolved list against two windows of one name in force in the same year.
 */


/* Where the latest-written key of `sec` under `prefix` stands (0:0 if none is given). */
static ps_scn_loc latest_given(const load_ctx *c, const char *prefix, const scn_section *sec)
{
    ps_scn_loc best = { 0, 0 };
    for (size_t k = 0; k < sec->n_keys; ++k) {
        char path[PATH_MAX_LEN];
        join_key(path, sizeof path, prefix, sec->keys[k].key);
        const ps_scn_loc at = value_loc(c, path);
        if (at.line > best.line || (at.line == best.line && at.column > best.column)) {
            best = at;
        }
    }
    return best;
}

static ps_status build_birth_order(const load_ctx *c, const raw_scenario *raw)
{
    ps_birth_order *bo = &c->scn->birth_order;
    const double *d = birth_order_defaults.share;
    double sum = 0.0;
    *bo = birth_order_defaults;
    c->scn->has_birth_order = given(c, "birth_order");
    overlay_given(c, "birth_order", &birth_order_section, bo, &raw->birth_order);
    for (int order = 0; order < PS_ORDER_COUNT; ++order) {
        sum += bo->share[order];
    }
    if (fabs(sum - 1.0) <= SCN_SHARE_SUM_TOL) {
        return PS_OK;
    }
    return fail_at(c, PS_EINVAL, latest_given(c, "birth_order", &birth_order_section),
                   "birth_order shares first + second + third = %.10g + %.10g + %.10g = %.10g "
                   "must sum to 1 (tolerance 1e-6; shares not given keep their defaults "
                   "%.10g, %.10g, %.10g)",
                   bo->share[0], bo->share[1], bo->share[2], sum, d[0], d[1], d[2]);
}

/* `eco` holds the parent's (or the default) economy; the keys given under prefix override. */
static ps_status build_economy(const load_ctx *c, const char *prefix, ps_economy *eco,
                               const ps_economy *raw)
{
    char ceiling[PATH_MAX_LEN], enrollment[PATH_MAX_LEN];
    overlay_given(c, prefix, &economy_section, eco, raw);
    if (eco->childcare_ceiling >= eco->childcare_enrollment) {
        return PS_OK;
    }
    join_key(ceiling, sizeof ceiling, prefix, "childcare_ceiling");
    join_key(enrollment, sizeof enrollment, prefix, "childcare_enrollment");
    const char *at = !given(c, ceiling)      ? enrollment
                     : !given(c, enrollment) ? ceiling
                                             : later_key(c, ceiling, enrollment);
    return fail_at(c, PS_EINVAL, value_loc(c, at),
                   "%s: childcare_ceiling = %.10g is below childcare_enrollment = %.10g "
                   "(shares of under-3s); the share whose families want a place must be at "
                   "least the share enrolled",
                   at, eco->childcare_ceiling, eco->childcare_enrollment);
}

/* m holds the parent's (or no) overrides; the keys given under prefix override them. */
static void build_response(const load_ctx *c, const char *prefix, ps_scn_member *m,
                           const raw_response *raw)
{
    raw_response r = { .r = m->response, .elasticity = (int)m->elasticity };
    char path[PATH_MAX_LEN];
    overlay_given(c, prefix, &response_section, &r, raw);
    m->response = r.r;
    m->elasticity = (ps_elasticity)r.elasticity;
    join_key(path, sizeof path, prefix, "elasticity");
    if (given(c, path)) {
        m->has_elasticity = 1;
    }
}

/* Every key the item gives must apply to its lever. */
static ps_status check_policy_keys(const load_ctx *c, const char *item, ps_lever lever)
{
    for (size_t k = 0; k < ARRAY_LEN(policy_keys); ++k) {
        char path[PATH_MAX_LEN], keys[400];
        join_key(path, sizeof path, item, policy_keys[k].key);
        const loc_entry *e = locator_find(&c->loc, path);
        if (e != NULL && !key_applies(&policy_keys[k], lever)) {
            lever_keys_text(keys, sizeof keys, lever);
            return fail_at(c, PS_EINVAL, e->key, "%s does not apply to lever %s (keys of %s: %s)",
                           path, ps_lever_name(lever), ps_lever_name(lever), keys);
        }
    }
    return PS_OK;
}

/* start and end within the projection, end not before start. */
static ps_status check_window(const load_ctx *c, const char *item, const raw_policy *raw)
{
    const ps_scenario *scn = c->scn;
    char start[PATH_MAX_LEN], end[PATH_MAX_LEN];
    join_key(start, sizeof start, item, "start");
    join_key(end, sizeof end, item, "end");
    const bool has_end = given(c, end);
    const char *outside = raw->start < scn->start_year || raw->start > scn->end_year ? start
                          : has_end && (raw->end < scn->start_year || raw->end > scn->end_year)
                              ? end
                              : NULL;
    if (outside != NULL) {
        return fail_at(c, PS_EINVAL, value_loc(c, outside),
                       "%s = %lld is outside the projection %d..%d (calendar years)", outside,
                       (long long)(outside == start ? raw->start : raw->end), scn->start_year,
                       scn->end_year);
    }
    if (has_end && raw->end < raw->start) {
        return fail_at(c, PS_EINVAL, value_loc(c, end),
                       "%s = %lld is before %s = %lld; a policy is in force from its start "
                       "year to its end year",
                       end, (long long)raw->end, start, (long long)raw->start);
    }
    return PS_OK;
}

/* The policy of resolved raw values `v` (strings excluded). */
static void policy_from_raw(ps_policy *p, const raw_policy *v)
{
    memset(p, 0, sizeof *p);
    p->lever = (ps_lever)v->lever;
    p->start_year = (int)v->start;
    p->end_year = (int)v->end;
    p->amount[0] = v->first;
    p->amount[1] = v->second;
    p->amount[2] = v->third;
    p->eligible_share = v->eligible_share;
    p->requires_registered = v->requires == 1;
    p->max_age = (int)v->max_age;
    p->born_from = (int)v->born_from;
    p->low_income_topup = v->low_income_topup;
    p->low_income_share = v->low_income_share;
    p->spots_per_1000 = v->spots_per_1000;
    p->operating_subsidy = v->operating_subsidy;
    p->fee_subsidy = v->fee_subsidy;
    p->construction_subsidy = v->construction_subsidy;
    p->maternity_days = v->maternity_days;
    p->paternity_days = v->paternity_days;
    p->parental_days = v->parental_days;
    p->paid_share = v->paid_share;
    p->medical_per_birth = v->medical_per_birth;
    p->employer_si_share[0] = v->employer_si_first;
    p->employer_si_share[1] = v->employer_si_second;
    p->employer_si_share[2] = v->employer_si_third;
    p->employer_si_months = v->employer_si_months;
    p->employer_si_monthly = v->employer_si_monthly;
    p->employed_share = v->employed_share;
    p->unemployment_per_birth = v->unemployment_per_birth;
    p->unemployed_share = v->unemployed_share;
}

/* One item of a policies sequence -> *out (its name owned) and where it stands. */
static ps_status build_policy(const load_ctx *c, const char *item, const raw_policy *raw,
                              ps_policy *out, ps_scn_loc *loc_out)
{
    char path[PATH_MAX_LEN];
    raw_policy v;
    ps_status rc = PS_OK;
    for (size_t k = 0; k < ARRAY_LEN(policy_keys) && rc == PS_OK; ++k) {
        join_key(path, sizeof path, item, policy_keys[k].key);
        if (policy_keys[k].required && !given(c, path)) {
            rc = missing_key(c, path, "");
        }
    }
    const ps_lever lever = (ps_lever)raw->lever;
    if (rc != PS_OK || (rc = check_policy_keys(c, item, lever)) != PS_OK ||
        (rc = check_window(c, item, raw)) != PS_OK) {
        return rc;
    }
    /* The keys of the lever take the value given, else their default; the others stay 0. */
    memset(&v, 0, sizeof v);
    for (size_t k = 0; k < ARRAY_LEN(policy_keys); ++k) {
        const scn_key *key = &policy_keys[k];
        join_key(path, sizeof path, item, key->key);
        if (key_size(key) > 0 && key_applies(key, lever)) {
            const void *src = given(c, path) ? (const void *)raw : (const void *)&policy_defaults;
            memcpy((char *)&v + key->offset, (const char *)src + key->offset, key_size(key));
        }
    }
    join_key(path, sizeof path, item, "requires");
    if (v.requires == 1 && !c->scn->registration.enabled) {
        return fail_at(c, PS_EINVAL, value_loc(c, path), "%s = registered needs a "
                       "registration: section (the registered and unregistered statuses)", path);
    }
    join_key(path, sizeof path, item, "low_income_share");
    if (v.low_income_topup > 0.0 && !given(c, path)) {
        join_key(path, sizeof path, item, "low_income_topup");
        rc = warn_at(c, value_loc(c, path),
                     "%s = %.10g is paid to nobody without low_income_share (share of children "
                     "in low-income families, default 0)",
                     path, v.low_income_topup);
        if (rc != PS_OK) {
            return rc;
        }
    }
    policy_from_raw(out, &v);
    *loc_out = value_loc(c, item);
    out->name = ps__strdup(raw->name != NULL ? raw->name : ps_lever_name(lever));
    return out->name != NULL ? PS_OK : ps_error_set(c->err, PS_ENOMEM, "out of memory");
}

/* Room for `extra` more policies in m. */
static ps_status grow_policies(const load_ctx *c, ps_scn_member *m, size_t extra)
{
    const size_t n = (size_t)m->n_policies + extra;
    if (extra == 0) {
        return PS_OK;
    }
    ps_policy *policies = realloc(m->policies, n * sizeof *policies);
    if (policies == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    m->policies = policies;
    ps_scn_loc *locs = realloc(m->policy_locs, n * sizeof *locs);
    if (locs == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    m->policy_locs = locs;
    return PS_OK;
}

/* The path of the sequence item that starts at `at` ("policies[1]"). */
static void item_path(const load_ctx *c, ps_scn_loc at, char *out, size_t size)
{
    for (size_t i = 0; i < c->loc.n; ++i) {
        const loc_entry *e = &c->loc.entries[i];
        size_t n = strlen(e->path);
        if (e->kind == NODE_MAPPING && n > 0 && e->path[n - 1] == ']' &&
            e->value.line == at.line && e->value.column == at.column) {
            snprintf(out, size, "%s", e->path);
            return;
        }
    }
    snprintf(out, size, "the policy at line %ld", at.line);
}

/* A policy without end lasts to the end of the projection. */
static int policy_last_year(const ps_scenario *scn, const ps_policy *p)
{
    return p->end_year != 0 ? p->end_year : scn->end_year;
}

/* No two policies of one name in force in the same year; reported at the later one. */
static ps_status check_overlaps(const load_ctx *c, const ps_scn_member *m)
{
    for (int j = 1; j < m->n_policies; ++j) {
        const ps_policy *b = &m->policies[j];
        for (int i = 0; i < j; ++i) {
            const ps_policy *a = &m->policies[i];
            const int a_last = policy_last_year(c->scn, a), b_last = policy_last_year(c->scn, b);
            if (strcmp(a->name, b->name) != 0 || a->start_year > b_last ||
                b->start_year > a_last) {
                continue;
            }
            char pa[PATH_MAX_LEN], pb[PATH_MAX_LEN];
            item_path(c, m->policy_locs[i], pa, sizeof pa);
            item_path(c, m->policy_locs[j], pb, sizeof pb);
            return fail_at(c, PS_EINVAL, m->policy_locs[j],
                           "%s '%s' (%d..%d) overlaps %s (%d..%d) with the same name; give one "
                           "of them another name to stack them",
                           pb, b->name, b->start_year, b_last, pa, a->start_year, a_last);
        }
    }
    return PS_OK;
}

/* Own policies (from index n_inherited on) replace every inherited policy of their name. */
static void drop_replaced(ps_scn_member *m, int n_inherited)
{
    int kept = 0;
    for (int i = 0; i < m->n_policies; ++i) {
        bool replaced = false;
        for (int j = n_inherited; i < n_inherited && j < m->n_policies && !replaced; ++j) {
            replaced = strcmp(m->policies[i].name, m->policies[j].name) == 0;
        }
        if (replaced) {
            free(m->policies[i].name);
            continue;
        }
        m->policies[kept] = m->policies[i];
        m->policy_locs[kept] = m->policy_locs[i];
        ++kept;
    }
    m->n_policies = kept;
}

/* Append the items of the sequence at `prefix` to m's (inherited) policies. */
static ps_status add_policies(const load_ctx *c, const char *prefix, ps_scn_member *m,
                              const raw_policy *items, uint32_t n)
{
    const int n_inherited = m->n_policies;
    ps_status rc = grow_policies(c, m, n);
    for (uint32_t i = 0; i < n && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN];
        join_index(item, sizeof item, prefix, i);
        rc = build_policy(c, item, &items[i], &m->policies[m->n_policies],
                          &m->policy_locs[m->n_policies]);
        if (rc == PS_OK) {
            m->n_policies++;
        }
    }
    if (rc != PS_OK) {
        return rc;
    }
    drop_replaced(m, n_inherited);
    return check_overlaps(c, m);
}

/* m starts as a deep copy of the parent's economy, response and policies. */
static ps_status inherit(const load_ctx *c, ps_scn_member *m, const ps_scn_member *parent)
{
    ps_status rc = grow_policies(c, m, (size_t)parent->n_policies);
    m->economy = parent->economy;
    m->response = parent->response;
    m->elasticity = parent->elasticity;
    m->has_elasticity = parent->has_elasticity;
    for (int i = 0; i < parent->n_policies && rc == PS_OK; ++i) {
        m->policies[i] = parent->policies[i];
        m->policy_locs[i] = parent->policy_locs[i];
        if ((m->policies[i].name = ps__strdup(parent->policies[i].name)) == NULL) {
            rc = ps_error_set(c->err, PS_ENOMEM, "out of memory");
        } else {
            m->n_policies++;
        }
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Services and care need (popsim/services.h).
 */
static ps_status require_keys(const load_ctx *c, const char *item, const scn_section *sec)
{
    for (size_t k = 0; k < sec->n_keys; ++k) {
        char path[PATH_MAX_LEN];
        join_key(path, sizeof path, item, sec->keys[k].key);
        if (sec->keys[k].required && !given(c, path)) {
            return missing_key(c, path, "");
        }
    }
    return PS_OK;
}

/* A ratio given as 0 would divide by zero: above 0 or absent. */
static ps_status positive_if_given(const load_ctx *c, const char *item, const char *key,
                                   double value, const char *what)
{
    char path[PATH_MAX_LEN];
    join_key(path, sizeof path, item, key);
    if (given(c, path) && !(value > 0.0)) {
        return fail_at(c, PS_EINVAL, value_loc(c, path),
                       "%s = %.10g must be above 0 (%s); leave the key out for none", path, value,
                       what);
    }
    return PS_OK;
}

/* Points of a path: ascending years, values within [lo, hi]. */
static ps_status build_path(const load_ctx *c, const char *prefix, const raw_point *pts,
                            uint32_t n, double hi, ps_svc_path *out)
{
    ps_status rc = PS_OK;
    if (n == 0) {
        return PS_OK;
    }
    out->years = malloc(n * sizeof *out->years);
    out->values = malloc(n * sizeof *out->values);
    if (out->years == NULL || out->values == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < n && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN], path[PATH_MAX_LEN];
        join_index(item, sizeof item, prefix, i);
        if ((rc = require_keys(c, item, &point_section)) != PS_OK) {
            break;
        }
        if (i > 0 && pts[i].year <= pts[i - 1].year) {
            join_key(path, sizeof path, item, "year");
            rc = fail_at(c, PS_EINVAL, value_loc(c, path),
                         "%s = %lld is not after the previous point's year %lld; points must be "
                         "in ascending years", path, (long long)pts[i].year,
                         (long long)pts[i - 1].year);
        } else if (pts[i].value > hi) {
            join_key(path, sizeof path, item, "value");
            rc = fail_at(c, PS_EINVAL, value_loc(c, path), "%s = %.10g is above %.10g", path,
                         pts[i].value, hi);
        }
        out->years[i] = (int)pts[i].year;
        out->values[i] = pts[i].value;
        out->n = (int)i + 1;
    }
    return rc;
}

static ps_status build_level(const load_ctx *c, const char *item, const raw_level *raw,
                             ps_care_level *out)
{
    char prefix[PATH_MAX_LEN];
    ps_status rc = require_keys(c, item, &level_section);
    if (rc != PS_OK || (rc = copy_text(c, &out->name, raw->name)) != PS_OK) {
        return rc;
    }
    join_key(prefix, sizeof prefix, item, "prevalence");
    if (raw->n_prevalence == 0) {
        return fail_at(c, PS_EINVAL, value_loc(c, prefix),
                       "%s is empty; give at least one '- {from_age: A, value: V}' step", prefix);
    }
    out->from_age = malloc(raw->n_prevalence * sizeof *out->from_age);
    out->value = malloc(raw->n_prevalence * sizeof *out->value);
    if (out->from_age == NULL || out->value == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_prevalence && rc == PS_OK; ++i) {
        char step[PATH_MAX_LEN], path[PATH_MAX_LEN];
        const raw_step *s = &raw->prevalence[i];
        join_index(step, sizeof step, prefix, i);
        if ((rc = require_keys(c, step, &step_section)) != PS_OK) {
            break;
        }
        if (i > 0 && s->from_age <= raw->prevalence[i - 1].from_age) {
            join_key(path, sizeof path, step, "from_age");
            rc = fail_at(c, PS_EINVAL, value_loc(c, path),
                         "%s = %lld is not above the previous step's from_age %lld; steps must "
                         "be in ascending ages", path, (long long)s->from_age,
                         (long long)raw->prevalence[i - 1].from_age);
        }
        out->from_age[i] = (int)s->from_age;
        out->value[i] = s->value;
        out->n_steps = (int)i + 1;
    }
    join_key(prefix, sizeof prefix, item, "by_sex");
    if (rc == PS_OK && given(c, prefix)) {
        char key[PATH_MAX_LEN];
        out->by_sex = 1;
        join_key(key, sizeof key, prefix, "female");
        out->sex_factor[PS_SEX_FEMALE] = given(c, key) ? raw->by_sex.female : 1.0;
        join_key(key, sizeof key, prefix, "male");
        out->sex_factor[PS_SEX_MALE] = given(c, key) ? raw->by_sex.male : 1.0;
    }
    return rc;
}

/*
 * Levels are exclusive: at no age and in no year of the projection may their prevalences
 * add up to more than 1 (more persons in need than persons). The improvement rate changes
 * every prevalence by the same factor (1 - improvement)^(year - base_year), which is
 * monotone in the year, so the largest sum is in the first or the last year, or in the
 * base year when it lies between them. Above 1 only because of the improvement rate, the
 * message names care_need.improvement and the year.
 */
static ps_status check_level_sum(const load_ctx *c, const ps_care_need *cn)
{
    const int years[] = { cn->base_year, c->scn->start_year, c->scn->end_year };
    for (size_t k = 0; k < ARRAY_LEN(years); ++k) {
        for (int cell = 0; cell < (PS_DEFAULT_MAX_AGE + 1) * PS_SEX_COUNT; ++cell) {
            int age = cell / PS_SEX_COUNT, sex = cell % PS_SEX_COUNT; /* by_sex factors */
            double sum = 0.0;
            for (int l = 0; l < cn->n_levels; ++l) {
                sum += ps_care_prevalence_sex(cn, l, sex, age, years[k]);
            }
            if (sum <= 1.0 + SCN_SHARE_SUM_TOL) {
                continue;
            }
            if (k == 0) {
                return fail_at(c, PS_EINVAL, value_loc(c, "care_need.levels"),
                               "care_need.levels: the prevalences at age %d sum to %.10g, above "
                               "1; levels are exclusive (a person has at most one)", age, sum);
            }
            return fail_at(c, PS_EINVAL, value_loc(c, "care_need.improvement"),
                           "care_need.improvement = %.10g makes the prevalences at age %d sum "
                           "to %.10g in %d, above 1 (more persons in need than persons); the "
                           "prevalences must stay in [0, 1] in every year %d..%d",
                           cn->improvement, age, sum, years[k], c->scn->start_year,
                           c->scn->end_year);
        }
    }
    return PS_OK;
}

/* Need level of a class that counts the self-caring persons, those in no care-need level
 * (issue #13: institutions also house them). */
#define PS_SCN_SELF_CARING "self_caring"

static int level_index(const ps_care_need *cn, const char *name);

/* One setting's by_level items into its level_share (every level exactly once). */
static ps_status build_level_shares(const load_ctx *c, const char *item, const raw_setting *raw,
                                    ps_care_need *cn, ps_care_setting *k)
{
    char path[PATH_MAX_LEN];
    join_key(path, sizeof path, item, "by_level");
    if (raw->n_by_level == 0) {
        return fail_at(c, PS_EINVAL, value_loc(c, item),
                       "%s has no by_level while another setting has; give by_level for every "
                       "setting, or for none", item);
    }
    if ((k->level_share = malloc((size_t)cn->n_levels * sizeof *k->level_share)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (int l = 0; l < cn->n_levels; ++l) {
        k->level_share[l] = NAN;
    }
    for (uint32_t i = 0; i < raw->n_by_level; ++i) {
        char it[PATH_MAX_LEN], key[PATH_MAX_LEN];
        join_index(it, sizeof it, path, i);
        join_key(key, sizeof key, it, "level");
        ps_status rc = require_keys(c, it, &level_share_section);
        int l = rc == PS_OK ? level_index(cn, raw->by_level[i].level) : -1;
        if (rc != PS_OK) {
            return rc;
        }
        if (l < 0 || !isnan(k->level_share[l])) {
            return fail_at(c, PS_EINVAL, value_loc(c, key),
                           "%s = '%s' is %s", key, raw->by_level[i].level,
                           l < 0 ? "not a care-need level (care_need.levels)"
                                 : "given twice in this by_level");
        }
        k->level_share[l] = raw->by_level[i].share;
    }
    for (int l = 0; l < cn->n_levels; ++l) {
        if (isnan(k->level_share[l])) {
            return fail_at(c, PS_EINVAL, value_loc(c, path), "%s has no share for level '%s'",
                           path, cn->levels[l].name);
        }
    }
    return PS_OK;
}

/* Settings by level of need: when any setting has by_level, every setting gives a share for
 * every level and each level's shares sum to 1. */
static ps_status build_setting_levels(const load_ctx *c, const raw_care_need *raw,
                                      ps_care_need *cn)
{
    bool any = false;
    ps_status rc = PS_OK;
    for (uint32_t i = 0; i < raw->n_settings; ++i) {
        any = any || raw->settings[i].n_by_level > 0;
    }
    for (uint32_t i = 0; any && i < raw->n_settings && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN];
        join_index(item, sizeof item, "care_need.settings", i);
        rc = build_level_shares(c, item, &raw->settings[i], cn, &cn->settings[i]);
    }
    for (int l = 0; any && l < cn->n_levels && rc == PS_OK; ++l) {
        double sum = 0.0;
        for (int k = 0; k < cn->n_settings; ++k) {
            sum += cn->settings[k].level_share[l];
        }
        if (fabs(sum - 1.0) > SCN_SHARE_SUM_TOL) {
            rc = fail_at(c, PS_EINVAL, value_loc(c, "care_need.settings"),
                         "care_need.settings: the by_level shares of level '%s' sum to %.10g, "
                         "not 1 (tolerance 1e-6)", cn->levels[l].name, sum);
        }
    }
    return rc;
}

static ps_status build_settings(const load_ctx *c, const raw_care_need *raw, ps_care_need *cn)
{
    ps_status rc = PS_OK;
    double sum = 0.0;
    if (raw->n_settings == 0) {
        return PS_OK;
    }
    if ((cn->settings = calloc(raw->n_settings, sizeof *cn->settings)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_settings && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN];
        join_index(item, sizeof item, "care_need.settings", i);
        cn->n_settings = (int)i + 1;
        if ((rc = require_keys(c, item, &setting_section)) == PS_OK) {
            rc = copy_text(c, &cn->settings[i].name, raw->settings[i].name);
        }
        cn->settings[i].share = raw->settings[i].share;
        sum += raw->settings[i].share;
        for (uint32_t j = 0; j < i && rc == PS_OK; ++j) {
            if (strcmp(raw->settings[j].name, raw->settings[i].name) == 0) {
                char path[PATH_MAX_LEN];
                join_key(path, sizeof path, item, "name");
                rc = fail_at(c, PS_EINVAL, value_loc(c, path),
                             "%s = '%s' is given twice; setting names must be unique", path,
                             raw->settings[i].name);
            }
        }
    }
    if (rc == PS_OK && fabs(sum - 1.0) > SCN_SHARE_SUM_TOL) {
        rc = fail_at(c, PS_EINVAL, value_loc(c, "care_need.settings"),
                     "care_need.settings: the shares sum to %.10g, not 1 (tolerance 1e-6); "
                     "every person in need is cared for in exactly one setting", sum);
    }
    return rc == PS_OK ? build_setting_levels(c, raw, cn) : rc;
}

static ps_status build_care_need(const load_ctx *c, const raw_care_need *raw)
{
    ps_care_need *cn = &c->scn->care_need;
    ps_status rc = PS_OK;
    if (!given(c, "care_need")) {
        return PS_OK;
    }
    if ((rc = require_keys(c, "care_need", &care_need_section)) != PS_OK) {
        return rc;
    }
    cn->base_year = given(c, "care_need.base_year") ? (int)raw->base_year : c->scn->start_year;
    cn->improvement = raw->improvement;
    if (raw->n_levels == 0) {
        return fail_at(c, PS_EINVAL, value_loc(c, "care_need.levels"),
                       "care_need.levels is empty; give at least one '- name: ...' level");
    }
    if ((cn->levels = calloc(raw->n_levels, sizeof *cn->levels)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_levels && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN];
        join_index(item, sizeof item, "care_need.levels", i);
        cn->n_levels = (int)i + 1;
        rc = build_level(c, item, &raw->levels[i], &cn->levels[i]);
        for (uint32_t j = 0; j < i && rc == PS_OK; ++j) {
            if (strcmp(raw->levels[j].name, raw->levels[i].name) == 0) {
                char path[PATH_MAX_LEN];
                join_key(path, sizeof path, item, "name");
                rc = fail_at(c, PS_EINVAL, value_loc(c, path),
                             "%s = '%s' is given twice; level names must be unique", path,
                             raw->levels[i].name);
            }
        }
    }
    if (rc == PS_OK) {
        rc = check_level_sum(c, cn);
    }
    return rc == PS_OK ? build_settings(c, raw, cn) : rc;
}

/* Index of the care-need level or setting named `name`, -1 if none. */
static int level_index(const ps_care_need *cn, const char *name)
{
    for (int l = 0; l < cn->n_levels; ++l) {
        if (strcmp(cn->levels[l].name, name) == 0) {
            return l;
        }
    }
    return -1;
}

static int setting_index(const ps_care_need *cn, const char *name)
{
    for (int k = 0; k < cn->n_settings; ++k) {
        if (strcmp(cn->settings[k].name, name) == 0) {
            return k;
        }
    }
    return -1;
}

/* "a, b, c" of the care-need level (or setting) names, for messages. */
static void care_names(char *out, size_t size, const ps_care_need *cn, bool settings)
{
    int n = settings ? cn->n_settings : cn->n_levels;
    out[0] = '\0';
    for (int i = 0; i < n; ++i) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i > 0 ? ", " : "",
                 settings ? cn->settings[i].name : cn->levels[i].name);
    }
    if (n == 0) {
        snprintf(out, size, "none: the file has no care_need.%s", settings ? "settings" : "levels");
    }
}

static ps_status build_class(const load_ctx *c, const char *item, const raw_class *raw,
                             ps_svc_class *out)
{
    const ps_care_need *cn = &c->scn->care_need;
    char path[PATH_MAX_LEN], names[400];
    ps_status rc = require_keys(c, item, &class_section);
    if (rc != PS_OK || (rc = copy_text(c, &out->name, raw->name)) != PS_OK) {
        return rc;
    }
    join_key(path, sizeof path, item, "to_age");
    out->age_lo = (int)raw->from_age;
    out->age_hi = given(c, path) ? (int)raw->to_age : out->age_lo;
    if (out->age_hi < out->age_lo) {
        return fail_at(c, PS_EINVAL, value_loc(c, path), "%s = %d is below from_age = %d", path,
                       out->age_hi, out->age_lo);
    }
    join_key(path, sizeof path, item, "uptake");
    out->uptake = given(c, path) ? raw->uptake : class_defaults.uptake;
    out->need = -1;
    join_key(path, sizeof path, item, "need");
    if (raw->need != NULL && strcmp(raw->need, PS_SCN_SELF_CARING) == 0) {
        out->need = PS_SVC_NEED_SELF_CARING;
    } else if (raw->need != NULL && (out->need = level_index(cn, raw->need)) < 0) {
        care_names(names, sizeof names, cn, false);
        return fail_at(c, PS_EINVAL, value_loc(c, path),
                       "%s = '%s' is not a care-need level (care_need.levels: %s)", path,
                       raw->need, names);
    }
    if ((rc = positive_if_given(c, item, "users_per_staff", raw->users_per_staff,
                                "users per staff member")) != PS_OK ||
        (rc = positive_if_given(c, item, "users_per_group", raw->users_per_group,
                                "users per group")) != PS_OK) {
        return rc;
    }
    out->users_per_staff = raw->users_per_staff;
    out->users_per_group = raw->users_per_group;
    out->cost_per_user_month = raw->cost_per_user;
    out->fee_per_user_month = raw->fee_per_user;
    out->subsidy_per_user_month = raw->subsidy_per_user;
    return PS_OK;
}

/* Two classes of one service may not count the same persons. */
static ps_status check_class_overlap(const load_ctx *c, const char *prefix, const ps_service *s)
{
    for (int j = 1; j < s->n_classes; ++j) {
        for (int i = 0; i < j; ++i) {
            const ps_svc_class *a = &s->classes[i], *b = &s->classes[j];
            char pa[PATH_MAX_LEN], pb[PATH_MAX_LEN];
            join_index(pa, sizeof pa, prefix, (size_t)i);
            join_index(pb, sizeof pb, prefix, (size_t)j);
            if (strcmp(a->name, b->name) == 0) {
                return fail_at(c, PS_EINVAL, value_loc(c, pb),
                               "%s: class name '%s' is already used by %s", pb, b->name, pa);
            }
            if (ps_svc_classes_overlap(a, b)) {
                return fail_at(c, PS_EINVAL, value_loc(c, pb),
                               "%s '%s' (ages %d..%d) overlaps %s '%s' (ages %d..%d, line %ld); "
                               "classes must not count the same persons",
                               pb, b->name, b->age_lo, b->age_hi, pa, a->name, a->age_lo,
                               a->age_hi, value_loc(c, pa).line);
            }
        }
    }
    return PS_OK;
}

static ps_status build_capacity(const load_ctx *c, const char *item, const raw_capacity *raw,
                                ps_service *s)
{
    char cap[PATH_MAX_LEN], target[PATH_MAX_LEN], path[PATH_MAX_LEN], lo[PATH_MAX_LEN],
        hi[PATH_MAX_LEN];
    ps_status rc = PS_OK;
    join_key(cap, sizeof cap, item, "capacity");
    s->basis = PS_SVC_BASIS_NONE;
    s->occupancy = capacity_defaults.occupancy;
    s->nursing_share = NAN;
    if (!given(c, cap)) {
        return PS_OK;
    }
    if ((rc = require_keys(c, cap, &capacity_section)) != PS_OK) {
        return rc;
    }
    s->basis = (ps_svc_basis)raw->basis;
    join_key(target, sizeof target, cap, "target");
    join_key(path, sizeof path, cap, "path");
    join_key(lo, sizeof lo, cap, "from_age");
    join_key(hi, sizeof hi, cap, "to_age");
    if ((rc = exclusive(c, target, path, "give a constant target or a path by year")) != PS_OK) {
        return rc;
    }
    bool has_target = given(c, target) || given(c, path);
    if (s->basis == PS_SVC_BASIS_BASE_YEAR && has_target) {
        return fail_at(c, PS_EINVAL, value_loc(c, given(c, target) ? target : path),
                       "%s: basis base_year holds the base year's need constant and takes no "
                       "target or path", cap);
    }
    if (s->basis != PS_SVC_BASIS_BASE_YEAR && !has_target) {
        return missing_key(c, target, "capacity needs target or path unless basis is base_year");
    }
    bool ages = s->basis == PS_SVC_BASIS_AGES;
    if (!ages && (given(c, lo) || given(c, hi))) {
        const char *k = given(c, lo) ? lo : hi;
        return fail_at(c, PS_EINVAL, value_loc(c, k), "%s only applies with basis: ages", k);
    }
    if (ages && (!given(c, lo) || !given(c, hi))) {
        return missing_key(c, given(c, lo) ? hi : lo, "basis: ages counts persons of these ages");
    }
    if (ages && raw->to_age < raw->from_age) {
        return fail_at(c, PS_EINVAL, value_loc(c, hi), "%s = %lld is below from_age = %lld", hi,
                       (long long)raw->to_age, (long long)raw->from_age);
    }
    s->basis_age_lo = (int)raw->from_age;
    s->basis_age_hi = (int)raw->to_age;
    if (given(c, target)) {
        s->target.years = malloc(sizeof *s->target.years);
        s->target.values = malloc(sizeof *s->target.values);
        if (s->target.years == NULL || s->target.values == NULL) {
            return ps_error_set(c->err, PS_ENOMEM, "out of memory");
        }
        s->target.n = 1;
        s->target.years[0] = c->scn->start_year;
        s->target.values[0] = raw->target;
    } else if (given(c, path)) {
        rc = build_path(c, path, raw->path, raw->n_path, 1e9, &s->target);
        if (rc == PS_OK && raw->n_path == 0) {
            rc = fail_at(c, PS_EINVAL, value_loc(c, path), "%s is empty", path);
        }
    }
    join_key(path, sizeof path, cap, "occupancy");
    s->occupancy = given(c, path) ? raw->occupancy : capacity_defaults.occupancy;
    join_key(path, sizeof path, cap, "nursing_share");
    s->nursing_share = given(c, path) ? raw->nursing_share : NAN;
    s->construction_subsidy = raw->construction_subsidy;
    return rc;
}

static ps_status build_extras(const load_ctx *c, const char *item, const raw_service *raw,
                              ps_service *s)
{
    char prefix[PATH_MAX_LEN];
    ps_status rc = PS_OK;
    join_key(prefix, sizeof prefix, item, "extra_staff");
    if (raw->n_extra_staff > 0 &&
        (s->extra_staff = calloc(raw->n_extra_staff, sizeof *s->extra_staff)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_extra_staff && rc == PS_OK; ++i) {
        const raw_extra_staff *e = &raw->extra_staff[i];
        char it[PATH_MAX_LEN];
        join_index(it, sizeof it, prefix, i);
        s->n_extra_staff = (int)i + 1;
        if ((rc = require_keys(c, it, &extra_staff_section)) != PS_OK ||
            (rc = copy_text(c, &s->extra_staff[i].name, e->name)) != PS_OK ||
            (rc = positive_if_given(c, it, "users_per_staff", e->users_per_staff,
                                    "users per staff member")) != PS_OK) {
            break;
        }
        if (!(e->users_per_staff > 0.0) && !(e->per_group > 0.0)) {
            rc = fail_at(c, PS_EINVAL, value_loc(c, it),
                         "%s counts no staff: give users_per_staff or per_group above 0", it);
        }
        s->extra_staff[i].users_per_staff = e->users_per_staff;
        s->extra_staff[i].per_group = e->per_group;
    }
    join_key(prefix, sizeof prefix, item, "home_services");
    if (rc == PS_OK && raw->n_home_services > 0 &&
        (s->home = calloc(raw->n_home_services, sizeof *s->home)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_home_services && rc == PS_OK; ++i) {
        char it[PATH_MAX_LEN];
        join_index(it, sizeof it, prefix, i);
        s->n_home = (int)i + 1;
        if ((rc = require_keys(c, it, &home_section)) == PS_OK) {
            rc = copy_text(c, &s->home[i].name, raw->home_services[i].name);
        }
        s->home[i].per_user_year = raw->home_services[i].per_user_year;
    }
    return rc;
}

/* `stock:` and `cross_district_share` of a service (issue #13): the stock file's rows of
 * the service's facility type, read with src/io/stock_csv.c. */
static ps_status build_stock(const load_ctx *c, const char *item, const raw_service *raw,
                             ps_service *s)
{
    char path[PATH_MAX_LEN], key[PATH_MAX_LEN], types[400];
    ps_status rc = PS_OK;
    join_key(path, sizeof path, item, "cross_district_share");
    s->cross_district_share = given(c, path) ? raw->cross_district_share : 0.0;
    join_key(path, sizeof path, item, "stock");
    if (!given(c, path)) {
        return PS_OK;
    }
    join_key(key, sizeof key, path, "missing");
    s->stock.missing_zero = given(c, key) ? raw->stock.missing : 0;
    if ((rc = require_keys(c, path, &stock_section)) != PS_OK ||
        (rc = resolve_path(c, &s->stock.path, raw->stock.file)) != PS_OK ||
        (rc = copy_text(c, &s->stock.type,
                        raw->stock.type != NULL ? raw->stock.type : s->name)) != PS_OK) {
        return rc;
    }
    if ((rc = ps_io__read_stock(&s->stock, types, sizeof types, c->err)) != PS_OK) {
        join_key(key, sizeof key, path, "file");
        ps_error_prepend(c->err, "%s: ", key);
        return rc;
    }
    if (s->stock.n_rows == 0) {
        join_key(key, sizeof key, path, raw->stock.type != NULL ? "type" : "file");
        rc = fail_at(c, PS_EINVAL, value_loc(c, key),
                     "%s: '%s' has no rows of facility type '%s' (its types: %s)", key,
                     s->stock.path, s->stock.type, types);
    }
    return rc;
}

static ps_status build_service(const load_ctx *c, const char *item, const raw_service *raw,
                               ps_service *s)
{
    const ps_care_need *cn = &c->scn->care_need;
    char path[PATH_MAX_LEN], names[400];
    ps_status rc = require_keys(c, item, &service_section);
    if (rc != PS_OK || (rc = copy_text(c, &s->name, raw->name)) != PS_OK ||
        (rc = copy_text(c, &s->title, raw->title)) != PS_OK) {
        return rc;
    }
    s->kind = (ps_svc_kind)raw->kind;
    join_key(path, sizeof path, item, "sex");
    s->sex = given(c, path) ? raw->sex : service_defaults.sex;
    join_key(path, sizeof path, item, "subsidised_share");
    s->subsidised_share = given(c, path) ? raw->subsidised_share : service_defaults.subsidised_share;
    s->setting = -1;
    join_key(path, sizeof path, item, "setting");
    if (raw->setting != NULL && (s->setting = setting_index(cn, raw->setting)) < 0) {
        care_names(names, sizeof names, cn, true);
        return fail_at(c, PS_EINVAL, value_loc(c, path),
                       "%s = '%s' is not a care setting (care_need.settings: %s)", path,
                       raw->setting, names);
    }
    join_key(path, sizeof path, item, "classes");
    if (raw->n_classes == 0) {
        return fail_at(c, PS_EINVAL, value_loc(c, path),
                       "%s is empty; give at least one '- name: ...' class", path);
    }
    if ((s->classes = calloc(raw->n_classes, sizeof *s->classes)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_classes && rc == PS_OK; ++i) {
        char it[PATH_MAX_LEN];
        join_index(it, sizeof it, path, i);
        s->n_classes = (int)i + 1;
        rc = build_class(c, it, &raw->classes[i], &s->classes[i]);
    }
    if (rc == PS_OK) {
        rc = check_class_overlap(c, path, s);
    }
    join_key(path, sizeof path, item, "uptake_path");
    if (rc == PS_OK) {
        rc = build_path(c, path, raw->uptake_path, raw->n_uptake_path, 1.0, &s->uptake_path);
    }
    if (rc == PS_OK) {
        rc = build_capacity(c, item, &raw->capacity, s);
    }
    if (rc == PS_OK) {
        rc = build_extras(c, item, raw, s);
    }
    return rc == PS_OK ? build_stock(c, item, raw, s) : rc;
}

/* Append the services of the sequence at `prefix` to m's (inherited) services; an own
 * service replaces an inherited one of the same name, and own names must be unique. */
static ps_status add_services(const load_ctx *c, const char *prefix, ps_scn_member *m,
                              const raw_service *items, uint32_t n)
{
    ps_status rc = PS_OK;
    const int n_inherited = m->n_services;
    if (n == 0) {
        return PS_OK;
    }
    ps_service *grown = realloc(m->services, ((size_t)m->n_services + n) * sizeof *grown);
    if (grown == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    m->services = grown;
    for (uint32_t i = 0; i < n && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN];
        ps_service *s = &m->services[m->n_services];
        join_index(item, sizeof item, prefix, i);
        memset(s, 0, sizeof *s);
        m->n_services++;
        rc = build_service(c, item, &items[i], s);
        for (uint32_t j = 0; j < i && rc == PS_OK; ++j) {
            if (strcmp(items[j].name, items[i].name) == 0) {
                char path[PATH_MAX_LEN];
                join_key(path, sizeof path, item, "name");
                rc = fail_at(c, PS_EINVAL, value_loc(c, path),
                             "%s = '%s' is already the name of %s[%u]; service names must be "
                             "unique, each names an output group", path, items[i].name, prefix,
                             (unsigned)j);
            }
        }
    }
    if (rc != PS_OK) {
        return rc;
    }
    int kept = 0;
    for (int i = 0; i < m->n_services; ++i) {
        bool replaced = false;
        for (int j = n_inherited; i < n_inherited && j < m->n_services && !replaced; ++j) {
            replaced = strcmp(m->services[i].name, m->services[j].name) == 0;
        }
        if (replaced) {
            ps_service_release(&m->services[i]);
        } else {
            m->services[kept++] = m->services[i];
        }
    }
    m->n_services = kept;
    return PS_OK;
}

static ps_status inherit_services(const load_ctx *c, ps_scn_member *m, const ps_scn_member *p)
{
    ps_status rc = PS_OK;
    if (p->n_services == 0) {
        return PS_OK;
    }
    if ((m->services = calloc((size_t)p->n_services, sizeof *m->services)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (int k = 0; k < p->n_services && rc == PS_OK; ++k) {
        rc = ps_service_copy(&m->services[k], &p->services[k], c->err);
        if (rc == PS_OK) {
            m->n_services = k + 1;
        }
    }
    return rc;
}

static ps_status build_baseline(const load_ctx *c, const raw_scenario *raw)
{
    ps_scenario *scn = c->scn;
    ps_scn_member *m = &scn->members[0];
    ps_status rc = PS_OK;
    m->loc = (ps_scn_loc){ 1, 1 };
    m->economy = economy_defaults;
    ps_response_unset(&m->response);
    m->elasticity = PS_ELASTICITY_DEFAULT;
    build_response(c, "response", m, &raw->response);
    if ((rc = copy_text(c, &m->name, scn->name)) != PS_OK ||
        (rc = copy_text(c, &m->title, scn->title)) != PS_OK ||
        (rc = build_economy(c, "economy", &m->economy, &raw->economy)) != PS_OK) {
        return rc;
    }
    rc = add_policies(c, "policies", m, raw->policies, raw->n_policies);
    return rc == PS_OK ? add_services(c, "services", m, raw->services, raw->n_services) : rc;
}

/* "the top-level name" or "variants[k-1]", for messages about member k. */
static void member_text(char *out, size_t size, int k)
{
    if (k == 0) {
        snprintf(out, size, "the top level");
    } else {
        snprintf(out, size, "variants[%d]", k - 1);
    }
}

/* Member `index` (variant index - 1) needs a name no earlier member has. */
static ps_status check_variant_name(const load_ctx *c, const char *item, const raw_variant *v,
                                    int index)
{
    char path[PATH_MAX_LEN], other[PATH_MAX_LEN];
    join_key(path, sizeof path, item, "name");
    if (!given(c, path)) {
        return missing_key(c, path, "");
    }
    for (int k = 0; k < index; ++k) {
        const ps_scn_member *m = &c->scn->members[k];
        if (strcmp(m->name, v->name) == 0) {
            char first[PATH_MAX_LEN];
            member_text(other, sizeof other, k);
            join_key(first, sizeof first, k == 0 ? "" : other, "name");
            return fail_at(c, PS_EINVAL, value_loc(c, path),
                           "%s = '%s' is already the name of %s (line %ld); member names must "
                           "be unique, each names an output group",
                           path, v->name, other, value_loc(c, first).line);
        }
    }
    return PS_OK;
}

/* The member that variant `index` extends: the top level, or an earlier member by name. */
static ps_status find_parent(const load_ctx *c, const char *item, const raw_scenario *raw,
                             int index, const ps_scn_member **parent)
{
    const raw_variant *v = &raw->variants[index - 1];
    char path[PATH_MAX_LEN], names[256] = "";
    join_key(path, sizeof path, item, "extends");
    *parent = &c->scn->members[0];
    if (v->extends == NULL) {
        return PS_OK;
    }
    for (int k = 0; k < index; ++k) {
        const char *name = c->scn->members[k].name;
        size_t used = strlen(names);
        if (strcmp(name, v->extends) == 0) {
            *parent = &c->scn->members[k];
            return PS_OK;
        }
        snprintf(names + used, sizeof names - used, "%s%s", k > 0 ? ", " : "", name);
    }
    for (uint32_t j = (uint32_t)index - 1; j < raw->n_variants; ++j) {
        if (raw->variants[j].name != NULL && strcmp(raw->variants[j].name, v->extends) == 0) {
            char later[PATH_MAX_LEN];
            snprintf(later, sizeof later, "variants[%u]", (unsigned)j);
            return fail_at(c, PS_EINVAL, value_loc(c, path),
                           "%s = '%s' names %s, which is not defined before it; extends must "
                           "name the top level or an earlier variant (%s)",
                           path, v->extends,
                           j == (uint32_t)index - 1 ? "the variant itself" : later, names);
        }
    }
    return fail_at(c, PS_EINVAL, value_loc(c, path),
                   "%s = '%s' names no member; extends must name the top level or an earlier "
                   "variant (%s)",
                   path, v->extends, names);
}

static ps_status build_variant(const load_ctx *c, const raw_scenario *raw, int index)
{
    ps_scn_member *m = &c->scn->members[index];
    const raw_variant *v = &raw->variants[index - 1];
    const ps_scn_member *parent = NULL;
    char item[PATH_MAX_LEN], sub[PATH_MAX_LEN];
    ps_status rc = PS_OK;
    join_index(item, sizeof item, "variants", (size_t)index - 1);
    if ((rc = check_variant_name(c, item, v, index)) != PS_OK ||
        (rc = find_parent(c, item, raw, index, &parent)) != PS_OK ||
        (rc = copy_text(c, &m->name, v->name)) != PS_OK ||
        (rc = copy_text(c, &m->title, v->title)) != PS_OK ||
        (rc = copy_text(c, &m->extends, parent->name)) != PS_OK ||
        (rc = inherit(c, m, parent)) != PS_OK ||
        (rc = inherit_services(c, m, parent)) != PS_OK) {
        return rc;
    }
    m->loc = value_loc(c, item);
    join_key(sub, sizeof sub, item, "response");
    build_response(c, sub, m, &v->response);
    join_key(sub, sizeof sub, item, "economy");
    if ((rc = build_economy(c, sub, &m->economy, &v->economy)) != PS_OK) {
        return rc;
    }
    join_key(sub, sizeof sub, item, "policies");
    if ((rc = add_policies(c, sub, m, v->policies, v->n_policies)) != PS_OK) {
        return rc;
    }
    join_key(sub, sizeof sub, item, "services");
    return add_services(c, sub, m, v->services, v->n_services);
}

/*
 * Warnings for what changes results silently (issue #16): each names the key, its location
 * and what to write instead; none stops the run.
 */
static ps_status warn_silent_choices(const load_ctx *c, const raw_scenario *raw)
{
    const ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    /* A location used for age patterns only still brings WPP's sex ratio at birth. */
    const int own_levels = raw->population.file != NULL &&
                           (raw->mortality.mx_file != NULL || raw->mortality.e0_file != NULL) &&
                           (raw->fertility.asfr_file != NULL || raw->fertility.tfr_file != NULL ||
                            given(c, "fertility.tfr"));
    if (scn->location != NULL && own_levels && !given(c, "srb")) {
        rc = warn_at(c, value_loc(c, "data.location"),
                     "data.location = '%s' also supplies the sex ratio at birth (UN WPP's), since "
                     "no srb is given: set srb.value or srb.file to use your own",
                     scn->location);
    }
    /* Policies at the top level with no variant: nothing to compare them with. */
    if (rc == PS_OK && raw->n_policies > 0 && raw->n_variants == 0) {
        rc = warn_at(c, value_loc(c, "policies"),
                     "policies are given at the top level and there are no variants, so there "
                     "is no baseline to compare with: births gained and cost per additional "
                     "birth are not computed; put the policies in a variant "
                     "(variants: - {name: policy, extends: %s, policies: [...]})",
                     scn->name);
    }
    /* A net migration total split by sex with the default share. */
    if (rc == PS_OK && (given(c, "migration.total") || given(c, "migration.total_file")) &&
        !given(c, "migration.male_share")) {
        rc = warn_at(c, value_loc(c, given(c, "migration.total") ? "migration.total"
                                                                  : "migration.total_file"),
                     "migration.male_share is not given: assuming half of the net migrants are "
                     "male (0.5); set it from your migration statistics");
    }
    return rc;
}

static ps_status build_family(const load_ctx *c, const raw_scenario *raw)
{
    ps_scenario *scn = c->scn;
    const size_t n = 1 + (size_t)raw->n_variants;
    ps_status rc = build_birth_order(c, raw);
    if (rc != PS_OK) {
        return rc;
    }
    if ((scn->members = calloc(n, sizeof *scn->members)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    scn->n_members = (int)n;
    rc = build_baseline(c, raw);
    for (int index = 1; index < scn->n_members && rc == PS_OK; ++index) {
        rc = build_variant(c, raw, index);
    }
    if (rc == PS_OK) {
        rc = ps_scn__build_sweep(c, scn, c->err); /* issue #15: io/sweep.c */
    }
    return rc == PS_OK ? warn_silent_choices(c, raw) : rc;
}

/* scn->path as given and scn->dir, its folder ("." when the path names no folder). */
/* ---------------------------------------------------------------------------------------
 * Pass 4d: regions and internal migration (issue #13). Each item's name is unique; the
 * single-region `region` label, the microsimulation and internal migration without regions
 * are refused at their keys.
 */
static ps_status build_region(const load_ctx *c, const char *item, const raw_region *raw,
                              ps_scn_region *r)
{
    char key[PATH_MAX_LEN];
    ps_status rc = copy_text(c, &r->name, raw->name);
    join_key(key, sizeof key, item, "name");
    r->loc = value_loc(c, key);
    const struct { const char *key; ps_scn_file *f; const char *v; } files[] = {
        { "population", &r->population, raw->population },
        { "mx_file", &r->mx_file, raw->mx_file },
        { "asfr_file", &r->asfr_file, raw->asfr_file },
        { "migration_file", &r->migration_file, raw->migration_file },
    };
    for (size_t i = 0; rc == PS_OK && i < ARRAY_LEN(files); ++i) {
        join_key(key, sizeof key, item, files[i].key);
        rc = set_file(c, files[i].f, files[i].v, key);
    }
    join_key(key, sizeof key, item, "tfr");
    r->has_tfr = given(c, key);
    r->tfr = raw->tfr;
    join_key(key, sizeof key, item, "srb");
    r->has_srb = given(c, key);
    r->srb = raw->srb;
    join_key(key, sizeof key, item, "registered_share");
    r->has_registered_share = given(c, key);
    r->registered_share = raw->registered_share;
    if (rc == PS_OK && r->has_registered_share && !given(c, "registration")) {
        rc = fail_at(c, PS_EINVAL, value_loc(c, key), "%s.registered_share needs a "
                     "registration: section (the status rules)", item);
    }
    join_key(key, sizeof key, item, "migration_total");
    r->has_migration_total = given(c, key);
    r->migration_total = raw->migration_total;
    if (rc == PS_OK && r->has_migration_total && r->migration_file.path != NULL) {
        rc = fail_at(c, PS_EINVAL, value_loc(c, key), "%s: give migration_file or "
                     "migration_total, not both", item);
    }
    return rc;
}

static ps_status check_region_names(const load_ctx *c, const ps_scenario *scn)
{
    for (int i = 1; i < scn->n_regions; ++i) {
        for (int j = 0; j < i; ++j) {
            if (strcmp(scn->regions[i].name, scn->regions[j].name) == 0) {
                return fail_at(c, PS_EINVAL, scn->regions[i].loc, "regions[%d].name = '%s' "
                               "repeats regions[%d]; region names must be unique", i,
                               scn->regions[i].name, j);
            }
        }
    }
    return PS_OK;
}

static ps_status build_registration(const load_ctx *c, const raw_registration *raw)
{
    ps_scenario *scn = c->scn;
    if (!given(c, "registration")) {
        return PS_OK;
    }
    if (scn->engine == PS_ENGINE_MICRO) {
        return fail_at(c, PS_EINVAL, value_loc(c, "registration"), "registration needs engine: "
                       "ccm (the microsimulation carries no registration status yet, issue #13)");
    }
    if (!given(c, "registration.registered_share")) {
        return missing_key(c, "registration.registered_share", "registration rules need the "
                           "statuses: the registered share of the base population");
    }
    scn->registration.enabled = 1;
    scn->registration.registered_share = raw->registered_share;
    scn->registration.conversion_rate = raw->conversion_rate;
    scn->registration.arrive_registered = raw->arrive_registered;
    scn->registration.conversion_from_age =
        given(c, "registration.conversion_from_age") ? (int)raw->conversion_from_age
                                                      : (int)registration_defaults.conversion_from_age;
    scn->registration.conversion_to_age =
        given(c, "registration.conversion_to_age") ? (int)raw->conversion_to_age
                                                    : (int)registration_defaults.conversion_to_age;
    if (scn->registration.conversion_to_age < scn->registration.conversion_from_age) {
        return fail_at(c, PS_EINVAL, value_loc(c, "registration.conversion_to_age"),
                       "registration.conversion_to_age = %d is below conversion_from_age = %d",
                       scn->registration.conversion_to_age,
                       scn->registration.conversion_from_age);
    }
    return PS_OK;
}

static ps_status build_regions(const load_ctx *c, const raw_scenario *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    scn->internal_migration.schedule = schedule_defaults;
    if (raw->n_regions == 0) {
        return given(c, "internal_migration")
                   ? fail_at(c, PS_EINVAL, value_loc(c, "internal_migration"),
                             "internal_migration needs a `regions:` list to move people "
                             "between")
                   : PS_OK;
    }
    scn->regions_loc = value_loc(c, "regions");
    if (given(c, "region")) {
        return fail_at(c, PS_EINVAL, value_loc(c, "region"), "region labels the single region; "
                       "with `regions:` each item has its own name");
    }
    if (scn->engine == PS_ENGINE_MICRO && raw->n_regions > 1) {
        return fail_at(c, PS_EINVAL, value_loc(c, "engine"), "engine: micro projects one "
                       "region; a scenario with %u regions needs engine: ccm (the "
                       "microsimulation with regions is not implemented yet, issue #13)",
                       raw->n_regions);
    }
    if ((scn->regions = calloc(raw->n_regions, sizeof *scn->regions)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    scn->n_regions = (int)raw->n_regions;
    for (uint32_t i = 0; rc == PS_OK && i < raw->n_regions; ++i) {
        char item[PATH_MAX_LEN];
        snprintf(item, sizeof item, "regions[%u]", i);
        rc = build_region(c, item, &raw->regions[i], &scn->regions[i]);
    }
    if (rc == PS_OK) {
        rc = check_region_names(c, scn);
    }
    for (int r = 0; rc == PS_OK && r < scn->n_regions; ++r) {
        if (scn->regions[r].population.path == NULL && scn->population.file.path == NULL &&
            scn->location == NULL) {
            rc = fail_at(c, PS_EINVAL, scn->regions[r].loc, "regions[%d] ('%s') needs a "
                         "population file: there is no population.file or data.location to "
                         "share", r, scn->regions[r].name);
        }
    }
    if (rc == PS_OK && given(c, "internal_migration")) {
        overlay_given(c, "internal_migration.schedule", &schedule_section,
                      &scn->internal_migration.schedule, &raw->internal_migration.schedule);
        rc = set_file(c, &scn->internal_migration.file, raw->internal_migration.file,
                      "internal_migration.file");
        scn->internal_migration.output_flows = raw->internal_migration.output_flows;
    }
    return rc;
}

static ps_status set_origin(const load_ctx *c, const char *path)
{
    ps_scenario *scn = c->scn;
    const char *slash = strrchr(path, '/');
    if ((scn->path = ps__strdup(path)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    if (slash == NULL) {
        scn->dir = ps__strdup(".");
    } else {
        scn->dir = ps__strndup(path, slash == path ? 1 : (size_t)(slash - path));
    }
    return scn->dir != NULL ? PS_OK : ps_error_set(c->err, PS_ENOMEM, "out of memory");
}

static ps_status build_scenario(const load_ctx *c, const raw_scenario *raw, const char *path)
{
    ps_status rc = PS_OK;
    if ((rc = set_origin(c, path)) != PS_OK || (rc = build_top(c, raw)) != PS_OK ||
        (rc = build_data(c, &raw->data)) != PS_OK ||
        (rc = build_population(c, &raw->population)) != PS_OK ||
        (rc = build_mortality(c, &raw->mortality)) != PS_OK ||
        (rc = build_fertility(c, &raw->fertility)) != PS_OK ||
        (rc = build_srb(c, &raw->srb)) != PS_OK) {
        return rc;
    }
    if ((rc = build_migration(c, &raw->migration)) != PS_OK ||
        (rc = build_care_need(c, &raw->care_need)) != PS_OK ||
        (rc = build_registration(c, &raw->registration)) != PS_OK ||
        (rc = build_regions(c, raw)) != PS_OK) {
        return rc;
    }
    if ((rc = build_family(c, raw)) != PS_OK) {
        return rc;
    }
    return ps_scn__build_uncertainty(c, c->scn, c->err); /* issue #14: io/uncertainty.c */
}

/* ---------------------------------------------------------------------------------------
 * What io/sweep.c reads through (io/sweep_int.h): the locator, the key tables' numeric
 * rows and the member copy of `extends`.
 */
static void node_out(ps_scn__node *out, const loc_entry *e)
{
    out->path = e->path;
    out->key = e->key;
    out->value = e->value;
    out->kind = (int)e->kind;
    out->text = e->text;
}

int ps_scn__find(const struct load_ctx *c, const char *path, ps_scn__node *out)
{
    const loc_entry *e = locator_find(&c->loc, path);
    if (e != NULL) {
        node_out(out, e);
    }
    return e != NULL;
}

size_t ps_scn__n_nodes(const struct load_ctx *c)
{
    return c->loc.n;
}

void ps_scn__node_at(const struct load_ctx *c, size_t index, ps_scn__node *out)
{
    node_out(out, &c->loc.entries[index]);
}

int ps_scn__number_key(const char *section, const char *key, ps_scn__numkey *out)
{
    const scn_section *sec = strcmp(section, "policies") == 0   ? &policy_section
                             : strcmp(section, "response") == 0 ? &response_section
                             : strcmp(section, "economy") == 0  ? &economy_section
                             : strcmp(section, "uptake_path") == 0 ? &point_section
                                                                   : NULL;
    const scn_key *row = sec != NULL ? section_key(sec, key, strlen(key)) : NULL;
    if (row == NULL || strlen(row->key) != strlen(key) ||
        (row->type != KEY_INT && row->type != KEY_REAL)) {
        return 0;
    }
    out->offset = row->offset;
    out->is_int = row->type == KEY_INT;
    out->min = row->min;
    out->max = row->max;
    out->unit = row->unit;
    out->levers = row->levers;
    return 1;
}

ps_status ps_scn__copy_member(const struct load_ctx *c, ps_scn_member *dst,
                              const ps_scn_member *src)
{
    ps_status rc = inherit(c, dst, src);
    if (rc == PS_OK) {
        rc = inherit_services(c, dst, src);
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Public API.
 */
ps_status ps_scn_load(ps_scenario *out, const char *path, ps_error *err)
{
    assert(out != NULL && path != NULL);
    ps_scenario scn;
    load_ctx c = { .file = path, .scn = &scn, .err = err };
    raw_scenario *raw = NULL;
    char *text = NULL;
    size_t len = 0;
    ps_status rc = PS_OK;
    memset(&scn, 0, sizeof scn);
    memset(out, 0, sizeof *out);
    if ((rc = read_file(&text, &len, path, err)) != PS_OK ||
        (rc = locator_build(&c.loc, text, len, path, err)) != PS_OK ||
        (rc = load_raw(&raw, &c, text, len)) != PS_OK ||
        (rc = check_section(&c, "", &top_section, raw)) != PS_OK) {
        goto done;
    }
    if ((rc = build_scenario(&c, raw, path)) == PS_OK) {
        ps_sha256_hex(scn.sha256, text, len); /* of the bytes read: the file is read once */
    }
done:
    free_raw(raw);
    locator_free(&c.loc);
    free(text);
    if (rc == PS_OK) {
        *out = scn;
    } else {
        ps_scn_release(&scn);
    }
    return rc;
}

void ps_scn_release(ps_scenario *scn)
{
    if (scn == NULL) {
        return;
    }
    char *owned[] = { scn->path, scn->dir, scn->name, scn->title, scn->wpp_dir, scn->location,
                      scn->region_name, scn->population.file.path, scn->mortality.mx_file.path,
                      scn->mortality.e0_file.path, scn->fertility.asfr_file.path,
                      scn->fertility.tfr_file.path, scn->srb.file.path, scn->migration.file.path,
                      scn->migration.total_file.path };
    for (size_t i = 0; i < ARRAY_LEN(owned); ++i) {
        free(owned[i]);
    }
    for (int k = 0; k < scn->n_members; ++k) {
        ps_scn_member *m = &scn->members[k];
        for (int i = 0; i < m->n_policies; ++i) {
            free(m->policies[i].name);
        }
        free(m->policies);
        free(m->policy_locs);
        for (int i = 0; i < m->n_services; ++i) {
            ps_service_release(&m->services[i]);
        }
        free(m->services);
        free(m->name);
        free(m->title);
        free(m->extends);
    }
    free(scn->members);
    ps_scn__sweep_release(&scn->sweep);
    ps_scn__unc_release(&scn->uncertainty);
    for (int r = 0; r < scn->n_regions; ++r) {
        free(scn->regions[r].name);
        free(scn->regions[r].population.path);
        free(scn->regions[r].mx_file.path);
        free(scn->regions[r].asfr_file.path);
        free(scn->regions[r].migration_file.path);
    }
    free(scn->regions);
    free(scn->internal_migration.file.path);
    ps_care_need_release(&scn->care_need);
    for (int w = 0; w < scn->n_warnings; ++w) {
        free(scn->warnings[w]);
    }
    free(scn->warnings);
    memset(scn, 0, sizeof *scn);
}

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
        choices_text(choices, sizeof choices, key);
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
        if (key_applies(key, (ps_lever)lever)) {
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
        join_key(path, sizeof path, prefix, key->key);
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
            join_text(items, sizeof items, path, "", "[]");
            describe_section(out, items, key->sub);
        }
    }
}

void ps_scn_describe(FILE *out)
{
    fprintf(out, "Scenario file keys. Ranges are inclusive. Paths are relative to the folder of "
                 "the scenario file.\n\n");
    describe_section(out, "", &top_section);
    fprintf(out, "\nRules between keys:\n");
    for (size_t i = 0; i < ARRAY_LEN(scn_rules); ++i) {
        print_wrapped(out, "  - ", "    ", scn_rules[i]);
    }
    fprintf(out, "\nKeys of each policy lever, besides lever, name, start and end:\n");
    for (int lever = 0; lever < PS_LEVER_COUNT; ++lever) {
        char keys[400] = "", line[480];
        for (size_t k = 0; k < ARRAY_LEN(policy_keys); ++k) {
            size_t used = strlen(keys);
            if (policy_keys[k].levers != 0 && key_applies(&policy_keys[k], (ps_lever)lever)) {
                snprintf(keys + used, sizeof keys - used, "%s%s", used > 0 ? ", " : "",
                         policy_keys[k].key);
            }
        }
        snprintf(line, sizeof line, "%s: %s.", ps_lever_name((ps_lever)lever), keys);
        print_wrapped(out, "  - ", "    ", line);
    }
}

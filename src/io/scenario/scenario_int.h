/*
 * io/scenario/scenario_int.h - what the pieces of the scenario loader share (src/io/scenario/).
 *
 * The loader, one file per pass or section:
 *   keys.c            the key tables, the rules between keys, the key reference (describe)
 *   locate.c          passes 1 and 2: reading the file, the libyaml locator
 *   schema.c          pass 3: the libcyaml schema from the key tables, its log as a message
 *   check.c           pass 4: value checks, and the helpers every builder shares
 *   build_rates.c     top level, data, population, mortality, fertility, srb, migration
 *   build_policy.c    birth_order, economy, response, policies
 *   build_services.c  care_need, services
 *   build_micro.c     micro, and the micro engine's rule on care_need
 *   build_variants.c  baseline member, variants: the scenario family
 *   build_regions.c   regions, internal_migration, registration
 *   load.c            ps_scn_load (the pass order), the tree for sweep.c, ps_scn_release
 * Functions and tables used by more than one of them are declared at the end of this header
 * with a ps_scn__ prefix; the rest are static in their file.
 *
 * The scenario file (YAML) -> a validated ps_scenario; the only text parser.
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
#ifndef PS_IO_SCENARIO_INT_H
#define PS_IO_SCENARIO_INT_H

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

/* `payer_shares:` of a policy (issue #12), in ps_payer order. */
typedef struct raw_payer_shares {
    double share[PS_PAYER_COUNT];
} raw_payer_shares;

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
    double monthly_amount, share; /* special_family (issue #12) */
    int64_t from_age;
    int payer; /* ps_payer (issue #12) */
    raw_payer_shares payer_shares;
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
    KEY_YEARS,  /* a number in [min, max], or a mapping calendar year: number (a step
                 * table, build_caps.c); libcyaml skips it */
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

/* ---------------------------------------------------------------------------------------
 * Shared state of passes 3 and 4.
 */
typedef struct load_ctx {
    const char *file; /* the scenario path, for messages */
    locator loc;
    ps_scenario *scn;
    ps_error *err;
} load_ctx;


/* The libcyaml schema buffer holds this many fields (schema.c); keys.c checks at compile time
 * that the key tables need no more. */
#define SCN_SCHEMA_FIELDS_MAX 448

/* Paths are short: the deepest is "variants[N].policies[M].unemployment_per_birth". */
#define PATH_MAX_LEN 160

/* keys.c */
extern const ps_rogers_castro ps_scn__schedule_defaults;
extern const scn_section ps_scn__schedule_section;
extern const ps_birth_order ps_scn__birth_order_defaults;
extern const scn_section ps_scn__birth_order_section;
extern const ps_economy ps_scn__economy_defaults;
extern const scn_section ps_scn__economy_section;
extern const scn_section ps_scn__response_section;
extern const cyaml_strval_t ps_scn__lever_choices[];
extern const raw_policy ps_scn__policy_defaults;
extern const scn_key ps_scn__policy_keys[];
extern const scn_section ps_scn__policy_section;
extern const scn_section ps_scn__point_section;
extern const scn_section ps_scn__step_section;
extern const scn_section ps_scn__level_section;
extern const scn_section ps_scn__level_share_section;
extern const scn_section ps_scn__setting_section;
extern const scn_section ps_scn__care_need_section;
extern const raw_class ps_scn__class_defaults;
extern const scn_section ps_scn__class_section;
extern const raw_capacity ps_scn__capacity_defaults;
extern const scn_section ps_scn__capacity_section;
extern const scn_section ps_scn__extra_staff_section;
extern const scn_section ps_scn__home_section;
extern const scn_section ps_scn__stock_section;
extern const raw_service ps_scn__service_defaults;
extern const scn_section ps_scn__service_section;
extern const raw_registration ps_scn__registration_defaults;
extern const raw_micro ps_scn__micro_defaults;
extern const scn_section ps_scn__micro_section;
extern const scn_key ps_scn__top_keys[];
extern const scn_section ps_scn__top_section;
extern const size_t ps_scn__n_lever_choices;

/* locate.c */
bool ps_scn__join_text(char *out, size_t size, const char *parent, const char *sep,
                      const char *tail);
bool ps_scn__join_key(char *out, size_t size, const char *parent, const char *key);
bool ps_scn__join_index(char *out, size_t size, const char *parent, size_t index);
void ps_scn__locator_free(locator *loc);
const loc_entry *ps_scn__locator_find(const locator *loc, const char *path);
const char *ps_scn__node_noun(node_kind kind);
ps_status ps_scn__locator_build(locator *loc, const char *text, size_t len, const char *file,
                               ps_error *err);
ps_status ps_scn__read_file(char **text_out, size_t *len_out, const char *path,
                            const ps_cancel *cancel, ps_error *err);

/* check.c */
ps_status ps_scn__fail_at(const load_ctx *c, ps_status code, ps_scn_loc at, const char *fmt, ...)
    PS_PRINTF(4, 5);
ps_status ps_scn__warn_at(const load_ctx *c, ps_scn_loc at, const char *fmt, ...)
    PS_PRINTF(3, 4);
bool ps_scn__given(const load_ctx *c, const char *path);
ps_scn_loc ps_scn__value_loc(const load_ctx *c, const char *path);
ps_scn_loc ps_scn__missing_loc(const load_ctx *c, const char *parent);
const scn_key *ps_scn__section_key(const scn_section *sec, const char *name, size_t n);
const scn_key *ps_scn__find_key_item(const char *path, const scn_section **sec_out,
                                    bool *item_out);
const scn_section *ps_scn__find_section(const char *path);
bool ps_scn__is_null_text(const loc_entry *e);
void ps_scn__choices_text(char *out, size_t size, const scn_key *key);
ps_status ps_scn__type_error(const load_ctx *c, const scn_key *key, const char *path,
                            const loc_entry *e);
ps_status ps_scn__check_section(const load_ctx *c, const char *prefix, const scn_section *sec,
                               const void *raw);
ps_status ps_scn__copy_text(const load_ctx *c, char **dst, const char *src);
size_t ps_scn__key_size(const scn_key *key);
void ps_scn__overlay_given(const load_ctx *c, const char *prefix, const scn_section *sec,
                          void *dst, const void *src);
ps_status ps_scn__resolve_path(const load_ctx *c, char **dst, const char *value);
ps_status ps_scn__set_file(const load_ctx *c, ps_scn_file *f, const char *value, const char *path);
ps_status ps_scn__apply_sheet(const load_ctx *c, const char *sheet, const char *key,
                             ps_scn_file *files[], int n_files);
const char *ps_scn__later_key(const load_ctx *c, const char *a, const char *b);
ps_status ps_scn__exclusive(const load_ctx *c, const char *a, const char *b, const char *why);
ps_status ps_scn__missing_key(const load_ctx *c, const char *path, const char *why);

/* schema.c */
bool ps_scn__key_applies(const scn_key *key, ps_lever lever);
void ps_scn__lever_keys_text(char *out, size_t size, ps_lever lever);
ps_status ps_scn__load_raw(raw_scenario **raw, const load_ctx *c, const char *text, size_t len);
void ps_scn__free_raw(raw_scenario *raw);

/* build_micro.c */
ps_status ps_scn__build_micro(const load_ctx *c, const raw_micro *raw);
ps_status ps_scn__check_micro_care(const load_ctx *c);

/* build_rates.c */
ps_status ps_scn__build_top(const load_ctx *c, const raw_scenario *raw);
ps_status ps_scn__build_data(const load_ctx *c, const raw_data *raw);
ps_status ps_scn__build_population(const load_ctx *c, const raw_population *raw);
ps_status ps_scn__build_mortality(const load_ctx *c, const raw_mortality *raw);
ps_status ps_scn__build_fertility(const load_ctx *c, const raw_fertility *raw);
ps_status ps_scn__build_srb(const load_ctx *c, const raw_srb *raw);
ps_status ps_scn__build_migration(const load_ctx *c, const raw_migration *raw);

/* build_caps.c */
ps_status ps_scn__build_caps(const load_ctx *c, const char *prefix, ps_economy *eco);

/* build_policy.c */
ps_status ps_scn__build_birth_order(const load_ctx *c, const raw_scenario *raw);
ps_status ps_scn__build_economy(const load_ctx *c, const char *prefix, ps_economy *eco,
                               const ps_economy *raw);
void ps_scn__build_response(const load_ctx *c, const char *prefix, ps_scn_member *m,
                           const raw_response *raw);
ps_status ps_scn__add_policies(const load_ctx *c, const char *prefix, ps_scn_member *m,
                              const raw_policy *items, uint32_t n);
ps_status ps_scn__inherit(const load_ctx *c, ps_scn_member *m, const ps_scn_member *parent);
ps_status ps_scn__require_keys(const load_ctx *c, const char *item, const scn_section *sec);
ps_status ps_scn__positive_if_given(const load_ctx *c, const char *item, const char *key,
                                   double value, const char *what);

/* build_services.c */
ps_status ps_scn__build_care_need(const load_ctx *c, const raw_care_need *raw);
ps_status ps_scn__add_services(const load_ctx *c, const char *prefix, ps_scn_member *m,
                              const raw_service *items, uint32_t n);
ps_status ps_scn__inherit_services(const load_ctx *c, ps_scn_member *m, const ps_scn_member *p);

/* build_variants.c */
ps_status ps_scn__build_family(const load_ctx *c, const raw_scenario *raw);

/* build_regions.c */
ps_status ps_scn__build_registration(const load_ctx *c, const raw_registration *raw);
ps_status ps_scn__build_regions(const load_ctx *c, const raw_scenario *raw);
ps_status ps_scn__set_origin(const load_ctx *c, const char *path);
/* parity: and calibrate_births: (issue #12; scenario/build_parity.c). */
ps_status ps_scn__build_parity(const load_ctx *c);
void ps_scn__parity_release(ps_scenario *scn);

#endif /* PS_IO_SCENARIO_INT_H */

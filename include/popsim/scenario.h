/*
 * popsim/scenario.h - a scenario file (YAML) as a validated plain-data value.
 * ps_scn_load() is the only YAML parser in popsim: it checks every key, type and range
 * and reports the first problem compiler-style (path:line:col, key, value, expectation).
 * The format is documented in docs/scenario-format.md and scenarios/README.md.
 *
 * Paths inside a scenario are resolved relative to the scenario file's folder.
 * A scenario names a UN WPP location (the default source of every input) and/or a
 * planner's CSV files that replace single components (population, mortality, ...).
 */
#ifndef PS_SCENARIO_H
#define PS_SCENARIO_H

#include <stdio.h>

#include "popsim/demog.h" /* ps_rogers_castro */
#include "popsim/error.h"
#include "popsim/policy.h"
#include "popsim/services.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a value stood in the scenario file (1-based; 0 = not given). */
typedef struct ps_scn_loc {
    long line;
    int column;
} ps_scn_loc;

/* A CSV file named in the scenario. */
typedef struct ps_scn_file {
    char *path;     /* resolved path (relative to the scenario's folder), owned; NULL if absent */
    ps_scn_loc loc; /* location of the value in the scenario, for "cannot open" errors */
} ps_scn_file;

typedef enum ps_engine_kind {
    PS_ENGINE_CCM = 0, /* deterministic cohort-component model */
    PS_ENGINE_MICRO,   /* individual-level microsimulation (popsim/micro.h) */
    PS_ENGINE_COUNT
} ps_engine_kind;

/* `micro:` settings of engine: micro. */
typedef struct ps_scn_micro {
    double scale;            /* persons each simulated person stands for, >= 1 */
    int replicates;          /* independent runs averaged into the result, >= 1 */
    long long seed;          /* 0..4294967295, the first word of the Philox key */
    double low_income_share; /* share of households with low income */
    double subsistence_share; /* share receiving the subsistence allowance */
    int sample;              /* person records written per scenario (first ids), >= 0 */
    ps_scn_loc scale_loc;    /* for the memory refusal message */
} ps_scn_micro;

typedef enum ps_fert_pattern {
    PS_FERT_PATTERN_DEFAULT = 0, /* asfr_file if given, else WPP's if a location is given */
    PS_FERT_PATTERN_WPP,         /* WPP percent ASFR of the location */
    PS_FERT_PATTERN_HADWIGER,    /* Hadwiger curve with the given mean age */
    PS_FERT_PATTERN_ASFR_FILE,   /* the (normalised) shape of asfr_file */
} ps_fert_pattern;

/*
 * One scenario of a family: members[0] is the file's top level (the baseline); each entry
 * of `variants:` adds one member that shares the baseline's demographic inputs and differs
 * in policies, response and economy. `extends` is resolved by the loader: a member's
 * policies are its parent's followed by its own (an own policy with a parent's name
 * replaces it), and its economy and response overrides start from the parent's.
 */
typedef struct ps_scn_member {
    char *name;           /* output group name, unique in the file; owned */
    char *title;          /* owned, may be NULL */
    char *extends;        /* parent member's name; NULL for the baseline; owned */
    ps_scn_loc loc;       /* where the member starts (1:1 for the baseline) */
    ps_policy *policies;  /* resolved list; owned (names owned) */
    ps_scn_loc *policy_locs; /* where each policy is given; owned */
    int n_policies;
    ps_elasticity elasticity; /* response.elasticity (default PS_ELASTICITY_DEFAULT) */
    int has_elasticity;       /* 1 if response.elasticity was given (else --elasticity wins) */
    ps_response response; /* explicit overrides of the preset; NaN = not given */
    ps_economy economy;   /* resolved: PS_ECONOMY_INIT < top-level economy < own economy */
    ps_service *services; /* resolved: the parent's, own ones replacing by name; owned */
    int n_services;
} ps_scn_member;

/* `sweep:` (popsim/sweep.h): members[first_member + p] is point p of the design. */
typedef struct ps_scn_sweep {
    int n_points;     /* 0 without a sweep */
    int n_dims;
    char **keys;      /* [dim] the swept key paths as written; owned */
    double *values;   /* [point][dim] the values each point applies; owned */
    int first_member;
    char *base;       /* name of the member the points copy; owned */
    int design;       /* ps_sweep_design */
    unsigned long long seed;
    int keep_members; /* member_output: full -- each point is also written as a group */
    ps_scn_loc loc;   /* where `sweep:` stands, for errors about the whole sweep */
} ps_scn_sweep;

/* One region of a multiregional scenario (`regions:`, issue #13). An input the item does not
 * give (NULL path, has_* 0) is the top level's, shared by every region. */
typedef struct ps_scn_region {
    char *name;                /* label, unique in the scenario; owned */
    ps_scn_loc loc;            /* of the item's name */
    ps_scn_file population;    /* sex,age,value */
    ps_scn_file mx_file;       /* year,sex,age,mx */
    ps_scn_file asfr_file;     /* year,age,asfr */
    double tfr;                /* constant TFR, children per woman; if has_tfr */
    int has_tfr;
    double srb;                /* male births per female birth; if has_srb */
    int has_srb;
    ps_scn_file migration_file; /* year,sex,age,value: net international migrants */
    double migration_total;    /* net international migrants per year; if has_migration_total */
    int has_migration_total;
    double registered_share;   /* base share registered; if has_registered_share */
    int has_registered_share;
} ps_scn_region;

/* One process of `uncertainty:` (issue #14, sec. 1; io/uncertainty.c): no uncertainty, an
 * 80 % half-width at the end year growing from 0 at the start (popsim/uncertainty.h), or
 * bounds by year from a CSV file (tfr, migration: year,lo95,lo80,hi80,hi95; e0: year,sex,lo95,...). */
typedef enum ps_scn_unc_kind {
    PS_SCN_UNC_NONE,
    PS_SCN_UNC_WIDTH,
    PS_SCN_UNC_FILE,
    PS_SCN_UNC_INLINE /* bounds: the file's rows written in the scenario */
} ps_scn_unc_kind;

#define PS_SCN_UNC_COLS 6 /* an inline row: year, sex (e0; else -1), lo95, lo80, hi80, hi95 */

typedef struct ps_scn_unc_proc {
    ps_scn_unc_kind kind;
    double width;     /* PS_SCN_UNC_WIDTH: children per woman, years or persons */
    ps_scn_file file; /* PS_SCN_UNC_FILE */
    double *bounds;   /* PS_SCN_UNC_INLINE: [n_bounds][PS_SCN_UNC_COLS]; owned */
    ps_scn_loc *bounds_locs; /* [n_bounds][PS_SCN_UNC_COLS] where each value is; owned */
    int n_bounds;
    double rho;       /* persistence (lag-1 autocorrelation), [0, 1) */
    ps_scn_loc loc;   /* of the process's key */
} ps_scn_unc_proc;

typedef struct ps_scn_uncertainty {
    int enabled;                   /* 1 with an uncertainty: section */
    int trajectories;              /* default PS_SCN_UNC_TRAJ_DEFAULT */
    unsigned long long seed;       /* default 1 */
    ps_scn_unc_proc tfr, e0, migration;
    ps_scn_loc loc;                /* of the uncertainty key */
    int elasticity_fixed;          /* uncertainty.elasticity: fixed (policy variants, sec. 2) */
    ps_scn_loc elasticity_loc;     /* of its key; {0, 0} if not given */
} ps_scn_uncertainty;

#define PS_SCN_UNC_TRAJ_DEFAULT 1000

typedef struct ps_scenario {
    char *path;        /* the scenario file as given; owned */
    char sha256[65];   /* SHA-256 (lowercase hex) of the bytes read from path */
    char *dir;         /* folder of the scenario file ("." if none); owned */
    char *name;        /* [A-Za-z0-9_.-]{1,64}, the output group name; owned */
    char *title;       /* free text (any UTF-8); owned, may be NULL */
    int start_year;    /* 1 July of the base population, 1950..2300 */
    int end_year;      /* last 1 July projected, start_year < end_year <= 2300 */
    ps_engine_kind engine;
    ps_scn_micro micro; /* defaults when engine is ccm */

    /* data: the UN WPP source (optional when every component comes from files) */
    char *wpp_dir;     /* resolved folder, or NULL: POPSIM_DATA_DIR, else ../shared/data/wpp2024 */
    ps_scn_loc wpp_dir_loc;
    char *location;    /* WPP location: exact name or M49 code as text; NULL if none */
    ps_scn_loc location_loc;
    char *region_name; /* label of the region; NULL: the location's name, else "region1" */

    struct {
        ps_scn_file file; /* sex,age,value (single ages or groups) */
    } population;

    struct {
        ps_scn_file mx_file; /* year,sex,age,mx (single ages or abridged groups) */
        ps_scn_file e0_file; /* year,sex,e0: mx (from mx_file or WPP) scaled to reproduce it */
    } mortality;

    struct {
        ps_scn_file asfr_file; /* year,age,asfr (single ages or 5-year groups) */
        ps_scn_file tfr_file;  /* year,tfr */
        double tfr;            /* constant TFR, children per woman, [0, 10]; if has_tfr */
        int has_tfr;
        ps_scn_loc tfr_loc;
        ps_fert_pattern pattern;
        ps_scn_loc pattern_loc;
        double mean_age;       /* Hadwiger mean age of childbearing, years, [15, 45] */
        int has_mean_age;
    } fertility;

    struct {
        double value; /* constant male births per female birth, [0.9, 1.3]; if has_value */
        int has_value;
        ps_scn_loc value_loc;
        ps_scn_file file; /* year,srb */
    } srb;

    struct {
        int none;               /* "none: true": closed population */
        ps_scn_file file;       /* year,sex,age,value: net migrants by single age or group */
        ps_scn_file total_file; /* year,total: net migrants per year, spread by the schedule */
        double total;           /* constant net migrants per year (persons); if has_total */
        int has_total;
        ps_scn_loc total_loc;
        double male_share;      /* share of net migrants who are male, [0, 1], default 0.5 */
        ps_rogers_castro schedule; /* default PS_ROGERS_CASTRO_INIT */
    } migration;

    ps_birth_order birth_order; /* order shares of base-year births, default 45/42/13 */
    int has_birth_order;        /* 1 if the file has a birth_order section */

    ps_care_need care_need;     /* care_need: (n_levels = 0 without) */

    ps_scn_member *members; /* members[0] = the baseline (top level), then the variants; owned */
    int n_members;          /* >= 1 */

    ps_scn_sweep sweep; /* `sweep:`; n_points = 0 without */
    /* Regions linked by internal migration (issue #13); n_regions = 0: one region. */
    ps_scn_region *regions; /* owned */
    int n_regions;
    ps_scn_loc regions_loc;
    struct {
        ps_scn_file file;          /* origin,destination,rate[,year]; NULL path = no flows */
        ps_rogers_castro schedule; /* age pattern of every pair's rates */
        int output_flows;          /* 1: write flows(year, origin, destination, sex, age) */
    } internal_migration;
    struct {
        int enabled;               /* 1 with a registration: section */
        double registered_share;   /* base share registered (every region unless overridden) */
        double conversion_rate;    /* per person-year of the unregistered, at the ages below */
        int conversion_from_age, conversion_to_age;
        double arrive_registered;  /* share of registered in-migrants registered on arrival */
    } registration;
    ps_scn_uncertainty uncertainty; /* `uncertainty:` (issue #14, sec. 1) */
    /* Base parity and jump-off calibration (issue #12; popsim/parity.h). */
    ps_scn_file parity_file; /* `parity: {file: ...}`: women by age and parity; NULL = none */
    struct {
        int *year;        /* ascending calendar years, owned */
        double *births;   /* observed births of each year, persons, owned */
        ps_scn_loc *locs; /* where each year stands in the scenario, owned */
        int n;            /* 0 = no calibration */
        int fade_years;   /* years over which the last factor returns to 1 (default 0) */
        ps_scn_loc loc;   /* the key calibrate_births */
    } calibrate_births;

    char **warnings; /* legal but suspicious input, "path:line:col: warning: ..." strings; owned */
    int n_warnings;
} ps_scenario;

/**
 * Load and validate a scenario file. Nothing is read but the YAML file itself
 * (CSV files are opened later by the input builder).
 * @param[out] out  filled on success; zeroed on failure
 * @return PS_OK; PS_EIO if the file cannot be read; PS_EPARSE for malformed YAML, an
 *         unknown key or a wrong type; PS_EINVAL for values out of range, missing required
 *         keys or contradictory choices. err holds path:line:col of the offending value.
 */
ps_status ps_scn_load(ps_scenario *out, const char *path, ps_error *err);

/**
 * ps_scn_load whose read of the scenario file asks `cancel` while it waits for data from a
 * pipe (issue #11: per call, no process-wide flag). NULL: never cancelled.
 * @return as ps_scn_load; PS_EIO (or the callback's status) "interrupted while reading"
 */
ps_status ps_scn_load_with(ps_scenario *out, const char *path, const ps_cancel *cancel,
                           ps_error *err);

/** Release everything the scenario owns and zero it; accepts a zeroed struct. */
void ps_scn_release(ps_scenario *scn);

/**
 * Print the reference of every scenario key (type, range, unit, default, meaning) and the
 * rules that tie keys together to `out`. This is what `popsim check --describe` shows;
 * docs/scenario-format.md carries the same text. Prints nothing else, anywhere.
 */
void ps_scn_describe(FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* PS_SCENARIO_H */

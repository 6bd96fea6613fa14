/*
 * popsim/services.h - what planners build from a projection: childcare spots, kindergarten
 * and school places, beds and caregivers, year by year against their targets, with staff
 * and cost (docs/services.md). A service is plain data from the scenario file, so a new
 * service needs no code: a target group split into classes (age bands and, for elderly
 * care, care-need levels), the share of each class that uses the service, a capacity
 * target, staff ratios, unit costs and subsidies. ps_services_compute() turns a projected
 * ps_result into demand, capacity, gaps, staff and cost per year and region.
 *
 * Timing: services are stocks on 1 July of each year (the population of that date); costs
 * and subsidies at year y are those of the twelve months from 1 July y, at that stock.
 */
#ifndef PS_SERVICES_H
#define PS_SERVICES_H

#include "popsim/error.h"
#include "popsim/result.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ps_svc_kind {
    PS_SVC_CHILDCARE = 0, /* childcare for children under 3 */
    PS_SVC_KINDERGARTEN,  /* pre-school, ages 3-5 */
    PS_SVC_SCHOOL,        /* primary and secondary schools */
    PS_SVC_HEALTH,        /* beds and other health capacity */
    PS_SVC_ELDERLY,       /* elderly care: beds, caregivers, home services */
    PS_SVC_OTHER,
    PS_SVC_KIND_COUNT
} ps_svc_kind;

/** "childcare", "kindergarten", "school", "health", "elderly", "other". */
const char *ps_svc_kind_name(ps_svc_kind kind);

/* What a capacity target is counted against. */
typedef enum ps_svc_basis {
    PS_SVC_BASIS_NONE = 0,   /* no target: capacity is NaN, gaps are not computed */
    PS_SVC_BASIS_POPULATION, /* places per 1,000 total population (e.g. 4.5 childcare spots) */
    PS_SVC_BASIS_GROUP,      /* places per 1,000 persons of the service's target group */
    PS_SVC_BASIS_AGES,       /* places per 1,000 persons aged basis_age_lo..basis_age_hi */
    PS_SVC_BASIS_PLACES,     /* absolute number of places */
    PS_SVC_BASIS_BASE_YEAR,  /* the places the base year's demand needs, held constant */
    PS_SVC_BASIS_COUNT
} ps_svc_basis;

/** "none", "population", "group", "ages", "places", "base_year". */
const char *ps_svc_basis_name(ps_svc_basis basis);

/* A value over time: linear between points (years ascending), constant outside them. */
typedef struct ps_svc_path {
    int n;          /* 0 = not given */
    int *years;     /* owned */
    double *values; /* owned */
} ps_svc_path;

/** Value of a path in `year`; NaN when the path is empty. */
double ps_svc_path_at(const ps_svc_path *path, int year);

/* One class of a service: an age band, optionally one care-need level, and its rates. */
typedef struct ps_svc_class {
    char *name;                 /* owned */
    int age_lo, age_hi;         /* completed years on 1 July, inclusive */
    int need;                   /* care-need level index, -1 = every person of the ages */
    double uptake;              /* share of the class's persons using the service, [0, 1] */
    double users_per_staff;     /* staff ratio (users per staff member), > 0; 0 = none */
    double users_per_group;     /* class or room size (users per group), > 0; 0 = none */
    double cost_per_user_month; /* operating cost, yuan per user per month */
    double fee_per_user_month;  /* fee paid by families, yuan per user per month */
    double subsidy_per_user_month; /* public subsidy, yuan per subsidised user per month */
} ps_svc_class;

/* Staff beyond the class ratios: one per `users_per_staff` users and `per_group` per group. */
typedef struct ps_svc_extra_staff {
    char *name;             /* owned */
    double users_per_staff; /* 0 = not counted by users */
    double per_group;       /* staff per group; 0 = not counted by groups */
} ps_svc_extra_staff;

/* Home services (meals, bathing, ...) delivered per user and year. */
typedef struct ps_svc_home {
    char *name;            /* owned */
    double per_user_year;  /* services per user per year */
} ps_svc_home;

/* Existing stock of one facility type, as read from a stock CSV (docs/services.md sec. 8).
 * Rows are kept as read, with their file positions, and matched with the result's regions
 * when the service is computed, so an unknown or missing district is reported there. */
typedef enum ps_svc_ownership {
    PS_SVC_OWN_UNKNOWN = 0, /* no ownership column, or an empty cell */
    PS_SVC_OWN_PUBLIC,      /* public or inclusive (普惠) places */
    PS_SVC_OWN_PRIVATE,     /* private places */
    PS_SVC_OWN_COUNT
} ps_svc_ownership;

typedef struct ps_svc_stock_row {
    char *region;       /* district name as written in the file; owned */
    int year;           /* calendar year (1 July) the row describes */
    double places;      /* places plus beds, >= 0 */
    double staff;       /* staff employed, persons, >= 0 */
    int ownership;      /* ps_svc_ownership */
    long line;          /* 1-based line of the row in `path` */
    int region_column;  /* 1-based column of the region field */
} ps_svc_stock_row;

typedef struct ps_svc_stock {
    char *path;             /* stock CSV; owned; NULL = the service has no stock */
    char *type;             /* facility type the service counts (rows of other types are
                             * dropped when read); owned */
    int missing_zero;       /* 1: a district without rows has no stock (0 places); 0: error */
    int has_ownership;      /* 1 if the file has the ownership column */
    int n_rows;
    ps_svc_stock_row *rows; /* owned */
} ps_svc_stock;

/* Class need level: the self-caring persons of the ages (in no care-need level). */
#define PS_SVC_NEED_SELF_CARING (-2)

typedef struct ps_service {
    char *name;     /* output group name; owned */
    char *title;    /* owned, may be NULL */
    ps_svc_kind kind;
    int sex;        /* -1 both sexes, else ps_sex */
    int setting;    /* care setting index (ps_care_need.settings), -1 = none */
    ps_svc_class *classes; /* owned; age bands (with their need levels) do not overlap */
    int n_classes;
    ps_svc_path uptake_path; /* overall uptake of the group by year; class uptakes give the
                              * age profile and are rescaled to it (empty = as given) */
    ps_svc_basis basis;
    int basis_age_lo, basis_age_hi; /* PS_SVC_BASIS_AGES */
    ps_svc_path target;      /* per 1,000 of the basis, or places (PLACES); unused for
                              * BASE_YEAR and NONE */
    double occupancy;        /* planned occupancy of places, (0, 1]: places needed =
                              * demand / occupancy */
    double nursing_share;    /* share of capacity that must be nursing-type, NaN = none */
    double subsidised_share; /* share of users whose subsidy is paid (inclusive places) */
    double construction_subsidy; /* yuan per new place, one-time */
    ps_svc_extra_staff *extra_staff; /* owned */
    int n_extra_staff;
    ps_svc_home *home;       /* owned */
    int n_home;
    ps_svc_stock stock;      /* existing places; stock.path NULL = none */
    double cross_district_share; /* share of each region's demand served in the other
                                  * regions, [0, 1] (docs/services.md sec. 8.2); 0 = none */
} ps_service;

/* Care-need levels of persons aged 60 and over, and the care settings of those in need. */
typedef struct ps_care_level {
    char *name;       /* owned */
    int n_steps;      /* prevalence as a step function of age */
    int *from_age;    /* ascending; the first is the youngest age with any need; owned */
    double *value;    /* prevalence from that age to the next from_age, [0, 1]; owned */
    int by_sex;       /* 1: the prevalence of sex s is value x sex_factor[s]; 0: both sexes
                       * have the table's value (sex_factor unused) */
    double sex_factor[PS_SEX_COUNT];
} ps_care_level;

typedef struct ps_care_setting {
    char *name;   /* owned */
    double share; /* of persons in need; the settings' shares sum to 1 */
    double *level_share; /* [n_levels] share of each level's persons in this setting (for
                          * every level, the settings' shares sum to 1); NULL = `share`
                          * for every level; owned */
} ps_care_setting;

typedef struct ps_care_need {
    int n_levels;           /* 0 = no care-need model */
    ps_care_level *levels;  /* exclusive levels: a person has at most one; owned */
    int base_year;          /* year the prevalence tables describe */
    double improvement;     /* relative fall of age-specific prevalence per year, [-0.1, 0.1] */
    int n_settings;
    ps_care_setting *settings; /* owned */
} ps_care_need;

/**
 * Prevalence of care-need level `level` at single age `age` in calendar year `year`:
 * the table's value times (1 - improvement)^(year - base_year).
 */
double ps_care_prevalence(const ps_care_need *cn, int level, int age, int year);

/** The prevalence of one sex: ps_care_prevalence() times the level's sex factor (the same
 * value for both sexes when the level has none). */
double ps_care_prevalence_sex(const ps_care_need *cn, int level, int sex, int age, int year);

/** Share of the persons of care-need level `level` cared for in setting `setting`: the
 * setting's share for that level, or its one share when it has none by level. */
double ps_care_setting_share(const ps_care_need *cn, int setting, int level);

/** 1 if two classes count some of the same persons: common ages and the same need level,
 * or either without one. */
int ps_svc_classes_overlap(const ps_svc_class *a, const ps_svc_class *b);

/**
 * Check a set of services against the care-need model: class ages inside 0..n_ages-1,
 * need levels and settings that exist, no overlapping classes, ratios > 0.
 * The scenario loader does these checks with file positions; this is the library's guard.
 * @return PS_OK; PS_EINVAL naming the service and class
 */
ps_status ps_services_validate(const ps_service *svc, int n_svc, const ps_care_need *cn,
                               int n_ages, ps_error *err);

/**
 * Compute every service (and the care-need counts when cn has levels) for the projected
 * result `res` and store them in res->services / res->care_need (allocated here; released
 * by ps_result_release). Also fills the dependency ratios.
 * @return PS_OK; PS_EINVAL from ps_services_validate; PS_ENOMEM
 */
ps_status ps_services_compute(ps_result *res, const ps_service *svc, int n_svc,
                              const ps_care_need *cn, ps_error *err);

/**
 * For a policy variant (res->baseline set) whose services and its baseline's were computed:
 * the service subsidies minus the baseline's, summed over the projection's steps, nominal
 * and discounted at `discount_rate` per year, into res->service_subsidy_extra(_discounted);
 * cost_per_additional_birth then counts them besides the policy instruments. A service
 * missing from one side counts as zero there. No-op without services on either side.
 */
void ps_services_compare(ps_result *res, const ps_result *base, double discount_rate);

/**
 * The share of the persons aged `age` (in a class without a need level) who use service s
 * in year index y and region reg of result r: min(1, f(y) u_c), with the uptake path's
 * rescaling f(y) evaluated on r. 0 for ages outside the service's classes. Used to give
 * the microsimulation the enrollment rates the cohort projection implies.
 */
double ps_service_uptake_at(const ps_service *s, const ps_care_need *cn, const ps_result *r,
                            int y, int reg, int age);

/**
 * Stock of service s matched with the regions of r, year by year (docs/services.md sec. 8):
 * the rows of the latest year at or before each year, summed over the rows of that year
 * (years before the first row take the first row's year). Arrays are [year][reg] and
 * allocated by the caller; public_out holds the public or inclusive places (NaN when the
 * file has no ownership column).
 * @return PS_OK; PS_EINVAL at the stock file's line and column for a district that is not
 *         a region of r, or naming the regions without rows (unless missing_zero)
 */
ps_status ps_svc_stock_resolve(double *places_out, double *public_out, double *staff_out,
                               const ps_svc_stock *st, const ps_result *r, ps_error *err);

/**
 * The one rule matching a stock file's districts with a scenario's regions, used by
 * ps_svc_stock_resolve at run time and by `popsim check` (ps_build_check): every row names
 * one of the n_regions region_names, and every region has rows unless st->missing_zero.
 * `scenario` names the scenario in the message.
 * @return PS_OK; PS_EINVAL at the stock file's line and column of an unknown district, or
 *         at 1:1 naming the regions without rows
 */
ps_status ps_svc_stock_check_regions(const ps_svc_stock *st, const char *const *region_names,
                                     int n_regions, const char *scenario, ps_error *err);

/** Release a stock's rows and names; accepts a zeroed struct. */
void ps_svc_stock_release(ps_svc_stock *st);
/** Deep copy. @return PS_OK; PS_ENOMEM */
ps_status ps_svc_stock_copy(ps_svc_stock *dst, const ps_svc_stock *src, ps_error *err);

/** Release what a service owns; accepts a zeroed struct. */
void ps_service_release(ps_service *svc);
/** Release what a care-need model owns; accepts a zeroed struct. */
void ps_care_need_release(ps_care_need *cn);
/** Deep copies (for scenario families). */
ps_status ps_service_copy(ps_service *dst, const ps_service *src, ps_error *err);
ps_status ps_care_need_copy(ps_care_need *dst, const ps_care_need *src, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_SERVICES_H */

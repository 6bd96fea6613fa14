/*
 * popsim/wpp.h - the UN World Population Prospects 2024 tidy CSV files (the folder's
 * README describes them): find the folder, look up a location, read everything popsim
 * uses for one location, and prepare projection inputs with the WPP medium assumptions.
 *
 * Counts are converted from thousands to persons on reading. Arrays are indexed from the
 * first year of the dataset; a value the files do not have is NaN.
 * Source: United Nations, DESA, Population Division (2024). World Population Prospects
 * 2024. CC BY 3.0 IGO. The data are read where they are and never copied.
 */
#ifndef PS_WPP_H
#define PS_WPP_H

#include <stddef.h>

#include "popsim/error.h"
#include "popsim/inputs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Shape of the WPP 2024 extract (fixed by the dataset, not by any scenario). */
#define PS_WPP_FIRST_YEAR 1950
#define PS_WPP_LAST_YEAR 2100
#define PS_WPP_N_YEARS (PS_WPP_LAST_YEAR - PS_WPP_FIRST_YEAR + 1)
#define PS_WPP_N_POP5_YEARS (PS_WPP_N_YEARS / 5 + 1) /* 1 July 1950, 1955, ..., 2100 */
#define PS_WPP_N_POP5_GROUPS 21                      /* 0-4, ..., 95-99, 100+ */
#define PS_WPP_N_MX_PERIODS 30                       /* 1950-1955, ..., 2095-2100 */
#define PS_WPP_N_MX_GROUPS 22                        /* 0, 1-4, 5-9, ..., 95-99, 100+ */
#define PS_WPP_N_PASFR_GROUPS 9                      /* 10-14, ..., 50-54 */
#define PS_WPP_MIG1_FIRST_YEAR 2023                  /* single-age migration starts here */
#define PS_WPP_LAST_ESTIMATE_YEAR 2023               /* the projections start in 2024 */
#define PS_WPP_N_MIG1_YEARS (PS_WPP_LAST_YEAR - PS_WPP_MIG1_FIRST_YEAR + 1)
#define PS_WPP_N_AGES 101                            /* single ages 0..99, 100+ */

/* Everything popsim reads for one location. Plain data of fixed size (cacheable). */
typedef struct ps_wpp_location {
    int code;       /* UN M49 code */
    char name[128]; /* UN location name */
    double pop5[PS_WPP_N_POP5_YEARS][PS_SEX_COUNT][PS_WPP_N_POP5_GROUPS]; /* persons, 1 July */
    double mx5[PS_WPP_N_MX_PERIODS][PS_SEX_COUNT][PS_WPP_N_MX_GROUPS];    /* per person-year */
    double e0[PS_WPP_N_YEARS][PS_SEX_COUNT];                 /* years, calendar year */
    double tfr[PS_WPP_N_YEARS];                              /* children per woman */
    double pasfr[PS_WPP_N_YEARS][PS_WPP_N_PASFR_GROUPS];     /* percent of TFR by group */
    double srb[PS_WPP_N_YEARS];                              /* male per female birth */
    double mig_total[PS_WPP_N_YEARS];                        /* net migrants, persons */
    double mig1[PS_WPP_N_MIG1_YEARS][PS_SEX_COUNT][PS_WPP_N_AGES]; /* net migrants, persons */
    double pop_total[PS_WPP_N_YEARS][PS_SEX_COUNT];          /* persons on 31 December */
    double births[PS_WPP_N_YEARS];                           /* persons, calendar year */
    double deaths[PS_WPP_N_YEARS];                           /* persons, calendar year */
} ps_wpp_location;

/**
 * Choose the WPP folder: `explicit_dir` if not NULL, else $POPSIM_DATA_DIR, else
 * ../shared/data/wpp2024 beside the project root (project_root may be NULL).
 * The folder must hold locations.csv; otherwise the message lists the files needed and
 * where they come from. @return PS_OK; PS_EIO
 */
ps_status ps_wpp_find_dir(char *out, size_t size, const char *explicit_dir,
                          const char *project_root, ps_error *err);

/**
 * Resolve a location given as an M49 code ("156") or an exact UN name ("China").
 * @return PS_OK; PS_EINVAL "unknown location" with close matches; PS_EIO
 */
ps_status ps_wpp_lookup(int *code_out, char *name_out, size_t name_size, const char *dir,
                        const char *code_or_name, ps_error *err);

/**
 * Read all of a location's data. With cache_dir not NULL, a binary copy of the parsed data
 * is kept there (created if needed) and reused while every source file keeps its size and
 * modification time; cache problems are never errors (the files are read instead).
 * @param[out] out  caller storage (the struct is large: allocate it on the heap)
 * @return PS_OK; PS_EIO; PS_EPARSE at path:line:col for malformed rows
 */
ps_status ps_wpp_load(ps_wpp_location *out, const char *dir, int code, const char *cache_dir,
                      ps_error *err);

/**
 * Projection inputs for start_year..end_year with the WPP medium assumptions: the 1 July
 * start_year population by 5-year group graduated to single ages; single-age mx graduated
 * from the abridged period tables, interpolated between period centres and scaled to the
 * mean e0 of the two calendar years of each step; ASFR from TFR x percent ASFR graduated to
 * single ages; SRB; single-age net migration. (docs/model.md, sec. 3.)
 * @return PS_OK; PS_EINVAL if start_year is not a multiple of 5 in 1950..2095 or end_year
 *         > 2100, or the data needed are missing; PS_ENUMERIC; PS_ENOMEM
 */
ps_status ps_wpp_inputs(ps_inputs *out, const ps_wpp_location *loc, int start_year, int end_year,
                        ps_error *err);

/* The UN's pattern method is used for a location only where, under the medium TFR, it gives
 * back WPP's medium pattern within this many percentage points in every group and projected
 * year (docs/model.md 9.9). */
#define PS_WPP_PATTERN_FIT 1.0

/**
 * Percent ASFR by year and group (out[year - PS_WPP_FIRST_YEAR][group]) under another TFR
 * path, as the UN's low and high variants have it (docs/model.md 9.9): WPP's own up to
 * PS_WPP_LAST_ESTIMATE_YEAR, then WPP's medium pattern multiplied, group by group, by the
 * ratio of the UN's pattern method (ps_pasfr_project) under the path to the method under the
 * medium TFR, and normalised to 100. Where the method under the medium TFR is more than
 * PS_WPP_PATTERN_FIT points off WPP's medium pattern, out is WPP's medium pattern. The path
 * holds the calendar years first_year .. first_year + n_years - 1, which must include
 * PS_WPP_LAST_ESTIMATE_YEAR + 1 .. 2100; years before first_year are WPP's.
 * @param[out] misfit  when not NULL: the method's largest difference from WPP's medium
 *                     pattern, percentage points
 * @return PS_OK; PS_EINVAL (years, a TFR that is not positive); PS_ENOMEM
 */
ps_status ps_wpp_pattern_pasfr(double (*out)[PS_WPP_N_PASFR_GROUPS], double *misfit,
                               const ps_wpp_location *loc, const double *tfr, int first_year,
                               int n_years, ps_error *err);

/**
 * ps_wpp_inputs with the age pattern of fertility of ps_wpp_pattern_pasfr under the TFR path
 * `tfr` (the UN's low or high variant). The ASFR keep the medium TFR: the probabilistic
 * engine scales them to the path's (docs/model.md 9.2).
 * @return as ps_wpp_inputs and ps_wpp_pattern_pasfr
 */
ps_status ps_wpp_inputs_pattern(ps_inputs *out, const ps_wpp_location *loc, int start_year,
                                int end_year, const double *tfr, int first_year, int n_years,
                                ps_error *err);

/** Default cache folder: $POPSIM_CACHE_DIR, else $XDG_CACHE_HOME/popsim, else ~/.cache/popsim. */
ps_status ps_wpp_default_cache_dir(char *out, size_t size, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_WPP_H */

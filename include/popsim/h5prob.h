/*
 * popsim/h5prob.h - probabilistic results (popsim/prob.h) to an HDF5 file that netCDF-4/CF
 * readers open as labelled arrays (docs/output-format.md, "Probabilistic runs"): group
 * /probabilistic/<name>/ with coordinates year, region (or location), quantile, sex,
 * age_group (and trajectory), each a dimension scale, and per variable its quantiles
 * (..., quantile) and its mean (<var>_mean). Written atomically (popsim/outfile.h).
 */
#ifndef PS_H5PROB_H
#define PS_H5PROB_H

#include "popsim/error.h"
#include "popsim/h5out.h" /* ps_provenance */
#include "popsim/prob.h"
#include "popsim/svc_prob.h"
#include "popsim/prob_policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What ps_h5_write_prob writes. */
typedef struct ps_h5_prob_spec {
    const char *group;          /* the group's name under /probabilistic */
    const char *title;          /* global title */
    const char *dim;            /* "region" (one location or region) or "location" */
    const char *const *labels;  /* n labels of the dim */
    const int *codes;           /* n M49 codes written as `location_code`, or NULL */
    int trajectories;           /* 1: every trajectory too (each run kept them) */
    const ps_svc_prob *services; /* finished services of runs[0] (n must be 1), or NULL */
    const ps_prob_pol_summary *policy; /* policy variants (one run only), or NULL */
    /* With policy: each variant's finished services ([policy->n_variants], an entry NULL for
     * a variant without), or NULL: written to the group variants/<variant>/ under the group,
     * with the baseline's layout (issue #14, sec. 2). */
    const ps_svc_prob *const *variant_services;
} ps_h5_prob_spec;

/**
 * Write the finished runs[0..n-1] (same years) as one group, the dim `spec->dim` running
 * over the runs, to `path` atomically.
 * @return PS_OK; PS_EINVAL (no runs, different years, trajectories not kept); PS_EIO; PS_EHDF5
 */
ps_status ps_h5_write_prob(const char *path, const ps_prob *const *runs, int n,
                           const ps_h5_prob_spec *spec, const ps_provenance *prov,
                           ps_error *err);


/* ---- reading a probabilistic file back (io/h5prob_read.c) -------------------------------- */

/* The summaries ps_h5_prob_read keeps: one quantile series per location and year. */
typedef enum ps_h5_prob_series {
    PS_H5_PROB_POP_TOTAL,  /* population_total */
    PS_H5_PROB_BIRTHS,     /* births */
    PS_H5_PROB_TFR,        /* tfr */
    PS_H5_PROB_E0_FEMALE,  /* e0, sex = female */
    PS_H5_PROB_E0_MALE,    /* e0, sex = male */
    PS_H5_PROB_DEP_OLD,    /* old_age_dependency */
    PS_H5_PROB_SHARE_65,   /* share_65plus (absent from files before it) */
    PS_H5_PROB_SERIES_COUNT
} ps_h5_prob_series;

/* Rows of process parameters a probabilistic group holds: persistence, level share,
 * centring, per person, size elasticity, level skew (docs/output-format.md, "Probabilistic
 * runs"). */
#define PS_H5_PROB_PROCESS_ROWS 6

/** The name of process k (0 .. PS_PROB_PROC_COUNT - 1) in a file's `process` coordinate:
 * "tfr", "e0", "net_migration"; NULL for another k. */
const char *ps_h5_prob_process_name(int k);

/* A probabilistic file's group as read back; released with ps_h5_prob_data_release. */
typedef struct ps_h5_prob_data {
    char *group;          /* name of the group under /probabilistic */
    char *dim;            /* "region" or "location" */
    int n_loc;            /* locations (or regions) */
    char **labels;        /* n_loc names */
    int start_year;
    int n_years;
    int n_q;              /* quantile levels */
    double *levels;       /* n_q fractions, e.g. 0.025 */
    long long seed;       /* the file's `seed` attribute, -1 if absent */
    int trajectories;     /* the file's `trajectories` attribute, 0 if absent */
    /* [series] values [(loc * n_years + year) * n_q + q]; NULL where the file lacks it */
    double *q[PS_H5_PROB_SERIES_COUNT];
    /* Services under uncertainty (issue #14, sec. 2); n_svc 0 when the file has none. */
    int n_svc;
    char **svc_names;  /* n_svc names (the `service` coordinate) */
    char **svc_titles; /* n_svc titles (the names where the file has none) */
    char **svc_kinds;  /* n_svc kinds ("childcare", ...; "" where the file has none) */
    /* [var] values [((loc * n_years + year) * n_svc + k) * n_q + q]; NULL where absent */
    double *svc_q[PS_SVC_PROB_VAR_COUNT];
    double *svc_p_shortage; /* [(loc * n_years + year) * n_svc + k]; NULL where absent */
    /* The process each location ran with (process_persistence, process_level_share,
     * process_centring, process_per_person, process_size_elasticity):
     * [(loc * PS_PROB_PROC_COUNT + process)], processes in the order of
     * ps_h5_prob_process_name (the file's `process` coordinate, checked); NULL where the
     * file has none (files before them, --variant runs). */
    double *process[PS_H5_PROB_PROCESS_ROWS];
    /* population_alignment (docs/model.md 9.7): [(year * n_loc + loc)], the factor each
     * location's trajectories were multiplied by; NULL where the file has none (files before
     * it, scenario and --variant runs). */
    double *alignment;
    /* Policy variants under uncertainty (issue #14, sec. 2): n_variants 0 if the file has
     * none; the stats (quantiles and mean) of every variable, no trajectories. */
    ps_prob_pol_summary policy;
} ps_h5_prob_data;

/** Stored dataset name of a series ("population_total", "e0") and its sex (NULL if none). */
const char *ps_h5_prob_series_var(ps_h5_prob_series s);
const char *ps_h5_prob_series_sex(ps_h5_prob_series s);

/** 1 if `path` is an HDF5 file with a /probabilistic group (and no /scenarios). */
int ps_h5_prob_present(const char *path);

/**
 * Read the (only, else first) group of /probabilistic: coordinates, seed, trajectories,
 * the quantiles of every ps_h5_prob_series the file holds and its services' quantiles and
 * P(shortage). Every shape is checked against
 * the coordinates before anything is allocated for the data.
 * @param[out] out  filled on PS_OK (release with ps_h5_prob_data_release), zeroed on failure
 * @return PS_OK; PS_EIO (not an HDF5 file); PS_EHDF5 naming file and dataset for a missing
 *         coordinate or a variable of the wrong shape; PS_ENOMEM
 */
ps_status ps_h5_prob_read(ps_h5_prob_data *out, const char *path, ps_error *err);

void ps_h5_prob_data_release(ps_h5_prob_data *d); /* accepts a zeroed struct */

/**
 * The services of policy variant `variant` of the group `group` (ps_h5_prob_data.group of
 * ps_h5_prob_read), stored in <group>/variants/<variant>/ (issue #14, sec. 2): coordinates,
 * seed and trajectories of the file, the variant's service quantiles and P(shortage); no
 * population series, no policy. group is then "<group>/variants/<variant>".
 * @return PS_OK; PS_EINVAL (the variant has no services in the file); as ps_h5_prob_read
 */
ps_status ps_h5_prob_read_variant(ps_h5_prob_data *out, const char *path, const char *group,
                                  const char *variant, ps_error *err);

/** 1 if the file holds services of variant `variant` of `group` (ps_h5_prob_read_variant). */
int ps_h5_prob_variant_present(const char *path, const char *group, const char *variant);

#ifdef __cplusplus
}
#endif
#endif /* PS_H5PROB_H */

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
} ps_h5_prob_spec;

/**
 * Write the finished runs[0..n-1] (same years) as one group, the dim `spec->dim` running
 * over the runs, to `path` atomically.
 * @return PS_OK; PS_EINVAL (no runs, different years, trajectories not kept); PS_EIO; PS_EHDF5
 */
ps_status ps_h5_write_prob(const char *path, const ps_prob *const *runs, int n,
                           const ps_h5_prob_spec *spec, const ps_provenance *prov,
                           ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_H5PROB_H */

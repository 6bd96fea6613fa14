/*
 * popsim/h5read.h - generic, read-only access to any object of a result file, for readers
 * (charts, reports) that must find out what a file holds before reading it: groups added by
 * later issues (policy, services), variables with a `quantile` dimension, attributes.
 *
 * Paths are absolute HDF5 paths such as "/scenarios/baseline/services". Everything read is
 * copied into memory the caller owns; no HDF5 type appears here (src/io/h5read.c is the only
 * user of <hdf5.h> for reading beyond ps_h5_read).
 */
#ifndef PS_H5READ_H
#define PS_H5READ_H

#include <stddef.h>

#include "popsim/error.h"
#include "popsim/sweep.h" /* ps_sweep_table */

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_h5r_file ps_h5r_file; /* opaque: an open, read-only HDF5 file */

/* What a path names. */
typedef enum ps_h5r_kind {
    PS_H5R_NONE,    /* nothing (or a dangling link) */
    PS_H5R_GROUP,
    PS_H5R_DATASET,
    PS_H5R_OTHER,   /* a named datatype */
    PS_H5R_KIND_COUNT
} ps_h5r_kind;

/* An n-D dataset converted to float64, with the names of its dimensions. */
typedef struct ps_h5r_array {
    int rank;          /* number of dimensions, 0 for a scalar */
    size_t *dims;      /* rank lengths; owned */
    char **dim_names;  /* rank names of the attached dimension scales ("" if none); owned */
    double *data;      /* n values, row-major (last dimension fastest); owned */
    size_t n;          /* product of dims */
} ps_h5r_array;

/**
 * Open a file read-only.
 * @param[out] out  handle owned by the caller (ps_h5r_close), NULL on failure
 * @return PS_OK; PS_EIO if the file is missing or not HDF5
 */
ps_status ps_h5r_open(ps_h5r_file **out, const char *path, ps_error *err);

/** What `obj` (an absolute path) names; PS_H5R_NONE if any part of the path is missing. */
ps_h5r_kind ps_h5r_kind_of(const ps_h5r_file *f, const char *obj);

/** 1 if object `obj` exists and has attribute `name`, else 0. */
int ps_h5r_has_attr(const ps_h5r_file *f, const char *obj, const char *name);

/**
 * Names of the links in group `group` that name objects of `kind` (PS_H5R_NONE: all), in
 * creation order when the group tracks it, else alphabetical.
 * @param[out] names_out  *n_out strings owned by the caller: free with ps_h5_free_names (popsim/h5out.h)
 * @return PS_OK; PS_EHDF5 if `group` is not a group; PS_ENOMEM
 */
ps_status ps_h5r_children(char ***names_out, int *n_out, const ps_h5r_file *f, const char *group,
                          ps_h5r_kind kind, ps_error *err);


/**
 * Read a numeric dataset of any rank as float64 with its dimension names.
 * @param[out] out  filled array the caller releases with ps_h5r_array_release
 * @return PS_OK; PS_EHDF5 if the dataset is missing or not numeric; PS_ENOMEM
 */
ps_status ps_h5r_read_array(ps_h5r_array *out, const ps_h5r_file *f, const char *dset,
                            ps_error *err);

/**
 * The shape and dimension names of a dataset of any type, without its values (data is
 * allocated but not filled): enough to decide whether to read it.
 * @return PS_OK; PS_EHDF5 if the dataset is missing; PS_ENOMEM
 */
ps_status ps_h5r_read_shape(ps_h5r_array *out, const ps_h5r_file *f, const char *dset,
                            ps_error *err);

void ps_h5r_array_release(ps_h5r_array *a); /* accepts a zeroed struct */

/**
 * A one-dimensional dataset of strings (variable- or fixed-length), such as the labels of a
 * `sex`, `region` or `class` coordinate, checked like every read (src/io/h5guard.c).
 * @param[out] out  *n_out strings owned by the caller (free each, then the array)
 * @return PS_OK; PS_EHDF5 if missing, not strings or not 1-D; PS_EIO for a corrupted
 *         reference; PS_ENOMEM
 */
ps_status ps_h5r_read_strings(char ***out, size_t *n_out, const ps_h5r_file *f, const char *dset,
                              ps_error *err);

/**
 * A scalar string attribute (variable- or fixed-length) of object `obj`.
 * @param[out] out  new string owned by the caller (free), NULL on failure
 * @return PS_OK; PS_EHDF5 if missing or not a string; PS_ENOMEM
 */
ps_status ps_h5r_attr_string(char **out, const ps_h5r_file *f, const char *obj, const char *name,
                             ps_error *err);

/**
 * A scalar numeric attribute of object `obj`, converted to float64.
 * @return PS_OK; PS_EHDF5 if missing or not numeric
 */
ps_status ps_h5r_attr_double(double *out, const ps_h5r_file *f, const char *obj,
                             const char *name, ps_error *err);

void ps_h5r_close(ps_h5r_file *f); /* accepts NULL */

/* ---- policy sweeps (issue #15; io/h5sweep.c) ----------------------------------------------- */

/**
 * Read group /sweep of a result file into `out` (popsim/sweep.h; the caller releases it with
 * ps_sweep_table_release).
 * @return PS_OK; PS_EINVAL if the file has no /sweep group (err says so); PS_EIO; PS_EHDF5
 */
ps_status ps_sweep_read(ps_sweep_table *out, const char *path, ps_error *err);

/** 1 if the file at `path` has a /sweep group, else 0 (also when it cannot be opened). */
int ps_sweep_present(const char *path);

#ifdef __cplusplus
}
#endif
#endif /* PS_H5READ_H */

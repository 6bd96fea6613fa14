/*
 * h5guard_int.h - the one validating layer every reader of result files goes through
 * (ps_h5_read and its helpers in h5load.c, the generic reader h5read.c): files are opened only
 * after their global heaps check out, and datasets only after their storage, type, rank and
 * size check out, before anything is allocated from a value read in the file (issue #17).
 * Library-internal; the limits are documented in docs/errors.md.
 */
#ifndef PS_H5GUARD_INT_H
#define PS_H5GUARD_INT_H

#include <stdint.h>

#include <hdf5.h>

#include "popsim/error.h"

/* Calendar years a result file may hold: coordinates outside are refused, so year arithmetic
 * in the readers (start + n_years, loops over years) can never overflow an int. */
#define PS_H5__YEAR_MIN 1500
#define PS_H5__YEAR_MAX 3000
/* Highest age (completed years) an `age` coordinate may hold. */
#define PS_H5__AGE_MAX 200

/* Element kinds a reader accepts (bit set). */
enum { PS_H5__NUMERIC = 1, PS_H5__STRING = 2 };

/* What ps_h5__open_dataset found out about a dataset. */
typedef struct ps_h5__shape {
    int rank;                   /* 0 for a scalar */
    hsize_t dims[H5S_MAX_RANK]; /* rank lengths */
    hsize_t n;                  /* product of dims: elements */
    int is_string;              /* 1 for strings (fixed or variable length), 0 for numbers */
} ps_h5__shape;

/**
 * Open a result file read-only, after checking that `path` is a readable regular file (a
 * FIFO or device would hang or stream) and that every global heap collection in it (where
 * variable-length strings live) is consistent: objects inside the collection, collection
 * inside the file. HDF5 1.10 trusts those lengths and overruns its buffers otherwise.
 * @param[out] file_out  open file id owned by the caller (H5Fclose), H5I_INVALID_HID on failure
 * @return PS_OK; PS_EIO naming the reason (message only; the caller adds the path)
 */
ps_status ps_h5__open_file(hid_t *file_out, const char *path, ps_error *err);

/**
 * 1 if every component of `path` (relative to loc, or absolute) is a hard link to an
 * existing object, else 0. External links make HDF5 open other files (a FIFO hangs it) and
 * soft links can lead through them; popsim writes neither, so readers refuse both.
 */
int ps_h5__local_path(hid_t loc, const char *path);

/** H5Gopen2 for paths that pass ps_h5__local_path; H5I_INVALID_HID otherwise. */
hid_t ps_h5__open_group(hid_t loc, const char *path);

/** The order to list the links of `grp` in: creation order if the group tracks it (popsim's
 * files do), else alphabetical (H5_INDEX_NAME). */
H5_index_t ps_h5__link_order(hid_t grp);

/**
 * Bytes one dataset may occupy in memory once read: max(64 MiB, 100 x the file's size),
 * never more than 4 GiB. Compressed or unwritten chunks let a small file declare a huge
 * dataset; real results compress far less than 100:1.
 */
uint64_t ps_h5__byte_limit(hid_t obj);

/**
 * Open dataset `name` of `loc` after checking it: not virtual, no external storage, element
 * type among `kinds`, a simple (or scalar) dataspace of rank `want_rank` (-1: any), and
 * n x (8 bytes, or the string size) within ps_h5__byte_limit.
 * @param[out] ds_out  open dataset owned by the caller (H5Dclose), H5I_INVALID_HID on failure
 * @param[out] sh      its rank, lengths and element count
 * @return PS_OK; PS_EHDF5 naming the dataset and what was expected
 */
ps_status ps_h5__open_dataset(hid_t *ds_out, ps_h5__shape *sh, hid_t loc, const char *name,
                              unsigned kinds, int want_rank, ps_error *err);

/**
 * Before reading a variable-length string or sequence attribute (is_attr 1) or dataset (0)
 * `obj` (strings, and the DIMENSION_LIST of dimension scales): read its raw references
 * without HDF5 dereferencing them, and check that each names an object of a well-formed
 * global heap collection whose size is the reference's length times the element size. HDF5
 * 1.10 allocates by the length, copies by the object's size, and indexes its object table by
 * the reference unchecked. Anything else (numbers, fixed-length strings) passes unchecked.
 * @return PS_OK; PS_EIO naming `what` when a reference does not match the file
 */
ps_status ps_h5__check_vlen(hid_t obj, int is_attr, const char *what, ps_error *err);

/**
 * Check calendar years read from coordinate `name`: each in
 * [PS_H5__YEAR_MIN, PS_H5__YEAR_MAX] and strictly increasing.
 * @return PS_OK; PS_EHDF5 naming the first bad value and its position
 */
ps_status ps_h5__check_years(const double *years, size_t n, const char *name, ps_error *err);

/** Ages of coordinate `name`: whole numbers in [0, PS_H5__AGE_MAX], strictly increasing. */
ps_status ps_h5__check_ages(const double *ages, size_t n, const char *name, ps_error *err);

/** Longest string (bytes) a reader accepts from a fixed-length string type. */
#define PS_H5__STRING_MAX ((size_t)1 << 20)

#endif /* PS_H5GUARD_INT_H */

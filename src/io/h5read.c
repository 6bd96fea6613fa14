/*
 * h5read.c - generic read-only access to result files: what exists, child groups, n-D
 * datasets as float64 with their dimension names, and group attributes.
 *
 * Invariants: every hid_t starts as H5I_INVALID_HID and is closed in the cleanup block of the
 * function that opened it. Existence checks walk the path link by link (ps_h5__local_path), so
 * a missing intermediate group is "absent", never an HDF5 error, and external or soft links,
 * which popsim never writes, are never followed into other files. Dimension names come from the attached
 * dimension scales (H5DS), as netCDF-4 readers derive them; the scale's own dataset name is the
 * dimension name (docs/output-format.md).
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include "popsim/h5read.h"
#include "popsim/h5out.h" /* ps_h5_free_names */

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "h5guard_int.h"
#include "core/str_int.h"

struct ps_h5r_file {
    hid_t file;
    char *path; /* as given, for messages */
};

/* Name the file in the record unless a deeper layer already did. */
static ps_status fail(ps_error *err, ps_status code, const ps_h5r_file *f, const char *what,
                      const char *obj)
{
    ps_error_set(err, code, "cannot %s '%s'", what, obj);
    if (err != NULL && err->path[0] == '\0') {
        snprintf(err->path, sizeof err->path, "%s", f->path);
    }
    return code;
}

ps_status ps_h5r_open(ps_h5r_file **out, const char *path, ps_error *err)
{
    ps_status rc = PS_OK;
    ps_h5r_file *f = calloc(1, sizeof *f);
    *out = NULL;
    if (f != NULL) {
        f->file = H5I_INVALID_HID;
    }
    if (f == NULL || (f->path = ps__strdup(path)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory opening '%s'", path);
        goto done;
    }
    /* Through the validating layer (h5guard.c, issue #17), like ps_h5_read. */
    if ((rc = ps_h5__open_file(&f->file, path, err)) != PS_OK && err != NULL) {
        snprintf(err->path, sizeof err->path, "%s", path);
    }
done:
    if (rc == PS_OK) {
        *out = f;
    } else {
        ps_h5r_close(f);
    }
    return rc;
}

ps_h5r_kind ps_h5r_kind_of(const ps_h5r_file *f, const char *obj)
{
    ps_h5r_kind kind = PS_H5R_NONE;
    if (strcmp(obj, "/") != 0 && !ps_h5__local_path(f->file, obj)) {
        return PS_H5R_NONE;
    }
    hid_t o = H5Oopen(f->file, obj, H5P_DEFAULT);
    if (o >= 0) {
        H5I_type_t t = H5Iget_type(o);
        kind = t == H5I_GROUP ? PS_H5R_GROUP : t == H5I_DATASET ? PS_H5R_DATASET : PS_H5R_OTHER;
        H5Oclose(o);
    }
    return kind;
}

int ps_h5r_has_attr(const ps_h5r_file *f, const char *obj, const char *name)
{
    if (ps_h5r_kind_of(f, obj) == PS_H5R_NONE) {
        return 0;
    }
    return H5Aexists_by_name(f->file, obj, name, H5P_DEFAULT) > 0;
}

/* Name of link `idx` of `grp` as a new string, NULL on failure. */
static char *link_name(hid_t grp, H5_index_t order, hsize_t idx)
{
    ssize_t len = H5Lget_name_by_idx(grp, ".", order, H5_ITER_INC, idx, NULL, 0, H5P_DEFAULT);
    char *name = len < 0 ? NULL : malloc((size_t)len + 1);
    if (name != NULL && H5Lget_name_by_idx(grp, ".", order, H5_ITER_INC, idx, name,
                                           (size_t)len + 1, H5P_DEFAULT) < 0) {
        free(name);
        name = NULL;
    }
    return name;
}

/* Kind of the object link `name` of `grp` points at (PS_H5R_NONE for dangling links). */
static ps_h5r_kind child_kind(hid_t grp, const char *name)
{
    ps_h5r_kind kind = PS_H5R_NONE;
    hid_t o = ps_h5__local_path(grp, name) ? H5Oopen(grp, name, H5P_DEFAULT) : H5I_INVALID_HID;
    if (o >= 0) {
        H5I_type_t t = H5Iget_type(o);
        kind = t == H5I_GROUP ? PS_H5R_GROUP : t == H5I_DATASET ? PS_H5R_DATASET : PS_H5R_OTHER;
        H5Oclose(o);
    }
    return kind;
}

ps_status ps_h5r_children(char ***names_out, int *n_out, const ps_h5r_file *f, const char *group,
                          ps_h5r_kind kind, ps_error *err)
{
    hid_t grp = H5I_INVALID_HID;
    H5G_info_t info = { .nlinks = 0 };
    char **names = NULL;
    int n = 0;
    ps_status rc = PS_OK;
    *names_out = NULL;
    *n_out = 0;
    if (ps_h5r_kind_of(f, group) != PS_H5R_GROUP || (grp = ps_h5__open_group(f->file, group)) < 0 ||
        H5Gget_info(grp, &info) < 0) {
        rc = fail(err, PS_EHDF5, f, "open group", group);
        goto done;
    }
    if (info.nlinks > INT_MAX || info.nlinks > ps_h5__byte_limit(grp) / sizeof *names ||
        (names = calloc(info.nlinks + 1, sizeof *names)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory listing '%s'", group);
        goto done;
    }
    H5_index_t order = ps_h5__link_order(grp);
    for (hsize_t k = 0; k < info.nlinks && rc == PS_OK; ++k) {
        char *name = link_name(grp, order, k);
        if (name == NULL) {
            rc = fail(err, PS_EHDF5, f, "list the links of", group);
        } else if (kind == PS_H5R_NONE || child_kind(grp, name) == kind) {
            names[n++] = name;
        } else {
            free(name);
        }
    }
done:
    if (rc == PS_OK) {
        *names_out = names;
        *n_out = n;
    } else {
        ps_h5_free_names(names, n);
    }
    if (grp >= 0) {
        H5Gclose(grp);
    }
    return rc;
}


/* Looking up a dimension scale's name among the links of the variable's own group. */
typedef struct scale_lookup {
    hid_t grp;  /* the variable's group */
    char *name; /* found: new string; NULL if the scale is not a dataset of that group */
} scale_lookup;

/*
 * H5DSiterate_scales callback: the name of the first attached scale, the link of the
 * variable's group whose object has the scale's address (popsim writes every coordinate
 * beside its variables). H5Iget_name would search the whole file for a dereferenced scale's
 * name, and HDF5 1.10 crashes in that search on a corrupted group anywhere in the file
 * (fuzz_h5read); the variable's own group has already been read to open the variable.
 */
static herr_t scale_name(hid_t did, unsigned dim, hid_t dsid, void *data)
{
    scale_lookup *s = data;
    H5O_info_t want, info;
    H5G_info_t g = { .nlinks = 0 };
    (void)did;
    (void)dim;
    if (H5Oget_info2(dsid, &want, H5O_INFO_BASIC) < 0 || H5Gget_info(s->grp, &g) < 0) {
        return 1;
    }
    for (hsize_t k = 0; k < g.nlinks && s->name == NULL; ++k) {
        char *name = link_name(s->grp, H5_INDEX_NAME, k);
        if (name != NULL && ps_h5__local_path(s->grp, name) &&
            H5Oget_info_by_name2(s->grp, name, &info, H5O_INFO_BASIC, H5P_DEFAULT) >= 0 &&
            info.fileno == want.fileno && info.addr == want.addr) {
            s->name = name;
            name = NULL;
        }
        free(name);
    }
    return 1; /* stop after the first scale */
}

/* Dimension names of an open dataset: the attached scale of each axis, or "". */
static ps_status read_dim_names(ps_h5r_array *a, hid_t grp, hid_t ds, const char *dset,
                                ps_error *err)
{
    ps_status rc = PS_OK;
    /* The scales are found through a variable-length attribute: check it before HDF5 reads it. */
    if (H5Aexists(ds, "DIMENSION_LIST") > 0) {
        hid_t attr = H5Aopen(ds, "DIMENSION_LIST", H5P_DEFAULT);
        rc = attr < 0 ? ps_error_set(err, PS_EHDF5, "cannot open the dimensions of '%s'", dset)
                      : ps_h5__check_vlen(attr, 1, dset, err);
        if (attr >= 0) {
            H5Aclose(attr);
        }
    }
    for (int k = 0; k < a->rank && rc == PS_OK; ++k) {
        scale_lookup look = { grp, NULL };
        int first_scale = 0;
        if (grp >= 0 && H5DSget_num_scales(ds, (unsigned)k) > 0) {
            H5DSiterate_scales(ds, (unsigned)k, &first_scale, scale_name, &look);
        }
        a->dim_names[k] = look.name != NULL ? look.name : ps__strdup("");
        if (a->dim_names[k] == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for the dimensions of '%s'", dset);
        }
    }
    return rc;
}

/* Allocate dims, names and data for a dataspace checked by ps_h5__open_dataset (so the
 * product of its lengths is bounded). */
static ps_status alloc_array(ps_h5r_array *a, const ps_h5__shape *sh, const char *dset,
                             ps_error *err)
{
    a->rank = sh->rank;
    a->n = (size_t)sh->n;
    a->dims = calloc((size_t)sh->rank + 1, sizeof *a->dims);
    a->dim_names = calloc((size_t)sh->rank + 1, sizeof *a->dim_names);
    for (int k = 0; k < sh->rank && a->dims != NULL; ++k) {
        a->dims[k] = (size_t)sh->dims[k];
    }
    a->data = malloc((a->n > 0 ? a->n : 1) * sizeof *a->data);
    if (a->dims == NULL || a->dim_names == NULL || a->data == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", dset);
    }
    return PS_OK;
}

/* Values of the coordinates `year` and `age` (the last part of the path) in their ranges,
 * so that year arithmetic and loops over ages in the readers stay bounded. */
static ps_status check_coordinate(const ps_h5r_array *a, const char *dset, ps_error *err)
{
    const char *slash = strrchr(dset, '/');
    const char *base = slash != NULL ? slash + 1 : dset;
    ps_status rc = PS_OK;
    if (a->rank == 1 && strcmp(base, "year") == 0) {
        rc = ps_h5__check_years(a->data, a->n, dset, err);
    } else if (a->rank == 1 && strcmp(base, "age") == 0) {
        rc = ps_h5__check_ages(a->data, a->n, dset, err);
    }
    return rc;
}

/* Shape and dimension names of a dataset, and its values as float64 when with_data. */
static ps_status read_dataset(ps_h5r_array *out, const ps_h5r_file *f, const char *dset,
                              int with_data, ps_error *err)
{
    hid_t ds = H5I_INVALID_HID, grp = H5I_INVALID_HID;
    ps_h5__shape sh;
    ps_status rc = PS_OK;
    memset(out, 0, sizeof *out);
    if (ps_h5r_kind_of(f, dset) != PS_H5R_DATASET) {
        rc = fail(err, PS_EHDF5, f, "open dataset", dset);
        goto done;
    }
    if ((rc = ps_h5__open_dataset(&ds, &sh, f->file, dset,
                                  with_data ? PS_H5__NUMERIC : PS_H5__NUMERIC | PS_H5__STRING, -1,
                                  err)) != PS_OK) {
        goto done;
    }
    if ((rc = alloc_array(out, &sh, dset, err)) != PS_OK) {
        goto done;
    }
    /* The variable's group, where its coordinates are (scale_name). */
    const char *slash = strrchr(dset, '/');
    char *parent = slash != NULL && slash != dset ? ps__strdup(dset) : ps__strdup("/");
    if (parent == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", dset);
        goto done;
    }
    if (slash != NULL && slash != dset) {
        parent[slash - dset] = '\0';
    }
    grp = ps_h5__open_group(f->file, parent);
    free(parent);
    if ((rc = read_dim_names(out, grp, ds, dset, err)) != PS_OK) {
        goto done;
    }
    if (with_data && out->n > 0 && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out->data) < 0) {
        rc = fail(err, PS_EHDF5, f, "read dataset", dset);
        goto done;
    }
    if (with_data) {
        rc = check_coordinate(out, dset, err);
    }
done:
    if (rc != PS_OK) {
        ps_h5r_array_release(out);
        if (err != NULL && err->path[0] == '\0') {
            snprintf(err->path, sizeof err->path, "%s", f->path);
        }
    }
    if (grp >= 0) {
        H5Gclose(grp);
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    return rc;
}

ps_status ps_h5r_read_array(ps_h5r_array *out, const ps_h5r_file *f, const char *dset,
                            ps_error *err)
{
    return read_dataset(out, f, dset, 1, err);
}

ps_status ps_h5r_read_shape(ps_h5r_array *out, const ps_h5r_file *f, const char *dset,
                            ps_error *err)
{
    return read_dataset(out, f, dset, 0, err);
}

void ps_h5r_array_release(ps_h5r_array *a)
{
    if (a == NULL) {
        return;
    }
    for (int k = 0; a->dim_names != NULL && k < a->rank; ++k) {
        free(a->dim_names[k]);
    }
    free(a->dim_names);
    free(a->dims);
    free(a->data);
    memset(a, 0, sizeof *a);
}

ps_status ps_h5r_read_strings(char ***out, size_t *n_out, const ps_h5r_file *f, const char *dset,
                              ps_error *err)
{
    hid_t ds = H5I_INVALID_HID, ftype = H5I_INVALID_HID, mtype = H5I_INVALID_HID;
    ps_h5__shape sh;
    char **strings = NULL, *fixed = NULL;
    size_t n = 0;
    *out = NULL;
    *n_out = 0;
    ps_status rc = PS_OK;
    if (ps_h5r_kind_of(f, dset) != PS_H5R_DATASET) {
        rc = fail(err, PS_EHDF5, f, "open dataset", dset);
        goto done;
    }
    if ((rc = ps_h5__open_dataset(&ds, &sh, f->file, dset, PS_H5__STRING, 1, err)) != PS_OK ||
        (rc = ps_h5__check_vlen(ds, 0, dset, err)) != PS_OK) {
        goto done;
    }
    n = (size_t)sh.n;
    if ((strings = calloc(n > 0 ? n : 1, sizeof *strings)) == NULL ||
        (ftype = H5Dget_type(ds)) < 0) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", dset);
        goto done;
    }
    if (H5Tis_variable_str(ftype) > 0) {
        char **vlen = calloc(n > 0 ? n : 1, sizeof *vlen);
        if (vlen == NULL || (mtype = H5Tcopy(H5T_C_S1)) < 0 ||
            H5Tset_size(mtype, H5T_VARIABLE) < 0 || H5Tset_cset(mtype, H5T_CSET_UTF8) < 0 ||
            (n > 0 && H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, vlen) < 0)) {
            free(vlen);
            rc = fail(err, PS_EHDF5, f, "read strings of", dset);
            goto done;
        }
        for (size_t k = 0; k < n; ++k) {
            if (rc == PS_OK && (strings[k] = ps__strdup(vlen[k] != NULL ? vlen[k] : "")) == NULL) {
                rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", dset);
            }
            H5free_memory(vlen[k]);
        }
        free(vlen);
    } else {
        size_t size = H5Tget_size(ftype); /* bounded by ps_h5__open_dataset */
        if ((fixed = calloc(n * size + 1, 1)) == NULL || (mtype = H5Tcopy(ftype)) < 0 ||
            (n > 0 && H5Dread(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, fixed) < 0)) {
            rc = fail(err, PS_EHDF5, f, "read strings of", dset);
            goto done;
        }
        for (size_t k = 0; k < n && rc == PS_OK; ++k) {
            char *text = calloc(size + 1, 1);
            if (text == NULL) {
                rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", dset);
            } else {
                memcpy(text, fixed + k * size, size);
                strings[k] = text;
            }
        }
    }
done:
    if (rc != PS_OK && strings != NULL) {
        for (size_t k = 0; k < n; ++k) {
            free(strings[k]);
        }
        free(strings);
        strings = NULL;
        n = 0;
        if (err != NULL && err->path[0] == '\0') {
            snprintf(err->path, sizeof err->path, "%s", f->path);
        }
    }
    free(fixed);
    if (mtype >= 0) {
        H5Tclose(mtype);
    }
    if (ftype >= 0) {
        H5Tclose(ftype);
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    *out = strings;
    *n_out = n;
    return rc;
}

/* Read a string attribute whose type is `ftype` (variable or fixed length). */
static char *string_value(hid_t attr, hid_t ftype)
{
    char *text = NULL;
    hid_t mtype = H5Tcopy(ftype);
    if (mtype < 0) {
        return NULL;
    }
    if (H5Tis_variable_str(ftype) > 0) {
        char *vlen = NULL;
        if (H5Aread(attr, mtype, &vlen) >= 0) {
            text = ps__strdup(vlen != NULL ? vlen : "");
            H5free_memory(vlen);
        }
    } else {
        size_t size = H5Tget_size(ftype);
        text = size <= PS_H5__STRING_MAX ? calloc(size + 1, 1) : NULL;
        if (text != NULL &&
            (H5Tset_size(mtype, size + 1) < 0 || H5Tset_strpad(mtype, H5T_STR_NULLTERM) < 0 ||
             H5Aread(attr, mtype, text) < 0)) {
            free(text);
            text = NULL;
        }
    }
    H5Tclose(mtype);
    return text;
}

/* Open attribute `name` of `obj` and check it is a single value of class `want`. */
static ps_status open_attr(hid_t *attr_out, hid_t *type_out, const ps_h5r_file *f,
                           const char *obj, const char *name, int want_string, ps_error *err)
{
    hid_t attr = H5I_INVALID_HID, type = H5I_INVALID_HID, space = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    if (!ps_h5r_has_attr(f, obj, name) ||
        (attr = H5Aopen_by_name(f->file, obj, name, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        (type = H5Aget_type(attr)) < 0 || (space = H5Aget_space(attr)) < 0) {
        rc = ps_error_set(err, PS_EHDF5, "'%s' has no attribute '%s'", obj, name);
    } else {
        H5T_class_t cls = H5Tget_class(type);
        int ok = want_string ? cls == H5T_STRING : (cls == H5T_FLOAT || cls == H5T_INTEGER);
        if (!ok || H5Sget_simple_extent_npoints(space) != 1) {
            rc = ps_error_set(err, PS_EHDF5, "attribute '%s' of '%s' is not a single %s", name,
                              obj, want_string ? "string" : "number");
        }
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    if (rc != PS_OK) {
        if (type >= 0) {
            H5Tclose(type);
        }
        if (attr >= 0) {
            H5Aclose(attr);
        }
        attr = type = H5I_INVALID_HID;
    }
    *attr_out = attr;
    *type_out = type;
    return rc;
}

ps_status ps_h5r_attr_string(char **out, const ps_h5r_file *f, const char *obj, const char *name,
                             ps_error *err)
{
    hid_t attr = H5I_INVALID_HID, type = H5I_INVALID_HID;
    *out = NULL;
    ps_status rc = open_attr(&attr, &type, f, obj, name, 1, err);
    if (rc == PS_OK) {
        rc = ps_h5__check_vlen(attr, 1, name, err);
    }
    if (rc == PS_OK && (*out = string_value(attr, type)) == NULL) {
        rc = fail(err, PS_EHDF5, f, "read the string attribute", name);
    }
    if (type >= 0) {
        H5Tclose(type);
    }
    if (attr >= 0) {
        H5Aclose(attr);
    }
    return rc;
}

ps_status ps_h5r_attr_double(double *out, const ps_h5r_file *f, const char *obj,
                             const char *name, ps_error *err)
{
    hid_t attr = H5I_INVALID_HID, type = H5I_INVALID_HID;
    ps_status rc = open_attr(&attr, &type, f, obj, name, 0, err);
    if (rc == PS_OK && H5Aread(attr, H5T_NATIVE_DOUBLE, out) < 0) {
        rc = fail(err, PS_EHDF5, f, "read the numeric attribute", name);
    }
    if (type >= 0) {
        H5Tclose(type);
    }
    if (attr >= 0) {
        H5Aclose(attr);
    }
    return rc;
}

void ps_h5r_close(ps_h5r_file *f)
{
    if (f == NULL) {
        return;
    }
    if (f->file >= 0) {
        H5Fclose(f->file);
    }
    free(f->path);
    free(f);
}

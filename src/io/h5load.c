/*
 * h5load.c - the reader: ps_h5_read, the inverse of the writer (h5out.c), fills a ps_result
 * with everything a scenario group holds (core variables, birth order, the policy ledger,
 * services, care need, indicators, microsimulation outputs); ps_h5_read_provenance gives the
 * file's global attributes and /provenance rows. Shapes and names come from the schema
 * tables (h5schema.c), so a file that does not match them is reported, never guessed at;
 * every object is opened through the validating layer (h5guard.c, issue #17).
 *
 * Invariants: every hid_t starts as H5I_INVALID_HID and is closed in the cleanup block of the
 * function that opened it; on failure a reader releases what it filled. Parts that older
 * files lack (services' targets, the basis ages, emigration_shortfall) are left NaN or -1.
 */
#include "popsim/h5out.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/micro.h"
#include "popsim/policy.h"
#include "popsim/services.h"

#include <hdf5.h>

#include "core/str_int.h"
#include "h5guard_int.h"
#include "h5schema_int.h"

/* Every read opens the file through the validating layer (h5guard.c, issue #17). */
static ps_status open_file(hid_t *file, const char *path, ps_error *err)
{
    return ps_h5__open_file(file, path, err);
}

/* A string attribute's value into a new string (*out NULL when out of memory): variable- or
 * fixed-length as stored; HDF5 turns space or NUL padding into NUL termination. */
static herr_t string_value(char **out, hid_t attr, hid_t ftype)
{
    hid_t mtype = H5Tcopy(ftype);
    herr_t st = mtype < 0 ? -1 : 0;
    *out = NULL;
    if (st >= 0 && H5Tis_variable_str(ftype) > 0) {
        char *vlen = NULL;
        if ((st = H5Aread(attr, mtype, &vlen)) >= 0) {
            *out = ps__strdup(vlen != NULL ? vlen : "");
            H5free_memory(vlen);
        }
    } else if (st >= 0) {
        size_t size = H5Tget_size(ftype);
        char *text = size <= PS_H5__STRING_MAX ? calloc(size + 1, 1) : NULL;
        if (text != NULL && (H5Tset_size(mtype, size + 1) < 0 ||
                             H5Tset_strpad(mtype, H5T_STR_NULLTERM) < 0 ||
                             H5Aread(attr, mtype, text) < 0)) {
            st = -1;
            free(text);
            text = NULL;
        }
        *out = text;
    }
    if (mtype >= 0) {
        H5Tclose(mtype);
    }
    return st;
}

/* An integer attribute's value in decimal, as a new string (*out NULL when out of memory). */
static herr_t integer_value(char **out, hid_t attr, hid_t ftype)
{
    char text[32];
    herr_t st;
    *out = NULL;
    if (H5Tget_sign(ftype) == H5T_SGN_NONE) {
        unsigned long long u = 0;
        st = H5Aread(attr, H5T_NATIVE_ULLONG, &u);
        snprintf(text, sizeof text, "%llu", u);
    } else {
        long long s = 0;
        st = H5Aread(attr, H5T_NATIVE_LLONG, &s);
        snprintf(text, sizeof text, "%lld", s);
    }
    if (st >= 0) {
        *out = ps__strdup(text);
    }
    return st;
}

/* An attribute open with its file type and dataspace; H5I_INVALID_HID where not open. */
typedef struct open_attr {
    hid_t attr, ftype, space;
} open_attr;

/* Open attribute `name` of `obj` with its type and dataspace (close with attr_close, also
 * after a failure). @return PS_OK; PS_EHDF5 naming the attribute */
static ps_status attr_open(open_attr *a, hid_t obj, const char *name, ps_error *err)
{
    a->ftype = a->space = H5I_INVALID_HID;
    if ((a->attr = H5Aopen(obj, name, H5P_DEFAULT)) < 0 ||
        (a->ftype = H5Aget_type(a->attr)) < 0 || (a->space = H5Aget_space(a->attr)) < 0) {
        return ps_h5__fail(err, "open attribute", obj, name);
    }
    return PS_OK;
}

static void attr_close(const open_attr *a)
{
    if (a->space >= 0) {
        H5Sclose(a->space);
    }
    if (a->ftype >= 0) {
        H5Tclose(a->ftype);
    }
    if (a->attr >= 0) {
        H5Aclose(a->attr);
    }
}

/* The text of scalar attribute `name` of `obj` into a new string the caller frees. */
static ps_status attr_text(char **out, hid_t obj, const char *name, ps_error *err)
{
    open_attr a;
    char *text = NULL;
    ps_status rc = attr_open(&a, obj, name, err);
    if (rc != PS_OK) {
        goto done;
    }
    H5T_class_t cls = H5Tget_class(a.ftype);
    if (H5Sget_simple_extent_npoints(a.space) != 1 || (cls != H5T_STRING && cls != H5T_INTEGER)) {
        rc = ps_error_set(err, PS_EHDF5, "attribute '%s' is not a single string or integer",
                          name);
        goto done;
    }
    if (cls == H5T_STRING && (rc = ps_h5__check_vlen(a.attr, 1, name, err)) != PS_OK) {
        goto done;
    }
    herr_t st = cls == H5T_STRING ? string_value(&text, a.attr, a.ftype)
                                  : integer_value(&text, a.attr, a.ftype);
    if (st < 0) {
        rc = ps_h5__fail(err, "read attribute", obj, name);
    } else if (text == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for attribute '%s'", name);
    }
done:
    attr_close(&a);
    *out = text;
    return rc;
}

ps_status ps_h5_read_attr(char *buf, unsigned long size, const char *path, const char *attr,
                          ps_error *err)
{
    hid_t file = H5I_INVALID_HID;
    char *text = NULL;
    ps_status rc = open_file(&file, path, err);
    if (rc == PS_OK && (rc = attr_text(&text, file, attr, err)) == PS_OK && size > 0) {
        snprintf(buf, size, "%s", text);
    }
    if (rc != PS_OK) {
        ps_h5__note_path(err, path);
    }
    free(text);
    if (file >= 0) {
        H5Fclose(file);
    }
    return rc;
}

/* Name of link `idx` of `grp` into a new string (creation order when tracked, else name). */
static ps_status link_name(char **out, hid_t grp, H5_index_t order, hsize_t idx, ps_error *err)
{
    ps_status rc = PS_OK;
    ssize_t len = H5Lget_name_by_idx(grp, ".", order, H5_ITER_INC, idx, NULL, 0, H5P_DEFAULT);
    char *name = len < 0 ? NULL : malloc((size_t)len + 1);
    if (len < 0) {
        rc = ps_h5__fail(err, "list the links of group", grp, ".");
    } else if (name == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for a scenario name");
    } else if (H5Lget_name_by_idx(grp, ".", order, H5_ITER_INC, idx, name, (size_t)len + 1,
                                  H5P_DEFAULT) < 0) {
        rc = ps_h5__fail(err, "list the links of group", grp, ".");
        free(name);
        name = NULL;
    }
    *out = name;
    return rc;
}

ps_status ps_h5_list(char ***names_out, int *n_out, const char *path, ps_error *err)
{
    hid_t file = H5I_INVALID_HID, scenarios = H5I_INVALID_HID;
    H5G_info_t info = { .nlinks = 0 };
    char **names = NULL;
    *names_out = NULL;
    *n_out = 0;
    ps_status rc = open_file(&file, path, err);
    if (rc != PS_OK) {
        goto done;
    }
    if ((scenarios = ps_h5__open_group(file, "scenarios")) < 0 ||
        H5Gget_info(scenarios, &info) < 0) {
        rc = ps_h5__fail(err, "open group", file, "scenarios");
        goto done;
    }
    if (info.nlinks > INT_MAX || info.nlinks > ps_h5__byte_limit(file) / sizeof *names ||
        (names = calloc(info.nlinks + 1, sizeof *names)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for %llu scenario names",
                          (unsigned long long)info.nlinks);
        goto done;
    }
    H5_index_t order = ps_h5__link_order(scenarios);
    for (hsize_t k = 0; k < info.nlinks && rc == PS_OK; ++k) {
        rc = link_name(&names[k], scenarios, order, k, err);
    }
done:
    if (rc == PS_OK) {
        *names_out = names;
        *n_out = (int)info.nlinks;
    } else {
        ps_h5_free_names(names, (int)info.nlinks);
        ps_h5__note_path(err, path);
    }
    if (scenarios >= 0) {
        H5Gclose(scenarios);
    }
    if (file >= 0) {
        H5Fclose(file);
    }
    return rc;
}

void ps_h5_free_names(char **names, int n)
{
    if (names == NULL) {
        return;
    }
    for (int k = 0; k < n; ++k) {
        free(names[k]);
    }
    free(names);
}

/* The shape of a scenario group, from its coordinates. */
typedef struct shape {
    int start_year;
    int n_years, n_regions, n_ages;
} shape;

/* Open 1-D dataset `name` and check its length: `want` values, or at least one if want is 0. */
static ps_status open_1d(hid_t *ds_out, int *len_out, hid_t grp, const char *name, int want,
                         unsigned kinds, ps_error *err)
{
    hid_t ds = H5I_INVALID_HID;
    ps_h5__shape sh;
    hsize_t len = 0;
    ps_status rc = ps_h5__open_dataset(&ds, &sh, grp, name, kinds, 1, err);
    if (rc == PS_OK) {
        len = sh.dims[0];
    }
    if (rc == PS_OK && (len < 1 || len > INT_MAX || (want > 0 && len != (hsize_t)want))) {
        rc = ps_error_set(err, PS_EHDF5, "coordinate '%s' should be 1-D with %s%d values", name,
                          want > 0 ? "" : "at least ", want > 0 ? want : 1);
    }
    if (rc != PS_OK && ds >= 0) {
        H5Dclose(ds);
        ds = H5I_INVALID_HID;
    }
    *ds_out = ds;
    *len_out = rc == PS_OK ? (int)len : 0;
    return rc;
}

/* Length and values of an int32 coordinate. */
static ps_status read_int_coord(int32_t **values_out, int *len_out, hid_t grp, const char *name,
                                ps_error *err)
{
    hid_t ds = H5I_INVALID_HID;
    int32_t *values = NULL;
    ps_status rc = open_1d(&ds, len_out, grp, name, 0, PS_H5__NUMERIC, err);
    if (rc == PS_OK && (values = malloc((size_t)*len_out * sizeof *values)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for coordinate '%s'", name);
    }
    if (rc == PS_OK && H5Dread(ds, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) < 0) {
        rc = ps_h5__fail(err, "read coordinate", grp, name);
    }
    if (rc != PS_OK) {
        free(values);
        values = NULL;
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    *values_out = values;
    return rc;
}

/* Free an array of strings HDF5 allocated for a variable-length read. */
static void free_h5_strings(char **strings, int n)
{
    if (strings == NULL) {
        return;
    }
    for (int k = 0; k < n; ++k) {
        H5free_memory(strings[k]);
    }
    free(strings);
}

/* The labels of a string coordinate (`want` of them, any number if 0) and their count;
 * free them with free_h5_strings. */
static ps_status read_str_coord(char ***out, int *len_out, hid_t grp, const char *name, int want,
                                ps_error *err)
{
    hid_t ds = H5I_INVALID_HID, str = H5I_INVALID_HID;
    char **strings = NULL;
    ps_status rc = open_1d(&ds, len_out, grp, name, want, PS_H5__STRING, err);
    int len = *len_out;
    if (rc == PS_OK) {
        rc = ps_h5__check_vlen(ds, 0, name, err);
    }
    if (rc == PS_OK && (strings = calloc((size_t)len, sizeof *strings)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for coordinate '%s'", name);
    }
    if (rc == PS_OK && ((str = ps_h5__string_type()) < 0 ||
                        H5Dread(ds, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, strings) < 0)) {
        rc = ps_h5__fail(err, "read coordinate", grp, name);
    }
    for (int k = 0; k < len && rc == PS_OK; ++k) {
        if (strings[k] == NULL) {
            rc = ps_error_set(err, PS_EHDF5, "coordinate '%s' has a missing label", name);
        }
    }
    if (rc != PS_OK) {
        free_h5_strings(strings, len);
        strings = NULL;
        *len_out = 0;
    }
    if (str >= 0) {
        H5Tclose(str);
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    *out = strings;
    return rc;
}

/* Years must be consecutive and ages 0..n-1, as ps_result indexes them; sex male, female. */
static ps_status read_shape(shape *sh, hid_t grp, ps_error *err)
{
    int32_t *years = NULL, *ages = NULL;
    char **sexes = NULL;
    int n_sexes = 0;
    ps_status rc = read_int_coord(&years, &sh->n_years, grp, "year", err);
    if (rc != PS_OK || (rc = read_int_coord(&ages, &sh->n_ages, grp, "age", err)) != PS_OK ||
        (rc = read_str_coord(&sexes, &n_sexes, grp, "sex", PS_SEX_COUNT, err)) != PS_OK) {
        goto done;
    }
    /* Bounded years keep start + n_years (and every loop over years) inside an int. */
    sh->start_year = (int)years[0];
    if (years[0] < PS_H5__YEAR_MIN || years[0] > PS_H5__YEAR_MAX ||
        sh->n_years > PS_H5__YEAR_MAX - years[0] + 1) {
        rc = ps_error_set(err, PS_EHDF5, "coordinate 'year' should hold consecutive calendar "
                          "years in %d..%d; has %d values from %d", PS_H5__YEAR_MIN,
                          PS_H5__YEAR_MAX, sh->n_years, (int)years[0]);
    }
    if (rc == PS_OK && sh->n_ages > PS_H5__AGE_MAX + 1) {
        rc = ps_error_set(err, PS_EHDF5, "coordinate 'age' should hold ages 0..%d at most; has "
                          "%d values", PS_H5__AGE_MAX, sh->n_ages);
    }
    for (int year = 1; year < sh->n_years && rc == PS_OK; ++year) {
        if (years[year] != years[0] + year) {
            rc = ps_error_set(err, PS_EHDF5, "coordinate 'year' is not consecutive at %d",
                              (int)years[year]);
        }
    }
    for (int age = 0; age < sh->n_ages && rc == PS_OK; ++age) {
        if (ages[age] != age) {
            rc = ps_error_set(err, PS_EHDF5, "coordinate 'age' should run 0, 1, ...; has %d at "
                              "position %d", (int)ages[age], age);
        }
    }
    for (int sex = 0; sex < PS_SEX_COUNT && rc == PS_OK; ++sex) {
        if (strcmp(sexes[sex], ps_sex_name((ps_sex)sex)) != 0) {
            rc = ps_error_set(err, PS_EHDF5, "coordinate 'sex' should be male, female; has '%s'",
                              sexes[sex]);
        }
    }
done:
    free_h5_strings(sexes, n_sexes);
    free(years);
    free(ages);
    return rc;
}

/* Lengths of the result's fixed dimensions; the per-group ones (class, level, ...) are 0 until
 * the caller sets them from the group's coordinates. */
static void result_lens(hsize_t len[DIM_COUNT], const ps_result *r)
{
    for (int d = 0; d < DIM_COUNT; ++d) {
        len[d] = 0;
    }
    len[DIM_YEAR] = (hsize_t)r->n_years;
    len[DIM_REGION] = (hsize_t)r->n_regions;
    len[DIM_SEX] = PS_SEX_COUNT;
    len[DIM_AGE] = (hsize_t)r->n_ages;
    len[DIM_ORDER] = PS_ORDER_COUNT;
    len[DIM_PARITY] = PS_PARITY_COUNT;
}

/* Open a variable and check its shape against the schema's dimensions with lengths `len`
 * (the dataset's own size was bounded by ps_h5__open_dataset). */
static ps_status open_var(hid_t *ds_out, ps_h5__shape *sh, hid_t grp,
                          const hsize_t len[DIM_COUNT], const var_spec *spec, ps_error *err)
{
    ps_status rc = ps_h5__open_dataset(ds_out, sh, grp, spec->name, PS_H5__NUMERIC, spec->rank,
                                       err);
    int rank_ok = 1;
    for (int k = 0; k < spec->rank && rank_ok && rc == PS_OK; ++k) {
        rank_ok = sh->dims[k] == len[spec->dims[k]];
    }
    if (rc == PS_OK && !rank_ok) {
        rc = ps_error_set(err, PS_EHDF5, "variable '%s' does not have the shape of its %d "
                          "coordinates", spec->name, spec->rank);
    }
    if (rc != PS_OK && *ds_out >= 0) {
        H5Dclose(*ds_out);
        *ds_out = H5I_INVALID_HID;
    }
    return rc;
}

/* Read one variable into `data` (room for its cells) after checking its shape. */
static ps_status read_var_len(hid_t grp, const hsize_t len[DIM_COUNT], const var_spec *spec,
                              double *data, ps_error *err)
{
    hid_t ds = H5I_INVALID_HID;
    ps_h5__shape sh;
    ps_status rc = open_var(&ds, &sh, grp, len, spec, err);
    if (rc == PS_OK && sh.n > 0 &&
        H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        rc = ps_h5__fail(err, "read variable", grp, spec->name);
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    return rc;
}

static ps_status read_var(hid_t grp, const ps_result *r, const var_spec *spec, double *data,
                          ps_error *err)
{
    hsize_t len[DIM_COUNT];
    result_lens(len, r);
    return read_var_len(grp, len, spec, data, err);
}

/* Shape, labels and title of the group, then a NaN-filled result of that shape. */
static ps_status init_from_group(ps_result *out, hid_t grp, const char *scenario, ps_error *err)
{
    shape sh = { 0, 0, 0, 0 };
    char **regions = NULL;
    char *title = NULL;
    ps_status rc = read_shape(&sh, grp, err);
    if (rc != PS_OK ||
        (rc = read_str_coord(&regions, &sh.n_regions, grp, "region", 0, err)) != PS_OK) {
        goto done;
    }
    if (H5Aexists(grp, "title") > 0 && (rc = attr_text(&title, grp, "title", err)) != PS_OK) {
        goto done;
    }
    /* The coordinates size every array of the result: bound them before allocating. */
    uint64_t limit = ps_h5__byte_limit(grp);
    if ((uint64_t)sh.n_regions > limit / sizeof(double) / PS_SEX_COUNT / (uint64_t)sh.n_years /
                                     (uint64_t)sh.n_ages) {
        rc = ps_error_set(err, PS_EHDF5, "coordinates year (%d), region (%d) and age (%d) "
                          "describe arrays larger than the limit of %llu bytes for this file",
                          sh.n_years, sh.n_regions, sh.n_ages, (unsigned long long)limit);
        goto done;
    }
    rc = ps_result_init(out, scenario, title, sh.start_year, sh.n_years, sh.n_regions, sh.n_ages,
                        (const char *const *)regions, err);
done:
    free_h5_strings(regions, sh.n_regions);
    free(title);
    return rc;
}

/* A scalar attribute as a double: any floating-point type converts, and an integer type too
 * when allow_int (the services' counts); else "not a single (floating-point) number". */
static ps_status attr_read_scalar(double *out, hid_t obj, const char *name, int allow_int,
                                  ps_error *err)
{
    open_attr a;
    ps_status rc = attr_open(&a, obj, name, err);
    if (rc == PS_OK && (H5Sget_simple_extent_npoints(a.space) != 1 ||
                        (H5Tget_class(a.ftype) != H5T_FLOAT &&
                         !(allow_int && H5Tget_class(a.ftype) == H5T_INTEGER)))) {
        rc = ps_error_set(err, PS_EHDF5, "attribute '%s' is not a single %snumber", name,
                          allow_int ? "" : "floating-point ");
    } else if (rc == PS_OK && H5Aread(a.attr, H5T_NATIVE_DOUBLE, out) < 0) {
        rc = ps_h5__fail(err, "read attribute", obj, name);
    }
    attr_close(&a);
    return rc;
}

/* A scalar float64 attribute (any float type converts). */
static ps_status attr_read_double(double *out, hid_t obj, const char *name, ps_error *err)
{
    return attr_read_scalar(out, obj, name, 0, err);
}

/* Room for births_by_order and women_by_parity when the file has them (read with the rest). */
static ps_status init_parity(ps_result *out, hid_t grp, ps_error *err)
{
    ps_status rc = PS_OK;
    if (H5Lexists(grp, var_specs[VAR_BIRTHS_BY_ORDER].name, H5P_DEFAULT) > 0) {
        rc = ps_result_init_parity(out, err);
    }
    if (rc == PS_OK && /* issue #12: the jump-off calibration's factors */
        H5Lexists(grp, var_specs[VAR_FERTILITY_CALIBRATION].name, H5P_DEFAULT) > 0 &&
        (out->fertility_calibration = malloc((size_t)out->n_years * sizeof(double))) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for fertility_calibration");
    }
    for (int payer = 0; payer < PS_LEDGER_PAYERS && rc == PS_OK; ++payer) { /* caps by year */
        if (H5Lexists(grp, var_specs[VAR_BUDGET_CAP_CENTRAL + payer].name, H5P_DEFAULT) > 0 &&
            (out->budget_cap_by_year[payer] = malloc((size_t)out->n_years * sizeof(double))) ==
                NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for the budget caps by year");
        }
    }
    return rc;
}

/* The lever named by an instrument group's `lever` attribute. */
static ps_status read_lever(ps_lever *out, hid_t inst, const char *name, ps_error *err)
{
    char *text = NULL;
    int found = -1;
    ps_status rc = attr_text(&text, inst, "lever", err);
    for (int k = 0; k < PS_LEVER_COUNT && rc == PS_OK && found < 0; ++k) {
        if (strcmp(text, ps_lever_name((ps_lever)k)) == 0) {
            found = k;
        }
    }
    if (rc == PS_OK && found < 0) {
        rc = ps_error_set(err, PS_EHDF5, "instrument '%s' has an unknown lever '%s'", name, text);
    } else if (rc == PS_OK) {
        *out = (ps_lever)found;
    }
    free(text);
    return rc;
}

/* The instrument groups of /policy in the order they were written: names (new strings the
 * caller frees) and levers. Links that are not groups (births_gained) are skipped. */
static ps_status list_instruments(char ***names_out, ps_lever **levers_out, int *n_out,
                                  hid_t policy, ps_error *err)
{
    H5G_info_t info = { .nlinks = 0 };
    char **names = NULL;
    ps_lever *levers = NULL;
    int n = 0;
    ps_status rc = PS_OK;
    if (H5Gget_info(policy, &info) < 0) {
        rc = ps_h5__fail(err, "list the links of group", policy, ".");
        goto done;
    }
    if (info.nlinks > INT_MAX || info.nlinks > ps_h5__byte_limit(policy) / sizeof *names ||
        (names = calloc(info.nlinks + 1, sizeof *names)) == NULL ||
        (levers = calloc(info.nlinks + 1, sizeof *levers)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for %llu instrument names",
                          (unsigned long long)info.nlinks);
        goto done;
    }
    H5_index_t order = ps_h5__link_order(policy);
    for (hsize_t k = 0; k < info.nlinks && rc == PS_OK; ++k) {
        char *name = NULL;
        hid_t obj = H5I_INVALID_HID;
        if ((rc = link_name(&name, policy, order, k, err)) != PS_OK) {
            break;
        }
        if (!ps_h5__local_path(policy, name) || (obj = H5Oopen(policy, name, H5P_DEFAULT)) < 0) {
            rc = ps_h5__fail(err, "open", policy, name);
        } else if (H5Iget_type(obj) == H5I_GROUP &&
                   (rc = read_lever(&levers[n], obj, name, err)) == PS_OK) {
            names[n++] = name;
            name = NULL;
        }
        if (obj >= 0) {
            H5Oclose(obj);
        }
        free(name);
    }
done:
    if (rc != PS_OK) {
        for (int k = 0; k < n; ++k) {
            free(names[k]);
        }
        free(names);
        free(levers);
        names = NULL;
        levers = NULL;
        n = 0;
    }
    *names_out = names;
    *levers_out = levers;
    *n_out = n;
    return rc;
}

static int has_link(hid_t grp, const char *name);

/* births_gained and every instrument's ledger from an open /policy group. */
static ps_status read_policy_group(ps_result *out, hid_t policy, const char *baseline,
                                   ps_error *err)
{
    char **names = NULL;
    ps_lever *levers = NULL;
    int n = 0;
    ps_status rc = list_instruments(&names, &levers, &n, policy, err);
    if (rc != PS_OK || (rc = ps_result_init_policy(out, baseline, n,
                                                   (const char *const *)names, levers, err)) !=
                           PS_OK) {
        goto done;
    }
    if (H5Lexists(policy, births_gained_spec.name, H5P_DEFAULT) > 0) {
        rc = read_var(policy, out, &births_gained_spec, out->births_gained, err);
    }
    for (int k = 0; k < n && rc == PS_OK; ++k) {
        hid_t inst = ps_h5__open_group(policy, names[k]);
        if (inst < 0) {
            rc = ps_h5__fail(err, "open group", policy, names[k]);
        }
        for (int v = 0; v < LEDGER_COUNT && rc == PS_OK; ++v) {
            rc = read_var(inst, out, &ledger_specs[v],
                          ps_h5__ledger_data(&out->ledger[k], (ledger_var)v),
                          err);
        }
        if (rc == PS_OK && has_link(inst, ledger_payer_spec.name)) { /* issue #12 */
            hsize_t len[DIM_COUNT];
            result_lens(len, out);
            len[DIM_PAYER] = PS_LEDGER_PAYERS;
            rc = read_var_len(inst, len, &ledger_payer_spec, out->ledger[k].cost_by_payer, err);
        }
        if (inst >= 0) {
            H5Gclose(inst);
        }
    }
done:
    for (int k = 0; k < n; ++k) {
        free(names[k]);
    }
    free(names);
    free(levers);
    return rc;
}

/* The policy part (group, baseline name, totals), when the file has one. */
static ps_status read_policy(ps_result *out, hid_t grp, ps_error *err)
{
    hid_t policy = H5I_INVALID_HID;
    char *baseline = NULL;
    ps_status rc = PS_OK;
    if (H5Lexists(grp, policy_group, H5P_DEFAULT) <= 0) {
        goto done;
    }
    if (H5Aexists(grp, "baseline") > 0 && (rc = attr_text(&baseline, grp, "baseline", err)) !=
                                              PS_OK) {
        goto done;
    }
    if ((policy = ps_h5__open_group(grp, policy_group)) < 0) {
        rc = ps_h5__fail(err, "open group", grp, policy_group);
        goto done;
    }
    if ((rc = read_policy_group(out, policy, baseline, err)) != PS_OK) {
        goto done;
    }
    for (size_t k = 0; k < sizeof policy_attrs / sizeof policy_attrs[0] && rc == PS_OK; ++k) {
        if (H5Aexists(grp, policy_attrs[k].name) > 0) {
            double value = NAN;
            if ((rc = attr_read_double(&value, grp, policy_attrs[k].name, err)) == PS_OK) {
                memcpy((char *)out + policy_attrs[k].offset, &value, sizeof value);
            }
        }
    }
done:
    if (policy >= 0) {
        H5Gclose(policy);
    }
    free(baseline);
    return rc;
}

/* ---- services, care need, indicators, microsimulation ------------------------------------ */

/* A scalar numeric attribute (integer or floating point) as a double. */
static ps_status attr_read_number(double *out, hid_t obj, const char *name, ps_error *err)
{
    return attr_read_scalar(out, obj, name, 1, err);
}

/* An optional string attribute: a new string, or NULL (and PS_OK) when absent. */
static ps_status attr_text_opt(char **out, hid_t obj, const char *name, ps_error *err)
{
    *out = NULL;
    return H5Aexists(obj, name) > 0 ? attr_text(out, obj, name, err) : PS_OK;
}

static int has_link(hid_t grp, const char *name)
{
    return H5Lexists(grp, name, H5P_DEFAULT) > 0 && ps_h5__local_path(grp, name);
}

/* The labels of string coordinate `name` as new strings (malloc'ed, like ps_result's). */
static ps_status read_labels(char ***out, int *n_out, hid_t grp, const char *name, ps_error *err)
{
    char **h5 = NULL, **labels = NULL;
    int n = 0;
    ps_status rc = read_str_coord(&h5, &n, grp, name, 0, err);
    if (rc == PS_OK && (labels = calloc((size_t)n + 1, sizeof *labels)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for coordinate '%s'", name);
    }
    for (int k = 0; k < n && rc == PS_OK; ++k) {
        if ((labels[k] = ps__strdup(h5[k])) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for coordinate '%s'", name);
        }
    }
    free_h5_strings(h5, n);
    if (rc != PS_OK) {
        ps_h5_free_names(labels, n);
        labels = NULL;
        n = 0;
    }
    *out = labels;
    *n_out = n;
    return rc;
}

/* The child groups of `parent` in creation order, as new strings. */
static ps_status child_groups(char ***names_out, int *n_out, hid_t parent, ps_error *err)
{
    H5G_info_t info = { .nlinks = 0 };
    char **names = NULL;
    int n = 0;
    ps_status rc = PS_OK;
    if (H5Gget_info(parent, &info) < 0) {
        rc = ps_h5__fail(err, "list the links of group", parent, ".");
    } else if (info.nlinks > INT_MAX || info.nlinks > ps_h5__byte_limit(parent) / sizeof *names ||
               (names = calloc(info.nlinks + 1, sizeof *names)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for %llu group names",
                          (unsigned long long)info.nlinks);
    }
    H5_index_t order = rc == PS_OK ? ps_h5__link_order(parent) : H5_INDEX_NAME;
    for (hsize_t k = 0; k < info.nlinks && rc == PS_OK; ++k) {
        char *name = NULL;
        hid_t obj = H5I_INVALID_HID;
        if ((rc = link_name(&name, parent, order, k, err)) != PS_OK) {
            break;
        }
        if (!ps_h5__local_path(parent, name) || (obj = H5Oopen(parent, name, H5P_DEFAULT)) < 0) {
            rc = ps_h5__fail(err, "open", parent, name);
        } else if (H5Iget_type(obj) == H5I_GROUP) {
            names[n++] = name;
            name = NULL;
        }
        if (obj >= 0) {
            H5Oclose(obj);
        }
        free(name);
    }
    if (rc != PS_OK) {
        ps_h5_free_names(names, n);
        names = NULL;
        n = 0;
    }
    *names_out = names;
    *n_out = n;
    return rc;
}

/* A new array read from `spec` when the group has it (else NULL): the dataset is opened and
 * its shape checked before anything is allocated, so coordinates cannot size the array. */
static ps_status read_opt(double **out, hid_t grp, const hsize_t len[DIM_COUNT],
                          const var_spec *spec, ps_error *err)
{
    hid_t ds = H5I_INVALID_HID;
    ps_h5__shape sh;
    double *data = NULL;
    *out = NULL;
    if (!has_link(grp, spec->name)) {
        return PS_OK;
    }
    ps_status rc = open_var(&ds, &sh, grp, len, spec, err);
    if (rc == PS_OK && (data = malloc((sh.n > 0 ? (size_t)sh.n : 1) * sizeof *data)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for '%s'", spec->name);
    }
    if (rc == PS_OK && sh.n > 0 &&
        H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        rc = ps_h5__fail(err, "read variable", grp, spec->name);
    }
    if (rc != PS_OK) {
        free(data);
        data = NULL;
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    *out = data;
    return rc;
}

/* Kind, title, basis and its ages of a service group (unknown kinds read as "other", as
 * later popsims may add kinds; an unknown basis is an error: the target cannot be read). */
static ps_status read_service_attrs(ps_svc_result *s, hid_t sg, ps_error *err)
{
    char *kind = NULL, *basis = NULL;
    ps_status rc = attr_text_opt(&kind, sg, "kind", err);
    if (rc == PS_OK) {
        rc = attr_text_opt(&basis, sg, "basis", err);
    }
    if (rc == PS_OK) {
        rc = attr_text_opt(&s->title, sg, "title", err);
    }
    s->kind = PS_SVC_OTHER;
    for (int k = 0; kind != NULL && k < PS_SVC_KIND_COUNT; ++k) {
        if (strcmp(kind, ps_svc_kind_name((ps_svc_kind)k)) == 0) {
            s->kind = k;
        }
    }
    s->basis = basis == NULL ? PS_SVC_BASIS_NONE : -1;
    for (int b = 0; basis != NULL && b < PS_SVC_BASIS_COUNT; ++b) {
        if (strcmp(basis, ps_svc_basis_name((ps_svc_basis)b)) == 0) {
            s->basis = b;
        }
    }
    if (rc == PS_OK && s->basis < 0) {
        rc = ps_error_set(err, PS_EHDF5, "service '%s' has an unknown basis '%s'", s->name,
                          basis);
    }
    s->basis_age_lo = s->basis_age_hi = -1; /* unknown: files before the attributes */
    double lo = 0.0, hi = 0.0;
    if (rc == PS_OK && s->basis == PS_SVC_BASIS_AGES && H5Aexists(sg, "basis_from_age") > 0 &&
        H5Aexists(sg, "basis_to_age") > 0 &&
        (rc = attr_read_number(&lo, sg, "basis_from_age", err)) == PS_OK &&
        (rc = attr_read_number(&hi, sg, "basis_to_age", err)) == PS_OK) {
        if (!(lo >= 0.0 && lo <= hi && hi <= PS_H5__AGE_MAX)) {
            rc = ps_error_set(err, PS_EHDF5, "service '%s': basis ages %g..%g are not within "
                              "0..%d", s->name, lo, hi, PS_H5__AGE_MAX);
        } else {
            s->basis_age_lo = (int)lo;
            s->basis_age_hi = (int)hi;
        }
    }
    free(kind);
    free(basis);
    return rc;
}

/* One services/<service> group into s, which the result owns from the start. */
static ps_status read_service(ps_svc_result *s, const ps_result *r, hid_t sg, const char *name,
                              ps_error *err)
{
    hsize_t len[DIM_COUNT];
    ps_status rc = PS_OK;
    result_lens(len, r);
    if ((s->name = ps__strdup(name)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if ((rc = read_service_attrs(s, sg, err)) != PS_OK) {
        return rc;
    }
    if (has_link(sg, dim_specs[DIM_CLASS].name) &&
        (rc = read_labels(&s->class_names, &s->n_classes, sg, dim_specs[DIM_CLASS].name, err)) !=
            PS_OK) {
        return rc;
    }
    if (has_link(sg, dim_specs[DIM_HOME].name) &&
        (rc = read_labels(&s->home_names, &s->n_home, sg, dim_specs[DIM_HOME].name, err)) !=
            PS_OK) {
        return rc;
    }
    len[DIM_CLASS] = (hsize_t)s->n_classes;
    len[DIM_HOME] = (hsize_t)s->n_home;
    double **vars[SVC_VAR_COUNT] = {
        &s->demand, &s->capacity, &s->shortage, &s->surplus, &s->utilization, &s->per_1000,
        &s->staff, &s->groups, &s->cost, &s->fees, &s->subsidy, &s->subsidy_recipients,
        &s->new_places, &s->nursing_capacity, &s->stock, &s->stock_public, &s->stock_staff,
        &s->demand_served, &s->gap_target, &s->gap_demand, &s->build,
    };
    for (int v = 0; v < SVC_VAR_COUNT && rc == PS_OK; ++v) {
        rc = read_opt(vars[v], sg, len, &svc_specs[v], err);
    }
    if (rc == PS_OK && s->demand == NULL) {
        rc = ps_error_set(err, PS_EHDF5, "service '%s' has no '%s'", name,
                          svc_specs[SVC_DEMAND].name);
    }
    /* The gaps are needed wherever there is a capacity. */
    if (rc == PS_OK && s->capacity != NULL && (s->shortage == NULL || s->surplus == NULL)) {
        rc = ps_error_set(err, PS_EHDF5, "service '%s' has a capacity but no '%s' or '%s'",
                          name, svc_specs[SVC_SHORTAGE].name, svc_specs[SVC_SURPLUS].name);
    }
    if (rc == PS_OK) {
        rc = read_opt(&s->target, sg, len, &svc_target_spec, err);
    }
    if (rc == PS_OK && s->n_classes > 0) {
        rc = read_opt(&s->demand_by_class, sg, len, &svc_by_class_spec, err);
    }
    if (rc == PS_OK && s->n_home > 0) {
        rc = read_opt(&s->home_services, sg, len, &svc_home_spec, err);
    }
    return rc;
}

static ps_status read_services(ps_result *out, hid_t grp, ps_error *err)
{
    hid_t svg = H5I_INVALID_HID;
    char **names = NULL;
    int n = 0;
    ps_status rc = PS_OK;
    if (!has_link(grp, "services")) {
        return PS_OK;
    }
    if ((svg = ps_h5__open_group(grp, "services")) < 0) {
        rc = ps_h5__fail(err, "open group", grp, "services");
        goto done;
    }
    if ((rc = child_groups(&names, &n, svg, err)) != PS_OK) {
        goto done;
    }
    if ((out->services = calloc((size_t)n + 1, sizeof *out->services)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for %d services", n);
        goto done;
    }
    for (int k = 0; k < n && rc == PS_OK; ++k) {
        hid_t sg = ps_h5__open_group(svg, names[k]);
        out->n_services = k + 1;
        rc = sg < 0 ? ps_h5__fail(err, "open group", svg, names[k])
                    : read_service(&out->services[k], out, sg, names[k], err);
        if (sg >= 0) {
            H5Gclose(sg);
        }
    }
done:
    ps_h5_free_names(names, n);
    if (svg >= 0) {
        H5Gclose(svg);
    }
    return rc;
}

/* care_need/: the level coordinate and persons(year, region, level). */
static ps_status read_care_need(ps_result *out, hid_t grp, ps_error *err)
{
    hid_t cg = H5I_INVALID_HID;
    hsize_t len[DIM_COUNT];
    ps_status rc = PS_OK;
    if (!has_link(grp, "care_need")) {
        return PS_OK;
    }
    result_lens(len, out);
    if ((cg = ps_h5__open_group(grp, "care_need")) < 0) {
        rc = ps_h5__fail(err, "open group", grp, "care_need");
    } else if ((rc = read_labels(&out->care_level_names, &out->n_care_levels, cg,
                                 dim_specs[DIM_LEVEL].name, err)) == PS_OK) {
        len[DIM_LEVEL] = (hsize_t)out->n_care_levels;
        rc = read_opt(&out->care_need, cg, len, &care_need_spec, err);
        if (rc == PS_OK && out->care_need == NULL) {
            rc = ps_error_set(err, PS_EHDF5, "group 'care_need' has no '%s'", care_need_spec.name);
        }
    }
    if (cg >= 0) {
        H5Gclose(cg);
    }
    return rc;
}

/* indicators/: the three dependency ratios into dependency[year][reg][k]. */
static ps_status read_indicators(ps_result *out, hid_t grp, ps_error *err)
{
    hid_t ig = H5I_INVALID_HID;
    double *col = NULL;
    size_t cells = (size_t)out->n_years * (size_t)out->n_regions;
    ps_status rc = PS_OK;
    if (!has_link(grp, "indicators")) {
        return PS_OK;
    }
    if ((out->dependency = malloc(cells * PS_DEPENDENCY_COUNT * sizeof *out->dependency)) ==
            NULL ||
        (col = malloc(cells * sizeof *col)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the indicators");
        goto done;
    }
    if ((ig = ps_h5__open_group(grp, "indicators")) < 0) {
        rc = ps_h5__fail(err, "open group", grp, "indicators");
        goto done;
    }
    for (int k = 0; k < PS_DEPENDENCY_COUNT && rc == PS_OK; ++k) {
        if ((rc = read_var(ig, out, &dependency_specs[k], col, err)) != PS_OK) {
            break;
        }
        for (size_t c = 0; c < cells; ++c) {
            out->dependency[c * PS_DEPENDENCY_COUNT + (size_t)k] = col[c];
        }
    }
done:
    if (ig >= 0) {
        H5Gclose(ig);
    }
    free(col);
    return rc;
}

/* Internal migration and registration (issue #13): the optional groups internal_migration
 * (in, out, net and, when written, flows by origin and destination) and registration
 * (registered; unregistered is population - registered and is not read back). */
static ps_status read_regions(ps_result *out, hid_t grp, ps_error *err)
{
    hsize_t len[DIM_COUNT];
    hid_t g = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    result_lens(len, out);
    len[DIM_ORIGIN] = len[DIM_DESTINATION] = (hsize_t)out->n_regions;
    if (has_link(grp, "internal_migration")) {
        double **vars[PS_H5_INTERNAL_COUNT] = { &out->internal_in, &out->internal_out,
                                                &out->internal_net };
        if ((g = ps_h5__open_group(grp, "internal_migration")) < 0) {
            return ps_h5__fail(err, "open group", grp, "internal_migration");
        }
        for (int v = 0; v < PS_H5_INTERNAL_COUNT && rc == PS_OK; ++v) {
            rc = read_opt(vars[v], g, len, &internal_specs[v], err);
        }
        if (rc == PS_OK) {
            rc = read_opt(&out->flows, g, len, &flows_spec, err);
        }
        H5Gclose(g);
    }
    if (rc == PS_OK && has_link(grp, "registration")) {
        if ((g = ps_h5__open_group(grp, "registration")) < 0) {
            return ps_h5__fail(err, "open group", grp, "registration");
        }
        rc = read_opt(&out->registered, g, len, &registration_specs[0], err);
        H5Gclose(g);
    }
    return rc;
}

/* One int64 column of the person sample into field `field` of every record. */
static ps_status read_sample_col(ps_result_micro *mo, hid_t mg, int field, ps_error *err)
{
    hid_t ds = H5I_INVALID_HID;
    ps_h5__shape sh;
    int64_t *col = NULL;
    const char *name = sample_specs[field].name;
    ps_status rc = ps_h5__open_dataset(&ds, &sh, mg, name, PS_H5__NUMERIC, 1, err);
    if (rc == PS_OK && sh.dims[0] != (hsize_t)mo->n_sample) {
        rc = ps_error_set(err, PS_EHDF5, "sample column '%s' should have %lld values", name,
                          mo->n_sample);
    }
    if (rc == PS_OK && (col = malloc((size_t)mo->n_sample * sizeof *col + 1)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the person sample");
    }
    if (rc == PS_OK && H5Dread(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, col) < 0) {
        rc = ps_h5__fail(err, "read variable", mg, name);
    }
    for (long long i = 0; rc == PS_OK && i < mo->n_sample; ++i) {
        mo->sample[i * PS_SAMPLE_FIELDS + field] = (long long)col[i];
    }
    free(col);
    if (ds >= 0) {
        H5Dclose(ds);
    }
    return rc;
}

/* The scalars, coordinates' lengths and arrays of a micro group into mo. */
static ps_status read_micro_group(ps_result_micro *mo, const ps_result *r, hid_t mg,
                                  ps_error *err)
{
    double replicates = 0.0, seed = 0.0;
    hsize_t len[DIM_COUNT];
    int n_rep = 0, n_person = 0;
    int32_t *reps = NULL;
    result_lens(len, r);
    ps_status rc = attr_read_number(&replicates, mg, "replicates", err);
    if (rc == PS_OK && (rc = attr_read_number(&mo->scale, mg, "scale", err)) == PS_OK) {
        rc = attr_read_number(&seed, mg, "seed", err);
    }
    if (rc == PS_OK && (rc = read_int_coord(&reps, &n_rep, mg, dim_specs[DIM_REPLICATE].name,
                                            err)) == PS_OK &&
        (double)n_rep != replicates) {
        rc = ps_error_set(err, PS_EHDF5, "micro group: %d replicates in the coordinate, %g in "
                          "the attribute", n_rep, replicates);
    }
    free(reps);
    if (rc != PS_OK) {
        return rc;
    }
    /* The writer stores the seed as float64; a value no long long holds is not one of its. */
    if (!(seed >= 0.0 && seed < (double)LLONG_MAX)) {
        return ps_error_set(err, PS_EHDF5, "micro group: seed %g is not a seed", seed);
    }
    mo->replicates = n_rep;
    mo->seed = (long long)seed;
    len[DIM_INCOME] = PS_INCOME_COUNT;
    len[DIM_HAS_CHILD] = PS_H5__HAS_CHILD_COUNT;
    len[DIM_REPLICATE] = (hsize_t)n_rep;
    double **vars[MICRO_VAR_COUNT] = {
        &mo->births_by_income, &mo->under3, &mo->under3_enrolled, &mo->disabled_elderly,
        &mo->population_by_replicate, &mo->births_by_replicate, &mo->subsidy_cost_by_income,
    };
    for (int v = 0; v < MICRO_VAR_COUNT && rc == PS_OK; ++v) {
        rc = read_opt(vars[v], mg, len, &micro_specs[v], err);
    }
    if (rc != PS_OK || !has_link(mg, dim_specs[DIM_PERSON].name)) {
        return rc;
    }
    hid_t ds = H5I_INVALID_HID;
    if ((rc = open_1d(&ds, &n_person, mg, dim_specs[DIM_PERSON].name, 0, PS_H5__NUMERIC,
                      err)) != PS_OK) {
        return rc;
    }
    H5Dclose(ds);
    /* Each record has PS_SAMPLE_FIELDS values: bound them like any dataset read. */
    if ((uint64_t)n_person * PS_SAMPLE_FIELDS * sizeof *mo->sample > ps_h5__byte_limit(mg)) {
        return ps_error_set(err, PS_EHDF5, "micro group: %d sampled persons are more than this "
                            "file can hold", n_person);
    }
    mo->n_sample = n_person;
    if ((mo->sample = malloc((size_t)n_person * PS_SAMPLE_FIELDS * sizeof *mo->sample)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the person sample");
    }
    for (int f = 0; f < PS_SAMPLE_FIELDS && rc == PS_OK; ++f) {
        rc = read_sample_col(mo, mg, f, err);
    }
    return rc;
}

/* micro/: the microsimulation's own outputs, typed and released by the micro layer. */
static ps_status read_micro(ps_result *out, hid_t grp, ps_error *err)
{
    hid_t mg = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    if (!has_link(grp, "micro")) {
        return PS_OK;
    }
    if ((out->micro = calloc(1, sizeof *out->micro)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the micro outputs");
    }
    out->micro_free = ps_result_micro_free;
    if ((mg = ps_h5__open_group(grp, "micro")) < 0) {
        rc = ps_h5__fail(err, "open group", grp, "micro");
    } else {
        rc = read_micro_group(out->micro, out, mg, err);
    }
    if (mg >= 0) {
        H5Gclose(mg);
    }
    return rc;
}

ps_status ps_h5_read(ps_result *out, const char *path, const char *scenario, ps_error *err)
{
    hid_t file = H5I_INVALID_HID, scenarios = H5I_INVALID_HID, grp = H5I_INVALID_HID;
    assert(scenario != NULL);
    memset(out, 0, sizeof *out);
    ps_status rc = open_file(&file, path, err);
    if (rc != PS_OK) {
        goto done;
    }
    if ((scenarios = ps_h5__open_group(file, "scenarios")) < 0) {
        rc = ps_h5__fail(err, "open group", file, "scenarios");
        goto done;
    }
    /* A name with '/' would reach into another group instead of naming a scenario. */
    if (!ps_h5__valid_link_name(scenario) || H5Lexists(scenarios, scenario, H5P_DEFAULT) <= 0) {
        rc = ps_error_set(err, PS_EHDF5, "the file has no scenario group '/scenarios/%s'",
                          scenario);
        goto done;
    }
    if ((grp = ps_h5__open_group(scenarios, scenario)) < 0) {
        rc = ps_h5__fail(err, "open group", scenarios, scenario);
        goto done;
    }
    if ((rc = init_from_group(out, grp, scenario, err)) != PS_OK ||
        (rc = init_parity(out, grp, err)) != PS_OK) {
        goto done;
    }
    for (int v = 0; v < VAR_COUNT && rc == PS_OK; ++v) {
        double *data = ps_h5__var_data(out, (var_id)v);
        if (data != NULL) { /* the optional variables were allocated only if present */
            rc = read_var(grp, out, &var_specs[v], data, err);
        }
    }
    if (rc == PS_OK && H5Aexists(grp, "emigration_shortfall") > 0) {
        rc = attr_read_double(&out->emigration_shortfall, grp, "emigration_shortfall", err);
    }
    if (rc == PS_OK) {
        rc = read_policy(out, grp, err);
    }
    if (rc == PS_OK) { /* the response range (issue #12, h5range.c) */
        rc = ps_h5__read_range(out, grp, err);
    }
    if (rc == PS_OK) {
        rc = read_services(out, grp, err);
    }
    if (rc == PS_OK) {
        rc = read_care_need(out, grp, err);
    }
    if (rc == PS_OK) {
        rc = read_indicators(out, grp, err);
    }
    if (rc == PS_OK) {
        rc = read_micro(out, grp, err);
    }
    if (rc == PS_OK) {
        rc = read_regions(out, grp, err);
    }
done:
    if (rc != PS_OK) {
        ps_result_release(out);
        ps_h5__note_path(err, path);
    }
    if (grp >= 0) {
        H5Gclose(grp);
    }
    if (scenarios >= 0) {
        H5Gclose(scenarios);
    }
    if (file >= 0) {
        H5Fclose(file);
    }
    return rc;
}


/* ---- provenance ---------------------------------------------------------------------------- */

/* A global attribute's text, "" when absent. */
static ps_status global_text(char **out, hid_t file, const char *name, ps_error *err)
{
    ps_status rc = attr_text_opt(out, file, name, err);
    if (rc == PS_OK && *out == NULL && (*out = ps__strdup("")) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for attribute '%s'", name);
    }
    return rc;
}

/* The /provenance columns, each as long as the first. */
static ps_status read_inputs(ps_file_provenance *p, hid_t file, ps_error *err)
{
    hid_t grp = H5I_INVALID_HID;
    int len[PS_PROVENANCE_COLUMNS] = { 0 };
    ps_status rc = PS_OK;
    if (!has_link(file, "provenance")) {
        return PS_OK;
    }
    if ((grp = ps_h5__open_group(file, "provenance")) < 0) {
        rc = ps_h5__fail(err, "open group", file, "provenance");
    }
    for (int c = 0; c < PS_PROVENANCE_COLUMNS && rc == PS_OK; ++c) {
        rc = read_labels(&p->inputs[c], &len[c], grp, ps_h5__prov_names[c], err);
        if (rc == PS_OK && len[c] != len[0]) {
            rc = ps_error_set(err, PS_EHDF5, "/provenance/%s has %d rows, /provenance/%s %d",
                              ps_h5__prov_names[c], len[c], ps_h5__prov_names[0], len[0]);
        }
        if (rc != PS_OK) {
            ps_h5_free_names(p->inputs[c], len[c]);
            p->inputs[c] = NULL;
        }
    }
    p->n_inputs = len[0];
    if (rc == PS_OK && (p->rows = calloc((size_t)p->n_inputs + 1, sizeof *p->rows)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the provenance rows");
    }
    for (int k = 0; rc == PS_OK && k < p->n_inputs; ++k) {
        p->rows[k] = (ps_input_source){ p->inputs[PROV_KIND][k], p->inputs[PROV_SOURCE][k],
                                        p->inputs[PROV_DETAIL][k], p->inputs[PROV_PATH][k],
                                        p->inputs[PROV_SHA256][k] };
    }
    if (grp >= 0) {
        H5Gclose(grp);
    }
    return rc;
}

ps_status ps_h5_read_provenance(ps_file_provenance *out, const char *path, ps_error *err)
{
    hid_t file = H5I_INVALID_HID;
    char *seed = NULL, *threads = NULL;
    memset(out, 0, sizeof *out);
    ps_status rc = open_file(&file, path, err);
    struct {
        char **field;
        const char *name;
    } const text[] = {
        { &out->title, "title" }, { &out->popsim_version, "popsim_version" },
        { &out->git_commit, "git_commit" }, { &out->scenario_file, "scenario_file" },
        { &out->scenario_sha256, "scenario_sha256" }, { &out->command_line, "command_line" },
        { &out->data_source, "data_source" }, { &out->created, "created" },
        { &out->history, "history" }, { &seed, "seed" }, { &threads, "threads" },
    };
    for (size_t k = 0; k < sizeof text / sizeof text[0] && rc == PS_OK; ++k) {
        rc = global_text(text[k].field, file, text[k].name, err);
    }
    if (rc == PS_OK) {
        char *end = NULL;
        out->seed = strtoull(seed, &end, 10);
        long t = strtol(threads, &end, 10);
        out->threads = t >= 0 && t <= INT_MAX ? (int)t : 0;
        rc = read_inputs(out, file, err);
    }
    free(seed);
    free(threads);
    if (rc != PS_OK) {
        ps_file_provenance_release(out);
        ps_h5__note_path(err, path);
    }
    if (file >= 0) {
        H5Fclose(file);
    }
    return rc;
}

ps_provenance ps_file_provenance_view(const ps_file_provenance *p)
{
    return (ps_provenance){
        .scenario_path = p->scenario_file,
        .scenario_sha256 = p->scenario_sha256,
        .command_line = p->command_line,
        .data_source = p->data_source,
        .seed = p->seed,
        .threads = p->threads,
        .inputs = p->n_inputs > 0 ? p->rows : NULL,
        .n_inputs = p->n_inputs,
    };
}

void ps_file_provenance_release(ps_file_provenance *p)
{
    if (p == NULL) {
        return;
    }
    char *text[] = { p->title, p->popsim_version, p->git_commit, p->scenario_file,
                     p->scenario_sha256, p->command_line, p->data_source, p->created,
                     p->history };
    for (size_t k = 0; k < sizeof text / sizeof text[0]; ++k) {
        free(text[k]);
    }
    for (int c = 0; c < PS_PROVENANCE_COLUMNS; ++c) {
        ps_h5_free_names(p->inputs[c], p->n_inputs);
    }
    free(p->rows);
    memset(p, 0, sizeof *p);
}

/*
 * io/h5sweep.c - group /sweep of a result file (issue #15, section 3; docs/output-format.md,
 * "Policy sweeps"): one row per sweep point along a `sweep` dimension, a coordinate per swept
 * key holding each point's values, and the points' births gained, costs and cost per
 * additional birth. The writer is called by h5out.c's write_file (one hook); the reader
 * serves `popsim compare`. Both go through the same HDF5 conventions as h5out.c: dimension
 * scales that netCDF-4 readers and xarray understand, `coordinates` attributes naming the
 * label variables, udunits2 `units` with the words in `unit_description`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "core/str_int.h"
#include "io/h5guard_int.h"
#include "io/h5schema_int.h"
#include "io/h5sweep_int.h"
#include "popsim/h5read.h"
#include "popsim/sweep.h"

#define SWEEP_VAR_LEN 96

static ps_status fail(ps_error *err, const char *action, const char *name)
{
    return ps_error_set(err, PS_EHDF5, "cannot %s '/sweep/%s'", action, name);
}

static hid_t utf8_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0)) {
        H5Tclose(t);
        t = H5I_INVALID_HID;
    }
    return t;
}

/* Attributes through the schema layer's writers (h5schema.c), like h5out.c's. */
static ps_status attr_str(hid_t obj, const char *name, const char *value, ps_error *err)
{
    return ps_h5__attr_str(obj, name, value, err);
}

static ps_status attr_num(hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                          const void *value, ps_error *err)
{
    return ps_h5__attr_write(obj, name, ftype, mtype, value, err);
}

/* A dataset of `rank` (1 or 2) over n points (x n_levers), written whole. */
static ps_status write_data(hid_t *out, hid_t grp, const char *name, hid_t ftype, hid_t mtype,
                            const void *data, int rank, hsize_t n, ps_error *err)
{
    hsize_t dims[2] = { n, PS_LEVER_COUNT };
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5I_INVALID_HID, dxpl = ps_h5__small_dxpl(n * (hsize_t)rank);
    ps_status rc = PS_OK;
    if (space < 0 || dxpl < 0 ||
        (ds = H5Dcreate2(grp, name, ftype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, dxpl, data) < 0) {
        rc = fail(err, "write dataset", name);
    }
    if (dxpl >= 0) {
        H5Pclose(dxpl);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    if (rc != PS_OK && ds >= 0) {
        H5Dclose(ds);
        ds = H5I_INVALID_HID;
    }
    *out = ds;
    return rc;
}

/* units (udunits2) and the words a reader would say. */
static ps_status describe(hid_t ds, const char *long_name, const char *unit_description,
                          ps_error *err)
{
    ps_status rc = attr_str(ds, "long_name", long_name, err);
    if (rc == PS_OK && unit_description != NULL) {
        if ((rc = attr_str(ds, "units", "1", err)) == PS_OK) {
            rc = attr_str(ds, "unit_description", unit_description, err);
        }
    }
    return rc;
}

/* "policies[childcare_subsidy].amount" -> "policies_childcare_subsidy_amount" (a netCDF
 * name); a later duplicate gets "_2", "_3", ... */
static void var_name(char *out, size_t size, const ps_sweep_table *t, int dim)
{
    size_t k = 0;
    for (const char *p = t->keys[dim]; *p != '\0' && k + 1 < size; ++p) {
        const int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                       (*p >= '0' && *p <= '9');
        if (ok) {
            out[k++] = *p;
        } else if (k > 0 && out[k - 1] != '_') {
            out[k++] = '_';
        }
    }
    while (k > 0 && out[k - 1] == '_') {
        --k;
    }
    out[k] = '\0';
    int same = 1;
    for (int d = 0; d < dim; ++d) {
        char earlier[SWEEP_VAR_LEN];
        var_name(earlier, sizeof earlier, t, d);
        same += strcmp(earlier, out) == 0 ? 1 : 0;
    }
    if (same > 1 && k + 8 < size) {
        snprintf(out + k, size - k, "_%d", same);
    }
}

typedef struct sweep_var {
    const char *name;
    size_t offset; /* into ps_sweep_row */
    const char *long_name;
    const char *unit_description;
} sweep_var;

#define YUAN "yuan (Chinese renminbi, CNY), nominal; not a udunits unit"
static const sweep_var sweep_vars[] = {
    { "births_gained", offsetof(ps_sweep_row, births_gained),
      "births gained over the horizon against the baseline", "persons (births)" },
    { "births_gained_discounted", offsetof(ps_sweep_row, births_gained_discounted),
      "births gained, each year's weighted (1 + discount_rate)^-y", "persons (births), discounted" },
    { "cost", offsetof(ps_sweep_row, cost),
      "fiscal cost: every instrument plus the extra service subsidies", YUAN },
    { "cost_discounted", offsetof(ps_sweep_row, cost_discounted),
      "fiscal cost discounted to the start year", YUAN ", discounted" },
    { "cost_per_additional_birth", offsetof(ps_sweep_row, cost_per_birth),
      "cost per additional birth (NaN without births gained)", "yuan per additional birth" },
    { "cost_per_additional_birth_discounted", offsetof(ps_sweep_row, cost_per_birth_discounted),
      "discounted cost per discounted additional birth", "yuan per additional birth, discounted" },
    { "service_subsidy_extra", offsetof(ps_sweep_row, service_subsidy_extra),
      "service subsidies minus the baseline's (part of cost)", YUAN },
    { "service_subsidy_extra_discounted", offsetof(ps_sweep_row, service_subsidy_extra_discounted),
      "service subsidies minus the baseline's, discounted", YUAN ", discounted" },
};

static ps_status attach(hid_t var, hid_t point_scale, hid_t lever_scale, int rank,
                        const char *coordinates, ps_error *err)
{
    if (H5DSattach_scale(var, point_scale, 0) < 0 ||
        (rank == 2 && H5DSattach_scale(var, lever_scale, 1) < 0)) {
        return ps_error_set(err, PS_EHDF5, "cannot attach the sweep dimension scales");
    }
    return attr_str(var, "coordinates", coordinates, err);
}

/* A 1-D variable-length UTF-8 string dataset (what netCDF-4 calls NC_STRING). */
static ps_status write_strings(hid_t *out, hid_t grp, const char *name,
                               const char *const *text, hsize_t n, ps_error *err)
{
    hid_t type = utf8_type();
    ps_status rc = PS_OK;
    *out = H5I_INVALID_HID;
    if (type < 0) {
        rc = fail(err, "make a string type for", name);
    } else {
        rc = write_data(out, grp, name, type, type, text, 1, n, err);
    }
    if (type >= 0) {
        H5Tclose(type);
    }
    return rc;
}

ps_status ps_h5__write_sweep(hid_t file, hid_t gcpl, const ps_sweep_table *t, ps_error *err)
{
    const hsize_t n = (hsize_t)t->n_points;
    const size_t np = (size_t)t->n_points;
    hid_t grp = H5I_INVALID_HID, points = H5I_INVALID_HID, levers = H5I_INVALID_HID;
    hid_t ds = H5I_INVALID_HID;
    double *column = malloc((np > 0 ? np : 1) * PS_LEVER_COUNT * sizeof *column);
    int *index = malloc((np > 0 ? np : 1) * sizeof *index);
    char *names = calloc(np > 0 ? np : 1, 16);
    const char **name_ptrs = calloc(np > 0 ? np : 1, sizeof *name_ptrs);
    char coordinates[PS_SWEEP_MAX_DIMS * SWEEP_VAR_LEN + 16] = "member";
    char keys[PS_SWEEP_MAX_DIMS * 256] = "", key_vars[sizeof coordinates] = "";
    const char *lever_names[PS_LEVER_COUNT];
    ps_status rc = PS_OK;
    if (column == NULL || index == NULL || names == NULL || name_ptrs == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory writing /sweep");
        goto done;
    }
    if ((grp = H5Gcreate2(file, "sweep", H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0) {
        rc = ps_error_set(err, PS_EHDF5, "cannot create group '/sweep'");
        goto done;
    }
    const unsigned long long seed = t->seed;
    const int32_t n_dims = t->n_dims;
    if ((rc = attr_str(grp, "design", t->design == PS_SWEEP_GRID ? "grid" : "latin_hypercube",
                       err)) != PS_OK ||
        (rc = attr_num(grp, "seed", H5T_STD_U64LE, H5T_NATIVE_ULLONG, &seed, err)) != PS_OK ||
        (rc = attr_num(grp, "n_dims", H5T_STD_I32LE, H5T_NATIVE_INT32, &n_dims, err)) != PS_OK ||
        (rc = attr_str(grp, "base", t->base, err)) != PS_OK ||
        (rc = attr_str(grp, "baseline", t->baseline, err)) != PS_OK) {
        goto done;
    }
    /* The dimensions: point index and lever. */
    for (size_t p = 0; p < np; ++p) {
        index[p] = (int)p;
        snprintf(names + 16 * p, 16, "sweep_%05d", (int)p);
        name_ptrs[p] = names + 16 * p;
    }
    for (int l = 0; l < PS_LEVER_COUNT; ++l) {
        lever_names[l] = ps_lever_name((ps_lever)l);
    }
    if ((rc = write_data(&points, grp, "sweep", H5T_STD_I32LE, H5T_NATIVE_INT, index, 1, n,
                         err)) != PS_OK ||
        (rc = describe(points, "sweep point index", NULL, err)) != PS_OK) {
        goto done;
    }
    if (H5DSset_scale(points, "sweep") < 0) {
        rc = fail(err, "make a dimension scale of", "sweep");
        goto done;
    }
    if ((rc = write_strings(&levers, grp, "lever", lever_names, PS_LEVER_COUNT, err)) !=
            PS_OK ||
        (rc = describe(levers, "policy lever (who pays: the lever's budget line)", NULL, err)) !=
            PS_OK) {
        goto done;
    }
    if (H5DSset_scale(levers, "lever") < 0) {
        rc = fail(err, "make a dimension scale of", "lever");
        goto done;
    }
    /* Labels: the member name and one coordinate per swept key. */
    if ((rc = write_strings(&ds, grp, "member", name_ptrs, n, err)) != PS_OK ||
        (rc = describe(ds, "family member of the point", NULL, err)) != PS_OK) {
        goto done;
    }
    if (H5DSattach_scale(ds, points, 0) < 0) {
        rc = fail(err, "attach the sweep dimension to", "member");
        goto done;
    }
    H5Dclose(ds);
    ds = H5I_INVALID_HID;
    for (int d = 0; d < t->n_dims; ++d) {
        char name[SWEEP_VAR_LEN];
        var_name(name, sizeof name, t, d);
        for (size_t p = 0; p < np; ++p) {
            column[p] = t->values[p * (size_t)t->n_dims + (size_t)d];
        }
        if ((rc = write_data(&ds, grp, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, column, 1, n,
                             err)) != PS_OK ||
            (rc = attr_str(ds, "key", t->keys[d], err)) != PS_OK ||
            (rc = describe(ds, t->keys[d], "the swept key's own unit "
                                            "(docs/scenario-format.md)", err)) != PS_OK ||
            H5DSattach_scale(ds, points, 0) < 0) {
            rc = rc != PS_OK ? rc : fail(err, "attach the sweep dimension to", name);
            goto done;
        }
        H5Dclose(ds);
        ds = H5I_INVALID_HID;
        size_t used = strlen(coordinates);
        snprintf(coordinates + used, sizeof coordinates - used, " %s", name);
        used = strlen(key_vars);
        snprintf(key_vars + used, sizeof key_vars - used, "%s%s", d > 0 ? " " : "", name);
        used = strlen(keys);
        snprintf(keys + used, sizeof keys - used, "%s%s", d > 0 ? "\n" : "", t->keys[d]);
    }
    if ((rc = attr_str(grp, "keys", keys, err)) != PS_OK ||
        (rc = attr_str(grp, "key_variables", key_vars, err)) != PS_OK) {
        goto done;
    }
    /* The figures. */
    for (size_t v = 0; v < sizeof sweep_vars / sizeof sweep_vars[0]; ++v) {
        for (size_t p = 0; p < np; ++p) {
            memcpy(&column[p], (const char *)&t->rows[p] + sweep_vars[v].offset, sizeof(double));
        }
        if ((rc = write_data(&ds, grp, sweep_vars[v].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                             column, 1, n, err)) != PS_OK ||
            (rc = describe(ds, sweep_vars[v].long_name, sweep_vars[v].unit_description, err)) !=
                PS_OK ||
            (rc = attach(ds, points, levers, 1, coordinates, err)) != PS_OK) {
            goto done;
        }
        H5Dclose(ds);
        ds = H5I_INVALID_HID;
    }
    for (int disc = 0; disc < 2; ++disc) {
        for (size_t p = 0; p < np; ++p) {
            memcpy(&column[p * PS_LEVER_COUNT],
                   disc ? t->rows[p].cost_by_lever_discounted : t->rows[p].cost_by_lever,
                   PS_LEVER_COUNT * sizeof(double));
        }
        const char *name = disc ? "cost_by_lever_discounted" : "cost_by_lever";
        if ((rc = write_data(&ds, grp, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, column, 2, n,
                             err)) != PS_OK ||
            (rc = describe(ds, disc ? "cost paid through each lever, discounted"
                                    : "cost paid through each lever (the fiscal cost by payer)",
                           disc ? YUAN ", discounted" : YUAN, err)) != PS_OK ||
            (rc = attach(ds, points, levers, 2, coordinates, err)) != PS_OK) {
            goto done;
        }
        H5Dclose(ds);
        ds = H5I_INVALID_HID;
    }
    /* The frontier of births gained against (nominal) cost, as a 0/1 flag per point. */
    {
        int n_front = 0;
        unsigned char *flag = calloc(np > 0 ? np : 1, 1);
        if (flag == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory writing /sweep");
            goto done;
        }
        rc = ps_sweep_frontier(index, &n_front, t->rows, t->n_points, 0, err);
        for (int i = 0; rc == PS_OK && i < n_front; ++i) {
            flag[index[i]] = 1;
        }
        if (rc == PS_OK) {
            rc = write_data(&ds, grp, "on_frontier", H5T_STD_U8LE, H5T_NATIVE_UCHAR, flag, 1, n,
                            err);
        }
        free(flag);
        if (rc != PS_OK ||
            (rc = describe(ds, "1 if no other point gains at least as many births for at most "
                               "the cost (nominal), else 0", NULL, err)) != PS_OK ||
            (rc = attach(ds, points, levers, 1, coordinates, err)) != PS_OK) {
            goto done;
        }
    }
done:
    if (ds >= 0) {
        H5Dclose(ds);
    }
    if (levers >= 0) {
        H5Dclose(levers);
    }
    if (points >= 0) {
        H5Dclose(points);
    }
    if (grp >= 0) {
        H5Gclose(grp);
    }
    free(column);
    free(index);
    free(names);
    free(name_ptrs);
    return rc;
}

/* ---- reading --------------------------------------------------------------------------------- */

/* A variable-length string attribute of /sweep into a new string. */
static ps_status read_attr_str(char **out, hid_t grp, const char *name, ps_error *err)
{
    hid_t attr = H5I_INVALID_HID, ftype = H5I_INVALID_HID, mtype = utf8_type();
    char *vlen = NULL;
    ps_status rc = PS_OK;
    *out = NULL;
    if (mtype < 0 || H5Aexists(grp, name) <= 0 || (attr = H5Aopen(grp, name, H5P_DEFAULT)) < 0 ||
        (ftype = H5Aget_type(attr)) < 0 || H5Tget_class(ftype) != H5T_STRING ||
        H5Tis_variable_str(ftype) <= 0) {
        rc = ps_error_set(err, PS_EHDF5, "/sweep has no string attribute '%s'", name);
    } else if ((rc = ps_h5__check_vlen(attr, 1, name, err)) == PS_OK) {
        if (H5Aread(attr, mtype, &vlen) < 0) {
            rc = ps_error_set(err, PS_EHDF5, "cannot read attribute '/sweep@%s'", name);
        } else if ((*out = ps__strdup(vlen != NULL ? vlen : "")) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        }
        H5free_memory(vlen);
    }
    if (ftype >= 0) {
        H5Tclose(ftype);
    }
    if (attr >= 0) {
        H5Aclose(attr);
    }
    if (mtype >= 0) {
        H5Tclose(mtype);
    }
    return rc;
}

/* The unsigned 64-bit integer attribute `seed` of /sweep. */
static ps_status read_attr_u64(unsigned long long *out, hid_t grp, const char *name,
                               ps_error *err)
{
    hid_t attr = H5I_INVALID_HID, space = H5I_INVALID_HID, ftype = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    if (H5Aexists(grp, name) <= 0 || (attr = H5Aopen(grp, name, H5P_DEFAULT)) < 0 ||
        (space = H5Aget_space(attr)) < 0 || H5Sget_simple_extent_npoints(space) != 1 ||
        (ftype = H5Aget_type(attr)) < 0 || H5Tget_class(ftype) != H5T_INTEGER ||
        H5Aread(attr, H5T_NATIVE_ULLONG, out) < 0) {
        rc = ps_error_set(err, PS_EHDF5, "/sweep has no integer attribute '%s'", name);
    }
    if (ftype >= 0) {
        H5Tclose(ftype);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    if (attr >= 0) {
        H5Aclose(attr);
    }
    return rc;
}

/* A numeric dataset of /sweep with `want` elements (rank 1, or 2 with the levers). */
static ps_status read_doubles(double *out, hid_t grp, const char *name, hsize_t want, int rank,
                              ps_error *err)
{
    hid_t ds = H5I_INVALID_HID;
    ps_h5__shape sh;
    ps_status rc = ps_h5__open_dataset(&ds, &sh, grp, name, PS_H5__NUMERIC, rank, err);
    if (rc == PS_OK && sh.n != want) {
        rc = ps_error_set(err, PS_EHDF5, "/sweep/%s has %llu values, expected %llu", name,
                          (unsigned long long)sh.n, (unsigned long long)want);
    } else if (rc == PS_OK && H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                      out) < 0) {
        rc = ps_error_set(err, PS_EHDF5, "cannot read '/sweep/%s'", name);
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    return rc;
}

/* Split `text` at `sep` into n new strings (n = *n_out); NULL entries on failure. */
static ps_status split(char ***out, int *n_out, const char *text, char sep, int max,
                       ps_error *err)
{
    int n = text[0] != '\0' ? 1 : 0;
    for (const char *p = text; *p != '\0'; ++p) {
        n += *p == sep;
    }
    if (n > max) {
        return ps_error_set(err, PS_EHDF5, "/sweep names %d keys, more than %d", n, max);
    }
    if ((*out = calloc((size_t)(n > 0 ? n : 1), sizeof **out)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    *n_out = n;
    const char *start = text;
    for (int i = 0; i < n; ++i) {
        const char *end = strchr(start, sep);
        size_t len = end != NULL ? (size_t)(end - start) : strlen(start);
        if (((*out)[i] = ps__strndup(start, len)) == NULL) {
            return ps_error_set(err, PS_ENOMEM, "out of memory");
        }
        start += len + 1;
    }
    return PS_OK;
}

int ps_sweep_present(const char *path)
{
    hid_t file = H5I_INVALID_HID;
    ps_error err;
    int yes = 0;
    if (ps_h5__open_file(&file, path, &err) == PS_OK) {
        yes = ps_h5__local_path(file, "sweep");
        H5Fclose(file);
    }
    return yes;
}

ps_status ps_sweep_read(ps_sweep_table *out, const char *path, ps_error *err)
{
    hid_t file = H5I_INVALID_HID, grp = H5I_INVALID_HID, ds = H5I_INVALID_HID;
    ps_sweep_table t;
    ps_h5__shape sh;
    char *keys = NULL, *vars = NULL, *design = NULL, **var_names = NULL;
    int n_vars = 0;
    double *column = NULL;
    ps_status rc = PS_OK;
    memset(&t, 0, sizeof t);
    memset(out, 0, sizeof *out);
    if ((rc = ps_h5__open_file(&file, path, err)) != PS_OK) {
        goto done;
    }
    if ((grp = ps_h5__open_group(file, "sweep")) < 0) {
        rc = ps_error_set(err, PS_EINVAL, "the file has no /sweep group (it is not the result "
                          "of a scenario with sweep:)");
        goto done;
    }
    if ((rc = ps_h5__open_dataset(&ds, &sh, grp, "sweep", PS_H5__NUMERIC, 1, err)) != PS_OK) {
        goto done;
    }
    H5Dclose(ds);
    if (sh.n > PS_SWEEP_MAX_POINTS) {
        rc = ps_error_set(err, PS_EHDF5, "/sweep has %llu points, more than %d",
                          (unsigned long long)sh.n, PS_SWEEP_MAX_POINTS);
        goto done;
    }
    t.n_points = (int)sh.n;
    const size_t np = sh.n;
    if ((rc = read_attr_str(&keys, grp, "keys", err)) != PS_OK ||
        (rc = read_attr_str(&vars, grp, "key_variables", err)) != PS_OK ||
        (rc = read_attr_str(&design, grp, "design", err)) != PS_OK ||
        (rc = read_attr_str(&t.base, grp, "base", err)) != PS_OK ||
        (rc = read_attr_str(&t.baseline, grp, "baseline", err)) != PS_OK ||
        (rc = split(&t.keys, &t.n_dims, keys, '\n', PS_SWEEP_MAX_DIMS, err)) != PS_OK ||
        (rc = split(&var_names, &n_vars, vars, ' ', PS_SWEEP_MAX_DIMS, err)) != PS_OK) {
        goto done;
    }
    t.design = strcmp(design, "grid") == 0 ? PS_SWEEP_GRID : PS_SWEEP_LATIN_HYPERCUBE;
    if ((rc = read_attr_u64(&t.seed, grp, "seed", err)) != PS_OK) {
        goto done;
    }
    if (n_vars != t.n_dims) {
        rc = ps_error_set(err, PS_EHDF5, "/sweep names %d keys and %d key variables", t.n_dims,
                          n_vars);
        goto done;
    }
    column = malloc((np > 0 ? np : 1) * PS_LEVER_COUNT * sizeof *column);
    t.values = malloc((np > 0 ? np : 1) * (size_t)(t.n_dims > 0 ? t.n_dims : 1) *
                      sizeof *t.values);
    t.rows = malloc((np > 0 ? np : 1) * sizeof *t.rows);
    if (column == NULL || t.values == NULL || t.rows == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for %zu sweep points", np);
        goto done;
    }
    for (int d = 0; d < t.n_dims && rc == PS_OK; ++d) {
        rc = read_doubles(column, grp, var_names[d], sh.n, 1, err);
        for (size_t p = 0; rc == PS_OK && p < np; ++p) {
            t.values[p * (size_t)t.n_dims + (size_t)d] = column[p];
        }
    }
    for (size_t v = 0; rc == PS_OK && v < sizeof sweep_vars / sizeof sweep_vars[0]; ++v) {
        rc = read_doubles(column, grp, sweep_vars[v].name, sh.n, 1, err);
        for (size_t p = 0; rc == PS_OK && p < np; ++p) {
            memcpy((char *)&t.rows[p] + sweep_vars[v].offset, &column[p], sizeof(double));
        }
    }
    for (int disc = 0; rc == PS_OK && disc < 2; ++disc) {
        rc = read_doubles(column, grp, disc ? "cost_by_lever_discounted" : "cost_by_lever",
                          sh.n * PS_LEVER_COUNT, 2, err);
        for (size_t p = 0; rc == PS_OK && p < np; ++p) {
            memcpy(disc ? t.rows[p].cost_by_lever_discounted : t.rows[p].cost_by_lever,
                   &column[p * PS_LEVER_COUNT], PS_LEVER_COUNT * sizeof(double));
        }
    }
done:
    if (grp >= 0) {
        H5Gclose(grp);
    }
    if (file >= 0) {
        H5Fclose(file);
    }
    for (int i = 0; var_names != NULL && i < n_vars; ++i) {
        free(var_names[i]);
    }
    free(var_names);
    free(keys);
    free(vars);
    free(design);
    free(column);
    if (rc == PS_OK) {
        *out = t;
    } else {
        ps_sweep_table_release(&t);
        if (err != NULL && err->path[0] == '\0') {
            snprintf(err->path, sizeof err->path, "%s", path);
        }
    }
    return rc;
}

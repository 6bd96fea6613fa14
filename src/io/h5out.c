/*
 * h5out.c - the writer: projection results to HDF5 files laid out as netCDF-4/CF, so that
 * xarray, h5py, R and ncdump see labelled arrays (docs/output-format.md describes the layout;
 * the schema tables of h5schema.c are its single source in code; h5load.c reads it back).
 *
 * Invariants: only src/io includes <hdf5.h>. Every hid_t starts as
 * H5I_INVALID_HID and is closed in the cleanup block of the function that opened it. A write
 * goes to an exclusively created temporary beside the target (popsim/outfile.h), which is
 * fsync'ed and renamed over the target, or removed on failure, so a reader never sees a
 * partial file. HDF5's global error printing is left alone: the CLI (and the tests) switch
 * it off.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#endif

#include "popsim/h5out.h"
#include "popsim/version.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "popsim/micro.h" /* ps_result_micro */
#include "popsim/outfile.h"
#include "popsim/policy.h"
#include "popsim/services.h"

#include <hdf5.h>
#include <hdf5_hl.h>

#include "h5schema_int.h"
#include "core/str_int.h"
#include "io/h5parity_fit_int.h"
#include "io/h5sweep_int.h"

/*
 * Storage layout by size (issue #18; docs/output-format.md, "Storage"). A variable of
 * at most layout_contiguous_bytes is stored contiguous: HDF5 writes it with one call and a
 * reader fetches a year slice as one run of bytes. Until issue #18 every variable had one
 * year per chunk, shuffled and deflated; for the 16-byte to 2 KiB year slices of a one-region
 * run, the B-tree entry, zlib stream (256 KiB of state cleared per chunk) and copy per chunk
 * were 90 % of a policy family's run time, and the file was larger, not smaller. A larger
 * variable is cut along year (the dimension readers slice) into chunks of at most
 * layout_chunk_bytes. No variable is deflated: shuffle + deflate at level 1 saves 20-35 % of
 * projection doubles but writes 30-60 times slower than plain chunks (measured on 31-region
 * population, deaths, net_migration and women_by_parity arrays), which never pays for files
 * read on the machine that wrote them.
 */
static const hsize_t layout_contiguous_bytes = (hsize_t)1 << 20; /* bytes; 1 MiB */
static const hsize_t layout_chunk_bytes = (hsize_t)1 << 20;      /* bytes; 1 MiB */

/* Provenance used when the caller passes none: every string empty. */
static const ps_provenance no_provenance = { "", "", "", "", 0, 0, NULL, 0, 0, NULL, NULL };

/* ---- cancellation (issue #7; a per-call option since issue #11) --------------------------
 * The caller's cancel callback (ps_h5_write_options) is asked between objects and just before
 * the rename; a non-OK status stops the write, the temporary file is removed and the target
 * is left untouched. NULL options or callback: never cancelled. */
static ps_status check_cancel(const ps_h5_write_options *opts, ps_error *err)
{
    return opts != NULL && opts->cancel != NULL ? opts->cancel(opts->cancel_ctx, err) : PS_OK;
}

static hsize_t dim_len(const ps_result *r, dim_id d)
{
    switch (d) {
    case DIM_YEAR: return (hsize_t)r->n_years;
    case DIM_REGION: return (hsize_t)r->n_regions;
    case DIM_SEX: return PS_SEX_COUNT;
    case DIM_AGE: return (hsize_t)r->n_ages;
    case DIM_ORDER: return PS_ORDER_COUNT;
    case DIM_PARITY: return PS_PARITY_COUNT;
    case DIM_CLASS:
    case DIM_HOME:
    case DIM_LEVEL: /* lengths vary by group: write_var_len */
    case DIM_INCOME:
    case DIM_HAS_CHILD:
    case DIM_REPLICATE:
    case DIM_PERSON:
    case DIM_SCENARIO:
    case DIM_ORIGIN:
    case DIM_DESTINATION:
    case DIM_ELASTICITY: /* the response range: h5range.c */
    case DIM_TERM:
    case DIM_PAYER:
    case DIM_COUNT: break;
    }
    assert(0 && "unknown dimension");
    return 0;
}

/* ---- errors (the shared helpers of h5schema.c) ------------------------------------------- */

typedef struct h5_detail {
    char text[256];
} h5_detail;

static void h5_reason(h5_detail *d)
{
    ps_h5__reason(d->text, sizeof d->text);
}

static ps_status h5_fail(ps_error *err, const char *action, hid_t loc, const char *name)
{
    return ps_h5__fail(err, action, loc, name);
}

/* ---- small writers ----------------------------------------------------------------------- */

static hid_t utf8_string_type(void)
{
    return ps_h5__string_type();
}

/* Group (or file) creation list that records link creation order, so ncdump, xarray and
 * ps_h5_list show scenarios and variables in the order they were written. */
/*
 * Group (and root group) creation: links in creation order, and attributes kept in the
 * object header ("compact") up to PS_H5_MAX_COMPACT_ATTRS. HDF5's default moves a group
 * past 8 attributes to dense storage, and HDF5 1.10's object copy (h5copy, h5py's
 * Group.copy) crashes on dense attributes holding variable-length strings, which a
 * policy variant's group has (issue #16). No object times (as for the variables,
 * variable_dcpl): HDF5 would rewrite a modification time in the object header at every
 * attribute and link added (issue #18), and the run's time is already in `history`.
 */
#define PS_H5_MAX_COMPACT_ATTRS 64
#define PS_H5_MIN_DENSE_ATTRS 48

static hid_t ordered_plist(hid_t cls)
{
    hid_t pl = H5Pcreate(cls);
    if (pl >= 0 &&
        (H5Pset_link_creation_order(pl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
         H5Pset_attr_phase_change(pl, PS_H5_MAX_COMPACT_ATTRS, PS_H5_MIN_DENSE_ATTRS) < 0 ||
         H5Pset_obj_track_times(pl, 0) < 0)) {
        H5Pclose(pl);
        pl = H5I_INVALID_HID;
    }
    return pl;
}

/* Attributes: the schema layer's writers (h5schema.c), shared with h5range.c and h5sweep.c. */
static ps_status attr_str(hid_t obj, const char *name, const char *value, ps_error *err)
{
    return ps_h5__attr_str(obj, name, value, err);
}

/* attr_str with the string type `str` already made (H5I_INVALID_HID: make one). */
static ps_status attr_text(hid_t obj, hid_t str, const char *name, const char *value,
                           ps_error *err)
{
    const char *text = value != NULL ? value : "";
    return str >= 0 ? ps_h5__attr_write(obj, name, str, str, &text, err)
                    : attr_str(obj, name, value, err);
}

static ps_status attr_int(hid_t obj, const char *name, int value, ps_error *err)
{
    int32_t v = (int32_t)value;
    return ps_h5__attr_write(obj, name, H5T_STD_I32LE, H5T_NATIVE_INT32, &v, err);
}

static ps_status attr_double(hid_t obj, const char *name, double value, ps_error *err)
{
    return ps_h5__attr_write(obj, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, err);
}

/* Dimension scales, attached in one go (issue #18, io/h5scales.c): a variable's DIMENSION_LIST
 * is written once, and each scale's REFERENCE_LIST once when its group is done (close_coords),
 * instead of H5DSattach_scale's rewrite of both for every axis. */
typedef ps_h5__scale_ref scale_ref;

/* The coordinates (dimension scales) of one group, and the variable axes attached to each. */
typedef struct coords {
    hid_t id[DIM_COUNT];        /* open coordinate datasets; H5I_INVALID_HID if none */
    scale_ref *refs[DIM_COUNT]; /* owned; grown by attach_scales */
    size_t n_refs[DIM_COUNT];
    size_t cap_refs[DIM_COUNT];
    /* Made on first use and shared by the group's variables (issue #18: a property list and
     * a string type per variable were 10 % of writing the default China run). */
    hid_t str;         /* variable-length UTF-8 string type of the attributes */
    hid_t dcpl_contig; /* creation list of the contiguous variables (variable_dcpl) */
} coords;

static void init_coords(coords *c)
{
    for (int d = 0; d < DIM_COUNT; ++d) {
        c->id[d] = H5I_INVALID_HID;
        c->refs[d] = NULL;
        c->n_refs[d] = 0;
        c->cap_refs[d] = 0;
    }
    c->str = H5I_INVALID_HID;
    c->dcpl_contig = H5I_INVALID_HID;
}

static int push_ref(coords *c, dim_id d, hobj_ref_t ref, unsigned dim)
{
    if (c->n_refs[d] == c->cap_refs[d]) {
        size_t cap = c->cap_refs[d] > 0 ? 2 * c->cap_refs[d] : 16;
        scale_ref *grown = realloc(c->refs[d], cap * sizeof *grown);
        if (grown == NULL) {
            return -1;
        }
        c->refs[d] = grown;
        c->cap_refs[d] = cap;
    }
    c->refs[d][c->n_refs[d]++] = (scale_ref){ .ref = ref, .dim = dim };
    return 0;
}

/* Attach axis k of `ds` (named `name` in `grp`) to coordinate dims[k], for k < rank. */
static ps_status attach_scales(coords *c, hid_t grp, hid_t ds, const char *name, int rank,
                               const dim_id *dims, ps_error *err)
{
    hobj_ref_t self;
    hid_t scales[DIM_COUNT] = { 0 };
    ps_status rc = PS_OK;
    for (int k = 0; k < rank; ++k) {
        scales[k] = c->id[dims[k]];
    }
    if (ps_h5__dimension_list(&self, ds, rank, scales) < 0) {
        rc = h5_fail(err, "attach its dimension scales to", grp, name);
    }
    for (int k = 0; k < rank && rc == PS_OK; ++k) {
        if (push_ref(c, dims[k], self, (unsigned)k) < 0) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for the dimension scales of '%s'",
                              name);
        }
    }
    return rc;
}

/* The REFERENCE_LIST of coordinate d: every variable axis attached to it, in attach order. */
static ps_status write_reference_list(const coords *c, dim_id d, ps_error *err)
{
    return ps_h5__reference_list(c->id[d], c->refs[d], c->n_refs[d]) < 0
               ? h5_fail(err, "attach the variables to coordinate", c->id[d], dim_specs[d].name)
               : PS_OK;
}

/* Write the coordinates' REFERENCE_LISTs (unless rc already failed), close them and free the
 * lists; returns the first failure, rc included. */
static ps_status close_coords(coords *c, ps_status rc, ps_error *err)
{
    for (int d = 0; d < DIM_COUNT; ++d) {
        if (rc == PS_OK && c->id[d] >= 0 && c->n_refs[d] > 0) {
            rc = write_reference_list(c, (dim_id)d, err);
        }
        if (c->id[d] >= 0) {
            H5Dclose(c->id[d]);
        }
        free(c->refs[d]);
    }
    if (c->str >= 0) {
        H5Tclose(c->str);
    }
    if (c->dcpl_contig >= 0) {
        H5Pclose(c->dcpl_contig);
    }
    init_coords(c);
    return rc;
}

/* close_coords, then the group they were written in (H5I_INVALID_HID: none); returns rc. */
static ps_status close_group(coords *c, hid_t grp, ps_status rc, ps_error *err)
{
    rc = close_coords(c, rc, err);
    if (grp >= 0) {
        H5Gclose(grp);
    }
    return rc;
}

/* ---- writing one scenario group ---------------------------------------------------------- */

/*
 * Transfer list for writing `len` values of a coordinate in memory type `mtype`. Writing strings
 * converts them, and HDF5 would clear a 1 MiB conversion and a 1 MiB background buffer for
 * each write (fresh pages from the kernel every time): with a region coordinate in every
 * policy, service and indicator group that was 40 % of writing a policy family. The buffers
 * are sized for the coordinate instead (io/h5xfer.c). Integers are written without
 * conversion, so they take the default list and no list is made for them (issue #18).
 */
static hid_t coord_dxpl(hid_t mtype, hsize_t len)
{
    return H5Tget_class(mtype) == H5T_STRING ? ps_h5__small_dxpl(len) : H5P_DEFAULT;
}

/* Write `units` (udunits2) and, where it says more, `unit_description` for `said`. */
static ps_status write_units(hid_t ds, hid_t str, const char *said, ps_error *err)
{
    const cf_unit *u = ps_h5__cf_unit(said);
    /* A unit missing from the table is a programmer error: the test of every variable's
     * units (test_h5out) meets it first. */
    assert(u != NULL && "unit without a CF form in cf_units[] (h5schema.c)");
    if (u == NULL) {
        return attr_text(ds, str, "units", said, err);
    }
    ps_status rc = u->cf != NULL ? attr_text(ds, str, "units", u->cf, err) : PS_OK;
    if (rc == PS_OK && u->description != NULL) {
        rc = attr_text(ds, str, "unit_description", u->description, err);
    }
    return rc;
}

/* One 1-D coordinate: dataset, dimension scale named after it, units and long_name. */
static ps_status write_coord(hid_t *out, hid_t grp, dim_id d, hid_t ftype, hid_t mtype,
                             const void *values, hsize_t len, ps_error *err)
{
    const dim_spec *spec = &dim_specs[d];
    hid_t space = H5I_INVALID_HID, ds = H5I_INVALID_HID, dxpl = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    if ((space = H5Screate_simple(1, &len, NULL)) < 0 || (dxpl = coord_dxpl(mtype, len)) < 0 ||
        (ds = H5Dcreate2(grp, spec->name, ftype, space, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT)) < 0 ||
        H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, dxpl, values) < 0) {
        rc = h5_fail(err, "write coordinate", grp, spec->name);
        goto done;
    }
    if (H5DSset_scale(ds, spec->name) < 0) {
        rc = h5_fail(err, "make a dimension scale of", grp, spec->name);
        goto done;
    }
    if ((spec->units != NULL &&
         (rc = write_units(ds, H5I_INVALID_HID, spec->units, err)) != PS_OK) ||
        (rc = attr_str(ds, "long_name", spec->long_name, err)) != PS_OK) {
        goto done;
    }
    if (spec->note != NULL) {
        rc = attr_str(ds, "note", spec->note, err);
    }
done:
    if (rc != PS_OK && ds >= 0) {
        H5Dclose(ds);
        ds = H5I_INVALID_HID;
    }
    if (dxpl >= 0 && dxpl != H5P_DEFAULT) {
        H5Pclose(dxpl);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    *out = ds;
    return rc;
}

/* The year and region coordinates of a result; coord[] receives open datasets the caller
 * closes. Written in the scenario group and again in every policy group (create_policy_group). */
static ps_status write_year_region(coords *coord, hid_t grp, const ps_result *r,
                                   ps_error *err)
{
    int32_t *years = malloc((size_t)r->n_years * sizeof *years);
    hid_t str = utf8_string_type();
    ps_status rc = PS_OK;
    if (years == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the coordinates of '%s'", r->name);
        goto done;
    }
    if (str < 0) {
        rc = h5_fail(err, "make a string type for", grp, "region");
        goto done;
    }
    for (int year = 0; year < r->n_years; ++year) {
        years[year] = (int32_t)(r->start_year + year);
    }
    if ((rc = write_coord(&coord->id[DIM_YEAR], grp, DIM_YEAR, H5T_STD_I32LE, H5T_NATIVE_INT32, years,
                          dim_len(r, DIM_YEAR), err)) == PS_OK) {
        rc = write_coord(&coord->id[DIM_REGION], grp, DIM_REGION, str, str, r->region_names,
                         dim_len(r, DIM_REGION), err);
    }
done:
    if (str >= 0) {
        H5Tclose(str);
    }
    free(years);
    return rc;
}

/* The four coordinates of a result; coord[] receives open datasets the caller closes. */
static ps_status write_coords(coords *coord, hid_t grp, const ps_result *r,
                              ps_error *err)
{
    int32_t *ages = malloc((size_t)r->n_ages * sizeof *ages);
    const char *sexes[PS_SEX_COUNT];
    char note[96];
    hid_t str = utf8_string_type();
    ps_status rc = PS_OK;
    if (ages == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the coordinates of '%s'", r->name);
        goto done;
    }
    if (str < 0) {
        rc = h5_fail(err, "make a string type for", grp, "sex");
        goto done;
    }
    for (int age = 0; age < r->n_ages; ++age) {
        ages[age] = (int32_t)age;
    }
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        sexes[sex] = ps_sex_name((ps_sex)sex);
    }
    if ((rc = write_year_region(coord, grp, r, err)) != PS_OK ||
        (rc = write_coord(&coord->id[DIM_SEX], grp, DIM_SEX, str, str, sexes, PS_SEX_COUNT, err)) !=
            PS_OK ||
        (rc = write_coord(&coord->id[DIM_AGE], grp, DIM_AGE, H5T_STD_I32LE, H5T_NATIVE_INT32, ages,
                          dim_len(r, DIM_AGE), err)) != PS_OK) {
        goto done;
    }
    snprintf(note, sizeof note, "the last age is the open group, e.g. %d = %d+", r->n_ages - 1,
             r->n_ages - 1);
    rc = attr_str(coord->id[DIM_AGE], "note", note, err);
done:
    if (str >= 0) {
        H5Tclose(str);
    }
    free(ages);
    return rc;
}

/* The order and parity coordinates (1, 2, 3 and 0, 1, 2, 3; the last is open) of a result
 * that tracked parity; coord[] receives open datasets the caller closes. */
static ps_status write_parity_coords(coords *coord, hid_t grp, ps_error *err)
{
    int32_t orders[PS_ORDER_COUNT], parities[PS_PARITY_COUNT];
    ps_status rc = PS_OK;
    for (int order = 0; order < PS_ORDER_COUNT; ++order) {
        orders[order] = (int32_t)(order + 1);
    }
    for (int parity = 0; parity < PS_PARITY_COUNT; ++parity) {
        parities[parity] = (int32_t)parity;
    }
    if ((rc = write_coord(&coord->id[DIM_ORDER], grp, DIM_ORDER, H5T_STD_I32LE, H5T_NATIVE_INT32,
                          orders, PS_ORDER_COUNT, err)) == PS_OK) {
        rc = write_coord(&coord->id[DIM_PARITY], grp, DIM_PARITY, H5T_STD_I32LE, H5T_NATIVE_INT32,
                         parities, PS_PARITY_COUNT, err);
    }
    return rc;
}

/*
 * Chunk shape of a float64 variable larger than layout_contiguous_bytes: whole trailing
 * dimensions and a block of leading indices (years first) of at most layout_chunk_bytes,
 * the blocks made equal so that the last chunk is not mostly padding (76 years of 50 KiB
 * give 4 chunks of 19 years, not 3 of 20 and one of 16). When one index of a dimension is
 * already larger than the target, the chunk takes one index of it and the next dimension is
 * cut the same way, so a chunk exceeds the target only if one row of the last dimension does.
 */
static void chunk_shape(hsize_t *chunk, int rank, const hsize_t *dims)
{
    hsize_t bytes = sizeof(double);
    for (int k = 0; k < rank; ++k) {
        chunk[k] = dims[k];
        bytes *= dims[k];
    }
    for (int k = 0; k < rank && bytes > layout_chunk_bytes; ++k) {
        hsize_t row = bytes / dims[k]; /* bytes of one index of dimension k, whole trailing dims */
        hsize_t fit = layout_chunk_bytes / row;
        if (fit == 0) {
            fit = 1;
        }
        hsize_t blocks = (dims[k] + fit - 1) / fit;
        chunk[k] = (dims[k] + blocks - 1) / blocks;
        bytes = row * chunk[k];
    }
}

/* Layout by size (see layout_contiguous_bytes); unwritten cells NaN in either case; no object
 * times (ordered_plist). */
static hid_t variable_dcpl(int rank, const hsize_t *dims)
{
    hsize_t chunk[DIM_COUNT];
    hsize_t bytes = sizeof(double);
    const double fill = NAN;
    for (int k = 0; k < rank; ++k) {
        bytes *= dims[k];
    }
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    int ok = dcpl >= 0 && H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &fill) >= 0 &&
             H5Pset_obj_track_times(dcpl, 0) >= 0;
    if (ok && bytes <= layout_contiguous_bytes) {
        ok = H5Pset_layout(dcpl, H5D_CONTIGUOUS) >= 0;
    } else if (ok) {
        chunk_shape(chunk, rank, dims);
        ok = H5Pset_chunk(dcpl, rank, chunk) >= 0;
    }
    if (!ok && dcpl >= 0) {
        H5Pclose(dcpl);
        dcpl = H5I_INVALID_HID;
    }
    return dcpl;
}

/* One float64 variable with its CF attributes and a dimension scale on every axis; `len`
 * gives the length of each dimension (indexed by dim_id). */
static ps_status write_var_len(hid_t grp, const hsize_t len[DIM_COUNT], const var_spec *spec,
                               const double *data, coords *coord, ps_error *err)
{
    const double fill = NAN;
    hsize_t dims[DIM_COUNT];
    hsize_t bytes = sizeof(double);
    hid_t space = H5I_INVALID_HID, dcpl = H5I_INVALID_HID, ds = H5I_INVALID_HID;
    hid_t use_dcpl = H5I_INVALID_HID; /* dcpl, or the group's shared contiguous one */
    ps_status rc = PS_OK;
    for (int k = 0; k < spec->rank; ++k) {
        dims[k] = len[spec->dims[k]];
        bytes *= dims[k];
    }
    if (bytes <= layout_contiguous_bytes) {
        if (coord->dcpl_contig < 0) {
            coord->dcpl_contig = variable_dcpl(spec->rank, dims);
        }
        use_dcpl = coord->dcpl_contig;
    } else {
        use_dcpl = dcpl = variable_dcpl(spec->rank, dims);
    }
    if (coord->str < 0) {
        coord->str = utf8_string_type();
    }
    if (use_dcpl < 0 || coord->str < 0 ||
        (space = H5Screate_simple(spec->rank, dims, NULL)) < 0 ||
        (ds = H5Dcreate2(grp, spec->name, H5T_IEEE_F64LE, space, H5P_DEFAULT, use_dcpl,
                         H5P_DEFAULT)) < 0 ||
        H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        rc = h5_fail(err, "write variable", grp, spec->name);
        goto done;
    }
    if ((rc = write_units(ds, coord->str, spec->units, err)) != PS_OK ||
        (rc = attr_text(ds, coord->str, "long_name", spec->long_name, err)) != PS_OK ||
        (rc = ps_h5__attr_write(ds, "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &fill,
                                err)) != PS_OK) {
        goto done;
    }
    rc = attach_scales(coord, grp, ds, spec->name, spec->rank, spec->dims, err);
done:
    if (ds >= 0) {
        H5Dclose(ds);
    }
    if (dcpl >= 0) {
        H5Pclose(dcpl);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    return rc;
}

/* Lengths of the fixed dimensions of a result (0 for the per-group ones). */
static void result_lens(hsize_t len[DIM_COUNT], const ps_result *r)
{
    for (int d = 0; d < DIM_COUNT; ++d) {
        len[d] = d < DIM_CLASS ? dim_len(r, (dim_id)d) : 0;
    }
}

static ps_status write_var(hid_t grp, const ps_result *r, const var_spec *spec,
                           const double *data, coords *coord, ps_error *err)
{
    hsize_t len[DIM_COUNT];
    result_lens(len, r);
    return write_var_len(grp, len, spec, data, coord, err);
}

static int has_policy(const ps_result *r)
{
    return r->baseline != NULL || r->n_instruments > 0;
}

/*
 * Create a group of the policy part with its own year and region coordinates. netCDF-4
 * readers would find the scenario group's dimension scales from a child group too, but
 * xarray labels a dimension only with a coordinate in the group it opens, so each policy
 * group carries a copy and its variables are attached to that. coord[] receives the open
 * coordinates and *grp_out the group, both for the caller to close.
 */
static ps_status create_policy_group(hid_t *grp_out, coords *coord, hid_t parent,
                                     const char *name, hid_t gcpl, const ps_result *r,
                                     ps_error *err)
{
    ps_status rc = PS_OK;
    init_coords(coord);
    if ((*grp_out = H5Gcreate2(parent, name, H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0) {
        rc = h5_fail(err, "create group", parent, name);
    } else {
        rc = write_year_region(coord, *grp_out, r, err);
    }
    return rc;
}

static ps_status write_labels(coords *coord, hid_t grp, dim_id d, const void *names, int n,
                              ps_error *err);

/* /policy/<instrument>/: the lever and the instrument's ledger. */
static ps_status write_instrument(hid_t policy, hid_t gcpl, const ps_result *r,
                                  const ps_ledger *l, ps_error *err)
{
    hid_t grp = H5I_INVALID_HID;
    coords coord;
    init_coords(&coord);
    assert(l->lever >= 0 && l->lever < PS_LEVER_COUNT);
    ps_status rc = create_policy_group(&grp, &coord, policy, l->name, gcpl, r, err);
    if (rc == PS_OK) {
        rc = attr_str(grp, "lever", ps_lever_name((ps_lever)l->lever), err);
    }
    for (int v = 0; v < LEDGER_COUNT && rc == PS_OK; ++v) {
        rc = write_var(grp, r, &ledger_specs[v], ps_h5__ledger_data(l, (ledger_var)v), &coord, err);
    }
    if (rc == PS_OK && l->cost_by_payer != NULL) { /* issue #12: who pays */
        hsize_t len[DIM_COUNT];
        result_lens(len, r);
        len[DIM_PAYER] = PS_LEDGER_PAYERS;
        rc = write_labels(&coord, grp, DIM_PAYER, ps_h5__payer_labels, PS_LEDGER_PAYERS, err);
        if (rc == PS_OK) {
            rc = write_var_len(grp, len, &ledger_payer_spec, l->cost_by_payer, &coord, err);
        }
    }
    return close_group(&coord, grp, rc, err);
}

/* /scenarios/<name>/policy/: births_gained and one group per instrument. */
static ps_status write_policy(hid_t scenario, hid_t gcpl, const ps_result *r, ps_error *err)
{
    hid_t grp = H5I_INVALID_HID;
    coords coord;
    init_coords(&coord);
    ps_status rc = create_policy_group(&grp, &coord, scenario, policy_group, gcpl, r, err);
    if (rc == PS_OK && r->births_gained != NULL) {
        rc = write_var(grp, r, &births_gained_spec, r->births_gained, &coord, err);
    }
    for (int k = 0; k < r->n_instruments && rc == PS_OK; ++k) {
        rc = write_instrument(grp, gcpl, r, &r->ledger[k], err);
    }
    return close_group(&coord, grp, rc, err);
}

/* ---- services, care need and indicators (issue #4) -----------------------------------------
 * /scenarios/<name>/services/<service>/ holds one service's (year, region) variables and its
 * (year, region, class) demand_by_class; /care_need/ the persons in each care-need level;
 * /indicators/ the dependency ratios. Each group carries its own coordinates, like policy.
 */
static double *svc_data(const ps_svc_result *s, svc_var v)
{
    double *const data[SVC_VAR_COUNT] = {
        s->demand, s->capacity, s->shortage, s->surplus, s->utilization, s->per_1000,
        s->staff, s->groups, s->cost, s->fees, s->subsidy, s->subsidy_recipients,
        s->new_places, s->nursing_capacity, s->stock, s->stock_public, s->stock_staff,
        s->demand_served, s->gap_target, s->gap_demand, s->build,
    };
    return data[v];
}

/* A label coordinate (class, home_service, level) of n names. */
static ps_status write_labels(coords *coord, hid_t grp, dim_id d, const void *names, int n,
                              ps_error *err)
{
    hid_t str = utf8_string_type();
    ps_status rc = PS_OK;
    if (str < 0) {
        return h5_fail(err, "make a string type for", grp, dim_specs[d].name);
    }
    rc = write_coord(&coord->id[d], grp, d, str, str, names, (hsize_t)n, err);
    H5Tclose(str);
    return rc;
}

/* (year, region) values from [year][reg][k] columns: column k of every cell. */
static ps_status write_service(hid_t parent, hid_t gcpl, const ps_result *r,
                               const ps_svc_result *s, ps_error *err)
{
    hid_t grp = H5I_INVALID_HID;
    coords coord;
    init_coords(&coord);
    hsize_t len[DIM_COUNT];
    result_lens(len, r);
    len[DIM_CLASS] = (hsize_t)s->n_classes;
    len[DIM_HOME] = (hsize_t)s->n_home;
    ps_status rc = create_policy_group(&grp, &coord, parent, s->name, gcpl, r, err);
    double first_target = s->target != NULL ? s->target[0] : NAN;
    if (rc == PS_OK &&
        ((rc = attr_str(grp, "kind", ps_svc_kind_name((ps_svc_kind)s->kind), err)) != PS_OK ||
         (rc = attr_str(grp, "title", s->title != NULL ? s->title : s->name, err)) != PS_OK ||
         (rc = attr_str(grp, "basis", ps_svc_basis_name((ps_svc_basis)s->basis), err)) != PS_OK)) {
        goto done;
    }
    if (rc == PS_OK && s->basis == PS_SVC_BASIS_AGES &&
        ((rc = attr_int(grp, "basis_from_age", s->basis_age_lo, err)) != PS_OK ||
         (rc = attr_int(grp, "basis_to_age", s->basis_age_hi, err)) != PS_OK)) {
        goto done;
    }
    if (rc == PS_OK && s->basis != PS_SVC_BASIS_PLACES && !isnan(first_target)) {
        rc = attr_double(grp, "target_per_1000", first_target, err);
    }
    if (rc == PS_OK) {
        rc = write_labels(&coord, grp, DIM_CLASS, s->class_names, s->n_classes, err);
    }
    if (rc == PS_OK && s->n_home > 0) {
        rc = write_labels(&coord, grp, DIM_HOME, s->home_names, s->n_home, err);
    }
    for (int v = 0; v < SVC_VAR_COUNT && rc == PS_OK; ++v) {
        const double *data = svc_data(s, (svc_var)v);
        if (data != NULL) {
            rc = write_var_len(grp, len, &svc_specs[v], data, &coord, err);
        }
    }
    if (rc == PS_OK) {
        rc = write_var_len(grp, len, &svc_target_spec, s->target, &coord, err);
    }
    if (rc == PS_OK) {
        rc = write_var_len(grp, len, &svc_by_class_spec, s->demand_by_class, &coord, err);
    }
    if (rc == PS_OK && s->home_services != NULL) {
        rc = write_var_len(grp, len, &svc_home_spec, s->home_services, &coord, err);
    }
done:
    return close_group(&coord, grp, rc, err);
}

static ps_status write_services(hid_t scenario, hid_t gcpl, const ps_result *r, ps_error *err)
{
    hid_t grp = H5Gcreate2(scenario, "services", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    ps_status rc = grp >= 0 ? PS_OK : h5_fail(err, "create group", scenario, "services");
    for (int k = 0; k < r->n_services && rc == PS_OK; ++k) {
        rc = write_service(grp, gcpl, r, &r->services[k], err);
    }
    if (grp >= 0) {
        H5Gclose(grp);
    }
    return rc;
}

static ps_status write_care_need(hid_t scenario, hid_t gcpl, const ps_result *r, ps_error *err)
{
    hid_t grp = H5I_INVALID_HID;
    coords coord;
    init_coords(&coord);
    hsize_t len[DIM_COUNT];
    result_lens(len, r);
    len[DIM_LEVEL] = (hsize_t)r->n_care_levels;
    ps_status rc = create_policy_group(&grp, &coord, scenario, "care_need", gcpl, r, err);
    if (rc == PS_OK) {
        rc = write_labels(&coord, grp, DIM_LEVEL, r->care_level_names, r->n_care_levels, err);
    }
    if (rc == PS_OK) {
        rc = write_var_len(grp, len, &care_need_spec, r->care_need, &coord, err);
    }
    return close_group(&coord, grp, rc, err);
}

static ps_status write_indicators(hid_t scenario, hid_t gcpl, const ps_result *r, ps_error *err)
{
    hid_t grp = H5I_INVALID_HID;
    coords coord;
    init_coords(&coord);
    size_t cells = (size_t)r->n_years * (size_t)r->n_regions;
    double *col = malloc(cells * sizeof *col);
    ps_status rc = col != NULL ? create_policy_group(&grp, &coord, scenario, "indicators", gcpl, r,
                                                     err)
                               : ps_error_set(err, PS_ENOMEM, "out of memory");
    for (int k = 0; k < PS_DEPENDENCY_COUNT && rc == PS_OK; ++k) {
        for (size_t c = 0; c < cells; ++c) {
            col[c] = r->dependency[c * PS_DEPENDENCY_COUNT + (size_t)k];
        }
        rc = write_var(grp, r, &dependency_specs[k], col, &coord, err);
    }
    rc = close_group(&coord, grp, rc, err);
    free(col);
    return rc;
}


/* ---- internal migration (issue #13): /scenarios/<name>/internal_migration/ --------------- */
/* The origin and destination coordinates: the region names again, under their own names. */
static ps_status write_od_coords(coords *coord, hid_t grp, const ps_result *r, ps_error *err)
{
    hid_t str = utf8_string_type();
    ps_status rc = PS_OK;
    if (str < 0) {
        return h5_fail(err, "make a string type for", grp, "origin");
    }
    for (int d = DIM_ORIGIN; d <= DIM_DESTINATION && rc == PS_OK; ++d) {
        rc = write_coord(&coord->id[d], grp, (dim_id)d, str, str, r->region_names,
                         (hsize_t)r->n_regions, err);
    }
    H5Tclose(str);
    return rc;
}

/* /internal_migration/: in, out and net by (year, region, sex, age), and flows by (year,
 * origin, destination, sex, age) when the run computed them; the group carries its own
 * coordinates so that xarray labels it. */
static ps_status write_internal(hid_t scenario, hid_t gcpl, const ps_result *r, ps_error *err)
{
    hid_t grp = H5I_INVALID_HID;
    coords coord;
    init_coords(&coord);
    const double *data[] = { r->internal_in, r->internal_out, r->internal_net };
    ps_status rc = PS_OK;
    if ((grp = H5Gcreate2(scenario, "internal_migration", H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0) {
        rc = h5_fail(err, "create group", scenario, "internal_migration");
    } else {
        rc = write_coords(&coord, grp, r, err);
    }
    for (size_t v = 0; v < PS_H5_INTERNAL_COUNT && rc == PS_OK; ++v) {
        rc = write_var(grp, r, &internal_specs[v], data[v], &coord, err);
    }
    if (rc == PS_OK && r->flows != NULL && (rc = write_od_coords(&coord, grp, r, err)) == PS_OK) {
        hsize_t len[DIM_COUNT];
        result_lens(len, r);
        len[DIM_ORIGIN] = len[DIM_DESTINATION] = (hsize_t)r->n_regions;
        rc = write_var_len(grp, len, &flows_spec, r->flows, &coord, err);
    }
    return close_group(&coord, grp, rc, err);
}

/* ---- registration status (issue #13): /scenarios/<name>/registration/ -------------------- */
/* /registration/: registered and unregistered residents; population is their sum. */
static ps_status write_registration(hid_t scenario, hid_t gcpl, const ps_result *r,
                                    ps_error *err)
{
    hid_t grp = H5I_INVALID_HID;
    coords coord;
    init_coords(&coord);
    const size_t cells = (size_t)r->n_years * (size_t)r->n_regions * PS_SEX_COUNT *
                         (size_t)r->n_ages;
    double *unreg = malloc(cells * sizeof *unreg);
    ps_status rc = PS_OK;
    if (unreg == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the unregistered population");
    }
    for (size_t k = 0; k < cells; ++k) {
        unreg[k] = r->population[k] - r->registered[k];
    }
    if ((grp = H5Gcreate2(scenario, "registration", H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0) {
        rc = h5_fail(err, "create group", scenario, "registration");
    } else {
        rc = write_coords(&coord, grp, r, err);
    }
    if (rc == PS_OK) {
        rc = write_var(grp, r, &registration_specs[0], r->registered, &coord, err);
    }
    if (rc == PS_OK) {
        rc = write_var(grp, r, &registration_specs[1], unreg, &coord, err);
    }
    rc = close_group(&coord, grp, rc, err);
    free(unreg);
    return rc;
}

/* ---- microsimulation (issue #5): /scenarios/<name>/micro/ --------------------------------- */
/* One int64 column of the sample, dimension person. */
static ps_status write_sample_col(hid_t grp, int field, const long long *sample, hsize_t n,
                                  coords *coord, ps_error *err)
{
    int64_t *col = malloc((size_t)n * sizeof *col + 1);
    hid_t space = H5I_INVALID_HID, ds = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    if (col == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the person sample");
    }
    for (hsize_t i = 0; i < n; ++i) {
        col[i] = (int64_t)sample[i * PS_SAMPLE_FIELDS + (hsize_t)field];
    }
    if ((space = H5Screate_simple(1, &n, NULL)) < 0 ||
        (ds = H5Dcreate2(grp, sample_specs[field].name, H5T_STD_I64LE, space, H5P_DEFAULT,
                         H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, col) < 0) {
        rc = h5_fail(err, "write variable", grp, sample_specs[field].name);
    }
    if (rc == PS_OK) {
        const dim_id person[] = { DIM_PERSON };
        rc = attach_scales(coord, grp, ds, sample_specs[field].name, 1, person, err);
    }
    if (rc == PS_OK) {
        rc = attr_str(ds, "long_name", sample_specs[field].long_name, err);
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    free(col);
    return rc;
}

static ps_status write_micro(hid_t scenario, hid_t gcpl, const ps_result *r, ps_error *err)
{
        const ps_result_micro *mo = r->micro;
    hid_t grp = H5I_INVALID_HID;
    coords coord;
    init_coords(&coord);
    hsize_t len[DIM_COUNT];
    result_lens(len, r);
    len[DIM_ORDER] = PS_ORDER_COUNT;
    len[DIM_INCOME] = PS_INCOME_COUNT;
    len[DIM_HAS_CHILD] = PS_H5__HAS_CHILD_COUNT;
    len[DIM_REPLICATE] = (hsize_t)mo->replicates;
    len[DIM_PERSON] = (hsize_t)mo->n_sample;
    int32_t *reps = malloc((size_t)mo->replicates * sizeof *reps);
    int32_t orders[PS_ORDER_COUNT] = { 1, 2, 3 };
    ps_status rc = reps != NULL ? create_policy_group(&grp, &coord, scenario, "micro", gcpl, r, err)
                                : ps_error_set(err, PS_ENOMEM, "out of memory");
    for (int k = 0; reps != NULL && k < mo->replicates; ++k) {
        reps[k] = k;
    }
    if (rc == PS_OK &&
        ((rc = attr_int(grp, "replicates", mo->replicates, err)) != PS_OK ||
         (rc = attr_double(grp, "scale", mo->scale, err)) != PS_OK ||
         (rc = attr_double(grp, "seed", (double)mo->seed, err)) != PS_OK ||
         (rc = write_labels(&coord, grp, DIM_INCOME, ps_h5__income_labels, PS_INCOME_COUNT,
                            err)) != PS_OK ||
         (rc = write_labels(&coord, grp, DIM_HAS_CHILD, ps_h5__has_child_labels,
                            PS_H5__HAS_CHILD_COUNT, err)) != PS_OK ||
         (rc = write_coord(&coord.id[DIM_ORDER], grp, DIM_ORDER, H5T_STD_I32LE, H5T_NATIVE_INT32,
                           orders, PS_ORDER_COUNT, err)) != PS_OK ||
         (rc = write_coord(&coord.id[DIM_REPLICATE], grp, DIM_REPLICATE, H5T_STD_I32LE,
                           H5T_NATIVE_INT32, reps, (hsize_t)mo->replicates, err)) != PS_OK)) {
        goto done;
    }
    const double *data[] = { mo->births_by_income, mo->under3, mo->under3_enrolled,
                             mo->disabled_elderly, mo->population_by_replicate,
                             mo->births_by_replicate, mo->subsidy_cost_by_income };
    for (size_t v = 0; v < sizeof data / sizeof data[0] && rc == PS_OK; ++v) {
        if (data[v] != NULL) {
            rc = write_var_len(grp, len, &micro_specs[v], data[v], &coord, err);
        }
    }
    if (rc == PS_OK && mo->n_sample > 0) {
        int64_t *ids = malloc((size_t)mo->n_sample * sizeof *ids);
        if (ids == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        }
        for (long long i = 0; ids != NULL && i < mo->n_sample; ++i) {
            ids[i] = (int64_t)i;
        }
        if (rc == PS_OK) {
            rc = write_coord(&coord.id[DIM_PERSON], grp, DIM_PERSON, H5T_STD_I64LE, H5T_NATIVE_INT64,
                             ids, (hsize_t)mo->n_sample, err);
        }
        free(ids);
        for (int f = 0; f < PS_SAMPLE_FIELDS && rc == PS_OK; ++f) {
            rc = write_sample_col(grp, f, mo->sample, (hsize_t)mo->n_sample, &coord,
                                  err);
        }
    }
done:
    rc = close_group(&coord, grp, rc, err);
    free(reps);
    return rc;
}

/* Scalars of the scenario: emigration_shortfall always, the policy totals with a policy part. */
static ps_status write_scenario_scalars(hid_t grp, const ps_result *r, ps_error *err)
{
    ps_status rc = attr_double(grp, "emigration_shortfall", r->emigration_shortfall, err);
    if (rc == PS_OK && r->baseline != NULL) {
        rc = attr_str(grp, "baseline", r->baseline, err);
    }
    size_t n_attrs = has_policy(r) ? sizeof policy_attrs / sizeof policy_attrs[0] : 0;
    for (size_t k = 0; k < n_attrs && rc == PS_OK; ++k) {
        double value;
        memcpy(&value, (const char *)r + policy_attrs[k].offset, sizeof value);
        rc = attr_double(grp, policy_attrs[k].name, value, err);
    }
    return rc;
}

static ps_status write_scenario(hid_t scenarios, hid_t gcpl, const ps_result *r,
                                const ps_h5_write_options *opts, ps_error *err)
{
    hid_t grp = H5I_INVALID_HID;
    coords coord;
    init_coords(&coord);
    ps_status rc = PS_OK;
    if ((grp = H5Gcreate2(scenarios, r->name, H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0) {
        rc = h5_fail(err, "create group", scenarios, r->name);
        goto done;
    }
    if ((rc = attr_str(grp, "title", r->title != NULL ? r->title : r->name, err)) != PS_OK ||
        (rc = attr_int(grp, "start_year", r->start_year, err)) != PS_OK ||
        (rc = attr_int(grp, "end_year", r->start_year + r->n_years - 1, err)) != PS_OK ||
        (rc = write_scenario_scalars(grp, r, err)) != PS_OK ||
        (rc = write_coords(&coord, grp, r, err)) != PS_OK) {
        goto done;
    }
    if (r->births_by_order != NULL && (rc = write_parity_coords(&coord, grp, err)) != PS_OK) {
        goto done;
    }
    for (int v = 0; v < VAR_COUNT && rc == PS_OK && (rc = check_cancel(opts, err)) == PS_OK; ++v) {
        const double *data = ps_h5__var_data(r, (var_id)v);
        if (data != NULL) { /* only the optional variables may be NULL (validate_results) */
            rc = write_var(grp, r, &var_specs[v], data, &coord, err);
        }
    }
    if (rc == PS_OK && has_policy(r)) {
        rc = write_policy(grp, gcpl, r, err);
    }
    if (rc == PS_OK && has_policy(r)) { /* the response range (issue #12, h5range.c) */
        rc = ps_h5__write_range(grp, gcpl, r, err);
    }
    if (rc == PS_OK && r->n_services > 0) {
        rc = write_services(grp, gcpl, r, err);
    }
    if (rc == PS_OK && r->n_care_levels > 0) {
        rc = write_care_need(grp, gcpl, r, err);
    }
    if (rc == PS_OK && r->dependency != NULL) {
        rc = write_indicators(grp, gcpl, r, err);
    }
    if (rc == PS_OK && r->micro != NULL) {
        rc = write_micro(grp, gcpl, r, err);
    }
    if (rc == PS_OK && r->internal_in != NULL) {
        rc = write_internal(grp, gcpl, r, err);
    }
    if (rc == PS_OK && r->registered != NULL) {
        rc = write_registration(grp, gcpl, r, err);
    }
done:
    return close_group(&coord, grp, rc, err);
}

/*
 * /family (issue #16): the main variables of every member of a family stacked along a
 * `scenario` coordinate, so that xarray.open_dataset(f, group="family") gives them in one
 * call (with .sel(scenario=...)) instead of one open per member. Written when the file holds
 * more than one scenario and all share years, regions and ages; a variable that some member
 * lacks (birth order without parity) is left out. The values are copies of the members'.
 */
static int family_stackable(const ps_result *const *results, int n)
{
    for (int k = 1; k < n; ++k) {
        const ps_result *a = results[0], *b = results[k];
        if (a->start_year != b->start_year || a->n_years != b->n_years ||
            a->n_regions != b->n_regions || a->n_ages != b->n_ages) {
            return 0;
        }
    }
    return n > 1;
}

static ps_status write_family(hid_t file, hid_t gcpl, const ps_result *const *results, int n,
                              const ps_h5_write_options *opts, ps_error *err)
{
    const ps_result *r = results[0];
    hid_t grp = H5I_INVALID_HID, str = utf8_string_type();
    coords coord;
    init_coords(&coord);
    const char **names = calloc((size_t)n, sizeof *names);
    double *stack = NULL;
    ps_status rc = PS_OK;
    if (names == NULL || str < 0) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the family group");
        goto done;
    }
    for (int k = 0; k < n; ++k) {
        names[k] = results[k]->name;
    }
    if ((grp = H5Gcreate2(file, "family", H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0) {
        rc = h5_fail(err, "create group", file, "family");
        goto done;
    }
    if ((rc = attr_str(grp, "note", "the main variables of every scenario of the file, stacked "
                                    "along scenario; copies of /scenarios/<name>/",
                       err)) != PS_OK ||
        (rc = write_coord(&coord.id[DIM_SCENARIO], grp, DIM_SCENARIO, str, str, names,
                          (hsize_t)n, err)) != PS_OK ||
        (rc = write_coords(&coord, grp, r, err)) != PS_OK) {
        goto done;
    }
    int parity = 1;
    for (int k = 0; k < n; ++k) {
        parity &= results[k]->births_by_order != NULL && results[k]->women_by_parity != NULL;
    }
    if (parity && (rc = write_parity_coords(&coord, grp, err)) != PS_OK) {
        goto done;
    }
    hsize_t len[DIM_COUNT];
    result_lens(len, r);
    len[DIM_SCENARIO] = (hsize_t)n;
    for (int v = 0; v < VAR_COUNT && rc == PS_OK && (rc = check_cancel(opts, err)) == PS_OK; ++v) {
        const var_spec *one = &var_specs[v];
        size_t cells = 1;
        for (int k = 0; k < one->rank; ++k) {
            cells *= (size_t)len[one->dims[k]];
        }
        int all = 1;
        for (int k = 0; k < n; ++k) {
            all &= ps_h5__var_data(results[k], (var_id)v) != NULL;
        }
        if (!all) {
            continue;
        }
        free(stack);
        if ((stack = malloc((size_t)n * cells * sizeof *stack)) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory stacking '%s'", one->name);
            break;
        }
        for (int k = 0; k < n; ++k) {
            memcpy(stack + (size_t)k * cells, ps_h5__var_data(results[k], (var_id)v),
                   cells * sizeof *stack);
        }
        var_spec stacked = *one;
        stacked.rank = one->rank + 1;
        stacked.dims[0] = DIM_SCENARIO;
        memcpy(&stacked.dims[1], one->dims, (size_t)one->rank * sizeof one->dims[0]);
        rc = write_var_len(grp, len, &stacked, stack, &coord, err);
    }
done:
    rc = close_group(&coord, grp, rc, err);
    free(stack);
    free(names);
    if (str >= 0) {
        H5Tclose(str);
    }
    return rc;
}

/* ---- the file: global attributes, groups, atomic replacement ----------------------------- */

/* "YYYY-MM-DDThh:mm:ssZ" now, or at SOURCE_DATE_EPOCH when set (reproducible-builds.org),
 * so answer files can be regenerated byte for byte. */
static void utc_timestamp(char *buf, size_t size)
{
    time_t now = time(NULL);
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    struct tm tm;
    if (epoch != NULL && epoch[0] != '\0') {
        char *end = NULL;
        errno = 0;
        long long secs = strtoll(epoch, &end, 10);
        if (errno == 0 && *end == '\0' && secs >= 0) {
            now = (time_t)secs;
        }
    }
    if (gmtime_r(&now, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
        snprintf(buf, size, "%s", "unknown");
    }
}

static ps_status write_globals(hid_t file, const ps_result *first, const ps_provenance *prov,
                               ps_error *err)
{
    char created[32];
    utc_timestamp(created, sizeof created);
    const char *cmd = prov->command_line != NULL ? prov->command_line : "";
    size_t history_len = strlen(created) + 1 + strlen(cmd) + 1;
    char *history = malloc(history_len);
    ps_status rc = PS_OK;
    if (history == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the history attribute");
        goto done;
    }
    snprintf(history, history_len, "%s %s", created, cmd);
    const struct {
        const char *name, *value;
    } text[] = {
        { "Conventions", "CF-1.8" },
        { "title", first->title != NULL ? first->title : first->name },
        { "popsim_version", ps_version() },
        { "git_commit", ps_git_commit() },
        { "scenario_file", prov->scenario_path },
        { "scenario_sha256", prov->scenario_sha256 },
        { "command_line", cmd },
        { "data_source", prov->data_source },
        { "created", created },
        { "history", history },
    };
    for (size_t k = 0; k < sizeof text / sizeof text[0] && rc == PS_OK; ++k) {
        rc = attr_str(file, text[k].name, text[k].value, err);
    }
    uint64_t seed = (uint64_t)prov->seed;
    if (rc == PS_OK) {
        rc = ps_h5__attr_write(file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed, err);
    }
    if (rc == PS_OK) {
        rc = attr_int(file, "threads", prov->threads, err);
    }
    if (rc == PS_OK && prov->mpi_ranks > 0) { /* an MPI run (issue #15) */
        rc = attr_int(file, "mpi_ranks", prov->mpi_ranks, err);
    }
    if (rc == PS_OK && prov->parity_fit != NULL) { /* issue #12 */
        rc = ps_h5__write_parity_fit(file, prov->parity_fit, err);
    }
done:
    free(history);
    return rc;
}

/*
 * /provenance: one row per input of the run (issue #16), as 1-D string datasets of equal
 * length (kind, source, detail, path, sha256) rather than attributes, so the root group keeps
 * its attributes and any number of inputs stays in compact storage. Row i of each dataset
 * describes the same input.
 */
static const char *prov_cell(const ps_input_source *in, prov_col c)
{
    const char *v[PROV_COL_COUNT] = { in->kind, in->source, in->detail, in->path, in->sha256 };
    return v[c] != NULL ? v[c] : "";
}

static ps_status write_prov_column(hid_t grp, prov_col c, const ps_provenance *prov,
                                   const char **cells, ps_error *err)
{
    const char *const *names = ps_h5__prov_names;
    hsize_t n = (hsize_t)prov->n_inputs;
    hid_t type = utf8_string_type(), space = H5I_INVALID_HID, ds = H5I_INVALID_HID;
    hid_t dxpl = ps_h5__small_dxpl(n);
    ps_status rc = PS_OK;
    for (int k = 0; k < prov->n_inputs; ++k) {
        cells[k] = prov_cell(&prov->inputs[k], c);
    }
    if (type < 0 || dxpl < 0 || (space = H5Screate_simple(1, &n, NULL)) < 0 ||
        (ds = H5Dcreate2(grp, names[c], type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Dwrite(ds, type, H5S_ALL, H5S_ALL, dxpl, cells) < 0) {
        rc = h5_fail(err, "write", grp, names[c]);
    }
    if (rc == PS_OK) {
        rc = attr_str(ds, "long_name", ps_h5__prov_long_names[c], err);
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    if (dxpl >= 0) {
        H5Pclose(dxpl);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    if (type >= 0) {
        H5Tclose(type);
    }
    return rc;
}

static ps_status write_provenance(hid_t file, hid_t gcpl, const ps_provenance *prov,
                                  ps_error *err)
{
    if (prov->inputs == NULL || prov->n_inputs < 1) {
        return PS_OK;
    }
    hid_t grp = H5I_INVALID_HID;
    const char **cells = calloc((size_t)prov->n_inputs, sizeof *cells);
    ps_status rc = PS_OK;
    if (cells == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the provenance records");
    } else if ((grp = H5Gcreate2(file, "provenance", H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0) {
        rc = h5_fail(err, "create group", file, "provenance");
    } else {
        rc = attr_str(grp, "description", "one row per input of the run: where it came from",
                      err);
    }
    for (int c = 0; c < PROV_COL_COUNT && rc == PS_OK; ++c) {
        rc = write_prov_column(grp, (prov_col)c, prov, cells, err);
    }
    if (grp >= 0) {
        H5Gclose(grp);
    }
    free(cells);
    return rc;
}

/* The HDF5 file is built in memory (the core driver without a backing store) and its image
 * is copied to `out`, so HDF5 never writes to disk: a full disk or a file size limit is an
 * ordinary write error of the caller's stream, reported as such, and no half-closed HDF5
 * file is left for HDF5's exit handler to close again (issue #17; with the sec2 driver a
 * failed H5Fclose made that handler crash). Peak memory: twice the file's size. */
#define H5_CORE_INCREMENT ((size_t)1 << 20) /* bytes by which the in-memory file grows */

static ps_status write_file(FILE *out, const char *name, const ps_result *const *results,
                            int n, const ps_provenance *prov, int family_only,
                            const ps_h5_write_options *opts, ps_error *err)
{
    hid_t fapl = H5I_INVALID_HID, fcpl = H5I_INVALID_HID, gcpl = H5I_INVALID_HID;
    hid_t file = H5I_INVALID_HID, scenarios = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    h5_detail d;
    ps_h5__image img; /* the core driver's buffer, written out without a copy (h5image.c) */
    /* Objects in at most the 1.8 format keep files readable by every netCDF-4 and HDF5 >= 1.8
     * reader. The low bound stays EARLIEST: HDF5 1.10's image of a file in memory with the
     * version 2 superblock that a V18 low bound selects carries a stale superblock checksum
     * (unreadable), while the version 0 superblock has no checksum. */
    if ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 ||
        H5Pset_fapl_core(fapl, H5_CORE_INCREMENT, 0) < 0 || ps_h5__image_track(fapl, &img) < 0 ||
        H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) < 0 ||
        (fcpl = ordered_plist(H5P_FILE_CREATE)) < 0 ||
        (gcpl = ordered_plist(H5P_GROUP_CREATE)) < 0) {
        h5_reason(&d);
        rc = ps_error_set(err, PS_EHDF5, "cannot set up HDF5 property lists: %s", d.text);
        goto done;
    }
    if ((file = H5Fcreate(name, H5F_ACC_TRUNC, fcpl, fapl)) < 0) {
        h5_reason(&d);
        rc = ps_error_set(err, PS_EHDF5, "cannot create the HDF5 file in memory: %s", d.text);
        goto done;
    }
    if ((rc = write_globals(file, results[0], prov, err)) != PS_OK ||
        (rc = write_provenance(file, gcpl, prov, err)) != PS_OK) {
        goto done;
    }
    if (!family_only &&
        (scenarios = H5Gcreate2(file, "scenarios", H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0) {
        rc = h5_fail(err, "create group", file, "scenarios");
        goto done;
    }
    for (int k = 0; k < n && !family_only && rc == PS_OK && (rc = check_cancel(opts, err)) == PS_OK;
         ++k) {
        rc = write_scenario(scenarios, gcpl, results[k], opts, err);
    }
    if (scenarios >= 0 && H5Gclose(scenarios) < 0 && rc == PS_OK) {
        rc = h5_fail(err, "close group", file, "scenarios");
    }
    scenarios = H5I_INVALID_HID;
    if (rc == PS_OK && family_only) {
        rc = write_family(file, gcpl, results, n, opts, err);
    }
    if (rc == PS_OK && prov->sweep != NULL) { /* issue #15: io/h5sweep.c */
        rc = ps_h5__write_sweep(file, gcpl, prov->sweep, err);
    }
    if (rc == PS_OK && H5Fflush(file, H5F_SCOPE_GLOBAL) < 0) {
        rc = h5_fail(err, "flush", file, name);
    }
    if (rc == PS_OK) {
        rc = ps_h5__image_write(out, file, &img, name, err);
    }
done:
    if (scenarios >= 0) {
        H5Gclose(scenarios);
    }
    if (file >= 0 && H5Fclose(file) < 0 && rc == PS_OK) {
        h5_reason(&d);
        rc = ps_error_set(err, PS_EHDF5, "cannot close the HDF5 file in memory: %s", d.text);
    }
    if (gcpl >= 0) {
        H5Pclose(gcpl);
    }
    if (fcpl >= 0) {
        H5Pclose(fcpl);
    }
    if (fapl >= 0) {
        H5Pclose(fapl);
    }
    return rc;
}

/* Instrument names become groups beside births_gained, year and region: valid, distinct and
 * none of those. */
static ps_status validate_ledger(const ps_result *r, ps_error *err)
{
    ps_status rc = PS_OK;
    assert((r->births_by_order == NULL) == (r->women_by_parity == NULL));
    assert(r->n_instruments == 0 || r->ledger != NULL);
    for (int k = 0; k < r->n_instruments && rc == PS_OK; ++k) {
        const ps_ledger *l = &r->ledger[k];
        assert(l->recipients != NULL && l->cost != NULL && l->cost_discounted != NULL);
        if (!ps_h5__valid_link_name(l->name) || strcmp(l->name, births_gained_spec.name) == 0 ||
            strcmp(l->name, dim_specs[DIM_YEAR].name) == 0 ||
            strcmp(l->name, dim_specs[DIM_REGION].name) == 0) {
            rc = ps_error_set(err, PS_EINVAL,
                              "instrument name '%s' of scenario '%s' cannot name an HDF5 group: "
                              "it must be non-empty, contain no '/', not be '.' or '..' and not "
                              "be '%s', '%s' or '%s'", l->name != NULL ? l->name : "(null)",
                              r->name, births_gained_spec.name, dim_specs[DIM_YEAR].name,
                              dim_specs[DIM_REGION].name);
        }
        for (int j = 0; j < k && rc == PS_OK; ++j) {
            if (strcmp(r->ledger[j].name, l->name) == 0) {
                rc = ps_error_set(err, PS_EINVAL, "instrument name '%s' is used twice in "
                                  "scenario '%s'; each needs its own group", l->name, r->name);
            }
        }
    }
    return rc;
}

/* Everything that can be known bad before a file is touched. */
static ps_status validate_results(const ps_result *const *results, int n, ps_error *err)
{
    ps_status rc = PS_OK;
    if (results == NULL || n < 1) {
        rc = ps_error_set(err, PS_EINVAL, "nothing to write: %d scenarios", n);
    }
    for (int k = 0; k < n && rc == PS_OK; ++k) {
        const char *name = results[k]->name;
        assert(results[k]->region_names != NULL && results[k]->population != NULL);
        if (!ps_h5__valid_link_name(name)) {
            rc = ps_error_set(err, PS_EINVAL,
                              "scenario name '%s' cannot name an HDF5 group: it must be "
                              "non-empty, contain no '/' and not be '.' or '..'",
                              name != NULL ? name : "(null)");
        }
        for (int j = 0; j < k && rc == PS_OK; ++j) {
            if (strcmp(results[j]->name, name) == 0) {
                rc = ps_error_set(err, PS_EINVAL, "scenario name '%s' is used twice (results %d "
                                  "and %d); each needs its own group", name, j + 1, k + 1);
            }
        }
        if (rc == PS_OK) {
            rc = validate_ledger(results[k], err);
        }
    }
    return rc;
}

/* The whole file in memory, then its bytes through ps_outfile (atomic, issue #17). */
static ps_status write_atomically(const char *path, const ps_result *const *results, int n,
                                  const ps_provenance *prov, int family_only,
                                  const ps_h5_write_options *opts, ps_error *err)
{
    ps_outfile *out = NULL;
    FILE *stream = NULL;
    ps_status rc = validate_results(results, n, err);
    /* The target rules, the exclusive temporary and the atomic rename are ps_outfile's
     * (issue #17); the file's bytes reach the temporary only through its stream. */
    if (rc != PS_OK || (rc = ps_outfile_open(&out, path, err)) != PS_OK) {
        goto done;
    }
    if ((stream = ps_outfile_stream(out)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = write_file(stream, ps_outfile_temp_path(out), results, n,
                         prov != NULL ? prov : &no_provenance, family_only, opts, err)) !=
            PS_OK ||
        (rc = check_cancel(opts, err)) != PS_OK) {
        goto done;
    }
    rc = ps_outfile_commit(out, err);
    out = NULL;
done:
    ps_outfile_abort(out);
    if (rc != PS_OK) {
        ps_h5__note_path(err, path);
    }
    return rc;
}

ps_status ps_h5_write(const char *path, const ps_result *const *results, int n,
                      const ps_provenance *prov, ps_error *err)
{
    return write_atomically(path, results, n, prov, 0, NULL, err);
}

ps_status ps_h5_write_with(const char *path, const ps_result *const *results, int n,
                           const ps_provenance *prov, const ps_h5_write_options *opts,
                           ps_error *err)
{
    return write_atomically(path, results, n, prov, 0, opts, err);
}

ps_status ps_h5_write_family(const char *path, const ps_result *const *results, int n,
                             const ps_provenance *prov, ps_error *err)
{
    if (n < 2 || !family_stackable(results, n)) {
        return ps_error_set_at(err, PS_EINVAL, path, 0, 0,
                               "a family file needs at least two scenarios with the same "
                               "years, regions and ages");
    }
    return write_atomically(path, results, n, prov, 1, NULL, err);
}

void ps_h5_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

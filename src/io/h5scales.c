/*
 * h5scales.c - dimension scales attached in batches (issue #18). H5DSattach_scale checks both
 * datasets, then reads, deletes and rewrites the variable's DIMENSION_LIST and the scale's
 * whole REFERENCE_LIST for every axis it attaches: quadratic in the variables per scale, and
 * a third of the writer's time in a policy family before the writers (h5out.c, h5range.c)
 * collected the references and wrote each list once. The attributes are the ones
 * H5DSattach_scale writes (HDF5 Dimension Scale Specification 1.0, as in HDF5 1.8-1.14): the
 * same names, types and entries in the same order, so netCDF-4 readers, xarray, h5py and H5DS
 * itself see the same file.
 */
#include <stddef.h>

#include <hdf5.h>

#include "h5schema_int.h"

int ps_h5__dimension_list(hobj_ref_t *self_out, hid_t ds, int rank, const hid_t *scales)
{
    hobj_ref_t refs[DIM_COUNT];
    hvl_t list[DIM_COUNT];
    const hsize_t n = (hsize_t)rank;
    hid_t vlen = H5I_INVALID_HID, space = H5I_INVALID_HID, attr = H5I_INVALID_HID;
    int ok = rank > 0 && rank <= DIM_COUNT &&
             H5Rcreate(self_out, ds, ".", H5R_OBJECT, H5I_INVALID_HID) >= 0;
    for (int k = 0; k < rank && ok; ++k) {
        ok = H5Rcreate(&refs[k], scales[k], ".", H5R_OBJECT, H5I_INVALID_HID) >= 0;
        list[k].len = 1;
        list[k].p = &refs[k];
    }
    ok = ok && (vlen = H5Tvlen_create(H5T_STD_REF_OBJ)) >= 0 &&
         (space = H5Screate_simple(1, &n, NULL)) >= 0 &&
         (attr = H5Acreate2(ds, "DIMENSION_LIST", vlen, space, H5P_DEFAULT, H5P_DEFAULT)) >= 0 &&
         H5Awrite(attr, vlen, list) >= 0;
    if (attr >= 0) {
        H5Aclose(attr);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    if (vlen >= 0) {
        H5Tclose(vlen);
    }
    return ok ? 0 : -1;
}

int ps_h5__reference_list(hid_t scale, const ps_h5__scale_ref *refs, size_t n_refs)
{
    const hsize_t n = (hsize_t)n_refs;
    hid_t type = H5Tcreate(H5T_COMPOUND, sizeof(ps_h5__scale_ref));
    hid_t space = H5I_INVALID_HID, attr = H5I_INVALID_HID;
    int ok = type >= 0 && n_refs > 0 &&
             H5Tinsert(type, "dataset", offsetof(ps_h5__scale_ref, ref), H5T_STD_REF_OBJ) >= 0 &&
             H5Tinsert(type, "dimension", offsetof(ps_h5__scale_ref, dim), H5T_NATIVE_INT) >= 0 &&
             (space = H5Screate_simple(1, &n, NULL)) >= 0 &&
             (attr = H5Acreate2(scale, "REFERENCE_LIST", type, space, H5P_DEFAULT,
                                H5P_DEFAULT)) >= 0 &&
             H5Awrite(attr, type, refs) >= 0;
    if (attr >= 0) {
        H5Aclose(attr);
    }
    if (space >= 0) {
        H5Sclose(space);
    }
    if (type >= 0) {
        H5Tclose(type);
    }
    return ok ? 0 : -1;
}

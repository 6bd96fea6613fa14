/*
 * h5xfer.c - transfer property lists sized for the data (issue #18). Writing strings converts
 * them, and with the default transfer list HDF5 takes a 1 MiB conversion and a 1 MiB
 * background buffer for every such write and clears them (fresh pages from the kernel each
 * time): a policy family writes hundreds of short label coordinates (`term`, `elasticity`,
 * the provenance columns), and this was a quarter of its writing time.
 */
#include <hdf5.h>

#include "h5schema_int.h"

hid_t ps_h5__small_dxpl(hsize_t len)
{
    const size_t elem_bytes = 64;  /* bytes per element: above any type's in-file size */
    const size_t min_bytes = 4096; /* bytes; one page */
    const size_t bytes = (size_t)len * elem_bytes;
    hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
    if (dxpl >= 0 && H5Pset_buffer(dxpl, bytes > min_bytes ? bytes : min_bytes, NULL, NULL) < 0) {
        H5Pclose(dxpl);
        dxpl = H5I_INVALID_HID;
    }
    return dxpl;
}

/*
 * io/h5sweep_int.h - the /sweep group writer (io/h5sweep.c) that h5out.c's write_file calls
 * when ps_provenance.sweep is set (issue #15, section 3).
 */
#ifndef PS_IO_H5SWEEP_INT_H
#define PS_IO_H5SWEEP_INT_H

#include <hdf5.h>

#include "popsim/error.h"
#include "popsim/sweep.h"

/** Group /sweep of the open file: points, swept keys' values and the rows (docs/output-format.md). */
ps_status ps_h5__write_sweep(hid_t file, hid_t gcpl, const ps_sweep_table *t, ps_error *err);

#endif /* PS_IO_H5SWEEP_INT_H */

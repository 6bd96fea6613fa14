/*
 * io/h5parity_fit_int.h - the root attributes of the base parity's fit (issue #12,
 * io/h5parity_fit.c), written by h5out.c's write_globals when ps_provenance.parity_fit is set
 * and read back by `popsim info` as text.
 */
#ifndef PS_IO_H5PARITY_FIT_INT_H
#define PS_IO_H5PARITY_FIT_INT_H

#include <stddef.h>

#include <hdf5.h>

#include "popsim/error.h"
#include "popsim/policy.h"

/** Root attributes parity_fit (one line of text) and parity_fit_<name> (float64 each) of the
 * open file (docs/output-format.md "Base parity fit"). */
ps_status ps_h5__write_parity_fit(hid_t file, const ps_parity_fit *fit, ps_error *err);

/** The one-line text of attribute parity_fit. */
void ps_h5__parity_fit_text(char *out, size_t size, const ps_parity_fit *fit);

#endif /* PS_IO_H5PARITY_FIT_INT_H */

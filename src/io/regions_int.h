/*
 * io/regions_int.h - the multiregional part of the input builder (src/io/regions.c).
 */
#ifndef PS_IO_REGIONS_INT_H
#define PS_IO_REGIONS_INT_H

#include "popsim/builder.h"

/* Inputs of a scenario with `regions:` (n_regions >= 1): each region built as a
 * single-region scenario whose top-level inputs the item's own replace, then stacked. */
ps_status ps_build__regions(ps_inputs *out, const ps_scenario *scn, const ps_build_options *opt,
                            ps_error *err);

#endif /* PS_IO_REGIONS_INT_H */

/*
 * io/regions_int.h - the multiregional part of the input builder (src/io/regions.c).
 */
#ifndef PS_IO_REGIONS_INT_H
#define PS_IO_REGIONS_INT_H

#include "popsim/builder.h"
#include "popsim/flows.h"

/* Inputs of a scenario with `regions:` (n_regions >= 1): each region built as a
 * single-region scenario whose top-level inputs the item's own replace, then stacked. */
ps_status ps_build__regions(ps_inputs *out, const ps_scenario *scn, const ps_build_options *opt,
                            ps_error *err);

/* Field i of an origin-destination row as a region index; an unknown name is PS_EINVAL at
 * the field, listing the scenario's regions (src/io/regions.c). */
struct ps_csv;
struct ps_csv_row;
ps_status ps_build__od_region(int *out, const ps_scenario *scn, const struct ps_csv *c,
                              const struct ps_csv_row *row, int i, ps_error *err);

/* Whether the origin-destination table at path has the header by sex and age
 * (origin,destination,sex,age,rate[,year]); its first line only is read (src/io/od_aged.c).
 * @return PS_OK; PS_EIO; PS_EPARSE for a file without a header line */
ps_status ps_build__od_by_age(int *by_age, const char *path, ps_error *err);

/* ps_build_flows for a table by sex and age: every pair given keeps its own rates by sex and
 * age (ps_flows_init_aged), no Rogers-Castro spreading (src/io/od_aged.c). */
ps_status ps_build__flows_by_age(ps_flows *out, const ps_scenario *scn, const ps_inputs *in,
                                 ps_error *err);

#endif /* PS_IO_REGIONS_INT_H */

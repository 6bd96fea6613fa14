/*
 * io/uncertainty_int.h - what the scenario loader (io/scenario.c) calls of the
 * `uncertainty:` reader (io/uncertainty.c, issue #14 sec. 1).
 */
#ifndef PS_IO_UNCERTAINTY_INT_H
#define PS_IO_UNCERTAINTY_INT_H

#include "io/sweep_int.h"
#include "popsim/scenario.h"

/* Read `uncertainty:` (if given) into scn->uncertainty, after the family, regions and sweep
 * are built (it refuses them at its key). */
ps_status ps_scn__build_uncertainty(const struct load_ctx *c, ps_scenario *scn, ps_error *err);

/* Release scn->uncertainty (ps_scn_release). */
void ps_scn__unc_release(ps_scn_uncertainty *u);

#endif /* PS_IO_UNCERTAINTY_INT_H */

/*
 * run/regions.c - internal migration in a scenario run (issue #13): the flows built from the
 * scenario live as long as the run and are lent to the projection; the optional
 * origin-destination output is computed after a unit from its population, with the same
 * numbers the engine moved (ps_flows_od), so only that output costs regions^2 x ages.
 */
#include <string.h>

#include "popsim/builder.h"
#include "run/run_int.h"

ps_status ps_run__flows_prepare(ps_flows *f, ps_registration *g, ps_proj *p,
                                const ps_scenario *scn, const ps_inputs *in, ps_error *err)
{
    ps_status rc = ps_build_flows(f, scn, in, err);
    if (rc == PS_OK && f->n_regions > 0) {
        rc = ps_proj_set_flows(p, f, err);
    }
    if (rc == PS_OK) {
        rc = ps_build_registration(g, scn, in, err);
    }
    if (rc == PS_OK && g->n_regions > 0) {
        rc = ps_proj_set_registration(p, g, err);
    }
    return rc;
}

ps_status ps_run__flows_output(ps_result *res, const ps_proj *p, const ps_scenario *scn,
                               ps_error *err)
{
    const ps_flows *f = ps_proj_flows(p);
    if (f == NULL || !scn->internal_migration.output_flows || res->flows != NULL) {
        return PS_OK;
    }
    ps_status rc = ps_result_init_flows(res, err);
    const size_t per_year = (size_t)res->n_regions * (size_t)res->n_regions * PS_SEX_COUNT *
                            (size_t)res->n_ages;
    for (int y = 0; rc == PS_OK && y + 1 < res->n_years; ++y) {
        ps_flows_od(&res->flows[(size_t)y * per_year], f, y,
                    &res->population[ps_result_cell(res, y, 0, 0, 0)]);
    }
    return rc;
}

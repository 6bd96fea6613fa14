/*
 * check_regions.c - what `popsim check` validates of a multiregional scenario beyond its
 * inputs (issue #13): the internal migration table and the registration rules are built as
 * a run builds them (and released), and every service's stock file is matched with the
 * scenario's regions by the run's own rule (ps_svc_stock_check_regions), so that a scenario
 * that passes `check` does not fail on these at run time.
 */
#include "popsim/builder.h"
#include "popsim/flows.h"
#include "popsim/status.h"

static ps_status check_stocks(const ps_scn_member *m, const ps_inputs *in, ps_error *err)
{
    ps_status rc = PS_OK;
    for (int i = 0; rc == PS_OK && i < m->n_services; ++i) {
        const ps_svc_stock *st = &m->services[i].stock;
        if (st->path != NULL) {
            rc = ps_svc_stock_check_regions(st, (const char *const *)in->region_names,
                                            in->n_regions, m->name, err);
        }
    }
    return rc;
}

ps_status ps_build_check(const ps_scenario *scn, const ps_inputs *in, ps_error *err)
{
    ps_flows flows;
    ps_registration reg;
    ps_status rc = ps_build_flows(&flows, scn, in, err);
    if (rc == PS_OK) {
        ps_flows_release(&flows);
        rc = ps_build_registration(&reg, scn, in, err);
    }
    if (rc == PS_OK) {
        ps_registration_release(&reg);
    }
    for (int m = 0; rc == PS_OK && m < scn->n_members; ++m) {
        rc = check_stocks(&scn->members[m], in, err);
    }
    return rc;
}

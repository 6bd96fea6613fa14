/*
 * run/sweep.c - a policy sweep's points as units of the run (issue #15, section 3). Each
 * point is a family member (io/sweep.c appends them), so every driver computes, orders and
 * distributes them like any variant. What makes thousands of points cheap: with
 * member_output: summary (the default) a point's full result (population by age, parity,
 * services: about 2 MiB for China 2025-2100) is compacted to its policy scalars and ledgers
 * (a few KiB) as soon as the unit is done, and the file gets one set of arrays along a
 * `sweep` dimension (the rows, taken from the compact results at finish) instead of a group
 * per point.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/services.h"
#include "run/run_int.h"

static int summary_sweep(const ps_scenario *scn)
{
    return scn != NULL && scn->sweep.n_points > 0 && !scn->sweep.keep_members;
}

int ps_run__held_results(const ps_scenario *scn, int n_members)
{
    return summary_sweep(scn) ? scn->sweep.first_member + 1 : n_members;
}

size_t ps_run__compact_bytes(const ps_scenario *scn, const ps_inputs *in)
{
    if (!summary_sweep(scn)) {
        return 0;
    }
    const size_t cells = (size_t)(ps_inputs_steps(in) + 1) * (size_t)in->n_regions;
    size_t bytes = 0;
    for (int m = scn->sweep.first_member; m < scn->n_members; ++m) {
        const size_t n_ledgers = (size_t)scn->members[m].n_policies;
        bytes += sizeof(ps_result) + sizeof(ps_sweep_row) + cells * sizeof(double) +
                 n_ledgers * (sizeof(ps_ledger) +
                              (3 + PS_LEDGER_PAYERS) * cells * sizeof(double) + 64);
    }
    return bytes;
}

int ps_run__written_members(const ps_scenario *scn, int n_members)
{
    return summary_sweep(scn) ? scn->sweep.first_member : n_members;
}

int ps_run__sweep_summary_only(const ps_scenario *scn, int member)
{
    return summary_sweep(scn) && member >= scn->sweep.first_member;
}

ps_status ps_run__sweep_new(ps_sweep_row **rows_out, unsigned char **svc_done_out,
                            const ps_scenario *scn, ps_error *err)
{
    *rows_out = NULL;
    *svc_done_out = NULL;
    if (scn == NULL || scn->sweep.n_points == 0) {
        return PS_OK;
    }
    const size_t n = (size_t)scn->sweep.n_points;
    ps_sweep_row *rows = malloc(n * sizeof *rows);
    unsigned char *done = calloc((size_t)scn->n_members, 1);
    if (rows == NULL || done == NULL) {
        free(rows);
        free(done);
        return ps_error_set(err, PS_ENOMEM, "out of memory for %zu sweep points", n);
    }
    for (size_t p = 0; p < n; ++p) {
        double *cells = (double *)&rows[p];
        for (size_t k = 0; k < sizeof rows[p] / sizeof(double); ++k) {
            cells[k] = NAN;
        }
    }
    *rows_out = rows;
    *svc_done_out = done;
    return PS_OK;
}

/* What a point keeps of its result: name, shape, the policy scalars and the ledgers (a few
 * KiB); the population, event, parity and service arrays go. A unit moved between ranks or
 * part files is this compact result, so the /sweep rows do not depend on who computed it. */
static void compact(ps_result *r)
{
    double **arrays[] = { &r->population, &r->births, &r->deaths, &r->net_migration,
                          &r->asfr, &r->tfr, &r->e0, &r->births_by_order, &r->women_by_parity };
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; ++k) {
        free(*arrays[k]);
        *arrays[k] = NULL;
    }
    ps_result_release_services(r);
}

ps_status ps_run__sweep_unit(unsigned char *svc_done, ps_result *res, const ps_proj *proj,
                             const double *women0, const ps_scenario *scn,
                             const ps_run_spec *spec, int member, ps_error *err)
{
    const ps_scn_member *m = &scn->members[member];
    const ps_scn_member *b = &scn->members[0];
    ps_status rc = PS_OK;
    if (!svc_done[0]) { /* the baseline's services, which every point is compared with */
        if ((rc = ps_services_compute(&res[0], b->services, b->n_services, &scn->care_need,
                                      err)) != PS_OK) {
            return rc;
        }
        svc_done[0] = 1;
    }
    rc = ps_run_scenario(&res[member], proj, women0, &scn->birth_order, spec, &res[0], err);
    if (rc == PS_OK) {
        rc = ps_services_compute(&res[member], m->services, m->n_services, &scn->care_need, err);
    }
    if (rc == PS_OK) {
        ps_services_compare(&res[member], &res[0], m->economy.discount_rate);
        compact(&res[member]);
        svc_done[member] = 1;
    } else {
        ps_run__locate_member_error(err, scn, m);
    }
    return rc;
}

void ps_run__sweep_rows_from_members(ps_sweep_row *rows, const ps_result *res,
                                     const ps_scenario *scn)
{
    for (int p = 0; p < scn->sweep.n_points; ++p) {
        ps_sweep_row_from_result(&rows[p], &res[scn->sweep.first_member + p]);
    }
}

const ps_sweep_table *ps_run__sweep_table(ps_sweep_table *t, const ps_scenario *scn,
                                          ps_sweep_row *rows)
{
    memset(t, 0, sizeof *t);
    t->n_points = scn->sweep.n_points;
    t->n_dims = scn->sweep.n_dims;
    t->keys = scn->sweep.keys;
    t->values = scn->sweep.values;
    t->rows = rows;
    t->base = scn->sweep.base;
    t->baseline = scn->members[0].name;
    t->design = scn->sweep.design;
    t->seed = scn->sweep.seed;
    return t;
}

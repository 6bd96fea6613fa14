/*
 * run/run.c - a scenario run as units (issue #11): the engine is chosen once, each unit
 * (a member of the family, or a member and micro replicate) is computed on its own, and
 * finishing averages replicates and adds services and comparisons. What `popsim run` did
 * in the CLI, so that every driver (program, binding, MPI rank, array task) runs the same
 * code and writes the same file.
 */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/h5out.h"
#include "popsim/parity.h"
#include "popsim/proj.h"
#include "popsim/services.h"
#include "popsim/sweep.h"
#include "run/run_int.h"

typedef enum run_mode {
    RUN_PLAIN,  /* age-only projection, one result */
    RUN_FAMILY, /* cohort engine with parity and policies, one unit per member */
    RUN_MICRO,  /* microsimulation, one unit per (member, replicate) */
} run_mode;

struct ps_run {
    const ps_scenario *scn; /* borrowed; NULL for a plain projection */
    const ps_inputs *in;    /* borrowed */
    ps_run_options opts;
    run_mode mode;
    int n_members, n_replicates;
    ps_proj *proj;
    ps_flows flows;        /* internal migration between regions (#13); zeroed if none */
    ps_registration registration; /* registration status (#13); zeroed if none */
    double *women0;        /* [reg][age][parity] base women, RUN_FAMILY and RUN_MICRO */
    ps_run_micro *micro;   /* RUN_MICRO */
    ps_result *res;        /* [member] */
    unsigned char *done;   /* [member][replicate] */
    int finished;
    /* Policy sweeps (issue #15, run/sweep.c): one summary row per point, taken at finish;
     * with member_output: summary a point's result is compacted when its unit is done. */
    ps_sweep_row *sweep_rows;  /* [point]; NULL without a sweep */
    unsigned char *svc_done;   /* [member] services computed (the baseline's, early) */
};

ps_response ps_run__member_response(const ps_scn_member *m, ps_elasticity choice)
{
    ps_response r;
    ps_response_preset(&r, m->has_elasticity ? m->elasticity : choice);
    ps_response_apply(&r, &m->response);
    return r;
}

ps_run_spec ps_run__member_spec(const ps_scn_member *m, ps_elasticity choice)
{
    ps_run_spec spec = { .name = m->name, .title = m->title, .policies = m->policies,
                         .n_policies = m->n_policies,
                         .response = ps_run__member_response(m, choice),
                         .economy = m->economy };
    return spec;
}

void ps_run__locate_member_error(ps_error *err, const ps_scenario *scn, const ps_scn_member *m)
{
    if (err == NULL || err->code != PS_EINVAL || err->path[0] != '\0') {
        return;
    }
    ps_scn_loc at = m->n_policies > 0 ? m->policy_locs[0] : m->loc;
    snprintf(err->path, sizeof err->path, "%s", scn->path);
    err->line = at.line;
    err->column = at.column;
    ps_error_prepend(err, "scenario '%s': ", m->name);
}

ps_status ps_run__memory_available(size_t *bytes_out, const char **source_out,
                                   size_t memory_limit, ps_error *err)
{
    if (memory_limit > 0) {
        *bytes_out = memory_limit;
        *source_out = "the run's memory limit";
        return PS_OK;
    }
    return ps_mem_available(bytes_out, source_out, err);
}

ps_status ps_run_check_scenario(const ps_scenario *scn, const ps_run_options *opts,
                                ps_error *err)
{
    if (opts->allow_large || scn->n_members <= PS_RUN_MAX_MEMBERS) {
        return PS_OK;
    }
    if (scn->sweep.n_points > 0 && scn->sweep.first_member <= PS_RUN_MAX_MEMBERS) {
        return ps_error_set_at(err, PS_EINVAL, scn->path, scn->sweep.loc.line,
                               scn->sweep.loc.column,
                               "sweep: %d points make a family of %d scenarios, more than the "
                               "limit of %d; give --allow-large to run them (10,000 China "
                               "designs take minutes), or fewer points",
                               scn->sweep.n_points, scn->n_members, PS_RUN_MAX_MEMBERS);
    }
    ps_scn_loc at = scn->members[PS_RUN_MAX_MEMBERS].loc;
    return ps_error_set_at(err, PS_EINVAL, scn->path, at.line, at.column,
                           "variants: the family has %d scenarios (the top level and %d "
                           "variants), more than the limit of %d; split it into several "
                           "files, or give --allow-large",
                           scn->n_members, scn->n_members - 1, PS_RUN_MAX_MEMBERS);
}

/* Parity and policies are tracked when the scenario asks for them (birth order, policies or
 * variants); a plain demographic projection keeps the age-only engine. */
static run_mode choose_mode(const ps_scenario *scn)
{
    if (scn == NULL) {
        return RUN_PLAIN;
    }
    if (scn->engine == PS_ENGINE_MICRO) {
        return RUN_MICRO;
    }
    if (scn->n_members > 1 || scn->has_birth_order || scn->parity_file.path != NULL ||
        (scn->n_members == 1 && scn->members[0].n_policies > 0)) {
        return RUN_FAMILY;
    }
    return RUN_PLAIN;
}

int ps_run_tracks_parity(const ps_scenario *scn)
{
    return choose_mode(scn) != RUN_PLAIN;
}

/* Crash safety and resources (issue #7): refuse a run too large for the output limit or for
 * the memory available, before anything is allocated for it. */
static ps_status check_size(const ps_run *run, ps_error *err)
{
    ps_mem_shape shape = { ps_inputs_steps(run->in), run->in->n_regions, run->in->n_ages,
                           ps_run__held_results(run->scn, run->n_members) };
    ps_status rc = PS_OK;
    if (!run->opts.allow_large &&
        (rc = ps_mem_check_output(&shape, PS_RUN_MAX_OUTPUT_BYTES, err)) != PS_OK) {
        if (run->scn != NULL && err != NULL) {
            snprintf(err->path, sizeof err->path, "%s", run->scn->path);
        }
        return rc;
    }
    if (run->mode == RUN_MICRO) { /* every replicate's results are held until averaged */
        shape.n_scenarios = run->n_members * (run->n_replicates + 1);
        return ps_run__micro_memory_check(run->scn, run->in, &shape, run->opts.memory_limit,
                                          run->opts.micro_comm != NULL
                                              ? run->opts.micro_comm->n_ranks : 1,
                                          err);
    }
    size_t avail = 0;
    const char *source = NULL;
    rc = ps_run__memory_available(&avail, &source, run->opts.memory_limit, err);
    return rc == PS_OK ? ps_mem_check(&shape, avail, source, err) : rc;
}

static ps_status prepare_engine(ps_run *run, ps_error *err)
{
    const size_t women_cells =
        (size_t)run->in->n_regions * (size_t)run->in->n_ages * PS_PARITY_COUNT;
    ps_status rc = ps_proj_new(&run->proj, run->in, err);
    if (rc == PS_OK && run->scn != NULL) {
        rc = ps_run__flows_prepare(&run->flows, &run->registration, run->proj, run->scn,
                                   run->in, err);
    }
    if (rc != PS_OK || run->mode == RUN_PLAIN) {
        return rc;
    }
    if ((run->women0 = malloc(women_cells * sizeof *run->women0)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for women by parity");
    }
    const ps_inputs *h = run->opts.history;
    ps_parity_table table = { 0 }; /* a planner's base parity (issue #12), else none */
    if (run->scn->parity_file.path != NULL) {
        rc = ps_parity_table_read(&table, run->in->n_ages, run->scn->parity_file.path, err);
    }
    if (rc == PS_OK && h != NULL && h->asfr != NULL && h->n_ages == run->in->n_ages) {
        const ps_fert_history hist = { .asfr = h->asfr, .first_year = h->start_year,
                                       .n_years = ps_inputs_steps(h) };
        rc = ps_proj_parity_init_table(run->proj, &run->scn->birth_order, &hist, table.share,
                                       table.given, run->women0, err);
    } else if (rc == PS_OK) {
        rc = ps_proj_parity_init_table(run->proj, &run->scn->birth_order, NULL, table.share,
                                       table.given, run->women0, err);
    }
    ps_parity_table_release(&table);
    if (rc == PS_OK && run->mode == RUN_MICRO) {
        rc = ps_run__micro_new(&run->micro, run->proj, run->scn, run->in, err);
    }
    return rc;
}

ps_status ps_run_new(ps_run **out, const ps_scenario *scn, const ps_inputs *in,
                     const ps_run_options *opts, ps_error *err)
{
    ps_run *run = calloc(1, sizeof *run);
    ps_status rc = PS_OK;
    *out = NULL;
    if (run == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the run");
    }
    run->scn = scn;
    run->in = in;
    run->opts = *opts;
    if (run->opts.name == NULL) { /* an age-only projection's group is the scenario's */
        run->opts.name = scn != NULL ? scn->name : "projection";
        run->opts.title = scn != NULL ? scn->title : NULL;
    }
    run->mode = choose_mode(scn);
    run->n_members = run->mode == RUN_PLAIN ? 1 : scn->n_members;
    run->n_replicates = run->mode == RUN_MICRO ? scn->micro.replicates : 1;
    run->res = calloc((size_t)run->n_members, sizeof *run->res);
    run->done = calloc((size_t)run->n_members * (size_t)run->n_replicates, 1);
    if (run->res == NULL || run->done == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for results");
    }
    if (rc == PS_OK) {
        rc = check_size(run, err);
    }
    if (rc == PS_OK && run->mode == RUN_FAMILY) {
        rc = ps_run__sweep_new(&run->sweep_rows, &run->svc_done, scn, err);
    }
    if (rc == PS_OK) {
        rc = prepare_engine(run, err);
    }
    if (rc != PS_OK) {
        ps_run_free(run);
        return rc;
    }
    *out = run;
    return PS_OK;
}

int ps_run_n_units(const ps_run *run)
{
    return run->n_members * run->n_replicates;
}

int ps_run_n_members(const ps_run *run)
{
    return run->n_members;
}

int ps_run_n_replicates(const ps_run *run)
{
    return run->n_replicates;
}

/* Replicate by replicate, the baseline first in each: the order the program has always
 * used, so a run's bytes do not depend on the driver. */
void ps_run_unit_at(const ps_run *run, int k, int *member_out, int *replicate_out)
{
    *replicate_out = k / run->n_members;
    *member_out = k % run->n_members;
}

const ps_result *ps_run_results(const ps_run *run, int *n_out)
{
    *n_out = run->finished ? ps_run__written_members(run->scn, run->n_members) : 0;
    return run->res;
}

const ps_sweep_row *ps_run_sweep_rows(const ps_run *run, int *n_out)
{
    *n_out = run->finished && run->sweep_rows != NULL ? run->scn->sweep.n_points : 0;
    return run->sweep_rows;
}

static ps_status check_cancel(const ps_run *run, ps_error *err)
{
    return run->opts.cancel != NULL ? run->opts.cancel(run->opts.cancel_ctx, err) : PS_OK;
}

static ps_status family_unit(ps_run *run, int member, ps_error *err)
{
    const ps_scn_member *m = &run->scn->members[member];
    ps_run_spec spec = ps_run__member_spec(m, run->opts.elasticity);
    if (ps_run__sweep_summary_only(run->scn, member)) { /* run/sweep.c */
        return ps_run__sweep_unit(run->svc_done, run->res, run->proj, run->women0, run->scn,
                                  &spec, member, err);
    }
    ps_status rc = ps_run_scenario(&run->res[member], run->proj, run->women0,
                                   &run->scn->birth_order, &spec,
                                   member == 0 ? NULL : &run->res[0], err);
    if (rc != PS_OK) {
        ps_run__locate_member_error(err, run->scn, m);
    }
    return rc;
}

/* PS_EINVAL unless (member, replicate) is a unit not yet done whose baseline is done. */
static ps_status check_unit(const ps_run *run, int member, int replicate, ps_error *err)
{
    if (member < 0 || member >= run->n_members || replicate < 0 ||
        replicate >= run->n_replicates || run->finished) {
        return ps_error_set(err, PS_EINVAL, "unit (member %d, replicate %d) is not one of the "
                            "%d x %d units of this run", member, replicate, run->n_members,
                            run->n_replicates);
    }
    const int done = run->done[(size_t)member * (size_t)run->n_replicates + (size_t)replicate];
    if (done || (member > 0 && !run->done[replicate])) {
        return ps_error_set(err, PS_EINVAL, "unit (member %d, replicate %d) %s", member,
                            replicate, done ? "is already done" : "needs its baseline "
                            "(member 0, same replicate) first");
    }
    return PS_OK;
}

ps_status ps_run_unit(ps_run *run, int member, int replicate, ps_error *err)
{
    ps_status rc = check_unit(run, member, replicate, err);
    if (rc == PS_OK) {
        rc = check_cancel(run, err);
    }
    if (rc == PS_OK && run->mode == RUN_MICRO) {
        rc = ps_run__micro_unit(run->micro, run->proj, run->women0, &run->opts, member,
                                replicate, err);
    } else if (rc == PS_OK && run->mode == RUN_FAMILY) {
        rc = family_unit(run, member, err);
    } else if (rc == PS_OK) {
        rc = ps_proj_run(&run->res[0], run->proj, run->opts.name, run->opts.title, err);
    }
    if (rc == PS_OK && run->mode != RUN_MICRO && run->scn != NULL) {
        rc = ps_run__flows_output(&run->res[member], run->proj, run->scn, err);
    }
    if (rc == PS_OK) {
        run->done[(size_t)member * (size_t)run->n_replicates + (size_t)replicate] = 1;
    }
    return rc;
}

/* PS_EINVAL if the run is finished or a unit is missing. */
static ps_status check_all_done(const ps_run *run, ps_error *err)
{
    const size_t n_units = (size_t)ps_run_n_units(run);
    if (run->finished) {
        return ps_error_set(err, PS_EINVAL, "the run is already finished");
    }
    for (size_t k = 0; k < n_units; ++k) {
        if (!run->done[k]) {
            return ps_error_set(err, PS_EINVAL, "unit %zu of %zu is not done", k, n_units);
        }
    }
    return PS_OK;
}

ps_status ps_run_finish(ps_run *run, ps_error *err)
{
    ps_status rc = check_all_done(run, err);
    if (rc == PS_OK && run->mode == RUN_MICRO) {
        rc = ps_run__micro_finish(run->res, run->micro, err);
    }
    /* Services of every member, then each variant's extra service subsidies. */
    for (int i = 0; rc == PS_OK && i < run->n_members; ++i) {
        const ps_scn_member *m = run->scn != NULL ? &run->scn->members[i] : NULL;
        if ((run->svc_done != NULL && run->svc_done[i]) ||
            ps_run__sweep_summary_only(run->scn, i)) {
            continue; /* a sweep's baseline, or a compact point: done with its unit */
        }
        rc = m != NULL ? ps_services_compute(&run->res[i], m->services, m->n_services,
                                             &run->scn->care_need, err)
                       : ps_services_compute(&run->res[i], NULL, 0, NULL, err);
        if (rc == PS_OK && m != NULL && i > 0) {
            ps_services_compare(&run->res[i], &run->res[0], m->economy.discount_rate);
        }
        if (rc == PS_OK && m != NULL && run->mode != RUN_PLAIN) { /* issue #12 */
            rc = ps_run__range(&run->res[i], &run->res[0], run->proj, run->women0, run->scn, i,
                               run->opts.elasticity, run->mode == RUN_FAMILY, err);
        }
    }
    if (rc == PS_OK && run->sweep_rows != NULL) { /* the /sweep rows of every point */
        ps_run__sweep_rows_from_members(run->sweep_rows, run->res, run->scn);
    }
    run->finished = rc == PS_OK;
    return rc;
}

ps_status ps_run_write(const ps_run *run, const char *path, ps_error *err)
{
    const ps_scenario *scn = run->scn;
    const ps_result **list = NULL;
    ps_status rc = PS_OK;
    if (!run->finished) {
        rc = ps_error_set(err, PS_EINVAL, "the run is not finished (ps_run_finish)");
    } else if ((list = calloc((size_t)run->n_members, sizeof *list)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    const int n_written = ps_run__written_members(scn, run->n_members);
    ps_sweep_table table; /* /sweep: the scenario's points and the rows (borrowed) */
    ps_provenance prov = {
        .scenario_path = run->opts.scenario_path ? run->opts.scenario_path : "",
        .scenario_sha256 = scn != NULL ? scn->sha256 : "",
        .command_line = run->opts.command_line ? run->opts.command_line : "",
        .data_source = run->opts.data_source ? run->opts.data_source : "",
        .seed = run->mode == RUN_MICRO ? scn->micro.seed : 0,
        .threads = run->opts.n_threads > 0 ? run->opts.n_threads : omp_get_max_threads(),
        .inputs = run->opts.inputs,
        .n_inputs = run->opts.n_inputs,
        .mpi_ranks = run->opts.mpi_ranks,
        .sweep = run->sweep_rows != NULL ? ps_run__sweep_table(&table, scn, run->sweep_rows)
                                         : NULL };
    ps_parity_fit fit; /* issue #12: the base parity's fit when the scenario has targets */
    const ps_birth_order *bo = scn != NULL ? &scn->birth_order : NULL;
    if (bo != NULL && run->proj != NULL && ps_proj_has_parity(run->proj) &&
        (bo->childless_45_49 > 0.0 || bo->first_mean_age != 0.0 || bo->second_share > 0.0)) {
        ps_proj_parity_fit(run->proj, &fit);
        prov.parity_fit = &fit;
    }
    for (int i = 0; list != NULL && i < run->n_members; ++i) {
        list[i] = &run->res[i];
    }
    if (rc == PS_OK && (rc = check_cancel(run, err)) == PS_OK) {
        ps_h5_write_options wo = { .cancel = run->opts.cancel, .cancel_ctx = run->opts.cancel_ctx };
        rc = ps_h5_write_with(path, list, n_written, &prov, &wo, err);
    }
    free(list);
    return rc;
}

void ps_run_free(ps_run *run)
{
    if (run == NULL) {
        return;
    }
    for (int i = 0; run->res != NULL && i < run->n_members; ++i) {
        ps_result_release(&run->res[i]);
    }
    free(run->res);
    free(run->done);
    free(run->sweep_rows);
    free(run->svc_done);
    ps_run__micro_free(run->micro);
    free(run->women0);
    ps_proj_free(run->proj);
    ps_flows_release(&run->flows);
    ps_registration_release(&run->registration);
    free(run);
}

/* ---- what src/run/unit.c needs to move a unit's result (issue #15) ---------------------- */

ps_status ps_run__slot(ps_run__unit_slot *slot, const ps_run *run, int member, int replicate,
                       ps_error *err)
{
    memset(slot, 0, sizeof *slot);
    if (member < 0 || member >= run->n_members || replicate < 0 ||
        replicate >= run->n_replicates || run->finished) {
        return ps_error_set(err, PS_EINVAL, "unit (member %d, replicate %d) is not one of the "
                            "%d x %d units of this run%s", member, replicate, run->n_members,
                            run->n_replicates, run->finished ? " (it is finished)" : "");
    }
    slot->done = &run->done[(size_t)member * (size_t)run->n_replicates + (size_t)replicate];
    if (run->mode == RUN_MICRO) {
        ps_run__micro_slot(slot, run->micro, member, replicate);
    } else {
        slot->res = &run->res[member];
    }
    return PS_OK;
}

ps_run__identity ps_run__identify(const ps_run *run)
{
    ps_run__identity id = { .scn = run->scn, .opts = &run->opts, .in = run->in,
                            .mode = (int)run->mode,
                            .n_members = run->n_members, .n_replicates = run->n_replicates,
                            .plain = run->mode == RUN_PLAIN };
    return id;
}

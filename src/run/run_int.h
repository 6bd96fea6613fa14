/*
 * run/run_int.h - what the files of the run layer share: the member's resolved policy
 * response, member error locations, and the microsimulation's part of a run (micro.c).
 */
#ifndef PS_RUN_INT_H
#define PS_RUN_INT_H

#include "popsim/family.h"
#include "popsim/memory.h"
#include "popsim/micro.h"
#include "popsim/run.h"
#include "popsim/sweep.h"

/* The response of one member: the preset (its own response.elasticity, else `choice`) with
 * the scenario's explicit overrides on top. */
ps_response ps_run__member_response(const ps_scn_member *m, ps_elasticity choice);

/* The run specification of member m. */
ps_run_spec ps_run__member_spec(const ps_scn_member *m, ps_elasticity choice);

/* An unlocated PS_EINVAL from member m's run, located at its first policy (or the member). */
void ps_run__locate_member_error(ps_error *err, const ps_scenario *scn, const ps_scn_member *m);

/* Memory available to a run: opts->memory_limit if set, else ps_mem_available(). */
ps_status ps_run__memory_available(size_t *bytes_out, const char **source_out,
                                   size_t memory_limit, ps_error *err);

/* ---- policy sweeps (sweep.c, issue #15) ------------------------------------------------- */

/* Results held in memory at once: with member_output: summary the members before the sweep
 * and one point at a time; otherwise every member. */
int ps_run__held_results(const ps_scenario *scn, int n_members);
/* Bytes of the compact results of a summary sweep's points (0 otherwise): each point's
 * result shell, sweep row and ledgers ([year][reg] recipients, cost, discounted cost). */
size_t ps_run__compact_bytes(const ps_scenario *scn, const ps_inputs *in);

/* Members written as /scenarios groups: all but the summary-only sweep points. */
int ps_run__written_members(const ps_scenario *scn, int n_members);

/* 1 if `member` is a sweep point whose full result is not kept. */
int ps_run__sweep_summary_only(const ps_scenario *scn, int member);

/* Room for the sweep's rows (NaN) and the services-done flags; both NULL without a sweep. */
ps_status ps_run__sweep_new(ps_sweep_row **rows_out, unsigned char **svc_done_out,
                            const ps_scenario *scn, ps_error *err);

/* A summary-only point: project it against res[0] (whose services are computed here the
 * first time), compute its services and comparison, and compact res[member] to its policy
 * scalars and ledgers (its services are then done: svc_done[member] = 1). */
ps_status ps_run__sweep_unit(unsigned char *svc_done, ps_result *res, const ps_proj *proj,
                             const double *women0, const ps_scenario *scn,
                             const ps_run_spec *spec, int member, ps_error *err);

/* The rows of every point, from their finished (or compact) results. */
void ps_run__sweep_rows_from_members(ps_sweep_row *rows, const ps_result *res,
                                     const ps_scenario *scn);

/* `t` filled with the scenario's points and `rows` (borrowed); returns t. */
const ps_sweep_table *ps_run__sweep_table(ps_sweep_table *t, const ps_scenario *scn,
                                          ps_sweep_row *rows);

/* ---- the response range (range.c, issue #12) ---------------------------------------------- */

/* res->range of member `member` with instruments (others are left without one): their
 * stated terms, and for a variant (member > 0) against its baseline `base` its own figures
 * as the chosen preset's and, with `project` = 1 (the cohort engine), the other presets
 * projected on `proj` from `women0`. */
ps_status ps_run__range(ps_result *res, const ps_result *base, const ps_proj *proj,
                        const double *women0, const ps_scenario *scn, int member,
                        ps_elasticity choice, int project, ps_error *err);

/* ---- the microsimulation (micro.c) ------------------------------------------------------- */

typedef struct ps_run_micro ps_run_micro;

/* Refuse a microsimulation (the person store plus every replicate's result) larger than the
 * memory available, located at micro.scale. */
ps_status ps_run__micro_memory_check(const ps_scenario *scn, const ps_inputs *in,
                                     const ps_mem_shape *results, size_t memory_limit,
                                     int n_ranks, ps_error *err); /* n_ranks: persons split */

/* The tables every replicate shares (income, care need, childcare enrollment on `proj`) and
 * room for n_members x replicates results. */
ps_status ps_run__micro_new(ps_run_micro **out, const ps_proj *proj, const ps_scenario *scn,
                            const ps_inputs *in, ps_error *err);

/* One (member, replicate); the caller has checked that (0, replicate) is done. */
ps_status ps_run__micro_unit(ps_run_micro *mr, const ps_proj *proj, const double *women0,
                             const ps_run_options *opts, int member, int replicate,
                             ps_error *err);

/* Means over the replicates into res[0..n_members-1], with the micro-only outputs. */
ps_status ps_run__micro_finish(ps_result *res, ps_run_micro *mr, ps_error *err);

void ps_run__micro_free(ps_run_micro *mr); /* accepts NULL */

/* ---- a unit's place in the run, for moving its result as bytes (unit.c, issue #15) ------ */

/* Where unit (member, replicate) keeps what ps_run_unit produced (all borrowed from the run). */
typedef struct ps_run__unit_slot {
    ps_result *res;              /* the member's result (micro: the replicate's) */
    ps_micro_extra *extra;       /* micro: the replicate's micro-only outputs; else NULL */
    ps_micro_person **sample;    /* micro replicate 0: the member's person sample; else NULL */
    size_t *n_sample;
    unsigned char *done;         /* 1 once computed or put */
} ps_run__unit_slot;

/* The slot of a unit; PS_EINVAL if it is not one of the run's or the run is finished. The
 * slot points into the run's own arrays: a caller with a const run only reads them. */
ps_status ps_run__slot(ps_run__unit_slot *slot, const ps_run *run, int member, int replicate,
                       ps_error *err);

/* The micro part of a slot (run.c fills `done`). */
void ps_run__micro_slot(ps_run__unit_slot *slot, const ps_run_micro *mr, int member,
                        int replicate);

/* What identifies a run's results (borrowed from the run). */
typedef struct ps_run__identity {
    const ps_scenario *scn; /* NULL for a plain projection */
    const ps_run_options *opts;
    const ps_inputs *in;
    int mode, n_members, n_replicates;
    int plain; /* 1: the age-only projection, whose one result is named by opts->name */
} ps_run__identity;

ps_run__identity ps_run__identify(const ps_run *run);

/* Internal migration and registration status (issue #13, src/run/regions.c): build the
 * scenario's flows into `f` and its status rules into `g` (each zeroed when the scenario has
 * none) and link them to the projection; after a unit, fill the result's
 * origin-destination flows when the scenario asks for them. */
ps_status ps_run__flows_prepare(ps_flows *f, ps_registration *g, ps_proj *p,
                                const ps_scenario *scn, const ps_inputs *in, ps_error *err);
ps_status ps_run__flows_output(ps_result *res, const ps_proj *p, const ps_scenario *scn,
                               ps_error *err);

#endif /* PS_RUN_INT_H */

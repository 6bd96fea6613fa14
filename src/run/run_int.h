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

/* ---- the microsimulation (micro.c) ------------------------------------------------------- */

typedef struct ps_run_micro ps_run_micro;

/* Refuse a microsimulation (the person store plus every replicate's result) larger than the
 * memory available, located at micro.scale. */
ps_status ps_run__micro_memory_check(const ps_scenario *scn, const ps_inputs *in,
                                     const ps_mem_shape *results, size_t memory_limit,
                                     ps_error *err);

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

/* Internal migration and registration status (issue #13, src/run/regions.c): build the
 * scenario's flows into `f` and its status rules into `g` (each zeroed when the scenario has
 * none) and link them to the projection; after a unit, fill the result's
 * origin-destination flows when the scenario asks for them. */
ps_status ps_run__flows_prepare(ps_flows *f, ps_registration *g, ps_proj *p,
                                const ps_scenario *scn, const ps_inputs *in, ps_error *err);
ps_status ps_run__flows_output(ps_result *res, const ps_proj *p, const ps_scenario *scn,
                               ps_error *err);

#endif /* PS_RUN_INT_H */

/*
 * popsim/run.h - the run layer: one validated scenario and its projection inputs become a
 * combined result file, through library calls alone. The `popsim` program, a Python binding,
 * an MPI rank or a Slurm array task all call the same four steps:
 *
 *     ps_run_new(&run, scn, in, &opts, &err);
 *     for (int k = 0; rc == PS_OK && k < ps_run_n_units(run); ++k) {
 *         ps_run_unit_at(run, k, &member, &replicate);
 *         rc = ps_run_unit(run, member, replicate, &err);
 *     }
 *     ps_run_finish(run, &err);      (replicate means, services, comparisons)
 *     ps_run_write(run, path, &err); (one HDF5 file, written atomically)
 *
 * A unit is the smallest piece of work a rank or an array task can own: one member of a
 * family (the baseline or a policy variant) for the cohort engine, one (member, replicate)
 * pair for the microsimulation. A variant is measured against its own replicate's baseline
 * (common random numbers), so unit (member 0, r) must be done before (member i > 0, r).
 * Writing a unit's result to its own file and reading it back on another node is issue #15;
 * the unit is already the granularity of this API.
 *
 * The run never prints, never exits and never changes process-wide settings: progress and
 * cancellation are callbacks in ps_run_options. Call ps_init() once at program start.
 */
#ifndef PS_RUN_H
#define PS_RUN_H

#include <stddef.h>

#include "popsim/error.h"
#include "popsim/h5out.h" /* ps_input_source */
#include "popsim/inputs.h"
#include "popsim/memory.h" /* PS_RUN_MAX_MEMBERS, PS_RUN_MAX_OUTPUT_BYTES */
#include "popsim/micro.h"
#include "popsim/policy.h"
#include "popsim/result.h"
#include "popsim/scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_run ps_run; /* opaque; src/run/run.c */

/* What the progress callback is told: a micro replicate's yearly step (the cohort engine
 * runs too fast to report). */
typedef struct ps_run_progress {
    const char *member; /* scenario name of the unit */
    int replicate;      /* 0-based */
    int n_replicates;
    ps_micro_progress step; /* the engine's report (ps_micro_progress_format prints it) */
} ps_run_progress;

typedef void (*ps_run_progress_fn)(void *ctx, const ps_run_progress *p);

/* PS_OK to go on; otherwise the run stops with this status and the message set in err
 * (a SIGINT handler's flag, say). */
typedef ps_status (*ps_run_cancel_fn)(void *ctx, ps_error *err);

typedef struct ps_run_options {
    /* Group name and title of an age-only projection; NULL: the scenario's name and title
     * ("projection" without a scenario). */
    const char *name;
    const char *title;
    ps_elasticity elasticity; /* preset for members that do not choose one */
    int allow_large;          /* 1: lift PS_RUN_MAX_MEMBERS and PS_RUN_MAX_OUTPUT_BYTES */
    int n_threads;            /* OpenMP threads of the microsimulation; 0 = the default */
    size_t memory_limit;      /* bytes; 0 = ps_mem_available() */
    ps_run_progress_fn progress; /* NULL = no reports */
    void *progress_ctx;
    ps_run_cancel_fn cancel;  /* asked between units, before writing and between the HDF5
                               * writer's objects (ps_h5_write_options); NULL = never */
    void *cancel_ctx;
    /* Provenance written to /provenance (borrowed; NULL = ""). */
    const char *scenario_path;
    const char *command_line;
    const char *data_source;
    /* Fertility of the years before the base year (ps_build_fertility_history: WPP since
     * 1950), from which the base women by parity are reconstructed (issue #12); borrowed;
     * NULL or no steps = every cohort lived through the base year's schedule. */
    const ps_inputs *history;
    /* Where each input came from, written to /provenance (borrowed; n_inputs 0 = none). */
    const ps_input_source *inputs;
    int n_inputs;
    int mpi_ranks; /* MPI ranks that computed the units, written as `mpi_ranks`; 0 = none */
    /* Persons of each microsimulation unit split across processes (issue #15): borrowed;
     * NULL = whole units per process. Every process then computes every unit. */
    const ps_micro_comm *micro_comm;
} ps_run_options;

#define PS_RUN_OPTIONS_INIT                                                                  \
    { .name = NULL, .title = NULL, .elasticity = PS_ELASTICITY_DEFAULT, .allow_large = 0,   \
      .n_threads = 0, .memory_limit = 0, .progress = NULL, .progress_ctx = NULL,            \
      .cancel = NULL, .cancel_ctx = NULL, .scenario_path = NULL, .command_line = NULL,       \
      .data_source = NULL, .history = NULL, .inputs = NULL, .n_inputs = 0,  \
      .mpi_ranks = 0, .micro_comm = NULL }

/* ---- process ---------------------------------------------------------------------------- */

/**
 * Once per process, before any other call: turn off the GSL error handler (which aborts)
 * and HDF5's automatic error printing, so every failure comes back as a ps_status.
 * Idempotent; not thread-safe against a concurrent first call.
 */
void ps_init(void);

/* ---- create ----------------------------------------------------------------------------- */

/**
 * Refuse a family larger than PS_RUN_MAX_MEMBERS (unless opts->allow_large), located at the
 * first variant over the limit. Cheap: call it before building inputs.
 * @return PS_OK; PS_EINVAL
 */
/** 1 when the scenario tracks birth order (policies, variants, birth_order, micro), so
 * that a fertility history (ps_run_options.history) is worth building; else 0. */
int ps_run_tracks_parity(const ps_scenario *scn);

ps_status ps_run_check_scenario(const ps_scenario *scn, const ps_run_options *opts,
                                ps_error *err);

/**
 * Plan a run of `scn` (NULL: a plain projection of `in` named opts->name) on inputs `in`:
 * choose the engine (micro, family with parity and policies, or the age-only projection),
 * refuse a run larger than the output limit or the memory available, and prepare the
 * engine. `scn`, `in` and `opts` are borrowed and must outlive the run.
 * @param[out] out  new run owned by the caller (ps_run_free), NULL on failure
 * @return PS_OK; PS_EINVAL (too large: at the scenario file); PS_ENOMEM (memory refusal)
 */
ps_status ps_run_new(ps_run **out, const ps_scenario *scn, const ps_inputs *in,
                     const ps_run_options *opts, ps_error *err);

/* ---- query ------------------------------------------------------------------------------ */

int ps_run_n_units(const ps_run *run);
int ps_run_n_members(const ps_run *run);
int ps_run_n_replicates(const ps_run *run); /* 1 unless the engine is micro */

/** The k-th unit (0 <= k < ps_run_n_units) in the order that satisfies the baseline-first rule. */
void ps_run_unit_at(const ps_run *run, int k, int *member_out, int *replicate_out);

/** The n results (one per member) after ps_run_finish; borrowed from the run. A sweep's
 * points with member_output: summary (the default) are not among them: they come after
 * every other member and leave only their rows (ps_run_sweep_rows). */
const ps_result *ps_run_results(const ps_run *run, int *n_out);

/** The n rows of a sweep's points after ps_run_finish (n = 0 without a sweep); borrowed. */
const struct ps_sweep_row *ps_run_sweep_rows(const ps_run *run, int *n_out);

/* ---- modify ----------------------------------------------------------------------------- */

/**
 * Compute one unit: member `member` (0 = baseline) of the family, micro replicate
 * `replicate` (0 for the cohort engine). Errors of a member are located at its policies.
 * After a unit fails (other than by PS_EINVAL for the unit itself), free the run.
 * @return PS_OK; PS_EINVAL (unit out of range, done twice, or its baseline not yet done);
 *         the status of opts->cancel; statuses of the engine
 */
ps_status ps_run_unit(ps_run *run, int member, int replicate, ps_error *err);

/**
 * After every unit: replicate means and the micro-only outputs, then each member's services
 * and each variant's comparison with the baseline.
 * @return PS_OK; PS_EINVAL if a unit is missing; PS_ENOMEM
 */
ps_status ps_run_finish(ps_run *run, ps_error *err);

/**
 * Write the finished run to `path` (HDF5, atomic replacement) with its provenance.
 * @return PS_OK; PS_EINVAL if not finished; the status of opts->cancel; statuses of ps_h5_write
 */
ps_status ps_run_write(const ps_run *run, const char *path, ps_error *err);

/* ---- free ------------------------------------------------------------------------------- */

void ps_run_free(ps_run *run); /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif /* PS_RUN_H */

/*
 * popsim/run_unit.h - a unit's result as bytes, so that units computed anywhere (another MPI
 * rank, another Slurm array task, another node) combine into the same file as a single run
 * (issues #11 and #15). A driver computes its share of the units, takes each one's bytes with
 * ps_run_unit_get, and the process that writes the file puts them into its own run with
 * ps_run_unit_put before ps_run_finish and ps_run_write:
 *
 *     ps_run_share(&first, &end, ps_run_n_units(run), task, n_tasks);
 *     ps_run_compute_range(run, first, end, &err);          (on every task)
 *     ps_run_unit_get(&bytes, &len, run, member, replicate, &err);  (each unit it owns)
 *     ...
 *     ps_run_unit_put(run0, bytes, len, &err);             (on the writer, every unit)
 *     ps_run_finish(run0, &err); ps_run_write(run0, path, &err);
 *
 * The bytes hold everything ps_run_unit produced for the unit, doubles bit for bit: the
 * member's ps_result (arrays, policy part and ledger) and, for a microsimulation replicate,
 * its micro-only outputs before averaging and (replicate 0) the member's person sample. The
 * layout is native byte order and is read only by the same build of popsim (the part files
 * that carry the bytes record the binary: popsim/part.h).
 */
#ifndef PS_RUN_UNIT_H
#define PS_RUN_UNIT_H

#include <stddef.h>

#include "popsim/error.h"
#include "popsim/run.h"

#ifdef __cplusplus
extern "C" {
#endif

/** 1 when unit (member, replicate) of `run` is done (computed or put), else 0. */
int ps_run_unit_done(const ps_run *run, int member, int replicate);

/**
 * The share of task `task` (0-based) of n_tasks in the units 0..n_units-1: the contiguous
 * block [*first_out, *end_out), sizes differing by at most one, the same for every caller.
 * Contiguous blocks keep each replicate's baseline and variants together, so few baselines
 * are computed twice (ps_run_compute_range).
 */
void ps_run_share(int *first_out, int *end_out, int n_units, int task, int n_tasks);

/**
 * Compute units first..end-1 (ps_run_unit_at order). A variant whose baseline (member 0 of
 * its replicate) lies outside the range gets that baseline computed first, as a helper: it
 * is done in this run but owned by the task whose range holds it.
 * @return PS_OK; PS_EINVAL for a range outside the units; statuses of ps_run_unit
 */
ps_status ps_run_compute_range(ps_run *run, int first, int end, ps_error *err);

/**
 * The bytes of a done unit, before ps_run_finish.
 * @param[out] bytes_out  malloc'ed buffer owned by the caller (free()), NULL on failure
 * @return PS_OK; PS_EINVAL if the unit is not done, or the run is finished; PS_ENOMEM
 */
ps_status ps_run_unit_get(void **bytes_out, size_t *len_out, const ps_run *run, int member,
                          int replicate, ps_error *err);

/**
 * Make the unit in `bytes` (from ps_run_unit_get of a run of the same scenario, options
 * and binary) done in `run`. Nothing changes in `run` on failure.
 * @param[out] member_out, replicate_out  the unit (may be NULL)
 * @return PS_OK; PS_EINVAL if the unit is not one of this run's, is already done, or its
 *         dimensions differ from the run's; PS_EPARSE if the bytes are truncated or
 *         malformed; PS_ENOMEM
 */
ps_status ps_run_unit_put(ps_run *run, const void *bytes, size_t len, int *member_out,
                          int *replicate_out, ps_error *err);

/**
 * What identifies the results of a run, as 64 lowercase hex digits: the SHA-256 of the
 * scenario file's hash, the engine, members and replicates, the seed, the elasticity preset
 * and every input's kind, source, detail and hash (not paths, which differ between nodes).
 * Two runs with equal identities compute equal units in the same binary.
 */
void ps_run_identity(char hex_out[65], const ps_run *run);

/**
 * Peak bytes of one process of this run, as ps_run_new checks them against the memory
 * available: the results of every unit (and for the microsimulation the person store).
 * An array task or a rank holds fewer results, so this is an upper bound for each of them
 * (docs/hpc.md: Slurm's --mem). SIZE_MAX if it overflows.
 */
size_t ps_run_estimate_bytes(const ps_run *run);

/** The run's micro seed (0 for the cohort engine). */
unsigned long long ps_run_seed(const ps_run *run);

#ifdef __cplusplus
}
#endif
#endif /* PS_RUN_UNIT_H */

/*
 * popsim/ensemble.h - the cohort-component step for many trajectories of one region at once
 * (probabilistic projections, sweeps). ps_ens_step() computes, for every trajectory, exactly
 * what ps_proj_step() computes for one region with the same rates (bit for bit, same
 * operations in the same order; docs/model.md sec. 2.7), with trajectories stored
 * innermost ("structure of arrays"): every array is [...][traj], so each loop over a row
 * of trajectories is stride 1 and vectorises, while each trajectory's sums over ages keep
 * the order of the single-trajectory engine. Trajectories are advanced in batches, one
 * OpenMP task per batch; no cross-trajectory arithmetic, so results do not depend on the
 * thread count. The workspace is made once; the step never allocates. ps_ens_run() does many
 * years in one call, without a barrier between years: each batch runs the whole horizon on
 * the thread that takes it (batches are dealt dynamically: with more batches than threads,
 * a descheduled thread does not hold the others up).
 */
#ifndef PS_ENSEMBLE_H
#define PS_ENSEMBLE_H

#include "popsim/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_ens ps_ens; /* opaque workspace: shape, threads, batch size */

/* Options of ps_ens_new; zero fields take the defaults. */
typedef struct ps_ens_options {
    int n_threads; /* OpenMP threads of each step; 0 = the OpenMP default */
    int batch;     /* trajectories per batch (one OpenMP task); 0 = one batch per thread, at
                    * most PS_ENS_BATCH_DEFAULT */
    int finite_only; /* 0 = check the accounting identity of every cell, as ps_proj_step;
                      * 1 = check only that every count is finite (the identity holds by
                      * construction and tests/test_ensemble.c verifies it; about half the
                      * work of a step) */
    int tile;        /* ps_ens_advance_fn: lanes advanced together through all the years in
                      * the thread's own buffers; 0 = as many as fit in PS_ENS_TILE_BYTES */
} ps_ens_options;

#define PS_ENS_OPTIONS_INIT { .n_threads = 0, .batch = 0, .finite_only = 0, .tile = 0 }
/* Bytes of a tile's populations and rates in ps_ens_advance_fn: half the 1 MiB L2 cache of a
 * core of the project's machine (AMD EPYC), so that a tile's years never leave it */
#define PS_ENS_TILE_BYTES (512u * 1024u)
#define PS_ENS_BATCH_DEFAULT 1024
#define PS_ENS_BATCH_MAX 65536

/* Which rates of ps_ens_rates vary by trajectory (bits of ps_ens_rates.per_traj). */
enum {
    PS_ENS_SURV = 1u, /* survivorship */
    PS_ENS_ASFR = 2u, /* age-specific fertility */
    PS_ENS_SRB = 4u,  /* sex ratio at birth */
    PS_ENS_MIG = 8u   /* net migrants */
};

/*
 * The prepared rates of one step. A rate whose bit is clear in per_traj is shared by all
 * trajectories and has no [traj] dimension; a rate whose bit is set has [traj] innermost,
 * with n_traj values per row. Sexes are indexed by ps_sex (pop.h), ages 0..n_ages-1.
 */
typedef struct ps_ens_rates {
    const double *surv; /* [sex][age] survivorship ratios as ps_proj_survivorship gives them:
                         * [0] births to age 0, [a] the cohort reaching age a */
    const double *asfr; /* [age] births per woman-year by age of mother */
    const double *srb;  /* [1] male births per female birth */
    const double *mig;  /* [sex][age] net migrants of the step, persons */
    unsigned per_traj;  /* PS_ENS_* bits of the rates given per trajectory */
} ps_ens_rates;

/* What a step produced, caller storage; NULL members are not stored. */
typedef struct ps_ens_events {
    double *births;        /* [sex][traj] */
    double *deaths;        /* [sex][age][traj], by age at the end of the step */
    double *net_migration; /* [sex][age][traj], credited to the cohort by age at the end */
    double *adjustment;    /* [traj] persons of net emigration not applied (ps_proj_events) */
} ps_ens_events;

/**
 * Make the workspace for n_traj trajectories of n_ages single ages (the last one open).
 * @param opt  NULL = defaults
 * @return PS_OK; PS_EINVAL if n_traj < 1, n_ages < 2, or a negative option or a batch above
 *         PS_ENS_BATCH_MAX; PS_ENOMEM
 */
ps_status ps_ens_new(ps_ens **out, int n_traj, int n_ages, const ps_ens_options *opt,
                     ps_error *err);

/** Number of trajectories the workspace was made for. */
int ps_ens_trajectories(const ps_ens *e);

/**
 * Advance every trajectory one year (one step at a time per workspace: it holds the batches'
 * scratch rows): `from` and `to` are [sex][age][traj] (n_traj values per
 * row) and must not overlap. Checks the accounting identity of every cell of every
 * trajectory, like ps_proj_step (or, with finite_only, that every count is finite).
 * @param ev  NULL = keep no events
 * @return PS_OK; PS_ENUMERIC naming the first trajectory, sex and age (in that order) where
 *         the identity fails or a result is not finite
 */
ps_status ps_ens_step(ps_ens *e, const ps_ens_rates *r, const double *from, double *to,
                      ps_ens_events *ev, ps_error *err);

/**
 * Advance every trajectory n_steps years in one go: the same steps as n_steps calls of
 * ps_ens_step (the same bytes), but each thread carries its batches through all the years
 * without waiting for the others at every year (trajectories are independent), which is what
 * pays on a busy machine. rates[s] are the rates of year s; pop is [n_steps + 1][sex][age]
 * [traj] with the start in pop[0]; ev is NULL or n_steps event records (one per year).
 * @return PS_OK; PS_ENUMERIC naming the first failing year, then trajectory, sex and age
 */
ps_status ps_ens_run(ps_ens *e, int n_steps, const ps_ens_rates *rates, double *pop,
                     ps_ens_events *ev, ps_error *err);

/* Writable storage for the rates of one batch (see ps_ens_rates_fn). */
typedef struct ps_ens_rates_buf {
    double *surv; /* [sex][age][n] */
    double *asfr; /* [age][n] */
    double *srb;  /* [n] */
    double *mig;  /* [sex][age][n] */
} ps_ens_rates_buf;

/**
 * Prepares the rates of year `step` for trajectories first .. first + n - 1: writes the
 * rates flagged per trajectory into buf (n values per row), to which `out` points on entry;
 * a shared rate may instead be given by pointing out's member at the caller's own array.
 * Called from several threads at once (once per batch and year): it must only read shared
 * state.
 */
typedef ps_status (*ps_ens_rates_fn)(ps_ens_rates *out, const ps_ens_rates_buf *buf, int step,
                                     int first, int n, void *ctx, ps_error *err);

/**
 * ps_ens_run with the rates made batch by batch as they are needed: each thread calls fn for
 * its batch and year, then steps it, so the rates never leave the cache and no array of all
 * years' rates is needed. per_traj: the PS_ENS_* bits fn fills per trajectory. The same
 * bytes as ps_ens_run with the same rates. Allocates the batches' rate buffers once per call.
 * @return PS_OK; fn's status; PS_ENUMERIC as ps_ens_run; PS_ENOMEM
 */
ps_status ps_ens_run_fn(ps_ens *e, int n_steps, ps_ens_rates_fn fn, void *ctx, unsigned per_traj,
                        double *pop, ps_ens_events *ev, ps_error *err);

/**
 * The whole horizon with only the final population kept: each thread takes a batch and
 * carries it through all n_steps years tile by tile (ps_ens_options.tile lanes), in two
 * population buffers of its own with the tile's rates made by fn beside them, so a tile's
 * years run in the core's cache with no barrier and no main-memory traffic but the start and
 * the end (ps_ens_run keeps every year and so streams each year through main memory). The
 * final population is the same bytes as pop[n_steps] of ps_ens_run_fn with the same fn, for
 * any thread count, batch and tile. fn is called once per tile and year (first .. first + n - 1
 * is a tile). `from` and `to` are [sex][age][traj]; they may be the same array. No events.
 * On an error `to` holds the final years of the tiles that finished and is not a result.
 * @return PS_OK; fn's status; PS_ENUMERIC as ps_ens_run; PS_ENOMEM
 */
ps_status ps_ens_advance_fn(ps_ens *e, int n_steps, ps_ens_rates_fn fn, void *ctx,
                            unsigned per_traj, const double *from, double *to, ps_error *err);

/**
 * Called by ps_ens_advance_hook for each tile and year, from the thread that carries the tile
 * (several threads at once, on disjoint lanes: it may write only the lanes' own state).
 * pop is the tile's population [sex][age][n] (rows of n values: lane j = trajectory
 * first + j). year 0: the start, before the first step, writable (filled from `from`, or by
 * the hook when `from` is NULL); year y > 0: after step y - 1, whose events (ev[y - 1]) are
 * final for the tile's lanes.
 */
typedef void (*ps_ens_year_fn)(int year, double *pop, int first, int n, void *ctx);

/**
 * ps_ens_advance_fn with a per-year hook, so that a caller can summarise every year of every
 * trajectory without the horizon being stored (src/engine/prob.c): the same steps and bytes.
 * from: NULL = the hook fills each tile's start at year 0 (NULL with no hook: PS_EINVAL);
 * to: NULL = the final population is not kept; ev: NULL or n_steps event records in the
 * caller's [..][traj] rows, as for ps_ens_run_fn. hook may be NULL.
 * @return as ps_ens_advance_fn
 */
ps_status ps_ens_advance_hook(ps_ens *e, int n_steps, ps_ens_rates_fn fn, void *ctx,
                              unsigned per_traj, const double *from, double *to,
                              ps_ens_events *ev, ps_ens_year_fn hook, void *hook_ctx,
                              ps_error *err);

void ps_ens_free(ps_ens *e); /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif /* PS_ENSEMBLE_H */

/*
 * run_dist.h - where `popsim run` computes its units (issue #15): all in this process, a
 * share of them in each MPI rank (gathered to rank 0, which writes the file), the share of
 * one Slurm array task (written to a part file), or none, because `popsim merge` puts the
 * units of part files into the run. The run itself (inputs, finish, file) is the same in
 * every case, so each way gives the file of a single run. docs/hpc.md.
 */
#ifndef PS_CLI_RUN_DIST_H
#define PS_CLI_RUN_DIST_H

#include "popsim/error.h"
#include "popsim/run.h"

typedef struct cli_dist {
    int task, n_tasks;        /* --task I --tasks N: share I of N; n_tasks 0 = not a task */
    const char *part_path;    /* the part file a task writes (-o) */
    char *run_args[8];        /* owned: `popsim run` arguments that rebuild the run */
    char workdir[4096];       /* where run_args are resolved */
    int n_run_args;
    char *const *parts;       /* popsim merge: the part files (borrowed) */
    int n_parts;              /* 0 = not a merge */
    int rank, n_ranks;        /* MPI world; n_ranks 0 = not started by an MPI launcher */
    int reported;             /* 1: the failure was printed already (by rank 0, for all) */
    int quiet;
    int estimate;             /* --estimate: print units and memory, compute nothing */
    const char *scenario_sha256; /* borrowed from the loaded scenario, for part files */
    int split_persons;        /* MPI: every rank computes every unit, persons split (#15) */
    /* Split persons: time in the collectives (waiting for the other ranks included), wall and
     * CPU seconds (Open MPI waits by polling, so waiting costs CPU), and bytes sent. */
    double coll_s, coll_cpu_s;
    double coll_bytes;
    int peer_failed; /* split persons: another rank failed (its error is the one to print) */
    int split_computing; /* split persons: the units are being computed (collective checks) */
} cli_dist;

/* A serial run, or this process's rank when an MPI launcher started it. */
void cli_dist_init(cli_dist *d);
void cli_dist_release(cli_dist *d);

/* Record the arguments that rebuild the run in a merge (absolute paths). Returns 0, or -1
 * (message printed) if a path cannot be resolved or memory runs out. */
int cli_dist_set_run_args(cli_dist *d, const char *scenario, const char *elasticity,
                          const char *wpp_dir, int allow_large, int no_cache);

/**
 * Every rank's status of the same step (a collective under MPI; `rc` itself otherwise). If
 * any rank failed, rank 0 prints each failed rank's error with its rank, every rank gets a
 * failure and d->reported is set.
 */
ps_status cli_dist_agree(cli_dist *d, ps_status rc, ps_error *err);

/**
 * Compute (or gather, or read) every unit of `run` and finish it, as `d` says; `rc` is the
 * status of ps_run_new (every MPI rank must call this, whatever rc is). An array task
 * writes its part file here. After PS_OK, cli_dist_writes_file says whether this process
 * writes the result file.
 */
ps_status cli_dist_compute(ps_run *run, cli_dist *d, ps_status rc, ps_error *err);

/* 1 if this process writes the result file: not an array task or an estimate, and rank 0
 * under MPI. */
int cli_dist_writes_file(const cli_dist *d);

/* ---- MPI (run_mpi.c; stubs when popsim is built without MPI) ---------------------------- */

/* MPI_Init when an MPI launcher (mpirun, srun --mpi=pmix) started this process; then every
 * rank's arguments (argv[0..argc-1], the command and its options) are compared with rank
 * 0's. Returns 0, or -1 when a rank was started with others (each such rank printed its
 * command line and rank 0's): the caller stops, as every rank does, instead of waiting
 * forever in collectives that the other ranks never call. */
int cli_mpi_start(int argc, char *const *argv);

/* PS_OK if `text` (a checksum, say) is the same on every rank; otherwise every rank fails
 * and rank 0 prints each differing rank's error naming `what`. Collective; a stub without
 * MPI. */
ps_status cli_mpi_same_text(cli_dist *d, const char *text, const char *what, ps_error *err);
void cli_mpi_stop(void);

/* This rank and the world size; *n_ranks_out = 0 when MPI was not started. */
void cli_mpi_world(int *rank_out, int *n_ranks_out);

/* Status agreement (cli_dist_agree under MPI). */
ps_status cli_mpi_agree(cli_dist *d, ps_status rc, ps_error *err);

/* The largest of every rank's values[0..n-1] (element by element) into max_out on rank 0.
 * Collective. */
void cli_mpi_max(double *max_out, const double *values, int n);

/* Rank 0 receives the units the other ranks own (ps_run_share of the world) and puts them
 * into `run`; the other ranks send theirs. Collective. */
ps_status cli_mpi_gather(ps_run *run, cli_dist *d, ps_error *err);

/* ---- persons split across MPI ranks (micro_mpi.c, issue #15) ---------------------------- */

/* 1 if the ranks should split each microsimulation unit's persons: under MPI with more
 * ranks than units (members x replicates) of a micro scenario, not a task or merge. */
int cli_dist_split_persons(const cli_dist *d, const ps_scenario *scn);

/* The MPI collectives of a split microsimulation (one process without MPI); d is borrowed
 * by the hooks and must outlive the run. */
void cli_mpi_micro_comm(ps_micro_comm *c, cli_dist *d);

/* The run's cancellation check (ps_run_options.cancel, ctx a cli_dist) when persons are
 * split: while the units are computed every rank checks at the same points (each unit's
 * start), so the ranks agree on an interrupt and all stop at the same unit; otherwise (rank
 * 0 writing the file) it is the local check. */
ps_status cli_mpi_split_cancel(void *ctx, ps_error *err);

#endif /* PS_CLI_RUN_DIST_H */

/*
 * micro_mpi.c - the collectives of a microsimulation whose persons are split across MPI ranks
 * (issue #15, src/micro/split.c, docs/hpc.md): integer sums and bitwise ORs with
 * MPI_Allreduce, the personalised exchange with MPI_Alltoall (sizes) and MPI_Alltoallv
 * (bytes), and the status agreement that precedes each of them with an MPI_Allreduce (the
 * lowest failed rank), so that a rank failing mid-step makes every rank leave the step. The
 * library stays free of MPI; without MPI (PS_HAVE_MPI undefined) there is one process and no
 * hook. POPSIM_TEST_SPLIT_FAIL=RANK:STEP (tests only) makes rank RANK fail at step STEP.
 */
#include "run_dist.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "signals.h"

/* CPU seconds of this process. */
static double cpu_now(void)
{
    return (double)clock() / CLOCKS_PER_SEC;
}

#ifdef PS_HAVE_MPI
#include "mpi_dl.h" /* MPI through the popsim-mpi plugin */

/* Elements per MPI call, below MPI's int counts. */
#define PIECE ((size_t)1 << 28)

/* Time spent in a collective, added to the rank's totals. */
static void account(cli_dist *d, double t0, double c0, double bytes)
{
    d->coll_s += cli_now() - t0;
    d->coll_cpu_s += cpu_now() - c0;
    d->coll_bytes += bytes;
}

/* buf[0..n-1] (8-byte words of MPI type `type`) := op over every rank, in pieces. */
static int allreduce_words(cli_dist *d, void *buf, size_t n, MPI_Datatype type, MPI_Op op)
{
    const double t0 = cli_now(), c0 = cpu_now();
    int bad = 0;
    for (size_t at = 0; at < n; at += PIECE) {
        const int k = (int)(n - at < PIECE ? n - at : PIECE);
        bad = bad || MPI_Allreduce(MPI_IN_PLACE, (unsigned char *)buf + at * sizeof(uint64_t), k,
                                   type, op, MPI_COMM_WORLD) != MPI_SUCCESS;
    }
    account(d, t0, c0, (double)(n * sizeof(uint64_t)));
    return bad;
}

static int sum_i64(void *ctx, int64_t *buf, size_t n)
{
    return allreduce_words(ctx, buf, n, MPI_INT64_T, MPI_SUM);
}

static int or_u64(void *ctx, uint64_t *buf, size_t n)
{
    return allreduce_words(ctx, buf, n, MPI_UINT64_T, MPI_BOR);
}

/* Byte counts and displacements as MPI's ints; 1 if a total does not fit. */
static int to_ints(int *count, int *displ, const uint64_t *bytes, int n)
{
    uint64_t at = 0;
    for (int r = 0; r < n; ++r) {
        if (bytes[r] > (uint64_t)INT_MAX || at > (uint64_t)INT_MAX - bytes[r]) {
            return 1;
        }
        count[r] = (int)bytes[r];
        displ[r] = (int)at;
        at += bytes[r];
    }
    return 0;
}

static int exchange(void *ctx, const void *send, const uint64_t *send_bytes, void *recv,
                    uint64_t *recv_bytes)
{
    cli_dist *d = ctx;
    const int n = d->n_ranks;
    const double t0 = cli_now(), c0 = cpu_now();
    if (send == NULL && recv == NULL) {
        const int bad = MPI_Alltoall(send_bytes, 1, MPI_UINT64_T, recv_bytes, 1, MPI_UINT64_T,
                                     MPI_COMM_WORLD) != MPI_SUCCESS;
        account(d, t0, c0, 0.0);
        return bad;
    }
    double sent = 0.0;
    for (int r = 0; r < n; ++r) {
        sent += r != d->rank ? (double)send_bytes[r] : 0.0;
    }
    int *v = malloc(4 * (size_t)n * sizeof *v), bad = v == NULL;
    if (!bad) {
        bad = to_ints(v, v + n, send_bytes, n) || to_ints(v + 2 * n, v + 3 * n, recv_bytes, n);
    }
    /* Every rank calls the collective, with empty counts after a local failure. */
    int failed = 0;
    MPI_Allreduce(&bad, &failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (!failed) {
        failed = MPI_Alltoallv(send, v, v + n, MPI_BYTE, recv, v + 2 * n, v + 3 * n, MPI_BYTE,
                               MPI_COMM_WORLD) != MPI_SUCCESS;
    }
    free(v);
    account(d, t0, c0, sent);
    return failed;
}

/* The lowest rank that failed, or -1; a rank that did not fail remembers that another did,
 * so that cli_mpi_agree prints only the failed rank's own error. */
static int agree(void *ctx, int failed)
{
    cli_dist *d = ctx;
    const double t0 = cli_now(), c0 = cpu_now();
    int mine = failed ? d->rank : INT_MAX, lowest = INT_MAX;
    MPI_Allreduce(&mine, &lowest, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    account(d, t0, c0, 0.0);
    if (lowest == INT_MAX) {
        return -1;
    }
    d->peer_failed = !failed;
    return lowest;
}

/* POPSIM_TEST_SPLIT_FAIL=RANK:STEP: the step at which this rank is made to fail, or 0. */
static int test_fail_step(const cli_dist *d)
{
    const char *v = getenv("POPSIM_TEST_SPLIT_FAIL");
    int rank = -1, step = 0;
    if (v == NULL || sscanf(v, "%d:%d", &rank, &step) != 2 || rank != d->rank || step < 1) {
        return 0;
    }
    return step;
}

void cli_mpi_micro_comm(ps_micro_comm *c, cli_dist *d)
{
    c->rank = d->rank;
    c->n_ranks = d->n_ranks > 0 ? d->n_ranks : 1;
    c->ctx = d;
    c->sum_i64 = sum_i64;
    c->or_u64 = or_u64;
    c->exchange = exchange;
    c->agree = agree;
    c->test_fail_step = test_fail_step(d);
}

ps_status cli_mpi_split_cancel(void *ctx, ps_error *err)
{
    cli_dist *d = ctx;
    const ps_status rc = cli_check_interrupt(err);
    if (!d->split_computing) {
        return rc;
    }
    const int failed = agree(d, rc != PS_OK);
    return failed < 0 || rc != PS_OK ? rc
                                      : ps_error_set(err, PS_EINVAL, "rank %d was interrupted",
                                                     failed);
}

#else /* no MPI: one process */

ps_status cli_mpi_split_cancel(void *ctx, ps_error *err)
{
    (void)ctx;
    return cli_check_interrupt(err);
}

void cli_mpi_micro_comm(ps_micro_comm *c, cli_dist *d)
{
    (void)d;
    c->rank = 0;
    c->n_ranks = 1;
    c->ctx = NULL;
    c->sum_i64 = NULL;
    c->or_u64 = NULL;
    c->exchange = NULL;
    c->agree = NULL;
    c->test_fail_step = 0;
}

#endif

int cli_dist_split_persons(const cli_dist *d, const ps_scenario *scn)
{
    if (d->n_ranks <= 1 || d->n_tasks > 0 || d->n_parts > 0 || scn == NULL ||
        scn->engine != PS_ENGINE_MICRO) {
        return 0;
    }
    /* Fewer units than ranks: whole units would leave ranks idle, so every rank takes a
     * share of every unit's persons instead. */
    return (long long)scn->n_members * scn->micro.replicates < (long long)d->n_ranks;
}

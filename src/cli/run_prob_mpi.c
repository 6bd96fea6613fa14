/*
 * run_prob_mpi.c - `mpirun -np N popsim run --location X --trajectories T` (issue #15): the
 * trajectory blocks of one location (ps_prob_unit) are dealt over the ranks as the run
 * layer deals its units (ps_run_share: rank r computes the r-th contiguous share), and rank 0
 * receives the other ranks' trajectory rows, computes the quantiles and writes the file;
 * with `--location all` location k belongs to rank k mod N, which projects it whole, and
 * rank 0 receives its statistics. A trajectory depends only on its index and a location only
 * on its own data, so the file's datasets are those of the serial run for any N. Without
 * MPI (PS_HAVE_MPI undefined) the gathers are never called with more than one rank.
 */
#include "prob_mpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "popsim/run_unit.h"

void cli_prob_share(int *first_out, int *end_out, int n_units, const cli_dist *d)
{
    if (d == NULL || d->n_ranks <= 1) {
        *first_out = 0;
        *end_out = n_units;
        return;
    }
    ps_run_share(first_out, end_out, n_units, d->rank, d->n_ranks);
}

int cli_prob_owns_location(int k, const cli_dist *d)
{
    return d == NULL || d->n_ranks <= 1 || k % d->n_ranks == d->rank;
}

#ifdef PS_HAVE_MPI
#include "mpi_dl.h" /* MPI through the popsim-mpi plugin */

#define TAG_UNIT 11
#define TAG_HEAD 12
#define TAG_STATS 13

ps_status cli_prob_gather_units(ps_prob *p, const cli_dist *d, ps_error *err)
{
    ps_status rc = PS_OK;
    size_t total = 0;
    const int n_units = ps_prob_n_units(p);
    const double t0 = cli_now();
    size_t cap = ps_prob_unit_doubles(p, 0);
    double *buf = malloc((cap > 0 ? cap : 1) * sizeof *buf);
    if (d->rank > 0) {
        int first = 0, end = 0;
        ps_run_share(&first, &end, n_units, d->rank, d->n_ranks);
        for (int u = first; u < end; ++u) {
            const size_t n = ps_prob_unit_doubles(p, u);
            int ok = buf != NULL && ps_prob_unit_get(p, u, buf, err) == PS_OK;
            MPI_Send(&ok, 1, MPI_INT, 0, TAG_UNIT, MPI_COMM_WORLD);
            if (ok) {
                MPI_Send(buf, (int)n, MPI_DOUBLE, 0, TAG_UNIT, MPI_COMM_WORLD);
            }
        }
        free(buf);
        return PS_OK; /* rank 0 reports a unit that could not be sent */
    }
    for (int r = 1; r < d->n_ranks; ++r) {
        int first = 0, end = 0;
        ps_run_share(&first, &end, n_units, r, d->n_ranks);
        for (int u = first; u < end; ++u) {
            const size_t n = ps_prob_unit_doubles(p, u);
            int ok = 0;
            MPI_Recv(&ok, 1, MPI_INT, r, TAG_UNIT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (!ok) {
                if (rc == PS_OK) {
                    rc = ps_error_set(err, PS_ENOMEM, "rank %d could not send probabilistic "
                                      "unit %d (out of memory)", r, u);
                }
                continue;
            }
            double sink[1]; /* a valid buffer for the 0-count receive */
            MPI_Recv(buf != NULL ? buf : sink, buf != NULL ? (int)n : 0, MPI_DOUBLE, r, TAG_UNIT,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (buf == NULL && rc == PS_OK) {
                rc = ps_error_set(err, PS_ENOMEM, "out of memory for a probabilistic unit");
            }
            if (rc == PS_OK) {
                rc = ps_prob_unit_put(p, u, buf, err);
            }
            total += n * sizeof *buf;
        }
    }
    free(buf);
    if (rc == PS_OK) {
        cli_log(d->quiet, "rank 0 received %zu bytes of trajectories from %d ranks in %.3f s",
                total, d->n_ranks - 1, cli_now() - t0);
    }
    return rc;
}

/* One location's header: ok, code, start year, years, trajectories; then the name. */
#define HEAD_INTS 5
#define NAME_BYTES 128

ps_status cli_prob_gather_locations(ps_prob **runs, char **labels, int *codes, int n,
                                    const cli_dist *d, ps_error *err)
{
    ps_status rc = PS_OK;
    size_t total = 0;
    const double t0 = cli_now();
    for (int k = 0; k < n; ++k) {
        const int owner = k % d->n_ranks;
        int head[HEAD_INTS] = { 0, 0, 0, 0, 0 };
        char name[NAME_BYTES] = "";
        double *buf = NULL;
        if (owner == 0 || (d->rank != 0 && d->rank != owner)) {
            continue;
        }
        if (d->rank == owner) { /* runs[k] is finished: the agreement came first */
            const size_t len = ps_prob_stats_doubles(ps_prob_n_years(runs[k]));
            buf = malloc(len * sizeof *buf);
            head[0] = buf != NULL && ps_prob_stats_get(runs[k], buf, err) == PS_OK;
            head[1] = codes[k];
            head[2] = ps_prob_start_year(runs[k]);
            head[3] = ps_prob_n_years(runs[k]);
            head[4] = ps_prob_n_traj(runs[k]);
            snprintf(name, sizeof name, "%s", labels[k] != NULL ? labels[k] : "");
            MPI_Send(head, HEAD_INTS, MPI_INT, 0, TAG_HEAD, MPI_COMM_WORLD);
            if (head[0]) {
                MPI_Send(name, NAME_BYTES, MPI_CHAR, 0, TAG_HEAD, MPI_COMM_WORLD);
                MPI_Send(buf, (int)len, MPI_DOUBLE, 0, TAG_STATS, MPI_COMM_WORLD);
            }
            free(buf);
            continue;
        }
        MPI_Recv(head, HEAD_INTS, MPI_INT, owner, TAG_HEAD, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (!head[0]) {
            if (rc == PS_OK) {
                rc = ps_error_set(err, PS_ENOMEM, "rank %d could not send location %d (out of "
                                  "memory)", owner, k);
            }
            continue;
        }
        const size_t len = ps_prob_stats_doubles(head[3]);
        double sink[1]; /* a valid buffer for the 0-count receive */
        buf = malloc(len * sizeof *buf);
        MPI_Recv(name, NAME_BYTES, MPI_CHAR, owner, TAG_HEAD, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        MPI_Recv(buf != NULL ? buf : sink, buf != NULL ? (int)len : 0, MPI_DOUBLE, owner,
                 TAG_STATS, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        name[NAME_BYTES - 1] = '\0';
        if (buf == NULL && rc == PS_OK) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for the statistics of location %d",
                              k);
        }
        if (rc == PS_OK) {
            codes[k] = head[1];
            rc = ps_prob_from_stats(&runs[k], head[2], head[3], head[4], buf, err);
        }
        if (rc == PS_OK && (labels[k] = malloc(strlen(name) + 1)) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        } else if (rc == PS_OK) {
            strcpy(labels[k], name);
        }
        total += len * sizeof *buf;
        free(buf);
    }
    if (rc == PS_OK && d->rank == 0) {
        cli_log(d->quiet, "rank 0 received %zu bytes of statistics from %d ranks in %.3f s",
                total, d->n_ranks - 1, cli_now() - t0);
    }
    return rc;
}

#else /* no MPI: never more than one rank */

ps_status cli_prob_gather_units(ps_prob *p, const cli_dist *d, ps_error *err)
{
    (void)p;
    (void)d;
    (void)err;
    return PS_OK;
}

ps_status cli_prob_gather_locations(ps_prob **runs, char **labels, int *codes, int n,
                                    const cli_dist *d, ps_error *err)
{
    (void)runs;
    (void)labels;
    (void)codes;
    (void)n;
    (void)d;
    (void)err;
    return PS_OK;
}

#endif

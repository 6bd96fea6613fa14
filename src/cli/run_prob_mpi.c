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

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mpi_share.h"
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

ps_status cli_prob_gather_units(ps_prob *p, const cli_dist *d, ps_error *err)
{
    ps_status rc = PS_OK;
    size_t total = 0;
    const int n_units = ps_prob_n_units(p);
    const double t0 = cli_now();
    if (d->rank > 0) {
        const size_t cap = ps_prob_unit_doubles(p, 0);
        double *buf = malloc((cap > 0 ? cap : 1) * sizeof *buf);
        int first = 0, end = 0;
        ps_run_share(&first, &end, n_units, d->rank, d->n_ranks);
        for (int u = first; u < end; ++u) {
            const size_t n = ps_prob_unit_doubles(p, u);
            ps_status got = buf != NULL ? ps_prob_unit_get(p, u, buf, err)
                                        : ps_error_set(err, PS_ENOMEM, "out of memory for a "
                                                       "probabilistic unit");
            cli_share_send(buf, n * sizeof *buf, got, err);
        }
        free(buf);
        return PS_OK; /* rank 0 reports a unit that could not be sent */
    }
    cli_share s = CLI_SHARE_INIT;
    for (int r = 1; r < d->n_ranks; ++r) {
        int first = 0, end = 0;
        ps_run_share(&first, &end, n_units, r, d->n_ranks);
        for (int u = first; u < end; ++u) {
            const size_t n = ps_prob_unit_doubles(p, u);
            char what[48];
            snprintf(what, sizeof what, "probabilistic unit %d", u);
            rc = cli_share_recv(&s, r, what, rc, err);
            if (rc == PS_OK && s.len != n * sizeof(double)) {
                rc = ps_error_set(err, PS_EINVAL, "rank %d sent %zu bytes for %s, expected %zu",
                                  r, s.len, what, n * sizeof(double));
            }
            if (rc == PS_OK) {
                rc = ps_prob_unit_put(p, u, (const double *)(const void *)s.bytes, err);
            }
            total += s.len;
        }
    }
    cli_share_release(&s);
    if (rc == PS_OK) {
        cli_log(d->quiet, "rank 0 received %zu bytes of trajectories from %d ranks in %.3f s",
                total, d->n_ranks - 1, cli_now() - t0);
    }
    return rc;
}

/* One location's share: its statistics (doubles first, for their alignment), then the
 * header (code, start year, years, trajectories) and the name. */
#define HEAD_INTS 4
#define NAME_BYTES 128

static size_t location_bytes(int n_years)
{
    return ps_prob_stats_doubles(n_years) * sizeof(double) + HEAD_INTS * sizeof(int32_t) +
           NAME_BYTES;
}

/* Rank k % N > 0: send location k's statistics (runs[k] is finished: the agreement came
 * first). */
static void send_location(const ps_prob *run, const char *label, int code, ps_error *err)
{
    const int n_years = ps_prob_n_years(run);
    const size_t stats = ps_prob_stats_doubles(n_years) * sizeof(double);
    const size_t len = location_bytes(n_years);
    unsigned char *buf = calloc(len, 1);
    ps_status rc = buf != NULL ? ps_prob_stats_get(run, (double *)(void *)buf, err)
                               : ps_error_set(err, PS_ENOMEM, "out of memory");
    if (rc == PS_OK) {
        const int32_t head[HEAD_INTS] = { code, ps_prob_start_year(run), n_years,
                                          ps_prob_n_traj(run) };
        memcpy(buf + stats, head, sizeof head);
        snprintf((char *)buf + stats + sizeof head, NAME_BYTES, "%s",
                 label != NULL ? label : "");
    }
    cli_share_send(buf, len, rc, err);
    free(buf);
}

/* Rank 0: make runs[k], labels[k] and codes[k] of the share s holds. */
static ps_status put_location(ps_prob **runs, char **labels, int *codes, int k,
                              const cli_share *s, int owner, ps_error *err)
{
    int32_t head[HEAD_INTS] = { 0, 0, 0, 0 };
    size_t stats = 0;
    if (s->len >= sizeof head + NAME_BYTES) {
        memcpy(head, s->bytes + s->len - NAME_BYTES - sizeof head, sizeof head);
        stats = ps_prob_stats_doubles(head[2]) * sizeof(double);
    }
    if (head[2] < 1 || s->len != location_bytes(head[2])) {
        return ps_error_set(err, PS_EINVAL, "rank %d sent %zu bytes for location %d, not a "
                            "location's statistics", owner, s->len, k);
    }
    char *name = (char *)s->bytes + stats + sizeof head;
    name[NAME_BYTES - 1] = '\0';
    codes[k] = head[0];
    ps_status rc = ps_prob_from_stats(&runs[k], head[1], head[2], head[3],
                                      (const double *)(const void *)s->bytes, err);
    if (rc == PS_OK && (labels[k] = malloc(strlen(name) + 1)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    } else if (rc == PS_OK) {
        strcpy(labels[k], name);
    }
    return rc;
}

ps_status cli_prob_gather_locations(ps_prob **runs, char **labels, int *codes, int n,
                                    const cli_dist *d, ps_error *err)
{
    ps_status rc = PS_OK;
    size_t total = 0;
    const double t0 = cli_now();
    cli_share s = CLI_SHARE_INIT;
    for (int k = 0; k < n; ++k) {
        const int owner = k % d->n_ranks;
        if (owner == 0 || (d->rank != 0 && d->rank != owner)) {
            continue;
        }
        if (d->rank == owner) {
            send_location(runs[k], labels[k], codes[k], err);
            continue;
        }
        char what[32];
        snprintf(what, sizeof what, "location %d", k);
        rc = cli_share_recv(&s, owner, what, rc, err);
        if (rc == PS_OK) {
            rc = put_location(runs, labels, codes, k, &s, owner, err);
        }
        total += s.len;
    }
    cli_share_release(&s);
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

/*
 * run_prob_mpi.c - `mpirun -np N popsim run --location X --trajectories T` (issue #15): the
 * trajectory blocks of one location (ps_prob_unit) are dealt over the ranks as the run
 * layer deals its units (ps_run_share: rank r computes the r-th contiguous share); the rows
 * of the summary are then split over the ranks, each summarising its slice of every rank's
 * trajectories, and rank 0 gathers the statistics and writes the file (with
 * --keep-trajectories rank 0 receives every trajectory and summarises alone);
 * with `--location all` location k belongs to rank k mod N, which projects it whole, and
 * rank 0 receives its statistics. A trajectory depends only on its index and a location only
 * on its own data, so the file's datasets are those of the serial run for any N. Without
 * MPI (PS_HAVE_MPI undefined) the gathers are never called with more than one rank.
 */
#include "prob_mpi.h"

#include <limits.h>
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

/* The summary rows [*row0, *row1) of rank q of n (contiguous slices, as even as they come). */
static void row_slice(size_t *row0, size_t *row1, size_t n_rows, int q, int n)
{
    *row0 = n_rows * (size_t)q / (size_t)n;
    *row1 = n_rows * ((size_t)q + 1) / (size_t)n;
}

/* POPSIM_TEST_QUANTILE_FAIL=RANK (tests only): that rank cannot allocate its receive buffer. */
static int test_quantile_fail(const cli_dist *d)
{
    const char *v = getenv("POPSIM_TEST_QUANTILE_FAIL");
    return v != NULL && v[0] != '\0' && atoi(v) == d->rank;
}

/* Rows of each rank's slice exchanged per round: a receive buffer of about
 * QUANTILE_ROUND_VALUES doubles (8 MiB); POPSIM_TEST_QUANTILE_ROUND_ROWS=N (tests only) sets N
 * rows, so that small runs take many rounds. Every rank computes the same number. */
#define QUANTILE_ROUND_VALUES ((size_t)1 << 20)
static size_t round_rows(int n_traj)
{
    const char *v = getenv("POPSIM_TEST_QUANTILE_ROUND_ROWS");
    if (v != NULL && atoi(v) > 0) {
        return (size_t)atoi(v);
    }
    const size_t b = QUANTILE_ROUND_VALUES / (size_t)(n_traj > 0 ? n_traj : 1);
    return b > 0 ? b : 1;
}

/*
 * The quantiles split over the ranks: rank q summarises the q-th slice of the summary's rows
 * (row_slice). The exchange runs in rounds of B rows of every slice (round_rows): in round k
 * every rank packs, for each rank q, its own trajectories' values of rows k B .. (k + 1) B of
 * q's slice, and one MPI_Alltoallv gives each rank those rows of its slice from every rank,
 * by rank, hence in global trajectory order (the ranks' trajectories are contiguous and
 * ascending, cli_prob_share); each rank summarises them at once (ps_prob_summarise_rows: the
 * serial run's bytes, rows being independent). A rank so holds its own trajectories' rows and
 * two buffers of one round, not a copy of its share and a whole slice of everyone's (issue
 * #15: at np 2 that was the whole run's rows on each rank). MPI_Gatherv then brings the
 * statistics to rank 0, which finishes p with them. The statuses are agreed before each
 * collective, so a rank that fails (its buffers, counts beyond MPI's int) stops every rank
 * with its own error and none waits in a collective.
 */
static ps_status split_quantiles(ps_prob *p, cli_dist *d, ps_error *err)
{
    const int N = d->n_ranks, me = d->rank, T = ps_prob_n_traj(p);
    const int n_units = ps_prob_n_units(p);
    const size_t R = ps_prob_n_rows(p);
    const size_t S = PS_PROB_N_STATS;
    double *send = NULL, *recv = NULL, *mine = NULL, *all = NULL;
    size_t r0 = 0, r1 = 0, n_send = 0, n_recv = 0, max_slice = 0, sent = 0, received = 0;
    const size_t B = round_rows(T);
    /* lanes, first trajectory, send counts and offsets, receive counts and offsets, gather
     * counts and offsets, by rank */
    int *c = malloc(8 * (size_t)N * sizeof *c);
    int *lanes = c, *tfirst = c + N, *sc = c + 2 * N, *sd = c + 3 * N, *rc_n = c + 4 * N,
        *rd = c + 5 * N, *gc = c + 6 * N, *gd = c + 7 * N;
    ps_status rc = PS_OK;
    if (c == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the quantile exchange");
    }
    for (int q = 0; rc == PS_OK && q < N; ++q) {
        int u0 = 0, u1 = 0;
        const cli_dist other = { .rank = q, .n_ranks = N };
        cli_prob_share(&u0, &u1, n_units, &other);
        const int a = u0 * PS_PROB_UNIT_TRAJ < T ? u0 * PS_PROB_UNIT_TRAJ : T;
        const int b = u1 * PS_PROB_UNIT_TRAJ < T ? u1 * PS_PROB_UNIT_TRAJ : T;
        tfirst[q] = a;
        lanes[q] = b - a;
        size_t q0 = 0, q1 = 0;
        row_slice(&q0, &q1, R, q, N);
        max_slice = q1 - q0 > max_slice ? q1 - q0 : max_slice;
        gc[q] = (int)((q1 - q0) * S);
        gd[q] = (int)(q0 * S);
    }
    const size_t rows = B < max_slice ? B : max_slice; /* rows of a slice in one round */
    if (rc == PS_OK) {
        row_slice(&r0, &r1, R, me, N);
        n_send = rows * (size_t)N * (size_t)lanes[me]; /* a round's, at most */
        n_recv = rows * (size_t)T;
        if (n_send > INT_MAX || n_recv > INT_MAX || (me == 0 && R * S > INT_MAX)) {
            rc = ps_error_set(err, PS_EINVAL, "the quantile exchange of %zu and %zu values "
                              "exceeds MPI's int counts: use more ranks", n_send, n_recv);
        }
    }
    if (rc == PS_OK) {
        send = malloc((n_send > 0 ? n_send : 1) * sizeof *send);
        recv = test_quantile_fail(d) ? NULL : malloc((n_recv > 0 ? n_recv : 1) * sizeof *recv);
        mine = malloc(((r1 - r0) * S > 0 ? (r1 - r0) * S : 1) * sizeof *mine);
        all = me == 0 ? malloc(R * S * sizeof *all) : NULL;
        if (send == NULL || recv == NULL || mine == NULL || (me == 0 && all == NULL)) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for the quantile exchange "
                              "(%zu values to send and %zu to receive a round)%s", n_send,
                              n_recv, test_quantile_fail(d) ? " (made to fail for a test: "
                                                              "POPSIM_TEST_QUANTILE_FAIL)" : "");
        }
    }
    const size_t n_rounds = rows > 0 ? (max_slice + rows - 1) / rows : 0;
    double t_exchange = 0.0, t_summary = 0.0;
    int agreed_failure = 0; /* every rank knows of a failure already: reported once */
    for (size_t k = 0; k == 0 || k < n_rounds; ++k) { /* one agreement at least */
        /* rows k * rows .. (k + 1) * rows of each slice (fewer, or none, at a slice's end) */
        size_t at = 0;
        for (int q = 0; rc == PS_OK && q < N && n_rounds > 0; ++q) {
            size_t q0 = 0, q1 = 0;
            row_slice(&q0, &q1, R, q, N);
            const size_t a = q0 + k * rows < q1 ? q0 + k * rows : q1;
            const size_t b = a + rows < q1 ? a + rows : q1;
            sc[q] = (int)((b - a) * (size_t)lanes[me]);
            sd[q] = (int)at;
            rc = ps_prob_rows_get(p, a, b, tfirst[me], tfirst[me] + lanes[me], send + at, err);
            at += (size_t)sc[q];
        }
        const size_t ra = r0 + k * rows < r1 ? r0 + k * rows : r1;
        const size_t nr = (ra + rows < r1 ? ra + rows : r1) - ra;
        for (int q = 0; rc == PS_OK && q < N; ++q) {
            rc_n[q] = (int)(nr * (size_t)lanes[q]);
            rd[q] = (int)(nr * (size_t)tfirst[q]);
        }
        rc = cli_mpi_agree(d, rc, err); /* every rank can exchange this round */
        agreed_failure = rc != PS_OK;
        if (rc != PS_OK || n_rounds == 0) {
            break;
        }
        double t0 = cli_now();
        if (MPI_Alltoallv(send, sc, sd, MPI_DOUBLE, recv, rc_n, rd, MPI_DOUBLE,
                          MPI_COMM_WORLD) != MPI_SUCCESS) {
            rc = ps_error_set(err, PS_EIO, "the exchange of the trajectory rows failed");
        }
        sent += at;
        received += nr * (size_t)T;
        t_exchange += cli_now() - t0;
        t0 = cli_now();
        if (rc == PS_OK && nr > 0) {
            rc = ps_prob_summarise_rows(p, mine + (ra - r0) * S, recv, nr, lanes, N, err);
        }
        t_summary += cli_now() - t0;
    }
    free(send);
    send = NULL;
    free(recv);
    recv = NULL;
    if (rc == PS_OK) {
        ps_prob_drop_rows(p);
        cli_log(d->quiet, "rank 0 exchanged %zu bytes of trajectory rows (sent %zu) with %d "
                "ranks in %zu rounds in %.3f s", received * sizeof(double),
                sent * sizeof(double), N - 1, n_rounds, t_exchange);
        cli_log(d->quiet, "rank 0 summarised %zu of %zu rows in %.3f s", r1 - r0, R, t_summary);
    }
    if (!agreed_failure) {
        rc = cli_mpi_agree(d, rc, err); /* every rank summarised its slice */
    }
    const double t0 = cli_now();
    if (rc == PS_OK && MPI_Gatherv(mine, gc[me], MPI_DOUBLE, all, gc, gd, MPI_DOUBLE, 0,
                                   MPI_COMM_WORLD) != MPI_SUCCESS) {
        rc = ps_error_set(err, PS_EIO, "the gather of the quantile summaries failed");
    }
    if (rc == PS_OK && me == 0) {
        cli_log(d->quiet, "rank 0 received %zu bytes of summaries from %d ranks in %.3f s",
                (R - (r1 - r0)) * S * sizeof(double), N - 1, cli_now() - t0);
        rc = ps_prob_finish_stats(p, all, err);
    }
    free(mine);
    free(all);
    free(c);
    return rc;
}

/*
 * docs/model.md 9.7 with the quantiles split over the ranks: every rank receives every
 * trajectory's total population (MPI_Allgatherv, by rank, hence in trajectory order), and
 * aligns its own trajectories with the factors of them all, the serial run's factors.
 */
static ps_status align_split(ps_prob *p, cli_dist *d, ps_error *err)
{
    const int N = d->n_ranks, me = d->rank, T = ps_prob_n_traj(p), Y = ps_prob_n_years(p);
    int *c = malloc(4 * (size_t)N * sizeof *c);
    double *mine = NULL, *got = NULL, *all = NULL;
    ps_status rc = c == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory for the alignment")
                             : PS_OK;
    int *lanes = c, *tfirst = c + N, *counts = c + 2 * N, *displs = c + 3 * N;
    for (int q = 0; rc == PS_OK && q < N; ++q) {
        int u0 = 0, u1 = 0;
        const cli_dist other = { .rank = q, .n_ranks = N };
        cli_prob_share(&u0, &u1, ps_prob_n_units(p), &other);
        tfirst[q] = u0 * PS_PROB_UNIT_TRAJ < T ? u0 * PS_PROB_UNIT_TRAJ : T;
        lanes[q] = (u1 * PS_PROB_UNIT_TRAJ < T ? u1 * PS_PROB_UNIT_TRAJ : T) - tfirst[q];
        counts[q] = Y * lanes[q];
        displs[q] = Y * tfirst[q];
    }
    if (rc == PS_OK && (size_t)Y * (size_t)T > INT_MAX) {
        rc = ps_error_set(err, PS_EINVAL, "the alignment's %d x %d totals exceed MPI's int "
                          "counts", Y, T);
    }
    if (rc == PS_OK) {
        mine = malloc(((size_t)Y * (size_t)lanes[me] + 1) * sizeof *mine);
        got = malloc((size_t)Y * (size_t)T * sizeof *got);
        all = malloc((size_t)Y * (size_t)T * sizeof *all);
        rc = mine == NULL || got == NULL || all == NULL
                 ? ps_error_set(err, PS_ENOMEM, "out of memory for the alignment")
                 : ps_prob_rows_get(p, 0, (size_t)Y, tfirst[me], tfirst[me] + lanes[me], mine,
                                    err); /* population_total is the first variable */
    }
    rc = cli_mpi_agree(d, rc, err);
    if (rc == PS_OK && MPI_Allgatherv(mine, counts[me], MPI_DOUBLE, got, counts, displs,
                                      MPI_DOUBLE, MPI_COMM_WORLD) != MPI_SUCCESS) {
        rc = ps_error_set(err, PS_EIO, "the exchange of the total populations failed");
    }
    for (int q = 0; rc == PS_OK && q < N; ++q) { /* [rank][year][lane] -> [year][trajectory] */
        for (int y = 0; y < Y; ++y) {
            memcpy(all + (size_t)y * (size_t)T + (size_t)tfirst[q],
                   got + (size_t)displs[q] + (size_t)y * (size_t)lanes[q],
                   (size_t)lanes[q] * sizeof *all);
        }
    }
    if (rc == PS_OK) {
        rc = ps_prob_align(p, all, tfirst[me], tfirst[me] + lanes[me], err);
    }
    free(mine);
    free(got);
    free(all);
    free(c);
    return cli_mpi_agree(d, rc, err);
}

ps_status cli_prob_gather_finish(ps_prob *p, int keep, cli_dist *d, ps_error *err)
{
    if (!keep) {
        ps_status rc = ps_prob_options_of(p)->align_median ? align_split(p, d, err) : PS_OK;
        return rc == PS_OK ? split_quantiles(p, d, err) : rc;
    }
    /* every trajectory goes into the file: rank 0 needs them all */
    ps_status rc = cli_prob_gather_units(p, d, err);
    const double t0 = cli_now();
    if (rc == PS_OK && d->rank == 0) {
        rc = ps_prob_finish(p, err);
    }
    if (rc == PS_OK && d->rank == 0) {
        cli_log(d->quiet, "rank 0 summarised the trajectories in %.3f s", cli_now() - t0);
    }
    return rc;
}

/* One location's share: its statistics (doubles first, for their alignment), then the
 * header (code, start year, years, trajectories) and the name. */
#define HEAD_INTS 4
#define NAME_BYTES 128
/* after the statistics: the run's persistences, level shares, centrings, level skews,
 * variant, migrants per person, their size elasticity and the median's alignment (0 or 1);
 * then the alignment's factors by year (1 without it) */
#define PROC_DOUBLES (4 * PS_PROB_PROC_COUNT + 4)

static size_t location_bytes(int n_years)
{
    return (ps_prob_stats_doubles(n_years) + PROC_DOUBLES + (size_t)n_years) * sizeof(double) +
           HEAD_INTS * sizeof(int32_t) + NAME_BYTES;
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
        const ps_prob_options *o = ps_prob_options_of(run);
        double proc[PROC_DOUBLES];
        for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
            proc[k] = o->rho[k];
            proc[PS_PROB_PROC_COUNT + k] = o->level[k];
            proc[2 * PS_PROB_PROC_COUNT + k] = o->center[k];
            proc[3 * PS_PROB_PROC_COUNT + k] = o->level_skew[k];
        }
        proc[PROC_DOUBLES - 4] = (double)o->variant;
        proc[PROC_DOUBLES - 3] = (double)o->mig_per_person;
        proc[PROC_DOUBLES - 2] = o->mig_size_elasticity;
        proc[PROC_DOUBLES - 1] = (double)o->align_median;
        memcpy(buf + stats, proc, sizeof proc);
        const double *g = ps_prob_alignment(run);
        double *gb = (double *)(void *)(buf + stats + sizeof proc);
        for (int y = 0; y < n_years; ++y) {
            gb[y] = g != NULL ? g[y] : 1.0;
        }
        const size_t at = stats + sizeof proc + (size_t)n_years * sizeof(double);
        const int32_t head[HEAD_INTS] = { code, ps_prob_start_year(run), n_years,
                                          ps_prob_n_traj(run) };
        memcpy(buf + at, head, sizeof head);
        snprintf((char *)buf + at + sizeof head, NAME_BYTES, "%s", label != NULL ? label : "");
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
    char *name = (char *)s->bytes + s->len - NAME_BYTES;
    name[NAME_BYTES - 1] = '\0';
    codes[k] = head[0];
    double proc[PROC_DOUBLES];
    memcpy(proc, s->bytes + stats, sizeof proc);
    ps_prob_options o = PS_PROB_OPTIONS_INIT;
    for (int j = 0; j < PS_PROB_PROC_COUNT; ++j) {
        o.rho[j] = proc[j];
        o.level[j] = proc[PS_PROB_PROC_COUNT + j];
        o.center[j] = proc[2 * PS_PROB_PROC_COUNT + j];
        o.level_skew[j] = proc[3 * PS_PROB_PROC_COUNT + j];
    }
    o.variant = (ps_prob_variant)(int)proc[PROC_DOUBLES - 4];
    o.mig_per_person = (int)proc[PROC_DOUBLES - 3];
    o.mig_size_elasticity = proc[PROC_DOUBLES - 2];
    o.align_median = (int)proc[PROC_DOUBLES - 1];
    o.n_traj = head[3];
    ps_status rc = ps_prob_from_stats(&runs[k], head[1], head[2], head[3], &o,
                                      (const double *)(const void *)s->bytes, err);
    if (rc == PS_OK && o.align_median) {
        double *g = malloc((size_t)head[2] * sizeof *g); /* the bytes may be unaligned */
        rc = g == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory") : PS_OK;
        if (rc == PS_OK) {
            memcpy(g, s->bytes + stats + sizeof proc, (size_t)head[2] * sizeof *g);
            rc = ps_prob_set_alignment(runs[k], g, err);
        }
        free(g);
    }
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

ps_status cli_prob_gather_finish(ps_prob *p, int keep, cli_dist *d, ps_error *err)
{
    (void)keep;
    (void)d;
    return ps_prob_finish(p, err);
}

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

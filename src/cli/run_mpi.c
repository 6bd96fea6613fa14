/*
 * run_mpi.c - `mpirun -np N popsim run SCENARIO.yaml` (issue #15): MPI is started only when
 * an MPI launcher started the process (mpirun, or srun --mpi=pmix), so the program behaves
 * as before otherwise. Every rank builds the same run; rank r computes share r of the units
 * (ps_run_share), statuses are agreed after each step so that a failing rank stops the whole
 * job with its rank and error before anything is written, and rank 0 receives the other
 * ranks' units as bytes (popsim/run_unit.h), finishes and writes the one file. Without MPI
 * (PS_HAVE_MPI undefined) the functions are stubs for a serial program.
 */
#include "run_dist.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mpi_share.h"
#include "popsim/run_unit.h"

#ifdef PS_HAVE_MPI
#include "mpi_dl.h" /* MPI through the popsim-mpi plugin */

/* Environment variables that MPI launchers set in every process they start. */
static int started_by_launcher(void)
{
    static const char *const vars[] = { "OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                        "PMI_SIZE" };
    for (size_t k = 0; k < sizeof vars / sizeof vars[0]; ++k) {
        if (getenv(vars[k]) != NULL) {
            return 1;
        }
    }
    return 0;
}

/* 64-bit FNV-1a of the arguments, each with its terminating NUL (so "a b" != "a" "b"). */
static uint64_t args_hash(int argc, char *const *argv)
{
    uint64_t h = 14695981039346656037ULL;
    for (int k = 0; k < argc; ++k) {
        const unsigned char *p = (const unsigned char *)argv[k];
        do {
            h = (h ^ *p) * 1099511628211ULL;
        } while (*p++ != '\0');
    }
    return h;
}

#define SHOWN_TEXT 512 /* bytes of a command line or checksum shown in a message */

/* `text` of this rank and of rank 0 (broadcast) into root_out; 1 if they differ.
 * Collective. */
static int differs_from_root(const char *text, uint64_t hash, char *root_out)
{
    uint64_t root_hash = hash;
    snprintf(root_out, SHOWN_TEXT, "%s", text);
    MPI_Bcast(&root_hash, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    MPI_Bcast(root_out, SHOWN_TEXT, MPI_CHAR, 0, MPI_COMM_WORLD);
    return root_hash != hash;
}

int cli_mpi_start(int argc, char *const *argv)
{
    int provided = 0, rank = 0, n_ranks = 0, mine = 0, any = 0;
    char shown[SHOWN_TEXT] = "", root[SHOWN_TEXT];
    if (!started_by_launcher()) {
        return 0;
    }
    if (cli_mpi_load() != 0) {
        return -1;
    }
    /* Only the main thread calls MPI; OpenMP threads inside a unit never do. */
    MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &n_ranks);
    /* Ranks started with other arguments (mpirun A : B) would call other collectives and
     * wait for each other forever: every rank must run rank 0's command. */
    for (int k = 0, w = 0; k < argc && w < SHOWN_TEXT - 1; ++k) {
        w += snprintf(shown + w, (size_t)(SHOWN_TEXT - w), k > 0 ? " %s" : "%s", argv[k]);
    }
    mine = differs_from_root(shown, args_hash(argc, argv), root);
    MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (mine) {
        fprintf(stderr, "popsim: rank %d of %d: error: started as 'popsim %s', rank 0 as "
                "'popsim %s': every rank of an MPI job must run the same command\n", rank,
                n_ranks, shown, root);
    }
    return any ? -1 : 0;
}

ps_status cli_mpi_same_text(cli_dist *d, const char *text, const char *what, ps_error *err)
{
    char root[SHOWN_TEXT];
    ps_status rc = PS_OK;
    if (differs_from_root(text, args_hash(1, (char *const *)&text), root)) {
        rc = ps_error_set(err, PS_EINVAL, "this rank read %s as %s, rank 0 as %s: every "
                          "rank must read the same (a path that differs between nodes?)",
                          what, text, root);
    }
    return cli_mpi_agree(d, rc, err);
}

void cli_mpi_stop(void)
{
    int started = 0, stopped = 0;
    MPI_Initialized(&started);
    MPI_Finalized(&stopped);
    if (started && !stopped) {
        MPI_Finalize();
    }
}

void cli_mpi_world(int *rank_out, int *n_ranks_out)
{
    int started = 0;
    *rank_out = 0;
    *n_ranks_out = 0;
    MPI_Initialized(&started);
    if (started) {
        MPI_Comm_rank(MPI_COMM_WORLD, rank_out);
        MPI_Comm_size(MPI_COMM_WORLD, n_ranks_out);
    }
}

#define ERROR_TEXT 2048 /* bytes of one rank's formatted error */

ps_status cli_mpi_agree(cli_dist *d, ps_status rc, ps_error *err)
{
    int mine = rc != PS_OK, any = 0;
    char text[ERROR_TEXT] = "";
    char *all = NULL;
    MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (!any) {
        return PS_OK;
    }
    if (mine && !d->peer_failed) { /* a rank that only followed another's failure is quiet */
        ps_error_format(err, text, sizeof text);
    }
    if (d->rank == 0 && (all = calloc((size_t)d->n_ranks, ERROR_TEXT)) == NULL) {
        fprintf(stderr, "popsim: error: out of memory for the errors of %d ranks\n",
                d->n_ranks);
    }
    MPI_Gather(text, ERROR_TEXT, MPI_CHAR, all, ERROR_TEXT, MPI_CHAR, 0, MPI_COMM_WORLD);
    for (int r = 0; all != NULL && r < d->n_ranks; ++r) {
        const char *e = &all[(size_t)r * ERROR_TEXT];
        if (e[0] != '\0') {
            fprintf(stderr, "popsim: rank %d of %d failed: %.*s\n", r, d->n_ranks,
                    ERROR_TEXT - 1, e);
        }
    }
    free(all);
    d->reported = 1;
    return mine ? rc : ps_error_set(err, PS_EINVAL, "another rank failed");
}

void cli_mpi_max(double *max_out, const double *values, int n)
{
    MPI_Reduce(values, max_out, n, MPI_DOUBLE, MPI_MAX, 0, MPI_COMM_WORLD);
}

static void send_unit(const ps_run *run, int k, ps_error *err)
{
    int member = 0, replicate = 0;
    void *bytes = NULL;
    size_t len = 0;
    ps_run_unit_at(run, k, &member, &replicate);
    const ps_status rc = ps_run_unit_get(&bytes, &len, run, member, replicate, err);
    cli_share_send(bytes, len, rc, err);
    free(bytes);
}

/* Receive unit k from `rank` and put it; the protocol is followed even after a failure. */
static ps_status recv_unit(ps_run *run, cli_share *s, int rank, int k, ps_status rc,
                           size_t *total, ps_error *err)
{
    char what[32];
    snprintf(what, sizeof what, "unit %d", k);
    rc = cli_share_recv(s, rank, what, rc, err);
    if (rc == PS_OK) {
        rc = ps_run_unit_put(run, s->bytes, s->len, NULL, NULL, err);
    }
    *total += s->len;
    return rc;
}

ps_status cli_mpi_gather(ps_run *run, cli_dist *d, ps_error *err)
{
    ps_status rc = PS_OK;
    size_t total = 0;
    int received = 0;
    cli_share s = CLI_SHARE_INIT;
    const int n_units = ps_run_n_units(run);
    if (d->rank > 0) {
        int first = 0, end = 0;
        ps_run_share(&first, &end, n_units, d->rank, d->n_ranks);
        for (int k = first; k < end; ++k) {
            send_unit(run, k, err);
        }
        return PS_OK;
    }
    for (int r = 1; r < d->n_ranks; ++r) {
        int first = 0, end = 0;
        ps_run_share(&first, &end, n_units, r, d->n_ranks);
        for (int k = first; k < end; ++k) {
            rc = recv_unit(run, &s, r, k, rc, &total, err);
            ++received;
        }
    }
    cli_share_release(&s);
    if (rc == PS_OK) {
        cli_log(d->quiet, "rank 0 received %zu bytes of %d units from %d ranks", total,
                received, d->n_ranks - 1);
    }
    return rc;
}

#else /* no MPI: a serial program */

int cli_mpi_start(int argc, char *const *argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

ps_status cli_mpi_same_text(cli_dist *d, const char *text, const char *what, ps_error *err)
{
    (void)d;
    (void)text;
    (void)what;
    (void)err;
    return PS_OK;
}

void cli_mpi_stop(void)
{
}

void cli_mpi_world(int *rank_out, int *n_ranks_out)
{
    *rank_out = 0;
    *n_ranks_out = 0;
}

ps_status cli_mpi_agree(cli_dist *d, ps_status rc, ps_error *err)
{
    (void)d;
    (void)err;
    return rc;
}

void cli_mpi_max(double *max_out, const double *values, int n)
{
    memcpy(max_out, values, (size_t)n * sizeof *values);
}

ps_status cli_mpi_gather(ps_run *run, cli_dist *d, ps_error *err)
{
    (void)run;
    (void)d;
    (void)err;
    return PS_OK;
}

#endif

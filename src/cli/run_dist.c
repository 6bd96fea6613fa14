/*
 * run_dist.c - the units of `popsim run` computed here, across MPI ranks, as one Slurm array
 * task, or read from part files by `popsim merge` (issue #15, docs/hpc.md). Shares are the
 * contiguous blocks of ps_run_share, for ranks and tasks alike, so a part file and a rank own
 * the same units for the same N. Whatever the way, the writer runs ps_run_finish and
 * ps_run_write on the same units, so its file equals the single run's.
 */
#include "run_dist.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "popsim/part.h"
#include "popsim/run_unit.h"
#include "popsim/version.h"

void cli_dist_init(cli_dist *d)
{
    memset(d, 0, sizeof *d);
    cli_mpi_world(&d->rank, &d->n_ranks);
}

void cli_dist_release(cli_dist *d)
{
    for (int k = 0; k < d->n_run_args; ++k) {
        free(d->run_args[k]);
    }
    d->n_run_args = 0;
}

static int add_arg(cli_dist *d, const char *text)
{
    if (d->n_run_args >= (int)(sizeof d->run_args / sizeof d->run_args[0])) {
        return -1;
    }
    size_t n = strlen(text) + 1;
    char *copy = malloc(n);
    if (copy == NULL) {
        return -1;
    }
    memcpy(copy, text, n);
    d->run_args[d->n_run_args++] = copy;
    return 0;
}

int cli_dist_set_run_args(cli_dist *d, const char *scenario, const char *elasticity,
                          const char *wpp_dir, int allow_large, int no_cache)
{
    /* As given, with the working directory beside them: a merge run from there resolves
     * them, and records the inputs' paths in /provenance, exactly as a single run would. */
    if (getcwd(d->workdir, sizeof d->workdir) == NULL) {
        fprintf(stderr, "popsim run: cannot read the working directory for the part file\n");
        return -1;
    }
    int bad = add_arg(d, scenario);
    if (elasticity != NULL) {
        bad = bad || add_arg(d, "--elasticity") || add_arg(d, elasticity);
    }
    if (wpp_dir != NULL) {
        bad = bad || add_arg(d, "--wpp-dir") || add_arg(d, wpp_dir);
    }
    if (allow_large) {
        bad = bad || add_arg(d, "--allow-large");
    }
    if (no_cache) {
        bad = bad || add_arg(d, "--no-cache");
    }
    if (bad) {
        fprintf(stderr, "popsim: error: out of memory\n");
    }
    return bad ? -1 : 0;
}

ps_status cli_dist_agree(cli_dist *d, ps_status rc, ps_error *err)
{
    return d->n_ranks > 0 ? cli_mpi_agree(d, rc, err) : rc;
}

int cli_dist_writes_file(const cli_dist *d)
{
    return d->n_tasks == 0 && !d->estimate && d->rank == 0;
}

/* ---- an array task: its share into a part file ------------------------------------------ */

static ps_status write_part(const ps_run *run, const cli_dist *d, int first, int end,
                            ps_error *err)
{
    ps_part p;
    ps_status rc = PS_OK;
    const int n = end - first;
    memset(&p, 0, sizeof p);
    snprintf(p.scenario_sha256, sizeof p.scenario_sha256, "%s",
             d->scenario_sha256 != NULL ? d->scenario_sha256 : "");
    ps_run_identity(p.identity, run);
    snprintf(p.git_commit, sizeof p.git_commit, "%s", ps_git_commit());
    snprintf(p.version, sizeof p.version, "%s", ps_version());
    snprintf(p.workdir, sizeof p.workdir, "%s", d->workdir);
    p.seed = ps_run_seed(run);
    p.n_units = ps_run_n_units(run);
    p.task = d->task;
    p.n_tasks = d->n_tasks;
    p.n_args = d->n_run_args;
    p.args = (char **)d->run_args;
    p.units = calloc((size_t)n + 1, sizeof *p.units);
    p.lens = calloc((size_t)n + 1, sizeof *p.lens);
    p.bytes = calloc((size_t)n + 1, sizeof *p.bytes);
    if (p.units == NULL || p.lens == NULL || p.bytes == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the part file");
    }
    for (int k = first; rc == PS_OK && k < end; ++k) {
        int member = 0, replicate = 0;
        void *bytes = NULL;
        ps_run_unit_at(run, k, &member, &replicate);
        rc = ps_run_unit_get(&bytes, &p.lens[p.n], run, member, replicate, err);
        p.bytes[p.n] = bytes;
        p.units[p.n++] = k;
    }
    if (rc == PS_OK) {
        rc = ps_part_write(d->part_path, &p, err);
    }
    for (int k = 0; p.bytes != NULL && k < p.n; ++k) {
        free(p.bytes[k]);
    }
    free(p.units);
    free(p.lens);
    free(p.bytes);
    return rc;
}

/* ---- a merge: every part's units into the run ------------------------------------------- */

/* PS_EINVAL at the part unless it was computed by this binary for this very run. */
static ps_status check_part(const ps_part *p, const char *path, const ps_run *run,
                            const cli_dist *d, ps_error *err)
{
    char identity[65];
    ps_run_identity(identity, run);
    if (strcmp(p->git_commit, ps_git_commit()) != 0 || strcmp(p->version, ps_version()) != 0) {
        return ps_error_set_at(err, PS_EINVAL, path, 0, 0, "computed by popsim %s (commit %s), "
                               "but this is popsim %s (commit %s); merge with the binary that "
                               "computed the parts", p->version, p->git_commit, ps_version(),
                               ps_git_commit());
    }
    if (strcmp(p->scenario_sha256, d->scenario_sha256 != NULL ? d->scenario_sha256 : "") != 0) {
        return ps_error_set_at(err, PS_EINVAL, path, 0, 0, "computed from a scenario file with "
                               "SHA-256 %.12s..., but '%s' now hashes to %.12s...; the scenario "
                               "changed since, so compute the parts again", p->scenario_sha256,
                               p->n_args > 0 ? p->args[0] : "?",
                               d->scenario_sha256 != NULL ? d->scenario_sha256 : "");
    }
    if (p->seed != ps_run_seed(run)) {
        return ps_error_set_at(err, PS_EINVAL, path, 0, 0, "computed with seed %llu, but the "
                               "run has seed %llu", p->seed, ps_run_seed(run));
    }
    if (strcmp(p->identity, identity) != 0 || p->n_units != ps_run_n_units(run)) {
        return ps_error_set_at(err, PS_EINVAL, path, 0, 0, "computed for another run of the "
                               "scenario (other options or input files: run identity %.12s... "
                               "with %d units, this run %.12s... with %d units)", p->identity,
                               p->n_units, identity, ps_run_n_units(run));
    }
    return PS_OK;
}

/* Put one part's units; owner[k] records which part holds unit k. */
static ps_status put_part(ps_run *run, const ps_part *p, int part_index, int *owner,
                          const cli_dist *d, ps_error *err)
{
    const char *path = d->parts[part_index];
    ps_status rc = PS_OK;
    for (int i = 0; rc == PS_OK && i < p->n; ++i) {
        const int k = p->units[i];
        int member = 0, replicate = 0, m = -1, r = -1;
        if (k < 0 || k >= ps_run_n_units(run)) {
            return ps_error_set_at(err, PS_EINVAL, path, 0, 0, "holds unit %d, outside the "
                                   "%d units of the run", k, ps_run_n_units(run));
        }
        if (owner[k] >= 0) {
            return ps_error_set_at(err, PS_EINVAL, path, 0, 0, "holds unit %d, which '%s' holds "
                                   "too: the parts overlap (give each task's part once)", k,
                                   d->parts[owner[k]]);
        }
        ps_run_unit_at(run, k, &member, &replicate);
        rc = ps_run_unit_put(run, p->bytes[i], p->lens[i], &m, &r, err);
        if (rc == PS_OK && (m != member || r != replicate)) {
            rc = ps_error_set(err, PS_EINVAL, "unit %d holds member %d, replicate %d instead of "
                              "member %d, replicate %d", k, m, r, member, replicate);
        }
        if (rc != PS_OK) {
            ps_error_prepend(err, "%s: ", path);
        }
        owner[k] = part_index;
    }
    return rc;
}

/* PS_EINVAL naming the first missing units and the tasks whose parts would hold them. */
static ps_status check_complete(const int *owner, int n_units, int n_tasks, ps_error *err)
{
    int missing = 0, first = -1, task = -1;
    for (int k = 0; k < n_units; ++k) {
        if (owner[k] < 0) {
            first = first < 0 ? k : first;
            ++missing;
        }
    }
    if (missing == 0) {
        return PS_OK;
    }
    for (int t = 0; t < n_tasks && task < 0; ++t) {
        int lo = 0, hi = 0;
        ps_run_share(&lo, &hi, n_units, t, n_tasks);
        task = first >= lo && first < hi ? t : -1;
    }
    return ps_error_set(err, PS_EINVAL, "the parts are incomplete: %d of the run's %d units "
                        "are missing, the first unit %d (the part of task %d of %d, counting "
                        "from 0); give every task's part file", missing, n_units, first, task,
                        n_tasks);
}

static ps_status merge_parts(ps_run *run, const cli_dist *d, ps_error *err)
{
    const int n_units = ps_run_n_units(run);
    int *owner = malloc((size_t)n_units * sizeof *owner + 1);
    int n_tasks = 0;
    ps_status rc = owner != NULL ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory");
    for (int k = 0; owner != NULL && k < n_units; ++k) {
        owner[k] = -1;
    }
    for (int i = 0; rc == PS_OK && i < d->n_parts; ++i) {
        ps_part p;
        rc = ps_part_read(&p, d->parts[i], err);
        if (rc == PS_OK) {
            rc = check_part(&p, d->parts[i], run, d, err);
        }
        if (rc == PS_OK) {
            n_tasks = p.n_tasks;
            rc = put_part(run, &p, i, owner, d, err);
        }
        ps_part_release(&p);
    }
    if (rc == PS_OK) {
        rc = check_complete(owner, n_units, n_tasks, err);
    }
    free(owner);
    return rc;
}

/* ---- the driver ------------------------------------------------------------------------- */

/* key=value lines for job scripts (docs/hpc.md): units, and one process's memory. */
static void print_estimate(const ps_run *run)
{
    const size_t bytes = ps_run_estimate_bytes(run);
    const size_t mib = (size_t)1 << 20;
    printf("units=%d\nmembers=%d\nreplicates=%d\n", ps_run_n_units(run), ps_run_n_members(run),
           ps_run_n_replicates(run));
    if (bytes == SIZE_MAX) {
        printf("memory_bytes=unknown\nmemory_mib=unknown\n");
    } else {
        printf("memory_bytes=%zu\nmemory_mib=%zu\n", bytes, (bytes + mib - 1) / mib);
    }
}

/* Rank 0 logs where the time went (scripts/bench_hpc.sh reads these lines): its own share,
 * waiting for the slowest rank, receiving the others' units, and finishing; and the largest
 * share of any rank in wall and CPU seconds (the CPU time does not count waiting for a core
 * of a loaded machine). */
static ps_status compute_mpi(ps_run *run, cli_dist *d, ps_status rc, ps_error *err)
{
    int first = 0, end = 0;
    double t[5] = { cli_now(), 0.0, 0.0, 0.0, 0.0 }, share[4] = { 0.0, 0.0, 0.0, 0.0 }, most[4];
    const clock_t cpu0 = clock();
    rc = cli_mpi_agree(d, rc, err); /* every rank built its run */
    if (rc == PS_OK) {
        ps_run_share(&first, &end, ps_run_n_units(run), d->rank, d->n_ranks);
        if (d->split_persons) { /* every rank takes part in every unit (micro_mpi.c) */
            first = 0;
            end = ps_run_n_units(run);
            if (d->rank == 0) {
                cli_log(d->quiet, "the persons of each of the %d microsimulation units are "
                        "split across %d ranks", end, d->n_ranks);
            }
        }
        d->split_computing = d->split_persons; /* cli_mpi_split_cancel agrees */
        rc = ps_run_compute_range(run, first, end, err);
        d->split_computing = 0;
        t[1] = cli_now();
        share[0] = t[1] - t[0];
        share[1] = (double)(clock() - cpu0) / CLOCKS_PER_SEC;
        share[2] = share[1] - d->coll_cpu_s; /* split persons: CPU outside the collectives */
        share[3] = d->coll_bytes;
        cli_mpi_max(most, share, 4);
        rc = cli_mpi_agree(d, rc, err); /* every rank computed its share */
    }
    t[2] = cli_now();
    if (rc == PS_OK && !d->split_persons) { /* split: every rank holds every result */
        rc = cli_mpi_gather(run, d, err);
    }
    t[3] = cli_now();
    if (rc == PS_OK && d->rank == 0) {
        rc = ps_run_finish(run, err);
        t[4] = cli_now();
        cli_log(d->quiet, "rank 0 of %d: units %d..%d of %d computed in %.3f s, waited %.3f s "
                "for the other ranks, gathered in %.3f s, finished in %.3f s", d->n_ranks,
                first, end - 1, ps_run_n_units(run), t[1] - t[0], t[2] - t[1], t[3] - t[2],
                t[4] - t[3]);
        cli_log(d->quiet, "the largest share of a rank took %.3f s (%.3f s of CPU)", most[0],
                most[1]);
        if (d->split_persons) { /* scripts/bench_micro_mpi.sh reads these */
            cli_log(d->quiet, "split persons: rank 0 spent %.3f s (%.3f s of CPU) in the "
                    "collectives; the largest CPU of a rank outside them was %.3f s; the "
                    "most bytes a rank sent was %.0f", d->coll_s, d->coll_cpu_s, most[2],
                    most[3]);
        }
    }
    return rc;
}

ps_status cli_dist_compute(ps_run *run, cli_dist *d, ps_status rc, ps_error *err)
{
    int first = 0, end = 0;
    if (d->estimate) { /* no unit is computed, so no rank waits for another */
        if (rc == PS_OK && d->rank == 0) {
            print_estimate(run);
        }
        return rc;
    }
    if (d->n_ranks > 0) {
        return compute_mpi(run, d, rc, err);
    }
    if (rc != PS_OK) {
        return rc;
    }
    if (d->n_parts > 0) {
        rc = merge_parts(run, d, err);
        return rc == PS_OK ? ps_run_finish(run, err) : rc;
    }
    if (d->n_tasks > 0) {
        ps_run_share(&first, &end, ps_run_n_units(run), d->task, d->n_tasks);
        rc = ps_run_compute_range(run, first, end, err);
        if (rc == PS_OK) {
            rc = write_part(run, d, first, end, err);
        }
        if (rc == PS_OK) {
            cli_log(d->quiet, "wrote %s: units %d..%d of %d (task %d of %d)", d->part_path,
                    first, end - 1, ps_run_n_units(run), d->task, d->n_tasks);
        }
        return rc;
    }
    rc = ps_run_compute_range(run, 0, ps_run_n_units(run), err);
    return rc == PS_OK ? ps_run_finish(run, err) : rc;
}

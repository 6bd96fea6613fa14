/*
 * run_scn_prob_mpi.c - `mpirun -np N popsim run SCENARIO` with `uncertainty:` (issue #15 for
 * issue #14, sec. 2): the trajectories are dealt over the ranks in the blocks of the ensemble
 * (PS_PROB_UNIT_TRAJ, ps_run_share: rank r computes the r-th contiguous share of the blocks),
 * for the ensemble itself, the services of each trajectory and the policy family with each
 * member's services; the ensemble's quantile rows are split over the ranks
 * (cli_prob_gather_finish) and rank 0 receives the other ranks' services and policy values
 * (here), summarises and writes the file. A trajectory depends only on its index, and every
 * summary is taken over every trajectory in order, so the file's datasets are the serial
 * run's for any N and any thread count.
 */
#include "scn_prob_cli.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "mpi_share.h"
#include "prob_mpi.h"
#include "popsim/prob_family.h"
#include "popsim/run_unit.h"

void cli_scn_prob_traj_share(int *first_out, int *end_out, int n_traj, const cli_dist *d)
{
    const int n_units = (n_traj + PS_PROB_UNIT_TRAJ - 1) / PS_PROB_UNIT_TRAJ;
    int u0 = 0, u1 = n_units;
    cli_prob_share(&u0, &u1, n_units, d);
    *first_out = u0 * PS_PROB_UNIT_TRAJ < n_traj ? u0 * PS_PROB_UNIT_TRAJ : n_traj;
    *end_out = u1 * PS_PROB_UNIT_TRAJ < n_traj ? u1 * PS_PROB_UNIT_TRAJ : n_traj;
}

/* Doubles of n trajectories of everything gathered here. */
static size_t share_doubles(const ps_svc_prob *sp, ps_svc_prob *const *vsvc, int n_members,
                            const ps_prob_pol_summary *pol, int n)
{
    size_t len = sp != NULL ? ps_svc_prob_traj_doubles(sp, n) : 0;
    len += pol != NULL ? ps_prob_family_traj_doubles(pol, n) : 0;
    for (int m = 0; vsvc != NULL && m < n_members; ++m) {
        len += vsvc[m] != NULL ? ps_svc_prob_traj_doubles(vsvc[m], n) : 0;
    }
    return len;
}

/* get (put 0) or put (put 1) trajectories first .. first + n - 1 of everything. */
static ps_status share_copy(ps_svc_prob *sp, ps_svc_prob *const *vsvc, int n_members,
                            ps_prob_pol_summary *pol, int first, int n, double *buf, int put,
                            ps_error *err)
{
    ps_status rc = PS_OK;
    size_t at = 0;
    if (sp != NULL) {
        rc = put ? ps_svc_prob_traj_put(sp, first, n, buf, err)
                 : ps_svc_prob_traj_get(sp, first, n, buf, err);
        at += ps_svc_prob_traj_doubles(sp, n);
    }
    if (rc == PS_OK && pol != NULL) {
        rc = put ? ps_prob_family_traj_put(pol, first, n, buf + at, err)
                 : ps_prob_family_traj_get(pol, first, n, buf + at, err);
        at += ps_prob_family_traj_doubles(pol, n);
    }
    for (int m = 0; rc == PS_OK && vsvc != NULL && m < n_members; ++m) {
        if (vsvc[m] != NULL) {
            rc = put ? ps_svc_prob_traj_put(vsvc[m], first, n, buf + at, err)
                     : ps_svc_prob_traj_get(vsvc[m], first, n, buf + at, err);
            at += ps_svc_prob_traj_doubles(vsvc[m], n);
        }
    }
    return rc;
}

#ifdef PS_HAVE_MPI
#include "mpi_dl.h" /* MPI through the popsim-mpi plugin */

ps_status cli_scn_prob_gather(ps_svc_prob *sp, ps_svc_prob *const *vsvc, int n_members,
                              ps_prob_pol_summary *pol, int n_traj, const cli_dist *d,
                              ps_error *err)
{
    ps_status rc = PS_OK;
    size_t total = 0;
    const double t0 = cli_now();
    if (d->rank > 0) {
        int first = 0, end = 0;
        cli_scn_prob_traj_share(&first, &end, n_traj, d);
        const int n = end - first;
        if (n < 1) {
            return PS_OK;
        }
        const size_t len = share_doubles(sp, vsvc, n_members, pol, n);
        double *buf = malloc((len > 0 ? len : 1) * sizeof *buf);
        const ps_status got = buf != NULL
                                  ? share_copy(sp, vsvc, n_members, pol, first, n, buf, 0, err)
                                  : ps_error_set(err, PS_ENOMEM, "out of memory for %zu "
                                                 "values", len);
        cli_share_send(buf, len * sizeof *buf, got, err);
        free(buf);
        return PS_OK; /* rank 0 reports a share that could not be sent */
    }
    cli_share s = CLI_SHARE_INIT;
    for (int r = 1; r < d->n_ranks; ++r) {
        const cli_dist other = { .rank = r, .n_ranks = d->n_ranks };
        int first = 0, end = 0;
        char what[96];
        cli_scn_prob_traj_share(&first, &end, n_traj, &other);
        const int n = end - first;
        if (n < 1) {
            continue;
        }
        const size_t len = share_doubles(sp, vsvc, n_members, pol, n);
        snprintf(what, sizeof what, "the services and policy values of trajectories %d..%d",
                 first, end - 1);
        rc = cli_share_recv(&s, r, what, rc, err);
        if (rc == PS_OK && s.len != len * sizeof(double)) {
            rc = ps_error_set(err, PS_EINVAL, "rank %d sent %zu bytes for %s, expected %zu", r,
                              s.len, what, len * sizeof(double));
        }
        if (rc == PS_OK) {
            rc = share_copy(sp, vsvc, n_members, pol, first, n, (double *)(void *)s.bytes, 1,
                            err);
        }
        total += s.len;
    }
    cli_share_release(&s);
    if (rc == PS_OK) {
        cli_log(d->quiet, "rank 0 received %zu bytes of services and policy values from %d "
                "ranks in %.3f s", total, d->n_ranks - 1, cli_now() - t0);
    }
    return rc;
}

#else /* no MPI: never more than one rank */

ps_status cli_scn_prob_gather(ps_svc_prob *sp, ps_svc_prob *const *vsvc, int n_members,
                              ps_prob_pol_summary *pol, int n_traj, const cli_dist *d,
                              ps_error *err)
{
    (void)sp;
    (void)vsvc;
    (void)n_members;
    (void)pol;
    (void)n_traj;
    (void)d;
    (void)err;
    (void)share_doubles;
    (void)share_copy;
    return PS_OK;
}

#endif

/*
 * cmd_run_scn_prob.c - `popsim run SCENARIO` for a scenario with `uncertainty:` (issue #14,
 * sec. 1): the trajectories go around the scenario's own deterministic paths (bounds from
 * popsim/uncertainty.h), and the quantiles and means are written in the probabilistic file
 * layout of `popsim run --location X --trajectories N` (docs/output-format.md). With policy
 * variants (sec. 2) the family runs on every trajectory too (popsim/prob_family.h) and the
 * file gets each variant's births gained and cost per additional birth.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "prob_mpi.h"
#include "scn_prob_cli.h"
#include "signals.h"
#include "popsim/h5prob.h"
#include "popsim/svc_prob.h"
#include "popsim/prob_family.h"
#include "popsim/uncertainty.h"

/* The scenario's services per trajectory (popsim/svc_prob.h): *out stays NULL without. */
static ps_status services_new(ps_svc_prob **out, const ps_scenario *scn, const ps_prob *p,
                              const ps_inputs *in, ps_error *err)
{
    const ps_scn_member *m = &scn->members[0];
    *out = NULL;
    if (m->n_services < 1) {
        return PS_OK;
    }
    return ps_svc_prob_new(out, m->services, m->n_services, &scn->care_need,
                           in->region_names[0], ps_prob_start_year(p), ps_prob_n_years(p),
                           in->n_ages, ps_prob_n_traj(p), err);
}

/* After unit u: its trajectories' services. */
static ps_status services_add(ps_svc_prob *sp, const ps_prob *p, int u, ps_error *err)
{
    int lanes = 0;
    const double *pop = ps_prob_unit_population(p, u, &lanes);
    return sp == NULL ? PS_OK : ps_svc_prob_add(sp, pop, u * PS_PROB_UNIT_TRAJ, lanes, err);
}

/* P(shortage) of each service with a target at the first and last year. */
static void print_services(const ps_svc_prob *sp)
{
    const int last = ps_svc_prob_n_years(sp) - 1, y0 = ps_svc_prob_start_year(sp);
    for (int k = 0; k < ps_svc_prob_n_services(sp); ++k) {
        const double *ps = ps_svc_prob_p_shortage(sp, k);
        const double *d = ps_svc_prob_stats(sp, k, PS_SVC_PROB_DEMAND);
        printf("  %-20s median demand %d: %.0f, %d: %.0f", ps_svc_prob_name(sp, k), y0,
               d[PS_PROB_KNOT_MEDIAN], y0 + last,
               d[(size_t)last * PS_PROB_N_STATS + PS_PROB_KNOT_MEDIAN]);
        if (!isnan(ps[last])) {
            printf("; P(shortage) %d: %.0f %%", y0 + last, 100.0 * ps[last]);
        }
        putchar('\n');
    }
}

static void print_table(const ps_prob *p, const char *name)
{
    const double *st = ps_prob_stats(p, PS_PROB_V_POP_TOTAL);
    const double *tfr = ps_prob_stats(p, PS_PROB_V_TFR);
    const int n = ps_prob_n_years(p), step = n > 40 ? 10 : 5;
    printf("%s: %d trajectories; total population (1 July) and TFR\n", name, ps_prob_n_traj(p));
    printf("  year         2.5%%          10%%       median          90%%        97.5%%   "
           "TFR 10%%-90%%\n");
    for (int y = 0; y < n; y += (y + step < n || y == n - 1) ? step : n - 1 - y) {
        const double *s = st + (size_t)y * PS_PROB_N_STATS;
        const double *t = tfr + (size_t)y * PS_PROB_N_STATS;
        printf("  %d %12.0f %12.0f %12.0f %12.0f %12.0f   %.2f-%.2f\n",
               ps_prob_start_year(p) + y, s[0], s[1], s[2], s[3], s[4], t[1], t[3]);
        if (y == n - 1) {
            break;
        }
    }
}

/* Policy variants (issue #14, sec. 2): births gained and cost per additional birth, 80 %. */
static void print_policy(const ps_prob_pol_summary *pol)
{
    printf("\npolicy variants against the baseline, median and 80 %% interval over %d "
           "trajectories:\n", pol->n_traj);
    for (int v = 0; v < pol->n_variants; ++v) {
        const double *g = pol->scalar[PS_PROB_POL_GAINED_TOTAL] + v * PS_PROB_N_STATS;
        const double *c = pol->scalar[PS_PROB_POL_CPB] + v * PS_PROB_N_STATS;
        printf("  %-24s births gained %.0f (%.0f to %.0f); yuan per additional birth "
               "%.0f (%.0f to %.0f)\n", pol->names[v], g[2], g[1], g[3], c[2], c[1], c[3]);
    }
}

/* The family on every trajectory, with the same seed and persistences as the ps_prob run;
 * with vsvc ([n_members], entry 0 NULL) each variant's services too. */
static ps_status run_policy(ps_prob_pol_summary *pol, const cli_scn_prob *a,
                            const ps_prob_bounds *b, const ps_prob_options *po,
                            ps_svc_prob *const *vsvc, int quiet, ps_error *err)
{
    ps_prob_family_options fo = PS_PROB_FAMILY_OPTIONS_INIT;
    fo.n_traj = po->n_traj;
    fo.seed = po->seed;
    fo.n_threads = a->n_threads;
    memcpy(fo.rho, po->rho, sizeof fo.rho);
    fo.draw_elasticity = !a->scn->uncertainty.elasticity_fixed;
    fo.elasticity = a->elasticity;
    fo.history = a->history;
    fo.services = vsvc;
    if (a->dist != NULL && a->dist->n_ranks > 1) { /* MPI: this rank's share (issue #15) */
        const int n_traj = po->n_traj > 0 ? po->n_traj : PS_PROB_TRAJ_DEFAULT;
        cli_scn_prob_traj_share(&fo.traj_first, &fo.traj_end, n_traj, a->dist);
        fo.share = 1; /* possibly empty: more ranks than blocks */
    }
    const double t0 = cli_now();
    ps_status rc = ps_prob_family_run(pol, a->scn, a->in, b, &fo, err);
    if (rc == PS_OK) {
        cli_log(quiet, "projected %d policy variant%s on %d trajectories in %.3f s",
                pol->n_variants, pol->n_variants == 1 ? "" : "s",
                fo.share ? fo.traj_end - fo.traj_first : pol->n_traj, cli_now() - t0);
    }
    return rc;
}

ps_status cli_run_scn_prob(const cli_scn_prob *a, ps_error *err)
{
    const ps_scenario *scn = a->scn;
    ps_prob_bounds b;
    ps_prob_options po = PS_PROB_OPTIONS_INIT;
    ps_prob *p = NULL;
    ps_svc_prob *sp = NULL;
    ps_prob_pol_summary pol;
    ps_svc_prob **vsvc = NULL; /* each variant's services (issue #14, sec. 2) */
    memset(&pol, 0, sizeof pol);
    double t0 = cli_now();
    /* under MPI (issue #15) each rank computes its share of the trajectories and rank 0
     * gathers, summarises, writes and prints (run_scn_prob_mpi.c) */
    cli_dist *d = a->dist;
    const int mpi = d != NULL && d->n_ranks > 1, writes = !mpi || d->rank == 0;
    const int quiet = a->quiet || !writes;
    po.n_threads = a->n_threads;
    ps_status rc = ps_scn_unc_bounds(&b, &po, scn, a->in, err);
    po.keep_population = scn->members[0].n_services > 0; /* services_add reads every year */
    if (rc == PS_OK) {
        rc = ps_prob_new(&p, a->in, &b, &po, err);
    }
    /* with policy variants the family's runs give every member's services, the baseline's
     * too, so that a variant's differ from the baseline's only by its policy */
    const int family_svc = scn->n_members > 1 && scn->members[0].n_services > 0;
    if (rc == PS_OK && !family_svc) {
        rc = services_new(&sp, scn, p, a->in, err);
    }
    int u0 = 0, u1 = rc == PS_OK ? ps_prob_n_units(p) : 0;
    if (rc == PS_OK) {
        cli_prob_share(&u0, &u1, ps_prob_n_units(p), mpi ? d : NULL);
    }
    for (int u = u0; rc == PS_OK && u < u1; ++u) {
        rc = cli_check_interrupt(err);
        if (rc == PS_OK) {
            rc = ps_prob_unit(p, u, err);
        }
        if (rc == PS_OK) {
            rc = services_add(sp, p, u, err);
        }
    }
    if (rc == PS_OK && family_svc) {
        rc = cli_variant_svc_new(&vsvc, scn, a->in, p, err);
    }
    if (rc == PS_OK && scn->n_members > 1) {
        rc = run_policy(&pol, a, &b, &po, vsvc, quiet, err);
    }
    if (mpi) { /* every rank computed its share; rank 0 receives the others' */
        rc = cli_mpi_agree(d, rc, err);
        if (rc == PS_OK) { /* both gathers run on every rank, so no send waits forever */
            ps_error err2;
            ps_error_clear(&err2);
            rc = cli_prob_gather_finish(p, 0, d, err); /* rank 0's p is finished */
            const ps_status rc2 = cli_scn_prob_gather(sp, vsvc, scn->n_members,
                                                      scn->n_members > 1 ? &pol : NULL,
                                                      ps_prob_n_traj(p), d, &err2);
            if (rc == PS_OK && rc2 != PS_OK) {
                *err = err2;
                rc = rc2;
            }
        }
        if (rc == PS_OK && !writes) {
            goto done; /* the other ranks' part ends here */
        }
    }
    if (rc == PS_OK && !mpi) {
        rc = ps_prob_finish(p, err);
    }
    if (rc == PS_OK && sp != NULL) {
        rc = ps_svc_prob_finish(sp, err);
    }
    if (rc == PS_OK && mpi && scn->n_members > 1) {
        rc = ps_prob_family_finish(&pol, 0, err);
    }
    if (rc == PS_OK && vsvc != NULL) {
        rc = cli_variant_svc_finish(vsvc, scn->n_members, err);
    }
    const ps_svc_prob *top_svc = vsvc != NULL ? vsvc[0] : sp;
    if (rc == PS_OK) {
        cli_log(quiet, "projected %d trajectories of %d years in %.3f s", ps_prob_n_traj(p),
                ps_prob_n_years(p) - 1, cli_now() - t0);
        const char *label = a->in->region_names[0];
        const ps_provenance prov = { .scenario_path = scn->path,
                                     .scenario_sha256 = scn->sha256,
                                     .command_line = a->command_line,
                                     .data_source = a->source, .seed = po.seed,
                                     .threads = a->n_threads, .inputs = a->inputs,
                                     .n_inputs = a->n_inputs,
                                     .mpi_ranks = d != NULL ? d->n_ranks : 0 };
        const ps_h5_prob_spec spec = { .group = scn->name,
                                       .title = scn->title != NULL ? scn->title : scn->name,
                                       .dim = "region", .labels = &label, .codes = NULL,
                                       .trajectories = 0, .services = top_svc,
                                       .policy = scn->n_members > 1 ? &pol : NULL,
                                       .variant_services =
                                           vsvc != NULL ? (const ps_svc_prob *const *)vsvc + 1
                                                        : NULL };
        cli_remove_stale_temps(a->out_path, quiet);
        t0 = cli_now();
        rc = ps_h5_write_prob(a->out_path, (const ps_prob *const *)&p, 1, &spec, &prov, err);
    }
    if (rc == PS_OK) {
        cli_log(quiet, "wrote %s in %.3f s", a->out_path, cli_now() - t0);
        if (!quiet) {
            print_table(p, scn->name);
            if (top_svc != NULL) {
                print_services(top_svc);
            }
            if (scn->n_members > 1) {
                print_policy(&pol);
            }
        }
    }
done:
    ps_svc_prob_free(sp);
    cli_variant_svc_free(vsvc, scn->n_members);
    ps_prob_free(p);
    ps_prob_pol_summary_release(&pol);
    ps_prob_bounds_release(&b);
    return rc;
}

/*
 * popsim/svc_prob.h - services under uncertainty (issue #14, sec. 2): each trajectory of a
 * probabilistic run (popsim/prob.h) gets its own services, computed by ps_services_compute
 * from that trajectory's single-age population, and the trajectories are summarised as
 * quantiles and means of demand, capacity, shortage and staff, and as P(shortage), the share
 * of trajectories whose places needed exceed the capacity target (docs/services.md, sec. 10).
 *
 * The caller owns the loop: after each ps_prob_unit it hands the unit's populations
 * (ps_prob_unit_population, kept with ps_prob_options.keep_population) to ps_svc_prob_add,
 * which keeps only each trajectory's totals by service and year, never the single-age
 * arrays. A trajectory's services depend only on
 * its population, so the summaries are the same bytes for any thread count.
 */
#ifndef PS_SVC_PROB_H
#define PS_SVC_PROB_H

#include "popsim/error.h"
#include "popsim/prob.h"
#include "popsim/services.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What is summarised per service and year (all regions of the run, which has one). */
typedef enum ps_svc_prob_var {
    PS_SVC_PROB_DEMAND,   /* users, persons */
    PS_SVC_PROB_CAPACITY, /* places implied by the target; NaN without a target */
    PS_SVC_PROB_SHORTAGE, /* max(0, demand / occupancy - capacity), places */
    PS_SVC_PROB_STAFF,    /* staff to serve the demand, persons */
    PS_SVC_PROB_VAR_COUNT
} ps_svc_prob_var;

/** "demand", "capacity", "shortage", "staff". */
const char *ps_svc_prob_var_name(ps_svc_prob_var v);

typedef struct ps_svc_prob ps_svc_prob; /* opaque; src/engine/svc_prob.c */

/**
 * Prepare the services of a probabilistic run: n_years 1 July states from start_year,
 * single ages 0..n_ages-1, n_traj trajectories, one region named `region`. The services and
 * the care-need model are copied.
 * @return PS_OK; PS_EINVAL (no service, shapes, or what ps_services_validate finds);
 *         PS_ENOMEM
 */
ps_status ps_svc_prob_new(ps_svc_prob **out, const ps_service *svc, int n_svc,
                          const ps_care_need *cn, const char *region, int start_year,
                          int n_years, int n_ages, int n_traj, ps_error *err);

/**
 * The services of trajectories first .. first + n_lanes - 1 from their populations
 * pop[year][sex][age][lane] (ps_prob_unit_population's layout). Trajectories may come in any
 * order, each once.
 * @return PS_OK; PS_EINVAL (out of range, after ps_svc_prob_finish); what
 *         ps_services_compute returns (a stock file's district that is not the region)
 */
ps_status ps_svc_prob_add(ps_svc_prob *sp, const double *pop, int first, int n_lanes,
                          ps_error *err);

/**
 * The services of trajectory `traj` from a whole projection of it (a policy family member's
 * result on the trajectory's inputs, popsim/prob_family.h): ps_services_compute on r (which
 * gets its services), its totals kept. Calls for different trajectories may run at once in
 * different threads; each trajectory once.
 * @return PS_OK; PS_EINVAL (out of range, added twice, after the finish, another shape);
 *         what ps_services_compute returns
 */
ps_status ps_svc_prob_add_result(ps_svc_prob *sp, ps_result *r, int traj, ps_error *err);

/** After every trajectory: quantiles, means and P(shortage).
 * @return PS_OK; PS_EINVAL if a trajectory is missing; PS_ENOMEM */
ps_status ps_svc_prob_finish(ps_svc_prob *sp, ps_error *err);

int ps_svc_prob_n_services(const ps_svc_prob *sp);
int ps_svc_prob_n_years(const ps_svc_prob *sp);
int ps_svc_prob_start_year(const ps_svc_prob *sp);
int ps_svc_prob_n_traj(const ps_svc_prob *sp);

/** Name, title (the name when the scenario gives none) and kind of service k; borrowed. */
const char *ps_svc_prob_name(const ps_svc_prob *sp, int k);
const char *ps_svc_prob_title(const ps_svc_prob *sp, int k);
ps_svc_kind ps_svc_prob_kind(const ps_svc_prob *sp, int k);

/** After ps_svc_prob_finish: [year][stat] of service k's variable v, stat 0..4 the quantiles
 * (ps_prob_level), 5 the mean; NaN where undefined (capacity and shortage without a target).
 * Borrowed; NULL before the finish. */
const double *ps_svc_prob_stats(const ps_svc_prob *sp, int k, ps_svc_prob_var v);

/** After ps_svc_prob_finish: [year] share of trajectories whose places needed exceed the
 * capacity (shortage > 0), in [0, 1]; NaN without a target. Borrowed; NULL before. */
const double *ps_svc_prob_p_shortage(const ps_svc_prob *sp, int k);

/** Every trajectory of service k's variable v, [year][traj]; borrowed; NULL after the
 * finish (the summaries are all that is kept). */
const double *ps_svc_prob_trajectories(const ps_svc_prob *sp, int k, ps_svc_prob_var v);

/* ---- between MPI ranks (issue #15; src/cli/run_scn_prob_mpi.c) ------------------------ */

/** Doubles of n trajectories' totals (every service, variable and year). */
size_t ps_svc_prob_traj_doubles(const ps_svc_prob *sp, int n);

/** Trajectories first .. first + n - 1, every one added, into buf[ps_svc_prob_traj_doubles].
 * @return PS_OK; PS_EINVAL (out of range, not added, after the finish) */
ps_status ps_svc_prob_traj_get(const ps_svc_prob *sp, int first, int n, double *buf,
                               ps_error *err);

/** Trajectories computed elsewhere (ps_svc_prob_traj_get's buf) put in and counted as added.
 * @return PS_OK; PS_EINVAL (out of range, added already, after the finish) */
ps_status ps_svc_prob_traj_put(ps_svc_prob *sp, int first, int n, const double *buf,
                               ps_error *err);

void ps_svc_prob_free(ps_svc_prob *sp); /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif /* PS_SVC_PROB_H */

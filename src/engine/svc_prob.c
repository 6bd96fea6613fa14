/*
 * svc_prob.c - services under uncertainty (popsim/svc_prob.h, docs/services.md sec. 10):
 * every trajectory's services by ps_services_compute on that trajectory's single-age
 * population, so a trajectory equal to the deterministic run has exactly its services; the
 * totals by service, variable and year are kept per trajectory and summarised like the
 * population (R's type-7 quantiles, ps_prob_sample_quantile; the mean), and P(shortage) is
 * the share of trajectories with a shortage (places needed above the capacity target).
 * Trajectories are computed one after the other in the caller's thread, so the result does
 * not depend on the thread count of the projection.
 */
#include "popsim/svc_prob.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quantiles_int.h"

struct ps_svc_prob {
    int n_svc, start_year, n_years, n_ages, n_traj, n_added, finished;
    ps_service *svc;      /* [n_svc] copies */
    ps_care_need cn;      /* copy; n_levels 0 = none */
    ps_result scratch;    /* one trajectory's population; its services are recomputed */
    unsigned char *added; /* [traj] */
    double *traj;         /* [svc][var][year][traj] */
    double *stats;        /* [svc][var][year][stat] */
    double *p_short;      /* [svc][year] */
};

const char *ps_svc_prob_var_name(ps_svc_prob_var v)
{
    static const char *const names[PS_SVC_PROB_VAR_COUNT] = { "demand", "capacity", "shortage",
                                                              "staff" };
    return (unsigned)v < PS_SVC_PROB_VAR_COUNT ? names[v] : "unknown";
}

static size_t row_of(const ps_svc_prob *sp, int k, ps_svc_prob_var v)
{
    return ((size_t)k * PS_SVC_PROB_VAR_COUNT + (size_t)v) * (size_t)sp->n_years;
}

void ps_svc_prob_free(ps_svc_prob *sp)
{
    if (sp == NULL) {
        return;
    }
    for (int k = 0; sp->svc != NULL && k < sp->n_svc; ++k) {
        ps_service_release(&sp->svc[k]);
    }
    free(sp->svc);
    ps_care_need_release(&sp->cn);
    ps_result_release(&sp->scratch);
    free(sp->added);
    free(sp->traj);
    free(sp->stats);
    free(sp->p_short);
    free(sp);
}

static ps_status copy_model(ps_svc_prob *sp, const ps_service *svc, const ps_care_need *cn,
                            ps_error *err)
{
    ps_status rc = PS_OK;
    if ((sp->svc = calloc((size_t)sp->n_svc, sizeof *sp->svc)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for %d services", sp->n_svc);
    }
    for (int k = 0; rc == PS_OK && k < sp->n_svc; ++k) {
        rc = ps_service_copy(&sp->svc[k], &svc[k], err);
    }
    if (rc == PS_OK && cn != NULL && cn->n_levels > 0) {
        rc = ps_care_need_copy(&sp->cn, cn, err);
    }
    return rc;
}

ps_status ps_svc_prob_new(ps_svc_prob **out, const ps_service *svc, int n_svc,
                          const ps_care_need *cn, const char *region, int start_year,
                          int n_years, int n_ages, int n_traj, ps_error *err)
{
    *out = NULL;
    if (n_svc < 1 || n_years < 2 || n_ages < 2 || n_traj < 1) {
        return ps_error_set(err, PS_EINVAL, "services under uncertainty: expected at least one "
                            "service, 2 years, 2 ages and 1 trajectory (got %d, %d, %d, %d)",
                            n_svc, n_years, n_ages, n_traj);
    }
    ps_status rc = ps_services_validate(svc, n_svc, cn, n_ages, err);
    if (rc != PS_OK) {
        return rc;
    }
    ps_svc_prob *sp = calloc(1, sizeof *sp);
    if (sp == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for services under uncertainty");
    }
    sp->n_svc = n_svc;
    sp->start_year = start_year;
    sp->n_years = n_years;
    sp->n_ages = n_ages;
    sp->n_traj = n_traj;
    const size_t rows = (size_t)n_svc * PS_SVC_PROB_VAR_COUNT * (size_t)n_years;
    sp->added = calloc((size_t)n_traj, 1);
    sp->traj = malloc(rows * (size_t)n_traj * sizeof *sp->traj);
    if (sp->added == NULL || sp->traj == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the services of %d trajectories",
                          n_traj);
    }
    if (rc == PS_OK) {
        rc = copy_model(sp, svc, cn, err);
    }
    const char *names[1] = { region };
    if (rc == PS_OK) {
        rc = ps_result_init(&sp->scratch, "trajectory", NULL, start_year, n_years, 1, n_ages,
                            region != NULL ? names : NULL, err);
    }
    if (rc != PS_OK) {
        ps_svc_prob_free(sp);
        return rc;
    }
    *out = sp;
    return PS_OK;
}

/* One trajectory's service totals (of r, sp->scratch or the caller's) into its column of
 * sp->traj. */
static void keep_trajectory(ps_svc_prob *sp, const ps_result *r, int traj)
{
    for (int k = 0; k < sp->n_svc; ++k) {
        const ps_svc_result *o = &r->services[k];
        const double *from[PS_SVC_PROB_VAR_COUNT] = { o->demand, o->capacity, o->shortage,
                                                      o->staff };
        for (int v = 0; v < PS_SVC_PROB_VAR_COUNT; ++v) {
            double *to = sp->traj + row_of(sp, k, (ps_svc_prob_var)v) * (size_t)sp->n_traj;
            for (int y = 0; y < sp->n_years; ++y) {
                /* one region: cell (y, 0) is index y */
                to[(size_t)y * (size_t)sp->n_traj + (size_t)traj] = from[v][y];
            }
        }
    }
}

ps_status ps_svc_prob_add(ps_svc_prob *sp, const double *pop, int first, int n_lanes,
                          ps_error *err)
{
    if (sp->finished || first < 0 || n_lanes < 1 || first > sp->n_traj - n_lanes) {
        return ps_error_set(err, PS_EINVAL, "services of trajectories %d..%d: expected "
                            "trajectories within 0..%d before the summary", first,
                            first + n_lanes - 1, sp->n_traj - 1);
    }
    const int A = sp->n_ages;
    const size_t N = (size_t)n_lanes, per_year = (size_t)PS_SEX_COUNT * (size_t)A * N;
    ps_result *r = &sp->scratch;
    ps_status rc = PS_OK;
    for (int j = 0; rc == PS_OK && j < n_lanes; ++j) {
        if (sp->added[first + j]) {
            rc = ps_error_set(err, PS_EINVAL, "services of trajectory %d: added twice",
                              first + j);
            break;
        }
        for (int y = 0; y < sp->n_years; ++y) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                const double *row = pop + (size_t)y * per_year + (size_t)sex * (size_t)A * N;
                double *to = &r->population[ps_result_cell(r, y, 0, sex, 0)];
                for (int age = 0; age < A; ++age) {
                    to[age] = row[(size_t)age * N + (size_t)j];
                }
            }
        }
        rc = ps_services_compute(r, sp->svc, sp->n_svc, sp->cn.n_levels > 0 ? &sp->cn : NULL,
                                 err);
        if (rc != PS_OK) {
            ps_error_prepend(err, "services of trajectory %d: ", first + j);
            break;
        }
        keep_trajectory(sp, r, first + j);
        sp->added[first + j] = 1;
        sp->n_added++;
    }
    return rc;
}

ps_status ps_svc_prob_add_result(ps_svc_prob *sp, ps_result *r, int traj, ps_error *err)
{
    if (sp->finished || traj < 0 || traj >= sp->n_traj || r->n_regions != 1 ||
        r->n_years != sp->n_years || r->start_year != sp->start_year || r->n_ages != sp->n_ages) {
        return ps_error_set(err, PS_EINVAL, "services of trajectory %d: expected a trajectory "
                            "within 0..%d before the summary and a result of one region, %d "
                            "years from %d and %d ages", traj, sp->n_traj - 1, sp->n_years,
                            sp->start_year, sp->n_ages);
    }
    if (sp->added[traj]) {
        return ps_error_set(err, PS_EINVAL, "services of trajectory %d: added twice", traj);
    }
    ps_status rc = ps_services_compute(r, sp->svc, sp->n_svc,
                                       sp->cn.n_levels > 0 ? &sp->cn : NULL, err);
    if (rc != PS_OK) {
        ps_error_prepend(err, "services of trajectory %d: ", traj);
        return rc;
    }
    keep_trajectory(sp, r, traj); /* its own column: threads of other trajectories do not meet */
    sp->added[traj] = 1;
#pragma omp atomic
    sp->n_added++;
    return PS_OK;
}

/* Share of trajectories with a shortage; NaN if any trajectory has no capacity. */
static double shortage_share(const double *shortage, int T)
{
    int short_n = 0;
    for (int t = 0; t < T; ++t) {
        if (isnan(shortage[t])) {
            return NAN;
        }
        short_n += shortage[t] > 0.0;
    }
    return (double)short_n / T;
}

ps_status ps_svc_prob_finish(ps_svc_prob *sp, ps_error *err)
{
    if (sp->finished || sp->n_added != sp->n_traj) {
        return ps_error_set(err, PS_EINVAL, "services of %d of %d trajectories are computed",
                            sp->n_added, sp->n_traj);
    }
    const int T = sp->n_traj, Y = sp->n_years;
    const size_t rows = (size_t)sp->n_svc * PS_SVC_PROB_VAR_COUNT * (size_t)Y;
    double *buf = malloc((size_t)T * sizeof *buf);
    sp->stats = malloc(rows * PS_PROB_N_STATS * sizeof *sp->stats);
    sp->p_short = malloc((size_t)sp->n_svc * (size_t)Y * sizeof *sp->p_short);
    if (buf == NULL || sp->stats == NULL || sp->p_short == NULL) {
        free(buf);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the services' quantiles");
    }
    for (size_t row = 0; row < rows; ++row) {
        ps_prob__summarise_row(sp->stats + row * PS_PROB_N_STATS, buf, sp->traj + row * (size_t)T,
                               T);
    }
    for (int k = 0; k < sp->n_svc; ++k) {
        const double *sh = sp->traj + row_of(sp, k, PS_SVC_PROB_SHORTAGE) * (size_t)T;
        for (int y = 0; y < Y; ++y) {
            sp->p_short[(size_t)k * (size_t)Y + (size_t)y] =
                shortage_share(sh + (size_t)y * (size_t)T, T);
        }
    }
    free(buf);
    free(sp->traj);
    sp->traj = NULL;
    ps_result_release(&sp->scratch);
    sp->finished = 1;
    return PS_OK;
}

int ps_svc_prob_n_services(const ps_svc_prob *sp)
{
    return sp->n_svc;
}

int ps_svc_prob_n_years(const ps_svc_prob *sp)
{
    return sp->n_years;
}

int ps_svc_prob_start_year(const ps_svc_prob *sp)
{
    return sp->start_year;
}

int ps_svc_prob_n_traj(const ps_svc_prob *sp)
{
    return sp->n_traj;
}

const char *ps_svc_prob_name(const ps_svc_prob *sp, int k)
{
    return sp->svc[k].name;
}

const char *ps_svc_prob_title(const ps_svc_prob *sp, int k)
{
    return sp->svc[k].title != NULL ? sp->svc[k].title : sp->svc[k].name;
}

ps_svc_kind ps_svc_prob_kind(const ps_svc_prob *sp, int k)
{
    return sp->svc[k].kind;
}

const double *ps_svc_prob_stats(const ps_svc_prob *sp, int k, ps_svc_prob_var v)
{
    return sp->finished ? sp->stats + row_of(sp, k, v) * PS_PROB_N_STATS : NULL;
}

const double *ps_svc_prob_p_shortage(const ps_svc_prob *sp, int k)
{
    return sp->finished ? sp->p_short + (size_t)k * (size_t)sp->n_years : NULL;
}

const double *ps_svc_prob_trajectories(const ps_svc_prob *sp, int k, ps_svc_prob_var v)
{
    return sp->traj != NULL ? sp->traj + row_of(sp, k, v) * (size_t)sp->n_traj : NULL;
}

/* ---- between MPI ranks: the rows [svc][var][year] of a range of trajectories ------------ */

size_t ps_svc_prob_traj_doubles(const ps_svc_prob *sp, int n)
{
    return (size_t)sp->n_svc * PS_SVC_PROB_VAR_COUNT * (size_t)sp->n_years * (size_t)n;
}

static ps_status check_range(const ps_svc_prob *sp, int first, int n, int want_added,
                             ps_error *err)
{
    int ok = !sp->finished && first >= 0 && n >= 1 && first <= sp->n_traj - n;
    for (int t = 0; ok && t < n; ++t) {
        ok = (sp->added[first + t] != 0) == (want_added != 0);
    }
    return ok ? PS_OK
              : ps_error_set(err, PS_EINVAL, "services of trajectories %d..%d: expected "
                             "trajectories within 0..%d %s, before the summary", first,
                             first + n - 1, sp->n_traj - 1,
                             want_added ? "already computed" : "not yet added");
}

ps_status ps_svc_prob_traj_get(const ps_svc_prob *sp, int first, int n, double *buf,
                               ps_error *err)
{
    ps_status rc = check_range(sp, first, n, 1, err);
    const size_t rows = (size_t)sp->n_svc * PS_SVC_PROB_VAR_COUNT * (size_t)sp->n_years;
    for (size_t row = 0; rc == PS_OK && row < rows; ++row) {
        memcpy(buf + row * (size_t)n, sp->traj + row * (size_t)sp->n_traj + (size_t)first,
               (size_t)n * sizeof *buf);
    }
    return rc;
}

ps_status ps_svc_prob_traj_put(ps_svc_prob *sp, int first, int n, const double *buf,
                               ps_error *err)
{
    ps_status rc = check_range(sp, first, n, 0, err);
    const size_t rows = (size_t)sp->n_svc * PS_SVC_PROB_VAR_COUNT * (size_t)sp->n_years;
    for (size_t row = 0; rc == PS_OK && row < rows; ++row) {
        memcpy(sp->traj + row * (size_t)sp->n_traj + (size_t)first, buf + row * (size_t)n,
               (size_t)n * sizeof *buf);
    }
    for (int t = 0; rc == PS_OK && t < n; ++t) {
        sp->added[first + t] = 1;
        sp->n_added++;
    }
    return rc;
}

/*
 * run/prob_family.c - a policy family under uncertainty (popsim/prob_family.h; docs/model.md
 * sec. 9.6). Each trajectory's inputs are the median inputs moved by its TFR, e0 and
 * migration draws (the same process and streams as src/engine/prob.c); on them the baseline
 * and every variant run as the deterministic family does (ps_run_scenario with the birth-order
 * model and the policy response), so a variant and its baseline share every random number of
 * the trajectory (common random numbers) and births gained are free of the trajectory noise
 * that separate draws would add. The response of a trajectory is drawn once for all members
 * from its own stream (popsim/prob_policy.h).
 *
 * Threads run whole trajectories (each a set of projections that allocate their results);
 * a trajectory's values depend only on its index and are stored at it, and the summaries
 * are taken serially afterwards, so any thread count gives the same bytes.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/family.h"
#include "popsim/prob_family.h"
#include "popsim/proj.h"
#include "popsim/units.h"
#include "engine/prob_paths_int.h"
#include "run/run_int.h"


typedef struct fam_ctx {
    const ps_inputs *in;
    const ps_prob_bounds *b;
    double rho[PS_PROB_PROC_COUNT];
    uint64_t seed;
    int n_steps, n_years, n_ages, y0;
    ps_prob_paths pp; /* medians, migration pattern and e0 tables, as the ensemble's */
} fam_ctx;

static void ctx_free(fam_ctx *c)
{
    ps_prob__paths_release(&c->pp);
    memset(c, 0, sizeof *c);
}

static ps_status ctx_new(fam_ctx *c, const ps_inputs *in, const ps_prob_bounds *b,
                         const double rho[PS_PROB_PROC_COUNT], uint64_t seed, ps_error *err)
{
    memset(c, 0, sizeof *c);
    if (in->n_regions != 1) {
        return ps_error_set(err, PS_EINVAL, "probabilistic projections take one region (got %d)",
                            in->n_regions);
    }
    if (b->first_year > in->start_year || b->first_year + b->n_years - 1 < in->end_year) {
        return ps_error_set(err, PS_EINVAL, "the interval bounds cover %d-%d; the projection "
                            "needs %d-%d", b->first_year, b->first_year + b->n_years - 1,
                            in->start_year, in->end_year);
    }
    for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
        if (!(rho[k] >= 0.0 && rho[k] < 1.0)) {
            return ps_error_set(err, PS_EINVAL, "persistence rho[%d] = %g is outside [0, 1)", k,
                                rho[k]);
        }
        c->rho[k] = rho[k];
    }
    c->in = in;
    c->b = b;
    c->seed = seed;
    c->n_steps = ps_inputs_steps(in);
    c->n_years = c->n_steps + 1;
    c->n_ages = in->n_ages;
    c->y0 = in->start_year - b->first_year;
    ps_status rc = ps_prob_bounds_check(b, err);
    if (rc == PS_OK) {
        rc = ps_prob__paths_init(&c->pp, in, b, 0, err);
    }
    if (rc == PS_OK) {
        /* the compiled centring, as in the scenario's own fan (prob.c) */
        static const double center[PS_PROB_PROC_COUNT] = {
            PS_PROB_CENTER_TFR, PS_PROB_CENTER_E0, PS_PROB_CENTER_MIG };
        rc = ps_prob__paths_center(&c->pp, b, center, 0, err);
    }
    if (rc != PS_OK) {
        ctx_free(c);
    }
    return rc;
}

/* The trajectory's yearly values (tfr[y], e0[y][sex], mig[y]) and its corrections of the base:
 * births of the cohort aged a, relative (bb[0..y0]), and net migrants before it (*base_mig). */
static void draw_traj(const fam_ctx *c, int traj, double *z, double *tfr, double *e0,
                      double *mig, double *bb, double *base_mig)
{
    const ps_prob_bounds *b = c->b;
    const int n_path = c->y0 + c->n_years;
    memset(bb, 0, (size_t)(c->y0 + 1) * sizeof *bb);
    *base_mig = 0.0;
    for (int proc = 0; proc < PS_PROB_PROC_COUNT; ++proc) {
        /* the level shares are the compiled ones, as in the scenario's own fan (prob.c) */
        static const double level[PS_PROB_PROC_COUNT] = { PS_PROB_LEVEL_TFR, PS_PROB_LEVEL_E0,
                                                          PS_PROB_LEVEL_MIG };
        ps_prob_path(z, n_path, c->rho[proc], level[proc], NULL, c->seed, traj,
                     (ps_prob_proc)proc);
        for (int by = 0; by <= c->y0 && proc != PS_PROB_E0; ++by) {
            const double *kn = ps_prob__knots(proc == PS_PROB_TFR ? b->tfr : b->mig, by, 0, 1);
            const double w = by < c->y0 ? 1.0 : PS_MID_YEAR_FRACTION;
            if (proc == PS_PROB_MIG) {
                const double s = z[by] + ps_prob__zshift(&c->pp, by, PS_PROB_SHIFT_MIG);
                *base_mig += w * (ps_prob_marginal(kn, s, 0) - kn[PS_PROB_KNOT_MEDIAN]);
                continue;
            }
            /* the cohort aged a on 1 July start_year was born half in each of two years */
            const double st = z[by] + ps_prob__zshift(&c->pp, by, PS_PROB_SHIFT_TFR);
            const double r = ps_prob_marginal(kn, st, 1) / kn[PS_PROB_KNOT_MEDIAN] - 1.0;
            bb[c->y0 - by] += 0.5 * r;
            if (c->y0 - by - 1 >= 0) {
                bb[c->y0 - by - 1] += 0.5 * r;
            }
        }
        for (int y = 0; y < c->n_years; ++y) {
            const int by = c->y0 + y;
            if (proc == PS_PROB_TFR) {
                tfr[y] = ps_prob_marginal(ps_prob__knots(b->tfr, by, 0, 1),
                                          z[by] + ps_prob__zshift(&c->pp, by, PS_PROB_SHIFT_TFR), 1);
            } else if (proc == PS_PROB_MIG) {
                mig[y] = ps_prob_marginal(ps_prob__knots(b->mig, by, 0, 1),
                                          z[by] + ps_prob__zshift(&c->pp, by, PS_PROB_SHIFT_MIG), 0);
            } else {
                for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                    e0[y * PS_SEX_COUNT + sex] =
                        ps_prob_marginal(ps_prob__knots(b->e0, by, sex, PS_SEX_COUNT),
                                         z[by] + ps_prob__zshift(&c->pp, by, 1 + sex), 0);
                }
            }
        }
    }
}

/* k of mx e^k whose e0 is the median's plus dev (linear in k between table rows). */
static ps_status e0_shift(double *k_out, const fam_ctx *c, int step, int sex, double dev,
                          ps_error *err)
{
    const double *tab =
        &c->pp.e0_tab[((size_t)step * PS_SEX_COUNT + (size_t)sex) * PS_PROB_E0_ROWS];
    const double target = tab[PS_PROB_E0_ZERO] + dev;
    if (!(target <= tab[0] && target >= tab[PS_PROB_E0_ROWS - 1])) {
        return ps_error_set(err, PS_ENUMERIC, "e0 %.2f for %d, %s is outside the table (%.2f "
                            "to %.2f)", target, c->in->start_year + step,
                            ps_sex_name((ps_sex)sex), tab[PS_PROB_E0_ROWS - 1], tab[0]);
    }
    int row = 0; /* the last row with e0 >= target (e0 falls as k grows) */
    while (row + 1 < PS_PROB_E0_ROWS && tab[row + 1] >= target) {
        ++row;
    }
    const double w = row + 1 == PS_PROB_E0_ROWS || tab[row] == target
                         ? 0.0
                         : (tab[row] - target) / (tab[row] - tab[row + 1]);
    *k_out = (row - PS_PROB_E0_ZERO + w) * PS_PROB_E0_DK;
    return PS_OK;
}

/* Copy of c->in moved by trajectory `traj`'s draws; ws holds 2 y0 + 6 n_years + 2 doubles. */
static ps_status make_inputs(ps_inputs *out, const fam_ctx *c, int traj, double *ws,
                             ps_error *err)
{
    const ps_inputs *in = c->in;
    const int A = c->n_ages, Y = c->n_years;
    double *z = ws, *tfr = z + c->y0 + Y, *e0 = tfr + Y, *mig = e0 + PS_SEX_COUNT * Y;
    double *bb = mig + Y, base_mig = 0.0;
    ps_status rc = ps_inputs_init(out, in->start_year, in->end_year, 1, A, err);
    if (rc == PS_OK) {
        rc = ps_inputs_set_region_name(out, 0, in->region_names[0], err);
    }
    if (rc != PS_OK) {
        ps_inputs_release(out);
        return rc;
    }
    const size_t cells = (size_t)c->n_steps * PS_SEX_COUNT * (size_t)A;
    memcpy(out->mx, in->mx, cells * sizeof *out->mx);
    memcpy(out->mig, in->mig, cells * sizeof *out->mig);
    memcpy(out->asfr, in->asfr, (size_t)c->n_steps * (size_t)A * sizeof *out->asfr);
    memcpy(out->srb, in->srb, (size_t)c->n_steps * sizeof *out->srb);
    draw_traj(c, traj, z, tfr, e0, mig, bb, &base_mig);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < A; ++age) {
            const size_t at = ps_pop_idx(&in->base, 0, sex, age);
            double v = in->base.count[at];
            v = age <= c->y0 && bb[age] != 0.0 ? v * (1.0 + bb[age]) : v;
            v = base_mig != 0.0 ? v + base_mig * c->pp.pattern[sex * A + age] : v;
            out->base.count[at] = v < 0.0 ? 0.0 : v;
        }
    }
    for (int s = 0; rc == PS_OK && s < c->n_steps; ++s) {
        const double ratio = 0.5 * (tfr[s] + tfr[s + 1]) / c->pp.tfr_med[s];
        const double dmig = 0.5 * (mig[s] + mig[s + 1]) - c->pp.mig_med[s];
        for (int age = 0; age < A && ratio != 1.0; ++age) {
            out->asfr[ps_inputs_asfr_idx(out, s, 0, age)] *= ratio;
        }
        for (int sex = 0; rc == PS_OK && sex < PS_SEX_COUNT; ++sex) {
            const int at = s * PS_SEX_COUNT + sex;
            const double dev = 0.5 * (e0[at] + e0[at + PS_SEX_COUNT]) - c->pp.e0_med[at];
            double k = 0.0;
            rc = dev == 0.0 ? PS_OK : e0_shift(&k, c, s, sex, dev, err);
            double *mx = &out->mx[ps_inputs_idx(out, s, 0, sex, 0)];
            double *m = &out->mig[ps_inputs_idx(out, s, 0, sex, 0)];
            const double f = exp(k);
            for (int age = 0; rc == PS_OK && age < A; ++age) {
                mx[age] = k == 0.0 ? mx[age] : mx[age] * f;
                m[age] = dmig == 0.0 ? m[age] : m[age] + dmig * c->pp.pattern[sex * A + age];
            }
        }
    }
    if (rc != PS_OK) {
        ps_inputs_release(out);
    }
    return rc;
}

static size_t ws_doubles(const fam_ctx *c)
{
    return (size_t)(2 * c->y0 + 6 * c->n_years + 2);
}

ps_status ps_prob_traj_inputs(ps_inputs *out, const ps_inputs *in, const ps_prob_bounds *b,
                              const double rho[PS_PROB_PROC_COUNT], uint64_t seed, int traj,
                              ps_error *err)
{
    fam_ctx c;
    memset(out, 0, sizeof *out);
    ps_status rc = ctx_new(&c, in, b, rho, seed, err);
    if (rc != PS_OK) {
        return rc;
    }
    double *ws = malloc(ws_doubles(&c) * sizeof *ws);
    rc = ws == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory for a trajectory")
                    : make_inputs(out, &c, traj, ws, err);
    free(ws);
    ctx_free(&c);
    return rc;
}

/* ---- the family on every trajectory ------------------------------------------------------ */

typedef struct fam_run {
    const fam_ctx *c;
    const ps_scenario *scn;
    const ps_prob_family_options *o;
    ps_prob_pol_summary *s; /* trajectory arrays filled at each trajectory's index */
} fam_run;

/* Member m's run specification in trajectory traj: the drawn response replaces the preset of
 * a member that does not fix its own, and the member's explicit overrides stay on top. */
static ps_run_spec member_spec(const fam_run *r, int m, int traj)
{
    const ps_scn_member *mem = &r->scn->members[m];
    ps_run_spec spec = ps_run__member_spec(mem, r->o->elasticity);
    if (r->o->draw_elasticity && !mem->has_elasticity) {
        ps_prob_response_draw(&spec.response, ps_prob_elasticity_score(r->o->seed, traj));
        ps_response_apply(&spec.response, &mem->response);
    }
    return spec;
}

/* Store variant v's values of trajectory traj from its result. */
static void store_variant(ps_prob_pol_summary *s, int v, int traj, const ps_result *res)
{
    const size_t V = (size_t)s->n_variants, T = (size_t)s->n_traj;
    for (int y = 0; y + 1 < s->n_years; ++y) {
        s->gained_traj[((size_t)y * V + (size_t)v) * T + (size_t)traj] =
            res->births_gained[ps_result_regcell(res, y, 0)];
    }
    const double g = res->births_gained_total, gd = res->births_gained_discounted;
    const double vals[PS_PROB_POL_VAR_COUNT] = {
        g, gd, res->cost_total, res->cost_total_discounted,
        g > 0.0 ? res->cost_total / g : HUGE_VAL,
        gd > 0.0 ? res->cost_total_discounted / gd : HUGE_VAL,
    };
    for (int k = 0; k < PS_PROB_POL_VAR_COUNT; ++k) {
        s->scalar_traj[k][(size_t)v * T + (size_t)traj] = vals[k];
    }
}

static ps_status run_traj(const fam_run *r, int traj, ps_error *err)
{
    const ps_scenario *scn = r->scn;
    ps_inputs tin;
    ps_proj *proj = NULL;
    const size_t women = (size_t)r->c->n_ages * PS_PARITY_COUNT;
    double *ws = malloc(ws_doubles(r->c) * sizeof *ws);
    double *women0 = malloc(women * sizeof *women0);
    ps_result *res = calloc((size_t)scn->n_members, sizeof *res);
    memset(&tin, 0, sizeof tin);
    ps_status rc = PS_OK;
    if (ws == NULL || women0 == NULL || res == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for a trajectory");
    }
    rc = rc == PS_OK ? make_inputs(&tin, r->c, traj, ws, err) : rc;
    rc = rc == PS_OK ? ps_proj_new(&proj, &tin, err) : rc;
    const ps_inputs *h = r->o->history;
    if (rc == PS_OK && h != NULL && h->asfr != NULL && h->n_ages == tin.n_ages) {
        const ps_fert_history hist = { .asfr = h->asfr, .first_year = h->start_year,
                                       .n_years = ps_inputs_steps(h) };
        rc = ps_proj_parity_init_history(proj, &scn->birth_order, &hist, women0, err);
    } else if (rc == PS_OK) {
        rc = ps_proj_parity_init(proj, &scn->birth_order, women0, err);
    }
    for (int m = 0; rc == PS_OK && m < scn->n_members; ++m) {
        const ps_run_spec spec = member_spec(r, m, traj);
        rc = ps_run_scenario(&res[m], proj, women0, &scn->birth_order, &spec,
                             m == 0 ? NULL : &res[0], err);
        if (rc != PS_OK) {
            ps_run__locate_member_error(err, scn, &scn->members[m]);
        } else if (m > 0) {
            store_variant(r->s, m - 1, traj, &res[m]);
        }
        if (rc == PS_OK && r->o->services != NULL && r->o->services[m] != NULL) {
            rc = ps_svc_prob_add_result(r->o->services[m], &res[m], traj, err);
        }
    }
    for (int m = 0; res != NULL && m < scn->n_members; ++m) {
        ps_result_release(&res[m]);
    }
    if (rc != PS_OK) {
        ps_error_prepend(err, "trajectory %d: ", traj);
    }
    free(res);
    free(women0);
    free(ws);
    ps_proj_free(proj);
    ps_inputs_release(&tin);
    return rc;
}

/* Every trajectory; each thread stops at its first failure and the lowest failing
 * trajectory's error is reported. */
static ps_status run_all(const fam_run *r, int n_threads, ps_error *err)
{
    const int T = r->s->n_traj;
    const int t0 = r->o->share ? r->o->traj_first : 0;
    const int t1 = r->o->share ? r->o->traj_end : T;
    ps_error *errs = calloc((size_t)n_threads, sizeof *errs);
    int *failed = malloc((size_t)n_threads * sizeof *failed);
    if (errs == NULL || failed == NULL) {
        free(errs);
        free(failed);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the trajectories");
    }
    for (int k = 0; k < n_threads; ++k) {
        failed[k] = T;
    }
#pragma omp parallel for schedule(static) num_threads(n_threads) default(none)                 \
    shared(r, T, t0, t1, errs, failed)
    for (int traj = t0; traj < t1; ++traj) {
        const int me = omp_get_thread_num();
        if (failed[me] == T && run_traj(r, traj, &errs[me]) != PS_OK) {
            failed[me] = traj;
        }
    }
    int worst = -1;
    for (int k = 0; k < n_threads; ++k) {
        worst = failed[k] < T && (worst < 0 || failed[k] < failed[worst]) ? k : worst;
    }
    ps_status rc = PS_OK;
    if (worst >= 0) {
        *err = errs[worst];
        rc = err->code;
    }
    free(errs);
    free(failed);
    return rc;
}

/* Quantiles and means of the stored trajectories. */
static ps_status summarise(ps_prob_pol_summary *s, ps_error *err)
{
    const size_t V = (size_t)s->n_variants, T = (size_t)s->n_traj;
    double *buf = malloc(T * sizeof *buf);
    if (buf == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the policy quantiles");
    }
    for (size_t row = 0; row < (size_t)s->n_years * V; ++row) {
        ps_prob_pol_stats(s->gained + row * PS_PROB_N_STATS, buf, s->gained_traj + row * T,
                          (int)T);
    }
    for (int k = 0; k < PS_PROB_POL_VAR_COUNT; ++k) {
        for (size_t v = 0; v < V; ++v) {
            ps_prob_pol_stats(s->scalar[k] + v * PS_PROB_N_STATS, buf,
                              s->scalar_traj[k] + v * T, (int)T);
        }
    }
    for (size_t v = 0; v < V; ++v) {
        size_t none = 0;
        for (size_t t = 0; t < T; ++t) {
            none += !(s->scalar_traj[PS_PROB_POL_GAINED_TOTAL][v * T + t] > 0.0);
        }
        s->no_gain[v] = (double)none / (double)T;
    }
    free(buf);
    return PS_OK;
}

ps_status ps_prob_family_run(ps_prob_pol_summary *out, const ps_scenario *scn,
                             const ps_inputs *in, const ps_prob_bounds *b,
                             const ps_prob_family_options *opt, ps_error *err)
{
    const int n_traj = opt->n_traj > 0 ? opt->n_traj : PS_PROB_TRAJ_DEFAULT;
    const int n_threads = opt->n_threads > 0 ? opt->n_threads : omp_get_max_threads();
    const int share = opt->share;
    memset(out, 0, sizeof *out);
    if (share && (opt->traj_first < 0 || opt->traj_first > opt->traj_end ||
                  opt->traj_end > n_traj)) {
        return ps_error_set(err, PS_EINVAL, "a share of trajectories %d..%d: expected a range "
                            "within 0..%d", opt->traj_first, opt->traj_end - 1, n_traj - 1);
    }
    if (scn->n_members < 2 || opt->n_traj < 0 || n_traj > PS_PROB_TRAJ_MAX ||
        opt->n_threads < 0) {
        return ps_error_set(err, PS_EINVAL, "a policy family under uncertainty needs a "
                            "baseline and at least one variant, 1 to %d trajectories and "
                            "threads >= 0 (got %d members, %d trajectories, %d threads)",
                            PS_PROB_TRAJ_MAX, scn->n_members, opt->n_traj, opt->n_threads);
    }
    const char **names = malloc((size_t)(scn->n_members - 1) * sizeof *names);
    fam_ctx c;
    memset(&c, 0, sizeof c);
    ps_status rc = names == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory") : PS_OK;
    for (int m = 1; rc == PS_OK && m < scn->n_members; ++m) {
        names[m - 1] = scn->members[m].name;
    }
    rc = rc == PS_OK ? ctx_new(&c, in, b, opt->rho, opt->seed, err) : rc;
    rc = rc == PS_OK ? ps_prob_pol_summary_init(out, scn->n_members - 1, names, in->start_year,
                                                ps_inputs_steps(in) + 1, n_traj, 1, err)
                     : rc;
    if (rc == PS_OK) {
        const fam_run r = { .c = &c, .scn = scn, .o = opt, .s = out };
        rc = run_all(&r, n_threads, err);
    }
    if (rc == PS_OK && !share) {
        rc = ps_prob_family_finish(out, opt->keep_trajectories, err);
    }
    if (rc != PS_OK) {
        ps_prob_pol_summary_release(out);
    }
    ctx_free(&c);
    free(names);
    return rc;
}

ps_status ps_prob_family_finish(ps_prob_pol_summary *s, int keep, ps_error *err)
{
    if (s->gained_traj == NULL) {
        return ps_error_set(err, PS_EINVAL, "the policy summary has no trajectories to "
                            "summarise");
    }
    ps_status rc = summarise(s, err);
    if (rc == PS_OK && !keep) {
        free(s->gained_traj);
        s->gained_traj = NULL;
        for (int k = 0; k < PS_PROB_POL_VAR_COUNT; ++k) {
            free(s->scalar_traj[k]);
            s->scalar_traj[k] = NULL;
        }
    }
    return rc;
}

/* ---- between MPI ranks: rows [year][variant] of births gained, then [var][variant] ------ */

size_t ps_prob_family_traj_doubles(const ps_prob_pol_summary *s, int n)
{
    return (size_t)(s->n_years + PS_PROB_POL_VAR_COUNT) * (size_t)s->n_variants * (size_t)n;
}

/* Row r of the trajectory arrays (NULL if the summary has none). */
static double *traj_row(const ps_prob_pol_summary *s, size_t r)
{
    const size_t V = (size_t)s->n_variants, T = (size_t)s->n_traj;
    const size_t gained_rows = (size_t)s->n_years * V;
    if (r < gained_rows) {
        return s->gained_traj != NULL ? s->gained_traj + r * T : NULL;
    }
    r -= gained_rows;
    double *x = s->scalar_traj[r / V];
    return x != NULL ? x + (r % V) * T : NULL;
}

/* get: rows into out; put: in into the rows */
static ps_status traj_copy(const ps_prob_pol_summary *s, int first, int n, double *out,
                           const double *in, ps_error *err)
{
    const size_t rows = (size_t)(s->n_years + PS_PROB_POL_VAR_COUNT) * (size_t)s->n_variants;
    if (first < 0 || n < 1 || first > s->n_traj - n || s->gained_traj == NULL) {
        return ps_error_set(err, PS_EINVAL, "policy trajectories %d..%d: expected a range "
                            "within 0..%d of a summary that keeps them", first, first + n - 1,
                            s->n_traj - 1);
    }
    for (size_t r = 0; r < rows; ++r) {
        double *row = traj_row(s, r);
        if (row == NULL) {
            return ps_error_set(err, PS_EINVAL, "the policy summary lacks trajectory row %zu", r);
        }
        if (in != NULL) {
            memcpy(row + first, in + r * (size_t)n, (size_t)n * sizeof *in);
        } else {
            memcpy(out + r * (size_t)n, row + first, (size_t)n * sizeof *out);
        }
    }
    return PS_OK;
}

ps_status ps_prob_family_traj_get(const ps_prob_pol_summary *s, int first, int n, double *buf,
                                  ps_error *err)
{
    return traj_copy(s, first, n, buf, NULL, err);
}

ps_status ps_prob_family_traj_put(ps_prob_pol_summary *s, int first, int n, const double *buf,
                                  ps_error *err)
{
    return traj_copy(s, first, n, NULL, buf, err);
}

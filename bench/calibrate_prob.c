/*
 * calibrate_prob.c - the estimator of the process parameters compiled into popsim/prob.h
 * (PS_PROB_RHO_*, PS_PROB_LEVEL_*, PS_PROB_CENTER_*; docs/model.md sec. 9.3). Every WPP
 * country or area (or the M49 codes given) is projected from 1 July 2025 with TRAJ
 * trajectories for every point of the grid below, with common random numbers; the loss of a
 * location is ps_wpp_pi_calib_loss (the squared deviations of the total population's 2.5,
 * 10, 50, 90 and 97.5 % quantiles at 2050 and 2100 from the UN's, in units where each
 * criterion of issue #14 sec. 3 is met at 0.2, capped at 1 per criterion).
 *
 * Two estimates from the same runs:
 * - shared: one grid point for every location (the least summed loss among the points that
 *   leave TFR uncentred, since centring TFR moves its bounds more than the 2 % issue #14
 *   allows; the unconstrained least is printed too);
 * - by class: the TFR parameters (rho, level share, centring) as a function of the
 *   location's phase of fertility decline (post-transition: the UN's median TFR of the first
 *   year of its bounds below PS_PROB_PHASE_TFR; else in transition), the migration
 *   persistence as a function of its migration uncertainty relative to its population (the
 *   UN's 80 % half-width of net migrants in that year above PS_PROB_MIG_VOLATILE of the
 *   median population: volatile), the rest shared; the least summed loss over all
 *   combinations (the losses of the four cells phase x migration class add up).
 * Prints the loss of every grid point, both estimates and their losses per location.
 *
 * usage: calibrate_prob WPP_DIR TRAJ [-u|-c|-p|-g|-t|-l|-k|-s] [CODE ...]
 *   -u  only the points with TFR uncentred and e0 and migration centred (the compiled
 *       centrings; 24 points), so that the estimate by class keeps the TFR bounds
 *   -c  the TFR centring (0, 0.5, 1; capped at PS_PROB_CENTER_TFR_MAX_MOVE, so the TFR bounds
 *       stay within the 2 %) at the -u estimate's persistences (rho_f 0.95, no level
 *       share, e0 and migration centred, rho_m 0.9 or 0.95): 6 points
 *   -p  the -u grid rerun under the antithetic pairs with the capped TFR centring by phase:
 *       rho_f 0.95 or 0.98, level share 0, 0.25 or 0.5, centring 0 or 1 (capped), e0 and
 *       migration centred, rho_m 0.6 to 0.9 (48 points); the estimate by class is free in all
 *       of them. Run it with 300 trajectories or more: with 100, the sampling noise of the
 *       2.5 and 97.5 % quantiles, which grows with the spread, favours narrow bands
 *   -g  the migration persistence of each location from the growth of its own band
 *       (run_growth below; compiled), against the persistence by volatility class
 *   -t  the TFR persistence from the growth of the location's log-TFR band as well (floor
 *       0.9 or 0.95, cap 0.99 or 0.995), and the capped TFR centring in transition: not
 *       compiled (a higher loss across all locations than rho_f 0.95)
 *   -l  the TFR level share by phase (round 6: 0, 0.25, 0.5 or 0.75; round 16 also 0.4),
 *       TFR uncentred (the median aligned, round 16) and the rest as compiled; a location's
 *       loss depends on its own phase's share only, so each phase's least is read from the
 *       same runs
 *   -k  the skew of the TFR level by phase (round 17: 0, 0.5, 1, 1.5 or 2; the two-piece
 *       level of ps_prob_level_map, docs/model.md 9.8) at the compiled level shares, TFR
 *       uncentred and the rest as compiled; each phase's least from the same runs, as -l
 *   -s  no search: the compiled process of `popsim run --location` (TFR persistence by
 *       phase, the migration persistence from the band's growth, the volatility class where
 *       the bounds lack 2030 or 2050, the TFR and migration centrings from those
 *       persistences, TFR uncentred since round 16), and how many locations meet each of
 *       issue #14's ten criteria (2050 and 2100, five quantiles of the total population), in
 *       all and by phase; the loss and criteria met with TFR centred from its persistence
 *       instead (as compiled before round 16), from the same trajectories
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/builder.h"
#include "popsim/proj.h"
#include "popsim/result.h"
#include "popsim/run.h"
#include "popsim/wpp.h"
#include "popsim/wpp_pi.h"

/* TFR: rho x level share x centring; e0: rho 0.99, no level, centring with migration's;
 * migration: rho (no level: its volatile yearly flows are what the UN's intervals describe) */
static const double grid_f[] = {0.9, 0.95, 0.98};
static const double grid_lf[] = {0.0, 0.25, 0.5};
static const double grid_cf[] = {0.0, 0.5, 1.0};
static const double grid_cem[] = {0.0, 1.0};
static const double grid_m[] = {0.6, 0.7, 0.8, 0.9, 0.95};
#define C_RHO_M_STEADY 0.95 /* -c: rho_m held at the -u estimate */
#define C_RHO_M_VOLATILE 0.9
#define PAIRS_RHO_F_MIN 0.95 /* -p: the rho_f of the grid kept */
#define PAIRS_RHO_M_MIN 0.6  /* -p: the rho_m kept */
#define PAIRS_RHO_M_MAX 0.9
#define RHO_E0 0.99
#define N_OF(a) (sizeof a / sizeof a[0])
#define NF (N_OF(grid_f) * N_OF(grid_lf) * N_OF(grid_cf)) /* TFR triples */
#define NE N_OF(grid_cem)
#define NM N_OF(grid_m)
#define NG (NF * NE * NM)
#define FULL_AT(f, e, m) (((f)*NE + (e)) * NM + (m))
#define GRID_AT(f, e, m) at[FULL_AT(f, e, m)] /* index in the grid run, -1 if left out */

/*
 * -g: the migration persistence of each location from the growth of its own migration band
 * (ps_prob_mig_growth, ps_prob_rho_from_growth: the AR(1) whose variance from a known
 * start grows as the UN's band does), between a floor and a cap shared by all locations,
 * against the compiled parameters by class; TFR by phase as compiled (rho_f 0.95, centred
 * after the transition, capped), or with the post-transition level share 0.5 of the -p
 * estimate; e0 and migration centred.
 */
static const double g_floor[] = {0.3, 0.5, 0.6, PS_PROB_RHO_MIG_FLOOR, 0.8, 0.9};
static const double g_cap[] = {0.95, 0.99};
static const double g_level_post[] = {0.0, 0.5};
#define G_POINTS (1 + N_OF(g_floor) * N_OF(g_cap) * N_OF(g_level_post))

/* The growth of the log-TFR band: half of log(hi80 / lo80) in PS_PROB_GROWTH_TO over that in
 * PS_PROB_GROWTH_FROM (NaN if the bounds do not cover both years or a band is empty). */
static double tfr_growth(const ps_prob_bounds *b)
{
    const int i = PS_PROB_GROWTH_FROM - b->first_year, j = PS_PROB_GROWTH_TO - b->first_year;
    if (i < 0 || j >= b->n_years) {
        return NAN;
    }
    const double *ki = b->tfr + (size_t)i * PS_PROB_N_KNOTS;
    const double *kj = b->tfr + (size_t)j * PS_PROB_N_KNOTS;
    const double wi = log(ki[3] / ki[1]), wj = log(kj[3] / kj[1]);
    return wi > 0.0 && isfinite(wj) ? wj / wi : NAN;
}

/* -t: the TFR persistence from the growth of the location's log-TFR band too (floor, cap),
 * and the capped TFR centring in transition (0 or 1), the migration as compiled (-g) */
static const double t_floor[] = {0.0, 0.9, 0.95}; /* 0: rho_f as compiled, not from growth */
static const double t_cap[] = {0.99, 0.995};
static const double t_center_tr[] = {0.0, 1.0};
#define T_POINTS (N_OF(t_floor) * N_OF(t_cap) * N_OF(t_center_tr))

/* -l: the TFR level share of either phase (round 6; rerun in round 16, TFR uncentred) */
static const double l_level[] = {0.0, 0.25, 0.4, 0.5, 0.75}; /* 0.4 since round 16 */
#define L_POINTS N_OF(l_level)

/* -k: the skew of the TFR level of either phase (round 17; the two-piece level of
 * ps_prob_level_map), at the compiled level shares */
static const double k_skew[] = {0.0, 0.5, 1.0, 1.5, 2.0};
#define K_POINTS N_OF(k_skew)

#define MAX_POINTS (G_POINTS > T_POINTS ? G_POINTS : T_POINTS)

/* The compiled parameters of a location in phase `post` (TFR by phase, e0 and migration
 * centred), its migration persistence rho_m. The migration fully centred, as compiled until
 * round 5: -g and -t are the searches of round 4 (rerun now, they would take round 6's TFR
 * level share and their TFR centring would act on log TFR); -l and -s start from each
 * location's compiled options (ps_prob_options_by_class, options_point). */
static void class_point(double pt[PS_WPP_PI_CALIB_PARAMS], int post, double rho_m)
{
    const double base[PS_WPP_PI_CALIB_PARAMS] = {
        post ? PS_PROB_RHO_TFR_POST : PS_PROB_RHO_TFR_TRANSITION,
        PS_PROB_RHO_E0,
        rho_m,
        post ? PS_PROB_LEVEL_TFR_POST : PS_PROB_LEVEL_TFR_TRANSITION,
        0.0,
        0.0,
        post ? PS_PROB_CENTER_TFR_POST : PS_PROB_CENTER_TFR_TRANSITION,
        1.0,
        1.0};
    memcpy(pt, base, sizeof base);
}

static void tfr_point(double pt[PS_WPP_PI_CALIB_PARAMS], int k, int post, double g_mig,
                      double g_tfr, int first_year)
{
    const int fl = k / (int)(N_OF(t_cap) * N_OF(t_center_tr));
    const int cp = k / (int)N_OF(t_center_tr) % (int)N_OF(t_cap);
    const int ct = k % (int)N_OF(t_center_tr);
    class_point(
        pt, post,
        ps_prob_rho_from_growth(g_mig, first_year, PS_PROB_RHO_MIG_FLOOR, PS_PROB_RHO_MIG_CAP));
    if (!post) {
        pt[6] = t_center_tr[ct];
    }
    if (t_floor[fl] > 0.0) {
        pt[0] = ps_prob_rho_from_growth(g_tfr, first_year, t_floor[fl], t_cap[cp]);
    }
}

static void growth_point(double pt[PS_WPP_PI_CALIB_PARAMS], int k, int post, int vol, double g,
                         int first_year)
{
    class_point(pt, post, vol ? PS_PROB_RHO_MIG_VOLATILE : PS_PROB_RHO_MIG_STEADY);
    if (k == 0) {
        return; /* the compiled values by volatility class */
    }
    const int j = k - 1;
    const int fl = j / (int)(N_OF(g_cap) * N_OF(g_level_post));
    const int cp = j / (int)N_OF(g_level_post) % (int)N_OF(g_cap);
    const int lv = j % (int)N_OF(g_level_post);
    pt[2] = ps_prob_rho_from_growth(g, first_year, g_floor[fl], g_cap[cp]);
    if (post) {
        pt[3] = g_level_post[lv];
    }
}

static void print_growth(const double *loss, int n_loc, int n_traj);

/* A grid point from options: persistences, level shares, centrings, level skews. */
static void options_point(double pt[PS_WPP_PI_CALIB_PARAMS], const ps_prob_options *o)
{
    for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
        pt[k] = o->rho[k];
        pt[PS_PROB_PROC_COUNT + k] = o->level[k];
        pt[2 * PS_PROB_PROC_COUNT + k] = o->center[k];
        pt[3 * PS_PROB_PROC_COUNT + k] = o->level_skew[k];
    }
}

/* Criteria of issue #14 sec. 3 met by one location's deviations at one grid point. */
static int criteria_met(const double d[PS_WPP_PI_CALIB_N])
{
    int met = 0;
    for (int c = 0; c < PS_WPP_PI_CALIB_N; ++c) {
        met += isfinite(d[c]) && fabs(d[c]) <= 0.2;
    }
    return met;
}

/* -s: the deterministic projection (every score 0) of location `code` relative to the UN's
 * median at 1 July 2050 and 2100, so that a median miss can be told apart: the engine's
 * inputs (the deterministic run off the UN's median) or the process (its median off the
 * deterministic run). NaN where it cannot be run. */
static void det_devs(double out[PS_WPP_PI_CALIB_YEARS], const ps_wpp_pi *pi, int code,
                     const ps_build_options *bo)
{
    ps_error e;
    ps_inputs in;
    ps_proj *proj = NULL;
    ps_result det = {0};
    char code_text[16];
    int c = 0;
    ps_error_clear(&e);
    memset(&in, 0, sizeof in);
    snprintf(code_text, sizeof code_text, "%d", code);
    out[0] = out[1] = NAN;
    if (ps_build_wpp_inputs(&in, &c, NULL, 0, code_text, 2025, 2100, bo, &e) == PS_OK &&
        ps_proj_new(&proj, &in, &e) == PS_OK && ps_proj_run(&det, proj, "det", NULL, &e) == PS_OK) {
        for (int y = 0; y < PS_WPP_PI_CALIB_YEARS; ++y) {
            double un[PS_WPP_PI_COLS];
            const int year = y == 0 ? 2050 : 2100;
            if (ps_wpp_pi_pop_mid(un, pi, code, year, &e) == PS_OK) {
                out[y] = ps_result_total(&det, year) / un[PS_WPP_PI_MEDIAN] - 1.0;
            }
        }
        ps_result_release(&det);
    }
    ps_proj_free(proj);
    ps_inputs_release(&in);
}

/* -s's table: for each year and quantile, the locations whose total population meets issue
 * #14's criterion (|dev| <= 0.2: a bound within 0.2 of the UN bound's distance from the UN
 * median, the median within 0.3 %), in all and by phase; the locations by criteria met. */
static void print_summary(const double *devs, const double *det, const ps_status *st,
                          const int *cls, int n_codes, int n_pts, int n_traj)
{
    static const char *const q_name[PS_PROB_N_KNOTS] = {"lo95", "lo80", "median", "hi80", "hi95"};
    int met[2][PS_WPP_PI_CALIB_N] = {{0}}, n_loc[2] = {0}, by_count[PS_WPP_PI_CALIB_N + 1] = {0};
    for (int i = 0; i < n_codes; ++i) {
        if (st[i] != PS_OK) {
            continue;
        }
        const int post = cls[i] >= 2;
        int n_met = 0;
        for (int k = 0; k < PS_WPP_PI_CALIB_N; ++k) {
            const double d = devs[(size_t)i * n_pts * PS_WPP_PI_CALIB_N + (size_t)k];
            const int ok = isfinite(d) && fabs(d) <= 0.2;
            met[post][k] += ok;
            n_met += ok;
        }
        ++n_loc[post];
        ++by_count[n_met];
    }
    const int n = n_loc[0] + n_loc[1];
    int total = 0;
    printf("\n# -s: the compiled process of popsim run --location; locations meeting each "
           "criterion of issue #14 sec. 3 (%d locations: %d in transition, %d post-transition; "
           "%d trajectories)\n# year quantile met_all met_transition met_post\n",
           n, n_loc[0], n_loc[1], n_traj);
    for (int k = 0; k < PS_WPP_PI_CALIB_N; ++k) {
        const int all = met[0][k] + met[1][k];
        total += all;
        printf("%d %-6s %3d/%d (%4.1f %%) %3d/%d %3d/%d\n", k < PS_PROB_N_KNOTS ? 2050 : 2100,
               q_name[k % PS_PROB_N_KNOTS], all, n, n > 0 ? 100.0 * all / n : 0.0, met[0][k],
               n_loc[0], met[1][k], n_loc[1]);
    }
    printf("all criteria: %d of %d met (%.1f %%)\n# criteria met: locations\n", total,
           n * PS_WPP_PI_CALIB_N, n > 0 ? 100.0 * total / (n * PS_WPP_PI_CALIB_N) : 0.0);
    for (int c = PS_WPP_PI_CALIB_N; c >= 0; --c) {
        printf("%2d: %d\n", c, by_count[c]);
    }
    /* the medians: the deterministic run against the UN's, and the process against it */
    printf("# year det_within_0.3%% median_met median_met_where_det_within det_abs_dev_median "
           "det_abs_dev_p90 | the process's median over the deterministic run - 1: p10 p25 "
           "p50 p75 p90\n");
    double *a = malloc((size_t)n_codes * sizeof *a);
    double *r = malloc((size_t)n_codes * sizeof *r);
    for (int y = 0; a != NULL && r != NULL && y < PS_WPP_PI_CALIB_YEARS; ++y) {
        int n_det = 0, n_both = 0, n_a = 0;
        const int k = y * PS_PROB_N_KNOTS + PS_PROB_KNOT_MEDIAN;
        for (int i = 0; i < n_codes; ++i) {
            const double dd = det[(size_t)i * PS_WPP_PI_CALIB_YEARS + (size_t)y];
            if (st[i] != PS_OK || !isfinite(dd)) {
                continue;
            }
            const double d = devs[(size_t)i * n_pts * PS_WPP_PI_CALIB_N + (size_t)k];
            r[n_a] = (1.0 + d / 0.2 * 0.003) / (1.0 + dd) - 1.0; /* d back to a ratio */
            a[n_a++] = fabs(dd);
            n_det += fabs(dd) <= 0.003;
            n_both += fabs(dd) <= 0.003 && isfinite(d) && fabs(d) <= 0.2;
        }
        const int n_med = met[0][k] + met[1][k];
        printf("%d %d/%d %d/%d %d/%d %.4f %.4f |", y == 0 ? 2050 : 2100, n_det, n_a, n_med, n,
               n_both, n_det, n_a > 0 ? ps_prob_sample_quantile(a, n_a, 0.5) : NAN,
               n_a > 0 ? ps_prob_sample_quantile(a, n_a, 0.9) : NAN);
        for (int q = 0; q < 5; ++q) {
            static const double pq[5] = {0.1, 0.25, 0.5, 0.75, 0.9};
            printf(" %+.4f", n_a > 0 ? ps_prob_sample_quantile(r, n_a, pq[q]) : NAN);
        }
        printf("\n");
    }
    free(a);
    free(r);
}

/* -l's and -k's table: by phase, the loss and criteria met for each value of the TFR level
 * share (-l) or its skew (-k), each phase's least, and the compiled values (popsim/prob.h). */
static void print_by_phase(const double *devs, const ps_status *st, const int *cls, int n_codes,
                           int n_traj, int skew)
{
    const double *vals = skew ? k_skew : l_level;
    const int n_pts = skew ? (int)K_POINTS : (int)L_POINTS;
    const char *flag = skew ? "-k" : "-l", *par = skew ? "skew_tfr" : "level_tfr";
    double loss[2][L_POINTS > K_POINTS ? L_POINTS : K_POINTS] = {{0}};
    int met[2][L_POINTS > K_POINTS ? L_POINTS : K_POINTS] = {{0}}, n_loc[2] = {0};
    for (int i = 0; i < n_codes; ++i) {
        if (st[i] != PS_OK) {
            continue;
        }
        const int post = cls[i] >= 2;
        for (int k = 0; k < n_pts; ++k) {
            const double *d = devs + ((size_t)i * n_pts + (size_t)k) * PS_WPP_PI_CALIB_N;
            loss[post][k] += ps_wpp_pi_calib_loss(d);
            met[post][k] += criteria_met(d);
        }
        ++n_loc[post];
    }
    const int n = n_loc[0] + n_loc[1];
    printf("\n# %s: the TFR %s by phase, TFR uncentred, the migration centring from "
           "its persistence (%d locations: %d in transition, %d post-transition; %d trajectories)\n"
           "# %s loss_transition met_transition loss_post met_post (losses summed over "
           "the phase's locations)\n",
           flag, skew ? "level's skew (at the compiled level shares)" : "level share", n,
           n_loc[0], n_loc[1], n_traj, par);
    int best[2] = {0, 0};
    for (int k = 0; k < n_pts; ++k) {
        printf("%.2f %.4f %d %.4f %d\n", vals[k], loss[0][k], met[0][k], loss[1][k], met[1][k]);
        for (int ph = 0; ph < 2; ++ph) {
            best[ph] = loss[ph][k] < loss[ph][best[ph]] ? k : best[ph];
        }
    }
    printf("best %s: %s_transition %.2f %s_post %.2f loss %.4f met %d (%s 0: loss %.4f met "
           "%d)\n",
           flag, par, vals[best[0]], par, vals[best[1]],
           n > 0 ? (loss[0][best[0]] + loss[1][best[1]]) / n : NAN,
           met[0][best[0]] + met[1][best[1]], par, n > 0 ? (loss[0][0] + loss[1][0]) / n : NAN,
           met[0][0] + met[1][0]);
    printf("compiled %s: %s_transition %.2f %s_post %.2f\n", flag, par,
           skew ? PS_PROB_SKEW_TFR_TRANSITION : PS_PROB_LEVEL_TFR_TRANSITION, par,
           skew ? PS_PROB_SKEW_TFR_POST : PS_PROB_LEVEL_TFR_POST);
}

static int run_growth(const ps_wpp_pi *pi, const int *codes, const int *cls, int n_codes,
                      int n_traj, const ps_build_options *bo, int tfr)
{
    const int n_pts = tfr == 4   ? (int)K_POINTS
                      : tfr == 3 ? (int)L_POINTS
                      : tfr == 2 ? 2
                      : tfr      ? (int)T_POINTS
                                 : (int)G_POINTS;
    double *gt = malloc((size_t)n_codes * sizeof *gt);
    double *gr = malloc((size_t)n_codes * sizeof *gr);
    int *fy = malloc((size_t)n_codes * sizeof *fy);
    int *ny = malloc((size_t)n_codes * sizeof *ny);
    /* each location's compiled point, as ps_prob_options_by_class makes it for popsim run
     * --location (the -l and -s points start from it) */
    double(*cp)[PS_WPP_PI_CALIB_PARAMS] = malloc((size_t)n_codes * sizeof *cp);
    double *devs = malloc((size_t)n_codes * MAX_POINTS * PS_WPP_PI_CALIB_N * sizeof *devs);
    double *dt = malloc((size_t)n_codes * PS_WPP_PI_CALIB_YEARS * sizeof *dt);
    ps_status *st = malloc((size_t)n_codes * sizeof *st);
    if (gt == NULL || gr == NULL || fy == NULL || ny == NULL || cp == NULL || devs == NULL ||
        dt == NULL || st == NULL) {
        fprintf(stderr, "calibrate_prob: out of memory\n");
        return 1;
    }
    for (int i = 0; i < n_codes; ++i) {
        ps_error e;
        ps_prob_bounds b;
        gr[i] = NAN;
        gt[i] = NAN;
        fy[i] = ny[i] = 0;
        if (ps_wpp_pi_bounds(&b, pi, codes[i], &e) == PS_OK) {
            fy[i] = b.first_year;
            ny[i] = b.n_years;
            gr[i] = ps_wpp_pi_mig_growth(pi, codes[i], &b);
            gt[i] = tfr_growth(&b);
            double pop[PS_WPP_PI_COLS];
            ps_prob_options o = PS_PROB_OPTIONS_INIT;
            ps_prob_options_by_class(&o, &b, ps_wpp_pi_pop(pop, pi, codes[i], b.first_year, &e)
                                                     == PS_OK ? pop[PS_WPP_PI_MEDIAN] : NAN,
                                     gr[i], ps_wpp_pi_mig_early_growth(pi, codes[i], &b));
            options_point(cp[i], &o);
            ps_prob_bounds_release(&b);
        }
    }
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < n_codes; ++i) {
        ps_error e;
        ps_error_clear(&e);
        double grid[MAX_POINTS][PS_WPP_PI_CALIB_PARAMS];
        for (int k = 0; k < n_pts; ++k) {
            if (tfr == 4) { /* -k: the level's skew, at the compiled level share (round 17) */
                memcpy(grid[k], cp[i], sizeof grid[k]);
                grid[k][3 * PS_PROB_PROC_COUNT] = k_skew[k];
                grid[k][6] = 0.0;
            } else if (tfr == 3) { /* -l: the level share, TFR uncentred (aligned, round 16) */
                memcpy(grid[k], cp[i], sizeof grid[k]);
                grid[k][3] = l_level[k];
                grid[k][6] = 0.0;
            } else if (tfr == 2) { /* -s: as compiled; point 1: TFR centred (before round 16) */
                memcpy(grid[k], cp[i], sizeof grid[k]);
                grid[k][6] = k == 0 ? grid[k][6]
                                    : ps_prob_center_for_sum(grid[k][0], grid[k][3], ny[i]);
            } else if (tfr) {
                tfr_point(grid[k], k, cls[i] >= 2, gr[i], gt[i], fy[i]);
            } else {
                growth_point(grid[k], k, cls[i] >= 2, cls[i] & 1, gr[i], fy[i]);
            }
        }
        if (tfr == 2) {
            det_devs(dt + (size_t)i * PS_WPP_PI_CALIB_YEARS, pi, codes[i], bo);
        }
        st[i] = ps_wpp_pi_calib_location(devs + (size_t)i * n_pts * PS_WPP_PI_CALIB_N, pi, codes[i],
                                         (const double(*)[PS_WPP_PI_CALIB_PARAMS])grid, n_pts,
                                         n_traj, 1,
                                         tfr >= 2 ? PS_PROB_MIG_PER_PERSON_LOCATION : 0, bo, &e);
        if (st[i] != PS_OK) {
            fprintf(stderr, "calibrate_prob: skipped: %s\n", e.msg);
        }
    }
    double loss[MAX_POINTS] = {0};
    int n_loc = 0;
    for (int i = 0; i < n_codes; ++i) {
        if (st[i] != PS_OK) {
            continue;
        }
        for (int k = 0; k < n_pts; ++k) {
            loss[k] += ps_wpp_pi_calib_loss(devs + ((size_t)i * n_pts + k) * PS_WPP_PI_CALIB_N);
        }
        ++n_loc;
    }
    if (tfr >= 3) {
        print_by_phase(devs, st, cls, n_codes, n_traj, tfr == 4);
    } else if (tfr == 2) {
        print_summary(devs, dt, st, cls, n_codes, n_pts, n_traj);
        int met_pt[2] = {0, 0};
        for (int i = 0; i < n_codes; ++i) {
            for (int k = 0; st[i] == PS_OK && k < 2; ++k) {
                met_pt[k] += criteria_met(devs + ((size_t)i * n_pts + (size_t)k) *
                                                     PS_WPP_PI_CALIB_N);
            }
        }
        printf("loss per location and criteria met: compiled %.4f, %d; with TFR centred "
               "%.4f, %d\n",
               loss[0] / n_loc, met_pt[0], loss[1] / n_loc, met_pt[1]);
    } else if (tfr) {
        printf("\n# -t: the TFR persistence from the growth of the location's log-TFR band "
               "(%d locations, %d trajectories; migration as compiled)\n# rho_tfr_floor "
               "rho_tfr_cap center_tfr_transition loss_per_location (floor 0: rho_tfr as "
               "compiled)\n",
               n_loc, n_traj);
        int best_t = 0;
        for (int k = 0; k < n_pts; ++k) {
            printf("%.2f %.3f %.2f %.4f\n", t_floor[k / (int)(N_OF(t_cap) * N_OF(t_center_tr))],
                   t_cap[k / (int)N_OF(t_center_tr) % (int)N_OF(t_cap)],
                   t_center_tr[k % (int)N_OF(t_center_tr)], loss[k] / n_loc);
            best_t = loss[k] < loss[best_t] ? k : best_t;
        }
        printf("best -t: rho_tfr floor %.2f cap %.3f center_tfr_transition %.2f loss %.4f\n",
               t_floor[best_t / (int)(N_OF(t_cap) * N_OF(t_center_tr))],
               t_cap[best_t / (int)N_OF(t_center_tr) % (int)N_OF(t_cap)],
               t_center_tr[best_t % (int)N_OF(t_center_tr)], loss[best_t] / n_loc);
    } else {
        print_growth(loss, n_loc, n_traj);
    }
    free(gt);
    free(gr);
    free(fy);
    free(ny);
    free(cp);
    free(devs);
    free(dt);
    free(st);
    return 0;
}

/* -g's table: the loss of every floor, cap and level share, the least and the compiled. */
static void print_growth(const double *loss, int n_loc, int n_traj)
{
    printf("\n# -g: migration persistence from the growth of the location's band "
           "(%d locations, %d trajectories)\n# rho_mig_floor rho_mig_cap level_tfr_post "
           "loss_per_location\n",
           n_loc, n_traj);
    printf("by-volatility-class - - %.4f\n", loss[0] / n_loc);
    int best = 1;
    for (int k = 1; k < (int)G_POINTS; ++k) {
        const int j = k - 1;
        printf("%.2f %.2f %.2f %.4f\n", g_floor[j / (int)(N_OF(g_cap) * N_OF(g_level_post))],
               g_cap[j / (int)N_OF(g_level_post) % (int)N_OF(g_cap)],
               g_level_post[j % (int)N_OF(g_level_post)], loss[k] / n_loc);
        best = loss[k] < loss[best] ? k : best;
    }
    const int j = best - 1;
    printf("best -g: rho_mig floor %.2f cap %.2f level_tfr_post %.2f loss %.4f\n",
           g_floor[j / (int)(N_OF(g_cap) * N_OF(g_level_post))],
           g_cap[j / (int)N_OF(g_level_post) % (int)N_OF(g_cap)],
           g_level_post[j % (int)N_OF(g_level_post)], loss[best] / n_loc);
    for (int k = 1; k < (int)G_POINTS; ++k) { /* the point compiled into popsim/prob.h */
        const int jk = k - 1;
        if (g_floor[jk / (int)(N_OF(g_cap) * N_OF(g_level_post))] == PS_PROB_RHO_MIG_FLOOR &&
            g_cap[jk / (int)N_OF(g_level_post) % (int)N_OF(g_cap)] == PS_PROB_RHO_MIG_CAP &&
            g_level_post[jk % (int)N_OF(g_level_post)] == PS_PROB_LEVEL_TFR_POST) {
            printf("compiled -g: rho_mig floor %.2f cap %.2f level_tfr_post %.2f loss %.4f "
                   "(by volatility class %.4f)\n",
                   PS_PROB_RHO_MIG_FLOOR, PS_PROB_RHO_MIG_CAP, PS_PROB_LEVEL_TFR_POST,
                   loss[k] / n_loc, loss[0] / n_loc);
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr,
                "usage: calibrate_prob WPP_DIR TRAJ [-u|-c|-p|-g|-t|-l|-k|-s] [CODE ...]\n");
        return 2;
    }
    const int uncentred_tfr = argc > 3 && strcmp(argv[3], "-u") == 0;
    const int tfr_centring = argc > 3 && strcmp(argv[3], "-c") == 0;
    const int pairs = argc > 3 && strcmp(argv[3], "-p") == 0;
    const int growth = argc > 3 && strcmp(argv[3], "-g") == 0;
    const int tfr_band = argc > 3 && strcmp(argv[3], "-t") == 0;
    const int summary = argc > 3 && strcmp(argv[3], "-s") == 0;
    const int level = argc > 3 && strcmp(argv[3], "-l") == 0;
    const int skew = argc > 3 && strcmp(argv[3], "-k") == 0;
    /* the codes follow the flag */
    if (uncentred_tfr || tfr_centring || pairs || growth || tfr_band || summary || level ||
        skew) {
        for (int i = 3; i + 1 < argc; ++i) {
            argv[i] = argv[i + 1];
        }
        --argc;
    }
    ps_init();
    ps_error err;
    ps_error_clear(&err);
    ps_wpp_pi *pi = NULL;
    const int n_traj = atoi(argv[2]);
    char cache[4096];
    ps_build_options bo = {.wpp_dir = argv[1], .project_root = NULL, .cache_dir = NULL};
    if (ps_wpp_default_cache_dir(cache, sizeof cache, NULL) == PS_OK) {
        bo.cache_dir = cache;
    }
    if (ps_wpp_pi_load(&pi, argv[1], &err) != PS_OK) {
        fprintf(stderr, "calibrate_prob: %s\n", err.msg);
        return 1;
    }
    static double grid[NG][PS_WPP_PI_CALIB_PARAMS];
    static long at[NG];
    size_t n_grid = 0;
    for (size_t f = 0; f < NF; ++f) {
        const size_t rf = f / (N_OF(grid_lf) * N_OF(grid_cf));
        const size_t lf = f / N_OF(grid_cf) % N_OF(grid_lf), cf = f % N_OF(grid_cf);
        for (size_t e = 0; e < NE; ++e) {
            for (size_t m = 0; m < NM; ++m) {
                const double point[PS_WPP_PI_CALIB_PARAMS] = {
                    grid_f[rf], RHO_E0,      grid_m[m],   grid_lf[lf], 0.0,
                    0.0,        grid_cf[cf], grid_cem[e], grid_cem[e]};
                at[FULL_AT(f, e, m)] = -1;
                /* the grids before -p: level share 0 or 0.5, rho_m from 0.7 */
                const int old_grid = grid_lf[lf] != 0.25 && grid_m[m] >= 0.7;
                const int keep = pairs ? grid_f[rf] >= PAIRS_RHO_F_MIN && grid_cf[cf] != 0.5 &&
                                             grid_cem[e] == 1.0 && grid_m[m] >= PAIRS_RHO_M_MIN &&
                                             grid_m[m] <= PAIRS_RHO_M_MAX
                                 : !old_grid    ? 0
                                 : tfr_centring ? grid_f[rf] == 0.95 && grid_lf[lf] == 0.0 &&
                                                      grid_cem[e] == 1.0 && grid_m[m] >= 0.9
                                 : uncentred_tfr ? grid_cf[cf] == 0.0 && grid_cem[e] == 1.0
                                                 : 1;
                if (keep) {
                    memcpy(grid[n_grid], point, sizeof point);
                    at[FULL_AT(f, e, m)] = (long)n_grid++;
                }
            }
        }
    }
    const int n_all = argc > 3 ? argc - 3 : ps_wpp_pi_count(pi);
    int n_codes = 0;
    int *codes = malloc((size_t)n_all * sizeof *codes);
    int *cls = malloc((size_t)n_all * sizeof *cls); /* 2 x post-transition + volatile */
    double *devs = malloc((size_t)n_all * n_grid * PS_WPP_PI_CALIB_N * sizeof *devs);
    ps_status *st = malloc((size_t)n_all * sizeof *st);
    if (codes == NULL || cls == NULL || devs == NULL || st == NULL) {
        fprintf(stderr, "calibrate_prob: out of memory\n");
        return 1;
    }
    for (int i = 0; i < n_all; ++i) {
        if (argc > 3) {
            codes[n_codes++] = atoi(argv[3 + i]);
        } else if (ps_wpp_pi_is_country(pi, i)) {
            codes[n_codes++] = ps_wpp_pi_code(pi, i);
        }
    }
    for (int i = 0; i < n_codes; ++i) {
        ps_prob_bounds b;
        double pop[PS_WPP_PI_COLS];
        cls[i] = 0;
        if (ps_wpp_pi_bounds(&b, pi, codes[i], &err) == PS_OK &&
            ps_wpp_pi_pop(pop, pi, codes[i], b.first_year, &err) == PS_OK) {
            cls[i] =
                2 * ps_prob_post_transition(&b) + ps_prob_mig_volatile(&b, pop[PS_WPP_PI_MEDIAN]);
        }
        ps_prob_bounds_release(&b);
    }
    if (growth || tfr_band || summary || level || skew) {
        const int rc_g = run_growth(pi, codes, cls, n_codes, n_traj, &bo,
                                    skew      ? 4
                                    : level   ? 3
                                    : summary ? 2
                                              : tfr_band);
        ps_wpp_pi_free(pi);
        free(codes);
        free(cls);
        free(devs);
        free(st);
        return rc_g;
    }
    /* one location per thread (each single-threaded); the sums run in location order */
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < n_codes; ++i) {
        ps_error e;
        ps_error_clear(&e);
        st[i] = ps_wpp_pi_calib_location(devs + (size_t)i * n_grid * PS_WPP_PI_CALIB_N, pi,
                                         codes[i], (const double(*)[PS_WPP_PI_CALIB_PARAMS])grid,
                                         (int)n_grid, n_traj, 1, 0, &bo, &e);
        if (st[i] != PS_OK) {
            fprintf(stderr, "calibrate_prob: skipped: %s\n", e.msg);
        }
    }
    static double loss[NG], cell[4][NG];
    int n_loc = 0, n_skip = 0, n_cell[4] = {0};
    for (int i = 0; i < n_codes; ++i) {
        if (st[i] != PS_OK) {
            ++n_skip;
            continue;
        }
        for (size_t g = 0; g < n_grid; ++g) {
            const double l =
                ps_wpp_pi_calib_loss(devs + ((size_t)i * n_grid + g) * PS_WPP_PI_CALIB_N);
            loss[g] += l;
            cell[cls[i]][g] += l;
        }
        ++n_cell[cls[i]];
        ++n_loc;
    }
    size_t best = 0;
    printf("\n# rho_tfr rho_e0 rho_mig level_tfr level_e0 level_mig center_tfr center_e0 "
           "center_mig loss_per_location (%d locations, %d skipped, %d trajectories)\n",
           n_loc, n_skip, n_traj);
    for (size_t g = 0; g < n_grid; ++g) {
        printf("%.3f %.3f %.3f %.2f %.2f %.2f %.2f %.2f %.2f %.4f", grid[g][0], grid[g][1],
               grid[g][2], grid[g][3], grid[g][4], grid[g][5], grid[g][6], grid[g][7], grid[g][8],
               loss[g] / n_loc);
        if (pairs) { /* -p: the loss per location of each class, as numbered in cls */
            for (int k = 0; k < 4; ++k) {
                printf(" %.4f", n_cell[k] > 0 ? cell[k][g] / n_cell[k] : 0.0);
            }
        }
        printf("\n");
        best = loss[g] < loss[best] ? g : best;
    }
    /* the TFR bounds must stay within 2 % of the UN's (issue #14 sec. 3): centring TFR moves
     * them by up to 4 % (Nigeria), so the estimate keeps TFR uncentred */
    size_t best_c = NG;
    for (size_t g = 0; g < n_grid; ++g) {
        if (grid[g][6] == 0.0 && (best_c == NG || loss[g] < loss[best_c])) {
            best_c = g;
        }
    }
    /* by class: TFR triple per phase p, migration rho per class v, e0/migration centring
     * shared; cell (p, v) has loss cell[2p + v][GRID_AT(f_p, e, m_v)] */
    double best_cls = INFINITY;
    size_t bf[2] = {0, 0}, bm[2] = {0, 0}, be = 0;
    double free_cls = INFINITY, free_m[2] = {0.0, 0.0}, free_f[2] = {0.0, 0.0};
    for (size_t e = 0; e < NE; ++e) {
        for (size_t f0 = 0; f0 < NF; ++f0) {
            for (size_t f1 = 0; f1 < NF; ++f1) {
                for (size_t m0 = 0; m0 < NM; ++m0) {
                    for (size_t m1 = 0; m1 < NM; ++m1) {
                        if (GRID_AT(f0, e, m0) < 0 || GRID_AT(f0, e, m1) < 0 ||
                            GRID_AT(f1, e, m0) < 0 || GRID_AT(f1, e, m1) < 0) {
                            continue;
                        }
                        const double s = cell[0][GRID_AT(f0, e, m0)] + cell[1][GRID_AT(f0, e, m1)] +
                                         cell[2][GRID_AT(f1, e, m0)] + cell[3][GRID_AT(f1, e, m1)];
                        if (s < free_cls) { /* -c: the migration persistences free too */
                            free_cls = s;
                            free_m[0] = grid_m[m0];
                            free_m[1] = grid_m[m1];
                            free_f[0] = grid[GRID_AT(f0, e, m0)][6];
                            free_f[1] = grid[GRID_AT(f1, e, m0)][6];
                        }
                        /* -c estimates the TFR centring by phase with the migration
                         * persistences held at the compiled (-u) estimate */
                        if (tfr_centring &&
                            (grid_m[m0] != C_RHO_M_STEADY || grid_m[m1] != C_RHO_M_VOLATILE)) {
                            continue;
                        }
                        if (s < best_cls) {
                            best_cls = s;
                            bf[0] = f0;
                            bf[1] = f1;
                            bm[0] = m0;
                            bm[1] = m1;
                            be = e;
                        }
                    }
                }
            }
        }
    }
    printf("# locations per class: in transition %d (volatile migration %d), post-transition "
           "%d (volatile migration %d)\n",
           n_cell[0] + n_cell[1], n_cell[1], n_cell[2] + n_cell[3], n_cell[3]);
    for (int p = 0; p < 2; ++p) {
        const double *g = grid[GRID_AT(bf[p], be, bm[0])];
        printf("by class: %s rho_tfr %.3f level_tfr %.2f center_tfr %.2f\n",
               p ? "post-transition" : "in-transition", g[0], g[3], g[6]);
    }
    for (int v = 0; v < 2; ++v) {
        printf("by class: %s rho_mig %.3f\n", v ? "volatile-migration" : "steady-migration",
               grid_m[bm[v]]);
    }
    printf("by class: center_e0 %.2f center_mig %.2f loss %.4f\n", grid_cem[be], grid_cem[be],
           best_cls / n_loc);
    if (tfr_centring) {
        printf("# -c with the migration persistences free as well: center_tfr %.2f in transition, "
               "%.2f post-transition, rho_mig %.3f steady, %.3f volatile, loss %.4f\n",
               free_f[0], free_f[1], free_m[0], free_m[1], free_cls / n_loc);
    }
    printf("unconstrained: rho_tfr %.3f rho_e0 %.3f rho_mig %.3f level_tfr %.2f level_e0 %.2f "
           "level_mig %.2f center_tfr %.2f center_e0 %.2f center_mig %.2f loss %.4f\n",
           grid[best][0], grid[best][1], grid[best][2], grid[best][3], grid[best][4], grid[best][5],
           grid[best][6], grid[best][7], grid[best][8], loss[best] / n_loc);
    printf("best: PS_PROB_RHO_TFR %.3f PS_PROB_RHO_E0 %.3f PS_PROB_RHO_MIG %.3f "
           "PS_PROB_LEVEL_TFR %.2f PS_PROB_LEVEL_E0 %.2f PS_PROB_LEVEL_MIG %.2f "
           "PS_PROB_CENTER_TFR %.2f PS_PROB_CENTER_E0 %.2f PS_PROB_CENTER_MIG %.2f loss %.4f\n",
           grid[best_c][0], grid[best_c][1], grid[best_c][2], grid[best_c][3], grid[best_c][4],
           grid[best_c][5], grid[best_c][6], grid[best_c][7], grid[best_c][8],
           loss[best_c] / n_loc);
    ps_wpp_pi_free(pi);
    free(codes);
    free(cls);
    free(devs);
    free(st);
    return 0;
}

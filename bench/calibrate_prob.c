/*
 * calibrate_prob.c - the estimator of the persistences and level shares compiled into
 * popsim/prob.h (PS_PROB_RHO_*, PS_PROB_LEVEL_*; docs/model.md sec. 9.3). Every WPP
 * country or area (or the M49 codes given) is projected from 1 July 2025 with TRAJ
 * trajectories for every point of the grid below, with common random numbers; the loss of a
 * grid point is the sum over locations of ps_wpp_pi_calib_loss (the squared deviations of the
 * total population's 2.5, 10, 50, 90 and 97.5 % quantiles at 2050 and 2100 from the UN's, in
 * units where each criterion of issue #14 sec. 3 is met at 0.2, capped at 1 per criterion).
 * Prints the loss of every grid point and the best one, whose values go into prob.h.
 *
 * usage: calibrate_prob WPP_DIR TRAJ [CODE ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/builder.h"
#include "popsim/run.h"
#include "popsim/wpp.h"
#include "popsim/wpp_pi.h"

/* rho_f x level_f x rho_e x level_e x rho_m (migration keeps no level: its volatile yearly
 * flows are what the UN's migration intervals describe) */
static const double grid_f[] = { 0.9, 0.95, 0.97, 0.99 };
static const double grid_lf[] = { 0.0, 0.25, 0.5, 0.75 };
static const double grid_e[] = { 0.9, 0.99 };
static const double grid_le[] = { 0.0, 0.5 };
static const double grid_m[] = { 0.5, 0.7, 0.8, 0.9, 0.95 };
#define N_OF(a) (sizeof a / sizeof a[0])
#define NG (N_OF(grid_f) * N_OF(grid_lf) * N_OF(grid_e) * N_OF(grid_le) * N_OF(grid_m))

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: calibrate_prob WPP_DIR TRAJ [CODE ...]\n");
        return 2;
    }
    ps_init();
    ps_error err;
    ps_error_clear(&err);
    ps_wpp_pi *pi = NULL;
    const int n_traj = atoi(argv[2]);
    char cache[4096];
    ps_build_options bo = { .wpp_dir = argv[1], .project_root = NULL, .cache_dir = NULL };
    if (ps_wpp_default_cache_dir(cache, sizeof cache, NULL) == PS_OK) {
        bo.cache_dir = cache;
    }
    if (ps_wpp_pi_load(&pi, argv[1], &err) != PS_OK) {
        fprintf(stderr, "calibrate_prob: %s\n", err.msg);
        return 1;
    }
    static double grid[NG][2 * PS_PROB_PROC_COUNT], loss[NG];
    size_t g = 0;
    for (size_t f = 0; f < N_OF(grid_f); ++f) {
        for (size_t lf = 0; lf < N_OF(grid_lf); ++lf) {
            for (size_t e = 0; e < N_OF(grid_e); ++e) {
                for (size_t le = 0; le < N_OF(grid_le); ++le) {
                    for (size_t m = 0; m < N_OF(grid_m); ++m, ++g) {
                        const double point[2 * PS_PROB_PROC_COUNT] = {
                            grid_f[f], grid_e[e], grid_m[m], grid_lf[lf], grid_le[le], 0.0 };
                        memcpy(grid[g], point, sizeof point);
                    }
                }
            }
        }
    }
    int n_loc = 0, n_skip = 0, n_codes = 0;
    const int n_all = argc > 3 ? argc - 3 : ps_wpp_pi_count(pi);
    int *codes = malloc((size_t)n_all * sizeof *codes);
    double *devs = malloc((size_t)n_all * NG * PS_WPP_PI_CALIB_N * sizeof *devs);
    ps_status *st = malloc((size_t)n_all * sizeof *st);
    if (codes == NULL || devs == NULL || st == NULL) {
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
    /* one location per thread (each single-threaded); the sums run in location order */
#pragma omp parallel for schedule(dynamic, 1)
    for (int i = 0; i < n_codes; ++i) {
        ps_error e;
        ps_error_clear(&e);
        st[i] = ps_wpp_pi_calib_location(devs + (size_t)i * NG * PS_WPP_PI_CALIB_N, pi, codes[i],
                                         (const double (*)[2 * PS_PROB_PROC_COUNT])grid, (int)NG, n_traj, 1, &bo, &e);
        if (st[i] != PS_OK) {
            fprintf(stderr, "calibrate_prob: skipped: %s\n", e.msg);
        }
    }
    for (int i = 0; i < n_codes; ++i) {
        if (st[i] != PS_OK) {
            ++n_skip;
            continue;
        }
        for (g = 0; g < NG; ++g) {
            loss[g] += ps_wpp_pi_calib_loss(devs + ((size_t)i * NG + g) * PS_WPP_PI_CALIB_N);
        }
        ++n_loc;
    }
    size_t best = 0;
    printf("\n# rho_tfr rho_e0 rho_mig level_tfr level_e0 level_mig loss_per_location (%d "
           "locations, %d skipped, %d trajectories)\n", n_loc, n_skip, n_traj);
    for (g = 0; g < NG; ++g) {
        printf("%.3f %.3f %.3f %.2f %.2f %.2f %.4f\n", grid[g][0], grid[g][1], grid[g][2],
               grid[g][3], grid[g][4], grid[g][5], loss[g] / n_loc);
        best = loss[g] < loss[best] ? g : best;
    }
    printf("best: PS_PROB_RHO_TFR %.3f PS_PROB_RHO_E0 %.3f PS_PROB_RHO_MIG %.3f "
           "PS_PROB_LEVEL_TFR %.2f PS_PROB_LEVEL_E0 %.2f PS_PROB_LEVEL_MIG %.2f loss %.4f\n",
           grid[best][0], grid[best][1], grid[best][2], grid[best][3], grid[best][4],
           grid[best][5], loss[best] / n_loc);
    ps_wpp_pi_free(pi);
    free(codes);
    free(devs);
    free(st);
    return 0;
}

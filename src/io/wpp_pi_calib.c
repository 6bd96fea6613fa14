/*
 * wpp_pi_calib.c - the estimator of the process parameters of popsim/prob.h (docs/model.md
 * sec. 9.3): each WPP location is projected for a grid of persistences, level shares and
 * centrings with the same random streams, and its total population quantiles at 2050 and
 * 2100 are compared with the UN's intervals; bench/calibrate_prob.c sums the losses over all
 * countries and picks the grid point (or the parameters by class) with the least total.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/builder.h"
#include "popsim/wpp_pi.h"

/* Issue #2 tolerance of the total population, relative, and the bound tolerance of issue #14
 * in units of the UN bound's distance from its median. */
#define CALIB_MEDIAN_TOL 0.003
#define CALIB_BOUND_TOL 0.2

static const int calib_years[PS_WPP_PI_CALIB_YEARS] = { 2050, 2100 };

double ps_wpp_pi_calib_loss(const double dev[PS_WPP_PI_CALIB_N])
{
    double s = 0.0;
    for (int k = 0; k < PS_WPP_PI_CALIB_N; ++k) {
        const double d2 = isfinite(dev[k]) ? dev[k] * dev[k] : 1.0;
        s += d2 < 1.0 ? d2 : 1.0;
    }
    return s;
}

ps_status ps_wpp_pi_calib_location(double *dev_out, const ps_wpp_pi *pi, int code,
                                   const double (*grid)[PS_WPP_PI_CALIB_PARAMS], int n_grid,
                                   int n_traj, int n_threads, int mig_per_person,
                                   const struct ps_build_options *bo, ps_error *err)
{
    ps_inputs in;
    ps_prob_bounds b;
    ps_prob *p = NULL;
    char code_text[16];
    double un[PS_WPP_PI_CALIB_YEARS][PS_WPP_PI_COLS]; /* the knots, then low and high */
    double *x = malloc((size_t)n_traj * sizeof *x);
    int c = 0;
    memset(&in, 0, sizeof in);
    memset(&b, 0, sizeof b);
    snprintf(code_text, sizeof code_text, "%d", code);
    ps_status rc = x == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory") : PS_OK;
    for (int y = 0; rc == PS_OK && y < PS_WPP_PI_CALIB_YEARS; ++y) {
        rc = ps_wpp_pi_pop_mid(un[y], pi, code, calib_years[y], err);
    }
    if (rc == PS_OK) {
        rc = ps_build_wpp_inputs(&in, &c, NULL, 0, code_text, 2025, 2100, bo, err);
    }
    if (rc == PS_OK) {
        rc = ps_wpp_pi_bounds(&b, pi, code, err);
    }
    ps_prob_options po = PS_PROB_OPTIONS_INIT;
    po.n_traj = n_traj;
    po.n_threads = n_threads;
    po.mig_per_person = mig_per_person;
    /* mode 3 as popsim run --location has it since round 13 */
    po.mig_size_elasticity = mig_per_person == 3 ? PS_PROB_MIG_SIZE_ELASTICITY_LOCATION : 0.0;
    po.align_median = mig_per_person == 3; /* and its median's alignment (round 14) */
    if (rc == PS_OK) {
        rc = ps_prob_new(&p, &in, &b, &po, err);
    }
    for (int g = 0; rc == PS_OK && g < n_grid; ++g) {
        rc = ps_prob_restart(p, grid[g], grid[g] + PS_PROB_PROC_COUNT,
                             grid[g] + 3 * PS_PROB_PROC_COUNT, err);
        if (rc == PS_OK && (g == 0 || memcmp(grid[g] + 2 * PS_PROB_PROC_COUNT,
                                             grid[g - 1] + 2 * PS_PROB_PROC_COUNT,
                                             PS_PROB_PROC_COUNT * sizeof(double)) != 0)) {
            rc = ps_prob_recenter(p, grid[g] + 2 * PS_PROB_PROC_COUNT, err);
        }
        for (int u = 0; rc == PS_OK && u < ps_prob_n_units(p); ++u) {
            rc = ps_prob_unit(p, u, err);
        }
        if (rc == PS_OK && po.align_median) {
            rc = ps_prob_align(p, NULL, 0, n_traj, err);
        }
        const double *tr = rc == PS_OK ? ps_prob_trajectories(p, PS_PROB_V_POP_TOTAL) : NULL;
        for (int y = 0; rc == PS_OK && y < PS_WPP_PI_CALIB_YEARS; ++y) {
            const double *row = tr + (size_t)(calib_years[y] - 2025) * (size_t)n_traj;
            const double *u = un[y];
            for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
                memcpy(x, row, (size_t)n_traj * sizeof *x);
                const double q = ps_prob_sample_quantile(x, n_traj, ps_prob_level(k));
                double *d = &dev_out[((size_t)g * PS_WPP_PI_CALIB_YEARS + (size_t)y) *
                                     PS_PROB_N_KNOTS + (size_t)k];
                if (k == PS_PROB_KNOT_MEDIAN) {
                    *d = (q / u[k] - 1.0) / CALIB_MEDIAN_TOL * CALIB_BOUND_TOL;
                } else {
                    const double dist = fabs(u[k] - u[PS_PROB_KNOT_MEDIAN]);
                    *d = dist > 0.0 ? (q - u[k]) / dist : NAN;
                }
            }
        }
    }
    if (rc != PS_OK) {
        ps_error_prepend(err, "calibration, location %d: ", code);
    }
    ps_prob_free(p);
    ps_prob_bounds_release(&b);
    ps_inputs_release(&in);
    free(x);
    return rc;
}

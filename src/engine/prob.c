/*
 * prob.c - probabilistic projections (popsim/prob.h, docs/model.md sec. 9): each
 * trajectory's TFR, e0 by sex and net migration by calendar year from the process of
 * traj.c, turned into the step rates of the ensemble kernel, and the trajectories
 * summarised as quantiles and means.
 *
 * Around the median paths of `in`: a step's ASFR is the input ASFR times the ratio of the
 * trajectory's TFR to the median TFR (both the mean of the step's two calendar years); its
 * survivorship is that of the input mx scaled by e^k, with k such that the life table's e0
 * moves by the trajectory's e0 deviation from the median (interpolated in a table of
 * PS_PROB_E0_ROWS shifts made once per step and sex); its net migrants by age and sex are the
 * input's plus the trajectory's deviation of the total spread by the location's age pattern
 * of migration (|m(sex, age)| over the projection, normalised; Rogers-Castro where the
 * inputs have no migration at all), which works as well when the median total is near zero.
 * With mig_per_person (a calibration experiment) those migrants (3: the inputs' alone) are
 * then scaled by the trajectory's population over the inputs' own projection at the start of
 * the step.
 * A trajectory whose scores are all 0 reproduces the deterministic projection exactly.
 * With align_median, ps_prob_align then multiplies every trajectory by the year's factor
 * that puts the median total population on the deterministic projection (sec. 9.7).
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/ensemble.h"
#include "popsim/prob.h"
#include "popsim/units.h"
#include "prob_paths_int.h"
#include "quantiles_int.h"

/* Lanes of a batch of the ensemble (the width each thread took of a 128-lane unit before). */
#define PS_PROB_ENS_BATCH 64

/* Ages of the dependency ratios. */
#define PS_PROB_CHILD_MAX 14
#define PS_PROB_OLD_MIN 65

static const int var_cells[PS_PROB_V_COUNT] = { 1, PS_SEX_COUNT * PS_PROB_N_GROUPS, 1, 1, 1, 1,
                                                PS_SEX_COUNT, 1, 1, 1, 1, 1 };

struct ps_prob {
    const ps_inputs *in;
    const ps_prob_bounds *b;
    ps_prob_options opt;
    int n_steps, n_years, n_ages, n_traj, n_units, n_units_done, finished;
    int rows_dropped;     /* ps_prob_drop_rows: traj freed before the finish */
    int aligned;          /* ps_prob_align ran on this run of the units */
    double *align;        /* [year] its factors, or NULL */
    int y0;               /* bounds index of start_year */
    int start_year;
    ps_prob_paths pp;     /* medians, migration pattern, e0 and survivorship tables */
    ps_prob_level_map *lmap[PS_PROB_PROC_COUNT]; /* skewed levels (round 17), or NULL */
    double *traj[PS_PROB_V_COUNT];  /* [year][cell][traj] */
    double *stats[PS_PROB_V_COUNT]; /* [year][cell][stat] */
    unsigned char *done;  /* [unit] */
    int last_unit;        /* the unit whose populations ws_pop holds, -1 = none */
    /* workspace of the units of one ensemble call (up to PS_PROB_UNITS_CHUNK units; one call
     * at a time per object) */
    double *ws_tfr, *ws_e0, *ws_mig, *ws_pop, *ws_births, *ws_adj, *ws_z, *acc;
    double *ws_bb; /* base corrections: births [y0 + 1][lanes], then migrants [lanes] */
    ps_ens_events *ws_ev;
    double *ws_lane; /* unit_ctx.lane */
    int *ws_lane_idx; /* unit_ctx.lane_idx */
};

int ps_prob_var_cells(ps_prob_var v)
{
    return var_cells[v];
}

int ps_prob_n_units(const ps_prob *p)
{
    return p->n_units;
}

int ps_prob_n_traj(const ps_prob *p)
{
    return p->n_traj;
}

const ps_prob_options *ps_prob_options_of(const ps_prob *p)
{
    return &p->opt;
}

int ps_prob_n_years(const ps_prob *p)
{
    return p->n_years;
}

int ps_prob_start_year(const ps_prob *p)
{
    return p->start_year;
}

const double *ps_prob_stats(const ps_prob *p, ps_prob_var v)
{
    return p->finished ? p->stats[v] : NULL;
}

const double *ps_prob_trajectories(const ps_prob *p, ps_prob_var v)
{
    return p->traj[v];
}

void ps_prob_free(ps_prob *p)
{
    if (p == NULL) {
        return;
    }
    ps_prob__paths_release(&p->pp);
    for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
        ps_prob_level_map_free(p->lmap[k]);
    }
    for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
        free(p->traj[v]);
        free(p->stats[v]);
    }
    free(p->done);
    free(p->align);
    free(p->ws_tfr);
    free(p->ws_e0);
    free(p->ws_mig);
    free(p->ws_pop);
    free(p->ws_births);
    free(p->ws_adj);
    free(p->ws_z);
    free(p->acc);
    free(p->ws_ev);
    free(p->ws_bb);
    free(p->ws_lane);
    free(p->ws_lane_idx);
    free(p);
}

/* The process parameters: rho in [0, 1), level shares in [0, 1], level skews within
 * +-PS_PROB_LEVEL_SKEW_MAX (level or skew NULL: not checked). */
static ps_status check_process(const double rho[PS_PROB_PROC_COUNT],
                               const double level[PS_PROB_PROC_COUNT],
                               const double skew[PS_PROB_PROC_COUNT], ps_error *err)
{
    for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
        if (!(rho[k] >= 0.0 && rho[k] < 1.0)) {
            return ps_error_set(err, PS_EINVAL, "persistence rho[%d] = %g is outside [0, 1)", k,
                                rho[k]);
        }
        if (level != NULL && !(level[k] >= 0.0 && level[k] <= 1.0)) {
            return ps_error_set(err, PS_EINVAL, "level share [%d] = %g is outside [0, 1]", k,
                                level[k]);
        }
        if (skew != NULL && !(fabs(skew[k]) <= PS_PROB_LEVEL_SKEW_MAX)) {
            return ps_error_set(err, PS_EINVAL, "level skew [%d] = %g is outside [-%g, %g]", k,
                                skew[k], PS_PROB_LEVEL_SKEW_MAX, PS_PROB_LEVEL_SKEW_MAX);
        }
    }
    return PS_OK;
}

int ps_prob_level_is_skewed(const ps_prob_options *opt, ps_prob_proc proc)
{
    const double L = opt->level[proc];
    return opt->variant == PS_PROB_VARIANT_NONE && L > 0.0 && L < 1.0 &&
           opt->level_skew[proc] != 0.0;
}

/* The tables of the skewed levels (round 17; ps_prob_level_is_skewed). */
static ps_status make_level_maps(ps_prob *p, ps_error *err)
{
    for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
        ps_prob_level_map_free(p->lmap[k]);
        p->lmap[k] = NULL;
        if (ps_prob_level_is_skewed(&p->opt, (ps_prob_proc)k)) {
            ps_status rc = ps_prob_level_map_new(&p->lmap[k], p->opt.level[k],
                                                 p->opt.level_skew[k], err);
            if (rc != PS_OK) {
                return rc;
            }
        }
    }
    return PS_OK;
}

ps_status ps_prob_new(ps_prob **out, const ps_inputs *in, const ps_prob_bounds *b,
                      const ps_prob_options *opt, ps_error *err)
{
    const ps_prob_options defaults = PS_PROB_OPTIONS_INIT;
    *out = NULL;
    opt = opt != NULL ? opt : &defaults;
    if (in->n_regions != 1) {
        return ps_error_set(err, PS_EINVAL, "probabilistic projections take one region (got %d)",
                            in->n_regions);
    }
    const int n_traj = opt->variant != PS_PROB_VARIANT_NONE ? 1
                       : opt->n_traj > 0                    ? opt->n_traj
                                                            : PS_PROB_TRAJ_DEFAULT;
    if (opt->n_traj < 0 || n_traj > PS_PROB_TRAJ_MAX || opt->n_threads < 0) {
        return ps_error_set(err, PS_EINVAL, "trajectories: expected 1 to %d and threads >= 0 "
                            "(got %d trajectories, %d threads)", PS_PROB_TRAJ_MAX, opt->n_traj,
                            opt->n_threads);
    }
    ps_status prc = check_process(opt->rho, opt->level, opt->level_skew, err);
    if (prc != PS_OK) {
        return prc;
    }
    if (opt->mig_per_person != 0 &&
        (opt->mig_per_person < 0 || opt->mig_per_person > 3 ||
         opt->variant != PS_PROB_VARIANT_NONE)) {
        return ps_error_set(err, PS_EINVAL, "migrants per person: expected 0 to 3, and 0 "
                            "with a variant (got %d)", opt->mig_per_person);
    }
    if (!(opt->mig_size_elasticity >= 0.0 && opt->mig_size_elasticity <= 1.0) ||
        (opt->mig_size_elasticity != 0.0 && opt->mig_per_person != 3)) {
        return ps_error_set(err, PS_EINVAL, "the size elasticity of the migration deviation: "
                            "expected 0 to 1, and 0 unless migrants per person is 3 (got %g "
                            "with %d)", opt->mig_size_elasticity, opt->mig_per_person);
    }
    if (opt->align_median != 0 &&
        (opt->align_median != 1 || opt->variant != PS_PROB_VARIANT_NONE ||
         opt->keep_population)) {
        return ps_error_set(err, PS_EINVAL, "the median's alignment: expected 0 or 1, and 0 "
                            "with a variant or with every year's populations kept (got %d)",
                            opt->align_median);
    }
    if (b->first_year > in->start_year || b->first_year + b->n_years - 1 < in->end_year) {
        return ps_error_set(err, PS_EINVAL, "the interval bounds cover %d-%d; the projection "
                            "needs %d-%d", b->first_year, b->first_year + b->n_years - 1,
                            in->start_year, in->end_year);
    }
    ps_status rc = ps_prob_bounds_check(b, err);
    if (rc != PS_OK) {
        return rc;
    }
    if (opt->variant != PS_PROB_VARIANT_NONE) {
        const double *v = opt->variant == PS_PROB_VARIANT_LOW ? b->tfr_low : b->tfr_high;
        for (int y = in->start_year; y <= in->end_year; ++y) {
            if (!(v[y - b->first_year] > 0.0)) {
                return ps_error_set(err, PS_EINVAL, "the %s variant has no TFR for %d",
                                    opt->variant == PS_PROB_VARIANT_LOW ? "low" : "high", y);
            }
        }
    }
    ps_prob *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the probabilistic run");
    }
    p->in = in;
    p->b = b;
    p->opt = *opt;
    p->n_traj = n_traj;
    p->n_steps = ps_inputs_steps(in);
    p->n_years = p->n_steps + 1;
    p->n_ages = in->n_ages;
    p->y0 = in->start_year - b->first_year;
    p->start_year = in->start_year;
    p->n_units = (n_traj + PS_PROB_UNIT_TRAJ - 1) / PS_PROB_UNIT_TRAJ;
    p->last_unit = -1;
    const size_t S = (size_t)p->n_steps, n = (size_t)p->n_ages;
    p->done = calloc((size_t)p->n_units, 1);
    /* lanes of the workspace: PS_PROB_UNITS_CHUNK units (ps_prob_units), the populations of
     * every year one unit (keep_population) */
    const int chunk = PS_PROB_UNITS_CHUNK * PS_PROB_UNIT_TRAJ;
    const size_t W = (size_t)(n_traj < chunk ? n_traj : chunk);
    const size_t W1 = (size_t)(n_traj < PS_PROB_UNIT_TRAJ ? n_traj : PS_PROB_UNIT_TRAJ);
    const size_t Y = (size_t)p->n_years;
    p->ws_tfr = malloc(Y * W * sizeof *p->ws_tfr);
    p->ws_e0 = malloc(Y * PS_SEX_COUNT * W * sizeof *p->ws_e0);
    p->ws_mig = malloc(Y * W * sizeof *p->ws_mig);
    /* every year's populations only on request; one byte otherwise (no year is stored) */
    p->ws_pop = malloc(opt->keep_population ? Y * PS_SEX_COUNT * n * W1 * sizeof *p->ws_pop : 1);
    p->ws_births = malloc(S * PS_SEX_COUNT * W * sizeof *p->ws_births);
    p->ws_adj = malloc(S * W * sizeof *p->ws_adj);
    p->ws_z = malloc((size_t)(p->y0 + p->n_years) * W * sizeof *p->ws_z); /* per lane */
    p->acc = malloc(7 * W * sizeof *p->acc);
    p->ws_bb = malloc((size_t)(p->y0 + 2) * W * sizeof *p->ws_bb);
    p->ws_ev = malloc(S * sizeof *p->ws_ev);
    p->ws_lane = malloc(4 * W * sizeof *p->ws_lane);
    p->ws_lane_idx = malloc(2 * PS_SEX_COUNT * W * sizeof *p->ws_lane_idx);
    int ok = p->ws_tfr && p->ws_e0 && p->ws_mig && p->ws_pop && p->ws_births && p->ws_adj &&
             p->ws_z && p->acc && p->ws_ev && p->ws_bb && p->done && p->ws_lane &&
             p->ws_lane_idx;
    for (int v = 0; ok && v < PS_PROB_V_COUNT; ++v) {
        const size_t cells = (size_t)p->n_years * (size_t)var_cells[v];
        p->traj[v] = malloc(cells * (size_t)n_traj * sizeof *p->traj[v]);
        p->stats[v] = malloc(cells * PS_PROB_N_STATS * sizeof *p->stats[v]);
        ok = p->traj[v] != NULL && p->stats[v] != NULL;
    }
    if (!ok) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for %d trajectories", n_traj);
    }
    if (rc == PS_OK) {
        rc = make_level_maps(p, err);
    }
    if (rc == PS_OK) {
        rc = ps_prob__paths_init(&p->pp, in, b, 1, err);
    }
    if (rc == PS_OK && (p->opt.mig_per_person || p->opt.align_median)) {
        rc = ps_prob__paths_reference(&p->pp, in, err);
    }
    if (rc == PS_OK) {
        /* a variant takes the medium e0 and migration: no centring */
        static const double none[PS_PROB_PROC_COUNT] = { 0.0, 0.0, 0.0 };
        rc = ps_prob__paths_center(&p->pp, b,
                                   p->opt.variant == PS_PROB_VARIANT_NONE ? p->opt.center : none,
                                   p->opt.mig_per_person == 2, err);
    }
    if (rc != PS_OK) {
        ps_prob_free(p);
        return rc;
    }
    *out = p;
    return PS_OK;
}

/* The draws of one unit, by calendar year start_year .. end_year. */
typedef struct unit_ctx {
    ps_prob *p;
    int n;          /* trajectories of the unit */
    int first;      /* trajectory of lane 0 */
    double *births; /* [step][sex][n] births of the ensemble's events */
    double *adj;    /* [step][n] emigration not applied */
    double *keep;   /* NULL or [year][sex][age][n]: every year's populations */
    double *tfr;    /* [year][n] */
    double *e0;     /* [year][sex][n] */
    double *mig;    /* [year][n] */
    double *base_births; /* [age 0 .. y0][n] relative change of the base cohort's births */
    double *base_mig;    /* [n] net migrants of the bounds' years before the base, less the
                          * median's */
    ps_status e0_rc;
    double *lane;   /* [4][n] per-lane factors of a step: ASFR ratio, migrants' deviation,
                     * survivorship weight by sex (each batch writes only its lanes) */
    int *lane_idx;  /* [sex][2][n] offsets of the lane's two e0 table rows */
} unit_ctx;

static void draw_unit(unit_ctx *u, int first, int j0, int j1, double *z)
{
    const ps_prob *p = u->p;
    const ps_prob_bounds *b = p->b;
    const int n_path = p->y0 + p->n_years, n = u->n;
    for (int j = j0; j < j1; ++j) {
        const int traj = first + j;
        for (int proc = 0; proc < PS_PROB_PROC_COUNT; ++proc) {
            if (p->opt.variant == PS_PROB_VARIANT_NONE) {
                ps_prob_path(z, n_path, p->opt.rho[proc], p->opt.level[proc], p->lmap[proc],
                             p->opt.seed, traj, (ps_prob_proc)proc);
            } else {
                memset(z, 0, (size_t)n_path * sizeof *z);
            }
            /* the calendar years of the bounds before the base: births and migrants of
             * 1 January first_year .. 1 July start_year are already in the base */
            for (int by = 0; by <= p->y0 && proc != PS_PROB_E0; ++by) {
                const double *kn =
                    ps_prob__knots(proc == PS_PROB_TFR ? b->tfr : b->mig, by, 0, 1);
                const double w = by < p->y0 ? 1.0 : PS_MID_YEAR_FRACTION;
                if (proc == PS_PROB_MIG) {
                    const double s = z[by] + ps_prob__zshift(&p->pp, by, PS_PROB_SHIFT_MIG);
                    u->base_mig[j] += w * (ps_prob_marginal(kn, s, 0) - kn[PS_PROB_KNOT_MEDIAN]);
                    continue;
                }
                const double v =
                    p->opt.variant == PS_PROB_VARIANT_LOW    ? b->tfr_low[by]
                    : p->opt.variant == PS_PROB_VARIANT_HIGH ? b->tfr_high[by]
                    : ps_prob_marginal(kn, z[by] + ps_prob__zshift(&p->pp, by, PS_PROB_SHIFT_TFR),
                                       1);
                /* the cohort aged a on 1 July start_year was born half in year start - a - 1
                 * (second half) and half in year start - a (first half) */
                const int a_first = p->y0 - by, a_second = p->y0 - by - 1;
                const double r = v / kn[PS_PROB_KNOT_MEDIAN] - 1.0;
                u->base_births[(size_t)a_first * (size_t)n + (size_t)j] += 0.5 * r;
                if (a_second >= 0) {
                    u->base_births[(size_t)a_second * (size_t)n + (size_t)j] += 0.5 * r;
                }
            }
            for (int y = 0; y < p->n_years; ++y) {
                const int by = p->y0 + y;
                const double s = z[by];
                const size_t at = (size_t)y * (size_t)n + (size_t)j;
                if (proc == PS_PROB_TFR) {
                    const double st = s + ps_prob__zshift(&p->pp, by, PS_PROB_SHIFT_TFR);
                    u->tfr[at] = p->opt.variant == PS_PROB_VARIANT_LOW    ? b->tfr_low[by]
                                 : p->opt.variant == PS_PROB_VARIANT_HIGH ? b->tfr_high[by]
                                 : ps_prob_marginal(ps_prob__knots(b->tfr, by, 0, 1), st, 1);
                } else if (proc == PS_PROB_MIG) {
                    const double sm = s + ps_prob__zshift(&p->pp, by, PS_PROB_SHIFT_MIG);
                    u->mig[at] = ps_prob_marginal(ps_prob__knots(b->mig, by, 0, 1), sm, 0);
                } else {
                    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                        const double se = s + ps_prob__zshift(&p->pp, by, 1 + sex);
                        u->e0[((size_t)y * PS_SEX_COUNT + (size_t)sex) * (size_t)n + (size_t)j] =
                            ps_prob_marginal(ps_prob__knots(b->e0, by, sex, PS_SEX_COUNT), se, 0);
                    }
                }
            }
        }
    }
}

/* docs/model.md 9.3, round 13: what a step's migration deviation is multiplied by for a
 * trajectory of `size` persons at its start (1 without the elasticity) */
static double mig_size_factor(const ps_prob *p, int step, double size)
{
    const double e = p->opt.mig_size_elasticity;
    return e == 0.0 ? 1.0 : pow(size / p->pp.pop_ref[step], e);
}

/*
 * The per-lane part of unit_rates: the ASFR ratio and the migrants' deviation of each lane
 * (times mig_size_factor),
 * and, for each sex, the lane's row of the e0 table (as offsets into the step's survivorship
 * table: row and row + 1, the same row at the table's end) with its interpolation weight,
 * 0 where the survivorship is the row's own. @return PS_OK; PS_ENUMERIC for an e0 outside
 * the table
 */
static ps_status lane_factors(unit_ctx *u, int step, int first, int n, ps_error *err)
{
    const ps_prob *p = u->p;
    const int A = p->n_ages, U = u->n;
    double *ratio = u->lane + first, *dmig = ratio + U;
    for (int j = 0; j < n; ++j) {
        const size_t a0 = (size_t)step * (size_t)U + (size_t)(first + j);
        const size_t a1 = a0 + (size_t)U;
        ratio[j] = 0.5 * (u->tfr[a0] + u->tfr[a1]) / p->pp.tfr_med[step];
        dmig[j] = 0.5 * (u->mig[a0] + u->mig[a1]) - p->pp.mig_med[step];
    }
    if (p->opt.mig_size_elasticity != 0.0) { /* round 13: the deviation x (size ratio)^e */
        const double *size = p->acc + 6 * (size_t)U + (size_t)first;
        for (int j = 0; j < n; ++j) {
            dmig[j] *= mig_size_factor(p, step, size[j]);
        }
    }
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        const size_t cell = (size_t)step * PS_SEX_COUNT + (size_t)sex;
        const double *tab = &p->pp.e0_tab[cell * PS_PROB_E0_ROWS];
        double *w = u->lane + (2 + sex) * U + first;
        int *i0 = u->lane_idx + 2 * sex * U + first, *i1 = i0 + U;
        for (int j = 0; j < n; ++j) {
            const size_t e_at = ((size_t)step * PS_SEX_COUNT + (size_t)sex) * (size_t)U +
                                (size_t)(first + j);
            const size_t e_at1 = e_at + PS_SEX_COUNT * (size_t)U;
            const double dev = 0.5 * (u->e0[e_at] + u->e0[e_at1]) - p->pp.e0_med[cell];
            const double target = dev == 0.0 ? tab[PS_PROB_E0_ZERO] : tab[PS_PROB_E0_ZERO] + dev;
            if (!(target <= tab[0] && target >= tab[PS_PROB_E0_ROWS - 1])) {
                u->e0_rc = PS_ENUMERIC;
                return ps_error_set(err, PS_ENUMERIC, "e0 %.2f for %d, %s is outside the "
                                    "table (%.2f to %.2f)", target, p->in->start_year + step,
                                    ps_sex_name((ps_sex)sex), tab[PS_PROB_E0_ROWS - 1], tab[0]);
            }
            int row = 0; /* the last row with e0 >= target (e0 falls as k grows) */
            while (row + 1 < PS_PROB_E0_ROWS && tab[row + 1] >= target) {
                ++row;
            }
            const int own = target == tab[row] || row + 1 == PS_PROB_E0_ROWS;
            i0[j] = row * A;
            i1[j] = own ? row * A : (row + 1) * A;
            /* w > 0 exactly when target < tab[row] (no underflow: the rows are about
             * PS_PROB_E0_DK e^k apart) */
            w[j] = own ? 0.0 : (tab[row] - target) / (tab[row] - tab[row + 1]);
        }
    }
    return PS_OK;
}

/* The ensemble's rate callback: survivorship, ASFR and migrants of trajectories
 * first .. first + n - 1 of the unit for one step. The lanes' factors come first, then each
 * ASFR and migrants row over the lanes (stride 1, both sides of each select computed, so
 * the loops vectorise; this file is compiled with -fno-trapping-math for that) and the
 * survivorship lane by lane along the ages, with the values of the lane-by-lane formulas:
 * ratio 1 and deviation 0 give the inputs' own values, a weight 0 the table row's own. */
static ps_status unit_rates(ps_ens_rates *out, const ps_ens_rates_buf *buf, int step, int first,
                            int n, void *ctx, ps_error *err)
{
    unit_ctx *u = ctx;
    const ps_prob *p = u->p;
    const ps_inputs *in = p->in;
    const int A = p->n_ages, U = u->n;
    const size_t N = (size_t)n;
    ps_status rc = lane_factors(u, step, first, n, err);
    if (rc != PS_OK) {
        return rc;
    }
    const double *restrict ratio = u->lane + first, *restrict dmig = ratio + U;
    /* the lanes' populations at the start of the step: summarise_year's previous totals,
     * written by the year hook before this step's rates are asked for */
    const double *restrict size = p->acc + 6 * (size_t)U + (size_t)first;
    const double ref = p->opt.mig_per_person ? p->pp.pop_ref[step] : 1.0;
    const double *asfr = &in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)];
    for (int age = 0; age < A; ++age) {
        double *restrict fo = buf->asfr + (size_t)age * N;
        const double f = asfr[age];
        for (size_t j = 0; j < N; ++j) {
            const double scaled = f * ratio[j];
            fo[j] = ratio[j] == 1.0 ? f : scaled;
        }
    }
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        const double *m = &in->mig[ps_inputs_idx(in, step, 0, sex, 0)];
        const double *pat = &p->pp.pattern[sex * A];
        const size_t cell = (size_t)step * PS_SEX_COUNT + (size_t)sex;
        const double *st = &p->pp.surv_tab[cell * PS_PROB_E0_ROWS * (size_t)A];
        const double *w = u->lane + (2 + sex) * U + first;
        const int *i0 = u->lane_idx + 2 * sex * U + first, *i1 = i0 + U;
        for (int age = 0; age < A; ++age) {
            double *restrict mo = buf->mig + ((size_t)sex * (size_t)A + (size_t)age) * N;
            const double ma = m[age], pa = pat[age];
            if (p->opt.mig_per_person == 3) { /* sec. 9.3, round 8: the median alone */
                for (size_t j = 0; j < N; ++j) {
                    mo[j] = ma * (size[j] / ref) + dmig[j] * pa;
                }
            } else if (p->opt.mig_per_person) { /* sec. 9.3, round 7: migrants follow the size */
                for (size_t j = 0; j < N; ++j) {
                    mo[j] = (ma + dmig[j] * pa) * (size[j] / ref);
                }
            } else {
                for (size_t j = 0; j < N; ++j) {
                    const double moved = ma + dmig[j] * pa;
                    mo[j] = dmig[j] == 0.0 ? ma : moved;
                }
            }
        }
        /* lane by lane: two table rows read along the ages, written down the lane */
        for (size_t j = 0; j < N; ++j) {
            const double *restrict s0 = st + i0[j], *restrict s1 = st + i1[j];
            double *restrict so = buf->surv + (size_t)sex * (size_t)A * N + j;
            if (w[j] == 0.0) {
                for (int age = 0; age < A; ++age) {
                    so[(size_t)age * N] = s0[age];
                }
            } else {
                const double wj = w[j];
                for (int age = 0; age < A; ++age) {
                    so[(size_t)age * N] = s0[age] + wj * (s1[age] - s0[age]);
                }
            }
        }
    }
    out->srb = &in->srb[step];
    return PS_OK;
}

static void store_row(ps_prob *p, ps_prob_var v, int year, int cell, int first, int n,
                      const double *x)
{
    memcpy(&p->traj[v][((size_t)year * (size_t)var_cells[v] + (size_t)cell) *
                           (size_t)p->n_traj + (size_t)first],
           x, (size_t)n * sizeof *x);
}

/*
 * The unit's trajectories into p->traj, row by row (lanes innermost). Deaths of a step are
 * those of the accounting identity of docs/model.md sec. 2.4 summed over cells:
 * P(t) + B + M - P(t+1), M the inputs' net migrants less the emigration not applied.
 */
static void summarise_year(ps_prob *p, const unit_ctx *u, int y, const double *P, int t0, int L)
{
    const int A = p->n_ages, first = u->first + t0, n = L;
    const size_t N = (size_t)L, U = (size_t)u->n;
    double *acc = p->acc + t0; /* rows of U lanes: total, child, work, old, group, x, previous
                                * total; the tile's lanes are its own */
    double *total = acc, *child = acc + U, *work = acc + 2 * U, *old = acc + 3 * U;
    double *grp = acc + 4 * U, *x = acc + 5 * U, *prev = acc + 6 * U;
    for (int k = 0; k < 4; ++k) {
        for (size_t j = 0; j < N; ++j) {
            acc[(size_t)k * U + j] = 0.0;
        }
    }
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int g = 0; g < PS_PROB_N_GROUPS; ++g) {
            const int lo = g * PS_AGE_GROUP_YEARS;
            const int hi = g == PS_PROB_N_GROUPS - 1 ? A - 1 : lo + PS_AGE_GROUP_YEARS - 1;
            for (size_t j = 0; j < N; ++j) {
                grp[j] = 0.0;
            }
            for (int age = lo; age <= hi && age < A; ++age) {
                const double *row = P + ((size_t)sex * (size_t)A + (size_t)age) * N;
                double *dep = age <= PS_PROB_CHILD_MAX ? child
                              : age < PS_PROB_OLD_MIN  ? work
                                                       : old;
                for (size_t j = 0; j < N; ++j) {
                    grp[j] += row[j];
                    total[j] += row[j];
                    dep[j] += row[j];
                }
            }
            store_row(p, PS_PROB_V_POP_GROUP, y, sex * PS_PROB_N_GROUPS + g, first, n, grp);
        }
    }
    store_row(p, PS_PROB_V_POP_TOTAL, y, 0, first, n, total);
    for (size_t j = 0; j < N; ++j) {
        x[j] = old[j] / work[j];
    }
    store_row(p, PS_PROB_V_DEP_OLD, y, 0, first, n, x);
    for (size_t j = 0; j < N; ++j) {
        x[j] = child[j] / work[j];
    }
    store_row(p, PS_PROB_V_DEP_CHILD, y, 0, first, n, x);
    for (size_t j = 0; j < N; ++j) {
        x[j] = (child[j] + old[j]) / work[j];
    }
    store_row(p, PS_PROB_V_DEP_TOTAL, y, 0, first, n, x);
    for (size_t j = 0; j < N; ++j) { /* the 65+ share of the trajectory (issue #14) */
        x[j] = old[j] / total[j];
    }
    store_row(p, PS_PROB_V_SHARE_65, y, 0, first, n, x);
    store_row(p, PS_PROB_V_TFR, y, 0, first, n, u->tfr + (size_t)y * U + (size_t)t0);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        store_row(p, PS_PROB_V_E0, y, sex, first, n,
                  u->e0 + ((size_t)y * PS_SEX_COUNT + (size_t)sex) * U + (size_t)t0);
    }
    if (y > 0) { /* the flows of step y - 1, now that P(y) is known */
        const int s = y - 1;
        const double *B = u->births + (size_t)s * PS_SEX_COUNT * U + (size_t)t0;
        const double *mig = u->mig + (size_t)s * U + (size_t)t0;
        const double *adj = u->adj + (size_t)s * U + (size_t)t0;
        for (size_t j = 0; j < N; ++j) {
            x[j] = B[j] + B[U + j];
        }
        store_row(p, PS_PROB_V_BIRTHS, s, 0, first, n, x);
        for (size_t j = 0; j < N; ++j) {
            const double d = 0.5 * (mig[j] + mig[U + j]) - p->pp.mig_med[s];
            x[j] = p->opt.mig_per_person == 3
                       ? p->pp.mig_in[s] * (prev[j] / p->pp.pop_ref[s]) +
                             d * mig_size_factor(p, s, prev[j])
                   : p->opt.mig_per_person
                       ? (p->pp.mig_in[s] + d) * (prev[j] / p->pp.pop_ref[s])
                       : p->pp.mig_in[s] + d;
        }
        store_row(p, PS_PROB_V_NET_MIG, s, 0, first, n, x);
        for (size_t j = 0; j < N; ++j) {
            x[j] = prev[j] + (B[j] + B[U + j]) + (x[j] - adj[j]) - total[j];
        }
        store_row(p, PS_PROB_V_DEATHS, s, 0, first, n, x);
        for (size_t j = 0; j < N; ++j) {
            x[j] = 0.0; /* ps_prob_align's, if it runs */
        }
        store_row(p, PS_PROB_V_ALIGN_FLOW, s, 0, first, n, x);
    }
    memcpy(prev, total, N * sizeof *prev);
    if (y == p->n_steps) {
        for (size_t j = 0; j < N; ++j) {
            x[j] = NAN;
        }
        store_row(p, PS_PROB_V_BIRTHS, p->n_steps, 0, first, n, x);
        store_row(p, PS_PROB_V_DEATHS, p->n_steps, 0, first, n, x);
        store_row(p, PS_PROB_V_NET_MIG, p->n_steps, 0, first, n, x);
        store_row(p, PS_PROB_V_ALIGN_FLOW, p->n_steps, 0, first, n, x);
    }
}

/* The base populations of lanes t0 .. t0 + L - 1, [sex][age][L], after their draws. */
static void base_tile(const unit_ctx *u, double *pop, int t0, int L)
{
    const ps_prob *p = u->p;
    const int A = p->n_ages;
    const size_t U = (size_t)u->n, N = (size_t)L;
    const double *bmig = u->base_mig + t0;
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        for (int age = 0; age < A; ++age) {
            const double x = p->in->base.count[ps_pop_idx(&p->in->base, 0, sex, age)];
            const double pat = p->pp.pattern[sex * A + age];
            const double *bb = age <= p->y0 ? u->base_births + (size_t)age * U + (size_t)t0
                                            : NULL;
            double *row = pop + ((size_t)sex * (size_t)A + (size_t)age) * N;
            for (size_t j = 0; j < N; ++j) {
                /* docs/model.md 9.2: the base corrected for the deviations before it;
                 * emigration beyond a cohort is not applied */
                double v = bb != NULL && bb[j] != 0.0 ? x * (1.0 + bb[j]) : x;
                v = bmig[j] != 0.0 ? v + bmig[j] * pat : v;
                row[j] = v < 0.0 ? 0.0 : v;
            }
        }
    }
}

/*
 * The ensemble's per-year hook (ps_ens_advance_hook), on the thread that carries the tile of
 * lanes t0 .. t0 + L - 1: at year 0 the lanes' draws and base populations; then every year
 * the lanes' trajectories into p->traj, row by row (lanes innermost), as the run's quantile
 * inputs, so no year of the populations is stored (unless keep_population). Deaths of a step
 * are those of the accounting identity of docs/model.md sec. 2.4 summed over cells:
 * P(t) + B + M - P(t+1), M the inputs' net migrants less the emigration not applied.
 */
static void unit_year(int y, double *pop, int t0, int L, void *ctx)
{
    unit_ctx *u = ctx;
    ps_prob *p = u->p;
    const size_t U = (size_t)u->n, rows = (size_t)PS_SEX_COUNT * (size_t)p->n_ages;
    if (y == 0) {
        for (size_t k = 0; k < (size_t)(p->y0 + 1); ++k) { /* the lanes' base corrections */
            memset(u->base_births + k * U + (size_t)t0, 0, (size_t)L * sizeof *u->base_births);
        }
        memset(u->base_mig + t0, 0, (size_t)L * sizeof *u->base_mig);
        draw_unit(u, u->first, t0, t0 + L, p->ws_z + (size_t)t0 * (size_t)(p->y0 + p->n_years));
        base_tile(u, pop, t0, L);
    }
    summarise_year(p, u, y, pop, t0, L);
    for (size_t r = 0; u->keep != NULL && r < rows; ++r) {
        memcpy(u->keep + ((size_t)y * rows + r) * U + (size_t)t0, pop + r * (size_t)L,
               (size_t)L * sizeof *pop);
    }
}

/* Units u0 .. u1 - 1 (at most PS_PROB_UNITS_CHUNK, validated) in one ensemble call. */
static ps_status run_units(ps_prob *p, int u0, int u1, ps_error *err)
{
    if (p->rows_dropped) {
        return ps_error_set(err, PS_EINVAL, "the trajectory rows were dropped: no unit runs");
    }
    const int first = u0 * PS_PROB_UNIT_TRAJ;
    const int end = u1 * PS_PROB_UNIT_TRAJ < p->n_traj ? u1 * PS_PROB_UNIT_TRAJ : p->n_traj;
    const int n = end - first;
    const int A = p->n_ages, S = p->n_steps;
    const size_t N = (size_t)n;
    /* the workspace is sized for PS_PROB_UNITS_CHUNK units; fewer lanes pack their rows */
    unit_ctx u = { .p = p, .n = n, .first = first, .e0_rc = PS_OK, .tfr = p->ws_tfr,
                   .e0 = p->ws_e0, .mig = p->ws_mig, .births = p->ws_births, .adj = p->ws_adj,
                   .keep = p->opt.keep_population ? p->ws_pop : NULL, .lane = p->ws_lane,
                   .lane_idx = p->ws_lane_idx, .base_births = p->ws_bb,
                   .base_mig = p->ws_bb + (size_t)(p->y0 + 1) * N };
    ps_ens_events *ev = p->ws_ev;
    ps_ens *ens = NULL;
    p->last_unit = -1;
    for (int s = 0; s < S; ++s) {
        ev[s] = (ps_ens_events){ .births = u.births + (size_t)s * PS_SEX_COUNT * N,
                                 .deaths = NULL, .net_migration = NULL,
                                 .adjustment = u.adj + (size_t)s * N };
    }
    /* one parallel region for the units: each tile draws its lanes, makes its base, advances
     * and summarises every year in its own thread (ps_ens_advance_hook) */
    /* batches of PS_PROB_ENS_BATCH lanes (one tile each), dealt dynamically: the threads
     * finish together however the machine holds one of them up */
    const ps_ens_options eo = { .n_threads = p->opt.n_threads, .batch = PS_PROB_ENS_BATCH,
                                .finite_only = 1 };
    ps_status rc = ps_ens_new(&ens, n, A, &eo, err);
    if (rc == PS_OK) {
        rc = ps_ens_advance_hook(ens, S, unit_rates, &u, PS_ENS_SURV | PS_ENS_ASFR | PS_ENS_MIG,
                                 NULL, NULL, ev, unit_year, &u, err);
    }
    if (rc != PS_OK) {
        ps_error_prepend(err, "trajectories %d..%d: ", first, first + n - 1);
    } else {
        p->last_unit = u1 - u0 == 1 ? u0 : -1;
        for (int k = u0; k < u1; ++k) {
            p->done[k] = 1;
            p->n_units_done++;
        }
    }
    ps_ens_free(ens);
    return rc;
}

ps_status ps_prob_unit(ps_prob *p, int unit, ps_error *err)
{
    if (unit < 0 || unit >= p->n_units || p->done[unit]) {
        return ps_error_set(err, PS_EINVAL, "probabilistic unit %d: expected a unit not yet done "
                            "in 0..%d", unit, p->n_units - 1);
    }
    return run_units(p, unit, unit + 1, err);
}

ps_status ps_prob_units(ps_prob *p, int u0, int u1, ps_error *err)
{
    if (u0 < 0 || u1 > p->n_units || u0 > u1) {
        return ps_error_set(err, PS_EINVAL, "probabilistic units %d..%d: expected a range "
                            "within 0..%d", u0, u1 - 1, p->n_units - 1);
    }
    for (int u = u0; u < u1; ++u) {
        if (p->done[u]) {
            return ps_error_set(err, PS_EINVAL, "probabilistic unit %d is already done", u);
        }
    }
    /* every year's populations are kept for one unit at a time */
    const int chunk = p->opt.keep_population ? 1 : PS_PROB_UNITS_CHUNK;
    ps_status rc = PS_OK;
    for (int u = u0; rc == PS_OK && u < u1; u += chunk) {
        rc = run_units(p, u, u + chunk < u1 ? u + chunk : u1, err);
    }
    return rc;
}

const double *ps_prob_unit_population(const ps_prob *p, int unit, int *n_lanes)
{
    if (unit < 0 || unit != p->last_unit || p->ws_pop == NULL || !p->opt.keep_population) {
        *n_lanes = 0;
        return NULL;
    }
    const int first = unit * PS_PROB_UNIT_TRAJ;
    *n_lanes = p->n_traj - first < PS_PROB_UNIT_TRAJ ? p->n_traj - first : PS_PROB_UNIT_TRAJ;
    return p->ws_pop;
}

ps_status ps_prob_restart(ps_prob *p, const double rho[PS_PROB_PROC_COUNT],
                          const double level[PS_PROB_PROC_COUNT],
                          const double skew[PS_PROB_PROC_COUNT], ps_error *err)
{
    if (p->finished) {
        return ps_error_set(err, PS_EINVAL, "a finished probabilistic run cannot restart");
    }
    ps_status prc = check_process(rho, level, skew, err);
    if (prc != PS_OK) {
        return prc;
    }
    for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
        p->opt.rho[k] = rho[k];
        if (level != NULL) {
            p->opt.level[k] = level[k];
        }
        if (skew != NULL) {
            p->opt.level_skew[k] = skew[k];
        }
    }
    ps_status rc = make_level_maps(p, err);
    if (rc != PS_OK) {
        return rc;
    }
    memset(p->done, 0, (size_t)p->n_units);
    p->n_units_done = 0;
    p->aligned = 0;
    return PS_OK;
}

ps_status ps_prob_recenter(ps_prob *p, const double center[PS_PROB_PROC_COUNT], ps_error *err)
{
    if (p->finished) {
        return ps_error_set(err, PS_EINVAL, "a finished probabilistic run cannot restart");
    }
    ps_status rc =
        ps_prob__paths_center(&p->pp, p->b, center, p->opt.mig_per_person == 2, err);
    if (rc == PS_OK) {
        memcpy(p->opt.center, center, sizeof p->opt.center);
        memset(p->done, 0, (size_t)p->n_units);
        p->n_units_done = 0;
        p->aligned = 0;
    }
    return rc;
}

ps_status ps_prob_summarise_rows(const ps_prob *p, double *stats, const double *x,
                                 size_t n_rows, const int *lanes, int n_pieces, ps_error *err)
{
    const int T = p->n_traj;
    long long sum = 0;
    for (int k = 0; k < n_pieces; ++k) {
        if (lanes[k] < 0) {
            sum = -1;
            break;
        }
        sum += lanes[k];
    }
    if (n_pieces < 1 || sum != T) {
        return ps_error_set(err, PS_EINVAL, "the quantiles of %d trajectories from %d pieces "
                            "holding %lld of them", T, n_pieces, sum);
    }
    const int n_threads = p->opt.n_threads > 0 ? p->opt.n_threads : omp_get_max_threads();
    /* piece k's rows start at base[k]: n_rows x lanes[k] values after piece k - 1's */
    size_t *base = malloc((size_t)n_pieces * sizeof *base);
    double *scratch = malloc((size_t)T * (size_t)n_threads * sizeof *scratch);
    if (base == NULL || scratch == NULL) {
        free(base);
        free(scratch);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the quantiles");
    }
    size_t at = 0;
    for (int k = 0; k < n_pieces; ++k) {
        base[k] = at;
        at += n_rows * (size_t)lanes[k];
    }
    const long long R = (long long)n_rows;
    /* rows are independent and each is reduced in trajectory order: any thread count and
     * any split into pieces give the same bytes */
#pragma omp parallel for schedule(static) num_threads(n_threads) default(none)                 \
    shared(R, x, stats, scratch, base, lanes, n_pieces, T) if (R >= 64 && n_threads > 1)
    for (long long r = 0; r < R; ++r) {
        double *buf = scratch + (size_t)omp_get_thread_num() * (size_t)T;
        size_t t = 0;
        for (int k = 0; k < n_pieces; ++k) {
            const size_t n = (size_t)lanes[k];
            if (n > 0) {
                memcpy(buf + t, x + base[k] + (size_t)r * n, n * sizeof *buf);
            }
            t += n;
        }
        /* buf holds the row in trajectory order; the summary copies it onto itself */
        ps_prob__summarise_row(stats + (size_t)r * PS_PROB_N_STATS, buf, buf, T);
    }
    free(scratch);
    free(base);
    return PS_OK;
}

/* The rows of variable v, year y, cell 0, from trajectory t0. */
static double *traj_row(ps_prob *p, ps_prob_var v, int y, int t0)
{
    return p->traj[v] + (size_t)y * (size_t)var_cells[v] * (size_t)p->n_traj + (size_t)t0;
}

ps_status ps_prob_align(ps_prob *p, const double *pop_all, int t0, int t1, ps_error *err)
{
    const int T = p->n_traj, Y = p->n_years;
    int missing = t0 < 0 || t0 > t1 || t1 > T; /* the range first: it indexes p->done */
    for (int u = t0 / PS_PROB_UNIT_TRAJ; !missing && t0 < t1 && u <= (t1 - 1) / PS_PROB_UNIT_TRAJ;
         ++u) {
        missing += !p->done[u];
    }
    if (!p->opt.align_median || p->aligned || p->finished || p->rows_dropped || missing ||
        (pop_all == NULL && p->n_units_done != p->n_units)) {
        return ps_error_set(err, PS_EINVAL, "the median's alignment of trajectories %d..%d: "
                            "expected a run with align_median, its units done and not yet "
                            "aligned or summarised", t0, t1 - 1);
    }
    const double *P = pop_all != NULL ? pop_all : p->traj[PS_PROB_V_POP_TOTAL];
    double *g = p->align != NULL ? p->align : malloc((size_t)Y * sizeof *g);
    double *buf = malloc((size_t)T * sizeof *buf);
    if (g == NULL || buf == NULL) {
        free(buf);
        if (g != p->align) {
            free(g);
        }
        return ps_error_set(err, PS_ENOMEM, "out of memory for the median's alignment");
    }
    p->align = g;
    for (int y = 0; y < Y; ++y) {
        memcpy(buf, P + (size_t)y * (size_t)T, (size_t)T * sizeof *buf);
        const double m = ps_prob_sample_quantile(buf, T, 0.5);
        if (!(m > 0.0) || !isfinite(m)) {
            free(buf);
            return ps_error_set(err, PS_ENUMERIC, "the median's alignment: the median total "
                                "population of %d is %g", p->start_year + y, m);
        }
        g[y] = p->pp.pop_ref[y] / m;
    }
    free(buf);
    const size_t n = (size_t)(t1 - t0);
    /* the flows first, from the populations before the alignment */
    for (int s = 0; s < p->n_steps; ++s) {
        const double *next = traj_row(p, PS_PROB_V_POP_TOTAL, s + 1, t0);
        double *mig = traj_row(p, PS_PROB_V_NET_MIG, s, t0);
        double *births = traj_row(p, PS_PROB_V_BIRTHS, s, t0);
        double *deaths = traj_row(p, PS_PROB_V_DEATHS, s, t0);
        double *flow = traj_row(p, PS_PROB_V_ALIGN_FLOW, s, t0);
        for (size_t j = 0; j < n; ++j) {
            mig[j] *= g[s];
            flow[j] = (g[s + 1] - g[s]) * next[j];
            births[j] *= g[s];
            deaths[j] *= g[s];
        }
    }
    for (int y = 0; y < Y; ++y) {
        double *total = traj_row(p, PS_PROB_V_POP_TOTAL, y, t0);
        for (size_t j = 0; j < n; ++j) {
            total[j] *= g[y];
        }
        for (int c = 0; c < var_cells[PS_PROB_V_POP_GROUP]; ++c) {
            double *grp = traj_row(p, PS_PROB_V_POP_GROUP, y, t0) + (size_t)c * (size_t)T;
            for (size_t j = 0; j < n; ++j) {
                grp[j] *= g[y];
            }
        }
    }
    p->aligned = 1;
    return PS_OK;
}

const double *ps_prob_alignment(const ps_prob *p)
{
    return p->aligned || p->finished ? p->align : NULL;
}

ps_status ps_prob_set_alignment(ps_prob *p, const double *g, ps_error *err)
{
    if (!p->finished || p->align != NULL || !p->opt.align_median) {
        return ps_error_set(err, PS_EINVAL, "alignment factors are given only to a summary "
                            "of a run with align_median that has none");
    }
    if ((p->align = malloc((size_t)p->n_years * sizeof *p->align)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the alignment factors");
    }
    memcpy(p->align, g, (size_t)p->n_years * sizeof *p->align);
    p->aligned = 1;
    return PS_OK;
}

ps_status ps_prob_finish(ps_prob *p, ps_error *err)
{
    if (p->rows_dropped) {
        return ps_error_set(err, PS_EINVAL, "the trajectory rows were dropped: the run "
                            "finishes only with statistics from elsewhere");
    }
    if (p->n_units_done != p->n_units) {
        return ps_error_set(err, PS_EINVAL, "%d of %d probabilistic units are done",
                            p->n_units_done, p->n_units);
    }
    const int T = p->n_traj;
    ps_status rc = PS_OK;
    if (p->opt.align_median && !p->aligned) {
        rc = ps_prob_align(p, NULL, 0, T, err);
    }
    for (int v = 0; rc == PS_OK && v < PS_PROB_V_COUNT; ++v) {
        rc = ps_prob_summarise_rows(p, p->stats[v], p->traj[v],
                                    (size_t)p->n_years * (size_t)var_cells[v], &T, 1, err);
    }
    if (rc != PS_OK) {
        return rc;
    }
    if (!p->opt.keep_trajectories) {
        for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
            free(p->traj[v]);
            p->traj[v] = NULL;
        }
    }
    ps_prob__paths_drop_tables(&p->pp); /* only units need them; a run of many locations
                                          * keeps only stats */
    p->finished = 1;
    return PS_OK;
}

/* ---- units and summaries between MPI ranks (issue #15) ---------------------------------- */

static int unit_lanes(const ps_prob *p, int unit, int *t0)
{
    *t0 = unit * PS_PROB_UNIT_TRAJ;
    const int left = p->n_traj - *t0;
    return left < PS_PROB_UNIT_TRAJ ? left : PS_PROB_UNIT_TRAJ;
}

size_t ps_prob_unit_doubles(const ps_prob *p, int unit)
{
    int t0 = 0;
    if (unit < 0 || unit >= p->n_units) {
        return 0;
    }
    const size_t lanes = (size_t)unit_lanes(p, unit, &t0);
    size_t cells = 0;
    for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
        cells += (size_t)p->n_years * (size_t)var_cells[v];
    }
    return cells * lanes;
}

/* Copy the unit's rows between p->traj and buf (variable, year, cell, lane order). */
static void unit_copy(ps_prob *p, int unit, double *buf, int to_buf)
{
    int t0 = 0;
    const size_t lanes = (size_t)unit_lanes(p, unit, &t0), T = (size_t)p->n_traj;
    size_t at = 0;
    for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
        const size_t rows = (size_t)p->n_years * (size_t)var_cells[v];
        for (size_t r = 0; r < rows; ++r, at += lanes) {
            double *row = p->traj[v] + r * T + (size_t)t0;
            if (to_buf) {
                memcpy(buf + at, row, lanes * sizeof *buf);
            } else {
                memcpy(row, buf + at, lanes * sizeof *buf);
            }
        }
    }
}

ps_status ps_prob_unit_get(const ps_prob *p, int unit, double *buf, ps_error *err)
{
    if (unit < 0 || unit >= p->n_units || !p->done[unit] || p->finished || p->rows_dropped) {
        return ps_error_set(err, PS_EINVAL, "probabilistic unit %d: expected a unit done and "
                            "not yet summarised (of %d)", unit, p->n_units);
    }
    unit_copy((ps_prob *)p, unit, buf, 1);
    return PS_OK;
}

ps_status ps_prob_unit_put(ps_prob *p, int unit, const double *buf, ps_error *err)
{
    if (unit < 0 || unit >= p->n_units || p->done[unit] || p->finished || p->rows_dropped) {
        return ps_error_set(err, PS_EINVAL, "probabilistic unit %d: expected a unit not yet "
                            "done (of %d)", unit, p->n_units);
    }
    unit_copy(p, unit, (double *)buf, 0);
    p->done[unit] = 1;
    p->n_units_done++;
    return PS_OK;
}

size_t ps_prob_n_rows(const ps_prob *p)
{
    size_t rows = 0;
    for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
        rows += (size_t)p->n_years * (size_t)var_cells[v];
    }
    return rows;
}

ps_status ps_prob_rows_get(const ps_prob *p, size_t row0, size_t row1, int t0, int t1,
                           double *buf, ps_error *err)
{
    const size_t n_rows = ps_prob_n_rows(p);
    if (p->finished || p->rows_dropped || row0 > row1 || row1 > n_rows || t0 < 0 || t0 > t1 ||
        t1 > p->n_traj) {
        return ps_error_set(err, PS_EINVAL, "rows %zu..%zu of trajectories %d..%d: expected "
                            "ranges within %zu rows and %d trajectories of a run not yet "
                            "summarised", row0, row1, t0, t1, n_rows, p->n_traj);
    }
    for (int u = t0 / PS_PROB_UNIT_TRAJ; t0 < t1 && u <= (t1 - 1) / PS_PROB_UNIT_TRAJ; ++u) {
        if (!p->done[u]) {
            return ps_error_set(err, PS_EINVAL, "rows of trajectories %d..%d: unit %d is not "
                                "done", t0, t1 - 1, u);
        }
    }
    const size_t n = (size_t)(t1 - t0), T = (size_t)p->n_traj;
    size_t first = 0, at = 0; /* the variable's first row among all rows */
    for (int v = 0; v < PS_PROB_V_COUNT && n > 0; ++v) {
        const size_t rows = (size_t)p->n_years * (size_t)var_cells[v];
        const size_t lo = row0 > first ? row0 : first;
        const size_t hi = row1 < first + rows ? row1 : first + rows;
        for (size_t r = lo; r < hi; ++r, at += n) {
            memcpy(buf + at, p->traj[v] + (r - first) * T + (size_t)t0, n * sizeof *buf);
        }
        first += rows;
    }
    return PS_OK;
}

void ps_prob_drop_rows(ps_prob *p)
{
    for (int v = 0; v < PS_PROB_V_COUNT && !p->finished && !p->opt.keep_trajectories; ++v) {
        free(p->traj[v]);
        p->traj[v] = NULL;
        p->rows_dropped = 1;
    }
}

ps_status ps_prob_finish_stats(ps_prob *p, const double *buf, ps_error *err)
{
    if (p->finished || p->opt.keep_trajectories) {
        return ps_error_set(err, PS_EINVAL, "statistics from elsewhere finish only a run not "
                            "yet finished that keeps no trajectories");
    }
    size_t at = 0;
    for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
        const size_t n = (size_t)p->n_years * (size_t)var_cells[v] * PS_PROB_N_STATS;
        memcpy(p->stats[v], buf + at, n * sizeof *buf);
        at += n;
        free(p->traj[v]);
        p->traj[v] = NULL;
    }
    ps_prob__paths_drop_tables(&p->pp);
    p->finished = 1;
    return PS_OK;
}

size_t ps_prob_stats_doubles(int n_years)
{
    size_t cells = 0;
    for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
        cells += (size_t)n_years * (size_t)var_cells[v];
    }
    return cells * PS_PROB_N_STATS;
}

ps_status ps_prob_stats_get(const ps_prob *p, double *buf, ps_error *err)
{
    if (!p->finished) {
        return ps_error_set(err, PS_EINVAL, "the probabilistic run is not finished");
    }
    size_t at = 0;
    for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
        const size_t n = (size_t)p->n_years * (size_t)var_cells[v] * PS_PROB_N_STATS;
        memcpy(buf + at, p->stats[v], n * sizeof *buf);
        at += n;
    }
    return PS_OK;
}

ps_status ps_prob_from_stats(ps_prob **out, int start_year, int n_years, int n_traj,
                             const ps_prob_options *opt, const double *buf, ps_error *err)
{
    const ps_prob_options defaults = PS_PROB_OPTIONS_INIT;
    *out = NULL;
    if (n_years < 2 || n_traj < 1) {
        return ps_error_set(err, PS_EINVAL, "a summary of %d years and %d trajectories: "
                            "expected at least 2 years and 1 trajectory", n_years, n_traj);
    }
    ps_prob *p = calloc(1, sizeof *p);
    if (p == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for a probabilistic summary");
    }
    p->opt = opt != NULL ? *opt : defaults;
    p->start_year = start_year;
    p->n_years = n_years;
    p->n_steps = n_years - 1;
    p->n_traj = n_traj;
    p->finished = 1;
    size_t at = 0;
    for (int v = 0; v < PS_PROB_V_COUNT; ++v) {
        const size_t n = (size_t)n_years * (size_t)var_cells[v] * PS_PROB_N_STATS;
        if ((p->stats[v] = malloc(n * sizeof *p->stats[v])) == NULL) {
            ps_prob_free(p);
            return ps_error_set(err, PS_ENOMEM, "out of memory for a probabilistic summary");
        }
        memcpy(p->stats[v], buf + at, n * sizeof *buf);
        at += n;
    }
    *out = p;
    return PS_OK;
}

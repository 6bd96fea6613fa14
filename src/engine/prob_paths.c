/*
 * prob_paths.c - the medians, migration pattern and e0 tables a trajectory's inputs are made
 * from (engine/prob_paths_int.h; docs/model.md sec. 9.2).
 */
#include "prob_paths_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/demog.h"
#include "popsim/proj.h"
#include "popsim/result.h"

/* e0 (and survivorship) tables of every step and sex. */
static ps_status build_tables(ps_prob_paths *pp, const ps_inputs *in, ps_error *err)
{
    const int n = pp->n_ages;
    double *mem = malloc((size_t)(7 * n) * sizeof *mem);
    if (mem == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the e0 tables");
    }
    double *mx = mem + 6 * n;
    ps_lifetable lt = { .n_ages = n, .ax = mem, .qx = mem + n, .lx = mem + 2 * n,
                        .Lx = mem + 3 * n, .Tx = mem + 4 * n, .ex = mem + 5 * n };
    ps_status rc = PS_OK;
    for (int step = 0; rc == PS_OK && step < pp->n_steps; ++step) {
        for (int sex = 0; rc == PS_OK && sex < PS_SEX_COUNT; ++sex) {
            const double *m0 = &in->mx[ps_inputs_idx(in, step, 0, sex, 0)];
            const size_t cell = (size_t)step * PS_SEX_COUNT + (size_t)sex;
            for (int row = 0; rc == PS_OK && row < PS_PROB_E0_ROWS; ++row) {
                const double f = exp((row - PS_PROB_E0_ZERO) * PS_PROB_E0_DK);
                for (int age = 0; age < n; ++age) {
                    mx[age] = m0[age] * f;
                }
                rc = ps_lt_compute(&lt, mx, (ps_sex)sex, err);
                if (rc == PS_OK && pp->surv_tab != NULL) {
                    ps_lt_survivorship(&pp->surv_tab[(cell * PS_PROB_E0_ROWS + (size_t)row) *
                                                     (size_t)n], &lt);
                }
                if (rc == PS_OK) {
                    pp->e0_tab[cell * PS_PROB_E0_ROWS + (size_t)row] = lt.ex[0];
                }
            }
            if (rc != PS_OK) {
                ps_error_prepend(err, "e0 table for %d, %s: ", in->start_year + step,
                                 ps_sex_name((ps_sex)sex));
            }
        }
    }
    free(mem);
    return rc;
}

/* Medians of the steps, the inputs' migration totals and the age pattern of migration. */
static void prepare_paths(ps_prob_paths *pp, const ps_inputs *in, const ps_prob_bounds *b)
{
    const int n = pp->n_ages, med = PS_PROB_KNOT_MEDIAN;
    double abs_sum = 0.0;
    for (int i = 0; i < PS_SEX_COUNT * n; ++i) {
        pp->pattern[i] = 0.0;
    }
    for (int step = 0; step < pp->n_steps; ++step) {
        const int y = pp->y0 + step;
        pp->tfr_med[step] = 0.5 * (ps_prob__knots(b->tfr, y, 0, 1)[med] +
                                   ps_prob__knots(b->tfr, y + 1, 0, 1)[med]);
        pp->mig_med[step] = 0.5 * (ps_prob__knots(b->mig, y, 0, 1)[med] +
                                   ps_prob__knots(b->mig, y + 1, 0, 1)[med]);
        double total = 0.0;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            pp->e0_med[step * PS_SEX_COUNT + sex] =
                0.5 * (ps_prob__knots(b->e0, y, sex, PS_SEX_COUNT)[med] +
                       ps_prob__knots(b->e0, y + 1, sex, PS_SEX_COUNT)[med]);
            const double *m = &in->mig[ps_inputs_idx(in, step, 0, sex, 0)];
            for (int age = 0; age < n; ++age) {
                total += m[age];
                pp->pattern[sex * n + age] += fabs(m[age]);
                abs_sum += fabs(m[age]);
            }
        }
        pp->mig_in[step] = total;
    }
    if (abs_sum > 0.0) {
        for (int i = 0; i < PS_SEX_COUNT * n; ++i) {
            pp->pattern[i] /= abs_sum;
        }
        return;
    }
    const ps_rogers_castro rc = PS_ROGERS_CASTRO_INIT;
    ps_sched_rogers_castro(pp->pattern, n, &rc);
    for (int age = 0; age < n; ++age) {
        pp->pattern[age] *= 0.5;
        pp->pattern[n + age] = pp->pattern[age];
    }
}

ps_status ps_prob__paths_reference(ps_prob_paths *pp, const ps_inputs *in, ps_error *err)
{
    free(pp->pop_ref);
    pp->pop_ref = malloc(((size_t)pp->n_steps + 1) * sizeof *pp->pop_ref);
    if (pp->pop_ref == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the reference projection");
    }
    ps_proj *proj = NULL;
    ps_result res;
    ps_status rc = ps_proj_new(&proj, in, err);
    if (rc == PS_OK) {
        rc = ps_proj_run(&res, proj, "reference", NULL, err);
    }
    if (rc == PS_OK) {
        for (int year = 0; rc == PS_OK && year <= pp->n_steps; ++year) {
            pp->pop_ref[year] = ps_result_total(&res, in->start_year + year);
            if (!(pp->pop_ref[year] > 0.0) || !isfinite(pp->pop_ref[year])) {
                /* a trajectory's migrants would be its size over 0 */
                rc = ps_error_set(err, PS_EINVAL, "migrants per person: the deterministic "
                                  "projection's population on 1 July %d is %g, expected > 0",
                                  in->start_year + year, pp->pop_ref[year]);
            }
        }
        ps_result_release(&res);
    }
    ps_proj_free(proj);
    return rc;
}

ps_status ps_prob__paths_init(ps_prob_paths *pp, const ps_inputs *in, const ps_prob_bounds *b,
                              int with_survivorship, ps_error *err)
{
    memset(pp, 0, sizeof *pp);
    pp->n_steps = ps_inputs_steps(in);
    pp->n_ages = in->n_ages;
    pp->y0 = in->start_year - b->first_year;
    const size_t S = (size_t)pp->n_steps, n = (size_t)pp->n_ages;
    pp->tfr_med = malloc(S * sizeof *pp->tfr_med);
    pp->e0_med = malloc(S * PS_SEX_COUNT * sizeof *pp->e0_med);
    pp->mig_med = malloc(S * sizeof *pp->mig_med);
    pp->mig_in = malloc(S * sizeof *pp->mig_in);
    pp->pattern = malloc(PS_SEX_COUNT * n * sizeof *pp->pattern);
    pp->e0_tab = malloc(S * PS_SEX_COUNT * PS_PROB_E0_ROWS * sizeof *pp->e0_tab);
    if (with_survivorship) {
        pp->surv_tab = malloc(S * PS_SEX_COUNT * PS_PROB_E0_ROWS * n * sizeof *pp->surv_tab);
    }
    if (!pp->tfr_med || !pp->e0_med || !pp->mig_med || !pp->mig_in || !pp->pattern ||
        !pp->e0_tab || (with_survivorship && !pp->surv_tab)) {
        ps_prob__paths_release(pp);
        return ps_error_set(err, PS_ENOMEM, "out of memory for the trajectories' paths");
    }
    prepare_paths(pp, in, b);
    ps_status rc = build_tables(pp, in, err);
    if (rc != PS_OK) {
        ps_prob__paths_release(pp);
    }
    return rc;
}

/*
 * The migration score shift of bounds year y. In persons (log_rates 0): the mean of the net
 * migrants is the median's. As log rates (docs/model.md 9.3, round 8): the mean of
 * log(1 + m / P), P the reference population of the year (the start's for the bounds' years
 * before it), is log(1 + median / P): a population whose migrants follow its size compounds
 * them as it compounds relative changes of fertility.
 */
static double mig_shift(const ps_prob_paths *pp, const ps_prob_bounds *b, int y, int log_rates)
{
    const double *kn = ps_prob__knots(b->mig, y, 0, 1);
    if (!log_rates) {
        return ps_prob_center_shift(kn, 0);
    }
    const int step = y < pp->y0 ? 0 : y - pp->y0 > pp->n_steps ? pp->n_steps : y - pp->y0;
    const double pop = pp->pop_ref[step];
    double t[PS_PROB_N_KNOTS];
    for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
        const double r = kn[k] / pop;
        if (!(pop > 0.0) || !(r > -1.0)) { /* no rate's log: centre in persons */
            return ps_prob_center_shift(kn, 0);
        }
        t[k] = log1p(r);
    }
    return ps_prob_center_shift(t, 0);
}

ps_status ps_prob__paths_center(ps_prob_paths *pp, const ps_prob_bounds *b,
                                const double center[PS_PROB_PROC_COUNT], int log_rates,
                                ps_error *err)
{
    if (log_rates && pp->pop_ref == NULL) {
        return ps_error_set(err, PS_EINVAL, "centring on log rates needs the reference "
                            "projection");
    }
    int any = 0;
    for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
        if (!(center[k] >= 0.0 && center[k] <= 1.0)) {
            return ps_error_set(err, PS_EINVAL, "centring [%d] = %g is outside [0, 1]", k,
                                center[k]);
        }
        any |= center[k] != 0.0;
    }
    free(pp->zshift);
    pp->zshift = NULL;
    if (!any) {
        return PS_OK;
    }
    const int n_rows = pp->y0 + pp->n_steps + 1;
    pp->zshift = malloc((size_t)n_rows * PS_PROB_SHIFT_SLOTS * sizeof *pp->zshift);
    if (pp->zshift == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the centring of the marginals");
    }
    for (int y = 0; y < n_rows; ++y) {
        double *row = &pp->zshift[(size_t)y * PS_PROB_SHIFT_SLOTS];
        row[PS_PROB_SHIFT_TFR] =
            ps_prob_center_shift_tfr(ps_prob__knots(b->tfr, y, 0, 1), center[PS_PROB_TFR]);
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            row[1 + sex] = center[PS_PROB_E0] *
                           ps_prob_center_shift(ps_prob__knots(b->e0, y, sex, PS_SEX_COUNT), 0);
        }
        row[PS_PROB_SHIFT_MIG] = center[PS_PROB_MIG] * mig_shift(pp, b, y, log_rates);
    }
    return PS_OK;
}

void ps_prob__paths_drop_tables(ps_prob_paths *pp)
{
    free(pp->surv_tab);
    free(pp->e0_tab);
    pp->surv_tab = pp->e0_tab = NULL;
}

void ps_prob__paths_release(ps_prob_paths *pp)
{
    free(pp->tfr_med);
    free(pp->e0_med);
    free(pp->mig_med);
    free(pp->mig_in);
    free(pp->pattern);
    free(pp->pop_ref);
    free(pp->zshift);
    ps_prob__paths_drop_tables(pp);
    memset(pp, 0, sizeof *pp);
}

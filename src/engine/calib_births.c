/*
 * calib_births.c - jump-off calibration of fertility to observed births (issue #12, sec. 2;
 * docs/model.md sec. 2.6). The ASFR of each step is multiplied by a factor f_s: each
 * observed year Y has its own factor, solved so that the step labelled Y (1 July Y to
 * 1 July Y+1) has the observed births; the steps before the first observed year take its
 * factor, the steps between two observed years are interpolated linearly, and after the
 * last one the factor returns linearly to 1 over fade_years years. Births of a step are
 * ASFR x women and the women of a step depend on earlier factors only through the births
 * of those steps, who are children, so f_Y = target_Y / births_Y(f = 1 at Y) is exact for
 * any observed year less than PS_FERTILE_AGE_MIN years after the start; each pass projects
 * with the factors found so far and rescales them, until every year is reproduced.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/parity.h"
#include "popsim/proj.h"
#include "popsim/result.h"
#include "popsim/units.h"

/* Passes of the fixed point; the first one is exact unless a target year is more than
 * PS_FERTILE_AGE_MIN years after the start, and a pass costs one age-only projection. */
#define CALIB_MAX_PASSES 20
#define CALIB_REL_TOL 1e-13

static ps_status check_targets(const ps_inputs *in, const ps_birth_targets *t, ps_error *err)
{
    for (int i = 0; i < t->n; ++i) {
        if (t->year[i] < in->start_year || t->year[i] >= in->end_year) {
            return ps_error_set(err, PS_EINVAL, "observed births of %d: expected a year from "
                                "the start %d to %d, the last year with births projected",
                                t->year[i], in->start_year, in->end_year - 1);
        }
        if (i > 0 && t->year[i] <= t->year[i - 1]) {
            return ps_error_set(err, PS_EINVAL, "observed births of %d come after %d: expected "
                                "the years in ascending order, each once", t->year[i],
                                t->year[i - 1]);
        }
        if (!(t->births[i] > 0.0 && isfinite(t->births[i]))) {
            return ps_error_set(err, PS_EINVAL, "observed births of %d = %g: expected a "
                                "number of births > 0", t->year[i], t->births[i]);
        }
    }
    if (t->fade_years < 0) {
        return ps_error_set(err, PS_EINVAL, "fade_years = %d is negative", t->fade_years);
    }
    return PS_OK;
}

/* Factor of every step from the factors f[i] of the observed years. */
static void step_factors(double *out, int n_steps, int start, const ps_birth_targets *t,
                         const double *f)
{
    for (int s = 0; s < n_steps; ++s) {
        const int year = start + s;
        int i = 0;
        while (i < t->n && t->year[i] < year) {
            ++i;
        }
        if (i < t->n && t->year[i] == year) {
            out[s] = f[i];
        } else if (i == 0) {
            out[s] = f[0]; /* before the first observed year: its level */
        } else if (i < t->n) {
            const double w = (double)(year - t->year[i - 1]) / (t->year[i] - t->year[i - 1]);
            out[s] = f[i - 1] + w * (f[i] - f[i - 1]);
        } else {
            const int after = year - t->year[t->n - 1];
            const double keep = after <= t->fade_years
                                    ? 1.0 - (double)after / (t->fade_years + 1)
                                    : 0.0;
            out[s] = 1.0 + keep * (f[t->n - 1] - 1.0);
        }
    }
}

/* Births of every step of the age-only projection of `in` (all regions and both sexes). */
static ps_status project_births(double *births, const ps_inputs *in, ps_error *err)
{
    ps_proj *p = NULL;
    ps_result res;
    memset(&res, 0, sizeof res);
    ps_status rc = ps_proj_new(&p, in, err);
    if (rc == PS_OK) {
        rc = ps_proj_run(&res, p, "calibration", NULL, err);
    }
    for (int s = 0; rc == PS_OK && s < ps_inputs_steps(in); ++s) {
        births[s] = 0.0;
        for (int reg = 0; reg < in->n_regions; ++reg) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                births[s] += res.births[ps_result_sexcell(&res, s, reg, sex)];
            }
        }
    }
    if (rc == PS_OK) {
        ps_result_release(&res);
    }
    ps_proj_free(p);
    return rc;
}

/* Multiply every ASFR of step s by factor[s], from the original rates orig. */
static void apply_factors(ps_inputs *in, const double *orig, const double *factor)
{
    const size_t per_step = (size_t)in->n_regions * (size_t)in->n_ages;
    for (int s = 0; s < ps_inputs_steps(in); ++s) {
        for (size_t i = 0; i < per_step; ++i) {
            const size_t at = (size_t)s * per_step + i;
            in->asfr[at] = factor[s] == 1.0 ? orig[at] : orig[at] * factor[s];
        }
    }
}

ps_status ps_calibrate_births(ps_inputs *in, const ps_birth_targets *t, double *factor_out,
                              ps_error *err)
{
    const int n_steps = ps_inputs_steps(in);
    const size_t n_asfr = (size_t)n_steps * (size_t)in->n_regions * (size_t)in->n_ages;
    for (int s = 0; s < n_steps; ++s) {
        factor_out[s] = 1.0;
    }
    ps_status rc = check_targets(in, t, err);
    if (rc != PS_OK || t->n == 0) {
        return rc;
    }
    double *orig = malloc(n_asfr * sizeof *orig);
    double *births = malloc((size_t)n_steps * sizeof *births);
    double *f = malloc((size_t)t->n * sizeof *f);
    if (orig == NULL || births == NULL || f == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for the births calibration");
        goto done;
    }
    memcpy(orig, in->asfr, n_asfr * sizeof *orig);
    for (int i = 0; i < t->n; ++i) {
        f[i] = 1.0;
    }
    int converged = 0;
    for (int pass = 0; pass < CALIB_MAX_PASSES && !converged && rc == PS_OK; ++pass) {
        step_factors(factor_out, n_steps, in->start_year, t, f);
        apply_factors(in, orig, factor_out);
        if ((rc = project_births(births, in, err)) != PS_OK) {
            break;
        }
        converged = 1;
        for (int i = 0; i < t->n; ++i) {
            const double b = births[t->year[i] - in->start_year];
            if (!(b > 0.0)) {
                rc = ps_error_set(err, PS_EINVAL, "observed births of %d: the projection has "
                                  "no births that year to scale", t->year[i]);
                break;
            }
            converged = converged && fabs(b / t->births[i] - 1.0) <= CALIB_REL_TOL;
            f[i] *= t->births[i] / b;
        }
    }
    if (rc == PS_OK && !converged) {
        rc = ps_error_set(err, PS_ENUMERIC, "the births calibration did not converge in %d "
                          "passes", CALIB_MAX_PASSES);
    }
done:
    if (rc != PS_OK && orig != NULL) {
        memcpy(in->asfr, orig, n_asfr * sizeof *orig); /* the inputs as they were */
    }
    free(orig);
    free(births);
    free(f);
    return rc;
}

ps_status ps_result_init_calibration(ps_result *r, const double *factor, ps_error *err)
{
    free(r->fertility_calibration);
    r->fertility_calibration = malloc((size_t)r->n_years * sizeof *r->fertility_calibration);
    if (r->fertility_calibration == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the fertility calibration");
    }
    for (int year = 0; year < r->n_years; ++year) {
        r->fertility_calibration[year] = year < r->n_years - 1 ? factor[year] : NAN;
    }
    return PS_OK;
}

/*
 * builder.c - assembling projection inputs from a scenario: WPP first (when a location is
 * named), then each planner override in a fixed order (population, mortality, fertility,
 * sex ratio, migration). Reading files happens here and in the readers it calls; the
 * arithmetic (graduation, e0 scaling, schedules) lives in src/demog.
 */
#include "popsim/builder.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/planner_int.h"
#include "io/regions_int.h"
#include "popsim/demog.h"
#include "popsim/parity.h"
#include "popsim/planner.h"
#include "popsim/units.h"
#include "popsim/wpp.h"

/* Blame the scenario's value when an error carries no file location of its own. */
static ps_status at_scn(ps_status rc, ps_error *err, const ps_scenario *scn, ps_scn_loc loc)
{
    if (rc != PS_OK && err != NULL && err->path[0] == '\0') {
        snprintf(err->path, sizeof err->path, "%s", scn->path);
        err->line = loc.line;
        err->column = loc.column;
    }
    return rc;
}

ps_status ps_build_wpp_inputs(ps_inputs *out, int *code_out, char *name_out, size_t name_size,
                              const char *location, int start_year, int end_year,
                              const ps_build_options *opt, ps_error *err)
{
    char dir[PATH_MAX];
    char name[128];
    int code = 0;
    memset(out, 0, sizeof *out);
    ps_status rc = ps_wpp_find_dir(dir, sizeof dir, opt->wpp_dir, opt->project_root, err);
    if (rc == PS_OK) {
        rc = ps_wpp_lookup(&code, name, sizeof name, dir, location, err);
    }
    if (rc != PS_OK) {
        return rc;
    }
    ps_wpp_location *loc = malloc(sizeof *loc);
    if (loc == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for WPP data");
    }
    rc = ps_wpp_load(loc, dir, code, opt->cache_dir, err);
    if (rc == PS_OK && opt->pattern_tfr != NULL) {
        rc = ps_wpp_inputs_pattern(out, loc, start_year, end_year, opt->pattern_tfr,
                                   opt->pattern_tfr_first, opt->pattern_tfr_n, err);
    } else if (rc == PS_OK) {
        rc = ps_wpp_inputs(out, loc, start_year, end_year, err);
    }
    free(loc);
    if (code_out != NULL) {
        *code_out = code;
    }
    if (name_out != NULL) {
        snprintf(name_out, name_size, "%s", name);
    }
    return rc;
}

static size_t steps_of(const ps_inputs *in)
{
    return (size_t)ps_inputs_steps(in);
}

static ps_status apply_population(ps_inputs *in, const ps_scenario *scn, int *open_from,
                                  const ps_cancel *cancel, ps_error *err)
{
    *open_from = in->n_ages - 1;
    if (scn->population.file.path == NULL) {
        return PS_OK;
    }
    return ps_plan__read_population_open(&in->base.count[ps_pop_idx(&in->base, 0, 0, 0)],
                                         in->n_ages, scn->population.file.path, open_from,
                                         cancel, err);
}

/* A base population whose table ended with an open group below the last age ("85+"): spread
 * with the first step's mortality, once that is known (ps_plan_extend_open_group). */
static ps_status extend_population(ps_inputs *in, int open_from, ps_error *err)
{
    const double *mx = &in->mx[ps_inputs_idx(in, 0, 0, 0, 0)];
    ps_status rc = ps_plan_extend_open_group(&in->base.count[ps_pop_idx(&in->base, 0, 0, 0)],
                                             in->n_ages, open_from, mx, err);
    return rc;
}

static ps_status apply_mortality(ps_inputs *in, const ps_scenario *scn, const ps_cancel *cancel,
                                 ps_error *err)
{
    ps_status rc = PS_OK;
    const int n = in->n_ages;
    if (scn->mortality.mx_file.path != NULL) {
        rc = ps_plan__read_steps(in->mx, PS_PLAN_MX, in->start_year, in->end_year, n,
                                 scn->mortality.mx_file.path, cancel, err);
    }
    if (rc != PS_OK || scn->mortality.e0_file.path == NULL) {
        return rc;
    }
    double *e0 = malloc(steps_of(in) * PS_SEX_COUNT * sizeof *e0);
    if (e0 == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for e0");
    }
    rc = ps_plan__read_steps(e0, PS_PLAN_E0, in->start_year, in->end_year, 1,
                             scn->mortality.e0_file.path, cancel, err);
    for (int step = 0; rc == PS_OK && step < ps_inputs_steps(in); ++step) {
        for (int sex = 0; rc == PS_OK && sex < PS_SEX_COUNT; ++sex) {
            rc = ps_lt_scale_to_e0(&in->mx[ps_inputs_idx(in, step, 0, sex, 0)], n, (ps_sex)sex,
                                   e0[(size_t)step * PS_SEX_COUNT + (size_t)sex], err);
            if (rc != PS_OK) {
                ps_error_prepend(err, "%s: year %d, %s: ", scn->mortality.e0_file.path,
                                 in->start_year + step, ps_sex_name((ps_sex)sex));
            }
        }
    }
    free(e0);
    return rc;
}

/* Rescale each step's age pattern (already in in->asfr) to the TFR of that step. */
static ps_status rescale_to_tfr(ps_inputs *in, const double *tfr, ps_error *err)
{
    for (int step = 0; step < ps_inputs_steps(in); ++step) {
        double *asfr = &in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)];
        double sum = 0.0;
        for (int age = 0; age < in->n_ages; ++age) {
            sum += asfr[age];
        }
        if (!(sum > 0.0)) {
            return ps_error_set(err, PS_EINVAL, "the fertility age pattern for %d is all zero",
                                in->start_year + step);
        }
        for (int age = 0; age < in->n_ages; ++age) {
            asfr[age] *= tfr[step] / sum;
        }
    }
    return PS_OK;
}

static ps_status read_tfr(double *tfr, const ps_inputs *in, const ps_scenario *scn,
                          const ps_cancel *cancel, ps_error *err)
{
    if (scn->fertility.tfr_file.path != NULL) {
        return ps_plan__read_steps(tfr, PS_PLAN_TFR, in->start_year, in->end_year, 1,
                                   scn->fertility.tfr_file.path, cancel, err);
    }
    for (size_t step = 0; step < steps_of(in); ++step) {
        tfr[step] = scn->fertility.tfr;
    }
    return PS_OK;
}

/* A level (fertility.tfr, tfr_file) spread by an age pattern can exceed what a woman can
 * bear at one age even though the TFR is within [0, 10] (issue #17): a TFR of 10 on a
 * narrow Hadwiger curve. Refused at the level's key, naming the year and age. */
static ps_status check_asfr_max(const ps_inputs *in, const ps_scenario *scn, ps_error *err)
{
    const int by_file = !scn->fertility.has_tfr;
    char tfr_text[32] = "";
    if (!by_file) {
        snprintf(tfr_text, sizeof tfr_text, "%.10g", scn->fertility.tfr);
    }
    for (int step = 0; step < ps_inputs_steps(in); ++step) {
        for (int age = 0; age < in->n_ages; ++age) {
            double f = in->asfr[ps_inputs_asfr_idx(in, step, 0, age)];
            if (f > PS_ASFR_MAX) {
                return ps_error_set_at(err, PS_EINVAL, scn->path,
                                       by_file ? scn->fertility.tfr_file.loc.line
                                               : scn->fertility.tfr_loc.line,
                                       by_file ? scn->fertility.tfr_file.loc.column
                                               : scn->fertility.tfr_loc.column,
                                       "%s%s with this age pattern gives %.3g births per "
                                       "woman-year at age %d in %d, above the biological "
                                       "maximum of %g; lower the TFR or use a wider pattern",
                                       by_file ? "fertility.tfr_file" : "fertility.tfr = ",
                                       tfr_text, f, age, in->start_year + step, PS_ASFR_MAX);
            }
        }
    }
    return PS_OK;
}

static ps_status apply_fertility(ps_inputs *in, const ps_scenario *scn, const ps_cancel *cancel,
                                 ps_error *err)
{
    const int has_level = scn->fertility.has_tfr || scn->fertility.tfr_file.path != NULL;
    ps_fert_pattern pattern = scn->fertility.pattern;
    ps_status rc = PS_OK;
    if (scn->fertility.asfr_file.path != NULL &&
        (pattern == PS_FERT_PATTERN_DEFAULT || pattern == PS_FERT_PATTERN_ASFR_FILE)) {
        rc = ps_plan__read_steps(in->asfr, PS_PLAN_ASFR, in->start_year, in->end_year,
                                 in->n_ages, scn->fertility.asfr_file.path, cancel, err);
    }
    if (rc != PS_OK || !has_level) {
        return rc;
    }
    double *tfr = malloc(steps_of(in) * sizeof *tfr);
    if (tfr == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the TFR");
    }
    rc = read_tfr(tfr, in, scn, cancel, err);
    if (rc == PS_OK && pattern == PS_FERT_PATTERN_HADWIGER) {
        for (int step = 0; step < ps_inputs_steps(in); ++step) {
            ps_sched_hadwiger(&in->asfr[ps_inputs_asfr_idx(in, step, 0, 0)], in->n_ages,
                              tfr[step], scn->fertility.mean_age);
        }
    } else if (rc == PS_OK) {
        rc = at_scn(rescale_to_tfr(in, tfr, err), err, scn, scn->fertility.tfr_loc);
    }
    free(tfr);
    return rc == PS_OK ? check_asfr_max(in, scn, err) : rc;
}

static ps_status apply_srb(ps_inputs *in, const ps_scenario *scn, const ps_cancel *cancel,
                           ps_error *err)
{
    if (scn->srb.file.path != NULL) {
        return ps_plan__read_steps(in->srb, PS_PLAN_SRB, in->start_year, in->end_year, 1,
                                   scn->srb.file.path, cancel, err);
    }
    if (scn->srb.has_value) {
        for (size_t step = 0; step < steps_of(in); ++step) {
            in->srb[step] = scn->srb.value;
        }
    }
    return PS_OK;
}

/* Net migrants per step spread over ages by the Rogers-Castro schedule, split by sex. */
static void spread_total(ps_inputs *in, const double *total, const ps_scenario *scn,
                         double *schedule)
{
    ps_sched_rogers_castro(schedule, in->n_ages, &scn->migration.schedule);
    for (int step = 0; step < ps_inputs_steps(in); ++step) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            double share = sex == PS_SEX_MALE ? scn->migration.male_share
                                              : 1.0 - scn->migration.male_share;
            double *mig = &in->mig[ps_inputs_idx(in, step, 0, sex, 0)];
            for (int age = 0; age < in->n_ages; ++age) {
                mig[age] = total[step] * share * schedule[age];
            }
        }
    }
}

static ps_status apply_migration(ps_inputs *in, const ps_scenario *scn, const ps_cancel *cancel,
                                 ps_error *err)
{
    const size_t cells = steps_of(in) * PS_SEX_COUNT * (size_t)in->n_ages;
    if (scn->migration.none) {
        memset(in->mig, 0, cells * sizeof *in->mig);
        return PS_OK;
    }
    if (scn->migration.file.path != NULL) {
        return ps_plan__read_steps(in->mig, PS_PLAN_MIGRATION, in->start_year, in->end_year,
                                   in->n_ages, scn->migration.file.path, cancel, err);
    }
    if (!scn->migration.has_total && scn->migration.total_file.path == NULL) {
        return PS_OK;
    }
    double *total = malloc((steps_of(in) + (size_t)in->n_ages) * sizeof *total);
    if (total == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for migration");
    }
    ps_status rc = PS_OK;
    if (scn->migration.total_file.path != NULL) {
        rc = ps_plan__read_steps(total, PS_PLAN_MIGRATION_TOTAL, in->start_year, in->end_year,
                                 1, scn->migration.total_file.path, cancel, err);
    } else {
        for (size_t step = 0; step < steps_of(in); ++step) {
            total[step] = scn->migration.total;
        }
    }
    if (rc == PS_OK) {
        spread_total(in, total, scn, total + steps_of(in));
    }
    free(total);
    return rc;
}

static ps_status base_inputs(ps_inputs *out, const ps_scenario *scn, const ps_build_options *opt,
                             ps_error *err)
{
    if (scn->location == NULL) {
        ps_status rc = ps_inputs_init(out, scn->start_year, scn->end_year, 1,
                                      PS_DEFAULT_MAX_AGE + 1, err);
        if (rc == PS_OK && (scn->region_name == NULL)) {
            rc = ps_inputs_set_region_name(out, 0, "region1", err);
        }
        return rc;
    }
    ps_build_options o = *opt;
    if (o.wpp_dir == NULL) {
        o.wpp_dir = scn->wpp_dir;
    }
    ps_status rc = ps_build_wpp_inputs(out, NULL, NULL, 0, scn->location, scn->start_year,
                                       scn->end_year, &o, err);
    ps_scn_loc where = scn->location_loc;
    if (rc == PS_EIO && opt->wpp_dir == NULL && scn->wpp_dir != NULL) {
        where = scn->wpp_dir_loc;
    }
    if (rc == PS_EINVAL && err != NULL && err->line == 0) {
        err->path[0] = '\0'; /* unknown location or horizon: the scenario's value is to blame */
    }
    return at_scn(rc, err, scn, where);
}

/* Jump-off calibration (scenario calibrate_births:): scale the ASFR to the observed births
 * and keep the factors in out->births_factor; an error is located at the year's births. */
static ps_status calibrate_births(ps_inputs *out, const ps_scenario *scn, ps_error *err)
{
    const ps_birth_targets t = { .year = scn->calibrate_births.year,
                                 .births = scn->calibrate_births.births,
                                 .n = scn->calibrate_births.n,
                                 .fade_years = scn->calibrate_births.fade_years };
    if (t.n == 0) {
        return PS_OK;
    }
    out->births_factor = malloc((size_t)ps_inputs_steps(out) * sizeof *out->births_factor);
    if (out->births_factor == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the births calibration");
    }
    ps_status rc = ps_calibrate_births(out, &t, out->births_factor, err);
    if (rc != PS_OK) {
        ps_error_prepend(err, "calibrate_births: ");
        rc = at_scn(rc, err, scn, scn->calibrate_births.loc);
    }
    return rc;
}

ps_status ps_build_inputs(ps_inputs *out, const ps_scenario *scn, const ps_build_options *opt,
                          ps_error *err)
{
    if (scn->n_regions > 0) {
        return ps_build__regions(out, scn, opt, err); /* issue #13 */
    }
    ps_status rc = base_inputs(out, scn, opt, err);
    if (rc != PS_OK) {
        return rc;
    }
    if (scn->region_name != NULL) {
        rc = ps_inputs_set_region_name(out, 0, scn->region_name, err);
    }
    int open_from = 0;
    const ps_cancel *cancel = opt != NULL ? &opt->cancel : NULL;
    if (rc == PS_OK && (rc = apply_population(out, scn, &open_from, cancel, err)) == PS_OK &&
        (rc = apply_mortality(out, scn, cancel, err)) == PS_OK &&
        (rc = extend_population(out, open_from, err)) == PS_OK &&
        (rc = apply_fertility(out, scn, cancel, err)) == PS_OK &&
        (rc = apply_srb(out, scn, cancel, err)) == PS_OK) {
        rc = apply_migration(out, scn, cancel, err);
    }
    if (rc == PS_OK) {
        rc = ps_inputs_validate(out, err);
    }
    if (rc == PS_OK) {
        rc = calibrate_births(out, scn, err); /* issue #12: engine/calib_births.c */
    }
    if (rc != PS_OK) {
        ps_inputs_release(out);
    }
    return rc;
}

/* The WPP fertility history of the scenario's location: the steps from 1 July 1950 to the
 * base year, prepared exactly as the projection's ASFR (docs/model.md secs. 2.6 and 3). */
ps_status ps_build_fertility_history(ps_inputs *out, const ps_scenario *scn,
                                     const ps_build_options *opt, ps_error *err)
{
    memset(out, 0, sizeof *out);
    if (scn->location == NULL || scn->start_year <= PS_WPP_FIRST_YEAR) {
        return PS_OK;
    }
    ps_build_options o = *opt;
    if (o.wpp_dir == NULL) {
        o.wpp_dir = scn->wpp_dir;
    }
    ps_status rc = ps_build_wpp_inputs(out, NULL, NULL, 0, scn->location, PS_WPP_FIRST_YEAR,
                                       scn->start_year, &o, err);
    if (rc != PS_OK) {
        ps_error_prepend(err, "fertility history since %d for the base parity: ",
                         PS_WPP_FIRST_YEAR);
    }
    return at_scn(rc, err, scn, scn->location_loc);
}

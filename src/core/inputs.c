/*
 * inputs.c - allocation and validation of a projection's prepared inputs.
 * Validation runs before any projection: every rate finite and in its domain, so the
 * engine can assume clean numbers and never has to report bad input itself.
 */
#include "popsim/inputs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/units.h"

ps_status ps_inputs_init(ps_inputs *in, int start_year, int end_year, int n_regions, int n_ages,
                         ps_error *err)
{
    memset(in, 0, sizeof *in);
    if (end_year <= start_year || n_regions < 1 || n_ages < 2) {
        return ps_error_set(err, PS_EINVAL,
                            "inputs need end > start, >= 1 region, >= 2 ages (got %d..%d, %d, %d)",
                            start_year, end_year, n_regions, n_ages);
    }
    in->start_year = start_year;
    in->end_year = end_year;
    in->n_regions = n_regions;
    in->n_ages = n_ages;
    size_t steps = (size_t)(end_year - start_year);
    size_t cells = steps * (size_t)n_regions * PS_SEX_COUNT * (size_t)n_ages;
    ps_status rc = ps_pop_init(&in->base, n_regions, n_ages, err);
    if (rc != PS_OK) {
        return rc;
    }
    in->mx = calloc(cells, sizeof *in->mx);
    in->mig = calloc(cells, sizeof *in->mig);
    in->asfr = calloc(steps * (size_t)n_regions * (size_t)n_ages, sizeof *in->asfr);
    in->srb = calloc(steps * (size_t)n_regions, sizeof *in->srb);
    in->region_names = calloc((size_t)n_regions, sizeof *in->region_names);
    if (!in->mx || !in->mig || !in->asfr || !in->srb || !in->region_names) {
        ps_inputs_release(in);
        return ps_error_set(err, PS_ENOMEM, "out of memory for inputs of %zu cells", cells);
    }
    for (size_t i = 0; i < steps * (size_t)n_regions; ++i) {
        in->srb[i] = PS_SRB_DEFAULT;
    }
    for (int reg = 0; reg < n_regions; ++reg) {
        char name[32];
        snprintf(name, sizeof name, "region%d", reg + 1);
        if ((rc = ps_inputs_set_region_name(in, reg, name, err)) != PS_OK) {
            ps_inputs_release(in);
            return rc;
        }
    }
    return PS_OK;
}

ps_status ps_inputs_set_region_name(ps_inputs *in, int reg, const char *name, ps_error *err)
{
    size_t n = strlen(name) + 1;
    char *copy = malloc(n);
    if (copy == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for a region name");
    }
    memcpy(copy, name, n);
    free(in->region_names[reg]);
    in->region_names[reg] = copy;
    return PS_OK;
}

static ps_status bad_cell(ps_error *err, const char *what, double v, const ps_inputs *in, int step,
                          int reg, int sex, int age, const char *expected)
{
    return ps_error_set(err, PS_EINVAL,
                        "%s = %g for year %d, region '%s', %s, age %d: expected %s", what, v,
                        in->start_year + step, in->region_names[reg],
                        sex < 0 ? "both sexes" : ps_sex_name((ps_sex)sex), age, expected);
}

static ps_status validate_step(const ps_inputs *in, int step, ps_error *err)
{
    for (int reg = 0; reg < in->n_regions; ++reg) {
        double srb = in->srb[(size_t)step * (size_t)in->n_regions + (size_t)reg];
        if (!isfinite(srb) || srb <= 0.0) {
            return bad_cell(err, "sex ratio at birth", srb, in, step, reg, -1, 0, "> 0");
        }
        for (int age = 0; age < in->n_ages; ++age) {
            double f = in->asfr[ps_inputs_asfr_idx(in, step, reg, age)];
            if (!isfinite(f) || f < 0.0 || f > PS_ASFR_MAX) {
                return bad_cell(err, "ASFR", f, in, step, reg, PS_SEX_FEMALE, age,
                                "[0, 0.8] births per woman-year (PS_ASFR_MAX)");
            }
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                size_t i = ps_inputs_idx(in, step, reg, sex, age);
                int open = age == in->n_ages - 1;
                if (!isfinite(in->mx[i]) || in->mx[i] < 0.0 || (open && in->mx[i] <= 0.0)) {
                    return bad_cell(err, "death rate", in->mx[i], in, step, reg, sex, age,
                                    open ? "> 0 in the open age group" : ">= 0");
                }
                if (!isfinite(in->mig[i]) || fabs(in->mig[i]) > PS_MIGRATION_MAX) {
                    return bad_cell(err, "net migration", in->mig[i], in, step, reg, sex, age,
                                    "a finite number of persons in [-1e9, 1e9]");
                }
            }
        }
    }
    return PS_OK;
}

ps_status ps_inputs_validate(const ps_inputs *in, ps_error *err)
{
    for (size_t i = 0; i < ps_pop_size(&in->base); ++i) {
        double v = in->base.count[i];
        if (!isfinite(v) || v < 0.0 || v > PS_POPULATION_MAX) {
            int age = (int)(i % (size_t)in->n_ages);
            int sex = (int)((i / (size_t)in->n_ages) % PS_SEX_COUNT);
            int reg = (int)(i / ((size_t)in->n_ages * PS_SEX_COUNT));
            return ps_error_set(err, PS_EINVAL,
                                "base population = %g in region '%s', %s, age %d: expected "
                                "[0, 1e11] persons",
                                v, in->region_names[reg], ps_sex_name((ps_sex)sex), age);
        }
    }
    for (int step = 0; step < ps_inputs_steps(in); ++step) {
        ps_status rc = validate_step(in, step, err);
        if (rc != PS_OK) {
            return rc;
        }
    }
    return PS_OK;
}

void ps_inputs_release(ps_inputs *in)
{
    if (in == NULL) {
        return;
    }
    if (in->region_names != NULL) {
        for (int reg = 0; reg < in->n_regions; ++reg) {
            free(in->region_names[reg]);
        }
    }
    free(in->region_names);
    free(in->source);
    ps_pop_release(&in->base);
    free(in->mx);
    free(in->asfr);
    free(in->srb);
    free(in->mig);
    free(in->births_factor);
    memset(in, 0, sizeof *in);
}

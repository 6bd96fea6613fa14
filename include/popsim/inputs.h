/*
 * popsim/inputs.h - the demographic inputs of one projection, prepared year by year.
 * Whatever the source (UN WPP files, a planner's CSV files, constants in a scenario),
 * the readers fill this plain-data struct and the engine reads nothing else.
 *
 * Time: the base population is the 1 July `start_year` population. Step s runs from
 * 1 July (start_year + s) to 1 July (start_year + s + 1); every per-step array holds
 * the rates that apply to that step (calendar-year inputs already averaged over the two
 * calendar years the step spans).
 */
#ifndef PS_INPUTS_H
#define PS_INPUTS_H

#include <stddef.h>

#include "popsim/error.h"
#include "popsim/pop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_inputs {
    int start_year;      /* calendar year of the base population (1 July) */
    int end_year;        /* last 1 July projected; there are end_year - start_year steps */
    int n_regions;       /* >= 1 */
    int n_ages;          /* single ages 0..n_ages-1, the last one open */
    char **region_names; /* n_regions strings, owned */
    char *source;        /* where the inputs came from, one line; owned, may be NULL */
    ps_pop base;         /* persons on 1 July start_year */
    double *mx;          /* [step][reg][sex][age] central death rate, deaths per person-year */
    double *asfr;        /* [step][reg][age] births per woman-year, by single age of mother */
    double *srb;         /* [step][reg] male births per female birth */
    double *mig;         /* [step][reg][sex][age] net migrants in the step, persons, by age */
    double *births_factor; /* [step] jump-off calibration factor already applied to asfr
                            * (popsim/parity.h, issue #12); NULL = no calibration; owned */
} ps_inputs;

static inline int ps_inputs_steps(const ps_inputs *in)
{
    return in->end_year - in->start_year;
}

/* Index of a [step][reg][sex][age] cell (mx, mig). */
static inline size_t ps_inputs_idx(const ps_inputs *in, int step, int reg, int sex, int age)
{
    return (((size_t)step * (size_t)in->n_regions + (size_t)reg) * PS_SEX_COUNT + (size_t)sex) *
               (size_t)in->n_ages + (size_t)age;
}

/* Index of a [step][reg][age] cell (asfr). */
static inline size_t ps_inputs_asfr_idx(const ps_inputs *in, int step, int reg, int age)
{
    return ((size_t)step * (size_t)in->n_regions + (size_t)reg) * (size_t)in->n_ages + (size_t)age;
}

/* Sex ratio at birth assumed when no input gives one: the usual biological value of about
 * 105 boys per 100 girls (male births per female birth). The scenario loader's default and
 * newly allocated inputs both use it. */
#define PS_SRB_DEFAULT 1.05

/**
 * Allocate zero-filled inputs for the given horizon and shape, with region names
 * "region1".. (callers overwrite them). srb is set to PS_SRB_DEFAULT.
 * @return PS_OK; PS_EINVAL if end_year <= start_year, n_regions < 1 or n_ages < 2; PS_ENOMEM
 */
ps_status ps_inputs_init(ps_inputs *in, int start_year, int end_year, int n_regions, int n_ages,
                         ps_error *err);

/** Replace region `reg`'s name with a copy of `name`. */
ps_status ps_inputs_set_region_name(ps_inputs *in, int reg, const char *name, ps_error *err);

/**
 * Check every value: finite, population >= 0, mx >= 0, asfr >= 0, srb > 0, migrants finite.
 * @return PS_OK; PS_EINVAL naming the first bad cell (array, year, region, sex, age)
 */
ps_status ps_inputs_validate(const ps_inputs *in, ps_error *err);

/** Release everything the struct owns; accepts a zeroed struct. */
void ps_inputs_release(ps_inputs *in);

#ifdef __cplusplus
}
#endif
#endif /* PS_INPUTS_H */

/*
 * pop.c - population counts by region, sex and single age.
 * Storage is one flat array; ps_pop_idx() in the header is the only index formula.
 */
#include "popsim/pop.h"

#include <stdlib.h>

const char *ps_sex_name(ps_sex sex)
{
    return sex == PS_SEX_MALE ? "male" : "female";
}

ps_status ps_pop_init(ps_pop *p, int n_regions, int n_ages, ps_error *err)
{
    p->count = NULL;
    p->n_regions = n_regions;
    p->n_ages = n_ages;
    if (n_regions < 1 || n_ages < 2) {
        return ps_error_set(err, PS_EINVAL, "population needs at least 1 region and 2 ages (got %d, %d)",
                            n_regions, n_ages);
    }
    p->count = calloc(ps_pop_size(p), sizeof *p->count);
    if (p->count == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for a population of %zu cells", ps_pop_size(p));
    }
    return PS_OK;
}

double ps_pop_total(const ps_pop *p)
{
    double sum = 0.0;
    for (size_t i = 0; i < ps_pop_size(p); ++i) {
        sum += p->count[i];
    }
    return sum;
}

double ps_pop_age_range(const ps_pop *p, int age_lo, int age_hi)
{
    double sum = 0.0;
    for (int reg = 0; reg < p->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = age_lo; age <= age_hi && age < p->n_ages; ++age) {
                sum += p->count[ps_pop_idx(p, reg, sex, age)];
            }
        }
    }
    return sum;
}

void ps_pop_release(ps_pop *p)
{
    if (p == NULL) {
        return;
    }
    free(p->count);
    p->count = NULL;
}

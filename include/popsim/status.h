/*
 * popsim/status.h - registration (hukou) status within each region (issue #13, sec. 2): the
 * registered population (户籍人口) tracked as a part of the resident population (常住人口)
 * of every region, cell by cell, with the residents' own rates (docs/model.md sec. 8).
 */
#ifndef PS_STATUS_H
#define PS_STATUS_H

#include "popsim/error.h"
#include "popsim/pop.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The status rules of a projection; plain data, arrays owned (ps_registration_release). */
typedef struct ps_registration {
    int n_regions, n_ages;
    double *base_share;  /* [reg] share of the base population registered, [0, 1] */
    double *conversion;  /* [reg][sex][age] conversions (落户) per person-year of the
                          * unregistered residents, [0, 1] */
    double arrive_registered; /* share of internal in-migrants who arrive registered, [0, 1] */
} ps_registration;

/**
 * Allocate rules for n_regions regions: nobody registered, no conversion, every migrant
 * arriving unregistered.
 * @return PS_OK; PS_EINVAL for n_regions < 1 or n_ages < 2; PS_ENOMEM
 */
ps_status ps_registration_init(ps_registration *g, int n_regions, int n_ages, ps_error *err);

/**
 * Check every value is finite and in [0, 1].
 * @return PS_OK; PS_EINVAL naming the first bad value
 */
ps_status ps_registration_validate(const ps_registration *g, ps_error *err);

/** Release the arrays; accepts a zeroed struct. */
void ps_registration_release(ps_registration *g);

#ifdef __cplusplus
}
#endif
#endif /* PS_STATUS_H */

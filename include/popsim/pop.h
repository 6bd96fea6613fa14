/*
 * popsim/pop.h - population counts by region x sex x single year of age.
 * Plain data: flat row-major storage with one index helper. Counts are expected
 * persons (double). The last age (n_ages - 1) is the open group ("100+").
 */
#ifndef PS_POP_H
#define PS_POP_H

#include <stddef.h>

#include "popsim/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ps_sex { PS_SEX_MALE = 0, PS_SEX_FEMALE = 1, PS_SEX_COUNT } ps_sex;

#define PS_ORDER_COUNT 3  /* birth orders 1, 2, 3+ */
#define PS_PARITY_COUNT 4 /* parity of women 0, 1, 2, 3+ */

/** "male" / "female": the labels of the HDF5 `sex` coordinate. */
const char *ps_sex_name(ps_sex sex);

typedef struct ps_pop {
    int n_regions; /* >= 1 */
    int n_ages;    /* single ages 0..n_ages-1, the last one open */
    double *count; /* persons, [reg][sex][age]; owned */
} ps_pop;

static inline size_t ps_pop_idx(const ps_pop *p, int reg, int sex, int age)
{
    return ((size_t)reg * PS_SEX_COUNT + (size_t)sex) * (size_t)p->n_ages + (size_t)age;
}

/** Number of cells (n_regions x 2 x n_ages). */
static inline size_t ps_pop_size(const ps_pop *p)
{
    return (size_t)p->n_regions * PS_SEX_COUNT * (size_t)p->n_ages;
}

/**
 * Allocate a zero-filled population. The struct itself is caller storage.
 * @return PS_OK; PS_EINVAL if n_regions < 1 or n_ages < 2; PS_ENOMEM
 */
ps_status ps_pop_init(ps_pop *p, int n_regions, int n_ages, ps_error *err);

/** Total persons in the population. */
double ps_pop_total(const ps_pop *p);

/** Persons aged age_lo..age_hi (inclusive), both sexes, all regions. */
double ps_pop_age_range(const ps_pop *p, int age_lo, int age_hi);

/** Release the counts; accepts a zeroed or already-released struct. */
void ps_pop_release(ps_pop *p);

#ifdef __cplusplus
}
#endif
#endif /* PS_POP_H */

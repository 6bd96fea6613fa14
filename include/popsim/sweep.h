/*
 * popsim/sweep.h - policy sweeps (issue #15, section 3): a grid or a Latin hypercube over
 * numeric policy, response and economy keys of one base member. The scenario loader turns
 * each point into a family member (a variant named sweep_NNNNN), so the run layer's units
 * (popsim/run.h) compute, distribute and order them like any variant. A point's result is
 * kept as one summary row (births gained, cost per additional birth, cost by lever), and
 * the rows are written as arrays along a `sweep` dimension in group /sweep of the result
 * file (docs/output-format.md, "Policy sweeps"); docs/scenario-format.md, "sweep", gives
 * the format.
 */
#ifndef PS_SWEEP_H
#define PS_SWEEP_H

#include <stdint.h>

#include "popsim/error.h"
#include "popsim/policy.h" /* PS_LEVER_COUNT */
#include "popsim/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Points a sweep may have at all, with --allow-large (without it PS_RUN_MAX_MEMBERS
 * counts the points as members). 10,000 China designs take about 13 s on one core. */
#define PS_SWEEP_MAX_POINTS 100000
#define PS_SWEEP_MAX_DIMS 16
/* Values a `values:` list or a `steps:` count may give one dimension. */
#define PS_SWEEP_MAX_VALUES 10000

typedef enum ps_sweep_design {
    PS_SWEEP_GRID = 0,       /* every combination of the dimensions' values */
    PS_SWEEP_LATIN_HYPERCUBE /* `points` points, one per stratum of each dimension */
} ps_sweep_design;

/* One dimension as the design sees it: a list of values (grid) or a range. */
typedef struct ps_sweep_dim {
    const double *values; /* grid values; NULL: the range lo..hi (steps for a grid) */
    int n_values;
    double lo, hi; /* range, lo <= hi */
    int steps;     /* grid over a range: this many evenly spaced values, >= 1 */
    int is_int;    /* the key is a whole number: Latin hypercube values are rounded */
} ps_sweep_dim;

/** Points of a grid: the product of the dimensions' value counts, or -1 above `limit`. */
long ps_sweep_grid_size(const ps_sweep_dim *dims, int n_dims, long limit);

/**
 * The grid's points into values[point][dim] (n_points = ps_sweep_grid_size); the last
 * dimension varies fastest. A range gives lo + i (hi - lo) / (steps - 1), i = 0..steps-1.
 */
void ps_sweep_grid(double *values, const ps_sweep_dim *dims, int n_dims);

/**
 * A Latin hypercube of n_points over the dimensions' ranges into values[point][dim]: in
 * each dimension the range is cut into n_points equal strata and every stratum holds
 * exactly one point, at a uniform position inside it; the strata of each dimension are a
 * random permutation. The generator is SplitMix64 (Steele, Lea & Flood 2014) started at
 * `seed`, with Fisher-Yates shuffles drawing unbiased integers by rejection and uniforms
 * from the top 53 bits, so one seed gives the same points on every machine.
 * Whole-number keys are rounded to the nearest integer after the draw.
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_sweep_latin_hypercube(double *values, const ps_sweep_dim *dims, int n_dims,
                                   int n_points, uint64_t seed, ps_error *err);

/* What a point's run leaves: the figures of docs/policy.md sec. 3 for its variant. */
typedef struct ps_sweep_row {
    double births_gained;            /* over the horizon, persons */
    double births_gained_discounted; /* weighted (1 + r)^-y */
    double cost;                     /* yuan: instruments + extra service subsidies */
    double cost_discounted;
    double cost_per_birth;            /* cost / births_gained; NaN if births_gained <= 0 */
    double cost_per_birth_discounted; /* cost_discounted / births_gained_discounted */
    double cost_by_lever[PS_LEVER_COUNT];  /* nominal yuan paid through each lever */
    double cost_by_lever_discounted[PS_LEVER_COUNT];
    double service_subsidy_extra;     /* yuan (0 without services) */
    double service_subsidy_extra_discounted;
} ps_sweep_row;

/** The summary row of a finished variant result (ps_services_compare done). */
void ps_sweep_row_from_result(ps_sweep_row *row, const ps_result *res);

/* A sweep's points and rows, as written to and read from /sweep. */
typedef struct ps_sweep_table {
    int n_points;
    int n_dims;
    char **keys;      /* [dim] the swept key paths as written; owned when read */
    double *values;   /* [point][dim] */
    ps_sweep_row *rows; /* [point] */
    char *base;       /* the member the points start from */
    char *baseline;   /* the member births gained are measured against */
    int design;       /* ps_sweep_design */
    unsigned long long seed; /* Latin hypercube seed (0 for a grid) */
} ps_sweep_table;

/* Reading a table back from a result file: ps_sweep_read in popsim/h5read.h. */
void ps_sweep_table_release(ps_sweep_table *t); /* accepts a zeroed struct */

/**
 * The frontier of births gained against cost: points no other point dominates (at least as
 * many births for at most the cost, better in one). Points with NaN figures are left out.
 * `discounted` selects the discounted figures. frontier_out[0..*n_out-1] are point indices
 * by increasing cost.
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_sweep_frontier(int *frontier_out, int *n_out, const ps_sweep_row *rows,
                            int n_points, int discounted, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_SWEEP_H */

/*
 * policy/sweep.c - the designs of a policy sweep (grid, Latin hypercube), the summary row a
 * point's variant leaves, and the frontier of births gained against cost (popsim/sweep.h).
 * Pure functions: the scenario loader (io/sweep.c) builds the points with them, the run
 * layer keeps the rows, and `popsim compare` ranks them.
 */
#include "popsim/sweep.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- designs ------------------------------------------------------------------------------ */

static int dim_count(const ps_sweep_dim *d)
{
    return d->values != NULL ? d->n_values : d->steps;
}

static double dim_value(const ps_sweep_dim *d, int i)
{
    if (d->values != NULL) {
        return d->values[i];
    }
    if (d->steps <= 1) {
        return d->lo;
    }
    return i == d->steps - 1 ? d->hi
                             : d->lo + (double)i * (d->hi - d->lo) / (double)(d->steps - 1);
}

long ps_sweep_grid_size(const ps_sweep_dim *dims, int n_dims, long limit)
{
    long n = 1;
    for (int d = 0; d < n_dims; ++d) {
        const long k = dim_count(&dims[d]);
        if (k < 1 || n > limit / k) {
            return -1;
        }
        n *= k;
    }
    return n;
}

void ps_sweep_grid(double *values, const ps_sweep_dim *dims, int n_dims)
{
    const long n = ps_sweep_grid_size(dims, n_dims, PS_SWEEP_MAX_POINTS);
    for (long p = 0; p < n; ++p) {
        long rest = p;
        for (int d = n_dims - 1; d >= 0; --d) { /* the last dimension varies fastest */
            const int k = dim_count(&dims[d]);
            values[p * n_dims + d] = dim_value(&dims[d], (int)(rest % k));
            rest /= k;
        }
    }
}

/* SplitMix64 (Steele, Lea & Flood 2014; the reference constants of Vigna's splitmix64.c). */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A uniform integer in 0..n-1 (n >= 1) without modulo bias: draws in the biased tail of
 * 2^64 are rejected. */
static uint64_t uniform_below(uint64_t *state, uint64_t n)
{
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
        x = splitmix64(state);
    } while (x >= limit);
    return x % n;
}

/* A uniform double in [0, 1): the top 53 bits times 2^-53. */
static double uniform01(uint64_t *state)
{
    return (double)(splitmix64(state) >> 11) * 0x1.0p-53;
}

ps_status ps_sweep_latin_hypercube(double *values, const ps_sweep_dim *dims, int n_dims,
                                   int n_points, uint64_t seed, ps_error *err)
{
    uint64_t state = seed;
    int *perm = malloc((size_t)n_points * sizeof *perm);
    if (perm == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for a Latin hypercube of %d points",
                            n_points);
    }
    /* Dimension by dimension: a Fisher-Yates permutation of the strata, then one uniform
     * position per point, in point order. */
    for (int d = 0; d < n_dims; ++d) {
        const ps_sweep_dim *dim = &dims[d];
        for (int p = 0; p < n_points; ++p) {
            perm[p] = p;
        }
        for (int p = n_points - 1; p > 0; --p) {
            const int j = (int)uniform_below(&state, (uint64_t)p + 1);
            const int t = perm[p];
            perm[p] = perm[j];
            perm[j] = t;
        }
        for (int p = 0; p < n_points; ++p) {
            const double u = ((double)perm[p] + uniform01(&state)) / (double)n_points;
            double x = dim->lo + u * (dim->hi - dim->lo);
            if (dim->is_int) {
                x = floor(x + 0.5);
            }
            values[(size_t)p * (size_t)n_dims + (size_t)d] = x < dim->lo   ? dim->lo
                                                             : x > dim->hi ? dim->hi
                                                                           : x;
        }
    }
    free(perm);
    return PS_OK;
}

/* ---- rows -------------------------------------------------------------------------------- */

static double sum_ledger(const double *a, int n_years, int n_regions)
{
    double s = 0.0;
    for (int i = 0; a != NULL && i < n_years * n_regions; ++i) {
        if (!isnan(a[i])) {
            s += a[i];
        }
    }
    return s;
}

static double finite_or_zero(double x)
{
    return isfinite(x) ? x : 0.0;
}

void ps_sweep_row_from_result(ps_sweep_row *row, const ps_result *res)
{
    for (int lever = 0; lever < PS_LEVER_COUNT; ++lever) {
        row->cost_by_lever[lever] = 0.0;
        row->cost_by_lever_discounted[lever] = 0.0;
    }
    for (int i = 0; i < res->n_instruments; ++i) {
        const ps_ledger *l = &res->ledger[i];
        if (l->lever >= 0 && l->lever < PS_LEVER_COUNT) {
            row->cost_by_lever[l->lever] += sum_ledger(l->cost, res->n_years, res->n_regions);
            row->cost_by_lever_discounted[l->lever] +=
                sum_ledger(l->cost_discounted, res->n_years, res->n_regions);
        }
    }
    row->births_gained = res->births_gained_total;
    row->births_gained_discounted = res->births_gained_discounted;
    row->service_subsidy_extra = finite_or_zero(res->service_subsidy_extra);
    row->service_subsidy_extra_discounted = finite_or_zero(res->service_subsidy_extra_discounted);
    row->cost = res->cost_total + row->service_subsidy_extra;
    row->cost_discounted = res->cost_total_discounted + row->service_subsidy_extra_discounted;
    row->cost_per_birth = res->cost_per_additional_birth;
    row->cost_per_birth_discounted = res->cost_per_additional_birth_discounted;
}

/* ---- frontier ---------------------------------------------------------------------------- */

typedef struct frontier_item {
    double cost, births;
    int point;
} frontier_item;

/* By cost ascending, then births descending, then point index (a total order, so the
 * frontier does not depend on qsort's stability). */
static int by_cost(const void *a, const void *b)
{
    const frontier_item *x = a, *y = b;
    if (x->cost != y->cost) {
        return x->cost < y->cost ? -1 : 1;
    }
    if (x->births != y->births) {
        return x->births > y->births ? -1 : 1;
    }
    return (x->point > y->point) - (x->point < y->point);
}

ps_status ps_sweep_frontier(int *frontier_out, int *n_out, const ps_sweep_row *rows,
                            int n_points, int discounted, ps_error *err)
{
    frontier_item *items = malloc(((size_t)n_points + 1) * sizeof *items);
    int n = 0, kept = 0;
    *n_out = 0;
    if (items == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the frontier of %d points",
                            n_points);
    }
    for (int p = 0; p < n_points; ++p) {
        const double c = discounted ? rows[p].cost_discounted : rows[p].cost;
        const double b = discounted ? rows[p].births_gained_discounted : rows[p].births_gained;
        if (isfinite(c) && isfinite(b)) {
            items[n++] = (frontier_item){ c, b, p };
        }
    }
    qsort(items, (size_t)n, sizeof *items, by_cost);
    /* Sweeping by cost: a point is on the frontier when it gains more births than every
     * cheaper (or equally cheap, earlier-sorted) point. */
    double best = -INFINITY;
    for (int i = 0; i < n; ++i) {
        if (items[i].births > best) {
            frontier_out[kept++] = items[i].point;
            best = items[i].births;
        }
    }
    *n_out = kept;
    free(items);
    return PS_OK;
}

/* ---- tables ------------------------------------------------------------------------------ */

void ps_sweep_table_release(ps_sweep_table *t)
{
    for (int d = 0; t->keys != NULL && d < t->n_dims; ++d) {
        free(t->keys[d]);
    }
    free(t->keys);
    free(t->values);
    free(t->rows);
    free(t->base);
    free(t->baseline);
    memset(t, 0, sizeof *t);
}

/*
 * quantiles.c - several type-7 sample quantiles of one sample in one pass (popsim/prob.h):
 * the order statistics they need (k = floor((n - 1) p) and, where p falls between two, k + 1)
 * are selected by nested partitions: the middle rank first (Hoare's selection, as
 * ps_prob_sample_quantile), which leaves every smaller value before it and every larger one
 * after it, then the ranks below it in the part before and the ranks above it in the part
 * after. Each partition works on a shorter range than a fresh selection of the whole sample
 * would, and no range is partitioned twice for the same rank. An order statistic is a value
 * of the sample, whatever the way it is found, so each quantile is the one
 * ps_prob_sample_quantile gives: the same order statistics and the same interpolation
 * (lo + (h - k) (hi - lo)).
 */
#include <math.h>

#include "popsim/prob.h"

/* The k-th smallest of x[lo..hi] at x[k], with x[lo..k-1] <= x[k] <= x[k+1..hi]. */
static void select_rank(double *x, int lo, int hi, int k)
{
    while (lo < hi) {
        const double pivot = x[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (x[i] < pivot) {
                ++i;
            }
            while (x[j] > pivot) {
                --j;
            }
            if (i <= j) {
                const double t = x[i];
                x[i] = x[j];
                x[j] = t;
                ++i;
                --j;
            }
        }
        if (k <= j) {
            hi = j;
        } else if (k >= i) {
            lo = i;
        } else {
            break; /* x[j+1..i-1] all equal the pivot: k is in place */
        }
    }
}

/* Put ranks[a..b-1] (ascending, all within lo..hi) in place in x[lo..hi]. */
static void select_ranks(double *x, int lo, int hi, const int *ranks, int a, int b)
{
    while (a < b) {
        const int mid = a + (b - a) / 2, r = ranks[mid];
        select_rank(x, lo, hi, r);
        if (mid - a < b - mid - 1) { /* recurse into the side with fewer ranks */
            select_ranks(x, lo, r - 1, ranks, a, mid);
            lo = r + 1;
            a = mid + 1;
        } else {
            select_ranks(x, r + 1, hi, ranks, mid + 1, b);
            hi = r - 1;
            b = mid;
        }
    }
}

void ps_prob_sample_quantiles(double *x, int n, const double *p, int m, double *out)
{
    int ranks[2 * PS_PROB_QUANTILES_MAX] = { 0 };
    int n_ranks = 0;
    for (int q = 0; q < m; ++q) {
        const double h = (n - 1) * p[q];
        const int k = (int)floor(h);
        for (int r = k; r <= k + 1 && r < n; ++r) {
            if (r > k && h == k) {
                break; /* p falls on an order statistic: no neighbour needed */
            }
            int at = n_ranks; /* insert in order, once */
            while (at > 0 && ranks[at - 1] > r) {
                --at;
            }
            if (at > 0 && ranks[at - 1] == r) {
                continue;
            }
            for (int i = n_ranks; i > at; --i) {
                ranks[i] = ranks[i - 1];
            }
            ranks[at] = r;
            ++n_ranks;
        }
    }
    select_ranks(x, 0, n - 1, ranks, 0, n_ranks);
    for (int q = 0; q < m; ++q) {
        const double h = (n - 1) * p[q];
        const int k = (int)floor(h);
        const double lo = x[k];
        out[q] = k + 1 >= n || h == k ? lo : lo + (h - k) * (x[k + 1] - lo);
    }
}

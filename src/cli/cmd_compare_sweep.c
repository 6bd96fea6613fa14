/*
 * cmd_compare_sweep.c - `popsim compare` on the result of a policy sweep (issue #15, section
 * 3): the points ranked by cost per additional birth, and the frontier of births gained
 * against cost (the points no other point dominates: at least as many births for at most the
 * cost), as tables or, with --json, one JSON document (docs/json.md, "popsim-compare-sweep/1").
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "popsim/h5read.h"
#include "popsim/sweep.h"

#define YUAN_PER_MILLION 1e6

typedef struct rank_item {
    double cost_per_birth;
    int point;
} rank_item;

/* Cheapest first; points without births gained (NaN) last; ties by point index. */
static int by_cost_per_birth(const void *a, const void *b)
{
    const rank_item *x = a, *y = b;
    const int xn = isnan(x->cost_per_birth), yn = isnan(y->cost_per_birth);
    if (xn != yn) {
        return xn - yn;
    }
    if (!xn && x->cost_per_birth != y->cost_per_birth) {
        return x->cost_per_birth < y->cost_per_birth ? -1 : 1;
    }
    return (x->point > y->point) - (x->point < y->point);
}

/* The last component of a key path, for a column header ("policies[x].amount" -> "amount"). */
static const char *short_key(const char *key)
{
    const char *dot = strrchr(key, '.');
    return dot != NULL ? dot + 1 : key;
}

static void print_header(FILE *out, const ps_sweep_table *t, const char *first)
{
    fprintf(out, "%s %7s", first, "point");
    for (int d = 0; d < t->n_dims; ++d) {
        fprintf(out, " %14.14s", short_key(t->keys[d]));
    }
    fprintf(out, " %14s %14s %14s %14s\n", "births_gained", "cost_M_yuan", "yuan_per_birth",
            "discounted");
}

static void print_point(FILE *out, const ps_sweep_table *t, int p)
{
    const ps_sweep_row *r = &t->rows[p];
    fprintf(out, " %7d", p);
    for (int d = 0; d < t->n_dims; ++d) {
        fprintf(out, " %14.6g", t->values[(size_t)p * (size_t)t->n_dims + (size_t)d]);
    }
    fprintf(out, " %14.0f %14.1f %14.0f %14.0f\n", r->births_gained,
            r->cost / YUAN_PER_MILLION, r->cost_per_birth, r->cost_per_birth_discounted);
}

static void print_tables(FILE *out, const ps_sweep_table *t, const rank_item *rank, int top,
                         const int *front, int n_front)
{
    const int shown = top < t->n_points ? top : t->n_points;
    fprintf(out, "Sweep: %d points (%s", t->n_points,
            t->design == PS_SWEEP_GRID ? "grid" : "latin_hypercube");
    if (t->design == PS_SWEEP_LATIN_HYPERCUBE) {
        fprintf(out, ", seed %llu", t->seed);
    }
    fprintf(out, ") from member '%s'; births gained against '%s'.\n", t->base, t->baseline);
    for (int d = 0; d < t->n_dims; ++d) {
        fprintf(out, "  %-14.14s = %s\n", short_key(t->keys[d]), t->keys[d]);
    }
    fprintf(out, "\nPoints ranked by cost per additional birth (nominal yuan; %d of %d, "
                 "--top N for more):\n", shown, t->n_points);
    print_header(out, t, "rank");
    for (int i = 0; i < shown; ++i) {
        fprintf(out, "%4d", i + 1);
        print_point(out, t, rank[i].point);
    }
    fprintf(out, "\nFrontier of births gained against cost (%d points no other point "
                 "dominates: none gains as many births for less), by cost:\n", n_front);
    print_header(out, t, "    ");
    for (int i = 0; i < n_front; ++i) {
        fprintf(out, "    ");
        print_point(out, t, front[i]);
    }
    fprintf(out, "Cost is every instrument plus the extra service subsidies, over the "
                 "horizon; discounted: discounted cost per discounted birth.\n");
}

static void json_point(cli_json *j, const ps_sweep_table *t, int p, int rank)
{
    const ps_sweep_row *r = &t->rows[p];
    cli_json_begin_object(j, NULL);
    cli_json_int(j, "point", p);
    if (rank > 0) {
        cli_json_int(j, "rank", rank);
    }
    cli_json_numbers(j, "values", &t->values[(size_t)p * (size_t)t->n_dims], t->n_dims);
    cli_json_number(j, "births_gained", r->births_gained);
    cli_json_number(j, "births_gained_discounted", r->births_gained_discounted);
    cli_json_number(j, "cost_yuan", r->cost);
    cli_json_number(j, "cost_discounted_yuan", r->cost_discounted);
    cli_json_number(j, "cost_per_additional_birth", r->cost_per_birth);
    cli_json_number(j, "cost_per_additional_birth_discounted", r->cost_per_birth_discounted);
    cli_json_begin_object(j, "cost_by_lever");
    for (int l = 0; l < PS_LEVER_COUNT; ++l) {
        cli_json_number(j, ps_lever_name((ps_lever)l), r->cost_by_lever[l]);
    }
    cli_json_end_object(j);
    cli_json_end_object(j);
}

static void print_json(FILE *out, const char *path, const ps_sweep_table *t,
                       const rank_item *rank, const int *front, int n_front)
{
    cli_json j;
    cli_json_init(&j, out);
    cli_json_begin_object(&j, NULL);
    cli_json_string(&j, "schema", "popsim-compare-sweep/1");
    cli_json_string(&j, "file", path);
    cli_json_string(&j, "design", t->design == PS_SWEEP_GRID ? "grid" : "latin_hypercube");
    cli_json_number(&j, "seed", (double)t->seed);
    cli_json_string(&j, "base", t->base);
    cli_json_string(&j, "baseline", t->baseline);
    cli_json_begin_array(&j, "keys");
    for (int d = 0; d < t->n_dims; ++d) {
        cli_json_string(&j, NULL, t->keys[d]);
    }
    cli_json_end_array(&j);
    cli_json_begin_array(&j, "ranked");
    for (int i = 0; i < t->n_points; ++i) {
        json_point(&j, t, rank[i].point, i + 1);
    }
    cli_json_end_array(&j);
    cli_json_begin_array(&j, "frontier");
    for (int i = 0; i < n_front; ++i) {
        json_point(&j, t, front[i], 0);
    }
    cli_json_end_array(&j);
    cli_json_end_object(&j);
}

int cli_parse_top(int *out, const char *text)
{
    char *end = NULL;
    const long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || v < 1 || v > 1000000) {
        return -1;
    }
    *out = (int)v;
    return 0;
}

int cli_compare_sweep(const char *path, int json, int top)
{
    ps_error err;
    ps_sweep_table t;
    rank_item *rank = NULL;
    int *front = NULL, n_front = 0;
    ps_error_clear(&err);
    ps_status rc = ps_sweep_read(&t, path, &err);
    if (rc == PS_OK) {
        const size_t n = (size_t)(t.n_points > 0 ? t.n_points : 1);
        rank = malloc(n * sizeof *rank);
        front = malloc(n * sizeof *front);
        if (rank == NULL || front == NULL) {
            rc = ps_error_set(&err, PS_ENOMEM, "out of memory");
        }
    }
    if (rc == PS_OK) {
        for (int p = 0; p < t.n_points; ++p) {
            rank[p] = (rank_item){ t.rows[p].cost_per_birth, p };
        }
        qsort(rank, (size_t)t.n_points, sizeof *rank, by_cost_per_birth);
        rc = ps_sweep_frontier(front, &n_front, t.rows, t.n_points, 0, &err);
    }
    if (rc == PS_OK && json) {
        print_json(stdout, path, &t, rank, front, n_front);
    } else if (rc == PS_OK) {
        print_tables(stdout, &t, rank, top, front, n_front);
    }
    free(rank);
    free(front);
    ps_sweep_table_release(&t);
    if (rc != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/*
 * cmd_compare_prob.c - `popsim compare` on a probabilistic file (issue #14, sec. 2): each
 * policy variant's births gained over the horizon and cost per additional birth (nominal
 * and discounted), as the median with the 80 % interval (10 % to 90 % over trajectories),
 * and the share of trajectories without a gain (docs/model.md sec. 9.6); with --json the
 * document popsim-compare-prob/1 (docs/json.md).
 */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "popsim/h5prob.h"

enum { Q10 = 1, Q50 = 2, Q90 = 3 }; /* indices of 10 %, 50 % and 90 % in the stats */

/* "12,345" (no decimals), "no gain" for +inf, "-" for NaN. */
static const char *fmt_count(char *buf, size_t size, double v)
{
    if (isinf(v)) {
        snprintf(buf, size, "no gain");
        return buf;
    }
    return cli_fmt_count(buf, size, v);
}

static void print_cell(FILE *out, const double *s, int width)
{
    char a[48], b[48], c[48], text[160];
    if (isinf(s[Q10])) { /* no gain in 90 % of the trajectories or more */
        snprintf(text, sizeof text, "%s", fmt_count(a, sizeof a, s[Q10]));
    } else {
        snprintf(text, sizeof text, "%s (%s to %s)", fmt_count(a, sizeof a, s[Q50]),
                 fmt_count(b, sizeof b, s[Q10]), fmt_count(c, sizeof c, s[Q90]));
    }
    fprintf(out, "  %-*s", width, text);
}

/* Quantiles (a list) and mean of one variable's cell; +inf (no gain) and NaN are null. */
static void json_stats(cli_json *j, const char *key, const double *s)
{
    cli_json_begin_object(j, key);
    cli_json_numbers(j, "quantiles", s, PS_PROB_N_QUANTILES);
    cli_json_number(j, "mean", s[PS_PROB_N_QUANTILES]);
    cli_json_end_object(j);
}

/* The document popsim-compare-prob/1 (docs/json.md). */
static void print_json(FILE *out, const char *path, const ps_h5_prob_data *d)
{
    const ps_prob_pol_summary *p = &d->policy;
    cli_json j;
    cli_json_init(&j, out);
    cli_json_begin_object(&j, NULL);
    cli_json_string(&j, "schema", "popsim-compare-prob/1");
    cli_json_string(&j, "file", path);
    cli_json_string(&j, "group", d->group);
    cli_json_int(&j, "trajectories", d->trajectories);
    cli_json_int(&j, "seed", d->seed);
    cli_json_int(&j, "first_year", d->start_year);
    cli_json_int(&j, "last_year", d->start_year + d->n_years - 1);
    cli_json_numbers(&j, "quantile_levels", d->levels, d->n_q);
    cli_json_begin_array(&j, "variants");
    for (int v = 0; v < p->n_variants; ++v) {
        cli_json_begin_object(&j, NULL);
        cli_json_string(&j, "name", p->names[v]);
        for (int k = 0; k < PS_PROB_POL_VAR_COUNT; ++k) {
            json_stats(&j, ps_prob_pol_var_name((ps_prob_pol_var)k),
                       p->scalar[k] + (size_t)v * PS_PROB_N_STATS);
        }
        cli_json_number(&j, "births_gained_none_share", p->no_gain[v]);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_end_object(&j);
    fputc('\n', out);
}

int cli_compare_prob(const char *path, int json)
{
    ps_h5_prob_data d;
    ps_error err;
    ps_error_clear(&err);
    if (ps_h5_prob_read(&d, path, &err) != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    const ps_prob_pol_summary *p = &d.policy;
    if (json) {
        print_json(stdout, path, &d);
        ps_h5_prob_data_release(&d);
        return CLI_EXIT_OK;
    }
    if (p->n_variants == 0) {
        printf("%s: a probabilistic file without policy variants; `popsim info` shows its "
               "quantiles\n", path);
        ps_h5_prob_data_release(&d);
        return CLI_EXIT_OK;
    }
    printf("%s: %d trajectories (seed %lld); each variant against the baseline of the same "
           "trajectory, %d-%d\nmedian and 80 %% interval (10 %% to 90 %% of the "
           "trajectories)\n\n", d.group, d.trajectories, d.seed, d.start_year,
           d.start_year + d.n_years - 1);
    printf("  %-24s  %-32s  %-40s  %-40s  %s\n", "variant", "births gained",
           "yuan per additional birth", "discounted yuan per additional birth", "no gain");
    for (int v = 0; v < p->n_variants; ++v) {
        printf("  %-24s", p->names[v]);
        print_cell(stdout, p->scalar[PS_PROB_POL_GAINED_TOTAL] + v * PS_PROB_N_STATS, 32);
        print_cell(stdout, p->scalar[PS_PROB_POL_CPB] + v * PS_PROB_N_STATS, 40);
        print_cell(stdout, p->scalar[PS_PROB_POL_CPB_DISCOUNTED] + v * PS_PROB_N_STATS, 40);
        printf("  %.1f %%\n", 100.0 * p->no_gain[v]);
    }
    ps_h5_prob_data_release(&d);
    return CLI_EXIT_OK;
}

/*
 * cmd_compare_prob.c - `popsim compare` on a probabilistic file (issue #14, sec. 2): each
 * policy variant's births gained over the horizon and cost per additional birth (nominal
 * and discounted), as the median with the 80 % interval (10 % to 90 % over trajectories),
 * and the share of trajectories without a gain (docs/model.md sec. 9.6).
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

int cli_compare_prob(const char *path, int json)
{
    ps_h5_prob_data d;
    ps_error err;
    ps_error_clear(&err);
    if (json) {
        fprintf(stderr, "popsim compare: --json is not available for probabilistic files yet\n");
        return CLI_EXIT_USAGE;
    }
    if (ps_h5_prob_read(&d, path, &err) != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    const ps_prob_pol_summary *p = &d.policy;
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

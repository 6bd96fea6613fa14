/*
 * info_prob.c - what `popsim info` says of a probabilistic file (issue #14,
 * docs/output-format.md, "Probabilistic runs"; schema of --json in docs/json.md): the run's
 * facts and, per location, the stored quantiles of total population at the first and last
 * year, read back by ps_h5_prob_read.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "info_prob.h"

/* Total population is printed in millions of persons. */
#define PERSONS_PER_MILLION 1.0e6
/* The 65+ share is printed in per cent. */
#define PERCENT_PER_ONE 100.0

/* Quantile q of series s at location loc and year index y. */
static double at(const ps_h5_prob_data *d, ps_h5_prob_series s, int loc, int y, int q)
{
    return d->q[s] != NULL
               ? d->q[s][((size_t)loc * (size_t)d->n_years + (size_t)y) * (size_t)d->n_q +
                         (size_t)q]
               : NAN;
}

static void put_summaries(FILE *out, const ps_h5_prob_data *d)
{
    const char *sep = "";
    for (int s = 0; s < PS_H5_PROB_SERIES_COUNT; ++s) {
        const char *sex = ps_h5_prob_series_sex((ps_h5_prob_series)s);
        if (d->q[s] != NULL) {
            fprintf(out, "%s%s%s%s", sep, ps_h5_prob_series_var((ps_h5_prob_series)s),
                    sex != NULL ? " sex=" : "", sex != NULL ? sex : "");
            sep = ", ";
        }
    }
}

/* The process parameters of the file (issue #14; docs/model.md 9.3): per row (persistence,
 * level share, centring, per person, size elasticity, level skew) each process's value, or
 * its range over the locations. */
static void put_process(FILE *out, const ps_h5_prob_data *d)
{
    static const char *const rows[PS_H5_PROB_PROCESS_ROWS] = {
        "persistence", "level share", "centring", "per person", "size elasticity", "level skew"
    };
    for (int r = 0; r < PS_H5_PROB_PROCESS_ROWS; ++r) {
        if (d->process[r] == NULL) {
            continue;
        }
        fprintf(out, "\n  %-13s", rows[r]);
        for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
            double lo = INFINITY, hi = -INFINITY;
            for (int loc = 0; loc < d->n_loc; ++loc) {
                const double v = d->process[r][(size_t)loc * PS_PROB_PROC_COUNT + (size_t)k];
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
            fprintf(out, "%s %s %.3g", k == 0 ? "" : ",", ps_h5_prob_process_name(k), lo);
            if (hi > lo) {
                fprintf(out, "-%.3g", hi);
            }
        }
    }
    if (d->process[0] != NULL && d->n_loc > 1) {
        fputs(" (by location: process_persistence)", out);
    }
    if (d->alignment != NULL) { /* docs/model.md 9.7: the last year's factor(s) */
        double lo = INFINITY, hi = -INFINITY;
        for (int loc = 0; loc < d->n_loc; ++loc) {
            const double v = d->alignment[(size_t)(d->n_years - 1) * (size_t)d->n_loc +
                                          (size_t)loc];
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
        fprintf(out, "\n  median aligned with the deterministic projection: factor %.4g", lo);
        if (hi > lo) {
            fprintf(out, "-%.4g", hi);
        }
        fprintf(out, " in %d (population_alignment)", d->start_year + d->n_years - 1);
    }
}

void cli_info_prob_text(FILE *out, const ps_h5_prob_data *d)
{
    const int last = d->start_year + d->n_years - 1;
    fprintf(out, "\nprobabilistic projection '%s': %d %s%s, %d-%d\n", d->group, d->n_loc,
            d->dim, d->n_loc == 1 ? "" : "s", d->start_year, last);
    fprintf(out, "  trajectories  %d\n", d->trajectories);
    if (d->seed >= 0) {
        fprintf(out, "  seed          %lld\n", d->seed);
    } else {
        fputs("  seed          -\n", out);
    }
    fputs("  quantiles    ", out);
    for (int q = 0; q < d->n_q; ++q) {
        fprintf(out, " %g", d->levels[q]);
    }
    fputs("\n  summaries     ", out);
    put_summaries(out, d);
    put_process(out, d);
    for (int k = 0; k < d->n_svc; ++k) { /* services under uncertainty (issue #14, sec. 2) */
        fputs(k == 0 ? "\n  services      " : ", ", out);
        cli_put_text(out, d->svc_names[k]);
    }
    if (d->n_svc > 0) {
        fputs(" (`popsim targets` gives their chance of a shortage)", out);
    }
    for (int v = 0; v < d->policy.n_variants; ++v) { /* issue #14, sec. 2 */
        fputs(v == 0 ? "\n  variants      " : ", ", out);
        cli_put_text(out, d->policy.names[v]);
        fputs(v + 1 == d->policy.n_variants ? " (popsim compare: births gained, cost per "
                                              "additional birth)" : "", out);
    }
    fprintf(out, "\n\n  total population (millions), quantiles at %d and %d:\n", d->start_year,
            last);
    for (int loc = 0; loc < d->n_loc; ++loc) { /* one line a location */
        fputs("  ", out);
        cli_put_text(out, d->labels[loc]);
        for (int end = 0; end < 2; ++end) {
            fprintf(out, "%s%d:", end == 0 ? ": " : " | ", end == 0 ? d->start_year : last);
            for (int q = 0; q < d->n_q; ++q) {
                fprintf(out, " %.2f",
                        at(d, PS_H5_PROB_POP_TOTAL, loc, end == 0 ? 0 : d->n_years - 1, q) /
                            PERSONS_PER_MILLION);
            }
        }
        fputc('\n', out);
    }
    if (d->q[PS_H5_PROB_SHARE_65] != NULL) { /* the 65+ share fan (issue #14, sec. 2) */
        fprintf(out, "\n  share aged 65+ (%%), quantiles at %d and %d:\n", d->start_year, last);
    }
    for (int loc = 0; d->q[PS_H5_PROB_SHARE_65] != NULL && loc < d->n_loc; ++loc) {
        fputs("  ", out);
        cli_put_text(out, d->labels[loc]);
        for (int end = 0; end < 2; ++end) {
            fprintf(out, "%s%d:", end == 0 ? ": " : " | ", end == 0 ? d->start_year : last);
            for (int q = 0; q < d->n_q; ++q) {
                fprintf(out, " %.1f", PERCENT_PER_ONE *
                                          at(d, PS_H5_PROB_SHARE_65, loc,
                                             end == 0 ? 0 : d->n_years - 1, q));
            }
        }
        fputc('\n', out);
    }
}

void cli_info_prob_json(cli_json *j, const ps_h5_prob_data *d)
{
    double *q = malloc((size_t)d->n_q * sizeof *q); /* NULL: the figures are left out */
    cli_json_begin_object(j, "probabilistic");
    cli_json_string(j, "group", d->group);
    cli_json_string(j, "dimension", d->dim);
    cli_json_int(j, "start_year", d->start_year);
    cli_json_int(j, "end_year", d->start_year + d->n_years - 1);
    cli_json_int(j, "trajectories", d->trajectories);
    if (d->seed >= 0) {
        cli_json_int(j, "seed", d->seed);
    } else {
        cli_json_string(j, "seed", NULL);
    }
    cli_json_numbers(j, "quantiles", d->levels, d->n_q);
    cli_json_begin_array(j, "summaries");
    for (int s = 0; s < PS_H5_PROB_SERIES_COUNT; ++s) {
        if (d->q[s] != NULL) {
            cli_json_begin_object(j, NULL);
            cli_json_string(j, "variable", ps_h5_prob_series_var((ps_h5_prob_series)s));
            cli_json_string(j, "sex", ps_h5_prob_series_sex((ps_h5_prob_series)s));
            cli_json_end_object(j);
        }
    }
    cli_json_end_array(j);
    cli_json_begin_array(j, "services"); /* issue #14, sec. 2; empty without */
    for (int k = 0; k < d->n_svc; ++k) {
        cli_json_string(j, NULL, d->svc_names[k]);
    }
    cli_json_end_array(j);
    cli_json_begin_array(j, "locations");
    for (int loc = 0; loc < d->n_loc; ++loc) {
        cli_json_begin_object(j, NULL);
        cli_json_string(j, "name", d->labels[loc]);
        for (int end = 0; q != NULL && end < 2; ++end) {
            const int nq = d->n_q;
            for (int k = 0; k < nq; ++k) {
                q[k] = at(d, PS_H5_PROB_POP_TOTAL, loc, end == 0 ? 0 : d->n_years - 1, k);
            }
            cli_json_numbers(j, end == 0 ? "population_total_first_year"
                                         : "population_total_last_year", q, nq);
        }
        static const char *const keys[PS_H5_PROB_PROCESS_ROWS] = {
            "persistence", "level_share", "centring", "per_person", "size_elasticity",
            "level_skew"
        };
        for (int r = 0; r < PS_H5_PROB_PROCESS_ROWS; ++r) { /* tfr, e0, net_migration */
            if (d->process[r] != NULL) {
                cli_json_numbers(j, keys[r], d->process[r] + (size_t)loc * PS_PROB_PROC_COUNT,
                                 PS_PROB_PROC_COUNT);
            } else {
                cli_json_string(j, keys[r], NULL);
            }
        }
        if (d->alignment != NULL) { /* docs/model.md 9.7: every year's factor */
            double *g = malloc((size_t)d->n_years * sizeof *g);
            for (int y = 0; g != NULL && y < d->n_years; ++y) {
                g[y] = d->alignment[(size_t)y * (size_t)d->n_loc + (size_t)loc];
            }
            if (g != NULL) {
                cli_json_numbers(j, "alignment", g, d->n_years);
            } else {
                cli_json_string(j, "alignment", NULL); /* out of memory: left out */
            }
            free(g);
        } else {
            cli_json_string(j, "alignment", NULL);
        }
        cli_json_end_object(j);
    }
    cli_json_end_array(j);
    cli_json_end_object(j);
    free(q);
}

/*
 * compare_ledger.c - the ledger part of `popsim compare` (issue #12): who pays each
 * scenario's policies by year range (central budget, local budget, social insurance fund,
 * employers; "what the city pays itself" is the local row), each instrument's split over the
 * horizon, budget caps met or exceeded year by year, and the first-generation births gained
 * behind the cost per additional birth (docs/policy.md sec. 7).
 */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "popsim/policy.h"

#define YUAN_PER_MILLION 1e6
#define PERCENT 100.0

/* Payer's cost over steps first..last (calendar years of 1 July), nominal or discounted. */
static double payer_range(const ps_result *r, ps_payer payer, int first, int last, int disc)
{
    double sum = 0.0;
    for (int year = first; year <= last; ++year) {
        const int y = year - r->start_year;
        if (y >= 0 && y + 1 < r->n_years) {
            sum += ps_policy_payer_cost(r, y, payer, disc);
        }
    }
    return sum;
}

static void print_payers(FILE *out, const ps_result *r, const int *first, const int *last,
                         int n_ranges)
{
    cli_esc name;
    fprintf(out, "%s: cost by payer (M yuan, nominal; the local budget is what the city pays "
                 "itself)\n", cli_text(&name, r->name));
    fprintf(out, "  %-18s", "payer");
    for (int k = 0; k < n_ranges; ++k) {
        char label[32];
        snprintf(label, sizeof label, "%d-%d", first[k], last[k]);
        fprintf(out, " %12s", label);
    }
    fprintf(out, " %12s\n", "discounted");
    const int all_first = r->start_year, all_last = r->start_year + r->n_years - 2;
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        fprintf(out, "  %-18s", ps_payer_name((ps_payer)payer));
        for (int k = 0; k < n_ranges; ++k) {
            fprintf(out, " %12.1f",
                    payer_range(r, (ps_payer)payer, first[k], last[k], 0) / YUAN_PER_MILLION);
        }
        fprintf(out, " %12.1f\n",
                payer_range(r, (ps_payer)payer, all_first, all_last, 1) / YUAN_PER_MILLION);
    }
    for (int i = 0; i < r->n_instruments; ++i) {
        cli_esc inst;
        fprintf(out, "  instrument %s, whole horizon:", cli_text(&inst, r->ledger[i].name));
        for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
            fprintf(out, " %s %.1f%s", ps_payer_name((ps_payer)payer),
                    ps_policy_instrument_payer_total(r, i, (ps_payer)payer, 0) /
                        YUAN_PER_MILLION, payer + 1 < PS_PAYER_COUNT ? "," : " M yuan\n");
        }
    }
}

/* "12.0 M yuan a year", or for a cap by year "by year, 12.0-15.0 M yuan a year from 2026". */
static void cap_words(char *out, size_t size, const ps_result *r, ps_payer payer)
{
    if (r->budget_cap_by_year[payer] == NULL) {
        snprintf(out, size, "%.1f M yuan a year", r->budget_cap[payer] / YUAN_PER_MILLION);
        return;
    }
    double lo = INFINITY, hi = -INFINITY;
    int first = 0;
    for (int y = 0; y + 1 < r->n_years; ++y) {
        const double cap = r->budget_cap_by_year[payer][y];
        if (!isnan(cap)) {
            first = first == 0 ? r->start_year + y : first;
            lo = fmin(lo, cap);
            hi = fmax(hi, cap);
        }
    }
    snprintf(out, size, "by year, %.1f-%.1f M yuan a year from %d", lo / YUAN_PER_MILLION,
             hi / YUAN_PER_MILLION, first);
}

/* One line per payer with a cap: the years it is exceeded, and by how much at most. */
static void print_caps(FILE *out, const ps_result *r)
{
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        if (!ps_policy_has_budget_cap(r, (ps_payer)payer)) {
            continue;
        }
        char cap_text[96];
        cap_words(cap_text, sizeof cap_text, r, (ps_payer)payer);
        int exceeded = 0, steps = 0, worst_year = 0, first_over = 0, last_over = 0;
        double worst = 0.0, total = 0.0;
        for (int y = 0; y + 1 < r->n_years; ++y) {
            const double excess = ps_policy_budget_excess(r, y, (ps_payer)payer);
            if (isnan(excess)) {
                continue;
            }
            ++steps;
            if (excess > 0.0) {
                first_over = exceeded == 0 ? r->start_year + y : first_over;
                last_over = r->start_year + y;
                ++exceeded;
                total += excess;
                if (excess > worst) {
                    worst = excess;
                    worst_year = r->start_year + y;
                }
            }
        }
        cli_esc name;
        if (exceeded == 0) {
            fprintf(out, "%s: %s budget cap %s: met in all %d years\n",
                    cli_text(&name, r->name), ps_payer_name((ps_payer)payer), cap_text, steps);
        } else {
            fprintf(out, "%s: %s budget cap %s: EXCEEDED in %d of %d years "
                         "(%d-%d), by %.1f M yuan in all, most %.1f M yuan in %d (payments "
                         "are not cut)\n",
                    cli_text(&name, r->name), ps_payer_name((ps_payer)payer),
                    cap_text, exceeded, steps, first_over, last_over,
                    total / YUAN_PER_MILLION, worst / YUAN_PER_MILLION, worst_year);
        }
    }
}

void cli_print_compare_ledger(FILE *out, const ps_result *res, int n, const int *first,
                              const int *last, int n_ranges)
{
    for (int i = 0; i < n; ++i) {
        const ps_result *r = &res[i];
        if (r->n_instruments == 0) {
            continue;
        }
        if (!isnan(ps_policy_payer_cost(r, 0, PS_PAYER_LOCAL, 0))) { /* NaN: a file before #12 */
            print_payers(out, r, first, last, n_ranges);
        }
        print_caps(out, r);
        if (r->baseline != NULL && isfinite(r->births_gained_first_gen)) {
            cli_esc name;
            fprintf(out, "%s: first generation (women exposed to the policy) %.0f of %.0f births "
                         "gained; within the window %.0f",
                    cli_text(&name, r->name), r->births_gained_first_gen,
                    r->births_gained_total, r->births_gained_first_gen_window);
            if (isfinite(r->births_gained_window_share)) {
                fprintf(out, " (%.0f %% of all gains fall in the window)",
                        r->births_gained_window_share * PERCENT);
            }
            fprintf(out, "\n");
        }
    }
}

void cli_json_compare_ledger(cli_json *j, const ps_result *r)
{
    if (r->n_instruments == 0) {
        return;
    }
    const int first = r->start_year, last = r->start_year + r->n_years - 2;
    for (int disc = 0; disc < 2; ++disc) {
        cli_json_begin_object(j, disc ? "cost_by_payer_discounted" : "cost_by_payer");
        for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
            cli_json_number(j, ps_payer_name((ps_payer)payer),
                            payer_range(r, (ps_payer)payer, first, last, disc));
        }
        cli_json_end_object(j);
    }
    cli_json_begin_object(j, "budget_excess");
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        double total = ps_policy_has_budget_cap(r, (ps_payer)payer) ? 0.0 : NAN;
        for (int y = 0; y + 1 < r->n_years && !isnan(total); ++y) {
            const double excess = ps_policy_budget_excess(r, y, (ps_payer)payer);
            total += isnan(excess) ? 0.0 : excess;
        }
        cli_json_number(j, ps_payer_name((ps_payer)payer), total);
    }
    cli_json_end_object(j);
    cli_json_number(j, "births_gained_first_gen", r->births_gained_first_gen);
    cli_json_number(j, "births_gained_first_gen_window", r->births_gained_first_gen_window);
    cli_json_number(j, "cost_per_additional_birth_window", r->cost_per_additional_birth_window);
    cli_json_number(j, "cost_per_additional_birth_window_discounted",
                    r->cost_per_additional_birth_window_discounted);
}

/*
 * compare_range.c - the response range in `popsim compare` (issue #12): each policy result
 * of a variant as "chosen (low–high)" in the table's summary lines (the ends of the range
 * smaller first), and the three presets'
 * values with the response parameters in --json (docs/json.md).
 */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "popsim/range.h"

/* One end of a range: the number, or "n/a" (no birth gained under that preset). */
static const char *end_text(char *buf, size_t size, double v)
{
    if (isfinite(v)) {
        snprintf(buf, size, "%.0f", v);
    } else {
        snprintf(buf, size, "%s", "n/a");
    }
    return buf;
}

const char *cli_range_text(char *buf, size_t size, const ps_result *r, int measure, double value)
{
    const ps_policy_range *g = r->range;
    char lo_text[32], hi_text[32];
    int at = snprintf(buf, size, "%.0f", value);
    if (g == NULL || !g->compared || at < 0 || (size_t)at >= size) {
        return buf;
    }
    /* The ends of the range, smaller first: a stronger response lowers the cost per birth. */
    const double a = g->value[0][measure], b = g->value[PS_RANGE_PRESETS - 1][measure];
    if (!g->computed) {
        snprintf(buf + at, size - (size_t)at, " (range not projected)");
    } else if (isfinite(a) && isfinite(b)) {
        snprintf(buf + at, size - (size_t)at, " (%.0f\u2013%.0f)", fmin(a, b), fmax(a, b));
    } else { /* cost per birth without births gained at one end */
        snprintf(buf + at, size - (size_t)at, " (low %s, high %s)",
                 end_text(lo_text, sizeof lo_text, a), end_text(hi_text, sizeof hi_text, b));
    }
    return buf;
}

void cli_print_compare_range(FILE *out, const ps_result *r)
{
    char gained[96], per[96], per_disc[96];
    cli_esc name;
    if (r->range == NULL || !r->range->compared) {
        return;
    }
    fprintf(out, "%s: response %s (range of the low and high presets): %s births gained; %s "
                 "yuan per additional birth; discounted %s\n", cli_text(&name, r->name),
            ps_elasticity_name(r->range->chosen),
            cli_range_text(gained, sizeof gained, r, PS_RANGE_BIRTHS_GAINED,
                           r->births_gained_total),
            cli_range_text(per, sizeof per, r, PS_RANGE_COST_PER_BIRTH,
                           r->cost_per_additional_birth),
            cli_range_text(per_disc, sizeof per_disc, r, PS_RANGE_COST_PER_BIRTH_DISCOUNTED,
                           r->cost_per_additional_birth_discounted));
    if (isfinite(r->births_gained_window)) {
        fprintf(out, "%s: within the window (same ranges): %s births gained; %s yuan per "
                     "additional birth; discounted %s\n", cli_text(&name, r->name),
                cli_range_text(gained, sizeof gained, r, PS_RANGE_BIRTHS_GAINED_WINDOW,
                               r->births_gained_window),
                cli_range_text(per, sizeof per, r, PS_RANGE_COST_PER_BIRTH_WINDOW,
                               r->cost_per_additional_birth_window),
                cli_range_text(per_disc, sizeof per_disc, r,
                               PS_RANGE_COST_PER_BIRTH_WINDOW_DISCOUNTED,
                               r->cost_per_additional_birth_window_discounted));
    }
}

void cli_json_compare_range(cli_json *j, const ps_result *r)
{
    const ps_policy_range *g = r->range;
    if (g == NULL || !g->compared) {
        return;
    }
    cli_json_begin_object(j, "response_range");
    cli_json_string(j, "chosen", ps_elasticity_name(g->chosen));
    cli_json_bool(j, "projected", g->computed);
    for (int p = 0; p < PS_RANGE_PRESETS; ++p) {
        const ps_response *resp = &g->response[p];
        cli_json_begin_object(j, ps_elasticity_name(ps_range_preset_order[p]));
        for (int k = 0; k < PS_RANGE_COUNT; ++k) {
            cli_json_number(j, ps_range_measure_name((ps_range_measure)k), g->value[p][k]);
        }
        cli_json_number(j, "cash_elasticity", resp->cash_elasticity);
        cli_json_number(j, "quantum_share", resp->quantum_share);
        cli_json_number(j, "tempo_years", resp->tempo_years);
        cli_json_number(j, "payback_years", resp->payback_years);
        cli_json_number(j, "childcare_per_10pp", resp->childcare_per_10pp);
        cli_json_number(j, "leave_per_3_months", resp->leave_per_3_months);
        cli_json_end_object(j);
    }
    cli_json_end_object(j);
}

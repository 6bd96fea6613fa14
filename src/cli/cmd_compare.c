/*
 * cmd_compare.c - `popsim compare`: the scenarios of a result file side by side, by year
 * range: births, mean TFR, births gained against the baseline, cost of the policies and
 * the cost per additional birth (the figure a budget decision turns on). A file with services
 * (issue #4) adds one table per service: demand, capacity and the gap in places on 1 July
 * of the years that bound the year ranges, per scenario. --json writes the same numbers,
 * unrounded, as one JSON document (docs/json.md).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "popsim/h5out.h"
#include "popsim/services.h"
#include "popsim/h5prob.h" /* ps_h5_prob_present */
#include "popsim/h5read.h" /* ps_sweep_present */

#define MAX_RANGES 16
#define YUAN_PER_MILLION 1e6
#define PERCENT 100.0

typedef struct year_range {
    int first, last; /* steps starting 1 July first .. 1 July last */
} year_range;

/* Default ranges: two 5-year spans, then 15 years, then the rest, then the whole horizon. */
static int default_ranges(year_range *out, const ps_result *r)
{
    const int first = r->start_year, last = r->start_year + r->n_years - 2;
    static const int widths[] = { 5, 5, 15 };
    int n = 0, y = first;
    for (size_t i = 0; i < sizeof widths / sizeof widths[0] && y <= last; ++i) {
        out[n++] = (year_range){ y, y + widths[i] - 1 < last ? y + widths[i] - 1 : last };
        y += widths[i];
    }
    if (y <= last) {
        out[n++] = (year_range){ y, last };
    }
    out[n++] = (year_range){ first, last };
    return n;
}

static int parse_ranges(year_range *out, const char *text)
{
    int n = 0;
    const char *p = text;
    while (*p != '\0' && n < MAX_RANGES) {
        char *end = NULL;
        long a = strtol(p, &end, 10), b = a;
        if (end == p) {
            return -1;
        }
        if (*end == '-') {
            p = end + 1;
            b = strtol(p, &end, 10);
            if (end == p) {
                return -1;
            }
        }
        if (b < a || (*end != ',' && *end != '\0')) {
            return -1;
        }
        out[n++] = (year_range){ (int)a, (int)b };
        p = *end == ',' ? end + 1 : end;
    }
    return *p == '\0' && n > 0 ? n : -1;
}

typedef struct range_sums {
    double births, tfr, gained, cost;
    int steps;
} range_sums;

static range_sums sum_range(const ps_result *r, year_range yr)
{
    range_sums s = { 0.0, 0.0, 0.0, 0.0, 0 };
    for (int year = yr.first; year <= yr.last; ++year) {
        int y = year - r->start_year;
        if (y < 0 || y + 1 >= r->n_years) {
            continue;
        }
        s.births += ps_result_births(r, year);
        for (int reg = 0; reg < r->n_regions; ++reg) {
            s.tfr += r->tfr[ps_result_regcell(r, y, reg)] / r->n_regions;
            if (r->births_gained != NULL) {
                s.gained += r->births_gained[ps_result_regcell(r, y, reg)];
            }
            for (int i = 0; i < r->n_instruments; ++i) {
                s.cost += r->ledger[i].cost[ps_result_regcell(r, y, reg)];
            }
        }
        s.steps++;
    }
    return s;
}

static void print_row(FILE *out, const ps_result *r, year_range yr)
{
    range_sums s = sum_range(r, yr);
    char label[32], gained[32] = "-", cost[32] = "-", per_birth[32] = "-";
    snprintf(label, sizeof label, "%d-%d", yr.first, yr.last);
    if (s.steps == 0) {
        return;
    }
    if (r->baseline != NULL) {
        snprintf(gained, sizeof gained, "%+.0f", s.gained);
    }
    if (r->n_instruments > 0) {
        snprintf(cost, sizeof cost, "%.1f", s.cost / YUAN_PER_MILLION);
    }
    if (r->baseline != NULL && r->n_instruments > 0 && s.gained > 0.5) {
        snprintf(per_birth, sizeof per_birth, "%.0f", s.cost / s.gained);
    }
    cli_esc name;
    fprintf(out, "%-28.28s %-10s %12.0f %6.3f %13s %14s %14s\n", cli_text(&name, r->name), label,
            s.births,
            s.tfr / s.steps, gained, cost, per_birth);
}

static void print_table(FILE *out, const ps_result *res, int n, const year_range *ranges,
                        int n_ranges)
{
    fprintf(out, "%-28s %-10s %12s %6s %13s %14s %14s\n", "scenario", "years", "births", "TFR",
            "births gained", "cost (M yuan)", "yuan/extra birth");
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < n_ranges; ++k) {
            print_row(out, &res[i], ranges[k]);
        }
    }
    for (int i = 0; i < n; ++i) {
        cli_esc name;
        if (res[i].baseline != NULL && isfinite(res[i].cost_per_additional_birth_discounted)) {
            fprintf(out, "%s: %.0f births gained over the horizon; %.0f yuan per additional "
                         "birth (%.0f discounted)\n", cli_text(&name, res[i].name),
                    res[i].births_gained_total,
                    res[i].cost_per_additional_birth,
                    res[i].cost_per_additional_birth_discounted);
            if (isfinite(res[i].births_gained_window)) {
                /* Only the window's steps inside the projection count (an open policy's
                 * window runs to the projection's end plus the payback years): its last
                 * step is printed, the state after it being start_year + n_years - 1. */
                const double last = fmin(res[i].window_last,
                                         (double)(res[i].start_year + res[i].n_years - 2));
                fprintf(out, "%s: within %.0f-%.0f (policy window + payback): %.0f births "
                             "gained, %.0f of them first-generation; %.0f yuan per additional "
                             "first-generation birth (%.0f discounted)\n",
                        cli_text(&name, res[i].name), res[i].window_first, last,
                        res[i].births_gained_window, res[i].births_gained_first_gen_window,
                        res[i].cost_per_additional_birth_window,
                        res[i].cost_per_additional_birth_window_discounted);
            }
            cli_print_compare_range(out, &res[i]); /* issue #12 */
        }
    }
    fprintf(out, "Years are steps from 1 July; births gained are against the family's baseline "
                 "(first scenario); cost is nominal.\n");
}

/*
 * Services are stocks on 1 July, so their tables use the years that bound the ranges: each
 * range's first year and the year after its last (the default ranges give 2025, 2030, 2035,
 * 2050 and 2100), within the first scenario's years, ascending. Returns how many.
 */
static int boundary_years(int *out, const ps_result *r, const year_range *ranges, int n_ranges)
{
    const int last = r->start_year + r->n_years - 1;
    int n = 0;
    for (int k = 0; k < n_ranges; ++k) {
        const int ends[2] = { ranges[k].first, ranges[k].last + 1 };
        for (int e = 0; e < 2; ++e) {
            int pos = 0;
            while (pos < n && out[pos] < ends[e]) {
                ++pos;
            }
            if (ends[e] < r->start_year || ends[e] > last || (pos < n && out[pos] == ends[e])) {
                continue;
            }
            memmove(&out[pos + 1], &out[pos], (size_t)(n - pos) * sizeof *out);
            out[pos] = ends[e];
            ++n;
        }
    }
    return n;
}

static const ps_svc_result *find_service(const ps_result *r, const char *name)
{
    for (int k = 0; k < r->n_services; ++k) {
        if (strcmp(r->services[k].name, name) == 0) {
            return &r->services[k];
        }
    }
    return NULL;
}

/* A gap in places with its sign: "+3,757,382", "-2,059,646", "0". */
static const char *fmt_gap(char *buf, size_t size, double gap)
{
    char digits[40];
    cli_fmt_count(digits, sizeof digits, gap);
    snprintf(buf, size, "%s%s", isfinite(gap) && gap >= 0.5 ? "+" : "", digits);
    return buf;
}

/* Demand, capacity and signed gap (surplus - shortage) of a service in year index y, summed
 * over regions; capacity and gap NaN for a service without capacity. */
static void service_totals(double *demand, double *capacity, double *gap, const ps_result *r,
                           const ps_svc_result *s, int y)
{
    *demand = *capacity = *gap = 0.0;
    for (int reg = 0; reg < r->n_regions; ++reg) {
        size_t c = ps_result_regcell(r, y, reg);
        *demand += s->demand[c];
        *capacity += s->capacity != NULL ? s->capacity[c] : NAN;
        *gap += s->capacity != NULL ? s->surplus[c] - s->shortage[c] : NAN;
    }
}

static void service_row(FILE *out, const ps_result *r, const ps_svc_result *s, int year)
{
    const int y = year - r->start_year;
    if (y < 0 || y >= r->n_years) {
        return;
    }
    double demand, capacity, gap;
    service_totals(&demand, &capacity, &gap, r, s, y);
    char d[32], cap[32], g[48], use[16] = "-";
    if (capacity > 0.0) {
        snprintf(use, sizeof use, "%.0f %%", PERCENT * demand / capacity);
    }
    cli_esc name;
    fprintf(out, "%-28.28s %6d %14s %14s %14s %11s\n", cli_text(&name, r->name), year,
            cli_fmt_count(d, sizeof d, demand), cli_fmt_count(cap, sizeof cap, capacity),
            fmt_gap(g, sizeof g, gap), use);
}

/* One service's table: a heading, its target(s), and a row per scenario and year. */
static void print_service_table(FILE *out, const ps_result *res, int n, const char *name,
                                const int *years, int n_years)
{
    const ps_svc_result *first = NULL;
    int at = 0, same_target = 1;
    char text[160], other[160];
    for (int i = 0; i < n && first == NULL; ++i) {
        at = i;
        first = find_service(&res[i], name);
    }
    cli_service_target_text(text, sizeof text, &res[at], first);
    for (int i = at + 1; i < n; ++i) {
        const ps_svc_result *s = find_service(&res[i], name);
        same_target = same_target && (s == NULL ||
                      strcmp(cli_service_target_text(other, sizeof other, &res[i], s), text) == 0);
    }
    const int has_title = first->title != NULL && strcmp(first->title, name) != 0;
    cli_esc esc;
    fprintf(out, "\n%s (%s)%s", cli_text(&esc, name), ps_svc_kind_name((ps_svc_kind)first->kind),
            has_title ? ": " : "");
    cli_put_text(out, has_title ? first->title : "");
    fputc('\n', out);
    for (int i = at; i < n; ++i) {
        const ps_svc_result *s = find_service(&res[i], name);
        if (s != NULL && (i == at || !same_target)) {
            fprintf(out, "  %s%s%s\n", same_target ? "" : cli_text(&esc, res[i].name),
                    same_target ? "" : ": ",
                    cli_service_target_text(other, sizeof other, &res[i], s));
        }
    }
    fprintf(out, "%-28s %6s %14s %14s %14s %11s\n", "scenario", "year", "demand", "capacity",
            "gap", "utilization");
    for (int i = at; i < n; ++i) {
        const ps_svc_result *s = find_service(&res[i], name);
        for (int k = 0; s != NULL && k < n_years; ++k) {
            service_row(out, &res[i], s, years[k]);
        }
    }
}

/* The service tables, one per service name in order of first appearance; nothing without. */
static void print_services(FILE *out, const ps_result *res, int n, const year_range *ranges,
                           int n_ranges)
{
    int years[2 * MAX_RANGES], printed = 0;
    const int n_years = boundary_years(years, &res[0], ranges, n_ranges);
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < res[i].n_services; ++k) {
            const char *name = res[i].services[k].name;
            int seen = 0;
            for (int j = 0; j < i && !seen; ++j) {
                seen = find_service(&res[j], name) != NULL;
            }
            if (seen) {
                continue;
            }
            if (printed++ == 0) {
                fprintf(out, "\nServices on 1 July, all regions: demand in persons, capacity "
                             "and gap in places\n(gap = capacity - demand / occupancy; negative "
                             "= short; utilization = demand / capacity).\n");
            }
            print_service_table(out, res, n, name, years, n_years);
        }
    }
}

/* ---- --json (docs/json.md) ------------------------------------------------------------------ */

static void json_ranges(cli_json *j, const ps_result *r, const year_range *ranges, int n_ranges)
{
    cli_json_begin_array(j, "ranges");
    for (int k = 0; k < n_ranges; ++k) {
        range_sums s = sum_range(r, ranges[k]);
        if (s.steps == 0) {
            continue;
        }
        const int has_cost = r->n_instruments > 0, has_base = r->baseline != NULL;
        cli_json_begin_object(j, NULL);
        cli_json_int(j, "first", ranges[k].first);
        cli_json_int(j, "last", ranges[k].last);
        cli_json_int(j, "steps", s.steps);
        cli_json_number(j, "births", s.births);
        cli_json_number(j, "tfr_mean", s.tfr / s.steps);
        cli_json_number(j, "births_gained", has_base ? s.gained : NAN);
        cli_json_number(j, "cost_yuan", has_cost ? s.cost : NAN);
        cli_json_number(j, "cost_per_additional_birth",
                        has_base && has_cost && s.gained > 0.5 ? s.cost / s.gained : NAN);
        cli_json_end_object(j);
    }
    cli_json_end_array(j);
}

static void json_service_rows(cli_json *j, const ps_result *res, int n, const char *name,
                              const int *years, int n_years)
{
    cli_json_begin_array(j, "rows");
    for (int i = 0; i < n; ++i) {
        const ps_svc_result *s = find_service(&res[i], name);
        for (int k = 0; s != NULL && k < n_years; ++k) {
            const ps_result *r = &res[i];
            const int y = years[k] - r->start_year;
            if (y < 0 || y >= r->n_years) {
                continue;
            }
            double demand, capacity, gap;
            service_totals(&demand, &capacity, &gap, r, s, y);
            cli_json_begin_object(j, NULL);
            cli_json_string(j, "scenario", r->name);
            cli_json_int(j, "year", years[k]);
            cli_json_number(j, "demand", demand);
            cli_json_number(j, "capacity", capacity);
            cli_json_number(j, "gap", gap);
            cli_json_number(j, "utilization", capacity > 0.0 ? demand / capacity : NAN);
            cli_json_end_object(j);
        }
    }
    cli_json_end_array(j);
}

static void json_services(cli_json *j, const ps_result *res, int n, const year_range *ranges,
                          int n_ranges)
{
    int years[2 * MAX_RANGES];
    char target[160];
    const int n_years = boundary_years(years, &res[0], ranges, n_ranges);
    cli_json_begin_array(j, "services");
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < res[i].n_services; ++k) {
            const ps_svc_result *s = &res[i].services[k];
            int seen = 0;
            for (int p = 0; p < i && !seen; ++p) {
                seen = find_service(&res[p], s->name) != NULL;
            }
            if (seen) {
                continue;
            }
            cli_json_begin_object(j, NULL);
            cli_json_string(j, "name", s->name);
            cli_json_string(j, "title", s->title != NULL ? s->title : s->name);
            cli_json_string(j, "kind", ps_svc_kind_name((ps_svc_kind)s->kind));
            cli_json_string(j, "target", cli_service_target_text(target, sizeof target,
                                                                 &res[i], s));
            json_service_rows(j, res, n, s->name, years, n_years);
            cli_json_end_object(j);
        }
    }
    cli_json_end_array(j);
}

static void print_json(FILE *out, const char *path, const ps_result *res, int n,
                       const year_range *ranges, int n_ranges)
{
    cli_json j;
    cli_json_init(&j, out);
    cli_json_begin_object(&j, NULL);
    cli_json_string(&j, "schema", "popsim-compare/1");
    cli_json_string(&j, "file", path);
    cli_json_begin_array(&j, "scenarios");
    for (int i = 0; i < n; ++i) {
        const ps_result *r = &res[i];
        cli_json_begin_object(&j, NULL);
        cli_json_string(&j, "name", r->name);
        cli_json_string(&j, "title", r->title);
        cli_json_string(&j, "baseline", r->baseline);
        cli_json_number(&j, "births_gained_total", r->births_gained_total);
        cli_json_number(&j, "cost_total", r->cost_total);
        cli_json_number(&j, "cost_total_discounted", r->cost_total_discounted);
        cli_json_number(&j, "cost_per_additional_birth", r->cost_per_additional_birth);
        cli_json_number(&j, "cost_per_additional_birth_discounted",
                        r->cost_per_additional_birth_discounted);
        cli_json_compare_ledger(&j, r); /* issue #12: payers, caps, first generation */
        json_ranges(&j, r, ranges, n_ranges);
        cli_json_compare_range(&j, r); /* issue #12 */
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    json_services(&j, res, n, ranges, n_ranges);
    cli_json_end_object(&j);
}

/* Cost by payer, budget caps, first-generation gains (compare_ledger.c, issue #12). */
static void print_ledger(FILE *out, const ps_result *res, int n, const year_range *ranges,
                         int n_ranges)
{
    int first[MAX_RANGES], last[MAX_RANGES];
    for (int k = 0; k < n_ranges; ++k) {
        first[k] = ranges[k].first;
        last[k] = ranges[k].last;
    }
    cli_print_compare_ledger(out, res, n, first, last, n_ranges);
}

void cli_print_compare(FILE *out, const ps_result *res, int n)
{
    year_range ranges[MAX_RANGES];
    int n_ranges = default_ranges(ranges, &res[0]);
    print_table(out, res, n, ranges, n_ranges);
}

static void compare_usage(FILE *out)
{
    fprintf(out,
            "usage: popsim compare [options] RESULT.h5\n"
            "\n"
            "Print the scenarios of a result file side by side by year range: births, TFR,\n"
            "births gained against the baseline, policy cost and cost per additional birth.\n"
            "A file with services adds one table per service: demand, capacity and the gap\n"
            "in places on 1 July of the years that start and end the ranges.\n"
            "\n"
            "options:\n"
            "      --ranges LIST   year ranges, e.g. 2025-2029,2030-2049 (default: two 5-year\n"
            "                      ranges, 15 years, the rest, and the whole horizon)\n"
            "      --json          one JSON document for scripts (schema: docs/json.md)\n"
            "      --top N         the result of a sweep: rank this many points (default 20);\n"
            "                      a sweep's file prints its ranking and frontier instead\n"
            "  -h, --help          this text\n"
            "      --version       program version\n");
}

/* Every scenario of the file with its services (ps_h5_read). */
static ps_status load_all(ps_result **out, int *n_out, const char *path, ps_error *err)
{
    char **names = NULL;
    int n = 0;
    ps_status rc = ps_h5_list(&names, &n, path, err);
    *out = NULL;
    *n_out = 0;
    if (rc == PS_OK) {
        rc = cli_read_results(out, n_out, path, names, n, -1, err);
    }
    ps_h5_free_names(names, n);
    return rc;
}

int cli_cmd_compare(int argc, char **argv)
{
    enum { OPT_RANGES = 256, OPT_VERSION, OPT_JSON, OPT_TOP };
    static const struct option longopts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "ranges", required_argument, NULL, OPT_RANGES },
        { "top", required_argument, NULL, OPT_TOP },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    year_range ranges[MAX_RANGES];
    int n_ranges = 0, c, json = 0, top = 20;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == OPT_RANGES && (n_ranges = parse_ranges(ranges, optarg)) < 0) {
            fprintf(stderr, "popsim compare: --ranges expects YEAR-YEAR[,YEAR-YEAR...] "
                            "(got '%s')\n", optarg);
            return CLI_EXIT_USAGE;
        } else if (c == OPT_JSON) {
            json = 1;
        } else if (c == OPT_TOP && cli_parse_top(&top, optarg) != 0) {
            fprintf(stderr, "popsim compare: --top expects a whole number from 1 (got '%s')\n",
                    optarg);
            return CLI_EXIT_USAGE;
        } else if (c == 'h') {
            compare_usage(stdout);
            return CLI_EXIT_OK;
        } else if (c == OPT_VERSION) {
            cli_print_version();
            return CLI_EXIT_OK;
        } else if (c != OPT_RANGES && c != OPT_JSON && c != OPT_TOP) {
            compare_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "popsim compare: expected one result file\n");
        compare_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (ps_sweep_present(argv[optind])) { /* issue #15: cmd_compare_sweep.c */
        return cli_compare_sweep(argv[optind], json, top);
    }
    if (ps_h5_prob_present(argv[optind])) { /* issue #14, sec. 2: cmd_compare_prob.c */
        return cli_compare_prob(argv[optind], json);
    }
    ps_error err;
    ps_error_clear(&err);
    ps_result *res = NULL;
    int n = 0;
    ps_status rc = load_all(&res, &n, argv[optind], &err);
    if (rc == PS_OK && n > 0) {
        if (n_ranges == 0) {
            n_ranges = default_ranges(ranges, &res[0]);
        }
        if (json) {
            print_json(stdout, argv[optind], res, n, ranges, n_ranges);
        } else {
            print_table(stdout, res, n, ranges, n_ranges);
            print_services(stdout, res, n, ranges, n_ranges);
            print_ledger(stdout, res, n, ranges, n_ranges);
        }
    }
    cli_free_results(res, n);
    if (rc != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

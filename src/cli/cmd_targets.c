/*
 * cmd_targets.c - `popsim targets`: for each scenario and service of a result file, whether
 * the capacity target is met, year range by year range. Consecutive years with the same
 * status are one line: the range, "met" or "short", the largest surplus or shortage in
 * places with its year, and the range of utilization (demand / capacity). The gap is the
 * file's surplus - shortage = capacity - demand / occupancy (docs/services.md, eq. 5); a gap
 * of less than half a place counts as met. Headlines sum the regions; with several regions
 * each region follows. A report, not a check: unmet targets still exit 0. --json writes
 * the same per year as one JSON document (docs/json.md).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "targets_prob.h"
#include "popsim/h5out.h"
#include "popsim/h5prob.h"
#include "popsim/services.h"

/* A gap smaller than this is no gap: places are whole, the model's numbers are not. */
#define MET_TOLERANCE_PLACES 0.5
#define PERCENT 100.0
#define NAMES_TEXT_SIZE 400 /* room for a list of names in one message line */

typedef enum gap_status { GAP_MET, GAP_SHORT, GAP_NONE, GAP_STATUS_COUNT } gap_status;

static const char *const status_words[GAP_STATUS_COUNT] = { "met", "short", "no target" };

/* Which numbers a block of range lines describes. */
typedef struct gap_view {
    const ps_result *r;
    const ps_svc_result *s;
    int reg;     /* region index; -1 = all regions summed */
    int nursing; /* 1: the nursing-type places against the demand, not the capacity */
} gap_view;

/* One year of a view. */
typedef struct gap_year {
    gap_status status;
    double gap;  /* places: capacity - places needed; negative = short */
    double util; /* demand / capacity; NaN without capacity */
} gap_year;

/* Consecutive years with one status. */
typedef struct gap_range {
    int first, last; /* year indexes */
    gap_status status;
    double peak;     /* largest surplus (met) or shortage (short) in the range, places */
    int peak_y;
    double util_lo, util_hi;
} gap_range;

static gap_year gap_at(const gap_view *v, int y)
{
    const ps_svc_result *s = v->s;
    const int lo = v->reg < 0 ? 0 : v->reg, hi = v->reg < 0 ? v->r->n_regions : v->reg + 1;
    double demand = 0.0, places = 0.0, gap = 0.0;
    for (int reg = lo; reg < hi; ++reg) {
        size_t c = ps_result_regcell(v->r, y, reg);
        double cap = v->nursing ? s->nursing_capacity[c] : s->capacity[c];
        demand += s->demand[c];
        places += cap;
        gap += v->nursing ? cap - s->demand[c] : s->surplus[c] - s->shortage[c];
    }
    if (isnan(places) || isnan(gap)) {
        return (gap_year){ GAP_NONE, NAN, NAN };
    }
    return (gap_year){ gap <= -MET_TOLERANCE_PLACES ? GAP_SHORT : GAP_MET, gap,
                       places > 0.0 ? demand / places : NAN };
}

static void extend_range(gap_range *g, int y, gap_year at)
{
    double size = g->status == GAP_SHORT ? -at.gap : at.gap;
    g->last = y;
    if (size > g->peak) {
        g->peak = size;
        g->peak_y = y;
    }
    g->util_lo = fmin(g->util_lo, at.util); /* fmin and fmax skip a NaN operand */
    g->util_hi = fmax(g->util_hi, at.util);
}

static void print_range(FILE *out, const gap_view *v, const gap_range *g, const char *indent)
{
    const int y0 = v->r->start_year;
    char years[32], size[32], what[96] = "", util[48] = "";
    if (g->first == g->last) {
        snprintf(years, sizeof years, "%d", y0 + g->first);
    } else {
        snprintf(years, sizeof years, "%d-%d", y0 + g->first, y0 + g->last);
    }
    cli_fmt_count(size, sizeof size, g->peak);
    if (g->first == g->last && g->status != GAP_NONE && g->peak >= MET_TOLERANCE_PLACES) {
        snprintf(what, sizeof what, "%s %s places", g->status == GAP_SHORT ? "short by" : "surplus",
                 size);
    } else if (g->status == GAP_SHORT) {
        snprintf(what, sizeof what, "short by up to %s places (%d)", size, y0 + g->peak_y);
    } else if (g->status == GAP_MET && g->peak >= MET_TOLERANCE_PLACES) {
        snprintf(what, sizeof what, "surplus up to %s places (%d)", size, y0 + g->peak_y);
    } else if (g->status == GAP_MET) {
        snprintf(what, sizeof what, "exactly the places needed");
    }
    const double lo = round(PERCENT * g->util_lo), hi = round(PERCENT * g->util_hi);
    if (g->status != GAP_NONE && isfinite(lo) && lo == hi) {
        snprintf(util, sizeof util, ", utilization %.0f %%", lo);
    } else if (g->status != GAP_NONE && isfinite(lo) && isfinite(hi)) {
        snprintf(util, sizeof util, ", utilization %.0f-%.0f %%", lo, hi);
    }
    fprintf(out, "%s%-10s %-6s %s%s\n", indent, years, status_words[g->status], what, util);
}

/* The range lines of a view; 1 when no year is short. */
static int print_ranges(FILE *out, const gap_view *v, const char *indent)
{
    gap_range g = { 0, 0, GAP_NONE, -INFINITY, 0, NAN, NAN };
    int all_met = 1;
    for (int y = 0; y < v->r->n_years; ++y) {
        gap_year at = gap_at(v, y);
        all_met = all_met && at.status != GAP_SHORT;
        if (y > 0 && at.status != g.status) {
            print_range(out, v, &g, indent);
        }
        if (y == 0 || at.status != g.status) {
            g = (gap_range){ y, y, at.status, -INFINITY, y, NAN, NAN };
        }
        extend_range(&g, y, at);
    }
    print_range(out, v, &g, indent);
    return all_met;
}

/* Nursing-type places as a share of the capacity, from the first cell with capacity. */
static double nursing_share(const gap_view *v)
{
    size_t cells = (size_t)v->r->n_years * (size_t)v->r->n_regions;
    for (size_t c = 0; c < cells; ++c) {
        if (v->s->capacity[c] > 0.0 && !isnan(v->s->nursing_capacity[c])) {
            return v->s->nursing_capacity[c] / v->s->capacity[c];
        }
    }
    return NAN;
}

/* Capacity lines of a view, then the nursing-type places' lines; 1 when no year is short. */
static int print_view(FILE *out, const gap_view *v, const char *indent)
{
    int met = print_ranges(out, v, indent);
    if (v->s->nursing_capacity != NULL) {
        gap_view nv = *v;
        nv.nursing = 1;
        fprintf(out, "%snursing-type places (%.0f %% of the capacity) against the whole "
                     "demand:\n", indent, PERCENT * nursing_share(v));
        print_ranges(out, &nv, indent);
    }
    return met;
}

/* "no capacity target: demand X (first year) -> Y (last year), peak Z in YEAR". */
static void print_demand_only(FILE *out, const gap_view *v, const char *indent)
{
    const ps_result *r = v->r;
    double first = NAN, last = NAN, peak = -INFINITY;
    int peak_y = 0;
    for (int y = 0; y < r->n_years; ++y) {
        double d = 0.0;
        for (int reg = v->reg < 0 ? 0 : v->reg;
             reg < (v->reg < 0 ? r->n_regions : v->reg + 1); ++reg) {
            d += v->s->demand[ps_result_regcell(r, y, reg)];
        }
        first = y == 0 ? d : first;
        last = d;
        if (d > peak) {
            peak = d;
            peak_y = y;
        }
    }
    char a[32], b[32], c[32];
    fprintf(out, "%sno capacity target: demand %s (%d) -> %s (%d), peak %s in %d\n", indent,
            cli_fmt_count(a, sizeof a, first), r->start_year,
            cli_fmt_count(b, sizeof b, last), r->start_year + r->n_years - 1,
            cli_fmt_count(c, sizeof c, peak), r->start_year + peak_y);
}

/* Sum of a [year][reg] array over the view's regions in year index y. */
static double view_sum(const gap_view *v, const double *a, int y)
{
    const int lo = v->reg < 0 ? 0 : v->reg, hi = v->reg < 0 ? v->r->n_regions : v->reg + 1;
    double sum = 0.0;
    for (int reg = lo; reg < hi; ++reg) {
        sum += a[ps_result_regcell(v->r, y, reg)];
    }
    return sum;
}

/* With a stock file (issue #13): "stock A places (first year) -> B (last year); to build
 * over the years: N places, most M in YEAR" (docs/services.md sec. 7). */
static void print_stock(FILE *out, const gap_view *v, const char *indent)
{
    const ps_result *r = v->r;
    char a[32], b[32], c[32], d[32];
    double total = 0.0, most = 0.0;
    int most_y = 0;
    if (v->s->stock == NULL || v->s->build == NULL) {
        return;
    }
    for (int y = 0; y < r->n_years; ++y) {
        double build = view_sum(v, v->s->build, y);
        total += isnan(build) ? 0.0 : build;
        if (build > most) {
            most = build;
            most_y = y;
        }
    }
    fprintf(out, "%sstock %s places (%d) -> %s (%d); to build: %s places", indent,
            cli_fmt_count(a, sizeof a, view_sum(v, v->s->stock, 0)), r->start_year,
            cli_fmt_count(b, sizeof b, view_sum(v, v->s->stock, r->n_years - 1)),
            r->start_year + r->n_years - 1, cli_fmt_count(c, sizeof c, total));
    if (most > 0.0) {
        fprintf(out, ", most %s in %d", cli_fmt_count(d, sizeof d, most), r->start_year + most_y);
    }
    fputc('\n', out);
}

typedef enum svc_outcome { SVC_MET, SVC_SHORT, SVC_NO_TARGET } svc_outcome;

/* One service's block: headline for all regions, then each region when there are several. */
static svc_outcome print_service(FILE *out, const ps_result *r, const ps_svc_result *s)
{
    char target[160];
    const int has_title = s->title != NULL && strcmp(s->title, s->name) != 0;
    const int has_cap = cli_service_has_capacity(r, s);
    cli_esc name, svc;
    fprintf(out, "%s / %s (%s)%s", cli_text(&name, r->name), cli_text(&svc, s->name),
            ps_svc_kind_name((ps_svc_kind)s->kind), has_title ? ": " : "");
    cli_put_text(out, has_title ? s->title : "");
    fputc('\n', out);
    gap_view v = { r, s, -1, 0 };
    int met = 1;
    if (has_cap) {
        fprintf(out, "  %s\n", cli_service_target_text(target, sizeof target, r, s));
        print_stock(out, &v, "  ");
        met = print_view(out, &v, "  ");
    } else {
        print_demand_only(out, &v, "  ");
    }
    for (int reg = 0; r->n_regions > 1 && reg < r->n_regions; ++reg) {
        v.reg = reg;
        fprintf(out, "  region %s:\n", cli_text(&name, r->region_names[reg]));
        if (has_cap) {
            print_stock(out, &v, "    ");
            met = print_view(out, &v, "    ") && met;
        } else {
            print_demand_only(out, &v, "    ");
        }
    }
    return !has_cap ? SVC_NO_TARGET : met ? SVC_MET : SVC_SHORT;
}

/* Append ", name" (or "name" first) to a bounded list; "..." once it is full. */
static void append_name(char *buf, size_t size, const char *name)
{
    size_t used = strlen(buf);
    if (used + strlen(name) + 6 >= size) {
        if (used + 5 < size && (used < 3 || strcmp(buf + used - 3, "...") != 0)) {
            snprintf(buf + used, size - used, ", ...");
        }
        return;
    }
    snprintf(buf + used, size - used, "%s%s", used > 0 ? ", " : "", name);
}

static void print_scenario(FILE *out, const ps_result *r, const char *only)
{
    int count[SVC_NO_TARGET + 1] = { 0, 0, 0 };
    char short_names[NAMES_TEXT_SIZE] = "";
    cli_esc name;
    cli_text(&name, r->name);
    if (r->n_services == 0) {
        fprintf(out, "%s: no services in this scenario (services come from the `services:` "
                     "section of a scenario file)\n", name.s);
        return;
    }
    for (int k = 0; k < r->n_services; ++k) {
        if (only != NULL && strcmp(only, r->services[k].name) != 0) {
            continue;
        }
        svc_outcome o = print_service(out, r, &r->services[k]);
        count[o]++;
        if (o == SVC_SHORT) {
            append_name(short_names, sizeof short_names, r->services[k].name);
        }
        fprintf(out, "\n");
    }
    const int with_target = count[SVC_MET] + count[SVC_SHORT];
    const char *where = r->n_regions > 1 ? "year and region" : "year";
    if (with_target == 0) {
        fprintf(out, "%s: %d service%s, none with a capacity target\n", name.s,
                count[SVC_NO_TARGET], count[SVC_NO_TARGET] == 1 ? "" : "s");
        return;
    }
    fprintf(out, "%s: %d of %d service%s with a capacity target meet%s it in every %s", name.s,
            count[SVC_MET], with_target, with_target == 1 ? "" : "s",
            count[SVC_MET] == 1 ? "s" : "", where);
    if (count[SVC_SHORT] > 0) {
        fprintf(out, "; short in some %s: ", r->n_regions > 1 ? "years or regions" : "years");
        cli_put_text(out, short_names);
    }
    if (count[SVC_NO_TARGET] > 0) {
        fprintf(out, "; %d without a target", count[SVC_NO_TARGET]);
    }
    fprintf(out, "\n");
}

/* ---- --json (docs/json.md) ------------------------------------------------------------------ */

/* The per-year arrays of one view: demand (persons), capacity and gap (places), utilization
 * and status ("met", "short", or null without a target). */
static void json_view(cli_json *j, const gap_view *v, double *buf)
{
    static const char *const fields[] = { "demand", "capacity", "gap", "utilization" };
    const ps_result *r = v->r;
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; ++f) {
        for (int y = 0; y < r->n_years; ++y) {
            gap_year at = gap_at(v, y);
            double demand = 0.0, capacity = 0.0;
            for (int reg = v->reg < 0 ? 0 : v->reg;
                 reg < (v->reg < 0 ? r->n_regions : v->reg + 1); ++reg) {
                size_t c = ps_result_regcell(r, y, reg);
                demand += v->s->demand[c];
                capacity += v->s->capacity != NULL ? v->s->capacity[c] : NAN;
            }
            buf[y] = f == 0 ? demand : f == 1 ? capacity : f == 2 ? at.gap : at.util;
        }
        cli_json_numbers(j, fields[f], buf, r->n_years);
    }
    cli_json_begin_array(j, "status");
    int all_met = 1;
    for (int y = 0; y < r->n_years; ++y) {
        gap_year at = gap_at(v, y);
        all_met = all_met && at.status == GAP_MET;
        cli_json_string(j, NULL, at.status == GAP_NONE ? NULL : status_words[at.status]);
    }
    cli_json_end_array(j);
    cli_json_bool(j, "all_met", all_met);
    static const char *const stock_fields[] = { "stock", "gap_target", "build" };
    const double *const stock_arrays[] = { v->s->stock, v->s->gap_target, v->s->build };
    for (size_t f = 0; v->s->stock != NULL && f < sizeof stock_fields / sizeof stock_fields[0];
         ++f) {
        for (int y = 0; y < r->n_years; ++y) {
            buf[y] = view_sum(v, stock_arrays[f], y);
        }
        cli_json_numbers(j, stock_fields[f], buf, r->n_years);
    }
}

static void json_service(cli_json *j, const ps_result *r, const ps_svc_result *s, double *buf)
{
    char target[160];
    const int has_cap = cli_service_has_capacity(r, s);
    cli_json_begin_object(j, NULL);
    cli_json_string(j, "name", s->name);
    cli_json_string(j, "title", s->title != NULL ? s->title : s->name);
    cli_json_string(j, "kind", ps_svc_kind_name((ps_svc_kind)s->kind));
    cli_json_bool(j, "has_target", has_cap);
    cli_json_string(j, "target", cli_service_target_text(target, sizeof target, r, s));
    gap_view v = { r, s, -1, 0 };
    json_view(j, &v, buf);
    cli_json_begin_array(j, "regions");
    for (int reg = 0; r->n_regions > 1 && reg < r->n_regions; ++reg) {
        v.reg = reg;
        cli_json_begin_object(j, NULL);
        cli_json_string(j, "name", r->region_names[reg]);
        json_view(j, &v, buf);
        cli_json_end_object(j);
    }
    cli_json_end_array(j);
    cli_json_end_object(j);
}

static ps_status print_json(FILE *out, const char *path, const ps_result *res, int n,
                            const char *only, ps_error *err)
{
    int max_years = 1;
    for (int i = 0; i < n; ++i) {
        max_years = res[i].n_years > max_years ? res[i].n_years : max_years;
    }
    double *buf = malloc((size_t)max_years * sizeof *buf);
    if (buf == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    cli_json j;
    cli_json_init(&j, out);
    cli_json_begin_object(&j, NULL);
    cli_json_string(&j, "schema", "popsim-targets/1");
    cli_json_string(&j, "file", path);
    cli_json_number(&j, "met_tolerance_places", MET_TOLERANCE_PLACES);
    cli_json_begin_array(&j, "scenarios");
    for (int i = 0; i < n; ++i) {
        const ps_result *r = &res[i];
        cli_json_begin_object(&j, NULL);
        cli_json_string(&j, "name", r->name);
        cli_json_string(&j, "title", r->title);
        for (int y = 0; y < r->n_years; ++y) {
            buf[y] = r->start_year + y;
        }
        cli_json_numbers(&j, "year", buf, r->n_years);
        cli_json_begin_array(&j, "services");
        for (int k = 0; k < r->n_services; ++k) {
            if (only == NULL || strcmp(only, r->services[k].name) == 0) {
                json_service(&j, r, &r->services[k], buf);
            }
        }
        cli_json_end_array(&j);
        cli_json_end_object(&j);
    }
    cli_json_end_array(&j);
    cli_json_end_object(&j);
    free(buf);
    return PS_OK;
}

static int find_name(char *const *names, int n, const char *name)
{
    for (int k = 0; k < n; ++k) {
        if (strcmp(names[k], name) == 0) {
            return k;
        }
    }
    return -1;
}

/* The scenarios of the file (or the one named), each with its services. */
static ps_status load_results(ps_result **out, int *n_out, const char *path, const char *scn,
                              ps_error *err)
{
    char **names = NULL, list[NAMES_TEXT_SIZE] = "";
    int n = 0, pick = -1;
    /* The file opens (or PS_EIO says why not); PS_EHDF5 then means no /scenarios group. */
    ps_status rc = ps_h5_list(&names, &n, path, err);
    if (rc == PS_EHDF5) {
        rc = ps_error_set_at(err, PS_EINVAL, path, 0, 0,
                             "not a popsim result file: it has no /scenarios group");
    }
    if (rc == PS_OK && scn != NULL && (pick = find_name(names, n, scn)) < 0) {
        for (int k = 0; k < n; ++k) {
            append_name(list, sizeof list, names[k]);
        }
        rc = ps_error_set_at(err, PS_EINVAL, path, 0, 0,
                             "no scenario '%s' in this file; it has: %s", scn,
                             n > 0 ? list : "none");
    }
    *out = NULL;
    *n_out = 0;
    if (rc == PS_OK) {
        rc = cli_read_results(out, n_out, path, names, n, pick, err);
    }
    ps_h5_free_names(names, n);
    return rc;
}

/* --service must name a service of at least one of the scenarios read; else list them. */
static ps_status check_service(const ps_result *res, int n, const char *svc, const char *path,
                               ps_error *err)
{
    char list[NAMES_TEXT_SIZE] = "", where[160];
    int found = 0;
    for (int i = 0; i < n; ++i) {
        for (int k = 0; k < res[i].n_services; ++k) {
            const char *name = res[i].services[k].name;
            int seen = 0;
            for (int j = 0; j < i && !seen; ++j) {
                for (int m = 0; m < res[j].n_services && !seen; ++m) {
                    seen = strcmp(res[j].services[m].name, name) == 0;
                }
            }
            found = found || strcmp(name, svc) == 0;
            if (!seen) {
                append_name(list, sizeof list, name);
            }
        }
    }
    if (found) {
        return PS_OK;
    }
    if (n == 1) {
        snprintf(where, sizeof where, "scenario '%s'", res[0].name);
    } else {
        snprintf(where, sizeof where, "any scenario");
    }
    if (list[0] == '\0') {
        return ps_error_set_at(err, PS_EINVAL, path, 0, 0,
                               "no service '%s': %s of this file has no services", svc, where);
    }
    return ps_error_set_at(err, PS_EINVAL, path, 0, 0, "no service '%s' in %s; services: %s",
                           svc, where, list);
}

static void targets_usage(FILE *out)
{
    fprintf(out,
            "usage: popsim targets [options] RESULT.h5\n"
            "\n"
            "For each scenario and service of a result file, whether the capacity target is\n"
            "met, year range by year range: the largest surplus or shortage in places, the\n"
            "year of that peak and the utilization (demand / capacity). Services without a\n"
            "target show their demand. Ends with a one-line summary per scenario.\n"
            "\n"
            "options:\n"
            "      --scenario NAME   only this scenario\n"
            "      --service NAME    only this service\n"
            "      --variant NAME    a probabilistic file's policy variant: only its services\n"
            "                        (default: the baseline's, then each variant's)\n"
            "      --json            one JSON document for scripts (schema: docs/json.md)\n"
            "  -h, --help            this text\n"
            "      --version         program version\n");
}

int cli_cmd_targets(int argc, char **argv)
{
    enum { OPT_SCENARIO = 256, OPT_SERVICE, OPT_VERSION, OPT_JSON, OPT_VARIANT };
    static const struct option longopts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "scenario", required_argument, NULL, OPT_SCENARIO },
        { "service", required_argument, NULL, OPT_SERVICE },
        { "variant", required_argument, NULL, OPT_VARIANT },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    const char *scn = NULL, *svc = NULL, *variant = NULL;
    int c, json = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == OPT_SCENARIO) {
            scn = optarg;
        } else if (c == OPT_SERVICE) {
            svc = optarg;
        } else if (c == OPT_VARIANT) {
            variant = optarg;
        } else if (c == OPT_JSON) {
            json = 1;
        } else if (c == 'h') {
            targets_usage(stdout);
            return CLI_EXIT_OK;
        } else if (c == OPT_VERSION) {
            cli_print_version();
            return CLI_EXIT_OK;
        } else {
            targets_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "popsim targets: expected one result file\n");
        targets_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *path = argv[optind];
    if (ps_h5_prob_present(path)) { /* a probabilistic file (issue #14): targets_prob.c */
        return cli_targets_prob(path, scn, svc, variant, json);
    }
    if (variant != NULL) { /* a deterministic file's variants are its scenarios */
        fprintf(stderr, "popsim targets: --variant applies to a probabilistic file; '%s' holds "
                "scenarios (use --scenario NAME)\n", path);
        return CLI_EXIT_USAGE;
    }
    ps_error err;
    ps_error_clear(&err);
    ps_result *res = NULL;
    int n = 0;
    ps_status rc = load_results(&res, &n, path, scn, &err);
    if (rc == PS_OK && svc != NULL) {
        rc = check_service(res, n, svc, path, &err);
    }
    if (rc == PS_OK && json) {
        rc = print_json(stdout, path, res, n, svc, &err);
    }
    int any = 0;
    for (int i = 0; rc == PS_OK && !json && i < n; ++i) {
        print_scenario(stdout, &res[i], svc);
        any = any || res[i].n_services > 0;
        if (i + 1 < n) {
            putchar('\n');
        }
    }
    if (rc == PS_OK && !json && any) {
        printf("\nPlaces on 1 July; headlines sum all regions. Gap = capacity - demand / "
               "occupancy;\n\"met\" = short by less than half a place. Utilization = demand / "
               "capacity.\n");
    }
    cli_free_results(res, n);
    if (rc != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

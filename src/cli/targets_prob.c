/*
 * targets_prob.c - `popsim targets FILE` for a probabilistic file (issue #14, sec. 2;
 * docs/services.md sec. 10): per service with a target, per planning year (the start year,
 * every fifth calendar year and the last year) the median demand and its 80 % interval
 * (10 % to 90 % quantile over trajectories), the median capacity, and P(shortage), the
 * share of trajectories whose places needed exceed the capacity, worded as the likelier of
 * "N % chance of a shortage" and "N % chance of a surplus" (1 - P). A service without a
 * target shows its demand. --json writes every year (docs/json.md, popsim-targets-prob/1).
 */
#include "targets_prob.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "popsim/h5prob.h"

#define PERCENT 100.0
#define PLAN_STEP_YEARS 5 /* five-year plans: 2025, 2030, ... */
#define LEVEL_TOL 1e-9

/* Column of probability level p in the file, -1 if absent. */
static int level_col(const ps_h5_prob_data *d, double p)
{
    for (int q = 0; q < d->n_q; ++q) {
        if (fabs(d->levels[q] - p) <= LEVEL_TOL) {
            return q;
        }
    }
    return -1;
}

static double svc_value(const ps_h5_prob_data *d, ps_svc_prob_var v, int y, int k, int col)
{
    if (d->svc_q[v] == NULL || col < 0) {
        return NAN;
    }
    return d->svc_q[v][((size_t)y * (size_t)d->n_svc + (size_t)k) * (size_t)d->n_q +
                       (size_t)col];
}

static double p_short(const ps_h5_prob_data *d, int y, int k)
{
    return d->svc_p_shortage != NULL ? d->svc_p_shortage[(size_t)y * (size_t)d->n_svc +
                                                         (size_t)k]
                                     : NAN;
}

/* "72 % chance of a surplus" (the likelier side; ties read as a shortage). */
static void chance_words(char *buf, size_t size, double p)
{
    if (isnan(p)) {
        snprintf(buf, size, "no target");
    } else if (p >= 0.5) {
        snprintf(buf, size, "%.0f %% chance of a shortage", PERCENT * p);
    } else {
        snprintf(buf, size, "%.0f %% chance of a surplus", PERCENT * (1.0 - p));
    }
}

static void print_service(const ps_h5_prob_data *d, int k)
{
    const int c10 = level_col(d, 0.1), c50 = level_col(d, 0.5), c90 = level_col(d, 0.9);
    char med[32], lo[32], hi[32], cap[32], words[64];
    printf("%s: %s\n", d->svc_names[k], d->svc_titles[k]);
    for (int y = 0; y < d->n_years; ++y) {
        const int year = d->start_year + y;
        if (y != 0 && y != d->n_years - 1 && year % PLAN_STEP_YEARS != 0) {
            continue;
        }
        const double p = p_short(d, y, k);
        cli_fmt_count(med, sizeof med, svc_value(d, PS_SVC_PROB_DEMAND, y, k, c50));
        cli_fmt_count(lo, sizeof lo, svc_value(d, PS_SVC_PROB_DEMAND, y, k, c10));
        cli_fmt_count(hi, sizeof hi, svc_value(d, PS_SVC_PROB_DEMAND, y, k, c90));
        chance_words(words, sizeof words, p);
        printf("  %d: %s; demand %s (80 %%: %s-%s)", year, words, med, lo, hi);
        if (!isnan(p)) {
            cli_fmt_count(cap, sizeof cap, svc_value(d, PS_SVC_PROB_CAPACITY, y, k, c50));
            printf(", capacity %s places", cap);
        }
        putchar('\n');
    }
}

static void json_service(cli_json *j, const ps_h5_prob_data *d, int k, double *buf)
{
    static const struct {
        const char *key;
        ps_svc_prob_var v;
        double level;
    } cols[] = {
        { "demand_median", PS_SVC_PROB_DEMAND, 0.5 },
        { "demand_q10", PS_SVC_PROB_DEMAND, 0.1 },
        { "demand_q90", PS_SVC_PROB_DEMAND, 0.9 },
        { "capacity_median", PS_SVC_PROB_CAPACITY, 0.5 },
        { "shortage_median", PS_SVC_PROB_SHORTAGE, 0.5 },
        { "staff_median", PS_SVC_PROB_STAFF, 0.5 },
    };
    int has_target = 0;
    cli_json_begin_object(j, NULL);
    cli_json_string(j, "name", d->svc_names[k]);
    cli_json_string(j, "title", d->svc_titles[k]);
    cli_json_string(j, "kind", d->svc_kinds[k]);
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; ++c) {
        const int col = level_col(d, cols[c].level);
        for (int y = 0; y < d->n_years; ++y) {
            buf[y] = svc_value(d, cols[c].v, y, k, col);
        }
        cli_json_numbers(j, cols[c].key, buf, d->n_years);
    }
    for (int y = 0; y < d->n_years; ++y) {
        buf[y] = p_short(d, y, k);
        has_target = has_target || !isnan(buf[y]);
    }
    cli_json_bool(j, "has_target", has_target);
    cli_json_numbers(j, "p_shortage", buf, d->n_years);
    cli_json_end_object(j);
}

static ps_status print_json(const char *path, const ps_h5_prob_data *d, const char *group,
                            const char *service, const char *variant, ps_error *err)
{
    double *buf = malloc((size_t)d->n_years * sizeof *buf);
    if (buf == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    cli_json j;
    cli_json_init(&j, stdout);
    cli_json_begin_object(&j, NULL);
    cli_json_string(&j, "schema", "popsim-targets-prob/1");
    cli_json_string(&j, "file", path);
    cli_json_string(&j, "name", group);
    if (variant != NULL) { /* --variant (issue #14, sec. 2) */
        cli_json_string(&j, "variant", variant);
    }
    cli_json_string(&j, "region", d->n_loc > 0 ? d->labels[0] : NULL);
    cli_json_int(&j, "trajectories", d->trajectories);
    for (int y = 0; y < d->n_years; ++y) {
        buf[y] = d->start_year + y;
    }
    cli_json_numbers(&j, "year", buf, d->n_years);
    cli_json_begin_array(&j, "services");
    for (int k = 0; k < d->n_svc; ++k) {
        if (service == NULL || strcmp(service, d->svc_names[k]) == 0) {
            json_service(&j, d, k, buf);
        }
    }
    cli_json_end_array(&j);
    cli_json_end_object(&j);
    free(buf);
    return PS_OK;
}

/* --service must name a service of the file; else list them. */
static ps_status check_service(const ps_h5_prob_data *d, const char *service, const char *path,
                               ps_error *err)
{
    char list[400] = "";
    for (int k = 0; k < d->n_svc; ++k) {
        if (strcmp(d->svc_names[k], service) == 0) {
            return PS_OK;
        }
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", k > 0 ? ", " : "", d->svc_names[k]);
    }
    return ps_error_set_at(err, PS_EINVAL, path, 0, 0, "no service '%s' in this probabilistic "
                           "file; services: %s", service, d->n_svc > 0 ? list : "none");
}

/* The text of one group's services (the baseline's, or variant `variant`'s). */
static void print_text(const ps_h5_prob_data *d, const char *group, const char *variant,
                       const char *service)
{
    printf("%s%s%s (%s): %d trajectories, probabilistic\n", group,
           variant != NULL ? ", variant " : "", variant != NULL ? variant : "",
           d->n_loc > 0 ? d->labels[0] : "", d->trajectories);
    for (int k = 0; k < d->n_svc; ++k) {
        if (service == NULL || strcmp(service, d->svc_names[k]) == 0) {
            print_service(d, k);
        }
    }
}

/* --variant must name a policy variant of the file; else list them. */
static ps_status check_variant(const ps_h5_prob_data *d, const char *variant, const char *path,
                               ps_error *err)
{
    char list[400] = "";
    for (int v = 0; v < d->policy.n_variants; ++v) {
        if (strcmp(d->policy.names[v], variant) == 0) {
            return PS_OK;
        }
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", v > 0 ? ", " : "",
                 d->policy.names[v]);
    }
    return ps_error_set_at(err, PS_EINVAL, path, 0, 0, "no policy variant '%s' in this "
                           "probabilistic file; variants: %s", variant,
                           d->policy.n_variants > 0 ? list : "none");
}

/* Each variant with services after the baseline (no --variant); 0, or 1 with err set. */
static ps_status print_variants(const char *path, const ps_h5_prob_data *d, const char *service,
                                ps_error *err)
{
    ps_status rc = PS_OK;
    for (int v = 0; rc == PS_OK && v < d->policy.n_variants; ++v) {
        ps_h5_prob_data dv;
        const char *name = d->policy.names[v];
        if (!ps_h5_prob_variant_present(path, d->group, name)) {
            continue;
        }
        rc = ps_h5_prob_read_variant(&dv, path, d->group, name, err);
        if (rc == PS_OK) {
            putchar('\n');
            print_text(&dv, d->group, name, service);
        }
        ps_h5_prob_data_release(&dv);
    }
    return rc;
}

int cli_targets_prob(const char *path, const char *scenario, const char *service,
                     const char *variant, int json)
{
    ps_h5_prob_data d, dv;
    ps_error err;
    ps_error_clear(&err);
    memset(&dv, 0, sizeof dv);
    ps_status rc = ps_h5_prob_read(&d, path, &err);
    if (rc == PS_OK && scenario != NULL && strcmp(scenario, d.group) != 0) {
        rc = ps_error_set_at(&err, PS_EINVAL, path, 0, 0, "no scenario '%s' in this file; it "
                             "has: %s", scenario, d.group);
    }
    if (rc == PS_OK && variant != NULL) { /* issue #14, sec. 2: that variant's services */
        rc = check_variant(&d, variant, path, &err);
        rc = rc == PS_OK ? ps_h5_prob_read_variant(&dv, path, d.group, variant, &err) : rc;
    }
    const ps_h5_prob_data *shown = variant != NULL ? &dv : &d;
    if (rc == PS_OK && service != NULL) {
        rc = check_service(shown, service, path, &err);
    }
    if (rc == PS_OK && json) {
        rc = print_json(path, shown, d.group, service, variant, &err);
    } else if (rc == PS_OK) {
        print_text(shown, d.group, variant, service);
        if (variant == NULL) {
            rc = print_variants(path, &d, service, &err);
        }
        if (rc != PS_OK) {
            /* reported below */
        } else if (d.n_svc == 0) {
            printf("no services in this file (run a scenario with services: and "
                   "uncertainty:)\n");
        } else {
            printf("\nPlaces on 1 July; demand is the median over trajectories with its 80 %% "
                   "interval (10 %%-90 %%),\ncapacity the median. Chance of a shortage = share "
                   "of trajectories whose places needed\n(demand / occupancy) exceed the "
                   "capacity; of a surplus = the rest.\n");
        }
    }
    ps_h5_prob_data_release(&d);
    ps_h5_prob_data_release(&dv);
    if (rc != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/*
 * stock.c - services against what exists: the stock of places, beds and staff per district
 * and year from a stock file, cross-district use of services, and the places to build each
 * year to meet the target (docs/services.md sec. 8).
 *
 * Stock years between the given ones carry the last given year forward (a place exists until
 * the file says otherwise); years before the first given one take the first. The build rule
 * never demolishes: places built in earlier years stay available, so the places available
 * in a year are the larger of the reported stock and what stock plus building reached the
 * year before. Cross-district use moves a share of each region's demand to the other regions
 * in proportion to their stock (their demand without a stock file), conserving the total.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "services_int.h"
#include "core/str_int.h"

#define NAMES_MAX 400 /* bytes of the list of missing districts in a message */

ps_status ps_svc_stock_check_regions(const ps_svc_stock *st, const char *const *region_names,
                                     int n_regions, const char *scenario, ps_error *err)
{
    char names[NAMES_MAX] = "";
    int n_missing = 0;
    for (int reg = 0; reg < n_regions; ++reg) {
        bool found = false;
        for (int i = 0; i < st->n_rows && !found; ++i) {
            found = strcmp(st->rows[i].region, region_names[reg]) == 0;
        }
        if (!found) {
            size_t used = strlen(names);
            snprintf(names + used, sizeof names - used, "%s'%s'", n_missing > 0 ? ", " : "",
                     region_names[reg]);
            n_missing++;
        }
    }
    if (n_missing > 0 && !st->missing_zero) {
        return ps_error_set_at(err, PS_EINVAL, st->path, 1, 1,
                               "no stock of type '%s' for %s %s; give %s rows, or set "
                               "'missing: zero' in the service's stock to count none",
                               st->type, n_missing > 1 ? "districts" : "district", names,
                               n_missing > 1 ? "their" : "its");
    }
    for (int i = 0; i < st->n_rows; ++i) {
        const ps_svc_stock_row *row = &st->rows[i];
        int known = 0;
        for (int reg = 0; reg < n_regions && !known; ++reg) {
            known = strcmp(region_names[reg], row->region) == 0;
        }
        if (!known) {
            char list[NAMES_MAX] = "";
            for (int reg = 0; reg < n_regions; ++reg) {
                size_t used = strlen(list);
                snprintf(list + used, sizeof list - used, "%s%s", reg > 0 ? ", " : "",
                         region_names[reg]);
            }
            return ps_error_set_at(err, PS_EINVAL, st->path, row->line, row->region_column,
                                   "district '%s' is not a region of scenario '%s' "
                                   "(regions: %s)", row->region, scenario, list);
        }
    }
    return PS_OK;
}

/* Every region has rows (or missing_zero), and every row names a region of r. */
static ps_status check_regions(const ps_svc_stock *st, const ps_result *r, ps_error *err)
{
    return ps_svc_stock_check_regions(st, (const char *const *)r->region_names, r->n_regions,
                                      r->name, err);
}

/* The year whose rows describe `year` for region `name`: the latest at or before it, else
 * the first; *found is false when the region has no rows. */
static int stock_year(const ps_svc_stock *st, const char *name, int year, bool *found)
{
    int best = 0, first = 0;
    bool any_before = false;
    *found = false;
    for (int i = 0; i < st->n_rows; ++i) {
        const ps_svc_stock_row *row = &st->rows[i];
        if (strcmp(row->region, name) != 0) {
            continue;
        }
        if (!*found || row->year < first) {
            first = row->year;
        }
        *found = true;
        if (row->year <= year && (!any_before || row->year > best)) {
            best = row->year;
            any_before = true;
        }
    }
    return any_before ? best : first;
}

ps_status ps_svc_stock_resolve(double *places_out, double *public_out, double *staff_out,
                               const ps_svc_stock *st, const ps_result *r, ps_error *err)
{
    ps_status rc = check_regions(st, r, err);
    for (int reg = 0; rc == PS_OK && reg < r->n_regions; ++reg) {
        const char *name = r->region_names[reg];
        for (int y = 0; y < r->n_years; ++y) {
            size_t cell = ps_result_regcell(r, y, reg);
            bool found = false;
            int year = stock_year(st, name, r->start_year + y, &found);
            double places = 0.0, pub = 0.0, staff = 0.0;
            for (int i = 0; found && i < st->n_rows; ++i) {
                const ps_svc_stock_row *row = &st->rows[i];
                if (row->year == year && strcmp(row->region, name) == 0) {
                    places += row->places;
                    staff += row->staff;
                    pub += row->ownership == PS_SVC_OWN_PUBLIC ? row->places : 0.0;
                }
            }
            places_out[cell] = places;
            public_out[cell] = st->has_ownership ? pub : NAN;
            staff_out[cell] = staff;
        }
    }
    return rc;
}

void ps_services__catchment(double *served, const double *demand, const double *weight,
                            int n_regions, double share)
{
    double total_weight = 0.0;
    for (int reg = 0; reg < n_regions; ++reg) {
        served[reg] = 0.0;
        total_weight += weight[reg];
    }
    for (int from = 0; from < n_regions; ++from) {
        double others = total_weight - weight[from];
        if (!(others > 0.0) || share <= 0.0) {
            served[from] += demand[from];
            continue;
        }
        double away = share * demand[from];
        served[from] += demand[from] - away;
        for (int to = 0; to < n_regions; ++to) {
            if (to != from) {
                served[to] += away * weight[to] / others;
            }
        }
    }
}

void ps_services__build(double *build, const double *stock, const double *capacity,
                        int n_years, size_t stride)
{
    double reached = 0.0; /* places available after last year's building */
    for (int y = 0; y < n_years; ++y) {
        size_t i = (size_t)y * stride;
        double have = fmax(stock[i], reached);
        build[i] = isnan(capacity[i]) ? NAN : fmax(0.0, capacity[i] - have);
        reached = have + (isnan(build[i]) ? 0.0 : build[i]);
    }
}

/* demand_served for every year: the demand moved by the cross-district share. */
static ps_status served_demand(ps_svc_result *o, const ps_result *r, const ps_service *s,
                               ps_error *err)
{
    size_t nreg = (size_t)r->n_regions;
    double *weight = malloc(nreg * sizeof *weight);
    if (weight == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for service '%s'", s->name);
    }
    for (int y = 0; y < r->n_years; ++y) {
        size_t first = ps_result_regcell(r, y, 0);
        const double *w = o->stock != NULL ? &o->stock[first] : &o->demand[first];
        memcpy(weight, w, nreg * sizeof *weight);
        ps_services__catchment(&o->demand_served[first], &o->demand[first], weight,
                               r->n_regions, s->cross_district_share);
    }
    free(weight);
    return PS_OK;
}

ps_status ps_services__stock(ps_svc_result *o, const ps_result *r, const ps_service *s,
                             ps_error *err)
{
    size_t cells = (size_t)r->n_years * (size_t)r->n_regions;
    bool has_stock = s->stock.path != NULL;
    ps_status rc = PS_OK;
    if (!has_stock && !(s->cross_district_share > 0.0)) {
        return PS_OK;
    }
    double **arrays[] = { &o->demand_served, &o->stock, &o->stock_public, &o->stock_staff,
                          &o->gap_target, &o->gap_demand, &o->build };
    size_t n_arrays = has_stock ? sizeof arrays / sizeof arrays[0] : 1;
    for (size_t a = 0; a < n_arrays; ++a) {
        if ((*arrays[a] = calloc(cells, sizeof **arrays[a])) == NULL) {
            return ps_error_set(err, PS_ENOMEM, "out of memory for service '%s'", s->name);
        }
    }
    if (has_stock) {
        rc = ps_svc_stock_resolve(o->stock, o->stock_public, o->stock_staff, &s->stock, r, err);
        if (rc != PS_OK) {
            ps_error_prepend(err, "service '%s': ", s->name);
            return rc;
        }
    }
    if ((rc = served_demand(o, r, s, err)) != PS_OK || !has_stock) {
        return rc;
    }
    for (size_t c = 0; c < cells; ++c) {
        o->gap_target[c] = o->stock[c] - o->capacity[c];
        o->gap_demand[c] = o->stock[c] - o->demand_served[c] / s->occupancy;
    }
    for (int reg = 0; reg < r->n_regions; ++reg) {
        size_t first = ps_result_regcell(r, 0, reg);
        ps_services__build(&o->build[first], &o->stock[first], &o->capacity[first], r->n_years,
                           (size_t)r->n_regions);
    }
    return PS_OK;
}

void ps_svc_stock_release(ps_svc_stock *st)
{
    if (st == NULL) {
        return;
    }
    for (int i = 0; st->rows != NULL && i < st->n_rows; ++i) {
        free(st->rows[i].region);
    }
    free(st->rows);
    free(st->path);
    free(st->type);
    memset(st, 0, sizeof *st);
}

ps_status ps_svc_stock_copy(ps_svc_stock *dst, const ps_svc_stock *src, ps_error *err)
{
    bool ok = true;
    *dst = *src;
    dst->path = dst->type = NULL;
    dst->rows = NULL;
    dst->n_rows = 0;
    if (src->path == NULL) {
        return PS_OK;
    }
    dst->path = ps__strdup(src->path);
    dst->type = ps__strdup(src->type);
    ok = dst->path != NULL && (src->type == NULL || dst->type != NULL);
    if (ok && src->n_rows > 0) {
        dst->rows = calloc((size_t)src->n_rows, sizeof *dst->rows);
        ok = dst->rows != NULL;
    }
    for (int i = 0; ok && i < src->n_rows; ++i) {
        dst->rows[i] = src->rows[i];
        dst->rows[i].region = ps__strdup(src->rows[i].region);
        dst->n_rows = i + 1;
        ok = dst->rows[i].region != NULL;
    }
    if (!ok) {
        ps_svc_stock_release(dst);
        return ps_error_set(err, PS_ENOMEM, "out of memory copying a stock of %d rows",
                            src->n_rows);
    }
    return PS_OK;
}

/*
 * regions.c - inputs of a multiregional scenario (issue #13): each item of `regions:` is
 * built as a single-region scenario (the top level's inputs with the item's own in their
 * place, so any input may be shared), and the regions are stacked into one ps_inputs; the
 * origin-destination table of `internal_migration:` becomes the factored flows of
 * popsim/flows.h, each pair's rate spread over ages by a Rogers-Castro schedule.
 * Formats: docs/scenario-format.md and docs/input-format.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_int.h"
#include "io/region_col_int.h"
#include "io/regions_int.h"
#include "popsim/demog.h"
#include "popsim/flows.h"

/* The single-region scenario of region `reg`: a shallow copy of the top level with the
 * item's inputs in place of the shared ones (the copy owns nothing). */
static ps_scenario region_scenario(const ps_scenario *scn, int reg)
{
    const ps_scn_region *r = &scn->regions[reg];
    ps_scenario one = *scn;
    one.regions = NULL;
    one.n_regions = 0;
    one.region_name = r->name;
    if (r->population.path != NULL) {
        one.population.file = r->population;
    }
    if (r->mx_file.path != NULL) {
        one.mortality.mx_file = r->mx_file;
        one.mortality.e0_file.path = NULL;
    }
    if (r->asfr_file.path != NULL) {
        one.fertility.asfr_file = r->asfr_file;
    }
    if (r->has_tfr) {
        one.fertility.tfr = r->tfr;
        one.fertility.has_tfr = 1;
        one.fertility.tfr_file.path = NULL;
    }
    if (r->has_srb) {
        one.srb.value = r->srb;
        one.srb.has_value = 1;
        one.srb.file.path = NULL;
    }
    if (r->migration_file.path != NULL || r->has_migration_total) {
        one.migration.none = 0;
        one.migration.file = r->migration_file;
        one.migration.total_file.path = NULL;
        one.migration.has_total = r->has_migration_total;
        one.migration.total = r->migration_total;
        one.migration.total_loc = r->loc;
    }
    return one;
}

/* Copy the single region `one` into region `reg` of `out`. */
static void stack_region(ps_inputs *out, const ps_inputs *one, int reg)
{
    const size_t na = (size_t)out->n_ages, bytes = na * sizeof(double);
    for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
        memcpy(&out->base.count[ps_pop_idx(&out->base, reg, sex, 0)],
               &one->base.count[ps_pop_idx(&one->base, 0, sex, 0)], bytes);
    }
    for (int step = 0; step < ps_inputs_steps(out); ++step) {
        out->srb[(size_t)step * (size_t)out->n_regions + (size_t)reg] = one->srb[step];
        memcpy(&out->asfr[ps_inputs_asfr_idx(out, step, reg, 0)],
               &one->asfr[ps_inputs_asfr_idx(one, step, 0, 0)], bytes);
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            memcpy(&out->mx[ps_inputs_idx(out, step, reg, sex, 0)],
                   &one->mx[ps_inputs_idx(one, step, 0, sex, 0)], bytes);
            memcpy(&out->mig[ps_inputs_idx(out, step, reg, sex, 0)],
                   &one->mig[ps_inputs_idx(one, step, 0, sex, 0)], bytes);
        }
    }
}

/* ---- tables with a region column ------------------------------------------------------ */

/* The planner tables a region's scenario may read. */
enum { SLOT_POP, SLOT_MX, SLOT_E0, SLOT_ASFR, SLOT_TFR, SLOT_SRB, SLOT_MIG, SLOT_MIG_TOTAL,
       SLOT_COUNT };

static char **slot_path(ps_scenario *s, int k)
{
    switch (k) {
    case SLOT_POP: return &s->population.file.path;
    case SLOT_MX: return &s->mortality.mx_file.path;
    case SLOT_E0: return &s->mortality.e0_file.path;
    case SLOT_ASFR: return &s->fertility.asfr_file.path;
    case SLOT_TFR: return &s->fertility.tfr_file.path;
    case SLOT_SRB: return &s->srb.file.path;
    case SLOT_MIG: return &s->migration.file.path;
    default: return &s->migration.total_file.path;
    }
}

/* Which of the top level's (shared) tables have a region column: has[slot] (checked once). */
typedef struct region_tables {
    const char **names; /* [reg] the scenario's region names, borrowed */
    int has[SLOT_COUNT];
    char *selected[SLOT_COUNT]; /* this region's selected paths, owned */
} region_tables;

static ps_status tables_init(region_tables *t, const ps_scenario *scn, ps_error *err)
{
    memset(t, 0, sizeof *t);
    ps_scenario top = *scn;
    if ((t->names = malloc((size_t)scn->n_regions * sizeof *t->names)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int reg = 0; reg < scn->n_regions; ++reg) {
        t->names[reg] = scn->regions[reg].name;
    }
    ps_status rc = PS_OK;
    for (int k = 0; rc == PS_OK && k < SLOT_COUNT; ++k) {
        const char *path = *slot_path(&top, k);
        if (path != NULL) {
            rc = ps_plan__region_column(&t->has[k], path, t->names, scn->n_regions, err);
        }
    }
    return rc;
}

static void tables_clear(region_tables *t)
{
    for (int k = 0; k < SLOT_COUNT; ++k) {
        free(t->selected[k]);
        t->selected[k] = NULL;
    }
}

/* Point the tables of region reg's scenario `one` with a region column at its rows: a
 * shared table as checked by tables_init, an item's own table checked here. */
static ps_status select_tables(region_tables *t, ps_scenario *one, const ps_scenario *scn,
                               int reg, ps_error *err)
{
    ps_scenario top = *scn;
    ps_status rc = PS_OK;
    tables_clear(t);
    for (int k = 0; rc == PS_OK && k < SLOT_COUNT; ++k) {
        char **path = slot_path(one, k);
        int has = 0;
        if (*path == NULL) {
            continue;
        }
        if (*path == *slot_path(&top, k)) {
            has = t->has[k];
        } else {
            rc = ps_plan__region_column(&has, *path, t->names, scn->n_regions, err);
        }
        if (rc == PS_OK && has) {
            rc = ps_region_col__select(&t->selected[k], *path, scn->regions[reg].name, err);
            *path = t->selected[k];
        }
    }
    return rc;
}

/* A message that names a selected path shows the file's own path. */
static void unselect_error(ps_error *err)
{
    char *sep = err != NULL ? strchr(err->path, PS_REGION_COL_SEP) : NULL;
    if (sep != NULL) {
        *sep = '\0';
    }
    while (err != NULL && (sep = strchr(err->msg, PS_REGION_COL_SEP)) != NULL) {
        const char *end = sep + strcspn(sep, ":' ");
        memmove(sep, end, strlen(end) + 1);
    }
}

ps_status ps_build__regions(ps_inputs *out, const ps_scenario *scn, const ps_build_options *opt,
                            ps_error *err)
{
    region_tables tables;
    ps_status rc = tables_init(&tables, scn, err);
    memset(out, 0, sizeof *out);
    for (int reg = 0; rc == PS_OK && reg < scn->n_regions; ++reg) {
        ps_scenario one_scn = region_scenario(scn, reg);
        ps_inputs one;
        if ((rc = select_tables(&tables, &one_scn, scn, reg, err)) != PS_OK) {
            break;
        }
        if ((rc = ps_build_inputs(&one, &one_scn, opt, err)) != PS_OK) {
            unselect_error(err);
            ps_error_prepend(err, "region '%s': ", scn->regions[reg].name);
            break;
        }
        if (reg == 0) {
            rc = ps_inputs_init(out, one.start_year, one.end_year, scn->n_regions, one.n_ages,
                                err);
        }
        if (rc == PS_OK && one.n_ages != out->n_ages) {
            rc = ps_error_set(err, PS_EINVAL, "region '%s' has ages 0..%d, region '%s' 0..%d",
                              scn->regions[reg].name, one.n_ages - 1, scn->regions[0].name,
                              out->n_ages - 1);
        }
        if (rc == PS_OK) {
            stack_region(out, &one, reg);
            rc = ps_inputs_set_region_name(out, reg, scn->regions[reg].name, err);
        }
        if (rc == PS_OK && reg == 0 && one.source != NULL) {
            out->source = strdup(one.source);
        }
        ps_inputs_release(&one);
    }
    if (rc == PS_OK) {
        rc = ps_inputs_validate(out, err);
    }
    if (rc != PS_OK) {
        ps_inputs_release(out);
    }
    tables_clear(&tables);
    free(tables.names);
    return rc;
}

/* ---- the origin-destination table ------------------------------------------------------ */

typedef struct od_row {
    int orig, dest, year; /* year = -1 without a year column */
    double rate;
    long line;
} od_row;

static int region_index(const ps_scenario *scn, const char *name)
{
    for (int reg = 0; reg < scn->n_regions; ++reg) {
        if (strcmp(scn->regions[reg].name, name) == 0) {
            return reg;
        }
    }
    return -1;
}

static ps_status od_header(ps_csv *c, int *has_year, ps_error *err)
{
    char *line = NULL;
    size_t len = 0;
    int got = ps_csv__next_line(c, &line, &len, err);
    if (got <= 0) {
        return got < 0 ? err->code : ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), 1, 1,
                                                     "the file has no header line");
    }
    *has_year = strcmp(line, "origin,destination,rate,year") == 0;
    if (*has_year || strcmp(line, "origin,destination,rate") == 0) {
        return PS_OK;
    }
    return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), 1, 1, "wrong header: expected "
                           "'origin,destination,rate' or 'origin,destination,rate,year' "
                           "(got '%.80s')", line);
}

ps_status ps_build__od_region(int *out, const ps_scenario *scn, const ps_csv *c,
                              const ps_csv_row *row, int i, ps_error *err)
{
    *out = region_index(scn, row->field[i]);
    if (*out >= 0) {
        return PS_OK;
    }
    char names[512] = "";
    for (int reg = 0; reg < scn->n_regions; ++reg) {
        size_t used = strlen(names);
        snprintf(names + used, sizeof names - used, "%s'%s'", reg ? ", " : "",
                 scn->regions[reg].name);
    }
    return ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), row->line, row->column[i],
                           "%s '%.80s' is not a region of the scenario (expected one of %s)",
                           i == 0 ? "origin" : "destination", row->field[i], names);
}

/* One data row: origin and destination known and different, rate in [0, 1], year in the
 * scenario's range. */
static ps_status od_parse_row(od_row *out, const ps_scenario *scn, const ps_csv *c,
                              const ps_csv_row *row, int has_year, ps_error *err)
{
    const int want = has_year ? 4 : 3;
    if (row->n != want) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, 1,
                               "expected %d fields (origin,destination,rate%s), got %d", want,
                               has_year ? ",year" : "", row->n);
    }
    ps_status rc = ps_build__od_region(&out->orig, scn, c, row, 0, err);
    if (rc == PS_OK) {
        rc = ps_build__od_region(&out->dest, scn, c, row, 1, err);
    }
    if (rc == PS_OK && out->orig == out->dest) {
        rc = ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), row->line, row->column[1],
                             "destination '%s' is the origin; a region does not migrate to "
                             "itself", row->field[1]);
    }
    if (rc == PS_OK) {
        rc = ps_csv__double(&out->rate, c, row, 2, "rate", err);
    }
    if (rc == PS_OK && !(out->rate >= 0.0 && out->rate <= PS_FLOW_RATE_MAX)) {
        rc = ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), row->line, row->column[2],
                             "rate = %g is outside [0, %g] migrants per person-year of the "
                             "origin's population", out->rate, PS_FLOW_RATE_MAX);
    }
    out->year = -1;
    if (rc == PS_OK && has_year) {
        rc = ps_csv__int(&out->year, c, row, 3, "year", scn->start_year, scn->end_year - 1,
                         err);
    }
    out->line = row->line;
    return rc;
}

static ps_status od_read(od_row **rows_out, size_t *n_out, int *has_year,
                         const ps_scenario *scn, ps_error *err)
{
    ps_csv *c = NULL;
    od_row *rows = NULL;
    size_t n = 0, cap = 0;
    ps_status rc = ps_csv__open(&c, scn->internal_migration.file.path, err);
    if (rc == PS_OK) {
        rc = od_header(c, has_year, err);
    }
    char *line = NULL;
    size_t len = 0;
    int got = 0;
    while (rc == PS_OK && (got = ps_csv__next_line(c, &line, &len, err)) > 0) {
        ps_csv_row row;
        if (len == 0) {
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            od_row *grown = realloc(rows, cap * sizeof *rows);
            if (grown == NULL) {
                rc = ps_error_set(err, PS_ENOMEM, "out of memory for the migration table");
                break;
            }
            rows = grown;
        }
        if ((rc = ps_csv__split(c, line, &row, err)) == PS_OK) {
            rc = od_parse_row(&rows[n], scn, c, &row, *has_year, err);
        }
        for (size_t k = 0; rc == PS_OK && k < n; ++k) {
            if (rows[k].orig == rows[n].orig && rows[k].dest == rows[n].dest &&
                rows[k].year == rows[n].year) {
                rc = ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), row.line, 1,
                                     "the pair '%s' -> '%s' is given again (first on line %ld)",
                                     row.field[0], row.field[1], rows[k].line);
            }
        }
        n += rc == PS_OK;
    }
    if (rc == PS_OK && got < 0) {
        rc = err->code;
    }
    ps_csv__close(c);
    if (rc != PS_OK) {
        free(rows);
        rows = NULL;
        n = 0;
    }
    *rows_out = rows;
    *n_out = n;
    return rc;
}

/* The listed year in force in calendar year y: the latest listed year <= y, else the first. */
static int year_in_force(const od_row *rows, size_t n, int y)
{
    int best = -1, first = -1;
    for (size_t k = 0; k < n; ++k) {
        if (first < 0 || rows[k].year < first) {
            first = rows[k].year;
        }
        if (rows[k].year <= y && rows[k].year > best) {
            best = rows[k].year;
        }
    }
    return best >= 0 ? best : first;
}

ps_status ps_build_flows(ps_flows *out, const ps_scenario *scn, const ps_inputs *in,
                         ps_error *err)
{
    memset(out, 0, sizeof *out);
    if (scn->n_regions < 1 || scn->internal_migration.file.path == NULL) {
        return PS_OK;
    }
    int by_age = 0;
    ps_status hrc = ps_build__od_by_age(&by_age, scn->internal_migration.file.path, err);
    if (hrc == PS_OK && by_age && scn->engine == PS_ENGINE_MICRO) {
        /* the person moves of src/micro/regions.c draw from the factored rates only */
        return ps_error_set_at(err, PS_EINVAL, scn->path, scn->internal_migration.file.loc.line,
                               scn->internal_migration.file.loc.column, "internal_migration."
                               "file: rates by age and sex per pair need engine: ccm (the "
                               "microsimulation takes a rate per pair, spread by the schedule)");
    }
    if (hrc != PS_OK || by_age) {
        return hrc != PS_OK ? hrc : ps_build__flows_by_age(out, scn, in, err);
    }
    od_row *rows = NULL;
    size_t n = 0;
    int has_year = 0;
    ps_status rc = od_read(&rows, &n, &has_year, scn, err);
    const int nr = in->n_regions, periods = has_year ? ps_inputs_steps(in) : 1;
    double *pair = NULL, *shape = NULL;
    if (rc == PS_OK) {
        rc = ps_flows_init(out, nr, in->n_ages, periods, 0, err);
    }
    if (rc == PS_OK) {
        pair = calloc((size_t)periods * (size_t)nr * (size_t)nr, sizeof *pair);
        shape = malloc((size_t)in->n_ages * sizeof *shape);
        if (pair == NULL || shape == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for internal migration");
        }
    }
    for (int period = 0; rc == PS_OK && period < periods; ++period) {
        const int y = has_year ? year_in_force(rows, n, in->start_year + period) : -1;
        for (size_t k = 0; k < n; ++k) {
            if (rows[k].year == y) {
                pair[((size_t)period * (size_t)nr + (size_t)rows[k].orig) * (size_t)nr +
                     (size_t)rows[k].dest] = rows[k].rate;
            }
        }
    }
    if (rc == PS_OK) {
        ps_sched_rogers_castro(shape, in->n_ages, &scn->internal_migration.schedule);
        if ((rc = ps_flows_set_pairs(out, pair, shape, err)) != PS_OK) {
            snprintf(err->path, sizeof err->path, "%s", scn->internal_migration.file.path);
            err->line = 0;
            ps_error_prepend(err, "with the age schedule: ");
        }
    }
    free(pair);
    free(shape);
    free(rows);
    if (rc != PS_OK) {
        ps_flows_release(out);
    }
    return rc;
}

ps_status ps_build_registration(ps_registration *out, const ps_scenario *scn,
                                const ps_inputs *in, ps_error *err)
{
    memset(out, 0, sizeof *out);
    if (!scn->registration.enabled) {
        return PS_OK;
    }
    ps_status rc = ps_registration_init(out, in->n_regions, in->n_ages, err);
    for (int reg = 0; rc == PS_OK && reg < in->n_regions; ++reg) {
        const ps_scn_region *r = reg < scn->n_regions ? &scn->regions[reg] : NULL;
        out->base_share[reg] = r != NULL && r->has_registered_share
                                   ? r->registered_share
                                   : scn->registration.registered_share;
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = scn->registration.conversion_from_age;
                 age <= scn->registration.conversion_to_age && age < in->n_ages; ++age) {
                out->conversion[((size_t)reg * PS_SEX_COUNT + (size_t)sex) *
                                    (size_t)in->n_ages + (size_t)age] =
                    scn->registration.conversion_rate;
            }
        }
    }
    if (rc == PS_OK) {
        out->arrive_registered = scn->registration.arrive_registered;
        rc = ps_registration_validate(out, err);
    }
    if (rc != PS_OK) {
        ps_registration_release(out);
    }
    return rc;
}

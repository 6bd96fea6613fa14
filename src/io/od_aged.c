/*
 * od_aged.c - the origin-destination table by sex and age (issue #13):
 *     origin,destination,sex,age,rate[,year]
 * gives each pair's migration rate per person-year of the origin's population by sex and age
 * directly (single ages, or groups "20-24" whose single ages take the group's rate, the last
 * one open "85+"), with no Rogers-Castro spreading. Only the pairs given are stored
 * (ps_flows_init_aged): memory pairs x sexes x ages per period, so a full table of R regions
 * costs R(R-1) x 2 x 101 doubles per period, against R x 2 x 101 + R^2 of the table by pair.
 * Each (listed year, pair) gives every age of both sexes exactly once; a pair absent from a
 * listed year has no migration in the steps that take that year.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_int.h"
#include "io/planner_int.h"
#include "io/regions_int.h"
#include "popsim/flows.h"

static const char OD_AGED[] = "origin,destination,sex,age,rate";
static const char OD_AGED_YEAR[] = "origin,destination,sex,age,rate,year";

typedef struct aged_row {
    int orig, dest, sex, lo, hi, year; /* ages lo..hi inclusive; year -1 without the column */
    double rate;
    long line;
    int age_col;
} aged_row;

typedef struct aged_table {
    aged_row *rows;
    size_t n, cap;
    int has_year;
} aged_table;

ps_status ps_build__od_by_age(int *by_age, const char *path, ps_error *err)
{
    ps_csv *c = NULL;
    char *line = NULL;
    size_t len = 0;
    *by_age = 0;
    ps_status rc = ps_csv__open(&c, path, err);
    int got = rc == PS_OK ? ps_csv__next_line(c, &line, &len, err) : 0;
    if (rc == PS_OK && got < 0) {
        rc = err->code;
    }
    if (rc == PS_OK && got > 0) {
        *by_age = strcmp(line, OD_AGED) == 0 || strcmp(line, OD_AGED_YEAR) == 0;
    }
    ps_csv__close(c);
    return rc;
}

static ps_status aged_ages(aged_row *r, const ps_csv *c, const ps_csv_row *row, int n_ages,
                           ps_error *err)
{
    int open = 0;
    r->age_col = row->column[3];
    if (!ps_plan__age_label(row->field[3], &r->lo, &r->hi, &open) || r->hi < r->lo) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, row->column[3],
                               "column 'age': expected an age like '25', a group like '25-29' "
                               "or an open group like '85+' (got '%.40s')", row->field[3]);
    }
    if (open) {
        r->hi = n_ages - 1;
    }
    if (r->lo > n_ages - 1 || r->hi > n_ages - 1) {
        return ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), row->line, row->column[3],
                               "column 'age' = '%s' is beyond the last age %d", row->field[3],
                               n_ages - 1);
    }
    return PS_OK;
}

static ps_status aged_row_parse(aged_row *r, const ps_scenario *scn, const ps_csv *c,
                                const ps_csv_row *row, int has_year, int n_ages, ps_error *err)
{
    const int want = has_year ? 6 : 5;
    if (row->n != want) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, 1,
                               "expected %d fields (%s), got %d", want,
                               has_year ? OD_AGED_YEAR : OD_AGED, row->n);
    }
    r->line = row->line;
    r->year = -1;
    ps_status rc = ps_build__od_region(&r->orig, scn, c, row, 0, err);
    if (rc == PS_OK) {
        rc = ps_build__od_region(&r->dest, scn, c, row, 1, err);
    }
    if (rc == PS_OK && r->orig == r->dest) {
        rc = ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), row->line, row->column[1],
                             "destination '%s' is the origin; a region does not migrate to "
                             "itself", row->field[1]);
    }
    if (rc == PS_OK) {
        rc = ps_plan__sex(&r->sex, c, row, 2, err);
    }
    if (rc == PS_OK) {
        rc = aged_ages(r, c, row, n_ages, err);
    }
    if (rc == PS_OK) {
        rc = ps_csv__double(&r->rate, c, row, 4, "rate", err);
    }
    if (rc == PS_OK && !(r->rate >= 0.0 && r->rate <= PS_FLOW_RATE_MAX)) {
        rc = ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), row->line, row->column[4],
                             "rate = %g is outside [0, %g] migrants per person-year of the "
                             "origin's population", r->rate, PS_FLOW_RATE_MAX);
    }
    if (rc == PS_OK && has_year) {
        rc = ps_csv__int(&r->year, c, row, 5, "year", scn->start_year, scn->end_year - 1, err);
    }
    return rc;
}

static ps_status aged_read(aged_table *t, const ps_scenario *scn, int n_ages, ps_error *err)
{
    ps_csv *c = NULL;
    char *line = NULL;
    size_t len = 0;
    int got = 0;
    ps_status rc = ps_csv__open(&c, scn->internal_migration.file.path, err);
    if (rc == PS_OK && (got = ps_csv__next_line(c, &line, &len, err)) > 0) {
        t->has_year = strcmp(line, OD_AGED_YEAR) == 0;
    }
    while (rc == PS_OK && got >= 0 && (got = ps_csv__next_line(c, &line, &len, err)) > 0) {
        ps_csv_row row;
        if (len == 0) {
            continue;
        }
        if (t->n == t->cap) {
            t->cap = t->cap ? 2 * t->cap : 256;
            aged_row *grown = realloc(t->rows, t->cap * sizeof *grown);
            if (grown == NULL) {
                rc = ps_error_set(err, PS_ENOMEM, "out of memory for the migration table");
                break;
            }
            t->rows = grown;
        }
        if ((rc = ps_csv__split(c, line, &row, err)) == PS_OK) {
            rc = aged_row_parse(&t->rows[t->n], scn, c, &row, t->has_year, n_ages, err);
        }
        t->n += rc == PS_OK;
    }
    if (rc == PS_OK && got < 0) {
        rc = err->code;
    }
    if (rc == PS_OK && t->n == 0) {
        rc = ps_error_set_at(err, PS_EPARSE, scn->internal_migration.file.path, 1, 1,
                             "no data rows after the header");
    }
    ps_csv__close(c);
    return rc;
}

/* The listed years (increasing, unique) or {-1} without a year column; each row's index. */
typedef struct aged_index {
    int *years, n_years;
    int *pair, n_pairs; /* [orig][dest] -> pair or -1 */
    int *orig, *dest;   /* [pair] */
} aged_index;

static int cmp_int(const void *a, const void *b)
{
    const int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int year_k(const aged_index *ix, int year)
{
    for (int k = 0; k < ix->n_years; ++k) {
        if (ix->years[k] == year) {
            return k;
        }
    }
    return 0;
}

static ps_status index_build(aged_index *ix, const aged_table *t, int nr, ps_error *err)
{
    memset(ix, 0, sizeof *ix);
    ix->years = malloc(t->n * sizeof *ix->years);
    ix->pair = malloc((size_t)nr * (size_t)nr * sizeof *ix->pair);
    ix->orig = malloc((size_t)nr * (size_t)nr * sizeof *ix->orig);
    ix->dest = malloc((size_t)nr * (size_t)nr * sizeof *ix->dest);
    if (ix->years == NULL || ix->pair == NULL || ix->orig == NULL || ix->dest == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the migration table");
    }
    for (size_t k = 0; k < (size_t)nr * (size_t)nr; ++k) {
        ix->pair[k] = -1;
    }
    for (size_t k = 0; k < t->n; ++k) {
        const aged_row *r = &t->rows[k];
        int *slot = &ix->pair[(size_t)r->orig * (size_t)nr + (size_t)r->dest];
        if (*slot < 0) {
            *slot = ix->n_pairs;
            ix->orig[ix->n_pairs] = r->orig;
            ix->dest[ix->n_pairs] = r->dest;
            ++ix->n_pairs;
        }
        ix->years[k] = r->year;
    }
    qsort(ix->years, t->n, sizeof *ix->years, cmp_int);
    for (size_t k = 0; k < t->n; ++k) {
        if (ix->n_years == 0 || ix->years[ix->n_years - 1] != ix->years[k]) {
            ix->years[ix->n_years++] = ix->years[k];
        }
    }
    return PS_OK;
}

static void index_free(aged_index *ix)
{
    free(ix->years);
    free(ix->pair);
    free(ix->orig);
    free(ix->dest);
}

/* Values [year][pair][sex][age] (NAN = not given) and the line that gave each. */
static ps_status fill_values(double *val, long *line, const aged_table *t, const aged_index *ix,
                             const ps_scenario *scn, int nr, int n_ages, ps_error *err)
{
    const char *path = scn->internal_migration.file.path;
    for (size_t k = 0; k < t->n; ++k) {
        const aged_row *r = &t->rows[k];
        const int pair = ix->pair[(size_t)r->orig * (size_t)nr + (size_t)r->dest];
        const size_t at = (((size_t)year_k(ix, r->year) * (size_t)ix->n_pairs + (size_t)pair) *
                               PS_SEX_COUNT + (size_t)r->sex) * (size_t)n_ages;
        for (int age = r->lo; age <= r->hi; ++age) {
            if (line[at + (size_t)age] != 0) {
                return ps_error_set_at(err, PS_EINVAL, path, r->line, r->age_col,
                                       "age %d of '%s' -> '%s', %s is given again (first on "
                                       "line %ld)", age, scn->regions[r->orig].name,
                                       scn->regions[r->dest].name,
                                       ps_sex_name((ps_sex)r->sex), line[at + (size_t)age]);
            }
            val[at + (size_t)age] = r->rate;
            line[at + (size_t)age] = r->line;
        }
    }
    return PS_OK;
}

/* Each (listed year, pair) given at all gives every age of both sexes. */
static ps_status check_complete(const long *line, const aged_index *ix, const ps_scenario *scn,
                                int n_ages, ps_error *err)
{
    const size_t per_pair = PS_SEX_COUNT * (size_t)n_ages;
    for (int yk = 0; yk < ix->n_years; ++yk) {
        for (int pair = 0; pair < ix->n_pairs; ++pair) {
            const long *l = &line[((size_t)yk * (size_t)ix->n_pairs + (size_t)pair) * per_pair];
            long first = 0;
            size_t missing = per_pair;
            for (size_t k = 0; k < per_pair; ++k) {
                if (l[k] != 0 && (first == 0 || l[k] < first)) {
                    first = l[k];
                }
                if (l[k] == 0 && missing == per_pair) {
                    missing = k;
                }
            }
            if (first != 0 && missing < per_pair) {
                return ps_error_set_at(
                    err, PS_EINVAL, scn->internal_migration.file.path, first, 1,
                    "'%s' -> '%s'%s has no rate for %s, age %d: a pair gives every age "
                    "0..%d of both sexes", scn->regions[ix->orig[pair]].name,
                    scn->regions[ix->dest[pair]].name, ix->years[yk] >= 0 ? " in that year" : "",
                    ps_sex_name((ps_sex)(missing / (size_t)n_ages)),
                    (int)(missing % (size_t)n_ages), n_ages - 1);
            }
        }
    }
    return PS_OK;
}

/* The listed year in force in calendar year y: the latest listed year <= y, else the first. */
static int year_in_force(const aged_index *ix, int y)
{
    int k = 0;
    while (k + 1 < ix->n_years && ix->years[k + 1] <= y) {
        ++k;
    }
    return k;
}

static ps_status to_flows(ps_flows *out, const double *val, const aged_index *ix,
                          const ps_scenario *scn, const ps_inputs *in, int has_year,
                          ps_error *err)
{
    const int periods = has_year ? ps_inputs_steps(in) : 1;
    const size_t per_year = (size_t)ix->n_pairs * PS_SEX_COUNT * (size_t)in->n_ages;
    ps_status rc = ps_flows_init(out, in->n_regions, in->n_ages, periods, 0, err);
    if (rc == PS_OK) {
        rc = ps_flows_init_aged(out, ix->n_pairs, ix->orig, ix->dest, err);
    }
    for (int period = 0; rc == PS_OK && period < periods; ++period) {
        const int yk = has_year ? year_in_force(ix, in->start_year + period) : 0;
        for (size_t k = 0; k < per_year; ++k) {
            const double v = val[(size_t)yk * per_year + k];
            out->aged_rate[(size_t)period * per_year + k] = isnan(v) ? 0.0 : v;
        }
    }
    if (rc == PS_OK && (rc = ps_flows_validate(out, err)) != PS_OK) {
        snprintf(err->path, sizeof err->path, "%s", scn->internal_migration.file.path);
        err->line = 0;
        err->column = 0;
    }
    return rc;
}

ps_status ps_build__flows_by_age(ps_flows *out, const ps_scenario *scn, const ps_inputs *in,
                                 ps_error *err)
{
    aged_table t = { 0 };
    aged_index ix = { 0 };
    double *val = NULL;
    long *line = NULL;
    const int nr = in->n_regions, na = in->n_ages;
    ps_status rc = aged_read(&t, scn, na, err);
    if (rc == PS_OK) {
        rc = index_build(&ix, &t, nr, err);
    }
    const size_t cells = (size_t)ix.n_years * (size_t)ix.n_pairs * PS_SEX_COUNT * (size_t)na;
    if (rc == PS_OK) {
        val = malloc(cells * sizeof *val);
        line = calloc(cells, sizeof *line);
        if (val == NULL || line == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for the migration table");
        }
    }
    for (size_t k = 0; rc == PS_OK && k < cells; ++k) {
        val[k] = NAN;
    }
    if (rc == PS_OK) {
        rc = fill_values(val, line, &t, &ix, scn, nr, na, err);
    }
    if (rc == PS_OK) {
        rc = check_complete(line, &ix, scn, na, err);
    }
    if (rc == PS_OK) {
        rc = to_flows(out, val, &ix, scn, in, t.has_year, err);
    }
    if (rc != PS_OK) {
        ps_flows_release(out);
    }
    free(val);
    free(line);
    index_free(&ix);
    free(t.rows);
    return rc;
}

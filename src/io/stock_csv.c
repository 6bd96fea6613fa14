/*
 * stock_csv.c - the stock file of a service (issue #13, docs/input-format.md "Stock"):
 * existing places, beds and staff by region, year and facility type, with an optional
 * ownership column, read with the CSV machinery of csv.c so every error is path:line:col.
 * Only the rows of the service's facility type are kept; matching districts with the
 * scenario's regions and carrying years forward happen when the service is computed
 * (ps_svc_stock_resolve).
 */
#include "io/stock_int.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_int.h"
#include "core/str_int.h"

enum { COL_REGION, COL_YEAR, COL_TYPE, COL_PLACES, COL_BEDS, COL_STAFF, COL_OWNERSHIP, COL_COUNT };

static const char *const col_names[COL_COUNT] = {
    "region", "year", "type", "places", "beds", "staff", "ownership",
};

#define STOCK_YEAR_MIN 1900
#define STOCK_YEAR_MAX 2300

/* The header: the six columns in order, optionally followed by ownership. */
static ps_status read_header(int *n_cols, ps_csv *c, ps_error *err)
{
    char *line = NULL;
    size_t len = 0;
    ps_csv_row row;
    static const char want[] = "region,year,type,places,beds,staff[,ownership]";
    int got = ps_csv__next_line(c, &line, &len, err);
    if (got < 0) {
        return err != NULL ? err->code : PS_EIO;
    }
    if (got == 0) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), 1, 1,
                               "missing header: expected '%s'", want);
    }
    ps_status rc = ps_csv__split(c, line, &row, err);
    bool ok = rc == PS_OK && (row.n == COL_OWNERSHIP || row.n == COL_COUNT);
    for (int i = 0; ok && i < row.n; ++i) {
        ok = strcmp(row.field[i], col_names[i]) == 0;
    }
    if (rc == PS_OK && !ok) {
        rc = ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), 1, 1,
                             "wrong header: expected '%s'", want);
    }
    *n_cols = row.n;
    return rc;
}

/* A count column: empty is 0, else a finite number >= 0. */
static ps_status count_field(double *out, const ps_csv *c, const ps_csv_row *row, int i,
                             ps_error *err)
{
    *out = 0.0;
    if (row->field[i][0] == '\0') {
        return PS_OK;
    }
    ps_status rc = ps_csv__double(out, c, row, i, col_names[i], err);
    if (rc == PS_OK && *out < 0.0) {
        rc = ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), row->line, row->column[i],
                             "column '%s' = %g is negative; expected a count >= 0 (empty = 0)",
                             col_names[i], *out);
    }
    return rc;
}

static ps_status ownership_field(int *out, const ps_csv *c, const ps_csv_row *row, ps_error *err)
{
    const char *s = row->n > COL_OWNERSHIP ? row->field[COL_OWNERSHIP] : "";
    if (s[0] == '\0') {
        *out = PS_SVC_OWN_UNKNOWN;
    } else if (strcmp(s, "public") == 0 || strcmp(s, "inclusive") == 0) {
        *out = PS_SVC_OWN_PUBLIC;
    } else if (strcmp(s, "private") == 0) {
        *out = PS_SVC_OWN_PRIVATE;
    } else {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line,
                               row->column[COL_OWNERSHIP],
                               "column 'ownership': expected public, inclusive, private or "
                               "empty (got '%.80s')", s);
    }
    return PS_OK;
}

/* Add `type` to the list "a, b, c" in types unless it is there. */
static void add_type(char *types, size_t size, const char *type)
{
    size_t tl = strlen(type);
    for (const char *p = types; (p = strstr(p, type)) != NULL; p += tl) {
        bool start = p == types || p[-1] == ' ';
        bool end = p[tl] == '\0' || p[tl] == ',';
        if (start && end) {
            return;
        }
    }
    size_t used = strlen(types);
    snprintf(types + used, size - used, "%s%s", used > 0 ? ", " : "", type);
}

static ps_status read_row(ps_svc_stock *st, const ps_csv *c, const ps_csv_row *row, int n_cols,
                          char *types, size_t types_size, ps_error *err)
{
    ps_svc_stock_row r = { 0 };
    double beds = 0.0;
    ps_status rc = PS_OK;
    if (row->n != n_cols) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, 1,
                               "expected %d fields as in the header (got %d)", n_cols, row->n);
    }
    const int text_cols[] = { COL_REGION, COL_TYPE };
    for (size_t k = 0; k < sizeof text_cols / sizeof text_cols[0]; ++k) {
        if (row->field[text_cols[k]][0] == '\0') {
            return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line,
                                   row->column[text_cols[k]], "column '%s' is empty",
                                   col_names[text_cols[k]]);
        }
    }
    if ((rc = ps_csv__int(&r.year, c, row, COL_YEAR, "year", STOCK_YEAR_MIN, STOCK_YEAR_MAX,
                          err)) != PS_OK ||
        (rc = count_field(&r.places, c, row, COL_PLACES, err)) != PS_OK ||
        (rc = count_field(&beds, c, row, COL_BEDS, err)) != PS_OK ||
        (rc = count_field(&r.staff, c, row, COL_STAFF, err)) != PS_OK ||
        (rc = ownership_field(&r.ownership, c, row, err)) != PS_OK) {
        return rc;
    }
    add_type(types, types_size, row->field[COL_TYPE]);
    if (strcmp(row->field[COL_TYPE], st->type) != 0) {
        return PS_OK;
    }
    ps_svc_stock_row *grown = realloc(st->rows, ((size_t)st->n_rows + 1) * sizeof *grown);
    if (grown == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", ps_csv__path(c));
    }
    st->rows = grown;
    r.places += beds;
    r.line = row->line;
    r.region_column = row->column[COL_REGION];
    if ((r.region = ps__strdup(row->field[COL_REGION])) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", ps_csv__path(c));
    }
    st->rows[st->n_rows++] = r;
    return PS_OK;
}

ps_status ps_io__read_stock(ps_svc_stock *st, char *types, size_t types_size, ps_error *err)
{
    ps_csv *c = NULL;
    char *line = NULL;
    size_t len = 0;
    ps_csv_row row;
    int n_cols = 0, got = 0;
    long data_rows = 0;
    types[0] = '\0';
    ps_status rc = ps_csv__open(&c, st->path, err);
    if (rc == PS_OK) {
        rc = read_header(&n_cols, c, err);
    }
    st->has_ownership = n_cols == COL_COUNT;
    while (rc == PS_OK && (got = ps_csv__next_line(c, &line, &len, err)) > 0) {
        if (len == 0) {
            continue; /* blank lines carry no row */
        }
        if ((rc = ps_csv__split(c, line, &row, err)) == PS_OK) {
            rc = read_row(st, c, &row, n_cols, types, types_size, err);
            data_rows++;
        }
    }
    if (rc == PS_OK && got < 0) {
        rc = err != NULL ? err->code : PS_EIO;
    }
    if (rc == PS_OK && data_rows == 0) {
        rc = ps_error_set_at(err, PS_EPARSE, st->path, 1, 1, "no data rows after the header");
    }
    ps_csv__close(c);
    return rc;
}

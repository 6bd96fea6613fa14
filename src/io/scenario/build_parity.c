/*
 * scenario/build_parity.c - `parity:` and `calibrate_births:` of a scenario file (issue #12;
 * docs/scenario-format.md "Base parity and jump-off calibration"). Both sections are read
 * from the loader's locator (io/sweep_int.h), as `uncertainty:` is, so every message names
 * the key and its line:column; the parity table itself is read when the run is prepared.
 */
#include "io/scenario/scenario_int.h"

/* The longest fade of the calibration factor back to 1, years. */
#define CALIB_FADE_MAX 100

/* Fail at `at` in the scenario file. */
static ps_status fail_at(const load_ctx *c, ps_status code, ps_scn_loc at, const char *what,
                         const char *text)
{
    return ps_error_set_at(c->err, code, c->scn->path, at.line, at.column, "%s (got %s)", what,
                           text != NULL ? text : "a mapping or sequence");
}

/* parity: {file: women_by_parity.csv} */
static ps_status build_parity(const load_ctx *c)
{
    ps_scn__node top, n;
    if (!ps_scn__find(c, "parity", &top)) {
        return PS_OK;
    }
    if (top.kind != PS_SCN__MAPPING) {
        return fail_at(c, PS_EPARSE, top.value, "parity: expected a mapping 'file: <table of "
                       "women by age and parity>'", top.text);
    }
    for (size_t i = 0; i < ps_scn__n_nodes(c); ++i) {
        ps_scn__node_at(c, i, &n);
        if (strncmp(n.path, "parity.", 7) == 0 && strcmp(n.path, "parity.file") != 0) {
            return ps_error_set_at(c->err, PS_EPARSE, c->scn->path, n.key.line, n.key.column,
                                   "unknown key '%s' in mapping 'parity' (expected file)",
                                   n.path + 7);
        }
    }
    if (!ps_scn__find(c, "parity.file", &n)) {
        return ps_error_set_at(c->err, PS_EINVAL, c->scn->path, top.key.line, top.key.column,
                               "parity: missing key 'file' (a table of women by age and "
                               "parity)");
    }
    if (n.kind != PS_SCN__SCALAR || n.text[0] == '\0') {
        return fail_at(c, PS_EPARSE, n.value, "parity.file: expected a file name", n.text);
    }
    c->scn->parity_file.loc = n.value;
    if ((c->scn->parity_file.path = ps_scn__scenario_relative(c->scn, n.text)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory for parity.file");
    }
    return PS_OK;
}

/* One entry "calibrate_births.<key>": a year with its births, or fade_years. */
static ps_status calib_entry(const load_ctx *c, const ps_scn__node *n, const char *key)
{
    double v = 0.0;
    char *end = NULL;
    errno = 0;
    const long year = strtol(key, &end, 10);
    if (strcmp(key, "fade_years") == 0) {
        if (n->kind != PS_SCN__SCALAR || !ps_scn__parse_real(n->text, &v) || v != floor(v) || v < 0.0 ||
            v > CALIB_FADE_MAX) {
            return fail_at(c, PS_EINVAL, n->value, "calibrate_births.fade_years: expected a "
                           "whole number of years in [0, 100]", n->text);
        }
        c->scn->calibrate_births.fade_years = (int)v;
        return PS_OK;
    }
    if (*end != '\0' || end == key || errno != 0 || year < c->scn->start_year ||
        year >= c->scn->end_year) {
        return ps_error_set_at(c->err, PS_EINVAL, c->scn->path, n->key.line, n->key.column,
                               "calibrate_births: key '%s' is not a year from start %d to %d "
                               "(the last year with births projected) nor fade_years", key,
                               c->scn->start_year, c->scn->end_year - 1);
    }
    if (n->kind != PS_SCN__SCALAR || !ps_scn__parse_real(n->text, &v) || !(v > 0.0)) {
        return fail_at(c, PS_EINVAL, n->value, "calibrate_births: expected the observed births "
                       "of the year, a number > 0", n->text);
    }
    const int k = c->scn->calibrate_births.n;
    int at = k;
    while (at > 0 && c->scn->calibrate_births.year[at - 1] > (int)year) {
        --at;
    }
    if (at > 0 && c->scn->calibrate_births.year[at - 1] == (int)year) {
        return fail_at(c, PS_EINVAL, n->key, "calibrate_births: a year given twice", key);
    }
    for (int j = k; j > at; --j) { /* kept in ascending order */
        c->scn->calibrate_births.year[j] = c->scn->calibrate_births.year[j - 1];
        c->scn->calibrate_births.births[j] = c->scn->calibrate_births.births[j - 1];
        c->scn->calibrate_births.locs[j] = c->scn->calibrate_births.locs[j - 1];
    }
    c->scn->calibrate_births.year[at] = (int)year;
    c->scn->calibrate_births.births[at] = v;
    c->scn->calibrate_births.locs[at] = n->value;
    c->scn->calibrate_births.n = k + 1;
    return PS_OK;
}

/* calibrate_births: {2024: 9.54e6, 2025: 9.3e6, fade_years: 3} */
static ps_status build_calibration(const load_ctx *c)
{
    ps_scn__node top, n;
    static const char prefix[] = "calibrate_births.";
    const size_t plen = sizeof prefix - 1, n_nodes = ps_scn__n_nodes(c);
    if (!ps_scn__find(c, "calibrate_births", &top)) {
        return PS_OK;
    }
    c->scn->calibrate_births.loc = top.key;
    if (top.kind != PS_SCN__MAPPING) {
        return fail_at(c, PS_EPARSE, top.value, "calibrate_births: expected a mapping of "
                       "'<year>: <observed births>' lines", top.text);
    }
    if (c->scn->n_regions > 0) {
        return fail_at(c, PS_EINVAL, top.key, "calibrate_births: not yet with regions (the "
                       "calibration projects without internal migration)", "regions");
    }
    c->scn->calibrate_births.year = malloc(n_nodes * sizeof(int));
    c->scn->calibrate_births.births = malloc(n_nodes * sizeof(double));
    c->scn->calibrate_births.locs = malloc(n_nodes * sizeof(ps_scn_loc));
    if (!c->scn->calibrate_births.year || !c->scn->calibrate_births.births ||
        !c->scn->calibrate_births.locs) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory for calibrate_births");
    }
    ps_status rc = PS_OK;
    for (size_t i = 0; rc == PS_OK && i < n_nodes; ++i) {
        ps_scn__node_at(c, i, &n);
        if (strncmp(n.path, prefix, plen) == 0 && strpbrk(n.path + plen, ".[") == NULL) {
            rc = calib_entry(c, &n, n.path + plen);
        } else if (strncmp(n.path, prefix, plen) == 0) {
            rc = fail_at(c, PS_EPARSE, n.value, "calibrate_births: expected '<year>: <births>'",
                         n.text);
        }
    }
    if (rc == PS_OK && c->scn->calibrate_births.n == 0) {
        rc = fail_at(c, PS_EINVAL, top.key, "calibrate_births: expected at least one "
                     "'<year>: <observed births>' line", "none");
    }
    return rc;
}

ps_status ps_scn__build_parity(const load_ctx *c)
{
    ps_status rc = build_parity(c);
    return rc == PS_OK ? build_calibration(c) : rc;
}

void ps_scn__parity_release(ps_scenario *scn)
{
    free(scn->parity_file.path);
    free(scn->calibrate_births.year);
    free(scn->calibrate_births.births);
    free(scn->calibrate_births.locs);
}

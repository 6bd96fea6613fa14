/*
 * scenario/build_caps.c - economy.budget_cap_<payer> (issue #12, docs/policy.md sec. 7.3):
 * one number for every year, or a table by calendar year {2025: 1.2e9, 2030: 1.5e9}, a step
 * function (a value holds from its year to the next one's; no cap before the first year).
 * libcyaml skips these keys (KEY_YEARS); this file reads them from the locator.
 */
#include "io/scenario/scenario_int.h"

/* A calendar year written as a whole number in [min, max], or 0. */
static int parse_year(const char *text, const scn_key *year_key, int *out)
{
    double v = 0.0;
    if (!ps_scn__parse_real(text, &v) || v != floor(v) || v < year_key->min || v > year_key->max) {
        return 0;
    }
    *out = (int)v;
    return 1;
}

static ps_status value_error(const load_ctx *c, const scn_key *key, const char *path,
                             const loc_entry *e)
{
    return ps_scn__fail_at(c, PS_EINVAL, e->value,
                           "%s = %s: expected a number in [%.10g, %.10g] %s (%s)", path,
                           e->text != NULL ? e->text : "(not a number)", key->min, key->max,
                           key->unit, key->help);
}

/* The points of the mapping at `path`, in the file's order, into t. */
static ps_status read_table(const load_ctx *c, const scn_key *key, const char *path,
                            ps_cap_table *t)
{
    static const scn_key year_key = { .key = "year", .min = 1950, .max = 2300 };
    const size_t len = strlen(path);
    t->n = 0;
    for (size_t i = 0; i < c->loc.n; ++i) {
        const loc_entry *e = &c->loc.entries[i];
        if (strncmp(e->path, path, len) != 0 || e->path[len] != '.') {
            continue;
        }
        const char *year_text = e->path + len + 1;
        int year = 0;
        double v = 0.0;
        if (!parse_year(year_text, &year_key, &year)) {
            return ps_scn__fail_at(c, PS_EINVAL, e->key,
                                   "%s: '%s' is not a calendar year; expected a table of "
                                   "year: yuan lines, years whole numbers in 1950..2300",
                                   path, year_text);
        }
        if (e->kind != NODE_SCALAR || !ps_scn__parse_real(e->text, &v) || v < key->min ||
            v > key->max) {
            return value_error(c, key, e->path, e);
        }
        if (t->n > 0 && year <= t->year[t->n - 1]) {
            return ps_scn__fail_at(c, PS_EINVAL, e->key,
                                   "%s: year %d follows year %d; expected years in increasing "
                                   "order, each once",
                                   path, year, t->year[t->n - 1]);
        }
        if (t->n == PS_CAP_YEARS_MAX) {
            return ps_scn__fail_at(c, PS_EINVAL, e->key,
                                   "%s: more than %d years; expected at most %d year: yuan lines",
                                   path, PS_CAP_YEARS_MAX, PS_CAP_YEARS_MAX);
        }
        t->year[t->n] = year;
        t->value[t->n] = v;
        t->n++;
    }
    if (t->n == 0) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path),
                               "%s is an empty table; expected a number or year: yuan lines",
                               path);
    }
    return PS_OK;
}

ps_status ps_scn__build_caps(const load_ctx *c, const char *prefix, ps_economy *eco)
{
    ps_status rc = PS_OK;
    for (size_t k = 0; k < ps_scn__economy_section.n_keys && rc == PS_OK; ++k) {
        const scn_key *key = &ps_scn__economy_section.keys[k];
        if (key->type != KEY_YEARS) {
            continue;
        }
        const int payer = (int)((key->offset - offsetof(ps_economy, budget_cap)) / sizeof(double));
        char path[PATH_MAX_LEN];
        ps_scn__join_key(path, sizeof path, prefix, key->key);
        const loc_entry *e = ps_scn__locator_find(&c->loc, path);
        if (e == NULL) {
            continue; /* the parent's (or no) cap */
        }
        ps_cap_table *t = &eco->budget_cap_by_year[payer];
        double v = 0.0;
        if (e->kind == NODE_SCALAR) {
            if (!ps_scn__parse_real(e->text, &v) || v < key->min || v > key->max) {
                rc = value_error(c, key, path, e);
            }
            eco->budget_cap[payer] = v;
            t->n = 0;
        } else if (e->kind == NODE_MAPPING) {
            rc = read_table(c, key, path, t);
            eco->budget_cap[payer] = NAN;
        } else {
            rc = ps_scn__fail_at(c, PS_EINVAL, e->value,
                                 "%s: expected a number (yuan per year) or a table of year: "
                                 "yuan lines, not a sequence", path);
        }
    }
    return rc;
}

/*
 * io/sweep.c - `sweep:` of a scenario file (issue #15, section 3; docs/scenario-format.md,
 * "sweep"): a design over numeric keys of one member, each point appended to the family as
 * a variant named sweep_NNNNN that copies the base member and sets the swept keys. The
 * section is read from the loader's locator (io/sweep_int.h), so each message names the
 * key and its line:column; each value is held to the range of the key it sets, from the
 * same key table that checks the key when it is written out by hand.
 *
 * Key paths are relative to the base member:
 *   policies[NAME].KEY            a numeric key of the member's policy NAME (every policy of
 *                                 that name); KEY `amount` sets each order the base pays
 *   response.KEY, economy.KEY     a numeric response or economy key
 *   services[NAME].uptake_path[I].value   the I-th point of a service's uptake path
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str_int.h"
#include "io/sweep_int.h"
#include "popsim/sweep.h"

#define SWEEP_PATH_LEN 256
#define SWEEP_TITLE_LEN 512

/* A swept key resolved against the base member. */
typedef enum target_kind { TARGET_POLICY, TARGET_RESPONSE, TARGET_ECONOMY, TARGET_UPTAKE } target_kind;

typedef struct target {
    target_kind kind;
    const char *policy;  /* TARGET_POLICY: the policy name (the base member's) */
    int amount_orders;   /* TARGET_POLICY `amount`: bit k for order k+1; 0 otherwise */
    size_t offset;       /* into ps_policy, ps_response or ps_economy */
    int is_int;          /* the field is an int (policy max_age, born_from, start, end) */
    int is_year;         /* start or end: within the projection too */
    int service, point;  /* TARGET_UPTAKE */
    double min, max;
    const char *unit;
} target;

typedef struct sweep_dim_src {
    char path[SWEEP_PATH_LEN]; /* "sweep.dimensions[0]" */
    const char *key;           /* the key text */
    ps_scn_loc key_at;
    target t;
    double *values; /* values: list, owned */
    int n_values;
    ps_sweep_dim dim;
    ps_scn_loc values_at; /* of values or range */
} sweep_dim_src;

typedef struct sweep_ctx {
    const struct load_ctx *c;
    ps_scenario *scn;
    ps_error *err;
} sweep_ctx;

/* An error at `at` in the scenario file (io/scenario/section_keys.c). */
#define fail(s, code, at, ...) \
    ps_scn__fail_in((s)->err, (code), (s)->scn->path, (at), __VA_ARGS__)

/* a + b into out, cut to fit (the key paths of a sweep are short). */
static void join(char *out, size_t size, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    na = na < size - 1 ? na : size - 1;
    nb = nb < size - 1 - na ? nb : size - 1 - na;
    memcpy(out, a, na);
    memcpy(out + na, b, nb);
    out[na + nb] = '\0';
}

static int find(const sweep_ctx *s, const char *path, ps_scn__node *out)
{
    return ps_scn__find(s->c, path, out);
}

static const char *kind_noun(int kind)
{
    return kind == PS_SCN__SCALAR    ? "a single value"
           : kind == PS_SCN__MAPPING ? "a mapping"
                                     : "a sequence";
}

static ps_status expect_kind(const sweep_ctx *s, const ps_scn__node *n, int kind,
                             const char *what)
{
    if (n->kind == kind) {
        return PS_OK;
    }
    return fail(s, PS_EPARSE, n->value, "%s: expected %s (got %s)", n->path, what,
                kind_noun(n->kind));
}

/* A finite decimal number, the whole text. */
static int parse_number(const char *text, double *out)
{
    char *end = NULL;
    if (text == NULL || text[0] == '\0') {
        return 0;
    }
    errno = 0;
    *out = strtod(text, &end);
    return *end == '\0' && errno == 0 && isfinite(*out);
}

static ps_status number_at(const sweep_ctx *s, const char *path, double *out, ps_scn_loc *at)
{
    ps_scn__node n;
    if (!find(s, path, &n)) {
        return fail(s, PS_EINVAL, s->scn->sweep.loc, "%s is required", path);
    }
    *at = n.value;
    if (n.kind != PS_SCN__SCALAR || !parse_number(n.text, out)) {
        return fail(s, PS_EPARSE, n.value, "%s: expected a number written in decimal (got %s)",
                    path, n.kind == PS_SCN__SCALAR ? n.text : kind_noun(n.kind));
    }
    return PS_OK;
}

/* ---- the keys a dimension may name ----------------------------------------------------- */

typedef struct policy_field {
    const char *key;
    size_t offset;
    int is_int;
} policy_field;

static const policy_field policy_fields[] = {
    { "start", offsetof(ps_policy, start_year), 1 },
    { "end", offsetof(ps_policy, end_year), 1 },
    { "first", offsetof(ps_policy, amount[0]), 0 },
    { "second", offsetof(ps_policy, amount[1]), 0 },
    { "third", offsetof(ps_policy, amount[2]), 0 },
    { "eligible_share", offsetof(ps_policy, eligible_share), 0 },
    { "max_age", offsetof(ps_policy, max_age), 1 },
    { "born_from", offsetof(ps_policy, born_from), 1 },
    { "low_income_topup", offsetof(ps_policy, low_income_topup), 0 },
    { "low_income_share", offsetof(ps_policy, low_income_share), 0 },
    { "spots_per_1000", offsetof(ps_policy, spots_per_1000), 0 },
    { "operating_subsidy", offsetof(ps_policy, operating_subsidy), 0 },
    { "fee_subsidy", offsetof(ps_policy, fee_subsidy), 0 },
    { "construction_subsidy", offsetof(ps_policy, construction_subsidy), 0 },
    { "maternity_days", offsetof(ps_policy, maternity_days), 0 },
    { "paternity_days", offsetof(ps_policy, paternity_days), 0 },
    { "parental_days", offsetof(ps_policy, parental_days), 0 },
    { "paid_share", offsetof(ps_policy, paid_share), 0 },
    { "medical_per_birth", offsetof(ps_policy, medical_per_birth), 0 },
    { "employer_si_first", offsetof(ps_policy, employer_si_share[0]), 0 },
    { "employer_si_second", offsetof(ps_policy, employer_si_share[1]), 0 },
    { "employer_si_third", offsetof(ps_policy, employer_si_share[2]), 0 },
    { "employer_si_months", offsetof(ps_policy, employer_si_months), 0 },
    { "employer_si_monthly", offsetof(ps_policy, employer_si_monthly), 0 },
    { "employed_share", offsetof(ps_policy, employed_share), 0 },
    { "unemployment_per_birth", offsetof(ps_policy, unemployment_per_birth), 0 },
    { "unemployed_share", offsetof(ps_policy, unemployed_share), 0 },
    { "monthly_amount", offsetof(ps_policy, parent_monthly), 0 },
    { "from_age", offsetof(ps_policy, parent_from_age), 1 },
    { "share", offsetof(ps_policy, parent_share), 0 },
};

#define SWEEP_KEY_FORMS                                                                       \
    "a key is policies[NAME].KEY (KEY a number of the policy's lever, or amount), "           \
    "response.KEY, economy.KEY or services[NAME].uptake_path[I].value"

static ps_status no_key(const sweep_ctx *s, const sweep_dim_src *d, const char *why, ...)
    PS_PRINTF(3, 4);
static ps_status no_key(const sweep_ctx *s, const sweep_dim_src *d, const char *why, ...)
{
    char reason[300];
    va_list ap;
    va_start(ap, why);
    vsnprintf(reason, sizeof reason, why, ap);
    va_end(ap);
    return fail(s, PS_EINVAL, d->key_at, "%s.key = '%s' names no numeric key: %s; %s", d->path,
                d->key, reason, SWEEP_KEY_FORMS);
}

/* "NAME" of "policies[NAME].KEY": copies NAME and returns KEY, or NULL. */
static const char *split_item(const char *path, const char *head, char *name, size_t size)
{
    const size_t n = strlen(head);
    if (strncmp(path, head, n) != 0 || path[n] != '[') {
        return NULL;
    }
    const char *close = strchr(path + n + 1, ']');
    if (close == NULL || close[1] != '.' || (size_t)(close - path - n - 1) >= size) {
        return NULL;
    }
    memcpy(name, path + n + 1, (size_t)(close - path - n - 1));
    name[close - path - n - 1] = '\0';
    return close + 2;
}

static ps_status resolve_policy(const sweep_ctx *s, sweep_dim_src *d, const ps_scn_member *m,
                                const char *name, const char *key)
{
    target *t = &d->t;
    const ps_policy *pol = NULL;
    char names[200] = "";
    for (int i = 0; i < m->n_policies; ++i) {
        size_t used = strlen(names);
        if (pol == NULL && strcmp(m->policies[i].name, name) == 0) {
            pol = &m->policies[i];
        }
        snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "",
                 m->policies[i].name);
    }
    if (pol == NULL) {
        return no_key(s, d, "member '%s' has no policy named '%s' (its policies: %s)", m->name,
                      name, names[0] ? names : "none");
    }
    t->kind = TARGET_POLICY;
    t->policy = pol->name;
    ps_scn__numkey nk;
    if (strcmp(key, "amount") == 0) {
        if (pol->lever != PS_LEVER_BIRTH_REWARD && pol->lever != PS_LEVER_MONTHLY_SUBSIDY) {
            return no_key(s, d, "amount applies to birth_reward and monthly_subsidy, and policy "
                          "'%s' is a %s", name, ps_lever_name(pol->lever));
        }
        for (int k = 0; k < PS_ORDER_COUNT; ++k) {
            t->amount_orders |= pol->amount[k] > 0.0 ? 1 << k : 0;
        }
        t->amount_orders = t->amount_orders != 0 ? t->amount_orders : (1 << PS_ORDER_COUNT) - 1;
        (void)ps_scn__number_key("policies", "first", &nk);
    } else {
        const policy_field *f = NULL;
        for (size_t i = 0; i < sizeof policy_fields / sizeof policy_fields[0]; ++i) {
            f = strcmp(policy_fields[i].key, key) == 0 ? &policy_fields[i] : f;
        }
        if (f == NULL || !ps_scn__number_key("policies", key, &nk)) {
            return no_key(s, d, "'%s' is not a numeric policy key", key);
        }
        if (nk.levers != 0 && (nk.levers & (1u << (unsigned)pol->lever)) == 0) {
            return no_key(s, d, "%s does not apply to policy '%s', a %s", key, name,
                          ps_lever_name(pol->lever));
        }
        t->offset = f->offset;
        t->is_int = f->is_int;
        t->is_year = strcmp(key, "start") == 0 || strcmp(key, "end") == 0;
    }
    t->min = nk.min;
    t->max = nk.max;
    t->unit = nk.unit;
    if (t->is_year) { /* a policy lies within the projection */
        t->min = fmax(t->min, (double)s->scn->start_year);
        t->max = fmin(t->max, (double)s->scn->end_year);
    }
    return PS_OK;
}

static ps_status resolve_uptake(const sweep_ctx *s, sweep_dim_src *d, const ps_scn_member *m,
                                const char *name, const char *rest)
{
    int point = -1, used = 0;
    if (sscanf(rest, "uptake_path[%d].value%n", &point, &used) != 1 || rest[used] != '\0' ||
        point < 0) {
        return no_key(s, d, "the key of a service is uptake_path[I].value");
    }
    for (int k = 0; k < m->n_services; ++k) {
        if (strcmp(m->services[k].name, name) == 0) {
            if (point >= m->services[k].uptake_path.n) {
                return no_key(s, d, "service '%s' of member '%s' has %d uptake_path points",
                              name, m->name, m->services[k].uptake_path.n);
            }
            ps_scn__numkey nk;
            (void)ps_scn__number_key("uptake_path", "value", &nk);
            d->t.kind = TARGET_UPTAKE;
            d->t.service = k;
            d->t.point = point;
            d->t.min = nk.min;
            d->t.max = fmin(nk.max, 1.0); /* uptake values are at most 1 */
            d->t.unit = "(share of the group)";
            return PS_OK;
        }
    }
    return no_key(s, d, "member '%s' has no service named '%s'", m->name, name);
}

static ps_status resolve(const sweep_ctx *s, sweep_dim_src *d, const ps_scn_member *m)
{
    char name[128];
    const char *key = NULL;
    ps_scn__numkey nk;
    memset(&d->t, 0, sizeof d->t);
    if ((key = split_item(d->key, "policies", name, sizeof name)) != NULL) {
        return resolve_policy(s, d, m, name, key);
    }
    if ((key = split_item(d->key, "services", name, sizeof name)) != NULL) {
        return resolve_uptake(s, d, m, name, key);
    }
    const int response = strncmp(d->key, "response.", 9) == 0;
    const int economy = strncmp(d->key, "economy.", 8) == 0;
    if (!response && !economy) {
        return no_key(s, d, "it starts with none of policies[, response., economy., services[");
    }
    key = d->key + (response ? 9 : 8);
    if (!ps_scn__number_key(response ? "response" : "economy", key, &nk)) {
        return no_key(s, d, "'%s' is not a numeric %s key%s", key,
                      response ? "response" : "economy",
                      response && strcmp(key, "elasticity") == 0
                          ? " (elasticity is a preset name; sweep cash_elasticity and the "
                            "other parameters)"
                          : "");
    }
    d->t.kind = response ? TARGET_RESPONSE : TARGET_ECONOMY;
    d->t.offset = nk.offset; /* raw_response starts with its ps_response */
    d->t.min = nk.min;
    d->t.max = nk.max;
    d->t.unit = nk.unit;
    return PS_OK;
}

/* The value check of the key itself: its range and, for a whole-number key, no fraction. */
static ps_status check_value(const sweep_ctx *s, const sweep_dim_src *d, const char *path,
                             double v, ps_scn_loc at)
{
    if (d->t.is_int && v != floor(v)) {
        return fail(s, PS_EINVAL, at, "%s = %.10g must be a whole number (%s is one)", path, v,
                    d->key);
    }
    if (v < d->t.min || v > d->t.max) {
        return fail(s, PS_EINVAL, at, "%s = %.10g is outside [%.10g, %.10g]%s%s, the range of %s",
                    path, v, d->t.min, d->t.max, d->t.unit[0] ? " " : "", d->t.unit, d->key);
    }
    return PS_OK;
}

/* ---- one dimension ------------------------------------------------------------------------- */

static ps_status read_values(const sweep_ctx *s, sweep_dim_src *d, const ps_scn__node *list)
{
    char path[SWEEP_PATH_LEN + 32];
    ps_status rc = PS_OK;
    int n = 0;
    for (;; ++n) {
        ps_scn__node item;
        snprintf(path, sizeof path, "%s[%d]", list->path, n);
        if (!find(s, path, &item)) {
            break;
        }
    }
    if (n == 0 || n > PS_SWEEP_MAX_VALUES) {
        return fail(s, PS_EINVAL, list->value, "%s: expected 1 to %d values (got %d)",
                    list->path, PS_SWEEP_MAX_VALUES, n);
    }
    if ((d->values = malloc((size_t)n * sizeof *d->values)) == NULL) {
        return ps_error_set(s->err, PS_ENOMEM, "out of memory");
    }
    for (int i = 0; i < n && rc == PS_OK; ++i) {
        ps_scn_loc at;
        snprintf(path, sizeof path, "%s[%d]", list->path, i);
        if ((rc = number_at(s, path, &d->values[i], &at)) == PS_OK) {
            rc = check_value(s, d, path, d->values[i], at);
        }
    }
    d->n_values = n;
    d->dim.values = d->values;
    d->dim.n_values = n;
    return rc;
}

static ps_status read_range(const sweep_ctx *s, sweep_dim_src *d, const ps_scn__node *range)
{
    char lo_path[SWEEP_PATH_LEN + 32], hi_path[SWEEP_PATH_LEN + 32], extra[SWEEP_PATH_LEN + 32];
    ps_scn__node x;
    ps_scn_loc lo_at, hi_at;
    ps_status rc = PS_OK;
    snprintf(lo_path, sizeof lo_path, "%s[0]", range->path);
    snprintf(hi_path, sizeof hi_path, "%s[1]", range->path);
    snprintf(extra, sizeof extra, "%s[2]", range->path);
    if (!find(s, hi_path, &x) || find(s, extra, &x)) {
        return fail(s, PS_EINVAL, range->value, "%s: expected [lo, hi], two numbers",
                    range->path);
    }
    if ((rc = number_at(s, lo_path, &d->dim.lo, &lo_at)) != PS_OK ||
        (rc = number_at(s, hi_path, &d->dim.hi, &hi_at)) != PS_OK ||
        (rc = check_value(s, d, lo_path, d->dim.lo, lo_at)) != PS_OK ||
        (rc = check_value(s, d, hi_path, d->dim.hi, hi_at)) != PS_OK) {
        return rc;
    }
    if (d->dim.lo > d->dim.hi) {
        return fail(s, PS_EINVAL, range->value, "%s = [%.10g, %.10g]: lo is above hi",
                    range->path, d->dim.lo, d->dim.hi);
    }
    return PS_OK;
}

static ps_status read_dimension(const sweep_ctx *s, sweep_dim_src *d, const ps_scn_member *base,
                                int design)
{
    char path[SWEEP_PATH_LEN + 16];
    ps_scn__node key, values, range, steps;
    ps_status rc = PS_OK;
    join(path, sizeof path, d->path, ".key");
    if (!find(s, path, &key)) {
        ps_scn__node item;
        (void)find(s, d->path, &item);
        return fail(s, PS_EINVAL, item.value, "%s.key is required: the key path to sweep (%s)",
                    d->path, SWEEP_KEY_FORMS);
    }
    if ((rc = expect_kind(s, &key, PS_SCN__SCALAR, "a key path")) != PS_OK) {
        return rc;
    }
    d->key = key.text;
    d->key_at = key.value;
    if ((rc = resolve(s, d, base)) != PS_OK) {
        return rc;
    }
    d->dim.is_int = d->t.is_int;
    join(path, sizeof path, d->path, ".values");
    const int has_values = find(s, path, &values);
    join(path, sizeof path, d->path, ".range");
    const int has_range = find(s, path, &range);
    join(path, sizeof path, d->path, ".steps");
    const int has_steps = find(s, path, &steps);
    if (has_values == has_range) {
        return fail(s, PS_EINVAL, key.key, "%s: give exactly one of values: [...] and "
                    "range: [lo, hi]", d->path);
    }
    if (has_values && design == PS_SWEEP_LATIN_HYPERCUBE) {
        return fail(s, PS_EINVAL, values.key, "%s.values: a latin_hypercube samples ranges; "
                    "give range: [lo, hi]", d->path);
    }
    if (has_steps && (has_values || design == PS_SWEEP_LATIN_HYPERCUBE)) {
        return fail(s, PS_EINVAL, steps.key, "%s.steps applies only to a range of a grid "
                    "(a latin_hypercube has sweep.points)", d->path);
    }
    if (has_range && design == PS_SWEEP_GRID && !has_steps) {
        return fail(s, PS_EINVAL, range.key, "%s: a range of a grid needs steps: N (the "
                    "number of evenly spaced values from lo to hi)", d->path);
    }
    if (has_values) {
        d->values_at = values.value;
        rc = expect_kind(s, &values, PS_SCN__SEQUENCE, "a list [v1, v2, ...]");
        return rc == PS_OK ? read_values(s, d, &values) : rc;
    }
    d->values_at = range.value;
    if ((rc = expect_kind(s, &range, PS_SCN__SEQUENCE, "[lo, hi]")) != PS_OK ||
        (rc = read_range(s, d, &range)) != PS_OK) {
        return rc;
    }
    if (has_steps) {
        double n = 0.0;
        ps_scn_loc at;
        if ((rc = number_at(s, steps.path, &n, &at)) != PS_OK) {
            return rc;
        }
        if (n != floor(n) || n < 1 || n > PS_SWEEP_MAX_VALUES ||
            (n == 1 && d->dim.lo != d->dim.hi)) {
            return fail(s, PS_EINVAL, at, "%s = %.10g is outside 1..%d (whole number; 1 only "
                        "when lo = hi)", steps.path, n, PS_SWEEP_MAX_VALUES);
        }
        d->dim.steps = (int)n;
    }
    return PS_OK;
}

/* ---- the section ---------------------------------------------------------------------------- */

static const char *const top_words[] = { "base", "design", "points", "seed", "member_output",
                                         "dimensions" };
static const char *const dim_words[] = { "key", "values", "range", "steps" };

/* Every key under sweep is one of the format's. */
static ps_status check_unknown(const sweep_ctx *s)
{
    static const ps_scn__keyset keys = {
        .section = "sweep", .words = top_words, .n_words = sizeof top_words / sizeof top_words[0],
        .sub_parent = "dimensions", .sub_words = dim_words,
        .n_sub = sizeof dim_words / sizeof dim_words[0],
    };
    return ps_scn__check_keys(s->c, &keys, s->scn->path, s->err);
}

static ps_status read_choice(const sweep_ctx *s, const char *path, const char *const *words,
                             int n_words, int *out)
{
    ps_scn__node n;
    if (!find(s, path, &n)) {
        return PS_OK; /* the default, *out as set */
    }
    for (int i = 0; n.kind == PS_SCN__SCALAR && i < n_words; ++i) {
        if (strcmp(n.text, words[i]) == 0) {
            *out = i;
            return PS_OK;
        }
    }
    return fail(s, PS_EINVAL, n.value, "%s = '%s' is not one of: %s, %s", path,
                n.kind == PS_SCN__SCALAR ? n.text : kind_noun(n.kind), words[0], words[1]);
}

static ps_status read_whole(const sweep_ctx *s, const char *path, double lo, double hi,
                            double *out, int *given)
{
    ps_scn_loc at;
    ps_scn__node n;
    ps_status rc = PS_OK;
    *given = find(s, path, &n);
    if (!*given) {
        return PS_OK;
    }
    if ((rc = number_at(s, path, out, &at)) != PS_OK) {
        return rc;
    }
    if (*out != floor(*out) || *out < lo || *out > hi) {
        return fail(s, PS_EINVAL, at, "%s = %s is outside %.0f..%.0f (whole number)", path,
                    n.text, lo, hi);
    }
    return PS_OK;
}

/* The base member: `base` names one (default: the top level). */
static ps_status read_base(const sweep_ctx *s, int *base)
{
    ps_scn__node n;
    *base = 0;
    if (!find(s, "sweep.base", &n)) {
        return PS_OK;
    }
    for (int k = 0; n.kind == PS_SCN__SCALAR && k < s->scn->n_members; ++k) {
        if (strcmp(s->scn->members[k].name, n.text) == 0) {
            *base = k;
            return PS_OK;
        }
    }
    return fail(s, PS_EINVAL, n.value, "sweep.base = '%s' names no member; give the top-level "
                "name or a variant's", n.kind == PS_SCN__SCALAR ? n.text : kind_noun(n.kind));
}

static void apply(ps_scn_member *m, const target *t, double v)
{
    const int iv = (int)v;
    switch (t->kind) {
    case TARGET_POLICY:
        for (int i = 0; i < m->n_policies; ++i) {
            ps_policy *p = &m->policies[i];
            if (strcmp(p->name, t->policy) != 0) {
                continue;
            }
            for (int k = 0; k < PS_ORDER_COUNT; ++k) {
                p->amount[k] = (t->amount_orders & (1 << k)) != 0 ? v : p->amount[k];
            }
            if (t->amount_orders == 0 && t->is_int) {
                memcpy((char *)p + t->offset, &iv, sizeof iv);
            } else if (t->amount_orders == 0) {
                memcpy((char *)p + t->offset, &v, sizeof v);
            }
        }
        break;
    case TARGET_RESPONSE: memcpy((char *)&m->response + t->offset, &v, sizeof v); break;
    case TARGET_ECONOMY: memcpy((char *)&m->economy + t->offset, &v, sizeof v); break;
    case TARGET_UPTAKE: m->services[t->service].uptake_path.values[t->point] = v; break;
    }
}

/* The rules between keys that a swept value can break. */
static ps_status check_point(const sweep_ctx *s, const ps_scn_member *m, int point)
{
    const ps_scn_loc at = s->scn->sweep.loc;
    for (int i = 0; i < m->n_policies; ++i) {
        const ps_policy *p = &m->policies[i];
        if (p->end_year != 0 && p->end_year < p->start_year) {
            return fail(s, PS_EINVAL, at, "sweep point %d: policies[%s] ends in %d, before its "
                        "start %d", point, p->name, p->end_year, p->start_year);
        }
    }
    if (m->economy.childcare_ceiling < m->economy.childcare_enrollment) {
        return fail(s, PS_EINVAL, at, "sweep point %d: economy.childcare_ceiling = %.10g is "
                    "below economy.childcare_enrollment = %.10g", point,
                    m->economy.childcare_ceiling, m->economy.childcare_enrollment);
    }
    return PS_OK;
}

static ps_status add_points(const sweep_ctx *s, const sweep_dim_src *dims, int n_dims, int base)
{
    ps_scenario *scn = s->scn;
    ps_scn_sweep *sw = &scn->sweep;
    const int first = scn->n_members;
    ps_scn_member *grown = realloc(scn->members, ((size_t)first + (size_t)sw->n_points) *
                                                     sizeof *grown);
    ps_status rc = PS_OK;
    if (grown == NULL) {
        return ps_error_set(s->err, PS_ENOMEM, "out of memory for %d sweep points",
                            sw->n_points);
    }
    scn->members = grown;
    sw->first_member = first;
    for (int p = 0; p < sw->n_points && rc == PS_OK; ++p) {
        ps_scn_member *m = &scn->members[first + p];
        char name[32], title[SWEEP_TITLE_LEN];
        memset(m, 0, sizeof *m);
        scn->n_members++; /* released with the scenario from here on */
        snprintf(name, sizeof name, "sweep_%05d", p);
        int used = snprintf(title, sizeof title, "Sweep point %d:", p);
        for (int d = 0; d < n_dims && used > 0 && (size_t)used < sizeof title; ++d) {
            used += snprintf(title + used, sizeof title - (size_t)used, "%s %s = %.10g",
                             d > 0 ? "," : "", dims[d].key,
                             sw->values[(size_t)p * (size_t)n_dims + (size_t)d]);
        }
        if ((rc = ps_scn__copy_member(s->c, m, &scn->members[base])) != PS_OK) {
            break;
        }
        m->name = ps__strdup(name);
        m->title = ps__strdup(title);
        m->extends = ps__strdup(scn->members[base].name);
        m->loc = sw->loc;
        if (m->name == NULL || m->title == NULL || m->extends == NULL) {
            rc = ps_error_set(s->err, PS_ENOMEM, "out of memory");
            break;
        }
        for (int d = 0; d < n_dims; ++d) {
            apply(m, &dims[d].t, sw->values[(size_t)p * (size_t)n_dims + (size_t)d]);
        }
        rc = check_point(s, m, p);
    }
    return rc;
}

static ps_status check_names(const sweep_ctx *s)
{
    for (int k = 0; k < s->scn->n_members; ++k) {
        const char *n = s->scn->members[k].name;
        if (strncmp(n, "sweep_", 6) == 0 && n[6] != '\0' && strspn(n + 6, "0123456789") ==
                                                              strlen(n + 6)) {
            return fail(s, PS_EINVAL, s->scn->members[k].loc, "member name '%s': names "
                        "sweep_ followed by digits are the sweep's points'", n);
        }
    }
    return PS_OK;
}

static ps_status read_dimensions(const sweep_ctx *s, sweep_dim_src *dims, int *n_dims,
                                 int base, int design)
{
    ps_scn__node list;
    ps_status rc = PS_OK;
    if (!find(s, "sweep.dimensions", &list)) {
        return fail(s, PS_EINVAL, s->scn->sweep.loc, "sweep.dimensions is required: one "
                    "'- key: ...' item per swept key");
    }
    if ((rc = expect_kind(s, &list, PS_SCN__SEQUENCE, "a sequence of '- key: ...' items")) !=
        PS_OK) {
        return rc;
    }
    for (*n_dims = 0; rc == PS_OK; ++*n_dims) {
        ps_scn__node item;
        char path[SWEEP_PATH_LEN];
        snprintf(path, sizeof path, "sweep.dimensions[%d]", *n_dims);
        if (!find(s, path, &item)) {
            break;
        }
        if (*n_dims == PS_SWEEP_MAX_DIMS) {
            return fail(s, PS_EINVAL, item.value, "sweep.dimensions: at most %d dimensions",
                        PS_SWEEP_MAX_DIMS);
        }
        if ((rc = expect_kind(s, &item, PS_SCN__MAPPING, "a mapping '- key: ...'")) != PS_OK) {
            break;
        }
        snprintf(dims[*n_dims].path, sizeof dims[*n_dims].path, "%s", path);
        rc = read_dimension(s, &dims[*n_dims], &s->scn->members[base], design);
        for (int d = 0; rc == PS_OK && d < *n_dims; ++d) {
            if (strcmp(dims[d].key, dims[*n_dims].key) == 0) {
                rc = fail(s, PS_EINVAL, dims[*n_dims].key_at, "%s.key = '%s' is swept by "
                          "%s already; give each key one dimension", path, dims[d].key,
                          dims[d].path);
            }
        }
    }
    if (rc == PS_OK && *n_dims == 0) {
        rc = fail(s, PS_EINVAL, list.value, "sweep.dimensions: expected at least one item");
    }
    return rc;
}

/* The design's points into sw->values. */
static ps_status make_points(const sweep_ctx *s, const sweep_dim_src *src, int n_dims,
                             double points, int has_points, ps_scn_loc list_at)
{
    ps_scn_sweep *sw = &s->scn->sweep;
    ps_sweep_dim dims[PS_SWEEP_MAX_DIMS];
    long n = 0;
    for (int d = 0; d < n_dims; ++d) {
        dims[d] = src[d].dim;
    }
    if (sw->design == PS_SWEEP_GRID) {
        if (has_points) {
            ps_scn__node at;
            (void)find(s, "sweep.points", &at);
            return fail(s, PS_EINVAL, at.key, "sweep.points applies only to design: "
                        "latin_hypercube (a grid has every combination of its values)");
        }
        if ((n = ps_sweep_grid_size(dims, n_dims, PS_SWEEP_MAX_POINTS)) < 0) {
            return fail(s, PS_EINVAL, list_at, "sweep.dimensions: the grid has more than %d "
                        "points (the product of the dimensions' value counts)",
                        PS_SWEEP_MAX_POINTS);
        }
    } else if (!has_points) {
        return fail(s, PS_EINVAL, sw->loc, "sweep.points is required with design: "
                    "latin_hypercube (1..%d)", PS_SWEEP_MAX_POINTS);
    } else {
        n = (long)points;
    }
    sw->n_points = (int)n;
    if ((sw->values = malloc((size_t)n * (size_t)n_dims * sizeof *sw->values)) == NULL) {
        return ps_error_set(s->err, PS_ENOMEM, "out of memory for %ld sweep points", n);
    }
    if (sw->design == PS_SWEEP_LATIN_HYPERCUBE) {
        return ps_sweep_latin_hypercube(sw->values, dims, n_dims, (int)n, sw->seed, s->err);
    }
    ps_sweep_grid(sw->values, dims, n_dims);
    for (long i = 0; i < n * n_dims; ++i) { /* a range over a whole-number key */
        if (dims[i % n_dims].is_int) {
            sw->values[i] = floor(sw->values[i] + 0.5);
        }
    }
    return PS_OK;
}

ps_status ps_scn__build_sweep(const struct load_ctx *c, ps_scenario *scn, ps_error *err)
{
    static const char *const designs[] = { "grid", "latin_hypercube" };
    static const char *const outputs[] = { "summary", "full" };
    sweep_ctx s = { c, scn, err };
    ps_scn_sweep *sw = &scn->sweep;
    sweep_dim_src dims[PS_SWEEP_MAX_DIMS];
    ps_scn__node top;
    int n_dims = 0, base = 0, has_points = 0, has_seed = 0;
    double points = 0.0, seed = 0.0;
    ps_status rc = PS_OK;
    memset(dims, 0, sizeof dims);
    if (!find(&s, "sweep", &top)) {
        return PS_OK;
    }
    sw->loc = top.key;
    if ((rc = expect_kind(&s, &top, PS_SCN__MAPPING, "a mapping of indented 'key: value' "
                                                    "lines")) != PS_OK ||
        (rc = check_unknown(&s)) != PS_OK || (rc = check_names(&s)) != PS_OK) {
        return rc;
    }
    if (scn->engine != PS_ENGINE_CCM) {
        return fail(&s, PS_EINVAL, top.key, "sweep: a sweep runs with engine: ccm (a "
                    "microsimulation point would need its replicates)");
    }
    if ((rc = read_base(&s, &base)) != PS_OK ||
        (rc = read_choice(&s, "sweep.design", designs, 2, &sw->design)) != PS_OK ||
        (rc = read_choice(&s, "sweep.member_output", outputs, 2, &sw->keep_members)) != PS_OK ||
        (rc = read_whole(&s, "sweep.points", 1, PS_SWEEP_MAX_POINTS, &points, &has_points)) !=
            PS_OK ||
        (rc = read_whole(&s, "sweep.seed", 0, 4294967295.0, &seed, &has_seed)) != PS_OK) {
        goto done;
    }
    if (sw->design == PS_SWEEP_LATIN_HYPERCUBE && !has_seed) {
        rc = fail(&s, PS_EINVAL, top.key, "sweep.seed is required with design: "
                  "latin_hypercube (0..4294967295; one seed, the same points everywhere)");
        goto done;
    }
    if (sw->design == PS_SWEEP_GRID && has_seed) {
        ps_scn__node n;
        (void)find(&s, "sweep.seed", &n);
        rc = fail(&s, PS_EINVAL, n.key, "sweep.seed applies only to design: latin_hypercube");
        goto done;
    }
    sw->seed = (unsigned long long)seed;
    if ((rc = read_dimensions(&s, dims, &n_dims, base, sw->design)) != PS_OK) {
        goto done;
    }
    ps_scn__node list;
    (void)find(&s, "sweep.dimensions", &list);
    if ((rc = make_points(&s, dims, n_dims, points, has_points, list.value)) != PS_OK) {
        goto done;
    }
    sw->n_dims = n_dims;
    if ((sw->keys = calloc((size_t)n_dims, sizeof *sw->keys)) == NULL ||
        (sw->base = ps__strdup(scn->members[base].name)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    for (int d = 0; d < n_dims; ++d) {
        if ((sw->keys[d] = ps__strdup(dims[d].key)) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
            goto done;
        }
    }
    rc = add_points(&s, dims, n_dims, base);
done:
    for (int d = 0; d < PS_SWEEP_MAX_DIMS; ++d) {
        free(dims[d].values);
    }
    return rc;
}

void ps_scn__sweep_release(ps_scn_sweep *sw)
{
    for (int d = 0; sw->keys != NULL && d < sw->n_dims; ++d) {
        free(sw->keys[d]);
    }
    free(sw->keys);
    free(sw->values);
    free(sw->base);
    memset(sw, 0, sizeof *sw);
}

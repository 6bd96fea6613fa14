/*
 * scenario/build_policy.c - builders of birth_order, economy, response and policies.
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "io/scenario/scenario_int.h"

/* Where the latest-written key of `sec` under `prefix` stands (0:0 if none is given). */
static ps_scn_loc latest_given(const load_ctx *c, const char *prefix, const scn_section *sec)
{
    ps_scn_loc best = { 0, 0 };
    for (size_t k = 0; k < sec->n_keys; ++k) {
        char path[PATH_MAX_LEN];
        ps_scn__join_key(path, sizeof path, prefix, sec->keys[k].key);
        const ps_scn_loc at = ps_scn__value_loc(c, path);
        if (at.line > best.line || (at.line == best.line && at.column > best.column)) {
            best = at;
        }
    }
    return best;
}

/* The joint fit's years (issue #12): second_share_from <= second_share_to < start, and
 * first_mean_age_year a year before the start that goes with first_mean_age. */
static ps_status build_joint_fit(const load_ctx *c, const ps_birth_order *bo)
{
    const int from = (int)bo->second_share_from, to = (int)bo->second_share_to;
    const int year = (int)bo->first_mean_age_year;
    const int start = c->scn->start_year;
    if (from > to) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, "birth_order.second_share_to"),
                               "birth_order.second_share_to = %d is before second_share_from "
                               "= %d (expected from <= to)", to,
                               from);
    }
    if (bo->second_share > 0.0 && to >= start) {
        const char *key = ps_scn__given(c, "birth_order.second_share_to")
                              ? "birth_order.second_share_to" : "birth_order.second_share";
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, key),
                               "birth_order.second_share: the years %d-%d must lie before the "
                               "start year %d (the fertility history)", from,
                               to, start);
    }
    if (year != 0 &&
        (year < 1950 || year >= start)) {
        return ps_scn__fail_at(c, PS_EINVAL,
                               ps_scn__value_loc(c, "birth_order.first_mean_age_year"),
                               "birth_order.first_mean_age_year = %d: expected 0 (the base "
                               "year) or a year of the fertility history, 1950 to %d",
                               year, start - 1);
    }
    if (year != 0 && bo->first_mean_age == 0.0) {
        return ps_scn__fail_at(c, PS_EINVAL,
                               ps_scn__value_loc(c, "birth_order.first_mean_age_year"),
                               "birth_order.first_mean_age_year = %d needs first_mean_age (the "
                               "mean age at first birth of that year, years)",
                               year);
    }
    return PS_OK;
}

ps_status ps_scn__build_birth_order(const load_ctx *c, const raw_scenario *raw)
{
    ps_birth_order *bo = &c->scn->birth_order;
    const double *d = ps_scn__birth_order_defaults.share;
    double sum = 0.0;
    *bo = ps_scn__birth_order_defaults;
    c->scn->has_birth_order = ps_scn__given(c, "birth_order");
    ps_scn__overlay_given(c, "birth_order", &ps_scn__birth_order_section, bo, &raw->birth_order);
    for (int order = 0; order < PS_ORDER_COUNT; ++order) {
        sum += bo->share[order];
    }
    if (fabs(sum - 1.0) <= SCN_SHARE_SUM_TOL) {
        return build_joint_fit(c, bo);
    }
    return ps_scn__fail_at(
        c, PS_EINVAL, latest_given(c, "birth_order", &ps_scn__birth_order_section),
        "birth_order shares first + second + third = %.10g + %.10g + %.10g = %.10g "
        "must sum to 1 (tolerance 1e-6; shares not given keep their defaults "
        "%.10g, %.10g, %.10g)",
        bo->share[0], bo->share[1], bo->share[2], sum, d[0], d[1], d[2]);
}

/* `eco` holds the parent's (or the default) economy; the keys given under prefix override. */
ps_status ps_scn__build_economy(const load_ctx *c, const char *prefix, ps_economy *eco,
                               const ps_economy *raw)
{
    char ceiling[PATH_MAX_LEN], enrollment[PATH_MAX_LEN];
    ps_scn__overlay_given(c, prefix, &ps_scn__economy_section, eco, raw);
    ps_status rc = ps_scn__build_caps(c, prefix, eco);
    if (rc != PS_OK || eco->childcare_ceiling >= eco->childcare_enrollment) {
        return rc;
    }
    ps_scn__join_key(ceiling, sizeof ceiling, prefix, "childcare_ceiling");
    ps_scn__join_key(enrollment, sizeof enrollment, prefix, "childcare_enrollment");
    const char *at = !ps_scn__given(c, ceiling)      ? enrollment
                     : !ps_scn__given(c, enrollment) ? ceiling
                                             : ps_scn__later_key(c, ceiling, enrollment);
    return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, at),
                           "%s: childcare_ceiling = %.10g is below childcare_enrollment = %.10g "
                           "(shares of under-3s); the share whose families want a place must be at "
                           "least the share enrolled",
                           at, eco->childcare_ceiling, eco->childcare_enrollment);
}

/* m holds the parent's (or no) overrides; the keys given under prefix override them. */
void ps_scn__build_response(const load_ctx *c, const char *prefix, ps_scn_member *m,
                           const raw_response *raw)
{
    raw_response r = { .r = m->response, .elasticity = (int)m->elasticity };
    char path[PATH_MAX_LEN];
    ps_scn__overlay_given(c, prefix, &ps_scn__response_section, &r, raw);
    m->response = r.r;
    m->elasticity = (ps_elasticity)r.elasticity;
    ps_scn__join_key(path, sizeof path, prefix, "elasticity");
    if (ps_scn__given(c, path)) {
        m->has_elasticity = 1;
    }
}

/* Every key the item gives must apply to its lever. */
static ps_status check_policy_keys(const load_ctx *c, const char *item, ps_lever lever)
{
    for (size_t k = 0; k < ps_scn__policy_section.n_keys; ++k) {
        char path[PATH_MAX_LEN], keys[400];
        ps_scn__join_key(path, sizeof path, item, ps_scn__policy_keys[k].key);
        const loc_entry *e = ps_scn__locator_find(&c->loc, path);
        if (e != NULL && !ps_scn__key_applies(&ps_scn__policy_keys[k], lever)) {
            ps_scn__lever_keys_text(keys, sizeof keys, lever);
            return ps_scn__fail_at(c, PS_EINVAL, e->key,
                                   "%s does not apply to lever %s (keys of %s: %s)", path,
                                   ps_lever_name(lever), ps_lever_name(lever), keys);
        }
    }
    return PS_OK;
}

/* The keys a lever cannot do without (special_family: monthly_amount and share, which
 * have no default a planner could rely on, docs/policy.md sec. 8). */
static ps_status check_lever_required(const load_ctx *c, const char *item, ps_lever lever)
{
    static const char *const special[] = { "monthly_amount", "share" };
    for (size_t k = 0; lever == PS_LEVER_SPECIAL_FAMILY && k < ARRAY_LEN(special); ++k) {
        char path[PATH_MAX_LEN];
        ps_scn__join_key(path, sizeof path, item, special[k]);
        if (!ps_scn__given(c, path)) {
            return ps_scn__missing_key(c, path, "lever special_family has no default for it");
        }
    }
    return PS_OK;
}

/* start and end within the projection, end not before start. */
static ps_status check_window(const load_ctx *c, const char *item, const raw_policy *raw)
{
    const ps_scenario *scn = c->scn;
    char start[PATH_MAX_LEN], end[PATH_MAX_LEN];
    ps_scn__join_key(start, sizeof start, item, "start");
    ps_scn__join_key(end, sizeof end, item, "end");
    const bool has_end = ps_scn__given(c, end);
    const char *outside = raw->start < scn->start_year || raw->start > scn->end_year ? start
                          : has_end && (raw->end < scn->start_year || raw->end > scn->end_year)
                              ? end
                              : NULL;
    if (outside != NULL) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, outside),
                               "%s = %lld is outside the projection %d..%d (calendar years)",
                               outside, (long long)(outside == start ? raw->start : raw->end),
                               scn->start_year, scn->end_year);
    }
    if (has_end && raw->end < raw->start) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, end),
                               "%s = %lld is before %s = %lld; a policy is in force from its start "
                               "year to its end year",
                               end, (long long)raw->end, start, (long long)raw->start);
    }
    return PS_OK;
}

/* The policy of resolved raw values `v` (strings excluded). */
static void policy_from_raw(ps_policy *p, const raw_policy *v)
{
    memset(p, 0, sizeof *p);
    p->lever = (ps_lever)v->lever;
    p->start_year = (int)v->start;
    p->end_year = (int)v->end;
    p->amount[0] = v->first;
    p->amount[1] = v->second;
    p->amount[2] = v->third;
    p->eligible_share = v->eligible_share;
    p->requires_registered = v->requires == 1;
    p->max_age = (int)v->max_age;
    p->born_from = (int)v->born_from;
    p->low_income_topup = v->low_income_topup;
    p->low_income_share = v->low_income_share;
    p->spots_per_1000 = v->spots_per_1000;
    p->operating_subsidy = v->operating_subsidy;
    p->fee_subsidy = v->fee_subsidy;
    p->construction_subsidy = v->construction_subsidy;
    p->maternity_days = v->maternity_days;
    p->paternity_days = v->paternity_days;
    p->parental_days = v->parental_days;
    p->paid_share = v->paid_share;
    p->medical_per_birth = v->medical_per_birth;
    p->employer_si_share[0] = v->employer_si_first;
    p->employer_si_share[1] = v->employer_si_second;
    p->employer_si_share[2] = v->employer_si_third;
    p->employer_si_months = v->employer_si_months;
    p->employer_si_monthly = v->employer_si_monthly;
    p->employed_share = v->employed_share;
    p->unemployment_per_birth = v->unemployment_per_birth;
    p->unemployed_share = v->unemployed_share;
    p->parent_monthly = v->monthly_amount;
    p->parent_from_age = (int)v->from_age;
    p->parent_share = v->share;
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        p->payer_share[payer] = NAN; /* the lever's default split */
    }
}

/* `payer:` or `payer_shares:` of an item (issue #12) into p->payer_share. */
static ps_status build_payers(const load_ctx *c, const char *item, const raw_policy *raw,
                              ps_policy *p)
{
    char one[PATH_MAX_LEN], shares[PATH_MAX_LEN];
    ps_scn__join_key(one, sizeof one, item, "payer");
    ps_scn__join_key(shares, sizeof shares, item, "payer_shares");
    const bool has_one = ps_scn__given(c, one), has_shares = ps_scn__given(c, shares);
    if (has_one && has_shares) {
        const char *at = ps_scn__later_key(c, one, shares);
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, at),
                               "%s: give either payer (one payer) or payer_shares (shares "
                               "summing to 1), not both", at);
    }
    if (has_one) {
        for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
            p->payer_share[payer] = payer == raw->payer ? 1.0 : 0.0;
        }
    } else if (has_shares) {
        double sum = 0.0;
        for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
            char key[PATH_MAX_LEN];
            ps_scn__join_key(key, sizeof key, shares, ps_payer_name((ps_payer)payer));
            p->payer_share[payer] = ps_scn__given(c, key) ? raw->payer_shares.share[payer] : 0.0;
            sum += p->payer_share[payer];
        }
        if (fabs(sum - 1.0) > SCN_SHARE_SUM_TOL) {
            return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, shares),
                                   "%s: central + local + social_insurance + employer = %.10g + "
                                   "%.10g + %.10g + %.10g = %.10g must sum to 1 (tolerance 1e-6)",
                                   shares, p->payer_share[0], p->payer_share[1],
                                   p->payer_share[2], p->payer_share[3], sum);
        }
    }
    return PS_OK;
}

/* One item of a policies sequence -> *out (its name owned) and where it stands. */
static ps_status build_policy(const load_ctx *c, const char *item, const raw_policy *raw,
                              ps_policy *out, ps_scn_loc *loc_out)
{
    char path[PATH_MAX_LEN];
    raw_policy v;
    ps_status rc = PS_OK;
    for (size_t k = 0; k < ps_scn__policy_section.n_keys && rc == PS_OK; ++k) {
        ps_scn__join_key(path, sizeof path, item, ps_scn__policy_keys[k].key);
        if (ps_scn__policy_keys[k].required && !ps_scn__given(c, path)) {
            rc = ps_scn__missing_key(c, path, "");
        }
    }
    const ps_lever lever = (ps_lever)raw->lever;
    if (rc != PS_OK || (rc = check_policy_keys(c, item, lever)) != PS_OK ||
        (rc = check_lever_required(c, item, lever)) != PS_OK ||
        (rc = check_window(c, item, raw)) != PS_OK) {
        return rc;
    }
    /* The keys of the lever take the value given, else their default; the others stay 0. */
    memset(&v, 0, sizeof v);
    for (size_t k = 0; k < ps_scn__policy_section.n_keys; ++k) {
        const scn_key *key = &ps_scn__policy_keys[k];
        ps_scn__join_key(path, sizeof path, item, key->key);
        if (ps_scn__key_size(key) > 0 && ps_scn__key_applies(key, lever)) {
            const void *src =
                ps_scn__given(c, path) ? (const void *)raw : (const void *)&ps_scn__policy_defaults;
            memcpy((char *)&v + key->offset, (const char *)src + key->offset,
                   ps_scn__key_size(key));
        }
    }
    ps_scn__join_key(path, sizeof path, item, "requires");
    if (v.requires == 1 && !c->scn->registration.enabled) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path), "%s = registered needs a "
                       "registration: section (the registered and unregistered statuses)", path);
    }
    ps_scn__join_key(path, sizeof path, item, "low_income_share");
    if (v.low_income_topup > 0.0 && !ps_scn__given(c, path)) {
        ps_scn__join_key(path, sizeof path, item, "low_income_topup");
        rc = ps_scn__warn_at(
            c, ps_scn__value_loc(c, path),
            "%s = %.10g is paid to nobody without low_income_share (share of children "
            "in low-income families, default 0)",
            path, v.low_income_topup);
        if (rc != PS_OK) {
            return rc;
        }
    }
    policy_from_raw(out, &v);
    if ((rc = build_payers(c, item, raw, out)) != PS_OK) {
        return rc;
    }
    *loc_out = ps_scn__value_loc(c, item);
    out->name = ps__strdup(raw->name != NULL ? raw->name : ps_lever_name(lever));
    return out->name != NULL ? PS_OK : ps_error_set(c->err, PS_ENOMEM, "out of memory");
}

/* Room for `extra` more policies in m. */
static ps_status grow_policies(const load_ctx *c, ps_scn_member *m, size_t extra)
{
    const size_t n = (size_t)m->n_policies + extra;
    if (extra == 0) {
        return PS_OK;
    }
    ps_policy *policies = realloc(m->policies, n * sizeof *policies);
    if (policies == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    m->policies = policies;
    ps_scn_loc *locs = realloc(m->policy_locs, n * sizeof *locs);
    if (locs == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    m->policy_locs = locs;
    return PS_OK;
}

/* The path of the sequence item that starts at `at` ("policies[1]"). */
static void item_path(const load_ctx *c, ps_scn_loc at, char *out, size_t size)
{
    for (size_t i = 0; i < c->loc.n; ++i) {
        const loc_entry *e = &c->loc.entries[i];
        size_t n = strlen(e->path);
        if (e->kind == NODE_MAPPING && n > 0 && e->path[n - 1] == ']' &&
            e->value.line == at.line && e->value.column == at.column) {
            snprintf(out, size, "%s", e->path);
            return;
        }
    }
    snprintf(out, size, "the policy at line %ld", at.line);
}

/* A policy without end lasts to the end of the projection. */
static int policy_last_year(const ps_scenario *scn, const ps_policy *p)
{
    return p->end_year != 0 ? p->end_year : scn->end_year;
}

/* No two policies of one name in force in the same year; reported at the later one. */
static ps_status check_overlaps(const load_ctx *c, const ps_scn_member *m)
{
    for (int j = 1; j < m->n_policies; ++j) {
        const ps_policy *b = &m->policies[j];
        for (int i = 0; i < j; ++i) {
            const ps_policy *a = &m->policies[i];
            const int a_last = policy_last_year(c->scn, a), b_last = policy_last_year(c->scn, b);
            if (strcmp(a->name, b->name) != 0 || a->start_year > b_last ||
                b->start_year > a_last) {
                continue;
            }
            char pa[PATH_MAX_LEN], pb[PATH_MAX_LEN];
            item_path(c, m->policy_locs[i], pa, sizeof pa);
            item_path(c, m->policy_locs[j], pb, sizeof pb);
            return ps_scn__fail_at(
                c, PS_EINVAL, m->policy_locs[j],
                "%s '%s' (%d..%d) overlaps %s (%d..%d) with the same name; give one "
                "of them another name to stack them",
                pb, b->name, b->start_year, b_last, pa, a->start_year, a_last);
        }
    }
    return PS_OK;
}

/* Own policies (from index n_inherited on) replace every inherited policy of their name. */
static void drop_replaced(ps_scn_member *m, int n_inherited)
{
    int kept = 0;
    for (int i = 0; i < m->n_policies; ++i) {
        bool replaced = false;
        for (int j = n_inherited; i < n_inherited && j < m->n_policies && !replaced; ++j) {
            replaced = strcmp(m->policies[i].name, m->policies[j].name) == 0;
        }
        if (replaced) {
            free(m->policies[i].name);
            continue;
        }
        m->policies[kept] = m->policies[i];
        m->policy_locs[kept] = m->policy_locs[i];
        ++kept;
    }
    m->n_policies = kept;
}

/* Append the items of the sequence at `prefix` to m's (inherited) policies. */
ps_status ps_scn__add_policies(const load_ctx *c, const char *prefix, ps_scn_member *m,
                              const raw_policy *items, uint32_t n)
{
    const int n_inherited = m->n_policies;
    ps_status rc = grow_policies(c, m, n);
    for (uint32_t i = 0; i < n && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN];
        ps_scn__join_index(item, sizeof item, prefix, i);
        rc = build_policy(c, item, &items[i], &m->policies[m->n_policies],
                          &m->policy_locs[m->n_policies]);
        if (rc == PS_OK) {
            m->n_policies++;
        }
    }
    if (rc != PS_OK) {
        return rc;
    }
    drop_replaced(m, n_inherited);
    return check_overlaps(c, m);
}

/* m starts as a deep copy of the parent's economy, response and policies. */
ps_status ps_scn__inherit(const load_ctx *c, ps_scn_member *m, const ps_scn_member *parent)
{
    ps_status rc = grow_policies(c, m, (size_t)parent->n_policies);
    m->economy = parent->economy;
    m->response = parent->response;
    m->elasticity = parent->elasticity;
    m->has_elasticity = parent->has_elasticity;
    for (int i = 0; i < parent->n_policies && rc == PS_OK; ++i) {
        m->policies[i] = parent->policies[i];
        m->policy_locs[i] = parent->policy_locs[i];
        if ((m->policies[i].name = ps__strdup(parent->policies[i].name)) == NULL) {
            rc = ps_error_set(c->err, PS_ENOMEM, "out of memory");
        } else {
            m->n_policies++;
        }
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Services and care need (popsim/services.h).
 */
ps_status ps_scn__require_keys(const load_ctx *c, const char *item, const scn_section *sec)
{
    for (size_t k = 0; k < sec->n_keys; ++k) {
        char path[PATH_MAX_LEN];
        ps_scn__join_key(path, sizeof path, item, sec->keys[k].key);
        if (sec->keys[k].required && !ps_scn__given(c, path)) {
            return ps_scn__missing_key(c, path, "");
        }
    }
    return PS_OK;
}

/* A ratio given as 0 would divide by zero: above 0 or absent. */
ps_status ps_scn__positive_if_given(const load_ctx *c, const char *item, const char *key,
                                   double value, const char *what)
{
    char path[PATH_MAX_LEN];
    ps_scn__join_key(path, sizeof path, item, key);
    if (ps_scn__given(c, path) && !(value > 0.0)) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path),
                               "%s = %.10g must be above 0 (%s); leave the key out for none", path,
                               value, what);
    }
    return PS_OK;
}

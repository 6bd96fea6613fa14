/*
 * scenario/build_services.c - builders of care_need and services.
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "io/scenario/scenario_int.h"

/* Points of a path: ascending years, values within [lo, hi]. */
static ps_status build_path(const load_ctx *c, const char *prefix, const raw_point *pts,
                            uint32_t n, double hi, ps_svc_path *out)
{
    ps_status rc = PS_OK;
    if (n == 0) {
        return PS_OK;
    }
    out->years = malloc(n * sizeof *out->years);
    out->values = malloc(n * sizeof *out->values);
    if (out->years == NULL || out->values == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < n && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN], path[PATH_MAX_LEN];
        ps_scn__join_index(item, sizeof item, prefix, i);
        if ((rc = ps_scn__require_keys(c, item, &ps_scn__point_section)) != PS_OK) {
            break;
        }
        if (i > 0 && pts[i].year <= pts[i - 1].year) {
            ps_scn__join_key(path, sizeof path, item, "year");
            rc = ps_scn__fail_at(
                c, PS_EINVAL, ps_scn__value_loc(c, path),
                "%s = %lld is not after the previous point's year %lld; points must be "
                "in ascending years",
                path, (long long)pts[i].year, (long long)pts[i - 1].year);
        } else if (pts[i].value > hi) {
            ps_scn__join_key(path, sizeof path, item, "value");
            rc = ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path),
                                 "%s = %.10g is above %.10g", path, pts[i].value, hi);
        }
        out->years[i] = (int)pts[i].year;
        out->values[i] = pts[i].value;
        out->n = (int)i + 1;
    }
    return rc;
}

static ps_status build_level(const load_ctx *c, const char *item, const raw_level *raw,
                             ps_care_level *out)
{
    char prefix[PATH_MAX_LEN];
    ps_status rc = ps_scn__require_keys(c, item, &ps_scn__level_section);
    if (rc != PS_OK || (rc = ps_scn__copy_text(c, &out->name, raw->name)) != PS_OK) {
        return rc;
    }
    ps_scn__join_key(prefix, sizeof prefix, item, "prevalence");
    if (raw->n_prevalence == 0) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, prefix),
                               "%s is empty; give at least one '- {from_age: A, value: V}' step",
                               prefix);
    }
    out->from_age = malloc(raw->n_prevalence * sizeof *out->from_age);
    out->value = malloc(raw->n_prevalence * sizeof *out->value);
    if (out->from_age == NULL || out->value == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_prevalence && rc == PS_OK; ++i) {
        char step[PATH_MAX_LEN], path[PATH_MAX_LEN];
        const raw_step *s = &raw->prevalence[i];
        ps_scn__join_index(step, sizeof step, prefix, i);
        if ((rc = ps_scn__require_keys(c, step, &ps_scn__step_section)) != PS_OK) {
            break;
        }
        if (i > 0 && s->from_age <= raw->prevalence[i - 1].from_age) {
            ps_scn__join_key(path, sizeof path, step, "from_age");
            rc = ps_scn__fail_at(
                c, PS_EINVAL, ps_scn__value_loc(c, path),
                "%s = %lld is not above the previous step's from_age %lld; steps must "
                "be in ascending ages",
                path, (long long)s->from_age, (long long)raw->prevalence[i - 1].from_age);
        }
        out->from_age[i] = (int)s->from_age;
        out->value[i] = s->value;
        out->n_steps = (int)i + 1;
    }
    ps_scn__join_key(prefix, sizeof prefix, item, "by_sex");
    if (rc == PS_OK && ps_scn__given(c, prefix)) {
        char key[PATH_MAX_LEN];
        out->by_sex = 1;
        ps_scn__join_key(key, sizeof key, prefix, "female");
        out->sex_factor[PS_SEX_FEMALE] = ps_scn__given(c, key) ? raw->by_sex.female : 1.0;
        ps_scn__join_key(key, sizeof key, prefix, "male");
        out->sex_factor[PS_SEX_MALE] = ps_scn__given(c, key) ? raw->by_sex.male : 1.0;
    }
    return rc;
}

/*
 * Levels are exclusive: at no age and in no year of the projection may their prevalences
 * add up to more than 1 (more persons in need than persons). The improvement rate changes
 * every prevalence by the same factor (1 - improvement)^(year - base_year), which is
 * monotone in the year, so the largest sum is in the first or the last year, or in the
 * base year when it lies between them. Above 1 only because of the improvement rate, the
 * message names care_need.improvement and the year.
 */
static ps_status check_level_sum(const load_ctx *c, const ps_care_need *cn)
{
    const int years[] = { cn->base_year, c->scn->start_year, c->scn->end_year };
    for (size_t k = 0; k < ARRAY_LEN(years); ++k) {
        for (int cell = 0; cell < (PS_DEFAULT_MAX_AGE + 1) * PS_SEX_COUNT; ++cell) {
            int age = cell / PS_SEX_COUNT, sex = cell % PS_SEX_COUNT; /* by_sex factors */
            double sum = 0.0;
            for (int l = 0; l < cn->n_levels; ++l) {
                sum += ps_care_prevalence_sex(cn, l, sex, age, years[k]);
            }
            if (sum <= 1.0 + SCN_SHARE_SUM_TOL) {
                continue;
            }
            if (k == 0) {
                return ps_scn__fail_at(
                    c, PS_EINVAL, ps_scn__value_loc(c, "care_need.levels"),
                    "care_need.levels: the prevalences at age %d sum to %.10g, above "
                    "1; levels are exclusive (a person has at most one)",
                    age, sum);
            }
            return ps_scn__fail_at(
                c, PS_EINVAL, ps_scn__value_loc(c, "care_need.improvement"),
                "care_need.improvement = %.10g makes the prevalences at age %d sum "
                "to %.10g in %d, above 1 (more persons in need than persons); the "
                "prevalences must stay in [0, 1] in every year %d..%d",
                cn->improvement, age, sum, years[k], c->scn->start_year, c->scn->end_year);
        }
    }
    return PS_OK;
}

/* Need level of a class that counts the self-caring persons, those in no care-need level
 * (issue #13: institutions also house them). */
#define PS_SCN_SELF_CARING "self_caring"

static int level_index(const ps_care_need *cn, const char *name);

/* One setting's by_level items into its level_share (every level exactly once). */
static ps_status build_level_shares(const load_ctx *c, const char *item, const raw_setting *raw,
                                    ps_care_need *cn, ps_care_setting *k)
{
    char path[PATH_MAX_LEN];
    ps_scn__join_key(path, sizeof path, item, "by_level");
    if (raw->n_by_level == 0) {
        return ps_scn__fail_at(
            c, PS_EINVAL, ps_scn__value_loc(c, item),
            "%s has no by_level while another setting has; give by_level for every "
            "setting, or for none",
            item);
    }
    if ((k->level_share = malloc((size_t)cn->n_levels * sizeof *k->level_share)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (int l = 0; l < cn->n_levels; ++l) {
        k->level_share[l] = NAN;
    }
    for (uint32_t i = 0; i < raw->n_by_level; ++i) {
        char it[PATH_MAX_LEN], key[PATH_MAX_LEN];
        ps_scn__join_index(it, sizeof it, path, i);
        ps_scn__join_key(key, sizeof key, it, "level");
        ps_status rc = ps_scn__require_keys(c, it, &ps_scn__level_share_section);
        int l = rc == PS_OK ? level_index(cn, raw->by_level[i].level) : -1;
        if (rc != PS_OK) {
            return rc;
        }
        if (l < 0 || !isnan(k->level_share[l])) {
            return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, key), "%s = '%s' is %s", key,
                                   raw->by_level[i].level,
                                   l < 0 ? "not a care-need level (care_need.levels)"
                                         : "given twice in this by_level");
        }
        k->level_share[l] = raw->by_level[i].share;
    }
    for (int l = 0; l < cn->n_levels; ++l) {
        if (isnan(k->level_share[l])) {
            return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path),
                                   "%s has no share for level '%s'", path, cn->levels[l].name);
        }
    }
    return PS_OK;
}

/* Settings by level of need: when any setting has by_level, every setting gives a share for
 * every level and each level's shares sum to 1. */
static ps_status build_setting_levels(const load_ctx *c, const raw_care_need *raw,
                                      ps_care_need *cn)
{
    bool any = false;
    ps_status rc = PS_OK;
    for (uint32_t i = 0; i < raw->n_settings; ++i) {
        any = any || raw->settings[i].n_by_level > 0;
    }
    for (uint32_t i = 0; any && i < raw->n_settings && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN];
        ps_scn__join_index(item, sizeof item, "care_need.settings", i);
        rc = build_level_shares(c, item, &raw->settings[i], cn, &cn->settings[i]);
    }
    for (int l = 0; any && l < cn->n_levels && rc == PS_OK; ++l) {
        double sum = 0.0;
        for (int k = 0; k < cn->n_settings; ++k) {
            sum += cn->settings[k].level_share[l];
        }
        if (fabs(sum - 1.0) > SCN_SHARE_SUM_TOL) {
            rc = ps_scn__fail_at(
                c, PS_EINVAL, ps_scn__value_loc(c, "care_need.settings"),
                "care_need.settings: the by_level shares of level '%s' sum to %.10g, "
                "not 1 (tolerance 1e-6)",
                cn->levels[l].name, sum);
        }
    }
    return rc;
}

static ps_status build_settings(const load_ctx *c, const raw_care_need *raw, ps_care_need *cn)
{
    ps_status rc = PS_OK;
    double sum = 0.0;
    if (raw->n_settings == 0) {
        return PS_OK;
    }
    if ((cn->settings = calloc(raw->n_settings, sizeof *cn->settings)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_settings && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN];
        ps_scn__join_index(item, sizeof item, "care_need.settings", i);
        cn->n_settings = (int)i + 1;
        if ((rc = ps_scn__require_keys(c, item, &ps_scn__setting_section)) == PS_OK) {
            rc = ps_scn__copy_text(c, &cn->settings[i].name, raw->settings[i].name);
        }
        cn->settings[i].share = raw->settings[i].share;
        sum += raw->settings[i].share;
        for (uint32_t j = 0; j < i && rc == PS_OK; ++j) {
            if (strcmp(raw->settings[j].name, raw->settings[i].name) == 0) {
                char path[PATH_MAX_LEN];
                ps_scn__join_key(path, sizeof path, item, "name");
                rc = ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path),
                                     "%s = '%s' is given twice; setting names must be unique", path,
                                     raw->settings[i].name);
            }
        }
    }
    if (rc == PS_OK && fabs(sum - 1.0) > SCN_SHARE_SUM_TOL) {
        rc = ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, "care_need.settings"),
                             "care_need.settings: the shares sum to %.10g, not 1 (tolerance 1e-6); "
                             "every person in need is cared for in exactly one setting",
                             sum);
    }
    return rc == PS_OK ? build_setting_levels(c, raw, cn) : rc;
}

ps_status ps_scn__build_care_need(const load_ctx *c, const raw_care_need *raw)
{
    ps_care_need *cn = &c->scn->care_need;
    ps_status rc = PS_OK;
    if (!ps_scn__given(c, "care_need")) {
        return PS_OK;
    }
    if ((rc = ps_scn__require_keys(c, "care_need", &ps_scn__care_need_section)) != PS_OK) {
        return rc;
    }
    cn->base_year =
        ps_scn__given(c, "care_need.base_year") ? (int)raw->base_year : c->scn->start_year;
    cn->improvement = raw->improvement;
    if (raw->n_levels == 0) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, "care_need.levels"),
                               "care_need.levels is empty; give at least one '- name: ...' level");
    }
    if ((cn->levels = calloc(raw->n_levels, sizeof *cn->levels)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_levels && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN];
        ps_scn__join_index(item, sizeof item, "care_need.levels", i);
        cn->n_levels = (int)i + 1;
        rc = build_level(c, item, &raw->levels[i], &cn->levels[i]);
        for (uint32_t j = 0; j < i && rc == PS_OK; ++j) {
            if (strcmp(raw->levels[j].name, raw->levels[i].name) == 0) {
                char path[PATH_MAX_LEN];
                ps_scn__join_key(path, sizeof path, item, "name");
                rc = ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path),
                                     "%s = '%s' is given twice; level names must be unique", path,
                                     raw->levels[i].name);
            }
        }
    }
    if (rc == PS_OK) {
        rc = check_level_sum(c, cn);
    }
    return rc == PS_OK ? build_settings(c, raw, cn) : rc;
}

/* Index of the care-need level or setting named `name`, -1 if none. */
static int level_index(const ps_care_need *cn, const char *name)
{
    for (int l = 0; l < cn->n_levels; ++l) {
        if (strcmp(cn->levels[l].name, name) == 0) {
            return l;
        }
    }
    return -1;
}

static int setting_index(const ps_care_need *cn, const char *name)
{
    for (int k = 0; k < cn->n_settings; ++k) {
        if (strcmp(cn->settings[k].name, name) == 0) {
            return k;
        }
    }
    return -1;
}

/* "a, b, c" of the care-need level (or setting) names, for messages. */
static void care_names(char *out, size_t size, const ps_care_need *cn, bool settings)
{
    int n = settings ? cn->n_settings : cn->n_levels;
    out[0] = '\0';
    for (int i = 0; i < n; ++i) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i > 0 ? ", " : "",
                 settings ? cn->settings[i].name : cn->levels[i].name);
    }
    if (n == 0) {
        snprintf(out, size, "none: the file has no care_need.%s", settings ? "settings" : "levels");
    }
}

static ps_status build_class(const load_ctx *c, const char *item, const raw_class *raw,
                             ps_svc_class *out)
{
    const ps_care_need *cn = &c->scn->care_need;
    char path[PATH_MAX_LEN], names[400];
    ps_status rc = ps_scn__require_keys(c, item, &ps_scn__class_section);
    if (rc != PS_OK || (rc = ps_scn__copy_text(c, &out->name, raw->name)) != PS_OK) {
        return rc;
    }
    ps_scn__join_key(path, sizeof path, item, "to_age");
    out->age_lo = (int)raw->from_age;
    out->age_hi = ps_scn__given(c, path) ? (int)raw->to_age : out->age_lo;
    if (out->age_hi < out->age_lo) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path),
                               "%s = %d is below from_age = %d", path, out->age_hi, out->age_lo);
    }
    ps_scn__join_key(path, sizeof path, item, "uptake");
    out->uptake = ps_scn__given(c, path) ? raw->uptake : ps_scn__class_defaults.uptake;
    out->need = -1;
    ps_scn__join_key(path, sizeof path, item, "need");
    if (raw->need != NULL && strcmp(raw->need, PS_SCN_SELF_CARING) == 0) {
        out->need = PS_SVC_NEED_SELF_CARING;
    } else if (raw->need != NULL && (out->need = level_index(cn, raw->need)) < 0) {
        care_names(names, sizeof names, cn, false);
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path),
                               "%s = '%s' is not a care-need level (care_need.levels: %s)", path,
                               raw->need, names);
    }
    if ((rc = ps_scn__positive_if_given(c, item, "users_per_staff", raw->users_per_staff,
                                        "users per staff member")) != PS_OK ||
        (rc = ps_scn__positive_if_given(c, item, "users_per_group", raw->users_per_group,
                                        "users per group")) != PS_OK) {
        return rc;
    }
    out->users_per_staff = raw->users_per_staff;
    out->users_per_group = raw->users_per_group;
    out->cost_per_user_month = raw->cost_per_user;
    out->fee_per_user_month = raw->fee_per_user;
    out->subsidy_per_user_month = raw->subsidy_per_user;
    return PS_OK;
}

/* Two classes of one service may not count the same persons. */
static ps_status check_class_overlap(const load_ctx *c, const char *prefix, const ps_service *s)
{
    for (int j = 1; j < s->n_classes; ++j) {
        for (int i = 0; i < j; ++i) {
            const ps_svc_class *a = &s->classes[i], *b = &s->classes[j];
            char pa[PATH_MAX_LEN], pb[PATH_MAX_LEN];
            ps_scn__join_index(pa, sizeof pa, prefix, (size_t)i);
            ps_scn__join_index(pb, sizeof pb, prefix, (size_t)j);
            if (strcmp(a->name, b->name) == 0) {
                return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, pb),
                                       "%s: class name '%s' is already used by %s", pb, b->name,
                                       pa);
            }
            if (ps_svc_classes_overlap(a, b)) {
                return ps_scn__fail_at(
                    c, PS_EINVAL, ps_scn__value_loc(c, pb),
                    "%s '%s' (ages %d..%d) overlaps %s '%s' (ages %d..%d, line %ld); "
                    "classes must not count the same persons",
                    pb, b->name, b->age_lo, b->age_hi, pa, a->name, a->age_lo, a->age_hi,
                    ps_scn__value_loc(c, pa).line);
            }
        }
    }
    return PS_OK;
}

static ps_status build_capacity(const load_ctx *c, const char *item, const raw_capacity *raw,
                                ps_service *s)
{
    char cap[PATH_MAX_LEN], target[PATH_MAX_LEN], path[PATH_MAX_LEN], lo[PATH_MAX_LEN],
        hi[PATH_MAX_LEN];
    ps_status rc = PS_OK;
    ps_scn__join_key(cap, sizeof cap, item, "capacity");
    s->basis = PS_SVC_BASIS_NONE;
    s->occupancy = ps_scn__capacity_defaults.occupancy;
    s->nursing_share = NAN;
    if (!ps_scn__given(c, cap)) {
        return PS_OK;
    }
    if ((rc = ps_scn__require_keys(c, cap, &ps_scn__capacity_section)) != PS_OK) {
        return rc;
    }
    s->basis = (ps_svc_basis)raw->basis;
    ps_scn__join_key(target, sizeof target, cap, "target");
    ps_scn__join_key(path, sizeof path, cap, "path");
    ps_scn__join_key(lo, sizeof lo, cap, "from_age");
    ps_scn__join_key(hi, sizeof hi, cap, "to_age");
    if ((rc = ps_scn__exclusive(c, target, path, "give a constant target or a path by year")) !=
        PS_OK) {
        return rc;
    }
    bool has_target = ps_scn__given(c, target) || ps_scn__given(c, path);
    if (s->basis == PS_SVC_BASIS_BASE_YEAR && has_target) {
        return ps_scn__fail_at(
            c, PS_EINVAL, ps_scn__value_loc(c, ps_scn__given(c, target) ? target : path),
            "%s: basis base_year holds the base year's need constant and takes no "
            "target or path",
            cap);
    }
    if (s->basis != PS_SVC_BASIS_BASE_YEAR && !has_target) {
        return ps_scn__missing_key(c, target,
                                   "capacity needs target or path unless basis is base_year");
    }
    bool ages = s->basis == PS_SVC_BASIS_AGES;
    if (!ages && (ps_scn__given(c, lo) || ps_scn__given(c, hi))) {
        const char *k = ps_scn__given(c, lo) ? lo : hi;
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, k),
                               "%s only applies with basis: ages", k);
    }
    if (ages && (!ps_scn__given(c, lo) || !ps_scn__given(c, hi))) {
        return ps_scn__missing_key(c, ps_scn__given(c, lo) ? hi : lo,
                                   "basis: ages counts persons of these ages");
    }
    if (ages && raw->to_age < raw->from_age) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, hi),
                               "%s = %lld is below from_age = %lld", hi, (long long)raw->to_age,
                               (long long)raw->from_age);
    }
    s->basis_age_lo = (int)raw->from_age;
    s->basis_age_hi = (int)raw->to_age;
    if (ps_scn__given(c, target)) {
        s->target.years = malloc(sizeof *s->target.years);
        s->target.values = malloc(sizeof *s->target.values);
        if (s->target.years == NULL || s->target.values == NULL) {
            return ps_error_set(c->err, PS_ENOMEM, "out of memory");
        }
        s->target.n = 1;
        s->target.years[0] = c->scn->start_year;
        s->target.values[0] = raw->target;
    } else if (ps_scn__given(c, path)) {
        rc = build_path(c, path, raw->path, raw->n_path, 1e9, &s->target);
        if (rc == PS_OK && raw->n_path == 0) {
            rc = ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path), "%s is empty", path);
        }
    }
    ps_scn__join_key(path, sizeof path, cap, "occupancy");
    s->occupancy = ps_scn__given(c, path) ? raw->occupancy : ps_scn__capacity_defaults.occupancy;
    ps_scn__join_key(path, sizeof path, cap, "nursing_share");
    s->nursing_share = ps_scn__given(c, path) ? raw->nursing_share : NAN;
    s->construction_subsidy = raw->construction_subsidy;
    return rc;
}

static ps_status build_extras(const load_ctx *c, const char *item, const raw_service *raw,
                              ps_service *s)
{
    char prefix[PATH_MAX_LEN];
    ps_status rc = PS_OK;
    ps_scn__join_key(prefix, sizeof prefix, item, "extra_staff");
    if (raw->n_extra_staff > 0 &&
        (s->extra_staff = calloc(raw->n_extra_staff, sizeof *s->extra_staff)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_extra_staff && rc == PS_OK; ++i) {
        const raw_extra_staff *e = &raw->extra_staff[i];
        char it[PATH_MAX_LEN];
        ps_scn__join_index(it, sizeof it, prefix, i);
        s->n_extra_staff = (int)i + 1;
        if ((rc = ps_scn__require_keys(c, it, &ps_scn__extra_staff_section)) != PS_OK ||
            (rc = ps_scn__copy_text(c, &s->extra_staff[i].name, e->name)) != PS_OK ||
            (rc = ps_scn__positive_if_given(c, it, "users_per_staff", e->users_per_staff,
                                            "users per staff member")) != PS_OK) {
            break;
        }
        if (!(e->users_per_staff > 0.0) && !(e->per_group > 0.0)) {
            rc = ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, it),
                                 "%s counts no staff: give users_per_staff or per_group above 0",
                                 it);
        }
        s->extra_staff[i].users_per_staff = e->users_per_staff;
        s->extra_staff[i].per_group = e->per_group;
    }
    ps_scn__join_key(prefix, sizeof prefix, item, "home_services");
    if (rc == PS_OK && raw->n_home_services > 0 &&
        (s->home = calloc(raw->n_home_services, sizeof *s->home)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_home_services && rc == PS_OK; ++i) {
        char it[PATH_MAX_LEN];
        ps_scn__join_index(it, sizeof it, prefix, i);
        s->n_home = (int)i + 1;
        if ((rc = ps_scn__require_keys(c, it, &ps_scn__home_section)) == PS_OK) {
            rc = ps_scn__copy_text(c, &s->home[i].name, raw->home_services[i].name);
        }
        s->home[i].per_user_year = raw->home_services[i].per_user_year;
    }
    return rc;
}

/* `stock:` and `cross_district_share` of a service (issue #13): the stock file's rows of
 * the service's facility type, read with src/io/stock_csv.c. */
static ps_status build_stock(const load_ctx *c, const char *item, const raw_service *raw,
                             ps_service *s)
{
    char path[PATH_MAX_LEN], key[PATH_MAX_LEN], types[400];
    ps_status rc = PS_OK;
    ps_scn__join_key(path, sizeof path, item, "cross_district_share");
    s->cross_district_share = ps_scn__given(c, path) ? raw->cross_district_share : 0.0;
    ps_scn__join_key(path, sizeof path, item, "stock");
    if (!ps_scn__given(c, path)) {
        return PS_OK;
    }
    ps_scn__join_key(key, sizeof key, path, "missing");
    s->stock.missing_zero = ps_scn__given(c, key) ? raw->stock.missing : 0;
    if ((rc = ps_scn__require_keys(c, path, &ps_scn__stock_section)) != PS_OK ||
        (rc = ps_scn__resolve_path(c, &s->stock.path, raw->stock.file)) != PS_OK ||
        (rc = ps_scn__copy_text(c, &s->stock.type,
                                raw->stock.type != NULL ? raw->stock.type : s->name)) != PS_OK) {
        return rc;
    }
    if ((rc = ps_io__read_stock(&s->stock, types, sizeof types, c->err)) != PS_OK) {
        ps_scn__join_key(key, sizeof key, path, "file");
        ps_error_prepend(c->err, "%s: ", key);
        return rc;
    }
    if (s->stock.n_rows == 0) {
        ps_scn__join_key(key, sizeof key, path, raw->stock.type != NULL ? "type" : "file");
        rc = ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, key),
                             "%s: '%s' has no rows of facility type '%s' (its types: %s)", key,
                             s->stock.path, s->stock.type, types);
    }
    return rc;
}

static ps_status build_service(const load_ctx *c, const char *item, const raw_service *raw,
                               ps_service *s)
{
    const ps_care_need *cn = &c->scn->care_need;
    char path[PATH_MAX_LEN], names[400];
    ps_status rc = ps_scn__require_keys(c, item, &ps_scn__service_section);
    if (rc != PS_OK || (rc = ps_scn__copy_text(c, &s->name, raw->name)) != PS_OK ||
        (rc = ps_scn__copy_text(c, &s->title, raw->title)) != PS_OK) {
        return rc;
    }
    s->kind = (ps_svc_kind)raw->kind;
    ps_scn__join_key(path, sizeof path, item, "sex");
    s->sex = ps_scn__given(c, path) ? raw->sex : ps_scn__service_defaults.sex;
    ps_scn__join_key(path, sizeof path, item, "subsidised_share");
    s->subsidised_share =
        ps_scn__given(c, path) ? raw->subsidised_share : ps_scn__service_defaults.subsidised_share;
    s->setting = -1;
    ps_scn__join_key(path, sizeof path, item, "setting");
    if (raw->setting != NULL && (s->setting = setting_index(cn, raw->setting)) < 0) {
        care_names(names, sizeof names, cn, true);
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path),
                               "%s = '%s' is not a care setting (care_need.settings: %s)", path,
                               raw->setting, names);
    }
    ps_scn__join_key(path, sizeof path, item, "classes");
    if (raw->n_classes == 0) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, path),
                               "%s is empty; give at least one '- name: ...' class", path);
    }
    if ((s->classes = calloc(raw->n_classes, sizeof *s->classes)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (uint32_t i = 0; i < raw->n_classes && rc == PS_OK; ++i) {
        char it[PATH_MAX_LEN];
        ps_scn__join_index(it, sizeof it, path, i);
        s->n_classes = (int)i + 1;
        rc = build_class(c, it, &raw->classes[i], &s->classes[i]);
    }
    if (rc == PS_OK) {
        rc = check_class_overlap(c, path, s);
    }
    ps_scn__join_key(path, sizeof path, item, "uptake_path");
    if (rc == PS_OK) {
        rc = build_path(c, path, raw->uptake_path, raw->n_uptake_path, 1.0, &s->uptake_path);
    }
    if (rc == PS_OK) {
        rc = build_capacity(c, item, &raw->capacity, s);
    }
    if (rc == PS_OK) {
        rc = build_extras(c, item, raw, s);
    }
    return rc == PS_OK ? build_stock(c, item, raw, s) : rc;
}

/* Append the services of the sequence at `prefix` to m's (inherited) services; an own
 * service replaces an inherited one of the same name, and own names must be unique. */
ps_status ps_scn__add_services(const load_ctx *c, const char *prefix, ps_scn_member *m,
                              const raw_service *items, uint32_t n)
{
    ps_status rc = PS_OK;
    const int n_inherited = m->n_services;
    if (n == 0) {
        return PS_OK;
    }
    ps_service *grown = realloc(m->services, ((size_t)m->n_services + n) * sizeof *grown);
    if (grown == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    m->services = grown;
    for (uint32_t i = 0; i < n && rc == PS_OK; ++i) {
        char item[PATH_MAX_LEN];
        ps_service *s = &m->services[m->n_services];
        ps_scn__join_index(item, sizeof item, prefix, i);
        memset(s, 0, sizeof *s);
        m->n_services++;
        rc = build_service(c, item, &items[i], s);
        for (uint32_t j = 0; j < i && rc == PS_OK; ++j) {
            if (strcmp(items[j].name, items[i].name) == 0) {
                char path[PATH_MAX_LEN];
                ps_scn__join_key(path, sizeof path, item, "name");
                rc = ps_scn__fail_at(
                    c, PS_EINVAL, ps_scn__value_loc(c, path),
                    "%s = '%s' is already the name of %s[%u]; service names must be "
                    "unique, each names an output group",
                    path, items[i].name, prefix, (unsigned)j);
            }
        }
    }
    if (rc != PS_OK) {
        return rc;
    }
    int kept = 0;
    for (int i = 0; i < m->n_services; ++i) {
        bool replaced = false;
        for (int j = n_inherited; i < n_inherited && j < m->n_services && !replaced; ++j) {
            replaced = strcmp(m->services[i].name, m->services[j].name) == 0;
        }
        if (replaced) {
            ps_service_release(&m->services[i]);
        } else {
            m->services[kept++] = m->services[i];
        }
    }
    m->n_services = kept;
    return PS_OK;
}

ps_status ps_scn__inherit_services(const load_ctx *c, ps_scn_member *m, const ps_scn_member *p)
{
    ps_status rc = PS_OK;
    if (p->n_services == 0) {
        return PS_OK;
    }
    if ((m->services = calloc((size_t)p->n_services, sizeof *m->services)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    for (int k = 0; k < p->n_services && rc == PS_OK; ++k) {
        rc = ps_service_copy(&m->services[k], &p->services[k], c->err);
        if (rc == PS_OK) {
            m->n_services = k + 1;
        }
    }
    return rc;
}

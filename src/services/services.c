/*
 * services.c - service demand, capacity, gaps, staff and cost from a projected population
 * (popsim/services.h; equations in docs/services.md).
 *
 * For each service, year y and region:
 *   persons of class c   N_c = sum over its ages (and sex) of P(y, age) x need share x setting share
 *   users of class c     U_c = min(1, s(y) u_c) N_c, s(y) = 1 or the uptake path's rescaling
 *   demand               D   = sum_c U_c
 *   capacity             C   = target x basis / 1000 (or places)
 *   places needed        D / occupancy; shortage and surplus are its gap to C
 * Staff, groups, cost, fees and subsidies follow from U_c and the class's rates.
 */
#include "popsim/services.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/pop.h"
#include "popsim/units.h"
#include "services_int.h"
#include "core/str_int.h"

#define MONTHS_PER_YEAR 12.0
#define PER_THOUSAND 1000.0
#define PER_HUNDRED 100.0
#define SETTING_SUM_TOL 1e-6
#define AGE_CHILD_LAST 14 /* dependency ratios: children 0-14 */
#define AGE_WORK_LAST 64  /* working ages 15-64, old age 65+ */

const char *ps_svc_kind_name(ps_svc_kind kind)
{
    static const char *const names[PS_SVC_KIND_COUNT] = {
        "childcare", "kindergarten", "school", "health", "elderly", "other",
    };
    return (unsigned)kind < PS_SVC_KIND_COUNT ? names[kind] : "unknown";
}

const char *ps_svc_basis_name(ps_svc_basis basis)
{
    static const char *const names[PS_SVC_BASIS_COUNT] = {
        "none", "population", "group", "ages", "places", "base_year",
    };
    return (unsigned)basis < PS_SVC_BASIS_COUNT ? names[basis] : "unknown";
}

double ps_svc_path_at(const ps_svc_path *path, int year)
{
    if (path->n <= 0) {
        return NAN;
    }
    if (year <= path->years[0]) {
        return path->values[0];
    }
    for (int i = 1; i < path->n; ++i) {
        if (year <= path->years[i]) {
            double w = (double)(year - path->years[i - 1]) /
                       (double)(path->years[i] - path->years[i - 1]);
            return path->values[i - 1] + w * (path->values[i] - path->values[i - 1]);
        }
    }
    return path->values[path->n - 1];
}

double ps_care_prevalence(const ps_care_need *cn, int level, int age, int year)
{
    const ps_care_level *l = &cn->levels[level];
    double p = 0.0;
    for (int i = 0; i < l->n_steps && age >= l->from_age[i]; ++i) {
        p = l->value[i];
    }
    if (cn->improvement == 0.0) { /* the default: pow(1, t) is 1 exactly, so the same value */
        return p;
    }
    return p * pow(1.0 - cn->improvement, (double)(year - cn->base_year));
}

/* ---------------------------------------------------------------------------------------
 * Validation (the loader makes the same checks with file positions).
 */
int ps_svc_classes_overlap(const ps_svc_class *a, const ps_svc_class *b)
{
    bool ages = a->age_lo <= b->age_hi && b->age_lo <= a->age_hi;
    /* Self-caring persons (PS_SVC_NEED_SELF_CARING) are in no level, so they overlap only
     * a class without a need level or another self-caring class. */
    bool needs = a->need == -1 || b->need == -1 || a->need == b->need;
    return ages && needs;
}

static ps_status validate_class(const ps_service *s, const ps_svc_class *c,
                                const ps_care_need *cn, int n_ages, ps_error *err)
{
    if (c->age_lo < 0 || c->age_hi < c->age_lo || c->age_hi >= n_ages) {
        return ps_error_set(err, PS_EINVAL,
                            "service '%s', class '%s': ages %d..%d are not within 0..%d",
                            s->name, c->name, c->age_lo, c->age_hi, n_ages - 1);
    }
    if (c->need >= (cn != NULL ? cn->n_levels : 0) || c->need < PS_SVC_NEED_SELF_CARING) {
        return ps_error_set(err, PS_EINVAL, "service '%s', class '%s': no care-need level %d",
                            s->name, c->name, c->need);
    }
    const double rates[] = { c->uptake, c->users_per_staff, c->users_per_group,
                             c->cost_per_user_month, c->fee_per_user_month,
                             c->subsidy_per_user_month };
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; ++i) {
        if (!isfinite(rates[i]) || rates[i] < 0.0) {
            return ps_error_set(err, PS_EINVAL,
                                "service '%s', class '%s': rates must be finite and >= 0",
                                s->name, c->name);
        }
    }
    if (c->uptake > 1.0) {
        return ps_error_set(err, PS_EINVAL, "service '%s', class '%s': uptake %g is above 1",
                            s->name, c->name, c->uptake);
    }
    return PS_OK;
}

static ps_status validate_service(const ps_service *s, const ps_care_need *cn, int n_ages,
                                  ps_error *err)
{
    ps_status rc = PS_OK;
    if (s->n_classes < 1) {
        return ps_error_set(err, PS_EINVAL, "service '%s' has no class", s->name);
    }
    if (s->setting >= (cn != NULL ? cn->n_settings : 0)) {
        return ps_error_set(err, PS_EINVAL, "service '%s': no care setting %d", s->name,
                            s->setting);
    }
    if (!(s->cross_district_share >= 0.0 && s->cross_district_share <= 1.0)) {
        return ps_error_set(err, PS_EINVAL, "service '%s': cross_district_share %g is not in "
                            "[0, 1]", s->name, s->cross_district_share);
    }
    if (!(s->occupancy > 0.0 && s->occupancy <= 1.0)) {
        return ps_error_set(err, PS_EINVAL, "service '%s': occupancy %g is not in (0, 1]",
                            s->name, s->occupancy);
    }
    if ((unsigned)s->basis >= PS_SVC_BASIS_COUNT ||
        (s->basis != PS_SVC_BASIS_NONE && s->basis != PS_SVC_BASIS_BASE_YEAR &&
         s->target.n < 1)) {
        return ps_error_set(err, PS_EINVAL, "service '%s': capacity basis without a target",
                            s->name);
    }
    if (s->basis == PS_SVC_BASIS_AGES &&
        (s->basis_age_lo < 0 || s->basis_age_hi < s->basis_age_lo || s->basis_age_hi >= n_ages)) {
        return ps_error_set(err, PS_EINVAL, "service '%s': basis ages %d..%d are not within 0..%d",
                            s->name, s->basis_age_lo, s->basis_age_hi, n_ages - 1);
    }
    for (int i = 0; rc == PS_OK && i < s->n_classes; ++i) {
        rc = validate_class(s, &s->classes[i], cn, n_ages, err);
        for (int j = 0; rc == PS_OK && j < i; ++j) {
            if (ps_svc_classes_overlap(&s->classes[i], &s->classes[j])) {
                rc = ps_error_set(err, PS_EINVAL, "service '%s': classes '%s' and '%s' overlap",
                                  s->name, s->classes[j].name, s->classes[i].name);
            }
        }
    }
    return rc;
}

ps_status ps_services_validate(const ps_service *svc, int n_svc, const ps_care_need *cn,
                               int n_ages, ps_error *err)
{
    ps_status rc = PS_OK;
    if (cn != NULL && cn->n_settings > 0) {
        double sum = 0.0;
        for (int k = 0; k < cn->n_settings; ++k) {
            sum += cn->settings[k].share;
        }
        if (fabs(sum - 1.0) > SETTING_SUM_TOL) {
            return ps_error_set(err, PS_EINVAL, "care settings' shares sum to %g, not 1", sum);
        }
        for (int l = 0; l < cn->n_levels; ++l) {
            double by_level = 0.0;
            for (int k = 0; k < cn->n_settings; ++k) {
                by_level += ps_care_setting_share(cn, k, l);
            }
            if (fabs(by_level - 1.0) > SETTING_SUM_TOL) {
                return ps_error_set(err, PS_EINVAL, "care settings' shares of level '%s' sum "
                                    "to %g, not 1", cn->levels[l].name, by_level);
            }
        }
    }
    for (int k = 0; rc == PS_OK && k < n_svc; ++k) {
        rc = validate_service(&svc[k], cn, n_ages, err);
        for (int j = 0; rc == PS_OK && j < k; ++j) {
            if (strcmp(svc[j].name, svc[k].name) == 0) {
                rc = ps_error_set(err, PS_EINVAL, "two services are named '%s'", svc[k].name);
            }
        }
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Computation.
 */
static double persons(const ps_result *r, int y, int reg, int sex, int age_lo, int age_hi)
{
    double sum = 0.0;
    for (int s = 0; s < PS_SEX_COUNT; ++s) {
        if (sex >= 0 && s != sex) {
            continue;
        }
        for (int age = age_lo; age <= age_hi && age < r->n_ages; ++age) {
            sum += r->population[ps_result_cell(r, y, reg, s, age)];
        }
    }
    return sum;
}

/* Share of the persons of one sex and age in a need level (or self-caring: in none). */
static double need_share(const ps_care_need *cn, int need, int sex, int age, int year)
{
    if (need >= 0) {
        return ps_care_prevalence_sex(cn, need, sex, age, year);
    }
    double in_need = 0.0;
    for (int l = 0; cn != NULL && l < cn->n_levels; ++l) {
        in_need += ps_care_prevalence_sex(cn, l, sex, age, year);
    }
    return fmax(0.0, 1.0 - in_need);
}

static bool by_sex(const ps_care_need *cn, int need)
{
    bool any = false;
    for (int l = 0; cn != NULL && l < cn->n_levels; ++l) {
        any = any || ((need == l || need == PS_SVC_NEED_SELF_CARING) && cn->levels[l].by_sex);
    }
    return any;
}

/* Persons of class c (before uptake): ages, sex, need level and care setting. Self-caring
 * persons are counted without a setting share: their uptake is the share living in the
 * service's setting. */
static double class_persons(const ps_result *r, const ps_service *s, const ps_svc_class *c,
                            const ps_care_need *cn, int y, int reg)
{
    int year = r->start_year + y;
    double sum = 0.0;
    bool sexes = by_sex(cn, c->need) || c->need == PS_SVC_NEED_SELF_CARING;
    for (int age = c->age_lo; age <= c->age_hi; ++age) {
        if (sexes) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                if (s->sex < 0 || s->sex == sex) {
                    sum += persons(r, y, reg, sex, age, age) *
                           need_share(cn, c->need, sex, age, year);
                }
            }
            continue;
        }
        double n = persons(r, y, reg, s->sex, age, age);
        if (c->need >= 0) {
            n *= ps_care_prevalence(cn, c->need, age, year);
        }
        sum += n;
    }
    if (s->setting >= 0 && c->need != PS_SVC_NEED_SELF_CARING) {
        sum *= ps_care_setting_share(cn, s->setting, c->need);
    }
    return sum;
}

static char **copy_names(int n, const char *(*name_of)(const void *, int), const void *ctx)
{
    char **out = calloc((size_t)n + 1, sizeof *out);
    for (int i = 0; out != NULL && i < n; ++i) {
        const char *src = name_of(ctx, i);
        size_t len = strlen(src) + 1;
        if ((out[i] = malloc(len)) == NULL) {
            for (int j = 0; j < i; ++j) {
                free(out[j]);
            }
            free(out);
            return NULL;
        }
        memcpy(out[i], src, len);
    }
    return out;
}

static const char *class_name_of(const void *ctx, int i)
{
    return ((const ps_service *)ctx)->classes[i].name;
}

static const char *home_name_of(const void *ctx, int i)
{
    return ((const ps_service *)ctx)->home[i].name;
}

static const char *level_name_of(const void *ctx, int i)
{
    return ((const ps_care_need *)ctx)->levels[i].name;
}

static ps_status alloc_svc(ps_svc_result *o, const ps_service *s, const ps_result *r,
                           ps_error *err)
{
    size_t cells = (size_t)r->n_years * (size_t)r->n_regions;
    o->kind = (int)s->kind;
    o->basis = (int)s->basis;
    o->basis_age_lo = s->basis_age_lo;
    o->basis_age_hi = s->basis_age_hi;
    o->n_classes = s->n_classes;
    o->n_home = s->n_home;
    o->name = ps__strdup(s->name);
    o->title = ps__strdup(s->title);
    o->class_names = copy_names(s->n_classes, class_name_of, s);
    o->home_names = copy_names(s->n_home, home_name_of, s);
    o->target = calloc((size_t)r->n_years, sizeof *o->target);
    double **arrays[] = { &o->demand, &o->capacity, &o->shortage, &o->surplus,
                          &o->utilization, &o->per_1000, &o->staff, &o->groups, &o->cost,
                          &o->fees, &o->subsidy, &o->subsidy_recipients, &o->new_places };
    bool ok = o->name != NULL && (s->title == NULL || o->title != NULL) &&
              o->class_names != NULL && o->home_names != NULL && o->target != NULL;
    for (size_t a = 0; a < sizeof arrays / sizeof arrays[0]; ++a) {
        *arrays[a] = calloc(cells, sizeof **arrays[a]);
        ok = ok && *arrays[a] != NULL;
    }
    o->demand_by_class = calloc(cells * (size_t)s->n_classes, sizeof *o->demand_by_class);
    ok = ok && o->demand_by_class != NULL;
    if (!isnan(s->nursing_share)) {
        o->nursing_capacity = calloc(cells, sizeof *o->nursing_capacity);
        ok = ok && o->nursing_capacity != NULL;
    }
    if (s->n_home > 0) {
        o->home_services = calloc(cells * (size_t)s->n_home, sizeof *o->home_services);
        ok = ok && o->home_services != NULL;
    }
    return ok ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory for service '%s'", s->name);
}

/* Users of every class in one year and region; returns the demand. */
static double class_users(double *users, const ps_result *r, const ps_service *s,
                          const ps_care_need *cn, int y, int reg, double *group_out)
{
    double group = 0.0, profile = 0.0;
    for (int c = 0; c < s->n_classes; ++c) {
        users[c] = class_persons(r, s, &s->classes[c], cn, y, reg);
        group += users[c];
        profile += users[c] * s->classes[c].uptake;
    }
    double scale = 1.0;
    if (s->uptake_path.n > 0) {
        double overall = ps_svc_path_at(&s->uptake_path, r->start_year + y);
        scale = profile > 0.0 ? overall * group / profile : 0.0;
    }
    double demand = 0.0;
    for (int c = 0; c < s->n_classes; ++c) {
        users[c] *= fmin(1.0, scale * s->classes[c].uptake);
        demand += users[c];
    }
    *group_out = group;
    return demand;
}

double ps_service_uptake_at(const ps_service *s, const ps_care_need *cn, const ps_result *r,
                            int y, int reg, int age)
{
    double *users = calloc((size_t)s->n_classes, sizeof *users), group = 0.0, share = 0.0;
    if (users == NULL) {
        return NAN;
    }
    class_users(users, r, s, cn, y, reg, &group);
    for (int c = 0; c < s->n_classes; ++c) {
        const ps_svc_class *k = &s->classes[c];
        if (k->need == -1 && age >= k->age_lo && age <= k->age_hi) {
            double persons_c = class_persons(r, s, k, cn, y, reg);
            share = persons_c > 0.0 ? users[c] / persons_c : k->uptake;
        }
    }
    free(users);
    return share;
}

/* Persons a per-1,000 target is counted against (total population if not per 1,000). */
static double basis_persons(const ps_result *r, const ps_service *s, int y, int reg,
                            double group)
{
    switch (s->basis) {
    case PS_SVC_BASIS_GROUP:
        return group;
    case PS_SVC_BASIS_AGES:
        return persons(r, y, reg, -1, s->basis_age_lo, s->basis_age_hi);
    default:
        return persons(r, y, reg, -1, 0, r->n_ages - 1);
    }
}

static double capacity_of(const ps_service *s, const ps_svc_result *o, double target,
                          double basis, size_t first_cell)
{
    switch (s->basis) {
    case PS_SVC_BASIS_POPULATION:
    case PS_SVC_BASIS_GROUP:
    case PS_SVC_BASIS_AGES:
        return target * basis / PER_THOUSAND;
    case PS_SVC_BASIS_PLACES:
        return target;
    case PS_SVC_BASIS_BASE_YEAR:
        return o->demand[first_cell] / s->occupancy;
    default:
        return NAN;
    }
}

static void compute_cell(ps_svc_result *o, const ps_result *r, const ps_service *s,
                         const ps_care_need *cn, int y, int reg, double *users)
{
    size_t cell = ps_result_regcell(r, y, reg);
    double group = 0.0;
    double demand = class_users(users, r, s, cn, y, reg, &group);
    double staff = 0.0, groups = 0.0, cost = 0.0, fees = 0.0, subsidised = 0.0, sub = 0.0;
    for (int c = 0; c < s->n_classes; ++c) {
        const ps_svc_class *k = &s->classes[c];
        o->demand_by_class[cell * (size_t)s->n_classes + (size_t)c] = users[c];
        staff += k->users_per_staff > 0.0 ? users[c] / k->users_per_staff : 0.0;
        groups += k->users_per_group > 0.0 ? users[c] / k->users_per_group : 0.0;
        cost += users[c] * k->cost_per_user_month * MONTHS_PER_YEAR;
        fees += users[c] * k->fee_per_user_month * MONTHS_PER_YEAR;
        if (k->subsidy_per_user_month > 0.0) {
            subsidised += users[c] * s->subsidised_share;
            sub += users[c] * s->subsidised_share * k->subsidy_per_user_month * MONTHS_PER_YEAR;
        }
    }
    for (int e = 0; e < s->n_extra_staff; ++e) {
        const ps_svc_extra_staff *x = &s->extra_staff[e];
        staff += (x->users_per_staff > 0.0 ? demand / x->users_per_staff : 0.0) +
                 x->per_group * groups;
    }
    double basis = basis_persons(r, s, y, reg, group);
    double needed = demand / s->occupancy;
    o->demand[cell] = demand; /* before capacity_of, which reads the base year's demand */
    double cap = capacity_of(s, o, o->target[y], basis, ps_result_regcell(r, 0, reg));
    o->capacity[cell] = cap;
    o->shortage[cell] = isnan(cap) ? NAN : fmax(0.0, needed - cap);
    o->surplus[cell] = isnan(cap) ? NAN : fmax(0.0, cap - needed);
    o->utilization[cell] = cap > 0.0 ? demand / cap : NAN;
    o->per_1000[cell] = basis > 0.0 ? needed / basis * PER_THOUSAND : NAN;
    o->staff[cell] = staff;
    o->groups[cell] = groups;
    o->cost[cell] = cost;
    o->fees[cell] = fees;
    o->new_places[cell] =
        (y == 0 || isnan(cap)) ? 0.0 : fmax(0.0, cap - o->capacity[ps_result_regcell(r, y - 1, reg)]);
    o->subsidy_recipients[cell] = subsidised;
    o->subsidy[cell] = sub + s->construction_subsidy * o->new_places[cell];
    if (o->nursing_capacity != NULL) {
        o->nursing_capacity[cell] = cap * s->nursing_share;
    }
    for (int h = 0; h < s->n_home; ++h) {
        o->home_services[cell * (size_t)s->n_home + (size_t)h] = demand * s->home[h].per_user_year;
    }
}

static ps_status compute_service(ps_svc_result *o, const ps_result *r, const ps_service *s,
                                 const ps_care_need *cn, ps_error *err)
{
    ps_status rc = alloc_svc(o, s, r, err);
    double *users = rc == PS_OK ? calloc((size_t)s->n_classes, sizeof *users) : NULL;
    if (rc == PS_OK && users == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for service '%s'", s->name);
    }
    for (int y = 0; rc == PS_OK && y < r->n_years; ++y) {
        bool per_1000 = s->basis == PS_SVC_BASIS_POPULATION || s->basis == PS_SVC_BASIS_GROUP ||
                        s->basis == PS_SVC_BASIS_AGES || s->basis == PS_SVC_BASIS_PLACES;
        o->target[y] = per_1000 ? ps_svc_path_at(&s->target, r->start_year + y) : NAN;
        for (int reg = 0; reg < r->n_regions; ++reg) {
            compute_cell(o, r, s, cn, y, reg, users);
        }
    }
    free(users);
    return rc == PS_OK ? ps_services__stock(o, r, s, err) : rc;
}

static ps_status compute_care_need(ps_result *r, const ps_care_need *cn, ps_error *err)
{
    size_t cells = (size_t)r->n_years * (size_t)r->n_regions * (size_t)cn->n_levels;
    r->care_need = calloc(cells, sizeof *r->care_need);
    r->care_level_names = copy_names(cn->n_levels, level_name_of, cn);
    if (r->care_need == NULL || r->care_level_names == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the care-need counts");
    }
    r->n_care_levels = cn->n_levels;
    for (int y = 0; y < r->n_years; ++y) {
        for (int reg = 0; reg < r->n_regions; ++reg) {
            for (int l = 0; l < cn->n_levels; ++l) {
                double sum = 0.0;
                for (int age = 0; age < r->n_ages; ++age) {
                    double p = ps_care_prevalence(cn, l, age, r->start_year + y);
                    if (cn->levels[l].by_sex) {
                        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                            sum += p * cn->levels[l].sex_factor[sex] *
                                   persons(r, y, reg, sex, age, age);
                        }
                    } else {
                        sum += p > 0.0 ? p * persons(r, y, reg, -1, age, age) : 0.0;
                    }
                }
                r->care_need[ps_result_regcell(r, y, reg) * (size_t)cn->n_levels + (size_t)l] = sum;
            }
        }
    }
    return PS_OK;
}

static ps_status compute_dependency(ps_result *r, ps_error *err)
{
    size_t cells = (size_t)r->n_years * (size_t)r->n_regions * PS_DEPENDENCY_COUNT;
    if ((r->dependency = malloc(cells * sizeof *r->dependency)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for the dependency ratios");
    }
    for (int y = 0; y < r->n_years; ++y) {
        for (int reg = 0; reg < r->n_regions; ++reg) {
            double child = persons(r, y, reg, -1, 0, AGE_CHILD_LAST);
            double work = persons(r, y, reg, -1, AGE_CHILD_LAST + 1, AGE_WORK_LAST);
            double old = persons(r, y, reg, -1, AGE_WORK_LAST + 1, r->n_ages - 1);
            double *d = &r->dependency[ps_result_regcell(r, y, reg) * PS_DEPENDENCY_COUNT];
            d[PS_DEPENDENCY_OLD] = work > 0.0 ? PER_HUNDRED * old / work : NAN;
            d[PS_DEPENDENCY_CHILD] = work > 0.0 ? PER_HUNDRED * child / work : NAN;
            d[PS_DEPENDENCY_TOTAL] = work > 0.0 ? PER_HUNDRED * (old + child) / work : NAN;
        }
    }
    return PS_OK;
}

ps_status ps_services_compute(ps_result *res, const ps_service *svc, int n_svc,
                              const ps_care_need *cn, ps_error *err)
{
    ps_status rc = ps_services_validate(svc, n_svc, cn, res->n_ages, err);
    if (rc != PS_OK) {
        return rc;
    }
    ps_result_release_services(res);
    if (n_svc > 0 && (res->services = calloc((size_t)n_svc, sizeof *res->services)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory for %d services", n_svc);
    }
    for (int k = 0; rc == PS_OK && k < n_svc; ++k) {
        res->n_services = k + 1;
        rc = compute_service(&res->services[k], res, &svc[k], cn, err);
    }
    if (rc == PS_OK && cn != NULL && cn->n_levels > 0) {
        rc = compute_care_need(res, cn, err);
    }
    if (rc == PS_OK) {
        rc = compute_dependency(res, err);
    }
    if (rc != PS_OK) {
        ps_result_release_services(res);
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Ownership.
 */
static void path_release(ps_svc_path *p)
{
    free(p->years);
    free(p->values);
    memset(p, 0, sizeof *p);
}

void ps_service_release(ps_service *svc)
{
    if (svc == NULL) {
        return;
    }
    free(svc->name);
    free(svc->title);
    for (int c = 0; svc->classes != NULL && c < svc->n_classes; ++c) {
        free(svc->classes[c].name);
    }
    free(svc->classes);
    for (int e = 0; svc->extra_staff != NULL && e < svc->n_extra_staff; ++e) {
        free(svc->extra_staff[e].name);
    }
    free(svc->extra_staff);
    for (int h = 0; svc->home != NULL && h < svc->n_home; ++h) {
        free(svc->home[h].name);
    }
    free(svc->home);
    path_release(&svc->uptake_path);
    path_release(&svc->target);
    ps_svc_stock_release(&svc->stock);
    memset(svc, 0, sizeof *svc);
}

void ps_care_need_release(ps_care_need *cn)
{
    if (cn == NULL) {
        return;
    }
    for (int l = 0; cn->levels != NULL && l < cn->n_levels; ++l) {
        free(cn->levels[l].name);
        free(cn->levels[l].from_age);
        free(cn->levels[l].value);
    }
    free(cn->levels);
    for (int k = 0; cn->settings != NULL && k < cn->n_settings; ++k) {
        free(cn->settings[k].name);
        free(cn->settings[k].level_share);
    }
    free(cn->settings);
    memset(cn, 0, sizeof *cn);
}

static void *copy_mem(const void *src, size_t n, size_t size, bool *ok)
{
    if (n == 0 || src == NULL) {
        return NULL;
    }
    void *dst = malloc(n * size);
    if (dst == NULL) {
        *ok = false;
        return NULL;
    }
    memcpy(dst, src, n * size);
    return dst;
}

static void copy_str(char **dst, const char *src, bool *ok)
{
    *dst = ps__strdup(src);
    if (src != NULL && *dst == NULL) {
        *ok = false;
    }
}

static void copy_path(ps_svc_path *dst, const ps_svc_path *src, bool *ok)
{
    dst->n = src->n;
    dst->years = copy_mem(src->years, (size_t)src->n, sizeof *src->years, ok);
    dst->values = copy_mem(src->values, (size_t)src->n, sizeof *src->values, ok);
}

ps_status ps_service_copy(ps_service *dst, const ps_service *src, ps_error *err)
{
    bool ok = true;
    *dst = *src;
    dst->name = dst->title = NULL;
    copy_str(&dst->name, src->name, &ok);
    copy_str(&dst->title, src->title, &ok);
    dst->classes = copy_mem(src->classes, (size_t)src->n_classes, sizeof *src->classes, &ok);
    dst->extra_staff = copy_mem(src->extra_staff, (size_t)src->n_extra_staff,
                                sizeof *src->extra_staff, &ok);
    dst->home = copy_mem(src->home, (size_t)src->n_home, sizeof *src->home, &ok);
    /* The shallow copies above share names with src until replaced here. */
    for (int c = 0; dst->classes != NULL && c < dst->n_classes; ++c) {
        copy_str(&dst->classes[c].name, src->classes[c].name, &ok);
    }
    for (int e = 0; dst->extra_staff != NULL && e < dst->n_extra_staff; ++e) {
        copy_str(&dst->extra_staff[e].name, src->extra_staff[e].name, &ok);
    }
    for (int h = 0; dst->home != NULL && h < dst->n_home; ++h) {
        copy_str(&dst->home[h].name, src->home[h].name, &ok);
    }
    if (dst->classes == NULL) {
        dst->n_classes = 0;
    }
    if (dst->extra_staff == NULL) {
        dst->n_extra_staff = 0;
    }
    if (dst->home == NULL) {
        dst->n_home = 0;
    }
    copy_path(&dst->uptake_path, &src->uptake_path, &ok);
    copy_path(&dst->target, &src->target, &ok);
    if (ps_svc_stock_copy(&dst->stock, &src->stock, err) != PS_OK) {
        ok = false;
    }
    if (!ok) {
        ps_service_release(dst);
        return ps_error_set(err, PS_ENOMEM, "out of memory copying service '%s'", src->name);
    }
    return PS_OK;
}

ps_status ps_care_need_copy(ps_care_need *dst, const ps_care_need *src, ps_error *err)
{
    bool ok = true;
    *dst = *src;
    dst->levels = copy_mem(src->levels, (size_t)src->n_levels, sizeof *src->levels, &ok);
    dst->settings = copy_mem(src->settings, (size_t)src->n_settings, sizeof *src->settings, &ok);
    for (int l = 0; dst->levels != NULL && l < dst->n_levels; ++l) {
        const ps_care_level *s = &src->levels[l];
        copy_str(&dst->levels[l].name, s->name, &ok);
        dst->levels[l].from_age = copy_mem(s->from_age, (size_t)s->n_steps, sizeof *s->from_age, &ok);
        dst->levels[l].value = copy_mem(s->value, (size_t)s->n_steps, sizeof *s->value, &ok);
    }
    for (int k = 0; dst->settings != NULL && k < dst->n_settings; ++k) {
        copy_str(&dst->settings[k].name, src->settings[k].name, &ok);
        dst->settings[k].level_share =
            copy_mem(src->settings[k].level_share, (size_t)src->n_levels,
                     sizeof *src->settings[k].level_share, &ok);
    }
    if (dst->levels == NULL) {
        dst->n_levels = 0;
    }
    if (dst->settings == NULL) {
        dst->n_settings = 0;
    }
    if (!ok) {
        ps_care_need_release(dst);
        return ps_error_set(err, PS_ENOMEM, "out of memory copying the care-need model");
    }
    return PS_OK;
}

/* ---------------------------------------------------------------------------------------
 * Against the baseline: the extra service subsidies the policy's additional children draw.
 */
void ps_services_compare(ps_result *res, const ps_result *base, double discount_rate)
{
    double extra = 0.0, extra_disc = 0.0;
    bool any = false;
    if (base == NULL || res->baseline == NULL) {
        return;
    }
    for (int k = 0; k < res->n_services; ++k) {
        const ps_svc_result *s = &res->services[k];
        const ps_svc_result *b = NULL;
        for (int j = 0; j < base->n_services && b == NULL; ++j) {
            b = strcmp(base->services[j].name, s->name) == 0 ? &base->services[j] : NULL;
        }
        for (int y = 0; y + 1 < res->n_years; ++y) {
            for (int reg = 0; reg < res->n_regions; ++reg) {
                size_t cell = ps_result_regcell(res, y, reg);
                double d = s->subsidy[cell] - (b != NULL ? b->subsidy[cell] : 0.0);
                extra += d;
                extra_disc += d / pow(1.0 + discount_rate, (double)y);
            }
        }
        any = true;
    }
    for (int j = 0; j < base->n_services; ++j) { /* services the variant dropped */
        bool kept = false;
        for (int k = 0; k < res->n_services && !kept; ++k) {
            kept = strcmp(base->services[j].name, res->services[k].name) == 0;
        }
        for (int y = 0; !kept && y + 1 < res->n_years; ++y) {
            for (int reg = 0; reg < res->n_regions; ++reg) {
                double d = base->services[j].subsidy[ps_result_regcell(res, y, reg)];
                extra -= d;
                extra_disc -= d / pow(1.0 + discount_rate, (double)y);
            }
        }
        any = any || !kept;
    }
    if (!any) {
        return;
    }
    res->service_subsidy_extra = extra;
    res->service_subsidy_extra_discounted = extra_disc;
    double cost = isnan(res->cost_total) ? 0.0 : res->cost_total;
    double cost_disc = isnan(res->cost_total_discounted) ? 0.0 : res->cost_total_discounted;
    double gained = res->births_gained_total, gained_disc = res->births_gained_discounted;
    res->cost_per_additional_birth = gained > 0.0 ? (cost + extra) / gained : NAN;
    res->cost_per_additional_birth_discounted =
        gained_disc > 0.0 ? (cost_disc + extra_disc) / gained_disc : NAN; /* births discounted */
}

/*
 * scenario/build_variants.c - builders of the baseline member and variants: the scenario family.
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "io/scenario/scenario_int.h"

static ps_status build_baseline(const load_ctx *c, const raw_scenario *raw)
{
    ps_scenario *scn = c->scn;
    ps_scn_member *m = &scn->members[0];
    ps_status rc = PS_OK;
    m->loc = (ps_scn_loc){ 1, 1 };
    m->economy = ps_scn__economy_defaults;
    ps_response_unset(&m->response);
    m->elasticity = PS_ELASTICITY_DEFAULT;
    ps_scn__build_response(c, "response", m, &raw->response);
    if ((rc = ps_scn__copy_text(c, &m->name, scn->name)) != PS_OK ||
        (rc = ps_scn__copy_text(c, &m->title, scn->title)) != PS_OK ||
        (rc = ps_scn__build_economy(c, "economy", &m->economy, &raw->economy)) != PS_OK) {
        return rc;
    }
    rc = ps_scn__add_policies(c, "policies", m, raw->policies, raw->n_policies);
    return rc == PS_OK ? ps_scn__add_services(c, "services", m, raw->services, raw->n_services)
                       : rc;
}

/* "the top-level name" or "variants[k-1]", for messages about member k. */
static void member_text(char *out, size_t size, int k)
{
    if (k == 0) {
        snprintf(out, size, "the top level");
    } else {
        snprintf(out, size, "variants[%d]", k - 1);
    }
}

/* Member `index` (variant index - 1) needs a name no earlier member has. */
static ps_status check_variant_name(const load_ctx *c, const char *item, const raw_variant *v,
                                    int index)
{
    char path[PATH_MAX_LEN], other[PATH_MAX_LEN];
    ps_scn__join_key(path, sizeof path, item, "name");
    if (!ps_scn__given(c, path)) {
        return ps_scn__missing_key(c, path, "");
    }
    for (int k = 0; k < index; ++k) {
        const ps_scn_member *m = &c->scn->members[k];
        if (strcmp(m->name, v->name) == 0) {
            char first[PATH_MAX_LEN];
            member_text(other, sizeof other, k);
            ps_scn__join_key(first, sizeof first, k == 0 ? "" : other, "name");
            return ps_scn__fail_at(
                c, PS_EINVAL, ps_scn__value_loc(c, path),
                "%s = '%s' is already the name of %s (line %ld); member names must "
                "be unique, each names an output group",
                path, v->name, other, ps_scn__value_loc(c, first).line);
        }
    }
    return PS_OK;
}

/* The member that variant `index` extends: the top level, or an earlier member by name. */
static ps_status find_parent(const load_ctx *c, const char *item, const raw_scenario *raw,
                             int index, const ps_scn_member **parent)
{
    const raw_variant *v = &raw->variants[index - 1];
    char path[PATH_MAX_LEN], names[256] = "";
    ps_scn__join_key(path, sizeof path, item, "extends");
    *parent = &c->scn->members[0];
    if (v->extends == NULL) {
        return PS_OK;
    }
    for (int k = 0; k < index; ++k) {
        const char *name = c->scn->members[k].name;
        size_t used = strlen(names);
        if (strcmp(name, v->extends) == 0) {
            *parent = &c->scn->members[k];
            return PS_OK;
        }
        snprintf(names + used, sizeof names - used, "%s%s", k > 0 ? ", " : "", name);
    }
    for (uint32_t j = (uint32_t)index - 1; j < raw->n_variants; ++j) {
        if (raw->variants[j].name != NULL && strcmp(raw->variants[j].name, v->extends) == 0) {
            char later[PATH_MAX_LEN];
            snprintf(later, sizeof later, "variants[%u]", (unsigned)j);
            return ps_scn__fail_at(
                c, PS_EINVAL, ps_scn__value_loc(c, path),
                "%s = '%s' names %s, which is not defined before it; extends must "
                "name the top level or an earlier variant (%s)",
                path, v->extends, j == (uint32_t)index - 1 ? "the variant itself" : later, names);
        }
    }
    return ps_scn__fail_at(
        c, PS_EINVAL, ps_scn__value_loc(c, path),
        "%s = '%s' names no member; extends must name the top level or an earlier "
        "variant (%s)",
        path, v->extends, names);
}

static ps_status build_variant(const load_ctx *c, const raw_scenario *raw, int index)
{
    ps_scn_member *m = &c->scn->members[index];
    const raw_variant *v = &raw->variants[index - 1];
    const ps_scn_member *parent = NULL;
    char item[PATH_MAX_LEN], sub[PATH_MAX_LEN];
    ps_status rc = PS_OK;
    ps_scn__join_index(item, sizeof item, "variants", (size_t)index - 1);
    if ((rc = check_variant_name(c, item, v, index)) != PS_OK ||
        (rc = find_parent(c, item, raw, index, &parent)) != PS_OK ||
        (rc = ps_scn__copy_text(c, &m->name, v->name)) != PS_OK ||
        (rc = ps_scn__copy_text(c, &m->title, v->title)) != PS_OK ||
        (rc = ps_scn__copy_text(c, &m->extends, parent->name)) != PS_OK ||
        (rc = ps_scn__inherit(c, m, parent)) != PS_OK ||
        (rc = ps_scn__inherit_services(c, m, parent)) != PS_OK) {
        return rc;
    }
    m->loc = ps_scn__value_loc(c, item);
    ps_scn__join_key(sub, sizeof sub, item, "response");
    ps_scn__build_response(c, sub, m, &v->response);
    ps_scn__join_key(sub, sizeof sub, item, "economy");
    if ((rc = ps_scn__build_economy(c, sub, &m->economy, &v->economy)) != PS_OK) {
        return rc;
    }
    ps_scn__join_key(sub, sizeof sub, item, "policies");
    if ((rc = ps_scn__add_policies(c, sub, m, v->policies, v->n_policies)) != PS_OK) {
        return rc;
    }
    ps_scn__join_key(sub, sizeof sub, item, "services");
    return ps_scn__add_services(c, sub, m, v->services, v->n_services);
}

/*
 * Warnings for what changes results silently (issue #16): each names the key, its location
 * and what to write instead; none stops the run.
 */
static ps_status warn_silent_choices(const load_ctx *c, const raw_scenario *raw)
{
    const ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    /* A location used for age patterns only still brings WPP's sex ratio at birth. */
    const int own_levels = raw->population.file != NULL &&
                           (raw->mortality.mx_file != NULL || raw->mortality.e0_file != NULL) &&
                           (raw->fertility.asfr_file != NULL || raw->fertility.tfr_file != NULL ||
                            ps_scn__given(c, "fertility.tfr"));
    if (scn->location != NULL && own_levels && !ps_scn__given(c, "srb")) {
        rc = ps_scn__warn_at(
            c, ps_scn__value_loc(c, "data.location"),
            "data.location = '%s' also supplies the sex ratio at birth (UN WPP's), since "
            "no srb is given: set srb.value or srb.file to use your own",
            scn->location);
    }
    /* Policies at the top level with no variant: nothing to compare them with. */
    if (rc == PS_OK && raw->n_policies > 0 && raw->n_variants == 0) {
        rc = ps_scn__warn_at(
            c, ps_scn__value_loc(c, "policies"),
            "policies are given at the top level and there are no variants, so there "
            "is no baseline to compare with: births gained and cost per additional "
            "birth are not computed; put the policies in a variant "
            "(variants: - {name: policy, extends: %s, policies: [...]})",
            scn->name);
    }
    /* A net migration total split by sex with the default share. */
    if (rc == PS_OK &&
        (ps_scn__given(c, "migration.total") || ps_scn__given(c, "migration.total_file")) &&
        !ps_scn__given(c, "migration.male_share")) {
        rc = ps_scn__warn_at(
            c,
            ps_scn__value_loc(c, ps_scn__given(c, "migration.total") ? "migration.total"
                                                                     : "migration.total_file"),
            "migration.male_share is not given: assuming half of the net migrants are "
            "male (0.5); set it from your migration statistics");
    }
    return rc;
}

ps_status ps_scn__build_family(const load_ctx *c, const raw_scenario *raw)
{
    ps_scenario *scn = c->scn;
    const size_t n = 1 + (size_t)raw->n_variants;
    ps_status rc = ps_scn__build_birth_order(c, raw);
    if (rc != PS_OK) {
        return rc;
    }
    if ((scn->members = calloc(n, sizeof *scn->members)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    scn->n_members = (int)n;
    rc = build_baseline(c, raw);
    for (int index = 1; index < scn->n_members && rc == PS_OK; ++index) {
        rc = build_variant(c, raw, index);
    }
    if (rc == PS_OK) {
        rc = ps_scn__build_sweep(c, scn, c->err); /* issue #15: io/sweep.c */
    }
    return rc == PS_OK ? warn_silent_choices(c, raw) : rc;
}

/*
 * scenario/build_regions.c - builders of regions, internal_migration and registration
 * (multiregional scenarios).
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "io/scenario/scenario_int.h"

/* scn->path as given and scn->dir, its folder ("." when the path names no folder). */
/* ---------------------------------------------------------------------------------------
 * Pass 4d: regions and internal migration (issue #13). Each item's name is unique; the
 * single-region `region` label, internal migration without regions and the origin-
 * destination output of the microsimulation are refused at their keys.
 */
static ps_status build_region(const load_ctx *c, const char *item, const raw_region *raw,
                              ps_scn_region *r)
{
    char key[PATH_MAX_LEN];
    ps_status rc = ps_scn__copy_text(c, &r->name, raw->name);
    ps_scn__join_key(key, sizeof key, item, "name");
    r->loc = ps_scn__value_loc(c, key);
    const struct { const char *key; ps_scn_file *f; const char *v; } files[] = {
        { "population", &r->population, raw->population },
        { "mx_file", &r->mx_file, raw->mx_file },
        { "asfr_file", &r->asfr_file, raw->asfr_file },
        { "migration_file", &r->migration_file, raw->migration_file },
    };
    for (size_t i = 0; rc == PS_OK && i < ARRAY_LEN(files); ++i) {
        ps_scn__join_key(key, sizeof key, item, files[i].key);
        rc = ps_scn__set_file(c, files[i].f, files[i].v, key);
    }
    ps_scn__join_key(key, sizeof key, item, "tfr");
    r->has_tfr = ps_scn__given(c, key);
    r->tfr = raw->tfr;
    ps_scn__join_key(key, sizeof key, item, "srb");
    r->has_srb = ps_scn__given(c, key);
    r->srb = raw->srb;
    ps_scn__join_key(key, sizeof key, item, "registered_share");
    r->has_registered_share = ps_scn__given(c, key);
    r->registered_share = raw->registered_share;
    if (rc == PS_OK && r->has_registered_share && !ps_scn__given(c, "registration")) {
        rc = ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, key), "%s.registered_share needs a "
                     "registration: section (the status rules)", item);
    }
    ps_scn__join_key(key, sizeof key, item, "migration_total");
    r->has_migration_total = ps_scn__given(c, key);
    r->migration_total = raw->migration_total;
    if (rc == PS_OK && r->has_migration_total && r->migration_file.path != NULL) {
        rc = ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, key), "%s: give migration_file or "
                     "migration_total, not both", item);
    }
    return rc;
}

static ps_status check_region_names(const load_ctx *c, const ps_scenario *scn)
{
    for (int i = 1; i < scn->n_regions; ++i) {
        for (int j = 0; j < i; ++j) {
            if (strcmp(scn->regions[i].name, scn->regions[j].name) == 0) {
                return ps_scn__fail_at(c, PS_EINVAL, scn->regions[i].loc, "regions[%d].name = '%s' "
                               "repeats regions[%d]; region names must be unique", i,
                               scn->regions[i].name, j);
            }
        }
    }
    return PS_OK;
}

ps_status ps_scn__build_registration(const load_ctx *c, const raw_registration *raw)
{
    ps_scenario *scn = c->scn;
    if (!ps_scn__given(c, "registration")) {
        return PS_OK;
    }
    if (!ps_scn__given(c, "registration.registered_share")) {
        return ps_scn__missing_key(c, "registration.registered_share",
                                   "registration rules need the "
                                   "statuses: the registered share of the base population");
    }
    scn->registration.enabled = 1;
    scn->registration.registered_share = raw->registered_share;
    scn->registration.conversion_rate = raw->conversion_rate;
    scn->registration.arrive_registered = raw->arrive_registered;
    scn->registration.conversion_from_age =
        ps_scn__given(c, "registration.conversion_from_age")
            ? (int)raw->conversion_from_age
            : (int)ps_scn__registration_defaults.conversion_from_age;
    scn->registration.conversion_to_age =
        ps_scn__given(c, "registration.conversion_to_age")
            ? (int)raw->conversion_to_age
            : (int)ps_scn__registration_defaults.conversion_to_age;
    if (scn->registration.conversion_to_age < scn->registration.conversion_from_age) {
        return ps_scn__fail_at(
            c, PS_EINVAL, ps_scn__value_loc(c, "registration.conversion_to_age"),
            "registration.conversion_to_age = %d is below conversion_from_age = %d",
            scn->registration.conversion_to_age, scn->registration.conversion_from_age);
    }
    return PS_OK;
}

ps_status ps_scn__build_regions(const load_ctx *c, const raw_scenario *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    scn->internal_migration.schedule = ps_scn__schedule_defaults;
    if (raw->n_regions == 0) {
        return ps_scn__given(c, "internal_migration")
                   ? ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, "internal_migration"),
                                     "internal_migration needs a `regions:` list to move people "
                                     "between")
                   : PS_OK;
    }
    scn->regions_loc = ps_scn__value_loc(c, "regions");
    if (ps_scn__given(c, "region")) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, "region"),
                               "region labels the single region; "
                               "with `regions:` each item has its own name");
    }
    if ((scn->regions = calloc(raw->n_regions, sizeof *scn->regions)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    scn->n_regions = (int)raw->n_regions;
    for (uint32_t i = 0; rc == PS_OK && i < raw->n_regions; ++i) {
        char item[PATH_MAX_LEN];
        snprintf(item, sizeof item, "regions[%u]", i);
        rc = build_region(c, item, &raw->regions[i], &scn->regions[i]);
    }
    if (rc == PS_OK) {
        rc = check_region_names(c, scn);
    }
    for (int r = 0; rc == PS_OK && r < scn->n_regions; ++r) {
        if (scn->regions[r].population.path == NULL && scn->population.file.path == NULL &&
            scn->location == NULL) {
            rc = ps_scn__fail_at(c, PS_EINVAL, scn->regions[r].loc, "regions[%d] ('%s') needs a "
                         "population file: there is no population.file or data.location to "
                         "share", r, scn->regions[r].name);
        }
    }
    if (rc == PS_OK && ps_scn__given(c, "internal_migration")) {
        ps_scn__overlay_given(c, "internal_migration.schedule", &ps_scn__schedule_section,
                              &scn->internal_migration.schedule, &raw->internal_migration.schedule);
        rc = ps_scn__set_file(c, &scn->internal_migration.file, raw->internal_migration.file,
                              "internal_migration.file");
        scn->internal_migration.output_flows = raw->internal_migration.output_flows;
    }
    if (rc == PS_OK && scn->engine == PS_ENGINE_MICRO && scn->internal_migration.output_flows) {
        rc = ps_scn__fail_at(c, PS_EINVAL,
                             ps_scn__value_loc(c, "internal_migration.output_flows"),
                             "internal_migration.output_flows needs engine: ccm (the "
                             "microsimulation writes in-, out- and net migration by region, "
                             "not the origin-destination flows)");
    }
    return rc;
}

ps_status ps_scn__set_origin(const load_ctx *c, const char *path)
{
    ps_scenario *scn = c->scn;
    const char *slash = strrchr(path, '/');
    if ((scn->path = ps__strdup(path)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory");
    }
    if (slash == NULL) {
        scn->dir = ps__strdup(".");
    } else {
        scn->dir = ps__strndup(path, slash == path ? 1 : (size_t)(slash - path));
    }
    return scn->dir != NULL ? PS_OK : ps_error_set(c->err, PS_ENOMEM, "out of memory");
}

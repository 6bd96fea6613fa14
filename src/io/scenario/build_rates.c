/*
 * scenario/build_rates.c - builders of the top level, data, population, mortality, fertility, srb
 * and migration.
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "io/scenario/scenario_int.h"

ps_status ps_scn__build_top(const load_ctx *c, const raw_scenario *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    for (size_t k = 0; k < ps_scn__top_section.n_keys && rc == PS_OK; ++k) {
        if (ps_scn__top_keys[k].required && !ps_scn__given(c, ps_scn__top_keys[k].key)) {
            rc = ps_scn__missing_key(c, ps_scn__top_keys[k].key, "");
        }
    }
    if (rc != PS_OK) {
        return rc;
    }
    scn->start_year = (int)raw->start; /* both checked against [1950, 2300] in pass 4a */
    scn->end_year = (int)raw->end;
    if (scn->end_year <= scn->start_year) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, "end"),
                               "end = %d must be later than start = %d (calendar years)",
                               scn->end_year, scn->start_year);
    }
    scn->engine = (ps_engine_kind)raw->engine; /* PS_ENGINE_CCM (0) when absent */
    if ((rc = ps_scn__build_micro(c, &raw->micro)) != PS_OK ||
        (rc = ps_scn__copy_text(c, &scn->name, raw->name)) != PS_OK ||
        (rc = ps_scn__copy_text(c, &scn->title, raw->title)) != PS_OK) {
        return rc;
    }
    return ps_scn__copy_text(c, &scn->region_name, raw->region);
}

ps_status ps_scn__build_data(const load_ctx *c, const raw_data *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    scn->wpp_dir_loc = ps_scn__value_loc(c, "data.wpp_dir");
    scn->location_loc = ps_scn__value_loc(c, "data.location");
    if ((rc = ps_scn__resolve_path(c, &scn->wpp_dir, raw->wpp_dir)) != PS_OK ||
        (rc = ps_scn__copy_text(c, &scn->location, raw->location)) != PS_OK) {
        return rc;
    }
    if (scn->wpp_dir != NULL && scn->location == NULL) {
        rc = ps_scn__warn_at(c, scn->wpp_dir_loc,
                             "data.wpp_dir has no effect without data.location (every input comes "
                             "from files)");
    }
    return rc;
}

ps_status ps_scn__build_population(const load_ctx *c, const raw_population *raw)
{
    ps_scenario *scn = c->scn;
    if (raw->file == NULL && scn->location == NULL && !ps_scn__given(c, "regions")) {
        return ps_scn__missing_key(
            c, "population.file",
            "without data.location the base population must come from a file");
    }
    ps_status rc = ps_scn__set_file(c, &scn->population.file, raw->file, "population.file");
    ps_scn_file *files[] = { &scn->population.file };
    return rc != PS_OK ? rc : ps_scn__apply_sheet(c, raw->sheet, "population.sheet", files, 1);
}

ps_status ps_scn__build_mortality(const load_ctx *c, const raw_mortality *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    if (raw->e0_file != NULL && raw->mx_file == NULL && scn->location == NULL) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, "mortality.e0_file"),
                               "mortality.e0_file needs an age pattern of mortality to scale: give "
                               "mortality.mx_file or data.location");
    }
    if (raw->mx_file == NULL && scn->location == NULL) {
        return ps_scn__missing_key(c, "mortality.mx_file",
                                   "without data.location death rates must come from a file");
    }
    if ((rc = ps_scn__set_file(c, &scn->mortality.mx_file, raw->mx_file, "mortality.mx_file")) !=
        PS_OK) {
        return rc;
    }
    if ((rc = ps_scn__set_file(c, &scn->mortality.e0_file, raw->e0_file, "mortality.e0_file")) !=
        PS_OK) {
        return rc;
    }
    ps_scn_file *files[] = { &scn->mortality.mx_file, &scn->mortality.e0_file };
    return ps_scn__apply_sheet(c, raw->sheet, "mortality.sheet", files, 2);
}

/* The pattern rules of fertility, before anything is copied. */
static ps_status check_fertility_pattern(const load_ctx *c, const raw_fertility *raw,
                                         ps_fert_pattern pattern)
{
    const bool has_level =
        ps_scn__given(c, "fertility.tfr") || ps_scn__given(c, "fertility.tfr_file");
    const bool has_loc = c->scn->location != NULL;
    const ps_scn_loc at = ps_scn__value_loc(c, "fertility.pattern");
    if (ps_scn__given(c, "fertility.mean_age") && pattern != PS_FERT_PATTERN_HADWIGER) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, "fertility.mean_age"),
                               "fertility.mean_age only applies to pattern: hadwiger");
    }
    switch (pattern) {
    case PS_FERT_PATTERN_HADWIGER:
        if (!ps_scn__given(c, "fertility.mean_age")) {
            return ps_scn__fail_at(
                c, PS_EINVAL, at,
                "fertility.pattern: hadwiger needs fertility.mean_age (mean age of "
                "childbearing, 15..45 years)");
        }
        if (!has_level && !has_loc) {
            return ps_scn__fail_at(c, PS_EINVAL, at,
                                   "fertility.pattern: hadwiger gives only an age shape: without "
                                   "data.location add fertility.tfr or fertility.tfr_file");
        }
        break;
    case PS_FERT_PATTERN_WPP:
        if (!has_loc) {
            return ps_scn__fail_at(
                c, PS_EINVAL, at,
                "fertility.pattern: wpp needs data.location (whose WPP age pattern "
                "is used)");
        }
        break;
    case PS_FERT_PATTERN_ASFR_FILE:
        if (raw->asfr_file == NULL) {
            return ps_scn__fail_at(c, PS_EINVAL, at, "fertility.pattern: asfr_file needs "
                                             "fertility.asfr_file");
        }
        break;
    case PS_FERT_PATTERN_DEFAULT: break;
    }
    if (raw->asfr_file != NULL &&
        (pattern == PS_FERT_PATTERN_WPP || pattern == PS_FERT_PATTERN_HADWIGER)) {
        return ps_scn__fail_at(
            c, PS_EINVAL, ps_scn__value_loc(c, "fertility.asfr_file"),
            "fertility.asfr_file contradicts fertility.pattern: %s (line %ld), which "
            "already gives the age shape",
            pattern == PS_FERT_PATTERN_WPP ? "wpp" : "hadwiger", at.line);
    }
    return PS_OK;
}

/* Without data.location, fertility must be complete from the file alone. */
static ps_status check_fertility_source(const load_ctx *c, const raw_fertility *raw,
                                        ps_fert_pattern pattern)
{
    if (c->scn->location != NULL || raw->asfr_file != NULL ||
        pattern == PS_FERT_PATTERN_HADWIGER) {
        return PS_OK; /* the hadwiger case was checked for a level already */
    }
    const char *level = ps_scn__given(c, "fertility.tfr")        ? "fertility.tfr"
                        : ps_scn__given(c, "fertility.tfr_file") ? "fertility.tfr_file"
                                                         : NULL;
    if (level != NULL) {
        return ps_scn__fail_at(
            c, PS_EINVAL, ps_scn__value_loc(c, level),
            "%s needs an age pattern: without data.location set fertility.pattern: "
            "hadwiger (with mean_age) or give fertility.asfr_file",
            level);
    }
    return ps_scn__missing_key(
        c, "fertility.asfr_file",
        "without data.location give fertility.asfr_file, or fertility.tfr or "
        "tfr_file with pattern: hadwiger");
}

ps_status ps_scn__build_fertility(const load_ctx *c, const raw_fertility *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = PS_OK;
    ps_fert_pattern pattern = (ps_fert_pattern)raw->pattern; /* DEFAULT (0) when absent */
    if ((rc = ps_scn__exclusive(c, "fertility.tfr", "fertility.tfr_file",
                                "give a constant tfr or a tfr_file, not both")) != PS_OK ||
        (rc = check_fertility_pattern(c, raw, pattern)) != PS_OK ||
        (rc = check_fertility_source(c, raw, pattern)) != PS_OK) {
        return rc;
    }
    const char *level = ps_scn__given(c, "fertility.tfr")        ? "fertility.tfr"
                        : ps_scn__given(c, "fertility.tfr_file") ? "fertility.tfr_file"
                                                         : NULL;
    if (raw->asfr_file != NULL && level != NULL && pattern == PS_FERT_PATTERN_DEFAULT) {
        pattern = PS_FERT_PATTERN_ASFR_FILE;
        if ((rc = ps_scn__warn_at(c, ps_scn__value_loc(c, level),
                                  "%s rescales the age pattern of fertility.asfr_file (pattern: "
                                  "asfr_file assumed)",
                                  level)) != PS_OK) {
            return rc;
        }
    }
    scn->fertility.has_tfr = ps_scn__given(c, "fertility.tfr");
    scn->fertility.tfr = raw->tfr;
    scn->fertility.tfr_loc = ps_scn__value_loc(c, "fertility.tfr");
    scn->fertility.pattern = pattern;
    scn->fertility.pattern_loc = ps_scn__value_loc(c, "fertility.pattern");
    scn->fertility.has_mean_age = ps_scn__given(c, "fertility.mean_age");
    scn->fertility.mean_age = raw->mean_age;
    if ((rc = ps_scn__set_file(c, &scn->fertility.asfr_file, raw->asfr_file,
                               "fertility.asfr_file")) != PS_OK) {
        return rc;
    }
    if ((rc = ps_scn__set_file(c, &scn->fertility.tfr_file, raw->tfr_file, "fertility.tfr_file")) !=
        PS_OK) {
        return rc;
    }
    ps_scn_file *files[] = { &scn->fertility.asfr_file, &scn->fertility.tfr_file };
    return ps_scn__apply_sheet(c, raw->sheet, "fertility.sheet", files, 2);
}

ps_status ps_scn__build_srb(const load_ctx *c, const raw_srb *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc =
        ps_scn__exclusive(c, "srb.value", "srb.file", "give a constant value or a file, not both");
    if (rc != PS_OK) {
        return rc;
    }
    scn->srb.has_value = ps_scn__given(c, "srb.value");
    scn->srb.value = raw->value;
    scn->srb.value_loc = ps_scn__value_loc(c, "srb.value");
    if (!scn->srb.has_value && raw->file == NULL && scn->location == NULL) {
        scn->srb.has_value = 1;
        scn->srb.value = PS_SRB_DEFAULT;
        rc = ps_scn__warn_at(
            c, ps_scn__missing_loc(c, "srb"),
            "no srb.value, srb.file or data.location: assuming %.2f male births per "
            "female birth",
            PS_SRB_DEFAULT);
        if (rc != PS_OK) {
            return rc;
        }
    }
    if ((rc = ps_scn__set_file(c, &scn->srb.file, raw->file, "srb.file")) != PS_OK) {
        return rc;
    }
    ps_scn_file *files[] = { &scn->srb.file };
    return ps_scn__apply_sheet(c, raw->sheet, "srb.sheet", files, 1);
}

static ps_status check_migration(const load_ctx *c, const raw_migration *raw)
{
    static const char *const sources[] = { "migration.file", "migration.total",
                                           "migration.total_file" };
    static const char *const spread[] = { "migration.male_share", "migration.schedule" };
    ps_status rc = PS_OK;
    for (size_t i = 0; i < ARRAY_LEN(sources) && rc == PS_OK; ++i) {
        if (raw->none && ps_scn__given(c, sources[i])) {
            rc = ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, sources[i]),
                                 "%s contradicts migration.none: true (line %ld), which means no "
                                 "migration",
                                 sources[i], ps_scn__value_loc(c, "migration.none").line);
        }
        for (size_t j = i + 1; j < ARRAY_LEN(sources) && rc == PS_OK; ++j) {
            rc = ps_scn__exclusive(c, sources[i], sources[j],
                                   "give one of migration.file, total and total_file");
        }
    }
    const bool has_total =
        ps_scn__given(c, "migration.total") || ps_scn__given(c, "migration.total_file");
    for (size_t i = 0; i < ARRAY_LEN(spread) && rc == PS_OK; ++i) {
        if (ps_scn__given(c, spread[i]) && !has_total) {
            rc = ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, spread[i]),
                                 "%s only applies with migration.total or migration.total_file",
                                 spread[i]);
        }
    }
    return rc;
}

ps_status ps_scn__build_migration(const load_ctx *c, const raw_migration *raw)
{
    ps_scenario *scn = c->scn;
    ps_status rc = check_migration(c, raw);
    if (rc != PS_OK) {
        return rc;
    }
    const bool has_source = ps_scn__given(c, "migration.file") ||
                            ps_scn__given(c, "migration.total") ||
                            ps_scn__given(c, "migration.total_file");
    scn->migration.none = raw->none;
    if (!raw->none && !has_source && scn->location == NULL) {
        if (ps_scn__given(c, "migration.none")) {
            return ps_scn__fail_at(
                c, PS_EINVAL, ps_scn__value_loc(c, "migration.none"),
                "migration.none: false needs migration.file, total or total_file "
                "when there is no data.location");
        }
        scn->migration.none = 1;
        rc =
            ps_scn__warn_at(c, ps_scn__missing_loc(c, "migration"),
                            "no migration input and no data.location: assuming a closed population "
                            "(migration.none: true)");
        if (rc != PS_OK) {
            return rc;
        }
    }
    scn->migration.has_total = ps_scn__given(c, "migration.total");
    scn->migration.total = raw->total;
    scn->migration.total_loc = ps_scn__value_loc(c, "migration.total");
    scn->migration.male_share =
        ps_scn__given(c, "migration.male_share") ? raw->male_share : SCN_MALE_SHARE_DEFAULT;
    /* Start from the fundamental schedule and copy over only the parameters given. */
    scn->migration.schedule = ps_scn__schedule_defaults;
    ps_scn__overlay_given(c, "migration.schedule", &ps_scn__schedule_section,
                          &scn->migration.schedule, &raw->schedule);
    if ((rc = ps_scn__set_file(c, &scn->migration.file, raw->file, "migration.file")) != PS_OK) {
        return rc;
    }
    if ((rc = ps_scn__set_file(c, &scn->migration.total_file, raw->total_file,
                               "migration.total_file")) != PS_OK) {
        return rc;
    }
    ps_scn_file *files[] = { &scn->migration.file, &scn->migration.total_file };
    return ps_scn__apply_sheet(c, raw->sheet, "migration.sheet", files, 2);
}

/* ---------------------------------------------------------------------------------------
 * Pass 4c: the scenario family. members[0] is the top level; each variant starts from a
 * deep copy of the member it extends and applies its own economy, response and policies.
 * Each policy is checked against its lever and the projection window, and each member's
 * resolved list against two windows of one name in force in the same year.
 */

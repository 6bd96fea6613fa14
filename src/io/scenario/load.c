/*
 * scenario/load.c - ps_scn_load: the pass order, the scenario tree for sweep.c, ps_scn_release.
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "io/scenario/scenario_int.h"
#include "io/uncertainty_int.h"

static ps_status build_scenario(const load_ctx *c, const raw_scenario *raw, const char *path)
{
    ps_status rc = PS_OK;
    if ((rc = ps_scn__set_origin(c, path)) != PS_OK || (rc = ps_scn__build_top(c, raw)) != PS_OK ||
        (rc = ps_scn__build_data(c, &raw->data)) != PS_OK ||
        (rc = ps_scn__build_population(c, &raw->population)) != PS_OK ||
        (rc = ps_scn__build_mortality(c, &raw->mortality)) != PS_OK ||
        (rc = ps_scn__build_fertility(c, &raw->fertility)) != PS_OK ||
        (rc = ps_scn__build_srb(c, &raw->srb)) != PS_OK) {
        return rc;
    }
    if ((rc = ps_scn__build_migration(c, &raw->migration)) != PS_OK ||
        (rc = ps_scn__build_care_need(c, &raw->care_need)) != PS_OK ||
        (rc = ps_scn__check_micro_care(c)) != PS_OK ||
        (rc = ps_scn__build_registration(c, &raw->registration)) != PS_OK ||
        (rc = ps_scn__build_regions(c, raw)) != PS_OK) {
        return rc;
    }
    if ((rc = ps_scn__build_family(c, raw)) != PS_OK) {
        return rc;
    }
    if ((rc = ps_scn__build_parity(c)) != PS_OK) { /* issue #12: scenario/build_parity.c */
        return rc;
    }
    return ps_scn__build_uncertainty(c, c->scn, c->err); /* issue #14: io/uncertainty.c */
}

/* ---------------------------------------------------------------------------------------
 * What io/sweep.c reads through (io/sweep_int.h): the locator, the key tables' numeric
 * rows and the member copy of `extends`.
 */
static void node_out(ps_scn__node *out, const loc_entry *e)
{
    out->path = e->path;
    out->key = e->key;
    out->value = e->value;
    out->kind = (int)e->kind;
    out->text = e->text;
}

int ps_scn__find(const struct load_ctx *c, const char *path, ps_scn__node *out)
{
    const loc_entry *e = ps_scn__locator_find(&c->loc, path);
    if (e != NULL) {
        node_out(out, e);
    }
    return e != NULL;
}

size_t ps_scn__n_nodes(const struct load_ctx *c)
{
    return c->loc.n;
}

void ps_scn__node_at(const struct load_ctx *c, size_t index, ps_scn__node *out)
{
    node_out(out, &c->loc.entries[index]);
}

int ps_scn__number_key(const char *section, const char *key, ps_scn__numkey *out)
{
    const scn_section *sec = strcmp(section, "policies") == 0   ? &ps_scn__policy_section
                             : strcmp(section, "response") == 0 ? &ps_scn__response_section
                             : strcmp(section, "economy") == 0  ? &ps_scn__economy_section
                             : strcmp(section, "uptake_path") == 0 ? &ps_scn__point_section
                                                                   : NULL;
    const scn_key *row = sec != NULL ? ps_scn__section_key(sec, key, strlen(key)) : NULL;
    if (row == NULL || strlen(row->key) != strlen(key) ||
        (row->type != KEY_INT && row->type != KEY_REAL && row->type != KEY_YEARS)) {
        return 0;
    }
    out->offset = row->offset;
    out->is_int = row->type == KEY_INT;
    out->min = row->min;
    out->max = row->max;
    out->unit = row->unit;
    out->levers = row->levers;
    return 1;
}

ps_status ps_scn__copy_member(const struct load_ctx *c, ps_scn_member *dst,
                              const ps_scn_member *src)
{
    ps_status rc = ps_scn__inherit(c, dst, src);
    if (rc == PS_OK) {
        rc = ps_scn__inherit_services(c, dst, src);
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Public API.
 */
ps_status ps_scn_load(ps_scenario *out, const char *path, ps_error *err)
{
    return ps_scn_load_with(out, path, NULL, err);
}

ps_status ps_scn_load_with(ps_scenario *out, const char *path, const ps_cancel *cancel,
                           ps_error *err)
{
    assert(out != NULL && path != NULL);
    ps_scenario scn;
    load_ctx c = { .file = path, .scn = &scn, .err = err };
    raw_scenario *raw = NULL;
    char *text = NULL;
    size_t len = 0;
    ps_status rc = PS_OK;
    memset(&scn, 0, sizeof scn);
    memset(out, 0, sizeof *out);
    if ((rc = ps_scn__read_file(&text, &len, path, cancel, err)) != PS_OK ||
        (rc = ps_scn__locator_build(&c.loc, text, len, path, err)) != PS_OK ||
        (rc = ps_scn__load_raw(&raw, &c, text, len)) != PS_OK ||
        (rc = ps_scn__check_section(&c, "", &ps_scn__top_section, raw)) != PS_OK) {
        goto done;
    }
    if ((rc = build_scenario(&c, raw, path)) == PS_OK) {
        ps_sha256_hex(scn.sha256, text, len); /* of the bytes read: the file is read once */
    }
done:
    ps_scn__free_raw(raw);
    ps_scn__locator_free(&c.loc);
    free(text);
    if (rc == PS_OK) {
        *out = scn;
    } else {
        ps_scn_release(&scn);
    }
    return rc;
}

void ps_scn_release(ps_scenario *scn)
{
    if (scn == NULL) {
        return;
    }
    char *owned[] = { scn->path, scn->dir, scn->name, scn->title, scn->wpp_dir, scn->location,
                      scn->region_name, scn->population.file.path, scn->mortality.mx_file.path,
                      scn->mortality.e0_file.path, scn->fertility.asfr_file.path,
                      scn->fertility.tfr_file.path, scn->srb.file.path, scn->migration.file.path,
                      scn->migration.total_file.path };
    for (size_t i = 0; i < ARRAY_LEN(owned); ++i) {
        free(owned[i]);
    }
    for (int k = 0; k < scn->n_members; ++k) {
        ps_scn_member *m = &scn->members[k];
        for (int i = 0; i < m->n_policies; ++i) {
            free(m->policies[i].name);
        }
        free(m->policies);
        free(m->policy_locs);
        for (int i = 0; i < m->n_services; ++i) {
            ps_service_release(&m->services[i]);
        }
        free(m->services);
        free(m->name);
        free(m->title);
        free(m->extends);
    }
    free(scn->members);
    ps_scn__sweep_release(&scn->sweep);
    ps_scn__unc_release(&scn->uncertainty);
    ps_scn__parity_release(scn);
    for (int r = 0; r < scn->n_regions; ++r) {
        free(scn->regions[r].name);
        free(scn->regions[r].population.path);
        free(scn->regions[r].mx_file.path);
        free(scn->regions[r].asfr_file.path);
        free(scn->regions[r].migration_file.path);
    }
    free(scn->regions);
    free(scn->internal_migration.file.path);
    ps_care_need_release(&scn->care_need);
    for (int w = 0; w < scn->n_warnings; ++w) {
        free(scn->warnings[w]);
    }
    free(scn->warnings);
    memset(scn, 0, sizeof *scn);
}

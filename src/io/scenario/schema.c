/*
 * scenario/schema.c - pass 3: the libcyaml schema generated from the key tables, and libcyaml's
 * log turned into one located message.
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "io/scenario/scenario_int.h"

/* ---------------------------------------------------------------------------------------
 * Pass 3: libcyaml. Its schema is generated from the key tables into a caller-owned
 * buffer (no allocation, no mutable statics); every field is optional because required
 * keys are checked in pass 4, where the message can say what the key means.
 */
/* item schemas: policies, variants, variants[].policies, care_need's levels, prevalence and
 * settings, and twice (top level, variants) services with their classes, uptake_path,
 * capacity.path, extra_staff and home_services */
#define SCHEMA_ITEMS (3 + 3 + 1 + 2 * 6 + 1) /* + settings' by_level, + regions */

typedef struct schema_buf {
    cyaml_schema_field_t fields[SCN_SCHEMA_FIELDS_MAX];
    cyaml_schema_value_t items[SCHEMA_ITEMS];
    size_t used, used_items;
} schema_buf;

static const cyaml_schema_field_t *schema_fields(schema_buf *sb, const scn_section *sec);

/* The schema of one item of a KEY_SEQ: a mapping stored in place in the item array. */
static const cyaml_schema_value_t *schema_item(schema_buf *sb, const scn_section *sec)
{
    assert(sb->used_items < ARRAY_LEN(sb->items));
    cyaml_schema_value_t *v = &sb->items[sb->used_items++];
    memset(v, 0, sizeof *v);
    v->type = CYAML_MAPPING;
    v->flags = CYAML_FLAG_DEFAULT;
    v->data_size = sec->raw_size;
    v->mapping.fields = schema_fields(sb, sec);
    return v;
}

static cyaml_schema_value_t schema_value(schema_buf *sb, const scn_key *key)
{
    cyaml_schema_value_t v;
    memset(&v, 0, sizeof v);
    v.flags = CYAML_FLAG_OPTIONAL;
    switch (key->type) {
    case KEY_NAME:
    case KEY_TEXT:
    case KEY_PATH:
        v.type = CYAML_STRING;
        v.flags = CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER;
        v.data_size = sizeof(char);
        v.string.min = 0;
        v.string.max = CYAML_UNLIMITED;
        break;
    case KEY_INT:
        v.type = CYAML_INT;
        v.data_size = sizeof(int64_t);
        break;
    case KEY_REAL:
        v.type = CYAML_FLOAT;
        v.data_size = sizeof(double);
        break;
    case KEY_BOOL:
        v.type = CYAML_BOOL;
        v.data_size = sizeof(bool);
        break;
    case KEY_ENUM:
        v.type = CYAML_ENUM;
        v.flags = CYAML_FLAG_OPTIONAL | CYAML_FLAG_STRICT;
        v.data_size = sizeof(int);
        v.enumeration.strings = key->choices;
        v.enumeration.count = key->n_choices;
        break;
    case KEY_MAP:
        v.type = CYAML_MAPPING;
        v.data_size = key->sub->raw_size;
        v.mapping.fields = schema_fields(sb, key->sub);
        break;
    case KEY_SEQ:
        v.type = CYAML_SEQUENCE;
        v.flags = CYAML_FLAG_OPTIONAL | CYAML_FLAG_POINTER;
        v.data_size = key->sub->raw_size;
        v.sequence.entry = schema_item(sb, key->sub);
        v.sequence.min = 0;
        v.sequence.max = CYAML_UNLIMITED;
        break;
    case KEY_EXTERN:
    case KEY_YEARS: v.type = CYAML_IGNORE; break;
    }
    return v;
}

static const cyaml_schema_field_t *schema_fields(schema_buf *sb, const scn_section *sec)
{
    cyaml_schema_field_t *first = &sb->fields[sb->used];
    sb->used += sec->n_keys + 1; /* reserve before recursing into sub-sections */
    assert(sb->used <= ARRAY_LEN(sb->fields));
    for (size_t k = 0; k < sec->n_keys; ++k) {
        memset(&first[k], 0, sizeof first[k]);
        first[k].key = sec->keys[k].key;
        first[k].data_offset = (uint32_t)sec->keys[k].offset;
        if (sec->keys[k].type == KEY_SEQ) {
            first[k].count_offset = (uint32_t)sec->keys[k].count_offset;
            first[k].count_size = sizeof(uint32_t);
        }
        first[k].value = schema_value(sb, &sec->keys[k]);
    }
    memset(&first[sec->n_keys], 0, sizeof first[sec->n_keys]); /* CYAML_FIELD_END */
    return first;
}

/* libcyaml logs one error as several messages: the problem, then a backtrace of
 * "  in mapping field 'k' (line: N, column: M)" lines, innermost first. */
typedef struct cyaml_log_buf {
    char text[4096];
    size_t len;
} cyaml_log_buf;

static void capture_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
    PS_PRINTF(3, 0);
static void capture_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
    cyaml_log_buf *log = ctx;
    (void)level;
    if (log->len + 1 >= sizeof log->text) {
        return;
    }
    int n = vsnprintf(log->text + log->len, sizeof log->text - log->len, fmt, args);
    if (n > 0) {
        log->len += (size_t)n;
        if (log->len >= sizeof log->text) {
            log->len = sizeof log->text - 1;
        }
    }
}

typedef struct cyaml_report {
    char problem[256]; /* first message, "Load: " removed */
    char path[256];    /* dotted path of the innermost mapping field in the backtrace */
    ps_scn_loc at;     /* first location libcyaml gave; 0:0 if none */
} cyaml_report;

static void report_line(cyaml_report *r, const char *line, char fields[][64], size_t *n_fields,
                        size_t max_fields)
{
    static const char field_tag[] = "in mapping field '";
    static const char entry_tag[] = "in sequence entry '";
    const char *loc = strstr(line, "(line: ");
    if (loc != NULL && r->at.line == 0) {
        long ln = 0;
        int col = 0;
        if (sscanf(loc, "(line: %ld, column: %d)", &ln, &col) == 2) {
            r->at.line = ln;
            r->at.column = col;
        }
    }
    if (strncmp(line, field_tag, sizeof field_tag - 1) == 0 && loc != NULL &&
        *n_fields < max_fields) {
        const char *name = line + sizeof field_tag - 1;
        size_t n = (size_t)(loc - name) >= 2 ? (size_t)(loc - name) - 2 : 0; /* "' " */
        snprintf(fields[(*n_fields)++], 64, "%.*s", (int)n, name);
    } else if (strncmp(line, entry_tag, sizeof entry_tag - 1) == 0 && *n_fields < max_fields) {
        /* libcyaml counts entries from 1 */
        long entry = strtol(line + sizeof entry_tag - 1, NULL, 10);
        snprintf(fields[(*n_fields)++], 64, "[%ld]", entry > 0 ? entry - 1 : 0);
    } else if (strncmp(line, "in ", 3) != 0 && strncmp(line, "Backtrace:", 10) != 0 &&
               r->problem[0] == '\0') {
        snprintf(r->problem, sizeof r->problem, "%s", line);
    }
}

static void parse_cyaml_log(cyaml_report *r, const char *text)
{
    char fields[12][64];
    size_t n_fields = 0;
    memset(r, 0, sizeof *r);
    while (*text != '\0') {
        char line[sizeof r->problem];
        size_t n = strcspn(text, "\n");
        const char *s = text;
        text += n + (text[n] == '\n');
        if (strncmp(s, "Load: ", 6) == 0) {
            s += 6;
            n -= 6;
        }
        while (n > 0 && *s == ' ') {
            ++s;
            --n;
        }
        snprintf(line, sizeof line, "%.*s", (int)n, s);
        report_line(r, line, fields, &n_fields, ARRAY_LEN(fields));
    }
    for (size_t i = n_fields; i-- > 0;) { /* innermost first -> "outer.inner" */
        size_t used = strlen(r->path);
        snprintf(r->path + used, sizeof r->path - used, "%s%s",
                 used > 0 && fields[i][0] != '[' ? "." : "", fields[i]);
    }
}

/* Levenshtein distance of two short words, for "did you mean"; large if either is long. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    size_t row[65];
    if (na > 64 || nb > 64) {
        return SIZE_MAX;
    }
    for (size_t j = 0; j <= nb; ++j) {
        row[j] = j;
    }
    for (size_t i = 1; i <= na; ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; ++j) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            best = up + 1 < best ? up + 1 : best;
            best = row[j - 1] + 1 < best ? row[j - 1] + 1 : best;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

/* The lever an item of policies names, if its `lever` value is a known one. */
static bool item_lever(const load_ctx *c, const char *item, ps_lever *lever)
{
    char path[PATH_MAX_LEN];
    ps_scn__join_key(path, sizeof path, item, "lever");
    const loc_entry *e = ps_scn__locator_find(&c->loc, path);
    for (size_t i = 0; e != NULL && e->text != NULL && i < ps_scn__n_lever_choices; ++i) {
        if (strcmp(e->text, ps_scn__lever_choices[i].str) == 0) {
            *lever = (ps_lever)ps_scn__lever_choices[i].val;
            return true;
        }
    }
    return false;
}

/* Does row `key` of the policy table apply to `lever`? */
bool ps_scn__key_applies(const scn_key *key, ps_lever lever)
{
    return key->levers == 0 || (key->levers & LEVER_BIT(lever)) != 0;
}

/* "first, second, third, eligible_share, name, start, end": the keys of a lever, its own
 * first, then those of every lever except `lever` itself. */
void ps_scn__lever_keys_text(char *out, size_t size, ps_lever lever)
{
    out[0] = '\0';
    for (int pass = 0; pass < 2; ++pass) {
        for (size_t k = 0; k < ps_scn__policy_section.n_keys; ++k) {
            const scn_key *key = &ps_scn__policy_keys[k];
            bool own = key->levers != 0 && ps_scn__key_applies(key, lever);
            bool common = key->levers == 0 && strcmp(key->key, "lever") != 0;
            if ((pass == 0 && own) || (pass == 1 && common)) {
                size_t used = strlen(out);
                snprintf(out + used, size - used, "%s%s", used > 0 ? ", " : "", key->key);
            }
        }
    }
}

/* A fourth birth order (or later) where the keys stop at third. */
static bool is_later_order(const scn_section *sec, const char *key)
{
    static const char *const words[] = { "fourth", "forth", "fifth", "sixth", "4th", "5th" };
    bool has_orders = false;
    for (size_t k = 0; sec != NULL && k < sec->n_keys; ++k) {
        has_orders = has_orders || strstr(sec->keys[k].key, "third") != NULL;
    }
    for (size_t i = 0; has_orders && i < ARRAY_LEN(words); ++i) {
        if (strstr(key, words[i]) != NULL) {
            return true;
        }
    }
    return false;
}

static ps_status unknown_key_error(const load_ctx *c, const cyaml_report *r, const char *key)
{
    const scn_section *sec = ps_scn__find_section(r->path);
    char full[sizeof r->path + sizeof r->problem + 2], keys[400], where[sizeof r->path + 16];
    char hint[128], expect[64] = "expected one of";
    const char *closest = NULL;
    size_t best = 3; /* suggest only within two edits */
    ps_lever lever = PS_LEVER_BIRTH_REWARD;
    bool by_lever = sec == &ps_scn__policy_section && item_lever(c, r->path, &lever);
    ps_scn__join_key(full, sizeof full, r->path, key);
    const loc_entry *e = ps_scn__locator_find(&c->loc, full);
    ps_scn_loc at = e != NULL ? e->key : r->at;
    keys[0] = hint[0] = '\0';
    for (size_t k = 0; sec != NULL && k < sec->n_keys; ++k) {
        size_t used = strlen(keys);
        size_t d = edit_distance(key, sec->keys[k].key);
        if (!by_lever) {
            snprintf(keys + used, sizeof keys - used, "%s%s", k > 0 ? ", " : "",
                     sec->keys[k].key);
        }
        if (d < best && (!by_lever || ps_scn__key_applies(&sec->keys[k], lever))) {
            best = d;
            closest = sec->keys[k].key;
        }
    }
    if (by_lever) {
        ps_scn__lever_keys_text(keys, sizeof keys, lever);
        snprintf(expect, sizeof expect, "keys of lever %s", ps_lever_name(lever));
    }
    if (closest != NULL) {
        snprintf(hint, sizeof hint, "did you mean '%s'? ", closest);
    }
    if (r->path[0] == '\0') {
        snprintf(where, sizeof where, "the top-level mapping");
    } else {
        snprintf(where, sizeof where, "mapping '%s'", r->path);
    }
    return ps_scn__fail_at(c, PS_EPARSE, at, "unknown key '%s' in %s (%s%s: %s)%s", key, where,
                           hint, expect, keys,
                           is_later_order(sec, key) ? "; birth orders are first, second and third "
                                                      "(third = 3rd and later)"
                                                    : "");
}

static ps_status translate_cyaml(const load_ctx *c, cyaml_err_t code, const char *log)
{
    static const char unexpected[] = "Unexpected key: ";
    cyaml_report r;
    parse_cyaml_log(&r, log);
    if (strncmp(r.problem, unexpected, sizeof unexpected - 1) == 0) {
        return unknown_key_error(c, &r, r.problem + sizeof unexpected - 1);
    }
    bool item = false;
    const scn_key *key = r.path[0] != '\0' ? ps_scn__find_key_item(r.path, NULL, &item) : NULL;
    const loc_entry *e = key != NULL ? ps_scn__locator_find(&c->loc, r.path) : NULL;
    if (e != NULL && item) { /* an item of policies or variants that is not a mapping */
        return ps_scn__fail_at(c, PS_EPARSE, e->value,
                               "%s: expected a mapping of 'key: value' lines starting with '- %s:' "
                               "(got %s)",
                               r.path, key->sub->keys[0].key,
                               e->kind == NODE_SCALAR && ps_scn__is_null_text(e)
                                   ? "an empty item"
                                   : ps_scn__node_noun(e->kind));
    }
    if (e != NULL) {
        return ps_scn__type_error(c, key, r.path, e);
    }
    /* Not a shape this file knows: keep libcyaml's words and location. */
    ps_scn_loc at = r.at.line > 0 ? r.at : (ps_scn_loc){ 1, 1 };
    return ps_scn__fail_at(c, PS_EPARSE, at, "%s%s%s", r.path[0] ? r.path : "",
                           r.path[0] ? ": " : "", r.problem[0] ? r.problem : cyaml_strerror(code));
}

static const cyaml_config_t *cyaml_cfg(cyaml_config_t *cfg, cyaml_log_buf *log)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->log_fn = capture_log;
    cfg->log_ctx = log;
    cfg->mem_fn = cyaml_mem;
    cfg->log_level = CYAML_LOG_ERROR;
    cfg->flags = CYAML_CFG_NO_ALIAS;
    return cfg;
}

static cyaml_schema_value_t top_schema(schema_buf *sb)
{
    cyaml_schema_value_t v;
    memset(&v, 0, sizeof v);
    v.type = CYAML_MAPPING;
    v.flags = CYAML_FLAG_POINTER;
    v.data_size = ps_scn__top_section.raw_size;
    v.mapping.fields = schema_fields(sb, &ps_scn__top_section);
    return v;
}

ps_status ps_scn__load_raw(raw_scenario **raw, const load_ctx *c, const char *text, size_t len)
{
    schema_buf sb = { .used = 0, .used_items = 0 };
    cyaml_log_buf log = { .len = 0 };
    cyaml_config_t cfg;
    cyaml_data_t *data = NULL;
    const cyaml_schema_value_t schema = top_schema(&sb);
    log.text[0] = '\0';
    cyaml_err_t code = cyaml_load_data((const uint8_t *)text, len, cyaml_cfg(&cfg, &log),
                                       &schema, &data, NULL);
    if (code == CYAML_ERR_OOM) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory loading '%s'", c->file);
    }
    if (code != CYAML_OK) {
        return translate_cyaml(c, code, log.text);
    }
    *raw = data;
    return PS_OK;
}

void ps_scn__free_raw(raw_scenario *raw)
{
    schema_buf sb = { .used = 0, .used_items = 0 };
    cyaml_log_buf log = { .len = 0 };
    cyaml_config_t cfg;
    const cyaml_schema_value_t schema = top_schema(&sb);
    if (raw != NULL) {
        cyaml_free(cyaml_cfg(&cfg, &log), &schema, raw, 0);
    }
}

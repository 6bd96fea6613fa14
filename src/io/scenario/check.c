/*
 * scenario/check.c - value checks of pass 4 (each value against its key: type, range, text) and the
 * helpers every builder shares (located errors and warnings, given keys, paths, files).
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "io/scenario/scenario_int.h"

ps_status ps_scn__fail_at(const load_ctx *c, ps_status code, ps_scn_loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ps_status rc = ps_error_vset_at(c->err, code, c->file, at.line, at.column, fmt, ap);
    va_end(ap);
    return rc;
}

ps_status ps_scn__warn_at(const load_ctx *c, ps_scn_loc at, const char *fmt, ...)
{
    char msg[1024];
    char line[1536];
    ps_scenario *scn = c->scn;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "%s:%ld:%d: warning: %s", c->file, at.line, at.column, msg);
    char **grown = realloc(scn->warnings, ((size_t)scn->n_warnings + 1) * sizeof *grown);
    if (grown == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory recording a warning");
    }
    scn->warnings = grown;
    if ((grown[scn->n_warnings] = ps__strdup(line)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory recording a warning");
    }
    scn->n_warnings++;
    return PS_OK;
}

bool ps_scn__given(const load_ctx *c, const char *path)
{
    return ps_scn__locator_find(&c->loc, path) != NULL;
}

/* Where the value of `path` starts; 0:0 if the key is absent. */
ps_scn_loc ps_scn__value_loc(const load_ctx *c, const char *path)
{
    const loc_entry *e = ps_scn__locator_find(&c->loc, path);
    ps_scn_loc none = { 0, 0 };
    return e != NULL ? e->value : none;
}

/* Where to report a key missing from section `parent`: the section's value, else 1:1. */
ps_scn_loc ps_scn__missing_loc(const load_ctx *c, const char *parent)
{
    const loc_entry *e = parent[0] != '\0' ? ps_scn__locator_find(&c->loc, parent) : NULL;
    ps_scn_loc top = { 1, 1 };
    return e != NULL ? e->value : top;
}

/* The row of `sec` named by the first n characters of `name`, or NULL. */
const scn_key *ps_scn__section_key(const scn_section *sec, const char *name, size_t n)
{
    for (size_t k = 0; k < sec->n_keys; ++k) {
        if (strlen(sec->keys[k].key) == n && strncmp(sec->keys[k].key, name, n) == 0) {
            return &sec->keys[k];
        }
    }
    return NULL;
}

/*
 * The row of the key table that describes `path`, or NULL; *sec_out gets its section and
 * *item_out whether the path ends in an item index ("policies[0]" is an item of the
 * sequence `policies`, whose row is returned). Either output may be NULL.
 */
const scn_key *ps_scn__find_key_item(const char *path, const scn_section **sec_out,
                                    bool *item_out)
{
    const scn_section *sec = &ps_scn__top_section;
    const char *rest = path;
    for (;;) {
        size_t n = strcspn(rest, ".[");
        const scn_key *hit = ps_scn__section_key(sec, rest, n);
        const char *after = rest + n;
        bool item = false;
        if (hit != NULL && hit->type == KEY_SEQ && *after == '[') {
            const char *close = strchr(after, ']');
            if (close == NULL) {
                return NULL;
            }
            after = close + 1;
            item = true;
        }
        if (hit == NULL || *after == '\0') {
            if (sec_out != NULL) {
                *sec_out = sec;
            }
            if (item_out != NULL) {
                *item_out = item;
            }
            return hit;
        }
        if (*after != '.' || (hit->type != KEY_MAP && !item)) {
            return NULL;
        }
        sec = hit->sub;
        rest = after + 1;
    }
}

static const scn_key *find_key(const char *path, const scn_section **sec_out)
{
    return ps_scn__find_key_item(path, sec_out, NULL);
}

/* The section of the mapping at `path` (a section or a sequence item), or NULL. */
const scn_section *ps_scn__find_section(const char *path)
{
    bool item = false;
    if (path[0] == '\0') {
        return &ps_scn__top_section;
    }
    const scn_key *k = ps_scn__find_key_item(path, NULL, &item);
    if (k == NULL) {
        return NULL;
    }
    return (k->type == KEY_MAP && !item) || (k->type == KEY_SEQ && item) ? k->sub : NULL;
}

/* ---------------------------------------------------------------------------------------
 * Value checks shared by pass 3 (translating libcyaml's complaints) and pass 4 (the value
 * checks libcyaml does not make: it reads "2025.5" as the int 2025, "maybe" as true, and
 * "nan" or "1e999" as non-finite doubles).
 */
bool ps_scn__is_null_text(const loc_entry *e)
{
    static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
    if (!e->plain) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_LEN(nulls); ++i) {
        if (strcmp(e->text, nulls[i]) == 0) {
            return true;
        }
    }
    return false;
}

static const char *skip_digits(const char *s)
{
    while (isdigit((unsigned char)*s)) {
        ++s;
    }
    return s;
}

/* "0123": libcyaml reads integers with strtol base 0, so a leading zero would make the
 * digits octal ("03751" = 2025) and "0x" hexadecimal. The docs promise plain decimals, so
 * a number whose integer part has a leading zero is not one ("0", "-0", "0.5" are). */
static bool has_leading_zero(const char *s)
{
    return s[0] == '0' && isdigit((unsigned char)s[1]);
}

static bool is_integer_text(const char *s)
{
    if (*s == '+' || *s == '-') {
        ++s;
    }
    if (has_leading_zero(s)) {
        return false;
    }
    const char *end = skip_digits(s);
    return end != s && *end == '\0';
}

/* A decimal number as YAML writes one: [+-] digits [. digits] [e [+-] digits]. Hex and the
 * YAML spellings of NaN and infinity are not numbers here. */
static bool is_decimal_text(const char *s)
{
    if (*s == '+' || *s == '-') {
        ++s;
    }
    if (has_leading_zero(s)) {
        return false;
    }
    const char *p = skip_digits(s);
    size_t n_int = (size_t)(p - s);
    size_t n_frac = 0;
    if (*p == '.') {
        const char *q = skip_digits(p + 1);
        n_frac = (size_t)(q - p - 1);
        p = q;
    }
    if (n_int + n_frac == 0) {
        return false;
    }
    if (*p == 'e' || *p == 'E') {
        ++p;
        if (*p == '+' || *p == '-') {
            ++p;
        }
        const char *q = skip_digits(p);
        if (q == p) {
            return false;
        }
        p = q;
    }
    return *p == '\0';
}

/* true if s is one of words[0..n-1] (lower case), whatever the case of its letters. */
static bool is_one_of(const char *s, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        size_t len = strlen(words[i]);
        bool same = strlen(s) == len;
        for (size_t j = 0; same && j < len; ++j) {
            same = tolower((unsigned char)s[j]) == words[i][j];
        }
        if (same) {
            return true;
        }
    }
    return false;
}

static bool is_nonfinite_text(const char *s)
{
    static const char *const words[] = { ".nan", ".inf", "nan", "inf", "infinity" };
    if (*s == '+' || *s == '-') {
        ++s;
    }
    return is_one_of(s, words, ARRAY_LEN(words));
}

static bool is_bool_text(const char *s)
{
    static const char *const words[] = { "true", "false", "yes", "no", "on", "off" };
    return is_one_of(s, words, ARRAY_LEN(words));
}

void ps_scn__choices_text(char *out, size_t size, const scn_key *key)
{
    out[0] = '\0';
    for (uint32_t i = 0; i < key->n_choices; ++i) {
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s", i > 0 ? ", " : "", key->choices[i].str);
    }
}

/* What a value of this key must look like, for "expected ..." messages. */
static void expected_text(char *out, size_t size, const scn_key *key)
{
    char choices[256];
    switch (key->type) {
    case KEY_NAME: snprintf(out, size, "a name of letters, digits, '_', '.' or '-'"); return;
    case KEY_TEXT: snprintf(out, size, "text"); return;
    case KEY_PATH: snprintf(out, size, "a file or folder path"); return;
    case KEY_INT: snprintf(out, size, "a whole number written in decimal"); return;
    case KEY_REAL: snprintf(out, size, "a number written in decimal"); return;
    case KEY_BOOL: snprintf(out, size, "true or false"); return;
    case KEY_ENUM:
        ps_scn__choices_text(choices, sizeof choices, key);
        snprintf(out, size, "one of: %s", choices);
        return;
    case KEY_MAP: snprintf(out, size, "a mapping of indented 'key: value' lines"); return;
    case KEY_SEQ:
        snprintf(out, size, "a sequence of mappings, one '- %s: ...' item each",
                 key->sub->keys[0].key);
        return;
    case KEY_EXTERN: snprintf(out, size, "a mapping of indented 'key: value' lines"); return;
    case KEY_YEARS:
        snprintf(out, size, "a number, or a mapping of 'year: number' lines");
        return;
    }
}

/* "[0, 10] children per woman" */
static void range_text(char *out, size_t size, const scn_key *key)
{
    snprintf(out, size, "[%.10g, %.10g]%s%s", key->min, key->max, key->unit[0] ? " " : "",
             key->unit);
}

static ps_status finite_error(const load_ctx *c, const scn_key *key, const char *path,
                              const loc_entry *e)
{
    char range[160];
    range_text(range, sizeof range, key);
    return ps_scn__fail_at(c, PS_EINVAL, e->value, "%s = %s must be a finite number in %s", path,
                           e->text, range);
}

static ps_status range_error(const load_ctx *c, const scn_key *key, const char *path,
                             const loc_entry *e)
{
    char range[160];
    range_text(range, sizeof range, key);
    return ps_scn__fail_at(c, PS_EINVAL, e->value, "%s = %s is outside %s", path, e->text, range);
}

/*
 * A value of the wrong shape. Three look-alikes are really domain errors (PS_EINVAL):
 * an unknown enum word, a YAML NaN/infinity for a number, and an integer too large for
 * 64 bits; everything else is a type error (PS_EPARSE).
 */
ps_status ps_scn__type_error(const load_ctx *c, const scn_key *key, const char *path,
                            const loc_entry *e)
{
    char expected[320];
    expected_text(expected, sizeof expected, key);
    if (e->kind != NODE_SCALAR) {
        return ps_scn__fail_at(c, PS_EPARSE, e->value, "%s: expected %s (got %s)", path, expected,
                               ps_scn__node_noun(e->kind));
    }
    if (ps_scn__is_null_text(e)) {
        return ps_scn__fail_at(c, PS_EPARSE, e->value, "%s: expected %s (got an empty value)", path,
                               expected);
    }
    if (key->type == KEY_ENUM) {
        return ps_scn__fail_at(c, PS_EINVAL, e->value, "%s = '%s' is not %s", path, e->text,
                               expected);
    }
    if (key->type == KEY_REAL && is_nonfinite_text(e->text)) {
        return finite_error(c, key, path, e);
    }
    if (key->type == KEY_INT && is_integer_text(e->text)) {
        return range_error(c, key, path, e);
    }
    return ps_scn__fail_at(c, PS_EPARSE, e->value, "%s: expected %s (got '%s')", path, expected,
                           e->text);
}

static bool is_name_text(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > SCN_NAME_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; ++i) {
        unsigned char ch = (unsigned char)s[i];
        if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '-') {
            return false;
        }
    }
    return true;
}

/*
 * The first control character of text as YAML unescaped it ("\e", "\x1b" and "\u009b"
 * in a double-quoted string become the raw characters, which libyaml's check of the file's
 * bytes never sees): C0 controls, DEL and the C1 controls U+0080..U+009F, any of which a
 * terminal may interpret. Tab and line feed are allowed where `lines` is set (titles).
 * Returns the code point, or 0 if there is none. The text is valid UTF-8 (pass 2).
 */
static unsigned long first_control(const char *text, bool lines)
{
    for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; ++p) {
        if ((*p < 0x20 && !(lines && (*p == '\t' || *p == '\n'))) || *p == 0x7F) {
            return *p;
        }
        if (*p == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) { /* U+0080..U+009F */
            return p[1];
        }
    }
    return 0;
}

static ps_status check_text(const load_ctx *c, const scn_key *key, const char *path,
                            const loc_entry *e)
{
    unsigned long cp = first_control(e->text, key->type == KEY_TEXT);
    if (e->text[0] == '\0') {
        return ps_scn__fail_at(c, PS_EINVAL, e->value, "%s must not be empty", path);
    }
    if (cp != 0) {
        return ps_scn__fail_at(
            c, PS_EINVAL, e->value,
            "%s: control character U+%04lX is not allowed in %s (a terminal would "
            "interpret it); write plain text%s",
            path, cp, key->type == KEY_TEXT ? "text" : "a path",
            key->type == KEY_TEXT ? " (tab and line break are allowed)" : "");
    }
    if (strlen(e->text) > SCN_TEXT_MAX) {
        return ps_scn__fail_at(c, PS_EINVAL, e->value,
                               "%s is %zu bytes long; text values are at most %d bytes (UTF-8)",
                               path, strlen(e->text), SCN_TEXT_MAX);
    }
    return PS_OK;
}

/* Pass 4a for one scalar key the file gives; `value` points into the raw struct. */
static ps_status check_scalar(const load_ctx *c, const scn_key *key, const char *path,
                              const loc_entry *e, const void *value)
{
    bool well_formed = e->kind == NODE_SCALAR && !ps_scn__is_null_text(e);
    if (well_formed && key->type == KEY_INT) {
        well_formed = is_integer_text(e->text);
    } else if (well_formed && key->type == KEY_REAL) {
        well_formed = is_decimal_text(e->text);
    } else if (well_formed && key->type == KEY_BOOL) {
        well_formed = is_bool_text(e->text);
    }
    if (!well_formed) {
        return ps_scn__type_error(c, key, path, e);
    }
    switch (key->type) {
    case KEY_INT: {
        const double v = (double)*(const int64_t *)value;
        return v >= key->min && v <= key->max ? PS_OK : range_error(c, key, path, e);
    }
    case KEY_REAL: {
        const double v = *(const double *)value;
        if (!isfinite(v)) { /* "1e999" overflows to infinity */
            return finite_error(c, key, path, e);
        }
        return v >= key->min && v <= key->max ? PS_OK : range_error(c, key, path, e);
    }
    case KEY_NAME:
        if (!is_name_text(e->text)) {
            return ps_scn__fail_at(c, PS_EINVAL, e->value,
                                   "%s = '%s' may contain only letters, digits, '_', '.' and '-' "
                                   "(1 to %d characters)",
                                   path, e->text, SCN_NAME_MAX);
        }
        return PS_OK;
    case KEY_TEXT:
    case KEY_PATH: return check_text(c, key, path, e);
    case KEY_BOOL:
    case KEY_ENUM:
    case KEY_MAP:
    case KEY_SEQ:
    case KEY_EXTERN:
    case KEY_YEARS: break;
    }
    return PS_OK;
}


/* The items of a sequence key, as libcyaml stored them: a pointer and a uint32_t count. */
static const char *seq_items(const scn_key *key, const void *raw, uint32_t *n_out)
{
    const char *items;
    memcpy(&items, (const char *)raw + key->offset, sizeof items);
    memcpy(n_out, (const char *)raw + key->count_offset, sizeof *n_out);
    return items;
}

/* Pass 4a: every key the file gives under `prefix`, section by section, against its row. */
ps_status ps_scn__check_section(const load_ctx *c, const char *prefix, const scn_section *sec,
                               const void *raw)
{
    ps_status rc = PS_OK;
    for (size_t k = 0; k < sec->n_keys && rc == PS_OK; ++k) {
        const scn_key *key = &sec->keys[k];
        char path[PATH_MAX_LEN];
        ps_scn__join_key(path, sizeof path, prefix, key->key);
        const loc_entry *e = ps_scn__locator_find(&c->loc, path);
        const void *value = (const char *)raw + key->offset;
        if (e == NULL) {
            continue;
        }
        if (key->type == KEY_EXTERN || key->type == KEY_YEARS) {
            continue; /* checked by its own builder */
        }
        if (key->type == KEY_MAP) {
            rc = ps_scn__check_section(c, path, key->sub, value);
        } else if (key->type == KEY_SEQ) {
            uint32_t n = 0;
            const char *items = seq_items(key, raw, &n);
            for (uint32_t i = 0; i < n && rc == PS_OK; ++i) {
                char item[PATH_MAX_LEN];
                ps_scn__join_index(item, sizeof item, path, i);
                rc = ps_scn__check_section(c, item, key->sub,
                                           items + (size_t)i * key->sub->raw_size);
            }
        } else {
            rc = check_scalar(c, key, path, e, value);
        }
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Pass 4b: one builder per section copies the raw values into ps_scenario and checks the
 * rules between keys (scn_rules above). A missing key is reported at its section's value
 * (or 1:1); a contradiction at the later of the two keys, which is the one to reconsider.
 */
ps_status ps_scn__copy_text(const load_ctx *c, char **dst, const char *src)
{
    if (src == NULL) {
        return PS_OK;
    }
    if ((*dst = ps__strdup(src)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory copying '%s'", src);
    }
    return PS_OK;
}

/* Bytes of a scalar value in a raw struct; 0 for strings and sections. */
size_t ps_scn__key_size(const scn_key *key)
{
    switch (key->type) {
    case KEY_INT: return sizeof(int64_t);
    case KEY_REAL: return sizeof(double);
    case KEY_BOOL: return sizeof(bool);
    case KEY_ENUM: return sizeof(int);
    case KEY_NAME:
    case KEY_TEXT:
    case KEY_PATH:
    case KEY_MAP:
    case KEY_SEQ:
    case KEY_EXTERN:
    case KEY_YEARS: break;
    }
    return 0;
}

/* Copy every number, boolean and choice the file gives under `prefix` from the raw struct
 * `src` of `sec` to `dst`, a struct of the same layout; the others keep dst's values. This
 * is how defaults, inherited values and overrides stack. */
void ps_scn__overlay_given(const load_ctx *c, const char *prefix, const scn_section *sec,
                          void *dst, const void *src)
{
    for (size_t k = 0; k < sec->n_keys; ++k) {
        const scn_key *key = &sec->keys[k];
        char path[PATH_MAX_LEN];
        ps_scn__join_key(path, sizeof path, prefix, key->key);
        if (ps_scn__key_size(key) > 0 && ps_scn__given(c, path)) {
            memcpy((char *)dst + key->offset, (const char *)src + key->offset,
                   ps_scn__key_size(key));
        }
    }
}

/*
 * A path from the scenario, made usable from the current directory: absolute paths stay,
 * relative ones are read from the scenario file's folder (dir + "/" + value), and are left
 * as written when that folder is ".".
 */
ps_status ps_scn__resolve_path(const load_ctx *c, char **dst, const char *value)
{
    const char *dir = c->scn->dir;
    if (value == NULL) {
        return PS_OK;
    }
    if (value[0] == '/' || strcmp(dir, ".") == 0) {
        return ps_scn__copy_text(c, dst, value);
    }
    size_t nd = strlen(dir);
    bool slash = nd > 0 && dir[nd - 1] == '/';
    size_t n = nd + strlen(value) + 2;
    if ((*dst = malloc(n)) == NULL) {
        return ps_error_set(c->err, PS_ENOMEM, "out of memory resolving '%s'", value);
    }
    snprintf(*dst, n, "%s%s%s", dir, slash ? "" : "/", value);
    return PS_OK;
}

ps_status ps_scn__set_file(const load_ctx *c, ps_scn_file *f, const char *value, const char *path)
{
    f->loc = ps_scn__value_loc(c, path);
    return ps_scn__resolve_path(c, &f->path, value);
}

/*
 * A section's `sheet:` key: every .xlsx workbook among the section's files is read from
 * that sheet ("book.xlsx#Sheet", the form the planner readers take). A sheet with no
 * workbook to apply to is an error at the key.
 */
ps_status ps_scn__apply_sheet(const load_ctx *c, const char *sheet, const char *key,
                             ps_scn_file *files[], int n_files)
{
    if (sheet == NULL) {
        return PS_OK;
    }
    int applied = 0;
    for (int k = 0; k < n_files; ++k) {
        ps_scn_file *f = files[k];
        if (f->path == NULL || !ps_xlsx__is_workbook(f->path)) {
            continue;
        }
        size_t n = strlen(f->path) + strlen(sheet) + 2;
        char *ref = malloc(n);
        if (ref == NULL) {
            return ps_error_set(c->err, PS_ENOMEM, "out of memory for %s", key);
        }
        snprintf(ref, n, "%s#%s", f->path, sheet);
        free(f->path);
        f->path = ref;
        applied = 1;
    }
    if (!applied) {
        return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, key),
                               "%s = '%s' names a sheet, but no file of this section is an .xlsx "
                               "workbook",
                               key, sheet);
    }
    return PS_OK;
}

/* The later of two given keys (the one a reader meets second). */
const char *ps_scn__later_key(const load_ctx *c, const char *a, const char *b)
{
    ps_scn_loc la = ps_scn__value_loc(c, a), lb = ps_scn__value_loc(c, b);
    return la.line > lb.line || (la.line == lb.line && la.column > lb.column) ? a : b;
}

/* "at most one of a and b": an error if the file gives both. */
ps_status ps_scn__exclusive(const load_ctx *c, const char *a, const char *b, const char *why)
{
    if (!ps_scn__given(c, a) || !ps_scn__given(c, b)) {
        return PS_OK;
    }
    const char *second = ps_scn__later_key(c, a, b);
    const char *first = second == a ? b : a;
    return ps_scn__fail_at(c, PS_EINVAL, ps_scn__value_loc(c, second),
                           "%s contradicts %s (line %ld): %s", second, first,
                           ps_scn__value_loc(c, first).line, why);
}

/* A required key is missing; reported at its section's value (or item), else at 1:1. */
ps_status ps_scn__missing_key(const load_ctx *c, const char *path, const char *why)
{
    const scn_key *key = find_key(path, NULL);
    char range[200] = "", parent[PATH_MAX_LEN];
    const char *dot = strrchr(path, '.');
    assert(key != NULL);
    snprintf(parent, sizeof parent, "%.*s", dot != NULL ? (int)(dot - path) : 0, path);
    if (key->type == KEY_INT || key->type == KEY_REAL) {
        snprintf(range, sizeof range, ", %.10g..%.10g", key->min, key->max);
    } else if (key->type == KEY_NAME) {
        snprintf(range, sizeof range, ", [A-Za-z0-9_.-]{1,%d}", SCN_NAME_MAX);
    } else if (key->type == KEY_ENUM) {
        char choices[160];
        ps_scn__choices_text(choices, sizeof choices, key);
        snprintf(range, sizeof range, ", one of: %s", choices);
    }
    return ps_scn__fail_at(c, PS_EINVAL, ps_scn__missing_loc(c, parent),
                           "missing required key '%s' (%s%s)%s%s", path, key->help, range,
                           why[0] ? "; " : "", why);
}

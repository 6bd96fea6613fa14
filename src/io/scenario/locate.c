/*
 * scenario/locate.c - pass 2, the locator: libyaml events -> "dotted key path -> line:column, raw
 * text", and pass 1, reading the file.
 */
#define _POSIX_C_SOURCE 200809L /* stat() */

#include "io/scenario/scenario_int.h"

/* ---------------------------------------------------------------------------------------
 * Small string helpers (C11 has no strdup).
 */
/* parent + sep + tail, cut to fit `out` (size > 0); false if it was cut. */
bool ps_scn__join_text(char *out, size_t size, const char *parent, const char *sep,
                      const char *tail)
{
    const char *parts[] = { parent, sep, tail };
    size_t used = 0;
    bool whole = true;
    for (size_t i = 0; i < ARRAY_LEN(parts); ++i) {
        size_t n = strlen(parts[i]);
        if (used + n >= size) {
            n = size - 1 - used;
            whole = false;
        }
        memcpy(out + used, parts[i], n);
        used += n;
    }
    out[used] = '\0';
    return whole;
}

/* "a" + "b" -> "a.b"; "" + "b" -> "b". Returns false if the result was cut to fit `out`. */
bool ps_scn__join_key(char *out, size_t size, const char *parent, const char *key)
{
    return ps_scn__join_text(out, size, parent, parent[0] == '\0' ? "" : ".", key);
}

/* "policies" + 2 -> "policies[2]". Returns false if the result was cut to fit `out`. */
bool ps_scn__join_index(char *out, size_t size, const char *parent, size_t index)
{
    char tail[32];
    snprintf(tail, sizeof tail, "[%zu]", index);
    return ps_scn__join_text(out, size, parent, "", tail);
}

static ps_scn_loc mark_loc(yaml_mark_t mark)
{
    ps_scn_loc at = { (long)mark.line + 1, (int)mark.column + 1 };
    return at;
}

typedef struct loc_frame {
    node_kind kind;  /* NODE_MAPPING or NODE_SEQUENCE */
    char *path;      /* path of this node; owned */
    bool want_key;   /* mapping: the next node is a key */
    size_t entry;    /* mapping: entry of the key whose value comes next */
    size_t n_items;  /* sequence: items seen so far */
} loc_frame;

typedef struct loc_walk {
    locator *loc;
    loc_frame stack[SCN_MAX_DEPTH];
    int depth;
    int n_docs;
    const char *file; /* scenario path, for messages */
    ps_error *err;
} loc_walk;

void ps_scn__locator_free(locator *loc)
{
    for (size_t i = 0; i < loc->n; ++i) {
        free(loc->entries[i].path);
        free(loc->entries[i].text);
    }
    free(loc->entries);
    free(loc->slots);
    memset(loc, 0, sizeof *loc);
}

/* FNV-1a: the locator is asked for paths thousands of times (every key's checks ask for
 * its value, a family of variants for every inherited key), so a lookup must not scan all
 * SCN_MAX_KEYS entries (issue #17: 500 chained variants took seconds to load). */
static size_t path_hash(const char *path)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)path; *p != '\0'; ++p) {
        h = (h ^ *p) * 1099511628211ULL;
    }
    return (size_t)h;
}

const loc_entry *ps_scn__locator_find(const locator *loc, const char *path)
{
    if (loc->n_slots == 0) {
        return NULL;
    }
    for (size_t i = path_hash(path) & (loc->n_slots - 1);; i = (i + 1) & (loc->n_slots - 1)) {
        size_t slot = loc->slots[i];
        if (slot == 0) {
            return NULL;
        }
        if (strcmp(loc->entries[slot - 1].path, path) == 0) {
            return &loc->entries[slot - 1];
        }
    }
}

/* Record entry `index` in the hash, growing it to keep it at most half full. */
static bool locator_index(locator *loc, size_t index)
{
    if (2 * (index + 1) > loc->n_slots) {
        size_t n_slots = loc->n_slots != 0 ? 2 * loc->n_slots : 128;
        size_t *slots = calloc(n_slots, sizeof *slots);
        if (slots == NULL) {
            return false;
        }
        free(loc->slots);
        loc->slots = slots;
        loc->n_slots = n_slots;
        for (size_t k = 0; k < index; ++k) {
            (void)locator_index(loc, k); /* fits: the table is at most a quarter full */
        }
    }
    size_t i = path_hash(loc->entries[index].path) & (loc->n_slots - 1);
    while (loc->slots[i] != 0) {
        i = (i + 1) & (loc->n_slots - 1);
    }
    loc->slots[i] = index + 1;
    return true;
}

const char *ps_scn__node_noun(node_kind kind)
{
    switch (kind) {
    case NODE_MAPPING: return "a mapping";
    case NODE_SEQUENCE: return "a sequence";
    case NODE_SCALAR: return "a scalar";
    case NODE_NONE: break;
    }
    return "nothing";
}

static ps_status walk_fail(loc_walk *w, ps_status code, ps_scn_loc at, const char *fmt, ...)
    PS_PRINTF(4, 5);
static ps_status walk_fail(loc_walk *w, ps_status code, ps_scn_loc at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ps_status rc = ps_error_vset_at(w->err, code, w->file, at.line, at.column, fmt, ap);
    va_end(ap);
    return rc;
}

static ps_status walk_push(loc_walk *w, node_kind kind, char *path, ps_scn_loc at)
{
    if (path == NULL) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading the scenario");
    }
    if (w->depth >= SCN_MAX_DEPTH) {
        free(path);
        return walk_fail(w, PS_EPARSE, at,
                         "nesting deeper than %d levels; scenario files are at most 5 deep",
                         SCN_MAX_DEPTH);
    }
    loc_frame *f = &w->stack[w->depth++];
    memset(f, 0, sizeof *f);
    f->kind = kind;
    f->path = path;
    f->want_key = (kind == NODE_MAPPING);
    return PS_OK;
}

/* Append an entry for `path` (taken over, freed on failure) that starts at `at`. Keys and
 * sequence items both count against SCN_MAX_KEYS. */
static ps_status locator_add(loc_walk *w, char *path, ps_scn_loc at)
{
    locator *loc = w->loc;
    if (loc->n >= SCN_MAX_KEYS) {
        free(path);
        return walk_fail(w, PS_EPARSE, at, "more than %d keys; a scenario needs about 40",
                         SCN_MAX_KEYS);
    }
    if (loc->n == loc->cap) {
        size_t cap = loc->cap != 0 ? 2 * loc->cap : 64;
        loc_entry *grown = realloc(loc->entries, cap * sizeof *grown);
        if (grown == NULL) {
            free(path);
            return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading the scenario");
        }
        loc->entries = grown;
        loc->cap = cap;
    }
    loc_entry *e = &loc->entries[loc->n++];
    memset(e, 0, sizeof *e);
    e->path = path;
    e->key = at;
    if (!locator_index(loc, loc->n - 1)) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading the scenario");
    }
    return PS_OK;
}

/* A scalar in key position: record a new entry; its value arrives with the next node. */
static ps_status walk_key(loc_walk *w, loc_frame *top, const yaml_event_t *ev, node_kind kind,
                          ps_scn_loc at)
{
    locator *loc = w->loc;
    if (kind != NODE_SCALAR) {
        return walk_fail(w, PS_EPARSE, at, "a mapping key must be plain text, not %s",
                         ps_scn__node_noun(kind));
    }
    const char *key = (const char *)ev->data.scalar.value;
    size_t n = strlen(top->path) + ev->data.scalar.length + 2;
    char *path = malloc(n);
    if (path == NULL) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading the scenario");
    }
    ps_scn__join_key(path, n, top->path, key);
    const loc_entry *seen = ps_scn__locator_find(loc, path);
    if (seen != NULL) {
        ps_status rc = walk_fail(w, PS_EPARSE, at, "duplicate key '%s' (first given at line %ld)",
                                 path, seen->key.line);
        free(path);
        return rc;
    }
    ps_status rc = locator_add(w, path, at);
    if (rc == PS_OK) {
        top->entry = loc->n - 1;
        top->want_key = false;
    }
    return rc;
}

/* An item of a sequence: an entry "path[i]" whose key and value both stand at the item. */
static ps_status walk_item(loc_walk *w, loc_frame *top, const yaml_event_t *ev, node_kind kind,
                           ps_scn_loc at)
{
    size_t n = strlen(top->path) + 24;
    char *path = malloc(n);
    if (path == NULL) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading the scenario");
    }
    snprintf(path, n, "%s[%zu]", top->path, top->n_items++);
    ps_status rc = locator_add(w, path, at);
    if (rc != PS_OK) {
        return rc;
    }
    loc_entry *e = &w->loc->entries[w->loc->n - 1];
    e->value = at;
    e->kind = kind;
    if (kind == NODE_SCALAR) {
        e->text = ps__strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
        e->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        if (e->text == NULL) {
            return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading");
        }
    }
    return PS_OK;
}

/* Any node (scalar, mapping or sequence start): a key, a value, a sequence item or the root. */
static ps_status walk_node(loc_walk *w, const yaml_event_t *ev, node_kind kind)
{
    ps_scn_loc at = mark_loc(ev->start_mark);
    const yaml_char_t *anchor = kind == NODE_SCALAR    ? ev->data.scalar.anchor
                                : kind == NODE_MAPPING ? ev->data.mapping_start.anchor
                                                       : ev->data.sequence_start.anchor;
    if (anchor != NULL) {
        return walk_fail(w, PS_EPARSE, at,
                         "YAML anchors ('&%s') are not allowed in scenario files; write the "
                         "value out",
                         (const char *)anchor);
    }
    /* An explicit tag ("!!binary", "!!python/object:os.system", "!custom") asks a YAML
     * library to build some type; popsim has only the types of its key tables, so a tag
     * would be silently ignored. It is refused instead, whatever it names. */
    const yaml_char_t *tag = kind == NODE_SCALAR    ? ev->data.scalar.tag
                             : kind == NODE_MAPPING ? ev->data.mapping_start.tag
                                                    : ev->data.sequence_start.tag;
    if (tag != NULL) {
        return walk_fail(w, PS_EPARSE, at,
                         "YAML tags ('%s') are not allowed in scenario files; write the plain "
                         "value without a tag",
                         (const char *)tag);
    }
    char *child = NULL; /* path of a mapping/sequence node about to be pushed */
    if (w->depth == 0) {
        w->loc->root = kind;
        w->loc->root_loc = at;
        w->loc->root_empty = kind == NODE_SCALAR && ev->data.scalar.length == 0 &&
                             ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        child = ps__strdup("");
    } else {
        loc_frame *top = &w->stack[w->depth - 1];
        if (top->kind == NODE_MAPPING && top->want_key) {
            return walk_key(w, top, ev, kind, at);
        }
        if (top->kind == NODE_MAPPING) {
            loc_entry *e = &w->loc->entries[top->entry];
            e->value = at;
            e->kind = kind;
            top->want_key = true;
            if (kind == NODE_SCALAR) {
                e->text = ps__strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
                e->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                if (e->text == NULL) {
                    return ps_error_set(w->err, PS_ENOMEM, "out of memory while reading");
                }
            }
            child = ps__strdup(e->path);
        } else {
            ps_status rc = walk_item(w, top, ev, kind, at);
            if (rc != PS_OK) {
                return rc;
            }
            child = ps__strdup(w->loc->entries[w->loc->n - 1].path);
        }
    }
    if (kind == NODE_SCALAR) {
        free(child);
        return PS_OK;
    }
    return walk_push(w, kind, child, at);
}

/*
 * libyaml's reader (encoding) errors carry a byte offset instead of a mark, so the line
 * and column are counted here: columns count characters, i.e. bytes that do not continue
 * a UTF-8 sequence, as libyaml's own marks do.
 */
static ps_scn_loc offset_loc(const char *text, size_t len, size_t offset)
{
    ps_scn_loc at = { 1, 1 };
    if (offset > len) {
        offset = len;
    }
    for (size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            at.line++;
            at.column = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            at.column++;
        }
    }
    return at;
}

static ps_status walk_yaml_error(loc_walk *w, const yaml_parser_t *p, const char *text,
                                 size_t len)
{
    const char *problem = p->problem != NULL ? p->problem : "unknown problem";
    if (p->error == YAML_MEMORY_ERROR) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory while parsing the scenario");
    }
    if (p->error == YAML_READER_ERROR) {
        size_t bad = ps_utf8_first_bad((const unsigned char *)text, len);
        char *utf8 = NULL;
        size_t n = 0;
        if (bad < len && ps_gb18030__to_utf8(&utf8, &n, text, len)) {
            free(utf8);
            return walk_fail(w, PS_EPARSE, offset_loc(text, len, bad),
                             "the scenario is saved in GB18030 (GBK), not UTF-8: save it as "
                             "UTF-8 (in Notepad: Save as, Encoding UTF-8; or `iconv -f GB18030 "
                             "-t UTF-8 OLD.yaml > NEW.yaml`)");
        }
        if (bad < len) {
            return walk_fail(w, PS_EPARSE, offset_loc(text, len, bad),
                             "byte 0x%02X is not valid UTF-8 (%s); save the scenario as UTF-8 "
                             "text",
                             (unsigned)(unsigned char)text[bad], problem);
        }
        return walk_fail(w, PS_EPARSE, offset_loc(text, len, p->problem_offset),
                         "%s (character 0x%02X)", problem,
                         (unsigned)p->problem_value);
    }
    if (p->context != NULL) {
        return walk_fail(w, PS_EPARSE, mark_loc(p->problem_mark),
                         "malformed YAML: %s %s started at line %lu, column %lu", problem,
                         p->context, (unsigned long)p->context_mark.line + 1,
                         (unsigned long)p->context_mark.column + 1);
    }
    return walk_fail(w, PS_EPARSE, mark_loc(p->problem_mark), "malformed YAML: %s", problem);
}

/* One event. *done is set at the end of the stream. */
static ps_status walk_event(loc_walk *w, const yaml_event_t *ev, bool *done)
{
    switch (ev->type) {
    case YAML_STREAM_END_EVENT:
        *done = true;
        return PS_OK;
    case YAML_DOCUMENT_START_EVENT:
        if (++w->n_docs > 1) {
            return walk_fail(w, PS_EPARSE, mark_loc(ev->start_mark),
                             "a second YAML document ('---'); a scenario file holds one");
        }
        return PS_OK;
    case YAML_ALIAS_EVENT:
        return walk_fail(w, PS_EPARSE, mark_loc(ev->start_mark),
                         "YAML aliases ('*%s') are not allowed in scenario files; write the "
                         "value out",
                         (const char *)ev->data.alias.anchor);
    case YAML_SCALAR_EVENT: return walk_node(w, ev, NODE_SCALAR);
    case YAML_MAPPING_START_EVENT: return walk_node(w, ev, NODE_MAPPING);
    case YAML_SEQUENCE_START_EVENT: return walk_node(w, ev, NODE_SEQUENCE);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        assert(w->depth > 0);
        free(w->stack[--w->depth].path);
        return PS_OK;
    default: return PS_OK;
    }
}

ps_status ps_scn__locator_build(locator *loc, const char *text, size_t len, const char *file,
                               ps_error *err)
{
    yaml_parser_t parser;
    loc_walk w = { .loc = loc, .file = file, .err = err };
    ps_status rc = PS_OK;
    bool done = false;
    if (!yaml_parser_initialize(&parser)) {
        return ps_error_set(err, PS_ENOMEM, "cannot initialise the YAML parser");
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    while (rc == PS_OK && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = walk_yaml_error(&w, &parser, text, len);
            break;
        }
        rc = walk_event(&w, &ev, &done);
        yaml_event_delete(&ev);
    }
    if (rc == PS_OK && (loc->root == NODE_NONE || loc->root_empty)) {
        rc = ps_error_set_at(err, PS_EPARSE, file, 1, 1,
                             "the scenario file is empty (expected a mapping with at least "
                             "name, start and end)");
    } else if (rc == PS_OK && loc->root != NODE_MAPPING) {
        rc = ps_error_set_at(err, PS_EPARSE, file, loc->root_loc.line, loc->root_loc.column,
                             "the top level of a scenario must be a mapping of 'key: value' "
                             "lines, not %s",
                             ps_scn__node_noun(loc->root));
    }
    while (w.depth > 0) {
        free(w.stack[--w.depth].path);
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* ---------------------------------------------------------------------------------------
 * Pass 1: read the whole file into memory, refusing directories and oversized files.
 * The file is read by reading (io/source.c), never sized with stat(): a FIFO, a pipe behind
 * /dev/stdin and a /proc file (st_size 0) are read like a regular file, the limit holds for
 * the bytes that arrive, and a wait on a pipe that stays open can be cancelled (issue #17).
 */
static ps_status too_large(const char *path, ps_error *err)
{
    return ps_error_set_at(err, PS_EIO, path, 0, 0,
                           "the file is larger than %ld MiB; a scenario file is a few hundred "
                           "bytes of YAML",
                           SCN_MAX_BYTES / (1024 * 1024));
}

#define SCN_READ_CHUNK ((size_t)64 * 1024) /* bytes: the first buffer, doubled as needed */

ps_status ps_scn__read_file(char **text_out, size_t *len_out, const char *path,
                            const ps_cancel *cancel, ps_error *err)
{
    const size_t limit = (size_t)SCN_MAX_BYTES + 1; /* one byte past the limit tells "over" */
    ps_src *src = NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    ps_status rc = PS_OK;
    *text_out = NULL;
    *len_out = 0;
    int why = ps_src__open(&src, path, cancel);
    if (why != 0) {
        rc = why == EISDIR ? ps_error_set_at(err, PS_EIO, path, 0, 0,
                                             "is a directory; expected a scenario file (.yaml)")
                           : ps_error_set_at(err, PS_EIO, path, 0, 0,
                                             "cannot open the scenario file: %s", strerror(why));
        goto done;
    }
    for (long got = 1; got > 0; len += (size_t)got) {
        if (len == limit) {
            rc = too_large(path, err);
            goto done;
        }
        if (len == cap) {
            size_t next = cap == 0 ? SCN_READ_CHUNK : 2 * cap;
            char *grown = realloc(buf, (next < limit ? next : limit) + 1);
            if (grown == NULL) {
                rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path);
                goto done;
            }
            buf = grown;
            cap = next < limit ? next : limit;
        }
        if ((got = ps_src__read(src, buf + len, cap - len, err)) < 0) {
            rc = err ? err->code : PS_EIO;
            goto done;
        }
    }
    buf[len] = '\0';
    *text_out = buf;
    *len_out = len;
    buf = NULL;
done:
    free(buf);
    ps_src__close(src);
    return rc;
}

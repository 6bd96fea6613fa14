/*
 * section_keys.c - the unknown-key check of the sections read through the locator rather than
 * the cyaml schema (sweep:, uncertainty:): every key path under the section must be one of
 * its words, and under a mapping one level down one of the sub-level's words; the first
 * other key is an error at its location naming the mapping and the keys expected. Also the
 * value readers those sections share (a number as written, a path beside the scenario).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str_int.h"
#include "io/sweep_int.h"

static int word_in(const char *word, size_t len, const char *const *words, size_t n_words)
{
    for (size_t i = 0; i < n_words; ++i) {
        if (strlen(words[i]) == len && strncmp(words[i], word, len) == 0) {
            return 1;
        }
    }
    return 0;
}

/* "a, b, c" into buf. */
static void join_words(char *buf, size_t size, const char *const *words, size_t n_words)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n_words && used < size; ++i) {
        int n = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "", words[i]);
        used += n > 0 ? (size_t)n : 0;
    }
}

static ps_status unknown(const ps_scn__node *n, const char *word, size_t len, size_t mapping_len,
                         const char *const *words, size_t n_words, const char *file,
                         ps_error *err)
{
    char expected[256];
    join_words(expected, sizeof expected, words, n_words);
    return ps_error_set_at(err, PS_EPARSE, file, n->key.line, n->key.column,
                           "unknown key '%.*s' in mapping '%.*s' (expected one of %s)", (int)len,
                           word, (int)mapping_len, n->path, expected);
}

/* Where the sub-level's word starts in `rest` (what follows the section's word), or NULL
 * when `rest` opens no mapping the keyset checks. */
static const char *sub_start(const char *rest, const ps_scn__keyset *ks, const char *word,
                             size_t len)
{
    if (ks->n_sub == 0) {
        return NULL;
    }
    if (ks->sub_parent == NULL) {
        return rest[0] == '.' ? rest + 1 : NULL;
    }
    int item = 0, used = 0;
    if (strlen(ks->sub_parent) != len || strncmp(ks->sub_parent, word, len) != 0 ||
        sscanf(rest, "[%d]%n", &item, &used) != 1 || rest[used] != '.') {
        return NULL;
    }
    return rest + used + 1;
}

ps_status ps_scn__check_keys(const struct load_ctx *c, const ps_scn__keyset *ks,
                             const char *file, ps_error *err)
{
    const size_t n_nodes = ps_scn__n_nodes(c);
    const size_t prefix = strlen(ks->section);
    for (size_t i = 0; i < n_nodes; ++i) {
        ps_scn__node n;
        ps_scn__node_at(c, i, &n);
        if (strncmp(n.path, ks->section, prefix) != 0 || n.path[prefix] != '.') {
            continue;
        }
        const char *word = n.path + prefix + 1;
        const size_t len = strcspn(word, ".[");
        if (!word_in(word, len, ks->words, ks->n_words)) {
            return unknown(&n, word, len, prefix, ks->words, ks->n_words, file, err);
        }
        const char *sub = sub_start(word + len, ks, word, len);
        if (sub != NULL) {
            const size_t sub_len = strcspn(sub, ".[");
            if (!word_in(sub, sub_len, ks->sub_words, ks->n_sub)) {
                return unknown(&n, sub, sub_len, (size_t)(sub - 1 - n.path), ks->sub_words,
                               ks->n_sub, file, err);
            }
        }
    }
    return PS_OK;
}

ps_status ps_scn__fail_in(ps_error *err, ps_status code, const char *file, ps_scn_loc at,
                          const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ps_status rc = ps_error_vset_at(err, code, file, at.line, at.column, fmt, ap);
    va_end(ap);
    return rc;
}

int ps_scn__parse_real(const char *text, double *out)
{
    char *end = NULL;
    if (text == NULL || text[0] == '\0') {
        return 0;
    }
    errno = 0;
    *out = strtod(text, &end);
    return *end == '\0' && errno == 0 && isfinite(*out);
}

char *ps_scn__scenario_relative(const ps_scenario *scn, const char *text)
{
    if (text[0] == '/' || scn->dir == NULL || strcmp(scn->dir, ".") == 0) {
        return ps__strdup(text);
    }
    const size_t n = strlen(scn->dir) + strlen(text) + 2;
    char *out = malloc(n);
    if (out != NULL) {
        snprintf(out, n, "%s/%s", scn->dir, text);
    }
    return out;
}

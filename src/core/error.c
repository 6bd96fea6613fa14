/*
 * error.c - the error record: setters, context prefixes and compiler-style formatting.
 * Messages are truncated, never overflowed; a setter always returns the code it set
 * so that `return ps_error_set(...)` reads naturally at the failure site.
 */
#include "popsim/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void ps_error_clear(ps_error *err)
{
    if (err == NULL) {
        return;
    }
    err->code = PS_OK;
    err->path[0] = '\0';
    err->line = 0;
    err->column = 0;
    err->msg[0] = '\0';
}

static void set_msg(ps_error *err, const char *fmt, va_list ap) PS_PRINTF(2, 0);
static void set_msg(ps_error *err, const char *fmt, va_list ap)
{
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
}

ps_status ps_error_set(ps_error *err, ps_status code, const char *fmt, ...)
{
    if (err == NULL) {
        return code;
    }
    ps_error_clear(err);
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    set_msg(err, fmt, ap);
    va_end(ap);
    return code;
}

ps_status ps_error_set_at(ps_error *err, ps_status code, const char *path, long line, int column,
                          const char *fmt, ...)
{
    if (err == NULL) {
        return code;
    }
    ps_error_clear(err);
    err->code = code;
    if (path != NULL) {
        snprintf(err->path, sizeof err->path, "%s", path);
    }
    err->line = line;
    err->column = column;
    va_list ap;
    va_start(ap, fmt);
    set_msg(err, fmt, ap);
    va_end(ap);
    return code;
}

ps_status ps_error_vset_at(ps_error *err, ps_status code, const char *path, long line,
                           int column, const char *fmt, va_list ap)
{
    if (err == NULL) {
        return code;
    }
    char msg[sizeof err->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return ps_error_set_at(err, code, path, line, column, "%s", msg);
}

void ps_error_prepend(ps_error *err, const char *fmt, ...)
{
    if (err == NULL) {
        return;
    }
    char prefix[512];
    char old[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* Truncation is intended: the message stays one bounded sentence. */
    size_t np = strlen(prefix);
    if (np >= sizeof err->msg) {
        np = sizeof err->msg - 1;
    }
    memcpy(err->msg, prefix, np);
    size_t room = sizeof err->msg - 1 - np;
    size_t nold = strlen(old);
    if (nold > room) {
        nold = room;
    }
    memcpy(err->msg + np, old, nold);
    err->msg[np + nold] = '\0';
}

/* Length of the valid UTF-8 sequence starting at s (1..4), or 0 if it is not valid. */
static int utf8_len(const unsigned char *s)
{
    int n = s[0] < 0x80 ? 1 : (s[0] >= 0xC2 && s[0] <= 0xDF) ? 2 : (s[0] & 0xF0) == 0xE0 ? 3
            : (s[0] >= 0xF0 && s[0] <= 0xF4) ? 4 : 0;
    for (int k = 1; k < n; ++k) {
        if ((s[k] & 0xC0) != 0x80) {
            return 0;
        }
    }
    return n;
}

/* Code point of the valid UTF-8 sequence of n bytes at s. */
static unsigned long utf8_code_point(const unsigned char *s, int n)
{
    unsigned long cp = n == 1 ? s[0] : n == 2 ? (s[0] & 0x1Fu) : n == 3 ? (s[0] & 0x0Fu)
                                                                        : (s[0] & 0x07u);
    for (int k = 1; k < n; ++k) {
        cp = (cp << 6) | (s[k] & 0x3Fu);
    }
    return cp;
}

/* Characters a terminal interprets or that reorder what follows: C0 controls, DEL, the C1
 * controls (U+0080..U+009F, of which U+009B is a one-character escape sequence), and the
 * bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069) that can
 * make text display in another order than it is stored ("Trojan Source"). */
static int is_interpreted(unsigned long cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/*
 * Copy src to dst (size > 0) with what a terminal would interpret written as \n, \t, \r,
 * \xHH (C0, DEL, bytes that are not UTF-8) or \u{HHHH} (C1, bidi controls): a message
 * quotes input text, and a name with a newline or a terminal escape sequence must not
 * break the one-line "path:line:col: error:" format or reach the terminal (issues #7, #17).
 * Valid UTF-8 (Chinese place names) passes unchanged. Stops before a character that would
 * not fit, so a multi-byte character is never split.
 */
const char *ps_text_escape(char *dst, unsigned long size, const char *src)
{
    unsigned long w = 0;
    if (size == 0) {
        return dst;
    }
    for (const unsigned char *p = (const unsigned char *)(src != NULL ? src : ""); *p != '\0';) {
        char esc[16];
        int n = utf8_len(p);
        unsigned long cp = n > 0 ? utf8_code_point(p, n) : 0;
        if (n == 0 || (n == 1 && is_interpreted(cp))) {
            snprintf(esc, sizeof esc, "%s", *p == '\n' ? "\\n" : *p == '\t' ? "\\t"
                                             : *p == '\r' ? "\\r" : "");
            if (esc[0] == '\0') {
                snprintf(esc, sizeof esc, "\\x%02X", *p);
            }
            n = 1;
        } else if (is_interpreted(cp)) {
            snprintf(esc, sizeof esc, "\\u{%04lX}", cp);
        } else {
            memcpy(esc, p, (size_t)n);
            esc[n] = '\0';
        }
        size_t len = strlen(esc);
        if (w + len + 1 > size) {
            break;
        }
        memcpy(dst + w, esc, len);
        w += len;
        p += n;
    }
    dst[w] = '\0';
    return dst;
}

const char *ps_error_format(const ps_error *err, char *buf, unsigned long size)
{
    char raw[sizeof err->path + sizeof err->msg + 64];
    if (err->path[0] != '\0' && err->line > 0 && err->column > 0) {
        snprintf(raw, sizeof raw, "%s:%ld:%d: error: %s", err->path, err->line, err->column,
                 err->msg);
    } else if (err->path[0] != '\0' && err->line > 0) {
        snprintf(raw, sizeof raw, "%s:%ld: error: %s", err->path, err->line, err->msg);
    } else if (err->path[0] != '\0') {
        snprintf(raw, sizeof raw, "%s: error: %s", err->path, err->msg);
    } else {
        snprintf(raw, sizeof raw, "error: %s", err->msg);
    }
    return ps_text_escape(buf, size, raw);
}

const char *ps_status_str(ps_status code)
{
    switch (code) {
    case PS_OK: return "success";
    case PS_ENOMEM: return "out of memory";
    case PS_EIO: return "input/output error";
    case PS_EPARSE: return "parse error";
    case PS_EINVAL: return "invalid value";
    case PS_ENUMERIC: return "numerical failure";
    case PS_EHDF5: return "HDF5 error";
    }
    return "unknown status";
}

/*
 * RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. libyaml notices the
 * same bytes but reports the byte after a broken sequence, which is often the newline;
 * pointing at the lead byte shows the user the character to fix.
 */
size_t ps_utf8_first_bad(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char b = s[i];
        size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3
                 : (b & 0xF8) == 0xF0 ? 4 : 0;
        unsigned long cp = n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
        static const unsigned long min_cp[] = { 0, 0, 0x80, 0x800, 0x10000 };
        if (n == 0 || i + n > len) {
            return i;
        }
        for (size_t k = 1; k < n; ++k) {
            if ((s[i + k] & 0xC0) != 0x80) {
                return i;
            }
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if (n > 1 && (cp < min_cp[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))) {
            return i;
        }
        i += n;
    }
    return len;
}

ps_status ps_cancel_check(const ps_cancel *c, ps_error *err)
{
    return c != NULL && c->fn != NULL ? c->fn(c->ctx, err) : PS_OK;
}

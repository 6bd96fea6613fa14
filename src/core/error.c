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

/*
 * Copy src to dst (size > 0) with control characters and bytes that are not UTF-8 written
 * as \n, \t, \r or \xHH: a message quotes input text, and a name with a newline or a
 * terminal escape sequence must not break the one-line "path:line:col: error:" format or
 * reach the terminal (issue #7). Valid UTF-8 (Chinese place names) passes unchanged.
 */
static void escape_text(char *dst, unsigned long size, const char *src)
{
    unsigned long w = 0;
    for (const unsigned char *p = (const unsigned char *)src; *p != '\0';) {
        char esc[8];
        int n = utf8_len(p);
        if (n == 1 && (*p < 0x20 || *p == 0x7F)) {
            snprintf(esc, sizeof esc, "%s", *p == '\n' ? "\\n" : *p == '\t' ? "\\t"
                                             : *p == '\r' ? "\\r" : "");
            if (esc[0] == '\0') {
                snprintf(esc, sizeof esc, "\\x%02X", *p);
            }
            n = 1;
        } else if (n == 0) {
            snprintf(esc, sizeof esc, "\\x%02X", *p);
            n = 1;
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
    if (size > 0) {
        escape_text(buf, size, raw);
    }
    return buf;
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

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

const char *ps_error_format(const ps_error *err, char *buf, unsigned long size)
{
    if (err->path[0] != '\0' && err->line > 0 && err->column > 0) {
        snprintf(buf, size, "%s:%ld:%d: error: %s", err->path, err->line, err->column, err->msg);
    } else if (err->path[0] != '\0' && err->line > 0) {
        snprintf(buf, size, "%s:%ld: error: %s", err->path, err->line, err->msg);
    } else if (err->path[0] != '\0') {
        snprintf(buf, size, "%s: error: %s", err->path, err->msg);
    } else {
        snprintf(buf, size, "error: %s", err->msg);
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

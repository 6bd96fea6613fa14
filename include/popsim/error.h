/*
 * popsim/error.h - status codes and the error record every fallible call fills.
 * A record knows where bad input sits (file:line:column) so the CLI can print
 * compiler-style messages. The library never prints; the caller decides.
 */
#ifndef PS_ERROR_H
#define PS_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PS_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PS_PRINTF(f, a)
#endif

typedef enum ps_status {
    PS_OK = 0,
    PS_ENOMEM = -1,   /* allocation failed */
    PS_EIO = -2,      /* file could not be opened, read or written */
    PS_EPARSE = -3,   /* input text is malformed */
    PS_EINVAL = -4,   /* well-formed value outside its valid domain */
    PS_ENUMERIC = -5, /* GSL failure or non-finite intermediate result */
    PS_EHDF5 = -6,    /* HDF5 call failed */
} ps_status;

typedef struct ps_error {
    ps_status code;
    char path[512]; /* input file involved; "" if none */
    long line;      /* 1-based line in path; 0 if not applicable */
    int column;     /* 1-based column; 0 if unknown */
    char msg[1024]; /* one sentence, no trailing newline */
} ps_error;

/** Reset a record to "no error". err may be NULL. */
void ps_error_clear(ps_error *err);

/** Set code and message (no location). Returns code; err may be NULL. */
ps_status ps_error_set(ps_error *err, ps_status code, const char *fmt, ...) PS_PRINTF(3, 4);

/** Set code, input location and message. line/column 0 mean "unknown". Returns code. */
ps_status ps_error_set_at(ps_error *err, ps_status code, const char *path, long line, int column,
                          const char *fmt, ...) PS_PRINTF(6, 7);

/** ps_error_set_at with the message's arguments as a va_list (for located-error helpers
 * of their own). The message is formatted before the record is cleared, so its arguments
 * may point into err. Returns code; err may be NULL. */
ps_status ps_error_vset_at(ps_error *err, ps_status code, const char *path, long line,
                           int column, const char *fmt, va_list ap) PS_PRINTF(6, 0);

/** Prefix the message with context ("while reading X: "), keeping the location. */
void ps_error_prepend(ps_error *err, const char *fmt, ...) PS_PRINTF(2, 3);

/**
 * Format the record as "path:line:col: error: msg" (omitting absent parts) into buf.
 * Returns buf.
 */
const char *ps_error_format(const ps_error *err, char *buf, unsigned long size);

/**
 * Copy `text` (may be NULL: "") into buf with everything a terminal would interpret made
 * visible: C0 controls and DEL as \n, \t, \r or \xHH, bytes that are not UTF-8 as \xHH, the
 * C1 controls U+0080..U+009F and the bidirectional controls U+202A..U+202E, U+2066..U+2069
 * as \u{HHHH}. Other UTF-8 passes unchanged. Truncates at a whole character to fit `size`
 * (> 0). Every text that came from a file is printed through this. Returns buf.
 */
const char *ps_text_escape(char *buf, unsigned long size, const char *text);

/**
 * Offset of the first byte of s[0..len) that does not begin a well-formed UTF-8 sequence
 * (RFC 3629), or len if the text is all UTF-8.
 */
size_t ps_utf8_first_bad(const unsigned char *s, size_t len);

/** Short name of a status code ("out of memory", "parse error", ...). */
const char *ps_status_str(ps_status code);

/* ---- cancellation (issue #11: per run / per call, never process-wide) ------------------
 * A cancel callback answers PS_OK to go on; any other status (with its message in err, e.g.
 * "interrupted by SIGINT") stops the call that asked. Options structs carry one (ps_run_options,
 * ps_h5_write_options, ps_build_options), so two runs in one process are cancelled apart. */
typedef ps_status (*ps_cancel_fn)(void *ctx, ps_error *err);

typedef struct ps_cancel {
    ps_cancel_fn fn; /* NULL: never cancelled */
    void *ctx;       /* passed to fn; borrowed */
} ps_cancel;

#define PS_CANCEL_NONE { .fn = NULL, .ctx = NULL }

/** PS_OK when c or c->fn is NULL, else what c->fn answers. */
ps_status ps_cancel_check(const ps_cancel *c, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_ERROR_H */

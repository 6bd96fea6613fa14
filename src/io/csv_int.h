/*
 * csv_int.h - library-internal CSV reading shared by the WPP and planner readers.
 * Reads plain or gzip-compressed files (recognised by their first bytes, whatever their
 * name), checks every gzip trailer, reads FIFOs, pipes and /proc files by reading, hands out one line at a time with its 1-based number, strips a UTF-8 byte-order mark
 * and CR line ends, and splits lines into fields (RFC 4180 quotes) with their columns,
 * so every error can be reported as path:line:col.
 */
#ifndef PS_IO_CSV_INT_H
#define PS_IO_CSV_INT_H

#include <stddef.h>

#include "popsim/error.h"

#define PS_CSV_MAX_FIELDS 16

typedef struct ps_csv ps_csv; /* opaque reader */

/* One split line: fields point into the reader's buffer (valid until the next read). */
typedef struct ps_csv_row {
    int n;                                  /* number of fields */
    const char *field[PS_CSV_MAX_FIELDS];   /* NUL-terminated, quotes removed */
    int column[PS_CSV_MAX_FIELDS];          /* 1-based column where each field starts */
    long line;                              /* 1-based line number */
} ps_csv_row;

/**
 * Open path for reading (plain or gzip) and read its first bytes. Refuses directories and
 * files without a single byte.
 * @return PS_OK; PS_EIO naming the path and the system's reason; PS_EPARSE "file is empty"
 */
ps_status ps_csv__open(ps_csv **out, const char *path, ps_error *err);

/** ps_csv__open whose reads ask `cancel` while they wait for data (a pipe); NULL: never
 * cancelled. @return as ps_csv__open; PS_EIO "interrupted while reading" */
ps_status ps_csv__open_with(ps_csv **out, const char *path, const ps_cancel *cancel,
                            ps_error *err);

/**
 * A reader over text in memory (a converted spreadsheet), reported as `path`. Takes
 * ownership of text (malloc'ed, len bytes), also on failure. @return PS_OK; PS_ENOMEM
 */
ps_status ps_csv__open_memory(ps_csv **out, const char *path, char *text, size_t len,
                              ps_error *err);

/**
 * Read the next line into *line (NUL-terminated, without line end) and its length.
 * Returns 1 for a line, 0 at end of file, and -1 on error (err set: I/O error, a NUL byte,
 * a line longer than 1 MiB, a gzip file that is truncated or corrupt, or a cancelled read).
 * For a gzip file, 0 means the trailer of its last member was there and matched.
 */
int ps_csv__next_line(ps_csv *c, char **line, size_t *len, ps_error *err);

/**
 * For a reader that stops before the end: check that the rest of a gzip file is complete
 * and intact (inflating it to its end; no text is kept). Nothing to do for a plain file.
 * @return PS_OK; PS_EIO "the compressed file is truncated or corrupt"
 */
ps_status ps_csv__finish(ps_csv *c, ps_error *err);

/**
 * Split the current line (as returned by ps_csv__next_line, modified in place) into row.
 * @return PS_OK; PS_EPARSE for an unterminated quote or more than PS_CSV_MAX_FIELDS fields
 */
ps_status ps_csv__split(ps_csv *c, char *line, ps_csv_row *row, ps_error *err);

/** Line number of the last line read (1-based). */
long ps_csv__line(const ps_csv *c);

/** The path the reader was opened with. */
const char *ps_csv__path(const ps_csv *c);

/**
 * Read the header line and check it names exactly `expected` columns in order
 * (case-sensitive). @return PS_OK; PS_EPARSE "wrong header: expected 'a,b,c' (got 'x')"
 */
ps_status ps_csv__expect_header(ps_csv *c, const char *const *expected, int n, ps_error *err);

/**
 * Parse a whole field as a finite double (no trailing text; rejects "nan", "inf", hex
 * floats and values that overflow). @return PS_OK; PS_EPARSE with the column's name
 */
ps_status ps_csv__double(double *out, const ps_csv *c, const ps_csv_row *row, int i,
                         const char *colname, ps_error *err);

/** Parse a whole field as a decimal int in [lo, hi]. @return PS_OK; PS_EPARSE; PS_EINVAL */
ps_status ps_csv__int(int *out, const ps_csv *c, const ps_csv_row *row, int i, const char *colname,
                      long lo, long hi, ps_error *err);

void ps_csv__close(ps_csv *c); /* accepts NULL */

#endif /* PS_IO_CSV_INT_H */

/*
 * csv.c - buffered line reader and field splitter for CSV inputs (plain or gzip).
 * The reader keeps one growable line buffer; a line may not exceed PS_CSV_MAX_LINE bytes,
 * so a hostile file cannot make it allocate without bound. Numbers are parsed strictly:
 * the whole field must be a finite decimal number.
 */
#include "csv_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#define PS_CSV_MAX_LINE (1u << 20)  /* bytes; longer lines are rejected */
#define PS_CSV_CHUNK (1u << 18)     /* bytes read from zlib at a time */

struct ps_csv {
    gzFile gz;
    char *path;
    char *chunk;        /* raw bytes from gzread */
    size_t chunk_len;   /* valid bytes in chunk */
    size_t chunk_pos;   /* next unread byte */
    int eof;
    char *line;         /* current line, NUL-terminated */
    size_t line_cap;
    long line_no;
};

static ps_status io_error(ps_error *err, const char *path, const char *what)
{
    return ps_error_set_at(err, PS_EIO, path, 0, 0, "%s: %s", what, strerror(errno));
}

ps_status ps_csv__open(ps_csv **out, const char *path, ps_error *err)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) != 0) {
        return io_error(err, path, "cannot open file");
    }
    if (S_ISDIR(st.st_mode)) {
        return ps_error_set_at(err, PS_EIO, path, 0, 0, "is a directory, expected a CSV file");
    }
    if (st.st_size == 0) {
        return ps_error_set_at(err, PS_EPARSE, path, 0, 0, "file is empty, expected a CSV header");
    }
    ps_csv *c = calloc(1, sizeof *c);
    if (c == NULL || (c->path = malloc(strlen(path) + 1)) == NULL ||
        (c->chunk = malloc(PS_CSV_CHUNK)) == NULL) {
        ps_csv__close(c);
        return ps_error_set(err, PS_ENOMEM, "out of memory opening '%s'", path);
    }
    strcpy(c->path, path);
    c->gz = gzopen(path, "rb");
    if (c->gz == NULL) {
        ps_csv__close(c);
        return io_error(err, path, "cannot open file");
    }
    gzbuffer(c->gz, PS_CSV_CHUNK);
    *out = c;
    return PS_OK;
}

ps_status ps_csv__open_memory(ps_csv **out, const char *path, char *text, size_t len,
                             ps_error *err)
{
    *out = NULL;
    ps_csv *c = calloc(1, sizeof *c);
    if (c == NULL || (c->path = malloc(strlen(path) + 1)) == NULL) {
        free(text);
        ps_csv__close(c);
        return ps_error_set(err, PS_ENOMEM, "out of memory opening '%s'", path);
    }
    strcpy(c->path, path);
    /* The whole text is the one chunk there is; the line reader never refills. */
    c->chunk = text;
    c->chunk_len = len;
    c->chunk_pos = 0;
    c->eof = 1;
    *out = c;
    return PS_OK;
}

static int refill(ps_csv *c, ps_error *err)
{
    int n = gzread(c->gz, c->chunk, PS_CSV_CHUNK);
    if (n < 0) {
        int zerr = 0;
        const char *msg = gzerror(c->gz, &zerr);
        ps_error_set_at(err, PS_EIO, c->path, c->line_no + 1, 0, "read error: %s", msg);
        return -1;
    }
    c->chunk_len = (size_t)n;
    c->chunk_pos = 0;
    if (n == 0) {
        c->eof = 1;
    }
    return 0;
}

static int append(ps_csv *c, size_t *len, const char *src, size_t n, ps_error *err)
{
    if (*len + n + 1 > PS_CSV_MAX_LINE) {
        ps_error_set_at(err, PS_EPARSE, c->path, c->line_no, 1,
                        "line is longer than %u bytes", PS_CSV_MAX_LINE);
        return -1;
    }
    if (*len + n + 1 > c->line_cap) {
        size_t cap = c->line_cap ? c->line_cap : 256;
        while (cap < *len + n + 1) {
            cap *= 2;
        }
        char *p = realloc(c->line, cap);
        if (p == NULL) {
            ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", c->path);
            return -1;
        }
        c->line = p;
        c->line_cap = cap;
    }
    memcpy(c->line + *len, src, n);
    *len += n;
    return 0;
}

/* Strip CR, reject NUL bytes, drop a UTF-8 BOM on line 1. */
static int finish_line(ps_csv *c, size_t *len, ps_error *err)
{
    c->line[*len] = '\0';
    if (memchr(c->line, '\0', *len) != NULL) {
        ps_error_set_at(err, PS_EPARSE, c->path, c->line_no,
                        (int)(strlen(c->line) + 1), "NUL byte in a text file");
        return -1;
    }
    if (*len > 0 && c->line[*len - 1] == '\r') {
        c->line[--*len] = '\0';
    }
    /* A CR left inside the line means CR-only line ends (classic Mac OS): say so, rather
     * than report the whole file as one strange header line (issue #7). */
    const char *cr = memchr(c->line, '\r', *len);
    if (cr != NULL) {
        ps_error_set_at(err, PS_EPARSE, c->path, c->line_no, (int)(cr - c->line) + 1,
                        "carriage return inside a line: save the file with LF or CRLF line "
                        "ends (CR-only line ends are not supported)");
        return -1;
    }
    if (c->line_no == 1 && *len >= 3 && memcmp(c->line, "\xEF\xBB\xBF", 3) == 0) {
        memmove(c->line, c->line + 3, *len - 2);
        *len -= 3;
    }
    return 0;
}

int ps_csv__next_line(ps_csv *c, char **line, size_t *len, ps_error *err)
{
    size_t n = 0;
    int got = 0;
    c->line_no++;
    for (;;) {
        if (c->chunk_pos == c->chunk_len) {
            if (c->eof || refill(c, err) != 0) {
                if (!c->eof) {
                    return -1;
                }
                break;
            }
            if (c->eof) {
                break;
            }
        }
        const char *start = c->chunk + c->chunk_pos;
        size_t avail = c->chunk_len - c->chunk_pos;
        const char *nl = memchr(start, '\n', avail);
        size_t take = nl ? (size_t)(nl - start) : avail;
        if (append(c, &n, start, take, err) != 0) {
            return -1;
        }
        got = 1;
        c->chunk_pos += take + (nl ? 1 : 0);
        if (nl) {
            break;
        }
    }
    if (!got) {
        c->line_no--;
        return 0;
    }
    if (finish_line(c, &n, err) != 0) {
        return -1;
    }
    *line = c->line;
    *len = n;
    return 1;
}

ps_status ps_csv__split(ps_csv *c, char *line, ps_csv_row *row, ps_error *err)
{
    row->n = 0;
    row->line = c->line_no;
    char *r = line, *w = line;
    for (;;) {
        if (row->n == PS_CSV_MAX_FIELDS) {
            return ps_error_set_at(err, PS_EPARSE, c->path, c->line_no, (int)(r - line) + 1,
                                   "more than %d fields", PS_CSV_MAX_FIELDS);
        }
        row->column[row->n] = (int)(r - line) + 1;
        row->field[row->n] = w;
        if (*r == '"') {
            ++r;
            for (;;) {
                if (*r == '\0') {
                    return ps_error_set_at(err, PS_EPARSE, c->path, c->line_no,
                                           row->column[row->n], "unterminated quoted field");
                }
                if (*r == '"' && r[1] == '"') {
                    *w++ = '"';
                    r += 2;
                } else if (*r == '"') {
                    ++r;
                    break;
                } else {
                    *w++ = *r++;
                }
            }
        }
        while (*r != ',' && *r != '\0') {
            *w++ = *r++;
        }
        int last = *r == '\0';
        *w++ = '\0';
        row->n++;
        if (last) {
            break;
        }
        ++r;
    }
    return PS_OK;
}

long ps_csv__line(const ps_csv *c)
{
    return c->line_no;
}

const char *ps_csv__path(const ps_csv *c)
{
    return c->path;
}

ps_status ps_csv__expect_header(ps_csv *c, const char *const *expected, int n, ps_error *err)
{
    char *line = NULL;
    size_t len = 0;
    char want[512] = "";
    for (int i = 0; i < n; ++i) {
        strncat(want, expected[i], sizeof want - strlen(want) - 2);
        if (i + 1 < n) {
            strcat(want, ",");
        }
    }
    int got = ps_csv__next_line(c, &line, &len, err);
    if (got < 0) {
        return err ? err->code : PS_EIO;
    }
    if (got == 0) {
        return ps_error_set_at(err, PS_EPARSE, c->path, 1, 1, "missing header: expected '%s'", want);
    }
    if (strcmp(line, want) != 0) {
        return ps_error_set_at(err, PS_EPARSE, c->path, 1, 1,
                               "wrong header: expected '%s' (got '%.200s')", want, line);
    }
    return PS_OK;
}

ps_status ps_csv__double(double *out, const ps_csv *c, const ps_csv_row *row, int i,
                         const char *colname, ps_error *err)
{
    const char *s = row->field[i];
    char *end = NULL;
    int hex = strchr(s, 'x') != NULL || strchr(s, 'X') != NULL;
    errno = 0;
    double v = hex ? NAN : strtod(s, &end);
    if (hex || end == s || *end != '\0' || !isfinite(v) || errno == ERANGE) {
        if (!(errno == ERANGE && isfinite(v) && end != s && *end == '\0')) {
            return ps_error_set_at(err, PS_EPARSE, c->path, row->line, row->column[i],
                                   "column '%s': expected a finite decimal number (got '%.80s')",
                                   colname, s);
        }
        v = 0.0; /* underflow to a denormal or zero is harmless */
    }
    *out = v;
    return PS_OK;
}

ps_status ps_csv__int(int *out, const ps_csv *c, const ps_csv_row *row, int i, const char *colname,
                      long lo, long hi, ps_error *err)
{
    const char *s = row->field[i];
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end != '\0' || errno == ERANGE) {
        return ps_error_set_at(err, PS_EPARSE, c->path, row->line, row->column[i],
                               "column '%s': expected a whole number (got '%.80s')", colname, s);
    }
    if (v < lo || v > hi) {
        return ps_error_set_at(err, PS_EINVAL, c->path, row->line, row->column[i],
                               "column '%s' = %ld is outside [%ld, %ld]", colname, v, lo, hi);
    }
    *out = (int)v;
    return PS_OK;
}

void ps_csv__close(ps_csv *c)
{
    if (c == NULL) {
        return;
    }
    if (c->gz != NULL) {
        gzclose(c->gz);
    }
    free(c->path);
    free(c->chunk);
    free(c->line);
    free(c);
}

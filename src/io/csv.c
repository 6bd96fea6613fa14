/*
 * csv.c - buffered line reader and field splitter for CSV inputs (plain or gzip).
 * The reader keeps one growable line buffer; a line may not exceed PS_CSV_MAX_LINE bytes,
 * so a hostile file cannot make it allocate without bound. Numbers are parsed strictly:
 * the whole field must be a finite decimal number.
 * Bytes come from source.c (read by reading: FIFOs, /dev/stdin and /proc work, and a wait
 * can be cancelled). A file that starts with the gzip magic bytes is inflated here with
 * zlib's inflate(), not gzread(): gzread() reports a stream cut short (even at a row
 * boundary) as a normal end of file, so a truncated .csv.gz lost its last rows silently
 * (issue #17). Each gzip member must end with its trailer, whose CRC-32 and length
 * inflate() checks (RFC 1952, sec. 2.3.1); members may be concatenated (gzip(1) does so);
 * anything else after a member, or an end of file inside one, is reported.
 */
#include "csv_int.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "source_int.h"

#define PS_CSV_MAX_LINE (1u << 20)  /* bytes; longer lines are rejected */
#define PS_CSV_CHUNK (1u << 18)     /* bytes read or inflated at a time */
#define PS_GZIP_WINDOW_BITS (15 + 16) /* 32 KiB window, gzip wrapper only (zlib manual) */

struct ps_csv {
    ps_src *src;
    char *path;
    char *chunk;        /* text bytes: read (plain) or inflated (gzip) */
    size_t chunk_len;   /* valid bytes in chunk */
    size_t chunk_pos;   /* next unread byte */
    int eof;            /* no more text */
    int chunk_odd;      /* chunk holds a NUL or CR byte: lines from it get the full check */
    int line_odd;       /* the current line came (partly) from such a chunk */
    int gzip;           /* 1 if the file starts with the gzip magic bytes */
    int z_ready;        /* inflateInit2 succeeded: inflateEnd is due */
    int member_end;     /* the last inflate() finished a member (trailer checked) */
    int members;        /* members finished so far */
    int src_eof;        /* the source has no more compressed bytes */
    z_stream zs;
    unsigned char *raw; /* compressed bytes from the source */
    char *line;         /* current line, NUL-terminated */
    size_t line_cap;
    long line_no;
    long lines_done;    /* lines handed out whole so far */
};

/* RFC 1952, sec. 2.3.1: every gzip member starts with ID1 = 0x1f, ID2 = 0x8b. */
static const unsigned char gzip_magic[2] = { 0x1f, 0x8b };

static ps_status open_error(ps_error *err, const char *path, int why)
{
    if (why == EISDIR) {
        return ps_error_set_at(err, PS_EIO, path, 0, 0, "is a directory, expected a CSV file");
    }
    return ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot open file: %s", strerror(why));
}

/* The compressed input is not a complete gzip file: name the file and what is wrong. */
static int corrupt(ps_csv *c, ps_error *err, const char *what)
{
    ps_error_set_at(err, PS_EIO, c->path, 0, 0,
                    "the compressed file is truncated or corrupt: %s (after line %ld); "
                    "nothing of it was used: copy or download it again",
                    what, c->lines_done);
    return -1;
}

/* One scan per chunk instead of two per line: most chunks have neither a NUL nor a CR. */
static void scan_chunk(ps_csv *c)
{
    c->chunk_odd = memchr(c->chunk, '\0', c->chunk_len) != NULL ||
                   memchr(c->chunk, '\r', c->chunk_len) != NULL;
}

/* The first bytes (at least 2, unless the file is shorter) decide plain or gzip. */
static ps_status start_reading(ps_csv *c, ps_error *err)
{
    size_t n = 0;
    long got = 1;
    while (n < sizeof gzip_magic && got > 0) {
        if ((got = ps_src__read(c->src, c->chunk + n, PS_CSV_CHUNK - n, err)) < 0) {
            return err ? err->code : PS_EIO;
        }
        n += (size_t)got;
    }
    if (n == 0) {
        return ps_error_set_at(err, PS_EPARSE, c->path, 0, 0,
                               "file is empty, expected a CSV header");
    }
    c->src_eof = got == 0;
    c->gzip = n >= sizeof gzip_magic && memcmp(c->chunk, gzip_magic, sizeof gzip_magic) == 0;
    if (!c->gzip) {
        c->chunk_len = n;
        scan_chunk(c);
        return PS_OK;
    }
    if ((c->raw = malloc(PS_CSV_CHUNK)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory opening '%s'", c->path);
    }
    memcpy(c->raw, c->chunk, n);
    if (inflateInit2(&c->zs, PS_GZIP_WINDOW_BITS) != Z_OK) {
        return ps_error_set(err, PS_ENOMEM, "out of memory opening '%s'", c->path);
    }
    c->z_ready = 1;
    c->zs.next_in = c->raw;
    c->zs.avail_in = (uInt)n;
    return PS_OK;
}

ps_status ps_csv__open(ps_csv **out, const char *path, ps_error *err)
{
    return ps_csv__open_with(out, path, NULL, err);
}

ps_status ps_csv__open_with(ps_csv **out, const char *path, const ps_cancel *cancel,
                            ps_error *err)
{
    *out = NULL;
    ps_csv *c = calloc(1, sizeof *c);
    if (c == NULL || (c->path = malloc(strlen(path) + 1)) == NULL ||
        (c->chunk = malloc(PS_CSV_CHUNK)) == NULL) {
        ps_csv__close(c);
        return ps_error_set(err, PS_ENOMEM, "out of memory opening '%s'", path);
    }
    strcpy(c->path, path);
    int why = ps_src__open(&c->src, path, cancel);
    ps_status rc = why != 0 ? open_error(err, path, why) : start_reading(c, err);
    if (rc != PS_OK) {
        ps_csv__close(c);
        return rc;
    }
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
    scan_chunk(c);
    *out = c;
    return PS_OK;
}

/* More compressed bytes into zs; -1 on a read error. */
static int feed(ps_csv *c, ps_error *err)
{
    long got = ps_src__read(c->src, c->raw, PS_CSV_CHUNK, err);
    if (got < 0) {
        return -1;
    }
    c->src_eof = got == 0;
    c->zs.next_in = c->raw;
    c->zs.avail_in = (uInt)got;
    return 0;
}

/* Inflate into chunk until it holds some text or the last member ended with the file. */
static int inflate_some(ps_csv *c, ps_error *err)
{
    c->zs.next_out = (Bytef *)c->chunk;
    c->zs.avail_out = PS_CSV_CHUNK;
    while (c->zs.avail_out == PS_CSV_CHUNK) {
        if (c->zs.avail_in == 0 && !c->src_eof && feed(c, err) != 0) {
            return -1;
        }
        if (c->zs.avail_in == 0 && c->src_eof) {
            if (!c->member_end) {
                return corrupt(c, err, "the file ends inside its gzip stream, before the "
                                       "trailer that holds the CRC-32 and length");
            }
            c->eof = 1;
            break;
        }
        if (c->member_end) { /* bytes after a member: another member must follow */
            inflateReset(&c->zs);
            c->member_end = 0;
        }
        uInt before = c->zs.avail_in;
        int zr = inflate(&c->zs, Z_NO_FLUSH);
        if (zr == Z_STREAM_END) {
            c->member_end = 1;
            c->members++;
        } else if (zr == Z_DATA_ERROR && c->members > 0 && c->zs.total_out == 0) {
            return corrupt(c, err, "bytes after the end of its gzip stream are not another "
                                   "gzip member");
        } else if (zr == Z_MEM_ERROR) {
            ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", c->path);
            return -1;
        } else if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT || zr == Z_STREAM_ERROR ||
                   (zr == Z_BUF_ERROR && before > 0)) {
            return corrupt(c, err, c->zs.msg ? c->zs.msg : "invalid compressed data");
        }
    }
    c->chunk_len = PS_CSV_CHUNK - c->zs.avail_out;
    c->chunk_pos = 0;
    return 0;
}

/* Next piece of text into chunk; sets eof at the end. 0, or -1 with err set. */
static int refill(ps_csv *c, ps_error *err)
{
    if (c->gzip) {
        if (inflate_some(c, err) != 0) {
            return -1;
        }
    } else {
        long n = ps_src__read(c->src, c->chunk, PS_CSV_CHUNK, err);
        if (n < 0) {
            return -1;
        }
        c->chunk_len = (size_t)n;
        c->chunk_pos = 0;
        c->eof = n == 0;
    }
    scan_chunk(c);
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

/* Strip CR, reject NUL bytes (only lines from a chunk with a NUL or CR byte can have one). */
static int check_odd_bytes(ps_csv *c, size_t *len, ps_error *err)
{
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
    return 0;
}

/* Terminate the line, check its odd bytes, drop a UTF-8 BOM on line 1. */
static int finish_line(ps_csv *c, size_t *len, ps_error *err)
{
    c->line[*len] = '\0';
    if (c->line_odd && check_odd_bytes(c, len, err) != 0) {
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
    c->line_odd = 0;
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
        c->line_odd |= c->chunk_odd;
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
    c->lines_done = c->line_no;
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

ps_status ps_csv__finish(ps_csv *c, ps_error *err)
{
    while (c->gzip && !c->eof) {
        if (inflate_some(c, err) != 0) {
            return err ? err->code : PS_EIO;
        }
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
    if (c->z_ready) {
        inflateEnd(&c->zs);
    }
    ps_src__close(c->src);
    free(c->raw);
    free(c->path);
    free(c->chunk);
    free(c->line);
    free(c);
}

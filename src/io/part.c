/*
 * io/part.c - part files of Slurm array tasks (issue #15): the layout is in popsim/part.h
 * and docs/hpc.md. The whole file is built in memory, its SHA-256 appended, and written
 * through ps_outfile (atomic); a reader checks the checksum before it parses anything, and
 * then every length against the bytes left, so a damaged part is refused with its name.
 */
#include "popsim/part.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/outfile.h"
#include "core/bytes_int.h"
#include "popsim/sha256.h"

static const char PART_MAGIC[8] = { 'P', 'S', 'P', 'A', 'R', 'T', '0', '1' };
static const uint32_t BYTE_ORDER_MARK = 0x01020304u;
#define CHECKSUM_BYTES 64
/* A part holds at most this many units and arguments: far above any run (PS_RUN_MAX_MEMBERS
 * times the replicates), and it bounds what a damaged count could make a reader allocate. */
#define PART_MAX_COUNT (1 << 26)

static void put_str(ps_wbuf *b, const char *s)
{
    static const char empty[1] = "";
    const char *t = s != NULL ? s : empty;
    const size_t n = strlen(t);
    ps_wbuf_u64(b, n);
    ps_wbuf_put(b, t, n);
}

ps_status ps_part_write(const char *path, const ps_part *part, ps_error *err)
{
    ps_wbuf b = { 0 };
    ps_outfile *out = NULL;
    FILE *stream = NULL;
    char sum[65];
    ps_wbuf_put(&b, PART_MAGIC, sizeof PART_MAGIC);
    ps_wbuf_put(&b, &BYTE_ORDER_MARK, sizeof BYTE_ORDER_MARK);
    put_str(&b, part->scenario_sha256);
    put_str(&b, part->identity);
    put_str(&b, part->git_commit);
    put_str(&b, part->version);
    put_str(&b, part->workdir);
    ps_wbuf_u64(&b, part->seed);
    ps_wbuf_i32(&b, part->n_units);
    ps_wbuf_i32(&b, part->task);
    ps_wbuf_i32(&b, part->n_tasks);
    ps_wbuf_i32(&b, part->n_args);
    for (int k = 0; k < part->n_args; ++k) {
        put_str(&b, part->args[k]);
    }
    ps_wbuf_i32(&b, part->n);
    for (int k = 0; k < part->n; ++k) {
        ps_wbuf_i32(&b, part->units[k]);
        ps_wbuf_u64(&b, part->lens[k]);
        ps_wbuf_put(&b, part->bytes[k], part->lens[k]);
    }
    if (b.failed) {
        free(b.data);
        return ps_error_set(err, PS_ENOMEM, "out of memory for part file '%s'", path);
    }
    ps_sha256_hex(sum, b.data, b.len);
    ps_status rc = ps_outfile_open(&out, path, err);
    if (rc == PS_OK && (stream = ps_outfile_stream(out)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for writing '%s'", path);
    }
    if (rc == PS_OK && (fwrite(b.data, 1, b.len, stream) != b.len ||
                        fwrite(sum, 1, CHECKSUM_BYTES, stream) != CHECKSUM_BYTES)) {
        rc = ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot write part file");
    }
    if (rc == PS_OK) {
        rc = ps_outfile_commit(out, err);
        out = NULL;
    }
    ps_outfile_abort(out);
    free(b.data);
    return rc;
}

/* ---- reading ---------------------------------------------------------------------------- */

/* A string into a fixed buffer (too long: bad). */
static void get_fixed(ps_rbuf *b, char *out, size_t size)
{
    const uint64_t n = ps_rbuf_u64(b);
    if (b->bad || n >= size || n > b->len - b->pos) {
        b->bad = 1;
        out[0] = '\0';
        return;
    }
    ps_rbuf_get(b, out, (size_t)n);
    out[n] = '\0';
}

/* A string, malloc'ed; NULL when bad or out of memory (*nomem set). */
static char *get_str(ps_rbuf *b, int *nomem)
{
    const uint64_t n = ps_rbuf_u64(b);
    if (b->bad || n > b->len - b->pos) {
        b->bad = 1;
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (s == NULL) {
        *nomem = 1;
        return NULL;
    }
    ps_rbuf_get(b, s, (size_t)n);
    s[n] = '\0';
    return s;
}

/* The whole file, or a status naming it. */
static ps_status slurp(unsigned char **data_out, size_t *len_out, const char *path,
                       ps_error *err)
{
    FILE *f = fopen(path, "rb");
    unsigned char *data = NULL;
    size_t len = 0, cap = 0, got = 0;
    *data_out = NULL;
    if (f == NULL) {
        return ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot open part file");
    }
    do {
        if (len == cap) {
            cap = cap > 0 ? cap * 2 : 1 << 16;
            unsigned char *d = realloc(data, cap);
            if (d == NULL) {
                free(data);
                fclose(f);
                return ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path);
            }
            data = d;
        }
        got = fread(data + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    const int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(data);
        return ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot read part file");
    }
    *data_out = data;
    *len_out = len;
    return PS_OK;
}

static int parse_units(ps_rbuf *b, ps_part *p, int *nomem)
{
    const int n = ps_rbuf_i32(b);
    if (b->bad || n < 0 || n > PART_MAX_COUNT) {
        return 0;
    }
    p->units = calloc((size_t)n + 1, sizeof *p->units);
    p->lens = calloc((size_t)n + 1, sizeof *p->lens);
    p->bytes = calloc((size_t)n + 1, sizeof *p->bytes);
    if (p->units == NULL || p->lens == NULL || p->bytes == NULL) {
        *nomem = 1;
        return 0;
    }
    p->n = n;
    for (int k = 0; k < n && !b->bad && !*nomem; ++k) {
        p->units[k] = ps_rbuf_i32(b);
        const uint64_t len = ps_rbuf_u64(b);
        if (b->bad || len > b->len - b->pos) {
            return 0;
        }
        if ((p->bytes[k] = malloc((size_t)len + 1)) == NULL) {
            *nomem = 1;
            return 0;
        }
        p->lens[k] = (size_t)len;
        ps_rbuf_get(b, p->bytes[k], (size_t)len);
    }
    return !b->bad && !*nomem;
}

static int parse_part(ps_rbuf *b, ps_part *p, int *nomem)
{
    char magic[sizeof PART_MAGIC];
    uint32_t mark = 0;
    ps_rbuf_get(b, magic, sizeof magic);
    ps_rbuf_get(b, &mark, sizeof mark);
    if (b->bad || memcmp(magic, PART_MAGIC, sizeof magic) != 0 || mark != BYTE_ORDER_MARK) {
        return 0;
    }
    get_fixed(b, p->scenario_sha256, sizeof p->scenario_sha256);
    get_fixed(b, p->identity, sizeof p->identity);
    get_fixed(b, p->git_commit, sizeof p->git_commit);
    get_fixed(b, p->version, sizeof p->version);
    get_fixed(b, p->workdir, sizeof p->workdir);
    p->seed = ps_rbuf_u64(b);
    p->n_units = ps_rbuf_i32(b);
    p->task = ps_rbuf_i32(b);
    p->n_tasks = ps_rbuf_i32(b);
    const int n_args = ps_rbuf_i32(b);
    if (b->bad || n_args < 0 || n_args > PART_MAX_COUNT) {
        return 0;
    }
    if ((p->args = calloc((size_t)n_args + 1, sizeof *p->args)) == NULL) {
        *nomem = 1;
        return 0;
    }
    p->n_args = n_args;
    for (int k = 0; k < n_args && !b->bad && !*nomem; ++k) {
        p->args[k] = get_str(b, nomem);
    }
    return !b->bad && !*nomem && parse_units(b, p, nomem) && b->pos == b->len;
}

ps_status ps_part_read(ps_part *out, const char *path, ps_error *err)
{
    unsigned char *data = NULL;
    size_t len = 0;
    char sum[65];
    int nomem = 0;
    memset(out, 0, sizeof *out);
    ps_status rc = slurp(&data, &len, path, err);
    if (rc != PS_OK) {
        return rc;
    }
    if (len < sizeof PART_MAGIC || memcmp(data, PART_MAGIC, sizeof PART_MAGIC) != 0) {
        rc = ps_error_set_at(err, PS_EPARSE, path, 0, 0, "not a popsim part file (written by "
                             "`popsim run --task I --tasks N`)");
    } else if (len < sizeof PART_MAGIC + CHECKSUM_BYTES) {
        rc = ps_error_set_at(err, PS_EPARSE, path, 0, 0, "part file is truncated");
    } else {
        ps_sha256_hex(sum, data, len - CHECKSUM_BYTES);
        if (memcmp(sum, data + len - CHECKSUM_BYTES, CHECKSUM_BYTES) != 0) {
            rc = ps_error_set_at(err, PS_EPARSE, path, 0, 0, "part file is truncated or damaged "
                                 "(its SHA-256 checksum does not match); compute this task "
                                 "again");
        }
    }
    ps_rbuf b = { .data = data, .len = len - (rc == PS_OK ? CHECKSUM_BYTES : 0) };
    if (rc == PS_OK && !parse_part(&b, out, &nomem)) {
        rc = nomem ? ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path)
                   : ps_error_set_at(err, PS_EPARSE, path, 0, 0, "malformed part file (written "
                                     "on a machine of the other byte order, or by another "
                                     "format version)");
    }
    free(data);
    return rc;
}

void ps_part_release(ps_part *part)
{
    for (int k = 0; part->args != NULL && k < part->n_args; ++k) {
        free(part->args[k]);
    }
    for (int k = 0; part->bytes != NULL && k < part->n; ++k) {
        free(part->bytes[k]);
    }
    free(part->args);
    free(part->units);
    free(part->lens);
    free(part->bytes);
    memset(part, 0, sizeof *part);
}

/*
 * core/bytes_int.h - growing byte buffers for the library's own binary formats (a unit's
 * result as bytes, src/run/unit.c; Slurm part files, src/io/part.c). Values are written in
 * the machine's byte order (the formats carry a byte-order mark); a reader never reads past
 * the end: a short buffer sets `bad` and yields zeros.
 */
#ifndef PS_CORE_BYTES_INT_H
#define PS_CORE_BYTES_INT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ps_wbuf {
    unsigned char *data; /* malloc'ed; the caller frees it */
    size_t len, cap;
    int failed; /* out of memory: later writes do nothing */
} ps_wbuf;

void ps_wbuf_put(ps_wbuf *b, const void *p, size_t n);
void ps_wbuf_u64(ps_wbuf *b, uint64_t v);
void ps_wbuf_i32(ps_wbuf *b, int v);
void ps_wbuf_f64(ps_wbuf *b, double v);

typedef struct ps_rbuf {
    const unsigned char *data; /* borrowed */
    size_t len, pos;
    int bad;   /* truncated or malformed */
    int nomem; /* an allocation of the reader failed */
} ps_rbuf;

/* n bytes into p; returns 0 (p zeroed, bad set) when fewer than n are left. */
int ps_rbuf_get(ps_rbuf *b, void *p, size_t n);
uint64_t ps_rbuf_u64(ps_rbuf *b);
int ps_rbuf_i32(ps_rbuf *b);
double ps_rbuf_f64(ps_rbuf *b);

#endif /* PS_CORE_BYTES_INT_H */

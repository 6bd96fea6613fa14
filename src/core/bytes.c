/*
 * bytes.c - growing byte buffers of the library's binary formats (core/bytes_int.h).
 */
#include "core/bytes_int.h"

#include <stdlib.h>
#include <string.h>

void ps_wbuf_put(ps_wbuf *b, const void *p, size_t n)
{
    if (b->failed) {
        return;
    }
    if (b->len + n > b->cap) {
        size_t cap = b->cap > 0 ? b->cap : 4096;
        while (cap < b->len + n) {
            cap *= 2;
        }
        unsigned char *d = realloc(b->data, cap);
        if (d == NULL) {
            b->failed = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void ps_wbuf_u64(ps_wbuf *b, uint64_t v)
{
    ps_wbuf_put(b, &v, sizeof v);
}

void ps_wbuf_i32(ps_wbuf *b, int v)
{
    int32_t w = (int32_t)v;
    ps_wbuf_put(b, &w, sizeof w);
}

void ps_wbuf_f64(ps_wbuf *b, double v)
{
    ps_wbuf_put(b, &v, sizeof v);
}

int ps_rbuf_get(ps_rbuf *b, void *p, size_t n)
{
    if (b->bad || n > b->len - b->pos) {
        b->bad = 1;
        memset(p, 0, n);
        return 0;
    }
    memcpy(p, b->data + b->pos, n);
    b->pos += n;
    return 1;
}

uint64_t ps_rbuf_u64(ps_rbuf *b)
{
    uint64_t v = 0;
    ps_rbuf_get(b, &v, sizeof v);
    return v;
}

int ps_rbuf_i32(ps_rbuf *b)
{
    int32_t v = 0;
    ps_rbuf_get(b, &v, sizeof v);
    return (int)v;
}

double ps_rbuf_f64(ps_rbuf *b)
{
    double v = 0.0;
    ps_rbuf_get(b, &v, sizeof v);
    return v;
}

/*
 * source_int.h - library-internal byte source under every input reader (CSV, gzip, YAML).
 * A path is opened without blocking and read by reading: nothing is concluded from
 * st_size, so a FIFO, a pipe behind /dev/stdin and a /proc file (size 0) are read like
 * regular files, with the callers' size limits enforced on the bytes that arrive. Every
 * wait for data is a poll() with a timeout that asks the caller's cancel callback (given at
 * open, per source: issue #11), so a read from a pipe that stays open can be interrupted
 * (issue #17).
 */
#ifndef PS_IO_SOURCE_INT_H
#define PS_IO_SOURCE_INT_H

#include <stddef.h>

#include "popsim/error.h"

typedef struct ps_src ps_src; /* opaque: one open input file */

/**
 * Open path for reading. Never blocks: a FIFO without a writer is opened at once and the
 * first read waits (cancellably) for one.
 * @param cancel  asked before each wait (copied); NULL: never cancelled
 * @return 0, or an errno value: the open(2) reason, EISDIR for a folder, ENOMEM
 */
int ps_src__open(ps_src **out, const char *path, const ps_cancel *cancel);

/**
 * Read up to n (> 0) bytes into buf, waiting for data if none is there yet.
 * @return the number of bytes (> 0); 0 at the end of the file; -1 with err set (PS_EIO at
 *         the path: a read error; or "interrupted while reading" with the callback's status
 *         once it cancels)
 */
long ps_src__read(ps_src *s, void *buf, size_t n, ps_error *err);

/** The path the source was opened with. */
const char *ps_src__path(const ps_src *s);

void ps_src__close(ps_src *s); /* accepts NULL */

#endif /* PS_IO_SOURCE_INT_H */

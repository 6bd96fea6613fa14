/*
 * popsim/io.h - how the library reads its input files (scenario, planner CSVs, WPP data).
 * Every input is read by reading, never judged by its size, so a FIFO, a pipe behind
 * /dev/stdin and a /proc file work like a regular file. A read that waits for data (a pipe
 * whose writer stays open) can be cancelled by the program: docs/errors.md, issue #17.
 */
#ifndef PS_IO_H
#define PS_IO_H

#ifdef __cplusplus
extern "C" {
#endif

/* Input reads are cancelled per call (issue #11): ps_scn_load_with and ps_build_options take
 * a ps_cancel (popsim/error.h) that every read asks while it waits for data, so a read that
 * waits on a pipe which never delivers stops within PS_IO_CANCEL_LATENCY_MS with PS_EIO
 * "interrupted while reading" (or the callback's status). */

/* The longest a cancelled read keeps waiting, milliseconds (the poll() timeout). */
#define PS_IO_CANCEL_LATENCY_MS 100

#ifdef __cplusplus
}
#endif
#endif /* PS_IO_H */

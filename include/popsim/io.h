/*
 * popsim/io.h - how the library reads its input files (scenario, planner CSVs, WPP data).
 * Every input is read by reading, never judged by its size, so a FIFO, a pipe behind
 * /dev/stdin and a /proc file work like a regular file. A read that waits for data (a pipe
 * whose writer stays open) can be cancelled by the program: docs/errors.md, issue #17.
 */
#ifndef PS_IO_H
#define PS_IO_H

#include <signal.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Let a program cancel reads: while *flag is non-zero (a SIGINT/SIGTERM handler sets it),
 * every input read stops within PS_IO_CANCEL_LATENCY_MS and returns PS_EIO "interrupted
 * while reading", even when it is waiting on a pipe that never delivers data.
 * Process-wide and set only by programs; flag is borrowed and must
 * outlive every read; NULL (the default) switches it off.
 */
void ps_io_set_cancel(const volatile sig_atomic_t *flag);

/* The longest a cancelled read keeps waiting, milliseconds (the poll() timeout). */
#define PS_IO_CANCEL_LATENCY_MS 100

#ifdef __cplusplus
}
#endif
#endif /* PS_IO_H */

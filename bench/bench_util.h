/*
 * bench_util.h - what the benchmarks share (header-only: each bench is one program): wall
 * and CPU clocks, and the exit on an error or a failed allocation. Define BENCH_NAME (the
 * program's name, for messages) before including it.
 */
#ifndef PS_BENCH_UTIL_H
#define PS_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "popsim/error.h"

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench_util.h"
#endif

/* Wall-clock seconds (monotonic). */
static inline double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* CPU seconds of the whole process (all threads): the work, whatever the machine's load
 * (the machine is shared, so wall time also counts other programs' turns). */
static inline double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Print the error record and exit 1. */
static inline void die(const ps_error *err)
{
    char buf[2048];
    fprintf(stderr, BENCH_NAME ": %s\n", ps_error_format(err, buf, sizeof buf));
    exit(1);
}

/* malloc, or exit 1 with "out of memory". */
static inline void *xmalloc(size_t bytes)
{
    void *p = malloc(bytes);
    if (p == NULL) {
        fprintf(stderr, BENCH_NAME ": out of memory\n");
        exit(1);
    }
    return p;
}

#endif /* PS_BENCH_UTIL_H */

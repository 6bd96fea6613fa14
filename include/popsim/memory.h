/*
 * popsim/memory.h - how much memory a run will need, checked before it allocates its
 * results, so that a run too large for the machine is refused up front with the estimate
 * instead of being killed by the kernel's out-of-memory killer half way (issue #7).
 */
#ifndef PS_MEMORY_H
#define PS_MEMORY_H

#include <stddef.h>

#include "popsim/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The shape of a run: what its arrays scale with. */
typedef struct ps_mem_shape {
    int n_steps;     /* projected years (end_year - start_year), >= 1 */
    int n_regions;   /* >= 1 */
    int n_ages;      /* single ages incl. the open group, >= 2 */
    int n_scenarios; /* results held in memory together, >= 1 */
} ps_mem_shape;

/**
 * Peak bytes of a run of this shape: inputs, engine workspace, every result array (incl.
 * parity and policy arrays) and a fixed allowance for the libraries and the HDF5 writer.
 * An overestimate by design (docs/errors.md, "Resources"). SIZE_MAX if it overflows.
 */
size_t ps_mem_estimate(const ps_mem_shape *shape);

/**
 * Memory the run may use: $POPSIM_MEMORY_LIMIT_BYTES when set (a documented test aid and a
 * way to cap batch jobs), else MemAvailable from /proc/meminfo, else available physical
 * pages (sysconf); SIZE_MAX when none of these is known. `source_out` (may be NULL) names
 * where the figure came from.
 * @return PS_OK; PS_EINVAL if POPSIM_MEMORY_LIMIT_BYTES is not a positive whole number
 */
ps_status ps_mem_available(size_t *bytes_out, const char **source_out, ps_error *err);

/**
 * Refuse a run whose estimate exceeds what is available.
 * @return PS_OK; PS_ENOMEM "this run needs about X GiB (...) but only Y GiB are available"
 */
ps_status ps_mem_check(const ps_mem_shape *shape, size_t available, const char *source,
                       ps_error *err);

/*
 * Amplification (issue #17): a small scenario can ask for a very large run (500 chained
 * variants in 57 KB wrote 1.5 GB in 3 minutes). Before loading any data a run is refused
 * above these documented limits, which `popsim run --allow-large` lifts (the memory check
 * still applies):
 * - PS_RUN_MAX_MEMBERS scenarios in one family (the top level and its variants; a policy
 *   study has a handful, china_policies.yaml 5);
 * - PS_RUN_MAX_OUTPUT_BYTES of result arrays (ps_mem_output_estimate: a scenario from 2025
 *   to 2100 is about 1.7 MiB, so 100 of them fit; 91 scenarios to 2300 do not).
 */
#define PS_RUN_MAX_MEMBERS 100
#define PS_RUN_MAX_OUTPUT_BYTES ((size_t)256 << 20) /* 256 MiB */

/**
 * Bytes of result arrays a run of this shape writes, before compression: every array of
 * every scenario in the file, as ps_mem_estimate counts them without the fixed allowance.
 * An upper bound (the writer compresses; a run with few variables writes less).
 */
size_t ps_mem_output_estimate(const ps_mem_shape *shape);

/**
 * Refuse a run whose output estimate exceeds `max_output` bytes (PS_RUN_MAX_OUTPUT_BYTES
 * unless lifted), with the work in the message (scenarios x years x regions x ages).
 * @return PS_OK; PS_EINVAL "this run would write about X GiB ... more than the limit"
 */
ps_status ps_mem_check_output(const ps_mem_shape *shape, size_t max_output, ps_error *err);

/** Bytes as "123.4 MiB" below 1 GiB, else "12.34 GiB", for messages. */
void ps_mem_format_bytes(char *buf, size_t size, size_t bytes);

#ifdef __cplusplus
}
#endif
#endif /* PS_MEMORY_H */

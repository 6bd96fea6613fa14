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

/** ps_mem_available, then ps_mem_check: what `popsim run` calls before projecting. */
ps_status ps_mem_check_run(const ps_mem_shape *shape, ps_error *err);

#ifdef __cplusplus
}
#endif
#endif /* PS_MEMORY_H */

/*
 * popsim/part.h - part files: the units one Slurm array task computed, with what identifies
 * the run they belong to, so that `popsim merge` can check that parts fit together and write
 * the file of a single run (issue #15, docs/hpc.md "Part files").
 *
 * A part file is binary, native byte order, written atomically (popsim/outfile.h):
 *
 *     "PSPART01"                      8 bytes, magic
 *     0x01020304                      uint32, byte-order mark
 *     header strings                  each a uint64 length and the bytes: scenario_sha256,
 *                                     identity, git_commit, version, workdir
 *     seed                            uint64
 *     n_units, task, n_tasks, n_args  int32 each
 *     args                            n_args strings (the `popsim run` arguments that
 *                                     rebuild the run)
 *     n                               int32, units in this part
 *     units                           n x (int32 unit index, uint64 length, the bytes of
 *                                     ps_run_unit_get)
 *     checksum                        64 bytes, lowercase hex SHA-256 of everything before
 *
 * The checksum catches a truncated or damaged file before anything in it is believed.
 */
#ifndef PS_PART_H
#define PS_PART_H

#include <stddef.h>

#include "popsim/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_part {
    char scenario_sha256[65]; /* lowercase hex of the scenario file, "" for none */
    char identity[65];        /* ps_run_identity of the run */
    char git_commit[64];      /* ps_git_commit() of the binary that computed the units */
    char version[32];         /* ps_version() of that binary */
    char workdir[4096];       /* the task's working directory, where `args` are resolved */
    unsigned long long seed;  /* micro seed, 0 for the cohort engine */
    int n_units;              /* units of the whole run */
    int task, n_tasks;        /* this part is share `task` (0-based) of n_tasks */
    int n_args;
    char **args;              /* owned: arguments of `popsim run` that rebuild the run, as
                               * given to the task (paths relative to workdir) */
    int n;                    /* units in this part */
    int *units;               /* owned, [n]: unit indices (ps_run_unit_at order) */
    size_t *lens;             /* owned, [n]: bytes of each unit */
    unsigned char **bytes;    /* owned, [n]: ps_run_unit_get's bytes */
} ps_part;

/**
 * Write `part` to `path` atomically.
 * @return PS_OK; PS_EIO naming the file (refused target, full disk ...); PS_ENOMEM
 */
ps_status ps_part_write(const char *path, const ps_part *part, ps_error *err);

/**
 * Read a part file written by ps_part_write.
 * @param[out] out  filled part, released with ps_part_release (also on failure)
 * @return PS_OK; PS_EIO if it cannot be read; PS_EPARSE (at `path`) if it is not a part
 *         file, was written on a machine of the other byte order, or is truncated or damaged;
 *         PS_ENOMEM
 */
ps_status ps_part_read(ps_part *out, const char *path, ps_error *err);

void ps_part_release(ps_part *part); /* accepts a zeroed struct */

#ifdef __cplusplus
}
#endif
#endif /* PS_PART_H */

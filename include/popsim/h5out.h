/*
 * popsim/h5out.h - results to and from HDF5 files that netCDF-4/CF readers
 * (xarray, h5py, R's ncdf4/hdf5r, ncdump) open as labelled arrays.
 *
 * Layout (docs/output-format.md): global attributes Conventions="CF-1.8" and provenance;
 * one group /scenarios/<name>/ per result with 1-D coordinate datasets `year` (int32),
 * `region` (strings), `sex` (strings "male","female"), `age` (int32 0..100, 100 = 100+),
 * each an HDF5 dimension scale attached to every variable; variables `population`,
 * `births`, `deaths`, `net_migration`, `asfr`, `tfr`, `e0` (float64, units, long_name,
 * _FillValue NaN), chunked by one year and compressed (shuffle + deflate).
 *
 * Files are written atomically: a temporary file beside the target is written, flushed,
 * fsync'ed, closed and renamed over the target. On failure the temporary file is removed
 * and an existing target is left untouched.
 */
#ifndef PS_H5OUT_H
#define PS_H5OUT_H

#include "popsim/error.h"
#include "popsim/result.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One input of a run and where it came from (all strings borrowed, "" when not applicable).
 * Written as one row of the /provenance group (docs/output-format.md). */
typedef struct ps_input_source {
    const char *kind;   /* "population", "mortality", "fertility", "tfr", "srb", "migration"... */
    const char *source; /* "planner file", "UN WPP 2024", "scenario value", "model default" */
    const char *detail; /* WPP location and variant, the value and its unit, or a note */
    const char *path;   /* the file that was read, "" if none */
    const char *sha256; /* lowercase hex SHA-256 of the file's bytes, "" if none */
} ps_input_source;

/* What the file records about how it was made (all strings borrowed, may be "" or NULL). */
typedef struct ps_provenance {
    const char *scenario_path;   /* scenario file as given, "" for runs without one */
    const char *scenario_sha256; /* lowercase hex of the scenario file's bytes, "" if none */
    const char *command_line;    /* the argv, shell-quoted where needed, joined by spaces */
    const char *data_source;     /* e.g. "UN WPP 2024 (dir), location China (156)" */
    unsigned long long seed;     /* random seed (0 for deterministic runs) */
    int threads;                 /* OpenMP threads used */
    const ps_input_source *inputs; /* n_inputs records for /provenance; NULL: no such group */
    int n_inputs;
    int mpi_ranks;               /* MPI ranks of the run; 0 = not an MPI run (no attribute) */
    const struct ps_sweep_table *sweep; /* group /sweep (popsim/sweep.h); NULL: none */
    /* The base parity's fit (issue #12): root attributes parity_fit and parity_fit_*; NULL:
     * none (a run without birth-order targets). */
    const struct ps_parity_fit *parity_fit;
} ps_provenance;

/**
 * Write results[0..n-1], one group each, to `path` atomically.
 * @return PS_OK; PS_EINVAL for n < 1 or duplicate/empty scenario names; PS_EIO when the
 *         temporary file cannot be created, synced or renamed; PS_EHDF5 naming the object
 */
ps_status ps_h5_write(const char *path, const ps_result *const *results, int n,
                      const ps_provenance *prov, ps_error *err);

/* Asked by the writer between objects and just before its rename: PS_OK goes on, any other
 * status (with its message in err, e.g. "interrupted by SIGINT") stops the write. */
typedef ps_status (*ps_h5_cancel_fn)(void *ctx, ps_error *err);

/* Options of one write (no process-wide state: each call carries its own). */
typedef struct ps_h5_write_options {
    ps_h5_cancel_fn cancel; /* NULL: never cancelled */
    void *cancel_ctx;       /* passed to cancel; borrowed */
} ps_h5_write_options;

#define PS_H5_WRITE_OPTIONS_INIT { .cancel = NULL, .cancel_ctx = NULL }

/**
 * ps_h5_write with options: when opts->cancel returns a status other than PS_OK, the write
 * stops, its temporary file is removed, the target is left untouched and that status is
 * returned. opts may be NULL.
 * @return as ps_h5_write; the status of opts->cancel
 */
ps_status ps_h5_write_with(const char *path, const ps_result *const *results, int n,
                           const ps_provenance *prov, const ps_h5_write_options *opts,
                           ps_error *err);

/**
 * Write the main variables (population, births, deaths, net_migration, asfr, tfr, e0, and
 * births_by_order and women_by_parity when every member has them) of results[0..n-1]
 * stacked along a `scenario` coordinate into group /family of a new file at `path`,
 * atomically, so that xarray opens a whole family with one call (issue #16).
 * @return PS_OK; PS_EINVAL unless n >= 2 and all share years, regions and ages; as ps_h5_write
 */
ps_status ps_h5_write_family(const char *path, const ps_result *const *results, int n,
                             const ps_provenance *prov, ps_error *err);

/**
 * List the scenario groups of a result file.
 * @param[out] names_out  array of *n_out strings, owned by the caller: free with ps_h5_free_names
 * @return PS_OK; PS_EIO if the file cannot be opened; PS_EHDF5 if it has no /scenarios group
 */
ps_status ps_h5_list(char ***names_out, int *n_out, const char *path, ps_error *err);

void ps_h5_free_names(char **names, int n);

/**
 * Read one scenario group back into a result: the inverse of ps_h5_write, so writing the
 * result again gives the same datasets. Fills the core variables, birth order, the policy
 * part (ledger, totals), services, care need, indicators and the microsimulation outputs,
 * whichever the group has (src/io/h5load.c).
 * @param[out] out  filled result the caller releases with ps_result_release
 * @return PS_OK; PS_EIO; PS_EHDF5 naming the missing or malformed object
 */
ps_status ps_h5_read(ps_result *out, const char *path, const char *scenario, ps_error *err);

/* The provenance columns of /provenance, in file order (ps_input_source's fields). */
#define PS_PROVENANCE_COLUMNS 5

/* What a result file records about how it was made, read back (ps_h5_read_provenance): every
 * string owned, "" when the file lacks it. */
typedef struct ps_file_provenance {
    char *title;           /* the first scenario's title */
    char *popsim_version;
    char *git_commit;
    char *scenario_file;
    char *scenario_sha256;
    char *command_line;
    char *data_source;
    char *created;         /* UTC, ISO 8601 */
    char *history;
    unsigned long long seed;
    int threads;
    int n_inputs;          /* rows of /provenance; 0 for files without it */
    char **inputs[PS_PROVENANCE_COLUMNS]; /* [column][row]: kind, source, detail, path, sha256 */
    ps_input_source *rows; /* n_inputs views of inputs[][] (borrowed from this struct) */
} ps_file_provenance;

/**
 * Read the global attributes and the /provenance rows of a result file.
 * @param[out] out  filled record the caller releases with ps_file_provenance_release
 * @return PS_OK; PS_EIO; PS_EHDF5 for a malformed attribute or /provenance; PS_ENOMEM
 */
ps_status ps_h5_read_provenance(ps_file_provenance *out, const char *path, ps_error *err);

/**
 * The provenance to pass to ps_h5_write to write a file read back again: strings borrowed
 * from p, which must outlive the returned value.
 */
ps_provenance ps_file_provenance_view(const ps_file_provenance *p);

void ps_file_provenance_release(ps_file_provenance *p); /* accepts a zeroed struct */

/**
 * Read a global string attribute (e.g. "popsim_version", "scenario_sha256"), variable- or
 * fixed-length; integer attributes ("seed", "threads") come back in decimal.
 * @param[out] buf  NUL-terminated value, truncated to size
 * @return PS_OK; PS_EIO; PS_EHDF5 if the attribute is missing
 */
ps_status ps_h5_read_attr(char *buf, unsigned long size, const char *path, const char *attr,
                          ps_error *err);

/**
 * Switch off HDF5's own error printing for the whole process. For programs (the CLI calls
 * it once at start-up); the library itself never changes process-wide settings.
 */
void ps_h5_quiet(void);

#ifdef __cplusplus
}
#endif
#endif /* PS_H5OUT_H */

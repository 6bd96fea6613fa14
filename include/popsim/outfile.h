/*
 * popsim/outfile.h - the one way popsim creates a file (issue #17, section 1): atomic
 * replacement of a regular file through an exclusively created temporary beside it.
 *
 * Rules (docs/errors.md, "Issue #17: where popsim writes"):
 *  - The target is a regular file or a new name in an existing folder. A folder, device
 *    node, FIFO or socket is refused before anything is written.
 *  - A symbolic link that belongs to the user popsim runs as is followed to its final
 *    target, which must be an existing regular file: the new content replaces that file
 *    (atomically, in its own folder) and the link stays. A link of another user (planted in
 *    a shared folder), also further along the chain, a dangling link and a link to anything
 *    else are refused.
 *  - The temporary is ".popsim-<pid>-XXXXXX" (XXXXXX random) in the target's folder, created
 *    with O_CREAT|O_EXCL|O_NOFOLLOW, so a planted file or link is never opened or followed,
 *    and its name is 25 bytes or fewer whatever the target's name. On commit it is fsync'ed,
 *    renamed over the target and the folder is fsync'ed; on failure or abort it is removed.
 *  - The same name pattern marks temporary folders (ps_outfile_temp_dir), so a later run can
 *    recognise leftovers of a killed process (ps_outfile_temp_pid) and nothing else.
 */
#ifndef PS_OUTFILE_H
#define PS_OUTFILE_H

#include <stdio.h>

#include "popsim/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ps_outfile ps_outfile; /* opaque; see src/core/outfile.c */

/**
 * Check `target` by the rules above and create its temporary file.
 * @param[out] out  new object owned by the caller (commit or abort it), or NULL on failure
 * @return PS_OK; PS_EIO naming the target when it is refused or the temporary cannot be made
 *         (err->path is `target`); PS_ENOMEM
 */
ps_status ps_outfile_open(ps_outfile **out, const char *target, ps_error *err);

/** The temporary file's path, for writers that open it by name (HDF5). Borrowed. */
const char *ps_outfile_temp_path(const ps_outfile *f);

/** The file the commit replaces: `target`, or the final target of a symbolic link. Borrowed. */
const char *ps_outfile_target(const ps_outfile *f);

/**
 * A stdio stream on the temporary file (created on first call, owned by `f`; the commit
 * flushes and closes it). NULL when out of memory.
 */
FILE *ps_outfile_stream(ps_outfile *f);

/**
 * Check that the temporary path still names the file ps_outfile_open created (after a
 * writer opened it again by name).
 * @return PS_OK; PS_EIO if it was removed or replaced
 */
ps_status ps_outfile_verify(const ps_outfile *f, ps_error *err);

/**
 * Flush and fsync the temporary, check the cancel flag, check the target again, rename the
 * temporary over it and fsync the folder. Frees `f` whatever the outcome; on failure the
 * temporary is removed and the target is untouched.
 * @return PS_OK; PS_EIO with the system's reason (ENOSPC, EFBIG, EXDEV ...) or "interrupted"
 */
ps_status ps_outfile_commit(ps_outfile *f, ps_error *err);

/** Remove the temporary (only if it is still the file created) and free `f`. Accepts NULL. */
void ps_outfile_abort(ps_outfile *f);

/**
 * Copy the regular file `source` (not followed if a link) into `target` through
 * ps_outfile_open / commit.
 * @return PS_OK; PS_EIO naming the file that failed; PS_ENOMEM
 */
ps_status ps_outfile_copy(const char *target, const char *source, ps_error *err);

/** ps_outfile_copy whose commit asks `cancel` (ps_outfile_set_cancel); NULL: never. */
ps_status ps_outfile_copy_with(const char *target, const char *source, const ps_cancel *cancel,
                               ps_error *err);

/**
 * Refuse a target that is one of the run's inputs: equal device and inode after following
 * links. Inputs that cannot be stat'ed and a target that does not exist never match.
 * @param inputs  n paths (NULL entries are skipped)
 * @return PS_OK; PS_EINVAL naming both files
 */
ps_status ps_outfile_check_inputs(const char *target, const char *const *inputs, int n,
                                  ps_error *err);

/**
 * Create a private (mode 0700) temporary folder "<parent>/.popsim-<pid>-XXXXXX".
 * @param[out] out  its path, owned by the caller (free()), or NULL on failure
 * @return PS_OK; PS_EIO naming `parent`; PS_ENOMEM
 */
ps_status ps_outfile_temp_dir(char **out, const char *parent, ps_error *err);

/** The pid in a temporary name ".popsim-<pid>-XXXXXX" (a final path component), else 0. */
long ps_outfile_temp_pid(const char *name);

/**
 * Ask `cancel` (copied) in ps_outfile_commit before the rename: a status other than PS_OK
 * removes the temporary, leaves the target untouched and is returned ("interrupted while
 * writing"). Per file (issue #11: no process-wide flag); NULL: never cancelled, the default.
 */
void ps_outfile_set_cancel(ps_outfile *f, const ps_cancel *cancel);

#ifdef __cplusplus
}
#endif
#endif /* PS_OUTFILE_H */

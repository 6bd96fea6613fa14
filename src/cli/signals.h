/*
 * signals.h - crash safety for the popsim command line: SIGINT/SIGTERM stop a run cleanly,
 * and temporary files left by runs that were killed outright (SIGKILL, power loss) are
 * removed by the next run that writes the same target. docs/errors.md, "Interruption".
 */
#ifndef PS_CLI_SIGNALS_H
#define PS_CLI_SIGNALS_H

#include <signal.h>

#include "popsim/error.h"

/*
 * Catch SIGINT and SIGTERM: the handler only records the signal; the run checks
 * cli_interrupted() between phases; the library asks the same flag through the callback of
 * cli_cancel(), handed over per call (issue #11): input reads while they wait for data
 * (ps_scn_load_with, ps_build_options.cancel), the HDF5 writer between objects
 * (ps_run_options.cancel) and atomic copies before their rename (ps_outfile_copy_with). A
 * signal that the parent left
 * ignored (SIGINT for a background job of a shell without job control, nohup) stays
 * ignored, as POSIX programs are expected to do.
 */
void cli_signals_install(void);

/* The signal number caught so far (SIGINT or SIGTERM), or 0. */
int cli_interrupted(void);

/* A cancel callback for the library (popsim/error.h) that answers cli_check_interrupt. */
ps_cancel cli_cancel(void);

/*
 * PS_OK, or (after a signal) an error record "interrupted by SIGINT" so that the run's
 * normal failure path releases everything; the caller then exits with cli_interrupt_exit.
 */
ps_status cli_check_interrupt(ps_error *err);

/*
 * Report the interruption on stderr and return the conventional exit status 128 + signal
 * (130 for SIGINT, 143 for SIGTERM). `what` says what was left ("no output file was written").
 */
int cli_interrupt_exit(const char *what);

/*
 * Remove what popsim processes killed outright (SIGKILL, power loss) left in folder `dir`:
 * entries named ".popsim-<pid>-XXXXXX" (ps_outfile_temp_pid) that belong to this user and
 * whose process no longer exists (kill(pid, 0) fails with ESRCH): a regular file, or a
 * temporary folder with the regular files in it. Entries of live processes, of other users,
 * links and other names are left alone; links are never followed. Prints one line per
 * removal unless quiet. Returns the number of entries removed.
 */
int cli_remove_stale_temps_in(const char *dir, int quiet);

/* Remove a temporary folder of this process: the entries in it other than folders (links
 * are removed, never followed), then the folder. 0 on success, -1 with errno. */
int cli_remove_temp_dir(const char *path);

/* cli_remove_stale_temps_in for the folder of `target`, and for the folder of its final
 * target when `target` is a symbolic link (where the writer puts its temporary). */
int cli_remove_stale_temps(const char *target, int quiet);

#endif /* PS_CLI_SIGNALS_H */

/*
 * plot_cli.h - running gnuplot for `popsim plot` and `popsim report` (gnuplot_run.c): find
 * the program, run it on one script without a shell, and render a whole chart plan.
 */
#ifndef PS_PLOT_CLI_H
#define PS_PLOT_CLI_H

#include "popsim/error.h"
#include "popsim/plot.h"

/* The message when gnuplot is missing, shared by both commands and the docs. */
#define CLI_GNUPLOT_MISSING "gnuplot not found: install gnuplot-nox (Debian) or set POPSIM_GNUPLOT"

/**
 * The gnuplot to run: $POPSIM_GNUPLOT if set (a path, or a name looked up in PATH), else
 * "gnuplot" looked up in PATH.
 * @param[out] path_out  malloc'ed executable path, NULL on failure
 * @return PS_OK; PS_EIO with CLI_GNUPLOT_MISSING when there is no executable
 */
ps_status cli_gnuplot_find(char **path_out, ps_error *err);

/**
 * Write every chart of the plan into dir and run `gnuplot NAME.gp` inside dir for each,
 * checking gnuplot's exit status and that NAME.<ext> exists and is not empty.
 * @return PS_OK; PS_EIO naming the chart whose script or image failed; errors of ps_plot_write
 */
ps_status cli_render_charts(const char *gnuplot, const ps_plot_set *s,
                            const ps_plot_chart *charts, int n, const char *dir,
                            const ps_plot_options *opt, int quiet, ps_error *err);

/**
 * Parse the options both commands share: "--lang", "--size WxH", "--year".
 * @return 1 if `opt_name` was one of them and its value valid, 0 if not one of them, -1 if
 *         the value is invalid (a message has been printed)
 */
int cli_plot_common_option(ps_plot_options *opt, const char *opt_name, const char *value);

#endif /* PS_PLOT_CLI_H */

/*
 * cmd_report.c - `popsim report`: one self-contained HTML page with the key tables and every
 * chart embedded as a PNG. The charts are drawn by gnuplot in a private temporary folder
 * that is removed afterwards (also after SIGINT/SIGTERM; after SIGKILL by the next report);
 * `popsim plot` keeps them when a planner wants the files.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "plot_cli.h"
#include "popsim/outfile.h"
#include "signals.h"

static void report_usage(FILE *out)
{
    fprintf(out,
            "usage: popsim report RESULT.h5 [-o REPORT.html] [--lang en|zh] [--size WxH]\n"
            "                     [--year YEAR] [--location NAME] [-q]\n"
            "\n"
            "Write one self-contained HTML page (no external files, images embedded) with the\n"
            "summary by period, targets met or missed, policy costs and cost per additional\n"
            "birth, every chart of `popsim plot`, and the assumptions and data sources.\n"
            "\n"
            "options:\n"
            "  -o, --output FILE  the page (default: RESULT with .html instead of .h5)\n"
            "      --lang LANG    en (default) or zh (Chinese)\n"
            "      --size WxH     chart size in pixels (default 1200x800)\n"
            "      --year YEAR    year the pyramids compare with the base year\n"
            "      --location NAME  of a probabilistic file with several locations, the one\n"
            "                     reported (default: the first)\n"
            "  -q, --quiet        no progress lines\n"
            "  -h, --help         this text\n"
            "      --version      program version\n"
            "\n"
            "gnuplot (Debian package gnuplot-nox) is run from PATH, or from $POPSIM_GNUPLOT.\n");
}

/* "out/china.h5" -> "out/china.html". */
static char *default_output(const char *result)
{
    size_t len = strlen(result);
    if (len > strlen(".h5") && strcmp(result + len - strlen(".h5"), ".h5") == 0) {
        len -= strlen(".h5");
    }
    char *path = malloc(len + sizeof ".html");
    if (path != NULL) {
        snprintf(path, len + sizeof ".html", "%.*s.html", (int)len, result);
    }
    return path;
}

/* The folder for temporary chart folders: $TMPDIR, else /tmp. */
static const char *temp_parent(void)
{
    const char *tmpdir = getenv("TMPDIR");
    return tmpdir != NULL && tmpdir[0] ? tmpdir : "/tmp";
}

/* Charts are drawn in a private temporary folder ".popsim-<pid>-XXXXXX" of $TMPDIR, removed
 * afterwards, also after SIGINT/SIGTERM; one left by SIGKILL is removed by the next report
 * (cli_remove_stale_temps_in). The page itself goes through ps_outfile. */
static ps_status report_all(const char *result, const char *out, const ps_plot_options *opt,
                            const char *location, int quiet, ps_error *err)
{
    ps_plot_set *set = NULL;
    ps_plot_chart *charts = NULL;
    char *gnuplot = NULL, *tmp = NULL;
    int n = 0;
    const char *inputs[] = { result };
    ps_status rc = cli_gnuplot_find(&gnuplot, err);
    if (rc != PS_OK || (rc = ps_outfile_check_inputs(out, inputs, 1, err)) != PS_OK ||
        (rc = ps_plot_load(&set, result, err)) != PS_OK ||
        (location != NULL && (rc = ps_plot_show_location(set, location, err)) != PS_OK) ||
        (rc = ps_plot_plan(&charts, &n, set, err)) != PS_OK) {
        goto done;
    }
    cli_remove_stale_temps_in(temp_parent(), quiet);
    cli_remove_stale_temps(out, quiet);
    if ((rc = cli_check_interrupt(err)) != PS_OK ||
        (rc = ps_outfile_temp_dir(&tmp, temp_parent(), err)) != PS_OK) {
        goto done;
    }
    if ((rc = cli_render_charts(gnuplot, set, charts, n, tmp, opt, quiet, err)) == PS_OK &&
        (rc = cli_check_interrupt(err)) == PS_OK) {
        rc = ps_plot_report_write(out, set, charts, n, tmp, opt->lang, err);
    }
    if (rc == PS_OK) {
        printf("%s\n", out);
    }
done:
    if (tmp != NULL) {
        cli_remove_temp_dir(tmp);
    }
    free(tmp);
    free(charts);
    ps_plot_free(set);
    free(gnuplot);
    return rc;
}

int cli_cmd_report(int argc, char **argv)
{
    enum { OPT_VERSION = 256, OPT_LANG, OPT_SIZE, OPT_YEAR, OPT_LOCATION };
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' }, { "lang", required_argument, NULL, OPT_LANG },
        { "location", required_argument, NULL, OPT_LOCATION },
        { "size", required_argument, NULL, OPT_SIZE }, { "year", required_argument, NULL, OPT_YEAR },
        { "quiet", no_argument, NULL, 'q' }, { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION }, { NULL, 0, NULL, 0 },
    };
    ps_plot_options opt = PS_PLOT_OPTIONS_INIT;
    const char *out_arg = NULL, *location = NULL;
    int c, quiet = 0, idx = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, &idx)) != -1) {
        int ok = 1;
        if (c == 'h') {
            report_usage(stdout);
            return CLI_EXIT_OK;
        }
        if (c == OPT_VERSION) {
            cli_print_version();
            return CLI_EXIT_OK;
        }
        if (c == 'o') {
            out_arg = optarg;
        } else if (c == 'q') {
            quiet = 1;
        } else if (c == OPT_LOCATION) {
            location = optarg;
        } else if (c == OPT_LANG || c == OPT_SIZE || c == OPT_YEAR) {
            ok = cli_plot_common_option(&opt, longopts[idx].name, optarg) == 1;
        } else {
            ok = 0;
        }
        if (!ok) {
            report_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "popsim report: expected one result file\n");
        report_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    /* The report embeds PNG images whatever the terminal of `popsim plot` would be. */
    opt.format = PS_PLOT_FORMAT_PNG;
    cli_signals_install();
    char *out = out_arg != NULL ? NULL : default_output(argv[optind]);
    ps_error err;
    ps_error_clear(&err);
    ps_status rc = out_arg == NULL && out == NULL
                       ? ps_error_set(&err, PS_ENOMEM, "out of memory")
                       : report_all(argv[optind], out_arg != NULL ? out_arg : out, &opt, location,
                                    quiet, &err);
    free(out);
    if (rc != PS_OK && cli_interrupted()) {
        return cli_interrupt_exit("no report was written or changed");
    }
    if (rc != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

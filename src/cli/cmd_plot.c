/*
 * cmd_plot.c - `popsim plot`: every chart a result file supports, as NAME.dat + NAME.gp +
 * NAME.png (.svg, .pdf) in one folder, drawn by gnuplot (docs/charts.md). The .dat and .gp
 * files stay beside each image so a planner can restyle a chart and re-run gnuplot.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "plot_cli.h"
#include "popsim/outfile.h"
#include "signals.h"

/* New folders get rwx for everyone the umask allows. */
#define CLI_DIR_MODE 0777

static void plot_usage(FILE *out)
{
    fprintf(out,
            "usage: popsim plot RESULT.h5 [-o DIR] [--format png|svg|pdf] [--lang en|zh]\n"
            "                   [--size WxH] [--year YEAR] [--location NAME] [-q]\n"
            "\n"
            "Draw every chart the result file supports with gnuplot: population pyramids,\n"
            "births and TFR, childcare demand against 4.5 and 5 spots per 1,000, dependency\n"
            "ratios, and, when the file has them, births by order, elderly care, policy\n"
            "effects and costs, and fan charts. Each chart is NAME.dat + NAME.gp + the image;\n"
            "edit NAME.gp and run `gnuplot NAME.gp` in DIR to restyle it (docs/charts.md).\n"
            "\n"
            "options:\n"
            "  -o, --output DIR   folder for the charts (created if missing; default:\n"
            "                     RESULT without .h5, plus _charts)\n"
            "  -f, --format FMT   png (default), svg or pdf\n"
            "      --lang LANG    labels in en (default) or zh (Chinese)\n"
            "      --size WxH     image size in pixels (default 1200x800)\n"
            "      --year YEAR    year the pyramids compare with the base year (default 2050,\n"
            "                     or the last year)\n"
            "      --location NAME  of a probabilistic file with several locations, the one\n"
            "                     charted (default: the first)\n"
            "  -q, --quiet        no progress lines\n"
            "  -h, --help         this text\n"
            "      --version      program version\n"
            "\n"
            "gnuplot (Debian package gnuplot-nox) is run from PATH, or from $POPSIM_GNUPLOT.\n");
}

/* "out/china.h5" -> "out/china_charts". */
static char *default_dir(const char *result)
{
    size_t len = strlen(result);
    const char *suffix = "_charts";
    if (len > strlen(".h5") && strcmp(result + len - strlen(".h5"), ".h5") == 0) {
        len -= strlen(".h5");
    }
    char *dir = malloc(len + strlen(suffix) + 1);
    if (dir != NULL) {
        snprintf(dir, len + strlen(suffix) + 1, "%.*s%s", (int)len, result, suffix);
    }
    return dir;
}

/* Create the chart folder unless it exists (its parent must exist). */
static ps_status make_dir(const char *dir, ps_error *err)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        return S_ISDIR(st.st_mode)
                   ? PS_OK
                   : ps_error_set_at(err, PS_EIO, dir, 0, 0, "exists and is not a folder");
    }
    if (mkdir(dir, CLI_DIR_MODE) != 0) {
        return ps_error_set_at(err, PS_EIO, dir, 0, 0, "cannot create the folder: %s",
                               strerror(errno));
    }
    return PS_OK;
}

static int parse_format(ps_plot_options *opt, const char *value)
{
    for (int f = 0; f < PS_PLOT_FORMAT_COUNT; ++f) {
        if (strcmp(value, ps_plot_format_ext((ps_plot_format)f)) == 0) {
            opt->format = (ps_plot_format)f;
            return 1;
        }
    }
    fprintf(stderr, "popsim plot: --format must be png, svg or pdf (got '%s')\n", value);
    return 0;
}

/* Put one chart's NAME.dat, NAME.gp and image from the staging folder into `dir`, each
 * through ps_outfile (a device, FIFO or the result file itself is refused). */
static ps_status place_chart(const char *dir, const char *stage, const char *name,
                             const char *image_ext, const char *result, ps_error *err)
{
    const char *exts[] = { "dat", "gp", image_ext };
    const char *inputs[] = { result };
    ps_status rc = PS_OK;
    for (size_t e = 0; e < sizeof exts / sizeof exts[0] && rc == PS_OK; ++e) {
        size_t tlen = strlen(dir) + strlen(name) + strlen(exts[e]) + 3;
        size_t slen = strlen(stage) + strlen(name) + strlen(exts[e]) + 3;
        char *target = malloc(tlen), *staged = malloc(slen);
        if (target == NULL || staged == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        } else {
            snprintf(target, tlen, "%s/%s.%s", dir, name, exts[e]);
            snprintf(staged, slen, "%s/%s.%s", stage, name, exts[e]);
            if ((rc = ps_outfile_check_inputs(target, inputs, 1, err)) == PS_OK) {
                ps_cancel cancel = cli_cancel();
                rc = ps_outfile_copy_with(target, staged, &cancel, err);
            }
        }
        free(target);
        free(staged);
    }
    return rc;
}

/* Load, plan, write and render; prints the image paths on stdout. gnuplot runs in a private
 * staging folder ".popsim-<pid>-XXXXXX" inside `dir` (it opens its output by name, so it
 * never writes where a link planted in `dir` points); the files are then put in place. */
static ps_status plot_all(const char *result, const char *dir, const ps_plot_options *opt,
                          const char *location, int quiet, ps_error *err)
{
    ps_plot_set *set = NULL;
    ps_plot_chart *charts = NULL;
    char *gnuplot = NULL, *stage = NULL;
    int n = 0;
    const char *ext = ps_plot_format_ext(opt->format);
    ps_status rc = cli_gnuplot_find(&gnuplot, err);
    if (rc != PS_OK || (rc = ps_plot_load(&set, result, err)) != PS_OK ||
        (location != NULL && (rc = ps_plot_show_location(set, location, err)) != PS_OK) ||
        (rc = ps_plot_plan(&charts, &n, set, err)) != PS_OK || (rc = make_dir(dir, err)) != PS_OK) {
        goto done;
    }
    cli_remove_stale_temps_in(dir, quiet);
    if ((rc = ps_outfile_temp_dir(&stage, dir, err)) != PS_OK) {
        goto done;
    }
    rc = cli_render_charts(gnuplot, set, charts, n, stage, opt, quiet, err);
    for (int k = 0; rc == PS_OK && k < n && (rc = cli_check_interrupt(err)) == PS_OK; ++k) {
        rc = place_chart(dir, stage, charts[k].name, ext, result, err);
    }
    for (int k = 0; rc == PS_OK && k < n; ++k) {
        printf("%s/%s.%s\n", dir, charts[k].name, ext);
    }
done:
    if (stage != NULL) {
        cli_remove_temp_dir(stage);
    }
    free(stage);
    free(charts);
    ps_plot_free(set);
    free(gnuplot);
    return rc;
}

int cli_cmd_plot(int argc, char **argv)
{
    enum { OPT_VERSION = 256, OPT_LANG, OPT_SIZE, OPT_YEAR, OPT_LOCATION };
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'o' }, { "format", required_argument, NULL, 'f' },
        { "location", required_argument, NULL, OPT_LOCATION },
        { "lang", required_argument, NULL, OPT_LANG }, { "size", required_argument, NULL, OPT_SIZE },
        { "year", required_argument, NULL, OPT_YEAR }, { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' }, { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    ps_plot_options opt = PS_PLOT_OPTIONS_INIT;
    const char *dir_arg = NULL, *location = NULL;
    int c, quiet = 0, idx = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:f:qh", longopts, &idx)) != -1) {
        int ok = 0;
        switch (c) {
        case 'h':
            plot_usage(stdout);
            return CLI_EXIT_OK;
        case OPT_VERSION:
            cli_print_version();
            return CLI_EXIT_OK;
        case 'o':
            dir_arg = optarg;
            ok = 1;
            break;
        case 'f':
            ok = parse_format(&opt, optarg);
            break;
        case 'q':
            quiet = ok = 1;
            break;
        case OPT_LOCATION:
            location = optarg;
            ok = 1;
            break;
        case OPT_LANG:
        case OPT_SIZE:
        case OPT_YEAR:
            ok = cli_plot_common_option(&opt, longopts[idx].name, optarg) == 1;
            break;
        default:
            break;
        }
        if (!ok) {
            plot_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "popsim plot: expected one result file\n");
        plot_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    cli_signals_install();
    char *dir = dir_arg != NULL ? NULL : default_dir(argv[optind]);
    ps_error err;
    ps_error_clear(&err);
    ps_status rc = dir_arg == NULL && dir == NULL
                       ? ps_error_set(&err, PS_ENOMEM, "out of memory")
                       : plot_all(argv[optind], dir_arg != NULL ? dir_arg : dir, &opt, location, quiet,
                                  &err);
    free(dir);
    if (rc != PS_OK && cli_interrupted()) {
        return cli_interrupt_exit("the charts placed so far are complete; no file is partial");
    }
    if (rc != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/*
 * main.c - the popsim command line: one library call per subcommand, all printing here.
 * Exit status: 0 success, 1 input or runtime error, 2 usage error. Process-wide settings
 * (GSL's abort-on-error handler, HDF5's error printing) are switched off once, here.
 */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "popsim/h5out.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: popsim <command> [options]\n"
            "\n"
            "commands:\n"
            "  run      project a scenario file or a UN WPP location, write an HDF5 result\n"
            "  check    validate a scenario file and its inputs, write nothing\n"
            "  info     summarise a result file\n"
            "  plot     draw the charts of a result file with gnuplot (.dat + .gp + image)\n"
            "  report   write one self-contained HTML report with tables and charts\n"
            "  compare  scenarios of a result file side by side: births, cost per extra birth,\n"
            "           service demand and capacity\n"
            "  targets  whether each service's capacity target is met, year range by year range\n"
            "\n"
            "`popsim <command> --help` describes each command. Documentation: docs/.\n");
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off();
    ps_h5_quiet();
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        cli_print_version();
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0) {
        return cli_cmd_run(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "check") == 0) {
        return cli_cmd_check(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "info") == 0) {
        return cli_cmd_info(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "plot") == 0) {
        return cli_cmd_plot(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "report") == 0) {
        return cli_cmd_report(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "compare") == 0) {
        return cli_cmd_compare(argc - 1, argv + 1);
    }
    if (strcmp(cmd, "targets") == 0) {
        return cli_cmd_targets(argc - 1, argv + 1);
    }
    fprintf(stderr, "popsim: unknown command '%s'\n", cmd);
    usage(stderr);
    return CLI_EXIT_USAGE;
}

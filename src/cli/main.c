/*
 * main.c - the popsim command line: one library call per subcommand, all printing here.
 * Exit status: 0 success, 1 input or runtime error, 2 usage error. Process-wide settings
 * (GSL's abort-on-error handler, HDF5's error printing) are switched off once, here.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "run_dist.h"
#include "popsim/run.h"

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
            "  export   the result as tidy tables: CSV files or one .xlsx workbook\n"
            "  init     write a commented scenario and template input files to fill in\n"
            "  merge    combine the part files of a Slurm job array into one result file\n"
            "  help     `popsim help COMMAND` describes a command\n"
            "\n"
            "`popsim <command> --help` describes each command; -V or --version prints the\n"
            "version. Documentation: docs/ and `man popsim`.\n");
}

/* One entry per subcommand: name and entry point. */
typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
} cli_command;

static const cli_command commands[] = {
    { "run", cli_cmd_run },         { "check", cli_cmd_check },
    { "info", cli_cmd_info },       { "plot", cli_cmd_plot },
    { "report", cli_cmd_report },   { "compare", cli_cmd_compare },
    { "targets", cli_cmd_targets }, { "init", cli_cmd_init },
    { "export", cli_cmd_export },   { "merge", cli_cmd_merge },
};

static const cli_command *find_command(const char *name)
{
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; ++k) {
        if (strcmp(commands[k].name, name) == 0) {
            return &commands[k];
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    ps_init(); /* GSL and HDF5 report errors as statuses */
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
        (strcmp(cmd, "help") == 0 && argc == 2)) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0 || strcmp(cmd, "version") == 0) {
        cli_print_version();
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) { /* popsim help COMMAND = popsim COMMAND --help */
        const cli_command *c = find_command(argv[2]);
        if (c == NULL || argc > 3) {
            fprintf(stderr, "popsim help: unknown command '%s'\n", argv[2]);
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
        char *help_argv[] = { argv[2], (char *)"--help", NULL };
        return c->run(2, help_argv);
    }
    const cli_command *c = find_command(cmd);
    if (c != NULL) {
        /* MPI only when an MPI launcher started popsim, and then every rank must have been
         * started with the same command (run_dist.h) */
        int status = cli_mpi_start(argc - 1, argv + 1) != 0 ? CLI_EXIT_FAILURE
                                                            : c->run(argc - 1, argv + 1);
        cli_mpi_stop();
        return status;
    }
    fprintf(stderr, "popsim: unknown command '%s'\n", cmd);
    usage(stderr);
    return CLI_EXIT_USAGE;
}

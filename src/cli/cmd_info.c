/*
 * cmd_info.c - `popsim info`: what a result file holds (scenarios, provenance) and the
 * summary table of each scenario, read back through the HDF5 reader.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "popsim/h5out.h"

static void info_usage(FILE *out)
{
    fprintf(out,
            "usage: popsim info RESULT.h5\n"
            "\n"
            "Summarise a result file: provenance, scenarios and their key figures.\n"
            "\n"
            "options:\n"
            "  -h, --help      this text\n"
            "      --version   program version\n");
}

static void print_provenance(const char *path)
{
    static const char *const attrs[] = { "popsim_version", "git_commit", "created",
                                         "scenario_file", "scenario_sha256", "data_source",
                                         "command_line" };
    cli_put_text(stdout, path);
    putchar('\n');
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; ++i) {
        char value[1024];
        if (ps_h5_read_attr(value, sizeof value, path, attrs[i], NULL) == PS_OK && value[0]) {
            printf("  %-16s ", attrs[i]);
            cli_put_text(stdout, value);
            putchar('\n');
        }
    }
}

int cli_cmd_info(int argc, char **argv)
{
    enum { OPT_VERSION = 256 };
    static const struct option longopts[] = {
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == 'h') {
            info_usage(stdout);
            return CLI_EXIT_OK;
        }
        if (c == OPT_VERSION) {
            cli_print_version();
            return CLI_EXIT_OK;
        }
        info_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "popsim info: expected one result file\n");
        info_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *path = argv[optind];
    ps_error err;
    ps_error_clear(&err);
    char **names = NULL;
    int n = 0;
    ps_status rc = ps_h5_list(&names, &n, path, &err);
    if (rc == PS_OK) {
        print_provenance(path);
    }
    for (int i = 0; rc == PS_OK && i < n; ++i) {
        ps_result res;
        rc = ps_h5_read(&res, path, names[i], &err);
        if (rc == PS_OK) {
            printf("\n");
            cli_print_summary(stdout, &res);
            ps_result_release(&res);
        }
    }
    ps_h5_free_names(names, n);
    if (rc != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

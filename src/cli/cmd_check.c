/*
 * cmd_check.c - `popsim check`: validate a scenario and every input it names (WPP location,
 * planner CSV files) exactly as `run` would, without projecting or writing anything.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "popsim/builder.h"
#include "popsim/scenario.h"
#include "popsim/wpp.h"

static void check_usage(FILE *out)
{
    fprintf(out,
            "usage: popsim check [options] SCENARIO.yaml\n"
            "       popsim check --describe\n"
            "\n"
            "Validate a scenario file and the input files it names; write nothing.\n"
            "\n"
            "options:\n"
            "      --wpp-dir DIR   UN WPP 2024 folder (as for run)\n"
            "      --describe      print the reference of every scenario key and exit\n"
            "  -h, --help          this text\n"
            "      --version       program version\n");
}

int cli_cmd_check(int argc, char **argv)
{
    enum { OPT_WPP = 256, OPT_DESCRIBE, OPT_VERSION };
    static const struct option longopts[] = {
        { "wpp-dir", required_argument, NULL, OPT_WPP },
        { "describe", no_argument, NULL, OPT_DESCRIBE },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    const char *wpp_dir = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_WPP:
            wpp_dir = optarg;
            break;
        case OPT_DESCRIBE:
            ps_scn_describe(stdout);
            return CLI_EXIT_OK;
        case 'h':
            check_usage(stdout);
            return CLI_EXIT_OK;
        case OPT_VERSION:
            cli_print_version();
            return CLI_EXIT_OK;
        default:
            check_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "popsim check: expected one scenario file\n");
        check_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *path = argv[optind];
    ps_error err;
    ps_error_clear(&err);
    ps_scenario scn;
    ps_inputs in;
    char cache_dir[PATH_MAX];
    char root[PATH_MAX];
    ps_build_options bo = { .wpp_dir = wpp_dir,
                            .project_root = cli_project_root(root, sizeof root) };
    if (ps_wpp_default_cache_dir(cache_dir, sizeof cache_dir, NULL) == PS_OK) {
        bo.cache_dir = cache_dir;
    }
    ps_status rc = ps_scn_load(&scn, path, &err);
    if (rc == PS_OK) {
        for (int i = 0; i < scn.n_warnings; ++i) {
            cli_put_text(stderr, scn.warnings[i]);
            fputc('\n', stderr);
        }
        rc = ps_build_inputs(&in, &scn, &bo, &err);
        if (rc == PS_OK && (rc = ps_build_check(&scn, &in, &err)) != PS_OK) {
            ps_inputs_release(&in); /* flows, registration or stock against the regions */
        }
    }
    if (rc != PS_OK) {
        cli_print_error(&err);
        ps_scn_release(&scn);
        return CLI_EXIT_FAILURE;
    }
    cli_esc shown;
    printf("%s: ok: scenario '%s', 1 July %d to 1 July %d, %d warning%s\n",
           cli_text(&shown, path), scn.name,
           scn.start_year, scn.end_year, scn.n_warnings, scn.n_warnings == 1 ? "" : "s");
    ps_inputs_release(&in);
    ps_scn_release(&scn);
    return CLI_EXIT_OK;
}

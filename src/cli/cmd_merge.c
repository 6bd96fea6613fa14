/*
 * cmd_merge.c - `popsim merge OUT.h5 PARTS...`: the part files of a Slurm job array
 * (`popsim run --task I --tasks N`) become the result file of a single run (issue #15). The
 * first part names the scenario and options that rebuild the run; `popsim run` then takes
 * its units from the parts instead of computing them, after checking that every part was
 * computed by this binary for this scenario, seed, options and inputs, and that the parts
 * hold every unit exactly once (run_dist.c). docs/hpc.md.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "popsim/part.h"

static void merge_usage(FILE *out)
{
    fprintf(out,
            "usage: popsim merge [options] OUT.h5 PART...\n"
            "\n"
            "Combine the part files written by `popsim run --task I --tasks N` (one per task\n"
            "of a Slurm job array) into one result file, identical to the file of a single\n"
            "`popsim run`. The parts must come from this popsim binary, the same scenario\n"
            "file (unchanged), seed, options and inputs, and hold every unit exactly once.\n"
            "\n"
            "options:\n"
            "  -q, --quiet           no log lines and no summary table\n"
            "  -h, --help            this text\n"
            "      --version         program version\n");
}

/* `path` made absolute against the working directory (it need not exist yet). */
static int absolute(char *out, size_t size, const char *path)
{
    char cwd[PATH_MAX];
    if (path[0] == '/') {
        return snprintf(out, size, "%s", path) < (int)size;
    }
    return getcwd(cwd, sizeof cwd) != NULL &&
           snprintf(out, size, "%s/%s", cwd, path) < (int)size;
}

int cli_cmd_merge(int argc, char **argv)
{
    enum { OPT_VERSION = 256 };
    static const struct option longopts[] = {
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    int c, quiet = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'q':
            quiet = 1;
            break;
        case 'h':
            merge_usage(stdout);
            return CLI_EXIT_OK;
        case OPT_VERSION:
            cli_print_version();
            return CLI_EXIT_OK;
        default:
            merge_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind < 2) {
        fprintf(stderr, "popsim merge: give the output file and at least one part file\n");
        merge_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    char out[PATH_MAX];
    const int n_parts = argc - optind - 1;
    char **parts = calloc((size_t)n_parts + 1, sizeof *parts);
    char **run_argv = NULL;
    ps_part first;
    ps_error err;
    int status = CLI_EXIT_FAILURE, n = 0;
    memset(&first, 0, sizeof first);
    ps_error_clear(&err);
    if (parts == NULL || !absolute(out, sizeof out, argv[optind])) {
        fprintf(stderr, "popsim merge: error: out of memory or path too long\n");
        goto done;
    }
    /* Absolute paths, because the run is rebuilt in the tasks' working directory. */
    for (int i = 0; i < n_parts; ++i) {
        if ((parts[i] = realpath(argv[optind + 1 + i], NULL)) == NULL) {
            fprintf(stderr, "%s: error: cannot open part file: %s\n", argv[optind + 1 + i],
                    strerror(errno));
            goto done;
        }
    }
    if (ps_part_read(&first, parts[0], &err) != PS_OK) {
        cli_print_error(&err);
        goto done;
    }
    if (first.n_args < 1 || chdir(first.workdir) != 0) {
        fprintf(stderr, "%s: error: cannot enter '%s', the working directory of the tasks "
                "(their scenario path is relative to it)\n", parts[0], first.workdir);
        goto done;
    }
    /* popsim run ARGS... -o OUT [-q], with the units from the parts. */
    if ((run_argv = calloc((size_t)first.n_args + 5, sizeof *run_argv)) == NULL) {
        fprintf(stderr, "popsim: error: out of memory\n");
        goto done;
    }
    run_argv[n++] = (char *)"run";
    for (int k = 0; k < first.n_args; ++k) {
        run_argv[n++] = first.args[k];
    }
    run_argv[n++] = (char *)"-o";
    run_argv[n++] = out;
    if (quiet) {
        run_argv[n++] = (char *)"-q";
    }
    status = cli_cmd_run_parts(n, run_argv, parts, n_parts);
done:
    for (int i = 0; parts != NULL && i < n_parts; ++i) {
        free(parts[i]);
    }
    free(parts);
    free(run_argv);
    ps_part_release(&first);
    return status;
}

/*
 * cmd_run.c - `popsim run`: a scenario file, or a WPP location with the medium assumptions,
 * projected and written to one HDF5 file. Everything is read and validated before the
 * output is touched; the file is then written atomically, so a failed run leaves any
 * previous result intact.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "popsim/builder.h"
#include "popsim/h5out.h"
#include "popsim/proj.h"
#include "popsim/scenario.h"
#include "popsim/sha256.h"
#include "popsim/wpp.h"

typedef struct run_opts {
    const char *scenario;
    const char *output;
    const char *wpp_dir;
    const char *location;
    int start_year, end_year;
    int no_cache, quiet;
} run_opts;

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: popsim run [options] SCENARIO.yaml\n"
            "       popsim run [options] --location CODE_OR_NAME [--start YEAR] [--end YEAR]\n"
            "\n"
            "Project a population and write the result to an HDF5 file.\n"
            "\n"
            "options:\n"
            "  -o, --output FILE     result file (default output/<scenario name>.h5)\n"
            "      --location LOC    UN WPP 2024 location (M49 code or exact name), medium\n"
            "                        variant assumptions, no scenario file\n"
            "      --start YEAR      with --location: base year, 1 July (default 2025)\n"
            "      --end YEAR        with --location: last year (default 2100)\n"
            "      --wpp-dir DIR     UN WPP 2024 folder (default: the scenario's data.wpp_dir,\n"
            "                        else $POPSIM_DATA_DIR, else ../shared/data/wpp2024)\n"
            "      --no-cache        do not use the parsed-WPP cache ($POPSIM_CACHE_DIR)\n"
            "  -q, --quiet           no log lines and no summary table\n"
            "  -h, --help            this text\n"
            "      --version         program version\n");
}

static int parse_year(int *out, const char *text, const char *opt)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || v < 1900 || v > 2300) {
        fprintf(stderr, "popsim run: %s expects a year in 1900..2300 (got '%s')\n", opt, text);
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* Returns -1 to continue, else the exit status. */
static int parse_run_args(run_opts *o, int argc, char **argv)
{
    enum { OPT_LOCATION = 256, OPT_START, OPT_END, OPT_WPP, OPT_NOCACHE, OPT_VERSION };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"location", required_argument, NULL, OPT_LOCATION},
        {"start", required_argument, NULL, OPT_START},
        {"end", required_argument, NULL, OPT_END},
        {"wpp-dir", required_argument, NULL, OPT_WPP},
        {"no-cache", no_argument, NULL, OPT_NOCACHE},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    int c;
    int have_start = 0, have_end = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output = optarg;
            break;
        case OPT_LOCATION:
            o->location = optarg;
            break;
        case OPT_START:
            if (parse_year(&o->start_year, optarg, "--start")) {
                return CLI_EXIT_USAGE;
            }
            have_start = 1;
            break;
        case OPT_END:
            if (parse_year(&o->end_year, optarg, "--end")) {
                return CLI_EXIT_USAGE;
            }
            have_end = 1;
            break;
        case OPT_WPP:
            o->wpp_dir = optarg;
            break;
        case OPT_NOCACHE:
            o->no_cache = 1;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            run_usage(stdout);
            return CLI_EXIT_OK;
        case OPT_VERSION:
            cli_print_version();
            return CLI_EXIT_OK;
        default:
            run_usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        o->scenario = argv[optind++];
    }
    if (optind < argc || (o->scenario == NULL) == (o->location == NULL)) {
        fprintf(stderr, "popsim run: give either one scenario file or --location\n");
        run_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (o->scenario != NULL && (have_start || have_end)) {
        fprintf(stderr, "popsim run: --start and --end go with --location (a scenario file sets "
                        "start and end)\n");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* Lowercase letters, digits and '_' from a location name: "United States" -> "united_states". */
static void group_name(char *out, size_t size, const char *text)
{
    size_t w = 0;
    for (const char *p = text; *p != '\0' && w + 1 < size; ++p) {
        char ch = *p;
        if (ch >= 'A' && ch <= 'Z') {
            ch = (char)(ch - 'A' + 'a');
        }
        int keep = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (keep) {
            out[w++] = ch;
        } else if (w > 0 && out[w - 1] != '_') {
            out[w++] = '_';
        }
    }
    while (w > 0 && out[w - 1] == '_') {
        --w;
    }
    out[w] = '\0';
    if (w == 0) {
        snprintf(out, size, "location");
    }
}

/* SHA-256 of a file's bytes; "" if it cannot be read (the loader reports that). */
static void file_sha256(char hex[65], const char *path)
{
    hex[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    size_t got;
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            unsigned char *bigger = realloc(buf, cap * 2);
            if (bigger == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    if (buf != NULL && !ferror(f)) {
        ps_sha256_hex(hex, buf, n);
    }
    free(buf);
    fclose(f);
}

typedef struct run_ctx {
    ps_scenario scn;
    ps_inputs in;
    char name[128];
    char title[256];
    char source[512];
} run_ctx;

static ps_status prepare_inputs(run_ctx *ctx, const run_opts *o, const ps_build_options *bo,
                                ps_error *err)
{
    if (o->scenario != NULL) {
        ps_status rc = ps_scn_load(&ctx->scn, o->scenario, err);
        if (rc != PS_OK) {
            return rc;
        }
        for (int i = 0; i < ctx->scn.n_warnings; ++i) {
            fprintf(stderr, "%s\n", ctx->scn.warnings[i]);
        }
        snprintf(ctx->name, sizeof ctx->name, "%s", ctx->scn.name);
        snprintf(ctx->title, sizeof ctx->title, "%s", ctx->scn.title ? ctx->scn.title : "");
        rc = ps_build_inputs(&ctx->in, &ctx->scn, bo, err);
        snprintf(ctx->source, sizeof ctx->source, "%s",
                 rc == PS_OK && ctx->in.source ? ctx->in.source : "planner input files");
        return rc;
    }
    char loc_name[128];
    int code = 0;
    ps_status rc = ps_build_wpp_inputs(&ctx->in, &code, loc_name, sizeof loc_name, o->location,
                                       o->start_year, o->end_year, bo, err);
    if (rc == PS_OK) {
        group_name(ctx->name, sizeof ctx->name, loc_name);
        snprintf(ctx->title, sizeof ctx->title, "%s: UN WPP 2024 medium variant", loc_name);
        snprintf(ctx->source, sizeof ctx->source, "%s", ctx->in.source);
    }
    return rc;
}

/* output/<name>.h5 beside the working directory, creating output/ if needed. */
static ps_status default_output(char *out, size_t size, const char *name, ps_error *err)
{
    if (mkdir("output", 0755) != 0 && errno != EEXIST) {
        return ps_error_set(err, PS_EIO, "cannot create folder 'output': %s", strerror(errno));
    }
    snprintf(out, size, "output/%s.h5", name);
    return PS_OK;
}

static ps_status project_and_write(run_ctx *ctx, const run_opts *o, const char *cmdline,
                                   ps_error *err)
{
    char out_path[PATH_MAX], sha[65] = "";
    ps_proj *proj = NULL;
    ps_result res;
    memset(&res, 0, sizeof res);
    double t0 = cli_now();
    ps_status rc = ps_proj_new(&proj, &ctx->in, err);
    if (rc == PS_OK) {
        rc = ps_proj_run(&res, proj, ctx->name, ctx->title[0] ? ctx->title : NULL, err);
    }
    if (rc == PS_OK) {
        cli_log(o->quiet, "projected %d years in %.3f s", res.n_years - 1, cli_now() - t0);
        if (res.emigration_shortfall > 0.0) {
            fprintf(stderr,
                    "popsim: warning: %.0f persons of net emigration were not applied "
                    "because cohorts would have become negative\n",
                    res.emigration_shortfall);
        }
        rc = o->output ? (snprintf(out_path, sizeof out_path, "%s", o->output), PS_OK)
                       : default_output(out_path, sizeof out_path, ctx->name, err);
    }
    if (rc == PS_OK) {
        if (o->scenario != NULL) {
            file_sha256(sha, o->scenario);
        }
        ps_provenance prov = {.scenario_path = o->scenario ? o->scenario : "",
                              .scenario_sha256 = sha,
                              .command_line = cmdline,
                              .data_source = ctx->source,
                              .seed = 0,
                              .threads = omp_get_max_threads()};
        const ps_result *list[1] = {&res};
        rc = ps_h5_write(out_path, list, 1, &prov, err);
    }
    if (rc == PS_OK) {
        cli_log(o->quiet, "wrote %s", out_path);
        if (!o->quiet) {
            cli_print_summary(stdout, &res);
        }
    }
    ps_result_release(&res);
    ps_proj_free(proj);
    return rc;
}

int cli_cmd_run(int argc, char **argv)
{
    run_opts o = {.start_year = 2025, .end_year = 2100};
    int status = parse_run_args(&o, argc, argv);
    if (status >= 0) {
        return status;
    }
    char cache_dir[PATH_MAX], cmdline[4096];
    ps_error err;
    ps_error_clear(&err);
    ps_build_options bo = {
        .wpp_dir = o.wpp_dir, .project_root = PS_PROJECT_ROOT, .cache_dir = NULL};
    if (!o.no_cache && ps_wpp_default_cache_dir(cache_dir, sizeof cache_dir, NULL) == PS_OK) {
        bo.cache_dir = cache_dir;
    }
    cli_join_args(cmdline, sizeof cmdline, argc, argv);
    run_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) {
        fprintf(stderr, "popsim: error: out of memory\n");
        return CLI_EXIT_FAILURE;
    }
    double t0 = cli_now();
    ps_status rc = prepare_inputs(ctx, &o, &bo, &err);
    if (rc == PS_OK) {
        cli_log(o.quiet, "inputs ready in %.3f s (%s)", cli_now() - t0, ctx->source);
        rc = project_and_write(ctx, &o, cmdline, &err);
    }
    if (rc != PS_OK) {
        cli_print_error(&err);
    }
    ps_inputs_release(&ctx->in);
    ps_scn_release(&ctx->scn);
    free(ctx);
    return rc == PS_OK ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

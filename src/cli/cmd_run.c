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
#include "signals.h"
#include "popsim/builder.h"
#include "popsim/family.h"
#include "popsim/h5out.h"
#include "popsim/io.h"
#include "popsim/memory.h"
#include "popsim/outfile.h"
#include "popsim/proj.h"
#include "popsim/scenario.h"
#include "popsim/services.h"
#include "popsim/wpp.h"

typedef struct run_opts {
    const char *scenario;
    const char *output;
    const char *wpp_dir;
    const char *location;
    int start_year, end_year;
    int no_cache, quiet;
    int allow_large; /* --allow-large: lift PS_RUN_MAX_MEMBERS and PS_RUN_MAX_OUTPUT_BYTES */
    ps_elasticity elasticity; /* --elasticity: preset of members that do not choose one */
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
            "      --elasticity R    fertility response range for policies: low, default or\n"
            "                        high (a scenario's own response.elasticity wins)\n"
            "      --allow-large     run more than 100 scenarios or write more than 256 MiB\n"
            "                        of results (refused by default; docs/errors.md)\n"
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

static int parse_elasticity(ps_elasticity *out, const char *text)
{
    for (int e = 0; e < PS_ELASTICITY_COUNT; ++e) {
        if (strcmp(text, ps_elasticity_name((ps_elasticity)e)) == 0) {
            *out = (ps_elasticity)e;
            return 0;
        }
    }
    fprintf(stderr, "popsim run: --elasticity expects low, default or high (got '%s')\n", text);
    return -1;
}

/* Returns -1 to continue, else the exit status. */
static int parse_run_args(run_opts *o, int argc, char **argv)
{
    enum { OPT_LOCATION = 256, OPT_START, OPT_END, OPT_WPP, OPT_NOCACHE, OPT_VERSION,
           OPT_ELASTICITY, OPT_ALLOW_LARGE };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"location", required_argument, NULL, OPT_LOCATION},
        {"start", required_argument, NULL, OPT_START},
        {"end", required_argument, NULL, OPT_END},
        {"wpp-dir", required_argument, NULL, OPT_WPP},
        {"no-cache", no_argument, NULL, OPT_NOCACHE},
        {"elasticity", required_argument, NULL, OPT_ELASTICITY},
        {"allow-large", no_argument, NULL, OPT_ALLOW_LARGE},
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
        case OPT_ELASTICITY:
            if (parse_elasticity(&o->elasticity, optarg) != 0) {
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_NOCACHE:
            o->no_cache = 1;
            break;
        case OPT_ALLOW_LARGE:
            o->allow_large = 1;
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

typedef struct run_ctx {
    ps_scenario scn;
    ps_inputs in;
    char name[128];
    char wpp_title[256]; /* "<location>: UN WPP 2024 medium variant" for a --location run */
    const char *title;   /* the scenario's title, whole (borrowed from scn), or wpp_title */
    char source[512];
} run_ctx;

/* Amplification (issue #17): a family of more than PS_RUN_MAX_MEMBERS scenarios is refused
 * before any data are read, at the first variant over the limit. */
static ps_status check_members(const ps_scenario *scn, const run_opts *o, ps_error *err)
{
    if (o->allow_large || scn->n_members <= PS_RUN_MAX_MEMBERS) {
        return PS_OK;
    }
    ps_scn_loc at = scn->members[PS_RUN_MAX_MEMBERS].loc;
    return ps_error_set_at(err, PS_EINVAL, scn->path, at.line, at.column,
                           "variants: the family has %d scenarios (the top level and %d "
                           "variants), more than the limit of %d; split it into several "
                           "files, or give --allow-large",
                           scn->n_members, scn->n_members - 1, PS_RUN_MAX_MEMBERS);
}

static ps_status prepare_inputs(run_ctx *ctx, const run_opts *o, const ps_build_options *bo,
                                ps_error *err)
{
    if (o->scenario != NULL) {
        ps_status rc = ps_scn_load(&ctx->scn, o->scenario, err);
        if (rc == PS_OK) {
            rc = check_members(&ctx->scn, o, err);
        }
        if (rc != PS_OK) {
            return rc;
        }
        for (int i = 0; i < ctx->scn.n_warnings; ++i) {
            cli_put_text(stderr, ctx->scn.warnings[i]);
            fputc('\n', stderr);
        }
        snprintf(ctx->name, sizeof ctx->name, "%s", ctx->scn.name);
        ctx->title = ctx->scn.title;
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
        snprintf(ctx->wpp_title, sizeof ctx->wpp_title, "%s: UN WPP 2024 medium variant",
                 loc_name);
        ctx->title = ctx->wpp_title;
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

/* The response of one member: the preset (its own response.elasticity, else --elasticity)
 * with the scenario's explicit overrides on top. */
ps_response cli_member_response(const ps_scn_member *m, ps_elasticity cli_choice)
{
    ps_response r;
    ps_response_preset(&r, m->has_elasticity ? m->elasticity : cli_choice);
    ps_response_apply(&r, &m->response);
    return r;
}

/* Parity and policies are tracked when the scenario asks for them (birth order, policies or
 * variants); a plain demographic projection keeps the age-only engine. */
static int wants_family(const ps_scenario *scn)
{
    if (scn->n_members > 1 || scn->has_birth_order) {
        return 1;
    }
    return scn->n_members == 1 && scn->members[0].n_policies > 0;
}

void cli_locate_member_error(ps_error *err, const ps_scenario *scn, const ps_scn_member *m)
{
    if (err->code != PS_EINVAL || err->path[0] != '\0') {
        return;
    }
    ps_scn_loc at = m->n_policies > 0 ? m->policy_locs[0] : m->loc;
    snprintf(err->path, sizeof err->path, "%s", scn->path);
    err->line = at.line;
    err->column = at.column;
    ps_error_prepend(err, "scenario '%s': ", m->name);
}

static ps_status run_family(ps_result *res, int *n_res, ps_proj *proj, const run_ctx *ctx,
                            const run_opts *o, ps_error *err)
{
    const ps_scenario *scn = &ctx->scn;
    double *women0 = malloc((size_t)ctx->in.n_regions * (size_t)ctx->in.n_ages *
                            PS_PARITY_COUNT * sizeof *women0);
    ps_status rc = women0 ? ps_proj_parity_init(proj, &scn->birth_order, women0, err)
                          : ps_error_set(err, PS_ENOMEM, "out of memory for women by parity");
    for (int i = 0; rc == PS_OK && i < scn->n_members; ++i) {
        const ps_scn_member *m = &scn->members[i];
        ps_run_spec spec = { .name = m->name, .title = m->title, .policies = m->policies,
                             .n_policies = m->n_policies,
                             .response = cli_member_response(m, o->elasticity),
                             .economy = m->economy };
        if ((rc = cli_check_interrupt(err)) == PS_OK) {
            rc = ps_run_scenario(&res[i], proj, women0, &scn->birth_order, &spec,
                                 i == 0 ? NULL : &res[0], err);
            if (rc != PS_OK) {
                cli_locate_member_error(err, scn, m);
            }
        }
        if (rc == PS_OK) {
            *n_res = i + 1;
        }
    }
    free(women0);
    return rc;
}

/* 1 if `path`'s folder is the folder `dir` (same device and inode). */
static int in_folder(const char *path, const char *dir)
{
    struct stat a, b;
    const char *slash = strrchr(path, '/');
    char parent[PATH_MAX];
    int len = slash == NULL ? 1 : (int)(slash == path ? 1 : slash - path);
    snprintf(parent, sizeof parent, "%.*s", len, slash == NULL ? "." : path);
    return stat(parent, &a) == 0 && stat(dir, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

/* Refuse an output that is the scenario, one of its CSV files (after following links) or a
 * file in the UN WPP folder the run reads (issue #17). */
static ps_status check_not_input(const char *out_path, const run_ctx *ctx, const run_opts *o,
                                 ps_error *err)
{
    const ps_scenario *scn = &ctx->scn;
    const char *inputs[] = { o->scenario, scn->population.file.path, scn->mortality.mx_file.path,
                             scn->mortality.e0_file.path, scn->fertility.asfr_file.path,
                             scn->fertility.tfr_file.path, scn->srb.file.path,
                             scn->migration.file.path, scn->migration.total_file.path };
    char wpp[PATH_MAX], root[PATH_MAX], *real = realpath(out_path, NULL);
    const int n_inputs = (int)(sizeof inputs / sizeof inputs[0]);
    /* A workbook input may name its sheet ("book.xlsx#Sheet"): compare the workbook. */
    char files[sizeof inputs / sizeof inputs[0]][PATH_MAX];
    const char *paths[sizeof inputs / sizeof inputs[0]];
    for (int k = 0; k < n_inputs; ++k) {
        struct stat st;
        const char *hash = inputs[k] != NULL ? strrchr(inputs[k], '#') : NULL;
        paths[k] = inputs[k];
        if (hash != NULL && stat(inputs[k], &st) != 0 && strlen(inputs[k]) < PATH_MAX) {
            snprintf(files[k], sizeof files[k], "%.*s", (int)(hash - inputs[k]), inputs[k]);
            paths[k] = files[k];
        }
    }
    ps_status rc = ps_outfile_check_inputs(out_path, paths, n_inputs, err);
    const int uses_wpp = o->scenario == NULL || scn->location != NULL;
    if (rc == PS_OK && uses_wpp &&
        ps_wpp_find_dir(wpp, sizeof wpp, o->wpp_dir != NULL ? o->wpp_dir : scn->wpp_dir,
                        cli_project_root(root, sizeof root), NULL) == PS_OK &&
        (in_folder(out_path, wpp) || (real != NULL && in_folder(real, wpp)))) {
        rc = ps_error_set_at(err, PS_EINVAL, out_path, 0, 0, "the output file would be in the "
                             "UN WPP data folder '%s' that this run reads; choose another "
                             "folder", wpp);
    }
    free(real);
    return rc;
}

static ps_status write_results(const ps_result *res, int n_res, const run_ctx *ctx,
                               const run_opts *o, const char *cmdline, ps_error *err)
{
    char out_path[PATH_MAX], sha[65] = "";
    const ps_result **list = calloc((size_t)n_res, sizeof *list);
    ps_status rc = list ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory");
    if (rc == PS_OK) {
        if (o->output != NULL && strlen(o->output) >= sizeof out_path) {
            rc = ps_error_set(err, PS_EIO, "the output path is longer than %zu bytes",
                              sizeof out_path - 1);
        } else {
            rc = o->output ? (snprintf(out_path, sizeof out_path, "%s", o->output), PS_OK)
                           : default_output(out_path, sizeof out_path, ctx->name, err);
        }
    }
    if (rc == PS_OK) {
        rc = check_not_input(out_path, ctx, o, err);
    }
    if (rc == PS_OK) {
        if (o->scenario != NULL) { /* of the bytes the loader read (a pipe is read once) */
            snprintf(sha, sizeof sha, "%s", ctx->scn.sha256);
        }
        cli_inputs inputs;
        cli_inputs_provenance(&inputs, o->scenario != NULL ? &ctx->scn : NULL, ctx->source);
        ps_provenance prov = {.scenario_path = o->scenario ? o->scenario : "",
                              .scenario_sha256 = sha,
                              .command_line = cmdline,
                              .data_source = ctx->source,
                              .seed = ctx->scn.engine == PS_ENGINE_MICRO ? ctx->scn.micro.seed : 0,
                              .threads = omp_get_max_threads(),
                              .inputs = inputs.sources,
                              .n_inputs = inputs.n};
        for (int i = 0; i < n_res; ++i) {
            list[i] = &res[i];
        }
        cli_remove_stale_temps(out_path, o->quiet);
        if ((rc = cli_check_interrupt(err)) == PS_OK) {
            rc = ps_h5_write(out_path, list, n_res, &prov, err);
        }
    }
    if (rc == PS_OK) {
        cli_log(o->quiet, "wrote %s (%d scenario%s)", out_path, n_res, n_res == 1 ? "" : "s");
    }
    free(list);
    return rc;
}

static ps_status project_and_write(run_ctx *ctx, const run_opts *o, const char *cmdline,
                                   ps_error *err)
{
    const int micro = o->scenario != NULL && ctx->scn.engine == PS_ENGINE_MICRO;
    const int family = o->scenario != NULL && (micro || wants_family(&ctx->scn));
    const int n_members = family ? ctx->scn.n_members : 1;
    ps_proj *proj = NULL;
    int n_res = 0;
    ps_result *res = calloc((size_t)n_members, sizeof *res);
    double t0 = cli_now();
    /* Crash safety and resources (issue #7): refuse a run too large for the machine. */
    ps_mem_shape shape = { ps_inputs_steps(&ctx->in), ctx->in.n_regions, ctx->in.n_ages,
                           n_members };
    ps_status rc = PS_OK;
    if (res == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory for results");
    } else if (!o->allow_large &&
               (rc = ps_mem_check_output(&shape, PS_RUN_MAX_OUTPUT_BYTES, err)) != PS_OK) {
        if (o->scenario != NULL) {
            snprintf(err->path, sizeof err->path, "%s", o->scenario);
        }
    } else if (micro) { /* every replicate's results are held until they are averaged */
        shape.n_scenarios = n_members * (ctx->scn.micro.replicates + 1);
        rc = cli_micro_memory_check(&ctx->scn, &ctx->in, &shape, err);
    } else {
        rc = ps_mem_check_run(&shape, err);
    }
    if (rc == PS_OK) {
        rc = ps_proj_new(&proj, &ctx->in, err);
    }
    if (rc == PS_OK && micro) {
        rc = cli_run_micro(res, &n_res, proj, &ctx->scn, &ctx->in, o->elasticity, o->quiet, err);
    } else if (rc == PS_OK && family) {
        rc = run_family(res, &n_res, proj, ctx, o, err);
    } else if (rc == PS_OK) {
        rc = ps_proj_run(&res[0], proj, ctx->name, ctx->title, err);
        n_res = rc == PS_OK ? 1 : 0;
    }
    /* Services of every member, then each variant's extra service subsidies. */
    for (int i = 0; rc == PS_OK && i < n_res; ++i) {
        const ps_scn_member *m = o->scenario != NULL ? &ctx->scn.members[i] : NULL;
        rc = m != NULL ? ps_services_compute(&res[i], m->services, m->n_services,
                                             &ctx->scn.care_need, err)
                       : ps_services_compute(&res[i], NULL, 0, NULL, err);
        if (rc == PS_OK && m != NULL && i > 0) {
            ps_services_compare(&res[i], &res[0], m->economy.discount_rate);
        }
    }
    if (rc == PS_OK) {
        cli_log(o->quiet, "projected %d scenario%s of %d years in %.3f s", n_res,
                n_res == 1 ? "" : "s", res[0].n_years - 1, cli_now() - t0);
        if (res[0].emigration_shortfall > 0.0) {
            fprintf(stderr,
                    "popsim: warning: %.0f persons of net emigration were not applied "
                    "because cohorts would have become negative\n",
                    res[0].emigration_shortfall);
        }
        rc = write_results(res, n_res, ctx, o, cmdline, err);
    }
    if (rc == PS_OK && !o->quiet) {
        cli_print_summary(stdout, &res[0]);
        if (n_res > 1) {
            printf("\n");
            cli_print_compare(stdout, res, n_res);
        }
    }
    for (int i = 0; res != NULL && i < n_members; ++i) {
        ps_result_release(&res[i]);
    }
    free(res);
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
    char cache_dir[PATH_MAX], root[PATH_MAX];
    ps_error err;
    ps_error_clear(&err);
    ps_build_options bo = { .wpp_dir = o.wpp_dir,
                            .project_root = cli_project_root(root, sizeof root),
                            .cache_dir = NULL };
    if (!o.no_cache && ps_wpp_default_cache_dir(cache_dir, sizeof cache_dir, NULL) == PS_OK) {
        bo.cache_dir = cache_dir;
        cli_remove_stale_temps_in(cache_dir, o.quiet); /* a cache write killed by SIGKILL */
    }
    cli_signals_install();
    ps_h5_set_cancel(cli_interrupt_flag());
    char *cmdline = cli_join_args(argc, argv);
    ps_io_set_cancel(cli_interrupt_flag());
    run_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL || cmdline == NULL) {
        fprintf(stderr, "popsim: error: out of memory\n");
        free(ctx);
        free(cmdline);
        return CLI_EXIT_FAILURE;
    }
    double t0 = cli_now();
    ps_status rc = prepare_inputs(ctx, &o, &bo, &err);
    if (rc == PS_OK) {
        cli_log(o.quiet, "inputs ready in %.3f s (%s)", cli_now() - t0, ctx->source);
        if ((rc = cli_check_interrupt(&err)) == PS_OK) {
            rc = project_and_write(ctx, &o, cmdline, &err);
        }
    }
    if (rc != PS_OK && cli_interrupted()) {
        status = cli_interrupt_exit("no output file was written or changed");
    } else if (rc != PS_OK) {
        cli_print_error(&err);
    }
    ps_inputs_release(&ctx->in);
    ps_scn_release(&ctx->scn);
    free(ctx);
    free(cmdline);
    return rc == PS_OK ? CLI_EXIT_OK : status >= 0 ? status : CLI_EXIT_FAILURE;
}

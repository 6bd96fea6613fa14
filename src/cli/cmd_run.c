/*
 * cmd_run.c - `popsim run`: a scenario file, or a WPP location with the medium assumptions,
 * projected and written to one HDF5 file. Everything is read and validated before the
 * output is touched; the file is then written atomically, so a failed run leaves any
 * previous result intact.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "run_dist.h"
#include "prob_cli.h"
#include "scn_prob_cli.h"
#include "signals.h"
#include "popsim/builder.h"
#include "popsim/h5out.h"
#include "popsim/io.h"
#include "popsim/micro.h"
#include "popsim/outfile.h"
#include "popsim/run.h"
#include "popsim/scenario.h"
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
    int has_elasticity;
    int task, n_tasks; /* --task I --tasks N: a Slurm array task's share (run_dist.h) */
    int estimate;      /* --estimate: print units and memory per process, compute nothing */
    cli_prob_opts prob;       /* --trajectories, --variant, --seed (issue #14) */
    int probabilistic;        /* 1: one of them was given */
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
            "      --task I --tasks N  compute share I (0..N-1) of the units and write it to\n"
            "                        the part file -o PART; `popsim merge` combines the parts\n"
            "                        (Slurm job arrays, docs/hpc.md)\n"
            "      --estimate        print the units and popsim's memory estimate of one\n"
            "                        process as key=value lines; compute and write nothing\n"
            "      --trajectories N  with --location: N probabilistic trajectories, quantiles\n"
            "                        and means of the UN-calibrated process (docs/model.md)\n"
            "                        --location all: every country into one file\n"
            "      --variant V       with --location: the UN's deterministic low or high\n"
            "                        variant (TFR -/+ 0.5 child, with its own age pattern)\n"
            "      --seed N          random seed of the trajectories (default 1)\n"
            "      --threads N       OpenMP threads of the trajectories (default: all)\n"
            "      --keep-trajectories  also write every trajectory (one location)\n"
            "      --rho F,E,M       persistence of TFR, e0 and migration instead of the\n"
            "                        calibrated constants (for experiments)\n"
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

/* --task I and --tasks N: whole numbers, I from 0, N from 1. */
static int parse_task(int *out, const char *text, const char *opt, int min)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno != 0 || v < min || v > INT_MAX - 1) {
        fprintf(stderr, "popsim run: %s expects a whole number from %d (got '%s')\n", opt, min,
                text);
        return -1;
    }
    *out = (int)v + (min == 0 ? 1 : 0); /* the task is stored 1-based until checked */
    return 0;
}

/* --task and --tasks go together, with a scenario file and -o, and not under mpirun. */
static int check_task_args(run_opts *o)
{
    if ((o->task > 0) != (o->n_tasks > 0)) {
        fprintf(stderr, "popsim run: --task and --tasks go together\n");
        return -1;
    }
    if (o->n_tasks == 0) {
        return 0;
    }
    o->task -= 1;
    if (o->task >= o->n_tasks) {
        fprintf(stderr, "popsim run: --task %d is not one of 0..%d (--tasks %d)\n", o->task,
                o->n_tasks - 1, o->n_tasks);
        return -1;
    }
    if (o->scenario == NULL || o->output == NULL) {
        fprintf(stderr, "popsim run: --task needs a scenario file and -o PART (the part file)\n");
        return -1;
    }
    return 0;
}

/* --trajectories (0), --variant (1), --seed (2), --threads (3), --keep-trajectories (4),
 * --rho (5). */
static int parse_prob_option(cli_prob_opts *p, int which, const char *text)
{
    static const char *const names[] = { "--trajectories", "--variant", "--seed", "--threads" };
    char *end = NULL;
    if (which == 4) {
        p->keep = 1;
        return 0;
    }
    if (which == 5) {
        double r[PS_PROB_PROC_COUNT];
        int used = 0;
        if (sscanf(text, "%lf,%lf,%lf%n", &r[0], &r[1], &r[2], &used) != 3 ||
            text[used] != '\0' || !(r[0] >= 0 && r[0] < 1) || !(r[1] >= 0 && r[1] < 1) ||
            !(r[2] >= 0 && r[2] < 1)) {
            fprintf(stderr, "popsim run: --rho expects three persistences in [0, 1) for TFR, "
                            "e0 and migration, e.g. 0.97,0.95,0.5 (got '%s')\n", text);
            return -1;
        }
        memcpy(p->rho, r, sizeof r);
        p->has_rho = 1;
        return 0;
    }
    if (which == 1) {
        if (strcmp(text, "low") == 0 || strcmp(text, "high") == 0) {
            p->variant = text[0] == 'l' ? PS_PROB_VARIANT_LOW : PS_PROB_VARIANT_HIGH;
            return 0;
        }
        fprintf(stderr, "popsim run: --variant expects low or high (got '%s')\n", text);
        return -1;
    }
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    const unsigned long long max = which == 0 ? PS_PROB_TRAJ_MAX : which == 3 ? 1024 : ULLONG_MAX;
    if (end == text || *end != '\0' || errno != 0 || text[0] == '-' || (which != 2 && v < 1) ||
        v > max) {
        fprintf(stderr, "popsim run: %s expects a whole number in %d..%llu (got '%s')\n",
                names[which], which == 2 ? 0 : 1, max, text);
        return -1;
    }
    if (which == 0) {
        p->n_traj = (int)v;
    } else if (which == 2) {
        p->seed = v;
    } else {
        p->n_threads = (int)v;
    }
    return 0;
}

/* Returns -1 to continue, else the exit status. */
static int parse_run_args(run_opts *o, int argc, char **argv)
{
    enum { OPT_LOCATION = 256, OPT_START, OPT_END, OPT_WPP, OPT_NOCACHE, OPT_VERSION,
           OPT_ELASTICITY, OPT_ALLOW_LARGE, OPT_TASK, OPT_TASKS,
           OPT_ESTIMATE, OPT_TRAJ, OPT_VARIANT, OPT_SEED, OPT_THREADS,
           OPT_KEEP, OPT_RHO };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"location", required_argument, NULL, OPT_LOCATION},
        {"start", required_argument, NULL, OPT_START},
        {"end", required_argument, NULL, OPT_END},
        {"wpp-dir", required_argument, NULL, OPT_WPP},
        {"no-cache", no_argument, NULL, OPT_NOCACHE},
        {"elasticity", required_argument, NULL, OPT_ELASTICITY},
        {"allow-large", no_argument, NULL, OPT_ALLOW_LARGE},
        {"task", required_argument, NULL, OPT_TASK},
        {"tasks", required_argument, NULL, OPT_TASKS},
        {"estimate", no_argument, NULL, OPT_ESTIMATE},
        {"trajectories", required_argument, NULL, OPT_TRAJ},
        {"variant", required_argument, NULL, OPT_VARIANT},
        {"seed", required_argument, NULL, OPT_SEED},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"keep-trajectories", no_argument, NULL, OPT_KEEP},
        {"rho", required_argument, NULL, OPT_RHO},
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
            o->has_elasticity = 1;
            break;
        case OPT_TASK:
        case OPT_TASKS:
            if (parse_task(c == OPT_TASK ? &o->task : &o->n_tasks, optarg,
                           c == OPT_TASK ? "--task" : "--tasks", c == OPT_TASK ? 0 : 1) != 0) {
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_ESTIMATE:
            o->estimate = 1;
            break;
        case OPT_NOCACHE:
            o->no_cache = 1;
            break;
        case OPT_ALLOW_LARGE:
            o->allow_large = 1;
            break;
        case OPT_TRAJ:
        case OPT_VARIANT:
        case OPT_SEED:
        case OPT_THREADS:
        case OPT_KEEP:
        case OPT_RHO:
            if (parse_prob_option(&o->prob, c - OPT_TRAJ, optarg) != 0) {
                return CLI_EXIT_USAGE;
            }
            o->probabilistic = 1;
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
    if (check_task_args(o) != 0) {
        return CLI_EXIT_USAGE;
    }
    if (o->probabilistic && o->scenario != NULL) {
        fprintf(stderr, "popsim run: --trajectories, --variant, --seed, --threads and "
                        "--keep-trajectories go with --location (a scenario gives its "
                        "trajectories and seed in its uncertainty: section)\n");
        return CLI_EXIT_USAGE;
    }
    if (o->scenario != NULL && (have_start || have_end)) {
        fprintf(stderr, "popsim run: --start and --end go with --location (a scenario file sets "
                        "start and end)\n");
        return CLI_EXIT_USAGE;
    }
    return -1;
}

/* Lowercase letters, digits and '_' from a location name: "United States" -> "united_states"
 * (cli.h; "location" when nothing is left). */
void cli_group_name(char *out, size_t size, const char *text)
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
    ps_inputs hist; /* WPP fertility since 1950 for the base parity; no steps if none */
    char name[128];
    char wpp_title[256]; /* "<location>: UN WPP 2024 medium variant" for a --location run */
    const char *title;   /* the scenario's title, whole (borrowed from scn), or wpp_title */
    char source[512];
} run_ctx;

static ps_status prepare_inputs(run_ctx *ctx, const run_opts *o, const ps_build_options *bo,
                                const ps_run_options *ro, ps_error *err)
{
    if (o->scenario != NULL) {
        ps_status rc = ps_scn_load_with(&ctx->scn, o->scenario, &bo->cancel, err);
        if (rc == PS_OK) {
            rc = ps_run_check_scenario(&ctx->scn, ro, err); /* before any data are read */
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
        if (rc == PS_OK && ps_run_tracks_parity(&ctx->scn)) {
            rc = ps_build_fertility_history(&ctx->hist, &ctx->scn, bo, err);
        }
        snprintf(ctx->source, sizeof ctx->source, "%s",
                 rc == PS_OK && ctx->in.source ? ctx->in.source : "planner input files");
        return rc;
    }
    char loc_name[128];
    int code = 0;
    ps_status rc = ps_build_wpp_inputs(&ctx->in, &code, loc_name, sizeof loc_name, o->location,
                                       o->start_year, o->end_year, bo, err);
    if (rc == PS_OK) {
        cli_group_name(ctx->name, sizeof ctx->name, loc_name);
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

/* Micro progress on stderr: one line per report, or one line rewritten on a terminal. */
typedef struct progress_ctx {
    int tty;
    int quiet;
} progress_ctx;

static void print_progress(void *ctx, const ps_run_progress *p)
{
    const progress_ctx *pc = ctx;
    char line[256];
    if (pc->quiet) {
        return;
    }
    ps_micro_progress_format(line, sizeof line, &p->step, pc->tty);
    if (pc->tty) {
        fprintf(stderr, "%s [%s, replicate %d/%d]%s", line, p->member, p->replicate + 1,
                p->n_replicates, p->step.done ? "\n" : "");
    } else {
        size_t n = strlen(line);
        if (n > 0 && line[n - 1] == '\n') {
            line[n - 1] = '\0';
        }
        fprintf(stderr, "%s [%s, replicate %d/%d]\n", line, p->member, p->replicate + 1,
                p->n_replicates);
    }
}

static ps_status check_interrupt(void *ctx, ps_error *err)
{
    (void)ctx;
    return cli_check_interrupt(err);
}

/* The output path (-o, else output/<name>.h5), refused if it is one of the run's inputs. */
static ps_status output_path(char *out, size_t size, const run_ctx *ctx, const run_opts *o,
                             ps_error *err)
{
    ps_status rc = PS_OK;
    if (o->output != NULL && strlen(o->output) >= size) {
        rc = ps_error_set(err, PS_EIO, "the output path is longer than %zu bytes", size - 1);
    } else {
        rc = o->output ? (snprintf(out, size, "%s", o->output), PS_OK)
                       : default_output(out, size, ctx->name, err);
    }
    return rc == PS_OK ? check_not_input(out, ctx, o, err) : rc;
}

static void print_results(const ps_run *run)
{
    int n_res = 0;
    const ps_result *res = ps_run_results(run, &n_res);
    cli_print_summary(stdout, &res[0]);
    if (n_res > 1) {
        printf("\n");
        cli_print_compare(stdout, res, n_res);
    }
    int n_points = 0; /* a policy sweep's points: their rows are in /sweep (issue #15) */
    if (ps_run_sweep_rows(run, &n_points) != NULL && n_points > 0) {
        printf("\n%d sweep points: `popsim compare` on the file ranks them by cost per "
               "additional birth and shows the frontier.\n", n_points);
    }
}

static ps_status project_and_write(run_ctx *ctx, const run_opts *o, ps_run_options *ro,
                                   cli_dist *dist, ps_error *err)
{
    const ps_scenario *scn = o->scenario != NULL ? &ctx->scn : NULL;
    char out_path[PATH_MAX];
    progress_ctx pc = { .tty = isatty(STDERR_FILENO), .quiet = o->quiet };
    ps_run *run = NULL;
    int n_res = 0;
    double t0 = cli_now();
    ro->progress = print_progress;
    ro->progress_ctx = &pc;
    cli_inputs inputs; /* where each input came from, for /provenance (issue #16) */
    cli_inputs_provenance(&inputs, scn, ctx->source);
    ro->inputs = inputs.sources;
    ro->n_inputs = inputs.n;
    ro->mpi_ranks = dist->n_ranks;
    dist->scenario_sha256 = scn != NULL ? scn->sha256 : NULL;
    if (scn != NULL && scn->uncertainty.enabled) { /* issue #14, sec. 1: cmd_run_scn_prob.c */
        if (dist->n_tasks > 0 || dist->n_parts > 0) { /* MPI ranks: run_scn_prob_mpi.c */
            return ps_error_set_at(err, PS_EINVAL, scn->path, scn->uncertainty.loc.line,
                                   scn->uncertainty.loc.column, "uncertainty: probabilistic "
                                   "runs do not run with --task or popsim merge yet");
        }
        ps_status urc = output_path(out_path, sizeof out_path, ctx, o, err);
        const cli_scn_prob a = { .scn = scn, .in = &ctx->in, .out_path = out_path,
                                 .source = ctx->source, .command_line = ro->command_line,
                                 .inputs = inputs.sources, .n_inputs = inputs.n,
                                 .n_threads = 0, .quiet = o->quiet,
                                 .history = ro->history, .elasticity = ro->elasticity,
                                 .dist = dist };
        return urc == PS_OK ? cli_run_scn_prob(&a, err) : urc;
    }
    ps_micro_comm comm; /* persons split across MPI ranks (issue #15, micro_mpi.c) */
    if (cli_dist_split_persons(dist, scn)) {
        cli_mpi_micro_comm(&comm, dist);
        ro->micro_comm = &comm;
        ro->cancel = cli_mpi_split_cancel; /* the ranks agree on an interrupt (#15) */
        ro->cancel_ctx = dist;
        dist->split_persons = 1;
    }
    ps_status rc = ps_run_new(&run, scn, &ctx->in, ro, err);
    if (rc == PS_OK && dist->n_tasks > 0) { /* a part file must not replace an input */
        rc = check_not_input(o->output, ctx, o, err);
    }
    rc = cli_dist_compute(run, dist, rc, err); /* here, on MPI ranks, a task, or a merge */
    if (rc == PS_OK && !cli_dist_writes_file(dist)) {
        ps_run_free(run);
        return rc;
    }
    if (rc == PS_OK) {
        const ps_result *res = ps_run_results(run, &n_res);
        cli_log(o->quiet, "projected %d scenario%s of %d years in %.3f s", n_res,
                n_res == 1 ? "" : "s", res[0].n_years - 1, cli_now() - t0);
        if (res[0].emigration_shortfall > 0.0) {
            fprintf(stderr,
                    "popsim: warning: %.0f persons of net emigration were not applied "
                    "because cohorts would have become negative\n",
                    res[0].emigration_shortfall);
        }
        rc = output_path(out_path, sizeof out_path, ctx, o, err);
    }
    if (rc == PS_OK) {
        cli_remove_stale_temps(out_path, o->quiet);
        t0 = cli_now();
        rc = ps_run_write(run, out_path, err);
    }
    if (rc == PS_OK) {
        cli_log(o->quiet, "wrote %s (%d scenario%s) in %.3f s", out_path, n_res,
                n_res == 1 ? "" : "s", cli_now() - t0);
        if (!o->quiet) {
            print_results(run);
        }
    }
    ps_run_free(run);
    return rc;
}

/* Where the units are computed: MPI rank, array task or merge (run_dist.h). Returns -1 to go
 * on, else the exit status. */
static int dist_options(cli_dist *d, run_opts *o, char *const *parts, int n_parts)
{
    d->parts = parts;
    d->n_parts = n_parts;
    if (d->n_ranks > 0 && (o->n_tasks > 0 || n_parts > 0)) {
        fprintf(stderr, "popsim run: --task and popsim merge do not run under an MPI launcher\n");
        return CLI_EXIT_USAGE;
    }
    if (d->rank > 0) { /* rank 0 logs and reports every rank's error */
        o->quiet = 1;
    }
    d->quiet = o->quiet;
    d->estimate = o->estimate;
    if (o->n_tasks > 0) {
        d->task = o->task;
        d->n_tasks = o->n_tasks;
        d->part_path = o->output;
        if (cli_dist_set_run_args(d, o->scenario, o->has_elasticity
                                  ? ps_elasticity_name(o->elasticity) : NULL, o->wpp_dir,
                                  o->allow_large, o->no_cache) != 0) {
            return CLI_EXIT_FAILURE;
        }
    }
    return -1;
}

int cli_cmd_run(int argc, char **argv)
{
    return cli_cmd_run_parts(argc, argv, NULL, 0);
}

int cli_cmd_run_parts(int argc, char **argv, char *const *parts, int n_parts)
{
    run_opts o = {.start_year = 2025, .end_year = 2100, .prob = {.seed = 1}};
    cli_dist dist;
    cli_dist_init(&dist);
    int status = parse_run_args(&o, argc, argv);
    const int prob_run =
        o.probabilistic || (o.location != NULL && strcmp(o.location, "all") == 0);
    if (status < 0 && prob_run && n_parts > 0) { /* under MPI: cmd_run_prob.c, prob_mpi.h */
        fprintf(stderr, "popsim run: probabilistic runs (--trajectories, --variant, --location "
                        "all) do not run under popsim merge yet\n");
        status = CLI_EXIT_USAGE;
    }
    if (status < 0 && !prob_run) {
        status = dist_options(&dist, &o, parts, n_parts);
    }
    if (status >= 0) {
        cli_dist_release(&dist);
        return status;
    }
    if (o.prob.keep && o.location != NULL && strcmp(o.location, "all") == 0) {
        fprintf(stderr, "popsim run: --keep-trajectories goes with one location (--location all "
                        "writes quantiles only)\n");
        return CLI_EXIT_USAGE;
    }
    if (prob_run) {
        cli_dist_release(&dist);
        o.prob.location = o.location;
        o.prob.output = o.output;
        o.prob.wpp_dir = o.wpp_dir;
        o.prob.start_year = o.start_year;
        o.prob.end_year = o.end_year;
        o.prob.no_cache = o.no_cache;
        o.prob.quiet = o.quiet;
        return cli_run_prob(&o.prob, argc, argv);
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
    bo.cancel = cli_cancel(); /* reads of the scenario and its CSVs, per call (issue #11) */
    char *cmdline = cli_join_args(argc, argv);
    run_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL || cmdline == NULL) {
        fprintf(stderr, "popsim: error: out of memory\n");
        free(ctx);
        free(cmdline);
        return CLI_EXIT_FAILURE;
    }
    ps_run_options ro = PS_RUN_OPTIONS_INIT;
    ro.elasticity = o.elasticity;
    ro.allow_large = o.allow_large;
    ro.memory_limit = o.estimate ? SIZE_MAX : 0; /* estimate what this machine may lack */
    ro.cancel = check_interrupt;
    ro.scenario_path = o.scenario;
    ro.command_line = cmdline;
    double t0 = cli_now();
    ps_status rc = prepare_inputs(ctx, &o, &bo, &ro, &err);
    if (rc == PS_OK) {
        cli_log(o.quiet, "inputs ready in %.3f s (%s)", cli_now() - t0, ctx->source);
        ro.name = ctx->name;
        ro.title = ctx->title;
        ro.data_source = ctx->source;
        ro.history = &ctx->hist;
        rc = cli_check_interrupt(&err);
    }
    rc = cli_dist_agree(&dist, rc, &err); /* MPI: every rank has its inputs */
    if (rc == PS_OK && dist.n_ranks > 1 && o.scenario != NULL) { /* the same file, too */
        char what[64 + 4096];
        snprintf(what, sizeof what, "the scenario file '%s' with SHA-256", o.scenario);
        rc = cli_mpi_same_text(&dist, ctx->scn.sha256, what, &err);
    }
    if (rc == PS_OK) {
        rc = project_and_write(ctx, &o, &ro, &dist, &err);
    }
    if (rc != PS_OK && cli_interrupted()) {
        status = cli_interrupt_exit("no output file was written or changed");
    } else if (rc != PS_OK && !dist.reported) {
        cli_print_error(&err);
    }
    cli_dist_release(&dist);
    ps_inputs_release(&ctx->in);
    ps_inputs_release(&ctx->hist);
    ps_scn_release(&ctx->scn);
    free(ctx);
    free(cmdline);
    return rc == PS_OK ? CLI_EXIT_OK : status >= 0 ? status : CLI_EXIT_FAILURE;
}

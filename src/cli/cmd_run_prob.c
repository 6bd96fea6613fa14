/*
 * cmd_run_prob.c - `popsim run --location X --trajectories N` (issue #14): the WPP medium
 * inputs of location X, the UN's interval bounds of TFR, e0 and migration, N trajectories
 * (docs/model.md sec. 9), quantiles and means written to one HDF5 file; `--location all`
 * does every country or area into one file with a `location` dimension (quantiles only);
 * `--variant low|high` one deterministic trajectory with the UN's low or high TFR.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <omp.h>

#include "cli.h"
#include "prob_cli.h"
#include "prob_mpi.h"
#include "signals.h"
#include "popsim/builder.h"
#include "popsim/h5prob.h"
#include "popsim/wpp.h"
#include "popsim/wpp_pi.h"

/* One location: inputs, bounds, every unit, the summary. *out is NULL on failure. Under MPI
 * (d with more than one rank; a collective) this rank computes its share of the units and
 * rank 0 gathers the others' and finishes; *out is NULL on the other ranks. */
static ps_status run_location(ps_prob **out, char *name, size_t name_size, int *code,
                              char *inputs_source, size_t source_size, const char *location,
                              const char *dir, const ps_wpp_pi *pi, const cli_prob_opts *o,
                              const ps_build_options *bo, cli_dist *d, ps_error *err)
{
    ps_inputs in;
    ps_prob_bounds b;
    ps_prob *p = NULL;
    memset(&in, 0, sizeof in);
    memset(&b, 0, sizeof b);
    *out = NULL;
    ps_build_options vo = *bo;
    ps_status rc = PS_OK;
    if (o->variant != PS_PROB_VARIANT_NONE) {
        /* the inputs take the variant's own age pattern of fertility, from its TFR path
         * (docs/model.md 9.9): the bounds first */
        rc = ps_wpp_lookup(code, name, name_size, dir, location, err);
        if (rc == PS_OK) {
            rc = ps_wpp_pi_bounds(&b, pi, *code, err);
        }
        vo.pattern_tfr = o->variant == PS_PROB_VARIANT_LOW ? b.tfr_low : b.tfr_high;
        vo.pattern_tfr_first = b.first_year;
        vo.pattern_tfr_n = b.n_years;
    }
    if (rc == PS_OK) {
        rc = ps_build_wpp_inputs(&in, code, name, name_size, location, o->start_year,
                                 o->end_year, &vo, err);
    }
    if (rc == PS_OK && o->variant == PS_PROB_VARIANT_NONE) {
        rc = ps_wpp_pi_bounds(&b, pi, *code, err);
    }
    ps_prob_options po = PS_PROB_OPTIONS_INIT;
    po.n_traj = o->n_traj;
    po.seed = o->seed;
    po.n_threads = o->n_threads;
    po.variant = o->variant;
    po.keep_trajectories = o->keep;
    if (rc == PS_OK) { /* the process parameters of the location's class (docs/model.md 9.3) */
        ps_prob_options_by_class(&po, &b, ps_pop_total(&in.base),
                                 ps_wpp_pi_mig_growth(pi, *code, &b),
                                 ps_wpp_pi_mig_early_growth(pi, *code, &b));
    }
    if (o->has_rho) { /* the TFR and migration centrings follow the persistences given */
        memcpy(po.rho, o->rho, sizeof po.rho);
        if (rc == PS_OK) {
            ps_prob_center_from_persistence(&po, b.n_years);
        }
    }
    if (rc == PS_OK) {
        rc = ps_prob_new(&p, &in, &b, &po, err);
    }
    int first = 0, end = 0;
    const double wall0 = cli_now();
    const clock_t cpu0 = clock();
    if (rc == PS_OK) {
        cli_prob_share(&first, &end, ps_prob_n_units(p), d);
    }
    for (int u = first; rc == PS_OK && p != NULL && u < end; u += PS_PROB_UNITS_CHUNK) {
        rc = cli_check_interrupt(err);
        if (rc == PS_OK) { /* up to PS_PROB_UNITS_CHUNK units in one parallel region */
            rc = ps_prob_units(p, u, u + PS_PROB_UNITS_CHUNK < end ? u + PS_PROB_UNITS_CHUNK : end,
                               err);
        }
    }
    const int mpi = d != NULL && d->n_ranks > 1;
    if (d != NULL && d->n_ranks > 0) { /* rank 0 logs the largest share (bench_hpc.sh) */
        const double share[2] = { cli_now() - wall0,
                                  (double)(clock() - cpu0) / CLOCKS_PER_SEC };
        double most[2] = { 0.0, 0.0 };
        cli_mpi_max(most, share, 2);
        cli_log(d->quiet, "rank 0 computed its share in %.3f s; the largest share of a rank "
                "took %.3f s (%.3f s of CPU)", share[0], most[0], most[1]);
    }
    const double gq = cli_now(); /* rank 0: the end of its share */
    if (mpi) {
        if (rc != PS_OK && !cli_interrupted()) {
            ps_error_prepend(err, "%s: ", location);
        }
        rc = cli_mpi_agree(d, rc, err); /* every rank computed its share */
        if (rc == PS_OK) { /* rank 0's p is finished (the quantiles split over the ranks) */
            rc = cli_prob_gather_finish(p, o->keep, d, err);
        }
        if (rc == PS_OK && d->rank == 0) { /* scripts/bench_hpc.sh reads this line */
            cli_log(d->quiet, "rank 0 gathered and summarised the trajectories in %.3f s",
                    cli_now() - gq);
        }
    } else if (rc == PS_OK) {
        rc = ps_prob_finish(p, err);
    }
    if (rc == PS_OK && mpi && d->rank > 0) {
        ps_prob_free(p);
        p = NULL;
    }
    if (rc != PS_OK) {
        if (!mpi) {
            ps_error_prepend(err, "%s: ", location);
        }
        ps_prob_free(p);
        p = NULL;
    }
    ps_prob_bounds_release(&b);
    if (inputs_source != NULL) { /* which age pattern of fertility a variant took */
        snprintf(inputs_source, source_size, "%s", in.source != NULL ? in.source : "");
    }
    ps_inputs_release(&in);
    *out = p;
    return rc;
}

/*
 * Every country or area with intervals, in the files' order: the locations are shared out
 * over the threads (one thread each, dynamic schedule), which also runs their inputs and
 * e0 tables in parallel; each location's result depends only on its own data, so the file
 * is the same for any thread count. The first failure in file order is reported.
 */
static ps_status run_all(ps_prob **runs, char **labels, int *codes, int *n_out, const char *dir,
                         const ps_wpp_pi *pi, const cli_prob_opts *o, const ps_build_options *bo,
                         const cli_dist *d, ps_error *err)
{
    const int cap = ps_wpp_pi_count(pi);
    int n = 0;
    int *index = malloc((size_t)cap * sizeof *index);
    ps_error *errs = calloc((size_t)cap, sizeof *errs);
    ps_status *st = calloc((size_t)cap, sizeof *st);
    ps_status rc = PS_OK;
    if (index == NULL || errs == NULL || st == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < cap; ++i) {
        if (ps_wpp_pi_is_country(pi, i)) {
            index[n++] = i;
        }
    }
    cli_prob_opts one = *o;
    one.n_threads = 1;
    const int threads = o->n_threads > 0 ? o->n_threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int k = 0; k < n; ++k) {
        char code_text[16], name[128];
        if (!cli_prob_owns_location(k, d)) { /* under MPI: another rank's location */
            continue;
        }
        snprintf(code_text, sizeof code_text, "%d", ps_wpp_pi_code(pi, index[k]));
        ps_error_clear(&errs[k]);
        st[k] = run_location(&runs[k], name, sizeof name, &codes[k], NULL, 0, code_text, dir,
                             pi, &one, bo, NULL, &errs[k]);
        if (st[k] == PS_OK) {
            labels[k] = malloc(strlen(name) + 1);
            if (labels[k] == NULL) {
                st[k] = ps_error_set(&errs[k], PS_ENOMEM, "out of memory");
            } else {
                strcpy(labels[k], name);
            }
        }
    }
    for (int k = 0; k < n && rc == PS_OK; ++k) {
        if (st[k] != PS_OK) {
            *err = errs[k];
            rc = st[k];
        }
    }
done:
    *n_out = n;
    free(index);
    free(errs);
    free(st);
    return rc;
}

static void print_table(const ps_prob *p, const char *name)
{
    static const int years[] = { 2030, 2050, 2075, 2100 };
    const double *st = ps_prob_stats(p, PS_PROB_V_POP_TOTAL);
    printf("%s: total population, millions (1 July)\n", name);
    printf("  year     2.5%%      10%%   median      90%%    97.5%%\n");
    for (size_t k = 0; k < sizeof years / sizeof years[0]; ++k) {
        const int y = years[k] - ps_prob_start_year(p);
        if (y < 0 || y >= ps_prob_n_years(p)) {
            continue;
        }
        const double *s = st + (size_t)y * PS_PROB_N_STATS;
        printf("  %d %8.2f %8.2f %8.2f %8.2f %8.2f\n", years[k], s[0] / 1e6, s[1] / 1e6,
               s[2] / 1e6, s[3] / 1e6, s[4] / 1e6);
    }
}

int cli_run_prob(const cli_prob_opts *o, int argc, char **argv)
{
    char dir[PATH_MAX], root[PATH_MAX], cache_dir[PATH_MAX], out_path[PATH_MAX];
    ps_error err;
    ps_error_clear(&err);
    cli_dist dist; /* under MPI: this rank (prob_mpi.h) */
    cli_dist_init(&dist);
    cli_prob_opts rank_opts = *o;
    if (dist.rank > 0) { /* rank 0 logs and reports every rank's error */
        rank_opts.quiet = 1;
    }
    o = &rank_opts;
    dist.quiet = o->quiet;
    const int mpi = dist.n_ranks > 1, writes = dist.rank == 0;
    ps_build_options bo = { .wpp_dir = o->wpp_dir,
                            .project_root = cli_project_root(root, sizeof root),
                            .cache_dir = NULL };
    if (!o->no_cache && ps_wpp_default_cache_dir(cache_dir, sizeof cache_dir, NULL) == PS_OK) {
        bo.cache_dir = cache_dir;
    }
    cli_signals_install();
    const int all = strcmp(o->location, "all") == 0;
    ps_wpp_pi *pi = NULL;
    ps_prob **runs = NULL;
    char **labels = NULL;
    int *codes = NULL, n = 0;
    char group[128] = "", title[256] = "", inputs_source[384] = "";
    char *cmdline = cli_join_args(argc, argv);
    double t0 = cli_now();
    ps_status rc = ps_wpp_find_dir(dir, sizeof dir, o->wpp_dir, bo.project_root, &err);
    if (rc == PS_OK) {
        rc = ps_wpp_pi_load(&pi, dir, &err);
    }
    const int cap = rc == PS_OK ? (all ? ps_wpp_pi_count(pi) : 1) : 0;
    if (rc == PS_OK) {
        runs = calloc((size_t)cap, sizeof *runs);
        labels = calloc((size_t)cap, sizeof *labels);
        codes = calloc((size_t)cap, sizeof *codes);
        if (runs == NULL || labels == NULL || codes == NULL || cmdline == NULL) {
            rc = ps_error_set(&err, PS_ENOMEM, "out of memory");
        }
        cli_log(o->quiet, "UN WPP 2024 intervals read in %.3f s", cli_now() - t0);
    }
    if (mpi) {
        rc = cli_mpi_agree(&dist, rc, &err); /* every rank read the intervals */
    }
    if (rc == PS_OK && all) {
        rc = run_all(runs, labels, codes, &n, dir, pi, o, &bo, mpi ? &dist : NULL, &err);
        if (mpi) {
            rc = cli_mpi_agree(&dist, rc, &err); /* every rank projected its locations */
        }
        if (rc == PS_OK && mpi) {
            rc = cli_prob_gather_locations(runs, labels, codes, n, &dist, &err);
        }
    }
    for (int i = 0; rc == PS_OK && !all && i < cap; ++i) {
        char name[128];
        rc = run_location(&runs[n], name, sizeof name, &codes[n], inputs_source,
                          sizeof inputs_source, o->location, dir, pi, o, &bo,
                          dist.n_ranks > 0 ? &dist : NULL, &err);
        if (rc == PS_OK) {
            labels[n] = malloc(strlen(name) + 1);
            if (labels[n] == NULL) {
                rc = ps_error_set(&err, PS_ENOMEM, "out of memory");
            } else {
                strcpy(labels[n], name);
            }
            if (!all) {
                cli_group_name(group, sizeof group, name);
                snprintf(title, sizeof title, "%s: UN WPP 2024, %s", name,
                         o->variant == PS_PROB_VARIANT_LOW    ? "low variant"
                         : o->variant == PS_PROB_VARIANT_HIGH ? "high variant"
                                                              : "probabilistic projection");
            }
            ++n;
        }
    }
    if (rc == PS_OK && all) {
        snprintf(group, sizeof group, "all_locations");
        snprintf(title, sizeof title, "UN WPP 2024 countries and areas: probabilistic "
                 "projection");
    }
    if (rc == PS_OK && writes) {
        cli_log(o->quiet, "projected %d location%s x %d trajectories in %.3f s", n,
                n == 1 ? "" : "s", ps_prob_n_traj(runs[0]), cli_now() - t0);
        if (o->output != NULL) {
            snprintf(out_path, sizeof out_path, "%s", o->output);
        } else if (mkdir("output", 0755) != 0 && errno != EEXIST) {
            rc = ps_error_set(&err, PS_EIO, "cannot create folder 'output': %s", strerror(errno));
        } else {
            snprintf(out_path, sizeof out_path, "output/%s%s.h5", group,
                     o->variant == PS_PROB_VARIANT_LOW    ? "_low"
                     : o->variant == PS_PROB_VARIANT_HIGH ? "_high"
                                                          : "_prob");
        }
    }
    if (rc == PS_OK && writes) {
        char source[PATH_MAX + 512];
        if (o->variant == PS_PROB_VARIANT_NONE) {
            snprintf(source, sizeof source, "UN WPP 2024 (%s), medium inputs and intervals", dir);
        } else if (all) {
            snprintf(source, sizeof source, "UN WPP 2024 (%s), medium inputs, the %s variant's "
                     "TFR with its age pattern of fertility where the UN's method fits "
                     "(docs/model.md 9.9)", dir,
                     o->variant == PS_PROB_VARIANT_LOW ? "low" : "high");
        } else {
            snprintf(source, sizeof source, "UN WPP 2024 (%s): %s; the %s variant's TFR", dir,
                     inputs_source, o->variant == PS_PROB_VARIANT_LOW ? "low" : "high");
        }
        const ps_provenance prov = { .scenario_path = "", .scenario_sha256 = "",
                                     .command_line = cmdline, .data_source = source,
                                     .seed = o->seed, .threads = o->n_threads,
                                     .inputs = NULL, .n_inputs = 0,
                                     .mpi_ranks = dist.n_ranks };
        const ps_h5_prob_spec spec = { .group = group, .title = title,
                                       .dim = all ? "location" : "region",
                                       .labels = (const char *const *)labels,
                                       .codes = codes, .trajectories = o->keep && !all };
        cli_remove_stale_temps(out_path, o->quiet);
        const double tw = cli_now();
        rc = ps_h5_write_prob(out_path, (const ps_prob *const *)runs, n, &spec, &prov, &err);
        if (rc == PS_OK && mpi) { /* scripts/bench_hpc.sh reads this line */
            cli_log(o->quiet, "rank 0 wrote the file in %.3f s", cli_now() - tw);
        }
    }
    if (rc == PS_OK && writes) {
        cli_log(o->quiet, "wrote %s in %.3f s", out_path, cli_now() - t0);
        if (!o->quiet && !all) {
            print_table(runs[0], labels[0]);
        }
    }
    int status = CLI_EXIT_OK;
    if (rc != PS_OK && cli_interrupted()) {
        status = cli_interrupt_exit("no output file was written or changed");
    } else if (rc != PS_OK) {
        if (!dist.reported) {
            cli_print_error(&err);
        }
        status = CLI_EXIT_FAILURE;
    }
    cli_dist_release(&dist);
    for (int i = 0; i < n; ++i) {
        ps_prob_free(runs[i]);
        free(labels[i]);
    }
    free(runs);
    free(labels);
    free(codes);
    free(cmdline);
    ps_wpp_pi_free(pi);
    return status;
}

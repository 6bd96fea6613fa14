/*
 * cmd_info.c - `popsim info`: what a result file holds (scenarios, provenance, where each
 * input came from) and the summary table of each scenario, read back through the HDF5
 * reader; with --json the same as one JSON document (schema in docs/json.md).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "info_prob.h"
#include "popsim/h5out.h"

static void info_usage(FILE *out)
{
    fprintf(out,
            "usage: popsim info [--json] RESULT.h5\n"
            "\n"
            "Summarise a result file: provenance, where each input came from, scenarios and\n"
            "their key figures; of a probabilistic file (popsim run --trajectories) its\n"
            "locations, trajectories, seed, quantile levels and total population.\n"
            "\n"
            "options:\n"
            "      --json      one JSON document for scripts (schema: docs/json.md)\n"
            "  -h, --help      this text\n"
            "      --version   program version\n");
}

static const char *const prov_attrs[] = { "popsim_version", "git_commit", "created",
                                          "scenario_file", "scenario_sha256", "data_source",
                                          "command_line" };

/* The columns of /provenance, each of the same length (docs/output-format.md), in the order of
 * ps_file_provenance.inputs. */
typedef enum input_col { IN_KIND, IN_SOURCE, IN_DETAIL, IN_PATH, IN_SHA256, IN_COL_COUNT } input_col;
_Static_assert(IN_COL_COUNT == PS_PROVENANCE_COLUMNS, "one column per ps_input_source field");
static const char *const input_cols[IN_COL_COUNT] = { "kind", "source", "detail", "path",
                                                      "sha256" };

typedef struct input_table {
    char **col[IN_COL_COUNT];
    size_t n; /* rows; 0 for files written before /provenance existed */
} input_table;

static void input_table_release(input_table *t)
{
    for (int c = 0; c < IN_COL_COUNT; ++c) {
        for (size_t k = 0; t->col[c] != NULL && k < t->n; ++k) {
            free(t->col[c][k]);
        }
        free(t->col[c]);
        t->col[c] = NULL;
    }
    t->n = 0;
}

/* /provenance of the file, if it has one (ps_h5_read_provenance refuses columns of unequal
 * length); the table takes over its rows. */
static ps_status read_inputs(input_table *t, const char *path, ps_error *err)
{
    ps_file_provenance p;
    memset(t, 0, sizeof *t);
    ps_status rc = ps_h5_read_provenance(&p, path, err);
    if (rc == PS_OK) {
        for (int c = 0; c < IN_COL_COUNT; ++c) {
            t->col[c] = p.inputs[c];
            p.inputs[c] = NULL;
        }
        t->n = (size_t)p.n_inputs;
    }
    ps_file_provenance_release(&p);
    return rc;
}

static void print_provenance(const char *path, const input_table *in)
{
    cli_put_text(stdout, path);
    putchar('\n');
    for (size_t i = 0; i < sizeof prov_attrs / sizeof prov_attrs[0]; ++i) {
        char value[1024];
        if (ps_h5_read_attr(value, sizeof value, path, prov_attrs[i], NULL) == PS_OK && value[0]) {
            printf("  %-16s ", prov_attrs[i]);
            cli_put_text(stdout, value);
            putchar('\n');
        }
    }
    char fit[1024]; /* issue #12: the base parity's fit, in files of runs with targets */
    if (ps_h5_read_attr(fit, sizeof fit, path, "parity_fit", NULL) == PS_OK && fit[0]) {
        printf("  %-16s ", "parity_fit");
        cli_put_text(stdout, fit);
        putchar('\n');
    }
    if (in->n > 0) {
        printf("inputs:\n");
    }
    for (size_t k = 0; k < in->n; ++k) {
        const char *source = in->col[IN_SOURCE][k], *detail = in->col[IN_DETAIL][k];
        /* "UN WPP 2024 medium variant, China (M49 156)" says its source already. */
        const int says_source = strncmp(detail, source, strlen(source)) == 0;
        printf("  %-22s ", in->col[IN_KIND][k]);
        cli_put_text(stdout, says_source ? detail : source);
        const char *extra[] = { says_source ? "" : detail, in->col[IN_PATH][k] };
        for (size_t e = 0; e < sizeof extra / sizeof extra[0]; ++e) {
            if (extra[e][0] != '\0') {
                fputs(e == 0 ? ": " : " ", stdout);
                cli_put_text(stdout, extra[e]);
            }
        }
        if (in->col[IN_SHA256][k][0] != '\0') {
            fputs(" (SHA-256 ", stdout);
            cli_put_text(stdout, in->col[IN_SHA256][k]);
            fputc(')', stdout);
        }
        putchar('\n');
    }
}

/* ---- --json ------------------------------------------------------------------------------- */

static void json_provenance(cli_json *j, const char *path, const input_table *in)
{
    cli_json_begin_object(j, "provenance");
    for (size_t i = 0; i < sizeof prov_attrs / sizeof prov_attrs[0]; ++i) {
        char value[4096];
        if (ps_h5_read_attr(value, sizeof value, path, prov_attrs[i], NULL) == PS_OK) {
            cli_json_string(j, prov_attrs[i], value);
        } else {
            cli_json_string(j, prov_attrs[i], NULL);
        }
    }
    cli_json_end_object(j);
    cli_json_begin_array(j, "inputs");
    for (size_t k = 0; k < in->n; ++k) {
        cli_json_begin_object(j, NULL);
        for (int c = 0; c < IN_COL_COUNT; ++c) {
            cli_json_string(j, input_cols[c], in->col[c][k]);
        }
        cli_json_end_object(j);
    }
    cli_json_end_array(j);
}

/* One region's (reg >= 0) or all regions' (reg < 0) series of a scenario into buf[n_years]. */
typedef enum info_series { SER_POPULATION, SER_BIRTHS, SER_TFR } info_series;

static void series(double *buf, const ps_result *r, int reg, info_series what)
{
    for (int y = 0; y < r->n_years; ++y) {
        double sum = 0.0;
        for (int g = reg < 0 ? 0 : reg; g < (reg < 0 ? r->n_regions : reg + 1); ++g) {
            for (int sex = 0; sex < PS_SEX_COUNT && what != SER_TFR; ++sex) {
                if (what == SER_BIRTHS) {
                    sum += r->births[ps_result_sexcell(r, y, g, sex)];
                }
                for (int age = 0; age < r->n_ages && what == SER_POPULATION; ++age) {
                    sum += r->population[ps_result_cell(r, y, g, sex, age)];
                }
            }
            if (what == SER_TFR) {
                sum += r->tfr[ps_result_regcell(r, y, g)];
            }
        }
        buf[y] = sum;
    }
}

/* The jump-off calibration's factor of every year that has one other than 1 (issue #12). */
static void print_calibration(const ps_result *r)
{
    if (r->fertility_calibration == NULL) {
        return;
    }
    printf("  fertility calibrated to observed births, ASFR factor by year:");
    for (int y = 0; y < r->n_years - 1; ++y) {
        if (r->fertility_calibration[y] != 1.0) {
            printf(" %d %.6f", r->start_year + y, r->fertility_calibration[y]);
        }
    }
    printf("\n");
}

static void json_scenario(cli_json *j, const ps_result *r, double *buf)
{
    cli_json_begin_object(j, NULL);
    cli_json_string(j, "name", r->name);
    cli_json_string(j, "title", r->title);
    cli_json_string(j, "baseline", r->baseline);
    cli_json_int(j, "start_year", r->start_year);
    cli_json_int(j, "end_year", r->start_year + r->n_years - 1);
    for (int y = 0; y < r->n_years; ++y) {
        buf[y] = r->start_year + y;
    }
    cli_json_numbers(j, "year", buf, r->n_years);
    series(buf, r, -1, SER_POPULATION);
    cli_json_numbers(j, "population", buf, r->n_years);
    series(buf, r, -1, SER_BIRTHS);
    cli_json_numbers(j, "births", buf, r->n_years);
    if (r->fertility_calibration != NULL) { /* issue #12 */
        cli_json_numbers(j, "fertility_calibration", r->fertility_calibration, r->n_years);
    }
    if (r->baseline != NULL) {
        cli_json_number(j, "births_gained_total", r->births_gained_total);
        cli_json_number(j, "cost_total", r->cost_total);
        cli_json_number(j, "cost_total_discounted", r->cost_total_discounted);
        cli_json_number(j, "cost_per_additional_birth", r->cost_per_additional_birth);
    }
    cli_json_begin_array(j, "regions");
    for (int reg = 0; reg < r->n_regions; ++reg) {
        cli_json_begin_object(j, NULL);
        cli_json_string(j, "name", r->region_names[reg]);
        series(buf, r, reg, SER_POPULATION);
        cli_json_numbers(j, "population", buf, r->n_years);
        series(buf, r, reg, SER_BIRTHS);
        cli_json_numbers(j, "births", buf, r->n_years);
        series(buf, r, reg, SER_TFR);
        cli_json_numbers(j, "tfr", buf, r->n_years);
        cli_json_end_object(j);
    }
    cli_json_end_array(j);
    cli_json_end_object(j);
}

/* The whole document; nothing is printed unless every scenario reads. */
static ps_status info_json(const char *path, char **names, int n, const input_table *in,
                           ps_error *err)
{
    ps_result *res = calloc((size_t)n + 1, sizeof *res);
    double *buf = NULL;
    int loaded = 0, max_years = 1;
    ps_status rc = res != NULL ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory");
    for (; rc == PS_OK && loaded < n; ++loaded) {
        rc = ps_h5_read(&res[loaded], path, names[loaded], err);
        if (rc != PS_OK) {
            break;
        }
        max_years = res[loaded].n_years > max_years ? res[loaded].n_years : max_years;
    }
    if (rc == PS_OK && (buf = malloc((size_t)max_years * sizeof *buf)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (rc == PS_OK) {
        cli_json j;
        cli_json_init(&j, stdout);
        cli_json_begin_object(&j, NULL);
        cli_json_string(&j, "schema", "popsim-info/1");
        cli_json_string(&j, "file", path);
        json_provenance(&j, path, in);
        cli_json_begin_array(&j, "scenarios");
        for (int k = 0; k < n; ++k) {
            json_scenario(&j, &res[k], buf);
        }
        cli_json_end_array(&j);
        cli_json_end_object(&j);
    }
    for (int k = 0; k < loaded; ++k) {
        ps_result_release(&res[k]);
    }
    free(buf);
    free(res);
    return rc;
}

/* A probabilistic file: provenance and inputs as for any file, then the run's facts. */
static int info_prob(const char *path, int json)
{
    ps_error err;
    ps_h5_prob_data d;
    input_table inputs;
    ps_error_clear(&err);
    memset(&inputs, 0, sizeof inputs);
    ps_status rc = ps_h5_prob_read(&d, path, &err);
    if (rc == PS_OK) {
        rc = read_inputs(&inputs, path, &err);
    }
    if (rc == PS_OK && json) {
        cli_json j;
        cli_json_init(&j, stdout);
        cli_json_begin_object(&j, NULL);
        cli_json_string(&j, "schema", "popsim-info/1");
        cli_json_string(&j, "file", path);
        json_provenance(&j, path, &inputs);
        cli_json_begin_array(&j, "scenarios");
        cli_json_end_array(&j);
        cli_info_prob_json(&j, &d);
        cli_json_end_object(&j);
    } else if (rc == PS_OK) {
        print_provenance(path, &inputs);
        cli_info_prob_text(stdout, &d);
    }
    ps_h5_prob_data_release(&d);
    input_table_release(&inputs);
    if (rc != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

int cli_cmd_info(int argc, char **argv)
{
    enum { OPT_VERSION = 256, OPT_JSON };
    static const struct option longopts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
    };
    int c, json = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == OPT_JSON) {
            json = 1;
            continue;
        }
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
    if (ps_h5_prob_present(path)) { /* a probabilistic file (issue #14; info_prob.c) */
        return info_prob(path, json);
    }
    char **names = NULL;
    int n = 0;
    input_table inputs;
    memset(&inputs, 0, sizeof inputs);
    ps_status rc = ps_h5_list(&names, &n, path, &err);
    if (rc == PS_OK) {
        rc = read_inputs(&inputs, path, &err);
    }
    if (rc == PS_OK && json) {
        rc = info_json(path, names, n, &inputs, &err);
    } else if (rc == PS_OK) {
        print_provenance(path, &inputs);
    }
    for (int i = 0; rc == PS_OK && !json && i < n; ++i) {
        ps_result res;
        rc = ps_h5_read(&res, path, names[i], &err);
        if (rc == PS_OK) {
            printf("\n");
            cli_print_summary(stdout, &res);
            print_calibration(&res);
            ps_result_release(&res);
        }
    }
    ps_h5_free_names(names, n);
    input_table_release(&inputs);
    if (rc != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

/*
 * cli.h - shared pieces of the popsim command line: exit codes, error and log printing,
 * the summary table, and one entry point per subcommand.
 */
#ifndef PS_CLI_H
#define PS_CLI_H

#include <stdio.h>

#include "popsim/error.h"
#include "popsim/h5out.h"
#include "popsim/h5read.h"
#include "popsim/memory.h"
#include "popsim/proj.h"
#include "popsim/result.h"
#include "popsim/scenario.h"

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAILURE = 1, CLI_EXIT_USAGE = 2 };

/* Subcommands: argc/argv start at the subcommand's name. Return an exit status. */
int cli_cmd_run(int argc, char **argv);
int cli_cmd_check(int argc, char **argv);
int cli_cmd_info(int argc, char **argv);
int cli_cmd_plot(int argc, char **argv);
int cli_cmd_report(int argc, char **argv);
int cli_cmd_compare(int argc, char **argv);
int cli_cmd_targets(int argc, char **argv);
int cli_cmd_init(int argc, char **argv);
int cli_cmd_export(int argc, char **argv);
int cli_cmd_merge(int argc, char **argv);
/* `popsim run` whose units come from part files (popsim merge; n_parts 0 = a plain run). */
int cli_cmd_run_parts(int argc, char **argv, char *const *parts, int n_parts);

/*
 * Text that came from a file (a scenario's title, a result file's names, titles, labels and
 * provenance, warnings quoting a scenario) reaches the terminal only through these two,
 * which escape what a terminal would interpret (ps_text_escape: C0, DEL, C1, bidi controls,
 * bytes that are not UTF-8). cli_text() is for names in a line or a column: it keeps up to
 * sizeof(cli_esc) - 1 bytes, cut at a whole character; cli_put_text() writes text whole.
 */
#define CLI_ESCAPED_MAX 4 /* bytes written for one byte of text at most ("\xHH") */
typedef struct cli_esc {
    char s[512];
} cli_esc;
const char *cli_text(cli_esc *buf, const char *text);
void cli_put_text(FILE *out, const char *text);

/* Print an error record compiler-style to stderr ("path:line:col: error: msg"). */
void cli_print_error(const ps_error *err);

/* Timestamped progress line on stderr (UTC), unless quiet. */
void cli_log(int quiet, const char *fmt, ...) PS_PRINTF(2, 3);

/**
 * The folder beside which ../shared/data/wpp2024 is looked for when neither --wpp-dir,
 * data.wpp_dir nor POPSIM_DATA_DIR names the WPP data: the nearest of the program's folder
 * and its ancestors (up to four levels, so build/popsim finds the project's root) that has
 * ../shared/data/wpp2024/locations.csv; NULL (meaning the current folder) when none has.
 * Decided at run time: no source path is compiled into the program.
 */
const char *cli_project_root(char *buf, size_t size);

/* Seconds since an arbitrary start (monotonic). */
double cli_now(void);

/* Read scenarios names[0..n-1] of the result file `path` (pick >= 0: only names[pick]) with
 * their services (ps_h5_read) into *out, a new array of *n_out results that the caller frees
 * with cli_free_results, also on failure (it holds the ones read). An error that names no
 * file is given `path`. @return PS_OK; PS_ENOMEM; what ps_h5_read returns */
ps_status cli_read_results(ps_result **out, int *n_out, const char *path, char *const *names,
                           int n, int pick, ps_error *err);

/* ps_result_release on res[0..n-1], then free(res); res may be NULL (n 0). */
void cli_free_results(ps_result *res, int n);

/* The table of totals, births, TFR, share 65+ and 0-2s for the planning years. */
void cli_print_summary(FILE *out, const ps_result *res);

/* Side-by-side table of a family's scenarios by year range: births, TFR, births gained,
 * cost and cost per additional birth. */
void cli_print_compare(FILE *out, const ps_result *res, int n);

/* The ledger part of compare (compare_ledger.c, issue #12): cost by payer over the year
 * ranges first[k]..last[k], each instrument's split, budget caps met or exceeded, and
 * first-generation births gained; nothing for scenarios without instruments. */
void cli_print_compare_ledger(FILE *out, const ps_result *res, int n, const int *first,
                              const int *last, int n_ranges);

/* Whole persons or places with thousands separators ("-1,234,567"), "-" for NaN; returns buf. */
const char *cli_fmt_count(char *buf, size_t size, double v);

/** 1 if the service has a capacity in some year and region (its capacity is not all NaN). */
int cli_service_has_capacity(const ps_result *r, const ps_svc_result *s);

/* The capacity target in words: "target 4.5 per 1,000 population", "no capacity target". */
const char *cli_service_target_text(char *buf, size_t size, const ps_result *r,
                                    const ps_svc_result *s);

/* "popsim" and the subcommand's argv joined by single spaces, each argument quoted for a
 * POSIX shell when it needs it (single quotes, ' as '\''), so that `eval` of the text runs the
 * same command with the same arguments and nothing else (issue #17). A new string owned by
 * the caller (free()), or NULL when out of memory. */
char *cli_join_args(int argc, char **argv);

/* `popsim compare` on a sweep's result (cmd_compare_sweep.c): ranking (the first `top`
 * points) and frontier, or the JSON document. Returns the exit code. */
int cli_compare_sweep(const char *path, int json, int top);

/* `popsim compare` on a probabilistic file (cmd_compare_prob.c, issue #14 sec. 2): each policy
 * variant's births gained and cost per additional birth with the 80 % interval. Exit code. */
int cli_compare_prob(const char *path, int json);

/* "20" -> 20 into *out: 0; anything but a whole number from 1 to 1000000: -1. */
int cli_parse_top(int *out, const char *text);

/* Print "popsim VERSION (commit)" to stdout. */
void cli_print_version(void);

/*
 * JSON output of `--json` (json.c, schema in docs/json.md). A writer holds its stream and,
 * per nesting level, whether a member was written yet. `key` is the member name inside an
 * object and NULL inside an array or at the top. NaN and infinities are written as null;
 * text is escaped and made valid UTF-8. Nesting deeper than CLI_JSON_DEPTH is a programmer
 * error (our documents use 5 levels).
 */
#define CLI_JSON_DEPTH 16
typedef struct cli_json {
    FILE *out;
    int depth;
    int first[CLI_JSON_DEPTH]; /* 1 until the level's first member is written */
} cli_json;

void cli_json_init(cli_json *j, FILE *out);
void cli_json_begin_object(cli_json *j, const char *key);
void cli_json_end_object(cli_json *j);
void cli_json_begin_array(cli_json *j, const char *key);
void cli_json_end_array(cli_json *j);
void cli_json_string(cli_json *j, const char *key, const char *value); /* NULL: null */
void cli_json_number(cli_json *j, const char *key, double value);
void cli_json_int(cli_json *j, const char *key, long long value);
void cli_json_bool(cli_json *j, const char *key, int value);
/* values[0..n-1] as one array on one line. */
void cli_json_numbers(cli_json *j, const char *key, const double *values, int n);

/* The response range of a variant (compare_range.c, issue #12): `value` as "value (low–high)"
 * from r->range (just the value without a range); the summary lines of `popsim compare`; the
 * "response_range" member of its --json scenario (nothing without a range). */
const char *cli_range_text(char *buf, size_t size, const ps_result *r, int measure,
                           double value);
void cli_print_compare_range(FILE *out, const ps_result *r);
void cli_json_compare_range(cli_json *j, const ps_result *r);
/* compare --json's ledger members of a scenario with instruments (compare_ledger.c, issue
 * #12): cost_by_payer(_discounted), budget_excess, first-generation gains, window cost per
 * birth (docs/json.md). */
void cli_json_compare_ledger(cli_json *j, const ps_result *r);

/*
 * Where each input of a run came from (provenance.c), for /provenance (ps_provenance.inputs),
 * `popsim info` and the report. Rows follow src/io/builder.c's choice per component: a file
 * named in the scenario (with the SHA-256 of its bytes), a value in the scenario, the UN WPP
 * location, or the builder's default. The rows borrow the scenario's paths: `scn` must
 * outlive `out`. A run without a scenario (--location) has every component from WPP.
 */
#define CLI_INPUT_DETAIL 160
#define CLI_INPUT_ROWS 12 /* the components of a run: population ... migration, at most 7,
                           * women by parity and births calibration (issue #12);
                           * then the services' stock files (issue #13) while rows are left */
typedef struct cli_input_row {
    char detail[CLI_INPUT_DETAIL];
    char sha256[65];
} cli_input_row;
typedef struct cli_inputs {
    ps_input_source sources[CLI_INPUT_ROWS]; /* n rows, pointing into rows[] and the scenario */
    cli_input_row rows[CLI_INPUT_ROWS];
    int n;
} cli_inputs;

/* scn NULL: a --location run. wpp_source: the WPP location and variant text (borrowed). */
void cli_inputs_provenance(cli_inputs *out, const ps_scenario *scn, const char *wpp_source);

/* A group name from a location name: lowercase letters, digits and '_' ("United States" ->
 * "united_states"; "location" when nothing is left). cmd_run.c */
void cli_group_name(char *out, size_t size, const char *text);

#endif /* PS_CLI_H */

/*
 * popsim/plot.h - charts and the HTML report from a result file.
 *
 * The module reads a result file once (ps_plot_load), decides which charts its contents
 * support (ps_plot_plan: a chart appears as soon as its data exist in the file), and writes
 * each chart as a NAME.dat + NAME.gp pair (ps_plot_write) that gnuplot turns into NAME.png,
 * .svg or .pdf. Running gnuplot is the caller's job (the CLI). ps_plot_report_write then
 * embeds the rendered PNGs and the key tables in one self-contained HTML page.
 *
 * Scenario text (names, titles, region names) is user input. It reaches a .gp file only
 * inside single-quoted gnuplot strings (ps_plot_gp_quote) and HTML only escaped
 * (ps_plot_html_escape). docs/charts.md describes every chart.
 */
#ifndef PS_PLOT_H
#define PS_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "popsim/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum ps_plot_lang { PS_PLOT_LANG_EN, PS_PLOT_LANG_ZH, PS_PLOT_LANG_COUNT } ps_plot_lang;

typedef enum ps_plot_format {
    PS_PLOT_FORMAT_PNG,
    PS_PLOT_FORMAT_SVG,
    PS_PLOT_FORMAT_PDF,
    PS_PLOT_FORMAT_COUNT
} ps_plot_format;

/* The kinds of chart, in the order they are planned and shown. */
typedef enum ps_plot_kind {
    PS_PLOT_PYRAMID,         /* per scenario: base year against the chosen year */
    PS_PLOT_PYRAMID_POLICY,  /* per policy scenario: its baseline against it, chosen year */
    PS_PLOT_BIRTHS_TFR,      /* all scenarios: births and TFR over time */
    PS_PLOT_BIRTHS_ORDER,    /* per scenario with births_by_order: births by birth order */
    PS_PLOT_CHILDCARE,       /* per scenario: childcare demand against capacity */
    PS_PLOT_ELDERLY,         /* per scenario with elderly-care services */
    PS_PLOT_DEPENDENCY,      /* all scenarios: young, old-age and total dependency ratios */
    PS_PLOT_POLICY_EFFECT,   /* all policy scenarios: births gained, cumulative cost */
    PS_PLOT_POLICY_COST,     /* all policy scenarios: cost per additional birth (bars) */
    PS_PLOT_FAN,             /* per scenario and variable with a quantile dimension */
    PS_PLOT_SWEEP_FRONTIER,  /* a sweep's file: births gained against cost, the frontier */
    PS_PLOT_CHILDCARE_DISTRICTS, /* per scenario with several regions: childcare gap, one
                                  * panel per region (issue #13) */
    PS_PLOT_ELDERLY_DISTRICTS,   /* per scenario with several regions: elderly beds, one
                                  * panel per region */
    PS_PLOT_KIND_COUNT
} ps_plot_kind;

/* Chart options; PS_PLOT_OPTIONS_INIT holds the defaults. */
typedef struct ps_plot_options {
    ps_plot_format format;
    ps_plot_lang lang;
    int width_px;     /* image width in pixels (PDF: 1/100 inch) */
    int height_px;    /* image height in pixels */
    int pyramid_year; /* calendar year compared with the base year; 0 = automatic */
} ps_plot_options;

#define PS_PLOT_OPTIONS_INIT                                                                     \
    { .format = PS_PLOT_FORMAT_PNG, .lang = PS_PLOT_LANG_EN, .width_px = 1200,                   \
      .height_px = 800, .pyramid_year = 0 }

/* Smallest and largest accepted image side, pixels. */
#define PS_PLOT_MIN_SIDE_PX 200
#define PS_PLOT_MAX_SIDE_PX 10000

/* One planned chart. */
typedef struct ps_plot_chart {
    ps_plot_kind kind;
    int scenario;   /* scenario index for per-scenario kinds, else -1 */
    int item;       /* quantile variable index for PS_PLOT_FAN, else -1 */
    char name[128]; /* file stem: [a-z0-9_-] only, unique within a plan */
} ps_plot_chart;

typedef struct ps_plot_set ps_plot_set; /* opaque: everything the charts need from one file */

/**
 * Read a result file: every scenario, and whatever policy, services, births-by-order and
 * quantile data it holds.
 * @param[out] out  set owned by the caller (ps_plot_free), NULL on failure
 * @return PS_OK; PS_EIO; PS_EHDF5 naming the malformed object; PS_ENOMEM
 */
ps_status ps_plot_load(ps_plot_set **out, const char *path, ps_error *err);

/**
 * Of a probabilistic file (issue #14; one scenario per location), chart and report location
 * `name` instead of the first one.
 * @return PS_OK; PS_EINVAL if the set is no probabilistic file or has no such location
 */
ps_status ps_plot_show_location(ps_plot_set *s, const char *name, ps_error *err);

/** Number of scenarios in the set, and the name of scenario k (borrowed). */
int ps_plot_n_scenarios(const ps_plot_set *s);
const char *ps_plot_scenario_name(const ps_plot_set *s, int k);

/**
 * The charts the file's contents support, in display order.
 * @param[out] charts_out  *n_out charts owned by the caller (free)
 * @return PS_OK; PS_ENOMEM
 */
ps_status ps_plot_plan(ps_plot_chart **charts_out, int *n_out, const ps_plot_set *s,
                       ps_error *err);

/**
 * Write DIR/NAME.dat and DIR/NAME.gp for one chart. The script names its image NAME.png
 * (.svg, .pdf) and refers to files by name, so `gnuplot NAME.gp` must run inside dir.
 * @return PS_OK; PS_EINVAL for options out of range; PS_EIO if a file cannot be written
 */
ps_status ps_plot_write(const ps_plot_set *s, const ps_plot_chart *chart, const char *dir,
                        const ps_plot_options *opt, ps_error *err);

/** File extension of a format without the dot ("png", "svg", "pdf"). */
const char *ps_plot_format_ext(ps_plot_format format);

/** Localised caption of a chart, e.g. "Population pyramid: baseline" (into buf). */
const char *ps_plot_chart_caption(char *buf, size_t size, const ps_plot_set *s,
                                  const ps_plot_chart *chart, ps_plot_lang lang);

/**
 * Write the self-contained HTML report: tables, then every chart as an embedded PNG read
 * from image_dir/NAME.png. The page is written to a temporary file beside `path` and
 * renamed over it, so a failure leaves any previous report intact.
 * @return PS_OK; PS_EIO if an image cannot be read or the page cannot be written; PS_ENOMEM
 */
ps_status ps_plot_report_write(const char *path, const ps_plot_set *s,
                               const ps_plot_chart *charts, int n_charts, const char *image_dir,
                               ps_plot_lang lang, ps_error *err);

void ps_plot_free(ps_plot_set *s); /* accepts NULL */

/* ---- text helpers (exposed for tests and for the CLI) ------------------------------------ */

/**
 * Quote user text as a single-quoted gnuplot string, including the quotes. Inside single
 * quotes gnuplot expands neither backslash escapes, backquote command substitution nor @
 * macros; a single quote is written twice, and line breaks and other control characters
 * become spaces so the string cannot end the command.
 * @return malloc'ed string the caller frees, or NULL when out of memory
 */
char *ps_plot_gp_quote(const char *text);

/** Escape & < > " ' for HTML text and attribute values; malloc'ed, NULL when out of memory. */
char *ps_plot_html_escape(const char *text);

/**
 * Standard base64 (RFC 4648, with padding) of n bytes.
 * @return malloc'ed NUL-terminated text the caller frees, or NULL when out of memory
 */
char *ps_plot_base64(const unsigned char *bytes, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* PS_PLOT_H */

/*
 * plot_int.h - what the plot module's files share: the in-memory picture of a result file
 * (ps_plot_set), the label table in English and Chinese, and the gnuplot/.dat writing context.
 * Library-internal: functions shared by the files of src/plot carry the ps_plot__ prefix.
 */
#ifndef PS_PLOT_INT_H
#define PS_PLOT_INT_H

#include <stdio.h>

#include "popsim/h5prob.h"
#include "popsim/plot.h"
#include "popsim/result.h"
#include "popsim/sweep.h"

/* Childcare spots per 1,000 total population that planners compare demand with: 4.5 is the
 * national target for 2025 in China's 14th Five-Year Plan, 5 the higher provincial target. */
#define PS_PLOT_SPOTS_PER1000_LOW 4.5
#define PS_PLOT_SPOTS_PER1000_HIGH 5.0
/* Age bands of the dependency ratios (completed years) and the childcare age band. */
#define PS_PLOT_CHILD_AGE_MAX 14
#define PS_PLOT_OLD_AGE_MIN 65
#define PS_PLOT_NURSERY_AGE_MAX 2
/* Women of reproductive age who weight regional TFRs into one figure. */
#define PS_PLOT_WOMEN_AGE_MIN 15
#define PS_PLOT_WOMEN_AGE_MAX 49
/* Dependency ratios are quoted per 100 persons of working age. */
#define PS_PLOT_PER_HUNDRED 100.0
/* Units of counts and money by language (issue #16): English charts count persons in
 * thousands and money in millions (cumulative cost) and thousands (per birth) of yuan;
 * Chinese ones in 万 (10^4) persons, 亿 (10^8) yuan and 万 yuan, as Chinese planning
 * documents and yearbooks do. */
#define PS_PLOT_PER_THOUSAND_UNIT 1.0e3
#define PS_PLOT_PER_WAN 1.0e4   /* 万 */
#define PS_PLOT_PER_MILLION 1.0e6
#define PS_PLOT_PER_YI 1.0e8    /* 亿 */
/* Persons per drawn unit of counts (1,000 or 10,000). */
double ps_plot__count_unit(ps_plot_lang lang);
/* Yuan per drawn unit of large sums (million or 亿) and of sums per person (thousand or 万). */
double ps_plot__money_unit(ps_plot_lang lang);
double ps_plot__money_small_unit(ps_plot_lang lang);
/* Default pyramid year when the file covers it: the planning horizon of most city plans. */
#define PS_PLOT_DEFAULT_PYRAMID_YEAR 2050
/* PDF sizes are given to gnuplot in inches; one inch per 100 "pixels" of the option. */
#define PS_PLOT_PDF_PX_PER_INCH 100.0
/* Matching a stored quantile level with a wanted one (levels are fractions in [0, 1]). */
#define PS_PLOT_QUANTILE_TOL 1e-6

/* The variables of a service group that the charts and the report use, summed over regions. */
typedef enum plot_svc_var {
    SVC_DEMAND,
    SVC_CAPACITY,
    SVC_SHORTAGE,
    SVC_SURPLUS,
    SVC_STAFF,
    SVC_COST,
    SVC_VAR_COUNT
} plot_svc_var;

/* The per-region series of a service group the district charts use (charts_district.c). */
typedef enum plot_svc_reg {
    SVC_REG_DEMAND,
    SVC_REG_CAPACITY,
    SVC_REG_SHORTAGE,
    SVC_REG_SURPLUS,
    SVC_REG_STOCK,
    SVC_REG_COUNT
} plot_svc_reg;

/* Quantile levels of a fan chart: 95 % band, 80 % band, median. */
typedef enum plot_fan_q { FAN_Q025, FAN_Q10, FAN_Q50, FAN_Q90, FAN_Q975, FAN_Q_COUNT } plot_fan_q;

typedef struct plot_instrument {
    char *name;
    double *recipients; /* [year] persons, all regions; NULL if absent */
    double *cost;       /* [year] yuan (nominal), all regions; NULL if absent */
} plot_instrument;

typedef struct plot_service {
    char *name;
    char *title;            /* the service's title, its name if the file has none */
    char *kind;             /* "childcare", "elderly", ... ("" if absent) */
    char *basis;            /* what the target counts per 1,000 of ("" if absent) */
    int basis_lo, basis_hi; /* basis "ages": the ages counted; -1 if absent, hi -1: open */
    double target_per_1000; /* spots or beds per 1,000 total population; NaN if none */
    double *var[SVC_VAR_COUNT]; /* [year], all regions; NULL where the file has none */
    double *reg[SVC_REG_COUNT]; /* [year][region] with several regions (issue #13); NULL
                                 * with one region or where the file has none */
} plot_service;

typedef struct plot_fan {
    char *var;              /* dataset name, e.g. "population_total_q" */
    char *units;            /* its `units` attribute, "" if none */
    char *title;            /* its `long_name` attribute, words for people; NULL if none */
    double *q[FAN_Q_COUNT]; /* [year] values at each level; NULL if the level is absent */
    int label;              /* plot_msg of the axis label of a probabilistic file's summary,
                             * -1: the stored name and units */
    int counts;             /* 1: persons, drawn in the language's count unit */
    double per;             /* drawn value = stored value * per (100 for ratios per 100) */
    /* Services under uncertainty (issue #14, sec. 2; load_prob.c): a fan not in the message
     * table has its axis label here by language, and a reference line drawn against it. */
    const char *const *text; /* [lang] axis label with units, or NULL (then label / var) */
    double *ref;             /* [year] e.g. the median target capacity; NULL if none; owned */
    const char *const *ref_text; /* [lang] the reference line's key entry */
} plot_fan;

typedef struct plot_scenario {
    ps_result res;
    char *baseline;        /* name of the scenario it is compared with, NULL if none */
    int baseline_idx;      /* index of that scenario in the set, -1 if absent from the file */
    int is_policy;         /* has a baseline attribute or a policy group */
    double births_gained;  /* attribute, persons; NaN if absent */
    double cost_per_birth; /* attribute, yuan; NaN if absent */
    int n_orders;
    int *orders;           /* birth order labels (1, 2, 3 = 3rd and higher) */
    double *births_order;  /* [year][order] births, all regions; NULL if absent */
    double *gained;        /* [year] policy/births_gained, all regions; NULL if absent */
    int n_instr;
    plot_instrument *instr;
    int n_svc;
    plot_service *svc;
    int n_fans;
    plot_fan *fans;
} plot_scenario;

/* Global attributes shown under "assumptions and data sources". */
typedef enum plot_prov {
    PROV_DATA_SOURCE,
    PROV_SCENARIO_FILE,
    PROV_SCENARIO_SHA256,
    PROV_POPSIM_VERSION,
    PROV_GIT_COMMIT,
    PROV_CREATED,
    PROV_COMMAND_LINE,
    PROV_COUNT
} plot_prov;

/* One row of /provenance: where an input came from (docs/output-format.md). */
typedef enum plot_input_col { INPUT_KIND, INPUT_SOURCE, INPUT_DETAIL, INPUT_PATH, INPUT_SHA256,
                              INPUT_COL_COUNT } plot_input_col;

struct ps_plot_set {
    char *path; /* the result file as given */
    int n_inputs;                    /* rows of /provenance; 0 for older files */
    char **inputs[INPUT_COL_COUNT];  /* [column][row] */
    int n_scn;
    plot_scenario *scn;
    char *prov[PROV_COUNT]; /* "" when the file lacks the attribute */
    ps_sweep_table sweep;   /* /sweep of a policy sweep (issue #15); n_points 0 without */
    int is_prob;            /* a probabilistic file (issue #14): one scenario per location,
                             * fans only (load_prob.c) */
    int shown;              /* with is_prob: the location charted and reported */
    ps_h5_prob_data prob;   /* with is_prob: the file's quantiles as read */
};

/* Message ids of the label table (text.c). */
typedef enum plot_msg {
    MSG_PYRAMID, MSG_PYRAMID_POLICY, MSG_BIRTHS_TFR, MSG_BIRTHS_ORDER, MSG_CHILDCARE,
    MSG_ELDERLY, MSG_DEPENDENCY, MSG_POLICY_EFFECT, MSG_POLICY_COST, MSG_FAN,
    MSG_MALE, MSG_FEMALE, MSG_AGE, MSG_YEAR, MSG_THOUSAND_PERSONS, MSG_BIRTHS_THOUSANDS,
    MSG_TFR_AXIS, MSG_ORDER_PREFIX, MSG_ORDER_SUFFIX, MSG_ORDER_OPEN,
    MSG_CHILDCARE_DEMAND, MSG_CHILDREN_0_2, MSG_SPOTS_PREFIX, MSG_SPOTS_SUFFIX,
    MSG_CAPACITY_FILE, MSG_TARGET_PREFIX, MSG_SHORTAGE, MSG_SURPLUS, MSG_SPOTS_AXIS,
    MSG_ELDERLY_AXIS, MSG_BEDS_CAPACITY, MSG_BEDS_TARGET, MSG_DEP_YOUNG, MSG_DEP_OLD,
    MSG_DEP_TOTAL, MSG_PER_100, MSG_BIRTHS_GAINED_AXIS, MSG_CUM_COST_AXIS,
    MSG_COST_PER_BIRTH_AXIS, MSG_MEDIAN, MSG_BAND_80, MSG_BAND_95, MSG_VS,
    MSG_REPORT_TITLE, MSG_CONTENTS, MSG_SUMMARY, MSG_PERIOD, MSG_POP_START, MSG_POP_END,
    MSG_BIRTHS_IN_PERIOD, MSG_MEAN_TFR, MSG_SHARE_65, MSG_AGED_0_2, MSG_TARGETS, MSG_SERVICE,
    MSG_CAPACITY, MSG_NEEDED, MSG_MET, MSG_MISSED, MSG_NO_TARGETS, MSG_SPOTS_NEEDED,
    MSG_POLICY_TABLE, MSG_BASELINE, MSG_BIRTHS_GAINED, MSG_TOTAL_COST, MSG_COST_PER_BIRTH,
    MSG_INSTRUMENT, MSG_RECIPIENTS, MSG_CHARTS, MSG_ASSUMPTIONS, MSG_SCENARIO,
    MSG_DATA_SOURCE, MSG_SCENARIO_FILE, MSG_SHA256, MSG_VERSION, MSG_COMMIT, MSG_CREATED,
    MSG_COMMAND, MSG_NOTE_TIMING, MSG_NOTE_SUMMARY, MSG_NOTE_CHILDCARE, MSG_NOTE_POLICY,
    MSG_NOTE_REGIONS, MSG_YEAR_SHORT, MSG_DEMAND,
    MSG_TARGET_STATUS, MSG_INPUTS, MSG_INPUT, MSG_SOURCE, MSG_DETAIL, MSG_PATHS, MSG_TFR_SHORT,
    MSG_E0_MALE, MSG_E0_FEMALE, MSG_NET_MIGRATION, MSG_SRB, MSG_FERT_CALIB, MSG_POLICIES, MSG_LEVER,
    MSG_AMOUNT, MSG_FIRST_YEAR_RECIPIENTS, MSG_NO_POLICIES, MSG_TARGET, MSG_NOTE_UNITS,
    MSG_FILE_SHA256, MSG_SWEEP_FRONTIER, MSG_SWEEP_POINTS, MSG_SWEEP_FRONTIER_LINE,
    MSG_SWEEP_COST_AXIS, MSG_SWEEP_BIRTHS_AXIS,
    MSG_CHILDCARE_DISTRICTS, MSG_ELDERLY_DISTRICTS, MSG_GAP_TARGET_LINE, MSG_GAP_STOCK_LINE,
    MSG_GAP_AXIS, MSG_RESIDENTS, MSG_BEDS_STOCK, MSG_REGIONS_SECTION, MSG_REGION,
    MSG_REGION_POPULATION, MSG_NOTE_DISTRICTS,
    MSG_PROB_POP, MSG_PROB_BIRTHS, MSG_PROB_TFR, MSG_PROB_E0_FEMALE, MSG_PROB_E0_MALE,
    MSG_PROB_DEP_OLD, MSG_PROB_SECTION, MSG_PROB_INTRO, MSG_PROB_CAVEAT, MSG_PROB_TABLE,
    MSG_PROB_VARIABLE, MSG_PROB_LOCATIONS,
    MSG_PROB_SHARE_65, /* the 65+ share fan (issue #14, sec. 2) */
    MSG_COUNT
} plot_msg;

/* Words for the identifiers the file stores (lever, input kind and source), in `lang`; the
 * identifier itself when the table has no entry. */
const char *ps_plot__word(const char *identifier, ps_plot_lang lang);

/* The label of `id` in `lang` (UTF-8, never NULL). */
const char *ps_plot__msg(plot_msg id, ps_plot_lang lang);

/* Write text with line breaks and control characters replaced by spaces (for # comments). */
void ps_plot__put_plain(FILE *out, const char *text);

/* Write text as a gnuplot single-quoted string body (no surrounding quotes). */
void ps_plot__put_gp_body(FILE *out, const char *text);

/* Write text escaped for HTML. */
void ps_plot__put_html(FILE *out, const char *text);

/* A scenario's title for people (its name when it has none), at most `max_chars` UTF-8
 * characters: longer titles end in "...". Into buf; returns buf. */
const char *ps_plot__scenario_label(char *buf, size_t size, const ps_result *r, int max_chars);

/* The target of a service in words, with its basis: "5 places per 1,000 residents", "30 beds
 * per 1,000 aged 60+"; "" without a per-1,000 target. Into buf; returns buf. */
const char *ps_plot__target_text(char *buf, size_t size, const plot_service *sv,
                                 ps_plot_lang lang);

/* A file-name-safe stem for user text: [a-z0-9_-], at most size-1 bytes, "x" if empty. */
void ps_plot__slug(char *buf, size_t size, const char *text);

/* ---- series derived from a scenario (load.c) ---------------------------------------------- */

/* Women-weighted mean TFR of all regions in the step from `year` (index), NaN if unknown. */
double ps_plot__tfr(const ps_result *r, int y);

/* Persons aged lo..hi (completed years, hi clipped to the open group) at year index y. */
double ps_plot__age_sum(const ps_result *r, int y, int lo, int hi);

/* Total cost of all instruments at year index y (yuan), NaN if no instrument has costs. */
double ps_plot__policy_cost(const plot_scenario *sc, int y);

/* The pyramid year for a scenario given the option value (0 = automatic). */
int ps_plot__pyramid_year(const ps_result *r, int wanted);

/* First service of `kind` prefix ("childcare", "elderly") at or after index from; -1 if none. */
int ps_plot__find_service(const plot_scenario *sc, const char *kind, int from);

/* ---- chart writers (charts_*.c) ----------------------------------------------------------- */

/* What every chart writer gets: the open .dat and .gp files and the chart's inputs. */
typedef struct plot_ctx {
    FILE *dat;
    FILE *gp;
    const ps_plot_set *s;
    const ps_plot_chart *chart;
    const ps_plot_options *opt;
    char dat_name[160]; /* NAME.dat as the script refers to it */
} plot_ctx;

typedef ps_status (*plot_writer)(plot_ctx *x, ps_error *err);

ps_status ps_plot__pyramid(plot_ctx *x, ps_error *err);
ps_status ps_plot__pyramid_policy(plot_ctx *x, ps_error *err);
ps_status ps_plot__births_tfr(plot_ctx *x, ps_error *err);
ps_status ps_plot__births_order(plot_ctx *x, ps_error *err);
ps_status ps_plot__dependency(plot_ctx *x, ps_error *err);
ps_status ps_plot__fan(plot_ctx *x, ps_error *err);
ps_status ps_plot__childcare(plot_ctx *x, ps_error *err);
ps_status ps_plot__elderly(plot_ctx *x, ps_error *err);
ps_status ps_plot__policy_effect(plot_ctx *x, ps_error *err);
ps_status ps_plot__policy_cost_bars(plot_ctx *x, ps_error *err);
ps_status ps_plot__sweep_frontier(plot_ctx *x, ps_error *err); /* charts_sweep.c */
ps_status ps_plot__childcare_districts(plot_ctx *x, ps_error *err);
ps_status ps_plot__elderly_districts(plot_ctx *x, ps_error *err);

/* ---- probabilistic files (load_prob.c, report_prob.c; issue #14) ------------------------ */
/* Fill the set from a probabilistic file: one scenario per location, its fans the file's
 * quantile summaries. @return PS_OK; what ps_h5_prob_read returns */
ps_status ps_plot__load_prob(ps_plot_set *s, const char *path, ps_error *err);
/* The report's "Probabilistic projection" section for the shown location. */
void ps_plot__report_prob(FILE *out, const ps_plot_set *s, ps_plot_lang lang);
/* Services under uncertainty (issue #14, sec. 2; load_prob_svc.c, report_prob_svc.c): the fan
 * of childcare demand against the median target capacity, and the P(shortage) table. */
ps_status ps_plot__load_prob_svc(plot_scenario *sc, const ps_h5_prob_data *d, int loc,
                                 ps_error *err);
void ps_plot__report_prob_svc(FILE *out, const ps_plot_set *s, ps_plot_lang lang);
/* Its table of policy variants (report_prob_policy.c, issue #14 sec. 2); nothing without. */
void ps_plot__report_prob_policy(FILE *out, const ps_plot_set *s, ps_plot_lang lang);

/* ---- districts (charts_district.c, issue #13) --------------------------------------------- */
/* Copy the (year, region) series of a service read by ps_h5_read into sv->reg (only with
 * several regions; absent datasets stay NULL). @return PS_OK; PS_ENOMEM */
ps_status ps_plot__load_regional(plot_service *sv, const ps_svc_result *s, const ps_result *r,
                                 ps_error *err);
/* The service a district chart of `kind` draws, -1 if none (one region, no regional data). */
int ps_plot__district_service(const plot_scenario *sc, ps_plot_kind kind);
/* 1 if some scenario of the set has several regions. */
int ps_plot__has_regions(const ps_plot_set *s);
/* The report's "By district" section (nothing with one region). */
void ps_plot__report_regions(FILE *out, const ps_plot_set *s, ps_plot_lang lang);
/* The report's "Who pays" section (report_ledger.c, issue #12): cost by payer, budget caps,
 * first-generation gains; nothing without a ledger split by payer. */
void ps_plot__report_ledger(FILE *out, const ps_plot_set *s, ps_plot_lang lang);

/* The response range (report_range.c, issue #12): the header and the cell of a figure's
 * low-high range (measure: a ps_range_measure, shown in `unit`); the presets' parameters with
 * their sources; the policies as stated (returns 0, writing nothing, for a file without
 * stated terms). ps_plot__put_scaled and ps_plot__put_count are report.c's number formats:
 * v / unit with one decimal, and whole numbers. */
void ps_plot__range_th(FILE *out, ps_plot_lang lang);
void ps_plot__range_cell(FILE *out, const ps_result *r, int measure, double unit,
                         ps_plot_lang lang);
void ps_plot__response_range(FILE *out, const ps_plot_set *s, ps_plot_lang lang);
int ps_plot__stated_policies(FILE *out, const ps_plot_set *s, ps_plot_lang lang);
void ps_plot__put_scaled(FILE *out, double v, double unit);
void ps_plot__put_count(FILE *out, double v); /* whole, with thousands separators */

/* Helpers for writers (gp.c). A "label" is a message followed by optional user text. */
void ps_plot__gp_quoted(plot_ctx *x, const char *msg_text, const char *sep, const char *user);
void ps_plot__gp_set_text(plot_ctx *x, const char *what, plot_msg id, const char *user);
void ps_plot__dat_value(plot_ctx *x, double v);
void ps_plot__dat_header(plot_ctx *x, const char *const *columns, int n);
/* Two-panel charts (births_tfr, policy_effect) with more than 5 series: both panels end at
 * the same right margin, so their x axes align, and the key of titles stands in one column
 * in the strip to the right, the first half of the series beside the top panel and the rest
 * beside the bottom one. Writes the settings and returns 1; returns 0 (nothing written) for
 * few series, whose key stays inside the top panel. */
int ps_plot__key_beside(plot_ctx *x, int n_series);

/* Characters of a scenario title in a chart key or on a bar (longer titles end in "..."). */
#define PS_PLOT_KEY_CHARS 48
/* Plot-series title: `title '<user text>'` of scenario k, its title (else its name). */
void ps_plot__gp_key_scenario(plot_ctx *x, int k);

#endif /* PS_PLOT_INT_H */

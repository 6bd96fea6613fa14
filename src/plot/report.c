/*
 * report.c - one self-contained HTML page for decision makers: summary by period, childcare
 * spots implied by the planning standards, targets met or missed, policy costs, every chart
 * (PNG embedded as a base64 data: URI), and the assumptions and data sources.
 *
 * The page has no script and no external resource, so it opens offline, can be mailed as one
 * file, and prints. All user text passes through ps_plot__put_html. The page is written to an
 * exclusively created temporary and renamed over `path` (popsim/outfile.h), so a failed run
 * leaves a previous report intact.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot_int.h"
#include "popsim/outfile.h"
#include "popsim/policy.h"
#include "popsim/range.h"
#include "popsim/units.h"
#include "popsim/version.h"

/* Period boundaries of the summary: every 5 years for the first 25 years, then every 10. */
#define REPORT_NEAR_STEP 5
#define REPORT_NEAR_YEARS 25
#define REPORT_FAR_STEP 10
/* The 8 bytes every PNG file starts with (PNG specification, section 5.2). */
static const unsigned char png_signature[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

static const char style_sheet[] =
    "body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;max-width:1100px;margin:2em "
    "auto;padding:0 1em;color:#222;line-height:1.45}"
    "h1{border-bottom:3px solid #0072B2;padding-bottom:.3em}h2{margin-top:2em;color:#0072B2}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em;font-size:.92em}"
    "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}"
    "th{background:#eef4fa}td.t,th.t{text-align:left}"
    ".met{color:#007a4d;font-weight:bold}.missed{color:#b8420f;font-weight:bold}"
    "figure{margin:1.5em 0;page-break-inside:avoid}img{max-width:100%;height:auto;"
    "border:1px solid #ddd}figcaption{font-size:.9em;color:#555}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:.3em 1em}dt{font-weight:bold}"
    "dd{margin:0;word-break:break-all}td.sha{font-family:monospace;font-size:.8em;"
    "word-break:break-all}";

static const char *msg(plot_msg id, ps_plot_lang lang)
{
    return ps_plot__msg(id, lang);
}

/* Whole numbers with thousands separators, "-" when missing. */
static void put_count(FILE *out, double v)
{
    enum { GROUP = 3 };
    char digits[64];
    if (!isfinite(v)) {
        fputs("-", out);
        return;
    }
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    size_t n = strlen(digits);
    if (v <= -0.5) {
        fputc('-', out);
    }
    for (size_t i = 0; i < n; ++i) {
        fputc(digits[i], out);
        if ((n - i - 1) % GROUP == 0 && i + 1 < n) {
            fputc(',', out);
        }
    }
}

/* v / unit with one decimal (as printf's "%.1f" rounds) and thousands separators
 * ("2,115.2"), "-" when missing. */
static void put_scaled(FILE *out, double v, double unit)
{
    char text[64];
    if (!isfinite(v)) {
        fputs("-", out);
        return;
    }
    snprintf(text, sizeof text, "%.1f", fabs(v) / unit);
    char *dot = strchr(text, '.');
    if (v < 0.0 && strspn(text, "0.") != strlen(text)) {
        fputc('-', out);
    }
    *dot = '\0';
    put_count(out, strtod(text, NULL));
    fprintf(out, ".%s", dot + 1);
}

void ps_plot__put_scaled(FILE *out, double v, double unit)
{
    put_scaled(out, v, unit);
}

void ps_plot__put_count(FILE *out, double v)
{
    put_count(out, v);
}

/* A count in the report's unit: thousands (English) or 万 (Chinese). */
static void put_cell_persons(FILE *out, double v, ps_plot_lang lang)
{
    fputs("<td>", out);
    put_scaled(out, v, ps_plot__count_unit(lang));
    fputs("</td>", out);
}

static void put_cell_money(FILE *out, double yuan, double unit)
{
    fputs("<td>", out);
    put_scaled(out, yuan, unit);
    fputs("</td>", out);
}

/* A scenario's title for people (its name when it has none). */
static void put_scenario_title(FILE *out, const ps_result *r)
{
    ps_plot__put_html(out, r->title != NULL && r->title[0] != '\0' ? r->title : r->name);
}

static void put_th(FILE *out, plot_msg id, ps_plot_lang lang, int text_col)
{
    fprintf(out, "<th%s>", text_col ? " class=\"t\"" : "");
    ps_plot__put_html(out, msg(id, lang));
    fputs("</th>", out);
}

/* Next period boundary after `year`, never past `last`. */
static int next_boundary(int year, int start, int last)
{
    int step = year < start + REPORT_NEAR_YEARS ? REPORT_NEAR_STEP : REPORT_FAR_STEP;
    int next = (year / step + 1) * step;
    return next < last ? next : last;
}

static void summary_row(FILE *out, const ps_result *r, int from, int to, ps_plot_lang lang)
{
    int y0 = from - r->start_year, y1 = to - r->start_year;
    double births = 0.0, tfr = 0.0;
    for (int y = y0; y < y1; ++y) {
        births += ps_result_births(r, r->start_year + y);
        tfr += ps_plot__tfr(r, y);
    }
    double pop_end = ps_result_total(r, to);
    double old = ps_plot__age_sum(r, y1, PS_PLOT_OLD_AGE_MIN, r->n_ages) / pop_end;
    fprintf(out, "<tr><td class=\"t\">%d&ndash;%d</td>", from, to);
    put_cell_persons(out, ps_result_total(r, from), lang);
    put_cell_persons(out, pop_end, lang);
    put_cell_persons(out, births, lang);
    fprintf(out, "<td>%.2f</td><td>%.1f%%</td>", tfr / (y1 - y0), PS_PLOT_PER_HUNDRED * old);
    put_cell_persons(out, ps_plot__age_sum(r, y1, 0, PS_PLOT_NURSERY_AGE_MAX), lang);
    fputs("</tr>\n", out);
}

static void scenario_heading(FILE *out, const ps_result *r)
{
    fputs("<h3>", out);
    put_scenario_title(out, r);
    fputs("</h3>\n", out);
}

static void write_summary(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    static const plot_msg cols[] = { MSG_PERIOD, MSG_POP_START, MSG_POP_END,
                                     MSG_BIRTHS_IN_PERIOD, MSG_MEAN_TFR, MSG_SHARE_65,
                                     MSG_AGED_0_2 };
    fputs("<section id=\"summary\"><h2>", out);
    ps_plot__put_html(out, msg(MSG_SUMMARY, lang));
    fputs("</h2>\n<p>", out);
    ps_plot__put_html(out, msg(MSG_NOTE_SUMMARY, lang));
    fputs("</p>\n", out);
    for (int k = 0; k < s->n_scn; ++k) {
        const ps_result *r = &s->scn[k].res;
        int last = r->start_year + r->n_years - 1;
        scenario_heading(out, r);
        fputs("<table class=\"summary\"><tr>", out);
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; ++c) {
            put_th(out, cols[c], lang, c == 0);
        }
        fputs("</tr>\n", out);
        for (int from = r->start_year; from < last; from = next_boundary(from, r->start_year, last)) {
            summary_row(out, r, from, next_boundary(from, r->start_year, last), lang);
        }
        fputs("</table>\n", out);
    }
    fputs("</section>\n", out);
}

/* Childcare spots implied by the standards at the period boundaries of one scenario. */
static void spots_table(FILE *out, const plot_scenario *sc, ps_plot_lang lang)
{
    const ps_result *r = &sc->res;
    int last = r->start_year + r->n_years - 1;
    int svc = ps_plot__find_service(sc, "childcare", 0);
    const double *demand = svc >= 0 ? sc->svc[svc].var[SVC_DEMAND] : NULL;
    scenario_heading(out, r);
    fputs("<table class=\"spots\"><tr>", out);
    put_th(out, MSG_YEAR_SHORT, lang, 1);
    put_th(out, MSG_AGED_0_2, lang, 0);
    for (int k = 0; k < 2; ++k) {
        fputs("<th>", out);
        ps_plot__put_html(out, msg(MSG_SPOTS_PREFIX, lang));
        fprintf(out, "%g", k == 0 ? PS_PLOT_SPOTS_PER1000_LOW : PS_PLOT_SPOTS_PER1000_HIGH);
        ps_plot__put_html(out, msg(MSG_SPOTS_SUFFIX, lang));
        ps_plot__put_html(out, lang == PS_PLOT_LANG_ZH ? "（万个）" : " (thousands)");
        fputs("</th>", out);
    }
    put_th(out, MSG_DEMAND, lang, 0);
    fputs("</tr>\n", out);
    for (int year = r->start_year; year <= last;
         year = year == last ? last + 1 : next_boundary(year, r->start_year, last)) {
        int y = year - r->start_year;
        double pop = ps_result_total(r, year);
        fprintf(out, "<tr><td class=\"t\">%d</td>", year);
        put_cell_persons(out, ps_plot__age_sum(r, y, 0, PS_PLOT_NURSERY_AGE_MAX), lang);
        put_cell_persons(out, PS_PLOT_SPOTS_PER1000_LOW * pop / PS_PER_THOUSAND, lang);
        put_cell_persons(out, PS_PLOT_SPOTS_PER1000_HIGH * pop / PS_PER_THOUSAND, lang);
        put_cell_persons(out, demand != NULL ? demand[y] : NAN, lang);
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* Rows of one service with a capacity target: the places at the target against the places
 * its demand needs (capacity - surplus + shortage = demand / occupancy), met or missed. */
static void target_rows(FILE *out, const plot_scenario *sc, const plot_service *sv,
                        ps_plot_lang lang)
{
    const ps_result *r = &sc->res;
    int last = r->start_year + r->n_years - 1;
    for (int year = r->start_year; year <= last;
         year = year == last ? last + 1 : next_boundary(year, r->start_year, last)) {
        int y = year - r->start_year;
        double cap = sv->var[SVC_CAPACITY][y];
        double need = cap - sv->var[SVC_SURPLUS][y] + sv->var[SVC_SHORTAGE][y];
        int met = sv->var[SVC_SHORTAGE][y] < 0.5; /* less than half a place short */
        char target[160];
        fputs("<tr><td class=\"t\">", out);
        put_scenario_title(out, r);
        fputs("</td><td class=\"t\">", out);
        ps_plot__put_html(out, sv->title);
        fputs("</td><td class=\"t\">", out);
        ps_plot__put_html(out, ps_plot__target_text(target, sizeof target, sv, lang));
        fprintf(out, "</td><td class=\"t\">%d</td>", year);
        put_cell_persons(out, cap, lang);
        put_cell_persons(out, need, lang);
        fprintf(out, "<td class=\"t %s\">", isnan(need) ? "" : met ? "met" : "missed");
        ps_plot__put_html(out, isnan(need) ? "-" : msg(met ? MSG_MET : MSG_MISSED, lang));
        fputs("</td></tr>\n", out);
    }
}

static void write_targets(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    int rows = 0;
    fputs("<section id=\"targets\"><h2>", out);
    ps_plot__put_html(out, msg(MSG_TARGETS, lang));
    fputs("</h2>\n<table class=\"targets\"><tr>", out);
    put_th(out, MSG_SCENARIO, lang, 1);
    put_th(out, MSG_SERVICE, lang, 1);
    put_th(out, MSG_TARGET, lang, 1);
    put_th(out, MSG_YEAR_SHORT, lang, 1);
    put_th(out, MSG_CAPACITY, lang, 0);
    put_th(out, MSG_NEEDED, lang, 0);
    put_th(out, MSG_TARGET_STATUS, lang, 1);
    fputs("</tr>\n", out);
    for (int k = 0; k < s->n_scn; ++k) {
        for (int v = 0; v < s->scn[k].n_svc; ++v) {
            const plot_service *sv = &s->scn[k].svc[v];
            if (sv->var[SVC_CAPACITY] != NULL && sv->var[SVC_SURPLUS] != NULL &&
                sv->var[SVC_SHORTAGE] != NULL && !isnan(sv->var[SVC_CAPACITY][0])) {
                target_rows(out, &s->scn[k], sv, lang);
                ++rows;
            }
        }
    }
    fputs("</table>\n", out);
    if (rows == 0) {
        fputs("<p>", out);
        ps_plot__put_html(out, msg(MSG_NO_TARGETS, lang));
        fputs("</p>\n", out);
    }
    fputs("<h3>", out);
    ps_plot__put_html(out, msg(MSG_SPOTS_NEEDED, lang));
    fputs("</h3>\n<p>", out);
    ps_plot__put_html(out, msg(MSG_NOTE_CHILDCARE, lang));
    fputs("</p>\n", out);
    for (int k = 0; k < s->n_scn; ++k) {
        spots_table(out, &s->scn[k], lang);
    }
    fputs("</section>\n", out);
}

/* An instrument in words: its kind ("monthly child subsidy") and its name with spaces. */
static void put_instrument(FILE *out, const plot_scenario *sc, int i, ps_plot_lang lang)
{
    const char *name = sc->instr[i].name;
    for (int k = 0; k < sc->res.n_instruments; ++k) {
        if (strcmp(sc->res.ledger[k].name, name) == 0) {
            ps_plot__put_html(out, ps_plot__word(ps_lever_name(sc->res.ledger[k].lever), lang));
            fputs(": ", out);
        }
    }
    for (const char *p = name; *p; ++p) {
        if (*p == '_') {
            fputc(' ', out);
        } else {
            char one[2] = { *p, '\0' };
            ps_plot__put_html(out, one);
        }
    }
}

/* Sum of a per-year series, NaN if absent. */
static double series_total(const double *v, int n)
{
    double sum = NAN;
    for (int y = 0; v != NULL && y < n; ++y) {
        if (!isnan(v[y])) {
            sum = isnan(sum) ? v[y] : sum + v[y];
        }
    }
    return sum;
}

static void policy_row(FILE *out, const ps_plot_set *s, const plot_scenario *sc,
                       ps_plot_lang lang)
{
    double total = NAN;
    for (int y = 0; y < sc->res.n_years; ++y) {
        double c = ps_plot__policy_cost(sc, y);
        total = isnan(c) ? total : isnan(total) ? c : total + c;
    }
    fputs("<tr><td class=\"t\">", out);
    put_scenario_title(out, &sc->res);
    fputs("</td><td class=\"t\">", out);
    if (sc->baseline_idx >= 0) {
        put_scenario_title(out, &s->scn[sc->baseline_idx].res);
    } else {
        ps_plot__put_html(out, sc->baseline != NULL ? sc->baseline : "-");
    }
    fputs("</td>", out);
    put_cell_persons(out, sc->births_gained, lang);
    ps_plot__range_cell(out, &sc->res, PS_RANGE_BIRTHS_GAINED, ps_plot__count_unit(lang), lang);
    put_cell_money(out, total, ps_plot__money_unit(lang));
    put_cell_money(out, !isnan(sc->cost_per_birth) ? sc->cost_per_birth
                        : sc->births_gained > 0.0 ? total / sc->births_gained : NAN,
                   ps_plot__money_small_unit(lang));
    ps_plot__range_cell(out, &sc->res, PS_RANGE_COST_PER_BIRTH, ps_plot__money_small_unit(lang),
                        lang);
    fputs("</tr>\n", out);
}

static void write_policy(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    fputs("<section id=\"policy\"><h2>", out);
    ps_plot__put_html(out, msg(MSG_POLICY_TABLE, lang));
    fputs("</h2>\n<p>", out);
    ps_plot__put_html(out, msg(MSG_NOTE_POLICY, lang));
    fputs("</p>\n<table class=\"policy\"><tr>", out);
    put_th(out, MSG_SCENARIO, lang, 1);
    put_th(out, MSG_BASELINE, lang, 1);
    put_th(out, MSG_BIRTHS_GAINED, lang, 0);
    ps_plot__range_th(out, lang); /* issue #12 */
    put_th(out, MSG_TOTAL_COST, lang, 0);
    put_th(out, MSG_COST_PER_BIRTH, lang, 0);
    ps_plot__range_th(out, lang);
    fputs("</tr>\n", out);
    for (int k = 0; k < s->n_scn; ++k) {
        if (s->scn[k].is_policy) {
            policy_row(out, s, &s->scn[k], lang);
        }
    }
    fputs("</table>\n<table class=\"instruments\"><tr>", out);
    put_th(out, MSG_SCENARIO, lang, 1);
    put_th(out, MSG_INSTRUMENT, lang, 1);
    put_th(out, MSG_RECIPIENTS, lang, 0);
    put_th(out, MSG_TOTAL_COST, lang, 0);
    fputs("</tr>\n", out);
    for (int k = 0; k < s->n_scn; ++k) {
        for (int i = 0; i < s->scn[k].n_instr; ++i) {
            const plot_instrument *in = &s->scn[k].instr[i];
            fputs("<tr><td class=\"t\">", out);
            put_scenario_title(out, &s->scn[k].res);
            fputs("</td><td class=\"t\">", out);
            put_instrument(out, &s->scn[k], i, lang);
            fputs("</td>", out);
            put_cell_persons(out, series_total(in->recipients, s->scn[k].res.n_years), lang);
            put_cell_money(out, series_total(in->cost, s->scn[k].res.n_years),
                           ps_plot__money_unit(lang));
            fputs("</tr>\n", out);
        }
    }
    fputs("</table>\n</section>\n", out);
}

/* The bytes of a whole file into a new buffer; NULL if it cannot be read. */
static unsigned char *slurp(const char *path, size_t *n_out)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *buf = NULL;
    long len = -1;
    *n_out = 0;
    if (fp != NULL && fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) > 0 &&
        fseek(fp, 0, SEEK_SET) == 0 && (buf = malloc((size_t)len)) != NULL &&
        fread(buf, 1, (size_t)len, fp) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    if (fp != NULL) {
        fclose(fp);
    }
    if (buf != NULL) {
        *n_out = (size_t)len;
    }
    return buf;
}

/* One chart as a figure with its PNG embedded. */
static ps_status write_figure(FILE *out, const ps_plot_set *s, const ps_plot_chart *c,
                              const char *image_dir, ps_plot_lang lang, ps_error *err)
{
    char caption[512];
    size_t len = strlen(image_dir) + strlen(c->name) + sizeof "/.png";
    char *path = malloc(len), *b64 = NULL;
    unsigned char *png = NULL;
    size_t n = 0;
    ps_status rc = PS_OK;
    if (path == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    snprintf(path, len, "%s/%s.png", image_dir, c->name);
    if ((png = slurp(path, &n)) == NULL || n < sizeof png_signature ||
        memcmp(png, png_signature, sizeof png_signature) != 0) {
        rc = ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot read the chart as a PNG image");
    } else if ((b64 = ps_plot_base64(png, n)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory encoding '%s'", path);
    } else {
        ps_plot_chart_caption(caption, sizeof caption, s, c, lang);
        fprintf(out, "<figure id=\"chart-%s\" data-chart=\"%s\"><img src=\"data:image/png;base64,",
                c->name, c->name);
        fputs(b64, out);
        fputs("\" alt=\"", out);
        ps_plot__put_html(out, caption);
        fputs("\"><figcaption>", out);
        ps_plot__put_html(out, caption);
        fputs("</figcaption></figure>\n", out);
    }
    free(b64);
    free(png);
    free(path);
    return rc;
}

static int has_policy(const ps_plot_set *s)
{
    for (int k = 0; k < s->n_scn; ++k) {
        if (s->scn[k].is_policy) {
            return 1;
        }
    }
    return 0;
}

/* The table of /provenance: where each input came from, with the file's SHA-256. */
static void write_inputs(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    fputs("<h3>", out);
    ps_plot__put_html(out, msg(MSG_INPUTS, lang));
    fputs("</h3>\n", out);
    if (s->n_inputs == 0) { /* a file written before /provenance existed */
        fputs("<p>", out);
        ps_plot__put_html(out, msg(MSG_DATA_SOURCE, lang));
        fputs(": ", out);
        ps_plot__put_html(out, s->prov[PROV_DATA_SOURCE][0] ? s->prov[PROV_DATA_SOURCE] : "-");
        fputs("</p>\n", out);
        return;
    }
    fputs("<table class=\"inputs\"><tr>", out);
    put_th(out, MSG_INPUT, lang, 1);
    put_th(out, MSG_SOURCE, lang, 1);
    put_th(out, MSG_DETAIL, lang, 1);
    put_th(out, MSG_FILE_SHA256, lang, 1);
    fputs("</tr>\n", out);
    for (int k = 0; k < s->n_inputs; ++k) {
        const char *detail = s->inputs[INPUT_DETAIL][k], *path = s->inputs[INPUT_PATH][k];
        fputs("<tr><td class=\"t\">", out);
        ps_plot__put_html(out, ps_plot__word(s->inputs[INPUT_KIND][k], lang));
        fputs("</td><td class=\"t\">", out);
        ps_plot__put_html(out, ps_plot__word(s->inputs[INPUT_SOURCE][k], lang));
        fputs("</td><td class=\"t\">", out);
        ps_plot__put_html(out, path[0] ? path : detail[0] ? detail : "-");
        fputs("</td><td class=\"t sha\">", out);
        ps_plot__put_html(out, s->inputs[INPUT_SHA256][k][0] ? s->inputs[INPUT_SHA256][k] : "-");
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* Population-weighted life expectancy at birth of one sex over the regions, NaN if unknown. */
static double e0_at(const ps_result *r, int y, int sex)
{
    double sum = 0.0, weight = 0.0;
    for (int reg = 0; r->e0 != NULL && reg < r->n_regions; ++reg) {
        double pop = 0.0;
        for (int age = 0; age < r->n_ages; ++age) {
            pop += r->population[ps_result_cell(r, y, reg, sex, age)];
        }
        sum += pop * r->e0[ps_result_sexcell(r, y, reg, sex)];
        weight += pop;
    }
    return weight > 0.0 ? sum / weight : NAN;
}

/* Net migrants of the step from year index y, all regions, sexes and ages. */
static double net_migration_at(const ps_result *r, int y)
{
    double sum = 0.0;
    for (int reg = 0; r->net_migration != NULL && reg < r->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = 0; age < r->n_ages; ++age) {
                sum += r->net_migration[ps_result_cell(r, y, reg, sex, age)];
            }
        }
    }
    return r->net_migration != NULL ? sum : NAN;
}

/* Boys per 100 girls born in the step from year index y, all regions. */
static double srb_at(const ps_result *r, int y)
{
    double boys = 0.0, girls = 0.0;
    for (int reg = 0; reg < r->n_regions; ++reg) {
        boys += r->births[ps_result_sexcell(r, y, reg, PS_SEX_MALE)];
        girls += r->births[ps_result_sexcell(r, y, reg, PS_SEX_FEMALE)];
    }
    return girls > 0.0 ? PS_PLOT_PER_HUNDRED * boys / girls : NAN;
}

/*
 * The main assumptions of one scenario as the run applied them, read back from its results
 * (so they are what was projected, whatever file or default they came from): TFR, life
 * expectancy by sex, net migration and the sex ratio at birth, in the first step, five years
 * on, in 2050 and in the last step.
 */
static void paths_table(FILE *out, const ps_result *r, ps_plot_lang lang)
{
    enum { N_COLS = 4, STEP_YEARS = 5 };
    int years[N_COLS], n = 0;
    const int last_step = r->start_year + r->n_years - 2;
    const int wanted[N_COLS] = { r->start_year, r->start_year + STEP_YEARS,
                                 PS_PLOT_DEFAULT_PYRAMID_YEAR, last_step };
    for (int k = 0; k < N_COLS; ++k) {
        if (wanted[k] <= last_step && (n == 0 || wanted[k] > years[n - 1])) {
            years[n++] = wanted[k];
        }
    }
    scenario_heading(out, r);
    fputs("<table class=\"paths\"><tr>", out);
    put_th(out, MSG_YEAR_SHORT, lang, 1);
    for (int k = 0; k < n; ++k) {
        fprintf(out, "<th>%d</th>", years[k]);
    }
    fputs("</tr>\n", out);
    static const plot_msg rows[] = { MSG_TFR_SHORT, MSG_E0_MALE, MSG_E0_FEMALE,
                                     MSG_NET_MIGRATION, MSG_SRB };
    for (size_t row = 0; row < sizeof rows / sizeof rows[0]; ++row) {
        fputs("<tr><td class=\"t\">", out);
        ps_plot__put_html(out, msg(rows[row], lang));
        fputs("</td>", out);
        for (int k = 0; k < n; ++k) {
            const int y = years[k] - r->start_year;
            if (rows[row] == MSG_NET_MIGRATION) {
                put_cell_persons(out, net_migration_at(r, y), lang);
                continue;
            }
            double v = rows[row] == MSG_TFR_SHORT ? ps_plot__tfr(r, y)
                       : rows[row] == MSG_SRB     ? srb_at(r, y)
                                                  : e0_at(r, y, rows[row] == MSG_E0_MALE
                                                                    ? PS_SEX_MALE
                                                                    : PS_SEX_FEMALE);
            fprintf(out, isfinite(v) ? "<td>%.*f</td>" : "<td>-</td>",
                    rows[row] == MSG_TFR_SHORT ? 2 : 1, v);
        }
        fputs("</tr>\n", out);
    }
    if (r->fertility_calibration != NULL) { /* issue #12: the jump-off calibration */
        fputs("<tr><td class=\"t\">", out);
        ps_plot__put_html(out, msg(MSG_FERT_CALIB, lang));
        fputs("</td>", out);
        for (int k = 0; k < n; ++k) {
            fprintf(out, "<td>%.4f</td>", r->fertility_calibration[years[k] - r->start_year]);
        }
        fputs("</tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* First year index with recipients of an instrument, -1 if none. */
static int first_paid_year(const plot_instrument *in, int n_years)
{
    for (int y = 0; in->recipients != NULL && in->cost != NULL && y < n_years; ++y) {
        if (in->recipients[y] > 0.0 && isfinite(in->cost[y])) {
            return y;
        }
    }
    return -1;
}

/* Each instrument of each policy scenario: what it pays per recipient in its first year. */
static void policies_table(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    fputs("<h3>", out);
    ps_plot__put_html(out, msg(MSG_POLICIES, lang));
    fputs("</h3>\n", out);
    if (!has_policy(s)) {
        fputs("<p>", out);
        ps_plot__put_html(out, msg(MSG_NO_POLICIES, lang));
        fputs("</p>\n", out);
        return;
    }
    if (ps_plot__stated_policies(out, s, lang)) { /* as the scenario states them (#16) */
        return;
    }
    fputs("<table class=\"policies\"><tr>", out);
    put_th(out, MSG_SCENARIO, lang, 1);
    put_th(out, MSG_INSTRUMENT, lang, 1);
    put_th(out, MSG_YEAR_SHORT, lang, 1);
    put_th(out, MSG_FIRST_YEAR_RECIPIENTS, lang, 0);
    put_th(out, MSG_AMOUNT, lang, 0);
    fputs("</tr>\n", out);
    for (int k = 0; k < s->n_scn; ++k) {
        const plot_scenario *sc = &s->scn[k];
        for (int i = 0; i < sc->n_instr; ++i) {
            const plot_instrument *in = &sc->instr[i];
            int y = first_paid_year(in, sc->res.n_years);
            fputs("<tr><td class=\"t\">", out);
            put_scenario_title(out, &sc->res);
            fputs("</td><td class=\"t\">", out);
            put_instrument(out, sc, i, lang);
            fputs("</td>", out);
            if (y < 0) {
                fputs("<td class=\"t\">-</td><td>-</td><td>-</td></tr>\n", out);
                continue;
            }
            fprintf(out, "<td class=\"t\">%d</td>", sc->res.start_year + y);
            put_cell_persons(out, in->recipients[y], lang);
            fputs("<td>", out);
            put_count(out, in->cost[y] / in->recipients[y]);
            fputs("</td></tr>\n", out);
        }
    }
    fputs("</table>\n", out);
}

/* The page opens with what the numbers rest on (issue #16): where each input came from, the
 * main assumptions of each scenario, the policies and their amounts, then the conventions
 * and the file's provenance. */
static void write_assumptions(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    static const plot_msg labels[PROV_COUNT] = { MSG_DATA_SOURCE, MSG_SCENARIO_FILE, MSG_SHA256,
                                                 MSG_VERSION, MSG_COMMIT, MSG_CREATED,
                                                 MSG_COMMAND };
    static const plot_msg notes[] = { MSG_NOTE_UNITS, MSG_NOTE_TIMING, MSG_NOTE_REGIONS,
                                      MSG_NOTE_CHILDCARE, MSG_NOTE_POLICY };
    fputs("<section id=\"assumptions\"><h2>", out);
    ps_plot__put_html(out, msg(MSG_ASSUMPTIONS, lang));
    fputs("</h2>\n<ul>\n", out);
    for (size_t k = 0; k < sizeof notes / sizeof notes[0]; ++k) {
        fputs("<li>", out);
        ps_plot__put_html(out, msg(notes[k], lang));
        fputs("</li>\n", out);
    }
    fputs("</ul>\n", out);
    write_inputs(out, s, lang);
    fputs("<h3>", out);
    ps_plot__put_html(out, msg(MSG_PATHS, lang));
    fputs("</h3>\n", out);
    for (int k = 0; k < s->n_scn; ++k) {
        paths_table(out, &s->scn[k].res, lang);
    }
    policies_table(out, s, lang);
    ps_plot__response_range(out, s, lang); /* issue #12 */
    fputs("<dl>\n", out);
    for (int k = 0; k < PROV_COUNT; ++k) {
        fputs("<dt>", out);
        ps_plot__put_html(out, msg(labels[k], lang));
        fputs("</dt><dd>", out);
        ps_plot__put_html(out, s->prov[k][0] ? s->prov[k] : "-");
        fputs("</dd>\n", out);
    }
    fputs("</dl>\n</section>\n", out);
}


static void write_head(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    static const char *const html_lang[PS_PLOT_LANG_COUNT] = { "en", "zh-Hans" };
    const char *title = msg(MSG_REPORT_TITLE, lang);
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<meta name=\"generator\" content=\"popsim %s\">\n<title>",
            html_lang[lang], ps_version());
    ps_plot__put_html(out, title);
    fprintf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", style_sheet);
    ps_plot__put_html(out, title);
    fputs("</h1>\n<p class=\"scenarios\">", out);
    for (int k = 0; k < s->n_scn; ++k) {
        const ps_result *r = &s->scn[k].res;
        if (s->is_prob && k != s->shown) { /* a probabilistic file: the shown location */
            continue;
        }
        fputs(k > 0 && !s->is_prob ? "<br>" : "", out);
        fputs("<b>", out);
        put_scenario_title(out, r);
        fputs("</b>", out);
        fprintf(out, " (%d&ndash;%d)", r->start_year, r->start_year + r->n_years - 1);
    }
    fputs("</p>\n<nav><h2>", out);
    ps_plot__put_html(out, msg(MSG_CONTENTS, lang));
    fputs("</h2><ul>", out);
    static const struct { const char *id; plot_msg label; } toc[] = {
        { "assumptions", MSG_ASSUMPTIONS }, { "summary", MSG_SUMMARY },
        { "targets", MSG_TARGETS },         { "policy", MSG_POLICY_TABLE },
        { "charts", MSG_CHARTS },
    };
    if (s->is_prob) {
        fputs("<li><a href=\"#probabilistic\">", out);
        ps_plot__put_html(out, msg(MSG_PROB_SECTION, lang));
        fputs("</a></li>", out);
    }
    for (size_t k = 0; k < sizeof toc / sizeof toc[0]; ++k) {
        if (s->is_prob && toc[k].label != MSG_CHARTS) {
            continue;
        }
        if (toc[k].label == MSG_POLICY_TABLE && !has_policy(s)) {
            continue;
        }
        if (toc[k].label == MSG_CHARTS && ps_plot__has_regions(s)) {
            fputs("<li><a href=\"#regions\">", out); /* the section before the charts */
            ps_plot__put_html(out, msg(MSG_REGIONS_SECTION, lang));
            fputs("</a></li>", out);
        }
        fprintf(out, "<li><a href=\"#%s\">", toc[k].id);
        ps_plot__put_html(out, msg(toc[k].label, lang));
        fputs("</a></li>", out);
    }
    fputs("</ul></nav>\n", out);
}

static ps_status write_page(FILE *out, const ps_plot_set *s, const ps_plot_chart *charts,
                            int n_charts, const char *image_dir, ps_plot_lang lang,
                            ps_error *err)
{
    ps_status rc = PS_OK;
    write_head(out, s, lang);
    if (s->is_prob) { /* a probabilistic file (issue #14): its section, then the fans */
        ps_plot__report_prob(out, s, lang);
    } else {
        write_assumptions(out, s, lang);
        write_summary(out, s, lang);
        write_targets(out, s, lang);
        ps_plot__report_regions(out, s, lang);
    }
    if (has_policy(s)) {
        write_policy(out, s, lang);
        ps_plot__report_ledger(out, s, lang);
    }
    fputs("<section id=\"charts\"><h2>", out);
    ps_plot__put_html(out, msg(MSG_CHARTS, lang));
    fputs("</h2>\n", out);
    for (int k = 0; k < n_charts && rc == PS_OK; ++k) {
        rc = write_figure(out, s, &charts[k], image_dir, lang, err);
    }
    fputs("</section>\n", out);
    fputs("</body>\n</html>\n", out);
    return rc;
}

ps_status ps_plot_report_write(const char *path, const ps_plot_set *s,
                               const ps_plot_chart *charts, int n_charts, const char *image_dir,
                               ps_plot_lang lang, ps_error *err)
{
    ps_outfile *f = NULL;
    FILE *out = NULL;
    ps_status rc = ps_outfile_open(&f, path, err);
    if (rc != PS_OK) {
        return rc;
    }
    if ((out = ps_outfile_stream(f)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    } else {
        rc = write_page(out, s, charts, n_charts, image_dir, lang, err);
    }
    if (rc == PS_OK) {
        rc = ps_outfile_commit(f, err); /* reports a write error of the page (ENOSPC ...) */
        f = NULL;
    }
    ps_outfile_abort(f);
    return rc;
}

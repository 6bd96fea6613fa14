/*
 * report_prob.c - the report's section for a probabilistic file (issue #14, sec. 2): what
 * the intervals mean (docs/model.md sec. 9), the run's trajectories and seed, a table of the
 * stored quantiles of every summary at the planning years, and the caveats of sec. 9.5. The
 * table prints the values the fan charts draw (load_prob.c), in the same units.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot_int.h"

/* Planning years of Chinese city and provincial plans (five-year plans, 2035 modernisation
 * goals, mid-century and the end of the UN horizon); a year outside the file is skipped. */
static const int planning_years[] = { 2030, 2035, 2040, 2050, 2075, 2100 };

/* Decimals shown: counts in thousands or 万 and ratios per 100 with one, TFR with two. */
static int decimals(const plot_fan *fan)
{
    return fan->label == MSG_PROB_TFR ? 2 : 1;
}

/* v with `dec` decimals and thousands separators, "-" when missing. */
static void put_number(FILE *out, double v, int dec)
{
    enum { GROUP = 3 };
    char text[64];
    if (!isfinite(v)) {
        fputs("-", out);
        return;
    }
    snprintf(text, sizeof text, "%.*f", dec, v);
    const char *digits = text[0] == '-' ? text + 1 : text;
    const char *dot = strchr(digits, '.');
    size_t n = dot != NULL ? (size_t)(dot - digits) : strlen(digits);
    if (digits != text) {
        fputc('-', out);
    }
    for (size_t i = 0; i < n; ++i) {
        fputc(digits[i], out);
        if ((n - i - 1) % GROUP == 0 && i + 1 < n) {
            fputc(',', out);
        }
    }
    fputs(dot != NULL ? dot : "", out);
}

static void put_para(FILE *out, plot_msg id, ps_plot_lang lang)
{
    fputs("<p>", out);
    ps_plot__put_html(out, ps_plot__msg(id, lang));
    fputs("</p>\n", out);
}

/* Run facts: location, trajectories, seed, the stored levels, the process's persistences
 * (files that have them), the data source. */
static void put_facts(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    static const char *const key[][PS_PLOT_LANG_COUNT] = {
        { "Location", "地区" }, { "Trajectories", "轨迹数" }, { "Random seed", "随机种子" },
        { "Stored quantiles", "文件中的分位数" },
    };
    const ps_h5_prob_data *d = &s->prob;
    fputs("<dl class=\"prob-facts\">\n<dt>", out);
    ps_plot__put_html(out, key[0][lang]);
    fputs("</dt><dd>", out);
    ps_plot__put_html(out, s->scn[s->shown].res.name);
    if (d->n_loc > 1) {
        fprintf(out, " (%d / %d ", s->shown + 1, d->n_loc);
        ps_plot__put_html(out, ps_plot__msg(MSG_PROB_LOCATIONS, lang));
        fputs(")", out);
    }
    fprintf(out, "</dd>\n<dt>%s</dt><dd>%d</dd>\n<dt>%s</dt><dd>", key[1][lang],
            d->trajectories, key[2][lang]);
    if (d->seed >= 0) {
        fprintf(out, "%lld", d->seed);
    } else {
        fputs("-", out);
    }
    fprintf(out, "</dd>\n<dt>%s</dt><dd>", key[3][lang]);
    for (int q = 0; q < d->n_q; ++q) {
        fprintf(out, "%s%g", q > 0 ? ", " : "", d->levels[q]);
    }
    fputs("</dd>\n", out);
    if (d->process[0] != NULL) { /* the process the location's trajectories were drawn with */
        static const char *const proc_key[PS_PLOT_LANG_COUNT] = {
            "Persistence of TFR, e0 and net migration (docs/model.md 9.3)",
            "总和生育率、预期寿命和净国际迁移的持续性（docs/model.md 9.3）" };
        const double *v = d->process[0] + (size_t)s->shown * PS_PROB_PROC_COUNT;
        fputs("<dt>", out);
        ps_plot__put_html(out, proc_key[lang]);
        fprintf(out, "</dt><dd class=\"prob-persistence\">%.3g, %.3g, %.3g</dd>\n", v[0], v[1],
                v[2]);
    }
    fputs("<dt>", out);
    ps_plot__put_html(out, ps_plot__msg(MSG_DATA_SOURCE, lang));
    fputs("</dt><dd>", out);
    ps_plot__put_html(out, s->prov[PROV_DATA_SOURCE] != NULL && s->prov[PROV_DATA_SOURCE][0]
                               ? s->prov[PROV_DATA_SOURCE] : "-");
    fputs("</dd>\n<dt>", out);
    ps_plot__put_html(out, ps_plot__msg(MSG_COMMAND, lang));
    fputs("</dt><dd>", out);
    ps_plot__put_html(out, s->prov[PROV_COMMAND_LINE] != NULL && s->prov[PROV_COMMAND_LINE][0]
                               ? s->prov[PROV_COMMAND_LINE] : "-");
    fputs("</dd>\n</dl>\n", out);
}

/* One row per summary and planning year: the five levels as the chart draws them. */
static void quantile_table(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    static const char *const level_head[FAN_Q_COUNT] = { "2.5 %", "10 %", "50 %", "90 %",
                                                         "97.5 %" };
    const plot_scenario *sc = &s->scn[s->shown];
    const ps_result *r = &sc->res;
    fputs("<table class=\"prob-quantiles\">\n<tr><th class=\"t\">", out);
    ps_plot__put_html(out, ps_plot__msg(MSG_PROB_VARIABLE, lang));
    fputs("</th><th>", out);
    ps_plot__put_html(out, ps_plot__msg(MSG_YEAR, lang));
    fputs("</th>", out);
    for (int q = 0; q < FAN_Q_COUNT; ++q) {
        fprintf(out, "<th>%s</th>", level_head[q]);
    }
    fputs("</tr>\n", out);
    for (int f = 0; f < sc->n_fans; ++f) {
        const plot_fan *fan = &sc->fans[f];
        int first = 1;
        const double scale =
            fan->per / (fan->counts ? ps_plot__count_unit(lang) : 1.0);
        for (size_t k = 0; k < sizeof planning_years / sizeof planning_years[0]; ++k) {
            const int y = planning_years[k] - r->start_year;
            if (y < 0 || y >= r->n_years || fan->q[FAN_Q50] == NULL ||
                isnan(fan->q[FAN_Q50][y])) { /* flows of the last year are not stored */
                continue;
            }
            fputs("<tr><td class=\"t\">", out);
            if (first) { /* the summary once, on its first row */
                ps_plot__put_html(out, fan->text != NULL ? fan->text[lang]
                                       : fan->label >= 0 ? ps_plot__msg((plot_msg)fan->label, lang)
                                                         : fan->var);
                fputs(" <code>", out);
                ps_plot__put_html(out, fan->var);
                fputs("</code>", out);
                first = 0;
            }
            fprintf(out, "</td><td>%d</td>", planning_years[k]);
            for (int q = 0; q < FAN_Q_COUNT; ++q) {
                fputs("<td>", out);
                put_number(out, fan->q[q] != NULL ? fan->q[q][y] * scale : NAN,
                           decimals(fan));
                fputs("</td>", out);
            }
            fputs("</tr>\n", out);
        }
    }
    fputs("</table>\n", out);
}

void ps_plot__report_prob(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    if (!s->is_prob || s->n_scn < 1) {
        return;
    }
    fputs("<section id=\"probabilistic\"><h2>", out);
    ps_plot__put_html(out, ps_plot__msg(MSG_PROB_SECTION, lang));
    fputs("</h2>\n", out);
    put_para(out, MSG_PROB_INTRO, lang);
    put_facts(out, s, lang);
    fputs("<h3>", out);
    ps_plot__put_html(out, ps_plot__msg(MSG_PROB_TABLE, lang));
    fputs("</h3>\n", out);
    quantile_table(out, s, lang);
    ps_plot__report_prob_svc(out, s, lang);
    ps_plot__report_prob_policy(out, s, lang); /* policy variants (issue #14, sec. 2) */
    put_para(out, MSG_PROB_CAVEAT, lang);
    fputs("</section>\n", out);
}

/*
 * report_prob_svc.c - the services part of the report's probabilistic section (issue #14,
 * sec. 2; docs/services.md sec. 10): for each service of the file with a target, per planning
 * year, the median demand with its 80 % interval, the median target capacity and the chance
 * of a shortage (the share of trajectories whose places needed exceed the capacity), worded
 * as the likelier of a shortage or a surplus, as `popsim targets` words it.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot_int.h"

#define PERCENT 100.0

/* The planning years of the section (report_prob.c has the same list). */
static const int planning_years[] = { 2030, 2035, 2040, 2050, 2075, 2100 };

enum { T_HEAD, T_INTRO, T_SERVICE, T_YEAR, T_DEMAND, T_INTERVAL, T_CAPACITY, T_P, T_CHANCE,
       T_SHORT, T_SURPLUS, T_COUNT };

static const char *const text[T_COUNT][PS_PLOT_LANG_COUNT] = {
    [T_HEAD] = { "Services: chance of a shortage", "公共服务：缺口概率" },
    [T_INTRO] = { "Each trajectory has its own services, computed from its population by single "
                  "year of age. P(shortage) is the share of trajectories whose places needed "
                  "(demand / occupancy) exceed the target capacity in that year; demand and "
                  "capacity are medians over the trajectories, with the 80 % interval of demand "
                  "(10 % to 90 % quantile).",
                  "每条轨迹按其分年龄人口单独计算公共服务。缺口概率是当年所需托位（需求/入托率）"
                  "超过目标容量的轨迹所占比例；需求和容量为各轨迹的中位数，并给出需求的80%区间"
                  "（10%至90%分位数）。" },
    [T_SERVICE] = { "Service", "服务" },
    [T_YEAR] = { "Year", "年份" },
    [T_DEMAND] = { "Demand, median (persons)", "需求中位数（人）" },
    [T_INTERVAL] = { "80 % interval of demand", "需求80%区间" },
    [T_CAPACITY] = { "Target capacity, median (places)", "目标容量中位数（个）" },
    [T_P] = { "P(shortage)", "缺口概率" },
    [T_CHANCE] = { "In words", "解读" },
    /* after the percentage, e.g. "72 % chance of a surplus" */
    [T_SHORT] = { " % chance of a shortage", "% 的可能出现缺口" },
    [T_SURPLUS] = { " % chance of a surplus", "% 的可能有富余" },
};

static int col_of(const ps_h5_prob_data *d, double p)
{
    for (int q = 0; q < d->n_q; ++q) {
        if (fabs(d->levels[q] - p) <= PS_PLOT_QUANTILE_TOL) {
            return q;
        }
    }
    return -1;
}

static double value(const ps_h5_prob_data *d, ps_svc_prob_var v, int loc, int y, int k,
                    double level)
{
    const int col = col_of(d, level);
    if (d->svc_q[v] == NULL || col < 0) {
        return NAN;
    }
    return d->svc_q[v][(((size_t)loc * (size_t)d->n_years + (size_t)y) * (size_t)d->n_svc +
                        (size_t)k) * (size_t)d->n_q + (size_t)col];
}

static void put_cell(FILE *out, double v)
{
    if (isfinite(v)) {
        fprintf(out, "<td>%.0f</td>", v);
    } else {
        fputs("<td>-</td>", out);
    }
}

/* One planning year of service k; the service named on its first row only. */
static void put_row(FILE *out, const ps_h5_prob_data *d, int loc, int k, int y, int first,
                    ps_plot_lang lang)
{
    const double p = d->svc_p_shortage[((size_t)loc * (size_t)d->n_years + (size_t)y) *
                                           (size_t)d->n_svc + (size_t)k];
    fputs("<tr><td class=\"t\">", out);
    if (first) {
        ps_plot__put_html(out, d->svc_titles[k]);
        fputs(" <code>", out);
        ps_plot__put_html(out, d->svc_names[k]);
        fputs("</code>", out);
    }
    fprintf(out, "</td><td>%d</td>", d->start_year + y);
    put_cell(out, value(d, PS_SVC_PROB_DEMAND, loc, y, k, 0.5));
    fprintf(out, "<td>%.0f-%.0f</td>", value(d, PS_SVC_PROB_DEMAND, loc, y, k, 0.1),
            value(d, PS_SVC_PROB_DEMAND, loc, y, k, 0.9));
    put_cell(out, value(d, PS_SVC_PROB_CAPACITY, loc, y, k, 0.5));
    fprintf(out, "<td>%.0f %%</td><td>", PERCENT * p);
    fprintf(out, "%.0f", PERCENT * (p >= 0.5 ? p : 1.0 - p));
    ps_plot__put_html(out, text[p >= 0.5 ? T_SHORT : T_SURPLUS][lang]);
    fputs("</td></tr>\n", out);
}

void ps_plot__report_prob_svc(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    static const int head[] = { T_SERVICE, T_YEAR, T_DEMAND, T_INTERVAL, T_CAPACITY, T_P,
                                T_CHANCE };
    const ps_h5_prob_data *d = &s->prob;
    const int loc = s->shown;
    if (d->n_svc < 1 || d->svc_p_shortage == NULL) {
        return;
    }
    fputs("<h3>", out);
    ps_plot__put_html(out, text[T_HEAD][lang]);
    fputs("</h3>\n<p>", out);
    ps_plot__put_html(out, text[T_INTRO][lang]);
    fputs("</p>\n<table class=\"prob-services\">\n<tr>", out);
    for (size_t h = 0; h < sizeof head / sizeof head[0]; ++h) {
        fputs(h == 0 ? "<th class=\"t\">" : "<th>", out);
        ps_plot__put_html(out, text[head[h]][lang]);
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (int k = 0; k < d->n_svc; ++k) {
        int first = 1;
        for (size_t i = 0; i < sizeof planning_years / sizeof planning_years[0]; ++i) {
            const int y = planning_years[i] - d->start_year;
            if (y < 0 || y >= d->n_years ||
                isnan(d->svc_p_shortage[((size_t)loc * (size_t)d->n_years + (size_t)y) *
                                            (size_t)d->n_svc + (size_t)k])) {
                continue; /* outside the file, or a service without a target */
            }
            put_row(out, d, loc, k, y, first, lang);
            first = 0;
        }
    }
    fputs("</table>\n", out);
}

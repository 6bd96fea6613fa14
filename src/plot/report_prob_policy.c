/*
 * report_prob_policy.c - the policy variants of a probabilistic file in the report's
 * probabilistic section (issue #14, sec. 2; docs/model.md sec. 9.6): for each variant its
 * births gained over the horizon, total cost and cost per additional birth (nominal and
 * discounted) as the median with the 80 % interval, and the share of trajectories without
 * a gain. Both languages; the strings live here so the section's message table stays as is.
 */
#include <math.h>
#include <stdio.h>

#include "plot_int.h"

enum { Q10 = 1, Q50 = 2, Q90 = 3 }; /* the 10 %, 50 % and 90 % stats */

static const char *const txt[][PS_PLOT_LANG_COUNT] = {
    { "Policy variants under uncertainty", "不确定性下的政策方案" },
    { "Each variant runs on the same trajectories as the baseline (the same fertility, "
      "survival and migration draws, and the same drawn response to the policy, whose low "
      "and high presets are its 10 % and 90 % points), so births gained are the difference "
      "of two projections that share every random number. Median and 80 % interval (10 % "
      "to 90 % of the trajectories); a trajectory without a birth gained has no finite cost "
      "per birth (\"no gain\").",
      "每个方案与基准方案使用相同的轨迹（相同的生育、存活和迁移抽样，以及相同的政策响应抽样，"
      "其低、高预设分别为10%和90%分位点），因此增加的出生数是共享全部随机数的两次预测之差。"
      "表中为中位数及80%区间（轨迹的10%至90%）；没有增加出生的轨迹，每增加一个出生的成本"
      "不是有限值（“无增加”）。" },
    { "Variant", "方案" },
    { "Births gained", "增加的出生数" },
    { "Cost, million yuan", "成本（百万元）" },
    { "Yuan per additional birth", "每增加一个出生的成本（元）" },
    { "Discounted yuan per additional birth", "每增加一个出生的贴现成本（元）" },
    { "Trajectories without a gain", "无增加的轨迹比例" },
    { "no gain", "无增加" },
};
enum { T_HEAD, T_INTRO, T_VARIANT, T_GAINED, T_COST, T_CPB, T_CPB_DISC, T_NONE, T_NO_GAIN };

static void put_value(FILE *out, double v, double scale, ps_plot_lang lang)
{
    if (isinf(v)) {
        ps_plot__put_html(out, txt[T_NO_GAIN][lang]);
    } else if (isnan(v)) {
        fputs("-", out);
    } else {
        fprintf(out, "%.0f", v * scale);
    }
}

static void put_cell(FILE *out, const double *s, double scale, ps_plot_lang lang)
{
    fputs("<td>", out);
    if (isinf(s[Q10])) { /* no gain in 90 % of the trajectories or more */
        put_value(out, s[Q10], scale, lang);
        fputs("</td>", out);
        return;
    }
    put_value(out, s[Q50], scale, lang);
    fputs(" (", out);
    put_value(out, s[Q10], scale, lang);
    fputs("&ndash;", out);
    put_value(out, s[Q90], scale, lang);
    fputs(")</td>", out);
}

void ps_plot__report_prob_policy(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    static const double per_million = 1e-6;
    const ps_prob_pol_summary *p = &s->prob.policy;
    if (p->n_variants < 1) {
        return;
    }
    fputs("<h3>", out);
    ps_plot__put_html(out, txt[T_HEAD][lang]);
    fputs("</h3>\n<p>", out);
    ps_plot__put_html(out, txt[T_INTRO][lang]);
    fputs("</p>\n<table class=\"prob-policy\">\n<tr>", out);
    for (int k = T_VARIANT; k <= T_NONE; ++k) {
        fputs(k == T_VARIANT ? "<th class=\"t\">" : "<th>", out);
        ps_plot__put_html(out, txt[k][lang]);
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (int v = 0; v < p->n_variants; ++v) {
        const size_t at = (size_t)v * PS_PROB_N_STATS;
        fputs("<tr><td class=\"t\">", out);
        ps_plot__put_html(out, p->names[v]);
        fputs("</td>", out);
        put_cell(out, p->scalar[PS_PROB_POL_GAINED_TOTAL] + at, 1.0, lang);
        put_cell(out, p->scalar[PS_PROB_POL_COST] + at, per_million, lang);
        put_cell(out, p->scalar[PS_PROB_POL_CPB] + at, 1.0, lang);
        put_cell(out, p->scalar[PS_PROB_POL_CPB_DISCOUNTED] + at, 1.0, lang);
        fprintf(out, "<td>%.1f %%</td></tr>\n", 100.0 * p->no_gain[v]);
    }
    fputs("</table>\n", out);
}

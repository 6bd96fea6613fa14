/*
 * report_range.c - the response range in the report (issues #12 and #16): the low-high
 * range beside each figure of births gained and cost per additional birth, the response
 * parameters of the three presets with their sources (docs/policy.md sec. 6), and every
 * policy's terms as the scenario states them (read from policy/<instrument>/stated, never
 * recomputed as cost / recipients). Texts in English and Chinese are kept here, beside the
 * tables that use them.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plot_int.h"
#include "popsim/range.h"

#define PERCENT 100.0 /* shares are shown in per cent */

/* [en, zh] */
typedef const char *const text2[PS_PLOT_LANG_COUNT];

static const char *tr(text2 t, ps_plot_lang lang)
{
    return t[lang];
}

static void put_tr(FILE *out, text2 t, ps_plot_lang lang)
{
    ps_plot__put_html(out, tr(t, lang));
}

static void put_th_text(FILE *out, text2 t, ps_plot_lang lang, int text_col)
{
    fprintf(out, "<th%s>", text_col ? " class=\"t\"" : "");
    put_tr(out, t, lang);
    fputs("</th>", out);
}

/* ---- the range beside a figure ------------------------------------------------------------- */

static const text2 range_heading = { "Range (low\u2013high response)", "区间（低\u2013高响应）" };
static const text2 not_projected = { "not projected", "未测算" };
static const text2 no_birth = { "none gained", "无新增" };

void ps_plot__range_th(FILE *out, ps_plot_lang lang)
{
    put_th_text(out, range_heading, lang, 0);
}

/* One end: the value in `unit`, or "none gained" (cost per birth without births gained). */
static void put_end(FILE *out, double v, double unit, ps_plot_lang lang)
{
    if (isfinite(v)) {
        ps_plot__put_scaled(out, v, unit);
    } else {
        put_tr(out, no_birth, lang);
    }
}

void ps_plot__range_cell(FILE *out, const ps_result *r, int measure, double unit,
                         ps_plot_lang lang)
{
    const ps_policy_range *g = r->range;
    fputs("<td class=\"range\">", out);
    if (g == NULL || !g->compared) {
        fputs("-", out);
    } else if (!g->computed) {
        put_tr(out, not_projected, lang);
    } else {
        const double a = g->value[0][measure], b = g->value[PS_RANGE_PRESETS - 1][measure];
        const int both = isfinite(a) && isfinite(b);
        put_end(out, both ? fmin(a, b) : a, unit, lang); /* smaller first */
        fputs(" \u2013 ", out);
        put_end(out, both ? fmax(a, b) : b, unit, lang);
    }
    fputs("</td>", out);
}

/* ---- the response parameters of the presets ------------------------------------------------ */

typedef struct param_row {
    text2 label;
    size_t offset; /* of the double in ps_response */
    text2 source;
} param_row;

static const param_row param_rows[] = {
    { { "Cash: % more births per 1 % of household income in benefit",
        "现金：福利每占家庭收入1%，出生增加（%）" },
      offsetof(ps_response, cash_elasticity),
      { "Derived from González 2013, Milligan 2005, Cohen et al. 2013; low end near Riphahn & "
        "Wiynck 2017 (no effect)", "推算自 González 2013、Milligan 2005、Cohen 等 2013；低值接近 "
        "Riphahn & Wiynck 2017（无效应）" } },
    { { "Share of the cash and leave response that is permanent (not timing)",
        "现金与产假响应中的永久（数量）部分" },
      offsetof(ps_response, quantum_share),
      { "Bergsvik et al. 2021 review: cash mostly timing; González & Trommlerová: both; "
        "Malkova 2018, Cohen et al. 2013: quantum", "Bergsvik 等 2021 综述：现金效应多为时间提前；"
        "González & Trommlerová：两者皆有；Malkova 2018、Cohen 等 2013：数量效应" } },
    { { "Childcare: % more births per +10 points of under-3 enrollment",
        "托育：3岁以下入托率每提高10个百分点，出生增加（%）" },
      offsetof(ps_response, childcare_per_10pp),
      { "Bauernschuster et al. 2016; low end Fuchs & Porada 2017 (no short-term effect)",
        "Bauernschuster 等 2016；低值 Fuchs & Porada 2017（短期无效应）" } },
    { { "Paid leave: % more births per 3 extra months (timing)",
        "带薪产假：每延长3个月，出生增加（%，时间提前）" },
      offsetof(ps_response, leave_per_3_months),
      { "Expert judgement after Lalive & Zweimüller 2009 (unverified)",
        "参考 Lalive & Zweimüller 2009 的专家判断（未核实）" } },
    { { "Paternity leave: % more births per 10 days", "陪产假：每10天，出生增加（%）" },
      offsetof(ps_response, paternity_per_10_days),
      { "No effect found at 10-15 days; high end +0.5 % for 15 days",
        "10-15天未见效应；高值为15天+0.5%" } },
    { { "Years over which births are brought forward", "出生提前的年数" },
      offsetof(ps_response, tempo_years),
      { "Assumption (unverified)", "假设（未核实）" } },
    { { "Years over which brought-forward births are paid back", "提前出生回落的年数" },
      offsetof(ps_response, payback_years),
      { "Assumption (unverified)", "假设（未核实）" } },
};

static const text2 range_title = { "Response of births to policy: low, default and high",
                             "生育对政策的响应：低、默认、高" };
static const text2 range_note = {
    "Policy results use the preset named below; every births-gained and cost-per-birth figure "
    "is shown with the range of the low and high presets (docs/policy.md, section 6; sources "
    "in PARAMETERS.md, section 1).",
    "政策结果采用下列所选参数组；每个新增出生和每新增出生成本数字均同时给出低、高参数组的区间"
    "（见 docs/policy.md 第6节；来源见 PARAMETERS.md 第1节）。" };
static const text2 chosen_label = { "Preset of the results: ", "结果所用参数组：" };
static const text2 parameter_head = { "Parameter", "参数" };
static const text2 preset_heads[PS_RANGE_PRESETS] = { { "Low", "低" }, { "Default", "默认" },
                                                { "High", "高" } };
static const text2 source_head = { "Source", "来源" };
static const text2 micro_note = { " (microsimulation: only this preset is projected)",
                            "（微观模拟：仅测算该参数组）" };

/* The first policy variant's range, NULL if none has one. */
static const ps_policy_range *first_range(const ps_plot_set *s)
{
    for (int k = 0; k < s->n_scn; ++k) {
        const ps_policy_range *g = s->scn[k].res.range;
        if (g != NULL && g->compared) {
            return g;
        }
    }
    return NULL;
}

void ps_plot__response_range(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    static const text2 preset_words[PS_ELASTICITY_COUNT] = {
        [PS_ELASTICITY_DEFAULT] = { "default", "默认" }, [PS_ELASTICITY_LOW] = { "low", "低" },
        [PS_ELASTICITY_HIGH] = { "high", "高" } };
    const ps_policy_range *g = first_range(s);
    if (g == NULL) {
        return;
    }
    fputs("<h3>", out);
    put_tr(out, range_title, lang);
    fputs("</h3>\n<p>", out);
    put_tr(out, range_note, lang);
    fputs(" ", out);
    put_tr(out, chosen_label, lang);
    put_tr(out, preset_words[g->chosen], lang);
    if (!g->computed) {
        put_tr(out, micro_note, lang);
    }
    fputs("</p>\n<table class=\"response\"><tr>", out);
    put_th_text(out, parameter_head, lang, 1);
    for (int p = 0; p < PS_RANGE_PRESETS; ++p) {
        put_th_text(out, preset_heads[p], lang, 0);
    }
    put_th_text(out, source_head, lang, 1);
    fputs("</tr>\n", out);
    for (size_t k = 0; k < sizeof param_rows / sizeof param_rows[0]; ++k) {
        fputs("<tr><td class=\"t\">", out);
        put_tr(out, param_rows[k].label, lang);
        fputs("</td>", out);
        for (int p = 0; p < PS_RANGE_PRESETS; ++p) {
            double v;
            memcpy(&v, (const char *)&g->response[p] + param_rows[k].offset, sizeof v);
            fprintf(out, "<td>%.2f</td>", v);
        }
        fputs("<td class=\"t\">", out);
        put_tr(out, param_rows[k].source, lang);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* ---- the policies as stated ------------------------------------------------------------------ */

static const text2 in_force_head = { "In force", "实施时间" };
static const text2 amounts_head = { "Amounts (1st / 2nd / 3rd+ child)", "标准（一孩 / 二孩 / 三孩及以上）" };
static const text2 terms_head = { "Conditions", "条件" };

/* A stated term of an instrument, NaN if it does not have it. */
static double term(const ps_policy *p, const char *name)
{
    ps_policy_term t[PS_POLICY_TERMS_MAX];
    const int n = ps_policy_terms(t, p);
    for (int k = 0; k < n; ++k) {
        if (strcmp(t[k].name, name) == 0) {
            return t[k].value;
        }
    }
    return NAN;
}

static void put_years(FILE *out, const ps_policy *p, ps_plot_lang lang)
{
    if (p->end_year > 0) {
        fprintf(out, lang == PS_PLOT_LANG_ZH ? "%d\u2013%d年" : "%d\u2013%d", p->start_year,
                p->end_year);
    } else {
        fprintf(out, lang == PS_PLOT_LANG_ZH ? "%d年起" : "from %d", p->start_year);
    }
}

static void put_amounts(FILE *out, const ps_policy *p, ps_plot_lang lang)
{
    static const text2 once = { " yuan per birth, one-time", " 元/孩（一次性）" };
    static const text2 monthly = { " yuan per child per month", " 元/孩/月" };
    for (int k = 0; k < PS_ORDER_COUNT; ++k) {
        fputs(k > 0 ? " / " : "", out);
        ps_plot__put_count(out, p->amount[k]);
    }
    put_tr(out, p->lever == PS_LEVER_MONTHLY_SUBSIDY ? monthly : once, lang);
}

/* "until age 3; born from 2025; 80 % eligible; registered (hukou) children only; ..." */
static void put_cash_terms(FILE *out, const ps_policy *p, ps_plot_lang lang)
{
    const int zh = lang == PS_PLOT_LANG_ZH;
    const char *sep = zh ? "；" : "; ";
    int any = 0;
    if (p->lever == PS_LEVER_MONTHLY_SUBSIDY) {
        fprintf(out, zh ? "发放至孩子满%d岁" : "paid until the child is %d", p->max_age);
        any = 1;
        if (p->born_from > 0) {
            fprintf(out, zh ? "%s%d年及以后出生的孩子" : "%schildren born from %d", sep,
                    p->born_from);
        }
    }
    fprintf(out, zh ? "%s符合条件比例%.0f%%" : "%s%.0f %% eligible", any ? sep : "",
            p->eligible_share * PERCENT);
    if (p->requires_registered) {
        fprintf(out, "%s%s", sep, zh ? "仅限本地户籍" : "registered (hukou) children only");
    }
    if (p->lever == PS_LEVER_MONTHLY_SUBSIDY && p->low_income_topup > 0.0) {
        fprintf(out, zh ? "%s低收入家庭每月加发%.0f元（%.0f%%）"
                        : "%slow-income top-up %.0f yuan per month (%.0f %% of children)",
                sep, p->low_income_topup, p->low_income_share * PERCENT);
    }
}

/* Below this a share is printed with two significant digits, not two decimals. */
#define SMALL_SHARE 0.01

/* Terms of the other levers, each "label value", zeros left out. */
static void put_other_terms(FILE *out, const ps_policy *p, ps_plot_lang lang)
{
    static const struct { const char *name; text2 label; } labels[] = {
        { "spots_per_1000", { "places per 1,000 residents", "每千人托位数" } },
        { "operating_subsidy", { "operating subsidy, yuan per child per month",
                                 "运营补贴（元/孩/月）" } },
        { "fee_subsidy", { "fee subsidy, yuan per child per month", "托育费补贴（元/孩/月）" } },
        { "construction_subsidy", { "construction subsidy, yuan per new place",
                                    "建设补贴（元/新增托位）" } },
        { "maternity_days", { "maternity leave, days", "产假（天）" } },
        { "paternity_days", { "paternity leave, days", "陪产假（天）" } },
        { "parental_days", { "parental leave, days", "育儿假（天）" } },
        { "paid_share", { "share paid at the full wage", "全额带薪比例" } },
        { "medical_per_birth", { "birth costs covered, yuan per birth", "生育医疗费用（元/孩）" } },
        { "employer_si_share_1", { "employer contributions refunded, 1st child",
                                   "企业社保返还比例（一孩）" } },
        { "employer_si_share_2", { "employer contributions refunded, 2nd child",
                                   "企业社保返还比例（二孩）" } },
        { "employer_si_share_3", { "employer contributions refunded, 3rd+ child",
                                   "企业社保返还比例（三孩及以上）" } },
        { "employer_si_months", { "months refunded", "返还月数" } },
        { "employer_si_monthly", { "employer contributions, yuan per month", "企业月缴费（元）" } },
        { "employed_share", { "mothers in covered employment", "参保就业母亲比例" } },
        { "unemployment_per_birth", { "unemployment benefit, yuan per birth",
                                      "失业保险生育补助（元/孩）" } },
        { "unemployed_share", { "mothers drawing unemployment benefit", "领取失业保险母亲比例" } },
        { "monthly_amount", { "support, yuan per parent per month", "特别扶助金（元/人/月）" } },
        { "from_age", { "paid from age", "起始年龄" } },
        { "share", { "eligible share of persons of those ages", "符合条件人口比例" } },
    };
    int any = 0;
    for (size_t k = 0; k < sizeof labels / sizeof labels[0]; ++k) {
        const double v = term(p, labels[k].name);
        if (isnan(v) || v == 0.0) {
            continue;
        }
        fputs(any ? (lang == PS_PLOT_LANG_ZH ? "；" : "; ") : "", out);
        put_tr(out, labels[k].label, lang);
        fputs(" ", out);
        if (fabs(v) < SMALL_SHARE) { /* special_family's share, e.g. 0.003 */
            fprintf(out, "%.2g", v);
        } else if (fabs(v) < 1.0) {
            fprintf(out, "%.2f", v);
        } else {
            ps_plot__put_count(out, v);
        }
        any = 1;
    }
    if (!any) {
        fputs("-", out);
    }
}

static void stated_row(FILE *out, const plot_scenario *sc, int i, ps_plot_lang lang)
{
    const ps_policy *p = &sc->res.range->stated[i];
    const int cash = p->lever == PS_LEVER_BIRTH_REWARD || p->lever == PS_LEVER_MONTHLY_SUBSIDY;
    fputs("<tr><td class=\"t\">", out);
    ps_plot__put_html(out, sc->res.title != NULL && sc->res.title[0] != '\0' ? sc->res.title
                                                                              : sc->res.name);
    fputs("</td><td class=\"t\">", out);
    ps_plot__put_html(out, ps_plot__word(ps_lever_name(p->lever), lang));
    fputs(": ", out);
    for (const char *c = sc->res.ledger[i].name; *c != '\0'; ++c) { /* as report.c does */
        const char one[2] = { *c == '_' ? ' ' : *c, '\0' };
        ps_plot__put_html(out, one);
    }
    fputs("</td><td class=\"t\">", out);
    put_years(out, p, lang);
    fputs("</td><td class=\"t\">", out);
    if (cash) {
        put_amounts(out, p, lang);
    } else {
        fputs("-", out);
    }
    fputs("</td><td class=\"t\">", out);
    if (cash) {
        put_cash_terms(out, p, lang);
    } else {
        put_other_terms(out, p, lang);
    }
    fputs("</td></tr>\n", out);
}

int ps_plot__stated_policies(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    static const text2 scenario_head = { "Scenario", "情景" };
    static const text2 instrument_head = { "Instrument", "政策措施" };
    int any = 0;
    for (int k = 0; k < s->n_scn && !any; ++k) {
        any = s->scn[k].res.range != NULL && s->scn[k].res.range->n_stated > 0;
    }
    if (!any) {
        return 0; /* a file of an earlier version: the caller shows cost / recipients */
    }
    fputs("<table class=\"policies\"><tr>", out);
    put_th_text(out, scenario_head, lang, 1);
    put_th_text(out, instrument_head, lang, 1);
    put_th_text(out, in_force_head, lang, 1);
    put_th_text(out, amounts_head, lang, 1);
    put_th_text(out, terms_head, lang, 1);
    fputs("</tr>\n", out);
    for (int k = 0; k < s->n_scn; ++k) {
        const ps_policy_range *g = s->scn[k].res.range;
        for (int i = 0; g != NULL && i < g->n_stated && i < s->scn[k].res.n_instruments; ++i) {
            stated_row(out, &s->scn[k], i, lang);
        }
    }
    fputs("</table>\n", out);
    return 1;
}

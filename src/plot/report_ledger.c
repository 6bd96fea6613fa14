/*
 * report_ledger.c - the report's "Who pays" section (issue #12): for each policy scenario,
 * the cost by payer over the horizon, nominal and discounted (the local budget row is what
 * the city pays itself), the budget caps met or exceeded, and the first-generation births
 * gained behind the cost per additional birth (docs/policy.md sec. 7).
 */
#include <math.h>
#include <stdio.h>

#include "plot/plot_int.h"
#include "popsim/policy.h"

typedef enum ledger_msg {
    L_TITLE, L_NOTE, L_SCENARIO, L_PAYER, L_NOMINAL, L_DISCOUNTED, L_CAP, L_CAP_STATUS,
    L_MET, L_EXCEEDED, L_NONE, L_FIRST_GEN, L_WINDOW_SHARE, L_COUNT
} ledger_msg;

static const char *const ledger_text[L_COUNT][PS_PLOT_LANG_COUNT] = {
    [L_TITLE] = { "Who pays", "由谁支付" },
    [L_NOTE] = { "Cost of the policy instruments by payer over the horizon. The local budget is "
                 "what the city pays itself. Budget caps are reported, never enforced: "
                 "payments are not cut when a cap is exceeded.",
                 "各政策工具在预测期内按支付方分列的成本。地方财政即本市自身承担的部分。"
                 "预算上限只作报告、不作约束：超出上限时不削减支付。" },
    [L_SCENARIO] = { "Scenario", "情景" },
    [L_PAYER] = { "Payer", "支付方" },
    [L_NOMINAL] = { "Cost, nominal", "成本（名义）" },
    [L_DISCOUNTED] = { "Cost, discounted", "成本（贴现）" },
    [L_CAP] = { "Budget cap per year", "每年预算上限" },
    [L_CAP_STATUS] = { "Years over the cap (largest excess)", "超出上限的年数（最大超支）" },
    [L_MET] = { "met every year", "每年均未超出" },
    [L_EXCEEDED] = { "years over the cap", "年超出上限" },
    [L_NONE] = { "no cap", "无上限" },
    [L_FIRST_GEN] = { "Births gained to the women exposed to the policy (first generation)",
                      "政策覆盖妇女的增加出生数（第一代）" },
    [L_WINDOW_SHARE] = { "share of all gains within the policy window",
                         "政策期内增加出生数占全部增加的比例" },
};

static const char *const payer_words[PS_PAYER_COUNT][PS_PLOT_LANG_COUNT] = {
    [PS_PAYER_CENTRAL] = { "central budget", "中央财政" },
    [PS_PAYER_LOCAL] = { "local budget", "地方财政" },
    [PS_PAYER_SOCIAL_INSURANCE] = { "social insurance fund", "社会保险基金" },
    [PS_PAYER_EMPLOYER] = { "employers", "用人单位" },
};

static const char *text(ledger_msg id, ps_plot_lang lang)
{
    return ledger_text[id][lang];
}

static void put_money(FILE *out, double yuan, ps_plot_lang lang)
{
    if (isnan(yuan)) {
        fputs("<td>-</td>", out);
        return;
    }
    fprintf(out, "<td>%.1f</td>", yuan / ps_plot__money_unit(lang));
}

/* The cap cell: one amount, or for a cap by year its lowest-highest yearly amount. */
static void put_cap(FILE *out, const ps_result *r, ps_payer payer, ps_plot_lang lang)
{
    const double *by_year = r->budget_cap_by_year[payer];
    if (by_year == NULL) {
        put_money(out, r->budget_cap[payer], lang);
        return;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (int y = 0; y + 1 < r->n_years; ++y) {
        lo = isnan(by_year[y]) ? lo : fmin(lo, by_year[y]);
        hi = isnan(by_year[y]) ? hi : fmax(hi, by_year[y]);
    }
    if (!(lo <= hi)) {
        put_money(out, NAN, lang);
        return;
    }
    fprintf(out, "<td>%.1f-%.1f</td>", lo / ps_plot__money_unit(lang),
            hi / ps_plot__money_unit(lang));
}

static double payer_total(const ps_result *r, ps_payer payer, int discounted)
{
    double sum = 0.0;
    for (int y = 0; y + 1 < r->n_years; ++y) {
        sum += ps_policy_payer_cost(r, y, payer, discounted);
    }
    return sum;
}

/* Cap status of a payer: "met every year" or "N years over the cap (M)". */
static void put_cap_status(FILE *out, const ps_result *r, ps_payer payer, ps_plot_lang lang)
{
    int over = 0;
    double worst = 0.0;
    fputs("<td class=\"t\">", out);
    if (!ps_policy_has_budget_cap(r, payer)) {
        ps_plot__put_html(out, text(L_NONE, lang));
        fputs("</td>", out);
        return;
    }
    for (int y = 0; y + 1 < r->n_years; ++y) {
        const double excess = ps_policy_budget_excess(r, y, payer);
        if (excess > 0.0) {
            ++over;
            worst = fmax(worst, excess);
        }
    }
    if (over == 0) {
        ps_plot__put_html(out, text(L_MET, lang));
    } else {
        fprintf(out, "%d ", over);
        ps_plot__put_html(out, text(L_EXCEEDED, lang));
        fprintf(out, " (%.1f)", worst / ps_plot__money_unit(lang));
    }
    fputs("</td>", out);
}

static void scenario_rows(FILE *out, const ps_result *r, ps_plot_lang lang)
{
    for (int payer = 0; payer < PS_PAYER_COUNT; ++payer) {
        fputs("<tr><td class=\"t\">", out);
        ps_plot__put_html(out, r->title != NULL && r->title[0] != '\0' ? r->title : r->name);
        fputs("</td><td class=\"t\">", out);
        ps_plot__put_html(out, payer_words[payer][lang]);
        fputs("</td>", out);
        put_money(out, payer_total(r, (ps_payer)payer, 0), lang);
        put_money(out, payer_total(r, (ps_payer)payer, 1), lang);
        put_cap(out, r, (ps_payer)payer, lang);
        put_cap_status(out, r, (ps_payer)payer, lang);
        fputs("</tr>\n", out);
    }
}

void ps_plot__report_ledger(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    int any = 0;
    for (int k = 0; k < s->n_scn; ++k) {
        any |= s->scn[k].res.n_instruments > 0 && s->scn[k].res.ledger[0].cost_by_payer != NULL;
    }
    if (!any) {
        return;
    }
    const char *unit = lang == PS_PLOT_LANG_ZH ? "（亿元）" : " (million yuan)";
    fputs("<section id=\"payers\"><h2>", out);
    ps_plot__put_html(out, text(L_TITLE, lang));
    fputs("</h2>\n<p>", out);
    ps_plot__put_html(out, text(L_NOTE, lang));
    fputs("</p>\n<table class=\"payers\"><tr>", out);
    const ledger_msg heads[] = { L_SCENARIO, L_PAYER, L_NOMINAL, L_DISCOUNTED, L_CAP,
                                 L_CAP_STATUS };
    for (size_t h = 0; h < sizeof heads / sizeof heads[0]; ++h) {
        const int is_text = heads[h] == L_SCENARIO || heads[h] == L_PAYER ||
                            heads[h] == L_CAP_STATUS;
        fprintf(out, "<th%s>", is_text ? " class=\"t\"" : "");
        ps_plot__put_html(out, text(heads[h], lang));
        if (heads[h] == L_NOMINAL || heads[h] == L_DISCOUNTED || heads[h] == L_CAP) {
            ps_plot__put_html(out, unit);
        }
        fputs("</th>", out);
    }
    fputs("</tr>\n", out);
    for (int k = 0; k < s->n_scn; ++k) {
        const ps_result *r = &s->scn[k].res;
        if (r->n_instruments > 0 && r->ledger[0].cost_by_payer != NULL) {
            scenario_rows(out, r, lang);
        }
    }
    fputs("</table>\n<ul>\n", out);
    for (int k = 0; k < s->n_scn; ++k) {
        const ps_result *r = &s->scn[k].res;
        if (r->baseline == NULL || !isfinite(r->births_gained_first_gen)) {
            continue;
        }
        fputs("<li>", out);
        ps_plot__put_html(out, r->title != NULL && r->title[0] != '\0' ? r->title : r->name);
        fputs(": ", out);
        ps_plot__put_html(out, text(L_FIRST_GEN, lang));
        fprintf(out, " %.0f / %.0f", r->births_gained_first_gen, r->births_gained_total);
        if (isfinite(r->births_gained_window_share)) {
            fputs("; ", out);
            ps_plot__put_html(out, text(L_WINDOW_SHARE, lang));
            fprintf(out, " %.0f %%", r->births_gained_window_share * 100.0);
        }
        fputs("</li>\n", out);
    }
    fputs("</ul>\n</section>\n", out);
}

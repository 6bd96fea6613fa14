/*
 * text.c - every word a chart or the report shows, in English and Chinese, and the escapers
 * that keep user text (scenario names, titles, region names) inert in gnuplot scripts, data
 * file comments, HTML and file names.
 *
 * Gnuplot: user text goes only into single-quoted strings. Inside them gnuplot 5 expands
 * neither backslash escapes nor `backquote` command substitution nor @macros (tested in
 * tests/test_plot.c and tests/plot_test.sh); the only special character is the quote itself,
 * written twice. A line break would end the command, so control characters become spaces.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

/* One row per message id: English, Chinese (UTF-8). */
static const char *const messages[MSG_COUNT][PS_PLOT_LANG_COUNT] = {
    [MSG_PYRAMID] = { "Population pyramid", "人口金字塔" },
    [MSG_PYRAMID_POLICY] = { "Population pyramid, baseline and policy", "人口金字塔：基准与政策情景" },
    [MSG_BIRTHS_TFR] = { "Births and total fertility rate", "出生人口与总和生育率" },
    [MSG_BIRTHS_ORDER] = { "Births by birth order", "按孩次分出生人口" },
    [MSG_CHILDCARE] = { "Childcare demand and capacity", "托育需求与托位供给" },
    [MSG_ELDERLY] = { "Elderly care: persons needing care, institution beds",
                     "养老服务：需照护老人与机构养老床位" },
    [MSG_DEPENDENCY] = { "Dependency ratios", "抚养比" },
    [MSG_POLICY_EFFECT] = { "Policy: births gained and cumulative cost",
                            "政策效果：新增出生人口与累计成本" },
    [MSG_POLICY_COST] = { "Cost per additional birth", "每多出生一人的政策成本" },
    [MSG_FAN] = { "Projection uncertainty", "预测不确定性" },
    [MSG_MALE] = { "Male", "男" },
    [MSG_FEMALE] = { "Female", "女" },
    [MSG_AGE] = { "Age (completed years)", "年龄（周岁）" },
    [MSG_YEAR] = { "Year (1 July)", "年份（7月1日）" },
    [MSG_THOUSAND_PERSONS] = { "Thousand persons", "万人" },
    [MSG_BIRTHS_THOUSANDS] = { "Births (thousands)", "出生人口（万人）" },
    [MSG_TFR_AXIS] = { "Total fertility rate (children per woman)", "总和生育率（每名妇女子女数）" },
    [MSG_ORDER_PREFIX] = { "Birth order ", "第" },
    [MSG_ORDER_SUFFIX] = { "", "孩" },
    [MSG_ORDER_OPEN] = { "+", "及以上" },
    [MSG_CHILDCARE_DEMAND] = { "Childcare demand", "托育需求" },
    [MSG_CHILDREN_0_2] = { "Children aged 0-2 (all, before take-up)", "0-2岁儿童（全部，未计入托率）" },
    [MSG_SPOTS_PREFIX] = { "Spots at ", "托位：每千人" },
    [MSG_SPOTS_SUFFIX] = { " per 1,000 population", "个" },
    [MSG_CAPACITY_FILE] = { "Capacity (scenario)", "供给能力（情景）" },
    [MSG_TARGET_PREFIX] = { "Target per 1,000 population: ", "目标（每千人）：" },
    [MSG_SHORTAGE] = { "Shortage", "缺口" },
    [MSG_SURPLUS] = { "Surplus", "富余" },
    [MSG_SPOTS_AXIS] = { "Children / childcare spots (thousands)", "儿童数（万人）/ 托位数（万个）" },
    [MSG_ELDERLY_AXIS] = { "Persons needing care / beds (thousands)",
                          "需照护老人（万人）/ 床位（万张）" },
    [MSG_BEDS_CAPACITY] = { "Institution beds at the target", "按规划目标的机构养老床位" },
    [MSG_BEDS_TARGET] = { "Institution beds the demand needs", "机构照护需求所需床位" },
    [MSG_DEP_YOUNG] = { "Child (0-14)", "少儿抚养比（0-14岁）" },
    [MSG_DEP_OLD] = { "Old-age (65+)", "老年抚养比（65岁及以上）" },
    [MSG_DEP_TOTAL] = { "Total", "总抚养比" },
    [MSG_PER_100] = { "Per 100 persons aged 15-64", "每百名15-64岁人口" },
    [MSG_BIRTHS_GAINED_AXIS] = { "Births gained per year, thousands (policy - baseline)",
                                 "每年新增出生人口（万人，政策减基准）" },
    [MSG_CUM_COST_AXIS] = { "Cumulative cost (million yuan)", "累计成本（亿元）" },
    [MSG_COST_PER_BIRTH_AXIS] = { "Thousand yuan per additional birth", "每多出生一人的成本（万元）" },
    [MSG_MEDIAN] = { "Median", "中位数" },
    [MSG_BAND_80] = { "80% interval", "80%区间" },
    [MSG_BAND_95] = { "95% interval", "95%区间" },
    [MSG_VS] = { " vs ", " 对比 " },
    [MSG_REPORT_TITLE] = { "Population projection report", "人口预测报告" },
    [MSG_CONTENTS] = { "Contents", "目录" },
    [MSG_SUMMARY] = { "Summary by period", "分时段概要" },
    [MSG_PERIOD] = { "Period", "时段" },
    [MSG_POP_START] = { "Population at start (thousands)", "期初人口（万人）" },
    [MSG_POP_END] = { "Population at end (thousands)", "期末人口（万人）" },
    [MSG_BIRTHS_IN_PERIOD] = { "Births in period (thousands)", "期内出生人口（万人）" },
    [MSG_MEAN_TFR] = { "Mean TFR", "平均总和生育率" },
    [MSG_SHARE_65] = { "Aged 65+ at end", "期末65岁及以上占比" },
    [MSG_AGED_0_2] = { "Aged 0-2 at end (thousands)", "期末0-2岁人口（万人）" },
    [MSG_TARGETS] = { "Targets met or missed", "目标达成情况" },
    [MSG_SERVICE] = { "Service", "服务" },
    [MSG_CAPACITY] = { "Places at the target (thousands)", "按目标应有床位/学位（万个）" },
    [MSG_NEEDED] = { "Places the demand needs (thousands)", "需求所需（万个）" },
    [MSG_MET] = { "met", "达标" },
    [MSG_MISSED] = { "short", "未达标" },
    [MSG_NO_TARGETS] = { "The file holds no service capacity with a target yet.",
                         "文件中尚无带目标的服务供给数据。" },
    [MSG_SPOTS_NEEDED] = { "Childcare spots implied by 4.5 and 5 per 1,000 population",
                           "按每千人4.5个和5个托位测算的托位需求" },
    [MSG_POLICY_TABLE] = { "Policy costs", "政策成本" },
    [MSG_BASELINE] = { "Baseline", "基准情景" },
    [MSG_BIRTHS_GAINED] = { "Births gained (thousands)", "新增出生人口（万人）" },
    [MSG_TOTAL_COST] = { "Total cost (million yuan)", "总成本（亿元）" },
    [MSG_COST_PER_BIRTH] = { "Cost per additional birth (thousand yuan)", "每多出生一人的成本（万元）" },
    [MSG_INSTRUMENT] = { "Instrument", "政策工具" },
    [MSG_RECIPIENTS] = { "Recipients (thousand person-years)", "受益人数（万人年）" },
    [MSG_CHARTS] = { "Charts", "图表" },
    [MSG_ASSUMPTIONS] = { "Assumptions and data sources", "假设与数据来源" },
    [MSG_SCENARIO] = { "Scenario", "情景" },
    [MSG_DATA_SOURCE] = { "Data source", "数据来源" },
    [MSG_SCENARIO_FILE] = { "Scenario file", "情景文件" },
    [MSG_SHA256] = { "Scenario file SHA-256", "情景文件SHA-256" },
    [MSG_VERSION] = { "popsim version", "popsim版本" },
    [MSG_COMMIT] = { "popsim commit", "popsim提交" },
    [MSG_CREATED] = { "Result file created (UTC)", "结果文件生成时间（UTC）" },
    [MSG_COMMAND] = { "Command", "命令" },
    [MSG_NOTE_TIMING] = { "Population is counted on 1 July; births and TFR of a year are those "
                          "of the twelve months from 1 July of that year.",
                          "人口为7月1日时点数；某年的出生人口和总和生育率指该年7月1日起十二个月。" },
    [MSG_NOTE_SUMMARY] = { "Births are summed and TFR averaged over the years of each period; "
                           "population, the 65+ share and the 0-2s are at the end of the period.",
                           "出生人口为时段内合计，总和生育率为时段内平均；人口、65岁及以上占比和0-2岁人口为时段末数值。" },
    [MSG_NOTE_CHILDCARE] = { "Childcare spots at 4.5 and 5 per 1,000 population are the "
                             "national (2025) and higher provincial planning standards.",
                             "每千人4.5个托位为国家2025年规划标准，每千人5个为更高的地方标准。" },
    [MSG_NOTE_POLICY] = { "Policy costs are nominal yuan; births gained compare each policy "
                          "scenario with its baseline.",
                          "政策成本为名义人民币；新增出生人口为政策情景与其基准情景之差。" },
    [MSG_NOTE_REGIONS] = { "Figures are totals of all regions in the file; regional TFRs are "
                           "weighted by women aged 15-49.",
                           "数字为文件中所有地区合计；各地区总和生育率按15-49岁妇女人数加权。" },
    [MSG_YEAR_SHORT] = { "Year", "年份" },
    [MSG_DEMAND] = { "Demand (thousands)", "需求（万人）" },
    [MSG_TARGET_STATUS] = { "Target met?", "是否达标" },
    [MSG_INPUTS] = { "Where each input came from", "各项输入数据的来源" },
    [MSG_INPUT] = { "Input", "输入项" },
    [MSG_SOURCE] = { "Source", "来源" },
    [MSG_DETAIL] = { "File, value or data set", "文件、设定值或数据集" },
    [MSG_PATHS] = { "Main assumptions by scenario", "各情景主要假设" },
    [MSG_TFR_SHORT] = { "TFR (children per woman)", "总和生育率（每名妇女生育子女数）" },
    [MSG_E0_MALE] = { "Life expectancy at birth, men (years)", "男性出生时预期寿命（岁）" },
    [MSG_E0_FEMALE] = { "Life expectancy at birth, women (years)", "女性出生时预期寿命（岁）" },
    [MSG_NET_MIGRATION] = { "Net migration (thousand persons per year)", "净迁入人口（万人/年）" },
    [MSG_SRB] = { "Sex ratio at birth (boys per 100 girls)", "出生人口性别比（女婴=100）" },
    [MSG_FERT_CALIB] = { "Fertility calibration factor (observed births)",
                         "生育率校准系数（实际出生数）" },
    [MSG_POLICIES] = { "Policies and their amounts", "政策措施及支付标准" },
    [MSG_LEVER] = { "Type", "类型" },
    [MSG_AMOUNT] = { "Paid per recipient, first year (yuan per year)", "首年人均支付（元/年）" },
    [MSG_FIRST_YEAR_RECIPIENTS] = { "Recipients, first year (thousands)", "首年受益人数（万人）" },
    [MSG_NO_POLICIES] = { "No policy scenario in this file.", "本文件不含政策情景。" },
    [MSG_TARGET] = { "Target", "规划目标" },
    [MSG_FILE_SHA256] = { "SHA-256 of the file", "文件SHA-256校验值" },
    [MSG_SWEEP_FRONTIER] = { "Policy sweep: births gained against cost",
                             "政策参数扫描：新增出生人口与成本" },
    [MSG_SWEEP_POINTS] = { "design points", "参数组合" },
    [MSG_SWEEP_FRONTIER_LINE] = { "frontier (not dominated)", "有效前沿（不被占优）" },
    [MSG_SWEEP_COST_AXIS] = { "Total cost over the horizon (million yuan)",
                              "预测期总成本（亿元）" },
    [MSG_SWEEP_BIRTHS_AXIS] = { "Births gained over the horizon (thousands)",
                                "预测期新增出生人口（万人）" },
    [MSG_CHILDCARE_DISTRICTS] = { "Childcare gap by district", "各区托位缺口" },
    [MSG_ELDERLY_DISTRICTS] = { "Elderly care beds by district", "各区养老机构床位" },
    [MSG_GAP_TARGET_LINE] = { "Places at the target minus places needed",
                              "按规划目标的托位减所需托位" },
    [MSG_GAP_STOCK_LINE] = { "Existing places minus places needed", "现有托位减所需托位" },
    [MSG_GAP_AXIS] = { "Places (thousands; below 0: short)", "托位（万个；小于0为缺口）" },
    [MSG_RESIDENTS] = { "Users (institution residents)", "服务对象（机构在住老人）" },
    [MSG_BEDS_STOCK] = { "Existing beds", "现有床位" },
    [MSG_REGIONS_SECTION] = { "By district", "分区情况" },
    [MSG_REGION] = { "District", "地区" },
    [MSG_REGION_POPULATION] = { "Population (thousands)", "人口（万人）" },
    [MSG_NOTE_DISTRICTS] = { "Each district on its own, at the first and last year "
                             "(thousands): childcare places at the target and existing "
                             "places, each minus the places the district's demand needs "
                             "(below 0: short), and the elderly-care service's users, beds "
                             "at its target and existing beds. A total can be met while a "
                             "district is short.",
                             "各区分别列出首年和末年数值（万）：按规划目标的托位和现有托位各减去本区"
                             "需求所需托位（小于0为缺口），以及养老机构服务对象、按规划目标的床位和"
                             "现有床位。全市合计达标时，个别区仍可能存在缺口。" },
    [MSG_NOTE_UNITS] = { "Persons and places are in thousands, money in million yuan (nominal) "
                         "unless a heading says otherwise.",
                         "除另有说明外，人口和床位、学位以万为单位，金额以亿元（名义值）为单位。" },
    [MSG_PROB_POP] = { "Total population (thousands)", "总人口（万人）" },
    [MSG_PROB_BIRTHS] = { "Births per year (thousands)", "年出生人口（万人）" },
    [MSG_PROB_TFR] = { "Total fertility rate (children per woman)",
                       "总和生育率（每名妇女生育子女数）" },
    [MSG_PROB_E0_FEMALE] = { "Life expectancy at birth, women (years)",
                             "女性出生时预期寿命（岁）" },
    [MSG_PROB_E0_MALE] = { "Life expectancy at birth, men (years)", "男性出生时预期寿命（岁）" },
    [MSG_PROB_DEP_OLD] = { "Old-age dependency ratio (aged 65+ per 100 aged 15-64)",
                           "老年抚养比（65岁及以上人口/15-64岁人口，每百人）" },
    [MSG_PROB_SHARE_65] = { "Share of the population aged 65+ (%)",
                            "65岁及以上人口占总人口比重（%）" },
    [MSG_PROB_SECTION] = { "Probabilistic projection", "概率预测" },
    [MSG_PROB_INTRO] = { "Each figure below summarises many trajectories: full cohort-component "
                         "projections whose TFR, life expectancy by sex and net migration "
                         "deviate from the medium path by an autoregressive (AR(1)) process "
                         "calibrated so that the yearly quantiles of TFR, e0 and migration "
                         "reproduce the UN's (WPP 2024) 80 % and 95 % prediction intervals "
                         "(docs/model.md sec. 9). The 80 % interval runs from the 10 % to the "
                         "90 % quantile, the 95 % interval from 2.5 % to 97.5 %: in the model, "
                         "the future value falls inside with that probability. Quantiles are "
                         "taken of each trajectory's own total, so they do not add up across "
                         "variables. The same seed gives the same trajectories.",
                         "下列数值汇总了多条轨迹：每条轨迹都是完整的队列要素预测，其总和生育率、"
                         "分性别预期寿命和国际净迁移围绕中方案按自回归（AR(1)）过程波动，参数经"
                         "校准，使总和生育率、预期寿命和迁移的逐年分位数与联合国《世界人口展望"
                         "2024》的80%和95%预测区间一致（docs/model.md 第9节）。80%区间为10%至"
                         "90%分位数，95%区间为2.5%至97.5%分位数：按模型，未来值落在区间内的概率"
                         "即为该百分比。分位数按每条轨迹自身的合计计算，各变量之间不能相加。"
                         "相同的随机种子得到相同的轨迹。" },
    [MSG_PROB_CAVEAT] = { "Caveats (docs/model.md sec. 9.5): the process's parameters are shared "
                          "by all countries or follow from a country's own UN intervals, so not "
                          "every UN population interval is met: over the 236 countries and "
                          "areas with UN intervals, 62 % of the checks at 2050 and 2100 are met. "
                          "Of the five countries checked in the tests, 46 of 50 checks are met; "
                          "the 2100 medians of China and Brazil are 0.3-0.4 % below the UN's, "
                          "and the 2100 upper bounds of Germany and Nigeria are a little low.",
                          "说明（docs/model.md 第9.5节）：随机过程的参数为各国共用，或由该国自身的"
                          "联合国区间推出，因此并非所有联合国人口区间都能达到：在有联合国区间的"
                          "236个国家和地区中，2050年和2100年的检验有62%达标。测试所检验的五个国家"
                          "中，50项检验有46项达标；中国和巴西2100年的中位数比联合国低0.3-0.4%，"
                          "德国和尼日利亚2100年的上限略低。" },
    [MSG_PROB_TABLE] = { "Quantiles at the planning years", "规划年份的分位数" },
    [MSG_PROB_VARIABLE] = { "Variable (stored name)", "变量（文件中的名称）" },
    [MSG_PROB_LOCATIONS] = { "locations in the file; `popsim report --location NAME` reports "
                             "another", "个地区；`popsim report --location 名称` 可选择其他地区" },
};

/* The stored identifiers a reader sees in the report, in words. */
static const char *const words[][PS_PLOT_LANG_COUNT + 1] = {
    /* identifier               English                         Chinese */
    { "birth_reward", "one-off birth reward", "一次性生育奖励" },
    { "monthly_subsidy", "monthly child subsidy", "按月发放的育儿补贴" },
    { "childcare", "childcare subsidy", "托育补贴" },
    { "leave", "extended parental leave", "延长育儿假" },
    { "insurance", "maternity insurance", "生育保险" },
    { "special_family", "special family-planning family support", "计划生育特殊家庭特别扶助" },
    { "population", "base population", "基期人口" },
    { "mortality", "mortality rates", "死亡率" },
    { "life expectancy (e0)", "life expectancy (e0)", "出生时预期寿命" },
    { "fertility age pattern", "fertility by age of mother", "分年龄生育模式" },
    { "TFR", "total fertility rate", "总和生育率" },
    { "SRB", "sex ratio at birth", "出生人口性别比" },
    { "migration", "net migration by age and sex", "分年龄性别净迁移" },
    { "migration total", "net migration per year", "年净迁移总量" },
    { "service stock", "existing places of services", "现有服务设施（托位、床位）" },
    { "planner file", "planner's file", "规划部门提供的文件" },
    { "UN WPP 2024", "UN World Population Prospects 2024", "联合国《世界人口展望2024》" },
    { "scenario value", "value in the scenario file", "情景文件中的设定值" },
    { "model default", "popsim default", "popsim默认值" },
};

const char *ps_plot__word(const char *identifier, ps_plot_lang lang)
{
    for (size_t k = 0; k < sizeof words / sizeof words[0]; ++k) {
        if (strcmp(words[k][0], identifier) == 0) {
            return words[k][1 + lang];
        }
    }
    return identifier;
}

double ps_plot__count_unit(ps_plot_lang lang)
{
    return lang == PS_PLOT_LANG_ZH ? PS_PLOT_PER_WAN : PS_PLOT_PER_THOUSAND_UNIT;
}

double ps_plot__money_unit(ps_plot_lang lang)
{
    return lang == PS_PLOT_LANG_ZH ? PS_PLOT_PER_YI : PS_PLOT_PER_MILLION;
}

double ps_plot__money_small_unit(ps_plot_lang lang)
{
    return lang == PS_PLOT_LANG_ZH ? PS_PLOT_PER_WAN : PS_PLOT_PER_THOUSAND_UNIT;
}

const char *ps_plot__scenario_label(char *buf, size_t size, const ps_result *r, int max_chars)
{
    const char *text = r->title != NULL && r->title[0] != '\0' ? r->title : r->name;
    size_t w = 0;
    int chars = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && w + 4 < size; ++p) {
        if ((*p & 0xc0) != 0x80 && ++chars > max_chars) {
            memcpy(buf + w, "...", 3);
            w += 3;
            break;
        }
        buf[w++] = (char)*p;
    }
    buf[w] = '\0';
    return buf;
}

/* The unit of a service's places in words by kind: beds for care, spots for childcare. */
static const char *place_word(const char *kind, ps_plot_lang lang)
{
    static const struct { const char *kind, *word[PS_PLOT_LANG_COUNT]; } unit[] = {
        { "childcare", { "spots", "个托位" } },  { "elderly", { "beds", "张床位" } },
        { "health", { "beds", "张床位" } },      { "kindergarten", { "places", "个学位" } },
        { "school", { "places", "个学位" } },
    };
    for (size_t k = 0; kind != NULL && k < sizeof unit / sizeof unit[0]; ++k) {
        if (strcmp(kind, unit[k].kind) == 0) {
            return unit[k].word[lang];
        }
    }
    return lang == PS_PLOT_LANG_ZH ? "个名额" : "places";
}

const char *ps_plot__target_text(char *buf, size_t size, const plot_service *sv,
                                 ps_plot_lang lang)
{
    const char *basis = sv->basis != NULL ? sv->basis : "";
    const char *unit = place_word(sv->kind, lang);
    const int zh = lang == PS_PLOT_LANG_ZH;
    char of[64];
    buf[0] = '\0';
    if (isnan(sv->target_per_1000)) {
        return buf;
    }
    if (strcmp(basis, "ages") == 0 && sv->basis_lo >= 0) {
        if (sv->basis_hi < 0) {
            snprintf(of, sizeof of, zh ? "%d岁及以上人口" : "aged %d+", sv->basis_lo);
        } else {
            snprintf(of, sizeof of, zh ? "%d-%d岁人口" : "aged %d-%d", sv->basis_lo,
                     sv->basis_hi);
        }
    } else if (strcmp(basis, "group") == 0) {
        snprintf(of, sizeof of, "%s", zh ? "服务对象人群" : "persons of the target group");
    } else {
        snprintf(of, sizeof of, "%s", zh ? "常住人口" : "residents");
    }
    if (zh) {
        snprintf(buf, size, "每千名%s%g%s", of, sv->target_per_1000, unit);
    } else {
        snprintf(buf, size, "%g %s per 1,000 %s", sv->target_per_1000, unit, of);
    }
    return buf;
}

const char *ps_plot__msg(plot_msg id, ps_plot_lang lang)
{
    const char *text = messages[id][lang];
    return text != NULL ? text : messages[id][PS_PLOT_LANG_EN];
}

/* Bytes that would end a command or a line: C0 controls and DEL. */
static int is_control(unsigned char c)
{
    return c < 0x20 || c == 0x7f;
}

void ps_plot__put_plain(FILE *out, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; ++p) {
        fputc(is_control(*p) ? ' ' : *p, out);
    }
}

/* The gnuplot form of one byte inside single quotes into rep; returns its length (1 or 2). */
static size_t gp_map(unsigned char c, char rep[2])
{
    if (c == '\'') {
        rep[0] = rep[1] = '\'';
        return 2;
    }
    rep[0] = is_control(c) ? ' ' : (char)c;
    return 1;
}

void ps_plot__put_gp_body(FILE *out, const char *text)
{
    char rep[2];
    for (const unsigned char *p = (const unsigned char *)text; *p; ++p) {
        fwrite(rep, 1, gp_map(*p, rep), out);
    }
}

char *ps_plot_gp_quote(const char *text)
{
    char rep[2];
    size_t len = 2;
    for (const unsigned char *p = (const unsigned char *)text; *p; ++p) {
        len += gp_map(*p, rep);
    }
    char *out = malloc(len + 1), *w = out;
    if (out == NULL) {
        return NULL;
    }
    *w++ = '\'';
    for (const unsigned char *p = (const unsigned char *)text; *p; ++p) {
        size_t n = gp_map(*p, rep);
        memcpy(w, rep, n);
        w += n;
    }
    *w++ = '\'';
    *w = '\0';
    return out;
}

/* The HTML entity for a byte that needs one, else NULL. */
static const char *html_entity(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

void ps_plot__put_html(FILE *out, const char *text)
{
    for (const char *p = text; *p; ++p) {
        const char *e = html_entity(*p);
        if (e != NULL) {
            fputs(e, out);
        } else {
            fputc(*p, out);
        }
    }
}

char *ps_plot_html_escape(const char *text)
{
    size_t len = 0;
    for (const char *p = text; *p; ++p) {
        const char *e = html_entity(*p);
        len += e != NULL ? strlen(e) : 1;
    }
    char *out = malloc(len + 1), *w = out;
    if (out == NULL) {
        return NULL;
    }
    for (const char *p = text; *p; ++p) {
        const char *e = html_entity(*p);
        size_t n = e != NULL ? strlen(e) : 1;
        memcpy(w, e != NULL ? e : p, n);
        w += n;
    }
    *w = '\0';
    return out;
}

/*
 * Base64 (RFC 4648 section 4): each 3 input bytes become 4 characters of 6 bits each; a
 * final group of 1 or 2 bytes is padded with '=' to 4 characters.
 */
char *ps_plot_base64(const unsigned char *bytes, size_t n)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    enum { GROUP_IN = 3, GROUP_OUT = 4, BITS = 6, MASK = 0x3f, BYTE = 8 };
    size_t groups = (n + GROUP_IN - 1) / GROUP_IN;
    char *out = malloc(groups * GROUP_OUT + 1), *w = out;
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i += GROUP_IN) {
        size_t have = n - i < GROUP_IN ? n - i : GROUP_IN;
        unsigned long v = 0;
        for (size_t k = 0; k < GROUP_IN; ++k) {
            v = (v << BYTE) | (k < have ? bytes[i + k] : 0u);
        }
        for (size_t k = 0; k < GROUP_OUT; ++k) {
            unsigned shift = (unsigned)(BITS * (GROUP_OUT - 1 - k));
            *w++ = k <= have ? alphabet[(v >> shift) & MASK] : '=';
        }
    }
    *w = '\0';
    return out;
}

void ps_plot__slug(char *buf, size_t size, const char *text)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && w + 1 < size; ++p) {
        unsigned char c = *p;
        int keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (c >= 'A' && c <= 'Z') {
            c = (unsigned char)(c - 'A' + 'a');
            keep = 1;
        }
        buf[w++] = keep ? (char)c : '_';
    }
    if (w == 0 && size > 1) {
        buf[w++] = 'x';
    }
    if (size > 0) {
        buf[w] = '\0';
    }
}

const char *ps_plot_format_ext(ps_plot_format format)
{
    static const char *const ext[PS_PLOT_FORMAT_COUNT] = { "png", "svg", "pdf" };
    return ext[format];
}

/* A scenario's title for people, its name when it has none. */
static const char *scenario_title(const ps_result *r)
{
    return r->title != NULL && r->title[0] != '\0' ? r->title : r->name;
}

const char *ps_plot_chart_caption(char *buf, size_t size, const ps_plot_set *s,
                                  const ps_plot_chart *chart, ps_plot_lang lang)
{
    static const plot_msg kind_msg[PS_PLOT_KIND_COUNT] = {
        MSG_PYRAMID, MSG_PYRAMID_POLICY, MSG_BIRTHS_TFR, MSG_BIRTHS_ORDER, MSG_CHILDCARE,
        MSG_ELDERLY, MSG_DEPENDENCY, MSG_POLICY_EFFECT, MSG_POLICY_COST, MSG_FAN,
        MSG_SWEEP_FRONTIER, MSG_CHILDCARE_DISTRICTS, MSG_ELDERLY_DISTRICTS,
    };
    const char *what = ps_plot__msg(kind_msg[chart->kind], lang);
    if (chart->scenario < 0) {
        snprintf(buf, size, "%s", what);
    } else if (chart->kind == PS_PLOT_FAN) {
        const plot_scenario *sc = &s->scn[chart->scenario];
        const plot_fan *fan = &sc->fans[chart->item];
        /* the quantity in words: its message, the file's long_name, the name as a last resort */
        const char *quantity = fan->label >= 0   ? ps_plot__msg((plot_msg)fan->label, lang)
                               : fan->title != NULL ? fan->title
                                                    : fan->var;
        snprintf(buf, size, "%s: %s, %s", what, scenario_title(&sc->res), quantity);
    } else {
        snprintf(buf, size, "%s: %s", what, scenario_title(&s->scn[chart->scenario].res));
    }
    return buf;
}

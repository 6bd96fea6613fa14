/*
 * charts_svc.c - the planning charts: childcare demand against capacity, elderly care needs
 * against beds, and the policy charts (births gained, cumulative cost, cost per additional
 * birth).
 *
 * Childcare capacity at r spots per 1,000 population is r x total population / 1,000
 * (PS_PER_THOUSAND), for r = 4.5 and 5 and for the service's own target_per_1000. Shortage
 * and surplus are shaded between demand and the reference capacity: the file's capacity if
 * it has one, else its target, else 4.5 per 1,000. Without a childcare service in the file,
 * the chart shows all children aged 0-2 (demand before take-up) and shades nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "popsim/units.h"

/* Capacity in persons for `per_1000` places per 1,000 total population at year index y. */
static double capacity_at(const ps_result *r, int y, double per_1000)
{
    return per_1000 * ps_result_total(r, r->start_year + y) / PS_PER_THOUSAND;
}

/* A series value in the chart's count unit (thousands, or 万 in Chinese charts). */
static double in_unit(const double *series, int y, double unit)
{
    return series != NULL ? series[y] / unit : NAN;
}

/* "Spots at 4.5 per 1,000 population" in the chart's language. */
static void spots_label(char *buf, size_t size, const plot_ctx *x, double per_1000)
{
    snprintf(buf, size, "%s%g%s", ps_plot__msg(MSG_SPOTS_PREFIX, x->opt->lang), per_1000,
             ps_plot__msg(MSG_SPOTS_SUFFIX, x->opt->lang));
}

/* Columns: year, demand, cap 4.5, cap 5, file capacity, target capacity, reference, max. */
static void childcare_data(plot_ctx *x, const plot_scenario *sc, const plot_service *sv)
{
    static const char *const cols[] = {
        "year", "demand (count unit)", "spots at 4.5 per 1000", "spots at 5 per 1000",
        "capacity in the file", "capacity at the file's target", "reference capacity",
        "max(demand, reference)",
    };
    const ps_result *r = &sc->res;
    const double unit = ps_plot__count_unit(x->opt->lang);
    ps_plot__dat_header(x, cols, (int)(sizeof cols / sizeof cols[0]));
    for (int y = 0; y < r->n_years; ++y) {
        double demand = sv != NULL ? in_unit(sv->var[SVC_DEMAND], y, unit)
                                   : ps_plot__age_sum(r, y, 0, PS_PLOT_NURSERY_AGE_MAX) /
                                         unit;
        double low = capacity_at(r, y, PS_PLOT_SPOTS_PER1000_LOW) / unit;
        double high = capacity_at(r, y, PS_PLOT_SPOTS_PER1000_HIGH) / unit;
        double cap = sv != NULL ? in_unit(sv->var[SVC_CAPACITY], y, unit) : NAN;
        double target = sv != NULL && !isnan(sv->target_per_1000)
                            ? capacity_at(r, y, sv->target_per_1000) / unit
                            : NAN;
        double ref = !isnan(cap) ? cap : !isnan(target) ? target : low;
        double v[] = { demand, low, high, cap, target, ref, fmax(demand, ref) };
        fprintf(x->dat, "%d", r->start_year + y);
        for (size_t k = 0; k < sizeof v / sizeof v[0]; ++k) {
            ps_plot__dat_value(x, v[k]);
        }
        fputc('\n', x->dat);
    }
}

ps_status ps_plot__childcare(plot_ctx *x, ps_error *err)
{
    const plot_scenario *sc = &x->s->scn[x->chart->scenario];
    int idx = ps_plot__find_service(sc, "childcare", 0);
    const plot_service *sv = idx >= 0 ? &sc->svc[idx] : NULL;
    int has_demand = sv != NULL && sv->var[SVC_DEMAND] != NULL;
    char label[128];
    const char *dat = x->dat_name;
    (void)err;
    childcare_data(x, sc, has_demand ? sv : NULL);
    ps_plot__gp_set_text(x, "title", MSG_CHILDCARE,
                         sc->res.title != NULL ? sc->res.title : sc->res.name);
    ps_plot__gp_set_text(x, "ylabel", MSG_SPOTS_AXIS, NULL);
    fputs("set label 3 ", x->gp);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_THOUSAND_PERSONS, x->opt->lang), NULL, NULL);
    fputs(" at graph 0.0, graph 1.02 left\n", x->gp);
    ps_plot__gp_set_text(x, "xlabel", MSG_YEAR, NULL);
    fputs("set key top right\nset yrange [0:*]\n", x->gp);
    if (has_demand) {
        fprintf(x->gp, "plot '%s' using 1:7:8 with filledcurves lc rgb '#D55E00' title ", dat);
        ps_plot__gp_quoted(x, ps_plot__msg(MSG_SHORTAGE, x->opt->lang), NULL, NULL);
        fprintf(x->gp, ", \\\n     '%s' using 1:2:8 with filledcurves lc rgb '#009E73' title ", dat);
        ps_plot__gp_quoted(x, ps_plot__msg(MSG_SURPLUS, x->opt->lang), NULL, NULL);
        fputs(", \\\n    ", x->gp);
    } else {
        fputs("plot", x->gp);
    }
    fprintf(x->gp, " '%s' using 1:2 with lines lt 8 lw 2.5 title ", dat);
    ps_plot__gp_quoted(x, ps_plot__msg(has_demand ? MSG_CHILDCARE_DEMAND : MSG_CHILDREN_0_2,
                                       x->opt->lang), NULL, NULL);
    /* One line per curve: the scenario's capacity carries its target in its key, and a
     * reference line (4.5 or 5 per 1,000) that the capacity coincides with is left out. */
    const int has_cap = sv != NULL && sv->var[SVC_CAPACITY] != NULL;
    const double tgt = sv != NULL ? sv->target_per_1000 : NAN;
    char value[160] = "";
    if (sv != NULL && !isnan(tgt)) {
        ps_plot__target_text(value, sizeof value, sv, x->opt->lang);
    }
    if (!(has_cap && tgt == PS_PLOT_SPOTS_PER1000_LOW)) {
        spots_label(label, sizeof label, x, PS_PLOT_SPOTS_PER1000_LOW);
        fprintf(x->gp, ", \\\n     '%s' using 1:3 with lines lt 1 dt 2 title ", dat);
        ps_plot__gp_quoted(x, label, NULL, NULL);
    }
    if (!(has_cap && tgt == PS_PLOT_SPOTS_PER1000_HIGH)) {
        spots_label(label, sizeof label, x, PS_PLOT_SPOTS_PER1000_HIGH);
        fprintf(x->gp, ", \\\n     '%s' using 1:4 with lines lt 1 dt 1 title ", dat);
        ps_plot__gp_quoted(x, label, NULL, NULL);
    }
    if (has_cap) {
        fprintf(x->gp, ", \\\n     '%s' using 1:5 with lines lt 5 lw 2.5 title ", dat);
        ps_plot__gp_quoted(x, ps_plot__msg(MSG_CAPACITY_FILE, x->opt->lang),
                           value[0] != '\0' ? ": " : NULL, value[0] != '\0' ? value : NULL);
    } else if (value[0] != '\0') {
        fprintf(x->gp, ", \\\n     '%s' using 1:6 with lines lt 4 dt 3 title ", dat);
        ps_plot__gp_quoted(x, ps_plot__msg(MSG_TARGET, x->opt->lang), ": ", value);
    }
    fputc('\n', x->gp);
    return PS_OK;
}

/* Sum over the elderly services of one variable (NaN if none has it), in thousands. */
static double elderly_sum(const plot_scenario *sc, plot_svc_var v, int y, double unit)
{
    double sum = NAN;
    for (int k = ps_plot__find_service(sc, "elderly", 0); k >= 0;
         k = ps_plot__find_service(sc, "elderly", k + 1)) {
        double cell = in_unit(sc->svc[k].var[v], y, unit);
        if (!isnan(cell)) {
            sum = isnan(sum) ? cell : sum + cell;
        }
    }
    return sum;
}

/* Beds the demand needs (thousands): capacity - surplus + shortage = demand / occupancy,
 * summed over the elderly services with a capacity target; NaN if none has one. */
static double elderly_needed(const plot_scenario *sc, int y, double unit)
{
    double sum = NAN;
    for (int k = ps_plot__find_service(sc, "elderly", 0); k >= 0;
         k = ps_plot__find_service(sc, "elderly", k + 1)) {
        double cap = in_unit(sc->svc[k].var[SVC_CAPACITY], y, unit);
        double surplus = in_unit(sc->svc[k].var[SVC_SURPLUS], y, unit);
        double shortage = in_unit(sc->svc[k].var[SVC_SHORTAGE], y, unit);
        if (!isnan(cap) && !isnan(surplus) && !isnan(shortage)) {
            double cell = cap - surplus + shortage;
            sum = isnan(sum) ? cell : sum + cell;
        }
    }
    return sum;
}

/* Index of the l-th elderly service of a scenario, -1 if there are fewer. */
static int nth_elderly(const plot_scenario *sc, int l)
{
    int k = ps_plot__find_service(sc, "elderly", 0);
    for (int i = 0; i < l && k >= 0; ++i) {
        k = ps_plot__find_service(sc, "elderly", k + 1);
    }
    return k;
}

ps_status ps_plot__elderly(plot_ctx *x, ps_error *err)
{
    const plot_scenario *sc = &x->s->scn[x->chart->scenario];
    const ps_result *r = &sc->res;
    const double unit = ps_plot__count_unit(x->opt->lang);
    char target[160] = "";
    int n = 0;
    (void)err;
    /* The basis of the beds line: the first elderly service with a per-1,000 target. */
    for (int k = ps_plot__find_service(sc, "elderly", 0); k >= 0 && target[0] == '\0';
         k = ps_plot__find_service(sc, "elderly", k + 1)) {
        ps_plot__target_text(target, sizeof target, &sc->svc[k], x->opt->lang);
    }
    while (nth_elderly(sc, n) >= 0) {
        ++n;
    }
    fputs("# year | demand by service (thousands; 10^4 in Chinese charts), cumulated over the "
          "services in file order | beds at the services' targets | beds the demand needs\n",
          x->dat);
    for (int y = 0; y < r->n_years; ++y) {
        double cum = 0.0;
        fprintf(x->dat, "%d", r->start_year + y);
        for (int l = 0; l < n; ++l) {
            double d = in_unit(sc->svc[nth_elderly(sc, l)].var[SVC_DEMAND], y, unit);
            cum += isnan(d) ? 0.0 : d;
            ps_plot__dat_value(x, cum);
        }
        ps_plot__dat_value(x, elderly_sum(sc, SVC_CAPACITY, y, unit));
        ps_plot__dat_value(x, elderly_needed(sc, y, unit));
        fputc('\n', x->dat);
    }
    ps_plot__gp_set_text(x, "title", MSG_ELDERLY, r->title != NULL ? r->title : r->name);
    ps_plot__gp_set_text(x, "ylabel", MSG_ELDERLY_AXIS, NULL);
    ps_plot__gp_set_text(x, "xlabel", MSG_YEAR, NULL);
    /* Below the plot: inside, the key would hide the stacked areas it names. */
    fputs("set key below left\nset yrange [0:*]\n", x->gp);
    /* Stacked areas: the highest cumulated level first, each lower one drawn over it. */
    for (int l = n - 1; l >= 0; --l) {
        fprintf(x->gp, "%s '%s' using 1:%d with filledcurves y1=0 lt %d fs solid 0.7 title ",
                l == n - 1 ? "plot" : ", \\\n    ", x->dat_name, 2 + l, l + 1);
        ps_plot__gp_quoted(x, sc->svc[nth_elderly(sc, l)].title, NULL, NULL);
    }
    fprintf(x->gp, ", \\\n     '%s' using 1:%d with lines lt 8 lw 2.5 title ", x->dat_name, 2 + n);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_BEDS_CAPACITY, x->opt->lang),
                       target[0] != '\0' ? ", " : NULL, target);
    fprintf(x->gp, ", \\\n     '%s' using 1:%d with lines lt 8 dt 2 lw 2.5 title ", x->dat_name,
            3 + n);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_BEDS_TARGET, x->opt->lang), NULL, NULL);
    fputc('\n', x->gp);
    return PS_OK;
}

/* Births of the policy scenario minus its baseline in one calendar year, NaN if unknown. */
static double births_gained_in(const ps_plot_set *s, const plot_scenario *sc, int year)
{
    int y = year - sc->res.start_year;
    if (sc->gained != NULL && y >= 0 && y < sc->res.n_years) {
        return sc->gained[y];
    }
    if (sc->baseline_idx < 0) {
        return NAN;
    }
    return ps_result_births(&sc->res, year) -
           ps_result_births(&s->scn[sc->baseline_idx].res, year);
}

ps_status ps_plot__policy_effect(plot_ctx *x, ps_error *err)
{
    const ps_plot_set *s = x->s;
    const ps_result *r0 = &s->scn[0].res;
    int first = r0->start_year, last = r0->start_year + r0->n_years - 1, panel_plots[2] = { 0, 0 };
    (void)err;
    for (int k = 0; k < s->n_scn; ++k) {
        const ps_result *r = &s->scn[k].res;
        first = r->start_year < first ? r->start_year : first;
        last = r->start_year + r->n_years - 1 > last ? r->start_year + r->n_years - 1 : last;
    }
    fputs("# year | per scenario: births gained (thousands; 10^4 in Chinese charts) | cumulative "
          "cost (million yuan; 10^8 yuan in Chinese charts)\n", x->dat);
    double *cum = calloc((size_t)s->n_scn + 1, sizeof *cum);
    if (cum == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int year = first; year <= last; ++year) {
        fprintf(x->dat, "%d", year);
        for (int k = 0; k < s->n_scn; ++k) {
            const plot_scenario *sc = &s->scn[k];
            int y = year - sc->res.start_year;
            double cost = y >= 0 && y < sc->res.n_years ? ps_plot__policy_cost(sc, y) : NAN;
            cum[k] += isnan(cost) ? 0.0 : cost / ps_plot__money_unit(x->opt->lang);
            ps_plot__dat_value(x, sc->is_policy ? births_gained_in(s, sc, year) /
                                                      ps_plot__count_unit(x->opt->lang)
                                                : NAN);
            ps_plot__dat_value(x, sc->n_instr > 0 && y >= 0 && y < sc->res.n_years ? cum[k] : NAN);
        }
        fputc('\n', x->dat);
    }
    free(cum);
    fputs("set multiplot layout 2,1 title ", x->gp);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_POLICY_EFFECT, x->opt->lang), NULL, NULL);
    fputc('\n', x->gp);
    int n_policy = 0;
    for (int k = 0; k < s->n_scn; ++k) {
        n_policy += s->scn[k].gained != NULL || s->scn[k].baseline_idx >= 0;
    }
    const int many = ps_plot__key_beside(x, n_policy), half = (n_policy + 1) / 2;
    for (int panel = 0; panel < 2; ++panel) {
        ps_plot__gp_set_text(x, "ylabel", panel == 0 ? MSG_BIRTHS_GAINED_AXIS : MSG_CUM_COST_AXIS,
                             NULL);
        if (panel == 1) {
            ps_plot__gp_set_text(x, "xlabel", MSG_YEAR, NULL);
        }
        for (int k = 0; k < s->n_scn; ++k) {
            const plot_scenario *sc = &s->scn[k];
            int drawn = panel == 0 ? sc->gained != NULL || sc->baseline_idx >= 0 : sc->n_instr > 0;
            if (!drawn) {
                continue;
            }
            fprintf(x->gp, "%s '%s' using 1:%d with lines lt %d",
                    panel_plots[panel]++ == 0 ? "plot" : ", \\\n    ", x->dat_name,
                    2 + 2 * k + panel, k + 1);
            /* panel_plots[panel] counts this panel's series, this one included. */
            if (!many ? panel == 0 : (panel == 0) == (panel_plots[panel] <= half)) {
                ps_plot__gp_key_scenario(x, k);
            } else {
                fputs(" notitle", x->gp);
            }
        }
        /* An empty panel still needs a plot command to keep the layout. */
        fputs(panel_plots[panel] == 0 ? "plot 0 lt 8 dt 3 notitle\n" : "\n", x->gp);
    }
    fputs("unset multiplot\n", x->gp);
    return PS_OK;
}

/* Cost per additional birth of a scenario in yuan: the attribute, else total cost over
 * births gained, else NaN. */
static double cost_per_birth(const plot_scenario *sc)
{
    if (!isnan(sc->cost_per_birth)) {
        return sc->cost_per_birth;
    }
    double total = 0.0;
    for (int y = 0; y < sc->res.n_years; ++y) {
        double c = ps_plot__policy_cost(sc, y);
        total += isnan(c) ? 0.0 : c;
    }
    return sc->births_gained > 0.0 ? total / sc->births_gained : NAN;
}

/*
 * Horizontal bars, one per policy scenario, labelled with the scenario's title on the y axis
 * (titles are long: horizontal bars keep them readable for a 21-member family) and the value
 * at the end of each bar. The x range leaves room after the longest bar for its label, so no
 * label reaches the frame or the title (issue #16).
 */
#define COST_BAR_HALF_HEIGHT 0.3
#define COST_LABEL_ROOM 0.18 /* fraction of the x range kept free right of the longest bar */

ps_status ps_plot__policy_cost_bars(plot_ctx *x, ps_error *err)
{
    const ps_plot_set *s = x->s;
    const double unit = ps_plot__money_small_unit(x->opt->lang);
    char label[4 * PS_PLOT_KEY_CHARS + 8];
    int bar = 0;
    double top = 0.0;
    (void)err;
    fputs("# bar | cost per additional birth (thousand yuan; 10^4 yuan in Chinese charts); bar "
          "labels are in the .gp ytics\n", x->dat);
    fputs("set ytics (", x->gp);
    for (int k = s->n_scn - 1; k >= 0; --k) { /* first scenario at the top */
        double v = cost_per_birth(&s->scn[k]);
        if (!s->scn[k].is_policy || isnan(v)) {
            continue;
        }
        fprintf(x->dat, "%d", bar);
        ps_plot__dat_value(x, v / unit);
        fputc('\n', x->dat);
        top = fmax(top, v / unit);
        fputs(bar > 0 ? ", " : "", x->gp);
        ps_plot__gp_quoted(x, ps_plot__scenario_label(label, sizeof label, &s->scn[k].res,
                                                      PS_PLOT_KEY_CHARS), NULL, NULL);
        fprintf(x->gp, " %d", bar++);
    }
    fputs(")\n", x->gp);
    ps_plot__gp_set_text(x, "title", MSG_POLICY_COST, NULL);
    ps_plot__gp_set_text(x, "xlabel", MSG_COST_PER_BIRTH_AXIS, NULL);
    fprintf(x->gp, "set yrange [-0.6:%g]\nset xrange [0:%g]\nunset key\nset grid xtics\n"
            "plot '%s' using 2:1:(0):2:($1-%g):($1+%g) with boxxyerror lt 1 fs solid 0.8, \\\n"
            "     '%s' using 2:1:(sprintf(' %%.1f', $2)) with labels left notitle\n",
            bar - 0.4, top > 0.0 ? top * (1.0 + COST_LABEL_ROOM) : 1.0, x->dat_name,
            COST_BAR_HALF_HEIGHT, COST_BAR_HALF_HEIGHT, x->dat_name);
    return PS_OK;
}

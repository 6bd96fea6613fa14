/*
 * charts_pop.c - the demographic charts: population pyramids (base year against a chosen
 * year, baseline against policy), births and TFR of every scenario, births by birth order,
 * dependency ratios, and fan charts of variables with quantiles.
 *
 * Counts are drawn in thousands of persons (ps_plot__count_unit(x->opt->lang)). Whole-file charts run
 * over the union of the scenarios' years; a scenario without a value in a year writes '?',
 * which the scripts declare as gnuplot's missing-value marker.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "popsim/units.h"

/* Half the height of a pyramid bar, in years of age (bars of adjacent ages leave a gap). */
#define PYRAMID_BAR_HALF 0.42
/* Pyramid axis ticks per side, and the "nice" multiples a tick step is rounded up to. */
#define PYRAMID_TICKS_PER_SIDE 4
/* Head room above the largest bar, as a fraction of it. */
#define PYRAMID_MARGIN 0.05

/* Persons of one sex at one age, all regions, in units of `unit` persons. */
static double sex_age(const ps_result *r, int y, int sex, int age, double unit)
{
    double sum = 0.0;
    for (int reg = 0; reg < r->n_regions; ++reg) {
        sum += r->population[ps_result_cell(r, y, reg, sex, age)];
    }
    return sum / unit;
}

/* Smallest 1, 2 or 5 x 10^k at least raw: tick steps people read at a glance. */
static double nice_step(double raw)
{
    static const double nice[] = { 1.0, 2.0, 5.0, 10.0 };
    double mag = pow(10.0, floor(log10(raw)));
    for (size_t k = 0; k < sizeof nice / sizeof nice[0]; ++k) {
        if (raw <= nice[k] * mag) {
            return nice[k] * mag;
        }
    }
    return raw;
}

/* Data of two (result, year index) pairs by age, and the matching symmetric x axis. */
static ps_status pyramid_data(plot_ctx *x, const ps_result *ra, int ya, const ps_result *rb,
                              int yb)
{
    static const char *const cols[] = { "age", "male A (thousands; 10^4 in zh)", "female A",
                                        "male B", "female B" };
    double top = 0.0;
    const double unit = ps_plot__count_unit(x->opt->lang);
    int n_ages = ra->n_ages < rb->n_ages ? ra->n_ages : rb->n_ages;
    ps_plot__dat_header(x, cols, (int)(sizeof cols / sizeof cols[0]));
    for (int age = 0; age < n_ages; ++age) {
        double v[] = { sex_age(ra, ya, PS_SEX_MALE, age, unit),
                       sex_age(ra, ya, PS_SEX_FEMALE, age, unit),
                       sex_age(rb, yb, PS_SEX_MALE, age, unit),
                       sex_age(rb, yb, PS_SEX_FEMALE, age, unit) };
        fprintf(x->dat, "%d", age);
        for (size_t k = 0; k < sizeof v / sizeof v[0]; ++k) {
            ps_plot__dat_value(x, v[k]);
            top = isfinite(v[k]) && v[k] > top ? v[k] : top;
        }
        fputc('\n', x->dat);
    }
    double step = nice_step(top > 0.0 ? top / PYRAMID_TICKS_PER_SIDE : 1.0);
    double lim = top * (1.0 + PYRAMID_MARGIN);
    fprintf(x->gp, "set xrange [%.10g:%.10g]\nset yrange [-1:%d]\nset xtics (", -lim, lim, n_ages);
    for (int k = -PYRAMID_TICKS_PER_SIDE; k <= PYRAMID_TICKS_PER_SIDE; ++k) {
        fprintf(x->gp, "%s'%.10g' %.10g", k > -PYRAMID_TICKS_PER_SIDE ? ", " : "",
                fabs(k * step), k * step);
    }
    fputs(")\nset grid xtics\n", x->gp);
    ps_plot__gp_set_text(x, "xlabel", MSG_THOUSAND_PERSONS, NULL);
    ps_plot__gp_set_text(x, "ylabel", MSG_AGE, NULL);
    fputs("set label 1 ", x->gp);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_MALE, x->opt->lang), NULL, NULL);
    fputs(" at graph 0.02, graph 0.96 left\nset label 2 ", x->gp);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_FEMALE, x->opt->lang), NULL, NULL);
    fputs(" at graph 0.98, graph 0.96 right\nset key outside bottom center horizontal\n", x->gp);
    return PS_OK;
}

/* Bars for pair B (columns 4, 5) titled key_b; outline for pair A (2, 3) titled key_a. */
static void pyramid_plot(plot_ctx *x, const char *key_b, const char *key_a)
{
    const char *dat = x->dat_name;
    fprintf(x->gp, "plot '%s' using (-$4/2):1:($4/2):(%g) with boxxyerror lt 1 fs solid 0.6 "
            "title ", dat, PYRAMID_BAR_HALF);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_MALE, x->opt->lang), ", ", key_b);
    fprintf(x->gp, ", \\\n     '%s' using ($5/2):1:($5/2):(%g) with boxxyerror lt 2 fs solid 0.6 "
            "title ", dat, PYRAMID_BAR_HALF);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_FEMALE, x->opt->lang), ", ", key_b);
    fprintf(x->gp, ", \\\n     '%s' using (-$2):1 with lines lt 8 lw 1.5 title ", dat);
    ps_plot__gp_quoted(x, key_a, NULL, NULL);
    fprintf(x->gp, ", \\\n     '%s' using 3:1 with lines lt 8 lw 1.5 notitle\n", dat);
}

static ps_status year_error(const ps_result *r, int year, ps_error *err)
{
    return ps_error_set(err, PS_EINVAL, "pyramid year %d is outside %d..%d of scenario '%s'",
                        year, r->start_year + 1, r->start_year + r->n_years - 1, r->name);
}

ps_status ps_plot__pyramid(plot_ctx *x, ps_error *err)
{
    const ps_result *r = &x->s->scn[x->chart->scenario].res;
    int year = ps_plot__pyramid_year(r, x->opt->pyramid_year);
    int y = year - r->start_year;
    char key_a[16], key_b[16];
    if (y <= 0 || y >= r->n_years) {
        return year_error(r, year, err);
    }
    snprintf(key_a, sizeof key_a, "%d", r->start_year);
    snprintf(key_b, sizeof key_b, "%d", year);
    ps_plot__gp_set_text(x, "title", MSG_PYRAMID, r->title != NULL ? r->title : r->name);
    pyramid_data(x, r, 0, r, y);
    pyramid_plot(x, key_b, key_a);
    return PS_OK;
}

ps_status ps_plot__pyramid_policy(plot_ctx *x, ps_error *err)
{
    const plot_scenario *sc = &x->s->scn[x->chart->scenario];
    const ps_result *r = &sc->res, *base = &x->s->scn[sc->baseline_idx].res;
    int year = ps_plot__pyramid_year(r, x->opt->pyramid_year);
    int y = year - r->start_year, yb = year - base->start_year;
    char key_b[512], key_a[512];
    if (y <= 0 || y >= r->n_years) {
        return year_error(r, year, err);
    }
    if (yb < 0 || yb >= base->n_years) {
        return year_error(base, year, err);
    }
    snprintf(key_b, sizeof key_b, "%s %d", r->name, year);
    snprintf(key_a, sizeof key_a, "%s %d", base->name, year);
    ps_plot__gp_set_text(x, "title", MSG_PYRAMID_POLICY, key_a);
    pyramid_data(x, base, yb, r, y);
    pyramid_plot(x, key_b, key_a);
    return PS_OK;
}

/* First and last calendar year over all scenarios. */
static void year_span(const ps_plot_set *s, int *first, int *last)
{
    *first = s->scn[0].res.start_year;
    *last = *first;
    for (int k = 0; k < s->n_scn; ++k) {
        const ps_result *r = &s->scn[k].res;
        *first = r->start_year < *first ? r->start_year : *first;
        *last = r->start_year + r->n_years - 1 > *last ? r->start_year + r->n_years - 1 : *last;
    }
}

/* Year index of a calendar year in r, or -1 outside its range. */
static int year_index(const ps_result *r, int year)
{
    int y = year - r->start_year;
    return y >= 0 && y < r->n_years ? y : -1;
}

/* Header "year | <name> births | <name> tfr ..." for `per` columns per scenario. */
static void scenario_header(plot_ctx *x, const char *const *what, int per)
{
    fputs("# year", x->dat);
    for (int k = 0; k < x->s->n_scn; ++k) {
        for (int c = 0; c < per; ++c) {
            fputs(" | ", x->dat);
            ps_plot__put_plain(x->dat, x->s->scn[k].res.name);
            fprintf(x->dat, " %s", what[c]);
        }
    }
    fputc('\n', x->dat);
}

/*
 * The TFR axis: two decimals, over at least TFR_MIN_SPAN children per woman. With gnuplot's
 * autoscale a nearly constant TFR (a planner's file held at one level) spans a few
 * thousandths, and ticks 0.001 apart printed with two decimals all read "0.90" (issue #16).
 */
#define TFR_MIN_SPAN 0.1

static void tfr_axis(plot_ctx *x, int first, int last)
{
    const ps_plot_set *s = x->s;
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < s->n_scn; ++k) {
        const ps_result *r = &s->scn[k].res;
        for (int year = first; year <= last; ++year) {
            int y = year_index(r, year);
            double v = y < 0 ? NAN : ps_plot__tfr(r, y);
            if (isfinite(v)) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
    }
    if (isfinite(lo) && hi - lo < TFR_MIN_SPAN) {
        double mid = (lo + hi) / 2;
        fprintf(x->gp, "set yrange [%.3f:%.3f]\n", fmax(0.0, mid - TFR_MIN_SPAN),
                mid + TFR_MIN_SPAN);
    }
    fputs("set format y '%.2f'\n", x->gp);
}

ps_status ps_plot__births_tfr(plot_ctx *x, ps_error *err)
{
    static const char *const what[] = { "births (thousand)", "TFR" };
    const ps_plot_set *s = x->s;
    int first, last;
    (void)err;
    year_span(s, &first, &last);
    scenario_header(x, what, 2);
    for (int year = first; year <= last; ++year) {
        fprintf(x->dat, "%d", year);
        for (int k = 0; k < s->n_scn; ++k) {
            const ps_result *r = &s->scn[k].res;
            int y = year_index(r, year);
            ps_plot__dat_value(x, y < 0 ? NAN : ps_result_births(r, year) / ps_plot__count_unit(x->opt->lang));
            ps_plot__dat_value(x, y < 0 ? NAN : ps_plot__tfr(r, y));
        }
        fputc('\n', x->dat);
    }
    fputs("set multiplot layout 2,1 title ", x->gp);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_BIRTHS_TFR, x->opt->lang), NULL, NULL);
    fputc('\n', x->gp);
    ps_plot__gp_set_text(x, "ylabel", MSG_BIRTHS_THOUSANDS, NULL);
    /* Many scenarios: both panels end at the same right margin, so the x axes stay aligned,
     * and the strip to their right holds the key in one column: the first half of the
     * scenarios beside the top panel, the rest beside the bottom one (same colours). */
    const int many = ps_plot__key_beside(x, s->n_scn), half = (s->n_scn + 1) / 2;
    for (int panel = 0; panel < 2; ++panel) {
        if (panel == 1) {
            ps_plot__gp_set_text(x, "ylabel", MSG_TFR_AXIS, NULL);
            ps_plot__gp_set_text(x, "xlabel", MSG_YEAR, NULL);
            tfr_axis(x, first, last);
        }
        for (int k = 0; k < s->n_scn; ++k) {
            fprintf(x->gp, "%s '%s' using 1:%d with lines lt %d", k == 0 ? "plot" : ", \\\n    ",
                    x->dat_name, 2 + 2 * k + panel, k + 1);
            if (many ? (panel == 0) == (k < half) : panel == 0) {
                ps_plot__gp_key_scenario(x, k);
            } else {
                fputs(" notitle", x->gp);
            }
        }
        fputc('\n', x->gp);
    }
    fputs("unset multiplot\n", x->gp);
    return PS_OK;
}

/* "1st"-style label of order o (the last order is open: "3+"), in the chart's language. */
static void order_label(char *buf, size_t size, const plot_ctx *x, int o, int is_last)
{
    ps_plot_lang l = x->opt->lang;
    snprintf(buf, size, "%s%d%s%s", ps_plot__msg(MSG_ORDER_PREFIX, l), o,
             ps_plot__msg(MSG_ORDER_SUFFIX, l), is_last ? ps_plot__msg(MSG_ORDER_OPEN, l) : "");
}

ps_status ps_plot__births_order(plot_ctx *x, ps_error *err)
{
    const plot_scenario *sc = &x->s->scn[x->chart->scenario];
    const ps_result *r = &sc->res;
    int n = sc->n_orders;
    (void)err;
    fputs("# year | births by order (thousand), one column per order | the same, cumulated\n",
          x->dat);
    for (int y = 0; y < r->n_years; ++y) {
        const double *b = &sc->births_order[(size_t)y * (size_t)n];
        double cum = 0.0;
        if (!isfinite(ps_result_births(r, r->start_year + y))) {
            continue; /* the last year has no step and so no births */
        }
        fprintf(x->dat, "%d", r->start_year + y);
        for (int o = 0; o < n; ++o) {
            ps_plot__dat_value(x, b[o] / ps_plot__count_unit(x->opt->lang));
        }
        for (int o = 0; o < n; ++o) {
            cum += b[o] / ps_plot__count_unit(x->opt->lang);
            ps_plot__dat_value(x, cum);
        }
        fputc('\n', x->dat);
    }
    ps_plot__gp_set_text(x, "title", MSG_BIRTHS_ORDER, r->title != NULL ? r->title : r->name);
    ps_plot__gp_set_text(x, "ylabel", MSG_BIRTHS_THOUSANDS, NULL);
    ps_plot__gp_set_text(x, "xlabel", MSG_YEAR, NULL);
    fputs("set key top right\nset yrange [0:*]\n", x->gp);
    /* Stacked areas: the highest cumulated order first, each lower one drawn over it. */
    for (int o = n - 1; o >= 0; --o) {
        char label[64];
        order_label(label, sizeof label, x, sc->orders[o], o == n - 1 && n > 1);
        fprintf(x->gp, "%s '%s' using 1:%d with filledcurves y1=0 lt %d fs solid 0.8 title ",
                o == n - 1 ? "plot" : ", \\\n    ", x->dat_name, 2 + n + o, o + 1);
        ps_plot__gp_quoted(x, label, NULL, NULL);
    }
    fputc('\n', x->gp);
    return PS_OK;
}

ps_status ps_plot__dependency(plot_ctx *x, ps_error *err)
{
    static const char *const what[] = { "young (0-14)", "old (65+)", "total" };
    static const plot_msg labels[] = { MSG_DEP_OLD, MSG_DEP_TOTAL, MSG_DEP_YOUNG };
    static const int column[] = { 1, 2, 0 }, dash[] = { 1, 2, 3 };
    const ps_plot_set *s = x->s;
    int first, last;
    (void)err;
    year_span(s, &first, &last);
    scenario_header(x, what, 3);
    for (int year = first; year <= last; ++year) {
        fprintf(x->dat, "%d", year);
        for (int k = 0; k < s->n_scn; ++k) {
            const ps_result *r = &s->scn[k].res;
            int y = year_index(r, year);
            double young = y < 0 ? NAN : ps_plot__age_sum(r, y, 0, PS_PLOT_CHILD_AGE_MAX);
            double old = y < 0 ? NAN : ps_plot__age_sum(r, y, PS_PLOT_OLD_AGE_MIN, r->n_ages);
            double work = y < 0 ? NAN
                                : ps_plot__age_sum(r, y, PS_PLOT_CHILD_AGE_MAX + 1,
                                                   PS_PLOT_OLD_AGE_MIN - 1);
            ps_plot__dat_value(x, PS_PLOT_PER_HUNDRED * young / work);
            ps_plot__dat_value(x, PS_PLOT_PER_HUNDRED * old / work);
            ps_plot__dat_value(x, PS_PLOT_PER_HUNDRED * (young + old) / work);
        }
        fputc('\n', x->dat);
    }
    ps_plot__gp_set_text(x, "title", MSG_DEPENDENCY, NULL);
    ps_plot__gp_set_text(x, "ylabel", MSG_PER_100, NULL);
    ps_plot__gp_set_text(x, "xlabel", MSG_YEAR, NULL);
    fputs("set yrange [0:*]\n", x->gp);
    /* The key names each line style once (black: old-age solid, total dashed, child dotted;
     * NaN draws nothing) and each scenario once by its title, in its colour, so it stays
     * short for a 21-member family. */
    ps_plot__key_beside(x, s->n_scn + 3);
    for (int c = 0; c < 3; ++c) {
        fprintf(x->gp, "%s NaN with lines lt 8 dt %d title ", c == 0 ? "plot" : ", \\\n    ",
                dash[c]);
        ps_plot__gp_quoted(x, ps_plot__msg(labels[c], x->opt->lang), NULL, NULL);
    }
    for (int k = 0; k < s->n_scn; ++k) {
        for (int c = 0; c < 3; ++c) {
            fprintf(x->gp, ", \\\n     '%s' using 1:%d with lines lt %d dt %d", x->dat_name,
                    2 + 3 * k + column[c], k + 1, dash[c]);
            if (c == 0) {
                ps_plot__gp_key_scenario(x, k);
            } else {
                fputs(" notitle", x->gp);
            }
        }
    }
    fputc('\n', x->gp);
    return PS_OK;
}

ps_status ps_plot__fan(plot_ctx *x, ps_error *err)
{
    const plot_scenario *sc = &x->s->scn[x->chart->scenario];
    const plot_fan *fan = &sc->fans[x->chart->item];
    const ps_result *r = &sc->res;
    (void)err;
    fprintf(x->dat, "# year | q0.025 | q0.10 | q0.50 | q0.90 | q0.975%s ('?' where the file "
            "lacks the level)\n", fan->ref != NULL ? " | reference (median target capacity)" : "");
    for (int y = 0; y < r->n_years; ++y) {
        fprintf(x->dat, "%d", r->start_year + y);
        for (int q = 0; q < FAN_Q_COUNT; ++q) {
            ps_plot__dat_value(x, fan->q[q] != NULL ? fan->q[q][y] : NAN);
        }
        if (fan->ref != NULL) {
            ps_plot__dat_value(x, fan->ref[y]);
        }
        fputc('\n', x->dat);
    }
    /* The .dat holds the stored values; the script scales them (persons to the language's
     * count unit, ratios to per 100), so the data block stays the file's quantiles. */
    const double scale = fan->per / (fan->counts ? ps_plot__count_unit(x->opt->lang) : 1.0);
    fputs("set title ", x->gp);
    if (fan->text != NULL) { /* a service fan (load_prob_svc.c): its own bilingual label */
        char what[256];
        snprintf(what, sizeof what, "%s: %s", ps_plot__msg(MSG_FAN, x->opt->lang),
                 fan->text[x->opt->lang]);
        ps_plot__gp_quoted(x, what, ", ", r->name);
        fputs("\nset ylabel ", x->gp);
        ps_plot__gp_quoted(x, fan->text[x->opt->lang], NULL, NULL);
    } else if (fan->label >= 0) {
        char what[256];
        snprintf(what, sizeof what, "%s: %s", ps_plot__msg(MSG_FAN, x->opt->lang),
                 ps_plot__msg((plot_msg)fan->label, x->opt->lang));
        ps_plot__gp_quoted(x, what, ", ", r->name);
        fputs("\nset ylabel ", x->gp);
        ps_plot__gp_quoted(x, ps_plot__msg((plot_msg)fan->label, x->opt->lang), NULL, NULL);
    } else {
        char what[512];
        snprintf(what, sizeof what, "%s: %s", ps_plot__msg(MSG_FAN, x->opt->lang),
                 fan->title != NULL ? fan->title : fan->var);
        ps_plot__gp_quoted(x, what, ", ", r->title != NULL && r->title[0] ? r->title : r->name);
        fputs("\nset ylabel ", x->gp);
        ps_plot__gp_quoted(x, fan->title != NULL ? fan->title : fan->var,
                           fan->units[0] ? ", " : NULL, fan->units);
    }
    fputc('\n', x->gp);
    ps_plot__gp_set_text(x, "xlabel", MSG_YEAR, NULL);
    fprintf(x->gp, "scale = %.17g\n", scale);
    const char *sep = "plot";
    if (fan->q[FAN_Q025] != NULL && fan->q[FAN_Q975] != NULL) {
        fprintf(x->gp, "%s '%s' using 1:($2*scale):($6*scale) with filledcurves lt 1 fs "
                "transparent solid 0.2 title ", sep, x->dat_name);
        ps_plot__gp_quoted(x, ps_plot__msg(MSG_BAND_95, x->opt->lang), NULL, NULL);
        sep = ", \\\n    ";
    }
    if (fan->q[FAN_Q10] != NULL && fan->q[FAN_Q90] != NULL) {
        fprintf(x->gp, "%s '%s' using 1:($3*scale):($5*scale) with filledcurves lt 1 fs "
                "transparent solid 0.45 title ", sep, x->dat_name);
        ps_plot__gp_quoted(x, ps_plot__msg(MSG_BAND_80, x->opt->lang), NULL, NULL);
        sep = ", \\\n    ";
    }
    fprintf(x->gp, "%s '%s' using 1:($4*scale) with lines lt 1 lw 2.5 title ", sep,
            x->dat_name);
    ps_plot__gp_quoted(x, ps_plot__msg(MSG_MEDIAN, x->opt->lang), NULL, NULL);
    if (fan->ref != NULL && fan->ref_text != NULL) {
        fprintf(x->gp, ", \\\n    '%s' using 1:($7*scale) with lines lw 2.5 dt 2 lc rgb '#b2182b' title ",
                x->dat_name);
        ps_plot__gp_quoted(x, fan->ref_text[x->opt->lang], NULL, NULL);
    }
    fputc('\n', x->gp);
    return PS_OK;
}

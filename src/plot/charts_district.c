/*
 * charts_district.c - the districts of a result with several regions (issue #13): the
 * services' per-region series, two small-multiple charts (one panel per region) and the
 * report's per-region section. The other charts and tables sum the regions.
 *
 * Childcare gap by district: capacity at the target minus the places the demand needs
 * (surplus - shortage, docs/services.md eq. 5) and, with a stock file, the existing places
 * minus them (stock - capacity + gap); below 0 the district is short. Elderly beds by
 * district: users of the first elderly service with a capacity target (the institution's
 * residents), the beds at its target and the beds that exist.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

/* The [year][region] series of one service variable, copied from the result read by
 * ps_h5_read (NULL stays NULL: a dataset the file does not have). */
static ps_status regional(double **out, const double *src, const ps_result *r, ps_error *err)
{
    const size_t n = (size_t)r->n_years * (size_t)r->n_regions;
    *out = NULL;
    if (src == NULL) {
        return PS_OK;
    }
    if ((*out = malloc(n * sizeof **out)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    memcpy(*out, src, n * sizeof **out);
    return PS_OK;
}

ps_status ps_plot__load_regional(plot_service *sv, const ps_svc_result *s, const ps_result *r,
                                 ps_error *err)
{
    const double *const src[SVC_REG_COUNT] = { s->demand, s->capacity, s->shortage, s->surplus,
                                               s->stock };
    ps_status rc = PS_OK;
    for (int v = 0; r->n_regions > 1 && rc == PS_OK && v < SVC_REG_COUNT; ++v) {
        rc = regional(&sv->reg[v], src[v], r, err);
    }
    return rc;
}

/* The service a district chart of `kind` draws: childcare, or the first elderly service with
 * a capacity; -1 when the scenario has one region or no such service with regional data. */
int ps_plot__district_service(const plot_scenario *sc, ps_plot_kind kind)
{
    const char *prefix = kind == PS_PLOT_CHILDCARE_DISTRICTS ? "childcare" : "elderly";
    if (sc->res.n_regions < 2) {
        return -1;
    }
    for (int k = ps_plot__find_service(sc, prefix, 0); k >= 0;
         k = ps_plot__find_service(sc, prefix, k + 1)) {
        const plot_service *sv = &sc->svc[k];
        if (sv->reg[SVC_REG_DEMAND] != NULL && sv->reg[SVC_REG_CAPACITY] != NULL &&
            sv->reg[SVC_REG_SHORTAGE] != NULL && sv->reg[SVC_REG_SURPLUS] != NULL) {
            return k;
        }
    }
    return -1;
}

/* Panels in rows and columns: about square, wider than tall. */
static void layout(int n, int *rows, int *cols)
{
    *cols = 1;
    while (*cols * *cols < n) {
        ++*cols;
    }
    *rows = (n + *cols - 1) / *cols;
}

/* Values of one year: `per_region` columns for each region, in the count unit. */
static void write_rows(plot_ctx *x, const ps_result *r, const plot_service *sv,
                       ps_plot_kind kind)
{
    const double unit = ps_plot__count_unit(x->opt->lang);
    for (int y = 0; y < r->n_years; ++y) {
        fprintf(x->dat, "%d", r->start_year + y);
        for (int reg = 0; reg < r->n_regions; ++reg) {
            size_t c = ps_result_regcell(r, y, reg);
            double cap = sv->reg[SVC_REG_CAPACITY][c];
            double gap = sv->reg[SVC_REG_SURPLUS][c] - sv->reg[SVC_REG_SHORTAGE][c];
            double stock = sv->reg[SVC_REG_STOCK] != NULL ? sv->reg[SVC_REG_STOCK][c] : NAN;
            if (kind == PS_PLOT_CHILDCARE_DISTRICTS) {
                ps_plot__dat_value(x, gap / unit);
                ps_plot__dat_value(x, (stock - cap + gap) / unit);
            } else {
                ps_plot__dat_value(x, sv->reg[SVC_REG_DEMAND][c] / unit);
                ps_plot__dat_value(x, cap / unit);
                ps_plot__dat_value(x, stock / unit);
            }
        }
        fputc('\n', x->dat);
    }
}

/* One panel per region, `lines` series each (the first solid, the stock dashed), and one
 * more cell holding the figure's only legend, so no key covers a district's curves. */
static void write_panels(plot_ctx *x, const ps_result *r, const plot_service *sv, int lines,
                         const plot_msg *labels, plot_msg axis)
{
    int rows = 0, cols = 0;
    layout(r->n_regions + 1, &rows, &cols);
    fprintf(x->gp, "set multiplot layout %d,%d title ", rows, cols);
    ps_plot__gp_quoted(x, ps_plot__msg(x->chart->kind == PS_PLOT_CHILDCARE_DISTRICTS
                                           ? MSG_CHILDCARE_DISTRICTS : MSG_ELDERLY_DISTRICTS,
                                       x->opt->lang),
                       ": ", r->title != NULL ? r->title : r->name);
    fputc('\n', x->gp);
    ps_plot__gp_set_text(x, "ylabel", axis, NULL);
    ps_plot__gp_set_text(x, "xlabel", MSG_YEAR, NULL);
    fputs("unset key\n", x->gp);
    for (int reg = 0; reg < r->n_regions; ++reg) {
        fputs("set title ", x->gp);
        ps_plot__gp_quoted(x, r->region_names[reg], NULL, NULL);
        fputc('\n', x->gp);
        for (int l = 0; l < lines; ++l) {
            int col = 2 + reg * lines + l;
            int stock_line = l == lines - 1;
            if (stock_line && sv->reg[SVC_REG_STOCK] == NULL) {
                continue;
            }
            fprintf(x->gp, "%s '%s' using 1:%d with lines lt %d%s notitle", l == 0 ? "plot" : ",",
                    x->dat_name, col, l + 1, stock_line ? " dt 2" : "");
        }
        fputs(x->chart->kind == PS_PLOT_CHILDCARE_DISTRICTS ? ", 0 with lines lt 8 notitle\n"
                                                            : "\n",
              x->gp);
    }
    /* the legend cell: no axes, the same line styles with their names */
    fputs("unset title\nunset xlabel\nunset ylabel\nunset border\nunset tics\n"
          "set xrange [0:1]\nset yrange [0:1]\nset key center center font ',11' spacing 1.4\n",
          x->gp);
    for (int l = 0; l < lines; ++l) {
        int stock_line = l == lines - 1;
        if (stock_line && sv->reg[SVC_REG_STOCK] == NULL) {
            continue;
        }
        fprintf(x->gp, "%s NaN with lines lt %d%s title ", l == 0 ? "plot" : ",", l + 1,
                stock_line ? " dt 2" : "");
        ps_plot__gp_quoted(x, ps_plot__msg(labels[l], x->opt->lang), NULL, NULL);
    }
    fputc('\n', x->gp);
    fputs("unset multiplot\n", x->gp);
}

static ps_status districts(plot_ctx *x, ps_plot_kind kind)
{
    static const plot_msg cc_labels[] = { MSG_GAP_TARGET_LINE, MSG_GAP_STOCK_LINE };
    static const plot_msg el_labels[] = { MSG_RESIDENTS, MSG_BEDS_CAPACITY, MSG_BEDS_STOCK };
    const plot_scenario *sc = &x->s->scn[x->chart->scenario];
    const ps_result *r = &sc->res;
    int k = ps_plot__district_service(sc, kind);
    int cc = kind == PS_PLOT_CHILDCARE_DISTRICTS;
    if (k < 0) {
        return PS_OK; /* planned only when there is one */
    }
    const plot_service *sv = &sc->svc[k];
    fprintf(x->dat, "# year | per region (in region order): %s (thousands; 10^4 in Chinese "
                    "charts)\n", cc ? "capacity - places needed, stock - places needed"
                                    : "users, beds at the target, beds in the stock");
    write_rows(x, r, sv, kind);
    write_panels(x, r, sv, cc ? 2 : 3, cc ? cc_labels : el_labels,
                 cc ? MSG_GAP_AXIS : MSG_ELDERLY_AXIS);
    return PS_OK;
}

ps_status ps_plot__childcare_districts(plot_ctx *x, ps_error *err)
{
    (void)err;
    return districts(x, PS_PLOT_CHILDCARE_DISTRICTS);
}

ps_status ps_plot__elderly_districts(plot_ctx *x, ps_error *err)
{
    (void)err;
    return districts(x, PS_PLOT_ELDERLY_DISTRICTS);
}

/* ---- the report's per-region section ------------------------------------------------------ */

static void put_cell(FILE *out, double v, ps_plot_lang lang)
{
    if (isfinite(v)) {
        fprintf(out, "<td>%.1f</td>", v / ps_plot__count_unit(lang));
    } else {
        fputs("<td>-</td>", out);
    }
}

static void put_th(FILE *out, plot_msg id, ps_plot_lang lang)
{
    fputs("<th>", out);
    ps_plot__put_html(out, ps_plot__msg(id, lang));
    fputs("</th>", out);
}

/* One scenario's table: per region at the first and last year, population, the childcare
 * gap and the elderly beds against the target (and the stock where given). */
static void region_table(FILE *out, const plot_scenario *sc, ps_plot_lang lang)
{
    const ps_result *r = &sc->res;
    int cc = ps_plot__district_service(sc, PS_PLOT_CHILDCARE_DISTRICTS);
    int el = ps_plot__district_service(sc, PS_PLOT_ELDERLY_DISTRICTS);
    const int years[2] = { 0, r->n_years - 1 };
    fputs("<h3>", out);
    ps_plot__put_html(out, r->title != NULL && r->title[0] != '\0' ? r->title : r->name);
    fputs("</h3>\n<table class=\"regions\"><tr>", out);
    put_th(out, MSG_REGION, lang);
    put_th(out, MSG_YEAR_SHORT, lang);
    put_th(out, MSG_REGION_POPULATION, lang);
    put_th(out, MSG_GAP_TARGET_LINE, lang);
    put_th(out, MSG_GAP_STOCK_LINE, lang);
    put_th(out, MSG_RESIDENTS, lang);
    put_th(out, MSG_BEDS_CAPACITY, lang);
    put_th(out, MSG_BEDS_STOCK, lang);
    fputs("</tr>\n", out);
    for (int reg = 0; reg < r->n_regions; ++reg) {
        for (int i = 0; i < 2; ++i) {
            int y = years[i];
            size_t c = ps_result_regcell(r, y, reg);
            double pop = 0.0;
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                for (int age = 0; age < r->n_ages; ++age) {
                    pop += r->population[ps_result_cell(r, y, reg, sex, age)];
                }
            }
            const plot_service *a = cc >= 0 ? &sc->svc[cc] : NULL, *b = el >= 0 ? &sc->svc[el] : NULL;
            double gap = a != NULL ? a->reg[SVC_REG_SURPLUS][c] - a->reg[SVC_REG_SHORTAGE][c] : NAN;
            double stock_gap = a != NULL && a->reg[SVC_REG_STOCK] != NULL
                                   ? a->reg[SVC_REG_STOCK][c] - a->reg[SVC_REG_CAPACITY][c] + gap
                                   : NAN;
            fputs("<tr><td class=\"t\">", out);
            ps_plot__put_html(out, r->region_names[reg]);
            fprintf(out, "</td><td class=\"t\">%d</td>", r->start_year + y);
            put_cell(out, pop, lang);
            put_cell(out, gap, lang);
            put_cell(out, stock_gap, lang);
            put_cell(out, b != NULL ? b->reg[SVC_REG_DEMAND][c] : NAN, lang);
            put_cell(out, b != NULL ? b->reg[SVC_REG_CAPACITY][c] : NAN, lang);
            put_cell(out, b != NULL && b->reg[SVC_REG_STOCK] != NULL ? b->reg[SVC_REG_STOCK][c]
                                                                     : NAN, lang);
            fputs("</tr>\n", out);
        }
    }
    fputs("</table>\n", out);
}

int ps_plot__has_regions(const ps_plot_set *s)
{
    for (int k = 0; k < s->n_scn; ++k) {
        if (s->scn[k].res.n_regions > 1) {
            return 1;
        }
    }
    return 0;
}

void ps_plot__report_regions(FILE *out, const ps_plot_set *s, ps_plot_lang lang)
{
    if (!ps_plot__has_regions(s)) {
        return;
    }
    fputs("<section id=\"regions\"><h2>", out);
    ps_plot__put_html(out, ps_plot__msg(MSG_REGIONS_SECTION, lang));
    fputs("</h2>\n<p>", out);
    ps_plot__put_html(out, ps_plot__msg(MSG_NOTE_DISTRICTS, lang));
    fputs("</p>\n", out);
    for (int k = 0; k < s->n_scn; ++k) {
        if (s->scn[k].res.n_regions > 1) {
            region_table(out, &s->scn[k], lang);
        }
    }
    fputs("</section>\n", out);
}

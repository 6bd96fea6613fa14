/*
 * gp.c - which charts a file supports (ps_plot_plan) and the frame every chart shares: the
 * NAME.dat + NAME.gp pair, the script's preamble (terminal, font, colours) and the small
 * writers for quoted text and data values. The chart bodies live in charts_*.c.
 *
 * Every .gp file is meant to be edited: it starts with a comment saying how to re-draw it,
 * keeps its style in a block at the top, and reads its numbers from NAME.dat by name, so a
 * planner can change colours, labels or size and run `gnuplot NAME.gp` in the same folder.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "popsim/outfile.h"
#include "popsim/version.h"

/* Font of each language: Noto Sans CJK SC (Debian fonts-noto-cjk) has the Chinese glyphs;
 * "Sans" lets fontconfig pick the system's default and fall back to it for CJK names. */
static const char *const font_name[PS_PLOT_LANG_COUNT] = { "Sans", "Noto Sans CJK SC" };
/* Font size in points for bitmap and SVG output at the default 1200 x 800 pixels. */
#define PS_PLOT_FONT_PT 13
/* PDF pages are ~12 inches wide; a smaller point size keeps the same proportions. */
#define PS_PLOT_PDF_FONT_PT 10

/* Colour-blind-safe palette (Okabe and Ito 2008): one colour per scenario or series. */
static const char *const palette[] = { "#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                       "#E69F00", "#56B4E9", "#F0E442", "#000000" };

static const char *const kind_stem[PS_PLOT_KIND_COUNT] = {
    "pyramid", "pyramid_vs_baseline", "births_tfr", "births_order", "childcare",
    "elderly", "dependency", "policy_effect", "policy_cost", "fan", "sweep_frontier",
    "childcare_districts", "elderly_districts",
};

static const plot_writer writers[PS_PLOT_KIND_COUNT] = {
    ps_plot__pyramid,    ps_plot__pyramid_policy, ps_plot__births_tfr,
    ps_plot__births_order, ps_plot__childcare,    ps_plot__elderly,
    ps_plot__dependency, ps_plot__policy_effect,  ps_plot__policy_cost_bars,
    ps_plot__fan,        ps_plot__sweep_frontier, ps_plot__childcare_districts,
    ps_plot__elderly_districts,
};

/* Append a chart; the name is the kind's stem plus slugs of the scenario and the item. */
static void add_chart(ps_plot_chart *charts, int *n, const ps_plot_set *s, ps_plot_kind kind,
                      int scenario, int item)
{
    ps_plot_chart *c = &charts[*n];
    char slug[48], item_slug[48];
    c->kind = kind;
    c->scenario = scenario;
    c->item = item;
    if (scenario < 0) {
        snprintf(c->name, sizeof c->name, "%s", kind_stem[kind]);
    } else {
        ps_plot__slug(slug, sizeof slug, s->scn[scenario].res.name);
        ps_plot__slug(item_slug, sizeof item_slug,
                      item >= 0 ? s->scn[scenario].fans[item].var : "");
        snprintf(c->name, sizeof c->name, "%s_%s%s%s", kind_stem[kind], slug, item >= 0 ? "_" : "",
                 item >= 0 ? item_slug : "");
    }
    /* Names that differ only in characters the slug drops must still get their own files. */
    for (int k = 0; k < *n; ++k) {
        if (strcmp(charts[k].name, c->name) == 0) {
            size_t len = strlen(c->name);
            snprintf(c->name + len, sizeof c->name - len, "_%d", *n);
        }
    }
    ++*n;
}

/* Does any scenario qualify for a whole-file policy chart? */
static int any_policy(const ps_plot_set *s, int need_cost)
{
    for (int k = 0; k < s->n_scn; ++k) {
        const plot_scenario *sc = &s->scn[k];
        if (sc->is_policy && (!need_cost || !isnan(sc->cost_per_birth) ||
                              (sc->n_instr > 0 && sc->births_gained > 0.0))) {
            return 1;
        }
    }
    return 0;
}

ps_status ps_plot_plan(ps_plot_chart **charts_out, int *n_out, const ps_plot_set *s,
                       ps_error *err)
{
    /* At most: 7 per scenario (pyramids, births by order, childcare, elderly, and the two
     * district charts of issue #13), 6 for the whole file (with a sweep's frontier), and one
     * per quantile variable. */
    enum { PER_SCENARIO = 7, WHOLE_FILE = 6 };
    size_t cap = (size_t)s->n_scn * PER_SCENARIO + WHOLE_FILE;
    for (int k = 0; k < s->n_scn; ++k) {
        cap += (size_t)s->scn[k].n_fans;
    }
    ps_plot_chart *c = calloc(cap, sizeof *c);
    int n = 0;
    *charts_out = NULL;
    *n_out = 0;
    if (c == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory planning charts");
    }
    if (s->is_prob) { /* a probabilistic file: the shown location's fans (load_prob.c) */
        for (int f = 0; s->n_scn > 0 && f < s->scn[s->shown].n_fans; ++f) {
            add_chart(c, &n, s, PS_PLOT_FAN, s->shown, f);
        }
        *charts_out = c;
        *n_out = n;
        return PS_OK;
    }
    for (int k = 0; k < s->n_scn; ++k) {
        add_chart(c, &n, s, PS_PLOT_PYRAMID, k, -1);
        if (s->scn[k].baseline_idx >= 0) {
            add_chart(c, &n, s, PS_PLOT_PYRAMID_POLICY, k, -1);
        }
    }
    add_chart(c, &n, s, PS_PLOT_BIRTHS_TFR, -1, -1);
    for (int k = 0; k < s->n_scn; ++k) {
        if (s->scn[k].births_order != NULL) {
            add_chart(c, &n, s, PS_PLOT_BIRTHS_ORDER, k, -1);
        }
    }
    for (int k = 0; k < s->n_scn; ++k) {
        add_chart(c, &n, s, PS_PLOT_CHILDCARE, k, -1);
        if (ps_plot__find_service(&s->scn[k], "elderly", 0) >= 0) {
            add_chart(c, &n, s, PS_PLOT_ELDERLY, k, -1);
        }
    }
    add_chart(c, &n, s, PS_PLOT_DEPENDENCY, -1, -1);
    if (any_policy(s, 0)) {
        add_chart(c, &n, s, PS_PLOT_POLICY_EFFECT, -1, -1);
    }
    if (any_policy(s, 1)) {
        add_chart(c, &n, s, PS_PLOT_POLICY_COST, -1, -1);
    }
    for (int k = 0; k < s->n_scn; ++k) {
        for (int f = 0; f < s->scn[k].n_fans; ++f) {
            add_chart(c, &n, s, PS_PLOT_FAN, k, f);
        }
    }
    if (s->sweep.n_points > 0) {
        add_chart(c, &n, s, PS_PLOT_SWEEP_FRONTIER, -1, -1);
    }
    for (int k = 0; k < s->n_scn; ++k) {
        if (ps_plot__district_service(&s->scn[k], PS_PLOT_CHILDCARE_DISTRICTS) >= 0) {
            add_chart(c, &n, s, PS_PLOT_CHILDCARE_DISTRICTS, k, -1);
        }
        if (ps_plot__district_service(&s->scn[k], PS_PLOT_ELDERLY_DISTRICTS) >= 0) {
            add_chart(c, &n, s, PS_PLOT_ELDERLY_DISTRICTS, k, -1);
        }
    }
    *charts_out = c;
    *n_out = n;
    return PS_OK;
}

/* The terminal line: format, size in pixels (PDF: inches), font of the language. */
static void write_terminal(plot_ctx *x)
{
    const ps_plot_options *o = x->opt;
    const char *font = font_name[o->lang];
    switch (o->format) {
    case PS_PLOT_FORMAT_SVG:
        fprintf(x->gp, "set terminal svg size %d,%d dynamic font '%s,%d' noenhanced background "
                "'#ffffff'\n", o->width_px, o->height_px, font, PS_PLOT_FONT_PT);
        break;
    case PS_PLOT_FORMAT_PDF:
        fprintf(x->gp, "set terminal pdfcairo size %.2fin,%.2fin font '%s,%d' noenhanced\n",
                o->width_px / PS_PLOT_PDF_PX_PER_INCH, o->height_px / PS_PLOT_PDF_PX_PER_INCH,
                font, PS_PLOT_PDF_FONT_PT);
        break;
    default:
        fprintf(x->gp, "set terminal pngcairo size %d,%d font '%s,%d' noenhanced background "
                "'#ffffff'\n", o->width_px, o->height_px, font, PS_PLOT_FONT_PT);
        break;
    }
}

static void write_preamble(plot_ctx *x)
{
    char caption[512];
    FILE *gp = x->gp;
    const char *name = x->chart->name;
    fputs("# ", gp);
    ps_plot__put_plain(gp, ps_plot_chart_caption(caption, sizeof caption, x->s, x->chart,
                                                 x->opt->lang));
    fprintf(gp, "\n# Written by popsim %s from the result file ", ps_version());
    ps_plot__put_plain(gp, x->s->path);
    fprintf(gp, "\n# Numbers: %s (columns named in its first line). To restyle, edit this file\n"
                "# (terminal size and font, colours, labels) and run `gnuplot %s.gp` in this "
                "folder.\n# User text (names, titles) appears only in single-quoted strings.\n",
            x->dat_name, name);
    fputs("set encoding utf8\n", gp);
    write_terminal(x);
    fprintf(gp, "set output '%s.%s'\n", name, ps_plot_format_ext(x->opt->format));
    fputs("set datafile missing '?'\n", gp);
    for (size_t k = 0; k < sizeof palette / sizeof palette[0]; ++k) {
        fprintf(gp, "set linetype %zu lc rgb '%s' lw 2\n", k + 1, palette[k]);
    }
    fputs("set style fill transparent solid 0.35 noborder\n"
          "set grid lc rgb '#d9d9d9' lt 1 lw 1\n"
          "set border 3\nset tics nomirror\nset format y '%.10g'\n"
          "set key top left noautotitle\n",
          gp);
}

void ps_plot__gp_quoted(plot_ctx *x, const char *a, const char *b, const char *c)
{
    fputc('\'', x->gp);
    ps_plot__put_gp_body(x->gp, a != NULL ? a : "");
    ps_plot__put_gp_body(x->gp, b != NULL ? b : "");
    ps_plot__put_gp_body(x->gp, c != NULL ? c : "");
    fputc('\'', x->gp);
}

void ps_plot__gp_set_text(plot_ctx *x, const char *what, plot_msg id, const char *user)
{
    fprintf(x->gp, "set %s ", what);
    ps_plot__gp_quoted(x, ps_plot__msg(id, x->opt->lang), user != NULL ? ": " : NULL, user);
    fputc('\n', x->gp);
}

/* More scenarios than this: the key goes beside the panels (ps_plot__key_beside). */
#define KEY_INSIDE_MAX 5
#define KEY_PANEL_RIGHT 0.6 /* screen fraction where the panels end beside that key */
#define KEY_GAP 0.02

int ps_plot__key_beside(plot_ctx *x, int n_series)
{
    if (n_series <= KEY_INSIDE_MAX) {
        return 0;
    }
    fprintf(x->gp, "set rmargin at screen %g\nset key at screen %g, graph 1 left top Left "
                   "reverse font ',9'\n", KEY_PANEL_RIGHT, KEY_PANEL_RIGHT + KEY_GAP);
    return 1;
}

void ps_plot__gp_key_scenario(plot_ctx *x, int k)
{
    char label[4 * PS_PLOT_KEY_CHARS + 8];
    fputs(" title ", x->gp);
    ps_plot__gp_quoted(x, ps_plot__scenario_label(label, sizeof label, &x->s->scn[k].res,
                                                  PS_PLOT_KEY_CHARS), NULL, NULL);
}

void ps_plot__dat_value(plot_ctx *x, double v)
{
    if (isfinite(v)) {
        fprintf(x->dat, " %.10g", v);
    } else {
        fputs(" ?", x->dat);
    }
}

void ps_plot__dat_header(plot_ctx *x, const char *const *columns, int n)
{
    fputs("#", x->dat);
    for (int k = 0; k < n; ++k) {
        fputs(k > 0 ? " | " : " ", x->dat);
        ps_plot__put_plain(x->dat, columns[k]);
    }
    fputs("\n", x->dat);
}

/* DIR/NAME.EXT as a new string. */
static char *file_path(const char *dir, const char *name, const char *ext)
{
    size_t len = strlen(dir) + strlen(name) + strlen(ext) + 3;
    char *p = malloc(len);
    if (p != NULL) {
        snprintf(p, len, "%s/%s.%s", dir, name, ext);
    }
    return p;
}

static ps_status check_options(const ps_plot_options *o, ps_error *err)
{
    if (o->width_px < PS_PLOT_MIN_SIDE_PX || o->width_px > PS_PLOT_MAX_SIDE_PX ||
        o->height_px < PS_PLOT_MIN_SIDE_PX || o->height_px > PS_PLOT_MAX_SIDE_PX) {
        return ps_error_set(err, PS_EINVAL, "image size %dx%d is outside %d..%d pixels per side",
                            o->width_px, o->height_px, PS_PLOT_MIN_SIDE_PX, PS_PLOT_MAX_SIDE_PX);
    }
    if ((unsigned)o->format >= PS_PLOT_FORMAT_COUNT || (unsigned)o->lang >= PS_PLOT_LANG_COUNT) {
        return ps_error_set(err, PS_EINVAL, "unknown image format or language");
    }
    return PS_OK;
}

/* Close a written file, turning any earlier write error into PS_EIO. */
/* Open the atomic writer of one chart file and its stream (popsim/outfile.h). */
static ps_status open_out(ps_outfile **f, FILE **fp, const char *path, ps_error *err)
{
    ps_status rc = ps_outfile_open(f, path, err);
    if (rc == PS_OK && (*fp = ps_outfile_stream(*f)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    return rc;
}

/* Commit a chart file if everything so far went well, else remove its temporary. */
static ps_status finish_out(ps_outfile *f, ps_status rc, ps_error *err)
{
    if (rc == PS_OK && f != NULL) {
        return ps_outfile_commit(f, err);
    }
    ps_outfile_abort(f);
    return rc;
}

ps_status ps_plot_write(const ps_plot_set *s, const ps_plot_chart *chart, const char *dir,
                        const ps_plot_options *opt, ps_error *err)
{
    plot_ctx x = { .s = s, .chart = chart, .opt = opt };
    ps_outfile *dat_file = NULL, *gp_file = NULL;
    char *dat_path = file_path(dir, chart->name, "dat"), *gp_path = file_path(dir, chart->name, "gp");
    ps_status rc = check_options(opt, err);
    if (rc != PS_OK) {
        goto done;
    }
    if (dat_path == NULL || gp_path == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(x.dat_name, sizeof x.dat_name, "%s.dat", chart->name);
    if ((rc = open_out(&dat_file, &x.dat, dat_path, err)) != PS_OK ||
        (rc = open_out(&gp_file, &x.gp, gp_path, err)) != PS_OK) {
        goto done;
    }
    write_preamble(&x);
    rc = writers[chart->kind](&x, err);
    if (rc == PS_OK) {
        fputs("unset output\n", x.gp);
    }
done:
    rc = finish_out(dat_file, rc, err);
    rc = finish_out(gp_file, rc, err);
    free(dat_path);
    free(gp_path);
    return rc;
}

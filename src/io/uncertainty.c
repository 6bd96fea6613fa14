/*
 * io/uncertainty.c - `uncertainty:` of a scenario file (issue #14, sec. 1;
 * docs/scenario-format.md, "uncertainty"): trajectories, seed and, for tfr, e0 and
 * migration, a width or a file of bounds by year and a persistence. The section is read
 * from the loader's locator (io/sweep_int.h), so each message names the key and its
 * line:column; the bounds files are read when the inputs are built (ps_scn_unc_bounds),
 * since a row is checked against the scenario's own path of its year.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/str_int.h"
#include "io/uncertainty_int.h"
#include "popsim/demog.h"
#include "popsim/uncertainty.h"

#define UNC_PATH_LEN 96
#define UNC_FILE_MAX (4L << 20) /* 4 MiB, like a scenario file */

typedef struct unc_ctx {
    const struct load_ctx *c;
    ps_scenario *scn;
    ps_error *err;
} unc_ctx;

static const char *const proc_keys[] = { "tfr", "e0", "migration" };
static const char *const proc_words[] = { "width", "file", "bounds", "rho" };

/* An error at `at` in the scenario file (io/scenario/section_keys.c). */
#define fail(s, code, at, ...) \
    ps_scn__fail_in((s)->err, (code), (s)->scn->path, (at), __VA_ARGS__)

/* Every key under uncertainty. is known. */
static ps_status check_unknown(const unc_ctx *s)
{
    static const char *const top[] = { "trajectories", "seed", "tfr", "e0", "migration",
                                       "elasticity" };
    static const ps_scn__keyset keys = {
        .section = "uncertainty", .words = top, .n_words = sizeof top / sizeof top[0],
        .sub_parent = NULL, .sub_words = proc_words,
        .n_sub = sizeof proc_words / sizeof proc_words[0],
    };
    return ps_scn__check_keys(s->c, &keys, s->scn->path, s->err);
}

/* A number at `path` in [min, max] (whole if `whole`): 1 in *given, else *given = 0. */
static ps_status read_number(const unc_ctx *s, const char *path, double min, double max,
                             int whole, const char *expected, double *out, int *given)
{
    ps_scn__node n;
    *given = 0;
    if (!ps_scn__find(s->c, path, &n)) {
        return PS_OK;
    }
    double v = 0.0;
    if (n.kind != PS_SCN__SCALAR || !ps_scn__parse_real(n.text, &v) || (whole && v != floor(v)) ||
        !(v >= min && v <= max)) {
        return fail(s, n.kind == PS_SCN__SCALAR && ps_scn__parse_real(n.text, &v) ? PS_EINVAL
                                                                              : PS_EPARSE,
                    n.value, "%s: expected %s (got %s)", path, expected,
                    n.kind == PS_SCN__SCALAR ? n.text : "a mapping or sequence");
    }
    *out = v;
    *given = 1;
    return PS_OK;
}

static int parse_sex(const char *t, size_t len)
{
    if ((len == 1 && (t[0] == 'M' || t[0] == 'm')) || (len == 4 && strncmp(t, "male", 4) == 0)) {
        return PS_SEX_MALE;
    }
    if ((len == 1 && (t[0] == 'F' || t[0] == 'f')) ||
        (len == 6 && strncmp(t, "female", 6) == 0)) {
        return PS_SEX_FEMALE;
    }
    return -1;
}

/* bounds: a sequence of rows [year, lo95, lo80, hi80, hi95] (e0: [year, M|F, lo95, ...]). */
static ps_status read_inline(const unc_ctx *s, const char *key, int with_sex,
                             const ps_scn__node *list, ps_scn_unc_proc *p)
{
    const char *shape = with_sex ? "[year, M or F, lo95, lo80, hi80, hi95]"
                                 : "[year, lo95, lo80, hi80, hi95]";
    const int n_cols = with_sex ? 6 : 5;
    char item[3 * UNC_PATH_LEN], cell[4 * UNC_PATH_LEN];
    ps_scn__node row, v;
    int n = 0;
    if (list->kind != PS_SCN__SEQUENCE) {
        return fail(s, PS_EPARSE, list->value, "%s: expected a sequence of rows %s", key, shape);
    }
    for (;; ++n) {
        snprintf(item, sizeof item, "%s[%d]", key, n);
        if (!ps_scn__find(s->c, item, &row)) {
            break;
        }
    }
    if (n == 0) {
        return fail(s, PS_EINVAL, list->value, "%s: expected at least one row %s", key, shape);
    }
    p->bounds = calloc((size_t)n * PS_SCN_UNC_COLS, sizeof *p->bounds);
    p->bounds_locs = calloc((size_t)n * PS_SCN_UNC_COLS, sizeof *p->bounds_locs);
    if (p->bounds == NULL || p->bounds_locs == NULL) {
        return ps_error_set(s->err, PS_ENOMEM, "out of memory");
    }
    p->n_bounds = n;
    p->kind = PS_SCN_UNC_INLINE;
    for (int i = 0; i < n; ++i) {
        double *out = &p->bounds[(size_t)i * PS_SCN_UNC_COLS];
        ps_scn_loc *at = &p->bounds_locs[(size_t)i * PS_SCN_UNC_COLS];
        snprintf(item, sizeof item, "%s[%d]", key, i);
        (void)ps_scn__find(s->c, item, &row);
        snprintf(cell, sizeof cell, "%s[%d]", item, n_cols);
        if (row.kind != PS_SCN__SEQUENCE || ps_scn__find(s->c, cell, &v)) {
            return fail(s, PS_EPARSE, row.value, "%s: expected a row of %d values %s", item,
                        n_cols, shape);
        }
        out[1] = -1.0;
        for (int c = 0; c < n_cols; ++c) {
            snprintf(cell, sizeof cell, "%s[%d]", item, c);
            if (!ps_scn__find(s->c, cell, &v)) {
                return fail(s, PS_EPARSE, row.value, "%s: expected a row of %d values %s", item,
                            n_cols, shape);
            }
            const int col = with_sex ? c : (c == 0 ? 0 : c + 1);
            double x = 0.0;
            at[col] = v.value;
            if (with_sex && c == 1) {
                const int sex = v.kind == PS_SCN__SCALAR ? parse_sex(v.text, strlen(v.text)) : -1;
                if (sex < 0) {
                    return fail(s, PS_EPARSE, v.value, "%s: expected M or F (got %s)", cell,
                                v.kind == PS_SCN__SCALAR ? v.text : "a mapping or sequence");
                }
                out[1] = sex;
            } else if (v.kind != PS_SCN__SCALAR || !ps_scn__parse_real(v.text, &x) ||
                       (c == 0 && (x != floor(x) || fabs(x) > 1e6))) {
                return fail(s, PS_EPARSE, v.value, "%s: expected %s (got %s)", cell,
                            c == 0 ? "a whole year" : "a number",
                            v.kind == PS_SCN__SCALAR ? v.text : "a mapping or sequence");
            } else {
                out[col] = x;
            }
        }
    }
    return PS_OK;
}

static ps_status read_proc(const unc_ctx *s, int proc, ps_scn_unc_proc *p)
{
    static const double rho_default[] = { PS_PROB_RHO_TFR, PS_PROB_RHO_E0, PS_PROB_RHO_MIG };
    static const char *const width_text[] = {
        "a number in [0, 10] children per woman (the 80 % half-width at the end year)",
        "a number in [0, 50] years (the 80 % half-width at the end year)",
        "a number in [0, 1e9] persons per year (the 80 % half-width at the end year)" };
    static const double width_max[] = { 10.0, 50.0, 1e9 };
    char path[UNC_PATH_LEN], key[2 * UNC_PATH_LEN];
    ps_scn__node top, n;
    int given = 0;
    p->kind = PS_SCN_UNC_NONE;
    p->rho = rho_default[proc];
    snprintf(path, sizeof path, "uncertainty.%s", proc_keys[proc]);
    if (!ps_scn__find(s->c, path, &top)) {
        return PS_OK;
    }
    p->loc = top.key;
    if (top.kind != PS_SCN__MAPPING) {
        return fail(s, PS_EPARSE, top.value, "%s: expected a mapping with width or file (and "
                    "rho) (got %s)", path, top.kind == PS_SCN__SCALAR ? top.text : "a sequence");
    }
    snprintf(key, sizeof key, "%s.width", path);
    ps_status rc = read_number(s, key, 0.0, width_max[proc], 0, width_text[proc], &p->width,
                               &given);
    if (rc == PS_OK && given) {
        p->kind = PS_SCN_UNC_WIDTH;
    }
    snprintf(key, sizeof key, "%s.file", path);
    if (rc == PS_OK && ps_scn__find(s->c, key, &n)) {
        if (given) {
            return fail(s, PS_EINVAL, n.key, "%s: give one of width, file and bounds", path);
        }
        if (n.kind != PS_SCN__SCALAR || n.text == NULL || n.text[0] == '\0') {
            return fail(s, PS_EPARSE, n.value, "%s: expected the path of a CSV file with "
                        "columns %s", key, proc == 1 ? "year,sex,lo95,lo80,hi80,hi95"
                                                     : "year,lo95,lo80,hi80,hi95");
        }
        p->kind = PS_SCN_UNC_FILE;
        p->file.loc = n.value;
        if ((p->file.path = ps_scn__scenario_relative(s->scn, n.text)) == NULL) {
            return ps_error_set(s->err, PS_ENOMEM, "out of memory");
        }
    }
    snprintf(key, sizeof key, "%s.bounds", path);
    if (rc == PS_OK && ps_scn__find(s->c, key, &n)) {
        if (p->kind != PS_SCN_UNC_NONE) {
            return fail(s, PS_EINVAL, n.key, "%s: give one of width, file and bounds", path);
        }
        rc = read_inline(s, key, proc == PS_PROB_E0, &n, p);
    }
    if (rc == PS_OK && p->kind == PS_SCN_UNC_NONE) {
        return fail(s, PS_EINVAL, top.key, "%s: expected width, file or bounds", path);
    }
    snprintf(key, sizeof key, "%s.rho", path);
    double rho = 0.0;
    if (rc == PS_OK) {
        rc = read_number(s, key, 0.0, 0.999, 0, "a number in [0, 0.999] (persistence: the "
                         "lag-1 autocorrelation of the yearly scores)", &rho, &given);
    }
    if (rc == PS_OK && given) {
        p->rho = rho;
    }
    return rc;
}

/* uncertainty.elasticity: drawn (default: the response drawn per trajectory, issue #14
 * sec. 2) or fixed (each member's preset); only with policy variants. */
static ps_status read_elasticity(const unc_ctx *s, ps_scn_uncertainty *u)
{
    ps_scn__node n;
    if (!ps_scn__find(s->c, "uncertainty.elasticity", &n)) {
        return PS_OK;
    }
    u->elasticity_loc = n.key;
    if (n.kind != PS_SCN__SCALAR ||
        (strcmp(n.text, "drawn") != 0 && strcmp(n.text, "fixed") != 0)) {
        return fail(s, PS_EPARSE, n.value, "uncertainty.elasticity: expected drawn or fixed "
                    "(got %s)", n.kind == PS_SCN__SCALAR ? n.text : "a mapping or sequence");
    }
    if (s->scn->n_members < 2) {
        return fail(s, PS_EINVAL, n.key, "uncertainty.elasticity: the response is drawn only "
                    "for policy variants (the scenario has no variants)");
    }
    u->elasticity_fixed = strcmp(n.text, "fixed") == 0;
    return PS_OK;
}

ps_status ps_scn__build_uncertainty(const struct load_ctx *c, ps_scenario *scn, ps_error *err)
{
    unc_ctx s = { c, scn, err };
    ps_scn_uncertainty *u = &scn->uncertainty;
    ps_scn__node top;
    double v = 0.0;
    int given = 0;
    if (!ps_scn__find(c, "uncertainty", &top)) {
        return PS_OK;
    }
    u->loc = top.key;
    if (top.kind != PS_SCN__MAPPING) {
        return fail(&s, PS_EPARSE, top.value, "uncertainty: expected a mapping of indented "
                    "'key: value' lines (got %s)",
                    top.kind == PS_SCN__SCALAR ? top.text : "a sequence");
    }
    ps_status rc = check_unknown(&s);
    if (rc != PS_OK) {
        return rc;
    }
    /* One deterministic path to go around: the refusals name what is in the way. */
    const char *why = scn->engine != PS_ENGINE_CCM ? "engine: micro (use engine: ccm)"
                      : scn->n_regions > 0         ? "regions (give one region)"
                      : scn->sweep.n_points > 0    ? "a sweep"
                      : scn->n_members == 1 && scn->members[0].n_policies > 0
                          ? "policies but no variant (policy variants are measured against "
                            "the baseline, the first member; issue #14, sec. 2)"
                          : NULL;
    if (why != NULL) {
        return fail(&s, PS_EINVAL, top.key, "uncertainty: probabilistic trajectories do not "
                    "run yet with %s", why);
    }
    u->trajectories = PS_SCN_UNC_TRAJ_DEFAULT;
    u->seed = 1;
    rc = read_number(&s, "uncertainty.trajectories", 1.0, PS_PROB_TRAJ_MAX, 1,
                     "a whole number in [1, 1000000]", &v, &given);
    if (rc == PS_OK && given) {
        u->trajectories = (int)v;
    }
    if (rc == PS_OK) {
        rc = read_number(&s, "uncertainty.seed", 0.0, 4294967295.0, 1,
                         "a whole number in [0, 4294967295]", &v, &given);
    }
    if (rc == PS_OK && given) {
        u->seed = (unsigned long long)v;
    }
    if (rc == PS_OK) {
        rc = read_proc(&s, 0, &u->tfr);
    }
    if (rc == PS_OK) {
        rc = read_proc(&s, 1, &u->e0);
    }
    if (rc == PS_OK) {
        rc = read_proc(&s, 2, &u->migration);
    }
    if (rc == PS_OK) {
        rc = read_elasticity(&s, u);
    }
    if (rc == PS_OK) {
        u->enabled = 1;
    }
    return rc;
}

void ps_scn__unc_release(ps_scn_uncertainty *u)
{
    free(u->tfr.file.path);
    free(u->e0.file.path);
    free(u->migration.file.path);
    const ps_scn_unc_proc *procs[] = { &u->tfr, &u->e0, &u->migration };
    for (size_t k = 0; k < sizeof procs / sizeof procs[0]; ++k) {
        free(procs[k]->bounds);
        free(procs[k]->bounds_locs);
    }
    memset(u, 0, sizeof *u);
}

/* ---- the bounds ------------------------------------------------------------------------ */

ps_status ps_scn_unc_medians(const ps_inputs *in, double *tfr, double *e0, double *mig,
                             ps_error *err)
{
    const int n_steps = ps_inputs_steps(in), n = n_steps + 1;
    if (in->n_regions != 1) {
        return ps_error_set(err, PS_EINVAL, "uncertainty: one region only (got %d)",
                            in->n_regions);
    }
    for (int y = 0; y < n; ++y) {
        const int step = y < n_steps ? y : n_steps - 1;
        double t = 0.0, m = 0.0;
        for (int age = 0; age < in->n_ages; ++age) {
            t += in->asfr[ps_inputs_asfr_idx(in, step, 0, age)];
        }
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            const size_t i0 = ps_inputs_idx(in, step, 0, sex, 0);
            for (int age = 0; age < in->n_ages; ++age) {
                m += in->mig[i0 + (size_t)age];
            }
            e0[y * PS_SEX_COUNT + sex] = ps_lt_e0(&in->mx[i0], in->n_ages, (ps_sex)sex);
            if (!isfinite(e0[y * PS_SEX_COUNT + sex])) {
                return ps_error_set(err, PS_EINVAL, "uncertainty: the %s death rates of %d "
                                    "give no life expectancy", ps_sex_name((ps_sex)sex),
                                    in->start_year + y);
            }
        }
        tfr[y] = t;
        mig[y] = m;
    }
    return PS_OK;
}

/*
 * Share of the end year's width reached t years after the start (T the last): the standard
 * deviation of an AR(1) with persistence rho started at 0, sqrt((1 - rho^2t) / (1 - rho^2T)),
 * so a width grows like the process it feeds (quickly at first, then more slowly, as the
 * UN's intervals do; docs/scenario-format.md, "Uncertainty").
 */
static double unc_growth(double rho, int t, int T)
{
    if (T <= 0) {
        return 1.0;
    }
    return sqrt((1.0 - pow(rho, 2.0 * t)) / (1.0 - pow(rho, 2.0 * T)));
}

/* One row of a bounds file: its year, sex (e0) and knots, with where each cell starts. */
typedef struct unc_row {
    int year, sex;
    double v[PS_PROB_N_KNOTS]; /* lo95, lo80, (median), hi80, hi95 */
    long line;                  /* of the year */
    int year_col;
    long lines[PS_PROB_N_KNOTS]; /* of each bound (an inline row may span lines) */
    int col[PS_PROB_N_KNOTS];
} unc_row;

static ps_status file_fail(ps_error *err, ps_status code, const char *path, long line, int col,
                           const char *fmt, ...) PS_PRINTF(6, 7);
static ps_status file_fail(ps_error *err, ps_status code, const char *path, long line, int col,
                           const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ps_status rc = ps_error_vset_at(err, code, path, line, col, fmt, ap);
    va_end(ap);
    return rc;
}


/* Read a bounds file into rows (owned by the caller). */
static ps_status read_rows(const char *path, int with_sex, unc_row **rows_out, int *n_out,
                           ps_error *err)
{
    const char *header = with_sex ? "year,sex,lo95,lo80,hi80,hi95" : "year,lo95,lo80,hi80,hi95";
    const int n_cols = with_sex ? 6 : 5;
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    unc_row *rows = NULL;
    int n = 0, cap = 0;
    long size = 0;
    ps_status rc = PS_OK;
    *rows_out = NULL;
    *n_out = 0;
    if (f == NULL) {
        return ps_error_set(err, PS_EIO, "%s: cannot open the uncertainty bounds file: %s", path,
                            strerror(errno));
    }
    if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || size > UNC_FILE_MAX ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return ps_error_set(err, PS_EIO, "%s: cannot read the file (or it is over 4 MiB)", path);
    }
    text = malloc((size_t)size + 1);
    if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
        rc = text == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory")
                          : ps_error_set(err, PS_EIO, "%s: cannot read the file", path);
        goto done;
    }
    text[size] = '\0';
    long line = 0;
    for (char *p = text; rc == PS_OK && *p != '\0';) {
        char *eol = p + strcspn(p, "\n");
        const int last = *eol == '\0';
        *eol = '\0';
        ++line;
        size_t len = strlen(p);
        if (len > 0 && p[len - 1] == '\r') {
            p[--len] = '\0';
        }
        if (line == 1) {
            if (strncmp(p, "\xEF\xBB\xBF", 3) == 0) {
                p += 3;
            }
            if (strcmp(p, header) != 0) {
                rc = file_fail(err, PS_EPARSE, path, 1, 1, "expected the header '%s'", header);
            }
        } else if (len > 0) {
            if (n == cap) {
                cap = cap > 0 ? 2 * cap : 64;
                unc_row *grown = realloc(rows, (size_t)cap * sizeof *rows);
                if (grown == NULL) {
                    rc = ps_error_set(err, PS_ENOMEM, "out of memory");
                    break;
                }
                rows = grown;
            }
            unc_row *r = &rows[n++];
            memset(r, 0, sizeof *r);
            r->line = line;
            r->year_col = 1;
            for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
                r->lines[k] = line;
            }
            char *cell = p;
            for (int col = 0; rc == PS_OK && col < n_cols; ++col) {
                const size_t cl = strcspn(cell, ",");
                const int at = (int)(cell - p) + 1;
                const int end = cell[cl] == '\0';
                if (end != (col == n_cols - 1)) {
                    rc = file_fail(err, PS_EPARSE, path, line, at + (int)cl, "expected %d "
                                   "columns (%s)", n_cols, header);
                    break;
                }
                cell[cl] = '\0';
                double v = 0.0;
                if (with_sex && col == 1) {
                    r->sex = parse_sex(cell, cl);
                    if (r->sex < 0) {
                        rc = file_fail(err, PS_EPARSE, path, line, at, "sex: expected M or F "
                                       "(got '%s')", cell);
                    }
                } else if (!ps_scn__parse_real(cell, &v) || (col == 0 && v != floor(v))) {
                    rc = file_fail(err, PS_EPARSE, path, line, at, "%s: expected a %s (got "
                                   "'%s')", col == 0 ? "year" : "bound",
                                   col == 0 ? "whole year" : "number", cell);
                } else if (col == 0) {
                    r->year = v >= -1e6 && v <= 1e6 ? (int)v : -1000000;
                } else {
                    const int k = col - (with_sex ? 2 : 1);
                    const int knot = k < 2 ? k : k + 1; /* skip the median */
                    r->v[knot] = v;
                    r->col[knot] = at;
                }
                cell += cl + 1;
            }
        }
        p = last ? eol : eol + 1;
    }
    if (rc == PS_OK && n == 0) {
        rc = file_fail(err, PS_EINVAL, path, line > 0 ? line : 1, 1, "expected at least one row "
                       "of bounds after the header");
    }
done:
    fclose(f);
    free(text);
    if (rc != PS_OK) {
        free(rows);
        return rc;
    }
    *rows_out = rows;
    *n_out = n;
    return PS_OK;
}

/* The rows of inline bounds, located in the scenario file. */
static ps_status inline_rows(const ps_scn_unc_proc *p, unc_row **rows_out, int *n_out,
                             ps_error *err)
{
    unc_row *rows = calloc((size_t)p->n_bounds, sizeof *rows);
    if (rows == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int i = 0; i < p->n_bounds; ++i) {
        const double *b = &p->bounds[(size_t)i * PS_SCN_UNC_COLS];
        const ps_scn_loc *at = &p->bounds_locs[(size_t)i * PS_SCN_UNC_COLS];
        unc_row *r = &rows[i];
        r->year = (int)b[0];
        r->sex = (int)b[1];
        r->line = at[0].line;
        r->year_col = at[0].column;
        for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
            if (k != PS_PROB_KNOT_MEDIAN) {
                const int c = 2 + (k < PS_PROB_KNOT_MEDIAN ? k : k - 1);
                r->v[k] = b[c];
                r->lines[k] = at[c].line;
                r->col[k] = at[c].column;
            }
        }
    }
    *rows_out = rows;
    *n_out = p->n_bounds;
    return PS_OK;
}

/*
 * The knots of one process (and sex) from its rows: each row's year within the projection,
 * years ascending, lo95 <= lo80 <= median <= hi80 <= hi95 with the median the scenario's own
 * path; the offsets (log ratios for TFR) interpolated between the rows' years, growing from 0
 * at the start before the first row as a width does (unc_growth) and held after the last.
 */
static ps_status knots_from_rows(double *knots, int stride, const double *median, int m_stride,
                                 const unc_row *rows, int n_rows, int sex, int start, int n_years,
                                 int log_scale, double rho, const char *what, const char *path,
                                 ps_error *err)
{
    static const char *const names[] = { "lo95", "lo80", "median", "hi80", "hi95" };
    double *off = calloc((size_t)n_years * PS_PROB_N_KNOTS, sizeof *off);
    unsigned char *has = calloc((size_t)n_years, 1);
    int first = -1, last = -1, prev_year = 0, have_prev = 0;
    const unc_row *prev = NULL;
    ps_status rc = PS_OK;
    if (off == NULL || has == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int i = 0; rc == PS_OK && i < n_rows; ++i) {
        const unc_row *r = &rows[i];
        if (sex >= 0 && r->sex != sex) {
            continue;
        }
        const int y = r->year - start;
        if (y < 0 || y >= n_years) {
            rc = file_fail(err, PS_EINVAL, path, r->line, r->year_col, "year %d: expected a year of the "
                           "projection, %d to %d", r->year, start, start + n_years - 1);
            break;
        }
        if (have_prev && r->year <= prev_year) {
            rc = file_fail(err, PS_EINVAL, path, r->line, r->year_col, "year %d: expected years in "
                           "ascending order%s (the row on line %ld has %d)", r->year,
                           sex >= 0 ? " for each sex" : "", prev->line, prev_year);
            break;
        }
        const double med = median[(size_t)y * (size_t)m_stride];
        double v[PS_PROB_N_KNOTS];
        memcpy(v, r->v, sizeof v);
        v[PS_PROB_KNOT_MEDIAN] = med;
        for (int k = 1; rc == PS_OK && k < PS_PROB_N_KNOTS; ++k) {
            if (!(v[k] >= v[k - 1])) {
                const int bad = k == PS_PROB_KNOT_MEDIAN ? k - 1 : k;
                rc = file_fail(err, PS_EINVAL, path, r->lines[bad], r->col[bad], "%s = %g in %d: "
                               "expected lo95 <= lo80 <= median <= hi80 <= hi95, where the "
                               "median is the scenario's own %s of %d (%.6g); %s is %s %s = %g",
                               names[bad], r->v[bad], r->year, what, r->year, med, names[bad],
                               bad < k ? "above" : "below", names[bad < k ? k : k - 1],
                               v[bad < k ? k : k - 1]);
            }
        }
        if (rc == PS_OK && log_scale && !(v[0] > 0.0)) {
            rc = file_fail(err, PS_EINVAL, path, r->lines[0], r->col[0], "lo95 = %g in %d: "
                           "expected a %s above 0", v[0], r->year, what);
        }
        for (int k = 0; rc == PS_OK && k < PS_PROB_N_KNOTS; ++k) {
            off[(size_t)y * PS_PROB_N_KNOTS + (size_t)k] = log_scale ? log(v[k] / med)
                                                                     : v[k] - med;
        }
        has[y] = 1;
        first = first < 0 ? y : first;
        last = y;
        prev = r;
        prev_year = r->year;
        have_prev = 1;
    }
    if (rc == PS_OK && first < 0) {
        rc = file_fail(err, PS_EINVAL, path, 1, 1, "expected rows for %s (none are given)",
                       sex == PS_SEX_MALE ? "males (sex M)" : "females (sex F)");
    }
    for (int y = 0, lo = first; rc == PS_OK && y < n_years; ++y) {
        double o[PS_PROB_N_KNOTS];
        if (has[y]) {
            lo = y;
            memcpy(o, &off[(size_t)y * PS_PROB_N_KNOTS], sizeof o);
        } else if (y < first) { /* from 0 at the start to the first row, like a width */
            const double f = unc_growth(rho, y, first);
            for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
                o[k] = f * off[(size_t)first * PS_PROB_N_KNOTS + (size_t)k];
            }
        } else if (y > last) {
            memcpy(o, &off[(size_t)last * PS_PROB_N_KNOTS], sizeof o);
        } else {
            int hi = y + 1;
            while (!has[hi]) {
                ++hi;
            }
            const double f = (double)(y - lo) / (double)(hi - lo);
            for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
                o[k] = (1.0 - f) * off[(size_t)lo * PS_PROB_N_KNOTS + (size_t)k] +
                       f * off[(size_t)hi * PS_PROB_N_KNOTS + (size_t)k];
            }
        }
        const double med = median[(size_t)y * (size_t)m_stride];
        for (int k = 0; k < PS_PROB_N_KNOTS; ++k) {
            knots[(size_t)y * (size_t)stride + (size_t)k] = log_scale ? med * exp(o[k])
                                                                      : med + o[k];
        }
    }
    free(off);
    free(has);
    return rc;
}

ps_status ps_scn_unc_bounds(ps_prob_bounds *out, ps_prob_options *opt, const ps_scenario *scn,
                            const ps_inputs *in, ps_error *err)
{
    const ps_scn_uncertainty *u = &scn->uncertainty;
    const int n = in->end_year - in->start_year + 1;
    double *tfr = malloc((size_t)n * sizeof *tfr);
    double *e0 = malloc((size_t)n * PS_SEX_COUNT * sizeof *e0);
    double *mig = malloc((size_t)n * sizeof *mig);
    unc_row *rows = NULL;
    int n_rows = 0;
    ps_status rc = PS_OK;
    memset(out, 0, sizeof *out);
    if (tfr == NULL || e0 == NULL || mig == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = ps_scn_unc_medians(in, tfr, e0, mig, err)) != PS_OK) {
        goto done;
    }
    if ((rc = ps_prob_bounds_init(out, in->start_year, n, err)) != PS_OK) {
        goto done;
    }
    /* widths: 0 in the start year, the given 80 % half-width in the end year, growing like
     * the standard deviation of the process's own AR(1) started at 0 (unc_growth) */
    double w_tfr = 0.0;
    if (u->tfr.kind == PS_SCN_UNC_WIDTH) {
        if (!(tfr[n - 1] > 0.0)) {
            rc = ps_error_set_at(err, PS_EINVAL, scn->path, u->tfr.loc.line, u->tfr.loc.column,
                                 "uncertainty.tfr: the scenario's TFR of %d is 0; a width "
                                 "needs a TFR above 0", in->end_year);
            goto done;
        }
        w_tfr = log(1.0 + u->tfr.width / tfr[n - 1]);
    }
    const double w_e0 = u->e0.kind == PS_SCN_UNC_WIDTH ? u->e0.width : 0.0;
    const double w_mig = u->migration.kind == PS_SCN_UNC_WIDTH ? u->migration.width : 0.0;
    for (int y = 0; y < n; ++y) {
        const double gt = unc_growth(u->tfr.rho, y, n - 1) * w_tfr;
        const double ge = unc_growth(u->e0.rho, y, n - 1) * w_e0;
        const double gm = unc_growth(u->migration.rho, y, n - 1) * w_mig;
        ps_prob_bounds_set_year(out, y, tfr[y], &e0[y * PS_SEX_COUNT], mig[y], gt, ge, gm);
    }
    const ps_scn_unc_proc *procs[] = { &u->tfr, &u->e0, &u->migration };
    static const char *const what[] = { "TFR", "e0", "net migration" };
    for (int proc = 0; rc == PS_OK && proc < PS_PROB_PROC_COUNT; ++proc) {
        if (procs[proc]->kind != PS_SCN_UNC_FILE && procs[proc]->kind != PS_SCN_UNC_INLINE) {
            continue;
        }
        const char *path = procs[proc]->kind == PS_SCN_UNC_FILE ? procs[proc]->file.path
                                                                : scn->path;
        rc = procs[proc]->kind == PS_SCN_UNC_FILE
                 ? read_rows(path, proc == PS_PROB_E0, &rows, &n_rows, err)
                 : inline_rows(procs[proc], &rows, &n_rows, err);
        if (rc != PS_OK) {
            break;
        }
        if (proc == PS_PROB_E0) {
            for (int sex = 0; rc == PS_OK && sex < PS_SEX_COUNT; ++sex) {
                rc = knots_from_rows(out->e0 + (size_t)sex * PS_PROB_N_KNOTS,
                                     PS_SEX_COUNT * PS_PROB_N_KNOTS, e0 + sex, PS_SEX_COUNT, rows,
                                     n_rows, sex, in->start_year, n, 0, procs[proc]->rho,
                                     what[proc], path, err);
            }
        } else {
            rc = knots_from_rows(proc == PS_PROB_TFR ? out->tfr : out->mig, PS_PROB_N_KNOTS,
                                 proc == PS_PROB_TFR ? tfr : mig, 1, rows, n_rows, -1,
                                 in->start_year, n, proc == PS_PROB_TFR, procs[proc]->rho,
                                 what[proc], path, err);
        }
        free(rows);
        rows = NULL;
    }
    if (rc == PS_OK) {
        rc = ps_prob_bounds_check(out, err);
    }
    if (rc == PS_OK) {
        ps_prob_options o = PS_PROB_OPTIONS_INIT;
        o.n_traj = u->trajectories;
        o.seed = u->seed;
        o.n_threads = opt->n_threads;
        o.keep_trajectories = opt->keep_trajectories;
        o.rho[PS_PROB_TFR] = u->tfr.rho;
        o.rho[PS_PROB_E0] = u->e0.rho;
        o.rho[PS_PROB_MIG] = u->migration.rho;
        *opt = o;
    }
done:
    if (rc != PS_OK) {
        ps_prob_bounds_release(out);
    }
    free(tfr);
    free(e0);
    free(mig);
    return rc;
}

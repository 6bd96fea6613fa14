/*
 * parity_table.c - a planner's table of women by age and parity (popsim/parity.h; issue #12,
 * sec. 1; docs/input-format.md "Women by parity"). The file is read row by row into records
 * (an age or age group with one value per parity, each with its line and column); then
 * the ages are checked (every age 15-49 exactly once), counts are graduated to single ages
 * per parity through the cumulative monotone spline of issue #2 (ps_grad_counts keeps every
 * group's total) and turned into shares per age; share tables are checked to sum to 1.
 */
#include "popsim/parity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/csv_int.h"
#include "io/xlsx_int.h"
#include "popsim/demog.h"
#include "popsim/units.h"

#define PT_TEXT_MAX 256
#define PT_PATH_MAX 4096

/* One age (lo == hi), closed group (lo < hi) or open group (open) with its values. */
typedef struct pt_rec {
    int lo, hi, open;
    double value[PS_PARITY_COUNT];
    int has[PS_PARITY_COUNT];
    long line;                    /* where the age label stands */
    int age_col;
    long val_line[PS_PARITY_COUNT]; /* where each value stands */
    int val_col[PS_PARITY_COUNT];
} pt_rec;

typedef struct pt_reader {
    const char *path;
    int n_ages;
    pt_rec *rec;
    int n_rec, cap_rec;
} pt_reader;

/* ---- labels ------------------------------------------------------------------------------ */

/* Replace every `from` in buf by `to` (to no longer than from). */
static void replace_all(char *buf, const char *from, const char *to)
{
    char *p;
    const size_t lf = strlen(from), lt = strlen(to);
    while ((p = strstr(buf, from)) != NULL) {
        memmove(p + lt, p + lf, strlen(p + lf) + 1);
        memcpy(p, to, lt);
    }
}

/* "15-19岁" -> "15-19", "50岁及以上" -> "50+", "三孩及以上" -> "3+", "一孩" -> "1". */
static void normalise(char *out, size_t size, const char *in)
{
    static const struct {
        const char *from, *to;
    } subst[] = {
        { "岁及以上", "+" }, { "孩及以上", "+" }, { "个及以上", "+" }, { "及以上", "+" },
        { "以上", "+" },     { "岁", "" },        { "孩", "" },        { "个", "" },
        { "～", "-" },       { "~", "-" },        { "—", "-" },        { "－", "-" },
        { " ", "" },         { "无", "0" },       { "零", "0" },       { "一", "1" },
        { "二", "2" },       { "三", "3" },       { "四", "4" },       { "五", "5" },
        { "parity", "" },    { "Parity", "" },    { "_", "" },
    };
    char buf[PT_TEXT_MAX];
    snprintf(buf, sizeof buf, "%s", in);
    for (size_t k = 0; k < sizeof subst / sizeof subst[0]; ++k) {
        replace_all(buf, subst[k].from, subst[k].to);
    }
    snprintf(out, size, "%s", buf);
}

/* A whole decimal number of at most 3 digits at *s; advances s. */
static int read_small(const char **s, int *out)
{
    int v = 0, digits = 0;
    while (**s >= '0' && **s <= '9' && digits < 4) {
        v = v * 10 + (**s - '0');
        ++*s;
        ++digits;
    }
    *out = v;
    return digits > 0 && digits < 4;
}

/* Parity label -> 0..3 (3 = 3+, also "4", "5+"); -1 if it is not one. */
static int parse_parity(const char *label)
{
    char buf[PT_TEXT_MAX];
    normalise(buf, sizeof buf, label);
    const char *s = buf;
    int k = 0;
    if (!read_small(&s, &k)) {
        return -1;
    }
    const int open = *s == '+';
    s += open;
    if (*s != '\0' || (open && k < PS_PARITY_COUNT - 1)) {
        return -1;
    }
    return k >= PS_PARITY_COUNT - 1 ? PS_PARITY_COUNT - 1 : k;
}

/* Age label "25", "25-29" or "50+" -> lo, hi, open; 0 if malformed. */
static int parse_age(const char *label, int *lo, int *hi, int *open)
{
    char buf[PT_TEXT_MAX];
    normalise(buf, sizeof buf, label);
    const char *s = buf;
    *open = 0;
    if (!read_small(&s, lo)) {
        return 0;
    }
    *hi = *lo;
    if (*s == '-') {
        ++s;
        if (!read_small(&s, hi) || *hi < *lo) {
            return 0;
        }
    } else if (*s == '+') {
        *open = 1;
        ++s;
    }
    return *s == '\0';
}

static int is_total(const char *label)
{
    static const char *const words[] = { "total", "Total", "合计", "总计", "小计", "合 计" };
    for (size_t k = 0; k < sizeof words / sizeof words[0]; ++k) {
        if (strcmp(label, words[k]) == 0) {
            return 1;
        }
    }
    return 0;
}

static int is_age_header(const char *label)
{
    static const char *const words[] = { "age", "Age", "年龄", "年龄组", "年龄(岁)", "年 龄" };
    for (size_t k = 0; k < sizeof words / sizeof words[0]; ++k) {
        if (strcmp(label, words[k]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* ---- records ----------------------------------------------------------------------------- */

/* The record of age label (lo, hi, open), added at `line` if new. */
static ps_status find_rec(pt_rec **out, pt_reader *rd, int lo, int hi, int open, long line,
                          int col, ps_error *err)
{
    for (int i = 0; i < rd->n_rec; ++i) {
        pt_rec *r = &rd->rec[i];
        if (r->lo == lo && r->hi == hi && r->open == open) {
            *out = r;
            return PS_OK;
        }
    }
    if (rd->n_rec == rd->cap_rec) {
        int cap = rd->cap_rec > 0 ? 2 * rd->cap_rec : 32;
        pt_rec *p = realloc(rd->rec, (size_t)cap * sizeof *p);
        if (p == NULL) {
            return ps_error_set(err, PS_ENOMEM, "out of memory for the parity table");
        }
        rd->rec = p;
        rd->cap_rec = cap;
    }
    pt_rec *r = &rd->rec[rd->n_rec++];
    memset(r, 0, sizeof *r);
    r->lo = lo;
    r->hi = hi;
    r->open = open;
    r->line = line;
    r->age_col = col;
    *out = r;
    return PS_OK;
}

/* The age of field i: a known label within 10..n_ages-1. */
static ps_status row_age(pt_rec **out, pt_reader *rd, const ps_csv_row *row, int i, ps_error *err)
{
    int lo = 0, hi = 0, open = 0;
    if (!parse_age(row->field[i], &lo, &hi, &open)) {
        return ps_error_set_at(err, PS_EPARSE, rd->path, row->line, row->column[i],
                               "age '%s' is not an age: expected a single age (25), a group "
                               "(25-29) or an open group (50+)", row->field[i]);
    }
    if (lo < PS_FERTILE_AGE_MIN || (open ? lo : hi) > rd->n_ages - 1 ||
        (!open && hi == rd->n_ages - 1)) {
        return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[i],
                               "age '%s' is outside the ages a parity table gives: %d to %d, "
                               "or an open group", row->field[i], PS_FERTILE_AGE_MIN,
                               rd->n_ages - 2);
    }
    if (open && lo <= PS_PARITY_TABLE_MAX_AGE) {
        return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[i],
                               "open group '%s' starts before %d: expected ages %d to %d by "
                               "single age or group, then an open group from %d at the earliest",
                               row->field[i], PS_PARITY_TABLE_MAX_AGE + 1,
                               PS_PARITY_TABLE_MIN_AGE, PS_PARITY_TABLE_MAX_AGE,
                               PS_PARITY_TABLE_MAX_AGE + 1);
    }
    return find_rec(out, rd, lo, hi, open, row->line, row->column[i], err);
}

/* Value of field i (>= 0) into parity k of r. A parity given twice is an error, except that
 * values of parity 3 and above add into 3+ (rows 3, 4, 5+ of a long table, columns of a
 * wide table's row; add3 says which applies). */
static ps_status set_value(pt_rec *r, int k, int add3, const pt_reader *rd, const ps_csv *c,
                           const ps_csv_row *row, int i, const char *colname, ps_error *err)
{
    double v = 0.0;
    ps_status rc = ps_csv__double(&v, c, row, i, colname, err);
    if (rc != PS_OK) {
        return rc;
    }
    if (v < 0.0) {
        return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[i],
                               "%s = %g is negative; expected women (a count or a share) >= 0",
                               colname, v);
    }
    if (r->has[k] && !(k == PS_PARITY_COUNT - 1 && (add3 || r->val_line[k] == row->line))) {
        return ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[i],
                               "parity %d%s of the ages from %d is given twice (first at line "
                               "%ld)", k, k == PS_PARITY_COUNT - 1 ? "+" : "", r->lo,
                               r->val_line[k]);
    }
    if (!r->has[k]) {
        r->val_line[k] = row->line;
        r->val_col[k] = row->column[i];
        r->value[k] = 0.0;
    }
    r->value[k] += v; /* wide tables: columns 3, 4, 5+ add into 3+ */
    r->has[k] = 1;
    return PS_OK;
}

/* ---- the two layouts --------------------------------------------------------------------- */

static ps_status read_long_row(pt_reader *rd, const ps_csv *c, const ps_csv_row *row,
                               ps_error *err)
{
    pt_rec *r = NULL;
    if (row->n != 3) {
        return ps_error_set_at(err, PS_EPARSE, rd->path, row->line, 1,
                               "expected 3 fields 'age,parity,value' (got %d)", row->n);
    }
    ps_status rc = row_age(&r, rd, row, 0, err);
    const int k = parse_parity(row->field[1]);
    if (rc == PS_OK && k < 0) {
        rc = ps_error_set_at(err, PS_EPARSE, rd->path, row->line, row->column[1],
                             "parity '%s' is unknown: expected 0, 1, 2 or 3+", row->field[1]);
    }
    return rc == PS_OK ? set_value(r, k, 1, rd, c, row, 2, "value", err) : rc;
}

/* Column roles of a wide header: -2 age, -3 total, 0..3 parity; 0 if a column is unknown. */
static ps_status wide_header(int *role, const ps_csv_row *row, const char *path, ps_error *err)
{
    int have_age = 0;
    for (int i = 0; i < row->n; ++i) {
        if (is_age_header(row->field[i])) {
            role[i] = -2;
            have_age = 1;
        } else if (is_total(row->field[i])) {
            role[i] = -3;
        } else if ((role[i] = parse_parity(row->field[i])) < 0) {
            return ps_error_set_at(err, PS_EPARSE, path, 1, row->column[i],
                                   "column '%s' is not a parity: expected 0, 1, 2, 3+ (or "
                                   "无孩, 一孩, 二孩, 三孩及以上), an age or a total column",
                                   row->field[i]);
        }
    }
    if (!have_age || role[0] != -2) {
        return ps_error_set_at(err, PS_EPARSE, path, 1, 1,
                               "wrong header: expected 'age,parity,value' or an age column "
                               "(age, 年龄) followed by one column per parity");
    }
    return PS_OK;
}

static ps_status read_wide_row(pt_reader *rd, const ps_csv *c, const ps_csv_row *row,
                               const int *role, int n_cols, ps_error *err)
{
    pt_rec *r = NULL;
    if (row->n != n_cols) {
        return ps_error_set_at(err, PS_EPARSE, rd->path, row->line, 1,
                               "expected %d fields as in the header (got %d)", n_cols, row->n);
    }
    if (is_total(row->field[0])) {
        return PS_OK; /* a totals row: the per-age rows are what counts */
    }
    ps_status rc = row_age(&r, rd, row, 0, err);
    double sum = 0.0, total = -1.0;
    int total_col = 0;
    for (int i = 1; rc == PS_OK && i < row->n; ++i) {
        if (role[i] == -3) {
            rc = ps_csv__double(&total, c, row, i, "total", err);
            total_col = i;
        } else if (role[i] >= 0) {
            rc = set_value(r, role[i], 0, rd, c, row, i, "value", err);
            if (rc == PS_OK) {
                double v = 0.0;
                (void)ps_csv__double(&v, c, row, i, "value", NULL);
                sum += v;
            }
        }
    }
    if (rc == PS_OK && total >= 0.0 && fabs(total - sum) > 1e-6 * fmax(1.0, total)) {
        rc = ps_error_set_at(err, PS_EINVAL, rd->path, row->line, row->column[total_col],
                             "total = %.10g does not equal the sum of the parity columns "
                             "%.10g", total, sum);
    }
    return rc;
}

/* ---- file ------------------------------------------------------------------------------ */

/* A CSV file, or a sheet of a workbook ("book.xlsx#Sheet"; errors at the sheet's cells). */
static ps_status open_table(ps_csv **out, ps_xlsx_map **map, const char *path, ps_error *err)
{
    char file[PT_PATH_MAX];
    const char *hash = strrchr(path, '#');
    snprintf(file, sizeof file, "%s", path);
    if (hash != NULL && (size_t)(hash - path) < sizeof file) {
        file[hash - path] = '\0';
        if (!ps_xlsx__is_workbook(file)) {
            snprintf(file, sizeof file, "%s", path);
            hash = NULL;
        }
    }
    if (!ps_xlsx__is_workbook(file)) {
        return ps_csv__open(out, path, err);
    }
    char *text = NULL;
    size_t len = 0;
    ps_status rc = ps_xlsx__read_sheet(&text, &len, map, file, hash ? hash + 1 : NULL, err);
    return rc == PS_OK ? ps_csv__open_memory(out, file, text, len, err) : rc;
}

static ps_status read_rows(pt_reader *rd, ps_csv *c, ps_error *err)
{
    char *line = NULL;
    size_t len = 0;
    ps_csv_row row;
    int role[PS_CSV_MAX_FIELDS], n_cols = 0, wide = 0;
    int got = ps_csv__next_line(c, &line, &len, err);
    if (got <= 0) {
        return got < 0 ? (err ? err->code : PS_EIO)
                       : ps_error_set_at(err, PS_EPARSE, rd->path, 1, 1, "missing header: "
                                         "expected 'age,parity,value' or a wide table");
    }
    ps_status rc = ps_csv__split(c, line, &row, err);
    if (rc == PS_OK && !(row.n == 3 && strcmp(row.field[0], "age") == 0 &&
                         strcmp(row.field[1], "parity") == 0 &&
                         strcmp(row.field[2], "value") == 0)) {
        wide = 1;
        n_cols = row.n;
        rc = wide_header(role, &row, rd->path, err);
    }
    while (rc == PS_OK && (got = ps_csv__next_line(c, &line, &len, err)) > 0) {
        if (len == 0) {
            continue;
        }
        if ((rc = ps_csv__split(c, line, &row, err)) == PS_OK) {
            rc = wide ? read_wide_row(rd, c, &row, role, n_cols, err)
                      : read_long_row(rd, c, &row, err);
        }
    }
    if (rc == PS_OK && got < 0) {
        rc = err ? err->code : PS_EIO;
    }
    return rc;
}

/* ---- checks and graduation ---------------------------------------------------------------- */

static int rec_cmp(const void *a, const void *b)
{
    const pt_rec *x = a, *y = b;
    return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Every record has all parities; ages are contiguous, without overlap, and cover 15..49. */
static ps_status check_ages(pt_reader *rd, ps_parity_table *t, ps_error *err)
{
    qsort(rd->rec, (size_t)rd->n_rec, sizeof *rd->rec, rec_cmp);
    for (int i = 0; i < rd->n_rec; ++i) {
        const pt_rec *r = &rd->rec[i];
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            if (!r->has[k]) {
                return ps_error_set_at(err, PS_EPARSE, rd->path, r->line, r->age_col,
                                       "age %d%s has no value for parity %d%s", r->lo,
                                       r->open ? "+" : "", k, k == PS_PARITY_COUNT - 1 ? "+" : "");
            }
        }
        const int next = i + 1 < rd->n_rec ? rd->rec[i + 1].lo : -1;
        if (r->open && i + 1 < rd->n_rec) {
            return ps_error_set_at(err, PS_EINVAL, rd->path, rd->rec[i + 1].line,
                                   rd->rec[i + 1].age_col, "age %d comes after the open group "
                                   "%d+", next, r->lo);
        }
        if (next >= 0 && next != r->hi + 1) {
            const pt_rec *q = &rd->rec[i + 1];
            return ps_error_set_at(err, PS_EINVAL, rd->path, q->line, q->age_col,
                                   next <= r->hi ? "age %d overlaps the group %d-%d"
                                                 : "ages %d to %d are missing before age %d",
                                   next <= r->hi ? next : r->hi + 1,
                                   next <= r->hi ? r->lo : next - 1, next <= r->hi ? r->hi : next);
        }
    }
    const pt_rec *first = rd->n_rec > 0 ? &rd->rec[0] : NULL;
    const pt_rec *last = rd->n_rec > 0 ? &rd->rec[rd->n_rec - 1] : NULL;
    if (first == NULL || first->lo > PS_PARITY_TABLE_MIN_AGE ||
        (!last->open && last->hi < PS_PARITY_TABLE_MAX_AGE)) {
        return ps_error_set_at(err, PS_EINVAL, rd->path, last ? last->line : 1,
                               last ? last->age_col : 1,
                               "the table gives ages %d to %d%s; expected every age %d to %d",
                               first ? first->lo : 0, last ? last->hi : 0,
                               last && last->open ? "+" : "", PS_PARITY_TABLE_MIN_AGE,
                               PS_PARITY_TABLE_MAX_AGE);
    }
    t->first_age = first->lo;
    t->last_age = last->open ? rd->n_ages - 1 : last->hi;
    return PS_OK;
}

/* A share table: every record's shares sum to 1 within PS_PARITY_SHARE_TOL. */
static ps_status fill_shares(ps_parity_table *t, const pt_reader *rd, ps_error *err)
{
    for (int i = 0; i < rd->n_rec; ++i) {
        const pt_rec *r = &rd->rec[i];
        double sum = 0.0;
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            sum += r->value[k];
        }
        if (!(fabs(sum - 1.0) <= PS_PARITY_SHARE_TOL)) {
            return ps_error_set_at(err, PS_EINVAL, rd->path, r->line, r->age_col,
                                   "the shares of age %d%s sum to %.6g; expected 1 (within "
                                   "%g), or give counts of women", r->lo, r->open ? "+" : "",
                                   sum, PS_PARITY_SHARE_TOL);
        }
        const int hi = r->open ? t->n_ages - 1 : r->hi;
        for (int age = r->lo; age <= hi; ++age) {
            for (int k = 0; k < PS_PARITY_COUNT; ++k) {
                t->share[(size_t)age * PS_PARITY_COUNT + (size_t)k] = r->value[k] / sum;
            }
            t->given[age] = 1;
        }
    }
    return PS_OK;
}

/* A count table: the closed records graduated per parity (ps_grad_counts when a group is
 * wider than one year), the open group's counts at its first age; shares per age. */
static ps_status fill_counts(ps_parity_table *t, const pt_reader *rd, ps_error *err)
{
    const int n_closed = rd->rec[rd->n_rec - 1].open ? rd->n_rec - 1 : rd->n_rec;
    const int lo = rd->rec[0].lo, width = rd->rec[n_closed - 1].hi + 1 - lo;
    int *edges = malloc((size_t)(n_closed + 1) * sizeof *edges);
    double *grp = malloc((size_t)n_closed * sizeof *grp);
    double *single = malloc((size_t)width * sizeof *single);
    ps_status rc = edges && grp && single ? PS_OK
                                          : ps_error_set(err, PS_ENOMEM, "out of memory for "
                                                         "the parity table");
    for (int g = 0; rc == PS_OK && g <= n_closed; ++g) {
        edges[g] = g < n_closed ? rd->rec[g].lo : rd->rec[n_closed - 1].hi + 1;
    }
    for (int k = 0; rc == PS_OK && k < PS_PARITY_COUNT; ++k) {
        for (int g = 0; g < n_closed; ++g) {
            grp[g] = rd->rec[g].value[k];
        }
        if (width == n_closed) {
            memcpy(single, grp, (size_t)width * sizeof *single); /* all single ages */
        } else if (n_closed == 1) {
            for (int a = 0; a < width; ++a) { /* one group: spread evenly */
                single[a] = grp[0] / width;
            }
        } else if ((rc = ps_grad_counts(single, edges, grp, n_closed, err)) != PS_OK) {
            break;
        }
        for (int a = 0; a < width; ++a) {
            t->count[(size_t)(lo + a) * PS_PARITY_COUNT + (size_t)k] = single[a];
        }
        if (n_closed < rd->n_rec) {
            t->count[(size_t)rd->rec[n_closed].lo * PS_PARITY_COUNT + (size_t)k] =
                rd->rec[n_closed].value[k];
        }
    }
    for (int i = 0; rc == PS_OK && i < rd->n_rec; ++i) {
        const pt_rec *r = &rd->rec[i];
        const int hi = r->open ? t->n_ages - 1 : r->hi;
        for (int age = r->lo; rc == PS_OK && age <= hi; ++age) {
            const int src = r->open ? r->lo : age; /* an open group's shares at every age */
            const double *cnt = &t->count[(size_t)src * PS_PARITY_COUNT];
            const double sum = cnt[0] + cnt[1] + cnt[2] + cnt[3];
            if (!(sum > 0.0)) {
                rc = ps_error_set_at(err, PS_EINVAL, rd->path, r->line, r->age_col,
                                     "age %d has no women; expected counts > 0 at every age",
                                     age);
            }
            for (int k = 0; rc == PS_OK && k < PS_PARITY_COUNT; ++k) {
                t->share[(size_t)age * PS_PARITY_COUNT + (size_t)k] = cnt[k] / sum;
            }
            t->given[age] = 1;
        }
    }
    free(edges);
    free(grp);
    free(single);
    return rc;
}

static ps_status build_table(ps_parity_table *t, pt_reader *rd, ps_error *err)
{
    ps_status rc = check_ages(rd, t, err);
    int shares = 1;
    for (int i = 0; rc == PS_OK && i < rd->n_rec; ++i) {
        for (int k = 0; k < PS_PARITY_COUNT; ++k) {
            shares = shares && rd->rec[i].value[k] <= 1.0;
        }
    }
    const size_t cells = (size_t)rd->n_ages * PS_PARITY_COUNT;
    if (rc == PS_OK) {
        t->share = calloc(cells, sizeof *t->share);
        t->given = calloc((size_t)rd->n_ages, 1);
        t->count = shares ? NULL : calloc(cells, sizeof *t->count);
        if (!t->share || !t->given || (!shares && !t->count)) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory for the parity table");
        }
    }
    if (rc == PS_OK) {
        rc = shares ? fill_shares(t, rd, err) : fill_counts(t, rd, err);
    }
    return rc;
}

ps_status ps_parity_table_read(ps_parity_table *out, int n_ages, const char *path, ps_error *err)
{
    pt_reader rd = { .path = path, .n_ages = n_ages };
    ps_csv *c = NULL;
    ps_xlsx_map *map = NULL;
    memset(out, 0, sizeof *out);
    out->n_ages = n_ages;
    ps_status rc = open_table(&c, &map, path, err);
    if (rc == PS_OK) {
        rd.path = ps_csv__path(c);
        rc = read_rows(&rd, c, err);
    }
    if (rc == PS_OK) {
        rc = build_table(out, &rd, err);
    }
    if (rc != PS_OK) {
        ps_xlsx__locate(map, err);
        ps_parity_table_release(out);
    }
    ps_csv__close(c);
    ps_xlsx__map_free(map);
    free(rd.rec);
    return rc;
}

void ps_parity_table_release(ps_parity_table *t)
{
    if (t == NULL) {
        return;
    }
    free(t->share);
    free(t->given);
    free(t->count);
    memset(t, 0, sizeof *t);
}

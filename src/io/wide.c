/*
 * wide.c - yearbook-style wide tables for the planner inputs that are by sex and age: one
 * row per age group and one column per sex, with headers in English or Chinese
 * ([year,] 年龄组 | 男 | 女 [| 合计]), as statistical yearbooks print them. The table is
 * turned into the long CSV form the planner readers take ([year,]sex,age,value), so every
 * rule of the long form applies unchanged; a map keeps, for each long line, the wide line
 * and the columns of its year, age and value, so errors point at the wide table's cell.
 * Totals are checked, not trusted: a total column must equal male + female on its row, and
 * a totals row (合计, 总计, total) must equal the sum of the age rows of its column, each
 * within PS_WIDE_TOTAL_REL (relative) or PS_WIDE_TOTAL_ABS (persons, for rounding).
 */
#include "wide_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tolerances of the totals checks: yearbooks round each cell, so a total may differ from
 * the sum of rounded parts by a little; more than 0.05 % (or 1.5 persons per summed cell)
 * is a wrong total or a misread column, and is refused. */
#define PS_WIDE_TOTAL_REL 5e-4
#define PS_WIDE_TOTAL_ABS 1.5

enum { WIDE_MAX_LINE_FIELDS = PS_CSV_MAX_FIELDS };

/* One long line's origin in the wide table. */
typedef struct wide_origin {
    long line;                        /* wide line */
    int col_year, col_age, col_value; /* 1-based byte columns of those cells in that line */
    int long_age, long_value;         /* 1-based byte columns of age and value in the long line */
    int has_year;
} wide_origin;

struct ps_wide_map {
    char *path;
    wide_origin *origin; /* origin[k]: long line k + 2 (line 1 is the header) */
    size_t n;
};

/* Header words, compared after trimming blanks, case-insensitively for ASCII. */
static const char *const YEAR_WORDS[] = { "year", "年份", "年" };
static const char *const AGE_WORDS[] = { "age", "age group", "年龄", "年龄组", "年龄段", "组别" };
static const char *const MALE_WORDS[] = { "male", "males", "m", "men", "男", "男性", "男（人）", "男(人)" };
static const char *const FEMALE_WORDS[] = { "female", "females", "f", "women", "女", "女性",
                                             "女（人）", "女(人)" };
static const char *const TOTAL_WORDS[] = { "total", "both", "both sexes", "合计", "总计", "小计",
                                           "总人口", "合计（人）", "合计(人)" };
/* Age labels of a totals row. */
static const char *const TOTAL_ROW_WORDS[] = { "total", "all ages", "合计", "总计", "总人口", "全部",
                                               "总数" };

static void trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) {
        s[--n] = '\0';
    }
    size_t lead = strspn(s, " \t");
    memmove(s, s + lead, n - lead + 1);
}

static int same_word(const char *a, const char *b)
{
    for (; *a != '\0' && *b != '\0'; ++a, ++b) {
        char x = *a, y = *b;
        if (x >= 'A' && x <= 'Z') {
            x = (char)(x - 'A' + 'a');
        }
        if (y >= 'A' && y <= 'Z') {
            y = (char)(y - 'A' + 'a');
        }
        if (x != y) {
            return 0;
        }
    }
    return *a == *b;
}

static int is_one_of(const char *s, const char *const *words, size_t n)
{
    for (size_t k = 0; k < n; ++k) {
        if (same_word(s, words[k])) {
            return 1;
        }
    }
    return 0;
}

#define IS(s, list) is_one_of((s), (list), sizeof(list) / sizeof((list)[0]))

int ps_wide__header(ps_wide_layout *lay, const ps_csv_row *row, int has_year)
{
    memset(lay, 0, sizeof *lay);
    lay->year = lay->age = lay->male = lay->female = lay->total = -1;
    int n = row->n;
    char word[256];
    while (n > 0 && row->field[n - 1][0] == '\0') {
        --n; /* spreadsheets export trailing empty columns */
    }
    for (int i = 0; i < n; ++i) {
        snprintf(word, sizeof word, "%s", row->field[i]);
        trim(word);
        int *slot = NULL;
        if (has_year && IS(word, YEAR_WORDS)) {
            slot = &lay->year;
        } else if (IS(word, AGE_WORDS)) {
            slot = &lay->age;
        } else if (IS(word, MALE_WORDS)) {
            slot = &lay->male;
        } else if (IS(word, FEMALE_WORDS)) {
            slot = &lay->female;
        } else if (IS(word, TOTAL_WORDS)) {
            slot = &lay->total;
        }
        if (slot == NULL || *slot >= 0) {
            return 0; /* an unknown or repeated column: not a wide table we know */
        }
        *slot = i;
    }
    lay->n_fields = n;
    return lay->age >= 0 && lay->male >= 0 && lay->female >= 0 && (!has_year || lay->year >= 0);
}

/* "0-4岁" -> "0-4", "85岁及以上" / "85岁以上" / "85+" -> "85+", "0～4" -> "0-4". */
static void normalise_age(char *out, size_t size, const char *in)
{
    static const struct {
        const char *from, *to;
    } subst[] = {
        { "岁及以上", "+" }, { "岁以上", "+" }, { "及以上", "+" }, { "以上", "+" },
        { "岁", "" },       { "～", "-" },     { "~", "-" },       { "—", "-" },
        { "–", "-" },       { "－", "-" },     { " ", "" },
    };
    char buf[256];
    snprintf(buf, sizeof buf, "%s", in);
    for (size_t k = 0; k < sizeof subst / sizeof subst[0]; ++k) {
        char *p;
        while ((p = strstr(buf, subst[k].from)) != NULL) {
            size_t lf = strlen(subst[k].from), lt = strlen(subst[k].to);
            memmove(p + lt, p + lf, strlen(p + lf) + 1);
            memcpy(p, subst[k].to, lt);
        }
    }
    snprintf(out, size, "%s", buf);
}

static int append(char **text, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (c < *len + n + 1) {
            c *= 2;
        }
        char *p = realloc(*text, c);
        if (p == NULL) {
            return -1;
        }
        *text = p;
        *cap = c;
    }
    memcpy(*text + *len, s, n + 1);
    *len += n;
    return 0;
}

/* A number of the wide table (the long form re-checks it strictly); NAN if not one. */
static double number(const char *s)
{
    char *end = NULL;
    double v = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(v) ? v : NAN;
}

static int close_enough(double a, double b, double n_cells)
{
    double tol = fmax(PS_WIDE_TOTAL_ABS * fmax(n_cells, 1.0), PS_WIDE_TOTAL_REL * fabs(b));
    return fabs(a - b) <= tol;
}

/* Per year block: sums of the age rows, and the totals row if there was one. */
typedef struct wide_sums {
    double sum[3];      /* male, female, total column */
    double n;           /* age rows summed */
    int seen_total;     /* a totals row was met after age rows: no age row may follow */
    int pending;        /* a totals row came first: checked when the block ends */
    double t[3];        /* its values (NaN where absent) */
    long line;          /* its line and the columns of its cells */
    int col[3];
} wide_sums;

/* A totals row against the sums of the age rows of its block. */
static ps_status check_totals(const wide_sums *s, const char *path, ps_error *err)
{
    static const char *const names[3] = { "male", "female", "total" };
    for (int k = 0; k < 3; ++k) {
        if (s->col[k] < 1 || isnan(s->t[k])) {
            continue;
        }
        if (!close_enough(s->sum[k], s->t[k], s->n)) {
            return ps_error_set_at(err, PS_EINVAL, path, s->line, s->col[k],
                                   "the totals row gives %.10g for %s, but the age rows of the "
                                   "table sum to %.10g: correct the total or the rows",
                                   s->t[k], names[k], s->sum[k]);
        }
    }
    return PS_OK;
}

/* The end of a block (a year, or the file): a totals row given first is checked now. */
static ps_status end_block(wide_sums *s, const char *path, ps_error *err)
{
    ps_status rc = s->pending ? check_totals(s, path, err) : PS_OK;
    memset(s, 0, sizeof *s);
    return rc;
}

/* One data row of the wide table into long lines (or a checked totals row). */
static ps_status wide_row(char **text, size_t *len, size_t *cap, ps_wide_map *map, size_t *cap_o,
                          wide_sums *sums, const ps_wide_layout *lay, const ps_csv_row *row,
                          const char *path, ps_error *err)
{
    char age_word[256], age[256];
    const int need = lay->n_fields;
    if (row->n < need) { /* before any field is read: a short row has no such fields */
        return ps_error_set_at(err, PS_EPARSE, path, row->line, 1,
                               "truncated row: the wide table has %d columns, this row %d", need,
                               row->n);
    }
    snprintf(age_word, sizeof age_word, "%s", row->field[lay->age]);
    trim(age_word);
    const double m = number(row->field[lay->male]), f = number(row->field[lay->female]);
    const double t = lay->total >= 0 ? number(row->field[lay->total]) : NAN;
    if (lay->total >= 0 && !isnan(m) && !isnan(f) && !isnan(t) && !close_enough(m + f, t, 2.0)) {
        return ps_error_set_at(err, PS_EINVAL, path, row->line, row->column[lay->total],
                               "total %.10g is not male + female = %.10g: correct the row", t,
                               m + f);
    }
    if (IS(age_word, TOTAL_ROW_WORDS)) {
        const int cols[3] = { lay->male, lay->female, lay->total };
        sums->t[0] = m;
        sums->t[1] = f;
        sums->t[2] = t;
        sums->line = row->line;
        for (int k = 0; k < 3; ++k) {
            sums->col[k] = cols[k] >= 0 ? row->column[cols[k]] : 0;
        }
        if (sums->n == 0.0) {
            sums->pending = 1; /* first: checked at the end of the block */
            return PS_OK;
        }
        sums->seen_total = 1;
        return check_totals(sums, path, err);
    }
    if (sums->seen_total) {
        return ps_error_set_at(err, PS_EPARSE, path, row->line, row->column[lay->age],
                               "an age row after the totals row: the totals row must come "
                               "first or last");
    }
    sums->sum[0] += isnan(m) ? 0.0 : m;
    sums->sum[1] += isnan(f) ? 0.0 : f;
    sums->sum[2] += isnan(t) ? 0.0 : t;
    sums->n += 1.0;
    normalise_age(age, sizeof age, age_word);
    for (int s = 0; s < 2; ++s) {
        const int col = s == 0 ? lay->male : lay->female;
        char line[600];
        if (lay->year >= 0) {
            snprintf(line, sizeof line, "%s,%s,%s,%s\n", row->field[lay->year], s == 0 ? "M" : "F",
                     age, row->field[col]);
        } else {
            snprintf(line, sizeof line, "%s,%s,%s\n", s == 0 ? "M" : "F", age, row->field[col]);
        }
        if (map->n == *cap_o) {
            *cap_o = *cap_o ? 2 * *cap_o : 256;
            wide_origin *p = realloc(map->origin, *cap_o * sizeof *p);
            if (p == NULL) {
                return ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path);
            }
            map->origin = p;
        }
        if (append(text, len, cap, line) != 0) {
            return ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path);
        }
        const int year_len = lay->year >= 0 ? (int)strlen(row->field[lay->year]) + 1 : 0;
        map->origin[map->n++] = (wide_origin){ .line = row->line,
                                           .col_year = lay->year >= 0 ? row->column[lay->year] : 1,
                                           .col_age = row->column[lay->age],
                                           .col_value = row->column[col],
                                           .long_age = year_len + 3,
                                           .long_value = year_len + 3 + (int)strlen(age) + 1,
                                           .has_year = lay->year >= 0 };
    }
    return PS_OK;
}

ps_status ps_wide__convert(char **text_out, size_t *len_out, ps_wide_map **map_out, ps_csv *c,
                           const ps_wide_layout *lay, const char *long_header, ps_error *err)
{
    char *text = NULL;
    size_t len = 0, cap = 0, cap_o = 0;
    const char *path = ps_csv__path(c);
    ps_wide_map *m = calloc(1, sizeof *m);
    *text_out = NULL;
    *map_out = NULL;
    ps_status rc = PS_OK;
    if (m == NULL || (m->path = strdup(path)) == NULL ||
        append(&text, &len, &cap, long_header) != 0 || append(&text, &len, &cap, "\n") != 0) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path);
    }
    wide_sums sums;
    memset(&sums, 0, sizeof sums);
    long year_block = -1;
    char *line = NULL;
    size_t n = 0;
    int got = 0;
    ps_csv_row row;
    while (rc == PS_OK && (got = ps_csv__next_line(c, &line, &n, err)) > 0) {
        if (n == 0) {
            continue;
        }
        if ((rc = ps_csv__split(c, line, &row, err)) != PS_OK) {
            break;
        }
        if (lay->year >= 0 && row.n > lay->year) {
            long y = strtol(row.field[lay->year], NULL, 10);
            if (y != year_block) { /* totals are checked per year */
                if ((rc = end_block(&sums, path, err)) != PS_OK) {
                    break;
                }
                year_block = y;
            }
        }
        rc = wide_row(&text, &len, &cap, m, &cap_o, &sums, lay, &row, path, err);
    }
    if (rc == PS_OK && got < 0) {
        rc = err ? err->code : PS_EIO;
    }
    if (rc == PS_OK) {
        rc = end_block(&sums, path, err);
    }
    if (rc != PS_OK) {
        free(text);
        ps_wide__map_free(m);
        return rc;
    }
    *text_out = text;
    *len_out = len;
    *map_out = m;
    return PS_OK;
}

void ps_wide__locate(const ps_wide_map *m, ps_error *err)
{
    if (m == NULL || err == NULL || err->code == PS_OK || strcmp(err->path, m->path) != 0 ||
        err->line < 1) {
        return;
    }
    if (err->line == 1 || (size_t)(err->line - 2) >= m->n) {
        err->line = 1; /* the long header stands for the wide one */
        err->column = 1;
        return;
    }
    /* The long line is [year,]sex,age,value: the year, the age, or (sex and value) the
     * value's cell, whose column gives the sex. */
    const wide_origin *o = &m->origin[err->line - 2];
    int col = o->col_value;
    if (err->column >= o->long_age && err->column < o->long_value) {
        col = o->col_age;
    } else if (o->has_year && err->column >= 1 && err->column < o->long_age - 2) {
        col = o->col_year;
    }
    err->line = o->line;
    err->column = col;
}

void ps_wide__map_free(ps_wide_map *m)
{
    if (m == NULL) {
        return;
    }
    free(m->path);
    free(m->origin);
    free(m);
}

/*
 * wpp.c - reading the UN WPP 2024 tidy CSV extract for one location.
 * A reader skips other locations by their leading code without splitting the line, reads
 * every file to its end (a gzip trailer is always checked) and refuses a value given twice.
 * Counts arrive in thousands and leave in persons. A binary cache of the parsed location,
 * keyed by the source files' identity and checked by its SHA-256, makes repeated runs cheap.
 */
#include "popsim/wpp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv_int.h"
#include "popsim/outfile.h"
#include "popsim/sha256.h"
#include "popsim/units.h"

/*
 * One WPP file: its name, header, the columns that identify a row within a location, and
 * how a row is parsed: the function points *cell at the value's place in the location
 * (NULL for a row popsim does not use) and puts the value, converted, into *v. The caller
 * stores it, so one place refuses a cell given twice (issue #17).
 */
typedef ps_status (*row_fn)(double **cell, double *v, ps_wpp_location *loc, const ps_csv *c,
                            const ps_csv_row *row, ps_error *err);
typedef struct wpp_file {
    const char *name;
    const char *header[8];
    int n_cols;
    const char *keys; /* the columns that identify a row of one location */
    row_fn parse;
} wpp_file;

static int year_idx(int year)
{
    return year - PS_WPP_FIRST_YEAR;
}

/* The calendar year in column `ycol` (within lo..hi) and the number in column `vcol`. */
static ps_status year_value(int *year, double *v, const ps_csv *c, const ps_csv_row *row, int ycol,
                            int vcol, int lo, int hi, ps_error *err)
{
    ps_status rc = ps_csv__int(year, c, row, ycol, "year", lo, hi, err);
    return rc != PS_OK ? rc : ps_csv__double(v, c, row, vcol, "value", err);
}

/* Sex "M" or "F" in column `col`. */
static ps_status sex_at(int *sex, const ps_csv *c, const ps_csv_row *row, int col, ps_error *err)
{
    const char *s = row->field[col];
    if (strcmp(s, "M") == 0 || strcmp(s, "F") == 0) {
        *sex = s[0] == 'M' ? PS_SEX_MALE : PS_SEX_FEMALE;
        return PS_OK;
    }
    return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, row->column[col],
                           "column 'sex': expected M or F (got '%.20s')", s);
}

static ps_status parse_pop5(double **cell, double *v, ps_wpp_location *loc, const ps_csv *c,
                            const ps_csv_row *row, ps_error *err)
{
    int year = 0, age = 0, sex = 0;
    ps_status rc;
    if ((rc = year_value(&year, v, c, row, 2, 6, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err)) ||
        (rc = ps_csv__int(&age, c, row, 5, "age", 0, 100, err)) ||
        (rc = sex_at(&sex, c, row, 4, err))) {
        return rc;
    }
    if (year % 5 != 0 || age % 5 != 0) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, 1,
                               "expected years and ages divisible by 5 (got %d, %d)", year, age);
    }
    *cell = &loc->pop5[year_idx(year) / 5][sex][age / 5];
    *v = ps_thousands_to_persons(*v);
    return PS_OK;
}

static ps_status parse_mx5(double **cell, double *v, ps_wpp_location *loc, const ps_csv *c,
                           const ps_csv_row *row, ps_error *err)
{
    int ys = 0, age = 0, sex = 0;
    ps_status rc;
    if ((rc = year_value(&ys, v, c, row, 3, 7, PS_WPP_FIRST_YEAR, 2095, err)) ||
        (rc = ps_csv__int(&age, c, row, 6, "age", 0, 100, err)) ||
        (rc = sex_at(&sex, c, row, 5, err))) {
        return rc;
    }
    int group = age == 0 ? 0 : (age == 1 ? 1 : age / 5 + 1);
    if ((ys - PS_WPP_FIRST_YEAR) % 5 != 0 || (age > 1 && age % 5 != 0)) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, 1,
                               "expected an abridged age (0, 1, 5, ..., 100) and a 5-year period");
    }
    *cell = &loc->mx5[(ys - PS_WPP_FIRST_YEAR) / 5][sex][group];
    return PS_OK;
}

static ps_status parse_e0(double **cell, double *v, ps_wpp_location *loc, const ps_csv *c,
                          const ps_csv_row *row, ps_error *err)
{
    int year = 0, sex = 0;
    if (strcmp(row->field[4], "B") == 0) {
        return PS_OK; /* both sexes: not used */
    }
    ps_status rc;
    if ((rc = year_value(&year, v, c, row, 2, 5, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err)) ||
        (rc = sex_at(&sex, c, row, 4, err))) {
        return rc;
    }
    *cell = &loc->e0[year_idx(year)][sex];
    return PS_OK;
}

/* year,variant,value files (tfr, srb, migration total): the year's place in `series`. */
static ps_status parse_annual(double **cell, double *v, double *series, const ps_csv *c,
                              const ps_csv_row *row, ps_error *err)
{
    int year = 0;
    ps_status rc = year_value(&year, v, c, row, 2, 4, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err);
    if (rc == PS_OK) {
        *cell = &series[year_idx(year)];
    }
    return rc;
}

static ps_status parse_tfr(double **cell, double *v, ps_wpp_location *loc, const ps_csv *c,
                           const ps_csv_row *row, ps_error *err)
{
    return parse_annual(cell, v, loc->tfr, c, row, err);
}

static ps_status parse_srb(double **cell, double *v, ps_wpp_location *loc, const ps_csv *c,
                           const ps_csv_row *row, ps_error *err)
{
    return parse_annual(cell, v, loc->srb, c, row, err);
}

static ps_status parse_migtot(double **cell, double *v, ps_wpp_location *loc, const ps_csv *c,
                              const ps_csv_row *row, ps_error *err)
{
    ps_status rc = parse_annual(cell, v, loc->mig_total, c, row, err);
    if (rc == PS_OK) {
        *v *= PS_PERSONS_PER_THOUSAND;
    }
    return rc;
}

static ps_status parse_pasfr(double **cell, double *v, ps_wpp_location *loc, const ps_csv *c,
                             const ps_csv_row *row, ps_error *err)
{
    int year = 0, age = 0;
    ps_status rc;
    if ((rc = year_value(&year, v, c, row, 2, 4, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err)) ||
        (rc = ps_csv__int(&age, c, row, 3, "age", 10, 50, err))) {
        return rc;
    }
    *cell = &loc->pasfr[year_idx(year)][(age - PS_FERTILE_AGE_MIN) / PS_AGE_GROUP_YEARS];
    return PS_OK;
}

static ps_status parse_mig1(double **cell, double *v, ps_wpp_location *loc, const ps_csv *c,
                            const ps_csv_row *row, ps_error *err)
{
    int year = 0, age = 0, sex = 0;
    ps_status rc;
    if ((rc = year_value(&year, v, c, row, 2, 5, PS_WPP_MIG1_FIRST_YEAR, PS_WPP_LAST_YEAR,
                         err)) ||
        (rc = ps_csv__int(&age, c, row, 4, "age", 0, PS_WPP_N_AGES - 1, err)) ||
        (rc = sex_at(&sex, c, row, 3, err))) {
        return rc;
    }
    *cell = &loc->mig1[year - PS_WPP_MIG1_FIRST_YEAR][sex][age];
    *v = ps_thousands_to_persons(*v);
    return PS_OK;
}

static ps_status parse_poptot(double **cell, double *v, ps_wpp_location *loc, const ps_csv *c,
                              const ps_csv_row *row, ps_error *err)
{
    int year = 0, sex = 0;
    ps_status rc;
    if ((rc = year_value(&year, v, c, row, 2, 4, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err)) ||
        (rc = sex_at(&sex, c, row, 3, err))) {
        return rc;
    }
    *cell = &loc->pop_total[year_idx(year)][sex];
    *v = ps_thousands_to_persons(*v);
    return PS_OK;
}

static ps_status parse_vital(double **cell, double *v, ps_wpp_location *loc, const ps_csv *c,
                             const ps_csv_row *row, ps_error *err)
{
    int year = 0;
    const char *ind = row->field[4];
    if (strcmp(ind, "births") != 0 && strcmp(ind, "deaths") != 0) {
        return PS_OK; /* other indicators: not used */
    }
    ps_status rc = year_value(&year, v, c, row, 2, 5, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err);
    if (rc == PS_OK) {
        *cell = ind[0] == 'b' ? &loc->births[year_idx(year)] : &loc->deaths[year_idx(year)];
        *v = ps_thousands_to_persons(*v);
    }
    return rc;
}

static const wpp_file wpp_files[] = {
    { "pop_age5_sex_5yr.csv",
      { "country_code", "name", "year", "variant", "sex", "age", "value" }, 7, "year, sex, age",
      parse_pop5 },
    { "mx_abridged_sex_5yr.csv.gz",
      { "country_code", "name", "period", "year_start", "year_end", "sex", "age", "value" }, 8,
      "year_start, sex, age", parse_mx5 },
    { "e0_annual.csv", { "country_code", "name", "year", "variant", "sex", "value" }, 6,
      "year, sex", parse_e0 },
    { "tfr_annual.csv", { "country_code", "name", "year", "variant", "value" }, 5, "year",
      parse_tfr },
    { "pasfr_age5_annual.csv", { "country_code", "name", "year", "age", "value" }, 5,
      "year, age", parse_pasfr },
    { "srb_annual.csv", { "country_code", "name", "year", "variant", "value" }, 5, "year",
      parse_srb },
    { "migration_total_annual.csv", { "country_code", "name", "year", "variant", "value" }, 5,
      "year", parse_migtot },
    { "migration_age1_sex_annual.csv.gz",
      { "country_code", "name", "year", "sex", "age", "value" }, 6, "year, sex, age",
      parse_mig1 },
    { "pop_total_sex_annual.csv", { "country_code", "name", "year", "sex", "value" }, 5,
      "year, sex", parse_poptot },
    { "vital_indicators_annual.csv",
      { "country_code", "name", "year", "variant", "indicator", "value" }, 6,
      "year, indicator", parse_vital },
};
#define N_WPP_FILES ((int)(sizeof wpp_files / sizeof wpp_files[0]))
#define N_WPP_FILES_MAX 16 /* room in the cache header */

static const char wpp_needed_msg[] =
    "popsim needs the UN World Population Prospects 2024 tidy CSV files (locations.csv, "
    "pop_age5_sex_5yr.csv, mx_abridged_sex_5yr.csv.gz, e0_annual.csv, tfr_annual.csv, "
    "pasfr_age5_annual.csv, srb_annual.csv, migration_total_annual.csv, "
    "migration_age1_sex_annual.csv.gz, pop_total_sex_annual.csv, vital_indicators_annual.csv) "
    "from UN DESA Population Division, World Population Prospects 2024 (CC BY 3.0 IGO); "
    "point data.wpp_dir, --wpp-dir or POPSIM_DATA_DIR at their folder";

/* Leading location code of a raw line, without splitting it; -1 if none. Plain digits
 * (every line of the dataset) are read here, anything else as strtol() reads it. */
static long line_code(const char *line)
{
    enum { MAX_DIGITS = 9 }; /* fits a long; M49 codes have at most 4 */
    long code = 0;
    int n = 0;
    while (n < MAX_DIGITS && line[n] >= '0' && line[n] <= '9') {
        code = code * 10 + (line[n++] - '0');
    }
    if (n > 0 && line[n] == ',') {
        return code;
    }
    char *end = NULL;
    code = strtol(line, &end, 10);
    return (end != line && *end == ',') ? code : -1;
}

/*
 * Store one parsed value, refusing a cell given twice (issue #17: the last row used to win).
 * first_line[k] is the line that gave the location's k-th double (0: not given yet).
 * Identical duplicates are refused as well: the files list every value once, so any
 * duplicate means a damaged or edited file.
 */
static ps_status store_once(ps_wpp_location *loc, long *first_line, double *cell, double v,
                            const wpp_file *f, const ps_csv *c, const ps_csv_row *row,
                            ps_error *err)
{
    size_t k = (size_t)((char *)cell - (char *)loc) / sizeof(double);
    if (first_line[k] != 0) {
        const int same = *cell == v;
        return ps_error_set_at(err, PS_EINVAL, ps_csv__path(c), row->line, 1,
                               "duplicate row: location %d with the same %s was already given "
                               "at line %ld%s; every row must appear once", loc->code, f->keys,
                               first_line[k],
                               same ? " (with the same value)" : " with a different value");
    }
    first_line[k] = row->line;
    *cell = v;
    return PS_OK;
}

/*
 * Read the rows of loc->code from one file. Other locations are skipped by their leading
 * code without splitting the line. The whole file is read, although each location's rows
 * form one block in the dataset: so that rows repeated anywhere are found, and a gzip
 * file's trailer is always checked (both issue #17).
 */
static ps_status read_file(ps_wpp_location *loc, long *first_line, const char *dir,
                           const wpp_file *f, ps_error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, f->name);
    ps_csv *c = NULL;
    ps_status rc = ps_csv__open(&c, path, err);
    if (rc != PS_OK) {
        ps_error_prepend(err, "%s: ", wpp_needed_msg);
        return rc;
    }
    if ((rc = ps_csv__expect_header(c, f->header, f->n_cols, err)) != PS_OK) {
        goto done;
    }
    char *line = NULL;
    size_t len = 0;
    int got;
    while ((got = ps_csv__next_line(c, &line, &len, err)) == 1) {
        if (line_code(line) != loc->code) {
            continue;
        }
        ps_csv_row row;
        double *cell = NULL, v = 0.0;
        if ((rc = ps_csv__split(c, line, &row, err)) != PS_OK) {
            goto done;
        }
        if (row.n != f->n_cols) {
            rc = ps_error_set_at(err, PS_EPARSE, path, row.line, (int)len + 1,
                                 "expected %d fields, got %d", f->n_cols, row.n);
            goto done;
        }
        if ((rc = f->parse(&cell, &v, loc, c, &row, err)) != PS_OK ||
            (cell != NULL &&
             (rc = store_once(loc, first_line, cell, v, f, c, &row, err)) != PS_OK)) {
            goto done;
        }
    }
    if (got < 0) {
        rc = err ? err->code : PS_EIO;
    }
done:
    ps_csv__close(c);
    return rc;
}

static void fill_nan(double *a, size_t n)
{
    for (size_t i = 0; i < n; ++i) {
        a[i] = NAN;
    }
}

static void clear_location(ps_wpp_location *loc, int code)
{
    memset(loc, 0, sizeof *loc);
    loc->code = code;
    fill_nan(&loc->pop5[0][0][0], sizeof loc->pop5 / sizeof(double));
    fill_nan(&loc->mx5[0][0][0], sizeof loc->mx5 / sizeof(double));
    fill_nan(&loc->e0[0][0], sizeof loc->e0 / sizeof(double));
    fill_nan(loc->tfr, PS_WPP_N_YEARS);
    fill_nan(&loc->pasfr[0][0], sizeof loc->pasfr / sizeof(double));
    fill_nan(loc->srb, PS_WPP_N_YEARS);
    fill_nan(loc->mig_total, PS_WPP_N_YEARS);
    fill_nan(&loc->mig1[0][0][0], sizeof loc->mig1 / sizeof(double));
    fill_nan(&loc->pop_total[0][0], sizeof loc->pop_total / sizeof(double));
    fill_nan(loc->births, PS_WPP_N_YEARS);
    fill_nan(loc->deaths, PS_WPP_N_YEARS);
}

ps_status ps_wpp_find_dir(char *out, size_t size, const char *explicit_dir,
                          const char *project_root, ps_error *err)
{
    const char *env = getenv("POPSIM_DATA_DIR");
    char guess[PATH_MAX];
    const char *dir = explicit_dir;
    if (dir == NULL && env != NULL && env[0] != '\0') {
        dir = env;
    }
    if (dir == NULL) {
        snprintf(guess, sizeof guess, "%s/../shared/data/wpp2024",
                 project_root ? project_root : ".");
        dir = guess;
    }
    char probe[PATH_MAX + 32];
    snprintf(probe, sizeof probe, "%s/locations.csv", dir);
    struct stat st;
    if (stat(probe, &st) != 0 || !S_ISREG(st.st_mode)) {
        return ps_error_set(err, PS_EIO, "no WPP data in '%s' (locations.csv is missing). %s",
                            dir, wpp_needed_msg);
    }
    snprintf(out, size, "%s", dir);
    return PS_OK;
}

/* Up to `max` location names containing `needle` (case-insensitive), for suggestions. */
static void add_suggestion(char *buf, size_t size, const char *name, int *n_sugg)
{
    if (*n_sugg < 5) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s'%s'", *n_sugg ? ", " : "", name);
        (*n_sugg)++;
    }
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay != '\0'; ++hay) {
        size_t i = 0;
        while (i < n && hay[i] != '\0' &&
               (hay[i] | 0x20) == (needle[i] | 0x20)) {
            ++i;
        }
        if (i == n) {
            return 1;
        }
    }
    return 0;
}

/* Case-insensitive Levenshtein distance, capped: returns max_d + 1 once it is exceeded. */
static int edit_distance(const char *a, const char *b, int max_d)
{
    enum { MAX_LEN = 96 };
    size_t na = strlen(a), nb = strlen(b);
    if (na >= MAX_LEN || nb >= MAX_LEN) {
        return max_d + 1;
    }
    int row[MAX_LEN + 1];
    for (size_t j = 0; j <= nb; ++j) {
        row[j] = (int)j;
    }
    for (size_t i = 1; i <= na; ++i) {
        int diag = row[0], best = (int)i;
        row[0] = (int)i;
        for (size_t j = 1; j <= nb; ++j) {
            int up = row[j];
            int cost = ((a[i - 1] | 0x20) == (b[j - 1] | 0x20)) ? 0 : 1;
            int v = diag + cost;
            v = up + 1 < v ? up + 1 : v;
            v = row[j - 1] + 1 < v ? row[j - 1] + 1 : v;
            row[j] = v;
            diag = up;
            best = v < best ? v : best;
        }
        if (best > max_d) {
            return max_d + 1;
        }
    }
    return row[nb];
}

ps_status ps_wpp_lookup(int *code_out, char *name_out, size_t name_size, const char *dir,
                        const char *code_or_name, ps_error *err)
{
    static const char *const header[] = { "country_code", "name", "location_type", "reg_code",
                                          "reg_name", "area_code", "area_name" };
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/locations.csv", dir);
    char *end = NULL;
    long want_code = strtol(code_or_name, &end, 10);
    int by_code = end != code_or_name && *end == '\0';
    char sugg[512] = "";
    int n_sugg = 0, found = 0;
    ps_csv *c = NULL;
    ps_status rc = ps_csv__open(&c, path, err);
    if (rc == PS_OK) {
        rc = ps_csv__expect_header(c, header, 7, err);
    }
    char *line = NULL;
    size_t len = 0;
    int got = 0;
    while (rc == PS_OK && !found && (got = ps_csv__next_line(c, &line, &len, err)) == 1) {
        ps_csv_row row;
        if ((rc = ps_csv__split(c, line, &row, err)) != PS_OK) {
            break;
        }
        long code = strtol(row.field[0], NULL, 10);
        if (row.n >= 2 && ((by_code && code == want_code) ||
                           (!by_code && strcmp(row.field[1], code_or_name) == 0))) {
            *code_out = (int)code;
            snprintf(name_out, name_size, "%s", row.field[1]);
            found = 1;
        } else if (row.n >= 2 && !by_code && (contains_ci(row.field[1], code_or_name) ||
                                               edit_distance(row.field[1], code_or_name, 2) <= 2)) {
            add_suggestion(sugg, sizeof sugg, row.field[1], &n_sugg);
        }
    }
    if (rc == PS_OK && got < 0) {
        rc = err ? err->code : PS_EIO;
    }
    if (rc == PS_OK && found) {
        rc = ps_csv__finish(c, err);
    }
    ps_csv__close(c);
    if (rc == PS_OK && !found) {
        rc = ps_error_set(err, PS_EINVAL,
                          "unknown location '%s': expected a UN M49 code or an exact name from "
                          "%s%s%s", code_or_name, path, n_sugg ? "; did you mean " : "", sugg);
    }
    return rc;
}

/* ---- cache ---------------------------------------------------------------------------- */

/*
 * A cache entry is one file: a header naming the sources, the ps_wpp_location bytes, and
 * the SHA-256 (lowercase hex) of header and payload. It is used only when it is a regular
 * file (not a symlink, FIFO or device) of exactly that size, its header equals the one
 * computed from the sources now, and the digest matches. Anything else is a miss, never an
 * error: the sources are read and the entry rewritten. Before issue #17 the payload was
 * trusted as it stood, and one changed double moved a country's population by 20 %.
 * The sources are identified by their metadata (reading them would cost what the cache
 * saves); the change time makes any write to a source a miss, even one that restores its
 * size and modification time.
 */
#define WPP_CACHE_MAGIC "PSWPPC2"
#define WPP_DIGEST_HEX 64 /* characters of a SHA-256 in hex */
#define WPP_LOCATIONS_FILE "locations.csv"

typedef struct wpp_source_id {
    long long dev, ino, size; /* device, inode, bytes */
    long long mtime_ns;       /* modification time, ns since the epoch */
    long long ctime_ns;       /* status change time, ns since the epoch */
} wpp_source_id;

typedef struct wpp_cache_header {
    char magic[8];
    unsigned long struct_size;
    int code;
    char dir[PATH_MAX];                          /* the WPP folder's real path */
    wpp_source_id source[N_WPP_FILES_MAX + 1];   /* wpp_files, then locations.csv */
} wpp_cache_header;

typedef struct wpp_cache_entry {
    wpp_cache_header header;
    ps_wpp_location loc;
    char digest[WPP_DIGEST_HEX]; /* of header and loc; no NUL */
} wpp_cache_entry;

static long long ns_of(struct timespec t)
{
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int source_id(wpp_source_id *id, const char *dir, const char *name)
{
    char path[PATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        return -1; /* a FIFO or device has no identity to key on: no cache */
    }
    id->dev = (long long)st.st_dev;
    id->ino = (long long)st.st_ino;
    id->size = (long long)st.st_size;
    id->mtime_ns = ns_of(st.st_mtim);
    id->ctime_ns = ns_of(st.st_ctim);
    return 0;
}

/* The identity of the sources: the folder and every file popsim reads from it. */
static int cache_signature(wpp_cache_header *h, const char *dir, int code)
{
    memset(h, 0, sizeof *h);
    memcpy(h->magic, WPP_CACHE_MAGIC, sizeof h->magic);
    h->struct_size = sizeof(ps_wpp_location);
    h->code = code;
    if (realpath(dir, h->dir) == NULL) {
        return -1;
    }
    for (int i = 0; i < N_WPP_FILES; ++i) {
        if (source_id(&h->source[i], dir, wpp_files[i].name) != 0) {
            return -1;
        }
    }
    return source_id(&h->source[N_WPP_FILES], dir, WPP_LOCATIONS_FILE);
}

static void cache_path(char *out, size_t size, const char *cache_dir, int code)
{
    snprintf(out, size, "%s/wpp2024-%d.bin", cache_dir, code);
}

static void entry_digest(char hex[WPP_DIGEST_HEX + 1], const wpp_cache_entry *e)
{
    ps_sha256_hex(hex, e, offsetof(wpp_cache_entry, digest));
}

/* Read exactly n bytes of a regular file; 0 on success. */
static int read_exactly(int fd, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t got = read(fd, (char *)buf + done, n - done);
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            return -1;
        }
        done += (size_t)got;
    }
    return 0;
}

/* 1 if a valid cache entry was read into loc, 0 otherwise (never an error). */
static int cache_read(ps_wpp_location *loc, const char *cache_dir, const wpp_cache_header *want)
{
    char path[PATH_MAX], hex[WPP_DIGEST_HEX + 1];
    cache_path(path, sizeof path, cache_dir, want->code);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    struct stat st;
    wpp_cache_entry *e = NULL;
    int ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
             st.st_size == (off_t)sizeof *e && (e = malloc(sizeof *e)) != NULL &&
             read_exactly(fd, e, sizeof *e) == 0 &&
             memcmp(&e->header, want, sizeof *want) == 0;
    if (ok) {
        entry_digest(hex, e);
        ok = memcmp(hex, e->digest, WPP_DIGEST_HEX) == 0;
    }
    if (ok) {
        memcpy(loc, &e->loc, sizeof *loc);
    }
    free(e);
    close(fd);
    return ok;
}

static int mkdir_p(const char *dir)
{
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof tmp, "%s", dir);
    for (char *p = tmp + 1; *p != '\0'; ++p) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                return -1;
            }
            *p = '/';
        }
    }
    return (mkdir(tmp, 0755) != 0 && errno != EEXIST) ? -1 : 0;
}

/*
 * Best effort: written through ps_outfile (exclusive temporary, atomic rename), so readers
 * never see half a file and a link planted in the cache folder is never followed; the
 * digest catches anything else.
 */
static void cache_write(const ps_wpp_location *loc, const char *cache_dir,
                        const wpp_cache_header *h)
{
    char path[PATH_MAX], hex[WPP_DIGEST_HEX + 1];
    ps_outfile *f = NULL;
    FILE *out = NULL;
    wpp_cache_entry *e = calloc(1, sizeof *e);
    if (e == NULL || mkdir_p(cache_dir) != 0) {
        free(e);
        return;
    }
    e->header = *h;
    e->loc = *loc;
    entry_digest(hex, e);
    memcpy(e->digest, hex, WPP_DIGEST_HEX);
    cache_path(path, sizeof path, cache_dir, h->code);
    /* An entry that is not a regular file (a link, a FIFO) is replaced, never followed:
     * the cache folder holds only what popsim wrote there. */
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        unlink(path);
    }
    if (ps_outfile_open(&f, path, NULL) == PS_OK && (out = ps_outfile_stream(f)) != NULL &&
        fwrite(e, sizeof *e, 1, out) == 1) {
        (void)ps_outfile_commit(f, NULL);
        f = NULL;
    }
    ps_outfile_abort(f);
    free(e);
}

ps_status ps_wpp_default_cache_dir(char *out, size_t size, ps_error *err)
{
    const char *env = getenv("POPSIM_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (env != NULL && env[0] != '\0') {
        snprintf(out, size, "%s", env);
    } else if (xdg != NULL && xdg[0] != '\0') {
        snprintf(out, size, "%s/popsim", xdg);
    } else if (home != NULL && home[0] != '\0') {
        snprintf(out, size, "%s/.cache/popsim", home);
    } else {
        return ps_error_set(err, PS_EIO, "no cache folder: set POPSIM_CACHE_DIR or HOME");
    }
    return PS_OK;
}

ps_status ps_wpp_load(ps_wpp_location *out, const char *dir, int code, const char *cache_dir,
                      ps_error *err)
{
    wpp_cache_header *sig = malloc(sizeof *sig);
    long *first_line = NULL; /* per double of the location: the line that gave it, 0 none */
    ps_status rc = PS_OK;
    if (sig == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory reading WPP data");
        goto done;
    }
    int have_sig = cache_signature(sig, dir, code) == 0;
    if (cache_dir != NULL && have_sig && cache_read(out, cache_dir, sig)) {
        goto done;
    }
    first_line = calloc(sizeof *out / sizeof(double) + 1, sizeof *first_line);
    if (first_line == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory reading WPP data");
        goto done;
    }
    clear_location(out, code);
    for (int i = 0; i < N_WPP_FILES && rc == PS_OK; ++i) {
        rc = read_file(out, first_line, dir, &wpp_files[i], err);
    }
    if (rc == PS_OK) {
        char code_text[32];
        snprintf(code_text, sizeof code_text, "%d", code);
        rc = ps_wpp_lookup(&code, out->name, sizeof out->name, dir, code_text, err);
    }
    if (rc == PS_OK && cache_dir != NULL && have_sig) {
        cache_write(out, cache_dir, sig);
    }
done:
    free(first_line);
    free(sig);
    return rc;
}

/*
 * wpp.c - reading the UN WPP 2024 tidy CSV extract for one location.
 * Every file lists locations in contiguous blocks, so a reader skips other locations by
 * their leading code without splitting the line, and stops after its location's block.
 * Counts arrive in thousands and leave in persons. A binary cache of the parsed location,
 * keyed by each source file's size and modification time, makes repeated runs cheap.
 */
#include "popsim/wpp.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv_int.h"
#include "popsim/outfile.h"
#include "popsim/units.h"

/* One WPP file: its name, header, and how a row of the location is stored. */
typedef ps_status (*row_fn)(ps_wpp_location *loc, const ps_csv *c, const ps_csv_row *row,
                            ps_error *err);
typedef struct wpp_file {
    const char *name;
    const char *header[8];
    int n_cols;
    row_fn store;
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

static ps_status store_pop5(ps_wpp_location *loc, const ps_csv *c, const ps_csv_row *row,
                            ps_error *err)
{
    int year = 0, age = 0, sex = 0;
    double v = 0.0;
    ps_status rc;
    if ((rc = year_value(&year, &v, c, row, 2, 6, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err)) ||
        (rc = ps_csv__int(&age, c, row, 5, "age", 0, 100, err)) ||
        (rc = sex_at(&sex, c, row, 4, err))) {
        return rc;
    }
    if (year % 5 != 0 || age % 5 != 0) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, 1,
                               "expected years and ages divisible by 5 (got %d, %d)", year, age);
    }
    loc->pop5[year_idx(year) / 5][sex][age / 5] = ps_thousands_to_persons(v);
    return PS_OK;
}

static ps_status store_mx5(ps_wpp_location *loc, const ps_csv *c, const ps_csv_row *row,
                           ps_error *err)
{
    int ys = 0, age = 0, sex = 0;
    double v = 0.0;
    ps_status rc;
    if ((rc = year_value(&ys, &v, c, row, 3, 7, PS_WPP_FIRST_YEAR, 2095, err)) ||
        (rc = ps_csv__int(&age, c, row, 6, "age", 0, 100, err)) ||
        (rc = sex_at(&sex, c, row, 5, err))) {
        return rc;
    }
    int group = age == 0 ? 0 : (age == 1 ? 1 : age / 5 + 1);
    if ((ys - PS_WPP_FIRST_YEAR) % 5 != 0 || (age > 1 && age % 5 != 0)) {
        return ps_error_set_at(err, PS_EPARSE, ps_csv__path(c), row->line, 1,
                               "expected an abridged age (0, 1, 5, ..., 100) and a 5-year period");
    }
    loc->mx5[(ys - PS_WPP_FIRST_YEAR) / 5][sex][group] = v;
    return PS_OK;
}

static ps_status store_e0(ps_wpp_location *loc, const ps_csv *c, const ps_csv_row *row,
                          ps_error *err)
{
    int year = 0, sex = 0;
    double v = 0.0;
    if (strcmp(row->field[4], "B") == 0) {
        return PS_OK; /* both sexes: not used */
    }
    ps_status rc;
    if ((rc = year_value(&year, &v, c, row, 2, 5, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err)) ||
        (rc = sex_at(&sex, c, row, 4, err))) {
        return rc;
    }
    loc->e0[year_idx(year)][sex] = v;
    return PS_OK;
}

/* year,variant,value files (tfr, srb, migration total). */
static ps_status store_annual(double *dst, double scale, const ps_csv *c, const ps_csv_row *row,
                              ps_error *err)
{
    int year = 0;
    double v = 0.0;
    ps_status rc = year_value(&year, &v, c, row, 2, 4, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err);
    if (rc == PS_OK) {
        dst[year_idx(year)] = v * scale;
    }
    return rc;
}

static ps_status store_tfr(ps_wpp_location *loc, const ps_csv *c, const ps_csv_row *row,
                           ps_error *err)
{
    return store_annual(loc->tfr, 1.0, c, row, err);
}

static ps_status store_srb(ps_wpp_location *loc, const ps_csv *c, const ps_csv_row *row,
                           ps_error *err)
{
    return store_annual(loc->srb, 1.0, c, row, err);
}

static ps_status store_migtot(ps_wpp_location *loc, const ps_csv *c, const ps_csv_row *row,
                              ps_error *err)
{
    return store_annual(loc->mig_total, PS_PERSONS_PER_THOUSAND, c, row, err);
}

static ps_status store_pasfr(ps_wpp_location *loc, const ps_csv *c, const ps_csv_row *row,
                             ps_error *err)
{
    int year = 0, age = 0;
    double v = 0.0;
    ps_status rc;
    if ((rc = year_value(&year, &v, c, row, 2, 4, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err)) ||
        (rc = ps_csv__int(&age, c, row, 3, "age", 10, 50, err))) {
        return rc;
    }
    loc->pasfr[year_idx(year)][(age - PS_FERTILE_AGE_MIN) / PS_AGE_GROUP_YEARS] = v;
    return PS_OK;
}

static ps_status store_mig1(ps_wpp_location *loc, const ps_csv *c, const ps_csv_row *row,
                            ps_error *err)
{
    int year = 0, age = 0, sex = 0;
    double v = 0.0;
    ps_status rc;
    if ((rc = year_value(&year, &v, c, row, 2, 5, PS_WPP_MIG1_FIRST_YEAR, PS_WPP_LAST_YEAR,
                         err)) ||
        (rc = ps_csv__int(&age, c, row, 4, "age", 0, PS_WPP_N_AGES - 1, err)) ||
        (rc = sex_at(&sex, c, row, 3, err))) {
        return rc;
    }
    loc->mig1[year - PS_WPP_MIG1_FIRST_YEAR][sex][age] = ps_thousands_to_persons(v);
    return PS_OK;
}

static ps_status store_poptot(ps_wpp_location *loc, const ps_csv *c, const ps_csv_row *row,
                              ps_error *err)
{
    int year = 0, sex = 0;
    double v = 0.0;
    ps_status rc;
    if ((rc = year_value(&year, &v, c, row, 2, 4, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err)) ||
        (rc = sex_at(&sex, c, row, 3, err))) {
        return rc;
    }
    loc->pop_total[year_idx(year)][sex] = ps_thousands_to_persons(v);
    return PS_OK;
}

static ps_status store_vital(ps_wpp_location *loc, const ps_csv *c, const ps_csv_row *row,
                             ps_error *err)
{
    int year = 0;
    double v = 0.0;
    const char *ind = row->field[4];
    if (strcmp(ind, "births") != 0 && strcmp(ind, "deaths") != 0) {
        return PS_OK;
    }
    ps_status rc = year_value(&year, &v, c, row, 2, 5, PS_WPP_FIRST_YEAR, PS_WPP_LAST_YEAR, err);
    if (rc == PS_OK) {
        double *dst = ind[0] == 'b' ? loc->births : loc->deaths;
        dst[year_idx(year)] = ps_thousands_to_persons(v);
    }
    return rc;
}

static const wpp_file wpp_files[] = {
    { "pop_age5_sex_5yr.csv",
      { "country_code", "name", "year", "variant", "sex", "age", "value" }, 7, store_pop5 },
    { "mx_abridged_sex_5yr.csv.gz",
      { "country_code", "name", "period", "year_start", "year_end", "sex", "age", "value" }, 8,
      store_mx5 },
    { "e0_annual.csv", { "country_code", "name", "year", "variant", "sex", "value" }, 6, store_e0 },
    { "tfr_annual.csv", { "country_code", "name", "year", "variant", "value" }, 5, store_tfr },
    { "pasfr_age5_annual.csv", { "country_code", "name", "year", "age", "value" }, 5, store_pasfr },
    { "srb_annual.csv", { "country_code", "name", "year", "variant", "value" }, 5, store_srb },
    { "migration_total_annual.csv", { "country_code", "name", "year", "variant", "value" }, 5,
      store_migtot },
    { "migration_age1_sex_annual.csv.gz",
      { "country_code", "name", "year", "sex", "age", "value" }, 6, store_mig1 },
    { "pop_total_sex_annual.csv", { "country_code", "name", "year", "sex", "value" }, 5,
      store_poptot },
    { "vital_indicators_annual.csv",
      { "country_code", "name", "year", "variant", "indicator", "value" }, 6, store_vital },
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

/* Leading location code of a raw line, without splitting it; -1 if none. */
static long line_code(const char *line)
{
    char *end = NULL;
    long code = strtol(line, &end, 10);
    return (end != line && *end == ',') ? code : -1;
}

static ps_status read_file(ps_wpp_location *loc, const char *dir, const wpp_file *f,
                           ps_error *err)
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
    int seen = 0, got;
    while ((got = ps_csv__next_line(c, &line, &len, err)) == 1) {
        if (line_code(line) != loc->code) {
            if (seen) {
                break; /* the location's block is over */
            }
            continue;
        }
        seen = 1;
        ps_csv_row row;
        if ((rc = ps_csv__split(c, line, &row, err)) != PS_OK) {
            goto done;
        }
        if (row.n != f->n_cols) {
            rc = ps_error_set_at(err, PS_EPARSE, path, row.line, (int)len + 1,
                                 "expected %d fields, got %d", f->n_cols, row.n);
            goto done;
        }
        if ((rc = f->store(loc, c, &row, err)) != PS_OK) {
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
    ps_csv__close(c);
    if (rc == PS_OK && !found) {
        rc = ps_error_set(err, PS_EINVAL,
                          "unknown location '%s': expected a UN M49 code or an exact name from "
                          "%s%s%s", code_or_name, path, n_sugg ? "; did you mean " : "", sugg);
    }
    return rc;
}

/* ---- cache ---------------------------------------------------------------------------- */

#define WPP_CACHE_MAGIC "PSWPPC1"
typedef struct wpp_cache_header {
    char magic[8];
    unsigned long struct_size;
    int code;
    char dir[PATH_MAX];
    long long file_size[N_WPP_FILES_MAX];
    long long file_mtime_ns[N_WPP_FILES_MAX];
} wpp_cache_header;

/* The identity of the sources: folder, and every file's size and modification time. */
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
        char path[PATH_MAX];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, wpp_files[i].name);
        if (stat(path, &st) != 0) {
            return -1;
        }
        h->file_size[i] = (long long)st.st_size;
        h->file_mtime_ns[i] = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    }
    return 0;
}

static void cache_path(char *out, size_t size, const char *cache_dir, int code)
{
    snprintf(out, size, "%s/wpp2024-%d.bin", cache_dir, code);
}

/* 1 if a valid cache entry was read into loc, 0 otherwise (never an error). */
static int cache_read(ps_wpp_location *loc, const char *cache_dir, const wpp_cache_header *want)
{
    char path[PATH_MAX];
    cache_path(path, sizeof path, cache_dir, want->code);
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return 0;
    }
    wpp_cache_header *have = malloc(sizeof *have);
    int ok = have != NULL && fread(have, sizeof *have, 1, f) == 1 &&
             memcmp(have, want, sizeof *have) == 0 && fread(loc, sizeof *loc, 1, f) == 1 &&
             fgetc(f) == EOF;
    free(have);
    fclose(f);
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

/* Best effort: written through ps_outfile (exclusive temporary, atomic rename), so readers
 * never see half a file and a link planted in the cache folder is never followed. */
static void cache_write(const ps_wpp_location *loc, const char *cache_dir,
                        const wpp_cache_header *h)
{
    char path[PATH_MAX];
    ps_outfile *f = NULL;
    FILE *out = NULL;
    if (mkdir_p(cache_dir) != 0) {
        return;
    }
    cache_path(path, sizeof path, cache_dir, h->code);
    if (ps_outfile_open(&f, path, NULL) != PS_OK) {
        return;
    }
    if ((out = ps_outfile_stream(f)) != NULL && fwrite(h, sizeof *h, 1, out) == 1 &&
        fwrite(loc, sizeof *loc, 1, out) == 1) {
        (void)ps_outfile_commit(f, NULL);
        f = NULL;
    }
    ps_outfile_abort(f);
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
    if (sig == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory reading WPP data");
    }
    int have_sig = cache_signature(sig, dir, code) == 0;
    ps_status rc = PS_OK;
    if (cache_dir != NULL && have_sig && cache_read(out, cache_dir, sig)) {
        goto done;
    }
    clear_location(out, code);
    for (int i = 0; i < N_WPP_FILES && rc == PS_OK; ++i) {
        rc = read_file(out, dir, &wpp_files[i], err);
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
    free(sig);
    return rc;
}

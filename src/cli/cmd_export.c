/*
 * cmd_export.c - `popsim export RESULT.h5 [--format csv|xlsx] [-o PATH]`: the result file as
 * tidy tables for Excel, pandas and R (issue #16). Every variable of every scenario goes into
 * the table of its dimensions: one row per scenario (and service or policy instrument) and
 * per cell of those dimensions, with the coordinates as labels (years, ages, "male", region
 * names, class names) and one column per variable. Tables are read through the validating
 * generic reader (popsim/h5read.h), so a hostile file is refused as everywhere else.
 * csv: one NAME.csv per table in a folder; xlsx: one workbook, a sheet per table, header row
 * frozen. Every file is written through ps_outfile (atomic, never over a non-regular file).
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "popsim/h5out.h"
#include "popsim/h5read.h"
#include "popsim/outfile.h"

enum { EXPORT_MAX_TABLES = 64, EXPORT_MAX_VARS = 32, EXPORT_MAX_BLOCKS = 4096,
       EXPORT_SHEET_NAME_MAX = 31 /* Excel's limit */ };

/* One coordinate's labels. */
typedef struct labels {
    char **text; /* n labels (numbers printed, strings as they are) */
    size_t n;
} labels;

/* The values of one (scenario, item) for every variable of a table. */
typedef struct block {
    const char *scenario; /* borrowed from the scenario list */
    char *item;           /* service or instrument name, or NULL */
    labels *coords;       /* one per dimension */
    double **values;      /* one per table variable; NULL if the block lacks it */
    size_t cells;         /* product of the coordinate lengths */
} block;

typedef struct table {
    char name[96];         /* by_year_region_sex_age, services_by_year_region, ... */
    const char *item_col;  /* "service", "instrument" or NULL */
    int rank;
    char *dims[8];         /* dimension names */
    char *vars[EXPORT_MAX_VARS];
    int n_vars;
    block *blocks;
    int n_blocks, cap_blocks;
} table;

typedef struct export_ctx {
    ps_h5r_file *f;
    table tables[EXPORT_MAX_TABLES];
    int n_tables;
} export_ctx;

static void export_usage(FILE *out)
{
    fprintf(out,
            "usage: popsim export RESULT.h5 [--format csv|xlsx] [-o PATH] [-q]\n"
            "       popsim export RESULT.h5 --stacked [-o FAMILY.h5] [-q]\n"
            "\n"
            "Write the result file as tidy tables for Excel, pandas and R: one table per set of\n"
            "dimensions (by year, region, sex and age; by year and region; services; policy\n"
            "instruments; ...), one row per scenario and cell, the coordinates as labels and\n"
            "one column per variable. Missing values are empty.\n"
            "\n"
            "options:\n"
            "  -f, --format FMT   csv (default): one NAME.csv per table in a folder;\n"
            "                     xlsx: one workbook with a sheet per table\n"
            "  -o, --output PATH  the folder (csv; default RESULT without .h5, plus _tables)\n"
            "                     or the workbook (xlsx; default RESULT with .xlsx)\n"
            "      --stacked      instead: an HDF5 file whose group /family holds the main\n"
            "                     variables of every scenario stacked along `scenario`, for\n"
            "                     xarray.open_dataset(FILE, group=\"family\") (default output:\n"
            "                     RESULT without .h5, plus _family.h5)\n"
            "  -q, --quiet        no summary line\n"
            "  -h, --help         this text\n"
            "      --version      program version\n");
}

static void labels_free(labels *l)
{
    for (size_t k = 0; l->text != NULL && k < l->n; ++k) {
        free(l->text[k]);
    }
    free(l->text);
    memset(l, 0, sizeof *l);
}

static void table_free(table *t)
{
    for (int b = 0; b < t->n_blocks; ++b) {
        block *bl = &t->blocks[b];
        for (int d = 0; d < t->rank; ++d) {
            labels_free(&bl->coords[d]);
        }
        for (int v = 0; v < t->n_vars; ++v) {
            free(bl->values != NULL ? bl->values[v] : NULL);
        }
        free(bl->coords);
        free(bl->values);
        free(bl->item);
    }
    free(t->blocks);
    for (int d = 0; d < t->rank; ++d) {
        free(t->dims[d]);
    }
    for (int v = 0; v < t->n_vars; ++v) {
        free(t->vars[v]);
    }
}

/* Labels of coordinate `dim` of group `grp`: strings as they are, numbers printed. */
static ps_status read_labels(labels *out, const ps_h5r_file *f, const char *grp, const char *dim,
                             size_t want, ps_error *err)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", grp, dim);
    memset(out, 0, sizeof *out);
    ps_h5r_array a;
    ps_status rc = PS_OK;
    if (ps_h5r_kind_of(f, path) != PS_H5R_DATASET) {
        /* An unlabelled dimension: its positions 0, 1, ... */
        if ((out->text = calloc(want ? want : 1, sizeof *out->text)) == NULL) {
            return ps_error_set(err, PS_ENOMEM, "out of memory exporting '%s'", path);
        }
        out->n = want;
        for (size_t k = 0; k < want && rc == PS_OK; ++k) {
            char buf[32];
            snprintf(buf, sizeof buf, "%zu", k);
            if ((out->text[k] = strdup(buf)) == NULL) {
                rc = ps_error_set(err, PS_ENOMEM, "out of memory exporting '%s'", path);
            }
        }
        return rc;
    }
    if ((rc = ps_h5r_read_shape(&a, f, path, err)) != PS_OK) {
        return rc;
    }
    ps_h5r_array_release(&a);
    rc = ps_h5r_read_strings(&out->text, &out->n, f, path, NULL);
    if (rc != PS_OK) { /* a numeric coordinate */
        if ((rc = ps_h5r_read_array(&a, f, path, err)) != PS_OK) {
            return rc;
        }
        out->n = a.n;
        if ((out->text = calloc(a.n ? a.n : 1, sizeof *out->text)) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory exporting '%s'", path);
        }
        for (size_t k = 0; k < a.n && rc == PS_OK; ++k) {
            char buf[40];
            double v = a.data[k];
            if (v == floor(v) && fabs(v) < 1e15) {
                snprintf(buf, sizeof buf, "%.0f", v);
            } else {
                snprintf(buf, sizeof buf, "%.17g", v);
            }
            if ((out->text[k] = strdup(buf)) == NULL) {
                rc = ps_error_set(err, PS_ENOMEM, "out of memory exporting '%s'", path);
            }
        }
        ps_h5r_array_release(&a);
    }
    if (rc == PS_OK && out->n != want) {
        rc = ps_error_set_at(err, PS_EHDF5, path, 0, 0,
                             "coordinate has %zu labels but its variables %zu cells", out->n,
                             want);
    }
    if (rc != PS_OK) {
        labels_free(out);
    }
    return rc;
}

/* The table for these dimensions in this collection, created when new. */
static table *find_table(export_ctx *x, const char *base, const char *item_col,
                         const ps_h5r_array *shape, ps_error *err)
{
    char name[96];
    size_t used = (size_t)snprintf(name, sizeof name, "%s%sby", base, base[0] ? "_" : "");
    for (int d = 0; d < shape->rank && used < sizeof name; ++d) {
        used += (size_t)snprintf(name + used, sizeof name - used, "_%s", shape->dim_names[d]);
    }
    for (int k = 0; k < x->n_tables; ++k) {
        if (strcmp(x->tables[k].name, name) == 0) {
            return &x->tables[k];
        }
    }
    if (x->n_tables == EXPORT_MAX_TABLES || shape->rank > 8) {
        ps_error_set(err, PS_EINVAL, "the result file has more than %d kinds of table",
                     EXPORT_MAX_TABLES);
        return NULL;
    }
    table *t = &x->tables[x->n_tables++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s", name);
    t->item_col = item_col;
    t->rank = shape->rank;
    for (int d = 0; d < shape->rank; ++d) {
        if ((t->dims[d] = strdup(shape->dim_names[d])) == NULL) {
            ps_error_set(err, PS_ENOMEM, "out of memory");
            return NULL;
        }
    }
    return t;
}

static int var_index(table *t, const char *var)
{
    for (int v = 0; v < t->n_vars; ++v) {
        if (strcmp(t->vars[v], var) == 0) {
            return v;
        }
    }
    if (t->n_vars == EXPORT_MAX_VARS || (t->vars[t->n_vars] = strdup(var)) == NULL) {
        return -1;
    }
    return t->n_vars++;
}

/* The block of (scenario, item) in t, with its coordinates read from group `grp`. */
static block *find_block(table *t, const export_ctx *x, const char *scenario, const char *item,
                         const char *grp, const ps_h5r_array *shape, ps_error *err)
{
    for (int b = 0; b < t->n_blocks; ++b) {
        block *bl = &t->blocks[b];
        if (bl->scenario == scenario && ((item == NULL && bl->item == NULL) ||
                                         (item != NULL && bl->item != NULL &&
                                          strcmp(item, bl->item) == 0))) {
            return bl;
        }
    }
    if (t->n_blocks == t->cap_blocks) {
        int cap = t->cap_blocks ? 2 * t->cap_blocks : 16;
        block *p = cap <= EXPORT_MAX_BLOCKS ? realloc(t->blocks, (size_t)cap * sizeof *p) : NULL;
        if (p == NULL) {
            ps_error_set(err, PS_ENOMEM, "out of memory exporting table '%s'", t->name);
            return NULL;
        }
        t->blocks = p;
        t->cap_blocks = cap;
    }
    block *bl = &t->blocks[t->n_blocks];
    memset(bl, 0, sizeof *bl);
    bl->scenario = scenario;
    if ((item != NULL && (bl->item = strdup(item)) == NULL) ||
        (bl->coords = calloc((size_t)t->rank, sizeof *bl->coords)) == NULL ||
        (bl->values = calloc(EXPORT_MAX_VARS, sizeof *bl->values)) == NULL) {
        free(bl->item);
        free(bl->coords);
        ps_error_set(err, PS_ENOMEM, "out of memory exporting table '%s'", t->name);
        return NULL;
    }
    t->n_blocks++;
    bl->cells = shape->n;
    for (int d = 0; d < t->rank; ++d) {
        if (read_labels(&bl->coords[d], x->f, grp, shape->dim_names[d], shape->dims[d], err) !=
            PS_OK) {
            return NULL;
        }
    }
    return bl;
}

/* A dataset is a coordinate when it is 1-D and its dimension is itself. */
static int is_coordinate(const ps_h5r_array *shape, const char *name)
{
    return shape->rank == 1 && strcmp(shape->dim_names[0], name) == 0;
}

/* Every variable of group `grp` into its table; subgroups recursively. */
static ps_status export_group(export_ctx *x, const char *scenario, const char *grp,
                              const char *base, const char *item_col, const char *item,
                              ps_error *err)
{
    char **names = NULL;
    int n = 0;
    ps_status rc = ps_h5r_children(&names, &n, x->f, grp, PS_H5R_NONE, err);
    for (int k = 0; k < n && rc == PS_OK; ++k) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", grp, names[k]);
        ps_h5r_kind kind = ps_h5r_kind_of(x->f, path);
        if (kind == PS_H5R_GROUP) {
            /* services/<name>/ and policy/<instrument>/ are items of a collection. */
            char sub[128];
            const char *leaf = strrchr(grp, '/') + 1;
            if (item_col == NULL && strcmp(leaf, "services") == 0) {
                rc = export_group(x, scenario, path, "services", "service", names[k], err);
            } else if (item_col == NULL && strcmp(leaf, "policy") == 0) {
                rc = export_group(x, scenario, path, "policy_instruments", "instrument",
                                  names[k], err);
            } else {
                snprintf(sub, sizeof sub, "%s%s%s", base, base[0] ? "_" : "", names[k]);
                rc = export_group(x, scenario, path, sub, item_col, item, err);
            }
            continue;
        }
        if (kind != PS_H5R_DATASET) {
            continue;
        }
        ps_h5r_array shape;
        if ((rc = ps_h5r_read_shape(&shape, x->f, path, err)) != PS_OK) {
            break;
        }
        int named = shape.rank >= 1;
        for (int d = 0; d < shape.rank; ++d) {
            named &= shape.dim_names[d][0] != '\0';
        }
        ps_h5r_array values = { 0 };
        if (named && !is_coordinate(&shape, names[k]) &&
            ps_h5r_read_array(&values, x->f, path, NULL) == PS_OK) { /* numbers only */
            table *t = find_table(x, base, item_col, &shape, err);
            block *bl = t != NULL ? find_block(t, x, scenario, item, grp, &shape, err) : NULL;
            int v = t != NULL ? var_index(t, names[k]) : -1;
            if (t == NULL || bl == NULL) {
                rc = err != NULL && err->code != PS_OK ? err->code : PS_ENOMEM;
            } else if (v < 0 || bl->cells != values.n) {
                rc = ps_error_set_at(err, PS_EHDF5, path, 0, 0,
                                     "cannot export: the variable does not match its table");
            } else {
                bl->values[v] = values.data;
                values.data = NULL;
            }
        }
        ps_h5r_array_release(&values);
        ps_h5r_array_release(&shape);
    }
    ps_h5_free_names(names, n);
    return rc;
}

/* ------------------------------------------------------------------------- writers */

/* A CSV field: quoted when it holds a comma, quote or line break. */
static void csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s != '\0'; ++s) {
        if (*s == '"') {
            fputc('"', out);
        }
        fputc(*s, out);
    }
    fputc('"', out);
}

/* The labels of cell `cell` of a block (row-major over its coordinates). */
static void cell_labels(const char **out, const table *t, const block *bl, size_t cell)
{
    for (int d = t->rank - 1; d >= 0; --d) {
        size_t n = bl->coords[d].n ? bl->coords[d].n : 1;
        out[d] = bl->coords[d].text[cell % n];
        cell /= n;
    }
}

static ps_status write_csv_table(const table *t, const char *dir, ps_error *err)
{
    char path[PATH_MAX + sizeof t->name + 8];
    snprintf(path, sizeof path, "%s/%s.csv", dir, t->name);
    ps_outfile *of = NULL;
    ps_status rc = ps_outfile_open(&of, path, err);
    FILE *out = rc == PS_OK ? ps_outfile_stream(of) : NULL;
    if (rc == PS_OK && out == NULL) {
        rc = ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot write the file");
    }
    if (rc != PS_OK) {
        ps_outfile_abort(of);
        return rc;
    }
    fputs("scenario", out);
    if (t->item_col != NULL) {
        fprintf(out, ",%s", t->item_col);
    }
    for (int d = 0; d < t->rank; ++d) {
        fprintf(out, ",%s", t->dims[d]);
    }
    for (int v = 0; v < t->n_vars; ++v) {
        fprintf(out, ",%s", t->vars[v]);
    }
    fputc('\n', out);
    for (int b = 0; b < t->n_blocks; ++b) {
        const block *bl = &t->blocks[b];
        for (size_t cell = 0; cell < bl->cells; ++cell) {
            const char *lab[8];
            cell_labels(lab, t, bl, cell);
            csv_field(out, bl->scenario);
            if (t->item_col != NULL) {
                fputc(',', out);
                csv_field(out, bl->item != NULL ? bl->item : "");
            }
            for (int d = 0; d < t->rank; ++d) {
                fputc(',', out);
                csv_field(out, lab[d]);
            }
            for (int v = 0; v < t->n_vars; ++v) {
                double x = bl->values[v] != NULL ? bl->values[v][cell] : NAN;
                if (isfinite(x)) {
                    fprintf(out, ",%.17g", x);
                } else {
                    fputc(',', out);
                }
            }
            fputc('\n', out);
        }
    }
    return ps_outfile_commit(of, err);
}

static ps_status write_csv(const export_ctx *x, const char *dir, ps_error *err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (mkdir(dir, 0755) != 0) {
            return ps_error_set_at(err, PS_EIO, dir, 0, 0, "cannot create the folder: %s",
                                   strerror(errno));
        }
    } else if (!S_ISDIR(st.st_mode)) {
        return ps_error_set_at(err, PS_EIO, dir, 0, 0,
                               "exists and is not a folder (CSV tables go into a folder)");
    }
    ps_status rc = PS_OK;
    for (int k = 0; k < x->n_tables && rc == PS_OK; ++k) {
        rc = write_csv_table(&x->tables[k], dir, err);
    }
    return rc;
}

/* A sheet name: at most 31 bytes, unique (Excel's rules), from the table name. */
static void sheet_name(char *out, const export_ctx *x, int k)
{
    snprintf(out, EXPORT_SHEET_NAME_MAX + 1, "%.*s", EXPORT_SHEET_NAME_MAX, x->tables[k].name);
    if (strlen(x->tables[k].name) > EXPORT_SHEET_NAME_MAX) { /* "...~NN", k < 64 */
        out[EXPORT_SHEET_NAME_MAX - 3] = '~';
        out[EXPORT_SHEET_NAME_MAX - 2] = (char)('0' + k / 10 % 10);
        out[EXPORT_SHEET_NAME_MAX - 1] = (char)('0' + k % 10);
        out[EXPORT_SHEET_NAME_MAX] = '\0';
    }
}

static ps_status write_xlsx(const export_ctx *x, const char *path, ps_error *err)
{
    ps_outfile *of = NULL;
    ps_status rc = ps_outfile_open(&of, path, err);
    if (rc != PS_OK) {
        return rc;
    }
    /* libxlsxwriter writes the whole workbook at close: into the exclusive temporary. */
    lxw_workbook *wb = workbook_new(ps_outfile_temp_path(of));
    lxw_format *bold = wb != NULL ? workbook_add_format(wb) : NULL;
    int bad = wb == NULL || bold == NULL;
    if (!bad) {
        format_set_bold(bold);
    }
    for (int k = 0; k < x->n_tables && !bad; ++k) {
        const table *t = &x->tables[k];
        char name[EXPORT_SHEET_NAME_MAX + 1];
        sheet_name(name, x, k);
        lxw_worksheet *ws = workbook_add_worksheet(wb, name);
        if (ws == NULL) {
            bad = 1;
            break;
        }
        lxw_col_t col = 0;
        worksheet_write_string(ws, 0, col++, "scenario", bold);
        if (t->item_col != NULL) {
            worksheet_write_string(ws, 0, col++, t->item_col, bold);
        }
        for (int d = 0; d < t->rank; ++d) {
            worksheet_write_string(ws, 0, col++, t->dims[d], bold);
        }
        for (int v = 0; v < t->n_vars; ++v) {
            worksheet_write_string(ws, 0, col++, t->vars[v], bold);
        }
        worksheet_freeze_panes(ws, 1, 0);
        lxw_row_t row = 1;
        for (int b = 0; b < t->n_blocks; ++b) {
            const block *bl = &t->blocks[b];
            for (size_t cell = 0; cell < bl->cells && row < LXW_ROW_MAX; ++cell, ++row) {
                const char *lab[8];
                cell_labels(lab, t, bl, cell);
                col = 0;
                worksheet_write_string(ws, row, col++, bl->scenario, NULL);
                if (t->item_col != NULL) {
                    worksheet_write_string(ws, row, col++, bl->item ? bl->item : "", NULL);
                }
                for (int d = 0; d < t->rank; ++d, ++col) {
                    char *end = NULL;
                    double num = strtod(lab[d], &end);
                    if (end != lab[d] && *end == '\0') {
                        worksheet_write_number(ws, row, col, num, NULL);
                    } else {
                        worksheet_write_string(ws, row, col, lab[d], NULL);
                    }
                }
                for (int v = 0; v < t->n_vars; ++v, ++col) {
                    double val = bl->values[v] != NULL ? bl->values[v][cell] : NAN;
                    if (isfinite(val)) {
                        worksheet_write_number(ws, row, col, val, NULL);
                    }
                }
            }
        }
    }
    lxw_error e = wb != NULL ? workbook_close(wb) : LXW_ERROR_MEMORY_MALLOC_FAILED;
    if (bad || e != LXW_NO_ERROR) {
        ps_outfile_abort(of);
        return ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot write the workbook: %s",
                               bad ? "out of memory" : lxw_strerror(e));
    }
    return ps_outfile_commit(of, err);
}

/* ---------------------------------------------------------------------- command */

/* --stacked: every scenario read back in full, written stacked into target/family. */
static ps_status export_stacked(const char *result, const char *target, char **names, int n,
                                char *cmdline, ps_error *err)
{
    ps_result *res = calloc((size_t)(n > 0 ? n : 1), sizeof *res);
    const ps_result **list = calloc((size_t)(n > 0 ? n : 1), sizeof *list);
    ps_status rc = res != NULL && list != NULL ? PS_OK
                                               : ps_error_set(err, PS_ENOMEM, "out of memory");
    int read = 0;
    for (; read < n && rc == PS_OK; ++read) {
        rc = ps_h5_read(&res[read], result, names[read], err);
        list[read] = &res[read];
    }
    if (rc == PS_OK) {
        char source[PATH_MAX + 32];
        snprintf(source, sizeof source, "stacked from %s", result);
        const ps_provenance prov = { .scenario_path = "", .scenario_sha256 = "",
                                     .command_line = cmdline ? cmdline : "",
                                     .data_source = source, .seed = 0, .threads = 1 };
        rc = ps_h5_write_family(target, list, n, &prov, err);
    }
    for (int k = 0; k < read; ++k) {
        ps_result_release(&res[k]);
    }
    free(res);
    free(list);
    return rc;
}

int cli_cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "format", required_argument, NULL, 'f' }, { "output", required_argument, NULL, 'o' },
        { "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },      { "stacked", no_argument, NULL, 'S' },
        { NULL, 0, NULL, 0 },
    };
    const char *format = "csv", *output = NULL;
    int quiet = 0, stacked = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "f:o:qh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'f': format = optarg; break;
        case 'o': output = optarg; break;
        case 'q': quiet = 1; break;
        case 'S': stacked = 1; break;
        case 'h': export_usage(stdout); return CLI_EXIT_OK;
        case 'V': cli_print_version(); return CLI_EXIT_OK;
        default: export_usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    const int xlsx = strcmp(format, "xlsx") == 0;
    if ((!xlsx && strcmp(format, "csv") != 0) || optind + 1 != argc) {
        fprintf(stderr, optind + 1 != argc ? "popsim export: expected one result file\n"
                                           : "popsim export: --format is csv or xlsx\n");
        export_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *result = argv[optind];
    char target[PATH_MAX];
    if (output != NULL) {
        snprintf(target, sizeof target, "%s", output);
    } else {
        size_t n = strlen(result);
        int h5 = n > 3 && strcmp(result + n - 3, ".h5") == 0;
        snprintf(target, sizeof target, "%.*s%s", (int)(h5 ? n - 3 : n), result,
                 stacked ? "_family.h5" : xlsx ? ".xlsx" : "_tables");
    }
    export_ctx x;
    memset(&x, 0, sizeof x);
    ps_error err;
    ps_error_clear(&err);
    char **scenarios = NULL;
    int n_scn = 0;
    ps_status rc = ps_h5r_open(&x.f, result, &err);
    if (rc == PS_OK) {
        rc = ps_h5r_children(&scenarios, &n_scn, x.f, "/scenarios", PS_H5R_GROUP, &err);
    }
    if (stacked && rc == PS_OK) {
        char *cmdline = cli_join_args(argc, argv);
        rc = export_stacked(result, target, scenarios, n_scn, cmdline, &err);
        free(cmdline);
        if (rc == PS_OK && !quiet) {
            printf("popsim export: %d scenarios stacked in group /family of %s\n", n_scn,
                   target);
        }
        n_scn = rc == PS_OK ? -n_scn : n_scn; /* done: skip the tables */
    }
    for (int s = 0; s < n_scn && rc == PS_OK; ++s) {
        char grp[512];
        snprintf(grp, sizeof grp, "/scenarios/%s", scenarios[s]);
        rc = export_group(&x, scenarios[s], grp, "", NULL, NULL, &err);
    }
    if (n_scn < 0) { /* stacked */
        ps_h5_free_names(scenarios, -n_scn);
        ps_h5r_close(x.f);
        return CLI_EXIT_OK;
    }
    if (rc == PS_OK && x.n_tables == 0) {
        rc = ps_error_set_at(&err, PS_EINVAL, result, 0, 0, "the file holds no variables");
    }
    if (rc == PS_OK) {
        rc = xlsx ? write_xlsx(&x, target, &err) : write_csv(&x, target, &err);
    }
    if (rc == PS_OK && !quiet) {
        printf("popsim export: %d tables of %d scenarios to %s\n", x.n_tables, n_scn, target);
    }
    for (int k = 0; k < x.n_tables; ++k) {
        table_free(&x.tables[k]);
    }
    ps_h5_free_names(scenarios, n_scn);
    ps_h5r_close(x.f);
    if (rc != PS_OK) {
        cli_print_error(&err);
        return CLI_EXIT_FAILURE;
    }
    return CLI_EXIT_OK;
}

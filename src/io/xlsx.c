/*
 * xlsx.c - one sheet of an Excel workbook (.xlsx, Office Open XML, ECMA-376 part 1) as CSV
 * text, so that every planner input may be a spreadsheet and go through the same CSV checks.
 * An .xlsx is a zip archive (read with libzip) of XML parts (parsed with libxml2, network
 * and entity substitution off): xl/workbook.xml lists the sheets, xl/_rels/workbook.xml.rels
 * maps each to its part, xl/sharedStrings.xml holds the text cells, and the sheet part holds
 * rows of cells <c r="C7" t="s|str|inlineStr|n|b|e"><v>..</v></c>. A cell's value is the
 * text Excel stored (numbers in their shortest round-trip form; formulas by their cached
 * value). Each sheet row becomes one CSV line; the map kept beside the text turns a CSV
 * line and column back into the sheet's cell, so errors read "pop.xlsx:Sheet1!C7: error:".
 * Limits (parts of at most PS_XLSX_MAX_PART bytes uncompressed, PS_XLSX_MAX_COLS columns)
 * keep a hostile archive from making the reader allocate without bound.
 */
#include "xlsx_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <zip.h>

#define PS_XLSX_MAX_PART (64u << 20) /* bytes, uncompressed size of one XML part */
#define PS_XLSX_MAX_COLS 16          /* the CSV readers take at most 16 fields */
#define PS_XLSX_MAX_ROWS 1048576     /* Excel's own limit */

struct ps_xlsx_map {
    char *path;       /* the workbook */
    char *sheet;      /* the sheet's name */
    long *row_of;     /* row_of[k]: sheet row (1-based) of CSV line k + 1 */
    size_t n_lines;
    int first_col;    /* 0-based sheet column of CSV field 0 */
    char *text;       /* the CSV text, kept to find a byte column's field */
    size_t text_len;
};

/* A growable byte buffer. */
typedef struct buf {
    char *p;
    size_t len, cap;
} buf;

static int buf_put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1) {
            cap *= 2;
        }
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            return -1;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
    return 0;
}

static int has_suffix_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    if (n < m) {
        return 0;
    }
    for (size_t i = 0; i < m; ++i) {
        char a = s[n - m + i], b = suffix[i];
        if (a >= 'A' && a <= 'Z') {
            a = (char)(a - 'A' + 'a');
        }
        if (a != b) {
            return 0;
        }
    }
    return 1;
}

/* The first bytes of an old binary Excel file (OLE2 compound document) and of a zip. */
static const unsigned char OLE2_MAGIC[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
static const unsigned char ZIP_MAGIC[4] = { 0x50, 0x4B, 0x03, 0x04 };

int ps_xlsx__is_workbook(const char *path)
{
    if (has_suffix_ci(path, ".xlsx") || has_suffix_ci(path, ".xlsm") ||
        has_suffix_ci(path, ".xls")) {
        return 1;
    }
    /* Sniff only regular files: reading a FIFO or a terminal would consume its data. */
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        return 0;
    }
    FILE *fp = fopen(path, "rb");
    unsigned char head[8] = { 0 };
    size_t got = fp != NULL ? fread(head, 1, sizeof head, fp) : 0;
    if (fp != NULL) {
        fclose(fp);
    }
    return (got >= sizeof ZIP_MAGIC && memcmp(head, ZIP_MAGIC, sizeof ZIP_MAGIC) == 0) ||
           (got == sizeof OLE2_MAGIC && memcmp(head, OLE2_MAGIC, sizeof OLE2_MAGIC) == 0);
}

/* ------------------------------------------------------------------ the zip archive */

/* Read one part of the archive into a NUL-terminated buffer; *out NULL if it is absent. */
static ps_status read_part(char **out, size_t *len_out, zip_t *zip, const char *path,
                           const char *name, int required, ps_error *err)
{
    *out = NULL;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(zip, name, 0, &st) != 0) {
        if (!required) {
            return PS_OK;
        }
        return ps_error_set_at(err, PS_EPARSE, path, 0, 0,
                               "not a valid .xlsx workbook: it has no part '%s'; save it again "
                               "from Excel or LibreOffice as an Excel workbook (.xlsx)",
                               name);
    }
    if (!(st.valid & ZIP_STAT_SIZE) || st.size > PS_XLSX_MAX_PART) {
        return ps_error_set_at(err, PS_EINVAL, path, 0, 0,
                               "part '%s' of the workbook is larger than %u MiB uncompressed; "
                               "save the sheet as CSV instead",
                               name, PS_XLSX_MAX_PART >> 20);
    }
    zip_file_t *zf = zip_fopen(zip, name, 0);
    char *data = malloc((size_t)st.size + 1);
    ps_status rc = PS_OK;
    if (data == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s' of '%s'", name, path);
    } else if (zf == NULL) {
        rc = ps_error_set_at(err, PS_EPARSE, path, 0, 0, "cannot read part '%s' of the workbook: %s",
                             name, zip_strerror(zip));
    } else {
        zip_int64_t got = zip_fread(zf, data, st.size);
        if (got < 0 || (zip_uint64_t)got != st.size) {
            rc = ps_error_set_at(err, PS_EPARSE, path, 0, 0,
                                 "part '%s' of the workbook is damaged (%s)", name,
                                 zip_file_strerror(zf));
        }
    }
    if (zf != NULL) {
        zip_fclose(zf);
    }
    if (rc != PS_OK) {
        free(data);
        return rc;
    }
    data[st.size] = '\0';
    *out = data;
    *len_out = (size_t)st.size;
    return PS_OK;
}

static ps_status parse_xml(xmlDoc **out, const char *data, size_t len, const char *path,
                           const char *name, ps_error *err)
{
    if (len > INT_MAX) {
        return ps_error_set_at(err, PS_EINVAL, path, 0, 0, "part '%s' is too large", name);
    }
    *out = xmlReadMemory(data, (int)len, name, NULL,
                         XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (*out == NULL || xmlDocGetRootElement(*out) == NULL) {
        const xmlError *e = xmlGetLastError();
        return ps_error_set_at(err, PS_EPARSE, path, 0, 0,
                               "part '%s' of the workbook is not well-formed XML (%s)", name,
                               e != NULL && e->message != NULL ? e->message : "no root");
    }
    return PS_OK;
}

static int is_elem(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *child(const xmlNode *n, const char *name)
{
    for (const xmlNode *c = n ? n->children : NULL; c != NULL; c = c->next) {
        if (is_elem(c, name)) {
            return c;
        }
    }
    return NULL;
}

/* An attribute by local name, whatever its namespace (r:id). Caller frees with xmlFree. */
static char *attr(const xmlNode *n, const char *name)
{
    for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
        if (strcmp((const char *)a->name, name) == 0) {
            return (char *)xmlNodeGetContent((const xmlNode *)a);
        }
    }
    return NULL;
}

/* All text below n (a shared string may be split into rich-text runs <r><t>..</t></r>). */
static int text_of(buf *b, const xmlNode *n)
{
    for (const xmlNode *c = n->children; c != NULL; c = c->next) {
        if (is_elem(c, "t")) {
            xmlChar *t = xmlNodeGetContent(c);
            int rc = t != NULL ? buf_put(b, (const char *)t, strlen((const char *)t)) : 0;
            xmlFree(t);
            if (rc != 0) {
                return -1;
            }
        } else if (is_elem(c, "r")) {
            if (text_of(b, c) != 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* ------------------------------------------------------------- workbook and strings */

/* The part name (e.g. "xl/worksheets/sheet1.xml") and name of the wanted sheet. */
static ps_status find_sheet(char **part_out, char **name_out, zip_t *zip, const char *path,
                            const char *want, ps_error *err)
{
    char *wb = NULL, *rels = NULL, *rid = NULL;
    size_t wb_len = 0, rels_len = 0;
    xmlDoc *wdoc = NULL, *rdoc = NULL;
    char names[512] = "";
    *part_out = NULL;
    *name_out = NULL;
    ps_status rc = read_part(&wb, &wb_len, zip, path, "xl/workbook.xml", 1, err);
    if (rc == PS_OK) {
        rc = parse_xml(&wdoc, wb, wb_len, path, "xl/workbook.xml", err);
    }
    if (rc == PS_OK) {
        const xmlNode *sheets = child(xmlDocGetRootElement(wdoc), "sheets");
        for (const xmlNode *s = sheets ? sheets->children : NULL; s && rid == NULL; s = s->next) {
            if (!is_elem(s, "sheet")) {
                continue;
            }
            char *name = attr(s, "name");
            if (name != NULL && (want == NULL || strcmp(name, want) == 0)) {
                rid = attr(s, "id");
                *name_out = strdup(name);
            } else if (name != NULL && strlen(names) + strlen(name) + 4 < sizeof names) {
                strcat(names, names[0] ? ", '" : "'");
                strcat(names, name);
                strcat(names, "'");
            }
            xmlFree(name);
        }
        if (rid == NULL || *name_out == NULL) {
            rc = want != NULL ? ps_error_set_at(err, PS_EINVAL, path, 0, 0,
                                                "the workbook has no sheet '%s' (its sheets: %s)",
                                                want, names[0] ? names : "none")
                              : ps_error_set_at(err, PS_EPARSE, path, 0, 0,
                                                "the workbook has no sheet");
        }
    }
    if (rc == PS_OK) {
        rc = read_part(&rels, &rels_len, zip, path, "xl/_rels/workbook.xml.rels", 1, err);
    }
    if (rc == PS_OK) {
        rc = parse_xml(&rdoc, rels, rels_len, path, "xl/_rels/workbook.xml.rels", err);
    }
    if (rc == PS_OK) {
        const xmlNode *root = xmlDocGetRootElement(rdoc);
        for (const xmlNode *r = root->children; r != NULL && *part_out == NULL; r = r->next) {
            char *id = is_elem(r, "Relationship") ? attr(r, "Id") : NULL;
            char *target = id != NULL && strcmp(id, rid) == 0 ? attr(r, "Target") : NULL;
            if (target != NULL) {
                /* Targets are relative to xl/ or absolute within the archive ("/xl/..."). */
                size_t n = strlen(target) + 4;
                if ((*part_out = malloc(n)) != NULL) {
                    snprintf(*part_out, n, "%s%s", target[0] == '/' ? "" : "xl/",
                             target[0] == '/' ? target + 1 : target);
                }
            }
            xmlFree(id);
            xmlFree(target);
        }
        if (*part_out == NULL) {
            rc = ps_error_set_at(err, PS_EPARSE, path, 0, 0,
                                 "not a valid .xlsx workbook: sheet '%s' has no part",
                                 *name_out);
        }
    }
    xmlFree(rid);
    xmlFreeDoc(wdoc);
    xmlFreeDoc(rdoc);
    free(wb);
    free(rels);
    if (rc != PS_OK) {
        free(*part_out);
        free(*name_out);
        *part_out = NULL;
        *name_out = NULL;
    }
    return rc;
}

typedef struct strings {
    char **s;
    size_t n;
} strings;

static void strings_free(strings *t)
{
    for (size_t i = 0; i < t->n; ++i) {
        free(t->s[i]);
    }
    free(t->s);
}

static ps_status read_strings(strings *out, zip_t *zip, const char *path, ps_error *err)
{
    char *data = NULL;
    size_t len = 0;
    xmlDoc *doc = NULL;
    memset(out, 0, sizeof *out);
    ps_status rc = read_part(&data, &len, zip, path, "xl/sharedStrings.xml", 0, err);
    if (rc != PS_OK || data == NULL) {
        return rc;
    }
    rc = parse_xml(&doc, data, len, path, "xl/sharedStrings.xml", err);
    size_t cap = 0;
    const xmlNode *root = rc == PS_OK ? xmlDocGetRootElement(doc) : NULL;
    for (const xmlNode *si = root ? root->children : NULL; si && rc == PS_OK; si = si->next) {
        if (!is_elem(si, "si")) {
            continue;
        }
        buf b = { 0 };
        if (out->n == cap) {
            cap = cap ? 2 * cap : 64;
            char **p = realloc(out->s, cap * sizeof *p);
            if (p == NULL) {
                rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path);
                break;
            }
            out->s = p;
        }
        if (text_of(&b, si) != 0 || (b.p == NULL && buf_put(&b, "", 0) != 0)) {
            free(b.p);
            rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path);
            break;
        }
        out->s[out->n++] = b.p;
    }
    xmlFreeDoc(doc);
    free(data);
    if (rc != PS_OK) {
        strings_free(out);
    }
    return rc;
}

/* ----------------------------------------------------------------------- the sheet */

/* "C7" -> column 2 (0-based) and row 7; -1 if the reference is malformed. */
static int parse_ref(const char *ref, int *col, long *row)
{
    int c = 0, letters = 0;
    while (*ref >= 'A' && *ref <= 'Z' && letters < 3) {
        c = c * 26 + (*ref - 'A' + 1);
        ++ref;
        ++letters;
    }
    char *end = NULL;
    long r = letters > 0 ? strtol(ref, &end, 10) : 0;
    if (letters == 0 || end == ref || *end != '\0' || r < 1 || r > PS_XLSX_MAX_ROWS) {
        return -1;
    }
    *col = c - 1;
    *row = r;
    return 0;
}

static void col_name(char *out, int col)
{
    char tmp[8];
    int n = 0;
    for (int c = col + 1; c > 0 && n < 7; c = (c - 1) / 26) {
        tmp[n++] = (char)('A' + (c - 1) % 26);
    }
    for (int i = 0; i < n; ++i) {
        out[i] = tmp[n - 1 - i];
    }
    out[n] = '\0';
}

/* One cell's value as text (shared string, inline string, number, boolean or error). */
static ps_status cell_value(buf *out, const xmlNode *c, const strings *sst, const char *where,
                            ps_error *err)
{
    char *type = attr(c, "t");
    ps_status rc = PS_OK;
    const xmlNode *v = child(c, "v");
    xmlChar *text = v != NULL ? xmlNodeGetContent(v) : NULL;
    if (type != NULL && strcmp(type, "s") == 0) {
        char *end = NULL;
        long k = text != NULL ? strtol((const char *)text, &end, 10) : -1;
        if (text == NULL || *end != '\0' || k < 0 || (size_t)k >= sst->n) {
            rc = ps_error_set_at(err, PS_EPARSE, where, 0, 0,
                                 "the cell refers to a shared string that does not exist");
        } else if (buf_put(out, sst->s[k], strlen(sst->s[k])) != 0) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        }
    } else if (type != NULL && strcmp(type, "inlineStr") == 0) {
        const xmlNode *is = child(c, "is");
        if (is != NULL && text_of(out, is) != 0) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        }
    } else if (type != NULL && strcmp(type, "e") == 0) {
        rc = ps_error_set_at(err, PS_EINVAL, where, 0, 0,
                             "the cell holds the spreadsheet error %s; fix the formula or "
                             "enter the value",
                             text != NULL ? (const char *)text : "(unknown)");
    } else if (text != NULL && buf_put(out, (const char *)text, strlen((const char *)text)) != 0) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    xmlFree(text);
    xmlFree(type);
    return rc;
}

/* Append one CSV field, quoted when it holds a comma, quote or line break. */
static int put_field(buf *b, const char *s, size_t n)
{
    if (memchr(s, ',', n) == NULL && memchr(s, '"', n) == NULL && memchr(s, '\n', n) == NULL &&
        memchr(s, '\r', n) == NULL) {
        return buf_put(b, s, n);
    }
    if (buf_put(b, "\"", 1) != 0) {
        return -1;
    }
    for (size_t i = 0; i < n; ++i) {
        if (buf_put(b, s[i] == '"' ? "\"\"" : &s[i], s[i] == '"' ? 2 : 1) != 0) {
            return -1;
        }
    }
    return buf_put(b, "\"", 1);
}

/* The cells of one row by column, as text; the row's highest column + 1 in *n_cols. */
static ps_status read_row(buf cells[PS_XLSX_MAX_COLS], int *n_cols, const xmlNode *row,
                          long row_no, const strings *sst, const ps_xlsx_map *m, ps_error *err)
{
    int next_col = 0;
    *n_cols = 0;
    for (const xmlNode *c = row->children; c != NULL; c = c->next) {
        if (!is_elem(c, "c")) {
            continue;
        }
        char *ref = attr(c, "r");
        int col = next_col;
        long r = row_no;
        char where[600];
        int bad = ref != NULL && (parse_ref(ref, &col, &r) != 0 || r != row_no);
        xmlFree(ref);
        char cname[8];
        col_name(cname, col < 0 ? 0 : col);
        snprintf(where, sizeof where, "%s:%s!%s%ld", m->path, m->sheet, cname, row_no);
        if (bad || col < next_col) {
            return ps_error_set_at(err, PS_EPARSE, where, 0, 0,
                                   "a cell reference is malformed or out of order");
        }
        buf value = { 0 };
        ps_status rc = cell_value(&value, c, sst, where, err);
        if (rc == PS_OK && value.len > 0 && col >= PS_XLSX_MAX_COLS) {
            rc = ps_error_set_at(err, PS_EPARSE, where, 0, 0,
                                 "more than %d columns: an input table has at most %d",
                                 PS_XLSX_MAX_COLS, PS_XLSX_MAX_COLS);
        }
        if (rc != PS_OK) {
            free(value.p);
            return rc;
        }
        if (value.len > 0) {
            free(cells[col].p);
            cells[col] = value;
            *n_cols = col + 1;
        } else {
            free(value.p);
        }
        next_col = col + 1;
    }
    return PS_OK;
}

static ps_status sheet_to_csv(buf *csv, ps_xlsx_map *m, const xmlDoc *doc, const strings *sst,
                              ps_error *err)
{
    const xmlNode *data = child(xmlDocGetRootElement((xmlDoc *)doc), "sheetData");
    size_t cap_rows = 0;
    long prev = 0;
    ps_status rc = PS_OK;
    for (const xmlNode *row = data ? data->children : NULL; row && rc == PS_OK; row = row->next) {
        if (!is_elem(row, "row")) {
            continue;
        }
        char *rattr = attr(row, "r");
        long row_no = rattr != NULL ? strtol(rattr, NULL, 10) : prev + 1;
        xmlFree(rattr);
        if (row_no <= prev || row_no > PS_XLSX_MAX_ROWS) {
            char where[600];
            snprintf(where, sizeof where, "%s:%s", m->path, m->sheet);
            return ps_error_set_at(err, PS_EPARSE, where, 0, 0,
                                   "rows are out of order after row %ld", prev);
        }
        prev = row_no;
        buf cells[PS_XLSX_MAX_COLS] = { { 0 } };
        int n_cols = 0;
        rc = read_row(cells, &n_cols, row, row_no, sst, m, err);
        if (rc == PS_OK && n_cols > 0) { /* an empty row carries no line */
            if (m->n_lines == cap_rows) {
                cap_rows = cap_rows ? 2 * cap_rows : 256;
                long *p = realloc(m->row_of, cap_rows * sizeof *p);
                if (p == NULL) {
                    rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", m->path);
                } else {
                    m->row_of = p;
                }
            }
            for (int k = 0; k < n_cols && rc == PS_OK; ++k) {
                if ((k > 0 && buf_put(csv, ",", 1) != 0) ||
                    (cells[k].p != NULL && put_field(csv, cells[k].p, cells[k].len) != 0)) {
                    rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", m->path);
                }
            }
            if (rc == PS_OK && buf_put(csv, "\n", 1) != 0) {
                rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", m->path);
            }
            if (rc == PS_OK) {
                m->row_of[m->n_lines++] = row_no;
            }
        }
        for (int k = 0; k < PS_XLSX_MAX_COLS; ++k) {
            free(cells[k].p);
        }
    }
    return rc;
}

/* ----------------------------------------------------------------------- public */

static ps_status open_zip(zip_t **out, const char *path, ps_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) {
        return ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot open file: %s", strerror(errno));
    }
    unsigned char head[8] = { 0 };
    size_t got = fread(head, 1, sizeof head, fp);
    fclose(fp);
    if (got == sizeof head && memcmp(head, OLE2_MAGIC, sizeof head) == 0) {
        return ps_error_set_at(err, PS_EPARSE, path, 0, 0,
                               "this is a legacy Excel 97-2003 workbook (.xls), which popsim does "
                               "not read: open it in Excel or LibreOffice and save it as an Excel "
                               "workbook (.xlsx) or as CSV UTF-8");
    }
    int zerr = 0;
    *out = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (*out == NULL) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        ps_status rc = ps_error_set_at(err, PS_EPARSE, path, 0, 0,
                                       "not an .xlsx workbook (%s): save it from Excel or "
                                       "LibreOffice as an Excel workbook (.xlsx), or give a CSV "
                                       "file",
                                       zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return rc;
    }
    return PS_OK;
}

ps_status ps_xlsx__read_sheet(char **csv_out, size_t *len_out, ps_xlsx_map **map_out,
                              const char *path, const char *sheet, ps_error *err)
{
    zip_t *zip = NULL;
    char *part = NULL, *data = NULL;
    size_t len = 0;
    xmlDoc *doc = NULL;
    strings sst = { 0 };
    buf csv = { 0 };
    ps_xlsx_map *m = calloc(1, sizeof *m);
    *csv_out = NULL;
    *map_out = NULL;
    ps_status rc = PS_OK;
    if (m == NULL || (m->path = strdup(path)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path);
        goto done;
    }
    if ((rc = open_zip(&zip, path, err)) != PS_OK ||
        (rc = find_sheet(&part, &m->sheet, zip, path, sheet, err)) != PS_OK ||
        (rc = read_strings(&sst, zip, path, err)) != PS_OK ||
        (rc = read_part(&data, &len, zip, path, part, 1, err)) != PS_OK ||
        (rc = parse_xml(&doc, data, len, path, part, err)) != PS_OK ||
        (rc = sheet_to_csv(&csv, m, doc, &sst, err)) != PS_OK) {
        goto done;
    }
    if (csv.p == NULL || csv.len == 0) {
        char where[600];
        snprintf(where, sizeof where, "%s:%s", path, m->sheet);
        rc = ps_error_set_at(err, PS_EPARSE, where, 0, 0, "the sheet is empty, expected a header row");
        goto done;
    }
    m->first_col = 0;
    if ((m->text = malloc(csv.len + 1)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", path);
        goto done;
    }
    memcpy(m->text, csv.p, csv.len + 1);
    m->text_len = csv.len;
    *csv_out = csv.p;
    *len_out = csv.len;
    csv.p = NULL;
    *map_out = m;
    m = NULL;
done:
    if (zip != NULL) {
        zip_discard(zip);
    }
    xmlFreeDoc(doc);
    strings_free(&sst);
    free(part);
    free(data);
    free(csv.p);
    ps_xlsx__map_free(m);
    return rc;
}

/* The field index of byte column `column` (1-based) of CSV line `line` in the map's text. */
static int field_at(const ps_xlsx_map *m, size_t line, int column)
{
    const char *p = m->text, *end = m->text + m->text_len;
    for (size_t k = 1; k < line && p < end; ++k) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        p = nl != NULL ? nl + 1 : end;
    }
    int field = 0, quoted = 0;
    for (int i = 1; i < column && p < end && *p != '\n'; ++i, ++p) {
        if (*p == '"') {
            quoted = !quoted;
        } else if (*p == ',' && !quoted) {
            ++field;
        }
    }
    return field;
}

void ps_xlsx__locate(const ps_xlsx_map *m, ps_error *err)
{
    if (m == NULL || err == NULL || err->code == PS_OK || strcmp(err->path, m->path) != 0) {
        return;
    }
    char where[sizeof err->path];
    if (err->line >= 1 && (size_t)err->line <= m->n_lines) {
        char cname[8] = "";
        if (err->column >= 1) {
            col_name(cname, m->first_col + field_at(m, (size_t)err->line, err->column));
        } else {
            col_name(cname, m->first_col);
        }
        snprintf(where, sizeof where, "%s:%s!%s%ld", m->path, m->sheet, cname,
                 m->row_of[err->line - 1]);
    } else {
        snprintf(where, sizeof where, "%s:%s", m->path, m->sheet);
    }
    snprintf(err->path, sizeof err->path, "%s", where);
    err->line = 0;
    err->column = 0;
}

void ps_xlsx__map_free(ps_xlsx_map *m)
{
    if (m == NULL) {
        return;
    }
    free(m->path);
    free(m->sheet);
    free(m->row_of);
    free(m->text);
    free(m);
}

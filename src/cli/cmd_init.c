/*
 * cmd_init.c - `popsim init city|province|micro [DIR]`: a commented scenario and template
 * input files (CSV, and one .xlsx workbook holding the same tables) that `popsim check`
 * accepts as written, for a planner to fill in. The city and micro templates are the
 * Example City's own scenario and data (embedded at build time, cli_templates.h), so the
 * templates and the documented example are the same files; the province template takes its
 * age patterns from UN WPP and its levels (TFR, e0) from the planner.
 * Nothing is overwritten: if any file exists, nothing is written.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xlsxwriter.h>

#include "cli_templates.h"

/* One file to write: its name in DIR and its text. */
typedef struct init_file {
    const char *name;
    char *text; /* owned */
} init_file;

enum { INIT_MAX_FILES = 12, INIT_WORKBOOK_SHEETS = 7 };

typedef struct init_plan {
    init_file files[INIT_MAX_FILES];
    int n;
    const char *sheets[INIT_WORKBOOK_SHEETS]; /* tables copied into inputs.xlsx */
    int n_sheets;
} init_plan;

static void init_usage(FILE *out)
{
    fprintf(out,
            "usage: popsim init city|province|micro [DIR]\n"
            "\n"
            "Write a commented scenario and template input files into DIR (default: ./city,\n"
            "./province or ./micro): the tables as CSV files and the same tables as sheets of\n"
            "inputs.xlsx. `popsim check DIR/KIND.yaml` accepts them as written; replace the\n"
            "numbers with your own (docs/input-format.md). Existing files are never\n"
            "overwritten.\n"
            "\n"
            "  city      a city from its own yearbook tables (no UN data needed)\n"
            "  province  a province: its population, TFR and e0; age patterns from UN WPP\n"
            "  micro     the city template, simulated person by person (engine: micro)\n"
            "\n"
            "options:\n"
            "  -h, --help      this text\n"
            "      --version   program version\n");
}

static const char *embedded(const char *name)
{
    for (int k = 0; k < cli_n_embedded_files; ++k) {
        if (strcmp(cli_embedded_files[k].name, name) == 0) {
            return cli_embedded_files[k].content;
        }
    }
    return NULL;
}

/* Append text to a growable string; returns 0, or -1 when out of memory. */
static int cat(char **s, size_t *len, const char *text, size_t n)
{
    char *p = realloc(*s, *len + n + 1);
    if (p == NULL) {
        return -1;
    }
    memcpy(p + *len, text, n);
    *len += n;
    p[*len] = '\0';
    *s = p;
    return 0;
}

/*
 * The scenario text of a template: `header`, then the example scenario from its `name:`
 * line on, with the example's name and title replaced, its data paths made local, and
 * after each input file a comment showing the same table in the workbook.
 */
static char *scenario_from_example(const char *example, const char *header, const char *name,
                                   const char *title)
{
    static const struct {
        const char *line, *sheet;
    } inputs[] = {
        { "  file: ../data/example/population.csv", "population" },
        { "  mx_file: ../data/example/mx.csv", "mx" },
        { "  asfr_file: ../data/example/asfr.csv", "asfr" },
        { "  file: ../data/example/srb.csv", "srb" },
        { "  total_file: ../data/example/migration_total.csv", "migration_total" },
    };
    const char *p = strstr(example, "\nname: ");
    char *out = NULL;
    size_t len = 0;
    if (p == NULL || cat(&out, &len, header, strlen(header)) != 0) {
        return out;
    }
    for (++p; *p != '\0';) {
        const char *nl = strchr(p, '\n');
        size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
        char repl[768];
        const char *text = line;
        if (strncmp(line, "name: ", 6) == 0) {
            snprintf(repl, sizeof repl, "name: %s", name);
            text = repl;
        } else if (strncmp(line, "region: ", 8) == 0) {
            snprintf(repl, sizeof repl, "region: City");
            text = repl;
        } else if (strncmp(line, "title: ", 7) == 0) {
            snprintf(repl, sizeof repl, "title: \"%s\"", title);
            text = repl;
        } else {
            for (size_t k = 0; k < sizeof inputs / sizeof inputs[0]; ++k) {
                if (strcmp(line, inputs[k].line) == 0) {
                    const char *colon = strchr(line, ':');
                    const char *file = strrchr(line, '/') + 1;
                    snprintf(repl, sizeof repl,
                             "%.*s: %s\n"
                             "  # or the same table in the workbook:\n"
                             "  # %.*s: inputs.xlsx\n"
                             "  # sheet: %s",
                             (int)(colon - line), line, file, (int)(colon - line - 2), line + 2,
                             inputs[k].sheet);
                    text = repl;
                }
            }
        }
        if (cat(&out, &len, text, strlen(text)) != 0 || cat(&out, &len, "\n", 1) != 0) {
            free(out);
            return NULL;
        }
        p = nl != NULL ? nl + 1 : p + n;
    }
    return out;
}

static const char CITY_HEADER[] =
    "# A city projected from its own tables (written by `popsim init city`).\n"
    "#\n"
    "# The numbers are the fictional Example City's (docs/input-format.md, data/example/):\n"
    "# replace them with your city's, keeping each file's header row.\n"
    "#   population.csv       residents on 1 July of `start` by sex and 5-year age group\n"
    "#   mx.csv               death rates by year, sex and age group (a life table's m(x))\n"
    "#   asfr.csv             births per woman-year by year and mother's 5-year age group\n"
    "#   srb.csv              male births per female birth, by year\n"
    "#   migration_total.csv  net migrants per year (spread over ages by a standard schedule)\n"
    "# inputs.xlsx holds the same tables, one sheet each: to use it, follow the comments\n"
    "# under each input below. Check with `popsim check city.yaml`, run with\n"
    "# `popsim run city.yaml -o city.h5`; every key: `popsim check --describe`.\n";

static const char MICRO_HEADER[] =
    "# A city simulated person by person (written by `popsim init micro`; engine: micro,\n"
    "# docs/micro.md). Inputs as in `popsim init city`: the fictional Example City's numbers,\n"
    "# to be replaced by your city's; inputs.xlsx holds the same tables.\n"
    "# Check with `popsim check micro.yaml`, run with `popsim run micro.yaml -o micro.h5`.\n";

static const char PROVINCE_HEADER[] =
    "# A province projected from its yearbook population, fertility and life expectancy\n"
    "# (written by `popsim init province`). The age patterns of fertility and mortality, the\n"
    "# sex ratio at birth and the age pattern of migrants come from the UN World Population\n"
    "# Prospects 2024 for `data.location` (the WPP folder must be there: `--wpp-dir`,\n"
    "# POPSIM_DATA_DIR or ../shared/data/wpp2024).\n"
    "# The numbers are placeholders: replace them with your province's, keeping each file's\n"
    "# header row.\n"
    "#   population.csv       residents on 1 July of `start` by sex and 5-year age group\n"
    "#   tfr.csv              total fertility rate by year (children per woman)\n"
    "#   e0.csv               life expectancy at birth by year and sex\n"
    "#   migration_total.csv  net migrants per year\n"
    "# inputs.xlsx holds the same tables, one sheet each (`file: inputs.xlsx` and\n"
    "# `sheet: NAME` in a section read a table from it).\n"
    "name: province\n"
    "title: \"Province projection (template from popsim init: replace the data)\"\n"
    "start: 2025\n"
    "end: 2050\n"
    "engine: ccm\n"
    "region: Province\n"
    "data:\n"
    "  location: China          # source of the age patterns and the sex ratio at birth\n"
    "population:\n"
    "  file: population.csv\n"
    "  # or: file: inputs.xlsx and sheet: population\n"
    "mortality:\n"
    "  e0_file: e0.csv          # WPP's age pattern of mortality scaled to these e0\n"
    "  # or: e0_file: inputs.xlsx and sheet: e0\n"
    "fertility:\n"
    "  tfr_file: tfr.csv        # WPP's age pattern of fertility scaled to these TFRs\n"
    "  # or: tfr_file: inputs.xlsx and sheet: tfr\n"
    "migration:\n"
    "  total_file: migration_total.csv\n"
    "  # or: total_file: inputs.xlsx and sheet: migration_total\n"
    "  male_share: 0.52\n"
    "\n";

/* Placeholders for the province's levels (replaced by the planner). */
static const char PROVINCE_TFR[] = "year,tfr\n2025,1.00\n2035,1.05\n2050,1.10\n";
static const char PROVINCE_E0[] = "year,sex,e0\n"
                                  "2025,M,76.5\n2025,F,82.0\n"
                                  "2050,M,80.0\n2050,F,85.0\n";

static int add_file(init_plan *plan, const char *name, char *text)
{
    if (text == NULL || plan->n == INIT_MAX_FILES) {
        free(text);
        return -1;
    }
    plan->files[plan->n].name = name;
    plan->files[plan->n].text = text;
    plan->n++;
    return 0;
}

static char *copy_of(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

/* The CSV text of a table: the Example City's, or a province placeholder. */
static const char *table_text(const char *table)
{
    if (strcmp(table, "tfr") == 0) {
        return PROVINCE_TFR;
    }
    if (strcmp(table, "e0") == 0) {
        return PROVINCE_E0;
    }
    char name[64];
    snprintf(name, sizeof name, "%s.csv", table);
    return embedded(name);
}

/* The files of a kind; 1 for an unknown kind, -1 when out of memory. */
static int plan_kind(init_plan *plan, const char *kind)
{
    static const char *const city_tables[] = { "population", "mx", "asfr", "srb",
                                               "migration_total" };
    static const char *const province_tables[] = { "population", "tfr", "e0",
                                                   "migration_total" };
    static const char *const csv_names[] = { "population.csv", "mx.csv", "asfr.csv", "srb.csv",
                                             "migration_total.csv", "tfr.csv", "e0.csv" };
    const char *city = embedded("example_city.yaml");
    const char *const *tables = city_tables;
    int n_tables = 5, rc = 0;
    if (strcmp(kind, "city") == 0 || strcmp(kind, "micro") == 0) {
        int micro = kind[0] == 'm';
        const char *example = micro ? embedded("example_city_micro.yaml") : city;
        const char *title = micro ? "City, simulated person by person (template from popsim init)"
                                  : "City projection (template from popsim init: replace the data)";
        rc |= add_file(plan, micro ? "micro.yaml" : "city.yaml",
                       scenario_from_example(example, micro ? MICRO_HEADER : CITY_HEADER,
                                             micro ? "micro" : "city", title));
    } else if (strcmp(kind, "province") == 0) {
        /* The province keeps the city's services: everything from "# Services:" on. */
        const char *services = city != NULL ? strstr(city, "# Services:") : NULL;
        size_t n = strlen(PROVINCE_HEADER) + (services ? strlen(services) : 0) + 1;
        char *text = malloc(n);
        if (text != NULL) {
            snprintf(text, n, "%s%s", PROVINCE_HEADER, services ? services : "");
        }
        rc |= add_file(plan, "province.yaml", text);
        tables = province_tables;
        n_tables = 4;
    } else {
        return 1;
    }
    for (int k = 0; k < n_tables; ++k) {
        const char *name = NULL;
        for (size_t j = 0; j < sizeof csv_names / sizeof csv_names[0]; ++j) {
            if (strncmp(csv_names[j], tables[k], strlen(tables[k])) == 0 &&
                csv_names[j][strlen(tables[k])] == '.') {
                name = csv_names[j];
            }
        }
        rc |= add_file(plan, name, copy_of(table_text(tables[k])));
        plan->sheets[plan->n_sheets++] = tables[k];
    }
    return rc != 0 ? -1 : 0;
}

/* One CSV table as a sheet: numbers as numbers, everything else as text. */
static int table_to_sheet(lxw_workbook *wb, const char *table)
{
    lxw_worksheet *ws = workbook_add_worksheet(wb, table);
    char *text = copy_of(table_text(table));
    if (ws == NULL || text == NULL) {
        free(text);
        return -1;
    }
    lxw_row_t row = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line != NULL;
         line = strtok_r(NULL, "\n", &save), ++row) {
        lxw_col_t col = 0;
        for (char *fs = NULL, *tok = strtok_r(line, ",", &fs); tok != NULL;
             tok = strtok_r(NULL, ",", &fs), ++col) {
            char *end = NULL;
            double v = strtod(tok, &end);
            if (end != tok && *end == '\0') {
                worksheet_write_number(ws, row, col, v, NULL);
            } else {
                worksheet_write_string(ws, row, col, tok, NULL);
            }
        }
    }
    worksheet_freeze_panes(ws, 1, 0);
    free(text);
    return 0;
}

static ps_status write_text(const char *dir, const char *name, const char *text, ps_error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) {
        return ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot create the file: %s",
                               strerror(errno));
    }
    size_t n = strlen(text), done = 0;
    while (done < n) {
        ssize_t w = write(fd, text + done, n - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            int e = errno;
            close(fd);
            return ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot write the file: %s",
                                   strerror(e));
        }
        done += (size_t)w;
    }
    if (close(fd) != 0) {
        return ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot write the file: %s",
                               strerror(errno));
    }
    return PS_OK;
}

static ps_status write_workbook(const char *dir, const init_plan *plan, ps_error *err)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/inputs.xlsx", dir);
    lxw_workbook *wb = workbook_new(path);
    if (wb == NULL) {
        return ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot create the workbook");
    }
    int bad = 0;
    for (int k = 0; k < plan->n_sheets; ++k) {
        bad |= table_to_sheet(wb, plan->sheets[k]);
    }
    lxw_error e = workbook_close(wb);
    if (bad || e != LXW_NO_ERROR) {
        unlink(path);
        return ps_error_set_at(err, PS_EIO, path, 0, 0, "cannot write the workbook: %s",
                               bad ? "out of memory" : lxw_strerror(e));
    }
    return PS_OK;
}

/* Every target must be new: refuse before anything is written. */
static ps_status check_new(const char *dir, const init_plan *plan, ps_error *err)
{
    struct stat st;
    char path[PATH_MAX];
    for (int k = 0; k <= plan->n; ++k) {
        snprintf(path, sizeof path, "%s/%s", dir, k < plan->n ? plan->files[k].name : "inputs.xlsx");
        if (lstat(path, &st) == 0) {
            return ps_error_set_at(err, PS_EIO, path, 0, 0,
                                   "the file exists; popsim init never overwrites: choose "
                                   "another folder");
        }
    }
    return PS_OK;
}

static ps_status make_dir(const char *dir, ps_error *err)
{
    struct stat st;
    if (stat(dir, &st) == 0) {
        return S_ISDIR(st.st_mode) ? PS_OK
                                   : ps_error_set_at(err, PS_EIO, dir, 0, 0,
                                                     "exists and is not a folder");
    }
    if (mkdir(dir, 0755) != 0) {
        return ps_error_set_at(err, PS_EIO, dir, 0, 0, "cannot create the folder: %s",
                               strerror(errno));
    }
    return PS_OK;
}

int cli_cmd_init(int argc, char **argv)
{
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        init_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
        cli_print_version();
        return CLI_EXIT_OK;
    }
    if (argc < 2 || argc > 3 || argv[1][0] == '-') {
        fprintf(stderr, "popsim init: expected city, province or micro, and a folder\n");
        init_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *kind = argv[1];
    const char *dir = argc == 3 ? argv[2] : kind;
    init_plan plan;
    memset(&plan, 0, sizeof plan);
    int planned = plan_kind(&plan, kind);
    ps_error err;
    ps_error_clear(&err);
    int status = CLI_EXIT_OK;
    if (planned == 1) {
        fprintf(stderr, "popsim init: unknown template '%s' (expected city, province or micro)\n",
                kind);
        init_usage(stderr);
        status = CLI_EXIT_USAGE;
    } else if (planned != 0) {
        ps_error_set(&err, PS_ENOMEM, "out of memory preparing the templates");
        status = CLI_EXIT_FAILURE;
    } else if (make_dir(dir, &err) != PS_OK || check_new(dir, &plan, &err) != PS_OK) {
        status = CLI_EXIT_FAILURE;
    } else {
        int written = 0;
        ps_status rc = PS_OK;
        for (; written < plan.n && rc == PS_OK; ++written) {
            rc = write_text(dir, plan.files[written].name, plan.files[written].text, &err);
        }
        if (rc == PS_OK) {
            rc = write_workbook(dir, &plan, &err);
        }
        if (rc != PS_OK) {
            /* No partial template: none of these names existed (check_new), so every one
             * that exists now was created here. */
            for (int k = 0; k <= written && k <= plan.n; ++k) {
                char path[PATH_MAX];
                snprintf(path, sizeof path, "%s/%s", dir,
                         k < plan.n ? plan.files[k].name : "inputs.xlsx");
                unlink(path);
            }
            status = CLI_EXIT_FAILURE;
        } else {
            printf("popsim init: wrote %s/%s, %d input tables as CSV and inputs.xlsx\n"
                   "next: popsim check %s/%s\n",
                   dir, plan.files[0].name, plan.n_sheets, dir, plan.files[0].name);
        }
    }
    if (status == CLI_EXIT_FAILURE) {
        cli_print_error(&err);
    }
    for (int k = 0; k < plan.n; ++k) {
        free(plan.files[k].text);
    }
    return status;
}

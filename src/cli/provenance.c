/*
 * provenance.c - where each input of a run came from, for the /provenance group of the
 * result file, `popsim info` and the report (issue #16): a planner's file with the SHA-256 of
 * its bytes, the UN WPP location and variant, a value written in the scenario, or a model
 * default. The rules mirror src/io/builder.c, which decides what each component is built
 * from: a file named in the scenario wins, then a value in the scenario, then the WPP
 * location; a component without any of these keeps the builder's default.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "popsim/sha256.h"

static const char src_file[] = "planner file";
static const char src_wpp[] = "UN WPP 2024";
static const char src_value[] = "scenario value";
static const char src_default[] = "model default";

/*
 * SHA-256 of a whole file into hex; "" when it is not a regular file or cannot be read. The
 * run has read the input already: a FIFO, a terminal or /dev/stdin must not be opened again
 * (the open would wait for a writer that never comes), so the file is opened without
 * blocking and hashed only when fstat says it is a regular file.
 */
static void file_sha256(char hex[65], const char *path)
{
    struct stat st;
    unsigned char *buf = NULL;
    FILE *fp = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    hex[0] = '\0';
    if (fd < 0) {
        return;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (fp = fdopen(fd, "rb")) == NULL) {
        close(fd);
        return;
    }
    size_t len = (size_t)st.st_size;
    if ((buf = malloc(len + 1)) != NULL && fread(buf, 1, len, fp) == len) {
        ps_sha256_hex(hex, buf, len);
    }
    free(buf);
    fclose(fp);
}

/* Append a row; `detail` is copied, the other strings are borrowed. */
static cli_input_row *add_row(cli_inputs *p, const char *kind, const char *source,
                              const char *detail)
{
    cli_input_row *row = &p->rows[p->n];
    ps_input_source *in = &p->sources[p->n++];
    snprintf(row->detail, sizeof row->detail, "%s", detail != NULL ? detail : "");
    row->sha256[0] = '\0';
    *in = (ps_input_source){ kind, source, row->detail, "", row->sha256 };
    return row;
}

static void add_file(cli_inputs *p, const char *kind, const char *path)
{
    cli_input_row *row = add_row(p, kind, src_file, "");
    file_sha256(row->sha256, path);
    p->sources[p->n - 1].path = path;
}

/* A component that is a file if given, else a scenario value if given, else WPP if the
 * scenario names a location, else the builder's default. */
static void add_component(cli_inputs *p, const char *kind, const char *path, const char *value,
                          const ps_scenario *scn, const char *wpp, const char *fallback)
{
    if (path != NULL) {
        add_file(p, kind, path);
    } else if (value != NULL) {
        add_row(p, kind, src_value, value);
    } else if (scn->location != NULL) {
        add_row(p, kind, src_wpp, wpp);
    } else {
        add_row(p, kind, src_default, fallback);
    }
}

static void fertility_rows(cli_inputs *p, const ps_scenario *scn, const char *wpp)
{
    char text[CLI_INPUT_DETAIL];
    ps_fert_pattern pat = scn->fertility.pattern;
    if (pat == PS_FERT_PATTERN_HADWIGER) {
        snprintf(text, sizeof text, "Hadwiger age pattern, mean age %g years",
                 scn->fertility.mean_age);
        add_row(p, "fertility age pattern", src_value, text);
    } else if (pat == PS_FERT_PATTERN_WPP && scn->location != NULL) {
        add_row(p, "fertility age pattern", src_wpp, wpp);
    } else {
        add_component(p, "fertility age pattern", scn->fertility.asfr_file.path, NULL, scn, wpp,
                      "");
    }
    snprintf(text, sizeof text, "%g children per woman", scn->fertility.tfr);
    if (scn->fertility.tfr_file.path != NULL || scn->fertility.has_tfr) {
        add_component(p, "TFR", scn->fertility.tfr_file.path,
                      scn->fertility.has_tfr ? text : NULL, scn, wpp, "");
    } else {
        add_component(p, "TFR", scn->fertility.asfr_file.path, NULL, scn, wpp,
                      "from the fertility age pattern");
    }
}

static void migration_rows(cli_inputs *p, const ps_scenario *scn, const char *wpp)
{
    char text[CLI_INPUT_DETAIL];
    if (scn->migration.none) {
        add_row(p, "migration", src_value, "none (closed population)");
    } else if (scn->migration.file.path != NULL) {
        add_file(p, "migration", scn->migration.file.path);
    } else if (scn->migration.total_file.path != NULL) {
        add_file(p, "migration total", scn->migration.total_file.path);
    } else if (scn->migration.has_total) {
        snprintf(text, sizeof text, "%g net migrants per year", scn->migration.total);
        add_row(p, "migration total", src_value, text);
    } else {
        add_component(p, "migration", NULL, NULL, scn, wpp, "none (closed population)");
    }
}

/* The stock files of the services (issue #13), each once, with the types read from it,
 * while rows are left. */
static void stock_rows(cli_inputs *p, const ps_scenario *scn)
{
    for (int m = 0; m < scn->n_members; ++m) {
        for (int k = 0; k < scn->members[m].n_services; ++k) {
            const ps_svc_stock *st = &scn->members[m].services[k].stock;
            int seen = st->path == NULL;
            for (int i = 0; i < p->n && !seen; ++i) {
                seen = p->sources[i].path != NULL && strcmp(p->sources[i].path, st->path) == 0;
            }
            if (seen || p->n >= CLI_INPUT_ROWS) {
                continue;
            }
            add_file(p, "service stock", st->path);
            snprintf(p->rows[p->n - 1].detail, CLI_INPUT_DETAIL, "type %s", st->type);
        }
    }
}

void cli_inputs_provenance(cli_inputs *out, const ps_scenario *scn, const char *wpp_source)
{
    static const char *const wpp_kinds[] = { "population", "mortality", "fertility age pattern",
                                             "TFR", "SRB", "migration" };
    const char *wpp = wpp_source != NULL ? wpp_source : "";
    char text[CLI_INPUT_DETAIL];
    memset(out, 0, sizeof *out);
    if (scn == NULL) {
        for (size_t k = 0; k < sizeof wpp_kinds / sizeof wpp_kinds[0]; ++k) {
            add_row(out, wpp_kinds[k], src_wpp, wpp);
        }
        return;
    }
    add_component(out, "population", scn->population.file.path, NULL, scn, wpp, "");
    add_component(out, "mortality", scn->mortality.mx_file.path, NULL, scn, wpp, "");
    if (scn->mortality.e0_file.path != NULL) {
        add_file(out, "life expectancy (e0)", scn->mortality.e0_file.path);
    }
    fertility_rows(out, scn, wpp);
    snprintf(text, sizeof text, "%g male births per female birth", scn->srb.value);
    add_component(out, "SRB", scn->srb.file.path, scn->srb.has_value ? text : NULL, scn, wpp,
                  "1.05 male births per female birth");
    migration_rows(out, scn, wpp);
    if (scn->parity_file.path != NULL) { /* issue #12: the planner's base parity */
        add_file(out, "women by parity", scn->parity_file.path);
    }
    if (scn->calibrate_births.n > 0) { /* issue #12: the jump-off calibration */
        snprintf(text, sizeof text, "ASFR scaled to the observed births of %d year%s, %d-%d "
                 "(fade %d years)", scn->calibrate_births.n,
                 scn->calibrate_births.n > 1 ? "s" : "", scn->calibrate_births.year[0],
                 scn->calibrate_births.year[scn->calibrate_births.n - 1],
                 scn->calibrate_births.fade_years);
        add_row(out, "births calibration", src_value, text);
    }
    stock_rows(out, scn);
}

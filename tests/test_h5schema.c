/*
 * test_h5schema.c - one HDF5 schema, one writer, one reader (issue #11, section 3):
 * docs/output-format.md documents exactly the variables of the schema table
 * (src/io/h5schema.c) with the same dimensions and units, and a file written by `popsim run`,
 * read with ps_h5_read and ps_h5_read_provenance and written again with ps_h5_write, equals
 * the first in every group, dataset and attribute (h5diff), for a policy family, a scenario
 * with services and care need, and the microsimulation; a changed value, an unknown basis and
 * a sample column of the wrong length are seen. Atomic replacement stays ps_outfile's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test_util.h"

#include <hdf5.h>

#include "io/h5schema_int.h"
#include "popsim/h5out.h"

/* ---- the documentation against the schema table ------------------------------------------ */

#define DOC_PATH PS_SOURCE_DIR "/docs/output-format.md"
#define SCHEMA_MARK "<!-- schema: /scenarios/<name>/"
#define TABLE_HEADER "| variable | dimensions | units | meaning |"

/* Cell `col` (0-based) of a table row, trimmed, into buf. */
static void cell(char *buf, size_t size, const char *row, int col)
{
    const char *p = row;
    buf[0] = '\0';
    for (int k = 0; k <= col; ++k) {
        p = strchr(p, '|');
        if (p == NULL) {
            return;
        }
        ++p;
    }
    const char *end = strchr(p, '|');
    while (*p == ' ') {
        ++p;
    }
    size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
    while (len > 0 && p[len - 1] == ' ') {
        --len;
    }
    snprintf(buf, size, "%.*s", (int)len, p);
}

/* "year, region, sex" of a schema variable. */
static void schema_dims(char *buf, size_t size, const var_spec *spec)
{
    buf[0] = '\0';
    for (int k = 0; k < spec->rank; ++k) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", k > 0 ? ", " : "", dim_specs[spec->dims[k]].name);
    }
}

/* The schema entry of `name` in `group`, or -1. */
static int find_var(const ps_h5__schema_var *vars, size_t n, const char *group, const char *name)
{
    for (size_t k = 0; k < n; ++k) {
        if (strcmp(vars[k].group, group) == 0 && strcmp(vars[k].spec->name, name) == 0) {
            return (int)k;
        }
    }
    return -1;
}

/* One documented row: each backticked name in its first cell against the schema. */
static int check_row(const char *row, const char *group, const ps_h5__schema_var *vars, size_t n,
                     int *seen)
{
    char names[1024], dims[256], units[256], want_dims[256];
    int bad = 0;
    cell(names, sizeof names, row, 0);
    cell(dims, sizeof dims, row, 1);
    cell(units, sizeof units, row, 2);
    for (char *p = strchr(names, '`'); p != NULL; p = strchr(p, '`')) {
        char *end = strchr(p + 1, '`');
        if (end == NULL) {
            break;
        }
        *end = '\0';
        const char *name = p + 1;
        int k = find_var(vars, n, group, name);
        if (k < 0) {
            printf("docs/output-format.md documents '%s' in '/scenarios/<name>/%s', which the "
                   "schema (src/io/h5schema.c) lacks\n", name, group);
            ++bad;
        } else {
            const var_spec *spec = vars[k].spec;
            const char *want_units = spec->units != NULL ? spec->units : "int64";
            schema_dims(want_dims, sizeof want_dims, spec);
            if (strcmp(dims, want_dims) != 0 || strcmp(units, want_units) != 0) {
                printf("docs: '%s/%s' is (%s) in %s; the schema says (%s) in %s\n", group, name,
                       dims, units, want_dims, want_units);
                ++bad;
            }
            seen[k]++;
        }
        p = end + 1;
    }
    return bad;
}

static void test_h5schema__docs_document_every_variable_as_the_schema_has_it(void **state)
{
    (void)state;
    size_t n = 0;
    const ps_h5__schema_var *vars = ps_h5__schema_vars(&n);
    char *text = test_slurp(DOC_PATH, NULL);
    int *seen = calloc(n, sizeof *seen);
    int bad = 0, tables = 0;
    char group[128] = "", *marked = NULL;
    assert_non_null(text);
    assert_non_null(seen);
    assert_true(n > 40);
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        if (strncmp(line, SCHEMA_MARK, strlen(SCHEMA_MARK)) == 0) {
            /* "<!-- schema: /scenarios/<name>/policy/<instrument>/ -->" gives the group
             * "policy/<instrument>"; "/scenarios/<name>/" the scenario group "". */
            snprintf(group, sizeof group, "%s", line + strlen(SCHEMA_MARK));
            char *close = strstr(group, " -->");
            assert_non_null(close);
            *close = '\0';
            size_t len = strlen(group);
            if (len > 0 && group[len - 1] == '/') {
                group[len - 1] = '\0';
            }
            marked = line;
        } else if (strcmp(line, TABLE_HEADER) == 0) {
            if (marked == NULL) {
                printf("docs/output-format.md: a variable table without a '%s ... -->' line "
                       "before it, naming its group\n", SCHEMA_MARK);
                ++bad;
            }
            ++tables;
        } else if (line[0] != '|') {
            marked = NULL; /* the table (if any) has ended */
        } else if (marked != NULL && strncmp(line, "|---", 4) != 0) {
            bad += check_row(line, group, vars, n, seen);
        }
    }
    for (size_t k = 0; k < n; ++k) {
        if (seen[k] != 1) {
            printf("docs/output-format.md documents '/scenarios/<name>/%s%s%s' %d times; "
                   "once is right\n", vars[k].group, vars[k].group[0] != '\0' ? "/" : "",
                   vars[k].spec->name, seen[k]);
            ++bad;
        }
    }
    assert_int_equal(tables, 10); /* + response (issue #12) */
    assert_int_equal(bad, 0);
    free(seen);
    free(text);
}

/* Every unit of the schema has a CF form, and every long name is set. */
static void test_h5schema__every_variable_has_cf_units_and_a_long_name(void **state)
{
    (void)state;
    size_t n = 0;
    const ps_h5__schema_var *vars = ps_h5__schema_vars(&n);
    for (size_t k = 0; k < n; ++k) {
        const var_spec *spec = vars[k].spec;
        assert_non_null(spec->long_name);
        assert_true(spec->rank >= 1 && spec->rank < DIM_COUNT);
        if (spec->units != NULL && ps_h5__cf_unit(spec->units) == NULL) {
            fail_msg("'%s' has the unit '%s' without a CF form", spec->name, spec->units);
        }
    }
    assert_null(ps_h5__cf_unit("furlongs per fortnight"));
}

/* Atomic replacement has one home, src/core/outfile.c (popsim/outfile.h): the writers of
 * src/io hand it their bytes and never create, sync, rename or remove files themselves. */
static void test_h5schema__writers_replace_files_only_through_ps_outfile(void **state)
{
    (void)state;
    static const char *const writers[] = { PS_SOURCE_DIR "/src/io/h5out.c",
                                           PS_SOURCE_DIR "/src/io/h5schema.c" };
    static const char *const banned[] = { "rename(", "fsync(", "unlink(", "remove(", "fopen(",
                                          "mkstemp(", "open(" };
    for (size_t w = 0; w < sizeof writers / sizeof writers[0]; ++w) {
        char *text = test_slurp(writers[w], NULL);
        assert_non_null(text);
        for (size_t b = 0; b < sizeof banned / sizeof banned[0]; ++b) {
            for (const char *p = strstr(text, banned[b]); p != NULL; p = strstr(p + 1, banned[b])) {
                /* "open(" inside a longer name (H5Dopen2(, ps_outfile_open() is not open(2). */
                char before = p > text ? p[-1] : ' ';
                if (before == '_' || (before >= 'a' && before <= 'z') ||
                    (before >= 'A' && before <= 'Z') || (before >= '0' && before <= '9')) {
                    continue;
                }
                fail_msg("%s calls %s itself; atomic replacement belongs to ps_outfile",
                         writers[w], banned[b]);
            }
        }
        free(text);
    }
    char *h5out = test_slurp(writers[0], NULL);
    assert_non_null(h5out);
    assert_non_null(strstr(h5out, "ps_outfile_commit("));
    free(h5out);
}

/* ---- write, read, write again --------------------------------------------------------------- */

typedef struct fixture {
    char dir[64];
    char first[128]; /* dir/first.h5: what popsim run wrote */
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/ps_test_h5schema_XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->first, sizeof fx->first, "%s/first.h5", fx->dir);
    /* The same `created` and `history` in both files. */
    setenv("SOURCE_DATE_EPOCH", "1764547200", 1);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    (void)system(cmd);
    free(fx);
    return 0;
}

static int run_command(const char *cmd)
{
    int st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Every scenario of `in` and its provenance read back, written to `out`; `nudge` changes one
 * population value first (so the comparison is shown to see a difference). */
static void read_and_write(const char *in, const char *out, double nudge)
{
    ps_error err;
    char **names = NULL;
    int n = 0;
    ps_file_provenance prov;
    ps_error_clear(&err);
    assert_ps_ok(ps_h5_list(&names, &n, in, &err), &err);
    assert_true(n >= 1);
    ps_result *res = calloc((size_t)n, sizeof *res);
    const ps_result **list = calloc((size_t)n, sizeof *list);
    assert_non_null(res);
    assert_non_null(list);
    for (int k = 0; k < n; ++k) {
        assert_ps_ok(ps_h5_read(&res[k], in, names[k], &err), &err);
        list[k] = &res[k];
    }
    res[0].population[0] *= nudge;
    assert_ps_ok(ps_h5_read_provenance(&prov, in, &err), &err);
    ps_provenance view = ps_file_provenance_view(&prov);
    assert_ps_ok(ps_h5_write(out, list, n, &view, &err), &err);
    ps_file_provenance_release(&prov);
    for (int k = 0; k < n; ++k) {
        ps_result_release(&res[k]);
    }
    free(list);
    free(res);
    ps_h5_free_names(names, n);
}

/* `popsim run` the scenario, read and write it again: h5diff finds the files equal in every
 * group, dataset and attribute; with one value changed it finds them different. */
static void round_trip(const fixture *fx, const char *scenario, const char *expect_group)
{
    char again[128], nudged[128], cmd[1024];
    const char *first = fx->first;
    snprintf(again, sizeof again, "%s/again.h5", fx->dir);
    snprintf(nudged, sizeof nudged, "%s/nudged.h5", fx->dir);
    snprintf(cmd, sizeof cmd, "'%s' run -q '%s' -o '%s'", PS_POPSIM_EXE, scenario, first);
    assert_int_equal(run_command(cmd), 0);
    snprintf(cmd, sizeof cmd, "h5ls -r '%s' | grep -q '%s'", first, expect_group);
    assert_int_equal(run_command(cmd), 0);
    read_and_write(first, again, 1.0);
    read_and_write(first, nudged, 1.0 + 1e-9);
    snprintf(cmd, sizeof cmd, "h5diff '%s' '%s'", first, again);
    assert_int_equal(run_command(cmd), 0);
    snprintf(cmd, sizeof cmd, "h5diff -q '%s' '%s'", first, nudged);
    assert_int_equal(run_command(cmd), 1);
}

/* Replace a string attribute of `obj` in `path` (a file popsim wrote). */
static void set_string_attr(const char *path, const char *obj, const char *name,
                            const char *value)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(file >= 0);
    assert_true(H5Adelete_by_name(file, obj, name, H5P_DEFAULT) >= 0);
    hid_t o = H5Oopen(file, obj, H5P_DEFAULT), type = H5Tcopy(H5T_C_S1);
    hid_t space = H5Screate(H5S_SCALAR);
    H5Tset_size(type, H5T_VARIABLE);
    hid_t a = H5Acreate2(o, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(a >= 0 && H5Awrite(a, type, &value) >= 0);
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    H5Oclose(o);
    H5Fclose(file);
}

/* Replace dataset `dset` of `path` by a float64 one of n values. */
static void replace_dataset(const char *path, const char *dset, hsize_t n)
{
    double values[4] = { 1.0, 2.0, 3.0, 4.0 };
    assert_true(n <= 4);
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(file >= 0);
    assert_true(H5Ldelete(file, dset, H5P_DEFAULT) >= 0);
    hid_t space = H5Screate_simple(1, &n, NULL);
    hid_t ds = H5Dcreate2(file, dset, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                          H5P_DEFAULT);
    assert_true(ds >= 0);
    assert_true(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0);
    H5Dclose(ds);
    H5Sclose(space);
    H5Fclose(file);
}

/* ps_h5_read of the (changed) first file fails with PS_EHDF5 and `says` in the message. */
static void read_fails(const fixture *fx, const char *scenario, const char *says)
{
    ps_result r;
    ps_error err;
    ps_error_clear(&err);
    assert_int_equal(ps_h5_read(&r, fx->first, scenario, &err), PS_EHDF5);
    if (strstr(err.msg, says) == NULL) {
        fail_msg("message '%s' should say '%s'", err.msg, says);
    }
    assert_string_equal(err.path, fx->first);
}

static void test_h5schema__policy_family_reads_back_to_the_same_file(void **state)
{
    round_trip(*state, PS_TEST_DATA_DIR "/good/run_family.yaml", "/policy/subsidy/cost ");
}

static void test_h5schema__services_and_care_need_read_back_to_the_same_file(void **state)
{
    round_trip(*state, PS_SOURCE_DIR "/scenarios/example_city.yaml", "/indicators/");
    /* What the reader refuses: a basis it does not know, a variable of the wrong shape. */
    const fixture *fx = *state;
    set_string_attr(fx->first, "/scenarios/example_city/services/childcare",
                    "basis", "per_cat");
    read_fails(*state, "example_city", "unknown basis 'per_cat'");
}

static void test_h5schema__regions_flows_and_registration_read_back_to_the_same_file(
    void **state)
{
    round_trip(*state, PS_SOURCE_DIR "/scenarios/example_province.yaml",
               "/registration/registered ");
}

static void test_h5schema__micro_outputs_read_back_to_the_same_file(void **state)
{
    round_trip(*state, PS_SOURCE_DIR "/scenarios/example_city_micro.yaml", "/micro/person_id ");
    const fixture *fx = *state;
    replace_dataset(fx->first, "/scenarios/example_city_micro/micro/alive", 3);
    read_fails(*state, "example_city_micro", "sample column 'alive' should have");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_h5schema__docs_document_every_variable_as_the_schema_has_it),
        cmocka_unit_test(test_h5schema__every_variable_has_cf_units_and_a_long_name),
        cmocka_unit_test(test_h5schema__writers_replace_files_only_through_ps_outfile),
        cmocka_unit_test_setup_teardown(test_h5schema__policy_family_reads_back_to_the_same_file,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_h5schema__services_and_care_need_read_back_to_the_same_file, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_h5schema__regions_flows_and_registration_read_back_to_the_same_file, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_h5schema__micro_outputs_read_back_to_the_same_file,
                                        setup, teardown),
    };
    return cmocka_run_group_tests_name("h5schema", tests, NULL, NULL);
}

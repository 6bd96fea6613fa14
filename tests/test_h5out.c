/*
 * test_h5out.c - the HDF5 result file: bit-exact round trip, several scenarios, provenance,
 * atomic replacement (a failed write leaves the old file and no temporary file), dimension
 * scales, CF attributes, storage layout by size (issue #18) and name validation. Every file
 * lives in a mkdtemp() folder that the teardown removes.
 *
 * Run as `test_h5out --write-fixture PATH` it writes the small file that tests/check_xarray.py
 * opens with xarray (registered by tests/h5_xarray.cmake) instead of running the tests.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* mkdtemp, setenv, dirent */
#endif

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"

#include <hdf5.h>
#include <hdf5_hl.h>

#include "popsim/h5out.h"
#include "popsim/policy.h"

enum { N_REGIONS = 2, N_YEARS = 4, N_AGES = 5, START_YEAR = 2023 };

static const char *const region_labels[N_REGIONS] = { "Nord", "S\xc3\xbc" "d-Ost" };

typedef struct fixture {
    char dir[64];   /* mkdtemp folder, removed with its contents by the teardown */
    char path[128]; /* dir/out.h5 */
    ps_result a;    /* "baseline" */
    ps_result b;    /* "alpha_low": sorts before "baseline", so order shows creation order */
} fixture;

/* ---- builders ---------------------------------------------------------------------------- */

/* High-entropy values everywhere; events, rates and e0 of the last year stay NaN (no step). */
static void fill_result(ps_result *r, const char *name, const char *title, double salt)
{
    ps_error err;
    assert_ps_ok(ps_result_init(r, name, title, START_YEAR, N_YEARS, N_REGIONS, N_AGES,
                                region_labels, &err), &err);
    for (int year = 0; year < N_YEARS; ++year) {
        for (int reg = 0; reg < N_REGIONS; ++reg) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                for (int age = 0; age < N_AGES; ++age) {
                    size_t i = ps_result_cell(r, year, reg, sex, age);
                    double x = (double)i;
                    r->population[i] = 1234.5 + salt + 17.0 * x + 0.0237 * x * x;
                    if (year < N_YEARS - 1) {
                        r->deaths[i] = 3.141 + salt * 0.01 + 0.577 * x;
                        r->net_migration[i] = -45.125 + 0.37 * x - salt * 0.001;
                    }
                }
                if (year < N_YEARS - 1) {
                    size_t i = ps_result_sexcell(r, year, reg, sex);
                    r->births[i] = 512.25 + salt + 3.1 * (double)i;
                    r->e0[i] = 71.3 + 0.17 * (double)i + (sex == PS_SEX_FEMALE ? 4.9 : 0.0);
                }
            }
            for (int age = 0; age < N_AGES && year < N_YEARS - 1; ++age) {
                r->asfr[ps_result_agecell(r, year, reg, age)] = 0.0237 * (1.0 + 0.11 * age);
            }
            if (year < N_YEARS - 1) {
                r->tfr[ps_result_regcell(r, year, reg)] = 1.4321 + 0.013 * year + 0.2 * reg;
            }
        }
    }
}

enum { N_INSTRUMENTS = 2 };

static const char *const instrument_names[N_INSTRUMENTS] = { "birth_bonus", "nursery_places" };
static const ps_lever instrument_levers[N_INSTRUMENTS] = { PS_LEVER_BIRTH_REWARD,
                                                          PS_LEVER_CHILDCARE };

/* Births by order, women by parity and a two-instrument ledger compared with "baseline";
 * event cells of the last year stay NaN, and so does one undefined total. */
static void add_parity_and_policy(ps_result *r, double salt)
{
    ps_error err;
    assert_ps_ok(ps_result_init_parity(r, &err), &err);
    assert_ps_ok(ps_result_init_policy(r, "baseline", N_INSTRUMENTS, instrument_names,
                                       instrument_levers, &err), &err);
    for (int year = 0; year < r->n_years; ++year) {
        for (int reg = 0; reg < r->n_regions; ++reg) {
            for (int age = 0; age < r->n_ages; ++age) {
                for (int parity = 0; parity < PS_PARITY_COUNT; ++parity) {
                    size_t i = ps_result_paritycell(r, year, reg, age, parity);
                    r->women_by_parity[i] = 88.125 + salt + 1.0937 * (double)i;
                }
            }
            if (year == r->n_years - 1) {
                continue;
            }
            for (int order = 0; order < PS_ORDER_COUNT; ++order) {
                size_t i = ps_result_ordercell(r, year, reg, order);
                r->births_by_order[i] = 211.0625 + salt / (1.0 + order) + 0.731 * (double)i;
            }
            size_t c = ps_result_regcell(r, year, reg);
            r->births_gained[c] = 12.0237 * (1.0 + (double)c) - salt * 0.01;
            for (int k = 0; k < r->n_instruments; ++k) {
                ps_ledger *l = &r->ledger[k];
                l->recipients[c] = 301.5 * (1.0 + k) + 7.25 * (double)c;
                l->cost[c] = 1.0e6 * (3.0 + k) + 12345.678 * (double)c;
                l->cost_discounted[c] = l->cost[c] / pow(1.08, year);
            }
        }
    }
    r->births_gained_total = 412.375 + salt;
    r->cost_total = 9.87654321e7;
    r->cost_total_discounted = 8.7654321e7;
    r->cost_per_additional_birth = r->cost_total / r->births_gained_total;
    r->cost_per_additional_birth_discounted = NAN; /* NaN must round-trip too */
    r->emigration_shortfall = 0.0421875;
}

static const ps_provenance test_prov = {
    .scenario_path = "scenarios/baseline.yaml",
    .scenario_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    .command_line = "popsim run scenarios/baseline.yaml -o out.h5",
    .data_source = "UN WPP 2024 (test), location Testland (999)",
    .seed = 18446744073709551557ull, /* > 2^63: checks the unsigned 64-bit attribute */
    .threads = 4,
};

/* ---- file helpers ------------------------------------------------------------------------ */

static int count_entries(const char *dir, const char *only_name)
{
    DIR *d = opendir(dir);
    int n = 0;
    assert_non_null(d);
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        if (only_name != NULL && strcmp(e->d_name, only_name) != 0) {
            fail_msg("unexpected file '%s' in %s", e->d_name, dir);
        }
        ++n;
    }
    closedir(d);
    return n;
}

/* Remove dir and everything in it (one level of subfolders is enough here). */
static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    char p[512];
    if (d == NULL) {
        return;
    }
    for (struct dirent *e = readdir(d); e != NULL; e = readdir(d)) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            if (remove(p) != 0) {
                remove_tree(p);
            }
        }
    }
    closedir(d);
    rmdir(dir);
}

/* A variable-length or fixed-length string attribute of an HDF5 object, via the test's own
 * HDF5 calls rather than the code under test. */
static void h5_str_attr(char *buf, size_t size, hid_t obj, const char *name)
{
    hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(attr >= 0);
    hid_t type = H5Aget_type(attr);
    assert_int_equal(H5Tget_class(type), H5T_STRING);
    assert_true(H5Tis_variable_str(type) > 0);
    assert_int_equal(H5Tget_cset(type), H5T_CSET_UTF8);
    char *s = NULL;
    assert_true(H5Aread(attr, type, &s) >= 0);
    snprintf(buf, size, "%s", s);
    H5free_memory(s);
    H5Tclose(type);
    H5Aclose(attr);
}

/* ---- fixture ----------------------------------------------------------------------------- */

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "%s", "/tmp/popsim_h5out_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof f->path, "%s/out.h5", f->dir);
    fill_result(&f->a, "baseline", "Baseline \xe2\x80\x93 medium variant", 0.0);
    fill_result(&f->b, "alpha_low", NULL, 98.765);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    /* Every file, group, dataset and attribute popsim (or the test) opened is closed again,
     * on success and failure paths alike. */
    ssize_t open_objects = H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (open_objects != 0) {
        fail_msg("%ld HDF5 objects are still open after the test", (long)open_objects);
    }
    remove_tree(f->dir);
    ps_result_release(&f->a);
    ps_result_release(&f->b);
    free(f);
    return 0;
}

static void assert_same_result(const ps_result *got, const ps_result *want)
{
    assert_string_equal(got->name, want->name);
    assert_string_equal(got->title, want->title != NULL ? want->title : want->name);
    assert_int_equal(got->start_year, want->start_year);
    assert_int_equal(got->n_years, want->n_years);
    assert_int_equal(got->n_regions, want->n_regions);
    assert_int_equal(got->n_ages, want->n_ages);
    for (int reg = 0; reg < want->n_regions; ++reg) {
        assert_string_equal(got->region_names[reg], want->region_names[reg]);
    }
    size_t regcells = (size_t)want->n_years * (size_t)want->n_regions;
    size_t sexcells = regcells * PS_SEX_COUNT, agecells = regcells * (size_t)want->n_ages;
    size_t cells = sexcells * (size_t)want->n_ages;
    /* memcmp, not ==: NaN must come back as the same NaN in the same cells. */
    assert_memory_equal(got->population, want->population, cells * sizeof(double));
    assert_memory_equal(got->births, want->births, sexcells * sizeof(double));
    assert_memory_equal(got->deaths, want->deaths, cells * sizeof(double));
    assert_memory_equal(got->net_migration, want->net_migration, cells * sizeof(double));
    assert_memory_equal(got->asfr, want->asfr, agecells * sizeof(double));
    assert_memory_equal(got->tfr, want->tfr, regcells * sizeof(double));
    assert_memory_equal(got->e0, want->e0, sexcells * sizeof(double));
    assert_memory_equal(&got->emigration_shortfall, &want->emigration_shortfall, sizeof(double));
    /* Birth order: both absent or both equal. */
    assert_true((got->births_by_order == NULL) == (want->births_by_order == NULL));
    assert_true((got->women_by_parity == NULL) == (want->women_by_parity == NULL));
    if (want->births_by_order != NULL) {
        assert_memory_equal(got->births_by_order, want->births_by_order,
                            regcells * PS_ORDER_COUNT * sizeof(double));
        assert_memory_equal(got->women_by_parity, want->women_by_parity,
                            agecells * PS_PARITY_COUNT * sizeof(double));
    }
    /* Policy: baseline, ledger and totals, NaN for NaN. */
    assert_true((got->baseline == NULL) == (want->baseline == NULL));
    if (want->baseline != NULL) {
        assert_string_equal(got->baseline, want->baseline);
    }
    assert_true((got->births_gained == NULL) == (want->births_gained == NULL));
    if (want->births_gained != NULL) {
        assert_memory_equal(got->births_gained, want->births_gained, regcells * sizeof(double));
    }
    assert_int_equal(got->n_instruments, want->n_instruments);
    for (int k = 0; k < want->n_instruments; ++k) {
        const ps_ledger *g = &got->ledger[k], *w = &want->ledger[k];
        assert_string_equal(g->name, w->name);
        assert_int_equal(g->lever, w->lever);
        assert_memory_equal(g->recipients, w->recipients, regcells * sizeof(double));
        assert_memory_equal(g->cost, w->cost, regcells * sizeof(double));
        assert_memory_equal(g->cost_discounted, w->cost_discounted, regcells * sizeof(double));
    }
    assert_memory_equal(&got->births_gained_total, &want->births_gained_total, sizeof(double));
    assert_memory_equal(&got->cost_total, &want->cost_total, sizeof(double));
    assert_memory_equal(&got->cost_total_discounted, &want->cost_total_discounted,
                        sizeof(double));
    assert_memory_equal(&got->cost_per_additional_birth, &want->cost_per_additional_birth,
                        sizeof(double));
    assert_memory_equal(&got->cost_per_additional_birth_discounted,
                        &want->cost_per_additional_birth_discounted, sizeof(double));
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_h5out__round_trip_is_bit_identical(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a };
    ps_result back;
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 1, &test_prov, &err), &err);
    assert_ps_ok(ps_h5_read(&back, f->path, "baseline", &err), &err);
    assert_same_result(&back, &f->a);
    assert_true(isnan(back.births[ps_result_sexcell(&back, N_YEARS - 1, 1, PS_SEX_FEMALE)]));
    assert_false(isnan(back.births[ps_result_sexcell(&back, N_YEARS - 2, 1, PS_SEX_FEMALE)]));
    ps_result_release(&back);
    assert_int_equal(count_entries(f->dir, "out.h5"), 1);
}

static void test_h5out__two_scenarios_are_listed_in_write_order(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a, &f->b };
    char **names = NULL;
    int n = 0;
    ps_result back;
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 2, NULL, &err), &err);
    assert_ps_ok(ps_h5_list(&names, &n, f->path, &err), &err);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "baseline");
    assert_string_equal(names[1], "alpha_low");
    ps_h5_free_names(names, n);
    assert_ps_ok(ps_h5_read(&back, f->path, "alpha_low", &err), &err);
    assert_same_result(&back, &f->b);
    ps_result_release(&back);
}

static void test_h5out__provenance_attributes_are_readable(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a };
    char buf[256];
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 1, &test_prov, &err), &err);
    const struct {
        const char *attr, *want;
    } cases[] = {
        { "Conventions", "CF-1.8" },
        { "title", f->a.title },
        { "scenario_file", test_prov.scenario_path },
        { "scenario_sha256", test_prov.scenario_sha256 },
        { "command_line", test_prov.command_line },
        { "data_source", test_prov.data_source },
        { "seed", "18446744073709551557" },
        { "threads", "4" },
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        assert_ps_ok(ps_h5_read_attr(buf, sizeof buf, f->path, cases[k].attr, &err), &err);
        assert_string_equal(buf, cases[k].want);
    }
    assert_ps_ok(ps_h5_read_attr(buf, sizeof buf, f->path, "popsim_version", &err), &err);
    assert_true(strlen(buf) > 0);
    assert_ps_ok(ps_h5_read_attr(buf, sizeof buf, f->path, "git_commit", &err), &err);
    assert_true(strlen(buf) > 0);
    assert_ps_ok(ps_h5_read_attr(buf, sizeof buf, f->path, "created", &err), &err);
    assert_int_equal(strlen(buf), strlen("2024-01-01T00:00:00Z"));
    assert_int_equal(buf[10], 'T');
    char history[512];
    assert_ps_ok(ps_h5_read_attr(history, sizeof history, f->path, "history", &err), &err);
    assert_true(strncmp(history, buf, strlen(buf)) == 0);
    assert_string_equal(history + strlen(buf) + 1, test_prov.command_line);
    /* A short buffer gets a truncated, terminated value. */
    assert_ps_ok(ps_h5_read_attr(buf, 4, f->path, "Conventions", &err), &err);
    assert_string_equal(buf, "CF-");
}

static void test_h5out__source_date_epoch_fixes_created(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a };
    char buf[64];
    ps_error err;
    assert_int_equal(setenv("SOURCE_DATE_EPOCH", "1700000000", 1), 0);
    ps_status rc = ps_h5_write(f->path, results, 1, &test_prov, &err);
    unsetenv("SOURCE_DATE_EPOCH");
    assert_ps_ok(rc, &err);
    assert_ps_ok(ps_h5_read_attr(buf, sizeof buf, f->path, "created", &err), &err);
    assert_string_equal(buf, "2023-11-14T22:13:20Z");
}

static void test_h5out__missing_directory_is_eio_and_creates_nothing(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a };
    char path[256], missing[192];
    struct stat st;
    ps_error err;
    snprintf(missing, sizeof missing, "%s/no_such_dir", f->dir);
    snprintf(path, sizeof path, "%s/out.h5", missing);
    assert_int_equal(ps_h5_write(path, results, 1, &test_prov, &err), PS_EIO);
    assert_non_null(strstr(err.msg, "no_such_dir"));
    assert_int_not_equal(stat(missing, &st), 0);
    assert_int_equal(count_entries(f->dir, NULL), 0);
}

static void test_h5out__invalid_name_leaves_existing_target_unchanged(void **state)
{
    fixture *f = *state;
    const ps_result *good[] = { &f->a };
    const ps_result *bad[] = { &f->b };
    size_t len_before = 0, len_after = 0;
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, good, 1, &test_prov, &err), &err);
    unsigned char *before = (unsigned char *)test_slurp(f->path, &len_before);
    free(f->b.name);
    f->b.name = strdup("low/fertility");
    assert_int_equal(ps_h5_write(f->path, bad, 1, &test_prov, &err), PS_EINVAL);
    unsigned char *after = (unsigned char *)test_slurp(f->path, &len_after);
    assert_int_equal(len_after, len_before);
    assert_memory_equal(after, before, (size_t)len_before);
    assert_int_equal(count_entries(f->dir, "out.h5"), 1);
    free(before);
    free(after);
}

static void test_h5out__failed_rename_removes_temp_and_keeps_target(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a };
    char sentinel[192];
    size_t len = 0;
    struct stat st;
    ps_error err;
    /* The target is a folder. The writer refuses it before writing (#7; before that,
     * rename() failed after the temporary file was written in full): either way the folder
     * and its contents stay and no temporary file is left. */
    assert_int_equal(mkdir(f->path, 0700), 0);
    snprintf(sentinel, sizeof sentinel, "%s/keep.txt", f->path);
    FILE *s = fopen(sentinel, "wb");
    assert_non_null(s);
    fputs("untouched", s);
    fclose(s);
    assert_int_equal(ps_h5_write(f->path, results, 1, &test_prov, &err), PS_EIO);
    assert_true(strstr(err.msg, "directory") != NULL || strstr(err.msg, "rename") != NULL);
    assert_string_equal(err.path, f->path);
    assert_int_equal(count_entries(f->dir, "out.h5"), 1);
    assert_int_equal(stat(f->path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    unsigned char *kept = (unsigned char *)test_slurp(sentinel, &len);
    assert_int_equal(len, strlen("untouched"));
    assert_memory_equal(kept, "untouched", len);
    free(kept);
}

static void test_h5out__invalid_names_are_einval(void **state)
{
    fixture *f = *state;
    static const char *const names[] = { "", "a/b", "/", ".", ".." };
    const ps_result *one[] = { &f->b };
    ps_error err;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; ++k) {
        free(f->b.name);
        f->b.name = strdup(names[k]);
        assert_int_equal(ps_h5_write(f->path, one, 1, NULL, &err), PS_EINVAL);
        assert_int_equal(err.code, PS_EINVAL);
    }
    free(f->b.name);
    f->b.name = strdup("baseline");
    const ps_result *twice[] = { &f->a, &f->b };
    assert_int_equal(ps_h5_write(f->path, twice, 2, NULL, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "baseline"));
    assert_int_equal(ps_h5_write(f->path, twice, 0, NULL, &err), PS_EINVAL);
    assert_int_equal(count_entries(f->dir, NULL), 0);
}

static void test_h5out__coordinates_are_dimension_scales_attached_to_every_variable(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a };
    static const char *const coords[] = { "year", "region", "sex", "age" };
    static const struct {
        const char *name;
        int rank;
        const char *dims[4];
    } vars[] = {
        { "population", 4, { "year", "region", "sex", "age" } },
        { "births", 3, { "year", "region", "sex" } },
        { "deaths", 4, { "year", "region", "sex", "age" } },
        { "net_migration", 4, { "year", "region", "sex", "age" } },
        { "asfr", 3, { "year", "region", "age" } },
        { "tfr", 2, { "year", "region" } },
        { "e0", 3, { "year", "region", "sex" } },
    };
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 1, &test_prov, &err), &err);
    hid_t file = H5Fopen(f->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t grp = H5Gopen2(file, "/scenarios/baseline", H5P_DEFAULT);
    assert_true(file >= 0 && grp >= 0);
    for (size_t c = 0; c < 4; ++c) {
        char label[32];
        hid_t ds = H5Dopen2(grp, coords[c], H5P_DEFAULT);
        assert_true(H5DSis_scale(ds) > 0);
        assert_true(H5DSget_scale_name(ds, label, sizeof label) > 0);
        assert_string_equal(label, coords[c]);
        H5Dclose(ds);
    }
    for (size_t v = 0; v < sizeof vars / sizeof vars[0]; ++v) {
        hid_t ds = H5Dopen2(grp, vars[v].name, H5P_DEFAULT);
        assert_true(ds >= 0);
        for (int k = 0; k < vars[v].rank; ++k) {
            hid_t scale = H5Dopen2(grp, vars[v].dims[k], H5P_DEFAULT);
            if (H5DSis_attached(ds, scale, (unsigned)k) <= 0) {
                fail_msg("%s: dimension %d is not attached to '%s'", vars[v].name, k,
                         vars[v].dims[k]);
            }
            H5Dclose(scale);
        }
        H5Dclose(ds);
    }
    H5Gclose(grp);
    H5Fclose(file);
}

static void test_h5out__variables_have_cf_attributes_and_small_ones_are_contiguous(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a };
    char buf[128];
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 1, &test_prov, &err), &err);
    hid_t file = H5Fopen(f->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t grp = H5Gopen2(file, "/scenarios/baseline", H5P_DEFAULT);
    hid_t ds = H5Dopen2(grp, "population", H5P_DEFAULT);
    assert_true(ds >= 0);
    h5_str_attr(buf, sizeof buf, ds, "units"); /* CF: udunits2 "1", the words beside it */
    assert_string_equal(buf, "1");
    h5_str_attr(buf, sizeof buf, ds, "unit_description");
    assert_string_equal(buf, "persons");
    h5_str_attr(buf, sizeof buf, ds, "long_name");
    assert_string_equal(buf, "population on 1 July");
    /* _FillValue: float64 NaN, the dataset's own type. */
    hid_t fv = H5Aopen(ds, "_FillValue", H5P_DEFAULT), fvtype = H5Aget_type(fv);
    hid_t dtype = H5Dget_type(ds);
    double fill = 0.0;
    assert_true(H5Tequal(fvtype, dtype) > 0);
    assert_true(H5Tequal(dtype, H5T_IEEE_F64LE) > 0);
    assert_true(H5Aread(fv, H5T_NATIVE_DOUBLE, &fill) >= 0);
    assert_true(isnan(fill));
    /* A small variable (here 4 years of 2 regions) is contiguous and has no filters. */
    hid_t dcpl = H5Dget_create_plist(ds);
    assert_int_equal(H5Pget_layout(dcpl), H5D_CONTIGUOUS);
    assert_int_equal(H5Pget_nfilters(dcpl), 0);
    H5Pclose(dcpl);
    H5Tclose(dtype);
    H5Tclose(fvtype);
    H5Aclose(fv);
    H5Dclose(ds);
    /* Coordinates and group attributes. */
    hid_t year = H5Dopen2(grp, "year", H5P_DEFAULT), age = H5Dopen2(grp, "age", H5P_DEFAULT);
    int years[N_YEARS];
    assert_true(H5Dread(year, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, years) >= 0);
    assert_int_equal(years[0], START_YEAR);
    assert_int_equal(years[N_YEARS - 1], START_YEAR + N_YEARS - 1);
    h5_str_attr(buf, sizeof buf, year, "long_name");
    assert_string_equal(buf, "calendar year (1 July)");
    h5_str_attr(buf, sizeof buf, age, "note");
    assert_non_null(strstr(buf, "open group"));
    h5_str_attr(buf, sizeof buf, age, "units"); /* udunits2 (issue #16) */
    assert_string_equal(buf, "year");
    assert_true(H5Aexists(year, "units") == 0); /* calendar years: a label, not CF time */
    h5_str_attr(buf, sizeof buf, grp, "title");
    assert_string_equal(buf, f->a.title);
    int end_year = 0;
    hid_t ey = H5Aopen(grp, "end_year", H5P_DEFAULT);
    assert_true(H5Aread(ey, H5T_NATIVE_INT, &end_year) >= 0);
    assert_int_equal(end_year, START_YEAR + N_YEARS - 1);
    H5Aclose(ey);
    H5Dclose(age);
    H5Dclose(year);
    H5Gclose(grp);
    H5Fclose(file);
}

/* ---- storage layout by size (issue #18) --------------------------------------------------- */

enum { LARGE_AGES = 101, LABEL_BYTES = 24 }; /* "district " and any int */
static const hsize_t chunk_limit_bytes = (hsize_t)1 << 20; /* layout_chunk_bytes in h5out.c */

/* A result of n_regions x n_years with high-entropy values in every variable (NaN in the
 * events of the last year, as after a projection); labels[] receives the region names. */
static void fill_large_result(ps_result *r, char (*labels)[LABEL_BYTES], int n_regions,
                              int n_years)
{
    const char **names = malloc((size_t)n_regions * sizeof *names);
    ps_error err;
    assert_non_null(names);
    for (int reg = 0; reg < n_regions; ++reg) {
        snprintf(labels[reg], LABEL_BYTES, "district %d", reg);
        names[reg] = labels[reg];
    }
    assert_ps_ok(ps_result_init(r, "big", NULL, START_YEAR, n_years, n_regions, LARGE_AGES,
                                names, &err), &err);
    free(names);
    size_t cells = ps_result_cell(r, n_years - 1, n_regions - 1, PS_SEX_COUNT - 1, LARGE_AGES - 1);
    for (size_t i = 0; i <= cells; ++i) {
        double x = (double)i;
        r->population[i] = 1234.5 + 17.0 * x + 0.0237 * x * x;
        r->deaths[i] = 3.141 + 0.577 * x;
        r->net_migration[i] = -45.125 + 0.37 * x;
    }
    for (int year = 0; year < n_years - 1; ++year) {
        for (int reg = 0; reg < n_regions; ++reg) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                size_t i = ps_result_sexcell(r, year, reg, sex);
                r->births[i] = 512.25 + 3.1 * (double)i;
                r->e0[i] = 71.3 + 0.017 * (double)i;
            }
            for (int age = 0; age < LARGE_AGES; ++age) {
                r->asfr[ps_result_agecell(r, year, reg, age)] = 0.0237 * (1.0 + 0.011 * age);
            }
            r->tfr[ps_result_regcell(r, year, reg)] = 1.4321 + 0.013 * year + 0.002 * reg;
        }
    }
}

/* Layout and chunk shape of one variable of /scenarios/big; chunk[] is left alone unless
 * the variable is chunked. */
static H5D_layout_t variable_layout(hsize_t *chunk, hsize_t *dims, int rank, const char *path,
                                    const char *name)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    assert_true(ds >= 0);
    hid_t dcpl = H5Dget_create_plist(ds), space = H5Dget_space(ds);
    assert_int_equal(H5Sget_simple_extent_dims(space, dims, NULL), rank);
    H5D_layout_t layout = H5Pget_layout(dcpl);
    if (layout == H5D_CHUNKED) {
        assert_int_equal(H5Pget_chunk(dcpl, rank, chunk), rank);
    }
    assert_int_equal(H5Pget_nfilters(dcpl), 0); /* never deflated: it does not pay */
    H5Sclose(space);
    H5Pclose(dcpl);
    H5Dclose(ds);
    H5Fclose(file);
    return layout;
}

/* Chunk bytes, and that the chunk holds whole trailing dimensions after the cut one. */
static hsize_t checked_chunk_bytes(const hsize_t *chunk, const hsize_t *dims, int rank, int cut)
{
    hsize_t bytes = sizeof(double);
    for (int k = 0; k < rank; ++k) {
        if (k < cut) {
            assert_int_equal(chunk[k], 1);
        } else if (k > cut) {
            assert_int_equal(chunk[k], dims[k]);
        }
        bytes *= chunk[k];
    }
    /* Equal blocks along the cut dimension: the padding of the last is under one block. */
    hsize_t blocks = (dims[cut] + chunk[cut] - 1) / chunk[cut];
    assert_true(chunk[cut] < dims[cut]);
    assert_true(blocks * chunk[cut] - dims[cut] < blocks);
    return bytes;
}

static void write_and_read_back(const ps_result *r, const char *path)
{
    const ps_result *results[] = { r };
    ps_result back;
    ps_error err;
    assert_ps_ok(ps_h5_write(path, results, 1, &test_prov, &err), &err);
    assert_ps_ok(ps_h5_read(&back, path, "big", &err), &err);
    assert_same_result(&back, r);
    ps_result_release(&back);
}

static void test_h5out__large_variables_are_chunked_along_year(void **state)
{
    fixture *f = *state;
    enum { REGIONS = 40, YEARS = 60 }; /* population 3.9 MB, 64.6 KB a year; births 38 KB */
    char labels[REGIONS][LABEL_BYTES];
    ps_result r;
    hsize_t chunk[4] = { 0, 0, 0, 0 }, dims[4];
    fill_large_result(&r, labels, REGIONS, YEARS);
    write_and_read_back(&r, f->path);
    assert_int_equal(variable_layout(chunk, dims, 4, f->path, "/scenarios/big/population"),
                     H5D_CHUNKED);
    hsize_t bytes = checked_chunk_bytes(chunk, dims, 4, 0);
    hsize_t year_bytes = bytes / chunk[0];
    assert_true(bytes <= chunk_limit_bytes);
    assert_true(bytes + year_bytes > chunk_limit_bytes / 2); /* not needlessly small */
    assert_int_equal(variable_layout(chunk, dims, 3, f->path, "/scenarios/big/asfr"),
                     H5D_CHUNKED);
    assert_true(checked_chunk_bytes(chunk, dims, 3, 0) <= chunk_limit_bytes);
    assert_int_equal(variable_layout(chunk, dims, 3, f->path, "/scenarios/big/births"),
                     H5D_CONTIGUOUS);
    ps_result_release(&r);
}

static void test_h5out__a_year_larger_than_a_chunk_is_cut_along_region(void **state)
{
    fixture *f = *state;
    enum { REGIONS = 700, YEARS = 3 }; /* 1.13 MB a year of population */
    char(*labels)[LABEL_BYTES] = malloc(REGIONS * sizeof *labels);
    ps_result r;
    hsize_t chunk[4] = { 0, 0, 0, 0 }, dims[4];
    assert_non_null(labels);
    fill_large_result(&r, labels, REGIONS, YEARS);
    write_and_read_back(&r, f->path);
    assert_int_equal(variable_layout(chunk, dims, 4, f->path, "/scenarios/big/population"),
                     H5D_CHUNKED);
    hsize_t bytes = checked_chunk_bytes(chunk, dims, 4, 1);
    assert_true(bytes <= chunk_limit_bytes && bytes > chunk_limit_bytes / 4);
    ps_result_release(&r);
    free(labels);
}

static void test_h5out__read_names_the_missing_variable(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a };
    ps_result back;
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 1, &test_prov, &err), &err);
    hid_t file = H5Fopen(f->path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(H5Ldelete(file, "/scenarios/baseline/net_migration", H5P_DEFAULT) >= 0);
    H5Fclose(file);
    assert_int_equal(ps_h5_read(&back, f->path, "baseline", &err), PS_EHDF5);
    assert_non_null(strstr(err.msg, "net_migration"));
    assert_null(back.population);
    ps_result_release(&back);
}

static void test_h5out__read_errors_name_the_missing_thing(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a };
    char missing[192], empty[192], buf[64];
    char **names = NULL;
    int n = -1;
    ps_result back;
    ps_error err;
    snprintf(missing, sizeof missing, "%s/missing.h5", f->dir);
    assert_int_equal(ps_h5_read(&back, missing, "baseline", &err), PS_EIO);
    assert_string_equal(err.path, missing);
    assert_int_equal(ps_h5_list(&names, &n, missing, &err), PS_EIO);
    assert_null(names);
    assert_int_equal(ps_h5_read_attr(buf, sizeof buf, missing, "title", &err), PS_EIO);

    assert_ps_ok(ps_h5_write(f->path, results, 1, &test_prov, &err), &err);
    assert_int_equal(ps_h5_read(&back, f->path, "high", &err), PS_EHDF5);
    assert_non_null(strstr(err.msg, "high"));
    assert_int_equal(ps_h5_read(&back, f->path, "baseline/year", &err), PS_EHDF5);
    assert_int_equal(ps_h5_read_attr(buf, sizeof buf, f->path, "no_such_attr", &err), PS_EHDF5);
    assert_non_null(strstr(err.msg, "no_such_attr"));

    /* An HDF5 file that is not a popsim result has no /scenarios group. */
    snprintf(empty, sizeof empty, "%s/empty.h5", f->dir);
    hid_t file = H5Fcreate(empty, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    assert_true(file >= 0);
    H5Fclose(file);
    assert_int_equal(ps_h5_list(&names, &n, empty, &err), PS_EHDF5);
    assert_non_null(strstr(err.msg, "scenarios"));
    assert_int_equal(n, 0);
}

/* Another tool's fixed-length strings (NUL- or space-padded) read as plain text too. */
static void test_h5out__read_attr_handles_fixed_length_strings(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a };
    static const struct {
        const char *name;
        H5T_str_t pad;
        const char *stored, *want;
    } cases[] = {
        { "fixed_nul", H5T_STR_NULLTERM, "hello", "hello" },
        { "fixed_space", H5T_STR_SPACEPAD, "abc       ", "abc" },
    };
    char buf[64];
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 1, &test_prov, &err), &err);
    hid_t file = H5Fopen(f->path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t space = H5Screate(H5S_SCALAR);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        hid_t type = H5Tcopy(H5T_C_S1);
        size_t len = strlen(cases[k].stored);
        H5Tset_size(type, cases[k].pad == H5T_STR_NULLTERM ? len + 1 : len);
        H5Tset_strpad(type, cases[k].pad);
        hid_t attr = H5Acreate2(file, cases[k].name, type, space, H5P_DEFAULT, H5P_DEFAULT);
        assert_true(H5Awrite(attr, type, cases[k].stored) >= 0);
        H5Aclose(attr);
        H5Tclose(type);
    }
    H5Sclose(space);
    H5Fclose(file);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        assert_ps_ok(ps_h5_read_attr(buf, sizeof buf, f->path, cases[k].name, &err), &err);
        assert_string_equal(buf, cases[k].want);
    }
}

static void test_h5out__parity_and_policy_round_trip_is_bit_identical(void **state)
{
    fixture *f = *state;
    add_parity_and_policy(&f->b, 98.765);
    const ps_result *results[] = { &f->a, &f->b };
    ps_result back;
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 2, &test_prov, &err), &err);
    assert_ps_ok(ps_h5_read(&back, f->path, "alpha_low", &err), &err);
    assert_same_result(&back, &f->b);
    assert_int_equal(back.ledger[1].lever, PS_LEVER_CHILDCARE);
    assert_true(isnan(back.cost_per_additional_birth_discounted));
    assert_true(isnan(back.births_gained[ps_result_regcell(&back, N_YEARS - 1, 0)]));
    ps_result_release(&back);
    /* The plain scenario beside it still reads as plain. */
    assert_ps_ok(ps_h5_read(&back, f->path, "baseline", &err), &err);
    assert_same_result(&back, &f->a);
    ps_result_release(&back);
}

static void test_h5out__file_without_parity_or_policy_reads_null(void **state)
{
    fixture *f = *state;
    const ps_result *results[] = { &f->a };
    ps_result back;
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 1, &test_prov, &err), &err);
    /* A file from before issue #3 has neither the parity variables nor emigration_shortfall. */
    hid_t file = H5Fopen(f->path, H5F_ACC_RDWR, H5P_DEFAULT);
    assert_true(H5Adelete_by_name(file, "/scenarios/baseline", "emigration_shortfall",
                                  H5P_DEFAULT) >= 0);
    H5Fclose(file);
    assert_ps_ok(ps_h5_read(&back, f->path, "baseline", &err), &err);
    assert_null(back.births_by_order);
    assert_null(back.women_by_parity);
    assert_null(back.baseline);
    assert_null(back.births_gained);
    assert_null(back.ledger);
    assert_int_equal(back.n_instruments, 0);
    assert_true(isnan(back.births_gained_total) && isnan(back.cost_total));
    assert_true(back.emigration_shortfall == 0.0);
    ps_result_release(&back);
}

/* ds's axis k has the dimension scale at `scale_path` attached. */
static void assert_scale_attached(hid_t ds, const char *var, unsigned k, hid_t file,
                                  const char *scale_path)
{
    hid_t scale = H5Dopen2(file, scale_path, H5P_DEFAULT);
    assert_true(scale >= 0);
    if (H5DSis_attached(ds, scale, k) <= 0) {
        fail_msg("%s: dimension %u is not attached to '%s'", var, k, scale_path);
    }
    H5Dclose(scale);
}

/* H5Literate callback: counts the datasets of a group that are not dimension scales. */
static herr_t count_variables(hid_t grp, const char *name, const H5L_info_t *info, void *data)
{
    (void)info;
    hid_t ds = H5Dopen2(grp, name, H5P_DEFAULT);
    if (ds >= 0) {
        *(int *)data += H5DSis_scale(ds) <= 0;
        H5Dclose(ds);
    }
    return 0;
}

/* The writer attaches scales in one go (issue #18): each variable of the group must be listed
 * exactly once in the year coordinate's REFERENCE_LIST, and nothing else. */
static void test_h5out__year_scale_lists_each_variable_once(void **state)
{
    fixture *f = *state;
    add_parity_and_policy(&f->a, 0.0);
    const ps_result *results[] = { &f->a };
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 1, &test_prov, &err), &err);
    hid_t file = H5Fopen(f->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t grp = H5Gopen2(file, "/scenarios/baseline", H5P_DEFAULT);
    int n_vars = 0;
    hsize_t idx = 0;
    assert_true(H5Literate(grp, H5_INDEX_NAME, H5_ITER_INC, &idx, count_variables, &n_vars) >= 0);
    assert_true(n_vars > 0);
    hid_t year = H5Dopen2(grp, "year", H5P_DEFAULT);
    hid_t attr = H5Aopen(year, "REFERENCE_LIST", H5P_DEFAULT);
    hid_t space = H5Aget_space(attr);
    assert_int_equal(H5Sget_simple_extent_npoints(space), n_vars);
    H5Sclose(space);
    H5Aclose(attr);
    H5Dclose(year);
    H5Gclose(grp);
    H5Fclose(file);
}

static void test_h5out__parity_and_policy_variables_have_dimension_scales(void **state)
{
    fixture *f = *state;
    add_parity_and_policy(&f->a, 0.0);
    const ps_result *results[] = { &f->a };
    /* Policy variables use the year and region coordinates of their own group. */
    static const struct {
        const char *group, *name;
        int rank;
        const char *dims[4];
    } vars[] = {
        { "/scenarios/baseline", "births_by_order", 3, { "year", "region", "order" } },
        { "/scenarios/baseline", "women_by_parity", 4, { "year", "region", "age", "parity" } },
        { "/scenarios/baseline/policy", "births_gained", 2, { "year", "region" } },
        { "/scenarios/baseline/policy/birth_bonus", "recipients", 2, { "year", "region" } },
        { "/scenarios/baseline/policy/birth_bonus", "cost", 2, { "year", "region" } },
        { "/scenarios/baseline/policy/nursery_places", "cost_discounted", 2,
          { "year", "region" } },
    };
    static const struct {
        const char *name, *note;
        int first, len;
    } coords[] = {
        { "order", "3 = third and later births", 1, PS_ORDER_COUNT },
        { "parity", "3 = three or more children", 0, PS_PARITY_COUNT },
    };
    char buf[128], scale_path[128];
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 1, &test_prov, &err), &err);
    hid_t file = H5Fopen(f->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(file >= 0);
    for (size_t c = 0; c < sizeof coords / sizeof coords[0]; ++c) {
        int values[PS_PARITY_COUNT];
        snprintf(scale_path, sizeof scale_path, "/scenarios/baseline/%s", coords[c].name);
        hid_t ds = H5Dopen2(file, scale_path, H5P_DEFAULT);
        assert_true(H5DSis_scale(ds) > 0);
        assert_true(H5DSget_scale_name(ds, buf, sizeof buf) > 0);
        assert_string_equal(buf, coords[c].name);
        hid_t space = H5Dget_space(ds);
        assert_int_equal(H5Sget_simple_extent_npoints(space), coords[c].len);
        H5Sclose(space);
        assert_true(H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values) >= 0);
        for (int k = 0; k < coords[c].len; ++k) {
            assert_int_equal(values[k], coords[c].first + k);
        }
        h5_str_attr(buf, sizeof buf, ds, "note");
        assert_string_equal(buf, coords[c].note);
        H5Dclose(ds);
    }
    for (size_t v = 0; v < sizeof vars / sizeof vars[0]; ++v) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", vars[v].group, vars[v].name);
        hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
        assert_true(ds >= 0);
        for (int k = 0; k < vars[v].rank; ++k) {
            assert_int_equal(H5DSget_num_scales(ds, (unsigned)k), 1);
            snprintf(scale_path, sizeof scale_path, "%s/%s", vars[v].group, vars[v].dims[k]);
            assert_scale_attached(ds, path, (unsigned)k, file, scale_path);
        }
        h5_str_attr(buf, sizeof buf, ds, "units"); /* counts and money: udunits2 "1" */
        assert_string_equal(buf, "1");
        h5_str_attr(buf, sizeof buf, ds, "unit_description");
        assert_true(strcmp(buf, "persons") == 0 || strncmp(buf, "yuan", 4) == 0);
        hid_t dcpl = H5Dget_create_plist(ds); /* small: contiguous, no filters (issue #18) */
        assert_int_equal(H5Pget_layout(dcpl), H5D_CONTIGUOUS);
        assert_int_equal(H5Pget_nfilters(dcpl), 0);
        H5Pclose(dcpl);
        H5Dclose(ds);
    }
    H5Fclose(file);
}

/* A float64 scalar attribute, read with the test's own HDF5 calls. */
static double h5_double_attr(hid_t obj, const char *name)
{
    double value = 0.0;
    hid_t attr = H5Aopen(obj, name, H5P_DEFAULT);
    if (attr < 0) {
        fail_msg("attribute '%s' is missing", name);
    }
    hid_t type = H5Aget_type(attr);
    assert_true(H5Tequal(type, H5T_IEEE_F64LE) > 0);
    assert_true(H5Aread(attr, H5T_NATIVE_DOUBLE, &value) >= 0);
    H5Tclose(type);
    H5Aclose(attr);
    return value;
}

static void test_h5out__policy_attributes_are_written(void **state)
{
    fixture *f = *state;
    add_parity_and_policy(&f->b, 98.765);
    const ps_result *results[] = { &f->a, &f->b };
    char buf[128];
    ps_error err;
    assert_ps_ok(ps_h5_write(f->path, results, 2, &test_prov, &err), &err);
    hid_t file = H5Fopen(f->path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t grp = H5Gopen2(file, "/scenarios/alpha_low", H5P_DEFAULT);
    assert_true(grp >= 0);
    h5_str_attr(buf, sizeof buf, grp, "baseline");
    assert_string_equal(buf, "baseline");
    assert_true(h5_double_attr(grp, "births_gained") == f->b.births_gained_total);
    assert_true(h5_double_attr(grp, "cost_total") == f->b.cost_total);
    assert_true(h5_double_attr(grp, "cost_total_discounted") == f->b.cost_total_discounted);
    assert_true(h5_double_attr(grp, "cost_per_additional_birth") ==
                f->b.cost_per_additional_birth);
    assert_true(isnan(h5_double_attr(grp, "cost_per_additional_birth_discounted")));
    assert_true(h5_double_attr(grp, "emigration_shortfall") == f->b.emigration_shortfall);
    for (int k = 0; k < N_INSTRUMENTS; ++k) {
        static const char *const levers[N_INSTRUMENTS] = { "birth_reward", "childcare" };
        hid_t inst = H5Gopen2(grp, "policy", H5P_DEFAULT);
        hid_t ig = H5Gopen2(inst, instrument_names[k], H5P_DEFAULT);
        assert_true(ig >= 0);
        h5_str_attr(buf, sizeof buf, ig, "lever");
        assert_string_equal(buf, levers[k]);
        hid_t cost = H5Dopen2(ig, "cost", H5P_DEFAULT);
        h5_str_attr(buf, sizeof buf, cost, "long_name");
        assert_string_equal(buf, "cost in the year from 1 July, nominal");
        H5Dclose(cost);
        H5Gclose(ig);
        H5Gclose(inst);
    }
    H5Gclose(grp);
    /* A scenario without a policy: emigration_shortfall only, no policy group. */
    grp = H5Gopen2(file, "/scenarios/baseline", H5P_DEFAULT);
    assert_true(h5_double_attr(grp, "emigration_shortfall") == 0.0);
    assert_int_equal(H5Aexists(grp, "baseline"), 0);
    assert_int_equal(H5Aexists(grp, "cost_total"), 0);
    assert_int_equal(H5Lexists(grp, "policy", H5P_DEFAULT), 0);
    assert_int_equal(H5Lexists(grp, "births_by_order", H5P_DEFAULT), 0);
    assert_int_equal(H5Lexists(grp, "order", H5P_DEFAULT), 0);
    H5Gclose(grp);
    H5Fclose(file);
}

static void test_h5out__invalid_instrument_names_are_einval(void **state)
{
    fixture *f = *state;
    static const char *const names[] = { "", "a/b", "..", "births_gained", "year", "region",
                                         "birth_bonus" };
    add_parity_and_policy(&f->b, 1.5);
    const ps_result *one[] = { &f->b };
    ps_error err;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; ++k) {
        free(f->b.ledger[1].name);
        f->b.ledger[1].name = strdup(names[k]); /* the last one duplicates ledger[0] */
        assert_int_equal(ps_h5_write(f->path, one, 1, NULL, &err), PS_EINVAL);
        assert_non_null(strstr(err.msg, "instrument"));
    }
    assert_int_equal(count_entries(f->dir, NULL), 0);
}

/* ---- the xarray fixture ------------------------------------------------------------------ */

/*
 * A result whose numbers tests/h5_xarray.cmake knows: population = 1000.25 (1 + reg)
 * + 100 y + 10 sex + age, so the total on 1 July 2021 (y = 1) over 2 regions x 2 sexes x
 * ages 0..4 is 10 x 1000.25 x (1 + 2) + 20 x 100 + 10 x 10 + 4 x 10 = 32147.5.
 */
static ps_status fill_fixture(ps_result *r, const char *name, ps_error *err)
{
    static const char *const regions[] = { "North", "S\xc3\xbc" "d" };
    ps_status rc = ps_result_init(r, name, "xarray fixture", 2020, 3, 2, 5, regions, err);
    for (int year = 0; year < r->n_years && rc == PS_OK; ++year) {
        for (int reg = 0; reg < r->n_regions; ++reg) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                for (int age = 0; age < r->n_ages; ++age) {
                    r->population[ps_result_cell(r, year, reg, sex, age)] =
                        1000.25 * (1 + reg) + 100.0 * year + 10.0 * sex + age;
                }
                if (year < r->n_years - 1) {
                    r->births[ps_result_sexcell(r, year, reg, sex)] = 50.5 + 10.0 * reg + sex;
                }
            }
        }
    }
    return rc;
}

/*
 * Scenario "reward" is the same population with parity and a policy part compared with
 * "baseline", whose numbers tests/check_xarray_policy.py knows: births_by_order =
 * 10 (order + 1) + reg + 100 y (orders 1..3), women_by_parity = parity + 10 age, and per
 * instrument k (0 = "birth_bonus", birth_reward; 1 = "nursery_places", childcare)
 * recipients = 100 (k + 1) + reg, cost = 1000 (k + 1) (y + 1) + reg, cost_discounted =
 * cost / 2; births_gained = 3.5 + reg; events NaN in the last year (2022). The totals add
 * up over the two steps and two regions: births_gained 16, cost_total 6002 + 12002 = 18004,
 * cost_total_discounted 9002, cost_per_additional_birth 1125.25 and 562.625 yuan.
 */
static ps_status add_fixture_policy(ps_result *r, ps_error *err)
{
    ps_status rc = ps_result_init_parity(r, err);
    if (rc == PS_OK) {
        rc = ps_result_init_policy(r, "baseline", N_INSTRUMENTS, instrument_names,
                                   instrument_levers, err);
    }
    for (int year = 0; year < r->n_years && rc == PS_OK; ++year) {
        for (int reg = 0; reg < r->n_regions; ++reg) {
            for (int age = 0; age < r->n_ages; ++age) {
                for (int parity = 0; parity < PS_PARITY_COUNT; ++parity) {
                    r->women_by_parity[ps_result_paritycell(r, year, reg, age, parity)] =
                        parity + 10.0 * age;
                }
            }
            if (year == r->n_years - 1) {
                continue;
            }
            for (int order = 0; order < PS_ORDER_COUNT; ++order) {
                r->births_by_order[ps_result_ordercell(r, year, reg, order)] =
                    10.0 * (order + 1) + reg + 100.0 * year;
            }
            size_t c = ps_result_regcell(r, year, reg);
            r->births_gained[c] = 3.5 + reg;
            for (int k = 0; k < r->n_instruments; ++k) {
                r->ledger[k].recipients[c] = 100.0 * (k + 1) + reg;
                r->ledger[k].cost[c] = 1000.0 * (k + 1) * (year + 1) + reg;
                r->ledger[k].cost_discounted[c] = r->ledger[k].cost[c] / 2.0;
            }
        }
    }
    r->births_gained_total = 16.0;
    r->cost_total = 18004.0;
    r->cost_total_discounted = 9002.0;
    r->cost_per_additional_birth = r->cost_total / r->births_gained_total;
    r->cost_per_additional_birth_discounted = r->cost_total_discounted / r->births_gained_total;
    return rc;
}

static int write_fixture(const char *path)
{
    ps_result base, reward;
    ps_error err;
    memset(&base, 0, sizeof base);
    memset(&reward, 0, sizeof reward);
    ps_status rc = fill_fixture(&base, "baseline", &err);
    if (rc == PS_OK && (rc = fill_fixture(&reward, "reward", &err)) == PS_OK &&
        (rc = add_fixture_policy(&reward, &err)) == PS_OK) {
        const ps_result *results[] = { &base, &reward };
        rc = ps_h5_write(path, results, 2, &test_prov, &err);
    }
    if (rc != PS_OK) {
        char buf[2048];
        fprintf(stderr, "%s\n", ps_error_format(&err, buf, sizeof buf));
    }
    ps_result_release(&base);
    ps_result_release(&reward);
    return rc == PS_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    /* The library leaves HDF5's error printing alone; keep the expected failures quiet. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (argc == 3 && strcmp(argv[1], "--write-fixture") == 0) {
        return write_fixture(argv[2]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_h5out__round_trip_is_bit_identical, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_h5out__two_scenarios_are_listed_in_write_order,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_h5out__provenance_attributes_are_readable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_h5out__source_date_epoch_fixes_created, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_h5out__missing_directory_is_eio_and_creates_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_h5out__invalid_name_leaves_existing_target_unchanged,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_h5out__failed_rename_removes_temp_and_keeps_target,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_h5out__invalid_names_are_einval, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_h5out__coordinates_are_dimension_scales_attached_to_every_variable, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_h5out__variables_have_cf_attributes_and_small_ones_are_contiguous,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_h5out__large_variables_are_chunked_along_year, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_h5out__a_year_larger_than_a_chunk_is_cut_along_region,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_h5out__read_names_the_missing_variable, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_h5out__read_errors_name_the_missing_thing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_h5out__read_attr_handles_fixed_length_strings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_h5out__parity_and_policy_round_trip_is_bit_identical,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_h5out__file_without_parity_or_policy_reads_null,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_h5out__parity_and_policy_variables_have_dimension_scales, setup, teardown),
        cmocka_unit_test_setup_teardown(test_h5out__year_scale_lists_each_variable_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_h5out__policy_attributes_are_written, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_h5out__invalid_instrument_names_are_einval, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("h5out", tests, NULL, NULL);
}

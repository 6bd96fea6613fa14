/*
 * test_plot.c - charts and report (src/plot) and the generic HDF5 reader (src/io/h5read.c).
 *
 * Fixtures are result files written for these tests: ps_h5_write for the core variables, then
 * the HDF5 C API for what later issues add (births_by_order, policy/<instrument>, services,
 * a quantile variable) in the layout of docs/output-format.md. Run as
 * `test_plot --write-fixture PATH plain|full|evil` the program writes one of them for the
 * end-to-end tests (tests/plot_test.sh) instead of running the unit tests. "evil" carries
 * scenario text made to break out of gnuplot scripts and HTML.
 *
 * These tests need no gnuplot: they check the .dat/.gp/.html text. tests/plot_test.sh runs
 * gnuplot and Chromium on real output.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "test_util.h"

#include "plot/plot_int.h"
#include "popsim/h5out.h"
#include "popsim/h5read.h"
#include "popsim/plot.h"
#include "popsim/policy.h"

enum { FIX_YEARS = 16, FIX_START = 2025, FIX_REGIONS = 2, FIX_AGES = 101, FIX_ORDERS = 3,
       FIX_QUANTILES = 5 };

/* Scenario text that must stay inert: quotes, backslash, line break, gnuplot's system() and
 * backquotes, shell substitution, an HTML script element and a gnuplot macro. */
static const char evil_title[] =
    "Evil \"double\" 'single' back\\slash\nnew line system(\"touch pwned\") `touch pwned2` "
    "<script>alert(1)</script> @evil $(touch pwned3)";
static const char evil_name[] = "evil'\" ; $(touch pwned4) <b>";

static const double births_gained = 1234.5, cost_per_birth = 98765.4;

/* ---- fixture writing --------------------------------------------------------------------- */

static void fill_result(ps_result *r, double level)
{
    for (int y = 0; y < r->n_years; ++y) {
        for (int reg = 0; reg < r->n_regions; ++reg) {
            for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
                for (int age = 0; age < r->n_ages; ++age) {
                    double shape = 1500.0 - 12.5 * age + 3.7 * (y + age % 7);
                    r->population[ps_result_cell(r, y, reg, sex, age)] =
                        level * (shape > 10.0 ? shape : 10.0) * (1.0 + 0.1 * reg);
                }
                r->births[ps_result_sexcell(r, y, reg, sex)] =
                    y + 1 < r->n_years ? level * (1020.0 - 23.7 * y) : NAN;
            }
            r->tfr[ps_result_regcell(r, y, reg)] = y + 1 < r->n_years ? level * 1.05 : NAN;
        }
    }
}

static hid_t write_dataset(hid_t grp, const char *name, int rank, const hsize_t *dims,
                           hid_t type, const void *data)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t ds = H5Dcreate2(grp, name, type == H5T_NATIVE_INT ? H5T_STD_I32LE : H5T_IEEE_F64LE,
                          space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
    H5Sclose(space);
    return ds;
}

/* A (year, region) float64 variable with the group's coordinates attached. */
static void write_year_region(hid_t grp, hid_t scn, const char *name, double base, double step)
{
    double v[FIX_YEARS * FIX_REGIONS];
    hsize_t dims[2] = { FIX_YEARS, FIX_REGIONS };
    for (int k = 0; k < FIX_YEARS * FIX_REGIONS; ++k) {
        v[k] = base + step * (k / FIX_REGIONS) + 0.25 * base * (k % FIX_REGIONS);
    }
    hid_t ds = write_dataset(grp, name, 2, dims, H5T_NATIVE_DOUBLE, v);
    hid_t year = H5Dopen2(scn, "year", H5P_DEFAULT), region = H5Dopen2(scn, "region", H5P_DEFAULT);
    H5DSattach_scale(ds, year, 0);
    H5DSattach_scale(ds, region, 1);
    H5Dclose(year);
    H5Dclose(region);
    H5Dclose(ds);
}

static void attr_double(hid_t obj, const char *name, double v)
{
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(obj, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_DOUBLE, &v);
    H5Aclose(a);
    H5Sclose(space);
}

static void attr_string(hid_t obj, const char *name, const char *v)
{
    hid_t space = H5Screate(H5S_SCALAR), type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, type, &v);
    H5Aclose(a);
    H5Tclose(type);
    H5Sclose(space);
}

static hid_t new_group(hid_t parent, const char *name)
{
    return H5Gcreate2(parent, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}

static void write_service(hid_t scn, hid_t services, const char *name, const char *kind,
                          double target, double demand)
{
    static const char *const vars[] = { "demand", "capacity", "shortage", "surplus", "staff",
                                        "cost", "per_1000" };
    hid_t g = new_group(services, name);
    attr_string(g, "kind", kind);
    if (!isnan(target)) { /* as the writer: the basis, the target by year and its first value */
        double by_year[FIX_YEARS];
        hsize_t n = FIX_YEARS;
        for (int y = 0; y < FIX_YEARS; ++y) {
            by_year[y] = target;
        }
        attr_string(g, "basis", "population");
        attr_double(g, "target_per_1000", target);
        H5Dclose(write_dataset(g, "target", 1, &n, H5T_NATIVE_DOUBLE, by_year));
    }
    for (size_t v = 0; v < sizeof vars / sizeof vars[0]; ++v) {
        write_year_region(g, scn, vars[v], demand * (v == 1 ? 0.9 : 1.0 / (1.0 + (double)v)),
                          v == 1 ? 2.5 * demand / FIX_YEARS : -demand / (4.0 * FIX_YEARS));
    }
    H5Gclose(g);
}

/* A (year, region) event variable: base + step per year, a quarter more in region 1, NaN in
 * the last year (no step after it). */
static void fill_year_region(double *v, double base, double step)
{
    for (int y = 0; y < FIX_YEARS; ++y) {
        for (int reg = 0; reg < FIX_REGIONS; ++reg) {
            v[y * FIX_REGIONS + reg] =
                y + 1 < FIX_YEARS ? base + step * y + 0.25 * base * reg : NAN;
        }
    }
}

/*
 * The policy issue's part of a scenario, built with its own API and written by ps_h5_write
 * so the layout is exactly what `popsim run` writes: births by order, women by parity, a
 * baseline, births gained and two instruments' ledgers.
 */
static ps_status add_policy(ps_result *r, const ps_result *base, ps_error *err)
{
    static const char *const names[] = { "childcare_subsidy", "birth_bonus" };
    static const ps_lever levers[] = { PS_LEVER_CHILDCARE, PS_LEVER_BIRTH_REWARD };
    ps_status rc = ps_result_init_parity(r, err);
    if (rc != PS_OK || (rc = ps_result_init_policy(r, base->name, 2, names, levers, err)) != PS_OK) {
        return rc;
    }
    for (int y = 0; y + 1 < r->n_years; ++y) {
        for (int reg = 0; reg < r->n_regions; ++reg) {
            for (int o = 0; o < PS_ORDER_COUNT; ++o) {
                r->births_by_order[ps_result_ordercell(r, y, reg, o)] =
                    (o == 0 ? 550.0 : o == 1 ? 380.0 : 120.0) - 0.5 * y;
            }
            for (int age = 0; age < r->n_ages; ++age) {
                for (int p = 0; p < PS_PARITY_COUNT; ++p) {
                    r->women_by_parity[ps_result_paritycell(r, y, reg, age, p)] = 100.0 / (p + 1);
                }
            }
            size_t c = ps_result_regcell(r, y, reg);
            r->births_gained[c] = PS_SEX_COUNT * (r->births[ps_result_sexcell(r, y, reg, 0)] -
                                                  base->births[ps_result_sexcell(base, y, reg, 0)]);
        }
    }
    fill_year_region(r->ledger[0].recipients, 5000.0, 120.0);
    fill_year_region(r->ledger[0].cost, 3.6e7, 1.0e6);
    fill_year_region(r->ledger[0].cost_discounted, 3.0e7, 0.8e6);
    fill_year_region(r->ledger[1].recipients, 800.0, 10.0);
    fill_year_region(r->ledger[1].cost, 8.0e6, 2.0e5);
    fill_year_region(r->ledger[1].cost_discounted, 7.0e6, 1.0e5);
    r->births_gained_total = births_gained;
    r->cost_per_additional_birth = cost_per_birth;
    r->cost_total = births_gained * cost_per_birth;
    r->cost_total_discounted = 0.8 * r->cost_total;
    r->cost_per_additional_birth_discounted = 0.8 * cost_per_birth;
    return PS_OK;
}

/* population_total_q(year, quantile) with a quantile coordinate. */
static void write_quantiles(hid_t scn)
{
    double levels[FIX_QUANTILES] = { 0.025, 0.1, 0.5, 0.9, 0.975 };
    double v[FIX_YEARS * FIX_QUANTILES];
    hsize_t nq = FIX_QUANTILES, dims[2] = { FIX_YEARS, FIX_QUANTILES };
    for (int y = 0; y < FIX_YEARS; ++y) {
        for (int q = 0; q < FIX_QUANTILES; ++q) {
            v[y * FIX_QUANTILES + q] = 2.1e5 + 1.0e3 * y * (levels[q] - 0.5);
        }
    }
    hid_t qc = write_dataset(scn, "quantile", 1, &nq, H5T_NATIVE_DOUBLE, levels);
    H5DSset_scale(qc, "quantile");
    hid_t ds = write_dataset(scn, "population_total_q", 2, dims, H5T_NATIVE_DOUBLE, v);
    attr_string(ds, "units", "persons");
    attr_string(ds, "long_name", "Resident population, replicate quantiles");
    hid_t year = H5Dopen2(scn, "year", H5P_DEFAULT);
    H5DSattach_scale(ds, year, 0);
    H5DSattach_scale(ds, qc, 1);
    H5Dclose(year);
    H5Dclose(ds);
    H5Dclose(qc);
}

/* Add what the services and quantile issues will add (HDF5 C API, documented layout). */
static int add_extras(const char *path, const char *policy, const char *baseline)
{
    hid_t file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (file < 0) {
        return 1;
    }
    hid_t scenarios = H5Gopen2(file, "scenarios", H5P_DEFAULT);
    hid_t scn = H5Gopen2(scenarios, policy, H5P_DEFAULT);
    hid_t base = H5Gopen2(scenarios, baseline, H5P_DEFAULT);
    hid_t services = new_group(scn, "services");
    write_service(scn, services, "childcare", "childcare", 4.5, 9000.0);
    write_service(scn, services, "elderly_home_care", "elderly", NAN, 4000.0);
    write_service(scn, services, "elderly_nursing_beds", "elderly", 30.0, 2500.0);
    H5Gclose(services);
    services = new_group(base, "services");
    write_service(base, services, "childcare", "childcare", 5.0, 8000.0);
    H5Gclose(services);
    write_quantiles(scn);
    H5Gclose(base);
    H5Gclose(scn);
    H5Gclose(scenarios);
    return H5Fclose(file) < 0;
}

/* kind: "plain" (one scenario, core variables only), "full" (baseline + policy with every
 * optional part), "evil" (full, with hostile names, title and region names). */
static int write_fixture(const char *path, const char *kind)
{
    int evil = strcmp(kind, "evil") == 0, full = evil || strcmp(kind, "full") == 0;
    const char *regions[FIX_REGIONS] = { "North", evil ? "R'\"<i>&amp;" : "\xe5\x8d\x97\xe5\x8c\xba" };
    const char *policy = evil ? evil_name : "policy";
    ps_result res[2];
    const ps_result *list[2] = { &res[0], &res[1] };
    ps_provenance prov = { "scenarios/test.yaml", "abc123", "popsim test", "test fixture", 0, 1,
                           NULL, 0, 0, NULL, NULL };
    /* A full file also carries a policy sweep of three points (issue #15), point 1 off the
     * frontier. */
    char *sweep_keys[1] = { evil ? (char *)evil_name : "policies[subsidy].amount" };
    double sweep_values[3] = { 100.0, 200.0, 300.0 };
    ps_sweep_row sweep_rows[3];
    memset(sweep_rows, 0, sizeof sweep_rows);
    for (int p = 0; p < 3; ++p) {
        sweep_rows[p].cost = 1e8 * (p + 1);
        sweep_rows[p].births_gained = p == 1 ? 50.0 : 100.0 * (p + 1);
        sweep_rows[p].cost_per_birth = sweep_rows[p].cost / sweep_rows[p].births_gained;
    }
    const ps_sweep_table sweep = { .n_points = 3, .n_dims = 1, .keys = sweep_keys,
                                   .values = sweep_values, .rows = sweep_rows,
                                   .base = "policy", .baseline = "baseline" };
    if (full) {
        prov.sweep = &sweep;
    }
    ps_error err;
    memset(res, 0, sizeof res);
    int rc = ps_result_init(&res[0], "baseline", evil ? evil_title : "Baseline: TFR 1.05",
                            FIX_START, FIX_YEARS, FIX_REGIONS, FIX_AGES, regions, &err) != PS_OK ||
             ps_result_init(&res[1], policy, evil ? evil_title : "Childcare subsidy", FIX_START,
                            FIX_YEARS, FIX_REGIONS, FIX_AGES, regions, &err) != PS_OK;
    if (rc == 0) {
        fill_result(&res[0], 1.0);
        fill_result(&res[1], 1.08);
        rc = add_policy(&res[1], &res[0], &err) != PS_OK ||
             ps_h5_write(path, list, full ? 2 : 1, &prov, &err) != PS_OK;
    }
    if (rc == 0 && full) {
        rc = add_extras(path, policy, "baseline");
    }
    ps_result_release(&res[0]);
    ps_result_release(&res[1]);
    return rc;
}

/* ---- fixtures for the tests -------------------------------------------------------------- */

typedef struct fixture {
    char dir[64];
    char h5[128];
    ps_plot_set *set;
    ps_plot_chart *charts;
    int n_charts;
} fixture;

static int setup_kind(void **state, const char *kind)
{
    fixture *f = calloc(1, sizeof *f);
    ps_error err;
    snprintf(f->dir, sizeof f->dir, "/tmp/popsim_plot_XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        return -1;
    }
    snprintf(f->h5, sizeof f->h5, "%s/run.h5", f->dir);
    ps_error_clear(&err);
    if (write_fixture(f->h5, kind) != 0 || ps_plot_load(&f->set, f->h5, &err) != PS_OK ||
        ps_plot_plan(&f->charts, &f->n_charts, f->set, &err) != PS_OK) {
        char buf[2048];
        print_error("fixture '%s': %s\n", kind, ps_error_format(&err, buf, sizeof buf));
        return -1;
    }
    *state = f;
    return 0;
}

static int setup_plain(void **state) { return setup_kind(state, "plain"); }
static int setup_full(void **state) { return setup_kind(state, "full"); }
static int setup_evil(void **state) { return setup_kind(state, "evil"); }

static int teardown(void **state)
{
    fixture *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    char path[512];
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (e->d_name[0] != '.') {
            snprintf(path, sizeof path, "%s/%s", f->dir, e->d_name);
            unlink(path);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    rmdir(f->dir);
    free(f->charts);
    ps_plot_free(f->set);
    free(f);
    return 0;
}

static int count_kind(const fixture *f, ps_plot_kind kind)
{
    int n = 0;
    for (int k = 0; k < f->n_charts; ++k) {
        n += f->charts[k].kind == kind;
    }
    return n;
}

/* ---- text helpers ------------------------------------------------------------------------ */

static void test_plot__gp_quote_doubles_single_quotes_and_flattens_newlines(void **state)
{
    (void)state;
    char *q = ps_plot_gp_quote("it's a\nb\r\tc");
    assert_string_equal(q, "'it''s a b  c'");
    free(q);
    q = ps_plot_gp_quote("");
    assert_string_equal(q, "''");
    free(q);
}

static void test_plot__gp_quote_keeps_backslashes_backquotes_and_macros_literal(void **state)
{
    (void)state;
    /* Inside single quotes gnuplot expands none of these, so they are kept as they are. */
    char *q = ps_plot_gp_quote("a\\'b `touch x` @m system(\"y\") \xe4\xb8\xad");
    assert_string_equal(q, "'a\\''b `touch x` @m system(\"y\") \xe4\xb8\xad'");
    free(q);
}

static void test_plot__html_escape_neutralises_markup(void **state)
{
    (void)state;
    char *h = ps_plot_html_escape("<script>alert('x')</script> & \"q\"");
    assert_string_equal(h, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    free(h);
}

static void test_plot__base64_matches_rfc4648_vectors(void **state)
{
    static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const out[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                       "Zm9vYmFy" };
    (void)state;
    for (size_t k = 0; k < sizeof in / sizeof in[0]; ++k) {
        char *b = ps_plot_base64((const unsigned char *)in[k], strlen(in[k]));
        assert_string_equal(b, out[k]);
        free(b);
    }
    const unsigned char high[] = { 0xff, 0xfe, 0x00 };
    char *b = ps_plot_base64(high, sizeof high);
    assert_string_equal(b, "//4A");
    free(b);
}

static void test_plot__slug_keeps_only_file_name_safe_characters(void **state)
{
    char buf[16];
    (void)state;
    ps_plot__slug(buf, sizeof buf, "../Evil $(x) \xe4\xb8\xad");
    assert_string_equal(buf, "___evil___x____");
    ps_plot__slug(buf, sizeof buf, "");
    assert_string_equal(buf, "x");
}

static void test_plot__every_label_exists_in_both_languages(void **state)
{
    (void)state;
    for (int id = 0; id < MSG_COUNT; ++id) {
        for (int lang = 0; lang < PS_PLOT_LANG_COUNT; ++lang) {
            const char *m = ps_plot__msg((plot_msg)id, (ps_plot_lang)lang);
            assert_non_null(m);
            /* Only the order suffix is legitimately empty in English. */
            if (id != MSG_ORDER_SUFFIX) {
                assert_true(m[0] != '\0');
            }
        }
    }
    assert_string_equal(ps_plot__msg(MSG_PYRAMID, PS_PLOT_LANG_ZH), "人口金字塔");
}

/* ---- generic reader --------------------------------------------------------------------- */

static void test_plot__h5read_lists_groups_and_reads_arrays_with_dimension_names(void **state)
{
    fixture *f = *state;
    ps_h5r_file *h = NULL;
    ps_error err;
    char **names = NULL;
    int n = 0;
    ps_h5r_array a;
    assert_ps_ok(ps_h5r_open(&h, f->h5, &err), &err);
    assert_int_equal(ps_h5r_kind_of(h, "/scenarios/policy/services"), PS_H5R_GROUP);
    assert_int_equal(ps_h5r_kind_of(h, "/scenarios/policy/tfr"), PS_H5R_DATASET);
    assert_int_equal(ps_h5r_kind_of(h, "/scenarios/nope/tfr"), PS_H5R_NONE);
    assert_ps_ok(ps_h5r_children(&names, &n, h, "/scenarios/policy/services", PS_H5R_GROUP, &err),
                 &err);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "childcare");
    assert_string_equal(names[2], "elderly_nursing_beds");
    ps_h5_free_names(names, n);
    assert_ps_ok(ps_h5r_read_array(&a, h, "/scenarios/policy/population_total_q", &err), &err);
    assert_int_equal(a.rank, 2);
    assert_int_equal(a.dims[0], FIX_YEARS);
    assert_string_equal(a.dim_names[0], "year");
    assert_string_equal(a.dim_names[1], "quantile");
    ps_h5r_array_release(&a);
    double v = 0.0;
    char *text = NULL;
    assert_ps_ok(ps_h5r_attr_double(&v, h, "/scenarios/policy", "births_gained", &err), &err);
    assert_close(v, births_gained, 1e-15);
    assert_ps_ok(ps_h5r_attr_string(&text, h, "/scenarios/policy", "baseline", &err), &err);
    assert_string_equal(text, "baseline");
    free(text);
    ps_h5r_close(h);
}

static void test_plot__h5read_reports_missing_objects_and_files(void **state)
{
    fixture *f = *state;
    ps_h5r_file *h = NULL;
    ps_error err;
    ps_h5r_array a;
    double v;
    assert_int_equal(ps_h5r_open(&h, "/nonexistent/x.h5", &err), PS_EIO);
    assert_null(h);
    assert_ps_ok(ps_h5r_open(&h, f->h5, &err), &err);
    assert_int_equal(ps_h5r_read_array(&a, h, "/scenarios/baseline/absent", &err), PS_EHDF5);
    assert_int_equal(ps_h5r_attr_double(&v, h, "/scenarios/baseline", "absent", &err), PS_EHDF5);
    assert_int_equal(ps_h5r_has_attr(h, "/no/such/group", "title"), 0);
    ps_h5r_close(h);
}

/* ---- loading and planning ---------------------------------------------------------------- */

static void test_plot__plan_of_a_plain_run_has_the_core_charts_only(void **state)
{
    fixture *f = *state;
    assert_int_equal(count_kind(f, PS_PLOT_PYRAMID), 1);
    assert_int_equal(count_kind(f, PS_PLOT_BIRTHS_TFR), 1);
    assert_int_equal(count_kind(f, PS_PLOT_CHILDCARE), 1);
    assert_int_equal(count_kind(f, PS_PLOT_DEPENDENCY), 1);
    assert_int_equal(f->n_charts, 4);
}

static void test_plot__plan_of_a_full_file_has_every_chart_kind(void **state)
{
    fixture *f = *state;
    for (int kind = 0; kind < PS_PLOT_KIND_COUNT; ++kind) {
        assert_true(count_kind(f, (ps_plot_kind)kind) >= 1);
    }
    assert_int_equal(count_kind(f, PS_PLOT_PYRAMID), 2);
    assert_int_equal(count_kind(f, PS_PLOT_ELDERLY), 1);
    for (int k = 0; k < f->n_charts; ++k) {
        for (int j = 0; j < k; ++j) {
            assert_string_not_equal(f->charts[k].name, f->charts[j].name);
        }
    }
}

/* The sweep chart: every point in block 0, the frontier (points 0 and 2; point 1 gains fewer
 * births than point 0 for more) in block 1. */
static void test_plot__sweep_frontier_chart_has_the_frontier_block(void **state)
{
    fixture *f = *state;
    ps_plot_options opt = PS_PLOT_OPTIONS_INIT;
    ps_error err;
    char path[512];
    assert_int_equal(count_kind(f, PS_PLOT_SWEEP_FRONTIER), 1);
    for (int k = 0; k < f->n_charts; ++k) {
        if (f->charts[k].kind == PS_PLOT_SWEEP_FRONTIER) {
            assert_int_equal(ps_plot_write(f->set, &f->charts[k], f->dir, &opt, &err), PS_OK);
        }
    }
    snprintf(path, sizeof path, "%s/sweep_frontier.dat", f->dir);
    char *dat = test_slurp(path, NULL);
    const char *block1 = strstr(dat, "\n\n\n");
    assert_non_null(block1);
    assert_non_null(strstr(dat, "\n1 200 0.05\n")); /* point 1 among all points */
    assert_null(strstr(block1, "\n1 "));              /* but not on the frontier */
    assert_non_null(strstr(block1, "\n0 100 0.1\n"));
    assert_non_null(strstr(block1, "\n2 300 0.3\n"));
    free(dat);
}

static void test_plot__load_sums_regions_and_reads_policy_and_services(void **state)
{
    fixture *f = *state;
    const plot_scenario *sc = &f->set->scn[1];
    assert_int_equal(sc->baseline_idx, 0);
    assert_close(sc->births_gained, births_gained, 1e-15);
    assert_close(sc->cost_per_birth, cost_per_birth, 1e-15);
    assert_int_equal(sc->n_instr, 2);
    /* Year 0 of a (year, region) fixture: base + 1.25 * base over the two regions. */
    assert_string_equal(sc->instr[0].name, "childcare_subsidy"); /* in the order written */
    assert_close(sc->instr[0].cost[0], 2.25 * 3.6e7, 1e-12);
    assert_close(ps_plot__policy_cost(sc, 0), 2.25 * (3.6e7 + 8.0e6), 1e-12);
    assert_int_equal(sc->n_orders, FIX_ORDERS);
    assert_int_equal(sc->orders[2], 3);
    assert_int_equal(sc->n_svc, 3);
    assert_close(sc->svc[0].target_per_1000, 4.5, 1e-15);
    assert_true(isnan(sc->svc[1].target_per_1000));
    assert_close(sc->svc[0].var[SVC_DEMAND][0], 2.25 * 9000.0, 1e-12);
    assert_int_equal(sc->n_fans, 1);
    assert_non_null(sc->fans[0].q[FAN_Q975]);
    assert_string_equal(sc->fans[0].units, "persons");
}

/* ---- writing ----------------------------------------------------------------------------- */

static void test_plot__write_produces_dat_and_gp_for_every_chart(void **state)
{
    fixture *f = *state;
    ps_plot_options opt = PS_PLOT_OPTIONS_INIT;
    ps_error err;
    char path[512], expect[256];
    for (int lang = 0; lang < PS_PLOT_LANG_COUNT; ++lang) {
        opt.lang = (ps_plot_lang)lang;
        for (int k = 0; k < f->n_charts; ++k) {
            assert_ps_ok(ps_plot_write(f->set, &f->charts[k], f->dir, &opt, &err), &err);
            snprintf(path, sizeof path, "%s/%s.gp", f->dir, f->charts[k].name);
            char *gp = test_slurp(path, NULL);
            snprintf(expect, sizeof expect, "set output '%s.png'", f->charts[k].name);
            assert_non_null(strstr(gp, expect));
            assert_non_null(strstr(gp, "unset output"));
            assert_non_null(strstr(gp, lang == PS_PLOT_LANG_ZH ? "Noto Sans CJK SC" : "'Sans,"));
            free(gp);
            snprintf(path, sizeof path, "%s/%s.dat", f->dir, f->charts[k].name);
            char *dat = test_slurp(path, NULL);
            assert_true(strlen(dat) > 10);
            free(dat);
        }
    }
}

/*
 * Scan a gnuplot script the way gnuplot tokenises strings: outside single-quoted strings
 * (where '' is one quote) no user text may appear, and no line may end inside a string.
 */
static void assert_user_text_only_quoted(const char *gp, const char *const *needles, size_t n)
{
    size_t len = strlen(gp);
    char *outside = calloc(len + 1, 1);
    size_t w = 0;
    int in_single = 0, in_double = 0;
    for (size_t i = 0; i < len; ++i) {
        char c = gp[i];
        if (c == '\n') {
            assert_false(in_single);
        }
        if (in_single) {
            if (c == '\'' && gp[i + 1] == '\'') {
                ++i;
            } else if (c == '\'') {
                in_single = 0;
            }
        } else if (in_double) {
            in_double = c != '"';
        } else if (c == '#' ) {
            while (i + 1 < len && gp[i + 1] != '\n') {
                ++i; /* comments end at the line break, which user text never contains */
            }
        } else if (c == '\'') {
            in_single = 1;
        } else if (c == '"') {
            in_double = 1;
        } else {
            outside[w++] = c;
        }
    }
    for (size_t k = 0; k < n; ++k) {
        if (strstr(outside, needles[k]) != NULL) {
            fail_msg("'%s' appears outside single quotes", needles[k]);
        }
    }
    assert_null(strchr(outside, '`'));
    assert_null(strchr(outside, '@'));
    free(outside);
}

static void test_plot__user_text_reaches_gp_only_inside_single_quotes(void **state)
{
    static const char *const needles[] = { "pwned", "system", "script", "evil", "<b>", "<i>" };
    fixture *f = *state;
    ps_plot_options opt = PS_PLOT_OPTIONS_INIT;
    ps_error err;
    char path[512];
    for (int k = 0; k < f->n_charts; ++k) {
        assert_ps_ok(ps_plot_write(f->set, &f->charts[k], f->dir, &opt, &err), &err);
        snprintf(path, sizeof path, "%s/%s.gp", f->dir, f->charts[k].name);
        char *gp = test_slurp(path, NULL);
        assert_user_text_only_quoted(gp, needles, sizeof needles / sizeof needles[0]);
        free(gp);
        /* File names come from slugs, never from raw user text. */
        assert_null(strpbrk(f->charts[k].name, "'\"$<>() `/\\;"));
    }
}

static void test_plot__write_rejects_a_pyramid_year_outside_the_run(void **state)
{
    fixture *f = *state;
    ps_plot_options opt = PS_PLOT_OPTIONS_INIT;
    ps_error err;
    opt.pyramid_year = FIX_START + FIX_YEARS + 5;
    assert_int_equal(f->charts[0].kind, PS_PLOT_PYRAMID);
    assert_int_equal(ps_plot_write(f->set, &f->charts[0], f->dir, &opt, &err), PS_EINVAL);
    assert_non_null(strstr(err.msg, "pyramid year 2046 is outside 2026..2040"));
}

static void test_plot__write_rejects_an_image_size_out_of_range(void **state)
{
    fixture *f = *state;
    ps_plot_options opt = PS_PLOT_OPTIONS_INIT;
    ps_error err;
    opt.width_px = PS_PLOT_MIN_SIDE_PX - 1;
    assert_int_equal(ps_plot_write(f->set, &f->charts[0], f->dir, &opt, &err), PS_EINVAL);
}

static void test_plot__write_to_a_missing_folder_is_an_io_error(void **state)
{
    fixture *f = *state;
    ps_plot_options opt = PS_PLOT_OPTIONS_INIT;
    ps_error err;
    assert_int_equal(ps_plot_write(f->set, &f->charts[0], "/nonexistent/dir", &opt, &err),
                     PS_EIO);
}

/* ---- report ------------------------------------------------------------------------------ */

/* Stand-in images: a PNG signature and a few bytes (the report checks only the signature). */
static void write_fake_pngs(const fixture *f)
{
    static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 1, 2, 3 };
    char path[512];
    for (int k = 0; k < f->n_charts; ++k) {
        snprintf(path, sizeof path, "%s/%s.png", f->dir, f->charts[k].name);
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        fwrite(png, 1, sizeof png, fp);
        fclose(fp);
    }
}

static int count_of(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle)) {
        ++n;
    }
    return n;
}

static void test_plot__report_embeds_every_chart_and_escapes_user_text(void **state)
{
    fixture *f = *state;
    ps_error err;
    char path[512];
    write_fake_pngs(f);
    snprintf(path, sizeof path, "%s/report.html", f->dir);
    assert_ps_ok(ps_plot_report_write(path, f->set, f->charts, f->n_charts, f->dir,
                                      PS_PLOT_LANG_EN, &err), &err);
    char *html = test_slurp(path, NULL);
    assert_int_equal(count_of(html, "src=\"data:image/png;base64,iVBORw0KGg"), f->n_charts);
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "pwned4) <b>"));
    assert_null(strstr(html, "<i>"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(html, "system(&quot;touch pwned&quot;) `touch pwned2`"));
    assert_non_null(strstr(html, "back\\slash"));
    /* The policy scenario appears by its (escaped) title, never by its name (issue #16). */
    assert_null(strstr(html, "evil&#39;&quot; ; $(touch pwned4) &lt;b&gt;"));
    assert_non_null(strstr(html, "Policy costs"));
    /* Targets: the places the demand needs are capacity - surplus + shortage (the fixture's
     * childcare in its first year: 8,100 - 2,250 + 3,000, in thousands), short, so missed. */
    char needed[64];
    snprintf(needed, sizeof needed, "<td>%.1f</td>", (8100.0 - 2250.0 + 3000.0) / 1000.0);
    assert_non_null(strstr(html, "Places the demand needs (thousands)"));
    assert_non_null(strstr(html, needed));
    assert_non_null(strstr(html, "class=\"t missed\""));
    assert_non_null(strstr(html, "Target met?"));
    /* The page opens with the assumptions, before the summary and the charts. */
    assert_true(strstr(html, "id=\"assumptions\"") < strstr(html, "id=\"summary\""));
    assert_true(strstr(html, "id=\"assumptions\"") < strstr(html, "id=\"charts\""));
    assert_null(strstr(html, "http://"));
    assert_null(strstr(html, "https://"));
    free(html);
}

static void test_plot__report_in_chinese_has_chinese_headings(void **state)
{
    fixture *f = *state;
    ps_error err;
    char path[512];
    write_fake_pngs(f);
    snprintf(path, sizeof path, "%s/report.html", f->dir);
    assert_ps_ok(ps_plot_report_write(path, f->set, f->charts, f->n_charts, f->dir,
                                      PS_PLOT_LANG_ZH, &err), &err);
    char *html = test_slurp(path, NULL);
    assert_non_null(strstr(html, "<html lang=\"zh-Hans\">"));
    assert_non_null(strstr(html, "人口预测报告"));
    assert_non_null(strstr(html, "目标达成情况"));
    assert_non_null(strstr(html, "政策成本"));
    free(html);
}

static void test_plot__report_with_a_missing_image_keeps_the_previous_page(void **state)
{
    fixture *f = *state;
    ps_error err;
    char path[512];
    snprintf(path, sizeof path, "%s/report.html", f->dir);
    FILE *fp = fopen(path, "w");
    fputs("previous", fp);
    fclose(fp);
    assert_int_equal(ps_plot_report_write(path, f->set, f->charts, f->n_charts, f->dir,
                                          PS_PLOT_LANG_EN, &err), PS_EIO);
    assert_non_null(strstr(err.path, ".png"));
    char *html = test_slurp(path, NULL);
    assert_string_equal(html, "previous");
    free(html);
}

/* Issue #13: with two regions each scenario with childcare gets a small-multiple chart, one
 * panel per region; the policy scenario's childcare (demand 9,000 in region 0 and a quarter
 * more in region 1) has gap = surplus - shortage = 2,250 - 3,000 and 2,812.5 - 3,750 in its
 * first year, in thousands in the .dat. */
static void test_plot__district_charts_have_one_panel_per_region(void **state)
{
    fixture *f = *state;
    ps_plot_options opt = PS_PLOT_OPTIONS_INIT;
    ps_error err;
    char path[512], want[64];
    int found = 0;
    for (int k = 0; k < f->n_charts; ++k) {
        const ps_plot_chart *c = &f->charts[k];
        if (c->kind != PS_PLOT_CHILDCARE_DISTRICTS ||
            strcmp(f->set->scn[c->scenario].res.name, "policy") != 0) {
            continue;
        }
        found = 1;
        assert_ps_ok(ps_plot_write(f->set, c, f->dir, &opt, &err), &err);
        snprintf(path, sizeof path, "%s/%s.gp", f->dir, c->name);
        char *gp = test_slurp(path, NULL);
        /* two panels and the legend's cell, 2 x 2; the legend drawn once, in that cell */
        assert_non_null(strstr(gp, "set multiplot layout 2,2"));
        assert_int_equal(count_of(gp, "plot NaN with lines"), 1);
        assert_int_equal(count_of(gp, " notitle"), 2 * 2); /* the gap and the 0 line, twice */
        assert_non_null(strstr(gp, "set title 'North'"));
        assert_non_null(strstr(gp, "set title '\xe5\x8d\x97\xe5\x8c\xba'"));
        assert_int_equal(count_of(gp, "set title '"), 2);
        free(gp);
        snprintf(path, sizeof path, "%s/%s.dat", f->dir, c->name);
        char *dat = test_slurp(path, NULL);
        snprintf(want, sizeof want, "\n%d %.10g ? %.10g ?", FIX_START, (2250.0 - 3000.0) / 1000.0,
                 (2250.0 * 1.25 - 3000.0 * 1.25) / 1000.0);
        if (strstr(dat, want) == NULL) {
            fail_msg("'%s' not in the .dat:\n%s", want + 1, dat);
        }
        free(dat);
    }
    assert_true(found);
    assert_int_equal(count_kind(f, PS_PLOT_ELDERLY_DISTRICTS), 1); /* one scenario has beds */
}

/* Issue #13: the report's "By district" section, in both languages, names every region. */
static void test_plot__report_has_a_section_per_region(void **state)
{
    fixture *f = *state;
    ps_error err;
    char path[512];
    write_fake_pngs(f);
    for (int lang = 0; lang < PS_PLOT_LANG_COUNT; ++lang) {
        snprintf(path, sizeof path, "%s/report%d.html", f->dir, lang);
        assert_ps_ok(ps_plot_report_write(path, f->set, f->charts, f->n_charts, f->dir,
                                          (ps_plot_lang)lang, &err), &err);
        char *html = test_slurp(path, NULL);
        char *sec = strstr(html, "<section id=\"regions\">");
        assert_non_null(sec);
        assert_non_null(strstr(html, "href=\"#regions\""));
        assert_non_null(strstr(sec, lang == PS_PLOT_LANG_ZH ? "分区情况" : "By district"));
        assert_non_null(strstr(sec, "<td class=\"t\">North</td>"));
        assert_non_null(strstr(sec, "<td class=\"t\">\xe5\x8d\x97\xe5\x8c\xba</td>"));
        assert_true(sec < strstr(html, "id=\"charts\""));
        free(html);
    }
}

static void test_plot__load_of_a_missing_file_is_an_io_error(void **state)
{
    ps_plot_set *s = NULL;
    ps_error err;
    (void)state;
    assert_int_equal(ps_plot_load(&s, "/nonexistent/run.h5", &err), PS_EIO);
    assert_null(s);
}

int main(int argc, char **argv)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (argc == 4 && strcmp(argv[1], "--write-fixture") == 0) {
        return write_fixture(argv[2], argv[3]);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plot__gp_quote_doubles_single_quotes_and_flattens_newlines),
        cmocka_unit_test(test_plot__gp_quote_keeps_backslashes_backquotes_and_macros_literal),
        cmocka_unit_test(test_plot__html_escape_neutralises_markup),
        cmocka_unit_test(test_plot__base64_matches_rfc4648_vectors),
        cmocka_unit_test(test_plot__slug_keeps_only_file_name_safe_characters),
        cmocka_unit_test(test_plot__every_label_exists_in_both_languages),
        cmocka_unit_test_setup_teardown(
            test_plot__h5read_lists_groups_and_reads_arrays_with_dimension_names, setup_full,
            teardown),
        cmocka_unit_test_setup_teardown(test_plot__h5read_reports_missing_objects_and_files,
                                        setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_plot__plan_of_a_plain_run_has_the_core_charts_only,
                                        setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_plot__plan_of_a_full_file_has_every_chart_kind,
                                        setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_plot__sweep_frontier_chart_has_the_frontier_block,
                                        setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_plot__load_sums_regions_and_reads_policy_and_services,
                                        setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_plot__write_produces_dat_and_gp_for_every_chart,
                                        setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_plot__user_text_reaches_gp_only_inside_single_quotes,
                                        setup_evil, teardown),
        cmocka_unit_test_setup_teardown(test_plot__write_rejects_a_pyramid_year_outside_the_run,
                                        setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_plot__write_rejects_an_image_size_out_of_range,
                                        setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_plot__write_to_a_missing_folder_is_an_io_error,
                                        setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_plot__report_embeds_every_chart_and_escapes_user_text,
                                        setup_evil, teardown),
        cmocka_unit_test_setup_teardown(test_plot__report_in_chinese_has_chinese_headings,
                                        setup_full, teardown),
        cmocka_unit_test_setup_teardown(
            test_plot__report_with_a_missing_image_keeps_the_previous_page, setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_plot__district_charts_have_one_panel_per_region,
                                        setup_full, teardown),
        cmocka_unit_test_setup_teardown(test_plot__report_has_a_section_per_region, setup_full,
                                        teardown),
        cmocka_unit_test(test_plot__load_of_a_missing_file_is_an_io_error),
    };
    return cmocka_run_group_tests_name("plot", tests, NULL, NULL);
}

/*
 * load.c - one pass over a result file that gathers what the charts and the report need:
 * each scenario's core variables (ps_h5_read), and, where present, the additions of later
 * issues (docs/output-format.md): births_by_order, policy/<instrument>/{recipients,cost},
 * services/<service>/{demand,capacity,...} with `kind` and `target_per_1000`, and variables
 * with a `quantile` dimension. Regional arrays are summed to one series per year; a file
 * whose optional parts have an unexpected shape is reported, not guessed at.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "popsim/h5out.h"
#include "popsim/h5read.h"

/* "a/b" as a new string, NULL when out of memory. */
static char *join(const char *a, const char *b)
{
    size_t len = strlen(a) + strlen(b) + 2;
    char *p = malloc(len);
    if (p != NULL) {
        snprintf(p, len, "%s/%s", a, b);
    }
    return p;
}

static char *dup_text(const char *s)
{
    size_t len = strlen(s) + 1;
    char *p = malloc(len);
    if (p != NULL) {
        memcpy(p, s, len);
    }
    return p;
}

/*
 * A (year) or (year, region) dataset summed over regions into a new [n_years] series. NaN
 * cells are skipped; a year whose cells are all NaN stays NaN (the last step of events).
 */
static ps_status year_series(double **out, const ps_h5r_file *f, const char *dset,
                             const ps_result *r, ps_error *err)
{
    ps_h5r_array a;
    double *v = NULL;
    *out = NULL;
    ps_status rc = ps_h5r_read_array(&a, f, dset, err);
    if (rc != PS_OK) {
        return rc;
    }
    size_t n_reg = a.rank == 2 ? a.dims[1] : 1;
    if ((a.rank != 1 && a.rank != 2) || a.dims[0] != (size_t)r->n_years) {
        rc = ps_error_set(err, PS_EHDF5, "'%s' should have dimensions (year[, region]) with %d "
                          "years", dset, r->n_years);
    } else if ((v = malloc((size_t)r->n_years * sizeof *v)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", dset);
    }
    for (int y = 0; rc == PS_OK && y < r->n_years; ++y) {
        double sum = NAN;
        for (size_t reg = 0; reg < n_reg; ++reg) {
            double cell = a.data[(size_t)y * n_reg + reg];
            if (!isnan(cell)) {
                sum = isnan(sum) ? cell : sum + cell;
            }
        }
        v[y] = sum;
    }
    ps_h5r_array_release(&a);
    if (rc == PS_OK) {
        *out = v;
    } else {
        free(v);
    }
    return rc;
}

/* year_series of group/name if that dataset exists, else *out = NULL and PS_OK. */
static ps_status optional_series(double **out, const ps_h5r_file *f, const char *group,
                                 const char *name, const ps_result *r, ps_error *err)
{
    char *dset = join(group, name);
    ps_status rc = PS_OK;
    *out = NULL;
    if (dset == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    } else if (ps_h5r_kind_of(f, dset) == PS_H5R_DATASET) {
        rc = year_series(out, f, dset, r, err);
    }
    free(dset);
    return rc;
}

/* births_by_order(year, region, order) and its `order` coordinate, summed over regions. */
static ps_status load_births_order(plot_scenario *sc, const ps_h5r_file *f, const char *grp,
                                   ps_error *err)
{
    ps_h5r_array a = { 0 }, ord = { 0 };
    char *dset = join(grp, "births_by_order"), *coord = join(grp, "order");
    ps_status rc = PS_OK;
    const ps_result *r = &sc->res;
    if (dset == NULL || coord == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    if (ps_h5r_kind_of(f, dset) != PS_H5R_DATASET) {
        goto done;
    }
    if ((rc = ps_h5r_read_array(&a, f, dset, err)) != PS_OK ||
        (rc = ps_h5r_read_array(&ord, f, coord, err)) != PS_OK) {
        goto done;
    }
    if (a.rank != 3 || a.dims[0] != (size_t)r->n_years || a.dims[1] != (size_t)r->n_regions ||
        ord.rank != 1 || a.dims[2] != ord.dims[0]) {
        rc = ps_error_set(err, PS_EHDF5, "'%s' should have dimensions (year, region, order)", dset);
        goto done;
    }
    size_t n_ord = ord.dims[0];
    sc->orders = malloc((n_ord + 1) * sizeof *sc->orders);
    sc->births_order = calloc((size_t)r->n_years * n_ord + 1, sizeof *sc->births_order);
    if (sc->orders == NULL || sc->births_order == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory reading '%s'", dset);
        goto done;
    }
    sc->n_orders = (int)n_ord;
    for (size_t o = 0; o < n_ord; ++o) {
        sc->orders[o] = (int)ord.data[o];
    }
    for (size_t i = 0; i < a.n; ++i) {
        size_t y = i / (n_ord * (size_t)r->n_regions), o = i % n_ord;
        sc->births_order[y * n_ord + o] += a.data[i];
    }
done:
    ps_h5r_array_release(&a);
    ps_h5r_array_release(&ord);
    free(dset);
    free(coord);
    return rc;
}

/* policy/births_gained and every policy/<instrument> group: recipients and cost per year. */
static ps_status load_policy(plot_scenario *sc, const ps_h5r_file *f, const char *grp,
                             ps_error *err)
{
    char *pol = join(grp, "policy"), **names = NULL;
    int n = 0;
    ps_status rc = PS_OK;
    if (pol == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (ps_h5r_kind_of(f, pol) == PS_H5R_GROUP) {
        sc->is_policy = 1;
        rc = optional_series(&sc->gained, f, pol, "births_gained", &sc->res, err);
    }
    if (rc == PS_OK && sc->is_policy) {
        rc = ps_h5r_children(&names, &n, f, pol, PS_H5R_GROUP, err);
        if (rc == PS_OK && (sc->instr = calloc((size_t)n + 1, sizeof *sc->instr)) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        }
    }
    for (int k = 0; rc == PS_OK && k < n; ++k) {
        plot_instrument *in = &sc->instr[k];
        char *ig = join(pol, names[k]);
        sc->n_instr = k + 1;
        if (ig == NULL || (in->name = dup_text(names[k])) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        } else if ((rc = optional_series(&in->recipients, f, ig, "recipients", &sc->res, err)) ==
                   PS_OK) {
            rc = optional_series(&in->cost, f, ig, "cost", &sc->res, err);
        }
        free(ig);
    }
    ps_h5_free_names(names, n);
    free(pol);
    return rc;
}

/* A string attribute if present, else a copy of `fallback`. */
static ps_status optional_text(char **out, const ps_h5r_file *f, const char *obj,
                               const char *attr, const char *fallback, ps_error *err)
{
    if (ps_h5r_has_attr(f, obj, attr)) {
        return ps_h5r_attr_string(out, f, obj, attr, err);
    }
    *out = dup_text(fallback);
    return *out != NULL ? PS_OK : ps_error_set(err, PS_ENOMEM, "out of memory");
}

/* One services/<service> group: kind, title, target and its basis, and the variables the
 * charts use. */
static ps_status load_service(plot_service *sv, const ps_h5r_file *f, const char *sg,
                              const char *name, const ps_result *r, ps_error *err)
{
    static const char *const var_names[SVC_VAR_COUNT] = {
        "demand", "capacity", "shortage", "surplus", "staff", "cost",
    };
    ps_status rc = PS_OK;
    sv->target_per_1000 = NAN;
    if ((sv->name = dup_text(name)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (ps_h5r_has_attr(f, sg, "kind")) {
        rc = ps_h5r_attr_string(&sv->kind, f, sg, "kind", err);
    } else if ((sv->kind = dup_text("")) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (rc == PS_OK && ps_h5r_has_attr(f, sg, "target_per_1000")) {
        rc = ps_h5r_attr_double(&sv->target_per_1000, f, sg, "target_per_1000", err);
    }
    if (rc == PS_OK) {
        rc = optional_text(&sv->title, f, sg, "title", name, err);
    }
    if (rc == PS_OK) {
        rc = optional_text(&sv->basis, f, sg, "basis", "", err);
    }
    double lo = -1.0, hi = -1.0;
    if (rc == PS_OK && ps_h5r_has_attr(f, sg, "basis_from_age")) {
        rc = ps_h5r_attr_double(&lo, f, sg, "basis_from_age", err);
    }
    if (rc == PS_OK && ps_h5r_has_attr(f, sg, "basis_to_age")) {
        rc = ps_h5r_attr_double(&hi, f, sg, "basis_to_age", err);
    }
    /* Ages are whole years inside the result's age range; the last one is the open group. */
    sv->basis_lo = lo >= 0.0 && lo < r->n_ages ? (int)lo : -1;
    sv->basis_hi = hi >= 0.0 && hi < r->n_ages - 1 ? (int)hi : -1;
    for (int v = 0; rc == PS_OK && v < SVC_VAR_COUNT; ++v) {
        rc = optional_series(&sv->var[v], f, sg, var_names[v], r, err);
    }
    return rc == PS_OK ? ps_plot__load_regional(sv, f, sg, r, err) : rc;
}

static ps_status load_services(plot_scenario *sc, const ps_h5r_file *f, const char *grp,
                               ps_error *err)
{
    char *svg = join(grp, "services"), **names = NULL;
    int n = 0;
    ps_status rc = PS_OK;
    if (svg == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (ps_h5r_kind_of(f, svg) == PS_H5R_GROUP) {
        rc = ps_h5r_children(&names, &n, f, svg, PS_H5R_GROUP, err);
        if (rc == PS_OK && (sc->svc = calloc((size_t)n + 1, sizeof *sc->svc)) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        }
    }
    for (int k = 0; rc == PS_OK && k < n; ++k) {
        char *sg = join(svg, names[k]);
        sc->n_svc = k + 1;
        rc = sg == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory")
                        : load_service(&sc->svc[k], f, sg, names[k], &sc->res, err);
        free(sg);
    }
    ps_h5_free_names(names, n);
    free(svg);
    return rc;
}

/* Index of the stored level matching `level` within tolerance, -1 if none. */
static int find_level(const ps_h5r_array *levels, double level)
{
    for (size_t k = 0; k < levels->n; ++k) {
        if (fabs(levels->data[k] - level) <= PS_PLOT_QUANTILE_TOL) {
            return (int)k;
        }
    }
    return -1;
}

/* A (year, quantile) variable into a fan: the levels it has of 2.5, 10, 50, 90, 97.5 %. */
static ps_status add_fan(plot_scenario *sc, const ps_h5r_file *f, const char *dset,
                         const char *name, const ps_h5r_array *a, const ps_h5r_array *levels,
                         ps_error *err)
{
    static const double wanted[FAN_Q_COUNT] = { 0.025, 0.10, 0.50, 0.90, 0.975 };
    plot_fan *fan = &sc->fans[sc->n_fans];
    size_t nq = a->dims[1];
    sc->n_fans++;
    if ((fan->var = dup_text(name)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (ps_h5r_has_attr(f, dset, "units")) {
        ps_status rc = ps_h5r_attr_string(&fan->units, f, dset, "units", err);
        if (rc != PS_OK) {
            return rc;
        }
    } else if ((fan->units = dup_text("")) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int q = 0; q < FAN_Q_COUNT; ++q) {
        int col = find_level(levels, wanted[q]);
        if (col < 0) {
            continue;
        }
        if ((fan->q[q] = malloc((size_t)sc->res.n_years * sizeof(double))) == NULL) {
            return ps_error_set(err, PS_ENOMEM, "out of memory");
        }
        for (int y = 0; y < sc->res.n_years; ++y) {
            fan->q[q][y] = a->data[(size_t)y * nq + (size_t)col];
        }
    }
    return PS_OK;
}

/* Is this (rank 2) array laid out (year, quantile) over the scenario's years? */
static int is_fan_shape(const ps_h5r_array *a, const ps_h5r_array *levels, int n_years)
{
    return a->rank == 2 && strcmp(a->dim_names[0], "year") == 0 &&
           strcmp(a->dim_names[1], "quantile") == 0 && a->dims[0] == (size_t)n_years &&
           a->dims[1] == levels->n;
}

/* Every dataset of the group with a `quantile` dimension, laid out (year, quantile). */
static ps_status load_fans(plot_scenario *sc, const ps_h5r_file *f, const char *grp,
                           ps_error *err)
{
    ps_h5r_array levels = { 0 };
    char *coord = join(grp, "quantile"), **names = NULL;
    int n = 0;
    ps_status rc = PS_OK;
    if (coord == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (ps_h5r_kind_of(f, coord) != PS_H5R_DATASET) {
        goto done;
    }
    if ((rc = ps_h5r_read_array(&levels, f, coord, err)) != PS_OK ||
        (rc = ps_h5r_children(&names, &n, f, grp, PS_H5R_DATASET, err)) != PS_OK) {
        goto done;
    }
    if ((sc->fans = calloc((size_t)n + 1, sizeof *sc->fans)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int k = 0; rc == PS_OK && k < n; ++k) {
        ps_h5r_array a = { 0 };
        char *dset = join(grp, names[k]);
        if (dset == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        } else if (strcmp(names[k], "quantile") != 0 &&
                   (rc = ps_h5r_read_shape(&a, f, dset, err)) == PS_OK &&
                   is_fan_shape(&a, &levels, sc->res.n_years)) {
            ps_h5r_array_release(&a);
            if ((rc = ps_h5r_read_array(&a, f, dset, err)) == PS_OK) {
                rc = add_fan(sc, f, dset, names[k], &a, &levels, err);
            }
        }
        ps_h5r_array_release(&a);
        free(dset);
    }
done:
    ps_h5_free_names(names, n);
    ps_h5r_array_release(&levels);
    free(coord);
    return rc;
}

/* Policy attributes of a scenario group (all optional). */
static ps_status load_policy_attrs(plot_scenario *sc, const ps_h5r_file *f, const char *grp,
                                   ps_error *err)
{
    ps_status rc = PS_OK;
    sc->births_gained = sc->cost_per_birth = NAN;
    if (ps_h5r_has_attr(f, grp, "baseline")) {
        sc->is_policy = 1;
        rc = ps_h5r_attr_string(&sc->baseline, f, grp, "baseline", err);
    }
    if (rc == PS_OK && ps_h5r_has_attr(f, grp, "births_gained")) {
        rc = ps_h5r_attr_double(&sc->births_gained, f, grp, "births_gained", err);
    }
    if (rc == PS_OK && ps_h5r_has_attr(f, grp, "cost_per_additional_birth")) {
        rc = ps_h5r_attr_double(&sc->cost_per_birth, f, grp, "cost_per_additional_birth", err);
    }
    return rc;
}

static ps_status load_scenario(plot_scenario *sc, const ps_h5r_file *f, const char *path,
                               const char *name, ps_error *err)
{
    char *grp = join("/scenarios", name);
    sc->baseline_idx = -1;
    ps_status rc = grp == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory")
                               : ps_h5_read(&sc->res, path, name, err);
    if (rc == PS_OK) {
        rc = load_policy_attrs(sc, f, grp, err);
    }
    if (rc == PS_OK) {
        rc = load_births_order(sc, f, grp, err);
    }
    if (rc == PS_OK) {
        rc = load_policy(sc, f, grp, err);
    }
    if (rc == PS_OK) {
        rc = load_services(sc, f, grp, err);
    }
    if (rc == PS_OK) {
        rc = load_fans(sc, f, grp, err);
    }
    if (rc != PS_OK) {
        ps_error_prepend(err, "scenario '%s': ", name);
    }
    free(grp);
    return rc;
}

/* Global provenance attributes, "" where the file has none. */
static ps_status load_provenance(ps_plot_set *s, const ps_h5r_file *f, ps_error *err)
{
    static const char *const attrs[PROV_COUNT] = {
        "data_source", "scenario_file", "scenario_sha256", "popsim_version",
        "git_commit", "created", "command_line",
    };
    ps_status rc = PS_OK;
    for (int k = 0; rc == PS_OK && k < PROV_COUNT; ++k) {
        if (ps_h5r_has_attr(f, "/", attrs[k]) &&
            ps_h5r_attr_string(&s->prov[k], f, "/", attrs[k], NULL) == PS_OK) {
            continue;
        }
        if ((s->prov[k] = dup_text("")) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        }
    }
    return rc;
}

/* /provenance (one row per input), when the file has it: columns of equal length. */
static ps_status load_inputs(ps_plot_set *s, const ps_h5r_file *f, ps_error *err)
{
    static const char *const cols[INPUT_COL_COUNT] = {
        "/provenance/kind", "/provenance/source", "/provenance/detail", "/provenance/path",
        "/provenance/sha256",
    };
    size_t len[INPUT_COL_COUNT] = { 0 };
    ps_status rc = PS_OK;
    if (ps_h5r_kind_of(f, "/provenance") != PS_H5R_GROUP) {
        return PS_OK;
    }
    for (int c = 0; rc == PS_OK && c < INPUT_COL_COUNT; ++c) {
        rc = ps_h5r_read_strings(&s->inputs[c], &len[c], f, cols[c], err);
        if (rc == PS_OK && len[c] != len[0]) {
            rc = ps_error_set(err, PS_EHDF5, "%s has %zu rows, %s %zu", cols[c], len[c],
                              cols[0], len[0]);
        }
    }
    s->n_inputs = (int)len[0];
    if (rc != PS_OK) { /* each column holds len[c] strings */
        for (int c = 0; c < INPUT_COL_COUNT; ++c) {
            for (size_t k = 0; s->inputs[c] != NULL && k < len[c]; ++k) {
                free(s->inputs[c][k]);
            }
            free(s->inputs[c]);
            s->inputs[c] = NULL;
        }
        s->n_inputs = 0;
    }
    return rc;
}

/* Link each policy scenario to its baseline's index. */
static void link_baselines(ps_plot_set *s)
{
    for (int k = 0; k < s->n_scn; ++k) {
        for (int b = 0; s->scn[k].baseline != NULL && b < s->n_scn; ++b) {
            if (b != k && strcmp(s->scn[b].res.name, s->scn[k].baseline) == 0) {
                s->scn[k].baseline_idx = b;
            }
        }
    }
}

ps_status ps_plot_load(ps_plot_set **out, const char *path, ps_error *err)
{
    ps_h5r_file *f = NULL;
    char **names = NULL;
    int n = 0;
    ps_plot_set *s = calloc(1, sizeof *s);
    *out = NULL;
    ps_status rc = s == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory") : PS_OK;
    if (rc != PS_OK || (rc = ps_h5_list(&names, &n, path, err)) != PS_OK ||
        (rc = ps_h5r_open(&f, path, err)) != PS_OK) {
        goto done;
    }
    if ((s->path = dup_text(path)) == NULL ||
        (s->scn = calloc((size_t)n + 1, sizeof *s->scn)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    for (int k = 0; rc == PS_OK && k < n; ++k) {
        s->n_scn = k + 1;
        rc = load_scenario(&s->scn[k], f, path, names[k], err);
    }
    if (rc == PS_OK) {
        rc = load_provenance(s, f, err);
    }
    if (rc == PS_OK) {
        rc = load_inputs(s, f, err);
    }
    link_baselines(s);
done:
    if (rc != PS_OK && err != NULL && err->path[0] == '\0') {
        snprintf(err->path, sizeof err->path, "%s", path);
    }
    if (rc == PS_OK) {
        *out = s;
    } else {
        ps_plot_free(s);
    }
    ps_h5r_close(f);
    ps_h5_free_names(names, n);
    return rc;
}

int ps_plot_n_scenarios(const ps_plot_set *s)
{
    return s->n_scn;
}

const char *ps_plot_scenario_name(const ps_plot_set *s, int k)
{
    return s->scn[k].res.name;
}

static void free_scenario(plot_scenario *sc)
{
    ps_result_release(&sc->res);
    free(sc->baseline);
    free(sc->orders);
    free(sc->births_order);
    free(sc->gained);
    for (int k = 0; sc->instr != NULL && k < sc->n_instr; ++k) {
        free(sc->instr[k].name);
        free(sc->instr[k].recipients);
        free(sc->instr[k].cost);
    }
    free(sc->instr);
    for (int k = 0; sc->svc != NULL && k < sc->n_svc; ++k) {
        free(sc->svc[k].name);
        free(sc->svc[k].title);
        free(sc->svc[k].kind);
        free(sc->svc[k].basis);
        for (int v = 0; v < SVC_REG_COUNT; ++v) {
            free(sc->svc[k].reg[v]);
        }
        for (int v = 0; v < SVC_VAR_COUNT; ++v) {
            free(sc->svc[k].var[v]);
        }
    }
    free(sc->svc);
    for (int k = 0; sc->fans != NULL && k < sc->n_fans; ++k) {
        free(sc->fans[k].var);
        free(sc->fans[k].units);
        for (int q = 0; q < FAN_Q_COUNT; ++q) {
            free(sc->fans[k].q[q]);
        }
    }
    free(sc->fans);
}

void ps_plot_free(ps_plot_set *s)
{
    if (s == NULL) {
        return;
    }
    for (int k = 0; s->scn != NULL && k < s->n_scn; ++k) {
        free_scenario(&s->scn[k]);
    }
    free(s->scn);
    for (int k = 0; k < PROV_COUNT; ++k) {
        free(s->prov[k]);
    }
    for (int c = 0; c < INPUT_COL_COUNT; ++c) {
        for (int k = 0; s->inputs[c] != NULL && k < s->n_inputs; ++k) {
            free(s->inputs[c][k]);
        }
        free(s->inputs[c]);
    }
    free(s->path);
    free(s);
}

/* ---- derived series ------------------------------------------------------------------------ */

double ps_plot__age_sum(const ps_result *r, int y, int lo, int hi)
{
    double sum = 0.0;
    int top = hi < r->n_ages - 1 ? hi : r->n_ages - 1;
    for (int reg = 0; reg < r->n_regions; ++reg) {
        for (int sex = 0; sex < PS_SEX_COUNT; ++sex) {
            for (int age = lo; age <= top; ++age) {
                sum += r->population[ps_result_cell(r, y, reg, sex, age)];
            }
        }
    }
    return sum;
}

double ps_plot__tfr(const ps_result *r, int y)
{
    double weighted = 0.0, women = 0.0;
    for (int reg = 0; reg < r->n_regions; ++reg) {
        double w = 0.0;
        for (int age = PS_PLOT_WOMEN_AGE_MIN; age <= PS_PLOT_WOMEN_AGE_MAX && age < r->n_ages;
             ++age) {
            w += r->population[ps_result_cell(r, y, reg, PS_SEX_FEMALE, age)];
        }
        weighted += w * r->tfr[ps_result_regcell(r, y, reg)];
        women += w;
    }
    return women > 0.0 ? weighted / women : NAN;
}

double ps_plot__policy_cost(const plot_scenario *sc, int y)
{
    double sum = NAN;
    for (int k = 0; k < sc->n_instr; ++k) {
        const double *c = sc->instr[k].cost;
        if (c != NULL && !isnan(c[y])) {
            sum = isnan(sum) ? c[y] : sum + c[y];
        }
    }
    return sum;
}

int ps_plot__pyramid_year(const ps_result *r, int wanted)
{
    int last = r->start_year + r->n_years - 1;
    if (wanted > 0) {
        return wanted;
    }
    return PS_PLOT_DEFAULT_PYRAMID_YEAR > r->start_year && PS_PLOT_DEFAULT_PYRAMID_YEAR <= last
               ? PS_PLOT_DEFAULT_PYRAMID_YEAR
               : last;
}

int ps_plot__find_service(const plot_scenario *sc, const char *kind, int from)
{
    size_t len = strlen(kind);
    for (int k = from; k < sc->n_svc; ++k) {
        if (strncmp(sc->svc[k].kind, kind, len) == 0) {
            return k;
        }
    }
    return -1;
}

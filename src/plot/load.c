/*
 * load.c - what the charts and the report need from a result file: each scenario as
 * ps_h5_read gives it (core variables, birth order, policy ledger, services) and the file's
 * provenance (ps_h5_read_provenance), summed over regions to one series per year; plus, found
 * with the generic reader (popsim/h5read.h), variables with a `quantile` dimension, which the
 * probabilistic runs add (docs/output-format.md). A malformed file is reported by the reader,
 * not guessed at.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "popsim/h5out.h"
#include "popsim/h5read.h"
#include "popsim/services.h"
#include "core/str_int.h"

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

/*
 * A [year][reg] array of the result summed over regions into a new [n_years] series (NULL
 * stays NULL). NaN cells are skipped; a year whose cells are all NaN stays NaN (the last
 * step of events).
 */
static ps_status region_sum(double **out, const double *cells, const ps_result *r,
                            ps_error *err)
{
    *out = NULL;
    if (cells == NULL) {
        return PS_OK;
    }
    double *v = malloc((size_t)r->n_years * sizeof *v);
    if (v == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int y = 0; y < r->n_years; ++y) {
        double sum = NAN;
        for (int reg = 0; reg < r->n_regions; ++reg) {
            double cell = cells[ps_result_regcell(r, y, reg)];
            if (!isnan(cell)) {
                sum = isnan(sum) ? cell : sum + cell;
            }
        }
        v[y] = sum;
    }
    *out = v;
    return PS_OK;
}

/* births_by_order summed over regions, by order 1, 2, 3+. */
static ps_status load_births_order(plot_scenario *sc, ps_error *err)
{
    const ps_result *r = &sc->res;
    if (r->births_by_order == NULL) {
        return PS_OK;
    }
    sc->orders = malloc((PS_ORDER_COUNT + 1) * sizeof *sc->orders);
    sc->births_order = calloc((size_t)r->n_years * PS_ORDER_COUNT + 1, sizeof *sc->births_order);
    if (sc->orders == NULL || sc->births_order == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    sc->n_orders = PS_ORDER_COUNT;
    for (int o = 0; o < PS_ORDER_COUNT; ++o) {
        sc->orders[o] = o + 1;
    }
    for (int y = 0; y < r->n_years; ++y) {
        for (int reg = 0; reg < r->n_regions; ++reg) {
            for (int o = 0; o < PS_ORDER_COUNT; ++o) {
                sc->births_order[(size_t)y * PS_ORDER_COUNT + (size_t)o] +=
                    r->births_by_order[ps_result_ordercell(r, y, reg, o)];
            }
        }
    }
    return PS_OK;
}

/* The policy part: births gained and every instrument's recipients and cost per year. */
static ps_status load_policy(plot_scenario *sc, ps_error *err)
{
    const ps_result *r = &sc->res;
    ps_status rc = PS_OK;
    sc->births_gained = r->births_gained_total;
    sc->cost_per_birth = r->cost_per_additional_birth;
    sc->is_policy = r->baseline != NULL || r->n_instruments > 0 || r->births_gained != NULL;
    if (r->baseline != NULL && (sc->baseline = ps__strdup(r->baseline)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if ((rc = region_sum(&sc->gained, r->births_gained, r, err)) != PS_OK || !sc->is_policy) {
        return rc;
    }
    if ((sc->instr = calloc((size_t)r->n_instruments + 1, sizeof *sc->instr)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int k = 0; rc == PS_OK && k < r->n_instruments; ++k) {
        plot_instrument *in = &sc->instr[k];
        const ps_ledger *l = &r->ledger[k];
        sc->n_instr = k + 1;
        if ((in->name = ps__strdup(l->name)) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        } else if ((rc = region_sum(&in->recipients, l->recipients, r, err)) == PS_OK) {
            rc = region_sum(&in->cost, l->cost, r, err);
        }
    }
    return rc;
}

/* One service: kind, title, target and its basis, and the variables the charts use. */
static ps_status load_service(plot_service *sv, const ps_svc_result *s, const ps_result *r,
                              ps_error *err)
{
    const double *vars[SVC_VAR_COUNT] = { s->demand, s->capacity, s->shortage,
                                          s->surplus, s->staff, s->cost };
    ps_status rc = PS_OK;
    /* As the writer's target_per_1000 attribute: the first year's target per 1,000. */
    sv->target_per_1000 = s->basis != PS_SVC_BASIS_PLACES && s->target != NULL ? s->target[0]
                                                                              : NAN;
    if ((sv->name = ps__strdup(s->name)) == NULL ||
        (sv->title = ps__strdup(s->title != NULL ? s->title : s->name)) == NULL ||
        (sv->kind = ps__strdup(ps_svc_kind_name((ps_svc_kind)s->kind))) == NULL ||
        (sv->basis = ps__strdup(ps_svc_basis_name((ps_svc_basis)s->basis))) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    /* Ages are whole years inside the result's age range; the last one is the open group. */
    sv->basis_lo = s->basis_age_lo >= 0 && s->basis_age_lo < r->n_ages ? s->basis_age_lo : -1;
    sv->basis_hi = s->basis_age_hi >= 0 && s->basis_age_hi < r->n_ages - 1 ? s->basis_age_hi
                                                                          : -1;
    for (int v = 0; rc == PS_OK && v < SVC_VAR_COUNT; ++v) {
        rc = region_sum(&sv->var[v], vars[v], r, err);
    }
    return rc == PS_OK ? ps_plot__load_regional(sv, s, r, err) : rc;
}

static ps_status load_services(plot_scenario *sc, ps_error *err)
{
    const ps_result *r = &sc->res;
    ps_status rc = PS_OK;
    if (r->n_services == 0) {
        return PS_OK;
    }
    if ((sc->svc = calloc((size_t)r->n_services + 1, sizeof *sc->svc)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    for (int k = 0; rc == PS_OK && k < r->n_services; ++k) {
        sc->n_svc = k + 1;
        rc = load_service(&sc->svc[k], &r->services[k], r, err);
    }
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
    fan->label = -1;
    fan->per = 1.0;
    if ((fan->var = ps__strdup(name)) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (ps_h5r_has_attr(f, dset, "units")) {
        ps_status rc = ps_h5r_attr_string(&fan->units, f, dset, "units", err);
        if (rc != PS_OK) {
            return rc;
        }
    } else if ((fan->units = ps__strdup("")) == NULL) {
        return ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (ps_h5r_has_attr(f, dset, "long_name")) { /* captions in words, not the name */
        ps_status rc = ps_h5r_attr_string(&fan->title, f, dset, "long_name", err);
        if (rc != PS_OK) {
            return rc;
        }
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

static ps_status load_scenario(plot_scenario *sc, const ps_h5r_file *f, const char *path,
                               const char *name, ps_error *err)
{
    char *grp = join("/scenarios", name);
    sc->baseline_idx = -1;
    ps_status rc = grp == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory")
                               : ps_h5_read(&sc->res, path, name, err);
    if (rc == PS_OK) {
        rc = load_births_order(sc, err);
    }
    if (rc == PS_OK) {
        rc = load_policy(sc, err);
    }
    if (rc == PS_OK) {
        rc = load_services(sc, err);
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

/* The global provenance attributes ("" where the file has none) and the /provenance rows. */
static ps_status load_provenance(ps_plot_set *s, const char *path, ps_error *err)
{
    ps_file_provenance p;
    ps_status rc = ps_h5_read_provenance(&p, path, err);
    if (rc != PS_OK) {
        return rc;
    }
    char *const attrs[PROV_COUNT] = {
        p.data_source, p.scenario_file, p.scenario_sha256, p.popsim_version,
        p.git_commit, p.created, p.command_line,
    };
    for (int k = 0; rc == PS_OK && k < PROV_COUNT; ++k) {
        if ((s->prov[k] = ps__strdup(attrs[k])) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        }
    }
    /* The rows move over: the set owns them from here. */
    for (int c = 0; rc == PS_OK && c < INPUT_COL_COUNT; ++c) {
        s->inputs[c] = p.inputs[c];
        p.inputs[c] = NULL;
    }
    if (rc == PS_OK) {
        s->n_inputs = p.n_inputs;
    }
    ps_file_provenance_release(&p);
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
    if (rc == PS_OK && ps_h5_prob_present(path)) { /* a probabilistic file (issue #14) */
        if ((s->path = ps__strdup(path)) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        } else if ((rc = ps_plot__load_prob(s, path, err)) == PS_OK) {
            rc = load_provenance(s, path, err);
        }
        goto done;
    }
    if (rc != PS_OK || (rc = ps_h5_list(&names, &n, path, err)) != PS_OK ||
        (rc = ps_h5r_open(&f, path, err)) != PS_OK) {
        goto done;
    }
    if ((s->path = ps__strdup(path)) == NULL ||
        (s->scn = calloc((size_t)n + 1, sizeof *s->scn)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    for (int k = 0; rc == PS_OK && k < n; ++k) {
        s->n_scn = k + 1;
        rc = load_scenario(&s->scn[k], f, path, names[k], err);
    }
    if (rc == PS_OK) {
        rc = load_provenance(s, path, err);
    }
    if (rc == PS_OK && ps_sweep_present(path)) { /* a policy sweep (issue #15) */
        rc = ps_sweep_read(&s->sweep, path, err);
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
        free(sc->fans[k].title);
        free(sc->fans[k].ref);
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
    ps_sweep_table_release(&s->sweep);
    ps_h5_prob_data_release(&s->prob);
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

/*
 * h5prob_read.c - a probabilistic result file (io/h5out_prob.c, docs/output-format.md,
 * "Probabilistic runs") read back for the charts, the report and `popsim info`: the
 * coordinates, the seed and trajectory count, and the quantiles of the summaries people look
 * at. Read through the generic reader (popsim/h5read.h), which checks every read; each shape
 * is compared with the coordinates before the data are read, and a mismatch names the file
 * and the dataset.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "popsim/h5prob.h"
#include "popsim/h5read.h"

#include "h5schema_int.h" /* prob_svc_specs */

/* Largest |year| accepted in the year coordinate, and the bound of a seed stored as a double
 * (2^63: larger values do not fit the long long of ps_h5_prob_data). */
#define PS_H5_PROB_MAX_ABS_YEAR 1.0e6
#define PS_H5_PROB_SEED_LIMIT 9.2233720368547758e18

static const struct {
    const char *var, *sex;
} series[PS_H5_PROB_SERIES_COUNT] = {
    [PS_H5_PROB_POP_TOTAL] = { "population_total", NULL },
    [PS_H5_PROB_BIRTHS] = { "births", NULL },
    [PS_H5_PROB_TFR] = { "tfr", NULL },
    [PS_H5_PROB_E0_FEMALE] = { "e0", "female" },
    [PS_H5_PROB_E0_MALE] = { "e0", "male" },
    [PS_H5_PROB_DEP_OLD] = { "old_age_dependency", NULL },
    [PS_H5_PROB_SHARE_65] = { "share_65plus", NULL },
};

const char *ps_h5_prob_series_var(ps_h5_prob_series s)
{
    return series[s].var;
}

const char *ps_h5_prob_series_sex(ps_h5_prob_series s)
{
    return series[s].sex;
}

static char *path_of(const char *group, const char *name)
{
    size_t len = strlen("/probabilistic/") + strlen(group) + strlen(name) + 2;
    char *p = malloc(len);
    if (p != NULL) {
        snprintf(p, len, "/probabilistic/%s/%s", group, name);
    }
    return p;
}

int ps_h5_prob_present(const char *path)
{
    ps_h5r_file *f = NULL;
    int yes = 0;
    if (ps_h5r_open(&f, path, NULL) == PS_OK) {
        yes = ps_h5r_kind_of(f, "/probabilistic") == PS_H5R_GROUP &&
              ps_h5r_kind_of(f, "/scenarios") == PS_H5R_NONE;
    }
    ps_h5r_close(f);
    return yes;
}

static ps_status shape_error(ps_error *err, const char *path, const char *dset, const char *what)
{
    return ps_error_set_at(err, PS_EHDF5, path, 0, 0, "dataset '%s': %s", dset, what);
}

/* A 1-D numeric coordinate of the group, its length checked to be at least 1. */
static ps_status read_coord(ps_h5r_array *a, const ps_h5r_file *f, const char *path,
                            const char *group, const char *name, ps_error *err)
{
    char *dset = path_of(group, name);
    ps_status rc = dset == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory") : PS_OK;
    if (rc == PS_OK && ps_h5r_kind_of(f, dset) != PS_H5R_DATASET) {
        rc = shape_error(err, path, dset, "missing (expected the coordinate of a "
                         "probabilistic file)");
    }
    if (rc == PS_OK && (rc = ps_h5r_read_shape(a, f, dset, err)) == PS_OK &&
        (a->rank != 1 || a->dims[0] < 1)) {
        rc = shape_error(err, path, dset, "expected a non-empty one-dimensional coordinate");
    }
    if (rc == PS_OK) {
        ps_h5r_array_release(a);
        rc = ps_h5r_read_array(a, f, dset, err);
    }
    free(dset);
    return rc;
}

/* Coordinates, attributes and labels. */
static ps_status read_frame(ps_h5_prob_data *d, const ps_h5r_file *f, const char *path,
                            ps_error *err)
{
    ps_h5r_array years = { 0 }, levels = { 0 };
    char *dset = NULL;
    size_t n_labels = 0;
    double v = 0.0;
    ps_status rc = read_coord(&years, f, path, d->group, "year", err);
    if (rc == PS_OK) {
        rc = read_coord(&levels, f, path, d->group, "quantile", err);
    }
    if (rc != PS_OK) {
        goto done;
    }
    for (size_t y = 0; y < years.n; ++y) { /* consecutive calendar years */
        const double want = years.data[0] + (double)y;
        if (!(fabs(years.data[0]) <= PS_H5_PROB_MAX_ABS_YEAR) || years.data[y] != want) {
            rc = ps_error_set_at(err, PS_EHDF5, path, 0, 0, "dataset '/probabilistic/%s/year': "
                                 "expected consecutive calendar years, found %g at position %zu",
                                 d->group, years.data[y], y);
            goto done;
        }
    }
    d->start_year = (int)years.data[0];
    d->n_years = (int)years.n;
    d->n_q = (int)levels.n;
    d->levels = levels.data;
    levels.data = NULL;
    for (int q = 0; q < d->n_q; ++q) {
        if (!(d->levels[q] >= 0.0 && d->levels[q] <= 1.0)) {
            rc = ps_error_set_at(err, PS_EHDF5, path, 0, 0, "dataset '/probabilistic/%s/"
                                 "quantile': level %g is outside [0, 1]", d->group,
                                 d->levels[q]);
            goto done;
        }
    }
    d->dim = malloc(strlen("location") + 1);
    if (d->dim == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    strcpy(d->dim, "location");
    if ((dset = path_of(d->group, "location")) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    if (ps_h5r_kind_of(f, dset) != PS_H5R_DATASET) {
        strcpy(d->dim, "region");
        free(dset);
        if ((dset = path_of(d->group, "region")) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
            goto done;
        }
    }
    if ((rc = ps_h5r_read_strings(&d->labels, &n_labels, f, dset, err)) != PS_OK) {
        goto done;
    }
    d->n_loc = (int)n_labels;
    if (d->n_loc < 1) {
        rc = shape_error(err, path, dset, "expected at least one location");
        goto done;
    }
    /* Attributes out of range read as absent (-1, 0) rather than overflow a conversion. */
    if (ps_h5r_attr_double(&v, f, "/", "seed", NULL) == PS_OK && v >= 0.0 &&
        v < PS_H5_PROB_SEED_LIMIT) {
        d->seed = (long long)v;
    }
    if (ps_h5r_attr_double(&v, f, "/", "trajectories", NULL) == PS_OK && v >= 0.0 &&
        v <= INT_MAX) {
        d->trajectories = (int)v;
    }
done:
    ps_h5r_array_release(&years);
    ps_h5r_array_release(&levels);
    free(dset);
    return rc;
}

/* One series: (year, location[, sex], quantile), its shape checked, the sex picked. */
static ps_status read_series(ps_h5_prob_data *d, ps_h5_prob_series s, const ps_h5r_file *f,
                             const char *path, ps_error *err)
{
    ps_h5r_array a = { 0 };
    const int by_sex = series[s].sex != NULL;
    const int rank = by_sex ? 4 : 3;
    int sex_idx = s == PS_H5_PROB_E0_MALE ? 1 : 0;
    char *dset = path_of(d->group, series[s].var), msg[160];
    ps_status rc = dset == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory") : PS_OK;
    if (rc != PS_OK || ps_h5r_kind_of(f, dset) != PS_H5R_DATASET) {
        goto done; /* a file may lack a summary; the charts skip it */
    }
    if ((rc = ps_h5r_read_shape(&a, f, dset, err)) != PS_OK) {
        goto done;
    }
    if (a.rank != rank || a.dims[0] != (size_t)d->n_years || a.dims[1] != (size_t)d->n_loc ||
        (by_sex && a.dims[2] != 2) || a.dims[rank - 1] != (size_t)d->n_q) {
        snprintf(msg, sizeof msg, "expected dimensions (year %d, %s %d%s, quantile %d)",
                 d->n_years, d->dim, d->n_loc, by_sex ? ", sex 2" : "", d->n_q);
        rc = shape_error(err, path, dset, msg);
        goto done;
    }
    ps_h5r_array_release(&a);
    if ((rc = ps_h5r_read_array(&a, f, dset, err)) != PS_OK) {
        goto done;
    }
    if (by_sex) {
        char **sexes = NULL;
        size_t n_sex = 0;
        char *sdset = path_of(d->group, "sex");
        if (sdset != NULL && ps_h5r_read_strings(&sexes, &n_sex, f, sdset, NULL) == PS_OK) {
            for (size_t k = 0; k < n_sex; ++k) {
                if (strcmp(sexes[k], series[s].sex) == 0) {
                    sex_idx = (int)k;
                }
                free(sexes[k]);
            }
            free(sexes);
        }
        free(sdset);
    }
    d->q[s] = malloc((size_t)d->n_loc * (size_t)d->n_years * (size_t)d->n_q * sizeof(double));
    if (d->q[s] == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    for (int y = 0; y < d->n_years; ++y) {
        for (int loc = 0; loc < d->n_loc; ++loc) {
            size_t from = (size_t)y * (size_t)d->n_loc + (size_t)loc;
            if (by_sex) {
                from = from * 2 + (size_t)sex_idx;
            }
            memcpy(d->q[s] + ((size_t)loc * (size_t)d->n_years + (size_t)y) * (size_t)d->n_q,
                   a.data + from * (size_t)d->n_q, (size_t)d->n_q * sizeof(double));
        }
    }
done:
    ps_h5r_array_release(&a);
    free(dset);
    return rc;
}

/* The process parameters (prob_process_specs), (location, process), each location's
 * PS_PROB_PROC_COUNT values in the order of ps_h5_prob_process_name, which the file's
 * `process` coordinate must have; left NULL where the file has none. */
static ps_status read_process(ps_h5_prob_data *d, const ps_h5r_file *f, const char *path,
                              ps_error *err)
{
    ps_status rc = PS_OK;
    for (int k = 0; rc == PS_OK && k < PS_H5_PROB_PROCESS_ROWS; ++k) {
        ps_h5r_array a = { 0 };
        char *dset = path_of(d->group, prob_process_specs[k].name), msg[160];
        if (dset == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        } else if (ps_h5r_kind_of(f, dset) == PS_H5R_DATASET &&
                   (rc = ps_h5r_read_shape(&a, f, dset, err)) == PS_OK) {
            if (a.rank != 2 || a.dims[0] != (size_t)d->n_loc || a.dims[1] != PS_PROB_PROC_COUNT) {
                snprintf(msg, sizeof msg, "expected dimensions (%s %d, process %d)", d->dim,
                         d->n_loc, PS_PROB_PROC_COUNT);
                rc = shape_error(err, path, dset, msg);
            }
            ps_h5r_array_release(&a);
            if (rc == PS_OK && (rc = ps_h5r_read_array(&a, f, dset, err)) == PS_OK) {
                d->process[k] = a.data; /* the array's data, n_loc x PS_PROB_PROC_COUNT */
                a.data = NULL;
            }
            ps_h5r_array_release(&a);
        }
        free(dset);
    }
    char *adset = rc == PS_OK ? path_of(d->group, prob_alignment_spec.name) : NULL;
    if (rc == PS_OK && adset == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    } else if (rc == PS_OK && ps_h5r_kind_of(f, adset) == PS_H5R_DATASET) { /* sec. 9.7 */
        ps_h5r_array a = { 0 };
        if ((rc = ps_h5r_read_shape(&a, f, adset, err)) == PS_OK &&
            (a.rank != 2 || a.dims[0] != (size_t)d->n_years || a.dims[1] != (size_t)d->n_loc)) {
            char msg[160];
            snprintf(msg, sizeof msg, "expected dimensions (year %d, %s %d)", d->n_years,
                     d->dim, d->n_loc);
            rc = shape_error(err, path, adset, msg);
        }
        ps_h5r_array_release(&a);
        if (rc == PS_OK && (rc = ps_h5r_read_array(&a, f, adset, err)) == PS_OK) {
            d->alignment = a.data; /* n_years x n_loc */
            a.data = NULL;
        }
        ps_h5r_array_release(&a);
    }
    free(adset);
    char **names = NULL;
    size_t n_names = 0;
    char *cdset = d->process[0] != NULL ? path_of(d->group, "process") : NULL;
    if (rc == PS_OK && d->process[0] != NULL) { /* the rows' order is the coordinate's */
        int same = cdset != NULL &&
                   ps_h5r_read_strings(&names, &n_names, f, cdset, NULL) == PS_OK &&
                   n_names == PS_PROB_PROC_COUNT;
        for (size_t k = 0; same && k < n_names; ++k) {
            same = strcmp(names[k], ps_h5_prob_process_name((int)k)) == 0;
        }
        if (!same) {
            rc = shape_error(err, path, cdset != NULL ? cdset : "process",
                             "expected the coordinate `process` = tfr, e0, net_migration");
        }
    }
    for (size_t k = 0; k < n_names; ++k) {
        free(names[k]);
    }
    free(names);
    free(cdset);
    return rc;
}

/* ---- services under uncertainty (issue #14, sec. 2) ------------------------------------ */

/* Strings of a 1-D dataset of the group into *out (n entries), or copies of `fallback[k]`
 * (or "") where the file lacks it. */
static ps_status read_svc_labels(char ***out, const ps_h5r_file *f, const ps_h5_prob_data *d,
                                 const char *name, char *const *fallback, const char *path,
                                 ps_error *err)
{
    char *dset = path_of(d->group, name);
    size_t n = 0;
    ps_status rc = dset == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory") : PS_OK;
    if (rc == PS_OK && ps_h5r_kind_of(f, dset) == PS_H5R_DATASET) {
        rc = ps_h5r_read_strings(out, &n, f, dset, err);
        if (rc == PS_OK && n != (size_t)d->n_svc) {
            rc = shape_error(err, path, dset, "expected one entry per service");
            for (size_t k = 0; k < n; ++k) {
                free((*out)[k]);
            }
            free(*out);
            *out = NULL;
        }
    } else if (rc == PS_OK) {
        *out = calloc((size_t)d->n_svc + 1, sizeof **out);
        for (int k = 0; *out != NULL && k < d->n_svc; ++k) {
            const char *src = fallback != NULL ? fallback[k] : "";
            if (((*out)[k] = malloc(strlen(src) + 1)) == NULL) {
                break;
            }
            strcpy((*out)[k], src);
        }
        if (*out == NULL || (d->n_svc > 0 && (*out)[d->n_svc - 1] == NULL)) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        }
    }
    free(dset);
    return rc;
}

/* One service variable (year, location, service[, quantile]) into *out, reordered to
 * [(loc, year, service)[, quantile]]; absent: *out stays NULL. */
static ps_status read_svc_var(double **out, const ps_h5r_file *f, const ps_h5_prob_data *d,
                              const prob_var_spec *spec, int with_q, const char *path,
                              ps_error *err)
{
    ps_h5r_array a = { 0 };
    char *dset = path_of(d->group, spec->name), msg[160];
    const int rank = with_q ? 4 : 3;
    const size_t nq = with_q ? (size_t)d->n_q : 1, K = (size_t)d->n_svc;
    ps_status rc = dset == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory") : PS_OK;
    if (rc != PS_OK || ps_h5r_kind_of(f, dset) != PS_H5R_DATASET) {
        goto done;
    }
    if ((rc = ps_h5r_read_shape(&a, f, dset, err)) != PS_OK) {
        goto done;
    }
    if (a.rank != rank || a.dims[0] != (size_t)d->n_years || a.dims[1] != (size_t)d->n_loc ||
        a.dims[2] != K || (with_q && a.dims[3] != nq)) {
        snprintf(msg, sizeof msg, "expected dimensions (year %d, %s %d, service %d%s)",
                 d->n_years, d->dim, d->n_loc, d->n_svc, with_q ? ", quantile" : "");
        rc = shape_error(err, path, dset, msg);
        goto done;
    }
    ps_h5r_array_release(&a);
    if ((rc = ps_h5r_read_array(&a, f, dset, err)) != PS_OK) {
        goto done;
    }
    const size_t block = K * nq; /* one (year, location) */
    if ((*out = malloc((size_t)d->n_loc * (size_t)d->n_years * block * sizeof **out)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        goto done;
    }
    for (int y = 0; y < d->n_years; ++y) {
        for (int loc = 0; loc < d->n_loc; ++loc) {
            memcpy(*out + ((size_t)loc * (size_t)d->n_years + (size_t)y) * block,
                   a.data + ((size_t)y * (size_t)d->n_loc + (size_t)loc) * block,
                   block * sizeof **out);
        }
    }
done:
    ps_h5r_array_release(&a);
    free(dset);
    return rc;
}

static ps_status read_services(ps_h5_prob_data *d, const ps_h5r_file *f, const char *path,
                               ps_error *err)
{
    char *dset = path_of(d->group, "service");
    size_t n = 0;
    ps_status rc = dset == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory") : PS_OK;
    if (rc != PS_OK || ps_h5r_kind_of(f, dset) != PS_H5R_DATASET) {
        free(dset);
        return rc; /* a file without services */
    }
    rc = ps_h5r_read_strings(&d->svc_names, &n, f, dset, err);
    free(dset);
    d->n_svc = rc == PS_OK ? (int)n : 0;
    if (rc == PS_OK) {
        rc = read_svc_labels(&d->svc_titles, f, d, "service_title", d->svc_names, path, err);
    }
    if (rc == PS_OK) {
        rc = read_svc_labels(&d->svc_kinds, f, d, "service_kind", NULL, path, err);
    }
    for (int v = 0; rc == PS_OK && v < PS_SVC_PROB_VAR_COUNT; ++v) {
        rc = read_svc_var(&d->svc_q[v], f, d, &prob_svc_specs[v], 1, path, err);
    }
    if (rc == PS_OK) {
        rc = read_svc_var(&d->svc_p_shortage, f, d, &prob_svc_specs[PROB_SVC_P_SHORTAGE], 0,
                          path, err);
    }
    return rc;
}
static ps_status read_policy(ps_h5_prob_data *d, const ps_h5r_file *f, const char *path,
                             ps_error *err);

ps_status ps_h5_prob_read(ps_h5_prob_data *out, const char *path, ps_error *err)
{
    ps_h5r_file *f = NULL;
    char **groups = NULL;
    int n_groups = 0;
    memset(out, 0, sizeof *out);
    out->seed = -1;
    ps_status rc = ps_h5r_open(&f, path, err);
    if (rc == PS_OK && ps_h5r_kind_of(f, "/probabilistic") != PS_H5R_GROUP) {
        rc = ps_error_set_at(err, PS_EHDF5, path, 0, 0, "no group '/probabilistic' (expected "
                             "a file of `popsim run --trajectories N`)");
    }
    if (rc == PS_OK &&
        (rc = ps_h5r_children(&groups, &n_groups, f, "/probabilistic", PS_H5R_GROUP, err)) ==
            PS_OK &&
        n_groups < 1) {
        rc = ps_error_set_at(err, PS_EHDF5, path, 0, 0, "group '/probabilistic' is empty");
    }
    if (rc == PS_OK) {
        size_t len = strlen(groups[0]) + 1;
        if ((out->group = malloc(len)) == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        } else {
            memcpy(out->group, groups[0], len);
            rc = read_frame(out, f, path, err);
        }
    }
    for (int s = 0; rc == PS_OK && s < PS_H5_PROB_SERIES_COUNT; ++s) {
        rc = read_series(out, (ps_h5_prob_series)s, f, path, err);
    }
    if (rc == PS_OK) {
        rc = read_services(out, f, path, err);
    }
    if (rc == PS_OK) {
        rc = read_policy(out, f, path, err);
    }
    if (rc == PS_OK) {
        rc = read_process(out, f, path, err);
    }
    for (int k = 0; k < n_groups; ++k) {
        free(groups[k]);
    }
    free(groups);
    ps_h5r_close(f);
    if (rc != PS_OK) {
        ps_h5_prob_data_release(out);
    }
    return rc;
}

void ps_h5_prob_data_release(ps_h5_prob_data *d)
{
    for (int k = 0; d->labels != NULL && k < d->n_loc; ++k) {
        free(d->labels[k]);
    }
    free(d->labels);
    free(d->group);
    free(d->dim);
    free(d->levels);
    for (int s = 0; s < PS_H5_PROB_SERIES_COUNT; ++s) {
        free(d->q[s]);
    }
    char **const svc_text[] = { d->svc_names, d->svc_titles, d->svc_kinds };
    for (size_t t = 0; t < sizeof svc_text / sizeof svc_text[0]; ++t) {
        for (int k = 0; svc_text[t] != NULL && k < d->n_svc; ++k) {
            free(svc_text[t][k]);
        }
        free(svc_text[t]);
    }
    for (int v = 0; v < PS_SVC_PROB_VAR_COUNT; ++v) {
        free(d->svc_q[v]);
    }
    free(d->svc_p_shortage);
    for (int k = 0; k < PS_H5_PROB_PROCESS_ROWS; ++k) {
        free(d->process[k]);
    }
    free(d->alignment);
    ps_prob_pol_summary_release(&d->policy);
    memset(d, 0, sizeof *d);
    d->seed = -1;
}

/* ---- policy variants under uncertainty (issue #14, sec. 2; h5out_prob.c) --------------- */

/* Quantiles and mean of one policy variable into stats[rows][variant][PS_PROB_N_STATS]
 * (rows = years with by_year, else 1), shapes checked against the coordinates. */
static ps_status read_policy_var(double *stats, const ps_h5_prob_data *d, const ps_h5r_file *f,
                                 const char *path, const char *name, int by_year,
                                 ps_error *err)
{
    const int V = d->policy.n_variants, rows = by_year ? d->n_years : 1;
    char mean_name[96];
    snprintf(mean_name, sizeof mean_name, "%s_mean", name);
    ps_h5r_array q = { 0 }, m = { 0 };
    char *dq = path_of(d->group, name), *dm = path_of(d->group, mean_name);
    ps_status rc = dq == NULL || dm == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory")
                                            : PS_OK;
    if (rc == PS_OK && ((rc = ps_h5r_read_array(&q, f, dq, err)) != PS_OK ||
                        (rc = ps_h5r_read_array(&m, f, dm, err)) != PS_OK)) {
        goto done;
    }
    const size_t cells = (size_t)rows * (size_t)V;
    const int r0 = by_year ? 1 : 0; /* dims: [year,] region, variant, quantile */
    if (rc == PS_OK && (q.rank != r0 + 3 || m.rank != r0 + 2 ||
                        (by_year && (q.dims[0] != (size_t)rows || m.dims[0] != (size_t)rows)) ||
                        q.dims[r0] != 1 || q.dims[r0 + 1] != (size_t)V ||
                        q.dims[r0 + 2] != PS_PROB_N_QUANTILES || m.n != cells)) {
        rc = shape_error(err, path, dq, by_year ? "expected dimensions (year, region 1, "
                         "variant, quantile 5) and its _mean (year, region 1, variant)"
                         : "expected dimensions (region 1, variant, quantile 5) and its "
                           "_mean (region 1, variant)");
    }
    for (size_t c = 0; rc == PS_OK && c < cells; ++c) {
        memcpy(stats + c * PS_PROB_N_STATS, q.data + c * PS_PROB_N_QUANTILES,
               PS_PROB_N_QUANTILES * sizeof *stats);
        stats[c * PS_PROB_N_STATS + PS_PROB_N_QUANTILES] = m.data[c];
    }
done:
    ps_h5r_array_release(&q);
    ps_h5r_array_release(&m);
    free(dq);
    free(dm);
    return rc;
}

/* The `variant` coordinate and every policy variable, if the file has them. */
static ps_status read_policy(ps_h5_prob_data *d, const ps_h5r_file *f, const char *path,
                             ps_error *err)
{
    char **names = NULL;
    size_t n = 0;
    char *dset = path_of(d->group, "variant");
    ps_status rc = dset == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory") : PS_OK;
    if (rc != PS_OK || ps_h5r_kind_of(f, dset) != PS_H5R_DATASET) {
        free(dset);
        return rc; /* no policy variants */
    }
    rc = ps_h5r_read_strings(&names, &n, f, dset, err);
    if (rc == PS_OK && (n < 1 || d->n_loc != 1 || d->n_q != PS_PROB_N_QUANTILES)) {
        rc = shape_error(err, path, dset, "expected policy variants only in a file of one "
                         "region with the 5 standard quantiles");
    }
    if (rc == PS_OK) {
        rc = ps_prob_pol_summary_init(&d->policy, (int)n, (const char *const *)names,
                                      d->start_year, d->n_years,
                                      d->trajectories > 0 ? d->trajectories : 1, 0, err);
    }
    if (rc == PS_OK) {
        rc = read_policy_var(d->policy.gained, d, f, path, "births_gained", 1, err);
    }
    for (int k = 0; rc == PS_OK && k < PS_PROB_POL_VAR_COUNT; ++k) {
        rc = read_policy_var(d->policy.scalar[k], d, f, path,
                             ps_prob_pol_var_name((ps_prob_pol_var)k), 0, err);
    }
    if (rc == PS_OK) {
        ps_h5r_array a = { 0 };
        char *ds = path_of(d->group, "births_gained_none_share");
        rc = ds == NULL ? ps_error_set(err, PS_ENOMEM, "out of memory")
                        : ps_h5r_read_array(&a, f, ds, err);
        if (rc == PS_OK && a.n != n) {
            rc = shape_error(err, path, ds, "expected dimensions (region 1, variant)");
        }
        if (rc == PS_OK) {
            memcpy(d->policy.no_gain, a.data, n * sizeof *a.data);
        }
        ps_h5r_array_release(&a);
        free(ds);
    }
    for (size_t k = 0; names != NULL && k < n; ++k) {
        free(names[k]);
    }
    free(names);
    free(dset);
    return rc;
}

/* ---- a policy variant's services under uncertainty (issue #14, sec. 2; h5out_prob.c) ----- */

ps_status ps_h5_prob_read_variant(ps_h5_prob_data *out, const char *path, const char *group,
                                  const char *variant, ps_error *err)
{
    ps_h5r_file *f = NULL;
    memset(out, 0, sizeof *out);
    out->seed = -1;
    const size_t len = strlen(group) + strlen("/variants/") + strlen(variant) + 1;
    ps_status rc = ps_h5r_open(&f, path, err);
    if (rc == PS_OK && (out->group = malloc(len)) == NULL) {
        rc = ps_error_set(err, PS_ENOMEM, "out of memory");
    }
    if (rc == PS_OK) {
        snprintf(out->group, len, "%s/variants/%s", group, variant);
        char *dset = path_of(out->group, "service");
        if (dset == NULL) {
            rc = ps_error_set(err, PS_ENOMEM, "out of memory");
        } else if (ps_h5r_kind_of(f, dset) != PS_H5R_DATASET) {
            rc = ps_error_set_at(err, PS_EINVAL, path, 0, 0, "variant '%s' has no services in "
                                 "this file (expected '%s')", variant, dset);
        }
        free(dset);
    }
    if (rc == PS_OK) {
        rc = read_frame(out, f, path, err);
    }
    if (rc == PS_OK) {
        rc = read_services(out, f, path, err);
    }
    ps_h5r_close(f);
    if (rc != PS_OK) {
        ps_h5_prob_data_release(out);
    }
    return rc;
}

int ps_h5_prob_variant_present(const char *path, const char *group, const char *variant)
{
    ps_h5r_file *f = NULL;
    int yes = 0;
    const size_t len = strlen(group) + strlen(variant) + strlen("/variants//service") + 1;
    char *rel = malloc(len), *dset = NULL;
    if (rel != NULL) {
        snprintf(rel, len, "%s/variants/%s", group, variant);
        dset = path_of(rel, "service");
    }
    if (dset != NULL && ps_h5r_open(&f, path, NULL) == PS_OK) {
        yes = ps_h5r_kind_of(f, dset) == PS_H5R_DATASET;
    }
    ps_h5r_close(f);
    free(dset);
    free(rel);
    return yes;
}

/*
 * h5out_prob.c - probabilistic results to HDF5 (popsim/h5prob.h, docs/output-format.md,
 * "Probabilistic runs"). The coordinates are dimension scales attached to every variable,
 * every variable has units, long_name and _FillValue, so xarray opens the group labelled.
 * The file goes through ps_outfile (temporary beside the target, fsync, rename).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "popsim/h5prob.h"
#include "popsim/outfile.h"
#include "popsim/units.h"
#include "popsim/version.h"

#include "h5schema_int.h" /* prob_svc_specs */

enum { D_YEAR, D_REG, D_QUANT, D_SEX, D_GROUP, D_TRAJ, D_SVC, D_VARIANT, D_PROC, D_COUNT };

typedef struct var_desc {
    ps_prob_var v;
    const char *name, *units, *long_name;
    int by_sex, by_group; /* extra dims: sex, or sex and age_group */
} var_desc;

static const var_desc vars[] = {
    { PS_PROB_V_POP_TOTAL, "population_total", "1", "total population on 1 July (quantiles of "
      "each trajectory's total)", 0, 0 },
    { PS_PROB_V_POP_GROUP, "population", "1", "population on 1 July by sex and 5-year age "
      "group", 1, 1 },
    { PS_PROB_V_BIRTHS, "births", "1", "live births from 1 July of the year to 1 July of the "
      "next", 0, 0 },
    { PS_PROB_V_DEATHS, "deaths", "1", "deaths from 1 July of the year to 1 July of the next",
      0, 0 },
    { PS_PROB_V_NET_MIG, "net_migration", "1", "net international migrants from 1 July of the "
      "year to 1 July of the next", 0, 0 },
    { PS_PROB_V_TFR, "tfr", "1", "total fertility rate of the calendar year, children per "
      "woman", 0, 0 },
    { PS_PROB_V_E0, "e0", "year", "life expectancy at birth of the calendar year", 1, 0 },
    { PS_PROB_V_DEP_OLD, "old_age_dependency", "1", "persons aged 65+ per person aged 15-64",
      0, 0 },
    { PS_PROB_V_DEP_CHILD, "child_dependency", "1", "persons aged 0-14 per person aged 15-64",
      0, 0 },
    { PS_PROB_V_DEP_TOTAL, "total_dependency", "1", "persons aged 0-14 and 65+ per person "
      "aged 15-64", 0, 0 },
};
#define N_VARS ((int)(sizeof vars / sizeof vars[0]))

typedef struct writer {
    hid_t file, grp, str_type;
    hid_t dim[D_COUNT];
    ps_error *err;
} writer;

static ps_status fail(writer *w, const char *what, const char *name)
{
    return ps_error_set(w->err, PS_EHDF5, "cannot %s '%s' in the probabilistic result file",
                        what, name);
}

/* A scalar attribute of file type ftype from *value in memory type mtype. */
static ps_status attr_scalar(writer *w, hid_t obj, const char *name, hid_t ftype, hid_t mtype,
                             const void *value)
{
    hid_t sp = H5Screate(H5S_SCALAR), a = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    if (sp < 0 || (a = H5Acreate2(obj, name, ftype, sp, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
        H5Awrite(a, mtype, value) < 0) {
        rc = fail(w, "write attribute", name);
    }
    if (a >= 0) {
        H5Aclose(a);
    }
    if (sp >= 0) {
        H5Sclose(sp);
    }
    return rc;
}

/* A string attribute (NULL is written as ""). */
static ps_status attr_text(writer *w, hid_t obj, const char *name, const char *value)
{
    const char *v = value != NULL ? value : "";
    return attr_scalar(w, obj, name, w->str_type, w->str_type, &v);
}

/* A dataset of rank dims in the group; data in the memory type; returns its id in *out.
 * by_year: float64 of rank > 1 is chunked one first-dimension row (a year) a chunk, shuffled
 * and deflated; otherwise contiguous. */
static ps_status dataset_layout(writer *w, hid_t *out, const char *name, hid_t ftype,
                                hid_t mtype, int rank, const hsize_t *dims, const void *data,
                                int by_year)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
    hid_t ds = H5I_INVALID_HID, dxpl = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    hsize_t n = 1;
    for (int k = 0; k < rank; ++k) {
        n *= dims[k];
    }
    dxpl = ps_h5__small_dxpl(n); /* strings: no 1 MiB buffers (io/h5xfer.c) */
    if (sp >= 0 && dcpl >= 0 && by_year && rank > 1 && n > 0 && mtype == H5T_NATIVE_DOUBLE) {
        hsize_t chunk[H5S_MAX_RANK];
        chunk[0] = 1; /* one year a chunk */
        for (int k = 1; k < rank; ++k) {
            chunk[k] = dims[k];
        }
        if (H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
            H5Pset_deflate(dcpl, 4) < 0) {
            rc = fail(w, "set the layout of", name);
        }
    }
    if (rc == PS_OK &&
        (sp < 0 || dcpl < 0 || dxpl < 0 ||
         (ds = H5Dcreate2(w->grp, name, ftype, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0 ||
         (n > 0 && H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, dxpl, data) < 0))) {
        rc = fail(w, "write dataset", name);
    }
    if (dxpl >= 0) {
        H5Pclose(dxpl);
    }
    if (sp >= 0) {
        H5Sclose(sp);
    }
    if (dcpl >= 0) {
        H5Pclose(dcpl);
    }
    if (rc != PS_OK && ds >= 0) {
        H5Dclose(ds);
        ds = H5I_INVALID_HID;
    }
    *out = ds;
    return rc;
}

static ps_status dataset(writer *w, hid_t *out, const char *name, hid_t ftype, hid_t mtype,
                         int rank, const hsize_t *dims, const void *data)
{
    return dataset_layout(w, out, name, ftype, mtype, rank, dims, data, 1);
}

static ps_status coord(writer *w, int d, const char *name, hid_t ftype, hid_t mtype, hsize_t len,
                       const void *data, const char *units, const char *long_name)
{
    ps_status rc = dataset(w, &w->dim[d], name, ftype, mtype, 1, &len, data);
    if (rc == PS_OK && H5DSset_scale(w->dim[d], name) < 0) {
        rc = fail(w, "make a dimension scale of", name);
    }
    if (rc == PS_OK && units != NULL) {
        rc = attr_text(w, w->dim[d], "units", units);
    }
    if (rc == PS_OK) {
        rc = attr_text(w, w->dim[d], "long_name", long_name);
    }
    return rc;
}

/* A float64 variable over dims d[0..rank-1] with its attributes and scales; by_year as in
 * dataset_layout. */
static ps_status variable_layout(writer *w, const char *name, const char *units,
                                 const char *long_name, int rank, const int *d,
                                 const hsize_t *len, const double *data, int by_year)
{
    hid_t ds = H5I_INVALID_HID;
    const double fill = NAN;
    ps_status rc = dataset_layout(w, &ds, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, rank, len,
                                  data, by_year);
    if (rc == PS_OK) {
        rc = attr_scalar(w, ds, "_FillValue", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &fill);
    }
    if (rc == PS_OK) {
        rc = attr_text(w, ds, "units", units);
    }
    if (rc == PS_OK) {
        rc = attr_text(w, ds, "long_name", long_name);
    }
    for (int k = 0; rc == PS_OK && k < rank; ++k) {
        if (H5DSattach_scale(ds, w->dim[d[k]], (unsigned)k) < 0) {
            rc = fail(w, "attach a dimension scale to", name);
        }
    }
    if (ds >= 0) {
        H5Dclose(ds);
    }
    return rc;
}

static ps_status variable(writer *w, const char *name, const char *units, const char *long_name,
                          int rank, const int *d, const hsize_t *len, const double *data)
{
    return variable_layout(w, name, units, long_name, rank, d, len, data, 1);
}

/* The variables of one summary: quantiles and mean, and the trajectories if asked. */
/* Whether every run's median was aligned (docs/model.md 9.7): then the group has the factors
 * (population_alignment) and the flow they add (alignment_flow). */
static int all_aligned(const ps_prob *const *runs, int n)
{
    for (int r = 0; r < n; ++r) {
        if (ps_prob_alignment(runs[r]) == NULL) {
            return 0;
        }
    }
    return 1;
}

static ps_status write_var(writer *w, const var_desc *vd, const ps_prob *const *runs, int n,
                           int with_traj)
{
    const int Y = ps_prob_n_years(runs[0]), C = ps_prob_var_cells(vd->v);
    const int T = ps_prob_n_traj(runs[0]);
    const size_t per_run = (size_t)C * PS_PROB_N_QUANTILES;
    double *q = malloc((size_t)Y * (size_t)n * per_run * sizeof *q);
    double *m = malloc((size_t)Y * (size_t)n * (size_t)C * sizeof *m);
    double *tr = with_traj ? malloc((size_t)Y * (size_t)n * (size_t)C * (size_t)T * sizeof *tr)
                           : NULL;
    ps_status rc = PS_OK;
    if (q == NULL || m == NULL || (with_traj && tr == NULL)) {
        rc = ps_error_set(w->err, PS_ENOMEM, "out of memory writing %s", vd->name);
        goto done;
    }
    for (int y = 0; y < Y; ++y) {
        for (int r = 0; r < n; ++r) {
            const double *st = ps_prob_stats(runs[r], vd->v);
            for (int c = 0; c < C; ++c) {
                const double *s = st + ((size_t)y * (size_t)C + (size_t)c) * PS_PROB_N_STATS;
                const size_t at = ((size_t)y * (size_t)n + (size_t)r) * (size_t)C + (size_t)c;
                memcpy(q + at * PS_PROB_N_QUANTILES, s, PS_PROB_N_QUANTILES * sizeof *s);
                m[at] = s[PS_PROB_N_QUANTILES];
                if (with_traj) {
                    const double *t = ps_prob_trajectories(runs[r], vd->v) +
                                      ((size_t)y * (size_t)C + (size_t)c) * (size_t)T;
                    memcpy(tr + at * (size_t)T, t, (size_t)T * sizeof *t);
                }
            }
        }
    }
    int d[6] = { D_YEAR, D_REG }, rank = 2;
    hsize_t len[6] = { (hsize_t)Y, (hsize_t)n };
    if (vd->by_sex) {
        d[rank] = D_SEX;
        len[rank++] = PS_SEX_COUNT;
    }
    if (vd->by_group) {
        d[rank] = D_GROUP;
        len[rank++] = PS_PROB_N_GROUPS;
    }
    char name[96], long_name[256];
    snprintf(name, sizeof name, "%s_mean", vd->name);
    snprintf(long_name, sizeof long_name, "mean over trajectories: %s", vd->long_name);
    d[rank] = D_QUANT;
    len[rank] = PS_PROB_N_QUANTILES;
    rc = variable(w, vd->name, vd->units, vd->long_name, rank + 1, d, len, q);
    if (rc == PS_OK) {
        rc = variable(w, name, vd->units, long_name, rank, d, len, m);
    }
    if (rc == PS_OK && with_traj) {
        snprintf(name, sizeof name, "%s_trajectories", vd->name);
        snprintf(long_name, sizeof long_name, "every trajectory: %s", vd->long_name);
        d[rank] = D_TRAJ;
        len[rank] = (hsize_t)T;
        rc = variable(w, name, vd->units, long_name, rank + 1, d, len, tr);
    }
done:
    free(q);
    free(m);
    free(tr);
    return rc;
}

static ps_status write_coords(writer *w, const ps_prob *const *runs, int n,
                              const ps_h5_prob_spec *spec, int with_traj)
{
    const int Y = ps_prob_n_years(runs[0]), T = ps_prob_n_traj(runs[0]);
    int *years = malloc((size_t)Y * sizeof *years);
    int *traj = malloc((size_t)T * sizeof *traj);
    int groups[PS_PROB_N_GROUPS];
    double levels[PS_PROB_N_QUANTILES];
    const char *sexes[PS_SEX_COUNT];
    ps_status rc = PS_OK;
    if (years == NULL || traj == NULL) {
        rc = ps_error_set(w->err, PS_ENOMEM, "out of memory writing the coordinates");
        goto done;
    }
    for (int y = 0; y < Y; ++y) {
        years[y] = ps_prob_start_year(runs[0]) + y;
    }
    for (int t = 0; t < T; ++t) {
        traj[t] = t;
    }
    for (int g = 0; g < PS_PROB_N_GROUPS; ++g) {
        groups[g] = g * PS_AGE_GROUP_YEARS;
    }
    for (int q = 0; q < PS_PROB_N_QUANTILES; ++q) {
        levels[q] = ps_prob_level(q);
    }
    for (int s = 0; s < PS_SEX_COUNT; ++s) {
        sexes[s] = ps_sex_name((ps_sex)s);
    }
    if ((rc = coord(w, D_YEAR, "year", H5T_STD_I32LE, H5T_NATIVE_INT, (hsize_t)Y, years, NULL,
                    "calendar year (1 July for stocks; see each variable)")) != PS_OK ||
        (rc = coord(w, D_REG, spec->dim, w->str_type, w->str_type, (hsize_t)n, spec->labels,
                    NULL, strcmp(spec->dim, "location") == 0 ? "UN WPP 2024 location"
                                                              : "region")) != PS_OK ||
        (rc = coord(w, D_QUANT, "quantile", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                    PS_PROB_N_QUANTILES, levels, "1",
                    "probability level of the quantile over trajectories")) != PS_OK ||
        (rc = coord(w, D_SEX, "sex", w->str_type, w->str_type, PS_SEX_COUNT, sexes, NULL,
                    "sex")) != PS_OK ||
        (rc = coord(w, D_GROUP, "age_group", H5T_STD_I32LE, H5T_NATIVE_INT, PS_PROB_N_GROUPS,
                    groups, "year", "first age of the 5-year age group (100 = 100+)")) != PS_OK) {
        goto done;
    }
    if (with_traj) {
        rc = coord(w, D_TRAJ, "trajectory", H5T_STD_I32LE, H5T_NATIVE_INT, (hsize_t)T, traj,
                   NULL, "trajectory index (its random streams are keyed by it)");
    }
    if (rc == PS_OK && spec->codes != NULL) {
        hid_t ds = H5I_INVALID_HID;
        const hsize_t len = (hsize_t)n;
        rc = dataset(w, &ds, "location_code", H5T_STD_I32LE, H5T_NATIVE_INT, 1, &len,
                     spec->codes);
        if (rc == PS_OK) {
            rc = attr_text(w, ds, "long_name", "UN M49 code of the location");
        }
        if (rc == PS_OK) {
            rc = attr_text(w, ds, "units", "1");
        }
        if (rc == PS_OK && H5DSattach_scale(ds, w->dim[D_REG], 0) < 0) {
            rc = fail(w, "attach a dimension scale to", "location_code");
        }
        if (ds >= 0) {
            H5Dclose(ds);
        }
    }
done:
    free(years);
    free(traj);
    return rc;
}

/* ---- services under uncertainty (issue #14, sec. 2; popsim/svc_prob.h) ------------------
 * A `service` coordinate (the services' names) with `service_title` and `service_kind`
 * beside it, and per prob_svc_specs row the quantiles (year, region, service, quantile) and
 * mean, or for service_p_shortage the share (year, region, service). One region. */
_Static_assert((int)PROB_SVC_STAFF == (int)PS_SVC_PROB_STAFF &&
                   (int)PROB_SVC_P_SHORTAGE == (int)PS_SVC_PROB_VAR_COUNT,
               "the schema's service rows follow ps_svc_prob_var");

static ps_status write_svc_labels(writer *w, const ps_svc_prob *sp)
{
    const int K = ps_svc_prob_n_services(sp);
    const char **names = malloc((size_t)K * 3 * sizeof *names);
    const hsize_t len = (hsize_t)K;
    ps_status rc = PS_OK;
    if (names == NULL) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory writing the services");
    }
    for (int k = 0; k < K; ++k) {
        names[k] = ps_svc_prob_name(sp, k);
        names[K + k] = ps_svc_prob_title(sp, k);
        names[2 * K + k] = ps_svc_kind_name(ps_svc_prob_kind(sp, k));
    }
    rc = coord(w, D_SVC, "service", w->str_type, w->str_type, len, names, NULL,
               "service of the scenario (its name in the scenario file)");
    static const char *const extra[2][2] = {
        { "service_title", "title of the service" },
        { "service_kind", "kind of the service: childcare, kindergarten, school, health, "
                          "elderly or other" },
    };
    for (int e = 0; rc == PS_OK && e < 2; ++e) {
        hid_t ds = H5I_INVALID_HID;
        rc = dataset(w, &ds, extra[e][0], w->str_type, w->str_type, 1, &len,
                     names + (size_t)(e + 1) * (size_t)K);
        if (rc == PS_OK) {
            rc = attr_text(w, ds, "long_name", extra[e][1]);
        }
        if (rc == PS_OK && H5DSattach_scale(ds, w->dim[D_SVC], 0) < 0) {
            rc = fail(w, "attach a dimension scale to", extra[e][0]);
        }
        if (ds >= 0) {
            H5Dclose(ds);
        }
    }
    free(names);
    return rc;
}

static ps_status write_services(writer *w, const ps_svc_prob *sp)
{
    const int K = ps_svc_prob_n_services(sp), Y = ps_svc_prob_n_years(sp);
    double *q = malloc((size_t)Y * (size_t)K * PS_PROB_N_QUANTILES * sizeof *q);
    double *m = malloc((size_t)Y * (size_t)K * sizeof *m);
    ps_status rc = q != NULL && m != NULL
                       ? write_svc_labels(w, sp)
                       : ps_error_set(w->err, PS_ENOMEM, "out of memory writing the services");
    const int d[4] = { D_YEAR, D_REG, D_SVC, D_QUANT };
    const hsize_t len[4] = { (hsize_t)Y, 1, (hsize_t)K, PS_PROB_N_QUANTILES };
    for (int v = 0; rc == PS_OK && v < PROB_SVC_COUNT; ++v) {
        const prob_var_spec *spec = &prob_svc_specs[v];
        for (int y = 0; y < Y; ++y) {
            for (int k = 0; k < K; ++k) {
                const size_t at = (size_t)y * (size_t)K + (size_t)k;
                if (v == PROB_SVC_P_SHORTAGE) {
                    m[at] = ps_svc_prob_p_shortage(sp, k)[y];
                    continue;
                }
                const double *s = ps_svc_prob_stats(sp, k, (ps_svc_prob_var)v) +
                                  (size_t)y * PS_PROB_N_STATS;
                memcpy(q + at * PS_PROB_N_QUANTILES, s, PS_PROB_N_QUANTILES * sizeof *s);
                m[at] = s[PS_PROB_N_QUANTILES];
            }
        }
        if (v == PROB_SVC_P_SHORTAGE) {
            rc = variable(w, spec->name, spec->units, spec->long_name, 3, d, len, m);
            continue;
        }
        char name[96], long_name[256];
        snprintf(name, sizeof name, "%s_mean", spec->name);
        snprintf(long_name, sizeof long_name, "mean over trajectories: %s", spec->long_name);
        rc = variable(w, spec->name, spec->units, spec->long_name, 4, d, len, q);
        if (rc == PS_OK) {
            rc = variable(w, name, spec->units, long_name, 3, d, len, m);
        }
    }
    free(q);
    free(m);
    return rc;
}
static ps_status write_policy(writer *w, const ps_prob_pol_summary *pol);
/* Each policy variant's services (issue #14, sec. 2) in <group>/variants/<variant>/, laid out
 * as the baseline's in <group>: its own coordinates (year, region, quantile, sex, age_group)
 * and service labels, so xarray opens the variant's group alone. */
static ps_status write_variant_services(writer *w, const ps_prob *const *runs,
                                        const ps_h5_prob_spec *spec, hid_t gcpl)
{
    const hid_t parent = w->grp;
    hid_t saved[D_COUNT], top = H5Gcreate2(parent, "variants", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    ps_status rc = top < 0 ? fail(w, "create group", "variants") : PS_OK;
    memcpy(saved, w->dim, sizeof saved);
    for (int v = 0; rc == PS_OK && v < spec->policy->n_variants; ++v) {
        const ps_svc_prob *sp = spec->variant_services[v];
        const char *name = spec->policy->names[v];
        if (sp == NULL) {
            continue;
        }
        if (ps_svc_prob_stats(sp, 0, PS_SVC_PROB_DEMAND) == NULL ||
            ps_svc_prob_n_years(sp) != ps_prob_n_years(runs[0]) ||
            ps_svc_prob_start_year(sp) != ps_prob_start_year(runs[0])) {
            rc = ps_error_set(w->err, PS_EINVAL, "the services of variant '%s' are unfinished "
                              "or of other years than the run's", name);
            break;
        }
        for (int d = 0; d < D_COUNT; ++d) {
            w->dim[d] = H5I_INVALID_HID;
        }
        w->grp = H5Gcreate2(top, name, H5P_DEFAULT, gcpl, H5P_DEFAULT);
        rc = w->grp < 0 ? fail(w, "create group", name) : write_coords(w, runs, 1, spec, 0);
        if (rc == PS_OK) {
            rc = write_services(w, sp);
        }
        for (int d = 0; d < D_COUNT; ++d) {
            if (w->dim[d] >= 0) {
                H5Dclose(w->dim[d]);
            }
        }
        if (w->grp >= 0) {
            H5Gclose(w->grp);
        }
        w->grp = parent;
    }
    memcpy(w->dim, saved, sizeof saved);
    if (top >= 0) {
        H5Gclose(top);
    }
    return rc;
}

/* The process each run drew its trajectories from (docs/model.md 9.1-9.3 and 9.8): a
 * `process` coordinate and per run and process the persistence, level share, centring,
 * whether and how the draws follow the trajectory's population (net migration's
 * mig_per_person and mig_size_elasticity) and the level's skew, (region, process),
 * contiguous. Not for --variant runs, which draw nothing. */
static ps_status write_process(writer *w, const ps_prob *const *runs, int n)
{
    const char *names[PS_PROB_PROC_COUNT];
    for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
        names[k] = ps_h5_prob_process_name(k);
    }
    for (int r = 0; r < n; ++r) {
        if (ps_prob_options_of(runs[r])->variant != PS_PROB_VARIANT_NONE) {
            return PS_OK;
        }
    }
    double *v = malloc((size_t)n * PS_PROB_PROC_COUNT * PS_H5_PROB_PROCESS_ROWS * sizeof *v);
    if (v == NULL) {
        return ps_error_set(w->err, PS_ENOMEM, "out of memory writing the process parameters");
    }
    const size_t per = (size_t)n * PS_PROB_PROC_COUNT;
    for (int r = 0; r < n; ++r) {
        const ps_prob_options *o = ps_prob_options_of(runs[r]);
        for (int k = 0; k < PS_PROB_PROC_COUNT; ++k) {
            v[(size_t)r * PS_PROB_PROC_COUNT + k] = o->rho[k];
            v[per + (size_t)r * PS_PROB_PROC_COUNT + k] = o->level[k];
            v[2 * per + (size_t)r * PS_PROB_PROC_COUNT + k] = o->center[k];
            v[3 * per + (size_t)r * PS_PROB_PROC_COUNT + k] =
                k == PS_PROB_MIG ? (double)o->mig_per_person : 0.0;
            v[4 * per + (size_t)r * PS_PROB_PROC_COUNT + k] =
                k == PS_PROB_MIG ? o->mig_size_elasticity : 0.0;
            v[5 * per + (size_t)r * PS_PROB_PROC_COUNT + k] = o->level_skew[k];
        }
    }
    ps_status rc = coord(w, D_PROC, "process", w->str_type, w->str_type, PS_PROB_PROC_COUNT,
                         names, NULL, "random process of the trajectories: TFR, life "
                         "expectancy at birth (both sexes) or net international migration");
    const int d[2] = { D_REG, D_PROC };
    const hsize_t len[2] = { (hsize_t)n, PS_PROB_PROC_COUNT };
    for (int k = 0; rc == PS_OK && k < PS_H5_PROB_PROCESS_ROWS; ++k) {
        const prob_var_spec *sp = &prob_process_specs[k];
        rc = variable_layout(w, sp->name, sp->units, sp->long_name, 2, d, len,
                             v + (size_t)k * per, 0);
    }
    free(v);
    if (rc == PS_OK && all_aligned(runs, n)) { /* docs/model.md 9.7: every run's factors */
        const int Y = ps_prob_n_years(runs[0]);
        double *g = malloc((size_t)Y * (size_t)n * sizeof *g);
        if (g == NULL) {
            return ps_error_set(w->err, PS_ENOMEM, "out of memory writing the alignment");
        }
        for (int r = 0; r < n; ++r) {
            for (int y = 0; y < Y; ++y) {
                g[(size_t)y * (size_t)n + (size_t)r] = ps_prob_alignment(runs[r])[y];
            }
        }
        const int dy[2] = { D_YEAR, D_REG };
        const hsize_t ly[2] = { (hsize_t)Y, (hsize_t)n };
        rc = variable_layout(w, prob_alignment_spec.name, prob_alignment_spec.units,
                             prob_alignment_spec.long_name, 2, dy, ly, g, 0);
        free(g);
    }
    return rc;
}

static ps_status write_contents(writer *w, const ps_prob *const *runs, int n,
                                const ps_h5_prob_spec *spec, const ps_provenance *prov)
{
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE), top = H5I_INVALID_HID;
    ps_status rc = PS_OK;
    const uint64_t seed = prov != NULL ? (uint64_t)prov->seed : 0;
    const int n_traj = ps_prob_n_traj(runs[0]);
    if (gcpl < 0 ||
        H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0) {
        rc = fail(w, "set up", "group properties");
        goto done;
    }
    const struct {
        const char *name, *value;
    } text[] = {
        { "Conventions", "CF-1.8" },
        { "title", spec->title },
        { "popsim_version", ps_version() },
        { "command_line", prov != NULL ? prov->command_line : "" },
        { "data_source", prov != NULL ? prov->data_source : "" },
        { "method", "probabilistic projection, docs/model.md sec. 9" },
    };
    for (size_t k = 0; rc == PS_OK && k < sizeof text / sizeof text[0]; ++k) {
        rc = attr_text(w, w->file, text[k].name, text[k].value);
    }
    if (rc == PS_OK) {
        rc = attr_scalar(w, w->file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed);
    }
    if (rc == PS_OK) {
        rc = attr_scalar(w, w->file, "trajectories", H5T_STD_I32LE, H5T_NATIVE_INT, &n_traj);
    }
    if (rc == PS_OK && prov != NULL && prov->mpi_ranks > 0) { /* an MPI run (issue #15) */
        rc = attr_scalar(w, w->file, "mpi_ranks", H5T_STD_I32LE, H5T_NATIVE_INT, &prov->mpi_ranks);
    }
    /* a scenario's uncertainty: section (issue #14, sec. 1): the file it came from */
    if (rc == PS_OK && prov != NULL && prov->scenario_path != NULL &&
        prov->scenario_path[0] != '\0') {
        rc = attr_text(w, w->file, "scenario_file", prov->scenario_path);
        if (rc == PS_OK) {
            rc = attr_text(w, w->file, "scenario_sha256", prov->scenario_sha256);
        }
    }
    if (rc == PS_OK &&
        ((top = H5Gcreate2(w->file, "probabilistic", H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0 ||
         (w->grp = H5Gcreate2(top, spec->group, H5P_DEFAULT, gcpl, H5P_DEFAULT)) < 0)) {
        rc = fail(w, "create group", spec->group);
    }
    if (rc == PS_OK) {
        rc = write_coords(w, runs, n, spec, spec->trajectories);
    }
    for (int k = 0; rc == PS_OK && k < N_VARS; ++k) {
        rc = write_var(w, &vars[k], runs, n,
                       spec->trajectories && vars[k].v != PS_PROB_V_POP_GROUP);
    }
    if (rc == PS_OK) { /* the 65+ share, its row in the schema (h5schema.c) */
        const var_desc share = { PS_PROB_V_SHARE_65, prob_share65_spec.name,
                                 prob_share65_spec.units, prob_share65_spec.long_name, 0, 0 };
        rc = write_var(w, &share, runs, n, spec->trajectories);
    }
    if (rc == PS_OK && all_aligned(runs, n)) { /* the persons it adds (docs/model.md 9.7) */
        const var_desc flow = { PS_PROB_V_ALIGN_FLOW, prob_align_flow_spec.name,
                                prob_align_flow_spec.units, prob_align_flow_spec.long_name, 0,
                                0 };
        rc = write_var(w, &flow, runs, n, spec->trajectories);
    }
    if (rc == PS_OK) {
        rc = write_process(w, runs, n);
    }
    if (rc == PS_OK && spec->services != NULL) {
        rc = write_services(w, spec->services);
    }
    if (rc == PS_OK && spec->policy != NULL) { /* policy variants (issue #14, sec. 2) */
        rc = write_policy(w, spec->policy);
    }
    if (rc == PS_OK && spec->policy != NULL && spec->variant_services != NULL) {
        rc = write_variant_services(w, runs, spec, gcpl);
    }
done:
    if (top >= 0) {
        H5Gclose(top);
    }
    if (gcpl >= 0) {
        H5Pclose(gcpl);
    }
    return rc;
}

ps_status ps_h5_write_prob(const char *path, const ps_prob *const *runs, int n,
                           const ps_h5_prob_spec *spec, const ps_provenance *prov,
                           ps_error *err)
{
    if (n < 1) {
        return ps_error_set(err, PS_EINVAL, "no probabilistic results to write");
    }
    for (int k = 0; k < n; ++k) {
        if (ps_prob_stats(runs[k], PS_PROB_V_POP_TOTAL) == NULL ||
            (spec->policy != NULL &&
             (n != 1 || spec->policy->n_years != ps_prob_n_years(runs[k]))) ||
            ps_prob_n_years(runs[k]) != ps_prob_n_years(runs[0]) ||
            ps_prob_start_year(runs[k]) != ps_prob_start_year(runs[0]) ||
            ps_prob_n_traj(runs[k]) != ps_prob_n_traj(runs[0]) ||
            (spec->trajectories && ps_prob_trajectories(runs[k], PS_PROB_V_POP_TOTAL) == NULL)) {
            return ps_error_set(err, PS_EINVAL, "probabilistic result %d is unfinished or has "
                                "other years or trajectories than the first", k);
        }
    }
    if (spec->services != NULL &&
        (n != 1 || ps_svc_prob_stats(spec->services, 0, PS_SVC_PROB_DEMAND) == NULL ||
         ps_svc_prob_n_years(spec->services) != ps_prob_n_years(runs[0]) ||
         ps_svc_prob_start_year(spec->services) != ps_prob_start_year(runs[0]))) {
        return ps_error_set(err, PS_EINVAL, "the services under uncertainty belong to one "
                            "finished run of the same years");
    }
    writer w = { .file = H5I_INVALID_HID, .grp = H5I_INVALID_HID,
                 .str_type = H5I_INVALID_HID, .err = err };
    for (int d = 0; d < D_COUNT; ++d) {
        w.dim[d] = H5I_INVALID_HID;
    }
    ps_outfile *of = NULL;
    hid_t fapl = H5I_INVALID_HID, fcpl = H5I_INVALID_HID;
    ps_status rc = ps_outfile_open(&of, path, err);
    if (rc != PS_OK) {
        return rc;
    }
    if ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0 ||
        H5Pset_libver_bounds(fapl, H5F_LIBVER_EARLIEST, H5F_LIBVER_V18) < 0 ||
        (fcpl = H5Pcreate(H5P_FILE_CREATE)) < 0 ||
        H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        (w.str_type = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(w.str_type, H5T_VARIABLE) < 0 ||
        H5Tset_cset(w.str_type, H5T_CSET_UTF8) < 0 ||
        (w.file = H5Fcreate(ps_outfile_temp_path(of), H5F_ACC_TRUNC, fcpl, fapl)) < 0) {
        rc = ps_error_set(err, PS_EHDF5, "cannot create the HDF5 file for '%s'", path);
    }
    if (rc == PS_OK) {
        rc = write_contents(&w, runs, n, spec, prov);
    }
    for (int d = 0; d < D_COUNT; ++d) {
        if (w.dim[d] >= 0) {
            H5Dclose(w.dim[d]);
        }
    }
    if (w.grp >= 0) {
        H5Gclose(w.grp);
    }
    if (w.file >= 0 && H5Fclose(w.file) < 0 && rc == PS_OK) {
        rc = ps_error_set(err, PS_EHDF5, "cannot close the HDF5 file for '%s'", path);
    }
    if (w.str_type >= 0) {
        H5Tclose(w.str_type);
    }
    if (fapl >= 0) {
        H5Pclose(fapl);
    }
    if (fcpl >= 0) {
        H5Pclose(fcpl);
    }
    if (rc == PS_OK) {
        rc = ps_outfile_verify(of, err);
    }
    if (rc == PS_OK) {
        return ps_outfile_commit(of, err);
    }
    ps_outfile_abort(of);
    return rc;
}

/* ---- policy variants under uncertainty (issue #14, sec. 2; popsim/prob_policy.h) -------- */

/* Quantiles [.., variant, quantile] and mean [.., variant] of one policy variable; with
 * by_year the year dimension first. */
static ps_status write_policy_var(writer *w, const char *name, const char *units,
                                  const char *long_name, const double *stats, int n_rows,
                                  int n_variants, int by_year)
{
    const size_t cells = (size_t)n_rows * (size_t)n_variants;
    double *q = malloc(cells * PS_PROB_N_QUANTILES * sizeof *q);
    double *m = malloc(cells * sizeof *m);
    ps_status rc = PS_OK;
    if (q == NULL || m == NULL) {
        rc = ps_error_set(w->err, PS_ENOMEM, "out of memory writing %s", name);
    }
    for (size_t c = 0; rc == PS_OK && c < cells; ++c) {
        memcpy(q + c * PS_PROB_N_QUANTILES, stats + c * PS_PROB_N_STATS,
               PS_PROB_N_QUANTILES * sizeof *q);
        m[c] = stats[c * PS_PROB_N_STATS + PS_PROB_N_QUANTILES];
    }
    int d[4] = { D_YEAR, D_REG, D_VARIANT, D_QUANT };
    hsize_t len[4] = { (hsize_t)n_rows, 1, (hsize_t)n_variants, PS_PROB_N_QUANTILES };
    const int skip = by_year ? 0 : 1;
    char mean_name[96], mean_long[320];
    snprintf(mean_name, sizeof mean_name, "%s_mean", name);
    snprintf(mean_long, sizeof mean_long, "mean over trajectories: %s", long_name);
    if (rc == PS_OK) {
        rc = variable(w, name, units, long_name, 4 - skip, d + skip, len + skip, q);
    }
    if (rc == PS_OK) {
        rc = variable(w, mean_name, units, mean_long, 3 - skip, d + skip, len + skip, m);
    }
    free(q);
    free(m);
    return rc;
}

static ps_status write_policy(writer *w, const ps_prob_pol_summary *pol)
{
    const int V = pol->n_variants;
    ps_status rc = coord(w, D_VARIANT, "variant", w->str_type, w->str_type, (hsize_t)V,
                         pol->names, NULL, "policy variant, measured against the baseline "
                         "in the same trajectory");
    if (rc == PS_OK) {
        rc = write_policy_var(w, "births_gained", "1", "births gained against the baseline "
                              "from 1 July of the year to 1 July of the next", pol->gained,
                              pol->n_years, V, 1);
    }
    for (int k = 0; rc == PS_OK && k < PS_PROB_POL_VAR_COUNT; ++k) {
        rc = write_policy_var(w, ps_prob_pol_var_name((ps_prob_pol_var)k),
                              ps_prob_pol_var_units((ps_prob_pol_var)k),
                              ps_prob_pol_var_long_name((ps_prob_pol_var)k), pol->scalar[k], 1,
                              V, 0);
    }
    if (rc == PS_OK) {
        const int d[2] = { D_REG, D_VARIANT };
        const hsize_t len[2] = { 1, (hsize_t)V };
        rc = variable(w, "births_gained_none_share", "1", "share of trajectories in which the "
                      "variant gains no birth over the horizon", 2, d, len, pol->no_gain);
    }
    return rc;
}
